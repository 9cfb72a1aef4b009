/*
 * time_freq.c — frequencies of a time index: aliases, stepping, inference
 * and the regularity check (time_freq.h).
 */
#include "data/time_freq.h"

#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "data/timestamp.h"
#include "lolpop/error.h"

#define SECOND_US INT64_C(1000000)
#define MINUTE_US (60 * SECOND_US)
#define HOUR_US   INT64_C(3600000000)
#define DAY_US    (24 * HOUR_US)

static const struct {
    const char *alias;
    lp_freq_unit unit;
} aliases[] = {
    {"H", LP_FREQ_HOUR},         {"h", LP_FREQ_HOUR},           {"D", LP_FREQ_DAY},
    {"W", LP_FREQ_WEEK},         {"MS", LP_FREQ_MONTH_START},   {"M", LP_FREQ_MONTH_END},
    {"ME", LP_FREQ_MONTH_END},   {"QS", LP_FREQ_QUARTER_START}, {"Q", LP_FREQ_QUARTER_END},
    {"QE", LP_FREQ_QUARTER_END}, {"YS", LP_FREQ_YEAR_START},    {"AS", LP_FREQ_YEAR_START},
    {"Y", LP_FREQ_YEAR_END},     {"YE", LP_FREQ_YEAR_END},      {"A", LP_FREQ_YEAR_END},
    {"T", LP_FREQ_MINUTE},       {"min", LP_FREQ_MINUTE},       {"S", LP_FREQ_SECOND},
    {"B", LP_FREQ_BUSINESS_DAY},
};

lp_freq_unit lp_freq_multiple(lp_freq_unit unit, unsigned mult)
{
    return (lp_freq_unit)((int)lp_freq_base(unit) + (int)LP_FREQ_COUNT_ * ((int)mult - 1));
}

lp_freq_unit lp_freq_base(lp_freq_unit f)
{
    return (lp_freq_unit)((int)f % (int)LP_FREQ_COUNT_);
}

unsigned lp_freq_mult(lp_freq_unit f)
{
    return (unsigned)((int)f / (int)LP_FREQ_COUNT_) + 1;
}

bool lp_freq_valid(int64_t v)
{
    return v >= 0 && v < (int64_t)LP_FREQ_COUNT_ * LP_FREQ_MAX_MULT;
}

int lp_freq_parse(lp_freq_unit *out, const char *alias)
{
    const char *unit = alias;
    unsigned long mult = 1;
    if (alias && *alias >= '0' && *alias <= '9') {
        char *end = NULL;
        mult = strtoul(alias, &end, 10);
        unit = end;
    }
    for (size_t i = 0;
         alias && mult >= 1 && mult <= LP_FREQ_MAX_MULT && i < sizeof aliases / sizeof aliases[0];
         i++) {
        if (strcasecmp(unit, aliases[i].alias) != 0) continue;
        *out = lp_freq_multiple(aliases[i].unit, (unsigned)mult);
        return 0;
    }
    return lp_error_set(LP_EINVAL,
                        "forecast_frequency '%s' is not a known frequency (use S, T or min, H, D, "
                        "B, W, MS, M, QS, Q, YS or Y: MS/QS/YS for month/quarter/year starts, "
                        "M/Q/Y for ends, B for business days; a count of 1 to %d before it for "
                        "several periods a step, such as 15min, 2H or 6MS)",
                        alias ? alias : "(null)", LP_FREQ_MAX_MULT);
}

const char *lp_freq_name(lp_freq_unit f)
{
    static const char *names[] = {"H", "D", "W", "MS", "M", "QS", "Q", "YS", "Y", "min", "S", "B"};
    if (!lp_freq_valid(f)) return "?";
    if (lp_freq_mult(f) == 1) return names[f];
    static _Thread_local char bufs[8][16];
    static _Thread_local unsigned next;
    char *b = bufs[next++ % 8];
    snprintf(b, sizeof bufs[0], "%u%s", lp_freq_mult(f), names[lp_freq_base(f)]);
    return b;
}

size_t lp_freq_season(lp_freq_unit f)
{
    static const size_t periods[] = {24, 7, 52, 12, 12, 4, 4, 1, 1, 60, 60, 5};
    if (!lp_freq_valid(f)) return 1;
    size_t season = periods[lp_freq_base(f)], mult = lp_freq_mult(f);
    return season % mult == 0 ? season / mult : 1;
}

size_t lp_freq_season_of(const char *alias, const int64_t *ts, size_t n)
{
    lp_freq_unit f;
    lp_freq_report rep;
    int rc = alias ? lp_freq_parse(&f, alias) : ts && n >= 2 ? lp_freq_infer(&f, &rep, ts, n) : -1;
    if (rc) {
        lp_error_clear();
        return 1;
    }
    return lp_freq_season(f);
}

size_t lp_freq_season_of_frame(const char *alias, const lp_frame *X, const char *time_index)
{
    const lp_column *col = X && time_index ? lp_frame_col_by_name(X, time_index) : NULL;
    int64_t *ts = NULL;
    if (col && lp_time_index_read(&ts, col, time_index) != 0) ts = NULL;
    size_t season = lp_freq_season_of(alias, ts, ts ? col->length : 0);
    free(ts);
    lp_error_clear();
    return season;
}

/* Months per step of a calendar frequency; 0 for the fixed ones. */
static int months_per_step(lp_freq_unit f)
{
    switch (lp_freq_base(f)) {
    case LP_FREQ_MONTH_START:
    case LP_FREQ_MONTH_END:
        return 1;
    case LP_FREQ_QUARTER_START:
    case LP_FREQ_QUARTER_END:
        return 3;
    case LP_FREQ_YEAR_START:
    case LP_FREQ_YEAR_END:
        return 12;
    default:
        return 0;
    }
}

static bool month_end(lp_freq_unit f)
{
    f = lp_freq_base(f);
    return f == LP_FREQ_MONTH_END || f == LP_FREQ_QUARTER_END || f == LP_FREQ_YEAR_END;
}

static int64_t fixed_step(lp_freq_unit f)
{
    switch (lp_freq_base(f)) {
    case LP_FREQ_SECOND:
        return SECOND_US;
    case LP_FREQ_MINUTE:
        return MINUTE_US;
    case LP_FREQ_HOUR:
        return HOUR_US;
    case LP_FREQ_DAY:
        return DAY_US;
    default:
        return 7 * DAY_US;
    }
}

/* Floor division for the signed month and day counts. */
static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* ---- business days: day D (since 1970-01-01, a Thursday) is a weekday when
 * (D + 3) mod 7 < 5; bday_count numbers the weekdays in order (a weekend day
 * gets the next Monday's number) and bday_of inverts it. */
static bool is_weekday(int64_t day)
{
    return day - floor_div(day + 3, 7) * 7 + 3 < 5;
}

static int64_t bday_count(int64_t day)
{
    int64_t w = floor_div(day + 3, 7), r = day + 3 - w * 7;
    return 5 * w + (r < 5 ? r : 5);
}

static int64_t bday_of(int64_t count)
{
    int64_t w = floor_div(count, 5);
    return w * 7 + (count - w * 5) - 3;
}

/* n business days after t (t on a weekday; its time of day kept). */
static int64_t bday_add(int64_t t, int64_t n)
{
    int64_t day = floor_div(t, DAY_US), tod = t - day * DAY_US;
    return bday_of(bday_count(day) + n) * DAY_US + tod;
}

/* Business days from origin to t: false unless both are weekdays at the same
 * time of day. */
static bool bday_steps(int64_t origin, int64_t t, int64_t *steps)
{
    int64_t d0 = floor_div(origin, DAY_US), d = floor_div(t, DAY_US);
    if (t - d * DAY_US != origin - d0 * DAY_US || !is_weekday(d0) || !is_weekday(d)) return false;
    *steps = bday_count(d) - bday_count(d0);
    return true;
}

/* Months since 1970-01 of the stamp's month, and whether the stamp is that
 * month's first (start) or last (end) day at midnight. */
static int64_t month_index(int64_t t, bool *is_start, bool *is_end)
{
    int64_t days = floor_div(t, DAY_US);
    bool midnight = t - days * DAY_US == 0;
    int64_t y;
    unsigned m, d;
    lp_ts_civil_from_days(days, &y, &m, &d);
    unsigned ny, nm;
    int64_t nyy;
    lp_ts_civil_from_days(days + 1, &nyy, &nm, &ny);
    *is_start = midnight && d == 1;
    *is_end = midnight && ny == 1;
    return (y - 1970) * 12 + (int64_t)m - 1;
}

/* The stamp of month index k (months since 1970-01), at its start or end. */
static int64_t month_stamp(int64_t k, bool end)
{
    if (end) k += 1;
    int64_t y = 1970 + floor_div(k, 12);
    unsigned m = (unsigned)(k - floor_div(k, 12) * 12) + 1;
    int64_t days = lp_ts_days_from_civil(y, m, 1);
    return (end ? days - 1 : days) * DAY_US;
}

int64_t lp_freq_add(lp_freq_unit f, int64_t t, int64_t steps)
{
    int64_t k = steps * (int64_t)lp_freq_mult(f);
    if (lp_freq_base(f) == LP_FREQ_BUSINESS_DAY) return bday_add(t, k);
    int mps = months_per_step(f);
    if (!mps) return t + k * fixed_step(f);
    bool s, e;
    int64_t m = month_index(t, &s, &e);
    return month_stamp(m + k * mps, month_end(f));
}

/* Periods of f's unit from origin to t (lp_freq_steps of one period). */
static bool unit_steps(lp_freq_unit f, int64_t origin, int64_t t, int64_t *steps)
{
    if (lp_freq_base(f) == LP_FREQ_BUSINESS_DAY) return bday_steps(origin, t, steps);
    int mps = months_per_step(f);
    if (!mps) {
        int64_t d = t - origin, st = fixed_step(f);
        if (d % st != 0) return false;
        *steps = d / st;
        return true;
    }
    bool s0, e0, s, e;
    int64_t k0 = month_index(origin, &s0, &e0), k = month_index(t, &s, &e);
    bool on_anchor = month_end(f) ? e : s;
    if (!on_anchor || (k - k0) % mps != 0) return false;
    *steps = (k - k0) / mps;
    return true;
}

bool lp_freq_steps(lp_freq_unit f, int64_t origin, int64_t t, int64_t *steps)
{
    int64_t k = 0, mult = (int64_t)lp_freq_mult(f);
    if (!unit_steps(f, origin, t, &k) || k % mult != 0) return false;
    *steps = k / mult;
    return true;
}

const char *lp_freq_format(int64_t t, char buf[40])
{
    bool date_only = floor_div(t, DAY_US) * DAY_US == t;
    lp_ts_format(t, date_only, buf, 40);
    return buf;
}

int lp_freq_check(lp_freq_report *report, lp_freq_unit f, const int64_t *ts, size_t n)
{
    *report = (lp_freq_report){0};
    if (n == 0) return 0;
    char a[40], b[40];
    bool s, e;
    month_index(ts[0], &s, &e);
    if (months_per_step(f) && !(month_end(f) ? e : s))
        return lp_error_set(
            LP_EINVAL, "time index: the first stamp %s is not on a %s of frequency %s",
            lp_freq_format(ts[0], a), month_end(f) ? "month end" : "month start", lp_freq_name(f));
    int64_t prev = 0;
    for (size_t i = 1; i < n; i++) {
        if (ts[i] <= ts[i - 1])
            return lp_error_set(
                LP_EINVAL, "time index: %s %s %s (row %zu): %s", lp_freq_format(ts[i], a),
                ts[i] == ts[i - 1] ? "repeats" : "comes before", lp_freq_format(ts[i - 1], b),
                i + 1,
                ts[i] == ts[i - 1] ? "each period must appear once" : "the index must be sorted");
        int64_t k;
        if (!lp_freq_steps(f, ts[0], ts[i], &k) || k <= prev)
            return lp_error_set(LP_EINVAL,
                                "time index is irregular: %s follows %s (row %zu), which is not "
                                "a whole number of periods of frequency %s",
                                lp_freq_format(ts[i], a), lp_freq_format(ts[i - 1], b), i + 1,
                                lp_freq_name(f));
        if (k > prev + 1) {
            if (report->n_missing == 0) report->first_missing = lp_freq_add(f, ts[0], prev + 1);
            report->n_missing += (size_t)(k - prev - 1);
        }
        prev = k;
    }
    report->n_periods = (size_t)prev + 1;
    return 0;
}

/* The frequency whose step matches the gap between two stamps, if any. */
static bool freq_of_gap(lp_freq_unit *out, int64_t a, int64_t b)
{
    int64_t d = b - a;
    if (d == SECOND_US)
        *out = LP_FREQ_SECOND;
    else if (d == MINUTE_US)
        *out = LP_FREQ_MINUTE;
    else if (d == HOUR_US)
        *out = LP_FREQ_HOUR;
    else if (d == DAY_US)
        *out = LP_FREQ_DAY;
    else if (d == 7 * DAY_US)
        *out = LP_FREQ_WEEK;
    else {
        bool sa, ea, sb, eb;
        int64_t ka = month_index(a, &sa, &ea), kb = month_index(b, &sb, &eb);
        int64_t dm = kb - ka;
        bool start = sa && sb, end = ea && eb;
        if (!start && !end) return false;
        if (dm == 1)
            *out = start ? LP_FREQ_MONTH_START : LP_FREQ_MONTH_END;
        else if (dm == 3)
            *out = start ? LP_FREQ_QUARTER_START : LP_FREQ_QUARTER_END;
        else if (dm == 12)
            *out = start ? LP_FREQ_YEAR_START : LP_FREQ_YEAR_END;
        else
            return false;
    }
    return true;
}

/* The step from a to b as several periods of one unit (the largest unit
 * it is a whole number of: weeks before days before hours ...; years, else
 * months, between month starts or ends). */
static bool multiple_of_gap(lp_freq_unit *out, int64_t a, int64_t b)
{
    static const struct {
        lp_freq_unit unit;
        int64_t us;
    } fixed[] = {{LP_FREQ_WEEK, 7 * DAY_US},
                 {LP_FREQ_DAY, DAY_US},
                 {LP_FREQ_HOUR, HOUR_US},
                 {LP_FREQ_MINUTE, MINUTE_US},
                 {LP_FREQ_SECOND, SECOND_US}};
    bool sa, ea, sb, eb;
    int64_t dm = month_index(b, &sb, &eb) - month_index(a, &sa, &ea), d = b - a, mult = 0;
    lp_freq_unit unit = LP_FREQ_DAY;
    if (dm >= 1 && ((sa && sb) || (ea && eb))) {
        bool start = sa && sb;
        bool years = dm % 12 == 0; /* else months, as pandas names them ("6MS") */
        unit = years ? (start ? LP_FREQ_YEAR_START : LP_FREQ_YEAR_END)
                     : (start ? LP_FREQ_MONTH_START : LP_FREQ_MONTH_END);
        mult = years ? dm / 12 : dm;
    } else {
        for (size_t i = 0; i < sizeof fixed / sizeof fixed[0] && !mult; i++)
            if (d % fixed[i].us == 0) unit = fixed[i].unit, mult = d / fixed[i].us;
    }
    if (mult < 2 || mult > LP_FREQ_MAX_MULT) return false;
    *out = lp_freq_multiple(unit, (unsigned)mult);
    return true;
}

/* Votes for multiples of a unit: the distinct frequencies seen (at most 16). */
typedef struct multiple_votes {
    lp_freq_unit f[16];
    size_t count[16], n;
} multiple_votes;

static void vote_multiple(multiple_votes *v, lp_freq_unit f)
{
    for (size_t i = 0; i < v->n; i++)
        if (v->f[i] == f) {
            v->count[i]++;
            return;
        }
    if (v->n < 16) v->f[v->n] = f, v->count[v->n++] = 1;
}

/* The most voted multiple (the smaller on a tie); false when none. */
static bool best_multiple(lp_freq_unit *out, const multiple_votes *v)
{
    size_t best = 0;
    for (size_t i = 1; i < v->n; i++)
        if (v->count[i] > v->count[best] || (v->count[i] == v->count[best] && v->f[i] < v->f[best]))
            best = i;
    if (v->n) *out = v->f[best];
    return v->n > 0;
}

int lp_freq_infer(lp_freq_unit *out, lp_freq_report *report, const int64_t *ts, size_t n)
{
    if (n < 2)
        return lp_error_set(LP_EINVAL,
                            "time index: %zu stamp%s cannot show a frequency; set "
                            "forecast_frequency",
                            n, n == 1 ? "" : "s");
    /* Each step votes for the frequency it is one period of; the most voted
     * wins (missing periods and a stray stamp do not outvote the rest), and
     * the check then names the first step off its grid. */
    size_t votes[LP_FREQ_COUNT_] = {0}, friday_to_monday = 0;
    multiple_votes multiples = {0}; /* counted only when no step is one period */
    bool weekdays = is_weekday(floor_div(ts[0], DAY_US));
    for (size_t i = 1; i < n; i++) {
        char a[40], b[40];
        if (ts[i] <= ts[i - 1])
            return lp_error_set(LP_EINVAL, "time index: %s %s %s (row %zu)",
                                lp_freq_format(ts[i], a),
                                ts[i] == ts[i - 1] ? "repeats" : "comes before",
                                lp_freq_format(ts[i - 1], b), i + 1);
        lp_freq_unit f;
        if (freq_of_gap(&f, ts[i - 1], ts[i]))
            votes[f]++;
        else if (multiple_of_gap(&f, ts[i - 1], ts[i]))
            vote_multiple(&multiples, f);
        int64_t day = floor_div(ts[i], DAY_US);
        weekdays = weekdays && is_weekday(day);
        friday_to_monday +=
            ts[i] - ts[i - 1] == 3 * DAY_US && bday_count(day) == bday_count(day - 3) + 1;
    }
    size_t best = 0;
    for (size_t f = 1; f < LP_FREQ_COUNT_; f++)
        if (votes[f] > votes[best]) best = f;
    lp_freq_unit multiple = LP_FREQ_DAY;
    if (votes[best] == 0 && best_multiple(&multiple, &multiples)) {
        int rc = lp_freq_check(report, multiple, ts, n);
        if (rc == 0) *out = multiple;
        return rc;
    }
    if (votes[best] == 0) {
        char a[40], b[40];
        return lp_error_set(LP_EINVAL,
                            "time index is irregular: the step from %s to %s (row 2) is no "
                            "second, minute, hour, day, week, month, quarter or year; set "
                            "forecast_frequency or fix the index",
                            lp_freq_format(ts[0], a), lp_freq_format(ts[1], b));
    }
    /* days that skip every weekend (and cross one at least) are business days */
    if (best == LP_FREQ_DAY && weekdays && friday_to_monday) best = LP_FREQ_BUSINESS_DAY;
    int rc = lp_freq_check(report, (lp_freq_unit)best, ts, n);
    if (rc == 0) *out = (lp_freq_unit)best;
    return rc;
}

int lp_time_index_read(int64_t **out, const lp_column *col, const char *name)
{
    bool text = col->type == LP_DT_STRING || col->type == LP_DT_CATEGORY;
    if (!text && col->type != LP_DT_TIMESTAMP)
        return lp_error_set(LP_EINVAL,
                            "time index '%s' is %s: it must hold dates or date-times (ISO "
                            "text such as 2020-01-31 or 2020-01-31T12:00:00, or timestamps)",
                            name, lp_dtype_name(col->type));
    int64_t *ts = malloc((col->length ? col->length : 1) * sizeof *ts);
    if (!ts) return lp_error_set(LP_ENOMEM, "out of memory reading time index '%s'", name);
    for (size_t i = 0; i < col->length; i++) {
        if (!lp_column_is_valid(col, i)) {
            free(ts);
            return lp_error_set(LP_EINVAL, "time index '%s' is empty in row %zu", name, i + 1);
        }
        if (!text) {
            ts[i] = col->data.i64[i];
            continue;
        }
        size_t len = 0;
        const char *s = lp_column_str(col, i, &len);
        if (!s || !lp_ts_parse(s, len, LP_TS_ZONE_ON_DATE, &ts[i])) {
            free(ts);
            return lp_error_set(LP_EINVAL,
                                "time index '%s' row %zu: '%.*s' is not an ISO date or "
                                "date-time (2020-01-31, 2020-01-31 12:00, 2020-01-31T12:00:00Z)",
                                name, i + 1, (int)(len > 64 ? 64 : len), s ? s : "");
        }
    }
    *out = ts;
    return 0;
}
