/* Unit tests for value.h: construction, containers, ownership, equality, rendering. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lolpop/error.h"
#include "lolpop/value.h"

Test(value, scalars_keep_type_and_payload)
{
    lp_value *b = lp_value_bool(true), *i = lp_value_int(-42), *f = lp_value_float(2.5);
    lp_value *s = lp_value_string("héllo"), *n = lp_value_null();
    cr_assert_eq(lp_value_type(b), LP_BOOL);
    cr_assert(lp_value_as_bool(b));
    cr_assert_eq(lp_value_as_int(i), -42);
    cr_assert_float_eq(lp_value_as_float(f), 2.5, 0);
    cr_assert_float_eq(lp_value_as_float(i), -42.0, 0, "ints widen to float");
    cr_assert_str_eq(lp_value_as_string(s), "héllo");
    cr_assert_eq(lp_value_string_len(s), strlen("héllo"));
    cr_assert_eq(lp_value_type(n), LP_NULL);
    cr_assert_null(lp_value_as_string(i), "type mismatch gives NULL");
    cr_assert_eq(lp_value_type(NULL), LP_NULL);
    lp_value_unref(b), lp_value_unref(i), lp_value_unref(f), lp_value_unref(s), lp_value_unref(n);
}

Test(value, stringn_holds_embedded_nul)
{
    lp_value *s = lp_value_stringn("a\0b", 3);
    cr_assert_eq(lp_value_string_len(s), 3);
    cr_assert_eq(memcmp(lp_value_as_string(s), "a\0b", 4), 0);
    lp_value_unref(s);
}

Test(value, list_append_get_set)
{
    lp_value *l = lp_value_list();
    for (int k = 0; k < 100; k++)
        cr_assert_eq(lp_list_append(l, lp_value_int(k)), 0);
    cr_assert_eq(lp_list_len(l), 100);
    cr_assert_eq(lp_value_as_int(lp_list_get(l, 57)), 57);
    cr_assert_null(lp_list_get(l, 100));
    cr_assert_eq(lp_list_set(l, 3, lp_value_string("x")), 0);
    cr_assert_str_eq(lp_value_as_string(lp_list_get(l, 3)), "x");
    cr_assert_neq(lp_list_set(l, 500, lp_value_int(1)), 0, "out of range fails (and frees item)");
    lp_value_unref(l);
}

Test(value, map_is_ordered_and_case_insensitive)
{
    lp_value *m = lp_value_map();
    lp_map_set(m, "Model_Target", lp_value_string("survived"));
    lp_map_set(m, "alpha", lp_value_int(1));
    lp_map_set(m, "beta", lp_value_int(2));
    cr_assert_eq(lp_map_len(m), 3);
    cr_assert_str_eq(lp_value_as_string(lp_map_get(m, "model_target")), "survived");
    lp_map_set(m, "MODEL_TARGET", lp_value_string("alive"));
    cr_assert_eq(lp_map_len(m), 3, "replacing keeps one entry");
    cr_assert_str_eq(lp_map_key(m, 0), "Model_Target", "original spelling and position kept");
    cr_assert_str_eq(lp_value_as_string(lp_map_value(m, 0)), "alive");
    cr_assert(lp_map_remove(m, "ALPHA"));
    cr_assert_not(lp_map_remove(m, "alpha"));
    cr_assert_str_eq(lp_map_key(m, 1), "beta");
    cr_assert_null(lp_map_get(m, "gamma"));
    lp_value_unref(m);
}

Test(value, refcount_shares_until_last_unref)
{
    lp_value *s = lp_value_string("shared");
    lp_value *l = lp_value_list();
    lp_list_append(l, lp_value_ref(s));
    lp_value_unref(l);
    cr_assert_str_eq(lp_value_as_string(s), "shared", "still alive after container freed");
    lp_value_unref(s);
}

static int freed;
static void count_free(void *p)
{
    freed++;
    free(p);
}
static char *describe_thing(void *p)
{
    return strdup(p);
}
static const lp_handle_type thing_type = {"thing", count_free, NULL, describe_thing};
static const lp_handle_type other_type = {"other", NULL, NULL, NULL};

Test(value, handles_free_once_and_check_type)
{
    freed = 0;
    lp_value *h = lp_value_handle(&thing_type, strdup("t1"));
    cr_assert_str_eq(lp_value_handle_ptr(h, &thing_type), "t1");
    cr_assert_null(lp_value_handle_ptr(h, &other_type));
    lp_value *c = lp_value_copy(h);
    cr_assert_eq(c, h, "handles are shared by reference on copy");
    char *s = lp_value_to_string(h);
    cr_assert_str_eq(s, "<thing: t1>");
    free(s);
    lp_value_unref(c);
    cr_assert_eq(freed, 0);
    lp_value_unref(h);
    cr_assert_eq(freed, 1);
}

/* A handle type of an ABI this lolpop does not read: refused, the pointer
 * freed with the type's free (its place is the same in every layout). */
Test(value, handle_type_of_an_unknown_abi_is_refused)
{
    static const lp_handle_type future = {.name = "future", .free = count_free, .abi_version = 3};
    static const lp_handle_type current = {.name = "now", .abi_version = LP_ABI_VERSION};
    freed = 0;
    cr_assert_null(lp_value_handle(&future, strdup("x")));
    cr_assert_eq(freed, 1);
    cr_assert_eq(lp_error_last()->code, LP_EINVAL);
    cr_assert_str_eq(lp_error_last()->message,
                     "handle type 'future' was written for lolpop ABI 3, this lolpop has ABI 2");
    int x = 0;
    lp_value *h = lp_value_handle(&current, &x);
    cr_assert_eq(lp_value_handle_ptr(h, &current), &x);
    lp_value_unref(h);
}

Test(value, deep_copy_is_independent_and_keeps_origins)
{
    lp_origin o = {LP_ORIGIN_FILE, lp_origin_intern("a.yaml"), 3, 7, 0};
    lp_value *m = lp_value_map(), *inner = lp_value_list();
    lp_value *item = lp_value_int(1);
    lp_value_set_origin(item, &o);
    lp_list_append(inner, item);
    lp_map_set_with_origin(m, "k", &o, inner);
    lp_value *c = lp_value_copy(m);
    cr_assert(lp_value_equal(m, c));
    lp_list_append(inner, lp_value_int(2));
    cr_assert_not(lp_value_equal(m, c), "mutating original does not touch the copy");
    const lp_origin *co = lp_value_origin(lp_list_get(lp_map_get(c, "k"), 0));
    cr_assert_eq(co->line, 3);
    cr_assert_eq(co->col, 7);
    cr_assert_str_eq(co->source, "a.yaml");
    cr_assert_eq(lp_map_key_origin(c, 0)->line, 3);
    lp_value_unref(m);
    lp_value_unref(c);
}

Test(value, equality_compares_numbers_by_value)
{
    lp_value *i = lp_value_int(3), *f = lp_value_float(3.0), *g = lp_value_float(3.5);
    cr_assert(lp_value_equal(i, f));
    cr_assert_not(lp_value_equal(i, g));
    lp_value *s = lp_value_string("3");
    cr_assert_not(lp_value_equal(i, s));
    lp_value_unref(i), lp_value_unref(f), lp_value_unref(g), lp_value_unref(s);
}

Test(value, to_string_renders_json_like)
{
    lp_value *m = lp_value_map();
    lp_map_set(m, "a", lp_value_int(1));
    lp_map_set(m, "b", lp_value_float(0.1));
    lp_map_set(m, "c", lp_value_string("q\"\n"));
    lp_value *l = lp_value_list();
    lp_list_append(l, lp_value_bool(false));
    lp_list_append(l, lp_value_null());
    lp_list_append(l, lp_value_float(2.0));
    lp_map_set(m, "d", l);
    char *s = lp_value_to_string(m);
    cr_assert_str_eq(s, "{\"a\": 1, \"b\": 0.1, \"c\": \"q\\\"\\n\", \"d\": [false, null, 2.0]}");
    free(s);
    lp_value_unref(m);
}

Test(value, origin_format_and_intern)
{
    const char *a = lp_origin_intern("x.yaml"), *b = lp_origin_intern("x.yaml");
    cr_assert_eq(a, b, "interning is idempotent");
    lp_origin f = {LP_ORIGIN_FILE, a, 12, 5, 0}, e = {LP_ORIGIN_ENV, "HOME", 0, 0, 0};
    lp_origin d = {LP_ORIGIN_DEFAULT, "StdOutLogger", 0, 0, 0};
    char *s1 = lp_origin_format(&f), *s2 = lp_origin_format(&e), *s3 = lp_origin_format(&d);
    cr_assert_str_eq(s1, "x.yaml:12:5");
    cr_assert_str_eq(s2, "env HOME");
    cr_assert_str_eq(s3, "default (StdOutLogger)");
    free(s1), free(s2), free(s3);
}

Test(value, float_rendering_round_trips)
{
    double vals[] = {1.0 / 3.0, 1e300, -0.5, 123456789.125};
    for (size_t k = 0; k < 4; k++) {
        lp_value *v = lp_value_float(vals[k]);
        char *s = lp_value_to_string(v);
        cr_assert_eq(strtod(s, NULL), vals[k], "%s", s);
        free(s);
        lp_value_unref(v);
    }
    lp_value *n = lp_value_float(NAN);
    char *s = lp_value_to_string(n);
    cr_assert_str_eq(s, "nan");
    free(s);
    lp_value_unref(n);
}

/* A generated or hostile config can hold hundreds of thousands of keys in one
 * section; a map must stay correct (order, case, overwrite, remove) and build
 * in linear time. With a linear key search this test takes minutes and hits
 * the suite's timeout. */
Test(value, big_map_is_indexed_and_stays_consistent)
{
    enum { N = 200000 };
    lp_value *m = lp_value_map();
    char key[32];
    for (int i = 0; i < N; i++) {
        snprintf(key, sizeof key, "Key%d", i);
        cr_assert_eq(lp_map_set(m, key, lp_value_int(i)), 0);
    }
    cr_assert_eq(lp_map_len(m), N);
    for (int i = 0; i < N; i += 997) {
        snprintf(key, sizeof key, "kEY%d", i);
        cr_assert_eq(lp_value_as_int(lp_map_get(m, key)), i, "%s", key);
        cr_assert_str_eq(lp_map_key(m, (size_t)i), (snprintf(key, sizeof key, "Key%d", i), key));
    }
    cr_assert_null(lp_map_get(m, "key200000"));
    cr_assert_eq(lp_map_set(m, "KEY5", lp_value_int(-5)), 0, "overwrite, not append");
    cr_assert_eq(lp_map_len(m), N);
    cr_assert_eq(lp_value_as_int(lp_map_get(m, "key5")), -5);
    cr_assert(lp_map_remove(m, "key0"));
    cr_assert_eq(lp_map_len(m), N - 1);
    cr_assert_null(lp_map_get(m, "Key0"));
    cr_assert_eq(lp_value_as_int(lp_map_get(m, "key199999")), 199999, "index follows the shift");
    cr_assert_str_eq(lp_map_key(m, 0), "Key1");
    lp_value *c = lp_value_copy(m);
    cr_assert(lp_value_equal(c, m));
    lp_value_unref(c);
    lp_value_unref(m);
}

/* ---- JSON (core/value_json.h) -------------------------------------------------------- */

#include "core/value_json.h"

static char *dump(json_t *j)
{
    char *text = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
    json_decref(j);
    return text;
}

Test(value_json, round_trip_keeps_types_and_order)
{
    const char *text = "{\"b\":[1,2.5,\"x\",true,null],\"a\":{\"z\":false,\"y\":-3}}";
    json_error_t err;
    json_t *j = json_loads(text, 0, &err);
    lp_value *v = lp_value_from_json(j);
    json_decref(j);
    cr_assert_eq(lp_value_type(lp_list_get(lp_map_get(v, "b"), 0)), LP_INT);
    cr_assert_eq(lp_value_type(lp_list_get(lp_map_get(v, "b"), 1)), LP_FLOAT);
    cr_assert_str_eq(lp_map_key(v, 0), "b", "object order is kept");
    char *back = dump(lp_json_from_value(v, 0));
    cr_assert_str_eq(back, text);
    free(back);
    lp_value_unref(v);
}

Test(value_json, what_json_cannot_hold)
{
    lp_value *list = lp_value_list();
    lp_list_append(list, lp_value_float(NAN));
    lp_list_append(list, lp_value_float(INFINITY));
    lp_list_append(list, lp_value_stringn("\xff\xfe", 2));
    char *text = dump(lp_json_from_value(list, 0));
    cr_assert_str_eq(text, "[null,null,\"<invalid UTF-8>\"]");
    free(text);
    cr_assert_null(lp_json_from_value(list, LP_JSON_STRICT), "strict refuses NaN");
    lp_value_unref(list);
}

Test(value_json, hide_env_masks_values_from_the_environment)
{
    lp_value *map = lp_value_map();
    lp_value *secret = lp_value_string("hunter2");
    lp_origin o = {0};
    o.kind = LP_ORIGIN_ENV;
    o.from_env = 1;
    lp_value_set_origin(secret, &o);
    lp_map_set(map, "password", secret);
    lp_map_set(map, "user", lp_value_string("ada"));
    char *shown = dump(lp_json_from_value(map, LP_JSON_HIDE_ENV));
    cr_assert_str_eq(shown, "{\"password\":\"***\",\"user\":\"ada\"}");
    free(shown);
    char *plain = dump(lp_json_from_value(map, 0));
    cr_assert(strstr(plain, "hunter2"));
    free(plain);
    lp_value_unref(map);
}
