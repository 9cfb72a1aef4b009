/*
 * test_trainers.c — XGBoostModelTrainer and LinearModelTrainer through the
 * dispatcher: predictions equal to python3-xgboost's and scikit-learn's on
 * the committed fixtures (tests/fixtures/gen_xgb.py, gen_linear.py) with the
 * objective or model chosen from problem_type, string labels, probability
 * columns, metrics equal to lp_metrics_compute, an explicit model argument,
 * params overriding training_params, save/load, the feature_transformer
 * attachment (LocalFeatureTransformer + liblinear on the Titanic data), and
 * the configuration and input errors.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fake_tracking.h"
#include "lolpop.h"
#include "lolpop/types/data_splitter.h"
#include "lolpop/types/feature_transformer.h"
#include "lolpop/types/model_trainer.h"
#include "ml/linear.h"
#include "unit_workflow.h"

#define TOL 1e-6

static json_t *xgb_expected, *lin_expected;

static json_t *load_json(const char *path)
{
    json_error_t jerr;
    json_t *j = json_load_file(path, 0, &jerr);
    cr_assert_not_null(j, "%s: %s", path, jerr.text);
    return j;
}

static void setup(void)
{
    uw_setup();
    fake_register(uw_registry());
    xgb_expected = load_json(LP_FIXTURES_DIR "/xgb/expected.json");
    lin_expected = load_json(LP_FIXTURES_DIR "/linear/expected.json");
}

static void teardown(void)
{
    uw_teardown();
    json_decref(xgb_expected);
    json_decref(lin_expected);
    fake_reset();
}

TestSuite(trainers, .init = setup, .fini = teardown);

/* ---- workflows ------------------------------------------------------------------------ */

/* The text of a workflow whose root has the fake tracker and logger plus
 * `components` (flow map entries) and the sections in `rest`; a static buffer,
 * valid until the next call. */
static const char *trainer_yaml(const char *components, const char *rest)
{
    static char yaml[8192];
    snprintf(yaml, sizeof yaml,
             "component: {metadata_tracker: FakeMetadataTracker, logger: CaptureLogger, %s}\n%s",
             components, rest);
    return yaml;
}

static int try_trainer_workflow(int slot, const char *components, const char *rest)
{
    return uw_try_build(slot, trainer_yaml(components, rest));
}

/* The model_trainer of a workflow of class cls with `config` (flow map body). */
static lp_obj *trainer_in(int slot, const char *cls, const char *config)
{
    char comp[128], rest[2048];
    snprintf(comp, sizeof comp, "model_trainer: %s", cls);
    snprintf(rest, sizeof rest, "model_trainer:\n  config: {%s}\n", config);
    return uw_build(slot, trainer_yaml(comp, rest), "model_trainer");
}

/* ---- data ------------------------------------------------------------------------------- */

static lp_frame *read_csv(const char *path)
{
    lp_frame *f = NULL;
    cr_assert_eq(lp_csv_read(&f, path, NULL), 0, "%s: %s", path, lp_error_last()->message);
    return f;
}

static void put_frame(lp_value *map, const char *key, lp_frame *f)
{
    cr_assert_eq(lp_map_set(map, key, lp_value_frame(f)), 0);
    lp_frame_unref(f);
}

/* Splits a fixture file into X_<split>/y_<split> entries of map. */
static void add_split(lp_value *map, const char *path, const char *split, const char *target)
{
    lp_frame *f = read_csv(path), *X = NULL, *y = NULL;
    const char *names[] = {target};
    cr_assert_eq(lp_frame_drop(&X, f, names, 1), 0);
    cr_assert_eq(lp_frame_select(&y, f, names, 1), 0);
    char key[32];
    snprintf(key, sizeof key, "X_%s", split);
    put_frame(map, key, X);
    snprintf(key, sizeof key, "y_%s", split);
    put_frame(map, key, y);
    lp_frame_unref(f);
}

/* {X_train, y_train, X_valid, y_valid} of fixtures/<dir>/<data>_{train,valid}.csv. */
static lp_value *fixture_splits(const char *dir, const char *data, const char *target)
{
    lp_value *m = lp_value_map();
    char path[512];
    snprintf(path, sizeof path, "%s/%s/%s_train.csv", LP_FIXTURES_DIR, dir, data);
    add_split(m, path, "train", target);
    snprintf(path, sizeof path, "%s/%s/%s_valid.csv", LP_FIXTURES_DIR, dir, data);
    add_split(m, path, "valid", target);
    return m;
}

static lp_frame *split_frame(lp_value *splits, const char *key)
{
    lp_frame *f = lp_value_as_frame(lp_map_get(splits, key));
    cr_assert_not_null(f, "no %s", key);
    return f;
}

static json_t *xcase(json_t *expected, const char *name)
{
    json_t *c = json_object_get(json_object_get(expected, "cases"), name);
    cr_assert_not_null(c, "no case %s", name);
    return c;
}

/* ---- calls ------------------------------------------------------------------------------- */

static lp_value *fit(lp_obj *t, lp_value *splits)
{
    lp_value *m = lp_model_trainer_fit(t, splits);
    cr_assert_not_null(m, "fit: %s", lp_error_last()->message);
    cr_assert_not_null(lp_value_as_model(m));
    return m;
}

static lp_value *fit_with(lp_obj *t, lp_value *splits, lp_value *params)
{
    return lp_call_with(t, "fit", "splits", lp_value_ref(splits), "params", params,
                        (const char *)NULL);
}

static lp_value *call_frame(lp_obj *t, const char *method, lp_value *splits, const char *key,
                            lp_value *model)
{
    lp_value *X = lp_value_frame(split_frame(splits, key));
    lp_value *r = model ? lp_call_with(t, method, "frame", X, "model", lp_value_ref(model),
                                       (const char *)NULL)
                        : lp_call_with(t, method, "frame", X, (const char *)NULL);
    cr_assert_not_null(r, "%s: %s", method, lp_error_last()->message);
    cr_assert_not_null(lp_value_as_frame(r));
    return r;
}

static lp_value *predict(lp_obj *t, lp_value *splits, const char *key, lp_value *model)
{
    return call_frame(t, "predict", splits, key, model);
}

static lp_value *proba(lp_obj *t, lp_value *splits, const char *key, lp_value *model)
{
    return call_frame(t, "predict_proba", splits, key, model);
}

static lp_column *col(lp_value *frame, const char *name)
{
    lp_column *c = lp_frame_col_by_name(lp_value_as_frame(frame), name);
    cr_assert_not_null(c, "no column %s", name);
    return c;
}

static void check_close(const lp_column *c, json_t *want, size_t stride, size_t off,
                        const char *what)
{
    cr_assert_eq(json_array_size(want), c->length * stride, "%s: %zu rows", what, c->length);
    for (size_t i = 0; i < c->length; i++) {
        double w = json_number_value(json_array_get(want, i * stride + off));
        double g = c->data.f64[i];
        cr_assert(fabs(w - g) <= TOL * (1 + fabs(w)), "%s row %zu: reference %.9g, lolpop %.9g",
                  what, i, w, g);
    }
}

static void same_columns(lp_value *a, lp_value *b)
{
    lp_frame *fa = lp_value_as_frame(a), *fb = lp_value_as_frame(b);
    cr_assert_eq(lp_frame_cols(fa), lp_frame_cols(fb));
    cr_assert_eq(lp_frame_rows(fa), lp_frame_rows(fb));
    for (size_t j = 0; j < lp_frame_cols(fa); j++) {
        cr_assert_str_eq(lp_frame_name(fa, j), lp_frame_name(fb, j));
        const lp_column *ca = lp_frame_col(fa, j), *cb = lp_frame_col(fb, j);
        cr_assert_eq(ca->type, cb->type);
        for (size_t i = 0; i < ca->length; i++) {
            if (ca->type == LP_DT_STRING) {
                size_t la, lb;
                const char *sa = lp_column_str(ca, i, &la), *sb = lp_column_str(cb, i, &lb);
                cr_assert(la == lb && memcmp(sa, sb, la) == 0, "row %zu", i);
            } else {
                cr_assert_eq(lp_column_get_f64(ca, i), lp_column_get_f64(cb, i), "%s row %zu",
                             lp_frame_name(fa, j), i);
            }
        }
    }
}

static void expect_error(lp_value *r, int code, const char *needle)
{
    cr_assert_null(r, "expected an error");
    const lp_error *e = lp_error_last();
    cr_assert_eq(e->code, code, "code %d (want %d): %s", e->code, code, e->message);
    cr_assert_not_null(strstr(e->message, needle), "'%s' not in: %s", needle, e->message);
}

/* ---- XGBoost against python3-xgboost ---------------------------------------------------- */

Test(trainers, xgboost_int_target_is_classified_by_problem_type_like_python)
{
    /* the fixture's params without the objective: problem_type decides it */
    lp_obj *t = trainer_in(0, "XGBoostModelTrainer",
                           "problem_type: classification, training_params: {max_depth: 3, eta: "
                           "0.3, nthread: 1, seed: 0, num_boost_round: 20}");
    lp_value *splits = fixture_splits("xgb", "binary", "y"), *m = fit(t, splits);
    lp_model *model = lp_value_as_model(m);
    cr_assert_eq(lp_model_task_of(model), LP_MODEL_BINARY);
    cr_assert_str_eq(lp_value_as_string(lp_map_get(lp_model_params(model), "objective")),
                     "binary:logistic");
    lp_value *p = proba(t, splits, "X_valid", NULL), *pred = predict(t, splits, "X_valid", NULL);
    cr_assert_eq(lp_frame_cols(lp_value_as_frame(p)), 2);
    check_close(col(p, "probability_1"), json_object_get(xcase(xgb_expected, "binary"), "proba1"),
                1, 0, "P(1)");
    const lp_column *p0 = col(p, "probability_0"), *p1 = col(p, "probability_1");
    const lp_column *labels = col(pred, "prediction");
    cr_assert_eq(labels->type, LP_DT_INT64, "labels keep the target's type");
    for (size_t i = 0; i < labels->length; i++) {
        cr_assert(fabs(p0->data.f64[i] + p1->data.f64[i] - 1) < 1e-12);
        cr_assert_eq(labels->data.i64[i], p1->data.f64[i] > 0.5 ? 1 : 0, "row %zu", i);
    }
    lp_value_unref(p);
    lp_value_unref(pred);
    lp_value_unref(m);
    lp_value_unref(splits);
}

Test(trainers, xgboost_string_labels_round_trip_and_match_python)
{
    lp_obj *t = trainer_in(0, "XGBoostModelTrainer",
                           "problem_type: classification, training_params: {max_depth: 4, eta: "
                           "0.2, nthread: 1, seed: 0, subsample: 0.8, colsample_bytree: 0.8, "
                           "num_boost_round: 15}");
    lp_value *splits = fixture_splits("xgb", "multi", "colour"), *m = fit(t, splits);
    cr_assert_str_eq(
        lp_value_as_string(lp_map_get(lp_model_params(lp_value_as_model(m)), "objective")),
        "multi:softprob");
    lp_value *p = proba(t, splits, "X_valid", NULL), *pred = predict(t, splits, "X_valid", NULL);
    const char *names[] = {"probability_blue", "probability_green", "probability_red"};
    json_t *want = json_object_get(xcase(xgb_expected, "multi"), "proba");
    for (size_t k = 0; k < 3; k++) {
        cr_assert_str_eq(lp_frame_name(lp_value_as_frame(p), k), names[k]);
        check_close(col(p, names[k]), want, 3, k, names[k]);
    }
    const lp_column *labels = col(pred, "prediction");
    cr_assert_eq(labels->type, LP_DT_STRING);
    for (size_t i = 0; i < labels->length; i++) {
        double best = -1, sum = 0;
        size_t arg = 0;
        for (size_t k = 0; k < 3; k++) {
            double v = col(p, names[k])->data.f64[i];
            sum += v;
            if (v > best) best = v, arg = k;
        }
        cr_assert(fabs(sum - 1) < 1e-6, "row %zu sums to %.17g", i, sum);
        size_t len;
        const char *s = lp_column_str(labels, i, &len);
        cr_assert(len == strlen(names[arg]) - 12 && memcmp(s, names[arg] + 12, len) == 0,
                  "row %zu: %.*s", i, (int)len, s);
    }
    lp_value_unref(p);
    lp_value_unref(pred);
    lp_value_unref(m);
    lp_value_unref(splits);
}

Test(trainers, xgboost_regression_matches_python_and_has_no_probabilities)
{
    lp_obj *t = trainer_in(0, "XGBoostModelTrainer",
                           "problem_type: regression, training_params: {max_depth: 4, eta: 0.1, "
                           "nthread: 1, seed: 0, min_child_weight: 2.0, lambda: 1.5, "
                           "num_boost_round: 30}");
    lp_value *splits = fixture_splits("xgb", "reg", "target"), *m = fit(t, splits);
    lp_value *pred = predict(t, splits, "X_valid", NULL);
    check_close(col(pred, "prediction"), json_object_get(xcase(xgb_expected, "reg"), "pred"), 1, 0,
                "prediction");
    lp_value *X = lp_value_frame(split_frame(splits, "X_valid"));
    expect_error(lp_model_trainer_predict_proba(t, X), LP_EINVAL, "regression model");
    lp_value_unref(X);
    lp_value_unref(pred);
    lp_value_unref(m);
    lp_value_unref(splits);
}

Test(trainers, params_argument_overrides_training_params)
{
    /* training_params give a shallow model; the override gives the fixture's
     * early-stopping case exactly */
    lp_obj *t = trainer_in(0, "XGBoostModelTrainer",
                           "problem_type: classification, training_params: {max_depth: 1, eta: "
                           "0.9, nthread: 1, seed: 0, num_boost_round: 3}");
    lp_value *splits = fixture_splits("xgb", "binary", "y");
    lp_value *over = lp_value_map();
    lp_map_set(over, "max_depth", lp_value_int(4));
    lp_map_set(over, "eta", lp_value_float(0.1));
    lp_map_set(over, "eval_metric", lp_value_string("logloss"));
    lp_map_set(over, "num_boost_round", lp_value_int(200));
    lp_map_set(over, "early_stopping_rounds", lp_value_int(5));
    lp_value *m = fit_with(t, splits, over);
    cr_assert_not_null(m, "%s", lp_error_last()->message);
    json_t *c = xcase(xgb_expected, "early");
    const lp_value *params = lp_model_params(lp_value_as_model(m));
    cr_assert_eq(lp_value_as_int(lp_map_get(params, "best_iteration")),
                 json_integer_value(json_object_get(c, "best_iteration")));
    cr_assert_eq(lp_value_as_int(lp_map_get(params, "nthread")), 1, "training_params kept");
    lp_value *p = proba(t, splits, "X_valid", NULL);
    check_close(col(p, "probability_1"), json_object_get(c, "proba1"), 1, 0, "P(1)");
    lp_value_unref(p);
    lp_value_unref(m);
    lp_value_unref(splits);
}

/* ---- metrics ------------------------------------------------------------------------------- */

/* Predictions and both class probabilities of binary trainer t on the train
 * and valid splits, as the map of frames split_metrics takes (new reference). */
static lp_value *binary_predictions(lp_obj *t, lp_value *splits)
{
    lp_value *preds = lp_value_map();
    const char *split_keys[] = {"train", "valid"};
    for (int s = 0; s < 2; s++) {
        char key[16];
        snprintf(key, sizeof key, "X_%s", split_keys[s]);
        lp_value *pr = predict(t, splits, key, NULL), *pp = proba(t, splits, key, NULL);
        lp_frame *f = lp_frame_new();
        lp_frame_add_column(f, "prediction", lp_column_ref(col(pr, "prediction")));
        lp_frame_add_column(f, "probability_0", lp_column_ref(col(pp, "probability_0")));
        lp_frame_add_column(f, "probability_1", lp_column_ref(col(pp, "probability_1")));
        put_frame(preds, split_keys[s], f);
        lp_value_unref(pr);
        lp_value_unref(pp);
    }
    return preds;
}

Test(trainers, calculate_metrics_equals_lp_metrics_compute)
{
    lp_obj *t = trainer_in(0, "XGBoostModelTrainer",
                           "problem_type: classification, training_params: {max_depth: 3, "
                           "nthread: 1, num_boost_round: 10}");
    lp_value *splits = fixture_splits("xgb", "binary", "y"), *m = fit(t, splits);
    lp_value *preds = binary_predictions(t, splits);
    const char *split_keys[] = {"train", "valid"};
    lp_value *names = lp_value_list();
    const char *metric_names[] = {"accuracy", "f1", "precision", "recall", "rocauc", "logloss"};
    for (int i = 0; i < 6; i++)
        lp_list_append(names, lp_value_string(metric_names[i]));
    lp_value *got = lp_model_trainer_calculate_metrics(t, splits, preds, names);
    cr_assert_not_null(got, "%s", lp_error_last()->message);
    cr_assert_eq(lp_map_len(got), 2);
    cr_assert_null(lp_map_get(got, "test"));
    lp_value *classes = lp_value_list();
    lp_list_append(classes, lp_value_int(0));
    lp_list_append(classes, lp_value_int(1));
    for (int s = 0; s < 2; s++) {
        lp_frame *pf = lp_value_as_frame(lp_map_get(preds, split_keys[s])), *yp, *pp;
        const char *pc = "prediction", *probs[] = {"probability_0", "probability_1"};
        lp_frame_select(&yp, pf, &pc, 1);
        lp_frame_select(&pp, pf, probs, 2);
        char key[16];
        snprintf(key, sizeof key, "y_%s", split_keys[s]);
        lp_value *want = NULL;
        cr_assert_eq(lp_metrics_compute(&want, LP_TASK_CLASSIFICATION, names,
                                        split_frame(splits, key), yp, pp, classes),
                     0, "%s", lp_error_last()->message);
        lp_value *have = lp_map_get(got, split_keys[s]);
        cr_assert_eq(lp_map_len(have), 6);
        for (int i = 0; i < 6; i++) {
            double w = lp_value_as_float(lp_map_get(want, metric_names[i]));
            double h = lp_value_as_float(lp_map_get(have, metric_names[i]));
            cr_assert_eq(w, h, "%s %s: %.17g vs %.17g", split_keys[s], metric_names[i], h, w);
        }
        cr_assert(lp_value_as_float(lp_map_get(have, "accuracy")) > 0.7);
        lp_value_unref(want);
        lp_frame_unref(yp);
        lp_frame_unref(pp);
    }
    lp_value *bad = lp_value_string("acuracy");
    expect_error(lp_model_trainer_calculate_metrics(t, splits, preds, bad), LP_ENOTFOUND,
                 "did you mean 'accuracy'");
    lp_value_unref(bad);
    lp_value_unref(classes);
    lp_value_unref(got);
    lp_value_unref(names);
    lp_value_unref(preds);
    lp_value_unref(m);
    lp_value_unref(splits);
}

Test(trainers, metric_that_cannot_be_computed_is_left_out_and_the_others_kept)
{
    /* every metric is tried at once first; rocauc fails on a split holding one
     * class, and the others come out one by one with the same values */
    lp_obj *t = trainer_in(0, "XGBoostModelTrainer",
                           "problem_type: classification, training_params: {max_depth: 3, "
                           "nthread: 1, num_boost_round: 10}");
    lp_value *splits = fixture_splits("xgb", "binary", "y"), *m = fit(t, splits);
    lp_frame *yv = split_frame(splits, "y_valid"), *Xv = split_frame(splits, "X_valid");
    size_t *ones = malloc(lp_frame_rows(yv) * sizeof *ones), n = 0;
    for (size_t i = 0; i < lp_frame_rows(yv); i++)
        if (lp_column_get_f64(lp_frame_col(yv, 0), i) == 1.0) ones[n++] = i;
    cr_assert(n > 0 && n < lp_frame_rows(yv));
    lp_frame *y1, *X1;
    cr_assert_eq(lp_frame_take(&y1, yv, ones, n), 0);
    cr_assert_eq(lp_frame_take(&X1, Xv, ones, n), 0);
    free(ones);
    put_frame(splits, "y_valid", y1);
    put_frame(splits, "X_valid", X1);
    lp_value *preds = binary_predictions(t, splits);
    lp_value *names = lp_value_list();
    lp_list_append(names, lp_value_string("accuracy"));
    lp_list_append(names, lp_value_string("rocauc"));
    lp_list_append(names, lp_value_string("recall"));
    lp_value *got = lp_model_trainer_calculate_metrics(t, splits, preds, names);
    cr_assert_not_null(got, "%s", lp_error_last()->message);
    lp_value *train = lp_map_get(got, "train"), *valid = lp_map_get(got, "valid");
    cr_assert_eq(lp_map_len(train), 3, "all three on the training split");
    cr_assert_eq(lp_map_len(valid), 2, "rocauc left out on the one-class split");
    cr_assert_null(lp_map_get(valid, "rocauc"));
    cr_assert_str_eq(lp_map_key(valid, 0), "accuracy");
    cr_assert_str_eq(lp_map_key(valid, 1), "recall");
    cr_assert_eq(lp_value_as_float(lp_map_get(valid, "recall")),
                 lp_value_as_float(lp_map_get(valid, "accuracy")),
                 "only positives: recall is accuracy");
    lp_value_unref(got);
    lp_value_unref(names);
    lp_value_unref(preds);
    lp_value_unref(m);
    lp_value_unref(splits);
}

/* ---- models: explicit argument, save and load --------------------------------------------- */

Test(trainers, predict_uses_the_model_argument_over_the_last_fitted)
{
    lp_obj *t = trainer_in(0, "XGBoostModelTrainer",
                           "problem_type: regression, training_params: {nthread: 1, "
                           "num_boost_round: 20}");
    lp_value *splits = fixture_splits("xgb", "reg", "target");
    lp_value *shallow = lp_value_map();
    lp_map_set(shallow, "max_depth", lp_value_int(1));
    lp_value *a = fit_with(t, splits, shallow);
    cr_assert_not_null(a, "%s", lp_error_last()->message);
    lp_value *pa = predict(t, splits, "X_valid", NULL);
    lp_value *b = fit(t, splits); /* max_depth 6 (XGBoost's default): a different model */
    lp_value *pb = predict(t, splits, "X_valid", NULL), *pa2 = predict(t, splits, "X_valid", a);
    same_columns(pa, pa2);
    cr_assert_neq(col(pa, "prediction")->data.f64[0], col(pb, "prediction")->data.f64[0]);
    lp_value *notmodel = lp_value_int(3), *X = lp_value_frame(split_frame(splits, "X_valid"));
    expect_error(lp_call_with(t, "predict", "frame", X, "model", notmodel, (const char *)NULL),
                 LP_EINVAL, "argument 'model' must be a model");
    lp_value_unref(pa);
    lp_value_unref(pa2);
    lp_value_unref(pb);
    lp_value_unref(a);
    lp_value_unref(b);
    lp_value_unref(splits);
}

static size_t files_in(const char *dir)
{
    DIR *d = opendir(dir);
    cr_assert_not_null(d);
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d));)
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

Test(trainers, save_and_load_predict_identically)
{
    char dir[] = "/tmp/lp_trainers_XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/model.lpmodel", dir);
    lp_obj *t = trainer_in(0, "XGBoostModelTrainer",
                           "problem_type: classification, training_params: {nthread: 1, "
                           "num_boost_round: 15}");
    lp_value *splits = fixture_splits("xgb", "multi", "colour"), *m = fit(t, splits);
    cr_assert_eq(lp_model_trainer_save(t, path), 0, "%s", lp_error_last()->message);
    cr_assert_eq(files_in(dir), 1, "no temporary file is left behind");
    lp_obj *t2 = trainer_in(1, "XGBoostModelTrainer", "problem_type: classification");
    lp_value *X = lp_value_frame(split_frame(splits, "X_valid"));
    expect_error(lp_model_trainer_predict(t2, X), LP_EWORKFLOW, "call fit or load first");
    cr_assert_eq(lp_model_trainer_load(t2, path), 0, "%s", lp_error_last()->message);
    lp_value *p1 = proba(t, splits, "X_valid", NULL), *p2 = proba(t2, splits, "X_valid", NULL);
    lp_value *l1 = predict(t, splits, "X_valid", NULL), *l2 = predict(t2, splits, "X_valid", NULL);
    same_columns(p1, p2);
    same_columns(l1, l2);
    cr_assert_neq(lp_model_trainer_load(t2, "/nonexistent/model.lpmodel"), 0);
    cr_assert_not_null(strstr(lp_error_last()->message, "/nonexistent/model.lpmodel"));
    unlink(path);
    rmdir(dir);
    lp_value_unref(X);
    lp_value_unref(p1);
    lp_value_unref(p2);
    lp_value_unref(l1);
    lp_value_unref(l2);
    lp_value_unref(m);
    lp_value_unref(splits);
}

/* The typed helpers of <lolpop/types/model_trainer.h> for the contract's
 * optional arguments pass them: fit's params, and the model of predict,
 * predict_proba, calculate_metrics and save. */
Test(trainers, typed_helpers_pass_the_optional_arguments)
{
    char dir[] = "/tmp/lp_trainers_XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/model.lpmodel", dir);
    lp_obj *t = trainer_in(0, "XGBoostModelTrainer",
                           "problem_type: regression, training_params: {nthread: 1, "
                           "num_boost_round: 20}");
    lp_value *splits = fixture_splits("xgb", "reg", "target");
    lp_value *X = lp_value_frame(split_frame(splits, "X_valid"));
    lp_value *shallow = lp_value_map(), *notmodel = lp_value_int(3);
    lp_map_set(shallow, "max_depth", lp_value_int(1));
    lp_value *a = lp_model_trainer_fit_params(t, splits, shallow);
    cr_assert_not_null(a, "%s", lp_error_last()->message);
    cr_expect_eq(lp_value_as_int(lp_map_get(lp_model_params(lp_value_as_model(a)), "max_depth")), 1,
                 "params reached fit");
    lp_value *pa = lp_model_trainer_predict(t, X), *b = fit(t, splits); /* b: max_depth 6 */
    lp_value *pb = lp_model_trainer_predict(t, X), *pa2 = lp_model_trainer_predict_model(t, X, a);
    cr_assert_not_null(pa2, "%s", lp_error_last()->message);
    same_columns(pa, pa2);
    cr_assert_neq(col(pa, "prediction")->data.f64[0], col(pb, "prediction")->data.f64[0]);
    expect_error(lp_model_trainer_predict_proba_model(t, X, notmodel), LP_EINVAL,
                 "argument 'model' must be a model");
    lp_value *preds = lp_value_map(), *names = lp_value_list();
    lp_map_set(preds, "valid", lp_value_ref(pa));
    lp_list_append(names, lp_value_string("rmse"));
    lp_value *ma = lp_model_trainer_calculate_metrics_model(t, splits, preds, names, a);
    cr_assert_not_null(ma, "%s", lp_error_last()->message);
    expect_error(lp_model_trainer_calculate_metrics_model(t, splits, preds, names, notmodel),
                 LP_EINVAL, "argument 'model' must be a model");
    /* save(path, model): a, not the last fitted b, is what load gives back */
    cr_assert_eq(lp_model_trainer_save_model(t, path, a), 0, "%s", lp_error_last()->message);
    lp_obj *t2 = trainer_in(1, "XGBoostModelTrainer", "problem_type: regression");
    cr_assert_eq(lp_model_trainer_load(t2, path), 0, "%s", lp_error_last()->message);
    lp_value *pl = lp_model_trainer_predict(t2, X);
    cr_assert_not_null(pl, "%s", lp_error_last()->message);
    same_columns(pa, pl);
    unlink(path);
    rmdir(dir);
    lp_value *values[] = {X, shallow, notmodel, a, pa, b, pb, pa2, preds, names, ma, pl};
    for (size_t i = 0; i < sizeof values / sizeof *values; i++)
        lp_value_unref(values[i]);
    lp_value_unref(splits);
}

/* ---- Titanic ----------------------------------------------------------------------------------
 */

/* Titanic split by a LocalDataSplitter of workflow `slot` (stratified, seed 7). */
static lp_value *titanic_splits(int slot)
{
    lp_obj *s = uw_component(slot, "data_splitter");
    lp_value *f = lp_value_frame(read_csv(LP_FIXTURES_DIR "/data/titanic.csv"));
    lp_frame_unref(lp_value_as_frame(f));
    lp_value *splits = lp_data_splitter_split_data(s, f);
    cr_assert_not_null(splits, "%s", lp_error_last()->message);
    lp_value_unref(f);
    return splits;
}

static const char *const splitter_section =
    "data_splitter:\n"
    "  config: {model_target: survived, split_type: stratified, seed: 7,\n"
    "           drop_columns: [alive, deck, embark_town, class, who, adult_male, alone]}\n";

Test(trainers, titanic_xgboost_classifies_an_int_target_with_native_categories)
{
    char rest[2048];
    snprintf(
        rest, sizeof rest,
        "%smodel_trainer:\n  config: {problem_type: classification,\n"
        "                  training_params: {max_depth: 3, nthread: 1, num_boost_round: 50}}\n",
        splitter_section);
    lp_obj *t = uw_build(0,
                         trainer_yaml("data_splitter: LocalDataSplitter, model_trainer: "
                                      "XGBoostModelTrainer",
                                      rest),
                         "model_trainer");
    lp_value *splits = titanic_splits(0), *m = fit(t, splits);
    lp_model *model = lp_value_as_model(m);
    cr_assert_eq(lp_model_task_of(model), LP_MODEL_BINARY);
    cr_assert_str_eq(lp_model_class_label(model, 1), "1");
    long sex = -1;
    for (size_t j = 0; j < lp_model_n_features(model); j++)
        if (strcmp(lp_model_feature_name(model, j), "sex") == 0) sex = (long)j;
    cr_assert(sex >= 0 && lp_model_feature_is_categorical(model, (size_t)sex));
    lp_value *p = proba(t, splits, "X_valid", NULL);
    cr_assert_str_eq(lp_frame_name(lp_value_as_frame(p), 0), "probability_0");
    cr_assert_str_eq(lp_frame_name(lp_value_as_frame(p), 1), "probability_1");
    lp_value *pr = predict(t, splits, "X_valid", NULL);
    lp_value *preds = lp_value_map();
    lp_frame *both = lp_frame_new();
    lp_frame_add_column(both, "prediction", lp_column_ref(col(pr, "prediction")));
    lp_frame_add_column(both, "probability_0", lp_column_ref(col(p, "probability_0")));
    lp_frame_add_column(both, "probability_1", lp_column_ref(col(p, "probability_1")));
    put_frame(preds, "valid", both);
    lp_value *names = lp_value_string("accuracy");
    lp_value *mt = lp_model_trainer_calculate_metrics(t, splits, preds, names);
    cr_assert_not_null(mt, "%s", lp_error_last()->message);
    double acc = lp_value_as_float(lp_map_get(lp_map_get(mt, "valid"), "accuracy"));
    cr_assert(acc > 0.75 && acc < 0.95, "valid accuracy %.3f", acc);
    lp_value_unref(mt);
    lp_value_unref(names);
    lp_value_unref(preds);
    lp_value_unref(pr);
    lp_value_unref(p);
    lp_value_unref(m);
    lp_value_unref(splits);
}

static const char *const ft_section =
    "feature_transformer:\n"
    "  config:\n"
    "    transformers:\n"
    "      - {transformer: SimpleImputer, columns: [age], params: {strategy: median}}\n"
    "      - {transformer: OneHotEncoder, columns: [sex, embarked]}\n";

static lp_obj *titanic_linear_workflow(int slot, bool with_ft)
{
    char rest[4096];
    snprintf(rest, sizeof rest,
             "%s%smodel_trainer:\n  config: {problem_type: classification,\n"
             "                  training_params: {C: 0.5, eps: 1e-8}}\n",
             splitter_section, with_ft ? ft_section : "");
    char comp[256];
    snprintf(comp, sizeof comp,
             "data_splitter: LocalDataSplitter, model_trainer: LinearModelTrainer%s",
             with_ft ? ", feature_transformer: LocalFeatureTransformer" : "");
    return uw_build(slot, trainer_yaml(comp, rest), "model_trainer");
}

Test(trainers, feature_transformer_state_travels_with_the_model)
{
    lp_obj *t = titanic_linear_workflow(0, true);
    lp_value *splits = titanic_splits(0), *m = fit(t, splits);
    lp_model *model = lp_value_as_model(m);
    size_t len = 0;
    const uint8_t *cls = lp_model_attachment(model, "feature_transformer.class", &len);
    cr_assert(cls && len == 23 && memcmp(cls, "LocalFeatureTransformer", 23) == 0);
    cr_assert_not_null(lp_model_attachment(model, "feature_transformer.state", &len));
    cr_assert_str_eq(lp_value_as_string(lp_map_get(lp_model_params(model), "model")), "logistic",
                     "problem_type classification picks logistic");
    lp_value *p = proba(t, splits, "X_valid", NULL);

    /* the same by hand: the transformer fitted on X_train, liblinear on its output */
    lp_obj *ft = uw_component(0, "feature_transformer");
    lp_value *Xt = lp_value_frame(split_frame(splits, "X_train"));
    lp_value *Xv = lp_value_frame(split_frame(splits, "X_valid"));
    cr_assert_eq(lp_feature_transformer_fit(ft, Xt, lp_map_get(splits, "y_train")), 0);
    lp_value *Tt = lp_feature_transformer_transform(ft, Xt),
             *Tv = lp_feature_transformer_transform(ft, Xv);
    cr_assert_not_null(Tt, "%s", lp_error_last()->message);
    cr_assert_not_null(lp_frame_col_by_name(lp_value_as_frame(Tt), "sex_male"), "one-hot columns");
    lp_value *params = lp_value_map();
    lp_map_set(params, "model", lp_value_string("logistic"));
    lp_map_set(params, "C", lp_value_float(0.5));
    lp_map_set(params, "eps", lp_value_float(1e-8));
    lp_model *hand = NULL;
    cr_assert_eq(
        lp_linear_train(&hand, lp_value_as_frame(Tt), split_frame(splits, "y_train"), params), 0,
        "%s", lp_error_last()->message);
    lp_frame *hp = NULL;
    cr_assert_eq(lp_model_predict_proba(&hp, hand, lp_value_as_frame(Tv)), 0);
    for (size_t i = 0; i < lp_frame_rows(hp); i++)
        cr_assert_eq(lp_frame_col(hp, 1)->data.f64[i], col(p, "probability_1")->data.f64[i],
                     "row %zu", i);
    double acc = 0;
    lp_value *pr = predict(t, splits, "X_valid", NULL);
    const lp_column *y = lp_frame_col(split_frame(splits, "y_valid"), 0),
                    *l = col(pr, "prediction");
    for (size_t i = 0; i < y->length; i++)
        acc += y->data.i64[i] == l->data.i64[i];
    cr_assert(acc / (double)y->length > 0.7, "accuracy %.3f", acc / (double)y->length);

    /* saved and loaded where a fresh (unfitted) transformer of the same class is visible */
    char path[] = "/tmp/lp_ft_model_XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    cr_assert_eq(lp_model_trainer_save(t, path), 0, "%s", lp_error_last()->message);
    lp_obj *t2 = titanic_linear_workflow(1, true);
    cr_assert_eq(lp_model_trainer_load(t2, path), 0, "%s", lp_error_last()->message);
    lp_value *p2 = proba(t2, splits, "X_valid", NULL);
    same_columns(p, p2);
    lp_value_unref(p2);

    /* where no transformer is visible, the model applies its own saved state */
    lp_obj *t3 = titanic_linear_workflow(1, false);
    cr_assert_eq(lp_model_trainer_load(t3, path), 0, "%s", lp_error_last()->message);
    lp_value *p3 = proba(t3, splits, "X_valid", NULL);
    same_columns(p, p3);
    lp_value_unref(p3);
    unlink(path);

    lp_frame_unref(hp);
    lp_model_unref(hand);
    lp_value_unref(params);
    lp_value_unref(Tt);
    lp_value_unref(Tv);
    lp_value_unref(Xt);
    lp_value_unref(Xv);
    lp_value_unref(pr);
    lp_value_unref(p);
    lp_value_unref(m);
    lp_value_unref(splits);
}

Test(trainers, shared_transformer_refitted_by_another_fit_is_reloaded)
{
    lp_obj *t = titanic_linear_workflow(0, true);
    lp_value *splits = titanic_splits(0), *a = fit(t, splits);
    lp_value *pa = proba(t, splits, "X_valid", NULL);
    /* the transformer is refitted on other rows (the validation split) ... */
    lp_obj *ft = uw_component(0, "feature_transformer");
    lp_value *Xv = lp_value_frame(split_frame(splits, "X_valid"));
    cr_assert_eq(lp_feature_transformer_fit(ft, Xv, NULL), 0, "%s", lp_error_last()->message);
    /* ... and predictions with model a still use a's state */
    lp_value *pa2 = proba(t, splits, "X_valid", a);
    same_columns(pa, pa2);
    lp_value_unref(Xv);
    lp_value_unref(pa);
    lp_value_unref(pa2);
    lp_value_unref(a);
    lp_value_unref(splits);
}

/* ---- liblinear against scikit-learn ---------------------------------------------------------- */

Test(trainers, linear_defaults_follow_problem_type_and_match_sklearn)
{
    lp_obj *t = trainer_in(0, "LinearModelTrainer",
                           "problem_type: regression, training_params: {C: 0.7, eps: 1e-10}");
    lp_value *splits = fixture_splits("linear", "regression", "y"), *m = fit(t, splits);
    cr_assert_str_eq(lp_value_as_string(lp_map_get(lp_model_params(lp_value_as_model(m)), "model")),
                     "ridge");
    lp_value *pred = predict(t, splits, "X_valid", NULL);
    check_close(col(pred, "prediction"), json_object_get(xcase(lin_expected, "ridge"), "values"), 1,
                0, "ridge");
    lp_value_unref(pred);
    lp_value_unref(m);
    lp_value_unref(splits);

    t = trainer_in(1, "LinearModelTrainer",
                   "problem_type: classification, training_params: {C: 0.5, eps: 1e-10}");
    splits = fixture_splits("linear", "logistic_binary", "y");
    m = fit(t, splits);
    lp_value *p = proba(t, splits, "X_valid", NULL);
    json_t *want = json_object_get(xcase(lin_expected, "logistic_binary"), "proba");
    check_close(col(p, "probability_0"), want, 2, 0, "P(0)");
    check_close(col(p, "probability_1"), want, 2, 1, "P(1)");
    lp_value_unref(p);
    lp_value_unref(m);
    lp_value_unref(splits);
}

Test(trainers, linear_svm_gives_labels_but_refuses_probabilities)
{
    lp_obj *t = trainer_in(0, "LinearModelTrainer",
                           "problem_type: classification, training_params: {model: svm, C: 0.05, "
                           "eps: 1e-10}");
    lp_value *splits = fixture_splits("linear", "logistic_binary", "y"), *m = fit(t, splits);
    lp_value *pred = predict(t, splits, "X_valid", NULL);
    json_t *want = json_object_get(xcase(lin_expected, "svm_binary"), "labels");
    const lp_column *l = col(pred, "prediction");
    for (size_t i = 0; i < l->length; i++)
        cr_assert_eq(l->data.i64[i], atoll(json_string_value(json_array_get(want, i))));
    lp_value *X = lp_value_frame(split_frame(splits, "X_valid"));
    expect_error(lp_model_trainer_predict_proba(t, X), LP_EINVAL, "no probabilities");
    lp_value_unref(X);
    lp_value_unref(pred);
    lp_value_unref(m);
    lp_value_unref(splits);
}

/* ---- errors -------------------------------------------------------------------------------------
 */

Test(trainers, linear_without_transformer_names_the_string_feature)
{
    lp_obj *t = titanic_linear_workflow(0, false);
    lp_value *splits = titanic_splits(0);
    expect_error(lp_model_trainer_fit(t, splits), LP_EINVAL, "feature 'sex' is string");
    cr_assert_not_null(strstr(lp_error_last()->message, "feature_transformer"));
    lp_value_unref(splits);
}

Test(trainers, unknown_xgboost_parameter_is_a_located_config_error)
{
    int rc =
        try_trainer_workflow(0, "model_trainer: XGBoostModelTrainer",
                             "model_trainer:\n  config:\n    training_params: {max_dept: 3}\n");
    cr_assert_eq(rc, LP_ECONFIG);
    const lp_error *e = lp_error_last();
    cr_assert_not_null(strstr(e->message, "unknown XGBoost parameter 'max_dept'"), "%s",
                       e->message);
    cr_assert_not_null(strstr(e->message, "did you mean 'max_depth'"), "%s", e->message);
    cr_assert_str_eq(e->file, "t.yaml");
    cr_assert_eq(e->line, 4, "line %d col %d", e->line, e->col);

    lp_obj *t = trainer_in(0, "XGBoostModelTrainer", "problem_type: regression");
    lp_value *splits = fixture_splits("xgb", "reg", "target"), *over = lp_value_map();
    lp_map_set(over, "etaa", lp_value_float(0.1));
    expect_error(fit_with(t, splits, over), LP_ECONFIG, "unknown XGBoost parameter 'etaa'");
    lp_value_unref(splits);
}

/* Builds a workflow whose model_trainer is cls with `config` and asserts that
 * the build is refused (LP_ECONFIG) with an error diagnostic containing
 * `message`: check_config ran before anything else. */
static void expect_refused_trainer(const char *cls, const char *config, const char *message)
{
    char comp[128], rest[2048];
    snprintf(comp, sizeof comp, "model_trainer: %s", cls);
    snprintf(rest, sizeof rest, "model_trainer:\n  config: {%s}\n", config);
    cr_assert_eq(try_trainer_workflow(0, comp, rest), LP_ECONFIG, "%s: built", config);
    const lp_diags *d = uw_diags();
    bool found = false;
    for (size_t i = 0; i < d->len && !found; i++)
        found = d->items[i].severity == LP_SEV_ERROR && strstr(d->items[i].message, message);
    cr_assert(found, "%s: no error with \"%s\" (%zu diagnostics; first: %s)", config, message,
              d->len, d->len ? d->items[0].message : "-");
}

Test(trainers, xgboost_check_config_refuses_values_xgboost_would_refuse)
{
    expect_refused_trainer("XGBoostModelTrainer", "training_params: {max_depth: -2}",
                           "training_params: XGBoost parameter 'max_depth' must be an integer >= "
                           "0 (got -2)");
    expect_refused_trainer("XGBoostModelTrainer", "training_params: {eta: fast}",
                           "XGBoost parameter 'eta' must be a number >= 0 (got \"fast\")");
    expect_refused_trainer("XGBoostModelTrainer", "training_params: {subsample: 0}",
                           "XGBoost parameter 'subsample' must be a number in (0, 1] (got 0)");
    expect_refused_trainer("XGBoostModelTrainer", "training_params: {tree_method: hsit}",
                           "unknown value 'hsit'; did you mean 'hist'?");
    lp_obj *t = trainer_in(0, "XGBoostModelTrainer",
                           "problem_type: classification, training_params: {max_depth: 3.0, eta: "
                           "'0.3', subsample: 1, tree_method: hist, seed: -1, base_score: 0.5}");
    cr_assert_not_null(t, "a good configuration builds");
}

Test(trainers, problem_type_conflicts_are_config_errors)
{
    expect_refused_trainer("LinearModelTrainer",
                           "problem_type: classification, training_params: {model: ridge}",
                           "model 'ridge' is for regression but problem_type is classification");
    /* fit's params argument is seen only at fit */
    lp_obj *t = trainer_in(0, "LinearModelTrainer", "problem_type: classification");
    lp_value *splits = fixture_splits("linear", "logistic_binary", "y");
    lp_value *params = lp_value_map();
    cr_assert_eq(lp_map_set(params, "model", lp_value_string("ridge")), 0);
    expect_error(fit_with(t, splits, params), LP_ECONFIG,
                 "model 'ridge' is for regression but problem_type is classification");
    lp_value_unref(splits);

    expect_refused_trainer(
        "XGBoostModelTrainer",
        "problem_type: regression, training_params: {objective: 'binary:logistic'}",
        "objective 'binary:logistic' is a classification objective");
    t = trainer_in(0, "XGBoostModelTrainer", "problem_type: regression");
    splits = fixture_splits("xgb", "binary", "y");
    params = lp_value_map();
    cr_assert_eq(lp_map_set(params, "objective", lp_value_string("binary:logistic")), 0);
    expect_error(fit_with(t, splits, params), LP_ECONFIG,
                 "objective 'binary:logistic' is a classification objective");
    lp_value_unref(splits);

    cr_assert_eq(try_trainer_workflow(0, "model_trainer: XGBoostModelTrainer",
                                      "model_trainer:\n  config: {problem_type: classifcation}\n"),
                 LP_ECONFIG);
    cr_assert_not_null(strstr(lp_error_last()->message, "did you mean 'classification'"), "%s",
                       lp_error_last()->message);
}

Test(trainers, missing_feature_is_named)
{
    lp_obj *t = trainer_in(0, "XGBoostModelTrainer",
                           "problem_type: regression, training_params: {num_boost_round: 2}");
    lp_value *splits = fixture_splits("xgb", "reg", "target"), *m = fit(t, splits);
    lp_frame *X = split_frame(splits, "X_valid"), *fewer = NULL;
    const char *drop[] = {"x2"};
    cr_assert_eq(lp_frame_drop(&fewer, X, drop, 1), 0);
    lp_value *fv = lp_value_frame(fewer);
    lp_frame_unref(fewer);
    lp_value *r = lp_model_trainer_predict(t, fv);
    cr_assert_null(r);
    cr_assert_not_null(strstr(lp_error_last()->message, "'x2'"), "%s", lp_error_last()->message);
    lp_value_unref(fv);
    lp_value_unref(m);
    lp_value_unref(splits);
}

/* The training split is scored from XGBoost's prediction cache right after a
 * fit (and predict_proba reuses predict's pass): the numbers must equal a
 * fresh prediction on an equal frame that is not the cached one. */
Test(trainers, cached_training_predictions_equal_fresh_ones)
{
    char rest[2048];
    snprintf(
        rest, sizeof rest,
        "%smodel_trainer:\n  config: {problem_type: classification,\n"
        "                  training_params: {max_depth: 4, nthread: 1, num_boost_round: 30}}\n",
        splitter_section);
    lp_obj *t = uw_build(0,
                         trainer_yaml("data_splitter: LocalDataSplitter, model_trainer: "
                                      "XGBoostModelTrainer",
                                      rest),
                         "model_trainer");
    lp_value *splits = titanic_splits(0), *m = fit(t, splits);
    lp_value *cached = predict(t, splits, "X_train", NULL);
    lp_value *cached_p = proba(t, splits, "X_train", NULL);
    /* The same rows in a new frame: no cache applies. */
    lp_frame *copy = NULL;
    lp_frame *X = split_frame(splits, "X_train");
    const char **names = calloc(lp_frame_cols(X), sizeof *names);
    for (size_t j = 0; j < lp_frame_cols(X); j++)
        names[j] = lp_frame_name(X, j);
    cr_assert_eq(lp_frame_select(&copy, X, names, lp_frame_cols(X)), 0);
    free(names);
    lp_value *fresh_splits = lp_value_map();
    lp_map_set(fresh_splits, "X_train", lp_value_frame(copy));
    lp_frame_unref(copy);
    lp_value *fresh = predict(t, fresh_splits, "X_train", NULL);
    lp_value *fresh_p = proba(t, fresh_splits, "X_train", NULL);
    same_columns(cached, fresh);
    same_columns(cached_p, fresh_p);
    lp_value_unref(cached);
    lp_value_unref(cached_p);
    lp_value_unref(fresh);
    lp_value_unref(fresh_p);
    lp_value_unref(fresh_splits);
    lp_value_unref(m);
    lp_value_unref(splits);
}

/* ---- the trainer kit with a descriptor compiled against another lolpop ------------------ */

static int never_train(lp_model **out, lp_obj *self, lp_trainer_data *d, const lp_value *params)
{
    return lp_error_set(LP_ERROR, "not reached");
}

/* A back-end description claiming a size this lolpop does not know. */
static lp_trainer_backend future_backend = {
    .size = sizeof(lp_trainer_backend) + 16, .cls = "FutureTrainer", .train = never_train};

static int future_init(lp_obj *self)
{
    return lp_trainer_init(self, &future_backend);
}

static const lp_method future_methods[] = {
    {"fit", lp_trainer_fit, ""},
    {"predict", lp_trainer_predict, ""},
    {"predict_proba", lp_trainer_predict_proba, ""},
    {"calculate_metrics", lp_trainer_calculate_metrics, ""},
    {"save", lp_trainer_save, ""},
    {"load", lp_trainer_load, ""},
    {NULL, NULL, NULL},
};

static const char *const no_requirements[] = {NULL};

static const lp_class future_class = {
    .name = "FutureTrainer",
    .kind = LP_KIND_COMPONENT,
    .type = "model_trainer",
    .doc = "",
    .requirements = no_requirements,
    .methods = future_methods,
    .state_size = sizeof(lp_trainer_state),
    .init = future_init,
    .fini = lp_trainer_fini,
};

Test(trainers, kit_refuses_a_backend_description_of_another_size)
{
    cr_assert_eq(lp_registry_add_class(uw_registry(), &future_class), 0, "%s",
                 lp_error_last()->message);
    cr_assert_neq(try_trainer_workflow(0, "model_trainer: FutureTrainer", ""), 0);
    char want[200];
    snprintf(want, sizeof want, "the trainer back-end descriptor has %zu bytes",
             sizeof(lp_trainer_backend) + 16);
    bool found = strstr(lp_error_last()->message, want) != NULL;
    for (size_t i = 0; !found && i < uw_diags()->len; i++)
        found = strstr(uw_diags()->items[i].message, want) != NULL;
    cr_assert(found, "%s", lp_error_last()->message);
    /* the size it was built with: accepted */
    future_backend.size = sizeof(lp_trainer_backend);
    future_backend.cls = "FutureTrainer";
    cr_assert_not_null(trainer_in(1, "FutureTrainer", ""), "%s", lp_error_last()->message);
}

/* ---- check_config: values found before any data ---------------------------------------------- */

Test(trainers, linear_check_config_refuses_values_liblinear_would_refuse)
{
    expect_refused_trainer("LinearModelTrainer", "training_params: {C: -1}",
                           "training_params: liblinear parameter C must be > 0 (got -1)");
    expect_refused_trainer("LinearModelTrainer", "training_params: {eps: fast}",
                           "liblinear parameter eps must be a number");
    expect_refused_trainer("LinearModelTrainer", "training_params: {model: logistik}",
                           "did you mean 'logistic'?");
    expect_refused_trainer("LinearModelTrainer",
                           "problem_type: regression, training_params: {model: logistic}",
                           "model 'logistic' is for classification but problem_type is "
                           "regression (use ridge or svr)");
    lp_obj *t = trainer_in(0, "LinearModelTrainer",
                           "problem_type: classification, training_params: {model: svm, C: 0.5, "
                           "eps: 1e-6, bias: false, standardize: true}");
    cr_assert_not_null(t, "a good configuration builds");
}
