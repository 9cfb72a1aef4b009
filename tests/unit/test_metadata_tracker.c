/*
 * test_metadata_tracker.c — LocalMetadataTracker and LocalMetricsTracker
 * through the dispatcher, in workflows built from YAML with a store in a
 * temporary directory: resources (kinds of arguments, numbering, errors),
 * tags and the winner, deployed and latest versions, vc_info, reports and
 * lineage, load_model through a resource_version_control, the run (status by
 * outcome, stop, method, configuration with secrets hidden, timings of every
 * call, flushes of large batches), an unwritable store, and metrics.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lolpop.h"
#include "lolpop/objstore.h"
#include "lolpop/types/metadata_tracker.h"
#include "lolpop/types/metrics_tracker.h"
#include "unit_workflow.h"

/* ---- a runner and a fake resource_version_control ------------------------------------ */

static int calls_to_make; /* build_all calls get_resource this many times */

static lp_value *r_build_all(lp_obj *self, lp_value *args)
{
    lp_obj *md = lp_obj_component(self, "metadata_tracker");
    for (int i = 0; i < calls_to_make; i++) {
        lp_value *r = lp_metadata_tracker_get_resource(md, "nothing", "dataset");
        if (!r) return NULL;
        lp_value_unref(r);
    }
    return lp_value_null();
}

static lp_value *r_fail(lp_obj *self, lp_value *args)
{
    lp_error_set(LP_EWORKFLOW, "the training data is empty");
    return NULL;
}

static lp_value *r_stop(lp_obj *self, lp_value *args)
{
    lp_obj *md = lp_obj_component(self, "metadata_tracker");
    return lp_metadata_tracker_stop(md) ? NULL : lp_value_null();
}

/* Calls fail on itself and carries on: a recovered failure. */
static lp_value *r_recover(lp_obj *self, lp_value *args)
{
    lp_value *r = lp_call(self, "fail", NULL);
    if (r) return r;
    lp_error_clear();
    return lp_value_null();
}

static const lp_method runner_methods[] = {{"build_all", r_build_all, "calls get_resource"},
                                           {"recover", r_recover, "fails inside, recovers"},
                                           {"fail", r_fail, "fails"},
                                           {"stop", r_stop, "stops the tracker"},
                                           {NULL, NULL, NULL}};
static const lp_class test_runner = {"TestRunner", LP_KIND_RUNNER, NULL, "t",  NULL, NULL,
                                     NULL,         runner_methods, 0,    NULL, NULL};

/* get_model returns "model at <vc_info.path> for <experiment uri>". */
static lp_value *rvc_get_model(lp_obj *self, lp_value *args)
{
    const lp_value *exp = lp_map_get(args, "experiment");
    const lp_value *info = lp_map_get(args, "vc_info");
    char buf[256];
    snprintf(buf, sizeof buf, "model at %s for %s", lp_value_as_string(lp_map_get(info, "path")),
             lp_value_as_string(lp_map_get(exp, "uri")));
    return lp_value_string(buf);
}

static lp_value *rvc_none(lp_obj *self, lp_value *args)
{
    return lp_value_null();
}

static const lp_method rvc_methods[] = {{"version_data", rvc_none, "x"},
                                        {"get_data", rvc_none, "x"},
                                        {"version_model", rvc_none, "x"},
                                        {"get_model", rvc_get_model, "x"},
                                        {NULL, NULL, NULL}};
static const lp_class fake_rvc = {"FakeVersionControl",
                                  LP_KIND_COMPONENT,
                                  "resource_version_control",
                                  "fake",
                                  NULL,
                                  NULL,
                                  NULL,
                                  rvc_methods,
                                  0,
                                  NULL,
                                  NULL};

/* ---- fixture ------------------------------------------------------------------------------ */

static const char *dir; /* this test's, removed by uw_teardown */
static char db[600];

static void setup(void)
{
    dir = uw_tmpdir("tracker", false);
    snprintf(db, sizeof db, "%s/store/lolpop.db", dir);
    calls_to_make = 0;
    uw_setup_with(&(uw_options){.runner = &test_runner, .interpolate_env = true});
    cr_assert_eq(lp_registry_add_class(uw_registry(), &fake_rvc), 0, "%s",
                 lp_error_last()->message);
}

TestSuite(tracker, .init = setup, .fini = uw_teardown, .timeout = 60);

/* The workflow text: the store config, then `extra` (may be NULL); a static
 * buffer, valid until the next call. */
static const char *tracker_yaml(const char *extra)
{
    static char yaml[2048];
    snprintf(yaml, sizeof yaml, "metadata_tracker:\n  config:\n    store: %s\n%s", db,
             extra ? extra : "");
    return yaml;
}

/* The LocalMetadataTracker of a workflow built in `slot` from tracker_yaml(extra). */
static lp_obj *build_in(int slot, const char *extra)
{
    lp_obj *md = uw_build(slot, tracker_yaml(extra), "metadata_tracker");
    cr_assert_str_eq(lp_obj_class(md)->name, "LocalMetadataTracker");
    return md;
}

static lp_obj *build(const char *extra)
{
    return build_in(0, extra);
}

static lp_value *ok(lp_value *v)
{
    cr_assert_not_null(v, "%s", lp_error_last()->message);
    return v;
}

static int64_t id_of(const lp_value *r)
{
    return lp_value_as_int(lp_map_get(r, "id"));
}

static const char *str_of(const lp_value *r, const char *key)
{
    return lp_value_as_string(lp_map_get(r, key));
}

static lp_value *create(lp_obj *md, const char *id, const char *type, lp_value *parent)
{
    return ok(lp_metadata_tracker_create_resource(md, id, type, parent));
}

static lp_value *sql_query(const char *sql)
{
    sqlite3 *h = NULL;
    cr_assert_eq(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *q = NULL;
    cr_assert_eq(sqlite3_prepare_v2(h, sql, -1, &q, NULL), SQLITE_OK, "%s", sqlite3_errmsg(h));
    lp_value *rows = lp_value_list();
    while (sqlite3_step(q) == SQLITE_ROW) {
        lp_value *row = lp_value_list();
        for (int c = 0; c < sqlite3_column_count(q); c++) {
            const unsigned char *t = sqlite3_column_text(q, c);
            lp_list_append(row, t ? lp_value_string((const char *)t) : lp_value_null());
        }
        lp_list_append(rows, row);
    }
    sqlite3_finalize(q);
    sqlite3_close(h);
    return rows;
}

/* The first column of the first row of sql, as text (static buffer), or "(none)". */
static const char *sql_text(const char *sql)
{
    static char buf[4096];
    lp_value *rows = sql_query(sql);
    const lp_value *cell = lp_list_get(lp_list_get(rows, 0), 0);
    snprintf(buf, sizeof buf, "%s",
             lp_list_len(rows) == 0           ? "(none)"
             : lp_value_type(cell) == LP_NULL ? "(null)"
                                              : lp_value_as_string(cell));
    lp_value_unref(rows);
    return buf;
}

/* ---- resources ------------------------------------------------------------------------------ */

Test(tracker, creates_and_gets_resources)
{
    lp_obj *md = build(NULL);
    lp_value *d = create(md, "titanic_train", "dataset", NULL);
    lp_value *v1 = create(md, NULL, "dataset_version", d);
    lp_value *v2 = create(md, "ignored", "dataset_version", d);
    cr_assert_str_eq(str_of(v2, "uri"), "dataset/titanic_train/v2");
    cr_assert_str_eq(str_of(v2, "name"), "titanic_train");
    cr_assert_eq(lp_value_as_int(lp_map_get(v2, "version")), 2);
    cr_assert_not_null(str_of(v1, "run"), "resources carry the run");
    lp_value *info = ok(lp_call(md, "run_info", NULL));
    cr_assert_str_eq(str_of(v1, "run"), str_of(info, "id"));
    cr_assert_str_eq(str_of(info, "status"), "running");
    cr_assert_str_eq(str_of(info, "store"), db);
    lp_value_unref(info);

    /* A version without a parent: under the root named by id (created when new). */
    lp_value *mv = create(md, "titanic", "model_version", NULL);
    cr_assert_str_eq(str_of(mv, "uri"), "model/titanic/v1");
    lp_value *m = ok(lp_metadata_tracker_get_resource(md, "titanic", "model"));
    cr_assert_eq(lp_value_as_int(lp_map_get(mv, "parent")), id_of(m));

    /* get_resource: by name, uri, id; wrong type or absent is null. */
    lp_value *g =
        ok(lp_metadata_tracker_get_resource(md, "dataset/titanic_train/v1", "dataset_version"));
    cr_assert_eq(id_of(g), id_of(v1));
    lp_value_unref(g);
    lp_value *args = lp_value_map();
    lp_map_set(args, "id", lp_value_int(id_of(v2)));
    lp_map_set(args, "type", lp_value_string("dataset_version"));
    g = ok(lp_call(md, "get_resource", args));
    cr_assert_eq(id_of(g), id_of(v2));
    lp_value_unref(g);
    lp_map_set(args, "type", lp_value_string("model_version"));
    g = ok(lp_call(md, "get_resource", args));
    cr_assert_eq(lp_value_type(g), LP_NULL, "another type is not found");
    lp_value_unref(g);
    lp_value_unref(args);
    g = ok(lp_metadata_tracker_get_resource(md, "nope", "dataset"));
    cr_assert_eq(lp_value_type(g), LP_NULL);
    lp_value_unref(g);

    lp_value *all[] = {d, v1, v2, mv, m};
    for (int i = 0; i < 5; i++)
        lp_value_unref(all[i]);
}

Test(tracker, resource_errors)
{
    lp_obj *md = build(NULL);
    cr_assert_null(lp_metadata_tracker_create_resource(md, "x", "datset", NULL));
    cr_assert_eq(lp_error_last()->code, LP_EINVAL);
    cr_assert(strstr(lp_error_last()->message, "did you mean 'dataset'"), "%s",
              lp_error_last()->message);
    cr_assert_null(lp_metadata_tracker_create_resource(md, NULL, "experiment", NULL));
    cr_assert(strstr(lp_error_last()->message, "needs a parent"), "%s", lp_error_last()->message);
    cr_assert_null(lp_metadata_tracker_create_resource(md, NULL, "dataset", NULL));
    cr_assert(strstr(lp_error_last()->message, "argument 'id'"), "%s", lp_error_last()->message);
    lp_value *d = create(md, "d", "dataset", NULL);
    cr_assert_null(lp_metadata_tracker_create_resource(md, NULL, "experiment", d));
    cr_assert(strstr(lp_error_last()->message, "must be a model_version, got the dataset "
                                               "dataset/d"),
              "%s", lp_error_last()->message);
    lp_value *ghost = lp_value_int(9999);
    cr_assert_null(lp_metadata_tracker_create_resource(md, NULL, "dataset_version", ghost));
    cr_assert_eq(lp_error_last()->code, LP_ENOTFOUND);
    cr_assert(strstr(lp_error_last()->message, "9999") && strstr(lp_error_last()->message, db),
              "%s", lp_error_last()->message);
    cr_assert_eq(lp_metadata_tracker_log_tag(md, ghost, "k", d), LP_ENOTFOUND);
    lp_value *bad = lp_value_float(1.5);
    cr_assert_null(lp_metadata_tracker_get_tag(md, bad, "k"));
    cr_assert_eq(lp_error_last()->code, LP_EINVAL);
    cr_assert(strstr(lp_error_last()->context, "LocalMetadataTracker.get_tag"), "%s",
              lp_error_last()->context);
    lp_value *uri = lp_value_string("model/none/v1");
    cr_assert_null(lp_metadata_tracker_get_tag(md, uri, "k"));
    cr_assert(strstr(lp_error_last()->message, "no resource 'model/none/v1'"), "%s",
              lp_error_last()->message);
    lp_value_unref(uri);
    lp_value_unref(bad);
    lp_value_unref(ghost);
    lp_value_unref(d);
}

/* ---- tags, winners, versions ------------------------------------------------------------------
 */

Test(tracker, tags_and_winning_experiment)
{
    lp_obj *md = build(NULL);
    lp_value *mv = create(md, "m", "model_version", NULL);
    cr_assert_null(lp_metadata_tracker_get_winning_experiment(md, mv));
    cr_assert_eq(lp_error_last()->code, LP_ENOTFOUND);
    cr_assert(strstr(lp_error_last()->message, "model/m/v1 has no experiments"), "%s",
              lp_error_last()->message);
    lp_value *e[3];
    for (int i = 0; i < 3; i++)
        e[i] = create(md, NULL, "experiment", mv);
    lp_value *w = ok(lp_metadata_tracker_get_winning_experiment(md, mv));
    cr_assert_eq(id_of(w), id_of(e[2]), "no winner tag: the newest");
    lp_value_unref(w);
    lp_value *yes = lp_value_bool(true);
    cr_assert_eq(lp_metadata_tracker_log_tag(md, e[0], "winner", yes), 0);
    w = ok(lp_metadata_tracker_get_winning_experiment(md, mv));
    cr_assert_eq(id_of(w), id_of(e[0]));
    lp_value_unref(w);
    cr_assert_eq(lp_metadata_tracker_log_tag(md, e[1], "winner", yes), 0);
    w = ok(lp_metadata_tracker_get_winning_experiment(md, mv));
    cr_assert_eq(id_of(w), id_of(e[1]), "the new winner");
    lp_value_unref(w);
    lp_value *t0 = ok(lp_metadata_tracker_get_tag(md, e[0], "winner"));
    cr_assert_eq(lp_value_type(t0), LP_BOOL);
    cr_assert_not(lp_value_as_bool(t0), "setting a winner clears the old one");
    lp_value_unref(t0);

    /* Any JSON-able value; absent tags are null; an int id works as the resource. */
    lp_value *params = lp_value_map();
    lp_map_set(params, "max_depth", lp_value_int(6));
    lp_map_set(params, "eta", lp_value_float(0.3));
    cr_assert_eq(lp_metadata_tracker_log_tag(md, e[1], "params", params), 0);
    lp_value *by_id = lp_value_int(id_of(e[1]));
    lp_value *p = ok(lp_metadata_tracker_get_tag(md, by_id, "params"));
    cr_assert(lp_value_equal(p, params));
    lp_value_unref(p);
    p = ok(lp_metadata_tracker_get_tag(md, by_id, "absent"));
    cr_assert_eq(lp_value_type(p), LP_NULL);
    lp_value_unref(p);
    lp_value_unref(by_id);
    lp_value_unref(params);
    lp_value_unref(yes);
    for (int i = 0; i < 3; i++)
        lp_value_unref(e[i]);
    lp_value_unref(mv);
}

Test(tracker, deployed_latest_and_previous_versions)
{
    lp_obj *md = build(NULL);
    lp_value *m = create(md, "m", "model", NULL);
    lp_value *v1 = create(md, NULL, "model_version", m);
    lp_value *v2 = create(md, NULL, "model_version", m);
    lp_value *r = ok(lp_metadata_tracker_get_currently_deployed_model_version(md, v2));
    cr_assert_eq(lp_value_type(r), LP_NULL, "nothing deployed yet");
    lp_value_unref(r);
    lp_value *dep = lp_value_int(id_of(v1));
    cr_assert_eq(lp_metadata_tracker_log_tag(md, m, "deployed_version", dep), 0);
    r = ok(lp_metadata_tracker_get_currently_deployed_model_version(md, v2));
    cr_assert_eq(id_of(r), id_of(v1));
    lp_value_unref(r);
    r = ok(lp_metadata_tracker_get_latest_model_resource(md, m));
    cr_assert_eq(id_of(r), id_of(v2));
    lp_value_unref(r);
    lp_value *name = lp_value_string("m");
    r = ok(lp_metadata_tracker_get_latest_model_resource(md, name));
    cr_assert_eq(id_of(r), id_of(v2), "a model name works too");
    lp_value_unref(r);
    lp_value_unref(name);
    name = lp_value_string("unknown_model");
    r = ok(lp_metadata_tracker_get_latest_model_resource(md, name));
    cr_assert_eq(lp_value_type(r), LP_NULL);
    lp_value_unref(r);
    lp_value_unref(name);
    r = ok(lp_metadata_tracker_get_prev_resource_version(md, v2));
    cr_assert_eq(id_of(r), id_of(v1));
    lp_value_unref(r);
    r = ok(lp_metadata_tracker_get_prev_resource_version(md, v1));
    cr_assert_eq(lp_value_type(r), LP_NULL);
    lp_value_unref(r);
    lp_value_unref(dep);
    lp_value_unref(v1);
    lp_value_unref(v2);
    lp_value_unref(m);
}

Test(tracker, vc_info_reports_lineage_and_artifacts)
{
    lp_obj *md = build(NULL);
    lp_value *dv = create(md, "d", "dataset_version", NULL);
    lp_value *mv = create(md, "m", "model_version", NULL);
    lp_value *info = lp_value_map();
    lp_map_set(info, "hash", lp_value_string("abc"));
    lp_map_set(info, "path", lp_value_string("/objects/ab/c"));
    lp_value *r = ok(lp_metadata_tracker_register_vc_resource(md, dv, info, NULL));
    cr_assert_eq(id_of(r), id_of(dv));
    lp_value_unref(r);
    r = ok(lp_metadata_tracker_get_vc_info(md, dv, "data"));
    cr_assert(lp_value_equal(r, info), "the default key of a dataset version is 'data'");
    lp_value_unref(r);
    r = ok(lp_metadata_tracker_get_vc_info(md, dv, NULL));
    cr_assert(lp_value_equal(r, info));
    lp_value_unref(r);
    r = ok(lp_metadata_tracker_get_vc_info(md, mv, NULL));
    cr_assert_eq(lp_value_type(r), LP_NULL);
    lp_value_unref(r);
    lp_value *notmap = lp_value_string("x");
    cr_assert_null(lp_metadata_tracker_register_vc_resource(md, dv, notmap, NULL));
    cr_assert(strstr(lp_error_last()->message, "vc_info"), "%s", lp_error_last()->message);
    lp_value_unref(notmap);

    lp_value *checks = lp_value_map();
    lp_map_set(checks, "status", lp_value_string("WARN"));
    cr_assert_eq(lp_metadata_tracker_log_checks(md, dv, "/r/c.html", checks, "LocalDataChecker"),
                 0);
    cr_assert_eq(lp_metadata_tracker_log_data_profile(md, dv, "/r/p.html", checks, "P"), 0);
    cr_assert_eq(lp_metadata_tracker_log_data_comparison(md, dv, NULL, checks, "C"), 0);
    cr_assert_str_eq(sql_text("SELECT group_concat(kind || ':' || status || ':' || class, ' ') "
                              "FROM reports"),
                     "checks:WARN:LocalDataChecker profile:WARN:P comparison:WARN:C");
    cr_assert_eq(lp_metadata_tracker_build_model_lineage(md, mv, dv), 0);
    cr_assert_eq(lp_metadata_tracker_build_model_lineage(md, dv, mv), LP_EINVAL);
    cr_assert_str_eq(sql_text("SELECT a.uri || ' -> ' || b.uri || ' ' || kind FROM lineage l "
                              "JOIN resources a ON a.id = l.src JOIN resources b ON b.id = l.dst"),
                     "dataset/d/v1 -> model/m/v1 trained");
    lp_value *pj = create(md, NULL, "prediction_job", mv);
    cr_assert_str_eq(sql_text("SELECT count(*) FROM lineage WHERE kind = 'predicted'"), "1");
    cr_assert_eq(lp_metadata_tracker_log_artifact(md, mv, "roc", "/r/roc.png"), 0);
    cr_assert_str_eq(sql_text("SELECT path FROM artifacts WHERE name = 'roc'"), "/r/roc.png");
    lp_value_unref(pj);
    lp_value_unref(checks);
    lp_value_unref(info);
    lp_value_unref(dv);
    lp_value_unref(mv);
}

/* Report and artifact files are copied into the object store beside the
 * metadata store (the JSON twin too), so they outlive their directory. */
Test(tracker, report_and_artifact_files_kept_in_the_object_store)
{
    lp_obj *md = build(NULL);
    lp_value *dv = create(md, "d", "dataset_version", NULL);
    char html[700], json[700], svg[700];
    snprintf(html, sizeof html, "%s/out/checks.html", dir);
    snprintf(json, sizeof json, "%s/out/checks.json", dir);
    snprintf(svg, sizeof svg, "%s/out/roc.svg", dir);
    char outdir[700];
    snprintf(outdir, sizeof outdir, "%s/out", dir);
    cr_assert_eq(mkdir(outdir, 0777), 0);
    const char *files[][2] = {
        {html, "<html>checks</html>"}, {json, "{\"status\": \"PASS\"}"}, {svg, "<svg></svg>"}};
    for (int i = 0; i < 3; i++) {
        FILE *f = fopen(files[i][0], "w");
        cr_assert_not_null(f);
        fputs(files[i][1], f);
        fclose(f);
    }
    lp_value *checks = lp_value_map();
    lp_map_set(checks, "status", lp_value_string("PASS"));
    cr_assert_eq(lp_metadata_tracker_log_checks(md, dv, html, checks, "LocalDataChecker"), 0);
    cr_assert_eq(lp_metadata_tracker_log_artifact(md, dv, "roc", svg), 0);
    cr_assert_eq(lp_metadata_tracker_log_data_profile(md, dv, "/nowhere/p.html", checks, "P"), 0,
                 "a missing file is recorded without an object");
    char hex[65], json_hex[65], svg_hex[65];
    snprintf(hex, sizeof hex, "%.64s",
             sql_text("SELECT object FROM reports WHERE kind = 'checks'"));
    snprintf(json_hex, sizeof json_hex, "%.64s",
             sql_text("SELECT json_object FROM reports WHERE kind = 'checks'"));
    snprintf(svg_hex, sizeof svg_hex, "%.64s", sql_text("SELECT object FROM artifacts"));
    cr_assert_str_eq(sql_text("SELECT object FROM reports WHERE kind = 'profile'"), "(null)");
    /* The output directory is cleaned: the content is still there. */
    for (int i = 0; i < 3; i++)
        cr_assert_eq(unlink(files[i][0]), 0);
    char objects[700];
    snprintf(objects, sizeof objects, "%s/store", dir);
    lp_objstore *os = NULL;
    cr_assert_eq(lp_objstore_open(&os, objects), 0);
    const char *names[] = {hex, json_hex, svg_hex};
    for (int i = 0; i < 3; i++) {
        uint8_t *buf = NULL;
        size_t len = 0;
        cr_assert_eq(lp_objstore_get(os, names[i], &buf, &len), 0, "object %s of %s: %s", names[i],
                     files[i][0], lp_error_last()->message);
        cr_assert_eq(len, strlen(files[i][1]));
        cr_assert_eq(memcmp(buf, files[i][1], len), 0);
        free(buf);
    }
    lp_objstore_close(os);
    lp_value_unref(checks);
    lp_value_unref(dv);
}

Test(tracker, load_model_goes_through_resource_version_control)
{
    lp_obj *md = build(NULL);
    lp_value *mv = create(md, "m", "model_version", NULL);
    lp_value *e1 = create(md, NULL, "experiment", mv);
    lp_value *e2 = create(md, NULL, "experiment", mv);
    lp_value *yes = lp_value_bool(true);
    cr_assert_eq(lp_metadata_tracker_log_tag(md, e1, "winner", yes), 0);
    cr_assert_null(lp_metadata_tracker_load_model(md, mv));
    cr_assert(strstr(lp_error_last()->message, "model/m/v1/experiment/1") &&
                  strstr(lp_error_last()->message, "no stored model"),
              "%s", lp_error_last()->message);
    lp_value *info = lp_value_map();
    lp_map_set(info, "path", lp_value_string("/objects/xy"));
    lp_value_unref(ok(lp_metadata_tracker_register_vc_resource(md, e1, info, "model")));
    cr_assert_null(lp_metadata_tracker_load_model(md, mv));
    cr_assert_eq(lp_error_last()->code, LP_ECONFIG);
    cr_assert(strstr(lp_error_last()->message, "resource_version_control"));

    /* The same store, now with a resource_version_control. */
    lp_value *mv_id = lp_value_int(id_of(mv));
    uw_free(0);
    md = build("component: {resource_version_control: FakeVersionControl}\n");
    lp_value *model = ok(lp_metadata_tracker_load_model(md, mv_id));
    cr_assert_str_eq(lp_value_as_string(model), "model at /objects/xy for model/m/v1/experiment/1");
    lp_value_unref(model);
    lp_value_unref(mv_id);
    lp_value_unref(info);
    lp_value_unref(yes);
    lp_value_unref(e1);
    lp_value_unref(e2);
    lp_value_unref(mv);
}

/* ---- the run -------------------------------------------------------------------------------- */

Test(tracker, successful_run_records_method_config_and_timings)
{
    setenv("LP_TEST_TRACKER_SECRET", "hunter2", 1);
    build("config:\n  password: ${LP_TEST_TRACKER_SECRET}\n  model_target: survived\n");
    calls_to_make = 5;
    lp_value *r = ok(lp_call(uw_root(0), "build_all", NULL));
    lp_value_unref(r);
    uw_free(0);
    lp_value *rows =
        sql_query("SELECT status, runner, method, error, (SELECT text FROM configs WHERE "
                  "sha256 = config_sha256), pid, host FROM runs");
    cr_assert_eq(lp_list_len(rows), 1);
    const lp_value *row = lp_list_get(rows, 0);
    cr_assert_str_eq(lp_value_as_string(lp_list_get(row, 0)), "succeeded");
    cr_assert_str_eq(lp_value_as_string(lp_list_get(row, 1)), "TestRunner");
    cr_assert_str_eq(lp_value_as_string(lp_list_get(row, 2)), "build_all");
    cr_assert_eq(lp_value_type(lp_list_get(row, 3)), LP_NULL);
    const char *config = lp_value_as_string(lp_list_get(row, 4));
    cr_assert(strstr(config, "\"model_target\":\"survived\""), "%s", config);
    cr_assert(strstr(config, "\"password\":\"***\""), "%s", config);
    cr_assert_null(strstr(config, "hunter2"), "secrets never reach the store");
    char pid[32];
    snprintf(pid, sizeof pid, "%d", (int)getpid());
    cr_assert_str_eq(lp_value_as_string(lp_list_get(row, 5)), pid);
    lp_value_unref(rows);
    cr_assert_str_eq(sql_text("SELECT count(*) FROM timings WHERE class = 'LocalMetadataTracker' "
                              "AND method = 'get_resource' AND ok = 1"),
                     "5");
    cr_assert_str_eq(sql_text("SELECT path || ':' || ok FROM timings WHERE method = 'build_all'"),
                     ":1");
    cr_assert_str_eq(sql_text("SELECT path FROM timings WHERE method = 'get_resource' LIMIT 1"),
                     "metadata_tracker");
    unsetenv("LP_TEST_TRACKER_SECRET");
}

Test(tracker, failed_root_call_fails_the_run)
{
    build(NULL);
    cr_assert_null(lp_call(uw_root(0), "fail", NULL));
    uw_free(0);
    cr_assert_str_eq(sql_text("SELECT status FROM runs"), "failed");
    cr_assert(strstr(sql_text("SELECT error FROM runs"), "the training data is empty"), "%s",
              sql_text("SELECT error FROM runs"));
    cr_assert(strstr(sql_text("SELECT error FROM runs"), "TestRunner.fail"), "with the call chain");
    cr_assert_str_eq(sql_text("SELECT ok FROM timings WHERE method = 'fail'"), "0");
}

Test(tracker, recovered_nested_failure_is_a_success)
{
    build(NULL);
    lp_value_unref(ok(lp_call(uw_root(0), "recover", NULL)));
    uw_free(0);
    cr_assert_str_eq(sql_text("SELECT status || ':' || method FROM runs"), "succeeded:recover");
    cr_assert_str_eq(sql_text("SELECT ok FROM timings WHERE method = 'fail'"), "0",
                     "the nested failure is still timed");
}

Test(tracker, stop_marks_success_and_keeps_later_timings)
{
    lp_obj *md = build(NULL);
    lp_value_unref(ok(lp_call(uw_root(0), "stop", NULL)));
    cr_assert_str_eq(sql_text("SELECT status FROM runs"), "succeeded");
    lp_value *info = ok(lp_call(md, "run_info", NULL));
    cr_assert_str_eq(str_of(info, "status"), "succeeded");
    lp_value_unref(info);
    cr_assert_null(lp_call(uw_root(0), "fail", NULL));
    uw_free(0);
    cr_assert_str_eq(sql_text("SELECT status FROM runs"), "succeeded", "stop() decided");
    cr_assert_str_eq(sql_text("SELECT group_concat(method, ',') FROM (SELECT method FROM timings "
                              "WHERE path = '' ORDER BY seq)"),
                     "stop,fail", "the runner's own calls after stop() are kept");
}

Test(tracker, workflow_without_runner_call_is_failed)
{
    build(NULL);
    uw_free(0);
    cr_assert_str_eq(sql_text("SELECT status FROM runs"), "failed");
    cr_assert(strstr(sql_text("SELECT error FROM runs"), "without calling a runner method"));
}

Test(tracker, many_calls_are_flushed_in_batches)
{
    build(NULL);
    calls_to_make = 2500;
    lp_value_unref(ok(lp_call(uw_root(0), "build_all", NULL)));
    /* Before fini: the batches of 1000 are already written. */
    int written = atoi(sql_text("SELECT count(*) FROM timings"));
    cr_assert(written >= 2000 && written < 2501, "%d", written);
    uw_free(0);
    cr_assert_str_eq(sql_text("SELECT count(*) FROM timings"), "2501");
    cr_assert_str_eq(sql_text("SELECT max(seq) FROM timings"), "2501");
}

Test(tracker, unwritable_store_fails_the_build_naming_the_path)
{
    char blocker[700];
    snprintf(blocker, sizeof blocker, "%s/plainfile", dir);
    FILE *f = fopen(blocker, "w");
    cr_assert_not_null(f);
    fclose(f);
    snprintf(db, sizeof db, "%s/plainfile/lolpop.db", dir);
    int rc = uw_try_build(0, tracker_yaml(NULL));
    cr_assert_eq(rc, LP_EIO);
    const char *msg = lp_error_last()->message;
    cr_assert(strstr(msg, "LocalMetadataTracker") && strstr(msg, db), "%s", msg);
    cr_assert_null(uw_workflow(0));
}

Test(tracker, two_workflows_share_one_store)
{
    lp_obj *md = build(NULL);
    lp_obj *md2 = build_in(1, NULL);
    lp_value *a = create(md, "shared", "model_version", NULL);
    lp_value *b = create(md2, "shared", "model_version", NULL);
    cr_assert_eq(lp_value_as_int(lp_map_get(b, "version")), 2);
    cr_assert_str_neq(str_of(a, "run"), str_of(b, "run"));
    lp_value_unref(a);
    lp_value_unref(b);
    uw_free(0);
    cr_assert_str_eq(sql_text("SELECT count(*) FROM runs WHERE status = 'running'"), "1",
                     "the second workflow's run is still live");
}

/* ---- metrics ------------------------------------------------------------------------------- */

static lp_obj *metrics_tracker(void)
{
    build("component: {metrics_tracker: LocalMetricsTracker}\n");
    lp_obj *mt = lp_obj_component(uw_root(0), "metrics_tracker");
    cr_assert_not_null(mt);
    return mt;
}

static double metric(lp_obj *mt, lp_value *res, const char *id)
{
    lp_value *v = ok(lp_metrics_tracker_get_metric(mt, res, id));
    double d = lp_value_type(v) == LP_NULL ? NAN : lp_value_as_float(v);
    lp_value_unref(v);
    return d;
}

Test(tracker, metrics_logged_and_read_back)
{
    lp_obj *mt = metrics_tracker();
    lp_obj *md = lp_obj_component(uw_root(0), "metadata_tracker");
    lp_value *mv = create(md, "m", "model_version", NULL);
    lp_value *e = create(md, NULL, "experiment", mv);
    lp_value *metrics = NULL;
    lp_diags d;
    lp_diags_init(&d);
    const char *y = "train: {f1: 0.9, rocauc: 0.95}\nvalid: {f1: 0.8125, rocauc: 0.875}\n";
    cr_assert_eq(lp_yaml_parse(&metrics, y, strlen(y), "m.yaml", &d), 0);
    lp_diags_clear(&d);
    cr_assert_eq(lp_metrics_tracker_log_metrics(mt, e, metrics, "f1"), 0, "%s",
                 lp_error_last()->message);
    lp_value *v = lp_value_float(0.5);
    cr_assert_eq(lp_metrics_tracker_log_metric(mt, e, "test.f1", v), 0);
    cr_assert_eq(lp_metrics_tracker_log_metric(mt, e, "elapsed", v), 0);
    cr_assert_float_eq(metric(mt, e, "valid.f1"), 0.8125, 0);
    cr_assert_float_eq(metric(mt, e, "train.rocauc"), 0.95, 0);
    cr_assert_float_eq(metric(mt, e, "test.f1"), 0.5, 0);
    cr_assert_float_eq(metric(mt, e, "elapsed"), 0.5, 0, "split '' first");
    cr_assert_float_eq(metric(mt, e, "rocauc"), 0.875, 0, "then valid");
    cr_assert(isnan(metric(mt, e, "valid.logloss")), "absent is null");
    cr_assert_str_eq(sql_text("SELECT count(*) FROM metrics"), "6");
    /* Errors. */
    lp_value *s = lp_value_string("high");
    cr_assert_eq(lp_metrics_tracker_log_metric(mt, e, "f1", s), LP_EINVAL);
    cr_assert(strstr(lp_error_last()->message, "must be a number"));
    cr_assert_eq(lp_metrics_tracker_log_metrics(mt, e, s, NULL), LP_EINVAL);
    lp_value *ghost = lp_value_int(4040);
    cr_assert_eq(lp_metrics_tracker_log_metric(mt, ghost, "f1", v), LP_ENOTFOUND);
    lp_value_unref(ghost);
    lp_value_unref(s);
    lp_value_unref(v);
    lp_value_unref(metrics);
    lp_value_unref(e);
    lp_value_unref(mv);
}

static lp_value *frame_with_predictions(bool numeric)
{
    lp_frame *f = lp_frame_new();
    if (numeric) {
        lp_column *c = lp_column_new(LP_DT_FLOAT64, 4);
        double vals[] = {1.0, 2.0, 3.0, 6.0};
        memcpy(c->data.f64, vals, sizeof vals);
        cr_assert_eq(lp_frame_add_column(f, "prediction", c), 0);
    } else {
        lp_column_builder *b = lp_column_builder_new(LP_DT_STRING, 5);
        const char *labels[] = {"yes", "no", "yes", "yes"};
        for (int i = 0; i < 4; i++)
            lp_column_builder_append_str(b, labels[i], strlen(labels[i]));
        lp_column_builder_append_null(b);
        cr_assert_eq(lp_frame_add_column(f, "prediction", lp_column_builder_finish(b)), 0);
    }
    lp_value *v = lp_value_frame(f);
    lp_frame_unref(f);
    return v;
}

Test(tracker, prediction_metrics)
{
    lp_obj *mt = metrics_tracker();
    lp_obj *md = lp_obj_component(uw_root(0), "metadata_tracker");
    lp_value *mv = create(md, "m", "model_version", NULL);
    lp_value *pj = create(md, NULL, "prediction_job", mv);
    lp_value *f = frame_with_predictions(true);
    cr_assert_eq(lp_metrics_tracker_log_prediction_metrics(mt, pj, f), 0, "%s",
                 lp_error_last()->message);
    cr_assert_float_eq(metric(mt, pj, "prediction.rows"), 4, 0);
    cr_assert_float_eq(metric(mt, pj, "prediction.mean"), 3, 1e-12);
    cr_assert_float_eq(metric(mt, pj, "prediction.std"), sqrt(14.0 / 3.0), 1e-12, "ddof 1");
    cr_assert_float_eq(metric(mt, pj, "prediction.min"), 1, 0);
    cr_assert_float_eq(metric(mt, pj, "prediction.max"), 6, 0);
    lp_value_unref(f);
    lp_value *pj2 = create(md, NULL, "prediction_job", mv);
    f = frame_with_predictions(false);
    cr_assert_eq(lp_metrics_tracker_log_prediction_metrics(mt, pj2, f), 0, "%s",
                 lp_error_last()->message);
    cr_assert_float_eq(metric(mt, pj2, "prediction.rows"), 5, 0);
    cr_assert_float_eq(metric(mt, pj2, "prediction.share.yes"), 0.75, 1e-12);
    cr_assert_float_eq(metric(mt, pj2, "prediction.share.no"), 0.25, 1e-12);
    lp_value_unref(f);
    lp_value *notframe = lp_value_int(3);
    cr_assert_eq(lp_metrics_tracker_log_prediction_metrics(mt, pj2, notframe), LP_EINVAL);
    lp_value_unref(notframe);
    lp_value_unref(pj);
    lp_value_unref(pj2);
    lp_value_unref(mv);
}

Test(tracker, metrics_tracker_defaults_to_the_metadata_trackers_store)
{
    metrics_tracker();
    struct stat sb;
    cr_assert_eq(stat(db, &sb), 0);
    char other[700];
    snprintf(other, sizeof other, "%s/.lolpop", dir);
    cr_assert_neq(stat(other, &sb), 0);
}
