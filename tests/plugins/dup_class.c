/* dup_class.c — registers a class named like the hello example's HelloGreeter,
 * so loading both must fail with a message naming both files. */
#include "test_plugin_common.h"

static const lp_method dup_methods[] = {{"log", test_plugin_noop, "log() -> null"},
                                        {NULL, NULL, NULL}};

static const lp_class dup_class = {
    .name = "HelloGreeter",
    .kind = LP_KIND_COMPONENT,
    .type = "logger",
    .doc = "A logger that clashes by name with the hello plugin's greeter.",
    .methods = dup_methods,
};

static int dup_init(lp_registry *reg)
{
    return lp_registry_add_class(reg, &dup_class);
}

LP_PLUGIN_DEFINE("dup_class", "1.0.0", dup_init)
