/*
 * csv_internal.h — pieces shared by the CSV reader, the writer and the
 * column statistics: scalar parsers and formatters, and the field scanner.
 * Not installed; not public API.
 */
#ifndef LP_CSV_INTERNAL_H
#define LP_CSV_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Type candidates of one text value, combined with AND over a column. The
 * inferred type is the first candidate left in this order, else string. */
enum {
    LP_CSV_M_BOOL = 1,
    LP_CSV_M_INT = 2,
    LP_CSV_M_FLOAT = 4,
    LP_CSV_M_TS = 8,
    LP_CSV_M_ALL = 15
};

/* The candidates among `allowed` that s[0..n) parses as. */
unsigned lp_csv_classify(const char *s, size_t n, unsigned allowed);
/* The same, allowed to read (not use) bytes up to s[readable) (readable >= n):
 * digits are then scanned eight at a time. */
unsigned lp_csv_classify_in(const char *s, size_t n, size_t readable, unsigned allowed);

/* Strict parsers of one whole value; true on success. */
bool lp_csv_parse_bool(const char *s, size_t n, uint8_t *out); /* true/True/TRUE, false/... */
bool lp_csv_parse_i64(const char *s, size_t n, int64_t *out);  /* [+-]digits, in range */
bool lp_csv_parse_f64(const char *s, size_t n, double *out);   /* decimal, inf, nan */
/* lp_csv_parse_f64 allowed to read (not use) bytes up to s[readable) (readable >= n). */
bool lp_csv_parse_f64_in(const char *s, size_t n, size_t readable, double *out);
/* mant × 10^exp10 correctly rounded (as strtod rounds) into *out; false when
 * the fast algorithm cannot decide (then use strtod): subnormal or infinite
 * results, exponents outside ±348, and rare halfway-looking products. */
bool lp_f64_eisel_lemire(double *out, uint64_t mant, int exp10, bool neg);
/* ISO 8601: YYYY-MM-DD[(T| )HH:MM[:SS[.fraction]]][Z|±HH[:MM]] → µs since the
 * epoch (UTC; digits past microseconds are truncated). */
bool lp_csv_parse_ts(const char *s, size_t n, int64_t *out);

/* Shortest text that strtod reads back as the same double; integral values
 * keep a ".0" so that they are read back as floats. Returns the length. */
size_t lp_csv_format_f64(char buf[40], double v);
/* The same text by snprintf("%.*g") at 15, 16 and 17 digits, each parsed back:
 * the definition lp_csv_format_f64 follows without printf (csv_format_f64.c),
 * and its path for zeros, subnormals, inf, NaN and |v| outside [1e-5, 1e15). */
size_t lp_csv_format_f64_printf(char buf[40], double v);
/* "YYYY-MM-DD" when date_only, else "YYYY-MM-DDTHH:MM:SS[.ffffff]". */
size_t lp_csv_format_ts(char buf[48], int64_t us, bool date_only);
/* Whether a timestamp falls on midnight (UTC). */
static inline bool lp_csv_ts_is_midnight(int64_t us)
{
    int64_t day = 86400LL * 1000000LL;
    return us % day == 0;
}

/* Rows at the start of the body from which the reader guesses column types
 * (csv_read.c; checked while converting, read again without the guess when
 * wrong). 0 turns the guess off. A test and fuzzing hook: default 1000. */
extern int lp_csv_sample_rows;

/* The missing-value strings: pandas' default na_values. NULL-terminated. */
extern const char *const lp_csv_default_na[];

#endif
