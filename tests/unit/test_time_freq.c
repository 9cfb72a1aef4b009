/* Unit tests for the time index frequencies (src/data/time_freq.h): aliases,
 * stepping across month ends and leap years, inference of every frequency,
 * missing periods, and the errors for irregular, unsorted and bad indexes. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "data/time_freq.h"
#include "data/timestamp.h"
#include "lolpop/error.h"
#include "lolpop/frame.h"

static int64_t ts(const char *s)
{
    int64_t t = 0;
    cr_assert(lp_ts_parse(s, strlen(s), 0, &t), "parse %s", s);
    return t;
}

static void expect_date(int64_t t, const char *want)
{
    char buf[40];
    lp_ts_format(t, strlen(want) == 10, buf, sizeof buf);
    cr_expect_str_eq(buf, want);
}

Test(time_freq, parses_aliases)
{
    lp_freq_unit f;
    cr_assert_eq(lp_freq_parse(&f, "MS"), 0);
    cr_expect_eq(f, LP_FREQ_MONTH_START);
    cr_assert_eq(lp_freq_parse(&f, "m"), 0);
    cr_expect_eq(f, LP_FREQ_MONTH_END);
    cr_assert_eq(lp_freq_parse(&f, "QS"), 0);
    cr_expect_eq(f, LP_FREQ_QUARTER_START);
    cr_assert_eq(lp_freq_parse(&f, "A"), 0);
    cr_expect_eq(f, LP_FREQ_YEAR_END);
    cr_assert_eq(lp_freq_parse(&f, "h"), 0);
    cr_expect_str_eq(lp_freq_name(f), "H");
    cr_expect_eq(lp_freq_season(LP_FREQ_MONTH_START), 12);
    cr_expect_eq(lp_freq_season(LP_FREQ_QUARTER_END), 4);
    cr_expect_eq(lp_freq_season(LP_FREQ_DAY), 7);
    cr_expect_eq(lp_freq_parse(&f, "fortnight"), LP_EINVAL);
    cr_expect(strstr(lp_error_last()->message, "fortnight") != NULL);
}

Test(time_freq, steps_keep_month_anchor)
{
    expect_date(lp_freq_add(LP_FREQ_MONTH_END, ts("2020-01-31"), 1), "2020-02-29");
    expect_date(lp_freq_add(LP_FREQ_MONTH_END, ts("2020-01-31"), 13), "2021-02-28");
    expect_date(lp_freq_add(LP_FREQ_MONTH_START, ts("2020-11-01"), 3), "2021-02-01");
    expect_date(lp_freq_add(LP_FREQ_MONTH_START, ts("2020-01-01"), -1), "2019-12-01");
    expect_date(lp_freq_add(LP_FREQ_QUARTER_END, ts("2019-12-31"), 1), "2020-03-31");
    expect_date(lp_freq_add(LP_FREQ_YEAR_START, ts("1949-01-01"), 12), "1961-01-01");
    expect_date(lp_freq_add(LP_FREQ_WEEK, ts("2020-12-27"), 1), "2021-01-03");
    expect_date(lp_freq_add(LP_FREQ_HOUR, ts("2020-12-31T23:00:00"), 2), "2021-01-01T01:00:00");
    int64_t k = 0;
    cr_expect(lp_freq_steps(LP_FREQ_MONTH_START, ts("1949-01-01"), ts("1960-12-01"), &k));
    cr_expect_eq(k, 143);
    cr_expect(!lp_freq_steps(LP_FREQ_MONTH_START, ts("1949-01-01"), ts("1949-02-02"), &k));
    cr_expect(!lp_freq_steps(LP_FREQ_QUARTER_START, ts("2020-01-01"), ts("2020-02-01"), &k));
    cr_expect(!lp_freq_steps(LP_FREQ_DAY, ts("2020-01-01"), ts("2020-01-02T01:00"), &k));
}

/* n stamps of frequency f from `first`. */
static int64_t *grid(lp_freq_unit f, const char *first, size_t n)
{
    int64_t *t = malloc(n * sizeof *t);
    cr_assert(t);
    for (size_t i = 0; i < n; i++)
        t[i] = lp_freq_add(f, ts(first), (int64_t)i);
    return t;
}

Test(time_freq, minutes_seconds_and_business_days)
{
    lp_freq_unit f;
    const char *alias[] = {"T", "min", "MIN", "S", "s", "B"};
    lp_freq_unit want[] = {LP_FREQ_MINUTE, LP_FREQ_MINUTE, LP_FREQ_MINUTE,
                           LP_FREQ_SECOND, LP_FREQ_SECOND, LP_FREQ_BUSINESS_DAY};
    for (size_t i = 0; i < 6; i++) {
        cr_assert_eq(lp_freq_parse(&f, alias[i]), 0, "%s", alias[i]);
        cr_expect_eq(f, want[i], "%s", alias[i]);
    }
    cr_expect_str_eq(lp_freq_name(LP_FREQ_MINUTE), "min");
    cr_expect_str_eq(lp_freq_name(LP_FREQ_SECOND), "S");
    cr_expect_str_eq(lp_freq_name(LP_FREQ_BUSINESS_DAY), "B");
    cr_expect_eq(lp_freq_season(LP_FREQ_MINUTE), 60);
    cr_expect_eq(lp_freq_season(LP_FREQ_SECOND), 60);
    cr_expect_eq(lp_freq_season(LP_FREQ_BUSINESS_DAY), 5);
    /* MS is still month start, not milliseconds or minutes */
    cr_assert_eq(lp_freq_parse(&f, "MS"), 0);
    cr_expect_eq(f, LP_FREQ_MONTH_START);
    expect_date(lp_freq_add(LP_FREQ_MINUTE, ts("2020-12-31T23:59:00"), 2), "2021-01-01T00:01:00");
    expect_date(lp_freq_add(LP_FREQ_SECOND, ts("2020-12-31T23:59:59"), 1), "2021-01-01T00:00:00");
    /* pandas: pd.Timestamp("2020-02-28") + 1 * BDay() is 2020-03-02 (a Monday);
     * 2020-02-28 - 5 * BDay() is 2020-02-21; + 10 from a Wednesday 2 weeks on */
    expect_date(lp_freq_add(LP_FREQ_BUSINESS_DAY, ts("2020-02-28"), 1), "2020-03-02");
    expect_date(lp_freq_add(LP_FREQ_BUSINESS_DAY, ts("2020-02-28"), -5), "2020-02-21");
    expect_date(lp_freq_add(LP_FREQ_BUSINESS_DAY, ts("2020-02-26"), 10), "2020-03-11");
    expect_date(lp_freq_add(LP_FREQ_BUSINESS_DAY, ts("1970-01-01"), 1), "1970-01-02");
    expect_date(lp_freq_add(LP_FREQ_BUSINESS_DAY, ts("1969-12-31"), 3), "1970-01-05");
    int64_t k = 0;
    cr_expect(lp_freq_steps(LP_FREQ_BUSINESS_DAY, ts("2020-02-28"), ts("2020-03-06"), &k));
    cr_expect_eq(k, 5);
    cr_expect(!lp_freq_steps(LP_FREQ_BUSINESS_DAY, ts("2020-02-28"), ts("2020-02-29"), &k),
              "a Saturday is no business day");
    cr_expect(!lp_freq_steps(LP_FREQ_BUSINESS_DAY, ts("2020-02-28"), ts("2020-03-02T01:00"), &k));
    /* a daily index with its weekends is D, not B; a weekday index with a gap
     * day counts it missing */
    int64_t *d = grid(LP_FREQ_DAY, "2020-02-26", 20);
    lp_freq_report rep;
    cr_assert_eq(lp_freq_infer(&f, &rep, d, 20), 0);
    cr_expect_eq(f, LP_FREQ_DAY);
    free(d);
    int64_t *b = grid(LP_FREQ_BUSINESS_DAY, "2020-02-26", 20);
    memmove(b + 3, b + 4, 16 * sizeof *b); /* drop Monday 2020-03-02 */
    cr_assert_eq(lp_freq_infer(&f, &rep, b, 19), 0, "%s", lp_error_last()->message);
    cr_expect_eq(f, LP_FREQ_BUSINESS_DAY);
    cr_expect_eq(rep.n_missing, 1);
    expect_date(rep.first_missing, "2020-03-02");
    free(b);
}

Test(time_freq, infers_each_frequency)
{
    struct {
        lp_freq_unit f;
        const char *first;
    } cases[] = {
        {LP_FREQ_HOUR, "2021-03-27T20:00:00"},
        {LP_FREQ_DAY, "2020-02-27"},
        {LP_FREQ_WEEK, "2020-12-20"},
        {LP_FREQ_MONTH_START, "1949-01-01"},
        {LP_FREQ_MONTH_END, "2019-11-30"},
        {LP_FREQ_QUARTER_START, "2019-10-01"},
        {LP_FREQ_QUARTER_END, "2019-12-31"},
        {LP_FREQ_YEAR_START, "1871-01-01"},
        {LP_FREQ_YEAR_END, "1999-12-31"},
        {LP_FREQ_MINUTE, "2020-12-31T23:45:00"},
        {LP_FREQ_SECOND, "2020-12-31T23:59:50"},
        {LP_FREQ_BUSINESS_DAY, "2020-02-26"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        int64_t *t = grid(cases[c].f, cases[c].first, 30);
        lp_freq_unit got;
        lp_freq_report rep;
        cr_assert_eq(lp_freq_infer(&got, &rep, t, 30), 0, "%s: %s", cases[c].first,
                     lp_error_last()->message);
        cr_expect_eq(got, cases[c].f, "%s: inferred %s", cases[c].first, lp_freq_name(got));
        cr_expect_eq(rep.n_periods, 30);
        cr_expect_eq(rep.n_missing, 0);
        free(t);
    }
}

Test(time_freq, parses_names_and_steps_multiples_of_a_unit)
{
    struct {
        const char *alias, *name;
        lp_freq_unit unit;
        unsigned mult;
        size_t season;
        const char *first, *third; /* a stamp and the one two steps later */
    } cases[] = {
        {"10T", "10min", LP_FREQ_MINUTE, 10, 6, "2020-12-31T23:40:00", "2021-01-01T00:00:00"},
        {"10min", "10min", LP_FREQ_MINUTE, 10, 6, "2020-01-01T00:00:00", "2020-01-01T00:20:00"},
        {"15min", "15min", LP_FREQ_MINUTE, 15, 4, "2020-01-01T23:30:00", "2020-01-02T00:00:00"},
        {"2H", "2H", LP_FREQ_HOUR, 2, 12, "2020-02-28T22:00:00", "2020-02-29T02:00:00"},
        {"3D", "3D", LP_FREQ_DAY, 3, 1, "2020-02-27", "2020-03-04"},
        {"2W", "2W", LP_FREQ_WEEK, 2, 26, "2020-12-20", "2021-01-17"},
        {"6MS", "6MS", LP_FREQ_MONTH_START, 6, 2, "2019-07-01", "2020-07-01"},
        {"1D", "D", LP_FREQ_DAY, 1, 7, "2020-01-01", "2020-01-03"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        lp_freq_unit f;
        cr_assert_eq(lp_freq_parse(&f, cases[c].alias), 0, "%s: %s", cases[c].alias,
                     lp_error_last()->message);
        cr_expect_eq(lp_freq_base(f), cases[c].unit, "%s", cases[c].alias);
        cr_expect_eq(lp_freq_mult(f), cases[c].mult, "%s", cases[c].alias);
        cr_expect_str_eq(lp_freq_name(f), cases[c].name);
        cr_expect_eq(lp_freq_season(f), cases[c].season, "%s", cases[c].alias);
        cr_expect(lp_freq_valid(f));
        int64_t t0 = ts(cases[c].first), k = 0;
        expect_date(lp_freq_add(f, t0, 2), cases[c].third);
        cr_expect(lp_freq_steps(f, t0, ts(cases[c].third), &k), "%s", cases[c].alias);
        cr_expect_eq(k, 2, "%s", cases[c].alias);
        /* one period of the unit is off a grid of several */
        if (cases[c].mult > 1)
            cr_expect(!lp_freq_steps(f, t0, lp_freq_add(cases[c].unit, t0, 1), &k), "%s",
                      cases[c].alias);
    }
    /* one period of a unit is the unit itself: saved models keep their numbers */
    cr_expect_eq(lp_freq_multiple(LP_FREQ_MONTH_START, 1), LP_FREQ_MONTH_START);
    lp_freq_unit f;
    cr_expect_eq(lp_freq_parse(&f, "0H"), LP_EINVAL);
    cr_expect_eq(lp_freq_parse(&f, "1001H"), LP_EINVAL);
    cr_expect_eq(lp_freq_parse(&f, "2"), LP_EINVAL);
    cr_expect(strstr(lp_error_last()->message, "15min"), "%s", lp_error_last()->message);
    cr_expect(!lp_freq_valid(-1));
    cr_expect(!lp_freq_valid((int64_t)LP_FREQ_COUNT_ * LP_FREQ_MAX_MULT));
}

Test(time_freq, infers_multiples_of_a_unit)
{
    const char *aliases[] = {"10min", "15min", "2H", "3D", "2W", "6MS", "2M", "5S", "2YS"};
    const char *firsts[] = {"2020-12-31T23:00:00", "2020-01-01T00:00:00", "2021-03-27T20:00:00",
                            "2020-02-27",          "2020-12-20",          "1949-01-01",
                            "2019-11-30",          "2020-12-31T23:59:00", "1871-01-01"};
    for (size_t c = 0; c < sizeof aliases / sizeof aliases[0]; c++) {
        lp_freq_unit want, got;
        cr_assert_eq(lp_freq_parse(&want, aliases[c]), 0);
        int64_t *t = grid(want, firsts[c], 30);
        lp_freq_report rep;
        int rc = lp_freq_infer(&got, &rep, t, 30);
        free(t);
        cr_assert_eq(rc, 0, "%s: %s", aliases[c], lp_error_last()->message);
        cr_expect_str_eq(lp_freq_name(got), aliases[c]);
        cr_expect_eq(rep.n_periods, 30);
        cr_expect_eq(rep.n_missing, 0);
    }
    /* one-period steps win over the multiples that missing periods make */
    int64_t gaps[] = {ts("2020-01-01"), ts("2020-01-02"), ts("2020-01-04"),
                      ts("2020-01-05"), ts("2020-01-07"), ts("2020-01-08")};
    lp_freq_unit f;
    lp_freq_report rep;
    cr_assert_eq(lp_freq_infer(&f, &rep, gaps, 6), 0, "%s", lp_error_last()->message);
    cr_expect_eq(f, LP_FREQ_DAY);
    cr_expect_eq(rep.n_missing, 2);
    /* a multiple with a missing period */
    int64_t quarter_hours[] = {ts("2020-01-01T00:00"), ts("2020-01-01T00:15"),
                               ts("2020-01-01T00:45"), ts("2020-01-01T01:00")};
    cr_assert_eq(lp_freq_infer(&f, &rep, quarter_hours, 4), 0, "%s", lp_error_last()->message);
    cr_expect_str_eq(lp_freq_name(f), "15min");
    cr_expect_eq(rep.n_missing, 1);
    expect_date(rep.first_missing, "2020-01-01T00:30:00");
}

Test(time_freq, counts_missing_periods)
{
    int64_t t[] = {ts("2020-01-01"), ts("2020-02-01"), ts("2020-05-01"), ts("2020-06-01"),
                   ts("2020-08-01")};
    lp_freq_unit f;
    lp_freq_report rep;
    cr_assert_eq(lp_freq_infer(&f, &rep, t, 5), 0, "%s", lp_error_last()->message);
    cr_expect_eq(f, LP_FREQ_MONTH_START);
    cr_expect_eq(rep.n_periods, 8);
    cr_expect_eq(rep.n_missing, 3);
    expect_date(rep.first_missing, "2020-03-01");
}

Test(time_freq, irregular_index_names_first_gap)
{
    int64_t t[] = {ts("2020-01-01"), ts("2020-01-02"), ts("2020-01-03"), ts("2020-01-04T06:00"),
                   ts("2020-01-05")};
    lp_freq_unit f;
    lp_freq_report rep;
    cr_assert_eq(lp_freq_infer(&f, &rep, t, 5), LP_EINVAL);
    const char *msg = lp_error_last()->message;
    cr_expect(strstr(msg, "irregular") && strstr(msg, "2020-01-04T06:00:00") &&
                  strstr(msg, "2020-01-03"),
              "%s", msg);
    /* a mid-month stamp in a month-start index */
    int64_t m[] = {ts("2020-01-01"), ts("2020-02-01"), ts("2020-03-15")};
    cr_assert_eq(lp_freq_check(&rep, LP_FREQ_MONTH_START, m, 3), LP_EINVAL);
    cr_expect(strstr(lp_error_last()->message, "2020-03-15") != NULL, "%s",
              lp_error_last()->message);
    /* month-end stamps checked as month starts */
    int64_t e[] = {ts("2020-01-31"), ts("2020-02-29")};
    cr_expect_eq(lp_freq_check(&rep, LP_FREQ_MONTH_START, e, 2), LP_EINVAL);
    /* no step fits (no unit divides it at most 1000 times) */
    int64_t odd[] = {ts("2020-01-01"), ts("2020-01-06T00:00:01")};
    cr_expect_eq(lp_freq_infer(&f, &rep, odd, 2), LP_EINVAL);
    cr_expect_eq(lp_freq_infer(&f, &rep, odd, 1), LP_EINVAL);
}

Test(time_freq, rejects_unsorted_and_duplicates)
{
    int64_t d[] = {ts("2020-01-01"), ts("2020-01-02"), ts("2020-01-02")};
    lp_freq_report rep;
    cr_assert_eq(lp_freq_check(&rep, LP_FREQ_DAY, d, 3), LP_EINVAL);
    cr_expect(strstr(lp_error_last()->message, "repeats") != NULL, "%s", lp_error_last()->message);
    int64_t u[] = {ts("2020-01-02"), ts("2020-01-01")};
    cr_assert_eq(lp_freq_check(&rep, LP_FREQ_DAY, u, 2), LP_EINVAL);
    cr_expect(strstr(lp_error_last()->message, "sorted") != NULL, "%s", lp_error_last()->message);
}

Test(time_freq, reads_text_and_timestamp_columns)
{
    lp_column_builder *b = lp_column_builder_new(LP_DT_STRING, 3);
    cr_assert(b);
    const char *vals[] = {"1949-01-01", "1949-02-01T00:00:00", "1949-03-01 00:00"};
    for (int i = 0; i < 3; i++)
        cr_assert_eq(lp_column_builder_append_str(b, vals[i], strlen(vals[i])), 0);
    lp_column *c = lp_column_builder_finish(b);
    int64_t *t = NULL;
    cr_assert_eq(lp_time_index_read(&t, c, "date"), 0, "%s", lp_error_last()->message);
    cr_expect_eq(t[2], ts("1949-03-01"));
    free(t);
    lp_column_unref(c);

    b = lp_column_builder_new(LP_DT_STRING, 2);
    cr_assert_eq(lp_column_builder_append_str(b, "1949-01-01", 10), 0);
    cr_assert_eq(lp_column_builder_append_str(b, "Jan 1949", 8), 0);
    c = lp_column_builder_finish(b);
    cr_expect_eq(lp_time_index_read(&t, c, "date"), LP_EINVAL);
    cr_expect(strstr(lp_error_last()->message, "Jan 1949") &&
                  strstr(lp_error_last()->message, "row 2"),
              "%s", lp_error_last()->message);
    lp_column_unref(c);

    b = lp_column_builder_new(LP_DT_FLOAT64, 1);
    cr_assert_eq(lp_column_builder_append_f64(b, 1.0), 0);
    c = lp_column_builder_finish(b);
    cr_expect_eq(lp_time_index_read(&t, c, "date"), LP_EINVAL);
    cr_expect(strstr(lp_error_last()->message, "float64") != NULL);
    lp_column_unref(c);
}

/* ---- time-ordered split ----------------------------------------------------------------- */

#include "data/time_split.h"

/* A frame with text dates (shuffled) and their order as a value. */
static lp_frame *shuffled_months(void)
{
    const char *dates[] = {"2020-03-01", "2020-01-01", "2020-05-01", "2020-02-01", "2020-04-01"};
    const double order[] = {3, 1, 5, 2, 4};
    lp_column_builder *d = lp_column_builder_new(LP_DT_STRING, 5);
    lp_column_builder *v = lp_column_builder_new(LP_DT_FLOAT64, 5);
    for (int i = 0; i < 5; i++) {
        cr_assert_eq(lp_column_builder_append_str(d, dates[i], 10), 0);
        cr_assert_eq(lp_column_builder_append_f64(v, order[i]), 0);
    }
    lp_frame *f = lp_frame_new();
    cr_assert_eq(lp_frame_add_column(f, "date", lp_column_builder_finish(d)), 0);
    cr_assert_eq(lp_frame_add_column(f, "y", lp_column_builder_finish(v)), 0);
    return f;
}

Test(time_split, holds_out_the_last_periods_in_time_order)
{
    lp_frame *f = shuffled_months(), *tr = NULL, *va = NULL;
    cr_assert_eq(lp_time_split(&tr, &va, f, "date", 2, 0), 0, "%s", lp_error_last()->message);
    cr_assert_eq(lp_frame_rows(tr), 3);
    cr_assert_eq(lp_frame_rows(va), 2);
    for (size_t i = 0; i < 3; i++)
        cr_expect_eq(lp_frame_col_by_name(tr, "y")->data.f64[i], (double)(i + 1));
    cr_expect_eq(lp_frame_col_by_name(va, "y")->data.f64[0], 4.0);
    cr_expect_eq(lp_frame_col_by_name(va, "y")->data.f64[1], 5.0);
    lp_frame_unref(tr);
    lp_frame_unref(va);
    /* by ratio: 0.6 of 5 rows train */
    cr_assert_eq(lp_time_split(&tr, &va, f, "date", 0, 0.6), 0);
    cr_expect_eq(lp_frame_rows(tr), 3);
    cr_expect_eq(lp_frame_col_by_name(va, "y")->data.f64[0], 4.0);
    lp_frame_unref(tr);
    lp_frame_unref(va);
    /* errors */
    cr_expect_eq(lp_time_split(&tr, &va, f, "when", 2, 0), LP_EINVAL);
    cr_expect_eq(lp_time_split(&tr, &va, f, "date", 5, 0), LP_EINVAL);
    cr_expect(strstr(lp_error_last()->message, "nothing to train on") != NULL);
    cr_expect_eq(lp_time_split(&tr, &va, f, "date", 0, 1.5), LP_EINVAL);
    cr_expect_eq(lp_time_split(&tr, &va, f, "y", 1, 0), LP_EINVAL); /* not a time index */
    lp_frame_unref(f);
}
