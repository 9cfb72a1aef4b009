/*
 * test_workflow_errors.c — what a user gets wrong with a classification
 * workflow, and what lolpop says: each case runs the titanic quickstart (a
 * temporary copy) with one thing broken and checks the exit code, the message
 * and that the store is left consistent (the run marked failed, with the
 * error).
 */
#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define DEADLINE_MS 300000L

static char dir_buf[64];
static const char *dir;

static void setup(void)
{
    dir = lp_example_tmpdir(dir_buf, sizeof dir_buf, "wferr", LP_TITANIC_EXAMPLE);
}

static void teardown(void)
{
    lp_tmpdir_remove(dir);
}

TestSuite(workflow_errors, .init = setup, .fini = teardown, .timeout = 600);

/* Runs the titanic workflow with extra arguments (NULL-terminated). */
static lp_run run_titanic(const char *const *extra)
{
    const char *args[32] = {"run", "workflow", "ClassificationRunner", "-c", "titanic.yaml"};
    size_t n = 5;
    for (size_t i = 0; extra && extra[i] && n < 31; i++)
        args[n++] = extra[i];
    args[n] = NULL;
    return lp_run_exe(LP_LOLPOP_EXE, dir, NULL, args, DEADLINE_MS);
}

#define TITANIC(...) run_titanic((const char *const[]){__VA_ARGS__, NULL})

/* Rewrites data/<name> keeping the header and the rows `keep` accepts,
 * after `edit` (may be NULL) changed each line in place. */
static void rewrite_csv(const char *name, bool (*keep)(size_t row),
                        void (*edit)(char *line, size_t row))
{
    char path[512];
    snprintf(path, sizeof path, "%s/data/%s", dir, name);
    char *text = lp_read_file(path);
    cr_assert_not_null(text);
    FILE *out = fopen(path, "wb");
    cr_assert_not_null(out);
    size_t row = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"), row++) {
        if (row > 0 && keep && !keep(row - 1)) continue;
        if (row > 0 && edit) edit(line, row - 1);
        fprintf(out, "%s\n", line);
    }
    fclose(out);
    free(text);
}

/* The status and error of the only run in the store. */
static void expect_failed_run(const char *needle)
{
    char path[512];
    snprintf(path, sizeof path, "%s/.lolpop/lolpop.db", dir);
    sqlite3 *db = NULL;
    cr_assert_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    cr_assert_eq(
        sqlite3_prepare_v2(db, "SELECT status, coalesce(error, '') FROM runs", -1, &st, NULL),
        SQLITE_OK);
    cr_assert_eq(sqlite3_step(st), SQLITE_ROW, "no run recorded");
    cr_assert_str_eq((const char *)sqlite3_column_text(st, 0), "failed");
    cr_assert(strstr((const char *)sqlite3_column_text(st, 1), needle),
              "the run's error lacks \"%s\": %s", needle, sqlite3_column_text(st, 1));
    cr_assert_eq(sqlite3_step(st), SQLITE_DONE, "more than one run");
    sqlite3_finalize(st);
    cr_assert_eq(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
    cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
    cr_assert_str_eq((const char *)sqlite3_column_text(st, 0), "ok");
    sqlite3_finalize(st);
    sqlite3_close(db);
}

/* The predictions file must not exist after a failed run. */
static void expect_no_predictions(void)
{
    char path[512];
    snprintf(path, sizeof path, "%s/predictions.csv", dir);
    char *text = lp_read_file(path);
    cr_assert_null(text, "a failed run wrote predictions");
}

Test(workflow_errors, target_column_missing)
{
    lp_run r = TITANIC("--set", "config.model_target=survivd");
    LP_EXPECT_EXIT(r, 1);
    LP_EXPECT_ERR(r, "model_target 'survivd' is not a column of the training data");
    LP_EXPECT_ERR(r, "did you mean 'survived'");
    lp_run_free(&r);
    expect_failed_run("survivd");
    expect_no_predictions();
}

static void blank_target_of_two_rows(char *line, size_t row)
{
    /* survived is the second field: "id,0,..." -> "id,,..." */
    if (row == 3 || row == 10) {
        char *comma = strchr(line, ',');
        memmove(comma + 1, comma + 2, strlen(comma + 2) + 1);
    }
}

Test(workflow_errors, target_with_missing_values)
{
    rewrite_csv("train.csv", NULL, blank_target_of_two_rows);
    lp_run r = TITANIC(NULL);
    LP_EXPECT_EXIT(r, 1);
    LP_EXPECT_ERR(r, "model_target 'survived' has 2 missing values in the training data");
    lp_run_free(&r);
    expect_failed_run("2 missing values");
}

static void everyone_survives(char *line, size_t row)
{
    (void)row;
    char *comma = strchr(line, ',');
    comma[1] = '1';
}

Test(workflow_errors, single_class_target)
{
    rewrite_csv("train.csv", NULL, everyone_survives);
    lp_run r = TITANIC(NULL);
    LP_EXPECT_EXIT(r, 1);
    LP_EXPECT_ERR(r, "single class");
    lp_run_free(&r);
    expect_failed_run("single class");
}

static bool no_rows(size_t row)
{
    (void)row;
    return false;
}

Test(workflow_errors, empty_training_data)
{
    rewrite_csv("train.csv", no_rows, NULL);
    lp_run r = TITANIC(NULL);
    LP_EXPECT_EXIT(r, 1);
    LP_EXPECT_ERR(r, "the training data has no rows");
    lp_run_free(&r);
    expect_failed_run("no rows");
}

/* Eval data with a header and no rows once failed on the types of its empty
 * columns ("feature 'pclass' was a int64 column in training; got string"). */
Test(workflow_errors, empty_eval_data_says_so)
{
    rewrite_csv("eval.csv", no_rows, NULL);
    lp_run r = TITANIC(NULL);
    LP_EXPECT_EXIT(r, 1);
    LP_EXPECT_ERR(r, "the eval data has no rows, so there is nothing to score");
    lp_run_free(&r);
    expect_failed_run("eval data has no rows");
    expect_no_predictions();
}

/* A prediction_job that is not a job's URI or resource (a number) was
 * reported as "no stored data". */
Test(workflow_errors, prediction_job_of_the_wrong_type_says_what_it_must_be)
{
    lp_run r = TITANIC("-b", "evaluate_ground_truth", "--build-args", "{\"prediction_job\": 5}");
    LP_EXPECT_EXIT(r, 2);
    LP_EXPECT_ERR(r, "prediction_job must name a prediction job, as its URI");
    LP_EXPECT_ERR(r, "got int");
    lp_run_free(&r);
}

/* Drops the fare column (the 7th field) from every line. */
static void drop_fare(char *line, size_t row)
{
    (void)row;
    char *p = line;
    for (int i = 0; i < 6; i++)
        p = strchr(p, ',') + 1;
    char *end = strchr(p, ',');
    memmove(p, end + 1, strlen(end + 1) + 1);
}

Test(workflow_errors, eval_data_missing_a_training_column)
{
    char path[512];
    snprintf(path, sizeof path, "%s/data/eval.csv", dir);
    char *text = lp_read_file(path);
    cr_assert_not_null(text);
    /* The header too: rewrite every line including the first. */
    FILE *out = fopen(path, "wb");
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        drop_fare(line, 0);
        fprintf(out, "%s\n", line);
    }
    fclose(out);
    free(text);
    /* The SQL derives fare columns, so the transform itself reports the gap. */
    lp_run r = TITANIC(NULL);
    LP_EXPECT_EXIT(r, 1);
    LP_EXPECT_ERR(r, "fare");
    lp_run_free(&r);
    expect_no_predictions();
}

/* Unseen categories in every categorical column of two eval rows. */
static void unseen_categories(char *line, size_t row)
{
    if (row != 0 && row != 5) return;
    char *p = strstr(line, "male");
    if (p) memcpy(p - (p > line && p[-1] == 'e' ? 1 : 0), "xmale", 4);
}

Test(workflow_errors, unseen_categories_at_prediction_are_scored)
{
    rewrite_csv("eval.csv", NULL, unseen_categories);
    lp_run r = TITANIC(NULL);
    LP_EXPECT_EXIT(r, 0);
    LP_EXPECT_OUT(r, "predictions 178 rows -> predictions.csv");
    lp_run_free(&r);
}

Test(workflow_errors, unknown_metric_fails_before_anything_runs)
{
    lp_run r = TITANIC("--set", "train.config.metrics=[accuracy, f2]");
    LP_EXPECT_EXIT(r, 2);
    LP_EXPECT_ERR(r, "f2");
    LP_EXPECT_ERR(r, "f1");
    cr_assert_null(strstr(r.err, "trial"), "training started:\n%s", r.err);
    lp_run_free(&r);
}

Test(workflow_errors, perf_metric_not_in_metrics)
{
    lp_run r = TITANIC("--set", "train.config.perf_metric=rocauc", "--set",
                       "train.config.metrics=[accuracy, f1]");
    LP_EXPECT_EXIT(r, 2);
    LP_EXPECT_ERR(r, "perf_metric");
    LP_EXPECT_ERR(r, "rocauc");
    lp_run_free(&r);
}

Test(workflow_errors, unknown_xgboost_parameter)
{
    lp_run r =
        TITANIC("--set", "train.hyperparameter_tuner.config.training_params.XGBoostModelTrainer."
                         "max_dept=[3, 4]");
    /* A configuration mistake: exit 2, and the search stops at the first trial. */
    LP_EXPECT_EXIT(r, 2);
    cr_assert_null(strstr(r.err, "trial 2/"), "the search went on:\n%s", r.err);
    LP_EXPECT_ERR(r, "max_dept");
    LP_EXPECT_ERR(r, "max_depth");
    lp_run_free(&r);
    expect_no_predictions();
}

Test(workflow_errors, unwritable_store)
{
    lp_run r = TITANIC("--set", "metadata_tracker.config.store=/proc/lolpop/lolpop.db");
    cr_assert_neq(r.status, 0);
    LP_EXPECT_ERR(r, "/proc/lolpop");
    lp_run_free(&r);
    expect_no_predictions();
}
