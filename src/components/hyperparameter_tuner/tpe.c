/*
 * tpe.c — TPEHyperparameterTuner: Bayesian search with the tree-structured
 * Parzen estimator (lolpop/tuning.h), pruning hopeless trials.
 *
 *   hyperparameter_tuner:
 *     component: {model_trainer: XGBoostModelTrainer}
 *     config:
 *       n_trials: 30
 *       training_params:
 *         XGBoostModelTrainer:
 *           eta: {low: 0.01, high: 0.3, log: true}
 *           max_depth: {low: 2, high: 8}
 *
 * The first n_startup_trials are random; then each trial is drawn where the
 * better quarter of the finished trials is denser than the rest. Pruning
 * (median rule) happens after a trial's fit, on its final validation score:
 * the trainers give no per-round scores through their contract, so a trial
 * cannot be stopped mid-training. A pruned trial (worse than the median of
 * the finished ones, after 5 of them) keeps its metrics and tag `pruned` but
 * its model is not stored and it cannot win.
 */
#include <math.h>
#include <stdlib.h>

#include "components/hyperparameter_tuner/tuner.h"
#include "lolpop/metrics.h"

typedef struct tpe_run {
    const lp_tuning_spaces *spaces;
    lp_tuning_history *history;
    lp_tuning_rng rng;
    lp_tpe_options opts;
    bool pruning;
} tpe_run;

static int tpe_init(lp_obj *self)
{
    lp_tuner *st = lp_obj_state(self);
    lp_tpe_options d;
    lp_tpe_options_default(&d);
    int64_t n = 0, seed = 0, startup = 0;
    int rc = lp_tuner_config_count(self, "n_trials", 30, 1, &n);
    if (rc == 0) rc = lp_tuner_config_count(self, "seed", 0, 0, &seed);
    if (rc == 0)
        rc = lp_tuner_config_count(self, "n_startup_trials", (int64_t)d.n_startup, 0, &startup);
    if (rc) return rc;
    st->n_trials = (size_t)n;
    st->seed = (uint64_t)seed;
    st->n_startup = (size_t)startup;
    st->pruning = lp_obj_config_bool(self, "pruning", true);
    return lp_tuner_init(self);
}

static int tpe_next(void *ud, size_t i, lp_value **trial)
{
    tpe_run *r = ud;
    (void)i;
    return lp_tuning_sample_tpe(trial, r->spaces, r->history, &r->rng, &r->opts);
}

static int tpe_record(void *ud, const lp_value *trial, double score)
{
    tpe_run *r = ud;
    return lp_tuning_history_add(r->history, trial, score, isnan(score) ? NULL : &score,
                                 isnan(score) ? 0 : 1);
}

/* The median rule on the final validation score (step 0 of every curve). */
static bool tpe_gate(void *ud, const lp_experiment *e)
{
    tpe_run *r = ud;
    return r->pruning && lp_tuning_should_prune(r->history, 0, e->has_score ? e->score : NAN);
}

/* run_experiment(splits, model_version) -> model: the best trial's model. */
static lp_value *tpe_run_experiment(lp_obj *self, lp_value *args)
{
    lp_tuner *st = lp_obj_state(self);
    lp_value *names = NULL, *perf = NULL;
    bool maximize = false;
    if (lp_experiment_metrics(self, &names, &perf, &maximize)) return NULL;
    lp_value_unref(names);
    lp_value_unref(perf);
    tpe_run r = {.spaces = st->spaces, .pruning = st->pruning};
    if (!(r.history = lp_tuning_history_new(maximize))) return NULL;
    lp_tuning_rng_seed(&r.rng, st->seed);
    lp_tpe_options_default(&r.opts);
    r.opts.n_startup = st->n_startup;
    lp_tuner_search s = {.n_trials = st->n_trials,
                         .next = tpe_next,
                         .record = tpe_record,
                         .gate = tpe_gate,
                         .ud = &r};
    lp_value *best = lp_tuner_run(self, args, &s);
    lp_tuning_history_free(r.history);
    return best;
}

static const lp_method tpe_methods[] = {
    {"run_experiment", tpe_run_experiment,
     "run_experiment(splits, model_version) -> model: runs n_trials experiments chosen by TPE "
     "and returns the model of the best validation perf_metric (tagged winner)"},
    LP_TUNER_TAKE_WINNER_PREDICTIONS_METHOD,
    {LP_METHOD_CHECK_CONFIG, lp_tuner_check_config,
     "check_config() -> problems: a warning for each trainer training_params key that every "
     "trial overrides"},
    {NULL, NULL, NULL},
};

static const lp_config_key tpe_keys[] = {
    {"training_params", "map",
     "trainer class -> parameters: a scalar is fixed, a list is a set of choices, {low, high, "
     "log, type, step} a range; every class needs a trainer under the tuner's component: (or "
     "the visible model_trainer)"},
    {"n_trials", "int", "number of trials (default 30)"},
    {"seed", "int",
     "seed of the sampler (default 0): the same seed and scores give the same trials"},
    {"n_startup_trials", "int", "random trials before TPE takes over (default 10)"},
    {"pruning", "bool",
     "prune trials whose validation score is worse than the median of the finished ones "
     "(after 5; judged on the final score; default true)"},
    {"metrics", "list", "metrics computed for every split (default by problem_type)"},
    {"perf_metric", "string", "the metric that is optimised on the validation split"},
    {"problem_type", "string", "classification or regression (usually from the runner)"},
    {NULL, NULL, NULL},
};

static const char *const tpe_requirements[] = {"config.training_params", NULL};

const lp_class lp_tpe_hyperparameter_tuner_class = {
    .name = "TPEHyperparameterTuner",
    .kind = LP_KIND_COMPONENT,
    .type = "hyperparameter_tuner",
    .doc = "Bayesian search (tree-structured Parzen estimator, as Optuna's) over "
           "training_params keyed by trainer class. Every trial is an experiment; the best "
           "validation perf_metric wins and is tagged winner. Trials clearly worse than the "
           "median of the finished ones are pruned after their fit (on the final validation "
           "score: trainers expose no per-round scores), which skips storing their model. A "
           "failing trial is logged and skipped. Reproducible for a seed.",
    .defaults_yaml = NULL,
    .requirements = tpe_requirements,
    .config_keys = tpe_keys,
    .methods = tpe_methods,
    .state_size = sizeof(lp_tuner),
    .init = tpe_init,
    .fini = lp_tuner_fini,
};
