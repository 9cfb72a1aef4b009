/* Unit tests for the XGBoost back-end (src/ml/xgb.c): predictions equal to
 * python3-xgboost 1.7.4's (bit-identical in practice; checked to 1e-6) on the same data and
 * parameters (fixtures from tests/fixtures/gen_xgb.py), early stopping, labels, save/load, bad
 * input. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lolpop.h"
#include "ml/model_internal.h"
#include "ml/xgb.h"
#include "ml/xgb_internal.h"
#include "unit_workflow.h"

#define XGB_FIX LP_FIXTURES_DIR "/xgb"

static json_t *expected;

static void load_expected(void)
{
    json_error_t jerr;
    expected = json_load_file(XGB_FIX "/expected.json", 0, &jerr);
    cr_assert_not_null(expected, "expected.json: %s", jerr.text);
    uw_setup(); /* uw_registry(): the built-in plugin, where the model back-ends are */
}

static void free_expected(void)
{
    json_decref(expected);
    uw_teardown();
}

TestSuite(xgb, .init = load_expected, .fini = free_expected);

static json_t *xcase(const char *name)
{
    json_t *c = json_object_get(json_object_get(expected, "cases"), name);
    cr_assert_not_null(c, "no case %s", name);
    return c;
}

static lp_frame *read_csv(const char *path)
{
    lp_frame *f = NULL;
    cr_assert_eq(lp_csv_read(&f, path, NULL), 0, "%s: %s", path, lp_error_last()->message);
    return f;
}

/* Splits <case>_<split>.csv into features and the target column. */
static void load_split(const char *c, const char *split, const char *target, lp_frame **X,
                       lp_frame **y)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s_%s.csv", XGB_FIX, c, split);
    lp_frame *f = read_csv(path);
    const char *names[] = {target};
    cr_assert_eq(lp_frame_drop(X, f, names, 1), 0);
    cr_assert_eq(lp_frame_select(y, f, names, 1), 0);
    lp_frame_unref(f);
}

/* The case's params as an lp_value map (JSON ints → int, reals → float). */
static lp_value *case_params(const json_t *c)
{
    lp_value *p = lp_value_map();
    const char *k;
    json_t *v;
    json_object_foreach(json_object_get(c, "params"), k, v)
    {
        lp_value *x = json_is_integer(v) ? lp_value_int(json_integer_value(v))
                      : json_is_real(v)  ? lp_value_float(json_real_value(v))
                                         : lp_value_string(json_string_value(v));
        lp_map_set(p, k, x);
    }
    lp_map_set(p, "num_boost_round",
               lp_value_int(json_integer_value(json_object_get(c, "num_boost_round"))));
    if (json_object_get(c, "early_stopping_rounds"))
        lp_map_set(p, "early_stopping_rounds",
                   lp_value_int(json_integer_value(json_object_get(c, "early_stopping_rounds"))));
    return p;
}

static void check_close(const json_t *want, const double *got, size_t n, size_t stride, size_t off,
                        const char *what)
{
    cr_assert_eq(json_array_size(want), n, "%s: %zu expected values, %zu rows", what,
                 json_array_size(want), n);
    for (size_t i = 0; i < n; i++) {
        double w = json_real_value(json_array_get(want, i)), g = got[i * stride + off];
        double d = fabs(w - g);
        cr_assert(d <= 1e-6, "%s row %zu: python-xgboost %.9g, lolpop %.9g", what, i, w, g);
    }
}

typedef struct trained {
    lp_model *m;
    lp_frame *Xv, *yv;
    lp_xgb_report rep;
} trained;

/* Trains on the data of case `data` with the parameters of case `params`. */
static trained train_with(const char *data, const char *params, const char *target)
{
    trained t = {0};
    lp_frame *Xt, *yt;
    load_split(data, "train", target, &Xt, &yt);
    load_split(data, "valid", target, &t.Xv, &t.yv);
    lp_value *p = case_params(xcase(params));
    int rc = lp_xgb_train(&t.m, Xt, yt, t.Xv, t.yv, p, &t.rep);
    cr_assert_eq(rc, 0, "train %s: %s", params, lp_error_last()->message);
    lp_value_unref(p);
    lp_frame_unref(Xt);
    lp_frame_unref(yt);
    return t;
}

static trained train_case(const char *c, const char *target)
{
    return train_with(c, c, target);
}

static void trained_free(trained *t)
{
    lp_model_unref(t->m);
    lp_frame_unref(t->Xv);
    lp_frame_unref(t->yv);
    lp_xgb_report_free(&t->rep);
}

Test(xgb, binary_int_target_matches_python)
{
    trained t = train_case("binary", "y");
    cr_assert_eq(lp_model_task_of(t.m), LP_MODEL_BINARY);
    cr_assert_eq(lp_model_n_classes(t.m), 2);
    cr_assert_str_eq(lp_model_class_label(t.m, 0), "0");
    cr_assert_str_eq(lp_model_class_label(t.m, 1), "1");
    cr_assert_eq(t.rep.rounds, 20);
    cr_assert_eq(t.rep.best_iteration, 19);
    double *raw;
    cr_assert_eq(lp_model_predict_raw(&raw, t.m, t.Xv), 0, "%s", lp_error_last()->message);
    size_t n = lp_frame_rows(t.Xv);
    check_close(json_object_get(xcase("binary"), "proba1"), raw, n, 2, 1, "binary P(1)");
    for (size_t i = 0; i < n; i++)
        cr_assert_float_eq(raw[2 * i] + raw[2 * i + 1], 1.0, 1e-12);
    /* labels come back as the target's type (int64) */
    lp_frame *pred;
    cr_assert_eq(lp_model_predict(&pred, t.m, t.Xv), 0);
    lp_column *pc = lp_frame_col_by_name(pred, "prediction");
    cr_assert_eq(pc->type, LP_DT_INT64);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(pc->data.i64[i], raw[2 * i + 1] > raw[2 * i] ? 1 : 0);
    lp_frame_unref(pred);
    free(raw);
    trained_free(&t);
}

Test(xgb, early_stopping_matches_python)
{
    json_t *c = xcase("early");
    trained t = train_with("binary", "early", "y");
    int best = (int)json_integer_value(json_object_get(c, "best_iteration"));
    cr_assert_eq(t.rep.best_iteration, best);
    cr_assert(t.rep.stopped_early);
    cr_assert_eq(t.rep.rounds, best + 1 + 5, "stops 5 rounds after the best");
    cr_assert_str_eq(t.rep.metric, "logloss");
    cr_assert_float_eq(t.rep.best_score, json_real_value(json_object_get(c, "best_score")), 1e-9);
    cr_assert_float_eq(t.rep.valid_scores[best], t.rep.best_score, 0);
    for (int i = 0; i < t.rep.rounds; i++)
        cr_assert_geq(t.rep.valid_scores[i], t.rep.best_score);
    cr_assert_eq(lp_value_as_int(lp_map_get(lp_model_params(t.m), "best_iteration")), best);
    double *raw;
    cr_assert_eq(lp_model_predict_raw(&raw, t.m, t.Xv), 0);
    check_close(json_object_get(c, "proba1"), raw, lp_frame_rows(t.Xv), 2, 1, "early P(1)");
    free(raw);
    trained_free(&t);
}

Test(xgb, multiclass_string_labels_match_python)
{
    json_t *c = xcase("multi");
    trained t = train_case("multi", "colour");
    cr_assert_eq(lp_model_task_of(t.m), LP_MODEL_MULTICLASS);
    json_t *labels = json_object_get(c, "labels");
    cr_assert_eq(lp_model_n_classes(t.m), json_array_size(labels));
    for (size_t k = 0; k < json_array_size(labels); k++)
        cr_assert_str_eq(lp_model_class_label(t.m, k),
                         json_string_value(json_array_get(labels, k)));
    cr_assert_eq(lp_value_as_int(lp_map_get(lp_model_params(t.m), "num_class")), 3);
    size_t n = lp_frame_rows(t.Xv);
    lp_frame *proba;
    cr_assert_eq(lp_model_predict_proba(&proba, t.m, t.Xv), 0, "%s", lp_error_last()->message);
    cr_assert_eq(lp_frame_cols(proba), 3);
    double *flat = malloc(n * 3 * sizeof *flat);
    for (size_t k = 0; k < 3; k++) {
        cr_assert_str_eq(lp_frame_name(proba, k), lp_model_class_label(t.m, k));
        for (size_t i = 0; i < n; i++)
            flat[i * 3 + k] = lp_frame_col(proba, k)->data.f64[i];
    }
    json_t *want = json_object_get(c, "proba");
    json_t *col = json_array();
    for (size_t k = 0; k < 3; k++) {
        json_array_clear(col);
        for (size_t i = 0; i < n; i++)
            json_array_append(col, json_array_get(want, i * 3 + k));
        check_close(col, flat, n, 3, k, "multiclass proba");
    }
    json_decref(col);
    /* predictions are the original label text */
    lp_frame *pred;
    cr_assert_eq(lp_model_predict(&pred, t.m, t.Xv), 0);
    lp_column *pc = lp_frame_col(pred, 0);
    cr_assert_eq(pc->type, LP_DT_STRING);
    size_t agree = 0;
    for (size_t i = 0; i < n; i++) {
        size_t best = 0, len, tlen;
        for (size_t k = 1; k < 3; k++)
            if (flat[i * 3 + k] > flat[i * 3 + best]) best = k;
        const char *s = lp_column_str(pc, i, &len);
        cr_assert_eq(len, strlen(lp_model_class_label(t.m, best)));
        cr_assert(memcmp(s, lp_model_class_label(t.m, best), len) == 0);
        const char *truth = lp_column_str(lp_frame_col(t.yv, 0), i, &tlen);
        agree += tlen == len && memcmp(truth, s, len) == 0;
    }
    cr_assert_gt(agree, n / 2, "a real model: most predictions right (%zu of %zu)", agree, n);
    free(flat);
    lp_frame_unref(pred);
    lp_frame_unref(proba);
    trained_free(&t);
}

Test(xgb, regression_matches_python)
{
    trained t = train_case("reg", "target");
    cr_assert_eq(lp_model_task_of(t.m), LP_MODEL_REGRESSION);
    cr_assert_str_eq(lp_value_as_string(lp_map_get(lp_model_params(t.m), "objective")),
                     "reg:squarederror");
    lp_frame *pred;
    cr_assert_eq(lp_model_predict(&pred, t.m, t.Xv), 0);
    check_close(json_object_get(xcase("reg"), "pred"), lp_frame_col(pred, 0)->data.f64,
                lp_frame_rows(t.Xv), 1, 0, "regression");
    lp_frame *dummy;
    cr_assert_neq(lp_model_predict_proba(&dummy, t.m, t.Xv), 0);
    lp_frame_unref(pred);
    trained_free(&t);
}

Test(xgb, native_categorical_matches_python)
{
    json_t *c = xcase("cat");
    trained t = train_case("cat", "y");
    long j = -1;
    for (size_t k = 0; k < lp_model_n_features(t.m); k++)
        if (strcmp(lp_model_feature_name(t.m, k), "colour") == 0) j = (long)k;
    cr_assert_geq(j, 0);
    cr_assert(lp_model_feature_is_categorical(t.m, (size_t)j));
    json_t *cats = json_object_get(c, "categories");
    cr_assert_eq(lp_model_n_categories(t.m, (size_t)j), json_array_size(cats));
    for (size_t k = 0; k < json_array_size(cats); k++)
        cr_assert_str_eq(lp_model_category(t.m, (size_t)j, k),
                         json_string_value(json_array_get(cats, k)));
    cr_assert_str_eq(lp_value_as_string(lp_map_get(lp_model_params(t.m), "tree_method")), "hist");
    lp_frame *pred;
    cr_assert_eq(lp_model_predict(&pred, t.m, t.Xv), 0, "%s", lp_error_last()->message);
    /* rows 0, 5, 9 hold the unseen "purple": missing, as pandas makes it */
    check_close(json_object_get(c, "pred"), lp_frame_col(pred, 0)->data.f64, lp_frame_rows(t.Xv), 1,
                0, "categorical");
    lp_frame_unref(pred);
    trained_free(&t);
}

Test(xgb, save_load_gives_identical_predictions)
{
    const char *cases[][2] = {{"multi", "colour"}, {"cat", "y"}};
    for (size_t ci = 0; ci < 2; ci++) {
        trained t = train_case(cases[ci][0], cases[ci][1]);
        uint8_t *buf;
        size_t len;
        cr_assert_eq(lp_model_save(&buf, &len, t.m), 0, "%s", lp_error_last()->message);
        lp_model *m2;
        cr_assert_eq(lp_model_load(&m2, uw_registry(), buf, len), 0, "%s",
                     lp_error_last()->message);
        cr_assert_str_eq(lp_model_backend(m2), "xgboost");
        cr_assert_eq(lp_model_task_of(m2), lp_model_task_of(t.m));
        cr_assert_str_eq(lp_model_target(m2), cases[ci][1]);
        cr_assert_eq(lp_model_n_features(m2), lp_model_n_features(t.m));
        cr_assert_eq(lp_model_n_classes(m2), lp_model_n_classes(t.m));
        cr_assert(lp_value_equal(lp_model_params(m2), lp_model_params(t.m)));
        double *a, *b;
        cr_assert_eq(lp_model_predict_raw(&a, t.m, t.Xv), 0);
        cr_assert_eq(lp_model_predict_raw(&b, m2, t.Xv), 0, "%s", lp_error_last()->message);
        size_t n = lp_frame_rows(t.Xv) * lp_model_n_outputs(t.m);
        cr_assert(memcmp(a, b, n * sizeof *a) == 0, "%s: predictions differ after load",
                  cases[ci][0]);
        /* saving again gives the same bytes: the hash is stable */
        uint8_t *buf2;
        size_t len2;
        cr_assert_eq(lp_model_save(&buf2, &len2, m2), 0);
        cr_assert_eq(len2, len);
        cr_assert(memcmp(buf, buf2, len) == 0);
        free(a);
        free(b);
        free(buf);
        free(buf2);
        lp_model_unref(m2);
        trained_free(&t);
    }
}

Test(xgb, early_stopped_model_keeps_best_iteration_after_load)
{
    json_t *c = xcase("early");
    lp_frame *Xt, *yt, *Xv, *yv;
    load_split("binary", "train", "y", &Xt, &yt);
    load_split("binary", "valid", "y", &Xv, &yv);
    lp_value *p = case_params(c);
    lp_model *m, *m2;
    cr_assert_eq(lp_xgb_train(&m, Xt, yt, Xv, yv, p, NULL), 0);
    uint8_t *buf;
    size_t len;
    cr_assert_eq(lp_model_save(&buf, &len, m), 0);
    cr_assert_eq(lp_model_load(&m2, uw_registry(), buf, len), 0, "%s", lp_error_last()->message);
    double *raw;
    cr_assert_eq(lp_model_predict_raw(&raw, m2, Xv), 0);
    check_close(json_object_get(c, "proba1"), raw, lp_frame_rows(Xv), 2, 1, "loaded early P(1)");
    free(raw);
    free(buf);
    lp_model_unref(m);
    lp_model_unref(m2);
    lp_value_unref(p);
    lp_frame_unref(Xt);
    lp_frame_unref(yt);
    lp_frame_unref(Xv);
    lp_frame_unref(yv);
}

/* ---- bad input ------------------------------------------------------------- */

static lp_frame *frame_from(const char *csv)
{
    lp_frame *f = NULL;
    cr_assert_eq(lp_csv_read_buffer(&f, csv, strlen(csv), "test.csv", NULL), 0, "%s",
                 lp_error_last()->message);
    return f;
}

static void split_xy(const char *csv, const char *target, lp_frame **X, lp_frame **y)
{
    lp_frame *f = frame_from(csv);
    const char *names[] = {target};
    cr_assert_eq(lp_frame_drop(X, f, names, 1), 0);
    cr_assert_eq(lp_frame_select(y, f, names, 1), 0);
    lp_frame_unref(f);
}

/* Trains on csv; returns the rc and leaves the message in the last error. */
static int try_train(const char *csv, const char *target, lp_value *params)
{
    lp_frame *X, *y;
    split_xy(csv, target, &X, &y);
    lp_model *m = NULL;
    int rc = lp_xgb_train(&m, X, y, NULL, NULL, params, NULL);
    cr_assert(rc != 0 || m);
    lp_model_unref(m);
    lp_frame_unref(X);
    lp_frame_unref(y);
    lp_value_unref(params);
    return rc;
}

#define SMALL "a,b,label\n1,2,cat\n2,1,dog\n3,3,cat\n4,0,dog\n5,1,cat\n6,2,dog\n"

Test(xgb, unknown_param_suggests_closest)
{
    lp_value *p = lp_map_put(lp_value_map(), "max_dpth", lp_value_int(3));
    cr_assert_eq(try_train(SMALL, "label", p), LP_ECONFIG);
    cr_assert_str_eq(lp_error_last()->message,
                     "unknown XGBoost parameter 'max_dpth'; did you mean 'max_depth'?");
}

Test(xgb, small_string_target_round_trips_labels)
{
    lp_frame *X, *y;
    split_xy(SMALL, "label", &X, &y);
    lp_value *p = lp_map_put(lp_map_put(lp_value_map(), "num_boost_round", lp_value_int(5)),
                             "min_child_weight", lp_value_int(0));
    lp_model *m;
    cr_assert_eq(lp_xgb_train(&m, X, y, NULL, NULL, p, NULL), 0, "%s", lp_error_last()->message);
    cr_assert_eq(lp_model_task_of(m), LP_MODEL_BINARY);
    cr_assert_str_eq(lp_model_class_label(m, 0), "cat");
    cr_assert_str_eq(lp_model_class_label(m, 1), "dog");
    cr_assert_eq(lp_value_as_int(lp_map_get(lp_model_params(m), "nthread")) > 0, 1);
    cr_assert_eq(lp_value_as_int(lp_map_get(lp_model_params(m), "seed")), 0);
    lp_frame *pred;
    cr_assert_eq(lp_model_predict(&pred, m, X), 0);
    size_t len;
    for (size_t i = 0; i < lp_frame_rows(pred); i++) {
        const char *s = lp_column_str(lp_frame_col(pred, 0), i, &len);
        cr_assert((len == 3 && memcmp(s, "cat", 3) == 0) || (len == 3 && memcmp(s, "dog", 3) == 0));
    }
    lp_frame_unref(pred);
    lp_model_unref(m);
    lp_value_unref(p);
    lp_frame_unref(X);
    lp_frame_unref(y);
}

Test(xgb, missing_feature_at_predict_names_it)
{
    lp_frame *X, *y;
    split_xy(SMALL, "label", &X, &y);
    lp_model *m;
    lp_value *p = lp_map_put(lp_value_map(), "num_boost_round", lp_value_int(2));
    cr_assert_eq(lp_xgb_train(&m, X, y, NULL, NULL, p, NULL), 0);
    lp_frame *X2 = frame_from("b,c\n1,2\n"), *pred = NULL;
    cr_assert_eq(lp_model_predict(&pred, m, X2), LP_ENOTFOUND);
    cr_assert_null(pred);
    cr_assert(strstr(lp_error_last()->message, "no column 'a'"), "%s", lp_error_last()->message);
    /* columns in another order, plus an extra one, are fine */
    lp_frame *X3 = frame_from("z,b,a\nq,2,1\nr,1,2\n");
    cr_assert_eq(lp_model_predict(&pred, m, X3), 0, "%s", lp_error_last()->message);
    cr_assert_eq(lp_frame_rows(pred), 2);
    lp_frame_unref(pred);
    lp_frame_unref(X2);
    lp_frame_unref(X3);
    lp_model_unref(m);
    lp_value_unref(p);
    lp_frame_unref(X);
    lp_frame_unref(y);
}

Test(xgb, empty_training_data_is_an_error)
{
    cr_assert_eq(try_train("a,b,label\n", "label", NULL), LP_EINVAL);
    cr_assert(strstr(lp_error_last()->message, "no rows"), "%s", lp_error_last()->message);
}

Test(xgb, missing_target_values_are_counted)
{
    cr_assert_eq(try_train("a,label\n1,x\n2,\n3,y\n4,\n", "label", NULL), LP_EINVAL);
    cr_assert_str_eq(lp_error_last()->message, "training target 'label' has 2 missing values");
}

Test(xgb, single_class_is_an_error)
{
    cr_assert_eq(try_train("a,label\n1,x\n2,x\n3,x\n", "label", NULL), LP_EINVAL);
    cr_assert(strstr(lp_error_last()->message, "single class ('x')"), "%s",
              lp_error_last()->message);
}

Test(xgb, early_stopping_without_validation_is_an_error)
{
    lp_value *p = lp_map_put(lp_value_map(), "early_stopping_rounds", lp_value_int(3));
    cr_assert_eq(try_train(SMALL, "label", p), LP_ECONFIG);
    cr_assert(strstr(lp_error_last()->message, "validation"), "%s", lp_error_last()->message);
}

Test(xgb, regression_on_text_target_is_an_error)
{
    lp_value *p = lp_map_put(lp_value_map(), "objective", lp_value_string("reg:squarederror"));
    cr_assert_eq(try_train(SMALL, "label", p), LP_EINVAL);
    cr_assert(strstr(lp_error_last()->message, "numeric target"), "%s", lp_error_last()->message);
}

Test(xgb, xgboost_rejects_bad_value)
{
    lp_value *p = lp_map_put(lp_value_map(), "max_depth", lp_value_string("deep"));
    cr_assert_neq(try_train(SMALL, "label", p), 0);
    cr_assert(strstr(lp_error_last()->message, "max_depth"), "%s", lp_error_last()->message);
}

/* ---- staged prediction (learning curves) ------------------------------------ */

/* Each round's outputs on the validation split: the metric XGBoost itself
 * recorded for that round (logloss, mlogloss or rmse), and the last round's
 * outputs are the model's predictions. */
typedef struct stages {
    const lp_model *m;
    const lp_frame *y;
    const lp_xgb_report *rep;
    size_t rounds;
    double *last; /* the last round's outputs */
} stages;

static double stage_metric(const stages *s, const double *out)
{
    size_t n = lp_frame_rows(s->y), k = lp_model_n_outputs(s->m);
    const lp_column *c = lp_frame_col(s->y, 0);
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        if (lp_model_task_of(s->m) == LP_MODEL_REGRESSION) {
            double e = lp_column_get_f64(c, i) - out[i];
            sum += e * e;
            continue;
        }
        char buf[64];
        size_t len = 0;
        const char *str = c->type == LP_DT_STRING ? lp_column_str(c, i, &len) : NULL;
        if (!str) snprintf(buf, sizeof buf, "%lld", (long long)lp_column_get_f64(c, i));
        size_t cls = 0;
        while (cls < k && (str ? strlen(lp_model_class_label(s->m, cls)) != len ||
                                     memcmp(lp_model_class_label(s->m, cls), str, len) != 0
                               : strcmp(lp_model_class_label(s->m, cls), buf) != 0))
            cls++;
        cr_assert_lt(cls, k, "row %zu: a label the model knows", i);
        sum -= log(fmin(fmax(out[i * k + cls], 1e-16), 1 - 1e-16));
    }
    return lp_model_task_of(s->m) == LP_MODEL_REGRESSION ? sqrt(sum / (double)n) : sum / (double)n;
}

static int on_stage(void *ctx, size_t round, const double *out)
{
    stages *s = ctx;
    cr_assert_eq(round, s->rounds + 1, "rounds come in order");
    s->rounds = round;
    double got = stage_metric(s, out), want = s->rep->valid_scores[round - 1];
    cr_assert(fabs(got - want) <= 1e-5 * fmax(1, fabs(want)),
              "round %zu: %s from the stages %.9g, XGBoost's %.9g", round, s->rep->metric, got,
              want);
    size_t n = lp_frame_rows(s->y) * lp_model_n_outputs(s->m);
    memcpy(s->last, out, n * sizeof *out);
    return 0;
}

static void check_stages(const char *c, const char *target, int rounds)
{
    trained t = train_case(c, target);
    cr_assert(lp_model_has_stages(t.m));
    cr_assert_not_null(t.rep.valid_scores);
    size_t n = lp_frame_rows(t.Xv) * lp_model_n_outputs(t.m);
    stages s = {.m = t.m, .y = t.yv, .rep = &t.rep, .last = malloc(n * sizeof(double))};
    cr_assert_eq(lp_model_staged_predict(t.m, t.Xv, on_stage, &s), 0, "%s: %s", c,
                 lp_error_last()->message);
    cr_assert_eq(s.rounds, (size_t)rounds, "%s: %zu rounds", c, s.rounds);
    double *raw;
    cr_assert_eq(lp_model_predict_raw(&raw, t.m, t.Xv), 0);
    /* margins summed in doubles here, in floats by XGBoost: equal to float precision */
    for (size_t i = 0; i < n; i++)
        cr_assert(fabs(raw[i] - s.last[i]) <= 1e-6 * fmax(1, fabs(raw[i])),
                  "%s output %zu: predict %.9g, last stage %.9g", c, i, raw[i], s.last[i]);
    free(raw);
    free(s.last);
    trained_free(&t);
}

Test(xgb, staged_predict_matches_xgboost_metric_every_round)
{
    check_stages("binary", "y", 20);
    check_stages("multi", "colour",
                 (int)json_integer_value(json_object_get(xcase("multi"), "num_boost_round")));
    check_stages("reg", "target",
                 (int)json_integer_value(json_object_get(xcase("reg"), "num_boost_round")));
}

static int keep_last(void *ctx, size_t round, const double *out)
{
    stages *s = ctx;
    s->rounds = round;
    memcpy(s->last, out, 2 * lp_frame_rows(s->y) * sizeof *out);
    return 0;
}

/* An objective whose link the stages do not know (binary:hinge): XGBoost
 * applies it on the base-margin path, and the last round is predict's. */
Test(xgb, staged_predict_of_an_unknown_link_is_xgboosts)
{
    lp_frame *Xt, *yt, *Xv, *yv;
    load_split("binary", "train", "y", &Xt, &yt);
    load_split("binary", "valid", "y", &Xv, &yv);
    lp_value *p = case_params(xcase("binary"));
    lp_map_set(p, "objective", lp_value_string("binary:hinge"));
    lp_model *m;
    cr_assert_eq(lp_xgb_train(&m, Xt, yt, NULL, NULL, p, NULL), 0, "%s", lp_error_last()->message);
    size_t n = 2 * lp_frame_rows(Xv);
    stages s = {.m = m, .y = yv, .last = malloc(n * sizeof(double))};
    cr_assert_eq(lp_model_staged_predict(m, Xv, keep_last, &s), 0, "%s", lp_error_last()->message);
    cr_assert_eq(s.rounds, 20);
    double *raw;
    cr_assert_eq(lp_model_predict_raw(&raw, m, Xv), 0);
    cr_assert(memcmp(raw, s.last, n * sizeof *raw) == 0, "the last round is predict's");
    free(raw);
    free(s.last);
    lp_model_unref(m);
    lp_value_unref(p);
    lp_frame_unref(Xt);
    lp_frame_unref(yt);
    lp_frame_unref(Xv);
    lp_frame_unref(yv);
}

static int stop_at_three(void *ctx, size_t round, const double *out)
{
    (void)out;
    *(size_t *)ctx = round;
    return round == 3 ? lp_error_set(LP_EINVAL, "enough") : 0;
}

Test(xgb, staged_predict_stops_when_the_callback_fails)
{
    trained t = train_case("binary", "y");
    size_t last = 0;
    cr_assert_eq(lp_model_staged_predict(t.m, t.Xv, stop_at_three, &last), LP_EINVAL);
    cr_assert_eq(last, 3);
    trained_free(&t);
}

/* ---- small batches: the compiled trees (xgb_native.c) ------------------------------------ */

/* Asserts that m scores every window of `width` rows of X (repeated to 200
 * rows) with the bits libxgboost gives for the 200 rows at once: first
 * through libxgboost (the first small batches), then, once enough small
 * batches started their compile, through the compiled trees, which must be
 * in use (they agreed with libxgboost on their probe rows). */
static void check_small_batches(const char *what, lp_model *m, const lp_frame *X, size_t width)
{
    size_t idx[200];
    for (size_t i = 0; i < 200; i++)
        idx[i] = i % lp_frame_rows(X);
    lp_frame *big;
    cr_assert_eq(lp_frame_take(&big, X, idx, 200), 0);
    double *all;
    cr_assert_eq(lp_model_predict_raw(&all, m, big), 0, "%s", lp_error_last()->message);
    size_t k = lp_model_n_outputs(m);
    for (int pass = 0; pass < 3; pass++) {
        for (size_t start = 0; start < 200; start += width) {
            size_t n = start + width <= 200 ? width : 200 - start;
            size_t win[64];
            for (size_t i = 0; i < n; i++)
                win[i] = start + i;
            lp_frame *small;
            cr_assert_eq(lp_frame_take(&small, big, win, n), 0);
            double *part;
            cr_assert_eq(lp_model_predict_raw(&part, m, small), 0, "%s", lp_error_last()->message);
            cr_assert(memcmp(part, all + start * k, n * k * sizeof *part) == 0,
                      "%s, pass %d: rows %zu..%zu differ from libxgboost's", what, pass, start,
                      start + n - 1);
            free(part);
            lp_frame_unref(small);
        }
        if (pass == 1)
            cr_assert_eq(lp_xgb_native_settle(m), 1, "%s: the compiled trees are not in use", what);
    }
    free(all);
    lp_frame_unref(big);
}

Test(xgb, small_batches_score_libxgboosts_bits_with_the_compiled_trees)
{
    const char *cases[][2] = {
        {"binary", "y"}, {"multi", "colour"}, {"reg", "target"}, {"cat", "y"}};
    for (size_t ci = 0; ci < sizeof cases / sizeof *cases; ci++) {
        trained t = train_case(cases[ci][0], cases[ci][1]);
        check_small_batches(cases[ci][0], t.m, t.Xv, ci % 2 ? 1 : 7);
        /* a loaded model compiles its own trees */
        uint8_t *buf;
        size_t len;
        lp_model *m2;
        cr_assert_eq(lp_model_save(&buf, &len, t.m), 0);
        cr_assert_eq(lp_model_load(&m2, uw_registry(), buf, len), 0, "%s",
                     lp_error_last()->message);
        check_small_batches(cases[ci][0], m2, t.Xv, 64);
        free(buf);
        lp_model_unref(m2);
        trained_free(&t);
    }
}

Test(xgb, small_batches_of_an_early_stopped_model_use_its_best_rounds)
{
    trained t = train_with("binary", "early", "y");
    cr_assert(t.rep.stopped_early);
    check_small_batches("early", t.m, t.Xv, 5);
    trained_free(&t);
}

/* An int64 target's classes are its sorted distinct values (radix-sorted
 * keys): negatives, zero and values past 2^31, in value order, not in order
 * of appearance. */
Test(xgb, int_target_classes_sorted)
{
    static const int64_t vals[] = {7, -3, 5000000000LL, 0, -3, 7, -1200, 0};
    size_t n = 64;
    lp_column *x = lp_column_new(LP_DT_FLOAT64, n), *y = lp_column_new(LP_DT_INT64, n);
    for (size_t i = 0; i < n; i++) {
        y->data.i64[i] = vals[i % 8];
        x->data.f64[i] = (double)(i % 8) + 0.01 * (double)i;
    }
    lp_frame *X = lp_frame_new(), *Y = lp_frame_new();
    cr_assert_eq(lp_frame_add_column(X, "x", x), 0);
    cr_assert_eq(lp_frame_add_column(Y, "y", y), 0);
    lp_value *p = lp_value_map();
    lp_map_set(p, "num_boost_round", lp_value_int(2));
    lp_map_set(p, "nthread", lp_value_int(1));
    lp_map_set(p, "objective", lp_value_string("multi:softprob")); /* an int target: classes */
    lp_model *m = NULL;
    cr_assert_eq(lp_xgb_train(&m, X, Y, NULL, NULL, p, NULL), 0, "%s", lp_error_last()->message);
    const char *want[] = {"-1200", "-3", "0", "7", "5000000000"};
    cr_assert_eq(lp_model_n_classes(m), 5);
    for (size_t k = 0; k < 5; k++)
        cr_assert_str_eq(lp_model_class_label(m, k), want[k]);
    lp_model_unref(m);
    lp_value_unref(p);
    lp_frame_unref(X);
    lp_frame_unref(Y);
}
