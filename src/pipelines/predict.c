/*
 * predict.c — OfflinePredict: scores new data with a model version and keeps
 * the record.
 *
 *   compare_data(model_version, frame)     vs the model's training data
 *                                          (data_profiler; skipped without)
 *   get_predictions(model, model_version, frame)
 *                                          model_index, prediction, and for
 *                                          classification probability_<label>
 *                                          columns; with a model_explainer and
 *                                          skip_prediction_explanations: false, the
 *                                          top-k reasons per row (reason_1,
 *                                          reason_1_value, ...; explanation_top_k)
 *   track_predictions(model_version, frame, dataset_version)
 *                                          a prediction job: stored, tagged, its
 *                                          prediction statistics logged; the full
 *                                          contribution matrix of get_predictions
 *                                          stored with it (key "explanations")
 *   analyze_prediction_drift / check_predictions
 *                                          model_checker / data_checker, if any
 *   save_predictions(frame, target)        the data_connector, else a CSV file
 *                                          (written to a temp file and renamed)
 *
 * Predictions come straight from the model value: a model carries its
 * back-end and the state of the feature transformer it was trained after, so
 * no trainer or transformer needs to be visible from this pipeline.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lolpop/csv.h"
#include "lolpop/feature_state.h"
#include "lolpop/model.h"
#include "lolpop/workflow.h"
#include "lolpop/types/data_checker.h"
#include "lolpop/types/data_connector.h"
#include "lolpop/types/data_profiler.h"
#include "lolpop/types/metadata_tracker.h"
#include "lolpop/types/metrics_tracker.h"
#include "lolpop/types/model_checker.h"
#include "lolpop/types/model_explainer.h"
#include "lolpop/types/resource_version_control.h"
#include "pipelines/pipelines_internal.h"

/* The pipeline's private state: the explanations of the last get_predictions,
 * kept for track_predictions to store with the job, and the last training
 * data loaded (compare_data and analyze_prediction_drift both compare with
 * it: loading it once saves decompressing it twice). */
typedef struct predict_state {
    lp_value *explanations; /* frame or NULL */
    int64_t train_dv;       /* the dataset version of train_frame */
    lp_value *train_frame;  /* frame or NULL */
} predict_state;

/* The training frame of model_version (its `dataset_version` tag), or NULL
 * (no error) when it cannot be reached. New ref. */
static lp_value *training_frame(lp_obj *self, lp_value *mv)
{
    lp_obj *tracker = lp_obj_component(self, "metadata_tracker");
    lp_obj *rvc = lp_obj_component(self, "resource_version_control");
    if (!tracker || !rvc || !mv || lp_value_type(mv) == LP_NULL) return NULL;
    lp_value *dv = lp_metadata_tracker_get_tag(tracker, mv, "dataset_version");
    predict_state *st = lp_obj_state(self);
    if (dv && lp_value_type(dv) == LP_INT && st->train_frame &&
        st->train_dv == lp_value_as_int(dv)) {
        lp_value_unref(dv);
        return lp_value_ref(st->train_frame);
    }
    lp_value *vc = dv && lp_value_type(dv) == LP_INT
                       ? lp_metadata_tracker_get_vc_info(tracker, dv, "data")
                       : NULL;
    lp_value *frame = vc && lp_value_type(vc) == LP_MAP
                          ? lp_resource_version_control_get_data(rvc, dv, vc)
                          : NULL;
    if (lp_value_as_frame(frame)) {
        lp_value_unref(st->train_frame);
        st->train_frame = lp_value_ref(frame);
        st->train_dv = lp_value_as_int(dv);
    }
    lp_value_unref(vc);
    lp_value_unref(dv);
    return frame;
}

static lp_value *predict_compare_data(lp_obj *self, lp_value *args)
{
    lp_value *frame = lp_kit_arg_nonnull(args, "frame", "compare_data");
    if (!frame) return NULL;
    lp_obj *profiler = lp_obj_component(self, "data_profiler");
    if (!profiler) return lp_kit_skip(self, "compare_data", "data_profiler");
    lp_value *train = training_frame(self, lp_map_get(args, "model_version"));
    if (!train) {
        lp_error_clear();
        lp_log(self, LP_LOG_INFO, "compare_data: skipped, the training data is not reachable");
        return lp_value_null();
    }
    lp_value *result = lp_data_profiler_compare_data(profiler, frame, train);
    lp_value_unref(train);
    return result;
}

/* Appends src's columns to dst, each name prefixed. 0 or LP_ENOMEM. */
static int append_prefixed(lp_frame *dst, const lp_frame *src, const char *prefix)
{
    for (size_t j = 0; j < lp_frame_cols(src); j++) {
        char name[512];
        snprintf(name, sizeof name, "%s%s", prefix, lp_frame_name(src, j));
        int rc = lp_frame_add_column(dst, name, lp_column_ref(lp_frame_col(src, j)));
        if (rc != 0) return rc;
    }
    return 0;
}

/* The index column (when configured and present), prediction, probabilities. */
static int build_predictions(lp_obj *self, lp_frame *out, const lp_model *m, const lp_frame *raw,
                             const lp_frame *X)
{
    char *index = lp_obj_config_string(self, "model_index");
    lp_column *idx = index ? lp_frame_col_by_name(raw, index) : NULL;
    int rc = idx ? lp_frame_add_column(out, index, lp_column_ref(idx)) : 0;
    if (index && !idx)
        lp_log(self, LP_LOG_WARN, "get_predictions: model_index '%s' is not a column of the data",
               index);
    free(index);
    lp_frame *pred = NULL, *proba = NULL;
    if (rc == 0)
        rc = lp_model_predict_both(&pred, lp_model_has_probabilities(m) ? &proba : NULL, m, X);
    if (rc == 0) rc = append_prefixed(out, pred, "");
    if (rc == 0 && proba) rc = append_prefixed(out, proba, "probability_");
    if (pred) lp_frame_unref(pred);
    if (proba) lp_frame_unref(proba);
    return rc;
}

static void predict_fini(lp_obj *self)
{
    predict_state *st = lp_obj_state(self);
    lp_value_unref(st->explanations);
    lp_value_unref(st->train_frame);
    st->explanations = st->train_frame = NULL;
}

/* Appends the top-k reasons of the explainer's per-row contributions
 * (reason_1, reason_1_value, ...) and keeps the full matrix for the job. */
static int add_explanations(lp_obj *self, lp_frame *out, lp_value *model, lp_frame *X)
{
    lp_obj *explainer = lp_obj_component(self, "model_explainer");
    if (!explainer) {
        lp_value_unref(lp_kit_skip(self, "get_predictions: explanations", "model_explainer"));
        return 0;
    }
    if (lp_obj_config_bool(self, "skip_prediction_explanations", false)) {
        lp_log(self, LP_LOG_INFO,
               "get_predictions: explanations skipped "
               "(skip_prediction_explanations)");
        return 0;
    }
    lp_value *k = lp_obj_config(self, "explanation_top_k");
    int64_t top_k = k && lp_value_type(k) == LP_INT ? lp_value_as_int(k) : 3;
    lp_value_unref(k);
    if (top_k < 1) return lp_error_set(LP_ECONFIG, "explanation_top_k must be at least 1");
    lp_value *xv = lp_value_frame(X);
    lp_value *expl = xv ? lp_model_explainer_get_explanations(explainer, model, xv) : NULL;
    lp_value_unref(xv);
    lp_frame *e = lp_value_as_frame(expl), *reasons = NULL;
    int rc = e ? lp_model_reasons(&reasons, lp_value_as_model(model), e, (size_t)top_k)
               : lp_error_last()->code;
    if (rc == 0) rc = append_prefixed(out, reasons, "");
    if (reasons) lp_frame_unref(reasons);
    predict_state *st = lp_obj_state(self);
    lp_value_unref(st->explanations);
    st->explanations = rc == 0 ? expl : NULL;
    if (rc) lp_value_unref(expl);
    return rc;
}

static lp_value *predict_get_predictions(lp_obj *self, lp_value *args)
{
    lp_value *model = lp_kit_arg_nonnull(args, "model", "get_predictions");
    lp_frame *raw = model ? lp_kit_arg_frame(args, "frame", NULL) : NULL;
    if (!raw) return NULL;
    const lp_model *m = lp_value_as_model(model);
    if (!m) {
        lp_error_set(LP_EINVAL, "get_predictions: argument 'model' must be a model, got %s",
                     lp_vtype_name(lp_value_type(model)));
        return NULL;
    }
    lp_frame *X = NULL, *out = lp_frame_new();
    int rc = out ? lp_model_features(&X, lp_workflow_registry(lp_obj_workflow(self)), m, raw)
                 : lp_error_set(LP_ENOMEM, "out of memory");
    if (rc == 0) rc = build_predictions(self, out, m, raw, X);
    if (rc == 0) rc = add_explanations(self, out, model, X);
    if (X) lp_frame_unref(X);
    if (rc != 0) {
        if (out) lp_frame_unref(out);
        return NULL;
    }
    lp_log(self, LP_LOG_INFO, "get_predictions: %zu rows scored", lp_frame_rows(out));
    return lp_kit_frame(out);
}

/* Stores the explanations get_predictions kept (if any) with the job, under
 * the key "explanations", and forgets them. */
static int record_explanations(lp_obj *self, lp_value *job)
{
    predict_state *st = lp_obj_state(self);
    if (!st->explanations) return 0;
    lp_obj *tracker = lp_obj_component(self, "metadata_tracker");
    lp_obj *rvc = lp_obj_component(self, "resource_version_control");
    lp_value *vc = lp_resource_version_control_version_data(rvc, job, st->explanations);
    lp_value *reg =
        vc ? lp_metadata_tracker_register_vc_resource(tracker, job, vc, "explanations") : NULL;
    int rc = reg ? 0 : lp_error_last()->code;
    if (rc == 0)
        lp_log(self, LP_LOG_INFO, "track_predictions: explanations stored (%zu x %zu)",
               lp_frame_rows(lp_value_as_frame(st->explanations)),
               lp_frame_cols(lp_value_as_frame(st->explanations)));
    lp_value_unref(vc);
    lp_value_unref(reg);
    lp_value_unref(st->explanations);
    st->explanations = NULL;
    return rc;
}

/* Stores the predictions with the job and tags where they came from. */
static int record_job(lp_obj *self, lp_value *job, lp_value *frame, lp_value *dv)
{
    lp_obj *tracker = lp_obj_component(self, "metadata_tracker");
    lp_obj *rvc = lp_obj_component(self, "resource_version_control");
    int rc = 0;
    if (rvc) {
        lp_value *vc = lp_resource_version_control_version_data(rvc, job, frame);
        lp_value *reg =
            vc ? lp_metadata_tracker_register_vc_resource(tracker, job, vc, "data") : NULL;
        rc = reg ? 0 : lp_error_last()->code;
        lp_value_unref(vc);
        lp_value_unref(reg);
    }
    if (rc == 0 && dv && lp_value_type(dv) == LP_MAP)
        rc = lp_kit_tag(self, job, "dataset_version", lp_value_ref(lp_map_get(dv, "id")));
    if (rc == 0)
        rc = lp_kit_tag(self, job, "rows",
                        lp_value_int((int64_t)lp_frame_rows(lp_value_as_frame(frame))));
    lp_obj *metrics = lp_obj_component(self, "metrics_tracker");
    if (rc == 0 && metrics) rc = lp_metrics_tracker_log_prediction_metrics(metrics, job, frame);
    if (rc == 0 && rvc) rc = record_explanations(self, job);
    return rc;
}

static lp_value *predict_track_predictions(lp_obj *self, lp_value *args)
{
    lp_value *mv = lp_kit_arg_nonnull(args, "model_version", "track_predictions");
    lp_value *frame = mv ? lp_kit_arg_nonnull(args, "frame", "track_predictions") : NULL;
    if (!frame) return NULL;
    lp_obj *tracker = lp_obj_component(self, "metadata_tracker");
    if (!tracker || lp_value_type(mv) == LP_NULL)
        return lp_kit_skip(self, "track_predictions", "metadata_tracker");
    lp_value *job = lp_metadata_tracker_create_resource(tracker, NULL, "prediction_job", mv);
    if (job && record_job(self, job, frame, lp_map_get(args, "dataset_version")) != 0) {
        lp_value_unref(job);
        return NULL;
    }
    return job;
}

/* The model given, else the model of model_version loaded through the
 * metadata_tracker; NULL (no error) when neither is there. New ref. */
static lp_value *drift_model(lp_obj *self, lp_value *args)
{
    lp_value *model = lp_map_get(args, "model");
    if (lp_value_as_model(model)) return lp_value_ref(model);
    lp_obj *tracker = lp_obj_component(self, "metadata_tracker");
    lp_value *mv = lp_map_get(args, "model_version");
    if (!tracker || lp_value_type(mv) != LP_MAP) return NULL;
    lp_value *loaded = lp_metadata_tracker_load_model(tracker, mv);
    if (!loaded) lp_error_clear();
    return loaded;
}

/* Whether tag `key` of resource is the string s. */
static bool tag_is(lp_obj *tracker, lp_value *resource, const char *key, const char *s)
{
    lp_value *v = lp_metadata_tracker_get_tag(tracker, resource, key);
    bool same = s && lp_value_as_string(v) && strcmp(lp_value_as_string(v), s) == 0;
    lp_value_unref(v);
    return same;
}

/* Adds to splits the reference predictions OfflineTrain stored with mv
 * (reference_predictions, and reference_model: the fingerprint of the model they
 * came from, which calculate_model_drift checks) when they were computed on the
 * stored training data mv is tagged with. Adds nothing, with no error, otherwise
 * (an older store, another dataset, no tracker; a warning when they should be
 * there but cannot be read): the checker then scores the training data as before. */
static void add_reference_predictions(lp_obj *self, lp_value *splits, lp_value *mv)
{
    lp_obj *tracker = lp_obj_component(self, "metadata_tracker");
    lp_obj *rvc = lp_obj_component(self, "resource_version_control");
    if (!tracker || !rvc || lp_value_type(mv) != LP_MAP) return;
    lp_value *model = lp_metadata_tracker_get_tag(tracker, mv, "reference_predictions_model");
    lp_value *dv = lp_value_as_string(model)
                       ? lp_metadata_tracker_get_tag(tracker, mv, "dataset_version")
                       : NULL;
    lp_value *dvc = dv && lp_value_type(dv) == LP_INT
                        ? lp_metadata_tracker_get_vc_info(tracker, dv, "data")
                        : NULL;
    bool same = tag_is(tracker, mv, "reference_predictions_data",
                       lp_value_as_string(lp_map_get(dvc, "hash")));
    lp_value *vc =
        same ? lp_metadata_tracker_get_vc_info(tracker, mv, "reference_predictions") : NULL;
    lp_value *ref = vc && lp_value_type(vc) == LP_MAP
                        ? lp_resource_version_control_get_data(rvc, mv, vc)
                        : NULL;
    if (lp_value_as_frame(ref)) { /* lp_map_set takes ref either way */
        if (lp_map_set(splits, "reference_predictions", ref) == 0)
            lp_map_set(splits, "reference_model", lp_value_ref(model));
        ref = NULL;
    } else if (same) {
        /* They were stored for this very data but cannot be read back: a
         * damaged store is worth a line, though the drift is still right. */
        const lp_error *e = lp_error_last();
        lp_log(self, LP_LOG_WARN,
               "analyze_prediction_drift: the reference predictions stored with the model "
               "version cannot be read (%s); scoring the training data again",
               e && e->message && *e->message ? e->message : "not a frame");
    }
    lp_error_clear(); /* anything missing: the checker computes the reference */
    lp_value_unref(ref);
    lp_value_unref(vc);
    lp_value_unref(dvc);
    lp_value_unref(dv);
    lp_value_unref(model);
}

/* Drift of the predictions against the model's predictions on its training
 * data (model_checker's calculate_model_drift), recorded on the model version
 * as a comparison; a drift status other than PASS reaches the notifier. */
static lp_value *predict_analyze_prediction_drift(lp_obj *self, lp_value *args)
{
    lp_value *frame = lp_kit_arg_nonnull(args, "frame", "analyze_prediction_drift");
    if (!frame) return NULL;
    lp_obj *checker = lp_obj_component(self, "model_checker");
    if (!checker) return lp_kit_skip(self, "analyze_prediction_drift", "model_checker");
    lp_value *mv = lp_map_get(args, "model_version");
    lp_value *train = training_frame(self, mv);
    lp_value *model = train ? drift_model(self, args) : NULL;
    if (!model) {
        lp_error_clear();
        lp_value_unref(train);
        lp_log(self, LP_LOG_INFO,
               "analyze_prediction_drift: skipped, the model or its training data is not "
               "reachable");
        return lp_value_null();
    }
    lp_value *splits =
        lp_kit_result("X_train", train, "predictions", lp_value_ref(frame), (const char *)NULL);
    if (splits) add_reference_predictions(self, splits, mv);
    lp_value *result =
        splits ? lp_model_checker_calculate_model_drift(checker, splits, model) : NULL;
    lp_value_unref(splits);
    lp_value_unref(model);
    lp_obj *tracker = lp_obj_component(self, "metadata_tracker");
    if (result && tracker && lp_value_type(mv) == LP_MAP && lp_value_type(result) == LP_MAP &&
        lp_metadata_tracker_log_data_comparison(
            tracker, mv, lp_value_as_string(lp_map_get(result, "path")),
            lp_map_get(result, "report"), lp_obj_class(checker)->name) != 0) {
        lp_value_unref(result);
        return NULL;
    }
    const char *status = result ? lp_value_as_string(lp_map_get(result, "status")) : NULL;
    if (status && strcmp(status, "PASS") != 0)
        lp_notify(self, strcmp(status, "ERROR") == 0 ? LP_LOG_ERROR : LP_LOG_WARN,
                  "the predictions drifted from the training predictions (%s); report: %s", status,
                  lp_value_as_string(lp_map_get(result, "path")));
    return result;
}

static lp_value *predict_check_predictions(lp_obj *self, lp_value *args)
{
    lp_value *frame = lp_kit_arg_nonnull(args, "frame", "check_predictions");
    if (!frame) return NULL;
    lp_obj *checker = lp_obj_component(self, "data_checker");
    if (!checker) return lp_kit_skip(self, "check_predictions", "data_checker");
    lp_value *result = lp_data_checker_check_data(checker, frame);
    return lp_pipeline_check_outcome(self, checker, lp_map_get(args, "model_version"), result,
                                     "check_predictions", "prediction checks");
}

static lp_value *predict_save_predictions(lp_obj *self, lp_value *args)
{
    lp_value *frame = lp_kit_arg_nonnull(args, "frame", "save_predictions");
    const char *target = lp_value_as_string(lp_map_get(args, "target"));
    if (!frame) return NULL;
    if (!target || !*target) {
        lp_error_set(LP_ECONFIG, "save_predictions: no target (set config 'prediction_data')");
        return NULL;
    }
    lp_obj *conn = lp_obj_component(self, "data_connector");
    int rc = conn ? lp_data_connector_save_data(conn, frame, target)
                  : lp_csv_write(lp_value_as_frame(frame), target, NULL);
    if (rc != 0) return NULL;
    lp_log(self, LP_LOG_INFO, "predictions saved to %s", target);
    return lp_value_null();
}

static const lp_method predict_methods[] = {
    {"compare_data", predict_compare_data,
     "compare_data(model_version, frame) -> {report, path} vs the training data"},
    {"get_predictions", predict_get_predictions,
     "get_predictions(model, model_version, frame) -> frame: index, prediction, probabilities"},
    {"track_predictions", predict_track_predictions,
     "track_predictions(model_version, frame, dataset_version) -> prediction_job"},
    {"analyze_prediction_drift", predict_analyze_prediction_drift,
     "analyze_prediction_drift(model_version, frame[, model]) -> {report, path, status}: "
     "drift of the predictions against the model's on its training data (model_checker)"},
    {"check_predictions", predict_check_predictions,
     "check_predictions(frame, model_version) -> {report, path, status} (data_checker)"},
    {"save_predictions", predict_save_predictions,
     "save_predictions(frame, target): data_connector, else a CSV file"},
    {NULL, NULL, NULL},
};

static const lp_config_key predict_keys[] = {
    {"skip_prediction_explanations", "bool",
     "do not add reason_* columns nor store explanations (default false)"},
    {"explanation_top_k", "int", "reasons per row with a model_explainer (default 3)"},
    {NULL, NULL, NULL},
};

const lp_class lp_offline_predict_class = {
    .name = "OfflinePredict",
    .kind = LP_KIND_PIPELINE,
    .type = "predict",
    .doc = "Scores data with a model version: the model_index column, `prediction` and, for "
           "classification, probability_<label> per class (plus the top-k reasons reason_<i>, "
           "reason_<i>_value with a model_explainer, the full contributions stored with the "
           "job). Records a prediction job (data stored, statistics logged) and "
           "saves the predictions through the data_connector, or as a CSV file.",
    .config_keys = predict_keys,
    .methods = predict_methods,
    .state_size = sizeof(predict_state),
    .fini = predict_fini,
};
