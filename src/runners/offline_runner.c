/*
 * offline_runner.c — the methods of ClassificationRunner and RegressionRunner
 * (SPEC §6.2): process → train → deploy if better → process eval → predict.
 *
 * The runner only orchestrates its four pipelines; what each step does (and
 * which optional components it uses) lives in the pipelines. It checks what a
 * user gets wrong most often before any training starts: the target column
 * (present, complete) and empty data.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lolpop/metrics.h"
#include "lolpop/types/deploy.h"
#include "lolpop/types/model_bias_checker.h"
#include "lolpop/types/model_deployer.h"
#include "lolpop/types/metadata_tracker.h"
#include "lolpop/types/metrics_tracker.h"
#include "lolpop/types/predict.h"
#include "lolpop/types/process.h"
#include "lolpop/types/train.h"
#include "ml/class_labels.h"
#include "runners/runners_internal.h"

/* ---- checks on the data ------------------------------------------------------ */

/* LP_EINVAL naming the target and the closest column when f lacks it. */
static int check_target_present(const lp_frame *f, const char *target, const char *which)
{
    if (lp_frame_find(f, target) >= 0) return 0;
    const char *names[256];
    size_t n = 0;
    for (size_t j = 0; j < lp_frame_cols(f) && n < 256; j++)
        names[n++] = lp_frame_name(f, j);
    const char *close = lp_suggest(target, names, n);
    return lp_error_set(LP_EINVAL, "model_target '%s' is not a column of the %s data%s%s%s", target,
                        which, close ? " (did you mean '" : "", close ? close : "",
                        close ? "'?)" : "");
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* A classification target of non-integral floats is a regression problem:
 * said at once, not after every tuning trial failed (issue 11, Fix 6). */
static int check_classification_target(lp_obj *self, const lp_column *col, const char *target)
{
    if (!col || col->type != LP_DT_FLOAT64 || lp_kit_task(self) != LP_TASK_CLASSIFICATION) return 0;
    size_t n = 0;
    bool fractional = false;
    double *v = malloc((col->length ? col->length : 1) * sizeof *v);
    if (!v) return lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t i = 0; i < col->length; i++) {
        double d = lp_column_get_f64(col, i);
        if (!lp_column_is_valid(col, i) || isnan(d)) continue;
        fractional |= d != floor(d);
        v[n++] = d;
    }
    size_t distinct = 0;
    if (fractional) {
        qsort(v, n, sizeof *v, cmp_double);
        for (size_t i = 0; i < n; i++)
            distinct += i == 0 || v[i] != v[i - 1];
    }
    free(v);
    if (!fractional) return 0;
    return lp_error_set(LP_EINVAL,
                        "target '%s' has %zu distinct float values: did you mean "
                        "RegressionRunner? (%s classifies; a class label is text, a bool or an "
                        "integer)",
                        target, distinct, lp_obj_class(self)->name);
}

/* A model_bias_checker that cannot judge this target's classes (more than
 * two and no favorable_label) says so before training, not after it. */
static int check_bias_classes(lp_obj *self, const lp_column *col)
{
    if (!col || lp_kit_task(self) != LP_TASK_CLASSIFICATION) return 0;
    lp_obj *train = lp_obj_pipeline(self, "train");
    lp_obj *checker = train ? lp_obj_component(train, "model_bias_checker") : NULL;
    if (!checker || !lp_obj_has_method(checker, LP_MODEL_BIAS_CHECKER_CHECK_CLASSES)) return 0;
    lp_value *classes = lp_class_labels(col);
    if (!classes) return lp_error_last()->code;
    int rc = lp_model_bias_checker_check_classes(checker, classes);
    lp_value_unref(classes);
    return rc;
}

/* The training frame must have rows and a complete target. */
static int check_training_frame(lp_obj *self, const lp_frame *f)
{
    if (lp_frame_rows(f) == 0) return lp_error_set(LP_EINVAL, "the training data has no rows");
    char *target = lp_obj_config_string(self, "model_target");
    if (!target) return lp_error_set(LP_ECONFIG, "config 'model_target' is required");
    int rc = check_target_present(f, target, "training");
    lp_column *col = rc == 0 ? lp_frame_col_by_name(f, target) : NULL;
    size_t missing = 0;
    for (size_t i = 0; col && i < lp_frame_rows(f); i++)
        missing += !lp_column_is_valid(col, i);
    if (rc == 0 && missing)
        rc = lp_error_set(LP_EINVAL,
                          "model_target '%s' has %zu missing value%s in the training data (of "
                          "%zu rows); drop or fill them in the data_transformer",
                          target, missing, missing == 1 ? "" : "s", lp_frame_rows(f));
    if (rc == 0) rc = check_classification_target(self, col, target);
    if (rc == 0) rc = check_bias_classes(self, col);
    free(target);
    return rc;
}

/* ---- process_data ------------------------------------------------------------ */

/* The dataset name of a source: "<model_name>_<source>". */
static char *dataset_name(lp_obj *self, const char *source)
{
    char *model = lp_obj_config_string(self, "model_name");
    lp_sb sb = {0};
    lp_sb_appendf(&sb, "%s_%s", model ? model : "data", source);
    free(model);
    return lp_sb_take(&sb);
}

/* The process pipeline's steps after transform: track, profile, check,
 * compare. Returns the dataset version (new ref) or NULL. */
static lp_value *track_and_inspect(lp_obj *self, lp_obj *process, lp_value *frame,
                                   const char *source)
{
    char *name = dataset_name(self, source);
    lp_value *dv = lp_process_track_data(process, frame, name);
    free(name);
    if (!dv) return NULL;
    lp_value *r = lp_process_profile_data(process, frame, dv);
    if (r) {
        lp_value_unref(r);
        r = lp_process_check_data(process, frame, dv);
    }
    if (r) {
        lp_value_unref(r);
        r = lp_process_compare_data(process, frame, dv);
    }
    if (!r) {
        lp_value_unref(dv);
        return NULL;
    }
    lp_value_unref(r);
    return dv;
}

/* process_data(source = "train") -> {frame, dataset_version} */
static lp_value *runner_process_data(lp_obj *self, lp_value *args)
{
    const char *source = lp_value_as_string(lp_map_get(args, "source"));
    if (!source) source = "train";
    char key[64];
    snprintf(key, sizeof key, "%s_data", source);
    lp_value *where = lp_obj_config(self, key);
    if (!where || lp_value_type(where) == LP_NULL) {
        lp_value_unref(where);
        lp_error_set(LP_ECONFIG, "process_data: config '%s' is not set", key);
        return NULL;
    }
    lp_obj *process = lp_obj_pipeline(self, "process");
    lp_value *frame = lp_process_transform_data(process, where);
    lp_value_unref(where);
    if (!frame) return NULL;
    const lp_frame *f = lp_value_as_frame(frame);
    if (!f) {
        lp_error_set(LP_EINVAL, "process_data: transform_data returned %s, not a frame",
                     lp_vtype_name(lp_value_type(frame)));
        lp_value_unref(frame);
        return NULL;
    }
    if (strcmp(source, "train") == 0 && check_training_frame(self, f) != 0) {
        lp_value_unref(frame);
        return NULL;
    }
    lp_value *dv = track_and_inspect(self, process, frame, source);
    if (!dv) {
        lp_value_unref(frame);
        return NULL;
    }
    return lp_kit_result("frame", frame, "dataset_version", dv, (const char *)NULL);
}

/* ---- train_model --------------------------------------------------------------- */

/* Analysis and checks of a fresh model: each skips itself when its
 * component is missing. 0 or an error code. */
static int inspect_model(lp_obj *train, lp_value *splits, lp_value *mv, lp_value *model)
{
    lp_value *r = lp_train_analyze_model(train, splits, mv, model);
    if (r) {
        lp_value_unref(r);
        r = lp_train_check_model(train, splits, mv, model);
    }
    if (r) {
        lp_value_unref(r);
        r = lp_train_check_model_bias(train, splits, mv, model);
    }
    return lp_type_status(r);
}

/* Lineage dataset version -> model version, and the tag the predict
 * pipeline uses to find the training data. */
static int record_lineage(lp_obj *self, lp_value *mv, lp_value *dv)
{
    lp_obj *tracker = lp_obj_component(self, "metadata_tracker");
    if (!tracker || lp_value_type(mv) != LP_MAP || lp_value_type(dv) != LP_MAP) return 0;
    int rc = lp_metadata_tracker_build_model_lineage(tracker, mv, dv);
    if (rc == 0) rc = lp_kit_tag(self, mv, "dataset_version", lp_value_ref(lp_map_get(dv, "id")));
    return rc;
}

/* Whether the new model beats the deployed one; retrains on all data when it
 * does and retrain_all is set (replacing *model). 0 or an error code. */
static int compare_and_retrain(lp_obj *train, lp_value *frame, lp_value *mv, lp_value **model,
                               bool *better)
{
    lp_value *b = lp_train_compare_models(train, mv, *model);
    if (!b) return lp_error_last()->code;
    *better = lp_value_as_bool(b);
    lp_value_unref(b);
    /* retrain_all belongs to the train pipeline (its config, else the runner's). */
    if (!*better || !lp_obj_config_bool(train, "retrain_all", false)) return 0;
    lp_value *retrained = lp_train_retrain_model_on_all_data(train, frame, mv, *model);
    if (!retrained) return lp_error_last()->code;
    lp_value_unref(*model);
    *model = retrained;
    return 0;
}

/* train_model(frame, dataset_version) -> {model_version, model, better} */
static lp_value *runner_train_model(lp_obj *self, lp_value *args)
{
    lp_value *frame = lp_kit_arg_nonnull(args, "frame", "train_model");
    if (!frame) return NULL;
    lp_value *dv = lp_map_get(args, "dataset_version");
    lp_obj *train = lp_obj_pipeline(self, "train");
    lp_value *splits = lp_train_split_data(train, frame);
    lp_value *trained = splits ? lp_train_train_model(train, splits, dv) : NULL;
    lp_value *mv = lp_value_ref(lp_map_get(trained, "model_version"));
    lp_value *model = lp_value_ref(lp_map_get(trained, "model"));
    lp_value_unref(trained);
    bool better = false;
    int rc = model ? inspect_model(train, splits, mv, model) : LP_ERROR;
    if (rc == 0) rc = record_lineage(self, mv, dv);
    if (rc == 0) rc = compare_and_retrain(train, frame, mv, &model, &better);
    lp_value_unref(splits);
    if (rc != 0) {
        lp_value_unref(mv);
        lp_value_unref(model);
        return NULL;
    }
    return lp_kit_result("model_version", mv, "model", model, "better", lp_value_bool(better),
                         (const char *)NULL);
}

/* ---- deploy_model ------------------------------------------------------------- */

/* Why a version better than the deployed one at train_model is not deployed. */
static const char SUPERSEDED[] = "a version at least as good was deployed meanwhile";

/* Takes (lock) or releases the model's deploy lock through the tracker's
 * lock_model / unlock_model. A tracker without them cannot serialise: *held
 * stays false and the step goes on. Releasing keeps an error already set. */
static int model_lock(lp_obj *self, lp_value *mv, bool lock, bool *held)
{
    lp_obj *tracker = lp_obj_component(self, "metadata_tracker");
    const char *method = lock ? "lock_model" : "unlock_model";
    if (lock) *held = false;
    if (!tracker || !lp_obj_has_method(tracker, method) || (!lock && !*held)) return 0;
    lp_saved_error saved = {0};
    if (!lock) lp_error_save(&saved);
    lp_value *r = lp_call_with(tracker, method, "model", lp_value_ref(lp_map_get(mv, "name")),
                               (const char *)NULL);
    int rc = r ? 0 : lp_error_last()->code ? lp_error_last()->code : LP_ERROR;
    lp_value_unref(r);
    if (lock) {
        *held = rc == 0;
        return rc;
    }
    if (rc) lp_log(self, LP_LOG_WARN, "deploy_model: %s", lp_error_last()->message);
    lp_error_restore(&saved);
    return 0;
}

/* Whether mv still beats the version deployed NOW (read from the tracker,
 * never from the cache), passed to compare_models as `deployed` so that a
 * cached decision is reused only for the same pair of versions. New ref. */
static lp_value *compare_with_deployed_now(lp_obj *self, lp_obj *train, lp_value *mv,
                                           lp_value *model)
{
    lp_obj *tracker = lp_obj_component(self, "metadata_tracker");
    lp_value *now = tracker && lp_value_type(mv) == LP_MAP
                        ? lp_metadata_tracker_get_currently_deployed_model_version(tracker, mv)
                        : lp_value_null();
    if (!now) return NULL;
    /* still nothing deployed, or this very version (a resumed run that had
     * deployed it): the deployment goes on, a redeployment changes nothing */
    if (lp_value_type(now) != LP_MAP ||
        lp_value_as_int(lp_map_get(now, "id")) == lp_value_as_int(lp_map_get(mv, "id"))) {
        lp_value_unref(now);
        return lp_value_bool(true);
    }
    return lp_call_with(train, LP_TRAIN_COMPARE_MODELS, "model_version", lp_value_ref(mv), "model",
                        lp_value_ref(model), "deployed", now, (const char *)NULL);
}

/* Approval and deployment of an approved promotion, under the model's deploy
 * lock: the new version is compared again with the version deployed NOW (a
 * concurrent run may have deployed a better one since train_model compared),
 * and only a version still better is approved and deployed. *reason is set
 * (static text) when it is not deployed. New ref (the deployment) or NULL. */
static lp_value *deploy_if_still_better(lp_obj *self, lp_value *mv, lp_value *model,
                                        lp_value *promotion, const char **reason)
{
    lp_obj *deploy = lp_obj_pipeline(self, "deploy");
    lp_obj *train = lp_obj_pipeline(self, "train");
    bool held = false;
    if (model_lock(self, mv, true, &held) != 0) return NULL;
    lp_value *better =
        held ? compare_with_deployed_now(self, train, mv, model) : lp_value_bool(true);
    lp_value *deployment = NULL;
    if (better && !lp_value_as_bool(better)) {
        *reason = SUPERSEDED;
        deployment = lp_value_null();
    } else if (better) {
        lp_value *approval = lp_deploy_approve_model(deploy, promotion);
        deployment = approval ? lp_deploy_deploy_model(deploy, promotion, mv) : NULL;
        lp_value_unref(approval);
        if (deployment && lp_value_type(deployment) == LP_NULL)
            *reason = "no model_deployer configured";
    }
    lp_value_unref(better);
    model_lock(self, mv, false, &held);
    return deployment;
}

/* deploy_model(model_version, model) -> {deployed, reason, deployment} */
static lp_value *runner_deploy_model(lp_obj *self, lp_value *args)
{
    lp_value *mv = lp_kit_arg_nonnull(args, "model_version", "deploy_model");
    lp_value *model = mv ? lp_kit_arg_nonnull(args, "model", "deploy_model") : NULL;
    if (!model) return NULL;
    lp_obj *deploy = lp_obj_pipeline(self, "deploy");
    lp_value *promotion = lp_deploy_promote_model(deploy, mv, model);
    if (!promotion) return NULL;
    const char *reason = NULL;
    lp_value *deployment = NULL;
    if (lp_value_type(promotion) == LP_NULL) {
        reason = "no model_repository configured";
    } else {
        lp_value *approved = lp_deploy_check_approval(deploy, promotion);
        if (!approved) {
            lp_value_unref(promotion);
            return NULL;
        }
        if (!lp_value_as_bool(approved)) reason = "not approved (set auto_approve_models: true)";
        lp_value_unref(approved);
    }
    if (!reason) {
        deployment = deploy_if_still_better(self, mv, model, promotion, &reason);
        if (!deployment) {
            lp_value_unref(promotion);
            return NULL;
        }
    }
    lp_value_unref(promotion);
    if (reason) lp_log(self, LP_LOG_INFO, "deploy_model: not deployed, %s", reason);
    return lp_kit_result("deployed", lp_value_bool(reason == NULL), "reason",
                         reason ? lp_value_string(reason) : NULL, "deployment", deployment,
                         "superseded", lp_value_bool(reason == SUPERSEDED), (const char *)NULL);
}

/* ---- predict_data ------------------------------------------------------------- */

/* predict_data(model_version, model, frame, dataset_version)
 *   -> {prediction_job, path, rows} */
static lp_value *runner_predict_data(lp_obj *self, lp_value *args)
{
    lp_value *mv = lp_map_get(args, "model_version");
    lp_value *model = lp_kit_arg_nonnull(args, "model", "predict_data");
    lp_value *frame = model ? lp_kit_arg_nonnull(args, "frame", "predict_data") : NULL;
    if (!frame) return NULL;
    char *target = lp_obj_config_string(self, "prediction_data");
    lp_obj *predict = lp_obj_pipeline(self, "predict");
    lp_value *r = lp_predict_compare_data(predict, mv, frame);
    lp_value *preds = r ? lp_predict_get_predictions(predict, model, mv, frame) : NULL;
    lp_value_unref(r);
    lp_value *job = preds ? lp_predict_track_predictions(predict, mv, preds,
                                                         lp_map_get(args, "dataset_version"))
                          : NULL;
    r = job ? lp_predict_analyze_prediction_drift(predict, mv, preds) : NULL;
    if (r) {
        lp_value_unref(r);
        r = lp_predict_check_predictions(predict, preds, mv);
    }
    int rc = r ? lp_predict_save_predictions(predict, preds, target) : LP_ERROR;
    lp_value_unref(r);
    lp_value *result = NULL;
    if (rc == 0) {
        size_t rows = lp_frame_rows(lp_value_as_frame(preds));
        result = lp_kit_result("prediction_job", lp_value_ref(job), "path", lp_value_string(target),
                               "rows", lp_value_int((int64_t)rows), (const char *)NULL);
    }
    free(target);
    lp_value_unref(job);
    lp_value_unref(preds);
    return result;
}

/* ---- evaluate_ground_truth --------------------------------------------------- */

/* The stored predictions of a job (new ref) through the trackers. */
static lp_value *job_predictions(lp_obj *self, lp_value *job)
{
    lp_obj *tracker = lp_obj_component(self, "metadata_tracker");
    lp_obj *rvc = lp_obj_component(self, "resource_version_control");
    if (!tracker || !rvc) {
        lp_error_set(LP_ECONFIG, "evaluate_ground_truth: needs a metadata_tracker and a "
                                 "resource_version_control to find the stored predictions");
        return NULL;
    }
    lp_value *vc = lp_metadata_tracker_get_vc_info(tracker, job, "data");
    lp_value *frame = vc && lp_value_type(vc) == LP_MAP
                          ? lp_call_with(rvc, "get_data", "dataset_version", lp_value_ref(job),
                                         "vc_info", lp_value_ref(vc), (const char *)NULL)
                          : NULL;
    if (vc && !frame && lp_value_type(vc) != LP_MAP)
        lp_error_set(LP_ENOTFOUND, "evaluate_ground_truth: the prediction job has no stored data");
    lp_value_unref(vc);
    return frame;
}

/* Labelled data as given: a frame, or a path read by the runner's
 * data_connector, else as CSV. Labels skip the process pipeline, whose
 * transforms expect the raw features. New ref or NULL. */
static lp_value *load_labels(lp_obj *self, lp_value *data)
{
    if (lp_value_as_frame(data)) return lp_value_ref(data);
    const char *path = lp_value_as_string(data);
    if (!path) {
        lp_error_set(LP_EINVAL,
                     "evaluate_ground_truth: labelled data must be a path or a "
                     "frame, got %s",
                     lp_vtype_name(lp_value_type(data)));
        return NULL;
    }
    return lp_kit_load(self, path);
}

/* One column of f as its own frame (sharing the column). */
static lp_frame *column_frame(const lp_frame *f, const char *name)
{
    const char *names[1] = {name};
    lp_frame *out = NULL;
    return lp_frame_select(&out, f, names, 1) == 0 ? out : NULL;
}

/* The probability columns of joined predictions, in their order (new frame). */
static lp_frame *proba_frame(const lp_frame *f)
{
    lp_frame *out = lp_frame_new();
    for (size_t j = 0; out && j < lp_frame_cols(f); j++)
        if (strncmp(lp_frame_name(f, j), "probability_", 12) == 0 &&
            lp_frame_add_column(out, lp_frame_name(f, j), lp_column_ref(lp_frame_col(f, j))) != 0) {
            lp_frame_unref(out);
            return NULL;
        }
    if (out && lp_frame_cols(out) == 0) {
        lp_frame_unref(out);
        return NULL;
    }
    return out;
}

/* Metrics of joined predictions against the realised target. New map. */
static lp_value *realised_metrics(lp_obj *self, const lp_frame *joined, const char *target)
{
    lp_metric_task task = lp_kit_task(self);
    lp_value *names = lp_kit_config_strings(self, "metrics");
    lp_frame *truth = column_frame(joined, target), *pred = column_frame(joined, "prediction");
    lp_frame *proba = task == LP_TASK_CLASSIFICATION ? proba_frame(joined) : NULL;
    lp_value *out = NULL;
    if (names && truth && pred)
        lp_metrics_compute(&out, task, names, truth, pred, proba, NULL);
    else if (!lp_error_last()->code)
        lp_error_set(LP_EINVAL,
                     "evaluate_ground_truth: the joined data lacks '%s' or "
                     "'prediction'",
                     target);
    lp_value_unref(names);
    if (truth) lp_frame_unref(truth);
    if (pred) lp_frame_unref(pred);
    if (proba) lp_frame_unref(proba);
    return out;
}

/* Joins predictions with the labelled frame's index and target columns and
 * computes the realised metrics. New map or NULL. */
static lp_value *join_and_measure(lp_obj *self, lp_value *preds, lp_value *truth, const char *index,
                                  const char *target)
{
    const char *keep[2] = {index, target};
    lp_frame *slim = NULL, *joined = NULL;
    lp_value *metrics = NULL;
    /* Each prediction is labelled by at most one row and vice versa: with a
     * repeated index the join would pair rows many-to-many and inflate counts. */
    if (lp_frame_key_unique(lp_value_as_frame(preds), index, "the predictions") == 0 &&
        lp_frame_key_unique(lp_value_as_frame(truth), index, "the ground truth") == 0 &&
        lp_frame_select(&slim, lp_value_as_frame(truth), keep, 2) == 0 &&
        lp_frame_join(&joined, lp_value_as_frame(preds), slim, index, LP_JOIN_INNER) == 0) {
        lp_log(self, LP_LOG_INFO, "evaluate_ground_truth: %zu of %zu predictions labelled",
               lp_frame_rows(joined), lp_frame_rows(lp_value_as_frame(preds)));
        metrics = realised_metrics(self, joined, target);
    }
    if (slim) lp_frame_unref(slim);
    if (joined) lp_frame_unref(joined);
    return metrics;
}

/* evaluate_ground_truth(prediction_job, data?) -> metrics: joins the job's
 * predictions with labelled data (argument `data`, else config
 * ground_truth_data) on model_index and logs the realised metrics. */
static lp_value *runner_evaluate_ground_truth(lp_obj *self, lp_value *args)
{
    lp_value *job = lp_kit_arg_nonnull(args, "prediction_job", "evaluate_ground_truth");
    if (!job) return NULL;
    if (lp_value_type(job) != LP_STRING && lp_value_type(job) != LP_MAP)
        return lp_kit_fail(LP_EUSAGE,
                           "prediction_job must name a prediction job, "
                           "as its URI (\"model/NAME/vN/prediction_job/K\", listed by 'lolpop "
                           "runs show') or its resource map; got %s",
                           lp_vtype_name(lp_value_type(job)));
    char *index = lp_obj_config_string(self, "model_index");
    char *target = lp_obj_config_string(self, "model_target");
    lp_value *data = lp_value_ref(lp_map_get(args, "data"));
    if (!data) data = lp_obj_config(self, "ground_truth_data");
    lp_value *preds = NULL, *truth = NULL, *metrics = NULL;
    if (!index || !target || !data)
        lp_error_set(LP_ECONFIG, "evaluate_ground_truth: needs model_index, model_target and "
                                 "labelled data (argument 'data' or config ground_truth_data)");
    else if ((preds = job_predictions(self, job)) && (truth = load_labels(self, data)))
        metrics = join_and_measure(self, preds, truth, index, target);
    lp_obj *mt = lp_obj_component(self, "metrics_tracker");
    if (metrics && mt) {
        lp_value *by_split =
            lp_kit_result("ground_truth", lp_value_ref(metrics), (const char *)NULL);
        int rc = by_split ? lp_metrics_tracker_log_metrics(mt, job, by_split, NULL) : LP_ENOMEM;
        lp_value_unref(by_split);
        if (rc != 0) {
            lp_value_unref(metrics);
            metrics = NULL;
        }
    }
    free(index);
    free(target);
    lp_value_unref(data);
    lp_value_unref(preds);
    lp_value_unref(truth);
    return metrics;
}

/* ---- check_config: the data files exist before anything runs ------------------ */

/* Whether the sources are read as files: no data_connector visible from the
 * process pipeline, or the local (CSV file) one. */
static bool sources_are_files(lp_obj *self)
{
    lp_obj *process = lp_obj_pipeline(self, "process");
    lp_obj *conn = lp_obj_component(process ? process : self, "data_connector");
    const lp_class *cls = conn ? lp_obj_class(conn) : NULL;
    return !conn || (cls && strcmp(cls->name, "LocalDataConnector") == 0);
}

/* A string source must be a readable regular file (issue 11 Fix 8, issue 15:
 * a directory was reported as "No such file or directory" after training). */
static int check_source_file(lp_value *problems, const char *key, const lp_value *v)
{
    const char *path = lp_value_as_string(v);
    struct stat st;
    const char *why = NULL;
    if (!path) return 0;
    if (stat(path, &st) != 0)
        why = strerror(errno);
    else if (S_ISDIR(st.st_mode))
        why = "it is a directory, not a file";
    else if (access(path, R_OK) != 0)
        why = strerror(errno);
    if (!why) return 0;
    return lp_kit_check_add(problems, LP_SEV_ERROR, v, "cannot read %s '%s': %s", key, path, why);
}

static lp_value *runner_check_config(lp_obj *self, lp_value *args)
{
    static const char *const keys[] = {"train_data", "eval_data"};
    lp_value *problems = lp_value_list();
    int rc = problems ? 0 : LP_ENOMEM;
    if (!lp_value_as_bool(lp_map_get(args, "check_inputs"))) return problems;
    for (size_t i = 0; rc == 0 && i < 2 && sources_are_files(self); i++) {
        lp_value *v = lp_obj_config(self, keys[i]);
        if (lp_value_type(v) == LP_STRING) rc = check_source_file(problems, keys[i], v);
        for (size_t j = 0; rc == 0 && lp_value_type(v) == LP_MAP && j < lp_map_len(v); j++)
            rc = check_source_file(problems, keys[i], lp_map_value(v, j));
        lp_value_unref(v);
    }
    if (rc == 0 && lp_list_len(problems) == 0 && sources_are_files(self))
        rc = lp_runner_check_eval_columns(self, problems);
    if (rc == 0) rc = lp_runner_check_not_forecast(self, problems);
    if (rc) {
        lp_value_unref(problems);
        return NULL;
    }
    return problems;
}

/* ---- build_all, stop --------------------------------------------------------- */

/* The version and model that score the eval data: the new ones when they
 * were deployed (or nothing is deployed), else the DEPLOYED version's model
 * (issue 11: a rejected model never scores). *mv and *model new refs. */
static int scoring_model(lp_obj *self, lp_value *trained, const lp_value *deployed, lp_value **mv,
                         lp_value **model)
{
    *mv = lp_value_ref(lp_map_get(trained, "model_version"));
    *model = lp_value_ref(lp_map_get(trained, "model"));
    bool better = lp_value_as_bool(lp_map_get(trained, "better"));
    bool went_out = deployed && lp_value_as_bool(lp_map_get(deployed, "deployed"));
    lp_obj *tracker = lp_obj_component(self, "metadata_tracker");
    if (went_out || !tracker || lp_value_type(*mv) != LP_MAP) return 0;
    if (better && !lp_value_as_bool(lp_map_get(deployed, "superseded")))
        return 0; /* better but not deployed for want of approval or a deployer: it scores */
    lp_value *current = lp_metadata_tracker_get_currently_deployed_model_version(tracker, *mv);
    if (!current) return lp_error_last()->code;
    if (lp_value_type(current) != LP_MAP) {
        lp_value_unref(current); /* nothing deployed: the new model is all there is */
        return 0;
    }
    lp_value *loaded = lp_metadata_tracker_load_model(tracker, current);
    if (!loaded) {
        lp_value_unref(current);
        return lp_error_last()->code;
    }
    lp_log(self, LP_LOG_INFO,
           "predict_data: scoring with the deployed %s, not the new version %lld that was not "
           "deployed",
           lp_value_as_string(lp_map_get(current, "uri")),
           (long long)lp_value_as_int(lp_map_get(*mv, "version")));
    lp_value_unref(*mv);
    lp_value_unref(*model);
    *mv = current;
    *model = loaded;
    return 0;
}

/* A version not deployed now may be promoted later, outside this workflow
 * (`lolpop models promote`): the model_deployer records now what its bundle
 * needs from the workflow (input schema, data_transformer). A failure is
 * logged, not fatal: this run does not deploy the version. */
static void prepare_later_deployment(lp_obj *self, lp_value *mv, lp_value *model)
{
    lp_obj *deploy = lp_obj_pipeline(self, "deploy");
    lp_obj *deployer = deploy ? lp_obj_component(deploy, "model_deployer") : NULL;
    if (!deployer || !lp_obj_has_method(deployer, LP_MODEL_DEPLOYER_PREPARE_BUNDLE)) return;
    if (lp_model_deployer_prepare_bundle(deployer, mv, model) != 0)
        lp_log(self, LP_LOG_WARN, "deploy_model: %s (a later promotion of this version would fail)",
               lp_error_last()->message);
}

/* The steps of build_all after processing the training data. *scorer is the
 * model_version that scored the eval data (new ref). */
static int build_rest(lp_obj *self, lp_value *processed, lp_value **trained, lp_value **deployed,
                      lp_value **predicted, lp_value **scorer)
{
    *trained =
        lp_call_with(self, "train_model", "frame", lp_value_ref(lp_map_get(processed, "frame")),
                     "dataset_version", lp_value_ref(lp_map_get(processed, "dataset_version")),
                     (const char *)NULL);
    if (!*trained) return lp_error_last()->code;
    lp_value *mv = lp_map_get(*trained, "model_version");
    lp_value *model = lp_map_get(*trained, "model");
    if (lp_value_as_bool(lp_map_get(*trained, "better"))) {
        *deployed = lp_call_with(self, "deploy_model", "model_version", lp_value_ref(mv), "model",
                                 lp_value_ref(model), (const char *)NULL);
        if (!*deployed) return lp_error_last()->code;
        if (!lp_value_as_bool(lp_map_get(*deployed, "deployed")))
            prepare_later_deployment(self, mv, model);
    } else {
        lp_log(self, LP_LOG_INFO,
               "deploy_model: skipped, the new model is not better than the "
               "deployed one");
        prepare_later_deployment(self, mv, model);
    }
    lp_value *eval =
        lp_call_with(self, "process_data", "source", lp_value_string("eval"), (const char *)NULL);
    if (!eval) return lp_error_last()->code;
    if (lp_frame_rows(lp_value_as_frame(lp_map_get(eval, "frame"))) == 0) {
        lp_value_unref(eval); /* say so, rather than fail on the types of empty columns */
        return lp_error_set(LP_EINVAL,
                            "predict_data: the eval data has no rows, so there is nothing to "
                            "score (check config eval_data); the model is trained%s",
                            lp_value_as_bool(lp_map_get(*trained, "better")) ? " and deployed"
                                                                             : "");
    }
    lp_value *smodel = NULL;
    int rc = scoring_model(self, *trained, *deployed, scorer, &smodel);
    if (rc == 0)
        *predicted =
            lp_call_with(self, "predict_data", "model_version", lp_value_ref(*scorer), "model",
                         lp_value_ref(smodel), "frame", lp_value_ref(lp_map_get(eval, "frame")),
                         "dataset_version", lp_value_ref(lp_map_get(eval, "dataset_version")),
                         (const char *)NULL);
    lp_value_unref(smodel);
    lp_value_unref(eval);
    if (rc) return rc;
    return *predicted ? 0 : lp_error_last()->code;
}

/* build_all() -> summary: the whole workflow, then stop. The summary map
 * (runner_summary.c) is the result; printing it is the caller's business. */
static lp_value *runner_build_all(lp_obj *self, lp_value *args)
{
    (void)args;
    lp_value *processed =
        lp_call_with(self, "process_data", "source", lp_value_string("train"), (const char *)NULL);
    lp_value *trained = NULL, *deployed = NULL, *predicted = NULL, *summary = NULL, *scorer = NULL;
    int rc = processed ? build_rest(self, processed, &trained, &deployed, &predicted, &scorer)
                       : lp_error_last()->code;
    /* summarised before stop: run_info and the metrics come from the open store */
    if (rc == 0 && !(summary = lp_runner_summary(self, trained, deployed, predicted, scorer)))
        rc = LP_ENOMEM;
    lp_value_unref(scorer);
    lp_value_unref(processed);
    lp_value_unref(trained);
    lp_value_unref(deployed);
    lp_value_unref(predicted);
    return lp_runner_finish(self, rc, summary);
}

/* stop() -> null: flushes and closes the metadata store (the run succeeded). */
static lp_value *runner_stop(lp_obj *self, lp_value *args)
{
    (void)args;
    lp_obj *tracker = lp_obj_component(self, "metadata_tracker");
    if (tracker && lp_metadata_tracker_stop(tracker) != 0) return NULL;
    return lp_value_null();
}

const lp_method lp_offline_runner_methods[] = {
    {"process_data", runner_process_data,
     "process_data(source=train|eval) -> {frame, dataset_version}: transform, track, profile, "
     "check, compare"},
    {"train_model", runner_train_model,
     "train_model(frame, dataset_version) -> {model_version, model, better}"},
    {"deploy_model", runner_deploy_model,
     "deploy_model(model_version, model) -> {deployed, reason, deployment, superseded}: under "
     "the model's deploy lock, compared again with the version deployed now"},
    {"predict_data", runner_predict_data,
     "predict_data(model_version, model, frame, dataset_version) -> {prediction_job, path, rows}"},
    {"evaluate_ground_truth", runner_evaluate_ground_truth,
     "evaluate_ground_truth(prediction_job, data?) -> realised metrics"},
    {"build_all", runner_build_all,
     "build_all() -> {runner, run_id, store, model, validation, deployed, deploy_reason, "
     "predictions}: process train -> train -> deploy if better -> process eval -> predict -> "
     "stop"},
    {"stop", runner_stop, "stop(): flushes and closes the metadata store"},
    {LP_METHOD_CHECK_CONFIG, runner_check_config,
     "check_config() -> problems: train_data and eval_data files are readable (when read as "
     "files), before anything runs"},
    {NULL, NULL, NULL},
};

/* metrics_tracker: build_all's compare_models reads the deployed and the new
 * version's perf_metric from it; without one every new version would be
 * called better and deployed (issue 11, Fix 1). */
const char *const lp_offline_runner_requirements[] = {
    "pipeline.process",          "pipeline.train",
    "pipeline.deploy",           "pipeline.predict",
    "config.train_data",         "config.eval_data",
    "config.prediction_data",    "config.model_target",
    "component.metrics_tracker", NULL,
};

const lp_config_key lp_offline_runner_keys[] = {
    {"train_data", "any", "training data: a file path, table or query, or a map of them"},
    {"eval_data", "any", "data to score, as train_data"},
    {"prediction_data", "string", "where predictions go (a CSV path unless a connector says)"},
    {"model_name", "string", "the tracked model's name"},
    {"model_target", "string", "the target column"},
    {"model_index", "string", "an id column, kept in the predictions file, never a feature"},
    {"drop_columns", "list", "columns that are neither features nor target"},
    {"problem_type", "string", "classification or regression (set by the runner class)"},
    {"metrics", "list", "metric names computed on every split"},
    {"perf_metric", "string", "the metric that chooses the winner"},
    {"retrain_all", "bool", "retrain a better model on all data before deploying"},
    {"auto_approve_models", "bool", "approve promoted models without a human"},
    {"ground_truth_data", "any", "labelled data for evaluate_ground_truth"},
    {"run_report", "bool",
     "write the run report (HTML + JSON) at the end of build_all (default true)"},
    {"run_report_dir", "string",
     "where run reports go (default: the metadata store's directory + /reports)"},
    {NULL, NULL, NULL},
};
