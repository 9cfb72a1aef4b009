/*
 * additive_fit.h — between the training files of the additive model
 * (additive_params.c, additive_design.c, additive_fit.c). Private.
 */
#ifndef LP_ML_ADDITIVE_FIT_H
#define LP_ML_ADDITIVE_FIT_H

#include "ml/additive.h"

/* The training parameters, checked (see additive.h for their meaning). */
typedef struct lp_additive_cfg {
    bool logistic, mult;
    double cap, floor; /* cap NaN when unset */
    size_t n_changepoints;
    double changepoint_range, cp_prior;
    int yearly, weekly, daily; /* Fourier order, -1 = auto */
    double seas_prior, hol_prior;
    const lp_value *holidays; /* borrowed from params; NULL when none */
    double interval_width;
    int64_t samples;
    uint64_t seed;
} lp_additive_cfg;

/* Reads params (NULL: defaults). LP_ECONFIG naming the parameter. */
int lp_additive_cfg_read(lp_additive_cfg *c, const lp_value *params);
/* One parameter's value on its own, as lp_additive_cfg_read reads it (rules
 * between parameters are cfg_read's). 0 or LP_ECONFIG naming it. */
int lp_additive_param_check(const char *name, const lp_value *value);

/* Checks holidays[i]: LP_ECONFIG naming what is wrong. */
int lp_additive_holiday_check(const lp_value *h, size_t i);

/* v as short text for messages (thread-local buffer, valid until the next call). */
const char *lp_additive_show(const lp_value *v);

/* The history, sorted by time (what the fit sees). */
typedef struct lp_additive_data {
    size_t n, nf; /* rows, model features */
    double *ds;   /* seconds since the epoch */
    double *y;    /* target */
    double *X;    /* n x nf: the model matrix rows (time and regressors) */
} lp_additive_data;

/* Appends the design-matrix columns (seasonalities chosen by the data's span
 * and spacing, holidays, regressors: all features but time_feature) to a.
 * 0 or an error naming the parameter. */
int lp_additive_design(lp_additive *a, const lp_additive_cfg *c, const lp_additive_data *d,
                       const char *const *feature_names);

/* MAP fit of a's trend and betas on d (a's columns, scales and changepoints
 * set). 0 or an error saying why the optimiser failed. */
int lp_additive_optimize(lp_additive *a, const lp_additive_cfg *c, const lp_additive_data *d);

#endif
