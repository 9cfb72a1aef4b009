/*
 * types/data_transformer.h — the `data_transformer` component type: turns source data into the
 * frame a workflow uses (SQL, a C function).
 *
 * Contract: every component class of type `data_transformer` implements these methods
 * (checked by lp_registry_add_class). Arguments and results are named values;
 * a result written "a, b" is a map with those keys. Method names come from
 * SPEC §5 (§6.1 for pipelines); argument and result names are fixed here.
 *
 *   transform(source) -> frame
 *       the transformed frame
 *       source: a frame, or a map of name -> frame
 *
 * Optional: a class may implement these too; callers check first with
 * lp_obj_has_method (lp_type.optional_methods lists them).
 *
 *   bundle_info() -> class, config, tables
 *       how to redo transform without the workflow: the class to build, its self-contained config
 * (no paths) and the table names of the source
 *
 * The inline helpers call through the dispatcher (lp_call_with). They borrow
 * their arguments (NULL becomes a null value). Helpers of methods with a result
 * return a new reference, or NULL with the last error set; the others return 0
 * or the negative LP_E* code of the failure.
 */
#ifndef LOLPOP_TYPES_DATA_TRANSFORMER_H
#define LOLPOP_TYPES_DATA_TRANSFORMER_H

#include <stdint.h>
#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LP_TYPE_DATA_TRANSFORMER        "data_transformer"
#define LP_DATA_TRANSFORMER_TRANSFORM   "transform"
#define LP_DATA_TRANSFORMER_BUNDLE_INFO "bundle_info"

/* transform(source) -> frame: the transformed frame. */
static inline lp_value *lp_data_transformer_transform(lp_obj *data_transformer, lp_value *source)
{
    return lp_call_with(data_transformer, LP_DATA_TRANSFORMER_TRANSFORM, "source",
                        lp_type_arg(source), (const char *)NULL);
}

/* bundle_info() -> class, config, tables: how to redo transform without the workflow: the class
 * to build, its self-contained config (no paths) and the table names of the source.
 * Optional: NULL with LP_ENOTFOUND when the class lacks it; check first with
 * lp_obj_has_method(data_transformer, LP_DATA_TRANSFORMER_BUNDLE_INFO). */
static inline lp_value *lp_data_transformer_bundle_info(lp_obj *data_transformer)
{
    return lp_call_with(data_transformer, LP_DATA_TRANSFORMER_BUNDLE_INFO, (const char *)NULL);
}

#ifdef __cplusplus
}
#endif
#endif
