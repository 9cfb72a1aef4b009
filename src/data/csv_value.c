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

static bool scan_decimal(const char *s, size_t n, num_scan *r)
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

static const double pow10_exact[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                     1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                     1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

bool lp_csv_parse_f64(const char *s, size_t n, double *out)
{
    num_scan r;
    if (!scan_decimal(s, n, &r)) return parse_special(s, n, out);
    if (r.mant == 0) {
        *out = r.neg ? -0.0 : 0.0;
        return true;
    }
    /* Clinger's fast path: an exact mantissa times an exact power of ten is
     * correctly rounded by one IEEE operation. */
    if (r.digits <= 19 && r.mant <= (1ULL << 53) && r.exp10 >= -22 && r.exp10 <= 22) {
        double v = (double)r.mant;
        v = r.exp10 < 0 ? v / pow10_exact[-r.exp10] : v * pow10_exact[r.exp10];
        *out = r.neg ? -v : v;
        return true;
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
            if (scan_decimal(s, n, &r) || parse_special(s, n, &d)) m |= LP_CSV_M_FLOAT;
        }
    }
    if ((allowed & LP_CSV_M_TS) && n >= 10 && is_digit(c) && s[4] == '-') {
        int64_t t;
        if (lp_csv_parse_ts(s, n, &t)) m |= LP_CSV_M_TS;
    }
    return m & allowed;
}

/* ---- timestamps ----------------------------------------------------------- */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

/* n digits at s[*i] into *v; false unless all are digits. */
static bool digits(const char *s, size_t len, size_t *i, int n, int *v)
{
    if (*i + (size_t)n > len) return false;
    int x = 0;
    for (int k = 0; k < n; k++) {
        char c = s[*i + (size_t)k];
        if (!is_digit(c)) return false;
        x = x * 10 + (c - '0');
    }
    *i += (size_t)n;
    *v = x;
    return true;
}

static unsigned days_in_month(int y, int m)
{
    static const unsigned dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : dm[m - 1];
}

/* The optional "Z" / "±HH[:MM]" suffix at s[i..n) → offset in minutes. */
static bool parse_zone(const char *s, size_t n, size_t i, int *minutes)
{
    *minutes = 0;
    if (i == n) return true;
    if (s[i] == 'Z') return i + 1 == n;
    if (s[i] != '+' && s[i] != '-') return false;
    int sign = s[i++] == '-' ? -1 : 1, hh = 0, mm = 0;
    if (!digits(s, n, &i, 2, &hh) || hh > 23) return false;
    if (i < n && s[i] == ':') i++;
    if (i < n && (!digits(s, n, &i, 2, &mm) || mm > 59)) return false;
    *minutes = sign * (hh * 60 + mm);
    return i == n;
}

/* "HH:MM[:SS[.frac]]" at s[*i] → microseconds of the day. */
static bool parse_time(const char *s, size_t n, size_t *i, int64_t *us)
{
    int hh, mi, ss = 0;
    if (!digits(s, n, i, 2, &hh) || hh > 23 || *i >= n || s[*i] != ':') return false;
    (*i)++;
    if (!digits(s, n, i, 2, &mi) || mi > 59) return false;
    int64_t frac = 0;
    if (*i < n && s[*i] == ':') {
        (*i)++;
        if (!digits(s, n, i, 2, &ss) || ss > 59) return false;
        if (*i < n && (s[*i] == '.' || s[*i] == ',')) {
            (*i)++;
            int nd = 0;
            for (; *i < n && is_digit(s[*i]); (*i)++, nd++)
                if (nd < 6) frac = frac * 10 + (s[*i] - '0');
            if (nd == 0) return false;
            for (; nd < 6; nd++)
                frac *= 10;
        }
    }
    *us = ((int64_t)hh * 3600 + mi * 60 + ss) * 1000000 + frac;
    return true;
}

bool lp_csv_parse_ts(const char *s, size_t n, int64_t *out)
{
    size_t i = 0;
    int y, mo, d;
    if (!digits(s, n, &i, 4, &y) || i >= n || s[i++] != '-') return false;
    if (!digits(s, n, &i, 2, &mo) || mo < 1 || mo > 12 || i >= n || s[i++] != '-') return false;
    if (!digits(s, n, &i, 2, &d) || d < 1 || (unsigned)d > days_in_month(y, mo)) return false;
    int64_t tod = 0;
    int zone = 0;
    if (i < n) {
        if (s[i] != 'T' && s[i] != ' ') return false;
        i++;
        if (!parse_time(s, n, &i, &tod) || !parse_zone(s, n, i, &zone)) return false;
    }
    int64_t days = days_from_civil(y, (unsigned)mo, (unsigned)d);
    int64_t us = days * 86400LL * 1000000LL + tod - (int64_t)zone * 60 * 1000000LL;
    /* A zone can carry 0000-01-01 or 9999-12-31 out of the four-digit years,
     * which the writer could not write back as a timestamp: not one then. */
    const int64_t day_us = 86400LL * 1000000LL;
    if (us < days_from_civil(0, 1, 1) * day_us || us >= days_from_civil(10000, 1, 1) * day_us)
        return false;
    *out = us;
    return true;
}

size_t lp_csv_format_ts(char buf[48], int64_t us, bool date_only)
{
    const int64_t day_us = 86400LL * 1000000LL;
    int64_t days = us / day_us, rem = us % day_us;
    if (rem < 0) rem += day_us, days--;
    int64_t y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    int n;
    if (date_only) {
        n = snprintf(buf, 48, "%04lld-%02u-%02u", (long long)y, m, d);
    } else {
        long long secs = (long long)(rem / 1000000), frac = (long long)(rem % 1000000);
        n = snprintf(buf, 48, "%04lld-%02u-%02uT%02lld:%02lld:%02lld", (long long)y, m, d,
                     secs / 3600, secs / 60 % 60, secs % 60);
        if (frac && n > 0 && n < 40) n += snprintf(buf + n, (size_t)(48 - n), ".%06lld", frac);
    }
    return n > 0 ? (size_t)n : 0;
}

size_t lp_csv_format_f64(char buf[40], double v)
{
    if (isnan(v)) return (size_t)snprintf(buf, 40, "NaN");
    if (isinf(v)) return (size_t)snprintf(buf, 40, v < 0 ? "-inf" : "inf");
    int n = 0;
    for (int prec = 15; prec <= 17; prec++) {
        n = snprintf(buf, 40, "%.*g", prec, v);
        double back;
        if (lp_csv_parse_f64(buf, (size_t)n, &back) && back == v) break;
    }
    if (!strpbrk(buf, ".eE") && n + 2 < 40) {
        buf[n++] = '.';
        buf[n++] = '0';
        buf[n] = '\0';
    }
    return (size_t)n;
}
