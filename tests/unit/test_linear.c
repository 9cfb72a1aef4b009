/* Unit tests for the liblinear back-end (src/ml/linear.c): predictions equal
 * to scikit-learn 1.2.1's liblinear-based estimators on StandardScaler'd data
 * (fixtures from tests/fixtures/gen_linear.py, checked to 1e-6), labels,
 * save/load, bad input. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lolpop.h"
#include "ml/linear.h"
#include "unit_workflow.h"

#define LIN_FIX LP_FIXTURES_DIR "/linear"
#define TOL     1e-6

static json_t *expected;

static void load_expected(void)
{
    json_error_t jerr;
    expected = json_load_file(LIN_FIX "/expected.json", 0, &jerr);
    cr_assert_not_null(expected, "expected.json: %s", jerr.text);
    uw_setup(); /* uw_registry(): the built-in plugin, where the model back-ends are */
}

static void free_expected(void)
{
    json_decref(expected);
    uw_teardown();
}

TestSuite(linear, .init = load_expected, .fini = free_expected);

static json_t *xcase(const char *name)
{
    json_t *c = json_object_get(json_object_get(expected, "cases"), name);
    cr_assert_not_null(c, "no case %s", name);
    return c;
}

/* Splits <data>_<split>.csv into features and the target column y. */
static void load_split(const char *data, const char *split, lp_frame **X, lp_frame **y)
{
    char path[512];
    snprintf(path, sizeof path, LIN_FIX "/%s_%s.csv", data, split);
    lp_frame *f = NULL;
    cr_assert_eq(lp_csv_read(&f, path, NULL), 0, "%s: %s", path, lp_error_last()->message);
    const char *names[] = {"y"};
    cr_assert_eq(lp_frame_drop(X, f, names, 1), 0);
    cr_assert_eq(lp_frame_select(y, f, names, 1), 0);
    lp_frame_unref(f);
}

/* The case's params (JSON) as a value map (new). */
static lp_value *case_params(json_t *c)
{
    json_t *p = json_object_get(c, "params");
    lp_value *m = lp_value_map();
    const char *k;
    json_t *v;
    json_object_foreach(p, k, v)
    {
        lp_value *x = json_is_string(v) ? lp_value_string(json_string_value(v))
                                        : lp_value_float(json_number_value(v));
        cr_assert_eq(lp_map_set(m, k, x), 0);
    }
    return m;
}

static lp_model *train_case(const char *data, json_t *c, lp_frame **Xva)
{
    lp_frame *X, *y, *yva;
    load_split(data, "train", &X, &y);
    load_split(data, "valid", Xva, &yva);
    lp_value *params = case_params(c);
    lp_model *m = NULL;
    cr_assert_eq(lp_linear_train(&m, X, y, params), 0, "%s", lp_error_last()->message);
    lp_value_unref(params);
    lp_frame_unref(X);
    lp_frame_unref(y);
    lp_frame_unref(yva);
    return m;
}

static void check_doubles(const double *got, json_t *want, size_t n, const char *what)
{
    cr_assert_eq(json_array_size(want), n, "%s: %zu values expected", what, n);
    for (size_t i = 0; i < n; i++) {
        double w = json_number_value(json_array_get(want, i));
        cr_assert(fabs(got[i] - w) <= TOL * (1 + fabs(w)), "%s[%zu]: %.12g vs sklearn %.12g", what,
                  i, got[i], w);
    }
}

static void check_labels(const lp_model *m, const lp_frame *X, json_t *want)
{
    lp_frame *pred = NULL;
    cr_assert_eq(lp_model_predict(&pred, m, X), 0, "%s", lp_error_last()->message);
    const lp_column *col = lp_frame_col(pred, 0);
    cr_assert_eq(col->length, json_array_size(want));
    for (size_t i = 0; i < col->length; i++) {
        const char *w = json_string_value(json_array_get(want, i));
        if (col->type == LP_DT_INT64) {
            cr_assert_eq(col->data.i64[i], atoll(w), "row %zu", i);
        } else {
            size_t len;
            const char *s = lp_column_str(col, i, &len);
            cr_assert(len == strlen(w) && memcmp(s, w, len) == 0, "row %zu: %.*s vs %s", i,
                      (int)len, s, w);
        }
    }
    lp_frame_unref(pred);
}

static void check_classes(const lp_model *m, json_t *want)
{
    cr_assert_eq(lp_model_n_classes(m), json_array_size(want));
    for (size_t k = 0; k < lp_model_n_classes(m); k++)
        cr_assert_str_eq(lp_model_class_label(m, k), json_string_value(json_array_get(want, k)));
}

static void check_logistic(const char *name, const char *data, lp_model_task task)
{
    json_t *c = xcase(name);
    lp_frame *Xva;
    lp_model *m = train_case(data, c, &Xva);
    cr_assert_eq(lp_model_task_of(m), task);
    cr_assert_str_eq(lp_model_backend(m), "liblinear");
    check_classes(m, json_object_get(c, "classes"));
    check_labels(m, Xva, json_object_get(c, "labels"));
    double *raw = NULL;
    cr_assert_eq(lp_model_predict_raw(&raw, m, Xva), 0);
    size_t n = lp_frame_rows(Xva) * lp_model_n_outputs(m);
    check_doubles(raw, json_object_get(c, "proba"), n, name);
    free(raw);
    lp_frame *proba = NULL;
    cr_assert_eq(lp_model_predict_proba(&proba, m, Xva), 0, "%s", lp_error_last()->message);
    cr_assert_eq(lp_frame_cols(proba), lp_model_n_classes(m));
    lp_frame_unref(proba);
    lp_frame_unref(Xva);
    lp_model_unref(m);
}

Test(linear, logistic_binary_matches_sklearn)
{
    check_logistic("logistic_binary", "logistic_binary", LP_MODEL_BINARY);
}

Test(linear, logistic_multiclass_string_labels_match_sklearn)
{
    check_logistic("logistic_multi", "logistic_multi", LP_MODEL_MULTICLASS);
}

Test(linear, svm_multiclass_matches_sklearn_and_has_no_probabilities)
{
    json_t *c = xcase("svm_multi");
    lp_frame *Xva;
    lp_model *m = train_case("logistic_multi", c, &Xva);
    check_classes(m, json_object_get(c, "classes"));
    check_labels(m, Xva, json_object_get(c, "labels"));
    double *raw = NULL;
    cr_assert_eq(lp_model_predict_raw(&raw, m, Xva), 0);
    check_doubles(raw, json_object_get(c, "decision"), lp_frame_rows(Xva) * 3, "decision");
    free(raw);
    lp_frame *proba = NULL;
    cr_assert_neq(lp_model_predict_proba(&proba, m, Xva), 0);
    cr_assert_null(proba);
    cr_assert_not_null(strstr(lp_error_last()->message, "no probabilities"), "%s",
                       lp_error_last()->message);
    lp_frame_unref(Xva);
    lp_model_unref(m);
}

Test(linear, svm_binary_matches_sklearn)
{
    json_t *c = xcase("svm_binary");
    lp_frame *Xva;
    lp_model *m = train_case("logistic_binary", c, &Xva);
    cr_assert_eq(lp_model_task_of(m), LP_MODEL_BINARY);
    check_classes(m, json_object_get(c, "classes"));
    check_labels(m, Xva, json_object_get(c, "labels"));
    double *raw = NULL;
    cr_assert_eq(lp_model_predict_raw(&raw, m, Xva), 0);
    size_t n = lp_frame_rows(Xva);
    double *d1 = malloc(n * sizeof *d1); /* (-d, d): d is the score of class 1 */
    for (size_t i = 0; i < n; i++) {
        cr_assert_eq(raw[2 * i], -raw[2 * i + 1]);
        d1[i] = raw[2 * i + 1];
    }
    check_doubles(d1, json_object_get(c, "decision"), n, "decision");
    free(d1);
    free(raw);
    lp_frame_unref(Xva);
    lp_model_unref(m);
}

static void check_regression(const char *name)
{
    json_t *c = xcase(name);
    lp_frame *Xva;
    lp_model *m = train_case("regression", c, &Xva);
    cr_assert_eq(lp_model_task_of(m), LP_MODEL_REGRESSION);
    lp_frame *pred = NULL;
    cr_assert_eq(lp_model_predict(&pred, m, Xva), 0, "%s", lp_error_last()->message);
    check_doubles(lp_frame_col(pred, 0)->data.f64, json_object_get(c, "values"), lp_frame_rows(Xva),
                  name);
    lp_frame_unref(pred);
    lp_frame_unref(Xva);
    lp_model_unref(m);
}

Test(linear, svr_matches_sklearn)
{
    check_regression("svr");
}

Test(linear, ridge_matches_sklearn)
{
    check_regression("ridge");
}

/* Saved and loaded models predict bit-identically, for each model kind. */
static void check_roundtrip(const char *name, const char *data)
{
    json_t *c = xcase(name);
    lp_frame *Xva;
    lp_model *m = train_case(data, c, &Xva);
    uint8_t *buf = NULL;
    size_t len = 0;
    cr_assert_eq(lp_model_save(&buf, &len, m), 0, "%s", lp_error_last()->message);
    lp_model *back = NULL;
    cr_assert_eq(lp_model_load(&back, uw_registry(), buf, len), 0, "%s", lp_error_last()->message);
    cr_assert_str_eq(lp_model_backend(back), "liblinear");
    double *a = NULL, *b = NULL;
    cr_assert_eq(lp_model_predict_raw(&a, m, Xva), 0);
    cr_assert_eq(lp_model_predict_raw(&b, back, Xva), 0);
    size_t n = lp_frame_rows(Xva) * lp_model_n_outputs(m);
    cr_assert_eq(memcmp(a, b, n * sizeof *a), 0, "%s: predictions differ after load", name);
    cr_assert_str_eq(lp_value_as_string(lp_map_get(lp_model_params(back), "model")),
                     lp_value_as_string(lp_map_get(lp_model_params(m), "model")));
    free(a);
    free(b);
    free(buf);
    lp_model_unref(back);
    lp_model_unref(m);
    lp_frame_unref(Xva);
}

Test(linear, save_load_identical_predictions)
{
    check_roundtrip("logistic_multi", "logistic_multi");
    check_roundtrip("logistic_binary", "logistic_binary");
    check_roundtrip("svm_multi", "logistic_multi");
    check_roundtrip("svm_binary", "logistic_binary");
    check_roundtrip("svr", "regression");
}

Test(linear, corrupt_blob_is_an_error)
{
    const lp_model_ops *ops = lp_registry_find_model_backend(uw_registry(), "liblinear");
    cr_assert_not_null(ops);
    void *state = NULL;
    static const char truncated_w[] =
        "{\"format\": \"lolpop-liblinear-1\", \"solver\": 0, \"nr_class\": 2, "
        "\"nr_feature\": 1, \"bias\": 1, \"label\": [0, 1], \"w\": [1]}";
    const char *bad[] = {"{", "{\"format\": \"x\"}", truncated_w};
    for (size_t i = 0; i < 3; i++) {
        cr_assert_neq(ops->load(&state, (const uint8_t *)bad[i], strlen(bad[i])), 0, "blob %zu", i);
        cr_assert_null(state);
    }
}

/* ---- errors on small frames ------------------------------------------------ */

static lp_column *f64_col(const double *v, size_t n)
{
    lp_column *c = lp_column_new(LP_DT_FLOAT64, n);
    for (size_t i = 0; i < n; i++) {
        c->data.f64[i] = v[i];
        if (isnan(v[i])) lp_column_set_null(c, i);
    }
    return c;
}

static lp_column *str_col(const char *const *v, size_t n)
{
    lp_column_builder *b = lp_column_builder_new(LP_DT_STRING, n);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(v[i] ? lp_column_builder_append_str(b, v[i], strlen(v[i]))
                          : lp_column_builder_append_null(b),
                     0);
    return lp_column_builder_finish(b);
}

static lp_frame *frame1(const char *name, lp_column *c)
{
    lp_frame *f = lp_frame_new();
    cr_assert_eq(lp_frame_add_column(f, name, c), 0);
    return f;
}

static const double xs[] = {1, 2, 3, 4, 5, 6};
static const char *const labels[] = {"a", "b", "a", "b", "b", "a"};

/* Trains with X (taken) and y (taken); returns the code, *msg the message. */
static int try_train(lp_frame *X, lp_frame *y, lp_value *params, lp_model **m)
{
    int rc = lp_linear_train(m, X, y, params);
    lp_frame_unref(X);
    lp_frame_unref(y);
    lp_value_unref(params);
    return rc;
}

static void assert_msg(const char *part)
{
    cr_assert_not_null(strstr(lp_error_last()->message, part), "message '%s' lacks '%s'",
                       lp_error_last()->message, part);
}

Test(linear, string_feature_is_an_error_naming_it)
{
    lp_frame *X = frame1("x", f64_col(xs, 6));
    cr_assert_eq(lp_frame_add_column(X, "colour", str_col(labels, 6)), 0);
    lp_model *m = NULL;
    cr_assert_eq(try_train(X, frame1("y", str_col(labels, 6)), NULL, &m), LP_EINVAL);
    cr_assert_null(m);
    assert_msg("'colour'");
    assert_msg("feature transformer");
}

Test(linear, missing_values_name_column_and_count)
{
    const double v[] = {1, NAN, 3, NAN, 5, 6};
    lp_frame *X = frame1("x", f64_col(xs, 6));
    cr_assert_eq(lp_frame_add_column(X, "gappy", f64_col(v, 6)), 0);
    lp_model *m = NULL;
    cr_assert_eq(try_train(X, frame1("y", str_col(labels, 6)), NULL, &m), LP_EINVAL);
    assert_msg("'gappy' has 2 missing values");
}

Test(linear, missing_target_values_are_counted)
{
    const char *const gappy[] = {"a", NULL, "b", "a", NULL, "b"};
    lp_model *m = NULL;
    cr_assert_eq(try_train(frame1("x", f64_col(xs, 6)), frame1("y", str_col(gappy, 6)), NULL, &m),
                 LP_EINVAL);
    cr_assert_null(m);
    assert_msg("target 'y' has 2 missing values");
}

Test(linear, single_class_is_an_error)
{
    const char *const one[] = {"z", "z", "z", "z", "z", "z"};
    lp_model *m = NULL;
    cr_assert_eq(try_train(frame1("x", f64_col(xs, 6)), frame1("y", str_col(one, 6)), NULL, &m),
                 LP_EINVAL);
    assert_msg("single class");
}

Test(linear, unknown_param_suggests_closest)
{
    lp_value *p = lp_value_map();
    lp_map_set(p, "standardise", lp_value_bool(false));
    lp_model *m = NULL;
    cr_assert_eq(try_train(frame1("x", f64_col(xs, 6)), frame1("y", str_col(labels, 6)), p, &m),
                 LP_EINVAL);
    assert_msg("did you mean 'standardize'");
    p = lp_value_map();
    lp_map_set(p, "model", lp_value_string("logistc"));
    cr_assert_eq(try_train(frame1("x", f64_col(xs, 6)), frame1("y", str_col(labels, 6)), p, &m),
                 LP_EINVAL);
    assert_msg("did you mean 'logistic'");
}

Test(linear, regression_needs_numeric_target_and_epsilon_only_for_svr)
{
    lp_value *p = lp_value_map();
    lp_map_set(p, "model", lp_value_string("ridge"));
    lp_model *m = NULL;
    cr_assert_eq(try_train(frame1("x", f64_col(xs, 6)), frame1("y", str_col(labels, 6)), p, &m),
                 LP_EINVAL);
    assert_msg("regression needs numbers");
    p = lp_value_map();
    lp_map_set(p, "model", lp_value_string("ridge"));
    lp_map_set(p, "epsilon", lp_value_float(0.5));
    cr_assert_eq(try_train(frame1("x", f64_col(xs, 6)), frame1("y", f64_col(xs, 6)), p, &m),
                 LP_EINVAL);
    assert_msg("svr only");
}

/* Standardisation is part of the model: scaling a feature by 1000 (and the
 * prediction data with it) leaves standardised predictions unchanged. */
Test(linear, standardisation_is_applied_at_prediction)
{
    const double big[] = {1000, 2000, 3000, 4000, 5000, 6000};
    const char *const y3[] = {"a", "a", "b", "a", "b", "b"};
    lp_model *m1 = NULL, *m2 = NULL;
    cr_assert_eq(try_train(frame1("x", f64_col(xs, 6)), frame1("y", str_col(y3, 6)), NULL, &m1), 0);
    cr_assert_eq(try_train(frame1("x", f64_col(big, 6)), frame1("y", str_col(y3, 6)), NULL, &m2),
                 0);
    lp_frame *X1 = frame1("x", f64_col(xs, 6)), *X2 = frame1("x", f64_col(big, 6));
    double *a = NULL, *b = NULL;
    cr_assert_eq(lp_model_predict_raw(&a, m1, X1), 0);
    cr_assert_eq(lp_model_predict_raw(&b, m2, X2), 0);
    for (size_t i = 0; i < 12; i++)
        cr_assert_float_eq(a[i], b[i], 1e-12, "output %zu", i);
    cr_assert(a[1] < a[11], "P(b) should grow with x");
    free(a);
    free(b);
    lp_frame_unref(X1);
    lp_frame_unref(X2);
    lp_model_unref(m1);
    lp_model_unref(m2);
}
