/*
 * error.c — the thread-local last error and the dispatcher's context chain.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define LP_CONTEXT_MAX 64

typedef struct lp_error_state {
    lp_error err;
    char *message;
    char *file;
    char *context;
    char *frames[LP_CONTEXT_MAX];
    size_t depth; /* frames pushed (may exceed LP_CONTEXT_MAX; extra are not kept) */
    char *joined; /* cache of lp_error_context() */
    bool joined_valid;
} lp_error_state;

static _Thread_local lp_error_state tls;

static void clear_fields(void)
{
    free(tls.message);
    free(tls.file);
    free(tls.context);
    tls.message = tls.file = tls.context = NULL;
    memset(&tls.err, 0, sizeof tls.err);
}

LP_API void lp_error_clear(void)
{
    clear_fields();
}

/* Static fallback so that an out-of-memory error can still be reported. */
static void set_oom(void)
{
    clear_fields();
    tls.err.code = LP_ENOMEM;
    tls.err.message = "out of memory";
}

__attribute__((format(printf, 5, 0))) static int set_common(int code, const char *file, int line,
                                                            int col, const char *fmt, va_list ap)
{
    char *msg = NULL;
    if (vasprintf(&msg, fmt, ap) < 0) {
        set_oom();
        return code;
    }
    char *file_copy = file ? strdup(file) : NULL;
    const char *ctx = lp_error_context();
    char *ctx_copy = ctx[0] ? strdup(ctx) : NULL;
    clear_fields();
    tls.message = msg;
    tls.file = file_copy;
    tls.context = ctx_copy;
    tls.err.code = code;
    tls.err.message = msg;
    tls.err.file = file_copy;
    tls.err.line = line;
    tls.err.col = col;
    tls.err.context = ctx_copy;
    return code;
}

LP_API int lp_error_setv(int code, const char *fmt, va_list ap)
{
    return set_common(code, NULL, 0, 0, fmt, ap);
}

LP_API int lp_error_set(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    set_common(code, NULL, 0, 0, fmt, ap);
    va_end(ap);
    return code;
}

LP_API int lp_error_set_at(int code, const char *file, int line, int col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    set_common(code, file, line, col, fmt, ap);
    va_end(ap);
    return code;
}

int lp_error_setv_at(int code, const char *file, int line, int col, const char *fmt, va_list ap)
{
    return set_common(code, file, line, col, fmt, ap);
}

int lp_error_setv_at_origin(int code, const lp_origin *o, const char *fmt, va_list ap)
{
    /* a --set option is where its value was written: its text stands for the file */
    bool in_file = o && (o->kind == LP_ORIGIN_FILE || o->kind == LP_ORIGIN_SET);
    set_common(code, in_file ? o->source : NULL, in_file ? o->line : 0, in_file ? o->col : 0, fmt,
               ap);
    /* A value from the environment has no line to point at: name the variable
     * (never its value, which may be a secret). */
    if (o && o->kind == LP_ORIGIN_ENV && o->source)
        lp_error_prefix("environment variable %s", o->source);
    return code;
}

int lp_error_setv_at_value(int code, const lp_value *v, const char *fmt, va_list ap)
{
    return lp_error_setv_at_origin(code, v ? lp_value_origin(v) : NULL, fmt, ap);
}

void lp_error_save(lp_saved_error *s)
{
    const lp_error *e = lp_error_last();
    memset(s, 0, sizeof *s);
    s->code = e->code;
    if (!s->code) return;
    s->message = e->message ? strdup(e->message) : NULL;
    s->file = e->file ? strdup(e->file) : NULL;
    s->context = e->context ? strdup(e->context) : NULL;
    s->line = e->line;
    s->col = e->col;
}

/* Restores the saved error, context included: the current chain is a prefix
 * of the saved one whenever the error was set in this call or a deeper one,
 * so the remainder is pushed as one frame while the error is re-set. */
void lp_error_restore(lp_saved_error *s)
{
    if (!s->code) {
        lp_error_clear();
        return;
    }
    const char *cur = lp_error_context();
    const char *ctx = s->context ? s->context : "";
    size_t n = strlen(cur);
    const char *rest = NULL;
    if (strcmp(ctx, cur) == 0)
        rest = "";
    else if (n == 0)
        rest = ctx;
    else if (strncmp(ctx, cur, n) == 0 && strncmp(ctx + n, " → ", strlen(" → ")) == 0)
        rest = ctx + n + strlen(" → ");
    const char *msg = s->message ? s->message : "";
    if (rest && rest[0]) {
        lp_error_context_push(rest);
        lp_error_set_at(s->code, s->file, s->line, s->col, "%s", msg);
        lp_error_context_pop();
    } else if (rest) {
        lp_error_set_at(s->code, s->file, s->line, s->col, "%s", msg);
    } else { /* unrelated chain: keep the old chain in the message */
        lp_error_set_at(s->code, s->file, s->line, s->col, "%s: %s", ctx, msg);
    }
    free(s->message);
    free(s->file);
    free(s->context);
}

LP_API void lp_error_prefix(const char *fmt, ...)
{
    char *prefix = NULL;
    va_list ap;
    va_start(ap, fmt);
    int n = vasprintf(&prefix, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    char *joined = NULL;
    if (asprintf(&joined, "%s: %s", prefix, tls.err.message ? tls.err.message : "") >= 0) {
        free(tls.message);
        tls.message = joined;
        tls.err.message = joined;
    }
    free(prefix);
}

LP_API const lp_error *lp_error_last(void)
{
    return &tls.err;
}

LP_API char *lp_error_format(void)
{
    lp_sb sb = {0};
    const lp_error *e = &tls.err;
    if (e->file) {
        lp_sb_append(&sb, e->file);
        if (e->line > 0) lp_sb_appendf(&sb, ":%d", e->line);
        if (e->col > 0) lp_sb_appendf(&sb, ":%d", e->col);
        lp_sb_append(&sb, ": ");
    }
    if (e->context) {
        lp_sb_append(&sb, e->context);
        lp_sb_append(&sb, ": ");
    }
    lp_sb_append(&sb, e->message ? e->message : "unknown error");
    return lp_sb_take(&sb);
}

LP_API void lp_error_context_push(const char *frame)
{
    if (tls.depth < LP_CONTEXT_MAX) tls.frames[tls.depth] = strdup(frame ? frame : "?");
    tls.depth++;
    tls.joined_valid = false;
}

LP_API void lp_error_context_pop(void)
{
    if (tls.depth == 0) return;
    tls.depth--;
    if (tls.depth < LP_CONTEXT_MAX) {
        free(tls.frames[tls.depth]);
        tls.frames[tls.depth] = NULL;
    }
    tls.joined_valid = false;
    if (tls.depth == 0) { /* release the cache when the outermost call ends */
        free(tls.joined);
        tls.joined = NULL;
    }
}

LP_API const char *lp_error_context(void)
{
    if (tls.depth == 0) return "";
    if (!tls.joined_valid) {
        lp_sb sb = {0};
        size_t kept = tls.depth < LP_CONTEXT_MAX ? tls.depth : LP_CONTEXT_MAX;
        for (size_t i = 0; i < kept; i++) {
            if (i) lp_sb_append(&sb, " → ");
            lp_sb_append(&sb, tls.frames[i] ? tls.frames[i] : "?");
        }
        if (kept < tls.depth) lp_sb_append(&sb, " → …");
        free(tls.joined);
        tls.joined = lp_sb_take(&sb);
        tls.joined_valid = true;
    }
    return tls.joined;
}
