/*
 * chunked_csv.h — a CSV/TSV file or stdin read as a sequence of frames of
 * whole rows, each parsed by the CSV reader (lp_csv_read_buffer) with the
 * file's header in front, so that a long input is handled in bounded memory
 * (`lolpop predict` scores 10M rows chunk by chunk).
 *
 * A chunk ends on a row boundary: a newline outside double quotes (a quoted
 * field may hold newlines). Types are inferred per chunk unless declared: the
 * caller declares the types it knows (a bundle's input schema), which also
 * keeps a string column of digits a string in every chunk. Error locations
 * are lines of the whole input. Not installed; not public API.
 */
#ifndef LP_CHUNKED_CSV_H
#define LP_CHUNKED_CSV_H

#include <stddef.h>
#include <stdint.h>

#include "lolpop/csv.h"
#include "lolpop/frame.h"

typedef struct lp_chunked_csv lp_chunked_csv;

/* Opens `path` ("-" for stdin) and reads its header; chunks hold about
 * `block` bytes of rows (0: 4 MiB). `name` is used in messages and for the
 * separator (.tsv → tab); NULL means path. The caller owns *out. */
int lp_chunked_csv_open(lp_chunked_csv **out, const char *path, const char *name, size_t block);

/* Declares column types for the next chunks: only the overrides naming a
 * column of the header are kept (copied); the others are ignored. */
int lp_chunked_csv_declare(lp_chunked_csv *c, const lp_csv_type_override *o, size_t n);

/* The next chunk as a new frame in *out, or *out NULL at the end. The first
 * call on an input without rows gives one frame with the header's columns and
 * no rows. *first_row: rows handed out before this chunk. */
int lp_chunked_csv_next(lp_chunked_csv *c, lp_frame **out, size_t *first_row);

/* Bytes consumed so far and the input's size (0 when unknown: a pipe). */
uint64_t lp_chunked_csv_done(const lp_chunked_csv *c);
uint64_t lp_chunked_csv_total(const lp_chunked_csv *c);

/* Closes the input (not stdin) and frees c. Accepts NULL. */
void lp_chunked_csv_free(lp_chunked_csv *c);

#endif
