/*
 * ets_train.c — from frames to an "ets" model (ets_backend.h): the time
 * stamp feature gives the grid (forecast_frequency, or inferred), the
 * target's values are placed on it, and the longest run without gaps is
 * fitted (as forecast::ets's na.contiguous); seasonal_period defaults to the
 * frequency's usual season.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/time_freq.h"
#include "lolpop/error.h"
#include "lolpop/value.h"
#include "ml/ets.h"
#include "ml/ets_backend.h"
#include "ml/ets_train.h"
#include "ml/fit_memo.h"

const char *const lp_ets_param_names[] = {"model", "forecast_frequency", "seasonal_period", NULL};

int lp_ets_param_check(const char *name, const lp_value *value)
{
    const char *text = lp_value_as_string(value);
    if (strcmp(name, "seasonal_period") == 0) {
        if (lp_value_type(value) != LP_INT || lp_value_as_int(value) < 1 ||
            lp_value_as_int(value) > 1000)
            return lp_error_set(LP_EINVAL, "ets: seasonal_period must be an integer between 1 "
                                           "and 1000");
        return 0;
    }
    if (!text)
        return lp_error_set(LP_EINVAL, "ets: %s must be text (%s)", name,
                            strcmp(name, "model") == 0 ? "ANN, AAdN, MAM, ZZZ, ..."
                                                       : "a frequency alias: D, W, MS, H, ...");
    if (strcmp(name, "model") == 0) {
        char error, trend, season;
        int damped;
        return lp_ets_parse(text, &error, &trend, &season, &damped);
    }
    lp_freq_unit f;
    return strcmp(name, "forecast_frequency") == 0 ? lp_freq_parse(&f, text) : 0;
}

static int find_time(size_t *out, const lp_frame *X)
{
    for (size_t j = 0; j < lp_frame_cols(X); j++)
        if (lp_frame_col(X, j)->type == LP_DT_TIMESTAMP) {
            *out = j;
            return 0;
        }
    return lp_error_set(LP_EINVAL,
                        "ets: no time stamp feature among the %zu features: the time index "
                        "must be a timestamp column (ISO dates in a CSV are read as timestamps)",
                        lp_frame_cols(X));
}

typedef struct row {
    int64_t t;
    double y;
} row;

static int by_time(const void *a, const void *b)
{
    int64_t x = ((const row *)a)->t, y = ((const row *)b)->t;
    return (x > y) - (x < y);
}

/* The frequency from params or the data. */
static int frequency(lp_freq_unit *f, lp_freq_report *rep, const lp_value *params,
                     const int64_t *ts, size_t n)
{
    const char *alias = lp_value_as_string(lp_map_get(params, "forecast_frequency"));
    if (!alias) return lp_freq_infer(f, rep, ts, n);
    int rc = lp_freq_parse(f, alias);
    return rc ? rc : lp_freq_check(rep, *f, ts, n);
}

static int ets_train_fresh(lp_model **out, lp_ets_train_report *report, const lp_frame *X,
                           const lp_frame *y, const lp_value *params)
{
    memset(report, 0, sizeof *report);
    size_t tj = 0, n = lp_frame_rows(X);
    int rc = find_time(&tj, X);
    if (rc) return rc;
    if (lp_frame_cols(y) != 1 || lp_frame_rows(y) != n)
        return lp_error_set(LP_EINVAL, "ets: the target must be one column of %zu rows", n);
    const lp_column *tc = lp_frame_col(X, tj), *yc = lp_frame_col(y, 0);
    row *rows = malloc((n ? n : 1) * sizeof *rows);
    int64_t *ts = malloc((n ? n : 1) * sizeof *ts);
    double *grid = NULL;
    lp_ets *fit = NULL;
    if (!rows || !ts) {
        rc = lp_error_set(LP_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        if (!lp_column_is_valid(tc, i)) {
            rc = lp_error_set(LP_EINVAL, "ets: time index '%s' is empty in row %zu",
                              lp_frame_name(X, tj), i + 1);
            goto done;
        }
        rows[i] = (row){tc->data.i64[i], lp_column_get_f64(yc, i)};
    }
    qsort(rows, n, sizeof *rows, by_time);
    for (size_t i = 0; i < n; i++)
        ts[i] = rows[i].t;
    lp_freq_unit f;
    lp_freq_report fr;
    rc = frequency(&f, &fr, params, ts, n);
    if (rc) goto done;
    report->n_missing_periods = fr.n_missing;
    report->first_missing = fr.first_missing;
    grid = malloc(fr.n_periods * sizeof *grid);
    if (!grid) {
        rc = lp_error_set(LP_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < fr.n_periods; i++)
        grid[i] = NAN;
    for (size_t i = 0; i < n; i++) {
        int64_t k = 0;
        lp_freq_steps(f, ts[0], ts[i], &k);
        grid[k] = rows[i].y;
    }
    /* the longest run of values (the first of equal runs is kept... as
     * na.contiguous keeps the first longest) */
    size_t best_start = 0, best_len = 0, start = 0;
    for (size_t i = 0; i <= fr.n_periods; i++) {
        if (i < fr.n_periods && isfinite(grid[i])) continue;
        if (i - start > best_len) best_start = start, best_len = i - start;
        start = i + 1;
    }
    report->n_used = best_len;
    report->n_periods = fr.n_periods;
    const lp_value *pv = lp_map_get(params, "seasonal_period");
    size_t m = pv ? (size_t)lp_value_as_int(pv) : lp_freq_season(f);
    if (pv && (lp_value_as_int(pv) < 1 || lp_value_as_int(pv) > 1000)) {
        rc = lp_error_set(LP_EINVAL, "ets: seasonal_period must be between 1 and 1000");
        goto done;
    }
    const char *model = lp_value_as_string(lp_map_get(params, "model"));
    if (!model) model = "ZZZ";
    rc = lp_ets_fit(&fit, grid + best_start, best_len, m, model);
    if (rc) goto done;
    int64_t first = lp_freq_add(f, ts[0], (int64_t)best_start);
    int64_t last = lp_freq_add(f, ts[0], (int64_t)(best_start + best_len - 1));
    lp_ets_state *st = NULL;
    lp_ets *kept = fit;
    fit = NULL;
    rc = lp_ets_state_new(&st, kept, f, first, last);
    if (rc) goto done;
    lp_model *mdl = lp_model_new(&lp_ets_ops, st, LP_MODEL_REGRESSION, lp_frame_name(y, 0),
                                 yc->type == LP_DT_INT64 ? LP_DT_FLOAT64 : yc->type);
    if (!mdl) {
        rc = lp_error_set(LP_ENOMEM, "out of memory");
        goto done;
    }
    char name[32];
    lp_ets_name(&kept->spec, name, sizeof name);
    lp_value *p = lp_value_map();
    rc = lp_model_add_feature(mdl, lp_frame_name(X, tj), LP_DT_TIMESTAMP);
    if (rc == 0 && !p) rc = lp_error_set(LP_ENOMEM, "out of memory");
    if (rc == 0) rc = lp_map_set(p, "model", lp_value_string(name));
    if (rc == 0) rc = lp_map_set(p, "forecast_frequency", lp_value_string(lp_freq_name(f)));
    if (rc == 0) rc = lp_map_set(p, "seasonal_period", lp_value_int((int64_t)kept->m));
    if (rc == 0) rc = lp_map_set(p, "alpha", lp_value_float(kept->alpha));
    if (rc == 0 && kept->spec.trend) rc = lp_map_set(p, "beta", lp_value_float(kept->beta));
    if (rc == 0 && kept->spec.season) rc = lp_map_set(p, "gamma", lp_value_float(kept->gamma));
    if (rc == 0 && kept->spec.damped) rc = lp_map_set(p, "phi", lp_value_float(kept->phi));
    if (rc == 0) rc = lp_map_set(p, "aicc", lp_value_float(kept->aicc));
    if (rc == 0) {
        rc = lp_model_set_params(mdl, p);
        p = NULL;
    }
    lp_value_unref(p);
    if (rc) {
        lp_model_unref(mdl);
        goto done;
    }
    snprintf(report->model, sizeof report->model, "%s", name);
    report->freq = f;
    *out = mdl;
done:
    lp_ets_free(fit);
    free(rows);
    free(ts);
    free(grid);
    return rc;
}

typedef struct fit_args {
    const lp_frame *X, *y;
    const lp_value *params;
} fit_args;

static int fit_fresh(lp_model **out, void *report, void *ctx)
{
    const fit_args *a = ctx;
    return ets_train_fresh(out, report, a->X, a->y, a->params);
}

int lp_ets_train(lp_model **out, lp_ets_train_report *report, const lp_frame *X, const lp_frame *y,
                 const lp_value *params)
{
    fit_args a = {X, y, params};
    return lp_fit_memo_fit(out, report, sizeof *report, "ets", X, y, params, NULL, fit_fresh, &a);
}
