/*
 * visible.c — what goes through the components visible from an object
 * (include/lolpop/kit.h, kit_internal.h): tags through the metadata_tracker,
 * data through the data_connector, and the winning experiment's metrics
 * through both trackers. A missing component is not an error here: the step
 * it serves is skipped, as pipelines do for empty slots.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kit/kit_internal.h"
#include "lolpop/csv.h"
#include "lolpop/types/data_connector.h"
#include "lolpop/types/metadata_tracker.h"
#include "lolpop/types/metrics_tracker.h"

LP_API int lp_kit_tag(lp_obj *self, lp_value *resource, const char *key, lp_value *val)
{
    lp_obj *tracker = lp_obj_component(self, "metadata_tracker");
    if (!tracker || !resource || lp_value_type(resource) == LP_NULL) {
        lp_value_unref(val);
        return 0;
    }
    int rc = val ? lp_metadata_tracker_log_tag(tracker, resource, key, val)
                 : lp_error_set(LP_ENOMEM, "out of memory tagging '%s'", key);
    lp_value_unref(val);
    return rc;
}

LP_API lp_value *lp_kit_load(lp_obj *self, const char *path)
{
    lp_obj *conn = lp_obj_component(self, "data_connector");
    if (conn) return lp_data_connector_get_data(conn, path);
    lp_frame *f = NULL;
    return lp_csv_read(&f, path, NULL) == 0 ? lp_kit_frame(f) : NULL;
}

/* The experiment whose numbers speak for model_version: its winner, or for a
 * model retrained on all data (no held-out split) the experiment it was
 * retrained from. New reference or NULL (no error left set). */
static lp_value *scoring_experiment(lp_obj *tracker, lp_value *model_version)
{
    lp_value *exp = lp_metadata_tracker_get_winning_experiment(tracker, model_version);
    if (!exp) {
        lp_error_clear();
        return NULL;
    }
    lp_value *from = lp_metadata_tracker_get_tag(tracker, exp, "retrained_from");
    if (lp_value_type(from) == LP_INT) {
        lp_value_unref(exp);
        exp = lp_value_ref(from);
    }
    if (!from) lp_error_clear();
    lp_value_unref(from);
    return exp;
}

/* The number get_metric returns for "split.name" of exp; false when none. */
static bool experiment_metric(lp_obj *metrics, lp_value *exp, const char *split, const char *name,
                              double *out)
{
    char id[160];
    snprintf(id, sizeof id, "%s.%s", split, name);
    lp_value *v = lp_metrics_tracker_get_metric(metrics, exp, id);
    bool ok = v && (lp_value_type(v) == LP_FLOAT || lp_value_type(v) == LP_INT);
    if (ok) *out = lp_value_as_float(v);
    if (!v) lp_error_clear();
    lp_value_unref(v);
    return ok;
}

int lp_kit_winning_metric(lp_obj *self, lp_value *model_version, const char *name, double *out)
{
    lp_obj *tracker = lp_obj_component(self, "metadata_tracker");
    lp_obj *metrics = lp_obj_component(self, "metrics_tracker");
    if (!tracker || !metrics || !model_version || lp_value_type(model_version) == LP_NULL)
        return LP_ENOTFOUND;
    lp_value *exp = scoring_experiment(tracker, model_version);
    bool found = exp && experiment_metric(metrics, exp, "valid", name, out);
    lp_value_unref(exp);
    return found ? 0 : LP_ENOTFOUND;
}

lp_value *lp_kit_winning_metrics(lp_obj *self, lp_value *model_version, const lp_value *names)
{
    static const char *const splits[] = {"train", "valid", "test"};
    lp_obj *tracker = lp_obj_component(self, "metadata_tracker");
    lp_obj *metrics = lp_obj_component(self, "metrics_tracker");
    lp_value *all = lp_value_map();
    lp_value *exp = tracker && metrics && all ? scoring_experiment(tracker, model_version) : NULL;
    for (size_t s = 0; exp && s < 3; s++) {
        lp_value *split = lp_value_map();
        for (size_t i = 0; split && i < lp_list_len(names); i++) {
            const char *name = lp_value_as_string(lp_list_get(names, i));
            double v;
            if (name && experiment_metric(metrics, exp, splits[s], name, &v))
                lp_map_set(split, name, lp_value_float(v));
        }
        if (split && lp_map_len(split) > 0)
            lp_map_set(all, splits[s], split);
        else
            lp_value_unref(split);
    }
    lp_value_unref(exp);
    return all;
}
