/*
 * pipelines_internal.h — the built-in pipeline classes (OfflineProcess,
 * OfflineTrain, OfflineDeploy, OfflinePredict) and the helpers they share
 * with the runners (not public API).
 *
 * Pipelines orchestrate: every step calls the component in its slot through
 * the dispatcher, and a step whose slot is empty is skipped with an INFO line
 * (SPEC §6.1). Resources and tags follow docs/ml-workflow.md.
 */
#ifndef LP_PIPELINES_INTERNAL_H
#define LP_PIPELINES_INTERNAL_H

#include <stdbool.h>

#include "components/components_internal.h"
#include "lolpop/dispatch.h"
#include "lolpop/metrics.h"

extern const lp_class lp_offline_process_class;
extern const lp_class lp_offline_train_class;
extern const lp_class lp_offline_deploy_class;
extern const lp_class lp_offline_predict_class;

/* Logs "<step>: skipped, no <slot> configured" at INFO and returns a new
 * null value (the result of a skipped step). */
lp_value *lp_pipeline_skip(lp_obj *self, const char *step, const char *slot);

/* The argument `name` of args (borrowed), or NULL with LP_EINVAL naming the
 * method and the argument. */
lp_value *lp_pipeline_arg(const lp_value *args, const char *name, const char *method);

/* Sets tag key=val (val consumed) on resource through the visible
 * metadata_tracker; 0 when there is none. */
int lp_pipeline_tag(lp_obj *self, lp_value *resource, const char *key, lp_value *val);

/* The map result {k1: v1, k2: v2, ...} from NULL-terminated (key, value)
 * pairs; takes ownership of every value (NULL values become null). New
 * reference or NULL on OOM. */
lp_value *lp_pipeline_result(const char *key, ...);

/* A frame value that takes over the caller's reference to f (f may be NULL:
 * then NULL, error kept). NULL with LP_ENOMEM when the value cannot be made. */
lp_value *lp_pipeline_frame(lp_frame *f);

/* The data at `path` through the data_connector visible from self, else read
 * as a CSV file. New reference, or NULL with the error set. */
lp_value *lp_pipeline_load(lp_obj *self, const char *path);

/* The task of this workflow from config `problem_type`: classification
 * (default) or regression. */
lp_metric_task lp_pipeline_task(lp_obj *self);

/* Config `key` as a list of strings (a single string counts as a one-item
 * list): new list value, or an empty list when unset. NULL with LP_ECONFIG
 * when the value is of another type. */
lp_value *lp_pipeline_string_list(lp_obj *self, const char *key);

/* The validation-split value of metric `name` of the winning experiment of
 * model_version, through the metadata and metrics trackers: 0 and *out set,
 * or LP_ENOTFOUND (no error set) when either tracker or the value is missing. */
int lp_pipeline_winning_metric(lp_obj *self, lp_value *model_version, const char *name,
                               double *out);
/* Every metric in `names` (a list of strings) of the same experiment, by
 * split: {train: {f1: ...}, valid: {...}, test: {...}}; splits without numbers
 * are left out, and the map is empty without trackers. New reference. */
lp_value *lp_pipeline_winning_metrics(lp_obj *self, lp_value *model_version, const lp_value *names);

#endif
