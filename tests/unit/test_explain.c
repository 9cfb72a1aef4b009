/*
 * test_explain.c — feature contributions of the model back-ends: XGBoost's
 * against python xgboost's predict(pred_contribs=True) on the committed
 * fixture (tests/fixtures/gen_explain.py), base + Σ contributions = margin,
 * feature importance against get_score, liblinear's exact linear SHAP, the
 * explanations frame and the top-k reasons.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lolpop.h"
#include "ml/linear.h"
#include "ml/model_internal.h"
#include "ml/xgb.h"
#include "ml/xgb_internal.h"
#include "ml/xgb_shap.h"

#define FIX LP_FIXTURES_DIR "/explain"

static lp_frame *read_csv(const char *path)
{
    lp_frame *f = NULL;
    cr_assert_eq(lp_csv_read(&f, path, NULL), 0, "%s: %s", path, lp_error_last()->message);
    return f;
}

static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    cr_assert_not_null(fp, "%s", path);
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    uint8_t *buf = malloc((size_t)n);
    cr_assert_eq(fread(buf, 1, (size_t)n, fp), (size_t)n);
    fclose(fp);
    *len = (size_t)n;
    return buf;
}

/* The python-trained booster of `name` as an lp_model over x0..x4. */
static lp_model *xgb_fixture(const char *name, lp_model_task task, size_t classes)
{
    char path[512];
    snprintf(path, sizeof path, FIX "/%s.ubj", name);
    size_t len;
    uint8_t *blob = read_file(path, &len);
    void *state = NULL;
    cr_assert_eq(lp_xgb_ops.load(&state, blob, len), 0, "%s", lp_error_last()->message);
    free(blob);
    lp_model *m =
        lp_model_new(&lp_xgb_ops, state, task, "y", classes ? LP_DT_STRING : LP_DT_FLOAT64);
    cr_assert_not_null(m);
    for (int j = 0; j < 5; j++) {
        char f[24];
        snprintf(f, sizeof f, "x%d", j);
        cr_assert_eq(lp_model_add_feature(m, f, LP_DT_FLOAT64), 0);
    }
    for (size_t k = 0; k < classes; k++) {
        char c[24];
        snprintf(c, sizeof c, "c%zu", k);
        cr_assert_eq(lp_model_add_class(m, c), 0);
    }
    return m;
}

static void check_xgb_case(const char *name, lp_model_task task, size_t classes)
{
    lp_model *m = xgb_fixture(name, task, classes);
    lp_frame *X = read_csv(FIX "/data.csv");
    char path[512];
    snprintf(path, sizeof path, FIX "/%s_contribs.csv", name);
    lp_frame *want = read_csv(path);
    snprintf(path, sizeof path, FIX "/%s_margin.csv", name);
    lp_frame *margin = read_csv(path);
    cr_assert(lp_model_has_contributions(m));
    size_t G = lp_model_n_contribution_groups(m), W = 6, rows = lp_frame_rows(X);
    cr_assert_eq(G, classes > 2 ? classes : 1);
    cr_assert_eq(lp_frame_cols(want), G * W);
    double *c = NULL;
    cr_assert_eq(lp_model_contributions(&c, m, X), 0, "%s", lp_error_last()->message);
    for (size_t i = 0; i < rows; i++)
        for (size_t g = 0; g < G; g++) {
            double sum = 0;
            for (size_t j = 0; j < W; j++) {
                double got = c[(i * G + g) * W + j];
                double exp = lp_column_get_f64(lp_frame_col(want, g * W + j), i);
                cr_assert(fabs(got - exp) <= 1e-6, "%s row %zu group %zu col %zu: %.9g vs %.9g",
                          name, i, g, j, got, exp);
                sum += got;
            }
            /* XGBoost sums its float32 leaf values in float: 1e-5 absorbs that. */
            double mg = lp_column_get_f64(lp_frame_col(margin, g), i);
            cr_assert(fabs(sum - mg) <= 1e-5, "%s row %zu: base + sum %.9g, margin %.9g", name, i,
                      sum, mg);
        }
    free(c);
    lp_frame_unref(X);
    lp_frame_unref(want);
    lp_frame_unref(margin);
    lp_model_unref(m);
}

Test(explain, xgb_binary_contributions_equal_python)
{
    check_xgb_case("binary", LP_MODEL_BINARY, 2);
}

Test(explain, xgb_multiclass_contributions_equal_python)
{
    check_xgb_case("multi", LP_MODEL_MULTICLASS, 3);
}

Test(explain, xgb_regression_contributions_equal_python)
{
    check_xgb_case("reg", LP_MODEL_REGRESSION, 0);
}

Test(explain, xgb_importance_equals_get_score)
{
    lp_model *m = xgb_fixture("binary", LP_MODEL_BINARY, 2);
    json_error_t jerr;
    json_t *want = json_load_file(FIX "/binary_importance.json", 0, &jerr);
    cr_assert_not_null(want, "%s", jerr.text);
    const char *kinds[] = {"weight", "gain", "cover"};
    for (int k = 0; k < 3; k++) {
        double *imp = NULL;
        cr_assert_eq(lp_model_feature_importance(&imp, m, kinds[k]), 0, "%s",
                     lp_error_last()->message);
        for (int j = 0; j < 5; j++) {
            char f[16];
            snprintf(f, sizeof f, "f%d", j);
            json_t *v = json_object_get(json_object_get(want, kinds[k]), f);
            double exp = v ? json_number_value(v) : 0;
            cr_assert(fabs(imp[j] - exp) <= 1e-6 * fmax(1, fabs(exp)), "%s %s: %g vs %g", kinds[k],
                      f, imp[j], exp);
        }
        free(imp);
    }
    double *imp = NULL;
    cr_assert_eq(lp_model_feature_importance(&imp, m, "shapley"), LP_ENOTFOUND);
    cr_assert_null(imp);
    json_decref(want);
    lp_model_unref(m);
}

Test(explain, explanations_frame_and_reasons)
{
    lp_model *m = xgb_fixture("multi", LP_MODEL_MULTICLASS, 3);
    lp_frame *X = read_csv(FIX "/data.csv");
    lp_frame *e = NULL, *r = NULL;
    cr_assert_eq(lp_model_explanations(&e, m, X), 0, "%s", lp_error_last()->message);
    cr_assert_eq(lp_frame_cols(e), 18);
    cr_assert_str_eq(lp_frame_name(e, 0), "c0:x0");
    cr_assert_str_eq(lp_frame_name(e, 5), "c0:base_value");
    cr_assert_eq(lp_model_reasons(&r, m, e, 3), 0, "%s", lp_error_last()->message);
    cr_assert_eq(lp_frame_cols(r), 6);
    cr_assert_str_eq(lp_frame_name(r, 0), "reason_1");
    cr_assert_str_eq(lp_frame_name(r, 5), "reason_3_value");
    lp_frame *pred = NULL;
    cr_assert_eq(lp_model_predict(&pred, m, X), 0);
    for (size_t i = 0; i < lp_frame_rows(X); i++) {
        /* the predicted class's contributions, largest magnitude first */
        size_t len;
        const char *label = lp_column_str(lp_frame_col(pred, 0), i, &len);
        double prev = INFINITY;
        for (int k = 0; k < 3; k++) {
            size_t flen;
            const char *feat = lp_column_str(lp_frame_col(r, 2 * k), i, &flen);
            double v = lp_column_get_f64(lp_frame_col(r, 2 * k + 1), i);
            char col[32];
            snprintf(col, sizeof col, "%.*s:%.*s", 2, label, (int)flen, feat);
            double want = lp_column_get_f64(lp_frame_col_by_name(e, col), i);
            cr_assert_eq(v, want, "row %zu reason %d", i, k);
            cr_assert(fabs(v) <= prev);
            prev = fabs(v);
        }
        for (int j = 0; j < 5; j++) { /* nothing left out is larger than the third */
            char col[32];
            snprintf(col, sizeof col, "%.*s:x%d", 2, label, j);
            double v = fabs(lp_column_get_f64(lp_frame_col_by_name(e, col), i));
            bool listed = false;
            for (int k = 0; k < 3; k++) {
                const char *n = lp_column_str(lp_frame_col(r, 2 * k), i, &len);
                listed |= len == 2 && memcmp(n, col + 3, 2) == 0;
            }
            cr_assert(listed || v <= prev, "row %zu: x%d (%g) beats the third reason", i, j, v);
        }
    }
    lp_frame_unref(pred);
    lp_frame *r9 = NULL; /* more reasons than features: one per feature */
    cr_assert_eq(lp_model_reasons(&r9, m, e, 9), 0);
    cr_assert_eq(lp_frame_cols(r9), 10);
    lp_frame_unref(r9);
    lp_frame_unref(r);
    lp_frame_unref(e);
    lp_frame_unref(X);
    lp_model_unref(m);
}

/* ---- liblinear: exact linear SHAP ------------------------------------------------------ */

static lp_frame *column_frame(lp_frame *f, const char *name)
{
    lp_frame *o = lp_frame_new();
    lp_frame_add_column(o, name, lp_column_ref(lp_frame_col_by_name(f, name)));
    return o;
}

/* data.csv's features with missing values made 0 (liblinear refuses them). */
static lp_frame *complete_features(lp_frame *d)
{
    lp_frame *X = lp_frame_new();
    for (int j = 0; j < 5; j++) {
        char f[16];
        snprintf(f, sizeof f, "x%d", j);
        const lp_column *c = lp_frame_col_by_name(d, f);
        lp_column *n = lp_column_new(LP_DT_FLOAT64, lp_frame_rows(d));
        for (size_t i = 0; i < lp_frame_rows(d); i++) {
            double v = lp_column_get_f64(c, i);
            n->data.f64[i] = isnan(v) ? 0 : v;
        }
        lp_frame_add_column(X, f, n);
    }
    return X;
}

static lp_model *train_linear(lp_frame *X, lp_frame *d, const char *target, const char *model,
                              bool standardize)
{
    lp_value *params = lp_value_map();
    lp_map_put(params, "model", lp_value_string(model));
    lp_map_put(params, "standardize", lp_value_bool(standardize));
    lp_frame *y = column_frame(d, target);
    lp_model *m = NULL;
    cr_assert_eq(lp_linear_train(&m, X, y, params), 0, "%s", lp_error_last()->message);
    lp_frame_unref(y);
    lp_value_unref(params);
    return m;
}

/* base + Σ = margin (margin_of: row's outputs → group g's margin), and every
 * feature's contributions average 0 over the training rows. */
static void check_linear(lp_model *m, lp_frame *X, double (*margin_of)(const double *, size_t))
{
    size_t G = lp_model_n_contribution_groups(m), W = 6, rows = lp_frame_rows(X);
    size_t K = lp_model_n_outputs(m);
    double *c = NULL, *out = NULL;
    cr_assert_eq(lp_model_contributions(&c, m, X), 0, "%s", lp_error_last()->message);
    cr_assert_eq(lp_model_predict_raw(&out, m, X), 0);
    double mean[3 * 6] = {0};
    for (size_t i = 0; i < rows; i++)
        for (size_t g = 0; g < G; g++) {
            double sum = 0;
            for (size_t j = 0; j < W; j++) {
                sum += c[(i * G + g) * W + j];
                mean[g * W + j] += c[(i * G + g) * W + j] / (double)rows;
            }
            double want = margin_of(out + i * K, g);
            cr_assert(fabs(sum - want) <= 1e-9 * fmax(1, fabs(want)),
                      "row %zu group %zu: %.12g vs %.12g", i, g, sum, want);
        }
    for (size_t g = 0; g < G; g++)
        for (size_t j = 0; j < 5; j++)
            cr_assert(fabs(mean[g * W + j]) <= 1e-9, "group %zu feature %zu mean %g", g, j,
                      mean[g * W + j]);
    free(c);
    free(out);
}

static double logit_p1(const double *out, size_t g)
{
    (void)g;
    return log(out[1] / out[0]);
}

static double decision(const double *out, size_t g)
{
    return out[g];
}

static double value(const double *out, size_t g)
{
    (void)g;
    return out[0];
}

Test(explain, linear_shap_is_exact)
{
    lp_frame *d = read_csv(FIX "/data.csv");
    lp_frame *X = complete_features(d);
    for (int s = 0; s < 2; s++) {
        lp_model *m = train_linear(X, d, "y_binary", "logistic", s);
        check_linear(m, X, logit_p1);
        lp_model_unref(m);
        m = train_linear(X, d, "y_multi", "svm", s);
        cr_assert_eq(lp_model_n_contribution_groups(m), 3);
        check_linear(m, X, decision);
        lp_model_unref(m);
        m = train_linear(X, d, "y_reg", "ridge", s);
        check_linear(m, X, value);
        lp_model_unref(m);
    }
    lp_frame_unref(X);
    lp_frame_unref(d);
}

/* A model saved before the training means were kept: explained through its
 * standardisation means, or refused (not standardised) with a message. */
Test(explain, linear_old_models_stay_loadable)
{
    lp_frame *d = read_csv(FIX "/data.csv");
    lp_frame *X = complete_features(d);
    for (int s = 0; s < 2; s++) {
        lp_model *m = train_linear(X, d, "y_binary", "logistic", s);
        uint8_t *blob = NULL;
        size_t len = 0;
        cr_assert_eq(lp_linear_ops.save(lp_model_state(m), &blob, &len), 0);
        json_t *o = json_loadb((const char *)blob, len, 0, NULL);
        /* kept only when not standardised (else they are the standardisation's) */
        cr_assert_eq(json_object_get(o, "x_mean") != NULL, !s);
        json_object_del(o, "x_mean");
        char *old = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(17));
        void *state = NULL;
        cr_assert_eq(lp_linear_ops.load(&state, (uint8_t *)old, strlen(old)), 0, "%s",
                     lp_error_last()->message);
        lp_model *om =
            lp_model_new(&lp_linear_ops, state, LP_MODEL_BINARY, "y_binary", LP_DT_INT64);
        for (size_t j = 0; j < lp_model_n_features(m); j++)
            lp_model_add_feature(om, lp_model_feature_name(m, j), LP_DT_FLOAT64);
        for (size_t k = 0; k < lp_model_n_classes(m); k++)
            lp_model_add_class(om, lp_model_class_label(m, k));
        if (s) {
            check_linear(om, X, logit_p1);
        } else {
            double *c = NULL;
            cr_assert_eq(lp_model_contributions(&c, om, X), LP_EINVAL);
            cr_assert(strstr(lp_error_last()->message, "retrain") != NULL);
        }
        lp_model_unref(om);
        free(old);
        json_decref(o);
        free(blob);
        lp_model_unref(m);
    }
    lp_frame_unref(X);
    lp_frame_unref(d);
}

/* ---- lolpop's TreeSHAP (xgb_shap.c) against libxgboost's pred_contribs ---- */

#define XGB_FIX LP_FIXTURES_DIR "/xgb"

/* Trees of m's compiled TreeSHAP answered from path-pattern tables; *trees
 * all of them. */
static size_t tabled_trees(const lp_model *m, size_t *trees)
{
    const xgb_state *s = m->state;
    cr_assert_not_null(s->shap);
    *trees = lp_xgb_shap_trees(s->shap);
    return lp_xgb_shap_tabled_trees(s->shap);
}

Test(explain, xgb_fixtures_use_lolpops_treeshap)
{
    const char *names[] = {"binary", "multi", "reg"};
    lp_model_task tasks[] = {LP_MODEL_BINARY, LP_MODEL_MULTICLASS, LP_MODEL_REGRESSION};
    size_t classes[] = {2, 3, 0};
    for (int k = 0; k < 3; k++) {
        lp_model *m = xgb_fixture(names[k], tasks[k], classes[k]);
        cr_assert_eq(lp_xgb_shap_settle(m), 1, "%s: libxgboost answers", names[k]);
        size_t trees = 0;
        /* shallow trees: every one from its tables */
        cr_assert_eq(tabled_trees(m, &trees), trees, "%s", names[k]);
        cr_assert_gt(trees, 0);
        lp_model_unref(m);
    }
}

/* Trains on tests/fixtures/xgb/<data>_train.csv with params ("k=v" strings,
 * ints or words); *X is the training features (new reference). */
static lp_model *train_xgb(lp_frame **X, const char *data, const char *target,
                           const char *const *kv, size_t n_kv)
{
    char path[512];
    snprintf(path, sizeof path, XGB_FIX "/%s_train.csv", data);
    lp_frame *f = read_csv(path), *y = NULL;
    const char *names[] = {target};
    cr_assert_eq(lp_frame_drop(X, f, names, 1), 0);
    cr_assert_eq(lp_frame_select(&y, f, names, 1), 0);
    lp_value *p = lp_value_map();
    for (size_t i = 0; i + 1 < n_kv; i += 2) {
        char *end = NULL;
        long v = strtol(kv[i + 1], &end, 10);
        lp_map_set(p, kv[i], *end ? lp_value_string(kv[i + 1]) : lp_value_int(v));
    }
    lp_model *m = NULL;
    cr_assert_eq(lp_xgb_train(&m, *X, y, NULL, NULL, p, NULL), 0, "%s", lp_error_last()->message);
    lp_value_unref(p);
    lp_frame_unref(y);
    lp_frame_unref(f);
    return m;
}

/* lolpop's TreeSHAP answers m on X, and equals libxgboost's to 1e-6; for an
 * identity link, base + Σ contributions = the prediction. */
static void check_against_libxgboost(lp_model *m, const lp_frame *X, bool identity)
{
    cr_assert_eq(lp_xgb_shap_settle(m), 1);
    size_t G = lp_model_n_contribution_groups(m), W = lp_model_n_features(m) + 1;
    size_t rows = lp_frame_rows(X);
    double *mine = NULL, *mat = NULL;
    cr_assert_eq(lp_model_contributions(&mine, m, X), 0, "%s", lp_error_last()->message);
    cr_assert_eq(lp_model_matrix(&mat, m, X), 0);
    double *theirs = malloc(rows * G * W * sizeof *theirs);
    cr_assert_eq(lp_xgb_contributions_libxgboost(m->state, m, mat, rows, theirs), 0);
    for (size_t i = 0; i < rows * G * W; i++)
        cr_assert(fabs(mine[i] - theirs[i]) <= 1e-6, "row %zu group %zu col %zu: %.9g vs %.9g",
                  i / (G * W), i / W % G, i % W, mine[i], theirs[i]);
    if (identity) {
        lp_frame *pred = NULL;
        cr_assert_eq(lp_model_predict(&pred, m, X), 0);
        for (size_t i = 0; i < rows; i++) {
            double sum = 0;
            for (size_t j = 0; j < W; j++)
                sum += mine[i * W + j];
            double want = lp_column_get_f64(lp_frame_col(pred, 0), i);
            cr_assert(fabs(sum - want) <= 1e-5, "row %zu: %.9g vs %.9g", i, sum, want);
        }
        lp_frame_unref(pred);
    }
    free(mine);
    free(mat);
    free(theirs);
}

Test(explain, treeshap_of_categorical_splits_and_missing_values)
{
    const char *kv[] = {"max_depth", "4", "tree_method", "hist", "num_boost_round", "15"};
    lp_frame *X = NULL;
    lp_model *m = train_xgb(&X, "cat", "y", kv, 6);
    cr_assert(lp_model_feature_is_categorical(m, 2));
    /* the training rows hold missing values in x0, x1 and colour */
    check_against_libxgboost(m, X, true);
    lp_frame_unref(X);
    lp_model_unref(m);
}

Test(explain, treeshap_of_deep_trees_and_multiclass)
{
    /* depth 16: the path buffer outgrows the stack's and leaves lie too deep for
     * path-pattern tables (xgb_shap.c) */
    const char *deep[] = {"max_depth", "16", "num_boost_round", "8", "min_child_weight", "0"};
    lp_frame *X = NULL;
    lp_model *m = train_xgb(&X, "reg", "target", deep, 6);
    check_against_libxgboost(m, X, true);
    size_t trees = 0, tabled = tabled_trees(m, &trees);
    /* trees too deep for tables run the recursion: both paths are checked */
    cr_assert(tabled < trees, "%zu of %zu trees tabled", tabled, trees);
    lp_frame_unref(X);
    lp_model_unref(m);
    const char *multi[] = {"max_depth", "5", "num_boost_round", "10"};
    m = train_xgb(&X, "multi", "colour", multi, 4);
    cr_assert_eq(lp_model_n_contribution_groups(m), 3);
    check_against_libxgboost(m, X, false);
    lp_frame_unref(X);
    lp_model_unref(m);
    const char *bin[] = {"max_depth", "6", "num_boost_round", "20"};
    m = train_xgb(&X, "binary", "y", bin, 4);
    check_against_libxgboost(m, X, false);
    lp_frame_unref(X);
    lp_model_unref(m);
}
