/*
 * test_sqlite_frame.c — frames into and out of SQLite (src/data/sqlite_frame.c):
 * typed create, bulk insert, result typing from declared types and values,
 * identifier quoting, if_exists modes, multi-statement SQL, ISO-8601 timestamps
 * and error messages.
 *
 * The helpers are internal to liblolpop: the test links the internal library.
 * Expected timestamps were computed with Python's datetime (UTC microseconds).
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/internal.h"
#include "data/sqlite_frame.h"
#include "data/timestamp.h"

static sqlite3 *db;

static void setup(void)
{
    cr_assert_eq(lp_sqlite_open(&db, ":memory:", false), 0, "%s", lp_error_last()->message);
}

static void teardown(void)
{
    sqlite3_close(db);
    db = NULL;
}

TestSuite(sqlite_frame, .init = setup, .fini = teardown);

/* ---- builders ------------------------------------------------------------------ */

static void add_f64(lp_frame *f, const char *name, const double *v, const bool *miss, size_t n)
{
    lp_column_builder *b = lp_column_builder_new(LP_DT_FLOAT64, n);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(miss && miss[i] ? lp_column_builder_append_null(b)
                                     : lp_column_builder_append_f64(b, v[i]),
                     0);
    cr_assert_eq(lp_frame_add_column(f, name, lp_column_builder_finish(b)), 0);
}

static void add_i64(lp_frame *f, const char *name, lp_dtype t, const int64_t *v, const bool *miss,
                    size_t n)
{
    lp_column_builder *b = lp_column_builder_new(t, n);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(miss && miss[i] ? lp_column_builder_append_null(b)
                                     : lp_column_builder_append_i64(b, v[i]),
                     0);
    cr_assert_eq(lp_frame_add_column(f, name, lp_column_builder_finish(b)), 0);
}

static void add_bool(lp_frame *f, const char *name, const int *v, size_t n)
{
    lp_column_builder *b = lp_column_builder_new(LP_DT_BOOL, n);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(v[i] < 0 ? lp_column_builder_append_null(b)
                              : lp_column_builder_append_bool(b, v[i] != 0),
                     0);
    cr_assert_eq(lp_frame_add_column(f, name, lp_column_builder_finish(b)), 0);
}

/* NULL entries are missing values. */
static void add_str(lp_frame *f, const char *name, lp_dtype t, const char *const *v, size_t n)
{
    lp_column_builder *b = lp_column_builder_new(t, n);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(v[i] ? lp_column_builder_append_str(b, v[i], strlen(v[i]))
                          : lp_column_builder_append_null(b),
                     0);
    cr_assert_eq(lp_frame_add_column(f, name, lp_column_builder_finish(b)), 0);
}

/* Every type, missing values, and names that need quoting. */
static lp_frame *awkward_frame(void)
{
    lp_frame *f = lp_frame_new();
    const bool miss[] = {false, true, false, false};
    add_f64(f, "my col", (const double[]){1.5, 0, -2.25, 1e300}, miss, 4);
    add_i64(f, "a/b", LP_DT_INT64, (const int64_t[]){1, 2, 0, -9223372036854775807LL},
            (const bool[]){false, false, true, false}, 4);
    add_str(f, "q\"uote", LP_DT_STRING,
            (const char *const[]){"x", "", NULL, "\xc3\xbcn\xc3\xaf,\"q\"\nline"}, 4);
    add_bool(f, "flag", (const int[]){1, 0, -1, 1}, 4);
    add_i64(f, "when", LP_DT_TIMESTAMP, (const int64_t[]){0, 0, 1706702400000000LL, -1},
            (const bool[]){false, true, false, false}, 4);
    add_str(f, "cat", LP_DT_CATEGORY, (const char *const[]){"a", "b", "a", NULL}, 4);
    return f;
}

static void assert_same(const lp_frame *a, const lp_frame *b)
{
    char ha[65], hb[65];
    cr_assert_eq(lp_frame_hash_hex(a, ha), 0);
    cr_assert_eq(lp_frame_hash_hex(b, hb), 0);
    cr_assert_str_eq(ha, hb);
}

static lp_frame *query(const char *sql)
{
    lp_frame *f = NULL;
    cr_assert_eq(lp_sqlite_query_frame(&f, db, sql, "test.db"), 0, "%s: %s", sql,
                 lp_error_last()->message);
    return f;
}

static lp_dtype type_of(const lp_frame *f, const char *name)
{
    lp_column *c = lp_frame_col_by_name(f, name);
    cr_assert_not_null(c, "no column '%s'", name);
    return c->type;
}

/* ---- helpers ------------------------------------------------------------------------ */

Test(sqlite_frame, quotes_identifiers)
{
    lp_sb sb = {0};
    lp_sqlite_quote_ident(&sb, "a \"b\"/c");
    cr_assert_str_eq(sb.buf, "\"a \"\"b\"\"/c\"");
    lp_sb_free(&sb);
}

Test(sqlite_frame, tells_queries_from_table_names)
{
    cr_assert(lp_sqlite_is_query("SELECT 1"));
    cr_assert(lp_sqlite_is_query("  select * from t"));
    cr_assert(lp_sqlite_is_query("\nWITH x AS (SELECT 1) SELECT * FROM x"));
    cr_assert(lp_sqlite_is_query("(select 1)"));
    cr_assert_not(lp_sqlite_is_query("selection"));
    cr_assert_not(lp_sqlite_is_query("with_table"));
    cr_assert_not(lp_sqlite_is_query("sales"));
    cr_assert_not(lp_sqlite_is_query("my table"));
    cr_assert_not(lp_sqlite_is_query(NULL));
}

Test(sqlite_frame, parses_iso_timestamps)
{
    int64_t v;
    cr_assert(lp_sqlite_parse_timestamp("1970-01-01", 10, &v));
    cr_assert_eq(v, 0);
    const char *s = "2024-01-31T12:00:00";
    cr_assert(lp_sqlite_parse_timestamp(s, strlen(s), &v));
    cr_assert_eq(v, 1706702400000000LL);
    s = "2024-02-29";
    cr_assert(lp_sqlite_parse_timestamp(s, strlen(s), &v));
    cr_assert_eq(v, 1709164800000000LL);
    s = "1969-12-31 23:59:59.999999";
    cr_assert(lp_sqlite_parse_timestamp(s, strlen(s), &v));
    cr_assert_eq(v, -1);
    s = "1900-03-01T01:02:03.456789";
    cr_assert(lp_sqlite_parse_timestamp(s, strlen(s), &v));
    cr_assert_eq(v, -2203887476543211LL);
    s = "2024-01-31T14:30:00+02:00";
    cr_assert(lp_sqlite_parse_timestamp(s, strlen(s), &v));
    cr_assert_eq(v, 1706704200000000LL);
    s = "2024-01-31T14:30:00-05:30";
    cr_assert(lp_sqlite_parse_timestamp(s, strlen(s), &v));
    cr_assert_eq(v, 1706731200000000LL);
    s = "2024-01-31T12:00:00Z";
    cr_assert(lp_sqlite_parse_timestamp(s, strlen(s), &v));
    cr_assert_eq(v, 1706702400000000LL);
    const char *bad[] = {"2023-02-29", "2024-13-01",    "2024-01-31T24:00",
                         "2024-1-31",  "2024-01-31T12", "2024-01-31x",
                         "",           "abc",           "2024-01-31T12:00:00."};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        cr_assert_not(lp_sqlite_parse_timestamp(bad[i], strlen(bad[i]), &v), "%s", bad[i]);
}

Test(sqlite_frame, formats_iso_timestamps)
{
    char buf[40];
    lp_sqlite_format_timestamp(0, buf);
    cr_assert_str_eq(buf, "1970-01-01T00:00:00");
    lp_sqlite_format_timestamp(-1, buf);
    cr_assert_str_eq(buf, "1969-12-31T23:59:59.999999");
    lp_sqlite_format_timestamp(-2203887476543211LL, buf);
    cr_assert_str_eq(buf, "1900-03-01T01:02:03.456789");
    lp_sqlite_format_timestamp(1709164800000000LL, buf);
    cr_assert_str_eq(buf, "2024-02-29T00:00:00");
}

/* ---- round trips ------------------------------------------------------------------- */

Test(sqlite_frame, round_trips_every_type_and_awkward_names)
{
    lp_frame *f = awkward_frame();
    cr_assert_eq(lp_sqlite_write_frame(db, "my \"table\"/x", f, LP_SQLITE_FAIL, "test.db"), 0, "%s",
                 lp_error_last()->message);
    lp_frame *back = query("SELECT * FROM \"my \"\"table\"\"/x\"");
    cr_assert_eq(lp_frame_rows(back), 4);
    cr_assert_eq(type_of(back, "my col"), LP_DT_FLOAT64);
    cr_assert_eq(type_of(back, "a/b"), LP_DT_INT64);
    cr_assert_eq(type_of(back, "q\"uote"), LP_DT_STRING);
    cr_assert_eq(type_of(back, "flag"), LP_DT_BOOL);
    cr_assert_eq(type_of(back, "when"), LP_DT_TIMESTAMP);
    cr_assert_eq(type_of(back, "cat"), LP_DT_STRING); /* hashes like the category */
    assert_same(f, back);
    /* missing stays missing, empty string stays a value */
    lp_column *s = lp_frame_col_by_name(back, "q\"uote");
    cr_assert(lp_column_is_valid(s, 1));
    cr_assert_not(lp_column_is_valid(s, 2));
    lp_frame_unref(back);
    lp_frame_unref(f);
}

Test(sqlite_frame, declares_typed_columns)
{
    lp_frame *f = awkward_frame();
    cr_assert_eq(lp_sqlite_write_frame(db, "t", f, LP_SQLITE_FAIL, "test.db"), 0);
    lp_frame *decl = query("SELECT name, type FROM pragma_table_info('t') ORDER BY cid");
    const char *want[] = {"REAL", "INTEGER", "TEXT", "BOOLEAN", "TIMESTAMP", "TEXT"};
    lp_column *types = lp_frame_col_by_name(decl, "type");
    for (size_t i = 0; i < 6; i++) {
        size_t len;
        const char *got = lp_column_str(types, i, &len);
        cr_assert(len == strlen(want[i]) && memcmp(got, want[i], len) == 0, "column %zu", i);
    }
    /* timestamps are stored as ISO-8601 text */
    lp_frame *txt =
        query("SELECT typeof(\"when\") AS k, \"when\" || '' AS v FROM t WHERE rowid = 3");
    size_t len;
    const char *v = lp_column_str(lp_frame_col_by_name(txt, "v"), 0, &len);
    cr_assert(len == 19 && memcmp(v, "2024-01-31T12:00:00", 19) == 0);
    lp_frame_unref(txt);
    lp_frame_unref(decl);
    lp_frame_unref(f);
}

Test(sqlite_frame, nan_is_stored_as_null)
{
    lp_frame *f = lp_frame_new();
    add_f64(f, "x", (const double[]){NAN, 1}, NULL, 2);
    cr_assert_eq(lp_sqlite_write_frame(db, "t", f, LP_SQLITE_FAIL, "test.db"), 0);
    lp_frame *back = query("SELECT x FROM t");
    cr_assert_not(lp_column_is_valid(lp_frame_col(back, 0), 0));
    cr_assert_eq(lp_frame_col(back, 0)->data.f64[1], 1.0);
    lp_frame_unref(back);
    lp_frame_unref(f);
}

/* ---- typing of results ------------------------------------------------------------- */

Test(sqlite_frame, types_expressions_from_their_values)
{
    lp_frame *f = query("SELECT 1 AS i, 2.5 AS r, 'x' AS s, NULL AS n");
    cr_assert_eq(type_of(f, "i"), LP_DT_INT64);
    cr_assert_eq(type_of(f, "r"), LP_DT_FLOAT64);
    cr_assert_eq(type_of(f, "s"), LP_DT_STRING);
    cr_assert_eq(type_of(f, "n"), LP_DT_FLOAT64);
    cr_assert_not(lp_column_is_valid(lp_frame_col_by_name(f, "n"), 0));
    lp_frame_unref(f);

    f = query("SELECT 1 AS v UNION ALL SELECT 2.5 UNION ALL SELECT NULL");
    cr_assert_eq(type_of(f, "v"), LP_DT_FLOAT64);
    cr_assert_eq(lp_frame_col(f, 0)->data.f64[0], 1.0);
    cr_assert_eq(lp_frame_col(f, 0)->data.f64[1], 2.5);
    cr_assert_not(lp_column_is_valid(lp_frame_col(f, 0), 2));
    lp_frame_unref(f);

    f = query("SELECT 7 AS v UNION ALL SELECT 'seven' UNION ALL SELECT 0.1");
    cr_assert_eq(type_of(f, "v"), LP_DT_STRING);
    size_t len;
    const char *s = lp_column_str(lp_frame_col(f, 0), 0, &len);
    cr_assert(len == 1 && s[0] == '7');
    s = lp_column_str(lp_frame_col(f, 0), 2, &len);
    cr_assert(len == 3 && memcmp(s, "0.1", 3) == 0);
    lp_frame_unref(f);
}

Test(sqlite_frame, declared_type_gives_way_to_values_that_do_not_fit)
{
    lp_sqlite_exec(db, "CREATE TABLE t (a INTEGER, b BOOLEAN, c TIMESTAMP, d VARCHAR(10), e)",
                   "test.db");
    lp_sqlite_exec(db, "INSERT INTO t VALUES ('abc', 2, 'not a date', 5, 1), (1, 1, NULL, 'x', 2)",
                   "test.db");
    lp_frame *f = query("SELECT * FROM t");
    cr_assert_eq(type_of(f, "a"), LP_DT_STRING);
    cr_assert_eq(type_of(f, "b"), LP_DT_INT64);
    cr_assert_eq(type_of(f, "c"), LP_DT_STRING);
    cr_assert_eq(type_of(f, "d"), LP_DT_STRING);
    cr_assert_eq(type_of(f, "e"), LP_DT_INT64);
    lp_frame_unref(f);
}

Test(sqlite_frame, empty_result_keeps_columns)
{
    lp_sqlite_exec(db, "CREATE TABLE t (a REAL, b TEXT)", "test.db");
    lp_frame *f = query("SELECT * FROM t");
    cr_assert_eq(lp_frame_rows(f), 0);
    cr_assert_eq(lp_frame_cols(f), 2);
    cr_assert_eq(type_of(f, "b"), LP_DT_STRING);
    lp_frame_unref(f);
}

Test(sqlite_frame, duplicate_result_names_are_made_unique)
{
    lp_frame *f = query("SELECT 1 AS a, 2 AS a, 3 AS a");
    cr_assert_str_eq(lp_frame_name(f, 0), "a");
    cr_assert_str_eq(lp_frame_name(f, 1), "a_2");
    cr_assert_str_eq(lp_frame_name(f, 2), "a_3");
    lp_frame_unref(f);
}

Test(sqlite_frame, runs_every_statement_and_returns_the_last)
{
    lp_frame *f = query("CREATE TEMP TABLE x AS SELECT 41 AS v; -- make it\n"
                        "UPDATE x SET v = v + 1;\n"
                        "SELECT v FROM x; /* the result */ ;\n");
    cr_assert_eq(lp_frame_rows(f), 1);
    cr_assert_eq(lp_frame_col(f, 0)->data.i64[0], 42);
    lp_frame_unref(f);
}

/* ---- if_exists ---------------------------------------------------------------------- */

static int64_t count_rows(const char *table)
{
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT count(*) AS n FROM \"%s\"", table);
    lp_frame *f = query(sql);
    int64_t n = lp_frame_col(f, 0)->data.i64[0];
    lp_frame_unref(f);
    return n;
}

Test(sqlite_frame, append_replace_fail)
{
    lp_frame *f = awkward_frame();
    cr_assert_eq(lp_sqlite_write_frame(db, "t", f, LP_SQLITE_APPEND, "test.db"), 0);
    cr_assert_eq(lp_sqlite_write_frame(db, "t", f, LP_SQLITE_APPEND, "test.db"), 0);
    cr_assert_eq(count_rows("t"), 8);
    cr_assert_eq(lp_sqlite_write_frame(db, "T", f, LP_SQLITE_REPLACE, "test.db"), 0);
    cr_assert_eq(count_rows("t"), 4);
    cr_assert_eq(lp_sqlite_write_frame(db, "t", f, LP_SQLITE_FAIL, "test.db"), LP_EEXISTS);
    cr_assert(strstr(lp_error_last()->message, "test.db: table 't' already exists"), "%s",
              lp_error_last()->message);
    cr_assert_eq(count_rows("t"), 4);
    lp_frame_unref(f);
}

Test(sqlite_frame, failed_append_rolls_back)
{
    lp_sqlite_exec(db, "CREATE TABLE t (x INTEGER NOT NULL)", "test.db");
    lp_frame *f = lp_frame_new();
    add_i64(f, "x", LP_DT_INT64, (const int64_t[]){1, 2, 3}, (const bool[]){false, false, true}, 3);
    cr_assert_neq(lp_sqlite_write_frame(db, "t", f, LP_SQLITE_APPEND, "test.db"), 0);
    const char *msg = lp_error_last()->message;
    cr_assert(strstr(msg, "test.db") && strstr(msg, "NOT NULL"), "%s", msg);
    cr_assert_eq(count_rows("t"), 0);
    lp_frame_unref(f);

    /* a column the table does not have */
    f = lp_frame_new();
    add_i64(f, "y", LP_DT_INT64, (const int64_t[]){1}, NULL, 1);
    cr_assert_neq(lp_sqlite_write_frame(db, "t", f, LP_SQLITE_APPEND, "test.db"), 0);
    cr_assert(strstr(lp_error_last()->message, "no column named y"), "%s",
              lp_error_last()->message);
    lp_frame_unref(f);
}

Test(sqlite_frame, refuses_frames_without_columns)
{
    lp_frame *f = lp_frame_new();
    cr_assert_eq(lp_sqlite_write_frame(db, "t", f, LP_SQLITE_APPEND, "test.db"), LP_EINVAL);
    cr_assert(strstr(lp_error_last()->message, "no columns"));
    lp_frame_unref(f);
}

/* ---- errors ----------------------------------------------------------------------------- */

Test(sqlite_frame, sql_errors_are_located_in_the_sql)
{
    lp_frame *f = NULL;
    cr_assert_neq(lp_sqlite_query_frame_at(&f, db, "SELECT 1;\nSELECT * FRM x", "q.sql"), 0);
    cr_assert_null(f);
    const lp_error *e = lp_error_last();
    cr_assert_str_eq(e->file, "q.sql");
    cr_assert_eq(e->line, 2);
    cr_assert_gt(e->col, 1);
    cr_assert(strstr(e->message, "syntax error"), "%s", e->message);

    cr_assert_neq(
        lp_sqlite_query_frame_at(&f, db, "SELECT nope FROM (SELECT 1 AS x)", "inline sql"), 0);
    char *msg = lp_error_format();
    cr_assert(strstr(msg, "inline sql") && strstr(msg, "no such column: nope"), "%s", msg);
    free(msg);

    cr_assert_neq(lp_sqlite_query_frame(&f, db, "CREATE TABLE z (a)", "test.db"), 0);
    cr_assert(strstr(lp_error_last()->message, "returns no rows"), "%s", lp_error_last()->message);
    cr_assert_neq(lp_sqlite_query_frame(&f, db, "  -- nothing\n", "test.db"), 0);
    cr_assert(strstr(lp_error_last()->message, "no statement"));
}

Test(sqlite_frame, opening_a_missing_file_read_only_fails_without_creating_it)
{
    sqlite3 *other = NULL;
    char path[] = "/tmp/lp-sqlite-frame-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    close(fd);
    unlink(path);
    cr_assert_eq(lp_sqlite_open(&other, path, true), LP_ENOTFOUND);
    cr_assert_null(other);
    cr_assert(strstr(lp_error_last()->message, path));
    cr_assert_neq(access(path, F_OK), 0);
}

/* ---- frames as virtual tables (lp_sqlite_attach_frame) ----------------------------- */

/* The same query over the attached frame `v` and its copy `t` gives the same frame. */
static void assert_query_same(const char *sql_v, const char *sql_t)
{
    lp_frame *a = query(sql_v), *b = query(sql_t);
    cr_assert_eq(lp_frame_cols(a), lp_frame_cols(b), "%s", sql_v);
    for (size_t j = 0; j < lp_frame_cols(a); j++)
        cr_assert_eq(lp_frame_col(a, j)->type, lp_frame_col(b, j)->type, "%s: column %zu", sql_v,
                     j);
    assert_same(a, b);
    lp_frame_unref(a);
    lp_frame_unref(b);
}

Test(sqlite_frame, attached_frame_reads_like_a_copied_table)
{
    lp_frame *f = awkward_frame();
    cr_assert_eq(lp_sqlite_attach_frame(db, "v", f, "test.db"), 0, "%s", lp_error_last()->message);
    cr_assert_eq(lp_sqlite_write_frame(db, "t", f, LP_SQLITE_FAIL, "test.db"), 0);
    lp_frame *back = query("SELECT * FROM v");
    cr_assert_eq(type_of(back, "flag"), LP_DT_BOOL);
    cr_assert_eq(type_of(back, "when"), LP_DT_TIMESTAMP);
    assert_same(f, back);
    lp_frame_unref(back);
    assert_query_same("SELECT * FROM v", "SELECT * FROM t");
    /* storage classes, text forms, rowid and declared types are those of the copy */
    const char *each = "SELECT rowid AS r, typeof(\"my col\") AS a, typeof(\"a/b\") AS b, "
                       "typeof(\"q\"\"uote\") AS c, typeof(flag) AS d, typeof(\"when\") AS e, "
                       "\"when\" || '' AS w, typeof(cat) AS g, cat || '' AS h, flag + 0 AS k FROM ";
    char sv[512], st[512];
    snprintf(sv, sizeof sv, "%sv", each);
    snprintf(st, sizeof st, "%st", each);
    assert_query_same(sv, st);
    assert_query_same("SELECT name, type FROM pragma_table_info('v') ORDER BY cid",
                      "SELECT name, type FROM pragma_table_info('t') ORDER BY cid");
    /* affinity applies in comparisons as on a real table */
    assert_query_same("SELECT rowid FROM v WHERE \"a/b\" = '2'",
                      "SELECT rowid FROM t WHERE \"a/b\" = '2'");
    lp_frame_unref(f);
}

Test(sqlite_frame, attached_frame_nan_is_null_and_zero_rows_keep_types)
{
    lp_frame *f = lp_frame_new();
    add_f64(f, "x", (const double[]){NAN, 1}, (const bool[]){false, false}, 2);
    cr_assert_eq(lp_sqlite_attach_frame(db, "v", f, "test.db"), 0);
    lp_frame *back = query("SELECT x, x IS NULL AS n FROM v");
    cr_assert_not(lp_column_is_valid(lp_frame_col(back, 0), 0));
    cr_assert_eq(lp_frame_col(back, 0)->data.f64[1], 1.0);
    cr_assert_eq(lp_frame_col(back, 1)->data.i64[0], 1);
    lp_frame_unref(back);
    lp_frame_unref(f);

    lp_frame *e = awkward_frame(), *none = NULL;
    size_t no_row = 0;
    cr_assert_eq(lp_frame_take(&none, e, &no_row, 0), 0);
    cr_assert_eq(lp_sqlite_attach_frame(db, "empty", none, "test.db"), 0);
    back = query("SELECT * FROM empty");
    cr_assert_eq(lp_frame_rows(back), 0);
    cr_assert_eq(lp_frame_cols(back), 6);
    cr_assert_eq(type_of(back, "my col"), LP_DT_FLOAT64);
    cr_assert_eq(type_of(back, "a/b"), LP_DT_INT64);
    cr_assert_eq(type_of(back, "when"), LP_DT_TIMESTAMP);
    cr_assert_eq(type_of(back, "cat"), LP_DT_STRING);
    lp_frame_unref(back);
    lp_frame_unref(none);
    lp_frame_unref(e);
}

/* Keys with duplicates, NULLs, a NaN, int/float equality and text: joins and
 * lookups through the vtab's equality index give what the copied tables give. */
Test(sqlite_frame, attached_frames_join_like_copied_tables)
{
    lp_frame *a = lp_frame_new(), *b = lp_frame_new();
    add_i64(a, "k", LP_DT_INT64, (const int64_t[]){3, 1, 2, 1, 0, 5},
            (const bool[]){false, false, false, false, true, false}, 6);
    add_str(a, "s", LP_DT_CATEGORY, (const char *const[]){"x", "y", NULL, "x", "z", "yy"}, 6);
    add_f64(b, "k", (const double[]){1.0, 2.5, 3.0, NAN, 1.0, 0},
            (const bool[]){false, false, false, false, false, true}, 6);
    add_str(b, "s", LP_DT_STRING, (const char *const[]){"x", "y", "", "yy", NULL, "x"}, 6);
    cr_assert_eq(lp_sqlite_attach_frame(db, "va", a, "test.db"), 0);
    cr_assert_eq(lp_sqlite_attach_frame(db, "vb", b, "test.db"), 0);
    cr_assert_eq(lp_sqlite_write_frame(db, "ta", a, LP_SQLITE_FAIL, "test.db"), 0);
    cr_assert_eq(lp_sqlite_write_frame(db, "tb", b, LP_SQLITE_FAIL, "test.db"), 0);
    const char *sqls[][2] = {
        {"SELECT va.rowid AS i, vb.rowid AS j FROM va JOIN vb ON va.k = vb.k ORDER BY 1, 2",
         "SELECT ta.rowid AS i, tb.rowid AS j FROM ta JOIN tb ON ta.k = tb.k ORDER BY 1, 2"},
        {"SELECT va.rowid AS i, vb.rowid AS j FROM va JOIN vb ON va.s = vb.s ORDER BY 1, 2",
         "SELECT ta.rowid AS i, tb.rowid AS j FROM ta JOIN tb ON ta.s = tb.s ORDER BY 1, 2"},
        {"SELECT va.rowid AS i, vb.rowid AS j FROM va LEFT JOIN vb ON vb.s = va.s ORDER BY 1, 2",
         "SELECT ta.rowid AS i, tb.rowid AS j FROM ta LEFT JOIN tb ON tb.s = ta.s ORDER BY 1, 2"},
        {"SELECT x.rowid AS i, y.rowid AS j FROM va x JOIN va y ON x.k = y.k ORDER BY 1, 2",
         "SELECT x.rowid AS i, y.rowid AS j FROM ta x JOIN ta y ON x.k = y.k ORDER BY 1, 2"},
        {"SELECT rowid FROM va WHERE k = 1 ORDER BY 1",
         "SELECT rowid FROM ta WHERE k = 1 ORDER BY 1"},
        {"SELECT rowid FROM va WHERE k = '1' ORDER BY 1",
         "SELECT rowid FROM ta WHERE k = '1' ORDER BY 1"},
        {"SELECT rowid FROM vb WHERE k = 1 ORDER BY 1",
         "SELECT rowid FROM tb WHERE k = 1 ORDER BY 1"},
        {"SELECT rowid FROM vb WHERE k = NULL", "SELECT rowid FROM tb WHERE k = NULL"},
        {"SELECT rowid FROM vb WHERE s = 'x' ORDER BY 1",
         "SELECT rowid FROM tb WHERE s = 'x' ORDER BY 1"},
        {"SELECT rowid FROM vb WHERE s = 'X' COLLATE NOCASE ORDER BY 1",
         "SELECT rowid FROM tb WHERE s = 'X' COLLATE NOCASE ORDER BY 1"},
        {"SELECT rowid FROM va WHERE s = 1 ORDER BY 1",
         "SELECT rowid FROM ta WHERE s = 1 ORDER BY 1"},
    };
    for (size_t q = 0; q < sizeof sqls / sizeof sqls[0]; q++)
        assert_query_same(sqls[q][0], sqls[q][1]);
    /* the self-join found 1+4+1+1 pairs (NULL keys match nothing): the index missed none */
    lp_frame *self = query(sqls[3][0]);
    cr_assert_eq(lp_frame_rows(self), 7);
    lp_frame_unref(self);
    lp_frame_unref(a);
    lp_frame_unref(b);
}

Test(sqlite_frame, attached_frames_are_read_only)
{
    lp_frame *f = awkward_frame();
    cr_assert_eq(lp_sqlite_attach_frame(db, "v", f, "test.db"), 0);
    lp_frame_unref(f); /* the connection holds its own reference */
    lp_frame *out = NULL;
    cr_assert_neq(lp_sqlite_query_frame(&out, db, "UPDATE v SET flag = 0; SELECT 1", "test.db"), 0);
    cr_assert(lp_sqlite_vtab_refused(), "%s", lp_error_last()->message);
    cr_assert_neq(lp_sqlite_query_frame(&out, db, "CREATE INDEX i ON v(flag); SELECT 1", "test.db"),
                  0);
    cr_assert(lp_sqlite_vtab_refused(), "%s", lp_error_last()->message);
    cr_assert_neq(lp_sqlite_query_frame(&out, db, "SELECT nope FROM v", "test.db"), 0);
    cr_assert_not(lp_sqlite_vtab_refused(), "%s", lp_error_last()->message);
    /* a name taken, no columns */
    lp_frame *g = lp_frame_new();
    cr_assert_neq(lp_sqlite_attach_frame(db, "w", g, "test.db"), 0);
    lp_frame_unref(g);
    g = awkward_frame();
    cr_assert_neq(lp_sqlite_attach_frame(db, "V", g, "test.db"), 0);
    cr_assert(strstr(lp_error_last()->message, "already exists"), "%s", lp_error_last()->message);
    lp_frame_unref(g);
    lp_frame *back = query("SELECT count(*) AS n FROM v");
    cr_assert_eq(lp_frame_col(back, 0)->data.i64[0], 4);
    lp_frame_unref(back);
}

/* Text is read as raw bytes only from a UTF-8 database; a UTF-16 one still
 * gives UTF-8 text. */
Test(sqlite_frame, reads_text_from_a_utf16_database)
{
    cr_assert_eq(lp_sqlite_exec(db, "PRAGMA encoding = 'UTF-16le'", "test.db"), 0);
    cr_assert_eq(lp_sqlite_exec(db,
                                "CREATE TABLE t (s TEXT); INSERT INTO t VALUES ('h\xc3\xa9llo')",
                                "test.db"),
                 0);
    lp_frame *f = query("SELECT s FROM t");
    size_t len;
    const char *s = lp_column_str(lp_frame_col(f, 0), 0, &len);
    cr_assert(len == 6 && memcmp(s, "h\xc3\xa9llo", 6) == 0);
    lp_frame_unref(f);
}
