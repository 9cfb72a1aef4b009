/*
 * run_report_html.c — the run report as one self-contained HTML page: inline
 * CSS, inline SVG (the lineage graph drawn here, recorded SVG plots read from
 * their files), no script and nothing fetched. Key numbers carry data-*
 * attributes (data-metric="valid.f1", data-rows) so that tests and people's
 * scripts find them in the DOM. Sections the store has nothing for are left
 * out; reports and artifacts of kinds this file does not know still appear,
 * generically (kind, status, class, path, a JSON summary).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/value_json.h"
#include "runs/run_report.h"

#define MAX_SVG_BYTES      (4u << 20) /* a plot larger than this is linked, not inlined */
#define JSON_SUMMARY_CHARS 1500

static const char css[] =
    "body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:0;color:#1d2430;"
    "background:#f4f6f9}"
    "header{background:#1f2a44;color:#fff;padding:18px 28px}header h1{margin:0;font-size:22px}"
    "header .sub{color:#c9d3e6;margin-top:4px;font-size:13px}"
    "main{padding:8px 28px 40px;max-width:1280px}"
    "h2{font-size:17px;margin:26px 0 10px;padding-bottom:4px;border-bottom:1px solid #dde1e7}"
    "h3{font-size:14px;margin:14px 0 6px}"
    ".cards{display:flex;flex-wrap:wrap;gap:12px}"
    ".card{background:#fff;border:1px solid #dde1e7;border-radius:8px;padding:10px 14px}"
    ".kpi{min-width:110px}.kpi span{color:#5b6472;font-size:12px}"
    ".kpi b{display:block;font-size:21px;font-variant-numeric:tabular-nums}"
    "table{border-collapse:collapse;font-size:13px;background:#fff;margin:4px 0 10px}"
    "td,th{padding:4px 9px;text-align:right;border:1px solid #e3e6ea;vertical-align:top}"
    "th{background:#eef1f5;font-weight:600}td.l,th.l{text-align:left}"
    "td{font-variant-numeric:tabular-nums}tr.win td{background:#eef8f0}"
    ".badge{display:inline-block;font-size:11px;font-weight:700;padding:1px 7px;"
    "border-radius:9px;letter-spacing:.3px}"
    ".PASS,.succeeded{background:#dcf3e2;color:#1a7f37}.WARN,.running{background:#fff1d6;"
    "color:#8a5a00}"
    ".ERROR,.failed{background:#fde0e0;color:#b42318}.NONE{background:#e8edf5;color:#34405a}"
    ".muted{color:#6b7380}.path{font-family:ui-monospace,monospace;font-size:12px;"
    "word-break:break-all}"
    "details{margin:2px 0}summary{cursor:pointer;color:#34405a}"
    "pre{background:#f7f8fa;border:1px solid #e3e6ea;padding:8px;font-size:12px;"
    "overflow:auto;max-height:320px;white-space:pre-wrap;word-break:break-all}"
    ".plots{display:flex;flex-wrap:wrap;gap:14px;margin-top:12px}.plot{margin:0;max-width:520px;"
    "background:#fff;"
    "border:1px solid #dde1e7;"
    "border-radius:8px;padding:8px}.plot svg{max-width:520px;height:auto;display:block}"
    ".plot .cap{font-size:12px;color:#5b6472;margin-top:4px;overflow-wrap:anywhere}";

/* ---- small helpers ------------------------------------------------------------------- */

static const char *str(const lp_value *v, const char *key)
{
    return lp_value_as_string(lp_map_get(v, key));
}

static const lp_value *tag(const lp_value *res, const char *key)
{
    return lp_map_get(lp_map_get(res, "tags"), key);
}

static bool is_type(const lp_value *res, const char *type)
{
    const char *t = str(res, "type");
    return t && strcmp(t, type) == 0;
}

/* A value in a few characters: metrics with 4 decimals, counts plainly. */
static void num(lp_sb *sb, const lp_value *v)
{
    switch (lp_value_type(v)) {
    case LP_INT:
        lp_sb_appendf(sb, "%lld", (long long)lp_value_as_int(v));
        break;
    case LP_FLOAT: {
        double d = lp_value_as_float(v);
        if (isnan(d))
            lp_sb_append(sb, "nan");
        else if (d == floor(d) && fabs(d) >= 1 && fabs(d) < 1e15)
            lp_sb_appendf(sb, "%.0f", d);
        else if (fabs(d) >= 1e6 || (d != 0 && fabs(d) < 1e-4))
            lp_sb_appendf(sb, "%.4g", d);
        else
            lp_sb_appendf(sb, "%.4f", d);
        break;
    }
    case LP_STRING:
        lp_sb_append_html(sb, lp_value_as_string(v));
        break;
    case LP_BOOL:
        lp_sb_append(sb, lp_value_as_bool(v) ? "yes" : "no");
        break;
    case LP_LIST:
        lp_sb_appendf(sb, "%zu", lp_list_len(v));
        break;
    default:
        lp_sb_append(sb, "–");
    }
}

static void badge(lp_sb *sb, const char *status)
{
    const char *s = status && *status ? status : "NONE";
    bool known = strcmp(s, "PASS") == 0 || strcmp(s, "WARN") == 0 || strcmp(s, "ERROR") == 0 ||
                 strcmp(s, "succeeded") == 0 || strcmp(s, "failed") == 0 ||
                 strcmp(s, "running") == 0;
    lp_sb_appendf(sb, "<span class=\"badge %s\" data-status=\"", known ? s : "NONE");
    lp_sb_append_html(sb, s);
    lp_sb_append(sb, "\">");
    lp_sb_append_html(sb, status && *status ? status : "–");
    lp_sb_append(sb, "</span>");
}

static void time_text(lp_sb *sb, const lp_value *t)
{
    if (lp_value_type(t) != LP_FLOAT && lp_value_type(t) != LP_INT) {
        lp_sb_append(sb, "–");
        return;
    }
    time_t secs = (time_t)lp_value_as_float(t);
    struct tm tm;
    char buf[32];
    gmtime_r(&secs, &tm);
    strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
    lp_sb_appendf(sb, "%s UTC", buf);
}

/* Compact JSON of v, cut at JSON_SUMMARY_CHARS, in a <details> block. */
static void json_details(lp_sb *sb, const char *label, const lp_value *v)
{
    if (!v || lp_value_type(v) == LP_NULL) return;
    json_t *j = lp_json_from_value(v, 0);
    char *text =
        j ? json_dumps(j, JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6)) : NULL;
    json_decref(j);
    if (!text) return;
    lp_sb_append(sb, "<details><summary>");
    lp_sb_append_html(sb, label);
    lp_sb_append(sb, "</summary><pre>");
    size_t n = strlen(text);
    if (n > JSON_SUMMARY_CHARS) text[JSON_SUMMARY_CHARS] = 0;
    lp_sb_append_html(sb, text);
    if (n > JSON_SUMMARY_CHARS)
        lp_sb_appendf(sb, "\n… (%zu more characters)", n - JSON_SUMMARY_CHARS);
    lp_sb_append(sb, "</pre></details>");
    free(text);
}

static void kpi(lp_sb *sb, const char *label, const char *attr, const lp_value *v)
{
    lp_sb_append(sb, "<div class=\"card kpi\"><span>");
    lp_sb_append_html(sb, label);
    lp_sb_appendf(sb, "</span><b %s>", attr);
    num(sb, v);
    lp_sb_append(sb, "</b></div>");
}

/* ---- header -------------------------------------------------------------------------- */

static void section_header(lp_sb *sb, const lp_value *run)
{
    lp_sb_append(sb, "<header><h1>Run ");
    lp_sb_append_html(sb, str(run, "id"));
    lp_sb_append(sb, " ");
    badge(sb, str(run, "status"));
    lp_sb_append(sb, "</h1><div class=\"sub\">");
    lp_sb_append_html(sb, str(run, "runner"));
    if (str(run, "method")) {
        lp_sb_append(sb, ".");
        lp_sb_append_html(sb, str(run, "method"));
    }
    lp_sb_append(sb, " · started ");
    time_text(sb, lp_map_get(run, "started_at"));
    const lp_value *a = lp_map_get(run, "started_at"), *b = lp_map_get(run, "ended_at");
    if (lp_value_type(b) == LP_FLOAT)
        lp_sb_appendf(sb, " · %.1f s", lp_value_as_float(b) - lp_value_as_float(a));
    if (str(run, "git_commit")) lp_sb_appendf(sb, " · commit %.10s", str(run, "git_commit"));
    if (str(run, "host")) {
        lp_sb_append(sb, " · ");
        lp_sb_append_html(sb, str(run, "host"));
    }
    lp_sb_append(sb, "</div></header><main>\n");
    if (str(run, "error")) {
        lp_sb_append(sb, "<h2>Error</h2><pre>");
        lp_sb_append_html(sb, str(run, "error"));
        lp_sb_append(sb, "</pre>\n");
    }
}

/* ---- datasets ------------------------------------------------------------------------------ */

/* The newest report of `kind` of a resource (borrowed), or NULL. */
static const lp_value *report_of(const lp_value *res, const char *kind)
{
    const lp_value *reports = lp_map_get(res, "reports"), *found = NULL;
    for (size_t i = 0; i < lp_list_len(reports); i++) {
        const lp_value *r = lp_list_get(reports, i);
        if (str(r, "kind") && strcmp(str(r, "kind"), kind) == 0) found = r;
    }
    return found;
}

static void path_cell(lp_sb *sb, const lp_value *r)
{
    lp_sb_append(sb, "<td class=\"l path\">");
    if (str(r, "path")) {
        lp_sb_append(sb, "<a href=\"");
        lp_sb_append_html(sb, str(r, "path"));
        lp_sb_append(sb, "\">");
        lp_sb_append_html(sb, str(r, "path"));
        lp_sb_append(sb, "</a>");
    } else {
        lp_sb_append(sb, "–");
    }
    if (str(r, "object"))
        lp_sb_appendf(sb, "<br><span class=\"muted\">object %.12s</span>", str(r, "object"));
    lp_sb_append(sb, "</td>");
}

/* The table cells of the sections: text left-aligned and escaped (NULL: empty). */
static void text_cell(lp_sb *sb, const char *text)
{
    lp_sb_append(sb, "<td class=\"l\">");
    lp_sb_append_html(sb, text);
    lp_sb_append(sb, "</td>");
}

/* A text cell that also carries its text as attribute data-NAME, where the
 * browser tests look a row up. */
static void keyed_cell(lp_sb *sb, const char *name, const char *text)
{
    lp_sb_appendf(sb, "<td class=\"l\" data-%s=\"", name);
    lp_sb_append_html(sb, text);
    lp_sb_append(sb, "\">");
    lp_sb_append_html(sb, text);
    lp_sb_append(sb, "</td>");
}

static void num_cell(lp_sb *sb, const lp_value *v)
{
    lp_sb_append(sb, "<td>");
    num(sb, v);
    lp_sb_append(sb, "</td>");
}

static void badge_cell(lp_sb *sb, const char *status)
{
    lp_sb_append(sb, "<td class=\"l\">");
    badge(sb, status);
    lp_sb_append(sb, "</td>");
}

/* "path Class.method" of a timings row, escaped. */
static void call_text(lp_sb *sb, const lp_value *t)
{
    if (str(t, "path") && *str(t, "path")) {
        lp_sb_append_html(sb, str(t, "path"));
        lp_sb_append(sb, " ");
    }
    lp_sb_append_html(sb, str(t, "class"));
    lp_sb_append(sb, ".");
    lp_sb_append_html(sb, str(t, "method"));
}

static void dataset_row(lp_sb *sb, const lp_value *dv)
{
    const lp_value *profile = lp_map_get(report_of(dv, "profile"), "report");
    const lp_value *cmp = lp_map_get(report_of(dv, "comparison"), "report");
    const lp_value *checks = report_of(dv, "checks");
    const lp_value *rows = tag(dv, "rows") ? tag(dv, "rows") : lp_map_get(profile, "rows");
    const lp_value *cols = tag(dv, "columns") ? tag(dv, "columns") : lp_map_get(profile, "columns");
    lp_sb_append(sb, "<tr>");
    text_cell(sb, str(dv, "uri"));
    lp_sb_append(sb, "<td data-rows=\"");
    num(sb, rows);
    lp_sb_append(sb, "\">");
    num(sb, rows);
    lp_sb_append(sb, "</td>");
    num_cell(sb, cols);
    num_cell(sb, lp_map_get(profile, "duplicate_rows"));
    lp_sb_append(sb, "<td>");
    const lp_value *alerts = lp_map_get(profile, "alerts");
    if (profile)
        num(sb, lp_value_type(alerts) == LP_LIST ? alerts : NULL);
    else
        lp_sb_append(sb, "–");
    lp_sb_append(sb, "</td><td class=\"l\">");
    if (cmp) {
        bool drift = lp_value_as_bool(lp_map_get(cmp, "dataset_drift"));
        lp_sb_appendf(sb, "<span class=\"badge %s\">%s</span> ", drift ? "WARN" : "PASS",
                      drift ? "drift" : "no drift");
        num(sb, lp_map_get(cmp, "drifted_columns"));
        lp_sb_append(sb, " of ");
        num(sb, lp_map_get(cmp, "compared_columns"));
        lp_sb_append(sb, " columns");
    } else {
        lp_sb_append(sb, "<span class=\"muted\">no previous version</span>");
    }
    lp_sb_append(sb, "</td>");
    if (checks)
        badge_cell(sb, str(checks, "status"));
    else
        lp_sb_append(sb, "<td class=\"l\"><span class=\"muted\">–</span></td>");
    const char *h = lp_value_as_string(tag(dv, "hash"));
    lp_sb_appendf(sb, "<td class=\"l path\">%.12s</td></tr>\n", h ? h : "–");
}

/* Alerts of a profile as a list. */
static void profile_alerts(lp_sb *sb, const lp_value *dv)
{
    const lp_value *alerts = lp_map_get(lp_map_get(report_of(dv, "profile"), "report"), "alerts");
    if (lp_list_len(alerts) == 0) return;
    lp_sb_append(sb, "<h3>Alerts of ");
    lp_sb_append_html(sb, str(dv, "uri"));
    lp_sb_append(sb, "</h3><ul>");
    for (size_t i = 0; i < lp_list_len(alerts) && i < 20; i++) {
        const lp_value *a = lp_list_get(alerts, i);
        lp_sb_append(sb, "<li>");
        if (str(a, "message"))
            lp_sb_append_html(sb, str(a, "message"));
        else {
            lp_sb_append_html(sb, str(a, "kind"));
            lp_sb_append(sb, " ");
            lp_sb_append_html(sb, str(a, "column"));
        }
        lp_sb_append(sb, "</li>");
    }
    lp_sb_append(sb, "</ul>\n");
}

/* Drifted columns of a comparison. */
static void drift_table(lp_sb *sb, const lp_value *dv)
{
    const lp_value *cols = lp_map_get(lp_map_get(report_of(dv, "comparison"), "report"), "columns");
    if (lp_list_len(cols) == 0) return;
    lp_sb_append(sb, "<h3>Drift of ");
    lp_sb_append_html(sb, str(dv, "uri"));
    lp_sb_append(sb, " against the previous version</h3><table><tr><th class=\"l\">column</th>"
                     "<th class=\"l\">method</th><th>statistic</th><th>threshold</th><th>PSI</th>"
                     "<th class=\"l\">drifted</th></tr>");
    for (size_t i = 0; i < lp_list_len(cols); i++) {
        const lp_value *c = lp_list_get(cols, i);
        lp_sb_append(sb, "<tr>");
        text_cell(sb, str(c, "column"));
        text_cell(sb, str(c, "method"));
        num_cell(sb, lp_map_get(c, "statistic"));
        num_cell(sb, lp_map_get(c, "threshold"));
        num_cell(sb, lp_map_get(c, "psi"));
        bool d = lp_value_as_bool(lp_map_get(c, "drifted"));
        lp_sb_appendf(sb, "<td class=\"l\"><span class=\"badge %s\">%s</span></td></tr>",
                      d ? "WARN" : "PASS", d ? "yes" : "no");
    }
    lp_sb_append(sb, "</table>\n");
}

static void section_datasets(lp_sb *sb, const lp_value *resources)
{
    bool any = false;
    for (size_t i = 0; i < lp_list_len(resources); i++) {
        const lp_value *dv = lp_list_get(resources, i);
        if (!is_type(dv, "dataset_version")) continue;
        if (!any)
            lp_sb_append(sb, "<h2 id=\"datasets\">Datasets</h2><table><tr><th class=\"l\">version"
                             "</th><th>rows</th><th>columns</th><th>duplicate rows</th>"
                             "<th>alerts</th><th class=\"l\">drift</th><th class=\"l\">checks</th>"
                             "<th class=\"l\">hash</th></tr>\n");
        any = true;
        dataset_row(sb, dv);
    }
    if (!any) return;
    lp_sb_append(sb, "</table>\n");
    for (size_t i = 0; i < lp_list_len(resources); i++) {
        const lp_value *dv = lp_list_get(resources, i);
        if (!is_type(dv, "dataset_version")) continue;
        profile_alerts(sb, dv);
        drift_table(sb, dv);
    }
}

/* ---- checks and other reports ---------------------------------------------------------------- */

static void section_reports(lp_sb *sb, const lp_value *resources)
{
    bool any = false;
    for (size_t i = 0; i < lp_list_len(resources); i++) {
        const lp_value *res = lp_list_get(resources, i), *reports = lp_map_get(res, "reports");
        for (size_t k = 0; k < lp_list_len(reports); k++) {
            const lp_value *r = lp_list_get(reports, k);
            if (!any)
                lp_sb_append(sb, "<h2 id=\"reports\">Checks and reports</h2><table><tr>"
                                 "<th class=\"l\">resource</th><th class=\"l\">kind</th>"
                                 "<th class=\"l\">status</th><th class=\"l\">by</th>"
                                 "<th class=\"l\">file</th><th class=\"l\">summary</th></tr>\n");
            any = true;
            lp_sb_append(sb, "<tr>");
            text_cell(sb, str(res, "uri"));
            keyed_cell(sb, "report-kind", str(r, "kind"));
            badge_cell(sb, str(r, "status"));
            text_cell(sb, str(r, "class"));
            path_cell(sb, r);
            lp_sb_append(sb, "<td class=\"l\">");
            json_details(sb, "JSON", lp_map_get(r, "report"));
            lp_sb_append(sb, "</td></tr>\n");
        }
    }
    if (any) lp_sb_append(sb, "</table>\n");
}

/* ---- bias ----------------------------------------------------------------------------------- */

/* "a, b" of a list of names. */
static void names_text(lp_sb *sb, const lp_value *list)
{
    for (size_t i = 0; i < lp_list_len(list); i++) {
        if (i) lp_sb_append(sb, ", ");
        lp_sb_append_html(sb, lp_value_as_string(lp_list_get(list, i)));
    }
}

/* One row per protected attribute of a bias report (report_type model_bias). */
static void bias_rows(lp_sb *sb, const lp_value *res, const lp_value *r)
{
    static const char *const keys[] = {"disparate_impact", "statistical_parity_difference",
                                       "equal_opportunity_difference", "average_odds_difference"};
    const lp_value *rep = lp_map_get(r, "report"), *attrs = lp_map_get(rep, "attributes");
    for (size_t a = 0; a < lp_map_len(attrs); a++) {
        const lp_value *e = lp_map_value(attrs, a);
        lp_sb_append(sb, "<tr>");
        text_cell(sb, str(res, "uri"));
        keyed_cell(sb, "bias-attribute", lp_map_key(attrs, a));
        lp_sb_append(sb, "<td class=\"l\">");
        names_text(sb, lp_map_get(e, "unprivileged"));
        lp_sb_append(sb, " vs ");
        names_text(sb, lp_map_get(e, "privileged"));
        lp_sb_append(sb, "</td>");
        for (size_t k = 0; k < 4; k++) {
            lp_sb_append(sb, "<td data-key=\"bias-");
            lp_sb_append_html(sb, lp_map_key(attrs, a));
            lp_sb_appendf(sb, "-%s\">", keys[k]);
            num(sb, lp_map_get(e, keys[k]));
            lp_sb_append(sb, "</td>");
        }
        badge_cell(sb, str(r, "status"));
        path_cell(sb, r);
        lp_sb_append(sb, "</tr>\n");
    }
}

static void section_bias(lp_sb *sb, const lp_value *resources)
{
    bool any = false;
    for (size_t i = 0; i < lp_list_len(resources); i++) {
        const lp_value *res = lp_list_get(resources, i), *reports = lp_map_get(res, "reports");
        for (size_t k = 0; k < lp_list_len(reports); k++) {
            const lp_value *r = lp_list_get(reports, k);
            const char *type = str(lp_map_get(r, "report"), "report_type");
            if (!type || strcmp(type, "model_bias") != 0) continue;
            if (!any)
                lp_sb_append(sb, "<h2 id=\"bias\">Bias</h2><table><tr><th class=\"l\">model"
                                 "</th><th class=\"l\">attribute</th><th class=\"l\">groups"
                                 "</th><th>disparate impact</th><th>parity difference</th>"
                                 "<th>equal opportunity difference</th><th>average odds "
                                 "difference</th><th class=\"l\">status</th>"
                                 "<th class=\"l\">report</th></tr>\n");
            any = true;
            bias_rows(sb, res, r);
        }
    }
    if (any) lp_sb_append(sb, "</table>\n");
}

/* ---- experiments -------------------------------------------------------------------------- */

/* The union of metric names and of split names over the experiments of mv
 * (two lists of strings, new). */
static void metric_names(const lp_value *resources, int64_t mv, lp_value **names, lp_value **splits)
{
    *names = lp_value_list();
    *splits = lp_value_list();
    for (size_t i = 0; *names && *splits && i < lp_list_len(resources); i++) {
        const lp_value *e = lp_list_get(resources, i);
        if (!is_type(e, "experiment") || lp_value_as_int(lp_map_get(e, "parent")) != mv) continue;
        const lp_value *m = lp_map_get(e, "metrics");
        for (size_t s = 0; s < lp_map_len(m); s++) {
            lp_value *lists[2] = {*splits, *names};
            for (int l = 0; l < 2; l++) {
                const lp_value *src = l == 0 ? m : lp_map_value(m, s);
                for (size_t k = 0; k < (l == 0 ? 1 : lp_map_len(src)); k++) {
                    const char *name = l == 0 ? lp_map_key(m, s) : lp_map_key(src, k);
                    bool seen = false;
                    for (size_t j = 0; j < lp_list_len(lists[l]) && !seen; j++)
                        seen = strcmp(lp_value_as_string(lp_list_get(lists[l], j)), name) == 0;
                    if (!seen) lp_list_append(lists[l], lp_value_string(name));
                }
            }
        }
    }
}

static void params_text(lp_sb *sb, const lp_value *params)
{
    for (size_t i = 0; i < lp_map_len(params); i++) {
        lp_sb_append(sb, i ? "<br>" : "");
        lp_sb_append_html(sb, lp_map_key(params, i));
        lp_sb_append(sb, " = ");
        const lp_value *v = lp_map_value(params, i);
        if (lp_value_type(v) == LP_FLOAT)
            lp_sb_appendf(sb, "%.6g", lp_value_as_float(v));
        else if (lp_value_type(v) == LP_MAP || lp_value_type(v) == LP_LIST)
            lp_sb_append(sb, "{…}");
        else
            num(sb, v);
    }
}

static void experiment_rows(lp_sb *sb, const lp_value *e, const lp_value *names,
                            const lp_value *splits)
{
    bool win = lp_value_as_bool(tag(e, "winner"));
    const lp_value *m = lp_map_get(e, "metrics");
    size_t nsplits = 0;
    for (size_t s = 0; s < lp_list_len(splits); s++)
        nsplits += lp_map_get(m, lp_value_as_string(lp_list_get(splits, s))) != NULL;
    if (nsplits == 0) nsplits = 1;
    bool first = true;
    for (size_t s = 0; s < lp_list_len(splits) || first; s++) {
        const char *split =
            s < lp_list_len(splits) ? lp_value_as_string(lp_list_get(splits, s)) : "";
        const lp_value *row = lp_map_get(m, split);
        if (!row && !(first && s >= lp_list_len(splits))) continue;
        lp_sb_appendf(sb, "<tr%s>", win ? " class=\"win\"" : "");
        if (first) {
            lp_sb_appendf(sb, "<td class=\"l\" rowspan=\"%zu\">%s", nsplits, win ? "★ " : "");
            lp_sb_append_html(sb, str(e, "uri"));
            lp_sb_appendf(sb, "%s</td><td class=\"l\" rowspan=\"%zu\">",
                          win ? " <b>(winner)</b>" : "", nsplits);
            lp_sb_append_html(sb, lp_value_as_string(tag(e, "trainer")));
            lp_sb_appendf(sb, "</td><td class=\"l\" rowspan=\"%zu\">", nsplits);
            params_text(sb, tag(e, "params"));
            lp_sb_append(sb, "</td>");
        }
        first = false;
        lp_sb_append(sb, "<td class=\"l\">");
        lp_sb_append_html(sb, split);
        lp_sb_append(sb, "</td>");
        for (size_t c = 0; c < lp_list_len(names); c++) {
            lp_sb_append(sb, "<td>");
            num(sb, lp_map_get(row, lp_value_as_string(lp_list_get(names, c))));
            lp_sb_append(sb, "</td>");
        }
        lp_sb_append(sb, "</tr>\n");
    }
}

/* The series of a TimeSeriesRunner's version, as HTML: "sex=female" for one
 * series' (tags series_id and series), "sex: 2 series" for the model of
 * them all (series_id and series_versions); nothing for any other version. */
static bool series_html(lp_sb *sb, const lp_value *mv)
{
    const char *key = lp_value_as_string(tag(mv, "series"));
    const char *col = lp_value_as_string(tag(mv, "series_id"));
    if (!key && !col) return false;
    if (col) lp_sb_append_html(sb, col);
    if (key) {
        if (col) lp_sb_append(sb, "=");
        lp_sb_append_html(sb, key);
    } else {
        lp_sb_appendf(sb, ": %zu series", lp_list_len(tag(mv, "series_versions")));
    }
    return true;
}

/* A card "series  sex=female" when the version is of series (series_html). */
static void series_kpi(lp_sb *sb, const lp_value *mv)
{
    if (!tag(mv, "series") && !tag(mv, "series_id")) return;
    lp_sb_append(sb, "<div class=\"card kpi\"><span>series</span><b data-key=\"series\">");
    series_html(sb, mv);
    lp_sb_append(sb, "</b></div>");
}

static void experiments_of(lp_sb *sb, const lp_value *resources, const lp_value *mv)
{
    int64_t id = lp_value_as_int(lp_map_get(mv, "id"));
    lp_value *names = NULL, *splits = NULL;
    metric_names(resources, id, &names, &splits);
    lp_sb_append(sb, "<h3>Model version ");
    lp_sb_append_html(sb, str(mv, "uri"));
    if (tag(mv, "series") || tag(mv, "series_id")) {
        lp_sb_append(sb, " \u00b7 ");
        series_html(sb, mv);
    }
    lp_sb_append(sb, "</h3><table><tr><th class=\"l\">experiment</th><th class=\"l\">trainer</th>"
                     "<th class=\"l\">parameters</th><th class=\"l\">split</th>");
    for (size_t c = 0; c < lp_list_len(names); c++) {
        lp_sb_append(sb, "<th>");
        lp_sb_append_html(sb, lp_value_as_string(lp_list_get(names, c)));
        lp_sb_append(sb, "</th>");
    }
    lp_sb_append(sb, "</tr>\n");
    for (size_t i = 0; i < lp_list_len(resources); i++) {
        const lp_value *e = lp_list_get(resources, i);
        if (is_type(e, "experiment") && lp_value_as_int(lp_map_get(e, "parent")) == id)
            experiment_rows(sb, e, names, splits);
    }
    lp_sb_append(sb, "</table>\n");
    lp_value_unref(names);
    lp_value_unref(splits);
}

/* The winning experiment of mv among resources (tagged winner, else the newest). */
static const lp_value *winner_of(const lp_value *resources, const lp_value *mv)
{
    const lp_value *best = NULL;
    int64_t id = lp_value_as_int(lp_map_get(mv, "id"));
    for (size_t i = 0; i < lp_list_len(resources); i++) {
        const lp_value *e = lp_list_get(resources, i);
        if (!is_type(e, "experiment") || lp_value_as_int(lp_map_get(e, "parent")) != id) continue;
        if (lp_value_as_bool(tag(e, "winner"))) return e;
        best = e;
    }
    return best;
}

/* ---- plots: recorded SVG artifacts, inlined ------------------------------------------------- */

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = s ? strlen(s) : 0, k = strlen(suffix);
    return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

/* The file's <svg …>…</svg> part, when it is one we may inline (no script,
 * no foreign content, no event handlers); NULL otherwise. New string. */
static char *safe_svg(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *buf = malloc(MAX_SVG_BYTES + 1);
    size_t n = buf ? fread(buf, 1, MAX_SVG_BYTES + 1, f) : 0;
    fclose(f);
    if (!buf || n == 0 || n > MAX_SVG_BYTES) {
        free(buf);
        return NULL;
    }
    buf[n] = 0;
    char *start = strstr(buf, "<svg");
    char *end = start ? strstr(start, "</svg>") : NULL;
    bool bad = !start || !end || strstr(buf, "<script") || strstr(buf, "<foreignObject") ||
               strstr(buf, "javascript:");
    /* Event handlers: an on...= attribute inside a tag (text such as "based on" is fine). */
    for (char *p = bad ? NULL : strstr(start, " on"); p && p < end && !bad;
         p = strstr(p + 3, " on")) {
        char *q = p + 3;
        while ((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z'))
            q++;
        char *lt = p;
        while (lt > start && *lt != '<' && *lt != '>')
            lt--;
        bad = q > p + 3 && *q == '=' && *lt == '<';
    }
    char *out = bad ? NULL : lp_strndup(start, (size_t)(end + 6 - start));
    free(buf);
    return out;
}

static size_t plots_of(lp_sb *sb, const lp_value *res, size_t shown)
{
    const lp_value *arts = lp_map_get(res, "artifacts");
    for (size_t i = 0; i < lp_list_len(arts); i++) {
        const lp_value *a = lp_list_get(arts, i);
        const char *path = str(a, "path"), *name = str(a, "name");
        if (!ends_with(path, ".svg")) continue;
        char *svg = safe_svg(path);
        if (!shown++) lp_sb_append(sb, "<div class=\"plots\">");
        lp_sb_append(sb, "<figure class=\"plot\" data-artifact=\"");
        lp_sb_append_html(sb, name);
        lp_sb_append(sb, "\">");
        if (svg)
            lp_sb_append(sb, svg);
        else
            lp_sb_append(sb,
                         "<span class=\"muted\">(the file is missing or not a plain SVG)</span>");
        lp_sb_append(sb, "<figcaption class=\"cap\">");
        lp_sb_append_html(sb, name);
        lp_sb_append(sb, " · <span class=\"path\">");
        lp_sb_append_html(sb, path);
        lp_sb_append(sb, "</span></figcaption></figure>");
        free(svg);
    }
    return shown;
}

static void section_models(lp_sb *sb, const lp_value *resources)
{
    bool any = false;
    for (size_t i = 0; i < lp_list_len(resources); i++) {
        const lp_value *mv = lp_list_get(resources, i);
        if (!is_type(mv, "model_version")) continue;
        const lp_value *w = winner_of(resources, mv);
        if (!any) lp_sb_append(sb, "<h2 id=\"model\">Model</h2>");
        any = true;
        lp_sb_append(sb, "<div class=\"cards\">");
        kpi(sb, "model version", "", lp_map_get(mv, "uri"));
        series_kpi(sb, mv);
        if (w) kpi(sb, "trainer", "", tag(w, "trainer"));
        const lp_value *m = lp_map_get(w, "metrics");
        const lp_value *split =
            lp_map_get(m, "valid") ? lp_map_get(m, "valid") : lp_map_value(m, 0);
        const char *split_name = lp_map_get(m, "valid") ? "valid" : lp_map_key(m, 0);
        for (size_t k = 0; k < lp_map_len(split); k++) {
            char label[96], attr[128];
            snprintf(label, sizeof label, "%s %s", split_name, lp_map_key(split, k));
            snprintf(attr, sizeof attr, "data-metric=\"%s.%s\"", split_name, lp_map_key(split, k));
            kpi(sb, label, attr, lp_map_value(split, k));
        }
        lp_sb_append(sb, "</div>\n");
        size_t shown = plots_of(sb, mv, 0);
        if (w) shown = plots_of(sb, w, shown);
        if (shown) lp_sb_append(sb, "</div>\n");
    }
    if (!any) return;
    lp_sb_append(sb, "<h2 id=\"experiments\">Experiments</h2>");
    for (size_t i = 0; i < lp_list_len(resources); i++)
        if (is_type(lp_list_get(resources, i), "model_version"))
            experiments_of(sb, resources, lp_list_get(resources, i));
}

/* ---- predictions, artifacts -------------------------------------------------------------------
 */

static void section_predictions(lp_sb *sb, const lp_value *resources)
{
    bool any = false;
    for (size_t i = 0; i < lp_list_len(resources); i++) {
        const lp_value *r = lp_list_get(resources, i);
        if (!is_type(r, "prediction_job")) continue;
        if (!any)
            lp_sb_append(sb, "<h2 id=\"predictions\">Predictions</h2><table><tr>"
                             "<th class=\"l\">job</th><th>rows</th>"
                             "<th class=\"l\">metrics</th></tr>");
        any = true;
        lp_sb_append(sb, "<tr>");
        text_cell(sb, str(r, "uri"));
        const lp_value *rows = tag(r, "rows");
        num_cell(sb, rows ? rows
                          : lp_map_get(lp_map_get(lp_map_get(r, "metrics"), "prediction"), "rows"));
        lp_sb_append(sb, "<td class=\"l\">");
        const lp_value *m = lp_map_get(r, "metrics");
        for (size_t s = 0; s < lp_map_len(m); s++) {
            if (*lp_map_key(m, s)) {
                lp_sb_append_html(sb, lp_map_key(m, s));
                lp_sb_append(sb, ": ");
            }
            for (size_t k = 0; k < lp_map_len(lp_map_value(m, s)); k++) {
                lp_sb_append(sb, k ? ", " : "");
                lp_sb_append_html(sb, lp_map_key(lp_map_value(m, s), k));
                lp_sb_append(sb, " ");
                num(sb, lp_map_value(lp_map_value(m, s), k));
            }
            lp_sb_append(sb, "<br>");
        }
        lp_sb_append(sb, "</td></tr>\n");
    }
    if (any) lp_sb_append(sb, "</table>\n");
}

static void section_artifacts(lp_sb *sb, const lp_value *resources)
{
    bool any = false;
    for (size_t i = 0; i < lp_list_len(resources); i++) {
        const lp_value *r = lp_list_get(resources, i), *arts = lp_map_get(r, "artifacts");
        for (size_t k = 0; k < lp_list_len(arts); k++) {
            const lp_value *a = lp_list_get(arts, k);
            if (!any)
                lp_sb_append(sb, "<h2 id=\"artifacts\">Artifacts</h2><table><tr>"
                                 "<th class=\"l\">resource</th><th class=\"l\">name</th>"
                                 "<th class=\"l\">file</th></tr>");
            any = true;
            lp_sb_append(sb, "<tr>");
            text_cell(sb, str(r, "uri"));
            keyed_cell(sb, "artifact-name", str(a, "name"));
            path_cell(sb, a);
            lp_sb_append(sb, "</tr>\n");
        }
    }
    if (any) lp_sb_append(sb, "</table>\n");
}

/* ---- lineage graph ------------------------------------------------------------------------ */

#define MAX_NODES 64

typedef struct node {
    int64_t id;
    const char *uri;
    int col, row;
} node;

static int column_of(const char *uri)
{
    if (strstr(uri, "prediction_job")) return 2;
    if (strncmp(uri, "dataset", 7) == 0) return 0;
    return 1;
}

static node *add_node(node *nodes, size_t *n, int64_t id, const char *uri, int *rows)
{
    for (size_t i = 0; i < *n; i++)
        if (nodes[i].id == id) return &nodes[i];
    if (*n == MAX_NODES || !uri) return NULL;
    int col = column_of(uri);
    nodes[*n] = (node){id, uri, col, rows[col]++};
    return &nodes[(*n)++];
}

static void section_lineage(lp_sb *sb, const lp_value *resources)
{
    node nodes[MAX_NODES];
    size_t n = 0;
    int rows[3] = {0, 0, 0};
    const lp_value *edges[MAX_NODES * 2];
    size_t ne = 0;
    for (size_t i = 0; i < lp_list_len(resources); i++) {
        const lp_value *r = lp_list_get(resources, i), *lin = lp_map_get(r, "lineage");
        for (size_t k = 0; k < lp_list_len(lin) && ne < MAX_NODES * 2; k++) {
            const lp_value *e = lp_list_get(lin, k);
            if (lp_value_as_int(lp_map_get(e, "to")) != lp_value_as_int(lp_map_get(r, "id")))
                continue; /* each edge once: from its head */
            if (!add_node(nodes, &n, lp_value_as_int(lp_map_get(e, "from")), str(e, "from_uri"),
                          rows) ||
                !add_node(nodes, &n, lp_value_as_int(lp_map_get(e, "to")), str(e, "to_uri"), rows))
                continue;
            edges[ne++] = e;
        }
    }
    /* A prediction job names the data it scored (tag dataset_version): drawn as "scored". */
    int64_t scored_from[MAX_NODES], scored_to[MAX_NODES];
    size_t ns = 0;
    for (size_t i = 0; i < lp_list_len(resources) && ns < MAX_NODES; i++) {
        const lp_value *r = lp_list_get(resources, i), *dvt = tag(r, "dataset_version");
        int64_t dv = lp_value_type(dvt) == LP_MAP ? lp_value_as_int(lp_map_get(dvt, "id"))
                                                  : lp_value_as_int(dvt);
        if (!is_type(r, "prediction_job") || dv <= 0) continue;
        const char *dv_uri = NULL;
        for (size_t k = 0; k < lp_list_len(resources) && !dv_uri; k++)
            if (lp_value_as_int(lp_map_get(lp_list_get(resources, k), "id")) == dv)
                dv_uri = str(lp_list_get(resources, k), "uri");
        if (!dv_uri || !add_node(nodes, &n, dv, dv_uri, rows) ||
            !add_node(nodes, &n, lp_value_as_int(lp_map_get(r, "id")), str(r, "uri"), rows))
            continue;
        scored_from[ns] = dv;
        scored_to[ns++] = lp_value_as_int(lp_map_get(r, "id"));
    }
    if (ne == 0 && ns == 0) return;
    size_t longest = 20;
    for (size_t i = 0; i < n; i++)
        if (strlen(nodes[i].uri) > longest) longest = strlen(nodes[i].uri);
    const double BW = longest > 44 ? 320 : (double)longest * 7 + 14, BH = 34, GX = 110, GY = 22,
                 PAD = 10;
    int maxrows = rows[0] > rows[1] ? rows[0] : rows[1];
    if (rows[2] > maxrows) maxrows = rows[2];
    double W = PAD * 2 + 3 * BW + 2 * GX, H = PAD * 2 + 18 + maxrows * (BH + GY) + (ns ? 14 : 0);
    lp_sb_append(
        sb, "<h2 id=\"lineage\">Lineage</h2><div class=\"card\" style=\"display:inline-block\">");
    lp_sb_appendf(
        sb,
        "<svg id=\"lineage-graph\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
        "role=\"img\" aria-label=\"lineage\" font-family=\"system-ui,sans-serif\">"
        "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" "
        "markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path d=\"M0,0L10,5L0,10z\" "
        "fill=\"#6b7380\"/></marker></defs>",
        W, H, W, H);
    static const char *const heads[] = {"datasets", "models", "predictions"};
    for (int c = 0; c < 3; c++)
        lp_sb_appendf(sb,
                      "<text x=\"%.0f\" y=\"%.0f\" font-size=\"12\" fill=\"#6b7380\" "
                      "text-anchor=\"middle\">%s</text>",
                      PAD + c * (BW + GX) + BW / 2, PAD + 10, heads[c]);
    for (size_t i = 0; i < ne; i++) {
        node *a = add_node(nodes, &n, lp_value_as_int(lp_map_get(edges[i], "from")), NULL, rows);
        node *b = add_node(nodes, &n, lp_value_as_int(lp_map_get(edges[i], "to")), NULL, rows);
        if (!a || !b) continue;
        double x1 = PAD + a->col * (BW + GX) + BW, y1 = PAD + 18 + a->row * (BH + GY) + BH / 2;
        double x2 = PAD + b->col * (BW + GX), y2 = PAD + 18 + b->row * (BH + GY) + BH / 2;
        if (b->col <= a->col) x2 = x1 + 20; /* same column: a short hook */
        lp_sb_appendf(sb,
                      "<path d=\"M%.1f,%.1f C%.1f,%.1f %.1f,%.1f %.1f,%.1f\" fill=\"none\" "
                      "stroke=\"#6b7380\" stroke-width=\"1.4\" marker-end=\"url(#arrow)\"/>",
                      x1, y1, (x1 + x2) / 2, y1, (x1 + x2) / 2, y2, x2, y2);
        lp_sb_appendf(sb,
                      "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" fill=\"#6b7380\" "
                      "text-anchor=\"middle\">",
                      (x1 + x2) / 2, (y1 + y2) / 2 - 4);
        lp_sb_append_html(sb, str(edges[i], "kind"));
        lp_sb_append(sb, "</text>");
    }
    for (size_t i = 0; i < ns; i++) {
        node *a = add_node(nodes, &n, scored_from[i], NULL, rows);
        node *b = add_node(nodes, &n, scored_to[i], NULL, rows);
        if (!a || !b) continue;
        double x1 = PAD + a->col * (BW + GX) + BW, y1 = PAD + 18 + a->row * (BH + GY) + BH / 2;
        double x2 = PAD + b->col * (BW + GX), y2 = PAD + 18 + b->row * (BH + GY) + BH / 2;
        /* Under the model column, so that it never looks like an edge into a model. */
        double low = PAD + 18 + maxrows * (BH + GY) + 4;
        lp_sb_appendf(sb,
                      "<path d=\"M%.1f,%.1f C%.1f,%.1f %.1f,%.1f %.1f,%.1f L%.1f,%.1f C%.1f,%.1f "
                      "%.1f,%.1f %.1f,%.1f\" fill=\"none\" stroke=\"#d08a1e\" "
                      "stroke-dasharray=\"5 4\" stroke-width=\"1.4\" marker-end=\"url(#arrow)\"/>"
                      "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" fill=\"#8a5a00\" "
                      "text-anchor=\"middle\">scored</text>",
                      x1, y1, x1 + 40, y1, x1 + 40, low, x1 + 80, low, x2 - 80, low, x2 - 40, low,
                      x2 - 40, y2, x2, y2, (x1 + x2) / 2, low - 5);
    }
    static const char *const fills[] = {"#e6f0ff", "#eaf7ee", "#fff4e0"};
    static const char *const strokes[] = {"#4a7bd0", "#2f9e55", "#d08a1e"};
    for (size_t i = 0; i < n; i++) {
        double x = PAD + nodes[i].col * (BW + GX), y = PAD + 18 + nodes[i].row * (BH + GY);
        lp_sb_appendf(
            sb,
            "<g class=\"node\"><rect x=\"%.1f\" y=\"%.1f\" width=\"%.0f\" height=\"%.0f\" "
            "rx=\"6\" fill=\"%s\" stroke=\"%s\"/><text x=\"%.1f\" y=\"%.1f\" "
            "font-size=\"12\" fill=\"#1d2430\" text-anchor=\"middle\"><title>",
            x, y, BW, BH, fills[nodes[i].col], strokes[nodes[i].col], x + BW / 2, y + BH / 2 + 4);
        lp_sb_append_html(sb, nodes[i].uri);
        lp_sb_append(sb, "</title>");
        size_t len = strlen(nodes[i].uri);
        if (len > 44) {
            lp_sb_append(sb, "…");
            lp_sb_append_html(sb, nodes[i].uri + len - 43);
        } else {
            lp_sb_append_html(sb, nodes[i].uri);
        }
        lp_sb_append(sb, "</text></g>");
    }
    lp_sb_append(sb, "</svg></div>\n");
}

/* ---- deployments and the like, configuration ----------------------------------------------- */

static void section_others(lp_sb *sb, const lp_value *resources)
{
    static const char *const shown[] = {"dataset",       "dataset_version", "model",
                                        "model_version", "experiment",      "prediction_job"};
    bool any = false;
    for (size_t i = 0; i < lp_list_len(resources); i++) {
        const lp_value *r = lp_list_get(resources, i);
        bool known = false;
        for (size_t k = 0; k < 6 && !known; k++)
            known = is_type(r, shown[k]);
        if (known) continue;
        if (!any)
            lp_sb_append(sb, "<h2 id=\"deployment\">Promotion and deployment</h2><table><tr>"
                             "<th class=\"l\">resource</th><th class=\"l\">tags</th></tr>");
        any = true;
        lp_sb_append(sb, "<tr>");
        text_cell(sb, str(r, "uri"));
        lp_sb_append(sb, "<td class=\"l\">");
        const lp_value *tags = lp_map_get(r, "tags");
        for (size_t k = 0; k < lp_map_len(tags); k++) {
            const lp_value *v = lp_map_value(tags, k);
            if (lp_value_type(v) == LP_NULL) continue;
            lp_sb_append_html(sb, lp_map_key(tags, k));
            lp_sb_append(sb, " = ");
            if (strcmp(lp_map_key(tags, k), "at") == 0)
                time_text(sb, v);
            else
                num(sb, v);
            lp_sb_append(sb, "<br>");
        }
        lp_sb_append(sb, "</td></tr>\n");
    }
    if (any) lp_sb_append(sb, "</table>\n");
}

/* ---- a failed run -----------------------------------------------------------------------------
 */

/* Where a failed run failed: its failed calls, the innermost (where the error
 * arose) first, then the calls it propagated through. */
static void section_failure(lp_sb *sb, const lp_value *failed)
{
    if (lp_list_len(failed) == 0) return;
    lp_sb_append(sb, "<h2 id=\"failure\">Where it failed</h2><p class=\"muted\">The calls "
                     "that failed, innermost first: the first is where the error arose.</p>"
                     "<table><tr><th class=\"l\">call</th><th>calls</th><th>failed</th></tr>");
    for (size_t i = 0; i < lp_list_len(failed); i++) {
        const lp_value *t = lp_list_get(failed, i);
        lp_sb_appendf(sb, "<tr%s><td class=\"l\" data-failed-call=\"%zu\">",
                      i == 0 ? " style=\"font-weight:600\"" : "", i);
        call_text(sb, t);
        lp_sb_appendf(sb, "</td><td>%lld</td><td>%lld</td></tr>",
                      (long long)lp_value_as_int(lp_map_get(t, "calls")),
                      (long long)lp_value_as_int(lp_map_get(t, "failed")));
    }
    lp_sb_append(sb, "</table>\n");
}

/* ---- timings --------------------------------------------------------------------------------- */

static void section_timings(lp_sb *sb, const lp_value *timings)
{
    if (lp_list_len(timings) == 0) return;
    lp_sb_append(sb, "<h2 id=\"timings\">Slowest calls</h2><table><tr><th class=\"l\">call</th>"
                     "<th>calls</th><th>seconds</th><th>failed</th></tr>");
    for (size_t i = 0; i < lp_list_len(timings); i++) {
        const lp_value *t = lp_list_get(timings, i);
        lp_sb_append(sb, "<tr><td class=\"l\">");
        call_text(sb, t);
        lp_sb_appendf(sb, "</td><td>%lld</td><td>%.3f</td><td>%lld</td></tr>",
                      (long long)lp_value_as_int(lp_map_get(t, "calls")),
                      lp_value_as_float(lp_map_get(t, "seconds")),
                      (long long)lp_value_as_int(lp_map_get(t, "failed")));
    }
    lp_sb_append(sb, "</table>\n");
}

char *lp_run_report_html(const lp_value *g)
{
    const lp_value *run = lp_map_get(g, "run"), *resources = lp_map_get(g, "resources");
    lp_sb sb = {0};
    lp_sb_append(&sb, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                      "<meta name=\"viewport\" content=\"width=device-width\"><title>lolpop run ");
    lp_sb_append_html(&sb, str(run, "id"));
    lp_sb_appendf(&sb, "</title><style>%s</style></head><body>\n", css);
    section_header(&sb, run);
    section_failure(&sb, lp_map_get(g, "failed_calls"));
    section_models(&sb, resources);
    section_datasets(&sb, resources);
    section_reports(&sb, resources);
    section_bias(&sb, resources);
    section_predictions(&sb, resources);
    section_lineage(&sb, resources);
    section_artifacts(&sb, resources);
    section_others(&sb, resources);
    section_timings(&sb, lp_map_get(g, "timings"));
    if (lp_map_get(run, "config")) {
        lp_sb_append(&sb, "<h2 id=\"config\">Configuration</h2>");
        json_details(&sb, "the resolved configuration (values from the environment hidden)",
                     lp_map_get(run, "config"));
    }
    lp_sb_append(&sb, "<p class=\"muted\">Written by lolpop from the metadata store; the same "
                      "facts are in the JSON file beside this page.</p></main></body></html>\n");
    return lp_sb_take(&sb);
}
