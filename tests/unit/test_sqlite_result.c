/*
 * test_sqlite_result.c — the column-wise SQL result reader (src/data/sqlite_result.c)
 * gives the same frame as the general per-cell reader it replaced: each query is
 * read both ways (lp_sqlite_read_rows typed / not typed) and the two frames must
 * serialise to the same bytes (names, types, NULLs, values), or both reads fail
 * with the same message. The cases are those where a column's typed builder has
 * to give way: mixed storage classes, large integers, declared types the values
 * do not fit, invalid UTF-8, NULLs before the first value.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "data/sqlite_frame.h"
#include "lolpop/frame_io.h"

static sqlite3 *db;

static void setup(void)
{
    cr_assert_eq(lp_sqlite_open(&db, ":memory:", false), 0, "%s", lp_error_last()->message);
    cr_assert_eq(lp_sqlite_exec(db,
                                "CREATE TABLE t (i INTEGER, r REAL, s TEXT, b BOOLEAN, "
                                "ts TIMESTAMP, n NUMERIC, x);"
                                "INSERT INTO t VALUES (NULL, NULL, NULL, NULL, NULL, NULL, NULL);"
                                "INSERT INTO t VALUES (1, 2.5, 'a', 1, '2024-01-02', 1, 1);"
                                "INSERT INTO t VALUES (9007199254740993, 3, 'h\xc3\xa9', 0, "
                                "'2024-01-02T03:04:05.5Z', 2.5, 'txt');"
                                "INSERT INTO t VALUES (-4, -0.0, '', NULL, NULL, 'seven', 2.0);",
                                "setup"),
                 0);
}

static void teardown(void)
{
    sqlite3_close(db);
    db = NULL;
}

TestSuite(sqlite_result, .init = setup, .fini = teardown);

/* Reads sql's rows typed or not; *msg is the error message on failure (new). */
static lp_frame *read_as(const char *sql, bool typed, char **msg)
{
    sqlite3_stmt *st = NULL;
    cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK, "%s: %s", sql,
                 sqlite3_errmsg(db));
    lp_frame *f = NULL;
    int rc = lp_sqlite_read_rows(&f, db, st, "q.sql", typed);
    sqlite3_finalize(st);
    *msg = rc == 0 ? NULL : lp_strdup(lp_error_last()->message);
    cr_assert((rc == 0) == (f != NULL));
    return f;
}

/* Reads sql both ways and checks that they agree; returns the typed frame
 * (NULL when both failed, *msg then holds the message). */
static lp_frame *same_both_ways(const char *sql, char **msg)
{
    char *m1, *m2;
    lp_frame *typed = read_as(sql, true, &m1);
    lp_frame *cells = read_as(sql, false, &m2);
    cr_assert_eq(typed == NULL, cells == NULL, "%s: one way failed: %s / %s", sql, m1 ? m1 : "-",
                 m2 ? m2 : "-");
    if (!typed) {
        cr_assert_str_eq(m1, m2, "%s", sql);
        free(m2);
        *msg = m1;
        return NULL;
    }
    uint8_t *a, *b;
    size_t na, nb;
    cr_assert_eq(lp_frame_serialize(typed, &a, &na), 0);
    cr_assert_eq(lp_frame_serialize(cells, &b, &nb), 0);
    cr_assert(na == nb && memcmp(a, b, na) == 0, "%s: the two frames differ", sql);
    free(a);
    free(b);
    lp_frame_unref(cells);
    *msg = NULL;
    return typed;
}

static lp_dtype type_of(const char *sql, size_t col)
{
    char *msg;
    lp_frame *f = same_both_ways(sql, &msg);
    cr_assert_not_null(f, "%s: %s", sql, msg);
    lp_dtype t = lp_frame_col(f, col)->type;
    lp_frame_unref(f);
    return t;
}

Test(sqlite_result, declared_columns_keep_their_types)
{
    cr_assert_eq(type_of("SELECT i FROM t", 0), LP_DT_INT64);
    cr_assert_eq(type_of("SELECT r FROM t", 0), LP_DT_FLOAT64);
    cr_assert_eq(type_of("SELECT s FROM t", 0), LP_DT_STRING);
    cr_assert_eq(type_of("SELECT b FROM t", 0), LP_DT_BOOL);
    cr_assert_eq(type_of("SELECT ts FROM t", 0), LP_DT_TIMESTAMP);
    cr_assert_eq(type_of("SELECT * FROM t", 6), LP_DT_STRING);
    cr_assert_eq(type_of("SELECT i, r, s, b, ts FROM t WHERE 0", 3), LP_DT_BOOL);
}

Test(sqlite_result, large_integers_stay_exact)
{
    char *msg;
    lp_frame *f = same_both_ways("SELECT i FROM t", &msg);
    cr_assert_eq(lp_frame_col(f, 0)->data.i64[2], 9007199254740993LL);
    lp_frame_unref(f);
    /* a float column's integers, then a text: the integers are printed exactly */
    f = same_both_ways("SELECT 0.5 AS v UNION ALL SELECT 9007199254740993 UNION ALL SELECT 'z'",
                       &msg);
    size_t len;
    const char *s = lp_column_str(lp_frame_col(f, 0), 1, &len);
    cr_assert(len == 16 && memcmp(s, "9007199254740993", 16) == 0);
    lp_frame_unref(f);
}

Test(sqlite_result, mixed_storage_classes_read_as_the_general_reader_does)
{
    static const char *const sql[] = {
        "SELECT n FROM t",                /* NUMERIC: null, int, float, text */
        "SELECT x FROM t",                /* no declared type: null, int, text, float */
        "SELECT coalesce(r, 0) FROM t",   /* int then floats */
        "SELECT coalesce(i, 0.5) FROM t", /* float then ints, one past 2^53 */
        "SELECT CASE WHEN i > 0 THEN 'p' ELSE i END FROM t", /* null, text, text, int */
        "SELECT CASE WHEN i > 0 THEN i ELSE 'neg' END FROM t",
        "SELECT i AS b FROM t", /* an alias declares nothing */
        "SELECT CAST(i AS BOOLEAN) FROM t",
        "SELECT x'0041' AS blob UNION ALL SELECT 'a'",
        "SELECT x'' AS blob UNION ALL SELECT NULL",
        "SELECT NULL AS a, NULL AS b",
        "SELECT s || i, r * 2, i / 2, -r FROM t",
    };
    for (size_t k = 0; k < sizeof sql / sizeof *sql; k++) {
        char *msg;
        lp_frame *f = same_both_ways(sql[k], &msg);
        cr_assert_not_null(f, "%s: %s", sql[k], msg);
        lp_frame_unref(f);
    }
}

Test(sqlite_result, declared_types_the_values_do_not_fit)
{
    cr_assert_eq(lp_sqlite_exec(db,
                                "CREATE TABLE d (b BOOLEAN, i INTEGER, r REAL, s TEXT, "
                                "ts TIMESTAMP);"
                                "INSERT INTO d VALUES (NULL, NULL, NULL, NULL, NULL);"
                                "INSERT INTO d VALUES (2, 'one', 1, 5, 'soon');"
                                "INSERT INTO d VALUES (1, 2, 2, 'x', 7);",
                                "setup"),
                 0);
    cr_assert_eq(type_of("SELECT b FROM d", 0), LP_DT_INT64);
    cr_assert_eq(type_of("SELECT i FROM d", 0), LP_DT_STRING);
    cr_assert_eq(type_of("SELECT r FROM d", 0), LP_DT_FLOAT64);
    cr_assert_eq(type_of("SELECT s FROM d", 0), LP_DT_STRING);
    cr_assert_eq(type_of("SELECT ts FROM d", 0), LP_DT_STRING);
    cr_assert_eq(type_of("SELECT b FROM d WHERE b IS NULL OR b < 2", 0), LP_DT_BOOL);
}

Test(sqlite_result, many_rows_with_nulls_and_a_late_disagreement)
{
    static const char *const sql[] = {
        "WITH RECURSIVE c(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM c WHERE k < 5000) "
        "SELECT k, k * 0.25, CASE WHEN k % 7 = 0 THEN NULL ELSE 'v' || k END, "
        "CASE WHEN k = 4999 THEN 'late' WHEN k % 3 = 0 THEN NULL ELSE k END, "
        "CASE WHEN k < 3000 THEN NULL ELSE k % 2 END FROM c",
        "WITH RECURSIVE c(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM c WHERE k < 3000) "
        "SELECT CASE WHEN k % 2 THEN k ELSE k + 0.5 END, "
        "CASE WHEN k = 2500 THEN 17 ELSE 's' || k END FROM c",
    };
    for (size_t k = 0; k < sizeof sql / sizeof *sql; k++) {
        char *msg;
        lp_frame *f = same_both_ways(sql[k], &msg);
        cr_assert_not_null(f, "%s", msg);
        cr_assert_eq(lp_frame_rows(f), k == 0 ? 5000u : 3000u);
        lp_frame_unref(f);
    }
}

Test(sqlite_result, invalid_utf8_is_reported_for_the_first_column_either_way)
{
    char *msg;
    /* column a's bad text comes later than column b's: a is still the one named */
    lp_frame *f = same_both_ways("SELECT 'ok' AS a, CAST(x'ff' AS TEXT) AS b "
                                 "UNION ALL SELECT CAST(x'c3' AS TEXT), 'ok'",
                                 &msg);
    cr_assert_null(f);
    cr_assert(strstr(msg, "column 'a', row 2") != NULL, "%s", msg);
    free(msg);
}

Test(sqlite_result, attached_frames_read_the_same_both_ways)
{
    lp_frame *src = NULL;
    char *msg;
    src = same_both_ways("SELECT * FROM t", &msg);
    cr_assert_eq(lp_sqlite_attach_frame(db, "v", src, "test"), 0, "%s", lp_error_last()->message);
    lp_frame *f = same_both_ways("SELECT i, r, s, b, ts, x, r + i FROM v", &msg);
    cr_assert_not_null(f, "%s", msg);
    lp_frame_unref(f);
    lp_frame_unref(src);
}
