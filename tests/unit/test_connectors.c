/*
 * test_connectors.c — LocalDataConnector and SQLiteDataConnector through the
 * dispatcher, on real files in a fresh temporary directory: round trips that
 * hash equal (awkward names, missing values), if_exists modes, tables and
 * queries, atomic CSV writes, and the error messages.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lolpop.h"
#include "lolpop/csv.h"
#include "lolpop/frame.h"
#include "lolpop/types/data_connector.h"
#include "unit_workflow.h"

static const char *tmpdir; /* this test's, removed by uw_teardown */

static void setup(void)
{
    tmpdir = uw_tmpdir("connectors", false);
    uw_setup();
}

TestSuite(connectors, .init = setup, .fini = uw_teardown);

/* ---- helpers --------------------------------------------------------------------- */

static const char *tmp_path(const char *name)
{
    static char ring[8][PATH_MAX];
    static int next;
    char *buf = ring[next++ % 8];
    snprintf(buf, PATH_MAX, "%s/%s", tmpdir, name);
    return buf;
}

/* (Re)builds the workflow from YAML; returns its data_connector. */
static lp_obj *connector(const char *yaml)
{
    return uw_build(0, yaml, "data_connector");
}

static lp_obj *sqlite_connector(const char *extra_config)
{
    char yaml[1024];
    snprintf(yaml, sizeof yaml,
             "component: {data_connector: SQLiteDataConnector}\n"
             "data_connector:\n  config:\n    database: \"%s\"\n%s",
             tmp_path("data.db"), extra_config ? extra_config : "");
    return connector(yaml);
}

static lp_obj *local_connector(void)
{
    return connector("component: {data_connector: LocalDataConnector}\n");
}

static void add_col(lp_frame *f, const char *name, lp_column_builder *b)
{
    cr_assert_eq(lp_frame_add_column(f, name, lp_column_builder_finish(b)), 0);
}

/* float, int, string, bool, timestamp columns with missing values and names
 * that need quoting in SQL. */
static lp_frame *awkward_frame(bool with_bool_and_time)
{
    lp_frame *f = lp_frame_new();
    lp_column_builder *b = lp_column_builder_new(LP_DT_FLOAT64, 3);
    lp_column_builder_append_f64(b, 0.1);
    lp_column_builder_append_null(b);
    lp_column_builder_append_f64(b, -1e-300);
    add_col(f, "my col", b);
    b = lp_column_builder_new(LP_DT_INT64, 3);
    lp_column_builder_append_i64(b, 7);
    lp_column_builder_append_i64(b, -3);
    lp_column_builder_append_null(b);
    add_col(f, "a/b", b);
    b = lp_column_builder_new(LP_DT_STRING, 3);
    lp_column_builder_append_null(b);
    lp_column_builder_append_str(b, "he said \"hi\", twice", 19);
    lp_column_builder_append_str(b, "\xc3\xa9t\xc3\xa9", 5);
    add_col(f, "q\"uote's", b);
    if (with_bool_and_time) {
        b = lp_column_builder_new(LP_DT_BOOL, 3);
        lp_column_builder_append_bool(b, true);
        lp_column_builder_append_null(b);
        lp_column_builder_append_bool(b, false);
        add_col(f, "ok?", b);
        b = lp_column_builder_new(LP_DT_TIMESTAMP, 3);
        lp_column_builder_append_i64(b, 1706702400000000LL); /* 2024-01-31T12:00:00 */
        lp_column_builder_append_i64(b, 1709164800000123LL);
        lp_column_builder_append_null(b);
        add_col(f, "when", b);
    }
    return f;
}

static void assert_same(const lp_frame *a, const lp_frame *b)
{
    char ha[65], hb[65];
    cr_assert_eq(lp_frame_hash_hex(a, ha), 0);
    cr_assert_eq(lp_frame_hash_hex(b, hb), 0);
    cr_assert_str_eq(ha, hb);
}

static int save(lp_obj *c, lp_frame *f, const char *target)
{
    lp_value *v = lp_value_frame(f);
    int rc = lp_data_connector_save_data(c, v, target);
    lp_value_unref(v);
    return rc;
}

/* get_data as a new frame reference (asserting success). */
static lp_frame *load(lp_obj *c, const char *source)
{
    lp_value *v = lp_data_connector_get_data(c, source);
    cr_assert_not_null(v, "get_data(%s): %s", source, lp_error_last()->message);
    lp_frame *f = lp_frame_ref(lp_value_as_frame(v));
    cr_assert_not_null(f);
    lp_value_unref(v);
    return f;
}

static int64_t int_at(const lp_frame *f, size_t col, size_t row)
{
    return lp_frame_col(f, col)->data.i64[row];
}

static size_t dir_entries(const char *dir)
{
    DIR *d = opendir(dir);
    cr_assert_not_null(d);
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d));)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

/* ---- SQLiteDataConnector ------------------------------------------------------------ */

Test(connectors, sqlite_round_trip_hash_equal)
{
    lp_obj *c = sqlite_connector(NULL);
    lp_frame *f = awkward_frame(true);
    cr_assert_eq(save(c, f, "my table/2024 \"final\""), 0, "%s", lp_error_last()->message);
    cr_assert_eq(access(tmp_path("data.db"), F_OK), 0);
    lp_frame *back = load(c, "my table/2024 \"final\"");
    cr_assert_eq(lp_frame_rows(back), 3);
    cr_assert_str_eq(lp_frame_name(back, 2), "q\"uote's");
    cr_assert_eq(lp_frame_col(back, 3)->type, LP_DT_BOOL);
    cr_assert_eq(lp_frame_col(back, 4)->type, LP_DT_TIMESTAMP);
    assert_same(f, back);
    lp_frame_unref(back);
    lp_frame_unref(f);
}

Test(connectors, sqlite_reads_queries_and_tables)
{
    lp_obj *c = sqlite_connector(NULL);
    lp_frame *f = awkward_frame(false);
    cr_assert_eq(save(c, f, "t"), 0, "%s", lp_error_last()->message);
    lp_frame *q = load(c, "  select count(*) AS n, sum(\"a/b\") AS s FROM t");
    cr_assert_eq(int_at(q, 0, 0), 3);
    cr_assert_eq(int_at(q, 1, 0), 4);
    lp_frame_unref(q);
    q = load(c, "WITH x AS (SELECT \"my col\" AS v FROM t WHERE \"my col\" IS NOT NULL) "
                "SELECT count(*) AS n FROM x");
    cr_assert_eq(int_at(q, 0, 0), 2);
    lp_frame_unref(q);
    /* a table whose name starts like a keyword is still a table */
    cr_assert_eq(save(c, f, "selections"), 0);
    q = load(c, "selections");
    cr_assert_eq(lp_frame_rows(q), 3);
    lp_frame_unref(q);
    lp_frame_unref(f);
}

Test(connectors, sqlite_if_exists_modes)
{
    lp_frame *f = awkward_frame(false);
    lp_obj *c = sqlite_connector(NULL); /* default: append */
    cr_assert_eq(save(c, f, "t"), 0);
    cr_assert_eq(save(c, f, "t"), 0);
    lp_frame *q = load(c, "SELECT count(*) FROM t");
    cr_assert_eq(int_at(q, 0, 0), 6);
    lp_frame_unref(q);

    c = sqlite_connector("    if_exists: replace\n");
    cr_assert_eq(save(c, f, "t"), 0);
    q = load(c, "SELECT count(*) FROM t");
    cr_assert_eq(int_at(q, 0, 0), 3);
    lp_frame_unref(q);

    c = sqlite_connector("    if_exists: fail\n");
    cr_assert_neq(save(c, f, "t"), 0);
    char *msg = lp_error_format();
    cr_assert(strstr(msg, "SQLiteDataConnector.save_data") && strstr(msg, "data.db") &&
                  strstr(msg, "table 't' already exists"),
              "%s", msg);
    free(msg);
    cr_assert_eq(save(c, f, "other"), 0); /* a new table is fine */
    q = load(c, "SELECT count(*) FROM t");
    cr_assert_eq(int_at(q, 0, 0), 3);
    lp_frame_unref(q);
    lp_frame_unref(f);
}

Test(connectors, sqlite_bad_if_exists_fails_init)
{
    const char *yaml = "component: {data_connector: SQLiteDataConnector}\n"
                       "data_connector: {config: {database: x.db, if_exists: overwrite}}\n";
    cr_assert_neq(uw_try_build(0, yaml), 0);
    cr_assert(strstr(lp_error_last()->message, "if_exists 'overwrite' is not one of"), "%s",
              lp_error_last()->message);
}

Test(connectors, sqlite_requires_database)
{
    const char *yaml = "component: {data_connector: SQLiteDataConnector}\n";
    cr_assert_eq(uw_try_build(0, yaml), LP_ECONFIG);
    const lp_diags *d = uw_diags();
    cr_assert_geq(d->len, 1);
    cr_assert(strstr(d->items[0].message, "database"), "%s", d->items[0].message);
}

Test(connectors, sqlite_errors_name_the_database)
{
    lp_obj *c = sqlite_connector(NULL);
    /* nothing written yet: the file does not exist, and reading does not create it */
    cr_assert_null(lp_data_connector_get_data(c, "t"));
    cr_assert(strstr(lp_error_last()->message, tmp_path("data.db")), "%s",
              lp_error_last()->message);
    cr_assert_neq(access(tmp_path("data.db"), F_OK), 0);

    lp_frame *f = awkward_frame(false);
    cr_assert_eq(save(c, f, "customers"), 0);
    cr_assert_null(lp_data_connector_get_data(c, "customer"));
    const char *msg = lp_error_last()->message;
    cr_assert(strstr(msg, "data.db: no table 'customer'; did you mean 'customers'?"), "%s", msg);
    cr_assert_null(lp_data_connector_get_data(c, "SELECT nope FROM customers"));
    msg = lp_error_last()->message;
    cr_assert(strstr(msg, "data.db") && strstr(msg, "no such column: nope"), "%s", msg);

    lp_value *not_frame = lp_value_int(3);
    cr_assert_neq(lp_data_connector_save_data(c, not_frame, "t"), 0);
    cr_assert(strstr(lp_error_last()->message, "must be a data frame, got int"));
    lp_value_unref(not_frame);
    lp_frame_unref(f);
}

Test(connectors, sqlite_write_into_missing_directory_fails)
{
    char yaml[1024];
    snprintf(yaml, sizeof yaml,
             "component: {data_connector: SQLiteDataConnector}\n"
             "data_connector: {config: {database: \"%s\"}}\n",
             tmp_path("no/such/dir.db"));
    lp_obj *c = connector(yaml);
    lp_frame *f = awkward_frame(false);
    cr_assert_neq(save(c, f, "t"), 0);
    cr_assert(strstr(lp_error_last()->message, "no/such/dir.db"), "%s", lp_error_last()->message);
    lp_frame_unref(f);
}

/* ---- LocalDataConnector ---------------------------------------------------------------- */

Test(connectors, local_csv_and_tsv_round_trip)
{
    lp_obj *c = local_connector();
    lp_frame *f = awkward_frame(true);
    const char *names[] = {"out.csv", "out.tsv", "UPPER.CSV"};
    for (size_t i = 0; i < 3; i++) {
        cr_assert_eq(save(c, f, tmp_path(names[i])), 0, "%s", lp_error_last()->message);
        lp_frame *back = load(c, tmp_path(names[i]));
        assert_same(f, back);
        lp_frame_unref(back);
    }
    /* the TSV really is tab-separated */
    FILE *fp = fopen(tmp_path("out.tsv"), "rb");
    char line[256] = {0};
    cr_assert_not_null(fgets(line, sizeof line, fp));
    fclose(fp);
    cr_assert(strchr(line, '\t'), "%s", line);
    cr_assert_eq(dir_entries(tmpdir), 3); /* no temporary files left */
    lp_frame_unref(f);
}

Test(connectors, local_relative_paths_use_the_working_directory)
{
    char old[PATH_MAX];
    cr_assert_not_null(getcwd(old, sizeof old));
    cr_assert_eq(chdir(tmpdir), 0);
    lp_obj *c = local_connector();
    lp_frame *f = awkward_frame(false);
    int rc = save(c, f, "rel.csv");
    bool there = access(tmp_path("rel.csv"), F_OK) == 0;
    cr_assert_eq(chdir(old), 0);
    cr_assert_eq(rc, 0, "%s", lp_error_last()->message);
    cr_assert(there);
    lp_frame_unref(f);
}

Test(connectors, local_failed_write_leaves_nothing)
{
    lp_obj *c = local_connector();
    lp_frame *f = awkward_frame(false);
    cr_assert_neq(save(c, f, tmp_path("missing/dir/out.csv")), 0);
    char *msg = lp_error_format();
    bool named = strstr(msg, "missing/dir") != NULL;
    free(msg);
    cr_assert(named, "%s", lp_error_last()->message);
    cr_assert_eq(dir_entries(tmpdir), 0);
    /* an existing file survives a failed overwrite */
    cr_assert_eq(save(c, f, tmp_path("keep.csv")), 0);
    lp_value *not_frame = lp_value_string("x");
    cr_assert_neq(lp_data_connector_save_data(c, not_frame, tmp_path("keep.csv")), 0);
    lp_value_unref(not_frame);
    lp_frame *back = load(c, tmp_path("keep.csv"));
    assert_same(f, back);
    cr_assert_eq(dir_entries(tmpdir), 1);
    lp_frame_unref(back);
    lp_frame_unref(f);
}

Test(connectors, local_unknown_extension_is_refused)
{
    lp_obj *c = local_connector();
    cr_assert_null(lp_data_connector_get_data(c, "data/train.parquet"));
    const char *msg = lp_error_last()->message;
    cr_assert(strstr(msg, "'data/train.parquet' has the unsupported extension '.parquet'") &&
                  strstr(msg, ".csv, .tsv"),
              "%s", msg);
    cr_assert_null(lp_data_connector_get_data(c, "dir.csv/noext"));
    cr_assert(strstr(lp_error_last()->message, "no extension"), "%s", lp_error_last()->message);
    lp_frame *f = awkward_frame(false);
    cr_assert_neq(save(c, f, tmp_path("x.xlsx")), 0);
    cr_assert(strstr(lp_error_last()->message, ".xlsx"));
    cr_assert_eq(dir_entries(tmpdir), 0);
    cr_assert_null(lp_data_connector_get_data(c, NULL));
    cr_assert(strstr(lp_error_last()->message, "must be a file path"));
    lp_frame_unref(f);
}

Test(connectors, local_reads_with_configured_options)
{
    FILE *fp = fopen(tmp_path("semi.csv"), "wb");
    fputs("id;score;name\n1;n/a;x\n2;2.5;-\n", fp);
    fclose(fp);
    lp_obj *c = connector("component: {data_connector: LocalDataConnector}\n"
                          "data_connector:\n  config:\n    separator: ';'\n"
                          "    na_values: ['n/a', '-']\n    dtypes: {id: float64}\n");
    lp_frame *f = load(c, tmp_path("semi.csv"));
    cr_assert_eq(lp_frame_cols(f), 3);
    cr_assert_eq(lp_frame_col(f, 0)->type, LP_DT_FLOAT64);
    cr_assert_eq(lp_frame_col(f, 1)->type, LP_DT_FLOAT64);
    cr_assert_not(lp_column_is_valid(lp_frame_col(f, 1), 0));
    cr_assert_not(lp_column_is_valid(lp_frame_col(f, 2), 1));
    lp_frame_unref(f);
}

Test(connectors, local_bad_options_fail_init)
{
    const char *yaml = "component: {data_connector: LocalDataConnector}\n"
                       "data_connector: {config: {dtypes: {a: decimal}}}\n";
    cr_assert_neq(uw_try_build(0, yaml), 0);
    cr_assert(strstr(lp_error_last()->message, "dtypes.a: 'decimal' is not a column type"), "%s",
              lp_error_last()->message);
}
