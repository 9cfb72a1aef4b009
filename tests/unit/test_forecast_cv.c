/*
 * test_forecast_cv.c — rolling-origin cross-validation: lp_fc_cv_run against
 * numbers worked out by hand on a tiny series (naive forecaster), the
 * trainers' cross_validate through the dispatcher (the same errors as the
 * bare ETS on AirPassengers whatever the row order and index type; the
 * defaults; configuration errors), and LocalHyperparameterTuner picking the
 * forecaster with the lower cross-validated MASE on a series where the answer
 * is known (trend + yearly season: ETS(A,N,N) cannot follow it).
 */
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
#include "lolpop/types/hyperparameter_tuner.h"
#include "lolpop/types/metadata_tracker.h"
#include "ml/forecast_cv.h"
#include "ml/ml_parallel.h"
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

TestSuite(forecast_cv, .init = setup, .fini = teardown);

/* ---- lp_fc_cv_run by hand ------------------------------------------------------------------ */

static int naive(void *ctx, const double *y, size_t n, size_t m, size_t h, double *out)
{
    (void)ctx, (void)m;
    for (size_t j = 0; j < h; j++)
        out[j] = y[n - 1];
    return 0;
}

Test(forecast_cv, tiny_series_by_hand)
{
    /* origins 3 and 5 (7 is past the end): fold 3 forecasts 4, 4 for 7, 11
     * (errors 3, 7; scale mean|diff| of 1,2,4 = 1.5); fold 5 forecasts 11, 11
     * for 16, 22 (errors 5, 11; scale of 1,2,4,7,11 = 2.5). */
    const double y[] = {1, 2, 4, 7, 11, 16, 22};
    lp_fc_cv_result r;
    cr_assert_eq(lp_fc_cv_run(&r, y, 7, 1, 3, 2, 2, naive, NULL), 0, "%s",
                 lp_error_last()->message);
    cr_expect_eq(r.n_folds, 2);
    cr_expect_float_eq(r.mae[0], 4.0, 1e-12);
    cr_expect_float_eq(r.mae[1], 9.0, 1e-12);
    cr_expect_float_eq(r.rmse[0], sqrt(17.0), 1e-12);
    cr_expect_float_eq(r.rmse[1], sqrt(85.0), 1e-12);
    cr_expect_float_eq(r.mase[0], 2.0, 1e-12);
    cr_expect_float_eq(r.mase[1], (7 / 1.5 + 11 / 2.5) / 2, 1e-12);
    cr_expect_float_eq(r.smape[0], (6.0 / 11 + 10.0 / 27) / 2, 1e-12);
    cr_expect_float_eq(r.smape[1], (14.0 / 15 + 22.0 / 33) / 2, 1e-12);
    cr_expect_float_eq(r.mean_mase, (r.mase[0] + r.mase[1]) / 2, 1e-12);
    lp_fc_cv_result_free(&r);
    /* a missing actual is left out of its step only */
    const double g[] = {1, 2, 4, NAN, 11, 16, 22};
    cr_assert_eq(lp_fc_cv_run(&r, g, 7, 1, 3, 2, 2, naive, NULL), 0);
    cr_expect_float_eq(r.mae[0], 5.0, 1e-12, "only fold 5's step 1");
    lp_fc_cv_result_free(&r);
    cr_expect_eq(lp_fc_cv_run(&r, y, 7, 1, 6, 1, 2, naive, NULL), LP_EINVAL);
    cr_expect(strstr(lp_error_last()->message, "cv_initial 6 leaves no fold with a full 2-step "
                                               "horizon in 7 points"),
              "%s", lp_error_last()->message);
}

/* ---- the trainers' cross_validate ------------------------------------------------------------ */

static int64_t month(size_t i)
{
    int64_t t0 = 0;
    cr_assert(lp_ts_parse("1949-01-01", 10, 0, &t0));
    return lp_freq_add(LP_FREQ_MONTH_START, t0, (int64_t)i);
}

/* A frame {date, passengers} of v[0..n), rows in the order of `order`
 * (NULL: time order); dates as ISO text when `text`. */
static lp_frame *series_frame(const double *v, size_t n, const size_t *order, bool text)
{
    lp_column_builder *tb = lp_column_builder_new(text ? LP_DT_STRING : LP_DT_TIMESTAMP, n);
    lp_column_builder *yb = lp_column_builder_new(LP_DT_FLOAT64, n);
    for (size_t k = 0; k < n; k++) {
        size_t i = order ? order[k] : k;
        char buf[40];
        if (text) {
            lp_freq_format(month(i), buf);
            cr_assert_eq(lp_column_builder_append_str(tb, buf, strlen(buf)), 0);
        } else {
            cr_assert_eq(lp_column_builder_append_i64(tb, month(i)), 0);
        }
        cr_assert_eq(lp_column_builder_append_f64(yb, v[i]), 0);
    }
    lp_frame *f = lp_frame_new();
    cr_assert_eq(lp_frame_add_column(f, "date", lp_column_builder_finish(tb)), 0);
    cr_assert_eq(lp_frame_add_column(f, "passengers", lp_column_builder_finish(yb)), 0);
    return f;
}

static lp_value *cv_params(int64_t initial, int64_t period, int64_t horizon)
{
    lp_value *p = lp_value_map();
    if (initial) lp_map_set(p, "cv_initial", lp_value_int(initial));
    if (period) lp_map_set(p, "cv_period", lp_value_int(period));
    if (horizon) lp_map_set(p, "cv_horizon", lp_value_int(horizon));
    return p;
}

static lp_value *cross_validate(lp_obj *t, lp_frame *f, lp_value *params)
{
    return lp_call_with(t, "cross_validate", "frame", lp_value_frame(f), "params",
                        params ? params : lp_value_null(), (const char *)NULL);
}

static const char *const ets_yaml = "component: {logger: CaptureLogger, model_trainer: "
                                    "ETSModelTrainer}\n"
                                    "config: {model_target: passengers}\n"
                                    "model_trainer:\n  config: {training_params: {model: MAM}}\n";

Test(forecast_cv, ets_cross_validate_matches_the_bare_ets_in_any_row_order)
{
    lp_obj *t = uw_build(0, ets_yaml, "model_trainer");
    lp_fc_cv_result want;
    cr_assert_eq(lp_fc_cv_run(&want, air, 144, 12, 96, 12, 12, lp_fc_cv_ets, "MAM"), 0);
    size_t order[144];
    for (size_t i = 0; i < 144; i++)
        order[i] = (i * 37) % 144; /* 37 is prime to 144: a permutation */
    for (int text = 0; text < 2; text++) {
        lp_frame *f = series_frame(air, 144, order, text);
        lp_value *cv = cross_validate(t, f, cv_params(96, 12, 12));
        cr_assert_not_null(cv, "%s", lp_error_last()->message);
        cr_expect_eq(lp_value_as_int(lp_map_get(cv, "folds")), 4);
        cr_expect_eq(lp_value_as_int(lp_map_get(cv, "horizon")), 12);
        cr_expect_eq(lp_value_as_int(lp_map_get(cv, "season")), 12, "from the inferred months");
        const char *keys[] = {"mae", "rmse", "mase", "smape"};
        const double *w[] = {want.mae, want.rmse, want.mase, want.smape};
        for (size_t k = 0; k < 4; k++) {
            const lp_value *l = lp_map_get(cv, keys[k]);
            cr_assert_eq(lp_list_len(l), 12, "%s", keys[k]);
            for (size_t j = 0; j < 12; j++)
                cr_expect_float_eq(lp_value_as_float(lp_list_get(l, j)), w[k][j], 1e-9,
                                   "%s step %zu", keys[k], j + 1);
        }
        cr_expect_float_eq(lp_value_as_float(lp_map_get(cv, "mean_mase")), want.mean_mase, 1e-9);
        lp_value_unref(cv);
        lp_frame_unref(f);
    }
    lp_fc_cv_result_free(&want);
}

Test(forecast_cv, defaults_come_from_config_then_the_season)
{
    /* top-level cv_horizon 6; period defaults to it, initial to max(18, 24) */
    lp_obj *t = uw_build(0,
                         "component: {logger: CaptureLogger, model_trainer: ETSModelTrainer}\n"
                         "config: {model_target: passengers, cv_horizon: 6}\n"
                         "model_trainer:\n  config: {training_params: {model: ANN}}\n",
                         "model_trainer");
    lp_frame *f = series_frame(air, 60, NULL, false);
    lp_value *cv = cross_validate(t, f, NULL);
    cr_assert_not_null(cv, "%s", lp_error_last()->message);
    cr_expect_eq(lp_value_as_int(lp_map_get(cv, "horizon")), 6);
    cr_expect_eq(lp_value_as_int(lp_map_get(cv, "period")), 6);
    cr_expect_eq(lp_value_as_int(lp_map_get(cv, "initial")), 24);
    cr_expect_eq(lp_value_as_int(lp_map_get(cv, "folds")), 6, "origins 24, 30, ..., 54");
    lp_value_unref(cv);
    /* without any: horizon = the season (12), initial = 36 */
    t = uw_build(1,
                 "component: {logger: CaptureLogger, model_trainer: ForecastModelTrainer}\n"
                 "config: {model_target: passengers}\n",
                 "model_trainer");
    cv = cross_validate(t, f, NULL);
    cr_assert_not_null(cv, "%s", lp_error_last()->message);
    cr_expect_eq(lp_value_as_int(lp_map_get(cv, "horizon")), 12);
    cr_expect_eq(lp_value_as_int(lp_map_get(cv, "initial")), 36);
    cr_expect_eq(lp_value_as_int(lp_map_get(cv, "folds")), 2);
    cr_expect(isfinite(lp_value_as_float(lp_map_get(cv, "mean_mase"))));
    lp_value_unref(cv);
    lp_frame_unref(f);
}

static void expect_error(lp_value *r, int code, const char *needle)
{
    cr_assert_null(r, "expected an error");
    const lp_error *e = lp_error_last();
    cr_assert_eq(e->code, code, "code %d (want %d): %s", e->code, code, e->message);
    cr_assert_not_null(strstr(e->message, needle), "'%s' not in: %s", needle, e->message);
}

Test(forecast_cv, configuration_errors_name_the_problem)
{
    lp_obj *t = uw_build(0, ets_yaml, "model_trainer");
    lp_frame *f = series_frame(air, 144, NULL, false);
    expect_error(cross_validate(t, f, cv_params(200, 12, 12)), LP_EINVAL,
                 "cv_initial 200 leaves no fold with a full 12-step horizon in 144 points");
    lp_value *p = lp_value_map();
    lp_map_set(p, "cv_horizon", lp_value_string("twelve"));
    expect_error(cross_validate(t, f, p), LP_ECONFIG, "cv_horizon must be an integer >= 1");
    p = lp_value_map();
    lp_map_set(p, "cv_period", lp_value_int(0));
    expect_error(cross_validate(t, f, p), LP_ECONFIG, "cv_period must be an integer >= 1");
    expect_error(lp_call_with(t, "cross_validate", (const char *)NULL), LP_EINVAL,
                 "argument 'frame' is missing");
    t = uw_build(1, "component: {logger: CaptureLogger, model_trainer: ETSModelTrainer}\n",
                 "model_trainer");
    expect_error(cross_validate(t, f, NULL), LP_ECONFIG, "config model_target");
    t = uw_build(1,
                 "component: {logger: CaptureLogger, model_trainer: ETSModelTrainer}\n"
                 "config: {model_target: sales}\n",
                 "model_trainer");
    expect_error(cross_validate(t, f, NULL), LP_EINVAL, "the frame has no target column 'sales'");
    lp_frame_unref(f);
}

/* ---- the tuner picks by cross-validation -------------------------------------------------------
 */

/* Trend and a yearly season with a little deterministic noise. */
static void synthetic(double *v, size_t n)
{
    for (size_t t = 0; t < n; t++)
        v[t] = 200.0 + 1.5 * (double)t + 30.0 * sin(2 * M_PI * (double)t / 12.0) +
               2.0 * sin((double)t * 7.3);
}

static lp_value *splits_of(const double *v, size_t n_train, size_t n_valid)
{
    lp_value *m = lp_value_map();
    const char *names[] = {"passengers"};
    for (int s = 0; s < 2; s++) {
        size_t from = s ? n_train : 0, n = s ? n_valid : n_train;
        size_t *order = malloc(n * sizeof *order);
        for (size_t i = 0; i < n; i++)
            order[i] = from + i;
        lp_frame *f = series_frame(v, from + n, NULL, false), *part = NULL, *X = NULL, *y = NULL;
        cr_assert_eq(lp_frame_take(&part, f, order, n), 0);
        cr_assert_eq(lp_frame_drop(&X, part, names, 1), 0);
        cr_assert_eq(lp_frame_select(&y, part, names, 1), 0);
        lp_map_set(m, s ? "X_valid" : "X_train", lp_value_frame(X));
        lp_map_set(m, s ? "y_valid" : "y_train", lp_value_frame(y));
        lp_frame_unref(X), lp_frame_unref(y), lp_frame_unref(part), lp_frame_unref(f);
        free(order);
    }
    return m;
}

static size_t experiment_ids(int64_t *ids, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < lp_list_len(fk.resources); i++) {
        lp_value *r = lp_list_get(fk.resources, i);
        if (strcmp(lp_value_as_string(lp_map_get(r, "type")), "experiment") == 0 && n < cap)
            ids[n++] = lp_value_as_int(lp_map_get(r, "id"));
    }
    return n;
}

static const lp_value *logged_metrics(int64_t id)
{
    for (size_t i = 0; i < lp_list_len(fk.metrics); i++) {
        lp_value *m = lp_list_get(fk.metrics, i);
        if (lp_value_as_int(lp_map_get(m, "id")) == id) return lp_map_get(m, "metrics");
    }
    return NULL;
}

static bool tag_true(int64_t id, const char *key)
{
    lp_value *v = fake_tag(id, key);
    return lp_value_type(v) == LP_BOOL && lp_value_as_bool(v);
}

#define TUNER_YAML                                                                                 \
    "component: {metadata_tracker: FakeMetadataTracker, logger: CaptureLogger,\n"                  \
    "            metrics_tracker: FakeMetricsTracker, resource_version_control: "                  \
    "FakeVersionControl,\n"                                                                        \
    "            hyperparameter_tuner: LocalHyperparameterTuner,\n"                                \
    "            model_trainer: ForecastModelTrainer}\n"                                           \
    "config: {problem_type: regression, cv_initial: 48, cv_period: 12, cv_horizon: 12}\n"          \
    "hyperparameter_tuner:\n"                                                                      \
    "  component: {model_trainer: ETSModelTrainer}\n"                                              \
    "  config:\n"                                                                                  \
    "    search: %s\n"                                                                             \
    "    metrics: [mae, rmse]\n"                                                                   \
    "    perf_metric: mae\n"                                                                       \
    "    training_params:\n"                                                                       \
    "      ETSModelTrainer: {model: [ANN, %s]}\n"                                                  \
    "      ForecastModelTrainer: {changepoint_prior_scale: [0.05, 0.5]}\n"

Test(forecast_cv, tuner_picks_the_forecaster_with_the_lower_cv_mase)
{
    char yaml[2048];
    snprintf(yaml, sizeof yaml, TUNER_YAML, "grid", "AAN");
    lp_obj *tu = uw_build(0, yaml, "hyperparameter_tuner");
    double v[120];
    synthetic(v, 120);
    lp_value *splits = splits_of(v, 108, 12);
    lp_obj *mt = uw_component(0, "metadata_tracker");
    lp_value *model = lp_metadata_tracker_create_resource(mt, "m", "model", NULL);
    lp_value *mv = lp_metadata_tracker_create_resource(mt, NULL, "model_version", model);
    lp_value *best = lp_hyperparameter_tuner_run_experiment(tu, splits, mv);
    cr_assert_not_null(best, "%s", lp_error_last()->message);
    int64_t ids[8];
    size_t n = experiment_ids(ids, 8);
    cr_assert_eq(n, 4, "ETS ANN and AAN, the additive model twice");
    size_t w = 0, winners = 0;
    double score[8];
    for (size_t i = 0; i < n; i++) {
        const lp_value *cv = fake_tag(ids[i], "cv");
        cr_assert_eq(lp_value_type(cv), LP_MAP, "experiment %zu has its CV tag", i);
        cr_expect_eq(lp_value_as_int(lp_map_get(cv, "folds")), 5, "origins 48, 60, ..., 96");
        cr_expect_eq(lp_list_len(lp_map_get(cv, "mase")), 12, "per horizon step");
        score[i] = lp_value_as_float(lp_map_get(cv, "mean_mase"));
        const lp_value *m = lp_map_get(logged_metrics(ids[i]), "cv");
        cr_expect_float_eq(lp_value_as_float(lp_map_get(m, "mase")), score[i], 1e-12,
                           "the CV means are logged with the metrics");
        if (score[i] < score[w]) w = i;
        winners += tag_true(ids[i], "winner");
    }
    cr_expect_eq(winners, 1);
    cr_expect(tag_true(ids[w], "winner"), "the lowest CV MASE wins");
    cr_expect_str_eq(lp_value_as_string(fake_tag(ids[w], "trainer")), "ForecastModelTrainer");
    cr_expect(score[0] > 2 * score[w], "ETS(A,N,N) cannot follow trend and season: %g vs %g",
              score[0], score[w]);
    bool why = false;
    for (size_t i = 0; i < lp_list_len(fk.log); i++)
        why = why || strstr(lp_value_as_string(lp_list_get(fk.log, i)),
                            "picked by rolling-origin cross-validation");
    cr_expect(why, "the winner is logged with the reason");
    lp_value_unref(best);
    lp_value_unref(mv);
    lp_value_unref(model);
    lp_value_unref(splits);
}

Test(forecast_cv, random_search_scores_by_cv_too_and_an_ets_model_can_win)
{
    char yaml[2048];
    snprintf(yaml, sizeof yaml, TUNER_YAML, "random\n    n_trials: 3\n    seed: 1", "AAA");
    lp_obj *tu = uw_build(0, yaml, "hyperparameter_tuner");
    double v[120];
    synthetic(v, 120);
    lp_value *splits = splits_of(v, 108, 12);
    lp_value *best = lp_hyperparameter_tuner_run_experiment(tu, splits, NULL);
    cr_assert_not_null(best, "%s", lp_error_last()->message);
    bool cv_line = false;
    for (size_t i = 0; i < lp_list_len(fk.log); i++)
        cv_line = cv_line || strstr(lp_value_as_string(lp_list_get(fk.log, i)), "cv_mase=");
    cr_expect(cv_line, "trials report cv_mase");
    lp_value_unref(best);
    lp_value_unref(splits);
}

Test(forecast_cv, bad_cv_settings_stop_the_tuner_at_build)
{
    int rc = uw_try_build(0, "component: {logger: CaptureLogger, hyperparameter_tuner: "
                             "LocalHyperparameterTuner, model_trainer: ETSModelTrainer}\n"
                             "hyperparameter_tuner:\n"
                             "  config:\n"
                             "    problem_type: regression\n"
                             "    cv_horizon: 0\n"
                             "    training_params: {ETSModelTrainer: {model: [ANN, AAN]}}\n");
    cr_expect_neq(rc, 0);
    cr_expect(strstr(lp_error_last()->message, "cv_horizon must be an integer >= 1"), "%s",
              lp_error_last()->message);
}

/* ---- plots: components and CV error from the trainer -------------------------------------- */

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "%s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    cr_assert_eq(fread(b, 1, (size_t)n, f), (size_t)n);
    b[n] = 0;
    fclose(f);
    return b;
}

/* The path in `paths` containing `part` and ending with `ext`, or NULL. */
static const char *path_with(const lp_value *paths, const char *part, const char *ext)
{
    for (size_t i = 0; i < lp_list_len(paths); i++) {
        const char *p = lp_value_as_string(lp_list_get(paths, i));
        size_t n = strlen(p), e = strlen(ext);
        if (strstr(p, part) && n > e && strcmp(p + n - e, ext) == 0) return p;
    }
    return NULL;
}

Test(forecast_cv, visualizer_draws_components_and_cv_error_from_the_trainer)
{
    /* LP_TEST_PLOT_DIR keeps the files for a look */
    const char *dir =
        getenv("LP_TEST_PLOT_DIR") ? getenv("LP_TEST_PLOT_DIR") : uw_tmpdir("fcviz", false);
    char yaml[1024];
    snprintf(yaml, sizeof yaml,
             "component: {logger: CaptureLogger, model_trainer: ForecastModelTrainer,\n"
             "            model_visualizer: LocalModelVisualizer}\n"
             "config: {cv_initial: 72, cv_period: 12, cv_horizon: 12}\n"
             "model_trainer:\n"
             "  config: {training_params: {seasonality_mode: multiplicative}}\n"
             "model_visualizer:\n"
             "  config: {dir: '%s', formats: [svg, png], plots: [forecast, components, "
             "cv_error]}\n",
             dir);
    lp_obj *t = uw_build(0, yaml, "model_trainer");
    lp_obj *viz = uw_component(0, "model_visualizer");
    lp_value *splits = splits_of(air, 132, 12);
    lp_value *model = lp_call_with(t, "fit", "splits", lp_value_ref(splits), (const char *)NULL);
    cr_assert_not_null(model, "%s", lp_error_last()->message);
    lp_value *paths = lp_call_with(viz, "generate_viz", "splits", lp_value_ref(splits), "model",
                                   lp_value_ref(model), (const char *)NULL);
    cr_assert_not_null(paths, "%s", lp_error_last()->message);
    /* forecast, trend, yearly, cv_error: svg and png each */
    cr_expect_eq(lp_list_len(paths), 8, "%zu files", lp_list_len(paths));
    const char *want[][2] = {{"component-1", "Component: trend"},
                             {"component-2", "Component: yearly"},
                             {"cv_error", "Cross-validation error by horizon (5 folds"}};
    for (size_t i = 0; i < 3; i++) {
        const char *svg = path_with(paths, want[i][0], ".svg");
        cr_assert_not_null(svg, "no %s plot", want[i][0]);
        cr_expect_not_null(path_with(paths, want[i][0], ".png"));
        char *text = slurp(svg);
        cr_expect(strstr(text, want[i][1]), "'%s' not in %s", want[i][1], svg);
        free(text);
    }
    char *cv = slurp(path_with(paths, "cv_error", ".svg"));
    cr_expect(strstr(cv, "Steps ahead") && strstr(cv, "RMSE") && strstr(cv, "MAE"));
    free(cv);
    lp_value_unref(paths);
    lp_value_unref(model);
    lp_value_unref(splits);
}

Test(forecast_cv, a_trainer_without_cross_validate_keeps_the_validation_metric)
{
    lp_obj *tu =
        uw_build(0,
                 "component: {logger: CaptureLogger, hyperparameter_tuner: "
                 "LocalHyperparameterTuner, model_trainer: LinearModelTrainer}\n"
                 "config: {problem_type: regression, cv_horizon: 12}\n"
                 "hyperparameter_tuner:\n"
                 "  config:\n"
                 "    training_params: {LinearModelTrainer: {model: ridge, C: [0.1, 1]}}\n",
                 "hyperparameter_tuner");
    cr_assert_not_null(tu);
    bool warned = false;
    for (size_t i = 0; i < lp_list_len(fk.log); i++)
        warned = warned || strstr(lp_value_as_string(lp_list_get(fk.log, i)),
                                  "LinearModelTrainer has no cross_validate: trials are scored "
                                  "by the validation perf_metric");
    cr_expect(warned, "the fallback is logged");
}

/* ---- threads ------------------------------------------------------------------------------- */

Test(forecast_cv, lolpop_threads_sets_the_threads_and_bad_values_fall_back_to_the_cores)
{
    setenv("LOLPOP_THREADS", "3", 1);
    cr_expect_eq(lp_ml_threads(), 3);
    setenv("LOLPOP_THREADS", "99", 1);
    cr_expect_eq(lp_ml_threads(), 16, "at most 16");
    unsetenv("LOLPOP_THREADS");
    size_t cores = lp_ml_threads();
    cr_expect_geq(cores, 1);
    const char *bad[] = {"0", "-2", "two", "3x", ""};
    for (size_t i = 0; i < 5; i++) {
        setenv("LOLPOP_THREADS", bad[i], 1);
        cr_expect_eq(lp_ml_threads(), cores, "LOLPOP_THREADS='%s'", bad[i]);
    }
    unsetenv("LOLPOP_THREADS");
}

typedef struct counted {
    int hits[40];
    int nested[40];
} counted;

static void inner(void *ctx, size_t i)
{
    ((int *)ctx)[i]++;
}

static void outer(void *ctx, size_t i)
{
    counted *c = ctx;
    c->hits[i]++;
    int sub[3] = {0};
    lp_ml_parallel(3, inner, sub); /* inside a task: sequential, still every index once */
    c->nested[i] = sub[0] + sub[1] + sub[2];
}

Test(forecast_cv, every_task_runs_once_nested_runs_too)
{
    setenv("LOLPOP_THREADS", "4", 1);
    counted c = {0};
    lp_ml_parallel(40, outer, &c);
    for (size_t i = 0; i < 40; i++) {
        cr_expect_eq(c.hits[i], 1, "task %zu", i);
        cr_expect_eq(c.nested[i], 3, "task %zu", i);
    }
    lp_ml_parallel(0, outer, &c); /* nothing to do is no error */
    unsetenv("LOLPOP_THREADS");
}

/* The folds (and each fold's automatic ETS choice among its candidates) run
 * in parallel; the numbers are the same bits with 1 thread or 3. */
Test(forecast_cv, the_result_does_not_depend_on_the_number_of_threads)
{
    lp_fc_cv_result r[2];
    const char *threads[2] = {"1", "3"};
    for (size_t t = 0; t < 2; t++) {
        setenv("LOLPOP_THREADS", threads[t], 1);
        cr_assert_eq(lp_fc_cv_run(&r[t], air, 72, 12, 48, 12, 12, lp_fc_cv_ets, "ZZZ"), 0, "%s",
                     lp_error_last()->message);
    }
    unsetenv("LOLPOP_THREADS");
    cr_assert_eq(r[0].n_folds, 2);
    cr_assert_eq(r[1].n_folds, 2);
    cr_expect_eq(memcmp(r[0].mase, r[1].mase, 12 * sizeof(double)), 0);
    cr_expect_eq(memcmp(r[0].rmse, r[1].rmse, 12 * sizeof(double)), 0);
    cr_expect_eq(memcmp(&r[0].mean_mase, &r[1].mean_mase, sizeof(double)), 0);
    lp_fc_cv_result_free(&r[0]);
    lp_fc_cv_result_free(&r[1]);
}

/* A failing fold is reported as the sequential loop did: the first in
 * origin order, named by its origin. */
static int fails_from_60(void *ctx, const double *y, size_t n, size_t m, size_t h, double *out)
{
    (void)ctx, (void)y, (void)m;
    for (size_t j = 0; j < h; j++)
        out[j] = 0;
    return n >= 60 ? lp_error_set(LP_EINVAL, "no fit after %zu values", n) : 0;
}

Test(forecast_cv, the_first_failing_fold_in_origin_order_is_the_error)
{
    setenv("LOLPOP_THREADS", "4", 1);
    lp_fc_cv_result r;
    cr_assert_eq(lp_fc_cv_run(&r, air, 144, 12, 36, 12, 12, fails_from_60, NULL), LP_EINVAL);
    unsetenv("LOLPOP_THREADS");
    const char *msg = lp_error_last()->message;
    cr_expect(strstr(msg, "origin 60") && strstr(msg, "no fit after 60 values"), "%s", msg);
}
