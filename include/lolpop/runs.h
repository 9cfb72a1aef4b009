/*
 * runs.h — the run service: run recording, step results, result reuse and
 * resume (SPEC §7), switched on for a built workflow by one call. The CLI's
 * `lolpop run workflow` and `lolpop test workflow` use exactly this call; a
 * program that embeds liblolpop gets the same behaviour from it.
 *
 * With runs enabled, every call of a pipeline method (a step) is keyed by
 * its class, method, the content of its arguments and the effective
 * configuration of the called object, and its result is recorded in the
 * workflow's metadata store under the current run (the run of the visible
 * metadata_tracker's run_info(), such as LocalMetadataTracker's). Results are
 * reused:
 *   - from the resumed run (and the runs it resumed in turn), with `resume`;
 *   - from any earlier run, when a cache_manager is visible from the runner
 *     and its `enabled` config is not false: the service asks it through its
 *     type's contract (retrieve(key) before a step, cache(key, value) after
 *     one; include/lolpop/types/cache_manager.h), so a plugin cache manager
 *     takes part exactly as LocalCacheManager does. The service also reads
 *     two optional config keys of any cache_manager: `methods` (a list of
 *     "Class.method" component methods to key and cache besides the steps)
 *     and `ignore_config` (config keys left out of every key).
 * A reused step is logged "Class.method: reused (run R)" at INFO.
 */
#ifndef LOLPOP_RUNS_H
#define LOLPOP_RUNS_H

#include "workflow.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Switches the run service on for `wf` (built by lp_workflow_new, nothing run
 * yet). `resume` (may be NULL) names the run to resume: a full id, an
 * unambiguous prefix of one, or "latest" (the newest run other than this
 * one); the current run is recorded as resumed from it. The service's state
 * belongs to the workflow and is freed by lp_workflow_free (nothing for the
 * caller to free). Returns 0; LP_EUSAGE when `resume` names no run or an
 * ambiguous prefix, or is given for a workflow without a metadata_tracker
 * that records runs (the message says which); LP_EEXISTS when runs are
 * enabled for wf already; LP_EINVAL for a NULL wf. Without such a tracker
 * and without `resume`, nothing is recorded (0): only a cache_manager can
 * serve. */
int lp_workflow_enable_runs(lp_workflow *wf, const char *resume);

/* The id of the run being recorded for wf (borrowed, valid as long as wf),
 * or NULL when runs are not enabled or nothing is recorded. */
const char *lp_workflow_run_id(const lp_workflow *wf);

#ifdef __cplusplus
}
#endif
#endif
