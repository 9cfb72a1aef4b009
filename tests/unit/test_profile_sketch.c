/*
 * test_profile_sketch.c — mergeable profiles (kit.h lp_profile_sketch):
 * merge(sketch(A), sketch(B)) equals sketch(A then B) — counts, quantiles,
 * histograms, distinct values and top values exactly, mean and std to 1e-12 —
 * on titanic and on a generated frame sketched in chunks on threads; past the
 * exact limit the HyperLogLog registers merge to the whole's estimate; the
 * numbers equal LocalDataProfiler's; mismatched sketches are refused.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "components/data_profiler/profiler.h"
#include "lolpop.h"
#include "lolpop/csv.h"
#include "lolpop/frame.h"
#include "lolpop/kit.h"

/* a equals b: floats to 1e-12 relative, everything else exactly. */
static void same(const lp_value *a, const lp_value *b, const char *path)
{
    cr_assert_eq(lp_value_type(a), lp_value_type(b), "%s: types differ", path);
    char sub[256];
    switch (lp_value_type(a)) {
    case LP_MAP:
        cr_assert_eq(lp_map_len(a), lp_map_len(b), "%s: keys differ", path);
        for (size_t i = 0; i < lp_map_len(a); i++) {
            const char *k = lp_map_key(a, i);
            snprintf(sub, sizeof sub, "%s/%s", path, k);
            cr_assert_not_null(lp_map_get(b, k), "%s missing", sub);
            same(lp_map_get(a, k), lp_map_get(b, k), sub);
        }
        break;
    case LP_LIST:
        cr_assert_eq(lp_list_len(a), lp_list_len(b), "%s: lengths differ", path);
        for (size_t i = 0; i < lp_list_len(a); i++) {
            snprintf(sub, sizeof sub, "%s/%zu", path, i);
            same(lp_list_get(a, i), lp_list_get(b, i), sub);
        }
        break;
    case LP_FLOAT: {
        double x = lp_value_as_float(a), y = lp_value_as_float(b);
        cr_assert(fabs(x - y) <= 1e-12 * fmax(1, fabs(x)), "%s: %.17g vs %.17g", path, x, y);
        break;
    }
    default: {
        char *x = lp_value_to_string(a), *y = lp_value_to_string(b);
        cr_assert_str_eq(x, y, "%s", path);
        free(x);
        free(y);
    }
    }
}

static lp_frame *rows_of(const lp_frame *f, size_t lo, size_t hi)
{
    size_t *idx = malloc((hi - lo + 1) * sizeof *idx);
    for (size_t i = lo; i < hi; i++)
        idx[i - lo] = i;
    lp_frame *out = NULL;
    cr_assert_eq(lp_frame_take(&out, f, idx, hi - lo), 0);
    free(idx);
    return out;
}

/* merge(sketch(f[0, cut)), sketch(f[cut, n))) equals sketch(f). */
static void check_merge(const lp_frame *f, size_t cut, size_t limit)
{
    lp_frame *a = rows_of(f, 0, cut), *b = rows_of(f, cut, lp_frame_rows(f));
    lp_profile_sketch *whole = lp_profile_sketch_new(f, limit, 1);
    lp_profile_sketch *sa = lp_profile_sketch_new(a, limit, 1),
                      *sb = lp_profile_sketch_new(b, limit, 1);
    cr_assert(whole && sa && sb, "%s", lp_error_last()->message);
    cr_assert_eq(lp_profile_sketch_merge(sa, sb), 0, "%s", lp_error_last()->message);
    cr_assert_eq(lp_profile_sketch_rows(sa), lp_frame_rows(f));
    lp_value *x = lp_profile_sketch_columns(whole, 20, 10),
             *y = lp_profile_sketch_columns(sa, 20, 10);
    cr_assert(x && y);
    same(x, y, "columns");
    lp_value_unref(x);
    lp_value_unref(y);
    lp_profile_sketch_free(whole);
    lp_profile_sketch_free(sa);
    lp_profile_sketch_free(sb);
    lp_frame_unref(a);
    lp_frame_unref(b);
}

static lp_frame *titanic(void)
{
    lp_frame *f = NULL;
    cr_assert_eq(lp_csv_read(&f, LP_FIXTURES_DIR "/data/titanic.csv", NULL), 0);
    return f;
}

Test(profile_sketch, merge_of_halves_equals_the_whole)
{
    lp_frame *f = titanic();
    check_merge(f, 300, 1000000);
    check_merge(f, 0, 1000000); /* an empty side */
    lp_frame_unref(f);
}

Test(profile_sketch, hyperloglog_registers_merge_past_the_exact_limit)
{
    lp_frame *f = titanic();
    check_merge(f, 450, 5); /* text columns past 5 values: estimates, no top values */
    lp_profile_sketch *s = lp_profile_sketch_new(f, 5, 1);
    lp_value *cols = lp_profile_sketch_columns(s, 20, 10);
    bool estimated = false;
    for (size_t j = 0; j < lp_list_len(cols); j++) {
        const lp_value *c = lp_list_get(cols, j);
        if (!lp_value_as_bool(lp_map_get(c, "distinct_estimated"))) continue;
        estimated = true;
        cr_assert_null(lp_map_get(c, "top_values"));
    }
    cr_assert(estimated, "some text column has over 5 values");
    lp_value_unref(cols);
    lp_profile_sketch_free(s);
    lp_frame_unref(f);
}

Test(profile_sketch, chunks_on_threads_equal_one_pass)
{
    size_t n = 50000;
    lp_frame *f = lp_frame_new();
    lp_column *x = lp_column_new(LP_DT_FLOAT64, n), *g = lp_column_new(LP_DT_BOOL, n);
    uint64_t st = 7;
    for (size_t i = 0; i < n; i++) {
        st = st * 6364136223846793005ULL + 1442695040888963407ULL;
        x->data.f64[i] = i % 17 == 0 ? NAN : (double)(st >> 40) / 1000.0 - 3000;
        g->data.b8[i] = (st >> 20) % 3 == 0;
    }
    cr_assert_eq(lp_frame_add_column(f, "x", x), 0);
    cr_assert_eq(lp_frame_add_column(f, "g", g), 0);
    lp_profile_sketch *one = lp_profile_sketch_new(f, 1000000, 1);
    lp_profile_sketch *four = lp_profile_sketch_new(f, 1000000, 4);
    cr_assert(one && four);
    lp_value *a = lp_profile_sketch_columns(one, 20, 10),
             *b = lp_profile_sketch_columns(four, 20, 10);
    same(a, b, "columns");
    lp_value_unref(a);
    lp_value_unref(b);
    lp_profile_sketch_free(one);
    lp_profile_sketch_free(four);
    lp_frame_unref(f);
}

Test(profile_sketch, numbers_equal_the_profilers)
{
    lp_frame *f = titanic();
    lp_prof_options o;
    lp_prof_options_default(&o);
    lp_value *rep = lp_prof_profile(f, &o);
    lp_profile_sketch *s = lp_profile_sketch_new(f, 1000000, 2);
    lp_value *cols = lp_profile_sketch_columns(s, o.bins, o.top);
    cr_assert(rep && cols);
    const lp_value *vars = lp_map_get(rep, "variables");
    static const char *const keys[] = {"count", "missing", "distinct", "mean",      "std",
                                       "min",   "5%",      "25%",      "50%",       "75%",
                                       "95%",   "max",     "zeros",    "histogram", "top_values"};
    size_t checked = 0;
    for (size_t j = 0; j < lp_list_len(cols); j++) {
        const lp_value *c = lp_list_get(cols, j), *v = lp_list_get(vars, j);
        if (strcmp(lp_value_as_string(lp_map_get(c, "type")), "timestamp") == 0) continue;
        for (size_t k = 0; k < sizeof keys / sizeof *keys; k++) {
            const lp_value *want = lp_map_get(v, keys[k]), *got = lp_map_get(c, keys[k]);
            if (!want) continue;
            cr_assert_not_null(got, "%s %s", lp_value_as_string(lp_map_get(c, "name")), keys[k]);
            same(got, want, keys[k]);
            checked++;
        }
    }
    cr_assert_gt(checked, 100);
    lp_value_unref(cols);
    lp_value_unref(rep);
    lp_profile_sketch_free(s);
    lp_frame_unref(f);
}

Test(profile_sketch, different_columns_are_refused)
{
    lp_frame *f = titanic();
    lp_frame *g = lp_frame_new();
    cr_assert_eq(lp_frame_add_column(g, "x", lp_column_new(LP_DT_INT64, 3)), 0);
    lp_profile_sketch *a = lp_profile_sketch_new(f, 100, 1), *b = lp_profile_sketch_new(g, 100, 1);
    cr_assert_eq(lp_profile_sketch_merge(a, b), LP_EINVAL);
    cr_assert_eq(lp_profile_sketch_rows(a), 891, "unchanged");
    lp_profile_sketch_free(a);
    lp_profile_sketch_free(b);
    lp_frame_unref(f);
    lp_frame_unref(g);
}
