/*
 * csv.h — reading and writing CSV (RFC 4180) into and out of frames.
 *
 * Reading: header row, quoted fields with separators, quotes ("") and CR/LF
 * inside, CRLF or LF line ends, a UTF-8 BOM skipped, strict UTF-8 (invalid
 * bytes are an error naming line and column). Types are inferred over the
 * whole file (bool < int64 < float64 < timestamp (ISO 8601) < string), with
 * per-column overrides. Edge values: an integer outside int64 makes the column
 * float64 (nearest double; declare it string to keep every digit), "-0" is
 * the int 0, 1e400 is inf, a date that does not exist (2024-02-30) is text,
 * and timestamps are limited to years 0000..9999 (UTC, after any zone).
 * Blank lines are skipped, as pandas does, also in a one-column file.
 * Empty fields and NA strings are missing. A ragged row,
 * an unterminated quote or a value that does not fit a declared type is an
 * error naming the file, line and column — never a silent skip.
 * Large inputs are parsed with several threads.
 *
 * Writing round-trips: lp_csv_read(lp_csv_write(f)) equals f for frames the
 * reader could produce (with the same overrides). Files are written to a
 * temporary name and renamed, so a failed write leaves nothing behind.
 */
#ifndef LOLPOP_CSV_H
#define LOLPOP_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include "frame.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct lp_csv_type_override {
    const char *column;
    lp_dtype type;
} lp_csv_type_override;

typedef struct lp_csv_options {
    char separator; /* 0 = by extension (.tsv → tab) else ','; also ';' '|' '\t' */
    bool no_header; /* columns named column_1.. when set */
    const char *const
        *na_values; /* extra strings read as missing (besides ""); NULL-terminated, may be NULL */
    const lp_csv_type_override *overrides; /* n_overrides entries */
    size_t n_overrides;
    int threads; /* 0 = the cores available */
} lp_csv_options;

/* Reads a file (options may be NULL). New frame in *out, or an error with
 * file:line:col in the last error. */
int lp_csv_read(lp_frame **out, const char *path, const lp_csv_options *opt);
/* Reads from memory; `name` is used in error messages. */
int lp_csv_read_buffer(lp_frame **out, const char *data, size_t len, const char *name,
                       const lp_csv_options *opt);

/* Writes atomically (temp file + rename). Missing values are written empty;
 * fields are quoted when needed; floats with the shortest round-trip form;
 * timestamps as ISO 8601 ("2024-01-31T12:00:00" or with fraction / date only
 * when all times are midnight: "2024-01-31"). */
int lp_csv_write(const lp_frame *f, const char *path, const lp_csv_options *opt);
/* Writes into a new malloc'ed buffer (*out, *len). */
int lp_csv_write_buffer(char **out, size_t *len, const lp_frame *f, const lp_csv_options *opt);

#ifdef __cplusplus
}
#endif
#endif
