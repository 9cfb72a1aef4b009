/*
 * forecast_metrics.c — forecast accuracy metrics and naive baselines
 * (forecast_metrics.h). mase and coverage are computed here, the other
 * regression metrics by lolpop/metrics.h.
 */
#include "ml/forecast_metrics.h"

#include <math.h>
#include <stdlib.h>

#include "lolpop/error.h"
#include "lolpop/metrics.h"

static int check_finite(const char *metric, const double *v, size_t n, const char *what)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(v[i]))
            return lp_error_set(LP_EINVAL, "%s: %s value %zu is not finite", metric, what, i + 1);
    return 0;
}

/* The mean absolute seasonal difference of the training series (pairs with
 * a missing value skipped). */
static int mase_scale(double *out, const lp_fc_inputs *in)
{
    size_t m = in->m ? in->m : 1, k = 0;
    double sum = 0.0;
    for (size_t t = m; in->y_train && t < in->n_train; t++) {
        double d = in->y_train[t] - in->y_train[t - m];
        if (!isfinite(d)) continue;
        sum += fabs(d);
        k++;
    }
    if (k == 0)
        return lp_error_set(LP_EINVAL,
                            "mase: the training series (%zu values) is too short for season %zu",
                            in->n_train, m);
    if (sum == 0.0)
        return lp_error_set(LP_EINVAL, "mase: the training series never changes over a season: "
                                       "the scale is 0");
    *out = sum / (double)k;
    return 0;
}

int lp_fc_metric_compute(double *out, const lp_metric_info *m, const lp_fc_inputs *in)
{
    if (m->task != LP_TASK_REGRESSION)
        return lp_error_set(LP_EINVAL, "%s is a classification metric, not a forecast one",
                            m->name);
    if (in->n == 0) return lp_error_set(LP_EINVAL, "%s: no forecasts to score", m->name);
    int rc = check_finite(m->name, in->y_true, in->n, "actual");
    if (rc == 0) rc = check_finite(m->name, in->y_pred, in->n, "forecast");
    if (rc) return rc;
    if (m->id == LP_METRIC_COVERAGE) {
        if (!in->lower || !in->upper)
            return lp_error_set(LP_EINVAL, "coverage: the forecasts have no interval");
        size_t inside = 0;
        for (size_t i = 0; i < in->n; i++)
            inside += in->y_true[i] >= in->lower[i] && in->y_true[i] <= in->upper[i];
        *out = (double)inside / (double)in->n;
        return 0;
    }
    if (m->id == LP_METRIC_MASE) {
        double scale = 0.0, mae = 0.0;
        rc = mase_scale(&scale, in);
        if (rc) return rc;
        for (size_t i = 0; i < in->n; i++)
            mae += fabs(in->y_true[i] - in->y_pred[i]);
        *out = mae / (double)in->n / scale;
        return 0;
    }
    return lp_metric_regression(out, m, in->y_true, in->y_pred, in->n);
}

int lp_fc_metric_named(double *out, const char *name, const lp_fc_inputs *in)
{
    const lp_metric_info *m = NULL;
    int rc = lp_metric_lookup(&m, name);
    return rc ? rc : lp_fc_metric_compute(out, m, in);
}

const char *lp_fc_baseline_name(lp_fc_baseline b)
{
    static const char *names[] = {"naive", "seasonal_naive", "drift"};
    return b < LP_FC_BASELINE_COUNT_ ? names[b] : "?";
}

int lp_fc_baseline_forecast(double *out, lp_fc_baseline b, const double *y_train, size_t n,
                            size_t m, size_t h)
{
    if (n == 0 || !isfinite(y_train[n - 1]))
        return lp_error_set(LP_EINVAL, "%s baseline: the training series %s",
                            lp_fc_baseline_name(b), n == 0 ? "is empty" : "ends in a gap");
    double last = y_train[n - 1];
    double slope = n > 1 && isfinite(y_train[0]) ? (last - y_train[0]) / (double)(n - 1) : 0.0;
    bool seasonal = b == LP_FC_SEASONAL_NAIVE && m > 1 && m <= n;
    for (size_t i = 0; i < h; i++) {
        if (seasonal)
            out[i] = y_train[n - m + i % m];
        else if (b == LP_FC_DRIFT)
            out[i] = last + slope * (double)(i + 1);
        else
            out[i] = last;
    }
    return 0;
}

/* {mase, smape, mae, rmse} of one forecast. */
static int score_map(lp_value **out, const lp_fc_inputs *in, double *mase)
{
    static const char *names[] = {"mase", "smape", "mae", "rmse"};
    lp_value *map = lp_value_map();
    if (!map) return lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        double v = 0.0;
        int rc = lp_fc_metric_named(&v, names[i], in);
        if (rc == 0) rc = lp_map_set(map, names[i], lp_value_float(v));
        if (rc) {
            lp_value_unref(map);
            return rc;
        }
        if (i == 0) *mase = v;
    }
    *out = map;
    return 0;
}

int lp_fc_baseline_compare(lp_value **out, bool *beats, const double *y_train, size_t n, size_t m,
                           const double *y_true, const double *y_pred, size_t h)
{
    lp_value *res = lp_value_map();
    double *fc = malloc((h ? h : 1) * sizeof *fc);
    if (!res || !fc) {
        lp_value_unref(res);
        free(fc);
        return lp_error_set(LP_ENOMEM, "out of memory");
    }
    lp_fc_inputs in = {
        .y_true = y_true, .y_pred = y_pred, .n = h, .y_train = y_train, .n_train = n, .m = m};
    double model_mase = 0.0, snaive_mase = 0.0;
    lp_value *scores = NULL;
    int rc = score_map(&scores, &in, &model_mase);
    if (rc == 0) rc = lp_map_set(res, "model", scores);
    for (int b = 0; rc == 0 && b < LP_FC_BASELINE_COUNT_; b++) {
        rc = lp_fc_baseline_forecast(fc, (lp_fc_baseline)b, y_train, n, m, h);
        in.y_pred = fc;
        double mase = 0.0;
        if (rc == 0) rc = score_map(&scores, &in, &mase);
        if (rc == 0) rc = lp_map_set(res, lp_fc_baseline_name((lp_fc_baseline)b), scores);
        if (b == LP_FC_SEASONAL_NAIVE) snaive_mase = mase;
    }
    free(fc);
    if (rc == 0) {
        *beats = model_mase < snaive_mase;
        rc = lp_map_set(res, "beats_seasonal_naive", lp_value_bool(*beats));
    }
    if (rc) {
        lp_value_unref(res);
        return rc;
    }
    *out = res;
    return 0;
}
