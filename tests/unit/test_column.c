/* Unit tests for columns (frame.h): allocation, builders, access, take, cast, type names. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lolpop/error.h"
#include "lolpop/frame.h"

static lp_column *strings(const char *const *v, size_t n, lp_dtype t)
{
    lp_column_builder *b = lp_column_builder_new(t, 2);
    for (size_t i = 0; i < n; i++) {
        if (v[i])
            cr_assert_eq(lp_column_builder_append_str(b, v[i], strlen(v[i])), 0);
        else
            cr_assert_eq(lp_column_builder_append_null(b), 0);
    }
    lp_column *c = lp_column_builder_finish(b);
    cr_assert_not_null(c);
    return c;
}

static void assert_str(const lp_column *c, size_t i, const char *want)
{
    size_t len;
    const char *s = lp_column_str(c, i, &len);
    if (!want) {
        cr_assert_null(s, "row %zu should be missing", i);
        return;
    }
    cr_assert_not_null(s, "row %zu should be '%s'", i, want);
    cr_assert_eq(len, strlen(want), "row %zu length", i);
    cr_assert_eq(memcmp(s, want, len), 0, "row %zu: got '%.*s' want '%s'", i, (int)len, s, want);
}

static const char *errmsg(void)
{
    return lp_error_last()->message;
}

Test(column, dtype_names_round_trip)
{
    for (int t = LP_DT_FLOAT64; t <= LP_DT_TIMESTAMP; t++) {
        lp_dtype back;
        cr_assert_eq(lp_dtype_parse(lp_dtype_name((lp_dtype)t), &back), 0);
        cr_assert_eq(back, (lp_dtype)t);
    }
    lp_dtype t;
    cr_assert_eq(lp_dtype_parse("float", &t), 0);
    cr_assert_eq(t, LP_DT_FLOAT64);
    cr_assert_eq(lp_dtype_parse("INT", &t), 0);
    cr_assert_eq(t, LP_DT_INT64);
    cr_assert_eq(lp_dtype_parse("str", &t), 0);
    cr_assert_eq(t, LP_DT_STRING);
    cr_assert_eq(lp_dtype_parse("datetime", &t), 0);
    cr_assert_eq(t, LP_DT_TIMESTAMP);
    cr_assert_eq(lp_dtype_parse("flaot64", &t), LP_EINVAL);
    cr_assert(strstr(errmsg(), "did you mean 'float64'"), "%s", errmsg());
    cr_assert_str_eq(lp_dtype_name(LP_DT_CATEGORY), "category");
}

Test(column, new_is_zeroed_and_valid)
{
    lp_column *c = lp_column_new(LP_DT_FLOAT64, 10);
    cr_assert_eq(c->length, 10);
    cr_assert_null(c->validity);
    cr_assert_eq(c->null_count, 0);
    for (size_t i = 0; i < 10; i++)
        cr_assert_eq(c->data.f64[i], 0.0);
    cr_assert_eq(lp_column_set_null(c, 3), 0);
    cr_assert_eq(lp_column_set_null(c, 3), 0, "setting twice counts once");
    cr_assert_eq(c->null_count, 1);
    cr_assert_not(lp_column_is_valid(c, 3));
    cr_assert(lp_column_is_valid(c, 4));
    cr_assert(isnan(lp_column_get_f64(c, 3)));
    cr_assert_neq(lp_column_set_null(c, 10), 0, "out of range is an error");
    lp_column_unref(c);

    lp_column *s = lp_column_new(LP_DT_STRING, 3);
    assert_str(s, 1, "");
    lp_column_unref(s);
    lp_column *k = lp_column_new(LP_DT_CATEGORY, 0);
    cr_assert_eq(k->data.cat.dict->length, 0);
    lp_column_unref(k);
}

Test(column, to_f64_widens_every_value_and_keeps_missing_as_nan)
{
    lp_column *c = lp_column_new(LP_DT_INT64, 3);
    c->data.i64[0] = -2;
    c->data.i64[2] = 5;
    cr_assert_eq(lp_column_set_null(c, 1), 0);
    double *v = lp_column_to_f64(c);
    cr_assert_not_null(v);
    cr_assert_eq(v[0], -2.0);
    cr_assert(isnan(v[1]));
    cr_assert_eq(v[2], 5.0);
    free(v);
    lp_column_unref(c);
    lp_column *s = lp_column_new(LP_DT_STRING, 1);
    v = lp_column_to_f64(s);
    cr_assert(v && isnan(v[0]), "text is not a number");
    free(v);
    lp_column_unref(s);
}

Test(column, refcount_keeps_column_alive)
{
    lp_column *c = lp_column_new(LP_DT_INT64, 2);
    c->data.i64[1] = 7;
    cr_assert_eq(lp_column_ref(c), c);
    lp_column_unref(c);
    cr_assert_eq(c->data.i64[1], 7);
    lp_column_unref(c);
}

Test(column, numeric_builders_grow_and_track_nulls)
{
    lp_column_builder *b = lp_column_builder_new(LP_DT_INT64, 1);
    for (int64_t i = 0; i < 1000; i++) {
        if (i % 7 == 0)
            cr_assert_eq(lp_column_builder_append_null(b), 0);
        else
            cr_assert_eq(lp_column_builder_append_i64(b, i * 3), 0);
    }
    cr_assert_neq(lp_column_builder_append_f64(b, 1.0), 0, "wrong type rejected");
    lp_column *c = lp_column_builder_finish(b);
    cr_assert_eq(c->length, 1000);
    cr_assert_eq(c->null_count, 143);
    cr_assert_not(lp_column_is_valid(c, 700));
    cr_assert_eq(c->data.i64[701], 2103);
    cr_assert_float_eq(lp_column_get_f64(c, 999), 2997.0, 0);
    lp_column_unref(c);

    b = lp_column_builder_new(LP_DT_BOOL, 0);
    lp_column_builder_append_bool(b, true);
    lp_column_builder_append_bool(b, false);
    c = lp_column_builder_finish(b);
    cr_assert_null(c->validity, "no nulls → no bitmap");
    cr_assert_eq(c->data.b8[0], 1);
    cr_assert_float_eq(lp_column_get_f64(c, 1), 0.0, 0);
    lp_column_unref(c);
}

Test(column, string_builder_and_access)
{
    const char *v[] = {"alpha", "", NULL, "héllo wörld", "x"};
    lp_column *c = strings(v, 5, LP_DT_STRING);
    cr_assert_eq(c->type, LP_DT_STRING);
    cr_assert_eq(c->null_count, 1);
    for (size_t i = 0; i < 5; i++)
        assert_str(c, i, v[i]);
    cr_assert(isnan(lp_column_get_f64(c, 0)), "strings are not numbers");
    lp_column_unref(c);
}

Test(column, category_dictionary_in_first_appearance_order)
{
    const char *v[] = {"b", "a", "b", NULL, "c", "a"};
    lp_column *c = strings(v, 6, LP_DT_CATEGORY);
    cr_assert_eq(c->data.cat.dict->length, 3);
    assert_str(c->data.cat.dict, 0, "b");
    assert_str(c->data.cat.dict, 1, "a");
    assert_str(c->data.cat.dict, 2, "c");
    int32_t want[] = {0, 1, 0, -1, 2, 1};
    for (size_t i = 0; i < 6; i++) {
        if (want[i] >= 0) cr_assert_eq(c->data.cat.codes[i], want[i]);
        assert_str(c, i, v[i]);
    }
    lp_column_unref(c);
}

Test(column, category_builder_many_distinct_values)
{
    lp_column_builder *b = lp_column_builder_new(LP_DT_CATEGORY, 0);
    char buf[32];
    for (int i = 0; i < 5000; i++) {
        int n = snprintf(buf, sizeof buf, "value-%d", i % 2500);
        cr_assert_eq(lp_column_builder_append_str(b, buf, (size_t)n), 0);
    }
    lp_column *c = lp_column_builder_finish(b);
    cr_assert_eq(c->data.cat.dict->length, 2500);
    cr_assert_eq(c->data.cat.codes[4999], 2499);
    assert_str(c, 2501, "value-1");
    lp_column_unref(c);
}

Test(column, take_repeats_and_keeps_validity)
{
    const char *v[] = {"a", NULL, "ccc"};
    lp_column *s = strings(v, 3, LP_DT_STRING);
    size_t idx[] = {2, 2, 1, 0};
    lp_column *t = lp_column_take(s, idx, 4);
    assert_str(t, 0, "ccc");
    assert_str(t, 1, "ccc");
    assert_str(t, 2, NULL);
    assert_str(t, 3, "a");
    cr_assert_eq(t->null_count, 1);
    lp_column_unref(t);

    size_t only_valid[] = {0, 2};
    t = lp_column_take(s, only_valid, 2);
    cr_assert_null(t->validity, "no missing rows taken → no bitmap");
    lp_column_unref(t);

    size_t bad[] = {3};
    cr_assert_null(lp_column_take(s, bad, 1));
    cr_assert(strstr(errmsg(), "out of range"), "%s", errmsg());

    lp_column *k = strings(v, 3, LP_DT_CATEGORY);
    t = lp_column_take(k, idx, 4);
    cr_assert_eq(t->data.cat.dict, k->data.cat.dict, "dictionary is shared");
    assert_str(t, 0, "ccc");
    assert_str(t, 2, NULL);
    lp_column_unref(t);
    lp_column_unref(k);

    t = lp_column_take(s, NULL, 0);
    cr_assert_eq(t->length, 0);
    lp_column_unref(t);
    lp_column_unref(s);
}

Test(column, cast_string_to_numbers)
{
    const char *v[] = {"1", " -42 ", "", NULL, "9007199254740993"};
    lp_column *s = strings(v, 5, LP_DT_STRING), *c = NULL;
    cr_assert_eq(lp_column_cast(&c, s, LP_DT_INT64), 0, "%s", errmsg());
    cr_assert_eq(c->data.i64[0], 1);
    cr_assert_eq(c->data.i64[1], -42);
    cr_assert_not(lp_column_is_valid(c, 2), "empty string → missing");
    cr_assert_not(lp_column_is_valid(c, 3));
    cr_assert_eq(c->data.i64[4], 9007199254740993LL);
    cr_assert_eq(c->null_count, 2);
    lp_column_unref(c);
    cr_assert_eq(lp_column_cast(&c, s, LP_DT_FLOAT64), 0);
    cr_assert_float_eq(c->data.f64[1], -42.0, 0);
    lp_column_unref(c);
    lp_column_unref(s);

    const char *f[] = {"1.5", "2e3", "nan", "-inf"};
    s = strings(f, 4, LP_DT_CATEGORY);
    cr_assert_eq(lp_column_cast(&c, s, LP_DT_FLOAT64), 0);
    cr_assert_float_eq(c->data.f64[0], 1.5, 0);
    cr_assert_float_eq(c->data.f64[1], 2000.0, 0);
    cr_assert(isnan(c->data.f64[2]) && lp_column_is_valid(c, 2), "NaN text is a valid NaN");
    cr_assert(isinf(c->data.f64[3]) && c->data.f64[3] < 0);
    lp_column_unref(c);
    lp_column_unref(s);
}

Test(column, cast_errors_name_row_and_value)
{
    const char *v[] = {"1", "2", "3x"};
    lp_column *s = strings(v, 3, LP_DT_STRING), *c = (lp_column *)1;
    cr_assert_eq(lp_column_cast(&c, s, LP_DT_INT64), LP_EINVAL);
    cr_assert_null(c);
    cr_assert(strstr(errmsg(), "row 3"), "%s", errmsg());
    cr_assert(strstr(errmsg(), "'3x'"), "%s", errmsg());
    cr_assert(strstr(errmsg(), "int64"), "%s", errmsg());
    lp_column_unref(s);

    const char *k[] = {"true", "maybe", "maybe"};
    s = strings(k, 3, LP_DT_CATEGORY);
    cr_assert_eq(lp_column_cast(&c, s, LP_DT_BOOL), LP_EINVAL);
    cr_assert(strstr(errmsg(), "row 2: cannot convert 'maybe' to bool"), "%s", errmsg());
    lp_column_unref(s);

    const char *big[] = {"99999999999999999999"};
    s = strings(big, 1, LP_DT_STRING);
    cr_assert_eq(lp_column_cast(&c, s, LP_DT_INT64), LP_EINVAL, "overflow is an error");
    lp_column_unref(s);

    lp_column *fl = lp_column_new(LP_DT_FLOAT64, 2);
    fl->data.f64[0] = 3.0;
    fl->data.f64[1] = 3.5;
    cr_assert_eq(lp_column_cast(&c, fl, LP_DT_INT64), LP_EINVAL, "3.5 is not an int64");
    cr_assert(strstr(errmsg(), "row 2"), "%s", errmsg());
    lp_column_unref(fl);
}

Test(column, cast_bool_and_timestamp_text)
{
    const char *b[] = {"TRUE", "no", "1", "F"};
    lp_column *s = strings(b, 4, LP_DT_STRING), *c;
    cr_assert_eq(lp_column_cast(&c, s, LP_DT_BOOL), 0);
    cr_assert_eq(c->data.b8[0], 1);
    cr_assert_eq(c->data.b8[1], 0);
    cr_assert_eq(c->data.b8[2], 1);
    cr_assert_eq(c->data.b8[3], 0);
    lp_column_unref(c);
    lp_column_unref(s);

    /* expected values: Python datetime(...).replace(tzinfo=utc).timestamp() * 1e6 */
    const char *t[] = {"1970-01-01", "2024-02-29T12:34:56.5Z", "2000-01-01 00:00:00+01:00",
                       "1969-12-31T23:59:59"};
    s = strings(t, 4, LP_DT_STRING);
    cr_assert_eq(lp_column_cast(&c, s, LP_DT_TIMESTAMP), 0, "%s", errmsg());
    cr_assert_eq(c->data.i64[0], 0);
    cr_assert_eq(c->data.i64[1], 1709210096500000LL);
    cr_assert_eq(c->data.i64[2], 946681200000000LL);
    cr_assert_eq(c->data.i64[3], -1000000LL);
    lp_column *back;
    cr_assert_eq(lp_column_cast(&back, c, LP_DT_STRING), 0);
    assert_str(back, 0, "1970-01-01T00:00:00");
    assert_str(back, 1, "2024-02-29T12:34:56.500000");
    assert_str(back, 3, "1969-12-31T23:59:59");
    lp_column_unref(back);
    cr_assert_eq(lp_column_cast(&back, c, LP_DT_FLOAT64), 0);
    cr_assert_float_eq(back->data.f64[1], 1709210096.5, 1e-6, "timestamp → seconds");
    lp_column_unref(back);
    lp_column_unref(c);
    lp_column_unref(s);

    const char *bad[] = {"2023-02-29"};
    s = strings(bad, 1, LP_DT_STRING);
    cr_assert_eq(lp_column_cast(&c, s, LP_DT_TIMESTAMP), LP_EINVAL, "not a leap year");
    cr_assert(strstr(errmsg(), "row 1: cannot convert '2023-02-29' to timestamp"), "%s", errmsg());
    lp_column_unref(s);
}

Test(column, cast_numbers_and_to_string)
{
    lp_column_builder *b = lp_column_builder_new(LP_DT_INT64, 4);
    lp_column_builder_append_i64(b, 3);
    lp_column_builder_append_null(b);
    lp_column_builder_append_i64(b, -7);
    lp_column *i = lp_column_builder_finish(b), *c;
    cr_assert_eq(lp_column_cast(&c, i, LP_DT_FLOAT64), 0);
    cr_assert_float_eq(c->data.f64[2], -7.0, 0);
    cr_assert_not(lp_column_is_valid(c, 1), "missing stays missing");
    lp_column *s;
    cr_assert_eq(lp_column_cast(&s, c, LP_DT_STRING), 0);
    assert_str(s, 0, "3");
    assert_str(s, 1, NULL);
    lp_column_unref(s);
    lp_column_unref(c);
    cr_assert_eq(lp_column_cast(&c, i, LP_DT_BOOL), LP_EINVAL, "3 is not a bool");
    cr_assert(strstr(errmsg(), "row 1: cannot convert int64 value 3 to bool"), "%s", errmsg());
    cr_assert_eq(lp_column_cast(&c, i, LP_DT_INT64), 0);
    cr_assert_eq(c, i, "same type shares the column");
    lp_column_unref(c);
    lp_column_unref(i);

    lp_column *f = lp_column_new(LP_DT_FLOAT64, 3);
    f->data.f64[0] = 0.1;
    f->data.f64[1] = 1e300;
    f->data.f64[2] = 2.0 / 3.0;
    cr_assert_eq(lp_column_cast(&s, f, LP_DT_STRING), 0);
    assert_str(s, 0, "0.1");
    assert_str(s, 1, "1e+300");
    size_t len;
    const char *txt = lp_column_str(s, 2, &len);
    char buf[40];
    memcpy(buf, txt, len);
    buf[len] = 0;
    cr_assert_eq(strtod(buf, NULL), 2.0 / 3.0, "formatting round-trips exactly");
    lp_column *k;
    cr_assert_eq(lp_column_cast(&k, s, LP_DT_CATEGORY), 0);
    cr_assert_eq(k->type, LP_DT_CATEGORY);
    assert_str(k, 0, "0.1");
    lp_column *s2;
    cr_assert_eq(lp_column_cast(&s2, k, LP_DT_STRING), 0);
    assert_str(s2, 1, "1e+300");
    lp_column_unref(s2);
    lp_column_unref(k);
    lp_column_unref(s);
    lp_column_unref(f);

    lp_column *bo = lp_column_new(LP_DT_BOOL, 2);
    bo->data.b8[1] = 1;
    cr_assert_eq(lp_column_cast(&s, bo, LP_DT_STRING), 0);
    assert_str(s, 0, "false");
    assert_str(s, 1, "true");
    lp_column_unref(s);
    cr_assert_eq(lp_column_cast(&c, bo, LP_DT_TIMESTAMP), LP_EINVAL);
    lp_column_unref(bo);
}

Test(column, empty_and_all_missing_columns)
{
    lp_column_builder *b = lp_column_builder_new(LP_DT_STRING, 0);
    lp_column *e = lp_column_builder_finish(b), *c;
    cr_assert_eq(e->length, 0);
    cr_assert_eq(lp_column_cast(&c, e, LP_DT_FLOAT64), 0);
    cr_assert_eq(c->length, 0);
    lp_column_unref(c);
    lp_column_unref(e);

    b = lp_column_builder_new(LP_DT_CATEGORY, 0);
    for (int i = 0; i < 20; i++)
        lp_column_builder_append_null(b);
    c = lp_column_builder_finish(b);
    cr_assert_eq(c->null_count, 20);
    cr_assert_eq(c->data.cat.dict->length, 0);
    lp_column *f;
    cr_assert_eq(lp_column_cast(&f, c, LP_DT_FLOAT64), 0);
    cr_assert_eq(f->null_count, 20);
    lp_column_unref(f);
    lp_column_unref(c);
}
