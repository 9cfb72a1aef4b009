/*
 * error.h — int error codes plus a thread-local "last error" with context.
 *
 * Every fallible function returns 0 or a negative LP_E* code (or NULL for
 * constructors) and records a message in the calling thread's last error, as
 * libgit2 does. The message carries where the problem is (file:line:col when
 * known) and the dispatcher's call chain at the moment it was set
 * ("ClassificationRunner.train_model → OfflineTrain.train_model").
 * The last error is owned by the library; callers read it, never free it.
 */
#ifndef LOLPOP_ERROR_H
#define LOLPOP_ERROR_H

#include <stdarg.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum lp_error_code {
    LP_OK = 0,
    LP_ERROR = -1,     /* generic failure */
    LP_ENOMEM = -2,    /* out of memory */
    LP_EINVAL = -3,    /* bad argument from a caller */
    LP_ECONFIG = -4,   /* configuration problem (exit code 2) */
    LP_ENOTFOUND = -5, /* a named thing does not exist */
    LP_EEXISTS = -6,   /* a named thing already exists */
    LP_EIO = -7,       /* file or OS error */
    LP_EPLUGIN = -8,   /* plugin could not be loaded */
    LP_EUSAGE = -9,    /* bad command line (exit code 2) */
    LP_EWORKFLOW = -10 /* a workflow step failed (exit code 1) */
} lp_error_code;

typedef struct lp_error {
    int code;            /* one of lp_error_code */
    const char *message; /* the message, without location or context */
    const char *file;    /* source file the problem is in, or NULL */
    int line, col;       /* 1-based; 0 when unknown */
    const char *context; /* dispatcher chain when the error was set, or NULL */
} lp_error;

/* Records a new last error (replacing the old one) and returns `code`. */
int lp_error_set(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int lp_error_setv(int code, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Same, with a location. `file` is copied; it may be NULL. */
int lp_error_set_at(int code, const char *file, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Prepends "prefix: " to the current message (adds context while unwinding). */
void lp_error_prefix(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Borrowed pointer to this thread's last error; never NULL (code 0 when none). */
const lp_error *lp_error_last(void);
/* Formats the last error as "file:line:col: context: message" (new string; caller frees). */
char *lp_error_format(void);
void lp_error_clear(void);

/* Dispatcher call chain (thread-local). push copies `frame`; pop removes the last. */
void lp_error_context_push(const char *frame);
void lp_error_context_pop(void);
/* The current chain joined with " → " (borrowed until next push/pop), "" when empty. */
const char *lp_error_context(void);

#ifdef __cplusplus
}
#endif
#endif
