/*
 * test_float_parse.c — the CSV float parser (Eisel-Lemire with a strtod
 * fallback) gives bit for bit what strtod gives: on edge cases, on every
 * shortest and 17-digit rendering of random doubles, on random digit strings
 * of every length and exponent, and on halfway cases between two doubles.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "work_scale.h"
#include "data/csv_internal.h"

#define TEST_RNG_SEED 0x243F6A8885A308D3ULL
#include "test_rng.h"

static size_t mismatches;

/* Parses s both ways; a mismatch is reported (the first few) and counted. */
static void check(const char *s)
{
    char *end;
    double want = strtod(s, &end);
    cr_assert_eq(*end, '\0', "test input '%s' is not a whole number for strtod", s);
    double got;
    cr_assert(lp_csv_parse_f64(s, strlen(s), &got), "'%s' refused", s);
    uint64_t a, b;
    memcpy(&a, &want, 8);
    memcpy(&b, &got, 8);
    if (a != b && !(isnan(want) && isnan(got))) {
        if (mismatches++ < 10)
            cr_log_error("'%s': strtod %.17g (%016llx), ours %.17g (%016llx)", s, want,
                         (unsigned long long)a, got, (unsigned long long)b);
    }
    /* the reader's variant, which reads eight bytes at a time past the value:
     * followed by digits (which must not be taken) and by a separator */
    static const char *const tails[] = {"12345678901234567", ",1.5\n", "9"};
    size_t n = strlen(s);
    for (size_t t = 0; t < 3; t++) {
        char padded[1024];
        size_t tl = strlen(tails[t]);
        if (n + tl >= sizeof padded) continue;
        memcpy(padded, s, n);
        memcpy(padded + n, tails[t], tl + 1);
        double in;
        cr_assert(lp_csv_parse_f64_in(padded, n, n + tl, &in), "'%s' + '%s' refused", s, tails[t]);
        memcpy(&b, &in, 8);
        if (a != b && !(isnan(want) && isnan(in)) && mismatches++ < 10)
            cr_log_error("'%s' followed by '%s': strtod %.17g, ours %.17g", s, tails[t], want, in);
        cr_assert_eq(lp_csv_classify_in(padded, n, n + tl, LP_CSV_M_FLOAT), LP_CSV_M_FLOAT,
                     "'%s' + '%s' not classified as float", s, tails[t]);
    }
}

Test(float_parse, padded_refuses_what_plain_refuses)
{
    static const char *const bad[] = {
        "1.2.3", "12345678x", "1e", "1e+",  "--1", "1-2", "123456789012a",
        ".",     "",          "+",  "0x10", "1 ",  " 1"};
    char padded[64];
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        size_t n = strlen(bad[i]);
        snprintf(padded, sizeof padded, "%s12345678", bad[i]);
        double d;
        cr_assert_not(lp_csv_parse_f64(bad[i], n, &d), "'%s' accepted", bad[i]);
        cr_assert_not(lp_csv_parse_f64_in(padded, n, strlen(padded), &d), "'%s' accepted", bad[i]);
        cr_assert_eq(lp_csv_classify_in(padded, n, strlen(padded), LP_CSV_M_FLOAT), 0u,
                     "'%s' classified as float", bad[i]);
    }
}

Test(float_parse, edge_cases)
{
    static const char *const cases[] = {
        "0",
        "-0",
        "0.0",
        "-0.0",
        "+0",
        "0e0",
        "0e999999",
        "-0e-999999",
        "1",
        "-1",
        "+1",
        "1e308",
        "1.7976931348623157e308",
        "1.7976931348623158e308",
        "1.7976931348623159e308",
        "1e309",
        "-1e309",
        "2.2250738585072014e-308",
        "2.2250738585072011e-308",
        "2.2250738585072012e-308",
        "4.9406564584124654e-324",
        "2.4703282292062327e-324",
        "2.4703282292062328e-324",
        "1e-324",
        "1e-400",
        "5e-324",
        "9007199254740993",
        "9007199254740992",
        "9007199254740991",
        "18014398509481985",
        "1e23",
        "8.98846567431158e307",
        "123456789012345678901234567890",
        "0.1",
        "0.2",
        "0.3",
        "0.30000000000000004",
        "3.141592653589793",
        "2.718281828459045",
        "1.00000000000000011102230246251565404236316680908203125",
        "1.00000000000000011102230246251565404236316680908203124",
        "1.00000000000000011102230246251565404236316680908203126",
        "9007199254740992.5",
        "9007199254740993.0000000000000000000001",
        "7.2057594037927933e16",
        "1e22",
        "1e-22",
        "1e23",
        "1e-23",
        "4503599627370496.5",
        "4503599627370497.5",
        "0.000000000000000000000000000000000000000000001",
        "100000000000000000000000",
        "00000000000000000000001.5",
        ".5",
        "5.",
        "-.5e-3",
        "1E5",
        "1e+5",
        "12345678901234567890",
        "99999999999999999999",
        "18446744073709551615",
        "18446744073709551616",
        "1.8446744073709551616e19",
        "inf",
        "-Infinity",
        "NaN",
        "nan",
        "2.225073858507201136057409796709131975934819546351645648e-308",
        "6.9294956446009195e15",
        "3.0540412025e-312",
        "7.3177701707893310e+15",
    };
    mismatches = 0;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        check(cases[i]);
    cr_assert_eq(mismatches, 0, "%zu mismatches", mismatches);
}

static double random_double(void)
{
    for (;;) {
        uint64_t b = rng();
        double d;
        memcpy(&d, &b, 8);
        if (isfinite(d)) return d;
    }
}

Test(float_parse, random_doubles_printed)
{
    char buf[64];
    mismatches = 0;
    for (int i = 0; i < lp_t_cases(300000); i++) {
        double d = random_double();
        for (int prec = 1; prec <= 17; prec += (prec < 15 ? 7 : 1)) {
            snprintf(buf, sizeof buf, "%.*g", prec, d);
            check(buf);
            snprintf(buf, sizeof buf, "%.*e", prec, d);
            check(buf);
        }
    }
    /* values of ordinary size, as data holds them */
    for (int i = 0; i < lp_t_cases(300000); i++) {
        double d =
            ((double)(rng() >> 11) / 9007199254740992.0 - 0.3) * pow(10, (int)(rng() % 20) - 8);
        snprintf(buf, sizeof buf, "%.*g", 1 + (int)(rng() % 17), d);
        check(buf);
        snprintf(buf, sizeof buf, "%.*f", (int)(rng() % 12), d);
        check(buf);
    }
    cr_assert_eq(mismatches, 0, "%zu mismatches", mismatches);
}

Test(float_parse, random_digit_strings)
{
    char buf[128];
    mismatches = 0;
    for (int i = 0; i < lp_t_cases(400000); i++) {
        int nd = 1 + (int)(rng() % 40), dot = (int)(rng() % (unsigned)(nd + 1)), o = 0;
        if (rng() & 1) buf[o++] = '-';
        for (int k = 0; k < nd; k++) {
            if (k == dot && k) buf[o++] = '.';
            buf[o++] = (char)('0' + rng() % 10);
        }
        if (rng() % 3)
            o += snprintf(buf + o, sizeof buf - (size_t)o, "e%d", (int)(rng() % 700) - 350);
        buf[o] = '\0';
        check(buf);
    }
    cr_assert_eq(mismatches, 0, "%zu mismatches", mismatches);
}

/* Exactly halfway between two neighbouring doubles, and a hair either side:
 * where a parser's rounding goes wrong if anywhere. */
Test(float_parse, halfway_cases)
{
    char buf[900];
    mismatches = 0;
    for (int i = 0; i < lp_t_cases(20000); i++) {
        double d = random_double();
        if (d < 0) d = -d;
        double up = nextafter(d, INFINITY);
        if (!isfinite(up)) continue;
        /* the midpoint printed exactly: %.800e is exact for a double's midpoint in long double
         * only approximately, so build it with long double and print enough digits */
        long double mid = ((long double)d + (long double)up) / 2;
        snprintf(buf, sizeof buf, "%.40Le", mid);
        check(buf);
        snprintf(buf, sizeof buf, "%.25Le", mid);
        check(buf);
        snprintf(buf, sizeof buf, "%.19Le", mid);
        check(buf);
    }
    /* integers around 2^53 and beyond: exact halfway values of few digits */
    for (uint64_t m = (1ULL << 53) - 50; m < (1ULL << 53) + 200; m++) {
        snprintf(buf, sizeof buf, "%llu", (unsigned long long)m);
        check(buf);
        snprintf(buf, sizeof buf, "%llu", (unsigned long long)(m * 2 + 1));
        check(buf);
        snprintf(buf, sizeof buf, "%llu.5", (unsigned long long)m);
        check(buf);
    }
    cr_assert_eq(mismatches, 0, "%zu mismatches", mismatches);
}

/* "digits.digits" of at most eight digits in all is read in one SWAR step when
 * sixteen bytes are readable: every split of 0..10 digits around the dot, with
 * signs and exponents, followed by digits, a dot or a separator that must not be
 * taken; and the same texts with a stray byte inside are refused both ways. */
Test(float_parse, short_decimals_padded)
{
    static const char *const tails[] = {"1234567890123456789", ".5.5.5.5.5.5.5.5.5",
                                        ",,,,,,,,,,,,,,,,,,"};
    char buf[64];
    mismatches = 0;
    for (int rep = 0; rep < lp_t_cases(200); rep++) {
        for (int a = 0; a <= 10; a++) {
            for (int b = 0; b <= 10; b++) {
                int o = 0;
                if (rep % 3 == 1) buf[o++] = '-';
                if (rep % 3 == 2) buf[o++] = '+';
                for (int k = 0; k < a; k++)
                    buf[o++] = (char)('0' + rng() % 10);
                buf[o++] = '.';
                for (int k = 0; k < b; k++)
                    buf[o++] = (char)('0' + rng() % 10);
                if (rep % 4 == 3)
                    o += snprintf(buf + o, sizeof buf - (size_t)o, "e%d", (int)(rng() % 40) - 20);
                buf[o] = '\0';
                if (a + b == 0) {
                    double d;
                    cr_assert_not(lp_csv_parse_f64(buf, (size_t)o, &d), "'%s' accepted", buf);
                    continue;
                }
                check(buf);
                for (size_t t = 0; t < 3; t++) {
                    char padded[128];
                    snprintf(padded, sizeof padded, "%s%s", buf, tails[t]);
                    double ref, in;
                    cr_assert(lp_csv_parse_f64(buf, (size_t)o, &ref));
                    cr_assert(lp_csv_parse_f64_in(padded, (size_t)o, strlen(padded), &in));
                    cr_assert(memcmp(&ref, &in, 8) == 0, "'%s' + '%s': %.17g vs %.17g", buf,
                              tails[t], ref, in);
                }
                /* a stray letter at any position inside: refused with or without padding */
                int at = (int)(rng() % (unsigned)o);
                char bad[128];
                snprintf(bad, sizeof bad, "%.*sx%s%s", at, buf, buf + at + 1, tails[0]);
                double d;
                cr_assert_not(lp_csv_parse_f64(bad, (size_t)o, &d), "'%.*s' accepted", o, bad);
                cr_assert_not(lp_csv_parse_f64_in(bad, (size_t)o, strlen(bad), &d),
                              "'%.*s' accepted (padded)", o, bad);
            }
        }
    }
    cr_assert_eq(mismatches, 0, "%zu mismatches", mismatches);
}

/* Values of up to sixteen digits with or without a dot are read in one SSE2 step
 * (decimal16) when seventeen bytes are readable: every length 1..18 with no dot
 * and with the dot at every place, signs, exponents, all-nines (more than 2^53),
 * leading zeros, each followed by digits, dots, an 'e' or a separator that must
 * not be taken; a second dot or a stray byte anywhere is refused both ways. */
Test(float_parse, decimal16_padded)
{
    static const char *const tails[] = {"12345678901234567890", ".5.5.5.5.5.5.5.5.5.5",
                                        "e5e5e5e5e5e5e5e5e5e5", ",,,,,,,,,,,,,,,,,,,,"};
    char buf[80];
    mismatches = 0;
    for (int rep = 0; rep < lp_t_cases(60); rep++) {
        for (int nd = 1; nd <= 18; nd++) {
            for (int dot = -1; dot <= nd; dot++) { /* -1: no dot */
                int o = 0;
                if (rep % 3 == 1) buf[o++] = '-';
                if (rep % 3 == 2) buf[o++] = '+';
                for (int k = 0; k < nd; k++) {
                    if (k == dot) buf[o++] = '.';
                    char dg = (char)('0' + rng() % 10);
                    if (rep % 5 == 1) dg = '9';               /* above 2^53 at 16 digits */
                    if (rep % 5 == 2 && k < nd / 2) dg = '0'; /* leading zeros */
                    buf[o++] = dg;
                }
                if (dot == nd) buf[o++] = '.';
                if (rep % 4 == 3)
                    o += snprintf(buf + o, sizeof buf - (size_t)o, "e%d", (int)(rng() % 60) - 30);
                buf[o] = '\0';
                check(buf);
                double ref;
                cr_assert(lp_csv_parse_f64(buf, (size_t)o, &ref));
                for (size_t t = 0; t < 4; t++) {
                    char padded[160];
                    snprintf(padded, sizeof padded, "%s%s", buf, tails[t]);
                    double in;
                    cr_assert(lp_csv_parse_f64_in(padded, (size_t)o, strlen(padded), &in));
                    cr_assert(memcmp(&ref, &in, 8) == 0, "'%s' + '%s': %.17g vs %.17g", buf,
                              tails[t], ref, in);
                }
                /* a stray letter or a second dot at any position: refused either way */
                for (int w = 0; w < 2; w++) {
                    int at = (int)(rng() % (unsigned)o);
                    char bad[160];
                    if (w == 1 && dot < 0) continue;
                    snprintf(bad, sizeof bad, "%.*s%c%s%s", at, buf, w ? '.' : 'x', buf + at + 1,
                             tails[0]);
                    if (w == 1 && buf[at] == '.') continue; /* the same text */
                    double d;
                    cr_assert_not(lp_csv_parse_f64(bad, (size_t)o, &d), "'%.*s' accepted", o, bad);
                    cr_assert_not(lp_csv_parse_f64_in(bad, (size_t)o, strlen(bad), &d),
                                  "'%.*s' accepted (padded)", o, bad);
                }
            }
        }
    }
    cr_assert_eq(mismatches, 0, "%zu mismatches", mismatches);
}

/* The reader's inline path (lp_csv_f64_fast) also takes an exponent of one to
 * three digits when the power of ten stays within 10^±22: every sign, case and
 * leading-zero spelling of exponents around and beyond those limits, after
 * mantissas of 1..17 digits (over 2^53 too), bit for bit against strtod, padded
 * and not; malformed exponents are refused both ways. */
Test(float_parse, exponent_fast_path)
{
    char buf[80];
    mismatches = 0;
    for (int rep = 0; rep < lp_t_cases(40); rep++) {
        for (int nd = 1; nd <= 17; nd++) {
            for (int e = -40; e <= 40; e++) {
                int o = 0, dot = (int)(rng() % (unsigned)(nd + 2)) - 1; /* -1: no dot */
                if (rep % 3 == 1) buf[o++] = '-';
                if (rep % 3 == 2) buf[o++] = '+';
                for (int k = 0; k < nd; k++) {
                    if (k == dot) buf[o++] = '.';
                    buf[o++] = (char)('0' + (rep % 7 == 3 ? 9 : rng() % 10));
                }
                if (dot == nd) buf[o++] = '.';
                buf[o++] = rep % 2 ? 'E' : 'e';
                const char *sign = e < 0 ? "-" : (rep % 4 < 2 ? "+" : "");
                int width = 1 + rep % 4; /* leading zeros up to four digits */
                o += snprintf(buf + o, sizeof buf - (size_t)o, "%s%0*d", sign, width, abs(e));
                check(buf);
            }
        }
    }
    static const char *const bad[] = {"1e5x",    "1e-+5", "1ee5",  "1e5.",    "1e 5", "1.5e",
                                      "1.5E-",   "1e5e5", "1e+-5", "1.2e3.4", "e5",   "-e5",
                                      "1e0005x", "1E+",   "1e--1", ".e1"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char padded[64];
        size_t n = strlen(bad[i]);
        snprintf(padded, sizeof padded, "%s12345678901234567", bad[i]);
        double d;
        cr_assert_not(lp_csv_parse_f64(bad[i], n, &d), "'%s' accepted", bad[i]);
        cr_assert_not(lp_csv_parse_f64_in(padded, n, strlen(padded), &d), "'%s' accepted (padded)",
                      bad[i]);
    }
    cr_assert_eq(mismatches, 0, "%zu mismatches", mismatches);
}

/* lp_csv_parse_i64 (its inline loop up to 18 digits, the checked one for 19)
 * against strtoll: every length 1..20 with signs and leading zeros, the int64
 * limits and one past them, and a stray byte anywhere refused. More than 19
 * digits is refused even with leading zeros (as it always was). */
Test(float_parse, ints_against_strtoll)
{
    static const char *const edge[] = {"9223372036854775807",
                                       "-9223372036854775808",
                                       "9223372036854775808",
                                       "-9223372036854775809",
                                       "999999999999999999",
                                       "-000000000000000000",
                                       "+0",
                                       "-0",
                                       "1000000000000000000",
                                       "99999999999999999999"};
    char buf[40];
    for (int rep = 0; rep < lp_t_cases(2000) + 10; rep++) {
        if (rep < 10) {
            snprintf(buf, sizeof buf, "%s", edge[rep]);
        } else {
            int o = 0, nd = 1 + rep % 20;
            if (rep % 3 == 1) buf[o++] = '-';
            if (rep % 3 == 2) buf[o++] = '+';
            for (int k = 0; k < nd; k++)
                buf[o++] = (char)('0' + (rep % 7 == 0 && k < nd / 2 ? 0 : rng() % 10));
            buf[o] = '\0';
        }
        size_t n = strlen(buf);
        errno = 0;
        char *end;
        long long want = strtoll(buf, &end, 10);
        size_t digits = n - (buf[0] == '-' || buf[0] == '+');
        bool fits = errno == 0 && *end == '\0' && digits <= 19; /* the reader's limit */
        int64_t got;
        bool ok = lp_csv_parse_i64(buf, n, &got);
        cr_assert_eq(ok, fits, "'%s': ours %d, strtoll %d", buf, ok, fits);
        if (ok) cr_assert_eq(got, (int64_t)want, "'%s': %lld vs %lld", buf, (long long)got, want);
        char bad[48];
        size_t at = rng() % n;
        snprintf(bad, sizeof bad, "%s", buf);
        bad[at] = (char)"x. e/:"[rng() % 6];
        cr_assert_not(lp_csv_parse_i64(bad, n, &got), "'%s' accepted", bad);
    }
}
