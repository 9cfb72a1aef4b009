/*
 * types/notifier.h — the `notifier` component type: tells people about events and failures
 * (terminal, e-mail, webhook).
 *
 * Contract: every component class of type `notifier` implements these methods
 * (checked by lp_registry_add_class). Arguments and results are named values;
 * a result written "a, b" is a map with those keys. Method names come from
 * SPEC §5 (§6.1 for pipelines); argument and result names are fixed here.
 *
 *   notify(message, level)
 *       sends one notification
 *       message: the text
 *       level: INFO, WARN or ERROR
 *
 * The inline helpers call through the dispatcher (lp_call_with). They borrow
 * their arguments (NULL becomes a null value). Helpers of methods with a result
 * return a new reference, or NULL with the last error set; the others return 0
 * or the negative LP_E* code of the failure.
 */
#ifndef LOLPOP_TYPES_NOTIFIER_H
#define LOLPOP_TYPES_NOTIFIER_H

#include <stdint.h>
#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LP_TYPE_NOTIFIER   "notifier"
#define LP_NOTIFIER_NOTIFY "notify"

/* notify(message, level): sends one notification. */
static inline int lp_notifier_notify(lp_obj *notifier, const char *message, const char *level)
{
    return lp_type_status(lp_call_with(notifier, LP_NOTIFIER_NOTIFY, "message",
                                       lp_type_arg_str(message), "level", lp_type_arg_str(level),
                                       (const char *)NULL));
}

#ifdef __cplusplus
}
#endif
#endif
