/*
 * cmd_runs_report.c — `lolpop runs show RUN` and `lolpop runs compare A B`.
 *
 * Both first gather what a run created into values (the run, then each
 * resource with its tags, metrics, reports, artifacts, version-control info
 * and lineage), so that --json prints exactly what the text report shows.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_runs.h"
#include "core/internal.h"
#include "runs/run_report.h"

#define TOP_TIMINGS 10

/* ---- gathering --------------------------------------------------------------------------------
 */

/* {run, resources, timings} of one run (new value), or NULL after printing why. */
static lp_value *gather(lp_store *st, const char *run_id)
{
    lp_value *g = NULL;
    if (lp_run_report_gather(&g, st, run_id, 0) != 0) cli_print_last_error();
    return g;
}

static bool is_type(const lp_value *res, const char *type)
{
    const char *t = runs_str(res, "type");
    return t && strcmp(t, type) == 0;
}

static const lp_value *tag(const lp_value *res, const char *key)
{
    return lp_map_get(lp_map_get(res, "tags"), key);
}

/* ---- show: the parts ----------------------------------------------------------------------------
 */

static void print_field(const char *name, const char *value)
{
    printf("  %-10s %s\n", name, value && *value ? value : "-");
}

/* The uri of the resource `id` among the run's resources, or NULL when the run
 * holds no such resource. Borrowed from resources. */
static const char *resource_uri(const lp_value *resources, int64_t id)
{
    for (size_t i = 0; i < lp_list_len(resources); i++)
        if (runs_int(lp_list_get(resources, i), "id") == id)
            return runs_str(lp_list_get(resources, i), "uri");
    return NULL;
}

/* A tag naming a resource by its id (dataset_version=2, model_version=5): the
 * store's row id means nothing to a reader, the resource's uri does. */
static const char *tag_as_uri(const lp_value *resources, const char *key, const lp_value *v)
{
    if (!resources || lp_value_type(v) != LP_INT) return NULL;
    if (strcmp(key, "dataset_version") && strcmp(key, "model_version")) return NULL;
    return resource_uri(resources, lp_value_as_int(v));
}

/* "a=X, b=Y" of a map's scalar entries, at most `max` characters; with
 * resources (the run's), tags naming a resource by id show its uri. */
static void map_summary(lp_sb *sb, const lp_value *map, size_t max, const lp_value *resources)
{
    size_t start = sb->len;
    for (size_t i = 0; i < lp_map_len(map); i++) {
        const lp_value *v = lp_map_value(map, i);
        const char *uri = tag_as_uri(resources, lp_map_key(map, i), v);
        char buf[96];
        if (uri)
            snprintf(buf, sizeof buf, "%s", uri);
        else if (lp_value_type(v) == LP_MAP)
            snprintf(buf, sizeof buf, "{...}");
        else if (lp_value_type(v) == LP_LIST)
            snprintf(buf, sizeof buf, "[%zu items]", lp_list_len(v));
        else if (lp_value_type(v) == LP_FLOAT) /* parameters as written: 0.3, not 0.3000 */
            snprintf(buf, sizeof buf, "%.6g", lp_value_as_float(v));
        else
            runs_format_value(buf, sizeof buf, v);
        lp_sb_appendf(sb, "%s%s=%s", i ? ", " : "", lp_map_key(map, i), buf);
        if (sb->len - start > max) {
            sb->len = start + max;
            sb->buf[sb->len] = 0;
            lp_sb_append(sb, "...");
            break;
        }
    }
}

static void print_config(const lp_value *config)
{
    static const char *const parts[] = {"pipeline", "component", "config"};
    if (lp_value_type(config) != LP_MAP) {
        print_field("config", "-");
        return;
    }
    for (size_t i = 0; i < 3; i++) {
        const lp_value *m = lp_map_get(config, parts[i]);
        if (lp_value_type(m) != LP_MAP || lp_map_len(m) == 0) continue;
        lp_sb sb = {0};
        map_summary(&sb, m, 200, NULL);
        char *text = lp_sb_take(&sb);
        print_field(parts[i], text);
        free(text);
    }
}

static void print_header(const lp_value *run)
{
    char started[32], dur[32], proc[128], who[256];
    runs_format_time(started, sizeof started, lp_map_get(run, "started_at"));
    runs_format_duration(dur, sizeof dur, run);
    const char *method = runs_str(run, "method");
    snprintf(who, sizeof who, "%s%s%s", runs_str(run, "runner"), method ? "." : "",
             method ? method : "");
    snprintf(proc, sizeof proc, "%lld on %s", (long long)runs_int(run, "pid"),
             runs_str(run, "host") ? runs_str(run, "host") : "?");
    printf("Run %s\n", runs_str(run, "id"));
    print_field("status", runs_str(run, "status"));
    if (runs_str(run, "error")) print_field("error", runs_str(run, "error"));
    if (runs_str(run, "resumed_from")) print_field("resumed", runs_str(run, "resumed_from"));
    print_field("runner", who);
    char when[80];
    snprintf(when, sizeof when, "%s UTC (%s)", started, dur);
    print_field("started", when);
    print_field("commit", runs_str(run, "git_commit"));
    print_field("process", proc);
    print_config(lp_map_get(run, "config"));
}

/* "checks WARN, profile" of a resource's reports. */
static void report_summary(lp_sb *sb, const lp_value *res)
{
    const lp_value *reports = lp_map_get(res, "reports");
    for (size_t i = 0; i < lp_list_len(reports); i++) {
        const lp_value *r = lp_list_get(reports, i);
        const char *status = runs_str(r, "status");
        lp_sb_appendf(sb, "%s%s%s%s", sb->len ? ", " : "", runs_str(r, "kind"), status ? " " : "",
                      status ? status : "");
    }
}

static void print_datasets(const lp_value *resources)
{
    runs_table t;
    runs_table_init(&t, 5, "lrrll");
    for (size_t i = 0; i < lp_list_len(resources); i++) {
        const lp_value *r = lp_list_get(resources, i);
        if (!is_type(r, "dataset_version")) continue;
        char rows[32], cols[32], hash[16];
        runs_format_value(rows, sizeof rows, tag(r, "rows"));
        runs_format_value(cols, sizeof cols, tag(r, "columns"));
        if (lp_value_type(tag(r, "columns")) == LP_LIST)
            snprintf(cols, sizeof cols, "%zu", lp_list_len(tag(r, "columns")));
        const char *h = lp_value_as_string(tag(r, "hash"));
        snprintf(hash, sizeof hash, "%.12s", h ? h : "-");
        lp_sb sb = {0};
        report_summary(&sb, r);
        char *reports = lp_sb_take(&sb);
        const char *row[] = {runs_str(r, "uri"), rows, cols, hash, reports};
        runs_table_add(&t, row);
        free(reports);
    }
    if (t.rows) {
        printf("\nDatasets (uri, rows, columns, hash, reports):\n");
        runs_table_print(&t, stdout, "  ");
    }
    runs_table_free(&t);
}

/* Metric names of an experiment (union over splits), into names (borrowed). */
static size_t metric_names(const lp_value *metrics, const char **names, size_t max)
{
    size_t n = 0;
    for (size_t s = 0; s < lp_map_len(metrics); s++) {
        const lp_value *m = lp_map_value(metrics, s);
        for (size_t k = 0; k < lp_map_len(m); k++) {
            const char *name = lp_map_key(m, k);
            bool seen = false;
            for (size_t j = 0; j < n && !seen; j++)
                seen = strcmp(names[j], name) == 0;
            if (!seen && n < max) names[n++] = name;
        }
    }
    return n;
}

static void print_metrics_table(const lp_value *metrics, const char *indent)
{
    const char *names[15];
    size_t n = metric_names(metrics, names, 15);
    if (n == 0) return;
    char align[17] = "l";
    for (size_t i = 0; i < n; i++)
        align[i + 1] = 'r';
    runs_table t;
    runs_table_init(&t, n + 1, align);
    const char *head[16] = {"split"};
    for (size_t i = 0; i < n; i++)
        head[i + 1] = names[i];
    runs_table_add(&t, head);
    for (size_t s = 0; s < lp_map_len(metrics); s++) {
        const lp_value *m = lp_map_value(metrics, s);
        char cells[16][32];
        const char *row[16] = {*lp_map_key(metrics, s) ? lp_map_key(metrics, s) : "-"};
        for (size_t i = 0; i < n; i++) {
            runs_format_value(cells[i], sizeof cells[i], lp_map_get(m, names[i]));
            row[i + 1] = cells[i];
        }
        runs_table_add(&t, row);
    }
    runs_table_print(&t, stdout, indent);
    runs_table_free(&t);
}

static void print_experiment(const lp_value *e)
{
    bool winner = lp_value_as_bool(tag(e, "winner"));
    const char *trainer = lp_value_as_string(tag(e, "trainer"));
    printf("  %s %s  %s%s\n", winner ? "*" : " ", runs_str(e, "uri"), trainer ? trainer : "",
           winner ? "  (winner)" : "");
    const lp_value *params = tag(e, "params");
    if (lp_value_type(params) == LP_MAP && lp_map_len(params)) {
        lp_sb sb = {0};
        map_summary(&sb, params, 300, NULL);
        char *text = lp_sb_take(&sb);
        printf("      params: %s\n", text);
        free(text);
    }
    print_metrics_table(lp_map_get(e, "metrics"), "      ");
}

/* "trained on dataset/x/v2" and the like, from the resource's lineage. */
static void lineage_summary(lp_sb *sb, const lp_value *res)
{
    const lp_value *edges = lp_map_get(res, "lineage");
    int64_t id = runs_int(res, "id");
    for (size_t i = 0; i < lp_list_len(edges); i++) {
        const lp_value *e = lp_list_get(edges, i);
        if (runs_int(e, "to") != id) continue;
        lp_sb_appendf(sb, "%s%s from %s", sb->len ? ", " : "", runs_str(e, "kind"),
                      runs_str(e, "from_uri"));
    }
}

static void print_models(const lp_value *resources)
{
    for (size_t i = 0; i < lp_list_len(resources); i++) {
        const lp_value *mv = lp_list_get(resources, i);
        if (!is_type(mv, "model_version")) continue;
        printf("\nModel version %s\n", runs_str(mv, "uri"));
        lp_sb sb = {0};
        lineage_summary(&sb, mv);
        char *lin = lp_sb_take(&sb);
        if (*lin) printf("  lineage: %s\n", lin);
        free(lin);
        const lp_value *tags = lp_map_get(mv, "tags");
        if (lp_map_len(tags)) {
            map_summary(&sb, tags, 300, resources);
            char *text = lp_sb_take(&sb);
            printf("  tags: %s\n", text);
            free(text);
        }
        for (size_t j = 0; j < lp_list_len(resources); j++) {
            const lp_value *e = lp_list_get(resources, j);
            if (is_type(e, "experiment") && runs_int(e, "parent") == runs_int(mv, "id"))
                print_experiment(e);
        }
    }
}

static void print_others(const lp_value *resources)
{
    bool header = false;
    for (size_t i = 0; i < lp_list_len(resources); i++) {
        const lp_value *r = lp_list_get(resources, i);
        if (is_type(r, "dataset") || is_type(r, "model") || is_type(r, "dataset_version") ||
            is_type(r, "model_version") || is_type(r, "experiment"))
            continue;
        if (!header) printf("\nPrediction jobs and other resources:\n");
        header = true;
        printf("  %s\n", runs_str(r, "uri"));
        const lp_value *tags = lp_map_get(r, "tags");
        if (lp_map_len(tags)) {
            lp_sb sb = {0};
            map_summary(&sb, tags, 300, resources);
            char *text = lp_sb_take(&sb);
            printf("      tags: %s\n", text);
            free(text);
        }
        print_metrics_table(lp_map_get(r, "metrics"), "      ");
    }
}

static void print_lineage(const lp_value *resources)
{
    runs_table t;
    runs_table_init(&t, 4, "llll");
    for (size_t i = 0; i < lp_list_len(resources); i++) {
        const lp_value *r = lp_list_get(resources, i), *edges = lp_map_get(r, "lineage");
        for (size_t k = 0; k < lp_list_len(edges); k++) {
            const lp_value *e = lp_list_get(edges, k);
            if (runs_int(e, "to") != runs_int(r, "id")) continue; /* each edge once */
            const char *row[] = {runs_str(e, "from_uri"), "->", runs_str(e, "to_uri"),
                                 runs_str(e, "kind")};
            runs_table_add(&t, row);
        }
    }
    if (t.rows) {
        printf("\nLineage:\n");
        runs_table_print(&t, stdout, "  ");
    }
    runs_table_free(&t);
}

/* Every report and artifact of the run's resources: kind, status, path, object. */
static void print_files(const lp_value *resources)
{
    runs_table t;
    runs_table_init(&t, 5, "lllll");
    const char *head[] = {"resource", "kind", "status", "path", "object"};
    runs_table_add(&t, head);
    for (size_t i = 0; i < lp_list_len(resources); i++) {
        const lp_value *r = lp_list_get(resources, i);
        const lp_value *lists[2] = {lp_map_get(r, "reports"), lp_map_get(r, "artifacts")};
        for (int l = 0; l < 2; l++)
            for (size_t k = 0; k < lp_list_len(lists[l]); k++) {
                const lp_value *x = lp_list_get(lists[l], k);
                char kind[128], object[16];
                if (l == 0)
                    snprintf(kind, sizeof kind, "%s", runs_str(x, "kind"));
                else
                    snprintf(kind, sizeof kind, "artifact %s", runs_str(x, "name"));
                const char *obj = runs_str(x, "object");
                snprintf(object, sizeof object, "%.12s", obj ? obj : "-");
                const char *status = l == 0 ? runs_str(x, "status") : NULL;
                const char *path = runs_str(x, "path");
                const char *row[] = {runs_str(r, "uri"), kind, status ? status : "-",
                                     path ? path : "-", object};
                runs_table_add(&t, row);
            }
    }
    if (t.rows > 1) {
        printf("\nReports and artifacts:\n");
        runs_table_print(&t, stdout, "  ");
    }
    runs_table_free(&t);
}

static void print_timings(const lp_value *timings)
{
    if (lp_list_len(timings) == 0) return;
    runs_table t;
    runs_table_init(&t, 4, "lrrr");
    const char *head[] = {"call", "calls", "seconds", "failed"};
    runs_table_add(&t, head);
    for (size_t i = 0; i < lp_list_len(timings) && i < TOP_TIMINGS; i++) {
        const lp_value *x = lp_list_get(timings, i);
        char call[256], calls[32], secs[32], failed[32];
        const char *path = runs_str(x, "path");
        snprintf(call, sizeof call, "%s%s%s.%s", path ? path : "", path && *path ? " " : "",
                 runs_str(x, "class"), runs_str(x, "method"));
        snprintf(calls, sizeof calls, "%lld", (long long)runs_int(x, "calls"));
        snprintf(secs, sizeof secs, "%.3f", lp_value_as_float(lp_map_get(x, "seconds")));
        snprintf(failed, sizeof failed, "%lld", (long long)runs_int(x, "failed"));
        const char *row[] = {call, calls, secs, failed};
        runs_table_add(&t, row);
    }
    printf("\nSlowest calls (total):\n");
    runs_table_print(&t, stdout, "  ");
    runs_table_free(&t);
}

int runs_show(lp_store *st, const char *run_id, bool json)
{
    lp_value *g = gather(st, run_id);
    if (!g) return CLI_FAIL;
    int rc = CLI_OK;
    if (json) {
        rc = runs_print_json(g);
    } else {
        const lp_value *resources = lp_map_get(g, "resources");
        print_header(lp_map_get(g, "run"));
        print_datasets(resources);
        print_models(resources);
        print_others(resources);
        print_lineage(resources);
        print_files(resources);
        print_timings(lp_map_get(g, "timings"));
    }
    lp_value_unref(g);
    return rc;
}

/* ---- compare ----------------------------------------------------------------------------------
 */

/* The winning experiment among a run's resources for model version mv. */
static const lp_value *winner_of(const lp_value *resources, const lp_value *mv)
{
    const lp_value *best = NULL;
    for (size_t i = 0; i < lp_list_len(resources); i++) {
        const lp_value *e = lp_list_get(resources, i);
        if (!is_type(e, "experiment") || runs_int(e, "parent") != runs_int(mv, "id")) continue;
        if (lp_value_as_bool(tag(e, "winner"))) return e;
        best = e; /* else the newest */
    }
    return best;
}

/* What compare shows of one run: {run, models: [{model_version, experiment}], datasets}. */
static lp_value *summarise(const lp_value *g)
{
    const lp_value *resources = lp_map_get(g, "resources");
    lp_value *out = lp_value_map(), *models = lp_value_list(), *datasets = lp_value_map();
    int rc = out && models && datasets ? 0 : LP_ENOMEM;
    for (size_t i = 0; rc == 0 && i < lp_list_len(resources); i++) {
        const lp_value *r = lp_list_get(resources, i);
        if (is_type(r, "dataset_version")) {
            rc = lp_map_set(datasets, runs_str(r, "name"), lp_value_ref(lp_list_get(resources, i)));
        } else if (is_type(r, "model_version")) {
            lp_value *m = lp_value_map();
            const lp_value *w = winner_of(resources, r);
            rc = m ? lp_list_append(models, m) : LP_ENOMEM;
            if (rc == 0)
                rc = lp_map_set(m, "model_version", lp_value_ref(lp_list_get(resources, i)));
            if (rc == 0 && w) rc = lp_map_set(m, "experiment", lp_value_copy(w));
        }
    }
    if (rc == 0) rc = lp_map_set(out, "run", lp_value_ref(lp_map_get(g, "run")));
    if (rc == 0) rc = lp_map_set(out, "models", models);
    if (rc == 0) rc = lp_map_set(out, "datasets", datasets);
    if (rc) {
        if (!lp_map_get(out, "models")) lp_value_unref(models);
        if (!lp_map_get(out, "datasets")) lp_value_unref(datasets);
        lp_value_unref(out);
        return NULL;
    }
    return out;
}

/* The first model of summary s (the usual single-model run), or NULL. */
static const lp_value *first_model(const lp_value *s)
{
    return lp_list_get(lp_map_get(s, "models"), 0);
}

/* Appends {name, a, b[, delta]} rows for every split.metric of either experiment. */
static int metric_rows(lp_value *rows, const lp_value *ea, const lp_value *eb)
{
    const lp_value *sides[2] = {lp_map_get(ea, "metrics"), lp_map_get(eb, "metrics")};
    int rc = 0;
    for (int s = 0; rc == 0 && s < 2; s++)
        for (size_t i = 0; rc == 0 && i < lp_map_len(sides[s]); i++) {
            const char *split = lp_map_key(sides[s], i);
            const lp_value *m = lp_map_value(sides[s], i);
            for (size_t k = 0; rc == 0 && k < lp_map_len(m); k++) {
                char *name = lp_asprintf("%s%s%s", split, *split ? "." : "", lp_map_key(m, k));
                if (!name) return LP_ENOMEM;
                bool seen = false;
                for (size_t j = 0; j < lp_list_len(rows) && !seen; j++)
                    seen = strcmp(runs_str(lp_list_get(rows, j), "name"), name) == 0;
                lp_value *a = lp_map_get(lp_map_get(sides[0], split), lp_map_key(m, k));
                lp_value *b = lp_map_get(lp_map_get(sides[1], split), lp_map_key(m, k));
                lp_value *row = seen ? NULL : lp_value_map();
                if (row) {
                    lp_map_set(row, "name", lp_value_string(name));
                    lp_map_set(row, "a", a ? lp_value_ref(a) : lp_value_null());
                    lp_map_set(row, "b", b ? lp_value_ref(b) : lp_value_null());
                    if (a && b && lp_value_type(a) == LP_FLOAT && lp_value_type(b) == LP_FLOAT)
                        lp_map_set(row, "delta",
                                   lp_value_float(lp_value_as_float(b) - lp_value_as_float(a)));
                    rc = lp_list_append(rows, row);
                }
                free(name);
            }
        }
    return rc;
}

/* Appends {name, a, b} for every parameter whose values differ. */
static int param_rows(lp_value *rows, const lp_value *ea, const lp_value *eb)
{
    const lp_value *pa = tag(ea, "params"), *pb = tag(eb, "params");
    const lp_value *sides[2] = {pa, pb};
    int rc = 0;
    for (int s = 0; rc == 0 && s < 2; s++)
        for (size_t i = 0; rc == 0 && i < lp_map_len(sides[s]); i++) {
            const char *key = lp_map_key(sides[s], i);
            const lp_value *a = lp_map_get(pa, key), *b = lp_map_get(pb, key);
            if ((s == 1 && a) || (a && b && lp_value_equal(a, b))) continue;
            lp_value *row = lp_value_map();
            if (!row) return LP_ENOMEM;
            lp_map_set(row, "name", lp_value_string(key));
            lp_map_set(row, "a", a ? lp_value_copy(a) : lp_value_null());
            lp_map_set(row, "b", b ? lp_value_copy(b) : lp_value_null());
            rc = lp_list_append(rows, row);
        }
    return rc;
}

/* Appends {name, a, b, same} for datasets either run versioned. */
static int dataset_rows(lp_value *rows, const lp_value *da, const lp_value *db)
{
    const lp_value *sides[2] = {da, db};
    int rc = 0;
    for (int s = 0; rc == 0 && s < 2; s++)
        for (size_t i = 0; rc == 0 && i < lp_map_len(sides[s]); i++) {
            const char *name = lp_map_key(sides[s], i);
            const lp_value *a = lp_map_get(da, name), *b = lp_map_get(db, name);
            if (s == 1 && a) continue;
            const lp_value *ha = tag(a, "hash"), *hb = tag(b, "hash");
            bool same = a && b && ha && hb && lp_value_equal(ha, hb);
            lp_value *row = lp_value_map();
            if (!row) return LP_ENOMEM;
            lp_map_set(row, "name", lp_value_string(name));
            lp_map_set(row, "a", a ? lp_value_string(runs_str(a, "uri")) : lp_value_null());
            lp_map_set(row, "b", b ? lp_value_string(runs_str(b, "uri")) : lp_value_null());
            lp_map_set(row, "same", lp_value_bool(same));
            rc = lp_list_append(rows, row);
        }
    return rc;
}

static lp_value *comparison(lp_value *sa, lp_value *sb)
{
    const lp_value *ma = first_model(sa), *mb = first_model(sb);
    const lp_value *ea = lp_map_get(ma, "experiment"), *eb = lp_map_get(mb, "experiment");
    lp_value *out = lp_value_map(), *metrics = lp_value_list(), *params = lp_value_list();
    lp_value *datasets = lp_value_list();
    int rc = out && metrics && params && datasets ? 0 : LP_ENOMEM;
    if (rc == 0) rc = metric_rows(metrics, ea, eb);
    if (rc == 0) rc = param_rows(params, ea, eb);
    if (rc == 0)
        rc = dataset_rows(datasets, lp_map_get(sa, "datasets"), lp_map_get(sb, "datasets"));
    if (out) {
        lp_map_set(out, "a", lp_value_ref(sa));
        lp_map_set(out, "b", lp_value_ref(sb));
        lp_map_set(out, "metrics", metrics);
        lp_map_set(out, "params", params);
        lp_map_set(out, "datasets", datasets);
    } else {
        lp_value_unref(metrics);
        lp_value_unref(params);
        lp_value_unref(datasets);
    }
    if (rc) {
        lp_value_unref(out);
        return NULL;
    }
    return out;
}

static void add_pair(runs_table *t, const char *name, const lp_value *a, const lp_value *b,
                     const lp_value *extra)
{
    char va[128], vb[128], vx[64] = "";
    runs_format_value(va, sizeof va, a);
    runs_format_value(vb, sizeof vb, b);
    if (extra && lp_value_type(extra) == LP_FLOAT)
        snprintf(vx, sizeof vx, "%+.4f", lp_value_as_float(extra));
    else if (extra)
        snprintf(vx, sizeof vx, "%s", lp_value_as_bool(extra) ? "same" : "differs");
    const char *row[] = {name, va, vb, vx};
    runs_table_add(t, row);
}

static void print_comparison(const lp_value *c)
{
    const lp_value *sa = lp_map_get(c, "a"), *sb = lp_map_get(c, "b");
    const lp_value *ma = first_model(sa), *mb = first_model(sb);
    const lp_value *ea = lp_map_get(ma, "experiment"), *eb = lp_map_get(mb, "experiment");
    runs_table t;
    runs_table_init(&t, 4, "lllr");
    char ha[64], hb[64];
    snprintf(ha, sizeof ha, "A: %s", runs_str(lp_map_get(sa, "run"), "id"));
    snprintf(hb, sizeof hb, "B: %s", runs_str(lp_map_get(sb, "run"), "id"));
    const char *head[] = {"", ha, hb, "B - A"};
    runs_table_add(&t, head);
    add_pair(&t, "status", lp_map_get(lp_map_get(sa, "run"), "status"),
             lp_map_get(lp_map_get(sb, "run"), "status"), NULL);
    add_pair(&t, "model version", lp_map_get(lp_map_get(ma, "model_version"), "uri"),
             lp_map_get(lp_map_get(mb, "model_version"), "uri"), NULL);
    add_pair(&t, "experiment", lp_map_get(ea, "uri"), lp_map_get(eb, "uri"), NULL);
    add_pair(&t, "trainer", tag(ea, "trainer"), tag(eb, "trainer"), NULL);
    const lp_value *rows = lp_map_get(c, "metrics");
    for (size_t i = 0; i < lp_list_len(rows); i++) {
        const lp_value *r = lp_list_get(rows, i);
        add_pair(&t, runs_str(r, "name"), lp_map_get(r, "a"), lp_map_get(r, "b"),
                 lp_map_get(r, "delta"));
    }
    runs_table_print(&t, stdout, "");
    runs_table_free(&t);
    const char *titles[] = {"params", "datasets"};
    for (int k = 0; k < 2; k++) {
        rows = lp_map_get(c, titles[k]);
        if (lp_list_len(rows) == 0) continue;
        printf("\n%s:\n", k == 0 ? "Parameters that differ" : "Datasets");
        runs_table_init(&t, 4, "llll");
        for (size_t i = 0; i < lp_list_len(rows); i++) {
            const lp_value *r = lp_list_get(rows, i);
            add_pair(&t, runs_str(r, "name"), lp_map_get(r, "a"), lp_map_get(r, "b"),
                     k == 1 ? lp_map_get(r, "same") : NULL);
        }
        runs_table_print(&t, stdout, "  ");
        runs_table_free(&t);
    }
}

int runs_compare(lp_store *st, const char *a, const char *b, bool json)
{
    lp_value *ga = gather(st, a), *gb = ga ? gather(st, b) : NULL;
    lp_value *sa = ga && gb ? summarise(ga) : NULL, *sb = sa ? summarise(gb) : NULL;
    lp_value *c = sa && sb ? comparison(sa, sb) : NULL;
    int rc = CLI_FAIL;
    if (c && json)
        rc = runs_print_json(c);
    else if (c) {
        print_comparison(c);
        if (!first_model(sa) || !first_model(sb))
            printf("\n(%s has no model version to compare)\n", first_model(sa) ? "B" : "A");
        rc = CLI_OK;
    } else if (ga && gb) {
        cli_error("out of memory comparing runs");
    }
    lp_value *all[] = {ga, gb, sa, sb, c};
    for (int i = 0; i < 5; i++)
        lp_value_unref(all[i]);
    return rc;
}
