/*
 * test_format_f64.c — lp_csv_format_f64 (integer digits, no printf) writes
 * byte for byte the text of lp_csv_format_f64_printf (the first of %.15g,
 * %.16g, %.17g that reads back), on millions of doubles: random bit patterns,
 * values spread over the fast path's range [1e-5, 1e15) and its edges,
 * float32-origin values (XGBoost's probabilities), integers, decimals of 1 to
 * 17 digits, ties, powers of ten and two with their neighbours, subnormals,
 * ±0, huge and tiny exponents, inf and NaN. And the CSV writer's integers
 * and booleans (written without snprintf) against snprintf's text.
 */
#include <criterion/criterion.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "work_scale.h"
#include "data/csv_internal.h"
#include "lolpop/csv.h"
#include "lolpop/error.h"
#include "lolpop/frame.h"

#include "test_rng.h"

static double uniform01(void)
{
    return (double)(rng() >> 11) * 0x1p-53;
}

static size_t checked, mismatches;

/* Formats v both ways; a difference is reported (the first few) and counted. */
static void check(double v)
{
    char want[40], got[40];
    memset(got, 'x', sizeof got);
    size_t wn = lp_csv_format_f64_printf(want, v);
    size_t gn = lp_csv_format_f64(got, v);
    checked++;
    if (wn != gn || memcmp(want, got, wn + 1) != 0) {
        uint64_t b;
        memcpy(&b, &v, 8);
        if (mismatches++ < 10)
            cr_log_error("%a (%016llx): printf '%s' (%zu), ours '%s' (%zu)", v,
                         (unsigned long long)b, want, wn, got, gn);
    }
}

static void check_both_signs(double v)
{
    check(v);
    check(-v);
}

/* v and its neighbours two steps either way. */
static void check_around(double v)
{
    double lo = v, hi = v;
    check_both_signs(v);
    for (int i = 0; i < 2; i++) {
        lo = nextafter(lo, -INFINITY), hi = nextafter(hi, INFINITY);
        check_both_signs(lo);
        check_both_signs(hi);
    }
}

static void done(void)
{
    cr_assert_eq(mismatches, 0, "%zu of %zu doubles formatted differently", mismatches, checked);
}

Test(format_f64, special_values)
{
    static const double vals[] = {0.0,
                                  1.0,
                                  0.5,
                                  0.1,
                                  0.2,
                                  0.3,
                                  1e-5,
                                  1e15,
                                  1e-4,
                                  1e14,
                                  123456789012345.5,
                                  2.5,
                                  0.125,
                                  1.5e-5,
                                  999999999999999.9,
                                  9.5e-6,
                                  DBL_MIN,
                                  DBL_MAX,
                                  DBL_TRUE_MIN,
                                  DBL_EPSILON,
                                  1e300,
                                  1e-300,
                                  1e16,
                                  1e17,
                                  1e22,
                                  1e23,
                                  4503599627370496.0,
                                  9007199254740993.0,
                                  0.30000000000000004,
                                  1.0 / 3.0,
                                  2.0 / 3.0};
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++)
        check_around(vals[i]);
    check(INFINITY);
    check(-INFINITY);
    check(NAN);
    check(-NAN);
    char buf[40];
    cr_assert_str_eq((lp_csv_format_f64(buf, 0.0), buf), "0.0");
    cr_assert_str_eq((lp_csv_format_f64(buf, -0.0), buf), "-0.0");
    cr_assert_str_eq((lp_csv_format_f64(buf, 1.0), buf), "1.0");
    cr_assert_str_eq((lp_csv_format_f64(buf, 1e-5), buf), "1e-05");
    cr_assert_str_eq((lp_csv_format_f64(buf, 1e14), buf), "100000000000000.0");
    cr_assert_str_eq((lp_csv_format_f64(buf, 0.1), buf), "0.1");
    cr_assert_str_eq((lp_csv_format_f64(buf, (double)0.1f), buf), "0.10000000149011612");
    cr_assert_str_eq((lp_csv_format_f64(buf, 0.30000000000000004), buf), "0.30000000000000004");
    cr_assert_str_eq((lp_csv_format_f64(buf, -2.5e-5), buf), "-2.5e-05");
    done();
}

/* Every power of ten and of two in range, with neighbours: the exponent
 * estimate and the carry into an extra digit (9.99..→10) are decided there. */
Test(format_f64, powers_and_neighbours)
{
    for (int e = -320; e <= 308; e++) {
        char text[16];
        snprintf(text, sizeof text, "1e%d", e);
        check_around(strtod(text, NULL)); /* correctly rounded, unlike pow */
    }
    for (int e = -1074; e <= 1023; e++)
        check_around(ldexp(1.0, e));
    /* just below a power of ten: digits that round up to one more digit */
    for (int e = -6; e <= 16; e++)
        for (int k = 1; k <= 17; k++)
            check_around(pow(10.0, e) * (1.0 - pow(10.0, -k)));
    done();
}

Test(format_f64, random_bit_patterns)
{
    int n = lp_t_cases(1000000);
    for (int i = 0; i < n; i++) {
        uint64_t b = rng();
        double v;
        memcpy(&v, &b, 8);
        check(v);
    }
    done();
}

/* Spread over [1e-6, 1e16) log-uniformly: the fast path and both its edges. */
Test(format_f64, random_in_range)
{
    int n = lp_t_cases(500000);
    for (int i = 0; i < n; i++)
        check_both_signs(pow(10.0, -6.0 + 22.0 * uniform01()));
    done();
}

/* XGBoost's probabilities are float32 widened to double: 17 digits each. */
Test(format_f64, float32_origin)
{
    int n = lp_t_cases(500000);
    for (int i = 0; i < n; i++) {
        check((double)(float)uniform01());
        uint32_t b = (uint32_t)rng();
        float f;
        memcpy(&f, &b, 4);
        check((double)f);
    }
    done();
}

/* Integers (up to 2^53 and beyond), and decimals of 1 to 17 digits at every
 * scale in and around the range: the texts CSV files hold. */
Test(format_f64, integers_and_decimals)
{
    int n = lp_t_cases(100000);
    for (int i = 0; i < n; i++) {
        check_both_signs((double)(rng() % 1000000));
        check_both_signs((double)(rng() >> 11));
        check_both_signs((double)(rng() >> (rng() % 64)));
        int digits = 1 + (int)(rng() % 17), exp10 = -25 + (int)(rng() % 45);
        char text[64];
        snprintf(text, sizeof text, "%llue%d",
                 (unsigned long long)(rng() % (uint64_t)pow(10.0, digits)), exp10);
        check_both_signs(strtod(text, NULL));
        /* halfway between two 15- and 16-digit decimals: ties in the rounding */
        snprintf(text, sizeof text, "%llu5e%d", (unsigned long long)(rng() % 1000000000000000ULL),
                 -(int)(rng() % 20));
        check_both_signs(strtod(text, NULL));
    }
    done();
}

Test(format_f64, subnormals_and_extremes)
{
    int n = lp_t_cases(50000);
    for (int i = 0; i < n; i++) {
        uint64_t b = rng() & ((1ULL << 52) - 1); /* exponent 0: subnormal */
        double v;
        memcpy(&v, &b, 8);
        check_both_signs(v);
        b = (rng() & ((1ULL << 52) - 1)) | (0x7FEULL << 52); /* the largest exponent */
        memcpy(&v, &b, 8);
        check_both_signs(v);
    }
    done();
}

/* The writer's rows of int64, bool and float64 columns: each line what
 * snprintf ("%" PRId64, True/False) and lp_csv_format_f64_printf write. */
Test(format_f64, writer_integers_booleans_floats)
{
    enum { ROWS = 20000 };
    lp_column_builder *bi = lp_column_builder_new(LP_DT_INT64, ROWS);
    lp_column_builder *bb = lp_column_builder_new(LP_DT_BOOL, ROWS);
    lp_column_builder *bf = lp_column_builder_new(LP_DT_FLOAT64, ROWS);
    static int64_t ints[ROWS];
    static double floats[ROWS];
    static const int64_t edges[] = {0,
                                    1,
                                    -1,
                                    9,
                                    10,
                                    -10,
                                    99,
                                    100,
                                    INT64_MAX,
                                    INT64_MIN,
                                    INT64_MIN + 1,
                                    1000000000000000000LL,
                                    -999999999999999999LL};
    for (size_t i = 0; i < ROWS; i++) {
        size_t ne = sizeof edges / sizeof edges[0];
        ints[i] = i < ne ? edges[i] : (int64_t)(rng() >> (rng() % 64)) * (rng() & 1 ? -1 : 1);
        floats[i] = (double)(float)uniform01() * (rng() & 1 ? -1 : 1);
        cr_assert_eq(lp_column_builder_append_i64(bi, ints[i]), 0);
        cr_assert_eq(lp_column_builder_append_bool(bb, i % 3 == 0), 0);
        cr_assert_eq(lp_column_builder_append_f64(bf, floats[i]), 0);
    }
    lp_frame *f = lp_frame_new();
    cr_assert_eq(lp_frame_add_column(f, "i", lp_column_builder_finish(bi)), 0);
    cr_assert_eq(lp_frame_add_column(f, "b", lp_column_builder_finish(bb)), 0);
    cr_assert_eq(lp_frame_add_column(f, "f", lp_column_builder_finish(bf)), 0);
    char *buf = NULL;
    size_t len = 0;
    cr_assert_eq(lp_csv_write_buffer(&buf, &len, f, NULL), 0, "%s", lp_error_last()->message);
    const char *line = buf;
    cr_assert(strncmp(line, "i,b,f\n", 6) == 0);
    line += 6;
    for (size_t i = 0; i < ROWS; i++) {
        char want[128], fl[40];
        lp_csv_format_f64_printf(fl, floats[i]);
        int n = snprintf(want, sizeof want, "%lld,%s,%s\n", (long long)ints[i],
                         i % 3 == 0 ? "True" : "False", fl);
        cr_assert(strncmp(line, want, (size_t)n) == 0, "row %zu: '%.*s', want '%s'", i, n, line,
                  want);
        line += n;
    }
    cr_assert_eq((size_t)(line - buf), len);
    free(buf);
    lp_frame_unref(f);
}
