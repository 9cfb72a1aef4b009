/*
 * fit_memo.h — fits computed ahead, on threads, and handed to the caller
 * that asks for the same fit later (internal).
 *
 * TimeSeriesRunner fits the series of a file in parallel this way without
 * making the train pipeline thread-safe: it makes a memo the current one of
 * its thread, lets the trainer compute every series' fits on threads with the
 * memo filling, then runs the pipeline over the series one after the other
 * (versions, logs and files in series order) with the memo consuming: a fit
 * of the same back-end, data (lp_frame_hash of X and y), params and extra
 * text is taken from the memo instead of being computed again. A fit is
 * deterministic, so the model is the one the pipeline would have computed:
 * results do not depend on the memo or the number of threads.
 *
 * The current memo is thread-local; lp_ml_parallel gives its workers the
 * calling thread's. Without a current memo lp_fit_memo_fit just fits.
 */
#ifndef LP_ML_FIT_MEMO_H
#define LP_ML_FIT_MEMO_H

#include <stdbool.h>
#include <stddef.h>

#include "lolpop/frame.h"
#include "lolpop/model.h"
#include "lolpop/value.h"

typedef struct lp_fit_memo lp_fit_memo;

/* A new, empty memo in consuming mode (NULL with the error set on OOM). */
lp_fit_memo *lp_fit_memo_new(void);
/* Frees m and the models it still holds (m must be no thread's current). */
void lp_fit_memo_free(lp_fit_memo *m);

/* Makes m (borrowed, or NULL for none) the calling thread's current memo;
 * returns the previous one. */
lp_fit_memo *lp_fit_memo_use(lp_fit_memo *m);
/* The calling thread's current memo (borrowed) or NULL. */
lp_fit_memo *lp_fit_memo_current(void);

/* filling: fits are computed and kept (the parallel pass); else a kept fit
 * is handed over (and forgotten) to the first caller asking for it. */
void lp_fit_memo_set_filling(lp_fit_memo *m, bool filling);

/* While consuming: fits found ready (*hits) and fits computed (*misses). */
void lp_fit_memo_counts(lp_fit_memo *m, size_t *hits, size_t *misses);

/* Computes one fit: *out a new model, report (may be NULL) filled. */
typedef int (*lp_fit_memo_fn)(lp_model **out, void *report, void *ctx);

/* fit(out, report, ctx) through the current memo: the kept model (new
 * reference for the caller) and report_size bytes of report when the same
 * backend, X, y, params (lp_value_equal, NULL allowed) and extra (NULL
 * allowed) were fitted ahead; else computed (and kept when filling). All
 * arguments borrowed. */
int lp_fit_memo_fit(lp_model **out, void *report, size_t report_size, const char *backend,
                    const lp_frame *X, const lp_frame *y, const lp_value *params, const char *extra,
                    lp_fit_memo_fn fit, void *ctx);

#endif
