/*
 * internal.h — helpers shared inside liblolpop; not installed, not public API.
 */
#ifndef LP_INTERNAL_H
#define LP_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "lolpop/diag.h"
#include "lolpop/log.h"
#include "lolpop/progress.h"
#include "lolpop/error.h"
#include "lolpop/registry.h"
#include "lolpop/strbuf.h"
#include "lolpop/value.h"

/* Marks the definition of a function or object declared in include/ (the
 * public API): exported by liblolpop.so. Nothing else carries it; functions
 * shared between the library's files, the CLI and the tests stay hidden and
 * reach those through the internal static library (meson.build).
 * scripts/check-exports (suite lint) fails on an export include/ lacks. */
#define LP_API __attribute__((visibility("default")))

/* lp_sb, the growable string buffer, is public: include/lolpop/strbuf.h. */

/* strdup/asprintf that record LP_ENOMEM on failure and return NULL. */
char *lp_strdup(const char *s);
char *lp_strndup(const char *s, size_t n);
char *lp_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Big arrays (big_alloc.c): malloc / calloc / realloc that ask the kernel for
 * transparent huge pages (MADV_HUGEPAGE) on the whole 2 MiB blocks of
 * allocations of at least LP_BIG_ALLOC_MIN bytes, which cuts their page faults
 * ~500-fold where THP is "madvise". alloc and realloc start such an array at a
 * 2 MiB boundary, so all of it but a partial last block is advised (and never
 * more than was asked for: a huge page is resident whole from its first touch).
 * For arrays the caller fills (nearly) entirely; the result is freed with free().
 * NULL when out of memory (no last error set: the caller names what it allocated). */
#define LP_BIG_ALLOC_MIN ((size_t)2 << 20)
void *lp_mem_alloc_big(size_t bytes);
void *lp_mem_calloc_big(size_t n, size_t size);
void *lp_mem_realloc_big(void *p, size_t bytes);
/* The advice alone, for memory from elsewhere; nothing below LP_BIG_ALLOC_MIN. */
void lp_mem_advise_huge(void *p, size_t bytes);

/* Levenshtein distance ignoring ASCII case (used for "did you mean"). */
size_t lp_edit_distance(const char *a, const char *b);
/* The closest candidate to `word` among `n` candidates, or NULL when none is
 * close enough to be a plausible typo (distance <= max(2, len/3)). Borrowed. */
const char *lp_suggest(const char *word, const char *const *candidates, size_t n);

/* Writes len bytes of data to path atomically: a temp file beside it, fsync,
 * rename (mode 0666 less the umask). 0, or LP_EIO / LP_ENOMEM with the last
 * error naming the file; nothing is left behind on failure (file_write.c). */
int lp_file_write_atomic(const char *path, const void *data, size_t len);

/* Located errors (one implementation; the kit's public lp_kit_error_at and
 * lp_kit_error_at_origin, which code above the kit calls, wrap these).
 * lp_error_setv at origin o's file position (file:line:col in the message)
 * when o is one, else without a position. Returns code. */
int lp_error_setv_at_origin(int code, const lp_origin *o, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
/* lp_error_setv_at_origin at config value v's origin (v may be NULL); for a
 * module's own "prefix, then the caller's format" error helper. Returns code. */
int lp_error_setv_at_value(int code, const lp_value *v, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
/* lp_error_set_at from a va_list. Returns code. */
int lp_error_setv_at(int code, const char *file, int line, int col, const char *fmt, va_list ap)
    __attribute__((format(printf, 5, 0)));

/* A copy of the last error (code 0: there was none), taken by lp_error_save
 * to put back with lp_error_restore after calls that may set their own (a
 * logger's, a tracker's). */
typedef struct lp_saved_error {
    int code;
    char *message, *file, *context;
    int line, col;
} lp_saved_error;
/* Copies the last error into s. */
void lp_error_save(lp_saved_error *s);
/* Sets the saved error again (context included), or clears the last error
 * when none was saved; frees s's copies. */
void lp_error_restore(lp_saved_error *s);

/* lp_diags_add from a va_list (for a module's own "add a problem" helper). */
void lp_diags_addv(lp_diags *d, lp_severity sev, const lp_origin *where, const char *section,
                   const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));

/* ---- the console (log.c, progress.c): settings the program chooses ----
 * The CLI's -q / -v / --log-format are process-wide and set before any
 * workflow is built; every logger and the stderr fallback read them. */
/* level >= 0 replaces every logger's configured log_level (-1: none);
 * json: console log lines are JSON objects. */
void lp_log_console_set(int level_override, bool json);
/* Whether a level override is set (then *out holds it). */
bool lp_log_level_override(lp_log_level *out);
/* Whether console log lines are JSON (--log-format json). */
bool lp_log_json_lines(void);
/* One JSON log line {"ts", "level", "message"[, "source"], "fields"} without
 * the newline (new string, NULL on OOM); fields may be NULL. */
char *lp_log_json_line(lp_log_level level, const char *message, const char *source,
                       const lp_value *fields);
/* Appends "YYYY-MM-DD HH:MM:SS.mmm" (local time, now) to sb. */
void lp_log_timestamp(lp_sb *sb);
/* The failure that ended a workflow's outermost call, for the visible
 * notifier with failure: true (a console notifier skips it: the caller
 * reports the error itself); nothing is printed when there is no notifier. */
void lp_notify_failure(const lp_obj *obj, const char *message);

/* Who receives lp_progress_* reports (the CLI's renderer); fn NULL: nobody
 * (progress reports cost a load and a compare). ctx is borrowed. */
void lp_progress_set_handler(lp_progress_fn fn, void *ctx);

/* 0 when a plugin's provider descriptor of `size` bytes is a `type`
 * ("lp_model_ops") of min to max bytes this lolpop reads; else refuses it
 * (lp_registry_refuse_provider, LP_EINVAL) naming both sizes
 * (registry_provider.c). */
int lp_registry_check_provider_size(lp_registry *reg, const char *kind, const char *name,
                                    const char *type, size_t size, size_t min, size_t max);

/* ASCII case-insensitive comparison helpers. */
bool lp_streq_nocase(const char *a, const char *b);

#endif
