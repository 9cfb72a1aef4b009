/*
 * pipeline_util.c — what the pipelines and runners share: skipping an empty
 * slot, argument and config access, tagging, result maps.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lolpop/csv.h"
#include "lolpop/types/data_connector.h"
#include "lolpop/types/metadata_tracker.h"
#include "lolpop/types/metrics_tracker.h"
#include "pipelines/pipelines_internal.h"

lp_value *lp_pipeline_skip(lp_obj *self, const char *step, const char *slot)
{
    lp_log(self, LP_LOG_INFO, "%s: skipped, no %s configured", step, slot);
    return lp_value_null();
}

lp_value *lp_pipeline_arg(const lp_value *args, const char *name, const char *method)
{
    lp_value *v = lp_map_get(args, name);
    if (!v || lp_value_type(v) == LP_NULL)
        lp_error_set(LP_EINVAL, "%s: argument '%s' is missing", method, name);
    return v && lp_value_type(v) != LP_NULL ? v : NULL;
}

int lp_pipeline_tag(lp_obj *self, lp_value *resource, const char *key, lp_value *val)
{
    lp_obj *tracker = lp_obj_component(self, "metadata_tracker");
    if (!tracker || !resource || lp_value_type(resource) == LP_NULL) {
        lp_value_unref(val);
        return 0;
    }
    int rc = lp_metadata_tracker_log_tag(tracker, resource, key, val ? val : NULL);
    lp_value_unref(val);
    return rc;
}

lp_value *lp_pipeline_result(const char *key, ...)
{
    va_list ap;
    va_start(ap, key);
    lp_value *map = lp_value_map();
    for (const char *k = key; k; k = va_arg(ap, const char *)) {
        lp_value *v = va_arg(ap, lp_value *);
        if (!v) v = lp_value_null();
        if (!map || !v || lp_map_set(map, k, v) != 0) {
            lp_value_unref(v);
            lp_value_unref(map);
            map = NULL;
        }
    }
    va_end(ap);
    if (!map) lp_error_set(LP_ENOMEM, "out of memory building a result");
    return map;
}

lp_value *lp_pipeline_frame(lp_frame *f)
{
    if (!f) return NULL;
    lp_value *v = lp_value_frame(f);
    lp_frame_unref(f);
    if (!v) lp_error_set(LP_ENOMEM, "out of memory");
    return v;
}

lp_value *lp_pipeline_load(lp_obj *self, const char *path)
{
    lp_obj *conn = lp_obj_component(self, "data_connector");
    if (conn) return lp_data_connector_get_data(conn, path);
    lp_frame *f = NULL;
    return lp_csv_read(&f, path, NULL) == 0 ? lp_pipeline_frame(f) : NULL;
}

lp_metric_task lp_pipeline_task(lp_obj *self)
{
    char *t = lp_obj_config_string(self, "problem_type");
    lp_metric_task task =
        t && strcmp(t, "regression") == 0 ? LP_TASK_REGRESSION : LP_TASK_CLASSIFICATION;
    free(t);
    return task;
}

lp_value *lp_pipeline_string_list(lp_obj *self, const char *key)
{
    lp_value *v = lp_obj_config(self, key);
    lp_value *list = lp_value_list();
    if (!list) {
        lp_value_unref(v);
        lp_error_set(LP_ENOMEM, "out of memory");
        return NULL;
    }
    bool ok = true;
    if (lp_value_type(v) == LP_STRING) {
        ok = lp_list_append(list, lp_value_ref(v)) == 0;
    } else if (lp_value_type(v) == LP_LIST) {
        for (size_t i = 0; ok && i < lp_list_len(v); i++) {
            lp_value *item = lp_list_get(v, i);
            ok = lp_value_type(item) == LP_STRING && lp_list_append(list, lp_value_ref(item)) == 0;
        }
    } else if (v && lp_value_type(v) != LP_NULL) {
        ok = false;
    }
    if (!ok) {
        char *where = lp_origin_format(lp_value_origin(v));
        lp_error_set(LP_ECONFIG, "%s%sconfig '%s' must be a string or a list of strings",
                     where ? where : "", where ? ": " : "", key);
        free(where);
        lp_value_unref(list);
        list = NULL;
    }
    lp_value_unref(v);
    return list;
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

int lp_pipeline_winning_metric(lp_obj *self, lp_value *model_version, const char *name, double *out)
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

lp_value *lp_pipeline_winning_metrics(lp_obj *self, lp_value *model_version, const lp_value *names)
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
