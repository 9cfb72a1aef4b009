/*
 * test_runs_report.c — `lolpop runs report RUN -o FILE`: the run report of a
 * store filled through the store API (a dataset version with profile,
 * comparison and checks reports, a model version with experiments and an SVG
 * plot, a prediction job, lineage), opened in headless Chromium: it renders
 * without console messages, key numbers are in the DOM, the plot is inlined;
 * a screenshot is kept in the build directory (run_report.png). Also the JSON
 * twin, and exit codes and messages for a bad run id and unwritable outputs.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "lolpop.h"
#include "store/store.h"

#define DEADLINE 120000

static char *dir;

static void setup(void)
{
    static char templ[64];
    snprintf(templ, sizeof templ, "/tmp/lolpop-runrep-XXXXXX");
    dir = lp_tmpdir_make(templ);
}

static void teardown(void)
{
    lp_tmpdir_remove(dir);
}

TestSuite(runs_report, .init = setup, .fini = teardown, .timeout = 300);

static lp_run lolpop(const char *const *args)
{
    return lp_run_exe(LP_LOLPOP_EXE, dir, NULL, args, DEADLINE);
}

static const char *in_dir(const char *name)
{
    static char ring[4][1024];
    static int next;
    char *b = ring[next++ % 4];
    snprintf(b, 1024, "%s/%s", dir, name);
    return b;
}

static lp_value *mk(lp_store *st, const char *type, const char *name, int64_t parent,
                    const char *run)
{
    lp_value *r = NULL;
    cr_assert_eq(lp_store_resource_create(st, type, name, parent, run, &r), 0, "%s",
                 lp_error_last()->message);
    return r;
}

static int64_t id_of(const lp_value *r)
{
    return lp_value_as_int(lp_map_get(r, "id"));
}

static void set_tag(lp_store *st, int64_t res, const char *key, lp_value *v, const char *run)
{
    cr_assert_eq(lp_store_tag_set(st, res, key, v, run), 0, "%s", lp_error_last()->message);
    lp_value_unref(v);
}

static lp_value *parse(const char *json)
{
    lp_value *v = NULL;
    cr_assert_eq(lp_store_json_value(json, &v), 0, "%s", json);
    return v;
}

static const char roc_svg[] =
    "<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"320\" "
    "height=\"200\" viewBox=\"0 0 320 200\"><rect width=\"320\" height=\"200\" fill=\"#fff\"/>"
    "<polyline points=\"20,180 60,60 300,20\" fill=\"none\" stroke=\"#4a7bd0\"/>"
    "<text x=\"160\" y=\"110\" text-anchor=\"middle\">ROC AUC 0.8849</text></svg>\n";

/* A training run with everything a report shows; returns its id (caller frees). */
static char *filled_run(void)
{
    lp_store *st = NULL;
    cr_assert_eq(lp_store_open(&st, in_dir(".lolpop/lolpop.db"), LP_STORE_CREATE), 0, "%s",
                 lp_error_last()->message);
    char *run = NULL;
    cr_assert_eq(lp_store_run_begin(st, "ClassificationRunner",
                                    "{\"config\": {\"model_target\": \"survived\"}}", &run),
                 0);
    cr_assert_eq(lp_store_run_method(st, run, "build_all"), 0);
    lp_value *d = mk(st, "dataset", "titanic_train", 0, run);
    lp_value *dv = mk(st, "dataset_version", NULL, id_of(d), run);
    set_tag(st, id_of(dv), "rows", lp_value_int(891), run);
    set_tag(st, id_of(dv), "columns", lp_value_int(12), run);
    set_tag(st, id_of(dv), "hash", lp_value_string("e7821e92f716aa"), run);
    lp_value *profile = parse("{\"rows\": 891, \"columns\": 12, \"duplicate_rows\": 107, "
                              "\"alerts\": [{\"kind\": \"high_missing\", \"column\": \"deck\", "
                              "\"message\": \"deck is 77.2% missing\"}]}");
    cr_assert_eq(lp_store_report_add(st, id_of(dv), "profile", in_dir("p.html"),
                                     "LocalDataProfiler", profile, NULL, run),
                 0);
    lp_value *cmp = parse("{\"dataset_drift\": true, \"drifted_columns\": 1, "
                          "\"compared_columns\": 2, \"columns\": [{\"column\": \"fare\", "
                          "\"method\": \"ks\", \"statistic\": 0.0012, \"threshold\": 0.05, "
                          "\"psi\": 0.31, \"drifted\": true}]}");
    cr_assert_eq(
        lp_store_report_add(st, id_of(dv), "comparison", NULL, "LocalDataProfiler", cmp, NULL, run),
        0);
    /* A checker this file knows nothing about: shown generically. */
    lp_value *checks = parse("{\"status\": \"WARN\", \"checks\": [{\"name\": \"age range\", "
                             "\"status\": \"WARN\"}]}");
    lp_store_report rep = {.kind = "checks",
                           .path = in_dir("checks.html"),
                           .cls = "LocalDataChecker",
                           .report = checks,
                           .status = "WARN",
                           .object =
                               "ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12"};
    cr_assert_eq(lp_store_report_record(st, id_of(dv), &rep, run), 0);
    lp_value *m = mk(st, "model", "titanic", 0, run);
    lp_value *mv = mk(st, "model_version", NULL, id_of(m), run);
    cr_assert_eq(lp_store_lineage_add(st, id_of(dv), id_of(mv), "trained", run), 0);
    set_tag(st, id_of(mv), "dataset_version", lp_value_int(id_of(dv)), run);
    for (int i = 0; i < 2; i++) {
        lp_value *e = mk(st, "experiment", NULL, id_of(mv), run);
        lp_value *params = lp_value_map();
        lp_map_set(params, "max_depth", lp_value_int(3 + i));
        lp_map_set(params, "eta", lp_value_float(0.3));
        set_tag(st, id_of(e), "params", params, run);
        set_tag(st, id_of(e), "trainer", lp_value_string("XGBoostModelTrainer"), run);
        if (i == 1) {
            lp_value *yes = lp_value_bool(true);
            cr_assert_eq(lp_store_tag_set_exclusive(st, id_of(e), "winner", yes, run), 0);
            lp_value_unref(yes);
            lp_write_file(dir, "roc.svg", roc_svg);
            cr_assert_eq(lp_store_artifact_add(st, id_of(e), "roc_curve", in_dir("roc.svg"), run),
                         0);
        }
        lp_store_metric ms[] = {{"train", "f1", 0.9078 - 0.1 * i},
                                {"valid", "f1", 0.7821 + 0.01 * i}};
        cr_assert_eq(lp_store_metrics_set(st, id_of(e), ms, 2), 0);
        lp_value_unref(e);
    }
    lp_value *pj = mk(st, "prediction_job", NULL, id_of(mv), run);
    cr_assert_eq(lp_store_lineage_add(st, id_of(mv), id_of(pj), "predicted", run), 0);
    set_tag(st, id_of(pj), "dataset_version", lp_value_int(4242), run); /* not this run's */
    lp_store_metric pm[] = {{"prediction", "rows", 178}};
    cr_assert_eq(lp_store_metrics_set(st, id_of(pj), pm, 1), 0);
    cr_assert_eq(lp_store_run_end(st, run, true, NULL), 0);
    lp_value *all[] = {d, dv, m, mv, pj, profile, cmp, checks};
    for (int i = 0; i < 8; i++)
        lp_value_unref(all[i]);
    lp_store_close(st);
    return run;
}

/* ---- the page ------------------------------------------------------------------------- */

Test(runs_report, report_and_json_twin_are_written)
{
    char *run = filled_run();
    lp_run r = lolpop((const char *[]){"runs", "report", "latest", "-o", "out.html", NULL});
    LP_EXPECT_EXIT(r, 0);
    cr_assert(strstr(r.out, "run report: out.html (JSON: out.json)"), "%s", r.out);
    lp_run_free(&r);
    char *html = lp_read_file(in_dir("out.html"));
    cr_assert_not_null(html);
    cr_assert(strstr(html, "<svg id=\"lineage-graph\""), "the lineage graph");
    cr_assert(strstr(html, "ROC AUC 0.8849"), "the recorded plot is inlined");
    cr_assert_null(strstr(html, "<?xml"), "the plot's XML prologue is dropped");
    cr_assert_null(strstr(html, "http://") && strstr(html, "src=\"http"), "nothing fetched");
    cr_assert(strstr(html, "ab12cd34ef56"), "the checks report's object id");
    free(html);
    char *text = lp_read_file(in_dir("out.json"));
    json_error_t err;
    json_t *j = text ? json_loads(text, 0, &err) : NULL;
    cr_assert_not_null(j, "the JSON twin parses");
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "run"), "id")), run);
    cr_assert_eq(json_array_size(json_object_get(j, "resources")), 7);
    json_decref(j);
    free(text);
    /* The default name, and `runs show` listing reports with their objects. */
    r = lolpop((const char *[]){"runs", "report", run, NULL});
    LP_EXPECT_EXIT(r, 0);
    lp_run_free(&r);
    char name[128];
    snprintf(name, sizeof name, "run-%s.html", run);
    struct stat sb;
    cr_assert_eq(stat(in_dir(name), &sb), 0, "%s is written", name);
    r = lolpop((const char *[]){"runs", "show", run, NULL});
    LP_EXPECT_EXIT(r, 0);
    cr_assert(strstr(r.out, "Reports and artifacts:"), "%s", r.out);
    const char *line = strstr(r.out, "Reports and artifacts:");
    line = line ? strstr(line, "  checks ") : NULL;
    cr_assert(line && strstr(line, "WARN") && strstr(line, "checks.html  ab12cd34ef56"), "%s",
              r.out);
    cr_assert(strstr(r.out, "artifact roc_curve"), "%s", r.out);
    /* a tag naming a resource by its store id shows the resource's uri; an id the
     * run does not hold stays a number */
    cr_assert(strstr(r.out, "tags: dataset_version=dataset/titanic_train/v1"), "%s", r.out);
    cr_assert(strstr(r.out, "tags: dataset_version=4242"), "%s", r.out);
    lp_run_free(&r);
    free(run);
}

Test(runs_report, renders_in_headless_chromium)
{
    if (access("/usr/bin/chromium", X_OK) != 0)
        cr_skip_test("chromium is not installed (Debian package chromium)");
    free(filled_run());
    lp_run r = lolpop((const char *[]){"runs", "report", "latest", "-o", "report.html", NULL});
    LP_EXPECT_EXIT(r, 0);
    lp_run_free(&r);
    char url[1100];
    snprintf(url, sizeof url, "file://%s", in_dir("report.html"));
    r = lp_run_exe("/usr/bin/chromium", dir, (const char *[]){"HOME=/tmp", NULL},
                   (const char *[]){"--headless", "--no-sandbox", "--disable-gpu",
                                    "--enable-logging=stderr", "--dump-dom", url, NULL},
                   DEADLINE);
    cr_assert_eq(r.status, 0, "chromium failed: %s", r.err);
    /* Chromium logs every console message (errors, failed loads of scripts) as CONSOLE. */
    cr_assert_null(strstr(r.err, ":CONSOLE"), "console messages:\n%s", r.err);
    const char *dom = r.out;
    cr_assert(strstr(dom, "data-metric=\"valid.f1\">0.7921<"), "the winner's valid f1");
    cr_assert(strstr(dom, "data-rows=\"891\">891<"), "the dataset's rows");
    cr_assert(strstr(dom, "deck is 77.2% missing"), "the profile's alert");
    cr_assert(strstr(dom, "data-status=\"WARN\""), "the checks' status");
    cr_assert(strstr(dom, "ROC AUC 0.8849"), "the plot");
    cr_assert(strstr(dom, "model/titanic/v1/prediction_job/1"), "the lineage's prediction job");
    lp_run_free(&r);
    char shot[1100];
    snprintf(shot, sizeof shot, "--screenshot=%s/run_report.png", LP_BUILD_DIR);
    r = lp_run_exe("/usr/bin/chromium", dir, (const char *[]){"HOME=/tmp", NULL},
                   (const char *[]){"--headless", "--no-sandbox", "--disable-gpu", shot,
                                    "--window-size=1300,1800", url, NULL},
                   DEADLINE);
    cr_assert_eq(r.status, 0, "chromium failed: %s", r.err);
    lp_run_free(&r);
}

/* ---- errors ------------------------------------------------------------------------------ */

Test(runs_report, bad_run_and_unwritable_outputs)
{
    free(filled_run());
    lp_run r = lolpop((const char *[]){"runs", "report", "nosuchrun", "-o", "x.html", NULL});
    LP_EXPECT_EXIT(r, 1);
    cr_assert(strstr(r.err, "nosuchrun"), "%s", r.err);
    lp_run_free(&r);
    r = lolpop((const char *[]){"runs", "report", "latest", "-o", "missing/dir/x.html", NULL});
    LP_EXPECT_EXIT(r, 1);
    cr_assert(strstr(r.err, "the directory 'missing/dir' does not exist"), "%s", r.err);
    lp_run_free(&r);
    mkdir(in_dir("ro"), 0555);
    if (access(in_dir("ro"), W_OK) != 0) { /* root writes anywhere */
        r = lolpop((const char *[]){"runs", "report", "latest", "-o", "ro/x.html", NULL});
        LP_EXPECT_EXIT(r, 1);
        cr_assert(strstr(r.err, "is not writable"), "%s", r.err);
        lp_run_free(&r);
    }
    r = lolpop((const char *[]){"runs", "report", "latest", "-o", "/proc/x.html", NULL});
    LP_EXPECT_EXIT(r, 1);
    cr_assert(strstr(r.err, "/proc/x.html"), "%s", r.err);
    lp_run_free(&r);
    r = lolpop((const char *[]){"runs", "report", "latest", "-o", ".", NULL});
    LP_EXPECT_EXIT(r, 1);
    cr_assert(strstr(r.err, "is a directory"), "%s", r.err);
    lp_run_free(&r);
    r = lolpop((const char *[]){"runs", "report", NULL});
    LP_EXPECT_EXIT(r, 2);
    cr_assert(strstr(r.err, "'runs report' needs a RUN"), "%s", r.err);
    lp_run_free(&r);
    struct stat sb;
    cr_assert_neq(stat(in_dir("x.html"), &sb), 0, "nothing written for a bad run");
}
