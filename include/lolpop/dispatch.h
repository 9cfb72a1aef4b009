/*
 * dispatch.h — lp_call: the single door every method call goes through.
 *
 * In order, lp_call: finds the method (unknown names fail with "did you
 * mean"), pushes "Class.method" on the error context, logs the start (DEBUG)
 * and the arguments (TRACE), runs pre-hooks, asks the cache, calls the method,
 * runs post-hooks, offers the result to the cache, logs the wall time, reports
 * the timing, and pops the context. When the outermost call fails it notifies
 * the visible notifier once. Calls to logger methods skip all of this (they
 * would log themselves forever).
 */
#ifndef LOLPOP_DISPATCH_H
#define LOLPOP_DISPATCH_H

#include "object.h"
#include "value.h"
#include "workflow.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Calls `method` of obj with the named arguments in `args` (a borrowed map, or
 * NULL for none). Returns a new reference to the result, or NULL with the last
 * error set (its context holds the call chain). */
lp_value *lp_call(lp_obj *obj, const char *method, lp_value *args);

/* Convenience: arguments as NULL-terminated (const char *name, lp_value *value)
 * pairs; takes ownership of every value, even on failure.
 *     lp_call_with(trainer, "fit", "splits", lp_value_ref(splits), NULL); */
lp_value *lp_call_with(lp_obj *obj, const char *method, ...);

/* Hook points, used by the testing framework (§8), caching (§7) and timing
 * records. Every callback may be NULL. A pre or post hook that returns
 * non-zero fails the call with the last error it set. */
typedef struct lp_call_hooks {
    void *ud;
    int (*pre)(void *ud, lp_obj *obj, const char *method, lp_value *args);
    int (*post)(void *ud, lp_obj *obj, const char *method, lp_value *args, lp_value *result);
    /* A new reference to a cached result, or NULL for a miss. */
    lp_value *(*cache_lookup)(void *ud, lp_obj *obj, const char *method, lp_value *args);
    void (*cache_store)(void *ud, lp_obj *obj, const char *method, lp_value *args,
                        lp_value *result);
    void (*timing)(void *ud, lp_obj *obj, const char *method, double seconds, int ok);
    uint32_t abi_version; /* layout version; leave 0 (see lolpop/abi.h) */
} lp_call_hooks;

/* Adds a hook set to the workflow (copied; called in the order added).
 * LP_EINVAL for hooks of an ABI this lolpop does not read (abi.h). */
int lp_workflow_add_hooks(lp_workflow *wf, const lp_call_hooks *hooks);

#ifdef __cplusplus
}
#endif
#endif
