/*
 * value_json.c — see value_json.h.
 */
#include "core/value_json.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

/* A string value as JSON; invalid UTF-8 is a placeholder (or NULL when strict). */
static json_t *string_json(const lp_value *v, int flags)
{
    json_t *j = json_stringn(lp_value_as_string(v), lp_value_string_len(v));
    if (!j && !(flags & LP_JSON_STRICT)) j = json_string("<invalid UTF-8>");
    return j;
}

static json_t *handle_json(const lp_value *v, int flags)
{
    if (flags & LP_JSON_STRICT) return NULL;
    char *text = lp_value_to_string(v);
    json_t *j = json_string(text ? text : "<handle>");
    free(text);
    return j;
}

static json_t *list_json(const lp_value *v, int flags)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < lp_list_len(v); i++)
        if (json_array_append_new(a, lp_json_from_value(lp_list_get(v, i), flags)) != 0) {
            json_decref(a);
            return NULL;
        }
    return a;
}

static json_t *map_json(const lp_value *v, int flags)
{
    json_t *o = json_object();
    for (size_t i = 0; o && i < lp_map_len(v); i++)
        if (json_object_set_new(o, lp_map_key(v, i),
                                lp_json_from_value(lp_map_value(v, i), flags)) != 0) {
            json_decref(o);
            return NULL;
        }
    return o;
}

json_t *lp_json_from_value(const lp_value *v, int flags)
{
    const lp_origin *o = lp_value_origin(v);
    if ((flags & LP_JSON_HIDE_ENV) && o && o->from_env) return json_string("***");
    switch (lp_value_type(v)) {
    case LP_NULL:
        return json_null();
    case LP_BOOL:
        return json_boolean(lp_value_as_bool(v));
    case LP_INT:
        return json_integer((json_int_t)lp_value_as_int(v));
    case LP_FLOAT: {
        double d = lp_value_as_float(v); /* JSON has no NaN or infinity */
        return isfinite(d) ? json_real(d) : (flags & LP_JSON_STRICT) ? NULL : json_null();
    }
    case LP_STRING:
        return string_json(v, flags);
    case LP_LIST:
        return list_json(v, flags);
    case LP_MAP:
        return map_json(v, flags);
    case LP_HANDLE:
        return handle_json(v, flags);
    }
    return json_null();
}

static lp_value *array_value(const json_t *j)
{
    lp_value *list = lp_value_list();
    for (size_t i = 0; list && i < json_array_size(j); i++) {
        lp_value *v = lp_value_from_json(json_array_get(j, i));
        if (!v || lp_list_append(list, v) != 0) {
            lp_value_unref(list);
            return NULL;
        }
    }
    return list;
}

static lp_value *object_value(const json_t *j)
{
    lp_value *map = lp_value_map();
    const char *key;
    json_t *item;
    json_object_foreach((json_t *)(uintptr_t)j, key, item)
    {
        lp_value *v = map ? lp_value_from_json(item) : NULL;
        if (!v || lp_map_set(map, key, v) != 0) {
            lp_value_unref(map);
            return NULL;
        }
    }
    return map;
}

static lp_value *scalar_value(const json_t *j)
{
    switch (json_typeof(j)) {
    case JSON_STRING:
        return lp_value_stringn(json_string_value(j), json_string_length(j));
    case JSON_INTEGER:
        return lp_value_int((int64_t)json_integer_value(j));
    case JSON_REAL:
        return lp_value_float(json_real_value(j));
    case JSON_TRUE:
        return lp_value_bool(true);
    case JSON_FALSE:
        return lp_value_bool(false);
    default:
        return lp_value_null();
    }
}

lp_value *lp_value_from_json(const json_t *j)
{
    lp_value *v = json_is_object(j)  ? object_value(j)
                  : json_is_array(j) ? array_value(j)
                                     : scalar_value(j);
    if (!v) lp_error_set(LP_ENOMEM, "out of memory converting JSON to a value");
    return v;
}
