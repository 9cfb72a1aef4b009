/*
 * types/test_recorder.h — the `test_recorder` component type: records workflow test results and
 * reports them.
 *
 * Contract: every component class of type `test_recorder` implements these methods
 * (checked by lp_registry_add_class). Arguments and results are named values;
 * a result written "a, b" is a map with those keys. Method names come from
 * SPEC §5 (§6.1 for pipelines); argument and result names are fixed here.
 *
 *   record(result)
 *       records a result
 *       result: one test result map
 *   report() -> report
 *       summary of all recorded results
 *
 * The inline helpers call through the dispatcher (lp_call_with). They borrow
 * their arguments (NULL becomes a null value). Helpers of methods with a result
 * return a new reference, or NULL with the last error set; the others return 0
 * or the negative LP_E* code of the failure.
 */
#ifndef LOLPOP_TYPES_TEST_RECORDER_H
#define LOLPOP_TYPES_TEST_RECORDER_H

#include <stdint.h>
#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LP_TYPE_TEST_RECORDER   "test_recorder"
#define LP_TEST_RECORDER_RECORD "record"
#define LP_TEST_RECORDER_REPORT "report"

/* record(result): records a result. */
static inline int lp_test_recorder_record(lp_obj *test_recorder, lp_value *result)
{
    return lp_type_status(lp_call_with(test_recorder, LP_TEST_RECORDER_RECORD, "result",
                                       lp_type_arg(result), (const char *)NULL));
}

/* report() -> report: summary of all recorded results. */
static inline lp_value *lp_test_recorder_report(lp_obj *test_recorder)
{
    return lp_call_with(test_recorder, LP_TEST_RECORDER_REPORT, (const char *)NULL);
}

#ifdef __cplusplus
}
#endif
#endif
