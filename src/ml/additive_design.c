/*
 * additive_design.c — the design-matrix columns of the additive model:
 * Fourier terms of the seasonalities Prophet would choose for the data,
 * holiday indicators and standardised extra regressors.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/timestamp.h"
#include "ml/additive_fit.h"

#define DAY 86400.0

const char *lp_additive_show(const lp_value *v)
{
    static _Thread_local char buf[80];
    char *s = lp_value_to_string(v);
    snprintf(buf, sizeof buf, "%s", s ? s : "?");
    free(s);
    return buf;
}

static lp_additive_col *new_col(lp_additive *a, lp_additive_kind kind, const char *group, bool mult,
                                double prior)
{
    lp_additive_col *cols = realloc(a->cols, (a->n_cols + 1) * sizeof *cols);
    if (!cols) return NULL;
    a->cols = cols;
    lp_additive_col *c = &cols[a->n_cols];
    memset(c, 0, sizeof *c);
    c->group = lp_strdup(group);
    if (!c->group) return NULL;
    a->n_cols++;
    c->kind = kind;
    c->mult = mult;
    c->prior = prior;
    c->std = 1;
    return c;
}

/* ---- seasonalities ----------------------------------------------------------------- */

/* Prophet's automatic choice: yearly with two years of history, weekly with
 * two weeks at a spacing under a week, daily with two days of sub-daily data. */
static int auto_order(int order, int dflt, double span_days, double min_dt_days, double need_span,
                      double max_spacing)
{
    if (order >= 0) return order;
    if (span_days < need_span || min_dt_days >= max_spacing) return 0;
    return dflt;
}

static int add_fourier(lp_additive *a, const char *name, double period, int order, bool mult,
                       double prior)
{
    for (int i = 1; i <= order; i++)
        for (int f = 0; f < 2; f++) {
            lp_additive_col *c = new_col(a, LP_ADD_SEASONAL, name, mult, prior);
            if (!c) return lp_error_set(LP_ENOMEM, "out of memory");
            c->period = period;
            c->order = i;
            c->is_cos = f == 1; /* sin then cos, as Prophet's fourier_series */
        }
    return 0;
}

static int add_seasonalities(lp_additive *a, const lp_additive_cfg *c, const lp_additive_data *d)
{
    double span = (d->ds[d->n - 1] - d->ds[0]) / DAY, min_dt = HUGE_VAL;
    for (size_t i = 1; i < d->n; i++)
        if (d->ds[i] > d->ds[i - 1]) min_dt = fmin(min_dt, (d->ds[i] - d->ds[i - 1]) / DAY);
    int yearly = auto_order(c->yearly, 10, span, min_dt, 730, HUGE_VAL);
    int weekly = auto_order(c->weekly, 3, span, min_dt, 14, 7);
    int daily = auto_order(c->daily, 4, span, min_dt, 2, 1);
    int rc = add_fourier(a, "yearly", 365.25, yearly, c->mult, c->seas_prior);
    if (rc == 0) rc = add_fourier(a, "weekly", 7, weekly, c->mult, c->seas_prior);
    if (rc == 0) rc = add_fourier(a, "daily", 1, daily, c->mult, c->seas_prior);
    return rc;
}

/* ---- holidays ------------------------------------------------------------------------ */

static const lp_value *holiday_dates(const lp_value *h)
{
    const lp_value *v = lp_map_get(h, "dates");
    return v ? v : lp_map_get(h, "ds");
}

static bool parse_day(const lp_value *v, int64_t *day)
{
    const char *s = lp_value_as_string(v);
    int64_t us;
    if (!s || !lp_ts_parse(s, strlen(s), LP_TS_ZONE_ON_DATE, &us)) return false;
    *day = (int64_t)floor((double)us / 1e6 / DAY);
    return true;
}

static int window_of(const lp_value *h, const char *key, int64_t *out)
{
    const lp_value *v = lp_map_get(h, key);
    *out = 0;
    if (!v || lp_value_type(v) == LP_NULL) return 0;
    if (lp_value_type(v) != LP_INT) return -1;
    *out = lp_value_as_int(v);
    return 0;
}

int lp_additive_holiday_check(const lp_value *h, size_t i)
{
    static const char *const keys[] = {"holiday",      "dates",        "ds",
                                       "lower_window", "upper_window", "prior_scale"};
    if (lp_value_type(h) != LP_MAP)
        return lp_error_set(LP_ECONFIG, "additive model: holidays[%zu] must be a map", i);
    for (size_t k = 0; k < lp_map_len(h); k++) {
        bool known = false;
        for (size_t j = 0; j < sizeof keys / sizeof *keys && !known; j++)
            known = strcmp(lp_map_key(h, k), keys[j]) == 0;
        if (!known)
            return lp_error_set(LP_ECONFIG,
                                "additive model: holidays[%zu]: unknown key '%s' (holiday, dates, "
                                "lower_window, upper_window, prior_scale)",
                                i, lp_map_key(h, k));
    }
    const char *name = lp_value_as_string(lp_map_get(h, "holiday"));
    if (!name || !*name)
        return lp_error_set(LP_ECONFIG, "additive model: holidays[%zu] needs a holiday name", i);
    const lp_value *dates = holiday_dates(h);
    if (lp_value_type(dates) != LP_LIST || lp_list_len(dates) == 0)
        return lp_error_set(
            LP_ECONFIG, "additive model: holiday '%s' needs dates (a list of YYYY-MM-DD)", name);
    for (size_t j = 0; j < lp_list_len(dates); j++) {
        int64_t day;
        if (!parse_day(lp_list_get(dates, j), &day))
            return lp_error_set(LP_ECONFIG, "additive model: holiday '%s': %s is not a date", name,
                                lp_additive_show(lp_list_get(dates, j)));
    }
    int64_t lo, hi;
    if (window_of(h, "lower_window", &lo) || lo > 0 || lo < -366)
        return lp_error_set(LP_ECONFIG,
                            "additive model: holiday '%s': lower_window must be a whole number "
                            "from -366 to 0",
                            name);
    if (window_of(h, "upper_window", &hi) || hi < 0 || hi > 366)
        return lp_error_set(LP_ECONFIG,
                            "additive model: holiday '%s': upper_window must be a whole number "
                            "from 0 to 366",
                            name);
    const lp_value *ps = lp_map_get(h, "prior_scale");
    if (ps && !((lp_value_type(ps) == LP_INT || lp_value_type(ps) == LP_FLOAT) &&
                lp_value_as_float(ps) > 0))
        return lp_error_set(LP_ECONFIG,
                            "additive model: holiday '%s': prior_scale must be a number > 0", name);
    return 0;
}

static int cmp_i64(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return (a > b) - (a < b);
}

/* The column of holiday `name` at day offset `off`, made when new. */
static lp_additive_col *holiday_col(lp_additive *a, const char *name, int off, bool mult,
                                    double prior)
{
    for (size_t j = 0; j < a->n_cols; j++) {
        lp_additive_col *c = &a->cols[j];
        if (c->kind == LP_ADD_HOLIDAY && c->order == off && strcmp(c->group, name) == 0) return c;
    }
    lp_additive_col *c = new_col(a, LP_ADD_HOLIDAY, name, mult, prior);
    if (c) c->order = off;
    return c;
}

static int add_holiday(lp_additive *a, const lp_additive_cfg *c, const lp_value *h)
{
    const char *name = lp_value_as_string(lp_map_get(h, "holiday"));
    const lp_value *dates = holiday_dates(h), *ps = lp_map_get(h, "prior_scale");
    int64_t lo, hi;
    window_of(h, "lower_window", &lo);
    window_of(h, "upper_window", &hi);
    double prior = ps ? lp_value_as_float(ps) : c->hol_prior;
    size_t nd = lp_list_len(dates);
    for (int64_t off = lo; off <= hi; off++) {
        lp_additive_col *col = holiday_col(a, name, (int)off, c->mult, prior);
        int64_t *days = col ? realloc(col->days, (col->n_days + nd) * sizeof *days) : NULL;
        if (!days) return lp_error_set(LP_ENOMEM, "out of memory");
        col->days = days;
        for (size_t j = 0; j < nd; j++) {
            int64_t day = 0;
            parse_day(lp_list_get(dates, j), &day);
            days[col->n_days++] = day + off;
        }
        qsort(days, col->n_days, sizeof *days, cmp_i64);
    }
    return 0;
}

/* ---- regressors ---------------------------------------------------------------------- */

/* Prophet's standardize='auto': binary 0/1 regressors stay as they are,
 * others become (x - mean) / sd (sd with n - 1; 1 when constant). */
static int add_regressor(lp_additive *a, const lp_additive_cfg *c, const lp_additive_data *d,
                         size_t f, const char *name)
{
    lp_additive_col *col = new_col(a, LP_ADD_REGRESSOR, name, c->mult, c->hol_prior);
    if (!col) return lp_error_set(LP_ENOMEM, "out of memory");
    col->feature = f;
    bool binary = true;
    double sum = 0, ss = 0;
    for (size_t i = 0; i < d->n; i++) {
        double v = d->X[i * d->nf + f];
        binary = binary && (v == 0 || v == 1);
        sum += v;
    }
    double mu = sum / (double)d->n;
    for (size_t i = 0; i < d->n; i++) {
        double v = d->X[i * d->nf + f] - mu;
        ss += v * v;
    }
    double sd = d->n > 1 ? sqrt(ss / (double)(d->n - 1)) : 0;
    if (!binary && sd > 0) {
        col->mu = mu;
        col->std = sd;
    }
    return 0;
}

int lp_additive_design(lp_additive *a, const lp_additive_cfg *c, const lp_additive_data *d,
                       const char *const *feature_names)
{
    int rc = add_seasonalities(a, c, d);
    for (size_t i = 0; rc == 0 && c->holidays && i < lp_list_len(c->holidays); i++)
        rc = add_holiday(a, c, lp_list_get(c->holidays, i));
    for (size_t f = 0; rc == 0 && f < d->nf; f++)
        if (f != a->time_feature) rc = add_regressor(a, c, d, f, feature_names[f]);
    return rc;
}
