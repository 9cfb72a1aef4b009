/*
 * cmd_data_profile.c — `lolpop data profile FILE` and `lolpop data compare
 * OLD NEW`: the data_profiler component (LocalDataProfiler) run alone on
 * CSV files, reached like every component through the registry and the
 * dispatcher. The report's HTML (and JSON twin) goes to -o; stdout gets the
 * summary, or with --json the report; logs go to stderr.
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "core/internal.h"
#include "core/value_json.h"
#include "lolpop/config.h"
#include "lolpop/csv.h"
#include "lolpop/frame.h"
#include "lolpop/types/data_profiler.h"

#define PROFILER_CLASS "LocalDataProfiler"

/* FILE as a frame with at least one column; 0 or CLI_USAGE after printing. */
static int read_frame(lp_value **out, const char *path, const lp_csv_options *opt)
{
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        cli_error("'%s' is a directory, not a CSV file", path);
        return CLI_USAGE;
    }
    lp_frame *f = NULL;
    if (lp_csv_read(&f, path, opt) != 0) {
        cli_print_last_error();
        return CLI_USAGE;
    }
    if (lp_frame_cols(f) == 0 || lp_frame_rows(f) == 0) {
        cli_error("'%s' has no %s: there is nothing to profile", path,
                  lp_frame_cols(f) ? "data rows" : "columns");
        lp_frame_unref(f);
        return CLI_USAGE;
    }
    *out = lp_value_frame(f);
    lp_frame_unref(f);
    return *out ? 0 : CLI_FAIL;
}

/* The -o file must be in an existing directory and not a directory itself. */
static int check_output(const cli_command *cmd, const char *out)
{
    struct stat st;
    if (stat(out, &st) == 0 && S_ISDIR(st.st_mode))
        return cli_usage_error(cmd, "'%s' is a directory; -o needs a file name", out);
    const char *slash = strrchr(out, '/');
    if (!slash) return 0;
    char *dir = lp_strndup(out, slash == out ? 1 : (size_t)(slash - out));
    int rc = dir && stat(dir, &st) == 0 && S_ISDIR(st.st_mode)
                 ? 0
                 : cli_usage_error(cmd, "cannot write '%s': the directory '%s' does not exist", out,
                                   dir ? dir : "?");
    free(dir);
    return rc;
}

/* A workflow holding the profiler, logging to stderr, writing its report to
 * `out` (config `file_key`). */
static int build(lp_workflow **wf, cli_session *s, const char *file_key, const char *out)
{
    lp_value *doc = lp_value_map(), *slots = lp_value_map();
    lp_diags diags;
    lp_diags_init(&diags);
    int rc = doc && slots ? lp_map_set(slots, "logger", lp_value_string("FileLogger")) : LP_ENOMEM;
    if (rc == 0) {
        rc = lp_map_set(doc, "component", slots);
        slots = NULL;
    }
    char *set = lp_asprintf("data_profiler.config.%s=%s", file_key, out);
    if (rc == 0) rc = lp_config_apply_set(doc, "logger.config.log_filename=/dev/stderr", &diags);
    if (rc == 0) rc = set ? lp_config_apply_set(doc, set, &diags) : LP_ENOMEM;
    free(set);
    lp_value_unref(slots);
    if (rc != 0) {
        cli_print_last_error();
        rc = CLI_FAIL;
    } else {
        rc = cli_component_build(wf, s->reg, doc, "data_profiler", PROFILER_CLASS, &diags);
    }
    lp_value_unref(doc);
    lp_diags_clear(&diags);
    return rc;
}

/* The report as indented JSON on stdout, with the file beside it. */
static int print_json(const lp_value *result)
{
    json_t *j = lp_json_from_value(lp_map_get(result, "report"), 0);
    if (!j) return CLI_FAIL;
    json_object_set_new(j, "path", json_string(lp_value_as_string(lp_map_get(result, "path"))));
    char *text = json_dumps(j, JSON_INDENT(2) | JSON_REAL_PRECISION(17));
    json_decref(j);
    if (!text) return CLI_FAIL;
    printf("%s\n", text);
    free(text);
    return CLI_OK;
}

static void fmt_num(char *buf, size_t size, const lp_value *v)
{
    if (lp_value_type(v) == LP_INT)
        snprintf(buf, size, "%lld", (long long)lp_value_as_int(v));
    else if (lp_value_type(v) == LP_FLOAT)
        snprintf(buf, size, "%.6g", lp_value_as_float(v));
    else
        snprintf(buf, size, "-");
}

static void print_profile(const char *file, const lp_value *result)
{
    const lp_value *r = lp_map_get(result, "report"), *vars = lp_map_get(r, "variables");
    printf("%s: %lld rows, %lld columns, %lld duplicate rows\n", file,
           (long long)lp_value_as_int(lp_map_get(r, "rows")),
           (long long)lp_value_as_int(lp_map_get(r, "columns")),
           (long long)lp_value_as_int(lp_map_get(r, "duplicate_rows")));
    printf("%-24s %-10s %-12s %8s %8s %12s %12s\n", "column", "type", "kind", "missing", "distinct",
           "mean", "std");
    for (size_t i = 0; i < lp_list_len(vars); i++) {
        const lp_value *v = lp_list_get(vars, i);
        char mean[32], std[32];
        fmt_num(mean, sizeof mean, lp_map_get(v, "mean"));
        fmt_num(std, sizeof std, lp_map_get(v, "std"));
        printf("%-24.24s %-10s %-12s %8lld %8lld %12s %12s\n",
               lp_value_as_string(lp_map_get(v, "name")), lp_value_as_string(lp_map_get(v, "type")),
               lp_value_as_string(lp_map_get(v, "kind")),
               (long long)lp_value_as_int(lp_map_get(v, "missing")),
               (long long)lp_value_as_int(lp_map_get(v, "distinct")), mean, std);
    }
    const lp_value *alerts = lp_map_get(r, "alerts");
    printf("%zu alert%s\n", lp_list_len(alerts), lp_list_len(alerts) == 1 ? "" : "s");
    for (size_t i = 0; i < lp_list_len(alerts); i++)
        printf("  %s: %s\n", lp_value_as_string(lp_map_get(lp_list_get(alerts, i), "kind")),
               lp_value_as_string(lp_map_get(lp_list_get(alerts, i), "message")));
    printf("report: %s\n", lp_value_as_string(lp_map_get(result, "path")));
}

static void print_compare(const lp_value *result)
{
    const lp_value *r = lp_map_get(result, "report"), *cols = lp_map_get(r, "columns");
    printf("%-24s %-14s %12s %10s  %s\n", "column", "method", "statistic", "threshold", "drift");
    for (size_t i = 0; i < lp_list_len(cols); i++) {
        const lp_value *c = lp_list_get(cols, i);
        char stat[32], thr[32];
        fmt_num(stat, sizeof stat, lp_map_get(c, "statistic"));
        fmt_num(thr, sizeof thr, lp_map_get(c, "threshold"));
        printf("%-24.24s %-14s %12s %10s  %s\n", lp_value_as_string(lp_map_get(c, "column")),
               lp_value_as_string(lp_map_get(c, "method")), stat, thr,
               lp_value_as_bool(lp_map_get(c, "drifted")) ? "drifted" : "not drifted");
    }
    printf("dataset drift: %s (%lld of %lld columns drifted)\n",
           lp_value_as_bool(lp_map_get(r, "dataset_drift")) ? "yes" : "no",
           (long long)lp_value_as_int(lp_map_get(r, "drifted_columns")),
           (long long)lp_value_as_int(lp_map_get(r, "compared_columns")));
    printf("report: %s\n", lp_value_as_string(lp_map_get(result, "path")));
}

int cli_data_profile(const cli_command *cmd, const char *const *files, size_t n_files,
                     const char *out, bool json, const lp_csv_options *opt)
{
    bool compare = n_files == 2;
    if (!out) out = compare ? "drift.html" : "profile.html";
    int rc = check_output(cmd, out);
    lp_value *a = NULL, *b = NULL, *result = NULL;
    if (rc == 0) rc = read_frame(&a, files[0], opt);
    if (rc == 0 && compare) rc = read_frame(&b, files[1], opt);
    cli_session s;
    cli_session_init(&s, cmd);
    lp_workflow *wf = NULL;
    if (rc == 0) rc = cli_session_load_registry(&s);
    if (rc == 0) rc = build(&wf, &s, compare ? "comparison_file" : "profile_file", out);
    if (rc == 0) {
        lp_obj *p = lp_obj_component(lp_workflow_root(wf), "data_profiler");
        /* compare_data(frame = NEW, previous = OLD) */
        result =
            compare ? lp_data_profiler_compare_data(p, b, a) : lp_data_profiler_profile_data(p, a);
        if (!result) {
            cli_print_last_error();
            rc = CLI_FAIL;
        }
    }
    if (rc == 0 && json)
        rc = print_json(result);
    else if (rc == 0 && compare)
        print_compare(result);
    else if (rc == 0)
        print_profile(files[0], result);
    lp_value_unref(result);
    lp_value_unref(a);
    lp_value_unref(b);
    lp_workflow_free(wf);
    cli_session_free(&s);
    return rc;
}
