/*
 * config.c — configuration read the same way by every built-in class
 * (include/lolpop/kit.h): strings with defaults, string lists, the task.
 */
#include <stdlib.h>
#include <string.h>

#include "kit/kit_internal.h"

LP_API char *lp_kit_config_string(const lp_obj *self, const char *key, const char *dflt)
{
    char *s = lp_obj_config_string(self, key);
    return s || !dflt ? s : lp_strdup(dflt);
}

/* Appends v's strings to list: true, or false when v is neither a string nor
 * a list of strings (null and absent add nothing) or on out of memory. */
static bool append_strings(lp_value *list, lp_value *v)
{
    if (!v || lp_value_type(v) == LP_NULL) return true;
    if (lp_value_type(v) == LP_STRING) return lp_list_append(list, lp_value_ref(v)) == 0;
    if (lp_value_type(v) != LP_LIST) return false;
    for (size_t i = 0; i < lp_list_len(v); i++) {
        lp_value *item = lp_list_get(v, i);
        if (lp_value_type(item) != LP_STRING || lp_list_append(list, lp_value_ref(item)) != 0)
            return false;
    }
    return true;
}

LP_API lp_value *lp_kit_config_strings(lp_obj *self, const char *key)
{
    lp_value *v = lp_obj_config(self, key);
    lp_value *list = lp_value_list();
    if (!list) {
        lp_value_unref(v);
        lp_error_set(LP_ENOMEM, "out of memory");
        return NULL;
    }
    if (!append_strings(list, v)) {
        lp_kit_error_at(LP_ECONFIG, v, "config '%s' must be a string or a list of strings", key);
        lp_value_unref(list);
        list = NULL;
    }
    lp_value_unref(v);
    return list;
}

LP_API lp_metric_task lp_kit_task(lp_obj *self)
{
    char *t = lp_obj_config_string(self, "problem_type");
    lp_metric_task task =
        t && lp_streq_nocase(t, "regression") ? LP_TASK_REGRESSION : LP_TASK_CLASSIFICATION;
    free(t);
    return task;
}
