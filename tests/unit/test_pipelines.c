/*
 * test_pipelines.c — the four offline pipelines and the runners through the
 * dispatcher, with real components and a real store in a temporary working
 * directory: skipped steps, the model carrying its feature transformer to a
 * predict pipeline that cannot see it, deployment without a repository or
 * without approval, and the errors of a misconfigured train pipeline.
 */
#include <criterion/criterion.h>
#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lolpop.h"

static lp_registry *reg;
static lp_value *doc;
static lp_workflow *wf;
static char tmp[] = "/tmp/lolpop-pipelines-XXXXXX";
static char old_cwd[4096];

/* y = 3 x + 5 [cat = a] - 2 [cat = c] + small noise, 200 rows, id column. */
static void write_data(const char *name, size_t rows, bool with_target)
{
    FILE *f = fopen(name, "w");
    cr_assert_not_null(f);
    fprintf(f, with_target ? "id,x,cat,y\n" : "id,x,cat\n");
    const char *cats[] = {"a", "b", "c"};
    uint32_t s = 12345;
    for (size_t i = 0; i < rows; i++) {
        s = s * 1103515245u + 12345u;
        double x = (double)(s % 1000) / 100.0;
        const char *cat = cats[(s >> 16) % 3];
        double y = 3 * x +
                   (cat[0] == 'a'   ? 5
                    : cat[0] == 'c' ? -2
                                    : 0) +
                   ((double)((s >> 8) % 100) - 50) / 500.0;
        if (with_target)
            fprintf(f, "%zu,%.2f,%s,%.4f\n", i + 1, x, cat, y);
        else
            fprintf(f, "%zu,%.2f,%s\n", i + 1, x, cat);
    }
    fclose(f);
}

static void setup(void)
{
    cr_assert_not_null(getcwd(old_cwd, sizeof old_cwd));
    cr_assert_not_null(mkdtemp(tmp));
    cr_assert_eq(chdir(tmp), 0);
    write_data("train.csv", 200, true);
    write_data("eval.csv", 50, false);
    reg = lp_registry_new();
    cr_assert_eq(lp_registry_add_plugin(reg, &lp_builtin_plugin, "builtin"), 0, "%s",
                 lp_error_last()->message);
}

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(p);
}

static void teardown(void)
{
    lp_workflow_free(wf);
    lp_value_unref(doc);
    wf = NULL;
    doc = NULL;
    lp_registry_free(reg);
    cr_assert_eq(chdir(old_cwd), 0);
    nftw(tmp, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
    strcpy(tmp, "/tmp/lolpop-pipelines-XXXXXX");
}

TestSuite(pipelines, .init = setup, .fini = teardown, .timeout = 120);

/* Builds `runner` from YAML; the return code of lp_workflow_new. */
static int build(const char *runner, const char *yaml)
{
    lp_workflow_free(wf);
    lp_value_unref(doc);
    wf = NULL;
    doc = NULL;
    lp_diags d;
    lp_diags_init(&d);
    cr_assert_eq(lp_yaml_parse(&doc, yaml, strlen(yaml), "t.yaml", &d), 0);
    int rc = lp_workflow_new(&wf, reg, doc, runner, 0, &d);
    lp_diags_clear(&d);
    return rc;
}

#define RUNNER_HEAD                                                                                \
    "pipeline: {process: OfflineProcess, train: OfflineTrain, deploy: OfflineDeploy, "             \
    "predict: OfflinePredict}\n"                                                                   \
    "component: {metrics_tracker: LocalMetricsTracker, resource_version_control: "                 \
    "LocalResourceVersionControl, logger: StdOutLogger}\n"                                         \
    "logger: {config: {log_level: WARN}}\n"                                                        \
    "config: {train_data: train.csv, eval_data: eval.csv, prediction_data: preds.csv, "            \
    "model_name: toy, model_target: y, model_index: id}\n"

/* Linear regression after one-hot encoding `cat`: the transformer sits in
 * the train pipeline, invisible to predict, so predictions rely on the model
 * carrying the transformer's state. */
#define LINEAR_TRAIN                                                                               \
    "train:\n"                                                                                     \
    "  component: {data_splitter: LocalDataSplitter, model_trainer: LinearModelTrainer, "          \
    "feature_transformer: LocalFeatureTransformer}\n"                                              \
    "  data_splitter: {config: {seed: 1}}\n"                                                       \
    "  feature_transformer: {config: {transformers: [{transformer: OneHotEncoder, columns: "       \
    "[cat]}]}}\n"                                                                                  \
    "  model_trainer: {config: {training_params: {model: ridge, C: 100}}}\n"

Test(pipelines, predict_uses_the_transformer_the_model_carries)
{
    int rc = build("RegressionRunner", RUNNER_HEAD LINEAR_TRAIN);
    cr_assert_eq(rc, 0, "%s", lp_error_last()->message);
    lp_value *r = lp_call(lp_workflow_root(wf), "build_all", NULL);
    cr_assert_not_null(r, "%s", lp_error_last()->message);
    lp_value_unref(r);
    lp_frame *preds = NULL;
    cr_assert_eq(lp_csv_read(&preds, "preds.csv", NULL), 0, "%s", lp_error_last()->message);
    cr_assert_eq(lp_frame_rows(preds), 50);
    cr_assert_str_eq(lp_frame_name(preds, 0), "id");
    cr_assert_str_eq(lp_frame_name(preds, 1), "prediction");
    /* The eval rows follow the same formula: predictions within the noise. */
    lp_frame *eval = NULL;
    cr_assert_eq(lp_csv_read(&eval, "eval.csv", NULL), 0);
    lp_column *x = lp_frame_col_by_name(eval, "x"), *cat = lp_frame_col_by_name(eval, "cat");
    lp_column *p = lp_frame_col_by_name(preds, "prediction");
    for (size_t i = 0; i < 50; i++) {
        size_t len;
        const char *c = lp_column_str(cat, i, &len);
        double want = 3 * lp_column_get_f64(x, i) + (c[0] == 'a' ? 5 : c[0] == 'c' ? -2 : 0);
        cr_assert(fabs(lp_column_get_f64(p, i) - want) < 0.5, "row %zu: %g vs %g", i,
                  lp_column_get_f64(p, i), want);
    }
    lp_frame_unref(eval);
    lp_frame_unref(preds);
}

Test(pipelines, deploy_is_skipped_without_a_repository)
{
    cr_assert_eq(build("RegressionRunner", RUNNER_HEAD LINEAR_TRAIN), 0, "%s",
                 lp_error_last()->message);
    lp_obj *root = lp_workflow_root(wf);
    lp_value *processed =
        lp_call_with(root, "process_data", "source", lp_value_string("train"), NULL);
    cr_assert_not_null(processed, "%s", lp_error_last()->message);
    lp_value *trained = lp_call_with(
        root, "train_model", "frame", lp_value_ref(lp_map_get(processed, "frame")),
        "dataset_version", lp_value_ref(lp_map_get(processed, "dataset_version")), NULL);
    cr_assert_not_null(trained, "%s", lp_error_last()->message);
    cr_assert(lp_value_as_bool(lp_map_get(trained, "better")));
    lp_value *deployed = lp_call_with(root, "deploy_model", "model_version",
                                      lp_value_ref(lp_map_get(trained, "model_version")), "model",
                                      lp_value_ref(lp_map_get(trained, "model")), NULL);
    cr_assert_not_null(deployed, "%s", lp_error_last()->message);
    cr_assert_not(lp_value_as_bool(lp_map_get(deployed, "deployed")));
    cr_assert_str_eq(lp_value_as_string(lp_map_get(deployed, "reason")),
                     "no model_repository configured");
    lp_value_unref(deployed);
    lp_value_unref(trained);
    lp_value_unref(processed);
}

Test(pipelines, an_unapproved_model_is_not_deployed)
{
    cr_assert_eq(build("RegressionRunner", RUNNER_HEAD LINEAR_TRAIN
                       "deploy:\n"
                       "  component: {model_repository: LocalModelRepository, model_deployer: "
                       "LocalModelDeployer}\n"),
                 0, "%s", lp_error_last()->message);
    lp_value *r = lp_call(lp_workflow_root(wf), "build_all", NULL);
    cr_assert_not_null(r, "%s", lp_error_last()->message);
    lp_value_unref(r);
    cr_assert_neq(access(".lolpop/deployments/toy", F_OK), 0, "an unapproved model was deployed");
    cr_assert_eq(access("preds.csv", F_OK), 0, "predictions are still made");
}

Test(pipelines, train_without_a_trainer_is_a_clear_error)
{
    cr_assert_eq(build("RegressionRunner",
                       RUNNER_HEAD "train: {component: {data_splitter: LocalDataSplitter}}\n"),
                 0, "%s", lp_error_last()->message);
    lp_value *r = lp_call(lp_workflow_root(wf), "build_all", NULL);
    cr_assert_null(r);
    cr_assert_eq(lp_error_last()->code, LP_ECONFIG);
    cr_assert(strstr(lp_error_last()->message, "neither a model_trainer nor a "
                                               "hyperparameter_tuner"),
              "%s", lp_error_last()->message);
    cr_assert_neq(access("preds.csv", F_OK), 0);
}

Test(pipelines, a_perf_metric_of_the_other_task_fails_the_build)
{
    int rc = build("RegressionRunner", RUNNER_HEAD LINEAR_TRAIN
                   "  config: {metrics: [rmse, accuracy], perf_metric: rmse}\n");
    cr_assert_eq(rc, LP_ECONFIG);
    cr_assert(strstr(lp_error_last()->message, "accuracy"), "%s", lp_error_last()->message);
}

Test(pipelines, process_loads_a_path_without_a_transformer_and_refuses_a_map)
{
    cr_assert_eq(build("RegressionRunner", RUNNER_HEAD LINEAR_TRAIN), 0);
    lp_obj *process = lp_obj_pipeline(lp_workflow_root(wf), "process");
    lp_value *f =
        lp_call_with(process, "transform_data", "source", lp_value_string("train.csv"), NULL);
    cr_assert_not_null(f, "%s", lp_error_last()->message);
    cr_assert_eq(lp_frame_rows(lp_value_as_frame(f)), 200);
    lp_value_unref(f);
    lp_value *map = lp_value_map();
    lp_map_set(map, "a", lp_value_string("train.csv"));
    f = lp_call_with(process, "transform_data", "source", map, NULL);
    cr_assert_null(f);
    cr_assert(strstr(lp_error_last()->message, "needs a data_transformer"), "%s",
              lp_error_last()->message);
}

Test(pipelines, evaluate_ground_truth_scores_a_prediction_job)
{
    cr_assert_eq(build("RegressionRunner", RUNNER_HEAD LINEAR_TRAIN), 0);
    lp_obj *root = lp_workflow_root(wf);
    lp_value *r = lp_call(root, "build_all", NULL);
    cr_assert_not_null(r, "%s", lp_error_last()->message);
    lp_value_unref(r);
    /* Labels for the first 50 training rows, scored against a job of theirs. */
    lp_value *processed =
        lp_call_with(root, "process_data", "source", lp_value_string("train"), NULL);
    cr_assert_not_null(processed);
    lp_value *trained = lp_call_with(
        root, "train_model", "frame", lp_value_ref(lp_map_get(processed, "frame")),
        "dataset_version", lp_value_ref(lp_map_get(processed, "dataset_version")), NULL);
    cr_assert_not_null(trained, "%s", lp_error_last()->message);
    lp_value *predicted = lp_call_with(
        root, "predict_data", "model_version", lp_value_ref(lp_map_get(trained, "model_version")),
        "model", lp_value_ref(lp_map_get(trained, "model")), "frame",
        lp_value_ref(lp_map_get(processed, "frame")), "dataset_version",
        lp_value_ref(lp_map_get(processed, "dataset_version")), NULL);
    cr_assert_not_null(predicted, "%s", lp_error_last()->message);
    lp_value *metrics = lp_call_with(root, "evaluate_ground_truth", "prediction_job",
                                     lp_value_ref(lp_map_get(predicted, "prediction_job")), "data",
                                     lp_value_string("train.csv"), NULL);
    cr_assert_not_null(metrics, "%s", lp_error_last()->message);
    double r2 = lp_value_as_float(lp_map_get(metrics, "r2"));
    cr_assert_gt(r2, 0.99, "r2 of the realised predictions: %g", r2);
    lp_value_unref(metrics);
    /* Labels with a repeated index would join many-to-many (once "2500 of 50
     * predictions labelled"): refused, naming the rows and the value. */
    FILE *dup = fopen("dup.csv", "w");
    cr_assert_not_null(dup);
    fputs("id,y\n3,1.0\n7,2.0\n3,1.5\n", dup);
    fclose(dup);
    metrics = lp_call_with(root, "evaluate_ground_truth", "prediction_job",
                           lp_value_ref(lp_map_get(predicted, "prediction_job")), "data",
                           lp_value_string("dup.csv"), NULL);
    cr_assert_null(metrics);
    cr_assert(strstr(lp_error_last()->message,
                     "column 'id' of the ground truth must identify rows, but rows 1 and 3 both "
                     "hold 3"),
              "%s", lp_error_last()->message);
    lp_value_unref(predicted);
    lp_value_unref(trained);
    lp_value_unref(processed);
}
