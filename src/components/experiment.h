/*
 * experiment.h — one training experiment, as the hyperparameter tuners and the
 * OfflineTrain pipeline both run it (experiment.c; internal to liblolpop).
 *
 * An experiment (docs/ml-workflow.md) is: a new `experiment` resource under the
 * model version (through the metadata_tracker visible from `caller`), tags
 * `trainer` and `params`, the trainer's fit(splits, params), predictions of every
 * split present (X_train, X_valid, X_test: "prediction" plus the class
 * probabilities), the trainer's calculate_metrics over them, metrics logged with
 * the visible metrics_tracker (when there is one), and the model versioned with
 * the visible resource_version_control (when there is one) and registered with
 * register_vc_resource(experiment, vc_info, "model").
 *
 * Metric names come from config `metrics` (a list or one name) and the deciding
 * one from `perf_metric`, looked up from `caller`; the defaults depend on
 * config `problem_type` (docs/ml-workflow.md). perf_metric must be one of
 * metrics (LP_ECONFIG naming both, with the config origin).
 *
 * The tag `params` (and lp_experiment.params) is what the fit used: the
 * trainer's own training_params with `params` set over them key by key.
 * Predictions of a model without probabilities (a linear SVM) carry labels
 * only; metrics that need probabilities are then left out with a warning, as
 * is any metric that cannot be computed on a split (rocauc on a split with
 * one class).
 *
 * Ownership: results are new references owned by the lp_experiment struct,
 * released by lp_experiment_clear.
 */
#ifndef LP_COMPONENTS_EXPERIMENT_H
#define LP_COMPONENTS_EXPERIMENT_H

#include <stdbool.h>

#include "components/components_internal.h"

typedef struct lp_experiment {
    lp_value *resource; /* the experiment resource map (or NULL without a tracker) */
    lp_value *model;    /* the fitted model value */
    lp_value *metrics;  /* map split ("train", "valid", "test") -> metric name -> float */
    lp_value *params;   /* the parameters used (map) */
    double score;       /* perf_metric on the validation split (train when there is none) */
    bool has_score;     /* false when the metric could not be computed */
    bool pruned;        /* the gate of lp_experiment_run_gated stopped it */
} lp_experiment;

/* Asked after the metrics are known, before the model is versioned: true
 * prunes the experiment (tag `pruned`, no model stored; it cannot win). */
typedef bool (*lp_experiment_gate)(void *ud, const lp_experiment *e);

/* The metric names and the deciding metric for `caller` (config metrics,
 * perf_metric, problem_type), checked: *names a new list, *perf a new string
 * value, *maximize the metric's direction. 0 or LP_ECONFIG. */
int lp_experiment_metrics(lp_obj *caller, lp_value **names, lp_value **perf, bool *maximize);

/* Runs one experiment of `trainer` with `params` (a map, or NULL for the
 * trainer's own training_params) on `splits` under `model_version` (a resource
 * map, or NULL to skip tracking). Fills *out (zero it first). 0 or an error
 * code with the last error set; *out is cleared on failure. */
int lp_experiment_run(lp_experiment *out, lp_obj *caller, lp_obj *trainer, lp_value *splits,
                      lp_value *model_version, lp_value *params);

/* lp_experiment_run with a pruning gate (NULL: never prune). */
int lp_experiment_run_gated(lp_experiment *out, lp_obj *caller, lp_obj *trainer, lp_value *splits,
                            lp_value *model_version, lp_value *params, lp_experiment_gate gate,
                            void *ud);

/* Tags `experiment` as the winner (clearing the tag on its siblings). */
int lp_experiment_mark_winner(lp_obj *caller, lp_value *experiment);

/* The model_trainer of class `cls` for `caller`: its own child of type
 * model_trainer first, then those of its enclosing sections, nearest first
 * (so a trainer hidden by a nearer one of another class is still found:
 * a slot holds one trainer, competing trainers sit at different levels).
 * NULL when none (no error set). */
lp_obj *lp_experiment_find_trainer(lp_obj *caller, const char *cls);

void lp_experiment_clear(lp_experiment *e);

#endif
