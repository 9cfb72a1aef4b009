/*
 * trainer_cv.h — cross_validate(frame, params, training_params?) of the
 * forecasting trainers (ETSModelTrainer, ForecastModelTrainer): rolling-origin
 * cross-validation (ml/forecast_cv.h) of the trainer's own model on a
 * history frame, each fold fitted with the trainer's training_params.
 *
 * The frame holds the time index, the target (config model_target) and any
 * regressors, one row per time stamp (sorted here by time); it may also be
 * the splits map, whose X_train and y_train are used. Fold origins count
 * rows. params: {cv_initial, cv_period, cv_horizon}, each defaulting to the
 * config key of the same name (looked up from the trainer, so a top-level
 * key applies), then horizon = forecast_period or the season length, period
 * = horizon, initial = max(3 x horizon, 2 x season) but at most rows -
 * horizon. The season length: training_params seasonal_period, else that of
 * forecast_frequency (training_params, then config), else of the frequency
 * inferred from the time index, else 1.
 */
#ifndef LP_COMPONENTS_MODEL_TRAINER_CV_H
#define LP_COMPONENTS_MODEL_TRAINER_CV_H

#include "lolpop/frame.h"
#include "lolpop/model.h"
#include "lolpop/object.h"
#include "lolpop/value.h"

/* Fits one fold: X (time index and regressors) and y (the target column)
 * are the rows before the origin, params the resolved training params,
 * time_index the trainer's config time_index or NULL (all borrowed). *out:
 * new model whose predict forecasts later rows. Folds run in parallel
 * (ml/ml_parallel.h): it must be thread-safe, so it gets no trainer object
 * (whose config and state are the calling thread's). */
typedef int (*lp_trainer_cv_fit)(lp_model **out, const char *time_index, const lp_frame *X,
                                 const lp_frame *y, const lp_value *params);

/* The method cross_validate of a forecasting trainer named cls whose folds
 * fit with fit. args borrowed; returns a new map {folds, horizon, initial,
 * period, season, mean_mase, mean_smape, mae, rmse, mase, smape (lists per
 * horizon step)}, or NULL with the error set (LP_ECONFIG for cv_* values,
 * LP_EINVAL for the data; messages start with cls and the trainer's path). */
lp_value *lp_trainer_cross_validate(lp_obj *self, lp_value *args, const char *cls,
                                    lp_trainer_cv_fit fit);

/* The method prefit(series, params?, retrain?) of a forecasting trainer:
 * computes, on threads (ml/ml_parallel.h), the fits that training each
 * series will ask for — fit with the trainer's training_params on each
 * series' splits.X_train, the folds of cross_validate(history, params) when
 * the series has a history frame, those of cross_validate(splits) (the
 * model visualizer's) when split_cv is true, and the refit on every split
 * together when retrain — so that the calling thread's fit memo
 * (ml/fit_memo.h, in filling mode) holds them. series: a list of {splits,
 * history?, split_cv?}. Fits that
 * fail are left to the later calls (which report them). Returns null, or
 * NULL with the error set for malformed arguments. */
lp_value *lp_trainer_prefit(lp_obj *self, lp_value *args, lp_trainer_cv_fit fit);

#endif
