/*
 * types/model_checker.h — the `model_checker` component type: checks a model against baselines,
 * thresholds and drift.
 *
 * Contract: every component class of type `model_checker` implements these methods
 * (checked by lp_registry_add_class). Arguments and results are named values;
 * a result written "a, b" is a map with those keys. Method names come from
 * SPEC §5 (§6.1 for pipelines); argument and result names are fixed here.
 *
 *   check_model(splits, model) -> report, path, status
 *       map; status PASS|WARN|ERROR
 *       splits: map of X_/y_ frames per split
 *       model: model handle
 *   get_baseline_comparison(splits, model, predictions?) -> report
 *       metrics of the model vs baseline models
 *       splits: map of X_/y_ frames per split
 *       model: model handle
 *       predictions: optional; the model's predictions per split, used where they fit
 *   calculate_model_drift(splits, model) -> report
 *       drift of the predictions between splits
 *       splits: map of X_/y_ frames per split
 *       model: model handle
 *   compare_models(model_version, other_model_version) -> better
 *       bool: true if the new one is better
 *       model_version: new model version
 *       other_model_version: version to beat, or NULL
 *
 * The inline helpers call through the dispatcher (lp_call_with). They borrow
 * their arguments (NULL becomes a null value). Helpers of methods with a result
 * return a new reference, or NULL with the last error set; the others return 0
 * or the negative LP_E* code of the failure. A method with optional arguments
 * has two helpers: lp_model_checker_<method> leaves them out, and
 * lp_model_checker_<method>_<arguments> passes them (NULL: the same as
 * leaving it out).
 */
#ifndef LOLPOP_TYPES_MODEL_CHECKER_H
#define LOLPOP_TYPES_MODEL_CHECKER_H

#include <stdint.h>
#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LP_TYPE_MODEL_CHECKER                    "model_checker"
#define LP_MODEL_CHECKER_CHECK_MODEL             "check_model"
#define LP_MODEL_CHECKER_GET_BASELINE_COMPARISON "get_baseline_comparison"
#define LP_MODEL_CHECKER_CALCULATE_MODEL_DRIFT   "calculate_model_drift"
#define LP_MODEL_CHECKER_COMPARE_MODELS          "compare_models"

/* check_model(splits, model) -> report, path, status: map; status PASS|WARN|ERROR. */
static inline lp_value *lp_model_checker_check_model(lp_obj *model_checker, lp_value *splits,
                                                     lp_value *model)
{
    return lp_call_with(model_checker, LP_MODEL_CHECKER_CHECK_MODEL, "splits", lp_type_arg(splits),
                        "model", lp_type_arg(model), (const char *)NULL);
}

/* get_baseline_comparison(splits, model) -> report: metrics of the model vs baseline models. */
static inline lp_value *lp_model_checker_get_baseline_comparison(lp_obj *model_checker,
                                                                 lp_value *splits, lp_value *model)
{
    return lp_call_with(model_checker, LP_MODEL_CHECKER_GET_BASELINE_COMPARISON, "splits",
                        lp_type_arg(splits), "model", lp_type_arg(model), (const char *)NULL);
}

/* get_baseline_comparison(splits, model, predictions) -> report: metrics of the model vs
 * baseline models, from the given predictions where they fit the splits. */
static inline lp_value *lp_model_checker_get_baseline_comparison_predictions(lp_obj *model_checker,
                                                                             lp_value *splits,
                                                                             lp_value *model,
                                                                             lp_value *predictions)
{
    return lp_call_with(model_checker, LP_MODEL_CHECKER_GET_BASELINE_COMPARISON, "splits",
                        lp_type_arg(splits), "model", lp_type_arg(model), "predictions",
                        lp_type_arg(predictions), (const char *)NULL);
}

/* calculate_model_drift(splits, model) -> report: drift of the predictions between splits. */
static inline lp_value *lp_model_checker_calculate_model_drift(lp_obj *model_checker,
                                                               lp_value *splits, lp_value *model)
{
    return lp_call_with(model_checker, LP_MODEL_CHECKER_CALCULATE_MODEL_DRIFT, "splits",
                        lp_type_arg(splits), "model", lp_type_arg(model), (const char *)NULL);
}

/* compare_models(model_version, other_model_version) -> better: bool: true if the new one is
 * better. */
static inline lp_value *lp_model_checker_compare_models(lp_obj *model_checker,
                                                        lp_value *model_version,
                                                        lp_value *other_model_version)
{
    return lp_call_with(model_checker, LP_MODEL_CHECKER_COMPARE_MODELS, "model_version",
                        lp_type_arg(model_version), "other_model_version",
                        lp_type_arg(other_model_version), (const char *)NULL);
}

#ifdef __cplusplus
}
#endif
#endif
