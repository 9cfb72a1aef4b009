/*
 * mc.h — LocalModelChecker's pieces (internal; not public API): a model's
 * predictions on one split as arrays (evaluate.c), the numbers computed from
 * them (metrics, confusion matrix, per-class precision / recall / f1,
 * calibration), the baseline models (baselines.c) and the HTML
 * (model_report.c). Definitions follow scikit-learn 1.2 (tests/fixtures/
 * model_checker/gen_model_checker.py computes the reference numbers).
 */
#ifndef LP_COMPONENTS_MODEL_CHECKER_MC_H
#define LP_COMPONENTS_MODEL_CHECKER_MC_H

#include <stdint.h>

#include "components/data_checker/checks.h"
#include "lolpop/metrics.h"
#include "lolpop/model.h"

/* One split: truth and predictions. Classification: y, pred class indices in the model's
 * class order, proba n x k (NULL without probabilities); regression: yr, pr. */
typedef struct lp_mc_split {
    size_t n, k; /* rows; classes (0: regression) */
    int32_t *y, *pred;
    double *proba;
    double *yr, *pr;
    /* the model's raw outputs (n x n_out, as lp_model_predict_raw gives them; owned; NULL
     * for a baseline's split): what the reference predictions are rebuilt from */
    double *raw;
    size_t n_out;
    /* forecasts (lp_mc_forecast_prepare): the interval (owned; NULL without),
     * the history the forecast follows (borrowed) and its season */
    bool forecast;
    double *lower, *upper;
    const double *history;
    size_t n_history, season;
} lp_mc_split;

/* The class index of every cell of y (a label column) in m's class order into idx[n].
 * A missing cell or a label that is not one of m's classes is LP_EINVAL naming `what`. */
int lp_mc_labels(int32_t *idx, const lp_model *m, const lp_column *y, const char *what);
/* Predicts X (raw columns: m's feature transformer state applied first) and fills *s
 * with y (a one-column frame). 0 or LP_E*; *s freed on failure. */
int lp_mc_evaluate(lp_mc_split *s, const lp_registry *reg, const lp_model *m, const lp_frame *X,
                   const lp_frame *y, const char *split);
/* lp_mc_evaluate with m's raw outputs on the split's `rows` rows given (out: n x
 * lp_model_n_outputs, taken in every case) instead of predicted. 0 or LP_E*. */
int lp_mc_evaluate_outputs(lp_mc_split *s, const lp_model *m, double *out, size_t rows,
                           const lp_frame *y, const char *split);
/* The raw outputs of m (n x lp_model_n_outputs, lp_model_predict_raw's layout) that a
 * predictions frame of n rows holds exactly: a regression's float64 `prediction`, a
 * classifier's float64 probability_<label> columns in m's class order (the frames of
 * lp_experiment_run_predicting, which lp_model_frames_from_outputs built from those very
 * outputs). *out (new array) stays NULL, no error, when pred cannot give them (other row
 * count, a column missing, of another type or with missing values, a model without
 * probabilities, a model with prediction intervals: a forecaster). 0 or LP_ENOMEM. */
int lp_mc_outputs_of(double **out, const lp_model *m, const lp_frame *pred, size_t n);
/* Frees the arrays of s (not s). */
void lp_mc_split_free(lp_mc_split *s);

/* Metrics `names` (metric names; those of the other task skipped) on s: a new map
 * name -> float. A metric that cannot be computed (rocauc with one class present) is
 * left out and noted in `notes` (a list; may be NULL). NULL on LP_ENOMEM. */
lp_value *lp_mc_metrics(const lp_mc_split *s, const lp_value *names, lp_value *notes);
/* sklearn.metrics.confusion_matrix(y, pred, labels=range(k)): a list of k lists. */
lp_value *lp_mc_confusion(const lp_mc_split *s);
/* precision_recall_fscore_support(average=None, zero_division=0) per class:
 * [{label, precision, recall, f1, support}]; labels: the class labels (a list of k strings). */
lp_value *lp_mc_per_class(const lp_mc_split *s, const lp_value *labels);
/* Brier score (binary: brier_score_loss(y == class 1, proba[:, 1]); more classes: the
 * mean over rows of sum_k (proba_k - [y == k])^2) and the expected calibration error of
 * the top-label confidence over `bins` equal-width bins:
 * {brier, ece, bins: [{lower, upper, count, confidence, accuracy}]}. NULL without
 * probabilities (no error) or on LP_ENOMEM. */
lp_value *lp_mc_calibration(const lp_mc_split *s, size_t bins);

/* The baseline strategies: majority (DummyClassifier 'prior': the most frequent class,
 * probabilities the class shares), stratified (labels drawn with the class shares from a
 * seeded generator, one-hot probabilities), mean and median (DummyRegressor). */
typedef enum { LP_MC_MAJORITY, LP_MC_STRATIFIED, LP_MC_MEAN, LP_MC_MEDIAN } lp_mc_baseline;
/* "majority", ... (static). */
const char *lp_mc_baseline_name(lp_mc_baseline b);
/* Parses a baseline name (LP_ECONFIG located at v, with "did you mean"). */
int lp_mc_baseline_parse(lp_mc_baseline *out, const lp_value *v, const char *who);
/* The predictions of baseline b fitted on train's truth, for the rows of eval: *out gets
 * eval's truth (copied) and the baseline's pred / proba (or pr). 0 or LP_E*. */
int lp_mc_baseline_predict(lp_mc_split *out, lp_mc_baseline b, const lp_mc_split *train,
                           const lp_mc_split *eval, uint64_t seed);

/* ---- forecasts (forecast.c) ------------------------------------------------------------ */

/* Whether m is judged as a forecaster: a regression model with prediction
 * intervals, and a time_index (config visible from the checker) that X_train
 * holds: what the TimeSeriesRunner gives its checker. */
bool lp_mc_is_forecaster(const lp_model *m, const lp_frame *X_train, const char *time_index);
/* Makes s ready for mase and coverage (lp_mc_metrics): history = train's
 * truth (borrowed: train must outlive s), season, and m's interval of
 * probability width over X (none when m cannot give it: coverage then fails). */
int lp_mc_forecast_prepare(lp_mc_split *s, const lp_mc_split *train, const lp_model *m,
                           const lp_frame *X, size_t season, double width);
/* The forecast against naive, seasonal naive and drift fitted on the history
 * of eval (prepared): {split, metric: "mase", season, model: {mase, smape,
 * mae, rmse[, coverage]}, baselines: {naive: {...}, seasonal_naive: {...},
 * drift: {...}}, beats_seasonal_naive}. checks (may be NULL) get one check per
 * baseline by MASE at severity sev. New ref or NULL with the error set. */
lp_value *lp_mc_forecast_baselines(const lp_mc_split *eval, const char *split, lp_value *checks,
                                   int sev);

/* The HTML of a check_model report (new string or NULL). */
char *lp_mc_report_html(const lp_value *report);

#endif
