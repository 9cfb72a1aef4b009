/*
 * types/cache_manager.h — the `cache_manager` component type: stores and retrieves method results
 * by key.
 *
 * Contract: every component class of type `cache_manager` implements these methods
 * (checked by lp_registry_add_class). Arguments and results are named values;
 * a result written "a, b" is a map with those keys. Method names come from
 * SPEC §5 (§6.1 for pipelines); argument and result names are fixed here.
 *
 *   cache(key, value)
 *       stores a value
 *       key: cache key
 *       value: value to store
 *   retrieve(key) -> value
 *       the stored value, or null
 *       key: cache key
 *
 * The inline helpers call through the dispatcher (lp_call_with). They borrow
 * their arguments (NULL becomes a null value). Helpers of methods with a result
 * return a new reference, or NULL with the last error set; the others return 0
 * or the negative LP_E* code of the failure.
 */
#ifndef LOLPOP_TYPES_CACHE_MANAGER_H
#define LOLPOP_TYPES_CACHE_MANAGER_H

#include <stdint.h>
#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LP_TYPE_CACHE_MANAGER     "cache_manager"
#define LP_CACHE_MANAGER_CACHE    "cache"
#define LP_CACHE_MANAGER_RETRIEVE "retrieve"

/* cache(key, value): stores a value. */
static inline int lp_cache_manager_cache(lp_obj *cache_manager, const char *key, lp_value *value)
{
    return lp_type_status(lp_call_with(cache_manager, LP_CACHE_MANAGER_CACHE, "key",
                                       lp_type_arg_str(key), "value", lp_type_arg(value),
                                       (const char *)NULL));
}

/* retrieve(key) -> value: the stored value, or null. */
static inline lp_value *lp_cache_manager_retrieve(lp_obj *cache_manager, const char *key)
{
    return lp_call_with(cache_manager, LP_CACHE_MANAGER_RETRIEVE, "key", lp_type_arg_str(key),
                        (const char *)NULL);
}

#ifdef __cplusplus
}
#endif
#endif
