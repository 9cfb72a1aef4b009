/*
 * plugin.c — registering plugin descriptors and loading plugins from shared
 * objects (plugin.h).
 *
 * Every way in — the built-ins, a plugin file, a directory of them — ends in
 * lp_registry_add_plugin, which checks the ABI version before touching
 * anything else in the descriptor and rolls back whatever a failing plugin
 * registered, so a registry never holds half a plugin.
 */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config_paths.h"
#include "lp_build_config.h"
#include "lolpop/plugin.h"
#include "internal.h"
#include "registry_internal.h"

#define PLUGIN_PATH_ENV "LOLPOP_PLUGIN_PATH"

/* Static; configured at build time (meson's libdir). */
LP_API const char *lp_plugin_dir(void)
{
    return LP_PLUGIN_DIR;
}

/* ---- registering a descriptor ------------------------------------------ */

static bool starts_with(const char *s, const char *prefix)
{
    return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

/* After a failed init: make sure the last error says which plugin failed and
 * why, whatever the plugin itself set. Returns the code to report. */
static int explain_init_failure(const char *source, int rc)
{
    int code = rc < 0 ? rc : LP_EPLUGIN;
    const lp_error *e = lp_error_last();
    if (e->code == 0 || !e->message)
        return lp_error_set(code, "plugin %s: init failed (returned %d) without saying why", source,
                            rc);
    char *own = lp_asprintf("plugin %s: ", source);
    if (!own) return LP_ENOMEM;
    /* Refusals from lp_registry_add_* already name the plugin. */
    if (!starts_with(e->message, own)) lp_error_prefix("plugin %s: init failed", source);
    free(own);
    return code;
}

/* Registers an in-memory plugin. `source` names it in errors and in
 * lp_registry_class_source; copied. */
LP_API int lp_registry_add_plugin(lp_registry *reg, const lp_plugin *plugin, const char *source)
{
    if (!source) source = "(unnamed plugin)";
    if (!reg || !plugin)
        return lp_error_set(LP_EINVAL, "lp_registry_add_plugin: NULL %s for %s",
                            reg ? "plugin" : "registry", source);
    /* First, before reading any other field: their layout may differ. */
    if (plugin->abi_version < LP_ABI_OLDEST || plugin->abi_version > LP_ABI_VERSION)
        return lp_error_set(LP_EPLUGIN,
                            "plugin %s was built for lolpop ABI %u, this lolpop has ABI %u: "
                            "rebuild it against this version",
                            source, (unsigned)plugin->abi_version, (unsigned)LP_ABI_VERSION);
    if (!plugin->init)
        return lp_error_set(LP_EPLUGIN,
                            "plugin %s has no init function: give one to LP_PLUGIN_DEFINE", source);
    lp_reg_mark mark;
    int rc = lp_registry_plugin_begin(reg, source, &mark);
    if (rc != 0) return rc;
    lp_error_clear();
    uint32_t outer_abi = reg->loading_abi; /* a plugin's init may load another */
    reg->loading_abi = plugin->abi_version;
    rc = plugin->init(reg);
    reg->loading_abi = outer_abi;
    size_t refused = reg->failed - mark.failed;
    /* A refusal the init ignored still fails the plugin: half a plugin is
     * worse than none. */
    if (rc == 0 && refused > 0) rc = lp_error_last()->code ? lp_error_last()->code : LP_EPLUGIN;
    if (rc != 0) rc = explain_init_failure(source, rc);
    lp_registry_plugin_end(reg, &mark, rc != 0);
    return rc;
}

/* ---- loading shared objects --------------------------------------------- */

static bool already_loaded(const lp_registry *reg, const char *real)
{
    for (size_t i = 0; i < reg->n_handles; i++)
        if (strcmp(reg->handles[i].realpath, real) == 0) return true;
    return false;
}

/* Appends a handle slot (taking ownership of real on success). */
static int keep_handle(lp_registry *reg, void *dl, char *real)
{
    if (reg->n_handles == reg->cap_handles) {
        size_t cap = reg->cap_handles ? reg->cap_handles * 2 : 8;
        lp_reg_handle *h = realloc(reg->handles, cap * sizeof *h);
        if (!h) return lp_error_set(LP_ENOMEM, "out of memory");
        reg->handles = h;
        reg->cap_handles = cap;
    }
    reg->handles[reg->n_handles++] = (lp_reg_handle){dl, real};
    return 0;
}

/* Closes and forgets the kept handle `dl` (searched from the end: a nested
 * load inside init may have appended others after it). */
static void drop_handle(lp_registry *reg, void *dl)
{
    for (size_t i = reg->n_handles; i-- > 0;) {
        if (reg->handles[i].dl != dl) continue;
        free(reg->handles[i].realpath);
        memmove(&reg->handles[i], &reg->handles[i + 1],
                (reg->n_handles - i - 1) * sizeof *reg->handles);
        reg->n_handles--;
        break;
    }
    dlclose(dl);
}

/* dlopen's message without its leading "<path>: " (we name the path ourselves). */
static const char *dl_reason(const char *real)
{
    const char *e = dlerror();
    if (!e) return "unknown dynamic loader error";
    size_t n = strlen(real);
    if (strncmp(e, real, n) == 0 && e[n] == ':' && e[n + 1] == ' ') return e + n + 2;
    return e;
}

/* Canonical path of the plugin file `path` (caller frees), or NULL with the
 * last error set. */
static char *plugin_realpath(const char *path)
{
    char *real = realpath(path, NULL);
    if (!real) {
        lp_error_set(LP_EPLUGIN, "cannot load plugin %s: %s", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (stat(real, &st) == 0 && S_ISDIR(st.st_mode)) {
        free(real);
        lp_error_set(LP_EPLUGIN, "cannot load plugin %s: it is a directory", path);
        return NULL;
    }
    return real;
}

/* Loads one plugin file; loading the same file twice (by realpath) is a no-op. */
LP_API int lp_registry_load_plugin(lp_registry *reg, const char *path)
{
    if (!reg || !path || !*path)
        return lp_error_set(LP_EINVAL, "lp_registry_load_plugin: %s",
                            reg ? "empty plugin path" : "NULL registry");
    char *real = plugin_realpath(path);
    if (!real) return lp_error_last()->code;
    if (already_loaded(reg, real)) {
        free(real);
        return 0;
    }
    dlerror();
    void *dl = dlopen(real, RTLD_NOW | RTLD_LOCAL);
    if (!dl) {
        int rc = lp_error_set(LP_EPLUGIN, "cannot load plugin %s: %s", path, dl_reason(real));
        free(real);
        return rc;
    }
    const lp_plugin *plugin = dlsym(dl, LP_PLUGIN_SYMBOL);
    if (!plugin) {
        dlclose(dl);
        free(real);
        return lp_error_set(
            LP_EPLUGIN,
            "no entry point '" LP_PLUGIN_SYMBOL "' in %s: define one with LP_PLUGIN_DEFINE", path);
    }
    int rc = keep_handle(reg, dl, real);
    if (rc != 0) {
        dlclose(dl);
        free(real);
        return rc;
    }
    rc = lp_registry_add_plugin(reg, plugin, path);
    if (rc != 0) /* rolled back: nothing points into the object any more */
        drop_handle(reg, dl);
    return rc;
}

void lp_registry_unload_plugins(lp_registry *reg)
{
    for (size_t i = reg->n_handles; i-- > 0;) {
        dlclose(reg->handles[i].dl);
        free(reg->handles[i].realpath);
    }
    free(reg->handles);
    reg->handles = NULL;
    reg->n_handles = reg->cap_handles = 0;
}

/* ---- the search path ---------------------------------------------------- */

typedef struct loader {
    lp_registry *reg;
    lp_diags *diags;
    size_t failures;
    char *first; /* first failure message, for the summary error */
} loader;

__attribute__((format(printf, 3, 4))) static void fail(loader *ld, const lp_origin *where,
                                                       const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    lp_sb sb = {0};
    lp_sb_vappendf(&sb, fmt, ap);
    va_end(ap);
    char *msg = lp_sb_take(&sb);
    lp_diags_add(ld->diags, LP_SEV_ERROR, where, NULL, "%s", msg ? msg : "out of memory");
    if (ld->failures++ == 0)
        ld->first = msg;
    else
        free(msg);
}

static void load_file(loader *ld, const char *path, const lp_origin *where)
{
    if (lp_registry_load_plugin(ld->reg, path) != 0) {
        const char *m = lp_error_last()->message;
        fail(ld, where, "%s", m ? m : "cannot load plugin");
    }
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Names of dir's entries ending in ".so", sorted; NULL-free array of n. */
static char **list_shared_objects(const char *dir, size_t *n, int *err)
{
    *n = 0;
    *err = 0;
    DIR *d = opendir(dir);
    if (!d) {
        *err = errno;
        return NULL;
    }
    char **names = NULL;
    size_t cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len <= 3 || strcmp(e->d_name + len - 3, ".so") != 0) continue;
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            char **grown = realloc(names, cap * sizeof *grown);
            if (!grown) break;
            names = grown;
        }
        if ((names[*n] = lp_strdup(e->d_name)) != NULL) (*n)++;
    }
    closedir(d);
    if (*n) qsort(names, *n, sizeof *names, name_cmp);
    return names;
}

static void load_dir(loader *ld, const char *dir, const lp_origin *where)
{
    size_t n;
    int err;
    char **names = list_shared_objects(dir, &n, &err);
    if (err) fail(ld, where, "cannot read plugin directory %s: %s", dir, strerror(err));
    for (size_t i = 0; i < n; i++) {
        char *path = lp_asprintf("%s/%s", dir, names[i]);
        struct stat st;
        if (path && stat(path, &st) == 0 && !S_ISDIR(st.st_mode)) load_file(ld, path, where);
        free(path);
        free(names[i]);
    }
    free(names);
}

/* One search-path entry: a directory (every *.so in it) or a file. A missing
 * entry is reported as `what` unless `what` is NULL (optional entry). */
static void load_entry(loader *ld, const char *path, const lp_origin *where, const char *what)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        if (what) fail(ld, where, "%s: %s", what, strerror(errno));
        return;
    }
    if (S_ISDIR(st.st_mode))
        load_dir(ld, path, where);
    else
        load_file(ld, path, where);
}

/* `entry` resolved against the directory of the file it was written in, so a
 * config's relative plugin_paths do not depend on the working directory (the
 * rule of every path-valued key, config_paths.h). */
static char *resolve_entry(const char *entry, const lp_origin *o)
{
    return lp_path_relative_to_origin(entry, o);
}

static void load_config_entry(loader *ld, const lp_value *item)
{
    const lp_origin *o = lp_value_origin(item);
    const char *entry = lp_value_as_string(item);
    if (lp_value_type(item) != LP_STRING || !entry || !*entry) {
        fail(ld, o, "plugin_paths entries must be non-empty path strings (got %s)",
             lp_vtype_name(lp_value_type(item)));
        return;
    }
    char *path = resolve_entry(entry, o);
    if (!path) {
        fail(ld, o, "out of memory");
        return;
    }
    char *what =
        strcmp(path, entry) == 0
            ? lp_asprintf("plugin path '%s' (from plugin_paths)", entry)
            : lp_asprintf("plugin path '%s' (from plugin_paths, resolved to %s)", entry, path);
    load_entry(ld, path, o, what ? what : "plugin path");
    free(what);
    free(path);
}

static void load_config_paths(loader *ld, const lp_value *paths)
{
    switch (lp_value_type(paths)) {
    case LP_NULL:
        return;
    case LP_STRING: /* one path written without a list: accept it */
        load_config_entry(ld, paths);
        return;
    case LP_LIST:
        for (size_t i = 0; i < lp_list_len(paths); i++)
            load_config_entry(ld, lp_list_get(paths, i));
        return;
    default:
        fail(ld, lp_value_origin(paths), "plugin_paths must be a list of paths (got %s)",
             lp_vtype_name(lp_value_type(paths)));
    }
}

static void load_env_paths(loader *ld)
{
    const char *env = getenv(PLUGIN_PATH_ENV);
    if (!env || !*env) return;
    const char *p = env;
    for (;;) {
        size_t n = strcspn(p, ":");
        if (n > 0) {
            char *dir = lp_strndup(p, n);
            char *what = dir ? lp_asprintf(PLUGIN_PATH_ENV " entry '%s'", dir) : NULL;
            if (dir) load_entry(ld, dir, NULL, what ? what : PLUGIN_PATH_ENV " entry");
            free(what);
            free(dir);
        }
        if (!p[n]) break;
        p += n + 1;
    }
}

LP_API int lp_registry_load_plugins(lp_registry *reg, const lp_value *plugin_paths, lp_diags *diags)
{
    if (!reg || !diags)
        return lp_error_set(LP_EINVAL, "lp_registry_load_plugins: NULL %s",
                            reg ? "diags" : "registry");
    loader ld = {reg, diags, 0, NULL};
    load_config_paths(&ld, plugin_paths);
    load_env_paths(&ld);
    load_entry(&ld, lp_plugin_dir(), NULL, NULL); /* not installed yet: fine */
    int rc = 0;
    if (ld.failures)
        rc = lp_error_set(LP_EPLUGIN, "%zu plugin problem(s); first: %s", ld.failures,
                          ld.first ? ld.first : "out of memory");
    free(ld.first);
    return rc;
}
