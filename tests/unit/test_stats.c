/* Unit tests for column statistics (lp_column_stats_compute): the numbers
 * pandas' describe(include="all") gives on real files, read from fixtures
 * that tests/fixtures/gen_describe.py computed with pandas, to 1e-9 relative;
 * plus hand-checkable cases for every column type. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "data/bits.h"
#include "data/radix.h"
#include "lolpop/csv.h"
#include "lolpop/error.h"
#include "lolpop/frame.h"

#define FIXTURES LP_TEST_DATA_DIR "/../../fixtures"

/* Expected number (null = NaN, "inf"/"-inf") against the computed one. */
static void check_num(const json_t *want, double got, const char *col, const char *key)
{
    if (json_is_null(want)) {
        cr_assert(isnan(got), "%s.%s: expected none, got %.17g", col, key, got);
        return;
    }
    if (json_is_string(want)) {
        double inf = strcmp(json_string_value(want), "inf") == 0 ? INFINITY : -INFINITY;
        cr_assert_eq(got, inf, "%s.%s: expected %s, got %.17g", col, key, json_string_value(want),
                     got);
        return;
    }
    double w = json_number_value(want);
    double aw = fabs(w), ag = fabs(got), tol = 1e-9 * (aw > ag ? aw : ag);
    cr_assert(fabs(w - got) <= tol, "%s.%s: expected %.17g, got %.17g", col, key, w, got);
}

static void check_file(const char *stem)
{
    char path[512];
    snprintf(path, sizeof path, "%s/describe/%s.json", FIXTURES, stem);
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);
    cr_assert_not_null(root, "%s: %s", path, jerr.text);
    snprintf(path, sizeof path, "%s/data/%s.csv", FIXTURES, stem);
    lp_frame *f = NULL;
    cr_assert_eq(lp_csv_read(&f, path, NULL), 0, "%s", lp_error_last()->message);
    cr_assert_eq(lp_frame_rows(f), (size_t)json_integer_value(json_object_get(root, "rows")));
    const json_t *cols = json_object_get(root, "columns");
    cr_assert_eq(lp_frame_cols(f), json_array_size(cols));
    size_t i;
    const json_t *c;
    json_array_foreach(cols, i, c)
    {
        const char *name = json_string_value(json_object_get(c, "name"));
        cr_assert_str_eq(lp_frame_name(f, i), name);
        lp_column_stats s;
        cr_assert_eq(lp_column_stats_compute(&s, lp_frame_col(f, i)), 0);
        cr_assert_eq(s.count, (size_t)json_integer_value(json_object_get(c, "count")), "%s", name);
        cr_assert_eq(s.missing, (size_t)json_integer_value(json_object_get(c, "missing")), "%s",
                     name);
        cr_assert_eq(s.distinct, (size_t)json_integer_value(json_object_get(c, "distinct")), "%s",
                     name);
        static const char *keys[] = {"mean", "std", "min", "25%", "50%", "75%", "max"};
        double got[] = {s.mean, s.std, s.min, s.q25, s.q50, s.q75, s.max};
        if (s.numeric)
            for (int k = 0; k < 7; k++)
                check_num(json_object_get(c, keys[k]), got[k], name, keys[k]);
        const json_t *top = json_object_get(c, "top");
        if (json_is_string(top)) {
            cr_assert_not_null(s.top, "%s: no top", name);
            cr_assert_str_eq(s.top, json_string_value(top), "%s", name);
            cr_assert_eq(s.freq, (size_t)json_integer_value(json_object_get(c, "freq")), "%s",
                         name);
        } else {
            cr_assert(s.numeric || s.count == 0, "%s: pandas saw a number column", name);
        }
        lp_column_stats_free(&s);
    }
    lp_frame_unref(f);
    json_decref(root);
}

Test(stats, titanic_matches_pandas)
{
    check_file("titanic");
}

Test(stats, diamonds_matches_pandas)
{
    check_file("diamonds");
}

Test(stats, ugly_file_matches_pandas)
{
    check_file("ugly");
}

static lp_frame *frame_of(const char *text)
{
    lp_frame *f = NULL;
    cr_assert_eq(lp_csv_read_buffer(&f, text, strlen(text), "s.csv", NULL), 0, "%s",
                 lp_error_last()->message);
    return f;
}

Test(stats, numbers_by_hand)
{
    lp_frame *f = frame_of("x\n4\n1\nNA\n3\n2\n2\n");
    lp_column_stats s;
    cr_assert_eq(lp_column_stats_compute(&s, lp_frame_col(f, 0)), 0);
    cr_assert(s.numeric);
    cr_assert_eq(s.count, 5);
    cr_assert_eq(s.missing, 1);
    cr_assert_eq(s.distinct, 4);
    cr_assert_float_eq(s.mean, 2.4, 1e-15);
    cr_assert_float_eq(s.std, sqrt(1.3), 1e-15); /* deviations 1.6,-1.4,.6,-.4,-.4 → 5.2/4 */
    cr_assert_eq(s.min, 1);
    cr_assert_eq(s.q25, 2);
    cr_assert_eq(s.q50, 2);
    cr_assert_eq(s.q75, 3);
    cr_assert_eq(s.max, 4);
    cr_assert_null(s.top);
    lp_column_stats_free(&s);
    lp_frame_unref(f);
}

Test(stats, single_value_and_empty)
{
    lp_frame *f = frame_of("x,y\n-1.5,\n");
    lp_column_stats s;
    cr_assert_eq(lp_column_stats_compute(&s, lp_frame_col(f, 0)), 0);
    cr_assert_eq(s.count, 1);
    cr_assert(isnan(s.std), "std of one value is NaN (ddof=1)");
    cr_assert_eq(s.q75, -1.5);
    cr_assert_eq(lp_column_stats_compute(&s, lp_frame_col(f, 1)), 0);
    cr_assert_eq(s.count, 0);
    cr_assert_eq(s.missing, 1);
    cr_assert(isnan(s.mean));
    lp_frame_unref(f);
}

Test(stats, top_ties_go_to_first_seen)
{
    lp_csv_type_override ov[] = {{"c", LP_DT_CATEGORY}};
    lp_csv_options o = {.overrides = ov, .n_overrides = 1};
    const char *text = "s,c,b,t\nb,b,False,2024-01-02\na,a,True,2024-01-01T06:00:00\n"
                       "a,a,True,2024-01-01T06:00:00\nb,b,False,2024-01-02\n";
    lp_frame *f = NULL;
    cr_assert_eq(lp_csv_read_buffer(&f, text, strlen(text), "s.csv", &o), 0);
    const char *want[] = {"b", "b", "False", "2024-01-02T00:00:00"};
    for (size_t j = 0; j < 4; j++) {
        lp_column_stats s;
        cr_assert_eq(lp_column_stats_compute(&s, lp_frame_col(f, j)), 0);
        cr_assert(!s.numeric);
        cr_assert_eq(s.distinct, 2);
        cr_assert_eq(s.freq, 2);
        cr_assert_str_eq(s.top, want[j]);
        lp_column_stats_free(&s);
    }
    lp_column_stats s;
    cr_assert_eq(lp_column_stats_compute(&s, lp_frame_col(f, 3)), 0);
    cr_assert_eq(s.min, 1704088800e6, "earliest timestamp");
    cr_assert_eq(s.max, 1704153600e6, "latest timestamp");
    lp_column_stats_free(&s);
    lp_frame_unref(f);
}

/* String values are hashed eight bytes at a time, the last partial word read
 * whole and masked: values that are prefixes of their neighbours (so that the
 * bytes after them differ), of every length 1..20, at the end of the buffer
 * too, each written twice among 0..2 copies of longer ones. */
Test(stats, string_counts_do_not_see_the_next_value)
{
    char text[8192];
    size_t n = (size_t)snprintf(text, sizeof text, "s\n");
    const char *alpha = "abcdefghijklmnopqrstuvwxyz";
    size_t rows = 0;
    for (int len = 20; len >= 1; len--) /* "abc...", then its prefix twice, then longer */
        for (int copy = 0; copy < 2 + len % 3; copy++) {
            n += (size_t)snprintf(text + n, sizeof text - n, "%.*s\n", len, alpha);
            rows++;
        }
    n += (size_t)snprintf(text + n, sizeof text - n, "abcdefghijklmnopqrstuvwxyz\nab");
    rows += 2;
    lp_frame *f = NULL;
    cr_assert_eq(lp_csv_read_buffer(&f, text, n, "s.csv", NULL), 0);
    cr_assert_eq(lp_frame_rows(f), rows);
    lp_column_stats s;
    cr_assert_eq(lp_column_stats_compute(&s, lp_frame_col(f, 0)), 0);
    cr_assert_eq(s.distinct, 21); /* lengths 1..20 and the whole alphabet */
    cr_assert_eq(s.freq, 5, "'ab' twice plus 2 %% 3 = 2 more, and the last row");
    cr_assert_str_eq(s.top, "ab");
    lp_column_stats_free(&s);
    lp_frame_unref(f);
}

/* ---- lp_radix_sort against qsort --------------------------------------------------- */

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Random keys, keys that differ only in their low or only in their high digit
 * (passes skipped), doubles' keys with ±0, and n = 0, 1, 2. */
Test(radix, sorts_as_qsort)
{
    uint64_t st = 99;
    size_t sizes[] = {0, 1, 2, 3, 1000, 70000};
    for (int kind = 0; kind < 4; kind++) {
        for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
            size_t n = sizes[s];
            uint64_t *a = malloc((n ? n : 1) * sizeof *a), *b = malloc((n ? n : 1) * sizeof *b);
            lp_radix_hist *h = calloc(1, sizeof *h);
            for (size_t i = 0; i < n; i++) {
                st += 0x9E3779B97F4A7C15ull;
                uint64_t z = lp_mix64(st);
                a[i] = kind == 0   ? z
                       : kind == 1 ? 0x1234567800000000ull | (z & 0x7ff)
                       : kind == 2 ? (z & 0xff00000000000000ull) | 42
                                   : lp_f64_sortkey(z % 3 == 0   ? -0.0
                                                    : z % 3 == 1 ? 0.0
                                                                 : (double)(z >> 11) - 0x1p52);
                b[i] = a[i];
                lp_radix_hist_add(h, a[i]);
            }
            cr_assert_eq(lp_radix_sort(a, n, h), 0);
            qsort(b, n, sizeof *b, cmp_u64);
            cr_assert(n == 0 || memcmp(a, b, n * sizeof *a) == 0, "kind %d, n %zu differs", kind,
                      n);
            free(a);
            free(b);
            free(h);
        }
    }
}
