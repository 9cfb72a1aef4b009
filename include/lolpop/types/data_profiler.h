/*
 * types/data_profiler.h — the `data_profiler` component type: profiles a frame and compares it
 * with a previous one.
 *
 * Contract: every component class of type `data_profiler` implements these methods
 * (checked by lp_registry_add_class). Arguments and results are named values;
 * a result written "a, b" is a map with those keys. Method names come from
 * SPEC §5 (§6.1 for pipelines); argument and result names are fixed here.
 *
 *   profile_data(frame) -> report, path
 *       map with the report and its file
 *       frame: the frame
 *   compare_data(frame, previous) -> report, path
 *       map with the comparison and its file
 *       frame: the frame
 *       previous: the frame to compare with
 *
 * The inline helpers call through the dispatcher (lp_call_with). They borrow
 * their arguments (NULL becomes a null value). Helpers of methods with a result
 * return a new reference, or NULL with the last error set; the others return 0
 * or the negative LP_E* code of the failure.
 */
#ifndef LOLPOP_TYPES_DATA_PROFILER_H
#define LOLPOP_TYPES_DATA_PROFILER_H

#include <stdint.h>
#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LP_TYPE_DATA_PROFILER         "data_profiler"
#define LP_DATA_PROFILER_PROFILE_DATA "profile_data"
#define LP_DATA_PROFILER_COMPARE_DATA "compare_data"

/* profile_data(frame) -> report, path: map with the report and its file. */
static inline lp_value *lp_data_profiler_profile_data(lp_obj *data_profiler, lp_value *frame)
{
    return lp_call_with(data_profiler, LP_DATA_PROFILER_PROFILE_DATA, "frame", lp_type_arg(frame),
                        (const char *)NULL);
}

/* compare_data(frame, previous) -> report, path: map with the comparison and its file. */
static inline lp_value *lp_data_profiler_compare_data(lp_obj *data_profiler, lp_value *frame,
                                                      lp_value *previous)
{
    return lp_call_with(data_profiler, LP_DATA_PROFILER_COMPARE_DATA, "frame", lp_type_arg(frame),
                        "previous", lp_type_arg(previous), (const char *)NULL);
}

#ifdef __cplusplus
}
#endif
#endif
