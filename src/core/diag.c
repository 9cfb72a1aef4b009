/*
 * diag.c — collecting and printing configuration problems.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "lolpop/diag.h"

LP_API void lp_diags_init(lp_diags *d)
{
    memset(d, 0, sizeof *d);
}

LP_API void lp_diags_clear(lp_diags *d)
{
    for (size_t i = 0; i < d->len; i++) {
        free(d->items[i].section);
        free(d->items[i].message);
    }
    free(d->items);
    memset(d, 0, sizeof *d);
}

void lp_diags_addv(lp_diags *d, lp_severity sev, const lp_origin *where, const char *section,
                   const char *fmt, va_list ap)
{
    if (d->len == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 8;
        lp_diag *items = realloc(d->items, cap * sizeof *items);
        if (!items) return;
        d->items = items;
        d->cap = cap;
    }
    char *msg = NULL;
    int n = vasprintf(&msg, fmt, ap);
    char *sec = strdup(section ? section : "");
    if (n < 0 || !sec) {
        free(sec);
        if (n >= 0) free(msg);
        return;
    }
    lp_diag *item = &d->items[d->len++];
    item->severity = sev;
    if (where)
        item->where = *where;
    else
        memset(&item->where, 0, sizeof item->where);
    item->section = sec;
    item->message = msg;
}

LP_API void lp_diags_add(lp_diags *d, lp_severity sev, const lp_origin *where, const char *section,
                         const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    lp_diags_addv(d, sev, where, section, fmt, ap);
    va_end(ap);
}

static size_t count(const lp_diags *d, lp_severity sev)
{
    size_t n = 0;
    for (size_t i = 0; i < d->len; i++)
        n += d->items[i].severity == sev;
    return n;
}

LP_API size_t lp_diags_errors(const lp_diags *d)
{
    return count(d, LP_SEV_ERROR);
}

LP_API size_t lp_diags_warnings(const lp_diags *d)
{
    return count(d, LP_SEV_WARNING);
}

LP_API void lp_diags_print(const lp_diags *d, FILE *out, int color)
{
    for (size_t i = 0; i < d->len; i++) {
        const lp_diag *it = &d->items[i];
        bool err = it->severity == LP_SEV_ERROR;
        char *where = it->where.kind != LP_ORIGIN_NONE ? lp_origin_format(&it->where) : NULL;
        if (where) fprintf(out, "%s: ", where);
        if (color)
            fprintf(out, err ? "\033[1;31merror\033[0m: " : "\033[1;33mwarning\033[0m: ");
        else
            fprintf(out, err ? "error: " : "warning: ");
        if (it->section[0]) fprintf(out, "[%s] ", it->section);
        fprintf(out, "%s\n", it->message);
        free(where);
    }
}
