/*
 * log_line.c — the text line format shared by the built-in loggers.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log_line.h"
#include "lolpop/error.h"
#include "lolpop/value.h"

int lp_log_args_parse(lp_log_args *out, const lp_value *args, const char *cls)
{
    memset(out, 0, sizeof *out);
    const char *level = lp_value_as_string(lp_map_get(args, "level"));
    if (!level)
        return lp_error_set(LP_EINVAL, "%s.log: argument 'level' (a string) is required", cls);
    if (lp_log_level_parse(level, &out->level) != 0)
        return lp_error_set(LP_EINVAL, "%s.log: unknown level '%s'", cls, level);
    out->level_name = lp_log_level_name(out->level);
    const lp_value *msg = lp_map_get(args, "message");
    out->message = lp_value_as_string(msg);
    if (!out->message) {
        if (msg && lp_value_type(msg) != LP_NULL)
            return lp_error_set(LP_EINVAL, "%s.log: argument 'message' must be a string", cls);
        out->message = "";
    }
    const lp_value *fields = lp_map_get(args, "fields");
    out->fields = lp_value_type(fields) == LP_MAP ? fields : NULL;
    out->source = lp_value_as_string(lp_map_get(args, "source"));
    return 0;
}

static const char *level_colour(lp_log_level level)
{
    switch (level) {
    case LP_LOG_TRACE:
        return "\033[2m"; /* dim */
    case LP_LOG_DEBUG:
        return "\033[36m"; /* cyan */
    case LP_LOG_INFO:
        return "\033[32m"; /* green */
    case LP_LOG_WARN:
        return "\033[33m"; /* yellow */
    case LP_LOG_ERROR:
        return "\033[1;31m"; /* bold red */
    }
    return "";
}

/* Strings print bare unless they would be ambiguous in key=value form. */
static void append_field_value(lp_sb *sb, const lp_value *v)
{
    const char *s = lp_value_as_string(v);
    if (s && *s && !strpbrk(s, " \t\n\"=")) {
        lp_sb_append(sb, s);
        return;
    }
    char *text = lp_value_to_string(v);
    lp_sb_append(sb, text ? text : "?");
    free(text);
}

void lp_log_format_text(lp_sb *sb, const lp_log_args *a, bool colour)
{
    lp_log_timestamp(sb);
    lp_sb_putc(sb, ' ');
    if (colour)
        lp_sb_appendf(sb, "%s%-5s\033[0m", level_colour(a->level), a->level_name);
    else
        lp_sb_appendf(sb, "%-5s", a->level_name);
    if (a->source && *a->source) lp_sb_appendf(sb, " [%s]", a->source);
    lp_sb_putc(sb, ' ');
    lp_sb_append(sb, a->message);
    size_t n = lp_map_len(a->fields);
    for (size_t i = 0; i < n; i++) {
        lp_sb_appendf(sb, " %s=", lp_map_key(a->fields, i));
        append_field_value(sb, lp_map_value(a->fields, i));
    }
}

int lp_log_config_error(const lp_value *v, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = lp_error_setv_at_value(LP_ECONFIG, v, fmt, ap);
    va_end(ap);
    return rc;
}

int lp_log_configured_level(lp_obj *self, const char *cls, lp_log_level *out)
{
    *out = LP_LOG_INFO;
    lp_value *v = lp_obj_config(self, "log_level");
    lp_log_level forced; /* the program's -q / -v win over the configuration */
    if (lp_log_level_override(&forced)) {
        *out = forced;
        lp_value_unref(v);
        return 0;
    }
    if (!v) return 0;
    const char *name = lp_value_as_string(v);
    int rc = 0;
    if (!name || lp_log_level_parse(name, out) != 0) {
        char *text = lp_value_to_string(v);
        rc =
            lp_log_config_error(v, "%s: log_level %s is not one of TRACE, DEBUG, INFO, WARN, ERROR",
                                cls, text ? text : "?");
        free(text);
    }
    lp_value_unref(v);
    return rc;
}
