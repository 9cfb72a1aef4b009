/*
 * types/train.h — the `train` pipeline type: trains, analyses, checks and compares models.
 *
 * Contract: every pipeline class of type `train` implements these methods
 * (checked by lp_registry_add_class). Arguments and results are named values;
 * a result written "a, b" is a map with those keys. Method names come from
 * SPEC §5 (§6.1 for pipelines); argument and result names are fixed here.
 *
 *   split_data(frame) -> splits
 *       via the data_splitter
 *       frame: the frame
 *   train_model(splits, dataset_version) -> model_version, model
 *       tuner if configured, else trainer
 *       splits: map of X_/y_ frames per split
 *       dataset_version: the data's version
 *   analyze_model(splits, model_version, model) -> report
 *       importance, baselines, plots
 *       splits: map of X_/y_ frames per split
 *       model_version: model version
 *       model: model handle
 *   check_model(splits, model_version, model) -> report, path, status
 *       via the model_checker
 *       splits: map of X_/y_ frames per split
 *       model_version: model version
 *       model: model handle
 *   check_model_bias(splits, model_version, model) -> metrics
 *       via the model_bias_checker
 *       splits: map of X_/y_ frames per split
 *       model_version: model version
 *       model: model handle
 *   compare_models(model_version, model) -> better
 *       bool: true if better than the deployed one or none is deployed
 *       model_version: new model version
 *       model: model handle
 *   retrain_model_on_all_data(frame, model_version, model) -> model
 *       the retrained model
 *       frame: all data
 *       model_version: model version
 *       model: model handle
 *
 * The inline helpers call through the dispatcher (lp_call_with). They borrow
 * their arguments (NULL becomes a null value). Helpers of methods with a result
 * return a new reference, or NULL with the last error set; the others return 0
 * or the negative LP_E* code of the failure.
 */
#ifndef LOLPOP_TYPES_TRAIN_H
#define LOLPOP_TYPES_TRAIN_H

#include <stdint.h>
#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LP_TYPE_TRAIN                      "train"
#define LP_TRAIN_SPLIT_DATA                "split_data"
#define LP_TRAIN_TRAIN_MODEL               "train_model"
#define LP_TRAIN_ANALYZE_MODEL             "analyze_model"
#define LP_TRAIN_CHECK_MODEL               "check_model"
#define LP_TRAIN_CHECK_MODEL_BIAS          "check_model_bias"
#define LP_TRAIN_COMPARE_MODELS            "compare_models"
#define LP_TRAIN_RETRAIN_MODEL_ON_ALL_DATA "retrain_model_on_all_data"

/* split_data(frame) -> splits: via the data_splitter. */
static inline lp_value *lp_train_split_data(lp_obj *train, lp_value *frame)
{
    return lp_call_with(train, LP_TRAIN_SPLIT_DATA, "frame", lp_type_arg(frame),
                        (const char *)NULL);
}

/* train_model(splits, dataset_version) -> model_version, model: tuner if configured, else trainer.
 */
static inline lp_value *lp_train_train_model(lp_obj *train, lp_value *splits,
                                             lp_value *dataset_version)
{
    return lp_call_with(train, LP_TRAIN_TRAIN_MODEL, "splits", lp_type_arg(splits),
                        "dataset_version", lp_type_arg(dataset_version), (const char *)NULL);
}

/* analyze_model(splits, model_version, model) -> report: importance, baselines, plots. */
static inline lp_value *lp_train_analyze_model(lp_obj *train, lp_value *splits,
                                               lp_value *model_version, lp_value *model)
{
    return lp_call_with(train, LP_TRAIN_ANALYZE_MODEL, "splits", lp_type_arg(splits),
                        "model_version", lp_type_arg(model_version), "model", lp_type_arg(model),
                        (const char *)NULL);
}

/* check_model(splits, model_version, model) -> report, path, status: via the model_checker. */
static inline lp_value *lp_train_check_model(lp_obj *train, lp_value *splits,
                                             lp_value *model_version, lp_value *model)
{
    return lp_call_with(train, LP_TRAIN_CHECK_MODEL, "splits", lp_type_arg(splits), "model_version",
                        lp_type_arg(model_version), "model", lp_type_arg(model),
                        (const char *)NULL);
}

/* check_model_bias(splits, model_version, model) -> metrics: via the model_bias_checker. */
static inline lp_value *lp_train_check_model_bias(lp_obj *train, lp_value *splits,
                                                  lp_value *model_version, lp_value *model)
{
    return lp_call_with(train, LP_TRAIN_CHECK_MODEL_BIAS, "splits", lp_type_arg(splits),
                        "model_version", lp_type_arg(model_version), "model", lp_type_arg(model),
                        (const char *)NULL);
}

/* compare_models(model_version, model) -> better: bool: true if better than the deployed one or
 * none is deployed. */
static inline lp_value *lp_train_compare_models(lp_obj *train, lp_value *model_version,
                                                lp_value *model)
{
    return lp_call_with(train, LP_TRAIN_COMPARE_MODELS, "model_version", lp_type_arg(model_version),
                        "model", lp_type_arg(model), (const char *)NULL);
}

/* retrain_model_on_all_data(frame, model_version, model) -> model: the retrained model. */
static inline lp_value *lp_train_retrain_model_on_all_data(lp_obj *train, lp_value *frame,
                                                           lp_value *model_version, lp_value *model)
{
    return lp_call_with(train, LP_TRAIN_RETRAIN_MODEL_ON_ALL_DATA, "frame", lp_type_arg(frame),
                        "model_version", lp_type_arg(model_version), "model", lp_type_arg(model),
                        (const char *)NULL);
}

#ifdef __cplusplus
}
#endif
#endif
