/*
 * checks.c — check lists, statuses, severities and report files shared by
 * LocalDataChecker and LocalModelChecker.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "components/data_checker/checks.h"
#include "components/data_profiler/profiler.h"

static const char *const status_names[] = {"PASS", "WARN", "ERROR", "off"};

const char *lp_chk_status_name(int status)
{
    return status >= 0 && status <= LP_CHK_OFF ? status_names[status] : "ERROR";
}

int lp_chk_status_of(const char *name)
{
    for (int i = 0; name && i < LP_CHK_OFF; i++)
        if (strcmp(name, status_names[i]) == 0) return i;
    return LP_CHK_PASS;
}

int lp_chk_parse_severity(int *out, const lp_value *v, bool allow_off, const char *who)
{
    if (!v) return 0;
    if (allow_off && lp_value_type(v) == LP_BOOL && !lp_value_as_bool(v)) {
        *out = LP_CHK_OFF;
        return 0;
    }
    const char *s = lp_value_as_string(v);
    if (s && lp_streq_nocase(s, "ERROR"))
        *out = LP_CHK_ERROR;
    else if (s && (lp_streq_nocase(s, "WARN") || lp_streq_nocase(s, "WARNING")))
        *out = LP_CHK_WARN;
    else if (s && allow_off && lp_streq_nocase(s, "off"))
        *out = LP_CHK_OFF;
    else
        return lp_kit_error_at(LP_ECONFIG, v, "%s: a severity is ERROR or WARN%s, got %s", who,
                               allow_off ? " (or off)" : "",
                               s ? s : lp_vtype_name(lp_value_type(v)));
    return 0;
}

lp_value *lp_chk_add(lp_value *checks, const char *check, const char *column, int status,
                     const char *fmt, ...)
{
    lp_sb sb = {0};
    va_list ap;
    va_start(ap, fmt);
    lp_sb_vappendf(&sb, fmt, ap);
    va_end(ap);
    char *msg = lp_sb_take(&sb);
    lp_value *c = msg ? lp_kit_result("check", lp_value_string(check), "column",
                                      column ? lp_value_string(column) : NULL, "status",
                                      lp_value_string(lp_chk_status_name(status)), "message",
                                      lp_value_string(msg), (const char *)NULL)
                      : NULL;
    free(msg);
    if (!c || lp_list_append(checks, lp_value_ref(c)) != 0) {
        lp_value_unref(c);
        lp_error_set(LP_ENOMEM, "out of memory");
        return NULL;
    }
    lp_value_unref(c); /* the list holds it */
    return c;
}

int lp_chk_summarize(lp_value *report)
{
    const lp_value *checks = lp_map_get(report, "checks");
    int64_t count[3] = {0, 0, 0};
    int worst = LP_CHK_PASS;
    for (size_t i = 0; i < lp_list_len(checks); i++) {
        int s = lp_chk_status_of(lp_value_as_string(lp_map_get(lp_list_get(checks, i), "status")));
        count[s]++;
        if (s > worst) worst = s;
    }
    lp_value *counts = lp_kit_result("PASS", lp_value_int(count[0]), "WARN", lp_value_int(count[1]),
                                     "ERROR", lp_value_int(count[2]), (const char *)NULL);
    if (!counts || lp_map_set(report, "status", lp_value_string(lp_chk_status_name(worst))) ||
        lp_map_set(report, "counts", counts))
        return lp_error_set(LP_ENOMEM, "out of memory");
    return worst;
}

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

char *lp_chk_report_path(const char *dir, const char *fixed, const char *kind, const char *html)
{
    if (fixed) return lp_strdup(fixed);
    uint64_t h = 1469598103934665603ULL;
    for (const char *s = html; *s; s++)
        h = (h ^ (uint8_t)*s) * 1099511628211ULL;
    if (make_dirs(dir) != 0) return NULL;
    return lp_asprintf("%s/%s-%016llx.html", dir, kind, (unsigned long long)h);
}

lp_value *lp_chk_finish(lp_value *report, char *html, const char *dir, const char *fixed,
                        const char *kind)
{
    char *path = html ? lp_chk_report_path(dir, fixed, kind, html) : NULL;
    int rc = path ? lp_prof_write_report(path, html, report)
                  : (html ? LP_ERROR : lp_error_set(LP_ENOMEM, "out of memory"));
    lp_value *result = NULL;
    if (rc == 0)
        result =
            lp_kit_result("report", lp_value_ref(report), "path", lp_value_string(path), "status",
                          lp_value_ref(lp_map_get(report, "status")), (const char *)NULL);
    lp_value_unref(report);
    free(html);
    free(path);
    return result;
}

const char *lp_chk_did_you_mean(const char *word, const char *const *names, size_t n)
{
    static _Thread_local char buf[300];
    const char *close = word ? lp_suggest(word, names, n) : NULL;
    if (!close) return "";
    snprintf(buf, sizeof buf, " (did you mean '%.256s'?)", close);
    return buf;
}
