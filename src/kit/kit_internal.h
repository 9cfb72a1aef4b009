/*
 * kit_internal.h — the kit (src/kit/) inside liblolpop: the public kit
 * (include/lolpop/kit.h) plus the helpers that only the built-in pipelines
 * and runners share (not public API).
 *
 * The kit sits above store, ml and data and below the components, pipelines
 * and runners: it reaches components only through the dispatcher and the
 * public type headers, never through their internals.
 */
#ifndef LP_KIT_INTERNAL_H
#define LP_KIT_INTERNAL_H

#include "core/internal.h"
#include "lolpop/class.h"
#include "lolpop/dispatch.h"
#include "lolpop/kit.h"
#include "lolpop/log.h"

/* The validation-split value of metric `name` of the winning experiment of
 * model_version, through the metadata and metrics trackers visible from self:
 * 0 and *out set, or LP_ENOTFOUND (no error set) when either tracker or the
 * value is missing (visible.c). */
int lp_kit_winning_metric(lp_obj *self, lp_value *model_version, const char *name, double *out);

/* Every metric in `names` (a list of strings) of the same experiment, by
 * split: {train: {f1: ...}, valid: {...}, test: {...}}; splits without numbers
 * are left out, and the map is empty without trackers. New reference (visible.c). */
lp_value *lp_kit_winning_metrics(lp_obj *self, lp_value *model_version, const lp_value *names);

/* The parameters an experiment records for `trainer` (kit.h, "experiments"):
 * its own config keys, then lp_trainer_params(trainer, override) over them.
 * *out: new map. LP_ECONFIG for training_params that are not a map, LP_EINVAL
 * for an override that is not (experiment_params.c). */
int lp_kit_experiment_params(lp_value **out, lp_obj *trainer, const lp_value *override);

#endif
