/*
 * test_concurrent_deploy.c — issue 15 item 6: N copies of a workflow started
 * together on one store and one model, repeated. Each round, every run exits
 * 0 and the store tells one consistent story (story.h): alias production ==
 * deployed_version == the version `current` points to, every deployment has
 * its bundle, integrity_check ok. The runs train models of different quality
 * (num_boost_round differs), so the policy is checked too: a version is
 * deployed only when strictly better than the one deployed at that moment
 * (compared again under the model's deploy lock), hence the deployed version
 * is one with the best validation f1 of all versions.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "story.h"

#define RUNS   8
#define ROUNDS 3
#define MODEL  "titanic_survival"

static char dir_buf[64];
static const char *dir;

static void setup(void)
{
    dir = lp_example_tmpdir(dir_buf, sizeof dir_buf, "concurrency", LP_TITANIC_EXAMPLE);
}

static void teardown(void)
{
    lp_tmpdir_remove(dir);
}

TestSuite(concurrency, .init = setup, .fini = teardown, .timeout = 900);

#define XGB "train.hyperparameter_tuner.config.training_params.XGBoostModelTrainer."

/* Starts one workflow (one trial of `rounds` boosting rounds) with its
 * output in dir/log-<tag>.txt; returns the pid. */
static pid_t spawn_run(const char *tag, int rounds)
{
    char log[256], set_rounds[160];
    snprintf(log, sizeof log, "%s/log-%s.txt", dir, tag);
    snprintf(set_rounds, sizeof set_rounds, XGB "num_boost_round=%d", rounds);
    fflush(NULL);
    pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        if (chdir(dir) != 0) _exit(126);
        execl(LP_LOLPOP_EXE, LP_LOLPOP_EXE, "run", "workflow", "ClassificationRunner", "-c",
              "titanic.yaml", "--set", XGB "max_depth=3", "--set", XGB "eta=0.3", "--set",
              set_rounds, (char *)NULL);
        _exit(127);
    }
    return pid;
}

/* The log of run `tag` (for failure messages; malloc'ed). */
static char *log_of(const char *tag)
{
    char path[256];
    snprintf(path, sizeof path, "%s/log-%s.txt", dir, tag);
    char *text = lp_read_file(path);
    return text ? text : strdup("(no log)");
}

Test(concurrency, eight_workflows_deploying_one_model_agree_on_what_is_deployed)
{
    int64_t total_versions = 0;
    for (int round = 0; round < ROUNDS; round++) {
        pid_t pids[RUNS];
        char tags[RUNS][32];
        for (int i = 0; i < RUNS; i++) {
            snprintf(tags[i], sizeof tags[i], "%d-%d", round, i);
            /* rounds differ per run and per round: versions of varied quality */
            pids[i] = spawn_run(tags[i], 2 + ((i * 7 + round * 3) % 17));
        }
        for (int i = 0; i < RUNS; i++) {
            int st = 0;
            cr_assert_eq(waitpid(pids[i], &st, 0), pids[i]);
            if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
                char *log = log_of(tags[i]);
                cr_assert_fail("round %d run %d ended with status %d:\n%s", round, i, st, log);
            }
        }
        lp_story s = lp_story_check(dir, MODEL);
        lp_story_check_runs_ended(dir);
        total_versions += RUNS;
        cr_assert_eq(s.versions, total_versions, "round %d: %lld versions", round,
                     (long long)s.versions);
        cr_assert_gt(s.deployed_id, 0, "round %d: nothing deployed", round);
        cr_assert_eq(lp_story_temp_entries(dir, MODEL), 0, "round %d: temp entries left", round);
        double best = NAN, deployed = NAN;
        lp_story_perf(dir, MODEL, &best, &deployed);
        cr_assert(!isnan(best) && deployed == best,
                  "round %d: deployed v%lld has f1 %.6f, the best version %.6f", round,
                  (long long)s.deployed_version, deployed, best);
    }
    /* and the models command tells the same story */
    lp_run r = lp_run_exe(LP_LOLPOP_EXE, dir, NULL,
                          (const char *const[]){"runs", "list", "--limit", "0", NULL}, 120000);
    LP_EXPECT_EXIT(r, 0);
    lp_run_free(&r);
}
