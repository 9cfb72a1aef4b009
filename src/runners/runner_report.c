/*
 * runner_report.c — the run report at the end of a workflow (see
 * runners_internal.h and runs/run_report.h).
 */
#include <stdlib.h>

#include "lolpop/types/metadata_tracker.h"
#include "runners/runners_internal.h"
#include "runs/run_report.h"
#include "store/store.h"

void lp_runner_write_report(lp_obj *self, lp_value *summary)
{
    lp_obj *tracker = lp_obj_component(self, "metadata_tracker");
    lp_value *info = tracker && lp_obj_has_method(tracker, LP_METADATA_TRACKER_RUN_INFO)
                         ? lp_metadata_tracker_run_info(tracker)
                         : NULL;
    const char *id = lp_value_as_string(lp_map_get(info, "id"));
    const char *store = lp_value_as_string(lp_map_get(info, "store"));
    char *path = id && store ? lp_run_report_planned_path(self, store, id) : NULL;
    lp_store *st = NULL;
    int rc = path ? lp_store_open(&st, store, LP_STORE_READONLY) : 0;
    if (path && rc == 0) rc = lp_run_report_write(st, id, path);
    if (path && rc == 0) {
        lp_log(self, LP_LOG_INFO, "run report: %s", path);
        if (lp_value_type(summary) == LP_MAP) lp_map_set(summary, "report", lp_value_string(path));
    } else if (path) {
        lp_log(self, LP_LOG_WARN, "the run report was not written: %s", lp_error_last()->message);
    }
    lp_error_clear(); /* the run's outcome does not depend on its report */
    lp_store_close(st);
    free(path);
    lp_value_unref(info);
}

lp_value *lp_runner_finish(lp_obj *self, int rc, lp_value *summary)
{
    lp_value *stopped = rc == 0 ? lp_call(self, "stop", NULL) : NULL;
    if (!stopped) {
        lp_value_unref(summary);
        return NULL;
    }
    lp_value_unref(stopped);
    lp_runner_write_report(self, summary);
    return summary;
}
