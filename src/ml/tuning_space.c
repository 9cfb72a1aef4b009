/*
 * tuning_space.c — parsing and validating hyperparameter search spaces
 * (training_params keyed by trainer class) into lp_tuning_spaces.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "lolpop/tuning.h"

/* Sets a located LP_ECONFIG error "section.key: message" (returns LP_ECONFIG). */
static int space_error(const lp_value *at, const char *section, const char *key, const char *msg)
{
    const lp_origin *o = lp_value_origin(at);
    if (o && o->kind == LP_ORIGIN_FILE)
        return lp_error_set_at(LP_ECONFIG, o->source, o->line, o->col, "%s.%s: %s", section, key,
                               msg);
    return lp_error_set(LP_ECONFIG, "%s.%s: %s", section, key, msg);
}

static bool is_number(const lp_value *v)
{
    return lp_value_type(v) == LP_INT || lp_value_type(v) == LP_FLOAT;
}

static const char *const range_keys[] = {"low", "high", "log", "type", "step"};

/* Rejects range keys other than range_keys, suggesting the closest. */
static int check_range_keys(const lp_value *range, const char *section, const char *key)
{
    for (size_t i = 0; i < lp_map_len(range); i++) {
        const char *k = lp_map_key(range, i);
        bool ok = false;
        for (size_t j = 0; j < sizeof range_keys / sizeof *range_keys; j++)
            ok = ok || lp_streq_nocase(k, range_keys[j]);
        if (ok) continue;
        const char *hint = lp_suggest(k, range_keys, sizeof range_keys / sizeof *range_keys);
        char *msg = hint ? lp_asprintf("unknown range key '%s' (did you mean '%s'?)", k, hint)
                         : lp_asprintf("unknown range key '%s' (expected low, high, log, type, "
                                       "step)",
                                       k);
        int rc = space_error(lp_map_value(range, i), section, key, msg ? msg : "unknown key");
        free(msg);
        return rc;
    }
    return 0;
}

/* Decides int vs float: `type` when given, else int iff low/high (and step) are ints. */
static int range_type(lp_tuning_param *p, const lp_value *range, const char *section,
                      const char *key)
{
    const lp_value *type = lp_map_get(range, "type");
    const lp_value *step = lp_map_get(range, "step");
    if (!type) {
        p->is_int = lp_value_type(lp_map_get(range, "low")) == LP_INT &&
                    lp_value_type(lp_map_get(range, "high")) == LP_INT &&
                    (!step || lp_value_type(step) == LP_INT);
        return 0;
    }
    const char *t = lp_value_as_string(type);
    if (t && lp_streq_nocase(t, "int"))
        p->is_int = true;
    else if (t && lp_streq_nocase(t, "float"))
        p->is_int = false;
    else
        return space_error(type, section, key, "range type must be 'int' or 'float'");
    if (p->is_int && (p->low != floor(p->low) || p->high != floor(p->high) ||
                      (p->step != 0 && p->step != floor(p->step))))
        return space_error(type, section, key, "an int range needs integer low, high and step");
    return 0;
}

/* Fills the numeric fields of a range parameter from its map, validating. */
static int parse_range(lp_tuning_param *p, const lp_value *range, const char *section,
                       const char *key)
{
    int rc = check_range_keys(range, section, key);
    if (rc) return rc;
    const lp_value *low = lp_map_get(range, "low"), *high = lp_map_get(range, "high");
    if (!low || !high)
        return space_error(range, section, key, "a range needs both 'low' and 'high'");
    if (!is_number(low) || !isfinite(lp_value_as_float(low)))
        return space_error(low, section, key, "range 'low' must be a finite number");
    if (!is_number(high) || !isfinite(lp_value_as_float(high)))
        return space_error(high, section, key, "range 'high' must be a finite number");
    p->low = lp_value_as_float(low);
    p->high = lp_value_as_float(high);
    if (p->low >= p->high)
        return space_error(range, section, key, "range 'low' must be less than 'high'");
    const lp_value *log = lp_map_get(range, "log");
    if (log && lp_value_type(log) != LP_BOOL)
        return space_error(log, section, key, "range 'log' must be true or false");
    p->log = log && lp_value_as_bool(log);
    if (p->log && p->low <= 0) return space_error(low, section, key, "a log range needs 'low' > 0");
    const lp_value *step = lp_map_get(range, "step");
    if (step) {
        if (!is_number(step) || !(lp_value_as_float(step) > 0) ||
            !isfinite(lp_value_as_float(step)))
            return space_error(step, section, key, "range 'step' must be a number > 0");
        if (p->log)
            return space_error(step, section, key, "a range cannot have both 'step' and 'log'");
        p->step = lp_value_as_float(step);
    }
    rc = range_type(p, range, section, key);
    if (rc) return rc;
    /* ints travel through doubles: keep them exact */
    if (p->is_int && (fabs(p->low) > 0x1p53 || fabs(p->high) > 0x1p53))
        return space_error(range, section, key, "an int range must lie within +-2^53");
    return 0;
}

/* Classifies and validates one parameter; takes a reference to v. */
static int parse_param(lp_tuning_param *p, const char *key, const lp_value *v, const char *section)
{
    p->name = lp_strdup(key);
    if (!p->name) return LP_ENOMEM;
    p->value = lp_value_ref((lp_value *)(uintptr_t)v); /* shared, never mutated */
    switch (lp_value_type(v)) {
    case LP_LIST:
        p->kind = LP_TUNING_CHOICE;
        if (lp_list_len(v) == 0) return space_error(v, section, key, "empty list of choices");
        return 0;
    case LP_MAP:
        p->kind = LP_TUNING_RANGE;
        return parse_range(p, v, section, key);
    case LP_HANDLE:
        return space_error(v, section, key, "a parameter must be a scalar, list or range map");
    default:
        p->kind = LP_TUNING_FIXED;
        return 0;
    }
}

static void space_clear(lp_tuning_space *sp)
{
    for (size_t i = 0; i < sp->n_params; i++) {
        free(sp->params[i].name);
        lp_value_unref(sp->params[i].value);
    }
    free(sp->params);
    free(sp->trainer);
}

LP_API void lp_tuning_spaces_free(lp_tuning_spaces *s)
{
    if (!s) return;
    for (size_t i = 0; i < s->n; i++)
        space_clear(&s->spaces[i]);
    free(s->spaces);
    free(s);
}

/* Checks a trainer name against the known classes, if any. */
static int check_trainer(const lp_value *tp, size_t i, const char *section,
                         const char *const *known, size_t n_known)
{
    const char *name = lp_map_key(tp, i);
    if (!known) return 0;
    for (size_t j = 0; j < n_known; j++)
        if (lp_streq_nocase(name, known[j])) return 0;
    const char *hint = lp_suggest(name, known, n_known);
    char *msg = hint ? lp_asprintf("unknown trainer class (did you mean '%s'?)", hint)
                     : lp_asprintf("unknown trainer class");
    const lp_origin *o = lp_map_key_origin(tp, i);
    int rc;
    if (o && o->kind == LP_ORIGIN_FILE)
        rc = lp_error_set_at(LP_ECONFIG, o->source, o->line, o->col, "%s.%s: %s", section, name,
                             msg ? msg : "unknown trainer class");
    else
        rc = space_error(lp_map_value(tp, i), section, name, msg ? msg : "unknown trainer");
    free(msg);
    return rc;
}

/* Parses one trainer's parameter map into sp. */
static int parse_space(lp_tuning_space *sp, const char *trainer, const lp_value *params,
                       const char *section)
{
    sp->trainer = lp_strdup(trainer);
    if (!sp->trainer) return LP_ENOMEM;
    if (lp_value_type(params) == LP_NULL)
        return 0; /* "Trainer:" with nothing: its defaults, one trial */
    if (lp_value_type(params) != LP_MAP)
        return space_error(params, section, trainer,
                           "expected a map of parameter name to value, list or range");
    size_t n = lp_map_len(params);
    sp->params = calloc(n ? n : 1, sizeof *sp->params);
    if (!sp->params) return lp_error_set(LP_ENOMEM, "out of memory");
    char *sub = lp_asprintf("%s.%s", section, trainer);
    if (!sub) return LP_ENOMEM;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        sp->n_params++;
        rc = parse_param(&sp->params[i], lp_map_key(params, i), lp_map_value(params, i), sub);
    }
    free(sub);
    return rc;
}

LP_API int lp_tuning_spaces_parse(lp_tuning_spaces **out, const lp_value *training_params,
                                  const char *section, const char *const *known_trainers,
                                  size_t n_known)
{
    *out = NULL;
    if (!section) section = "training_params";
    const lp_value *tp = training_params;
    if (lp_value_type(tp) != LP_MAP || lp_map_len(tp) == 0) {
        const lp_origin *o = lp_value_origin(tp);
        const char *m = "expected a non-empty map of trainer class to parameters";
        if (o && o->kind == LP_ORIGIN_FILE)
            return lp_error_set_at(LP_ECONFIG, o->source, o->line, o->col, "%s: %s", section, m);
        return lp_error_set(LP_ECONFIG, "%s: %s", section, m);
    }
    lp_tuning_spaces *s = calloc(1, sizeof *s);
    if (s) s->spaces = calloc(lp_map_len(tp), sizeof *s->spaces);
    if (!s || !s->spaces) {
        free(s);
        return lp_error_set(LP_ENOMEM, "out of memory");
    }
    int rc = 0;
    for (size_t i = 0; i < lp_map_len(tp) && rc == 0; i++) {
        rc = check_trainer(tp, i, section, known_trainers, n_known);
        if (rc) break;
        s->n++;
        rc = parse_space(&s->spaces[i], lp_map_key(tp, i), lp_map_value(tp, i), section);
    }
    if (rc) {
        lp_tuning_spaces_free(s);
        return rc;
    }
    *out = s;
    return 0;
}
