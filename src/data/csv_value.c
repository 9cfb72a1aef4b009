/*
 * csv_value.c — parsing and formatting of single CSV values: booleans,
 * integers, floats, ISO 8601 timestamps, and the type classifier used by
 * inference. These run once per field, so they avoid strtod/sscanf except
 * for the rare float that the exact fast path cannot handle.
 */
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "csv_internal.h"
#include "data/csv_number.h"
#include "data/timestamp.h"

/* pandas 1.5's STR_NA_VALUES, so that describe counts the same missing values. */
const char *const lp_csv_default_na[] = {
    "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
    "<NA>", "N/A",      "NA",  "NULL",    "NaN",      "n/a",  "nan",  "null",   NULL};

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

bool lp_csv_parse_bool(const char *s, size_t n, uint8_t *out)
{
    if (n == 4 &&
        (memcmp(s, "true", 4) == 0 || memcmp(s, "True", 4) == 0 || memcmp(s, "TRUE", 4) == 0)) {
        *out = 1;
        return true;
    }
    if (n == 5 &&
        (memcmp(s, "false", 5) == 0 || memcmp(s, "False", 5) == 0 || memcmp(s, "FALSE", 5) == 0)) {
        *out = 0;
        return true;
    }
    return false;
}

bool lp_csv_parse_i64(const char *s, size_t n, int64_t *out)
{
    if (lp_csv_i64_fast(s, n, out)) return true; /* up to 18 digits */
    size_t i = 0;
    bool neg = false;
    if (n > 0 && (s[0] == '-' || s[0] == '+')) neg = s[i++] == '-';
    if (i == n || n - i > 19) return false;
    uint64_t v = 0;
    for (; i < n; i++) {
        if (!is_digit(s[i])) return false;
        v = v * 10 + (uint64_t)(s[i] - '0'); /* at most 19 digits: cannot wrap */
    }
    if (v > (uint64_t)INT64_MAX + (neg ? 1u : 0u)) return false;
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return true;
}

/* Case-insensitive "inf", "infinity" or "nan" after an optional sign. */
static bool parse_special(const char *s, size_t n, double *out)
{
    size_t i = 0;
    bool neg = false;
    if (n > 0 && (s[0] == '-' || s[0] == '+')) neg = s[i++] == '-';
    char w[9] = {0};
    if (n - i > 8 || n - i < 3) return false;
    for (size_t k = 0; i + k < n; k++)
        w[k] = (char)(s[i + k] | 0x20);
    if (strcmp(w, "inf") == 0 || strcmp(w, "infinity") == 0) {
        *out = neg ? -HUGE_VAL : HUGE_VAL;
        return true;
    }
    if (strcmp(w, "nan") == 0) {
        *out = neg ? -NAN : NAN;
        return true;
    }
    return false;
}

/* Decimal syntax check; collects up to 19 significant digits for the fast path. */
typedef struct num_scan {
    uint64_t mant;
    int digits; /* significant digits collected in mant (saturates at 20 = too many) */
    int exp10;  /* value = mant * 10^exp10 when digits <= 19 */
    bool neg;
} num_scan;

/* The general scan, digit by digit: for values of more than 19 digits. */
static bool scan_decimal_long(const char *s, size_t n, num_scan *r)
{
    size_t i = 0;
    r->mant = 0, r->digits = 0, r->exp10 = 0, r->neg = false;
    if (n > 0 && (s[0] == '-' || s[0] == '+')) r->neg = s[i++] == '-';
    size_t nd = 0;
    for (; i < n && is_digit(s[i]); i++, nd++) {
        if (r->mant == 0 && s[i] == '0') continue; /* leading zeros */
        if (r->digits < 19)
            r->mant = r->mant * 10 + (uint64_t)(s[i] - '0'), r->digits++;
        else
            r->digits = 20, r->exp10++;
    }
    if (i < n && s[i] == '.') {
        for (i++; i < n && is_digit(s[i]); i++, nd++) {
            if (r->mant == 0 && s[i] == '0') {
                r->exp10--;
                continue;
            }
            if (r->digits < 19) {
                r->mant = r->mant * 10 + (uint64_t)(s[i] - '0'), r->digits++;
                r->exp10--;
            } else {
                r->digits = 20;
            }
        }
    }
    if (nd == 0) return false;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        bool eneg = false;
        if (i < n && (s[i] == '-' || s[i] == '+')) eneg = s[i++] == '-';
        if (i == n) return false;
        int e = 0;
        for (; i < n && is_digit(s[i]); i++)
            if (e < 100000) e = e * 10 + (s[i] - '0');
        r->exp10 += eneg ? -e : e;
    }
    return i == n;
}

static inline uint64_t load8(const char *p)
{
    uint64_t w;
    memcpy(&w, p, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    w = __builtin_bswap64(w);
#endif
    return w;
}

/* The number of leading ASCII digits among the eight bytes of w. Carries
 * between bytes start only at a non-digit byte and move towards later bytes,
 * so they never hide the first non-digit. */
static inline int leading_digits(uint64_t w)
{
    uint64_t y = ((w & 0xF0F0F0F0F0F0F0F0ULL) |
                  (((w + 0x0606060606060606ULL) & 0xF0F0F0F0F0F0F0F0ULL) >> 4)) ^
                 0x3333333333333333ULL; /* zero bytes: digits */
    uint64_t nz = (((y & 0x7F7F7F7F7F7F7F7FULL) + 0x7F7F7F7F7F7F7F7FULL) | y) &
                  0x8080808080808080ULL; /* exact: no carry leaves a byte */
    return nz ? __builtin_ctzll(nz) / 8 : 8;
}

/* Digits at *p (before end) into *m; returns the count. Eight bytes are
 * examined at a time while `limit` (>= end) leaves eight readable bytes:
 * the digits among them are combined in a few multiplications (SWAR). */
static inline size_t take_digits(const char **p, const char *end, const char *limit, uint64_t *m)
{
    const char *q = *p;
    uint64_t v = *m;
    while (limit - q >= 8) {
        uint64_t w = load8(q);
        int k = leading_digits(w);
        if (k > end - q) k = (int)(end - q);
        if (k == 0) goto done;
        /* the k digits into the top k bytes, zeros (leading zeros) below */
        uint64_t d = (w - 0x3030303030303030ULL) << (8 * (8 - k));
        d = d * 10 + (d >> 8);
        d = (((d & 0x000000FF000000FFULL) * 0x000F424000000064ULL) +
             (((d >> 16) & 0x000000FF000000FFULL) * 0x0000271000000001ULL)) >>
            32;
        v = v * lp_pow10_u64[k] + d;
        q += k;
        if (k < 8) goto done;
    }
    while (q < end && is_digit(*q))
        v = v * 10 + (uint64_t)(*q++ - '0');
done:;
    size_t k = (size_t)(q - *p);
    *p = q, *m = v;
    return k;
}

/* Decimal syntax check and mantissa / exponent, as scan_decimal_long gives
 * them. The mantissa is accumulated without counting digits one by one; a
 * value of more than 19 digits (which may have wrapped it) is scanned again
 * the long way. */
static bool scan_decimal(const char *s, size_t n, size_t readable, num_scan *r)
{
    const char *p = s, *end = s + n, *limit = s + (readable > n ? readable : n);
    r->neg = false;
    if (p < end && (*p == '-' || *p == '+')) r->neg = *p++ == '-';
    uint64_t m = 0;
    size_t nd, nfrac = 0;
#ifdef LP_DECIMAL16
    if (limit - p < 16 || !csv_decimal16(&p, end, &m, &nd, &nfrac))
#endif
    {
        nd = take_digits(&p, end, limit, &m);
        if (p < end && *p == '.') {
            p++;
            nfrac = take_digits(&p, end, limit, &m);
            nd += nfrac;
        }
    }
    if (nd == 0) return false;
    if (nd > 19) return scan_decimal_long(s, n, r);
    int exp10 = -(int)nfrac;
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        bool eneg = false;
        if (p < end && (*p == '-' || *p == '+')) eneg = *p++ == '-';
        if (p == end) return false;
        int e = 0;
        for (; p < end && is_digit(*p); p++)
            if (e < 100000) e = e * 10 + (*p - '0');
        exp10 += eneg ? -e : e;
    }
    r->mant = m;
    r->exp10 = exp10;
    r->digits = m ? 1 : 0; /* ≤ 19 significant digits: the mantissa is exact */
    return p == end;
}

static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;
static void make_c_locale(void)
{
    c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
}

/* strtod on a NUL-terminated copy, in the C locale whatever the process's. */
static bool slow_strtod(const char *s, size_t n, double *out)
{
    char small[128];
    char *buf = n < sizeof small ? small : malloc(n + 1);
    if (!buf) return false;
    memcpy(buf, s, n);
    buf[n] = '\0';
    pthread_once(&c_locale_once, make_c_locale);
    char *end = NULL;
    *out = c_locale ? strtod_l(buf, &end, c_locale) : strtod(buf, &end);
    bool ok = end == buf + n;
    if (buf != small) free(buf);
    return ok;
}

bool lp_csv_parse_f64(const char *s, size_t n, double *out)
{
    return lp_csv_parse_f64_in(s, n, n, out);
}

bool lp_csv_parse_f64_in(const char *s, size_t n, size_t readable, double *out)
{
    if (lp_csv_f64_fast(s, n, readable, out)) return true;
    num_scan r;
    if (!scan_decimal(s, n, readable, &r)) return parse_special(s, n, out);
    if (r.mant == 0) {
        *out = r.neg ? -0.0 : 0.0;
        return true;
    }
    if (r.digits <= 19 && r.mant <= (1ULL << 53) && r.exp10 >= -22 && r.exp10 <= 22) {
        *out = lp_f64_clinger(r.mant, r.exp10, r.neg);
        return true;
    }
    if (r.digits <= 19 && lp_f64_eisel_lemire(out, r.mant, r.exp10, r.neg)) return true;
    if (r.digits > 19) { /* digits were cut: the value lies in [mant, mant + 1) × 10^exp10 */
        double lo, hi;
        if (lp_f64_eisel_lemire(&lo, r.mant, r.exp10, r.neg) &&
            lp_f64_eisel_lemire(&hi, r.mant + 1, r.exp10, r.neg) && lo == hi) {
            *out = lo;
            return true;
        }
    }
    return slow_strtod(s, n, out);
}

static bool is_int_text(const char *s, size_t n)
{
    int64_t v;
    return lp_csv_parse_i64(s, n, &v);
}

unsigned lp_csv_classify(const char *s, size_t n, unsigned allowed)
{
    return lp_csv_classify_in(s, n, n, allowed);
}

unsigned lp_csv_classify_in(const char *s, size_t n, size_t readable, unsigned allowed)
{
    unsigned m = 0;
    if (n == 0) return 0;
    char c = s[0];
    if ((allowed & LP_CSV_M_BOOL) && (n == 4 || n == 5)) {
        uint8_t b;
        if (lp_csv_parse_bool(s, n, &b)) return LP_CSV_M_BOOL;
    }
    if (allowed & (LP_CSV_M_INT | LP_CSV_M_FLOAT)) {
        if ((allowed & LP_CSV_M_INT) && is_int_text(s, n))
            return (LP_CSV_M_INT | LP_CSV_M_FLOAT) & allowed;
        if (allowed & LP_CSV_M_FLOAT) {
            num_scan r;
            double d;
            if (scan_decimal(s, n, readable, &r) || parse_special(s, n, &d)) m |= LP_CSV_M_FLOAT;
        }
    }
    if ((allowed & LP_CSV_M_TS) && n >= 10 && is_digit(c) && s[4] == '-') {
        int64_t t;
        if (lp_csv_parse_ts(s, n, &t)) m |= LP_CSV_M_TS;
    }
    return m & allowed;
}

/* ---- timestamps ----------------------------------------------------------- */

/* CSV accepts a decimal comma but only four-digit years (after the zone), so
 * that whatever it reads as a timestamp the writer can write back as one. */
bool lp_csv_parse_ts(const char *s, size_t n, int64_t *out)
{
    return lp_ts_parse(s, n, LP_TS_COMMA_FRACTION | LP_TS_FOUR_DIGIT_YEARS, out);
}

size_t lp_csv_format_ts(char buf[48], int64_t us, bool date_only)
{
    return lp_ts_format(us, date_only, buf, 48);
}
