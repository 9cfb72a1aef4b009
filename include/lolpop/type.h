/*
 * type.h — component and pipeline types: the contract a class of that type
 * fulfils.
 *
 * A type names the methods every class of it must implement, and those it
 * may implement (optional: callers check lp_obj_has_method). Every component
 * type of SPEC §5 and the four pipeline types are declared in core
 * (lp_builtin_types); a plugin may declare its own with lp_registry_add_type.
 * Registering a class whose type lacks one of the contract's methods fails.
 * The per-type headers under lolpop/types/ add typed inline helpers for callers.
 */
#ifndef LOLPOP_TYPE_H
#define LOLPOP_TYPE_H

#include <stddef.h>
#include "class.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct lp_type {
    const char *name; /* "model_trainer", "train" */
    lp_kind kind;     /* LP_KIND_COMPONENT or LP_KIND_PIPELINE */
    const char *doc;
    const char *const *methods; /* NULL-terminated required method names */
    /* NULL-terminated names of methods a class of the type may implement
     * (callers probe them with lp_obj_has_method), or NULL for none. */
    const char *const *optional_methods;
    uint32_t abi_version; /* layout version; leave 0 (see abi.h) */
} lp_type;

/* The built-in types, terminated by an entry with name NULL (static). */
extern const lp_type lp_builtin_types[];

#ifdef __cplusplus
}
#endif
#endif
