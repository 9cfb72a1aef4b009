/*
 * cli_values.c — values in and out of the command line: --build-args JSON
 * into a map, and documents printed as YAML with each value's origin.
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli.h"
#include "core/internal.h"
#include "core/value_json.h"

lp_value *cli_json_to_map(const char *text, const char *option)
{
    json_error_t err;
    json_t *j = json_loads(text, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &err);
    if (!j) {
        cli_error("option '%s': invalid JSON at line %d, column %d: %s", option, err.line,
                  err.column, err.text);
        return NULL;
    }
    lp_value *v = NULL;
    if (!json_is_object(j))
        cli_error("option '%s': expected a JSON object of named arguments, like '{\"name\": "
                  "\"Ada\"}'",
                  option);
    else if (!(v = lp_value_from_json(j)))
        cli_error("option '%s': out of memory", option);
    json_decref(j);
    return v;
}

/* ---- YAML output ----------------------------------------------------------- */

static bool looks_special(const char *s)
{
    static const char *const words[] = {"null", "~",   "true", "false", "yes",  "no",
                                        "on",   "off", ".inf", "-.inf", ".nan", ""};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (lp_streq_nocase(s, words[i])) return true;
    char *end = NULL;
    strtod(s, &end);
    return end && end != s && *end == '\0';
}

/* Whether s can be printed as a plain YAML scalar and read back the same. */
static bool plain_ok(const char *s, size_t len)
{
    if (len == 0 || strlen(s) != len || looks_special(s)) return false;
    if (strchr("-?:,[]{}#&*!|>'\"%@`", s[0]) || isspace((unsigned char)s[0]) ||
        isspace((unsigned char)s[len - 1]))
        return false;
    for (const char *p = s; *p; p++) {
        if ((unsigned char)*p < 0x20 || *p == 0x7f) return false;
        if ((p[0] == ':' && (p[1] == ' ' || p[1] == '\0')) || (p[0] == ' ' && p[1] == '#'))
            return false;
    }
    return true;
}

static void print_quoted(FILE *out, const char *s, size_t len)
{
    fputc('"', out);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c == '\n')
            fputs("\\n", out);
        else if (c == '\t')
            fputs("\\t", out);
        else if (c < 0x20 || c == 0x7f)
            fprintf(out, "\\x%02x", c);
        else
            fputc(c, out);
    }
    fputc('"', out);
}

static void print_float(FILE *out, double d)
{
    if (isnan(d)) {
        fputs(".nan", out);
        return;
    }
    if (isinf(d)) {
        fputs(d < 0 ? "-.inf" : ".inf", out);
        return;
    }
    char buf[40];
    snprintf(buf, sizeof buf, "%.15g", d);
    if (strtod(buf, NULL) != d) snprintf(buf, sizeof buf, "%.17g", d);
    fputs(buf, out);
    if (!strpbrk(buf, ".eE")) fputs(".0", out); /* keep it a float when read back */
}

static void print_scalar(FILE *out, const lp_value *v)
{
    if (lp_value_origin(v)->from_env) { /* may be a secret: SPEC §11 */
        fputs("'********'", out);
        return;
    }
    switch (lp_value_type(v)) {
    case LP_NULL:
        fputs("null", out);
        break;
    case LP_BOOL:
        fputs(lp_value_as_bool(v) ? "true" : "false", out);
        break;
    case LP_INT:
        fprintf(out, "%lld", (long long)lp_value_as_int(v));
        break;
    case LP_FLOAT:
        print_float(out, lp_value_as_float(v));
        break;
    case LP_STRING: {
        const char *s = lp_value_as_string(v);
        size_t len = lp_value_string_len(v);
        if (plain_ok(s, len))
            fputs(s, out);
        else
            print_quoted(out, s, len);
        break;
    }
    default: {
        char *text = lp_value_to_string(v);
        print_quoted(out, text ? text : "?", text ? strlen(text) : 1);
        free(text);
    }
    }
}

static void print_origin(FILE *out, const lp_value *v, bool origins)
{
    const lp_origin *o = lp_value_origin(v);
    if (origins && o && o->kind != LP_ORIGIN_NONE) {
        char *text = lp_origin_format(o);
        if (text)
            fprintf(out, "  # %s%s", text, o->from_env ? " (from the environment, hidden)" : "");
        free(text);
    }
    fputc('\n', out);
}

static bool is_nonempty_container(const lp_value *v)
{
    lp_vtype t = lp_value_type(v);
    return (t == LP_MAP && lp_map_len(v) > 0) || (t == LP_LIST && lp_list_len(v) > 0);
}

/* Prints v after something already on the line ("key:" or "-"). */
static void print_after(FILE *out, const lp_value *v, int indent, bool origins)
{
    if (is_nonempty_container(v)) {
        fputc('\n', out);
        cli_print_yaml(out, v, indent + 2, origins);
        return;
    }
    fputc(' ', out);
    if (lp_value_type(v) == LP_MAP)
        fputs("{}", out);
    else if (lp_value_type(v) == LP_LIST)
        fputs("[]", out);
    else
        print_scalar(out, v);
    print_origin(out, v, origins);
}

void cli_print_yaml(FILE *out, const lp_value *v, int indent, bool origins)
{
    if (lp_value_type(v) == LP_MAP) {
        for (size_t i = 0; i < lp_map_len(v); i++) {
            const char *key = lp_map_key(v, i);
            fprintf(out, "%*s", indent, "");
            if (plain_ok(key, strlen(key)))
                fputs(key, out);
            else
                print_quoted(out, key, strlen(key));
            fputc(':', out);
            print_after(out, lp_map_value(v, i), indent, origins);
        }
    } else if (lp_value_type(v) == LP_LIST) {
        for (size_t i = 0; i < lp_list_len(v); i++) {
            fprintf(out, "%*s-", indent, "");
            print_after(out, lp_list_get(v, i), indent, origins);
        }
    } else {
        fprintf(out, "%*s", indent, "");
        print_scalar(out, v);
        print_origin(out, v, origins);
    }
}
