/*
 * check_outcome.c — what every check step of a pipeline does with a
 * checker's result (check_data, check_model, check_model_bias,
 * check_predictions): record it against the resource version, stop the
 * workflow at the checker's fail_on gate, and tell the notifier of a WARN or
 * ERROR once.
 */
#include <string.h>

#include "lolpop/types/metadata_tracker.h"
#include "pipelines/pipelines_internal.h"

/* Stops the workflow when the checker says its status reached fail_on: an
 * error located at the checker's fail_on setting. */
static void fail_at_gate(lp_obj *checker, const lp_value *result, const char *step,
                         const char *what)
{
    const char *path = lp_value_as_string(lp_map_get(result, "path"));
    lp_value *fail_on = lp_obj_config(checker, "fail_on");
    lp_kit_error_at(LP_EWORKFLOW, fail_on,
                    "%s: the %s ended with %s and fail_on is %s: the workflow stops here "
                    "(report: %s)",
                    step, what, lp_value_as_string(lp_map_get(result, "status")),
                    fail_on ? lp_value_as_string(fail_on) : "set", path ? path : "-");
    lp_value_unref(fail_on);
}

lp_value *lp_pipeline_check_outcome(lp_obj *self, lp_obj *checker, lp_value *version,
                                    lp_value *result, const char *step, const char *what)
{
    if (!result) return NULL;
    lp_obj *tracker = lp_obj_component(self, "metadata_tracker");
    const char *path = lp_value_as_string(lp_map_get(result, "path"));
    lp_value *report = lp_map_get(result, "report");
    if (tracker && report && lp_value_type(version) == LP_MAP &&
        lp_metadata_tracker_log_checks(tracker, version, path, report,
                                       lp_obj_class(checker)->name) != 0) {
        lp_value_unref(result);
        return NULL;
    }
    if (lp_value_as_bool(lp_map_get(result, "failed"))) {
        fail_at_gate(checker, result, step, what); /* the failure itself reaches the notifier */
        lp_value_unref(result);
        return NULL;
    }
    const char *status = lp_value_as_string(lp_map_get(result, "status"));
    if (status && strcmp(status, "PASS") != 0)
        lp_notify(self, strcmp(status, "ERROR") == 0 ? LP_LOG_ERROR : LP_LOG_WARN,
                  "%s ended with %s; report: %s", what, status, path ? path : "-");
    return result;
}
