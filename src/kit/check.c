/*
 * check.c — the problems a class's check_config method returns
 * (LP_METHOD_CHECK_CONFIG in include/lolpop/class.h, helpers in
 * include/lolpop/kit.h), and the model-name rule several classes check.
 *
 * A problem is a map {severity: "error"|"warning", message: string}; the
 * message value carries the origin of the configuration value it is about,
 * which validation reports as the problem's position.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "kit/kit_internal.h"

/* Appends {severity, message} with the message at origin o; takes msg. */
static int add_problem(lp_value *problems, int sev, const lp_origin *o, char *msg)
{
    if (!msg) return lp_error_set(LP_ENOMEM, "out of memory");
    lp_value *m = lp_value_string(msg);
    free(msg);
    if (m && o) lp_value_set_origin(m, o);
    lp_value *p =
        m ? lp_kit_result("severity", lp_value_string(sev == LP_SEV_ERROR ? "error" : "warning"),
                          "message", m, (const char *)NULL)
          : NULL;
    if (!p || lp_list_append(problems, p) != 0)
        return lp_error_set(LP_ENOMEM, "out of memory collecting configuration problems");
    return 0;
}

LP_API int lp_kit_check_add(lp_value *problems, int sev, const lp_value *at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    lp_sb sb = {0};
    lp_sb_vappendf(&sb, fmt, ap);
    va_end(ap);
    bool oom = sb.oom;
    char *msg = lp_sb_take(&sb);
    if (oom) {
        free(msg);
        msg = NULL;
    }
    const lp_origin *o = at ? lp_value_origin(at) : NULL;
    if (o && o->kind == LP_ORIGIN_ENV && msg) { /* name the variable, never its value */
        char *named = lp_asprintf("environment variable %s: %s", o->source, msg);
        free(msg);
        msg = named;
    }
    return add_problem(problems, sev, o, msg);
}

LP_API int lp_kit_check_add_error(lp_value *problems)
{
    const lp_error *e = lp_error_last();
    char *msg = lp_strdup(e->message ? e->message : "invalid configuration");
    lp_origin o = {LP_ORIGIN_FILE, e->file ? lp_origin_intern(e->file) : NULL, e->line, e->col, 0};
    lp_error_clear();
    return add_problem(problems, LP_SEV_ERROR, o.source ? &o : NULL, msg);
}

LP_API int lp_kit_check_model_name(const lp_value *name, const char *who)
{
    const char *s = lp_value_as_string(name);
    if (!s)
        return lp_kit_error_at(LP_ECONFIG, name, "%s: model_name must be a string, not %s", who,
                               lp_vtype_name(lp_value_type(name)));
    if (strlen(s) != lp_value_string_len(name))
        return lp_kit_error_at(LP_ECONFIG, name,
                               "%s: model_name contains a NUL byte (after '%s'); a name is text "
                               "without NUL",
                               who, s);
    if (*s && s[0] != '.' && !strchr(s, '/') && !strchr(s, '\\')) return 0;
    return lp_kit_error_at(LP_ECONFIG, name,
                           "%s: model_name '%s' cannot name a model (it must be non-empty, "
                           "without '/' or '\\', and not start with '.')",
                           who, s);
}
