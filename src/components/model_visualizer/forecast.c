/*
 * forecast.c — time-series plots: the history and the forecast with its
 * interval band, the forecast's residuals over time, one plot per
 * component (trend, each seasonality) of a decomposition given as a frame,
 * and the cross-validation error by horizon step.
 * Time runs along x as fractional years of the first timestamp column
 * (1958.5 is mid-1958), or as the row number when there is none.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "components/model_visualizer/viz.h"
#include "lolpop/kit.h"

static const lp_column *time_column(const lp_frame *X)
{
    for (size_t j = 0; X && j < lp_frame_cols(X); j++)
        if (lp_frame_col(X, j)->type == LP_DT_TIMESTAMP) return lp_frame_col(X, j);
    return NULL;
}

double lp_viz_time_x(const lp_frame *X, size_t i)
{
    const lp_column *c = time_column(X);
    if (!c) return (double)i;
    if (!lp_column_is_valid(c, i)) return NAN;
    int64_t us = c->data.i64[i];
    time_t secs = (time_t)(us >= 0 ? us / 1000000 : -((-us + 999999) / 1000000));
    struct tm tm;
    if (!gmtime_r(&secs, &tm)) return NAN;
    int year = tm.tm_year + 1900;
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    double day = tm.tm_yday + (tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec) / 86400.0;
    return year + day / (leap ? 366 : 365);
}

static double *time_axis(const lp_frame *X, size_t n)
{
    double *x = malloc((n ? n : 1) * sizeof *x);
    if (!x) {
        lp_error_set(LP_ENOMEM, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        x[i] = lp_viz_time_x(X, i);
    return x;
}

static const char *time_label(const lp_frame *X)
{
    return time_column(X) ? "Time" : "Row";
}

static lp_plot *titled(const char *what, const lp_viz_data *d, const char *ylabel)
{
    char *t = lp_asprintf("%s (%s split)", what, d->split);
    lp_plot *p = t ? lp_plot_new(t, time_label(d->X), ylabel, d->width, d->height) : NULL;
    if (!t) lp_error_set(LP_ENOMEM, "out of memory");
    if (p) p->x_years = time_column(d->X) != NULL;
    free(t);
    return p;
}

/* The history line (training rows), when the training split is at hand. */
static int add_history(lp_plot *p, const lp_viz_data *d)
{
    if (!d->X_train || !d->y_train || lp_frame_cols(d->y_train) != 1) return 0;
    size_t n = lp_frame_rows(d->y_train);
    double *x = time_axis(d->X_train, n),
           *y = x ? lp_column_to_f64(lp_frame_col(d->y_train, 0)) : NULL;
    lp_plot_series *s = y ? lp_plot_add(p, LP_PLOT_LINE, "history", n, x, y, NULL) : NULL;
    if (s) s->color = 7, s->width = 1.5;
    free(x);
    free(y);
    return s ? 0 : LP_ENOMEM;
}

int lp_viz_plot_forecast(lp_plot **out, const char **skip, const lp_viz_data *d)
{
    if (!d->lower) return *skip = "the model gives no prediction intervals", 0;
    const char *target = lp_model_target(d->model);
    lp_plot *p = titled("Forecast", d, target);
    double *x = p ? time_axis(d->X, d->n) : NULL;
    int rc = x ? add_history(p, d) : LP_ENOMEM;
    lp_plot_series *band = NULL, *fc = NULL, *act = NULL;
    if (rc == 0) band = lp_plot_add(p, LP_PLOT_BAND, "interval", d->n, x, d->lower, d->upper);
    if (band) fc = lp_plot_add(p, LP_PLOT_LINE, "forecast", d->n, x, d->y_pred, NULL);
    if (fc) act = lp_plot_add(p, LP_PLOT_LINE, "actual", d->n, x, d->y_true, NULL);
    if (rc == 0 && !act) rc = LP_ENOMEM;
    if (rc == 0) {
        band->color = fc->color = 0, band->alpha = 0.25;
        fc->width = 2, fc->dashed = true;
        act->color = 1, act->width = 1.5;
        p->legend = LP_LEGEND_TOP_LEFT;
    }
    free(x);
    if (rc) {
        lp_plot_free(p);
        return rc;
    }
    *out = p;
    return 0;
}

int lp_viz_plot_forecast_residuals(lp_plot **out, const char **skip, const lp_viz_data *d)
{
    if (!d->lower) return *skip = "the model gives no prediction intervals", 0;
    lp_plot *p = titled("Forecast residuals", d, "Residual (actual - forecast)");
    double *x = p ? time_axis(d->X, d->n) : NULL;
    double *r = x ? malloc((d->n ? d->n : 1) * sizeof *r) : NULL;
    int rc = r ? 0 : lp_error_set(LP_ENOMEM, "out of memory");
    if (rc == 0) {
        for (size_t i = 0; i < d->n; i++)
            r[i] = d->y_true[i] - d->y_pred[i];
        double zx[2] = {d->n ? x[0] : 0, d->n ? x[d->n - 1] : 1}, zy[2] = {0, 0};
        lp_plot_series *z = lp_plot_add(p, LP_PLOT_LINE, NULL, 2, zx, zy, NULL);
        lp_plot_series *l = z ? lp_plot_add(p, LP_PLOT_LINE, NULL, d->n, x, r, NULL) : NULL;
        lp_plot_series *s = l ? lp_plot_add(p, LP_PLOT_SCATTER, NULL, d->n, x, r, NULL) : NULL;
        if (!s)
            rc = LP_ENOMEM;
        else
            z->color = 7, z->dashed = true, z->width = 1, l->color = s->color = 1, l->width = 1;
        p->legend = LP_LEGEND_NONE;
    }
    free(x);
    free(r);
    if (rc) {
        lp_plot_free(p);
        return rc;
    }
    *out = p;
    return 0;
}

/* One component's plot: column j of frame c against c's time (or row). */
static lp_plot *component_plot(const lp_viz_data *d, const lp_frame *c, size_t j)
{
    const char *name = lp_frame_name(c, j);
    size_t n = lp_frame_rows(c);
    char *t = lp_asprintf("Component: %s", name);
    lp_plot *p = t ? lp_plot_new(t, time_label(c), name, d->width, d->height / 2 + 80) : NULL;
    free(t);
    double *x = p ? time_axis(c, n) : NULL, *y = x ? malloc((n ? n : 1) * sizeof *y) : NULL;
    lp_plot_series *s = NULL;
    if (y) {
        for (size_t i = 0; i < n; i++)
            y[i] = lp_column_get_f64(lp_frame_col(c, j), i);
        s = lp_plot_add(p, LP_PLOT_LINE, NULL, n, x, y, NULL);
    }
    free(x);
    free(y);
    if (!s) {
        lp_plot_free(p);
        lp_error_set(LP_ENOMEM, "out of memory");
        return NULL;
    }
    p->legend = LP_LEGEND_NONE;
    p->x_years = time_column(c) != NULL;
    return p;
}

int lp_viz_plot_components(lp_plot ***out, size_t *n, const lp_viz_data *d)
{
    *out = NULL, *n = 0;
    const lp_value *v = lp_kit_arg_opt(d->args, "components");
    if (lp_value_type(v) == LP_NULL) v = NULL;
    if (!v && !d->components) return 0;
    const lp_frame *c = v ? lp_value_as_frame(v) : d->components;
    if (!c)
        return lp_error_set(LP_EINVAL, "generate_viz: argument 'components' must be a data frame "
                                       "(a time column and one column per component)");
    lp_plot **plots = calloc(lp_frame_cols(c) + 1, sizeof *plots);
    if (!plots) return lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t j = 0; j < lp_frame_cols(c); j++) {
        lp_dtype t = lp_frame_col(c, j)->type;
        if (t != LP_DT_FLOAT64 && t != LP_DT_INT64) continue;
        if (!(plots[*n] = component_plot(d, c, j))) {
            for (size_t i = 0; i < *n; i++)
                lp_plot_free(plots[i]);
            free(plots);
            *n = 0;
            return LP_ENOMEM;
        }
        (*n)++;
    }
    *out = plots;
    return 0;
}

/* A list value's items as doubles (new array of lp_list_len items). */
static double *list_values(const lp_value *l, size_t n)
{
    double *v = malloc((n ? n : 1) * sizeof *v);
    for (size_t i = 0; v && i < n; i++)
        v[i] = lp_value_as_float(lp_list_get(l, i));
    if (!v) lp_error_set(LP_ENOMEM, "out of memory");
    return v;
}

int lp_viz_plot_cv_error(lp_plot **out, const char **skip, const lp_viz_data *d)
{
    if (!d->cv) return *skip = "no cross-validation (set cv_initial, cv_period, cv_horizon)", 0;
    const lp_value *mae = lp_map_get(d->cv, "mae"), *rmse = lp_map_get(d->cv, "rmse");
    size_t h = lp_list_len(mae);
    if (h == 0 || lp_list_len(rmse) != h)
        return lp_error_set(LP_EINVAL, "the cross-validation result has no per-step mae and rmse");
    char *t = lp_asprintf("Cross-validation error by horizon (%lld folds, mean MASE %.3f)",
                          (long long)lp_value_as_int(lp_map_get(d->cv, "folds")),
                          lp_value_as_float(lp_map_get(d->cv, "mean_mase")));
    const char *target = lp_model_target(d->model);
    char *yl = t ? lp_asprintf("Error (%s)", target ? target : "target units") : NULL;
    lp_plot *p = yl ? lp_plot_new(t, "Steps ahead", yl, d->width, d->height) : NULL;
    free(t);
    free(yl);
    double *x = p ? malloc(h * sizeof *x) : NULL;
    double *a = x ? list_values(mae, h) : NULL, *r = a ? list_values(rmse, h) : NULL;
    int rc = r ? 0 : lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t j = 0; rc == 0 && j < h; j++)
        x[j] = (double)(j + 1);
    const char *labels[] = {"MAE", "RMSE"};
    double *ys[] = {a, r};
    for (int k = 0; rc == 0 && k < 2; k++) {
        lp_plot_series *l = lp_plot_add(p, LP_PLOT_LINE, labels[k], h, x, ys[k], NULL);
        lp_plot_series *m = l ? lp_plot_add(p, LP_PLOT_SCATTER, NULL, h, x, ys[k], NULL) : NULL;
        if (!m)
            rc = lp_error_set(LP_ENOMEM, "out of memory");
        else
            l->color = m->color = k, l->width = 2, m->width = 3.5;
    }
    if (rc == 0) p->ymin = 0, p->legend = LP_LEGEND_TOP_LEFT;
    free(x);
    free(a);
    free(r);
    if (rc) {
        lp_plot_free(p);
        return rc;
    }
    *out = p;
    return 0;
}

/* The in-sample residuals y_train - fitted of the model over the history
 * (new array of *n values; NULL with *n 0 when there is no history). */
static int history_residuals(double **out, size_t *n, const lp_viz_data *d)
{
    *out = NULL, *n = 0;
    if (!d->X_train || !d->y_train || lp_frame_cols(d->y_train) != 1) return 0;
    lp_frame *p = NULL;
    int rc = lp_model_predict(&p, d->model, d->X_train);
    const lp_column *pc = rc == 0 ? lp_frame_col_by_name(p, "prediction") : NULL;
    size_t rows = lp_frame_rows(d->y_train);
    double *y = pc ? lp_column_to_f64(lp_frame_col(d->y_train, 0)) : NULL;
    if (rc == 0 && pc && y && lp_frame_rows(p) == rows) {
        for (size_t i = 0; i < rows; i++) /* a gap (NaN) stays out below */
            y[i] -= lp_column_get_f64(pc, i);
        *out = y, *n = rows, y = NULL;
    } else if (rc == 0) {
        rc = lp_error_set(LP_EINVAL, "the model's fitted values do not match the history");
    }
    free(y);
    if (p) lp_frame_unref(p);
    return rc;
}

/* The autocorrelation of the finite values of e at lags 1..lags into acf
 * (Box–Jenkins' estimator, as R's acf: the lag-k sum over n, not n - k). */
static void autocorrelation(double *acf, const double *e, size_t n, size_t lags)
{
    double mean = 0.0, den = 0.0;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(e[i])) mean += e[i], k++;
    mean = k ? mean / (double)k : 0.0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(e[i])) den += (e[i] - mean) * (e[i] - mean);
    for (size_t lag = 1; lag <= lags; lag++) {
        double num = 0.0;
        for (size_t t = lag; t < n; t++)
            if (isfinite(e[t]) && isfinite(e[t - lag])) num += (e[t] - mean) * (e[t - lag] - mean);
        acf[lag - 1] = den > 0 ? num / den : 0.0;
    }
}

/* One bar from 0 to v at x (a band 0.5 wide) and the ±bound reference lines. */
static int acf_bars(lp_plot *p, const double *acf, size_t lags, double bound)
{
    for (size_t lag = 1; lag <= lags; lag++) {
        double x[2] = {(double)lag - 0.25, (double)lag + 0.25}, lo[2] = {0, 0};
        double hi[2] = {acf[lag - 1], acf[lag - 1]};
        lp_plot_series *b =
            lp_plot_add(p, LP_PLOT_BAND, lag == 1 ? "autocorrelation" : NULL, 2, x, lo, hi);
        if (!b) return LP_ENOMEM;
        b->color = 0, b->alpha = fabs(acf[lag - 1]) > bound ? 0.9 : 0.55;
    }
    double zx[2] = {0.5, (double)lags + 0.5};
    const double levels[3] = {0.0, bound, -bound};
    for (int k = 0; k < 3; k++) {
        double zy[2] = {levels[k], levels[k]};
        lp_plot_series *l = lp_plot_add(p, LP_PLOT_LINE, k == 1 ? "95% bound (white noise)" : NULL,
                                        2, zx, zy, NULL);
        if (!l) return LP_ENOMEM;
        l->color = k ? 1 : 7, l->width = 1, l->dashed = k != 0;
    }
    return 0;
}

int lp_viz_plot_residual_acf(lp_plot **out, const char **skip, const lp_viz_data *d)
{
    if (!d->lower) return *skip = "the model is not a forecaster (no prediction intervals)", 0;
    double *e = NULL;
    size_t n = 0;
    int rc = history_residuals(&e, &n, d);
    if (rc == 0 && n < 8) {
        free(e);
        return *skip = "fewer than 8 points of history to correlate residuals over", 0;
    }
    /* about R's default (10 log10 n), at least two years of months, at most n / 2 */
    size_t lags = (size_t)(10 * log10((double)n));
    if (lags < 24) lags = 24;
    if (lags > n / 2) lags = n / 2;
    double *acf = rc == 0 ? malloc(lags * sizeof *acf) : NULL;
    if (rc == 0 && !acf) rc = lp_error_set(LP_ENOMEM, "out of memory");
    lp_plot *p = NULL;
    if (rc == 0) {
        autocorrelation(acf, e, n, lags);
        char *t = lp_asprintf("Autocorrelation of the in-sample residuals (%zu points)", n);
        p = t ? lp_plot_new(t, "Lag (periods)", "Autocorrelation", d->width, d->height) : NULL;
        free(t);
        rc = p ? acf_bars(p, acf, lags, 1.96 / sqrt((double)n)) : LP_ENOMEM;
        if (rc) lp_error_set(LP_ENOMEM, "out of memory");
    }
    if (rc == 0)
        p->ymin = -1, p->ymax = 1, p->xmin = 0, p->xmax = (double)lags + 1,
        p->legend = LP_LEGEND_TOP_RIGHT;
    free(e);
    free(acf);
    if (rc) {
        lp_plot_free(p);
        return rc;
    }
    *out = p;
    return 0;
}
