/*
 * checks_html.c — the HTML pieces of a checks report: inline CSS, a status
 * badge, the table of checks. No script, nothing fetched; key numbers carry
 * data-* attributes so tests can find them in the DOM.
 */
#include <stdio.h>
#include <string.h>

#include "components/data_checker/checks.h"
#include "components/data_profiler/profiler.h"

static const char css[] =
    "body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#1d2430;background:#f6f7f9}"
    "h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:24px 0 8px}"
    ".sub{color:#5b6472;margin-bottom:16px}"
    ".cards{display:flex;flex-wrap:wrap;gap:12px;margin-bottom:8px}"
    ".card{background:#fff;border:1px solid #dde1e7;border-radius:8px;padding:12px 14px}"
    ".kpi{min-width:110px}.kpi b{display:block;font-size:20px}"
    ".badge{display:inline-block;font-weight:700;padding:3px 12px;border-radius:12px;color:#fff}"
    ".PASS{background:#1a7f37}.WARN{background:#c77700}.ERROR{background:#c62828}"
    "table{border-collapse:collapse;font-size:13px;background:#fff}"
    "td,th{padding:4px 8px;text-align:right;border:1px solid #e3e6ea}"
    "th{background:#eef1f5}td.l,th.l{text-align:left}"
    ".s-PASS{color:#1a7f37}.s-WARN{color:#c77700;font-weight:600}"
    ".s-ERROR{color:#c62828;font-weight:700}";

void lp_chk_html_number(lp_sb *sb, const lp_value *v)
{
    if (lp_value_type(v) == LP_INT)
        lp_sb_appendf(sb, "%lld", (long long)lp_value_as_int(v));
    else if (lp_value_type(v) == LP_FLOAT)
        lp_sb_appendf(sb, "%.6g", lp_value_as_float(v));
    else if (lp_value_type(v) == LP_BOOL)
        lp_sb_append(sb, lp_value_as_bool(v) ? "yes" : "no");
    else
        lp_sb_append(sb, "–");
}

void lp_chk_html_head(lp_sb *sb, const char *title, const lp_value *report)
{
    const char *status = lp_value_as_string(lp_map_get(report, "status"));
    if (!status) status = "PASS";
    lp_sb_append(sb, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>");
    lp_sb_append_html(sb, title);
    lp_sb_appendf(sb, "</title><style>%s</style></head><body>\n<h1>", css);
    lp_sb_append_html(sb, title);
    lp_sb_appendf(sb, " <span class=\"badge %s\" data-key=\"status\">%s</span></h1>\n", status,
                  status);
    const lp_value *counts = lp_map_get(report, "counts");
    lp_sb_append(sb, "<div class=\"cards\">");
    static const char *const names[] = {"PASS", "WARN", "ERROR"};
    for (size_t i = 0; i < 3; i++) {
        lp_sb_appendf(sb, "<div class=\"card kpi\">%s<b data-key=\"count-%s\">", names[i],
                      names[i]);
        lp_chk_html_number(sb, lp_map_get(counts, names[i]));
        lp_sb_append(sb, "</b></div>");
    }
    lp_sb_append(sb, "</div>\n");
}

void lp_chk_html_checks(lp_sb *sb, const lp_value *checks)
{
    lp_sb_append(sb, "<h2>Checks</h2>\n<table data-key=\"checks\"><tr><th class=\"l\">check</th>"
                     "<th class=\"l\">column</th><th class=\"l\">status</th>"
                     "<th class=\"l\">message</th></tr>");
    for (size_t i = 0; i < lp_list_len(checks); i++) {
        const lp_value *c = lp_list_get(checks, i);
        const char *status = lp_value_as_string(lp_map_get(c, "status"));
        const char *column = lp_value_as_string(lp_map_get(c, "column"));
        lp_sb_append(sb, "<tr><td class=\"l\">");
        lp_sb_append_html(sb, lp_value_as_string(lp_map_get(c, "check")));
        lp_sb_append(sb, "</td><td class=\"l\">");
        lp_sb_append_html(sb, column ? column : "");
        lp_sb_appendf(sb, "</td><td class=\"l s-%s\">%s</td><td class=\"l\">",
                      status ? status : "PASS", status ? status : "PASS");
        lp_sb_append_html(sb, lp_value_as_string(lp_map_get(c, "message")));
        lp_sb_append(sb, "</td></tr>");
    }
    lp_sb_append(sb, "</table>\n");
}

void lp_chk_html_end(lp_sb *sb)
{
    lp_sb_append(sb, "<p class=\"sub\">Written by lolpop; the same report is in the .json file "
                     "beside this one.</p>\n</body></html>\n");
}
