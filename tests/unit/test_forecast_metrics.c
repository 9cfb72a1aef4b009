/* Unit tests for the forecast metrics and baselines (src/ml/forecast_metrics.h):
 * naive, seasonal naive and drift forecasts of the last year of
 * AirPassengers and their test-set MASE, MAE and RMSE agree with R's
 * forecast::accuracy of naive(), snaive() and rwf(drift = TRUE) (numbers
 * below from R 4 / forecast 8.20); an ETS(M,Ad,M) fit beats seasonal naive
 * as R's ets does (R: MASE 0.7489); coverage; errors; rolling-origin
 * cross-validation bookkeeping (by hand with seasonal naive) and ETS beating
 * seasonal naive across origins. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <math.h>
#include <string.h>

#include "lolpop/error.h"
#include "ml/ets.h"
#include "ml/forecast_metrics.h"

static double air[144];

static void setup(void)
{
    json_error_t err;
    json_t *root = json_load_file(LP_FIXTURES_DIR "/ts/ets_fixtures.json", 0, &err);
    cr_assert(root, "%s", err.text);
    json_t *y = json_object_get(json_array_get(root, 0), "y");
    for (size_t i = 0; i < 144; i++)
        air[i] = json_number_value(json_array_get(y, i));
    json_decref(root);
}

TestSuite(forecast_metrics, .init = setup);

static double metric(const char *name, const double *pred)
{
    lp_fc_inputs in = {
        .y_true = air + 132, .y_pred = pred, .n = 12, .y_train = air, .n_train = 132, .m = 12};
    double v = NAN;
    cr_assert_eq(lp_fc_metric_named(&v, name, &in), 0, "%s: %s", name, lp_error_last()->message);
    return v;
}

Test(forecast_metrics, baselines_match_r_accuracy)
{
    struct {
        lp_fc_baseline b;
        double mase, mae, rmse;
    } want[] = {
        {LP_FC_NAIVE, 2.495894909688, 76.0, 102.976534543879},
        {LP_FC_SEASONAL_NAIVE, 1.570881226054, 47.833333333333, 50.708316214733},
        {LP_FC_DRIFT, 2.177598950434, 66.307888040712, 92.666363429941},
    };
    for (size_t i = 0; i < 3; i++) {
        double fc[12];
        cr_assert_eq(lp_fc_baseline_forecast(fc, want[i].b, air, 132, 12, 12), 0);
        const char *nm = lp_fc_baseline_name(want[i].b);
        cr_expect_float_eq(metric("mase", fc), want[i].mase, 1e-9, "%s mase", nm);
        cr_expect_float_eq(metric("mae", fc), want[i].mae, 1e-9, "%s mae", nm);
        cr_expect_float_eq(metric("rmse", fc), want[i].rmse, 1e-9, "%s rmse", nm);
    }
}

Test(forecast_metrics, ets_beats_seasonal_naive_and_compare_says_so)
{
    lp_ets *e = NULL;
    cr_assert_eq(lp_ets_fit(&e, air, 132, 12, "ZZZ"), 0);
    double mean[12], lo[12], hi[12];
    cr_assert_eq(lp_ets_forecast(e, 12, 0.8, mean, lo, hi), 0);
    /* R's ets() gives 0.7489 with forecast.ets's means, which for a
     * multiplicative season are expectations (class 3), not the point
     * forecasts used here: close, not equal */
    double mase = metric("mase", mean);
    cr_expect_float_eq(mase, 0.748916332904, 0.03, "mase %.6f", mase);
    lp_value *cmp = NULL;
    bool beats = false;
    cr_assert_eq(lp_fc_baseline_compare(&cmp, &beats, air, 132, 12, air + 132, mean, 12), 0);
    cr_expect(beats);
    cr_expect(lp_value_as_bool(lp_map_get(cmp, "beats_seasonal_naive")));
    const lp_value *sn = lp_map_get(cmp, "seasonal_naive");
    cr_expect_float_eq(lp_value_as_float(lp_map_get(sn, "mase")), 1.570881226054, 1e-9);
    cr_expect_not_null(lp_map_get(lp_map_get(cmp, "drift"), "smape"));
    lp_value_unref(cmp);
    /* a model worse than seasonal naive does not beat it */
    double bad[12];
    for (int i = 0; i < 12; i++)
        bad[i] = 100;
    cr_assert_eq(lp_fc_baseline_compare(&cmp, &beats, air, 132, 12, air + 132, bad, 12), 0);
    cr_expect(!beats);
    lp_value_unref(cmp);
    /* coverage: the share inside the interval (a floor: higher is better) */
    const lp_metric_info *cov = NULL;
    cr_assert_eq(lp_metric_lookup(&cov, "Coverage"), 0);
    cr_expect(cov->higher_is_better);
    lp_fc_inputs in = {.y_true = air + 132, .y_pred = mean, .n = 12, .lower = lo, .upper = hi};
    double c = -1;
    cr_assert_eq(lp_fc_metric_compute(&c, cov, &in), 0);
    size_t inside = 0;
    for (int i = 0; i < 12; i++)
        inside += air[132 + i] >= lo[i] && air[132 + i] <= hi[i];
    cr_expect_float_eq(c, inside / 12.0, 1e-12);
    lp_ets_free(e);
}

Test(forecast_metrics, errors)
{
    const lp_metric_info *m = NULL;
    double r2 = 0;
    lp_fc_inputs none = {0};
    cr_expect_eq(lp_fc_metric_named(&r2, "nosuch", &none), LP_ENOTFOUND);
    cr_assert_eq(lp_metric_lookup(&m, "accuracy"), 0);
    cr_expect_eq(lp_fc_metric_compute(&r2, m, &none), LP_EINVAL);
    cr_assert_eq(lp_metric_lookup(&m, "mase"), 0);
    double y[3] = {1, 2, 3}, p[3] = {1, 2, 4}, flat[5] = {2, 2, 2, 2, 2}, v;
    lp_fc_inputs in = {.y_true = y, .y_pred = p, .n = 3, .y_train = flat, .n_train = 5, .m = 1};
    cr_expect_eq(lp_fc_metric_compute(&v, m, &in), LP_EINVAL); /* scale 0 */
    in.m = 12;
    cr_expect_eq(lp_fc_metric_compute(&v, m, &in), LP_EINVAL); /* too short */
    cr_assert_eq(lp_metric_lookup(&m, "coverage"), 0);
    cr_expect_eq(lp_fc_metric_compute(&v, m, &in), LP_EINVAL); /* no interval */
    /* the plain regression entry points cannot compute mase or coverage */
    cr_expect_eq(lp_metric_regression(&v, m, y, p, 3), LP_EINVAL);
    cr_expect(strstr(lp_error_last()->message, "training series") != NULL);
    in.n = 0;
    cr_expect_eq(lp_fc_metric_compute(&v, m, &in), LP_EINVAL);
    cr_expect_eq(lp_fc_baseline_forecast(&v, LP_FC_NAIVE, y, 0, 1, 1), LP_EINVAL);
    /* seasonal naive without a season is naive */
    double fc[2];
    cr_assert_eq(lp_fc_baseline_forecast(fc, LP_FC_SEASONAL_NAIVE, y, 3, 1, 2), 0);
    cr_expect(fc[0] == 3 && fc[1] == 3);
    cr_assert_eq(lp_fc_baseline_forecast(fc, LP_FC_DRIFT, y, 3, 1, 2), 0);
    cr_expect(fc[0] == 4 && fc[1] == 5);
}

/* ---- rolling-origin cross-validation ------------------------------------------------------ */

#include "ml/forecast_cv.h"

/* Seasonal naive as a forecaster, to check the bookkeeping by hand. */
static int snaive(void *ctx, const double *y, size_t n, size_t m, size_t h, double *out)
{
    (void)ctx;
    return lp_fc_baseline_forecast(out, LP_FC_SEASONAL_NAIVE, y, n, m, h);
}

static int failing(void *ctx, const double *y, size_t n, size_t m, size_t h, double *out)
{
    (void)ctx, (void)y, (void)m, (void)h, (void)out;
    return lp_error_set(LP_EINVAL, "cannot fit %zu values", n);
}

Test(forecast_metrics, rolling_origin_cv_by_hand)
{
    lp_fc_cv_result r;
    /* origins 96, 108, 120, 132 (each with 12 ahead) */
    cr_assert_eq(lp_fc_cv_run(&r, air, 144, 12, 96, 12, 12, snaive, NULL), 0, "%s",
                 lp_error_last()->message);
    cr_expect_eq(r.n_folds, 4);
    cr_expect_eq(r.horizon, 12);
    for (size_t j = 0; j < 12; j++) {
        double mae = 0;
        for (size_t o = 96; o <= 132; o += 12)
            mae += fabs(air[o + j] - air[o - 12 + j]) / 4;
        cr_expect_float_eq(r.mae[j], mae, 1e-9, "step %zu", j + 1);
    }
    lp_value *v = lp_fc_cv_result_value(&r);
    cr_assert_not_null(v);
    cr_expect_eq(lp_value_as_int(lp_map_get(v, "folds")), 4);
    cr_expect_float_eq(lp_value_as_float(lp_map_get(v, "mean_mase")), r.mean_mase, 0);
    lp_value_unref(v);
    double snaive_mase = r.mean_mase;
    lp_fc_cv_result_free(&r);

    /* ETS beats seasonal naive across the same origins */
    cr_assert_eq(lp_fc_cv_run(&r, air, 144, 12, 96, 12, 12, lp_fc_cv_ets, "ZZZ"), 0, "%s",
                 lp_error_last()->message);
    cr_expect_lt(r.mean_mase, snaive_mase, "ets %g vs snaive %g", r.mean_mase, snaive_mase);
    lp_fc_cv_result_free(&r);

    /* errors */
    cr_expect_eq(lp_fc_cv_run(&r, air, 144, 12, 140, 12, 12, snaive, NULL), LP_EINVAL);
    cr_expect_eq(lp_fc_cv_run(&r, air, 144, 12, 0, 12, 12, snaive, NULL), LP_EINVAL);
    cr_expect_eq(lp_fc_cv_run(&r, air, 144, 12, 96, 12, 12, failing, NULL), LP_EINVAL);
    cr_expect(strstr(lp_error_last()->message, "origin 96") != NULL, "%s",
              lp_error_last()->message);
}
