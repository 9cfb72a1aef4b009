/*
 * linear.h — training lp_models with liblinear (2.30, Debian's liblinear-dev;
 * internal to liblolpop, a future LinearModelTrainer wraps it). Exported for
 * the unit tests only.
 *
 * params (a map or NULL; an unknown name is an error suggesting the closest):
 *   model        "logistic" (L2R_LR, primal; probabilities), "svm" (L2-loss
 *                SVC, dual, as scikit-learn's LinearSVC), "svr" (L2R_L2LOSS_SVR,
 *                primal squared epsilon-insensitive loss) or "ridge" (the same
 *                solver with epsilon = 0: min ½‖w‖² + C Σ (y − w·x)², i.e. ridge
 *                with alpha = 1/(2C) and a regularised intercept — the closest
 *                liblinear offers). Default "logistic".
 *   C            > 0, default 1.0.
 *   eps          stopping tolerance > 0, default 1e-4 (scikit-learn's tol).
 *   epsilon      svr only: the insensitive-zone width p >= 0, default 0.1.
 *   max_iter     liblinear 2.30 has a fixed iteration cap (1000); only 1000
 *                is accepted, so that a different request is never ignored.
 *   bias         true/1 (default): fit an intercept through liblinear's bias
 *                feature of value 1 (regularised, as scikit-learn's
 *                intercept_scaling=1); a number > 0 sets that value; false/0:
 *                no intercept.
 *   standardize  true (default): z-score each feature with the training mean
 *                and population standard deviation (1 for a constant
 *                feature, as StandardScaler), stored in the model and applied
 *                at prediction.
 * Classification (logistic, svm) takes a target of any type; classes are
 * the distinct values sorted as scikit-learn's LabelEncoder; more than two
 * classes are one-vs-rest. Regression needs a numeric (or bool) target.
 * Features must be numeric (float64, int64, bool, timestamp): a string or
 * category feature is an error naming it (a feature transformer encodes
 * them first); so are missing values (named with their count), a single
 * class, missing target values and zero rows.
 *
 * Outputs (lp_model_predict_raw): logistic → probabilities (liblinear's
 * predict_probability: one-vs-rest sigmoids normalised to sum 1); svm → the
 * decision values (binary: −d, d with d the score of class 1), so that
 * lp_model_predict's arg-max gives liblinear's label — they are not
 * probabilities (has_probabilities is false for them, so lp_model_predict_proba
 * refuses them); regression → value.
 * A row with a missing feature predicts NaN (a missing label).
 */
#ifndef LP_ML_LINEAR_H
#define LP_ML_LINEAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/internal.h"
#include "lolpop/frame.h"
#include "lolpop/model.h"

/* Trains a model of y_train's only column on all of X_train's columns.
 * *out: new reference. */
int lp_linear_train(lp_model **out, const lp_frame *X_train, const lp_frame *y_train,
                    const lp_value *params);

/* Whether lp_linear_train would accept `value` for parameter `name` (before
 * any data: the same rule and message it applies). 0 or LP_EINVAL. */
int lp_linear_param_check(const char *name, const lp_value *value);

/* The names lp_linear_train accepts in params (NULL-terminated, static). */
extern const char *const lp_linear_param_names[];

/* Back-end "liblinear" (registered by lp_ml_register_builtins). */
extern const lp_model_ops lp_linear_ops;

#endif
