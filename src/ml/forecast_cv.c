/*
 * forecast_cv.c — rolling-origin cross-validation (forecast_cv.h).
 */
#include "ml/forecast_cv.h"

#include <math.h>
#include <stdlib.h>

#include "lolpop/error.h"
#include "ml/ets.h"
#include "ml/ml_parallel.h"

void lp_fc_cv_result_free(lp_fc_cv_result *r)
{
    free(r->mae);
    free(r->rmse);
    free(r->mase);
    free(r->smape);
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

static int check_folds(size_t n, size_t initial, size_t period, size_t horizon)
{
    if (initial == 0 || period == 0 || horizon == 0)
        return lp_error_set(LP_EINVAL, "cross-validation: cv_initial, cv_period and cv_horizon "
                                       "must be at least 1");
    if (initial + horizon > n)
        return lp_error_set(LP_EINVAL,
                            "cross-validation: cv_initial %zu leaves no fold with a full %zu-step "
                            "horizon in %zu points (at most %zu)",
                            initial, horizon, n, n > horizon ? n - horizon : 0);
    return 0;
}

/* Per-step sums of one fold's errors (count[j]: steps with a finite actual). */
static void add_fold(lp_fc_cv_result *out, size_t *count, const double *actual, const double *fc,
                     double scale)
{
    for (size_t j = 0; j < out->horizon; j++) {
        if (!isfinite(actual[j])) continue;
        double e = fabs(actual[j] - fc[j]), den = fabs(actual[j]) + fabs(fc[j]);
        out->mae[j] += e;
        out->rmse[j] += e * e;
        out->mase[j] += scale > 0 ? e / scale : INFINITY;
        out->smape[j] += den > 0 ? 2.0 * e / den : 0.0;
        count[j]++;
    }
}

/* Sums to means; the overall means over the steps that have any. */
static void finish(lp_fc_cv_result *out, const size_t *count)
{
    double tm = 0.0, ts = 0.0;
    size_t k = 0;
    for (size_t j = 0; j < out->horizon; j++) {
        double c = (double)count[j];
        if (count[j] == 0) {
            out->mae[j] = out->rmse[j] = out->mase[j] = out->smape[j] = NAN;
            continue;
        }
        out->mae[j] /= c;
        out->rmse[j] = sqrt(out->rmse[j] / c);
        out->mase[j] /= c;
        out->smape[j] /= c;
        tm += out->mase[j];
        ts += out->smape[j];
        k++;
    }
    out->mean_mase = k ? tm / (double)k : NAN;
    out->mean_smape = k ? ts / (double)k : NAN;
}

/* The folds of one run, forecast in parallel: fold k (origin initial + k *
 * period) writes fc[k * horizon ..] and errors[k] only. */
typedef struct folds {
    const double *y;
    size_t m, initial, period, horizon, count;
    lp_fc_forecaster f;
    void *ctx;
    double *fc;
    lp_ml_task_error *errors;
} folds;

static void run_fold(void *ctx, size_t k)
{
    folds *fo = ctx;
    size_t o = fo->initial + k * fo->period;
    int rc = fo->f(fo->ctx, fo->y, o, fo->m, fo->horizon, fo->fc + k * fo->horizon);
    if (rc) lp_ml_task_error_keep(&fo->errors[k], rc);
}

int lp_fc_cv_run(lp_fc_cv_result *out, const double *y, size_t n, size_t m, size_t initial,
                 size_t period, size_t horizon, lp_fc_forecaster f, void *ctx)
{
    *out = (lp_fc_cv_result){0};
    int rc = check_folds(n, initial, period, horizon);
    if (rc) return rc;
    if (m < 1) m = 1;
    double *fc = malloc(horizon * sizeof *fc);
    size_t *count = calloc(horizon, sizeof *count);
    out->mae = calloc(horizon, sizeof *out->mae);
    out->rmse = calloc(horizon, sizeof *out->rmse);
    out->mase = calloc(horizon, sizeof *out->mase);
    out->smape = calloc(horizon, sizeof *out->smape);
    out->horizon = horizon;
    out->initial = initial;
    out->period = period;
    out->season = m;
    if (!fc || !count || !out->mae || !out->rmse || !out->mase || !out->smape) {
        free(fc);
        free(count);
        lp_fc_cv_result_free(out);
        return lp_error_set(LP_ENOMEM, "out of memory");
    }
    folds fo = {.y = y,
                .m = m,
                .initial = initial,
                .period = period,
                .horizon = horizon,
                .f = f,
                .ctx = ctx};
    fo.count = (n - initial - horizon) / period + 1;
    fo.fc = malloc(fo.count * horizon * sizeof *fo.fc);
    fo.errors = calloc(fo.count, sizeof *fo.errors);
    if (!fo.fc || !fo.errors) rc = lp_error_set(LP_ENOMEM, "out of memory");
    if (rc == 0) lp_ml_parallel(fo.count, run_fold, &fo);
    for (size_t k = 0; rc == 0 && k < fo.count; k++) { /* in origin order */
        size_t o = initial + k * period;
        if (fo.errors[k].code) {
            rc = lp_ml_task_error_raise(&fo.errors[k]);
            lp_error_prefix("cross-validation fold at origin %zu", o);
            break;
        }
        add_fold(out, count, y + o, fo.fc + k * horizon, scale_of(y, o, o > m ? m : 1));
        out->n_folds++;
    }
    free(fo.fc);
    free(fo.errors);
    if (rc == 0) finish(out, count);
    free(fc);
    free(count);
    if (rc) lp_fc_cv_result_free(out);
    return rc;
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
    if (rc == 0) rc = lp_map_set(map, "initial", lp_value_int((int64_t)r->initial));
    if (rc == 0) rc = lp_map_set(map, "period", lp_value_int((int64_t)r->period));
    if (rc == 0) rc = lp_map_set(map, "season", lp_value_int((int64_t)r->season));
    if (rc == 0) rc = lp_map_set(map, "mean_mase", lp_value_float(r->mean_mase));
    if (rc == 0) rc = lp_map_set(map, "mean_smape", lp_value_float(r->mean_smape));
    if (rc == 0) rc = lp_map_set(map, "mae", list_of(r->mae, r->horizon));
    if (rc == 0) rc = lp_map_set(map, "rmse", list_of(r->rmse, r->horizon));
    if (rc == 0) rc = lp_map_set(map, "mase", list_of(r->mase, r->horizon));
    if (rc == 0) rc = lp_map_set(map, "smape", list_of(r->smape, r->horizon));
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
