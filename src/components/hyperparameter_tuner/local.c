/*
 * local.c — LocalHyperparameterTuner: grid or random search over the
 * training parameters of one or more trainers.
 *
 *   hyperparameter_tuner:
 *     component: {model_trainer: XGBoostModelTrainer}
 *     config:
 *       search: grid                 # or random (n_trials, seed)
 *       training_params:
 *         XGBoostModelTrainer: {max_depth: [3, 5], eta: [0.1, 0.3]}
 *
 * With cv_initial / cv_period / cv_horizon set (in the tuner's config or
 * inherited from the top level) and forecasting trainers (cross_validate),
 * each trial is scored by rolling-origin cross-validation on X_train/y_train
 * (mean MASE, lower wins), so ETSModelTrainer and ForecastModelTrainer
 * compete for a series in one config.
 *
 * Grid trials follow itertools.product order (the last key varies fastest),
 * trainers in configuration order; random trials come from a seeded,
 * platform-independent generator (lolpop/tuning.h).
 */
#include <stdlib.h>
#include <string.h>

#include "components/hyperparameter_tuner/tuner.h"

static int local_init(lp_obj *self)
{
    lp_tuner *st = lp_obj_state(self);
    lp_value *search = lp_obj_config(self, "search");
    const char *s = lp_value_as_string(search);
    int rc = 0;
    st->grid = true;
    if (s && lp_streq_nocase(s, "random"))
        st->grid = false;
    else if (search && !(s && lp_streq_nocase(s, "grid")))
        rc = lp_kit_error_at(LP_ECONFIG, search,
                             "LocalHyperparameterTuner (%s): search must be grid or random, "
                             "not '%s'",
                             lp_obj_path(self), s ? s : lp_vtype_name(lp_value_type(search)));
    lp_value_unref(search);
    int64_t n = 0, max = 0, seed = 0;
    if (rc == 0) rc = lp_tuner_config_count(self, "n_trials", 20, 1, &n);
    if (rc == 0) rc = lp_tuner_config_count(self, "max_trials", 0, 1, &max);
    if (rc == 0) rc = lp_tuner_config_count(self, "seed", 0, 0, &seed);
    if (rc) return rc;
    st->n_trials = (size_t)n;
    st->max_trials = (size_t)max;
    st->seed = (uint64_t)seed;
    if ((rc = lp_tuner_init(self))) return rc;
    rc = lp_tuner_cv_init(self);
    for (size_t i = 0; st->grid && rc == 0 && i < st->spaces->n; i++) {
        size_t count; /* a range without a step has no grid: say so now */
        rc = lp_tuning_grid_count(&count, &st->spaces->spaces[i]);
    }
    if (rc) lp_tuner_fini(self);
    return rc;
}

static int list_next(void *ud, size_t i, lp_value **trial)
{
    *trial = lp_value_ref(lp_list_get(ud, i));
    return 0;
}

/* run_experiment(splits, model_version) -> model: the best trial's model. */
static lp_value *local_run(lp_obj *self, lp_value *args)
{
    lp_tuner *st = lp_obj_state(self);
    lp_value *trials = NULL;
    int rc = st->grid ? lp_tuning_grid(&trials, st->spaces, 0)
                      : lp_tuning_random(&trials, st->spaces, st->n_trials, st->seed);
    if (rc) return NULL;
    size_t n = lp_list_len(trials);
    if (st->grid && st->max_trials && n > st->max_trials) {
        lp_log(self, LP_LOG_INFO, "grid of %zu combinations: running the first %zu (max_trials)", n,
               st->max_trials);
        n = st->max_trials;
    }
    lp_tuner_search s = {.n_trials = n, .next = list_next, .ud = trials};
    lp_value *best = lp_tuner_run(self, args, &s);
    lp_value_unref(trials);
    return best;
}

static const lp_method local_methods[] = {
    {"run_experiment", local_run,
     "run_experiment(splits, model_version) -> model: runs every trial as an experiment and "
     "returns the model of the best validation perf_metric, or of the lowest cross-validated "
     "MASE with cv_* set (tagged winner)"},
    LP_TUNER_TAKE_WINNER_PREDICTIONS_METHOD,
    {LP_METHOD_CHECK_CONFIG, lp_tuner_check_config,
     "check_config() -> problems: a warning for each trainer training_params key that every "
     "trial overrides"},
    {NULL, NULL, NULL},
};

static const lp_config_key local_keys[] = {
    {"training_params", "map",
     "trainer class -> parameters: a scalar is fixed, a list is a set of choices, {low, high, "
     "step | log, type} a range (grid needs step); every class needs a trainer under the "
     "tuner's component: (or the visible model_trainer)"},
    {"search", "string", "grid (default; every combination) or random"},
    {"max_trials", "int", "grid: run at most this many combinations (the first ones); default all"},
    {"n_trials", "int", "random: number of trials (default 20)"},
    {"seed", "int", "random: seed of the sampler (default 0)"},
    {"metrics", "list", "metrics computed for every split (default by problem_type)"},
    {"perf_metric", "string", "the metric that picks the winner on the validation split"},
    {"cv_initial", "int",
     "with forecasting trainers: score trials by rolling-origin cross-validation on the training "
     "split (mean MASE) instead of perf_metric; values before the first origin"},
    {"cv_period", "int", "cross-validation: values between origins"},
    {"cv_horizon", "int", "cross-validation: steps forecast from each origin"},
    {"problem_type", "string", "classification or regression (usually from the runner)"},
    {NULL, NULL, NULL},
};

static const char *const local_requirements[] = {"config.training_params", NULL};

const lp_class lp_local_hyperparameter_tuner_class = {
    .name = "LocalHyperparameterTuner",
    .kind = LP_KIND_COMPONENT,
    .type = "hyperparameter_tuner",
    .doc = "Grid or random search over training_params keyed by trainer class, so several "
           "trainers can compete. Every trial is an experiment (parameters, metrics on each "
           "split, model artifact); the trial with the best validation perf_metric (in the "
           "metric's direction) wins and is tagged winner; with cv_initial/cv_period/cv_horizon "
           "set and forecasting trainers, the lowest rolling-origin cross-validated MASE on the "
           "training split wins instead (per-horizon CV metrics tagged on each experiment). A "
           "failing trial is logged and skipped. Progress: one line per trial.",
    .defaults_yaml = NULL,
    .requirements = local_requirements,
    .config_keys = local_keys,
    .methods = local_methods,
    .state_size = sizeof(lp_tuner),
    .init = local_init,
    .fini = lp_tuner_fini,
};
