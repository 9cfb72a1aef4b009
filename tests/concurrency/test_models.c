/*
 * test_models.c — `lolpop models` on a store three real workflows filled:
 * v1 deployed, v2 and v3 worse (not deployed, the eval data scored with v1:
 * issue 11 fix 7). list / show in tables and --json (stdout is pure JSON, the
 * logs go to stderr); approve, promote, rollback change the store and the
 * bundle's `current` together (story.h) and record who / when / what; every
 * refusal exits 2 with one message and records nothing.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "story.h"

#define MODEL       "titanic_survival"
#define XGB         "train.hyperparameter_tuner.config.training_params.XGBoostModelTrainer."
#define DEADLINE_MS 300000L

static char dir_buf[64];
static const char *dir;

static lp_run lolpop(const char *const *args)
{
    return lp_run_exe(LP_LOLPOP_EXE, dir, NULL, args, DEADLINE_MS);
}

/* One workflow of one trial with `rounds` boosting rounds; its stdout kept. */
static char *workflow(const char *rounds)
{
    char set[128];
    snprintf(set, sizeof set, XGB "num_boost_round=%s", rounds);
    lp_run r = lolpop((const char *const[]){"run", "workflow", "ClassificationRunner", "-c",
                                            "titanic.yaml", "--set", XGB "max_depth=3", "--set",
                                            XGB "eta=0.3", "--set", set, NULL});
    LP_EXPECT_EXIT(r, 0);
    char *out = strdup(r.out);
    lp_run_free(&r);
    return out;
}

static void setup(void)
{
    dir = lp_example_tmpdir(dir_buf, sizeof dir_buf, "models", LP_TITANIC_EXAMPLE);
    free(workflow("7"));          /* f1 0.818: v1, deployed */
    char *second = workflow("2"); /* f1 0.796: v2, worse */
    cr_assert(strstr(second, "deployed    no: not better than the deployed version"), "%s", second);
    cr_assert(strstr(second, "(scored with the deployed version 1)"), "%s", second);
    free(second);
    free(workflow("30")); /* f1 0.804: v3, worse than v1 */
}

static void teardown(void)
{
    lp_tmpdir_remove(dir);
}

TestSuite(models, .init = setup, .fini = teardown, .timeout = 600);

static long long sql_int(const char *sql)
{
    char path[256];
    snprintf(path, sizeof path, "%s/.lolpop/lolpop.db", dir);
    sqlite3 *db = NULL;
    cr_assert_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK, "%s", sqlite3_errmsg(db));
    long long v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

static char *current(void)
{
    static char link[64];
    char path[256];
    snprintf(path, sizeof path, "%s/.lolpop/deployments/" MODEL "/current", dir);
    ssize_t n = readlink(path, link, sizeof link - 1);
    link[n > 0 ? n : 0] = 0;
    return link;
}

/* stdout parsed as JSON (the test fails when it is not). */
static json_t *json_of(const lp_run *r)
{
    json_error_t e;
    json_t *j = json_loads(r->out, 0, &e);
    cr_assert_not_null(j, "stdout is not JSON (%s):\n%s\n--- stderr:\n%s", e.text, r->out, r->err);
    return j;
}

Test(models, list_and_show_tell_what_is_deployed)
{
    /* the eval data of every run was scored by v1: no prediction job under v2 or v3 */
    cr_assert_eq(sql_int("SELECT count(*) FROM resources p JOIN resources v ON v.id = p.parent "
                         "WHERE p.type = 'prediction_job' AND v.version = 1"),
                 3);
    cr_assert_eq(sql_int("SELECT count(*) FROM resources p JOIN resources v ON v.id = p.parent "
                         "WHERE p.type = 'prediction_job' AND v.version > 1"),
                 0);

    lp_run r = lolpop((const char *const[]){"models", "list", NULL});
    LP_EXPECT_EXIT(r, 0);
    LP_EXPECT_OUT(r, "MODEL             VERSION  ALIASES");
    LP_EXPECT_OUT(r, MODEL "  v1       production, staging  f1 0.8182   yes       *");
    LP_EXPECT_OUT(r, "v2       -                    f1 0.7963   no");
    lp_run_free(&r);

    r = lolpop((const char *const[]){"models", "list", "--json", NULL});
    LP_EXPECT_EXIT(r, 0);
    json_t *j = json_of(&r);
    json_t *m = json_array_get(json_object_get(j, "models"), 0);
    cr_assert_str_eq(json_string_value(json_object_get(m, "name")), MODEL);
    cr_assert_eq(json_integer_value(json_object_get(m, "deployed_version")), 1);
    cr_assert_eq(json_integer_value(json_object_get(json_object_get(m, "aliases"), "production")),
                 1);
    json_t *versions = json_object_get(m, "versions");
    cr_assert_eq(json_array_size(versions), 3);
    cr_assert(json_is_true(json_object_get(json_array_get(versions, 0), "deployed")));
    cr_assert(json_is_false(json_object_get(json_array_get(versions, 1), "approved")));
    json_decref(j);
    lp_run_free(&r);

    r = lolpop((const char *const[]){"models", "show", MODEL "/v3", "--json", NULL});
    LP_EXPECT_EXIT(r, 0);
    j = json_of(&r);
    cr_assert_eq(json_integer_value(json_object_get(j, "version")), 3);
    json_t *exp = json_array_get(json_object_get(j, "experiments"), 0);
    cr_assert(json_is_true(json_object_get(exp, "winner")));
    cr_assert_eq(
        json_integer_value(json_object_get(json_object_get(exp, "params"), "num_boost_round")), 30);
    cr_assert(json_real_value(json_object_get(
                  json_object_get(json_object_get(exp, "metrics"), "valid"), "f1")) > 0.7);
    json_t *lin = json_array_get(json_object_get(j, "lineage"), 0);
    cr_assert_str_eq(json_string_value(json_object_get(lin, "from_uri")),
                     "dataset/" MODEL "_train/v3");
    json_decref(j);
    lp_run_free(&r);

    r = lolpop((const char *const[]){"models", "show", MODEL, NULL});
    LP_EXPECT_EXIT(r, 0);
    LP_EXPECT_OUT(r, "deployments:\n");
    LP_EXPECT_OUT(r, "deploy   v1 (was none) by ");
    lp_run_free(&r);
}

/* Runs argv, expecting exit 2 and `message` on stderr, and nothing recorded. */
static void refused(const char *const *args, const char *message)
{
    long long runs = sql_int("SELECT count(*) FROM runs");
    lp_run r = lolpop(args);
    LP_EXPECT_EXIT(r, 2);
    LP_EXPECT_ERR(r, message);
    cr_assert_eq(strlen(r.out), 0, "nothing on stdout: %s", r.out);
    lp_run_free(&r);
    cr_assert_eq(sql_int("SELECT count(*) FROM runs"), runs, "a refusal recorded a run");
}

Test(models, every_refusal_is_one_clear_message_and_exit_2)
{
    refused((const char *const[]){"models", "show", "nosuch", NULL},
            "lolpop: error: no model 'nosuch' in the metadata store");
    refused((const char *const[]){"models", "show", MODEL "x", NULL},
            "lolpop.db' (did you mean '" MODEL "'?)");
    refused((const char *const[]){"models", "promote", MODEL "/v9", NULL},
            "model '" MODEL "' has no version v9 (it has v1, v2, v3)");
    refused((const char *const[]){"models", "approve", MODEL "/x", NULL},
            "'x' is not a version (vN, e.g. v3)");
    refused((const char *const[]){"models", "promote", MODEL, NULL}, "names no version");
    refused((const char *const[]){"models", "promote", MODEL "/v2", NULL},
            MODEL "/v2 is not approved: approve it first (lolpop models approve " MODEL
                  "/v2) or pass --force");
    refused((const char *const[]){"models", "rollback", MODEL, NULL},
            "model '" MODEL "' has no previous production version to roll back to");
    refused((const char *const[]){"models", "promote", MODEL "/v1", "--alias", "staging", NULL},
            "only production can be promoted here");
    refused((const char *const[]){"models", "lst", NULL},
            "unknown subcommand 'models lst'; did you mean 'list'?");
    refused((const char *const[]){"models", "list", "--store", "nowhere/x.db", NULL},
            "no metadata store at 'nowhere/x.db'");
    cr_assert_str_eq(current(), "v1");
    lp_story_check(dir, MODEL);
}

Test(models, approve_promote_rollback_move_production_and_current_together)
{
    lp_run r = lolpop((const char *const[]){"models", "approve", MODEL "/v2", NULL});
    LP_EXPECT_EXIT(r, 0);
    LP_EXPECT_OUT(r, "approved " MODEL "/v2 (by ");
    lp_run_free(&r);
    cr_assert_eq(sql_int("SELECT count(*) FROM tags t JOIN resources v ON v.id = t.resource "
                         "WHERE v.type = 'model_version' AND v.version = 2 AND "
                         "t.key IN ('approved', 'approved_by', 'approved_at')"),
                 3);
    cr_assert_str_eq(current(), "v1", "approval moves nothing");
    lp_story_check(dir, MODEL);

    /* what a crashed deploy leaves: a temp bundle and a temp link of a dead
     * process (removed by the next deploy), and one of a live process (kept) */
    char cmd[1024], alive[128];
    snprintf(alive, sizeof alive, ".tmp-v8-%ld-00000001", (long)getpid());
    snprintf(cmd, sizeof cmd,
             "cd '%s/.lolpop/deployments/" MODEL "' && mkdir .tmp-v9-2147483646-deadbeef %s && "
             "touch .tmp-v9-2147483646-deadbeef/model.lpm && "
             "ln -s v1 .tmp-current-2147483646-0badf00d",
             dir, alive);
    cr_assert_eq(system(cmd), 0, "%s", cmd);

    r = lolpop((const char *const[]){"models", "promote", MODEL "/v2", "--json", NULL});
    LP_EXPECT_EXIT(r, 0);
    json_t *j = json_of(&r);
    cr_assert_eq(json_integer_value(json_object_get(j, "version")), 2);
    cr_assert_eq(json_integer_value(json_object_get(j, "previous")), 1);
    cr_assert_str_eq(json_string_value(json_object_get(j, "action")), "promote");
    json_decref(j);
    lp_run_free(&r);
    cr_assert_str_eq(current(), "v2");
    snprintf(cmd, sizeof cmd,
             "cd '%s/.lolpop/deployments/" MODEL "' && test ! -e .tmp-v9-2147483646-deadbeef && "
             "test ! -L .tmp-current-2147483646-0badf00d && test -d %s && rmdir %s",
             dir, alive, alive);
    cr_assert_eq(system(cmd), 0, "stale temps of dead processes removed, a live one kept");
    lp_story s = lp_story_check(dir, MODEL);
    cr_assert_eq(s.deployed_version, 2);
    cr_assert_eq(sql_int("SELECT count(*) FROM tags WHERE key = 'action' AND value = "
                         "'\"promote\"'"),
                 1);
    cr_assert_eq(sql_int("SELECT count(*) FROM tags WHERE key = 'who' AND value LIKE '\"%@%'"), 2,
                 "both deployments say who");

    r = lolpop((const char *const[]){"models", "rollback", MODEL, NULL});
    LP_EXPECT_EXIT(r, 0);
    LP_EXPECT_OUT(r, MODEL ": production -> v1 (was v2); bundle ");
    lp_run_free(&r);
    cr_assert_str_eq(current(), "v1");
    s = lp_story_check(dir, MODEL);
    cr_assert_eq(s.deployed_version, 1);
    cr_assert_eq(s.deployments, 3);
    refused((const char *const[]){"models", "rollback", MODEL, NULL},
            "has no previous production version to roll back to");

    /* --force approves (recorded) and promotes */
    r = lolpop((const char *const[]){"models", "promote", MODEL "/v3", "--force", NULL});
    LP_EXPECT_EXIT(r, 0);
    lp_run_free(&r);
    cr_assert_str_eq(current(), "v3");
    s = lp_story_check(dir, MODEL);
    cr_assert_eq(s.deployed_version, 3);

    /* the next workflow compares with v3, the version now deployed */
    r = lolpop((const char *const[]){"run", "workflow", "ClassificationRunner", "-c",
                                     "titanic.yaml", "--set", XGB "max_depth=3", "--set",
                                     XGB "eta=0.3", "--set", XGB "num_boost_round=2", NULL});
    LP_EXPECT_EXIT(r, 0);
    /* a log line: stdout or stderr, wherever the logger writes */
    cr_assert(strstr(r.out, "vs deployed version 3") || strstr(r.err, "vs deployed version 3"),
              "%s\n%s", r.out, r.err);
    LP_EXPECT_OUT(r, "(scored with the deployed version 3)");
    lp_run_free(&r);
    lp_story_check(dir, MODEL);
    lp_story_check_runs_ended(dir);
}

/* A version the workflow did not deploy (v3, worse) has its bundle parts
 * recorded by the workflow's model_deployer (prepare_bundle), so promoting it
 * from the command line gives a bundle that scores raw rows as a deployed
 * one does: the SQL step is in it and predictions keep the model_index. */
Test(models, a_promoted_version_scores_raw_rows_like_a_deployed_one)
{
    lp_run r = lolpop((const char *const[]){"models", "promote", MODEL "/v3", "--force", NULL});
    LP_EXPECT_EXIT(r, 0);
    cr_assert_null(strstr(r.err, "has no recorded input schema"), "%s", r.err);
    lp_run_free(&r);
    char path[256];
    snprintf(path, sizeof path, "%s/.lolpop/deployments/" MODEL "/v3/transform.json", dir);
    cr_assert_eq(access(path, R_OK), 0, "the bundle has the SQL step: %s", path);

    r = lolpop(
        (const char *const[]){"predict", MODEL, "data/eval.csv", "-o", "-", "--no-track", NULL});
    LP_EXPECT_EXIT(r, 0);
    cr_assert_eq(strncmp(r.out, "passenger_id,prediction,probability_0,probability_1\n", 52), 0,
                 "%.200s", r.out);
    size_t lines = 0;
    for (const char *p = r.out; *p; p++)
        lines += *p == '\n';
    cr_assert_eq(lines, 1 + 178, "a header and one line per eval row");
    lp_run_free(&r);
}
