/*
 * types/hyperparameter_tuner.h — the `hyperparameter_tuner` component type: searches training
 * parameters; every trial is an experiment.
 *
 * Contract: every component class of type `hyperparameter_tuner` implements these methods
 * (checked by lp_registry_add_class). Arguments and results are named values;
 * a result written "a, b" is a map with those keys. Method names come from
 * SPEC §5 (§6.1 for pipelines); argument and result names are fixed here.
 *
 *   run_experiment(splits, model_version) -> model
 *       the best model
 *       splits: map of X_/y_ frames per split
 *       model_version: the model version the trials belong to
 *
 * The inline helpers call through the dispatcher (lp_call_with). They borrow
 * their arguments (NULL becomes a null value). Helpers of methods with a result
 * return a new reference, or NULL with the last error set; the others return 0
 * or the negative LP_E* code of the failure.
 */
#ifndef LOLPOP_TYPES_HYPERPARAMETER_TUNER_H
#define LOLPOP_TYPES_HYPERPARAMETER_TUNER_H

#include <stdint.h>
#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LP_TYPE_HYPERPARAMETER_TUNER           "hyperparameter_tuner"
#define LP_HYPERPARAMETER_TUNER_RUN_EXPERIMENT "run_experiment"

/* run_experiment(splits, model_version) -> model: the best model. */
static inline lp_value *lp_hyperparameter_tuner_run_experiment(lp_obj *hyperparameter_tuner,
                                                               lp_value *splits,
                                                               lp_value *model_version)
{
    return lp_call_with(hyperparameter_tuner, LP_HYPERPARAMETER_TUNER_RUN_EXPERIMENT, "splits",
                        lp_type_arg(splits), "model_version", lp_type_arg(model_version),
                        (const char *)NULL);
}

#ifdef __cplusplus
}
#endif
#endif
