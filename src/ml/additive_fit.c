/*
 * additive_fit.c — lp_additive_train: the history from the frames, Prophet's
 * scaling and changepoints, the design (additive_design.c), the MAP fit
 * (additive_optim.c) and the lp_model around the result.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ml/additive_fit.h"
#include "ml/fit_memo.h"

/* The time column's index in X: the one named, else the only timestamp. */
static int find_time(size_t *out, const lp_frame *X, const char *time_index)
{
    if (time_index) {
        long j = lp_frame_find(X, time_index);
        if (j < 0)
            return lp_error_set(LP_EINVAL, "additive model: the time index '%s' is not a feature",
                                time_index);
        *out = (size_t)j;
        return 0;
    }
    long found = -1;
    for (size_t j = 0; j < lp_frame_cols(X); j++) {
        if (lp_frame_col(X, j)->type != LP_DT_TIMESTAMP) continue;
        if (found >= 0)
            return lp_error_set(LP_EINVAL,
                                "additive model: features '%s' and '%s' are both timestamps; "
                                "set time_index",
                                lp_frame_name(X, (size_t)found), lp_frame_name(X, j));
        found = (long)j;
    }
    if (found < 0)
        return lp_error_set(LP_EINVAL, "additive model: no timestamp feature; set time_index");
    *out = (size_t)found;
    return 0;
}

/* Seconds since the epoch of every row of the time column (cast from text
 * when it is a string column). */
static int time_seconds(double *ds, const lp_column *col, const char *name)
{
    lp_column *ts = NULL;
    if (col->type == LP_DT_STRING || col->type == LP_DT_CATEGORY) {
        int rc = lp_column_cast(&ts, col, LP_DT_TIMESTAMP);
        if (rc)
            return lp_error_set(rc, "additive model: time index '%s': %s", name,
                                lp_error_last()->message);
        col = ts;
    } else if (col->type != LP_DT_TIMESTAMP) {
        return lp_error_set(LP_EINVAL,
                            "additive model: time index '%s' is %s; it must be a timestamp or "
                            "dates as text",
                            name, lp_dtype_name(col->type));
    }
    int rc = 0;
    for (size_t i = 0; i < col->length && rc == 0; i++) {
        if (!lp_column_is_valid(col, i))
            rc = lp_error_set(LP_EINVAL, "additive model: time index '%s' is missing in row %zu",
                              name, i + 1);
        else
            ds[i] = (double)col->data.i64[i] / 1e6;
    }
    lp_column_unref(ts);
    return rc;
}

static bool numeric(lp_dtype t)
{
    return t == LP_DT_FLOAT64 || t == LP_DT_INT64 || t == LP_DT_BOOL;
}

/* Row i's value of a numeric column; NaN when missing. */
static double num_at(const lp_column *c, size_t i)
{
    return lp_column_is_valid(c, i) ? lp_column_get_f64(c, i) : NAN;
}

typedef struct raw {
    size_t rows, nf, tf;
    double *ds, *y, *X; /* all rows, unsorted */
    size_t *order;      /* the kept rows, sorted by time */
    size_t n;
} raw;

typedef struct keyed {
    double ds;
    size_t row;
} keyed;

static int cmp_rows(const void *x, const void *y)
{
    const keyed *a = x, *b = y;
    if (a->ds != b->ds) return a->ds < b->ds ? -1 : 1;
    return (a->row > b->row) - (a->row < b->row); /* stable */
}

/* r->order sorted by time (ties in row order). */
static int sort_rows(raw *r)
{
    keyed *k = malloc((r->n + 1) * sizeof *k);
    if (!k) return lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t i = 0; i < r->n; i++)
        k[i] = (keyed){r->ds[r->order[i]], r->order[i]};
    qsort(k, r->n, sizeof *k, cmp_rows);
    for (size_t i = 0; i < r->n; i++)
        r->order[i] = k[i].row;
    free(k);
    return 0;
}

static int read_frames(raw *r, const lp_frame *X, const lp_frame *y)
{
    r->rows = lp_frame_rows(X);
    r->nf = lp_frame_cols(X);
    r->ds = malloc((r->rows + 1) * sizeof(double));
    r->y = malloc((r->rows + 1) * sizeof(double));
    r->X = malloc((r->rows * r->nf + 1) * sizeof(double));
    r->order = malloc((r->rows + 1) * sizeof(size_t));
    if (!r->ds || !r->y || !r->X || !r->order) return lp_error_set(LP_ENOMEM, "out of memory");
    const lp_column *yc = lp_frame_col(y, 0);
    if (!numeric(yc->type))
        return lp_error_set(LP_EINVAL, "additive model: the target '%s' is %s; it must be numeric",
                            lp_frame_name(y, 0), lp_dtype_name(yc->type));
    if (lp_frame_rows(y) != r->rows)
        return lp_error_set(LP_EINVAL, "additive model: %zu feature rows but %zu target rows",
                            r->rows, lp_frame_rows(y));
    int rc = time_seconds(r->ds, lp_frame_col(X, r->tf), lp_frame_name(X, r->tf));
    for (size_t j = 0; rc == 0 && j < r->nf; j++) {
        const lp_column *c = lp_frame_col(X, j);
        if (j == r->tf) continue;
        if (!numeric(c->type))
            return lp_error_set(LP_EINVAL,
                                "additive model: regressor '%s' is %s; extra regressors must be "
                                "numeric",
                                lp_frame_name(X, j), lp_dtype_name(c->type));
        for (size_t i = 0; i < r->rows; i++)
            r->X[i * r->nf + j] = num_at(c, i);
    }
    for (size_t i = 0; rc == 0 && i < r->rows; i++) {
        r->X[i * r->nf + r->tf] = r->ds[i];
        r->y[i] = num_at(yc, i);
        if (isnan(r->y[i])) continue; /* the target may have gaps */
        for (size_t j = 0; j < r->nf; j++)
            if (isnan(r->X[i * r->nf + j]))
                return lp_error_set(LP_EINVAL,
                                    "additive model: regressor '%s' is missing in row %zu",
                                    lp_frame_name(X, j), i + 1);
        r->order[r->n++] = i;
    }
    return rc;
}

static void raw_free(raw *r)
{
    free(r->ds);
    free(r->y);
    free(r->X);
    free(r->order);
}

/* The history the fit sees: kept rows in time order. */
static int history(lp_additive_data *d, raw *r)
{
    int rc = sort_rows(r);
    if (rc) return rc;
    d->n = r->n;
    d->nf = r->nf;
    d->ds = malloc((r->n + 1) * sizeof(double));
    d->y = malloc((r->n + 1) * sizeof(double));
    d->X = malloc((r->n * r->nf + 1) * sizeof(double));
    if (!d->ds || !d->y || !d->X) return lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t i = 0; i < r->n; i++) {
        size_t o = r->order[i];
        d->ds[i] = r->ds[o];
        d->y[i] = r->y[o];
        memcpy(d->X + i * r->nf, r->X + o * r->nf, r->nf * sizeof(double));
    }
    if (d->n < 2 || d->ds[d->n - 1] <= d->ds[0])
        return lp_error_set(LP_EINVAL,
                            "additive model: the history needs at least two distinct times with "
                            "a target value (it has %zu rows)",
                            d->n);
    return 0;
}

/* Prophet's scales: time to [0, 1], y by max |y - floor|. */
static int scales(lp_additive *a, const lp_additive_cfg *c, const lp_additive_data *d)
{
    a->t_start = d->ds[0];
    a->t_scale = d->ds[d->n - 1] - d->ds[0];
    a->floor = c->logistic ? c->floor : 0;
    a->cap = c->logistic ? c->cap : 0;
    double ys = 0;
    for (size_t i = 0; i < d->n; i++)
        ys = fmax(ys, fabs(d->y[i] - a->floor));
    a->y_scale = ys > 0 ? ys : 1;
    if (c->logistic)
        for (size_t i = 0; i < d->n; i++)
            if (!(d->y[i] > a->floor && d->y[i] < a->cap))
                return lp_error_set(LP_EINVAL,
                                    "additive model: logistic growth needs floor < y < cap; row "
                                    "%zu has y = %g (floor %g, cap %g)",
                                    i + 1, d->y[i], a->floor, a->cap);
    return 0;
}

/* Prophet's automatic changepoints: n_changepoints evenly spread over the
 * first changepoint_range of the history (rounded indices, half to even as
 * numpy), fewer when the history is short. */
static int changepoints(lp_additive *a, const lp_additive_cfg *c, const lp_additive_data *d)
{
    size_t hist = (size_t)floor((double)d->n * c->changepoint_range), S = c->n_changepoints;
    if (S + 1 > hist) S = hist > 1 ? hist - 1 : 0;
    a->n_cp = 0;
    a->cp_t = malloc((S + 1) * sizeof(double));
    a->delta = calloc(S + 1, sizeof(double));
    if (!a->cp_t || !a->delta) return lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t j = 1; j <= S; j++) {
        double pos = (double)(hist - 1) * (double)j / (double)S;
        size_t idx = (size_t)nearbyint(pos);
        a->cp_t[a->n_cp++] = lp_additive_t(a, d->ds[idx]);
    }
    return 0;
}

static int build_model(lp_model **out, lp_additive *a, const lp_frame *X, const lp_frame *y,
                       const lp_value *params)
{
    lp_model *m = lp_model_new(&lp_additive_ops, a, LP_MODEL_REGRESSION, lp_frame_name(y, 0),
                               lp_frame_col(y, 0)->type);
    if (!m) return LP_ENOMEM;
    int rc = 0;
    for (size_t j = 0; j < lp_frame_cols(X) && rc == 0; j++)
        rc =
            lp_model_add_feature(m, lp_frame_name(X, j),
                                 j == a->time_feature ? LP_DT_TIMESTAMP : lp_frame_col(X, j)->type);
    lp_value *p = params ? lp_value_copy(params) : lp_value_map();
    if (rc == 0) rc = p ? lp_model_set_params(m, p) : LP_ENOMEM;
    if (rc) {
        lp_model_unref(m);
        return rc;
    }
    *out = m;
    return 0;
}

static int fit_state(lp_additive *a, const lp_additive_cfg *c, raw *r, const lp_frame *X)
{
    lp_additive_data d = {0};
    int rc = history(&d, r);
    const char **names = malloc((r->nf + 1) * sizeof *names);
    if (rc == 0 && !names) rc = lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t j = 0; rc == 0 && j < r->nf; j++)
        names[j] = lp_frame_name(X, j);
    if (rc == 0) rc = scales(a, c, &d);
    if (rc == 0) rc = changepoints(a, c, &d);
    if (rc == 0) rc = lp_additive_design(a, c, &d, names);
    if (rc == 0) rc = lp_additive_optimize(a, c, &d);
    free((void *)names);
    free(d.ds);
    free(d.y);
    free(d.X);
    return rc;
}

static int additive_train_fresh(lp_model **out, const lp_frame *X, const lp_frame *y,
                                const lp_value *params, const char *time_index)
{
    *out = NULL;
    lp_additive_cfg cfg;
    int rc = lp_additive_cfg_read(&cfg, params);
    if (rc) return rc;
    if (lp_frame_cols(y) != 1)
        return lp_error_set(LP_EINVAL, "additive model: the target frame must have one column");
    lp_additive *a = calloc(1, sizeof *a);
    if (!a) return lp_error_set(LP_ENOMEM, "out of memory");
    a->logistic = cfg.logistic;
    a->interval_width = cfg.interval_width;
    a->uncertainty_samples = cfg.samples;
    a->seed = cfg.seed;
    raw r = {0};
    rc = find_time(&r.tf, X, time_index);
    a->time_feature = r.tf;
    if (rc == 0) rc = read_frames(&r, X, y);
    if (rc == 0) rc = fit_state(a, &cfg, &r, X);
    raw_free(&r);
    if (rc) {
        lp_additive_free(a);
        return rc;
    }
    return build_model(out, a, X, y, params);
}

typedef struct fit_args {
    const lp_frame *X, *y;
    const lp_value *params;
    const char *time_index;
} fit_args;

static int fit_fresh(lp_model **out, void *report, void *ctx)
{
    (void)report;
    const fit_args *a = ctx;
    return additive_train_fresh(out, a->X, a->y, a->params, a->time_index);
}

int lp_additive_train(lp_model **out, const lp_frame *X, const lp_frame *y, const lp_value *params,
                      const char *time_index)
{
    fit_args a = {X, y, params, time_index};
    return lp_fit_memo_fit(out, NULL, 0, "additive", X, y, params, time_index, fit_fresh, &a);
}
