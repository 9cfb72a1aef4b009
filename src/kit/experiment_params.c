/*
 * experiment_params.c — what an experiment reads from the configuration
 * besides metrics (kit_internal.h): the problem type, and the parameters it
 * records for the trainer.
 *
 * The parameters are recorded for every trainer alike, built-in or plugin:
 * its class's documented config keys set in its own section (a KNN trainer's
 * `k`), then its training_params, then the fit's `params` over them. Only the
 * trainer's own section counts: a value inherited from an enclosing section
 * (problem_type from the runner, a tuner's training_params) is not one this
 * trainer was configured with.
 */
#include <string.h>

#include "kit/kit_internal.h"

/* Config keys every trainer has that are not parameters of its model:
 * training_params is merged in by itself, problem_type picks the task. */
static bool is_parameter_key(const char *name)
{
    return strcmp(name, "training_params") != 0 && strcmp(name, "problem_type") != 0;
}

int lp_kit_problem(lp_obj *obj, lp_metric_task *out, bool *set)
{
    static const char *const names[] = {"classification", "regression"};
    *set = false;
    lp_value *v = lp_obj_config(obj, "problem_type");
    if (!v) return 0;
    const char *s = lp_value_as_string(v);
    int rc = 0;
    if (s && (lp_streq_nocase(s, names[0]) || lp_streq_nocase(s, names[1]))) {
        *out = lp_streq_nocase(s, names[0]) ? LP_TASK_CLASSIFICATION : LP_TASK_REGRESSION;
        *set = true;
    } else {
        const char *sug = s ? lp_suggest(s, names, 2) : NULL;
        rc = lp_kit_error_at(LP_ECONFIG, v,
                             "%s: problem_type '%s' is neither classification nor regression%s%s%s",
                             lp_obj_path(obj), s ? s : lp_vtype_name(lp_value_type(v)),
                             sug ? " (did you mean '" : "", sug ? sug : "", sug ? "'?)" : "");
    }
    lp_value_unref(v);
    return rc;
}

/* Sets every (key, value) of src (a map) over dst, values copied. 0 or LP_ENOMEM. */
static int set_over(lp_value *dst, const lp_value *src)
{
    for (size_t i = 0; i < lp_map_len(src); i++)
        if (lp_map_set_with_origin(dst, lp_map_key(src, i), lp_map_key_origin(src, i),
                                   lp_value_copy(lp_map_value(src, i))))
            return LP_ENOMEM;
    return 0;
}

/* The trainer's documented config keys set in its own section, copied into p. */
static int set_config_keys(lp_value *p, lp_obj *trainer, const lp_value *cfg)
{
    const lp_class *cls = lp_obj_class(trainer);
    for (const lp_config_key *k = cls ? cls->config_keys : NULL; k && k->name; k++) {
        const lp_value *v = lp_map_get(cfg, k->name);
        if (v && is_parameter_key(k->name) && lp_map_set(p, k->name, lp_value_copy(v)))
            return LP_ENOMEM;
    }
    return 0;
}

int lp_kit_experiment_params(lp_value **out, lp_obj *trainer, const lp_value *override)
{
    *out = NULL;
    const lp_value *cfg = lp_map_get(lp_obj_section(trainer), "config");
    const lp_value *own = lp_map_get(cfg, "training_params");
    if (own && lp_value_type(own) != LP_MAP)
        return lp_kit_error_at(LP_ECONFIG, own,
                               "%s: training_params must be a map of parameter names to values, "
                               "not %s",
                               lp_obj_path(trainer), lp_vtype_name(lp_value_type(own)));
    if (override && lp_value_type(override) != LP_MAP && lp_value_type(override) != LP_NULL)
        return lp_error_set(LP_EINVAL, "argument 'params' must be a map, got %s",
                            lp_vtype_name(lp_value_type(override)));
    lp_value *p = lp_value_map();
    int rc = p ? set_config_keys(p, trainer, cfg) : LP_ENOMEM;
    if (rc == 0) rc = set_over(p, own);
    if (rc == 0) rc = set_over(p, override);
    if (rc) {
        lp_value_unref(p);
        return lp_error_set(LP_ENOMEM, "out of memory");
    }
    *out = p;
    return 0;
}
