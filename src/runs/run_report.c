/*
 * run_report.c — where the run report goes, gathering a run from the store,
 * and writing the page and its JSON twin (see run_report.h).
 */
#include <errno.h>
#include <jansson.h>
#include <libgen.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/value_json.h"
#include "runs/run_report.h"

/* The slowest calls a run report lists. */
#define REPORT_TIMINGS 15

char *lp_run_report_planned_path(lp_obj *obj, const char *store, const char *run_id)
{
    if (obj && !lp_obj_config_bool(obj, "run_report", true)) return NULL;
    char *dir = obj ? lp_obj_config_string(obj, "run_report_dir") : NULL;
    char *out = NULL;
    if (dir && *dir) {
        out = lp_asprintf("%s/run-%s.html", dir, run_id);
    } else {
        const char *path = strncmp(store, "sqlite:", 7) == 0 ? store + 7 : store;
        char *copy = lp_strdup(path);
        out = copy ? lp_asprintf("%s/reports/run-%s.html", dirname(copy), run_id) : NULL;
        free(copy);
    }
    free(dir);
    if (!out) lp_error_set(LP_ENOMEM, "out of memory naming the run report");
    return out;
}

/* ---- gathering ------------------------------------------------------------------------ */

typedef int (*detail_fn)(lp_store *, int64_t, lp_value **);

/* A copy of res with tags, metrics, reports, artifacts, vc_info and lineage. */
static lp_value *with_details(lp_store *st, const lp_value *res)
{
    static const char *const keys[] = {"tags",      "metrics", "reports",
                                       "artifacts", "vc_info", "lineage"};
    static const detail_fn fns[] = {lp_store_tags,          lp_store_metrics,  lp_store_reports,
                                    lp_store_artifact_list, lp_store_vc_infos, lp_store_lineage};
    lp_value *out = lp_value_copy(res);
    int64_t id = lp_value_as_int(lp_map_get(res, "id"));
    for (size_t i = 0; out && i < 6; i++) {
        lp_value *v = NULL;
        if (fns[i](st, id, &v) || lp_map_set(out, keys[i], v)) {
            lp_value_unref(out);
            return NULL;
        }
    }
    return out;
}

/* Depth of a call's object path ("" the root: 0, "train": 1, "train.x": 2). */
static size_t path_depth(const lp_value *t)
{
    const char *p = lp_value_as_string(lp_map_get(t, "path"));
    size_t d = p && *p ? 1 : 0;
    for (; p && *p; p++)
        d += *p == '.';
    return d;
}

/* The calls of a failed run that failed (every one, not only the slowest), the
 * innermost first: where it failed. A new list, or NULL with the error set. */
static lp_value *failed_calls(lp_store *st, const char *run_id)
{
    lp_value *all = NULL, *out = lp_value_list();
    if (!out || lp_store_run_timings(st, run_id, 0, &all) != 0) {
        lp_value_unref(out);
        return NULL;
    }
    for (size_t depth = 64; out && depth-- > 0;)
        for (size_t i = 0; i < lp_list_len(all); i++) {
            const lp_value *t = lp_list_get(all, i);
            if (lp_value_as_int(lp_map_get(t, "failed")) > 0 && path_depth(t) == depth &&
                lp_list_append(out, lp_value_ref((lp_value *)(uintptr_t)t)) != 0) {
                lp_value_unref(out);
                out = NULL;
                break;
            }
        }
    lp_value_unref(all);
    return out;
}

int lp_run_report_gather(lp_value **out, lp_store *st, const char *run_id, size_t max_timings)
{
    lp_value *run = NULL, *list = NULL, *timings = NULL, *g = lp_value_map();
    lp_value *resources = lp_value_list();
    *out = NULL;
    int rc = g && resources ? 0 : LP_ENOMEM;
    if (rc == 0) rc = lp_store_run_get(st, run_id, &run);
    if (rc == 0 && !run)
        rc = lp_error_set(LP_ENOTFOUND, "run '%s' is not in the metadata store '%s'", run_id,
                          lp_store_location(st));
    if (rc == 0) rc = lp_store_run_resources(st, run_id, &list);
    for (size_t i = 0; rc == 0 && i < lp_list_len(list); i++) {
        lp_value *d = with_details(st, lp_list_get(list, i));
        rc = d ? lp_list_append(resources, d) : lp_error_last()->code;
    }
    if (rc == 0) rc = lp_store_run_timings(st, run_id, max_timings, &timings);
    if (rc == 0) rc = lp_map_set(g, "run", run);
    if (rc == 0) rc = lp_map_set(g, "resources", resources);
    if (rc == 0) rc = lp_map_set(g, "timings", timings);
    const char *status = lp_value_as_string(lp_map_get(run, "status"));
    if (rc == 0 && status && strcmp(status, "failed") == 0) {
        lp_value *failed = failed_calls(st, run_id);
        rc = failed ? lp_map_set(g, "failed_calls", failed) : lp_error_last()->code;
    }
    lp_value_unref(list);
    if (rc) {
        if (!lp_map_get(g, "run")) lp_value_unref(run);
        if (!lp_map_get(g, "resources")) lp_value_unref(resources);
        if (!lp_map_get(g, "timings")) lp_value_unref(timings);
        lp_value_unref(g);
        return rc;
    }
    *out = g;
    return 0;
}

/* ---- writing ------------------------------------------------------------------------------ */

char *lp_run_report_json_path(const char *html_path)
{
    size_t n = strlen(html_path);
    return n > 5 && strcmp(html_path + n - 5, ".html") == 0
               ? lp_asprintf("%.*s.json", (int)(n - 5), html_path)
               : lp_asprintf("%s.json", html_path);
}

/* mkdir -p of path's directory. */
static int make_parents(const char *path)
{
    char *copy = lp_strdup(path);
    if (!copy) return LP_ENOMEM;
    for (char *p = copy + 1; *p; p++) {
        if (*p != '/') continue;
        *p = 0;
        if (mkdir(copy, 0777) != 0 && errno != EEXIST) {
            int rc = lp_error_set(LP_EIO, "cannot create the directory '%s' for the run report: %s",
                                  copy, strerror(errno));
            free(copy);
            return rc;
        }
        *p = '/';
    }
    free(copy);
    return 0;
}

int lp_run_report_write(lp_store *st, const char *run_id, const char *html_path)
{
    lp_value *g = NULL;
    int rc = lp_run_report_gather(&g, st, run_id, REPORT_TIMINGS);
    char *html = rc == 0 ? lp_run_report_html(g) : NULL;
    char *json_path = rc == 0 ? lp_run_report_json_path(html_path) : NULL;
    /* The twin leaves out the configuration: the store keeps it once (a big
     * configuration must not be copied into every report), `lolpop runs show
     * --json` prints it. */
    if (g) lp_map_remove(lp_map_get(g, "run"), "config");
    json_t *j = g ? lp_json_from_value(g, 0) : NULL;
    char *text =
        j ? json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17)) : NULL;
    json_decref(j);
    if (rc == 0 && (!html || !json_path || !text))
        rc = lp_error_set(LP_ENOMEM, "out of memory writing the run report");
    if (rc == 0) rc = make_parents(html_path);
    if (rc == 0) rc = lp_file_write_atomic(html_path, html, strlen(html));
    if (rc == 0) rc = lp_file_write_atomic(json_path, text, strlen(text));
    free(html);
    free(json_path);
    free(text);
    lp_value_unref(g);
    return rc;
}
