/*
 * workflow.c — building the instance tree of a runner from the resolved
 * document (SPEC §2.1, §3), running init/fini in dependency order.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "lolpop/config.h"
#include "object_internal.h"

/* Gives every value of a parsed default tree the origin "default (Class)". */
static void mark_default_origin(lp_value *v, const char *cls_name)
{
    const lp_origin *old = lp_value_origin(v);
    lp_origin o = {LP_ORIGIN_DEFAULT, cls_name, old ? old->line : 0, old ? old->col : 0, 0};
    lp_value_set_origin(v, &o);
    if (lp_value_type(v) == LP_LIST)
        for (size_t i = 0; i < lp_list_len(v); i++)
            mark_default_origin(lp_list_get(v, i), cls_name);
    else if (lp_value_type(v) == LP_MAP)
        for (size_t i = 0; i < lp_map_len(v); i++)
            mark_default_origin(lp_map_value(v, i), cls_name);
}

/* Parses cls->defaults_yaml once per workflow into wf->defaults. A broken
 * default is reported (when diags is given) and treated as empty. */
static int load_defaults(lp_workflow *wf, const lp_class *cls, lp_diags *diags)
{
    if (!cls->defaults_yaml || lp_map_get(wf->defaults, cls->name)) return 0;
    char *source = lp_asprintf("default (%s)", cls->name);
    if (!source) return LP_ENOMEM;
    lp_diags local;
    lp_diags_init(&local);
    lp_value *parsed = NULL;
    int rc = lp_yaml_parse(&parsed, cls->defaults_yaml, strlen(cls->defaults_yaml), source,
                           diags ? diags : &local);
    lp_diags_clear(&local);
    free(source);
    if (rc != 0 || lp_value_type(parsed) != LP_MAP) {
        if (rc == 0 && diags)
            lp_diags_add(diags, LP_SEV_ERROR, NULL, "", "class %s: default config is not a map",
                         cls->name);
        lp_value_unref(parsed);
        parsed = lp_value_map();
        if (!parsed) return LP_ENOMEM;
    }
    mark_default_origin(parsed, lp_origin_intern(cls->name));
    return lp_map_set(wf->defaults, cls->name, parsed);
}

static void obj_free(lp_obj *o)
{
    if (!o) return;
    for (size_t i = 0; i < o->n_children; i++)
        obj_free(o->children[i]);
    free(o->children);
    free(o->state);
    free(o->name);
    free(o->path);
    free(o);
}

/* A new object of slot `name` under parent (NULL for the root), not yet
 * linked into the parent. Its section is the parent section's map of that
 * name, or the shared empty map. */
static lp_obj *obj_new(lp_workflow *wf, lp_obj *parent, const lp_class *cls, lp_kind as,
                       const char *name, const lp_value *decl)
{
    lp_obj *o = calloc(1, sizeof *o);
    if (!o) {
        lp_error_set(LP_ENOMEM, "out of memory");
        return NULL;
    }
    o->wf = wf;
    o->parent = parent;
    o->cls = cls;
    o->declared_as = as;
    o->decl = decl;
    o->log_level = o->own_level = LP_LOG_INFO;
    o->name = lp_strdup(name);
    if (!parent)
        o->path = lp_strdup("");
    else if (parent->path[0])
        o->path = lp_asprintf("%s.%s", parent->path, name);
    else
        o->path = lp_strdup(name);
    const lp_value *sec = parent ? lp_section_map(parent->section, name) : wf->doc;
    o->section = lp_value_type(sec) == LP_MAP ? sec : wf->empty;
    if (!o->name || !o->path) {
        obj_free(o);
        return NULL;
    }
    return o;
}

static int add_child(lp_obj *parent, lp_obj *child)
{
    if (parent->n_children == parent->cap_children) {
        size_t cap = parent->cap_children ? parent->cap_children * 2 : 4;
        lp_obj **c = realloc(parent->children, cap * sizeof *c);
        if (!c) {
            obj_free(child);
            return lp_error_set(LP_ENOMEM, "out of memory");
        }
        parent->children = c;
        parent->cap_children = cap;
    }
    parent->children[parent->n_children++] = child;
    return 0;
}

static bool has_child(const lp_obj *o, const char *slot)
{
    for (size_t i = 0; i < o->n_children; i++)
        if (lp_streq_nocase(o->children[i]->name, slot)) return true;
    return false;
}

/* Creates one child; a class that is unknown or of the wrong kind leaves cls
 * NULL (validation reports it; building refuses such a tree). */
static int add_slot(lp_obj *o, const char *slot, const lp_class *cls, lp_kind as,
                    const lp_value *decl, lp_diags *diags)
{
    if (cls && cls->kind != as) cls = NULL;
    if (cls) {
        int rc = load_defaults(o->wf, cls, diags);
        if (rc) return rc;
    }
    lp_obj *c = obj_new(o->wf, o, cls, as, slot, decl);
    return c ? add_child(o, c) : LP_ENOMEM;
}

/* Adds the slots declared under `key` ("pipeline" or "component") of o's section. */
static int add_declared(lp_obj *o, const char *key, lp_kind as, lp_diags *diags)
{
    const lp_value *decls = lp_section_map(o->section, key);
    for (size_t i = 0; decls && i < lp_map_len(decls); i++) {
        const char *slot = lp_map_key(decls, i);
        const lp_value *v = lp_map_value(decls, i);
        if (lp_value_type(v) != LP_STRING || has_child(o, slot))
            continue; /* reported by validation */
        const lp_class *cls = lp_registry_find_class(o->wf->reg, lp_value_as_string(v));
        int rc = add_slot(o, slot, cls, as, v, diags);
        if (rc) return rc;
    }
    return 0;
}

/* The root's default slots (registered by plugins: lp_registry_add_default_slot),
 * unless declared. */
static int add_defaults(lp_obj *root, lp_diags *diags)
{
    const lp_registry *reg = root->wf->reg;
    for (size_t i = 0; i < lp_registry_default_slot_count(reg); i++) {
        const char *cls_name = NULL;
        const char *slot = lp_registry_default_slot_at(reg, i, &cls_name);
        const lp_class *cls = lp_registry_find_class(reg, cls_name);
        if (!cls || has_child(root, slot)) continue;
        if ((root->wf->flags & LP_WF_NO_TRACKING) && lp_streq_nocase(slot, "metadata_tracker"))
            continue;
        int rc = add_slot(root, slot, cls, LP_KIND_COMPONENT, NULL, diags);
        if (rc) return rc;
    }
    return 0;
}

static int build_children(lp_obj *o, lp_diags *diags)
{
    int rc = 0;
    if (o->declared_as == LP_KIND_RUNNER) /* only runners have pipelines */
        rc = add_declared(o, "pipeline", LP_KIND_PIPELINE, diags);
    if (!rc) rc = add_declared(o, "component", LP_KIND_COMPONENT, diags);
    if (!rc && !o->parent) rc = add_defaults(o, diags);
    for (size_t i = 0; !rc && i < o->n_children; i++)
        rc = build_children(o->children[i], diags);
    return rc;
}

int lp_workflow_skeleton(lp_workflow **out, const lp_registry *reg, const lp_value *doc,
                         const char *runner, int flags, lp_diags *diags)
{
    *out = NULL;
    lp_workflow *wf = calloc(1, sizeof *wf);
    if (!wf) return lp_error_set(LP_ENOMEM, "out of memory");
    wf->flags = flags;
    wf->reg = reg;
    wf->doc = doc;
    wf->empty = lp_value_map();
    wf->defaults = lp_value_map();
    if (!wf->empty || !wf->defaults) {
        lp_workflow_destroy(wf);
        return LP_ENOMEM;
    }
    const lp_class *cls = runner ? lp_registry_find_class(reg, runner) : NULL;
    if (cls && cls->kind != LP_KIND_RUNNER) cls = NULL;
    int rc = cls ? load_defaults(wf, cls, diags) : 0;
    if (!rc) {
        wf->root = obj_new(wf, NULL, cls, LP_KIND_RUNNER, runner ? runner : "", NULL);
        rc = wf->root ? build_children(wf->root, diags) : LP_ENOMEM;
    }
    if (rc) {
        lp_workflow_destroy(wf);
        return rc;
    }
    *out = wf;
    return 0;
}

void lp_workflow_destroy(lp_workflow *wf)
{
    if (!wf) return;
    lp_workflow_detach_all(wf); /* after every fini: attachments may serve it */
    obj_free(wf->root);
    lp_value_unref(wf->empty);
    lp_value_unref(wf->defaults);
    free(wf->hooks);
    free(wf);
}

/* Init priority among siblings: loggers, then notifiers, then the other
 * components, then pipelines — so that anything init logs or notifies has
 * somewhere to go, and pipelines find their components ready. */
static int init_rank(const lp_obj *o)
{
    if (o->declared_as == LP_KIND_PIPELINE) return 3;
    if (o->cls->type && strcmp(o->cls->type, "logger") == 0) return 0;
    if (o->cls->type && strcmp(o->cls->type, "notifier") == 0) return 1;
    return 2;
}

/* Appends o's subtree to order[] in init order: children (by rank) before
 * their parent. */
static void init_order(lp_obj *o, lp_obj **order, size_t *n)
{
    for (int rank = 0; rank <= 3; rank++)
        for (size_t i = 0; i < o->n_children; i++)
            if (init_rank(o->children[i]) == rank) init_order(o->children[i], order, n);
    order[(*n)++] = o;
}

static size_t count_objs(const lp_obj *o)
{
    size_t n = 1;
    for (size_t i = 0; i < o->n_children; i++)
        n += count_objs(o->children[i]);
    return n;
}

/* Runs fini of every initialised object in order[0..n) backwards: an object
 * is finalised before the components it may still use in its fini. */
static void fini_reverse(lp_obj **order, size_t n)
{
    while (n > 0) {
        lp_obj *o = order[--n];
        if (o->initialised && o->cls->fini) o->cls->fini(o);
        o->initialised = false;
    }
}

/* The exact reverse of init_order, without allocating (freeing must not fail). */
static void fini_tree(lp_obj *o)
{
    if (o->initialised && o->cls->fini) o->cls->fini(o);
    o->initialised = false;
    for (int rank = 3; rank >= 0; rank--)
        for (size_t i = o->n_children; i-- > 0;)
            if (init_rank(o->children[i]) == rank) fini_tree(o->children[i]);
}

/* Allocates each object's private state. */
static int alloc_states(lp_obj *o)
{
    if (!o->cls) return lp_error_set(LP_ECONFIG, "object '%s' has no valid class", o->path);
    if (o->cls->state_size) {
        o->state = calloc(1, o->cls->state_size);
        if (!o->state)
            return lp_error_set(LP_ENOMEM, "out of memory allocating state of %s", o->cls->name);
    }
    for (size_t i = 0; i < o->n_children; i++) {
        int rc = alloc_states(o->children[i]);
        if (rc) return rc;
    }
    return 0;
}

/* Runs every init in order; on failure finalises what was initialised and
 * returns the error, prefixed with the failing object's class and path. */
static int init_all(lp_workflow *wf)
{
    size_t total = count_objs(wf->root), n = 0;
    lp_obj **order = malloc(total * sizeof *order);
    if (!order) return lp_error_set(LP_ENOMEM, "out of memory");
    init_order(wf->root, order, &n);
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        lp_obj *o = order[i];
        if (!o->cls->init) {
            o->initialised = true;
            continue;
        }
        lp_error_clear();
        rc = o->cls->init(o);
        if (rc) {
            if (!lp_error_last()->code) lp_error_set(rc, "init failed without a message");
            if (o->parent)
                lp_error_prefix("%s at '%s'", o->cls->name, o->path);
            else
                lp_error_prefix("%s (the runner)", o->cls->name);
            fini_reverse(order, i);
        } else {
            o->initialised = true;
        }
    }
    free(order);
    return rc;
}

/* Sets the last error to the first error diagnostic added since `from`. */
static void summarise(const lp_diags *d, size_t from, size_t n_errors)
{
    for (size_t i = from; i < d->len; i++) {
        const lp_diag *g = &d->items[i];
        if (g->severity != LP_SEV_ERROR) continue;
        const char *file = g->where.kind == LP_ORIGIN_FILE ? g->where.source : NULL;
        if (n_errors == 1)
            lp_error_set_at(LP_ECONFIG, file, g->where.line, g->where.col, "%s", g->message);
        else
            lp_error_set_at(LP_ECONFIG, file, g->where.line, g->where.col,
                            "%s (%zu configuration errors in total)", g->message, n_errors);
        return;
    }
    lp_error_set(LP_ECONFIG, "invalid configuration");
}

LP_API int lp_workflow_new(lp_workflow **out, const lp_registry *reg, const lp_value *doc,
                           const char *runner, int flags, lp_diags *diags)
{
    if (!out) return lp_error_set(LP_EINVAL, "lp_workflow_new: out is NULL");
    *out = NULL;
    if (!reg || !runner)
        return lp_error_set(LP_EINVAL, "lp_workflow_new: registry and runner are required");
    lp_diags local;
    lp_diags_init(&local);
    lp_diags *d = diags ? diags : &local;
    size_t from = d->len, errors_before = lp_diags_errors(d);
    lp_workflow *wf = NULL;
    int rc = lp_workflow_skeleton(&wf, reg, doc, runner, flags, d);
    if (!rc) {
        lp_workflow_check(wf, runner, flags, d);
        size_t errors = lp_diags_errors(d) - errors_before;
        if (errors) {
            summarise(d, from, errors);
            rc = LP_ECONFIG;
        }
    }
    lp_diags_clear(&local);
    if (!rc) rc = alloc_states(wf->root);
    if (!rc) {
        lp_log_cache_levels(wf);
        rc = init_all(wf);
    }
    if (rc) {
        lp_workflow_destroy(wf);
        return rc;
    }
    *out = wf;
    return 0;
}

LP_API void lp_workflow_free(lp_workflow *wf)
{
    if (!wf) return;
    if (wf->root) fini_tree(wf->root);
    lp_workflow_destroy(wf);
}

LP_API lp_obj *lp_workflow_root(const lp_workflow *wf)
{
    return wf ? wf->root : NULL;
}

LP_API const lp_registry *lp_workflow_registry(const lp_workflow *wf)
{
    return wf ? wf->reg : NULL;
}

LP_API const lp_value *lp_workflow_document(const lp_workflow *wf)
{
    return wf ? wf->doc : NULL;
}
