/*
 * types/predict.h — the `predict` pipeline type: scores new data with a model and tracks and
 * checks the predictions.
 *
 * Contract: every pipeline class of type `predict` implements these methods
 * (checked by lp_registry_add_class). Arguments and results are named values;
 * a result written "a, b" is a map with those keys. Method names come from
 * SPEC §5 (§6.1 for pipelines); argument and result names are fixed here.
 *
 *   compare_data(model_version, frame) -> report, path
 *       vs the model's training data
 *       model_version: model version
 *       frame: data to score
 *   get_predictions(model, model_version, frame) -> frame
 *       predictions, probabilities, optional explanations
 *       model: model handle
 *       model_version: model version
 *       frame: data to score
 *   track_predictions(model_version, frame, dataset_version) -> prediction_job
 *       the recorded job
 *       model_version: model version
 *       frame: predictions
 *       dataset_version: version of the scored data
 *   analyze_prediction_drift(model_version, frame) -> report
 *       drift vs training predictions
 *       model_version: model version
 *       frame: predictions
 *   check_predictions(frame, model_version) -> report, path, status
 *       via the data_checker
 *       frame: predictions
 *       model_version: model version
 *   save_predictions(frame, target)
 *       via the data_connector
 *       frame: predictions
 *       target: file or table
 *
 * The inline helpers call through the dispatcher (lp_call_with). They borrow
 * their arguments (NULL becomes a null value). Helpers of methods with a result
 * return a new reference, or NULL with the last error set; the others return 0
 * or the negative LP_E* code of the failure.
 */
#ifndef LOLPOP_TYPES_PREDICT_H
#define LOLPOP_TYPES_PREDICT_H

#include <stdint.h>
#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LP_TYPE_PREDICT                     "predict"
#define LP_PREDICT_COMPARE_DATA             "compare_data"
#define LP_PREDICT_GET_PREDICTIONS          "get_predictions"
#define LP_PREDICT_TRACK_PREDICTIONS        "track_predictions"
#define LP_PREDICT_ANALYZE_PREDICTION_DRIFT "analyze_prediction_drift"
#define LP_PREDICT_CHECK_PREDICTIONS        "check_predictions"
#define LP_PREDICT_SAVE_PREDICTIONS         "save_predictions"

/* compare_data(model_version, frame) -> report, path: vs the model's training data. */
static inline lp_value *lp_predict_compare_data(lp_obj *predict, lp_value *model_version,
                                                lp_value *frame)
{
    return lp_call_with(predict, LP_PREDICT_COMPARE_DATA, "model_version",
                        lp_type_arg(model_version), "frame", lp_type_arg(frame),
                        (const char *)NULL);
}

/* get_predictions(model, model_version, frame) -> frame: predictions, probabilities, optional
 * explanations. */
static inline lp_value *lp_predict_get_predictions(lp_obj *predict, lp_value *model,
                                                   lp_value *model_version, lp_value *frame)
{
    return lp_call_with(predict, LP_PREDICT_GET_PREDICTIONS, "model", lp_type_arg(model),
                        "model_version", lp_type_arg(model_version), "frame", lp_type_arg(frame),
                        (const char *)NULL);
}

/* track_predictions(model_version, frame, dataset_version) -> prediction_job: the recorded job. */
static inline lp_value *lp_predict_track_predictions(lp_obj *predict, lp_value *model_version,
                                                     lp_value *frame, lp_value *dataset_version)
{
    return lp_call_with(predict, LP_PREDICT_TRACK_PREDICTIONS, "model_version",
                        lp_type_arg(model_version), "frame", lp_type_arg(frame), "dataset_version",
                        lp_type_arg(dataset_version), (const char *)NULL);
}

/* analyze_prediction_drift(model_version, frame) -> report: drift vs training predictions. */
static inline lp_value *
lp_predict_analyze_prediction_drift(lp_obj *predict, lp_value *model_version, lp_value *frame)
{
    return lp_call_with(predict, LP_PREDICT_ANALYZE_PREDICTION_DRIFT, "model_version",
                        lp_type_arg(model_version), "frame", lp_type_arg(frame),
                        (const char *)NULL);
}

/* check_predictions(frame, model_version) -> report, path, status: via the data_checker. */
static inline lp_value *lp_predict_check_predictions(lp_obj *predict, lp_value *frame,
                                                     lp_value *model_version)
{
    return lp_call_with(predict, LP_PREDICT_CHECK_PREDICTIONS, "frame", lp_type_arg(frame),
                        "model_version", lp_type_arg(model_version), (const char *)NULL);
}

/* save_predictions(frame, target): via the data_connector. */
static inline int lp_predict_save_predictions(lp_obj *predict, lp_value *frame, const char *target)
{
    return lp_type_status(lp_call_with(predict, LP_PREDICT_SAVE_PREDICTIONS, "frame",
                                       lp_type_arg(frame), "target", lp_type_arg_str(target),
                                       (const char *)NULL));
}

#ifdef __cplusplus
}
#endif
#endif
