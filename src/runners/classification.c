/*
 * classification.c — ClassificationRunner: the offline workflow for a
 * categorical target (binary or multiclass; string labels allowed).
 */
#include "runners/runners_internal.h"

const lp_class lp_classification_runner_class = {
    .name = "ClassificationRunner",
    .kind = LP_KIND_RUNNER,
    .type = NULL,
    .doc = "Classification end to end: build_all processes and tracks train_data, trains a "
           "model version (tuner or trainer, winner by perf_metric on the validation split), "
           "deploys it when it beats the deployed version, then processes eval_data and writes "
           "predictions (model_index, prediction, probability_<label> per class) to "
           "prediction_data. Metrics default to accuracy, f1, precision, recall, rocauc, logloss; "
           "perf_metric to f1.",
    .defaults_yaml = "problem_type: classification\n"
                     "metrics: [accuracy, f1, precision, recall, rocauc, logloss]\n"
                     "perf_metric: f1\n",
    .requirements = lp_offline_runner_requirements,
    .config_keys = lp_offline_runner_keys,
    .methods = lp_offline_runner_methods,
};
