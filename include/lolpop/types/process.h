/*
 * types/process.h — the `process` pipeline type: prepares data: transform, version, profile,
 * check and compare it.
 *
 * Contract: every pipeline class of type `process` implements these methods
 * (checked by lp_registry_add_class). Arguments and results are named values;
 * a result written "a, b" is a map with those keys. Method names come from
 * SPEC §5 (§6.1 for pipelines); argument and result names are fixed here.
 *
 *   transform_data(source) -> frame
 *       via the data_transformer
 *       source: a frame, or a map of name -> frame
 *   track_data(frame, name) -> dataset_version
 *       a new, stored, registered version
 *       frame: the frame
 *       name: dataset name
 *   profile_data(frame, dataset_version) -> report, path
 *       via the data_profiler
 *       frame: the frame
 *       dataset_version: its version
 *   check_data(frame, dataset_version) -> report, path, status
 *       via the data_checker; notifies on WARN/ERROR
 *       frame: the frame
 *       dataset_version: its version
 *   compare_data(frame, dataset_version) -> report, path
 *       against the previous version, if any
 *       frame: the frame
 *       dataset_version: its version
 *
 * The inline helpers call through the dispatcher (lp_call_with). They borrow
 * their arguments (NULL becomes a null value). Helpers of methods with a result
 * return a new reference, or NULL with the last error set; the others return 0
 * or the negative LP_E* code of the failure.
 */
#ifndef LOLPOP_TYPES_PROCESS_H
#define LOLPOP_TYPES_PROCESS_H

#include <stdint.h>
#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LP_TYPE_PROCESS           "process"
#define LP_PROCESS_TRANSFORM_DATA "transform_data"
#define LP_PROCESS_TRACK_DATA     "track_data"
#define LP_PROCESS_PROFILE_DATA   "profile_data"
#define LP_PROCESS_CHECK_DATA     "check_data"
#define LP_PROCESS_COMPARE_DATA   "compare_data"

/* transform_data(source) -> frame: via the data_transformer. */
static inline lp_value *lp_process_transform_data(lp_obj *process, lp_value *source)
{
    return lp_call_with(process, LP_PROCESS_TRANSFORM_DATA, "source", lp_type_arg(source),
                        (const char *)NULL);
}

/* track_data(frame, name) -> dataset_version: a new, stored, registered version. */
static inline lp_value *lp_process_track_data(lp_obj *process, lp_value *frame, const char *name)
{
    return lp_call_with(process, LP_PROCESS_TRACK_DATA, "frame", lp_type_arg(frame), "name",
                        lp_type_arg_str(name), (const char *)NULL);
}

/* profile_data(frame, dataset_version) -> report, path: via the data_profiler. */
static inline lp_value *lp_process_profile_data(lp_obj *process, lp_value *frame,
                                                lp_value *dataset_version)
{
    return lp_call_with(process, LP_PROCESS_PROFILE_DATA, "frame", lp_type_arg(frame),
                        "dataset_version", lp_type_arg(dataset_version), (const char *)NULL);
}

/* check_data(frame, dataset_version) -> report, path, status: via the data_checker; notifies on
 * WARN/ERROR. */
static inline lp_value *lp_process_check_data(lp_obj *process, lp_value *frame,
                                              lp_value *dataset_version)
{
    return lp_call_with(process, LP_PROCESS_CHECK_DATA, "frame", lp_type_arg(frame),
                        "dataset_version", lp_type_arg(dataset_version), (const char *)NULL);
}

/* compare_data(frame, dataset_version) -> report, path: against the previous version, if any. */
static inline lp_value *lp_process_compare_data(lp_obj *process, lp_value *frame,
                                                lp_value *dataset_version)
{
    return lp_call_with(process, LP_PROCESS_COMPARE_DATA, "frame", lp_type_arg(frame),
                        "dataset_version", lp_type_arg(dataset_version), (const char *)NULL);
}

#ifdef __cplusplus
}
#endif
#endif
