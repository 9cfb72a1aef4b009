/*
 * test_default_slots.c — default slots as a registered table
 * (lp_registry_add_default_slot): the built-in plugin's three, the checks on
 * registration, a plugin's own default slot filled in a workflow (and
 * overridden by a declaration), and its roll-back with a failing plugin.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "lolpop.h"
#include "unit_workflow.h"

/* ---- a plugin with a type, a class and a default slot of its own ----------------------- */

static lp_value *ping(lp_obj *self, lp_value *args)
{
    (void)args;
    return lp_value_string(lp_obj_class(self)->name);
}

static const char *const auditor_methods[] = {"ping", NULL};
static const lp_type auditor_type = {"auditor", LP_KIND_COMPONENT, "audits runs", auditor_methods};
static const lp_method ping_methods[] = {{"ping", ping, "ping() -> class name"},
                                         {NULL, NULL, NULL}};
static const lp_class plugin_auditor = {.name = "PluginAuditor",
                                        .kind = LP_KIND_COMPONENT,
                                        .type = "auditor",
                                        .doc = "the plugin's default auditor",
                                        .methods = ping_methods};
static const lp_class other_auditor = {.name = "OtherAuditor",
                                       .kind = LP_KIND_COMPONENT,
                                       .type = "auditor",
                                       .doc = "a declared auditor",
                                       .methods = ping_methods};

static int auditor_init(lp_registry *reg)
{
    int rc = lp_registry_add_type(reg, &auditor_type);
    if (rc == 0) rc = lp_registry_add_class(reg, &plugin_auditor);
    if (rc == 0) rc = lp_registry_add_class(reg, &other_auditor);
    if (rc == 0) rc = lp_registry_add_default_slot(reg, "auditor", "PluginAuditor");
    return rc;
}

static const lp_plugin auditor_plugin = {
    .abi_version = LP_ABI_VERSION, .name = "auditor", .version = "1", .init = auditor_init};

/* Registers a default slot, then fails: nothing of it may stay. */
static int failing_init(lp_registry *reg)
{
    int rc = lp_registry_add_default_slot(reg, "extra_logger", "FileLogger");
    cr_assert_eq(rc, 0, "%s", lp_error_last()->message);
    return lp_error_set(LP_ERROR, "this plugin fails on purpose");
}

static const lp_plugin failing_plugin = {
    .abi_version = LP_ABI_VERSION, .name = "failing", .version = "1", .init = failing_init};

TestSuite(default_slots, .init = uw_setup, .fini = uw_teardown);

/* ---- the built-in table ------------------------------------------------------------------ */

Test(default_slots, the_builtin_plugin_registers_three)
{
    const lp_registry *reg = uw_registry();
    cr_assert_eq(lp_registry_default_slot_count(reg), 3);
    const char *cls = NULL;
    cr_assert_str_eq(lp_registry_default_slot_at(reg, 0, &cls), "logger");
    cr_assert_str_eq(cls, "StdOutLogger");
    cr_assert_str_eq(lp_registry_default_slot_at(reg, 1, &cls), "notifier");
    cr_assert_str_eq(cls, "StdOutNotifier");
    cr_assert_str_eq(lp_registry_default_slot_at(reg, 2, &cls), "metadata_tracker");
    cr_assert_str_eq(cls, "LocalMetadataTracker");
    cr_assert_null(lp_registry_default_slot_at(reg, 3, &cls));
    cr_assert_null(cls);
    cr_assert_str_eq(lp_registry_default_slot(reg, "Logger"), "StdOutLogger", "case ignored");
    cr_assert_null(lp_registry_default_slot(reg, "auditor"));
}

Test(default_slots, registration_is_checked)
{
    lp_registry *reg = uw_registry();
    cr_assert_eq(lp_registry_add_default_slot(reg, "logger", "FileLogger"), LP_EEXISTS);
    const char *msg = lp_error_last()->message;
    cr_assert(strstr(msg, "StdOutLogger") && strstr(msg, "builtin"), "%s", msg);
    cr_assert_eq(lp_registry_add_default_slot(reg, "sink", "NoSuchLogger"), LP_EINVAL);
    cr_assert(strstr(lp_error_last()->message, "no class 'NoSuchLogger'"), "%s",
              lp_error_last()->message);
    cr_assert_eq(lp_registry_add_default_slot(reg, "process", "OfflineProcess"), LP_EINVAL);
    cr_assert(strstr(lp_error_last()->message, "not a component"), "%s", lp_error_last()->message);
    cr_assert_eq(lp_registry_add_default_slot(reg, "config", "FileLogger"), LP_EINVAL);
    cr_assert_eq(lp_registry_add_default_slot(reg, "two words", "FileLogger"), LP_EINVAL);
    cr_assert_eq(lp_registry_add_default_slot(reg, NULL, "FileLogger"), LP_EINVAL);
    cr_assert_eq(lp_registry_add_default_slot(NULL, "sink", "FileLogger"), LP_EINVAL);
    cr_assert_eq(lp_registry_default_slot_count(reg), 3, "nothing refused was kept");
}

/* ---- a plugin's default slot --------------------------------------------------------------- */

/* The class name the root's `auditor` answers ping() with (new string). */
static char *auditor_of(int slot)
{
    lp_value *r = lp_call(uw_component(slot, "auditor"), "ping", NULL);
    cr_assert_not_null(r, "%s", lp_error_last()->message);
    char *name = strdup(lp_value_as_string(r));
    lp_value_unref(r);
    return name;
}

Test(default_slots, a_plugins_default_slot_fills_every_root_unless_declared)
{
    uw_tmpdir("default-slots", true); /* the default metadata_tracker writes .lolpop/ here */
    cr_assert_eq(lp_registry_add_plugin(uw_registry(), &auditor_plugin, "auditor.so"), 0, "%s",
                 lp_error_last()->message);
    cr_assert_eq(lp_registry_default_slot_count(uw_registry()), 4);
    /* not declared: the plugin's default fills the slot, and its section is a known key */
    uw_build(0, "auditor: {config: {}}\n", NULL);
    for (size_t i = 0; i < uw_diags()->len; i++)
        cr_assert(!strstr(uw_diags()->items[i].message, "unknown key"), "%s",
                  uw_diags()->items[i].message);
    char *name = auditor_of(0);
    cr_assert_str_eq(name, "PluginAuditor");
    free(name);
    /* declared: the declaration wins */
    uw_build(1, "component: {auditor: OtherAuditor}\n", NULL);
    name = auditor_of(1);
    cr_assert_str_eq(name, "OtherAuditor");
    free(name);
}

Test(default_slots, a_failing_plugins_default_slot_is_rolled_back)
{
    lp_registry *reg = uw_registry();
    cr_assert_neq(lp_registry_add_plugin(reg, &failing_plugin, "failing.so"), 0);
    cr_assert_eq(lp_registry_default_slot_count(reg), 3);
    cr_assert_null(lp_registry_default_slot(reg, "extra_logger"));
    /* and the slot is free for the next plugin */
    cr_assert_eq(lp_registry_add_default_slot(reg, "extra_logger", "FileLogger"), 0, "%s",
                 lp_error_last()->message);
    cr_assert_str_eq(lp_registry_default_slot(reg, "extra_logger"), "FileLogger");
}
