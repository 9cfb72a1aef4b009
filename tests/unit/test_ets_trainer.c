/* Unit tests for the "ets" model back-end and ETSModelTrainer: AirPassengers
 * on a monthly time stamp grid gives the same fit as lp_ets_fit on the bare
 * values; future stamps are forecast that many steps ahead with intervals;
 * a saved model loads (through the registry) and predicts the same; gaps
 * are reported and the longest run fitted; bad indexes are errors; the
 * trainer class fits and predicts through the dispatcher; a "by_series"
 * model predicts each key's rows with that series' model, also once saved
 * and loaded, and refuses a key it was not trained on. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/time_freq.h"
#include "data/timestamp.h"
#include "fake_tracking.h"
#include "lolpop.h"
#include "lolpop/types/model_checker.h"
#include "lolpop/types/model_trainer.h"
#include "ml/ets.h"
#include "ml/ets_backend.h"
#include "ml/ets_train.h"
#include "ml/series_model.h"
#include "unit_workflow.h"

static double air[144];

static void setup(void)
{
    uw_setup();
    fake_register(uw_registry());
    json_error_t err;
    json_t *root = json_load_file(LP_FIXTURES_DIR "/ts/ets_fixtures.json", 0, &err);
    cr_assert(root, "%s", err.text);
    json_t *y = json_object_get(json_array_get(root, 0), "y");
    cr_assert_eq(json_array_size(y), 144);
    for (size_t i = 0; i < 144; i++)
        air[i] = json_number_value(json_array_get(y, i));
    json_decref(root);
}

static void teardown(void)
{
    uw_teardown();
    fake_reset();
}

TestSuite(ets_trainer, .init = setup, .fini = teardown);

static int64_t month(size_t i)
{
    int64_t t0 = 0;
    cr_assert(lp_ts_parse("1949-01-01", 10, 0, &t0));
    return lp_freq_add(LP_FREQ_MONTH_START, t0, (int64_t)i);
}

/* X (column "date", timestamps of rows idx) and y ("passengers"). */
static void frames(lp_frame **X, lp_frame **y, const size_t *idx, size_t n, bool with_y)
{
    lp_column_builder *tb = lp_column_builder_new(LP_DT_TIMESTAMP, n);
    lp_column_builder *yb = lp_column_builder_new(LP_DT_FLOAT64, n);
    for (size_t i = 0; i < n; i++) {
        cr_assert_eq(lp_column_builder_append_i64(tb, month(idx[i])), 0);
        cr_assert_eq(lp_column_builder_append_f64(yb, air[idx[i]]), 0);
    }
    *X = lp_frame_new();
    cr_assert_eq(lp_frame_add_column(*X, "date", lp_column_builder_finish(tb)), 0);
    lp_column *yc = lp_column_builder_finish(yb);
    if (with_y) {
        *y = lp_frame_new();
        cr_assert_eq(lp_frame_add_column(*y, "passengers", yc), 0);
    } else {
        lp_column_unref(yc);
    }
}

static size_t *range(size_t from, size_t to)
{
    size_t *idx = malloc((to - from) * sizeof *idx);
    for (size_t i = from; i < to; i++)
        idx[i - from] = i;
    return idx;
}

static lp_value *params(const char *model)
{
    lp_value *p = lp_value_map();
    if (model) lp_map_set(p, "model", lp_value_string(model));
    return p;
}

Test(ets_trainer, fits_the_grid_and_forecasts_future_stamps)
{
    size_t *tr = range(0, 132), *fu = range(132, 144);
    lp_frame *X, *y, *Xf, *unused;
    frames(&X, &y, tr, 132, true);
    frames(&Xf, &unused, fu, 12, false);
    lp_value *p = params("MAM");
    lp_model *m = NULL;
    lp_ets_train_report rep;
    cr_assert_eq(lp_ets_train(&m, &rep, X, y, p), 0, "%s", lp_error_last()->message);
    cr_expect_str_eq(rep.model, "ETS(M,A,M)");
    cr_expect_eq(rep.freq, LP_FREQ_MONTH_START);
    cr_expect_eq(rep.n_missing_periods, 0);
    cr_expect_eq(rep.n_used, 132);
    cr_expect_str_eq(lp_model_backend(m), "ets");

    lp_ets *direct = NULL;
    cr_assert_eq(lp_ets_fit(&direct, air, 132, 12, "MAM"), 0);
    double mean[12], lo[12], hi[12];
    cr_assert_eq(lp_ets_forecast(direct, 12, 0.8, mean, lo, hi), 0);

    cr_assert(lp_model_has_intervals(m));
    lp_frame *pi = NULL;
    cr_assert_eq(lp_model_predict_interval(&pi, m, Xf, 0.8), 0, "%s", lp_error_last()->message);
    lp_column *pm = lp_frame_col_by_name(pi, "prediction"), *pl = lp_frame_col_by_name(pi, "lower"),
              *pu = lp_frame_col_by_name(pi, "upper");
    cr_assert(pm && pl && pu);
    double ape = 0;
    for (size_t i = 0; i < 12; i++) {
        cr_expect_float_eq(pm->data.f64[i], mean[i], 1e-9);
        cr_expect_float_eq(pl->data.f64[i], lo[i], 1e-9);
        cr_expect_lt(pl->data.f64[i], pm->data.f64[i]);
        cr_expect_gt(pu->data.f64[i], pm->data.f64[i]);
        ape += fabs(pm->data.f64[i] - air[132 + i]) / air[132 + i] / 12;
    }
    cr_expect_lt(ape, 0.06, "MAPE of the last year %g", ape); /* MAM forecasts 1960 well */

    /* in-sample stamps get the fitted values */
    lp_frame *fit_pred = NULL;
    cr_assert_eq(lp_model_predict(&fit_pred, m, X), 0);
    cr_expect_float_eq(lp_frame_col(fit_pred, 0)->data.f64[131], direct->fitted[131], 1e-9);

    /* save and load through the registry: same forecasts */
    uint8_t *bytes = NULL;
    size_t len = 0;
    cr_assert_eq(lp_model_save(&bytes, &len, m), 0);
    lp_model *m2 = NULL;
    cr_assert_eq(lp_model_load(&m2, uw_registry(), bytes, len), 0, "%s", lp_error_last()->message);
    lp_frame *pi2 = NULL;
    cr_assert_eq(lp_model_predict_interval(&pi2, m2, Xf, 0.8), 0);
    for (size_t i = 0; i < 12; i++)
        cr_expect_eq(lp_frame_col(pi2, 2)->data.f64[i], pu->data.f64[i]);
    /* damaged bytes are an error, not a crash */
    lp_model *m3 = NULL;
    cr_expect_neq(lp_model_load(&m3, uw_registry(), bytes, len - 9), 0);

    free(bytes);
    lp_model_unref(m2);
    lp_frame_unref(pi2);
    lp_frame_unref(fit_pred);
    lp_frame_unref(pi);
    lp_ets_free(direct);
    lp_model_unref(m);
    lp_value_unref(p);
    lp_frame_unref(X);
    lp_frame_unref(y);
    lp_frame_unref(Xf);
    free(tr);
    free(fu);
}

Test(ets_trainer, gaps_are_reported_and_the_longest_run_fitted)
{
    size_t idx[140], n = 0;
    for (size_t i = 0; i < 144; i++)
        if (i < 20 || i > 23) idx[n++] = i; /* months 20..23 missing */
    lp_frame *X, *y;
    frames(&X, &y, idx, n, true);
    lp_value *p = params("ANN");
    lp_model *m = NULL;
    lp_ets_train_report rep;
    cr_assert_eq(lp_ets_train(&m, &rep, X, y, p), 0, "%s", lp_error_last()->message);
    cr_expect_eq(rep.n_missing_periods, 4);
    cr_expect_eq(rep.first_missing, month(20));
    cr_expect_eq(rep.n_used, 120);
    lp_ets *direct = NULL;
    cr_assert_eq(lp_ets_fit(&direct, air + 24, 120, 12, "ANN"), 0);
    cr_expect_float_eq(lp_value_as_float(lp_map_get(lp_model_params(m), "aicc")), direct->aicc,
                       1e-9);
    lp_ets_free(direct);
    lp_model_unref(m);
    lp_value_unref(p);
    lp_frame_unref(X);
    lp_frame_unref(y);
}

Test(ets_trainer, bad_indexes_are_errors)
{
    size_t idx[3] = {0, 1, 2};
    lp_frame *X, *y;
    frames(&X, &y, idx, 3, true);
    lp_value *p = params(NULL);
    lp_map_set(p, "forecast_frequency", lp_value_string("W"));
    lp_model *m = NULL;
    lp_ets_train_report rep;
    cr_expect_eq(lp_ets_train(&m, &rep, X, y, p), LP_EINVAL); /* months are no weeks */
    cr_expect(strstr(lp_error_last()->message, "irregular") != NULL, "%s",
              lp_error_last()->message);
    lp_value_unref(p);
    /* no time stamp feature */
    lp_frame *Xs = lp_frame_new();
    lp_column_builder *b = lp_column_builder_new(LP_DT_FLOAT64, 3);
    for (int i = 0; i < 3; i++)
        lp_column_builder_append_f64(b, i);
    cr_assert_eq(lp_frame_add_column(Xs, "t", lp_column_builder_finish(b)), 0);
    p = params(NULL);
    cr_expect_eq(lp_ets_train(&m, &rep, Xs, y, p), LP_EINVAL);
    cr_expect(strstr(lp_error_last()->message, "timestamp") != NULL);
    lp_value_unref(p);
    lp_frame_unref(Xs);
    lp_frame_unref(X);
    lp_frame_unref(y);
}

Test(ets_trainer, trainer_class_fits_and_predicts)
{
    lp_obj *t = uw_build(0,
                         "component: {metadata_tracker: FakeMetadataTracker, logger: "
                         "CaptureLogger, model_trainer: ETSModelTrainer}\n"
                         "model_trainer:\n  config: {training_params: {model: ZZZ}}\n",
                         "model_trainer");
    size_t *tr = range(0, 132), *fu = range(132, 144);
    lp_frame *X, *y, *Xv, *yv;
    frames(&X, &y, tr, 132, true);
    frames(&Xv, &yv, fu, 12, true);
    lp_value *splits = lp_value_map();
    lp_map_set(splits, "X_train", lp_value_frame(X));
    lp_map_set(splits, "y_train", lp_value_frame(y));
    lp_map_set(splits, "X_valid", lp_value_frame(Xv));
    lp_map_set(splits, "y_valid", lp_value_frame(yv));
    lp_value *mv = lp_model_trainer_fit(t, splits);
    cr_assert_not_null(mv, "fit: %s", lp_error_last()->message);
    lp_model *m = lp_value_as_model(mv);
    cr_assert_not_null(m);
    /* R: ets(window(AirPassengers, end = c(1959, 12))) is ETS(M,Ad,M), AICc 1250.511 */
    const lp_value *params = lp_model_params(m);
    cr_expect_str_eq(lp_value_as_string(lp_map_get(params, "model")), "ETS(M,Ad,M)");
    cr_expect_float_eq(lp_value_as_float(lp_map_get(params, "aicc")), 1250.511, 1e-3);
    lp_value *xv = lp_value_frame(Xv);
    lp_value *pv = lp_model_trainer_predict(t, xv);
    lp_value_unref(xv);
    cr_assert_not_null(pv, "predict: %s", lp_error_last()->message);
    cr_expect_eq(lp_frame_rows(lp_value_as_frame(pv)), 12);
    lp_value_unref(pv);
    lp_value_unref(mv);
    lp_value_unref(splits);
    lp_frame_unref(X), lp_frame_unref(y), lp_frame_unref(Xv), lp_frame_unref(yv);
    free(tr), free(fu);
}

/* calculate_metrics computes the forecast metrics of the metric table (mase,
 * smape, mape, rmse, mae, coverage) as their formulas say, by hand here:
 * mase scaled by the mean absolute 12-month difference of the training
 * series (the season of the time index, monthly), coverage the share of the
 * actual values inside the model's 80 % interval. */
Test(ets_trainer, calculate_metrics_gives_the_forecast_metrics)
{
    lp_obj *t = uw_build(0,
                         "component: {metadata_tracker: FakeMetadataTracker, logger: "
                         "CaptureLogger, model_trainer: ETSModelTrainer}\n"
                         "config: {time_index: date, interval_width: 0.8}\n"
                         "model_trainer:\n  config: {training_params: {model: MAM}}\n",
                         "model_trainer");
    size_t *tr = range(0, 132), *fu = range(132, 144);
    lp_frame *X, *y, *Xv, *yv;
    frames(&X, &y, tr, 132, true);
    frames(&Xv, &yv, fu, 12, true);
    lp_value *splits = lp_value_map();
    lp_map_set(splits, "X_train", lp_value_frame(X));
    lp_map_set(splits, "y_train", lp_value_frame(y));
    lp_map_set(splits, "X_valid", lp_value_frame(Xv));
    lp_map_set(splits, "y_valid", lp_value_frame(yv));
    lp_value *mv = lp_model_trainer_fit(t, splits);
    cr_assert_not_null(mv, "fit: %s", lp_error_last()->message);
    lp_value *xv = lp_value_frame(Xv);
    lp_value *pv = lp_model_trainer_predict(t, xv);
    lp_value_unref(xv);
    cr_assert_not_null(pv, "predict: %s", lp_error_last()->message);
    lp_frame *iv = NULL;
    cr_assert_eq(lp_model_predict_interval(&iv, lp_value_as_model(mv), Xv, 0.8), 0);
    const lp_column *pc = lp_frame_col_by_name(lp_value_as_frame(pv), "prediction");
    const lp_column *lo = lp_frame_col_by_name(iv, "lower"),
                    *hi = lp_frame_col_by_name(iv, "upper");
    double scale = 0, ae = 0, se = 0, ape = 0, sape = 0, inside = 0;
    for (size_t i = 12; i < 132; i++)
        scale += fabs(air[i] - air[i - 12]);
    scale /= 120.0;
    for (size_t i = 0; i < 12; i++) {
        double a = air[132 + i], p = lp_column_get_f64(pc, i), e = fabs(a - p);
        ae += e, se += e * e, ape += e / fabs(a), sape += 2 * e / (fabs(a) + fabs(p));
        inside += a >= lp_column_get_f64(lo, i) && a <= lp_column_get_f64(hi, i);
    }
    lp_value *preds = lp_value_map(), *names = lp_value_list();
    lp_map_set(preds, "valid", pv);
    const char *want[] = {"mase", "smape", "mape", "rmse", "mae", "coverage"};
    for (size_t i = 0; i < 6; i++)
        lp_list_append(names, lp_value_string(want[i]));
    lp_value *got = lp_model_trainer_calculate_metrics(t, splits, preds, names);
    cr_assert_not_null(got, "calculate_metrics: %s", lp_error_last()->message);
    const lp_value *v = lp_map_get(got, "valid");
    double expect[] = {ae / 12 / scale, sape / 12, ape / 12, sqrt(se / 12), ae / 12, inside / 12};
    for (size_t i = 0; i < 6; i++) {
        cr_assert_not_null(lp_map_get(v, want[i]), "%s missing", want[i]);
        cr_expect_float_eq(lp_value_as_float(lp_map_get(v, want[i])), expect[i], 1e-9, "%s",
                           want[i]);
    }
    /* the forecast beats seasonal naive here (R: MASE 0.7489 for ETS(M,Ad,M)) */
    cr_expect_lt(lp_value_as_float(lp_map_get(v, "mase")), 1.0);
    lp_value_unref(got);
    lp_value_unref(names);
    lp_value_unref(preds);
    lp_frame_unref(iv);
    lp_value_unref(mv);
    lp_value_unref(splits);
    lp_frame_unref(X), lp_frame_unref(y), lp_frame_unref(Xv), lp_frame_unref(yv);
    free(tr), free(fu);
}

/* LocalModelChecker judges a forecaster (time_index set, a model with
 * intervals) against naive, seasonal naive and drift fitted on y_train: the
 * baselines' MASE on the last year of AirPassengers are R's
 * forecast::accuracy of naive(), snaive() and rwf(drift = TRUE); check_model
 * reports mase and coverage and one check per baseline. */
Test(ets_trainer, model_checker_compares_with_the_forecast_baselines)
{
    uw_tmpdir("ets-checker", true); /* the report files */
    lp_obj *root = uw_build(0,
                            "component: {metadata_tracker: FakeMetadataTracker, logger: "
                            "CaptureLogger, model_trainer: ETSModelTrainer, model_checker: "
                            "LocalModelChecker}\n"
                            "config: {time_index: date, forecast_frequency: MS, metrics: [mase, "
                            "coverage, mae], perf_metric: mase}\n"
                            "model_trainer:\n  config: {training_params: {model: MAM}}\n",
                            NULL);
    lp_obj *t = lp_obj_component(root, "model_trainer");
    lp_obj *mc = lp_obj_component(root, "model_checker");
    size_t *tr = range(0, 132), *fu = range(132, 144);
    lp_frame *X, *y, *Xv, *yv;
    frames(&X, &y, tr, 132, true);
    frames(&Xv, &yv, fu, 12, true);
    lp_value *splits = lp_value_map();
    lp_map_set(splits, "X_train", lp_value_frame(X));
    lp_map_set(splits, "y_train", lp_value_frame(y));
    lp_map_set(splits, "X_valid", lp_value_frame(Xv));
    lp_map_set(splits, "y_valid", lp_value_frame(yv));
    lp_value *mv = lp_model_trainer_fit(t, splits);
    cr_assert_not_null(mv, "fit: %s", lp_error_last()->message);
    lp_value *cmp = lp_model_checker_get_baseline_comparison(mc, splits, mv);
    cr_assert_not_null(cmp, "%s", lp_error_last()->message);
    const lp_value *b = lp_map_get(cmp, "baselines");
    cr_expect_float_eq(lp_value_as_float(lp_map_get(lp_map_get(b, "naive"), "mase")),
                       2.495894909688, 1e-9);
    cr_expect_float_eq(lp_value_as_float(lp_map_get(lp_map_get(b, "seasonal_naive"), "mase")),
                       1.570881226054, 1e-9);
    cr_expect_float_eq(lp_value_as_float(lp_map_get(lp_map_get(b, "drift"), "mase")),
                       2.177598950434, 1e-9);
    cr_expect_eq(lp_value_as_int(lp_map_get(cmp, "season")), 12);
    cr_expect(lp_value_as_bool(lp_map_get(cmp, "beats_seasonal_naive")));
    double mase = lp_value_as_float(lp_map_get(lp_map_get(cmp, "model"), "mase"));
    cr_expect_lt(mase, 1.0);
    cr_expect(lp_map_get(lp_map_get(cmp, "model"), "coverage"), "the interval's coverage");
    lp_value *rep = lp_model_checker_check_model(mc, splits, mv);
    cr_assert_not_null(rep, "%s", lp_error_last()->message);
    const lp_value *report = lp_map_get(rep, "report");
    const lp_value *vm = lp_map_get(lp_map_get(lp_map_get(report, "splits"), "valid"), "metrics");
    cr_expect_float_eq(lp_value_as_float(lp_map_get(vm, "mase")), mase, 1e-12);
    cr_expect(lp_map_get(vm, "coverage"), "coverage among the valid split's metrics");
    size_t n_base = 0;
    const lp_value *checks = lp_map_get(report, "checks");
    for (size_t i = 0; i < lp_list_len(checks); i++)
        n_base += strcmp(lp_value_as_string(lp_map_get(lp_list_get(checks, i), "check")),
                         "baseline") == 0;
    cr_expect_eq(n_base, 3, "one check per forecast baseline, got %zu", n_base);
    lp_value_unref(rep);
    lp_value_unref(cmp);
    lp_value_unref(mv);
    lp_value_unref(splits);
    lp_frame_unref(X), lp_frame_unref(y), lp_frame_unref(Xv), lp_frame_unref(yv);
    free(tr), free(fu);
}

/* X of future months fu (12) for keys "a" then "b", interleaved b, a, b, a... */
static lp_frame *keyed_future(const char *key_name)
{
    lp_column_builder *kb = lp_column_builder_new(LP_DT_STRING, 24);
    lp_column_builder *tb = lp_column_builder_new(LP_DT_TIMESTAMP, 24);
    for (size_t i = 0; i < 24; i++) {
        cr_assert_eq(lp_column_builder_append_str(kb, i % 2 ? "a" : "b", 1), 0);
        cr_assert_eq(lp_column_builder_append_i64(tb, month(132 + i / 2)), 0);
    }
    lp_frame *X = lp_frame_new();
    cr_assert_eq(lp_frame_add_column(X, key_name, lp_column_builder_finish(kb)), 0);
    cr_assert_eq(lp_frame_add_column(X, "date", lp_column_builder_finish(tb)), 0);
    return X;
}

/* Row i of pi (by_series) equals row i / 2 of the series model's intervals. */
static void expect_rows_of(const lp_frame *pi, const lp_frame *own, size_t parity)
{
    for (size_t i = parity; i < 24; i += 2)
        for (size_t j = 0; j < 3; j++)
            cr_expect_eq(lp_frame_col(pi, j)->data.f64[i], lp_frame_col(own, j)->data.f64[i / 2],
                         "row %zu col %zu", i, j);
}

Test(ets_trainer, a_by_series_model_predicts_each_key_with_its_own_model)
{
    size_t *tr = range(0, 132), *fu = range(132, 144), *early = range(0, 96);
    lp_frame *X, *y, *Xe, *ye, *Xf, *unused;
    frames(&X, &y, tr, 132, true);
    frames(&Xe, &ye, early, 96, true); /* a different series: fewer points */
    frames(&Xf, &unused, fu, 12, false);
    lp_value *p = params("MAM");
    lp_model *ma = NULL, *mb = NULL, *m = NULL;
    lp_ets_train_report rep;
    cr_assert_eq(lp_ets_train(&ma, &rep, X, y, p), 0, "%s", lp_error_last()->message);
    cr_assert_eq(lp_ets_train(&mb, &rep, Xe, ye, p), 0, "%s", lp_error_last()->message);
    const char *keys[2] = {"a", "b"};
    lp_model *models[2] = {ma, mb};
    cr_assert_eq(lp_series_model_new(&m, "shop", keys, models, 2), 0, "%s",
                 lp_error_last()->message);
    cr_expect_str_eq(lp_model_backend(m), "by_series");
    cr_expect_eq(lp_series_model_count(m), 2);
    const char *k1 = NULL;
    cr_expect_eq(lp_series_model_at(m, 1, &k1), mb);
    cr_expect_str_eq(k1, "b");
    cr_expect_eq(lp_series_model_count(ma), 0);

    lp_frame *own_a = NULL, *own_b = NULL, *pi = NULL, *pi2 = NULL;
    cr_assert_eq(lp_model_predict_interval(&own_a, ma, Xf, 0.8), 0);
    cr_assert_eq(lp_model_predict_interval(&own_b, mb, Xf, 0.8), 0);
    /* b's 12 months from 1957 are 36 steps ahead, so they differ from a's */
    cr_expect_neq(lp_frame_col(own_a, 0)->data.f64[0], lp_frame_col(own_b, 0)->data.f64[0]);
    lp_frame *Xk = keyed_future("shop");
    cr_assert_eq(lp_model_predict_interval(&pi, m, Xk, 0.8), 0, "%s", lp_error_last()->message);
    expect_rows_of(pi, own_a, 1);
    expect_rows_of(pi, own_b, 0);

    uint8_t *bytes = NULL;
    size_t len = 0;
    lp_model *m2 = NULL, *m3 = NULL;
    cr_assert_eq(lp_model_save(&bytes, &len, m), 0, "%s", lp_error_last()->message);
    cr_assert_eq(lp_model_load(&m2, uw_registry(), bytes, len), 0, "%s", lp_error_last()->message);
    cr_assert_eq(lp_model_predict_interval(&pi2, m2, Xk, 0.8), 0, "%s", lp_error_last()->message);
    expect_rows_of(pi2, own_a, 1);
    expect_rows_of(pi2, own_b, 0);
    cr_expect_neq(lp_model_load(&m3, uw_registry(), bytes, len - 20), 0); /* damaged */

    /* a key the model does not know is an error naming the column */
    lp_frame *Xu = NULL, *pu = NULL;
    keys[1] = "c";
    lp_model *mc = NULL;
    cr_assert_eq(lp_series_model_new(&mc, "shop", keys, models, 2), 0);
    cr_expect_neq(lp_model_predict(&pu, mc, Xk), 0);
    cr_expect(strstr(lp_error_last()->message, "shop") != NULL, "%s", lp_error_last()->message);
    (void)Xu;

    free(bytes);
    lp_frame *all[] = {X, y, Xe, ye, Xf, own_a, own_b, pi, pi2, Xk};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        lp_frame_unref(all[i]);
    lp_model *ms[] = {ma, mb, m, m2, mc};
    for (size_t i = 0; i < sizeof ms / sizeof *ms; i++)
        lp_model_unref(ms[i]);
    lp_value_unref(p);
    free(tr);
    free(fu);
    free(early);
}

/* ---- the state path (components plot) and models saved before it ------------------- */

Test(ets_trainer, the_state_path_replays_the_fit)
{
    lp_ets *e = NULL;
    cr_assert_eq(lp_ets_fit(&e, air, 132, 12, "MAM"), 0);
    double level[133], slope[133], season[133];
    cr_assert_eq(lp_ets_state_path(e, level, slope, season), 0);
    /* time 0 the initial states, time n the last ones, bit for bit */
    cr_expect_eq(level[0], e->init[0]);
    cr_expect_eq(slope[0], e->init[1]);
    cr_expect_eq(season[0], e->init[2]);
    cr_expect_eq(level[132], e->last[0]);
    cr_expect_eq(slope[132], e->last[1]);
    cr_expect_eq(season[132], e->last[2]);
    lp_ets_free(e);

    /* simple exponential smoothing by hand: l_t = l_{t-1} + alpha (y_t - l_{t-1}) */
    cr_assert_eq(lp_ets_fit(&e, air, 60, 1, "ANN"), 0);
    cr_assert_eq(lp_ets_state_path(e, level, NULL, NULL), 0);
    for (size_t t = 0; t < 60; t++) {
        double want = level[t] + e->alpha * (air[t] - level[t]);
        cr_expect(fabs(level[t + 1] - want) <= 1e-9 * fabs(want), "t %zu: %.17g vs %.17g", t + 1,
                  level[t + 1], want);
    }
    lp_ets_free(e);
}

/* The states of m at X's rows (columns by name). */
static lp_frame *states_of(const lp_model *m, const lp_frame *X)
{
    double *mat = NULL;
    cr_assert_eq(lp_model_matrix(&mat, m, X), 0, "%s", lp_error_last()->message);
    lp_frame *f = NULL;
    cr_assert_eq(lp_ets_model_states(&f, m, mat, lp_frame_rows(X)), 0, "%s",
                 lp_error_last()->message);
    free(mat);
    return f;
}

Test(ets_trainer, the_states_survive_save_and_load_and_are_nan_past_the_data)
{
    size_t *idx = range(0, 144);
    lp_frame *X, *y, *Xtr, *ytr;
    frames(&X, &y, idx, 144, true);
    frames(&Xtr, &ytr, idx, 132, true);
    lp_value *p = params("MAM");
    lp_model *m = NULL;
    lp_ets_train_report rep;
    cr_assert_eq(lp_ets_train(&m, &rep, Xtr, ytr, p), 0, "%s", lp_error_last()->message);
    uint8_t *bytes = NULL;
    size_t len = 0;
    cr_assert_eq(lp_model_save(&bytes, &len, m), 0);
    lp_model *m2 = NULL;
    cr_assert_eq(lp_model_load(&m2, uw_registry(), bytes, len), 0, "%s", lp_error_last()->message);
    lp_frame *a = states_of(m, X), *b = states_of(m2, X);
    const char *names[3] = {"level", "slope", "season"};
    cr_assert_eq(lp_frame_cols(a), 3);
    const lp_ets *e = ((const lp_ets_state *)lp_model_state(m))->ets;
    for (size_t j = 0; j < 3; j++) {
        cr_expect_str_eq(lp_frame_name(a, j), names[j]);
        const lp_column *ca = lp_frame_col(a, j), *cb = lp_frame_col(b, j);
        for (size_t i = 0; i < 144; i++) {
            double va = ca->data.f64[i], vb = cb->data.f64[i];
            if (i < 132)
                cr_expect_eq(va, vb, "%s row %zu", names[j], i);
            else
                cr_expect(isnan(va) && isnan(vb), "%s row %zu is past the data", names[j], i);
        }
        /* the row of the last observation holds the last states */
        cr_expect_eq(ca->data.f64[131], e->last[j], "%s", names[j]);
    }
    /* a model without trend or season has only a level */
    lp_model *ann = NULL;
    lp_value *pa = params("ANN");
    cr_assert_eq(lp_ets_train(&ann, &rep, Xtr, ytr, pa), 0);
    lp_frame *c = states_of(ann, X);
    cr_expect_eq(lp_frame_cols(c), 1);
    cr_expect_str_eq(lp_frame_name(c, 0), "level");
    lp_frame *all[] = {X, y, Xtr, ytr, a, b, c};
    for (size_t i = 0; i < 7; i++)
        lp_frame_unref(all[i]);
    lp_model_unref(m);
    lp_model_unref(m2);
    lp_model_unref(ann);
    lp_value_unref(p);
    lp_value_unref(pa);
    free(bytes);
    free(idx);
}

static uint8_t *read_fixture(const char *name, size_t *len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/ts/%s", LP_FIXTURES_DIR, name);
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "%s", path);
    uint8_t *buf = malloc(1 << 16);
    *len = fread(buf, 1, 1 << 16, f);
    fclose(f);
    return buf;
}

/* tests/fixtures/ts/deaths_model_v1.lpm is the "by_series" model of the
 * deaths example (two ETS models in the "LPETS1" format, without their
 * observations) that main's lolpop deployed before the state path, and
 * deaths_model_v1_predictions.csv its forecast of 1980. */
Test(ets_trainer, a_model_saved_before_the_state_path_loads_and_forecasts_the_same)
{
    size_t len = 0;
    uint8_t *blob = read_fixture("deaths_model_v1.lpm", &len);
    lp_model *m = NULL;
    cr_assert_eq(lp_model_load(&m, uw_registry(), blob, len), 0, "%s", lp_error_last()->message);
    cr_assert_eq(lp_series_model_count(m), 2);

    /* 1980 for each sex, as in the predictions file */
    size_t plen = 0;
    char *csv = (char *)read_fixture("deaths_model_v1_predictions.csv", &plen);
    csv[plen] = '\0';
    lp_column_builder *kb = lp_column_builder_new(LP_DT_STRING, 24);
    lp_column_builder *tb = lp_column_builder_new(LP_DT_TIMESTAMP, 24);
    double want[24];
    size_t rows = 0;
    for (char *line = strchr(csv, '\n') + 1; line && *line && rows < 24; rows++) {
        char sex[16], day[16];
        cr_assert_eq(sscanf(line, "%15[^,],%15[^,],%lf", sex, day, &want[rows]), 3);
        int64_t t = 0;
        cr_assert(lp_ts_parse(day, strlen(day), 0, &t));
        cr_assert_eq(lp_column_builder_append_str(kb, sex, strlen(sex)), 0);
        cr_assert_eq(lp_column_builder_append_i64(tb, t), 0);
        line = strchr(line, '\n');
        line = line ? line + 1 : NULL;
    }
    cr_assert_eq(rows, 24);
    lp_frame *X = lp_frame_new();
    cr_assert_eq(lp_frame_add_column(X, "sex", lp_column_builder_finish(kb)), 0);
    cr_assert_eq(lp_frame_add_column(X, "month", lp_column_builder_finish(tb)), 0);
    lp_frame *pred = NULL;
    cr_assert_eq(lp_model_predict(&pred, m, X), 0, "%s", lp_error_last()->message);
    const lp_column *pc = lp_frame_col_by_name(pred, "prediction");
    for (size_t i = 0; i < 24; i++)
        cr_expect_eq(pc->data.f64[i], want[i], "row %zu: %.17g vs %.17g", i, pc->data.f64[i],
                     want[i]);

    /* no observations kept: no states, said plainly; saved again as it was */
    const lp_model *female = lp_series_model_at(m, 0, NULL);
    double *mat = NULL;
    lp_frame *Xf = NULL;
    const char *drop[1] = {"sex"};
    cr_assert_eq(lp_frame_drop(&Xf, X, drop, 1), 0);
    cr_assert_eq(lp_model_matrix(&mat, female, Xf), 0);
    lp_frame *st = NULL;
    cr_expect_eq(lp_ets_model_states(&st, female, mat, 12), LP_EINVAL);
    cr_expect(strstr(lp_error_last()->message, "older lolpop"), "%s", lp_error_last()->message);
    uint8_t *again = NULL;
    size_t again_len = 0;
    cr_assert_eq(lp_model_save(&again, &again_len, m), 0);
    cr_expect(again_len == len && memcmp(again, blob, len) == 0, "saved differently");
    free(again);
    free(mat);
    lp_frame_unref(Xf);
    lp_frame_unref(X);
    lp_frame_unref(pred);
    lp_model_unref(m);
    free(csv);
    free(blob);
}

/* ---- frequencies of several periods ("15min", "2H", "6MS") ------------------------------ */

/* X: n stamps `step` apart from 2020-01-01 (column "at"); y: air's first n values. */
static void stepped(lp_frame **X, lp_frame **y, lp_freq_unit step, size_t from, size_t n)
{
    int64_t t0 = 0;
    cr_assert(lp_ts_parse("2020-01-01", 10, 0, &t0));
    lp_column_builder *tb = lp_column_builder_new(LP_DT_TIMESTAMP, n);
    lp_column_builder *yb = lp_column_builder_new(LP_DT_FLOAT64, n);
    for (size_t i = from; i < from + n; i++) {
        cr_assert_eq(lp_column_builder_append_i64(tb, lp_freq_add(step, t0, (int64_t)i)), 0);
        cr_assert_eq(lp_column_builder_append_f64(yb, air[i]), 0);
    }
    *X = lp_frame_new();
    cr_assert_eq(lp_frame_add_column(*X, "at", lp_column_builder_finish(tb)), 0);
    *y = lp_frame_new();
    cr_assert_eq(lp_frame_add_column(*y, "v", lp_column_builder_finish(yb)), 0);
}

Test(ets_trainer, fits_and_forecasts_a_grid_of_several_periods)
{
    const char *aliases[] = {"15min", "2H", "6MS"};
    for (size_t c = 0; c < 3; c++) {
        lp_freq_unit f;
        cr_assert_eq(lp_freq_parse(&f, aliases[c]), 0);
        lp_frame *X, *y, *Xf, *yf;
        stepped(&X, &y, f, 0, 120);
        stepped(&Xf, &yf, f, 120, 6);
        /* inferred from the stamps, and given: the same model */
        lp_value *given = params("AAN");
        lp_map_set(given, "forecast_frequency", lp_value_string(aliases[c]));
        lp_value *inferred = params("AAN");
        lp_model *a = NULL, *b = NULL;
        lp_ets_train_report ra, rb;
        cr_assert_eq(lp_ets_train(&a, &ra, X, y, inferred), 0, "%s", lp_error_last()->message);
        cr_assert_eq(lp_ets_train(&b, &rb, X, y, given), 0, "%s", lp_error_last()->message);
        cr_expect_str_eq(lp_freq_name(ra.freq), aliases[c]);
        cr_expect_eq(ra.freq, rb.freq);
        cr_expect_eq(ra.n_missing_periods, 0);
        /* the 6 stamps after the data are forecast 1..6 steps ahead */
        lp_ets *direct = NULL;
        cr_assert_eq(lp_ets_fit(&direct, air, 120, 1, "AAN"), 0);
        double mean[6];
        cr_assert_eq(lp_ets_forecast(direct, 6, 0.8, mean, NULL, NULL), 0);
        uint8_t *bytes = NULL;
        size_t len = 0;
        cr_assert_eq(lp_model_save(&bytes, &len, a), 0);
        lp_model *loaded = NULL;
        cr_assert_eq(lp_model_load(&loaded, uw_registry(), bytes, len), 0, "%s",
                     lp_error_last()->message);
        lp_frame *pred = NULL;
        cr_assert_eq(lp_model_predict(&pred, loaded, Xf), 0, "%s", lp_error_last()->message);
        for (size_t i = 0; i < 6; i++)
            cr_expect_eq(lp_frame_col(pred, 0)->data.f64[i], mean[i], "%s step %zu", aliases[c],
                         i + 1);
        lp_frame *all[] = {X, y, Xf, yf, pred};
        for (size_t i = 0; i < 5; i++)
            lp_frame_unref(all[i]);
        lp_model_unref(a);
        lp_model_unref(b);
        lp_model_unref(loaded);
        lp_value_unref(given);
        lp_value_unref(inferred);
        lp_ets_free(direct);
        free(bytes);
    }
}
