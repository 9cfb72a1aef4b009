/*
 * ets_train.h — training an "ets" model from frames (internal; the
 * ETSModelTrainer's train).
 */
#ifndef LP_ML_ETS_TRAIN_H
#define LP_ML_ETS_TRAIN_H

#include <stddef.h>
#include <stdint.h>

#include "data/time_freq.h"
#include "lolpop/frame.h"
#include "lolpop/model.h"
#include "lolpop/value.h"

/* What a training found, for the trainer's log. */
typedef struct lp_ets_train_report {
    char model[32];           /* "ETS(M,Ad,M)" */
    lp_freq_unit freq;        /* given or inferred */
    size_t n_periods;         /* periods from the first to the last stamp */
    size_t n_missing_periods; /* periods without a row */
    int64_t first_missing;    /* the first of them (us) */
    size_t n_used;            /* the longest run without gaps, which is fitted */
} lp_ets_train_report;

/* training_params the "ets" trainer accepts (NULL-terminated, static). */
extern const char *const lp_ets_param_names[];
/* One training parameter's value as lp_ets_train will take it: model a text
 * lp_ets_parse reads, forecast_frequency an alias lp_freq_parse reads,
 * seasonal_period an integer in [1, 1000]. 0 or LP_EINVAL saying why. */
int lp_ets_param_check(const char *name, const lp_value *value);

/* Fits ETS to y (one numeric column) over the timestamp feature of X (other
 * features are ignored: ETS has no regressors). params (borrowed map): model
 * ("ZZZ" default, or "ANN", "MAdM", ...), forecast_frequency (alias; inferred
 * when absent), seasonal_period (default: lp_freq_season). *out: new model of
 * back-end "ets" with one feature, the time stamp. */
int lp_ets_train(lp_model **out, lp_ets_train_report *report, const lp_frame *X, const lp_frame *y,
                 const lp_value *params);

#endif
