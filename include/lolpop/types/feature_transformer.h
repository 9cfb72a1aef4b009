/*
 * types/feature_transformer.h — the `feature_transformer` component type: fits and applies
 * feature encodings, scalings and imputers.
 *
 * Contract: every component class of type `feature_transformer` implements these methods
 * (checked by lp_registry_add_class). Arguments and results are named values;
 * a result written "a, b" is a map with those keys. Method names come from
 * SPEC §5 (§6.1 for pipelines); argument and result names are fixed here.
 *
 *   fit(X, y)
 *       learns the encodings
 *       X: feature frame
 *       y: target frame, or NULL
 *   transform(X) -> X
 *       the transformed feature frame
 *       X: feature frame
 *   save() -> data
 *       the fitted state as bytes (a string value; may hold any byte)
 *   load(data)
 *       restores the fitted state
 *       data: bytes returned by save
 *
 * The inline helpers call through the dispatcher (lp_call_with). They borrow
 * their arguments (NULL becomes a null value). Helpers of methods with a result
 * return a new reference, or NULL with the last error set; the others return 0
 * or the negative LP_E* code of the failure.
 */
#ifndef LOLPOP_TYPES_FEATURE_TRANSFORMER_H
#define LOLPOP_TYPES_FEATURE_TRANSFORMER_H

#include <stdint.h>
#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LP_TYPE_FEATURE_TRANSFORMER      "feature_transformer"
#define LP_FEATURE_TRANSFORMER_FIT       "fit"
#define LP_FEATURE_TRANSFORMER_TRANSFORM "transform"
#define LP_FEATURE_TRANSFORMER_SAVE      "save"
#define LP_FEATURE_TRANSFORMER_LOAD      "load"

/* fit(X, y): learns the encodings. */
static inline int lp_feature_transformer_fit(lp_obj *feature_transformer, lp_value *X, lp_value *y)
{
    return lp_type_status(lp_call_with(feature_transformer, LP_FEATURE_TRANSFORMER_FIT, "X",
                                       lp_type_arg(X), "y", lp_type_arg(y), (const char *)NULL));
}

/* transform(X) -> X: the transformed feature frame. */
static inline lp_value *lp_feature_transformer_transform(lp_obj *feature_transformer, lp_value *X)
{
    return lp_call_with(feature_transformer, LP_FEATURE_TRANSFORMER_TRANSFORM, "X", lp_type_arg(X),
                        (const char *)NULL);
}

/* save() -> data: the fitted state as bytes (a string value). */
static inline lp_value *lp_feature_transformer_save(lp_obj *feature_transformer)
{
    return lp_call_with(feature_transformer, LP_FEATURE_TRANSFORMER_SAVE, (const char *)NULL);
}

/* load(data): restores the fitted state from bytes returned by save. */
static inline int lp_feature_transformer_load(lp_obj *feature_transformer, lp_value *data)
{
    return lp_type_status(lp_call_with(feature_transformer, LP_FEATURE_TRANSFORMER_LOAD, "data",
                                       lp_type_arg(data), (const char *)NULL));
}

#ifdef __cplusplus
}
#endif
#endif
