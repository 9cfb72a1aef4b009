/*
 * object.c — instance accessors, component visibility (SPEC §2.1) and config
 * lookup (SPEC §3): own config over class defaults, then parents, then the
 * environment variable LOLPOP_<KEY>.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "lolpop/config.h"
#include "object_internal.h"

LP_API const lp_class *lp_obj_class(const lp_obj *obj)
{
    return obj ? obj->cls : NULL;
}

LP_API bool lp_obj_has_method(const lp_obj *obj, const char *method)
{
    return obj && method && lp_class_method(obj->cls, method) != NULL;
}

LP_API const char *lp_obj_name(const lp_obj *obj)
{
    return obj ? obj->name : NULL;
}

LP_API const char *lp_obj_path(const lp_obj *obj)
{
    return obj ? obj->path : NULL;
}

LP_API lp_obj *lp_obj_parent(const lp_obj *obj)
{
    return obj ? obj->parent : NULL;
}

LP_API lp_workflow *lp_obj_workflow(const lp_obj *obj)
{
    return obj ? obj->wf : NULL;
}

LP_API void *lp_obj_state(lp_obj *obj)
{
    return obj ? obj->state : NULL;
}

LP_API const lp_value *lp_obj_section(const lp_obj *obj)
{
    return obj ? obj->section : NULL;
}

LP_API size_t lp_obj_child_count(const lp_obj *obj)
{
    return obj ? obj->n_children : 0;
}

LP_API lp_obj *lp_obj_child_at(const lp_obj *obj, size_t i)
{
    return obj && i < obj->n_children ? obj->children[i] : NULL;
}

/* obj's own child declared as `kind` in `slot`, or NULL. Matching on where
 * the slot was declared (not on the class) keeps a validation skeleton with a
 * bad class from producing follow-up "missing slot" errors. */
static lp_obj *own_child(const lp_obj *obj, const char *slot, lp_kind kind)
{
    for (size_t i = 0; i < obj->n_children; i++) {
        lp_obj *c = obj->children[i];
        if (c->declared_as == kind && lp_streq_nocase(c->name, slot)) return c;
    }
    return NULL;
}

LP_API lp_obj *lp_obj_component(const lp_obj *obj, const char *slot)
{
    if (!slot) return NULL;
    /* Only ancestors' children are searched, so a sibling's components stay private. */
    for (const lp_obj *o = obj; o; o = o->parent) {
        lp_obj *c = own_child(o, slot, LP_KIND_COMPONENT);
        if (c) return c;
    }
    return NULL;
}

LP_API lp_obj *lp_obj_pipeline(const lp_obj *obj, const char *slot)
{
    return obj && slot ? own_child(obj, slot, LP_KIND_PIPELINE) : NULL;
}

const lp_value *lp_section_map(const lp_value *section, const char *key)
{
    const lp_value *v = lp_map_get(section, key);
    return lp_value_type(v) == LP_MAP ? v : NULL;
}

const lp_value *lp_obj_defaults(const lp_workflow *wf, const lp_class *cls)
{
    if (!wf || !cls || !wf->defaults) return NULL;
    return lp_section_map(wf->defaults, cls->name);
}

/* One object's value for key: its own `config` merged over its class defaults
 * (maps merge deeply, anything else in `config` wins). A null in `config`
 * (`key:` with nothing after it) means "not set here". New reference or NULL. */
static lp_value *own_config(const lp_obj *o, const char *key)
{
    const lp_value *cfg = lp_section_map(o->section, "config");
    lp_value *own = cfg ? lp_map_get(cfg, key) : NULL;
    if (lp_value_type(own) == LP_NULL) own = NULL;
    const lp_value *defs = lp_obj_defaults(o->wf, o->cls);
    lp_value *def = defs ? lp_map_get(defs, key) : NULL;
    if (own && def && lp_value_type(own) == LP_MAP && lp_value_type(def) == LP_MAP) {
        lp_value *merged = lp_value_copy(def);
        if (merged && lp_config_merge(merged, own) == 0) return merged;
        lp_value_unref(merged);
        return lp_value_ref(own);
    }
    return lp_value_ref(own ? own : def);
}

LP_API char *lp_config_env_name(const char *key)
{
    char *up = key ? lp_asprintf("LOLPOP_%s", key) : NULL;
    for (char *p = up ? up + 7 : NULL; p && *p; p++)
        *p = (char)toupper((unsigned char)*p);
    return up;
}

/* getenv(LOLPOP_<KEY>) as a string value whose origin names the variable.
 * Only the prefixed name is read: an unrelated SEED or NAME in the shell
 * must never change a run (SPEC §3). */
static lp_value *env_config(const char *key)
{
    char *up = lp_config_env_name(key);
    if (!up) return NULL;
    const char *val = getenv(up);
    lp_value *v = val ? lp_value_string(val) : NULL;
    if (v) {
        lp_origin o = {LP_ORIGIN_ENV, lp_origin_intern(up), 0, 0, 0};
        lp_value_set_origin(v, &o);
    }
    free(up);
    return v;
}

LP_API lp_value *lp_obj_config(const lp_obj *obj, const char *key)
{
    if (!obj || !key) return NULL;
    for (const lp_obj *o = obj; o; o = o->parent) {
        lp_value *v = own_config(o, key);
        if (v) return v;
    }
    return env_config(key);
}

/* Merges one level's class defaults, then its `config` section, into acc. */
static int merge_level(lp_value *acc, const lp_obj *o)
{
    const lp_value *defs = lp_obj_defaults(o->wf, o->cls);
    const lp_value *cfg = lp_section_map(o->section, "config");
    if (defs && lp_config_merge(acc, defs) != 0) return LP_ENOMEM;
    if (cfg && lp_config_merge(acc, cfg) != 0) return LP_ENOMEM;
    return 0;
}

static int merge_from_root(lp_value *acc, const lp_obj *o)
{
    if (!o) return 0;
    int rc = merge_from_root(acc, o->parent);
    return rc ? rc : merge_level(acc, o);
}

LP_API lp_value *lp_obj_config_map(const lp_obj *obj)
{
    lp_value *acc = lp_value_map();
    if (acc && obj && merge_from_root(acc, obj) != 0) {
        lp_value_unref(acc);
        lp_error_set(LP_ENOMEM, "out of memory merging the configuration of %s", obj->name);
        return NULL;
    }
    return acc;
}

/* Parses all of s as an integer; false when it is not one. */
static bool parse_int(const char *s, int64_t *out)
{
    if (!s || !*s) return false;
    char *end = NULL;
    errno = 0;
    long long n = strtoll(s, &end, 10);
    if (errno || *end) return false;
    *out = (int64_t)n;
    return true;
}

static bool parse_float(const char *s, double *out)
{
    if (!s || !*s) return false;
    char *end = NULL;
    errno = 0;
    double d = strtod(s, &end);
    if (errno || *end) return false;
    *out = d;
    return true;
}

LP_API int64_t lp_obj_config_int(const lp_obj *obj, const char *key, int64_t dflt)
{
    lp_value *v = lp_obj_config(obj, key);
    int64_t r = dflt;
    if (lp_value_type(v) == LP_INT)
        r = lp_value_as_int(v);
    else if (lp_value_type(v) == LP_STRING && !parse_int(lp_value_as_string(v), &r))
        r = dflt;
    lp_value_unref(v);
    return r;
}

LP_API double lp_obj_config_float(const lp_obj *obj, const char *key, double dflt)
{
    lp_value *v = lp_obj_config(obj, key);
    double r = dflt;
    if (lp_value_type(v) == LP_INT || lp_value_type(v) == LP_FLOAT)
        r = lp_value_as_float(v);
    else if (lp_value_type(v) == LP_STRING && !parse_float(lp_value_as_string(v), &r))
        r = dflt;
    lp_value_unref(v);
    return r;
}

LP_API bool lp_obj_config_bool(const lp_obj *obj, const char *key, bool dflt)
{
    lp_value *v = lp_obj_config(obj, key);
    bool r = dflt;
    if (lp_value_type(v) == LP_BOOL) {
        r = lp_value_as_bool(v);
    } else if (lp_value_type(v) == LP_STRING) {
        const char *s = lp_value_as_string(v);
        if (lp_streq_nocase(s, "true") || strcmp(s, "1") == 0)
            r = true;
        else if (lp_streq_nocase(s, "false") || strcmp(s, "0") == 0)
            r = false;
    }
    lp_value_unref(v);
    return r;
}

LP_API char *lp_obj_config_string(const lp_obj *obj, const char *key)
{
    lp_value *v = lp_obj_config(obj, key);
    char *r = NULL;
    switch (lp_value_type(v)) {
    case LP_STRING:
        r = lp_strdup(lp_value_as_string(v));
        break;
    case LP_INT:
        r = lp_asprintf("%" PRId64, lp_value_as_int(v));
        break;
    case LP_FLOAT:
        r = lp_asprintf("%.17g", lp_value_as_float(v));
        break;
    case LP_BOOL:
        r = lp_strdup(lp_value_as_bool(v) ? "true" : "false");
        break;
    default:
        break;
    }
    lp_value_unref(v);
    return r;
}
