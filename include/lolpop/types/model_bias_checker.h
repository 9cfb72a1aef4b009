/*
 * types/model_bias_checker.h — the `model_bias_checker` component type: computes fairness metrics
 * over configured groups.
 *
 * Contract: every component class of type `model_bias_checker` implements these methods
 * (checked by lp_registry_add_class). Arguments and results are named values;
 * a result written "a, b" is a map with those keys. Method names come from
 * SPEC §5 (§6.1 for pipelines); argument and result names are fixed here.
 *
 *   check_model_bias(frame, model) -> metrics
 *       map group -> metric -> value
 *       frame: frame with features and target
 *       model: model handle
 *
 * Optional: a class may implement these too; callers check first with
 * lp_obj_has_method (lp_type.optional_methods lists them).
 *
 *   check_classes(classes)
 *       fails when the configuration cannot judge a classifier of these classes (before training)
 *       classes: list of the target's class labels, sorted
 *
 * The inline helpers call through the dispatcher (lp_call_with). They borrow
 * their arguments (NULL becomes a null value). Helpers of methods with a result
 * return a new reference, or NULL with the last error set; the others return 0
 * or the negative LP_E* code of the failure.
 */
#ifndef LOLPOP_TYPES_MODEL_BIAS_CHECKER_H
#define LOLPOP_TYPES_MODEL_BIAS_CHECKER_H

#include <stdint.h>
#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LP_TYPE_MODEL_BIAS_CHECKER             "model_bias_checker"
#define LP_MODEL_BIAS_CHECKER_CHECK_MODEL_BIAS "check_model_bias"
#define LP_MODEL_BIAS_CHECKER_CHECK_CLASSES    "check_classes"

/* check_model_bias(frame, model) -> metrics: map group -> metric -> value. */
static inline lp_value *lp_model_bias_checker_check_model_bias(lp_obj *model_bias_checker,
                                                               lp_value *frame, lp_value *model)
{
    return lp_call_with(model_bias_checker, LP_MODEL_BIAS_CHECKER_CHECK_MODEL_BIAS, "frame",
                        lp_type_arg(frame), "model", lp_type_arg(model), (const char *)NULL);
}

/* check_classes(classes): fails when the configuration cannot judge a classifier of these
 * classes (before training).
 * Optional: LP_ENOTFOUND when the class lacks it; check first with
 * lp_obj_has_method(model_bias_checker, LP_MODEL_BIAS_CHECKER_CHECK_CLASSES). */
static inline int lp_model_bias_checker_check_classes(lp_obj *model_bias_checker, lp_value *classes)
{
    return lp_type_status(lp_call_with(model_bias_checker, LP_MODEL_BIAS_CHECKER_CHECK_CLASSES,
                                       "classes", lp_type_arg(classes), (const char *)NULL));
}

#ifdef __cplusplus
}
#endif
#endif
