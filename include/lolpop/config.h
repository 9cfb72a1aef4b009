/*
 * config.h — loading a workflow configuration into one resolved document.
 *
 * lp_config_load reads every file (UTF-8 validated, then parsed by libfyaml),
 * deep-merges them in order (maps merge; lists and scalars replace; a null in
 * a later file removes the key or slot), applies each --set assignment (value
 * parsed as YAML; null or ~ removes the key), replaces ${VAR} and
 * ${VAR:-default} inside strings with the environment, then replaces every
 * "$dotted.path" string with a copy of the value at that path from the root.
 * Every value in the result remembers its origin. All problems are collected
 * in a lp_diags so that a user sees them in one report.
 *
 * The lower-level steps are public so that tests and fuzzers can drive them.
 */
#ifndef LOLPOP_CONFIG_H
#define LOLPOP_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include "diag.h"
#include "value.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct lp_config_input {
    const char *const *files; /* paths, merged in order; may be empty */
    size_t n_files;
    const char *const *sets; /* "a.b.c=value" assignments, applied in order */
    size_t n_sets;
} lp_config_input;

typedef struct lp_config lp_config;

/* Loads and resolves. On success *out is a new config (free with
 * lp_config_free) and 0 is returned; warnings may still be in diags. When any
 * error was found, *out is NULL, every problem is in diags and LP_ECONFIG is
 * returned (the last error summarises the first problem). */
int lp_config_load(lp_config **out, const lp_config_input *in, lp_diags *diags);
void lp_config_free(lp_config *cfg);
/* The resolved document: a map (possibly empty). Borrowed, lives with cfg. */
lp_value *lp_config_root(const lp_config *cfg);

/* Returns true when s[0..len) is valid UTF-8 (no overlongs, surrogates or
 * code points above U+10FFFF). On failure *bad_offset (if not NULL) is set to
 * the offset of the first invalid byte. */
bool lp_utf8_valid(const char *s, size_t len, size_t *bad_offset);

/* Parses YAML text (UTF-8 validated first; a leading BOM is accepted) into a
 * value tree with origins naming `source_name`. An empty document yields an
 * empty map. Returns 0 and a new reference in *out, or LP_ECONFIG with the
 * problems in diags and *out NULL. Multi-document streams are rejected. */
int lp_yaml_parse(lp_value **out, const char *text, size_t len, const char *source_name,
                  lp_diags *diags);
/* Reads `path` and parses it as above; an unreadable file is a diagnostic. */
int lp_yaml_parse_file(lp_value **out, const char *path, lp_diags *diags);

/* The environment variable a config key falls back to: "LOLPOP_" and the key
 * in upper case ("seed" -> "LOLPOP_SEED"). New string (free it), NULL on OOM. */
char *lp_config_env_name(const char *key);
/* Deep-merges `over` into `base` (a map): maps merge key by key, everything
 * else replaces. `over` is only read (values are copied). */
int lp_config_merge(lp_value *base, const lp_value *over);
/* Applies one "a.b.c=value" (value parsed as a YAML scalar or flow
 * collection) to doc, creating intermediate maps; a null value ("null" or
 * "~") removes the key instead. Problems go to diags. */
int lp_config_apply_set(lp_value *doc, const char *assignment, lp_diags *diags);
/* Replaces ${VAR} / ${VAR:-default} in every string of doc; "$${" is a literal
 * "${". An unset variable without a default is a diagnostic. */
int lp_config_interpolate_env(lp_value *doc, lp_diags *diags);
/* Replaces every string of the exact form "$a.b.c" (segments: names, or list
 * indices as decimal numbers) with a copy of the value at that path. Missing
 * targets and cycles are diagnostics naming both ends. "$$x" is a literal "$x". */
int lp_config_resolve_refs(lp_value *doc, lp_diags *diags);
/* Borrowed value at a dotted path ("train.config.metrics.0"), keys matched
 * ignoring case; NULL when absent. */
lp_value *lp_config_path_get(const lp_value *doc, const char *path);

#ifdef __cplusplus
}
#endif
#endif
