/*
 * tuner.h — what LocalHyperparameterTuner and TPEHyperparameterTuner share
 * (tuner_common.c; internal to liblolpop): the search space from
 * `training_params` keyed by trainer class, the trainer of each class, and
 * the trial loop — every trial an experiment (the kit, include/lolpop/kit.h), the
 * best validation perf_metric the winner, progress one line per trial.
 *
 * Ownership: the state owns the parsed spaces and the trainer table (the
 * trainers themselves are borrowed from the workflow); lp_tuner_fini frees.
 */
#ifndef LP_COMPONENTS_HYPERPARAMETER_TUNER_H
#define LP_COMPONENTS_HYPERPARAMETER_TUNER_H

#include <stdbool.h>
#include <stdint.h>

#include "components/components_internal.h"
#include "lolpop/tuning.h"
#include "lolpop/types/hyperparameter_tuner.h"

typedef struct lp_tuner {
    lp_tuning_spaces *spaces;
    lp_obj **trainers; /* trainers[i] runs spaces->spaces[i] */
    bool grid;         /* Local: grid (default) or random */
    size_t n_trials;   /* Local random (20), TPE (30) */
    size_t max_trials; /* Local grid: 0 = every combination */
    uint64_t seed;
    size_t n_startup; /* TPE: random trials before the model starts */
    bool pruning;     /* TPE */
    /* Local: score trials by rolling-origin cross-validation (the trainers'
     * cross_validate, mean MASE, lower is better) instead of the validation
     * perf_metric; cv_params {cv_initial, cv_period, cv_horizon} as set. */
    bool cv;
    lp_value *cv_params;
    /* The last run_experiment's winner, until take_winner_predictions hands its
     * predictions over (or the next run, or fini): its model and splits (held, so their
     * pointers identify them) and its experiment's predictions (held; NULL: none). */
    lp_value *won_model, *won_splits, *won_predictions;
} lp_tuner;

/* How one search proposes trials and learns from them. */
typedef struct lp_tuner_search {
    size_t n_trials;
    /* Trial i ({trainer, params}; *trial a new reference). */
    int (*next)(void *ud, size_t i, lp_value **trial);
    /* The outcome of a trial: its score, NaN when it failed. May be NULL. */
    int (*record)(void *ud, const lp_value *trial, double score);
    lp_experiment_gate gate; /* NULL: no pruning */
    void *ud;
} lp_tuner_search;

/* Reads training_params (this tuner's own config), finds a trainer for every
 * class and checks metrics/perf_metric. LP_ECONFIG, located, on a mistake. */
int lp_tuner_init(lp_obj *self);
/* check_config of both tuners (LP_METHOD_CHECK_CONFIG): a warning for each
 * trainer training_params key a trial always overrides. New list or NULL. */
lp_value *lp_tuner_check_config(lp_obj *self, lp_value *args);
void lp_tuner_fini(lp_obj *self);

/* A non-negative integer config key (dflt when unset); `min` is the least
 * value allowed. LP_ECONFIG, located, otherwise. */
int lp_tuner_config_count(lp_obj *self, const char *key, int64_t dflt, int64_t min, int64_t *out);

/* Turns on cross-validation scoring (st->cv) when config cv_initial,
 * cv_period or cv_horizon is set (here or in an enclosing section) and every
 * trainer has cross_validate; with one that has not, WARNs and keeps the
 * validation metric. LP_ECONFIG, located, for a value that is not an integer
 * >= 1. */
int lp_tuner_cv_init(lp_obj *self);

/* take_winner_predictions(splits, model) -> map split -> frame, or null: the winning
 * trial's predictions (lp_experiment_run_predicting) when model is the model the last
 * run_experiment returned and splits hold the same X_train / X_valid / X_test frames; the
 * tuner lets go of them either way (only the first analysis needs them, and they would
 * otherwise stay in memory through the predict pipeline). Both tuners' method. */
lp_value *lp_tuner_take_winner_predictions(lp_obj *self, lp_value *args);
/* The method table entry of lp_tuner_take_winner_predictions. */
/* (kept as written: clang-format splits the doc string of a braced macro word by word) */
/* clang-format off */
#define LP_TUNER_TAKE_WINNER_PREDICTIONS_METHOD                                                    \
    {LP_HYPERPARAMETER_TUNER_TAKE_WINNER_PREDICTIONS, lp_tuner_take_winner_predictions,            \
     "take_winner_predictions(splits, model) -> map split -> predictions frame, or null: the "     \
     "winning trial's predictions of the last run_experiment when model and split frames are "     \
     "the ones it ran on (handed over once)"}
/* clang-format on */
/* run_experiment(splits, model_version) -> model with the trials of s. */
lp_value *lp_tuner_run(lp_obj *self, lp_value *args, const lp_tuner_search *s);

#endif
