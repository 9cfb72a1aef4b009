/*
 * fuzz_registry.h — the registry of the built-in plugin for fuzz targets whose
 * input holds models: they load through its model back-ends. Made once and
 * kept for the process (a fuzz target runs millions of inputs).
 */
#ifndef LP_FUZZ_REGISTRY_H
#define LP_FUZZ_REGISTRY_H

#include <stdlib.h>

#include "lolpop/plugin.h"
#include "lolpop/registry.h"

/* Borrowed; aborts when the built-in plugin cannot be registered. */
static inline const lp_registry *fuzz_registry(void)
{
    static lp_registry *reg;
    if (!reg) {
        reg = lp_registry_new();
        if (!reg || lp_registry_add_plugin(reg, &lp_builtin_plugin, "builtin") != 0) abort();
    }
    return reg;
}

#endif
