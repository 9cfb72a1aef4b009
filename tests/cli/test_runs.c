/*
 * test_runs.c — `lolpop runs list|show|compare` end to end: exit codes and
 * messages (no store, unknown run, ambiguous prefix, bad options), runs made
 * by `lolpop run workflow` (the default LocalMetadataTracker), and reports of
 * a store filled through the store API with datasets, model versions,
 * experiments and metrics.
 *
 * The binary runs in a fresh temporary directory, through the shared test
 * harness (tests/cli/harness.c).
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "lolpop.h"
#include "store/store.h"

#ifndef LP_LOLPOP_EXE
#error "LP_LOLPOP_EXE must name the lolpop binary"
#endif

#define DEADLINE_MS 60000

static char tmpdir[] = "/tmp/lolpop-runs-XXXXXX";

static void setup(void)
{
    cr_assert_not_null(mkdtemp(tmpdir), "mkdtemp: %s", strerror(errno));
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
    nftw(tmpdir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

TestSuite(runs, .init = setup, .fini = teardown, .timeout = 120);

static const char *path_in(const char *name)
{
    static char ring[4][1024];
    static int next;
    char *buf = ring[next++ % 4];
    snprintf(buf, 1024, "%s/%s", tmpdir, name);
    return buf;
}

typedef lp_run result;

/* Runs lolpop with args in tmpdir (harness.c); the result lives until the next run. */
static result *run_lolpop(const char *const *args)
{
    static lp_run r;
    lp_run_free(&r);
    r = lp_run_exe(LP_LOLPOP_EXE, tmpdir, NULL, args, DEADLINE_MS);
    return &r;
}

#define LOLPOP(...) run_lolpop((const char *const[]){__VA_ARGS__, NULL})

#define EXPECT_EXIT(r, code)                                                                       \
    cr_assert_eq((r)->status, (code), "exit %d, expected %d\n--- stdout:\n%s\n--- stderr:\n%s",    \
                 (r)->status, (code), (r)->out, (r)->err)
#define EXPECT_OUT(r, s) cr_assert(strstr((r)->out, (s)), "stdout lacks \"%s\":\n%s", (s), (r)->out)
#define EXPECT_ERR(r, s) cr_assert(strstr((r)->err, (s)), "stderr lacks \"%s\":\n%s", (s), (r)->err)

static void write_hello_config(void)
{
    FILE *f = fopen(path_in("hello.yaml"), "w");
    cr_assert_not_null(f);
    fprintf(f,
            "plugin_paths: [\"%s\"]\ncomponent:\n  greeter: HelloGreeter\nconfig:\n  name: "
            "world\n",
            LP_HELLO_PLUGIN);
    fclose(f);
}

static void write_text(const char *name, const char *text)
{
    FILE *f = fopen(path_in(name), "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
}

/* ---- errors --------------------------------------------------------------------------- */

Test(runs, no_store_is_an_error_and_creates_nothing)
{
    result *r = LOLPOP("runs", "list");
    EXPECT_EXIT(r, 1);
    EXPECT_ERR(r, "no metadata store at '.lolpop/lolpop.db'");
    struct stat sb;
    cr_assert_neq(stat(path_in(".lolpop"), &sb), 0, "no store was created");
    r = LOLPOP("runs", "show", "latest", "--store", "elsewhere/x.db");
    EXPECT_EXIT(r, 1);
    EXPECT_ERR(r, "no metadata store at 'elsewhere/x.db'");
}

Test(runs, bad_options_and_subcommands_are_usage_errors)
{
    result *r = LOLPOP("runs", "list", "--limt", "3");
    EXPECT_EXIT(r, 2);
    EXPECT_ERR(r, "unknown option '--limt'");
    EXPECT_ERR(r, "did you mean '--limit'?");
    r = LOLPOP("runs", "list", "--limit=-1");
    EXPECT_EXIT(r, 2);
    EXPECT_ERR(r, "option '--limit' expects a number >= 0, got '-1'");
    r = LOLPOP("runs", "shw", "x");
    EXPECT_EXIT(r, 2);
    EXPECT_ERR(r, "unknown subcommand 'runs shw'; did you mean 'show'?");
    r = LOLPOP("runs");
    EXPECT_EXIT(r, 2);
    EXPECT_ERR(r, "a subcommand is missing");
    r = LOLPOP("runs", "compare", "a");
    EXPECT_EXIT(r, 2);
    EXPECT_ERR(r, "'runs compare' needs RUN_A RUN_B");
    r = LOLPOP("runs", "list", "extra");
    EXPECT_EXIT(r, 2);
    EXPECT_ERR(r, "unexpected argument 'extra'");
    r = LOLPOP("runs", "--help");
    EXPECT_EXIT(r, 0);
    EXPECT_OUT(r, "--store PATH");
}

Test(runs, a_file_that_is_not_a_store_is_refused)
{
    FILE *f = fopen(path_in("notes.db"), "w");
    fputs("these are not the droids", f);
    fclose(f);
    result *r = LOLPOP("runs", "list", "--store", "notes.db");
    EXPECT_EXIT(r, 1);
    EXPECT_ERR(r, "notes.db");
}

/* ---- runs made by `lolpop run workflow` ----------------------------------------------------- */

Test(runs, workflow_runs_are_listed_shown_and_resolved)
{
    write_hello_config();
    result *r = LOLPOP("run", "workflow", "HelloRunner", "-c", "hello.yaml");
    EXPECT_EXIT(r, 0);
    r = LOLPOP("run", "workflow", "HelloRunner", "-c", "hello.yaml", "-b", "fail");
    EXPECT_EXIT(r, 1);

    r = LOLPOP("runs", "list");
    EXPECT_EXIT(r, 0);
    EXPECT_OUT(r, "STATUS");
    char *failed = strstr(r->out, "failed"), *ok = strstr(r->out, "succeeded");
    cr_assert(failed && ok && failed < ok, "newest (failed) first:\n%s", r->out);
    EXPECT_OUT(r, "HelloRunner");
    EXPECT_OUT(r, "build_all");

    r = LOLPOP("runs", "list", "--json", "--limit", "1");
    EXPECT_EXIT(r, 0);
    EXPECT_OUT(r, "\"status\": \"failed\"");
    EXPECT_OUT(r, "\"method\": \"fail\"");
    cr_assert_null(strstr(r->out, "succeeded"), "--limit 1:\n%s", r->out);

    r = LOLPOP("runs", "show", "latest");
    EXPECT_EXIT(r, 0);
    EXPECT_OUT(r, "failed");
    EXPECT_OUT(r, "failing on purpose");
    EXPECT_OUT(r, "HelloRunner.fail");
    EXPECT_OUT(r, "Slowest calls");

    r = LOLPOP("runs", "show", "nope");
    EXPECT_EXIT(r, 1);
    EXPECT_ERR(r, "no run 'nope'");
    r = LOLPOP("runs", "show", "2");
    EXPECT_EXIT(r, 1);
    EXPECT_ERR(r, "run id prefix '2' is ambiguous: it matches 2");

    /* A unique prefix: the full id of the older run, minus its last digit. */
    r = LOLPOP("runs", "list", "--json");
    char *idp = strstr(r->out, "\"id\": \"");
    idp = idp ? strstr(idp + 1, "\"id\": \"") : NULL; /* the second (older) run */
    cr_assert_not_null(idp, "%s", r->out);
    char prefix[32];
    snprintf(prefix, sizeof prefix, "%.*s", LP_STORE_RUN_ID_LEN - 1, idp + 7);
    r = LOLPOP("runs", "show", prefix, "--json");
    EXPECT_EXIT(r, 0);
    EXPECT_OUT(r, "\"status\": \"succeeded\"");
    EXPECT_OUT(r, "\"name\": \"world\"");

    r = LOLPOP("runs", "compare", prefix, "latest");
    EXPECT_EXIT(r, 0);
    EXPECT_OUT(r, "succeeded");
    EXPECT_OUT(r, "no model version to compare");
}

/* ---- reports of a store with models ---------------------------------------------------------- */

static lp_value *mk(lp_store *st, const char *type, const char *name, int64_t parent,
                    const char *run)
{
    lp_value *r = NULL;
    cr_assert_eq(lp_store_resource_create(st, type, name, parent, run, &r), 0, "%s",
                 lp_error_last()->message);
    return r;
}

static int64_t id_of(const lp_value *r)
{
    return lp_value_as_int(lp_map_get(r, "id"));
}

static void set_tag(lp_store *st, int64_t res, const char *key, lp_value *v, const char *run)
{
    cr_assert_eq(lp_store_tag_set(st, res, key, v, run), 0, "%s", lp_error_last()->message);
    lp_value_unref(v);
}

/* One training run: a dataset version (hash), a model version with three
 * experiments (the second wins), metrics, a prediction job. Returns the id. */
static char *training_run(lp_store *st, const char *hash, int depth, double f1)
{
    char *run = NULL;
    cr_assert_eq(lp_store_run_begin(st, "ClassificationRunner",
                                    "{\"config\": {\"model_target\": \"survived\"}}", &run),
                 0);
    cr_assert_eq(lp_store_run_method(st, run, "build_all"), 0);
    lp_value *d = mk(st, "dataset", "titanic_train", 0, run);
    lp_value *dv = mk(st, "dataset_version", NULL, id_of(d), run);
    set_tag(st, id_of(dv), "hash", lp_value_string(hash), run);
    set_tag(st, id_of(dv), "rows", lp_value_int(891), run);
    lp_value *m = mk(st, "model", "titanic", 0, run);
    lp_value *mv = mk(st, "model_version", NULL, id_of(m), run);
    cr_assert_eq(lp_store_lineage_add(st, id_of(dv), id_of(mv), "trained", run), 0);
    for (int i = 0; i < 3; i++) {
        lp_value *e = mk(st, "experiment", NULL, id_of(mv), run);
        lp_value *params = lp_value_map();
        lp_map_set(params, "max_depth", lp_value_int(depth + i));
        lp_map_set(params, "eta", lp_value_float(0.3));
        set_tag(st, id_of(e), "params", params, run);
        set_tag(st, id_of(e), "trainer", lp_value_string("XGBoostModelTrainer"), run);
        if (i == 1) {
            lp_value *yes = lp_value_bool(true);
            cr_assert_eq(lp_store_tag_set_exclusive(st, id_of(e), "winner", yes, run), 0);
            lp_value_unref(yes);
        }
        lp_store_metric ms[] = {{"train", "f1", f1 + 0.1}, {"valid", "f1", f1 + 0.01 * i}};
        cr_assert_eq(lp_store_metrics_set(st, id_of(e), ms, 2), 0);
        lp_value_unref(e);
    }
    lp_value *pj = mk(st, "prediction_job", NULL, id_of(mv), run);
    lp_store_metric pm[] = {{"prediction", "rows", 418}};
    cr_assert_eq(lp_store_metrics_set(st, id_of(pj), pm, 1), 0);
    cr_assert_eq(lp_store_run_end(st, run, true, NULL), 0);
    lp_value *all[] = {d, dv, m, mv, pj};
    for (int i = 0; i < 5; i++)
        lp_value_unref(all[i]);
    return run;
}

Test(runs, show_and_compare_training_runs)
{
    lp_store *st = NULL;
    cr_assert_eq(lp_store_open(&st, path_in("meta.db"), LP_STORE_CREATE), 0);
    char *a = training_run(st, "aaaa1111", 3, 0.75);
    usleep(20000);
    char *b = training_run(st, "bbbb2222", 5, 0.78);
    lp_store_close(st);

    result *r = LOLPOP("runs", "show", a, "--store", "meta.db");
    EXPECT_EXIT(r, 0);
    EXPECT_OUT(r, "dataset/titanic_train/v1  891");
    EXPECT_OUT(r, "aaaa1111");
    EXPECT_OUT(r, "Model version model/titanic/v1");
    EXPECT_OUT(r, "trained from dataset/titanic_train/v1");
    EXPECT_OUT(r, "* model/titanic/v1/experiment/2  XGBoostModelTrainer  (winner)");
    EXPECT_OUT(r, "params: max_depth=4, eta=0.3");
    EXPECT_OUT(r, "valid  0.7600");
    EXPECT_OUT(r, "model/titanic/v1/prediction_job/1");
    EXPECT_OUT(r, "model_target=survived");

    r = LOLPOP("runs", "compare", a, b, "--store", "meta.db");
    EXPECT_EXIT(r, 0);
    EXPECT_OUT(r, "model/titanic/v1/experiment/2");
    EXPECT_OUT(r, "model/titanic/v2/experiment/2");
    EXPECT_OUT(r, "valid.f1");
    EXPECT_OUT(r, "+0.0300");
    EXPECT_OUT(r, "Parameters that differ");
    EXPECT_OUT(r, "max_depth  4");
    cr_assert_null(strstr(r->out, "eta "), "equal parameters are left out:\n%s", r->out);
    EXPECT_OUT(r, "differs");

    r = LOLPOP("runs", "compare", a, b, "--store", "meta.db", "--json");
    EXPECT_EXIT(r, 0);
    EXPECT_OUT(r, "\"name\": \"valid.f1\"");
    EXPECT_OUT(r, "\"same\": false");
    free(a);
    free(b);
}

/* Makes this (child) process subject to file permissions when it is root:
 * without CAP_DAC_OVERRIDE in the bounding set, the root that execve makes
 * respects a file's mode like its owner would. Falls back to becoming nobody. */
static int drop_root_powers(void)
{
    if (geteuid() != 0) return 0;
    if (prctl(PR_CAPBSET_DROP, CAP_DAC_OVERRIDE, 0, 0, 0) == 0 &&
        prctl(PR_CAPBSET_DROP, CAP_DAC_READ_SEARCH, 0, 0, 0) == 0 &&
        prctl(PR_CAPBSET_DROP, CAP_FOWNER, 0, 0, 0) == 0)
        return 0;
    return setgid(65534) != 0 || setuid(65534) != 0 ? -1 : 0;
}

/* Runs lolpop as a user who cannot write what dir's modes forbid (root is
 * made to respect them), capturing stdout; the exit code is returned. */
static int run_as_reader(const char *dir, const char *const *args, char *out, size_t cap)
{
    int fds[2];
    cr_assert_eq(pipe(fds), 0);
    pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        if (drop_root_powers() != 0) _exit(126);
        if (chdir(dir) != 0) _exit(125);
        const char *argv[8] = {"lolpop"};
        for (int i = 0; args[i] && i < 6; i++)
            argv[i + 1] = args[i];
        execv(LP_LOLPOP_EXE, (char *const *)(void *)argv);
        _exit(127);
    }
    close(fds[1]);
    size_t len = 0;
    ssize_t n;
    while (len + 1 < cap && (n = read(fds[0], out + len, cap - 1 - len)) > 0)
        len += (size_t)n;
    out[len] = '\0';
    close(fds[0]);
    int st = 0;
    waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

/* A store in a directory the reader cannot write (another user's, a read-only
 * copy): SQLite cannot make its WAL index there, and `runs list` failed with
 * "attempt to write a readonly database". Reading never needs to write. */
Test(runs, a_read_only_store_is_listed_and_shown)
{
    lp_store *st = NULL;
    cr_assert_eq(lp_store_open(&st, path_in("ro/meta.db"), LP_STORE_CREATE), 0);
    char *a = training_run(st, "cccc3333", 4, 0.8);
    lp_store_close(st);
    cr_assert_eq(chmod(tmpdir, 0755), 0);
    cr_assert_eq(chmod(path_in("ro/meta.db"), 0444), 0);
    cr_assert_eq(chmod(path_in("ro"), 0555), 0);
    char out[8192];
    const char *list[] = {"runs", "list", "--store", "ro/meta.db", NULL};
    cr_assert_eq(run_as_reader(tmpdir, list, out, sizeof out), 0, "%s", out);
    cr_assert(strstr(out, a), "%s", out);
    const char *show[] = {"runs", "show", a, "--store", "ro/meta.db", NULL};
    cr_assert_eq(run_as_reader(tmpdir, show, out, sizeof out), 0, "%s", out);
    cr_assert(strstr(out, "Model version model/titanic/v1"), "%s", out);
    cr_assert_eq(chmod(path_in("ro"), 0755), 0); /* so that teardown can remove it */
    free(a);
}

/* A run that fails in fit leaves its model version without metrics; `models
 * list` and `models show` say that its run failed rather than a bare "-". */
Test(runs, a_version_whose_run_failed_says_so)
{
    write_text("wine.csv", "alcohol,colour,kind\n13.5,red,a\n12.1,white,b\n13.9,red,a\n"
                           "12.4,white,b\n13.2,red,a\n12.0,white,b\n14.1,red,a\n12.3,white,b\n"
                           "13.7,red,a\n12.2,white,b\n");
    write_text("wine.yaml",
               "pipeline: {process: OfflineProcess, train: OfflineTrain,\n"
               "           deploy: OfflineDeploy, predict: OfflinePredict}\n"
               "component: {metadata_tracker: LocalMetadataTracker,\n"
               "            metrics_tracker: LocalMetricsTracker,\n"
               "            resource_version_control: LocalResourceVersionControl}\n"
               "config: {train_data: wine.csv, eval_data: wine.csv, prediction_data: p.csv,\n"
               "         model_name: wine, model_target: kind}\n"
               "train:\n  component: {data_splitter: LocalDataSplitter,\n"
               "              model_trainer: LinearModelTrainer}\n");
    result *r = LOLPOP("run", "workflow", "ClassificationRunner", "-c", "wine.yaml");
    EXPECT_EXIT(r, 1);
    EXPECT_ERR(r, "liblinear needs numbers");
    r = LOLPOP("models", "list");
    EXPECT_EXIT(r, 0);
    EXPECT_OUT(r, "v1");
    EXPECT_OUT(r, "- (run failed)");
    r = LOLPOP("models", "show", "wine/v1");
    EXPECT_EXIT(r, 0);
    EXPECT_OUT(r, "validation  - (run failed)");
    r = LOLPOP("models", "list", "--json");
    EXPECT_OUT(r, "\"run_status\": \"failed\"");
}
