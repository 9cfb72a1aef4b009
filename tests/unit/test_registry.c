/*
 * test_registry.c — types, classes and commands: registration checks,
 * look-ups, enumeration order and "did you mean" suggestions. Also compiles
 * every contract header under lolpop/types/ and checks it against the
 * built-in type table.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "lolpop.h"
#include "lolpop/types/logger.h"
#include "lolpop/types/notifier.h"
#include "lolpop/types/data_connector.h"
#include "lolpop/types/data_transformer.h"
#include "lolpop/types/data_splitter.h"
#include "lolpop/types/feature_transformer.h"
#include "lolpop/types/model_trainer.h"
#include "lolpop/types/hyperparameter_tuner.h"
#include "lolpop/types/metadata_tracker.h"
#include "lolpop/types/metrics_tracker.h"
#include "lolpop/types/resource_version_control.h"
#include "lolpop/types/model_repository.h"
#include "lolpop/types/model_deployer.h"
#include "lolpop/types/data_profiler.h"
#include "lolpop/types/data_checker.h"
#include "lolpop/types/model_checker.h"
#include "lolpop/types/model_explainer.h"
#include "lolpop/types/model_visualizer.h"
#include "lolpop/types/model_bias_checker.h"
#include "lolpop/types/data_synthesizer.h"
#include "lolpop/types/cache_manager.h"
#include "lolpop/types/test_recorder.h"
#include "lolpop/types/process.h"
#include "lolpop/types/train.h"
#include "lolpop/types/deploy.h"
#include "lolpop/types/predict.h"

/* ---- fixtures ----------------------------------------------------------- */

static lp_value *noop(lp_obj *self, lp_value *args)
{
    (void)self;
    (void)args;
    return lp_value_null();
}

#define M(name)                                                                                    \
    {                                                                                              \
        name, noop, name "()"                                                                      \
    }
#define END                                                                                        \
    {                                                                                              \
        NULL, NULL, NULL                                                                           \
    }

static const lp_method logger_methods[] = {M("log"), END};
static const lp_method runner_methods[] = {M("build_all"), M("stop"), END};
static const lp_method trainer_fit_only[] = {M("fit"), M("extra"), END};
static const lp_method train_methods[] = {M("split_data"),
                                          M("train_model"),
                                          M("analyze_model"),
                                          M("check_model"),
                                          M("check_model_bias"),
                                          M("compare_models"),
                                          M("retrain_model_on_all_data"),
                                          END};

static lp_class logger_class(const char *name)
{
    return (lp_class){.name = name,
                      .kind = LP_KIND_COMPONENT,
                      .type = "logger",
                      .doc = "test logger",
                      .methods = logger_methods};
}

static lp_registry *reg;

static void setup(void)
{
    reg = lp_registry_new();
    cr_assert_not_null(reg);
}

static void teardown(void)
{
    lp_registry_free(reg);
}

TestSuite(registry, .init = setup, .fini = teardown);

#define assert_error(rc_, code_, frag_)                                                            \
    do {                                                                                           \
        int rc__ = (rc_);                                                                          \
        const char *m__ = lp_error_last()->message;                                                \
        cr_assert_eq(rc__, (code_), "rc %d, expected %d (%s)", rc__, (code_), m__ ? m__ : "");     \
        cr_assert_eq(lp_error_last()->code, (code_));                                              \
        cr_assert(m__ &&strstr(m__, (frag_)), "message '%s' lacks '%s'", m__ ? m__ : "(null)",     \
                  (frag_));                                                                        \
    } while (0)

/* ---- built-in types ----------------------------------------------------- */

static size_t builtin_type_count(void)
{
    size_t n = 0;
    while (lp_builtin_types[n].name)
        n++;
    return n;
}

static bool type_has(const lp_type *t, const char *method)
{
    for (const char *const *m = t->methods; *m; m++)
        if (strcmp(*m, method) == 0) return true;
    return false;
}

static size_t type_method_count(const lp_type *t)
{
    size_t n = 0;
    while (t->methods[n])
        n++;
    return n;
}

Test(registry, new_registry_holds_builtin_types_only)
{
    cr_assert_eq(builtin_type_count(), 26); /* 22 component types + 4 pipeline types */
    cr_assert_eq(lp_registry_type_count(reg), builtin_type_count());
    cr_assert_eq(lp_registry_class_count(reg), 0);
    cr_assert_eq(lp_registry_command_count(reg), 0);
    for (size_t i = 0; i < builtin_type_count(); i++)
        cr_assert_eq(lp_registry_type_at(reg, i), &lp_builtin_types[i]);
    cr_assert_null(lp_registry_type_at(reg, builtin_type_count()));
}

Test(registry, builtin_contracts_follow_the_spec)
{
    const lp_type *t = lp_registry_find_type(reg, "model_trainer");
    cr_assert_not_null(t);
    cr_assert_eq(t->kind, LP_KIND_COMPONENT);
    const char *trainer[] = {"fit",  "predict", "predict_proba", "calculate_metrics",
                             "save", "load"};
    cr_assert_eq(type_method_count(t), 6);
    for (size_t i = 0; i < 6; i++)
        cr_assert_str_eq(t->methods[i], trainer[i]);
    cr_assert_eq(type_method_count(lp_registry_find_type(reg, "metadata_tracker")), 17);
    cr_assert(type_has(lp_registry_find_type(reg, "metadata_tracker"),
                       "get_currently_deployed_model_version"));
    const lp_type *train = lp_registry_find_type(reg, "train");
    cr_assert_eq(train->kind, LP_KIND_PIPELINE);
    cr_assert_eq(type_method_count(train), 7);
    cr_assert_str_eq(train->methods[6], "retrain_model_on_all_data");
    const lp_type *predict = lp_registry_find_type(reg, "predict");
    cr_assert_eq(type_method_count(predict), 6);
    cr_assert_str_eq(predict->methods[0], "compare_data");
    cr_assert_str_eq(lp_registry_find_type(reg, "process")->methods[1], "track_data");
    cr_assert_eq(type_method_count(lp_registry_find_type(reg, "deploy")), 4);
    cr_assert_null(lp_registry_find_type(reg, "Model_Trainer")); /* case-sensitive */
    for (size_t i = 0; lp_builtin_types[i].name; i++)
        cr_assert(lp_builtin_types[i].doc && *lp_builtin_types[i].doc, "%s has no doc",
                  lp_builtin_types[i].name);
}

/* Every method macro of every contract header names a method of that type,
 * and every type method has a macro: headers and table cannot drift apart. */
static const struct {
    const char *type, *method;
} header_pairs[] = {
    {LP_TYPE_LOGGER, LP_LOGGER_LOG},
    {LP_TYPE_NOTIFIER, LP_NOTIFIER_NOTIFY},
    {LP_TYPE_DATA_CONNECTOR, LP_DATA_CONNECTOR_GET_DATA},
    {LP_TYPE_DATA_CONNECTOR, LP_DATA_CONNECTOR_SAVE_DATA},
    {LP_TYPE_DATA_TRANSFORMER, LP_DATA_TRANSFORMER_TRANSFORM},
    {LP_TYPE_DATA_SPLITTER, LP_DATA_SPLITTER_SPLIT_DATA},
    {LP_TYPE_FEATURE_TRANSFORMER, LP_FEATURE_TRANSFORMER_FIT},
    {LP_TYPE_FEATURE_TRANSFORMER, LP_FEATURE_TRANSFORMER_TRANSFORM},
    {LP_TYPE_FEATURE_TRANSFORMER, LP_FEATURE_TRANSFORMER_SAVE},
    {LP_TYPE_FEATURE_TRANSFORMER, LP_FEATURE_TRANSFORMER_LOAD},
    {LP_TYPE_MODEL_TRAINER, LP_MODEL_TRAINER_FIT},
    {LP_TYPE_MODEL_TRAINER, LP_MODEL_TRAINER_PREDICT},
    {LP_TYPE_MODEL_TRAINER, LP_MODEL_TRAINER_PREDICT_PROBA},
    {LP_TYPE_MODEL_TRAINER, LP_MODEL_TRAINER_CALCULATE_METRICS},
    {LP_TYPE_MODEL_TRAINER, LP_MODEL_TRAINER_SAVE},
    {LP_TYPE_MODEL_TRAINER, LP_MODEL_TRAINER_LOAD},
    {LP_TYPE_HYPERPARAMETER_TUNER, LP_HYPERPARAMETER_TUNER_RUN_EXPERIMENT},
    {LP_TYPE_METADATA_TRACKER, LP_METADATA_TRACKER_CREATE_RESOURCE},
    {LP_TYPE_METADATA_TRACKER, LP_METADATA_TRACKER_GET_RESOURCE},
    {LP_TYPE_METADATA_TRACKER, LP_METADATA_TRACKER_REGISTER_VC_RESOURCE},
    {LP_TYPE_METADATA_TRACKER, LP_METADATA_TRACKER_GET_VC_INFO},
    {LP_TYPE_METADATA_TRACKER, LP_METADATA_TRACKER_LOG_TAG},
    {LP_TYPE_METADATA_TRACKER, LP_METADATA_TRACKER_GET_TAG},
    {LP_TYPE_METADATA_TRACKER, LP_METADATA_TRACKER_LOG_ARTIFACT},
    {LP_TYPE_METADATA_TRACKER, LP_METADATA_TRACKER_LOG_DATA_PROFILE},
    {LP_TYPE_METADATA_TRACKER, LP_METADATA_TRACKER_LOG_CHECKS},
    {LP_TYPE_METADATA_TRACKER, LP_METADATA_TRACKER_LOG_DATA_COMPARISON},
    {LP_TYPE_METADATA_TRACKER, LP_METADATA_TRACKER_BUILD_MODEL_LINEAGE},
    {LP_TYPE_METADATA_TRACKER, LP_METADATA_TRACKER_GET_PREV_RESOURCE_VERSION},
    {LP_TYPE_METADATA_TRACKER, LP_METADATA_TRACKER_GET_WINNING_EXPERIMENT},
    {LP_TYPE_METADATA_TRACKER, LP_METADATA_TRACKER_GET_CURRENTLY_DEPLOYED_MODEL_VERSION},
    {LP_TYPE_METADATA_TRACKER, LP_METADATA_TRACKER_GET_LATEST_MODEL_RESOURCE},
    {LP_TYPE_METADATA_TRACKER, LP_METADATA_TRACKER_LOAD_MODEL},
    {LP_TYPE_METADATA_TRACKER, LP_METADATA_TRACKER_STOP},
    {LP_TYPE_METRICS_TRACKER, LP_METRICS_TRACKER_LOG_METRIC},
    {LP_TYPE_METRICS_TRACKER, LP_METRICS_TRACKER_LOG_METRICS},
    {LP_TYPE_METRICS_TRACKER, LP_METRICS_TRACKER_LOG_PREDICTION_METRICS},
    {LP_TYPE_METRICS_TRACKER, LP_METRICS_TRACKER_GET_METRIC},
    {LP_TYPE_RESOURCE_VERSION_CONTROL, LP_RESOURCE_VERSION_CONTROL_VERSION_DATA},
    {LP_TYPE_RESOURCE_VERSION_CONTROL, LP_RESOURCE_VERSION_CONTROL_GET_DATA},
    {LP_TYPE_RESOURCE_VERSION_CONTROL, LP_RESOURCE_VERSION_CONTROL_VERSION_MODEL},
    {LP_TYPE_RESOURCE_VERSION_CONTROL, LP_RESOURCE_VERSION_CONTROL_GET_MODEL},
    {LP_TYPE_MODEL_REPOSITORY, LP_MODEL_REPOSITORY_REGISTER_MODEL},
    {LP_TYPE_MODEL_REPOSITORY, LP_MODEL_REPOSITORY_PROMOTE_MODEL},
    {LP_TYPE_MODEL_REPOSITORY, LP_MODEL_REPOSITORY_CHECK_APPROVAL},
    {LP_TYPE_MODEL_REPOSITORY, LP_MODEL_REPOSITORY_APPROVE_MODEL},
    {LP_TYPE_MODEL_DEPLOYER, LP_MODEL_DEPLOYER_DEPLOY_MODEL},
    {LP_TYPE_DATA_PROFILER, LP_DATA_PROFILER_PROFILE_DATA},
    {LP_TYPE_DATA_PROFILER, LP_DATA_PROFILER_COMPARE_DATA},
    {LP_TYPE_DATA_CHECKER, LP_DATA_CHECKER_CHECK_DATA},
    {LP_TYPE_MODEL_CHECKER, LP_MODEL_CHECKER_CHECK_MODEL},
    {LP_TYPE_MODEL_CHECKER, LP_MODEL_CHECKER_GET_BASELINE_COMPARISON},
    {LP_TYPE_MODEL_CHECKER, LP_MODEL_CHECKER_CALCULATE_MODEL_DRIFT},
    {LP_TYPE_MODEL_CHECKER, LP_MODEL_CHECKER_COMPARE_MODELS},
    {LP_TYPE_MODEL_EXPLAINER, LP_MODEL_EXPLAINER_GET_FEATURE_IMPORTANCE},
    {LP_TYPE_MODEL_EXPLAINER, LP_MODEL_EXPLAINER_GET_EXPLANATIONS},
    {LP_TYPE_MODEL_VISUALIZER, LP_MODEL_VISUALIZER_GENERATE_VIZ},
    {LP_TYPE_MODEL_BIAS_CHECKER, LP_MODEL_BIAS_CHECKER_CHECK_MODEL_BIAS},
    {LP_TYPE_DATA_SYNTHESIZER, LP_DATA_SYNTHESIZER_FIT},
    {LP_TYPE_DATA_SYNTHESIZER, LP_DATA_SYNTHESIZER_SAMPLE},
    {LP_TYPE_DATA_SYNTHESIZER, LP_DATA_SYNTHESIZER_EVALUATE},
    {LP_TYPE_CACHE_MANAGER, LP_CACHE_MANAGER_CACHE},
    {LP_TYPE_CACHE_MANAGER, LP_CACHE_MANAGER_RETRIEVE},
    {LP_TYPE_TEST_RECORDER, LP_TEST_RECORDER_RECORD},
    {LP_TYPE_TEST_RECORDER, LP_TEST_RECORDER_REPORT},
    {LP_TYPE_PROCESS, LP_PROCESS_TRANSFORM_DATA},
    {LP_TYPE_PROCESS, LP_PROCESS_TRACK_DATA},
    {LP_TYPE_PROCESS, LP_PROCESS_PROFILE_DATA},
    {LP_TYPE_PROCESS, LP_PROCESS_CHECK_DATA},
    {LP_TYPE_PROCESS, LP_PROCESS_COMPARE_DATA},
    {LP_TYPE_TRAIN, LP_TRAIN_SPLIT_DATA},
    {LP_TYPE_TRAIN, LP_TRAIN_TRAIN_MODEL},
    {LP_TYPE_TRAIN, LP_TRAIN_ANALYZE_MODEL},
    {LP_TYPE_TRAIN, LP_TRAIN_CHECK_MODEL},
    {LP_TYPE_TRAIN, LP_TRAIN_CHECK_MODEL_BIAS},
    {LP_TYPE_TRAIN, LP_TRAIN_COMPARE_MODELS},
    {LP_TYPE_TRAIN, LP_TRAIN_RETRAIN_MODEL_ON_ALL_DATA},
    {LP_TYPE_DEPLOY, LP_DEPLOY_PROMOTE_MODEL},
    {LP_TYPE_DEPLOY, LP_DEPLOY_CHECK_APPROVAL},
    {LP_TYPE_DEPLOY, LP_DEPLOY_APPROVE_MODEL},
    {LP_TYPE_DEPLOY, LP_DEPLOY_DEPLOY_MODEL},
    {LP_TYPE_PREDICT, LP_PREDICT_COMPARE_DATA},
    {LP_TYPE_PREDICT, LP_PREDICT_GET_PREDICTIONS},
    {LP_TYPE_PREDICT, LP_PREDICT_TRACK_PREDICTIONS},
    {LP_TYPE_PREDICT, LP_PREDICT_ANALYZE_PREDICTION_DRIFT},
    {LP_TYPE_PREDICT, LP_PREDICT_CHECK_PREDICTIONS},
    {LP_TYPE_PREDICT, LP_PREDICT_SAVE_PREDICTIONS},
};

Test(registry, contract_headers_match_the_type_table)
{
    size_t n = sizeof header_pairs / sizeof *header_pairs, total = 0;
    for (size_t i = 0; i < n; i++) {
        const lp_type *t = lp_registry_find_type(reg, header_pairs[i].type);
        cr_assert_not_null(t, "header type %s not registered", header_pairs[i].type);
        cr_assert(type_has(t, header_pairs[i].method), "%s lacks %s", t->name,
                  header_pairs[i].method);
    }
    for (size_t i = 0; lp_builtin_types[i].name; i++)
        total += type_method_count(&lp_builtin_types[i]);
    cr_assert_eq(total, n);
}

/* ---- classes ------------------------------------------------------------ */

Test(registry, add_and_find_class)
{
    static lp_class a, b;
    a = logger_class("TestLogger");
    b = logger_class("OtherLogger");
    cr_assert_eq(lp_registry_add_class(reg, &a), 0);
    cr_assert_eq(lp_registry_add_class(reg, &b), 0);
    cr_assert_eq(lp_registry_find_class(reg, "TestLogger"), &a);
    cr_assert_null(lp_registry_find_class(reg, "testlogger"));
    cr_assert_null(lp_registry_find_class(reg, "Missing"));
    cr_assert_null(lp_registry_find_class(reg, NULL));
    cr_assert_str_eq(lp_registry_class_source(reg, "OtherLogger"), "application");
    cr_assert_null(lp_registry_class_source(reg, "Missing"));
    cr_assert_eq(lp_registry_class_count(reg), 2);
    cr_assert_eq(lp_registry_class_at(reg, 0), &a);
    cr_assert_eq(lp_registry_class_at(reg, 1), &b);
    cr_assert_null(lp_registry_class_at(reg, 2));
}

Test(registry, duplicate_class_names_the_first_source)
{
    static lp_class a, b;
    a = logger_class("TestLogger");
    b = logger_class("TestLogger");
    cr_assert_eq(lp_registry_add_class(reg, &a), 0);
    assert_error(lp_registry_add_class(reg, &b), LP_EEXISTS,
                 "class 'TestLogger' is already registered by application");
    cr_assert_eq(lp_registry_find_class(reg, "TestLogger"), &a);
    cr_assert_eq(lp_registry_class_count(reg), 1);
}

Test(registry, missing_contract_methods_are_all_listed)
{
    static const lp_class c = {.name = "HalfTrainer",
                               .kind = LP_KIND_COMPONENT,
                               .type = "model_trainer",
                               .methods = trainer_fit_only};
    assert_error(lp_registry_add_class(reg, &c), LP_EINVAL,
                 "class 'HalfTrainer' claims type 'model_trainer' but lacks method(s): predict, "
                 "predict_proba, calculate_metrics, save, load");
    cr_assert_null(lp_registry_find_class(reg, "HalfTrainer"));
}

Test(registry, type_must_exist_and_match_kind)
{
    static const lp_class unknown = {
        .name = "X", .kind = LP_KIND_COMPONENT, .type = "no_such_type", .methods = logger_methods};
    assert_error(lp_registry_add_class(reg, &unknown), LP_EINVAL,
                 "class 'X' claims type 'no_such_type', which is not registered");
    static const lp_class wrong = {
        .name = "Y", .kind = LP_KIND_COMPONENT, .type = "train", .methods = train_methods};
    assert_error(lp_registry_add_class(reg, &wrong), LP_EINVAL,
                 "component class 'Y' claims type 'train', which is a pipeline type");
    static const lp_class untyped = {
        .name = "Z", .kind = LP_KIND_PIPELINE, .methods = train_methods};
    assert_error(lp_registry_add_class(reg, &untyped), LP_EINVAL,
                 "pipeline class 'Z' must declare its type");
    static const lp_class pipeline = {
        .name = "TestTrain", .kind = LP_KIND_PIPELINE, .type = "train", .methods = train_methods};
    cr_assert_eq(lp_registry_add_class(reg, &pipeline), 0);
    static const lp_class bad_kind = {
        .name = "K", .kind = (lp_kind)7, .type = "logger", .methods = logger_methods};
    assert_error(lp_registry_add_class(reg, &bad_kind), LP_EINVAL, "unknown kind (7)");
    cr_assert_eq(lp_registry_class_count(reg), 1);
}

Test(registry, runner_needs_build_all_and_no_type)
{
    static const lp_class no_build = {
        .name = "LazyRunner", .kind = LP_KIND_RUNNER, .methods = logger_methods};
    assert_error(lp_registry_add_class(reg, &no_build), LP_EINVAL,
                 "runner class 'LazyRunner' lacks method 'build_all'");
    static const lp_class typed = {
        .name = "TypedRunner", .kind = LP_KIND_RUNNER, .type = "train", .methods = runner_methods};
    assert_error(lp_registry_add_class(reg, &typed), LP_EINVAL,
                 "runner class 'TypedRunner' must not declare a type (got 'train')");
    static const lp_class ok = {
        .name = "TestRunner", .kind = LP_KIND_RUNNER, .methods = runner_methods};
    cr_assert_eq(lp_registry_add_class(reg, &ok), 0);
    cr_assert_str_eq(lp_kind_name(lp_registry_find_class(reg, "TestRunner")->kind), "runner");
}

Test(registry, requirement_strings_must_parse)
{
    static const char *const good[] = {"config.sql|config.sql_file", "component.metadata_tracker",
                                       "pipeline.train", "config._private1", NULL};
    static lp_class ok;
    ok = logger_class("GoodReqs");
    ok.requirements = good;
    cr_assert_eq(lp_registry_add_class(reg, &ok), 0, "%s", lp_error_last()->message);

    static const char *const bad[] = {"",
                                      "config.",
                                      "conf.x",
                                      "config",
                                      "config.a||config.b",
                                      "component.1x",
                                      "pipeline.a-b",
                                      "config.a|",
                                      "|config.a",
                                      "config.a.b"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        const char *reqs[] = {"config.fine", bad[i], NULL};
        lp_class c = logger_class("BadReqs");
        c.requirements = reqs;
        char frag[128];
        snprintf(frag, sizeof frag, "class 'BadReqs' has a bad requirement \"%s\"", bad[i]);
        assert_error(lp_registry_add_class(reg, &c), LP_EINVAL, frag);
    }
    cr_assert_null(lp_registry_find_class(reg, "BadReqs"));
}

Test(registry, defaults_must_be_a_yaml_map)
{
    static lp_class good, broken, list, empty;
    good = logger_class("GoodDefaults");
    good.defaults_yaml = "level: INFO\ncolor: true\n";
    cr_assert_eq(lp_registry_add_class(reg, &good), 0, "%s", lp_error_last()->message);
    empty = logger_class("EmptyDefaults");
    empty.defaults_yaml = "";
    cr_assert_eq(lp_registry_add_class(reg, &empty), 0, "%s", lp_error_last()->message);
    broken = logger_class("BrokenDefaults");
    broken.defaults_yaml = "level: [INFO\n";
    assert_error(lp_registry_add_class(reg, &broken), LP_EINVAL,
                 "class 'BrokenDefaults' has invalid defaults_yaml");
    list = logger_class("ListDefaults");
    list.defaults_yaml = "- a\n- b\n";
    /* Refused either by the parser or by the map check; the message names the class. */
    assert_error(lp_registry_add_class(reg, &list), LP_EINVAL, "class 'ListDefaults' has");
    cr_assert(strstr(lp_error_last()->message, "map"), "%s", lp_error_last()->message);
    cr_assert_eq(lp_registry_class_count(reg), 2);
}

Test(registry, descriptor_shape_is_checked)
{
    static lp_class c;
    c = logger_class(NULL);
    assert_error(lp_registry_add_class(reg, &c), LP_EINVAL, "class name '(null)'");
    c = logger_class("1Logger");
    assert_error(lp_registry_add_class(reg, &c), LP_EINVAL,
                 "class name '1Logger' is not a valid identifier");
    c = logger_class("Has Space");
    assert_error(lp_registry_add_class(reg, &c), LP_EINVAL, "'Has Space' is not a valid");
    c = logger_class("NoMethods");
    c.methods = NULL;
    assert_error(lp_registry_add_class(reg, &c), LP_EINVAL,
                 "class 'NoMethods' has no method table");
    static const lp_method null_fn[] = {{"log", NULL, ""}, END};
    c = logger_class("NullFn");
    c.methods = null_fn;
    assert_error(lp_registry_add_class(reg, &c), LP_EINVAL, "method 'log' has no function");
    static const lp_method twice[] = {M("log"), M("log"), END};
    c = logger_class("Twice");
    c.methods = twice;
    assert_error(lp_registry_add_class(reg, &c), LP_EINVAL, "defines method 'log' twice");
    static const lp_config_key keys[] = {
        {"level", "string", "x"}, {"depth", "integer", "y"}, {NULL, NULL, NULL}};
    c = logger_class("BadKeys");
    c.config_keys = keys;
    assert_error(lp_registry_add_class(reg, &c), LP_EINVAL,
                 "config key 'depth' has type 'integer'");
    assert_error(lp_registry_add_class(reg, NULL), LP_EINVAL, "NULL class");
    assert_error(lp_registry_add_class(NULL, &c), LP_EINVAL, "NULL registry");
    cr_assert_eq(lp_registry_class_count(reg), 0);
}

Test(registry, class_queries)
{
    static const lp_config_key keys[] = {{"Level", "string", "the level"}, {NULL, NULL, NULL}};
    static lp_class c;
    c = logger_class("QueryLogger");
    c.config_keys = keys;
    cr_assert_eq(lp_class_method(&c, "log"), &logger_methods[0]);
    cr_assert_null(lp_class_method(&c, "LOG"));
    cr_assert_null(lp_class_method(&c, "missing"));
    cr_assert_null(lp_class_method(NULL, "log"));
    cr_assert_eq(lp_class_config_key(&c, "level"), &keys[0]);
    cr_assert_eq(lp_class_config_key(&c, "LEVEL"), &keys[0]);
    cr_assert_null(lp_class_config_key(&c, "lvl"));
    c.config_keys = NULL;
    cr_assert_null(lp_class_config_key(&c, "level"));
    cr_assert_str_eq(lp_kind_name(LP_KIND_COMPONENT), "component");
    cr_assert_str_eq(lp_kind_name(LP_KIND_PIPELINE), "pipeline");
    cr_assert_str_eq(lp_kind_name((lp_kind)42), "unknown");
}

/* ---- suggestions -------------------------------------------------------- */

static lp_class named[5];

static void add_named(void)
{
    const char *names[] = {"StdOutLogger", "FileLogger", "StdOutNotifier", "XGBoostModelTrainer",
                           "FileLoggers"};
    for (size_t i = 0; i < 5; i++) {
        named[i] = logger_class(names[i]);
        cr_assert_eq(lp_registry_add_class(reg, &named[i]), 0);
    }
}

Test(registry, suggest_closest_first)
{
    add_named();
    const char *out[5];
    size_t n = lp_registry_suggest_class(reg, "StdoutLoger", out, 5);
    cr_assert_geq(n, 1);
    cr_assert_str_eq(out[0], "StdOutLogger");
    n = lp_registry_suggest_class(reg, "FileLoger", out, 5);
    cr_assert_eq(n, 2);
    cr_assert_str_eq(out[0], "FileLogger");
    cr_assert_str_eq(out[1], "FileLoggers");
    n = lp_registry_suggest_class(reg, "FileLoger", out, 1);
    cr_assert_eq(n, 1);
    cr_assert_str_eq(out[0], "FileLogger");
    n = lp_registry_suggest_class(reg, "stdoutlogger", out, 5);
    cr_assert_str_eq(out[0], "StdOutLogger");
}

Test(registry, suggest_prefix_and_nothing_implausible)
{
    add_named();
    const char *out[5];
    size_t n = lp_registry_suggest_class(reg, "xgboost", out, 5);
    cr_assert_eq(n, 1);
    cr_assert_str_eq(out[0], "XGBoostModelTrainer");
    cr_assert_eq(lp_registry_suggest_class(reg, "Zebra", out, 5), 0);
    cr_assert_eq(lp_registry_suggest_class(reg, "", out, 5), 0);
    cr_assert_eq(lp_registry_suggest_class(reg, "FileLogger", out, 0), 0);
}

/* ---- types and commands ------------------------------------------------- */

static const char *const greeter_methods[] = {"greet", NULL};
static const lp_type greeter = {"greeter", LP_KIND_COMPONENT, "Greets.", greeter_methods};

Test(registry, plugin_types)
{
    cr_assert_eq(lp_registry_add_type(reg, &greeter), 0);
    cr_assert_eq(lp_registry_find_type(reg, "greeter"), &greeter);
    cr_assert_eq(lp_registry_type_at(reg, lp_registry_type_count(reg) - 1), &greeter);
    assert_error(lp_registry_add_type(reg, &greeter), LP_EEXISTS,
                 "type 'greeter' is already registered by application");
    static const lp_type logger_again = {"logger", LP_KIND_COMPONENT, "", greeter_methods};
    assert_error(lp_registry_add_type(reg, &logger_again), LP_EEXISTS,
                 "type 'logger' is already registered by builtin");
    static const lp_type runner_type = {"jobs", LP_KIND_RUNNER, "", greeter_methods};
    assert_error(lp_registry_add_type(reg, &runner_type), LP_EINVAL,
                 "type 'jobs' must be of kind component or pipeline");
    static const lp_type bad_name = {"no good", LP_KIND_COMPONENT, "", greeter_methods};
    assert_error(lp_registry_add_type(reg, &bad_name), LP_EINVAL, "not a valid identifier");
    static const lp_type no_methods = {"empty", LP_KIND_COMPONENT, "", NULL};
    assert_error(lp_registry_add_type(reg, &no_methods), LP_EINVAL, "has no method list");

    static const lp_method greet[] = {M("greet"), END};
    static const lp_class g = {
        .name = "TestGreeter", .kind = LP_KIND_COMPONENT, .type = "greeter", .methods = greet};
    cr_assert_eq(lp_registry_add_class(reg, &g), 0);
    static const lp_class bad = {.name = "MuteGreeter",
                                 .kind = LP_KIND_COMPONENT,
                                 .type = "greeter",
                                 .methods = logger_methods};
    assert_error(lp_registry_add_class(reg, &bad), LP_EINVAL, "lacks method(s): greet");
}

static int run_ok(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

Test(registry, commands)
{
    static const lp_command hello = {"hello", "says hello", run_ok};
    static const lp_command sync = {"sync-data_2", "syncs", run_ok};
    cr_assert_eq(lp_registry_add_command(reg, &hello), 0);
    cr_assert_eq(lp_registry_add_command(reg, &sync), 0);
    cr_assert_eq(lp_registry_find_command(reg, "hello"), &hello);
    cr_assert_null(lp_registry_find_command(reg, "nope"));
    cr_assert_eq(lp_registry_command_count(reg), 2);
    cr_assert_eq(lp_registry_command_at(reg, 1), &sync);
    cr_assert_null(lp_registry_command_at(reg, 2));
    static const lp_command again = {"hello", "again", run_ok};
    assert_error(lp_registry_add_command(reg, &again), LP_EEXISTS,
                 "command 'hello' is already registered by application");
    static const lp_command spaced = {"two words", "", run_ok};
    assert_error(lp_registry_add_command(reg, &spaced), LP_EINVAL,
                 "command name 'two words' is not a valid command word");
    static const lp_command dash = {"-x", "", run_ok};
    assert_error(lp_registry_add_command(reg, &dash), LP_EINVAL, "'-x' is not a valid");
    static const lp_command norun = {"norun", "", NULL};
    assert_error(lp_registry_add_command(reg, &norun), LP_EINVAL, "command 'norun' has no run");
    cr_assert_eq(lp_registry_command_count(reg), 2);
}

/* ---- providers ------------------------------------------------------------------------- */

static const int desc_a = 1, desc_b = 2, desc_c = 3;

/* A plugin that registers a provider, then one of the same name: refused. */
static int init_dup_provider(lp_registry *r)
{
    int rc = lp_registry_add_provider(r, "gadget", "fresh", &desc_c);
    return rc ? rc : lp_registry_add_provider(r, "gadget", "spanner", &desc_c);
}

Test(registry, providers_by_kind_and_name)
{
    cr_assert_eq(lp_registry_add_provider(reg, "gadget", "spanner", &desc_a), 0);
    cr_assert_eq(lp_registry_add_provider(reg, "widget", "spanner", &desc_b), 0,
                 "the same name in another kind");
    cr_assert_eq(lp_registry_find_provider(reg, "gadget", "spanner"), &desc_a);
    cr_assert_eq(lp_registry_find_provider(reg, "widget", "spanner"), &desc_b);
    cr_assert_null(lp_registry_find_provider(reg, "gadget", "hammer"));
    cr_assert_null(lp_registry_find_provider(reg, "doohickey", "spanner"));
    cr_assert_str_eq(lp_registry_provider_source(reg, "gadget", "spanner"), "application");
    cr_assert_eq(lp_registry_provider_count(reg, "gadget"), 1);
    cr_assert_eq(lp_registry_provider_count(reg, "none"), 0);
    const char *name = NULL;
    cr_assert_eq(lp_registry_provider_at(reg, "widget", 0, &name), &desc_b);
    cr_assert_str_eq(name, "spanner");
    cr_assert_null(lp_registry_provider_at(reg, "widget", 1, &name));
    cr_assert_null(name);
    assert_error(lp_registry_add_provider(reg, "gadget", "spanner", &desc_c), LP_EEXISTS,
                 "gadget 'spanner' is already registered by application");
    assert_error(lp_registry_add_provider(reg, "gadget", "", &desc_c), LP_EINVAL,
                 "has an empty name or kind");
    assert_error(lp_registry_add_provider(reg, "gadget", "x", NULL), LP_EINVAL, "NULL descriptor");

    /* a plugin whose init fails leaves none of its providers, and is named */
    static const lp_plugin dup = {LP_ABI_VERSION, "dup", "1", init_dup_provider};
    cr_assert_neq(lp_registry_add_plugin(reg, &dup, "libdup.so"), 0);
    cr_assert(strstr(lp_error_last()->message,
                     "plugin libdup.so: gadget 'spanner' is already registered by application"),
              "%s", lp_error_last()->message);
    cr_assert_null(lp_registry_find_provider(reg, "gadget", "fresh"), "rolled back");
    cr_assert_eq(lp_registry_provider_count(reg, "gadget"), 1);
    cr_assert_null(lp_registry_find_provider(NULL, "gadget", "spanner"));
    cr_assert_eq(lp_registry_provider_count(NULL, "gadget"), 0);
}

/* ---- descriptor versions (lolpop/abi.h) --------------------------------- */

static const char *const go_methods[] = {"go", NULL};
static const char *const log_names[] = {"log", NULL};
static const char *const extra_names[] = {"extra", NULL};
static const char *const bad_names[] = {"not ok", NULL};

static lp_value *greet_noop(lp_obj *self, lp_value *args)
{
    (void)self;
    (void)args;
    return lp_value_null();
}

/* 0 is this lolpop's layout; an explicit current version is accepted; one
 * this lolpop does not know is refused before any other field is trusted. */
Test(registry, descriptor_abi_versions_are_checked_where_they_enter)
{
    static lp_class now, explicit_now, future;
    now = logger_class("NowLogger");
    explicit_now = logger_class("ExplicitLogger");
    explicit_now.abi_version = LP_ABI_VERSION;
    future = logger_class("FutureLogger");
    future.abi_version = LP_ABI_VERSION + 1;
    cr_assert_eq(lp_registry_add_class(reg, &now), 0, "%s", lp_error_last()->message);
    cr_assert_eq(lp_registry_add_class(reg, &explicit_now), 0, "%s", lp_error_last()->message);
    assert_error(lp_registry_add_class(reg, &future), LP_EINVAL,
                 "class 'FutureLogger' was written for lolpop ABI 3, this lolpop has ABI 2");
    future.abi_version = 1; /* ABI 1 had no such field: a descriptor cannot claim it */
    assert_error(lp_registry_add_class(reg, &future), LP_EINVAL,
                 "class 'FutureLogger' was written for lolpop ABI 1, this lolpop has ABI 2");
    cr_assert_null(lp_registry_find_class(reg, "FutureLogger"));

    static const lp_type future_type = {
        .name = "future_type", .kind = LP_KIND_COMPONENT, .methods = go_methods, .abi_version = 7};
    assert_error(lp_registry_add_type(reg, &future_type), LP_EINVAL,
                 "type 'future_type' was written for lolpop ABI 7, this lolpop has ABI 2");
    static const lp_command future_cmd = {.name = "later", .run = run_ok, .abi_version = 9};
    assert_error(lp_registry_add_command(reg, &future_cmd), LP_EINVAL,
                 "command 'later' was written for lolpop ABI 9, this lolpop has ABI 2");
    cr_assert_null(lp_registry_find_command(reg, "later"));
}

/* Inside a plugin, 0 means the plugin's declared ABI (here this one). */
static const lp_method greet_methods[] = {{"log", greet_noop, "log() -> null"}, {NULL, NULL, NULL}};
static const lp_class plugin_logger = {
    .name = "PluginLogger", .kind = LP_KIND_COMPONENT, .type = "logger", .methods = greet_methods};
static int versioned_init(lp_registry *r)
{
    return lp_registry_add_class(r, &plugin_logger);
}

Test(registry, unversioned_descriptors_take_the_plugin_abi)
{
    const lp_plugin p = {LP_ABI_VERSION, "versioned", "1.0", versioned_init};
    cr_assert_eq(lp_registry_add_plugin(reg, &p, "versioned.so"), 0, "%s",
                 lp_error_last()->message);
    cr_assert_eq(lp_registry_find_class(reg, "PluginLogger"), &plugin_logger);
}

Test(registry, optional_methods_are_declared_not_required)
{
    static const lp_type opt = {.name = "opt_type",
                                .kind = LP_KIND_COMPONENT,
                                .doc = "has an optional method",
                                .methods = log_names,
                                .optional_methods = extra_names};
    cr_assert_eq(lp_registry_add_type(reg, &opt), 0, "%s", lp_error_last()->message);
    static const lp_class without = {.name = "WithoutExtra",
                                     .kind = LP_KIND_COMPONENT,
                                     .type = "opt_type",
                                     .methods = greet_methods};
    cr_assert_eq(lp_registry_add_class(reg, &without), 0, "%s", lp_error_last()->message);
    static const lp_type bad = {.name = "bad_opt",
                                .kind = LP_KIND_COMPONENT,
                                .methods = log_names,
                                .optional_methods = bad_names};
    assert_error(lp_registry_add_type(reg, &bad), LP_EINVAL,
                 "type 'bad_opt' lists optional method 'not ok', not a valid identifier");
}

Test(registry, null_registry_is_harmless)
{
    cr_assert_null(lp_registry_find_class(NULL, "X"));
    cr_assert_null(lp_registry_find_type(NULL, "logger"));
    cr_assert_eq(lp_registry_class_count(NULL), 0);
    const char *out[1];
    cr_assert_eq(lp_registry_suggest_class(NULL, "x", out, 1), 0);
    lp_registry_free(NULL);
}
