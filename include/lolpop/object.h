/*
 * object.h — instances: one node of a workflow's tree of integrations.
 *
 * An object has a class, a slot name ("model_trainer"), a parent, its config
 * section (borrowed from the workflow's resolved document), its children (the
 * pipelines and components its section declared) and zeroed private state of
 * the class's state_size. Objects are created and destroyed only by their
 * lp_workflow (workflow.h); every pointer returned here is borrowed and lives
 * as long as the workflow.
 */
#ifndef LOLPOP_OBJECT_H
#define LOLPOP_OBJECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "class.h"
#include "value.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct lp_workflow lp_workflow;

const lp_class *lp_obj_class(const lp_obj *obj);
/* Whether obj's class implements `method` (false for NULL): how callers probe
 * a type's optional methods (lp_type.optional_methods) before calling them. */
bool lp_obj_has_method(const lp_obj *obj, const char *method);
const char *lp_obj_name(const lp_obj *obj); /* slot name; the root's is its class name */
/* Dotted path of the section from the root: "train.model_trainer"; "" for the root. */
const char *lp_obj_path(const lp_obj *obj);
lp_obj *lp_obj_parent(const lp_obj *obj); /* NULL for the root */
lp_workflow *lp_obj_workflow(const lp_obj *obj);
void *lp_obj_state(lp_obj *obj); /* the class's private state (state_size bytes) */
/* The object's own section of the document (a map, possibly empty). */
const lp_value *lp_obj_section(const lp_obj *obj);

size_t lp_obj_child_count(const lp_obj *obj);
lp_obj *lp_obj_child_at(const lp_obj *obj, size_t i);

/* The component in `slot` visible from obj (SPEC §2.1): obj's own component
 * children, then those visible to its parent, up to the root. NULL if none. */
lp_obj *lp_obj_component(const lp_obj *obj, const char *slot);
/* obj's own child pipeline in `slot`, or NULL. */
lp_obj *lp_obj_pipeline(const lp_obj *obj, const char *slot);

/* Configuration lookup (SPEC §3): obj's `config` merged over its class
 * defaults, then the parent's, up to the root, then the environment variable
 * LOLPOP_<KEY> (upper case; see lp_config_env_name). Keys are case-insensitive. Returns a new
 * reference, or NULL when not found (no error set). */
lp_value *lp_obj_config(const lp_obj *obj, const char *key);
/* obj's whole effective configuration as one map: every level from the root
 * down to obj, each its class defaults then its `config` (deep-merged, nearer
 * levels win; the environment fallback is not included). New reference; NULL
 * on OOM. */
lp_value *lp_obj_config_map(const lp_obj *obj);
/* Typed shortcuts: the value converted, or `dflt` when not found or of another type. */
int64_t lp_obj_config_int(const lp_obj *obj, const char *key, int64_t dflt);
double lp_obj_config_float(const lp_obj *obj, const char *key, double dflt);
bool lp_obj_config_bool(const lp_obj *obj, const char *key, bool dflt);
/* New string (caller frees) or NULL when not found / not a scalar. */
char *lp_obj_config_string(const lp_obj *obj, const char *key);

#ifdef __cplusplus
}
#endif
#endif
