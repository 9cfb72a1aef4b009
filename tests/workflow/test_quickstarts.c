/*
 * test_quickstarts.c — the README's quickstarts as users run them: a copy of
 * examples/quickstart/<kind>/<name>/ in a temporary directory, the real
 * binary, then the files and the metadata store it leaves behind.
 *
 * Numbers are checked against the data, not against lolpop: the predictions
 * file is scored here against eval_labels.csv with the textbook formulas,
 * and the store's validation metrics must clear the bars
 * (titanic accuracy >= 0.78, diamonds r2 >= 0.95).
 */
#include <criterion/criterion.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

#define DEADLINE_MS 600000L

static char dir_buf[64];
static const char *dir;

static void setup(void)
{
    snprintf(dir_buf, sizeof dir_buf, "/tmp/lolpop-wf-XXXXXX");
    dir = lp_tmpdir_make(dir_buf);
}

static void teardown(void)
{
    lp_tmpdir_remove(dir);
}

TestSuite(quickstart, .init = setup, .fini = teardown, .timeout = 900);

/* Copies a quickstart into the test directory. */
static void copy_example(const char *rel)
{
    char src[512];
    snprintf(src, sizeof src, "%s/examples/quickstart/%s", LP_SOURCE_ROOT, rel);
    lp_copy_example(src, dir);
}

static lp_run run_workflow(const char *runner, const char *file)
{
    return lp_run_exe(LP_LOLPOP_EXE, dir, NULL,
                      (const char *const[]){"run", "workflow", runner, "-c", file, NULL},
                      DEADLINE_MS);
}

/* ---- a tiny CSV reader for the test's own checks --------------------------- */

typedef struct table {
    size_t rows, cols;
    char **cell; /* rows+1 x cols: the header first */
    char *text;
} table;

static void table_load(table *t, const char *path)
{
    memset(t, 0, sizeof *t);
    t->text = lp_read_file(path);
    cr_assert_not_null(t->text, "cannot read %s", path);
    size_t cap = 1024, n = 0, cols = 0, line_cols = 0;
    t->cell = malloc(cap * sizeof *t->cell);
    char *p = t->text;
    while (*p) {
        char *end = p + strcspn(p, ",\n");
        char sep = *end;
        *end = '\0';
        if (n == cap) t->cell = realloc(t->cell, (cap *= 2) * sizeof *t->cell);
        t->cell[n++] = p;
        line_cols++;
        p = sep ? end + 1 : end;
        if (sep != ',') {
            if (!cols) cols = line_cols;
            cr_assert_eq(line_cols, cols, "%s: a row with %zu fields, header has %zu", path,
                         line_cols, cols);
            line_cols = 0;
        }
    }
    t->cols = cols;
    t->rows = cols ? n / cols - 1 : 0;
}

static const char *cell(const table *t, size_t row, size_t col)
{
    return t->cell[(row + 1) * t->cols + col];
}

static const char *header(const table *t, size_t col)
{
    return t->cell[col];
}

static void table_free(table *t)
{
    free(t->cell);
    free(t->text);
}

/* ---- the store ---------------------------------------------------------------- */

static sqlite3 *open_store(void)
{
    char path[512];
    snprintf(path, sizeof path, "%s/.lolpop/lolpop.db", dir);
    sqlite3 *db = NULL;
    cr_assert_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK,
                 "cannot open the store %s", path);
    return db;
}

/* The single number a query returns (fails the test when there is none). */
static double query_number(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK, "%s: %s", sql,
                 sqlite3_errmsg(db));
    cr_assert_eq(sqlite3_step(st), SQLITE_ROW, "no row for: %s", sql);
    double v = sqlite3_column_double(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* ---- titanic -------------------------------------------------------------------- */

static void check_titanic_store(void);

/* The model visualizer's files: each plot as SVG and PNG on disk and recorded as an artifact
 * (plot.<name>.<ext>) of the model version. */
static void check_plots(const char *const *names)
{
    sqlite3 *db = open_store();
    for (size_t i = 0; names[i]; i++)
        for (int f = 0; f < 2; f++) {
            const char *ext = f ? "png" : "svg";
            char sql[256], path[1024];
            snprintf(sql, sizeof sql,
                     "SELECT a.path FROM artifacts a JOIN resources r ON r.id = a.resource "
                     "WHERE a.name = 'plot.%s.%s' AND r.type = 'model_version'",
                     names[i], ext);
            sqlite3_stmt *st = NULL;
            cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
            cr_assert_eq(sqlite3_step(st), SQLITE_ROW, "no artifact plot.%s.%s", names[i], ext);
            snprintf(path, sizeof path, "%s/%s", dir, (const char *)sqlite3_column_text(st, 0));
            sqlite3_finalize(st);
            FILE *file = fopen(path, "rb");
            cr_assert_not_null(file, "%s is recorded but missing", path);
            char head[8] = {0};
            cr_assert_eq(fread(head, 1, 4, file), 4);
            fclose(file);
            cr_assert(f ? memcmp(head, "\x89PNG", 4) == 0 : memcmp(head, "<svg", 4) == 0,
                      "%s: not a%s file", path, f ? " PNG" : "n SVG");
        }
    sqlite3_close(db);
}

/* The feature importance plot's SVG names where its numbers come from. */
static void check_importance_source(const char *source)
{
    sqlite3 *db = open_store();
    sqlite3_stmt *st = NULL;
    cr_assert_eq(sqlite3_prepare_v2(db,
                                    "SELECT path FROM artifacts "
                                    "WHERE name = 'plot.feature_importance.svg'",
                                    -1, &st, NULL),
                 SQLITE_OK);
    cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(db);
    char *svg = lp_read_file(path);
    cr_assert_not_null(svg, "cannot read %s", path);
    cr_assert(strstr(svg, source), "%s does not say '%s'", path, source);
    free(svg);
}

Test(quickstart, titanic_classification_end_to_end)
{
    copy_example("classification/titanic");
    lp_run r = run_workflow("ClassificationRunner", "titanic.yaml");
    LP_EXPECT_EXIT(r, 0);
    LP_EXPECT_OUT(r, "titanic_survival version 1");
    LP_EXPECT_OUT(r, "deployed    yes");
    LP_EXPECT_OUT(r, "predictions 178 rows -> predictions.csv");
    /* The summary ends by naming the run report, which is written with its JSON twin. */
    const char *rep = strstr(r.out, "  report      .lolpop/reports/run-");
    cr_assert(rep, "the run report is named:\n%s", r.out);
    char report[512];
    cr_assert_eq(sscanf(rep, "  report      %400s", report), 1);
    cr_assert(strstr(r.err, "run report: .lolpop/reports/run-"), "and logged:\n%s", r.err);
    lp_run_free(&r);
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, report);
    char *html = lp_read_file(path);
    cr_assert(html && strstr(html, "data-metric=\"valid.accuracy\""), "the run report %s", path);
    free(html);
    snprintf(path + strlen(path) - 5, 6, ".json");
    cr_assert(access(path, R_OK) == 0, "the JSON twin %s", path);

    table preds, labels;
    snprintf(path, sizeof path, "%s/predictions.csv", dir);
    table_load(&preds, path);
    snprintf(path, sizeof path, "%s/data/eval_labels.csv", dir);
    table_load(&labels, path);
    cr_assert_eq(preds.rows, 178);
    cr_assert_eq(preds.cols, 10); /* + three reasons: the quickstart explains */
    cr_assert_str_eq(header(&preds, 0), "passenger_id");
    cr_assert_str_eq(header(&preds, 1), "prediction");
    cr_assert_str_eq(header(&preds, 2), "probability_0");
    cr_assert_str_eq(header(&preds, 3), "probability_1");
    cr_assert_str_eq(header(&preds, 4), "reason_1");
    cr_assert_str_eq(header(&preds, 9), "reason_3_value");
    size_t correct = 0;
    for (size_t i = 0; i < preds.rows; i++) {
        cr_assert_str_eq(cell(&preds, i, 0), cell(&labels, i, 0), "row %zu: ids out of order", i);
        double p0 = atof(cell(&preds, i, 2)), p1 = atof(cell(&preds, i, 3));
        cr_assert_float_eq(p0 + p1, 1.0, 1e-6, "row %zu: probabilities sum to %g", i, p0 + p1);
        int predicted = atoi(cell(&preds, i, 1));
        cr_assert_eq(predicted, p1 > 0.5 ? 1 : 0, "row %zu: prediction disagrees with P=%g", i, p1);
        correct += predicted == atoi(cell(&labels, i, 1));
    }
    double eval_accuracy = (double)correct / (double)preds.rows;
    cr_assert_geq(eval_accuracy, 0.75, "accuracy on the held-out labels: %.4f", eval_accuracy);
    table_free(&preds);
    table_free(&labels);
    check_titanic_store();
    check_plots((const char *const[]){"roc", "pr", "confusion_matrix", "calibration",
                                      "feature_importance", NULL});
    check_importance_source("mean |SHAP value|"); /* the explainer's, not a permutation */

    /* The terminal view of the same run. */
    r = lp_run_exe(LP_LOLPOP_EXE, dir, NULL, (const char *const[]){"runs", "show", "latest", NULL},
                   DEADLINE_MS);
    LP_EXPECT_EXIT(r, 0);
    LP_EXPECT_OUT(r, "succeeded");
    LP_EXPECT_OUT(r, "dataset/titanic_survival_train/v1  ->  model/titanic_survival/v1");
    LP_EXPECT_OUT(r, "(winner)");
    LP_EXPECT_OUT(r, "model/titanic_survival/v1/prediction_job/1");
    lp_run_free(&r);
}

/* What one titanic run leaves in the store: a succeeded run with its config
 * and method, train and eval dataset versions with stored content, a model
 * version with one experiment per grid point (one winner), lineage from the
 * training data, a deployment, a prediction job with its statistics, and a
 * timing for every dispatched call. */
static void check_titanic_store(void)
{
    sqlite3 *db = open_store();
    cr_assert_eq(query_number(db, "SELECT count(*) FROM runs"), 1);
    cr_assert_eq(query_number(db, "SELECT count(*) FROM runs WHERE status = 'succeeded' AND "
                                  "method = 'build_all' AND runner = 'ClassificationRunner' AND "
                                  "(SELECT text FROM configs WHERE sha256 = config_sha256) "
                                  "LIKE '%titanic_survival%'"),
                 1);
    cr_assert_eq(query_number(db, "SELECT count(*) FROM resources WHERE type = "
                                  "'dataset_version' AND name IN ('titanic_survival_train', "
                                  "'titanic_survival_eval')"),
                 2);
    cr_assert_eq(query_number(db, "SELECT value FROM tags t JOIN resources r ON r.id = "
                                  "t.resource WHERE r.uri = 'dataset/titanic_survival_train/v1' "
                                  "AND t.key = 'rows'"),
                 713);
    cr_assert_eq(query_number(db, "SELECT count(*) FROM vc_info v JOIN resources r ON r.id = "
                                  "v.resource WHERE r.type = 'dataset_version' AND v.key = "
                                  "'data'"),
                 2);
    cr_assert_eq(query_number(db, "SELECT count(*) FROM resources WHERE type = 'experiment'"), 4,
                 "one experiment per grid point (2 x 2)");
    cr_assert_eq(query_number(db, "SELECT count(*) FROM tags WHERE key = 'winner' AND value = "
                                  "'true'"),
                 1);
    cr_assert_eq(query_number(db, "SELECT count(*) FROM vc_info v JOIN resources r ON r.id = "
                                  "v.resource WHERE r.type = 'experiment' AND v.key = 'model'"),
                 4);
    double accuracy = query_number(
        db, "SELECT m.value FROM metrics m JOIN tags t ON t.resource = m.resource AND t.key = "
            "'winner' AND t.value = 'true' WHERE m.split = 'valid' AND m.name = 'accuracy'");
    cr_assert_geq(accuracy, 0.78, "validation accuracy of the winner: %.4f", accuracy);
    cr_assert_eq(query_number(db, "SELECT count(*) FROM lineage l JOIN resources s ON s.id = "
                                  "l.src JOIN resources d ON d.id = l.dst WHERE s.uri = "
                                  "'dataset/titanic_survival_train/v1' AND d.uri = "
                                  "'model/titanic_survival/v1'"),
                 1);
    cr_assert_eq(query_number(db, "SELECT count(*) FROM resources WHERE type = 'deployment'"), 1);
    cr_assert_eq(query_number(db, "SELECT count(*) FROM resources WHERE type = "
                                  "'prediction_job' AND uri = "
                                  "'model/titanic_survival/v1/prediction_job/1'"),
                 1);
    cr_assert_gt(query_number(db, "SELECT count(*) FROM metrics m JOIN resources r ON r.id = "
                                  "m.resource WHERE r.type = 'prediction_job'"),
                 0);
    cr_assert_gt(query_number(db, "SELECT count(*) FROM timings WHERE class = "
                                  "'XGBoostModelTrainer' AND method = 'fit'"),
                 3);
    sqlite3_close(db);
}

/* A second run on the same store: new versions, compared with the deployed one. */
Test(quickstart, titanic_second_run_compares_with_the_deployed_version)
{
    copy_example("classification/titanic");
    lp_run r = run_workflow("ClassificationRunner", "titanic.yaml");
    LP_EXPECT_EXIT(r, 0);
    lp_run_free(&r);
    /* run_report: false writes no run report. */
    r = lp_run_exe(LP_LOLPOP_EXE, dir, NULL,
                   (const char *const[]){"run", "workflow", "ClassificationRunner", "-c",
                                         "titanic.yaml", "--set", "config.run_report=false", NULL},
                   DEADLINE_MS);
    LP_EXPECT_EXIT(r, 0);
    LP_EXPECT_OUT(r, "titanic_survival version 2");
    cr_assert_null(strstr(r.out, "  report  "), "no run report:\n%s", r.out);
    /* The same data and seed give the same winner: not better, so not deployed. */
    LP_EXPECT_OUT(r, "deployed    no: not better than the deployed version");
    lp_run_free(&r);
    sqlite3 *db = open_store();
    cr_assert_eq(query_number(db, "SELECT count(*) FROM runs WHERE status = 'succeeded'"), 2);
    cr_assert_eq(query_number(db, "SELECT count(*) FROM resources WHERE type = "
                                  "'dataset_version' AND name = 'titanic_survival_train'"),
                 2);
    cr_assert_eq(query_number(db, "SELECT count(*) FROM resources WHERE type = 'deployment'"), 1);
    sqlite3_close(db);
}

/* ---- diamonds -------------------------------------------------------------------- */

Test(quickstart, diamonds_regression_end_to_end)
{
    copy_example("regression/diamonds");
    lp_run r = run_workflow("RegressionRunner", "diamonds.yaml");
    LP_EXPECT_EXIT(r, 0);
    LP_EXPECT_OUT(r, "diamond_price version 1");
    LP_EXPECT_OUT(r, "predictions 10788 rows -> predictions.csv");
    lp_run_free(&r);

    char path[512];
    table preds, labels;
    snprintf(path, sizeof path, "%s/predictions.csv", dir);
    table_load(&preds, path);
    snprintf(path, sizeof path, "%s/data/eval_labels.csv", dir);
    table_load(&labels, path);
    cr_assert_eq(preds.rows, 10788);
    cr_assert_eq(preds.cols, 2);
    cr_assert_str_eq(header(&preds, 0), "diamond_id");
    cr_assert_str_eq(header(&preds, 1), "prediction");
    double mean = 0, ss_res = 0, ss_tot = 0;
    for (size_t i = 0; i < labels.rows; i++)
        mean += atof(cell(&labels, i, 1)) / (double)labels.rows;
    for (size_t i = 0; i < preds.rows; i++) {
        cr_assert_str_eq(cell(&preds, i, 0), cell(&labels, i, 0));
        double y = atof(cell(&labels, i, 1)), p = atof(cell(&preds, i, 1));
        ss_res += (y - p) * (y - p);
        ss_tot += (y - mean) * (y - mean);
    }
    double r2 = 1 - ss_res / ss_tot;
    cr_assert_geq(r2, 0.95, "r2 on the held-out labels: %.4f", r2);
    table_free(&preds);
    table_free(&labels);
    check_plots(
        (const char *const[]){"residuals", "predicted_vs_actual", "feature_importance", NULL});
}
