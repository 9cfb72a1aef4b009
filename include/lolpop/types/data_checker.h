/*
 * types/data_checker.h — the `data_checker` component type: checks a frame against rules; reports
 * PASS, WARN or ERROR.
 *
 * Contract: every component class of type `data_checker` implements these methods
 * (checked by lp_registry_add_class). Arguments and results are named values;
 * a result written "a, b" is a map with those keys. Method names come from
 * SPEC §5 (§6.1 for pipelines); argument and result names are fixed here.
 *
 *   check_data(frame) -> report, path, status
 *       map; status PASS|WARN|ERROR
 *       frame: the frame
 *
 * The inline helpers call through the dispatcher (lp_call_with). They borrow
 * their arguments (NULL becomes a null value). Helpers of methods with a result
 * return a new reference, or NULL with the last error set; the others return 0
 * or the negative LP_E* code of the failure.
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

#ifdef __cplusplus
}
#endif
#endif
