/*
 * additive.h — the additive forecaster "additive" (internal to liblolpop):
 * a model in the spirit of Prophet (Taylor & Letham 2018), fitted by MAP.
 *
 *   y(t) = g(t) · (1 + Σ mult. components) + Σ additive components + noise
 *
 * g is a piecewise-linear trend with changepoints (or logistic growth
 * towards a constant `cap` above `floor`); components are Fourier series of
 * the yearly (365.25 d), weekly and daily periods, holiday indicators (one per
 * holiday and day offset of its window) and extra regressors (standardised
 * as Prophet does). As Prophet, y is divided by max|y − floor| and time is
 * mapped to [0, 1] over the history; the priors are Prophet's: k, m ~ N(0, 5),
 * changepoint deltas ~ Laplace(0, changepoint_prior_scale), component
 * coefficients ~ N(0, prior scale), sigma ~ half-N(0, 0.5).
 *
 * The Laplace prior is not differentiable at 0; instead of smoothing it, each
 * delta is written δ = u − v with u, v ≥ 0 and the penalty (u + v)/τ, which
 * is smooth and exact at the optimum (one of u, v is 0 there), and the
 * bound-constrained L-BFGS of NLopt minimises the negative log posterior.
 *
 * Training params (a map, NULL for the defaults; Prophet's names):
 *   growth                   linear (default) | logistic
 *   cap, floor               logistic only: the capacity (required) and the
 *                            floor (default 0), constants
 *   n_changepoints           default 25; changepoint_range default 0.8
 *   changepoint_prior_scale  default 0.05
 *   yearly_seasonality, weekly_seasonality, daily_seasonality
 *                            auto (default) | true | false | N (Fourier order)
 *   seasonality_mode         additive (default) | multiplicative (seasonalities,
 *                            holidays and regressors alike)
 *   seasonality_prior_scale  default 10; holidays_prior_scale default 10 (also
 *                            the regressors' prior scale, as Prophet)
 *   holidays                 list of {holiday: NAME, dates: [YYYY-MM-DD, ...],
 *                            lower_window: <= 0, upper_window: >= 0,
 *                            prior_scale: optional}
 *   interval_width           default 0.8 (the model's default width)
 *   uncertainty_samples      default 1000 (0: intervals equal the prediction)
 *   seed                     of the interval simulation, default 0
 * The time index is a feature of dtype timestamp (seconds in the model
 * matrix); every other feature is an extra regressor.
 */
#ifndef LP_ML_ADDITIVE_H
#define LP_ML_ADDITIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/internal.h"
#include "lolpop/frame.h"
#include "lolpop/model.h"

/* Kinds of design-matrix column. */
typedef enum lp_additive_kind {
    LP_ADD_SEASONAL, /* a Fourier term */
    LP_ADD_HOLIDAY,  /* a holiday day (with offset) indicator */
    LP_ADD_REGRESSOR /* an extra regressor */
} lp_additive_kind;

/* One design-matrix column (a coefficient beta). */
typedef struct lp_additive_col {
    lp_additive_kind kind;
    char *group;    /* "yearly", a holiday name, a regressor name */
    bool mult;      /* multiplicative (scales the trend) */
    double prior;   /* prior scale of beta */
    double period;  /* seasonal: days */
    int order;      /* seasonal: harmonic, 1-based; holiday: day offset */
    bool is_cos;    /* seasonal: cos (else sin) */
    int64_t *days;  /* holiday: days since the epoch the indicator is 1 */
    size_t n_days;  /* holiday */
    size_t feature; /* regressor: model feature index */
    double mu, std; /* regressor: standardisation */
    double beta;    /* fitted coefficient */
} lp_additive_col;

/* A fitted additive model: the back-end's state. */
typedef struct lp_additive {
    bool logistic;
    size_t time_feature;     /* index of the time feature in the model matrix */
    double t_start, t_scale; /* seconds: t = (ds - t_start) / t_scale */
    double y_scale, floor, cap;
    size_t n_cp;
    double *cp_t;  /* changepoints in scaled time, ascending */
    double *delta; /* rate changes at cp_t */
    double k, m, sigma;
    lp_additive_col *cols;
    size_t n_cols;
    double interval_width;
    int64_t uncertainty_samples;
    uint64_t seed;
} lp_additive;

/* Trains an additive model of y's only column on X: time_index names X's
 * timestamp column (NULL: X's only timestamp column), the other columns are
 * regressors. Rows with a missing target are left out. *out: new reference. */
int lp_additive_train(lp_model **out, const lp_frame *X, const lp_frame *y, const lp_value *params,
                      const char *time_index);

/* The names lp_additive_train accepts in params (NULL-terminated, static). */
extern const char *const lp_additive_param_names[];

/* Back-end "additive" (registered by lp_ml_register_builtins). */
extern const lp_model_ops lp_additive_ops;

/* One component of the prediction for rows of X (rows × the model's
 * features, as lp_model_matrix gives them) in the target's units, into out
 * (rows doubles): "trend", "yearly", "weekly", "daily", "holidays",
 * "extra_regressors", or the name of one holiday or regressor. A
 * multiplicative component is given as its factor (trend · (1 + c) − trend
 * is its effect), as Prophet. LP_ENOTFOUND for a name the model lacks. */
int lp_additive_component(const lp_additive *a, const double *X, size_t rows, size_t n_features,
                          const char *name, double *out);

/* The fitted trend in the target's units at time `ds` (seconds since epoch). */
double lp_additive_trend_at(const lp_additive *a, double ds);

/* Frees a and everything it owns (NULL is fine). */
void lp_additive_free(lp_additive *a);

/* ---- between the files of the back-end ------------------------------------------ */

/* The design-matrix column c at time ds (seconds) for matrix row x. */
double lp_additive_col_value(const lp_additive_col *c, double ds, const double *x);
/* Scaled time of ds. */
double lp_additive_t(const lp_additive *a, double ds);
/* Trend (scaled units) at scaled time t for rate changes delta at cps cp_t. */
double lp_additive_trend_scaled(const lp_additive *a, const double *cp_t, const double *delta,
                                size_t n_cp, double t);
/* Save and load (additive_io.c). */
int lp_additive_save_blob(const lp_additive *a, uint8_t **out, size_t *len);
int lp_additive_load_blob(lp_additive **out, const uint8_t *blob, size_t len);

#endif
