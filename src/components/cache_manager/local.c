/*
 * local.c — LocalCacheManager: results kept in the workflow's own stores
 * (runs/local_cache.h): a row per key and run in the metadata store's `cache`
 * table, the encoded value in the object store of
 * LocalResourceVersionControl — the rows the run service records every step
 * in.
 *
 *   component:
 *     cache_manager: LocalCacheManager
 *   cache_manager:
 *     config:
 *       enabled: true                  # reuse results of earlier runs (default true)
 *       methods: [SQLDataTransformer.transform]   # pure component methods to cache too
 *       ignore_config: [n_jobs]        # config keys that never change a result
 *
 * With a cache_manager configured the dispatcher reuses a pipeline step's
 * result (and those of `methods`) from any earlier run whose key matches
 * (runs/cache_key.h): same class, method, argument contents and effective
 * configuration. The run service (runs/run_hooks.c) asks this class through
 * its type's contract like any cache_manager: retrieve(key) before a step,
 * cache(key, value) after it. As the service has recorded the step's result
 * in the same rows already, cache() skips a key this run has recorded. Store
 * and run come from the visible metadata_tracker, found on first use.
 *
 * Ownership: methods borrow their arguments and return new references.
 */
#include <stdlib.h>
#include <string.h>

#include "components/components_internal.h"
#include "core/digest.h"
#include "runs/cache_key.h"
#include "runs/local_cache.h"
#include "lolpop/objstore.h"
#include "lolpop/registry.h"
#include "lolpop/workflow.h"

typedef struct cache_manager {
    lp_local_cache *cache; /* NULL until first use */
    char *run;             /* the current run (owned) */
} cache_manager;

/* The object's section path for messages (borrowed). */
static const char *path_of(const lp_obj *self)
{
    const char *p = lp_obj_path(self);
    return p && *p ? p : lp_obj_name(self);
}

/* A configuration error at v's file position when it has one. */
static int cfg_error(const lp_obj *self, const lp_value *v, const char *what)
{
    return lp_kit_error_at(LP_ECONFIG, v, "LocalCacheManager (%s): %s", path_of(self), what);
}

/* Why the entry "Class.method" names nothing cacheable (new string), or NULL when it is fine. */
static char *entry_problem(const lp_obj *self, const char *entry)
{
    const char *dot = strchr(entry, '.');
    if (!dot || dot == entry || !dot[1] || strchr(dot + 1, '.'))
        return lp_strdup("each entry of methods must be \"Class.method\", such as "
                         "SQLDataTransformer.transform");
    char *cls_name = lp_strndup(entry, (size_t)(dot - entry));
    const lp_registry *reg = lp_workflow_registry(lp_obj_workflow(self));
    const lp_class *cls = cls_name ? lp_registry_find_class(reg, cls_name) : NULL;
    char *why = NULL;
    if (!cls) {
        size_t n = lp_registry_class_count(reg), k = 0;
        const char **names = n ? malloc(n * sizeof *names) : NULL;
        for (size_t i = 0; names && i < n; i++)
            names[k++] = lp_registry_class_at(reg, i)->name;
        const char *close = names && cls_name ? lp_suggest(cls_name, names, k) : NULL;
        why = lp_asprintf("methods: no class '%s'%s%s%s", cls_name ? cls_name : entry,
                          close ? " (did you mean '" : "", close ? close : "", close ? "'?)" : "");
        free(names);
    } else if (!lp_class_method(cls, dot + 1)) {
        why = lp_asprintf("methods: %s has no method '%s'", cls->name, dot + 1);
    } else if (cls->kind == LP_KIND_RUNNER) {
        why = lp_asprintf(
            "methods: %s is a runner; runner methods orchestrate and are never cached", cls->name);
    } else if (cls->kind == LP_KIND_COMPONENT && lp_cache_type_is_bystander(cls->type)) {
        why = lp_asprintf("methods: %s is a %s; its calls are never cached", cls->name, cls->type);
    }
    free(cls_name);
    return why;
}

/* `methods` must be a list of "Class.method" naming methods that can be cached. */
static int check_methods(const lp_obj *self)
{
    lp_value *v = lp_obj_config(self, "methods");
    int rc = 0;
    if (v && lp_value_type(v) != LP_NULL && lp_value_type(v) != LP_LIST)
        rc = cfg_error(self, v, "methods must be a list of \"Class.method\" names");
    for (size_t i = 0; rc == 0 && i < lp_list_len(v); i++) {
        const lp_value *item = lp_list_get(v, i);
        const char *s = lp_value_as_string(item);
        char *why =
            s ? entry_problem(self, s) : lp_strdup("each entry of methods must be a string");
        if (why) rc = cfg_error(self, item, why);
        free(why);
    }
    lp_value_unref(v);
    return rc;
}

static void cm_fini(lp_obj *self)
{
    cache_manager *st = lp_obj_state(self);
    lp_local_cache_close(st->cache);
    free(st->run);
    memset(st, 0, sizeof *st);
}

static int cm_init(lp_obj *self)
{
    return check_methods(self);
}

/* The open cache (opened now on first use), or NULL with the error set. */
static lp_local_cache *cache_of(lp_obj *self)
{
    cache_manager *st = lp_obj_state(self);
    if (st->cache) return st->cache;
    char *store = NULL, *dir = NULL;
    int rc = lp_local_cache_locate(self, &store, &st->run, &dir);
    if (rc == 0)
        rc = lp_local_cache_open(&st->cache, lp_workflow_registry(lp_obj_workflow(self)), store,
                                 dir);
    free(store);
    free(dir);
    if (rc) lp_error_prefix("LocalCacheManager (%s)", path_of(self));
    return st->cache;
}

/* args.key as the 64 hex digits the store keys by: a key that is not one
 * already is replaced by its SHA-256, so any text can be a key. */
static int key_arg(const lp_obj *self, const lp_value *args, const char *method, char out[65])
{
    const char *key = lp_value_as_string(lp_map_get(args, "key"));
    if (!key || !*key)
        return lp_error_set(LP_EINVAL,
                            "LocalCacheManager (%s).%s: argument 'key' must be a "
                            "non-empty string",
                            path_of(self), method);
    if (lp_objstore_valid_hex(key)) {
        memcpy(out, key, 65);
        return 0;
    }
    return lp_sha256_hex(key, strlen(key), out);
}

/* Whether this run has recorded a result under key already (the run service
 * records every step before offering it here): storing it again would encode
 * its frames a second time for the same row. Only for keys given as 64 hex
 * digits — content keys (runs/cache_key.h), where the same key means the same
 * result; a text key may be given a new value and is always stored. */
static bool recorded_by_this_run(lp_local_cache *c, const char *run, const char *key)
{
    lp_value *runs = run ? lp_value_list() : NULL;
    char *by = NULL;
    bool yes = runs && lp_list_append(runs, lp_value_string(run)) == 0 &&
               lp_local_cache_recorded_by(c, key, runs, &by) == 0 && by;
    lp_error_clear(); /* on any doubt: store it */
    free(by);
    lp_value_unref(runs);
    return yes;
}

/* cache(key, value, class?, method?): stores value under key for this run. */
static lp_value *cm_cache(lp_obj *self, lp_value *args)
{
    char key[65];
    if (key_arg(self, args, "cache", key)) return NULL;
    if (!lp_obj_config_bool(self, "enabled", true)) return lp_value_null();
    lp_local_cache *c = cache_of(self);
    if (!c) return NULL;
    cache_manager *st = lp_obj_state(self);
    const char *given = lp_value_as_string(lp_map_get(args, "key"));
    if (lp_objstore_valid_hex(given) && recorded_by_this_run(c, st->run, key))
        return lp_value_null();
    if (lp_local_cache_put(c, key, lp_map_get(args, "value"), st->run,
                           lp_value_as_string(lp_map_get(args, "class")),
                           lp_value_as_string(lp_map_get(args, "method"))) != 0) {
        lp_error_prefix("LocalCacheManager (%s).cache", path_of(self));
        return NULL;
    }
    return lp_value_null();
}

/* retrieve(key) -> value or null. A damaged entry is a miss, with a warning. */
static lp_value *cm_retrieve(lp_obj *self, lp_value *args)
{
    char key[65];
    if (key_arg(self, args, "retrieve", key)) return NULL;
    if (!lp_obj_config_bool(self, "enabled", true)) return lp_value_null();
    lp_local_cache *c = cache_of(self);
    if (!c) return NULL;
    lp_value *v = NULL;
    char *run = NULL;
    if (lp_local_cache_get(c, key, NULL, &v, &run) != 0) {
        lp_log(self, LP_LOG_WARN, "cached result %.12s is damaged, computing it again: %s", key,
               lp_error_last()->message);
        lp_error_clear();
    }
    free(run);
    return v ? v : lp_value_null();
}

static const lp_method cm_methods[] = {
    {"cache", cm_cache,
     "cache(key, value, class?, method?): stores value under key (any text; 64 hex digits are "
     "used as they are) for the current run"},
    {"retrieve", cm_retrieve,
     "retrieve(key) -> the newest value stored under key, or null (also for a damaged entry)"},
    {NULL, NULL, NULL},
};

static const lp_config_key cm_keys[] = {
    {"enabled", "bool",
     "reuse results of earlier runs (default true); every run records its steps' results "
     "either way, for --resume"},
    {"methods", "list",
     "\"Class.method\" names of component methods to cache besides pipeline steps: only pure "
     "ones, whose result depends on nothing but their arguments and configuration"},
    {"ignore_config", "list", "config keys that never change a result, left out of cache keys"},
    {NULL, NULL, NULL},
};

const lp_class lp_local_cache_manager_class = {
    .name = "LocalCacheManager",
    .kind = LP_KIND_COMPONENT,
    .type = "cache_manager",
    .doc = "Reuses the results of workflow steps (pipeline methods, plus the component methods "
           "listed in `methods`) from earlier runs when the class, method, the arguments' "
           "contents and the effective configuration are unchanged. Results live in the "
           "workflow's stores: a row per key and run in the metadata store, the value in the "
           "content-addressed object store, where frames and models are stored once. A damaged "
           "entry is a miss with a warning, never a wrong result. Reused steps are logged as "
           "\"Class.method: reused (run R)\".",
    .defaults_yaml = NULL,
    .requirements = lp_no_requirements,
    .config_keys = cm_keys,
    .methods = cm_methods,
    .state_size = sizeof(cache_manager),
    .init = cm_init,
    .fini = cm_fini,
};
