/*
 * ets.c — ETSModelTrainer: exponential smoothing (ETS) forecasters with the
 * "ets" back-end (src/ml/ets*.c), fitted and selected as R's forecast::ets.
 *
 *   model_trainer:
 *     type: ETSModelTrainer
 *     config:
 *       training_params: {model: ZZZ, forecast_frequency: MS}
 *
 * The time index is a timestamp feature; the target is the series. Other
 * features are ignored (ETS has no regressors).
 */
#include <stdlib.h>

#include "components/model_trainer/trainer.h"
#include "components/model_trainer/trainer_cv.h"
#include "ml/ets_backend.h"
#include "ml/ets_train.h"

static int ets_train(lp_model **out, lp_obj *self, lp_trainer_data *d, const lp_value *params)
{
    lp_ets_train_report rep;
    int rc = lp_ets_train(out, &rep, d->X_train, d->y_train, params);
    if (rc) {
        lp_error_prefix("ETSModelTrainer (%s)", lp_trainer_path(self));
        return rc;
    }
    if (rep.n_missing_periods) {
        char when[40];
        lp_log(self, LP_LOG_WARN,
               "%zu of %zu periods (frequency %s) have no value, the first %s; fitting the "
               "longest run without gaps (%zu values)",
               rep.n_missing_periods, rep.n_periods, lp_freq_name(rep.freq),
               lp_freq_format(rep.first_missing, when), rep.n_used);
    }
    lp_log(self, LP_LOG_INFO, "%s on %zu values (frequency %s)", rep.model, rep.n_used,
           lp_freq_name(rep.freq));
    return 0;
}

/* One cross-validation fold: lp_ets_train without the per-fit log. */
static int ets_cv_fit(lp_model **out, const char *time_index, const lp_frame *X, const lp_frame *y,
                      const lp_value *params)
{
    (void)time_index;
    lp_ets_train_report rep;
    return lp_ets_train(out, &rep, X, y, params);
}

static lp_value *ets_cross_validate(lp_obj *self, lp_value *args)
{
    return lp_trainer_cross_validate(self, args, "ETSModelTrainer", ets_cv_fit);
}

/* predict_components(frame, model?): the model's states at the frame's
 * rows (level, slope, season), for the components plot. */
static lp_value *ets_predict_components(lp_obj *self, lp_value *args)
{
    lp_frame *X = lp_kit_arg_frame(args, "frame", NULL);
    lp_model *m = X ? lp_trainer_model(self, args) : NULL;
    if (!m) return NULL;
    lp_frame *Xf = NULL, *out = NULL;
    double *mat = NULL;
    int rc = lp_trainer_features(&Xf, self, m, X);
    if (rc == 0) rc = lp_model_matrix(&mat, m, Xf);
    if (rc == 0) rc = lp_ets_model_states(&out, m, mat, lp_frame_rows(Xf));
    free(mat);
    if (Xf) lp_frame_unref(Xf);
    if (rc) {
        lp_error_prefix("ETSModelTrainer (%s).predict_components", lp_trainer_path(self));
        return NULL;
    }
    return lp_kit_frame(out);
}

static lp_value *ets_prefit(lp_obj *self, lp_value *args)
{
    return lp_trainer_prefit(self, args, ets_cv_fit);
}

static const lp_trainer_backend ets_backend;

/* check_config's and check_params' look at the values. */
static int ets_check_params(lp_obj *self, const lp_value *params, lp_problem problem)
{
    (void)problem;
    return lp_trainer_check_each_param(self, &ets_backend, params, lp_ets_param_check);
}

static const lp_trainer_backend ets_backend = {
    .size = sizeof(lp_trainer_backend),
    .cls = "ETSModelTrainer",
    .library = "ets",
    .param_names = lp_ets_param_names,
    .resolve = NULL,
    .train = ets_train,
    .check_params = ets_check_params,
};

static lp_value *ets_check_config(lp_obj *self, lp_value *args)
{
    return lp_trainer_check_config(self, &ets_backend);
}

static lp_value *ets_check_trial_params(lp_obj *self, lp_value *args)
{
    return lp_trainer_check_params(self, &ets_backend, args);
}

static int ets_init(lp_obj *self)
{
    return lp_trainer_init(self, &ets_backend);
}

static const lp_method ets_methods[] = {
    {"fit", lp_trainer_fit,
     "fit(splits, params?) -> model: fits ETS to y_train over the time stamp feature of "
     "X_train; params overrides training_params key by key"},
    {"predict", lp_trainer_predict,
     "predict(frame, model?) -> predictions: one column `prediction`: forecasts for time stamps "
     "after the training data, fitted values inside it"},
    {"predict_components", ets_predict_components,
     "predict_components(frame, model?) -> states: columns level, slope (with a trend) and "
     "season (with a season), the model's states after the observation at each row's time "
     "stamp (NaN outside the training span), as R's autoplot of an ets fit draws them"},
    {"predict_proba", lp_trainer_predict_proba,
     "predict_proba(frame, model?) -> error: a forecaster has no class probabilities"},
    {"calculate_metrics", lp_trainer_calculate_metrics,
     "calculate_metrics(splits, predictions, metrics, model?) -> metrics: map split -> metric "
     "name -> value for every split in predictions"},
    {"prefit", ets_prefit,
     "prefit(series, params?, retrain?) -> null: computes on threads the fits that training "
     "each series of a file will ask for (fit on splits.X_train, the folds of cross_validate "
     "on history with params, the refit on every split when retrain), ready for those calls "
     "(TimeSeriesRunner with series_id)"},
    {"cross_validate", ets_cross_validate,
     "cross_validate(frame, params?, training_params?) -> cv: rolling-origin cross-validation "
     "on the history frame (time index + model_target): params {cv_initial, cv_period, "
     "cv_horizon} (default: config keys of those names, then forecast_period / the season); "
     "{folds, horizon, initial, period, season, mean_mase, mean_smape, mae, rmse, mase, smape} "
     "with one value per horizon step"},
    {"save", lp_trainer_save, "save(path, model?) -> null: writes the model file atomically"},
    {"load", lp_trainer_load, "load(path) -> null: the saved model becomes the trainer's model"},
    {LP_TRAINER_CHECK_PARAMS, ets_check_trial_params,
     "check_params(params) -> problems: the names and values of training parameters a tuner's "
     "trials will pass to fit, before anything runs"},
    {LP_METHOD_CHECK_CONFIG, ets_check_config,
     "check_config() -> problems: the training_params names and values, before anything runs"},
    {NULL, NULL, NULL},
};

static const lp_config_key ets_keys[] = {
    {"training_params", "map",
     "model (ZZZ: choose by AICc, default; or three letters error A/M, trend N/A/Ad, season "
     "N/A/M such as ANN, AAdN, MAM, with Z for 'choose' in any place), forecast_frequency (S, "
     "T/min, H, D, B, W, MS, M, QS, Q, YS, Y, or a count of them such as 15min, 2H, 6MS; "
     "inferred from the time index when absent), seasonal_period (default: 60 for S and min, "
     "24 for H, 7 for D, 5 for B, 52 for W, 12 for months, 4 for quarters, 1 for years, divided "
     "by the count when it divides evenly (15min: 4, 2H: 12, 6MS: 2), else 1; seasonal ETS "
     "models need it at most 24)"},
    {"cv_initial", "int",
     "cross_validate: values before the first origin (default max(3 x cv_horizon, 2 seasons))"},
    {"cv_period", "int", "cross_validate: values between origins (default cv_horizon)"},
    {"cv_horizon", "int",
     "cross_validate: steps forecast from each origin (default forecast_period, else the season)"},
    LP_TRAINER_PROBLEM_TYPE_KEY,
    {NULL, NULL, NULL},
};

const lp_class lp_ets_model_trainer_class = {
    .name = "ETSModelTrainer",
    .kind = LP_KIND_COMPONENT,
    .type = "model_trainer",
    .doc = "Exponential smoothing state-space forecasters (ETS: additive or multiplicative "
           "error, none/additive/damped trend, none/additive/multiplicative season), fitted by "
           "maximum likelihood and chosen by AICc as R's forecast::ets, with prediction "
           "intervals (lp_model_predict_interval). The time index is a timestamp feature on a "
           "regular grid (gaps allowed: the longest run without them is fitted); predictions "
           "for later time stamps are forecasts that many periods ahead.",
    .defaults_yaml = NULL,
    .requirements = lp_no_requirements,
    .config_keys = ets_keys,
    .methods = ets_methods,
    .state_size = sizeof(lp_trainer_state),
    .init = ets_init,
    .fini = lp_trainer_fini,
};
