/* Unit tests for the back-end-independent model layer (src/ml/model*.c):
 * feature encoding by name, categorical dictionaries, labels in the target's
 * type, probabilities, the saved header, handles. A toy back-end stands in
 * for XGBoost: it "predicts" from the first feature so results are checkable. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lolpop.h"
#include "ml/linear.h"
#include "unit_workflow.h"

static int frees;

/* Binary: P(class 1) = x0 / 10 (NaN when missing); regression: x0 + x1. */
static int toy_predict(void *state, const lp_model *m, const double *X, size_t rows, double *out)
{
    size_t p = lp_model_n_features(m);
    for (size_t i = 0; i < rows; i++) {
        if (lp_model_task_of(m) == LP_MODEL_REGRESSION) {
            out[i] = X[i * p] + (p > 1 ? X[i * p + 1] : 0);
        } else {
            out[2 * i + 1] = X[i * p] / 10;
            out[2 * i] = 1 - out[2 * i + 1];
        }
    }
    return 0;
}

static int toy_save(void *state, uint8_t **out, size_t *len)
{
    *out = malloc(3);
    memcpy(*out, "toy", 3);
    *len = 3;
    return 0;
}

static void toy_free(void *state)
{
    frees++;
    free(state);
}

static const lp_model_ops toy_ops = {
    sizeof(lp_model_ops), "toy", NULL, toy_predict, toy_save, toy_free, NULL};

/* What a plugin registers: toy_ops with a loader. */
static int toy_load_fn(void **state, const uint8_t *blob, size_t len)
{
    if (len != 3 || memcmp(blob, "toy", 3) != 0) return lp_error_set(LP_EINVAL, "not a toy blob");
    *state = malloc(1);
    return 0;
}

static bool toy_scores_only(void *state, const lp_model *m)
{
    return false;
}

static const lp_model_ops toy_loadable = {
    sizeof(lp_model_ops), "toy", toy_load_fn, toy_predict, toy_save, toy_free, NULL};
static const lp_model_ops toy_scores = {sizeof(lp_model_ops), "toy_scores", toy_load_fn,
                                        toy_predict,          toy_save,     toy_free,
                                        toy_scores_only};

/* The registry (uw_registry) holds the built-in plugin, where the model
 * back-ends are. */
TestSuite(model, .init = uw_setup, .fini = uw_teardown);

static lp_frame *csv(const char *text)
{
    lp_frame *f = NULL;
    cr_assert_eq(lp_csv_read_buffer(&f, text, strlen(text), "t.csv", NULL), 0, "%s",
                 lp_error_last()->message);
    return f;
}

/* x0 numeric, colour categorical with dictionary {blue, red}; target 'ok'. */
static lp_model *toy_model_of(const lp_model_ops *ops, lp_model_task task, lp_dtype target)
{
    lp_model *m = lp_model_new(ops, malloc(1), task, "ok", target);
    cr_assert_not_null(m);
    cr_assert_eq(lp_model_add_feature(m, "x0", LP_DT_FLOAT64), 0);
    cr_assert_eq(lp_model_add_feature(m, "colour", LP_DT_STRING), 0);
    cr_assert_eq(lp_model_add_category(m, 1, "blue", 4), 0);
    cr_assert_eq(lp_model_add_category(m, 1, "red", 3), 0);
    if (task != LP_MODEL_REGRESSION) {
        cr_assert_eq(lp_model_add_class(m, target == LP_DT_BOOL ? "false" : "no"), 0);
        cr_assert_eq(lp_model_add_class(m, target == LP_DT_BOOL ? "true" : "yes"), 0);
    }
    return m;
}

static lp_model *toy_model(lp_model_task task, lp_dtype target)
{
    return toy_model_of(&toy_ops, task, target);
}

Test(model, matrix_by_name_with_categories)
{
    lp_model *m = toy_model(LP_MODEL_BINARY, LP_DT_STRING);
    cr_assert_neq(lp_model_add_category(m, 0, "x", 1), 0, "x0 is not categorical");
    lp_frame *X = csv("extra,colour,x0\n1,red,3\n2,green,\n3,blue,7.5\n4,,1\n");
    double *mat;
    cr_assert_eq(lp_model_matrix(&mat, m, X), 0, "%s", lp_error_last()->message);
    cr_assert_eq(mat[0], 3);
    cr_assert_eq(mat[1], 1); /* red */
    cr_assert(isnan(mat[2]));
    cr_assert(isnan(mat[3]), "unseen 'green' → missing");
    cr_assert_eq(mat[4], 7.5);
    cr_assert_eq(mat[5], 0); /* blue */
    cr_assert(isnan(mat[7]), "missing category → missing");
    free(mat);
    lp_frame_unref(X);
    lp_model_unref(m);
}

Test(model, category_columns_encode_like_strings)
{
    lp_model *m = toy_model(LP_MODEL_BINARY, LP_DT_STRING);
    lp_column_builder *b = lp_column_builder_new(LP_DT_CATEGORY, 3);
    lp_column_builder_append_str(b, "red", 3);
    lp_column_builder_append_str(b, "pink", 4);
    lp_column_builder_append_str(b, "blue", 4);
    lp_column *x = lp_column_new(LP_DT_INT64, 3);
    for (int i = 0; i < 3; i++)
        x->data.i64[i] = i;
    lp_frame *X = lp_frame_new();
    lp_frame_add_column(X, "colour", lp_column_builder_finish(b));
    lp_frame_add_column(X, "x0", x);
    double *mat;
    cr_assert_eq(lp_model_matrix(&mat, m, X), 0, "%s", lp_error_last()->message);
    cr_assert_eq(mat[1], 1);
    cr_assert(isnan(mat[3]));
    cr_assert_eq(mat[5], 0);
    cr_assert_eq(mat[4], 2);
    free(mat);
    lp_frame_unref(X);
    lp_model_unref(m);
}

Test(model, missing_feature_and_wrong_type_are_errors)
{
    lp_model *m = toy_model(LP_MODEL_BINARY, LP_DT_STRING);
    lp_frame *X = csv("colour,x1\nred,1\n");
    lp_frame *out = NULL;
    cr_assert_eq(lp_model_predict(&out, m, X), LP_ENOTFOUND);
    cr_assert_str_eq(lp_error_last()->message,
                     "the data has no column 'x0', a feature of the toy model of 'ok'; did you "
                     "mean 'x1'?");
    lp_frame *X2 = csv("colour,x0\n1,1\n");
    cr_assert_eq(lp_model_predict(&out, m, X2), LP_EINVAL);
    cr_assert(strstr(lp_error_last()->message, "feature 'colour'"), "%s", lp_error_last()->message);
    cr_assert_null(out);
    lp_frame_unref(X);
    lp_frame_unref(X2);
    lp_model_unref(m);
}

Test(model, predictions_as_labels_and_probabilities)
{
    lp_model *m = toy_model(LP_MODEL_BINARY, LP_DT_STRING);
    lp_frame *X = csv("x0,colour\n2,red\n8,blue\n");
    lp_frame *pred, *proba;
    cr_assert_eq(lp_model_predict(&pred, m, X), 0);
    size_t len;
    cr_assert(memcmp(lp_column_str(lp_frame_col(pred, 0), 0, &len), "no", 2) == 0);
    cr_assert(memcmp(lp_column_str(lp_frame_col(pred, 0), 1, &len), "yes", 3) == 0);
    cr_assert_str_eq(lp_frame_name(pred, 0), "prediction");
    cr_assert_eq(lp_model_predict_proba(&proba, m, X), 0);
    cr_assert_str_eq(lp_frame_name(proba, 0), "no");
    cr_assert_str_eq(lp_frame_name(proba, 1), "yes");
    cr_assert_float_eq(lp_frame_col(proba, 1)->data.f64[1], 0.8, 1e-15);
    cr_assert_float_eq(lp_frame_col(proba, 0)->data.f64[0], 0.8, 1e-15);
    lp_frame_unref(pred);
    lp_frame_unref(proba);
    lp_frame_unref(X);
    lp_model_unref(m);
}

Test(model, predict_both_equals_the_two_calls_in_one_pass)
{
    lp_model *m = toy_model(LP_MODEL_BINARY, LP_DT_STRING);
    lp_frame *X = csv("x0,colour\n2,red\n8,blue\n5,red\n");
    lp_frame *pred, *proba, *both_pred, *both_proba;
    cr_assert_eq(lp_model_predict(&pred, m, X), 0);
    cr_assert_eq(lp_model_predict_proba(&proba, m, X), 0);
    cr_assert_eq(lp_model_predict_both(&both_pred, &both_proba, m, X), 0);
    char a[65], b[65];
    lp_frame_hash_hex(pred, a);
    lp_frame_hash_hex(both_pred, b);
    cr_assert_str_eq(a, b);
    lp_frame_hash_hex(proba, a);
    lp_frame_hash_hex(both_proba, b);
    cr_assert_str_eq(a, b);
    lp_frame_unref(both_pred);
    lp_frame_unref(both_proba);
    /* A regression model: labels only, proba left NULL. */
    lp_model *r = toy_model(LP_MODEL_REGRESSION, LP_DT_FLOAT64);
    both_proba = (lp_frame *)1;
    cr_assert_eq(lp_model_predict_both(&both_pred, &both_proba, r, X), 0);
    cr_assert_null(both_proba);
    cr_assert_eq(lp_frame_rows(both_pred), 3);
    lp_frame_unref(both_pred);
    lp_model_unref(r);
    lp_frame_unref(pred);
    lp_frame_unref(proba);
    lp_frame_unref(X);
    lp_model_unref(m);
}

Test(model, bool_target_gives_bool_predictions)
{
    lp_model *m = toy_model(LP_MODEL_BINARY, LP_DT_BOOL);
    lp_frame *X = csv("x0,colour\n2,red\n8,blue\n");
    lp_frame *pred;
    cr_assert_eq(lp_model_predict(&pred, m, X), 0, "%s", lp_error_last()->message);
    lp_column *c = lp_frame_col(pred, 0);
    cr_assert_eq(c->type, LP_DT_BOOL);
    cr_assert_eq(c->data.b8[0], 0);
    cr_assert_eq(c->data.b8[1], 1);
    lp_frame_unref(pred);
    lp_frame_unref(X);
    lp_model_unref(m);
}

Test(model, regression_predicts_values)
{
    lp_model *m = lp_model_new(&toy_ops, malloc(1), LP_MODEL_REGRESSION, "price", LP_DT_FLOAT64);
    lp_model_add_feature(m, "a", LP_DT_INT64);
    lp_model_add_feature(m, "b", LP_DT_FLOAT64);
    cr_assert_eq(lp_model_n_outputs(m), 1);
    lp_frame *X = csv("b,a\n0.5,2\n1.25,-1\n");
    lp_frame *pred;
    cr_assert_eq(lp_model_predict(&pred, m, X), 0);
    cr_assert_eq(lp_frame_col(pred, 0)->data.f64[0], 2.5);
    cr_assert_eq(lp_frame_col(pred, 0)->data.f64[1], 0.25);
    lp_frame_unref(pred);
    lp_frame *proba = NULL;
    cr_assert_neq(lp_model_predict_proba(&proba, m, X), 0,
                  "a regression model has no probabilities");
    cr_assert_null(proba);
    lp_frame_unref(X);
    lp_model_unref(m);
}

Test(model, save_writes_header_and_unknown_backend_fails_to_load)
{
    lp_model *m = toy_model(LP_MODEL_BINARY, LP_DT_STRING);
    lp_model_set_params(m, lp_map_put(lp_value_map(), "max_depth", lp_value_int(3)));
    uint8_t *buf;
    size_t len;
    cr_assert_eq(lp_model_save(&buf, &len, m), 0);
    cr_assert(memcmp(buf, "LPMODEL1", 8) == 0);
    cr_assert(memcmp(buf + len - 3, "toy", 3) == 0, "the back-end blob comes last");
    char *text = strndup((const char *)buf + 16, len - 16 - 8 - 3);
    cr_assert(strstr(text, "\"backend\":\"toy\""), "%s", text);
    cr_assert(strstr(text, "\"categories\":[\"blue\",\"red\"]"), "%s", text);
    cr_assert(strstr(text, "\"classes\":[\"no\",\"yes\"]"), "%s", text);
    cr_assert(strstr(text, "\"max_depth\":3"), "%s", text);
    free(text);
    lp_model *m2 = NULL;
    cr_assert_eq(lp_model_load(&m2, uw_registry(), buf, len), LP_ENOTFOUND);
    cr_assert(strstr(lp_error_last()->message,
                     "model back-end 'toy' is not registered "
                     "(registered: xgboost, liblinear, ets, additive, by_series)"),
              "%s", lp_error_last()->message);
    cr_assert_neq(lp_model_load(&m2, uw_registry(), buf, len - 1), 0, "truncated");
    cr_assert_neq(lp_model_load(&m2, uw_registry(), (const uint8_t *)"garbage", 7), 0);
    cr_assert_null(m2);
    /* registered, the same bytes load through the back-end's own loader */
    lp_registry *reg = lp_registry_new();
    cr_assert_eq(lp_registry_add_model_backend(reg, &toy_loadable), 0, "%s",
                 lp_error_last()->message);
    cr_assert_eq(lp_model_load(&m2, reg, buf, len), 0, "%s", lp_error_last()->message);
    cr_assert_str_eq(lp_model_backend(m2), "toy");
    cr_assert_str_eq(lp_model_category(m2, 1, 1), "red");
    lp_model_unref(m2);
    lp_registry_free(reg);
    free(buf);
    lp_model_unref(m);
}

Test(model, backends_register_through_the_registry)
{
    lp_registry *reg = lp_registry_new();
    cr_assert_eq(lp_registry_add_model_backend(reg, &toy_loadable), 0);
    cr_assert_eq(lp_registry_find_model_backend(reg, "toy"), &toy_loadable);
    cr_assert_null(lp_registry_find_model_backend(reg, "knn"));
    /* a second back-end of that name is refused, naming who registered the first */
    cr_assert_eq(lp_registry_add_model_backend(reg, &toy_loadable), LP_EEXISTS);
    cr_assert(strstr(lp_error_last()->message, "'toy' is already registered by application"), "%s",
              lp_error_last()->message);
    /* descriptors of a size this lolpop does not know, or without a loader */
    lp_model_ops older = toy_loadable, newer = toy_loadable, no_load = toy_loadable;
    older.size = sizeof(size_t) + sizeof(char *);
    newer.size = sizeof(lp_model_ops) + 8;
    no_load.name = "no_load";
    no_load.load = NULL;
    cr_assert_eq(lp_registry_add_model_backend(reg, &older), LP_EINVAL);
    char want[200];
    snprintf(want, sizeof want, "has a descriptor of %zu bytes; this lolpop reads lp_model_ops of",
             older.size);
    cr_assert(strstr(lp_error_last()->message, want), "%s", lp_error_last()->message);
    cr_assert_eq(lp_registry_add_model_backend(reg, &newer), LP_EINVAL);
    snprintf(want, sizeof want, "to %zu bytes", sizeof(lp_model_ops));
    cr_assert(strstr(lp_error_last()->message, want), "%s", lp_error_last()->message);
    cr_assert_eq(lp_registry_add_model_backend(reg, &no_load), LP_EINVAL);
    cr_assert(strstr(lp_error_last()->message, "lacks one of load"), "%s",
              lp_error_last()->message);
    cr_assert_eq(lp_registry_provider_count(reg, LP_MODEL_BACKEND_KIND), 1);
    lp_registry_free(reg);
    /* the built-in plugin registers xgboost, liblinear, ets, additive and by_series, in that
     * order */
    const char *name = NULL;
    cr_assert_eq(lp_registry_provider_count(uw_registry(), LP_MODEL_BACKEND_KIND), 5);
    cr_assert_not_null(lp_registry_provider_at(uw_registry(), LP_MODEL_BACKEND_KIND, 1, &name));
    cr_assert_str_eq(name, "liblinear");
    cr_assert_not_null(lp_registry_provider_at(uw_registry(), LP_MODEL_BACKEND_KIND, 2, &name));
    cr_assert_str_eq(name, "ets");
    cr_assert_not_null(lp_registry_provider_at(uw_registry(), LP_MODEL_BACKEND_KIND, 3, &name));
    cr_assert_str_eq(name, "additive");
    cr_assert_not_null(lp_registry_provider_at(uw_registry(), LP_MODEL_BACKEND_KIND, 4, &name));
    cr_assert_str_eq(name, "by_series");
}

/* An applier that adds a column "seen" holding the state's length. */
static int length_apply(lp_frame **out, const uint8_t *state, size_t len, const lp_frame *X)
{
    lp_frame *f = lp_frame_new();
    for (size_t j = 0; j < lp_frame_cols(X); j++)
        lp_frame_add_column(f, lp_frame_name(X, j), lp_column_ref(lp_frame_col(X, j)));
    lp_column *c = lp_column_new(LP_DT_INT64, lp_frame_rows(X));
    for (size_t i = 0; i < lp_frame_rows(X); i++)
        c->data.i64[i] = (int64_t)len;
    lp_frame_add_column(f, "seen", c);
    *out = f;
    return 0;
}

Test(model, feature_state_appliers_register_through_the_registry)
{
    static const lp_feature_state_applier seen = {sizeof seen, "Seen", length_apply};
    lp_registry *reg = lp_registry_new();
    cr_assert_eq(lp_registry_add_feature_state(reg, &seen), 0);
    cr_assert_eq(lp_registry_find_feature_state(reg, "Seen"), &seen);
    cr_assert_eq(lp_registry_add_feature_state(reg, &seen), LP_EEXISTS);
    lp_feature_state_applier bad = seen;
    bad.size = sizeof(size_t);
    cr_assert_eq(lp_registry_add_feature_state(reg, &bad), LP_EINVAL);
    cr_assert(strstr(lp_error_last()->message, "descriptor of"), "%s", lp_error_last()->message);
    bad = seen;
    bad.apply = NULL;
    cr_assert_eq(lp_registry_add_feature_state(reg, &bad), LP_EINVAL);

    /* a model carrying a transformer's state is prepared through its applier */
    lp_model *m = toy_model(LP_MODEL_BINARY, LP_DT_STRING);
    lp_frame *X = csv("x0,colour\n5,red\n6,blue\n"), *out = NULL;
    cr_assert_eq(lp_model_features(&out, reg, m, X), 0, "no state: X itself");
    cr_assert_eq(out, X);
    lp_frame_unref(out);
    cr_assert_eq(lp_model_set_attachment(m, LP_FT_STATE_KEY, (const uint8_t *)"abc", 3), 0);
    cr_assert_eq(lp_model_set_attachment(m, LP_FT_CLASS_KEY, (const uint8_t *)"Seen", 4), 0);
    cr_assert_eq(lp_model_features(&out, reg, m, X), 0, "%s", lp_error_last()->message);
    cr_assert_eq(lp_frame_col_by_name(out, "seen")->data.i64[1], 3);
    lp_frame_unref(out);
    /* the built-in registry knows LocalFeatureTransformer's applier, not this one */
    cr_assert_not_null(lp_registry_find_feature_state(uw_registry(), "LocalFeatureTransformer"));
    cr_assert_eq(lp_model_features(&out, uw_registry(), m, X), LP_ENOTFOUND);
    cr_assert(strstr(lp_error_last()->message, "feature transformer 'Seen'"), "%s",
              lp_error_last()->message);
    cr_assert_null(out);
    lp_frame_unref(X);
    lp_model_unref(m);
    lp_registry_free(reg);
}

Test(model, has_probabilities_asks_the_backend)
{
    lp_model *m = toy_model(LP_MODEL_BINARY, LP_DT_STRING);
    cr_assert(lp_model_has_probabilities(m), "no has_probabilities: probabilities");
    lp_model_unref(m);
    /* a back-end whose classifiers give scores */
    m = toy_model_of(&toy_scores, LP_MODEL_BINARY, LP_DT_STRING);
    cr_assert_not(lp_model_has_probabilities(m));
    lp_frame *X = csv("x0,colour\n5,red\n");
    lp_frame *p = NULL;
    cr_assert_eq(lp_model_predict_proba(&p, m, X), LP_EINVAL);
    cr_assert(
        strstr(lp_error_last()->message, "the toy_scores model of 'ok' gives no probabilities"),
        "%s", lp_error_last()->message);
    lp_frame *labels = NULL;
    cr_assert_eq(lp_model_predict(&labels, m, X), 0, "labels still come from the scores");
    lp_frame_unref(labels);
    lp_frame_unref(X);
    lp_model_unref(m);
    /* a regression model never has them, whatever the back-end */
    m = toy_model_of(&toy_loadable, LP_MODEL_REGRESSION, LP_DT_FLOAT64);
    cr_assert_not(lp_model_has_probabilities(m));
    lp_model_unref(m);
}

Test(model, handle_values_share_and_free)
{
    frees = 0;
    lp_model *m = toy_model(LP_MODEL_BINARY, LP_DT_STRING);
    lp_value *v = lp_value_model(m);
    cr_assert_eq(lp_value_as_model(v), m);
    lp_value *i = lp_value_int(1);
    cr_assert_null(lp_value_as_model(i));
    lp_value_unref(i);
    const lp_handle_type *t = lp_value_handle_type(v);
    cr_assert_str_eq(t->name, "model");
    char *d = t->describe(m);
    cr_assert_str_eq(d, "toy binary model of 'ok' on 2 features");
    free(d);
    uint8_t h1[32], h2[32];
    cr_assert_eq(t->hash(m, h1), 0);
    cr_assert_eq(t->hash(m, h2), 0);
    cr_assert(memcmp(h1, h2, 32) == 0);
    lp_model_unref(m);
    cr_assert_eq(frees, 0, "the value still holds the model");
    lp_value_unref(v);
    cr_assert_eq(frees, 1);
}

Test(model, task_names)
{
    lp_model_task t;
    cr_assert_eq(lp_model_task_parse("multiclass", &t), 0);
    cr_assert_eq(t, LP_MODEL_MULTICLASS);
    cr_assert_str_eq(lp_model_task_name(LP_MODEL_REGRESSION), "regression");
    cr_assert_eq(lp_model_task_parse("ranking", &t), LP_EINVAL);
}

/* ---- attachments ---------------------------------------------------------------- */

static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "%s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc((size_t)n);
    cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return buf;
}

/* liblinear logistic on the binary fixture (the model v1_logistic.lpmodel holds). */
static lp_model *logistic_model(lp_frame **X_out)
{
    lp_frame *f = NULL, *X = NULL, *y = NULL;
    const char *names[] = {"y"};
    cr_assert_eq(lp_csv_read(&f, LP_FIXTURES_DIR "/linear/logistic_binary_train.csv", NULL), 0);
    cr_assert_eq(lp_frame_drop(&X, f, names, 1), 0);
    cr_assert_eq(lp_frame_select(&y, f, names, 1), 0);
    lp_model *m = NULL;
    cr_assert_eq(lp_linear_train(&m, X, y, NULL), 0, "%s", lp_error_last()->message);
    lp_frame_unref(f);
    lp_frame_unref(y);
    *X_out = X;
    return m;
}

static void same_proba(const lp_model *a, const lp_model *b, const lp_frame *X)
{
    double *pa = NULL, *pb = NULL;
    cr_assert_eq(lp_model_predict_raw(&pa, a, X), 0, "%s", lp_error_last()->message);
    cr_assert_eq(lp_model_predict_raw(&pb, b, X), 0, "%s", lp_error_last()->message);
    for (size_t i = 0; i < lp_frame_rows(X) * 2; i++)
        cr_assert_eq(pa[i], pb[i], "row %zu: %.17g vs %.17g", i / 2, pa[i], pb[i]);
    free(pa);
    free(pb);
}

Test(model, attachments_round_trip_through_save_and_load)
{
    lp_frame *X;
    lp_model *m = logistic_model(&X);
    const uint8_t state[] = {'{', 0, 0xff, 0x80, '\n', '"', '}'};
    cr_assert_eq(lp_model_set_attachment(m, "feature_transformer.state", state, sizeof state), 0);
    cr_assert_eq(lp_model_set_attachment(m, "feature_transformer.class", (const uint8_t *)"Old", 3),
                 0);
    cr_assert_eq(lp_model_set_attachment(m, "empty", NULL, 0), 0);
    /* setting a key again replaces its bytes and keeps its place */
    cr_assert_eq(lp_model_set_attachment(m, "feature_transformer.class",
                                         (const uint8_t *)"LocalFeatureTransformer", 23),
                 0);
    cr_assert_eq(lp_model_n_attachments(m), 3);
    cr_assert_str_eq(lp_model_attachment_key(m, 1), "feature_transformer.class");
    cr_assert_null(lp_model_attachment_key(m, 3));
    cr_assert_eq(lp_model_set_attachment(m, "", state, 1), LP_EINVAL);

    uint8_t *buf;
    size_t len;
    cr_assert_eq(lp_model_save(&buf, &len, m), 0, "%s", lp_error_last()->message);
    cr_assert_not_null(memmem(buf, len, "\"format\":2", 10), "attachments make format 2");
    lp_model *back = NULL;
    cr_assert_eq(lp_model_load(&back, uw_registry(), buf, len), 0, "%s", lp_error_last()->message);
    size_t n = 99;
    const uint8_t *got = lp_model_attachment(back, "feature_transformer.state", &n);
    cr_assert_not_null(got);
    cr_assert_eq(n, sizeof state);
    cr_assert(memcmp(got, state, n) == 0, "binary bytes survive");
    got = lp_model_attachment(back, "feature_transformer.class", &n);
    cr_assert_eq(n, 23);
    cr_assert(memcmp(got, "LocalFeatureTransformer", 23) == 0);
    got = lp_model_attachment(back, "empty", &n);
    cr_assert_not_null(got, "an empty attachment is present");
    cr_assert_eq(n, 0);
    cr_assert_str_eq(lp_model_attachment_key(back, 0), "feature_transformer.state");
    same_proba(m, back, X);

    /* saved again, the bytes are the same (same order, same encoding) */
    uint8_t *buf2;
    size_t len2;
    cr_assert_eq(lp_model_save(&buf2, &len2, back), 0);
    cr_assert_eq(len2, len);
    cr_assert(memcmp(buf, buf2, len) == 0);
    free(buf2);
    free(buf);
    lp_model_unref(back);
    lp_model_unref(m);
    lp_frame_unref(X);
}

Test(model, absent_attachment_is_null)
{
    lp_frame *X;
    lp_model *m = logistic_model(&X);
    size_t n = 7;
    cr_assert_null(lp_model_attachment(m, "feature_transformer.state", &n));
    cr_assert_eq(n, 0);
    cr_assert_null(lp_model_attachment(m, NULL, NULL));
    cr_assert_eq(lp_model_n_attachments(m), 0);
    lp_model_unref(m);
    lp_frame_unref(X);
}

Test(model, format_1_bytes_still_load_and_are_still_written)
{
    size_t len;
    uint8_t *old = read_file(LP_FIXTURES_DIR "/model/v1_logistic.lpmodel", &len);
    lp_model *m = NULL;
    cr_assert_eq(lp_model_load(&m, uw_registry(), old, len), 0, "%s", lp_error_last()->message);
    cr_assert_str_eq(lp_model_backend(m), "liblinear");
    cr_assert_eq(lp_model_n_attachments(m), 0);
    cr_assert_null(lp_model_attachment(m, "feature_transformer.state", NULL));
    lp_frame *X;
    lp_model *fresh = logistic_model(&X);
    same_proba(m, fresh, X);
    /* a model without attachments is written exactly as before (same hash) */
    uint8_t *now;
    size_t now_len;
    cr_assert_eq(lp_model_save(&now, &now_len, fresh), 0);
    cr_assert_eq(now_len, len);
    cr_assert(memcmp(now, old, len) == 0, "format 1 bytes changed");
    free(now);
    lp_model_unref(fresh);
    lp_model_unref(m);
    lp_frame_unref(X);
    free(old);
}

Test(model, newer_format_and_bad_attachments_are_errors)
{
    size_t len;
    uint8_t *old = read_file(LP_FIXTURES_DIR "/model/v1_logistic.lpmodel", &len);
    lp_model *m = NULL;
    uint8_t *p = memmem(old, len, "\"format\":1", 10);
    cr_assert_not_null(p);
    p[9] = '3';
    cr_assert_eq(lp_model_load(&m, uw_registry(), old, len), LP_EINVAL);
    cr_assert(strstr(lp_error_last()->message, "format 3 was written by a newer lolpop"), "%s",
              lp_error_last()->message);
    p[9] = '2';
    cr_assert_eq(lp_model_load(&m, uw_registry(), old, len), 0,
                 "format 2 without attachments loads: %s", lp_error_last()->message);
    lp_model_unref(m);
    m = NULL;
    /* an attachment that is not base64 */
    lp_frame *X;
    lp_model *good = logistic_model(&X);
    cr_assert_eq(lp_model_set_attachment(good, "k", (const uint8_t *)"abcd", 4), 0);
    uint8_t *buf;
    size_t blen;
    cr_assert_eq(lp_model_save(&buf, &blen, good), 0);
    uint8_t *b64 = memmem(buf, blen, "\"k\":\"YWJjZA==\"", 14);
    cr_assert_not_null(b64, "abcd is YWJjZA== in base64");
    b64[5] = '!';
    cr_assert_eq(lp_model_load(&m, uw_registry(), buf, blen), LP_EINVAL);
    cr_assert(strstr(lp_error_last()->message, "attachment 'k' is not base64"), "%s",
              lp_error_last()->message);
    cr_assert_null(m);
    free(buf);
    lp_model_unref(good);
    lp_frame_unref(X);
    free(old);
}
