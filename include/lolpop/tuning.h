/*
 * tuning.h — hyperparameter search spaces and samplers (grid, random, TPE)
 * plus a median pruner, for the hyperparameter tuner components.
 *
 * A search space comes from configuration, keyed by trainer class so that
 * several trainers compete:
 *
 *   training_params:
 *     XGBoostModelTrainer:
 *       objective: reg:squarederror          # scalar: fixed
 *       max_depth: [3, 5, 7]                 # list: choices
 *       eta: {low: 0.01, high: 0.3, log: true}
 *       n_estimators: {low: 50, high: 200, type: int, step: 50}
 *     LinearModelTrainer:
 *       C: [0.1, 1.0]
 *
 * A range map has keys low, high (numbers, low < high), and optionally
 * log (bool; needs low > 0), type (int|float; int when low and high are both
 * integers), step (> 0; not with log). Mistakes are LP_ECONFIG errors located
 * at file:line:col of the offending value and naming the section path.
 * A list is always a set of choices (a fixed list-valued parameter would be
 * written as a one-element list of lists).
 *
 * A trial is a map {trainer: "<class>", params: {name: value, ...}}; params
 * keep the configuration's key order. Range ints are LP_INT, floats LP_FLOAT,
 * fixed values and choices are copies of the configured values.
 *
 * Randomness comes only from lp_tuning_rng (xoshiro256** seeded through
 * splitmix64): the same seed gives the same trials on every platform that has
 * IEEE doubles and the same libm.
 *
 * Ownership: lp_tuning_spaces and lp_tuning_history are owned by the caller
 * and freed with their _free functions; every lp_value ** out-parameter
 * receives a new reference. Structures are read-only to callers.
 */
#ifndef LOLPOP_TUNING_H
#define LOLPOP_TUNING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lolpop/value.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Largest grid lp_tuning_grid builds when the caller passes cap 0. */
#define LP_TUNING_GRID_CAP 100000

typedef enum lp_tuning_kind {
    LP_TUNING_FIXED,  /* one value */
    LP_TUNING_CHOICE, /* one of a list */
    LP_TUNING_RANGE   /* numeric range */
} lp_tuning_kind;

typedef struct lp_tuning_param {
    char *name;
    lp_tuning_kind kind;
    lp_value *value; /* the configured value (fixed value, choice list or range map); owned */
    /* LP_TUNING_RANGE only: */
    double low, high;
    double step; /* 0 when continuous */
    bool log, is_int;
} lp_tuning_param;

typedef struct lp_tuning_space {
    char *trainer; /* trainer class name */
    size_t n_params;
    lp_tuning_param *params;
} lp_tuning_space;

typedef struct lp_tuning_spaces {
    size_t n;
    lp_tuning_space *spaces; /* in configuration order */
} lp_tuning_spaces;

/* Parses `training_params` (borrowed), a map trainer class → parameter map.
 * `section` names it in messages ("tune.training_params"; NULL for
 * "training_params"). When `known_trainers` is given, an unknown class is an
 * error with a "did you mean" suggestion. On success *out is a new set. */
int lp_tuning_spaces_parse(lp_tuning_spaces **out, const lp_value *training_params,
                           const char *section, const char *const *known_trainers, size_t n_known);
void lp_tuning_spaces_free(lp_tuning_spaces *s);

/* ---- randomness ---- */
typedef struct lp_tuning_rng {
    uint64_t s[4];
} lp_tuning_rng;
void lp_tuning_rng_seed(lp_tuning_rng *r, uint64_t seed);
uint64_t lp_tuning_rng_next(lp_tuning_rng *r);
double lp_tuning_rng_uniform(lp_tuning_rng *r);             /* [0, 1) */
uint64_t lp_tuning_rng_below(lp_tuning_rng *r, uint64_t n); /* [0, n), unbiased; n > 0 */
double lp_tuning_rng_normal(lp_tuning_rng *r);              /* standard normal */

/* ---- model-free samplers ---- */

/* Number of grid points of one space; LP_ECONFIG (located) when a range has
 * no step. Saturates at SIZE_MAX. */
int lp_tuning_grid_count(size_t *out, const lp_tuning_space *space);
/* Every combination, as a list of trials: spaces in order, and within a
 * space keys in configuration order with the LAST key varying fastest
 * (itertools.product order), values in list order, range steps ascending.
 * More than `cap` trials (0 = LP_TUNING_GRID_CAP) is LP_ECONFIG. */
int lp_tuning_grid(lp_value **out, const lp_tuning_spaces *s, size_t cap);

/* One value drawn uniformly: choices uniformly, ints uniformly inclusive of
 * both ends (log ints: log-uniform on [low-0.5, high+0.5], rounded), floats
 * uniform on [low, high) or log-uniform, steps uniformly among the grid. */
int lp_tuning_param_sample(lp_value **out, const lp_tuning_param *p, lp_tuning_rng *r);
/* One trial: a trainer uniformly, then each of its parameters. */
int lp_tuning_sample_random(lp_value **out, const lp_tuning_spaces *s, lp_tuning_rng *r);
/* `n` random trials seeded with `seed` (a list). */
int lp_tuning_random(lp_value **out, const lp_tuning_spaces *s, size_t n, uint64_t seed);

/* ---- history, TPE and pruning ---- */

typedef struct lp_tuning_record {
    lp_value *trial; /* owned reference */
    double score;    /* NaN for a failed or pruned trial */
    double *curve;   /* intermediate validation scores by step (owned) */
    size_t n_curve;
} lp_tuning_record;

typedef struct lp_tuning_history {
    bool maximize; /* direction of score and curve values */
    size_t n, cap;
    lp_tuning_record *records;
    /* median pruner settings (defaults 5 and 0): no pruning before this many
     * completed trials reached the step, nor before this step */
    size_t prune_startup_trials, prune_warmup_steps;
} lp_tuning_history;

/* New empty history (NULL on OOM, last error set). */
lp_tuning_history *lp_tuning_history_new(bool maximize);
void lp_tuning_history_free(lp_tuning_history *h);
/* Records a finished trial: `trial` is borrowed (a reference is taken),
 * `curve` (may be NULL) is copied. score NaN marks a failed/pruned trial. */
int lp_tuning_history_add(lp_tuning_history *h, const lp_value *trial, double score,
                          const double *curve, size_t n_curve);

/* Median pruner: true when `value` at `step` is worse (strictly, in the
 * history's direction) than the median of the completed trials' curve values
 * at the same step. Never prunes before prune_warmup_steps, nor with fewer
 * than prune_startup_trials completed trials that reached `step`, nor a NaN
 * median; a NaN `value` is always pruned once pruning is active. */
bool lp_tuning_should_prune(const lp_tuning_history *h, size_t step, double value);

typedef struct lp_tpe_options {
    size_t n_startup;       /* random trials before TPE starts (10) */
    double gamma;           /* fraction of observations that are "good" (0.25) */
    size_t n_ei_candidates; /* candidates drawn from l(x) per parameter (24) */
    double prior_weight;    /* weight of the flat prior component (1.0) */
} lp_tpe_options;
void lp_tpe_options_default(lp_tpe_options *o);

/* One trial suggested by the tree-structured Parzen estimator from the
 * completed trials of `h` (opts NULL = defaults); random until n_startup
 * trials are complete. Deterministic for a given rng state and history. */
int lp_tuning_sample_tpe(lp_value **out, const lp_tuning_spaces *s, const lp_tuning_history *h,
                         lp_tuning_rng *r, const lp_tpe_options *opts);

#ifdef __cplusplus
}
#endif
#endif
