/*
 * test_model_checker.c — LocalModelChecker's numbers against scikit-learn
 * 1.2 to 1e-9 on the committed fixture (tests/fixtures/model_checker/
 * gen_model_checker.py): confusion matrix, per-class precision / recall / f1 /
 * support, Brier score, expected calibration error, the majority (prior)
 * and mean / median baselines; the stratified baseline's shape; bad
 * configurations refused with a located message; check_model reusing the
 * predictions of get_baseline_comparison on the same splits (once), and not on others;
 * get_reference_predictions rebuilding the predictions on the split frame in its row
 * order, and calculate_model_drift using them only for the same model and rows.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "components/model_checker/mc.h"
#include "lolpop.h"
#include "lolpop/objstore.h"
#include "lolpop/types/data_splitter.h"
#include "lolpop/types/model_checker.h"
#include "unit_workflow.h"

#define TOL 1e-9
#define ASSERT_NEAR(got, want, ...)                                                                \
    cr_assert(fabs((got) - (want)) <= TOL * (1 + fabs(want)), __VA_ARGS__)

TestSuite(model_checker, .init = uw_setup, .fini = uw_teardown, .timeout = 120);

static json_t *cases(void)
{
    json_error_t err;
    json_t *j = json_load_file(LP_FIXTURES_DIR "/model_checker/cases.json", 0, &err);
    cr_assert_not_null(j, "%s", err.text);
    return j;
}

static double *doubles(const json_t *a)
{
    double *v = malloc((json_array_size(a) + 1) * sizeof *v);
    for (size_t i = 0; i < json_array_size(a); i++)
        v[i] = json_number_value(json_array_get(a, i));
    return v;
}

static int32_t *ints(const json_t *a)
{
    int32_t *v = malloc((json_array_size(a) + 1) * sizeof *v);
    for (size_t i = 0; i < json_array_size(a); i++)
        v[i] = (int32_t)json_integer_value(json_array_get(a, i));
    return v;
}

static double num(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    cr_assert(json_is_number(v), "%s", key);
    return json_number_value(v);
}

static lp_value *names(const char *const *list, size_t n)
{
    lp_value *l = lp_value_list();
    for (size_t i = 0; i < n; i++)
        lp_list_append(l, lp_value_string(list[i]));
    return l;
}

static void check_classification(const char *name)
{
    json_t *all = cases(), *c = json_object_get(all, name);
    size_t k = (size_t)json_integer_value(json_object_get(c, "k"));
    lp_mc_split s = {0}, train = {0};
    s.k = train.k = k;
    s.n = json_array_size(json_object_get(c, "y"));
    s.y = ints(json_object_get(c, "y"));
    s.pred = ints(json_object_get(c, "pred"));
    s.proba = doubles(json_object_get(c, "proba"));
    train.n = json_array_size(json_object_get(c, "y_train"));
    train.y = ints(json_object_get(c, "y_train"));

    lp_value *cm = lp_mc_confusion(&s);
    const json_t *wcm = json_object_get(c, "confusion");
    for (size_t t = 0; t < k; t++)
        for (size_t p = 0; p < k; p++)
            cr_assert_eq(lp_value_as_int(lp_list_get(lp_list_get(cm, t), p)),
                         json_integer_value(json_array_get(json_array_get(wcm, t), p)),
                         "%s confusion[%zu][%zu]", name, t, p);
    lp_value_unref(cm);

    lp_value *labels = lp_value_list();
    for (size_t i = 0; i < k; i++) {
        char l[24];
        snprintf(l, sizeof l, "%zu", i);
        lp_list_append(labels, lp_value_string(l));
    }
    lp_value *pc = lp_mc_per_class(&s, labels);
    static const char *const keys[] = {"precision", "recall", "f1", "support"};
    for (size_t i = 0; i < k; i++)
        for (size_t j = 0; j < 4; j++) {
            double got = lp_value_as_float(lp_map_get(lp_list_get(pc, i), keys[j]));
            double want = json_number_value(json_array_get(json_object_get(c, keys[j]), i));
            ASSERT_NEAR(got, want, "%s class %zu %s: %.17g vs %.17g", name, i, keys[j], got, want);
        }
    lp_value_unref(pc);
    lp_value_unref(labels);

    size_t bins = (size_t)json_integer_value(json_object_get(c, "bins"));
    lp_value *cal = lp_mc_calibration(&s, bins);
    cr_assert_not_null(cal);
    ASSERT_NEAR(lp_value_as_float(lp_map_get(cal, "brier")), num(c, "brier"), "%s brier %.17g",
                name, lp_value_as_float(lp_map_get(cal, "brier")));
    ASSERT_NEAR(lp_value_as_float(lp_map_get(cal, "ece")), num(c, "ece"), "%s ece %.17g", name,
                lp_value_as_float(lp_map_get(cal, "ece")));
    cr_assert_eq(lp_list_len(lp_map_get(cal, "bins")), bins);
    lp_value_unref(cal);

    /* DummyClassifier(strategy='prior') */
    static const char *const metric_names[] = {"accuracy", "f1", "logloss"};
    lp_value *mn = names(metric_names, 3);
    lp_mc_split b;
    cr_assert_eq(lp_mc_baseline_predict(&b, LP_MC_MAJORITY, &train, &s, 42), 0, "%s",
                 lp_error_last()->message);
    lp_value *m = lp_mc_metrics(&b, mn, NULL);
    const json_t *want = json_object_get(c, "majority");
    for (size_t i = 0; i < 3; i++)
        ASSERT_NEAR(lp_value_as_float(lp_map_get(m, metric_names[i])), num(want, metric_names[i]),
                    "%s majority %s: %.17g", name, metric_names[i],
                    lp_value_as_float(lp_map_get(m, metric_names[i])));
    lp_value_unref(m);
    lp_mc_split_free(&b);

    /* stratified: labels drawn with the training shares, one-hot probabilities, seeded */
    lp_mc_split b1, b2;
    cr_assert_eq(lp_mc_baseline_predict(&b1, LP_MC_STRATIFIED, &train, &s, 7), 0);
    cr_assert_eq(lp_mc_baseline_predict(&b2, LP_MC_STRATIFIED, &train, &s, 7), 0);
    cr_assert_eq(memcmp(b1.pred, b2.pred, s.n * sizeof *b1.pred), 0,
                 "the same seed, the same draws");
    for (size_t i = 0; i < s.n; i++)
        cr_assert_eq(b1.proba[i * k + (size_t)b1.pred[i]], 1.0);
    lp_mc_split_free(&b1);
    lp_mc_split_free(&b2);
    lp_value_unref(mn);
    lp_mc_split_free(&s);
    lp_mc_split_free(&train);
    json_decref(all);
}

Test(model_checker, binary_numbers_equal_sklearn)
{
    check_classification("binary");
}

Test(model_checker, multiclass_numbers_equal_sklearn)
{
    check_classification("multiclass");
}

Test(model_checker, regression_baselines_equal_dummy_regressor)
{
    json_t *all = cases(), *c = json_object_get(all, "regression");
    lp_mc_split s = {0}, train = {0};
    s.n = json_array_size(json_object_get(c, "y"));
    s.yr = doubles(json_object_get(c, "y"));
    train.n = json_array_size(json_object_get(c, "y_train"));
    train.yr = doubles(json_object_get(c, "y_train"));
    static const char *const metric_names[] = {"mse", "mae", "r2"};
    lp_value *mn = names(metric_names, 3);
    const lp_mc_baseline which[] = {LP_MC_MEAN, LP_MC_MEDIAN};
    for (size_t w = 0; w < 2; w++) {
        lp_mc_split b;
        cr_assert_eq(lp_mc_baseline_predict(&b, which[w], &train, &s, 0), 0);
        lp_value *m = lp_mc_metrics(&b, mn, NULL);
        const json_t *want = json_object_get(c, lp_mc_baseline_name(which[w]));
        for (size_t i = 0; i < 3; i++)
            ASSERT_NEAR(lp_value_as_float(lp_map_get(m, metric_names[i])),
                        num(want, metric_names[i]), "%s %s: %.17g", lp_mc_baseline_name(which[w]),
                        metric_names[i], lp_value_as_float(lp_map_get(m, metric_names[i])));
        lp_value_unref(m);
        lp_mc_split_free(&b);
    }
    /* a classification baseline does not suit a regression model */
    lp_mc_split b;
    cr_assert_neq(lp_mc_baseline_predict(&b, LP_MC_MAJORITY, &train, &s, 0), 0);
    lp_value_unref(mn);
    lp_mc_split_free(&s);
    lp_mc_split_free(&train);
    json_decref(all);
}

Test(model_checker, bad_config_is_refused_with_a_located_message)
{
    const char *bad[][2] = {
        {"thresholds: {valid: {f2: 0.7}}", "did you mean 'f1'"},
        {"thresholds: {vaild: {f1: 0.7}}", "did you mean 'valid'"},
        {"thresholds: {valid: {f1: high}}", "must be a number"},
        {"overfitting: {max_gap: -1}", "max_gap"},
        {"overfitting: {metrc: f1}", "did you mean 'metric'"},
        {"calibration: {bins: 0}", "bins"},
        {"baselines: {strategies: [majorty]}", "did you mean 'majority'"},
        {"fail_on: NEVER", "severity"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char yaml[512];
        snprintf(yaml, sizeof yaml,
                 "component: {model_checker: LocalModelChecker}\n"
                 "model_checker:\n  config: {%s}\n",
                 bad[i][0]);
        cr_assert_neq(uw_try_build(0, yaml), 0, "accepted: %s", bad[i][0]);
        const char *msg = lp_error_last()->message;
        cr_assert(strstr(msg, "LocalModelChecker") && strstr(msg, bad[i][1]), "%s: %s", bad[i][0],
                  msg);
    }
}

/* ---- the evaluation memo: a toy binary model P(yes) = s that counts its calls ---- */

static size_t toy_calls;

static int toy_predict(void *state, const lp_model *m, const double *X, size_t rows, double *out)
{
    (void)state;
    size_t nf = lp_model_n_features(m);
    toy_calls++;
    for (size_t i = 0; i < rows; i++)
        out[i * 2] = 1 - X[i * nf], out[i * 2 + 1] = X[i * nf];
    return 0;
}

static int toy_save(void *state, uint8_t **out, size_t *len)
{
    (void)state;
    *out = malloc(3);
    memcpy(*out, "toy", 3);
    *len = 3;
    return 0;
}

static int toy_load(void **state, const uint8_t *blob, size_t len)
{
    (void)blob;
    (void)len;
    *state = malloc(1);
    return 0;
}

static const lp_model_ops toy_ops = {
    sizeof(lp_model_ops), "toy", toy_load, toy_predict, toy_save, free, NULL, NULL};

static lp_value *toy_model(void)
{
    lp_model *m = lp_model_new(&toy_ops, malloc(1), LP_MODEL_BINARY, "ok", LP_DT_STRING);
    cr_assert_not_null(m);
    cr_assert_eq(lp_model_add_feature(m, "s", LP_DT_FLOAT64), 0);
    cr_assert_eq(lp_model_add_class(m, "no"), 0);
    cr_assert_eq(lp_model_add_class(m, "yes"), 0);
    lp_value *v = lp_value_model(m);
    lp_model_unref(m);
    return v;
}

/* One-column frames: X {s: s[i]} and y {ok: label[i]}. */
static lp_value *x_frame(const double *s, size_t n)
{
    lp_column *c = lp_column_new(LP_DT_FLOAT64, n);
    memcpy(c->data.f64, s, n * sizeof *s);
    lp_frame *f = lp_frame_new();
    cr_assert_eq(lp_frame_add_column(f, "s", c), 0);
    lp_value *v = lp_value_frame(f);
    lp_frame_unref(f);
    return v;
}

static lp_value *y_frame(const char *const *labels, size_t n)
{
    lp_column_builder *b = lp_column_builder_new(LP_DT_STRING, n);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(lp_column_builder_append_str(b, labels[i], strlen(labels[i])), 0);
    lp_frame *f = lp_frame_new();
    cr_assert_eq(lp_frame_add_column(f, "ok", lp_column_builder_finish(b)), 0);
    lp_value *v = lp_value_frame(f);
    lp_frame_unref(f);
    return v;
}

static double valid_f1(const lp_value *result)
{
    const lp_value *report = lp_map_get(result, "report");
    const lp_value *v =
        lp_map_get(lp_map_get(lp_map_get(lp_map_get(report, "splits"), "valid"), "metrics"), "f1");
    cr_assert_not_null(v, "check_model reports the valid split's f1");
    return lp_value_as_float(v);
}

Test(model_checker, check_model_reuses_the_predictions_of_the_same_splits_only)
{
    uw_tmpdir("mc-memo", true);
    lp_obj *c = uw_build(0,
                         "component: {model_checker: LocalModelChecker}\n"
                         "model_checker:\n  config:\n    dir: reports\n",
                         "model_checker");
    static const double st[] = {0.9, 0.8, 0.2, 0.1, 0.7, 0.3};
    static const char *const yt[] = {"yes", "yes", "no", "no", "yes", "no"};
    static const double sv[] = {0.9, 0.2, 0.6, 0.4};
    static const char *const right[] = {"yes", "no", "yes", "no"}; /* f1 1 */
    static const char *const wrong[] = {"no", "yes", "yes", "no"}; /* f1 0.5 */
    lp_value *model = toy_model();
    lp_value *a = lp_value_map(), *b = lp_value_map();
    lp_map_set(a, "X_train", x_frame(st, 6));
    lp_map_set(a, "y_train", y_frame(yt, 6));
    lp_map_set(a, "X_valid", x_frame(sv, 4));
    lp_map_set(a, "y_valid", y_frame(right, 4));
    lp_map_set(b, "X_train", lp_value_ref(lp_map_get(a, "X_train")));
    lp_map_set(b, "y_train", lp_value_ref(lp_map_get(a, "y_train")));
    lp_map_set(b, "X_valid", lp_value_ref(lp_map_get(a, "X_valid")));
    lp_map_set(b, "y_valid", y_frame(wrong, 4)); /* another truth: must be evaluated again */

    lp_value *base = lp_model_checker_get_baseline_comparison(c, a, model);
    cr_assert_not_null(base, "%s", lp_error_last()->message);
    size_t after_first = toy_calls;
    cr_assert_gt(after_first, 0);
    lp_value *ra = lp_model_checker_check_model(c, a, model);
    cr_assert_not_null(ra, "%s", lp_error_last()->message);
    cr_assert_eq(toy_calls, after_first, "the same splits and model: no new predictions");
    cr_assert_eq(valid_f1(ra), 1.0);

    lp_value *rb = lp_model_checker_check_model(c, b, model);
    cr_assert_not_null(rb, "%s", lp_error_last()->message);
    cr_assert_gt(toy_calls, after_first, "other splits: predicted again");
    cr_assert_eq(valid_f1(rb), 0.5, "the new truth, not the remembered one");

    /* a memo serves one second call, then goes (it would hold the frames): b is
     * remembered after its first evaluation, reused once, then evaluated afresh */
    size_t after_b = toy_calls;
    lp_value *rb2 = lp_model_checker_check_model(c, b, model);
    cr_assert_not_null(rb2, "%s", lp_error_last()->message);
    cr_assert_eq(toy_calls, after_b, "b's evaluation reused once");
    lp_value *rb3 = lp_model_checker_check_model(c, b, model);
    cr_assert_not_null(rb3, "%s", lp_error_last()->message);
    cr_assert_gt(toy_calls, after_b, "then dropped: predicted again");
    cr_assert_eq(valid_f1(rb3), 0.5);
    lp_value_unref(rb2);
    lp_value_unref(rb3);

    lp_value_unref(base);
    lp_value_unref(ra);
    lp_value_unref(rb);
    lp_value_unref(a);
    lp_value_unref(b);
    lp_value_unref(model);
}

/* ---- the winning trial's predictions given to get_baseline_comparison ---------------- */

/* A predictions frame as lp_experiment_run_predicting's: prediction, probability_no,
 * probability_yes from P(yes) = p[i]; `proba_type` the probability columns' type, `yes`
 * the last column's name (probability_yes when it fits). */
static lp_value *pred_frame(const double *p, size_t n, lp_dtype proba_type, const char *yes_name)
{
    lp_column_builder *b = lp_column_builder_new(LP_DT_STRING, n);
    lp_column *no = lp_column_new(proba_type, n), *yes = lp_column_new(proba_type, n);
    for (size_t i = 0; i < n; i++) {
        const char *l = p[i] > 1 - p[i] ? "yes" : "no";
        cr_assert_eq(lp_column_builder_append_str(b, l, strlen(l)), 0);
        if (proba_type == LP_DT_FLOAT64) no->data.f64[i] = 1 - p[i], yes->data.f64[i] = p[i];
    }
    lp_frame *f = lp_frame_new();
    cr_assert_eq(lp_frame_add_column(f, "prediction", lp_column_builder_finish(b)), 0);
    cr_assert_eq(lp_frame_add_column(f, "probability_no", no), 0);
    cr_assert_eq(lp_frame_add_column(f, yes_name, yes), 0);
    lp_value *v = lp_value_frame(f);
    lp_frame_unref(f);
    return v;
}

/* Splits train {st, yt} and valid {sv, right} in new frame values. */
static lp_value *toy_splits(void)
{
    static const double st[] = {0.9, 0.8, 0.2, 0.1, 0.7, 0.3};
    static const char *const yt[] = {"yes", "yes", "no", "no", "yes", "no"};
    static const double sv[] = {0.9, 0.2, 0.6, 0.4};
    static const char *const right[] = {"yes", "no", "yes", "no"};
    lp_value *a = lp_value_map();
    lp_map_set(a, "X_train", x_frame(st, 6));
    lp_map_set(a, "y_train", y_frame(yt, 6));
    lp_map_set(a, "X_valid", x_frame(sv, 4));
    lp_map_set(a, "y_valid", y_frame(right, 4));
    return a;
}

static lp_value *baseline_with(lp_obj *c, lp_value *splits, lp_value *model, lp_value *preds)
{
    lp_value *r = lp_call_with(c, "get_baseline_comparison", "splits", lp_value_ref(splits),
                               "model", lp_value_ref(model), "predictions",
                               preds ? preds : lp_value_null(), (const char *)NULL);
    cr_assert_not_null(r, "%s", lp_error_last()->message);
    return r;
}

Test(model_checker, the_baseline_comparison_uses_given_predictions_that_fit_and_scores_otherwise)
{
    uw_tmpdir("mc-given", true);
    lp_obj *c = uw_build(0,
                         "component: {model_checker: LocalModelChecker}\n"
                         "model_checker:\n  config:\n    dir: reports\n",
                         "model_checker");
    static const double train_p[] = {0.9, 0.8, 0.2, 0.1, 0.7, 0.3}; /* the model's own */
    static const double valid_p[] = {0.1, 0.2, 0.6, 0.4};           /* not the model's: f1 2/3 */
    lp_value *model = toy_model();

    /* nothing given: scored, f1 1 */
    lp_value *a = toy_splits();
    size_t before = toy_calls;
    lp_value *scored = baseline_with(c, a, model, NULL);
    cr_assert_gt(toy_calls, before, "scored");
    cr_assert_eq(lp_value_as_float(lp_map_get(scored, "model")), 1.0);

    /* predictions that fit: used as they are, the model is not called */
    lp_value *b = toy_splits(), *given = lp_value_map();
    lp_map_set(given, "train", pred_frame(train_p, 6, LP_DT_FLOAT64, "probability_yes"));
    lp_map_set(given, "valid", pred_frame(valid_p, 4, LP_DT_FLOAT64, "probability_yes"));
    before = toy_calls;
    lp_value *used = baseline_with(c, b, model, lp_value_ref(given));
    cr_assert_eq(toy_calls, before, "the given predictions: no scoring");
    cr_assert(fabs(lp_value_as_float(lp_map_get(used, "model")) - 2.0 / 3.0) < 1e-12,
              "the given valid predictions' f1, got %g",
              lp_value_as_float(lp_map_get(used, "model")));
    /* check_model on the same splits reuses that evaluation */
    lp_value *chk = lp_model_checker_check_model(c, b, model);
    cr_assert_not_null(chk, "%s", lp_error_last()->message);
    cr_assert_eq(toy_calls, before, "check_model: no scoring either");
    cr_assert(fabs(valid_f1(chk) - 2.0 / 3.0) < 1e-12);

    /* predictions that do not fit are scored: a row short, another column type, a column
     * missing; a split without predictions is scored, the other used */
    lp_value *bad[4];
    bad[0] = pred_frame(valid_p, 3, LP_DT_FLOAT64, "probability_yes");
    bad[1] = pred_frame(valid_p, 4, LP_DT_INT64, "probability_yes");
    bad[2] = pred_frame(valid_p, 4, LP_DT_FLOAT64, "probability_YES");
    bad[3] = NULL;
    for (size_t i = 0; i < 4; i++) {
        lp_value *d = toy_splits(), *g = lp_value_map();
        lp_map_set(g, "train", pred_frame(train_p, 6, LP_DT_FLOAT64, "probability_yes"));
        if (bad[i]) lp_map_set(g, "valid", bad[i]);
        before = toy_calls;
        lp_value *r = baseline_with(c, d, model, g);
        cr_assert_eq(toy_calls, before + 1, "case %zu: valid scored, train used", i);
        cr_assert_eq(lp_value_as_float(lp_map_get(r, "model")), 1.0, "case %zu: the model's", i);
        cr_assert(lp_value_equal(lp_map_get(r, "baselines"), lp_map_get(scored, "baselines")));
        lp_value_unref(r);
        lp_value_unref(d);
    }
    lp_value_unref(chk);
    lp_value_unref(used);
    lp_value_unref(given);
    lp_value_unref(scored);
    lp_value_unref(a);
    lp_value_unref(b);
    lp_value_unref(model);
}

/* ---- reference predictions: the drift's training-side predictions reused ---------- */

/* A frame of n rows {s, ok}: s = i / n, ok = "yes" when s >= 0.5 (a frame value). */
static lp_value *labelled_frame(size_t n)
{
    double *s = malloc(n * sizeof *s);
    const char **labels = malloc(n * sizeof *labels);
    for (size_t i = 0; i < n; i++) {
        s[i] = (double)((i * 7) % n) / (double)n;
        labels[i] = s[i] >= 0.5 ? "yes" : "no";
    }
    lp_value *x = x_frame(s, n), *y = y_frame(labels, n);
    lp_frame *f = lp_value_as_frame(x);
    cr_assert_eq(lp_frame_add_column(f, "ok", lp_column_ref(lp_frame_col(lp_value_as_frame(y), 0))),
                 0);
    lp_value_unref(y);
    free(s);
    free(labels);
    return x;
}

static lp_value *drift(lp_obj *c, lp_value *X, lp_value *current, lp_value *ref_frame,
                       const char *ref_model, lp_value *model)
{
    lp_value *splits = lp_value_map();
    lp_map_set(splits, "X_train", lp_value_ref(X));
    lp_map_set(splits, "predictions", lp_value_ref(current));
    if (ref_frame) lp_map_set(splits, "reference_predictions", lp_value_ref(ref_frame));
    if (ref_model) lp_map_set(splits, "reference_model", lp_value_string(ref_model));
    lp_value *r = lp_model_checker_calculate_model_drift(c, splits, model);
    cr_assert_not_null(r, "%s", lp_error_last()->message);
    lp_value_unref(splits);
    return r;
}

static lp_value *reference_of(lp_obj *c, lp_value *splits, lp_value *model)
{
    lp_value *r = lp_call_with(c, "get_reference_predictions", "splits", lp_value_ref(splits),
                               "model", lp_value_ref(model), (const char *)NULL);
    cr_assert_not_null(r, "%s", lp_error_last()->message);
    return r;
}

Test(model_checker, the_drift_reuses_the_reference_predictions_of_the_same_model_only)
{
    uw_tmpdir("mc-reference", true);
    uw_build(0,
             "component: {model_checker: LocalModelChecker, data_splitter: LocalDataSplitter}\n"
             "config: {model_target: ok}\n"
             "model_checker:\n  config:\n    dir: reports\n"
             "data_splitter:\n  config: {seed: 3, split_type: stratified}\n",
             "model_checker");
    lp_obj *c = uw_component(0, "model_checker"), *sp = uw_component(0, "data_splitter");
    cr_assert(c && sp);
    lp_value *model = toy_model(), *data = labelled_frame(40), *other = labelled_frame(40);
    lp_objstore *os = NULL;
    char hex[65];
    size_t len = 0;
    cr_assert_eq(lp_objstore_open(&os, "objects"), 0, "%s", lp_error_last()->message);
    cr_assert_eq(lp_objstore_put_frame(os, lp_value_as_frame(data), hex, &len), 0);
    lp_objstore_close(os);

    /* nothing evaluated yet: nothing to reuse */
    lp_value *splits = lp_data_splitter_split_data(sp, data);
    cr_assert_not_null(splits, "%s", lp_error_last()->message);
    lp_value *none = reference_of(c, splits, model);
    cr_assert_eq(lp_value_type(none), LP_NULL);
    lp_value_unref(none);

    lp_value *base = lp_model_checker_get_baseline_comparison(c, splits, model);
    cr_assert_not_null(base, "%s", lp_error_last()->message);
    size_t calls = toy_calls;
    lp_value *ref = reference_of(c, splits, model);
    cr_assert_eq(lp_value_type(ref), LP_MAP);
    cr_assert_eq(toy_calls, calls, "rebuilt from the evaluation: nothing predicted");
    cr_assert_str_eq(lp_value_as_string(lp_map_get(ref, "data")), hex, "the stored frame's name");
    lp_value *rf = lp_map_get(ref, "frame");
    const char *fp = lp_value_as_string(lp_map_get(ref, "model"));
    cr_assert(fp && strlen(fp) == 64);
    /* check_model still reuses the evaluation once (the peek did not count as its use) */
    lp_value *checked = lp_model_checker_check_model(c, splits, model);
    cr_assert_not_null(checked, "%s", lp_error_last()->message);
    cr_assert_eq(toy_calls, calls, "check_model: no new predictions");

    /* the rebuilt frame, in the frame's row order, is what scoring the frame gives */
    lp_frame *labels = NULL, *proba = NULL;
    cr_assert_eq(
        lp_model_predict_both(&labels, &proba, lp_value_as_model(model), lp_value_as_frame(data)),
        0);
    const lp_frame *got = lp_value_as_frame(rf);
    cr_assert_eq(lp_frame_rows(got), 40);
    cr_assert_eq(lp_frame_cols(got), 3);
    for (size_t i = 0; i < 40; i++) {
        size_t la = 0, lb = 0;
        const char *a = lp_column_str(lp_frame_col_by_name(got, "prediction"), i, &la);
        const char *b = lp_column_str(lp_frame_col(labels, 0), i, &lb);
        cr_assert(la == lb && memcmp(a, b, la) == 0, "row %zu: %.*s vs %.*s", i, (int)la, a,
                  (int)lb, b);
        cr_assert_eq(lp_frame_col_by_name(got, "probability_yes")->data.f64[i],
                     lp_frame_col_by_name(proba, "yes")->data.f64[i], "row %zu", i);
    }
    lp_frame_unref(labels);
    lp_frame_unref(proba);

    /* calculate_model_drift: the same report with the reference as by scoring X_train */
    lp_value *cur = lp_value_ref(rf); /* current: the training predictions themselves */
    calls = toy_calls;
    lp_value *scored = drift(c, data, cur, NULL, NULL, model);
    cr_assert_gt(toy_calls, calls, "no reference: X_train scored");
    calls = toy_calls;
    lp_value *reused = drift(c, data, cur, rf, fp, model);
    cr_assert_eq(toy_calls, calls, "the reference of this model: nothing scored");
    cr_assert(lp_value_equal(lp_map_get(scored, "report"), lp_map_get(reused, "report")),
              "the same drift report");
    /* another model's fingerprint, or a frame of other rows: scored as before */
    lp_value *wrong = drift(c, data, cur, rf, "0000", model);
    cr_assert_gt(toy_calls, calls, "another model's reference is not used");
    calls = toy_calls;
    lp_value *x5 = labelled_frame(5);
    lp_value *short_ref = drift(c, x5, cur, rf, fp, model);
    cr_assert_gt(toy_calls, calls, "a reference of other rows is not used");
    cr_assert(lp_value_equal(lp_map_get(wrong, "report"), lp_map_get(scored, "report")));
    lp_value_unref(x5);
    lp_value_unref(short_ref);
    lp_value_unref(wrong);
    lp_value_unref(scored);
    lp_value_unref(reused);
    lp_value_unref(cur);

    /* splits that are not every row of one stored frame: nothing to reuse */
    lp_value *part = lp_value_map();
    lp_map_set(part, "X_train", lp_value_ref(lp_map_get(splits, "X_train")));
    lp_map_set(part, "y_train", lp_value_ref(lp_map_get(splits, "y_train")));
    lp_value *b2 = lp_model_checker_get_baseline_comparison(c, part, model);
    cr_assert_not_null(b2, "%s", lp_error_last()->message);
    lp_value *r2 = reference_of(c, part, model);
    cr_assert_eq(lp_value_type(r2), LP_NULL, "the train split alone does not cover the frame");
    lp_value *s3 = lp_data_splitter_split_data(sp, other); /* never stored */
    lp_value *b3 = lp_model_checker_get_baseline_comparison(c, s3, model);
    cr_assert_not_null(b3, "%s", lp_error_last()->message);
    lp_value *r3 = reference_of(c, s3, model);
    cr_assert_eq(lp_value_type(r3), LP_NULL, "a frame never stored has no name to match");
    lp_value_unref(part);
    lp_value_unref(b2);
    lp_value_unref(r2);
    lp_value_unref(s3);
    lp_value_unref(b3);
    lp_value_unref(r3);

    lp_value_unref(checked);
    lp_value_unref(ref);
    lp_value_unref(base);
    lp_value_unref(splits);
    lp_value_unref(data);
    lp_value_unref(other);
    lp_value_unref(model);
}
