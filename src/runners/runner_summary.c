/*
 * runner_summary.c — what build_all of ClassificationRunner and
 * RegressionRunner returns: a map describing the run, which the CLI prints
 * as the human summary (src/cli/cli_summary.c) and an embedding program reads
 * as it likes. The library prints nothing itself.
 *
 *   {runner: "ClassificationRunner",
 *    run_id: "20261127-210259-38170a", store: ".lolpop/lolpop.db",  (null without run_info)
 *    model: {name: "titanic_survival", version: 1, id: "..."},      (null without a version)
 *    validation: {accuracy: 0.8521, f1: 0.7921, ...},  (the winner's, in `metrics` order)
 *    deployed: true, deploy_reason: "promoted to production",
 *    predictions: {rows: 178, path: "predictions.csv",
 *                  model: {name, version, id} (the version that scored),
 *                  scored_with: "new" | "deployed"}}
 */
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "lolpop/types/metadata_tracker.h"
#include "runners/runners_internal.h"

/* The winning experiment's validation metrics, by name in `metrics` order (new map). */
static lp_value *validation_metrics(lp_obj *self, lp_value *mv)
{
    lp_value *names = lp_kit_config_strings(self, "metrics");
    lp_value *all = names && lp_value_type(mv) == LP_MAP
                        ? lp_kit_winning_metrics(self, mv, names) /* one experiment look-up */
                        : NULL;
    lp_value *valid = lp_map_get(all, "valid");
    lp_value *out = valid ? lp_value_ref(valid) : lp_value_map();
    lp_value_unref(all);
    lp_value_unref(names);
    lp_error_clear(); /* a metric that is not tracked is simply not shown */
    return out;
}

/* The tracker's run_info() ({id, store, ...}), or NULL without one. New reference. */
static lp_value *run_info(lp_obj *self)
{
    lp_obj *tracker = lp_obj_component(self, "metadata_tracker");
    lp_value *info = lp_obj_has_method(tracker, LP_METADATA_TRACKER_RUN_INFO)
                         ? lp_metadata_tracker_run_info(tracker)
                         : NULL;
    lp_error_clear(); /* no run_info: the summary just has no run */
    return info;
}

/* {name, version, id} of a model_version resource, or null. */
static lp_value *model_of(const lp_value *mv)
{
    if (lp_value_type(mv) != LP_MAP) return lp_value_null();
    return lp_kit_result("name", lp_value_ref(lp_map_get(mv, "name")), "version",
                         lp_value_ref(lp_map_get(mv, "version")), "id",
                         lp_value_ref(lp_map_get(mv, "id")), (const char *)NULL);
}

/* Why the model was or was not deployed (borrowed, static or from `deployed`). */
static const char *deploy_reason(const lp_value *trained, const lp_value *deployed)
{
    if (!lp_value_as_bool(lp_map_get(trained, "better")))
        return "not better than the deployed version";
    if (lp_value_as_bool(lp_map_get(deployed, "deployed"))) return "promoted to production";
    const char *reason = lp_value_as_string(lp_map_get(deployed, "reason"));
    return reason ? reason : "skipped";
}

lp_value *lp_runner_summary(lp_obj *self, const lp_value *trained, const lp_value *deployed,
                            const lp_value *predicted, const lp_value *scorer)
{
    lp_value *mv = lp_map_get(trained, "model_version");
    if (!scorer || lp_value_type(scorer) != LP_MAP) scorer = mv;
    bool same = lp_value_as_int(lp_map_get(scorer, "id")) == lp_value_as_int(lp_map_get(mv, "id"));
    bool yes = lp_value_as_bool(lp_map_get(trained, "better")) &&
               lp_value_as_bool(lp_map_get(deployed, "deployed"));
    lp_value *info = run_info(self);
    lp_value *predictions = lp_kit_result(
        "rows", lp_value_ref(lp_map_get(predicted, "rows")), "path",
        lp_value_ref(lp_map_get(predicted, "path")), "model", model_of(scorer), "scored_with",
        lp_value_string(same ? "new" : "deployed"), (const char *)NULL);
    /* lp_kit_result makes a NULL value null: what is unknown is null. */
    lp_value *out = lp_kit_result(
        "runner", lp_value_string(lp_obj_class(self)->name), "run_id",
        lp_value_ref(lp_map_get(info, "id")), "store", lp_value_ref(lp_map_get(info, "store")),
        "model", model_of(mv), "validation", validation_metrics(self, mv), "deployed",
        lp_value_bool(yes), "deploy_reason", lp_value_string(deploy_reason(trained, deployed)),
        "predictions", predictions, (const char *)NULL);
    lp_value_unref(info);
    if (!out) lp_error_set(LP_ENOMEM, "out of memory building the summary of build_all");
    return out;
}
