/*
 * c_hook.c — resolves `hook: FILE:FUNCTION` to a function of a shared object.
 *
 * FILE with a '/' is a path (relative to the configuration file it was written
 * in); a bare name is looked for where plugins are (plugin_paths entries,
 * LOLPOP_PLUGIN_PATH, the installed plugin directory) and finally by dlopen's
 * own search (LD_LIBRARY_PATH, the system). All of this happens before the
 * workflow runs, so a typo costs nothing.
 */
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/config_paths.h"
#include "lolpop/plugin.h"
#include "testing_internal.h"

/* `rel` against the directory of the file `o` names (new string): the rule of
 * every path-valued key (core/config_paths.h). */
static char *relative_to(const char *rel, const lp_origin *o)
{
    return lp_path_relative_to_origin(rel, o);
}

static bool is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static bool is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* `file` inside search entry `entry` (a directory, or a .so whose base name is
 * file). New string, or NULL when not there. */
static char *find_in_entry(const char *entry, const char *file)
{
    if (is_dir(entry)) {
        char *p = lp_asprintf("%s/%s", entry, file);
        if (p && is_file(p)) return p;
        free(p);
        return NULL;
    }
    const char *base = strrchr(entry, '/');
    base = base ? base + 1 : entry;
    return strcmp(base, file) == 0 && is_file(entry) ? lp_strdup(entry) : NULL;
}

static char *find_in_config(const char *file, const lp_value *paths)
{
    size_t n = lp_value_type(paths) == LP_LIST ? lp_list_len(paths) : 0;
    for (size_t i = 0; i < n; i++) {
        const lp_value *e = lp_list_get(paths, i);
        if (lp_value_type(e) != LP_STRING) continue;
        char *entry = relative_to(lp_value_as_string(e), lp_value_origin(e));
        char *hit = entry ? find_in_entry(entry, file) : NULL;
        free(entry);
        if (hit) return hit;
    }
    return NULL;
}

static char *find_in_env(const char *file)
{
    const char *env = getenv("LOLPOP_PLUGIN_PATH");
    for (const char *p = env; p && *p;) {
        size_t n = strcspn(p, ":");
        char *entry = n ? lp_strndup(p, n) : NULL;
        char *hit = entry ? find_in_entry(entry, file) : NULL;
        free(entry);
        if (hit) return hit;
        p += n + (p[n] == ':');
    }
    return NULL;
}

/* Where FILE is; a bare name not found anywhere is returned as is, for dlopen's search. */
static char *locate(const char *file, const lp_origin *where, const lp_value *paths)
{
    if (strchr(file, '/')) return relative_to(file, where);
    char *hit = find_in_config(file, paths);
    if (!hit) hit = find_in_env(file);
    if (!hit) hit = find_in_entry(lp_plugin_dir(), file);
    return hit ? hit : lp_strdup(file);
}

static int keep_handle(void ***dls, size_t *n, void *dl)
{
    void **v = realloc(*dls, (*n + 1) * sizeof *v);
    if (!v) return LP_ENOMEM;
    v[(*n)++] = dl;
    *dls = v;
    return 0;
}

int lp_test_hook_resolve(lp_test_hook *h, const lp_value *plugin_paths, void ***dls, size_t *n_dls,
                         lp_diags *diags)
{
    const char *colon = strrchr(h->spec, ':');
    char *file = lp_strndup(h->spec, (size_t)(colon - h->spec));
    char *path = file ? locate(file, &h->where, plugin_paths) : NULL;
    void *dl = path ? dlopen(path, RTLD_NOW | RTLD_LOCAL) : NULL;
    int rc = 0;
    if (!dl) {
        const char *why = dlerror();
        lp_diags_add(diags, LP_SEV_ERROR, &h->where, h->label,
                     "hook '%s': cannot load '%s': %s (a bare file name is looked for in "
                     "plugin_paths, LOLPOP_PLUGIN_PATH and %s)",
                     h->spec, path ? path : "?", why ? why : "out of memory", lp_plugin_dir());
        rc = LP_ECONFIG;
    } else {
        dlerror();
        void *sym = dlsym(dl, colon + 1);
        if (!sym) {
            lp_diags_add(diags, LP_SEV_ERROR, &h->where, h->label,
                         "hook '%s': %s has no function '%s' (export it with LP_TEST_HOOK)",
                         h->spec, path, colon + 1);
            rc = LP_ECONFIG;
        } else {
            /* POSIX guarantees that a dlsym'ed function pointer round-trips through void *. */
            *(void **)&h->fn = sym;
        }
        if (keep_handle(dls, n_dls, dl) != 0) {
            dlclose(dl);
            rc = lp_error_set(LP_ENOMEM, "out of memory");
        }
    }
    free(path);
    free(file);
    return rc;
}
