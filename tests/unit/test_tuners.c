/*
 * test_tuners.c — LocalHyperparameterTuner and TPEHyperparameterTuner
 * through the dispatcher, with in-memory tracking components
 * (fake_tracking.h): one experiment per trial with its tags, metrics and
 * stored model; grid order and size, max_trials, random and TPE
 * reproducible for a seed, the winner best in the perf_metric's direction
 * (and the only one tagged, also across runs), competing trainers, failing
 * trials, pruning, progress lines and the configuration errors.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_tracking.h"
#include "core/internal.h"
#include "lolpop.h"
#include "lolpop/progress.h"
#include "lolpop/types/hyperparameter_tuner.h"
#include "lolpop/types/metadata_tracker.h"
#include "unit_workflow.h"

static void setup(void)
{
    uw_setup();
    fake_register(uw_registry());
}

static void teardown(void)
{
    uw_teardown();
    fake_reset();
}

TestSuite(tuners, .init = setup, .fini = teardown);

/* ---- workflows and data ---------------------------------------------------------------- */

/* Components added at the root next to the tuner (flow map entries, ", "-led). */
static const char *root_components = "";

/* The text of a workflow with the fake tracking components, the tuner `cls`
 * whose own children are `children` (flow map body, may be empty) and whose
 * config is `config` (YAML lines indented by 4), plus `extra` top-level YAML;
 * a static buffer, valid until the next call. */
static const char *tuner_yaml(const char *cls, const char *children, const char *config,
                              const char *extra)
{
    static char yaml[8192];
    snprintf(yaml, sizeof yaml,
             "component: {metadata_tracker: FakeMetadataTracker, logger: CaptureLogger,\n"
             "            metrics_tracker: FakeMetricsTracker,\n"
             "            resource_version_control: FakeVersionControl,\n"
             "            hyperparameter_tuner: %s%s}\n"
             "hyperparameter_tuner:\n"
             "  component: {%s}\n"
             "  config:\n%s"
             "%s",
             cls, root_components, children, config, extra ? extra : "");
    return yaml;
}

static int try_tuner(int slot, const char *cls, const char *children, const char *config,
                     const char *extra)
{
    return uw_try_build(slot, tuner_yaml(cls, children, config, extra));
}

static lp_obj *tuner(int slot, const char *cls, const char *children, const char *config,
                     const char *extra)
{
    return uw_build(slot, tuner_yaml(cls, children, config, extra), "hyperparameter_tuner");
}

static void add_split(lp_value *map, const char *path, const char *split, const char *target)
{
    lp_frame *f = NULL, *X = NULL, *y = NULL;
    cr_assert_eq(lp_csv_read(&f, path, NULL), 0, "%s", lp_error_last()->message);
    const char *names[] = {target};
    cr_assert_eq(lp_frame_drop(&X, f, names, 1), 0);
    cr_assert_eq(lp_frame_select(&y, f, names, 1), 0);
    char key[32];
    snprintf(key, sizeof key, "X_%s", split);
    lp_map_set(map, key, lp_value_frame(X));
    snprintf(key, sizeof key, "y_%s", split);
    lp_map_set(map, key, lp_value_frame(y));
    lp_frame_unref(X);
    lp_frame_unref(y);
    lp_frame_unref(f);
}

static lp_value *fixture_splits(const char *dir, const char *data, const char *target)
{
    lp_value *m = lp_value_map();
    char path[512];
    snprintf(path, sizeof path, "%s/%s/%s_train.csv", LP_FIXTURES_DIR, dir, data);
    add_split(m, path, "train", target);
    snprintf(path, sizeof path, "%s/%s/%s_valid.csv", LP_FIXTURES_DIR, dir, data);
    add_split(m, path, "valid", target);
    return m;
}

/* A model version under model "m", created with the workflow's tracker. */
static lp_value *model_version(int slot)
{
    lp_obj *t = uw_component(slot, "metadata_tracker");
    lp_value *model = lp_metadata_tracker_create_resource(t, "m", "model", NULL);
    lp_value *mv = lp_metadata_tracker_create_resource(t, NULL, "model_version", model);
    lp_value_unref(model);
    return mv;
}

static lp_value *run(lp_obj *tu, lp_value *splits, lp_value *mv)
{
    lp_value *best = lp_hyperparameter_tuner_run_experiment(tu, splits, mv);
    cr_assert_not_null(best, "%s", lp_error_last()->message);
    cr_assert_not_null(lp_value_as_model(best));
    return best;
}

/* ---- what the fakes recorded ----------------------------------------------------------- */

/* Ids of the experiments, in creation order, from index `from` on. */
static size_t experiment_ids(int64_t *ids, size_t cap, size_t from)
{
    size_t n = 0, seen = 0;
    for (size_t i = 0; i < lp_list_len(fk.resources); i++) {
        lp_value *r = lp_list_get(fk.resources, i);
        if (strcmp(lp_value_as_string(lp_map_get(r, "type")), "experiment") != 0) continue;
        if (seen++ >= from && n < cap) ids[n++] = lp_value_as_int(lp_map_get(r, "id"));
    }
    return n;
}

static double valid_metric(int64_t id, const char *name)
{
    for (size_t i = 0; i < lp_list_len(fk.metrics); i++) {
        lp_value *m = lp_list_get(fk.metrics, i);
        if (lp_value_as_int(lp_map_get(m, "id")) == id)
            return lp_value_as_float(
                lp_map_get(lp_map_get(lp_map_get(m, "metrics"), "valid"), name));
    }
    cr_assert_fail("no metrics logged for experiment %lld", (long long)id);
    return NAN;
}

static bool tag_true(int64_t id, const char *key)
{
    lp_value *v = fake_tag(id, key);
    return lp_value_type(v) == LP_BOOL && lp_value_as_bool(v);
}

static lp_model *stored_model(int64_t id)
{
    for (size_t i = 0; i < lp_list_len(fk.models); i++) {
        lp_value *m = lp_list_get(fk.models, i);
        if (lp_value_as_int(lp_map_get(m, "id")) == id)
            return lp_value_as_model(lp_map_get(m, "model"));
    }
    return NULL;
}

static bool vc_registered(int64_t id)
{
    for (size_t i = 0; i < lp_list_len(fk.vc); i++) {
        lp_value *v = lp_list_get(fk.vc, i);
        if (lp_value_as_int(lp_map_get(v, "id")) == id &&
            strcmp(lp_value_as_string(lp_map_get(v, "key")), "model") == 0)
            return true;
    }
    return false;
}

/* params tags of experiments [from, from + n) rendered as one string. */
static char *params_sequence(size_t from, size_t n)
{
    int64_t ids[64];
    cr_assert_eq(experiment_ids(ids, 64, from), n);
    lp_value *all = lp_value_list();
    for (size_t i = 0; i < n; i++)
        lp_list_append(all, lp_value_copy(fake_tag(ids[i], "params")));
    char *s = lp_value_to_string(all);
    lp_value_unref(all);
    return s;
}

/* The index (into ids) of the best experiment by `metric` in its direction; first on ties. */
static size_t best_index(const int64_t *ids, size_t n, const char *metric, bool maximize)
{
    size_t best = 0;
    for (size_t i = 1; i < n; i++) {
        double a = valid_metric(ids[i], metric), b = valid_metric(ids[best], metric);
        if (maximize ? a > b : a < b) best = i;
    }
    return best;
}

static void expect_error(lp_value *r, int code, const char *needle)
{
    cr_assert_null(r, "expected an error");
    const lp_error *e = lp_error_last();
    cr_assert_eq(e->code, code, "code %d (want %d): %s", e->code, code, e->message);
    cr_assert_not_null(strstr(e->message, needle), "'%s' not in: %s", needle, e->message);
}

static const char *const xgb_child = "model_trainer: XGBoostModelTrainer";
static const char *const xgb_section = "  model_trainer:\n"
                                       "    config: {training_params: {nthread: 1}}\n";

/* ---- grid ---------------------------------------------------------------------------------- */

Test(tuners, grid_runs_every_combination_as_an_experiment_and_tags_the_best)
{
    char config[1024];
    snprintf(config, sizeof config,
             "    problem_type: classification\n"
             "    training_params:\n"
             "      XGBoostModelTrainer: {max_depth: [1, 2, 3], eta: [0.1, 0.6], "
             "num_boost_round: 5}\n%s",
             xgb_section);
    lp_obj *tu = tuner(0, "LocalHyperparameterTuner", xgb_child, config, NULL);
    lp_value *splits = fixture_splits("xgb", "binary", "y"), *mv = model_version(0);
    lp_value *best = run(tu, splits, mv);
    int64_t ids[16];
    size_t n = experiment_ids(ids, 16, 0);
    cr_assert_eq(n, 6, "3 x 2 combinations");
    cr_assert_eq(lp_list_len(fk.metrics), 6);
    /* itertools.product order: the last key varies fastest */
    const int64_t depth[] = {1, 1, 2, 2, 3, 3};
    const double eta[] = {0.1, 0.6, 0.1, 0.6, 0.1, 0.6};
    for (size_t i = 0; i < n; i++) {
        lp_value *p = fake_tag(ids[i], "params");
        cr_assert_eq(lp_value_as_int(lp_map_get(p, "max_depth")), depth[i], "trial %zu", i);
        cr_assert_eq(lp_value_as_float(lp_map_get(p, "eta")), eta[i]);
        cr_assert_eq(lp_value_as_int(lp_map_get(p, "nthread")), 1, "trainer's own params kept");
        cr_assert_str_eq(lp_value_as_string(fake_tag(ids[i], "trainer")), "XGBoostModelTrainer");
        cr_assert(vc_registered(ids[i]), "model of trial %zu stored", i);
    }
    size_t w = best_index(ids, n, "f1", true);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(tag_true(ids[i], "winner"), i == w, "winner tag of trial %zu", i);
    cr_assert_eq(lp_value_as_model(best), stored_model(ids[w]), "the winner's model is returned");
    cr_assert_eq(fake_log_count("INFO trial "), 6);
    cr_assert_eq(fake_log_count("INFO trial 1/6 XGBoostModelTrainer f1="), 1);
    cr_assert_eq(fake_log_count("(best "), 6);
    lp_value_unref(best);
    lp_value_unref(mv);
    lp_value_unref(splits);
}

static lp_value *take(lp_obj *tu, lp_value *splits, lp_value *model)
{
    lp_value *r = lp_call_with(tu, "take_winner_predictions", "splits", lp_value_ref(splits),
                               "model", lp_value_ref(model), (const char *)NULL);
    cr_assert_not_null(r, "%s", lp_error_last()->message);
    return r;
}

/* The winner's predictions are what its trainer predicts on each split (labels and
 * probabilities, row for row), handed over once, and only for its model and frames. */
static void check_winner_predictions(const char *cls)
{
    char config[1024];
    snprintf(config, sizeof config,
             "    problem_type: classification\n"
             "    n_trials: 3\n    n_startup_trials: 3\n"
             "    training_params:\n"
             "      XGBoostModelTrainer: {max_depth: [1, 3], eta: [0.1, 0.6], "
             "num_boost_round: 5}\n%s",
             xgb_section);
    if (strcmp(cls, "LocalHyperparameterTuner") == 0) /* no n_trials in a grid */
        snprintf(config, sizeof config,
                 "    problem_type: classification\n"
                 "    training_params:\n"
                 "      XGBoostModelTrainer: {max_depth: [1, 3], eta: [0.1, 0.6], "
                 "num_boost_round: 5}\n%s",
                 xgb_section);
    lp_obj *tu = tuner(0, cls, xgb_child, config, NULL);
    lp_obj *trainer = lp_obj_component(tu, "model_trainer");
    cr_assert_not_null(trainer);
    lp_value *splits = fixture_splits("xgb", "binary", "y"), *mv = model_version(0);
    lp_value *best = run(tu, splits, mv);

    /* another model, or other frames: nothing, and the winner's are let go */
    lp_value *other = lp_value_map();
    lp_map_set(other, "X_train", lp_value_ref(lp_map_get(splits, "X_valid")));
    lp_map_set(other, "X_valid", lp_value_ref(lp_map_get(splits, "X_valid")));
    lp_value *none = take(tu, other, best);
    cr_assert_eq(lp_value_type(none), LP_NULL, "other split frames: no predictions");
    lp_value_unref(none);
    none = take(tu, splits, best);
    cr_assert_eq(lp_value_type(none), LP_NULL, "let go after the first ask");
    lp_value_unref(none);

    lp_value_unref(best);
    best = run(tu, splits, mv);
    lp_value *preds = take(tu, splits, best);
    cr_assert_eq(lp_value_type(preds), LP_MAP, "the winner's predictions");
    static const char *const split[] = {"train", "valid"};
    for (size_t s = 0; s < 2; s++) {
        char xk[16];
        snprintf(xk, sizeof xk, "X_%s", split[s]);
        lp_frame *got = lp_value_as_frame(lp_map_get(preds, split[s]));
        cr_assert_not_null(got, "%s predictions", split[s]);
        lp_value *pl =
            lp_call_with(trainer, "predict", "frame", lp_value_ref(lp_map_get(splits, xk)), "model",
                         lp_value_ref(best), (const char *)NULL);
        lp_value *pp =
            lp_call_with(trainer, "predict_proba", "frame", lp_value_ref(lp_map_get(splits, xk)),
                         "model", lp_value_ref(best), (const char *)NULL);
        cr_assert(pl && pp, "%s", lp_error_last()->message);
        lp_frame *lab = lp_value_as_frame(pl), *pro = lp_value_as_frame(pp);
        cr_assert_eq(lp_frame_rows(got), lp_frame_rows(lab));
        cr_assert_eq(lp_frame_cols(got), 1 + lp_frame_cols(pro));
        const lp_column *gl = lp_frame_col(got, (size_t)lp_frame_find(got, "prediction"));
        const lp_column *wl = lp_frame_col(lab, 0);
        cr_assert_eq(gl->type, wl->type);
        bool text = gl->type == LP_DT_STRING || gl->type == LP_DT_CATEGORY;
        for (size_t i = 0; i < lp_frame_rows(got); i++) {
            size_t a = 0, b = 0;
            const char *sa = text ? lp_column_str(gl, i, &a) : "";
            const char *sb = text ? lp_column_str(wl, i, &b) : "";
            cr_assert(a == b && memcmp(sa, sb, a) == 0 &&
                          (text || lp_column_get_f64(gl, i) == lp_column_get_f64(wl, i)),
                      "%s label of row %zu", split[s], i);
        }
        for (size_t j = 0; j < lp_frame_cols(pro); j++) {
            long k = lp_frame_find(got, lp_frame_name(pro, j));
            cr_assert_geq(k, 0, "%s has %s", split[s], lp_frame_name(pro, j));
            cr_assert_eq(memcmp(lp_frame_col(got, (size_t)k)->data.f64,
                                lp_frame_col(pro, j)->data.f64,
                                lp_frame_rows(got) * sizeof(double)),
                         0, "%s %s bit for bit", split[s], lp_frame_name(pro, j));
        }
        lp_value_unref(pl);
        lp_value_unref(pp);
    }
    lp_value_unref(preds);
    none = take(tu, splits, best);
    cr_assert_eq(lp_value_type(none), LP_NULL, "handed over once");
    lp_value_unref(none);
    lp_value_unref(other);
    lp_value_unref(best);
    lp_value_unref(mv);
    lp_value_unref(splits);
}

Test(tuners, the_grid_winners_predictions_are_handed_over_once_for_its_model_and_frames)
{
    check_winner_predictions("LocalHyperparameterTuner");
}

Test(tuners, the_tpe_winners_predictions_are_handed_over_once_for_its_model_and_frames)
{
    check_winner_predictions("TPEHyperparameterTuner");
}

/* OfflineTrain's analyze_model gives the checker the winner's predictions instead of
 * scoring again; without them (asked a second time: the tuner let go) the checker scores,
 * with the same baseline comparison. */
Test(tuners, analyze_model_reuses_the_winners_predictions_and_scores_without_them)
{
    uw_tmpdir("tuner-analyze", true);
    lp_obj *train = uw_build(
        0,
        "component: {metadata_tracker: FakeMetadataTracker, logger: CaptureLogger,\n"
        "            metrics_tracker: FakeMetricsTracker}\n"
        "logger: {config: {log_level: DEBUG}}\n"
        "pipeline: {train: OfflineTrain}\n"
        "config: {problem_type: classification, model_name: m}\n"
        "train:\n"
        "  component: {hyperparameter_tuner: LocalHyperparameterTuner,\n"
        "              model_trainer: XGBoostModelTrainer, model_checker: LocalModelChecker}\n"
        "  hyperparameter_tuner:\n"
        "    config:\n"
        "      training_params:\n"
        "        XGBoostModelTrainer: {max_depth: [1, 3], num_boost_round: 5}\n"
        "  model_trainer: {config: {training_params: {nthread: 1}}}\n"
        "  model_checker: {config: {dir: reports}}\n",
        NULL);
    train = lp_obj_pipeline(train, "train");
    cr_assert_not_null(train, "the train pipeline");
    lp_value *splits = fixture_splits("xgb", "binary", "y");
    lp_value *trained = lp_call_with(train, "train_model", "splits", lp_value_ref(splits),
                                     "dataset_version", lp_value_null(), (const char *)NULL);
    cr_assert_not_null(trained, "%s", lp_error_last()->message);
    lp_value *model = lp_map_get(trained, "model");
    lp_value *first =
        lp_call_with(train, "analyze_model", "splits", lp_value_ref(splits), "model_version",
                     lp_value_null(), "model", lp_value_ref(model), (const char *)NULL);
    cr_assert_not_null(first, "%s", lp_error_last()->message);
    cr_assert_eq(fake_log_count("the winning trial's predictions reused"), 1);
    cr_assert_eq(fake_log_count("split: the given predictions (not scored again)"), 2,
                 "train and valid from the trial");
    cr_assert_eq(fake_log_count("split: scored"), 0);
    /* check_model uses (and ends) the checker's evaluation; then nothing is left to reuse */
    lp_value *chk =
        lp_call_with(train, "check_model", "splits", lp_value_ref(splits), "model_version",
                     lp_value_null(), "model", lp_value_ref(model), (const char *)NULL);
    cr_assert_not_null(chk, "%s", lp_error_last()->message);
    cr_assert_eq(fake_log_count("split: scored"), 0, "check_model reused the evaluation");
    lp_value *second =
        lp_call_with(train, "analyze_model", "splits", lp_value_ref(splits), "model_version",
                     lp_value_null(), "model", lp_value_ref(model), (const char *)NULL);
    cr_assert_not_null(second, "%s", lp_error_last()->message);
    cr_assert_eq(fake_log_count("no trial predictions; the checker scores"), 1);
    cr_assert_eq(fake_log_count("split: scored"), 2, "train and valid scored");
    cr_assert(lp_value_equal(lp_map_get(first, "baseline"), lp_map_get(second, "baseline")),
              "the same comparison either way");
    lp_value_unref(first);
    lp_value_unref(second);
    lp_value_unref(chk);
    lp_value_unref(trained);
    lp_value_unref(splits);
}

/* Progress reports seen by a handler (issue 11 Fix 9). */
static struct {
    int trial_begins, trial_ends, round_begins, round_ends;
    uint64_t trials_total, trials_done, rounds_total, rounds_done;
} seen;

static void record_progress(const lp_progress *p, void *ctx)
{
    (void)ctx;
    bool trials = strcmp(p->what, "tuning trials") == 0;
    bool rounds = strcmp(p->what, "xgboost training") == 0;
    cr_assert(trials || rounds, "unexpected progress task '%s'", p->what);
    cr_assert_str_eq(p->unit, trials ? "trials" : "rounds");
    if (p->done == 0 && !p->finished) (*(trials ? &seen.trial_begins : &seen.round_begins))++;
    if (!p->finished) return;
    (*(trials ? &seen.trial_ends : &seen.round_ends))++;
    *(trials ? &seen.trials_total : &seen.rounds_total) = p->total;
    *(trials ? &seen.trials_done : &seen.rounds_done) = p->done;
}

Test(tuners, trials_and_training_rounds_report_progress)
{
    char config[1024];
    snprintf(config, sizeof config,
             "    problem_type: classification\n"
             "    training_params:\n"
             "      XGBoostModelTrainer: {max_depth: [1, 2, 3], num_boost_round: 7}\n%s",
             xgb_section);
    lp_obj *tu = tuner(0, "LocalHyperparameterTuner", xgb_child, config, NULL);
    lp_value *splits = fixture_splits("xgb", "binary", "y"), *mv = model_version(0);
    memset(&seen, 0, sizeof seen);
    lp_progress_set_handler(record_progress, NULL);
    lp_value *best = run(tu, splits, mv);
    lp_progress_set_handler(NULL, NULL);
    cr_assert_eq(seen.trial_begins, 1);
    cr_assert_eq(seen.trial_ends, 1);
    cr_assert_eq(seen.trials_total, 3);
    cr_assert_eq(seen.trials_done, 3);
    cr_assert_eq(seen.round_begins, 3, "one training task per trial");
    cr_assert_eq(seen.round_ends, 3);
    cr_assert_eq(seen.rounds_total, 7);
    cr_assert_eq(seen.rounds_done, 7);
    lp_value_unref(best);
    lp_value_unref(mv);
    lp_value_unref(splits);
}

Test(tuners, max_trials_caps_the_grid)
{
    char config[1024];
    snprintf(config, sizeof config,
             "    problem_type: classification\n"
             "    max_trials: 4\n"
             "    training_params:\n"
             "      XGBoostModelTrainer: {max_depth: [1, 2, 3], eta: [0.1, 0.6], "
             "num_boost_round: 3}\n%s",
             xgb_section);
    lp_obj *tu = tuner(0, "LocalHyperparameterTuner", xgb_child, config, NULL);
    lp_value *splits = fixture_splits("xgb", "binary", "y"), *mv = model_version(0);
    lp_value *best = run(tu, splits, mv);
    cr_assert_eq(fake_count("experiment"), 4);
    cr_assert_eq(fake_log_count("trial 4/4"), 1);
    lp_value_unref(best);
    lp_value_unref(mv);
    lp_value_unref(splits);
}

Test(tuners, lower_is_better_metrics_pick_the_smallest)
{
    char config[1024];
    snprintf(config, sizeof config,
             "    problem_type: regression\n"
             "    metrics: [rmse, mae]\n"
             "    perf_metric: rmse\n"
             "    training_params:\n"
             "      XGBoostModelTrainer: {max_depth: [1, 4], eta: [0.05, 0.3], "
             "num_boost_round: 10}\n%s",
             xgb_section);
    lp_obj *tu = tuner(0, "LocalHyperparameterTuner", xgb_child, config, NULL);
    lp_value *splits = fixture_splits("xgb", "reg", "target"), *mv = model_version(0);
    lp_value *best = run(tu, splits, mv);
    int64_t ids[8];
    size_t n = experiment_ids(ids, 8, 0);
    cr_assert_eq(n, 4);
    lp_value *logged = lp_map_get(lp_map_get(lp_list_get(fk.metrics, 0), "metrics"), "valid");
    cr_assert_eq(lp_map_len(logged), 2, "only the metrics asked for");
    cr_assert_str_eq(lp_value_as_string(lp_map_get(lp_list_get(fk.metrics, 0), "perf_metric")),
                     "rmse");
    size_t w = best_index(ids, n, "rmse", false);
    cr_assert_neq(best_index(ids, n, "rmse", true), w, "the scores differ");
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(tag_true(ids[i], "winner"), i == w, "trial %zu", i);
    cr_assert_eq(lp_value_as_model(best), stored_model(ids[w]));
    lp_value_unref(best);
    lp_value_unref(mv);
    lp_value_unref(splits);
}

Test(tuners, trainers_compete_and_the_winner_moves_across_runs)
{
    const char *config = "    problem_type: classification\n"
                         "    training_params:\n"
                         "      XGBoostModelTrainer: {max_depth: [1, 2], num_boost_round: 5}\n"
                         "      LinearModelTrainer: {C: [0.01, 1.0]}\n";
    /* one slot, one trainer: XGBoost under the tuner, liblinear at the root */
    root_components = ", model_trainer: LinearModelTrainer";
    lp_obj *tu = tuner(0, "LocalHyperparameterTuner", xgb_child, config, NULL);
    lp_value *splits = fixture_splits("linear", "logistic_binary", "y"), *mv = model_version(0);
    lp_value *best = run(tu, splits, mv);
    int64_t ids[16];
    cr_assert_eq(experiment_ids(ids, 16, 0), 4);
    const char *want[] = {"XGBoostModelTrainer", "XGBoostModelTrainer", "LinearModelTrainer",
                          "LinearModelTrainer"};
    for (size_t i = 0; i < 4; i++)
        cr_assert_str_eq(lp_value_as_string(fake_tag(ids[i], "trainer")), want[i]);
    size_t w1 = best_index(ids, 4, "f1", true);
    lp_value_unref(best);
    /* a second search under the same version: its winner takes the tag */
    best = run(tu, splits, mv);
    cr_assert_eq(experiment_ids(ids, 16, 0), 8);
    size_t w2 = 4 + best_index(ids + 4, 4, "f1", true), winners = 0;
    for (size_t i = 0; i < 8; i++)
        winners += tag_true(ids[i], "winner");
    cr_assert_eq(winners, 1);
    cr_assert(tag_true(ids[w2], "winner"));
    lp_value *old = fake_tag(ids[w1], "winner");
    cr_assert(lp_value_type(old) == LP_BOOL && !lp_value_as_bool(old),
              "the earlier winner is tagged false");
    lp_value_unref(best);
    lp_value_unref(mv);
    lp_value_unref(splits);
}

Test(tuners, without_a_model_version_nothing_is_tracked)
{
    const char *config = "    problem_type: classification\n"
                         "    training_params:\n"
                         "      LinearModelTrainer: {C: [0.1, 1.0]}\n";
    lp_obj *tu =
        tuner(0, "LocalHyperparameterTuner", "model_trainer: LinearModelTrainer", config, NULL);
    lp_value *splits = fixture_splits("linear", "logistic_binary", "y");
    lp_value *best = run(tu, splits, NULL);
    cr_assert_eq(lp_list_len(fk.resources), 0);
    cr_assert_eq(lp_list_len(fk.tags), 0);
    cr_assert_eq(lp_list_len(fk.models), 0);
    cr_assert_eq(fake_log_count("trial 2/2 LinearModelTrainer f1="), 1);
    lp_value_unref(best);
    lp_value_unref(splits);
}

/* ---- random and TPE ----------------------------------------------------------------------- */

/* Runs a search whose trainer is the model_trainer visible from the tuner
 * (declared at the root, not under the tuner) and returns the params tags
 * of its n trials. */
static char *search_once(int slot, const char *cls, const char *config, size_t n)
{
    root_components = ", model_trainer: XGBoostModelTrainer";
    /* the root trainer sees the runner's problem_type, not the tuner's */
    lp_obj *tu = tuner(slot, cls, "", config,
                       "config: {problem_type: classification, model_name: m}\n"
                       "model_trainer:\n  config: {training_params: {nthread: 1}}\n");
    lp_value *splits = fixture_splits("xgb", "binary", "y"), *mv = model_version(slot);
    size_t before = fake_count("experiment");
    lp_value *best = run(tu, splits, mv);
    lp_value_unref(best);
    lp_value_unref(mv);
    lp_value_unref(splits);
    return params_sequence(before, n);
}

Test(tuners, random_search_is_reproducible_for_a_seed)
{
#define RANDOM_SPACE(seed)                                                                         \
    "    problem_type: classification\n"                                                           \
    "    search: random\n"                                                                         \
    "    n_trials: 5\n"                                                                            \
    "    seed: " seed "\n"                                                                         \
    "    training_params:\n"                                                                       \
    "      XGBoostModelTrainer:\n"                                                                 \
    "        max_depth: {low: 1, high: 4}\n"                                                       \
    "        eta: {low: 0.05, high: 0.5, log: true}\n"                                             \
    "        num_boost_round: 3\n"
    const char *c3 = RANDOM_SPACE("3"), *c4 = RANDOM_SPACE("4");
    char *a = search_once(0, "LocalHyperparameterTuner", c3, 5);
    char *b = search_once(1, "LocalHyperparameterTuner", c3, 5);
    char *c = search_once(0, "LocalHyperparameterTuner", c4, 5);
    cr_assert_str_eq(a, b);
    cr_assert_str_neq(a, c);
    free(a);
    free(b);
    free(c);
}

Test(tuners, tpe_is_reproducible_for_a_seed_and_prunes_hopeless_trials)
{
    const char *config = "    problem_type: classification\n"
                         "    n_trials: 14\n"
                         "    n_startup_trials: 4\n"
                         "    seed: 11\n"
                         "    training_params:\n"
                         "      XGBoostModelTrainer:\n"
                         "        max_depth: {low: 1, high: 6}\n"
                         "        eta: {low: 0.001, high: 0.5, log: true}\n"
                         "        num_boost_round: {low: 1, high: 8}\n";
    char *a = search_once(0, "TPEHyperparameterTuner", config, 14);
    int64_t ids[32];
    cr_assert_eq(experiment_ids(ids, 32, 0), 14);
    size_t pruned = 0;
    for (size_t i = 0; i < 14; i++) {
        bool p = tag_true(ids[i], "pruned");
        pruned += p;
        cr_assert_eq(vc_registered(ids[i]), !p, "trial %zu: stored iff not pruned", i);
        cr_assert(!(p && tag_true(ids[i], "winner")), "a pruned trial never wins");
    }
    cr_assert(pruned > 0, "median pruning stopped some trials");
    cr_assert_eq(fake_log_count(" pruned"), pruned);
    char *b = search_once(1, "TPEHyperparameterTuner", config, 14);
    cr_assert_str_eq(a, b);
    free(a);
    free(b);
}

/* ---- failures ------------------------------------------------------------------------------ */

/* liblinear refuses epsilon with any model but svr when it trains: a rule
 * between two parameters, so each trial's own check passes and the failure
 * comes from the fit, as a data-dependent one would. */
static const char *const linear_regression = "    problem_type: regression\n"
                                             "    metrics: [rmse, mae]\n"
                                             "    perf_metric: rmse\n"
                                             "    search: grid\n"
                                             "    training_params:\n";

Test(tuners, a_failing_trial_is_skipped_and_all_failing_is_an_error)
{
    char config[1024];
    snprintf(config, sizeof config,
             "%s      LinearModelTrainer: {model: [svr, ridge, svr], "
             "epsilon: 0.1, C: [1.0]}\n",
             linear_regression);
    lp_obj *tu =
        tuner(0, "LocalHyperparameterTuner", "model_trainer: LinearModelTrainer", config, NULL);
    lp_value *splits = fixture_splits("linear", "regression", "y"), *mv = model_version(0);
    lp_value *best = run(tu, splits, mv);
    int64_t ids[8];
    cr_assert_eq(experiment_ids(ids, 8, 0), 3);
    cr_assert_not_null(fake_tag(ids[1], "error"), "the failed experiment says why");
    cr_assert_null(fake_tag(ids[0], "error"));
    cr_assert_eq(fake_log_count("WARN trial 2/3 LinearModelTrainer failed:"), 1);
    cr_assert_eq(fake_log_count("epsilon applies to model: svr only"), 1);
    cr_assert(!tag_true(ids[1], "winner"));
    cr_assert(tag_true(ids[0], "winner") != tag_true(ids[2], "winner"));
    lp_value_unref(best);

    snprintf(config, sizeof config,
             "%s      LinearModelTrainer: {model: [ridge], "
             "epsilon: [0.1, 0.2]}\n",
             linear_regression);
    tu = tuner(1, "LocalHyperparameterTuner", "model_trainer: LinearModelTrainer", config, NULL);
    expect_error(lp_hyperparameter_tuner_run_experiment(tu, splits, mv), LP_EINVAL,
                 "all 2 trials failed; the last, trial 2 (LinearModelTrainer):");
    lp_value_unref(mv);
    lp_value_unref(splits);
}

/* Issue 11 Fix 6: the same failure in the first two trials does not depend on
 * the parameters, so the search stops there instead of running the rest. */
Test(tuners, the_same_failure_twice_stops_the_search)
{
    char config[1024];
    snprintf(config, sizeof config,
             "%s      LinearModelTrainer: {model: [ridge], "
             "epsilon: [0.1, 0.2, 0.3, 0.4]}\n",
             linear_regression);
    lp_obj *tu =
        tuner(0, "LocalHyperparameterTuner", "model_trainer: LinearModelTrainer", config, NULL);
    lp_value *splits = fixture_splits("linear", "regression", "y"), *mv = model_version(0);
    expect_error(lp_hyperparameter_tuner_run_experiment(tu, splits, mv), LP_EINVAL,
                 "LocalHyperparameterTuner (hyperparameter_tuner): stopped after trial 2 of 4: "
                 "trial 2 (LinearModelTrainer): ");
    expect_error(NULL, LP_EINVAL,
                 " (the same in the first two trials); this failure does not depend on the "
                 "parameters, so the other trials would fail alike");
    int64_t ids[8];
    cr_assert_eq(experiment_ids(ids, 8, 0), 2, "trials 3 and 4 never ran");
    lp_value_unref(mv);
    lp_value_unref(splits);
}

/* A trial value the trainer would refuse stops the workflow before it
 * runs, located at the value (test_validate has the CLI's messages). */
Test(tuners, a_trial_value_the_trainer_refuses_stops_the_workflow)
{
    char config[1024];
    snprintf(config, sizeof config,
             "    problem_type: classification\n"
             "    training_params:\n"
             "      XGBoostModelTrainer: {max_dept: [2, 3], eta: [0.3, -1]}\n%s",
             xgb_section);
    cr_assert_eq(try_tuner(0, "LocalHyperparameterTuner", xgb_child, config, NULL), LP_ECONFIG);
    const lp_error *e = lp_error_last();
    cr_assert_not_null(strstr(e->message, "unknown XGBoost parameter 'max_dept'; did you mean "
                                          "'max_depth'? (2 configuration errors in total)"),
                       "%s", e->message);
    cr_assert_eq(e->line, 10, "at the key: %d", e->line);
}

Test(tuners, configuration_mistakes_stop_the_workflow)
{
    int rc = try_tuner(0, "LocalHyperparameterTuner", xgb_child,
                       "    problem_type: classification\n"
                       "    training_params: {XGBoostModelTrainr: {max_depth: [2]}}\n",
                       NULL);
    cr_assert_eq(rc, LP_ECONFIG);
    cr_assert_not_null(strstr(lp_error_last()->message, "did you mean 'XGBoostModelTrainer'"), "%s",
                       lp_error_last()->message);

    rc = try_tuner(0, "TPEHyperparameterTuner", xgb_child,
                   "    problem_type: classification\n"
                   "    training_params: {LinearModelTrainer: {C: [1.0]}}\n",
                   NULL);
    cr_assert_eq(rc, LP_ECONFIG);
    cr_assert_not_null(strstr(lp_error_last()->message, "add it under the tuner's component:"),
                       "%s", lp_error_last()->message);
    cr_assert_eq(lp_error_last()->line, 9, "at the class key: %d", lp_error_last()->line);

    rc = try_tuner(0, "LocalHyperparameterTuner", xgb_child,
                   "    problem_type: classification\n"
                   "    metrics: [accuracy, acuracy]\n"
                   "    training_params: {XGBoostModelTrainer: {max_depth: [2]}}\n",
                   NULL);
    cr_assert_eq(rc, LP_ECONFIG);
    cr_assert_not_null(strstr(lp_error_last()->message, "did you mean 'accuracy'"), "%s",
                       lp_error_last()->message);

    rc = try_tuner(0, "LocalHyperparameterTuner", xgb_child,
                   "    problem_type: classification\n"
                   "    metrics: [accuracy, f1]\n"
                   "    perf_metric: rocauc\n"
                   "    training_params: {XGBoostModelTrainer: {max_depth: [2]}}\n",
                   NULL);
    cr_assert_eq(rc, LP_ECONFIG);
    cr_assert_not_null(strstr(lp_error_last()->message,
                              "perf_metric 'rocauc' (t.yaml:10:18) is not one of metrics"),
                       "%s", lp_error_last()->message);

    rc = try_tuner(0, "LocalHyperparameterTuner", xgb_child,
                   "    problem_type: classification\n"
                   "    training_params: {XGBoostModelTrainer: {eta: {low: 0.1, high: 0.3}}}\n",
                   NULL);
    cr_assert_eq(rc, LP_ECONFIG, "a grid needs a step: %s", lp_error_last()->message);

    rc = try_tuner(0, "LocalHyperparameterTuner", xgb_child,
                   "    problem_type: classification\n"
                   "    search: grdi\n"
                   "    training_params: {XGBoostModelTrainer: {max_depth: [2]}}\n",
                   NULL);
    cr_assert_eq(rc, LP_ECONFIG);
    cr_assert_not_null(strstr(lp_error_last()->message, "grid or random"));
}
