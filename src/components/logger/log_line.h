/*
 * log_line.h — formatting shared by the built-in loggers (not public API).
 *
 * Both StdOutLogger and FileLogger receive the same arguments from lp_log and
 * the dispatcher — {level: string, message: string, fields: map or null,
 * optionally source: string} — and render the same text line; FileLogger can
 * also render JSON. These helpers keep that format in one place.
 */
#ifndef LP_LOG_LINE_H
#define LP_LOG_LINE_H

#include <stdbool.h>

#include "core/internal.h"
#include "lolpop/log.h"
#include "lolpop/object.h"

/* The parsed arguments of a logger's `log` method (all borrowed from args). */
typedef struct lp_log_args {
    lp_log_level level;
    const char *level_name; /* canonical "INFO" etc. (static) */
    const char *message;    /* never NULL */
    const lp_value *fields; /* a map, or NULL */
    const char *source;     /* "Class path" of the emitter, or NULL */
} lp_log_args;

/* Reads args into *out. Returns 0, or LP_EINVAL with the last error set
 * (naming `cls`) when level or message are missing or wrong. */
int lp_log_args_parse(lp_log_args *out, const lp_value *args, const char *cls);

/* Appends one text line without the trailing newline:
 * "2026-11-27 16:30:01.123 INFO  [Class path] message key=value". `colour`
 * wraps the level name in its ANSI colour. */
void lp_log_format_text(lp_sb *sb, const lp_log_args *a, bool colour);

/* Sets an LP_ECONFIG last error about the configured value v, located where v
 * was set when that is a file (file:line:col), and returns LP_ECONFIG. */
int lp_log_config_error(const lp_value *v, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Reads the level configured for a logger object ("log_level", looked up as
 * every config key; INFO when unset; the program's -q / -v override it). Returns 0 or LP_ECONFIG
 * (error set, located at the value's origin) for an unknown level name. */
int lp_log_configured_level(lp_obj *self, const char *cls, lp_log_level *out);

#endif
