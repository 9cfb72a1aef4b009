/*
 * test_validate.c — `lolpop config validate RUNNER` runs every check `run`
 * does that needs no data, and `run` refuses the same configurations before
 * anything runs (issue 11 Fixes 1, 3, 4, 10; issue 15 "config validate").
 *
 * Each test copies the titanic quickstart into a temporary directory, adds an
 * overlay or --set options, and checks exit codes and exact messages.
 */
#include <criterion/criterion.h>

#include "harness.h"
#include "../unit/test_rng.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define DEADLINE_MS 120000

static char dir[64];

static void setup(void)
{
    lp_example_tmpdir(dir, sizeof dir, "validate", LP_TITANIC_EXAMPLE);
}

static void teardown(void)
{
    lp_tmpdir_remove(dir);
}

TestSuite(validate, .init = setup, .fini = teardown, .timeout = 300);

#define ENV(...) ((const char *const[]){__VA_ARGS__, NULL})
#define LOLPOP_ENV(env, ...)                                                                       \
    lp_run_exe(LP_LOLPOP_EXE, dir, (env), (const char *const[]){__VA_ARGS__, NULL}, DEADLINE_MS)
#define LOLPOP(...) LOLPOP_ENV(NULL, __VA_ARGS__)
#define EXPECT_NOT_ERR(r, s)                                                                       \
    cr_assert(strstr((r).err, (s)) == NULL, "stderr has \"%s\":\n%s", (s), (r).err)

/* validate and run of titanic.yaml plus overlay bad.yaml (text) must both
 * exit 2 with `message` on stderr; run must not have created a store. */
static void expect_refused(const char *overlay, const char *message)
{
    lp_write_file(dir, "bad.yaml", overlay);
    lp_run v = LOLPOP("config", "validate", "ClassificationRunner", "-c", "titanic.yaml", "-c",
                      "bad.yaml");
    LP_EXPECT_EXIT(v, 2);
    LP_EXPECT_ERR(v, message);
    lp_run_free(&v);
    lp_run r =
        LOLPOP("run", "workflow", "ClassificationRunner", "-c", "titanic.yaml", "-c", "bad.yaml");
    LP_EXPECT_EXIT(r, 2);
    LP_EXPECT_ERR(r, message);
    LP_EXPECT_ERR(r, "nothing was run");
    char store[PATH_MAX];
    snprintf(store, sizeof store, "%s/.lolpop/deployments", dir);
    struct stat st;
    cr_assert_neq(stat(store, &st), 0, "run deployed something before refusing");
    lp_run_free(&r);
}

Test(validate, the_quickstart_is_valid)
{
    lp_run v =
        LOLPOP("config", "validate", "ClassificationRunner", "-c", "titanic.yaml", "--strict");
    LP_EXPECT_EXIT(v, 0);
    LP_EXPECT_OUT(v, "configuration OK for ClassificationRunner");
    lp_run_free(&v);
}

/* ---- the classes' own checks (check_config) --------------------------------------- */

Test(validate, scikit_learn_xgboost_names_get_hints)
{
    expect_refused("train:\n  model_trainer:\n    config:\n"
                   "      training_params: {n_estimators: 10, learning_rate: 0.1}\n",
                   "bad.yaml:4:25: error: [train.model_trainer] XGBoostModelTrainer "
                   "(train.model_trainer): training_params: unknown XGBoost parameter "
                   "'n_estimators'; use num_boost_round (the number of boosting rounds)");
    lp_run v = LOLPOP("config", "validate", "ClassificationRunner", "-c", "titanic.yaml", "-c",
                      "bad.yaml");
    LP_EXPECT_ERR(v, "warning: [train.model_trainer] XGBoostModelTrainer (train.model_trainer): "
                     "training_params: 'learning_rate' is another library's name; use eta "
                     "(XGBoost accepts it as an alias)");
    lp_run_free(&v);
}

Test(validate, unknown_xgboost_parameter_suggests_the_closest)
{
    expect_refused("train:\n  model_trainer:\n    config:\n      training_params: {max_dept: 3}\n",
                   "unknown XGBoost parameter 'max_dept'; did you mean 'max_depth'?");
}

Test(validate, unknown_metric)
{
    expect_refused("train:\n  config:\n    metrics: [accuracy, f2]\n",
                   "bad.yaml:3:25: error: [train] unknown metric 'f2' (did you mean 'f1'?)");
}

Test(validate, model_name_that_cannot_name_a_model)
{
    expect_refused("config:\n  model_name: \"..\"\n",
                   "bad.yaml:2:15: error: [train] OfflineTrain: model_name '..' cannot name a "
                   "model (it must be non-empty, without '/' or '\\', and not start with '.')");
    expect_refused("config:\n  model_name: \"a/b\"\n", "OfflineTrain: model_name 'a/b' cannot");
    /* a NUL never reaches the name: the configuration loader refuses it (issue 15, 4) */
    expect_refused("config:\n  model_name: \"tit\\0anic\"\n",
                   "bad.yaml:2:15: error: [config.model_name] a NUL character (\\0) in a value "
                   "is not allowed");
}

/* ---- Fix 1: every slot the steps need ---------------------------------------------- */

Test(validate, missing_resource_version_control_is_reported_before_running)
{
    expect_refused("component:\n  resource_version_control: null\n",
                   "error: [deploy.model_deployer] LocalModelDeployer at 'deploy.model_deployer' "
                   "requires component 'resource_version_control'");
}

Test(validate, missing_metrics_tracker_is_reported_before_running)
{
    expect_refused("component:\n  metrics_tracker: ~\n",
                   "error: ClassificationRunner (the runner) requires component "
                   "'metrics_tracker' (declare it under component:)");
}

/* ---- Fix 3: keys no class reads ---------------------------------------------------- */

Test(validate, training_params_in_the_pipeline_config_is_a_warning_or_strict_error)
{
    lp_write_file(dir, "bad.yaml", "train:\n  config:\n    training_params: {eta: 0.2}\n");
    const char *msg = "bad.yaml:3:22: warning: [train.model_trainer] training_params set in "
                      "train.config is not read: XGBoostModelTrainer reads training_params from "
                      "its own config only; move it to train.model_trainer.config";
    lp_run v = LOLPOP("config", "validate", "ClassificationRunner", "-c", "titanic.yaml", "-c",
                      "bad.yaml");
    LP_EXPECT_EXIT(v, 0);
    LP_EXPECT_ERR(v, msg);
    lp_run_free(&v);
}

Test(validate, a_trainer_parameter_every_trial_overrides_is_a_warning)
{
    lp_write_file(dir, "bad.yaml",
                  "train:\n  model_trainer:\n    config:\n"
                  "      training_params: {max_depth: 9, subsample: 0.8}\n");
    const char *msg = "bad.yaml:4:36: warning: [train.hyperparameter_tuner] XGBoostModelTrainer "
                      "(train.model_trainer): training_params: 'max_depth' is never used: every "
                      "trial of LocalHyperparameterTuner (train.hyperparameter_tuner) sets it at "
                      "titanic.yaml:";
    lp_run v = LOLPOP("config", "validate", "ClassificationRunner", "-c", "titanic.yaml", "-c",
                      "bad.yaml");
    LP_EXPECT_EXIT(v, 0);
    LP_EXPECT_ERR(v, msg);
    EXPECT_NOT_ERR(v, "'subsample'"); /* the tuner does not set it: the trainer's value counts */
    lp_run_free(&v);
}

/* The tuner's trial values reach the trainer's check before anything runs:
 * a bad choice, a bad range end and a misspelt name, each at its own line;
 * the good values around them are not reported. */
Test(validate, a_tuner_value_the_trainer_would_refuse_is_an_error_at_that_value)
{
    const char *overlay = "train:\n  hyperparameter_tuner:\n    config:\n"
                          "      training_params:\n        XGBoostModelTrainer:\n"
                          "          max_depth: [3, -5, 4]\n"
                          "          eta: {low: -0.1, high: 0.3}\n"
                          "          max_dept: [2]\n";
    expect_refused(overlay, "bad.yaml:6:26: error: [train.hyperparameter_tuner] "
                            "XGBoostModelTrainer (train.model_trainer): training_params: XGBoost "
                            "parameter 'max_depth' must be an integer >= 0 (got -5)");
    expect_refused(overlay, "bad.yaml:7:22: error: [train.hyperparameter_tuner] "
                            "XGBoostModelTrainer (train.model_trainer): training_params: XGBoost "
                            "parameter 'eta' must be a number >= 0 (got -0.1)");
    expect_refused(overlay, "bad.yaml:8:11: error: [train.hyperparameter_tuner] "
                            "XGBoostModelTrainer (train.model_trainer): training_params: unknown "
                            "XGBoost parameter 'max_dept'; did you mean 'max_depth'?");
    lp_run v = LOLPOP("config", "validate", "ClassificationRunner", "-c", "titanic.yaml", "-c",
                      "bad.yaml");
    LP_EXPECT_ERR(v, "3 problems in the configuration");
    EXPECT_NOT_ERR(v, "(got 3)");
    EXPECT_NOT_ERR(v, "0.3)");
    lp_run_free(&v);
}

/* Every bad value of a trainer's own training_params is reported, not the first only. */
Test(validate, every_bad_trainer_value_is_reported_at_its_place)
{
    const char *overlay = "train:\n  model_trainer:\n    config:\n"
                          "      training_params: {gamma: -1, lambda: x, nthread: 1}\n";
    expect_refused(overlay, "bad.yaml:4:32: error: [train.model_trainer] XGBoostModelTrainer "
                            "(train.model_trainer): training_params: XGBoost parameter 'gamma' "
                            "must be a number >= 0 (got -1)");
    expect_refused(overlay, "bad.yaml:4:44: error: [train.model_trainer] XGBoostModelTrainer "
                            "(train.model_trainer): training_params: XGBoost parameter 'lambda' "
                            "must be a number >= 0 (got \"x\")");
}

/* A value given with --set is reported at that option, not at the class's declaration. */
Test(validate, a_bad_value_from_set_is_reported_at_the_option)
{
    lp_run v = LOLPOP("config", "validate", "ClassificationRunner", "-c", "titanic.yaml", "--set",
                      "train.model_trainer.config.training_params.gamma=-1");
    LP_EXPECT_EXIT(v, 2);
    LP_EXPECT_ERR(v, "--set train.model_trainer.config.training_params.gamma=-1: error: "
                     "[train.model_trainer] XGBoostModelTrainer (train.model_trainer): "
                     "training_params: XGBoost parameter 'gamma' must be a number >= 0 (got -1)");
    lp_run_free(&v);
}

/* An objective that does not fit the problem, offered as a choice. */
Test(validate, a_tuner_objective_for_another_problem_is_an_error)
{
    expect_refused("train:\n  hyperparameter_tuner:\n    config:\n"
                   "      training_params:\n        XGBoostModelTrainer:\n"
                   "          objective: [binary:logistic, reg:squarederror]\n",
                   "bad.yaml:6:40: error: [train.hyperparameter_tuner] XGBoostModelTrainer "
                   "(train.model_trainer): objective 'reg:squarederror' is a regression "
                   "objective but problem_type is classification");
}

Test(validate, a_key_hidden_by_a_class_default_names_where_it_belongs)
{
    const char *msg = "config 'colour' set in the root config is not read: StdOutLogger at "
                      "'logger' has its own value (its config or class default) and no class "
                      "above it reads 'colour'; set it under logger.config";
    lp_run v = LOLPOP("config", "validate", "ClassificationRunner", "-c", "titanic.yaml", "--set",
                      "config.colour=never");
    LP_EXPECT_EXIT(v, 0);
    LP_EXPECT_ERR(v, "--set config.colour=never: warning: [config] ");
    LP_EXPECT_ERR(v, msg);
    lp_run_free(&v);
    v = LOLPOP("config", "validate", "ClassificationRunner", "-c", "titanic.yaml", "--set",
               "config.colour=never", "--strict");
    LP_EXPECT_EXIT(v, 2);
    LP_EXPECT_ERR(v, "--set config.colour=never: error: [config] ");
    lp_run_free(&v);
    v = LOLPOP("run", "workflow", "ClassificationRunner", "-c", "titanic.yaml", "--set",
               "config.bogus_key=1", "--strict");
    LP_EXPECT_EXIT(v, 2);
    LP_EXPECT_ERR(v, "error: [config] unknown config key 'bogus_key' in the root section");
    LP_EXPECT_ERR(v, "nothing was run");
    lp_run_free(&v);
}

/* ---- Fix 4: LOLPOP_<KEY> only, named in messages and in config show ----------------- */

Test(validate, only_prefixed_environment_variables_are_read)
{
    /* the splitter's seed removed: it is looked up above, then in the environment */
    lp_run v = LOLPOP_ENV(ENV("SEED=abc"), "config", "validate", "ClassificationRunner", "-c",
                          "titanic.yaml", "--set", "train.data_splitter.config.seed=null");
    LP_EXPECT_EXIT(v, 0);
    lp_run_free(&v);
    v = LOLPOP_ENV(ENV("LOLPOP_SEED=s3cr3t"), "config", "validate", "ClassificationRunner", "-c",
                   "titanic.yaml", "--set", "train.data_splitter.config.seed=null");
    LP_EXPECT_EXIT(v, 2);
    LP_EXPECT_ERR(v, "env LOLPOP_SEED: error: [train.data_splitter] environment variable "
                     "LOLPOP_SEED must be an int: LocalDataSplitter at 'train.data_splitter' "
                     "reads it as config 'seed' (unset it, or set 'seed' in the configuration)");
    EXPECT_NOT_ERR(v, "s3cr3t");
    lp_run_free(&v);
}

Test(validate, config_show_names_environment_values)
{
    lp_run v = LOLPOP_ENV(ENV("LOLPOP_SEED=123"), "config", "show", "ClassificationRunner", "-c",
                          "titanic.yaml", "--set", "train.data_splitter.config.seed=null");
    LP_EXPECT_EXIT(v, 0);
    LP_EXPECT_OUT(v, "train.data_splitter (LocalDataSplitter):");
    LP_EXPECT_OUT(v, "  seed: \"123\"  # env LOLPOP_SEED");
    lp_run_free(&v);
}

/* ---- Fix 10: overlays remove keys and slots --------------------------------------- */

Test(validate, set_null_removes_a_slot_and_validation_judges_the_result)
{
    lp_run v = LOLPOP("config", "show", "ClassificationRunner", "-c", "titanic.yaml", "--set",
                      "train.component.hyperparameter_tuner=null");
    LP_EXPECT_EXIT(v, 0);
    cr_assert_null(strstr(v.out, "LocalHyperparameterTuner"), "%s", v.out);
    lp_run_free(&v);
    /* the tuner's section is now a section of no declared slot */
    v = LOLPOP("config", "validate", "ClassificationRunner", "-c", "titanic.yaml", "--set",
               "train.component.hyperparameter_tuner=~");
    LP_EXPECT_EXIT(v, 0);
    LP_EXPECT_ERR(v, "warning: [train] unknown key 'hyperparameter_tuner' in section 'train'");
    lp_run_free(&v);
    lp_write_file(dir, "off.yaml",
                  "train:\n  component:\n    hyperparameter_tuner: null\n"
                  "  hyperparameter_tuner: null\n");
    v = LOLPOP("config", "validate", "ClassificationRunner", "-c", "titanic.yaml", "-c", "off.yaml",
               "--strict");
    LP_EXPECT_EXIT(v, 0);
    lp_run_free(&v);
}

/* ---- Fix 8: input problems before training ---------------------------------------- */

Test(validate, unreadable_inputs_are_found_before_anything_runs)
{
    expect_refused("process:\n  data_transformer:\n    config:\n      sql_file: nope.sql\n",
                   "bad.yaml:4:17: error: [process.data_transformer] SQLDataTransformer "
                   "(process.data_transformer): cannot read sql_file 'nope.sql': No such file or "
                   "directory");
    expect_refused("config:\n  eval_data: data/evaluation.csv\n",
                   "bad.yaml:2:14: error: cannot read eval_data 'data/evaluation.csv': No such "
                   "file or directory");
    expect_refused("config:\n  train_data: data\n",
                   "bad.yaml:2:15: error: cannot read train_data 'data': it is a directory, not a "
                   "file");
}

Test(validate, an_eval_file_without_a_training_column_is_found_before_training)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "cd '%s' && cut -d, -f1,2,4- data/eval.csv > data/eval_nosex.csv",
             dir);
    cr_assert_eq(system(cmd), 0);
    /* no data_transformer: the columns are the features, so it is an error */
    expect_refused("process:\n  component:\n    data_transformer: null\n"
                   "config:\n  eval_data: data/eval_nosex.csv\n",
                   "bad.yaml:5:14: error: eval_data 'data/eval_nosex.csv' lacks column 'sex' of "
                   "train_data (not the target, not in drop_columns): the model is trained on "
                   "them and scoring the eval data would fail");
    /* the SQL may derive or ignore columns: a warning */
    lp_write_file(dir, "nosex.yaml", "config:\n  eval_data: data/eval_nosex.csv\n");
    lp_run v = LOLPOP("config", "validate", "ClassificationRunner", "-c", "titanic.yaml", "-c",
                      "nosex.yaml");
    LP_EXPECT_EXIT(v, 0);
    LP_EXPECT_ERR(v, "nosex.yaml:2:14: warning: eval_data 'data/eval_nosex.csv' lacks column "
                     "'sex' of train_data (not the target, not in drop_columns): scoring fails "
                     "unless the data_transformer does without them");
    lp_run_free(&v);
    /* the quickstart's own files: the target and drop_columns may be absent */
    v = LOLPOP("config", "validate", "ClassificationRunner", "-c", "titanic.yaml");
    LP_EXPECT_EXIT(v, 0);
    cr_assert_null(strstr(v.err, "lacks column"), "%s", v.err);
    lp_run_free(&v);
}

/* A misspelt model_target is named as such (with the closest column), not blamed on
 * eval_data for lacking the real target column. */
Test(validate, a_misspelt_target_is_named_before_anything_runs)
{
    expect_refused("process:\n  component:\n    data_transformer: null\n"
                   "config:\n  model_target: survivd\n",
                   "bad.yaml:5:17: error: model_target 'survivd' is not a column of train_data "
                   "'data/train.csv' (did you mean 'survived'?)");
    /* the SQL may make the target: a warning */
    lp_write_file(dir, "made.yaml", "config:\n  model_target: survivd\n");
    lp_run v = LOLPOP("config", "validate", "ClassificationRunner", "-c", "titanic.yaml", "-c",
                      "made.yaml");
    LP_EXPECT_ERR(v, "made.yaml:2:17: warning: model_target 'survivd' is not a column of "
                     "train_data 'data/train.csv' (did you mean 'survived'?): the "
                     "data_transformer must make it");
    cr_assert_null(strstr(v.err, "lacks column"), "%s", v.err);
    lp_run_free(&v);
}

/* ---- Fix 6: a float target in a classification runner ------------------------------ */

Test(validate, a_float_target_asks_for_the_regression_runner_before_tuning)
{
    lp_run r = LOLPOP("run", "workflow", "ClassificationRunner", "-c", "titanic.yaml", "--set",
                      "config.model_target=fare");
    LP_EXPECT_EXIT(r, 1);
    LP_EXPECT_ERR(r, "ClassificationRunner.process_data: target 'fare' has 229 distinct float "
                     "values: did you mean RegressionRunner? (ClassificationRunner classifies; a "
                     "class label is text, a bool or an integer)");
    cr_assert_null(strstr(r.err, "trial 1/"), "no trial may run:\n%s", r.err);
    lp_run_free(&r);
}

/* ---- issue 15: a big configuration is stored once ---------------------------------- */

/* Bytes of the regular files under path (recursively). */
static long long tree_bytes(const char *path)
{
    char cmd[PATH_MAX + 32];
    snprintf(cmd, sizeof cmd, "du -sb --apparent-size '%s'", path);
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p);
    long long n = -1;
    cr_assert_eq(fscanf(p, "%lld", &n), 1);
    pclose(p);
    return n;
}

/* A run with a 2 MB configuration grows the store by at most 1.2x the
 * configuration's size over a run without it (it was 2x: the runs row that
 * held it was rewritten by every later UPDATE). Not timed: bytes only. */
/* Its own suite for a longer limit: two titanic runs are slow under valgrind. */
TestSuite(validate_big, .init = setup, .fini = teardown, .timeout = 900);

Test(validate_big, a_big_configuration_is_stored_once)
{
    FILE *f = fopen(lp_write_file(dir, "big.yaml", "config:\n  big_blob:\n"), "a");
    cr_assert_not_null(f);
    long long config_bytes = 0;
    for (int i = 0; config_bytes < 2000000; i++) {
        char val[81];
        for (int c = 0; c < 80; c++) {
            val[c] = (char)('a' + rng() % 26); /* random letters: text that does not compress */
        }
        val[80] = '\0';
        config_bytes += fprintf(f, "    k%d: %s\n", i, val);
    }
    fclose(f);
    lp_run r = LOLPOP("run", "workflow", "ClassificationRunner", "-c", "titanic.yaml");
    LP_EXPECT_EXIT(r, 0);
    lp_run_free(&r);
    char store[PATH_MAX];
    snprintf(store, sizeof store, "%s/.lolpop", dir);
    long long plain = tree_bytes(store);
    lp_tmpdir_remove(store);
    r = LOLPOP("run", "workflow", "ClassificationRunner", "-c", "titanic.yaml", "-c", "big.yaml");
    LP_EXPECT_EXIT(r, 0);
    lp_run_free(&r);
    long long big = tree_bytes(store);
    cr_assert_leq(big - plain, config_bytes * 12 / 10,
                  "the store grew by %lld bytes for a %lld-byte configuration (plain run: %lld)",
                  big - plain, config_bytes, plain);
    /* and it is still there to read back */
    r = LOLPOP("runs", "show", "latest", "--json");
    LP_EXPECT_EXIT(r, 0);
    LP_EXPECT_OUT(r, "\"k19999\"");
    lp_run_free(&r);
}

/* issue 11 Fix 15: the Python lolpop's titanic quickstart, in its own shape:
 * every foreign class and key names what to use here, Base<Type> switches a
 * slot off (and the runner then says it needs that slot). */
Test(validate, a_python_lolpop_workflow_names_every_counterpart)
{
    lp_write_file(dir, "dev.yaml",
                  "pipeline:\n"
                  "  process: OfflineProcess\n"
                  "  train: OfflineTrain\n"
                  "  predict: OfflinePredict\n"
                  "  deploy: OfflineDeploy\n"
                  "component:\n"
                  "  metadata_tracker: MLFlowMetadataTracker\n"
                  "  metrics_tracker: BaseMetricsTracker\n"
                  "  resource_version_control: BaseResourceVersionControl\n"
                  "config:\n"
                  "  train_data: data/train.csv\n"
                  "  eval_data: data/eval.csv\n"
                  "  model_target: survived\n"
                  "  model_name: titanic\n"
                  "process:\n"
                  "  component:\n"
                  "    data_transformer: LocalDataTransformer\n"
                  "  data_transformer:\n"
                  "    config:\n"
                  "      transformer_path: process_titanic.py\n"
                  "train:\n"
                  "  component:\n"
                  "    model_trainer: XGBoostModelTrainer\n"
                  "    hyperparameter_tuner: OptunaHyperparameterTuner\n"
                  "  model_trainer:\n"
                  "    config:\n"
                  "      training_params:\n"
                  "        n_estimators: 100\n"
                  "        learning_rate: 0.1\n"
                  "        random_state: 0\n"
                  "deploy:\n"
                  "  component:\n"
                  "    model_deployer: SeldonModelDeployer\n");
    lp_run v = LOLPOP("config", "validate", "ClassificationRunner", "-c", "dev.yaml");
    LP_EXPECT_EXIT(v, 2);
    LP_EXPECT_ERR(v, "dev.yaml:7:21: error: ");
    LP_EXPECT_ERR(v, "'MLFlowMetadataTracker' is a class of the Python lolpop: use "
                     "LocalMetadataTracker here; mlflow_* keys become store:");
    LP_EXPECT_ERR(v, "dev.yaml:8:20: warning: ");
    LP_EXPECT_ERR(v, "BaseMetricsTracker: the Python lolpop's way to switch slot "
                     "'metrics_tracker' off");
    LP_EXPECT_ERR(v, "BaseResourceVersionControl: the Python lolpop's way to switch slot "
                     "'resource_version_control' off");
    LP_EXPECT_ERR(v, "'LocalDataTransformer' is a class of the Python lolpop: use "
                     "SQLDataTransformer here; its transformer_path .py becomes sql_file");
    LP_EXPECT_ERR(v, "'OptunaHyperparameterTuner' is a class of the Python lolpop: use "
                     "TPEHyperparameterTuner here");
    LP_EXPECT_ERR(v, "'SeldonModelDeployer' is a class of the Python lolpop: use "
                     "LocalModelDeployer here");
    EXPECT_NOT_ERR(v, "did you mean");
    lp_run_free(&v);

    /* with the counterparts in place, the XGBoost keys get theirs too */
    lp_write_file(dir, "fixed.yaml",
                  "component:\n"
                  "  metadata_tracker: LocalMetadataTracker\n"
                  "  metrics_tracker: LocalMetricsTracker\n"
                  "  resource_version_control: LocalResourceVersionControl\n"
                  "process:\n"
                  "  component:\n"
                  "    data_transformer: SQLDataTransformer\n"
                  "  data_transformer:\n"
                  "    config: {transformer_path: null, sql_file: process_titanic.sql}\n"
                  "train:\n"
                  "  component:\n"
                  "    hyperparameter_tuner: null\n"
                  "deploy:\n"
                  "  component:\n"
                  "    model_deployer: LocalModelDeployer\n");
    v = LOLPOP("config", "validate", "ClassificationRunner", "-c", "dev.yaml", "-c", "fixed.yaml");
    LP_EXPECT_EXIT(v, 2);
    LP_EXPECT_ERR(v, "'n_estimators'; use num_boost_round");
    LP_EXPECT_ERR(v, "'learning_rate' is another library's name; use eta");
    LP_EXPECT_ERR(v, "'random_state' is another library's name; use seed");
    lp_run_free(&v);

    /* a slot Base<Type> switched off is one the runner needs: validation says so */
    v = LOLPOP("config", "validate", "ClassificationRunner", "-c", "titanic.yaml", "--set",
               "component.metrics_tracker=BaseMetricsTracker");
    LP_EXPECT_EXIT(v, 2);
    LP_EXPECT_ERR(v, "BaseMetricsTracker: the Python lolpop's way to switch slot "
                     "'metrics_tracker' off");
    LP_EXPECT_ERR(v, "ClassificationRunner (the runner) requires component 'metrics_tracker'");
    lp_run_free(&v);
}
