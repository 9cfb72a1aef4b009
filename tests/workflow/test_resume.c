/*
 * test_resume.c — result caching and `run workflow --resume` (SPEC §7) on the
 * titanic quickstart, with the real binary in a temporary copy:
 *   - a run that fails in its last step (predictions to a directory that does
 *     not exist) is resumed with the path fixed: every step that finished is
 *     reused, nothing is trained again, the winning metric is the failed run's;
 *   - a resumed run whose trainer settings changed trains again but reuses
 *     the processed data;
 *   - a resumed run resumed in turn still reuses the first run's results;
 *   - with a cache_manager configured, two plain runs share results, and new
 *     data under the same path runs everything again;
 *   - a bad --resume is a usage error; a succeeded run can be resumed.
 * Numbers come from the runs' own output and the metadata store they leave.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

#define DEADLINE_MS 300000L

static char dir_buf[64];
static const char *dir;

static void setup(void)
{
    dir = lp_example_tmpdir(dir_buf, sizeof dir_buf, "resume", LP_TITANIC_EXAMPLE);
}

static void teardown(void)
{
    lp_tmpdir_remove(dir);
}

TestSuite(resume, .init = setup, .fini = teardown, .timeout = 600);

/* `lolpop run workflow ClassificationRunner -c titanic.yaml` plus up to 6 more arguments. */
static lp_run run_titanic(const char *a, const char *b, const char *c, const char *d, const char *e,
                          const char *f)
{
    const char *args[16] = {"run", "workflow", "ClassificationRunner", "-c", "titanic.yaml"};
    size_t n = 5;
    const char *more[] = {a, b, c, d, e, f};
    for (size_t i = 0; i < 6 && more[i]; i++)
        args[n++] = more[i];
    args[n] = NULL;
    return lp_run_exe(LP_LOLPOP_EXE, dir, NULL, args, DEADLINE_MS);
}

#define BAD_PREDICTIONS "config.prediction_data=no_such_dir/predictions.csv"

/* ---- the store ------------------------------------------------------------------------ */

static sqlite3 *open_store(void)
{
    char path[256];
    snprintf(path, sizeof path, "%s/.lolpop/lolpop.db", dir);
    sqlite3 *db = NULL;
    cr_assert_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    return db;
}

/* The first column of the first row of sql as text (static buffer), "" for none. */
static const char *query_text(const char *sql)
{
    static char buf[256];
    sqlite3 *db = open_store();
    sqlite3_stmt *st = NULL;
    cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK, "%s: %s", sql,
                 sqlite3_errmsg(db));
    buf[0] = 0;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        snprintf(buf, sizeof buf, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(db);
    return buf;
}

static long query_long(const char *sql)
{
    return strtol(query_text(sql), NULL, 10);
}

/* The id of the newest run (new string). */
static char *newest_run(void)
{
    return strdup(query_text("SELECT id FROM runs ORDER BY started_at DESC, id DESC LIMIT 1"));
}

/* ---- the output ----------------------------------------------------------------------- */

static size_t count(const char *text, const char *s)
{
    size_t n = 0;
    for (const char *p = strstr(text, s); p; p = strstr(p + 1, s))
        n++;
    return n;
}

/* "Class.method: reused (run R)" for run R. */
static void expect_reused(const lp_run *r, const char *step, const char *run)
{
    char line[256];
    snprintf(line, sizeof line, "%s: reused (run %s)", step, run);
    cr_assert(strstr(r->err, line), "the log lacks \"%s\":\n%s", line, r->err);
}

/* The winner's validation f1 as OfflineTrain logs it ("validation f1 = 0.792079"). */
static double logged_f1(const lp_run *r)
{
    const char *p = strstr(r->err, "validation f1 = ");
    cr_assert_not_null(p, "no validation f1 in:\n%s", r->err);
    return strtod(p + strlen("validation f1 = "), NULL);
}

/* The f1 of the summary line "validation  accuracy 0.8521 f1 0.7921 ...". */
static double summary_f1(const lp_run *r)
{
    const char *p = strstr(r->out, "validation  accuracy");
    p = p ? strstr(p, " f1 ") : NULL;
    cr_assert_not_null(p, "no summary in:\n%s", r->out);
    return strtod(p + 4, NULL);
}

static size_t lines_of(const char *name)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *text = lp_read_file(path);
    cr_assert_not_null(text, "%s was not written", name);
    size_t n = count(text, "\n");
    free(text);
    return n;
}

/* ---- tests ------------------------------------------------------------------------------- */

Test(resume, a_run_that_failed_late_is_resumed_reusing_every_finished_step)
{
    lp_run a = run_titanic("--set", BAD_PREDICTIONS, NULL, NULL, NULL, NULL);
    LP_EXPECT_EXIT(a, 1);
    LP_EXPECT_ERR(a, "save_predictions");
    char *run_a = newest_run();
    cr_assert_str_eq(query_text("SELECT status FROM runs"), "failed");
    double f1_a = logged_f1(&a);
    cr_assert(f1_a > 0.6 && f1_a < 1.0, "f1 %g", f1_a);
    cr_assert_eq(count(a.err, "trial "), 5, "4 trials and the best:\n%s", a.err);

    /* resumed by a prefix of its id, with the path fixed */
    char prefix[18];
    snprintf(prefix, sizeof prefix, "%.17s", run_a);
    lp_run b = run_titanic("--resume", prefix, NULL, NULL, NULL, NULL);
    LP_EXPECT_EXIT(b, 0);
    LP_EXPECT_ERR(b, "resuming run");
    expect_reused(&b, "OfflineProcess.transform_data", run_a);
    expect_reused(&b, "OfflineProcess.track_data", run_a);
    expect_reused(&b, "OfflineTrain.split_data", run_a);
    expect_reused(&b, "OfflineTrain.train_model", run_a);
    expect_reused(&b, "OfflineDeploy.deploy_model", run_a);
    expect_reused(&b, "OfflinePredict.get_predictions", run_a);
    cr_assert_eq(count(b.err, "trial "), 0, "nothing is trained again:\n%s", b.err);
    cr_assert(!strstr(b.err, "OfflinePredict.save_predictions: reused"), "%s", b.err);
    LP_EXPECT_ERR(b, "predictions saved to predictions.csv");
    /* the winner is the failed run's */
    double f1_b = summary_f1(&b);
    cr_assert(fabs(f1_b - f1_a) < 6e-5, "resumed f1 %.4f, failed run's %.6f", f1_b, f1_a);
    cr_assert_eq(lines_of("predictions.csv"), 179);

    /* the store: B succeeded, resumed A, and made no model or dataset version of its own */
    char *run_b = newest_run();
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT status || ' ' || resumed_from FROM runs WHERE id = '%s'",
             run_b);
    char want[128];
    snprintf(want, sizeof want, "succeeded %s", run_a);
    cr_assert_str_eq(query_text(sql), want);
    cr_assert_eq(query_long("SELECT COUNT(*) FROM resources WHERE type = 'model_version'"), 1);
    cr_assert_eq(query_long("SELECT COUNT(*) FROM resources WHERE type = 'experiment'"), 4);
    cr_assert_eq(query_long("SELECT COUNT(*) FROM resources WHERE type = 'dataset_version'"), 2);
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM cache WHERE run = '%s'", run_a);
    long rows_a = query_long(sql);
    cr_assert(rows_a >= 20, "run A recorded %ld step results", rows_a);
    /* B ran only save_predictions, which wrote its file: a result whose call changed a
     * file it names is not kept (reusing it would skip the write), so B recorded nothing */
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM cache WHERE run = '%s'", run_b);
    cr_assert_eq(query_long(sql), 0);
    /* and `runs show` says what it resumed */
    lp_run show = lp_run_exe(LP_LOLPOP_EXE, dir, NULL,
                             (const char *const[]){"runs", "show", run_b, NULL}, DEADLINE_MS);
    LP_EXPECT_EXIT(show, 0);
    cr_assert(strstr(show.out, "resumed") && strstr(show.out, run_a), "%s", show.out);
    lp_run_free(&show);
    free(run_a);
    free(run_b);
    lp_run_free(&a);
    lp_run_free(&b);
}

Test(resume, changed_trainer_settings_train_again_but_reuse_the_processed_data)
{
    lp_run a = run_titanic(NULL, NULL, NULL, NULL, NULL, NULL);
    LP_EXPECT_EXIT(a, 0);
    char *run_a = newest_run();
    lp_run b = run_titanic("--resume", run_a, "--set",
                           "train.hyperparameter_tuner.config.training_params."
                           "XGBoostModelTrainer.max_depth=[2]",
                           NULL, NULL);
    LP_EXPECT_EXIT(b, 0);
    expect_reused(&b, "OfflineProcess.transform_data", run_a);
    expect_reused(&b, "OfflineProcess.track_data", run_a);
    cr_assert(!strstr(b.err, "OfflineTrain.train_model: reused"), "%s", b.err);
    cr_assert(!strstr(b.err, "OfflineTrain.split_data: reused"), "%s", b.err);
    LP_EXPECT_ERR(b, "trial 2/2");
    /* a new model version, trained on the same (reused) dataset version */
    cr_assert_eq(query_long("SELECT COUNT(*) FROM resources WHERE type = 'model_version'"), 2);
    cr_assert_eq(query_long("SELECT COUNT(*) FROM resources WHERE type = 'dataset_version'"), 2);
    cr_assert_eq(query_long("SELECT COUNT(*) FROM resources WHERE type = 'experiment'"), 6);
    cr_assert_str_eq(query_text("SELECT value FROM tags t JOIN resources r ON r.id = t.resource "
                                "WHERE r.uri = 'model/titanic_survival/v2' AND "
                                "t.key = 'dataset_version'"),
                     query_text("SELECT value FROM tags t JOIN resources r ON r.id = t.resource "
                                "WHERE r.uri = 'model/titanic_survival/v1' AND "
                                "t.key = 'dataset_version'"));
    free(run_a);
    lp_run_free(&a);
    lp_run_free(&b);
}

Test(resume, a_resumed_run_resumed_again_reuses_the_first_runs_results)
{
    lp_run a = run_titanic("--set", BAD_PREDICTIONS, NULL, NULL, NULL, NULL);
    LP_EXPECT_EXIT(a, 1);
    char *run_a = newest_run();
    lp_run b = run_titanic("--resume", run_a, "--set",
                           "config.prediction_data=still_no_dir/predictions.csv", NULL, NULL);
    LP_EXPECT_EXIT(b, 1);
    expect_reused(&b, "OfflineTrain.train_model", run_a);
    char *run_b = newest_run();
    lp_run c = run_titanic("--resume", run_b, NULL, NULL, NULL, NULL);
    LP_EXPECT_EXIT(c, 0);
    expect_reused(&c, "OfflineTrain.train_model", run_a);
    expect_reused(&c, "OfflinePredict.get_predictions", run_a);
    cr_assert_eq(count(c.err, "trial "), 0, "%s", c.err);
    cr_assert_eq(lines_of("predictions.csv"), 179);
    free(run_a);
    free(run_b);
    lp_run_free(&a);
    lp_run_free(&b);
    lp_run_free(&c);
}

Test(resume, a_configured_cache_manager_reuses_results_across_plain_runs)
{
    lp_write_file(dir, "cache.yaml", "component:\n  cache_manager: LocalCacheManager\n");
    const char *args[] = {"run",          "workflow", "ClassificationRunner", "-c",
                          "titanic.yaml", "-c",       "cache.yaml",           NULL};
    lp_run a = lp_run_exe(LP_LOLPOP_EXE, dir, NULL, args, DEADLINE_MS);
    LP_EXPECT_EXIT(a, 0);
    cr_assert(!strstr(a.err, "reused"), "%s", a.err);
    char *run_a = newest_run();
    lp_run b = lp_run_exe(LP_LOLPOP_EXE, dir, NULL, args, DEADLINE_MS);
    LP_EXPECT_EXIT(b, 0);
    expect_reused(&b, "OfflineProcess.transform_data", run_a);
    expect_reused(&b, "OfflineTrain.train_model", run_a);
    cr_assert_eq(count(b.err, "trial "), 0, "%s", b.err);
    cr_assert(fabs(summary_f1(&b) - summary_f1(&a)) < 1e-9);
    cr_assert_eq(query_long("SELECT COUNT(*) FROM resources WHERE type = 'model_version'"), 1);

    /* an output deleted since is written again: a step with an effect outside the
     * stores is never served from the cache (it once reported "predictions 178 rows
     * -> predictions.csv" and wrote nothing) */
    char out_path[256];
    snprintf(out_path, sizeof out_path, "%s/predictions.csv", dir);
    cr_assert_eq(unlink(out_path), 0);
    lp_run b2 = lp_run_exe(LP_LOLPOP_EXE, dir, NULL, args, DEADLINE_MS);
    LP_EXPECT_EXIT(b2, 0);
    expect_reused(&b2, "OfflineTrain.train_model", run_a);
    cr_assert(!strstr(b2.err, "save_predictions: reused"), "%s", b2.err);
    cr_assert_eq(lines_of("predictions.csv"), 179);
    lp_run_free(&b2);

    /* new data under the same path: processed and trained again */
    char path[256];
    snprintf(path, sizeof path, "%s/data/train.csv", dir);
    char *text = lp_read_file(path);
    cr_assert_not_null(text);
    char *last = strrchr(text, '\n');
    cr_assert_not_null(last);
    *last = 0;
    *(strrchr(text, '\n') + 1) = 0; /* drop the last row */
    lp_write_file(dir, "data/train.csv", text);
    free(text);
    lp_run c = lp_run_exe(LP_LOLPOP_EXE, dir, NULL, args, DEADLINE_MS);
    LP_EXPECT_EXIT(c, 0);
    /* the eval data did not change: only its processing is reused */
    cr_assert_eq(count(c.err, "OfflineProcess.transform_data: reused (run"), 1, "%s", c.err);
    cr_assert(!strstr(c.err, "OfflineTrain.train_model: reused"), "%s", c.err);
    LP_EXPECT_ERR(c, "trial 4/4");
    LP_EXPECT_ERR(c, "712 rows");
    cr_assert_eq(query_long("SELECT COUNT(*) FROM resources WHERE type = 'model_version'"), 2);
    free(run_a);
    lp_run_free(&a);
    lp_run_free(&b);
    lp_run_free(&c);
}

Test(resume, bad_runs_are_usage_errors_and_a_succeeded_run_can_be_resumed)
{
    lp_run a = run_titanic(NULL, NULL, NULL, NULL, NULL, NULL);
    LP_EXPECT_EXIT(a, 0);
    char *run_a = newest_run();
    lp_run bad = run_titanic("--resume", "nope", NULL, NULL, NULL, NULL);
    LP_EXPECT_EXIT(bad, 2);
    LP_EXPECT_ERR(bad, "no run 'nope'");
    lp_run amb = run_titanic("--resume", "20", NULL, NULL, NULL, NULL);
    LP_EXPECT_EXIT(amb, 2);
    LP_EXPECT_ERR(amb, "ambiguous");
    lp_run empty = run_titanic("--resume", "", NULL, NULL, NULL, NULL);
    LP_EXPECT_EXIT(empty, 2);
    /* the refused runs above ran nothing: "latest" passes over them to run A */
    lp_run latest = run_titanic("--resume", "latest", NULL, NULL, NULL, NULL);
    LP_EXPECT_EXIT(latest, 0);
    char want[64];
    snprintf(want, sizeof want, "resuming run %s", run_a);
    LP_EXPECT_ERR(latest, want);
    lp_run_free(&latest);
    /* everything reused: every step the first run recorded; save_predictions, which
     * wrote its file, was not recorded and runs again */
    lp_run again = run_titanic("--resume", run_a, NULL, NULL, NULL, NULL);
    LP_EXPECT_EXIT(again, 0);
    cr_assert_eq(count(again.err, "trial "), 0, "%s", again.err);
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM cache WHERE run = '%s'", run_a);
    long steps = query_long(sql);
    char tag[64];
    snprintf(tag, sizeof tag, ": reused (run %s)", run_a);
    cr_assert_eq((long)count(again.err, tag), steps, "%zu reused of %ld steps:\n%s",
                 count(again.err, tag), steps, again.err);
    cr_assert(!strstr(again.err, "save_predictions: reused"), "%s", again.err);
    cr_assert(fabs(summary_f1(&again) - summary_f1(&a)) < 1e-9);
    free(run_a);
    lp_run_free(&a);
    lp_run_free(&bad);
    lp_run_free(&amb);
    lp_run_free(&empty);
    lp_run_free(&again);
}
