/*
 * junit.c — workflow test verdicts as JUnit XML, the format CI systems read.
 *
 * One <testsuite> per integration and method ("process.data_transformer.
 * transform"), one <testcase> per hook; FAIL is <failure>, ERROR is <error>,
 * NOT_RUN is <skipped>. Text is escaped for XML 1.0: markup characters become
 * entities, control characters and invalid UTF-8 become '?'.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testing_internal.h"

static const char *field(const lp_value *v, const char *key)
{
    const char *s = lp_value_as_string(lp_map_get(v, key));
    return s ? s : "";
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when invalid. */
static size_t utf8_seq(const unsigned char *s)
{
    size_t n = s[0] < 0x80             ? 1
               : (s[0] & 0xE0) == 0xC0 ? 2
               : (s[0] & 0xF0) == 0xE0 ? 3
               : (s[0] & 0xF8) == 0xF0 ? 4
                                       : 0;
    if (n == 0 || (n == 2 && s[0] < 0xC2)) return 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xC0) != 0x80) return 0;
    return n;
}

static void xml_escape(lp_sb *sb, const char *text)
{
    const unsigned char *s = (const unsigned char *)text;
    while (*s) {
        size_t n = utf8_seq(s);
        if (*s == '&')
            lp_sb_append(sb, "&amp;");
        else if (*s == '<')
            lp_sb_append(sb, "&lt;");
        else if (*s == '>')
            lp_sb_append(sb, "&gt;");
        else if (*s == '"')
            lp_sb_append(sb, "&quot;");
        else if (*s == '\'')
            lp_sb_append(sb, "&apos;");
        else if (*s == '\n' || *s == '\t')
            lp_sb_putc(sb, (char)*s);
        else if (n == 0 || *s < 0x20)
            lp_sb_putc(sb, '?');
        else
            lp_sb_appendn(sb, (const char *)s, n);
        s += n ? n : 1;
    }
}

static char *suite_of(const lp_value *v)
{
    return lp_asprintf("%s.%s", field(v, "integration"), field(v, "method"));
}

static void write_case(lp_sb *sb, const lp_value *v)
{
    const char *status = field(v, "status");
    const char *msg = field(v, "message");
    lp_sb_append(sb, "    <testcase classname=\"");
    char *suite = suite_of(v);
    xml_escape(sb, suite ? suite : "");
    free(suite);
    lp_sb_append(sb, "\" name=\"");
    xml_escape(sb, field(v, "name"));
    lp_sb_appendf(sb, "\" time=\"%.6f\"", lp_value_as_float(lp_map_get(v, "seconds")));
    const char *tag = strcmp(status, "FAIL") == 0      ? "failure"
                      : strcmp(status, "ERROR") == 0   ? "error"
                      : strcmp(status, "NOT_RUN") == 0 ? "skipped"
                                                       : NULL;
    if (!tag) {
        lp_sb_append(sb, "/>\n");
        return;
    }
    lp_sb_appendf(sb, ">\n      <%s message=\"", tag);
    xml_escape(sb, msg);
    lp_sb_appendf(sb, "\" type=\"%s\">", status);
    xml_escape(sb, field(v, "location"));
    lp_sb_appendf(sb, "</%s>\n    </testcase>\n", tag);
}

/* Counts of the verdicts of one suite (all when suite is NULL). */
static void count(const lp_value *results, const char *suite, size_t c[4], double *secs)
{
    memset(c, 0, 4 * sizeof *c);
    *secs = 0;
    for (size_t i = 0; i < lp_list_len(results); i++) {
        const lp_value *v = lp_list_get(results, i);
        char *s = suite_of(v);
        bool mine = !suite || (s && strcmp(s, suite) == 0);
        free(s);
        if (!mine) continue;
        const char *st = field(v, "status");
        c[0]++;
        c[1] += strcmp(st, "FAIL") == 0;
        c[2] += strcmp(st, "ERROR") == 0;
        c[3] += strcmp(st, "NOT_RUN") == 0;
        *secs += lp_value_as_float(lp_map_get(v, "seconds"));
    }
}

static void write_suite(lp_sb *sb, const lp_value *results, const char *suite)
{
    size_t c[4];
    double secs;
    count(results, suite, c, &secs);
    lp_sb_append(sb, "  <testsuite name=\"");
    xml_escape(sb, suite);
    lp_sb_appendf(sb,
                  "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\" "
                  "time=\"%.6f\">\n",
                  c[0], c[1], c[2], c[3], secs);
    for (size_t i = 0; i < lp_list_len(results); i++) {
        const lp_value *v = lp_list_get(results, i);
        char *s = suite_of(v);
        if (s && strcmp(s, suite) == 0) write_case(sb, v);
        free(s);
    }
    lp_sb_append(sb, "  </testsuite>\n");
}

/* Whether the suite of verdict i appeared in an earlier verdict. */
static bool seen_before(const lp_value *results, size_t i, const char *suite)
{
    for (size_t j = 0; j < i; j++) {
        char *s = suite_of(lp_list_get(results, j));
        bool same = s && strcmp(s, suite) == 0;
        free(s);
        if (same) return true;
    }
    return false;
}

static char *render(const lp_value *results, const char *name)
{
    size_t c[4];
    double secs;
    count(results, NULL, c, &secs);
    lp_sb sb = {0};
    lp_sb_append(&sb, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"");
    xml_escape(&sb, name);
    lp_sb_appendf(&sb,
                  "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\" "
                  "time=\"%.6f\">\n",
                  c[0], c[1], c[2], c[3], secs);
    for (size_t i = 0; i < lp_list_len(results); i++) {
        char *s = suite_of(lp_list_get(results, i));
        if (s && !seen_before(results, i, s)) write_suite(&sb, results, s);
        free(s);
    }
    lp_sb_append(&sb, "</testsuites>\n");
    if (sb.oom) {
        lp_sb_free(&sb);
        return NULL;
    }
    return lp_sb_take(&sb);
}

int lp_junit_write(const lp_value *results, const char *suite, const char *path)
{
    if (!path || lp_value_type(results) != LP_LIST)
        return lp_error_set(LP_EINVAL, "lp_junit_write: a path and a list of results are needed");
    char *text = render(results, suite ? suite : "lolpop");
    if (!text) return lp_error_set(LP_ENOMEM, "out of memory writing JUnit XML");
    int rc = lp_file_write_atomic(path, text, strlen(text));
    free(text);
    return rc;
}
