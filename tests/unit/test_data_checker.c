/*
 * test_data_checker.c — LocalDataChecker through the dispatcher: the default
 * suite (empty data, duplicates, constant columns; schema, missing jumps, new
 * categories and out-of-range values against a previous version), every rule
 * kind passing and failing with its severity, fail_on, the report files, and
 * bad configurations refused with a located message and "did you mean".
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lolpop.h"
#include "lolpop/csv.h"
#include "lolpop/frame.h"
#include "lolpop/types/data_checker.h"
#include "unit_workflow.h"

TestSuite(data_checker, .init = uw_setup, .fini = uw_teardown, .timeout = 120);

static const char OLD[] = "id,age,sex,fare,const\n"
                          "1,22,male,7.25,x\n"
                          "2,38,female,71.3,x\n"
                          "3,26,female,7.9,x\n"
                          "4,35,male,53.1,x\n";

static const char NEW[] = "id,age,sex,fare,const,extra\n"
                          "1,22,male,7.25,x,1\n"
                          "2,,female,71.3,x,1\n"
                          "3,130,other,,x,1\n"
                          "3,130,other,,x,1\n";

static lp_value *frame_of(const char *name, const char *csv)
{
    FILE *fp = fopen(name, "w");
    cr_assert_not_null(fp);
    fputs(csv, fp);
    fclose(fp);
    lp_frame *f = NULL;
    cr_assert_eq(lp_csv_read(&f, name, NULL), 0, "%s", lp_error_last()->message);
    lp_value *v = lp_value_frame(f);
    lp_frame_unref(f);
    return v;
}

static lp_obj *checker(const char *config)
{
    static char yaml[2048];
    snprintf(yaml, sizeof yaml,
             "component: {data_checker: LocalDataChecker}\n"
             "data_checker:\n  config:\n%s\n",
             config);
    return uw_build(0, yaml, "data_checker");
}

/* The first check named `check` (and on `column` when not NULL), or NULL. */
static const lp_value *find(const lp_value *result, const char *check, const char *column)
{
    const lp_value *checks = lp_map_get(lp_map_get(result, "report"), "checks");
    for (size_t i = 0; i < lp_list_len(checks); i++) {
        const lp_value *c = lp_list_get(checks, i);
        const char *col = lp_value_as_string(lp_map_get(c, "column"));
        if (strcmp(lp_value_as_string(lp_map_get(c, "check")), check) != 0) continue;
        if (column && (!col || strcmp(col, column) != 0)) continue;
        return c;
    }
    return NULL;
}

static const char *status_of(const lp_value *result, const char *check, const char *column)
{
    const lp_value *c = find(result, check, column);
    cr_assert_not_null(c, "no check %s on %s", check, column ? column : "-");
    return lp_value_as_string(lp_map_get(c, "status"));
}

static int64_t observed(const lp_value *result, const char *check, const char *column)
{
    return lp_value_as_int(lp_map_get(find(result, check, column), "observed"));
}

Test(data_checker, default_suite_against_the_previous_version)
{
    uw_tmpdir("dc", true);
    lp_obj *c = checker("    dir: reports");
    lp_value *old = frame_of("old.csv", OLD), *cur = frame_of("new.csv", NEW);
    lp_value *r = lp_data_checker_check_data_previous(c, cur, old);
    cr_assert_not_null(r, "%s", lp_error_last()->message);
    cr_assert_str_eq(status_of(r, "empty", NULL), "PASS");
    cr_assert_str_eq(status_of(r, "duplicate_rows", NULL), "WARN");
    cr_assert_eq(observed(r, "duplicate_rows", NULL), 1);
    cr_assert_str_eq(status_of(r, "constant_column", "const"), "WARN");
    cr_assert_str_eq(status_of(r, "schema", "extra"), "WARN");
    cr_assert_str_eq(status_of(r, "missing_jump", "fare"), "WARN");
    cr_assert_str_eq(status_of(r, "new_categories", "sex"), "WARN");
    cr_assert_eq(observed(r, "new_categories", "sex"), 1);
    cr_assert_str_eq(status_of(r, "out_of_range", "age"), "WARN");
    cr_assert_eq(observed(r, "out_of_range", "age"), 2);
    cr_assert_str_eq(lp_value_as_string(lp_map_get(r, "status")), "WARN");
    cr_assert_not(lp_value_as_bool(lp_map_get(r, "failed")));
    /* the files: HTML with the status in the DOM, the JSON twin beside it */
    const char *path = lp_value_as_string(lp_map_get(r, "path"));
    cr_assert(path && strncmp(path, "reports/checks-", 15) == 0, "%s", path);
    char *html = NULL;
    FILE *fp = fopen(path, "r");
    cr_assert_not_null(fp);
    html = calloc(1, 1 << 20);
    fread(html, 1, (1 << 20) - 1, fp);
    fclose(fp);
    cr_assert(strstr(html, "data-key=\"status\">WARN<"), "status in the HTML");
    free(html);
    char twin[512];
    snprintf(twin, sizeof twin, "%.*s.json", (int)(strlen(path) - 5), path);
    json_error_t err;
    json_t *j = json_load_file(twin, 0, &err);
    cr_assert_not_null(j, "%s", err.text);
    cr_assert_str_eq(json_string_value(json_object_get(j, "status")), "WARN");
    json_decref(j);
    lp_value_unref(r);
    /* a type change and a missing column are errors */
    lp_value *dropped = frame_of("dropped.csv", "id,age,sex,fare\n1,a,male,1\n");
    r = lp_data_checker_check_data_previous(c, dropped, old);
    cr_assert_not_null(r);
    cr_assert_str_eq(status_of(r, "schema", "const"), "ERROR");
    cr_assert_str_eq(status_of(r, "schema", "age"), "ERROR");
    cr_assert_str_eq(lp_value_as_string(lp_map_get(r, "status")), "ERROR");
    lp_value_unref(r);
    lp_value_unref(dropped);
    lp_value_unref(old);
    lp_value_unref(cur);
}

Test(data_checker, rules_pass_and_fail_with_their_severity)
{
    uw_tmpdir("dc", true);
    lp_obj *c = checker("    dir: reports\n"
                        "    suite: {duplicate_rows: off, constant_columns: off}\n"
                        "    rules:\n"
                        "      - {column: age, not_null: true, min: 0, max: 120}\n"
                        "      - {column: sex, allowed: [male, female], severity: WARN}\n"
                        "      - {unique: id}\n"
                        "      - {rows: {min: 4, max: 10}}\n"
                        "      - {column: fare, max_missing: 0.3}\n"
                        "      - {unique: [id, sex], severity: WARN}\n");
    lp_value *old = frame_of("old.csv", OLD), *cur = frame_of("new.csv", NEW);
    lp_value *r = lp_data_checker_check_data(c, old);
    cr_assert_not_null(r, "%s", lp_error_last()->message);
    cr_assert_str_eq(lp_value_as_string(lp_map_get(r, "status")), "PASS");
    cr_assert_eq(lp_value_as_int(lp_map_get(lp_map_get(lp_map_get(r, "report"), "counts"), "PASS")),
                 9);
    lp_value_unref(r);
    r = lp_data_checker_check_data(c, cur);
    cr_assert_not_null(r, "%s", lp_error_last()->message);
    cr_assert_str_eq(status_of(r, "not_null", "age"), "ERROR");
    cr_assert_eq(observed(r, "not_null", "age"), 1);
    cr_assert_str_eq(status_of(r, "min", "age"), "PASS");
    cr_assert_str_eq(status_of(r, "max", "age"), "ERROR");
    cr_assert_eq(observed(r, "max", "age"), 2);
    cr_assert_str_eq(status_of(r, "allowed", "sex"), "WARN");
    cr_assert_eq(observed(r, "allowed", "sex"), 2);
    cr_assert_str_eq(status_of(r, "unique", "id"), "ERROR");
    cr_assert_str_eq(status_of(r, "rows", NULL), "PASS");
    cr_assert_str_eq(status_of(r, "max_missing", "fare"), "ERROR");
    cr_assert_str_eq(lp_value_as_string(lp_map_get(r, "status")), "ERROR");
    cr_assert_not(lp_value_as_bool(lp_map_get(r, "failed")), "no fail_on: the run goes on");
    lp_value_unref(r);
    lp_value_unref(old);
    lp_value_unref(cur);
}

Test(data_checker, fail_on_marks_the_result_failed)
{
    uw_tmpdir("dc", true);
    lp_obj *c = checker("    dir: reports\n    fail_on: WARN\n"
                        "    rules: [{rows: {min: 10}, severity: WARN}]\n");
    lp_value *old = frame_of("old.csv", OLD);
    lp_value *r = lp_data_checker_check_data(c, old);
    cr_assert_not_null(r);
    cr_assert_str_eq(lp_value_as_string(lp_map_get(r, "status")), "WARN");
    cr_assert(lp_value_as_bool(lp_map_get(r, "failed")));
    lp_value_unref(r);
    lp_value_unref(old);
}

Test(data_checker, a_rule_on_a_missing_column_is_a_config_error)
{
    uw_tmpdir("dc", true);
    lp_obj *c = checker("    dir: reports\n    rules: [{column: agee, min: 0}]\n");
    lp_value *old = frame_of("old.csv", OLD);
    lp_value *r = lp_data_checker_check_data(c, old);
    cr_assert_null(r);
    cr_assert_eq(lp_error_last()->code, LP_ECONFIG);
    cr_assert(strstr(lp_error_last()->message, "did you mean 'age'"), "%s",
              lp_error_last()->message);
    lp_value_unref(old);
}

Test(data_checker, bad_rules_are_refused_when_built)
{
    const char *bad[][2] = {
        {"rules: [{column: age, mni: 0}]", "did you mean 'min'"},
        {"rules: [{column: age, min: zero}]", "must be a number"},
        {"rules: [{column: age}]", "checks nothing"},
        {"rules: [{rows: {min: 1}, column: age}]", "only rows"},
        {"rules: [{column: age, min: 0, severity: FATAL}]", "severity"},
        {"rules: [{max: 3}]", "needs 'column'"},
        {"rules: {column: age}", "must be a list"},
        {"fail_on: SOMETIMES", "severity"},
        {"suite: {duplicate_row: WARN}", "did you mean 'duplicate_rows'"},
        {"rules: [{column: fare, max_missing: 2}]", "between 0 and 1"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char yaml[512];
        snprintf(yaml, sizeof yaml,
                 "component: {data_checker: LocalDataChecker}\n"
                 "data_checker:\n  config: {%s}\n",
                 bad[i][0]);
        cr_assert_neq(uw_try_build(0, yaml), 0, "accepted: %s", bad[i][0]);
        const char *msg = lp_error_last()->message;
        cr_assert((strstr(msg, "LocalDataChecker") || strstr(msg, "'rules'")) &&
                      strstr(msg, bad[i][1]),
                  "%s: %s", bad[i][0], msg);
    }
}
