/*
 * time_freq.h — the frequency of a time index (pandas-style aliases S, T/min,
 * H, D, B, W, MS/M, QS/Q, YS/Y), stepping along it, inferring it from the data and
 * checking that an index is regular (internal; the forecasters and the
 * TimeSeriesRunner use it).
 *
 * Time stamps are microseconds since the epoch (UTC), as timestamp columns
 * hold them. Fixed steps (S, min, H, D, W) are counted from the first stamp,
 * business days (B) step over weekends keeping the time of day; calendar
 * steps are months: MS/QS/YS stamps fall on the first day of a month at
 * midnight, M/Q/Y stamps on the last day of a month at midnight (pandas'
 * month-start vs month-end), and Q/QS, Y/YS move 3 and 12 months at a time
 * from the first stamp's month.
 */
#ifndef LP_DATA_TIME_FREQ_H
#define LP_DATA_TIME_FREQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lolpop/frame.h"

typedef enum lp_freq_unit {
    LP_FREQ_HOUR,
    LP_FREQ_DAY,
    LP_FREQ_WEEK,
    LP_FREQ_MONTH_START,
    LP_FREQ_MONTH_END,
    LP_FREQ_QUARTER_START,
    LP_FREQ_QUARTER_END,
    LP_FREQ_YEAR_START,
    LP_FREQ_YEAR_END,
    /* appended (saved models store the number) */
    LP_FREQ_MINUTE,
    LP_FREQ_SECOND,
    LP_FREQ_BUSINESS_DAY, /* Monday to Friday, at the first stamp's time of day */
    LP_FREQ_COUNT_,
    /* k periods of a unit (pandas' "15min", "2H", "6MS") are the value
     * unit + LP_FREQ_COUNT_ * (k - 1): one period is the unit itself, so
     * saved models keep their numbers (lp_freq_multiple) */
    LP_FREQ_ENCODED_END_ = LP_FREQ_COUNT_ * 1000
} lp_freq_unit;

/* The most periods of a unit one frequency step may hold. */
#define LP_FREQ_MAX_MULT 1000

/* mult (1..LP_FREQ_MAX_MULT) periods of unit (a plain unit) as one step. */
lp_freq_unit lp_freq_multiple(lp_freq_unit unit, unsigned mult);
/* The unit of f (LP_FREQ_MINUTE for "15min"). */
lp_freq_unit lp_freq_base(lp_freq_unit f);
/* The periods of its unit in one step of f (15 for "15min", 1 for "H"). */
unsigned lp_freq_mult(lp_freq_unit f);
/* Whether v (a saved number) is a frequency. */
bool lp_freq_valid(int64_t v);

/* The frequency named by a pandas alias (case-insensitive; "A"/"AS",
 * "YE"/"ME"/"QE", "T"/"min" for minutes and "S" for seconds are accepted),
 * optionally after a count of periods ("10T", "15min", "2H", "3D", "2W",
 * "6MS"). LP_EINVAL naming the aliases otherwise. */
int lp_freq_parse(lp_freq_unit *out, const char *alias);
/* The canonical alias ("H", "D", "W", "MS", "M", "QS", "Q", "YS", "Y", "min",
 * "S", "B"), after the count of periods when it is not 1 ("15min", "2H");
 * static, or (a multiple) one of 8 thread-local buffers used in turn. */
const char *lp_freq_name(lp_freq_unit f);
/* The usual seasonal period: S 60, min 60, H 24, D 7, B 5, W 52, months 12,
 * quarters 4, years 1; for k periods of a unit, the unit's divided by k when
 * k divides it evenly ("15min" 4, "2H" 12, "6MS" 2), else 1 ("3D"). */
size_t lp_freq_season(lp_freq_unit f);
/* The season length of a series: that of `alias` when it names a frequency,
 * else of the frequency inferred from its n stamps ts (may be NULL), else 1.
 * Never fails (a bad alias or irregular stamps mean 1; the error is cleared). */
size_t lp_freq_season_of(const char *alias, const int64_t *ts, size_t n);
/* lp_freq_season_of with the stamps of X's column `time_index` (either may
 * be NULL; a column that is not a time index means none). */
size_t lp_freq_season_of_frame(const char *alias, const lp_frame *X, const char *time_index);
/* The stamp `steps` periods after t (steps may be negative): fixed steps add
 * microseconds, calendar steps move whole months keeping the start/end anchor. */
int64_t lp_freq_add(lp_freq_unit f, int64_t t, int64_t steps);
/* The number of periods from `origin` to t; false when t is not on the grid
 * that starts at origin (between two stamps, or off the month start/end). */
bool lp_freq_steps(lp_freq_unit f, int64_t origin, int64_t t, int64_t *steps);

/* What lp_freq_check found in a regular index. */
typedef struct lp_freq_report {
    size_t n_periods;      /* from the first to the last stamp, inclusive */
    size_t n_missing;      /* periods without a stamp */
    int64_t first_missing; /* the first of them (valid when n_missing > 0) */
} lp_freq_report;

/* Checks that the n stamps (strictly increasing) all fall on f's grid from
 * ts[0]; gaps of whole periods are allowed and counted in *report. LP_EINVAL
 * for an unsorted or duplicate stamp, or a stamp off the grid, the message
 * naming the first such stamp and the one before it. */
int lp_freq_check(lp_freq_report *report, lp_freq_unit f, const int64_t *ts, size_t n);
/* Infers the frequency of n >= 2 strictly increasing stamps from their
 * steps (1 h, 1 d, 7 d, a month, a quarter or a year; month steps start or
 * end a month; the most frequent step wins; when no step is one period of a
 * unit, the most frequent multiple such as 15 min, 2 h or 6 months) and
 * checks it as lp_freq_check does. LP_EINVAL when
 * no frequency fits, naming the first irregular gap. */
int lp_freq_infer(lp_freq_unit *out, lp_freq_report *report, const int64_t *ts, size_t n);

/* The stamp as "YYYY-MM-DD" (midnight) or an ISO date-time into buf; returns buf. */
const char *lp_freq_format(int64_t t, char buf[40]);

/* The stamps of a time index column (new malloc'ed array of rows(col)
 * values): timestamp columns as they are, string columns parsed as ISO dates
 * or date-times. LP_EINVAL for a null, unparsable text (naming the row and
 * value) or another type; `name` is the column's name for the messages. */
int lp_time_index_read(int64_t **out, const lp_column *col, const char *name);

#endif
