/*
 * test_faults.c — issue 15 "keep it so": a workflow that deploys a better
 * model (v2 over a deployed v1) is SIGKILLed at each of its dispatcher calls,
 * and separately starved of disk (every write that grows a file fails with
 * EFBIG, as on a full disk) from chosen calls on — in the store and in the
 * bundle writes. After each fault the store's story is consistent (story.h);
 * after a re-run without the fault it is consistent, no run is left
 * `running`, and the better model is deployed. Kill points: every call of the
 * deploy step and every third call elsewhere (LOLPOP_T_FAULTS_ALL=1: every
 * call); re-runs around the switch and every twelfth call.
 *
 * The faults come from tests/plugins/libfault_injector.so (a test-only plugin
 * adding a dispatcher pre-hook); the production binary has no fault paths.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "story.h"

#define MODEL       "titanic_survival"
#define XGB         "train.hyperparameter_tuner.config.training_params.XGBoostModelTrainer."
#define DEADLINE_MS 300000L

static char base_buf[64], work_buf[64];
static const char *base, *work;

static const char *const plugin_env[] = {"LOLPOP_PLUGIN_PATH=" LP_FAULT_PLUGIN, NULL};

/* One workflow of one trial in `dir` with `rounds` boosting rounds and the
 * fault injector's `fault` setting ("kill_at=N", "full_at=N", "count_file=F"),
 * or none. */
static lp_run workflow(const char *dir, const char *rounds, const char *fault)
{
    char set_rounds[128], set_fault[256];
    snprintf(set_rounds, sizeof set_rounds, XGB "num_boost_round=%s", rounds);
    snprintf(set_fault, sizeof set_fault, "fault_injector.config.%s", fault ? fault : "kill_at=0");
    return lp_run_exe(
        LP_LOLPOP_EXE, dir, fault ? plugin_env : NULL,
        fault
            ? (const char *const[]){"run", "workflow", "ClassificationRunner", "-c", "titanic.yaml",
                                    "--set", XGB "max_depth=3", "--set", XGB "eta=0.3", "--set",
                                    set_rounds, "--set", "component.fault_injector=FaultInjector",
                                    "--set", set_fault, NULL}
            : (const char *const[]){"run", "workflow", "ClassificationRunner", "-c", "titanic.yaml",
                                    "--set", XGB "max_depth=3", "--set", XGB "eta=0.3", "--set",
                                    set_rounds, NULL},
        DEADLINE_MS);
}

/* base: v1 (2 rounds, f1 0.796) trained and deployed. */
static void setup(void)
{
    base = lp_example_tmpdir(base_buf, sizeof base_buf, "faults-base", LP_TITANIC_EXAMPLE);
    lp_run r = workflow(base, "2", NULL);
    LP_EXPECT_EXIT(r, 0);
    lp_run_free(&r);
    lp_story s = lp_story_check(base, MODEL);
    cr_assert_eq(s.deployed_version, 1);
    work = lp_tmpdir_make(strcpy(work_buf, "/tmp/lolpop-faults-XXXXXX"));
}

static void teardown(void)
{
    lp_tmpdir_remove(work);
    lp_tmpdir_remove(base);
}

TestSuite(faults, .init = setup, .fini = teardown, .timeout = 1200);

/* work = a fresh copy of base, symlinks and all. */
static void reset_work(void)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir '%s' && cp -a '%s/.' '%s/'", work, work, base,
             work);
    cr_assert_eq(system(cmd), 0, "%s", cmd);
}

/* The calls of a clean run of the v2 workflow, "N Class.method" each (malloc'ed). */
static char *count_calls(long *n)
{
    reset_work();
    char file[128], fault[160];
    snprintf(file, sizeof file, "%s/calls.txt", work);
    snprintf(fault, sizeof fault, "count_file=%s", file);
    lp_run r = workflow(work, "7", fault);
    LP_EXPECT_EXIT(r, 0);
    lp_run_free(&r);
    char *calls = lp_read_file(file);
    cr_assert_not_null(calls);
    *n = 0;
    for (const char *p = calls; *p; p++)
        *n += *p == '\n';
    cr_assert_gt(*n, 50, "%s", calls);
    cr_assert(strstr(calls, " LocalModelDeployer.deploy_model\n"), "the run deploys:\n%s", calls);
    return calls;
}

/* The number of the call named `what` ("Class.method", first occurrence). */
static long call_number(const char *calls, const char *what)
{
    char needle[128];
    snprintf(needle, sizeof needle, " %s\n", what);
    const char *hit = strstr(calls, needle);
    cr_assert_not_null(hit, "no call %s", what);
    while (hit > calls && hit[-1] != '\n')
        hit--;
    return strtol(hit, NULL, 10);
}

/* After a fault: the story holds; a re-run without faults succeeds, leaves
 * no run `running` and deploys the better v2 model (or a later version). */
static void after_fault(long n, bool rerun)
{
    lp_story_check(work, MODEL);
    if (!rerun) return;
    lp_run r = workflow(work, "7", NULL);
    if (r.status != 0)
        cr_assert_fail("call %ld: the re-run failed (%d):\n%s\n%s", n, r.status, r.out, r.err);
    lp_run_free(&r);
    lp_story s = lp_story_check(work, MODEL);
    lp_story_check_runs_ended(work);
    double best = NAN, deployed = NAN;
    lp_story_perf(work, MODEL, &best, &deployed);
    cr_assert(s.deployed_version >= 2 && deployed == best,
              "call %ld: after the re-run v%lld (f1 %.4f) is deployed, the best is %.4f", n,
              (long long)s.deployed_version, deployed, best);
}

Test(faults, sigkill_at_each_dispatcher_call_leaves_one_consistent_story)
{
    long total = 0;
    char *calls = count_calls(&total);
    long deploy_from = call_number(calls, "ClassificationRunner.deploy_model");
    long record = call_number(calls, "LocalMetadataTracker.record_deployment");
    /* Every call of the deploy step (where what is deployed changes) and every
     * third call elsewhere; LOLPOP_T_FAULTS_ALL=1 kills at every call (slow). */
    bool all = getenv("LOLPOP_T_FAULTS_ALL") != NULL;
#ifdef LP_TEST_SANITIZED
    const long step = 9, window_step = 2; /* sanitized runs are slow: a sample */
#else
    const long step = 3, window_step = 1;
#endif
    for (long n = 1; n <= total; n++) {
        bool window = n >= deploy_from && n <= record + 3;
        bool key = n >= record - 1 && n <= record + 2; /* around the switch: always */
        if (!all && !key && (window ? n % window_step != 0 : n % step != 0)) continue;
        reset_work();
        char fault[32];
        snprintf(fault, sizeof fault, "kill_at=%ld", n);
        lp_run r = workflow(work, "7", fault);
        cr_assert_eq(r.status, 128 + 9, "call %ld: expected death by SIGKILL, got %d:\n%s", n,
                     r.status, r.err);
        lp_run_free(&r);
        /* re-run around the switch itself, and now and then elsewhere */
        after_fault(n, n >= record - 2 || n % 12 == 0 || (window && n % 4 == 0));
    }
    free(calls);
}

Test(faults, a_full_disk_during_store_and_bundle_writes_fails_cleanly)
{
    long total = 0;
    char *calls = count_calls(&total);
    const char *const points[] = {"OfflineProcess.track_data",
                                  "LocalMetadataTracker.create_resource",
                                  "LocalResourceVersionControl.version_model",
                                  "LocalMetadataTracker.lock_model",
                                  "LocalModelRepository.approve_model",
                                  "LocalModelDeployer.deploy_model",
                                  "LocalMetadataTracker.record_deployment",
                                  "LocalMetadataTracker.unlock_model",
                                  "OfflinePredict.save_predictions",
                                  "LocalMetadataTracker.stop"};
    for (size_t i = 0; i < sizeof points / sizeof points[0]; i++) {
        long n = call_number(calls, points[i]);
        reset_work();
        char fault[32];
        snprintf(fault, sizeof fault, "full_at=%ld", n);
        lp_run r = workflow(work, "7", fault);
        /* an error, never a crash: exit 1 with a message */
        cr_assert(r.status == 1, "full disk at call %ld (%s): exit %d\n%s\n%s", n, points[i],
                  r.status, r.out, r.err);
        cr_assert(strstr(r.err, "error") || strstr(r.out, "ERROR"),
                  "full disk at %s: no error reported:\n%s\n%s", points[i], r.out, r.err);
        lp_run_free(&r);
        after_fault(n, true);
    }
    free(calls);
}
