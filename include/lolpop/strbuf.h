/*
 * strbuf.h — lp_sb, the growable string buffer liblolpop builds its messages
 * with, for plugins and embedding programs too (part of the author's kit,
 * include/lolpop/kit.h).
 *
 * Zero-initialise (`lp_sb sb = {0};`), then append; every append keeps the
 * text NUL-terminated. On out of memory the appends that follow are dropped
 * and `oom` is set, so a builder needs one check at the end, not one per
 * append. The buffer owns its text until lp_sb_take hands it over.
 */
#ifndef LOLPOP_STRBUF_H
#define LOLPOP_STRBUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct lp_sb {
    char *buf;       /* the text so far (NULL while empty); owned by the buffer */
    size_t len, cap; /* bytes used (without the NUL) and allocated */
    bool oom;        /* an append ran out of memory (and was dropped) */
} lp_sb;

/* Appends the NUL-terminated string s (not NULL). */
void lp_sb_append(lp_sb *sb, const char *s);
/* Appends the first n bytes of s. */
void lp_sb_appendn(lp_sb *sb, const char *s, size_t n);
/* Appends printf-formatted text. */
void lp_sb_appendf(lp_sb *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends printf-formatted text from a va_list (ap is consumed). */
void lp_sb_vappendf(lp_sb *sb, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Appends one character. */
void lp_sb_putc(lp_sb *sb, char c);
/* Appends s (NULL appends nothing) with &, <, > and " escaped, for HTML and
 * SVG text and attribute values. */
void lp_sb_append_html(lp_sb *sb, const char *s);
/* Hands the text to the caller (malloc'ed, caller frees; "" when empty or after
 * out of memory, NULL only when even that fails) and resets the buffer. */
char *lp_sb_take(lp_sb *sb);
/* Frees the text and resets the buffer (for a builder that is abandoned). */
void lp_sb_free(lp_sb *sb);

#ifdef __cplusplus
}
#endif
#endif
