/*
 * types/data_checker.h — the `data_checker` component type: checks a frame against rules; reports
 * PASS, WARN or ERROR.
 *
 * Contract: every component class of type `data_checker` implements these methods
 * (checked by lp_registry_add_class). Arguments and results are named values;
 * a result written "a, b" is a map with those keys. Method names come from
 * SPEC §5 (§6.1 for pipelines); argument and result names are fixed here.
 * An argument written "name?" is optional: a caller may leave it out (or pass
 * null), and every class of the type accepts it. OfflineProcess passes
 * `previous` (the dataset's earlier version) when there is one.
 *
 *   check_data(frame, previous?) -> report, path, status
 *       map; status PASS|WARN|ERROR
 *       frame: the frame
 *       previous: optional; the previous version of the same data, for the schema checks
 *
 * The inline helpers call through the dispatcher (lp_call_with). They borrow
 * their arguments (NULL becomes a null value). Helpers of methods with a result
 * return a new reference, or NULL with the last error set; the others return 0
 * or the negative LP_E* code of the failure. A method with optional arguments
 * has two helpers: lp_data_checker_<method> leaves them out, and
 * lp_data_checker_<method>_<arguments> passes them (NULL: the same as
 * leaving it out).
 */
#ifndef LOLPOP_TYPES_DATA_CHECKER_H
#define LOLPOP_TYPES_DATA_CHECKER_H

#include <stdint.h>
#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LP_TYPE_DATA_CHECKER       "data_checker"
#define LP_DATA_CHECKER_CHECK_DATA "check_data"

/* check_data(frame) -> report, path, status: map; status PASS|WARN|ERROR. */
static inline lp_value *lp_data_checker_check_data(lp_obj *data_checker, lp_value *frame)
{
    return lp_call_with(data_checker, LP_DATA_CHECKER_CHECK_DATA, "frame", lp_type_arg(frame),
                        (const char *)NULL);
}

/* check_data(frame, previous) -> report, path, status: map; status PASS|WARN|ERROR; the
 * schema checks against `previous`. */
static inline lp_value *lp_data_checker_check_data_previous(lp_obj *data_checker, lp_value *frame,
                                                            lp_value *previous)
{
    return lp_call_with(data_checker, LP_DATA_CHECKER_CHECK_DATA, "frame", lp_type_arg(frame),
                        "previous", lp_type_arg(previous), (const char *)NULL);
}

#ifdef __cplusplus
}
#endif
#endif
