/*
 * test_predict.c — deployment bundles and `lolpop predict` on real runs: both
 * quickstarts are run once (into one temporary directory shared by the tests
 * of this binary, made before the first test and removed after the last),
 * then their bundles are scored through the CLI and through the loader API
 * (include/lolpop/bundle.h): the same bytes as the workflow's own
 * predictions.csv, refusals of tampered and incompatible bundles, every MODEL
 * form, bad inputs, and scoring from several threads at once.
 */
#include <criterion/criterion.h>
#include <criterion/hooks.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "lolpop.h"
#include "lolpop/bundle.h"

#define DEADLINE_MS 600000L
#define WORK_ENV    "LP_T_PREDICT_WORK"
#define TITANIC     "titanic"
#define DIAMONDS    "diamonds"

ReportHook(PRE_ALL)(struct criterion_test_set *set)
{
    (void)set;
    static char work[64];
    snprintf(work, sizeof work, "/tmp/lolpop-predict-XXXXXX");
    if (lp_tmpdir_make(work)) setenv(WORK_ENV, work, 1);
}

ReportHook(POST_ALL)(struct criterion_global_stats *stats)
{
    (void)stats;
    const char *work = getenv(WORK_ENV);
    if (work) lp_tmpdir_remove(work);
}

TestSuite(predict, .timeout = 900);

/* "<work>/<name>" (static ring of 4). */
static const char *path_of(const char *name)
{
    static char buf[4][512];
    static int next;
    char *p = buf[next++ % 4];
    snprintf(p, 512, "%s/%s", getenv(WORK_ENV), name);
    return p;
}

static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* The quickstart `name` trained and deployed in <work>/<name> (run once). */
static const char *trained(const char *name)
{
    cr_assert_not_null(getenv(WORK_ENV), "no work directory");
    char dir[512], marker[600];
    snprintf(dir, sizeof dir, "%s", path_of(name));
    snprintf(marker, sizeof marker, "%s/predictions.csv", dir);
    if (exists(marker)) return path_of(name);
    bool titanic = strcmp(name, TITANIC) == 0;
    mkdir(dir, 0755);
    lp_copy_example(titanic ? LP_SOURCE_ROOT "/examples/quickstart/classification/titanic"
                            : LP_SOURCE_ROOT "/examples/quickstart/regression/diamonds",
                    dir);
    lp_run r =
        lp_run_exe(LP_LOLPOP_EXE, dir, NULL,
                   (const char *const[]){"run", "workflow",
                                         titanic ? "ClassificationRunner" : "RegressionRunner",
                                         "-c", titanic ? "titanic.yaml" : "diamonds.yaml", NULL},
                   DEADLINE_MS);
    LP_EXPECT_EXIT(r, 0);
    lp_run_free(&r);
    return path_of(name);
}

static lp_run predict(const char *dir, const char *const *args)
{
    const char *argv[16] = {"predict"};
    size_t n = 1;
    for (; args[n - 1] && n < 15; n++)
        argv[n] = args[n - 1];
    argv[n] = NULL;
    return lp_run_exe(LP_LOLPOP_EXE, dir, NULL, argv, DEADLINE_MS);
}

/* Asserts that two files hold the same bytes. */
static void assert_same_file(const char *a, const char *b)
{
    char *x = lp_read_file(a), *y = lp_read_file(b);
    cr_assert_not_null(x, "cannot read %s", a);
    cr_assert_not_null(y, "cannot read %s", b);
    cr_assert(strcmp(x, y) == 0, "%s and %s differ", a, b);
    free(x);
    free(y);
}

/* ---- the CLI ------------------------------------------------------------------------ */

Test(predict, titanic_by_name_equals_the_workflow_predictions_and_is_recorded)
{
    const char *dir = trained(TITANIC);
    /* the quickstart explains its predictions: --explain gives the same reasons */
    lp_run r = predict(dir, (const char *const[]){"titanic_survival", "data/eval.csv", "-o",
                                                  "out.csv", "--explain", NULL});
    LP_EXPECT_EXIT(r, 0);
    LP_EXPECT_OUT(r, "178 rows scored with titanic_survival version 1 -> out.csv");
    LP_EXPECT_OUT(r, "recorded as model/titanic_survival/v1/prediction_job/");
    lp_run_free(&r);
    char out[600], want[600];
    snprintf(out, sizeof out, "%s/out.csv", dir);
    snprintf(want, sizeof want, "%s/predictions.csv", dir);
    assert_same_file(out, want);
}

/* compare_data and analyze_prediction_drift both compare with the training
 * data: the predict pipeline loads it from version control once. The drift's
 * training-side predictions are the ones OfflineTrain stored with the model
 * version (get_reference_predictions, tagged with the training data's object and
 * the model's fingerprint): the second get_data, of their 3 columns. */
Test(predict, the_workflow_loads_the_training_data_once_for_both_comparisons)
{
    const char *dir = trained(TITANIC);
    char cmd[1400];
    snprintf(
        cmd, sizeof cmd,
        "python3 -c 'import sqlite3, sys; db = sqlite3.connect(sys.argv[1]); "
        "q = lambda s: db.execute(s).fetchone()[0]; "
        "n = q(\"SELECT count(*) FROM timings WHERE class = \\x27LocalResourceVersionControl\\x27 "
        "AND method = \\x27get_data\\x27\"); "
        "c = q(\"SELECT count(*) FROM timings WHERE method IN (\\x27compare_data\\x27, "
        "\\x27calculate_model_drift\\x27) AND ok AND class IN "
        "(\\x27LocalDataProfiler\\x27, \\x27LocalModelChecker\\x27)\"); "
        "r = q(\"SELECT count(*) FROM timings WHERE method = \\x27get_reference_predictions\\x27 "
        "AND ok\"); "
        "t = q(\"SELECT count(*) FROM tags WHERE key LIKE \\x27reference_predictions_%%\\x27\"); "
        "sys.exit(0 if n == 2 and c >= 2 and r == 1 and t == 2 else print(n, c, r, t) or 1)' "
        "'%s/.lolpop/lolpop.db'",
        dir);
    cr_assert_eq(system(cmd), 0, "get_data of the training data and the reference once each");
}

/* A stored reference that cannot be read back (a damaged object) costs a
 * warning naming the object, and the drift is computed by scoring the training
 * data instead: the run still succeeds. The second run's new model version is
 * not deployed (the same model is not better), so predict_data scores with v1
 * and looks up v1's damaged reference. */
Test(predict, a_damaged_reference_is_a_warning_and_the_drift_is_still_computed)
{
    const char *dir = path_of("damaged");
    char cmd[1600];
    snprintf(cmd, sizeof cmd, "cp -a '%s' '%s'", trained(TITANIC), dir);
    cr_assert_eq(system(cmd), 0, "%s", cmd);
    snprintf(
        cmd, sizeof cmd,
        "cd '%s' && f=$(python3 -c 'import sqlite3; print(sqlite3.connect(\".lolpop/lolpop.db\")"
        ".execute(\"SELECT json_extract(info, \\x27$.path\\x27) FROM vc_info WHERE key = "
        "\\x27reference_predictions\\x27\").fetchone()[0])') && chmod u+w \"$f\" && "
        "echo damaged > \"$f\"",
        dir);
    cr_assert_eq(system(cmd), 0, "%s", cmd);
    lp_run r = lp_run_exe(LP_LOLPOP_EXE, dir, NULL,
                          (const char *const[]){"run", "workflow", "ClassificationRunner", "-c",
                                                "titanic.yaml", NULL},
                          DEADLINE_MS);
    LP_EXPECT_EXIT(r, 0);
    LP_EXPECT_ERR(r, "analyze_prediction_drift: the reference predictions stored with the model "
                     "version cannot be read (");
    LP_EXPECT_ERR(r, "is damaged");
    LP_EXPECT_ERR(r, "scoring the training data again");
    LP_EXPECT_ERR(r, "calculate_model_drift: the model's predictions on the scored data vs on "
                     "X_train");
    lp_run_free(&r);
}

Test(predict, diamonds_from_stdin_to_stdout_equals_the_workflow_predictions)
{
    const char *dir = trained(DIAMONDS);
    char cmd[1200], want[600];
    snprintf(cmd, sizeof cmd,
             "cd '%s' && '%s' predict diamond_price/v1 - -o - --no-track < data/eval.csv "
             "> stdout.csv 2> stderr.txt",
             dir, LP_LOLPOP_EXE);
    cr_assert_eq(system(cmd), 0, "%s", cmd);
    snprintf(cmd, sizeof cmd, "%s/stdout.csv", dir);
    snprintf(want, sizeof want, "%s/predictions.csv", dir);
    assert_same_file(cmd, want);
    snprintf(cmd, sizeof cmd, "%s/stderr.txt", dir);
    char *err = lp_read_file(cmd);
    cr_assert(err && strstr(err, "10788 rows scored with diamond_price version 1 -> <stdout>"),
              "%s", err ? err : "");
    cr_assert(!strstr(err, "recorded as"), "--no-track records nothing: %s", err);
    free(err);
}

Test(predict, explain_top_k_reasons_and_usage)
{
    const char *dir = trained(TITANIC);
    lp_run r = predict(dir, (const char *const[]){"titanic_survival", "data/eval.csv", "-o", "-",
                                                  "--no-track", "--explain", "--top-k", "1", NULL});
    LP_EXPECT_EXIT(r, 0);
    LP_EXPECT_OUT(r, "probability_1,reason_1,reason_1_value\n");
    lp_run_free(&r);
    r = predict(dir, (const char *const[]){"titanic_survival", "data/eval.csv", "-o", "-",
                                           "--top-k", "2", NULL});
    LP_EXPECT_EXIT(r, 2);
    LP_EXPECT_ERR(r, "--top-k needs --explain");
    lp_run_free(&r);
    r = predict(dir, (const char *const[]){"titanic_survival", "data/eval.csv", "-o", "-",
                                           "--explain", "--top-k", "0", NULL});
    LP_EXPECT_EXIT(r, 2);
    LP_EXPECT_ERR(r, "'--top-k' needs a number from 1 to 1000");
    lp_run_free(&r);
}

Test(predict, bundle_directory_and_json_summary)
{
    const char *dir = trained(TITANIC);
    lp_run r = predict(dir, (const char *const[]){".lolpop/deployments/titanic_survival/current",
                                                  "data/eval.csv", "-o", "j.csv", "--no-track",
                                                  "--json", NULL});
    LP_EXPECT_EXIT(r, 0);
    LP_EXPECT_OUT(r, "\"rows\":178");
    LP_EXPECT_OUT(r, "\"model\":\"titanic_survival\"");
    LP_EXPECT_OUT(r, "\"prediction_job\":null");
    lp_run_free(&r);
}

Test(predict, missing_required_column_names_it_and_leaves_no_output)
{
    const char *dir = trained(TITANIC);
    /* eval.csv without its `sex` column (the third) */
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "cd '%s' && cut -d, -f1,2,4- data/eval.csv > nosex.csv", dir);
    cr_assert_eq(system(cmd), 0);
    lp_run r =
        predict(dir, (const char *const[]){"titanic_survival", "nosex.csv", "-o", "bad.csv", NULL});
    LP_EXPECT_EXIT(r, 1);
    LP_EXPECT_ERR(r, "missing required column 'sex'");
    lp_run_free(&r);
    cr_assert(!exists(path_of("titanic/bad.csv")), "no output after a failure");
    snprintf(cmd, sizeof cmd, "ls -a '%s' | grep -q tmp", dir);
    cr_assert_neq(system(cmd), 0, "no temp file left behind");
}

Test(predict, wrong_type_names_column_and_row)
{
    const char *dir = trained(TITANIC);
    lp_write_file(dir, "badage.csv",
                  "passenger_id,pclass,sex,age,sibsp,parch,fare,embarked,class,who,adult_male,"
                  "deck,embark_town,alone\n"
                  "7,1,male,54.0,0,0,51.8625,S,First,man,True,E,Southampton,True\n"
                  "8,1,male,old,0,0,51.8625,S,First,man,True,E,Southampton,True\n");
    lp_run r = predict(dir, (const char *const[]){"titanic_survival", "badage.csv", "-o", "-",
                                                  "--no-track", NULL});
    LP_EXPECT_EXIT(r, 1);
    LP_EXPECT_ERR(r, "column 'age', row 2");
    LP_EXPECT_ERR(r, "'old'");
    lp_run_free(&r);
}

Test(predict, header_only_input_gives_the_header_only)
{
    const char *dir = trained(TITANIC);
    lp_write_file(dir, "empty.csv",
                  "passenger_id,pclass,sex,age,sibsp,parch,fare,embarked,class,who,adult_male,"
                  "deck,embark_town,alone\n");
    lp_run r = predict(
        dir, (const char *const[]){"titanic_survival", "empty.csv", "-o", "-", "--no-track", NULL});
    LP_EXPECT_EXIT(r, 0);
    cr_assert_str_eq(r.out, "passenger_id,prediction,probability_0,probability_1\n");
    LP_EXPECT_ERR(r, "0 rows scored");
    lp_run_free(&r);
}

/* ---- streaming: chunks, memory ------------------------------------------------------ */

Test(predict, small_chunks_give_the_same_bytes_on_both_quickstarts)
{
    const char *dirs[] = {trained(TITANIC), trained(DIAMONDS)};
    const char *models[] = {"titanic_survival", "diamond_price"};
    for (size_t i = 0; i < 2; i++) {
        /* titanic's workflow writes the top reasons too (skip_prediction_explanations: false) */
        const char *const args[] = {
            models[i],    "data/eval.csv", "-o",  "chunked.csv",
            "--no-track", "--chunk-bytes", "300", i == 0 ? "--explain" : NULL,
            NULL};
        lp_run r = predict(dirs[i], args);
        LP_EXPECT_EXIT(r, 0);
        lp_run_free(&r);
        char out[600], want[600];
        snprintf(out, sizeof out, "%s/chunked.csv", dirs[i]);
        snprintf(want, sizeof want, "%s/predictions.csv", dirs[i]);
        assert_same_file(out, want);
    }
    lp_run r = predict(dirs[0], (const char *const[]){"titanic_survival", "data/eval.csv", "-o",
                                                      "-", "--chunk-bytes", "12", NULL});
    LP_EXPECT_EXIT(r, 2);
    LP_EXPECT_ERR(r, "option '--chunk-bytes' needs a number of bytes from 64 to 1073741824 "
                     "(got '12')");
    lp_run_free(&r);
}

/* "<header>\n" then `rows` copies of a good titanic row, the bad one at `bad_at`. */
static void write_rows(const char *dir, const char *name, size_t rows, size_t bad_at,
                       const char *bad)
{
    char path[600];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *fp = fopen(path, "w");
    cr_assert_not_null(fp);
    fputs("passenger_id,pclass,sex,age,sibsp,parch,fare,embarked,class,who,adult_male,deck,"
          "embark_town,alone\n",
          fp);
    for (size_t i = 1; i <= rows; i++)
        fputs(i == bad_at ? bad
                          : "7,1,male,54.0,0,0,51.8625,S,First,man,True,E,\"Southampton\n"
                            "(quay, \"\"A\"\")\",True\n",
              fp);
    fclose(fp);
}

Test(predict, errors_in_a_later_chunk_name_the_row_and_line_of_the_whole_input)
{
    const char *dir = trained(TITANIC);
    write_rows(dir, "late_type.csv", 40, 37,
               "8,1,male,old,0,0,51.8625,S,First,man,True,E,Southampton,True\n");
    lp_run r =
        predict(dir, (const char *const[]){"titanic_survival", "late_type.csv", "-o", "late.csv",
                                           "--no-track", "--chunk-bytes", "256", NULL});
    LP_EXPECT_EXIT(r, 1);
    LP_EXPECT_ERR(r, "column 'age', row 37");
    lp_run_free(&r);
    cr_assert(!exists(path_of("titanic/late.csv")), "no output after a failure");
    /* rows 1-35 take two lines each (a quoted newline): row 36 starts on line 72 */
    write_rows(dir, "late_ragged.csv", 40, 36,
               "8,1,male,5,0,0,51.8625,S,First,man,True,E,Southampton,True,extra\n");
    r = predict(dir, (const char *const[]){"titanic_survival", "late_ragged.csv", "-o", "-",
                                           "--no-track", "--chunk-bytes", "256", NULL});
    LP_EXPECT_EXIT(r, 1);
    LP_EXPECT_ERR(r, "late_ragged.csv:72:");
    LP_EXPECT_ERR(r, "ragged row: more fields than the 14 in the header");
    lp_run_free(&r);
}

/* Peak RSS in KiB of `lolpop predict MODEL DATA -o OUT --no-track` run in dir. */
static long predict_peak_rss(const char *dir, const char *model, const char *data)
{
    pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        if (chdir(dir) != 0) _exit(126);
        FILE *null = freopen("/dev/null", "w", stdout);
        (void)null;
        execl(LP_LOLPOP_EXE, LP_LOLPOP_EXE, "predict", model, data, "-o", "big_out.csv",
              "--no-track", (char *)NULL);
        _exit(127);
    }
    int status = 0;
    struct rusage ru;
    cr_assert_eq(wait4(pid, &status, 0, &ru), pid);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "predict of %s failed (%d)", data,
              status);
    return ru.ru_maxrss;
}

/* `rows` data rows: diamonds' eval rows repeated (ids kept: scoring does not care). */
static void write_repeated(const char *dir, const char *name, size_t rows)
{
    char cmd[1400];
    snprintf(cmd, sizeof cmd,
             "cd '%s' && awk -v n=%zu 'NR == 1 { print; next } { row[++k] = $0 } "
             "END { for (i = 0; i < n; i++) print row[i %% k + 1] }' data/eval.csv > %s",
             dir, rows, name);
    cr_assert_eq(system(cmd), 0, "%s", cmd);
}

/* A suite of its own (meson test test_predict_memory): it scores 2.2M rows. */
TestSuite(predict_memory, .timeout = 1800);

Test(predict_memory, stays_bounded_from_200k_to_2M_rows)
{
    const char *dir = trained(DIAMONDS);
    write_repeated(dir, "rows_200k.csv", 200000);
    write_repeated(dir, "rows_2m.csv", 2000000);
    long small = predict_peak_rss(dir, "diamond_price", "rows_200k.csv");
    long big = predict_peak_rss(dir, "diamond_price", "rows_2m.csv");
    char path[600];
    snprintf(path, sizeof path, "%s/big_out.csv", dir);
    struct stat st;
    cr_assert(stat(path, &st) == 0 && st.st_size > 2000000 * 10, "2M predictions written");
    /* The 2M-row input is ~100 MB: read whole, the peak would grow by far more
     * than the 32 MiB allowed for allocator noise. */
    cr_assert(big - small < 32 * 1024,
              "peak RSS grew from %ld KiB (200k rows) to %ld KiB (2M rows)", small, big);
    for (const char *f = "rows_200k.csv"; f;
         f = strcmp(f, "rows_200k.csv") == 0 ? "rows_2m.csv" : NULL) {
        snprintf(path, sizeof path, "%s/%s", dir, f);
        unlink(path);
    }
    snprintf(path, sizeof path, "%s/big_out.csv", dir);
    unlink(path);
}

Test(predict, bad_model_data_and_usage)
{
    const char *dir = trained(TITANIC);
    struct {
        const char *model, *data, *err;
        int code;
    } cases[] = {
        {"nope", "data/eval.csv", "no model 'nope' in the metadata store", 2},
        {"titanic_survivl", "data/eval.csv",
         "no model 'titanic_survivl' in the metadata store '.lolpop/lolpop.db' (did you mean "
         "'titanic_survival'?)",
         2},
        {"titanic_survival@nosuch", "data/eval.csv",
         "model 'titanic_survival' has no alias 'nosuch'", 2},
        {"titanic_survival/v9", "data/eval.csv", "model 'titanic_survival' has no version 9", 2},
        {"a@b/c", "data/eval.csv", "is neither a bundle directory nor a model reference", 2},
        {"titanic_survival", "data/missing.csv", "data/missing.csv", 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        lp_run r =
            predict(dir, (const char *const[]){cases[i].model, cases[i].data, "-o", "x.csv", NULL});
        LP_EXPECT_EXIT(r, cases[i].code);
        LP_EXPECT_ERR(r, cases[i].err);
        lp_run_free(&r);
    }
    lp_run r = predict(dir, (const char *const[]){"titanic_survival", "data/eval.csv", NULL});
    LP_EXPECT_EXIT(r, 2);
    LP_EXPECT_ERR(r, "-o OUT is missing");
    lp_run_free(&r);
    r = predict(dir, (const char *const[]){"titanic_survival", "data/eval.csv", "-o", "x.csv",
                                           "--store", "/nonexistent/lolpop.db", NULL});
    LP_EXPECT_EXIT(r, 2);
    LP_EXPECT_ERR(r, "no metadata store at '/nonexistent/lolpop.db'");
    lp_run_free(&r);
}

Test(predict, a_transformer_without_bundle_info_is_refused_at_deploy)
{
    char dir[64];
    lp_example_tmpdir(dir, sizeof dir, "unbundled", LP_TITANIC_EXAMPLE);
    lp_run r = lp_run_exe(
        LP_LOLPOP_EXE, dir,
        (const char *const[]){"LOLPOP_PLUGIN_PATH=" LP_BUILD_DIR "/tests/plugins/libunbundled.so",
                              NULL},
        (const char *const[]){"run", "workflow", "ClassificationRunner", "-c", "titanic.yaml",
                              "--set",
                              "process.component.data_transformer=TestUnbundledTransformer",
                              "--set", "train.hyperparameter_tuner.config.search=random", "--set",
                              "train.hyperparameter_tuner.config.n_trials=1", NULL},
        DEADLINE_MS);
    LP_EXPECT_EXIT(r, 1);
    LP_EXPECT_ERR(r, "the data_transformer TestUnbundledTransformer (process.data_transformer) "
                     "cannot be bundled: the class has no bundle_info method");
    lp_run_free(&r);
    lp_tmpdir_remove(dir);
}

/* ---- the loader API ------------------------------------------------------------------- */

static lp_registry *registry(void)
{
    lp_registry *reg = lp_registry_new();
    cr_assert_not_null(reg);
    cr_assert_eq(lp_registry_add_plugin(reg, &lp_builtin_plugin, "builtin"), 0);
    return reg;
}

/* The CSV text of a frame (malloc'ed). */
static char *csv_of(const lp_frame *f)
{
    char *text = NULL;
    size_t len = 0;
    cr_assert_eq(lp_csv_write_buffer(&text, &len, f, NULL), 0, "%s", lp_error_last()->message);
    return text;
}

/* `name`'s current bundle copied to <work>/<copy> (a fresh copy). */
static const char *bundle_copy(const char *name, const char *model, const char *copy)
{
    const char *dir = trained(name);
    char cmd[1600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && cp -rL '%s/.lolpop/deployments/%s/current' '%s'",
             path_of(copy), dir, model, path_of(copy));
    cr_assert_eq(system(cmd), 0, "%s", cmd);
    return path_of(copy);
}

Test(predict, api_round_trip_scores_like_the_workflow)
{
    const char *dir = trained(TITANIC);
    lp_registry *reg = registry();
    char bdir[600], eval[600], want_path[600];
    snprintf(bdir, sizeof bdir, "%s/.lolpop/deployments/titanic_survival/current", dir);
    snprintf(eval, sizeof eval, "%s/data/eval.csv", dir);
    snprintf(want_path, sizeof want_path, "%s/predictions.csv", dir);
    lp_bundle *b = NULL;
    cr_assert_eq(lp_bundle_open(&b, reg, bdir), 0, "%s", lp_error_last()->message);

    const lp_value *schema = lp_bundle_input_schema(b);
    cr_assert_str_eq(lp_value_as_string(lp_map_get(schema, "model_index")), "passenger_id");
    cr_assert_str_eq(lp_value_as_string(lp_map_get(lp_map_get(schema, "target"), "name")),
                     "survived");
    const lp_value *cols = lp_map_get(schema, "columns");
    cr_assert_eq(lp_list_len(cols), 14);
    for (size_t i = 0; i < lp_list_len(cols); i++) {
        const char *name = lp_value_as_string(lp_map_get(lp_list_get(cols, i), "name"));
        bool required = lp_value_as_bool(lp_map_get(lp_list_get(cols, i), "required"));
        /* the id is not an input; deck is, because the SQL reads it */
        if (strcmp(name, "passenger_id") == 0) cr_expect(!required, "passenger_id required");
        if (strcmp(name, "deck") == 0 || strcmp(name, "sex") == 0) cr_expect(required, "%s", name);
    }
    cr_assert_eq(lp_list_len(lp_map_get(schema, "classes")), 2);

    lp_frame *raw = NULL, *out = NULL;
    cr_assert_eq(lp_csv_read(&raw, eval, NULL), 0);
    /* the quickstart explains its predictions: three reasons per row */
    lp_frame *contribs = NULL;
    cr_assert_eq(lp_bundle_score_explained(&out, &contribs, b, raw, 0, 3), 0, "%s",
                 lp_error_last()->message);
    cr_assert_eq(lp_frame_rows(contribs), lp_frame_rows(raw));
    cr_assert_not_null(lp_frame_col_by_name(contribs, "base_value"));
    lp_frame_unref(contribs);
    char *got = csv_of(out), *want = lp_read_file(want_path);
    cr_assert_str_eq(got, want);
    free(got);
    free(want);
    lp_frame_unref(out);
    lp_frame_unref(raw);
    lp_bundle_free(b);
    lp_registry_free(reg);
}

/* issue 11: an optional column the input lacks is null-filled by the bundle
 * (the model_index here; written only when the input has it); the deployer's
 * probing still finds the required columns (its bundle leaves absent ones out). */
Test(predict, api_an_absent_optional_column_is_null_filled_by_the_bundle)
{
    const char *dir = trained(TITANIC);
    lp_registry *reg = registry();
    char bdir[600], eval[600];
    snprintf(bdir, sizeof bdir, "%s/.lolpop/deployments/titanic_survival/current", dir);
    snprintf(eval, sizeof eval, "%s/data/eval.csv", dir);
    lp_bundle *b = NULL;
    cr_assert_eq(lp_bundle_open(&b, reg, bdir), 0, "%s", lp_error_last()->message);
    lp_frame *raw = NULL, *no_id = NULL, *with = NULL, *without = NULL;
    cr_assert_eq(lp_csv_read(&raw, eval, NULL), 0);
    const char *id = "passenger_id";
    cr_assert_eq(lp_frame_drop(&no_id, raw, &id, 1), 0);
    cr_assert_eq(lp_bundle_score(&with, b, raw), 0, "%s", lp_error_last()->message);
    cr_assert_eq(lp_bundle_score(&without, b, no_id), 0, "%s", lp_error_last()->message);
    cr_assert_eq(lp_frame_find(without, id), -1);
    lp_frame *with_no_id = NULL;
    cr_assert_eq(lp_frame_drop(&with_no_id, with, &id, 1), 0);
    char *a = csv_of(with_no_id), *c = csv_of(without);
    cr_assert_str_eq(a, c);
    free(a);
    free(c);
    /* probing was not fooled by the null-fill: sex is still required */
    const char *sex = "sex";
    lp_frame *no_sex = NULL, *none = NULL;
    cr_assert_eq(lp_frame_drop(&no_sex, raw, &sex, 1), 0);
    cr_assert_neq(lp_bundle_score(&none, b, no_sex), 0, "scored without the required 'sex'");
    cr_assert(strstr(lp_error_last()->message, "missing required column 'sex'"), "%s",
              lp_error_last()->message);
    lp_frame_unref(no_sex);
    lp_frame_unref(with_no_id);
    lp_frame_unref(with);
    lp_frame_unref(without);
    lp_frame_unref(no_id);
    lp_frame_unref(raw);
    lp_bundle_free(b);
    lp_registry_free(reg);
}

typedef struct scorer {
    const lp_bundle *b;
    const lp_frame *raw;
    char *result[8];
    int failures;
} scorer;

static void *score_many(void *arg)
{
    scorer *s = arg;
    for (int i = 0; i < 8; i++) {
        lp_frame *out = NULL;
        if (lp_bundle_score(&out, s->b, s->raw) != 0) {
            s->failures++;
            continue;
        }
        lp_csv_write_buffer(&s->result[i], &(size_t){0}, out, NULL);
        lp_frame_unref(out);
    }
    return NULL;
}

Test(predict, api_scores_from_four_threads_at_once)
{
    const char *dir = trained(TITANIC);
    lp_registry *reg = registry();
    char bdir[600], eval[600];
    snprintf(bdir, sizeof bdir, "%s/.lolpop/deployments/titanic_survival/current", dir);
    snprintf(eval, sizeof eval, "%s/data/eval.csv", dir);
    lp_bundle *b = NULL;
    cr_assert_eq(lp_bundle_open(&b, reg, bdir), 0, "%s", lp_error_last()->message);
    lp_frame *raw = NULL, *one = NULL;
    cr_assert_eq(lp_csv_read(&raw, eval, NULL), 0);
    cr_assert_eq(lp_bundle_score(&one, b, raw), 0);
    char *want = csv_of(one);
    scorer s[4];
    pthread_t t[4];
    for (int i = 0; i < 4; i++) {
        s[i] = (scorer){.b = b, .raw = raw};
        cr_assert_eq(pthread_create(&t[i], NULL, score_many, &s[i]), 0);
    }
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    for (int i = 0; i < 4; i++) {
        cr_expect_eq(s[i].failures, 0);
        for (int k = 0; k < 8; k++) {
            cr_expect(s[i].result[k] && strcmp(s[i].result[k], want) == 0,
                      "thread %d call %d differs", i, k);
            free(s[i].result[k]);
        }
    }
    free(want);
    lp_frame_unref(one);
    lp_frame_unref(raw);
    lp_bundle_free(b);
    lp_registry_free(reg);
}

/* Replaces the first `from` in dir/file by `to` (same file otherwise). */
static void edit(const char *dir, const char *file, const char *from, const char *to)
{
    char path[700];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    char *text = lp_read_file(path);
    cr_assert_not_null(text);
    char *at = strstr(text, from);
    cr_assert_not_null(at, "%s lacks %s", file, from);
    FILE *fp = fopen(path, "w");
    cr_assert_not_null(fp);
    fprintf(fp, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
    fclose(fp);
    free(text);
}

/* lp_bundle_open on dir fails with a message holding `msg`. */
static void assert_refused(const char *dir, const char *msg)
{
    lp_registry *reg = registry();
    lp_bundle *b = (lp_bundle *)1;
    cr_assert_neq(lp_bundle_open(&b, reg, dir), 0, "%s was accepted", dir);
    cr_assert_null(b);
    cr_assert(strstr(lp_error_last()->message, msg), "message lacks \"%s\": %s", msg,
              lp_error_last()->message);
    lp_registry_free(reg);
}

Test(predict, api_refuses_a_tampered_bundle)
{
    const char *b = bundle_copy(TITANIC, "titanic_survival", "tampered");
    edit(b, "transform.json", "family_size", "family_sizf");
    assert_refused(b, "has been modified: transform.json has SHA-256");
    b = bundle_copy(TITANIC, "titanic_survival", "missing");
    char path[700];
    snprintf(path, sizeof path, "%s/model.lpm", b);
    cr_assert_eq(unlink(path), 0);
    assert_refused(b, "model.lpm, listed in bundle.json, is missing");
    b = bundle_copy(TITANIC, "titanic_survival", "badjson");
    edit(b, "bundle.json", "\"files\"", "\"files\": 1, \"x\"");
    assert_refused(b, "bundle.json: 'files' must be an object");
    assert_refused(path_of("titanic/data"), "it has no bundle.json");
}

Test(predict, api_refuses_an_incompatible_bundle)
{
    const char *b = bundle_copy(DIAMONDS, "diamond_price", "abi");
    edit(b, "bundle.json", "\"abi_version\": 2", "\"abi_version\": 999");
    assert_refused(b, "was written for lolpop ABI 999");
    b = bundle_copy(DIAMONDS, "diamond_price", "newer");
    edit(b, "bundle.json", "\"lolpop_version\": \"", "\"lolpop_version\": \"9");
    assert_refused(b, "which this lolpop (");
    b = bundle_copy(DIAMONDS, "diamond_price", "format");
    edit(b, "bundle.json", "\"format\": 2", "\"format\": 3");
    assert_refused(b, "has format 3; this lolpop");
}

Test(predict, api_resolves_every_model_form)
{
    const char *dir = trained(TITANIC);
    char store[600], real[PATH_MAX], cur[700];
    snprintf(store, sizeof store, "%s/.lolpop/lolpop.db", dir);
    snprintf(cur, sizeof cur, "%s/.lolpop/deployments/titanic_survival/v1", dir);
    cr_assert_not_null(realpath(cur, real));
    const char *forms[] = {"titanic_survival", "titanic_survival@production",
                           "titanic_survival/v1"};
    for (size_t i = 0; i < 3; i++) {
        char *out = NULL;
        cr_assert_eq(lp_bundle_resolve(&out, forms[i], store), 0, "%s: %s", forms[i],
                     lp_error_last()->message);
        cr_expect_str_eq(out, real, "%s", forms[i]);
        free(out);
    }
    char *out = NULL, storedir[600];
    snprintf(storedir, sizeof storedir, "%s/.lolpop", dir); /* a directory holding lolpop.db */
    cr_assert_eq(lp_bundle_resolve(&out, "titanic_survival", storedir), 0);
    free(out);
    cr_assert_eq(lp_bundle_resolve(&out, cur, NULL), 0); /* a directory is itself */
    cr_expect_str_eq(out, cur);
    free(out);
    cr_assert_eq(lp_bundle_resolve(&out, "titanic_survival/v0", store), LP_EINVAL);
    cr_assert_eq(lp_bundle_resolve(&out, "titanic_survival@", store), LP_EINVAL);
    cr_assert_eq(lp_bundle_resolve(&out, "nope", store), LP_ENOTFOUND);
    cr_assert_eq(lp_bundle_resolve(&out, "titanic_survival@staging", store), 0,
                 "the promotion's alias: %s", lp_error_last()->message);
    free(out);
    cr_assert_null(out = NULL);
}
