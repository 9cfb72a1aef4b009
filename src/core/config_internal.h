/*
 * config_internal.h — helpers shared by yaml.c, config.c, config_env.c and
 * config_refs.c; not public API.
 */
#ifndef LP_CONFIG_INTERNAL_H
#define LP_CONFIG_INTERNAL_H

#include <stddef.h>

#include "internal.h"
#include "lolpop/diag.h"
#include "lolpop/value.h"

/* Guards against pathological documents: nesting deeper than this is an
 * error, and so is a document (after alias and merge-key expansion, or after
 * reference resolution) holding more values than LP_CONFIG_MAX_NODES. */
#define LP_CONFIG_MAX_DEPTH 256
#define LP_CONFIG_MAX_NODES 1000000

/* Parses YAML text holding one value of any type (a --set right-hand side).
 * Every value's origin is `*origin` (whose source must be interned); problems
 * are reported under `section` (the path being set). Empty text is null.
 * Returns 0 and a new reference in *out, or LP_ECONFIG / LP_ENOMEM with the
 * problems in diags. */
int lp_yaml_parse_value(lp_value **out, const char *text, size_t len, const lp_origin *origin,
                        const char *section, lp_diags *diags);

/* Records the first error diagnostic at index >= first as the thread's last
 * error (location, section, message) and returns `code` (LP_ENOMEM is
 * returned untouched: its last error is already set). */
int lp_config_set_last_error(const lp_diags *d, size_t first, int code);

/* Appends one path segment to a dotted section path ("a" + "b" -> "a.b"). */
void lp_config_path_push(lp_sb *path, const char *segment);
/* Truncates `path` back to `len` bytes (undoes lp_config_path_push). */
void lp_config_path_pop(lp_sb *path, size_t len);

#endif
