/*
 * csv_format_f64.c — a double as CSV text: the first of "%.15g", "%.16g" and
 * "%.17g" that lp_csv_parse_f64 reads back as the same double, with ".0" after
 * an integral value. That text is what every predictions.csv, frame export
 * and server response holds, so it must not change.
 *
 * lp_csv_format_f64_printf is the definition: up to three snprintf calls, each
 * parsed back, ~7,000 instructions per value (XGBoost's float32 probabilities
 * as doubles take all three). lp_csv_format_f64 computes the same three texts
 * without printf for normal doubles of 1e-5 <= |v| < 1e15: v = m·2^-q exactly
 * (m < 2^53), so m·10^s (s <= 22, < 2^127) is exact in 128-bit integers and
 * floor(v·10^s) with its remainder gives the correctly rounded P digits
 * (ties to even, as glibc's printf rounds) by integer arithmetic alone. Why
 * not a shortest-round-trip algorithm (Ryu, Schubfach, Grisu): their digits
 * are not always these. When the nearest 16-digit decimal falls just outside
 * the round-trip interval (the interval's lower half is half as wide above a
 * power of two) a 16-digit decimal further from v may still read back, so Ryu
 * prints 16 digits where this loop prints 17; and Debian's C libraries for
 * them (libdouble-conversion, libdragonbox) are C++. The round-trip check
 * stays the one the definition makes (lp_csv_parse_f64 of the text), so both
 * functions make the same decisions. Other values (zero, subnormal, tiny,
 * huge, inf, NaN) take the definition's path. tests/unit/test_format_f64.c
 * and fuzz/fuzz_format_f64.c compare the two.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "csv_internal.h"

__extension__ typedef unsigned __int128 u128; /* GCC and Clang on 64-bit targets */

static const uint64_t pow10_u64[20] = {1ULL,
                                       10ULL,
                                       100ULL,
                                       1000ULL,
                                       10000ULL,
                                       100000ULL,
                                       1000000ULL,
                                       10000000ULL,
                                       100000000ULL,
                                       1000000000ULL,
                                       10000000000ULL,
                                       100000000000ULL,
                                       1000000000000ULL,
                                       10000000000000ULL,
                                       100000000000000ULL,
                                       1000000000000000ULL,
                                       10000000000000000ULL,
                                       100000000000000000ULL,
                                       1000000000000000000ULL,
                                       10000000000000000000ULL};

/* ".0" after a text with no '.', 'e' or 'E' (an integral value), so that it
 * is read back as a float. */
static size_t add_point_zero(char buf[40], size_t n)
{
    if (!memchr(buf, '.', n) && !memchr(buf, 'e', n) && !memchr(buf, 'E', n) && n + 2 < 40) {
        buf[n++] = '.';
        buf[n++] = '0';
        buf[n] = '\0';
    }
    return n;
}

size_t lp_csv_format_f64_printf(char buf[40], double v)
{
    if (isnan(v)) return (size_t)snprintf(buf, 40, "NaN");
    if (isinf(v)) return (size_t)snprintf(buf, 40, v < 0 ? "-inf" : "inf");
    int n = 0;
    for (int prec = 15; prec <= 17; prec++) {
        n = snprintf(buf, 40, "%.*g", prec, v);
        double back;
        if (lp_csv_parse_f64(buf, (size_t)n, &back) && back == v) break;
    }
    return add_point_zero(buf, (size_t)n);
}

static u128 pow10_u128(int s) /* 0 <= s <= 38 */
{
    return s <= 19 ? (u128)pow10_u64[s] : (u128)pow10_u64[19] * pow10_u64[s - 19];
}

/* floor(m·2^-q·10^s) and whether the remainder is below, at or above one half
 * (-1, 0, 1; 2 when it is zero). Needs m·10^s < 2^128 and 1 <= q <= 127. */
static uint64_t scaled_floor(uint64_t m, int q, int s, int *half)
{
    u128 num = (u128)m * pow10_u128(s);
    u128 rem = num & (((u128)1 << q) - 1), h = (u128)1 << (q - 1);
    *half = rem == 0 ? 2 : rem < h ? -1 : rem == h ? 0 : 1;
    return (uint64_t)(num >> q);
}

/* "%.{p}g" of d·10^(x - p + 1) where d has exactly p digits (p <= 17): the
 * digits without trailing zeros, fixed notation when -4 <= x < p, else
 * d.ddde±XX. Returns the length (no terminator). */
static size_t put_g(char *out, uint64_t d, int p, int x)
{
    char dg[20];
    for (int i = p - 1; i >= 0; i--, d /= 10)
        dg[i] = (char)('0' + d % 10);
    int len = p;
    while (len > 1 && dg[len - 1] == '0')
        len--;
    size_t n = 0;
    if (x >= -4 && x < p) {
        if (x >= 0) {
            for (int i = 0; i <= x; i++)
                out[n++] = i < len ? dg[i] : '0';
            if (len > x + 1) {
                out[n++] = '.';
                for (int i = x + 1; i < len; i++)
                    out[n++] = dg[i];
            }
        } else {
            out[n++] = '0';
            out[n++] = '.';
            for (int i = 0; i < -x - 1; i++)
                out[n++] = '0';
            for (int i = 0; i < len; i++)
                out[n++] = dg[i];
        }
        return n;
    }
    out[n++] = dg[0];
    if (len > 1) {
        out[n++] = '.';
        for (int i = 1; i < len; i++)
            out[n++] = dg[i];
    }
    out[n++] = 'e';
    out[n++] = x < 0 ? '-' : '+';
    int ax = x < 0 ? -x : x; /* < 100 in the range this file formats itself */
    out[n++] = (char)('0' + ax / 10);
    out[n++] = (char)('0' + ax % 10);
    return n;
}

size_t lp_csv_format_f64(char buf[40], double v)
{
    uint64_t bits;
    memcpy(&bits, &v, 8);
    int be = (int)((bits >> 52) & 0x7FF);
    double a = fabs(v);
    /* zero, subnormal, inf and NaN have be 0 or 0x7FF; outside [1e-5, 1e15) the
     * exponent may leave the exact 128-bit range below */
    if (be == 0 || be == 0x7FF || !(a >= 1e-5 && a < 1e15)) return lp_csv_format_f64_printf(buf, v);
    uint64_t m = (bits & ((1ULL << 52) - 1)) | (1ULL << 52);
    int q = 1075 - be; /* v = ±m·2^-q; a < 1e15 < 2^50 gives q >= 3, a >= 1e-5 gives q <= 70 */
    /* x = floor(log10 a): estimated from the binary exponent, then corrected so
     * that floor(a·10^(16 - x)) has exactly 17 digits */
    int x = (int)floor((52 - q) * 0.30102999566398120);
    for (;;) {
        if (x < -6 || x > 15) return lp_csv_format_f64_printf(buf, v); /* cannot happen */
        int half;
        uint64_t f = scaled_floor(m, q, 16 - x, &half);
        if (f < pow10_u64[16])
            x--;
        else if (f >= pow10_u64[17])
            x++;
        else
            break;
    }
    size_t n = 0;
    for (int p = 15; p <= 17; p++) {
        int s = p - 1 - x, half; /* 0 <= s <= 22: m·10^s < 2^53·2^73.1 */
        uint64_t d = scaled_floor(m, q, s, &half);
        int xp = x;
        if (half == 1 || (half == 0 && (d & 1))) d++; /* to nearest, ties to even */
        if (d == pow10_u64[p]) d = pow10_u64[p - 1], xp++;
        /* what lp_csv_parse_f64 reads from the text: the decimal d·10^(xp-p+1)
         * correctly rounded, which Eisel-Lemire gives when it can decide (the
         * text is written only when it cannot, and for the result) */
        double back = 0;
        bool decided = lp_f64_eisel_lemire(&back, d, xp - p + 1, v < 0);
        if (decided && back != v && p < 17) continue;
        n = 0;
        if (v < 0) buf[n++] = '-';
        n += put_g(buf + n, d, p, xp);
        buf[n] = '\0';
        if (decided || (lp_csv_parse_f64(buf, n, &back) && back == v) || p == 17) break;
    }
    return add_point_zero(buf, n);
}
