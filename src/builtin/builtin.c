/*
 * builtin.c — the built-in plugin: every class shipped in liblolpop.
 *
 * Built-ins enter the registry through exactly the entry point a plugin uses
 * (lp_registry_add_plugin with this descriptor), so there is one way in. Each
 * layer keeps one table; pipelines and runners add theirs when they arrive.
 * This file is the top floor of the library (above runners and testing): the
 * only one that knows every layer's classes.
 */
#include <stddef.h>

#include "bundle/bundle_internal.h"
#include "components/components_internal.h"
#include "runners/runners_internal.h"
#include "testing/testing_internal.h"
#include "lp_build_config.h"
#include "lolpop/feature_state.h"
#include "ml/backends.h"
#include "lolpop/plugin.h"
#include "lolpop/registry.h"

/* Components, grouped by type. */
static const lp_class *const component_classes[] = {
    &lp_stdout_logger_class,
    &lp_file_logger_class,
    &lp_stdout_notifier_class,
    &lp_smtp_notifier_class,
    &lp_webhook_notifier_class,
    &lp_local_data_connector_class,
    &lp_sqlite_data_connector_class,
    &lp_postgres_data_connector_class,
    &lp_sql_data_transformer_class,
    &lp_postgres_data_transformer_class,
    &lp_local_data_splitter_class,
    &lp_local_data_profiler_class,
    &lp_local_data_checker_class,
    &lp_local_model_checker_class,
    &lp_treeshap_model_explainer_class,
    &lp_local_model_visualizer_class,
    &lp_local_metadata_tracker_class,
    &lp_local_metrics_tracker_class,
    &lp_local_resource_version_control_class,
    &lp_local_model_repository_class,
    &lp_local_model_deployer_class,
    &lp_local_feature_transformer_class,
    &lp_xgboost_model_trainer_class,
    &lp_linear_model_trainer_class,
    &lp_ets_model_trainer_class,
    &lp_forecast_model_trainer_class,
    &lp_local_hyperparameter_tuner_class,
    &lp_tpe_hyperparameter_tuner_class,
    &lp_local_cache_manager_class,
    &lp_gaussian_copula_data_synthesizer_class,
    &lp_local_test_recorder_class,
    NULL,
};

/* Pipelines: one class per pipeline type of SPEC §6.1. */
static const lp_class *const pipeline_classes[] = {
    &lp_offline_process_class,
    &lp_offline_train_class,
    &lp_offline_deploy_class,
    &lp_offline_predict_class,
    NULL,
};

/* Runners (SPEC §6.2). */
static const lp_class *const runner_classes[] = {
    &lp_classification_runner_class,
    &lp_regression_runner_class,
    &lp_step_runner_class,
    &lp_bundle_runner_class, /* hidden: holds a deployment bundle's data_transformer */
    NULL,
};

/* Every layer's table, lowest first (components before the pipelines and
 * runners that use them). */
static const lp_class *const *const builtin_layers[] = {
    component_classes,
    pipeline_classes,
    runner_classes,
    NULL,
};

/* The components every workflow's root gets unless its configuration
 * declares the slot (registered after the classes they name). */
static const char *const default_slots[][2] = {
    {"logger", "StdOutLogger"},
    {"notifier", "StdOutNotifier"},
    {"metadata_tracker", "LocalMetadataTracker"},
};

static int builtin_init(lp_registry *reg)
{
    int rc = lp_ml_register_builtins(reg); /* the xgboost, liblinear and additive model back-ends */
    if (rc == 0) rc = lp_registry_add_feature_state(reg, &lp_local_feature_state);
    if (rc != 0) return rc;
    for (size_t l = 0; builtin_layers[l]; l++)
        for (size_t i = 0; builtin_layers[l][i]; i++) {
            if ((rc = lp_registry_add_class(reg, builtin_layers[l][i])) != 0) return rc;
        }
    for (size_t i = 0; i < sizeof default_slots / sizeof *default_slots; i++)
        if ((rc = lp_registry_add_default_slot(reg, default_slots[i][0], default_slots[i][1])) != 0)
            return rc;
    /* What the testing framework adds to validation: tests: and test_logger. */
    return lp_testing_register(reg);
}

LP_API const lp_plugin lp_builtin_plugin = {
    LP_ABI_VERSION,
    "builtin",
    LP_VERSION,
    builtin_init,
};
