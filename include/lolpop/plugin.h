/*
 * plugin.h — the plugin entry point: the small, stable API extension authors use.
 *
 * A plugin is a shared object that defines exactly one descriptor with
 * LP_PLUGIN_DEFINE. On load, lolpop checks the descriptor's ABI version against
 * LP_ABI_VERSION before calling init, which registers the plugin's types,
 * classes and commands. Built-in classes use this same entry point.
 *
 *     static int hello_init(lp_registry *reg) {
 *         return lp_registry_add_class(reg, &hello_greeter_class);
 *     }
 *     LP_PLUGIN_DEFINE("hello", "1.0.0", hello_init)
 *
 * Plugins are found (in this order) in the config's `plugin_paths`, the
 * directories of LOLPOP_PLUGIN_PATH (colon-separated) and the installed plugin
 * directory (lp_plugin_dir()). An entry may be a directory (every *.so in it is
 * loaded, sorted by name) or a path to one .so file.
 */
#ifndef LOLPOP_PLUGIN_H
#define LOLPOP_PLUGIN_H

#include <stdint.h>
#include "abi.h"
#include "diag.h"
#include "registry.h"

#ifdef __cplusplus
extern "C" {
#endif

/* LP_ABI_VERSION and LP_ABI_OLDEST: see abi.h. */
#define LP_PLUGIN_SYMBOL "lolpop_plugin"

typedef struct lp_plugin {
    uint32_t abi_version; /* LP_ABI_VERSION at the plugin's build time */
    const char *name;
    const char *version;
    int (*init)(lp_registry *reg); /* 0, or LP_E* with last error set */
} lp_plugin;

#define LP_PLUGIN_DEFINE(name_, version_, init_)                                                   \
    __attribute__((visibility("default")))                                                         \
    const lp_plugin lolpop_plugin = {LP_ABI_VERSION, name_, version_, init_};

/* Registers a plugin already in memory (what the built-ins use): checks the
 * ABI version, then runs init. `source` names it in errors ("builtin"). */
int lp_registry_add_plugin(lp_registry *reg, const lp_plugin *plugin, const char *source);
/* dlopens `path`, finds LP_PLUGIN_SYMBOL and registers it as above. Errors
 * (not found, not a shared object, no entry point, ABI mismatch, init failed,
 * duplicate class) name the file. */
int lp_registry_load_plugin(lp_registry *reg, const char *path);
/* Loads every plugin of the search path described above. `plugin_paths` is
 * the config's list (may be NULL); relative entries are resolved against the
 * directory of the file they came from. Each failure is added to diags (with
 * the location of the config entry when there is one); returns LP_EPLUGIN if
 * any failed, else 0. */
int lp_registry_load_plugins(lp_registry *reg, const lp_value *plugin_paths, lp_diags *diags);
/* The installed plugin directory ("$prefix/lib/lolpop/plugins"). Static. */
const char *lp_plugin_dir(void);

/* The built-in plugin (all classes shipped in liblolpop). */
extern const lp_plugin lp_builtin_plugin;

#ifdef __cplusplus
}
#endif
#endif
