/*
 * test_store_safety.c — the metadata store under the two accidents SPEC §7
 * promises to survive, with real workflows: a run killed with SIGKILL in the
 * middle of training (marked failed at the next open, nothing else damaged),
 * and two workflows writing to one store at the same time (both land
 * completely).
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define DEADLINE_MS 600000L

static char dir_buf[64];
static const char *dir;

static void setup(void)
{
    dir = lp_example_tmpdir(dir_buf, sizeof dir_buf, "safety", LP_TITANIC_EXAMPLE);
}

static void teardown(void)
{
    lp_tmpdir_remove(dir);
}

TestSuite(store_safety, .init = setup, .fini = teardown, .timeout = 900);

/* Training slow enough to be caught in the middle: 4 trials x 3000 rounds. */
#define SLOW_SET                                                                                   \
    "train.hyperparameter_tuner.config.training_params.XGBoostModelTrainer.num_boost_round=3000"

/* Starts `lolpop run workflow …` in dir without waiting; output discarded. */
static pid_t spawn_titanic(const char *extra_set)
{
    fflush(NULL);
    pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, STDOUT_FILENO);
        dup2(null, STDERR_FILENO);
        if (chdir(dir) != 0) _exit(126);
        if (extra_set)
            execl(LP_LOLPOP_EXE, LP_LOLPOP_EXE, "run", "workflow", "ClassificationRunner", "-c",
                  "titanic.yaml", "--set", extra_set, (char *)NULL);
        else
            execl(LP_LOLPOP_EXE, LP_LOLPOP_EXE, "run", "workflow", "ClassificationRunner", "-c",
                  "titanic.yaml", (char *)NULL);
        _exit(127);
    }
    return pid;
}

static sqlite3 *open_store(void)
{
    char path[512];
    snprintf(path, sizeof path, "%s/.lolpop/lolpop.db", dir);
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        sqlite3_close(db);
        return NULL;
    }
    sqlite3_busy_timeout(db, 10000);
    return db;
}

/* The number a query returns, or -1 when the store or the row is not there. */
static double query_number(const char *sql)
{
    sqlite3 *db = open_store();
    if (!db) return -1;
    sqlite3_stmt *st = NULL;
    double v = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_double(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Waits until an experiment of the running run exists (training is under way). */
static void wait_for_training(pid_t pid)
{
    for (int i = 0; i < 6000; i++) {
        if (query_number("SELECT count(*) FROM resources WHERE type = 'experiment'") >= 1) return;
        int st;
        cr_assert_eq(waitpid(pid, &st, WNOHANG), 0, "the workflow ended before training began");
        sleep_ms(20);
    }
    cr_assert_fail("training never started");
}

Test(store_safety, a_run_killed_mid_training_is_marked_failed_at_the_next_open)
{
    pid_t pid = spawn_titanic(SLOW_SET);
    wait_for_training(pid);
    cr_assert_eq(kill(pid, SIGKILL), 0);
    int st = 0;
    waitpid(pid, &st, 0);
    cr_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "the workflow was not killed");
    cr_assert_eq(query_number("SELECT count(*) FROM runs WHERE status = 'running'"), 1,
                 "a killed run stays 'running' until the store is opened for writing");

    /* The next workflow opens the store, marks the dead run and runs normally. */
    lp_run r = lp_run_exe(LP_LOLPOP_EXE, dir, NULL,
                          (const char *const[]){"run", "workflow", "ClassificationRunner", "-c",
                                                "titanic.yaml", NULL},
                          DEADLINE_MS);
    LP_EXPECT_EXIT(r, 0);
    /* Its model version is the second: the killed run's version stays on record. */
    LP_EXPECT_OUT(r, "titanic_survival version 2");
    lp_run_free(&r);
    cr_assert_eq(query_number("SELECT count(*) FROM runs WHERE status = 'failed' AND error LIKE "
                              "'%ended without finishing the run%'"),
                 1);
    cr_assert_eq(query_number("SELECT count(*) FROM runs WHERE status = 'succeeded'"), 1);
    cr_assert_eq(query_number("SELECT count(*) FROM runs WHERE status = 'running'"), 0);
    cr_assert_eq(query_number("SELECT count(*) FROM pragma_integrity_check WHERE "
                              "integrity_check = 'ok'"),
                 1);
    cr_assert_eq(query_number("SELECT count(*) FROM pragma_foreign_key_check"), 0);

    r = lp_run_exe(LP_LOLPOP_EXE, dir, NULL, (const char *const[]){"runs", "list", NULL},
                   DEADLINE_MS);
    LP_EXPECT_EXIT(r, 0);
    LP_EXPECT_OUT(r, "failed");
    LP_EXPECT_OUT(r, "succeeded");
    lp_run_free(&r);
}

Test(store_safety, two_workflows_writing_one_store_at_once_both_land)
{
    pid_t a = spawn_titanic(NULL), b = spawn_titanic(NULL);
    int st_a = 0, st_b = 0;
    waitpid(a, &st_a, 0);
    waitpid(b, &st_b, 0);
    cr_assert(WIFEXITED(st_a) && WEXITSTATUS(st_a) == 0, "first workflow failed (%d)", st_a);
    cr_assert(WIFEXITED(st_b) && WEXITSTATUS(st_b) == 0, "second workflow failed (%d)", st_b);
    cr_assert_eq(query_number("SELECT count(*) FROM runs WHERE status = 'succeeded'"), 2);
    cr_assert_eq(query_number("SELECT count(*) FROM resources WHERE type = 'model_version'"), 2);
    cr_assert_eq(query_number("SELECT count(*) FROM resources WHERE type = 'experiment'"), 8);
    cr_assert_eq(query_number("SELECT count(*) FROM resources WHERE type = 'dataset_version'"), 4);
    cr_assert_eq(query_number("SELECT count(*) FROM resources WHERE type = 'prediction_job'"), 2);
    /* Every experiment's metrics and stored model landed. */
    cr_assert_eq(query_number("SELECT count(DISTINCT m.resource) FROM metrics m JOIN resources r "
                              "ON r.id = m.resource WHERE r.type = 'experiment'"),
                 8);
    cr_assert_eq(query_number("SELECT count(*) FROM vc_info v JOIN resources r ON r.id = "
                              "v.resource WHERE r.type = 'experiment'"),
                 8);
    /* One winner per model version. */
    cr_assert_eq(query_number("SELECT count(*) FROM tags WHERE key = 'winner' AND value = "
                              "'true'"),
                 2);
    cr_assert_eq(query_number("SELECT count(DISTINCT run) FROM timings"), 2);
    cr_assert_eq(query_number("SELECT count(*) FROM pragma_integrity_check WHERE "
                              "integrity_check = 'ok'"),
                 1);
}
