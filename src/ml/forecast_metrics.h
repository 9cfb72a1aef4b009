/*
 * forecast_metrics.h — accuracy of forecasts and the naive baselines they
 * are judged against (internal; the forecasting trainers' runner uses it).
 *
 * Metrics: any regression metric of lolpop/metrics.h's table, with mase
 * (mean absolute error scaled by the in-sample mean absolute seasonal
 * difference of the training series, as R's forecast::accuracy) and coverage
 * (the share of actual values inside [lower, upper]) computed here from the
 * extra inputs they need.
 *
 * Baselines (Hyndman & Athanasopoulos, FPP ch. 5.2): naive (the last
 * value), seasonal naive (the value one season earlier), drift (the line
 * from the first to the last value, extended).
 */
#ifndef LP_ML_FORECAST_METRICS_H
#define LP_ML_FORECAST_METRICS_H

#include <stdbool.h>
#include <stddef.h>

#include "lolpop/metrics.h"
#include "lolpop/value.h"

/* What the metrics are computed from (all borrowed). */
typedef struct lp_fc_inputs {
    const double *y_true, *y_pred; /* n actual and forecast values */
    size_t n;
    const double *lower, *upper; /* n interval bounds, or NULL (coverage then fails) */
    const double *y_train;       /* the training series, for mase */
    size_t n_train;
    size_t m; /* seasonal period for mase's scale (1: naive differences) */
} lp_fc_inputs;

/* One regression metric m (lolpop/metrics.h's table) into *out. LP_EINVAL
 * naming the metric for empty or non-finite inputs, coverage without bounds,
 * mase with a training series too short for its period or with no change at
 * all (scale 0), a classification metric. */
int lp_fc_metric_compute(double *out, const lp_metric_info *m, const lp_fc_inputs *in);
/* lp_fc_metric_compute of the metric named `name` (LP_ENOTFOUND when unknown). */
int lp_fc_metric_named(double *out, const char *name, const lp_fc_inputs *in);

typedef enum lp_fc_baseline {
    LP_FC_NAIVE,
    LP_FC_SEASONAL_NAIVE,
    LP_FC_DRIFT,
    LP_FC_BASELINE_COUNT_
} lp_fc_baseline;

/* "naive", "seasonal_naive", "drift" (static). */
const char *lp_fc_baseline_name(lp_fc_baseline b);
/* h forecasts of baseline b from y_train[0..n) (season m; seasonal naive with
 * m <= 1 or m > n is the naive forecast) into out[h]. LP_EINVAL when n == 0
 * or the last value is not finite. */
int lp_fc_baseline_forecast(double *out, lp_fc_baseline b, const double *y_train, size_t n,
                            size_t m, size_t h);

/* The baseline comparison of a forecast: a map
 *   {model: {mase, smape, mae, rmse}, naive: {...}, seasonal_naive: {...},
 *    drift: {...}, beats_seasonal_naive: bool}
 * for actual y_true[h] and the model's y_pred[h] after training y_train[n]
 * with season m. *out: new map. *beats: the model's MASE is below seasonal
 * naive's. */
int lp_fc_baseline_compare(lp_value **out, bool *beats, const double *y_train, size_t n, size_t m,
                           const double *y_true, const double *y_pred, size_t h);

#endif
