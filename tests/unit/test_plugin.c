/*
 * test_plugin.c — registering plugin descriptors and loading plugins from
 * files and search paths, with the exact failure messages users see. The
 * plugins come from tests/plugins (built into LP_BUILD_DIR/tests/plugins).
 */
#include <criterion/criterion.h>
#include <dlfcn.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lolpop.h"

#define PLUGINS      LP_BUILD_DIR "/tests/plugins/"
#define BAD_ABI      PLUGINS "libbad_abi.so"
#define OLD_ABI      PLUGINS "libold_abi.so"
#define NO_ENTRY     PLUGINS "libno_entry.so"
#define DUP_CLASS    PLUGINS "libdup_class.so"
#define BAD_CONTRACT PLUGINS "libbad_contract.so"
#define INIT_FAILS   PLUGINS "libinit_fails.so"
#define GOOD_ONE     PLUGINS "libgood_one.so"
#define GOOD_TWO     PLUGINS "libgood_two.so"

static lp_registry *reg;
static char tmp[64];
static lp_diags diags;

static void setup(void)
{
    unsetenv("LOLPOP_PLUGIN_PATH");
    reg = lp_registry_new();
    cr_assert_not_null(reg);
    lp_diags_init(&diags);
    strcpy(tmp, "/tmp/lp_test_plugin_XXXXXX");
    cr_assert_not_null(mkdtemp(tmp));
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void teardown(void)
{
    lp_diags_clear(&diags);
    lp_registry_free(reg);
    nftw(tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

TestSuite(plugin, .init = setup, .fini = teardown);

#define assert_error(rc_, code_, frag_)                                                            \
    do {                                                                                           \
        int rc__ = (rc_);                                                                          \
        const char *m__ = lp_error_last()->message;                                                \
        cr_assert_eq(rc__, (code_), "rc %d, expected %d (%s)", rc__, (code_), m__ ? m__ : "");     \
        cr_assert(m__ &&strstr(m__, (frag_)), "message '%s' lacks '%s'", m__ ? m__ : "(null)",     \
                  (frag_));                                                                        \
    } while (0)

/* A path inside the test's temporary directory (static buffer per slot). */
static const char *in_tmp(int slot, const char *rel)
{
    static char buf[4][512];
    snprintf(buf[slot], sizeof buf[slot], "%s/%s", tmp, rel);
    return buf[slot];
}

static void make_dir(const char *rel)
{
    cr_assert_eq(mkdir(in_tmp(3, rel), 0755), 0);
}

static void link_to(const char *target, const char *rel)
{
    cr_assert_eq(symlink(target, in_tmp(3, rel)), 0, "symlink %s", rel);
}

static void write_file(const char *rel, const char *text)
{
    FILE *f = fopen(in_tmp(3, rel), "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
}

static bool diags_mention(const char *frag)
{
    for (size_t i = 0; i < diags.len; i++)
        if (strstr(diags.items[i].message, frag)) return true;
    return false;
}

/* ---- in-memory descriptors ---------------------------------------------- */

static lp_value *noop(lp_obj *self, lp_value *args)
{
    (void)self;
    (void)args;
    return lp_value_null();
}

static const lp_method log_methods[] = {{"log", noop, "log()"}, {NULL, NULL, NULL}};
static const lp_class mem_logger = {
    .name = "MemLogger", .kind = LP_KIND_COMPONENT, .type = "logger", .methods = log_methods};
static const lp_class hello_clash = {
    .name = "HelloGreeter", .kind = LP_KIND_COMPONENT, .type = "logger", .methods = log_methods};

static int init_calls;

static int mem_init(lp_registry *r)
{
    init_calls++;
    return lp_registry_add_class(r, &mem_logger);
}

static int clash_init(lp_registry *r)
{
    return lp_registry_add_class(r, &hello_clash);
}

/* Registers a class, then ignores the refusal of a second one. */
static int sloppy_init(lp_registry *r)
{
    lp_registry_add_class(r, &mem_logger);
    lp_registry_add_class(r, &mem_logger);
    return 0;
}

static int silent_fail_init(lp_registry *r)
{
    (void)r;
    return 5;
}

Test(plugin, in_memory_plugin_registers_with_its_source)
{
    const lp_plugin p = {LP_ABI_VERSION, "mem", "1.0", mem_init};
    cr_assert_eq(lp_registry_add_plugin(reg, &p, "mem-source"), 0);
    cr_assert_eq(init_calls, 1);
    cr_assert_eq(lp_registry_find_class(reg, "MemLogger"), &mem_logger);
    cr_assert_str_eq(lp_registry_class_source(reg, "MemLogger"), "mem-source");
}

Test(plugin, abi_is_checked_before_init)
{
    const lp_plugin p = {LP_ABI_VERSION + 1, "mem", "1.0", mem_init};
    assert_error(lp_registry_add_plugin(reg, &p, "future.so"), LP_EPLUGIN,
                 "plugin future.so was built for lolpop ABI 3, this lolpop has ABI 2: rebuild it "
                 "against this version");
    cr_assert_eq(init_calls, 0);
    cr_assert_eq(lp_registry_class_count(reg), 0);
}

Test(plugin, null_init_and_null_plugin)
{
    const lp_plugin p = {LP_ABI_VERSION, "mem", "1.0", NULL};
    assert_error(lp_registry_add_plugin(reg, &p, "noinit"), LP_EPLUGIN,
                 "plugin noinit has no init function");
    assert_error(lp_registry_add_plugin(reg, NULL, "nothing"), LP_EINVAL, "NULL plugin");
}

Test(plugin, failed_init_is_rolled_back)
{
    const lp_plugin sloppy = {LP_ABI_VERSION, "sloppy", "1.0", sloppy_init};
    assert_error(lp_registry_add_plugin(reg, &sloppy, "sloppy.so"), LP_EEXISTS,
                 "plugin sloppy.so: class 'MemLogger' is already registered by sloppy.so");
    cr_assert_null(lp_registry_find_class(reg, "MemLogger"));
    const lp_plugin silent = {LP_ABI_VERSION, "silent", "1.0", silent_fail_init};
    assert_error(lp_registry_add_plugin(reg, &silent, "silent.so"), LP_EPLUGIN,
                 "plugin silent.so: init failed (returned 5) without saying why");
    /* The registry still works after failures. */
    const lp_plugin p = {LP_ABI_VERSION, "mem", "1.0", mem_init};
    cr_assert_eq(lp_registry_add_plugin(reg, &p, "mem"), 0);
}

Test(plugin, builtin_plugin_registers_through_the_same_door)
{
    cr_assert_eq(lp_registry_add_plugin(reg, &lp_builtin_plugin, "builtin"), 0, "%s",
                 lp_error_last()->message);
    cr_assert_not_null(lp_registry_find_class(reg, "StdOutLogger"));
    cr_assert_str_eq(lp_registry_class_source(reg, "StdOutLogger"), "builtin");
    cr_assert_neq(lp_registry_add_plugin(reg, &lp_builtin_plugin, "builtin"), 0);
}

/* ---- loading files ------------------------------------------------------ */

Test(plugin, load_good_plugin_and_reload_is_noop)
{
    cr_assert_eq(lp_registry_load_plugin(reg, GOOD_ONE), 0, "%s", lp_error_last()->message);
    cr_assert_not_null(lp_registry_find_class(reg, "TestGoodOne"));
    cr_assert_str_eq(lp_registry_class_source(reg, "TestGoodOne"), GOOD_ONE);
    size_t n = lp_registry_class_count(reg);
    cr_assert_eq(lp_registry_load_plugin(reg, GOOD_ONE), 0, "%s", lp_error_last()->message);
    cr_assert_eq(lp_registry_load_plugin(reg, PLUGINS "./libgood_one.so"), 0);
    link_to(GOOD_ONE, "alias.so");
    cr_assert_eq(lp_registry_load_plugin(reg, in_tmp(0, "alias.so")), 0);
    cr_assert_eq(lp_registry_class_count(reg), n);
}

/* This program contains the library (the internal static one) and carries
 * liblolpop's soname: a plugin linked with -llolpop binds to this copy (one
 * registry, one last error) and liblolpop.so is never loaded beside it. */
Test(plugin, plugin_binds_to_the_host_copy_of_the_library)
{
    cr_assert_eq(lp_registry_load_plugin(reg, GOOD_ONE), 0, "%s", lp_error_last()->message);
    void *self = dlopen(NULL, RTLD_NOW);
    void *lib = dlopen("liblolpop.so.0", RTLD_NOW | RTLD_NOLOAD);
    cr_assert_not_null(lib, "liblolpop.so.0 is not satisfied by the program");
    cr_assert_eq(lib, self, "a second copy of liblolpop is loaded");
    dlclose(lib);
    dlclose(self);
    /* The plugin's failure reaches this program's last error. */
    assert_error(lp_registry_load_plugin(reg, INIT_FAILS), LP_ERROR,
                 "the greeting database is unreachable");
}

Test(plugin, abi_mismatch_names_both_versions_and_the_file)
{
    assert_error(lp_registry_load_plugin(reg, BAD_ABI), LP_EPLUGIN,
                 "plugin " BAD_ABI " was built for lolpop ABI 999, this lolpop has ABI 2: "
                 "rebuild it against this version");
}

/* A plugin compiled with the ABI 1 descriptor layouts (no abi_version in
 * lp_class): refused before its init could register the short class. */
Test(plugin, a_plugin_of_the_previous_abi_is_refused_naming_both_versions)
{
    assert_error(lp_registry_load_plugin(reg, OLD_ABI), LP_EPLUGIN,
                 "plugin " OLD_ABI " was built for lolpop ABI 1, this lolpop has ABI 2: "
                 "rebuild it against this version");
    cr_assert_null(lp_registry_find_class(reg, "OldAbiLogger"));
    cr_assert_eq(lp_registry_class_count(reg), 0);
}

Test(plugin, missing_entry_point)
{
    assert_error(lp_registry_load_plugin(reg, NO_ENTRY), LP_EPLUGIN,
                 "no entry point 'lolpop_plugin' in " NO_ENTRY
                 ": define one with LP_PLUGIN_DEFINE");
}

Test(plugin, file_not_found)
{
    assert_error(lp_registry_load_plugin(reg, "/nonexistent/libnothing.so"), LP_EPLUGIN,
                 "cannot load plugin /nonexistent/libnothing.so: No such file or directory");
}

Test(plugin, not_a_shared_object)
{
    write_file("libtext.so", "this is not an ELF file, just some text to be rejected\n");
    const char *path = in_tmp(0, "libtext.so");
    char frag[600];
    snprintf(frag, sizeof frag, "cannot load plugin %s: ", path);
    assert_error(lp_registry_load_plugin(reg, path), LP_EPLUGIN, frag);
    const char *m = lp_error_last()->message;
    cr_assert(strstr(m, "ELF") || strstr(m, "too short"), "no loader reason in '%s'", m);
    assert_error(lp_registry_load_plugin(reg, tmp), LP_EPLUGIN, "it is a directory");
    assert_error(lp_registry_load_plugin(reg, ""), LP_EINVAL, "empty plugin path");
}

Test(plugin, duplicate_class_names_both_sources)
{
    const lp_plugin p = {LP_ABI_VERSION, "first", "1.0", clash_init};
    cr_assert_eq(lp_registry_add_plugin(reg, &p, "first-plugin"), 0);
    assert_error(lp_registry_load_plugin(reg, DUP_CLASS), LP_EEXISTS,
                 "plugin " DUP_CLASS ": class 'HelloGreeter' is already registered by "
                 "first-plugin");
    cr_assert_str_eq(lp_registry_class_source(reg, "HelloGreeter"), "first-plugin");
}

Test(plugin, duplicate_with_the_hello_example)
{
    cr_assert_eq(lp_registry_load_plugin(reg, LP_HELLO_PLUGIN), 0, "%s", lp_error_last()->message);
    assert_error(lp_registry_load_plugin(reg, DUP_CLASS), LP_EEXISTS,
                 "plugin " DUP_CLASS
                 ": class 'HelloGreeter' is already registered by " LP_HELLO_PLUGIN);
}

Test(plugin, contract_violation_in_a_plugin)
{
    assert_error(lp_registry_load_plugin(reg, BAD_CONTRACT), LP_EINVAL,
                 "plugin " BAD_CONTRACT ": class 'HalfModelTrainer' claims type 'model_trainer' "
                 "but lacks method(s): predict, predict_proba, calculate_metrics, save, load");
    cr_assert_null(lp_registry_find_class(reg, "HalfModelTrainer"));
}

Test(plugin, init_failure_message_is_propagated_and_rolled_back)
{
    assert_error(lp_registry_load_plugin(reg, INIT_FAILS), LP_ERROR,
                 "plugin " INIT_FAILS ": init failed: the greeting database is unreachable");
    cr_assert_null(lp_registry_find_class(reg, "DoomedLogger"));
    cr_assert_eq(lp_registry_class_count(reg), 0);
}

/* ---- the search path ---------------------------------------------------- */

static lp_value *path_list(const char *file, const char *const *entries, size_t n)
{
    lp_value *list = lp_value_list();
    for (size_t i = 0; i < n; i++) {
        lp_value *s = lp_value_string(entries[i]);
        if (file) {
            lp_origin o = {LP_ORIGIN_FILE, lp_origin_intern(file), (int)i + 3, 5, 0};
            lp_value_set_origin(s, &o);
        }
        lp_list_append(list, s);
    }
    return list;
}

Test(plugin, directory_entries_load_every_so_sorted_by_name)
{
    make_dir("dir");
    link_to(GOOD_ONE, "dir/b.so");
    link_to(GOOD_TWO, "dir/a.so");
    write_file("dir/notes.txt", "not a plugin\n");
    make_dir("dir/sub.so");
    const char *entries[] = {in_tmp(0, "dir")};
    lp_value *paths = path_list(NULL, entries, 1);
    int rc = lp_registry_load_plugins(reg, paths, &diags);
    lp_value_unref(paths);
    cr_assert_eq(rc, 0, "%s", lp_error_last()->message);
    cr_assert_eq(diags.len, 0);
    cr_assert_eq(lp_registry_class_count(reg), 2);
    cr_assert_str_eq(lp_registry_class_at(reg, 0)->name, "TestGoodTwo"); /* a.so */
    cr_assert_str_eq(lp_registry_class_at(reg, 1)->name, "TestGoodOne"); /* b.so */
}

Test(plugin, environment_path_is_searched)
{
    make_dir("env1");
    make_dir("env2");
    link_to(GOOD_ONE, "env1/libgood_one.so");
    link_to(GOOD_TWO, "env2/libgood_two.so");
    char env[1200];
    snprintf(env, sizeof env, "%s::%s", in_tmp(0, "env1"), in_tmp(1, "env2"));
    setenv("LOLPOP_PLUGIN_PATH", env, 1);
    cr_assert_eq(lp_registry_load_plugins(reg, NULL, &diags), 0, "%s", lp_error_last()->message);
    cr_assert_not_null(lp_registry_find_class(reg, "TestGoodOne"));
    cr_assert_not_null(lp_registry_find_class(reg, "TestGoodTwo"));
}

Test(plugin, missing_environment_entry_is_an_error_but_others_load)
{
    make_dir("env1");
    link_to(GOOD_ONE, "env1/libgood_one.so");
    char env[1200];
    snprintf(env, sizeof env, "%s:%s", in_tmp(0, "missing"), in_tmp(1, "env1"));
    setenv("LOLPOP_PLUGIN_PATH", env, 1);
    assert_error(lp_registry_load_plugins(reg, NULL, &diags), LP_EPLUGIN, "1 plugin problem");
    cr_assert_eq(lp_diags_errors(&diags), 1);
    char frag[600];
    snprintf(frag, sizeof frag, "LOLPOP_PLUGIN_PATH entry '%s': No such file or directory",
             in_tmp(0, "missing"));
    cr_assert(diags_mention(frag), "got: %s", diags.items[0].message);
    cr_assert_not_null(lp_registry_find_class(reg, "TestGoodOne"));
}

Test(plugin, config_entries_resolve_against_their_file)
{
    make_dir("conf");
    make_dir("plugins");
    link_to(GOOD_ONE, "plugins/libgood_one.so");
    link_to(GOOD_TWO, "conf/libgood_two.so");
    const char *entries[] = {"../plugins", "libgood_two.so", "missing_dir"};
    lp_value *paths = path_list(in_tmp(0, "conf/app.yaml"), entries, 3);
    int rc = lp_registry_load_plugins(reg, paths, &diags);
    lp_value_unref(paths);
    cr_assert_eq(rc, LP_EPLUGIN);
    cr_assert_not_null(lp_registry_find_class(reg, "TestGoodOne"));
    cr_assert_not_null(lp_registry_find_class(reg, "TestGoodTwo"));
    cr_assert_eq(diags.len, 1);
    const lp_diag *d = &diags.items[0];
    cr_assert_eq(d->severity, LP_SEV_ERROR);
    cr_assert_eq(d->where.kind, LP_ORIGIN_FILE);
    cr_assert_str_eq(d->where.source, in_tmp(0, "conf/app.yaml"));
    cr_assert_eq(d->where.line, 5); /* third entry */
    char frag[600];
    snprintf(frag, sizeof frag,
             "plugin path 'missing_dir' (from plugin_paths, resolved to %s): No such file",
             in_tmp(1, "conf/missing_dir"));
    cr_assert(strstr(d->message, frag), "got: %s", d->message);
}

Test(plugin, each_failure_is_one_diag_and_loading_continues)
{
    make_dir("mixed");
    link_to(BAD_ABI, "mixed/a_bad_abi.so");
    link_to(NO_ENTRY, "mixed/b_no_entry.so");
    link_to(GOOD_ONE, "mixed/c_good.so");
    const char *entries[] = {in_tmp(0, "mixed")};
    lp_value *paths = path_list(in_tmp(1, "app.yaml"), entries, 1);
    int rc = lp_registry_load_plugins(reg, paths, &diags);
    lp_value_unref(paths);
    cr_assert_eq(rc, LP_EPLUGIN);
    cr_assert_eq(lp_diags_errors(&diags), 2);
    cr_assert(diags_mention("was built for lolpop ABI 999"));
    cr_assert(diags_mention("no entry point 'lolpop_plugin'"));
    cr_assert_eq(diags.items[0].where.line, 3);
    cr_assert_not_null(lp_registry_find_class(reg, "TestGoodOne"));
    cr_assert(strstr(lp_error_last()->message, "2 plugin problem(s); first: "));
}

Test(plugin, plugin_paths_shapes)
{
    lp_value *one = lp_value_string(GOOD_TWO);
    cr_assert_eq(lp_registry_load_plugins(reg, one, &diags), 0, "%s", lp_error_last()->message);
    lp_value_unref(one);
    cr_assert_not_null(lp_registry_find_class(reg, "TestGoodTwo"));

    lp_value *map = lp_value_map();
    cr_assert_eq(lp_registry_load_plugins(reg, map, &diags), LP_EPLUGIN);
    lp_value_unref(map);
    cr_assert(diags_mention("plugin_paths must be a list of paths (got map)"));

    lp_value *list = lp_value_list();
    lp_list_append(list, lp_value_int(3));
    lp_diags_clear(&diags);
    cr_assert_eq(lp_registry_load_plugins(reg, list, &diags), LP_EPLUGIN);
    lp_value_unref(list);
    cr_assert(diags_mention("plugin_paths entries must be non-empty path strings (got int)"));

    lp_value *null = lp_value_null();
    lp_diags_clear(&diags);
    cr_assert_eq(lp_registry_load_plugins(reg, null, &diags), 0);
    lp_value_unref(null);
    cr_assert_eq(diags.len, 0);
}

Test(plugin, installed_dir)
{
    const char *dir = lp_plugin_dir();
    cr_assert_not_null(dir);
    size_t n = strlen(dir);
    cr_assert(n > 15 && strcmp(dir + n - 15, "/lolpop/plugins") == 0, "got %s", dir);
}
