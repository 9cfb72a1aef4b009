/*
 * test_data_profiler.c — LocalDataProfiler: every drift statistic against
 * scipy (ks_2samp, chi2_contingency, chi2.sf, wasserstein_distance,
 * jensenshannon) and the PSI against numpy, to 1e-9, on the committed
 * fixtures of tests/fixtures/profiler/make_expected.py; compare_data and
 * profile_data through the dispatcher against the same script's scipy and
 * pandas numbers; HyperLogLog's accuracy; the report files; config errors.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "components/data_profiler/profiler.h"
#include "data/frame_dups.h"
#include "lolpop.h"
#include "lolpop/csv.h"
#include "lolpop/frame.h"
#include "lolpop/types/data_profiler.h"
#include "unit_workflow.h"

#define PROF_DIR LP_FIXTURES_DIR "/profiler"
#define TOL      1e-9

TestSuite(profiler, .init = uw_setup, .fini = uw_teardown, .timeout = 120);

static json_t *load(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", PROF_DIR, name);
    json_error_t err;
    json_t *j = json_load_file(path, 0, &err);
    cr_assert_not_null(j, "%s: %s", path, err.text);
    return j;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* A sorted copy of a JSON number array (caller frees). */
static double *sorted(const json_t *arr, size_t *n)
{
    *n = json_array_size(arr);
    double *v = malloc((*n ? *n : 1) * sizeof *v);
    cr_assert_not_null(v);
    for (size_t i = 0; i < *n; i++)
        v[i] = json_number_value(json_array_get(arr, i));
    qsort(v, *n, sizeof *v, cmp_d);
    return v;
}

static double num(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    cr_assert(json_is_number(v), "'%s' is not a number", key);
    return json_number_value(v);
}

#define ASSERT_NEAR(got, want, tol, ...) cr_assert(fabs((got) - (want)) <= (tol), __VA_ARGS__)

/* ---- statistics against scipy ------------------------------------------------------ */

Test(profiler, ks_2samp_equals_scipy)
{
    json_t *j = load("stats.json");
    const json_t *samples = json_object_get(j, "samples"), *ks = json_object_get(j, "ks");
    size_t exact = 0;
    for (size_t i = 0; i < json_array_size(ks); i++) {
        size_t na, nb;
        double *a = sorted(json_object_get(json_array_get(samples, i), "a"), &na);
        double *b = sorted(json_object_get(json_array_get(samples, i), "b"), &nb);
        const json_t *e = json_array_get(ks, i);
        lp_prof_ks r;
        cr_assert_eq(lp_prof_ks_2samp(&r, a, na, b, nb), 0);
        bool want_exact = json_is_true(json_object_get(e, "exact"));
        cr_assert_eq(r.exact, want_exact, "case %zu (%zu, %zu): exact %d", i, na, nb, r.exact);
        ASSERT_NEAR(r.statistic, num(e, "statistic"), TOL, "case %zu: D %.17g vs %.17g", i,
                    r.statistic, num(e, "statistic"));
        ASSERT_NEAR(r.pvalue, num(e, "pvalue"), TOL, "case %zu (%zu, %zu): p %.17g vs %.17g", i, na,
                    nb, r.pvalue, num(e, "pvalue"));
        exact += want_exact;
        free(a);
        free(b);
    }
    cr_assert_geq(exact, 9, "the fixture covers the exact branch");
    cr_assert_lt(exact, json_array_size(ks), "and the asymptotic one");
    json_decref(j);
}

Test(profiler, kstwo_sf_equals_scipy_on_every_branch)
{
    json_t *j = load("stats.json");
    const json_t *cases = json_object_get(j, "kstwo_sf");
    cr_assert_gt(json_array_size(cases), 50);
    for (size_t i = 0; i < json_array_size(cases); i++) {
        const json_t *e = json_array_get(cases, i);
        int n = (int)num(e, "n");
        double x = num(e, "x"), got = lp_prof_kstwo_sf(x, n);
        ASSERT_NEAR(got, num(e, "sf"), TOL, "kstwo.sf(%.17g, %d): %.17g vs %.17g", x, n, got,
                    num(e, "sf"));
    }
    json_decref(j);
}

Test(profiler, wasserstein_and_psi_equal_scipy_and_numpy)
{
    json_t *j = load("stats.json");
    const json_t *samples = json_object_get(j, "samples");
    for (size_t i = 0; i < json_array_size(samples); i++) {
        size_t na, nb;
        double *a = sorted(json_object_get(json_array_get(samples, i), "a"), &na);
        double *b = sorted(json_object_get(json_array_get(samples, i), "b"), &nb);
        double want = num(json_array_get(json_object_get(j, "wasserstein"), i), "distance");
        double got = lp_prof_wasserstein(a, na, b, nb);
        ASSERT_NEAR(got, want, TOL, "case %zu: W %.17g vs %.17g", i, got, want);
        double edges[64], ca[64], cb[64];
        double lo = fmin(a[0], b[0]), hi = fmax(a[na - 1], b[nb - 1]);
        size_t bins = lp_prof_sturges_edges(edges, 64, lo, hi, na + nb);
        lp_prof_bin_counts(ca, a, na, edges, bins);
        lp_prof_bin_counts(cb, b, nb, edges, bins);
        for (size_t k = 0; k < bins; k++) {
            ca[k] /= (double)na;
            cb[k] /= (double)nb;
        }
        want = num(json_array_get(json_object_get(j, "psi"), i), "psi");
        got = lp_prof_psi(ca, cb, bins);
        ASSERT_NEAR(got, want, TOL, "case %zu: PSI %.17g vs %.17g", i, got, want);
        free(a);
        free(b);
    }
    json_decref(j);
}

Test(profiler, chi2_contingency_and_jensenshannon_equal_scipy)
{
    json_t *j = load("stats.json");
    const json_t *chi = json_object_get(j, "chi2_contingency"),
                 *js = json_object_get(j, "jensenshannon");
    for (size_t i = 0; i < json_array_size(chi); i++) {
        const json_t *e = json_array_get(chi, i), *t = json_object_get(e, "table");
        size_t rows = json_array_size(t), cols = json_array_size(json_array_get(t, 0));
        double table[64];
        for (size_t r = 0; r < rows; r++)
            for (size_t c = 0; c < cols; c++)
                table[r * cols + c] = json_number_value(json_array_get(json_array_get(t, r), c));
        lp_prof_test got;
        cr_assert_eq(lp_prof_chi2_contingency(&got, table, rows, cols), 0);
        cr_assert_eq(got.dof, (size_t)json_integer_value(json_object_get(e, "dof")));
        ASSERT_NEAR(got.statistic, num(e, "statistic"), TOL, "case %zu: chi2 %.17g vs %.17g", i,
                    got.statistic, num(e, "statistic"));
        ASSERT_NEAR(got.pvalue, num(e, "pvalue"), TOL, "case %zu: p %.17g vs %.17g", i, got.pvalue,
                    num(e, "pvalue"));
        if (rows == 2) {
            const json_t *je = json_array_get(js, i);
            double d;
            cr_assert_eq(lp_prof_jensenshannon(&d, table, table + cols, cols), 0);
            ASSERT_NEAR(d, num(je, "distance"), TOL, "case %zu: JS %.17g vs %.17g", i, d,
                        num(je, "distance"));
        }
    }
    const json_t *sf = json_object_get(j, "chi2_sf");
    for (size_t i = 0; i < json_array_size(sf); i++) {
        const json_t *e = json_array_get(sf, i);
        double got = lp_prof_chi2_sf(num(e, "x"), num(e, "dof"));
        ASSERT_NEAR(got, num(e, "sf"), TOL, "chi2.sf(%g, %g): %.17g vs %.17g", num(e, "x"),
                    num(e, "dof"), got, num(e, "sf"));
    }
    json_decref(j);
}

Test(profiler, degenerate_inputs)
{
    double a[] = {1, 1, 1}, b[] = {1, 1};
    lp_prof_ks r;
    cr_assert_eq(lp_prof_ks_2samp(&r, a, 3, b, 2), 0);
    cr_assert_eq(r.statistic, 0);
    cr_assert_eq(r.pvalue, 1);
    cr_assert_neq(lp_prof_ks_2samp(&r, a, 0, b, 2), 0, "an empty side is an error");
    cr_assert_eq(lp_prof_wasserstein(a, 3, b, 2), 0);
    double t[] = {5, 7}; /* 2 x 1: no degree of freedom */
    lp_prof_test c;
    cr_assert_eq(lp_prof_chi2_contingency(&c, t, 2, 1), 0);
    cr_assert_eq(c.pvalue, 1.0);
    double z[] = {0, 3, 0, 4};
    cr_assert_neq(lp_prof_chi2_contingency(&c, z, 2, 2), 0, "an empty column has no expectation");
    cr_assert_eq(lp_prof_chi2_sf(0, 3), 1.0);
}

Test(profiler, hyperloglog_is_within_two_percent)
{
    size_t n = 200000;
    lp_column *c = lp_column_new(LP_DT_INT64, n);
    for (size_t i = 0; i < n; i++)
        c->data.i64[i] = (int64_t)(i % 150000) * 7919;
    double e = lp_prof_hll_distinct(c);
    cr_assert(fabs(e - 150000) / 150000 < 0.02, "estimate %.0f of 150000", e);
    lp_column_unref(c);
}

/* ---- the one sort, the codes, duplicate rows and the correlations' walks -------------- */

Test(profiler, sort_column_is_stable_and_skips_missing)
{
    lp_column *c = lp_column_new(LP_DT_FLOAT64, 7);
    double v[] = {2.5, NAN, -0.0, 2.5, -1e300, 0.0, 7};
    for (size_t i = 0; i < 7; i++)
        c->data.f64[i] = v[i];
    lp_column_set_null(c, 6);
    lp_prof_sorted s;
    cr_assert_eq(lp_prof_sort_column(&s, c, true), 0);
    double want[] = {-1e300, 0, 0, 2.5, 2.5};
    uint32_t rows[] = {4, 2, 5, 0, 3}; /* ties in row order; NaN and the missing cell left out */
    cr_assert_eq(s.n, 5);
    cr_assert_eq(s.distinct, 3, "-0 and 0 are one value");
    for (size_t i = 0; i < 5; i++) {
        cr_assert_eq(s.v[i], want[i]);
        cr_assert_eq(s.row[i], rows[i]);
    }
    cr_assert(!signbit(s.v[1]), "-0 sorts as 0");
    lp_prof_sorted_free(&s);
    lp_column_unref(c);
}

Test(profiler, codes_are_first_seen_and_top_breaks_ties_by_first_seen)
{
    lp_column_builder *b = lp_column_builder_new(LP_DT_STRING, 8);
    const char *vals[] = {"b", "a", "c", NULL, "a", "c", "b", "d"};
    for (size_t i = 0; i < 8; i++)
        cr_assert_eq(vals[i] ? lp_column_builder_append_str(b, vals[i], strlen(vals[i]))
                             : lp_column_builder_append_null(b),
                     0);
    lp_column *c = lp_column_builder_finish(b);
    lp_prof_coded k;
    cr_assert_eq(lp_prof_code_column(&k, c), 0);
    cr_assert_eq(k.n, 4);
    uint32_t want[] = {0, 1, 2, LP_PROF_NO_CODE, 1, 2, 0, 3};
    for (size_t i = 0; i < 8; i++)
        cr_assert_eq(k.code[i], want[i], "row %zu", i);
    size_t top[3];
    cr_assert_eq(lp_prof_coded_top(top, &k, 3), 3);
    cr_assert_eq(top[0], 0); /* b, a, c have 2 each: first seen first */
    cr_assert_eq(top[1], 1);
    cr_assert_eq(top[2], 2);
    lp_prof_coded_free(&k);
    lp_column_unref(c);
}

/* A column of `n` cells of type t: cell i is "v<i % distinct>", every 7th missing. */
static lp_column *cycled(lp_dtype t, size_t n, size_t distinct)
{
    lp_column_builder *b = lp_column_builder_new(t, n);
    char buf[32];
    for (size_t i = 0; i < n; i++) {
        int len = snprintf(buf, sizeof buf, "v%zu", (i * 7919) % distinct);
        cr_assert_eq(i % 7 == 3 ? lp_column_builder_append_null(b)
                                : lp_column_builder_append_str(b, buf, (size_t)len),
                     0);
    }
    lp_column *c = lp_column_builder_finish(b);
    cr_assert_not_null(c);
    return c;
}

Test(profiler, counts_of_category_and_string_agree_over_many_keys)
{
    /* enough distinct keys to grow the table many times and fill several arena chunks */
    size_t n = getenv("LOLPOP_T_TIME_SCALE") ? 20000 : 200000, distinct = n / 2 + 1;
    lp_column *s = cycled(LP_DT_STRING, n, distinct), *c = cycled(LP_DT_CATEGORY, n, distinct);
    lp_column *few = cycled(LP_DT_CATEGORY, 100, 5);
    lp_prof_counts ts = {0}, tc = {0};
    cr_assert_eq(lp_prof_counts_add(&ts, 0, s), 0);
    cr_assert_eq(lp_prof_counts_add(&ts, 1, few), 0);
    cr_assert_eq(lp_prof_counts_add(&tc, 0, c), 0);
    cr_assert_eq(lp_prof_counts_add(&tc, 1, few), 0);
    cr_assert_eq(ts.n, tc.n);
    double total = 0;
    for (size_t k = 0; k < ts.n; k++) {
        cr_assert_str_eq(ts.keys[k], tc.keys[k], "key %zu: first-seen order", k);
        cr_assert_eq(ts.lens[k], strlen(ts.keys[k]));
        cr_assert_eq(ts.count[0][k], tc.count[0][k], "key %s", ts.keys[k]);
        cr_assert_eq(ts.count[1][k], tc.count[1][k], "key %s", ts.keys[k]);
        total += ts.count[0][k];
    }
    cr_assert_eq(total, (double)(n - (n + 3) / 7), "every present cell counted once");
    cr_assert_str_eq(ts.keys[0], "v0");
    cr_assert_str_eq(ts.keys[1], "v7919");
    lp_prof_counts_free(&ts);
    lp_prof_counts_free(&tc);
    lp_column_unref(s);
    lp_column_unref(c);
    lp_column_unref(few);
}

/* t (the tally of ref, cur) holds what the counts table gives for the same columns:
 * the same keys in the same first-seen order with the same counts per side. */
static void assert_tally_is_table(const lp_prof_tally *t, const lp_column *ref,
                                  const lp_column *cur)
{
    lp_prof_counts want = {0};
    cr_assert_eq(lp_prof_counts_add(&want, 0, ref), 0);
    cr_assert_eq(lp_prof_counts_add(&want, 1, cur), 0);
    cr_assert_eq(t->n, want.n);
    for (size_t k = 0; k < t->n; k++) {
        size_t len = 99;
        const char *s = lp_prof_tally_text(t, k, &len);
        cr_assert_eq(len, want.lens[k], "category %zu", k);
        cr_assert(len == 0 || memcmp(s, want.keys[k], len) == 0, "category %zu: %.*s vs %s", k,
                  (int)len, s, want.keys[k]);
        cr_assert_eq(t->count[0][k], want.count[0][k], "category %s", want.keys[k]);
        cr_assert_eq(t->count[1][k], want.count[1][k], "category %s", want.keys[k]);
    }
    lp_prof_counts_free(&want);
}

static lp_column *strings(const char *const *cells, size_t n)
{
    lp_column_builder *b = lp_column_builder_new(LP_DT_STRING, n);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(cells[i] ? lp_column_builder_append_str(b, cells[i], strlen(cells[i]))
                              : lp_column_builder_append_null(b),
                     0);
    lp_column *c = lp_column_builder_finish(b);
    cr_assert_not_null(c);
    return c;
}

Test(profiler, tally_of_strings_equals_the_counts_table)
{
    /* many keys on both sides, shared and not, every 7th cell missing */
    size_t n = getenv("LOLPOP_T_TIME_SCALE") ? 20000 : 200000;
    lp_column *a = cycled(LP_DT_STRING, n, n / 2 + 1), *b = cycled(LP_DT_STRING, n / 3, n / 5 + 7);
    lp_prof_tally t;
    cr_assert_eq(lp_prof_tally_strings(&t, a, b), 0);
    cr_assert_gt(t.n, n / 4, "many categories: %zu", t.n);
    assert_tally_is_table(&t, a, b);
    lp_prof_tally_free(&t);
    cr_assert_eq(lp_prof_tally_strings(&t, b, a), 0, "the other side first: another order");
    assert_tally_is_table(&t, b, a);
    lp_prof_tally_free(&t);

    /* the empty text is a value, a null is not; side 1 may bring new values first */
    const char *ref[] = {"x", "", NULL, "y", "x", ""}, *cur[] = {"z", NULL, "", "x", "z"};
    lp_column *r = strings(ref, 6), *c = strings(cur, 5);
    cr_assert_eq(lp_prof_tally_strings(&t, r, c), 0);
    cr_assert_eq(t.n, 4);
    double want0[] = {2, 2, 1, 0}, want1[] = {1, 1, 0, 2};
    for (size_t k = 0; k < 4; k++) {
        cr_assert_eq(t.count[0][k], want0[k], "category %zu", k);
        cr_assert_eq(t.count[1][k], want1[k], "category %zu", k);
    }
    size_t len = 9;
    cr_assert_eq(memcmp(lp_prof_tally_text(&t, 3, &len), "z", 1), 0);
    cr_assert_eq(len, 1);
    assert_tally_is_table(&t, r, c);
    lp_prof_tally_free(&t);

    /* nothing on one side, nothing at all */
    const char *none[] = {NULL, NULL};
    lp_column *empty = strings(none, 2);
    cr_assert_eq(lp_prof_tally_strings(&t, empty, r), 0);
    assert_tally_is_table(&t, empty, r);
    lp_prof_tally_free(&t);
    cr_assert_eq(lp_prof_tally_strings(&t, empty, empty), 0);
    cr_assert_eq(t.n, 0);
    lp_prof_tally_free(&t);

    /* only strings are tallied: other columns go through the table */
    lp_column *cat = cycled(LP_DT_CATEGORY, 10, 3);
    cr_assert_eq(lp_prof_tally_strings(&t, cat, r), LP_EINVAL);
    cr_assert_null(t.count[0]);
    lp_column_unref(cat);
    lp_column_unref(empty);
    lp_column_unref(r);
    lp_column_unref(c);
    lp_column_unref(a);
    lp_column_unref(b);
}

Test(profiler, duplicate_rows_compare_cells_not_hashes)
{
    lp_frame *f = lp_frame_new();
    lp_column *x = lp_column_new(LP_DT_FLOAT64, 6), *y = lp_column_new(LP_DT_INT64, 6);
    double xv[] = {1.5, 1.5, NAN, NAN, 0.0, -0.0};
    int64_t yv[] = {1, 1, 2, 2, 3, 4};
    for (size_t i = 0; i < 6; i++)
        x->data.f64[i] = xv[i], y->data.i64[i] = yv[i];
    lp_column_set_null(x, 3); /* NaN and a missing cell are both missing */
    cr_assert_eq(lp_frame_add_column(f, "x", x), 0);
    cr_assert_eq(lp_frame_add_column(f, "y", y), 0);
    size_t dups = 99;
    cr_assert_eq(lp_prof_duplicate_rows(&dups, f), 0);
    cr_assert_eq(dups, 2, "rows 1 and 3 repeat rows 0 and 2; 4 and 5 differ in y");
    lp_frame_unref(f);
}

/* The count is remembered on the frame (the checks reuse the profile's) and
 * forgotten when the frame gains a column: z makes every row distinct. */
Test(profiler, duplicate_rows_are_counted_once_per_frame_content)
{
    lp_frame *f = lp_frame_new();
    lp_column *x = lp_column_new(LP_DT_INT64, 4), *z = lp_column_new(LP_DT_INT64, 4);
    for (size_t i = 0; i < 4; i++)
        x->data.i64[i] = 7, z->data.i64[i] = (int64_t)i;
    cr_assert_eq(lp_frame_add_column(f, "x", x), 0);
    size_t dups = 99;
    cr_assert_not(lp_frame_dups_recall(f, &dups), "nothing counted yet");
    cr_assert_eq(lp_prof_duplicate_rows(&dups, f), 0);
    cr_assert_eq(dups, 3);
    cr_assert(lp_frame_dups_recall(f, &dups) && dups == 3, "remembered");
    cr_assert_eq(lp_prof_duplicate_rows(&dups, f), 0);
    cr_assert_eq(dups, 3);
    cr_assert_eq(lp_frame_add_column(f, "z", z), 0);
    cr_assert_not(lp_frame_dups_recall(f, &dups), "a new column forgets the count");
    cr_assert_eq(lp_prof_duplicate_rows(&dups, f), 0);
    cr_assert_eq(dups, 0, "every row differs in z");
    lp_frame_unref(f);
}

/* Reference Spearman (pandas): Pearson of average ranks computed by sorting the
 * pair's complete rows, as the profiler did before its one-sort walk. */
static double ref_rank_pearson(const double *x, const double *y, size_t n)
{
    double *rx = malloc(n * sizeof *rx), *ry = malloc(n * sizeof *ry);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(x[i]) && !isnan(y[i])) rx[m] = x[i], ry[m++] = y[i];
    double *ranks[2] = {malloc(m * sizeof(double)), malloc(m * sizeof(double))};
    const double *src[2] = {rx, ry};
    for (int s = 0; s < 2; s++)
        for (size_t i = 0; i < m; i++) {
            size_t less = 0, equal = 0;
            for (size_t j = 0; j < m; j++) {
                less += src[s][j] < src[s][i];
                equal += src[s][j] == src[s][i];
            }
            ranks[s][i] = (double)less + ((double)equal + 1) / 2;
        }
    double r = lp_prof_pearson(ranks[0], ranks[1], m);
    free(ranks[0]), free(ranks[1]), free(rx), free(ry);
    return r;
}

Test(profiler, correlations_with_ties_and_missing_equal_the_reference)
{
    size_t n = 600;
    lp_frame *f = lp_frame_new();
    double *cols[4];
    uint64_t st = 12345;
    for (int c = 0; c < 4; c++) {
        lp_column *col = lp_column_new(c == 3 ? LP_DT_INT64 : LP_DT_FLOAT64, n);
        cols[c] = malloc(n * sizeof(double));
        for (size_t i = 0; i < n; i++) {
            st = st * 6364136223846793005ULL + 1442695040888963407ULL;
            double u = (double)(st >> 11) / 9007199254740992.0;
            double v = c == 0 ? floor(u * 7) : c == 1 ? u + 0.1 * cols[0][i] : floor(u * 40);
            if (c == 3)
                col->data.i64[i] = (int64_t)v;
            else
                col->data.f64[i] = (c == 1 && i % 9 == 0) ? NAN : v;
            cols[c][i] = (c == 1 && i % 9 == 0) || (c == 2 && i % 13 == 0) ? NAN : v;
        }
        if (c == 2)
            for (size_t i = 0; i < n; i += 13)
                lp_column_set_null(col, i);
        char name[16];
        snprintf(name, sizeof name, "c%d", c);
        cr_assert_eq(lp_frame_add_column(f, name, col), 0);
    }
    lp_prof_options o;
    lp_prof_options_default(&o);
    lp_value *rep = lp_prof_profile(f, &o);
    cr_assert_not_null(rep, "%s", lp_error_last()->message);
    const lp_value *corr = lp_map_get(rep, "correlations");
    for (size_t a = 0; a < 4; a++)
        for (size_t b = 0; b < 4; b++) {
            double p =
                lp_value_as_float(lp_list_get(lp_list_get(lp_map_get(corr, "pearson"), a), b));
            double r =
                lp_value_as_float(lp_list_get(lp_list_get(lp_map_get(corr, "spearman"), a), b));
            double wp = lp_prof_pearson(cols[a], cols[b], n),
                   wr = ref_rank_pearson(cols[a], cols[b], n);
            cr_assert(fabs(p - wp) < 1e-12, "pearson %zu %zu: %.17g vs %.17g", a, b, p, wp);
            cr_assert(fabs(r - wr) < 1e-12, "spearman %zu %zu: %.17g vs %.17g", a, b, r, wr);
        }
    lp_value_unref(rep);
    for (int c = 0; c < 4; c++)
        free(cols[c]);
    lp_frame_unref(f);
}

/* ---- through the dispatcher ------------------------------------------------------------ */

static lp_value *read_frame(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s", name);
    lp_frame *f = NULL;
    cr_assert_eq(lp_csv_read(&f, path, NULL), 0, "%s: %s", path, lp_error_last()->message);
    lp_value *v = lp_value_frame(f);
    lp_frame_unref(f);
    return v;
}

static lp_obj *profiler(const char *config)
{
    static char yaml[1024];
    snprintf(yaml, sizeof yaml,
             "component: {data_profiler: LocalDataProfiler}\n"
             "data_profiler:\n  config: {%s}\n",
             config);
    return uw_build(0, yaml, "data_profiler");
}

static void check_drift(const char *pair)
{
    char old[256], new[256];
    snprintf(old, sizeof old, "%s/%s_old.csv", PROF_DIR, pair);
    snprintf(new, sizeof new, "%s/%s_new.csv", PROF_DIR, pair);
    uw_tmpdir("profiler", true);
    lp_obj *p = profiler("dir: reports");
    lp_value *ref = read_frame(old), *cur = read_frame(new);
    lp_value *res = lp_data_profiler_compare_data(p, cur, ref);
    cr_assert_not_null(res, "%s", lp_error_last()->message);
    const lp_value *report = lp_map_get(res, "report");
    const char *path = lp_value_as_string(lp_map_get(res, "path"));
    cr_assert(path && access(path, R_OK) == 0, "the HTML report exists");
    json_t *all = load("drift.json"), *want = json_object_get(all, pair);
    const json_t *wcols = json_object_get(want, "columns");
    const lp_value *cols = lp_map_get(report, "columns");
    cr_assert_eq(lp_list_len(cols), json_array_size(wcols));
    for (size_t i = 0; i < lp_list_len(cols); i++) {
        const lp_value *c = lp_list_get(cols, i);
        const json_t *w = json_array_get(wcols, i);
        const char *name = lp_value_as_string(lp_map_get(c, "column"));
        cr_assert_str_eq(name, json_string_value(json_object_get(w, "column")));
        cr_assert_str_eq(lp_value_as_string(lp_map_get(c, "method")),
                         json_string_value(json_object_get(w, "method")), "%s", name);
        double s = lp_value_as_float(lp_map_get(c, "statistic"));
        ASSERT_NEAR(s, num(w, "statistic"), TOL, "%s %s: %.17g vs %.17g", pair, name, s,
                    num(w, "statistic"));
        ASSERT_NEAR(lp_value_as_float(lp_map_get(c, "psi")), num(w, "psi"), TOL, "%s %s psi", pair,
                    name);
        ASSERT_NEAR(lp_value_as_float(lp_map_get(c, "threshold")), num(w, "threshold"), 0, "%s",
                    name);
        if (json_object_get(w, "test_statistic"))
            ASSERT_NEAR(lp_value_as_float(lp_map_get(c, "test_statistic")),
                        num(w, "test_statistic"), TOL, "%s %s test statistic", pair, name);
        cr_assert_eq(lp_value_as_bool(lp_map_get(c, "drifted")),
                     json_is_true(json_object_get(w, "drifted")), "%s %s drifted", pair, name);
    }
    cr_assert_eq(lp_value_as_int(lp_map_get(report, "drifted_columns")),
                 json_integer_value(json_object_get(want, "drifted_columns")));
    cr_assert_eq(lp_value_as_bool(lp_map_get(report, "dataset_drift")),
                 json_is_true(json_object_get(want, "dataset_drift")));
    /* the JSON twin sits beside the HTML */
    char twin[512];
    snprintf(twin, sizeof twin, "%.*s.json", (int)(strlen(path) - 5), path);
    json_error_t err;
    json_t *tj = json_load_file(twin, 0, &err);
    cr_assert_not_null(tj, "%s: %s", twin, err.text);
    cr_assert_eq(json_array_size(json_object_get(tj, "columns")), lp_list_len(cols));
    json_decref(tj);
    json_decref(all);
    lp_value_unref(res);
    lp_value_unref(ref);
    lp_value_unref(cur);
}

Test(profiler, compare_data_small_uses_tests_as_scipy)
{
    check_drift("small");
}

Test(profiler, compare_data_large_uses_distances_as_scipy)
{
    check_drift("large");
}

Test(profiler, compare_data_thresholds_are_configurable)
{
    char old[256], new[256];
    snprintf(old, sizeof old, "%s/large_old.csv", PROF_DIR);
    snprintf(new, sizeof new, "%s/large_new.csv", PROF_DIR);
    uw_tmpdir("profiler", true);
    /* every test-sized: KS and chi-square; a share of 0.4 makes 2 of 5 a dataset drift */
    lp_obj *p = profiler("dir: r, drift: {small_rows: 100000, dataset_share: 0.4}");
    lp_value *ref = read_frame(old), *cur = read_frame(new);
    lp_value *res = lp_data_profiler_compare_data(p, cur, ref);
    cr_assert_not_null(res, "%s", lp_error_last()->message);
    const lp_value *report = lp_map_get(res, "report");
    const lp_value *c0 = lp_list_get(lp_map_get(report, "columns"), 0);
    cr_assert_str_eq(lp_value_as_string(lp_map_get(c0, "method")), "ks");
    cr_assert(lp_value_as_bool(lp_map_get(report, "dataset_drift")));
    lp_value_unref(res);
    lp_value_unref(ref);
    lp_value_unref(cur);
}

static const lp_value *variable(const lp_value *report, const char *name)
{
    const lp_value *vars = lp_map_get(report, "variables");
    for (size_t i = 0; i < lp_list_len(vars); i++)
        if (strcmp(lp_value_as_string(lp_map_get(lp_list_get(vars, i), "name")), name) == 0)
            return lp_list_get(vars, i);
    cr_assert_fail("no variable %s", name);
    return NULL;
}

/* 1e-9 relative (pandas sums in another order). */
static void near_rel(double got, double want, const char *what, const char *col)
{
    cr_assert(fabs(got - want) <= 1e-9 * fmax(1, fabs(want)), "%s %s: %.17g vs %.17g", col, what,
              got, want);
}

Test(profiler, profile_data_equals_pandas)
{
    uw_tmpdir("profiler", true);
    lp_obj *p = profiler("dir: reports, model_target: survived");
    lp_value *frame = read_frame(LP_FIXTURES_DIR "/data/titanic.csv");
    lp_value *res = lp_data_profiler_profile_data(p, frame);
    cr_assert_not_null(res, "%s", lp_error_last()->message);
    const lp_value *report = lp_map_get(res, "report");
    json_t *want = load("profile.json");
    cr_assert_eq(lp_value_as_int(lp_map_get(report, "rows")), num(want, "rows"));
    cr_assert_eq(lp_value_as_int(lp_map_get(report, "duplicate_rows")),
                 num(want, "duplicate_rows"));
    const char *key;
    json_t *w;
    size_t checked = 0;
    json_object_foreach(json_object_get(want, "variables"), key, w)
    {
        const lp_value *v = variable(report, key);
        static const char *const ints[] = {"count", "missing", "distinct", "zeros"};
        for (size_t k = 0; k < 4; k++)
            if (json_object_get(w, ints[k]))
                cr_assert_eq(lp_value_as_int(lp_map_get(v, ints[k])), num(w, ints[k]), "%s %s", key,
                             ints[k]);
        static const char *const nums[] = {"mean", "std", "min", "5%", "25%",
                                           "50%",  "75%", "95%", "max"};
        for (size_t k = 0; k < 9; k++)
            if (json_is_number(json_object_get(w, nums[k])))
                near_rel(lp_value_as_float(lp_map_get(v, nums[k])), num(w, nums[k]), nums[k], key);
        const json_t *h = json_object_get(w, "histogram");
        if (h) {
            const lp_value *hv = lp_map_get(lp_map_get(v, "histogram"), "counts");
            const lp_value *he = lp_map_get(lp_map_get(v, "histogram"), "edges");
            for (size_t b = 0; b < 20; b++) {
                cr_assert_eq(lp_value_as_int(lp_list_get(hv, b)),
                             json_integer_value(json_array_get(json_object_get(h, "counts"), b)),
                             "%s bin %zu", key, b);
                near_rel(lp_value_as_float(lp_list_get(he, b)),
                         json_number_value(json_array_get(json_object_get(h, "edges"), b)), "edge",
                         key);
            }
        }
        const json_t *top = json_object_get(w, "top_values");
        if (top) { /* pandas orders ties arbitrarily: compare value -> count */
            const lp_value *tv = lp_map_get(v, "top_values");
            cr_assert_eq(lp_list_len(tv), json_object_size(top), "%s top values", key);
            for (size_t i = 0; i < lp_list_len(tv); i++) {
                const lp_value *e = lp_list_get(tv, i);
                const json_t *c = json_object_get(top, lp_value_as_string(lp_map_get(e, "value")));
                cr_assert(json_is_integer(c), "%s: %s not in pandas' top", key,
                          lp_value_as_string(lp_map_get(e, "value")));
                cr_assert_eq(lp_value_as_int(lp_map_get(e, "count")), json_integer_value(c));
            }
        }
        checked++;
    }
    cr_assert_eq(checked, 15);
    /* correlations: pandas' corr() over the number and bool columns */
    const lp_value *corr = lp_map_get(report, "correlations");
    const json_t *names = json_object_get(want, "corr_columns");
    cr_assert_eq(lp_list_len(lp_map_get(corr, "columns")), json_array_size(names));
    static const char *const kinds[] = {"pearson", "spearman"};
    for (size_t k = 0; k < 2; k++)
        for (size_t a = 0; a < json_array_size(names); a++)
            for (size_t b = 0; b < json_array_size(names); b++) {
                const json_t *x =
                    json_array_get(json_array_get(json_object_get(want, kinds[k]), a), b);
                const lp_value *y = lp_list_get(lp_list_get(lp_map_get(corr, kinds[k]), a), b);
                near_rel(lp_value_as_float(y), json_number_value(x), kinds[k],
                         json_string_value(json_array_get(names, a)));
            }
    const lp_value *cv = lp_map_get(corr, "cramers_v");
    json_object_foreach(json_object_get(want, "cramers_v"), key, w)
    {
        char a[32], b[32];
        sscanf(key, "%31[^|]|%31s", a, b);
        const lp_value *cols = lp_map_get(cv, "columns");
        size_t ia = 99, ib = 99;
        for (size_t i = 0; i < lp_list_len(cols); i++) {
            if (strcmp(lp_value_as_string(lp_list_get(cols, i)), a) == 0) ia = i;
            if (strcmp(lp_value_as_string(lp_list_get(cols, i)), b) == 0) ib = i;
        }
        cr_assert(ia != 99 && ib != 99, "%s and %s are categorical", a, b);
        near_rel(lp_value_as_float(lp_list_get(lp_list_get(lp_map_get(cv, "matrix"), ia), ib)),
                 json_number_value(w), "Cramér's V", key);
    }
    /* alerts: deck is 77% missing; adult_male and who move together */
    char *text = lp_value_to_string(lp_map_get(report, "alerts"));
    cr_assert(strstr(text, "high_missing") && strstr(text, "deck"), "%s", text);
    cr_assert(strstr(text, "high_correlation"), "%s", text);
    free(text);
    json_decref(want);
    lp_value_unref(res);
    lp_value_unref(frame);
}

Test(profiler, kinds_alerts_and_imbalance)
{
    uw_tmpdir("profiler", true);
    FILE *fh = fopen("k.csv", "w");
    fprintf(fh, "id,const,label,note\n");
    for (int i = 0; i < 100; i++)
        fprintf(fh, "%d,7,%s,free text number %d with words\n", i, i < 5 ? "yes" : "no", i * 31);
    fclose(fh);
    lp_obj *p = profiler("profile_file: out.html, model_target: label");
    lp_value *frame = read_frame("k.csv");
    lp_value *res = lp_data_profiler_profile_data(p, frame);
    cr_assert_not_null(res, "%s", lp_error_last()->message);
    cr_assert_str_eq(lp_value_as_string(lp_map_get(res, "path")), "out.html");
    cr_assert_eq(access("out.json", R_OK), 0);
    const lp_value *report = lp_map_get(res, "report");
    cr_assert_str_eq(lp_value_as_string(lp_map_get(variable(report, "id"), "kind")), "id-like");
    cr_assert_str_eq(lp_value_as_string(lp_map_get(variable(report, "const"), "kind")), "constant");
    cr_assert_str_eq(lp_value_as_string(lp_map_get(variable(report, "label"), "kind")),
                     "categorical");
    cr_assert_str_eq(lp_value_as_string(lp_map_get(variable(report, "note"), "kind")), "text");
    char *text = lp_value_to_string(lp_map_get(report, "alerts"));
    cr_assert(strstr(text, "constant") && strstr(text, "imbalanced_target") &&
                  strstr(text, "high_cardinality"),
              "%s", text);
    free(text);
    lp_value_unref(res);
    lp_value_unref(frame);
}

Test(profiler, distinct_is_estimated_above_the_configured_rows)
{
    uw_tmpdir("profiler", true);
    lp_obj *p = profiler("dir: r, exact_distinct_rows: 10");
    lp_value *frame = read_frame(LP_FIXTURES_DIR "/data/titanic.csv");
    lp_value *res = lp_data_profiler_profile_data(p, frame);
    cr_assert_not_null(res);
    const lp_value *v = variable(lp_map_get(res, "report"), "fare");
    cr_assert(lp_value_as_bool(lp_map_get(v, "distinct_estimated")));
    double d = (double)lp_value_as_int(lp_map_get(v, "distinct"));
    cr_assert(fabs(d - 248) <= 5, "fare distinct ~248, got %.0f", d);
    lp_value_unref(res);
    lp_value_unref(frame);
}

Test(profiler, bad_config_is_refused)
{
    const char *bad[] = {"drift: {p_value: 2}", "bins: 0", "alerts: {missing: -1}", "bins: 5000"};
    for (size_t i = 0; i < 4; i++) {
        char yaml[256];
        snprintf(yaml, sizeof yaml,
                 "component: {data_profiler: LocalDataProfiler}\n"
                 "data_profiler:\n  config: {%s}\n",
                 bad[i]);
        cr_assert_neq(uw_try_build(0, yaml), 0, "accepted: %s", bad[i]);
        cr_assert(strstr(lp_error_last()->message, "LocalDataProfiler"), "%s",
                  lp_error_last()->message);
    }
}
