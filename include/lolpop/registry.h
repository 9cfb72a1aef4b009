/*
 * registry.h — the table of known types, classes, plugin CLI commands and
 * providers (model back-ends, feature-state appliers, ...).
 *
 * One registry is built at start-up and is read-only afterwards. Built-in
 * classes enter it through exactly the path a plugin uses: a lp_plugin
 * descriptor whose init function calls lp_registry_add_* (see plugin.h).
 * The registry borrows every descriptor given to it; descriptors must outlive
 * it (plugins are never unloaded while the registry lives).
 */
#ifndef LOLPOP_REGISTRY_H
#define LOLPOP_REGISTRY_H

#include <stddef.h>
#include "class.h"
#include "diag.h"
#include "type.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct lp_registry lp_registry;

/* A command run by `lolpop extension NAME ARGS…`. argv[0] is NAME. Returns the
 * process exit code (0 ok, 1 failure, 2 usage). */
typedef struct lp_command {
    const char *name;
    const char *summary; /* one line for `lolpop --help` */
    int (*run)(int argc, char **argv);
} lp_command;

/* New empty registry holding the built-in types (not classes). NULL on OOM. */
lp_registry *lp_registry_new(void);
/* Frees the registry and unloads the plugins it loaded. Accepts NULL. */
void lp_registry_free(lp_registry *reg);

/* Registration. Each returns 0, or LP_EEXISTS for a duplicate name, or
 * LP_EINVAL for a descriptor that breaks its contract (message says which).
 * The error names the plugin currently being loaded, if any. */
int lp_registry_add_type(lp_registry *reg, const lp_type *type);
int lp_registry_add_class(lp_registry *reg, const lp_class *cls);
int lp_registry_add_command(lp_registry *reg, const lp_command *cmd);

/* Look-ups: borrowed, NULL when absent (no error set). Names are case-sensitive. */
const lp_type *lp_registry_find_type(const lp_registry *reg, const char *name);
const lp_class *lp_registry_find_class(const lp_registry *reg, const char *name);
const lp_command *lp_registry_find_command(const lp_registry *reg, const char *name);
/* The plugin (file path, or "builtin") that registered a class; borrowed. */
const char *lp_registry_class_source(const lp_registry *reg, const char *name);

/* Enumeration in registration order. */
size_t lp_registry_class_count(const lp_registry *reg);
const lp_class *lp_registry_class_at(const lp_registry *reg, size_t i);
size_t lp_registry_type_count(const lp_registry *reg);
const lp_type *lp_registry_type_at(const lp_registry *reg, size_t i);
size_t lp_registry_command_count(const lp_registry *reg);
const lp_command *lp_registry_command_at(const lp_registry *reg, size_t i);

/* ---- providers ----------------------------------------------------------
 * A provider is a descriptor the core stores without knowing what it is,
 * filed under a kind and a name: the model back-ends of model.h (kind
 * "model_backend", lp_registry_add_model_backend) and the feature-state
 * appliers of feature_state.h (kind "feature_state") are providers. Use the
 * typed wrappers; these are for the layers that define a kind. `kind`,
 * `name` and `desc` are borrowed and must outlive the registry (static data
 * of the plugin, like class descriptors). */

/* Files desc under (kind, name). 0; LP_EEXISTS when that kind already has
 * that name (the error names the plugin that registered it and, during a
 * plugin's init, the plugin being loaded); LP_EINVAL for an empty kind or
 * name or a NULL desc. A plugin whose init fails leaves no provider. */
int lp_registry_add_provider(lp_registry *reg, const char *kind, const char *name,
                             const void *desc);
/* For typed wrappers that check a descriptor before filing it: refuses it as
 * lp_registry_add_provider refuses one ("plugin P: KIND 'NAME' WHY"; during a
 * plugin's init the plugin then fails to load). Returns code. */
int lp_registry_refuse_provider(lp_registry *reg, int code, const char *kind, const char *name,
                                const char *why);
/* The descriptor filed under (kind, name), borrowed; NULL when absent (no error set). */
const void *lp_registry_find_provider(const lp_registry *reg, const char *kind, const char *name);
/* The plugin (file path, "builtin" or "application") that registered it; borrowed or NULL. */
const char *lp_registry_provider_source(const lp_registry *reg, const char *kind, const char *name);
/* How many providers of `kind` are registered. */
size_t lp_registry_provider_count(const lp_registry *reg, const char *kind);
/* The i-th provider of `kind` in registration order (borrowed; NULL when out
 * of range); its name in *name when name is not NULL. */
const void *lp_registry_provider_at(const lp_registry *reg, const char *kind, size_t i,
                                    const char **name);

/* Up to `max` registered class names closest to `name` (edit distance, case
 * ignored), written as borrowed pointers into out[]. Returns how many. */
size_t lp_registry_suggest_class(const lp_registry *reg, const char *name, const char **out,
                                 size_t max);

#ifdef __cplusplus
}
#endif
#endif
