/*
 * report_html.c — the profile and the comparison as self-contained HTML:
 * inline CSS, SVG bar charts drawn here, no script and nothing fetched.
 * Key numbers carry data-* attributes so tests (and people's scripts) can
 * find them in the DOM.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "components/data_profiler/profiler.h"

static const char css[] =
    "body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#1d2430;background:#f6f7f9}"
    "h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:24px 0 8px}"
    ".sub{color:#5b6472;margin-bottom:16px}"
    ".cards{display:flex;flex-wrap:wrap;gap:12px}"
    ".card{background:#fff;border:1px solid #dde1e7;border-radius:8px;padding:12px 14px}"
    ".kpi{min-width:120px}.kpi b{display:block;font-size:20px}"
    ".var{width:520px}.var h3{margin:0 0 6px;font-size:15px}"
    ".tag{display:inline-block;font-size:11px;padding:1px 6px;border-radius:9px;background:#e8edf5;"
    "margin-left:6px;color:#34405a}"
    "table{border-collapse:collapse;font-size:13px}td,th{padding:3px 8px;text-align:right}"
    "th{background:#eef1f5}td:first-child,th:first-child{text-align:left}"
    ".grid td{border:1px solid #e3e6ea}.ok{color:#1a7f37}.bad{color:#c62828;font-weight:600}"
    ".alert{background:#fff4e5;border-left:4px solid #f0a020;padding:4px 10px;margin:4px 0}"
    ".stats td{border-bottom:1px solid #f0f2f5}";

static void head(lp_sb *sb, const char *title)
{
    lp_sb_append(sb, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>");
    lp_sb_append_html(sb, title);
    lp_sb_appendf(sb, "</title><style>%s</style></head><body>\n<h1>", css);
    lp_sb_append_html(sb, title);
    lp_sb_append(sb, "</h1>\n");
}

/* A number as text: integers plainly, others with 6 significant digits. */
static void number(lp_sb *sb, const lp_value *v)
{
    if (lp_value_type(v) == LP_INT)
        lp_sb_appendf(sb, "%lld", (long long)lp_value_as_int(v));
    else if (lp_value_type(v) == LP_FLOAT)
        lp_sb_appendf(sb, "%.6g", lp_value_as_float(v));
    else
        lp_sb_append(sb, "–");
}

static void kpi(lp_sb *sb, const char *label, const char *key, const lp_value *v)
{
    lp_sb_appendf(sb, "<div class=\"card kpi\">%s<b data-key=\"%s\">", label, key);
    number(sb, v);
    lp_sb_append(sb, "</b></div>");
}

/* Vertical bars of heights[0..n) (one or two series), width x height pixels;
 * under them each bar's label (labels: a list of strings) or the range lo..hi. */
static void svg_bars(lp_sb *sb, const double *a, const double *b, size_t n, const char *lo,
                     const char *hi, const lp_value *labels)
{
    const double W = 480, H = 120, top = 6, bottom = 18;
    double max = 0;
    for (size_t i = 0; i < n; i++) {
        if (a[i] > max) max = a[i];
        if (b && b[i] > max) max = b[i];
    }
    lp_sb_appendf(sb, "<svg width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" role=\"img\">",
                  W, H, W, H);
    lp_sb_appendf(sb, "<line x1=\"0\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\" stroke=\"#9aa3af\"/>",
                  H - bottom, W, H - bottom);
    double slot = n ? W / (double)n : W, bw = b ? slot * 0.42 : slot * 0.86;
    for (size_t i = 0; i < n && max > 0; i++) {
        double h = (H - bottom - top) * a[i] / max, x = slot * (double)i + slot * 0.07;
        lp_sb_appendf(sb,
                      "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                      "fill=\"#4a7bd0\"><title>%.6g</title></rect>",
                      x, H - bottom - h, bw, h, a[i]);
        if (b) {
            double hb = (H - bottom - top) * b[i] / max;
            lp_sb_appendf(sb,
                          "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                          "fill=\"#e0803a\"><title>%.6g</title></rect>",
                          x + bw, H - bottom - hb, bw, hb, b[i]);
        }
    }
    if (labels && lp_list_len(labels) == n) {
        for (size_t i = 0; i < n; i++) {
            char text[16];
            snprintf(text, sizeof text, "%.12s", lp_value_as_string(lp_list_get(labels, i)));
            lp_sb_appendf(sb,
                          "<text x=\"%.1f\" y=\"%.0f\" font-size=\"10\" fill=\"#5b6472\" "
                          "text-anchor=\"middle\">",
                          slot * ((double)i + 0.5), H - 4);
            lp_sb_append_html(sb, text);
            lp_sb_append(sb, "</text>");
        }
        lp_sb_append(sb, "</svg>");
        return;
    }
    lp_sb_appendf(sb, "<text x=\"0\" y=\"%.0f\" font-size=\"11\" fill=\"#5b6472\">", H - 4);
    lp_sb_append_html(sb, lo);
    lp_sb_appendf(sb,
                  "</text><text x=\"%.0f\" y=\"%.0f\" font-size=\"11\" fill=\"#5b6472\" "
                  "text-anchor=\"end\">",
                  W, H - 4);
    lp_sb_append_html(sb, hi);
    lp_sb_append(sb, "</text></svg>");
}

/* Floats of a value list into a new array (NULL when empty). */
static double *floats(const lp_value *l, size_t *n)
{
    *n = lp_list_len(l);
    double *v = malloc((*n ? *n : 1) * sizeof *v);
    for (size_t i = 0; v && i < *n; i++)
        v[i] = lp_value_as_float(lp_list_get(l, i));
    return v;
}

static void histogram(lp_sb *sb, const lp_value *h)
{
    size_t n = 0, ne = 0;
    double *c = floats(lp_map_get(h, "counts"), &n), *e = floats(lp_map_get(h, "edges"), &ne);
    if (c && e && ne == n + 1) {
        char lo[32], hi[32];
        snprintf(lo, sizeof lo, "%.4g", e[0]);
        snprintf(hi, sizeof hi, "%.4g", e[n]);
        svg_bars(sb, c, NULL, n, lo, hi, NULL);
    }
    free(c);
    free(e);
}

static void stat_row(lp_sb *sb, const lp_value *v, const char *key, const char *col)
{
    const lp_value *x = lp_map_get(v, key);
    if (!x || lp_value_type(x) == LP_NULL) return;
    lp_sb_appendf(sb, "<tr><td>%s</td><td data-stat=\"%s\" data-column=\"", key, key);
    lp_sb_append_html(sb, col);
    lp_sb_append(sb, "\">");
    number(sb, x);
    lp_sb_append(sb, "</td></tr>");
}

static void variable_card(lp_sb *sb, const lp_value *v)
{
    static const char *const keys[] = {"count", "missing", "distinct", "mean", "std", "min",  "5%",
                                       "25%",   "50%",     "75%",      "95%",  "max", "zeros"};
    const char *name = lp_value_as_string(lp_map_get(v, "name"));
    lp_sb_append(sb, "<div class=\"card var\"><h3>");
    lp_sb_append_html(sb, name);
    lp_sb_appendf(sb, "<span class=\"tag\">%s</span><span class=\"tag\">%s</span>%s</h3>",
                  lp_value_as_string(lp_map_get(v, "type")),
                  lp_value_as_string(lp_map_get(v, "kind")),
                  lp_value_as_bool(lp_map_get(v, "distinct_estimated"))
                      ? "<span class=\"tag\">distinct estimated</span>"
                      : "");
    lp_sb_append(sb, "<table class=\"stats\">");
    for (size_t k = 0; k < sizeof keys / sizeof *keys; k++)
        stat_row(sb, v, keys[k], name);
    lp_sb_append(sb, "</table>");
    const lp_value *h = lp_map_get(v, "histogram"), *top = lp_map_get(v, "top_values");
    if (h) histogram(sb, h);
    if (top && lp_list_len(top)) {
        size_t n = lp_list_len(top);
        double *c = malloc(n * sizeof *c);
        lp_sb_append(sb, "<table class=\"grid\"><tr><th>value</th><th>count</th></tr>");
        for (size_t i = 0; i < n; i++) {
            const lp_value *e = lp_list_get(top, i);
            if (c) c[i] = lp_value_as_float(lp_map_get(e, "count"));
            lp_sb_append(sb, "<tr><td>");
            lp_sb_append_html(sb, lp_value_as_string(lp_map_get(e, "value")));
            lp_sb_appendf(sb, "</td><td>%lld</td></tr>",
                          (long long)lp_value_as_int(lp_map_get(e, "count")));
        }
        lp_sb_append(sb, "</table>");
        lp_value *labels = lp_value_list();
        for (size_t i = 0; labels && i < n; i++)
            lp_list_append(labels, lp_value_string(lp_value_as_string(
                                       lp_map_get(lp_list_get(top, i), "value"))));
        if (c) svg_bars(sb, c, NULL, n, "", "", n <= 12 ? labels : NULL);
        lp_value_unref(labels);
        free(c);
    }
    lp_sb_append(sb, "</div>\n");
}

/* A correlation matrix as a shaded table. */
static void matrix(lp_sb *sb, const char *title, const lp_value *names, const lp_value *m)
{
    size_t k = lp_list_len(names);
    if (k < 2) return;
    lp_sb_appendf(sb, "<h3>%s</h3><table class=\"grid\"><tr><th></th>", title);
    for (size_t j = 0; j < k; j++) {
        lp_sb_append(sb, "<th>");
        lp_sb_append_html(sb, lp_value_as_string(lp_list_get(names, j)));
        lp_sb_append(sb, "</th>");
    }
    lp_sb_append(sb, "</tr>");
    for (size_t i = 0; i < k; i++) {
        lp_sb_append(sb, "<tr><th>");
        lp_sb_append_html(sb, lp_value_as_string(lp_list_get(names, i)));
        lp_sb_append(sb, "</th>");
        for (size_t j = 0; j < k; j++) {
            const lp_value *x = lp_list_get(lp_list_get(m, i), j);
            double r = lp_value_type(x) == LP_FLOAT ? lp_value_as_float(x) : NAN;
            if (isnan(r)) {
                lp_sb_append(sb, "<td>–</td>");
                continue;
            }
            double a = fabs(r) * 0.85;
            lp_sb_appendf(sb, "<td style=\"background:rgba(%s,%.2f)\">%.2f</td>",
                          r >= 0 ? "74,123,208" : "224,128,58", a, r);
        }
        lp_sb_append(sb, "</tr>");
    }
    lp_sb_append(sb, "</table>");
}

char *lp_prof_profile_html(const lp_value *report, const char *title)
{
    lp_sb sb = {0};
    head(&sb, title);
    lp_sb_append(&sb,
                 "<div class=\"sub\">Data profile by LocalDataProfiler</div><div class=\"cards\">");
    kpi(&sb, "rows", "rows", lp_map_get(report, "rows"));
    kpi(&sb, "columns", "columns", lp_map_get(report, "columns"));
    kpi(&sb, "duplicate rows", "duplicate_rows", lp_map_get(report, "duplicate_rows"));
    kpi(&sb, "memory (bytes)", "memory_bytes", lp_map_get(report, "memory_bytes"));
    lp_sb_append(&sb, "</div>\n<h2>Alerts</h2>");
    const lp_value *alerts = lp_map_get(report, "alerts");
    if (!lp_list_len(alerts)) lp_sb_append(&sb, "<p class=\"ok\">No alerts.</p>");
    for (size_t i = 0; i < lp_list_len(alerts); i++) {
        const lp_value *a = lp_list_get(alerts, i);
        lp_sb_appendf(&sb, "<div class=\"alert\"><b>%s</b> ",
                      lp_value_as_string(lp_map_get(a, "kind")));
        lp_sb_append_html(&sb, lp_value_as_string(lp_map_get(a, "message")));
        lp_sb_append(&sb, "</div>");
    }
    lp_sb_append(&sb, "\n<h2>Variables</h2><div class=\"cards\">\n");
    const lp_value *vars = lp_map_get(report, "variables");
    for (size_t i = 0; i < lp_list_len(vars); i++)
        variable_card(&sb, lp_list_get(vars, i));
    lp_sb_append(&sb, "</div>\n<h2>Correlations</h2>");
    const lp_value *corr = lp_map_get(report, "correlations"), *cv = lp_map_get(corr, "cramers_v");
    matrix(&sb, "Pearson", lp_map_get(corr, "columns"), lp_map_get(corr, "pearson"));
    matrix(&sb, "Spearman", lp_map_get(corr, "columns"), lp_map_get(corr, "spearman"));
    matrix(&sb, "Cramér's V", lp_map_get(cv, "columns"), lp_map_get(cv, "matrix"));
    lp_sb_append(&sb, "\n</body></html>\n");
    return lp_sb_take(&sb);
}

static void drift_row(lp_sb *sb, const lp_value *c)
{
    const char *name = lp_value_as_string(lp_map_get(c, "column"));
    bool drifted = lp_value_as_bool(lp_map_get(c, "drifted"));
    lp_sb_append(sb, "<tr><td>");
    lp_sb_append_html(sb, name);
    lp_sb_appendf(sb, "</td><td>%s</td><td>%s</td><td data-column=\"",
                  lp_value_as_string(lp_map_get(c, "kind")),
                  lp_value_as_string(lp_map_get(c, "method")));
    lp_sb_append_html(sb, name);
    lp_sb_append(sb, "\" data-stat=\"statistic\">");
    number(sb, lp_map_get(c, "statistic"));
    lp_sb_append(sb, "</td><td>");
    number(sb, lp_map_get(c, "threshold"));
    lp_sb_append(sb, "</td><td>");
    number(sb, lp_map_get(c, "psi"));
    lp_sb_appendf(sb, "</td><td class=\"%s\">%s</td></tr>\n", drifted ? "bad" : "ok",
                  drifted ? "drift" : "no drift");
}

static void drift_chart(lp_sb *sb, const lp_value *c)
{
    size_t n = 0, m = 0;
    double *a = floats(lp_map_get(c, "reference_shares"), &n);
    double *b = floats(lp_map_get(c, "current_shares"), &m);
    if (a && b && n && n == m) {
        lp_sb_append(sb, "<div class=\"card var\"><h3>");
        lp_sb_append_html(sb, lp_value_as_string(lp_map_get(c, "column")));
        lp_sb_append(sb, "<span class=\"tag\" style=\"background:#4a7bd0;color:#fff\">reference"
                         "</span><span class=\"tag\" style=\"background:#e0803a;color:#fff\">"
                         "current</span></h3>");
        char lo[64] = "", hi[64] = "";
        const lp_value *edges = lp_map_get(c, "bin_edges"), *cats = lp_map_get(c, "categories");
        if (edges) {
            snprintf(lo, sizeof lo, "%.4g", lp_value_as_float(lp_list_get(edges, 0)));
            snprintf(hi, sizeof hi, "%.4g", lp_value_as_float(lp_list_get(edges, n)));
        } else if (cats) {
            snprintf(lo, sizeof lo, "%.30s", lp_value_as_string(lp_list_get(cats, 0)));
            snprintf(hi, sizeof hi, "%.30s", lp_value_as_string(lp_list_get(cats, n - 1)));
        }
        svg_bars(sb, a, b, n, lo, hi, cats && n <= 12 ? cats : NULL);
        lp_sb_append(sb, "</div>\n");
    }
    free(a);
    free(b);
}

char *lp_prof_compare_html(const lp_value *report, const char *title)
{
    lp_sb sb = {0};
    head(&sb, title);
    bool drift = lp_value_as_bool(lp_map_get(report, "dataset_drift"));
    lp_sb_appendf(&sb,
                  "<div class=\"sub\">Data drift by LocalDataProfiler (evidently's default "
                  "rules)</div><p>Dataset drift: <b class=\"%s\" data-key=\"dataset_drift\">%s</b>"
                  "</p><div class=\"cards\">",
                  drift ? "bad" : "ok", drift ? "detected" : "not detected");
    kpi(&sb, "reference rows", "reference_rows", lp_map_get(report, "reference_rows"));
    kpi(&sb, "current rows", "current_rows", lp_map_get(report, "current_rows"));
    kpi(&sb, "drifted columns", "drifted_columns", lp_map_get(report, "drifted_columns"));
    kpi(&sb, "compared columns", "compared_columns", lp_map_get(report, "compared_columns"));
    kpi(&sb, "drift share", "drift_share", lp_map_get(report, "drift_share"));
    lp_sb_append(&sb, "</div>\n<h2>Columns</h2><table class=\"grid\"><tr><th>column</th>"
                      "<th>kind</th><th>method</th><th>statistic</th><th>threshold</th>"
                      "<th>PSI</th><th>verdict</th></tr>\n");
    const lp_value *cols = lp_map_get(report, "columns");
    for (size_t i = 0; i < lp_list_len(cols); i++)
        drift_row(&sb, lp_list_get(cols, i));
    lp_sb_append(&sb, "</table>\n<h2>Distributions</h2><div class=\"cards\">\n");
    for (size_t i = 0; i < lp_list_len(cols); i++)
        drift_chart(&sb, lp_list_get(cols, i));
    lp_sb_append(&sb, "</div>\n</body></html>\n");
    return lp_sb_take(&sb);
}
