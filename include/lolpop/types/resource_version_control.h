/*
 * types/resource_version_control.h — the `resource_version_control` component type: stores data
 * and models content-addressed, by version.
 *
 * Contract: every component class of type `resource_version_control` implements these methods
 * (checked by lp_registry_add_class). Arguments and results are named values;
 * a result written "a, b" is a map with those keys. Method names come from
 * SPEC §5 (§6.1 for pipelines); argument and result names are fixed here.
 *
 *   version_data(dataset_version, data) -> vc_info
 *       map: hash, path, ...
 *       dataset_version: dataset version
 *       data: frame
 *   get_data(dataset_version, vc_info) -> frame
 *       the stored frame
 *       dataset_version: dataset version
 *       vc_info: map from version_data
 *   version_model(experiment, model) -> vc_info
 *       map: hash, path, ...
 *       experiment: experiment
 *       model: model handle
 *   get_model(experiment, vc_info) -> model
 *       the stored model
 *       experiment: experiment
 *       vc_info: map from version_model
 *
 * The inline helpers call through the dispatcher (lp_call_with). They borrow
 * their arguments (NULL becomes a null value). Helpers of methods with a result
 * return a new reference, or NULL with the last error set; the others return 0
 * or the negative LP_E* code of the failure.
 */
#ifndef LOLPOP_TYPES_RESOURCE_VERSION_CONTROL_H
#define LOLPOP_TYPES_RESOURCE_VERSION_CONTROL_H

#include <stdint.h>
#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LP_TYPE_RESOURCE_VERSION_CONTROL          "resource_version_control"
#define LP_RESOURCE_VERSION_CONTROL_VERSION_DATA  "version_data"
#define LP_RESOURCE_VERSION_CONTROL_GET_DATA      "get_data"
#define LP_RESOURCE_VERSION_CONTROL_VERSION_MODEL "version_model"
#define LP_RESOURCE_VERSION_CONTROL_GET_MODEL     "get_model"

/* version_data(dataset_version, data) -> vc_info: map: hash, path, .... */
static inline lp_value *lp_resource_version_control_version_data(lp_obj *resource_version_control,
                                                                 lp_value *dataset_version,
                                                                 lp_value *data)
{
    return lp_call_with(resource_version_control, LP_RESOURCE_VERSION_CONTROL_VERSION_DATA,
                        "dataset_version", lp_type_arg(dataset_version), "data", lp_type_arg(data),
                        (const char *)NULL);
}

/* get_data(dataset_version, vc_info) -> frame: the stored frame. */
static inline lp_value *lp_resource_version_control_get_data(lp_obj *resource_version_control,
                                                             lp_value *dataset_version,
                                                             lp_value *vc_info)
{
    return lp_call_with(resource_version_control, LP_RESOURCE_VERSION_CONTROL_GET_DATA,
                        "dataset_version", lp_type_arg(dataset_version), "vc_info",
                        lp_type_arg(vc_info), (const char *)NULL);
}

/* version_model(experiment, model) -> vc_info: map: hash, path, .... */
static inline lp_value *lp_resource_version_control_version_model(lp_obj *resource_version_control,
                                                                  lp_value *experiment,
                                                                  lp_value *model)
{
    return lp_call_with(resource_version_control, LP_RESOURCE_VERSION_CONTROL_VERSION_MODEL,
                        "experiment", lp_type_arg(experiment), "model", lp_type_arg(model),
                        (const char *)NULL);
}

/* get_model(experiment, vc_info) -> model: the stored model. */
static inline lp_value *lp_resource_version_control_get_model(lp_obj *resource_version_control,
                                                              lp_value *experiment,
                                                              lp_value *vc_info)
{
    return lp_call_with(resource_version_control, LP_RESOURCE_VERSION_CONTROL_GET_MODEL,
                        "experiment", lp_type_arg(experiment), "vc_info", lp_type_arg(vc_info),
                        (const char *)NULL);
}

#ifdef __cplusplus
}
#endif
#endif
