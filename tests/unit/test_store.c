/*
 * test_store.c — the metadata store on real SQLite files in a temporary
 * directory: schema creation and migrations (empty file, re-open, a newer
 * schema refused, a foreign database refused), resources and their version
 * numbers and uris, tags (JSON round trip, exclusive winner), vc_info,
 * artifacts, reports, lineage, metrics, runs (ids, prefixes, listing,
 * timings, git commit), recovery of a run whose process was SIGKILLed, live
 * runs left alone, and two processes writing one store at the same time.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <ftw.h>
#include <math.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lolpop.h"
#include "store/store.h"

static char dir[] = "/tmp/lp-store-XXXXXX";
static char db[600];

static void setup(void)
{
    cr_assert_not_null(mkdtemp(dir), "mkdtemp: %s", strerror(errno));
    snprintf(db, sizeof db, "%s/meta/lolpop.db", dir);
}

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(p);
}

static void teardown(void)
{
    nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

TestSuite(store, .init = setup, .fini = teardown, .timeout = 60);

/* ---- helpers ------------------------------------------------------------------------ */

static lp_store *open_store(void)
{
    lp_store *st = NULL;
    cr_assert_eq(lp_store_open(&st, db, LP_STORE_CREATE), 0, "%s", lp_error_last()->message);
    return st;
}

/* One integer from SQL run on the file directly. */
static long long sql_int(const char *sql)
{
    sqlite3 *h = NULL;
    cr_assert_eq(sqlite3_open_v2(db, &h, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    sqlite3_stmt *q = NULL;
    cr_assert_eq(sqlite3_prepare_v2(h, sql, -1, &q, NULL), SQLITE_OK, "%s", sqlite3_errmsg(h));
    cr_assert_eq(sqlite3_step(q), SQLITE_ROW, "%s", sql);
    long long v = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    sqlite3_close(h);
    return v;
}

static void sql_exec(const char *sql)
{
    sqlite3 *h = NULL;
    cr_assert_eq(sqlite3_open_v2(db, &h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL),
                 SQLITE_OK);
    cr_assert_eq(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK, "%s", sqlite3_errmsg(h));
    sqlite3_close(h);
}

static char *sql_text(const char *sql)
{
    sqlite3 *h = NULL;
    cr_assert_eq(sqlite3_open_v2(db, &h, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    sqlite3_stmt *q = NULL;
    cr_assert_eq(sqlite3_prepare_v2(h, sql, -1, &q, NULL), SQLITE_OK, "%s", sqlite3_errmsg(h));
    cr_assert_eq(sqlite3_step(q), SQLITE_ROW, "%s", sql);
    const unsigned char *t = sqlite3_column_text(q, 0);
    char *copy = strdup(t ? (const char *)t : "(null)");
    sqlite3_finalize(q);
    sqlite3_close(h);
    return copy;
}

static lp_value *create(lp_store *st, const char *type, const char *name, int64_t parent)
{
    lp_value *r = NULL;
    cr_assert_eq(lp_store_resource_create(st, type, name, parent, NULL, &r), 0, "%s",
                 lp_error_last()->message);
    cr_assert_not_null(r);
    return r;
}

static int64_t id_of(const lp_value *r)
{
    return lp_value_as_int(lp_map_get(r, "id"));
}

static const char *str_of(const lp_value *r, const char *key)
{
    return lp_value_as_string(lp_map_get(r, key));
}

static void make_dirs_for_db(void)
{
    char meta[700];
    snprintf(meta, sizeof meta, "%s/meta", dir);
    cr_assert_eq(mkdir(meta, 0755), 0);
}

/* ---- schema ------------------------------------------------------------------------- */

Test(store, creates_directory_file_and_schema_then_reopens)
{
    lp_store *st = open_store();
    cr_assert_str_eq(lp_store_location(st), db);
    lp_store_close(st);
    cr_assert_eq(sql_int("SELECT MAX(version) FROM lolpop_schema"), 4);
    cr_assert_eq(sql_int("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN "
                         "('runs','resources','tags','artifacts','vc_info','reports','lineage',"
                         "'metrics','timings','cache')"),
                 10);
    char *mode = sql_text("PRAGMA journal_mode");
    cr_assert_str_eq(mode, "wal");
    free(mode);
    st = open_store(); /* a re-open applies nothing twice */
    lp_store_close(st);
    cr_assert_eq(sql_int("SELECT COUNT(*) FROM lolpop_schema"), 4);
}

Test(store, migrates_an_empty_file)
{
    make_dirs_for_db();
    FILE *f = fopen(db, "w");
    cr_assert_not_null(f);
    fclose(f);
    lp_store *st = NULL;
    cr_assert_eq(lp_store_open(&st, db, 0), 0, "%s", lp_error_last()->message);
    lp_value *r = create(st, "dataset", "titanic", 0);
    lp_value_unref(r);
    lp_store_close(st);
    cr_assert_eq(sql_int("SELECT MAX(version) FROM lolpop_schema"), 4);
    cr_assert_eq(sql_int("SELECT COUNT(*) FROM resources"), 1);
}

Test(store, refuses_a_newer_schema)
{
    lp_store_close(open_store());
    sql_exec("INSERT INTO lolpop_schema VALUES (99, 'from the future', 0)");
    lp_store *st = NULL;
    cr_assert_eq(lp_store_open(&st, db, LP_STORE_CREATE), LP_ECONFIG);
    cr_assert_null(st);
    const char *msg = lp_error_last()->message;
    cr_assert(strstr(msg, "schema version 99") && strstr(msg, "newer") && strstr(msg, db), "%s",
              msg);
}

Test(store, refuses_a_database_that_is_not_a_store)
{
    make_dirs_for_db();
    sql_exec("CREATE TABLE customers (id INTEGER)");
    lp_store *st = NULL;
    cr_assert_eq(lp_store_open(&st, db, LP_STORE_CREATE), LP_ECONFIG);
    cr_assert(strstr(lp_error_last()->message, "not a lolpop metadata store"), "%s",
              lp_error_last()->message);
    cr_assert_eq(sql_int("SELECT COUNT(*) FROM sqlite_master"), 1, "nothing was added to it");
}

Test(store, missing_store_without_create_is_not_found)
{
    lp_store *st = NULL;
    cr_assert_eq(lp_store_open(&st, db, 0), LP_ENOTFOUND);
    cr_assert(strstr(lp_error_last()->message, db), "%s", lp_error_last()->message);
    struct stat sb;
    cr_assert_neq(stat(db, &sb), 0, "nothing was created");
}

Test(store, unwritable_location_names_the_path)
{
    /* A regular file where a directory should be: fails for root as well. */
    char blocker[700], path[800];
    snprintf(blocker, sizeof blocker, "%s/file", dir);
    FILE *f = fopen(blocker, "w");
    cr_assert_not_null(f);
    fclose(f);
    snprintf(path, sizeof path, "%s/sub/lolpop.db", blocker);
    lp_store *st = NULL;
    int rc = lp_store_open(&st, path, LP_STORE_CREATE);
    cr_assert_eq(rc, LP_EIO);
    cr_assert(strstr(lp_error_last()->message, path), "%s", lp_error_last()->message);
    cr_assert(strstr(lp_error_last()->message, "Not a directory"), "%s", lp_error_last()->message);
}

Test(store, postgres_location_is_a_clear_error)
{
    lp_store *st = NULL;
    cr_assert_eq(lp_store_open(&st, "postgresql://localhost/x", LP_STORE_CREATE), LP_ECONFIG);
    cr_assert(strstr(lp_error_last()->message, "not supported yet"));
}

Test(store, readonly_refuses_writes)
{
    lp_store_close(open_store());
    lp_store *st = NULL;
    cr_assert_eq(lp_store_open(&st, db, LP_STORE_READONLY), 0, "%s", lp_error_last()->message);
    lp_value *r = NULL;
    cr_assert_eq(lp_store_resource_create(st, "dataset", "d", 0, NULL, &r), LP_EINVAL);
    cr_assert(strstr(lp_error_last()->message, "read-only"));
    lp_value *runs = NULL;
    cr_assert_eq(lp_store_runs_list(st, 0, &runs), 0);
    cr_assert_eq(lp_list_len(runs), 0);
    lp_value_unref(runs);
    lp_store_close(st);
}

/* ---- resources ------------------------------------------------------------------------ */

Test(store, resources_versions_and_uris)
{
    lp_store *st = open_store();
    lp_value *d = create(st, "dataset", "titanic_train", 0);
    lp_value *d2 = create(st, "dataset", "titanic_train", 0);
    cr_assert_eq(id_of(d), id_of(d2), "datasets are got or created by name");
    cr_assert_str_eq(str_of(d, "uri"), "dataset/titanic_train");
    cr_assert_null(lp_map_get(d, "version"));
    cr_assert_null(lp_map_get(d, "parent"));
    lp_value *v[3];
    for (int i = 0; i < 3; i++) {
        v[i] = create(st, "dataset_version", NULL, id_of(d));
        cr_assert_eq(lp_value_as_int(lp_map_get(v[i], "version")), i + 1);
        cr_assert_eq(lp_value_as_int(lp_map_get(v[i], "parent")), id_of(d));
        cr_assert_str_eq(str_of(v[i], "name"), "titanic_train");
        cr_assert_str_eq(str_of(v[i], "type"), "dataset_version");
    }
    cr_assert_str_eq(str_of(v[2], "uri"), "dataset/titanic_train/v3");

    lp_value *m = create(st, "model", "titanic", 0);
    lp_value *mv1 = create(st, "model_version", NULL, id_of(m));
    lp_value *mv2 = create(st, "model_version", NULL, id_of(m));
    lp_value *e1 = create(st, "experiment", NULL, id_of(mv2));
    lp_value *e2 = create(st, "experiment", NULL, id_of(mv2));
    lp_value *e3 = create(st, "experiment", NULL, id_of(mv1));
    lp_value *pj = create(st, "prediction_job", NULL, id_of(mv2));
    cr_assert_str_eq(str_of(e2, "uri"), "model/titanic/v2/experiment/2");
    cr_assert_eq(lp_value_as_int(lp_map_get(e3, "version")), 1, "numbered per parent");
    cr_assert_str_eq(str_of(pj, "uri"), "model/titanic/v2/prediction_job/1");
    cr_assert_str_eq(str_of(e1, "name"), "titanic");

    lp_value *r = NULL;
    cr_assert_eq(lp_store_resource_by_uri(st, "model/titanic/v2/experiment/2", &r), 0);
    cr_assert_eq(id_of(r), id_of(e2));
    lp_value_unref(r);
    cr_assert_eq(lp_store_resource_by_uri(st, "model/titanic/v9", &r), 0);
    cr_assert_null(r);
    cr_assert_eq(lp_store_resource_find(st, "model", "titanic", &r), 0);
    cr_assert_eq(id_of(r), id_of(m));
    lp_value_unref(r);
    cr_assert_eq(lp_store_resource_find(st, "model", "nope", &r), 0);
    cr_assert_null(r);
    cr_assert_eq(lp_store_resource_latest(st, id_of(m), "model_version", &r), 0);
    cr_assert_eq(id_of(r), id_of(mv2));
    lp_value_unref(r);
    cr_assert_eq(lp_store_resource_previous(st, id_of(v[2]), &r), 0);
    cr_assert_eq(id_of(r), id_of(v[1]));
    lp_value_unref(r);
    cr_assert_eq(lp_store_resource_previous(st, id_of(v[0]), &r), 0);
    cr_assert_null(r, "the first version has no previous one");
    cr_assert_eq(lp_store_resource_children(st, id_of(mv2), "experiment", &r), 0);
    cr_assert_eq(lp_list_len(r), 2);
    cr_assert_eq(id_of(lp_list_get(r, 1)), id_of(e2));
    lp_value_unref(r);
    cr_assert_eq(lp_store_resource_children(st, id_of(mv2), NULL, &r), 0);
    cr_assert_eq(lp_list_len(r), 3);
    lp_value_unref(r);

    /* Errors. */
    cr_assert_eq(lp_store_resource_create(st, "experiment", NULL, 9999, NULL, &r), LP_ENOTFOUND);
    cr_assert(strstr(lp_error_last()->message, "9999"), "%s", lp_error_last()->message);
    cr_assert_eq(lp_store_resource_create(st, "experiment", NULL, 0, NULL, &r), LP_EINVAL);
    cr_assert_eq(lp_store_resource_create(st, "dataset", "a/b", 0, NULL, &r), LP_EINVAL);
    cr_assert_eq(lp_store_resource_create(st, "dataset", "", 0, NULL, &r), LP_EINVAL);
    cr_assert_null(r);

    for (int i = 0; i < 3; i++)
        lp_value_unref(v[i]);
    lp_value *all[] = {d, d2, m, mv1, mv2, e1, e2, e3, pj};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        lp_value_unref(all[i]);
    lp_store_close(st);
}

/* ---- tags and the rest ------------------------------------------------------------------ */

static lp_value *parse_json(const char *text)
{
    lp_value *v = NULL;
    cr_assert_eq(lp_store_json_value(text, &v), 0, "%s", text);
    return v;
}

Test(store, tags_round_trip_and_replace)
{
    lp_store *st = open_store();
    lp_value *d = create(st, "dataset", "d", 0);
    lp_value *params = parse_json("{\"max_depth\": 4, \"eta\": 0.25, \"objective\": "
                                  "\"binary:logistic\", \"list\": [1, true, null]}");
    cr_assert_eq(lp_store_tag_set(st, id_of(d), "params", params, NULL), 0, "%s",
                 lp_error_last()->message);
    lp_value *got = NULL;
    cr_assert_eq(lp_store_tag_get(st, id_of(d), "params", &got), 0);
    cr_assert(lp_value_equal(got, params));
    cr_assert_eq(lp_value_type(lp_map_get(got, "eta")), LP_FLOAT);
    cr_assert_eq(lp_value_type(lp_map_get(got, "max_depth")), LP_INT);
    lp_value_unref(got);
    lp_value *two = lp_value_int(2);
    cr_assert_eq(lp_store_tag_set(st, id_of(d), "params", two, NULL), 0);
    cr_assert_eq(lp_store_tag_get(st, id_of(d), "params", &got), 0);
    cr_assert_eq(lp_value_as_int(got), 2);
    lp_value_unref(got);
    cr_assert_eq(lp_store_tag_get(st, id_of(d), "absent", &got), 0);
    cr_assert_null(got);
    lp_value *nan = lp_value_float(NAN);
    cr_assert_eq(lp_store_tag_set(st, id_of(d), "nan", nan, NULL), 0);
    cr_assert_eq(lp_store_tags(st, id_of(d), &got), 0);
    cr_assert_eq(lp_map_len(got), 2);
    cr_assert_eq(lp_value_type(lp_map_get(got, "nan")), LP_NULL, "NaN is stored as null");
    lp_value_unref(got);
    cr_assert_eq(lp_store_tag_set(st, 4242, "x", two, NULL), LP_ENOTFOUND);
    cr_assert(strstr(lp_error_last()->message, "4242"));
    lp_value_unref(nan);
    lp_value_unref(two);
    lp_value_unref(params);
    lp_value_unref(d);
    lp_store_close(st);
}

Test(store, exclusive_tag_has_one_holder_per_parent)
{
    lp_store *st = open_store();
    lp_value *m = create(st, "model", "m", 0);
    lp_value *mv = create(st, "model_version", NULL, id_of(m));
    lp_value *other_mv = create(st, "model_version", NULL, id_of(m));
    lp_value *e[3], *other = create(st, "experiment", NULL, id_of(other_mv));
    lp_value *yes = lp_value_bool(true);
    cr_assert_eq(lp_store_tag_set_exclusive(st, id_of(other), "winner", yes, NULL), 0);
    for (int i = 0; i < 3; i++) {
        e[i] = create(st, "experiment", NULL, id_of(mv));
        cr_assert_eq(lp_store_tag_set_exclusive(st, id_of(e[i]), "winner", yes, NULL), 0);
    }
    for (int i = 0; i < 3; i++) {
        lp_value *w = NULL;
        cr_assert_eq(lp_store_tag_get(st, id_of(e[i]), "winner", &w), 0);
        cr_assert_eq(lp_value_type(w), LP_BOOL);
        cr_assert_eq(lp_value_as_bool(w), i == 2, "experiment %d", i);
        lp_value_unref(w);
    }
    lp_value *w = NULL;
    cr_assert_eq(lp_store_tag_get(st, id_of(other), "winner", &w), 0);
    cr_assert(lp_value_as_bool(w), "another model version's winner is untouched");
    lp_value_unref(w);
    lp_value *r = NULL;
    cr_assert_eq(lp_store_resource_latest_tagged(st, id_of(mv), "experiment", "winner", yes, &r),
                 0);
    cr_assert_eq(id_of(r), id_of(e[2]));
    lp_value_unref(r);
    for (int i = 0; i < 3; i++)
        lp_value_unref(e[i]);
    lp_value_unref(yes);
    lp_value_unref(other);
    lp_value_unref(other_mv);
    lp_value_unref(mv);
    lp_value_unref(m);
    lp_store_close(st);
}

Test(store, vc_info_artifacts_reports_lineage)
{
    lp_store *st = open_store();
    lp_value *d = create(st, "dataset", "d", 0);
    lp_value *dv = create(st, "dataset_version", NULL, id_of(d));
    lp_value *m = create(st, "model", "m", 0);
    lp_value *mv = create(st, "model_version", NULL, id_of(m));
    lp_value *info = parse_json("{\"hash\": \"ab12\", \"path\": \"objects/ab/12\", \"size\": 10}");
    cr_assert_eq(lp_store_vc_info_set(st, id_of(dv), "data", info, NULL), 0);
    lp_value *got = NULL;
    cr_assert_eq(lp_store_vc_info_get(st, id_of(dv), "data", &got), 0);
    cr_assert(lp_value_equal(got, info));
    lp_value_unref(got);
    cr_assert_eq(lp_store_vc_info_get(st, id_of(dv), "model", &got), 0);
    cr_assert_null(got);

    cr_assert_eq(lp_store_artifact_add(st, id_of(mv), "roc", "/tmp/roc.png", NULL), 0);
    cr_assert_eq(lp_store_artifact_add(st, id_of(mv), "roc", "/tmp/roc2.png", NULL), 0);
    cr_assert_eq(lp_store_artifacts(st, id_of(mv), &got), 0);
    cr_assert_eq(lp_map_len(got), 1);
    cr_assert_str_eq(str_of(got, "roc"), "/tmp/roc2.png");
    lp_value_unref(got);

    lp_value *checks = parse_json("{\"status\": \"WARN\", \"failed\": [\"age not null\"]}");
    cr_assert_eq(lp_store_report_add(st, id_of(dv), "checks", "/r/checks.html", "LocalDataChecker",
                                     checks, "WARN", NULL),
                 0);
    cr_assert_eq(lp_store_report_add(st, id_of(dv), "profile", NULL, NULL, NULL, NULL, NULL), 0);
    cr_assert_eq(lp_store_report_add(st, id_of(dv), "bogus", NULL, NULL, NULL, NULL, NULL),
                 LP_EINVAL);
    cr_assert_eq(lp_store_reports(st, id_of(dv), &got), 0);
    cr_assert_eq(lp_list_len(got), 2);
    const lp_value *r0 = lp_list_get(got, 0);
    cr_assert_str_eq(str_of(r0, "kind"), "checks");
    cr_assert_str_eq(str_of(r0, "status"), "WARN");
    cr_assert_str_eq(str_of(r0, "class"), "LocalDataChecker");
    cr_assert(lp_value_equal(lp_map_get(r0, "report"), checks));
    cr_assert_null(lp_map_get(lp_list_get(got, 1), "path"));
    cr_assert_null(lp_map_get(r0, "object"), "not stored: no object");
    lp_value_unref(got);

    /* Reports and artifacts with their copies in the object store. */
    char hex[65], json_hex[65];
    memset(hex, 'a', 64);
    memset(json_hex, 'b', 64);
    hex[64] = json_hex[64] = 0;
    lp_store_report rep = {.kind = "checks",
                           .path = "/r/c.html",
                           .status = "PASS",
                           .object = hex,
                           .json_object = json_hex};
    cr_assert_eq(lp_store_report_record(st, id_of(mv), &rep, NULL), 0);
    cr_assert_eq(lp_store_reports(st, id_of(mv), &got), 0);
    cr_assert_str_eq(str_of(lp_list_get(got, 0), "object"), hex);
    cr_assert_str_eq(str_of(lp_list_get(got, 0), "json_object"), json_hex);
    lp_value_unref(got);
    cr_assert_eq(lp_store_artifact_record(st, id_of(mv), "roc", "/tmp/roc3.svg", hex, NULL), 0);
    cr_assert_eq(lp_store_artifact_add(st, id_of(mv), "pr", "/tmp/pr.svg", NULL), 0);
    cr_assert_eq(lp_store_artifact_list(st, id_of(mv), &got), 0);
    cr_assert_eq(lp_list_len(got), 2);
    cr_assert_str_eq(str_of(lp_list_get(got, 0), "name"), "pr");
    cr_assert_null(lp_map_get(lp_list_get(got, 0), "object"));
    cr_assert_str_eq(str_of(lp_list_get(got, 1), "path"), "/tmp/roc3.svg");
    cr_assert_str_eq(str_of(lp_list_get(got, 1), "object"), hex);
    lp_value_unref(got);

    cr_assert_eq(lp_store_lineage_add(st, id_of(dv), id_of(mv), "trained", NULL), 0);
    cr_assert_eq(lp_store_lineage_add(st, id_of(dv), id_of(mv), "trained", NULL), 0, "idempotent");
    cr_assert_eq(lp_store_lineage_add(st, id_of(dv), 777, "trained", NULL), LP_ENOTFOUND);
    cr_assert_eq(lp_store_lineage(st, id_of(mv), &got), 0);
    cr_assert_eq(lp_list_len(got), 1);
    cr_assert_str_eq(str_of(lp_list_get(got, 0), "from_uri"), "dataset/d/v1");
    cr_assert_str_eq(str_of(lp_list_get(got, 0), "to_uri"), "model/m/v1");
    lp_value_unref(got);

    lp_value *all[] = {d, dv, m, mv, info, checks};
    for (size_t i = 0; i < 6; i++)
        lp_value_unref(all[i]);
    lp_store_close(st);
}

Test(store, metrics)
{
    lp_store *st = open_store();
    lp_value *m = create(st, "model", "m", 0);
    lp_value *mv = create(st, "model_version", NULL, id_of(m));
    lp_value *e = create(st, "experiment", NULL, id_of(mv));
    lp_store_metric ms[] = {
        {"valid", "f1", 0.8125}, {"train", "f1", 0.9}, {"valid", "logloss", NAN}, {"", "rows", 10}};
    cr_assert_eq(lp_store_metrics_set(st, id_of(e), ms, 4), 0, "%s", lp_error_last()->message);
    double v;
    bool found;
    cr_assert_eq(lp_store_metric_get(st, id_of(e), "valid", "f1", &v, &found), 0);
    cr_assert(found);
    cr_assert_float_eq(v, 0.8125, 0);
    cr_assert_eq(lp_store_metric_get(st, id_of(e), "valid", "logloss", &v, &found), 0);
    cr_assert(found && isnan(v));
    cr_assert_eq(lp_store_metric_get(st, id_of(e), "test", "f1", &v, &found), 0);
    cr_assert(!found && isnan(v));
    lp_store_metric again = {"valid", "f1", 0.5};
    cr_assert_eq(lp_store_metrics_set(st, id_of(e), &again, 1), 0);
    lp_value *all = NULL;
    cr_assert_eq(lp_store_metrics(st, id_of(e), &all), 0);
    cr_assert_eq(lp_map_len(all), 3);
    cr_assert_float_eq(lp_value_as_float(lp_map_get(lp_map_get(all, "valid"), "f1")), 0.5, 0);
    cr_assert_float_eq(lp_value_as_float(lp_map_get(lp_map_get(all, ""), "rows")), 10, 0);
    lp_value_unref(all);
    cr_assert_eq(lp_store_metrics_set(st, 999, ms, 1), LP_ENOTFOUND);
    lp_value_unref(e);
    lp_value_unref(mv);
    lp_value_unref(m);
    lp_store_close(st);
}

/* ---- runs ------------------------------------------------------------------------------- */

Test(store, run_ids_are_sortable_and_well_formed)
{
    char a[32], b[32];
    cr_assert_eq(lp_store_new_run_id(a, sizeof a), 0);
    cr_assert_eq(lp_store_new_run_id(b, sizeof b), 0);
    cr_assert_eq(strlen(a), LP_STORE_RUN_ID_LEN);
    cr_assert_eq(a[8], '-');
    cr_assert_eq(a[15], '-');
    cr_assert_str_neq(a, b);
    cr_assert_eq(strncmp(a, "20", 2), 0);
    cr_assert_eq(lp_store_new_run_id(a, 10), LP_EINVAL);
}

Test(store, runs_begin_end_list_resolve)
{
    lp_store *st = open_store();
    char *r1 = NULL, *r2 = NULL;
    cr_assert_eq(lp_store_run_begin(st, "ClassificationRunner", "{\"a\": 1}", &r1), 0, "%s",
                 lp_error_last()->message);
    cr_assert_eq(lp_store_run_begin(st, "X", NULL, &r2), LP_EINVAL, "one active run per handle");
    cr_assert_eq(lp_store_run_method(st, r1, "build_all"), 0);
    cr_assert_eq(lp_store_run_method(st, r1, "other"), 0);
    lp_value *res = NULL;
    cr_assert_eq(lp_store_resource_create(st, "dataset", "d", 0, r1, &res), 0);
    cr_assert_str_eq(str_of(res, "run"), r1);
    lp_value_unref(res);
    char lockfile[800];
    snprintf(lockfile, sizeof lockfile, "%s/meta/runs/%s.lock", dir, r1);
    struct stat sb;
    cr_assert_eq(stat(lockfile, &sb), 0, "the run holds its lock file");
    cr_assert_eq(lp_store_run_end(st, r1, true, NULL), 0);
    cr_assert_neq(stat(lockfile, &sb), 0, "and removes it at the end");
    cr_assert_eq(lp_store_run_end(st, r1, false, "again"), LP_ENOTFOUND);
    usleep(10000);
    cr_assert_eq(lp_store_run_begin(st, "RegressionRunner", NULL, &r2), 0);
    cr_assert_eq(lp_store_run_end(st, r2, false, "boom"), 0);

    lp_value *runs = NULL;
    cr_assert_eq(lp_store_runs_list(st, 0, &runs), 0);
    cr_assert_eq(lp_list_len(runs), 2);
    const lp_value *newest = lp_list_get(runs, 0), *oldest = lp_list_get(runs, 1);
    cr_assert_str_eq(str_of(newest, "id"), r2, "newest first");
    cr_assert_str_eq(str_of(newest, "status"), "failed");
    cr_assert_str_eq(str_of(newest, "error"), "boom");
    cr_assert_str_eq(str_of(oldest, "status"), "succeeded");
    cr_assert_str_eq(str_of(oldest, "method"), "build_all", "the first method wins");
    cr_assert_str_eq(str_of(oldest, "runner"), "ClassificationRunner");
    cr_assert_eq(lp_value_as_int(lp_map_get(oldest, "pid")), getpid());
    cr_assert(lp_value_as_float(lp_map_get(oldest, "ended_at")) >=
              lp_value_as_float(lp_map_get(oldest, "started_at")));
    cr_assert_null(lp_map_get(oldest, "config"), "lists leave the configuration out");
    lp_value_unref(runs);
    cr_assert_eq(lp_store_runs_list(st, 1, &runs), 0);
    cr_assert_eq(lp_list_len(runs), 1);
    lp_value_unref(runs);

    lp_value *run = NULL;
    cr_assert_eq(lp_store_run_get(st, r1, &run), 0);
    cr_assert_eq(lp_value_as_int(lp_map_get(lp_map_get(run, "config"), "a")), 1);
    lp_value_unref(run);
    cr_assert_eq(lp_store_run_get(st, "nope", &run), 0);
    cr_assert_null(run);
    cr_assert_eq(lp_store_run_resources(st, r1, &run), 0);
    cr_assert_eq(lp_list_len(run), 1);
    lp_value_unref(run);

    char *id = NULL;
    cr_assert_eq(lp_store_run_resolve(st, "latest", &id), 0);
    cr_assert_str_eq(id, r2);
    free(id);
    char prefix[32];
    snprintf(prefix, sizeof prefix, "%.19s", r1); /* date, time and 4 random hex digits */
    cr_assert_eq(lp_store_run_resolve(st, prefix, &id), 0, "%s", lp_error_last()->message);
    cr_assert_str_eq(id, r1);
    free(id);
    cr_assert_eq(lp_store_run_resolve(st, "2", &id), LP_EINVAL, "ambiguous");
    cr_assert(strstr(lp_error_last()->message, "ambiguous") &&
                  strstr(lp_error_last()->message, r1) && strstr(lp_error_last()->message, r2),
              "%s", lp_error_last()->message);
    cr_assert_eq(lp_store_run_resolve(st, "1999", &id), LP_ENOTFOUND);
    cr_assert(strstr(lp_error_last()->message, "1999"));
    free(r1);
    free(r2);
    lp_store_close(st);
}

Test(store, timings_are_summed_per_call_site)
{
    lp_store *st = open_store();
    char *run = NULL;
    cr_assert_eq(lp_store_run_begin(st, "R", NULL, &run), 0);
    lp_store_timing t[] = {
        {"", "R", "build_all", 3.0, true},
        {"train.model_trainer", "XGBoostModelTrainer", "fit", 1.0, true},
        {"train.model_trainer", "XGBoostModelTrainer", "fit", 1.5, false},
        {"process", "OfflineProcess", "transform_data", 0.25, true},
    };
    cr_assert_eq(lp_store_timings_add(st, run, t, 2), 0);
    cr_assert_eq(lp_store_timings_add(st, run, t + 2, 2), 0, "batches append");
    cr_assert_eq(sql_int("SELECT MAX(seq) FROM timings"), 4);
    lp_value *sum = NULL;
    cr_assert_eq(lp_store_run_timings(st, run, 0, &sum), 0);
    cr_assert_eq(lp_list_len(sum), 3);
    const lp_value *top = lp_list_get(sum, 0), *fit = lp_list_get(sum, 1);
    cr_assert_str_eq(str_of(top, "method"), "build_all");
    cr_assert_str_eq(str_of(fit, "class"), "XGBoostModelTrainer");
    cr_assert_eq(lp_value_as_int(lp_map_get(fit, "calls")), 2);
    cr_assert_eq(lp_value_as_int(lp_map_get(fit, "failed")), 1);
    cr_assert_float_eq(lp_value_as_float(lp_map_get(fit, "seconds")), 2.5, 1e-12);
    lp_value_unref(sum);
    cr_assert_eq(lp_store_run_timings(st, run, 1, &sum), 0);
    cr_assert_eq(lp_list_len(sum), 1);
    lp_value_unref(sum);
    lp_store_run_end(st, run, true, NULL);
    free(run);
    lp_store_close(st);
}

Test(store, closing_with_an_active_run_fails_it)
{
    lp_store *st = open_store();
    char *run = NULL;
    cr_assert_eq(lp_store_run_begin(st, "R", NULL, &run), 0);
    lp_store_close(st);
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT status = 'failed' FROM runs WHERE id = '%s'", run);
    cr_assert_eq(sql_int(sql), 1);
    free(run);
}

/* ---- git ---------------------------------------------------------------------------------- */

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "%s", path);
    fputs(text, f);
    fclose(f);
}

Test(store, git_commit_from_loose_and_packed_refs)
{
    char p[900], sub[900];
    cr_assert_null(lp_store_git_commit(dir), "not a repository");
    snprintf(p, sizeof p, "%s/.git", dir);
    mkdir(p, 0755);
    snprintf(p, sizeof p, "%s/.git/refs", dir);
    mkdir(p, 0755);
    snprintf(p, sizeof p, "%s/.git/refs/heads", dir);
    mkdir(p, 0755);
    snprintf(p, sizeof p, "%s/.git/HEAD", dir);
    write_file(p, "ref: refs/heads/main\n");
    snprintf(p, sizeof p, "%s/.git/packed-refs", dir);
    write_file(p, "# pack-refs with: peeled fully-peeled sorted\n"
                  "1111111111111111111111111111111111111111 refs/heads/dev\n"
                  "2222222222222222222222222222222222222222 refs/heads/main\n"
                  "^3333333333333333333333333333333333333333\n");
    snprintf(sub, sizeof sub, "%s/a/b", dir);
    snprintf(p, sizeof p, "%s/a", dir);
    mkdir(p, 0755);
    mkdir(sub, 0755);
    char *c = lp_store_git_commit(sub);
    cr_assert_str_eq(c, "2222222222222222222222222222222222222222", "from a subdirectory");
    free(c);
    snprintf(p, sizeof p, "%s/.git/refs/heads/main", dir);
    write_file(p, "4444444444444444444444444444444444444444\n");
    c = lp_store_git_commit(dir);
    cr_assert_str_eq(c, "4444444444444444444444444444444444444444", "loose refs win");
    free(c);
    snprintf(p, sizeof p, "%s/.git/HEAD", dir);
    write_file(p, "5555555555555555555555555555555555555555\n");
    c = lp_store_git_commit(dir);
    cr_assert_str_eq(c, "5555555555555555555555555555555555555555", "detached HEAD");
    free(c);
    /* A work tree whose .git is a "gitdir:" file. */
    snprintf(p, sizeof p, "%s/wt", dir);
    mkdir(p, 0755);
    snprintf(p, sizeof p, "%s/wt/.git", dir);
    write_file(p, "gitdir: ../.git\n");
    snprintf(p, sizeof p, "%s/wt", dir);
    c = lp_store_git_commit(p);
    cr_assert_str_eq(c, "5555555555555555555555555555555555555555");
    free(c);
}

/* ---- crashes and concurrency ---------------------------------------------------------------- */

Test(store, sigkilled_run_is_marked_failed_and_data_survives)
{
    lp_store *st = open_store();
    lp_value *d = create(st, "dataset", "before", 0);
    lp_value_unref(d);
    lp_store_close(st);
    pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        lp_store *cs = NULL;
        char *run = NULL;
        lp_value *r = NULL;
        if (lp_store_open(&cs, db, 0) || lp_store_run_begin(cs, "Doomed", "{}", &run) ||
            lp_store_resource_create(cs, "dataset", "during", 0, run, &r))
            _exit(3);
        raise(SIGKILL);
        _exit(4);
    }
    int status = 0;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "status %d", status);

    st = open_store();
    lp_value *runs = NULL;
    cr_assert_eq(lp_store_runs_list(st, 0, &runs), 0);
    cr_assert_eq(lp_list_len(runs), 1);
    const lp_value *run = lp_list_get(runs, 0);
    cr_assert_str_eq(str_of(run, "status"), "failed");
    char expect[128];
    snprintf(expect, sizeof expect, "process %d on ", (int)pid);
    cr_assert(strstr(str_of(run, "error"), expect), "%s", str_of(run, "error"));
    cr_assert(strstr(str_of(run, "error"), "ended without finishing the run"));
    cr_assert_not_null(lp_map_get(run, "ended_at"));
    lp_value_unref(runs);
    lp_value *r = NULL;
    cr_assert_eq(lp_store_resource_find(st, "dataset", "before", &r), 0);
    cr_assert_not_null(r, "earlier data intact");
    lp_value_unref(r);
    cr_assert_eq(lp_store_resource_find(st, "dataset", "during", &r), 0);
    cr_assert_not_null(r, "committed data of the killed run intact");
    lp_value_unref(r);
    lp_store_close(st);
    char *ok = sql_text("PRAGMA integrity_check");
    cr_assert_str_eq(ok, "ok");
    free(ok);
    cr_assert_eq(sql_int("SELECT COUNT(*) FROM pragma_foreign_key_check"), 0,
                 "no dangling references");
}

Test(store, live_runs_are_left_alone)
{
    lp_store *a = open_store();
    char *run = NULL;
    cr_assert_eq(lp_store_run_begin(a, "Live", NULL, &run), 0);
    lp_store *b = open_store(); /* same process, another handle */
    lp_store_close(b);
    pid_t pid = fork(); /* and another process */
    if (pid == 0) {
        lp_store *c = NULL;
        _exit(lp_store_open(&c, db, 0) ? 3 : 0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT status = 'running' FROM runs WHERE id = '%s'", run);
    cr_assert_eq(sql_int(sql), 1, "a live run keeps running");
    cr_assert_eq(lp_store_run_end(a, run, true, NULL), 0);
    free(run);
    lp_store_close(a);
}

/* Child body: a run with `n` model versions of model "shared", each with metrics. */
static int writer(int n, const char *tag)
{
    lp_store *st = NULL;
    char *run = NULL;
    lp_value *m = NULL;
    if (lp_store_open(&st, db, LP_STORE_CREATE) || lp_store_run_begin(st, tag, NULL, &run) ||
        lp_store_resource_create(st, "model", "shared", 0, run, &m))
        return 3;
    for (int i = 0; i < n; i++) {
        lp_value *mv = NULL;
        if (lp_store_resource_create(st, "model_version", NULL, id_of(m), run, &mv)) return 4;
        lp_store_metric ms[] = {{"valid", "f1", i / (double)n}, {"valid", "idx", i}};
        lp_value *t = lp_value_string(tag);
        if (lp_store_metrics_set(st, id_of(mv), ms, 2) ||
            lp_store_tag_set(st, id_of(mv), "writer", t, run))
            return 5;
        lp_value_unref(t);
        lp_value_unref(mv);
    }
    lp_value_unref(m);
    if (lp_store_run_end(st, run, true, NULL)) return 6;
    free(run);
    lp_store_close(st);
    return 0;
}

Test(store, two_processes_write_at_once)
{
    /* No store yet: creating the file and its schema is part of the race. */
    enum { N = 200 };
    pid_t kids[2];
    int gate[2]; /* both writers start when the parent closes the gate */
    cr_assert_eq(pipe(gate), 0);
    for (int k = 0; k < 2; k++) {
        kids[k] = fork();
        cr_assert_neq(kids[k], -1);
        if (kids[k] == 0) {
            char c;
            close(gate[1]);
            if (read(gate[0], &c, 1) != 0) _exit(2);
            _exit(writer(N, k ? "B" : "A"));
        }
    }
    close(gate[0]);
    close(gate[1]);
    for (int k = 0; k < 2; k++) {
        int status = 0;
        cr_assert_eq(waitpid(kids[k], &status, 0), kids[k]);
        cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "writer %d: status %d", k, status);
    }
    cr_assert_eq(sql_int("SELECT COUNT(*) FROM resources WHERE type = 'model'"), 1);
    cr_assert_eq(sql_int("SELECT COUNT(*) FROM resources WHERE type = 'model_version'"), 2 * N);
    cr_assert_eq(sql_int("SELECT COUNT(DISTINCT version) FROM resources WHERE type = "
                         "'model_version'"),
                 2 * N, "every version number once");
    cr_assert_eq(sql_int("SELECT MAX(version) FROM resources"), 2 * N);
    cr_assert_eq(sql_int("SELECT COUNT(*) FROM metrics"), 4 * N);
    cr_assert_eq(sql_int("SELECT COUNT(*) FROM tags WHERE value = '\"A\"'"), N);
    cr_assert_eq(sql_int("SELECT COUNT(*) FROM tags WHERE value = '\"B\"'"), N);
    cr_assert_eq(sql_int("SELECT COUNT(*) FROM runs WHERE status = 'succeeded'"), 2);
}

/* ---- deployments: the model deploy lock and the one-transaction record ---------------- */

Test(store, deploy_record_moves_alias_and_deployed_version_in_one_write)
{
    lp_store *st = open_store();
    lp_value *m = NULL, *v1 = NULL, *v2 = NULL, *d1 = NULL, *d2 = NULL, *v = NULL;
    cr_assert_eq(lp_store_resource_create(st, "model", "iris", 0, NULL, &m), 0);
    int64_t mid = lp_value_as_int(lp_map_get(m, "id"));
    cr_assert_eq(lp_store_resource_create(st, "model_version", NULL, mid, NULL, &v1), 0);
    cr_assert_eq(lp_store_resource_create(st, "model_version", NULL, mid, NULL, &v2), 0);
    int64_t id1 = lp_value_as_int(lp_map_get(v1, "id")),
            id2 = lp_value_as_int(lp_map_get(v2, "id"));

    lp_store_deploy d = {.model_version = id1, .path = "dep/iris/v1", .action = "deploy"};
    cr_assert_eq(lp_store_deploy_record(st, &d, &d1), 0, "%s", lp_error_last()->message);
    cr_assert_str_eq(lp_value_as_string(lp_map_get(d1, "uri")), "model/iris/v1/deployment/1");
    d = (lp_store_deploy){
        .model_version = id2, .path = "dep/iris/v2", .action = "promote", .who = "ann@box"};
    cr_assert_eq(lp_store_deploy_record(st, &d, &d2), 0, "%s", lp_error_last()->message);

    cr_assert_eq(lp_store_tag_get(st, mid, "deployed_version", &v), 0);
    cr_assert_eq(lp_value_as_int(v), id2);
    lp_value_unref(v);
    cr_assert_eq(lp_store_tag_get(st, mid, "alias.production", &v), 0);
    cr_assert_eq(lp_value_as_int(v), id2);
    lp_value_unref(v);
    int64_t dep2 = lp_value_as_int(lp_map_get(d2, "id"));
    cr_assert_eq(lp_store_tag_get(st, dep2, "previous", &v), 0);
    cr_assert_eq(lp_value_as_int(v), id1, "the version deployed before");
    lp_value_unref(v);
    cr_assert_eq(lp_store_tag_get(st, dep2, "who", &v), 0);
    cr_assert_str_eq(lp_value_as_string(v), "ann@box");
    lp_value_unref(v);
    cr_assert_eq(lp_store_tag_get(st, lp_value_as_int(lp_map_get(d1, "id")), "who", &v), 0);
    cr_assert(strchr(lp_value_as_string(v), '@'), "default who is user@host: %s",
              lp_value_as_string(v));
    lp_value_unref(v);
    cr_assert_eq(lp_store_tag_get(st, dep2, "at", &v), 0);
    cr_assert(lp_value_as_float(v) > 1.7e9);
    lp_value_unref(v);

    /* not a model version: refused, nothing written */
    long long before = sql_int("SELECT COUNT(*) FROM tags");
    d = (lp_store_deploy){.model_version = mid, .path = "x", .action = "deploy"};
    cr_assert_eq(lp_store_deploy_record(st, &d, &v), LP_ENOTFOUND);
    cr_assert_null(v);
    cr_assert_eq(sql_int("SELECT COUNT(*) FROM tags"), before, "the transaction rolled back");

    /* the roots of a type */
    lp_value *roots = NULL;
    cr_assert_eq(lp_store_resource_roots(st, "model", &roots), 0);
    cr_assert_eq(lp_list_len(roots), 1);
    lp_value_unref(roots);
    lp_value *vals[] = {m, v1, v2, d1, d2};
    for (size_t i = 0; i < 5; i++)
        lp_value_unref(vals[i]);
    lp_store_close(st);
}

Test(store, model_lock_is_exclusive_across_processes_and_dies_with_its_holder)
{
    lp_store *st = open_store();
    int gate[2], done[2];
    cr_assert_eq(pipe(gate), 0);
    cr_assert_eq(pipe(done), 0);
    fflush(NULL);
    pid_t kid = fork();
    cr_assert_neq(kid, -1);
    if (kid == 0) { /* holds the lock until the parent closes `done` */
        close(gate[0]);
        close(done[1]); /* so that the parent closing its end is EOF here */
        lp_store *mine = NULL;
        int lock = -1;
        if (lp_store_open(&mine, db, 0) != 0 || lp_store_model_lock(mine, "iris", 5, &lock) != 0)
            _exit(3);
        char c = 'x';
        if (write(gate[1], &c, 1) != 1) _exit(4);
        if (read(done[0], &c, 1) < 0) _exit(5);
        raise(SIGKILL); /* dies holding it */
    }
    close(gate[1]);
    close(done[0]);
    char c;
    cr_assert_eq(read(gate[0], &c, 1), 1, "the child took the lock");
    int lock = -1;
    cr_assert_eq(lp_store_model_lock(st, "iris", 0.2, &lock), LP_EIO);
    char pid[32];
    snprintf(pid, sizeof pid, "process %ld", (long)kid);
    cr_assert(strstr(lp_error_last()->message, pid), "%s", lp_error_last()->message);
    cr_assert(strstr(lp_error_last()->message, "model 'iris' is being deployed"), "%s",
              lp_error_last()->message);
    int other = -1; /* another model is not blocked */
    cr_assert_eq(lp_store_model_lock(st, "a/b c", 0.2, &other), 0, "%s", lp_error_last()->message);
    lp_store_model_unlock(st, other);
    close(done[1]); /* the child dies by SIGKILL, the kernel drops its lock */
    int status = 0;
    waitpid(kid, &status, 0);
    cr_assert(WIFSIGNALED(status), "status %d", status);
    cr_assert_eq(lp_store_model_lock(st, "iris", 5, &lock), 0, "%s", lp_error_last()->message);
    lp_store_model_unlock(st, lock);
    lp_store_close(st);
}
