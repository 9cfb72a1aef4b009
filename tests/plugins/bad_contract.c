/* bad_contract.c — a model_trainer that only implements fit. */
#include "test_plugin_common.h"

static const lp_method half_methods[] = {{"fit", test_plugin_noop, "fit(splits) -> model"},
                                         {NULL, NULL, NULL}};

static const lp_class half_trainer = {
    .name = "HalfModelTrainer",
    .kind = LP_KIND_COMPONENT,
    .type = "model_trainer",
    .doc = "Claims to be a model_trainer but lacks most of the contract.",
    .methods = half_methods,
};

static int bad_contract_init(lp_registry *reg)
{
    return lp_registry_add_class(reg, &half_trainer);
}

LP_PLUGIN_DEFINE("bad_contract", "1.0.0", bad_contract_init)
