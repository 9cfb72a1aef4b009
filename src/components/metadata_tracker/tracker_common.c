/*
 * tracker_common.c — helpers of the local trackers: where the store is and
 * how a method argument names a resource.
 */
#include <stdlib.h>
#include <string.h>

#include "components/metadata_tracker/tracker.h"

char *lp_tracker_store_path(lp_obj *obj, lp_obj *fallback)
{
    char *path = lp_obj_config_string(obj, "store");
    if (!path && fallback) path = lp_obj_config_string(fallback, "store");
    return path ? path : lp_strdup(LP_STORE_DEFAULT_PATH);
}

int64_t lp_tracker_resource_id(const lp_value *res)
{
    return lp_value_as_int(lp_map_get(res, "id"));
}

int lp_tracker_resource_arg(lp_store *st, const lp_value *args, const char *name, lp_value **res)
{
    *res = NULL;
    const lp_value *v = lp_map_get(args, name);
    int rc = 0;
    switch (lp_value_type(v)) {
    case LP_MAP: {
        const lp_value *id = lp_map_get(v, "id");
        if (lp_value_type(id) != LP_INT)
            return lp_error_set(
                LP_EINVAL, "argument '%s' must be a resource (a map with an integer 'id')", name);
        rc = lp_store_resource_get(st, lp_value_as_int(id), res);
        break;
    }
    case LP_INT:
        rc = lp_store_resource_get(st, lp_value_as_int(v), res);
        break;
    case LP_STRING:
        rc = lp_store_resource_by_uri(st, lp_value_as_string(v), res);
        break;
    default:
        return lp_error_set(LP_EINVAL,
                            "argument '%s' must be a resource (a map with 'id', an id or a uri), "
                            "got %s",
                            name, v ? lp_vtype_name(lp_value_type(v)) : "nothing");
    }
    if (rc == 0 && !*res && lp_value_type(v) == LP_STRING)
        rc =
            lp_error_set(LP_ENOTFOUND, "argument '%s': no resource '%s' in the metadata store '%s'",
                         name, lp_value_as_string(v), lp_store_location(st));
    else if (rc == 0 && !*res)
        rc = lp_error_set(
            LP_ENOTFOUND, "argument '%s': no resource with id %lld in the metadata store '%s'",
            name, (long long)lp_value_as_int(lp_value_type(v) == LP_MAP ? lp_map_get(v, "id") : v),
            lp_store_location(st));
    return rc;
}

int lp_tracker_string_arg(const lp_value *args, const char *name, bool required, const char **out)
{
    const lp_value *v = lp_map_get(args, name);
    *out = lp_value_as_string(v);
    if (*out && **out) return 0;
    if (lp_value_type(v) == LP_NULL && !required) return 0;
    *out = NULL;
    return lp_error_set(LP_EINVAL, "argument '%s' must be a non-empty string, got %s", name,
                        lp_value_type(v) == LP_STRING ? "\"\""
                        : v                           ? lp_vtype_name(lp_value_type(v))
                                                      : "nothing");
}
