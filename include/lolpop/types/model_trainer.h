/*
 * types/model_trainer.h — the `model_trainer` component type: trains a model, predicts with it
 * and computes its metrics.
 *
 * Contract: every component class of type `model_trainer` implements these methods
 * (checked by lp_registry_add_class). Arguments and results are named values;
 * a result written "a, b" is a map with those keys. Method names come from
 * SPEC §5 (§6.1 for pipelines); argument and result names are fixed here.
 *
 *   fit(splits) -> model
 *       the trained model handle
 *       splits: map of X_/y_ frames per split
 *   predict(frame) -> predictions
 *       frame of predictions
 *       frame: feature frame
 *   predict_proba(frame) -> probabilities
 *       frame of class probabilities
 *       frame: feature frame
 *   calculate_metrics(splits, predictions, metrics) -> metrics
 *       map split -> metric name -> value
 *       splits: map of X_/y_ frames per split
 *       predictions: map split -> predictions frame
 *       metrics: list of metric names
 *   save(path)
 *       saves the model
 *       path: file to write the model to
 *   load(path)
 *       restores the model
 *       path: file written by save
 *
 * The inline helpers call through the dispatcher (lp_call_with). They borrow
 * their arguments (NULL becomes a null value). Helpers of methods with a result
 * return a new reference, or NULL with the last error set; the others return 0
 * or the negative LP_E* code of the failure.
 */
#ifndef LOLPOP_TYPES_MODEL_TRAINER_H
#define LOLPOP_TYPES_MODEL_TRAINER_H

#include <stdint.h>
#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LP_TYPE_MODEL_TRAINER              "model_trainer"
#define LP_MODEL_TRAINER_FIT               "fit"
#define LP_MODEL_TRAINER_PREDICT           "predict"
#define LP_MODEL_TRAINER_PREDICT_PROBA     "predict_proba"
#define LP_MODEL_TRAINER_CALCULATE_METRICS "calculate_metrics"
#define LP_MODEL_TRAINER_SAVE              "save"
#define LP_MODEL_TRAINER_LOAD              "load"

/* fit(splits) -> model: the trained model handle. */
static inline lp_value *lp_model_trainer_fit(lp_obj *model_trainer, lp_value *splits)
{
    return lp_call_with(model_trainer, LP_MODEL_TRAINER_FIT, "splits", lp_type_arg(splits),
                        (const char *)NULL);
}

/* predict(frame) -> predictions: frame of predictions. */
static inline lp_value *lp_model_trainer_predict(lp_obj *model_trainer, lp_value *frame)
{
    return lp_call_with(model_trainer, LP_MODEL_TRAINER_PREDICT, "frame", lp_type_arg(frame),
                        (const char *)NULL);
}

/* predict_proba(frame) -> probabilities: frame of class probabilities. */
static inline lp_value *lp_model_trainer_predict_proba(lp_obj *model_trainer, lp_value *frame)
{
    return lp_call_with(model_trainer, LP_MODEL_TRAINER_PREDICT_PROBA, "frame", lp_type_arg(frame),
                        (const char *)NULL);
}

/* calculate_metrics(splits, predictions, metrics) -> metrics: map split -> metric name -> value. */
static inline lp_value *lp_model_trainer_calculate_metrics(lp_obj *model_trainer, lp_value *splits,
                                                           lp_value *predictions, lp_value *metrics)
{
    return lp_call_with(model_trainer, LP_MODEL_TRAINER_CALCULATE_METRICS, "splits",
                        lp_type_arg(splits), "predictions", lp_type_arg(predictions), "metrics",
                        lp_type_arg(metrics), (const char *)NULL);
}

/* save(path): saves the model. */
static inline int lp_model_trainer_save(lp_obj *model_trainer, const char *path)
{
    return lp_type_status(lp_call_with(model_trainer, LP_MODEL_TRAINER_SAVE, "path",
                                       lp_type_arg_str(path), (const char *)NULL));
}

/* load(path): restores the model. */
static inline int lp_model_trainer_load(lp_obj *model_trainer, const char *path)
{
    return lp_type_status(lp_call_with(model_trainer, LP_MODEL_TRAINER_LOAD, "path",
                                       lp_type_arg_str(path), (const char *)NULL));
}

#ifdef __cplusplus
}
#endif
#endif
