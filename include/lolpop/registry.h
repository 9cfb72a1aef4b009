/*
 * registry.h — the table of known types, classes and plugin CLI commands.
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

/* Up to `max` registered class names closest to `name` (edit distance, case
 * ignored), written as borrowed pointers into out[]. Returns how many. */
size_t lp_registry_suggest_class(const lp_registry *reg, const char *name, const char **out,
                                 size_t max);

#ifdef __cplusplus
}
#endif
#endif
