/* good_one.c — a well-formed plugin with one logger class, for search-path tests. */
#include "test_plugin_common.h"

static const lp_method methods[] = {{"log", test_plugin_noop, "log() -> null"}, {NULL, NULL, NULL}};

static const lp_class good_class = {
    .name = "TestGoodOne",
    .kind = LP_KIND_COMPONENT,
    .type = "logger",
    .doc = "A logger from a test plugin.",
    .methods = methods,
};

static int good_init(lp_registry *reg)
{
    return lp_registry_add_class(reg, &good_class);
}

LP_PLUGIN_DEFINE("good_one", "1.0.0", good_init)
