/*
 * run_hooks.c — the run service (include/lolpop/runs.h): the dispatcher hooks
 * that record every step's result, reuse results on lookup (from resumed runs
 * and through a visible cache_manager's contract methods), and --resume.
 *
 * What is keyed and recorded: calls of pipeline methods — the steps a resumed
 * run reuses — plus every "Class.method" listed in the `methods` config of
 * the cache_manager visible from the runner (components the user knows are
 * pure, such as SQLDataTransformer.transform). Runner methods and the calls
 * of loggers, notifiers, trackers, test recorders and cache managers never
 * are: they orchestrate, record or report. Keys: cache_key.h.
 *
 * Every run records its steps' results in the local store (local_cache.h),
 * cache_manager or not, so that any failed run can be resumed. Reuse comes
 * from the resumed runs' records first, then — with a cache_manager whose
 * `enabled` is not false — from its retrieve(key); after a step the result
 * is offered to its cache(key, value, class, method). The service knows no
 * cache_manager class: LocalCacheManager serves those two methods from the
 * same local store, a plugin's from wherever it keeps things. A result whose
 * `path` (a report, say) no longer exists is not reused. The hooks run on the
 * thread that runs the workflow.
 *
 * The dispatcher asks cache_lookup before a call and offers the result to
 * cache_store after a successful one, with the same (object, method,
 * arguments). The key is computed once, at lookup, and kept on a stack of
 * calls in progress until the matching store; a failed call never gets its
 * store, so its entry is dropped when an enclosing call's store arrives.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lolpop/dispatch.h"
#include "lolpop/log.h"
#include "lolpop/runs.h"
#include "lolpop/types/cache_manager.h"
#include "runs/cache_key.h"
#include "runs/local_cache.h"
#include "lolpop/workflow.h"
#include "store/store.h"

/* The key the service's state is attached under (lp_workflow_attach). */
#define RUNS_ATTACHMENT "lolpop.runs"

typedef struct lp_cache_session lp_cache_session;
static void session_free(void *data);

typedef struct pending {
    const lp_obj *obj;
    const char *method;
    const lp_value *args;
    bool keyed;
    char key[65];
} pending;

struct lp_cache_session {
    lp_obj *root;
    lp_local_cache *local; /* every run's results (NULL: nothing recorded) */
    char *run;             /* the current run (owned) */
    lp_value *resume_runs; /* the resumed run and the runs it resumed, or NULL */
    lp_obj *cm;            /* the configured cache_manager visible from the root, or NULL */
    bool reuse_any;        /* cm configured and enabled: reuse any earlier run's results */
    lp_value *methods;     /* cm's extra "Class.method" names (owned), or NULL */
    lp_cache_keyer *keyer;
    pending *stack;
    size_t n, cap;
};

/* ---- which calls ----------------------------------------------------------------------- */

static bool listed(const lp_value *methods, const char *cls, const char *method)
{
    size_t nc = strlen(cls);
    for (size_t i = 0; i < lp_list_len(methods); i++) {
        const char *s = lp_value_as_string(lp_list_get(methods, i));
        if (s && strncmp(s, cls, nc) == 0 && s[nc] == '.' && strcmp(s + nc + 1, method) == 0)
            return true;
    }
    return false;
}

static bool cacheable(const lp_cache_session *s, const lp_obj *obj, const char *method)
{
    const lp_class *cls = lp_obj_class(obj);
    if (!cls || cls->kind == LP_KIND_RUNNER) return false;
    if (cls->kind == LP_KIND_PIPELINE) return true;
    if (lp_cache_type_is_bystander(cls->type)) return false;
    return listed(s->methods, cls->name, method);
}

/* ---- calls in progress ------------------------------------------------------------------- */

static pending *push(lp_cache_session *s, const lp_obj *obj, const char *method,
                     const lp_value *args)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 16;
        pending *p = realloc(s->stack, cap * sizeof *p);
        if (!p) return NULL;
        s->stack = p;
        s->cap = cap;
    }
    pending *p = &s->stack[s->n++];
    *p = (pending){obj, method, args, false, {0}};
    return p;
}

/* Pops the call's entry (and those of calls inside it that failed) into *out;
 * false when it has none. */
static bool pop(lp_cache_session *s, const lp_obj *obj, const char *method, const lp_value *args,
                pending *out)
{
    for (size_t i = s->n; i-- > 0;) {
        pending *p = &s->stack[i];
        if (p->obj == obj && p->args == args && strcmp(p->method, method) == 0) {
            *out = *p;
            s->n = i;
            return true;
        }
    }
    return false;
}

/* ---- lookup ---------------------------------------------------------------------------- */

/* The local cache's result from `runs` (NULL: any run) and, in *run, the run
 * that computed it; NULL on a miss. A damaged entry is a miss with a warning. */
static lp_value *local_hit(lp_cache_session *s, const lp_obj *obj, const char *frame,
                           const char *key, const lp_value *runs, char **run)
{
    lp_value *v = NULL;
    if (lp_local_cache_get(s->local, key, runs, &v, run) != 0) {
        lp_log(obj, LP_LOG_WARN, "%s: the cached result is damaged, running it again: %s", frame,
               lp_error_last()->message);
        lp_error_clear();
    }
    return v;
}

/* The cache_manager's result through its contract's retrieve(key); null is a
 * miss. *run: the run whose record has the key (new string), NULL when the
 * local store has none (a cache_manager that keeps results elsewhere). */
static lp_value *manager_hit(lp_cache_session *s, const lp_obj *obj, const char *frame,
                             const char *key, char **run)
{
    lp_value *v = lp_cache_manager_retrieve(s->cm, key);
    if (!v) {
        lp_log(obj, LP_LOG_WARN, "%s: %s.retrieve failed, running the step: %s", frame,
               lp_obj_class(s->cm)->name, lp_error_last()->message);
        lp_error_clear();
    }
    if (lp_value_type(v) == LP_NULL) {
        lp_value_unref(v);
        return NULL;
    }
    if (v && s->local && lp_local_cache_recorded_by(s->local, key, NULL, run) != 0)
        lp_error_clear(); /* only the log line's run is missing */
    return v;
}

/* The first file a result names under a `path` key (a report, a bundle)
 * that no longer exists, or NULL. Reusing such a result would hand on a
 * path to nothing: the step runs again instead. */
static const char *missing_output(const lp_value *v, int depth)
{
    if (depth > 32) return NULL;
    for (size_t i = 0; i < lp_map_len(v); i++) {
        const lp_value *item = lp_map_value(v, i);
        const char *path = lp_value_as_string(item);
        if (path && *path && lp_streq_nocase(lp_map_key(v, i), "path") && access(path, F_OK) != 0)
            return path;
        const char *m = lp_value_type(item) == LP_MAP ? missing_output(item, depth + 1) : NULL;
        if (m) return m;
    }
    return NULL;
}

/* A reusable result for the call (new reference), or NULL: first from the
 * resumed runs, then from the cache_manager when one is enabled. */
static lp_value *find(lp_cache_session *s, const lp_obj *obj, const char *frame, const char *key)
{
    char *run = NULL;
    lp_value *v = s->resume_runs ? local_hit(s, obj, frame, key, s->resume_runs, &run) : NULL;
    if (!v && s->reuse_any) {
        free(run);
        run = NULL;
        v = manager_hit(s, obj, frame, key, &run);
    }
    const char *gone = v ? missing_output(v, 0) : NULL;
    if (gone) {
        lp_log(obj, LP_LOG_INFO, "%s: not reused, its output '%s' is gone", frame, gone);
        lp_value_unref(v);
        v = NULL;
    } else if (v && run) {
        lp_log(obj, LP_LOG_INFO, "%s: reused (run %s)", frame, *run ? run : "unknown");
    } else if (v) {
        lp_log(obj, LP_LOG_INFO, "%s: reused (from %s)", frame, lp_obj_class(s->cm)->name);
    }
    free(run);
    return v;
}

static lp_value *on_lookup(void *ud, lp_obj *obj, const char *method, lp_value *args)
{
    lp_cache_session *s = ud;
    if (!cacheable(s, obj, method)) return NULL;
    pending *p = push(s, obj, method, args);
    if (!p) return NULL; /* out of memory: the call just runs */
    char *frame = lp_asprintf("%s.%s", lp_obj_class(obj)->name, method);
    if (lp_cache_key(s->keyer, obj, method, args, p->key) != 0) {
        lp_log(obj, LP_LOG_DEBUG, "not cached: %s", lp_error_last()->message);
        lp_error_clear();
        free(frame);
        return NULL;
    }
    p->keyed = true;
    lp_value *hit = frame ? find(s, obj, frame, p->key) : NULL;
    if (hit) s->n--; /* reused: there will be no store for this call */
    free(frame);
    return hit;
}

/* ---- store ----------------------------------------------------------------------------- */

static void on_store(void *ud, lp_obj *obj, const char *method, lp_value *args, lp_value *result)
{
    lp_cache_session *s = ud;
    pending p;
    if (!cacheable(s, obj, method) || !pop(s, obj, method, args, &p) || !p.keyed) return;
    const char *cls = lp_obj_class(obj)->name;
    /* A call that changed a file it names (save_predictions writing its
     * target) has an effect outside the stores: reusing its result would skip
     * the effect (once: "predictions 50 rows -> predictions.csv", nothing
     * written). Its key, taken again now, shows it; such a result is not kept.
     * Frames and unchanged files are memoised, so this costs little. */
    char after[65];
    if (lp_cache_key(s->keyer, obj, method, args, after) != 0 || strcmp(after, p.key) != 0) {
        lp_log(obj, LP_LOG_DEBUG, "%s.%s: result not cached: the call changed a file it names", cls,
               method);
        lp_error_clear();
        return;
    }
    if (s->local && lp_local_cache_put(s->local, p.key, result, s->run, cls, method) != 0) {
        /* A result that cannot be encoded (a foreign handle) is simply not reusable. */
        lp_log_level lvl = lp_error_last()->code == LP_EINVAL ? LP_LOG_DEBUG : LP_LOG_WARN;
        lp_log(obj, lvl, "%s.%s: result not cached: %s", cls, method, lp_error_last()->message);
    }
    if (s->reuse_any) {
        /* class and method are optional arguments a cache_manager may keep. */
        lp_value *r = lp_call_with(s->cm, LP_CACHE_MANAGER_CACHE, "key", lp_value_string(p.key),
                                   "value", lp_value_ref(result), "class", lp_value_string(cls),
                                   "method", lp_value_string(method), (const char *)NULL);
        if (!r)
            lp_log(obj, LP_LOG_WARN, "%s.%s: %s.cache failed: %s", cls, method,
                   lp_obj_class(s->cm)->name, lp_error_last()->message);
        lp_value_unref(r);
    }
    lp_error_clear(); /* the call succeeded: nothing here may look like its error */
}

/* ---- --resume ---------------------------------------------------------------------------- */

/* The id `ref` names among the runs other than the current one (newest first). */
static int resolve_run(lp_store *st, const char *ref, const char *current, char **out)
{
    *out = NULL;
    lp_value *runs = NULL;
    int rc = lp_store_runs_list(st, 0, &runs);
    if (rc) return rc;
    bool latest = strcmp(ref, "latest") == 0;
    size_t n = 0, len = strlen(ref);
    const char *pick = NULL, *exact = NULL;
    lp_sb some = {0};
    for (size_t i = 0; i < lp_list_len(runs); i++) {
        const lp_value *run = lp_list_get(runs, i);
        const char *id = lp_value_as_string(lp_map_get(run, "id"));
        if (!id || strcmp(id, current) == 0) continue;
        /* "latest" is the newest run that ran a method: one refused before it
         * started (a mistyped --resume, a bad --build-args) has nothing to reuse */
        if (latest && !lp_value_as_string(lp_map_get(run, "method"))) continue;
        if (latest || strncmp(id, ref, len) == 0) {
            if (!pick) pick = id;
            if (strcmp(id, ref) == 0) exact = id;
            if (n < 5) lp_sb_appendf(&some, "%s%s", n ? ", " : "", id);
            n++;
            if (latest) break;
        }
    }
    char *list = lp_sb_take(&some);
    if (!*ref)
        rc = lp_error_set(LP_EUSAGE, "--resume: the run id is empty");
    else if (n == 0)
        rc = lp_error_set(LP_EUSAGE,
                          "--resume: no run '%s' in the metadata store '%s' (see 'lolpop runs "
                          "list')",
                          ref, lp_store_location(st));
    else if (n > 1 && !exact)
        rc = lp_error_set(LP_EUSAGE, "--resume: run id prefix '%s' is ambiguous: it matches %s%s",
                          ref, list ? list : "several runs", n > 5 ? ", ..." : "");
    else if (!(*out = lp_strdup(exact ? exact : pick)))
        rc = LP_ENOMEM;
    free(list);
    lp_value_unref(runs);
    return rc;
}

/* The resumed run, then the run it resumed, and so on (a list). */
static int resume_chain(lp_store *st, const char *first, lp_value **out)
{
    lp_value *chain = lp_value_list();
    int rc = chain ? lp_list_append(chain, lp_value_string(first)) : LP_ENOMEM;
    for (size_t hops = 0; rc == 0 && hops < 1000; hops++) {
        const char *id = lp_value_as_string(lp_list_get(chain, lp_list_len(chain) - 1));
        lp_value *run = NULL;
        rc = lp_store_run_get(st, id, &run);
        const char *from = lp_value_as_string(lp_map_get(run, "resumed_from"));
        bool seen = false;
        for (size_t i = 0; from && i < lp_list_len(chain); i++)
            seen = seen || strcmp(lp_value_as_string(lp_list_get(chain, i)), from) == 0;
        if (rc == 0 && from && !seen) rc = lp_list_append(chain, lp_value_string(from));
        lp_value_unref(run);
        if (!from || seen) break;
    }
    if (rc) {
        lp_value_unref(chain);
        return rc;
    }
    *out = chain;
    return 0;
}

static int begin_resume(lp_cache_session *s, const char *ref)
{
    lp_store *st = lp_local_cache_store(s->local);
    char *id = NULL;
    int rc = resolve_run(st, ref, s->run, &id);
    if (rc == 0) rc = resume_chain(st, id, &s->resume_runs);
    if (rc == 0) rc = lp_store_run_set_resumed_from(st, s->run, id);
    if (rc == 0)
        lp_log(s->root, LP_LOG_INFO, "resuming run %s: steps that finished there are reused", id);
    free(id);
    return rc;
}

/* ---- enabling -------------------------------------------------------------------------------- */

/* Reads the configured cache_manager's settings. */
static int configure(lp_cache_session *s)
{
    s->cm = lp_obj_component(s->root, "cache_manager");
    if (!s->cm) return 0;
    s->reuse_any = lp_obj_config_bool(s->cm, "enabled", true);
    lp_value *m = lp_obj_config(s->cm, "methods");
    if (lp_value_type(m) == LP_LIST)
        s->methods = m;
    else
        lp_value_unref(m);
    lp_value *ignore = lp_obj_config(s->cm, "ignore_config");
    lp_cache_keyer_free(s->keyer);
    s->keyer = lp_cache_keyer_new(ignore);
    lp_value_unref(ignore);
    return s->keyer ? 0 : LP_ENOMEM;
}

/* Opens the local cache of the workflow's stores. */
static int open_local(lp_cache_session *s)
{
    char *store = NULL, *dir = NULL;
    int rc = lp_local_cache_locate(s->root, &store, &s->run, &dir);
    if (rc == 0)
        rc = lp_local_cache_open(&s->local, lp_workflow_registry(lp_obj_workflow(s->root)), store,
                                 dir);
    free(store);
    free(dir);
    return rc;
}

LP_API int lp_workflow_enable_runs(lp_workflow *wf, const char *resume)
{
    if (!wf) return lp_error_set(LP_EINVAL, "lp_workflow_enable_runs: the workflow is NULL");
    if (lp_workflow_attachment(wf, RUNS_ATTACHMENT))
        return lp_error_set(LP_EEXISTS, "runs are already enabled for this workflow");
    lp_cache_session *s = calloc(1, sizeof *s);
    if (!s) return lp_error_set(LP_ENOMEM, "out of memory");
    s->root = lp_workflow_root(wf);
    s->keyer = lp_cache_keyer_new(NULL);
    int rc = s->keyer ? configure(s) : LP_ENOMEM;
    if (rc == 0 && open_local(s) != 0) {
        if (resume) {
            char *why = lp_strdup(lp_error_last()->message);
            rc = lp_error_set(LP_EUSAGE, "--resume: %s", why ? why : "no store of runs");
            free(why);
        } else {
            /* No store of runs: nothing recorded, and only a cache_manager can serve. */
            lp_log(s->root, LP_LOG_DEBUG, "step results are not recorded: %s",
                   lp_error_last()->message);
            lp_error_clear();
        }
    }
    if (rc == 0 && resume) rc = begin_resume(s, resume);
    /* Attached first: from here on the workflow frees it, hooks or not. */
    if (rc == 0) rc = lp_workflow_attach(wf, RUNS_ATTACHMENT, s, session_free);
    if (rc) {
        session_free(s);
        return rc;
    }
    if (s->local || s->cm) {
        lp_call_hooks hooks = {.ud = s, .cache_lookup = on_lookup, .cache_store = on_store};
        rc = lp_workflow_add_hooks(wf, &hooks);
    }
    return rc;
}

LP_API const char *lp_workflow_run_id(const lp_workflow *wf)
{
    const lp_cache_session *s = lp_workflow_attachment(wf, RUNS_ATTACHMENT);
    return s && s->local ? s->run : NULL;
}

static void session_free(void *data)
{
    lp_cache_session *s = data;
    if (!s) return;
    lp_local_cache_close(s->local);
    lp_cache_keyer_free(s->keyer);
    lp_value_unref(s->resume_runs);
    lp_value_unref(s->methods);
    free(s->run);
    free(s->stack);
    free(s);
}
