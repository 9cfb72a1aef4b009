/*
 * unit_workflow.c — the registry, the default runner, the workflow slots and
 * the temp directory of unit_workflow.h. The state is file-global because a
 * Criterion suite's .init and .fini take no arguments; each test is its own
 * process.
 */
#include "unit_workflow.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- the default runner: build_all does nothing --------------------------------------- */

static lp_value *noop_build_all(lp_obj *self, lp_value *args)
{
    (void)self;
    (void)args;
    return lp_value_null();
}

static const lp_method noop_methods[] = {{"build_all", noop_build_all, "nothing"},
                                         {NULL, NULL, NULL}};
static const lp_class noop_runner = {"TestRunner", LP_KIND_RUNNER, NULL, "t",  NULL, NULL,
                                     NULL,         noop_methods,   0,    NULL, NULL};

/* ---- state -------------------------------------------------------------------------------- */

static lp_registry *reg;
static uw_options opt;
static lp_value *docs[UW_SLOTS];
static lp_workflow *wfs[UW_SLOTS];
static lp_diags diags;        /* of the last uw_try_build */
static char tmpdir[PATH_MAX]; /* "" when the test made none */

static void check_slot(int slot)
{
    cr_assert(slot >= 0 && slot < UW_SLOTS, "workflow slot %d is not in [0, %d)", slot, UW_SLOTS);
}

/* The diagnostics as printed lines (new string; caller frees). */
static char *diags_text(void)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) return strdup("(diagnostics unavailable)");
    if (diags.len == 0) fputs("no diagnostics\n", f);
    lp_diags_print(&diags, f, 0);
    fclose(f);
    return buf;
}

/* ---- the temp directory ------------------------------------------------------------------ */

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

const char *uw_tmpdir(const char *name, bool enter)
{
    cr_assert_eq(tmpdir[0], '\0', "uw_tmpdir: this test already has %s", tmpdir);
    int n = snprintf(tmpdir, sizeof tmpdir, "/tmp/lp-%s-XXXXXX", name);
    cr_assert(n > 0 && (size_t)n < sizeof tmpdir, "uw_tmpdir: name too long");
    if (!mkdtemp(tmpdir)) {
        int e = errno;
        tmpdir[0] = '\0'; /* nothing for the teardown to remove */
        cr_assert_fail("mkdtemp /tmp/lp-%s-XXXXXX: %s", name, strerror(e));
    }
    if (enter) cr_assert_eq(chdir(tmpdir), 0, "chdir %s: %s", tmpdir, strerror(errno));
    return tmpdir;
}

/* Removes the temp directory's tree (depth first, links not followed). */
static void remove_tmpdir(void)
{
    if (!tmpdir[0]) return;
    char path[PATH_MAX];
    memcpy(path, tmpdir, sizeof path);
    tmpdir[0] = '\0';
    cr_assert_eq(nftw(path, remove_entry, 8, FTW_DEPTH | FTW_PHYS), 0, "removing %s: %s", path,
                 strerror(errno));
}

/* ---- set-up and tear-down -------------------------------------------------------------- */

void uw_setup(void)
{
    uw_setup_with(&(uw_options){0});
}

void uw_setup_with(const uw_options *opts)
{
    opt = *opts;
    if (!opt.runner) opt.runner = &noop_runner;
    lp_diags_init(&diags);
    reg = lp_registry_new();
    cr_assert_not_null(reg);
    cr_assert_eq(lp_registry_add_plugin(reg, &lp_builtin_plugin, "builtin"), 0, "%s",
                 lp_error_last()->message);
    cr_assert_eq(lp_registry_add_class(reg, opt.runner), 0, "%s", lp_error_last()->message);
}

void uw_teardown(void)
{
    for (int i = 0; i < UW_SLOTS; i++)
        uw_free(i);
    lp_diags_clear(&diags);
    lp_registry_free(reg);
    reg = NULL;
    remove_tmpdir();
}

lp_registry *uw_registry(void)
{
    return reg;
}

/* ---- slots -------------------------------------------------------------------------------- */

void uw_free(int slot)
{
    check_slot(slot);
    lp_workflow_free(wfs[slot]); /* before its document: the tree borrows it */
    lp_value_unref(docs[slot]);
    wfs[slot] = NULL;
    docs[slot] = NULL;
}

int uw_try_build(int slot, const char *yaml)
{
    uw_free(slot);
    lp_diags_clear(&diags);
    if (lp_yaml_parse(&docs[slot], yaml, strlen(yaml), "t.yaml", &diags) != 0)
        cr_assert_fail("slot %d: the YAML does not parse:\n%s--- YAML ---\n%s", slot, diags_text(),
                       yaml);
    if (opt.interpolate_env && lp_config_interpolate_env(docs[slot], &diags) != 0)
        cr_assert_fail("slot %d: ${VAR} interpolation failed:\n%s--- YAML ---\n%s", slot,
                       diags_text(), yaml);
    return lp_workflow_new(&wfs[slot], reg, docs[slot], opt.runner->name, 0, &diags);
}

lp_obj *uw_build(int slot, const char *yaml, const char *name)
{
    int rc = uw_try_build(slot, yaml);
    if (rc != 0)
        cr_assert_fail("slot %d: the workflow did not build (%d): %s\n%s--- YAML ---\n%s", slot, rc,
                       lp_error_last()->message, diags_text(), yaml);
    return name ? uw_component(slot, name) : uw_root(slot);
}

lp_obj *uw_root(int slot)
{
    check_slot(slot);
    cr_assert_not_null(wfs[slot], "slot %d holds no workflow", slot);
    return lp_workflow_root(wfs[slot]);
}

lp_obj *uw_component(int slot, const char *name)
{
    lp_obj *o = lp_obj_component(uw_root(slot), name);
    cr_assert_not_null(o, "slot %d: no component %s", slot, name);
    return o;
}

lp_workflow *uw_workflow(int slot)
{
    check_slot(slot);
    return wfs[slot];
}

const lp_diags *uw_diags(void)
{
    return &diags;
}
