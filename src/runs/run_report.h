/*
 * run_report.h — the run report: one self-contained HTML page per run
 * (inline CSS and SVG, nothing fetched) and its JSON twin, built from what
 * the metadata store recorded: datasets with their profiles, checks, drift, bias,
 * experiments, the winner's metrics and plots, further reports and artifacts,
 * lineage drawn as a graph, and the slowest calls. Written by `lolpop runs
 * report` and, at the end of a workflow, by the runners (config run_report).
 * Not public API (the store is internal).
 */
#ifndef LP_RUNS_RUN_REPORT_H
#define LP_RUNS_RUN_REPORT_H

#include "lolpop/object.h"
#include "store/store.h"

/* Where the run report of run_id goes at the end of a workflow: the
 * directory from config `run_report_dir` seen by obj (default: the store's
 * directory + "/reports"), file "run-<id>.html". NULL (no error) when config
 * `run_report` is false; NULL with LP_ENOMEM on OOM. New string. */
char *lp_run_report_planned_path(lp_obj *obj, const char *store, const char *run_id);

/* Everything recorded about run_id, as the JSON twin holds it: {run,
 * resources (each with tags, metrics, reports, artifacts, vc_info, lineage),
 * timings (the max_timings slowest; 0: all), and for a failed run
 * failed_calls: every call that failed, the innermost first}. Also what
 * `lolpop runs show` and `runs compare` read. *out a new reference;
 * LP_ENOTFOUND when the run is unknown. */
int lp_run_report_gather(lp_value **out, lp_store *st, const char *run_id, size_t max_timings);

/* The HTML page of a gathered run (new string), or NULL on OOM. SVG
 * artifacts are read from their recorded paths and inlined when present. */
char *lp_run_report_html(const lp_value *gathered);

/* Gathers run_id from st and writes html_path and its JSON twin (the same
 * path with .json for .html; what lp_run_report_gather returns without the
 * run's configuration, which the store keeps once), each atomically,
 * creating missing parent directories. 0, or a negative code naming the path. */
int lp_run_report_write(lp_store *st, const char *run_id, const char *html_path);

/* The twin's path of an HTML path (new string). */
char *lp_run_report_json_path(const char *html_path);

#endif
