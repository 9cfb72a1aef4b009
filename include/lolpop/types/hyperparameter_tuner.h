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
 * Optional: a class may implement these too; callers check first with
 * lp_obj_has_method (lp_type.optional_methods lists them). OfflineTrain takes
 * the winner's predictions once after training so that its model checks do
 * not score the splits again.
 *
 *   take_winner_predictions(splits, model) -> predictions
 *       map split -> frame: the winning trial's predictions of the last run_experiment when
 * model and the split frames are the ones it ran on, else null; handed over once
 *       splits: map of X_/y_ frames per split
 *       model: model handle
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

#define LP_TYPE_HYPERPARAMETER_TUNER                    "hyperparameter_tuner"
#define LP_HYPERPARAMETER_TUNER_RUN_EXPERIMENT          "run_experiment"
#define LP_HYPERPARAMETER_TUNER_TAKE_WINNER_PREDICTIONS "take_winner_predictions"

/* run_experiment(splits, model_version) -> model: the best model. */
static inline lp_value *lp_hyperparameter_tuner_run_experiment(lp_obj *hyperparameter_tuner,
                                                               lp_value *splits,
                                                               lp_value *model_version)
{
    return lp_call_with(hyperparameter_tuner, LP_HYPERPARAMETER_TUNER_RUN_EXPERIMENT, "splits",
                        lp_type_arg(splits), "model_version", lp_type_arg(model_version),
                        (const char *)NULL);
}

/* take_winner_predictions(splits, model) -> predictions: map split -> frame: the winning trial's
 * predictions of the last run_experiment when model and the split frames are the ones it ran on,
 * else null; handed over once.
 * Optional: LP_ENOTFOUND when the class lacks it; check first with
 * lp_obj_has_method(hyperparameter_tuner, LP_HYPERPARAMETER_TUNER_TAKE_WINNER_PREDICTIONS). */
static inline lp_value *
lp_hyperparameter_tuner_take_winner_predictions(lp_obj *hyperparameter_tuner, lp_value *splits,
                                                lp_value *model)
{
    return lp_call_with(hyperparameter_tuner, LP_HYPERPARAMETER_TUNER_TAKE_WINNER_PREDICTIONS,
                        "splits", lp_type_arg(splits), "model", lp_type_arg(model),
                        (const char *)NULL);
}

#ifdef __cplusplus
}
#endif
#endif
