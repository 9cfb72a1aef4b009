/*
 * types/metadata_tracker.h — the `metadata_tracker` component type: records resources, versions,
 * lineage, tags and artifacts in the metadata store.
 *
 * Contract: every component class of type `metadata_tracker` implements these methods
 * (checked by lp_registry_add_class). Arguments and results are named values;
 * a result written "a, b" is a map with those keys. Method names come from
 * SPEC §5 (§6.1 for pipelines); argument and result names are fixed here.
 *
 *   create_resource(id, type, parent) -> resource
 *       the new resource
 *       id: resource name
 *       type: dataset, model, ...
 *       parent: parent resource, or NULL
 *   get_resource(id, type) -> resource
 *       the resource, or null
 *       id: resource name
 *       type: dataset, model, ...
 *   register_vc_resource(resource, vc_info, key) -> resource
 *       the resource version
 *       resource: resource version
 *       vc_info: map from resource_version_control
 *       key: artifact key, or NULL
 *   get_vc_info(resource, key) -> vc_info
 *       map of version-control info
 *       resource: resource version
 *       key: artifact key, or NULL
 *   log_tag(resource, key, value)
 *       sets a tag
 *       resource: any resource
 *       key: tag name
 *       value: tag value
 *   get_tag(resource, key) -> value
 *       the tag value, or null
 *       resource: any resource
 *       key: tag name
 *   log_artifact(resource, id, path)
 *       attaches a file
 *       resource: any resource
 *       id: artifact name
 *       path: file path
 *   log_data_profile(resource, file_path, profile, profiler_class)
 *       records a profile
 *       resource: dataset version
 *       file_path: report file
 *       profile: profile report
 *       profiler_class: class that made it
 *   log_checks(resource, file_path, checks, checker_class)
 *       records checks
 *       resource: dataset or model version
 *       file_path: report file
 *       checks: check report
 *       checker_class: class that made it
 *   log_data_comparison(resource, file_path, comparison, comparator_class)
 *       records a comparison
 *       resource: dataset version
 *       file_path: report file
 *       comparison: comparison report
 *       comparator_class: class that made it
 *   build_model_lineage(model_version, dataset_version)
 *       records dataset -> model lineage
 *       model_version: model version
 *       dataset_version: dataset version it was trained on
 *   get_prev_resource_version(resource_version) -> resource_version
 *       the previous version, or null
 *       resource_version: a resource version
 *   get_winning_experiment(model_version) -> experiment
 *       the winning experiment
 *       model_version: model version
 *   get_currently_deployed_model_version(model_version) -> model_version
 *       the deployed version, or null
 *       model_version: any version of the model
 *   get_latest_model_resource(model) -> model_version
 *       the newest version, or null
 *       model: model resource
 *   load_model(model_version) -> model
 *       the model of its winning experiment
 *       model_version: model version
 *   stop()
 *       flushes and closes the store
 *
 * Optional: a class may implement these too; callers check first with
 * lp_obj_has_method (lp_type.optional_methods lists them).
 *
 *   run_info() -> id, store, status
 *       the current run: its id, store location and status
 *
 * The inline helpers call through the dispatcher (lp_call_with). They borrow
 * their arguments (NULL becomes a null value). Helpers of methods with a result
 * return a new reference, or NULL with the last error set; the others return 0
 * or the negative LP_E* code of the failure.
 */
#ifndef LOLPOP_TYPES_METADATA_TRACKER_H
#define LOLPOP_TYPES_METADATA_TRACKER_H

#include <stdint.h>
#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LP_TYPE_METADATA_TRACKER                      "metadata_tracker"
#define LP_METADATA_TRACKER_CREATE_RESOURCE           "create_resource"
#define LP_METADATA_TRACKER_GET_RESOURCE              "get_resource"
#define LP_METADATA_TRACKER_REGISTER_VC_RESOURCE      "register_vc_resource"
#define LP_METADATA_TRACKER_GET_VC_INFO               "get_vc_info"
#define LP_METADATA_TRACKER_LOG_TAG                   "log_tag"
#define LP_METADATA_TRACKER_GET_TAG                   "get_tag"
#define LP_METADATA_TRACKER_LOG_ARTIFACT              "log_artifact"
#define LP_METADATA_TRACKER_LOG_DATA_PROFILE          "log_data_profile"
#define LP_METADATA_TRACKER_LOG_CHECKS                "log_checks"
#define LP_METADATA_TRACKER_LOG_DATA_COMPARISON       "log_data_comparison"
#define LP_METADATA_TRACKER_BUILD_MODEL_LINEAGE       "build_model_lineage"
#define LP_METADATA_TRACKER_GET_PREV_RESOURCE_VERSION "get_prev_resource_version"
#define LP_METADATA_TRACKER_GET_WINNING_EXPERIMENT    "get_winning_experiment"
#define LP_METADATA_TRACKER_GET_CURRENTLY_DEPLOYED_MODEL_VERSION                                   \
    "get_currently_deployed_model_version"
#define LP_METADATA_TRACKER_GET_LATEST_MODEL_RESOURCE "get_latest_model_resource"
#define LP_METADATA_TRACKER_LOAD_MODEL                "load_model"
#define LP_METADATA_TRACKER_STOP                      "stop"
#define LP_METADATA_TRACKER_RUN_INFO                  "run_info"

/* create_resource(id, type, parent) -> resource: the new resource. */
static inline lp_value *lp_metadata_tracker_create_resource(lp_obj *metadata_tracker,
                                                            const char *id, const char *type,
                                                            lp_value *parent)
{
    return lp_call_with(metadata_tracker, LP_METADATA_TRACKER_CREATE_RESOURCE, "id",
                        lp_type_arg_str(id), "type", lp_type_arg_str(type), "parent",
                        lp_type_arg(parent), (const char *)NULL);
}

/* get_resource(id, type) -> resource: the resource, or null. */
static inline lp_value *lp_metadata_tracker_get_resource(lp_obj *metadata_tracker, const char *id,
                                                         const char *type)
{
    return lp_call_with(metadata_tracker, LP_METADATA_TRACKER_GET_RESOURCE, "id",
                        lp_type_arg_str(id), "type", lp_type_arg_str(type), (const char *)NULL);
}

/* register_vc_resource(resource, vc_info, key) -> resource: the resource version. */
static inline lp_value *lp_metadata_tracker_register_vc_resource(lp_obj *metadata_tracker,
                                                                 lp_value *resource,
                                                                 lp_value *vc_info, const char *key)
{
    return lp_call_with(metadata_tracker, LP_METADATA_TRACKER_REGISTER_VC_RESOURCE, "resource",
                        lp_type_arg(resource), "vc_info", lp_type_arg(vc_info), "key",
                        lp_type_arg_str(key), (const char *)NULL);
}

/* get_vc_info(resource, key) -> vc_info: map of version-control info. */
static inline lp_value *lp_metadata_tracker_get_vc_info(lp_obj *metadata_tracker,
                                                        lp_value *resource, const char *key)
{
    return lp_call_with(metadata_tracker, LP_METADATA_TRACKER_GET_VC_INFO, "resource",
                        lp_type_arg(resource), "key", lp_type_arg_str(key), (const char *)NULL);
}

/* log_tag(resource, key, value): sets a tag. */
static inline int lp_metadata_tracker_log_tag(lp_obj *metadata_tracker, lp_value *resource,
                                              const char *key, lp_value *value)
{
    return lp_type_status(lp_call_with(metadata_tracker, LP_METADATA_TRACKER_LOG_TAG, "resource",
                                       lp_type_arg(resource), "key", lp_type_arg_str(key), "value",
                                       lp_type_arg(value), (const char *)NULL));
}

/* get_tag(resource, key) -> value: the tag value, or null. */
static inline lp_value *lp_metadata_tracker_get_tag(lp_obj *metadata_tracker, lp_value *resource,
                                                    const char *key)
{
    return lp_call_with(metadata_tracker, LP_METADATA_TRACKER_GET_TAG, "resource",
                        lp_type_arg(resource), "key", lp_type_arg_str(key), (const char *)NULL);
}

/* log_artifact(resource, id, path): attaches a file. */
static inline int lp_metadata_tracker_log_artifact(lp_obj *metadata_tracker, lp_value *resource,
                                                   const char *id, const char *path)
{
    return lp_type_status(lp_call_with(metadata_tracker, LP_METADATA_TRACKER_LOG_ARTIFACT,
                                       "resource", lp_type_arg(resource), "id", lp_type_arg_str(id),
                                       "path", lp_type_arg_str(path), (const char *)NULL));
}

/* log_data_profile(resource, file_path, profile, profiler_class): records a profile. */
static inline int lp_metadata_tracker_log_data_profile(lp_obj *metadata_tracker, lp_value *resource,
                                                       const char *file_path, lp_value *profile,
                                                       const char *profiler_class)
{
    return lp_type_status(lp_call_with(
        metadata_tracker, LP_METADATA_TRACKER_LOG_DATA_PROFILE, "resource", lp_type_arg(resource),
        "file_path", lp_type_arg_str(file_path), "profile", lp_type_arg(profile), "profiler_class",
        lp_type_arg_str(profiler_class), (const char *)NULL));
}

/* log_checks(resource, file_path, checks, checker_class): records checks. */
static inline int lp_metadata_tracker_log_checks(lp_obj *metadata_tracker, lp_value *resource,
                                                 const char *file_path, lp_value *checks,
                                                 const char *checker_class)
{
    return lp_type_status(lp_call_with(
        metadata_tracker, LP_METADATA_TRACKER_LOG_CHECKS, "resource", lp_type_arg(resource),
        "file_path", lp_type_arg_str(file_path), "checks", lp_type_arg(checks), "checker_class",
        lp_type_arg_str(checker_class), (const char *)NULL));
}

/* log_data_comparison(resource, file_path, comparison, comparator_class): records a comparison. */
static inline int lp_metadata_tracker_log_data_comparison(lp_obj *metadata_tracker,
                                                          lp_value *resource, const char *file_path,
                                                          lp_value *comparison,
                                                          const char *comparator_class)
{
    return lp_type_status(lp_call_with(metadata_tracker, LP_METADATA_TRACKER_LOG_DATA_COMPARISON,
                                       "resource", lp_type_arg(resource), "file_path",
                                       lp_type_arg_str(file_path), "comparison",
                                       lp_type_arg(comparison), "comparator_class",
                                       lp_type_arg_str(comparator_class), (const char *)NULL));
}

/* build_model_lineage(model_version, dataset_version): records dataset -> model lineage. */
static inline int lp_metadata_tracker_build_model_lineage(lp_obj *metadata_tracker,
                                                          lp_value *model_version,
                                                          lp_value *dataset_version)
{
    return lp_type_status(lp_call_with(metadata_tracker, LP_METADATA_TRACKER_BUILD_MODEL_LINEAGE,
                                       "model_version", lp_type_arg(model_version),
                                       "dataset_version", lp_type_arg(dataset_version),
                                       (const char *)NULL));
}

/* get_prev_resource_version(resource_version) -> resource_version: the previous version, or null.
 */
static inline lp_value *lp_metadata_tracker_get_prev_resource_version(lp_obj *metadata_tracker,
                                                                      lp_value *resource_version)
{
    return lp_call_with(metadata_tracker, LP_METADATA_TRACKER_GET_PREV_RESOURCE_VERSION,
                        "resource_version", lp_type_arg(resource_version), (const char *)NULL);
}

/* get_winning_experiment(model_version) -> experiment: the winning experiment. */
static inline lp_value *lp_metadata_tracker_get_winning_experiment(lp_obj *metadata_tracker,
                                                                   lp_value *model_version)
{
    return lp_call_with(metadata_tracker, LP_METADATA_TRACKER_GET_WINNING_EXPERIMENT,
                        "model_version", lp_type_arg(model_version), (const char *)NULL);
}

/* get_currently_deployed_model_version(model_version) -> model_version: the deployed version, or
 * null. */
static inline lp_value *
lp_metadata_tracker_get_currently_deployed_model_version(lp_obj *metadata_tracker,
                                                         lp_value *model_version)
{
    return lp_call_with(metadata_tracker, LP_METADATA_TRACKER_GET_CURRENTLY_DEPLOYED_MODEL_VERSION,
                        "model_version", lp_type_arg(model_version), (const char *)NULL);
}

/* get_latest_model_resource(model) -> model_version: the newest version, or null. */
static inline lp_value *lp_metadata_tracker_get_latest_model_resource(lp_obj *metadata_tracker,
                                                                      lp_value *model)
{
    return lp_call_with(metadata_tracker, LP_METADATA_TRACKER_GET_LATEST_MODEL_RESOURCE, "model",
                        lp_type_arg(model), (const char *)NULL);
}

/* load_model(model_version) -> model: the model of its winning experiment. */
static inline lp_value *lp_metadata_tracker_load_model(lp_obj *metadata_tracker,
                                                       lp_value *model_version)
{
    return lp_call_with(metadata_tracker, LP_METADATA_TRACKER_LOAD_MODEL, "model_version",
                        lp_type_arg(model_version), (const char *)NULL);
}

/* stop(): flushes and closes the store. */
static inline int lp_metadata_tracker_stop(lp_obj *metadata_tracker)
{
    return lp_type_status(
        lp_call_with(metadata_tracker, LP_METADATA_TRACKER_STOP, (const char *)NULL));
}

/* run_info() -> id, store, status: the current run: its id, store location and status.
 * Optional: NULL with LP_ENOTFOUND when the class lacks it; check first with
 * lp_obj_has_method(metadata_tracker, LP_METADATA_TRACKER_RUN_INFO). */
static inline lp_value *lp_metadata_tracker_run_info(lp_obj *metadata_tracker)
{
    return lp_call_with(metadata_tracker, LP_METADATA_TRACKER_RUN_INFO, (const char *)NULL);
}

#ifdef __cplusplus
}
#endif
#endif
