/*
 * types/common.h — what the per-type contract headers share: turning a C
 * caller's borrowed arguments into the new references lp_call_with takes, and
 * a result into a status code for methods whose result is not used.
 */
#ifndef LOLPOP_TYPES_COMMON_H
#define LOLPOP_TYPES_COMMON_H

#include "../dispatch.h"
#include "../error.h"
#include "../value.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A borrowed value as a new reference; NULL becomes null. */
static inline lp_value *lp_type_arg(lp_value *v)
{
    return v ? lp_value_ref(v) : lp_value_null();
}

/* A C string as a new string value (copied); NULL becomes null. */
static inline lp_value *lp_type_arg_str(const char *s)
{
    return s ? lp_value_string(s) : lp_value_null();
}

/* Consumes a method's result: 0 when the call succeeded, else the last
 * error's code (LP_ERROR if a failing method set none). */
static inline int lp_type_status(lp_value *result)
{
    if (!result) {
        int code = lp_error_last()->code;
        return code ? code : LP_ERROR;
    }
    lp_value_unref(result);
    return 0;
}

#ifdef __cplusplus
}
#endif
#endif
