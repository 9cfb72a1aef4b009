/*
 * xgboost.c — XGBoostModelTrainer: gradient-boosted trees with libxgboost
 * (src/ml/xgb.c does the training; this is the component around it).
 *
 *   model_trainer:
 *     config:
 *       training_params: {max_depth: 4, eta: 0.1, num_boost_round: 200,
 *                         early_stopping_rounds: 10}
 *
 * Without an `objective`, problem_type decides it: classification gives
 * binary:logistic for a target with two distinct values and multi:softprob
 * for more — whatever the target's type, so an int64 0/1 column such as
 * titanic's `survived` is classified — and regression gives
 * reg:squarederror. Without a feature_transformer, string columns are
 * XGBoost's native categorical features.
 */
#include <math.h>
#include <string.h>

#include "components/model_trainer/trainer.h"
#include "ml/xgb.h"

static bool is_text(lp_dtype t)
{
    return t == LP_DT_STRING || t == LP_DT_CATEGORY;
}

static bool same_value(const lp_column *c, size_t a, size_t b)
{
    if (!is_text(c->type)) return lp_column_get_f64(c, a) == lp_column_get_f64(c, b);
    size_t la, lb;
    const char *sa = lp_column_str(c, a, &la), *sb = lp_column_str(c, b, &lb);
    return la == lb && memcmp(sa, sb, la) == 0;
}

/* Distinct non-missing values of c, counting no further than 3 (all that
 * tells binary from multiclass). */
static size_t distinct_up_to_3(const lp_column *c)
{
    size_t seen[3], n = 0;
    for (size_t i = 0; i < c->length && n < 3; i++) {
        if (!lp_column_is_valid(c, i) || (!is_text(c->type) && isnan(lp_column_get_f64(c, i))))
            continue;
        bool dup = false;
        for (size_t k = 0; k < n && !dup; k++)
            dup = same_value(c, seen[k], i);
        if (!dup) seen[n++] = i;
    }
    return n;
}

static bool prefixed(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Whether objective value ov (present) suits the problem (not NONE): 0, or
 * LP_ECONFIG naming the conflict. Needs no data, so check_config uses it too. */
static int objective_fits_problem(lp_obj *self, const lp_value *ov, lp_problem problem)
{
    const char *obj = lp_value_as_string(ov);
    bool classifying = problem == LP_PROBLEM_CLASSIFICATION;
    if (!obj)
        return lp_error_set(LP_ECONFIG, "XGBoostModelTrainer (%s): objective must be a string",
                            lp_trainer_path(self));
    bool class_obj = prefixed(obj, "binary:") || prefixed(obj, "multi:");
    if (class_obj == classifying) return 0;
    return lp_kit_error_at(LP_ECONFIG, ov,
                           "XGBoostModelTrainer (%s): objective '%s' is a %s objective "
                           "but problem_type is %s",
                           lp_trainer_path(self), obj, class_obj ? "classification" : "regression",
                           classifying ? "classification" : "regression");
}

static int xgb_resolve(lp_obj *self, lp_value *params, lp_problem problem, const lp_frame *y_train)
{
    const lp_value *ov = lp_map_get(params, "objective");
    if (problem == LP_PROBLEM_NONE) return 0; /* lp_xgb_train decides from the target */
    if (ov) return objective_fits_problem(self, ov, problem);
    const char *dflt = "reg:squarederror";
    if (problem == LP_PROBLEM_CLASSIFICATION)
        dflt =
            distinct_up_to_3(lp_frame_col(y_train, 0)) > 2 ? "multi:softprob" : "binary:logistic";
    return lp_map_set(params, "objective", lp_value_string(dflt));
}

static const lp_trainer_backend xgb_backend;

/* check_config's look at the values: each as XGBoost will take it, then a
 * given objective against the problem. */
static int xgb_check_params(lp_obj *self, const lp_value *params, lp_problem problem)
{
    int rc = lp_trainer_check_each_param(self, &xgb_backend, params, lp_xgb_param_check);
    const lp_value *ov = lp_map_get(params, "objective");
    if (rc || !ov || problem == LP_PROBLEM_NONE) return rc;
    return objective_fits_problem(self, ov, problem);
}

static int xgb_train(lp_model **out, lp_obj *self, lp_trainer_data *d, const lp_value *params)
{
    lp_xgb_report rep;
    /* The validation split only steers early stopping: evaluating it every
     * round otherwise costs a prediction pass per round and changes nothing
     * (the experiment measures every split once training is done). */
    const lp_value *early = lp_map_get(params, "early_stopping_rounds");
    bool stopping = early && lp_value_as_int(early) > 0;
    int rc = lp_xgb_train(out, d->X_train, d->y_train, stopping ? d->X_valid : NULL,
                          stopping ? d->y_valid : NULL, params, &rep);
    if (rc) return rc;
    if (rep.metric)
        lp_log(self, LP_LOG_DEBUG, "%d boosting rounds%s; best iteration %d, valid-%s %.6g",
               rep.rounds, rep.stopped_early ? " (stopped early)" : "", rep.best_iteration,
               rep.metric, rep.best_score);
    else
        lp_log(self, LP_LOG_DEBUG, "%d boosting rounds", rep.rounds);
    d->train_outputs = rep.train_outputs; /* the training split scored for free */
    rep.train_outputs = NULL;
    lp_xgb_report_free(&rep);
    return 0;
}

static const lp_trainer_backend xgb_backend = {
    .size = sizeof(lp_trainer_backend),
    .cls = "XGBoostModelTrainer",
    .library = "XGBoost",
    .param_names = lp_xgb_param_names,
    .resolve = xgb_resolve,
    .train = xgb_train,
    .param_hints = lp_xgb_param_hints,
    .check_params = xgb_check_params,
};

static lp_value *xgb_check_config(lp_obj *self, lp_value *args)
{
    return lp_trainer_check_config(self, &xgb_backend);
}

static lp_value *xgb_check_trial_params(lp_obj *self, lp_value *args)
{
    return lp_trainer_check_params(self, &xgb_backend, args);
}

static int xgb_init(lp_obj *self)
{
    return lp_trainer_init(self, &xgb_backend);
}

static const lp_method xgb_methods[] = {
    {"fit", lp_trainer_fit,
     "fit(splits, params?) -> model: trains on X_train/y_train (X_valid/y_valid give the "
     "validation metric and early stopping); params overrides training_params key by key"},
    {"predict", lp_trainer_predict,
     "predict(frame, model?) -> predictions: one column `prediction` (class labels or values)"},
    {"predict_proba", lp_trainer_predict_proba,
     "predict_proba(frame, model?) -> probabilities: one float64 column probability_<label> per "
     "class (classification only)"},
    {"calculate_metrics", lp_trainer_calculate_metrics,
     "calculate_metrics(splits, predictions, metrics, model?) -> metrics: map split -> metric "
     "name -> value for every split in predictions"},
    {"save", lp_trainer_save, "save(path, model?) -> null: writes the model file atomically"},
    {"load", lp_trainer_load, "load(path) -> null: the saved model becomes the trainer's model"},
    {LP_TRAINER_CHECK_PARAMS, xgb_check_trial_params,
     "check_params(params) -> problems: the names and values of training parameters a tuner's "
     "trials will pass to fit, before anything runs"},
    {LP_METHOD_CHECK_CONFIG, xgb_check_config,
     "check_config() -> problems: problem_type, the training_params names and values (XGBoost's "
     "documented ranges and choices), and an objective against the problem, before anything "
     "runs"},
    {NULL, NULL, NULL},
};

static const lp_config_key xgb_keys[] = {
    {"training_params", "map",
     "XGBoost's own parameters (max_depth, eta, objective, eval_metric, subsample, ...; an "
     "unknown name is an error) plus num_boost_round (default 100) and early_stopping_rounds "
     "(needs a validation split); nthread defaults to the cores available, seed to 0. Read "
     "from this trainer's own config only"},
    LP_TRAINER_PROBLEM_TYPE_KEY,
    {NULL, NULL, NULL},
};

const lp_class lp_xgboost_model_trainer_class = {
    .name = "XGBoostModelTrainer",
    .kind = LP_KIND_COMPONENT,
    .type = "model_trainer",
    .doc = "Gradient-boosted trees with libxgboost. Without an objective, problem_type "
           "classification gives binary:logistic (2 distinct target values, of any type) or "
           "multi:softprob (more), regression gives reg:squarederror. With a validation split "
           "the last eval_metric is tracked per round and early_stopping_rounds stops training; "
           "predictions then use the trees up to the best iteration. A visible "
           "feature_transformer is fitted on the training split, applied to every split and "
           "saved with the model; without one, string columns are native categorical features. "
           "Predictions keep the target's labels; probabilities are named probability_<label>. "
           "Same data, parameters and seed (default 0) give the same model.",
    .defaults_yaml = NULL,
    .requirements = lp_no_requirements,
    .config_keys = xgb_keys,
    .methods = xgb_methods,
    .state_size = sizeof(lp_trainer_state),
    .init = xgb_init,
    .fini = lp_trainer_fini,
};
