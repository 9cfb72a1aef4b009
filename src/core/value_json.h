/*
 * value_json.h — lp_value <-> JSON (jansson), one set of rules for every
 * JSON lolpop writes or reads: the metadata store, JSON log lines,
 * deployment bundles, saved models' headers and --build-args (internal; it
 * exposes jansson types, so it is not a public header).
 *
 * Values to JSON: null, bool, int, float, string, list and map map directly
 * (map order kept). What JSON cannot hold — NaN and infinities, a string that
 * is not UTF-8, a handle (frame, model) — becomes null, "<invalid UTF-8>" and
 * the handle's description unless LP_JSON_STRICT asks for a failure instead.
 * JSON to values: the reverse; objects keep their key order.
 */
#ifndef LP_CORE_VALUE_JSON_H
#define LP_CORE_VALUE_JSON_H

#include <jansson.h>

#include "core/internal.h"
#include "lolpop/value.h"

enum lp_json_flags {
    LP_JSON_HIDE_ENV = 1 << 0, /* a value that came from the environment becomes "***" */
    LP_JSON_STRICT = 1 << 1    /* an unrepresentable value fails the conversion (NULL) */
};

/* A new jansson value for v. NULL only on OOM or, with LP_JSON_STRICT, for a
 * value JSON cannot hold (no error set: the caller names the context). */
json_t *lp_json_from_value(const lp_value *v, int flags);

/* A new value for j (borrowed). NULL on OOM (LP_ENOMEM set). */
lp_value *lp_value_from_json(const json_t *j);

#endif
