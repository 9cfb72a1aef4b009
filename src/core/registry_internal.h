/*
 * registry_internal.h — the registry's layout, shared by registry.c (tables,
 * checks, look-ups) and plugin.c (loading shared objects). Not installed.
 */
#ifndef LP_REGISTRY_INTERNAL_H
#define LP_REGISTRY_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lolpop/registry.h"

/* One registered descriptor (borrowed) and the plugin that registered it
 * (a string owned by the registry's `sources`). */
typedef struct lp_reg_item {
    const void *desc;
    const char *source;
} lp_reg_item;

typedef struct lp_reg_list {
    lp_reg_item *items;
    size_t len, cap;
} lp_reg_list;

/* A loaded shared object, kept open until the registry is freed. */
typedef struct lp_reg_handle {
    void *dl;       /* dlopen handle */
    char *realpath; /* owned; identifies the file to make reloading a no-op */
} lp_reg_handle;

struct lp_registry {
    lp_reg_list types, classes, commands;
    char **sources; /* owned plugin source names, referenced by items */
    size_t n_sources, cap_sources;
    const char *loading; /* source of the plugin whose init runs now, or NULL */
    size_t failed;       /* registrations refused while `loading` was set */
    lp_reg_handle *handles;
    size_t n_handles, cap_handles;
    uint32_t loading_abi; /* lp_plugin.abi_version of `loading`; 0 outside plugins */
};

/* State saved by lp_registry_plugin_begin, restored by _end. */
typedef struct lp_reg_mark {
    size_t n_types, n_classes, n_commands, failed;
    const char *prev_loading;
} lp_reg_mark;

/* Marks `source` (copied) as the plugin being registered. 0 or LP_ENOMEM. */
int lp_registry_plugin_begin(lp_registry *reg, const char *source, lp_reg_mark *mark);
/* Ends the registration begun with `mark`. With `rollback` every type, class
 * and command added since begin is removed again (a failed plugin leaves no
 * trace). The number refused since begin is reg->failed - mark->failed,
 * read before calling this. */
void lp_registry_plugin_end(lp_registry *reg, const lp_reg_mark *mark, bool rollback);

/* Implemented in plugin.c: closes every kept handle (last, after the tables
 * that point into them are gone) and frees the array. */
void lp_registry_unload_plugins(lp_registry *reg);

#endif
