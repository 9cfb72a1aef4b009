/*
 * types/model_explainer.h — the `model_explainer` component type: explains a model: feature
 * importance and per-row explanations.
 *
 * Contract: every component class of type `model_explainer` implements these methods
 * (checked by lp_registry_add_class). Arguments and results are named values;
 * a result written "a, b" is a map with those keys. Method names come from
 * SPEC §5 (§6.1 for pipelines); argument and result names are fixed here.
 *
 *   get_feature_importance(model, frame) -> importance
 *       frame: feature, importance
 *       model: model handle
 *       frame: feature frame
 *   get_explanations(model, frame) -> explanations
 *       frame of per-row contributions
 *       model: model handle
 *       frame: feature frame
 *
 * The inline helpers call through the dispatcher (lp_call_with). They borrow
 * their arguments (NULL becomes a null value). Helpers of methods with a result
 * return a new reference, or NULL with the last error set; the others return 0
 * or the negative LP_E* code of the failure.
 */
#ifndef LOLPOP_TYPES_MODEL_EXPLAINER_H
#define LOLPOP_TYPES_MODEL_EXPLAINER_H

#include <stdint.h>
#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LP_TYPE_MODEL_EXPLAINER                   "model_explainer"
#define LP_MODEL_EXPLAINER_GET_FEATURE_IMPORTANCE "get_feature_importance"
#define LP_MODEL_EXPLAINER_GET_EXPLANATIONS       "get_explanations"

/* get_feature_importance(model, frame) -> importance: frame: feature, importance. */
static inline lp_value *lp_model_explainer_get_feature_importance(lp_obj *model_explainer,
                                                                  lp_value *model, lp_value *frame)
{
    return lp_call_with(model_explainer, LP_MODEL_EXPLAINER_GET_FEATURE_IMPORTANCE, "model",
                        lp_type_arg(model), "frame", lp_type_arg(frame), (const char *)NULL);
}

/* get_explanations(model, frame) -> explanations: frame of per-row contributions. */
static inline lp_value *lp_model_explainer_get_explanations(lp_obj *model_explainer,
                                                            lp_value *model, lp_value *frame)
{
    return lp_call_with(model_explainer, LP_MODEL_EXPLAINER_GET_EXPLANATIONS, "model",
                        lp_type_arg(model), "frame", lp_type_arg(frame), (const char *)NULL);
}

#ifdef __cplusplus
}
#endif
#endif
