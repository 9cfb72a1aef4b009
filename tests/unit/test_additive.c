/* Unit tests for the additive forecaster (src/ml/additive*.c) and
 * ForecastModelTrainer: recovery of known trend, changepoint and
 * seasonalities from synthetic series, logistic growth, multiplicative mode,
 * holidays, regressors, intervals, save/load, bad configurations, and
 * agreement with R's prophet on a committed fixture
 * (tests/fixtures/additive/gen_prophet.R). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lolpop.h"
#include "lolpop/types/model_trainer.h"
#include "data/timestamp.h"
#include "ml/additive.h"
#include "unit_workflow.h"

#define DAY_US 86400000000LL
#define T0_DAY 16071 /* 2014-01-01 */

static void setup(void)
{
    uw_setup();
}

static void teardown(void)
{
    uw_teardown();
}

TestSuite(additive, .init = setup, .fini = teardown);

/* ---- synthetic series ------------------------------------------------------------------ */

typedef double (*series_fn)(double day, size_t i);

/* X: ds (daily from 2014-01-01, n rows, plus `extra` columns given by
 * extra_fn), y = fn(day). */
static void make_series(lp_frame **X, lp_frame **y, size_t n, series_fn fn, const char *extra,
                        series_fn extra_fn)
{
    lp_column *ds = lp_column_new(LP_DT_TIMESTAMP, n), *yc = lp_column_new(LP_DT_FLOAT64, n);
    lp_column *ex = extra ? lp_column_new(LP_DT_FLOAT64, n) : NULL;
    for (size_t i = 0; i < n; i++) {
        double day = (double)(T0_DAY + (int64_t)i);
        ds->data.i64[i] = (T0_DAY + (int64_t)i) * DAY_US;
        yc->data.f64[i] = fn(day, i);
        if (ex) ex->data.f64[i] = extra_fn(day, i);
    }
    *X = lp_frame_new();
    *y = lp_frame_new();
    cr_assert_eq(lp_frame_add_column(*X, "ds", ds), 0);
    if (ex) cr_assert_eq(lp_frame_add_column(*X, extra, ex), 0);
    cr_assert_eq(lp_frame_add_column(*y, "y", yc), 0);
}

/* Deterministic standard normal noise (a fixed LCG and Box-Muller). */
static double noise(size_t i)
{
    uint64_t s = (uint64_t)i * 6364136223846793005ULL + 1442695040888963407ULL;
    s ^= s >> 33;
    s *= 0xff51afd7ed558ccdULL;
    s ^= s >> 33;
    double u1 = ((double)(s >> 11) + 0.5) * 0x1.0p-53;
    s *= 0xc4ceb9fe1a85ec53ULL;
    s ^= s >> 33;
    double u2 = ((double)(s >> 11) + 0.5) * 0x1.0p-53;
    return sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
}

static double true_trend(double day)
{
    double d = day - T0_DAY;
    return d < 600 ? 100 + 0.05 * d : 130 - 0.03 * (d - 600);
}

static double true_yearly(double day)
{
    return 6 * sin(2 * M_PI * day / 365.25) + 3 * cos(4 * M_PI * day / 365.25);
}

static double true_weekly(double day)
{
    return 2 * cos(2 * M_PI * day / 7);
}

static double full_series(double day, size_t i)
{
    return true_trend(day) + true_yearly(day) + true_weekly(day) + 0.5 * noise(i);
}

static lp_value *params_yaml(const char *text)
{
    lp_value *v = NULL;
    lp_diags d;
    lp_diags_init(&d);
    cr_assert_eq(lp_yaml_parse(&v, text, strlen(text), "params", &d), 0, "%s", text);
    lp_diags_clear(&d);
    return v;
}

/* The back-end's predict and predict_interval on a model matrix. */
static int be_predict(const lp_model *m, const double *X, size_t rows, double *out)
{
    return lp_additive_ops.predict(lp_model_state(m), m, X, rows, out);
}

static int be_interval(const lp_model *m, const double *X, size_t rows, double width, double *mean,
                       double *lo, double *hi)
{
    return lp_additive_ops.predict_interval(lp_model_state(m), m, X, rows, width, mean, lo, hi);
}

static size_t date_text(char *buf, size_t cap, int64_t day)
{
    return lp_ts_format(day * DAY_US, true, buf, cap);
}

static lp_model *train(const lp_frame *X, const lp_frame *y, const char *params)
{
    lp_value *p = params ? params_yaml(params) : NULL;
    lp_model *m = NULL;
    int rc = lp_additive_train(&m, X, y, p, "ds");
    cr_assert_eq(rc, 0, "train: %s", lp_error_last()->message);
    lp_value_unref(p);
    return m;
}

/* The model matrix of rows at days T0_DAY + first .. + first + n - 1. */
static double *days_matrix(size_t first, size_t n)
{
    double *X = malloc(n * sizeof *X);
    for (size_t i = 0; i < n; i++)
        X[i] = (double)(T0_DAY + (int64_t)(first + i)) * 86400.0;
    return X;
}

static double rms_diff(const double *a, double (*truth)(double), size_t first, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++) {
        double d = a[i] - truth((double)(T0_DAY + (int64_t)(first + i)));
        s += d * d;
    }
    return sqrt(s / (double)n);
}

Test(additive, recovers_trend_changepoint_and_seasonalities)
{
    lp_frame *X, *y;
    make_series(&X, &y, 1100, full_series, NULL, NULL);
    lp_model *m = train(X, y, NULL);
    const lp_additive *a = lp_model_state(m);
    cr_assert_eq(a->n_cp, 25);
    size_t n = 1100;
    double *M = days_matrix(0, n), *comp = malloc(n * sizeof *comp);
    cr_assert_eq(lp_additive_component(a, M, n, 1, "yearly", comp), 0);
    double ry = rms_diff(comp, true_yearly, 0, n);
    cr_assert_lt(ry, 0.5, "yearly component off by %g (rms; amplitude 6.7)", ry);
    cr_assert_eq(lp_additive_component(a, M, n, 1, "weekly", comp), 0);
    double rw = rms_diff(comp, true_weekly, 0, n);
    cr_assert_lt(rw, 0.2, "weekly component off by %g (rms; amplitude 2)", rw);
    cr_assert_eq(lp_additive_component(a, M, n, 1, "trend", comp), 0);
    double rt = rms_diff(comp, true_trend, 0, n);
    cr_assert_lt(rt, 1.0, "trend off by %g (rms; range 100-130)", rt);
    /* the slopes on either side of the changepoint at day 600 */
    double s1 = (comp[500] - comp[100]) / 400, s2 = (comp[1000] - comp[700]) / 300;
    cr_assert_float_eq(s1, 0.05, 0.005, "slope before %g", s1);
    cr_assert_float_eq(s2, -0.03, 0.005, "slope after %g", s2);
    cr_assert_eq(lp_additive_component(a, M, n, 1, "daily", comp), LP_ENOTFOUND,
                 "daily data: no daily seasonality");
    /* noise sigma (scaled back) near 0.5 */
    cr_assert_float_eq(a->sigma * a->y_scale, 0.5, 0.08, "sigma %g", a->sigma * a->y_scale);
    free(M);
    free(comp);
    lp_model_unref(m);
    lp_frame_unref(X);
    lp_frame_unref(y);
}

Test(additive, auto_seasonalities_follow_prophets_rules)
{
    lp_frame *X, *y;
    make_series(&X, &y, 400, full_series, NULL, NULL); /* < 2 years: no yearly */
    lp_model *m = train(X, y, NULL);
    const lp_additive *a = lp_model_state(m);
    size_t weekly = 0, yearly = 0;
    for (size_t j = 0; j < a->n_cols; j++) {
        weekly += strcmp(a->cols[j].group, "weekly") == 0;
        yearly += strcmp(a->cols[j].group, "yearly") == 0;
    }
    cr_assert_eq(weekly, 6, "weekly order 3: 6 terms");
    cr_assert_eq(yearly, 0);
    lp_model_unref(m);
    m = train(X, y, "{yearly_seasonality: 4, weekly_seasonality: false}");
    a = lp_model_state(m);
    cr_assert_eq(a->n_cols, 8, "yearly order 4 only");
    lp_model_unref(m);
    lp_frame_unref(X);
    lp_frame_unref(y);
}

static double logistic_series(double day, size_t i)
{
    double d = day - T0_DAY;
    return 10 + 80 / (1 + exp(-(d - 300) / 60)) + 1.0 * noise(i);
}

Test(additive, logistic_growth_stays_under_cap)
{
    lp_frame *X, *y;
    make_series(&X, &y, 500, logistic_series, NULL, NULL);
    lp_model *m = train(X, y, "{growth: logistic, cap: 95, floor: 5, weekly_seasonality: false}");
    double *M = days_matrix(0, 1500), *out = malloc(1500 * sizeof *out);
    cr_assert_eq(be_predict(m, M, 1500, out), 0);
    for (size_t i = 0; i < 1500; i++)
        cr_assert_leq(out[i], 95 + 1e-9, "day %zu: %g above the cap", i, out[i]);
    cr_assert_float_eq(out[499], logistic_series(T0_DAY + 499.0, 0) - noise(0), 2.5);
    cr_assert_gt(out[1499], 85, "the curve saturates near the cap: %g", out[1499]);
    free(M);
    free(out);
    lp_model_unref(m);
    lp_frame_unref(X);
    lp_frame_unref(y);
}

static double mult_series(double day, size_t i)
{
    double tr = 50 + 0.1 * (day - T0_DAY);
    return tr * (1 + 0.2 * sin(2 * M_PI * day / 365.25)) + 0.3 * noise(i);
}

Test(additive, multiplicative_seasonality_scales_with_trend)
{
    lp_frame *X, *y;
    make_series(&X, &y, 1100, mult_series, NULL, NULL);
    lp_model *add = train(X, y, "{weekly_seasonality: false}");
    lp_model *mul = train(X, y, "{weekly_seasonality: false, seasonality_mode: multiplicative}");
    double *M = days_matrix(0, 1100), *pa = malloc(1100 * sizeof *pa), *pm = malloc(1100 * 8);
    cr_assert_eq(be_predict(add, M, 1100, pa), 0);
    cr_assert_eq(be_predict(mul, M, 1100, pm), 0);
    double ea = 0, em = 0;
    for (size_t i = 0; i < 1100; i++) {
        double truth = mult_series(T0_DAY + (double)i, i) - 0.3 * noise(i);
        ea += (pa[i] - truth) * (pa[i] - truth);
        em += (pm[i] - truth) * (pm[i] - truth);
    }
    ea = sqrt(ea / 1100);
    em = sqrt(em / 1100);
    cr_assert_lt(em, 0.4, "multiplicative fit rms %g", em);
    cr_assert_lt(em, ea, "multiplicative (%g) beats additive (%g) on a multiplicative series", em,
                 ea);
    /* the yearly factor is a relative amplitude of about 0.2 */
    const lp_additive *a = lp_model_state(mul);
    double *f = malloc(1100 * sizeof *f), amp = 0;
    cr_assert_eq(lp_additive_component(a, M, 1100, 1, "yearly", f), 0);
    for (size_t i = 0; i < 1100; i++)
        amp = fmax(amp, fabs(f[i]));
    cr_assert_float_eq(amp, 0.2, 0.02, "yearly factor amplitude %g", amp);
    free(M);
    free(pa);
    free(pm);
    free(f);
    lp_model_unref(add);
    lp_model_unref(mul);
    lp_frame_unref(X);
    lp_frame_unref(y);
}

/* A spike of +15 on every 1 July and +5 the day after; a regressor of effect 3 per unit. */
static bool july_first(double day, int offset)
{
    time_t t = (time_t)((day - offset) * 86400);
    struct tm tm;
    gmtime_r(&t, &tm);
    return tm.tm_mon == 6 && tm.tm_mday == 1;
}

static double temp(double day, size_t i)
{
    return 20 + 5 * sin(day * 0.37) + noise(i + 7919);
}

static double holiday_series(double day, size_t i)
{
    return 40 + 0.01 * (day - T0_DAY) + (july_first(day, 0) ? 15 : 0) +
           (july_first(day, 1) ? 5 : 0) + 3 * temp(day, i) + 0.3 * noise(i);
}

Test(additive, holidays_and_regressor_effects_recovered)
{
    lp_frame *X, *y;
    make_series(&X, &y, 1100, holiday_series, "temp", temp);
    lp_model *m = train(X, y,
                        "{weekly_seasonality: false, yearly_seasonality: false, holidays: "
                        "[{holiday: july, dates: [2014-07-01, 2015-07-01, 2016-07-01, 2017-07-01], "
                        "lower_window: 0, upper_window: 1}]}");
    const lp_additive *a = lp_model_state(m);
    double xs[2][2] = {{(T0_DAY + 181) * 86400.0, 20}, {(T0_DAY + 182) * 86400.0, 20}};
    double h[2];
    cr_assert_eq(lp_additive_component(a, &xs[0][0], 2, 2, "july", h), 0);
    cr_assert_float_eq(h[0], 15, 0.8, "holiday effect %g", h[0]);
    cr_assert_float_eq(h[1], 5, 0.8, "day-after effect %g", h[1]);
    double r[2], x2[2][2] = {{(T0_DAY + 10) * 86400.0, 20}, {(T0_DAY + 10) * 86400.0, 21}};
    cr_assert_eq(lp_additive_component(a, &x2[0][0], 2, 2, "temp", r), 0);
    cr_assert_float_eq(r[1] - r[0], 3, 0.05, "regressor effect per unit %g", r[1] - r[0]);
    lp_model_unref(m);
    lp_frame_unref(X);
    lp_frame_unref(y);
}

Test(additive, intervals_cover_and_widen_with_horizon)
{
    lp_frame *X, *y;
    make_series(&X, &y, 1100, full_series, NULL, NULL);
    lp_model *m = train(X, y, NULL);
    /* history: the 80 % interval holds about 80 % of the points */
    size_t n = 1100, h = 365;
    double *M = days_matrix(0, n), *mean = malloc(n * 8), *lo = malloc(n * 8), *hi = malloc(n * 8);
    cr_assert_eq(be_interval(m, M, n, 0.8, mean, lo, hi), 0);
    size_t in = 0;
    for (size_t i = 0; i < n; i++) {
        double yv = full_series(T0_DAY + (double)i, i);
        in += yv >= lo[i] && yv <= hi[i];
    }
    double cov = (double)in / (double)n;
    cr_assert(cov > 0.75 && cov < 0.85, "coverage %g of the 80 %% interval", cov);
    /* the future: widths grow with the horizon */
    double *F = days_matrix(n, h), *fm = malloc(h * 8), *fl = malloc(h * 8), *fu = malloc(h * 8);
    cr_assert_eq(be_interval(m, F, h, 0.8, fm, fl, fu), 0);
    double w0 = 0, w1 = 0;
    for (size_t i = 0; i < 30; i++) {
        w0 += fu[i] - fl[i];
        w1 += fu[h - 30 + i] - fl[h - 30 + i];
    }
    cr_assert_gt(w1, 1.3 * w0, "late width %g vs early %g", w1 / 30, w0 / 30);
    /* the same call gives the same numbers (fixed seed) */
    double *fl2 = malloc(h * 8), *fu2 = malloc(h * 8), *fm2 = malloc(h * 8);
    cr_assert_eq(be_interval(m, F, h, 0.8, fm2, fl2, fu2), 0);
    cr_assert_eq(memcmp(fl, fl2, h * 8), 0);
    cr_assert_eq(memcmp(fu, fu2, h * 8), 0);
    free(M);
    free(mean);
    free(lo);
    free(hi);
    free(F);
    free(fm);
    free(fl);
    free(fu);
    free(fl2);
    free(fu2);
    free(fm2);
    lp_model_unref(m);
    lp_frame_unref(X);
    lp_frame_unref(y);
}

/* A straight trend, both seasonalities and noise of sd 2: the model's own
 * assumptions, so its intervals should hold what they say. */
static double steady_series(double day, size_t i)
{
    return 100 + 0.02 * (day - T0_DAY) + true_yearly(day) + true_weekly(day) + 2 * noise(i);
}

/* Many futures of the same process (fresh noise, as observed later): the
 * 80 % interval of the forecast 1..60 days ahead holds about 80 % of their
 * points. The interval's noise is sigma of the fit (in-sample residuals),
 * its trend part simulated changepoints: too narrow or too wide shows here. */
Test(additive, future_coverage_of_simulated_futures_is_near_nominal)
{
    lp_frame *X, *y;
    size_t n = 800, h = 60, futures = 200; /* over two years: yearly seasonality on */
    make_series(&X, &y, n, steady_series, NULL, NULL);
    lp_model *m = train(X, y, NULL);
    double *F = days_matrix(n, h), *fm = malloc(h * 8), *fl = malloc(h * 8), *fu = malloc(h * 8);
    cr_assert_eq(be_interval(m, F, h, 0.8, fm, fl, fu), 0);
    size_t in = 0;
    for (size_t k = 0; k < futures; k++)
        for (size_t i = 0; i < h; i++) {
            double day = (double)(T0_DAY + (int64_t)(n + i));
            in += steady_series(day, 100000 + k * h + i) >= fl[i] &&
                  steady_series(day, 100000 + k * h + i) <= fu[i];
        }
    double cov = (double)in / (double)(futures * h);
    cr_expect(cov > 0.7 && cov < 0.9, "coverage %g of the 80 %% interval on %zu futures", cov,
              futures);
    /* the multiplicative form of the same fit: its noise is Prophet's too
     * (additive, sigma from the fit), its intervals as calibrated */
    lp_model_unref(m);
    m = train(X, y, "{seasonality_mode: multiplicative}");
    cr_assert_eq(be_interval(m, F, h, 0.8, fm, fl, fu), 0);
    in = 0;
    for (size_t k = 0; k < futures; k++)
        for (size_t i = 0; i < h; i++) {
            double v = steady_series((double)(T0_DAY + (int64_t)(n + i)), 200000 + k * h + i);
            in += v >= fl[i] && v <= fu[i];
        }
    cov = (double)in / (double)(futures * h);
    cr_expect(cov > 0.7 && cov < 0.9, "multiplicative: coverage %g", cov);
    free(F);
    free(fm);
    free(fl);
    free(fu);
    lp_model_unref(m);
    lp_frame_unref(X);
    lp_frame_unref(y);
}

Test(additive, save_load_round_trip_is_byte_identical)
{
    lp_frame *X, *y;
    make_series(&X, &y, 800, holiday_series, "temp", temp);
    lp_model *m = train(X, y,
                        "{holidays: [{holiday: july, dates: [2014-07-01, 2015-07-01], "
                        "upper_window: 1}], seasonality_mode: multiplicative}");
    uint8_t *b1 = NULL, *b2 = NULL;
    size_t l1 = 0, l2 = 0;
    cr_assert_eq(lp_model_save(&b1, &l1, m), 0, "%s", lp_error_last()->message);
    lp_model *m2 = NULL;
    cr_assert_eq(lp_model_load(&m2, uw_registry(), b1, l1), 0, "%s", lp_error_last()->message);
    cr_assert_eq(lp_model_save(&b2, &l2, m2), 0);
    cr_assert_eq(l1, l2);
    cr_assert_eq(memcmp(b1, b2, l1), 0);
    lp_frame *p1 = NULL, *p2 = NULL;
    cr_assert_eq(lp_model_predict_interval(&p1, m, X, 0.9), 0, "%s", lp_error_last()->message);
    cr_assert_eq(lp_model_predict_interval(&p2, m2, X, 0.9), 0);
    for (int c = 0; c < 3; c++)
        cr_assert_eq(memcmp(lp_frame_col(p1, c)->data.f64, lp_frame_col(p2, c)->data.f64, 800 * 8),
                     0);
    /* truncated bytes are an error, not a crash */
    lp_model *bad = NULL;
    cr_assert_neq(lp_model_load(&bad, uw_registry(), b1, l1 - 9), 0);
    free(b1);
    free(b2);
    lp_frame_unref(p1);
    lp_frame_unref(p2);
    lp_model_unref(m);
    lp_model_unref(m2);
    lp_frame_unref(X);
    lp_frame_unref(y);
}

static void expect_param_error(const lp_frame *X, const lp_frame *y, const char *params,
                               const char *needle)
{
    lp_value *p = params_yaml(params);
    lp_model *m = NULL;
    cr_assert_neq(lp_additive_train(&m, X, y, p, "ds"), 0, "%s accepted", params);
    cr_assert_null(m);
    cr_assert(strstr(lp_error_last()->message, needle), "%s: '%s' lacks '%s'", params,
              lp_error_last()->message, needle);
    lp_value_unref(p);
}

Test(additive, bad_params_give_clear_errors)
{
    lp_frame *X, *y;
    make_series(&X, &y, 100, full_series, NULL, NULL);
    expect_param_error(X, y, "{n_changepoint: 3}", "did you mean 'n_changepoints'");
    expect_param_error(X, y, "{growth: logistic}", "needs a cap");
    expect_param_error(X, y, "{growth: exponential}", "growth must be linear or logistic");
    expect_param_error(X, y, "{changepoint_prior_scale: -1}", "changepoint_prior_scale");
    expect_param_error(X, y, "{yearly_seasonality: sometimes}", "yearly_seasonality must be");
    expect_param_error(X, y, "{seasonality_mode: both}", "seasonality_mode");
    expect_param_error(X, y, "{holidays: [{holiday: x, dates: [not-a-date]}]}", "is not a date");
    expect_param_error(X, y, "{holidays: [{holiday: x, dates: [2014-01-01], lower_window: 2}]}",
                       "lower_window");
    expect_param_error(X, y, "{growth: logistic, cap: 50}", "floor < y < cap");
    lp_model *m = NULL;
    cr_assert_neq(lp_additive_train(&m, X, y, NULL, "when"), 0);
    cr_assert(strstr(lp_error_last()->message, "time index 'when' is not a feature"));
    lp_frame_unref(X);
    lp_frame_unref(y);
}

/* ---- the trainer component ------------------------------------------------------------- */

static lp_obj *forecaster(const char *config)
{
    char yaml[2048];
    snprintf(yaml, sizeof yaml,
             "component: {model_trainer: ForecastModelTrainer}\n"
             "model_trainer:\n  config: {%s}\n",
             config);
    return uw_build(0, yaml, "model_trainer");
}

/* Splits with the time index as ISO text (what a CSV gives without a schema). */
static lp_value *text_splits(size_t n_train, size_t n_valid)
{
    lp_value *s = lp_value_map();
    for (int part = 0; part < 2; part++) {
        size_t first = part ? n_train : 0, n = part ? n_valid : n_train;
        lp_column_builder *b = lp_column_builder_new(LP_DT_STRING, n);
        lp_column *yc = lp_column_new(LP_DT_FLOAT64, n);
        for (size_t i = 0; i < n; i++) {
            char buf[40];
            size_t len = date_text(buf, sizeof buf, T0_DAY + (int64_t)(first + i));
            cr_assert_eq(lp_column_builder_append_str(b, buf, len), 0);
            yc->data.f64[i] = full_series(T0_DAY + (double)(first + i), first + i);
        }
        lp_frame *X = lp_frame_new(), *y = lp_frame_new();
        cr_assert_eq(lp_frame_add_column(X, "date", lp_column_builder_finish(b)), 0);
        cr_assert_eq(lp_frame_add_column(y, "sales", yc), 0);
        cr_assert_eq(lp_map_set(s, part ? "X_valid" : "X_train", lp_value_frame(X)), 0);
        cr_assert_eq(lp_map_set(s, part ? "y_valid" : "y_train", lp_value_frame(y)), 0);
        lp_frame_unref(X);
        lp_frame_unref(y);
    }
    return s;
}

Test(additive, trainer_fits_predicts_intervals_saves_and_loads)
{
    uw_tmpdir("forecast", true);
    lp_obj *t = forecaster("time_index: date, training_params: {uncertainty_samples: 300}");
    lp_value *splits = text_splits(1000, 60);
    lp_value *model = lp_model_trainer_fit(t, splits);
    cr_assert_not_null(model, "fit: %s", lp_error_last()->message);
    lp_value *Xv = lp_map_get(splits, "X_valid");
    lp_value *pred = lp_model_trainer_predict(t, Xv);
    cr_assert_not_null(pred, "predict: %s", lp_error_last()->message);
    lp_frame *pf = lp_value_as_frame(pred);
    cr_assert_eq(lp_frame_rows(pf), 60);
    lp_value *iv = lp_call_with(t, "predict_interval", "frame", lp_value_ref(Xv), "width",
                                lp_value_float(0.95), (const char *)NULL);
    cr_assert_not_null(iv, "predict_interval: %s", lp_error_last()->message);
    lp_frame *ivf = lp_value_as_frame(iv);
    cr_assert_eq(lp_frame_cols(ivf), 3);
    const double *yv = lp_frame_col(lp_value_as_frame(lp_map_get(splits, "y_valid")), 0)->data.f64;
    double err = 0;
    for (size_t i = 0; i < 60; i++) {
        double p = lp_frame_col(pf, 0)->data.f64[i];
        cr_assert_float_eq(p, lp_frame_col(ivf, 0)->data.f64[i], 1e-9);
        cr_assert_lt(lp_frame_col(ivf, 1)->data.f64[i], p);
        cr_assert_gt(lp_frame_col(ivf, 2)->data.f64[i], p);
        err += fabs(p - yv[i]);
    }
    cr_assert_lt(err / 60, 1.5, "validation MAE %g (noise sd 0.5)", err / 60);
    /* the components add up to the prediction (additive mode) */
    lp_value *cv =
        lp_call_with(t, "predict_components", "frame", lp_value_ref(Xv), (const char *)NULL);
    cr_assert_not_null(cv, "predict_components: %s", lp_error_last()->message);
    lp_frame *cf = lp_value_as_frame(cv);
    cr_assert_eq(lp_frame_cols(cf), 3, "trend, yearly, weekly");
    cr_assert_str_eq(lp_frame_name(cf, 0), "trend");
    cr_assert_str_eq(lp_frame_name(cf, 1), "yearly");
    cr_assert_str_eq(lp_frame_name(cf, 2), "weekly");
    for (size_t i = 0; i < 60; i++) {
        double sum = 0;
        for (size_t j = 0; j < 3; j++)
            sum += lp_frame_col(cf, j)->data.f64[i];
        cr_assert_float_eq(sum, lp_frame_col(pf, 0)->data.f64[i], 1e-9);
    }
    lp_value_unref(cv);
    cr_assert_eq(lp_model_trainer_save(t, "m.bin"), 0, "%s", lp_error_last()->message);
    /* a fresh fit of the same data: the same model, so the same bytes */
    lp_value *again = text_splits(1000, 60), *model2 = lp_model_trainer_fit(t, again);
    cr_assert_not_null(model2, "refit: %s", lp_error_last()->message);
    cr_assert_eq(lp_model_trainer_save(t, "m2.bin"), 0);
    lp_value_unref(model2);
    lp_value_unref(again);
    lp_value_unref(iv);
    lp_value_unref(pred);
    lp_value_unref(model);
    lp_value_unref(splits);
    /* deterministic bytes: the two fits saved the same file */
    FILE *a = fopen("m.bin", "rb"), *b = fopen("m2.bin", "rb");
    cr_assert(a && b);
    int ca, cb;
    do {
        ca = fgetc(a);
        cb = fgetc(b);
        cr_assert_eq(ca, cb);
    } while (ca != EOF);
    fclose(a);
    fclose(b);
    lp_obj *t3 = uw_build(1,
                          "component: {model_trainer: ForecastModelTrainer}\n"
                          "model_trainer:\n  config: {time_index: date}\n",
                          "model_trainer");
    cr_assert_eq(lp_model_trainer_load(t3, "m.bin"), 0, "load: %s", lp_error_last()->message);
    lp_value *s2 = text_splits(1000, 60);
    lp_value *p2 = lp_model_trainer_predict(t3, lp_map_get(s2, "X_valid"));
    cr_assert_not_null(p2, "%s", lp_error_last()->message);
    lp_value_unref(p2);
    lp_value_unref(s2);
}

Test(additive, trainer_config_errors)
{
    uw_tmpdir("forecast", true);
    char yaml[512];
    snprintf(yaml, sizeof yaml,
             "component: {model_trainer: ForecastModelTrainer}\n"
             "model_trainer:\n  config: {training_params: {n_changepoint: 3}}\n");
    cr_assert_neq(uw_try_build(0, yaml), 0);
    cr_assert(strstr(lp_error_last()->message, "n_changepoints"), "%s", lp_error_last()->message);
    /* values are checked when the workflow is built (check_config) */
    snprintf(yaml, sizeof yaml,
             "component: {model_trainer: ForecastModelTrainer}\n"
             "model_trainer:\n  config: {training_params: {growth: logistic}, time_index: date}\n");
    cr_assert_neq(uw_try_build(0, yaml), 0);
    cr_assert(strstr(lp_error_last()->message, "needs a cap"), "%s", lp_error_last()->message);
    lp_obj *c = forecaster("problem_type: classification, time_index: date");
    lp_value *splits = text_splits(100, 10);
    cr_assert_null(lp_model_trainer_fit(c, splits));
    cr_assert(strstr(lp_error_last()->message, "problem_type must be regression"), "%s",
              lp_error_last()->message);
    lp_value_unref(splits);
}

/* ---- agreement with R's prophet (fixtures: tests/fixtures/additive/gen_prophet.R) -------- */

static lp_frame *read_fixture(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, LP_FIXTURES_DIR "/additive/%s", name);
    lp_frame *f = NULL;
    cr_assert_eq(lp_csv_read(&f, path, NULL), 0, "%s: %s", path, lp_error_last()->message);
    return f;
}

/* Fits the case's history with `params` and compares yhat (history and
 * horizon) with prophet's: the largest difference relative to the series'
 * range must stay under tol; so must the intervals' bounds (Monte Carlo on
 * both sides: tol_interval). */
static void compare_with_prophet(const char *name, const char *params, double tol,
                                 double tol_interval)
{
    char file[128];
    snprintf(file, sizeof file, "%s_history.csv", name);
    lp_frame *hist = read_fixture(file), *X = NULL, *y = NULL;
    snprintf(file, sizeof file, "%s_prophet.csv", name);
    lp_frame *ref = read_fixture(file), *Xf = NULL;
    const char *ds[] = {"ds"}, *yn[] = {"y"};
    cr_assert_eq(lp_frame_select(&X, hist, ds, 1), 0);
    cr_assert_eq(lp_frame_select(&y, hist, yn, 1), 0);
    cr_assert_eq(lp_frame_select(&Xf, ref, ds, 1), 0);
    lp_model *m = train(X, y, params);
    lp_frame *p = NULL;
    cr_assert_eq(lp_model_predict_interval(&p, m, Xf, 0.8), 0, "%s", lp_error_last()->message);
    const lp_column *yc = lp_frame_col(y, 0);
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < yc->length; i++) {
        lo = fmin(lo, lp_column_get_f64(yc, i));
        hi = fmax(hi, lp_column_get_f64(yc, i));
    }
    double worst = 0, worst_iv = 0;
    for (size_t i = 0; i < lp_frame_rows(ref); i++) {
        double d = fabs(lp_frame_col(p, 0)->data.f64[i] -
                        lp_column_get_f64(lp_frame_col_by_name(ref, "yhat"), i));
        worst = fmax(worst, d / (hi - lo));
        for (int b = 0; b < 2; b++) {
            double r =
                lp_column_get_f64(lp_frame_col_by_name(ref, b ? "yhat_upper" : "yhat_lower"), i);
            worst_iv = fmax(worst_iv, fabs(lp_frame_col(p, 1 + b)->data.f64[i] - r) / (hi - lo));
        }
    }
    cr_log_info("%s: yhat within %.4f%% of the range of prophet's, bounds within %.4f%%", name,
                100 * worst, 100 * worst_iv);
    cr_assert_lt(worst, tol, "%s: yhat differs from prophet's by %g of the range", name, worst);
    cr_assert_lt(worst_iv, tol_interval, "%s: interval bounds differ by %g of the range", name,
                 worst_iv);
    lp_frame_unref(p);
    lp_model_unref(m);
    lp_frame_unref(X);
    lp_frame_unref(y);
    lp_frame_unref(Xf);
    lp_frame_unref(hist);
    lp_frame_unref(ref);
}

Test(additive, agrees_with_prophet_daily)
{
    /* observed: 0.14 % and 0.49 % of the range (Stan's L-BFGS stops at its own
     * tolerances; the bounds are Monte Carlo estimates on both sides) */
    compare_with_prophet("daily", NULL, 0.004, 0.015);
}

Test(additive, agrees_with_prophet_airpassengers_multiplicative)
{
    /* observed: 0.71 % and 0.77 % of the range */
    compare_with_prophet("airpassengers", "{seasonality_mode: multiplicative}", 0.012, 0.02);
}
