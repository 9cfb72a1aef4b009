/*
 * additive_params.c — the training parameters of the additive model
 * (additive.h), read and checked once into an lp_additive_cfg.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ml/additive_fit.h"

const char *const lp_additive_param_names[] = {
    "growth",
    "cap",
    "floor",
    "n_changepoints",
    "changepoint_range",
    "changepoint_prior_scale",
    "yearly_seasonality",
    "weekly_seasonality",
    "daily_seasonality",
    "seasonality_mode",
    "seasonality_prior_scale",
    "holidays",
    "holidays_prior_scale",
    "interval_width",
    "uncertainty_samples",
    "seed",
    NULL,
};

static bool is_number(const lp_value *v)
{
    return lp_value_type(v) == LP_INT || lp_value_type(v) == LP_FLOAT;
}

/* params[name] as a number in [lo, hi] (open at an end when the flag says
 * so), or dflt when absent. */
static int get_num(double *out, const lp_value *params, const char *name, double dflt, double lo,
                   double hi, bool lo_open)
{
    const lp_value *v = lp_map_get(params, name);
    if (!v || lp_value_type(v) == LP_NULL) {
        *out = dflt;
        return 0;
    }
    double d = lp_value_as_float(v);
    if (!is_number(v) || !(lo_open ? d > lo : d >= lo) || !(d <= hi)) {
        char range[64] = "";
        if (lo > -HUGE_VAL && hi < HUGE_VAL)
            snprintf(range, sizeof range, " %s %g and <= %g", lo_open ? ">" : ">=", lo, hi);
        else if (lo > -HUGE_VAL)
            snprintf(range, sizeof range, " %s %g", lo_open ? ">" : ">=", lo);
        return lp_error_set(LP_ECONFIG, "additive model: %s must be a number%s, got %s", name,
                            range, lp_additive_show(v));
    }
    *out = d;
    return 0;
}

static int get_int(int64_t *out, const lp_value *params, const char *name, int64_t dflt, int64_t lo,
                   int64_t hi)
{
    const lp_value *v = lp_map_get(params, name);
    if (!v || lp_value_type(v) == LP_NULL) {
        *out = dflt;
        return 0;
    }
    if (lp_value_type(v) != LP_INT || lp_value_as_int(v) < lo || lp_value_as_int(v) > hi)
        return lp_error_set(LP_ECONFIG,
                            "additive model: %s must be a whole number from %lld to %lld, got %s",
                            name, (long long)lo, (long long)hi, lp_additive_show(v));
    *out = lp_value_as_int(v);
    return 0;
}

/* One of two words (case-insensitive); *second = whether it is the second. */
static int get_choice(bool *second, const lp_value *params, const char *name, const char *a,
                      const char *b)
{
    const lp_value *v = lp_map_get(params, name);
    *second = false;
    if (!v || lp_value_type(v) == LP_NULL) return 0;
    const char *s = lp_value_as_string(v);
    if (s && lp_streq_nocase(s, a)) return 0;
    if (s && lp_streq_nocase(s, b)) {
        *second = true;
        return 0;
    }
    return lp_error_set(LP_ECONFIG, "additive model: %s must be %s or %s, got %s", name, a, b,
                        lp_additive_show(v));
}

/* auto | true | false | N: the Fourier order (-1 = auto). */
static int get_seasonality(int *order, const lp_value *params, const char *name, int dflt)
{
    const lp_value *v = lp_map_get(params, name);
    const char *s = lp_value_as_string(v);
    *order = -1;
    if (!v || lp_value_type(v) == LP_NULL || (s && lp_streq_nocase(s, "auto"))) return 0;
    if (lp_value_type(v) == LP_BOOL ||
        (s && (lp_streq_nocase(s, "true") || lp_streq_nocase(s, "false")))) {
        bool on = s ? lp_streq_nocase(s, "true") : lp_value_as_bool(v);
        *order = on ? dflt : 0;
        return 0;
    }
    if (lp_value_type(v) == LP_INT && lp_value_as_int(v) >= 0 && lp_value_as_int(v) <= 100) {
        *order = (int)lp_value_as_int(v);
        return 0;
    }
    return lp_error_set(LP_ECONFIG,
                        "additive model: %s must be auto, true, false or a Fourier order from 0 "
                        "to 100, got %s",
                        name, lp_additive_show(v));
}

static int check_holidays(const lp_value *h)
{
    if (!h || lp_value_type(h) == LP_NULL) return 0;
    if (lp_value_type(h) != LP_LIST)
        return lp_error_set(LP_ECONFIG,
                            "additive model: holidays must be a list of {holiday, dates, "
                            "lower_window, upper_window}, got %s",
                            lp_vtype_name(lp_value_type(h)));
    for (size_t i = 0; i < lp_list_len(h); i++) {
        int rc = lp_additive_holiday_check(lp_list_get(h, i), i);
        if (rc) return rc;
    }
    return 0;
}

/* The names and each value of params on its own into c (no rule between
 * two parameters). */
static int read_values(lp_additive_cfg *c, const lp_value *params)
{
    memset(c, 0, sizeof *c);
    if (params && lp_value_type(params) != LP_MAP)
        return lp_error_set(LP_ECONFIG, "additive model: the parameters must be a map");
    for (size_t i = 0; i < lp_map_len(params); i++) {
        const char *k = lp_map_key(params, i);
        bool known = false;
        for (size_t j = 0; lp_additive_param_names[j] && !known; j++)
            known = strcmp(k, lp_additive_param_names[j]) == 0;
        if (!known) {
            size_t n = sizeof lp_additive_param_names / sizeof *lp_additive_param_names - 1;
            const char *sug = lp_suggest(k, lp_additive_param_names, n);
            return lp_error_set(LP_ECONFIG, "additive model: unknown parameter '%s'%s%s%s", k,
                                sug ? "; did you mean '" : "", sug ? sug : "", sug ? "'?" : "");
        }
    }
    int64_t ncp, seed;
    int rc = get_choice(&c->logistic, params, "growth", "linear", "logistic");
    if (rc == 0) rc = get_num(&c->floor, params, "floor", 0, -HUGE_VAL, HUGE_VAL, false);
    if (rc == 0) rc = get_num(&c->cap, params, "cap", NAN, -HUGE_VAL, HUGE_VAL, false);
    if (rc == 0) rc = get_int(&ncp, params, "n_changepoints", 25, 0, 10000);
    if (rc == 0) rc = get_num(&c->changepoint_range, params, "changepoint_range", 0.8, 0, 1, true);
    if (rc == 0)
        rc = get_num(&c->cp_prior, params, "changepoint_prior_scale", 0.05, 0, HUGE_VAL, true);
    if (rc == 0) rc = get_seasonality(&c->yearly, params, "yearly_seasonality", 10);
    if (rc == 0) rc = get_seasonality(&c->weekly, params, "weekly_seasonality", 3);
    if (rc == 0) rc = get_seasonality(&c->daily, params, "daily_seasonality", 4);
    if (rc == 0)
        rc = get_choice(&c->mult, params, "seasonality_mode", "additive", "multiplicative");
    if (rc == 0)
        rc = get_num(&c->seas_prior, params, "seasonality_prior_scale", 10, 0, HUGE_VAL, true);
    if (rc == 0) rc = get_num(&c->hol_prior, params, "holidays_prior_scale", 10, 0, HUGE_VAL, true);
    if (rc == 0) rc = get_num(&c->interval_width, params, "interval_width", 0.8, 0, 1, true);
    if (rc == 0 && c->interval_width >= 1)
        rc = lp_error_set(LP_ECONFIG, "additive model: interval_width must be below 1, got %g",
                          c->interval_width);
    if (rc == 0) rc = get_int(&c->samples, params, "uncertainty_samples", 1000, 0, 1000000);
    if (rc == 0) rc = get_int(&seed, params, "seed", 0, 0, INT64_MAX);
    c->holidays = lp_map_get(params, "holidays");
    if (rc == 0) rc = check_holidays(c->holidays);
    if (rc) return rc;
    c->n_changepoints = (size_t)ncp;
    c->seed = (uint64_t)seed;
    return 0;
}

int lp_additive_param_check(const char *name, const lp_value *value)
{
    lp_value *one = lp_value_map();
    /* the one-entry map only reads value: the reference it takes is dropped below */
    if (!one || lp_map_set(one, name, lp_value_ref((lp_value *)(uintptr_t)value))) {
        lp_value_unref(one);
        return lp_error_set(LP_ENOMEM, "out of memory");
    }
    lp_additive_cfg c;
    int rc = read_values(&c, one);
    lp_value_unref(one);
    return rc;
}

int lp_additive_cfg_read(lp_additive_cfg *c, const lp_value *params)
{
    int rc = read_values(c, params);
    if (rc) return rc;
    if (c->logistic && isnan(c->cap))
        return lp_error_set(LP_ECONFIG, "additive model: growth logistic needs a cap (the "
                                        "saturating maximum, a number)");
    if (c->logistic && !(c->cap > c->floor))
        return lp_error_set(LP_ECONFIG, "additive model: cap (%g) must be above floor (%g)", c->cap,
                            c->floor);
    if (!c->logistic && (lp_map_get(params, "cap") || lp_map_get(params, "floor")))
        return lp_error_set(LP_ECONFIG,
                            "additive model: cap and floor are for growth: logistic (growth is "
                            "linear)");
    return 0;
}
