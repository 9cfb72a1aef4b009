/*
 * backends.h — the model back-ends built into liblolpop (internal).
 */
#ifndef LP_ML_BACKENDS_H
#define LP_ML_BACKENDS_H

#include "lolpop/registry.h"

/* Registers "xgboost", "liblinear", "ets" and "additive" in reg (the built-in plugin's init
 * calls it). 0 or the registration's error. */
int lp_ml_register_builtins(lp_registry *reg);

#endif
