/*
 * test_checks_wiring.c — LocalDataChecker and LocalModelChecker in the
 * titanic quickstart: every check passes and is recorded in the store (data
 * checks on the dataset versions, model checks on the model version,
 * prediction checks, prediction drift), the model report's validation f1 is
 * the one the model version was chosen on, the second run checks the schema
 * against the first; a failing rule warns the notifier once and the run goes
 * on; with fail_on the workflow stops at check_data with a located error;
 * bad rules are configuration errors (exit 2) naming the closest key or
 * column; a bias checker that cannot tell the favorable class stops the run
 * before training.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

#define DEADLINE_MS 600000L

static char dir_buf[64];
static const char *dir;

static void setup(void)
{
    snprintf(dir_buf, sizeof dir_buf, "/tmp/lolpop-wfchk-XXXXXX");
    dir = lp_tmpdir_make(dir_buf);
    lp_copy_example(LP_TITANIC_EXAMPLE, dir);
}

static void teardown(void)
{
    lp_tmpdir_remove(dir);
}

TestSuite(checks_wiring, .init = setup, .fini = teardown, .timeout = 900);

static lp_run run(const char *overlay)
{
    if (!overlay)
        return lp_run_exe(LP_LOLPOP_EXE, dir, NULL,
                          (const char *const[]){"run", "workflow", "ClassificationRunner", "-c",
                                                "titanic.yaml", NULL},
                          DEADLINE_MS);
    return lp_run_exe(LP_LOLPOP_EXE, dir, NULL,
                      (const char *const[]){"run", "workflow", "ClassificationRunner", "-c",
                                            "titanic.yaml", "-c", overlay, NULL},
                      DEADLINE_MS);
}

/* The path after "<what>: " in the log (the first), as dir/path in buf. */
static const char *logged(const char *log, const char *what, char *buf, size_t size)
{
    const char *p = strstr(log, what);
    cr_assert_not_null(p, "no '%s' in the log:\n%s", what, log);
    p += strlen(what);
    snprintf(buf, size, "%s/%.*s", dir, (int)strcspn(p, "\n"), p);
    return buf;
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

static double query_number(const char *sql)
{
    char path[512];
    snprintf(path, sizeof path, "%s/.lolpop/lolpop.db", dir);
    sqlite3 *db = NULL;
    cr_assert_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK, "%s", sqlite3_errmsg(db));
    cr_assert_eq(sqlite3_step(st), SQLITE_ROW, "%s", sql);
    double v = sqlite3_column_double(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

/* The status of the check `check` in a report's JSON twin. */
static const char *json_check_status(json_t *report, const char *check, const char *column)
{
    json_t *checks = json_object_get(report, "checks");
    for (size_t i = 0; i < json_array_size(checks); i++) {
        json_t *c = json_array_get(checks, i);
        const char *col = json_string_value(json_object_get(c, "column"));
        if (strcmp(json_string_value(json_object_get(c, "check")), check) != 0) continue;
        if (column && (!col || strcmp(col, column) != 0)) continue;
        return json_string_value(json_object_get(c, "status"));
    }
    return NULL;
}

static json_t *twin(const char *html_path)
{
    char path[600];
    snprintf(path, sizeof path, "%.*s.json", (int)(strlen(html_path) - 5), html_path);
    json_error_t err;
    json_t *j = json_load_file(path, 0, &err);
    cr_assert_not_null(j, "%s: %s", path, err.text);
    return j;
}

Test(checks_wiring, quickstart_checks_pass_and_are_recorded)
{
    lp_run r = run(NULL);
    LP_EXPECT_EXIT(r, 0);
    const char *log = r.err;
    cr_assert_null(strstr(log, "check_data: skipped"), "%s", log);
    cr_assert_null(strstr(log, "check_model: skipped"), "%s", log);
    cr_assert_null(strstr(log, "check_model_bias: skipped"), "%s", log);
    /* the one notification: the model favours women (titanic.yaml's bias check) */
    cr_assert_eq(count(log, "NOTIFY"), 1, "%s", log);
    cr_assert_eq(count(log, "NOTIFY WARN: model bias checks ended with WARN"), 1, "%s", log);
    cr_assert_eq(count(log, "check_data: PASS"), 3, "train, eval and predictions:\n%s", log);

    char path[512];
    logged(log, "model checks report: ", path, sizeof path);
    char *html = lp_read_file(path);
    cr_assert(html && strstr(html, "data-key=\"status\">PASS<") && strstr(html, "<svg"), "%s",
              path);
    free(html);
    json_t *report = twin(path);
    cr_assert_str_eq(json_string_value(json_object_get(report, "status")), "PASS");
    cr_assert_str_eq(json_check_status(report, "threshold", NULL), "PASS");
    cr_assert_str_eq(json_check_status(report, "overfitting", NULL), "PASS");
    cr_assert_str_eq(json_check_status(report, "calibration", NULL), "PASS");
    cr_assert_str_eq(json_check_status(report, "baseline", NULL), "PASS");
    /* the numbers are the model's: f1 on valid as chosen, the confusion matrix adds up */
    json_t *valid = json_object_get(json_object_get(report, "splits"), "valid");
    double f1 = json_number_value(json_object_get(json_object_get(valid, "metrics"), "f1"));
    const char *chosen = strstr(log, "validation f1 = ");
    cr_assert_not_null(chosen, "%s", log);
    double logged_f1 = atof(chosen + strlen("validation f1 = "));
    cr_assert(fabs(f1 - logged_f1) < 1e-5, "report f1 %.9g vs chosen %.9g", f1, logged_f1);
    json_t *cm = json_object_get(valid, "confusion_matrix");
    json_int_t total = 0;
    for (size_t t = 0; t < 2; t++)
        for (size_t p = 0; p < 2; p++)
            total += json_integer_value(json_array_get(json_array_get(cm, t), p));
    cr_assert_eq(total, json_integer_value(json_object_get(valid, "rows")));
    double brier =
        json_number_value(json_object_get(json_object_get(valid, "calibration"), "brier"));
    cr_assert(brier > 0 && brier < 0.25, "brier %g", brier);
    json_decref(report);

    /* bias on the validation split: women against men, age groups against adults */
    logged(log, "bias report: ", path, sizeof path);
    report = twin(path);
    cr_assert_str_eq(json_string_value(json_object_get(report, "status")), "WARN");
    cr_assert_str_eq(json_check_status(report, "disparate_impact", "sex"), "WARN");
    json_t *sex = json_object_get(json_object_get(report, "attributes"), "sex");
    cr_assert_gt(json_number_value(json_object_get(sex, "disparate_impact")), 1.25);
    cr_assert_eq(json_integer_value(json_object_get(report, "rows")), 142, "the valid split");
    cr_assert_eq(json_integer_value(json_object_get(sex, "rows_used")), 142);
    json_decref(report);
    /* and the run report has its bias section */
    logged(log, "run report: ", path, sizeof path);
    html = lp_read_file(path);
    cr_assert(html && strstr(html, "<h2 id=\"bias\">Bias</h2>") &&
                  strstr(html, "data-bias-attribute=\"sex\"") && strstr(html, "female vs male"),
              "%s", path);
    free(html);

    logged(log, "checks report: ", path, sizeof path);
    report = twin(path);
    cr_assert_str_eq(json_check_status(report, "unique", "passenger_id"), "PASS");
    cr_assert_eq(json_integer_value(json_object_get(report, "rows")), 713);
    json_decref(report);
    lp_run_free(&r);

    /* in the store: data checks per dataset version, model and prediction checks on the
     * model version, the prediction drift as a comparison */
    cr_assert_eq(query_number("SELECT count(*) FROM reports WHERE kind = 'checks' AND "
                              "status = 'PASS'"),
                 4);
    cr_assert_eq(query_number("SELECT count(*) FROM reports WHERE kind = 'checks' AND "
                              "class = 'LocalModelChecker' AND path LIKE '%model-checks-%'"),
                 1);
    cr_assert_eq(query_number("SELECT count(*) FROM reports WHERE kind = 'comparison' AND "
                              "path LIKE '%prediction-drift-%'"),
                 1);
    cr_assert_eq(query_number("SELECT count(*) FROM reports WHERE kind = 'checks' AND "
                              "class = 'LocalModelBiasChecker' AND status = 'WARN' AND "
                              "path LIKE '%model-bias-%'"),
                 1);

    /* the second run checks the schema against the first version */
    r = run(NULL);
    LP_EXPECT_EXIT(r, 0);
    logged(r.err, "checks report: ", path, sizeof path);
    report = twin(path);
    cr_assert_str_eq(json_check_status(report, "schema", NULL), "PASS");
    cr_assert_str_eq(json_check_status(report, "out_of_range", NULL), "PASS");
    cr_assert_eq(json_integer_value(json_object_get(report, "previous_rows")), 713);
    json_decref(report);
    lp_run_free(&r);
}

Test(checks_wiring, a_failing_rule_warns_once_and_the_run_goes_on)
{
    /* 713 training rows pass, 178 eval rows do not: one notification */
    lp_write_file(dir, "rows.yaml",
                  "process:\n  data_checker:\n    config:\n      fail_on: null\n"
                  "      rules: [{rows: {min: 500}}]\n");
    lp_run r = run("rows.yaml");
    LP_EXPECT_EXIT(r, 0);
    cr_assert_eq(count(r.err, "NOTIFY ERROR: data checks ended with ERROR"), 1, "%s", r.err);
    cr_assert_eq(query_number("SELECT count(*) FROM reports WHERE kind = 'checks' AND "
                              "status = 'ERROR'"),
                 1);
    lp_run_free(&r);
}

Test(checks_wiring, fail_on_stops_the_workflow_at_check_data)
{
    lp_write_file(dir, "gate.yaml",
                  "process:\n  data_checker:\n    config:\n      fail_on: ERROR\n"
                  "      rules: [{column: age, max: 60}]\n");
    lp_run r = run("gate.yaml");
    LP_EXPECT_EXIT(r, 1);
    cr_assert(strstr(r.err, "check_data: the data checks ended with ERROR and fail_on is ERROR"),
              "%s", r.err);
    cr_assert(strstr(r.err, "gate.yaml:4"), "located at the setting:\n%s", r.err);
    cr_assert_null(strstr(r.err, "train_model"), "stopped before training:\n%s", r.err);
    /* the checks are on the record all the same */
    cr_assert_eq(query_number("SELECT count(*) FROM reports WHERE kind = 'checks' AND "
                              "status = 'ERROR'"),
                 1);
    lp_run_free(&r);
}

Test(checks_wiring, bad_rules_are_configuration_errors)
{
    lp_write_file(dir, "typo.yaml",
                  "process:\n  data_checker:\n    config:\n      rules: [{column: age, mni: 0}]\n");
    lp_run r = run("typo.yaml");
    LP_EXPECT_EXIT(r, 2);
    cr_assert(strstr(r.err, "unknown rule key 'mni' (did you mean 'min'?)"), "%s", r.err);
    cr_assert(strstr(r.err, "typo.yaml:4"), "%s", r.err);
    lp_run_free(&r);

    lp_write_file(
        dir, "column.yaml",
        "process:\n  data_checker:\n    config:\n      rules: [{column: agee, min: 0}]\n");
    r = run("column.yaml");
    LP_EXPECT_EXIT(r, 2);
    cr_assert(strstr(r.err, "rule on column 'agee', which the data does not have (did you mean "
                            "'age'?)"),
              "%s", r.err);
    cr_assert(strstr(r.err, "column.yaml:4"), "%s", r.err);
    lp_run_free(&r);

    lp_write_file(dir, "metric.yaml",
                  "model_checker:\n  config:\n    thresholds: {valid: {f2: 1}}\n");
    r = run("metric.yaml");
    LP_EXPECT_EXIT(r, 2);
    cr_assert(strstr(r.err, "did you mean 'f1'"), "%s", r.err);
    lp_run_free(&r);
}

/* A three-class target (pclass) that the bias checker cannot judge without
 * favorable_label: said before training, with the classes, not after it. */
Test(checks_wiring, bias_checker_needs_a_favorable_class_before_training)
{
    lp_write_file(dir, "pclass.yaml", "config:\n  model_target: pclass\n");
    lp_run r = run("pclass.yaml");
    LP_EXPECT_EXIT(r, 2);
    cr_assert(strstr(r.err, "LocalModelBiasChecker (train.model_bias_checker): the target has 3 "
                            "classes ('1', '2', '3'); set config favorable_label"),
              "%s", r.err);
    cr_assert_null(strstr(r.err, "train_model"), "stopped before training:\n%s", r.err);
    lp_run_free(&r);

    lp_write_file(dir, "pclass9.yaml",
                  "config:\n  model_target: pclass\n"
                  "train:\n  model_bias_checker:\n    config:\n      favorable_label: 9\n");
    r = run("pclass9.yaml");
    LP_EXPECT_EXIT(r, 2);
    cr_assert(strstr(r.err, "favorable_label '9' is not one of the target's classes ('1', '2', "
                            "'3')"),
              "%s", r.err);
    cr_assert_null(strstr(r.err, "train_model"), "stopped before training:\n%s", r.err);
    lp_run_free(&r);
}

Test(checks_wiring, bias_fail_on_stops_and_the_failed_run_gets_its_report)
{
    lp_write_file(dir, "bias_gate.yaml",
                  "train:\n  model_bias_checker:\n    config:\n      fail_on: WARN\n");
    lp_run r = run("bias_gate.yaml");
    LP_EXPECT_EXIT(r, 1);
    cr_assert(strstr(r.err,
                     "check_model_bias: the model bias checks ended with WARN and fail_on is "
                     "WARN: the workflow stops here"),
              "%s", r.err);
    cr_assert(strstr(r.err, "bias_gate.yaml:4"), "located at the setting:\n%s", r.err);
    cr_assert_null(strstr(r.err, "deploy_model"), "stopped before deploying:\n%s", r.err);
    /* the bias report is on the record, and the failed run has its run report */
    cr_assert_eq(query_number("SELECT count(*) FROM reports WHERE kind = 'checks' AND "
                              "class = 'LocalModelBiasChecker' AND status = 'WARN'"),
                 1);
    cr_assert_eq(query_number("SELECT count(*) FROM runs WHERE status = 'failed'"), 1);
    char path[512];
    logged(r.err, "run report (failed run): ", path, sizeof path);
    char *html = lp_read_file(path);
    cr_assert_not_null(html, "%s", path);
    cr_assert(strstr(html, "data-status=\"failed\""), "the run's status");
    cr_assert(strstr(html, "<h2>Error</h2>") &&
                  strstr(html, "the model bias checks ended with WARN"),
              "the error");
    const char *where = strstr(html, "<h2 id=\"failure\">Where it failed</h2>");
    cr_assert_not_null(where, "where it failed");
    const char *first = strstr(where, "data-failed-call=\"0\">");
    cr_assert(first && strncmp(first + strlen("data-failed-call=\"0\">"),
                               "train OfflineTrain.check_model_bias<", 36) == 0,
              "the innermost failed call first: %.120s", first ? first : "");
    cr_assert(strstr(html, "id=\"bias\""), "what ran before: the bias section");
    cr_assert(strstr(html, "id=\"experiments\""), "what ran before: the experiments");
    free(html);
    lp_run_free(&r);

    /* `runs report` on the failed run works too */
    r = lp_run_exe(LP_LOLPOP_EXE, dir, NULL,
                   (const char *const[]){"runs", "report", "latest", "-o", "failed.html", NULL},
                   DEADLINE_MS);
    LP_EXPECT_EXIT(r, 0);
    snprintf(path, sizeof path, "%s/failed.html", dir);
    html = lp_read_file(path);
    cr_assert(html && strstr(html, "Where it failed") &&
                  strstr(html, "train OfflineTrain.check_model_bias"),
              "%s", path);
    free(html);
    lp_run_free(&r);
}
