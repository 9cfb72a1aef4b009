/*
 * test_sql_transformer.c — SQLDataTransformer: inline sql and sql_file over a
 * CSV path, a frame or a map of tables; no SQL → source unchanged; column
 * names that need quoting; error messages naming the SQL and SQLite's words.
 *
 * Expected results (the *_expected.csv files in tests/unit/data/sql) were computed with
 * pandas by tests/fixtures/gen_sql_fixtures.py from the same input CSVs.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lolpop.h"
#include "lolpop/csv.h"
#include "lolpop/frame.h"
#include "lolpop/types/data_transformer.h"
#include "unit_workflow.h"

#define SQL_DIR LP_TEST_DATA_DIR "/sql"

TestSuite(sql_transformer, .init = uw_setup, .fini = uw_teardown);

/* ---- helpers ------------------------------------------------------------------------ */

/* Builds a workflow whose data_transformer section's config is `config_yaml`
 * (indented by 4) and returns the transformer. */
static lp_obj *transformer(const char *config_yaml)
{
    char yaml[4096];
    snprintf(yaml, sizeof yaml,
             "component: {data_transformer: SQLDataTransformer}\n"
             "data_transformer:\n  config:\n%s",
             config_yaml ? config_yaml : "    {}\n");
    return uw_build(0, yaml, "data_transformer");
}

static lp_frame *read_csv(const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", SQL_DIR, name);
    lp_frame *f = NULL;
    cr_assert_eq(lp_csv_read(&f, path, NULL), 0, "%s", lp_error_last()->message);
    return f;
}

static const char *fixture(const char *name)
{
    static char ring[4][1024];
    static int next;
    char *buf = ring[next++ % 4];
    snprintf(buf, 1024, "%s/%s", SQL_DIR, name);
    return buf;
}

/* transform(source) as a new frame reference (asserting success); takes source. */
static lp_frame *run(lp_obj *t, lp_value *source)
{
    lp_value *r = lp_data_transformer_transform(t, source);
    lp_value_unref(source);
    cr_assert_not_null(r, "%s", lp_error_last()->message);
    lp_frame *f = lp_frame_ref(lp_value_as_frame(r));
    cr_assert_not_null(f, "the result is not a frame");
    lp_value_unref(r);
    return f;
}

/* transform(source) that must fail; returns the formatted error (caller frees). */
static char *run_fails(lp_obj *t, lp_value *source)
{
    lp_value *r = lp_data_transformer_transform(t, source);
    lp_value_unref(source);
    cr_assert_null(r);
    return lp_error_format();
}

static lp_value *frame_value(lp_frame *f)
{
    lp_value *v = lp_value_frame(f);
    lp_frame_unref(f);
    return v;
}

static void assert_same(const lp_frame *a, const lp_frame *b)
{
    char ha[65], hb[65];
    cr_assert_eq(lp_frame_hash_hex(a, ha), 0);
    cr_assert_eq(lp_frame_hash_hex(b, hb), 0);
    cr_assert_str_eq(ha, hb);
}

/* ---- results ------------------------------------------------------------------------- */

Test(sql_transformer, inline_sql_over_a_csv_path)
{
    lp_obj *t = transformer("    sql: SELECT id, name FROM source WHERE length(name) > 4 "
                            "ORDER BY id\n");
    lp_frame *got = run(t, lp_value_string(fixture("people.csv")));
    lp_frame *want = read_csv("long_names_expected.csv");
    assert_same(want, got);
    lp_frame_unref(want);
    lp_frame_unref(got);
}

Test(sql_transformer, sql_file_joins_a_map_of_sources)
{
    char cfg[1200];
    snprintf(cfg, sizeof cfg, "    sql_file: \"%s\"\n", fixture("join.sql"));
    lp_obj *t = transformer(cfg);
    lp_value *src = lp_value_map();
    lp_map_set(src, "people", lp_value_string(fixture("people.csv"))); /* a path */
    lp_map_set(src, "orders", frame_value(read_csv("orders.csv")));    /* a frame */
    lp_frame *got = run(t, src);
    lp_frame *want = read_csv("join_expected.csv");
    cr_assert_str_eq(lp_frame_name(got, 1), "home city");
    cr_assert_eq(lp_frame_col(got, 3)->type, LP_DT_INT64);
    assert_same(want, got);
    lp_frame_unref(want);
    lp_frame_unref(got);
}

Test(sql_transformer, names_that_need_quoting)
{
    lp_obj *t = transformer("    sql: |\n"
                            "      SELECT \"home city/town\" AS \"city/town\",\n"
                            "             \"say \"\"hi\"\"\" AS \"it's\", id * 2 AS \"id x 2\"\n"
                            "      FROM source ORDER BY id DESC\n");
    lp_frame *got = run(t, frame_value(read_csv("people.csv")));
    cr_assert_eq(lp_frame_cols(got), 3);
    cr_assert_str_eq(lp_frame_name(got, 0), "city/town");
    cr_assert_str_eq(lp_frame_name(got, 1), "it's");
    cr_assert_str_eq(lp_frame_name(got, 2), "id x 2");
    size_t len;
    const char *city = lp_column_str(lp_frame_col(got, 0), 0, &len);
    cr_assert(len == 6 && memcmp(city, "Boston", 6) == 0);
    cr_assert_not(lp_column_is_valid(lp_frame_col(got, 1), 2)); /* Grace's missing value */
    cr_assert_eq(lp_frame_col(got, 2)->data.i64[0], 8);
    lp_frame_unref(got);
}

Test(sql_transformer, select_star_keeps_every_type)
{
    lp_frame *f = lp_frame_new();
    lp_column_builder *b = lp_column_builder_new(LP_DT_BOOL, 2);
    lp_column_builder_append_bool(b, true);
    lp_column_builder_append_null(b);
    cr_assert_eq(lp_frame_add_column(f, "flag", lp_column_builder_finish(b)), 0);
    b = lp_column_builder_new(LP_DT_TIMESTAMP, 2);
    lp_column_builder_append_i64(b, 1706702400000000LL);
    lp_column_builder_append_i64(b, -1);
    cr_assert_eq(lp_frame_add_column(f, "when", lp_column_builder_finish(b)), 0);
    b = lp_column_builder_new(LP_DT_FLOAT64, 2);
    lp_column_builder_append_f64(b, 0.1);
    lp_column_builder_append_f64(b, 3);
    cr_assert_eq(lp_frame_add_column(f, "x", lp_column_builder_finish(b)), 0);
    lp_obj *t = transformer("    sql: SELECT * FROM source\n");
    lp_frame *got = run(t, lp_value_frame(f));
    assert_same(f, got);
    lp_frame_unref(got);
    lp_frame_unref(f);
}

/* The source is a read-only virtual table; SQL that writes to it runs again
 * on a copied table and gives what it always gave. */
Test(sql_transformer, sql_that_writes_to_the_source_still_works)
{
    lp_obj *t =
        transformer("    sql: |\n"
                    "      UPDATE source SET name = upper(name) WHERE id = 2;\n"
                    "      CREATE INDEX by_id ON source(id);\n"
                    "      SELECT id, name FROM source WHERE length(name) > 4 ORDER BY id\n");
    lp_frame *got = run(t, lp_value_string(fixture("people.csv")));
    lp_frame *plain = run(transformer("    sql: SELECT id, name FROM source WHERE length(name) > 4 "
                                      "ORDER BY id\n"),
                          lp_value_string(fixture("people.csv")));
    cr_assert_eq(lp_frame_rows(got), lp_frame_rows(plain));
    size_t la, lb;
    const char *a = lp_column_str(lp_frame_col(got, 1), 0, &la);
    const char *b = lp_column_str(lp_frame_col(plain, 1), 0, &lb);
    cr_assert_eq(la, lb);
    cr_assert_eq(lp_frame_col(got, 0)->data.i64[0], 2, "the first row is id 2");
    for (size_t k = 0; k < la; k++)
        cr_assert_eq(a[k], b[k] >= 'a' && b[k] <= 'z' ? b[k] - 'a' + 'A' : b[k]);
    lp_frame_unref(plain);
    lp_frame_unref(got);
}

Test(sql_transformer, without_sql_the_source_comes_back)
{
    lp_obj *t = transformer(NULL);
    lp_frame *f = read_csv("people.csv");
    lp_frame *got = run(t, lp_value_frame(f));
    cr_assert_eq(got, f); /* the very same frame, not a copy */
    lp_frame_unref(got);

    got = run(t, lp_value_string(fixture("people.csv")));
    assert_same(f, got);
    lp_frame_unref(got);

    lp_value *one = lp_value_map();
    lp_map_set(one, "only", lp_value_frame(f));
    got = run(t, one);
    cr_assert_eq(got, f);
    lp_frame_unref(got);

    lp_value *two = lp_value_map();
    lp_map_set(two, "a", lp_value_frame(f));
    lp_map_set(two, "b", lp_value_frame(f));
    char *msg = run_fails(t, two);
    cr_assert(strstr(msg, "a source map of 2 tables needs sql or sql_file"), "%s", msg);
    free(msg);
    lp_frame_unref(f);
}

/* ---- errors ----------------------------------------------------------------------------- */

Test(sql_transformer, inline_sql_errors_name_the_sql_and_sqlite)
{
    lp_obj *t = transformer("    sql: SELECT nme FROM source\n");
    char *msg = run_fails(t, lp_value_string(fixture("people.csv")));
    cr_assert(strstr(msg, "inline sql") && strstr(msg, "no such column: nme") &&
                  strstr(msg, "SQLDataTransformer.transform"),
              "%s", msg);
    free(msg);
}

Test(sql_transformer, sql_file_errors_are_located_in_the_file)
{
    char cfg[1200];
    snprintf(cfg, sizeof cfg, "    sql_file: \"%s\"\n", fixture("bad.sql"));
    lp_obj *t = transformer(cfg);
    char *msg = run_fails(t, lp_value_string(fixture("people.csv")));
    const lp_error *e = lp_error_last();
    cr_assert(e->file && strstr(e->file, "bad.sql"), "%s", msg);
    cr_assert_eq(e->line, 3, "%s", msg);
    cr_assert(strstr(msg, "syntax error"), "%s", msg);
    free(msg);
}

Test(sql_transformer, missing_sql_file_is_named)
{
    lp_obj *t = transformer("    sql_file: nowhere/query.sql\n");
    char *msg = run_fails(t, lp_value_string(fixture("people.csv")));
    cr_assert(strstr(msg, "cannot read sql_file 'nowhere/query.sql'"), "%s", msg);
    free(msg);
}

Test(sql_transformer, bad_sources_are_refused)
{
    lp_obj *t = transformer("    sql: SELECT 1 AS x\n");
    char *msg = run_fails(t, lp_value_int(5));
    cr_assert(strstr(msg, "source 'source' must be a CSV file path or a frame, got int"), "%s",
              msg);
    free(msg);
    msg = run_fails(t, lp_value_string(fixture("no_such.csv")));
    cr_assert(strstr(msg, "no_such.csv"), "%s", msg);
    free(msg);
    lp_value *m = lp_value_map();
    lp_map_set(m, "ok", lp_value_string(fixture("people.csv")));
    lp_map_set(m, "broken", lp_value_bool(true));
    msg = run_fails(t, m);
    cr_assert(strstr(msg, "source 'broken'"), "%s", msg);
    free(msg);
}

Test(sql_transformer, sql_and_sql_file_together_fail_at_init)
{
    const char *yaml = "component: {data_transformer: SQLDataTransformer}\n"
                       "data_transformer: {config: {sql: SELECT 1, sql_file: q.sql}}\n";
    cr_assert_neq(uw_try_build(0, yaml), 0);
    cr_assert(strstr(lp_error_last()->message, "both sql and sql_file are set"), "%s",
              lp_error_last()->message);
}
