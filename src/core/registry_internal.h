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

/* One provider (lp_registry_add_provider): kind, name and descriptor are
 * borrowed from the plugin that registered it. */
typedef struct lp_reg_provider {
    const char *kind, *name;
    const void *desc;
    const char *source;
} lp_reg_provider;

/* A loaded shared object, kept open until the registry is freed. */
typedef struct lp_reg_handle {
    void *dl;       /* dlopen handle */
    char *realpath; /* owned; identifies the file to make reloading a no-op */
} lp_reg_handle;

/* A section key checked by another layer (lp_registry_add_section_validator). */
typedef struct lp_reg_section {
    char *key; /* owned */
    lp_section_validator_fn fn;
    const char *source;
} lp_reg_section;

/* A slot named for a role (lp_registry_add_slot_role). */
typedef struct lp_reg_role {
    char *slot, *type; /* owned */
    const char *source;
} lp_reg_role;
/* A default slot (registry.c): strings owned; source as in lp_reg_item. */
typedef struct lp_reg_slot {
    char *slot, *cls;
    const char *source;
} lp_reg_slot;

struct lp_registry {
    lp_reg_list types, classes, commands;
    lp_reg_provider *providers; /* every kind, in registration order */
    size_t n_providers, cap_providers;
    char **sources; /* owned plugin source names, referenced by items */
    size_t n_sources, cap_sources;
    const char *loading; /* source of the plugin whose init runs now, or NULL */
    size_t failed;       /* registrations refused while `loading` was set */
    lp_reg_handle *handles;
    size_t n_handles, cap_handles;
    lp_reg_section *sections;
    size_t n_sections, cap_sections;
    lp_reg_role *roles;
    size_t n_roles, cap_roles;
    lp_reg_slot *slots; /* default slots, in registration order */
    size_t n_slots, cap_slots;
    uint32_t loading_abi; /* lp_plugin.abi_version of `loading`; 0 outside plugins */
};

/* State saved by lp_registry_plugin_begin, restored by _end. */
typedef struct lp_reg_mark {
    size_t n_types, n_classes, n_commands, failed;
    const char *prev_loading;
    size_t n_sections, n_roles, n_slots, n_providers;
} lp_reg_mark;

/* The plugin registering now, or "application" outside plugins (borrowed). */
const char *lp_registry_source(const lp_registry *reg);
/* Refuses a registration: sets the last error (printf-style), prefixed with
 * the plugin being loaded when there is one, and counts the refusal for
 * lp_registry_plugin_end. Returns code. */
int lp_registry_fail(lp_registry *reg, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Grows *arr (entries of `size` bytes, *cap of them) so that entry `len`
 * fits; 0 or LP_ENOMEM. */
int lp_registry_grow(void **arr, size_t *cap, size_t len, size_t size);

/* Marks `source` (copied) as the plugin being registered. 0 or LP_ENOMEM. */
int lp_registry_plugin_begin(lp_registry *reg, const char *source, lp_reg_mark *mark);
/* Ends the registration begun with `mark`. With `rollback` every type, class,
 * command, section validator, role slot, default slot and provider added since
 * begin is removed again (a failed plugin leaves no trace). The number refused
 * since begin is reg->failed - mark->failed, read before calling this. */
void lp_registry_plugin_end(lp_registry *reg, const lp_reg_mark *mark, bool rollback);

/* The validator registered for section key `key` (case ignored), or NULL. */
lp_section_validator_fn lp_registry_section_validator(const lp_registry *reg, const char *key);
/* Enumeration of the registered section keys, in registration order (borrowed). */
size_t lp_registry_section_count(const lp_registry *reg);
const char *lp_registry_section_at(const lp_registry *reg, size_t i);
/* The component type a slot named for a role holds (case ignored; borrowed),
 * or NULL when `slot` names no role. */
const char *lp_registry_slot_role(const lp_registry *reg, const char *slot);
/* Frees the section validators and role slots from index n_sections / n_roles
 * on (a rolled-back plugin's, or all of them when the registry is freed). */
void lp_registry_drop_extensions(lp_registry *reg, size_t n_sections, size_t n_roles);
/* registry.c: frees the default slots from index `keep` on (all with 0). */
void lp_registry_slots_truncate(lp_registry *reg, size_t keep);

/* Implemented in plugin.c: closes every kept handle (last, after the tables
 * that point into them are gone) and frees the array. */
void lp_registry_unload_plugins(lp_registry *reg);

#endif
