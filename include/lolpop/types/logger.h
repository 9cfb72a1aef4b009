/*
 * types/logger.h — the `logger` component type: writes log records somewhere (terminal, file).
 *
 * Contract: every component class of type `logger` implements these methods
 * (checked by lp_registry_add_class). Arguments and results are named values;
 * a result written "a, b" is a map with those keys. Method names come from
 * SPEC §5 (§6.1 for pipelines); argument and result names are fixed here.
 *
 *   log(level, message, fields, source?)
 *       writes one record
 *       level: TRACE, DEBUG, INFO, WARN or ERROR
 *       message: the text
 *       fields: map of extra key/values, or NULL
 *       source: optional; who logs, "Class path" (lp_log passes it)
 *
 * The inline helpers call through the dispatcher (lp_call_with). They borrow
 * their arguments (NULL becomes a null value). Helpers of methods with a result
 * return a new reference, or NULL with the last error set; the others return 0
 * or the negative LP_E* code of the failure. An argument written "name?" is
 * optional (a caller may leave it out); lp_logger_log_source passes it.
 */
#ifndef LOLPOP_TYPES_LOGGER_H
#define LOLPOP_TYPES_LOGGER_H

#include <stdint.h>
#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LP_TYPE_LOGGER "logger"
#define LP_LOGGER_LOG  "log"

/* log(level, message, fields): writes one record (no source). */
static inline int lp_logger_log(lp_obj *logger, const char *level, const char *message,
                                lp_value *fields)
{
    return lp_type_status(lp_call_with(logger, LP_LOGGER_LOG, "level", lp_type_arg_str(level),
                                       "message", lp_type_arg_str(message), "fields",
                                       lp_type_arg(fields), (const char *)NULL));
}

/* log(level, message, fields, source): writes one record, saying who logs. */
static inline int lp_logger_log_source(lp_obj *logger, const char *level, const char *message,
                                       lp_value *fields, const char *source)
{
    return lp_type_status(lp_call_with(
        logger, LP_LOGGER_LOG, "level", lp_type_arg_str(level), "message", lp_type_arg_str(message),
        "fields", lp_type_arg(fields), "source", lp_type_arg_str(source), (const char *)NULL));
}

#ifdef __cplusplus
}
#endif
#endif
