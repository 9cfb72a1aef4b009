/*
 * types/model_visualizer.h — the `model_visualizer` component type: draws model plots (ROC, PR,
 * confusion matrix, ...).
 *
 * Contract: every component class of type `model_visualizer` implements these methods
 * (checked by lp_registry_add_class). Arguments and results are named values;
 * a result written "a, b" is a map with those keys. Method names come from
 * SPEC §5 (§6.1 for pipelines); argument and result names are fixed here.
 *
 *   generate_viz(splits, model) -> paths
 *       list of image files
 *       splits: map of X_/y_ frames per split
 *       model: model handle
 *
 * The inline helpers call through the dispatcher (lp_call_with). They borrow
 * their arguments (NULL becomes a null value). Helpers of methods with a result
 * return a new reference, or NULL with the last error set; the others return 0
 * or the negative LP_E* code of the failure.
 */
#ifndef LOLPOP_TYPES_MODEL_VISUALIZER_H
#define LOLPOP_TYPES_MODEL_VISUALIZER_H

#include <stdint.h>
#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LP_TYPE_MODEL_VISUALIZER         "model_visualizer"
#define LP_MODEL_VISUALIZER_GENERATE_VIZ "generate_viz"

/* generate_viz(splits, model) -> paths: list of image files. */
static inline lp_value *lp_model_visualizer_generate_viz(lp_obj *model_visualizer, lp_value *splits,
                                                         lp_value *model)
{
    return lp_call_with(model_visualizer, LP_MODEL_VISUALIZER_GENERATE_VIZ, "splits",
                        lp_type_arg(splits), "model", lp_type_arg(model), (const char *)NULL);
}

#ifdef __cplusplus
}
#endif
#endif
