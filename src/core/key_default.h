/*
 * key_default.h — the default a configuration key's doc states (issue 11
 * Fix 14). lp_config_key's layout is frozen (plugin ABI), so a key's default
 * lives in its doc text, by one convention that built-ins and plugins share:
 *
 *   "... (default: VALUE)"   or "(default VALUE)"
 *   "...; default VALUE"     or ", default VALUE" (to the end or the next ';' / ')')
 *   "VALUE (default) or ..." (one of several alternatives; "(default; why)" too)
 *
 * A map-valued key states no default of its own (a default in its doc is one
 * of its entries'), and neither does text inside {...} or [...]. A class's
 * defaults_yaml, which the configuration really merges under, wins over the
 * doc. Not public API: `lolpop classes show` reads it, docs/plugins.md
 * describes the convention.
 */
#ifndef LP_KEY_DEFAULT_H
#define LP_KEY_DEFAULT_H

#include "lolpop/class.h"

/* The default that `doc` states for a key of `type` ("map" states none), by
 * the convention above: a new string, or NULL when the doc states none (or
 * on OOM). */
char *lp_key_doc_default(const char *doc, const char *type);

/* The default of `cls`'s documented key `k`: its value in the class's
 * defaults_yaml (`defaults`, parsed by the caller; may be NULL) as one line,
 * else what its doc states. A new string, or NULL when there is none. */
char *lp_key_default(const lp_config_key *k, const lp_value *defaults);

#endif
