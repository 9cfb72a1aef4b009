/*
 * scaffold_render.c — templates into text: @NAME@ placeholders, sections of
 * a sectioned template, and the names derived from a class name.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "cli/scaffold/scaffold.h"

const char *scaffold_template(const char *name)
{
    for (const scaffold_file *f = scaffold_files; name && f->name; f++)
        if (strcmp(f->name, name) == 0) return f->text;
    return NULL;
}

/* Length of a placeholder name at s ("CLASS" in "CLASS@..."), 0 when s does
 * not start one: upper-case letters, digits and '_', closed by '@'. */
static size_t placeholder_len(const char *s)
{
    size_t n = 0;
    while (isupper((unsigned char)s[n]) || isdigit((unsigned char)s[n]) || s[n] == '_')
        n++;
    return n > 0 && s[n] == '@' ? n : 0;
}

static const char *lookup(const scaffold_var *vars, const char *name, size_t len)
{
    for (const scaffold_var *v = vars; v->name; v++)
        if (strlen(v->name) == len && strncmp(v->name, name, len) == 0) return v->value;
    return NULL;
}

char *scaffold_render(const char *text, const scaffold_var *vars, const char *what)
{
    lp_sb sb = {0};
    for (const char *p = text; *p;) {
        const char *at = strchr(p, '@');
        if (!at) {
            lp_sb_append(&sb, p);
            break;
        }
        lp_sb_appendn(&sb, p, (size_t)(at - p));
        size_t len = placeholder_len(at + 1);
        if (len == 0) { /* a lone '@' (an e-mail address, "@@"): kept as it is */
            lp_sb_putc(&sb, '@');
            p = at + 1;
            continue;
        }
        const char *value = lookup(vars, at + 1, len);
        if (!value) {
            lp_sb_free(&sb);
            lp_error_set(LP_EINVAL, "template %s: unknown placeholder @%.*s@", what, (int)len,
                         at + 1);
            return NULL;
        }
        lp_sb_append(&sb, value);
        p = at + len + 2;
    }
    if (sb.oom) {
        lp_sb_free(&sb);
        lp_error_set(LP_ENOMEM, "out of memory rendering %s", what);
        return NULL;
    }
    return lp_sb_take(&sb);
}

char *scaffold_section(const char *text, const char *name)
{
    size_t nlen = strlen(name);
    for (const char *line = text; line && *line;) {
        const char *eol = strchr(line, '\n');
        if (strncmp(line, "@@", 2) == 0 && strncmp(line + 2, name, nlen) == 0 &&
            (line[2 + nlen] == '\n' || line[2 + nlen] == '\0')) {
            const char *start = eol ? eol + 1 : line + strlen(line);
            const char *end = start;
            while (*end && strncmp(end, "@@", 2) != 0) {
                const char *e = strchr(end, '\n');
                end = e ? e + 1 : end + strlen(end);
            }
            return lp_strndup(start, (size_t)(end - start));
        }
        line = eol ? eol + 1 : NULL;
    }
    return NULL;
}

char *scaffold_snake(const char *name)
{
    lp_sb sb = {0};
    for (size_t i = 0; name[i]; i++) {
        unsigned char c = (unsigned char)name[i];
        if (c == '-') c = '_';
        if (isupper(c)) {
            unsigned char prev = i ? (unsigned char)name[i - 1] : 0;
            unsigned char next = (unsigned char)name[i + 1];
            /* a word starts at "aB" and at the last capital of "ABc" (HTTPServer -> http_server) */
            bool boundary = i > 0 && prev != '_' && prev != '-' &&
                            (islower(prev) || isdigit(prev) || (isupper(prev) && islower(next)));
            if (boundary) lp_sb_putc(&sb, '_');
            c = (unsigned char)tolower(c);
        }
        lp_sb_putc(&sb, (char)c);
    }
    return lp_sb_take(&sb);
}

char *scaffold_upper(const char *name)
{
    char *s = lp_strdup(name);
    for (char *p = s; p && *p; p++)
        *p = (char)toupper((unsigned char)*p);
    return s;
}

bool scaffold_valid_class(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > 64 || !isalpha((unsigned char)name[0])) return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)name[i]) && name[i] != '_') return false;
    return true;
}

bool scaffold_valid_slug(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > 64 || !islower((unsigned char)name[0])) return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)name[i];
        if (!islower(c) && !isdigit(c) && c != '_' && c != '-') return false;
    }
    return true;
}
