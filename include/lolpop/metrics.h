/*
 * metrics.h — model evaluation metrics with scikit-learn's definitions.
 *
 * The names of SPEC §5: classification accuracy, f1, precision, recall,
 * rocauc, prauc, logloss; regression mse, rmse, mae, mape, mdae, smape, r2,
 * msle, rmsle. Each agrees with scikit-learn 1.2 to 1e-9 on the same inputs
 * (tests/fixtures/gen_metrics.py computes the reference numbers):
 *
 *   accuracy   accuracy_score
 *   f1, precision, recall
 *              2 classes: average='binary', positive class = index 1;
 *              more: average='weighted' (by support in y_true);
 *              a 0/0 ratio is 0 (sklearn's zero_division='warn')
 *   rocauc     2 classes: roc_auc_score(y, proba[:,1]); more:
 *              roc_auc_score(multi_class='ovr', average='weighted')
 *   prauc      2 classes: average_precision_score(y, proba[:,1]) (step-wise,
 *              no interpolation); more: the weighted mean (by support in
 *              y_true) of one-vs-rest average precision, i.e.
 *              average_precision_score(label_binarize(y), proba, 'weighted')
 *   logloss    log_loss(y, proba, labels=all classes): clipped to
 *              [eps, 1-eps] with eps = DBL_EPSILON, rows renormalised
 *   mse, rmse, mae, r2, msle, rmsle, mdae (median_absolute_error),
 *   mape       mean(|y-ŷ| / max(|y|, DBL_EPSILON)) (a fraction, not percent)
 *   smape      not in sklearn: mean(2|y-ŷ| / (|y|+|ŷ|)), a 0/0 term is 0
 *   mase       forecasts (R forecast::accuracy): mae / the mean absolute
 *              seasonal difference |y_t - y_{t-m}| of the training series
 *              (season m; 1 without one); lower is better
 *   coverage   forecasts: the share of y_true inside the prediction interval
 *              [lower, upper]; higher_is_better here, but its target is the
 *              interval's nominal width (0.8): as a threshold it is a floor,
 *              and as perf_metric it would favour over-wide intervals
 *   mase and coverage need the training series / the interval, which
 *   lp_metric_regression and lp_metrics_compute do not have (they fail with
 *   LP_EINVAL saying so); the forecasting trainers' calculate_metrics and the
 *   model checker compute them.
 *
 * Ties in rocauc/prauc are handled as sklearn does: one curve point per
 * distinct score. r2 follows force_finite=True (constant y_true: 1 when the
 * prediction is perfect, else 0) and is NaN for fewer than 2 samples.
 * Errors (LP_EINVAL unless stated) name the metric and what is wrong: no
 * samples, NaN or infinite inputs, a class index out of range, probabilities
 * missing, fewer than 2 classes for a probability metric, only one class
 * present in y_true for rocauc (also per class one-vs-rest), multiclass
 * rocauc rows not summing to 1, negative values for msle/rmsle.
 *
 * Ownership: descriptors are static; compute functions borrow their inputs;
 * lp_metrics_compute returns a new map reference.
 */
#ifndef LOLPOP_METRICS_H
#define LOLPOP_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "frame.h"
#include "value.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum lp_metric_task { LP_TASK_CLASSIFICATION, LP_TASK_REGRESSION } lp_metric_task;

typedef enum lp_metric_id {
    LP_METRIC_ACCURACY,
    LP_METRIC_F1,
    LP_METRIC_PRECISION,
    LP_METRIC_RECALL,
    LP_METRIC_ROCAUC,
    LP_METRIC_PRAUC,
    LP_METRIC_LOGLOSS,
    LP_METRIC_MSE,
    LP_METRIC_RMSE,
    LP_METRIC_MAE,
    LP_METRIC_MAPE,
    LP_METRIC_MDAE,
    LP_METRIC_SMAPE,
    LP_METRIC_R2,
    LP_METRIC_MSLE,
    LP_METRIC_RMSLE,
    /* scikit-learn's f1/precision/recall_{macro,micro,weighted}: averaged over
     * the labels present in y_true or y_pred, for binary targets too */
    LP_METRIC_F1_MACRO,
    LP_METRIC_F1_MICRO,
    LP_METRIC_F1_WEIGHTED,
    LP_METRIC_PRECISION_MACRO,
    LP_METRIC_PRECISION_MICRO,
    LP_METRIC_PRECISION_WEIGHTED,
    LP_METRIC_RECALL_MACRO,
    LP_METRIC_RECALL_MICRO,
    LP_METRIC_RECALL_WEIGHTED,
    /* forecasts (regression task): need more than y_true / y_pred, see above */
    LP_METRIC_MASE,
    LP_METRIC_COVERAGE,
    LP_METRIC_COUNT_ /* number of metrics, not a metric */
} lp_metric_id;

typedef struct lp_metric_info {
    lp_metric_id id;
    const char *name; /* SPEC name, lower case */
    lp_metric_task task;
    bool higher_is_better; /* direction, for perf_metric and tuners */
    bool needs_proba;      /* classification: computed from probabilities */
    const char *description;
} lp_metric_info;

/* The descriptor table, in lp_metric_id order (static, never NULL for i < count). */
size_t lp_metric_count(void);
const lp_metric_info *lp_metric_at(size_t i);
const lp_metric_info *lp_metric_by_id(lp_metric_id id);
/* Finds a metric by name (ASCII case ignored). Unknown: LP_ENOTFOUND with
 * "unknown metric 'x' (did you mean 'y'?)" and the valid names. */
int lp_metric_lookup(const lp_metric_info **out, const char *name);
/* true when score a is strictly better than b in m's direction (NaN is worst). */
bool lp_metric_better(const lp_metric_info *m, double a, double b);
const char *lp_metric_task_name(lp_metric_task t); /* "classification" / "regression" */

/* Classification inputs over plain arrays (all borrowed). Class indices lie in
 * [0, n_classes); y_pred may be NULL when only probability metrics are asked
 * for, proba (row-major n × n_classes) when none is. */
typedef struct lp_class_inputs {
    const int32_t *y_true;
    const int32_t *y_pred;
    const double *proba;
    size_t n;
    size_t n_classes;
} lp_class_inputs;

/* Computes one classification metric into *out. LP_EINVAL when m is a
 * regression metric or the inputs do not suit it (message names m). */
int lp_metric_classification(double *out, const lp_metric_info *m, const lp_class_inputs *in);
/* Computes one regression metric over n pairs into *out. */
int lp_metric_regression(double *out, const lp_metric_info *m, const double *y_true,
                         const double *y_pred, size_t n);

/* Checks metric names for a task before any work: `names` is a string or a
 * list of strings (errors carry the value's config origin). Unknown names
 * (with a suggestion) and metrics of the other task are errors. */
int lp_metrics_check(const lp_value *names, lp_metric_task task);

/* Frame-level evaluation. y_true and y_pred are one-column frames of equal
 * length without missing values. Classification labels may be strings,
 * categories, ints, bools or floats and are mapped to class indices: by
 * `classes` when given (a list of labels in model order; every label must be
 * in it), else by the sorted distinct labels of y_true ∪ y_pred (sklearn's
 * order: numbers numerically, strings by code point). `proba` (may be NULL)
 * holds one numeric column per class in that order; with 2 classes a single
 * column is taken as the probability of class index 1. Regression columns
 * must be numeric. Returns in *out a new map metric name → float, in the
 * order asked. */
int lp_metrics_compute(lp_value **out, lp_metric_task task, const lp_value *names,
                       const lp_frame *y_true, const lp_frame *y_pred, const lp_frame *proba,
                       const lp_value *classes);

#ifdef __cplusplus
}
#endif
#endif
