/*
 * pool.c — the bundle's data_transformer instances. The recorded class is
 * built through the registry as the only component of a hidden runner (so it
 * has the logger, notifier and configuration lookup every component may use)
 * and called through the dispatcher. A component instance is used by one
 * thread at a time: each scoring call borrows an idle instance, or builds one,
 * and gives it back; the pool keeps at most as many as ran at once.
 */
#include <stdlib.h>
#include <string.h>

#include "bundle/bundle_priv.h"
#include "lolpop/class.h"

/* Never called: the bundle calls the component itself. */
static lp_value *bundle_runner_build_all(lp_obj *self, lp_value *args)
{
    (void)self;
    (void)args;
    return lp_value_null();
}

static const lp_method bundle_runner_methods[] = {
    {"build_all", bundle_runner_build_all, "build_all() -> null: nothing"},
    {NULL, NULL, NULL},
};

const lp_class lp_bundle_runner_class = {
    .name = LP_BUNDLE_RUNNER,
    .kind = LP_KIND_RUNNER,
    .type = NULL,
    .doc = "internal runner holding a deployment bundle's data_transformer",
    .methods = bundle_runner_methods,
};

/* A new instance of the bundle's transformer in *wf. */
static int build(const lp_bundle *b, lp_workflow **wf)
{
    lp_diags diags;
    lp_diags_init(&diags);
    int rc = lp_workflow_new(wf, b->reg, b->wf_doc, LP_BUNDLE_RUNNER, LP_WF_NO_TRACKING, &diags);
    for (size_t i = 0; rc == LP_ECONFIG && i < diags.len; i++)
        if (diags.items[i].severity == LP_SEV_ERROR) {
            lp_error_set(LP_ECONFIG, "[%s] %s", diags.items[i].section, diags.items[i].message);
            break;
        }
    lp_diags_clear(&diags);
    if (rc == 0) return 0;
    lp_error_prefix("bundle '%s': building data_transformer %s", b->dir,
                    lp_value_as_string(lp_map_get(b->transform, "class")));
    return rc;
}

/* {component: {data_transformer: CLASS}, data_transformer: {config: CONFIG},
 * logger: {config: {log_level: ERROR}}}: the transformer's INFO lines (one per
 * call) would go to stdout, where `lolpop predict -o -` writes predictions. */
static lp_value *workflow_doc(const lp_value *transform)
{
    lp_value *doc = lp_value_map(), *slots = lp_value_map(), *section = lp_value_map();
    lp_value *logger = lp_value_map(), *logger_cfg = lp_value_map();
    lp_value *config = lp_value_copy(lp_map_get(transform, "config"));
    lp_value *cls = lp_value_string(lp_value_as_string(lp_map_get(transform, "class")));
    if (!doc || !slots || !section || !logger || !logger_cfg || !config || !cls) {
        lp_value_unref(doc);
        lp_value_unref(slots);
        lp_value_unref(section);
        lp_value_unref(logger);
        lp_value_unref(logger_cfg);
        lp_value_unref(config);
        lp_value_unref(cls);
        return NULL;
    }
    if (lp_map_set(slots, "data_transformer", cls) || lp_map_set(doc, "component", slots) ||
        lp_map_set(section, "config", config) || lp_map_set(doc, "data_transformer", section) ||
        lp_map_set(logger_cfg, "log_level", lp_value_string("ERROR")) ||
        lp_map_set(logger, "config", logger_cfg) || lp_map_set(doc, "logger", logger)) {
        lp_value_unref(doc);
        return NULL;
    }
    return doc;
}

int lp_bundle_pool_init(lp_bundle *b)
{
    if (!(b->pool = calloc(1, sizeof *b->pool))) return lp_error_set(LP_ENOMEM, "out of memory");
    pthread_mutex_init(&b->pool->lock, NULL);
    pthread_mutex_init(&b->pool->predict_lock, NULL);
    if (!b->transform) return 0;
    const char *cls = lp_value_as_string(lp_map_get(b->transform, "class"));
    const lp_class *c = lp_registry_find_class(b->reg, cls);
    if (!c || c->kind != LP_KIND_COMPONENT || !c->type || strcmp(c->type, "data_transformer"))
        return lp_error_set(LP_ENOTFOUND,
                            "bundle '%s': its data_transformer class %s is not registered (load "
                            "the plugin that provides it)",
                            b->dir, cls);
    if (!lp_registry_find_class(b->reg, LP_BUNDLE_RUNNER))
        return lp_error_set(LP_ENOTFOUND, "bundle '%s': the registry lacks %s", b->dir,
                            LP_BUNDLE_RUNNER);
    if (!(b->wf_doc = workflow_doc(b->transform))) return lp_error_set(LP_ENOMEM, "out of memory");
    lp_workflow *wf = NULL;
    int rc = build(b, &wf);
    if (rc == 0) lp_bundle_pool_give(b, wf);
    return rc;
}

int lp_bundle_pool_take(const lp_bundle *b, lp_workflow **wf)
{
    lp_bundle_pool *p = b->pool;
    pthread_mutex_lock(&p->lock);
    *wf = p->n ? p->free_wf[--p->n] : NULL;
    pthread_mutex_unlock(&p->lock);
    return *wf ? 0 : build(b, wf);
}

void lp_bundle_pool_give(const lp_bundle *b, lp_workflow *wf)
{
    lp_bundle_pool *p = b->pool;
    pthread_mutex_lock(&p->lock);
    if (p->n == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 4;
        lp_workflow **grown = realloc(p->free_wf, cap * sizeof *grown);
        if (grown) {
            p->free_wf = grown;
            p->cap = cap;
        }
    }
    if (p->n < p->cap) {
        p->free_wf[p->n++] = wf;
        wf = NULL;
    }
    pthread_mutex_unlock(&p->lock);
    lp_workflow_free(wf); /* no room to keep it (out of memory): drop it */
}

void lp_bundle_pool_free(lp_bundle *b)
{
    if (!b->pool) return;
    for (size_t i = 0; i < b->pool->n; i++)
        lp_workflow_free(b->pool->free_wf[i]);
    free(b->pool->free_wf);
    pthread_mutex_destroy(&b->pool->lock);
    pthread_mutex_destroy(&b->pool->predict_lock);
    free(b->pool);
    b->pool = NULL;
}
