/*
 * result.c — method results (include/lolpop/kit.h): maps from (key, value)
 * pairs, frames as values, the null result of a skipped step, and errors
 * returned as NULL or located at a configuration value.
 */
#include <stdarg.h>

#include "kit/kit_internal.h"

LP_API lp_value *lp_kit_result(const char *key, ...)
{
    va_list ap;
    va_start(ap, key);
    lp_value *map = lp_value_map();
    for (const char *k = key; k; k = va_arg(ap, const char *)) {
        lp_value *v = va_arg(ap, lp_value *);
        if (!v) v = lp_value_null();
        if (!map || !v || lp_map_set(map, k, v) != 0) { /* lp_map_set took v even on failure */
            if (!map) lp_value_unref(v);
            lp_value_unref(map);
            map = NULL;
        }
    }
    va_end(ap);
    if (!map) lp_error_set(LP_ENOMEM, "out of memory building a result");
    return map;
}

LP_API lp_value *lp_kit_frame(lp_frame *f)
{
    if (!f) return NULL;
    lp_value *v = lp_value_frame(f);
    lp_frame_unref(f);
    if (!v) lp_error_set(LP_ENOMEM, "out of memory");
    return v;
}

LP_API lp_value *lp_kit_skip(lp_obj *self, const char *step, const char *slot)
{
    lp_log(self, LP_LOG_INFO, "%s: skipped, no %s configured", step, slot);
    return lp_value_null();
}

LP_API lp_value *lp_kit_fail(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    lp_error_setv(code, fmt, ap);
    va_end(ap);
    return NULL;
}

LP_API int lp_kit_error_at(int code, const lp_value *v, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    lp_error_setv_at_value(code, v, fmt, ap);
    va_end(ap);
    return code;
}

LP_API int lp_kit_error_at_origin(int code, const lp_origin *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    lp_error_setv_at_origin(code, o, fmt, ap);
    va_end(ap);
    return code;
}

LP_API int64_t lp_kit_resource_id(const lp_value *resource)
{
    if (lp_value_type(resource) == LP_INT) return lp_value_as_int(resource);
    const lp_value *id = lp_map_get(resource, "id");
    return lp_value_type(id) == LP_INT ? lp_value_as_int(id) : -1;
}
