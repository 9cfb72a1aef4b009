/*
 * test_plugin_examples.c — the example plugins of examples/plugins/ (one per
 * kind: component, pipeline, runner, CLI command, test hooks) run by the real `lolpop`
 * on a copy of the titanic quickstart, as their READMEs tell users to.
 *
 * Each example's YAML is used as shipped, except plugin_paths (it names the
 * build directory `build`): the tests empty it and give the plugin through
 * LOLPOP_PLUGIN_PATH. Numbers are checked against the data file itself: the
 * tests read data/train.csv with their own small reader.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "harness.h"
#include "lolpop/frame.h"
#include "lolpop/frame_io.h"
#include "lolpop/objstore.h"

#define DEADLINE_MS 300000L
#define EXAMPLES    LP_SOURCE_ROOT "/examples/plugins"

static char dir_buf[64];
static const char *dir;

static void setup(void)
{
    dir = lp_example_tmpdir(dir_buf, sizeof dir_buf, "px", LP_TITANIC_EXAMPLE);
}

static void teardown(void)
{
    lp_tmpdir_remove(dir);
}

TestSuite(plugin_examples, .init = setup, .fini = teardown, .timeout = 600);

/* Runs lolpop in the test directory with `plugin` (a .so path) as
 * LOLPOP_PLUGIN_PATH; args end with NULL. */
static lp_run run_with(const char *plugin, const char *const *args)
{
    char env[1024];
    snprintf(env, sizeof env, "LOLPOP_PLUGIN_PATH=%s", plugin);
    return lp_run_exe(LP_LOLPOP_EXE, dir, (const char *const[]){env, NULL}, args, DEADLINE_MS);
}

/* ---- the raw data, read by the test itself ---------------------------------------- */

/* Column `name` of data/train.csv (no quoted fields in that file) as numbers;
 * empty fields are NaN. Returns the row count; *out is malloc'ed. */
static size_t raw_column(const char *name, double **out)
{
    char path[512];
    snprintf(path, sizeof path, "%s/data/train.csv", dir);
    char *text = lp_read_file(path);
    cr_assert_not_null(text);
    char *save = NULL, *line = strtok_r(text, "\n", &save);
    int want = -1, k = 0;
    for (char *p = line; p; k++) {
        char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (len == strlen(name) && strncmp(p, name, len) == 0) want = k;
        p = comma ? comma + 1 : NULL;
    }
    cr_assert_geq(want, 0, "no column %s in train.csv", name);
    size_t n = 0, cap = 1024;
    double *v = malloc(cap * sizeof *v);
    while ((line = strtok_r(NULL, "\n", &save)) != NULL) {
        char *p = line;
        for (int j = 0; j < want && p; j++) {
            p = strchr(p, ',');
            if (p) p++;
        }
        cr_assert_not_null(p, "short row %zu", n + 1);
        if (n == cap) v = realloc(v, (cap *= 2) * sizeof *v);
        v[n++] = (*p == ',' || *p == '\0' || *p == '\r') ? NAN : strtod(p, NULL);
    }
    free(text);
    *out = v;
    return n;
}

/* ---- the store -------------------------------------------------------------------- */

static sqlite3 *open_store(void)
{
    char path[512];
    snprintf(path, sizeof path, "%s/.lolpop/lolpop.db", dir);
    sqlite3 *db = NULL;
    cr_assert_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK,
                 "cannot open the store %s", path);
    return db;
}

/* The text a query returns (malloc'ed), failing the test when there is no row. */
static char *query_text(const char *sql)
{
    sqlite3 *db = open_store();
    sqlite3_stmt *st = NULL;
    cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK, "%s: %s", sql,
                 sqlite3_errmsg(db));
    cr_assert_eq(sqlite3_step(st), SQLITE_ROW, "no row for: %s", sql);
    char *s = strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(db);
    return s;
}

/* Tag `key` of the resource with `uri`, as its JSON text (malloc'ed). */
static char *tag_of(const char *uri, const char *key)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT t.value FROM tags t JOIN resources r ON r.id = t.resource "
             "WHERE r.uri = '%s' AND t.key = '%s'",
             uri, key);
    return query_text(sql);
}

/* The frame stored for dataset version `uri` (vc_info → object store). */
static lp_frame *stored_frame(const char *uri)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT v.info FROM vc_info v JOIN resources r ON r.id = v.resource "
             "WHERE r.uri = '%s' AND v.key = 'data'",
             uri);
    char *info = query_text(sql);
    json_t *j = json_loads(info, 0, NULL);
    cr_assert_not_null(j, "vc_info is not JSON: %s", info);
    const char *hash = json_string_value(json_object_get(j, "hash"));
    cr_assert_not_null(hash, "vc_info without a hash: %s", info);
    char store_dir[512];
    snprintf(store_dir, sizeof store_dir, "%s/.lolpop", dir);
    lp_objstore *os = NULL;
    cr_assert_eq(lp_objstore_open(&os, store_dir), 0);
    uint8_t *bytes = NULL;
    size_t len = 0;
    cr_assert_eq(lp_objstore_get(os, hash, &bytes, &len), 0, "object %s", hash);
    lp_frame *f = NULL;
    cr_assert_eq(lp_frame_deserialize(&f, bytes, len), 0);
    free(bytes);
    lp_objstore_close(os);
    json_decref(j);
    free(info);
    return f;
}

/* `lolpop run workflow RUNNER -c yaml` with only `plugin` loaded, the example's
 * own --set `fixed` (may be NULL), and optionally -b METHOD and one more --set. */
static lp_run run_example(const char *plugin, const char *runner, const char *yaml,
                          const char *fixed, const char *method, const char *set)
{
    const char *args[16] = {"run", "workflow", runner, "-c", yaml, "--set", "plugin_paths=[]"};
    size_t n = 7;
    /* the example's paths are relative to it (the quickstart's data, issue 11 Fix 2); its
     * predictions go to this test's directory, not into the source tree */
    if (strcmp(runner, "ClassificationRunner") == 0) {
        args[n++] = "--set";
        args[n++] = "config.prediction_data=predictions.csv";
    }
    if (fixed) {
        args[n++] = "--set";
        args[n++] = fixed;
    }
    if (method) {
        args[n++] = "-b";
        args[n++] = method;
    }
    if (set) {
        args[n++] = "--set";
        args[n++] = set;
    }
    args[n] = NULL;
    return run_with(plugin, args);
}

/* ---- component: TitanicFeatures in the built-in ClassificationRunner ---------------------- */

static lp_run run_features(const char *method, const char *set)
{
    return run_example(LP_TITANIC_FEATURES_PLUGIN, "ClassificationRunner",
                       EXAMPLES "/titanic_features/titanic_features.yaml", NULL, method, set);
}

Test(plugin_examples, component_adds_its_columns_and_the_workflow_still_succeeds)
{
    lp_run r = run_features(NULL, NULL);
    LP_EXPECT_EXIT(r, 0);
    LP_EXPECT_ERR(r, "[TitanicFeatures process.data_transformer] added family_size and "
                     "is_alone to 713 rows");
    LP_EXPECT_ERR(r, "added family_size and is_alone to 178 rows"); /* the eval data */
    LP_EXPECT_OUT(r, "titanic_survival version 1");
    LP_EXPECT_OUT(r, "predictions 178 rows -> predictions.csv");
    lp_run_free(&r);

    char *schema = tag_of("dataset/titanic_survival_train/v1", "schema");
    cr_assert(strstr(schema, "{\"name\":\"family_size\",\"dtype\":\"int64\"}"), "%s", schema);
    cr_assert(strstr(schema, "{\"name\":\"is_alone\",\"dtype\":\"bool\"}"), "%s", schema);
    free(schema);
    char *cols = tag_of("dataset/titanic_survival_train/v1", "columns");
    cr_assert_str_eq(cols, "18", "16 columns of train.csv + 2");
    free(cols);

    /* The tracked frame, row by row, against the raw file. */
    lp_frame *f = stored_frame("dataset/titanic_survival_train/v1");
    double *sibsp, *parch;
    size_t n = raw_column("sibsp", &sibsp);
    cr_assert_eq(raw_column("parch", &parch), n);
    cr_assert_eq(lp_frame_rows(f), n);
    lp_column *size = lp_frame_col_by_name(f, "family_size");
    lp_column *is_alone = lp_frame_col_by_name(f, "is_alone");
    cr_assert(size && is_alone);
    cr_assert_eq(size->type, LP_DT_INT64);
    cr_assert_eq(is_alone->type, LP_DT_BOOL);
    size_t alone_count = 0;
    for (size_t i = 0; i < n; i++) {
        cr_assert_eq(size->data.i64[i], (int64_t)(sibsp[i] + parch[i] + 1), "row %zu", i);
        cr_assert_eq(is_alone->data.b8[i], sibsp[i] + parch[i] == 0, "row %zu", i);
        alone_count += is_alone->data.b8[i];
    }
    /* The titanic data's own `alone` column (True/False, the last one) agrees. */
    char path[512];
    snprintf(path, sizeof path, "%s/data/train.csv", dir);
    char *raw = lp_read_file(path);
    size_t raw_alone = 0;
    for (const char *p = raw; (p = strstr(p, ",True")) != NULL; p++)
        raw_alone += p[5] == '\r' || p[5] == '\n'; /* the file has CRLF line ends */
    cr_assert_eq(alone_count, raw_alone, "is_alone %zu rows, the data's alone column %zu",
                 alone_count, raw_alone);
    cr_assert_gt(alone_count, 300);
    free(raw);
    free(sibsp);
    free(parch);
    lp_frame_unref(f);
}

Test(plugin_examples, component_config_keys_change_what_it_does)
{
    lp_run r =
        run_features("process_data", "process.data_transformer.config.drop_family_columns=true");
    LP_EXPECT_EXIT(r, 0);
    lp_run_free(&r);
    char *schema = tag_of("dataset/titanic_survival_train/v1", "schema");
    cr_assert(strstr(schema, "\"family_size\""), "%s", schema);
    cr_assert_null(strstr(schema, "\"sibsp\""), "%s", schema);
    cr_assert_null(strstr(schema, "\"parch\""), "%s", schema);
    free(schema);
    char *cols = tag_of("dataset/titanic_survival_train/v1", "columns");
    cr_assert_str_eq(cols, "16");
    free(cols);

    /* family_size = 1 + pclass: a different key, a different column. */
    r = run_features("process_data", "process.data_transformer.config.family_columns=[pclass]");
    LP_EXPECT_EXIT(r, 0);
    lp_run_free(&r);
    lp_frame *f = stored_frame("dataset/titanic_survival_train/v2");
    lp_column *size = lp_frame_col_by_name(f, "family_size");
    lp_column *pclass = lp_frame_col_by_name(f, "pclass");
    cr_assert(size && pclass);
    for (size_t i = 0; i < lp_frame_rows(f); i++)
        cr_assert_eq(size->data.i64[i], pclass->data.i64[i] + 1, "row %zu", i);
    lp_frame_unref(f);
}

Test(plugin_examples, component_bad_config_is_reported)
{
    /* A wrong type: caught by validation from the class's config_keys (exit 2). */
    lp_run r = run_features(NULL, "process.data_transformer.config.family_columns=3");
    LP_EXPECT_EXIT(r, 2);
    LP_EXPECT_ERR(r, "config 'family_columns' must be a list, got int");
    lp_run_free(&r);
    /* A column the data lacks: the method's error, with the call chain. A
     * configuration problem found when the data arrives: exit 2 too. */
    r = run_features("process_data",
                     "process.data_transformer.config.family_columns=[sibsp, nope]");
    LP_EXPECT_EXIT(r, 2);
    LP_EXPECT_ERR(r, "ClassificationRunner.process_data → OfflineProcess.transform_data → "
                     "TitanicFeatures.transform: TitanicFeatures (process.data_transformer): "
                     "family_columns names 'nope', which is not a column of the data");
    lp_run_free(&r);
}

/* ---- pipeline: DedupProcess in the built-in ClassificationRunner --------------------------- */

/* data/train_dup.csv: train.csv, then its last `extra` rows again. */
static void write_duplicates(int extra)
{
    char path[512];
    snprintf(path, sizeof path, "%s/data/train.csv", dir);
    char *text = lp_read_file(path);
    cr_assert_not_null(text);
    size_t len = strlen(text);
    const char *tail = text + len;
    for (int seen = 0; tail > text && seen <= extra; tail--)
        seen += tail[-1] == '\n';
    tail++; /* the start of the first repeated row */
    char *dup = malloc(len + (size_t)(text + len - tail) + 1);
    memcpy(dup, text, len);
    memcpy(dup + len, tail, (size_t)(text + len - tail));
    dup[len + (size_t)(text + len - tail)] = '\0';
    lp_write_file(dir, "data/train_dup.csv", dup);
    free(dup);
    free(text);
}

static lp_run run_dedup(const char *method, const char *set)
{
    return run_example(LP_DEDUP_PROCESS_PLUGIN, "ClassificationRunner",
                       EXAMPLES "/dedup_process/dedup_process.yaml",
                       "config.train_data=data/train_dup.csv", method, set);
}

Test(plugin_examples, pipeline_drops_duplicates_and_tracks_what_offline_process_tracks)
{
    write_duplicates(40);
    lp_run r = run_dedup(NULL, NULL);
    LP_EXPECT_EXIT(r, 0);
    LP_EXPECT_ERR(r, "[DedupProcess process] transform_data: dropped 40 duplicate rows of 753");
    LP_EXPECT_ERR(r, "dataset titanic_survival_train version 1: 713 rows x 20 columns");
    LP_EXPECT_ERR(r, "transform_data: dropped 0 duplicate rows of 178"); /* the eval data */
    LP_EXPECT_OUT(r, "predictions 178 rows -> predictions.csv");
    lp_run_free(&r);

    /* The built-in OfflineProcess on the file without duplicates, same store. */
    r = lp_run_exe(LP_LOLPOP_EXE, dir, NULL,
                   (const char *const[]){"run", "workflow", "ClassificationRunner", "-c",
                                         "titanic.yaml", "-b", "process_data", NULL},
                   DEADLINE_MS);
    LP_EXPECT_EXIT(r, 0);
    lp_run_free(&r);
    char *dedup_hash = tag_of("dataset/titanic_survival_train/v1", "hash");
    char *plain_hash = tag_of("dataset/titanic_survival_train/v2", "hash");
    cr_assert_str_eq(dedup_hash, plain_hash, "deduplicated data differs from the original");
    free(dedup_hash);
    free(plain_hash);
    char *rows = tag_of("dataset/titanic_survival_train/v1", "rows");
    cr_assert_str_eq(rows, "713");
    free(rows);
    /* The content is stored and registered as OfflineProcess does it. */
    lp_frame *f = stored_frame("dataset/titanic_survival_train/v1");
    cr_assert_eq(lp_frame_rows(f), 713);
    lp_frame_unref(f);
}

Test(plugin_examples, pipeline_duplicate_columns_decide_what_a_duplicate_is)
{
    write_duplicates(0);
    /* Rows equal on (sex, pclass): one per combination survives, in order. */
    lp_run r = run_dedup("process_data", "process.config.duplicate_columns=[sex, pclass]");
    LP_EXPECT_EXIT(r, 0);
    LP_EXPECT_ERR(r, "dropped 707 duplicate rows of 713");
    lp_run_free(&r);
    lp_frame *f = stored_frame("dataset/titanic_survival_train/v1");
    cr_assert_eq(lp_frame_rows(f), 6, "2 sexes x 3 classes");
    lp_column *id = lp_frame_col_by_name(f, "passenger_id");
    cr_assert_eq(id->data.i64[0], 1, "the first row is kept");
    lp_frame_unref(f);

    r = run_dedup("process_data", "process.config.duplicate_columns=[sex, nope]");
    LP_EXPECT_EXIT(r, 2); /* a configuration error, found when the data arrives */
    LP_EXPECT_ERR(r, "DedupProcess (process): duplicate_columns: no column 'nope'");
    lp_run_free(&r);
}

/* ---- runner: ProfileTrainRunner ---------------------------------------------------------------
 */

static lp_run run_profile_train(const char *method, const char *set)
{
    return run_example(LP_PROFILE_TRAIN_PLUGIN, "ProfileTrainRunner",
                       EXAMPLES "/profile_train/profile_train.yaml", NULL, method, set);
}

/* The method's result printed by `run workflow`: the last line of stdout (the
 * log lines of StdOutLogger come before it). */
static json_t *result_json(const lp_run *r)
{
    json_error_t e;
    size_t len = strlen(r->out);
    while (len && r->out[len - 1] == '\n')
        len--;
    const char *last = r->out + len;
    while (last > r->out && last[-1] != '\n')
        last--;
    json_t *j = json_loadb(last, (size_t)(r->out + len - last), 0, &e);
    cr_assert_not_null(j, "stdout is not JSON (%s): %s", e.text, r->out);
    return j;
}

static double number_at(json_t *j, const char *a, const char *b, const char *c)
{
    json_t *v = json_object_get(j, a);
    if (b) v = json_object_get(v, b);
    if (c) v = json_object_get(v, c);
    cr_assert(json_is_number(v), "%s.%s.%s is not a number", a, b ? b : "", c ? c : "");
    return json_number_value(v);
}

Test(plugin_examples, runner_profiles_then_trains)
{
    lp_run r = run_profile_train(NULL, "config.model_path=model.bin");
    LP_EXPECT_EXIT(r, 0);
    LP_EXPECT_ERR(r, "[ProfileTrainRunner] profile_data: 713 rows x 16 columns pass the checks");
    LP_EXPECT_ERR(r, "[ProfileTrainRunner] model saved to model.bin");
    json_t *j = result_json(&r);
    cr_assert_eq(number_at(j, "rows", NULL, NULL), 713);
    double acc = number_at(j, "metrics", "valid", "accuracy");
    double auc = number_at(j, "metrics", "valid", "rocauc");
    cr_assert_geq(acc, 0.75, "validation accuracy %.4f", acc);
    cr_assert_geq(auc, 0.80, "validation rocauc %.4f", auc);
    cr_assert_leq(auc, 1.0);
    cr_assert_geq(number_at(j, "metrics", "train", "accuracy"), acc - 0.05,
                  "training accuracy far below validation");
    number_at(j, "metrics", "valid", "f1");
    json_decref(j);
    lp_run_free(&r);
    char path[512];
    struct stat st;
    snprintf(path, sizeof path, "%s/model.bin", dir);
    cr_assert_eq(stat(path, &st), 0, "model_path was not written");
    cr_assert_gt(st.st_size, 1000);
    /* The run is recorded like any workflow's. */
    r = lp_run_exe(LP_LOLPOP_EXE, dir, NULL, (const char *const[]){"runs", "list", NULL},
                   DEADLINE_MS);
    LP_EXPECT_EXIT(r, 0);
    LP_EXPECT_OUT(r, "ProfileTrainRunner");
    LP_EXPECT_OUT(r, "succeeded");
    lp_run_free(&r);
}

Test(plugin_examples, runner_profile_matches_the_data)
{
    lp_run r = run_profile_train("profile_data", NULL);
    LP_EXPECT_EXIT(r, 0);
    json_t *j = result_json(&r);
    double *survived, *age;
    size_t n = raw_column("survived", &survived);
    cr_assert_eq(raw_column("age", &age), n);
    double mean = 0;
    size_t age_missing = 0;
    for (size_t i = 0; i < n; i++) {
        mean += survived[i] / (double)n;
        age_missing += isnan(age[i]);
    }
    cr_assert_eq(number_at(j, "rows", NULL, NULL), (double)n);
    cr_assert_eq(number_at(j, "columns", NULL, NULL), 16);
    cr_assert_float_eq(number_at(j, "profile", "survived", "mean"), mean, 1e-12);
    cr_assert_eq(number_at(j, "profile", "survived", "distinct"), 2);
    cr_assert_eq(number_at(j, "profile", "age", "missing"), (double)age_missing);
    cr_assert_gt(age_missing, 100);
    cr_assert_str_eq(json_string_value(json_object_get(
                         json_object_get(json_object_get(j, "profile"), "sex"), "dtype")),
                     "string");
    json_decref(j);
    free(survived);
    free(age);
    lp_run_free(&r);
}

Test(plugin_examples, runner_refuses_data_that_fails_its_checks)
{
    lp_run r = run_profile_train(NULL, "config.min_rows=1000");
    LP_EXPECT_EXIT(r, 1);
    LP_EXPECT_ERR(r, "ProfileTrainRunner.build_all → ProfileTrainRunner.profile_data: 713 rows, "
                     "fewer than min_rows (1000): not training");
    lp_run_free(&r);
    r = run_profile_train(NULL, "config.model_target=alone_at_sea");
    LP_EXPECT_EXIT(r, 1);
    LP_EXPECT_ERR(r, "model_target 'alone_at_sea' is not a column of the data");
    lp_run_free(&r);
    /* A missing requirement is a configuration error, found before anything runs. */
    const char *f =
        lp_write_file(dir, "incomplete.yaml",
                      "component:\n  data_splitter: LocalDataSplitter\n"
                      "config:\n  train_data: data/train.csv\n  model_target: survived\n");
    char env[1024];
    snprintf(env, sizeof env, "LOLPOP_PLUGIN_PATH=%s", LP_PROFILE_TRAIN_PLUGIN);
    r = lp_run_exe(LP_LOLPOP_EXE, dir, (const char *const[]){env, NULL},
                   (const char *const[]){"run", "workflow", "ProfileTrainRunner", "-c", f, NULL},
                   DEADLINE_MS);
    LP_EXPECT_EXIT(r, 2);
    LP_EXPECT_ERR(r, "model_trainer");
    lp_run_free(&r);
}

/* ---- CLI command: lolpop extension csvhead ------------------------------------------------- */

static lp_run csvhead(const char *const *args)
{
    const char *all[12] = {"extension", "csvhead"};
    size_t n = 2;
    for (; *args && n < 11; args++)
        all[n++] = *args;
    all[n] = NULL;
    return run_with(LP_CSVHEAD_PLUGIN, all);
}

Test(plugin_examples, command_prints_the_head_of_a_file)
{
    lp_run r = csvhead((const char *const[]){"-n", "2", "--columns", "survived,sex,age,fare",
                                             "data/train.csv", NULL});
    LP_EXPECT_EXIT(r, 0);
    cr_assert_str_eq(r.out, "survived:int64\tsex:string\tage:float64\tfare:float64\n"
                            "0\tmale\t22\t7.25\n"
                            "1\tfemale\t38\t71.2833\n");
    lp_run_free(&r);
    r = csvhead((const char *const[]){"-n", "0", "data/eval.csv", NULL});
    LP_EXPECT_EXIT(r, 0);
    cr_assert_str_eq(r.out, "passenger_id:int64\tpclass:int64\tsex:string\tage:float64\t"
                            "sibsp:int64\tparch:int64\tfare:float64\tembarked:string\t"
                            "class:string\twho:string\tadult_male:bool\tdeck:string\t"
                            "embark_town:string\talone:bool\n");
    lp_run_free(&r);
    /* Default: 5 rows; a missing deck shows as NA. */
    r = csvhead((const char *const[]){"--columns", "passenger_id,deck", "data/train.csv", NULL});
    LP_EXPECT_EXIT(r, 0);
    cr_assert_str_eq(r.out, "passenger_id:int64\tdeck:string\n1\tNA\n2\tC\n3\tNA\n4\tC\n5\tNA\n");
    lp_run_free(&r);
}

Test(plugin_examples, command_help_and_exit_codes)
{
    lp_run r = csvhead((const char *const[]){"--help", NULL});
    LP_EXPECT_EXIT(r, 0);
    LP_EXPECT_OUT(r, "usage: lolpop extension csvhead [-n ROWS] [--columns A,B,...] FILE");
    LP_EXPECT_OUT(r, "Exit codes: 0 ok, 1 the file cannot be read, 2 usage error.");
    lp_run_free(&r);
    r = run_with(LP_CSVHEAD_PLUGIN, (const char *const[]){"extension", "--help", NULL});
    LP_EXPECT_EXIT(r, 0);
    LP_EXPECT_OUT(r, "csvhead          the first rows of a CSV file");
    lp_run_free(&r);

    r = csvhead((const char *const[]){"--rows", "3", "data/train.csv", NULL});
    LP_EXPECT_EXIT(r, 2);
    LP_EXPECT_ERR(r, "unknown option '--rows'");
    lp_run_free(&r);
    r = csvhead((const char *const[]){NULL});
    LP_EXPECT_EXIT(r, 2);
    LP_EXPECT_ERR(r, "FILE is missing");
    lp_run_free(&r);
    r = csvhead((const char *const[]){"-n", "many", "data/train.csv", NULL});
    LP_EXPECT_EXIT(r, 2);
    LP_EXPECT_ERR(r, "-n needs a row count >= 0, got 'many'");
    lp_run_free(&r);
    r = csvhead((const char *const[]){"--columns", "survivd", "data/train.csv", NULL});
    LP_EXPECT_EXIT(r, 2);
    LP_EXPECT_ERR(r, "'survivd'");
    LP_EXPECT_ERR(r, "did you mean 'survived'?");
    lp_run_free(&r);

    r = csvhead((const char *const[]){"data/nope.csv", NULL});
    LP_EXPECT_EXIT(r, 1);
    LP_EXPECT_ERR(r, "data/nope.csv");
    lp_run_free(&r);
    lp_write_file(dir, "ragged.csv", "a,b\n1,2\n3\n");
    r = csvhead((const char *const[]){"ragged.csv", NULL});
    LP_EXPECT_EXIT(r, 1);
    LP_EXPECT_ERR(r, "ragged.csv:3:");
    cr_assert_str_eq(r.out, "", "nothing printed for a bad file");
    lp_run_free(&r);
}

/* ---- test hooks: libchecks.so under `lolpop test workflow` -------------------------------------
 */

static lp_run test_with_checks(const char *set)
{
    const char *args[12] = {"test",
                            "workflow",
                            "ClassificationRunner",
                            EXAMPLES "/checks/checks_plan.yaml",
                            "-c",
                            "titanic.yaml",
                            "-b",
                            "process_data"};
    size_t n = 8;
    if (set) {
        args[n++] = "--set";
        args[n++] = set;
    }
    args[n] = NULL;
    return run_with(LP_CHECKS_DIR, args);
}

Test(plugin_examples, hooks_pass_on_the_titanic_data)
{
    lp_run r = test_with_checks(NULL);
    LP_EXPECT_EXIT(r, 0);
    LP_EXPECT_OUT(r, "PASS    process.data_transformer.transform pre: hook "
                     "`libchecks.so:check_source_exists`\n          source '");
    LP_EXPECT_OUT(r, "/data/train.csv' exists"); /* absolute in test workflow's scratch run */
    LP_EXPECT_OUT(r, "PASS    process.data_transformer.transform post: hook "
                     "`libchecks.so:check_label_counts`\n"
                     "          survived: 0 447 (62.7%), 1 266 (37.3%)");
    LP_EXPECT_OUT(r, "3 passed, 0 failed, 0 errors");
    lp_run_free(&r);
}

Test(plugin_examples, hooks_fail_on_rare_labels)
{
    /* train.csv keeping only the first 40 survivors: 40 of 487 rows is 8.2 %. */
    char path[512];
    snprintf(path, sizeof path, "%s/data/train.csv", dir);
    char *text = lp_read_file(path);
    cr_assert_not_null(text);
    size_t len = strlen(text), kept_ones = 0;
    char *out = malloc(len + 1), *o = out;
    for (char *line = text; *line;) {
        char *end = strchr(line, '\n');
        size_t n = end ? (size_t)(end - line + 1) : strlen(line);
        bool survivor = strchr(line, ',') && strncmp(strchr(line, ',') + 1, "1,", 2) == 0;
        if (!survivor || kept_ones++ < 40) {
            memcpy(o, line, n);
            o += n;
        }
        line += n;
    }
    *o = '\0';
    lp_write_file(dir, "data/rare.csv", out);
    free(out);
    free(text);
    lp_run r = test_with_checks("config.train_data=data/rare.csv");
    LP_EXPECT_EXIT(r, 1);
    LP_EXPECT_OUT(r, "FAIL    process.data_transformer.transform post: hook "
                     "`libchecks.so:check_label_counts`\n"
                     "          class 1 is under 10% of the rows: survived: 0 447 (91.8%), "
                     "1 40 (8.2%)");
    LP_EXPECT_OUT(r, "2 passed, 1 failed, 0 errors");
    lp_run_free(&r);
}

Test(plugin_examples, hooks_fail_on_a_missing_source)
{
    lp_run r = test_with_checks("config.train_data=data/missing.csv");
    LP_EXPECT_EXIT(r, 1);
    LP_EXPECT_OUT(r, "FAIL    process.data_transformer.transform pre: hook "
                     "`libchecks.so:check_source_exists`\n"
                     "          source '");
    LP_EXPECT_OUT(r, "/data/missing.csv' does not exist"); /* absolute in a scratch run */
    lp_run_free(&r);
}
