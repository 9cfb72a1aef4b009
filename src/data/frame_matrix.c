/*
 * frame_matrix.c — a frame as a dense row-major matrix of doubles, for model
 * trainers: numbers as they are, bool 0/1, timestamp in seconds, category as
 * its code, missing as NaN. Rows are written in tiles so that each column is
 * read sequentially while the output stays in cache.
 */
#include <math.h>
#include <stdlib.h>

#include "core/internal.h"
#include "data/frame_internal.h"

enum { TILE = 512 };

/* Writes rows [lo, hi) of column c into column j of the row-major matrix m. */
static void fill_tile(double *m, size_t ncols, size_t j, const lp_column *c, size_t lo, size_t hi)
{
    double *o = m + lo * ncols + j;
    switch (c->type) {
    case LP_DT_FLOAT64:
        for (size_t i = lo; i < hi; i++, o += ncols)
            *o = c->data.f64[i];
        break;
    case LP_DT_INT64:
        for (size_t i = lo; i < hi; i++, o += ncols)
            *o = (double)c->data.i64[i];
        break;
    case LP_DT_TIMESTAMP:
        for (size_t i = lo; i < hi; i++, o += ncols)
            *o = (double)c->data.i64[i] / 1e6;
        break;
    case LP_DT_BOOL:
        for (size_t i = lo; i < hi; i++, o += ncols)
            *o = c->data.b8[i] ? 1.0 : 0.0;
        break;
    default: /* category */
        for (size_t i = lo; i < hi; i++, o += ncols)
            *o = (double)c->data.cat.codes[i];
        break;
    }
    if (c->validity) {
        o = m + lo * ncols + j;
        for (size_t i = lo; i < hi; i++, o += ncols)
            if (!lp_column_is_valid(c, i)) *o = NAN;
    }
}

LP_API int lp_frame_to_matrix(double **out, const lp_frame *f)
{
    *out = NULL;
    if (!f) return lp_error_set(LP_EINVAL, "to_matrix: no frame");
    for (size_t j = 0; j < f->ncols; j++)
        if (f->cols[j]->type == LP_DT_STRING)
            return lp_error_set(LP_EINVAL,
                                "column '%s' is a string column; encode it (e.g. as a category "
                                "or with a feature transformer) before building a matrix",
                                f->names[j]);
    size_t rows = f->ncols ? f->rows : 0, cols = f->ncols;
    if (cols && rows > SIZE_MAX / sizeof(double) / cols)
        return lp_error_set(LP_ENOMEM, "a %zu × %zu matrix is too large", rows, cols);
    double *m = malloc(rows && cols ? rows * cols * sizeof *m : 1);
    if (!m) return lp_error_set(LP_ENOMEM, "out of memory for a %zu × %zu matrix", rows, cols);
    for (size_t lo = 0; lo < rows; lo += TILE) {
        size_t hi = lo + TILE < rows ? lo + TILE : rows;
        for (size_t j = 0; j < cols; j++)
            fill_tile(m, cols, j, f->cols[j], lo, hi);
    }
    *out = m;
    return 0;
}
