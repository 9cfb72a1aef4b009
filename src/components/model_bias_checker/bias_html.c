/*
 * bias_html.c — the check_model_bias report as self-contained HTML: status,
 * checks, and per protected attribute the four fairness numbers and a table
 * of its groups with a selection-rate bar. Numbers carry data-key attributes
 * for tests.
 */
#include <string.h>

#include "components/data_checker/checks.h"
#include "components/data_profiler/profiler.h"
#include "components/model_bias_checker/bias.h"

static const char *const numbers[] = {"statistical_parity_difference", "disparate_impact",
                                      "equal_opportunity_difference", "average_odds_difference"};
static const char *const titles[] = {"statistical parity difference", "disparate impact",
                                     "equal opportunity difference", "average odds difference"};

static void name_list(lp_sb *sb, const lp_value *list)
{
    for (size_t i = 0; i < lp_list_len(list); i++) {
        if (i) lp_sb_append(sb, ", ");
        lp_sb_append_html(sb, lp_value_as_string(lp_list_get(list, i)));
    }
}

static void summary_cards(lp_sb *sb, const char *attr, const lp_value *a)
{
    lp_sb_append(sb, "<div class=\"cards\">");
    for (size_t k = 0; k < 4; k++) {
        lp_sb_appendf(sb, "<div class=\"card kpi\">%s<b data-key=\"", titles[k]);
        lp_sb_append_html(sb, attr);
        lp_sb_appendf(sb, "-%s\">", numbers[k]);
        lp_chk_html_number(sb, lp_map_get(a, numbers[k]));
        lp_sb_append(sb, "</b></div>");
    }
    lp_sb_append(sb, "</div>\n");
}

static void group_table(lp_sb *sb, const lp_value *groups)
{
    static const char *const cols[] = {
        "rows", "base_rate", "accuracy",         "f1",
        "tpr",  "fpr",       "disparate_impact", "statistical_parity_difference"};
    lp_sb_append(sb, "<table><tr><th class=\"l\">group</th><th class=\"l\">selection rate</th>"
                     "<th>rows</th><th>base rate</th><th>accuracy</th><th>f1</th><th>TPR</th>"
                     "<th>FPR</th><th>disparate impact</th><th>parity difference</th></tr>");
    for (size_t g = 0; g < lp_list_len(groups); g++) {
        const lp_value *e = lp_list_get(groups, g);
        bool priv = lp_value_as_bool(lp_map_get(e, "privileged"));
        lp_sb_append(sb, "<tr><td class=\"l\">");
        lp_sb_append_html(sb, lp_value_as_string(lp_map_get(e, "group")));
        if (priv) lp_sb_append(sb, " <i>(privileged)</i>");
        const lp_value *sr = lp_map_get(e, "selection_rate");
        double w = lp_value_type(sr) == LP_FLOAT ? 120 * lp_value_as_float(sr) : 0;
        lp_sb_appendf(sb,
                      "</td><td class=\"l\"><span style=\"display:inline-block;width:%.0fpx;"
                      "height:10px;background:%s;margin-right:6px\"></span>",
                      w, priv ? "#9aa3af" : "#4a7bd0");
        lp_chk_html_number(sb, sr);
        lp_sb_append(sb, "</td>");
        for (size_t k = 0; k < sizeof cols / sizeof *cols; k++) {
            lp_sb_append(sb, "<td>");
            lp_chk_html_number(sb, lp_map_get(e, cols[k]));
            lp_sb_append(sb, "</td>");
        }
        lp_sb_append(sb, "</tr>");
    }
    lp_sb_append(sb, "</table>\n");
}

char *lp_bias_report_html(const lp_value *report)
{
    lp_sb sb = {0};
    lp_chk_html_head(&sb, "Model bias", report);
    lp_sb_append(&sb, "<p>Favorable outcome: <b>");
    lp_sb_append_html(&sb, lp_value_as_string(lp_map_get(report, "favorable_label")));
    lp_sb_append(&sb, "</b>. Differences are unprivileged minus privileged; disparate impact is "
                      "the ratio of their selection rates (aif360's definitions).</p>\n");
    lp_chk_html_checks(&sb, lp_map_get(report, "checks"));
    const lp_value *notes = lp_map_get(report, "notes");
    if (lp_list_len(notes)) {
        lp_sb_append(&sb, "<h2>Not judged</h2>\n<ul data-key=\"notes\">");
        for (size_t i = 0; i < lp_list_len(notes); i++) {
            lp_sb_append(&sb, "<li>");
            lp_sb_append_html(&sb, lp_value_as_string(lp_list_get(notes, i)));
            lp_sb_append(&sb, "</li>");
        }
        lp_sb_append(&sb, "</ul>\n");
    }
    const lp_value *attrs = lp_map_get(report, "attributes");
    for (size_t i = 0; i < lp_map_len(attrs); i++) {
        const lp_value *a = lp_map_value(attrs, i);
        lp_sb_append(&sb, "<h2>");
        lp_sb_append_html(&sb, lp_map_key(attrs, i));
        lp_sb_append(&sb, ": ");
        name_list(&sb, lp_map_get(a, "unprivileged"));
        lp_sb_append(&sb, " vs ");
        name_list(&sb, lp_map_get(a, "privileged"));
        lp_sb_append(&sb, "</h2>\n");
        summary_cards(&sb, lp_map_key(attrs, i), a);
        group_table(&sb, lp_map_get(a, "groups"));
        if (lp_value_as_int(lp_map_get(a, "rows_skipped")) > 0)
            lp_sb_appendf(&sb,
                          "<p class=\"muted\">%lld rows without a group (missing, or outside "
                          "the bins) are left out.</p>\n",
                          (long long)lp_value_as_int(lp_map_get(a, "rows_skipped")));
    }
    lp_chk_html_end(&sb);
    return lp_sb_take(&sb);
}
