/*
 * xgb.h — training lp_models with libxgboost's C API (internal to liblolpop;
 * XGBoostModelTrainer wraps it). Exported for the unit tests only.
 *
 * Task, from the parameters and the target (the one column of y):
 *   - params.objective given: "binary:*" → binary, "multi:*" → multiclass,
 *     anything else → regression (the target must then be numeric or bool);
 *   - no objective: a string, category or bool target → binary when it has
 *     two distinct values, multiclass when more; a float64 or int64 target →
 *     regression (an int64 0/1 target is classified only when the objective
 *     says so: counts and scores are integers too).
 * Classes are the distinct target values sorted as scikit-learn's
 * LabelEncoder sorts them (text byte-wise; numbers numerically); class index
 * = position. A single class, missing target values or no rows are errors.
 * Default objective: binary:logistic, multi:softprob (num_class set), or
 * reg:squarederror; multi:softmax is trained as multi:softprob (same trees)
 * so that probabilities exist.
 *
 * Parameters: XGBoost's own names (checked against a list of known ones;
 * an unknown name is an error suggesting the closest), plus num_boost_round
 * (default 100) and early_stopping_rounds (needs a validation split; stops
 * when the validation metric — the last eval_metric — has not improved for
 * that many rounds, and predictions then use trees up to best_iteration).
 * nthread defaults to the cores available to the process, seed to 0.
 * String/category features are XGBoost categorical features (codes from the
 * sorted distinct training values; tree_method defaults to "hist" then).
 */
#ifndef LP_ML_XGB_H
#define LP_ML_XGB_H

#include <stddef.h>
#include <stdint.h>

#include "core/internal.h"
#include "lolpop/frame.h"
#include "lolpop/model.h"

/* What training did, round by round (for progress lines and the tracker). */
typedef struct lp_xgb_report {
    int rounds;           /* boosting rounds run */
    int best_iteration;   /* 0-based; rounds - 1 without early stopping */
    double best_score;    /* validation metric at best_iteration; NaN without validation */
    char *metric;         /* validation metric name ("logloss"), NULL without validation */
    double *valid_scores; /* per round, `rounds` entries; NULL without validation */
    int stopped_early;    /* 1 when early stopping ended training */
    /* The model's outputs on the training rows (rows x lp_model_n_outputs,
     * as lp_model_predict_raw gives them), read from XGBoost's prediction
     * cache at the end of training: scoring the training split costs next to
     * nothing. NULL when it could not be had. */
    double *train_outputs;
} lp_xgb_report;

void lp_xgb_report_free(lp_xgb_report *r);

/* Trains a model of y_train's only column on X_train's columns. X_valid and
 * y_valid (both or neither) give the validation metric. params: a map or
 * NULL. report: NULL or filled (free with lp_xgb_report_free). *out: new ref. */
int lp_xgb_train(lp_model **out, const lp_frame *X_train, const lp_frame *y_train,
                 const lp_frame *X_valid, const lp_frame *y_valid, const lp_value *params,
                 lp_xgb_report *report);

/* Whether `value` is one XGBoost accepts for parameter `name` (its
 * documented range or choices; names without a rule pass): what
 * lp_xgb_train checks first, for a check before any data. 0 or LP_ECONFIG. */
int lp_xgb_param_check(const char *name, const lp_value *value);

/* The names lp_xgb_train accepts in params (NULL-terminated, static). */
extern const char *const lp_xgb_param_names[];
/* Advice for names of XGBoost's scikit-learn wrapper (and other Python
 * habits), as pairs name, advice; NULL-terminated (lp_trainer_backend.param_hints). */
extern const char *const lp_xgb_param_hints[];

/* Back-end "xgboost" (registered by lp_ml_register_builtins). */
extern const lp_model_ops lp_xgb_ops;

#endif
