/*
 * model_report.c — the check_model report as self-contained HTML: status,
 * checks, metrics per split, confusion matrix, per-class metrics, a
 * reliability diagram (inline SVG) and the baselines. Numbers carry data-*
 * attributes for tests.
 */
#include <stdio.h>
#include <string.h>

#include "components/data_profiler/profiler.h"
#include "components/model_checker/mc.h"

static void metrics_table(lp_sb *sb, const lp_value *splits)
{
    lp_sb_append(sb, "<h2>Metrics</h2>\n<table><tr><th class=\"l\">metric</th>");
    for (size_t s = 0; s < lp_map_len(splits); s++)
        lp_sb_appendf(sb, "<th>%s</th>", lp_map_key(splits, s));
    lp_sb_append(sb, "</tr>");
    const lp_value *first = lp_map_get(lp_map_value(splits, 0), "metrics");
    for (size_t i = 0; i < lp_map_len(first); i++) {
        const char *name = lp_map_key(first, i);
        lp_sb_appendf(sb, "<tr><td class=\"l\">%s</td>", name);
        for (size_t s = 0; s < lp_map_len(splits); s++) {
            lp_sb_appendf(sb, "<td data-key=\"%s-%s\">", lp_map_key(splits, s), name);
            lp_chk_html_number(sb,
                               lp_map_get(lp_map_get(lp_map_value(splits, s), "metrics"), name));
            lp_sb_append(sb, "</td>");
        }
        lp_sb_append(sb, "</tr>");
    }
    lp_sb_append(sb, "</table>\n");
}

static void confusion(lp_sb *sb, const char *split, const lp_value *sr, const lp_value *classes)
{
    const lp_value *cm = lp_map_get(sr, "confusion_matrix");
    if (!cm) return;
    lp_sb_appendf(sb,
                  "<h2>Confusion matrix (%s; rows: truth, columns: prediction)</h2>\n"
                  "<table data-key=\"confusion\"><tr><th></th>",
                  split);
    for (size_t c = 0; c < lp_list_len(classes); c++) {
        lp_sb_append(sb, "<th>");
        lp_sb_append_html(sb, lp_value_as_string(lp_list_get(classes, c)));
        lp_sb_append(sb, "</th>");
    }
    lp_sb_append(sb, "</tr>");
    for (size_t t = 0; t < lp_list_len(cm); t++) {
        lp_sb_append(sb, "<tr><th>");
        lp_sb_append_html(sb, lp_value_as_string(lp_list_get(classes, t)));
        lp_sb_append(sb, "</th>");
        const lp_value *row = lp_list_get(cm, t);
        for (size_t p = 0; p < lp_list_len(row); p++) {
            lp_sb_appendf(sb, "<td data-key=\"cm-%zu-%zu\"%s>", t, p,
                          t == p ? " style=\"background:#e6f4ea\"" : "");
            lp_chk_html_number(sb, lp_list_get(row, p));
            lp_sb_append(sb, "</td>");
        }
        lp_sb_append(sb, "</tr>");
    }
    lp_sb_append(sb, "</table>\n");
    const lp_value *pc = lp_map_get(sr, "per_class");
    lp_sb_append(sb, "<h2>Per class</h2>\n<table><tr><th class=\"l\">class</th><th>precision</th>"
                     "<th>recall</th><th>f1</th><th>support</th></tr>");
    static const char *const keys[] = {"precision", "recall", "f1", "support"};
    for (size_t c = 0; c < lp_list_len(pc); c++) {
        const lp_value *r = lp_list_get(pc, c);
        lp_sb_append(sb, "<tr><td class=\"l\">");
        lp_sb_append_html(sb, lp_value_as_string(lp_map_get(r, "label")));
        lp_sb_append(sb, "</td>");
        for (size_t k = 0; k < 4; k++) {
            lp_sb_append(sb, "<td>");
            lp_chk_html_number(sb, lp_map_get(r, keys[k]));
            lp_sb_append(sb, "</td>");
        }
        lp_sb_append(sb, "</tr>");
    }
    lp_sb_append(sb, "</table>\n");
}

/* Reliability diagram: accuracy against confidence per bin, the diagonal for reference. */
static void calibration(lp_sb *sb, const char *split, const lp_value *cal)
{
    if (!cal) return;
    lp_sb_appendf(sb,
                  "<h2>Calibration (%s)</h2>\n<div class=\"cards\">"
                  "<div class=\"card kpi\">Brier score<b data-key=\"brier\">",
                  split);
    lp_chk_html_number(sb, lp_map_get(cal, "brier"));
    lp_sb_append(sb, "</b></div><div class=\"card kpi\">expected calibration error"
                     "<b data-key=\"ece\">");
    lp_chk_html_number(sb, lp_map_get(cal, "ece"));
    lp_sb_append(sb, "</b></div></div>\n");
    const double S = 240, P = 30;
    lp_sb_appendf(sb,
                  "<svg width=\"%.0f\" height=\"%.0f\" role=\"img\" style=\"background:#fff\">"
                  "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"#9aa3af\" "
                  "stroke-dasharray=\"4 3\"/><rect x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" "
                  "height=\"%.0f\" fill=\"none\" stroke=\"#9aa3af\"/>"
                  "<text x=\"%.0f\" y=\"%.0f\" font-size=\"11\" text-anchor=\"middle\">"
                  "confidence</text><text x=\"10\" y=\"%.0f\" font-size=\"11\" "
                  "transform=\"rotate(-90 10 %.0f)\" text-anchor=\"middle\">accuracy</text>",
                  S + 2 * P, S + 2 * P, P, S + P, S + P, P, P, P, S, S, P + S / 2, S + P + 22,
                  P + S / 2, P + S / 2);
    const lp_value *bins = lp_map_get(cal, "bins");
    lp_sb_append(sb, "<polyline fill=\"none\" stroke=\"#4a7bd0\" stroke-width=\"2\" points=\"");
    for (size_t b = 0; b < lp_list_len(bins); b++) {
        const lp_value *r = lp_list_get(bins, b);
        if (lp_value_type(lp_map_get(r, "confidence")) != LP_FLOAT) continue;
        lp_sb_appendf(sb, "%.1f,%.1f ", P + S * lp_value_as_float(lp_map_get(r, "confidence")),
                      P + S * (1 - lp_value_as_float(lp_map_get(r, "accuracy"))));
    }
    lp_sb_append(sb, "\"/></svg>\n");
}

static void baselines(lp_sb *sb, const lp_value *base)
{
    if (!base) return;
    const char *metric = lp_value_as_string(lp_map_get(base, "metric"));
    lp_sb_appendf(sb,
                  "<h2>Baselines (%s split, %s)</h2>\n<table><tr><th class=\"l\">model</th>"
                  "<th>%s</th></tr><tr><td class=\"l\">this model</td><td>",
                  lp_value_as_string(lp_map_get(base, "split")), metric, metric);
    const lp_value *mine = lp_map_get(base, "model"); /* a forecaster's: all its metrics */
    lp_chk_html_number(sb, lp_value_type(mine) == LP_MAP ? lp_map_get(mine, metric) : mine);
    lp_sb_append(sb, "</td></tr>");
    const lp_value *b = lp_map_get(base, "baselines");
    for (size_t i = 0; i < lp_map_len(b); i++) {
        lp_sb_appendf(sb, "<tr><td class=\"l\">%s</td><td data-key=\"baseline-%s\">",
                      lp_map_key(b, i), lp_map_key(b, i));
        lp_chk_html_number(sb, lp_map_get(lp_map_value(b, i), metric));
        lp_sb_append(sb, "</td></tr>");
    }
    lp_sb_append(sb, "</table>\n");
}

char *lp_mc_report_html(const lp_value *report)
{
    lp_sb sb = {0};
    lp_chk_html_head(&sb, "Model checks", report);
    lp_chk_html_checks(&sb, lp_map_get(report, "checks"));
    const lp_value *splits = lp_map_get(report, "splits");
    if (lp_map_len(splits)) metrics_table(&sb, splits);
    const char *eval = lp_value_as_string(lp_map_get(report, "eval_split"));
    const lp_value *sr = eval ? lp_map_get(splits, eval) : NULL;
    if (sr) {
        confusion(&sb, eval, sr, lp_map_get(report, "classes"));
        calibration(&sb, eval, lp_map_get(sr, "calibration"));
    }
    baselines(&sb, lp_map_get(report, "baselines"));
    lp_chk_html_end(&sb);
    return lp_sb_take(&sb);
}
