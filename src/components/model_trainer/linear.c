/*
 * linear.c — LinearModelTrainer: linear models with liblinear (src/ml/linear.c
 * does the training; this is the component around it).
 *
 *   model_trainer:
 *     config:
 *       training_params: {model: logistic, C: 0.5}
 *
 * problem_type decides the default model (classification: logistic,
 * regression: ridge) and rules out the other kind. liblinear needs numbers:
 * string features must be encoded by a feature_transformer first.
 */
#include <string.h>

#include "components/model_trainer/trainer.h"
#include "ml/linear.h"

/* Whether model (the value of training_params' model, a string) suits the
 * problem: 0, or LP_ECONFIG located at mv naming the models that do. */
static int model_fits_problem(lp_obj *self, const lp_value *mv, const char *model,
                              lp_problem problem)
{
    bool classifying = problem == LP_PROBLEM_CLASSIFICATION;
    bool class_model = lp_streq_nocase(model, "logistic") || lp_streq_nocase(model, "svm");
    bool reg_model = lp_streq_nocase(model, "svr") || lp_streq_nocase(model, "ridge");
    if (problem == LP_PROBLEM_NONE || (classifying && !reg_model) || (!classifying && !class_model))
        return 0; /* an unknown model is liblinear's to name */
    return lp_kit_error_at(LP_ECONFIG, mv,
                           "LinearModelTrainer (%s): model '%s' is for %s but problem_type "
                           "is %s (use %s)",
                           lp_trainer_path(self), model,
                           class_model ? "classification" : "regression",
                           classifying ? "classification" : "regression",
                           classifying ? "logistic or svm" : "ridge or svr");
}

static int linear_resolve(lp_obj *self, lp_value *params, lp_problem problem,
                          const lp_frame *y_train)
{
    (void)y_train;
    const lp_value *mv = lp_map_get(params, "model");
    const char *model = lp_value_as_string(mv);
    if (problem == LP_PROBLEM_NONE || (mv && !model)) return 0; /* liblinear checks the type */
    if (!model)
        return lp_map_set(
            params, "model",
            lp_value_string(problem == LP_PROBLEM_CLASSIFICATION ? "logistic" : "ridge"));
    return model_fits_problem(self, mv, model, problem);
}

static const lp_trainer_backend linear_backend;

/* check_config's look at the values: each known parameter as liblinear will
 * read it (unknown names are the kit's to report), then the model against
 * the problem. */
static int linear_check_params(lp_obj *self, const lp_value *params, lp_problem problem)
{
    int rc = lp_trainer_check_each_param(self, &linear_backend, params, lp_linear_param_check);
    const lp_value *mv = lp_map_get(params, "model");
    const char *model = lp_value_as_string(mv);
    return rc == 0 && model ? model_fits_problem(self, mv, model, problem) : rc;
}

/* liblinear takes numbers only; say how to get them. */
static int check_numeric(lp_obj *self, const lp_frame *X)
{
    for (size_t j = 0; j < lp_frame_cols(X); j++) {
        lp_dtype t = lp_frame_col(X, j)->type;
        if (t != LP_DT_STRING && t != LP_DT_CATEGORY) continue;
        return lp_error_set(LP_EINVAL,
                            "LinearModelTrainer (%s): feature '%s' is %s; liblinear needs "
                            "numbers: add a feature_transformer (LocalFeatureTransformer with "
                            "OneHotEncoder or OrdinalEncoder for it) or drop the column",
                            lp_trainer_path(self), lp_frame_name(X, j), lp_dtype_name(t));
    }
    return 0;
}

static int linear_train(lp_model **out, lp_obj *self, lp_trainer_data *d, const lp_value *params)
{
    int rc = check_numeric(self, d->X_train);
    if (rc == 0) rc = lp_linear_train(out, d->X_train, d->y_train, params);
    if (rc == 0)
        lp_log(self, LP_LOG_DEBUG, "liblinear %s on %zu rows x %zu features",
               lp_value_as_string(lp_map_get(lp_model_params(*out), "model")),
               lp_frame_rows(d->X_train), lp_frame_cols(d->X_train));
    return rc;
}

static const lp_trainer_backend linear_backend = {
    .size = sizeof(lp_trainer_backend),
    .cls = "LinearModelTrainer",
    .library = "liblinear",
    .param_names = lp_linear_param_names,
    .resolve = linear_resolve,
    .train = linear_train,
    .check_params = linear_check_params,
};

static lp_value *linear_check_config(lp_obj *self, lp_value *args)
{
    return lp_trainer_check_config(self, &linear_backend);
}

static lp_value *linear_check_trial_params(lp_obj *self, lp_value *args)
{
    return lp_trainer_check_params(self, &linear_backend, args);
}

static int linear_init(lp_obj *self)
{
    return lp_trainer_init(self, &linear_backend);
}

static const lp_method linear_methods[] = {
    {"fit", lp_trainer_fit,
     "fit(splits, params?) -> model: trains on X_train/y_train; params overrides "
     "training_params key by key"},
    {"predict", lp_trainer_predict,
     "predict(frame, model?) -> predictions: one column `prediction` (class labels or values)"},
    {"predict_proba", lp_trainer_predict_proba,
     "predict_proba(frame, model?) -> probabilities: one float64 column probability_<label> per "
     "class (logistic only: svm decision values are not probabilities)"},
    {"calculate_metrics", lp_trainer_calculate_metrics,
     "calculate_metrics(splits, predictions, metrics, model?) -> metrics: map split -> metric "
     "name -> value for every split in predictions"},
    {"save", lp_trainer_save, "save(path, model?) -> null: writes the model file atomically"},
    {"load", lp_trainer_load, "load(path) -> null: the saved model becomes the trainer's model"},
    {LP_TRAINER_CHECK_PARAMS, linear_check_trial_params,
     "check_params(params) -> problems: the names and values of training parameters a tuner's "
     "trials will pass to fit, before anything runs"},
    {LP_METHOD_CHECK_CONFIG, linear_check_config,
     "check_config() -> problems: problem_type, the training_params names and values, and "
     "the model against the problem, before anything runs"},
    {NULL, NULL, NULL},
};

static const lp_config_key linear_keys[] = {
    {"training_params", "map",
     "model (logistic | svm | svr | ridge; default logistic for classification, ridge for "
     "regression), C (> 0, default 1.0), eps (tolerance, default 1e-4), epsilon (svr), bias "
     "(true: fit an intercept), standardize (true: z-score features). Read from this trainer's "
     "own config only"},
    LP_TRAINER_PROBLEM_TYPE_KEY,
    {NULL, NULL, NULL},
};

const lp_class lp_linear_model_trainer_class = {
    .name = "LinearModelTrainer",
    .kind = LP_KIND_COMPONENT,
    .type = "model_trainer",
    .doc = "Linear models with liblinear: logistic regression (probabilities), linear SVM "
           "(labels and decision values, no probabilities), SVR and ridge regression, with "
           "standardised features by default. problem_type picks the default model "
           "(classification: logistic, regression: ridge) and rejects one of the other kind. "
           "Features must be numeric: a visible feature_transformer (fitted on the training "
           "split and saved with the model) encodes text columns. Predictions keep the target's "
           "labels; probabilities are named probability_<label>.",
    .defaults_yaml = NULL,
    .requirements = lp_no_requirements,
    .config_keys = linear_keys,
    .methods = linear_methods,
    .state_size = sizeof(lp_trainer_state),
    .init = linear_init,
    .fini = lp_trainer_fini,
};
