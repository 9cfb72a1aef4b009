/*
 * train.c — OfflineTrain: from a frame to a tracked, chosen model.
 *
 *   split_data(frame)                       the data_splitter's splits
 *   train_model(splits, dataset_version)    a new model version; the
 *                                           hyperparameter_tuner's trials if one
 *                                           is configured, else one experiment of
 *                                           the model_trainer; winner by perf_metric
 *   analyze_model / check_model / check_model_bias
 *                                           explainer, visualizer, checkers when
 *                                           configured (skipped with INFO otherwise)
 *   compare_models(model_version, model)    true when no version is deployed or
 *                                           the new one beats it on perf_metric
 *   retrain_model_on_all_data(frame, ...)   the winner's trainer and parameters
 *                                           on every split together
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lolpop/types/data_splitter.h"
#include "lolpop/types/hyperparameter_tuner.h"
#include "lolpop/types/metadata_tracker.h"
#include "lolpop/types/model_bias_checker.h"
#include "lolpop/types/model_checker.h"
#include "lolpop/types/model_explainer.h"
#include "lolpop/types/model_visualizer.h"
#include "lolpop/types/resource_version_control.h"
#include "pipelines/pipelines_internal.h"

static lp_value *train_split_data(lp_obj *self, lp_value *args)
{
    lp_value *frame = lp_kit_arg_nonnull(args, "frame", "split_data");
    if (!frame) return NULL;
    lp_obj *splitter = lp_obj_component(self, "data_splitter");
    if (!splitter) {
        lp_error_set(LP_ECONFIG, "split_data: no data_splitter configured (add one under "
                                 "component: data_splitter: LocalDataSplitter)");
        return NULL;
    }
    return lp_data_splitter_split_data(splitter, frame);
}

/* The model and a new version of it for config model_name; *mv is null
 * without a metadata_tracker. 0 or an error code. */
static int new_model_version(lp_obj *self, lp_value **mv)
{
    *mv = NULL;
    lp_obj *tracker = lp_obj_component(self, "metadata_tracker");
    if (!tracker) {
        *mv = lp_value_null();
        return 0;
    }
    lp_value *nv = lp_obj_config(self, "model_name");
    if (nv && lp_value_type(nv) != LP_NULL && lp_kit_check_model_name(nv, "train_model")) {
        lp_value_unref(nv); /* a NUL would silently truncate the name below */
        return LP_ECONFIG;
    }
    lp_value_unref(nv);
    char *name = lp_obj_config_string(self, "model_name");
    if (!name || !*name) {
        /* Without a name the model is named after what it predicts. */
        char *target = lp_obj_config_string(self, "model_target");
        free(name);
        name = target ? lp_asprintf("%s_model", target) : NULL;
        free(target);
        if (!name)
            return lp_error_set(LP_ECONFIG, "train_model: set config 'model_name' (the name "
                                            "the model is tracked under)");
        lp_log(self, LP_LOG_INFO, "train_model: no model_name configured, tracking as '%s'", name);
    }
    lp_value *model = lp_metadata_tracker_create_resource(tracker, name, "model", NULL);
    if (model) *mv = lp_metadata_tracker_create_resource(tracker, name, "model_version", model);
    free(name);
    lp_value_unref(model);
    return *mv ? 0 : lp_error_last()->code;
}

/* One experiment of the visible model_trainer, marked the winner. New ref. */
static lp_value *train_once(lp_obj *self, lp_value *splits, lp_value *mv)
{
    lp_obj *trainer = lp_obj_component(self, "model_trainer");
    if (!trainer) {
        lp_error_set(LP_ECONFIG, "train_model: neither a model_trainer nor a "
                                 "hyperparameter_tuner is configured");
        return NULL;
    }
    lp_experiment e = {0};
    if (lp_experiment_run(&e, self, trainer, splits, lp_value_type(mv) == LP_NULL ? NULL : mv,
                          NULL) != 0)
        return NULL;
    if (e.resource && lp_experiment_mark_winner(self, e.resource) != 0) {
        lp_experiment_clear(&e);
        return NULL;
    }
    lp_value *model = lp_value_ref(e.model);
    lp_experiment_clear(&e);
    return model;
}

/* Tags the version with the deciding metric and its winning value, and puts
 * the winning experiment's metrics in the version map as `metrics` (what
 * workflow tests check: result.model_version.metrics.valid.f1). */
static int tag_performance(lp_obj *self, lp_value *mv)
{
    lp_value *names = NULL, *perf = NULL;
    bool maximize = false;
    if (lp_experiment_metrics(self, &names, &perf, &maximize) != 0) return lp_error_last()->code;
    double value = NAN;
    lp_value *metrics = lp_kit_winning_metrics(self, mv, names);
    int rc = metrics ? lp_map_set(mv, "metrics", metrics) : LP_ENOMEM;
    const char *metric = lp_value_as_string(perf);
    if (rc == 0 && lp_kit_winning_metric(self, mv, metric, &value) == 0) {
        rc = lp_kit_tag(self, mv, "perf_metric", lp_value_string(metric));
        if (rc == 0) rc = lp_kit_tag(self, mv, "perf_value", lp_value_float(value));
        lp_log(self, LP_LOG_INFO, "model version %lld: validation %s = %.6g",
               (long long)lp_value_as_int(lp_map_get(mv, "version")), metric, value);
    }
    lp_value_unref(names);
    lp_value_unref(perf);
    return rc;
}

static lp_value *train_train_model(lp_obj *self, lp_value *args)
{
    lp_value *splits = lp_kit_arg_nonnull(args, "splits", "train_model");
    if (!splits) return NULL;
    lp_value *mv = NULL;
    if (new_model_version(self, &mv) != 0) return NULL;
    lp_obj *tuner = lp_obj_component(self, "hyperparameter_tuner");
    lp_value *model = tuner ? lp_hyperparameter_tuner_run_experiment(tuner, splits, mv)
                            : train_once(self, splits, mv);
    if (model && lp_value_type(mv) != LP_NULL && tag_performance(self, mv) != 0) {
        lp_value_unref(model);
        model = NULL;
    }
    if (!model) {
        lp_value_unref(mv);
        return NULL;
    }
    return lp_kit_result("model_version", mv, "model", model, (const char *)NULL);
}

/* generate_viz(splits, model) with the optional arguments a visualizer may use: the model
 * version (to record its files under) and the explainer's feature importance, computed on
 * X_train (importance_split says so: the plot's title names that split). */
static lp_value *generate_viz(lp_obj *viz, lp_value *splits, lp_value *model, lp_value *mv,
                              lp_value *importance)
{
    return lp_call_with(viz, LP_MODEL_VISUALIZER_GENERATE_VIZ, "splits", lp_value_ref(splits),
                        "model", lp_value_ref(model), "model_version",
                        mv ? lp_value_ref(mv) : lp_value_null(), "importance",
                        importance ? lp_value_ref(importance) : lp_value_null(), "importance_split",
                        lp_value_string("train"), (const char *)NULL);
}

/* The model checker's reference predictions (get_reference_predictions: the model's
 * predictions on the frame the splits were cut from, rebuilt from those
 * get_baseline_comparison just made), stored with the model version under key
 * "reference_predictions" and tagged with that frame's stored object
 * (reference_predictions_data) and the model's fingerprint
 * (reference_predictions_model): OfflinePredict's analyze_prediction_drift uses them
 * instead of scoring the training data again when both still match. Nothing to store
 * (no tracker or version control, a checker without the method, null) is no error.
 * 0 or an error code. */
static int store_reference_predictions(lp_obj *self, lp_obj *checker, lp_value *splits,
                                       lp_value *model, lp_value *mv)
{
    static const char method[] = "get_reference_predictions";
    lp_obj *tracker = lp_obj_component(self, "metadata_tracker");
    lp_obj *rvc = lp_obj_component(self, "resource_version_control");
    if (!tracker || !rvc || lp_value_type(mv) != LP_MAP || !lp_obj_has_method(checker, method))
        return 0;
    lp_value *ref = lp_call_with(checker, method, "splits", lp_value_ref(splits), "model",
                                 lp_value_ref(model), (const char *)NULL);
    if (!ref) return lp_error_last()->code;
    int rc = 0;
    if (lp_value_type(ref) == LP_MAP) {
        lp_value *vc = lp_resource_version_control_version_data(rvc, mv, lp_map_get(ref, "frame"));
        lp_value *reg =
            vc ? lp_metadata_tracker_register_vc_resource(tracker, mv, vc, "reference_predictions")
               : NULL;
        rc = reg ? 0 : lp_error_last()->code;
        if (rc == 0)
            rc = lp_kit_tag(self, mv, "reference_predictions_data",
                            lp_value_ref(lp_map_get(ref, "data")));
        if (rc == 0)
            rc = lp_kit_tag(self, mv, "reference_predictions_model",
                            lp_value_ref(lp_map_get(ref, "model")));
        lp_value_unref(vc);
        lp_value_unref(reg);
    }
    lp_value_unref(ref);
    return rc;
}

/* The winning trial's predictions of the tuner's last run when they were made by this
 * model on these split frames (its take_winner_predictions; a map split -> frame, new
 * ref), else null (a new ref too): no tuner, a tuner without the method (a plugin), or
 * another model or splits (train_model reused from the cache, retrained). Either way the
 * tuner lets go of them. */
static lp_value *winner_predictions(lp_obj *self, lp_value *splits, lp_value *model)
{
    lp_obj *tuner = lp_obj_component(self, "hyperparameter_tuner");
    bool has = tuner && lp_obj_has_method(tuner, LP_HYPERPARAMETER_TUNER_TAKE_WINNER_PREDICTIONS);
    lp_value *p =
        has ? lp_hyperparameter_tuner_take_winner_predictions(tuner, splits, model) : NULL;
    if (!p && has) lp_error_clear(); /* only a shortcut */
    if (p && lp_value_type(p) != LP_MAP) {
        lp_value_unref(p);
        p = NULL;
    }
    return p ? p : lp_value_null();
}

/* Feature importance and plots, when an explainer / visualizer is configured; the
 * checker's baseline comparison (from the winning trial's predictions when the tuner
 * still has them) and the reference predictions built from it. */
static lp_value *train_analyze_model(lp_obj *self, lp_value *args)
{
    lp_value *splits = lp_kit_arg_nonnull(args, "splits", "analyze_model");
    lp_value *model = splits ? lp_kit_arg_nonnull(args, "model", "analyze_model") : NULL;
    if (!model) return NULL;
    lp_obj *explainer = lp_obj_component(self, "model_explainer");
    lp_obj *viz = lp_obj_component(self, "model_visualizer");
    lp_obj *checker = lp_obj_component(self, "model_checker");
    /* taken from the tuner in any case, so that it does not keep them past this step */
    lp_value *given = winner_predictions(self, splits, model);
    if (!explainer && !viz && !checker) {
        lp_value_unref(given);
        return lp_kit_skip(self, "analyze_model",
                           "model_explainer, model_visualizer or model_checker");
    }
    if (checker)
        lp_log(self, LP_LOG_DEBUG, "analyze_model: %s",
               lp_value_type(given) == LP_MAP ? "the winning trial's predictions reused"
                                              : "no trial predictions; the checker scores");
    lp_value *importance = NULL, *paths = NULL, *baseline = NULL;
    bool ok = given != NULL;
    if (ok && explainer)
        ok = (importance = lp_model_explainer_get_feature_importance(
                  explainer, model, lp_map_get(splits, "X_train"))) != NULL;
    if (ok && viz)
        ok = (paths = generate_viz(viz, splits, model, lp_map_get(args, "model_version"),
                                   importance)) != NULL;
    if (ok && checker)
        ok = (baseline = lp_model_checker_get_baseline_comparison_predictions(
                  checker, splits, model, given)) != NULL;
    lp_value_unref(given);
    if (ok && checker)
        ok = store_reference_predictions(self, checker, splits, model,
                                         lp_map_get(args, "model_version")) == 0;
    lp_value *result = ok ? lp_kit_result("feature_importance", importance, "plots", paths,
                                          "baseline", baseline, (const char *)NULL)
                          : NULL;
    if (!ok) {
        lp_value_unref(importance);
        lp_value_unref(paths);
        lp_value_unref(baseline);
    }
    return result;
}

static lp_value *train_check_model(lp_obj *self, lp_value *args)
{
    lp_value *splits = lp_kit_arg_nonnull(args, "splits", "check_model");
    lp_value *model = splits ? lp_kit_arg_nonnull(args, "model", "check_model") : NULL;
    if (!model) return NULL;
    lp_obj *checker = lp_obj_component(self, "model_checker");
    /* a runner that did not call analyze_model (the TimeSeriesRunner without plots): the
     * tuner lets go of the winner's predictions here, nothing after this step uses them */
    lp_value_unref(winner_predictions(self, splits, model));
    if (!checker) return lp_kit_skip(self, "check_model", "model_checker");
    lp_value *result = lp_model_checker_check_model(checker, splits, model);
    return lp_pipeline_check_outcome(self, checker, lp_map_get(args, "model_version"), result,
                                     "check_model", "model checks");
}

/* X with y's column appended: a new frame sharing the columns. */
static lp_frame *with_target(const lp_frame *X, const lp_frame *y)
{
    lp_frame *f = lp_frame_new();
    for (size_t j = 0; f && j < lp_frame_cols(X); j++)
        if (lp_frame_add_column(f, lp_frame_name(X, j), lp_column_ref(lp_frame_col(X, j))) != 0) {
            lp_frame_unref(f);
            return NULL;
        }
    if (f && y && lp_frame_cols(y) == 1 &&
        lp_frame_add_column(f, lp_frame_name(y, 0), lp_column_ref(lp_frame_col(y, 0))) != 0) {
        lp_frame_unref(f);
        return NULL;
    }
    return f;
}

static lp_value *train_check_model_bias(lp_obj *self, lp_value *args)
{
    lp_value *splits = lp_kit_arg_nonnull(args, "splits", "check_model_bias");
    lp_value *model = splits ? lp_kit_arg_nonnull(args, "model", "check_model_bias") : NULL;
    if (!model) return NULL;
    lp_obj *checker = lp_obj_component(self, "model_bias_checker");
    if (!checker) return lp_kit_skip(self, "check_model_bias", "model_bias_checker");
    lp_frame *X = lp_value_as_frame(lp_map_get(splits, "X_valid"));
    lp_frame *y = lp_value_as_frame(lp_map_get(splits, "y_valid"));
    if (!X) {
        X = lp_value_as_frame(lp_map_get(splits, "X_train"));
        y = lp_value_as_frame(lp_map_get(splits, "y_train"));
    }
    lp_frame *f = X ? with_target(X, y) : NULL;
    if (!f) {
        lp_error_set(LP_EINVAL, "check_model_bias: the splits hold no X_valid or X_train frame");
        return NULL;
    }
    lp_value *fv = lp_kit_frame(f);
    lp_value *result = fv ? lp_model_bias_checker_check_model_bias(checker, fv, model) : NULL;
    lp_value_unref(fv);
    return lp_pipeline_check_outcome(self, checker, lp_map_get(args, "model_version"), result,
                                     "check_model_bias", "model bias checks");
}

/* True when the new version beats the deployed one on perf_metric. */
static lp_value *compare_with(lp_obj *self, lp_value *mv, lp_value *deployed)
{
    lp_value *names = NULL, *perf = NULL;
    bool maximize = false;
    if (lp_experiment_metrics(self, &names, &perf, &maximize) != 0) return NULL;
    const char *metric = lp_value_as_string(perf);
    double fresh = NAN, old = NAN;
    bool better = true;
    if (lp_kit_winning_metric(self, mv, metric, &fresh) == 0 &&
        lp_kit_winning_metric(self, deployed, metric, &old) == 0)
        better = maximize ? fresh > old : fresh < old;
    lp_log(self, LP_LOG_INFO, "compare_models: new %s %.6g vs deployed version %lld %.6g: %s",
           metric, fresh, (long long)lp_value_as_int(lp_map_get(deployed, "version")), old,
           better ? "new is better" : "deployed stays");
    lp_value_unref(names);
    lp_value_unref(perf);
    return lp_value_bool(better);
}

static lp_value *train_compare_models(lp_obj *self, lp_value *args)
{
    lp_value *mv = lp_map_get(args, "model_version");
    lp_obj *tracker = lp_obj_component(self, "metadata_tracker");
    if (!tracker || !mv || lp_value_type(mv) == LP_NULL) {
        lp_log(self, LP_LOG_INFO, "compare_models: nothing to compare with (no tracked versions)");
        return lp_value_bool(true);
    }
    /* `deployed` given (the runner, under the model's deploy lock, names the
     * version deployed now): part of the call's arguments, so a cached
     * decision is only ever reused for the same pair of versions. */
    lp_value *given = lp_map_get(args, "deployed");
    lp_value *deployed =
        lp_value_type(given) == LP_MAP
            ? lp_value_ref(given)
            : lp_metadata_tracker_get_currently_deployed_model_version(tracker, mv);
    if (!deployed) return NULL;
    lp_value *result;
    lp_obj *checker = lp_obj_component(self, "model_checker");
    if (lp_value_type(deployed) == LP_NULL) {
        lp_log(self, LP_LOG_INFO, "compare_models: no version deployed yet, the new one wins");
        result = lp_value_bool(true);
    } else if (checker) {
        result = lp_model_checker_compare_models(checker, mv, deployed);
    } else {
        result = compare_with(self, mv, deployed);
    }
    lp_value_unref(deployed);
    return result;
}

/* Every split's frames of one kind ("X_" or "y_") stacked: new ref or NULL. */
static lp_frame *stack_splits(const lp_value *splits, const char *prefix)
{
    lp_frame *all = NULL;
    if (lp_kit_stack_splits(&all, splits, prefix) == 0 && !all)
        lp_error_set(LP_EINVAL, "retrain: the splits hold no %strain frame", prefix);
    return all;
}

/* {X_train, y_train} = every split together. New ref or NULL. */
static lp_value *all_data_splits(const lp_value *splits)
{
    lp_frame *X = stack_splits(splits, "X_");
    lp_frame *y = X ? stack_splits(splits, "y_") : NULL;
    if (!y) {
        if (X) lp_frame_unref(X);
        return NULL;
    }
    return lp_kit_result("X_train", lp_kit_frame(X), "y_train", lp_kit_frame(y),
                         (const char *)NULL);
}

/* The winner's parameters without early stopping (there is no validation
 * split left to stop on). New ref. */
static lp_value *retrain_params(lp_obj *self, const lp_value *params)
{
    lp_value *copy = params && lp_value_type(params) == LP_MAP ? lp_value_copy(params) : NULL;
    if (copy && lp_map_remove(copy, "early_stopping_rounds"))
        lp_log(self, LP_LOG_INFO, "retrain: early_stopping_rounds dropped (no validation split)");
    return copy;
}

/* The winning experiment's trainer class and params (new refs), or the
 * visible model_trainer with its own params when nothing is tracked. */
static lp_obj *winner_trainer(lp_obj *self, lp_value *mv, lp_value **params, int64_t *exp_id)
{
    *params = NULL;
    *exp_id = 0;
    lp_obj *tracker = lp_obj_component(self, "metadata_tracker");
    if (!tracker || !mv || lp_value_type(mv) == LP_NULL)
        return lp_obj_component(self, "model_trainer");
    lp_value *exp = lp_metadata_tracker_get_winning_experiment(tracker, mv);
    if (!exp) return NULL;
    *exp_id = lp_value_as_int(lp_map_get(exp, "id"));
    lp_value *cls = lp_metadata_tracker_get_tag(tracker, exp, "trainer");
    lp_value *p = cls ? lp_metadata_tracker_get_tag(tracker, exp, "params") : NULL;
    lp_obj *trainer = NULL;
    if (p) {
        trainer = lp_experiment_find_trainer(self, lp_value_as_string(cls));
        if (!trainer)
            lp_error_set(LP_ECONFIG, "retrain: the winning trainer %s is not visible here",
                         lp_value_as_string(cls));
        *params = retrain_params(self, p);
    }
    lp_value_unref(exp);
    lp_value_unref(cls);
    lp_value_unref(p);
    return trainer;
}

static lp_value *train_retrain_model_on_all_data(lp_obj *self, lp_value *args)
{
    lp_value *frame = lp_kit_arg_nonnull(args, "frame", "retrain_model_on_all_data");
    if (!frame) return NULL;
    lp_value *mv = lp_map_get(args, "model_version");
    lp_value *params = NULL;
    int64_t from = 0;
    lp_obj *trainer = winner_trainer(self, mv, &params, &from);
    /* A caller that split the data itself (TimeSeriesRunner: by time, never
     * the splitter's way) passes its splits; otherwise the splitter splits. */
    lp_value *given = lp_kit_arg_opt(args, "splits");
    lp_value *splits = !trainer ? NULL : given ? lp_value_ref(given) : train_split_data(self, args);
    lp_value *all = splits ? all_data_splits(splits) : NULL;
    lp_value_unref(splits);
    lp_experiment e = {0};
    int rc = all ? lp_experiment_run(&e, self, trainer, all,
                                     mv && lp_value_type(mv) != LP_NULL ? mv : NULL, params)
                 : LP_ERROR;
    lp_value_unref(all);
    lp_value_unref(params);
    if (rc != 0) return NULL;
    if (e.resource &&
        (lp_kit_tag(self, e.resource, "retrained", lp_value_bool(true)) != 0 ||
         (from && lp_kit_tag(self, e.resource, "retrained_from", lp_value_int(from)) != 0) ||
         lp_experiment_mark_winner(self, e.resource) != 0)) {
        lp_experiment_clear(&e);
        return NULL;
    }
    lp_log(self, LP_LOG_INFO, "retrained %s on all %zu rows", lp_obj_class(trainer)->name,
           lp_frame_rows(lp_value_as_frame(frame)));
    lp_value *model = lp_value_ref(e.model);
    lp_experiment_clear(&e);
    return model;
}

/* check_config: metrics, perf_metric and model_name, checked by validation
 * (`config validate` and `run` alike) so that a typo fails before any data is
 * read. */
static lp_value *train_check_config(lp_obj *self, lp_value *args)
{
    lp_value *problems = lp_value_list(), *names = NULL, *perf = NULL;
    bool maximize = false;
    int rc = problems ? 0 : LP_ENOMEM;
    if (rc == 0 && lp_experiment_metrics(self, &names, &perf, &maximize))
        rc = lp_kit_check_add_error(problems);
    lp_value *name = rc == 0 ? lp_obj_config(self, "model_name") : NULL;
    if (name && lp_value_type(name) != LP_NULL &&
        lp_kit_check_model_name(name, "OfflineTrain") != 0)
        rc = lp_kit_check_add_error(problems);
    lp_value_unref(name);
    lp_value_unref(names);
    lp_value_unref(perf);
    if (rc) {
        lp_value_unref(problems);
        return NULL;
    }
    return problems;
}

static const lp_method train_methods[] = {
    {"split_data", train_split_data, "split_data(frame) -> splits (the data_splitter's)"},
    {"train_model", train_train_model,
     "train_model(splits, dataset_version) -> {model_version, model}: tuner, else trainer"},
    {"analyze_model", train_analyze_model,
     "analyze_model(splits, model_version, model) -> {feature_importance, plots, baseline}"},
    {"check_model", train_check_model,
     "check_model(splits, model_version, model) -> {report, path, status}"},
    {"check_model_bias", train_check_model_bias,
     "check_model_bias(splits, model_version, model) -> metrics"},
    {"compare_models", train_compare_models,
     "compare_models(model_version, model[, deployed]) -> bool: better than the deployed "
     "version (or than `deployed`, a model_version, when given)"},
    {"retrain_model_on_all_data", train_retrain_model_on_all_data,
     "retrain_model_on_all_data(frame, model_version, model, splits?) -> model: the winner "
     "on every split together (the given splits, else the data_splitter's)"},
    {LP_METHOD_CHECK_CONFIG, train_check_config,
     "check_config() -> problems: metrics, perf_metric and model_name, before anything runs"},
    {NULL, NULL, NULL},
};

static const lp_config_key train_keys[] = {
    {"metrics", "list", "metric names computed on every split (SPEC §5 names)"},
    {"perf_metric", "string", "the metric that picks the winner on the validation split"},
    {"retrain_all", "bool", "retrain the winner on all data when it beats the deployed model"},
    {NULL, NULL, NULL},
};

const lp_class lp_offline_train_class = {
    .name = "OfflineTrain",
    .kind = LP_KIND_PIPELINE,
    .type = "train",
    .doc = "Splits the data, trains a new model version (every hyperparameter_tuner trial, or "
           "the one model_trainer run, is an experiment with its parameters, per-split metrics "
           "and stored model; the winner has the best validation perf_metric), analyses and "
           "checks it when an explainer, visualizer or checker is configured, compares it with "
           "the deployed version and, with retrain_all, retrains the winner on all data.",
    .config_keys = train_keys,
    .methods = train_methods,
};
