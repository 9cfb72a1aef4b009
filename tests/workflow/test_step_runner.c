/*
 * test_step_runner.c — StepRunner with the real binary on the titanic
 * quickstart's data: a workflow written as steps (split, train, predict,
 * score, track) and the numbers it gives; the checks made before anything
 * runs (unknown slots and methods, bad expressions, each with file:line:col,
 * all in one report); a failing step named with its number; data paths
 * relative to the config file.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "harness.h"

#define DEADLINE_MS 120000L

static char dir_buf[64];
static const char *dir;

static void setup(void)
{
    dir = lp_example_tmpdir(dir_buf, sizeof dir_buf, "steps", LP_TITANIC_EXAMPLE);
}

static void teardown(void)
{
    lp_tmpdir_remove(dir);
}

TestSuite(step_runner, .init = setup, .fini = teardown, .timeout = 300);

/* The components and settings every case uses, then `steps` (YAML lines). */
static const char *write_steps(const char *name, const char *steps)
{
    char text[8192];
    snprintf(text, sizeof text,
             "component:\n"
             "  data_splitter: LocalDataSplitter\n"
             "  model_trainer: LinearModelTrainer\n"
             "config:\n"
             "  problem_type: classification\n"
             "  model_target: survived\n"
             "  model_index: passenger_id\n"
             "  drop_columns: [alive, deck, embark_town, class, who, age, sex, embarked]\n"
             "  data:\n"
             "    train: data/train.csv\n"
             "  steps:\n%s",
             steps);
    return lp_write_file(dir, name, text);
}

static lp_run run_steps(const char *cwd, const char *config)
{
    const char *args[] = {"run", "workflow", "StepRunner", "-c", config, NULL};
    return lp_run_exe(LP_LOLPOP_EXE, cwd, NULL, args, DEADLINE_MS);
}

static const char workflow[] =
    "    - call: data_splitter.split_data\n"
    "      args: {frame: data.train}\n"
    "      as: splits\n"
    "    - call: model_trainer.fit\n"
    "      args: {splits: steps.splits}\n"
    "      as: model\n"
    "    - call: model_trainer.predict\n"
    "      args: {frame: steps.splits.X_valid}\n"
    "      as: predictions\n"
    "    - call: model_trainer.calculate_metrics\n"
    "      args:\n"
    "        splits: steps.splits\n"
    "        predictions: {valid: steps.predictions}\n"
    "        metrics: [\"'accuracy'\"]\n"
    "      as: metrics\n"
    "    - call: metadata_tracker.create_resource\n"
    "      args: {id: \"'titanic'\", type: \"'dataset'\", parent: null}\n"
    "      as: dataset\n"
    "    - call: metadata_tracker.log_tag\n"
    "      args:\n"
    "        resource: steps.dataset\n"
    "        key: \"'stats'\"\n"
    "        value:\n"
    "          rows: rows(data.train)\n"
    "          train_rows: rows(steps.splits.X_train)\n"
    "          features: cols(steps.splits.X_train)\n"
    "          survivors: mean(data.train.survived) * rows(data.train)\n"
    "          path: paths.train\n"
    "          target: config.model_target\n"
    "    - call: metadata_tracker.get_tag\n"
    "      args: {resource: steps.dataset, key: \"'stats'\"}\n"
    "      as: stats\n";

Test(step_runner, runs_a_workflow_written_as_steps_on_titanic)
{
    write_steps("steps.yaml", workflow);
    lp_run r = run_steps(dir, "steps.yaml");
    LP_EXPECT_EXIT(r, 0);
    /* one line per step saying what it returned */
    LP_EXPECT_ERR(r, "data train: frame 713 x 16 from data/train.csv");
    LP_EXPECT_ERR(r, "step 1/7 splits: data_splitter.split_data -> map {X_train, y_train, "
                     "X_valid, y_valid}");
    LP_EXPECT_ERR(r, "step 2/7 model: model_trainer.fit -> <model: liblinear binary model of "
                     "'survived' on 6 features>");
    LP_EXPECT_ERR(r, "step 3/7 predictions: model_trainer.predict -> frame 143 x 1");
    LP_EXPECT_ERR(r, "step 6/7 log_tag: metadata_tracker.log_tag -> null");
    /* the result: every step by its name. 713 rows, 266 of them survivors
     * (counted in data/train.csv); [0.8, 0.2] of 713 is 570 + 143 by the
     * largest remainder; 16 columns - target - index - 8 dropped = 6. */
    LP_EXPECT_OUT(r, "\"X_train\": <frame: 570 rows × 6 cols>");
    LP_EXPECT_OUT(r, "\"X_valid\": <frame: 143 rows × 6 cols>");
    LP_EXPECT_OUT(r, "\"stats\": {\"rows\": 713, \"train_rows\": 570, \"features\": 6, "
                     "\"survivors\": 266.0, \"path\": \"data/train.csv\", \"target\": "
                     "\"survived\"}");
    const char *acc = strstr(r.out, "\"metrics\": {\"valid\": {\"accuracy\": ");
    cr_assert_not_null(acc, "%s", r.out);
    double accuracy = strtod(acc + strlen("\"metrics\": {\"valid\": {\"accuracy\": "), NULL);
    /* 143 validation rows: accuracy is k/143, and a linear model beats the
     * 62% of always predicting "died" */
    double k = accuracy * 143;
    cr_expect_float_eq(k, (double)(long)(k + 0.5), 1e-9, "accuracy %g is not k/143", accuracy);
    cr_expect_gt(accuracy, 0.62, "accuracy %g", accuracy);
    lp_run_free(&r);
}

Test(step_runner, data_paths_are_relative_to_the_config_file)
{
    char sub[512];
    snprintf(sub, sizeof sub, "%s/conf", dir);
    cr_assert_eq(mkdir(sub, 0755), 0);
    char text[4096];
    snprintf(text, sizeof text,
             "component:\n  data_splitter: LocalDataSplitter\n"
             "config:\n  model_target: survived\n  data:\n    train: ../data/train.csv\n"
             "  steps:\n    - call: data_splitter.split_data\n      args: {frame: data.train}\n");
    lp_write_file(sub, "steps.yaml", text);
    /* run from an empty directory: only the config file's directory can make the path work */
    char elsewhere[512], config[600];
    snprintf(elsewhere, sizeof elsewhere, "%s/elsewhere", dir);
    cr_assert_eq(mkdir(elsewhere, 0755), 0);
    snprintf(config, sizeof config, "%s/steps.yaml", sub);
    lp_run r = run_steps(elsewhere, config);
    LP_EXPECT_EXIT(r, 0);
    LP_EXPECT_ERR(r, "/conf/../data/train.csv");
    LP_EXPECT_OUT(r, "\"X_train\": <frame: 570 rows × 15 cols>"); /* all but the target */
    lp_run_free(&r);
}

Test(step_runner, every_mistake_in_the_steps_is_reported_before_anything_runs)
{
    write_steps("bad.yaml", "    - call: data_spliter.split_data\n"             /* line 12 */
                            "      args: {frame: data.train}\n"                 /* line 13 */
                            "    - call: model_trainer.fitt\n"                  /* line 14 */
                            "      args: {splits: steps.splits}\n"              /* line 15 */
                            "    - call: model_trainer.predict\n"               /* line 16 */
                            "      args: {frame: \"steps.splits.X_valid +\"}\n" /* 17 */
                            "      ass: typo\n"                                 /* line 18 */
                            "    - call: nodot\n");                             /* line 19 */
    lp_run r = run_steps(dir, "bad.yaml");
    LP_EXPECT_EXIT(r, 2);
    LP_EXPECT_ERR(r, "bad.yaml:12:13:");
    LP_EXPECT_ERR(r, "no integration in slot 'data_spliter' (did you mean 'data_splitter'?)");
    LP_EXPECT_ERR(r, "bad.yaml:14:13: step 'model_trainer.fitt': LinearModelTrainer (slot "
                     "'model_trainer') has no method 'fitt' (did you mean 'fit'?)");
    LP_EXPECT_ERR(r, "bad.yaml:17:");
    LP_EXPECT_ERR(r, "bad argument expression");
    LP_EXPECT_ERR(r, "bad.yaml:18:12: step 3: unknown key 'ass' (did you mean 'as'?)");
    LP_EXPECT_ERR(r, "bad.yaml:19:13: step 4: 'call' must be \"SLOT.method\", got nodot");
    cr_expect_null(strstr(r.err, "step 1/"), "nothing ran:\n%s", r.err);
    cr_expect_null(strstr(r.err, "data train:"), "no data was loaded:\n%s", r.err);
    lp_run_free(&r);
}

Test(step_runner, a_failing_step_stops_the_run_and_is_named)
{
    write_steps("fail.yaml", "    - call: data_splitter.split_data\n"
                             "      args: {frame: data.train}\n"
                             "      as: splits\n"
                             "    - call: data_splitter.split_data\n"
                             "      args: {frame: data.train.survivd}\n"
                             "    - call: model_trainer.fit\n"
                             "      args: {splits: steps.splits}\n");
    lp_run r = run_steps(dir, "fail.yaml");
    LP_EXPECT_EXIT(r, 1);
    LP_EXPECT_ERR(r, "step 1/3 splits: data_splitter.split_data");
    LP_EXPECT_ERR(r, "step 2 of 3 'data_splitter.split_data' (arguments)");
    LP_EXPECT_ERR(r, "the frame has no column 'survivd' (did you mean 'survived'?)");
    cr_expect_null(strstr(r.err, "step 3/3"), "step 3 did not run:\n%s", r.err);
    lp_run_free(&r);
}

Test(step_runner, missing_data_and_missing_steps)
{
    write_steps("nodata.yaml", "    - call: data_splitter.split_data\n"
                               "      args: {frame: data.train}\n");
    char path[512];
    snprintf(path, sizeof path, "%s/data/train.csv", dir);
    cr_assert_eq(remove(path), 0);
    lp_run r = run_steps(dir, "nodata.yaml");
    LP_EXPECT_EXIT(r, 1);
    LP_EXPECT_ERR(r, "data 'train' (data/train.csv)");
    lp_run_free(&r);

    lp_write_file(dir, "nosteps.yaml", "config:\n  data: {}\n");
    r = run_steps(dir, "nosteps.yaml");
    LP_EXPECT_EXIT(r, 2);
    LP_EXPECT_ERR(r, "steps");
    lp_run_free(&r);
}

Test(step_runner, calls_reach_components_inside_pipelines)
{
    lp_write_file(dir, "nested.yaml",
                  "pipeline:\n  train: OfflineTrain\n"
                  "train:\n  component:\n    data_splitter: LocalDataSplitter\n"
                  "    model_trainer: LinearModelTrainer\n"
                  "config:\n  model_target: survived\n  problem_type: classification\n"
                  "  data:\n    train: data/train.csv\n"
                  "  steps:\n"
                  "    - call: train.data_splitter.split_data\n" /* the pipeline's component */
                  "      args: {frame: data.train}\n"
                  "    - call: train.split_data\n" /* the pipeline's own method */
                  "      args: {frame: data.train}\n"
                  "      as: via_pipeline\n");
    lp_run r = run_steps(dir, "nested.yaml");
    LP_EXPECT_EXIT(r, 0);
    LP_EXPECT_ERR(r, "step 1/2 split_data: train.data_splitter.split_data -> map");
    LP_EXPECT_ERR(r, "step 2/2 via_pipeline: train.split_data -> map");
    LP_EXPECT_OUT(r, "\"via_pipeline\": {\"X_train\": <frame: 570 rows × 15 cols>");
    lp_run_free(&r);
    /* a slot the pipeline does not have: its slots are listed */
    lp_write_file(dir, "nested_bad.yaml",
                  "pipeline:\n  train: OfflineTrain\n"
                  "train:\n  component:\n    data_splitter: LocalDataSplitter\n"
                  "    model_trainer: LinearModelTrainer\n"
                  "config:\n  model_target: survived\n  problem_type: classification\n"
                  "  steps:\n    - call: train.data_splitr.split_data\n");
    r = run_steps(dir, "nested_bad.yaml");
    LP_EXPECT_EXIT(r, 2);
    LP_EXPECT_ERR(r, "nested_bad.yaml:11:13: StepRunner (the runner): step "
                     "'train.data_splitr.split_data': no integration in slot 'data_splitr' (did "
                     "you mean 'data_splitter'?); slots here: data_splitter, model_trainer");
    lp_run_free(&r);
}
