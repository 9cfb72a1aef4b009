/* bad_abi.c — a plugin that claims ABI 999 (a lolpop that does not exist). */
#include "lolpop.h"

static int bad_abi_init(lp_registry *reg)
{
    (void)reg;
    return lp_error_set(LP_ERROR, "bad_abi: init must never run");
}

__attribute__((visibility("default")))
const lp_plugin lolpop_plugin = {999u, "bad_abi", "1.0.0", bad_abi_init};
