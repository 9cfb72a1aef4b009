/*
 * config_paths.h — the one rule for path-valued configuration keys (issue 11
 * Fix 2): a relative path is relative to the file that set it (configuration
 * file, overlay, test plan); a value from --set or the environment is
 * relative to the working directory. Not public API.
 */
#ifndef LP_CONFIG_PATHS_H
#define LP_CONFIG_PATHS_H

#include <stdbool.h>

#include "lolpop/value.h"

/* Where a path-valued key lives and what it holds. */
typedef struct lp_path_key {
    const char *name; /* the key, anywhere in the document */
    bool output;      /* a run's product: test workflow moves it to its scratch copy */
    bool maybe_table; /* may name a table or query: only file-like values are paths */
    const char *what; /* one line for the docs and `classes show` */
} lp_path_key;

/* The path-valued keys that lp_config_load resolves (NULL-terminated table,
 * static). plugin_paths, `hook: FILE:FUNCTION` and StepRunner's `data:` follow
 * the same rule where they are read (plugin.c, c_hook.c, step_runner.c). */
const lp_path_key *lp_config_path_keys(void);

/* The path-valued key of that name (case-insensitive), or NULL. */
const lp_path_key *lp_config_path_key(const char *name);

/* `rel` resolved against the directory of the file `o` names; unchanged when
 * absolute or when `o` is not a file. New string, NULL on OOM. */
char *lp_path_relative_to_origin(const char *rel, const lp_origin *o);

/* Rewrites, in place, every string value of a path-valued key in `doc` (and
 * the strings of a map or list under it) that is relative: against the
 * directory of its origin file. With `cwd` non-NULL, values that stay
 * relative (--set, environment, a file in the working directory) are then
 * prefixed with `cwd`. Origins are kept. 0, or LP_ENOMEM. */
int lp_config_resolve_paths(lp_value *doc, const char *cwd);

/* For a scratch run (lolpop test workflow): every value of an output key
 * (which must be absolute, see lp_config_resolve_paths with cwd) becomes
 * `root` + that path. *moved gets a new list of {from, to} maps, one per
 * rewritten value, so the caller can copy what exists. 0, or LP_ENOMEM. */
int lp_config_reroot_outputs(lp_value **moved, lp_value *doc, const char *root);

#endif
