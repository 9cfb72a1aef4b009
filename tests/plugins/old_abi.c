/*
 * old_abi.c — a plugin compiled against the ABI 1 headers: its descriptors
 * are hand-written copies of the ABI 1 layouts (lp_plugin unchanged, lp_class
 * without the trailing abi_version). lolpop refuses it before init runs
 * (lolpop/abi.h says why), so the short class is never read.
 */
#include <stddef.h>
#include <stdint.h>

#include "lolpop.h"

/* lp_class as ABI 1 laid it out. */
typedef struct old_class {
    const char *name;
    lp_kind kind;
    const char *type;
    const char *doc;
    const char *defaults_yaml;
    const char *const *requirements;
    const lp_config_key *config_keys;
    const lp_method *methods;
    size_t state_size;
    int (*init)(lp_obj *self);
    void (*fini)(lp_obj *self);
} old_class;

/* lp_plugin as ABI 1 laid it out (the same as now). */
typedef struct old_plugin {
    uint32_t abi_version;
    const char *name;
    const char *version;
    int (*init)(lp_registry *reg);
} old_plugin;

static lp_value *old_log(lp_obj *self, lp_value *args)
{
    (void)self;
    (void)args;
    return lp_value_null();
}

static const lp_method methods[] = {{"log", old_log, "log() -> null"}, {NULL, NULL, NULL}};

static const old_class old_logger = {"OldAbiLogger",
                                     LP_KIND_COMPONENT,
                                     "logger",
                                     "A logger built for ABI 1.",
                                     NULL,
                                     NULL,
                                     NULL,
                                     methods,
                                     0,
                                     NULL,
                                     NULL};

static int old_init(lp_registry *reg)
{
    return lp_registry_add_class(reg, (const lp_class *)(const void *)&old_logger);
}

__attribute__((visibility("default")))
const old_plugin lolpop_plugin = {1u, "old_abi", "1.0.0", old_init};
