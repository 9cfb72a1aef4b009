/*
 * evaluate.c — a model's predictions on one split as arrays, and what is
 * computed from them: metrics (lolpop/metrics.h), confusion matrix, per-class
 * precision / recall / f1 / support, Brier score and expected calibration
 * error.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "components/model_checker/mc.h"
#include "lolpop/feature_state.h"
#include "ml/forecast_metrics.h"

void lp_mc_split_free(lp_mc_split *s)
{
    free(s->y);
    free(s->pred);
    free(s->proba);
    free(s->yr);
    free(s->pr);
    free(s->raw);
    free(s->lower);
    free(s->upper);
    memset(s, 0, sizeof *s);
}

/* Whether cell i of y is class label s. */
static bool label_is(const lp_column *y, size_t i, const char *s)
{
    switch (y->type) {
    case LP_DT_STRING:
    case LP_DT_CATEGORY: {
        size_t len = 0;
        const char *t = lp_column_str(y, i, &len);
        return t && strlen(s) == len && memcmp(s, t, len) == 0;
    }
    case LP_DT_BOOL:
        return (strcmp(s, "true") == 0) == (y->data.b8[i] != 0);
    case LP_DT_INT64:
    case LP_DT_TIMESTAMP:
        return strtoll(s, NULL, 10) == y->data.i64[i];
    default:
        return strtod(s, NULL) == lp_column_get_f64(y, i);
    }
}

int lp_mc_labels(int32_t *idx, const lp_model *m, const lp_column *y, const char *what)
{
    size_t k = lp_model_n_classes(m);
    for (size_t i = 0; i < y->length; i++) {
        if (!lp_column_is_valid(y, i))
            return lp_error_set(LP_EINVAL, "%s has a missing label at row %zu", what, i);
        idx[i] = -1;
        for (size_t c = 0; c < k && idx[i] < 0; c++)
            if (label_is(y, i, lp_model_class_label(m, c))) idx[i] = (int32_t)c;
        if (idx[i] < 0)
            return lp_error_set(LP_EINVAL,
                                "%s has a label at row %zu that is not one of the "
                                "model's %zu classes",
                                what, i, k);
    }
    return 0;
}

static int fill_classification(lp_mc_split *s, const lp_model *m, const double *out,
                               const lp_column *y, const char *what)
{
    size_t n = s->n, k = lp_model_n_outputs(m);
    s->k = lp_model_n_classes(m);
    s->y = malloc((n ? n : 1) * sizeof *s->y);
    s->pred = malloc((n ? n : 1) * sizeof *s->pred);
    bool proba = lp_model_has_probabilities(m) && k == s->k;
    if (proba) s->proba = malloc((n ? n * k : 1) * sizeof *s->proba);
    if (!s->y || !s->pred || (proba && !s->proba)) return lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        const double *r = out + i * k;
        size_t best = 0;
        for (size_t c = 1; c < k; c++)
            if (r[c] > r[best]) best = c;
        if (isnan(r[0]))
            return lp_error_set(LP_EINVAL, "the model predicted NaN for row %zu of %s", i, what);
        s->pred[i] = (int32_t)best;
        if (proba) memcpy(s->proba + i * k, r, k * sizeof *r);
    }
    return lp_mc_labels(s->y, m, y, what);
}

static int fill_regression(lp_mc_split *s, const double *out, const lp_column *y, const char *what)
{
    size_t n = s->n;
    s->yr = malloc((n ? n : 1) * sizeof *s->yr);
    s->pr = malloc((n ? n : 1) * sizeof *s->pr);
    if (!s->yr || !s->pr) return lp_error_set(LP_ENOMEM, "out of memory");
    if (!(y->type == LP_DT_FLOAT64 || y->type == LP_DT_INT64 || y->type == LP_DT_BOOL))
        return lp_error_set(LP_EINVAL, "%s must be numeric for a regression model, got %s", what,
                            lp_dtype_name(y->type));
    for (size_t i = 0; i < n; i++) {
        double v = lp_column_get_f64(y, i);
        if (!lp_column_is_valid(y, i) || isnan(v))
            return lp_error_set(LP_EINVAL, "%s has a missing value at row %zu", what, i);
        s->yr[i] = v;
        s->pr[i] = out[i];
    }
    return 0;
}

int lp_mc_evaluate_outputs(lp_mc_split *s, const lp_model *m, double *out, size_t rows,
                           const lp_frame *y, const char *split)
{
    memset(s, 0, sizeof *s);
    char what[64];
    snprintf(what, sizeof what, "y_%s", split);
    int rc = 0;
    if (!y || lp_frame_cols(y) != 1 || lp_frame_rows(y) != rows)
        rc = lp_error_set(LP_EINVAL, "%s must be one column with a row per row of X_%s", what,
                          split);
    s->n = rows;
    if (rc == 0)
        rc = lp_model_task_of(m) == LP_MODEL_REGRESSION
                 ? fill_regression(s, out, lp_frame_col(y, 0), what)
                 : fill_classification(s, m, out, lp_frame_col(y, 0), what);
    if (rc == 0) {
        s->raw = out; /* kept: get_reference_predictions rebuilds the prediction frame */
        s->n_out = lp_model_n_outputs(m);
    } else {
        free(out);
        lp_mc_split_free(s);
    }
    return rc;
}

int lp_mc_evaluate(lp_mc_split *s, const lp_registry *reg, const lp_model *m, const lp_frame *X,
                   const lp_frame *y, const char *split)
{
    memset(s, 0, sizeof *s);
    if (!y || lp_frame_cols(y) != 1 || lp_frame_rows(y) != lp_frame_rows(X))
        return lp_error_set(LP_EINVAL, "y_%s must be one column with a row per row of X_%s", split,
                            split);
    lp_frame *features = NULL;
    double *out = NULL;
    int rc = lp_model_features(&features, reg, m, X);
    if (rc == 0) rc = lp_model_predict_raw(&out, m, features);
    if (features) lp_frame_unref(features);
    return rc == 0 ? lp_mc_evaluate_outputs(s, m, out, lp_frame_rows(X), y, split) : rc;
}

/* pred's float64 column `name` without missing values and with n rows, or NULL. */
static const lp_column *exact_column(const lp_frame *pred, const char *name, size_t n)
{
    long j = lp_frame_find(pred, name);
    const lp_column *c = j >= 0 ? lp_frame_col(pred, (size_t)j) : NULL;
    return c && c->type == LP_DT_FLOAT64 && c->length == n && c->null_count == 0 ? c : NULL;
}

int lp_mc_outputs_of(double **out, const lp_model *m, const lp_frame *pred, size_t n)
{
    *out = NULL;
    bool regression = lp_model_task_of(m) == LP_MODEL_REGRESSION;
    size_t k = lp_model_n_outputs(m);
    /* a forecaster's trainer predicts on a frame rebuilt around its time index: its
     * outputs are not taken on trust, the checker scores as it always did */
    if (!pred || lp_frame_rows(pred) != n || !k || lp_model_has_intervals(m) ||
        (!regression && (!lp_model_has_probabilities(m) || k != lp_model_n_classes(m))))
        return 0;
    const lp_column **cols = calloc(k, sizeof *cols);
    if (!cols) return lp_error_set(LP_ENOMEM, "out of memory");
    bool whole = true;
    for (size_t c = 0; whole && c < k; c++) {
        char *name = regression ? NULL : lp_asprintf("probability_%s", lp_model_class_label(m, c));
        if (!regression && !name) {
            free(cols);
            return lp_error_set(LP_ENOMEM, "out of memory");
        }
        cols[c] = exact_column(pred, regression ? "prediction" : name, n);
        whole = cols[c] != NULL;
        free(name);
    }
    double *raw = whole ? malloc((n ? n * k : 1) * sizeof *raw) : NULL;
    if (whole && !raw) {
        free(cols);
        return lp_error_set(LP_ENOMEM, "out of memory");
    }
    for (size_t c = 0; whole && c < k; c++)
        for (size_t i = 0; i < n; i++)
            raw[i * k + c] = cols[c]->data.f64[i];
    free(cols);
    *out = raw;
    return 0;
}

lp_value *lp_mc_metrics(const lp_mc_split *s, const lp_value *names, lp_value *notes)
{
    lp_value *res = lp_value_map();
    lp_metric_task task = s->k ? LP_TASK_CLASSIFICATION : LP_TASK_REGRESSION;
    lp_class_inputs in = {s->y, s->pred, s->proba, s->n, s->k};
    for (size_t i = 0; res && i < lp_list_len(names); i++) {
        const lp_metric_info *mi = NULL;
        const char *name = lp_value_as_string(lp_list_get(names, i));
        if (lp_metric_lookup(&mi, name ? name : "") != 0 || mi->task != task) {
            lp_error_clear();
            continue;
        }
        if (lp_map_get(res, mi->name)) continue;
        double v = NAN;
        lp_fc_inputs fc = {.y_true = s->yr,
                           .y_pred = s->pr,
                           .n = s->n,
                           .lower = s->lower,
                           .upper = s->upper,
                           .y_train = s->history,
                           .n_train = s->n_history,
                           .m = s->season};
        bool fc_metric = mi->id == LP_METRIC_MASE || mi->id == LP_METRIC_COVERAGE;
        int rc =
            task == LP_TASK_REGRESSION && fc_metric && s->forecast
                ? lp_fc_metric_compute(&v, mi, &fc)
            : task == LP_TASK_REGRESSION ? lp_metric_regression(&v, mi, s->yr, s->pr, s->n)
            : mi->needs_proba && !s->proba
                ? lp_error_set(LP_EINVAL, "metric '%s': the model gives no probabilities", mi->name)
                : lp_metric_classification(&v, mi, &in);
        if (rc) {
            if (notes) lp_list_append(notes, lp_value_string(lp_error_last()->message));
            lp_error_clear();
            continue;
        }
        lp_map_set(res, mi->name, lp_value_float(v));
    }
    return res;
}

/* counts[t * k + p]: rows of true class t predicted p (malloc'ed). */
static size_t *confusion_counts(const lp_mc_split *s)
{
    size_t *cm = calloc(s->k * s->k > 0 ? s->k * s->k : 1, sizeof *cm);
    for (size_t i = 0; cm && i < s->n; i++)
        cm[(size_t)s->y[i] * s->k + (size_t)s->pred[i]]++;
    return cm;
}

lp_value *lp_mc_confusion(const lp_mc_split *s)
{
    size_t *cm = confusion_counts(s);
    lp_value *rows = cm ? lp_value_list() : NULL;
    for (size_t t = 0; rows && t < s->k; t++) {
        lp_value *row = lp_value_list();
        for (size_t p = 0; row && p < s->k; p++)
            lp_list_append(row, lp_value_int((int64_t)cm[t * s->k + p]));
        if (!row || lp_list_append(rows, row) != 0) {
            lp_value_unref(rows);
            rows = NULL;
        }
    }
    free(cm);
    return rows;
}

static double ratio(double a, double b)
{
    return b > 0 ? a / b : 0.0;
}

lp_value *lp_mc_per_class(const lp_mc_split *s, const lp_value *labels)
{
    size_t *cm = confusion_counts(s);
    lp_value *list = cm ? lp_value_list() : NULL;
    for (size_t c = 0; list && c < s->k; c++) {
        double tp = (double)cm[c * s->k + c], npred = 0, ntrue = 0;
        for (size_t o = 0; o < s->k; o++) {
            npred += (double)cm[o * s->k + c];
            ntrue += (double)cm[c * s->k + o];
        }
        lp_value *row = lp_kit_result(
            "label", lp_value_string(lp_value_as_string(lp_list_get(labels, c))), "precision",
            lp_value_float(ratio(tp, npred)), "recall", lp_value_float(ratio(tp, ntrue)), "f1",
            lp_value_float(ratio(2 * tp, npred + ntrue)), "support", lp_value_int((int64_t)ntrue),
            (const char *)NULL);
        if (!row || lp_list_append(list, row) != 0) {
            lp_value_unref(list);
            list = NULL;
        }
    }
    free(cm);
    return list;
}

lp_value *lp_mc_calibration(const lp_mc_split *s, size_t bins)
{
    if (!s->proba || !s->n || !bins) return NULL;
    double brier = 0, *conf = calloc(bins, sizeof *conf), *acc = calloc(bins, sizeof *acc);
    size_t *count = calloc(bins, sizeof *count);
    lp_value *list = conf && acc && count ? lp_value_list() : NULL;
    for (size_t i = 0; list && i < s->n; i++) {
        const double *p = s->proba + i * s->k;
        if (s->k == 2) {
            double d = p[1] - (s->y[i] == 1);
            brier += d * d;
        } else {
            for (size_t c = 0; c < s->k; c++) {
                double d = p[c] - ((size_t)s->y[i] == c);
                brier += d * d;
            }
        }
        double top = p[s->pred[i]];
        size_t b = (size_t)(top * (double)bins);
        if (b >= bins) b = bins - 1;
        conf[b] += top;
        acc[b] += s->pred[i] == s->y[i];
        count[b]++;
    }
    double ece = 0;
    for (size_t b = 0; list && b < bins; b++) {
        double nb = (double)count[b];
        if (count[b]) ece += nb / (double)s->n * fabs(acc[b] / nb - conf[b] / nb);
        lp_value *row =
            lp_kit_result("lower", lp_value_float((double)b / (double)bins), "upper",
                          lp_value_float((double)(b + 1) / (double)bins), "count",
                          lp_value_int((int64_t)count[b]), "confidence",
                          count[b] ? lp_value_float(conf[b] / nb) : NULL, "accuracy",
                          count[b] ? lp_value_float(acc[b] / nb) : NULL, (const char *)NULL);
        if (!row || lp_list_append(list, row) != 0) {
            lp_value_unref(list);
            list = NULL;
        }
    }
    free(conf);
    free(acc);
    free(count);
    if (!list) {
        lp_error_set(LP_ENOMEM, "out of memory");
        return NULL;
    }
    return lp_kit_result("brier", lp_value_float(brier / (double)s->n), "ece", lp_value_float(ece),
                         "bins", list, (const char *)NULL);
}
