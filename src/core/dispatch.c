/*
 * dispatch.c — lp_call, the single door every method call goes through:
 * lookup with "did you mean", error context, logging, hooks, cache, timing,
 * and one notification when the outermost call fails.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "object_internal.h"

/* Nesting depth of lp_call on this thread: only the outermost failure notifies. */
static _Thread_local int call_depth;

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Sets LP_ENOTFOUND naming the class and the closest method name. */
static lp_value *unknown_method(const lp_class *cls, const char *method)
{
    size_t n = 0;
    for (const lp_method *m = cls->methods; m && m->name; m++)
        n++;
    const char **names = n ? malloc(n * sizeof *names) : NULL;
    for (size_t i = 0; names && i < n; i++)
        names[i] = cls->methods[i].name;
    const char *s = names ? lp_suggest(method, names, n) : NULL;
    if (s)
        lp_error_set(LP_ENOTFOUND, "%s has no method '%s'; did you mean '%s'?", cls->name, method,
                     s);
    else
        lp_error_set(LP_ENOTFOUND, "%s has no method '%s'", cls->name, method);
    free(names);
    return NULL;
}

/* Loggers are called directly: logging their calls would recurse forever. */
static lp_value *call_plain(lp_obj *obj, const lp_method *m, lp_value *args)
{
    lp_value *owned = args ? lp_value_ref(args) : lp_value_map();
    if (!owned) return NULL;
    lp_error_clear();
    lp_value *r = m->fn(obj, owned);
    if (!r && !lp_error_last()->code)
        lp_error_set(LP_EWORKFLOW, "%s.%s failed without an error message", obj->cls->name,
                     m->name);
    lp_value_unref(owned);
    return r;
}

lp_value *lp_call_direct(lp_obj *obj, const char *method, lp_value *args)
{
    const lp_method *m = obj && obj->cls ? lp_class_method(obj->cls, method) : NULL;
    if (!m) return obj && obj->cls ? unknown_method(obj->cls, method) : NULL;
    return call_plain(obj, m, args);
}

static int run_pre_hooks(lp_workflow *wf, lp_obj *obj, const char *method, lp_value *args)
{
    for (size_t i = 0; i < wf->n_hooks; i++) {
        const lp_call_hooks *h = &wf->hooks[i];
        if (!h->pre) continue;
        lp_error_clear();
        int rc = h->pre(h->ud, obj, method, args);
        if (rc) {
            if (!lp_error_last()->code) lp_error_set(rc < 0 ? rc : LP_EWORKFLOW, "pre-hook failed");
            return rc < 0 ? rc : LP_EWORKFLOW;
        }
    }
    return 0;
}

static int run_post_hooks(lp_workflow *wf, lp_obj *obj, const char *method, lp_value *args,
                          lp_value *result)
{
    for (size_t i = 0; i < wf->n_hooks; i++) {
        const lp_call_hooks *h = &wf->hooks[i];
        if (!h->post) continue;
        lp_error_clear();
        int rc = h->post(h->ud, obj, method, args, result);
        if (rc) {
            if (!lp_error_last()->code)
                lp_error_set(rc < 0 ? rc : LP_EWORKFLOW, "post-hook failed");
            return rc < 0 ? rc : LP_EWORKFLOW;
        }
    }
    return 0;
}

/* The first cache hit (new reference), or NULL. */
static lp_value *cache_lookup(lp_workflow *wf, lp_obj *obj, const char *method, lp_value *args)
{
    for (size_t i = 0; i < wf->n_hooks; i++) {
        const lp_call_hooks *h = &wf->hooks[i];
        lp_value *hit = h->cache_lookup ? h->cache_lookup(h->ud, obj, method, args) : NULL;
        if (hit) return hit;
    }
    return NULL;
}

static void cache_store(lp_workflow *wf, lp_obj *obj, const char *method, lp_value *args,
                        lp_value *result)
{
    for (size_t i = 0; i < wf->n_hooks; i++)
        if (wf->hooks[i].cache_store)
            wf->hooks[i].cache_store(wf->hooks[i].ud, obj, method, args, result);
}

static void report_timing(lp_workflow *wf, lp_obj *obj, const char *method, double secs, int ok)
{
    for (size_t i = 0; i < wf->n_hooks; i++)
        if (wf->hooks[i].timing) wf->hooks[i].timing(wf->hooks[i].ud, obj, method, secs, ok);
}

/* Pre-hooks, cache, the method itself, post-hooks and cache store. Returns a
 * new reference or NULL with the last error set. */
static lp_value *invoke(lp_obj *obj, const lp_method *m, const char *frame, lp_value *args)
{
    lp_workflow *wf = obj->wf;
    if (run_pre_hooks(wf, obj, m->name, args)) return NULL;
    lp_value *result = cache_lookup(wf, obj, m->name, args);
    bool cached = result != NULL;
    if (cached) {
        lp_log(obj, LP_LOG_DEBUG, "%s: reused cached result",
               frame); /* the cache says from where */
    } else {
        lp_error_clear();
        result = m->fn(obj, args);
        if (!result) {
            if (!lp_error_last()->code)
                lp_error_set(LP_EWORKFLOW, "method failed without an error message");
            return NULL;
        }
    }
    if (run_post_hooks(wf, obj, m->name, args, result)) {
        lp_value_unref(result);
        return NULL;
    }
    if (!cached) cache_store(wf, obj, m->name, args, result);
    return result;
}

/* Notifies the visible notifier of the failure that ended the outermost call. */
static void notify_failure(const lp_obj *obj)
{
    char *msg = lp_error_format();
    lp_notify_failure(obj, msg);
    free(msg);
}

LP_API lp_value *lp_call(lp_obj *obj, const char *method, lp_value *args)
{
    if (!obj || !obj->cls || !method) {
        lp_error_set(LP_EINVAL, "lp_call: object and method name are required");
        return NULL;
    }
    if (args && lp_value_type(args) != LP_MAP) {
        lp_error_set(LP_EINVAL, "%s.%s: arguments must be a map, got %s", obj->cls->name, method,
                     lp_vtype_name(lp_value_type(args)));
        return NULL;
    }
    const lp_method *m = lp_class_method(obj->cls, method);
    if (!m) return unknown_method(obj->cls, method);
    if (obj->cls->type && strcmp(obj->cls->type, "logger") == 0) return call_plain(obj, m, args);

    lp_value *owned = args ? lp_value_ref(args) : lp_value_map();
    char *frame = lp_asprintf("%s.%s", obj->cls->name, method);
    if (!owned || !frame) {
        lp_value_unref(owned);
        free(frame);
        return NULL;
    }
    lp_error_context_push(frame);
    call_depth++;
    lp_log(obj, LP_LOG_DEBUG, "start %s", frame);
    if (lp_log_enabled(obj, LP_LOG_TRACE)) {
        char *shown = lp_value_to_string(owned);
        lp_log(obj, LP_LOG_TRACE, "args of %s: %s", frame, shown ? shown : "?");
        free(shown);
    }
    double t0 = now_seconds();
    lp_value *result = invoke(obj, m, frame, owned);
    double secs = now_seconds() - t0;
    if (result)
        lp_log(obj, LP_LOG_DEBUG, "done %s in %.1f ms", frame, secs * 1e3);
    else
        lp_log(obj, LP_LOG_DEBUG, "failed %s after %.1f ms", frame, secs * 1e3);
    report_timing(obj->wf, obj, method, secs, result != NULL);
    lp_error_context_pop();
    call_depth--;
    if (!result && call_depth == 0) notify_failure(obj);
    lp_value_unref(owned);
    free(frame);
    return result;
}

LP_API lp_value *lp_call_with(lp_obj *obj, const char *method, ...)
{
    lp_value *args = lp_value_map();
    va_list ap;
    va_start(ap, method);
    for (const char *name = va_arg(ap, const char *); name; name = va_arg(ap, const char *)) {
        lp_value *v = va_arg(ap, lp_value *);
        if (args && lp_map_set(args, name, v) != 0) {
            lp_value_unref(args); /* lp_map_set took v even on failure */
            args = NULL;
        } else if (!args) {
            lp_value_unref(v);
        }
    }
    va_end(ap);
    if (!args) return NULL;
    lp_value *r = lp_call(obj, method, args);
    lp_value_unref(args);
    return r;
}

LP_API int lp_workflow_add_hooks(lp_workflow *wf, const lp_call_hooks *hooks)
{
    if (!wf || !hooks)
        return lp_error_set(LP_EINVAL, "lp_workflow_add_hooks: workflow and hooks are required");
    uint32_t abi = hooks->abi_version ? hooks->abi_version : LP_ABI_VERSIONED_SINCE;
    if (abi < LP_ABI_OLDEST || abi > LP_ABI_VERSION)
        return lp_error_set(LP_EINVAL,
                            "lp_workflow_add_hooks: hooks written for lolpop ABI %u, this lolpop "
                            "has ABI %u",
                            (unsigned)abi, (unsigned)LP_ABI_VERSION);
    lp_call_hooks *h = realloc(wf->hooks, (wf->n_hooks + 1) * sizeof *h);
    if (!h) return lp_error_set(LP_ENOMEM, "out of memory");
    h[wf->n_hooks++] = *hooks;
    wf->hooks = h;
    return 0;
}
