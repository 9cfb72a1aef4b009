/*
 * test_fit_memo.c — the fit memo (ml/fit_memo.h) that lets TimeSeriesRunner
 * fit its series on threads: a fit kept while filling is handed over once,
 * the same model and report, to the first caller asking for the same
 * back-end, data, params and extra text; anything different is computed;
 * without a memo every call computes; lp_ml_parallel's workers fill their
 * caller's memo; lp_ets_train goes through it.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lolpop.h"
#include "ml/ets_train.h"
#include "ml/fit_memo.h"
#include "ml/ml_parallel.h"

static const lp_model_ops fake_ops = {.size = sizeof(lp_model_ops), .name = "fake"};

typedef struct counter {
    _Atomic int calls;
} counter;

/* A model of no back-end state; report: the call's number. */
static int fake_fit(lp_model **out, void *report, void *ctx)
{
    counter *c = ctx;
    int n = ++c->calls;
    if (report) memcpy(report, &n, sizeof n);
    *out = lp_model_new(&fake_ops, NULL, LP_MODEL_REGRESSION, "y", LP_DT_FLOAT64);
    return *out ? 0 : LP_ENOMEM;
}

/* A frame of one float column `name` holding v, v + 1, v + 2. */
static lp_frame *frame_of(const char *name, double v)
{
    lp_frame *f = lp_frame_new();
    lp_column *c = lp_column_new(LP_DT_FLOAT64, 3);
    for (size_t i = 0; i < 3; i++)
        c->data.f64[i] = v + (double)i;
    cr_assert_eq(lp_frame_add_column(f, name, c), 0);
    return f;
}

static lp_model *fit(counter *c, int *report, const char *backend, const lp_frame *X,
                     const lp_frame *y, const lp_value *params, const char *extra)
{
    lp_model *m = NULL;
    cr_assert_eq(
        lp_fit_memo_fit(&m, report, sizeof *report, backend, X, y, params, extra, fake_fit, c), 0);
    return m;
}

Test(fit_memo, without_a_memo_every_call_fits)
{
    counter c = {0};
    lp_frame *X = frame_of("x", 1), *y = frame_of("y", 2);
    int rep = 0;
    cr_assert_null(lp_fit_memo_current());
    lp_model_unref(fit(&c, &rep, "fake", X, y, NULL, NULL));
    lp_model_unref(fit(&c, &rep, "fake", X, y, NULL, NULL));
    cr_expect_eq(c.calls, 2);
    cr_expect_eq(rep, 2);
    lp_frame_unref(X);
    lp_frame_unref(y);
}

Test(fit_memo, a_kept_fit_is_handed_over_once)
{
    counter c = {0};
    lp_fit_memo *memo = lp_fit_memo_new();
    cr_assert_null(lp_fit_memo_use(memo));
    lp_frame *X = frame_of("x", 1), *y = frame_of("y", 2);
    lp_frame *y_again = frame_of("y", 2); /* equal content, another frame */
    lp_value *p = lp_map_put(lp_value_map(), "model", lp_value_string("ZZZ"));
    lp_value *p_again = lp_map_put(lp_value_map(), "model", lp_value_string("ZZZ"));
    int rep = 0;
    lp_fit_memo_set_filling(memo, true);
    lp_model *ahead = fit(&c, &rep, "fake", X, y, p, "t");
    lp_fit_memo_set_filling(memo, false);
    cr_expect_eq(c.calls, 1);

    rep = 0;
    lp_model *got = fit(&c, &rep, "fake", X, y_again, p_again, "t");
    cr_expect_eq(got, ahead, "not the model fitted ahead");
    cr_expect_eq(c.calls, 1, "fitted again");
    cr_expect_eq(rep, 1, "not the report of the fit ahead");
    lp_model *again = fit(&c, &rep, "fake", X, y, p, "t"); /* handed over once only */
    cr_expect_neq(again, ahead);
    cr_expect_eq(c.calls, 2);
    size_t hits = 0, misses = 0;
    lp_fit_memo_counts(memo, &hits, &misses);
    cr_expect_eq(hits, 1);
    cr_expect_eq(misses, 1);
    lp_model_unref(ahead);
    lp_model_unref(got);
    lp_model_unref(again);
    cr_expect_eq(lp_fit_memo_use(NULL), memo);
    lp_fit_memo_free(memo);
    lp_value_unref(p);
    lp_value_unref(p_again);
    lp_frame_unref(X);
    lp_frame_unref(y);
    lp_frame_unref(y_again);
}

Test(fit_memo, a_different_backend_data_params_or_extra_is_fitted)
{
    counter c = {0};
    lp_fit_memo *memo = lp_fit_memo_new();
    lp_fit_memo_use(memo);
    lp_frame *X = frame_of("x", 1), *y = frame_of("y", 2), *y2 = frame_of("y", 3),
             *yn = frame_of("z", 2);
    lp_value *p = lp_map_put(lp_value_map(), "seasonal_period", lp_value_int(12));
    lp_value *p2 = lp_map_put(lp_value_map(), "seasonal_period", lp_value_int(4));
    int rep = 0;
    lp_fit_memo_set_filling(memo, true);
    lp_model_unref(fit(&c, &rep, "fake", X, y, p, "t"));
    lp_fit_memo_set_filling(memo, false);
    lp_model_unref(fit(&c, &rep, "other", X, y, p, "t"));
    lp_model_unref(fit(&c, &rep, "fake", X, y2, p, "t"));   /* other values */
    lp_model_unref(fit(&c, &rep, "fake", X, yn, p, "t"));   /* other column name */
    lp_model_unref(fit(&c, &rep, "fake", X, y, p2, "t"));   /* other params */
    lp_model_unref(fit(&c, &rep, "fake", X, y, NULL, "t")); /* no params */
    lp_model_unref(fit(&c, &rep, "fake", X, y, p, NULL));   /* no extra */
    cr_expect_eq(c.calls, 7, "a fit was taken for another");
    lp_model_unref(fit(&c, &rep, "fake", X, y, p, "t"));
    cr_expect_eq(c.calls, 7, "the kept fit was not found");
    lp_fit_memo_use(NULL);
    lp_fit_memo_free(memo);
    lp_value_unref(p);
    lp_value_unref(p2);
    lp_frame *all[] = {X, y, y2, yn};
    for (size_t i = 0; i < 4; i++)
        lp_frame_unref(all[i]);
}

/* Eight series of a monthly grid, each its own level. */
typedef struct series_set {
    lp_frame *X[8], *y[8];
    lp_model *m[8];
} series_set;

static void make_series(series_set *s)
{
    for (size_t k = 0; k < 8; k++) {
        size_t n = 48;
        lp_column *t = lp_column_new(LP_DT_TIMESTAMP, n), *v = lp_column_new(LP_DT_FLOAT64, n);
        for (size_t i = 0; i < n; i++) {
            /* the first of each month from 2000 (days since the epoch x 86400e6 us) */
            int year = 2000 + (int)(i / 12), month = (int)(i % 12);
            static const int cum[12] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
            long days = (year - 1970) * 365L + (year - 1969) / 4 + cum[month] +
                        (month >= 2 && year % 4 == 0 ? 1 : 0);
            t->data.i64[i] = days * 86400000000LL;
            v->data.f64[i] = 50.0 + 5.0 * (double)k + 3.0 * sin((double)i * 0.5236) +
                             0.1 * (double)((i * 7 + k) % 5);
        }
        s->X[k] = lp_frame_new();
        s->y[k] = lp_frame_new();
        cr_assert_eq(lp_frame_add_column(s->X[k], "month", t), 0);
        cr_assert_eq(lp_frame_add_column(s->y[k], "v", v), 0);
        s->m[k] = NULL;
    }
}

static void fit_series(void *ctx, size_t k)
{
    series_set *s = ctx;
    lp_ets_train_report rep;
    if (lp_ets_train(&s->m[k], &rep, s->X[k], s->y[k], NULL) != 0) s->m[k] = NULL;
}

Test(fit_memo, parallel_workers_fill_the_callers_memo_and_ets_finds_it)
{
    series_set s;
    make_series(&s);
    lp_fit_memo *memo = lp_fit_memo_new();
    lp_fit_memo_use(memo);
    lp_fit_memo_set_filling(memo, true);
    lp_ml_parallel(8, fit_series, &s); /* on the workers (LOLPOP_THREADS or the cores) */
    lp_fit_memo_set_filling(memo, false);
    for (size_t k = 0; k < 8; k++) {
        cr_assert_not_null(s.m[k], "series %zu", k);
        lp_ets_train_report rep;
        memset(&rep, 0, sizeof rep);
        lp_model *m = NULL;
        cr_assert_eq(lp_ets_train(&m, &rep, s.X[k], s.y[k], NULL), 0);
        cr_expect_eq(m, s.m[k], "series %zu was fitted again", k);
        cr_expect(strncmp(rep.model, "ETS(", 4) == 0, "series %zu: report '%s'", k, rep.model);
        cr_expect_eq(rep.n_used, 48);
        lp_model_unref(m);
        lp_model_unref(s.m[k]);
    }
    size_t hits = 0, misses = 0;
    lp_fit_memo_counts(memo, &hits, &misses);
    cr_expect_eq(hits, 8);
    cr_expect_eq(misses, 0);
    lp_fit_memo_use(NULL);
    lp_fit_memo_free(memo);
    for (size_t k = 0; k < 8; k++) {
        lp_frame_unref(s.X[k]);
        lp_frame_unref(s.y[k]);
    }
}
