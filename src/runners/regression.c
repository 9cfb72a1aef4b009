/*
 * regression.c — RegressionRunner: the offline workflow for a numeric target.
 */
#include "runners/runners_internal.h"

const lp_class lp_regression_runner_class = {
    .name = "RegressionRunner",
    .kind = LP_KIND_RUNNER,
    .type = NULL,
    .doc = "Regression end to end: build_all processes and tracks train_data, trains a model "
           "version (tuner or trainer, winner by perf_metric on the validation split), deploys "
           "it when it beats the deployed version, then processes eval_data and writes "
           "predictions (model_index, prediction) to prediction_data. Metrics default to rmse, "
           "mae, r2, mape; perf_metric to rmse.",
    .defaults_yaml = "problem_type: regression\n"
                     "metrics: [rmse, mae, r2, mape]\n"
                     "perf_metric: rmse\n",
    .requirements = lp_offline_runner_requirements,
    .config_keys = lp_offline_runner_keys,
    .methods = lp_offline_runner_methods,
};
