/*
 * log.h — logging and notifying through the visible logger and notifier.
 *
 * Code below the CLI never prints: it calls lp_log, which formats the message
 * only when the visible logger's level lets it through, and hands it to that
 * logger's `log` method. Without a visible logger the message goes to stderr.
 */
#ifndef LOLPOP_LOG_H
#define LOLPOP_LOG_H

#include <stdbool.h>
#include "object.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum lp_log_level {
    LP_LOG_TRACE,
    LP_LOG_DEBUG,
    LP_LOG_INFO,
    LP_LOG_WARN,
    LP_LOG_ERROR
} lp_log_level;

const char *lp_log_level_name(lp_log_level level); /* "TRACE"..."ERROR" (static) */
/* Parses a level name (case-insensitive; "WARNING" accepted). 0 or LP_EINVAL. */
int lp_log_level_parse(const char *name, lp_log_level *out);

/* Whether a message at `level` from obj would be logged (cheap). */
bool lp_log_enabled(const lp_obj *obj, lp_log_level level);
void lp_log(const lp_obj *obj, lp_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Sends a notification through the visible notifier (stderr when none). */
void lp_notify(const lp_obj *obj, lp_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#ifdef __cplusplus
}
#endif
#endif
