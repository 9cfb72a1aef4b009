/*
 * test_registry_sections.c — section validators and role slots
 * (lp_registry_add_section_validator, lp_registry_add_slot_role): what
 * registration refuses, that validation asks the registered validator for
 * keys it does not know and checks role slots by their role's type, that a
 * failed plugin's registrations are rolled back, and that the testing
 * framework registers tests: and test_logger this way.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "lolpop.h"
#include "testing/testing_internal.h"

/* ---- fixtures ----------------------------------------------------------- */

static lp_value *noop(lp_obj *self, lp_value *args)
{
    (void)self;
    (void)args;
    return lp_value_null();
}

static const lp_method logger_methods[] = {{"log", noop, "log()"}, {NULL, NULL, NULL}};
static const lp_method runner_methods[] = {{"build_all", noop, "build_all()"}, {NULL, NULL, NULL}};
static const lp_class c_logger = {.name = "AuditLogger",
                                  .kind = LP_KIND_COMPONENT,
                                  .type = "logger",
                                  .doc = "a logger",
                                  .methods = logger_methods};
static const lp_class c_runner = {
    .name = "PlainRunner", .kind = LP_KIND_RUNNER, .doc = "a runner", .methods = runner_methods};

static lp_registry *reg;

/* What the validator below saw, for the assertions. */
static char seen_section[128];
static const lp_class *seen_class;
static int calls;

/* A validator for `checks:`: the value must be a map; records its arguments. */
static void validate_checks(const lp_class *cls, const char *section, const lp_value *value,
                            lp_diags *diags)
{
    calls++;
    seen_class = cls;
    snprintf(seen_section, sizeof seen_section, "%s", section);
    if (lp_value_type(value) != LP_MAP)
        lp_diags_add(diags, LP_SEV_ERROR, lp_value_origin(value), section,
                     "'checks:' must be a map");
}

static void setup(void)
{
    calls = 0;
    seen_class = NULL;
    seen_section[0] = '\0';
    reg = lp_registry_new();
    cr_assert_not_null(reg);
    cr_assert_eq(lp_registry_add_class(reg, &c_logger), 0, "%s", lp_error_last()->message);
    cr_assert_eq(lp_registry_add_class(reg, &c_runner), 0, "%s", lp_error_last()->message);
}

static void teardown(void)
{
    lp_registry_free(reg);
}

TestSuite(sections, .init = setup, .fini = teardown);

/* Validates yaml with PlainRunner; returns the diagnostics (caller clears). */
static lp_diags validate(const char *yaml, int expect_rc)
{
    lp_diags d;
    lp_diags_init(&d);
    lp_value *doc = NULL;
    cr_assert_eq(lp_yaml_parse(&doc, yaml, strlen(yaml), "test.yaml", &d), 0);
    int rc = lp_workflow_validate(reg, doc, "PlainRunner", 0, &d);
    for (size_t i = 0; rc != expect_rc && i < d.len; i++)
        cr_log_error("%s", d.items[i].message);
    cr_assert_eq(rc, expect_rc);
    lp_value_unref(doc);
    return d;
}

static bool has_diag(const lp_diags *d, lp_severity sev, const char *needle)
{
    for (size_t i = 0; i < d->len; i++)
        if (d->items[i].severity == sev && strstr(d->items[i].message, needle)) return true;
    return false;
}

/* ---- registration ----------------------------------------------------- */

Test(sections, section_validator_registration_is_checked)
{
    cr_assert_eq(lp_registry_add_section_validator(NULL, "checks", validate_checks), LP_EINVAL);
    cr_assert_eq(lp_registry_add_section_validator(reg, NULL, validate_checks), LP_EINVAL);
    cr_assert_eq(lp_registry_add_section_validator(reg, "two words", validate_checks), LP_EINVAL);
    cr_assert_eq(lp_registry_add_section_validator(reg, "checks", NULL), LP_EINVAL);
    cr_assert(strstr(lp_error_last()->message, "has no validator"));
    /* keys validation handles itself, and slot sections named after a type */
    const char *reserved[] = {"config", "Component", "pipeline", "plugin_paths", "logger"};
    for (size_t i = 0; i < sizeof reserved / sizeof *reserved; i++) {
        cr_assert_eq(lp_registry_add_section_validator(reg, reserved[i], validate_checks),
                     LP_EINVAL, "%s", reserved[i]);
        cr_assert(strstr(lp_error_last()->message, "reserved"), "%s", lp_error_last()->message);
    }
    cr_assert_eq(lp_registry_add_section_validator(reg, "checks", validate_checks), 0);
    cr_assert_eq(lp_registry_add_section_validator(reg, "CHECKS", validate_checks), LP_EEXISTS);
    cr_assert(strstr(lp_error_last()->message, "already has a validator from application"), "%s",
              lp_error_last()->message);
}

Test(sections, slot_role_registration_is_checked)
{
    cr_assert_eq(lp_registry_add_slot_role(NULL, "audit_logger", "logger"), LP_EINVAL);
    cr_assert_eq(lp_registry_add_slot_role(reg, "audit logger", "logger"), LP_EINVAL);
    cr_assert_eq(lp_registry_add_slot_role(reg, "notifier", "logger"), LP_EINVAL); /* a type */
    cr_assert_eq(lp_registry_add_slot_role(reg, "config", "logger"), LP_EINVAL);
    cr_assert_eq(lp_registry_add_slot_role(reg, "audit_logger", "no_such_type"), LP_EINVAL);
    cr_assert(strstr(lp_error_last()->message, "no registered component type"), "%s",
              lp_error_last()->message);
    cr_assert_eq(lp_registry_add_slot_role(reg, "audit_logger", "train"), LP_EINVAL); /* pipeline */
    cr_assert_eq(lp_registry_add_slot_role(reg, "audit_logger", NULL), LP_EINVAL);
    cr_assert_eq(lp_registry_add_slot_role(reg, "audit_logger", "logger"), 0);
    cr_assert_eq(lp_registry_add_slot_role(reg, "Audit_Logger", "notifier"), LP_EEXISTS);
}

/* ---- validation asks them --------------------------------------------- */

Test(sections, an_unregistered_key_is_only_a_warning)
{
    lp_diags d = validate("checks: [a]\n", 0);
    cr_assert(has_diag(&d, LP_SEV_WARNING, "unknown key 'checks' in the root section"));
    cr_assert(has_diag(&d, LP_SEV_WARNING,
                       "(a section holds config, component, pipeline and the "
                       "sections of declared slots)"));
    cr_assert_eq(calls, 0);
    lp_diags_clear(&d);
}

Test(sections, validation_calls_the_registered_validator)
{
    cr_assert_eq(lp_registry_add_section_validator(reg, "checks", validate_checks), 0);
    lp_diags d = validate("checks: [a]\n", LP_ECONFIG);
    cr_assert(has_diag(&d, LP_SEV_ERROR, "'checks:' must be a map"));
    cr_assert_eq(d.items[0].where.line, 1);
    cr_assert_eq(d.items[0].where.col, 9);
    cr_assert_eq(calls, 1);
    cr_assert_str_eq(seen_section, "PlainRunner"); /* the root: named after the runner */
    cr_assert_eq(seen_class, &c_runner);
    lp_diags_clear(&d);

    /* in a component's section: the section's path and class; a typo is suggested */
    calls = 0;
    d = validate("component: {logger: AuditLogger}\n"
                 "logger:\n  Checks: {}\n"
                 "chekcs: {}\n",
                 0);
    cr_assert_eq(calls, 1);
    cr_assert_str_eq(seen_section, "logger");
    cr_assert_eq(seen_class, &c_logger);
    cr_assert(has_diag(&d, LP_SEV_WARNING, "unknown key 'chekcs'"));
    cr_assert(has_diag(&d, LP_SEV_WARNING, "did you mean 'checks'?"));
    lp_diags_clear(&d);
}

Test(sections, a_role_slot_holds_its_roles_type)
{
    const char *yaml = "component: {audit_logger: AuditLogger}\n";
    lp_diags d = validate(yaml, LP_ECONFIG);
    cr_assert(has_diag(&d, LP_SEV_ERROR, "slot 'audit_logger' is not a component type"));
    lp_diags_clear(&d);
    cr_assert_eq(lp_registry_add_slot_role(reg, "audit_logger", "logger"), 0);
    d = validate(yaml, 0);
    cr_assert_eq(lp_diags_errors(&d), 0);
    lp_diags_clear(&d);
}

/* ---- plugins: registered under their name, rolled back on failure -------- */

static int failing_init(lp_registry *r)
{
    int rc = lp_registry_add_section_validator(r, "checks", validate_checks);
    if (rc == 0) rc = lp_registry_add_slot_role(r, "audit_logger", "logger");
    if (rc == 0) rc = lp_error_set(LP_EINVAL, "init gives up");
    return rc;
}

static int good_init(lp_registry *r)
{
    return lp_registry_add_section_validator(r, "checks", validate_checks);
}

Test(sections, a_failed_plugin_leaves_no_validator_or_role)
{
    const lp_plugin failing = {
        .abi_version = LP_ABI_VERSION, .name = "failing", .version = "1", .init = failing_init};
    cr_assert_neq(lp_registry_add_plugin(reg, &failing, "failing.so"), 0);
    lp_diags d = validate("checks: [a]\ncomponent: {audit_logger: AuditLogger}\n", LP_ECONFIG);
    cr_assert_eq(calls, 0);
    cr_assert(has_diag(&d, LP_SEV_ERROR, "slot 'audit_logger' is not a component type"));
    lp_diags_clear(&d);

    const lp_plugin good = {
        .abi_version = LP_ABI_VERSION, .name = "good", .version = "1", .init = good_init};
    cr_assert_eq(lp_registry_add_plugin(reg, &good, "good.so"), 0, "%s", lp_error_last()->message);
    cr_assert_eq(lp_registry_add_section_validator(reg, "checks", validate_checks), LP_EEXISTS);
    cr_assert(strstr(lp_error_last()->message, "from good.so"), "%s", lp_error_last()->message);
}

/* ---- the testing framework registers tests: and test_logger ----------------- */

Test(sections, testing_registers_tests_and_test_logger)
{
    lp_diags d = validate("component: {test_logger: AuditLogger}\ntests: [a]\n", LP_ECONFIG);
    cr_assert(has_diag(&d, LP_SEV_ERROR, "slot 'test_logger' is not a component type"));
    cr_assert(has_diag(&d, LP_SEV_WARNING, "unknown key 'tests'"));
    lp_diags_clear(&d);

    cr_assert_eq(lp_testing_register(reg), 0, "%s", lp_error_last()->message);
    d = validate("component: {test_logger: AuditLogger}\ntests: [a]\n", LP_ECONFIG);
    cr_assert_eq(lp_diags_errors(&d), 1);
    cr_assert(has_diag(&d, LP_SEV_ERROR, "'tests:' must be a map"));
    lp_diags_clear(&d);
    cr_assert_eq(lp_testing_register(reg), LP_EEXISTS); /* once per registry */
}

Test(sections, the_builtin_plugin_registers_testing)
{
    lp_registry *full = lp_registry_new();
    cr_assert_eq(lp_registry_add_plugin(full, &lp_builtin_plugin, "builtin"), 0, "%s",
                 lp_error_last()->message);
    cr_assert_eq(lp_registry_add_section_validator(full, "tests", validate_checks), LP_EEXISTS);
    cr_assert(strstr(lp_error_last()->message, "from builtin"), "%s", lp_error_last()->message);
    cr_assert_eq(lp_registry_add_slot_role(full, "test_logger", "logger"), LP_EEXISTS);
    lp_registry_free(full);
}
