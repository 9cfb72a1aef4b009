/*
 * tracker.h — what LocalMetadataTracker and LocalMetricsTracker share
 * (tracker_common.c): the store path from configuration and resource
 * arguments. Not public API.
 */
#ifndef LP_COMPONENTS_TRACKER_H
#define LP_COMPONENTS_TRACKER_H

#include "components/components_internal.h"
#include "store/store.h"

/* The store location for obj: config `store`, else the `store` config of
 * `fallback` (another component, may be NULL), else LP_STORE_DEFAULT_PATH.
 * New string (caller frees) or NULL on OOM. */
char *lp_tracker_store_path(lp_obj *obj, lp_obj *fallback);

/* The resource args[name] names — a resource map (its `id` is read), an int
 * id, or a uri string — as its stored row (*res, a new reference). LP_EINVAL
 * for anything else, LP_ENOTFOUND naming the resource when it does not exist. */
int lp_tracker_resource_arg(lp_store *st, const lp_value *args, const char *name, lp_value **res);

/* *out = the non-empty string args[name] (borrowed). Absent or null: *out
 * NULL, and LP_EINVAL naming the argument when required. Another type or ""
 * is LP_EINVAL. */
int lp_tracker_string_arg(const lp_value *args, const char *name, bool required, const char **out);

/* The id of a resource map (0 when it has none). */
int64_t lp_tracker_resource_id(const lp_value *res);

struct lp_objstore;
/* Puts the content of file `path` into the object store of self (opened in
 * *os on first use: config objects_dir, else the directory of the metadata
 * store `store`) and writes its hex name to hex; hex is "" when path is
 * NULL or no file, or when storing failed (logged at WARN). Always 0: a copy
 * that cannot be kept never fails the caller (tracker_objects.c). */
int lp_tracker_store_object(struct lp_objstore **os, lp_obj *self, const char *store,
                            const char *path, char hex[65]);

#endif
