/*
 * types.c — the built-in component and pipeline types (SPEC §5, §6.1).
 *
 * Each entry is the contract checked by lp_registry_add_class: a class that
 * claims the type must implement every method listed. Argument and result
 * names of each method are documented in include/lolpop/types/<type>.h, the
 * one place callers read them; keep both in step.
 */
#include <stddef.h>

#include "lolpop/type.h"
#include "internal.h"

#define METHODS(...) ((const char *const[]){__VA_ARGS__, NULL})
#define COMPONENT(name_, doc_, ...)                                                                \
    {                                                                                              \
        name_, LP_KIND_COMPONENT, doc_, METHODS(__VA_ARGS__)                                       \
    }
#define PIPELINE(name_, doc_, ...)                                                                 \
    {                                                                                              \
        name_, LP_KIND_PIPELINE, doc_, METHODS(__VA_ARGS__)                                        \
    }

LP_API const lp_type lp_builtin_types[] = {
    /* Components (SPEC §5). */
    COMPONENT("logger", "Writes log records (level, message, fields) somewhere.", "log"),
    COMPONENT("notifier", "Tells people about events and failures (terminal, e-mail, webhook).",
              "notify"),
    COMPONENT("data_connector", "Reads and writes data frames from files or databases.", "get_data",
              "save_data"),
    COMPONENT("data_transformer", "Turns source data into the frame a workflow uses (SQL, C).",
              "transform"),
    COMPONENT("data_splitter", "Splits a frame into train/valid/test splits.", "split_data"),
    COMPONENT("feature_transformer", "Fits and applies feature encodings, scalings and imputers.",
              "fit", "transform", "save", "load"),
    COMPONENT("model_trainer", "Trains a model, predicts with it and computes its metrics.", "fit",
              "predict", "predict_proba", "calculate_metrics", "save", "load"),
    COMPONENT("hyperparameter_tuner", "Searches training parameters; returns the best model.",
              "run_experiment"),
    COMPONENT("metadata_tracker",
              "Records resources, versions, lineage, tags and artifacts in the metadata store.",
              "create_resource", "get_resource", "register_vc_resource", "get_vc_info", "log_tag",
              "get_tag", "log_artifact", "log_data_profile", "log_checks", "log_data_comparison",
              "build_model_lineage", "get_prev_resource_version", "get_winning_experiment",
              "get_currently_deployed_model_version", "get_latest_model_resource", "load_model",
              "stop"),
    COMPONENT("metrics_tracker", "Records and reads metrics of experiments and predictions.",
              "log_metric", "log_metrics", "log_prediction_metrics", "get_metric"),
    COMPONENT("resource_version_control", "Stores data and models content-addressed, by version.",
              "version_data", "get_data", "version_model", "get_model"),
    COMPONENT("model_repository", "Registers model versions and manages promotion and approval.",
              "register_model", "promote_model", "check_approval", "approve_model"),
    COMPONENT("model_deployer", "Deploys a promoted model version.", "deploy_model"),
    COMPONENT("data_profiler", "Profiles a frame and compares it with a previous one.",
              "profile_data", "compare_data"),
    COMPONENT("data_checker", "Checks a frame against rules; reports PASS, WARN or ERROR.",
              "check_data"),
    COMPONENT("model_checker", "Checks a model against baselines, thresholds and drift.",
              "check_model", "get_baseline_comparison", "calculate_model_drift", "compare_models"),
    COMPONENT("model_explainer", "Explains a model: feature importance and per-row explanations.",
              "get_feature_importance", "get_explanations"),
    COMPONENT("model_visualizer", "Draws model plots (ROC, PR, confusion matrix, ...).",
              "generate_viz"),
    COMPONENT("model_bias_checker", "Computes fairness metrics over configured groups.",
              "check_model_bias"),
    COMPONENT("data_synthesizer", "Learns a frame's distribution and samples synthetic rows.",
              "fit", "sample", "evaluate"),
    COMPONENT("cache_manager", "Stores and retrieves method results by key.", "cache", "retrieve"),
    COMPONENT("test_recorder", "Records workflow test results and reports them.", "record",
              "report"),

    /* Pipelines (SPEC §6.1). */
    PIPELINE("process", "Prepares data: transform, version, profile, check and compare it.",
             "transform_data", "track_data", "profile_data", "check_data", "compare_data"),
    PIPELINE("train", "Trains, analyses, checks and compares models.", "split_data", "train_model",
             "analyze_model", "check_model", "check_model_bias", "compare_models",
             "retrain_model_on_all_data"),
    PIPELINE("deploy", "Promotes, approves and deploys a model version.", "promote_model",
             "check_approval", "approve_model", "deploy_model"),
    PIPELINE("predict", "Scores new data with a model and tracks and checks the predictions.",
             "compare_data", "get_predictions", "track_predictions", "analyze_prediction_drift",
             "check_predictions", "save_predictions"),

    {NULL, LP_KIND_COMPONENT, NULL, NULL},
};
