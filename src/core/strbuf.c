/*
 * strbuf.c — lp_sb, the growable string buffer (include/lolpop/strbuf.h): an
 * out-of-memory append sets `oom` and is dropped, so builders check once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static bool sb_reserve(lp_sb *sb, size_t extra)
{
    if (sb->oom) return false;
    size_t need = sb->len + extra + 1;
    if (need <= sb->cap) return true;
    size_t cap = sb->cap ? sb->cap : 64;
    while (cap < need)
        cap *= 2;
    char *buf = realloc(sb->buf, cap);
    if (!buf) {
        sb->oom = true;
        return false;
    }
    sb->buf = buf;
    sb->cap = cap;
    return true;
}

LP_API void lp_sb_appendn(lp_sb *sb, const char *s, size_t n)
{
    if (!sb_reserve(sb, n)) return;
    memcpy(sb->buf + sb->len, s, n);
    sb->len += n;
    sb->buf[sb->len] = '\0';
}

LP_API void lp_sb_append(lp_sb *sb, const char *s)
{
    lp_sb_appendn(sb, s, strlen(s));
}

LP_API void lp_sb_putc(lp_sb *sb, char c)
{
    lp_sb_appendn(sb, &c, 1);
}

LP_API void lp_sb_vappendf(lp_sb *sb, const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n < 0 || !sb_reserve(sb, (size_t)n)) return;
    vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
    sb->len += (size_t)n;
}

LP_API void lp_sb_appendf(lp_sb *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    lp_sb_vappendf(sb, fmt, ap);
    va_end(ap);
}

LP_API char *lp_sb_take(lp_sb *sb)
{
    char *s = sb->buf;
    if (!s || sb->oom) {
        free(s);
        s = strdup("");
    }
    sb->buf = NULL;
    sb->len = sb->cap = 0;
    sb->oom = false;
    return s;
}

LP_API void lp_sb_free(lp_sb *sb)
{
    free(sb->buf);
    sb->buf = NULL;
    sb->len = sb->cap = 0;
    sb->oom = false;
}

LP_API void lp_sb_append_html(lp_sb *sb, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&':
            lp_sb_append(sb, "&amp;");
            break;
        case '<':
            lp_sb_append(sb, "&lt;");
            break;
        case '>':
            lp_sb_append(sb, "&gt;");
            break;
        case '"':
            lp_sb_append(sb, "&quot;");
            break;
        default:
            lp_sb_putc(sb, *s);
        }
    }
}
