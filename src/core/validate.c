/*
 * validate.c — checks a workflow skeleton against its document and the
 * registry, collecting every problem (SPEC §3 "Validation"): document shape,
 * class names and kinds, unknown keys (warnings with the closest valid key),
 * types of documented config keys, log levels and requirements.
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "foreign_classes.h"
#include "internal.h"
#include "lolpop/config.h"
#include "object_internal.h"
#include "registry_internal.h"

typedef struct vctx {
    const lp_workflow *wf;
    lp_diags *d;
    int flags;
    bool requirements; /* check class requirements (a runner was given) */
} vctx;

/* A growable list of borrowed strings (candidate keys for suggestions). */
typedef struct strs {
    const char **v;
    size_t len, cap;
    char **owned; /* copies made by strs_add_copy */
    size_t n_owned, cap_owned;
    bool oom;
} strs;

static void strs_add(strs *s, const char *str)
{
    for (size_t i = 0; i < s->len; i++)
        if (lp_streq_nocase(s->v[i], str)) return;
    if (s->len == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        const char **v = realloc(s->v, cap * sizeof *v);
        if (!v) {
            s->oom = true;
            return;
        }
        s->v = v;
        s->cap = cap;
    }
    s->v[s->len++] = str;
}

/* Adds a copy of s[0..n), owned by the list (see strs_free). */
static void strs_add_copy(strs *s, const char *str, size_t n)
{
    char *copy = lp_strndup(str, n);
    if (!copy) {
        s->oom = true;
        return;
    }
    if (s->n_owned == s->cap_owned) {
        size_t cap = s->cap_owned ? s->cap_owned * 2 : 8;
        char **o = realloc(s->owned, cap * sizeof *o);
        if (!o) {
            free(copy);
            s->oom = true;
            return;
        }
        s->owned = o;
        s->cap_owned = cap;
    }
    s->owned[s->n_owned++] = copy;
    strs_add(s, copy);
}

static void strs_free(strs *s)
{
    for (size_t i = 0; i < s->n_owned; i++)
        free(s->owned[i]);
    free(s->owned);
    free(s->v);
}

static bool strs_has(const strs *s, const char *str)
{
    for (size_t i = 0; i < s->len; i++)
        if (lp_streq_nocase(s->v[i], str)) return true;
    return false;
}

/* "section 'train'" or "the root section", for messages. */
static char *section_label(const char *path)
{
    return path[0] ? lp_asprintf("section '%s'", path) : lp_strdup("the root section");
}

/* path + "." + key (or key alone at the root); new string. */
static char *sub_path(const char *path, const char *key)
{
    return path[0] ? lp_asprintf("%s.%s", path, key) : lp_strdup(key);
}

/* Where a value is, falling back to `fallback` (e.g. its key) when the value
 * itself has no location. */
static const lp_origin *where(const lp_value *v, const lp_origin *fallback)
{
    const lp_origin *o = lp_value_origin(v);
    if (o && o->kind != LP_ORIGIN_NONE) return o;
    return fallback;
}

/* "did you mean" tail: "; did you mean 'x'?" or "" (static or borrowed). */
static void append_suggestion(lp_sb *sb, const char *word, const strs *cands)
{
    const char *s = lp_suggest(word, cands->v, cands->len);
    if (s) lp_sb_appendf(sb, "; did you mean '%s'?", s);
}

/* ---- class names in pipeline: / component: ---------------------------- */

/* Reports an unknown class name with the registry's closest suggestion. */
static void report_unknown_class(const vctx *c, const lp_origin *at, const char *section,
                                 const char *name)
{
    /* a Python lolpop class gets its counterpart, not a spelling guess (issue 11 Fix 15) */
    const lp_foreign_class *f = lp_foreign_class_find(name);
    if (f && f->counterpart) {
        lp_diags_add(c->d, LP_SEV_ERROR, at, section,
                     "'%s' is a class of the Python lolpop: use %s here%s%s (docs/migrating.md)",
                     name, f->counterpart, f->note ? "; " : "", f->note ? f->note : "");
        return;
    }
    if (f) {
        lp_diags_add(c->d, LP_SEV_ERROR, at, section,
                     "'%s' is a class of the Python lolpop with no counterpart here yet%s%s: "
                     "remove the slot (docs/migrating.md)",
                     name, f->note ? "; " : "", f->note ? f->note : "");
        return;
    }
    const char *sugg[1];
    size_t n = lp_registry_suggest_class(c->wf->reg, name, sugg, 1);
    if (n)
        lp_diags_add(c->d, LP_SEV_ERROR, at, section, "unknown class '%s'; did you mean '%s'?",
                     name, sugg[0]);
    else
        lp_diags_add(c->d, LP_SEV_ERROR, at, section,
                     "unknown class '%s' (see `lolpop classes list`)", name);
}

/* The type a slot holds: the type of the role it is named for (registered by
 * the layer that gives it meaning, such as testing's `test_logger`), else the
 * slot name itself. Borrowed. */
static const char *slot_type(const lp_registry *reg, const char *slot)
{
    const char *role = lp_registry_slot_role(reg, slot);
    return role ? role : slot;
}

/* A component's type must be its slot name: pipelines look components up by type. */
static void check_component_type(const vctx *c, const lp_origin *at, const char *section,
                                 const char *slot, const lp_class *cls)
{
    const char *type = cls->type ? cls->type : "";
    if (lp_streq_nocase(type, slot_type(c->wf->reg, slot))) return;
    const lp_type *t = lp_registry_find_type(c->wf->reg, slot);
    if (t && t->kind == LP_KIND_COMPONENT)
        lp_diags_add(c->d, LP_SEV_ERROR, at, section, "slot '%s' needs a %s, '%s' is a %s", slot,
                     slot, cls->name, type);
    else
        lp_diags_add(c->d, LP_SEV_ERROR, at, section,
                     "slot '%s' is not a component type; '%s' is a %s, so its slot must be "
                     "named '%s'",
                     slot, cls->name, type, type);
}

static void check_decl(const vctx *c, const char *section, const char *slot, const lp_value *v,
                       const lp_origin *key_at, lp_kind kind)
{
    const char *block = kind == LP_KIND_PIPELINE ? "pipeline" : "component";
    const lp_origin *at = where(v, key_at);
    if (lp_value_type(v) != LP_STRING) {
        lp_diags_add(c->d, LP_SEV_ERROR, at, section,
                     "class name for slot '%s' must be a string, got %s", slot,
                     lp_vtype_name(lp_value_type(v)));
        return;
    }
    const char *name = lp_value_as_string(v);
    const lp_class *cls = lp_registry_find_class(c->wf->reg, name);
    if (!cls) {
        report_unknown_class(c, at, section, name);
        return;
    }
    if (cls->kind != kind) {
        lp_diags_add(c->d, LP_SEV_ERROR, at, section,
                     "'%s' is a %s, but slot '%s' under %s: needs a %s", name,
                     lp_kind_name(cls->kind), slot, block, block);
        return;
    }
    if (kind == LP_KIND_COMPONENT) check_component_type(c, at, section, slot, cls);
}

/* Checks a `pipeline:` or `component:` block of the section at `path`. */
static void check_decls(const vctx *c, const lp_obj *o, const lp_value *block,
                        const lp_origin *key_at, lp_kind kind)
{
    const char *key = kind == LP_KIND_PIPELINE ? "pipeline" : "component";
    char *section = sub_path(o->path, key);
    if (!section) return;
    if (lp_value_type(block) == LP_NULL) {
        /* `component:` with nothing under it: an empty declaration */
    } else if (lp_value_type(block) != LP_MAP) {
        lp_diags_add(c->d, LP_SEV_ERROR, where(block, key_at), section,
                     "'%s:' must be a map of slot names to class names, got %s", key,
                     lp_vtype_name(lp_value_type(block)));
    } else {
        const lp_value *pipes =
            kind == LP_KIND_COMPONENT ? lp_section_map(o->section, "pipeline") : NULL;
        for (size_t i = 0; i < lp_map_len(block); i++) {
            const char *slot = lp_map_key(block, i);
            const lp_origin *kat = lp_map_key_origin(block, i);
            if (pipes && o->declared_as == LP_KIND_RUNNER && lp_map_get(pipes, slot)) {
                lp_diags_add(c->d, LP_SEV_ERROR, kat, section,
                             "slot '%s' is declared under both pipeline: and component:", slot);
                continue;
            }
            check_decl(c, section, slot, lp_map_value(block, i), kat, kind);
        }
    }
    free(section);
}

/* ---- config: ------------------------------------------------------------ */

/* Adds every config key documented by the classes of o's subtree (config
 * keys, "config.K" requirements, keys of the defaults). Returns false when
 * a class is unknown, i.e. the set is incomplete. */
static bool collect_known(const lp_obj *o, strs *known)
{
    bool complete = o->cls != NULL;
    if (o->cls) {
        for (const lp_config_key *k = o->cls->config_keys; k && k->name; k++)
            strs_add(known, k->name);
        for (const char *const *r = o->cls->requirements; r && *r; r++)
            for (const char *p = *r; p;) { /* every "config.K" alternative of "a|b" */
                const char *bar = strchr(p, '|');
                size_t len = bar ? (size_t)(bar - p) : strlen(p);
                if (len > 7 && strncmp(p, "config.", 7) == 0) strs_add_copy(known, p + 7, len - 7);
                p = bar ? bar + 1 : NULL;
            }
        const lp_value *defs = lp_obj_defaults(o->wf, o->cls);
        for (size_t i = 0; defs && i < lp_map_len(defs); i++)
            strs_add(known, lp_map_key(defs, i));
    }
    for (size_t i = 0; i < o->n_children; i++)
        complete = collect_known(o->children[i], known) && complete;
    return complete;
}

/* The first documentation of key in o's subtree (o's own class first). */
static const lp_config_key *find_doc(const lp_obj *o, const char *key)
{
    const lp_config_key *k = lp_class_config_key(o->cls, key);
    for (size_t i = 0; !k && i < o->n_children; i++)
        k = find_doc(o->children[i], key);
    return k;
}

/* Whether cls reads key: it documents it, requires it or has a default for it. */
static bool class_reads(const lp_workflow *wf, const lp_class *cls, const char *key)
{
    if (!cls) return false;
    if (lp_class_config_key(cls, key)) return true;
    for (const char *const *r = cls->requirements; r && *r; r++)
        for (const char *p = *r; p;) {
            const char *bar = strchr(p, '|');
            size_t len = bar ? (size_t)(bar - p) : strlen(p);
            if (len > 7 && strncmp(p, "config.", 7) == 0 && strlen(key) == len - 7 &&
                strncasecmp(p + 7, key, len - 7) == 0)
                return true;
            p = bar ? bar + 1 : NULL;
        }
    const lp_value *defs = lp_obj_defaults(wf, cls);
    for (size_t i = 0; defs && i < lp_map_len(defs); i++)
        if (lp_streq_nocase(lp_map_key(defs, i), key)) return true;
    return false;
}

/* Whether o sets key itself (its config or its class defaults), which hides
 * any ancestor's value from o and its subtree. */
static bool sets_key(const lp_obj *o, const char *key)
{
    const lp_value *cfg = lp_section_map(o->section, "config");
    for (size_t i = 0; cfg && i < lp_map_len(cfg); i++)
        if (lp_streq_nocase(lp_map_key(cfg, i), key) &&
            lp_value_type(lp_map_value(cfg, i)) != LP_NULL)
            return true;
    const lp_value *defs = lp_obj_defaults(o->wf, o->cls);
    for (size_t i = 0; defs && i < lp_map_len(defs); i++)
        if (lp_streq_nocase(lp_map_key(defs, i), key)) return true;
    return false;
}

/* Whether a value of key set in o's config reaches a class that reads it:
 * lookups go up from the reader, so a level in between that sets the key
 * itself hides o's value (*shadow: the first such object, when none reads). */
static bool reaches_reader(const lp_obj *o, const char *key, bool top, const lp_obj **shadow)
{
    if (!top && sets_key(o, key)) {
        if (!*shadow && class_reads(o->wf, o->cls, key)) *shadow = o;
        return false;
    }
    if (class_reads(o->wf, o->cls, key)) return true;
    for (size_t i = 0; i < o->n_children; i++)
        if (reaches_reader(o->children[i], key, false, shadow)) return true;
    return false;
}

static bool type_matches(const char *type, const lp_value *v)
{
    lp_vtype t = lp_value_type(v);
    if (!type || strcmp(type, "any") == 0) return true;
    if (strcmp(type, "string") == 0) return t == LP_STRING;
    if (strcmp(type, "int") == 0) return t == LP_INT;
    if (strcmp(type, "float") == 0) return t == LP_INT || t == LP_FLOAT;
    if (strcmp(type, "bool") == 0) return t == LP_BOOL;
    if (strcmp(type, "list") == 0) return t == LP_LIST;
    if (strcmp(type, "map") == 0) return t == LP_MAP;
    return true; /* an undocumented type name: nothing to check */
}

static void check_log_level(const vctx *c, const lp_value *v, const lp_origin *at,
                            const char *section)
{
    lp_log_level lvl;
    if (lp_value_type(v) == LP_STRING && lp_log_level_parse(lp_value_as_string(v), &lvl) == 0)
        return;
    const lp_origin *o = where(v, at);
    if (o && o->kind == LP_ORIGIN_ENV) { /* name the variable, never show its value */
        lp_diags_add(c->d, LP_SEV_ERROR, o, section,
                     "environment variable %s: invalid log_level (expected TRACE, DEBUG, INFO, "
                     "WARN or ERROR)",
                     o->source);
        return;
    }
    char *shown = lp_value_to_string(v);
    lp_diags_add(c->d, LP_SEV_ERROR, o, section,
                 "invalid log_level %s (expected TRACE, DEBUG, INFO, WARN or ERROR)",
                 shown ? shown : "?");
    free(shown);
}

/* A key no class reads: a warning, an error under --strict (LP_WF_STRICT). */
static lp_severity unread_severity(const vctx *c)
{
    return (c->flags & LP_WF_STRICT) ? LP_SEV_ERROR : LP_SEV_WARNING;
}

/* A documented key set where no class looks it up (issue 11, Fix 3): every
 * reader below has its own value (its config or class default) first. */
static void check_key_is_read(const vctx *c, const lp_obj *o, const char *section, const char *key,
                              const lp_origin *kat)
{
    const lp_obj *shadow = NULL;
    if (reaches_reader(o, key, true, &shadow) || !shadow) return;
    lp_diags_add(c->d, unread_severity(c), kat, section,
                 "config '%s' set in %s is not read: %s at '%s' has its own value (its config or "
                 "class default) and no class above it reads '%s'; set it under %s.config",
                 key, o->parent ? section : "the root config", shadow->cls->name, shadow->path, key,
                 shadow->path);
}

static void check_config_key(const vctx *c, const lp_obj *o, const char *section, const strs *known,
                             bool complete, const char *key, const lp_value *v,
                             const lp_origin *kat)
{
    if (lp_value_type(v) == LP_NULL && (find_doc(o, key) || lp_streq_nocase(key, "log_level")))
        return; /* `key:` with no value: unset, looked up further up */
    if (lp_streq_nocase(key, "log_level")) {
        check_log_level(c, v, kat, section);
        return;
    }
    const lp_config_key *doc = find_doc(o, key);
    if (doc && !type_matches(doc->type, v)) {
        lp_diags_add(c->d, LP_SEV_ERROR, where(v, kat), section,
                     "config '%s' must be %s %s, got %s", key, doc->type[0] == 'i' ? "an" : "a",
                     doc->type, lp_vtype_name(lp_value_type(v)));
        return;
    }
    if (doc || (complete && strs_has(known, key))) {
        check_key_is_read(c, o, section, key, kat);
        return;
    }
    if (!complete) return;
    lp_sb sb = {0};
    char *label = section_label(o->path);
    lp_sb_appendf(&sb, "unknown config key '%s' in %s", key, label ? label : "?");
    free(label);
    size_t before = sb.len;
    append_suggestion(&sb, key, known);
    if (sb.len == before) lp_sb_append(&sb, " (no class of this section or below documents it)");
    char *msg = lp_sb_take(&sb);
    lp_diags_add(c->d, unread_severity(c), kat, section, "%s", msg);
    free(msg);
}

static void check_config(const vctx *c, const lp_obj *o, const lp_value *cfg,
                         const lp_origin *key_at)
{
    char *section = sub_path(o->path, "config");
    if (!section) return;
    if (lp_value_type(cfg) != LP_MAP) {
        if (lp_value_type(cfg) != LP_NULL)
            lp_diags_add(c->d, LP_SEV_ERROR, where(cfg, key_at), section,
                         "'config:' must be a map of settings, got %s",
                         lp_vtype_name(lp_value_type(cfg)));
        free(section);
        return;
    }
    strs known = {0};
    strs_add(&known, "log_level");
    bool complete = collect_known(o, &known) && !known.oom;
    for (size_t i = 0; i < lp_map_len(cfg); i++)
        check_config_key(c, o, section, &known, complete, lp_map_key(cfg, i), lp_map_value(cfg, i),
                         lp_map_key_origin(cfg, i));
    strs_free(&known);
    free(section);
}

/* ---- sections ----------------------------------------------------------- */

/* Every key a section may hold: the fixed ones, those registered by other
 * layers (tests), its declared slots, and at the root the default slots and
 * plugin_paths. */
static void section_keys(const lp_obj *o, strs *keys)
{
    static const char *const fixed[] = {"config", "component", "pipeline"};
    for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++)
        strs_add(keys, fixed[i]);
    for (size_t i = 0; i < lp_registry_section_count(o->wf->reg); i++)
        strs_add(keys, lp_registry_section_at(o->wf->reg, i));
    const char *blocks[] = {"pipeline", "component"};
    for (size_t b = 0; b < 2; b++) {
        const lp_value *m = lp_section_map(o->section, blocks[b]);
        for (size_t i = 0; m && i < lp_map_len(m); i++)
            strs_add(keys, lp_map_key(m, i));
    }
    if (!o->parent) {
        strs_add(keys, "plugin_paths");
        for (size_t i = 0; i < lp_registry_default_slot_count(o->wf->reg); i++)
            strs_add(keys, lp_registry_default_slot_at(o->wf->reg, i, NULL));
    }
}

static void check_plugin_paths(const vctx *c, const lp_value *v, const lp_origin *kat)
{
    if (lp_value_type(v) == LP_NULL) return;
    if (lp_value_type(v) != LP_LIST) {
        lp_diags_add(c->d, LP_SEV_ERROR, where(v, kat), "plugin_paths",
                     "'plugin_paths' must be a list of strings, got %s",
                     lp_vtype_name(lp_value_type(v)));
        return;
    }
    for (size_t i = 0; i < lp_list_len(v); i++) {
        const lp_value *e = lp_list_get(v, i);
        if (lp_value_type(e) != LP_STRING)
            lp_diags_add(c->d, LP_SEV_ERROR, where(e, kat), "plugin_paths",
                         "'plugin_paths' entry %zu must be a string, got %s", i,
                         lp_vtype_name(lp_value_type(e)));
    }
}

static void warn_unknown_key(const vctx *c, const lp_obj *o, const char *key, const lp_origin *kat,
                             const strs *keys)
{
    lp_sb sb = {0};
    char *label = section_label(o->path);
    lp_sb_appendf(&sb, "unknown key '%s' in %s", key, label ? label : "?");
    free(label);
    size_t before = sb.len;
    append_suggestion(&sb, key, keys);
    if (sb.len == before) {
        lp_sb_append(&sb, " (a section holds config, component, pipeline");
        for (size_t i = 0; i < lp_registry_section_count(o->wf->reg); i++)
            lp_sb_appendf(&sb, ", %s", lp_registry_section_at(o->wf->reg, i));
        lp_sb_append(&sb, " and the sections of declared slots)");
    }
    char *msg = lp_sb_take(&sb);
    lp_diags_add(c->d, unread_severity(c), kat, o->path, "%s", msg);
    free(msg);
}

static void check_section_key(const vctx *c, const lp_obj *o, const strs *keys, const char *key,
                              const lp_value *v, const lp_origin *kat)
{
    lp_section_validator_fn other = lp_registry_section_validator(c->wf->reg, key);
    if (lp_streq_nocase(key, "config")) {
        check_config(c, o, v, kat);
    } else if (lp_streq_nocase(key, "component")) {
        check_decls(c, o, v, kat, LP_KIND_COMPONENT);
    } else if (lp_streq_nocase(key, "pipeline")) {
        if (o->declared_as == LP_KIND_RUNNER) {
            check_decls(c, o, v, kat, LP_KIND_PIPELINE);
        } else {
            char *label = section_label(o->path);
            lp_diags_add(c->d, LP_SEV_ERROR, kat, o->path,
                         "'pipeline:' in %s: only runners have pipelines, and '%s' is a %s",
                         label ? label : "?", o->name, lp_kind_name(o->declared_as));
            free(label);
        }
    } else if (other) {
        /* a key another layer gives meaning to (tests:), checked by it before anything runs */
        other(o->cls, *o->path ? o->path : o->name, v, c->d);
    } else if (!o->parent && lp_streq_nocase(key, "plugin_paths")) {
        check_plugin_paths(c, v, kat);
    } else if (strs_has(keys, key)) {
        /* a slot's section: it must be a map (null = empty) */
        if (lp_value_type(v) != LP_MAP && lp_value_type(v) != LP_NULL) {
            char *p = sub_path(o->path, key);
            lp_diags_add(c->d, LP_SEV_ERROR, where(v, kat), p ? p : key,
                         "section '%s' must be a map, got %s", key,
                         lp_vtype_name(lp_value_type(v)));
            free(p);
        }
    } else {
        warn_unknown_key(c, o, key, kat, keys);
    }
}

static void check_section(const vctx *c, const lp_obj *o)
{
    strs keys = {0};
    section_keys(o, &keys);
    const lp_value *sec = o->section;
    for (size_t i = 0; i < lp_map_len(sec); i++)
        check_section_key(c, o, &keys, lp_map_key(sec, i), lp_map_value(sec, i),
                          lp_map_key_origin(sec, i));
    strs_free(&keys);
}

/* ---- requirements -------------------------------------------------------- */

/* Whether one alternative ("config.K", "component.S", "pipeline.S") holds. */
static bool alt_satisfied(const lp_obj *o, const char *alt)
{
    if (strncmp(alt, "config.", 7) == 0) {
        lp_value *v = lp_obj_config(o, alt + 7);
        bool ok = v && lp_value_type(v) != LP_NULL;
        lp_value_unref(v);
        return ok;
    }
    if (strncmp(alt, "component.", 10) == 0) return lp_obj_component(o, alt + 10) != NULL;
    if (strncmp(alt, "pipeline.", 9) == 0) return lp_obj_pipeline(o, alt + 9) != NULL;
    return true; /* malformed requirements are refused at registration */
}

/* Splits "a|b" into a NULL-terminated array of new strings. */
static char **split_alts(const char *req, size_t *n)
{
    size_t cnt = 1;
    for (const char *p = req; *p; p++)
        cnt += *p == '|';
    char **alts = calloc(cnt + 1, sizeof *alts);
    if (!alts) return NULL;
    const char *p = req;
    for (size_t i = 0; i < cnt; i++) {
        const char *bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        alts[i] = lp_strndup(p, len);
        p = bar ? bar + 1 : p + len;
    }
    *n = cnt;
    return alts;
}

static void free_alts(char **alts, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(alts[i]);
    free(alts);
}

/* "requires config 'a' or component 'b' (hint)" for the missing requirement. */
static char *describe_missing(const lp_obj *o, char **alts, size_t n)
{
    lp_sb sb = {0};
    if (o->parent)
        lp_sb_appendf(&sb, "%s at '%s' requires ", o->cls->name, o->path);
    else
        lp_sb_appendf(&sb, "%s (the runner) requires ", o->cls->name);
    for (size_t i = 0; i < n; i++) {
        const char *dot = alts[i] ? strchr(alts[i], '.') : NULL;
        if (!dot) continue;
        lp_sb_appendf(&sb, "%s%.*s '%s'", i ? " or " : "", (int)(dot - alts[i]), alts[i], dot + 1);
    }
    const char *p = o->path;
    const char *kind = alts[0] ? alts[0] : "";
    if (strncmp(kind, "config.", 7) == 0) {
        if (o->parent)
            lp_sb_appendf(&sb, " (set it under %s.config or a parent's config, or env ", p);
        else
            lp_sb_append(&sb, " (set it under config:, or env ");
        for (size_t i = 0; i < n; i++) {
            if (!alts[i] || strncmp(alts[i], "config.", 7) != 0) continue;
            char *var = lp_config_env_name(alts[i] + 7);
            lp_sb_appendf(&sb, "%s%s", i ? " or " : "", var ? var : "?");
            free(var);
        }
        lp_sb_append(&sb, ")");
    } else if (strncmp(kind, "component.", 10) == 0) {
        if (o->parent)
            lp_sb_appendf(&sb, " (declare it under %s.component or a parent's component)", p);
        else
            lp_sb_append(&sb, " (declare it under component:)");
    } else if (strncmp(kind, "pipeline.", 9) == 0) {
        lp_sb_append(&sb, " (declare it under pipeline:)");
    }
    return lp_sb_take(&sb);
}

static void check_requirements(const vctx *c, const lp_obj *o)
{
    lp_severity sev = (c->flags & LP_WF_SKIP_VALIDATION) ? LP_SEV_WARNING : LP_SEV_ERROR;
    const lp_origin *at = o->decl ? lp_value_origin(o->decl) : lp_value_origin(c->wf->doc);
    for (const char *const *r = o->cls->requirements; r && *r; r++) {
        size_t n = 0;
        char **alts = split_alts(*r, &n);
        if (!alts) return;
        bool ok = false;
        for (size_t i = 0; i < n && !ok; i++)
            ok = alts[i] && alt_satisfied(o, alts[i]);
        if (!ok) {
            char *msg = describe_missing(o, alts, n);
            lp_diags_add(c->d, sev, at, o->path, "%s", msg ? msg : *r);
            free(msg);
        }
        free_alts(alts, n);
    }
}

/* ---- the walk ------------------------------------------------------------ */

/* A logger's level may come from the environment (LOG_LEVEL); a bad one is
 * reported where it came from. Levels set in a file are checked with the
 * section's config. */
static void check_env_log_level(const vctx *c, const lp_obj *o)
{
    if (!o->cls || !o->cls->type || strcmp(o->cls->type, "logger") != 0) return;
    lp_value *v = lp_obj_config(o, "log_level");
    const lp_origin *at = lp_value_origin(v);
    if (v && at && at->kind == LP_ORIGIN_ENV) check_log_level(c, v, at, o->path);
    lp_value_unref(v);
}

/* ---- the classes' own checks (LP_METHOD_CHECK_CONFIG) ------------------------ */

/* One problem map {severity, message} of a check_config result as a diagnostic. */
static void add_problem(const vctx *c, const lp_obj *o, const lp_value *p, const lp_origin *dflt)
{
    const lp_value *msg = lp_map_get(p, "message");
    const char *sev = lp_value_as_string(lp_map_get(p, "severity"));
    const char *text = lp_value_as_string(msg);
    lp_diags_add(c->d, sev && strcmp(sev, "warning") == 0 ? LP_SEV_WARNING : LP_SEV_ERROR,
                 where(msg, dflt), o->path, "%s", text ? text : "invalid configuration");
}

/* Calls the class's check_config on the (uninitialised) object and reports
 * what it returns. */
static void check_class_config(const vctx *c, const lp_obj *o)
{
    const lp_method *m = lp_class_method(o->cls, LP_METHOD_CHECK_CONFIG);
    if (!m || !m->fn) return;
    const lp_origin *at = o->decl ? lp_value_origin(o->decl) : lp_value_origin(c->wf->doc);
    lp_value *args = lp_value_map();
    lp_value *inputs = lp_value_bool((c->flags & LP_WF_CHECK_INPUTS) != 0);
    if (args && (!inputs || lp_map_set(args, "check_inputs", inputs) != 0)) {
        lp_value_unref(args); /* lp_map_set took inputs even on failure */
        args = NULL;
    } else if (!args) {
        lp_value_unref(inputs);
    }
    lp_error_clear();
    /* the object is not changed: check_config reads configuration only */
    lp_value *r = args ? m->fn((lp_obj *)(uintptr_t)o, args) : NULL;
    lp_value_unref(args);
    if (!r) {
        const lp_error *e = lp_error_last();
        lp_origin eo = {LP_ORIGIN_FILE, e->file ? lp_origin_intern(e->file) : NULL, e->line, e->col,
                        0};
        lp_diags_add(c->d, LP_SEV_ERROR, eo.source ? &eo : at, o->path, "%s",
                     e->message ? e->message : "check_config failed without a message");
        lp_error_clear();
        return;
    }
    for (size_t i = 0; lp_value_type(r) == LP_LIST && i < lp_list_len(r); i++)
        add_problem(c, o, lp_list_get(r, i), at);
    lp_value_unref(r);
}

/* Whether the text of an environment value reads as a value of `type`. */
static bool env_text_is(const char *type, const char *s)
{
    char *end = NULL;
    if (strcmp(type, "int") == 0) {
        errno = 0;
        (void)strtoll(s, &end, 10);
        return *s && !errno && !*end;
    }
    if (strcmp(type, "float") == 0) {
        errno = 0;
        (void)strtod(s, &end);
        return *s && !errno && !*end;
    }
    if (strcmp(type, "bool") == 0)
        return lp_streq_nocase(s, "true") || lp_streq_nocase(s, "false") || strcmp(s, "1") == 0 ||
               strcmp(s, "0") == 0;
    return true; /* strings and "any" take any text; lists and maps cannot come from env */
}

/* A documented key of o's class whose value comes from LOLPOP_<KEY> must
 * read as the key's type; the error names the variable, never its value. */
static void check_env_values(const vctx *c, const lp_obj *o)
{
    for (const lp_config_key *k = o->cls ? o->cls->config_keys : NULL; k && k->name; k++) {
        lp_value *v = lp_obj_config(o, k->name);
        const lp_origin *at = lp_value_origin(v);
        if (v && at && at->kind == LP_ORIGIN_ENV && k->type &&
            !env_text_is(k->type, lp_value_as_string(v)))
            lp_diags_add(c->d, LP_SEV_ERROR, at, o->path,
                         "environment variable %s must be %s %s: %s at '%s' reads it as config "
                         "'%s' (unset it, or set '%s' in the configuration)",
                         at->source, k->type[0] == 'i' ? "an" : "a", k->type, o->cls->name,
                         *o->path ? o->path : o->name, k->name, k->name);
        lp_value_unref(v);
    }
}

static void walk(const vctx *c, const lp_obj *o)
{
    check_section(c, o);
    check_env_log_level(c, o);
    if (c->requirements) check_env_values(c, o);
    for (size_t i = 0; i < o->n_children; i++)
        walk(c, o->children[i]);
    if (c->requirements && o->cls) check_requirements(c, o);
    if (c->requirements && o->cls) check_class_config(c, o);
}

static void check_runner(const vctx *c, const char *runner)
{
    const lp_class *cls = lp_registry_find_class(c->wf->reg, runner);
    if (!cls)
        report_unknown_class(c, NULL, "", runner);
    else if (cls->kind != LP_KIND_RUNNER)
        lp_diags_add(c->d, LP_SEV_ERROR, NULL, "", "'%s' is a %s, not a runner", runner,
                     lp_kind_name(cls->kind));
}

/* The document itself must be a map (the skeleton treats anything else as an
 * empty one, so this is where it is reported). */
static void check_document(const vctx *c)
{
    const lp_value *doc = c->wf->doc;
    if (doc && lp_value_type(doc) != LP_MAP && lp_value_type(doc) != LP_NULL)
        lp_diags_add(c->d, LP_SEV_ERROR, lp_value_origin(doc), "",
                     "the configuration must be a map of sections, got %s",
                     lp_vtype_name(lp_value_type(doc)));
}

size_t lp_workflow_check(const lp_workflow *wf, const char *runner, int flags, lp_diags *diags)
{
    size_t before = lp_diags_errors(diags);
    vctx c = {wf, diags, flags, runner && !(flags & LP_WF_STRUCTURE_ONLY)};
    check_document(&c);
    if (runner) check_runner(&c, runner);
    walk(&c, wf->root);
    return lp_diags_errors(diags) - before;
}

LP_API int lp_workflow_validate(const lp_registry *reg, const lp_value *doc, const char *runner,
                                int flags, lp_diags *diags)
{
    if (!reg || !diags)
        return lp_error_set(LP_EINVAL, "lp_workflow_validate: registry and diags are required");
    size_t before = lp_diags_errors(diags);
    lp_workflow *wf = NULL;
    int rc = lp_workflow_skeleton(&wf, reg, doc, runner, flags, diags);
    if (rc) return rc;
    lp_workflow_check(wf, runner, flags, diags);
    lp_workflow_destroy(wf);
    size_t errors = lp_diags_errors(diags) - before;
    if (errors)
        return lp_error_set(LP_ECONFIG, "configuration has %zu error%s", errors,
                            errors == 1 ? "" : "s");
    return 0;
}
