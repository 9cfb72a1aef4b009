/*
 * test_plugin_backends.c — a plugin model trainer (examples/plugins/knn) and a
 * plugin feature transformer (examples/plugins/robust_scaler) in the whole
 * ClassificationRunner workflow, run by the real `lolpop` on a copy of the
 * titanic quickstart: trained, tracked, stored, compared with the deployed
 * version on a second run, bundled, deployed, used for prediction, and reused
 * by --resume — with no line of lolpop naming them: their model back-end and
 * saved-state applier are registered by the plugins themselves.
 *
 * The stored and bundled models are read back here with liblolpop through a
 * registry holding the built-in plugin and the example plugin, as lolpop
 * reads them; without the example plugin they do not load, naming what is
 * registered.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "lolpop.h"
#include "lolpop/objstore.h"

#define DEADLINE_MS 300000L
#define EXAMPLES    LP_SOURCE_ROOT "/examples/plugins"

static char dir_buf[64];
static const char *dir;

static void setup(void)
{
    dir = lp_example_tmpdir(dir_buf, sizeof dir_buf, "pb", LP_TITANIC_EXAMPLE);
}

static void teardown(void)
{
    lp_tmpdir_remove(dir);
}

TestSuite(plugin_backends, .init = setup, .fini = teardown, .timeout = 600);

/* `lolpop run workflow ClassificationRunner -c yaml` with only `plugin`
 * loaded, plus up to two more arguments (NULL-terminated). */
static lp_run run_workflow(const char *plugin, const char *yaml, const char *a, const char *b,
                           const char *c)
{
    char env[1024];
    snprintf(env, sizeof env, "LOLPOP_PLUGIN_PATH=%s", plugin);
    /* the example's paths are relative to it (the quickstart's data, issue 11 Fix 2); its
     * predictions go to this test's directory, not into the source tree */
    const char *args[14] = {"run",
                            "workflow",
                            "ClassificationRunner",
                            "-c",
                            yaml,
                            "--set",
                            "plugin_paths=[]",
                            "--set",
                            "config.prediction_data=predictions.csv"};
    size_t n = 9;
    if (a) args[n++] = a;
    if (b) args[n++] = b;
    if (c) args[n++] = c;
    args[n] = NULL;
    return lp_run_exe(LP_LOLPOP_EXE, dir, (const char *const[]){env, NULL}, args, DEADLINE_MS);
}

/* ---- reading back what the workflow stored ------------------------------------------- */

/* A registry with the built-in plugin and, when not NULL, the plugin at `path`. */
static lp_registry *registry_with(const char *path)
{
    lp_registry *reg = lp_registry_new();
    cr_assert_not_null(reg);
    cr_assert_eq(lp_registry_add_plugin(reg, &lp_builtin_plugin, "builtin"), 0, "%s",
                 lp_error_last()->message);
    if (path) cr_assert_eq(lp_registry_load_plugin(reg, path), 0, "%s", lp_error_last()->message);
    return reg;
}

/* The bytes of a file under the test directory (malloc'ed). */
static uint8_t *read_bytes(const char *rel, size_t *len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "no file %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc((size_t)n + 1);
    cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return buf;
}

/* The bytes of the model object stored for model version `uri`, read from
 * the object store as LocalResourceVersionControl wrote them (malloc'ed). */
static uint8_t *stored_model(const char *uri, size_t *len)
{
    char path[512], sql[512];
    snprintf(path, sizeof path, "%s/.lolpop/lolpop.db", dir);
    snprintf(sql, sizeof sql,
             "SELECT v.info FROM vc_info v JOIN resources r ON r.id = v.resource "
             "WHERE r.uri = '%s' AND v.key = 'model'",
             uri);
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    cr_assert_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK, "%s", sqlite3_errmsg(db));
    cr_assert_eq(sqlite3_step(st), SQLITE_ROW, "no stored model for %s", uri);
    json_t *j = json_loads((const char *)sqlite3_column_text(st, 0), 0, NULL);
    cr_assert_not_null(j);
    const char *hash = json_string_value(json_object_get(j, "hash"));
    cr_assert_not_null(hash, "vc_info without a hash");
    snprintf(path, sizeof path, "%s/.lolpop", dir);
    lp_objstore *os = NULL;
    cr_assert_eq(lp_objstore_open(&os, path), 0);
    uint8_t *bytes = NULL;
    cr_assert_eq(lp_objstore_get(os, hash, &bytes, len), 0, "object %s", hash);
    lp_objstore_close(os);
    json_decref(j);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return bytes;
}

/* The model in bytes, loaded through reg (which must outlive it). */
static lp_model *load_model_bytes(const lp_registry *reg, const uint8_t *bytes, size_t len)
{
    lp_model *m = NULL;
    cr_assert_eq(lp_model_load(&m, reg, bytes, len), 0, "%s", lp_error_last()->message);
    return m;
}

/* The model in file `rel`, loaded through reg (which must outlive it). */
static lp_model *load_model(const lp_registry *reg, const char *rel)
{
    size_t len = 0;
    uint8_t *bytes = read_bytes(rel, &len);
    lp_model *m = load_model_bytes(reg, bytes, len);
    free(bytes);
    return m;
}

/* Loading the bytes without the plugin fails, naming the back-end and the registered ones. */
static void refused_without_plugin(const uint8_t *bytes, size_t len, const char *backend)
{
    lp_registry *reg = registry_with(NULL);
    lp_model *m = NULL;
    cr_assert_eq(lp_model_load(&m, reg, bytes, len), LP_ENOTFOUND, "loaded without its plugin");
    char want[256];
    snprintf(want, sizeof want,
             "model back-end '%s' is not registered (registered: xgboost, liblinear, ets, "
             "additive, by_series)",
             backend);
    cr_assert(strstr(lp_error_last()->message, want), "%s", lp_error_last()->message);
    lp_registry_free(reg);
}

/* ---- predictions against the ground truth ------------------------------------------------ */

typedef struct scored {
    size_t rows, right, majority;
    bool proba_sum_to_1, label_is_argmax;
    double min_p, max_p;
    bool proba_in_fifteenths;
} scored;

/* Reads predictions.csv and data/eval_labels.csv (both keyed by passenger_id,
 * same order as data/eval.csv) and scores the predictions. */
static scored score_predictions(void)
{
    char path[512];
    snprintf(path, sizeof path, "%s/predictions.csv", dir);
    lp_frame *pred = NULL, *truth = NULL;
    cr_assert_eq(lp_csv_read(&pred, path, NULL), 0, "%s", lp_error_last()->message);
    snprintf(path, sizeof path, "%s/data/eval_labels.csv", dir);
    cr_assert_eq(lp_csv_read(&truth, path, NULL), 0, "%s", lp_error_last()->message);
    cr_assert_eq(lp_frame_cols(pred), 4, "passenger_id, prediction, probability_0, _1");
    const lp_column *id = lp_frame_col_by_name(pred, "passenger_id");
    const lp_column *label = lp_frame_col_by_name(pred, "prediction");
    const lp_column *p0 = lp_frame_col_by_name(pred, "probability_0");
    const lp_column *p1 = lp_frame_col_by_name(pred, "probability_1");
    const lp_column *tid = lp_frame_col_by_name(truth, "passenger_id");
    const lp_column *ty = lp_frame_col_by_name(truth, "survived");
    cr_assert(id && label && p0 && p1 && tid && ty);
    scored s = {.rows = lp_frame_rows(pred),
                .proba_sum_to_1 = true,
                .label_is_argmax = true,
                .min_p = 1,
                .max_p = 0,
                .proba_in_fifteenths = true};
    cr_assert_eq(s.rows, lp_frame_rows(truth));
    size_t ones = 0;
    for (size_t i = 0; i < s.rows; i++) {
        cr_assert_eq(lp_column_get_f64(id, i), lp_column_get_f64(tid, i), "row %zu", i);
        double a = lp_column_get_f64(p0, i), b = lp_column_get_f64(p1, i);
        double y = lp_column_get_f64(label, i), t = lp_column_get_f64(ty, i);
        s.proba_sum_to_1 &= fabs(a + b - 1) < 1e-9;
        s.label_is_argmax &= y == (b > a ? 1.0 : 0.0) || a == b;
        s.proba_in_fifteenths &= fabs(b * 15 - round(b * 15)) < 1e-9;
        s.min_p = fmin(s.min_p, b);
        s.max_p = fmax(s.max_p, b);
        s.right += y == t;
        ones += t == 1;
    }
    s.majority = ones > s.rows - ones ? ones : s.rows - ones;
    lp_frame_unref(pred);
    lp_frame_unref(truth);
    return s;
}

/* Accuracy well above always answering the majority class. */
static void predictions_make_sense(const scored *s)
{
    cr_assert_eq(s->rows, 178);
    cr_assert(s->proba_sum_to_1, "probabilities do not sum to 1");
    cr_assert(s->label_is_argmax, "a label is not the most probable class");
    double acc = (double)s->right / (double)s->rows, base = (double)s->majority / (double)s->rows;
    cr_assert_gt(base, 0.55);
    cr_assert_geq(acc, 0.74, "accuracy %.4f", acc);
    cr_assert_geq(acc, base + 0.12, "accuracy %.4f, majority class %.4f", acc, base);
    cr_assert_lt(s->min_p, 0.2, "no confident 'died'");
    cr_assert_gt(s->max_p, 0.8, "no confident 'survived'");
}

/* ---- the plugin trainer ------------------------------------------------------------------- */

#define KNN_YAML EXAMPLES "/knn/knn.yaml"

/* issue 11 Fix 14: a plugin states its keys' defaults in their docs as built-ins do */
Test(plugin_backends, classes_show_lists_a_plugin_keys_default)
{
    char env[1024];
    snprintf(env, sizeof env, "LOLPOP_PLUGIN_PATH=%s", LP_KNN_PLUGIN);
    lp_run r =
        lp_run_exe(LP_LOLPOP_EXE, dir, (const char *const[]){env, NULL},
                   (const char *const[]){"classes", "show", "KNNModelTrainer", NULL}, DEADLINE_MS);
    LP_EXPECT_EXIT(r, 0);
    LP_EXPECT_OUT(r, "\nDefaults:\n");
    LP_EXPECT_OUT(r, "5  (stated in the key's doc)\n");
    lp_run_free(&r);
}

Test(plugin_backends, knn_trainer_runs_the_whole_workflow)
{
    lp_run r = run_workflow(LP_KNN_PLUGIN, KNN_YAML, NULL, NULL, NULL);
    LP_EXPECT_EXIT(r, 0);
    LP_EXPECT_ERR(r, "[KNNModelTrainer train.model_trainer] k-NN (k=15, vote) on 571 rows x 16 "
                     "features");
    LP_EXPECT_ERR(r, "compare_models: no version deployed yet, the new one wins");
    LP_EXPECT_ERR(r, "deployed model/titanic_knn/v1 to .lolpop/deployments/titanic_knn/v1");
    LP_EXPECT_OUT(r, "model       titanic_knn version 1");
    LP_EXPECT_OUT(r, "deployed    yes: promoted to production");
    LP_EXPECT_OUT(r, "predictions 178 rows -> predictions.csv");
    lp_run_free(&r);

    /* predictions: vote shares of 15 neighbours, and they are right often */
    scored s = score_predictions();
    predictions_make_sense(&s);
    cr_assert(s.proba_in_fifteenths, "k = 15: probabilities are multiples of 1/15");

    /* the stored and the bundled model: back-end knn, k recorded, same predictions */
    lp_registry *reg = registry_with(LP_KNN_PLUGIN);
    size_t stored_len = 0;
    uint8_t *stored = stored_model("model/titanic_knn/v1/experiment/1", &stored_len);
    lp_model *m = load_model_bytes(reg, stored, stored_len);
    lp_model *bundled = load_model(reg, ".lolpop/deployments/titanic_knn/v1/model.lpm");
    cr_assert_str_eq(lp_model_backend(m), "knn");
    cr_assert_str_eq(lp_model_backend(bundled), "knn");
    cr_assert_eq(lp_value_as_int(lp_map_get(lp_model_params(m), "k")), 15);
    cr_assert_eq(lp_model_n_features(m), 16);
    cr_assert(lp_model_has_probabilities(m));
    lp_frame *X = NULL;
    const char *csv = "pclass,sex,age,sibsp,parch,fare,embarked,class,who,adult_male,embark_town,"
                      "alone,family_size,fare_per_person,age_missing,cabin_deck\n"
                      "1,female,30,0,0,100,C,First,woman,False,Cherbourg,True,1,100,0,B\n"
                      "3,male,30,0,0,7,S,Third,man,True,Southampton,True,1,7,0,none\n";
    cr_assert_eq(lp_csv_read_buffer(&X, csv, strlen(csv), "q.csv", NULL), 0, "%s",
                 lp_error_last()->message);
    lp_frame *pa = NULL, *pb = NULL;
    cr_assert_eq(lp_model_predict_proba(&pa, m, X), 0, "%s", lp_error_last()->message);
    cr_assert_eq(lp_model_predict_proba(&pb, bundled, X), 0);
    double rich_woman = lp_column_get_f64(lp_frame_col(pa, 1), 0);
    double poor_man = lp_column_get_f64(lp_frame_col(pa, 1), 1);
    cr_assert_geq(rich_woman, 0.8, "P(survived) of a first-class woman %.3f", rich_woman);
    cr_assert_leq(poor_man, 0.35, "P(survived) of a third-class man %.3f", poor_man);
    cr_assert_eq(lp_column_get_f64(lp_frame_col(pb, 1), 0), rich_woman);
    lp_frame_unref(pa);
    lp_frame_unref(pb);
    lp_frame_unref(X);
    lp_model_unref(m);
    lp_model_unref(bundled);
    lp_registry_free(reg);
    refused_without_plugin(stored, stored_len, "knn");
    free(stored);

    /* second run, k = 9: compared with the deployed KNN version (loaded back) */
    r = run_workflow(LP_KNN_PLUGIN, KNN_YAML, "--set", "train.model_trainer.config.k=9", NULL);
    LP_EXPECT_EXIT(r, 0);
    LP_EXPECT_ERR(r, "k-NN (k=9, vote)");
    LP_EXPECT_ERR(r, "vs deployed version 1");
    LP_EXPECT_OUT(r, "model       titanic_knn version 2");
    cr_assert_null(strstr(r.err, "not known"), "%s", r.err);
    cr_assert_null(strstr(r.err, "not registered"), "%s", r.err);
    lp_run_free(&r);

    /* resumed with the same settings: the cached KNN model is reused, not "damaged" */
    r = run_workflow(LP_KNN_PLUGIN, KNN_YAML, "--set", "train.model_trainer.config.k=9",
                     "--resume=latest");
    LP_EXPECT_EXIT(r, 0);
    LP_EXPECT_ERR(r, "OfflineTrain.train_model: reused");
    cr_assert_null(strstr(r.err, "k-NN (k=9"), "the model was trained again: %s", r.err);
    cr_assert_null(strstr(r.err, "damaged"), "%s", r.err);
    cr_assert_null(strstr(r.err, "damaged"), "%s", r.err);
    LP_EXPECT_OUT(r, "predictions 178 rows -> predictions.csv");
    lp_run_free(&r);
}

/* ---- the plugin feature transformer -------------------------------------------------------- */

#define SCALER_YAML EXAMPLES "/robust_scaler/robust_scaler.yaml"

/* Column `name` of scaled is (x - median) / iqr of raw's, row by row. */
static void check_scaled(const lp_frame *raw, const lp_frame *scaled, const char *name,
                         double median, double iqr)
{
    const lp_column *a = lp_frame_col_by_name(raw, name), *b = lp_frame_col_by_name(scaled, name);
    cr_assert(a && b, "column %s", name);
    cr_assert_eq(b->type, LP_DT_FLOAT64);
    for (size_t i = 0; i < a->length; i++) {
        double x = lp_column_get_f64(a, i), y = lp_column_get_f64(b, i);
        if (isnan(x))
            cr_assert(isnan(y), "%s row %zu: missing stays missing", name, i);
        else
            cr_assert_float_eq(y, (x - median) / iqr, 1e-12, "%s row %zu", name, i);
    }
}

Test(plugin_backends, feature_transformer_state_travels_with_the_model)
{
    lp_run r = run_workflow(LP_ROBUST_SCALER_PLUGIN, SCALER_YAML, NULL, NULL, NULL);
    LP_EXPECT_EXIT(r, 0);
    LP_EXPECT_ERR(r, "[RobustScaler train.feature_transformer] fitted median and IQR of 4 columns");
    LP_EXPECT_OUT(r, "model       titanic_scaled version 1");
    LP_EXPECT_OUT(r, "deployed    yes: promoted to production");
    LP_EXPECT_OUT(r, "predictions 178 rows -> predictions.csv");
    lp_run_free(&r);
    scored s = score_predictions();
    predictions_make_sense(&s);

    /* the bundle's model carries the scaler's class and state */
    lp_registry *reg = registry_with(LP_ROBUST_SCALER_PLUGIN);
    lp_model *m = load_model(reg, ".lolpop/deployments/titanic_scaled/v1/model.lpm");
    size_t n = 0;
    const uint8_t *cls = lp_model_attachment(m, LP_FT_CLASS_KEY, &n);
    cr_assert(cls && n == 12 && memcmp(cls, "RobustScaler", 12) == 0);
    const uint8_t *state = lp_model_attachment(m, LP_FT_STATE_KEY, &n);
    cr_assert_not_null(state);
    char *text = strndup((const char *)state, n);
    double med_age, iqr_age, med_fare, iqr_fare;
    cr_assert_eq(sscanf(strstr(text, "3:age "), "3:age %lf %lf", &med_age, &iqr_age), 2, "%s",
                 text);
    cr_assert_eq(sscanf(strstr(text, "4:fare "), "4:fare %lf %lf", &med_fare, &iqr_fare), 2);
    cr_assert(med_age > 20 && med_age < 35 && iqr_age > 10, "%s", text);
    cr_assert(med_fare > 5 && med_fare < 30 && iqr_fare > 5, "%s", text);
    free(text);

    /* applied without the component, through the applier the plugin registered */
    char path[512];
    snprintf(path, sizeof path, "%s/data/eval.csv", dir);
    lp_frame *X = NULL, *Xs = NULL;
    cr_assert_eq(lp_csv_read(&X, path, NULL), 0);
    lp_registry *bare = registry_with(NULL);
    cr_assert_eq(lp_model_features(&Xs, bare, m, X), LP_ENOTFOUND);
    cr_assert(strstr(lp_error_last()->message, "feature transformer 'RobustScaler'"), "%s",
              lp_error_last()->message);
    lp_registry_free(bare);
    /* eval.csv lacks the SQL's derived columns: the applier names the first missing one */
    cr_assert_eq(lp_model_features(&Xs, reg, m, X), LP_EINVAL);
    cr_assert(strstr(lp_error_last()->message, "no column 'fare_per_person'"), "%s",
              lp_error_last()->message);
    /* with the derived columns added as the SQL computes them */
    lp_frame *Xd = lp_frame_new();
    for (size_t j = 0; j < lp_frame_cols(X); j++)
        lp_frame_add_column(Xd, lp_frame_name(X, j), lp_column_ref(lp_frame_col(X, j)));
    size_t rows = lp_frame_rows(X);
    lp_column *fs = lp_column_new(LP_DT_INT64, rows), *fpp = lp_column_new(LP_DT_FLOAT64, rows);
    for (size_t i = 0; i < rows; i++) {
        double family = lp_column_get_f64(lp_frame_col_by_name(X, "sibsp"), i) +
                        lp_column_get_f64(lp_frame_col_by_name(X, "parch"), i) + 1;
        fs->data.i64[i] = (int64_t)family;
        fpp->data.f64[i] = lp_column_get_f64(lp_frame_col_by_name(X, "fare"), i) / family;
    }
    lp_frame_add_column(Xd, "family_size", fs);
    lp_frame_add_column(Xd, "fare_per_person", fpp);
    cr_assert_eq(lp_model_features(&Xs, reg, m, Xd), 0, "%s", lp_error_last()->message);
    check_scaled(Xd, Xs, "age", med_age, iqr_age);
    check_scaled(Xd, Xs, "fare", med_fare, iqr_fare);
    cr_assert_eq(lp_frame_col_by_name(Xs, "sex"), lp_frame_col_by_name(Xd, "sex"),
                 "other columns pass through");
    lp_frame_unref(Xs);
    lp_frame_unref(Xd);
    lp_frame_unref(X);
    lp_model_unref(m);
    lp_registry_free(reg);

    /* second run: compared with the deployed version; then resumed from the cache */
    r = run_workflow(LP_ROBUST_SCALER_PLUGIN, SCALER_YAML, "--set",
                     "train.model_trainer.config.training_params.max_depth=2", NULL);
    LP_EXPECT_EXIT(r, 0);
    LP_EXPECT_ERR(r, "vs deployed version 1");
    LP_EXPECT_OUT(r, "model       titanic_scaled version 2");
    lp_run_free(&r);
    r = run_workflow(LP_ROBUST_SCALER_PLUGIN, SCALER_YAML, "--set",
                     "train.model_trainer.config.training_params.max_depth=2", "--resume=latest");
    LP_EXPECT_EXIT(r, 0);
    LP_EXPECT_ERR(r, "OfflineTrain.train_model: reused");
    cr_assert_null(strstr(r.err, "fitted median"), "trained again: %s", r.err);
    cr_assert_null(strstr(r.err, "damaged"), "%s", r.err);
    LP_EXPECT_OUT(r, "predictions 178 rows -> predictions.csv");
    lp_run_free(&r);
    s = score_predictions();
    predictions_make_sense(&s);
}
