/*
 * class.h — integration classes: static descriptors of components, pipelines
 * and runners.
 *
 * A class is a static, immutable description: name, kind, type, docs, default
 * configuration (YAML text), requirements, documented config keys, the size of
 * its private state, init/fini, and a table of named methods. Classes are
 * registered with lp_registry_add_class (see registry.h), built-ins and plugin
 * classes alike. The registry borrows the descriptor: it must outlive the
 * registry (a static object in the library or plugin).
 */
#ifndef LOLPOP_CLASS_H
#define LOLPOP_CLASS_H

#include <stddef.h>
#include <stdint.h>
#include "abi.h"
#include "value.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct lp_obj lp_obj;

typedef enum lp_kind { LP_KIND_COMPONENT, LP_KIND_PIPELINE, LP_KIND_RUNNER } lp_kind;
const char *lp_kind_name(lp_kind k); /* "component", "pipeline", "runner" */

/* The one method signature (as the CPython C API's): `args` is a borrowed map
 * of named arguments (never NULL; empty when there are none). Returns a new
 * reference to the result — a map for several results, lp_value_null() for
 * nothing — or NULL with the last error set. */
typedef lp_value *(*lp_method_fn)(lp_obj *self, lp_value *args);

typedef struct lp_method {
    const char *name;
    lp_method_fn fn;
    const char *doc; /* one line; args and result names */
} lp_method;

/* A documented configuration key. `type` is one of "string", "int", "float"
 * (ints accepted), "bool", "list", "map", "any"; validation checks it. A
 * default not in the class's defaults_yaml is stated in `doc` as
 * "(default: VALUE)", "; default VALUE" or "VALUE (default)", which
 * `lolpop classes show` lists (docs/plugins.md); the layout stays frozen. */
typedef struct lp_config_key {
    const char *name;
    const char *type;
    const char *doc;
} lp_config_key;

typedef struct lp_class {
    const char *name; /* unique, case-sensitive: "XGBoostModelTrainer" */
    lp_kind kind;
    const char *type; /* component or pipeline type ("model_trainer", "train"); NULL for runners */
    const char *doc;  /* a paragraph for `lolpop classes show` */
    const char *defaults_yaml; /* default config map as YAML text, or NULL */
    /* NULL-terminated. "config.KEY", "component.SLOT", "pipeline.SLOT";
     * alternatives joined by '|' ("config.sql|config.sql_file"). */
    const char *const *requirements;
    const lp_config_key *config_keys; /* terminated by an entry with name NULL; may be NULL */
    const lp_method *methods;         /* terminated by an entry with name NULL */
    size_t state_size;                /* bytes of zeroed private state, see lp_obj_state */
    int (*init)(lp_obj *self);        /* may be NULL; 0 or LP_E* with last error set */
    void (*fini)(lp_obj *self);       /* may be NULL; releases what init acquired */
    uint32_t abi_version;             /* layout version; leave 0 (see abi.h) */
} lp_class;

/* The optional method any class may implement to check its configuration
 * before anything runs: validation (`lolpop config validate RUNNER`,
 * lp_workflow_validate with a runner, and lp_workflow_new, so `run` too)
 * calls it on every object of the tree once the document's own checks are
 * done. It is called on an object that has not been initialised: it may read
 * its configuration (lp_obj_config, the visible components' classes) and,
 * when its args hold check_inputs: true (LP_WF_CHECK_INPUTS), check that the
 * input files it names are readable; it must not use its state, write
 * anything or open stores. Result: null or an empty list
 * when all is well, else a list of problems built with lp_kit_check_add /
 * lp_kit_check_add_error (lolpop/kit.h); NULL with the last error set counts
 * as one error. */
#define LP_METHOD_CHECK_CONFIG "check_config"

/* The method of that name, or NULL. */
const lp_method *lp_class_method(const lp_class *cls, const char *name);
/* The documented key of that name (case-insensitive), or NULL. */
const lp_config_key *lp_class_config_key(const lp_class *cls, const char *name);

#ifdef __cplusplus
}
#endif
#endif
