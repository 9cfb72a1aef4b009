/*
 * test_register.c — how the testing framework takes part in validation: it
 * registers the `tests:` key of every section (checked by lp_tests_parse) and
 * the `test_logger` slot (a logger for the verdicts, SPEC §8), so the core's
 * validation needs to know neither.
 */
#include "lolpop/registry.h"
#include "testing/testing_internal.h"

/* The lp_section_validator_fn of `tests:`: every expression parses and every
 * method exists, found before anything runs. */
static void validate_tests(const lp_class *cls, const char *section, const lp_value *tests,
                           lp_diags *diags)
{
    lp_tests_parse(cls, section, tests, NULL, NULL, diags);
}

int lp_testing_register(lp_registry *reg)
{
    int rc = lp_registry_add_section_validator(reg, "tests", validate_tests);
    if (rc == 0) rc = lp_registry_add_slot_role(reg, "test_logger", "logger");
    return rc;
}
