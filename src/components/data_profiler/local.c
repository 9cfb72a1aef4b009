/*
 * local.c — LocalDataProfiler: profile_data and compare_data, each returning
 * {report, path}: the report as a value and the self-contained HTML file
 * (with its JSON twin beside it) that shows it.
 *
 *   data_profiler: LocalDataProfiler
 *   data_profiler:
 *     config:
 *       dir: .lolpop/reports           # where reports go (default)
 *       profile_file: profile.html     # a fixed file instead (the CLI's -o)
 *       comparison_file: drift.html
 *       model_target: Survived         # usually from the runner: the imbalance alert
 *       drift: {p_value: 0.05, wasserstein: 0.1, jensenshannon: 0.1, psi: 0.1,
 *               dataset_share: 0.5, small_rows: 1000}
 *       bins: 20, top_values: 10, exact_distinct_rows: 1000000
 *       alerts: {missing: 0.2, cardinality: 0.5, correlation: 0.9, imbalance: 0.1}
 *
 * Files are named by their content (profile-<hash>.html), so the same data
 * gives the same file and a rerun does not pile up copies.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "components/components_internal.h"
#include "components/data_profiler/profiler.h"

typedef struct profiler {
    lp_prof_options opt;
    char *dir, *profile_file, *comparison_file, *target;
} profiler;

static const char *path_of(lp_obj *self)
{
    const char *p = lp_obj_path(self);
    return p && *p ? p : lp_obj_name(self);
}

/* ---- configuration ------------------------------------------------------------------ */

/* A number in (0, max] from config map `section` (or the top level), into *out. */
static int read_number(lp_obj *self, const lp_value *section, const char *key, double max,
                       double *out)
{
    const lp_value *v = lp_map_get(section, key);
    if (!v) return 0;
    double x = lp_value_as_float(v);
    if ((lp_value_type(v) != LP_INT && lp_value_type(v) != LP_FLOAT) || !(x > 0) || x > max)
        return lp_kit_error_at(LP_ECONFIG, v,
                               "LocalDataProfiler (%s): %s must be a number above 0%s",
                               path_of(self), key, max <= 1 ? " and at most 1" : "");
    *out = x;
    return 0;
}

static int read_size(lp_obj *self, const lp_value *section, const char *key, size_t *out)
{
    double x = (double)*out;
    int rc = read_number(self, section, key, 1e15, &x);
    if (rc == 0) *out = (size_t)x;
    return rc;
}

static void profiler_fini(lp_obj *self)
{
    profiler *p = lp_obj_state(self);
    free(p->dir);
    free(p->profile_file);
    free(p->comparison_file);
    free(p->target);
    memset(p, 0, sizeof *p);
}

static int profiler_init(lp_obj *self)
{
    profiler *p = lp_obj_state(self);
    lp_prof_options_default(&p->opt);
    p->dir = lp_kit_config_string(self, "dir", ".lolpop/reports");
    p->profile_file = lp_obj_config_string(self, "profile_file");
    p->comparison_file = lp_obj_config_string(self, "comparison_file");
    p->target = lp_obj_config_string(self, "model_target");
    p->opt.target = p->target;
    lp_value *cfg = lp_obj_config_map(self);
    const lp_value *drift = lp_map_get(cfg, "drift"), *alerts = lp_map_get(cfg, "alerts");
    int rc = p->dir ? 0 : LP_ENOMEM;
    if (rc == 0) rc = read_number(self, drift, "p_value", 1, &p->opt.p_threshold);
    if (rc == 0) rc = read_number(self, drift, "wasserstein", 1e9, &p->opt.wd_threshold);
    if (rc == 0) rc = read_number(self, drift, "jensenshannon", 1, &p->opt.js_threshold);
    if (rc == 0) rc = read_number(self, drift, "psi", 1e9, &p->opt.psi_threshold);
    if (rc == 0) rc = read_number(self, drift, "dataset_share", 1, &p->opt.drift_share);
    if (rc == 0) rc = read_size(self, drift, "small_rows", &p->opt.small_rows);
    if (rc == 0) rc = read_size(self, cfg, "bins", &p->opt.bins);
    if (rc == 0) rc = read_size(self, cfg, "top_values", &p->opt.top);
    if (rc == 0) rc = read_size(self, cfg, "exact_distinct_rows", &p->opt.exact_distinct);
    if (rc == 0) rc = read_number(self, alerts, "missing", 1, &p->opt.missing_alert);
    if (rc == 0) rc = read_number(self, alerts, "cardinality", 1, &p->opt.cardinality_alert);
    if (rc == 0) rc = read_number(self, alerts, "correlation", 1, &p->opt.correlation_alert);
    if (rc == 0) rc = read_number(self, alerts, "imbalance", 1, &p->opt.imbalance_alert);
    if (rc == 0 && p->opt.bins > 1000)
        rc = lp_kit_error_at(LP_ECONFIG, lp_map_get(cfg, "bins"),
                             "LocalDataProfiler (%s): bins must be at most 1000", path_of(self));
    lp_value_unref(cfg);
    if (rc) profiler_fini(self);
    return rc;
}

/* ---- files --------------------------------------------------------------------------- */

/* mkdir -p. */
static int make_dirs(const char *dir)
{
    char *d = lp_strdup(dir);
    if (!d) return LP_ENOMEM;
    int rc = 0;
    for (char *s = d + 1; rc == 0; s++) {
        bool end = *s == '\0';
        if (*s != '/' && !end) continue;
        *s = '\0';
        if (mkdir(d, 0777) != 0 && errno != EEXIST)
            rc = lp_error_set(LP_EIO, "cannot create the report directory '%s': %s", d,
                              strerror(errno));
        if (end) break;
        *s = '/';
    }
    free(d);
    return rc;
}

/* The file of a report: the configured one, or <dir>/<kind>-<hash of html>.html. */
static char *report_path(lp_obj *self, const char *fixed, const char *kind, const char *html)
{
    profiler *p = lp_obj_state(self);
    if (fixed) return lp_strdup(fixed);
    uint64_t h = 1469598103934665603ULL;
    for (const char *s = html; *s; s++)
        h = (h ^ (uint8_t)*s) * 1099511628211ULL;
    if (make_dirs(p->dir) != 0) return NULL;
    return lp_asprintf("%s/%s-%016llx.html", p->dir, kind, (unsigned long long)h);
}

/* Renders, writes and wraps a report as {report, path}; takes report. */
static lp_value *finish(lp_obj *self, lp_value *report, const char *fixed, const char *kind,
                        char *(*render)(const lp_value *, const char *), const char *title)
{
    if (!report) return NULL;
    char *html = render(report, title), *path = html ? report_path(self, fixed, kind, html) : NULL;
    int rc = html && path ? lp_prof_write_report(path, html, report)
                          : (html ? LP_ERROR : lp_error_set(LP_ENOMEM, "out of memory"));
    lp_value *result = NULL;
    if (rc == 0) {
        lp_log(self, LP_LOG_INFO, "%s report: %s", kind, path);
        result = lp_kit_result("report", report, "path", lp_value_string(path), NULL);
        report = NULL;
    } else {
        lp_error_prefix("LocalDataProfiler (%s)", path_of(self));
    }
    lp_value_unref(report);
    free(html);
    free(path);
    return result;
}

/* ---- methods ------------------------------------------------------------------------- */

static lp_value *profiler_profile_data(lp_obj *self, lp_value *args)
{
    profiler *p = lp_obj_state(self);
    lp_frame *f = lp_kit_arg_frame(args, "frame", "profile_data");
    if (!f) return NULL;
    lp_value *report = lp_prof_profile(f, &p->opt);
    if (!report) lp_error_prefix("LocalDataProfiler (%s)", path_of(self));
    return finish(self, report, p->profile_file, "profile", lp_prof_profile_html, "Data profile");
}

static lp_value *profiler_compare_data(lp_obj *self, lp_value *args)
{
    profiler *p = lp_obj_state(self);
    lp_frame *cur = lp_kit_arg_frame(args, "frame", "compare_data");
    lp_frame *ref = cur ? lp_kit_arg_frame(args, "previous", "compare_data") : NULL;
    if (!ref) return NULL;
    lp_value *report = lp_prof_compare(cur, ref, &p->opt);
    if (!report)
        lp_error_prefix("LocalDataProfiler (%s)", path_of(self));
    else
        lp_log(self, LP_LOG_INFO, "compare_data: %lld of %lld columns drifted; dataset drift: %s",
               (long long)lp_value_as_int(lp_map_get(report, "drifted_columns")),
               (long long)lp_value_as_int(lp_map_get(report, "compared_columns")),
               lp_value_as_bool(lp_map_get(report, "dataset_drift")) ? "yes" : "no");
    return finish(self, report, p->comparison_file, "drift", lp_prof_compare_html, "Data drift");
}

static const lp_method profiler_methods[] = {
    {"profile_data", profiler_profile_data,
     "profile_data(frame) -> {report, path}: per-column statistics, histograms, top values, "
     "kinds, correlations and alerts, written as HTML and JSON"},
    {"compare_data", profiler_compare_data,
     "compare_data(frame, previous) -> {report, path}: per-column drift of frame against "
     "previous (KS / chi-square / Wasserstein / Jensen-Shannon, PSI) and the dataset verdict"},
    {NULL, NULL, NULL},
};

static const lp_config_key profiler_keys[] = {
    {"dir", "string", "directory of the reports (default .lolpop/reports)"},
    {"profile_file", "string", "write profiles to this file instead of the directory"},
    {"comparison_file", "string", "write comparisons to this file instead of the directory"},
    {"model_target", "string", "the target column, for the imbalanced-target alert"},
    {"drift", "map",
     "thresholds: p_value (0.05), wasserstein (0.1), jensenshannon (0.1), psi (0.1), "
     "dataset_share (0.5); small_rows (1000): tests up to this many rows, distances above"},
    {"bins", "int", "histogram bins of a profile (default 20)"},
    {"top_values", "int", "most frequent values listed per text column (default 10)"},
    {"exact_distinct_rows", "int",
     "above this many rows distinct counts are HyperLogLog estimates (default 1000000)"},
    {"alerts", "map",
     "thresholds: missing (0.2), cardinality (0.5), correlation (0.9), imbalance (0.1)"},
    {NULL, NULL, NULL},
};

const lp_class lp_local_data_profiler_class = {
    .name = "LocalDataProfiler",
    .kind = LP_KIND_COMPONENT,
    .type = "data_profiler",
    .doc = "Profiles a frame (per-column statistics, histograms, top values, inferred kinds, "
           "duplicates, Pearson / Spearman / Cramér's V correlations, alerts) and compares it "
           "with a previous one using evidently's default drift rules (KS or chi-square p-values "
           "up to 1000 rows, normed Wasserstein or Jensen-Shannon distances above; PSI for "
           "every column). Each result is a value plus a self-contained HTML report and its JSON "
           "twin.",
    .defaults_yaml = NULL,
    .requirements = lp_no_requirements,
    .config_keys = profiler_keys,
    .methods = profiler_methods,
    .state_size = sizeof(profiler),
    .init = profiler_init,
    .fini = profiler_fini,
};
