/*
 * forecast_cv.c — rolling-origin cross-validation (forecast_cv.h).
 */
#include "ml/forecast_cv.h"

#include <math.h>
#include <stdlib.h>

#include "lolpop/error.h"
#include "ml/ets.h"

void lp_fc_cv_result_free(lp_fc_cv_result *r)
{
    free(r->mae);
    free(r->rmse);
    free(r->mase);
    *r = (lp_fc_cv_result){0};
}

/* The mean absolute seasonal (lag m) difference of y[0..n); 0 when none. */
static double scale_of(const double *y, size_t n, size_t m)
{
    double s = 0.0;
    size_t k = 0;
    for (size_t t = m; t < n; t++) {
        double d = y[t] - y[t - m];
        if (isfinite(d)) s += fabs(d), k++;
    }
    return k ? s / (double)k : 0.0;
}

int lp_fc_cv_run(lp_fc_cv_result *out, const double *y, size_t n, size_t m, size_t initial,
                 size_t period, size_t horizon, lp_fc_forecaster f, void *ctx)
{
    *out = (lp_fc_cv_result){0};
    if (initial == 0 || period == 0 || horizon == 0)
        return lp_error_set(LP_EINVAL, "cross-validation: cv_initial, cv_period and cv_horizon "
                                       "must be at least 1");
    if (initial + horizon > n)
        return lp_error_set(LP_EINVAL,
                            "cross-validation: cv_initial %zu + cv_horizon %zu exceed the %zu "
                            "values: no origin has a full horizon ahead",
                            initial, horizon, n);
    if (m < 1) m = 1;
    double *fc = malloc(horizon * sizeof *fc);
    out->mae = calloc(horizon, sizeof *out->mae);
    out->rmse = calloc(horizon, sizeof *out->rmse);
    out->mase = calloc(horizon, sizeof *out->mase);
    out->horizon = horizon;
    if (!fc || !out->mae || !out->rmse || !out->mase) {
        free(fc);
        lp_fc_cv_result_free(out);
        return lp_error_set(LP_ENOMEM, "out of memory");
    }
    int rc = 0;
    for (size_t o = initial; o + horizon <= n && rc == 0; o += period) {
        rc = f(ctx, y, o, m, horizon, fc);
        if (rc) {
            lp_error_prefix("cross-validation fold at origin %zu", o);
            break;
        }
        double scale = scale_of(y, o, o > m ? m : 1);
        for (size_t j = 0; j < horizon; j++) {
            double e = fabs(y[o + j] - fc[j]);
            out->mae[j] += e;
            out->rmse[j] += e * e;
            out->mase[j] += scale > 0 ? e / scale : INFINITY;
        }
        out->n_folds++;
    }
    free(fc);
    if (rc) {
        lp_fc_cv_result_free(out);
        return rc;
    }
    double k = (double)out->n_folds, total = 0.0;
    for (size_t j = 0; j < horizon; j++) {
        out->mae[j] /= k;
        out->rmse[j] = sqrt(out->rmse[j] / k);
        out->mase[j] /= k;
        total += out->mase[j];
    }
    out->mean_mase = total / (double)horizon;
    return 0;
}

static lp_value *list_of(const double *v, size_t n)
{
    lp_value *l = lp_value_list();
    for (size_t i = 0; l && i < n; i++)
        if (lp_list_append(l, lp_value_float(v[i])) != 0) {
            lp_value_unref(l);
            return NULL;
        }
    return l;
}

lp_value *lp_fc_cv_result_value(const lp_fc_cv_result *r)
{
    lp_value *map = lp_value_map();
    if (!map) return NULL;
    int rc = lp_map_set(map, "folds", lp_value_int((int64_t)r->n_folds));
    if (rc == 0) rc = lp_map_set(map, "horizon", lp_value_int((int64_t)r->horizon));
    if (rc == 0) rc = lp_map_set(map, "mean_mase", lp_value_float(r->mean_mase));
    if (rc == 0) rc = lp_map_set(map, "mae", list_of(r->mae, r->horizon));
    if (rc == 0) rc = lp_map_set(map, "rmse", list_of(r->rmse, r->horizon));
    if (rc == 0) rc = lp_map_set(map, "mase", list_of(r->mase, r->horizon));
    if (rc) {
        lp_value_unref(map);
        return NULL;
    }
    return map;
}

int lp_fc_cv_ets(void *ctx, const double *y, size_t n, size_t m, size_t h, double *out)
{
    lp_ets *e = NULL;
    int rc = lp_ets_fit(&e, y, n, m, ctx ? (const char *)ctx : "ZZZ");
    if (rc == 0) rc = lp_ets_forecast(e, h, 0.8, out, NULL, NULL);
    lp_ets_free(e);
    return rc;
}
