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
    uint32_t abi_version; /* layout version; leave 0 (see abi.h) */
} lp_command;

/* New empty registry holding the built-in types (not classes). NULL on OOM. */
lp_registry *lp_registry_new(void);
/* Frees the registry and unloads the plugins it loaded. Accepts NULL. */
void lp_registry_free(lp_registry *reg);

/* Registration. Each returns 0, or LP_EEXISTS for a duplicate name, or
 * LP_EINVAL for a descriptor that breaks its contract (message says which)
 * or was written for an ABI this lolpop does not read (abi.h).
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

/* ---- configuration sections and role slots owned by other layers ---------
 * Validation (lp_workflow_validate) knows the keys config, component,
 * pipeline and plugin_paths, and that a slot holds a component of the type it
 * is named after. A layer or plugin that gives meaning to another section key
 * (the testing framework: `tests:`) or to a slot named for a role
 * (`test_logger` holds a logger) declares it here; validation then asks it. */

/* Checks the value of a section key registered with
 * lp_registry_add_section_validator. `cls` is the section's class (NULL when
 * it is unknown), `section` names the section for messages (its path such as
 * "process.data_transformer", or the runner's class name at the root),
 * `value` (borrowed) is the key's value. Every problem goes to `diags` with
 * its file position. */
typedef void (*lp_section_validator_fn)(const lp_class *cls, const char *section,
                                        const lp_value *value, lp_diags *diags);

/* Makes `key` (copied; an identifier other than config, component, pipeline
 * and plugin_paths) a valid key of every section, checked by `fn`. 0,
 * LP_EEXISTS when the key already has a validator, LP_EINVAL otherwise. */
int lp_registry_add_section_validator(lp_registry *reg, const char *key,
                                      lp_section_validator_fn fn);
/* Declares that a slot named `slot` (copied; an identifier that is no type's
 * name) holds a component of the registered component type `type` (copied).
 * 0, LP_EEXISTS when the slot already has a role, LP_EINVAL otherwise. */
int lp_registry_add_slot_role(lp_registry *reg, const char *slot, const char *type);

/* ---- default slots ----------------------------------------------------------
 * A default slot is a component every workflow's root gets when its
 * configuration declares nothing under that name. The built-in plugin
 * registers logger -> StdOutLogger, notifier -> StdOutNotifier and
 * metadata_tracker -> LocalMetadataTracker; a plugin registers its own the
 * same way, from its init. Slot names compare ignoring ASCII case. */

/* Registers `slot` (an identifier that is not a section key such as config,
 * component, pipeline, tests or plugin_paths) to be filled with the component
 * class `class_name`, which must be registered already. Both strings are
 * copied. 0; LP_EEXISTS when the slot has a default already (the message
 * names its class and plugin); LP_EINVAL for a bad name or a class that is
 * unknown or not a component. Rolled back with a plugin whose init fails. */
int lp_registry_add_default_slot(lp_registry *reg, const char *slot, const char *class_name);
/* The class name filling default slot `slot` (borrowed), or NULL when none. */
const char *lp_registry_default_slot(const lp_registry *reg, const char *slot);
/* Enumeration in registration order: the name of default slot i (borrowed;
 * NULL past the end) and, in *class_name when not NULL, its class name. */
size_t lp_registry_default_slot_count(const lp_registry *reg);
const char *lp_registry_default_slot_at(const lp_registry *reg, size_t i, const char **class_name);

#ifdef __cplusplus
}
#endif
#endif
