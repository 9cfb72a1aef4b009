/* init_fails.c — registers a class, then fails: nothing of it may remain. */
#include "test_plugin_common.h"

static const lp_method methods[] = {{"log", test_plugin_noop, "log() -> null"}, {NULL, NULL, NULL}};

static const lp_class doomed = {
    .name = "DoomedLogger",
    .kind = LP_KIND_COMPONENT,
    .type = "logger",
    .doc = "Registered by a plugin whose init then fails.",
    .methods = methods,
};

static int init_fails_init(lp_registry *reg)
{
    int rc = lp_registry_add_class(reg, &doomed);
    if (rc != 0) return rc;
    return lp_error_set(LP_ERROR, "the greeting database is unreachable");
}

LP_PLUGIN_DEFINE("init_fails", "1.0.0", init_fails_init)
