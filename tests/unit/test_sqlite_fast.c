/*
 * test_sqlite_fast.c — the SQL projection fast path (src/data/sqlite_fast.c)
 * gives exactly SQLite's result frame: generated SELECTs (arithmetic over
 * int64 edges and zero divisors, comparisons, CASE, COALESCE, NULLs, texts,
 * precedence without parentheses, WHERE) run both ways over a frame of
 * awkward values and the frames must serialise to the same bytes; SQL outside
 * the subset, or whose affinity rules the fast path does not reproduce, must
 * be declined ("not mine").
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEST_RNG_SEED 0x5EED5A1F00D5ULL
#include "test_rng.h"

#include "core/internal.h"
#include "sqlite_fast_diff.h"

static sqlite3 *db;
static lp_frame *frame;

static void setup(void)
{
    cr_assert_eq(lp_sqlite_open(&db, ":memory:", false), 0);
    frame = diff_frame(97);
    cr_assert_eq(lp_sqlite_attach_frame(db, "source", frame, "test"), 0, "%s",
                 lp_error_last()->message);
}

static void teardown(void)
{
    sqlite3_close(db);
    lp_frame_unref(frame);
}

TestSuite(sqlite_fast, .init = setup, .fini = teardown);

static void expect_same(const char *sql)
{
    diff_result r = diff_run(db, frame, sql);
    cr_assert_eq(r, DIFF_SAME, "%s: %s", sql, r == DIFF_NOT_MINE ? "declined" : "differs");
}

static void expect_declined(const char *sql)
{
    cr_assert_eq(diff_run(db, frame, sql), DIFF_NOT_MINE, "%s: should be declined", sql);
}

Test(sqlite_fast, the_quickstart_projection)
{
    expect_same("-- features\nSELECT *,\n  i + j + 1 AS family_size,\n"
                "  r / (i + j + 1) AS fare_per_person,\n"
                "  CASE WHEN r IS NULL THEN 1 ELSE 0 END AS age_missing,\n"
                "  CASE WHEN s IS NULL THEN 'none' ELSE s END AS cabin_deck\nFROM source;\n");
}

Test(sqlite_fast, sqlite_arithmetic_edges)
{
    static const char *cases[] = {
        "SELECT i + i, i - i, i * i, i / j, i % j FROM source",
        "SELECT i * 3037000500 AS big, -i AS neg, - - i, 0 - i FROM source",
        "SELECT i / -1, i % -1, i / 0, i % 0, r / 0, r % 0, r % 0.5 FROM source",
        "SELECT r + r, r - r, r * r, r / r, r % 3, r * 1e308, -r FROM source",
        "SELECT r % j, i % r, i / r, j * r FROM source",
        "SELECT 9223372036854775807 + i, -9223372036854775808 - i, i + 0.5 FROM source",
        "SELECT b + 1, b * r, -b FROM source",
        "SELECT i, (i), ((i + 1)) * 2, i+1, i + 1 FROM source",
        "SELECT r * 0 FROM source",
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++)
        expect_same(cases[k]);
}

Test(sqlite_fast, comparisons_case_and_nulls)
{
    static const char *cases[] = {
        "SELECT i < r, i = r, i <> r, i >= j, r == r, i != 9007199254740992.0 FROM source",
        "SELECT s = 'a', s < c, s >= '', s <> c, c = '5' FROM source",
        "SELECT i IS NULL, s IS NOT NULL, ts IS NULL, NULL IS NULL FROM source",
        "SELECT i AND j, i OR r, NOT i, NOT NOT r, i AND NULL, NULL OR j FROM source",
        "SELECT CASE WHEN i > 0 THEN 'pos' WHEN i < 0 THEN i ELSE r END FROM source",
        "SELECT CASE WHEN r THEN 1 END AS x, CASE WHEN j THEN s ELSE ts END FROM source",
        "SELECT COALESCE(s, c, 'z'), IFNULL(i, r), COALESCE(NULL, ts) FROM source",
        "SELECT i = j = 1, i < j < 2, NOT i = j, i IS NULL = 0 FROM source",
        "SELECT 1 + 2 * 3 - 4 % 3 AS k, 'x' AS t, NULL AS n, -0.0 AS z FROM source",
        "SELECT *, * FROM source WHERE i > 0 AND r IS NOT NULL",
        "SELECT s AS \"i\", i FROM source WHERE s = 'a' AND j = 2",
        "SELECT j, s FROM source WHERE s = 'a'",
        "SELECT \"i\", [r], `s` FROM source WHERE NULL",
        "SELECT I, R AS 'x y' FROM SOURCE WHERE r",
        "SELECT ts, c FROM source WHERE j",
        "SELECT i AS \"\xf9\" FROM source", /* a name that is not UTF-8: neither serialises */
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++)
        expect_same(cases[k]);
}

/* Numeric and bool columns without missing values pass through every row
 * shared, not copied (the same bytes either way); with rows left out by
 * WHERE, or with missing values, they are built anew. */
Test(sqlite_fast, complete_columns_pass_through_shared)
{
    static const char *cases[] = {
        "SELECT *, k + 1 AS z FROM source",
        "SELECT k, x AS renamed, f, i FROM source",
        "SELECT * FROM source WHERE k > 0",
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++)
        expect_same(cases[k]);
    lp_frame *out = NULL;
    bool handled = false;
    cr_assert_eq(lp_sqlite_fast_query(&out, db, "SELECT k, x AS renamed, f, i FROM source",
                                      "source", frame, "test", &handled),
                 0);
    cr_assert(handled);
    cr_assert_eq(lp_frame_col(out, 0), lp_frame_col_by_name(frame, "k"));
    cr_assert_eq(lp_frame_col(out, 1), lp_frame_col_by_name(frame, "x"));
    cr_assert_eq(lp_frame_col(out, 2), lp_frame_col_by_name(frame, "f"));
    cr_assert_neq(lp_frame_col(out, 3), lp_frame_col_by_name(frame, "i"), "i has NULLs: a copy");
    lp_frame_unref(out);
}

Test(sqlite_fast, outside_the_subset_is_declined)
{
    static const char *cases[] = {
        "SELECT i FROM source ORDER BY i",
        "SELECT i FROM source LIMIT 3",
        "SELECT count(*) FROM source",
        "SELECT j, count(*) FROM source GROUP BY j",
        "SELECT abs(i) FROM source",
        "SELECT s || 'x' FROM source",
        "SELECT DISTINCT j FROM source",
        "SELECT i FROM source AS t",
        "SELECT a.i FROM source a JOIN source b ON a.i = b.i",
        "SELECT source.i FROM source",
        "SELECT s = 1 FROM source",             /* text affinity meets a number */
        "SELECT i = '1' FROM source",           /* numeric affinity meets a text */
        "SELECT ts = '2024-01-01' FROM source", /* a timestamp's numeric affinity */
        "SELECT s + 1 FROM source",
        "SELECT CASE WHEN s THEN 1 END FROM source",
        "SELECT CASE i WHEN 1 THEN 2 END FROM source",
        "SELECT i IS j FROM source",
        "SELECT i IN (1, 2) FROM source",
        "SELECT i BETWEEN 1 AND 2 FROM source",
        "SELECT i x FROM source",
        "SELECT rowid FROM source",
        "SELECT nope FROM source",
        "SELECT i FROM source; SELECT j FROM source",
        "WITH t AS (SELECT i FROM source) SELECT i FROM t",
        "SELECT CAST(i AS TEXT) FROM source",
        "SELECT x'00' FROM source",
        "SELECT i FROM source WHERE s",
        "SELECT +i FROM source",
        "SELECT i FROM source WHERE i IN (SELECT j FROM source)",
        "SELECT i FROM",
        "SELECT s FROM source WHERE s = 'a' OR j = 2", /* SQLite's OR lookups reorder rows */
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++)
        expect_declined(cases[k]);
}

/* ---- generated queries -------------------------------------------------------- */

static const char *pick(const char *const *xs, size_t n)
{
    return xs[rng() % n];
}

#define PICK(xs) pick(xs, sizeof xs / sizeof *xs)

/* Appends a random expression of at most `depth` levels to sb. */
static void gen_expr(lp_sb *sb, int depth)
{
    static const char *const cols[] = {"i",  "j", "r",     "s", "c", "b",
                                       "ts", "I", "\"r\"", "k", "x", "f"};
    static const char *const lits[] = {"0",
                                       "1",
                                       "-1",
                                       "2",
                                       "0.5",
                                       "-0.0",
                                       "1e308",
                                       "3.0",
                                       "NULL",
                                       "'a'",
                                       "''",
                                       "'5'",
                                       "7",
                                       "9223372036854775807",
                                       "-9223372036854775808",
                                       "9223372036854775808",
                                       "0x10"};
    static const char *const arith[] = {"+", "-", "*", "/", "%"};
    static const char *const cmp[] = {"=", "==", "!=", "<>", "<", "<=", ">", ">="};
    static const char *const other[] = {"abs(", "length(", "upper("};
    unsigned k = depth <= 0 ? (unsigned)(rng() % 2) : (unsigned)(rng() % 13);
    bool paren = rng() % 3 != 0;
    switch (k) {
    case 0:
        lp_sb_append(sb, PICK(cols));
        break;
    case 1:
        lp_sb_append(sb, PICK(lits));
        break;
    case 2:
    case 3:
    case 4:
        if (paren) lp_sb_putc(sb, '(');
        gen_expr(sb, depth - 1);
        lp_sb_appendf(sb, " %s ", PICK(arith));
        gen_expr(sb, depth - 1);
        if (paren) lp_sb_putc(sb, ')');
        break;
    case 5:
        lp_sb_append(sb, "-");
        gen_expr(sb, depth - 1);
        break;
    case 6:
        if (paren) lp_sb_putc(sb, '(');
        gen_expr(sb, depth - 1);
        lp_sb_appendf(sb, " %s ", PICK(cmp));
        gen_expr(sb, depth - 1);
        if (paren) lp_sb_putc(sb, ')');
        break;
    case 7:
        lp_sb_putc(sb, '(');
        gen_expr(sb, depth - 1);
        lp_sb_append(sb, rng() % 2 ? " IS NULL)" : " IS NOT NULL)");
        break;
    case 8:
        if (rng() % 3 == 0) {
            lp_sb_append(sb, "NOT ");
            gen_expr(sb, depth - 1);
            break;
        }
        if (paren) lp_sb_putc(sb, '(');
        gen_expr(sb, depth - 1);
        lp_sb_append(sb, rng() % 2 ? " AND " : " OR ");
        gen_expr(sb, depth - 1);
        if (paren) lp_sb_putc(sb, ')');
        break;
    case 9:
    case 10: {
        lp_sb_append(sb, "CASE");
        unsigned whens = 1 + (unsigned)(rng() % 2);
        for (unsigned w = 0; w < whens; w++) {
            lp_sb_append(sb, " WHEN ");
            gen_expr(sb, depth - 1);
            lp_sb_append(sb, " THEN ");
            gen_expr(sb, depth - 1);
        }
        if (rng() % 3) {
            lp_sb_append(sb, " ELSE ");
            gen_expr(sb, depth - 1);
        }
        lp_sb_append(sb, " END");
        break;
    }
    case 11:
        lp_sb_append(sb, rng() % 2 ? "COALESCE(" : "IFNULL(");
        gen_expr(sb, depth - 1);
        lp_sb_append(sb, ", ");
        gen_expr(sb, depth - 1);
        lp_sb_putc(sb, ')');
        break;
    default: /* outside the subset: SQLite's own */
        lp_sb_append(sb, PICK(other));
        gen_expr(sb, depth - 1);
        lp_sb_putc(sb, ')');
        break;
    }
}

static char *gen_select(void)
{
    lp_sb sb = {0};
    lp_sb_append(&sb, "SELECT ");
    unsigned items = 1 + (unsigned)(rng() % 4);
    for (unsigned k = 0; k < items; k++) {
        if (k) lp_sb_append(&sb, ", ");
        if (rng() % 8 == 0) {
            lp_sb_putc(&sb, '*');
            continue;
        }
        gen_expr(&sb, 1 + (int)(rng() % 4));
        if (rng() % 2) lp_sb_appendf(&sb, " AS x%u", k % 2);
    }
    lp_sb_append(&sb, " FROM source");
    if (rng() % 4 == 0) {
        lp_sb_append(&sb, " WHERE ");
        gen_expr(&sb, 2);
    }
    if (rng() % 4 == 0) lp_sb_append(&sb, ";");
    return lp_sb_take(&sb);
}

Test(sqlite_fast, generated_queries_agree_with_sqlite)
{
    size_t same = 0, declined = 0;
    for (int n = 0; n < 8000; n++) {
        char *sql = gen_select();
        cr_assert_not_null(sql);
        diff_result r = diff_run(db, frame, sql);
        cr_assert_neq(r, DIFF_DIFFERENT, "%s: the fast path's frame differs from SQLite's", sql);
        if (r == DIFF_SAME)
            same++;
        else
            declined++;
        free(sql);
    }
    /* the generator must exercise the fast path, not only its refusals */
    cr_assert_gt(same, 1200, "only %zu of 8000 queries taken (%zu declined)", same, declined);
    cr_assert_gt(declined, 400, "only %zu of 8000 queries declined", declined);
}
