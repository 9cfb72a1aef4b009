/*
 * viz.h — LocalModelVisualizer's parts (not public API): the curves it
 * computes (scikit-learn's definitions) and the plot builders of each family
 * (classification, regression, explanations, forecasts).
 */
#ifndef LP_COMPONENTS_MODEL_VISUALIZER_VIZ_H
#define LP_COMPONENTS_MODEL_VISUALIZER_VIZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "components/components_internal.h"
#include "ml/ml_parallel.h"
#include "ml/plot.h"

/* A curve of n points (x[i], y[i]); owned arrays. */
typedef struct lp_viz_curve {
    double *x, *y;
    size_t n;
} lp_viz_curve;

void lp_viz_curve_free(lp_viz_curve *c);

/* sklearn.metrics.roc_curve(pos, score) (drop_intermediate=True): x = FPR,
 * y = TPR. pos[i] is 1 for the positive class. 0 or LP_ENOMEM; LP_EINVAL when
 * one class is absent. */
int lp_viz_roc(lp_viz_curve *out, const uint8_t *pos, const double *score, size_t n);

/* sklearn.metrics.precision_recall_curve(pos, score): x = recall, y = precision. */
int lp_viz_pr(lp_viz_curve *out, const uint8_t *pos, const double *score, size_t n);

/* The area under a curve by the trapezoidal rule (sklearn.metrics.auc). */
double lp_viz_auc(const lp_viz_curve *c);

/* Average precision, sklearn's step-wise sum over a PR curve (x recall, decreasing). */
double lp_viz_average_precision(const lp_viz_curve *pr);

/* sklearn.calibration.calibration_curve(pos, prob, n_bins, strategy="uniform"):
 * x = mean predicted probability, y = fraction of positives, empty bins left out. */
int lp_viz_calibration(lp_viz_curve *out, const uint8_t *pos, const double *prob, size_t n,
                       int bins);

/* What every plot builder gets: the model's view of one split. */
typedef struct lp_viz_data {
    const lp_model *model;
    const lp_frame *X, *y;
    const char *split;
    size_t n;              /* rows */
    size_t k;              /* classes (0: regression) */
    int32_t *y_class;      /* classification: true class index per row (-1: unknown label) */
    double *proba;         /* classification: n x k probabilities */
    double *y_true;        /* regression / forecasts: actual values */
    double *y_pred;        /* regression / forecasts: predictions */
    double *lower, *upper; /* forecasts: the interval (NULL without) */
    int width, height;
    size_t max_points;    /* scatter plots thin to this many points */
    size_t curve_rows;    /* the learning curve thins each split to this many rows */
    const lp_value *args; /* generate_viz's arguments (importance, contributions, components) */
    const lp_frame *X_train, *y_train; /* the history of a forecast (may be NULL) */
    /* Forecasters (may be NULL): the components over history and split, a
     * time column first, from the trainer's predict_components; the result
     * of its cross_validate. */
    const lp_frame *components;
    const lp_value *cv;
} lp_viz_data;

/* A builder: *out a new plot, or NULL when the plot does not apply to the data
 * (the reason in *skip, static). 0 or a negative code with the error set. */
typedef int (*lp_viz_builder)(lp_plot **out, const char **skip, const lp_viz_data *d);

int lp_viz_plot_roc(lp_plot **out, const char **skip, const lp_viz_data *d);
int lp_viz_plot_pr(lp_plot **out, const char **skip, const lp_viz_data *d);
int lp_viz_plot_confusion(lp_plot **out, const char **skip, const lp_viz_data *d);
int lp_viz_plot_calibration(lp_plot **out, const char **skip, const lp_viz_data *d);
int lp_viz_plot_residuals(lp_plot **out, const char **skip, const lp_viz_data *d);
int lp_viz_plot_predicted(lp_plot **out, const char **skip, const lp_viz_data *d);
int lp_viz_plot_importance(lp_plot **out, const char **skip, const lp_viz_data *d);
int lp_viz_plot_shap(lp_plot **out, const char **skip, const lp_viz_data *d);
int lp_viz_plot_forecast(lp_plot **out, const char **skip, const lp_viz_data *d);
int lp_viz_plot_forecast_residuals(lp_plot **out, const char **skip, const lp_viz_data *d);
/* The learning curve: log loss (classifiers) or RMSE per boosting round on
 * the training split and the split drawn, from lp_model_staged_predict;
 * skipped for a back-end without rounds. */
int lp_viz_plot_learning_curve(lp_plot **out, const char **skip, const lp_viz_data *d);
/* The class index of each of the n rows of y's only column, as the model's
 * labels (-1 for a label it does not know): *out new (n entries). */
int lp_viz_class_indices(int32_t **out, const lp_model *m, const lp_frame *y, size_t n);
/* Forecasters: the autocorrelation of the one-step residuals over the history
 * (X_train, y_train) by lag, with the ±1.96/√n bounds of white noise: bars
 * outside them are structure the model missed. */
int lp_viz_plot_residual_acf(lp_plot **out, const char **skip, const lp_viz_data *d);

/* Cross-validation error by horizon step (MAE and RMSE per step, the mean
 * MASE in the title) from d->cv (a cross_validate result). */
int lp_viz_plot_cv_error(lp_plot **out, const char **skip, const lp_viz_data *d);

/* Components (trend, seasonalities, holidays) from argument `components`,
 * else d->components: one plot per column except the time index, into *out
 * (a new array of *n plots). */
int lp_viz_plot_components(lp_plot ***out, size_t *n, const lp_viz_data *d);

/* The x position of row i of frame X for time plots: the first timestamp
 * column as fractional years, else i. */
double lp_viz_time_x(const lp_frame *X, size_t i);

/* One plot of a generate_viz call and its rendering: plot borrowed, svg (a
 * string) and png (png_len bytes) owned, NULL until rendered. */
typedef struct lp_viz_render {
    const lp_plot *plot;
    char *svg;
    uint8_t *png;
    size_t png_len;
    lp_ml_task_error error; /* the task's failure (code 0: none) */
} lp_viz_render;

/* Renders r[0..n) (each .plot set) as SVG and, when png, PNG, on
 * lp_ml_parallel's threads: slot i gets plot i's bytes, whatever thread drew it.
 * Returns the index of the first plot that failed (its .error says why; raise it
 * with lp_ml_task_error_raise), n when none did. Every slot is left to
 * lp_viz_render_free. */
size_t lp_viz_render_all(lp_viz_render *r, size_t n, bool png);
void lp_viz_render_free(lp_viz_render *r);

/* Row indices 0..n-1 thinned to at most max, evenly spaced (new array, *m its length). */
size_t *lp_viz_thin(size_t n, size_t max, size_t *m);

#endif
