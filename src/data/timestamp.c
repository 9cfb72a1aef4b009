/*
 * timestamp.c — proleptic-Gregorian calendar arithmetic and ISO-8601 text for
 * timestamp values (microseconds since 1970-01-01T00:00:00Z). One reader and
 * one writer; the rules on which the callers differ are flags (timestamp.h).
 */
#include "data/timestamp.h"

#include <inttypes.h>
#include <stdio.h>

#define DAY_US INT64_C(86400000000)

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
int64_t lp_ts_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

void lp_ts_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
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

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Reads exactly n digits at s[*i]; false if any is not a digit. */
static bool digits(const char *s, size_t len, size_t *i, int n, int *out)
{
    int v = 0;
    for (int k = 0; k < n; k++, (*i)++) {
        if (*i >= len || !is_digit(s[*i])) return false;
        v = v * 10 + (s[*i] - '0');
    }
    *out = v;
    return true;
}

static bool expect(const char *s, size_t len, size_t *i, char c)
{
    if (*i >= len || s[*i] != c) return false;
    (*i)++;
    return true;
}

static unsigned days_in_month(int y, int m)
{
    static const unsigned dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : dm[m - 1];
}

/* "YYYY-MM-DD" at s[*i] into days since the epoch; false unless a real date. */
static bool parse_date(const char *s, size_t len, size_t *i, int64_t *days)
{
    int y, m, d;
    if (!digits(s, len, i, 4, &y) || !expect(s, len, i, '-') || !digits(s, len, i, 2, &m) ||
        !expect(s, len, i, '-') || !digits(s, len, i, 2, &d))
        return false;
    if (m < 1 || m > 12 || d < 1 || (unsigned)d > days_in_month(y, m)) return false;
    *days = lp_ts_days_from_civil(y, (unsigned)m, (unsigned)d);
    return true;
}

/* ".fff…" / ",fff…" at s[*i] (separator already checked) into microseconds;
 * digits past the sixth are read and dropped. */
static bool parse_fraction(const char *s, size_t len, size_t *i, int64_t *us)
{
    int64_t frac = 0;
    int nd = 0;
    for ((*i)++; *i < len && is_digit(s[*i]); (*i)++, nd++)
        if (nd < 6) frac = frac * 10 + (s[*i] - '0');
    if (nd == 0) return false;
    for (; nd < 6; nd++)
        frac *= 10;
    *us = frac;
    return true;
}

/* "HH:MM[:SS[.fff]]" at s[*i] into microseconds of the day. */
static bool parse_time(const char *s, size_t len, size_t *i, unsigned rules, int64_t *us)
{
    int hh, mm, ss = 0;
    if (!digits(s, len, i, 2, &hh) || !expect(s, len, i, ':') || !digits(s, len, i, 2, &mm))
        return false;
    int64_t frac = 0;
    if (*i < len && s[*i] == ':') {
        (*i)++;
        if (!digits(s, len, i, 2, &ss)) return false;
        bool sep = *i < len && (s[*i] == '.' || (s[*i] == ',' && (rules & LP_TS_COMMA_FRACTION)));
        if (sep && !parse_fraction(s, len, i, &frac)) return false;
    }
    int max_ss = rules & LP_TS_LEAP_SECOND ? 60 : 59;
    if (hh > 23 || mm > 59 || ss > max_ss) return false;
    *us = ((int64_t)hh * 3600 + mm * 60 + ss) * 1000000 + frac;
    return true;
}

/* "Z", "±HH:MM", "±HHMM" or "±HH" at s[*i] (or nothing) into an offset in
 * microseconds east of UTC. */
static bool parse_zone(const char *s, size_t len, size_t *i, int64_t *us)
{
    *us = 0;
    if (*i >= len) return true;
    if (s[*i] == 'Z') {
        (*i)++;
        return true;
    }
    if (s[*i] != '+' && s[*i] != '-') return false;
    int sign = s[(*i)++] == '-' ? -1 : 1, hh, mm = 0;
    if (!digits(s, len, i, 2, &hh)) return false;
    if (*i < len && s[*i] == ':') (*i)++;
    if (*i < len && !digits(s, len, i, 2, &mm)) return false;
    if (hh > 23 || mm > 59) return false;
    *us = sign * ((int64_t)hh * 3600 + mm * 60) * 1000000;
    return true;
}

bool lp_ts_parse(const char *s, size_t len, unsigned rules, int64_t *out)
{
    size_t i = 0;
    int64_t days, tod = 0, off = 0;
    if (!parse_date(s, len, &i, &days)) return false;
    bool timed = i < len && (s[i] == 'T' || s[i] == ' ');
    if (timed) {
        i++;
        if (!parse_time(s, len, &i, rules, &tod)) return false;
    }
    if ((timed || (rules & LP_TS_ZONE_ON_DATE)) && !parse_zone(s, len, &i, &off)) return false;
    if (i != len) return false;
    int64_t us = days * DAY_US + tod - off;
    if ((rules & LP_TS_FOUR_DIGIT_YEARS) && (us < lp_ts_days_from_civil(0, 1, 1) * DAY_US ||
                                             us >= lp_ts_days_from_civil(10000, 1, 1) * DAY_US))
        return false;
    *out = us;
    return true;
}

size_t lp_ts_format(int64_t us, bool date_only, char *buf, size_t cap)
{
    int64_t days = us / DAY_US, rem = us % DAY_US;
    if (rem < 0) {
        rem += DAY_US;
        days--;
    }
    int64_t y;
    unsigned m, d;
    lp_ts_civil_from_days(days, &y, &m, &d);
    int n;
    if (date_only) {
        n = snprintf(buf, cap, "%04" PRId64 "-%02u-%02u", y, m, d);
    } else {
        int64_t secs = rem / 1000000, frac = rem % 1000000;
        n = snprintf(buf, cap, "%04" PRId64 "-%02u-%02uT%02d:%02d:%02d", y, m, d,
                     (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
        if (frac && n > 0 && (size_t)n < cap)
            n += snprintf(buf + n, cap - (size_t)n, ".%06" PRId64, frac);
    }
    return n < 0 ? 0 : (size_t)n < cap ? (size_t)n : cap - 1;
}
