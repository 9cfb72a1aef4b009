/*
 * test_workflow_tests.c — `lolpop test workflow` (SPEC §8) on the titanic
 * quickstart, with the real binary: verdicts, exit codes, JUnit XML, C hooks,
 * configuration errors found before anything runs, the recorder and the
 * test logger.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

#define DEADLINE_MS 600000L

static char dir_buf[64];
static const char *dir;

static void setup(void)
{
    dir = lp_example_tmpdir(dir_buf, sizeof dir_buf, "wt", LP_TITANIC_EXAMPLE);
}

static void teardown(void)
{
    lp_tmpdir_remove(dir);
}

TestSuite(workflow_tests, .init = setup, .fini = teardown, .timeout = 900);

/* lolpop test workflow ClassificationRunner PLAN -c titanic.yaml [extra...]. */
static lp_run test_titanic(const char *plan, const char *extra1, const char *extra2)
{
    return lp_run_exe(LP_LOLPOP_EXE, dir, NULL,
                      (const char *const[]){"test", "workflow", "ClassificationRunner", plan, "-c",
                                            "titanic.yaml", extra1, extra2, NULL},
                      DEADLINE_MS);
}

static char *read_in_dir(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return lp_read_file(path);
}

static bool exists_in_dir(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return access(path, F_OK) == 0;
}

Test(workflow_tests, quickstart_plan_passes_and_writes_junit)
{
    lp_run r = test_titanic("tests.yaml", "--junit", "junit.xml");
    LP_EXPECT_EXIT(r, 0);
    LP_EXPECT_OUT(r, "15 passed, 0 failed, 0 errors, 0 not run");
    LP_EXPECT_OUT(
        r, "PASS    ClassificationRunner.train_model post: f1 floor on the validation split");
    LP_EXPECT_OUT(r,
                  "PASS    process.data_transformer.transform post: derived features are complete");
    char *xml = read_in_dir("junit.xml");
    cr_assert_not_null(xml, "no junit.xml");
    cr_assert(strstr(xml, "<testsuites name=\"lolpop workflow tests\" tests=\"15\" failures=\"0\" "
                          "errors=\"0\" skipped=\"0\""),
              "%s", xml);
    cr_assert(strstr(xml, "<testsuite name=\"ClassificationRunner.train_model\" tests=\"3\""), "%s",
              xml);
    free(xml);
    /* issue 11 Fix 12: the test ran in a scratch copy, the directory has no
     * store and no predictions of it */
    LP_EXPECT_ERR(r, "testing in a scratch copy of the store and outputs");
    cr_assert(!exists_in_dir(".lolpop/lolpop.db"), "test workflow created the real store");
    cr_assert(!exists_in_dir("predictions.csv"), "test workflow wrote the real predictions file");
    lp_run_free(&r);
}

/* The names in directory `name` (under dir), sorted, one per line (new string). */
static char *listing(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    struct dirent **list = NULL;
    int n = scandir(path, &list, NULL, alphasort);
    size_t len = 1;
    for (int i = 0; i < n; i++)
        len += strlen(list[i]->d_name) + 1;
    char *out = calloc(1, len);
    for (int i = 0; i < n; i++) {
        strcat(strcat(out, list[i]->d_name), "\n");
        free(list[i]);
    }
    free(list);
    return out;
}

static char *models_json(void)
{
    lp_run r = lp_run_exe(LP_LOLPOP_EXE, dir, NULL,
                          (const char *const[]){"models", "list", "--json", NULL}, DEADLINE_MS);
    LP_EXPECT_EXIT(r, 0);
    char *out = strdup(r.out);
    lp_run_free(&r);
    return out;
}

/* issue 11 Fix 12: with a real store and outputs in place, `test workflow`
 * adds no model version, moves no alias and leaves the predictions file and
 * the bundles alone; --live does deploy and write them. */
Test(workflow_tests, test_runs_in_a_scratch_copy_unless_live)
{
    lp_run r = lp_run_exe(LP_LOLPOP_EXE, dir, NULL,
                          (const char *const[]){"run", "workflow", "ClassificationRunner", "-c",
                                                "titanic.yaml", NULL},
                          DEADLINE_MS);
    LP_EXPECT_EXIT(r, 0);
    lp_run_free(&r);
    char *before = models_json();
    cr_assert(strstr(before, "\"version\": 1") && !strstr(before, "\"version\": 2"), "%s", before);
    lp_write_file(dir, "predictions.csv", "the real run's predictions\n");
    char *bundles = listing(".lolpop/deployments/titanic_survival");
    cr_assert(strstr(bundles, "v1\n"), "%s", bundles);

    r = test_titanic("tests.yaml", NULL, NULL);
    LP_EXPECT_EXIT(r, 0);
    LP_EXPECT_OUT(r, "15 passed, 0 failed, 0 errors, 0 not run");
    lp_run_free(&r);
    char *after = models_json(), *pred = read_in_dir("predictions.csv");
    cr_assert_str_eq(after, before, "test workflow changed the real store");
    cr_assert_str_eq(pred, "the real run's predictions\n", "test workflow wrote the predictions");
    free(after);
    free(pred);
    after = listing(".lolpop/deployments/titanic_survival");
    cr_assert_str_eq(after, bundles, "test workflow wrote bundles");
    free(after);
    free(bundles);

    r = test_titanic("tests.yaml", "--live", NULL);
    LP_EXPECT_EXIT(r, 0);
    lp_run_free(&r);
    after = models_json();
    pred = read_in_dir("predictions.csv");
    cr_assert(strstr(after, "\"version\": 2"), "--live registered no new version: %s", after);
    cr_assert(strncmp(pred, "passenger_id,", 13) == 0, "--live wrote no predictions: %.200s", pred);
    free(after);
    free(pred);
    free(before);
}

/* --scratch DIR keeps the scratch copy: the outputs are there. */
Test(workflow_tests, scratch_dir_is_kept_and_holds_the_outputs)
{
    lp_run r = test_titanic("tests.yaml", "--scratch", "scratch");
    LP_EXPECT_EXIT(r, 0);
    lp_run_free(&r);
    cr_assert(exists_in_dir("scratch/.lolpop/lolpop.db"), "no store in the kept scratch copy");
    cr_assert(!exists_in_dir(".lolpop/lolpop.db"), "the real store was created");
    cr_assert(!exists_in_dir("predictions.csv"), "the real predictions file was written");
    r = lp_run_exe(LP_LOLPOP_EXE, dir, NULL,
                   (const char *const[]){"test", "workflow", "ClassificationRunner", "tests.yaml",
                                         "-c", "titanic.yaml", "--scratch", "s2", "--live", NULL},
                   DEADLINE_MS);
    LP_EXPECT_EXIT(r, 2);
    LP_EXPECT_ERR(r, "--scratch and --live exclude each other");
    lp_run_free(&r);
}

static const char failing_plan[] =
    "tests:\n"
    "  train_model:\n"
    "    post_hooks:\n"
    "      - check: \"result.model_version.metrics.valid.f1 >= 0.99\"\n"
    "      - check: \"result.model_version.metrics.valid.f2 >= 0.5\"\n"
    "      - name: a number is not a verdict\n"
    "        check: \"rows(args.frame)\"\n"
    "  evaluate_ground_truth:\n"
    "    post_hooks:\n"
    "      - check: \"true\"\n";

Test(workflow_tests, failures_errors_and_not_run_are_all_reported)
{
    lp_write_file(dir, "plan.yaml", failing_plan);
    lp_run r = test_titanic("plan.yaml", "--junit", "junit.xml");
    LP_EXPECT_EXIT(r, 1);
    LP_EXPECT_OUT(r, "0 passed, 1 failed, 2 errors, 1 not run");
    /* a false check says what the values were; the f1 of this data is 0.79 */
    LP_EXPECT_OUT(r, "`result.model_version.metrics.valid.f1` is 0.79");
    LP_EXPECT_OUT(r, "plan.yaml:4:9"); /* an absolute path in a scratch run */
    LP_EXPECT_OUT(r, "no field 'f2' in this map; did you mean 'f1'?");
    LP_EXPECT_OUT(r, "a check must be true or false; this one gave int 713");
    LP_EXPECT_OUT(r, "NOT_RUN ClassificationRunner.evaluate_ground_truth post");
    /* the workflow itself ran to the end: a verdict never stops it */
    LP_EXPECT_OUT(r, "predictions 178 rows");
    char *xml = read_in_dir("junit.xml");
    cr_assert_not_null(xml);
    cr_assert(strstr(xml, "tests=\"4\" failures=\"1\" errors=\"2\" skipped=\"1\""), "%s", xml);
    cr_assert(strstr(xml, "<failure message=\"`result.model_version.metrics.valid.f1` is 0.79"),
              "%s", xml);
    cr_assert(strstr(xml, "<skipped message=\"never ran"), "%s", xml);
    cr_assert(strstr(xml, "name=\"a number is not a verdict\""), "%s", xml);
    free(xml);
    lp_run_free(&r);
}

static const char bad_plan[] = "tests:\n"
                               "  train_modle:\n"
                               "    post_hooks:\n"
                               "      - check: \"result.x >= \"\n"
                               "process:\n"
                               "  data_transformer:\n"
                               "    tests:\n"
                               "      transform:\n"
                               "        pre_hooks:\n"
                               "          - check: \"rows(result) > 1\"\n"
                               "          - hook: nothing\n"
                               "          - check: \"1\"\n"
                               "            hook: a.so:f\n"
                               "        posthooks: []\n";

static void expect_bad_plan_errors(const lp_run *r)
{
    LP_EXPECT_EXIT(*r, 2);
    LP_EXPECT_ERR(*r, "plan.yaml:2:3: error: [ClassificationRunner] tests for 'train_modle': "
                      "ClassificationRunner has no such method; did you mean 'train_model'?");
    LP_EXPECT_ERR(*r, "plan.yaml:4:29: error: [ClassificationRunner] check expression: expected an "
                      "expression, found end of text");
    LP_EXPECT_ERR(*r, "plan.yaml:10:21: error: [process.data_transformer] a pre-hook runs before "
                      "the method: its check cannot use 'result'");
    LP_EXPECT_ERR(*r, "plan.yaml:11:19: error: [process.data_transformer] hook 'nothing' must be "
                      "FILE:FUNCTION");
    LP_EXPECT_ERR(*r, "exactly one of check:");
    LP_EXPECT_ERR(*r, "plan.yaml:14:9: error: [process.data_transformer] unknown key 'posthooks'");
    LP_EXPECT_ERR(*r, "nothing was run");
}

Test(workflow_tests, bad_tests_are_configuration_errors_found_before_running)
{
    lp_write_file(dir, "plan.yaml", bad_plan);
    lp_run r = test_titanic("plan.yaml", NULL, NULL);
    expect_bad_plan_errors(&r);
    cr_assert_null(strstr(r.out, "ClassificationRunner finished"), "it ran:\n%s", r.out);
    lp_run_free(&r);
    /* the same file is invalid for `run workflow` and `config validate` too */
    r = lp_run_exe(LP_LOLPOP_EXE, dir, NULL,
                   (const char *const[]){"run", "workflow", "ClassificationRunner", "-c",
                                         "titanic.yaml", "-c", "plan.yaml", NULL},
                   DEADLINE_MS);
    expect_bad_plan_errors(&r);
    lp_run_free(&r);
    r = lp_run_exe(LP_LOLPOP_EXE, dir, NULL,
                   (const char *const[]){"config", "validate", "ClassificationRunner", "-c",
                                         "titanic.yaml", "-c", "plan.yaml", NULL},
                   DEADLINE_MS);
    LP_EXPECT_EXIT(r, 2);
    LP_EXPECT_ERR(r, "plan.yaml:4:29:");
    lp_run_free(&r);
}

Test(workflow_tests, c_hooks_give_every_verdict)
{
    char plan[2048];
    snprintf(plan, sizeof plan,
             "process:\n"
             "  data_transformer:\n"
             "    tests:\n"
             "      transform:\n"
             "        pre_hooks:\n"
             "          - hook: %s:hook_pre_sees_args\n"
             "tests:\n"
             "  train_model:\n"
             "    post_hooks:\n"
             "      - hook: %s:hook_always_fails\n"
             "      - hook: %s:hook_cannot_decide\n"
             "      - hook: %s:hook_bad_status\n",
             LP_TEST_HOOKS, LP_TEST_HOOKS, LP_TEST_HOOKS, LP_TEST_HOOKS);
    lp_write_file(dir, "plan.yaml", plan);
    lp_run r = test_titanic("plan.yaml", NULL, NULL);
    LP_EXPECT_EXIT(r, 1);
    /* transform runs twice (training and scoring data): two passes */
    LP_EXPECT_OUT(r, "2 passed, 1 failed, 2 errors, 0 not run");
    LP_EXPECT_OUT(r, "method transform");
    LP_EXPECT_OUT(r, "this hook always fails");
    LP_EXPECT_OUT(r, "no data to decide on");
    LP_EXPECT_OUT(r, "the hook returned 7, which is not LP_TEST_PASS");
    lp_run_free(&r);
}

Test(workflow_tests, c_hook_post_sees_the_result)
{
    char plan[1024];
    snprintf(plan, sizeof plan,
             "process:\n"
             "  data_transformer:\n"
             "    tests:\n"
             "      transform:\n"
             "        post_hooks:\n"
             "          - hook: %s:hook_rows_over_500\n",
             LP_TEST_HOOKS);
    lp_write_file(dir, "plan.yaml", plan);
    lp_run r = test_titanic("plan.yaml", NULL, NULL);
    /* 713 training rows pass; the 178 rows to score fail */
    LP_EXPECT_EXIT(r, 1);
    LP_EXPECT_OUT(r, "1 passed, 1 failed, 0 errors, 0 not run");
    LP_EXPECT_OUT(r, "          713 rows");
    LP_EXPECT_OUT(r, "          178 rows");
    lp_run_free(&r);
}

Test(workflow_tests, missing_hook_library_or_function_is_a_configuration_error)
{
    lp_write_file(dir, "plan.yaml",
                  "tests:\n"
                  "  train_model:\n"
                  "    post_hooks:\n"
                  "      - hook: libno_such_checks.so:check\n");
    lp_run r = test_titanic("plan.yaml", NULL, NULL);
    LP_EXPECT_EXIT(r, 2);
    LP_EXPECT_ERR(r, "plan.yaml:4:9: error: [ClassificationRunner] hook "
                     "'libno_such_checks.so:check': cannot load");
    lp_run_free(&r);
    char plan[512];
    snprintf(plan, sizeof plan,
             "tests:\n  train_model:\n    post_hooks:\n      - hook: %s:no_such\n", LP_TEST_HOOKS);
    lp_write_file(dir, "plan.yaml", plan);
    r = test_titanic("plan.yaml", NULL, NULL);
    LP_EXPECT_EXIT(r, 2);
    LP_EXPECT_ERR(r, "has no function 'no_such' (export it with LP_TEST_HOOK)");
    cr_assert_null(strstr(r.out, "ClassificationRunner finished"), "it ran:\n%s", r.out);
    lp_run_free(&r);
}

Test(workflow_tests, a_failing_workflow_is_an_error_verdict)
{
    lp_write_file(dir, "plan.yaml",
                  "config:\n"
                  "  eval_data: data/missing.csv\n"
                  "tests:\n"
                  "  train_model:\n"
                  "    post_hooks:\n"
                  "      - check: \"result.model_version.metrics.valid.f1 > 0.5\"\n"
                  "  build_all:\n"
                  "    post_hooks:\n"
                  "      - check: \"true\"\n");
    lp_run r = test_titanic("plan.yaml", "--junit", "junit.xml");
    LP_EXPECT_EXIT(r, 1);
    LP_EXPECT_OUT(r, "1 passed, 0 failed, 1 errors, 1 not run");
    LP_EXPECT_OUT(r, "every call of the method failed, so there was no result");
    LP_EXPECT_OUT(r, "ERROR   ClassificationRunner.build_all post: hook `the workflow itself`");
    LP_EXPECT_OUT(r, "missing.csv");
    char *xml = read_in_dir("junit.xml");
    cr_assert_not_null(xml);
    cr_assert(strstr(xml, "errors=\"1\""), "%s", xml);
    free(xml);
    lp_run_free(&r);
}

Test(workflow_tests, recorder_files_and_test_logger)
{
    lp_write_file(dir, "plan.yaml",
                  "component:\n"
                  "  test_recorder: LocalTestRecorder\n"
                  "  test_logger: FileLogger\n"
                  "test_recorder:\n"
                  "  config:\n"
                  "    junit_file: recorded.xml\n"
                  "    json_file: recorded.json\n"
                  "test_logger:\n"
                  "  config:\n"
                  "    log_filename: tests.log\n"
                  "tests:\n"
                  "  train_model:\n"
                  "    post_hooks:\n"
                  "      - check: \"result.better\"\n"
                  "      - check: \"len(args) == 2\"\n");
    lp_run r = test_titanic("plan.yaml", NULL, NULL);
    LP_EXPECT_EXIT(r, 0);
    LP_EXPECT_OUT(r, "2 passed, 0 failed, 0 errors, 0 not run");
    char *xml = read_in_dir("recorded.xml"), *json = read_in_dir("recorded.json"),
         *log = read_in_dir("tests.log");
    cr_assert_not_null(xml, "the recorder wrote no JUnit file");
    cr_assert(strstr(xml, "tests=\"2\" failures=\"0\""), "%s", xml);
    cr_assert_not_null(json, "the recorder wrote no JSON file");
    cr_assert(strstr(json, "\"passed\": 2"), "%s", json);
    cr_assert_not_null(log, "the test logger wrote nothing");
    cr_assert(strstr(log, "test PASS: ClassificationRunner.train_model post check `result.better`"),
              "%s", log);
    free(xml);
    free(json);
    free(log);
    lp_run_free(&r);
}

Test(workflow_tests, usage_errors)
{
    lp_run r = lp_run_exe(LP_LOLPOP_EXE, dir, NULL,
                          (const char *const[]){"test", "workflow", "ClassificationRunner", NULL},
                          DEADLINE_MS);
    LP_EXPECT_EXIT(r, 2);
    LP_EXPECT_ERR(r, "the TEST_PLAN file is missing");
    lp_run_free(&r);
    r = lp_run_exe(LP_LOLPOP_EXE, dir, NULL,
                   (const char *const[]){"test", "flow", "ClassificationRunner", "x.yaml", NULL},
                   DEADLINE_MS);
    LP_EXPECT_EXIT(r, 2);
    LP_EXPECT_ERR(r, "unknown test target 'flow'");
    lp_run_free(&r);
    r = test_titanic("titanic.yaml", NULL, NULL); /* a config without tests */
    LP_EXPECT_EXIT(r, 2);
    LP_EXPECT_ERR(r, "no tests: the configuration and 'titanic.yaml' have no tests: section");
    lp_run_free(&r);
    r = test_titanic("tests.yaml", "-b", "train_modle");
    LP_EXPECT_EXIT(r, 2);
    LP_EXPECT_ERR(r, "did you mean 'train_model'?");
    lp_run_free(&r);
}

Test(workflow_tests, diamonds_plan_passes)
{
    char sub[512];
    snprintf(sub, sizeof sub, "%s/diamonds", dir);
    lp_copy_example(LP_SOURCE_ROOT "/examples/quickstart/regression/diamonds", sub);
    lp_run r = lp_run_exe(LP_LOLPOP_EXE, sub, NULL,
                          (const char *const[]){"test", "workflow", "RegressionRunner",
                                                "tests.yaml", "-c", "diamonds.yaml", NULL},
                          DEADLINE_MS);
    LP_EXPECT_EXIT(r, 0);
    /* process_data runs for training and scoring data: 3 checks each; train_model: 3;
     * analyze_model: 1 */
    LP_EXPECT_OUT(r, "10 passed, 0 failed, 0 errors, 0 not run");
    lp_run_free(&r);
}

Test(workflow_tests, a_crashing_or_hanging_hook_is_an_error_and_the_workflow_goes_on)
{
    char plan[1024];
    snprintf(plan, sizeof plan,
             "tests:\n"
             "  train_model:\n"
             "    post_hooks:\n"
             "      - hook: %s:hook_crashes\n"
             "      - hook: %s:hook_hangs\n"
             "        timeout: 1\n"
             "      - check: \"result.better\"\n",
             LP_TEST_HOOKS, LP_TEST_HOOKS);
    lp_write_file(dir, "plan.yaml", plan);
    lp_run r = test_titanic("plan.yaml", NULL, NULL);
    LP_EXPECT_EXIT(r, 1);
    LP_EXPECT_OUT(r, "1 passed, 0 failed, 2 errors, 0 not run");
    /* signal 11; under AddressSanitizer its handler reports and aborts (signal 6) */
    LP_EXPECT_OUT(r, "the hook crashed (signal ");
    LP_EXPECT_OUT(r, "the hook did not finish within 1 s and was stopped");
    LP_EXPECT_OUT(r, "predictions 178 rows"); /* the workflow itself finished */
    lp_run_free(&r);
}

Test(workflow_tests, a_bad_timeout_is_a_configuration_error)
{
    lp_write_file(dir, "plan.yaml",
                  "tests:\n"
                  "  train_model:\n"
                  "    post_hooks:\n"
                  "      - hook: libx.so:f\n"
                  "        timeout: -1\n"
                  "      - check: \"true\"\n"
                  "        timeout: 5\n");
    lp_run r = test_titanic("plan.yaml", NULL, NULL);
    LP_EXPECT_EXIT(r, 2);
    LP_EXPECT_ERR(r, "plan.yaml:5:18: error: [ClassificationRunner] 'timeout:' must be a number of "
                     "seconds above 0");
    LP_EXPECT_ERR(r, "'timeout:' applies to hook: tests");
    lp_run_free(&r);
}

/* issue 11 Fix 2: a quickstart runs from another working directory with
 * `-c path/to/titanic.yaml`: its data, SQL and outputs are relative to the
 * file that names them, an overlay's paths to the overlay; the default store
 * stays in the working directory. */
Test(workflow_tests, paths_are_relative_to_the_file_that_set_them)
{
    char elsewhere[600], over[600];
    snprintf(elsewhere, sizeof elsewhere, "%s/elsewhere", dir);
    snprintf(over, sizeof over, "%s/over", dir);
    cr_assert_eq(mkdir(elsewhere, 0700), 0);
    cr_assert_eq(mkdir(over, 0700), 0);
    lp_write_file(over, "o.yaml", "config:\n  prediction_data: preds.csv\n");
    lp_run r = lp_run_exe(LP_LOLPOP_EXE, elsewhere, NULL,
                          (const char *const[]){"run", "workflow", "ClassificationRunner", "-c",
                                                "../titanic.yaml", "-c", "../over/o.yaml", NULL},
                          DEADLINE_MS);
    LP_EXPECT_EXIT(r, 0);
    lp_run_free(&r);
    char *pred = read_in_dir("over/preds.csv");
    cr_assert(pred && strncmp(pred, "passenger_id,prediction,", 24) == 0,
              "the overlay's prediction_data was not written next to it: %.100s",
              pred ? pred : "(none)");
    free(pred);
    cr_assert(!exists_in_dir("predictions.csv") && !exists_in_dir("elsewhere/predictions.csv"));
    cr_assert(exists_in_dir("elsewhere/.lolpop/lolpop.db"), "the default store is in the cwd");
}
