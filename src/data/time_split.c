/*
 * time_split.c — time-ordered train/validation split (time_split.h).
 */
#include "data/time_split.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "data/time_freq.h"
#include "lolpop/error.h"

typedef struct keyed {
    int64_t t;
    size_t row;
} keyed;

/* By time, then by row: stable. */
static int by_time(const void *a, const void *b)
{
    const keyed *x = a, *y = b;
    if (x->t != y->t) return x->t < y->t ? -1 : 1;
    return (x->row > y->row) - (x->row < y->row);
}

int lp_time_split(lp_frame **train, lp_frame **valid, const lp_frame *f, const char *time_index,
                  size_t holdout, double split_ratio)
{
    const lp_column *col = lp_frame_col_by_name(f, time_index);
    if (!col)
        return lp_error_set(LP_EINVAL, "time_index '%s' is not a column of the data",
                            time_index ? time_index : "(null)");
    size_t n = lp_frame_rows(f), n_valid;
    if (holdout > 0) {
        n_valid = holdout;
    } else {
        if (!(split_ratio > 0 && split_ratio < 1))
            return lp_error_set(LP_EINVAL,
                                "split_ratio %g must be between 0 and 1 (the training share)",
                                split_ratio);
        n_valid = n - (size_t)llround(split_ratio * (double)n);
        if (n_valid == 0) n_valid = 1;
    }
    if (n_valid >= n)
        return lp_error_set(LP_EINVAL,
                            "holding out the last %zu of %zu rows leaves nothing to train on",
                            n_valid, n);
    int64_t *ts = NULL;
    int rc = lp_time_index_read(&ts, col, time_index);
    if (rc) return rc;
    keyed *k = malloc(n * sizeof *k);
    size_t *rows = malloc(n * sizeof *rows);
    if (!k || !rows) {
        free(ts), free(k), free(rows);
        return lp_error_set(LP_ENOMEM, "out of memory splitting %zu rows", n);
    }
    for (size_t i = 0; i < n; i++)
        k[i] = (keyed){ts[i], i};
    qsort(k, n, sizeof *k, by_time);
    for (size_t i = 0; i < n; i++)
        rows[i] = k[i].row;
    lp_frame *tr = NULL, *va = NULL;
    rc = lp_frame_take(&tr, f, rows, n - n_valid);
    if (rc == 0) rc = lp_frame_take(&va, f, rows + (n - n_valid), n_valid);
    free(ts), free(k), free(rows);
    if (rc) {
        lp_frame_unref(tr);
        return rc;
    }
    *train = tr;
    *valid = va;
    return 0;
}
