/*
 * components_internal.h — the built-in component classes, for builtin.c's
 * registration table (not public API).
 */
#ifndef LP_COMPONENTS_INTERNAL_H
#define LP_COMPONENTS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "core/internal.h"
#include "kit/kit_internal.h"
#include "lolpop/class.h"
#include "lolpop/frame.h"
#include <stdio.h>

#include "lolpop/log.h"
#include "lolpop/model.h"
#include "lolpop/object.h"

/* An empty, NULL-terminated requirement list for classes that need nothing. */
extern const char *const lp_no_requirements[];

/* Writes the text in sb and a newline to `out` as one write, flushes, and
 * frees sb (stdout_line.c). Returns a new null value (the result of a method
 * that prints), or NULL with LP_ENOMEM set, naming `who` ("Class.method"),
 * when sb ran out of memory. */
lp_value *lp_stream_put_line(FILE *out, lp_sb *sb, const char *who);

/* The feature-transformer state attached to m (lolpop/feature_state.h): *state
 * and *len borrowed from m, *cls the transformer's class name (new string,
 * caller frees); *state and *cls NULL when m carries none. 0 or LP_ENOMEM
 * (saved.c; shared by lp_model_features and the trainers' predictions). */
int lp_model_feature_state(char **cls, const uint8_t **state, size_t *len, const lp_model *m);

/* LocalFeatureTransformer's saved-state applier (feature_transformer/local.c),
 * registered by the built-in plugin (lolpop/feature_state.h). */
extern const struct lp_feature_state_applier lp_local_feature_state;

extern const lp_class lp_stdout_logger_class;
extern const lp_class lp_file_logger_class;
extern const lp_class lp_stdout_notifier_class;
extern const lp_class lp_smtp_notifier_class;
extern const lp_class lp_webhook_notifier_class;
extern const lp_class lp_local_data_connector_class;
extern const lp_class lp_sqlite_data_connector_class;
extern const lp_class lp_postgres_data_connector_class;
extern const lp_class lp_sql_data_transformer_class;
extern const lp_class lp_postgres_data_transformer_class;
extern const lp_class lp_local_data_splitter_class;
extern const lp_class lp_local_metadata_tracker_class;
extern const lp_class lp_local_metrics_tracker_class;
extern const lp_class lp_local_resource_version_control_class;
extern const lp_class lp_local_model_repository_class;
extern const lp_class lp_local_model_deployer_class;
extern const lp_class lp_local_feature_transformer_class;
extern const lp_class lp_xgboost_model_trainer_class;
extern const lp_class lp_linear_model_trainer_class;
extern const lp_class lp_ets_model_trainer_class;
extern const lp_class lp_forecast_model_trainer_class;
extern const lp_class lp_local_hyperparameter_tuner_class;
extern const lp_class lp_tpe_hyperparameter_tuner_class;
extern const lp_class lp_local_cache_manager_class;
extern const lp_class lp_gaussian_copula_data_synthesizer_class;
extern const lp_class lp_local_test_recorder_class;
extern const lp_class lp_local_data_profiler_class;
extern const lp_class lp_local_data_checker_class;
extern const lp_class lp_local_model_checker_class;
extern const lp_class lp_treeshap_model_explainer_class;
extern const lp_class lp_local_model_visualizer_class;

#endif
