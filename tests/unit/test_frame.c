/* Unit tests for frames (frame.h): construction, column and row operations, sort,
 * concat, join, content hash, matrix conversion and frame values. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lolpop/error.h"
#include "lolpop/frame.h"
#include "lolpop/value.h"

#define NA_I INT64_MIN /* marks a missing int in test data */

/* Expected results computed by pandas: tests/fixtures/gen_frame_ops.py → frame/ops.txt. */
#define OPS_FIXTURE LP_TEST_DATA_DIR "/../../fixtures/frame/ops.txt"

/* The whitespace-separated values of fixture line `name` (new string; free it). */
static char *fixture_line(const char *name)
{
    FILE *fp = fopen(OPS_FIXTURE, "r");
    cr_assert_not_null(fp, "cannot open %s", OPS_FIXTURE);
    char line[1024];
    size_t n = strlen(name);
    while (fgets(line, sizeof line, fp)) {
        if (strncmp(line, name, n) == 0 && line[n] == ' ') {
            fclose(fp);
            line[strcspn(line, "\n")] = 0;
            return strdup(line + n + 1);
        }
    }
    fclose(fp);
    cr_assert_fail("fixture line %s not found", name);
    return NULL;
}

/* Fixture values as ints (NA → NA_I); returns the count. */
static size_t fixture_ints(const char *name, int64_t *out, size_t max)
{
    char *line = fixture_line(name), *save = NULL;
    size_t n = 0;
    for (char *t = strtok_r(line, " ", &save); t && n < max; t = strtok_r(NULL, " ", &save))
        out[n++] = strcmp(t, "NA") == 0 ? NA_I : strtoll(t, NULL, 10);
    free(line);
    return n;
}

/* Fixture values as strings (NA → NULL) in storage; returns the count. */
static size_t fixture_texts(const char *name, char storage[][16], const char **out, size_t max)
{
    char *line = fixture_line(name), *save = NULL;
    size_t n = 0;
    for (char *t = strtok_r(line, " ", &save); t && n < max; t = strtok_r(NULL, " ", &save)) {
        snprintf(storage[n], 16, "%s", t);
        out[n] = strcmp(t, "NA") == 0 ? NULL : storage[n];
        n++;
    }
    free(line);
    return n;
}

/* Column `col` of f equals the ints of fixture line `name`. */
static void assert_fixture_ints(const lp_frame *f, const char *col, const char *name);
static void assert_fixture_texts(const lp_frame *f, const char *col, const char *name);

static const char *errmsg(void)
{
    return lp_error_last()->message;
}

static lp_column *ints(const int64_t *v, size_t n)
{
    lp_column_builder *b = lp_column_builder_new(LP_DT_INT64, n);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(v[i] == NA_I ? lp_column_builder_append_null(b)
                                  : lp_column_builder_append_i64(b, v[i]),
                     0);
    return lp_column_builder_finish(b);
}

static lp_column *floats(const double *v, const bool *missing, size_t n)
{
    lp_column *c = lp_column_new(LP_DT_FLOAT64, n);
    for (size_t i = 0; i < n; i++) {
        c->data.f64[i] = v[i];
        if (missing && missing[i]) cr_assert_eq(lp_column_set_null(c, i), 0);
    }
    return c;
}

static lp_column *texts(const char *const *v, size_t n, lp_dtype t)
{
    lp_column_builder *b = lp_column_builder_new(t, n);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(v[i] ? lp_column_builder_append_str(b, v[i], strlen(v[i]))
                          : lp_column_builder_append_null(b),
                     0);
    return lp_column_builder_finish(b);
}

static void add(lp_frame *f, const char *name, lp_column *c)
{
    cr_assert_eq(lp_frame_add_column(f, name, c), 0, "%s", errmsg());
}

static void assert_ints(const lp_frame *f, const char *name, const int64_t *want, size_t n)
{
    const lp_column *c = lp_frame_col_by_name(f, name);
    cr_assert_not_null(c, "column %s", name);
    cr_assert_eq(c->length, n, "column %s length %zu != %zu", name, c->length, n);
    for (size_t i = 0; i < n; i++) {
        if (want[i] == NA_I)
            cr_assert_not(lp_column_is_valid(c, i), "%s row %zu should be missing", name, i);
        else {
            cr_assert(lp_column_is_valid(c, i), "%s row %zu should be valid", name, i);
            cr_assert_eq(c->data.i64[i], want[i], "%s row %zu: %lld != %lld", name, i,
                         (long long)c->data.i64[i], (long long)want[i]);
        }
    }
}

static void assert_texts(const lp_frame *f, const char *name, const char *const *want, size_t n)
{
    const lp_column *c = lp_frame_col_by_name(f, name);
    cr_assert_not_null(c, "column %s", name);
    cr_assert_eq(c->length, n);
    for (size_t i = 0; i < n; i++) {
        size_t len;
        const char *s = lp_column_str(c, i, &len);
        if (!want[i]) {
            cr_assert_null(s, "%s row %zu should be missing", name, i);
            continue;
        }
        cr_assert_not_null(s, "%s row %zu should be '%s'", name, i, want[i]);
        cr_assert(len == strlen(want[i]) && memcmp(s, want[i], len) == 0,
                  "%s row %zu: '%.*s' != '%s'", name, i, (int)len, s, want[i]);
    }
}

static void assert_fixture_ints(const lp_frame *f, const char *col, const char *name)
{
    int64_t want[64];
    size_t n = fixture_ints(name, want, 64);
    assert_ints(f, col, want, n);
}

static void assert_fixture_texts(const lp_frame *f, const char *col, const char *name)
{
    char storage[64][16];
    const char *want[64];
    size_t n = fixture_texts(name, storage, want, 64);
    assert_texts(f, col, want, n);
}

/* id: 0..4, name: strings, score: floats with one missing */
static lp_frame *sample(void)
{
    lp_frame *f = lp_frame_new();
    int64_t id[] = {0, 1, 2, 3, 4};
    const char *name[] = {"ann", "bob", NULL, "dan", "eve"};
    double score[] = {1.5, 2.5, 3.5, 0, -1};
    bool miss[] = {false, false, false, true, false};
    add(f, "id", ints(id, 5));
    add(f, "name", texts(name, 5, LP_DT_STRING));
    add(f, "score", floats(score, miss, 5));
    return f;
}

static void hex_of(const lp_frame *f, char out[65])
{
    cr_assert_eq(lp_frame_hash_hex(f, out), 0, "%s", errmsg());
}

/* ---- construction ------------------------------------------------------------ */

Test(frame, empty_frame)
{
    lp_frame *f = lp_frame_new();
    cr_assert_eq(lp_frame_rows(f), 0);
    cr_assert_eq(lp_frame_cols(f), 0);
    cr_assert_null(lp_frame_col(f, 0));
    cr_assert_null(lp_frame_name(f, 0));
    cr_assert_eq(lp_frame_find(f, "x"), -1);
    double *m = NULL;
    cr_assert_eq(lp_frame_to_matrix(&m, f), 0);
    free(m);
    lp_frame_unref(f);
}

Test(frame, add_column_rejects_duplicates_and_length_mismatch)
{
    lp_frame *f = sample();
    cr_assert_eq(lp_frame_rows(f), 5);
    cr_assert_eq(lp_frame_cols(f), 3);
    cr_assert_str_eq(lp_frame_name(f, 1), "name");
    cr_assert_eq(lp_frame_find(f, "score"), 2);
    cr_assert_eq(lp_frame_add_column(f, "id", lp_column_new(LP_DT_INT64, 5)), LP_EEXISTS);
    cr_assert(strstr(errmsg(), "duplicate column name 'id'"), "%s", errmsg());
    cr_assert_eq(lp_frame_add_column(f, "short", lp_column_new(LP_DT_INT64, 4)), LP_EINVAL);
    cr_assert(strstr(errmsg(), "'short' has 4 rows but the frame has 5"), "%s", errmsg());
    lp_frame *g = lp_frame_ref(f);
    cr_assert_neq(lp_frame_add_column(f, "z", lp_column_new(LP_DT_INT64, 5)), 0,
                  "shared frames are immutable");
    lp_frame_unref(g);
    cr_assert_eq(lp_frame_cols(f), 3);
    lp_frame_unref(f);
}

Test(frame, zero_row_columns)
{
    lp_frame *f = lp_frame_new();
    add(f, "a", lp_column_new(LP_DT_FLOAT64, 0));
    add(f, "b", lp_column_new(LP_DT_STRING, 0));
    cr_assert_eq(lp_frame_rows(f), 0);
    lp_frame *s;
    cr_assert_eq(lp_frame_sort(&s, f, "b", true), 0);
    cr_assert_eq(lp_frame_rows(s), 0);
    lp_frame *c;
    cr_assert_eq(lp_frame_concat(&c, f, s), 0);
    cr_assert_eq(lp_frame_rows(c), 0);
    cr_assert_eq(lp_frame_cols(c), 2);
    lp_frame *j;
    cr_assert_eq(lp_frame_join(&j, f, s, "a", LP_JOIN_LEFT), 0);
    cr_assert_eq(lp_frame_rows(j), 0);
    cr_assert_eq(lp_frame_cols(j), 3);
    lp_frame_unref(j);
    lp_frame_unref(c);
    lp_frame_unref(s);
    lp_frame_unref(f);
}

/* ---- column operations ------------------------------------------------------------ */

Test(frame, select_drop_rename_share_columns)
{
    lp_frame *f = sample(), *s, *d, *r;
    const char *names[] = {"score", "id"};
    cr_assert_eq(lp_frame_select(&s, f, names, 2), 0);
    cr_assert_eq(lp_frame_cols(s), 2);
    cr_assert_str_eq(lp_frame_name(s, 0), "score");
    cr_assert_eq(lp_frame_col(s, 0), lp_frame_col(f, 2), "no copy");
    cr_assert_eq(lp_frame_rows(s), 5);

    const char *dn[] = {"name"};
    cr_assert_eq(lp_frame_drop(&d, f, dn, 1), 0);
    cr_assert_eq(lp_frame_cols(d), 2);
    cr_assert_str_eq(lp_frame_name(d, 1), "score");
    cr_assert_eq(lp_frame_col(d, 1), lp_frame_col(f, 2));

    cr_assert_eq(lp_frame_rename(&r, f, "score", "points"), 0);
    cr_assert_str_eq(lp_frame_name(r, 2), "points");
    cr_assert_eq(lp_frame_col(r, 2), lp_frame_col(f, 2));
    cr_assert_eq(lp_frame_find(f, "score"), 2, "the original is unchanged");
    lp_frame_unref(f);
    cr_assert_eq(lp_frame_col_by_name(r, "points")->data.f64[1], 2.5, "columns outlive frame");
    lp_frame_unref(s);
    lp_frame_unref(d);
    lp_frame_unref(r);
}

Test(frame, unknown_columns_are_errors_with_suggestion)
{
    lp_frame *f = sample(), *o = (lp_frame *)1;
    const char *names[] = {"id", "scroe"};
    cr_assert_eq(lp_frame_select(&o, f, names, 2), LP_ENOTFOUND);
    cr_assert_null(o);
    cr_assert(strstr(errmsg(), "unknown column 'scroe'"), "%s", errmsg());
    cr_assert(strstr(errmsg(), "did you mean 'score'"), "%s", errmsg());
    const char *far[] = {"zzzzzzzzzz"};
    cr_assert_eq(lp_frame_drop(&o, f, far, 1), LP_ENOTFOUND);
    cr_assert(strstr(errmsg(), "columns: 'id', 'name', 'score'"), "%s", errmsg());
    cr_assert_eq(lp_frame_rename(&o, f, "nmae", "x"), LP_ENOTFOUND);
    cr_assert(strstr(errmsg(), "did you mean 'name'"), "%s", errmsg());
    cr_assert_eq(lp_frame_rename(&o, f, "name", "id"), LP_EEXISTS);
    cr_assert_eq(lp_frame_sort(&o, f, "ID", true), LP_ENOTFOUND);
    cr_assert(strstr(errmsg(), "did you mean 'id'"), "%s", errmsg());
    const char *dup[] = {"id", "id"};
    cr_assert_neq(lp_frame_select(&o, f, dup, 2), 0, "duplicate names rejected");
    lp_frame_unref(f);
}

/* ---- row operations ---------------------------------------------------------------- */

Test(frame, take_and_filter)
{
    lp_frame *f = sample(), *t, *g;
    size_t rows[] = {4, 2, 2, 0};
    cr_assert_eq(lp_frame_take(&t, f, rows, 4), 0);
    int64_t ids[] = {4, 2, 2, 0};
    assert_ints(t, "id", ids, 4);
    const char *nm[] = {"eve", NULL, NULL, "ann"};
    assert_texts(t, "name", nm, 4);
    size_t bad[] = {5};
    cr_assert_eq(lp_frame_take(&g, f, bad, 1), LP_EINVAL);
    cr_assert(strstr(errmsg(), "out of range"), "%s", errmsg());

    uint8_t keep[] = {0, 1, 0, 1, 1};
    cr_assert_eq(lp_frame_filter(&g, f, keep), 0);
    int64_t kept[] = {1, 3, 4};
    assert_ints(g, "id", kept, 3);
    const lp_column *sc = lp_frame_col_by_name(g, "score");
    cr_assert_not(lp_column_is_valid(sc, 1));
    cr_assert_float_eq(sc->data.f64[2], -1.0, 0);
    lp_frame_unref(g);
    uint8_t none[5] = {0};
    cr_assert_eq(lp_frame_filter(&g, f, none), 0);
    cr_assert_eq(lp_frame_rows(g), 0);
    cr_assert_eq(lp_frame_cols(g), 3);
    lp_frame_unref(g);
    lp_frame_unref(t);
    lp_frame_unref(f);
}

Test(frame, sort_is_stable_with_missing_last)
{
    lp_frame *f = lp_frame_new(), *s;
    int64_t key[] = {3, NA_I, 1, 3, 1, NA_I, 2, 3};
    int64_t pos[] = {0, 1, 2, 3, 4, 5, 6, 7};
    add(f, "key", ints(key, 8));
    add(f, "pos", ints(pos, 8));
    cr_assert_eq(lp_frame_sort(&s, f, "key", true), 0);
    assert_fixture_ints(s, "pos", "sort_int_asc");
    lp_frame_unref(s);
    cr_assert_eq(lp_frame_sort(&s, f, "key", false), 0);
    assert_fixture_ints(s, "pos", "sort_int_desc");
    lp_frame_unref(s);
    lp_frame_unref(f);
}

Test(frame, sort_large_ties_stay_in_row_order)
{
    enum { N = 5000 };
    int64_t *key = malloc(N * sizeof *key), *pos = malloc(N * sizeof *pos);
    for (int i = 0; i < N; i++)
        key[i] = (i * 7919) % 13, pos[i] = i;
    lp_frame *f = lp_frame_new(), *s;
    add(f, "key", ints(key, N));
    add(f, "pos", ints(pos, N));
    cr_assert_eq(lp_frame_sort(&s, f, "key", false), 0);
    const lp_column *k = lp_frame_col_by_name(s, "key"), *p = lp_frame_col_by_name(s, "pos");
    for (int i = 1; i < N; i++) {
        cr_assert_geq(k->data.i64[i - 1], k->data.i64[i]);
        if (k->data.i64[i - 1] == k->data.i64[i])
            cr_assert_lt(p->data.i64[i - 1], p->data.i64[i], "stable at %d", i);
    }
    lp_frame_unref(s);
    lp_frame_unref(f);
    free(key);
    free(pos);
}

Test(frame, sort_floats_strings_categories_bools)
{
    lp_frame *f = lp_frame_new(), *s;
    double x[] = {2.0, NAN, -1.0, 2.0, 0.5};
    bool mx[] = {false, false, false, false, true};
    const char *t[] = {"b", "ab", NULL, "a", "b"};
    const char *k[] = {"zeta", "alpha", "zeta", NULL, "beta"};
    int64_t pos[] = {0, 1, 2, 3, 4};
    add(f, "x", floats(x, mx, 5));
    add(f, "t", texts(t, 5, LP_DT_STRING));
    add(f, "k", texts(k, 5, LP_DT_CATEGORY));
    add(f, "pos", ints(pos, 5));
    lp_column *b = lp_column_new(LP_DT_BOOL, 5);
    b->data.b8[0] = 1, b->data.b8[3] = 1;
    add(f, "b", b);

    cr_assert_eq(lp_frame_sort(&s, f, "x", true), 0);
    assert_fixture_ints(s, "pos", "sort_float_asc"); /* NaN and missing last, in row order */
    lp_frame_unref(s);
    cr_assert_eq(lp_frame_sort(&s, f, "t", true), 0);
    assert_fixture_ints(s, "pos", "sort_string_asc"); /* bytes: "a" < "ab" < "b" */
    lp_frame_unref(s);
    cr_assert_eq(lp_frame_sort(&s, f, "k", true), 0);
    assert_fixture_ints(s, "pos", "sort_category_asc"); /* by text, not by code */
    lp_frame_unref(s);
    cr_assert_eq(lp_frame_sort(&s, f, "k", false), 0);
    assert_fixture_ints(s, "pos", "sort_category_desc");
    lp_frame_unref(s);
    cr_assert_eq(lp_frame_sort(&s, f, "b", true), 0);
    assert_fixture_ints(s, "pos", "sort_bool_asc");
    lp_frame_unref(s);
    lp_frame_unref(f);
}

Test(frame, sort_all_missing_column_keeps_order)
{
    lp_frame *f = lp_frame_new(), *s;
    int64_t k[] = {NA_I, NA_I, NA_I};
    int64_t pos[] = {0, 1, 2};
    add(f, "k", ints(k, 3));
    add(f, "pos", ints(pos, 3));
    cr_assert_eq(lp_frame_sort(&s, f, "k", false), 0);
    assert_ints(s, "pos", pos, 3);
    lp_frame_unref(s);
    lp_frame_unref(f);
}

/* ---- concat ------------------------------------------------------------------------- */

Test(frame, concat_promotes_types)
{
    lp_frame *a = lp_frame_new(), *b = lp_frame_new(), *c;
    int64_t ai[] = {1, NA_I};
    double bf[] = {2.5};
    add(a, "n", ints(ai, 2));
    add(b, "n", floats(bf, NULL, 1));
    const char *as[] = {"x", "y"};
    const char *bs[] = {NULL};
    add(a, "s", texts(as, 2, LP_DT_CATEGORY));
    add(b, "s", texts(bs, 1, LP_DT_STRING));
    const char *ak[] = {"p", "q"}, *bk[] = {"q"};
    add(a, "k", texts(ak, 2, LP_DT_CATEGORY));
    add(b, "k", texts(bk, 1, LP_DT_CATEGORY));
    cr_assert_eq(lp_frame_concat(&c, a, b), 0, "%s", errmsg());
    cr_assert_eq(lp_frame_rows(c), 3);
    const lp_column *n = lp_frame_col_by_name(c, "n");
    cr_assert_eq(n->type, LP_DT_FLOAT64);
    cr_assert_float_eq(n->data.f64[0], 1.0, 0);
    cr_assert_not(lp_column_is_valid(n, 1));
    cr_assert_float_eq(n->data.f64[2], 2.5, 0);
    cr_assert_eq(lp_frame_col_by_name(c, "s")->type, LP_DT_STRING);
    const char *ws[] = {"x", "y", NULL};
    assert_texts(c, "s", ws, 3);
    const lp_column *k = lp_frame_col_by_name(c, "k");
    cr_assert_eq(k->type, LP_DT_CATEGORY, "two categories stay a category");
    cr_assert_eq(k->data.cat.dict->length, 2, "dictionaries merged");
    const char *wk[] = {"p", "q", "q"};
    assert_texts(c, "k", wk, 3);
    lp_frame_unref(c);
    lp_frame_unref(a);
    lp_frame_unref(b);
}

Test(frame, concat_rejects_different_names_and_types)
{
    lp_frame *a = lp_frame_new(), *b = lp_frame_new(), *c = (lp_frame *)1;
    int64_t v[] = {1};
    add(a, "alpha", ints(v, 1));
    add(b, "beta", ints(v, 1));
    cr_assert_eq(lp_frame_concat(&c, a, b), LP_EINVAL);
    cr_assert_null(c);
    cr_assert(strstr(errmsg(), "'alpha'") && strstr(errmsg(), "'beta'"), "%s", errmsg());
    lp_frame_unref(b);
    b = lp_frame_new();
    const char *s[] = {"x"};
    add(b, "alpha", texts(s, 1, LP_DT_STRING));
    cr_assert_eq(lp_frame_concat(&c, a, b), LP_EINVAL);
    cr_assert(strstr(errmsg(), "'alpha' is int64 in the first frame and string"), "%s", errmsg());
    lp_frame *e = lp_frame_new();
    cr_assert_eq(lp_frame_concat(&c, e, a), 0, "an empty frame is the identity");
    cr_assert_eq(lp_frame_rows(c), 1);
    lp_frame_unref(c);
    lp_frame_unref(e);
    lp_frame_unref(a);
    lp_frame_unref(b);
}

/* ---- join -------------------------------------------------------------------------- */

Test(frame, join_inner_and_left_with_duplicates_and_missing)
{
    lp_frame *l = lp_frame_new(), *r = lp_frame_new(), *j;
    int64_t lk[] = {1, 2, NA_I, 1, 3};
    int64_t lv[] = {10, 20, 30, 40, 50};
    int64_t rk[] = {1, NA_I, 1, 2, 4}; /* the fixture has 7 for NA: pandas matches NA to NA */
    int64_t rv[] = {100, 200, 300, 400, 500};
    add(l, "k", ints(lk, 5));
    add(l, "v", ints(lv, 5));
    add(r, "k", ints(rk, 5));
    add(r, "v", ints(rv, 5));
    cr_assert_eq(lp_frame_join(&j, l, r, "k", LP_JOIN_INNER), 0, "%s", errmsg());
    cr_assert_eq(lp_frame_cols(j), 3);
    cr_assert_str_eq(lp_frame_name(j, 2), "v_right");
    assert_fixture_ints(j, "k", "join_int_inner_k");
    assert_fixture_ints(j, "v", "join_int_inner_v");
    assert_fixture_ints(j, "v_right", "join_int_inner_v_right");
    lp_frame_unref(j);

    cr_assert_eq(lp_frame_join(&j, l, r, "k", LP_JOIN_LEFT), 0);
    assert_fixture_ints(j, "k", "join_int_left_k");
    assert_fixture_ints(j, "v", "join_int_left_v");
    assert_fixture_ints(j, "v_right", "join_int_left_v_right");
    lp_frame_unref(j);
    lp_frame_unref(l);
    lp_frame_unref(r);
}

Test(frame, join_string_and_category_keys)
{
    lp_frame *l = lp_frame_new(), *r = lp_frame_new(), *j;
    const char *lk[] = {"b", "a", NULL, "c", "b"};
    const char *rk[] = {"a", "b", "b", NULL}; /* fixture: "z" (pandas matches NA to NA) */
    int64_t rv[] = {1, 2, 3, 4};
    add(l, "key", texts(lk, 5, LP_DT_CATEGORY));
    add(r, "key", texts(rk, 4, LP_DT_STRING));
    add(r, "val", ints(rv, 4));
    cr_assert_eq(lp_frame_join(&j, l, r, "key", LP_JOIN_LEFT), 0, "%s", errmsg());
    assert_fixture_texts(j, "key", "join_str_left_key");
    assert_fixture_ints(j, "val", "join_str_left_val");
    lp_frame_unref(j);
    cr_assert_eq(lp_frame_join(&j, r, l, "key", LP_JOIN_INNER), 0, "%s", errmsg());
    assert_fixture_texts(j, "key", "join_str_inner_key");
    assert_fixture_ints(j, "val", "join_str_inner_val");
    lp_frame_unref(j);
    lp_frame_unref(l);
    lp_frame_unref(r);
}

Test(frame, join_float_keys_nan_never_matches_and_type_mismatch)
{
    lp_frame *l = lp_frame_new(), *r = lp_frame_new(), *j;
    double lk[] = {NAN, 0.0, 1.5}, rk[] = {NAN, -0.0, 1.5};
    int64_t rv[] = {1, 2, 3};
    add(l, "k", floats(lk, NULL, 3));
    add(r, "k", floats(rk, NULL, 3));
    add(r, "v", ints(rv, 3));
    cr_assert_eq(lp_frame_join(&j, l, r, "k", LP_JOIN_INNER), 0);
    int64_t wv[] = {2, 3};
    assert_ints(j, "v", wv, 2);
    lp_frame_unref(j);
    lp_frame *bad = lp_frame_new();
    int64_t ik[] = {1};
    add(bad, "k", ints(ik, 1));
    cr_assert_eq(lp_frame_join(&j, l, bad, "k", LP_JOIN_INNER), LP_EINVAL);
    cr_assert(strstr(errmsg(), "'k' is float64 on the left and int64"), "%s", errmsg());
    cr_assert_eq(lp_frame_join(&j, l, r, "kk", LP_JOIN_INNER), LP_ENOTFOUND);
    cr_assert(strstr(errmsg(), "did you mean 'k'"), "%s", errmsg());
    lp_frame_unref(bad);
    lp_frame_unref(l);
    lp_frame_unref(r);
}

Test(frame, join_bool_and_timestamp_keys)
{
    lp_frame *l = lp_frame_new(), *r = lp_frame_new(), *j;
    lp_column *lb = lp_column_new(LP_DT_BOOL, 3), *rb = lp_column_new(LP_DT_BOOL, 2);
    lb->data.b8[0] = 1, rb->data.b8[1] = 1;
    lp_column *lt = lp_column_new(LP_DT_TIMESTAMP, 3);
    lt->data.i64[2] = 86400000000LL;
    add(l, "b", lb);
    add(l, "t", lt);
    int64_t rv[] = {7, 8};
    add(r, "b", rb);
    add(r, "v", ints(rv, 2));
    cr_assert_eq(lp_frame_join(&j, l, r, "b", LP_JOIN_INNER), 0);
    int64_t wv[] = {8, 7, 7};
    assert_ints(j, "v", wv, 3);
    lp_frame *tr = lp_frame_new(), *j2;
    lp_column *rt = lp_column_new(LP_DT_TIMESTAMP, 1);
    rt->data.i64[0] = 86400000000LL;
    add(tr, "t", rt);
    int64_t one[] = {99};
    add(tr, "w", ints(one, 1));
    cr_assert_eq(lp_frame_join(&j2, l, tr, "t", LP_JOIN_LEFT), 0);
    int64_t ww[] = {NA_I, NA_I, 99};
    assert_ints(j2, "w", ww, 3);
    lp_frame_unref(j2);
    lp_frame_unref(tr);
    lp_frame_unref(j);
    lp_frame_unref(l);
    lp_frame_unref(r);
}

/* ---- hash ----------------------------------------------------------------------------- */

Test(frame, hash_ignores_sharing_and_dictionary_order)
{
    lp_frame *f = sample(), *g = lp_frame_new();
    char h1[65], h2[65];
    hex_of(f, h1);
    cr_assert_eq(strlen(h1), 64);
    /* the same content built differently: copied columns, bitmap vs none */
    size_t all[] = {0, 1, 2, 3, 4};
    lp_frame *t;
    cr_assert_eq(lp_frame_take(&t, f, all, 5), 0);
    hex_of(t, h2);
    cr_assert_str_eq(h1, h2);
    const char *names[] = {"id", "name", "score"};
    lp_frame *s;
    cr_assert_eq(lp_frame_select(&s, f, names, 3), 0);
    hex_of(s, h2);
    cr_assert_str_eq(h1, h2, "shared columns hash alike");
    lp_frame_unref(s);
    lp_frame_unref(t);

    lp_column *id = lp_column_new(LP_DT_INT64, 5);
    for (int i = 0; i < 5; i++)
        id->data.i64[i] = i;
    id->validity = malloc(1);
    id->validity[0] = 0xff; /* an all-valid bitmap is the same as none */
    add(g, "id", id);
    const char *name[] = {"ann", "bob", NULL, "dan", "eve"};
    add(g, "name", texts(name, 5, LP_DT_CATEGORY)); /* category hashes as string */
    double score[] = {1.5, 2.5, 3.5, 123.0, -1};    /* the missing slot's value is ignored */
    bool miss[] = {false, false, false, true, false};
    add(g, "score", floats(score, miss, 5));
    hex_of(g, h2);
    cr_assert_str_eq(h1, h2);
    lp_frame_unref(g);

    lp_frame_unref(f);
}

/* The digest is remembered on the frame; adding a column forgets it. */
Test(frame, hash_is_remembered_until_a_column_is_added)
{
    lp_frame *f = sample();
    char h1[65], h2[65], h3[65];
    hex_of(f, h1);
    hex_of(f, h2);
    cr_assert_str_eq(h1, h2);
    int64_t v[] = {1, 2, 3, 4, 5};
    add(f, "more", ints(v, 5));
    hex_of(f, h2);
    cr_assert_str_neq(h1, h2, "a new column, a new hash");
    lp_frame *g = sample();
    add(g, "more", ints(v, 5));
    hex_of(g, h3);
    cr_assert_str_eq(h2, h3, "the remembered hash is the computed one");
    lp_frame_unref(g);
    lp_frame_unref(f);
}

Test(frame, hash_category_dictionary_order_independent)
{
    const char *x[] = {"p", "q", "p", NULL};
    const char *y[] = {"q", "p"};
    lp_column *c1 = texts(x, 4, LP_DT_CATEGORY);
    lp_column *c0 = texts(y, 2, LP_DT_CATEGORY); /* dictionary q, p */
    lp_column *c2 = lp_column_new(LP_DT_CATEGORY, 4);
    lp_column_unref(c2->data.cat.dict);
    c2->data.cat.dict = lp_column_ref(c0->data.cat.dict);
    int32_t codes[] = {1, 0, 1, 0};
    memcpy(c2->data.cat.codes, codes, sizeof codes);
    cr_assert_eq(lp_column_set_null(c2, 3), 0);
    lp_column_unref(c0);
    lp_frame *a = lp_frame_new(), *b = lp_frame_new();
    add(a, "c", c1);
    add(b, "c", c2);
    char h1[65], h2[65];
    hex_of(a, h1);
    hex_of(b, h2);
    cr_assert_str_eq(h1, h2);
    lp_frame_unref(a);
    lp_frame_unref(b);
}

Test(frame, hash_changes_with_value_name_type_and_missing)
{
    lp_frame *f = sample(), *g;
    char base[65], h[65];
    hex_of(f, base);
    size_t all[] = {0, 1, 2, 3, 4};

    cr_assert_eq(lp_frame_take(&g, f, all, 5), 0);
    lp_frame_col_by_name(g, "score")->data.f64[4] = -1.0000001; /* unshared copy */
    hex_of(g, h);
    cr_assert_str_neq(base, h, "one value changed");
    lp_frame_unref(g);

    cr_assert_eq(lp_frame_rename(&g, f, "score", "Score"), 0);
    hex_of(g, h);
    cr_assert_str_neq(base, h, "a name changed");
    lp_frame_unref(g);

    cr_assert_eq(lp_frame_take(&g, f, all, 5), 0);
    lp_column_set_null(lp_frame_col_by_name(g, "id"), 0);
    hex_of(g, h);
    cr_assert_str_neq(base, h, "a value became missing");
    lp_frame_unref(g);

    lp_column *asf;
    cr_assert_eq(lp_column_cast(&asf, lp_frame_col_by_name(f, "id"), LP_DT_FLOAT64), 0);
    const char *rest[] = {"name", "score"};
    lp_frame *t;
    cr_assert_eq(lp_frame_select(&t, f, rest, 2), 0);
    g = lp_frame_new();
    add(g, "id", asf);
    add(g, "name", lp_column_ref(lp_frame_col(t, 0)));
    add(g, "score", lp_column_ref(lp_frame_col(t, 1)));
    hex_of(g, h);
    cr_assert_str_neq(base, h, "a type changed");
    lp_frame_unref(g);
    lp_frame_unref(t);

    size_t rev[] = {4, 3, 2, 1, 0};
    cr_assert_eq(lp_frame_take(&g, f, rev, 5), 0);
    hex_of(g, h);
    cr_assert_str_neq(base, h, "row order matters");
    lp_frame_unref(g);
    lp_frame_unref(f);
}

/* ---- matrix and values ---------------------------------------------------------------- */

Test(frame, matrix_is_row_major_with_nan_for_missing)
{
    lp_frame *f = lp_frame_new();
    int64_t a[] = {1, NA_I, 3};
    add(f, "a", ints(a, 3));
    lp_column *b = lp_column_new(LP_DT_BOOL, 3);
    b->data.b8[1] = 1;
    add(f, "b", b);
    lp_column *t = lp_column_new(LP_DT_TIMESTAMP, 3);
    t->data.i64[0] = 1500000, t->data.i64[2] = -2000000;
    add(f, "t", t);
    const char *k[] = {"x", "y", NULL};
    add(f, "k", texts(k, 3, LP_DT_CATEGORY));
    double *m = NULL;
    cr_assert_eq(lp_frame_to_matrix(&m, f), 0, "%s", errmsg());
    double want[] = {1, 0, 1.5, 0, NAN, 1, 0, 1, 3, 0, -2, NAN};
    for (int i = 0; i < 12; i++) {
        if (isnan(want[i]))
            cr_assert(isnan(m[i]), "cell %d should be NaN", i);
        else
            cr_assert_float_eq(m[i], want[i], 0, "cell %d: %g != %g", i, m[i], want[i]);
    }
    free(m);
    const char *s[] = {"a", "b", "c"};
    add(f, "text", texts(s, 3, LP_DT_STRING));
    m = (double *)1;
    cr_assert_eq(lp_frame_to_matrix(&m, f), LP_EINVAL);
    cr_assert_null(m);
    cr_assert(strstr(errmsg(), "'text'"), "%s", errmsg());
    lp_frame_unref(f);
}

Test(frame, matrix_many_rows_crosses_tiles)
{
    enum { N = 2000 };
    lp_frame *f = lp_frame_new();
    lp_column *a = lp_column_new(LP_DT_FLOAT64, N), *b = lp_column_new(LP_DT_INT64, N);
    for (int i = 0; i < N; i++)
        a->data.f64[i] = i * 0.5, b->data.i64[i] = -i;
    add(f, "a", a);
    add(f, "b", b);
    double *m;
    cr_assert_eq(lp_frame_to_matrix(&m, f), 0);
    for (int i = 0; i < N; i++) {
        cr_assert_eq(m[2 * i], i * 0.5);
        cr_assert_eq(m[2 * i + 1], (double)-i);
    }
    free(m);
    lp_frame_unref(f);
}

Test(frame, frame_values_hold_a_reference)
{
    lp_frame *f = sample();
    lp_value *v = lp_value_frame(f);
    cr_assert_not_null(v);
    cr_assert_eq(lp_value_as_frame(v), f);
    cr_assert_str_eq(lp_value_handle_type(v)->name, "frame");
    char *s = lp_value_to_string(v);
    cr_assert(strstr(s, "5 rows × 3 cols"), "%s", s);
    free(s);
    uint8_t h1[32], h2[32];
    cr_assert_eq(lp_frame_handle_type.hash(f, h1), 0);
    cr_assert_eq(lp_frame_hash(f, h2), 0);
    cr_assert_eq(memcmp(h1, h2, 32), 0);
    lp_frame_unref(f);
    cr_assert_eq(lp_frame_rows(lp_value_as_frame(v)), 5, "the value keeps the frame alive");
    lp_value *i = lp_value_int(3);
    cr_assert_null(lp_value_as_frame(i));
    lp_value_unref(i);
    lp_value_unref(v);
}

Test(frame, hash_treats_every_nan_alike)
{
    double quiet = NAN, other;
    uint64_t bits = 0xfff8000000000123ULL; /* a negative NaN with a payload */
    memcpy(&other, &bits, 8);
    double a[] = {1.0, quiet}, b[] = {1.0, other};
    lp_frame *fa = lp_frame_new(), *fb = lp_frame_new(), *fc = lp_frame_new();
    add(fa, "x", floats(a, NULL, 2));
    add(fb, "x", floats(b, NULL, 2));
    lp_column *c = floats(b, NULL, 2);
    c->validity = malloc(1);
    c->validity[0] = 0x03; /* bitmap present, all valid: the per-value path */
    add(fc, "x", c);
    char ha[65], hb[65], hc[65];
    hex_of(fa, ha);
    hex_of(fb, hb);
    hex_of(fc, hc);
    cr_assert_str_eq(ha, hb);
    cr_assert_str_eq(ha, hc);
    lp_frame_unref(fa);
    lp_frame_unref(fb);
    lp_frame_unref(fc);
}

Test(frame, concat_and_join_with_all_missing_and_empty_sides)
{
    lp_frame *a = lp_frame_new(), *b = lp_frame_new(), *c, *j;
    int64_t na[] = {NA_I, NA_I}, one[] = {5};
    add(a, "k", ints(na, 2));
    add(b, "k", ints(one, 1));
    cr_assert_eq(lp_frame_concat(&c, a, b), 0);
    int64_t want[] = {NA_I, NA_I, 5};
    assert_ints(c, "k", want, 3);
    cr_assert_eq(lp_frame_col(c, 0)->null_count, 2);
    cr_assert_eq(lp_frame_join(&j, a, b, "k", LP_JOIN_INNER), 0);
    cr_assert_eq(lp_frame_rows(j), 0, "missing keys never match");
    lp_frame_unref(j);
    cr_assert_eq(lp_frame_join(&j, a, b, "k", LP_JOIN_LEFT), 0);
    assert_ints(j, "k", na, 2);
    lp_frame_unref(j);
    lp_frame *e = lp_frame_new();
    add(e, "k", lp_column_new(LP_DT_INT64, 0));
    add(e, "w", lp_column_new(LP_DT_STRING, 0));
    cr_assert_eq(lp_frame_join(&j, b, e, "k", LP_JOIN_LEFT), 0);
    cr_assert_eq(lp_frame_rows(j), 1);
    cr_assert_null(lp_column_str(lp_frame_col_by_name(j, "w"), 0, NULL), "no match → missing");
    lp_frame_unref(j);
    lp_frame_unref(e);
    lp_frame_unref(c);
    lp_frame_unref(a);
    lp_frame_unref(b);
}

Test(frame, concat_with_zero_row_side_takes_the_other_type)
{
    /* a header-only CSV reads as string columns; appending real rows to it must work */
    lp_frame *e = lp_frame_new(), *a = lp_frame_new(), *c = NULL;
    add(e, "k", lp_column_new(LP_DT_STRING, 0));
    add(e, "t", lp_column_new(LP_DT_BOOL, 0));
    int64_t v[] = {1, 2};
    add(a, "k", ints(v, 2));
    add(a, "t", ints(v, 2));
    cr_assert_eq(lp_frame_concat(&c, e, a), 0, "%s", errmsg());
    assert_ints(c, "k", v, 2);
    cr_assert_eq(lp_frame_col(c, 1)->type, LP_DT_INT64);
    lp_frame_unref(c);
    cr_assert_eq(lp_frame_concat(&c, a, e), 0, "%s", errmsg());
    assert_ints(c, "t", v, 2);
    lp_frame_unref(c);
    lp_frame_unref(e);
    lp_frame_unref(a);
}

/* lp_frame_key_unique: missing values never collide; the first repeated
 * value is reported with both (1-based) rows, for numbers and text alike. */
Test(frame, key_unique_names_the_first_repeat)
{
    lp_frame *f = lp_frame_new();
    lp_column_builder *b = lp_column_builder_new(LP_DT_INT64, 4);
    lp_column_builder_append_i64(b, 5);
    lp_column_builder_append_null(b);
    lp_column_builder_append_null(b);
    lp_column_builder_append_i64(b, 6);
    cr_assert_eq(lp_frame_add_column(f, "id", lp_column_builder_finish(b)), 0);
    b = lp_column_builder_new(LP_DT_STRING, 4);
    lp_column_builder_append_str(b, "x", 1);
    lp_column_builder_append_str(b, "y", 1);
    lp_column_builder_append_str(b, "z", 1);
    lp_column_builder_append_str(b, "y", 1);
    cr_assert_eq(lp_frame_add_column(f, "name", lp_column_builder_finish(b)), 0);
    cr_assert_eq(lp_frame_key_unique(f, "id", "the test data"), 0, "%s", lp_error_last()->message);
    cr_assert_eq(lp_frame_key_unique(f, "name", "the test data"), LP_EINVAL);
    cr_assert(strstr(lp_error_last()->message, "rows 2 and 4 both hold 'y'"), "%s",
              lp_error_last()->message);
    cr_assert_eq(lp_frame_key_unique(f, "nope", "the test data"), LP_ENOTFOUND);
    lp_frame_unref(f);
}
