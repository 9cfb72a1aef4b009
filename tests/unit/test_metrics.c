/* Unit tests for the metrics (include/lolpop/metrics.h): every metric on the
 * cases of tests/fixtures/metrics/cases.json, whose expected numbers
 * tests/fixtures/gen_metrics.py computed with scikit-learn, to 1e-9 relative
 * + absolute, through both the array API and the frame API; then every
 * error path. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lolpop/error.h"
#include "lolpop/frame.h"
#include "lolpop/metrics.h"
#include "lolpop/value.h"
#include "ml/metrics_internal.h"

#define CASES LP_FIXTURES_DIR "/metrics/cases.json"

static void check_close(double want, double got, const char *cas, const char *metric,
                        const char *api)
{
    double tol = 1e-9 + 1e-9 * fabs(want);
    cr_assert(fabs(want - got) <= tol, "%s %s (%s): sklearn %.17g, lolpop %.17g", cas, metric, api,
              want, got);
}

/* ---- fixture loading ----------------------------------------------------------- */

static json_t *load_case(json_t **root, const char *name)
{
    json_error_t jerr;
    *root = json_load_file(CASES, 0, &jerr);
    cr_assert_not_null(*root, "%s: %s", CASES, jerr.text);
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(*root, "cases"), i, c)
    {
        if (strcmp(json_string_value(json_object_get(c, "name")), name) == 0) return c;
    }
    cr_assert_fail("case %s is not in %s", name, CASES);
    return NULL;
}

/* A one-column frame of the JSON labels/values (ints → int64, reals → float64,
 * bools → bool, strings → string). */
static lp_frame *frame_of(const json_t *arr, const char *name)
{
    const json_t *first = json_array_get(arr, 0);
    lp_dtype t = json_is_string(first)    ? LP_DT_STRING
                 : json_is_boolean(first) ? LP_DT_BOOL
                 : json_is_integer(first) ? LP_DT_INT64
                                          : LP_DT_FLOAT64;
    lp_column_builder *b = lp_column_builder_new(t, json_array_size(arr));
    cr_assert_not_null(b);
    size_t i;
    const json_t *v;
    json_array_foreach(arr, i, v)
    {
        int rc = t == LP_DT_STRING
                     ? lp_column_builder_append_str(b, json_string_value(v), json_string_length(v))
                 : t == LP_DT_BOOL  ? lp_column_builder_append_bool(b, json_is_true(v))
                 : t == LP_DT_INT64 ? lp_column_builder_append_i64(b, json_integer_value(v))
                                    : lp_column_builder_append_f64(b, json_number_value(v));
        cr_assert_eq(rc, 0);
    }
    lp_frame *f = lp_frame_new();
    cr_assert_eq(lp_frame_add_column(f, name, lp_column_builder_finish(b)), 0);
    return f;
}

static lp_frame *frame_f64(const double *v, size_t n, size_t stride, size_t k, const char *prefix)
{
    lp_frame *f = lp_frame_new();
    for (size_t j = 0; j < k; j++) {
        lp_column *c = lp_column_new(LP_DT_FLOAT64, n);
        for (size_t i = 0; i < n; i++)
            c->data.f64[i] = v[i * stride + j];
        char name[32];
        snprintf(name, sizeof name, "%s%zu", prefix, j);
        cr_assert_eq(lp_frame_add_column(f, name, c), 0);
    }
    return f;
}

/* Index of label v in the JSON class list (which gen_metrics.py sorted). */
static int32_t class_index(const json_t *classes, const json_t *v)
{
    size_t i;
    const json_t *c;
    json_array_foreach(classes, i, c)
    {
        if (json_equal(c, v)) return (int32_t)i;
    }
    cr_assert_fail("label not in classes");
    return -1;
}

static lp_value *names_of(json_t *expected)
{
    lp_value *l = lp_value_list();
    const char *k;
    const json_t *v;
    json_object_foreach(expected, k, v) lp_list_append(l, lp_value_string(k));
    return l;
}

/* ---- running cases ----------------------------------------------------------------- */

static void check_frame_api(const char *cas, lp_metric_task task, json_t *expected, lp_frame *yt,
                            lp_frame *yp, lp_frame *proba)
{
    lp_value *names = names_of(expected), *res = NULL;
    int rc = lp_metrics_compute(&res, task, names, yt, yp, proba, NULL);
    cr_assert_eq(rc, 0, "%s: %s", cas, lp_error_last()->message);
    cr_assert_eq(lp_map_len(res), lp_list_len(names));
    const char *k;
    const json_t *v;
    json_object_foreach(expected, k, v)
    {
        lp_value *got = lp_map_get(res, k);
        cr_assert_not_null(got, "%s: %s missing from the result", cas, k);
        check_close(json_number_value(v), lp_value_as_float(got), cas, k, "frame");
    }
    lp_value_unref(res);
    lp_value_unref(names);
}

static void check_array_api(const char *cas, json_t *expected, const lp_class_inputs *in,
                            const double *y, const double *p, size_t n)
{
    const char *k;
    const json_t *v;
    json_object_foreach(expected, k, v)
    {
        const lp_metric_info *m;
        cr_assert_eq(lp_metric_lookup(&m, k), 0);
        double got = NAN;
        int rc =
            in ? lp_metric_classification(&got, m, in) : lp_metric_regression(&got, m, y, p, n);
        cr_assert_eq(rc, 0, "%s %s: %s", cas, k, lp_error_last()->message);
        check_close(json_number_value(v), got, cas, k, "array");
    }
}

static void run_classification(const char *name)
{
    json_t *root, *c = load_case(&root, name);
    const json_t *yt = json_object_get(c, "y_true"), *yp = json_object_get(c, "y_pred"),
                 *pr = json_object_get(c, "proba"), *classes = json_object_get(c, "classes");
    json_t *exp = json_object_get(c, "expected");
    size_t n = json_array_size(yt), k = json_array_size(classes);
    cr_assert_gt(n, 0);
    int32_t *t = malloc(n * sizeof *t), *p = malloc(n * sizeof *p);
    double *pm = malloc(n * k * sizeof *pm);
    for (size_t i = 0; i < n; i++) {
        t[i] = class_index(classes, json_array_get(yt, i));
        p[i] = class_index(classes, json_array_get(yp, i));
        for (size_t j = 0; j < k; j++)
            pm[i * k + j] = json_number_value(json_array_get(json_array_get(pr, i), j));
    }
    lp_class_inputs in = {.y_true = t, .y_pred = p, .proba = pm, .n = n, .n_classes = k};
    check_array_api(name, exp, &in, NULL, NULL, 0);

    lp_frame *ft = frame_of(yt, "y"), *fp = frame_of(yp, "prediction");
    lp_frame *fpr = frame_f64(pm, n, k, k, "p");
    check_frame_api(name, LP_TASK_CLASSIFICATION, exp, ft, fp, fpr);
    lp_frame_unref(fpr);
    if (k == 2) { /* one probability column stands for class 1 */
        fpr = frame_f64(pm + 1, n, k, 1, "p");
        check_frame_api(name, LP_TASK_CLASSIFICATION, exp, ft, fp, fpr);
        lp_frame_unref(fpr);
    }
    lp_frame_unref(ft);
    lp_frame_unref(fp);
    free(t);
    free(p);
    free(pm);
    json_decref(root);
}

static void run_regression(const char *name)
{
    json_t *root, *c = load_case(&root, name);
    const json_t *yt = json_object_get(c, "y_true"), *yp = json_object_get(c, "y_pred");
    json_t *exp = json_object_get(c, "expected");
    size_t n = json_array_size(yt);
    double *y = malloc(n * sizeof *y), *p = malloc(n * sizeof *p);
    for (size_t i = 0; i < n; i++) {
        y[i] = json_number_value(json_array_get(yt, i));
        p[i] = json_number_value(json_array_get(yp, i));
    }
    check_array_api(name, exp, NULL, y, p, n);
    lp_frame *ft = frame_f64(y, n, 1, 1, "y"), *fp = frame_f64(p, n, 1, 1, "pred");
    check_frame_api(name, LP_TASK_REGRESSION, exp, ft, fp, NULL);
    lp_frame_unref(ft);
    lp_frame_unref(fp);
    free(y);
    free(p);
    json_decref(root);
}

#define CLF(case)                                                                                  \
    Test(metrics_sklearn, case)                                                                    \
    {                                                                                              \
        run_classification(#case);                                                                 \
    }
#define REG(case)                                                                                  \
    Test(metrics_sklearn, case)                                                                    \
    {                                                                                              \
        run_regression(#case);                                                                     \
    }

CLF(binary_ties)
CLF(binary_imbalanced)
CLF(binary_perfect)
CLF(binary_strings)
CLF(binary_bools)
CLF(binary_no_positive_pred)
CLF(multiclass_3)
CLF(multiclass_5)
REG(regression_signed)
REG(regression_positive)
REG(regression_constant_true)
REG(regression_perfect_constant)

/* ---- the n = 100000 cases: inputs from splitmix64 as in gen_metrics.py ------------- */

static double next_u(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return (double)(z >> 11) * 0x1p-53;
}

Test(metrics_sklearn, large_binary)
{
    json_t *root, *c = load_case(&root, "large_binary");
    const json_t *g = json_object_get(c, "generator");
    json_t *exp = json_object_get(c, "expected");
    size_t n = (size_t)json_integer_value(json_object_get(g, "n"));
    uint64_t st = (uint64_t)json_integer_value(json_object_get(g, "seed"));
    int32_t *t = malloc(n * sizeof *t), *p = malloc(n * sizeof *p);
    double *pm = malloc(2 * n * sizeof *pm);
    for (size_t i = 0; i < n; i++) {
        double u1 = next_u(&st), u2 = next_u(&st);
        double s = floor(u1 * 1000.0) / 1000.0;
        t[i] = u2 < s * 0.8 + 0.1;
        p[i] = s >= 0.5;
        pm[2 * i] = 1.0 - s;
        pm[2 * i + 1] = s;
    }
    lp_class_inputs in = {.y_true = t, .y_pred = p, .proba = pm, .n = n, .n_classes = 2};
    check_array_api("large_binary", exp, &in, NULL, NULL, 0);
    free(t);
    free(p);
    free(pm);
    json_decref(root);
}

Test(metrics_sklearn, large_regression)
{
    json_t *root, *c = load_case(&root, "large_regression");
    const json_t *g = json_object_get(c, "generator");
    json_t *exp = json_object_get(c, "expected");
    size_t n = (size_t)json_integer_value(json_object_get(g, "n"));
    uint64_t st = (uint64_t)json_integer_value(json_object_get(g, "seed"));
    double *y = malloc(n * sizeof *y), *p = malloc(n * sizeof *p);
    for (size_t i = 0; i < n; i++) {
        double u1 = next_u(&st), u2 = next_u(&st);
        double f = 0.8 + u2 * 0.4;
        y[i] = u1 * 100.0;
        p[i] = y[i] * f;
    }
    check_array_api("large_regression", exp, NULL, y, p, n);
    lp_frame *ft = frame_f64(y, n, 1, 1, "y"), *fp = frame_f64(p, n, 1, 1, "pred");
    check_frame_api("large_regression", LP_TASK_REGRESSION, exp, ft, fp, NULL);
    lp_frame_unref(ft);
    lp_frame_unref(fp);
    free(y);
    free(p);
    json_decref(root);
}

/* ---- descriptors and lookup --------------------------------------------------------- */

Test(metrics_table, names_tasks_directions)
{
    static const char *const want[] = {"accuracy",
                                       "f1",
                                       "precision",
                                       "recall",
                                       "rocauc",
                                       "prauc",
                                       "logloss",
                                       "mse",
                                       "rmse",
                                       "mae",
                                       "mape",
                                       "mdae",
                                       "smape",
                                       "r2",
                                       "msle",
                                       "rmsle",
                                       "f1_macro",
                                       "f1_micro",
                                       "f1_weighted",
                                       "precision_macro",
                                       "precision_micro",
                                       "precision_weighted",
                                       "recall_macro",
                                       "recall_micro",
                                       "recall_weighted",
                                       "mase",
                                       "coverage"};
    cr_assert_eq(lp_metric_count(), sizeof want / sizeof *want);
    for (size_t i = 0; i < lp_metric_count(); i++) {
        const lp_metric_info *m = lp_metric_at(i);
        cr_assert_str_eq(m->name, want[i]);
        cr_assert_eq((size_t)m->id, i);
        cr_assert_eq(lp_metric_by_id(m->id), m);
        bool averaged = m->id >= LP_METRIC_F1_MACRO && m->id <= LP_METRIC_RECALL_WEIGHTED;
        cr_assert_eq(m->task, i < 7 || averaged ? LP_TASK_CLASSIFICATION : LP_TASK_REGRESSION);
        /* coverage: higher is better as a floor (its target is the interval width) */
        bool higher = i < 6 || m->id == LP_METRIC_R2 || averaged || m->id == LP_METRIC_COVERAGE;
        cr_assert_eq(m->higher_is_better, higher, "%s", m->name);
        cr_assert_eq(m->needs_proba, i >= 4 && i <= 6, "%s", m->name);
    }
    cr_assert_null(lp_metric_at(lp_metric_count()));
    cr_assert_str_eq(lp_metric_task_name(LP_TASK_REGRESSION), "regression");
}

Test(metrics_table, lookup_ignores_case_and_suggests)
{
    const lp_metric_info *m;
    cr_assert_eq(lp_metric_lookup(&m, "ROCAUC"), 0);
    cr_assert_eq(m->id, LP_METRIC_ROCAUC);
    cr_assert_eq(lp_metric_lookup(&m, "roc_auc"), LP_ENOTFOUND);
    cr_assert_null(m);
    cr_assert(strstr(lp_error_last()->message, "unknown metric 'roc_auc' (did you mean 'rocauc'?)"),
              "%s", lp_error_last()->message);
    cr_assert(strstr(lp_error_last()->message, "regression: mse"), "%s", lp_error_last()->message);
    cr_assert_eq(lp_metric_lookup(&m, "zzzzzzzzzzzzz"), LP_ENOTFOUND);
    cr_assert_null(strstr(lp_error_last()->message, "did you mean"), "%s",
                   lp_error_last()->message);
}

Test(metrics_table, better_follows_direction)
{
    cr_assert(lp_metric_better(lp_metric_by_id(LP_METRIC_F1), 0.9, 0.8));
    cr_assert_not(lp_metric_better(lp_metric_by_id(LP_METRIC_F1), 0.8, 0.9));
    cr_assert(lp_metric_better(lp_metric_by_id(LP_METRIC_MSE), 1.0, 2.0));
    cr_assert_not(lp_metric_better(lp_metric_by_id(LP_METRIC_MSE), 2.0, 2.0));
    cr_assert(lp_metric_better(lp_metric_by_id(LP_METRIC_MSE), 5.0, NAN));
    cr_assert_not(lp_metric_better(lp_metric_by_id(LP_METRIC_R2), NAN, 0.1));
}

Test(metrics_table, check_names)
{
    lp_value *l = lp_value_list();
    lp_list_append(l, lp_value_string("accuracy"));
    lp_list_append(l, lp_value_string("F1"));
    cr_assert_eq(lp_metrics_check(l, LP_TASK_CLASSIFICATION), 0);
    lp_list_append(l, lp_value_string("mse"));
    cr_assert_eq(lp_metrics_check(l, LP_TASK_CLASSIFICATION), LP_ECONFIG);
    cr_assert(strstr(lp_error_last()->message,
                     "metric 'mse' is a regression metric but this is a classification task"),
              "%s", lp_error_last()->message);
    lp_value_unref(l);

    l = lp_value_list();
    cr_assert_eq(lp_metrics_check(l, LP_TASK_REGRESSION), LP_ECONFIG);
    cr_assert(strstr(lp_error_last()->message, "empty"));
    lp_list_append(l, lp_value_int(3));
    cr_assert_eq(lp_metrics_check(l, LP_TASK_REGRESSION), LP_ECONFIG);
    cr_assert(strstr(lp_error_last()->message, "must be a string, not int"), "%s",
              lp_error_last()->message);
    lp_value_unref(l);

    lp_value *s = lp_value_string("r2");
    cr_assert_eq(lp_metrics_check(s, LP_TASK_REGRESSION), 0);
    lp_value_unref(s);
    s = lp_value_string("rmsw");
    lp_origin o = {LP_ORIGIN_FILE, lp_origin_intern("lolpop.yaml"), 12, 7, 0};
    lp_value_set_origin(s, &o);
    cr_assert_eq(lp_metrics_check(s, LP_TASK_REGRESSION), LP_ENOTFOUND);
    cr_assert_str_eq(lp_error_last()->file, "lolpop.yaml");
    cr_assert_eq(lp_error_last()->line, 12);
    cr_assert(strstr(lp_error_last()->message, "did you mean 'rmse'"), "%s",
              lp_error_last()->message);
    lp_value_unref(s);
}

/* ---- hand-checkable values ------------------------------------------------------------ */

Test(metrics_values, small_by_hand)
{
    /* y = [0,0,1,1], scores [0.1,0.4,0.35,0.8]: sklearn's doc example, AUC 0.75, AP 0.8333 */
    int32_t t[] = {0, 0, 1, 1}, p[] = {0, 1, 0, 1};
    double pm[] = {0.9, 0.1, 0.6, 0.4, 0.65, 0.35, 0.2, 0.8};
    lp_class_inputs in = {t, p, pm, 4, 2};
    double v;
    cr_assert_eq(lp_metric_classification(&v, lp_metric_by_id(LP_METRIC_ROCAUC), &in), 0);
    cr_assert_float_eq(v, 0.75, 1e-15);
    cr_assert_eq(lp_metric_classification(&v, lp_metric_by_id(LP_METRIC_PRAUC), &in), 0);
    cr_assert_float_eq(v, (1.0 + 2.0 / 3.0) / 2.0, 1e-15);
    cr_assert_eq(lp_metric_classification(&v, lp_metric_by_id(LP_METRIC_ACCURACY), &in), 0);
    cr_assert_float_eq(v, 0.5, 1e-15);
    /* all scores tied: the ROC is the diagonal */
    double tied[] = {0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5};
    in.proba = tied;
    cr_assert_eq(lp_metric_classification(&v, lp_metric_by_id(LP_METRIC_ROCAUC), &in), 0);
    cr_assert_float_eq(v, 0.5, 1e-15);
    cr_assert_eq(lp_metric_classification(&v, lp_metric_by_id(LP_METRIC_PRAUC), &in), 0);
    cr_assert_float_eq(v, 0.5, 1e-15);

    double y[] = {3, -0.5, 2, 7}, q[] = {2.5, 0.0, 2, 8};
    cr_assert_eq(lp_metric_regression(&v, lp_metric_by_id(LP_METRIC_MSE), y, q, 4), 0);
    cr_assert_float_eq(v, 0.375, 1e-15);
    cr_assert_eq(lp_metric_regression(&v, lp_metric_by_id(LP_METRIC_MDAE), y, q, 4), 0);
    cr_assert_float_eq(v, 0.5, 1e-15);
    cr_assert_eq(lp_metric_regression(&v, lp_metric_by_id(LP_METRIC_R2), y, q, 1), 0);
    cr_assert(isnan(v), "r2 of one sample is NaN as in sklearn");
}

/* issue 11 Fix 14: the averages of f1 / precision / recall with three classes,
 * by scikit-learn's formulas. y_true [a a a b b c], y_pred [a a b b c c]:
 *   a: tp 2 fp 0 fn 1 -> P 1,   R 2/3, F1 4/5 (support 3)
 *   b: tp 1 fp 1 fn 1 -> P 1/2, R 1/2, F1 1/2 (support 2)
 *   c: tp 1 fp 1 fn 0 -> P 1/2, R 1,   F1 2/3 (support 1)
 * macro: the plain mean; weighted: by support; micro: from the summed counts
 * (= accuracy 4/6 for single-label data); the plain names are the weighted ones. */
Test(metrics_values, multiclass_averages_by_hand)
{
    int32_t t[] = {0, 0, 0, 1, 1, 2}, p[] = {0, 0, 1, 1, 2, 2};
    lp_class_inputs in = {t, p, NULL, 6, 3};
    struct {
        lp_metric_id id;
        double want;
    } cases[] = {
        {LP_METRIC_PRECISION_MACRO, (1.0 + 0.5 + 0.5) / 3},
        {LP_METRIC_RECALL_MACRO, (2.0 / 3 + 0.5 + 1.0) / 3},
        {LP_METRIC_F1_MACRO, (0.8 + 0.5 + 2.0 / 3) / 3},
        {LP_METRIC_PRECISION_WEIGHTED, (3 * 1.0 + 2 * 0.5 + 1 * 0.5) / 6},
        {LP_METRIC_RECALL_WEIGHTED, (3 * 2.0 / 3 + 2 * 0.5 + 1 * 1.0) / 6},
        {LP_METRIC_F1_WEIGHTED, (3 * 0.8 + 2 * 0.5 + 1 * 2.0 / 3) / 6},
        {LP_METRIC_PRECISION, (3 * 1.0 + 2 * 0.5 + 1 * 0.5) / 6},
        {LP_METRIC_RECALL, (3 * 2.0 / 3 + 2 * 0.5 + 1 * 1.0) / 6},
        {LP_METRIC_F1, (3 * 0.8 + 2 * 0.5 + 1 * 2.0 / 3) / 6},
        {LP_METRIC_PRECISION_MICRO, 4.0 / 6},
        {LP_METRIC_RECALL_MICRO, 4.0 / 6},
        {LP_METRIC_F1_MICRO, 4.0 / 6},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const lp_metric_info *m = lp_metric_by_id(cases[i].id);
        double v = -1;
        cr_assert_eq(lp_metric_classification(&v, m, &in), 0, "%s", m->name);
        cr_expect_float_eq(v, cases[i].want, 1e-12, "%s: %.17g, want %.17g", m->name, v,
                           cases[i].want);
    }
    /* the macro F1 differs from the weighted one here: the names are not interchangeable */
    cr_assert(fabs((0.8 + 0.5 + 2.0 / 3) / 3 - (3 * 0.8 + 2 * 0.5 + 2.0 / 3) / 6) > 0.01);
}

Test(metrics_values, explicit_classes_and_absent_class)
{
    /* the model knows three classes; the evaluation data holds only two of them */
    lp_frame *yt = lp_frame_new(), *yp = lp_frame_new();
    const char *tv[] = {"a", "b", "a", "b"}, *pv[] = {"a", "b", "b", "b"};
    lp_column_builder *bt = lp_column_builder_new(LP_DT_CATEGORY, 4),
                      *bp = lp_column_builder_new(LP_DT_STRING, 4);
    for (int i = 0; i < 4; i++) {
        lp_column_builder_append_str(bt, tv[i], 1);
        lp_column_builder_append_str(bp, pv[i], 1);
    }
    lp_frame_add_column(yt, "y", lp_column_builder_finish(bt));
    lp_frame_add_column(yp, "p", lp_column_builder_finish(bp));
    lp_value *classes = lp_value_list();
    lp_list_append(classes, lp_value_string("c"));
    lp_list_append(classes, lp_value_string("a"));
    lp_list_append(classes, lp_value_string("b"));
    lp_value *names = lp_value_list(), *res = NULL;
    lp_list_append(names, lp_value_string("accuracy"));
    lp_list_append(names, lp_value_string("recall"));
    cr_assert_eq(lp_metrics_compute(&res, LP_TASK_CLASSIFICATION, names, yt, yp, NULL, classes), 0,
                 "%s", lp_error_last()->message);
    cr_assert_float_eq(lp_value_as_float(lp_map_get(res, "accuracy")), 0.75, 1e-15);
    /* weighted recall: a 1/2 (support 2), b 2/2 (support 2) → 0.75 */
    cr_assert_float_eq(lp_value_as_float(lp_map_get(res, "recall")), 0.75, 1e-15);
    lp_value_unref(res);

    /* rocauc: one-vs-rest of class 'c' (index 0) is undefined, as in sklearn */
    double pm[] = {0.1, 0.8, 0.1, 0.1, 0.2, 0.7, 0.1, 0.5, 0.4, 0.2, 0.2, 0.6};
    lp_frame *fp = frame_f64(pm, 4, 3, 3, "p");
    lp_value *roc = lp_value_string("rocauc");
    cr_assert_eq(lp_metrics_compute(&res, LP_TASK_CLASSIFICATION, roc, yt, yp, fp, classes),
                 LP_EINVAL);
    cr_assert(strstr(lp_error_last()->message, "metric 'rocauc': class index 0 is absent from "
                                               "y_true"),
              "%s", lp_error_last()->message);

    /* a label outside the class list */
    lp_value *two = lp_value_list();
    lp_list_append(two, lp_value_string("a"));
    lp_list_append(two, lp_value_string("c"));
    cr_assert_eq(lp_metrics_compute(&res, LP_TASK_CLASSIFICATION, names, yt, yp, NULL, two),
                 LP_EINVAL);
    cr_assert(strstr(lp_error_last()->message, "y_true label 'b' at row 1 is not one of"), "%s",
              lp_error_last()->message);
    lp_list_set(two, 1, lp_value_string("a"));
    cr_assert_eq(lp_metrics_compute(&res, LP_TASK_CLASSIFICATION, names, yt, yp, NULL, two),
                 LP_EINVAL);
    cr_assert(strstr(lp_error_last()->message, "classes lists the label 'a' twice"), "%s",
              lp_error_last()->message);
    lp_value_unref(two);
    lp_value_unref(roc);
    lp_value_unref(names);
    lp_value_unref(classes);
    lp_frame_unref(fp);
    lp_frame_unref(yt);
    lp_frame_unref(yp);
}

/* ---- error paths ------------------------------------------------------------------------ */

static void expect_error(int rc, int code, const char *needle)
{
    cr_assert_eq(rc, code, "rc %d, wanted %d: %s", rc, code, lp_error_last()->message);
    cr_assert(strstr(lp_error_last()->message, needle), "'%s' not in '%s'", needle,
              lp_error_last()->message);
}

static double cls(lp_metric_id id, const lp_class_inputs *in, int code, const char *needle)
{
    double v = 0;
    expect_error(lp_metric_classification(&v, lp_metric_by_id(id), in), code, needle);
    return v;
}

Test(metrics_errors, classification_arrays)
{
    int32_t t[] = {0, 1, 1}, p[] = {0, 1, 2}, ones[] = {1, 1, 1};
    double pm[] = {0.6, 0.4, 0.3, 0.7, 0.2, 0.8};
    lp_class_inputs in = {t, p, pm, 3, 2};
    cls(LP_METRIC_F1, &in, LP_EINVAL, "metric 'f1': y_pred[2] = 2 is not a class index in [0, 2)");
    in.y_pred = NULL;
    cls(LP_METRIC_ACCURACY, &in, LP_EINVAL, "metric 'accuracy': y_pred is missing");
    in.proba = NULL;
    cls(LP_METRIC_ROCAUC, &in, LP_EINVAL, "metric 'rocauc': needs class probabilities");
    cls(LP_METRIC_PRAUC, &in, LP_EINVAL, "metric 'prauc': needs class probabilities");
    cls(LP_METRIC_LOGLOSS, &in, LP_EINVAL, "metric 'logloss': needs class probabilities");
    in.proba = pm;
    in.y_true = ones;
    cls(LP_METRIC_ROCAUC, &in, LP_EINVAL, "metric 'rocauc': only one class present in y_true");
    in.y_true = t;
    in.n = 0;
    cls(LP_METRIC_LOGLOSS, &in, LP_EINVAL, "metric 'logloss': no samples");
    in.n = 3;
    cls(LP_METRIC_MSE, &in, LP_EINVAL, "metric 'mse': is a regression metric");
    double bad[] = {0.6, 0.4, NAN, 0.7, 0.2, 0.8};
    in.proba = bad;
    cls(LP_METRIC_LOGLOSS, &in, LP_EINVAL, "probability of row 1, class 0 is not finite");
    in.n_classes = 1;
    in.proba = pm;
    int32_t zeros[] = {0, 0, 0};
    in.y_true = zeros;
    cls(LP_METRIC_LOGLOSS, &in, LP_EINVAL, "needs at least 2 classes, got 1");
    /* multiclass rocauc needs probabilities that sum to 1 */
    int32_t t3[] = {0, 1, 2};
    double p3[] = {0.5, 0.5, 0.5, 0.2, 0.3, 0.5, 0.1, 0.1, 0.8};
    lp_class_inputs m3 = {t3, t3, p3, 3, 3};
    cls(LP_METRIC_ROCAUC, &m3, LP_EINVAL, "row 0 sums to 1.5");
    /* but log_loss renormalises, as sklearn 1.2 */
    double v;
    cr_assert_eq(lp_metric_classification(&v, lp_metric_by_id(LP_METRIC_LOGLOSS), &m3), 0);
    cr_assert_float_eq(v, -(log(0.5 / 1.5) + log(0.3 / 1.0) + log(0.8 / 1.0)) / 3, 1e-14);
}

static void reg(lp_metric_id id, const double *y, const double *p, size_t n, const char *needle)
{
    double v;
    expect_error(lp_metric_regression(&v, lp_metric_by_id(id), y, p, n), LP_EINVAL, needle);
    cr_assert(isnan(v));
}

Test(metrics_errors, regression_arrays)
{
    double y[] = {1, 2, 3}, neg[] = {1, -2, 3}, nan[] = {1, NAN, 3};
    reg(LP_METRIC_MSLE, y, neg, 3,
        "metric 'msle': cannot be used when targets contain negative values (y_pred[1] = -2)");
    reg(LP_METRIC_RMSLE, neg, y, 3, "metric 'rmsle': cannot be used when targets contain negative");
    reg(LP_METRIC_MSE, y, nan, 3, "metric 'mse': y_pred[1] is nan");
    reg(LP_METRIC_MAE, y, y, 0, "metric 'mae': no samples");
    reg(LP_METRIC_R2, NULL, y, 3, "metric 'r2': y_true is missing");
    reg(LP_METRIC_F1, y, y, 3, "metric 'f1': is a classification metric");
}

static lp_frame *ints(const int64_t *v, size_t n, size_t cols)
{
    lp_frame *f = lp_frame_new();
    for (size_t j = 0; j < cols; j++) {
        lp_column *c = lp_column_new(LP_DT_INT64, n);
        memcpy(c->data.i64, v, n * sizeof *v);
        char name[32];
        snprintf(name, sizeof name, "c%zu", j);
        lp_frame_add_column(f, name, c);
    }
    return f;
}

Test(metrics_errors, frames)
{
    int64_t a[] = {0, 1, 1, 0}, b[] = {0, 1, 0, 0};
    lp_frame *yt = ints(a, 4, 1), *yp = ints(b, 4, 1), *short_ = ints(b, 3, 1),
             *wide = ints(b, 4, 2);
    lp_value *names = lp_value_string("accuracy"), *res = NULL;
    lp_value *mse = lp_value_string("mse"), *typo = lp_value_string("acuracy");
    lp_value *roc = lp_value_string("rocauc"), *msle = lp_value_string("msle");

    expect_error(lp_metrics_compute(&res, LP_TASK_CLASSIFICATION, typo, yt, yp, NULL, NULL),
                 LP_ENOTFOUND, "unknown metric 'acuracy' (did you mean 'accuracy'?)");
    expect_error(lp_metrics_compute(&res, LP_TASK_CLASSIFICATION, mse, yt, yp, NULL, NULL),
                 LP_ECONFIG, "'mse' is a regression metric");
    expect_error(lp_metrics_compute(&res, LP_TASK_CLASSIFICATION, names, yt, short_, NULL, NULL),
                 LP_EINVAL, "y_true has 4 rows but y_pred has 3");
    expect_error(lp_metrics_compute(&res, LP_TASK_CLASSIFICATION, names, wide, yp, NULL, NULL),
                 LP_EINVAL, "y_true must have exactly one column, it has 2");
    expect_error(lp_metrics_compute(&res, LP_TASK_CLASSIFICATION, names, yt, NULL, NULL, NULL),
                 LP_EINVAL, "y_pred is missing");
    expect_error(lp_metrics_compute(&res, LP_TASK_CLASSIFICATION, roc, yt, yp, NULL, NULL),
                 LP_EINVAL, "metric 'rocauc': needs class probabilities");
    lp_frame *p3 =
        frame_f64((double[]){0.1, 0.2, 0.7, 0.3, 0.3, 0.4, 0.5, 0.5, 0, 1, 0, 0}, 4, 3, 3, "p");
    expect_error(lp_metrics_compute(&res, LP_TASK_CLASSIFICATION, roc, yt, yp, p3, NULL), LP_EINVAL,
                 "probabilities have 3 columns but there are 2 classes");
    expect_error(lp_metrics_compute(&res, LP_TASK_CLASSIFICATION, roc, yt, yp, short_, NULL),
                 LP_EINVAL, "probabilities have 3 rows but y_true has 4");
    int64_t same[] = {1, 1, 1, 1};
    lp_frame *all1 = ints(same, 4, 1);
    lp_frame *p1 = frame_f64((double[]){0.1, 0.9, 0.4, 0.3}, 4, 1, 1, "p");
    expect_error(lp_metrics_compute(&res, LP_TASK_CLASSIFICATION, roc, all1, yp, p1, NULL),
                 LP_EINVAL, "metric 'rocauc': only one class present in y_true");
    lp_frame *yneg = frame_f64((double[]){1, -2, 3, 4}, 4, 1, 1, "y");
    expect_error(lp_metrics_compute(&res, LP_TASK_REGRESSION, msle, yneg, NULL, NULL, NULL),
                 LP_EINVAL, "y_pred is missing");
    expect_error(lp_metrics_compute(&res, LP_TASK_REGRESSION, msle, yneg, yp, NULL, NULL),
                 LP_EINVAL, "metric 'msle': cannot be used when targets contain negative values");
    cr_assert_null(res);

    /* string y_true vs numeric y_pred; strings for regression; missing labels */
    lp_column_builder *sb = lp_column_builder_new(LP_DT_STRING, 4);
    for (int i = 0; i < 4; i++)
        lp_column_builder_append_str(sb, i % 2 ? "x" : "y", 1);
    lp_frame *ys = lp_frame_new();
    lp_frame_add_column(ys, "label", lp_column_builder_finish(sb));
    expect_error(lp_metrics_compute(&res, LP_TASK_CLASSIFICATION, names, ys, yp, NULL, NULL),
                 LP_EINVAL, "y_true holds string labels but y_pred numeric labels");
    expect_error(lp_metrics_compute(&res, LP_TASK_REGRESSION, mse, ys, ys, NULL, NULL), LP_EINVAL,
                 "regression metrics need numeric columns; y_true is string");
    lp_column_builder *mb = lp_column_builder_new(LP_DT_INT64, 4);
    for (int i = 0; i < 4; i++)
        i == 2 ? lp_column_builder_append_null(mb) : lp_column_builder_append_i64(mb, a[i]);
    lp_frame *ym = lp_frame_new();
    lp_frame_add_column(ym, "c0", lp_column_builder_finish(mb));
    expect_error(lp_metrics_compute(&res, LP_TASK_CLASSIFICATION, names, ym, yp, NULL, NULL),
                 LP_EINVAL, "y_true ('c0') has 1 missing values (first at row 2)");
    lp_value *cl = lp_value_list();
    lp_list_append(cl, lp_value_string("0"));
    lp_list_append(cl, lp_value_string("1"));
    expect_error(lp_metrics_compute(&res, LP_TASK_CLASSIFICATION, names, yt, yp, NULL, cl),
                 LP_EINVAL, "class 0 is a string but the labels are numbers");
    lp_value_unref(cl);
    cr_assert_null(res);

    /* and a good call for contrast: bool/int labels, both directions */
    cr_assert_eq(lp_metrics_compute(&res, LP_TASK_CLASSIFICATION, names, yt, yp, NULL, NULL), 0);
    cr_assert_float_eq(lp_value_as_float(lp_map_get(res, "accuracy")), 0.75, 1e-15);
    lp_value_unref(res);

    lp_frame *frames[] = {yt, yp, short_, wide, p3, all1, p1, yneg, ys, ym};
    for (size_t i = 0; i < sizeof frames / sizeof *frames; i++)
        lp_frame_unref(frames[i]);
    lp_value *vals[] = {names, mse, typo, roc, msle};
    for (size_t i = 0; i < sizeof vals / sizeof *vals; i++)
        lp_value_unref(vals[i]);
}

/* ---- rocauc and prauc against their definitions, exactly ---------------------------- */

typedef struct ref_row {
    double s;
    int pos;
} ref_row;

static int ref_desc(const void *a, const void *b)
{
    double x = ((const ref_row *)a)->s, y = ((const ref_row *)b)->s;
    return (x < y) - (x > y);
}

/* ROC AUC as the Mann-Whitney count (a positive above a negative: 2, a tie: 1)
 * and AP as sklearn's step sum over distinct scores (summed as lolpop sums it),
 * for class c one-vs-rest. */
static void ref_curve(const double *proba, const int32_t *y, size_t n, size_t k, size_t c,
                      double *auc, double *ap)
{
    ref_row *r = malloc(n * sizeof *r);
    size_t npos = 0;
    for (size_t i = 0; i < n; i++) {
        r[i].s = proba[i * k + c];
        r[i].pos = (size_t)y[i] == c;
        npos += (size_t)r[i].pos;
    }
    double pairs = 0; /* exact: integers below 2^53 */
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; r[i].pos && j < n; j++)
            if (!r[j].pos) pairs += r[i].s > r[j].s ? 2 : r[i].s == r[j].s ? 1 : 0;
    *auc = pairs / (2.0 * (double)npos * (double)(n - npos));
    qsort(r, n, sizeof *r, ref_desc);
    double prev_tp = 0, tp = 0;
    lp_ksum sum = {0};
    for (size_t i = 0; i < n; i++) {
        tp += r[i].pos;
        if (i + 1 < n && r[i + 1].s == r[i].s) continue;
        double f = (double)(i + 1) - tp;
        lp_ksum_add(&sum, (tp - prev_tp) * (tp / (tp + f)));
        prev_tp = tp;
    }
    *ap = lp_ksum_get(&sum) / (double)npos;
    free(r);
}

/* Scores with many ties, -0.0 beside 0.0, negatives and a float32 grid (as
 * XGBoost's probabilities are): both metrics equal the references bit for bit. */
Test(metrics_values, ranking_metrics_match_definitions)
{
    uint64_t st = 7;
    for (size_t k = 2; k <= 3; k++) {
        for (int kind = 0; kind < 3; kind++) {
            size_t n = 1500;
            int32_t *y = malloc(n * sizeof *y);
            double *pm = malloc(n * k * sizeof *pm);
            for (size_t i = 0; i < n; i++) {
                double u = next_u(&st);
                y[i] = (int32_t)(next_u(&st) * (double)k);
                double s = kind == 0   ? floor(u * 20.0) / 20.0 - 0.5 /* ties, negatives */
                           : kind == 1 ? (float)u                     /* float32 grid */
                                       : (u < 0.3   ? -0.0
                                          : u < 0.6 ? 0.0
                                                    : u);
                if (y[i] == 1) s = kind == 2 ? s : s + 0.05 * next_u(&st);
                for (size_t c = 0; c < k; c++)
                    pm[i * k + c] = k == 2 ? (c == 1 ? s : 1.0 - s) : 1.0 / (double)k;
                if (k == 3) { /* rows summing to 1 with distinct orders per class */
                    double a = next_u(&st), b = (1 - a) * next_u(&st);
                    pm[i * 3] = a, pm[i * 3 + 1] = b, pm[i * 3 + 2] = 1 - a - b;
                    if (kind == 0) pm[i * 3 + 1] = 1 - a - (pm[i * 3 + 2] = floor(b * 8) / 8);
                }
            }
            lp_class_inputs in = {.y_true = y, .proba = pm, .n = n, .n_classes = k};
            double roc, pr, want_auc = 0, want_ap = 0;
            lp_ksum w_auc = {0}, w_ap = {0};
            cr_assert_eq(lp_metric_classification(&roc, lp_metric_by_id(LP_METRIC_ROCAUC), &in), 0,
                         "%s", lp_error_last()->message);
            cr_assert_eq(lp_metric_classification(&pr, lp_metric_by_id(LP_METRIC_PRAUC), &in), 0,
                         "%s", lp_error_last()->message);
            for (size_t c = k == 2 ? 1 : 0; c < k; c++) {
                double auc, ap, w = 0;
                ref_curve(pm, y, n, k, c, &auc, &ap);
                for (size_t i = 0; i < n; i++)
                    w += (size_t)y[i] == c;
                want_auc = auc, want_ap = ap;
                lp_ksum_add(&w_auc, w * auc);
                lp_ksum_add(&w_ap, w * ap);
            }
            if (k == 3) { /* weighted by support, as lolpop and sklearn average them */
                want_auc = lp_ksum_get(&w_auc) / (double)n;
                want_ap = lp_ksum_get(&w_ap) / (double)n;
            }
            cr_assert_eq(roc, want_auc, "k=%zu kind %d: rocauc %.17g, want %.17g", k, kind, roc,
                         want_auc);
            cr_assert_eq(pr, want_ap, "k=%zu kind %d: prauc %.17g, want %.17g", k, kind, pr,
                         want_ap);
            free(y);
            free(pm);
        }
    }
}
