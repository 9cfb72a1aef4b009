/*
 * trainer_config.c — what a model trainer reads from its configuration
 * (include/lolpop/trainer_kit.h): its path for messages, the problem type and
 * the parameters of a fit. The experiment code (experiment_params.c) builds on
 * the same functions, so the built-in trainers, plugin trainers and the
 * experiments they run read the configuration one way.
 */
#include "kit/kit_internal.h"

LP_API const char *lp_trainer_path(lp_obj *self)
{
    const char *p = lp_obj_path(self);
    return p && *p ? p : lp_obj_name(self);
}

LP_API int lp_trainer_problem(lp_obj *obj, lp_problem *out)
{
    static const char *const names[] = {"classification", "regression"};
    *out = LP_PROBLEM_NONE;
    lp_value *v = lp_obj_config(obj, "problem_type");
    if (!v) return 0;
    const char *s = lp_value_as_string(v);
    int rc = 0;
    if (s && lp_streq_nocase(s, names[0])) {
        *out = LP_PROBLEM_CLASSIFICATION;
    } else if (s && lp_streq_nocase(s, names[1])) {
        *out = LP_PROBLEM_REGRESSION;
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

/* The trainer's own training_params (borrowed, NULL when absent). */
static const lp_value *own_training_params(lp_obj *trainer)
{
    const lp_value *cfg = lp_map_get(lp_obj_section(trainer), "config");
    return lp_map_get(cfg, "training_params");
}

LP_API int lp_trainer_params(lp_value **out, lp_obj *trainer, const lp_value *override)
{
    *out = NULL;
    const lp_value *own = own_training_params(trainer);
    if (own && lp_value_type(own) != LP_MAP)
        return lp_kit_error_at(LP_ECONFIG, own,
                               "%s: training_params must be a map of parameter names to values, "
                               "not %s",
                               lp_trainer_path(trainer), lp_vtype_name(lp_value_type(own)));
    if (override && lp_value_type(override) != LP_MAP && lp_value_type(override) != LP_NULL)
        return lp_error_set(LP_EINVAL, "argument 'params' must be a map, got %s",
                            lp_vtype_name(lp_value_type(override)));
    lp_value *p = own ? lp_value_copy(own) : lp_value_map();
    for (size_t i = 0; p && i < lp_map_len(override); i++)
        if (lp_map_set_with_origin(p, lp_map_key(override, i), lp_map_key_origin(override, i),
                                   lp_value_copy(lp_map_value(override, i)))) {
            lp_value_unref(p);
            p = NULL;
        }
    if (!p) return lp_error_set(LP_ENOMEM, "out of memory");
    *out = p;
    return 0;
}
