/*
 * local.c — LocalDataChecker: check_data(frame, previous?) runs the default
 * suite (against `previous`, the earlier version of the same dataset, when
 * the pipeline has one) and the configured rules, and returns
 * {report, path, status, failed}: the report as a value, its self-contained
 * HTML file (JSON twin beside it), PASS / WARN / ERROR, and whether the
 * status reaches fail_on (the pipeline then stops the workflow).
 *
 *   data_checker: LocalDataChecker
 *   data_checker:
 *     config:
 *       rules:
 *         - {column: age, not_null: true, min: 0, max: 120}
 *         - {column: embarked, allowed: [C, Q, S], severity: WARN}
 *         - {unique: passenger_id}
 *         - {rows: {min: 100}}
 *         - {column: fare, max_missing: 0.05}
 *       suite: {duplicate_rows: WARN, constant_columns: WARN, schema: ERROR,
 *               missing_jump: WARN, missing_jump_share: 0.1, new_categories: WARN,
 *               out_of_range: WARN, empty: ERROR}      # any of them: off
 *       fail_on: ERROR          # or WARN; unset: never stop the workflow
 *       dir: .lolpop/reports    # report_file: a fixed file instead
 */
#include <stdlib.h>
#include <string.h>

#include "components/data_checker/rules.h"

typedef struct data_checker {
    lp_dc_rule *rules;
    size_t n_rules;
    lp_dc_suite suite;
    int fail_on; /* LP_CHK_OFF: never */
    char *dir, *file, *who;
} data_checker;

static void checker_fini(lp_obj *self)
{
    data_checker *c = lp_obj_state(self);
    lp_dc_rules_free(c->rules, c->n_rules);
    free(c->dir);
    free(c->file);
    free(c->who);
    memset(c, 0, sizeof *c);
}

static int checker_init(lp_obj *self)
{
    data_checker *c = lp_obj_state(self);
    const char *path = lp_obj_path(self);
    c->who = lp_asprintf("LocalDataChecker (%s)", path && *path ? path : lp_obj_name(self));
    c->suite = (lp_dc_suite){LP_CHK_ERROR, LP_CHK_WARN, LP_CHK_WARN, LP_CHK_ERROR,
                             LP_CHK_WARN,  LP_CHK_WARN, LP_CHK_WARN, 0.1};
    c->fail_on = LP_CHK_OFF;
    c->dir = lp_kit_config_string(self, "dir", ".lolpop/reports");
    c->file = lp_obj_config_string(self, "report_file");
    lp_value *cfg = lp_obj_config_map(self);
    int rc = c->who && c->dir ? 0 : LP_ENOMEM;
    /* errors here get the class and path from the framework */
    if (rc == 0) rc = lp_dc_rules_parse(&c->rules, &c->n_rules, lp_map_get(cfg, "rules"), "config");
    if (rc == 0) rc = lp_dc_suite_parse(&c->suite, lp_map_get(cfg, "suite"), "config");
    if (rc == 0)
        rc = lp_chk_parse_severity(&c->fail_on, lp_map_get(cfg, "fail_on"), true, "fail_on");
    lp_value_unref(cfg);
    if (rc) checker_fini(self);
    return rc;
}

static char *render(const lp_value *report)
{
    lp_sb sb = {0};
    lp_chk_html_head(&sb, "Data checks", report);
    lp_sb_append(&sb, "<div class=\"cards\">");
    static const char *const kpis[][2] = {
        {"rows", "rows"}, {"columns", "columns"}, {"previous version rows", "previous_rows"}};
    for (size_t i = 0; i < 3; i++) {
        lp_sb_appendf(&sb, "<div class=\"card kpi\">%s<b data-key=\"%s\">", kpis[i][0], kpis[i][1]);
        lp_chk_html_number(&sb, lp_map_get(report, kpis[i][1]));
        lp_sb_append(&sb, "</b></div>");
    }
    lp_sb_append(&sb, "</div>\n");
    lp_chk_html_checks(&sb, lp_map_get(report, "checks"));
    lp_chk_html_end(&sb);
    return lp_sb_take(&sb);
}

static lp_value *checker_check_data(lp_obj *self, lp_value *args)
{
    data_checker *c = lp_obj_state(self);
    lp_frame *f = lp_kit_arg_frame(args, "frame", "check_data");
    if (!f) return NULL;
    const lp_value *pv = lp_map_get(args, "previous");
    lp_frame *prev =
        lp_value_type(pv) == LP_NULL ? NULL : lp_kit_arg_frame(args, "previous", "check_data");
    if (lp_value_type(pv) != LP_NULL && !prev) return NULL;
    lp_value *checks = lp_value_list();
    lp_value *report =
        checks ? lp_kit_result("rows", lp_value_int((int64_t)lp_frame_rows(f)), "columns",
                               lp_value_int((int64_t)lp_frame_cols(f)), "previous_rows",
                               prev ? lp_value_int((int64_t)lp_frame_rows(prev)) : NULL, "checks",
                               lp_value_ref(checks), (const char *)NULL)
               : NULL;
    int rc = report ? 0 : lp_error_set(LP_ENOMEM, "out of memory");
    if (rc == 0) rc = lp_dc_run_suite(checks, f, prev, &c->suite);
    if (rc == 0) rc = lp_dc_run_rules(checks, f, c->rules, c->n_rules, c->who);
    lp_value_unref(checks);
    int status = rc == 0 ? lp_chk_summarize(report) : rc;
    if (status < 0) { /* the error names this checker already */
        lp_value_unref(report);
        return NULL;
    }
    bool failed = c->fail_on != LP_CHK_OFF && status >= c->fail_on;
    lp_map_set(report, "fail_on",
               c->fail_on == LP_CHK_OFF ? lp_value_null()
                                        : lp_value_string(lp_chk_status_name(c->fail_on)));
    lp_value *result =
        lp_chk_finish(lp_value_ref(report), render(report), c->dir, c->file, "checks");
    if (result && lp_map_set(result, "failed", lp_value_bool(failed)) != 0) {
        lp_value_unref(result);
        result = NULL;
    }
    if (result)
        lp_log(self, LP_LOG_INFO,
               "check_data: %s (%lld passed, %lld warnings, %lld errors); "
               "checks report: %s",
               lp_chk_status_name(status),
               (long long)lp_value_as_int(lp_map_get(lp_map_get(report, "counts"), "PASS")),
               (long long)lp_value_as_int(lp_map_get(lp_map_get(report, "counts"), "WARN")),
               (long long)lp_value_as_int(lp_map_get(lp_map_get(report, "counts"), "ERROR")),
               lp_value_as_string(lp_map_get(result, "path")));
    else
        lp_error_prefix("%s", c->who);
    lp_value_unref(report);
    return result;
}

static const lp_method checker_methods[] = {
    {"check_data", checker_check_data,
     "check_data(frame, previous?) -> {report, path, status, failed}: the default suite "
     "(against previous when given) and the configured rules; HTML and JSON report"},
    {NULL, NULL, NULL},
};

static const lp_config_key checker_keys[] = {
    {"rules", "list",
     "rules: {column, not_null, min, max, allowed, unique, max_missing, severity}, "
     "{unique: COLUMN(S)}, {rows: {min, max}}; a rule's severity is ERROR unless it says WARN"},
    {"suite", "map",
     "severities of the default checks (ERROR, WARN or off): empty, duplicate_rows, "
     "constant_columns, schema, missing_jump, new_categories, out_of_range; "
     "missing_jump_share (0.1)"},
    {"fail_on", "string", "ERROR or WARN: stop the workflow when the status reaches it"},
    {"dir", "string", "directory of the reports (default .lolpop/reports)"},
    {"report_file", "string", "write the report to this file instead of the directory"},
    {NULL, NULL, NULL},
};

const lp_class lp_local_data_checker_class = {
    .name = "LocalDataChecker",
    .kind = LP_KIND_COMPONENT,
    .type = "data_checker",
    .doc = "Checks a frame: a default suite (empty data, duplicate rows, constant columns; "
           "against the previous version of the same dataset: schema, missing-rate jumps, new "
           "categories, values outside the previous range) plus rules from config (not null, "
           "min / max, allowed values, unique, max missing share, row counts), each with a "
           "severity. Returns PASS, WARN or ERROR with a self-contained HTML report and its "
           "JSON twin; with fail_on the workflow stops when the status reaches it.",
    .defaults_yaml = NULL,
    .requirements = lp_no_requirements,
    .config_keys = checker_keys,
    .methods = checker_methods,
    .state_size = sizeof(data_checker),
    .init = checker_init,
    .fini = checker_fini,
};
