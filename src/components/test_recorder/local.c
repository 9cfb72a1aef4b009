/*
 * test_recorder/local.c — LocalTestRecorder: keeps workflow test verdicts
 * (SPEC §8) and reports them: a summary map, and on request JUnit XML for CI
 * and a JSON document for tools.
 *
 * `lolpop test workflow` records every verdict here when a test_recorder is
 * configured; it prints its own summary either way.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "components/components_internal.h"
#include "core/value_json.h"
#include "lolpop/error.h"
#include "testing/testing_internal.h"

typedef struct recorder_state {
    lp_value *results; /* owned list of verdict maps */
} recorder_state;

static int recorder_init(lp_obj *self)
{
    recorder_state *st = lp_obj_state(self);
    st->results = lp_value_list();
    return st->results ? 0 : lp_error_set(LP_ENOMEM, "out of memory");
}

static void recorder_fini(lp_obj *self)
{
    recorder_state *st = lp_obj_state(self);
    lp_value_unref(st->results);
    st->results = NULL;
}

/* record(result) -> null: keeps one verdict (a map with at least `status`). */
static lp_value *recorder_record(lp_obj *self, lp_value *args)
{
    recorder_state *st = lp_obj_state(self);
    lp_value *r = lp_map_get(args, "result");
    if (lp_value_type(r) != LP_MAP || !lp_value_as_string(lp_map_get(r, "status"))) {
        lp_error_set(LP_EINVAL, "record: 'result' must be a test verdict (a map with a status)");
        return NULL;
    }
    lp_value *copy = lp_value_copy(r);
    if (!copy || lp_list_append(st->results, copy) != 0) return NULL;
    return lp_value_null();
}

static int64_t count_status(const lp_value *results, const char *status)
{
    int64_t n = 0;
    for (size_t i = 0; i < lp_list_len(results); i++) {
        const char *s = lp_value_as_string(lp_map_get(lp_list_get(results, i), "status"));
        n += s && strcmp(s, status) == 0;
    }
    return n;
}

static lp_value *summary(lp_value *results)
{
    lp_value *m = lp_value_map();
    if (!m) return NULL;
    lp_map_set(m, "total", lp_value_int((int64_t)lp_list_len(results)));
    lp_map_set(m, "passed", lp_value_int(count_status(results, "PASS")));
    lp_map_set(m, "failed", lp_value_int(count_status(results, "FAIL")));
    lp_map_set(m, "errors", lp_value_int(count_status(results, "ERROR")));
    lp_map_set(m, "not_run", lp_value_int(count_status(results, "NOT_RUN")));
    lp_map_set(m, "results", lp_value_ref(results));
    return m;
}

/* The report as JSON at path, written atomically. */
static int write_json(const lp_value *report, const char *path)
{
    json_t *j = lp_json_from_value(report, LP_JSON_HIDE_ENV);
    char *text = j ? json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    json_decref(j);
    int rc = text ? lp_file_write_atomic(path, text, strlen(text))
                  : lp_error_set(LP_ENOMEM, "cannot write '%s': out of memory", path);
    free(text);
    return rc;
}

/* Writes the files the config asks for; 0 or the error of the first failure. */
static int write_files(lp_obj *self, const lp_value *report, const lp_value *results)
{
    char *junit = lp_obj_config_string(self, "junit_file");
    char *json = lp_obj_config_string(self, "json_file");
    int rc = junit && *junit ? lp_junit_write(results, "lolpop workflow tests", junit) : 0;
    if (rc == 0 && json && *json) rc = write_json(report, json);
    free(junit);
    free(json);
    return rc;
}

/* report() -> {total, passed, failed, errors, not_run, results}. */
static lp_value *recorder_report(lp_obj *self, lp_value *args)
{
    recorder_state *st = lp_obj_state(self);
    lp_value *report = summary(st->results);
    if (!report) return NULL;
    if (write_files(self, report, st->results) != 0) {
        lp_value_unref(report);
        return NULL;
    }
    return report;
}

static const lp_method recorder_methods[] = {
    {"record", recorder_record, "record(result) -> null: keeps one test verdict"},
    {"report", recorder_report,
     "report() -> {total, passed, failed, errors, not_run, results}; writes junit_file and "
     "json_file when configured"},
    {NULL, NULL, NULL},
};

static const lp_config_key recorder_keys[] = {
    {"junit_file", "string", "write the verdicts as JUnit XML here on report (atomically)"},
    {"json_file", "string", "write the report as JSON here on report (atomically)"},
    {NULL, NULL, NULL},
};

const lp_class lp_local_test_recorder_class = {
    .name = "LocalTestRecorder",
    .kind = LP_KIND_COMPONENT,
    .type = "test_recorder",
    .doc = "Keeps the verdicts of workflow tests (lolpop test workflow) and reports them: "
           "counts by status, every verdict, and optionally JUnit XML (junit_file) and a JSON "
           "document (json_file) for CI.",
    .defaults_yaml = NULL,
    .requirements = lp_no_requirements,
    .config_keys = recorder_keys,
    .methods = recorder_methods,
    .state_size = sizeof(recorder_state),
    .init = recorder_init,
    .fini = recorder_fini,
};
