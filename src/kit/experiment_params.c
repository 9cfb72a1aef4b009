/*
 * experiment_params.c — the parameters an experiment records for the trainer
 * (kit_internal.h), built on what the trainer itself reads (lp_trainer_params,
 * trainer_config.c).
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
    lp_value *fit = NULL;
    int rc = lp_trainer_params(&fit, trainer, override);
    if (rc) return rc;
    lp_value *p = lp_value_map();
    const lp_value *cfg = lp_map_get(lp_obj_section(trainer), "config");
    rc = p ? set_config_keys(p, trainer, cfg) : LP_ENOMEM;
    if (rc == 0) rc = set_over(p, fit);
    lp_value_unref(fit);
    if (rc) {
        lp_value_unref(p);
        return lp_error_set(LP_ENOMEM, "out of memory");
    }
    *out = p;
    return 0;
}
