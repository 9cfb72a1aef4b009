/* Unit tests for TimeSeriesRunner's cross-validation hook: with cv_* in the
 * config and a trainer that has cross_validate (here ETSModelTrainer with a
 * probe method added), the runner calls it through the dispatcher with the
 * history and {cv_initial, cv_period, cv_horizon} and returns its result;
 * without cv_* keys or without the method the step is skipped (null). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "components/components_internal.h"
#include "lolpop.h"
#include "runners/runners_internal.h"
#include "unit_workflow.h"

static lp_class runner_copy, probe_class, nocv_class;
static lp_method probe_methods[32], nocv_methods[32];

/* What the probe saw. */
static size_t seen_calls, seen_rows;
static int64_t seen_initial, seen_period, seen_horizon;
static bool seen_target;

static lp_value *probe_cross_validate(lp_obj *self, lp_value *args)
{
    (void)self;
    lp_frame *f = lp_kit_arg_frame(args, "frame", "cross_validate");
    lp_value *p = lp_kit_arg_map(args, "params", "cross_validate");
    if (!f || !p) return NULL;
    seen_calls++;
    seen_rows = lp_frame_rows(f);
    seen_target = lp_frame_find(f, "y") >= 0;
    seen_initial = lp_value_as_int(lp_map_get(p, "cv_initial"));
    seen_period = lp_value_as_int(lp_map_get(p, "cv_period"));
    seen_horizon = lp_value_as_int(lp_map_get(p, "cv_horizon"));
    return lp_kit_result("folds", lp_value_int(3), "horizon", lp_value_int(6), "mean_mase",
                         lp_value_float(0.25), (const char *)NULL);
}

static void setup(void)
{
    runner_copy = lp_timeseries_runner_class;
    runner_copy.name = "TimeSeriesRunnerUnderTest";
    probe_class = lp_ets_model_trainer_class;
    probe_class.name = "CVProbeTrainer";
    size_t n = 0;
    /* ETSModelTrainer's methods, its own cross_validate replaced by the probe */
    for (const lp_method *m = lp_ets_model_trainer_class.methods; m->name && n < 30; m++)
        if (strcmp(m->name, "cross_validate") != 0) probe_methods[n++] = *m;
    /* the same trainer without any cross_validate: the runner must skip CV */
    memcpy(nocv_methods, probe_methods, n * sizeof *probe_methods);
    nocv_methods[n] = (lp_method){NULL, NULL, NULL};
    nocv_class = lp_ets_model_trainer_class;
    nocv_class.name = "NoCVTrainer";
    nocv_class.methods = nocv_methods;
    probe_methods[n++] = (lp_method){"cross_validate", probe_cross_validate, "probe"};
    probe_methods[n] = (lp_method){NULL, NULL, NULL};
    probe_class.methods = probe_methods;
    uw_setup_with(&(uw_options){.runner = &runner_copy});
    cr_assert_eq(lp_registry_add_class(uw_registry(), &probe_class), 0, "%s",
                 lp_error_last()->message);
    cr_assert_eq(lp_registry_add_class(uw_registry(), &nocv_class), 0, "%s",
                 lp_error_last()->message);
    uw_tmpdir("tsrunner", true);
    FILE *tr = fopen("train.csv", "w"), *ev = fopen("eval.csv", "w");
    cr_assert(tr && ev);
    fprintf(tr, "date,y\n");
    for (int i = 0; i < 48; i++)
        fprintf(tr, "%04d-%02d-01,%.3f\n", 1949 + i / 12, i % 12 + 1,
                100 + i + 10 * sin(2 * M_PI * i / 12) + (i % 5) * 0.7);
    fprintf(ev, "date\n");
    for (int i = 0; i < 6; i++)
        fprintf(ev, "1953-%02d-01\n", i + 1);
    fclose(tr);
    fclose(ev);
    seen_calls = seen_rows = 0;
}

static void teardown(void)
{
    uw_teardown();
}

TestSuite(timeseries_runner, .init = setup, .fini = teardown);

static const char *yaml(const char *trainer, bool cv)
{
    static char buf[2048];
    snprintf(buf, sizeof buf,
             "pipeline: {process: OfflineProcess, train: OfflineTrain, deploy: OfflineDeploy, "
             "predict: OfflinePredict}\n"
             "config:\n"
             "  train_data: train.csv\n"
             "  eval_data: eval.csv\n"
             "  model_target: y\n"
             "  time_index: date\n"
             "  forecast_period: 6\n"
             "  run_report: false\n"
             "%s"
             "train:\n"
             "  component:\n"
             "    model_checker: LocalModelChecker\n"
             "    model_trainer: %s\n",
             cv ? "  cv_initial: 24\n  cv_period: 6\n  cv_horizon: 6\n" : "", trainer);
    return buf;
}

Test(timeseries_runner, cross_validate_is_called_with_the_history_and_cv_params)
{
    lp_obj *root = uw_build(0, yaml("CVProbeTrainer", true), NULL);
    lp_value *s = lp_call(root, "build_all", NULL);
    cr_assert_not_null(s, "%s", lp_error_last()->message);
    cr_expect_eq(seen_calls, 1);
    cr_expect_eq(seen_rows, 48, "the whole history, not the training split: %zu", seen_rows);
    cr_expect(seen_target, "the frame holds the target");
    cr_expect_eq(seen_initial, 24);
    cr_expect_eq(seen_period, 6);
    cr_expect_eq(seen_horizon, 6);
    const lp_value *cv = lp_map_get(s, "cross_validation");
    cr_expect_float_eq(lp_value_as_float(lp_map_get(cv, "mean_mase")), 0.25, 1e-12);
    const lp_value *b = lp_map_get(s, "baseline");
    cr_expect(lp_map_get(lp_map_get(b, "model"), "mase"), "the baseline comparison is summarised");
    cr_expect(lp_map_get(lp_map_get(lp_map_get(b, "baselines"), "seasonal_naive"), "mase"),
              "the model checker compared the forecast with seasonal naive");
    lp_value_unref(s);
}

Test(timeseries_runner, no_cv_keys_skip_cross_validation)
{
    lp_obj *root = uw_build(0, yaml("CVProbeTrainer", false), NULL);
    lp_value *s = lp_call(root, "build_all", NULL);
    cr_assert_not_null(s, "%s", lp_error_last()->message);
    cr_expect_eq(seen_calls, 0);
    cr_expect_eq(lp_value_type(lp_map_get(s, "cross_validation")), LP_NULL);
    lp_value_unref(s);
}

Test(timeseries_runner, a_trainer_without_cross_validate_is_skipped)
{
    lp_obj *root = uw_build(0, yaml("NoCVTrainer", true), NULL);
    lp_value *s = lp_call(root, "build_all", NULL);
    cr_assert_not_null(s, "%s", lp_error_last()->message);
    cr_expect_eq(lp_value_type(lp_map_get(s, "cross_validation")), LP_NULL);
    cr_expect_eq(lp_value_type(lp_map_get(lp_map_get(s, "predictions"), "rows")), LP_INT);
    cr_expect_eq(lp_value_as_int(lp_map_get(lp_map_get(s, "predictions"), "rows")), 6);
    lp_value_unref(s);
}
