/*
 * frame.h — columnar, typed, reference-counted data frames.
 *
 * A column is one typed array with a validity bitmap; a frame is an ordered
 * list of named columns of equal length. Columns are immutable once they are
 * shared (refcount > 1 or inside a frame), so frames share columns instead of
 * copying them: select, drop, rename and concatenating columns cost O(columns).
 * Row operations (take, filter, sort, concat, join) build new columns.
 *
 * Types: float64, int64, bool (one byte per value), string (int64 offsets +
 * UTF-8 bytes), category (int32 codes into a string dictionary column),
 * timestamp (int64 microseconds since 1970-01-01T00:00:00Z).
 * Missing values: validity bit clear (bit i of byte i/8, LSB first). A column
 * whose validity is NULL has no missing values. A float NaN that is valid is
 * a value, not a missing one; readers map empty/NA fields to missing.
 *
 * Ownership: lp_column_* and lp_frame_* constructors return a new reference;
 * lp_frame_add_column takes ownership of the column; getters borrow.
 */
#ifndef LOLPOP_FRAME_H
#define LOLPOP_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "value.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum lp_dtype {
    LP_DT_FLOAT64,
    LP_DT_INT64,
    LP_DT_BOOL,
    LP_DT_STRING,
    LP_DT_CATEGORY,
    LP_DT_TIMESTAMP
} lp_dtype;

const char *
lp_dtype_name(lp_dtype t); /* "float64", "int64", "bool", "string", "category", "timestamp" */
/* Parses a type name (also "float", "int", "str", "datetime"). 0 or LP_EINVAL. */
int lp_dtype_parse(const char *name, lp_dtype *out);

/* The column layout is public so that hot loops (parsers, trainers) read it
 * directly. Treat every field as read-only once the column is shared. */
typedef struct lp_column {
    int refs_; /* private: use lp_column_ref/unref */
    lp_dtype type;
    size_t length;
    size_t null_count;
    uint8_t *validity; /* NULL = all valid; else ceil(length/8) bytes */
    union {
        double *f64;  /* LP_DT_FLOAT64 */
        int64_t *i64; /* LP_DT_INT64, LP_DT_TIMESTAMP */
        uint8_t *b8;  /* LP_DT_BOOL: 0 or 1 */
        struct {
            int64_t *offsets; /* length + 1 entries; value i is bytes[offsets[i]..offsets[i+1]) */
            char *bytes;
        } str; /* LP_DT_STRING */
        struct {
            int32_t *codes;         /* index into dict; meaningless where invalid */
            struct lp_column *dict; /* LP_DT_STRING column of distinct values, no nulls */
        } cat;                      /* LP_DT_CATEGORY */
    } data;
} lp_column;

/* ---- columns -------------------------------------------------------------- */

/* A zero-filled column of `length` values, all valid, ready to be written
 * (strings: offsets all zero and no bytes; category: codes zero, dict empty).
 * NULL on OOM. */
lp_column *lp_column_new(lp_dtype type, size_t length);
lp_column *lp_column_ref(lp_column *col);
void lp_column_unref(lp_column *col);

static inline bool lp_column_is_valid(const lp_column *c, size_t i)
{
    return !c->validity || (c->validity[i >> 3] >> (i & 7)) & 1;
}
/* Marks value i missing (allocates the bitmap on first use). Builders only. */
int lp_column_set_null(lp_column *col, size_t i);
/* Borrowed bytes of string/category value i (NULL when missing); *len set. */
const char *lp_column_str(const lp_column *col, size_t i, size_t *len);
/* Value i as a double: float/int/bool/timestamp widened; NaN when missing or non-numeric. */
double lp_column_get_f64(const lp_column *col, size_t i);
/* Every value as lp_column_get_f64 gives it, in a new malloc'ed array of the
 * column's length (the caller frees it); NULL with LP_ENOMEM set. */
double *lp_column_to_f64(const lp_column *col);

/* Incremental construction, for readers that do not know the length up front. */
typedef struct lp_column_builder lp_column_builder;
lp_column_builder *lp_column_builder_new(lp_dtype type, size_t capacity_hint);
int lp_column_builder_append_null(lp_column_builder *b);
int lp_column_builder_append_f64(lp_column_builder *b, double v);
int lp_column_builder_append_i64(lp_column_builder *b, int64_t v); /* int64 and timestamp */
int lp_column_builder_append_bool(lp_column_builder *b, bool v);
/* string: copies len bytes; category: looks the value up in (or adds it to) the dictionary. */
int lp_column_builder_append_str(lp_column_builder *b, const char *s, size_t len);
/* Ends the builder (freed in any case); returns the column or NULL on OOM. */
lp_column *lp_column_builder_finish(lp_column_builder *b);
void lp_column_builder_free(lp_column_builder *b);

/* New column holding rows idx[0..n) of col (an index may repeat). */
lp_column *lp_column_take(const lp_column *col, const size_t *idx, size_t n);
/* New column converted to `type` (string → numbers parses; failure → error naming row). */
int lp_column_cast(lp_column **out, const lp_column *col, lp_dtype type);

/* ---- frames --------------------------------------------------------------- */

typedef struct lp_frame lp_frame;

lp_frame *lp_frame_new(void); /* empty: 0 columns, 0 rows */
lp_frame *lp_frame_ref(lp_frame *f);
void lp_frame_unref(lp_frame *f);

/* Appends a column (takes ownership, even on failure). Errors: duplicate name,
 * length differing from the frame's rows. Only on unshared frames. */
int lp_frame_add_column(lp_frame *f, const char *name, lp_column *col);

size_t lp_frame_rows(const lp_frame *f);
size_t lp_frame_cols(const lp_frame *f);
const char *lp_frame_name(const lp_frame *f, size_t j); /* borrowed */
lp_column *lp_frame_col(const lp_frame *f, size_t j);   /* borrowed */
/* Index of the column named `name` (exact match), or -1. */
long lp_frame_find(const lp_frame *f, const char *name);
/* Borrowed column by name or NULL. */
lp_column *lp_frame_col_by_name(const lp_frame *f, const char *name);

/* Column operations (share columns). Unknown names are errors naming them and
 * listing the closest existing column. */
int lp_frame_select(lp_frame **out, const lp_frame *f, const char *const *names, size_t n);
int lp_frame_drop(lp_frame **out, const lp_frame *f, const char *const *names, size_t n);
int lp_frame_rename(lp_frame **out, const lp_frame *f, const char *from, const char *to);

/* Row operations (new columns). */
int lp_frame_take(lp_frame **out, const lp_frame *f, const size_t *rows, size_t n);
int lp_frame_filter(lp_frame **out, const lp_frame *f, const uint8_t *keep); /* keep[i] != 0 */
/* Stable sort by one column; missing values last. */
int lp_frame_sort(lp_frame **out, const lp_frame *f, const char *by, bool ascending);
/* Rows of a then rows of b; same column names in the same order; compatible
 * types (int64 + float64 → float64; category/string → string). */
int lp_frame_concat(lp_frame **out, const lp_frame *a, const lp_frame *b);

typedef enum lp_join_kind { LP_JOIN_INNER, LP_JOIN_LEFT } lp_join_kind;
/* Joins on equal values of column `key` (present in both; missing keys never
 * match). Right-hand columns whose names clash get the suffix "_right".
 * Output rows follow the left frame's order. */
int lp_frame_join(lp_frame **out, const lp_frame *left, const lp_frame *right, const char *key,
                  lp_join_kind kind);
/* 0 when no two rows of f hold the same non-missing value in column `key`;
 * else LP_EINVAL naming the column, both rows (1-based) and the value, with
 * `what` ("the ground truth") saying which data it is. LP_ENOTFOUND for an
 * unknown column. Check both sides before a join that must be one-to-one. */
int lp_frame_key_unique(const lp_frame *f, const char *key, const char *what);

/* Stable SHA-256 of names, types and values (independent of how columns are
 * shared or chunked; a category hashes like the equal string column). */
int lp_frame_hash(const lp_frame *f, uint8_t out[32]);
/* Lower-case hex of lp_frame_hash (65 bytes incl. NUL). */
int lp_frame_hash_hex(const lp_frame *f, char out[65]);

/* ---- statistics (the numbers of pandas' describe(include="all")) ------------ */

typedef struct lp_column_stats {
    size_t count; /* non-missing values */
    size_t missing;
    size_t distinct;                /* distinct non-missing values */
    bool numeric;                   /* float64, int64 (bool and timestamp: not numeric) */
    double mean, std;               /* std: sample (ddof = 1); NaN when count < 2 */
    double min, q25, q50, q75, max; /* linear interpolation, as numpy's default */
    char *top;   /* most frequent value as text (non-numeric; ties: first seen), or NULL */
    size_t freq; /* its count */
} lp_column_stats;
int lp_column_stats_compute(lp_column_stats *out, const lp_column *col);
void lp_column_stats_free(lp_column_stats *s);

/* ---- conversion for model trainers ------------------------------------------ */

/* Row-major rows × cols doubles (malloc'ed, caller frees): numbers as they
 * are, bool as 0/1, timestamp as seconds, category as its code, missing as
 * NaN. A string column is an error naming it (encode it first). */
int lp_frame_to_matrix(double **out, const lp_frame *f);

/* ---- frames as values ------------------------------------------------------- */

extern const lp_handle_type lp_frame_handle_type;
/* A handle value holding a new reference to f (NULL on OOM). */
lp_value *lp_value_frame(lp_frame *f);
/* The frame inside a handle value (borrowed), or NULL when v is not a frame. */
lp_frame *lp_value_as_frame(const lp_value *v);

#ifdef __cplusplus
}
#endif
#endif
