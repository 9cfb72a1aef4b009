/*
 * types/model_trainer.h — the `model_trainer` component type: trains a model, predicts with it
 * and computes its metrics.
 *
 * Contract: every component class of type `model_trainer` implements these methods
 * (checked by lp_registry_add_class). Arguments and results are named values;
 * a result written "a, b" is a map with those keys. Method names come from
 * SPEC §5 (§6.1 for pipelines); argument and result names are fixed here.
 * An argument written "name?" is optional: a caller may leave it out (or pass
 * null), and every class of the type accepts it; the trainer kit
 * (trainer_kit.h) implements all of them. The experiment code and the tuners
 * pass `params` to fit and `model` to predict, predict_proba and
 * calculate_metrics.
 *
 *   fit(splits, params?) -> model
 *       the trained model handle
 *       splits: map of X_/y_ frames per split
 *       params: optional; map of training parameters set over training_params, key by key
 *   predict(frame, model?) -> predictions
 *       frame of predictions
 *       frame: feature frame
 *       model: optional; model to use instead of the last fitted or loaded one
 *   predict_proba(frame, model?) -> probabilities
 *       frame of class probabilities
 *       frame: feature frame
 *       model: optional; model to use instead of the last fitted or loaded one
 *   calculate_metrics(splits, predictions, metrics, model?) -> metrics
 *       map split -> metric name -> value
 *       splits: map of X_/y_ frames per split
 *       predictions: map split -> predictions frame
 *       metrics: list of metric names
 *       model: optional; model to use instead of the last fitted or loaded one
 *   save(path, model?)
 *       saves the model
 *       path: file to write the model to
 *       model: optional; model to use instead of the last fitted or loaded one
 *   load(path)
 *       restores the model
 *       path: file written by save
 *
 * The inline helpers call through the dispatcher (lp_call_with). They borrow
 * their arguments (NULL becomes a null value). Helpers of methods with a result
 * return a new reference, or NULL with the last error set; the others return 0
 * or the negative LP_E* code of the failure. A method with optional arguments
 * has two helpers: lp_model_trainer_<method> leaves them out, and
 * lp_model_trainer_<method>_<arguments> passes them (NULL: the same as
 * leaving it out).
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

/* fit(splits) -> model: the trained model handle (params: training_params alone). */
static inline lp_value *lp_model_trainer_fit(lp_obj *model_trainer, lp_value *splits)
{
    return lp_call_with(model_trainer, LP_MODEL_TRAINER_FIT, "splits", lp_type_arg(splits),
                        (const char *)NULL);
}

/* fit(splits, params) -> model: trained with params set over training_params. */
static inline lp_value *lp_model_trainer_fit_params(lp_obj *model_trainer, lp_value *splits,
                                                    lp_value *params)
{
    return lp_call_with(model_trainer, LP_MODEL_TRAINER_FIT, "splits", lp_type_arg(splits),
                        "params", lp_type_arg(params), (const char *)NULL);
}

/* predict(frame) -> predictions: frame of predictions (by the last fitted or loaded model). */
static inline lp_value *lp_model_trainer_predict(lp_obj *model_trainer, lp_value *frame)
{
    return lp_call_with(model_trainer, LP_MODEL_TRAINER_PREDICT, "frame", lp_type_arg(frame),
                        (const char *)NULL);
}

/* predict(frame, model) -> predictions: frame of predictions by `model`. */
static inline lp_value *lp_model_trainer_predict_model(lp_obj *model_trainer, lp_value *frame,
                                                       lp_value *model)
{
    return lp_call_with(model_trainer, LP_MODEL_TRAINER_PREDICT, "frame", lp_type_arg(frame),
                        "model", lp_type_arg(model), (const char *)NULL);
}

/* predict_proba(frame) -> probabilities: frame of class probabilities (last model). */
static inline lp_value *lp_model_trainer_predict_proba(lp_obj *model_trainer, lp_value *frame)
{
    return lp_call_with(model_trainer, LP_MODEL_TRAINER_PREDICT_PROBA, "frame", lp_type_arg(frame),
                        (const char *)NULL);
}

/* predict_proba(frame, model) -> probabilities: frame of class probabilities by `model`. */
static inline lp_value *lp_model_trainer_predict_proba_model(lp_obj *model_trainer, lp_value *frame,
                                                             lp_value *model)
{
    return lp_call_with(model_trainer, LP_MODEL_TRAINER_PREDICT_PROBA, "frame", lp_type_arg(frame),
                        "model", lp_type_arg(model), (const char *)NULL);
}

/* calculate_metrics(splits, predictions, metrics) -> metrics: map split -> metric name -> value. */
static inline lp_value *lp_model_trainer_calculate_metrics(lp_obj *model_trainer, lp_value *splits,
                                                           lp_value *predictions, lp_value *metrics)
{
    return lp_call_with(model_trainer, LP_MODEL_TRAINER_CALCULATE_METRICS, "splits",
                        lp_type_arg(splits), "predictions", lp_type_arg(predictions), "metrics",
                        lp_type_arg(metrics), (const char *)NULL);
}

/* calculate_metrics(splits, predictions, metrics, model) -> metrics: of `model`. */
static inline lp_value *lp_model_trainer_calculate_metrics_model(lp_obj *model_trainer,
                                                                 lp_value *splits,
                                                                 lp_value *predictions,
                                                                 lp_value *metrics, lp_value *model)
{
    return lp_call_with(model_trainer, LP_MODEL_TRAINER_CALCULATE_METRICS, "splits",
                        lp_type_arg(splits), "predictions", lp_type_arg(predictions), "metrics",
                        lp_type_arg(metrics), "model", lp_type_arg(model), (const char *)NULL);
}

/* save(path): saves the last fitted or loaded model. */
static inline int lp_model_trainer_save(lp_obj *model_trainer, const char *path)
{
    return lp_type_status(lp_call_with(model_trainer, LP_MODEL_TRAINER_SAVE, "path",
                                       lp_type_arg_str(path), (const char *)NULL));
}

/* save(path, model): saves `model`. */
static inline int lp_model_trainer_save_model(lp_obj *model_trainer, const char *path,
                                              lp_value *model)
{
    return lp_type_status(lp_call_with(model_trainer, LP_MODEL_TRAINER_SAVE, "path",
                                       lp_type_arg_str(path), "model", lp_type_arg(model),
                                       (const char *)NULL));
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
