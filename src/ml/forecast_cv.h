/*
 * forecast_cv.h — rolling-origin cross-validation of a forecaster
 * (internal; the score the tuner will compare forecasting trainers by).
 *
 * Origins start after `initial` values and move by `period`; at each origin
 * the forecaster is fitted on everything before it and forecasts `horizon`
 * steps, scored against the values that follow (only origins with a full
 * horizon ahead). Errors are summarised per horizon step (MAE, RMSE, MASE
 * with each fold's own training scale, sMAPE as 2|y-f|/(|y|+|f|)) and
 * overall (mean MASE, mean sMAPE). A missing actual (NaN) is left out of its
 * step's means. The folds run in parallel (ml_parallel.h); the result does
 * not depend on the number of threads.
 */
#ifndef LP_ML_FORECAST_CV_H
#define LP_ML_FORECAST_CV_H

#include <stddef.h>

#include "lolpop/value.h"

/* Fits y[0..n) and writes h point forecasts into out; 0 or an error. Called
 * from several threads at once (one fold each, ml_parallel.h): it must be
 * thread-safe. */
typedef int (*lp_fc_forecaster)(void *ctx, const double *y, size_t n, size_t m, size_t h,
                                double *out);

typedef struct lp_fc_cv_result {
    size_t n_folds, horizon;
    size_t initial, period, season;    /* as run */
    double *mae, *rmse, *mase, *smape; /* per horizon step (horizon values each, malloc'ed) */
    double mean_mase, mean_smape;      /* means of the per-step values */
} lp_fc_cv_result;

/* Runs the cross-validation of f (ctx passed through) on y[0..n) with season
 * m. LP_EINVAL when initial, period or horizon is 0 or no origin has a full
 * horizon ahead ("cv_initial 200 leaves no fold with a full 12-step horizon
 * in 144 points"); the forecaster's error, prefixed with the fold, otherwise.
 * Release with lp_fc_cv_result_free. */
int lp_fc_cv_run(lp_fc_cv_result *out, const double *y, size_t n, size_t m, size_t initial,
                 size_t period, size_t horizon, lp_fc_forecaster f, void *ctx);
void lp_fc_cv_result_free(lp_fc_cv_result *r);
/* The result as a map {folds, horizon, initial, period, season, mean_mase,
 * mean_smape, mae: [...], rmse: [...], mase: [...], smape: [...]} (new
 * reference, NULL on OOM). */
lp_value *lp_fc_cv_result_value(const lp_fc_cv_result *r);

/* An lp_fc_forecaster fitting ETS; ctx is the model text ("ZZZ", "AAdN", ...). */
int lp_fc_cv_ets(void *ctx, const double *y, size_t n, size_t m, size_t h, double *out);

#endif
