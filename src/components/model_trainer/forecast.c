/*
 * forecast.c — ForecastModelTrainer: the additive (Prophet-style) forecaster
 * of src/ml/additive*.c as a model_trainer.
 *
 *   model_trainer:
 *     type: ForecastModelTrainer
 *     config:
 *       time_index: month            # a feature: timestamp, or dates as text
 *       training_params: {yearly_seasonality: auto, seasonality_mode: multiplicative}
 *
 * The target is the series; the time index is a feature (looked up from the
 * trainer's config, then its parents', as the runner's `time_index`); every
 * other feature is an extra regressor. Besides the kit's methods it has
 * predict_interval(frame, model?, width?) -> prediction, lower, upper, and
 * predict_components(frame, model?) -> trend, yearly, ... (for plots).
 */
#include <stdlib.h>
#include <string.h>

#include "components/model_trainer/trainer.h"
#include "components/model_trainer/trainer_cv.h"
#include "ml/additive.h"
#include "ml/additive_fit.h"

#define CLS "ForecastModelTrainer"

static int forecast_resolve(lp_obj *self, lp_value *params, lp_problem problem,
                            const lp_frame *y_train)
{
    (void)params;
    (void)y_train;
    if (problem != LP_PROBLEM_CLASSIFICATION) return 0;
    return lp_error_set(LP_ECONFIG,
                        CLS " (%s): a forecaster predicts numbers; problem_type must be "
                            "regression (or unset), not classification",
                        lp_trainer_path(self));
}

static int forecast_train(lp_model **out, lp_obj *self, lp_trainer_data *d, const lp_value *params)
{
    char *ti = lp_kit_config_string(self, "time_index", NULL);
    int rc = lp_additive_train(out, d->X_train, d->y_train, params, ti);
    if (rc)
        lp_error_set(rc, CLS " (%s): %s", lp_trainer_path(self), lp_error_last()->message);
    else
        lp_log(self, LP_LOG_DEBUG, "additive model on %zu rows, %zu features",
               lp_frame_rows(d->X_train), lp_frame_cols(d->X_train));
    free(ti);
    return rc;
}

/* One cross-validation fold: the additive model without the per-fit log
 * (X's time index is already a timestamp column). */
static int forecast_cv_fit(lp_model **out, const char *time_index, const lp_frame *X,
                           const lp_frame *y, const lp_value *params)
{
    return lp_additive_train(out, X, y, params, time_index);
}

static lp_value *forecast_cross_validate(lp_obj *self, lp_value *args)
{
    return lp_trainer_cross_validate(self, args, CLS, forecast_cv_fit);
}

static lp_value *forecast_prefit(lp_obj *self, lp_value *args)
{
    return lp_trainer_prefit(self, args, forecast_cv_fit);
}

static const lp_trainer_backend forecast_backend;

/* Each value on its own (a tuner's trial values come one by one); the rules
 * between parameters are forecast_check_config's. */
static int forecast_check_params(lp_obj *self, const lp_value *params, lp_problem problem)
{
    (void)problem;
    return lp_trainer_check_each_param(self, &forecast_backend, params, lp_additive_param_check);
}

static const lp_trainer_backend forecast_backend = {
    .size = sizeof(lp_trainer_backend),
    .cls = CLS,
    .library = "additive model",
    .param_names = lp_additive_param_names,
    .resolve = forecast_resolve,
    .train = forecast_train,
    .check_params = forecast_check_params,
};

/* ---- predictions: a time index given as text becomes a timestamp first --------------- */

/* X with the model's timestamp features cast from text when they are text
 * (new reference; X itself when nothing needs casting). */
static int with_timestamps(lp_frame **out, const lp_model *m, lp_frame *X)
{
    lp_frame *f = lp_frame_new();
    if (!f) return LP_ENOMEM;
    bool changed = false;
    int rc = 0;
    for (size_t j = 0; j < lp_frame_cols(X) && rc == 0; j++) {
        lp_column *c = lp_frame_col(X, j), *cast = NULL;
        const char *name = lp_frame_name(X, j);
        bool want_ts = false;
        for (size_t k = 0; k < lp_model_n_features(m); k++)
            if (strcmp(lp_model_feature_name(m, k), name) == 0)
                want_ts = lp_model_feature_dtype(m, k) == LP_DT_TIMESTAMP;
        if (want_ts && (c->type == LP_DT_STRING || c->type == LP_DT_CATEGORY)) {
            rc = lp_column_cast(&cast, c, LP_DT_TIMESTAMP);
            if (rc) rc = lp_error_set(rc, "time index '%s': %s", name, lp_error_last()->message);
            changed = true;
        } else {
            cast = lp_column_ref(c);
        }
        if (rc == 0) rc = lp_frame_add_column(f, name, cast);
    }
    if (rc || !changed) {
        lp_frame_unref(f);
        *out = rc ? NULL : lp_frame_ref(X);
        return rc;
    }
    *out = f;
    return 0;
}

/* args with its frame's time index as timestamps (new reference). */
static lp_value *args_with_timestamps(lp_obj *self, lp_value *args, lp_frame **Xt)
{
    lp_frame *X = lp_kit_arg_frame(args, "frame", NULL);
    lp_model *m = X ? lp_trainer_model(self, args) : NULL;
    if (!m || with_timestamps(Xt, m, X)) return NULL;
    lp_value *a = lp_value_copy(args), *fv = a ? lp_value_frame(*Xt) : NULL;
    if (!fv || lp_map_set(a, "frame", fv)) {
        lp_value_unref(a);
        lp_frame_unref(*Xt);
        return NULL;
    }
    return a;
}

static lp_value *forecast_predict(lp_obj *self, lp_value *args)
{
    lp_frame *Xt = NULL;
    lp_value *a = args_with_timestamps(self, args, &Xt);
    if (!a) return NULL;
    lp_value *r = lp_trainer_predict(self, a);
    lp_value_unref(a);
    lp_frame_unref(Xt);
    return r;
}

/* The width asked for, else the model's interval_width, else 0.8. */
static double interval_width(const lp_value *args, const lp_model *m)
{
    const lp_value *w = lp_kit_arg_opt(args, "width");
    if (w) return lp_value_as_float(w);
    const lp_value *p = lp_map_get(lp_model_params(m), "interval_width");
    return p ? lp_value_as_float(p) : 0.8;
}

static lp_value *forecast_predict_interval(lp_obj *self, lp_value *args)
{
    lp_frame *Xt = NULL, *Xf = NULL, *out = NULL;
    lp_value *a = args_with_timestamps(self, args, &Xt);
    if (!a) return NULL;
    lp_model *m = lp_trainer_model(self, a);
    const lp_value *w = lp_kit_arg_opt(args, "width");
    int rc = 0;
    if (w && lp_value_type(w) != LP_INT && lp_value_type(w) != LP_FLOAT)
        rc = lp_error_set(LP_EINVAL, CLS ".predict_interval: width must be a number, got %s",
                          lp_vtype_name(lp_value_type(w)));
    if (rc == 0) rc = lp_trainer_features(&Xf, self, m, Xt);
    if (rc == 0) rc = lp_model_predict_interval(&out, m, Xf, interval_width(args, m));
    lp_frame_unref(Xf);
    lp_frame_unref(Xt);
    lp_value_unref(a);
    return rc ? NULL : lp_kit_frame(out);
}

/* ---- components ---------------------------------------------------------------------- */

/* The component names model a has, in display order: trend, its
 * seasonalities, holidays, extra_regressors. */
static size_t component_names(const lp_additive *a, const char *names[6])
{
    static const char *const seasonal[] = {"yearly", "weekly", "daily"};
    size_t n = 0;
    names[n++] = "trend";
    for (size_t s = 0; s < 3; s++)
        for (size_t j = 0; j < a->n_cols; j++)
            if (a->cols[j].kind == LP_ADD_SEASONAL && strcmp(a->cols[j].group, seasonal[s]) == 0) {
                names[n++] = seasonal[s];
                break;
            }
    bool hol = false, reg = false;
    for (size_t j = 0; j < a->n_cols; j++) {
        hol = hol || a->cols[j].kind == LP_ADD_HOLIDAY;
        reg = reg || a->cols[j].kind == LP_ADD_REGRESSOR;
    }
    if (hol) names[n++] = "holidays";
    if (reg) names[n++] = "extra_regressors";
    return n;
}

/* One float64 column per component of m for the rows of X (prepared). */
static int components_frame(lp_frame **out, const lp_model *m, const lp_frame *X)
{
    const lp_additive *a = lp_model_state(m);
    const char *names[6];
    size_t nc = component_names(a, names), rows = lp_frame_rows(X);
    double *mat = NULL;
    int rc = lp_model_matrix(&mat, m, X);
    lp_frame *f = rc == 0 ? lp_frame_new() : NULL;
    if (rc == 0 && !f) rc = LP_ENOMEM;
    for (size_t k = 0; rc == 0 && k < nc; k++) {
        lp_column *c = lp_column_new(LP_DT_FLOAT64, rows);
        if (!c) {
            rc = LP_ENOMEM;
            break;
        }
        rc = lp_additive_component(a, mat, rows, lp_model_n_features(m), names[k], c->data.f64);
        if (rc == 0)
            rc = lp_frame_add_column(f, names[k], c);
        else
            lp_column_unref(c);
    }
    free(mat);
    if (rc) {
        lp_frame_unref(f);
        return rc;
    }
    *out = f;
    return 0;
}

static lp_value *forecast_predict_components(lp_obj *self, lp_value *args)
{
    lp_frame *Xt = NULL, *Xf = NULL, *out = NULL;
    lp_value *a = args_with_timestamps(self, args, &Xt);
    if (!a) return NULL;
    lp_model *m = lp_trainer_model(self, a);
    int rc = 0;
    if (strcmp(lp_model_backend(m), lp_additive_ops.name) != 0)
        rc = lp_error_set(LP_EINVAL,
                          CLS ".predict_components: the model is a %s model, not an additive one",
                          lp_model_backend(m));
    if (rc == 0) rc = lp_trainer_features(&Xf, self, m, Xt);
    if (rc == 0) rc = components_frame(&out, m, Xf);
    lp_frame_unref(Xf);
    lp_frame_unref(Xt);
    lp_value_unref(a);
    return rc ? NULL : lp_kit_frame(out);
}

/* ---- configuration ------------------------------------------------------------------- */

static lp_value *forecast_check_config(lp_obj *self, lp_value *args)
{
    lp_value *problems = lp_trainer_check_config(self, &forecast_backend);
    lp_value *params = NULL;
    if (!problems || lp_list_len(problems) > 0) return problems;
    /* names and values are right: check the rules between them too */
    lp_additive_cfg cfg;
    int rc = lp_trainer_params(&params, self, NULL);
    if (rc == 0 && lp_additive_cfg_read(&cfg, params) != 0) {
        lp_error_set(LP_ECONFIG, CLS " (%s): training_params: %s", lp_trainer_path(self),
                     lp_error_last()->message);
        rc = lp_kit_check_add_error(problems);
    }
    lp_value_unref(params);
    if (rc == LP_ENOMEM) {
        lp_value_unref(problems);
        return NULL;
    }
    return problems;
}

static lp_value *forecast_check_trial_params(lp_obj *self, lp_value *args)
{
    return lp_trainer_check_params(self, &forecast_backend, args);
}

static int forecast_init(lp_obj *self)
{
    return lp_trainer_init(self, &forecast_backend);
}

static const lp_method forecast_methods[] = {
    {"fit", lp_trainer_fit,
     "fit(splits, params?) -> model: fits the additive model to y_train over X_train's time "
     "index (other features: extra regressors); params overrides training_params key by key"},
    {"predict", forecast_predict,
     "predict(frame, model?) -> predictions: one column `prediction`, the forecast at each row's "
     "time (and regressors)"},
    {"predict_interval", forecast_predict_interval,
     "predict_interval(frame, model?, width?) -> predictions: columns prediction, lower, upper; "
     "the central interval of probability width (default: the model's interval_width, 0.8) "
     "from simulated trend changes and noise"},
    {"predict_components", forecast_predict_components,
     "predict_components(frame, model?) -> components: one column per component of the "
     "forecast in the target's units: trend, then those the model has of yearly, weekly, daily, "
     "holidays, extra_regressors (multiplicative ones as factors of the trend)"},
    {"predict_proba", lp_trainer_predict_proba,
     "predict_proba(frame, model?) -> probabilities: an error (a forecaster has no classes)"},
    {"calculate_metrics", lp_trainer_calculate_metrics,
     "calculate_metrics(splits, predictions, metrics, model?) -> metrics: map split -> metric "
     "name -> value for every split in predictions"},
    {"prefit", forecast_prefit,
     "prefit(series, params?, retrain?) -> null: computes on threads the fits that training "
     "each series of a file will ask for (fit on splits.X_train, the folds of cross_validate "
     "on history with params, the refit on every split when retrain), ready for those calls "
     "(TimeSeriesRunner with series_id)"},
    {"cross_validate", forecast_cross_validate,
     "cross_validate(frame, params?, training_params?) -> cv: rolling-origin cross-validation "
     "on the history frame (time index, model_target, regressors): params {cv_initial, "
     "cv_period, cv_horizon} (default: config keys of those names, then forecast_period / the "
     "season); {folds, horizon, initial, period, season, mean_mase, mean_smape, mae, rmse, "
     "mase, smape} with one value per horizon step"},
    {"save", lp_trainer_save, "save(path, model?) -> null: writes the model file atomically"},
    {"load", lp_trainer_load, "load(path) -> null: the saved model becomes the trainer's model"},
    {LP_TRAINER_CHECK_PARAMS, forecast_check_trial_params,
     "check_params(params) -> problems: the names and values of training parameters a tuner's "
     "trials will pass to fit, before anything runs"},
    {LP_METHOD_CHECK_CONFIG, forecast_check_config,
     "check_config() -> problems: problem_type, the training_params names and values, before "
     "anything runs"},
    {NULL, NULL, NULL},
};

static const lp_config_key forecast_keys[] = {
    {"training_params", "map",
     "Prophet's names: growth (linear | logistic), cap, floor, n_changepoints (25), "
     "changepoint_range (0.8), changepoint_prior_scale (0.05), yearly_seasonality / "
     "weekly_seasonality / daily_seasonality (auto | true | false | Fourier order), "
     "seasonality_mode (additive | multiplicative), seasonality_prior_scale (10), holidays "
     "(list of {holiday, dates, lower_window, upper_window, prior_scale}), holidays_prior_scale "
     "(10; also the regressors'), interval_width (0.8), uncertainty_samples (1000), seed (0)"},
    {"time_index", "string",
     "the feature holding the time (timestamp, or ISO dates as text); unset: the only "
     "timestamp feature"},
    {"cv_initial", "int",
     "cross_validate: values before the first origin (default max(3 x cv_horizon, 2 seasons))"},
    {"cv_period", "int", "cross_validate: values between origins (default cv_horizon)"},
    {"cv_horizon", "int",
     "cross_validate: steps forecast from each origin (default forecast_period, else the season)"},
    LP_TRAINER_PROBLEM_TYPE_KEY,
    {NULL, NULL, NULL},
};

const lp_class lp_forecast_model_trainer_class = {
    .name = CLS,
    .kind = LP_KIND_COMPONENT,
    .type = "model_trainer",
    .doc = "An additive forecaster in the spirit of Prophet: piecewise-linear trend with "
           "automatic changepoints (or logistic growth to a cap), yearly/weekly/daily Fourier "
           "seasonalities chosen by the data's span and spacing, holidays and extra regressors "
           "(every feature but the time index), additive or multiplicative, fitted by MAP with "
           "Prophet's priors (L-BFGS, NLopt). predict_interval simulates future trend changes "
           "and noise (fixed seed: the same intervals every time).",
    .defaults_yaml = NULL,
    .requirements = lp_no_requirements,
    .config_keys = forecast_keys,
    .methods = forecast_methods,
    .state_size = sizeof(lp_trainer_state),
    .init = forecast_init,
    .fini = lp_trainer_fini,
};
