/*
 * tuner_common.c — the trial loop and configuration the hyperparameter tuners
 * share (tuner.h).
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "components/hyperparameter_tuner/tuner.h"
#include "lolpop/metrics.h"
#include "lolpop/progress.h"
#include "lolpop/registry.h"
#include "lolpop/workflow.h"

static const char *path_of(lp_obj *self)
{
    const char *p = lp_obj_path(self);
    return p && *p ? p : lp_obj_name(self);
}

/* ---- configuration ----------------------------------------------------------------------- */

int lp_tuner_config_count(lp_obj *self, const char *key, int64_t dflt, int64_t min, int64_t *out)
{
    lp_value *v = lp_obj_config(self, key);
    int rc = 0;
    *out = dflt;
    if (v && (lp_value_type(v) != LP_INT || lp_value_as_int(v) < min))
        rc = lp_kit_error_at(LP_ECONFIG, v, "%s (%s): %s must be an integer >= %" PRId64,
                             lp_obj_class(self)->name, path_of(self), key, min);
    else if (v)
        *out = lp_value_as_int(v);
    lp_value_unref(v);
    return rc;
}

/* The names of the registered model_trainer classes (malloc'ed array of
 * borrowed names), for "did you mean" on a misspelt class. */
static const char **trainer_classes(lp_obj *self, size_t *n)
{
    const lp_registry *reg = lp_workflow_registry(lp_obj_workflow(self));
    size_t total = reg ? lp_registry_class_count(reg) : 0, k = 0;
    const char **names = malloc((total ? total : 1) * sizeof *names);
    for (size_t i = 0; names && i < total; i++) {
        const lp_class *c = lp_registry_class_at(reg, i);
        if (c->type && strcmp(c->type, "model_trainer") == 0) names[k++] = c->name;
    }
    *n = k;
    return names;
}

static const lp_origin *class_key_origin(const lp_value *tp, const char *cls)
{
    for (size_t i = 0; i < lp_map_len(tp); i++)
        if (strcmp(lp_map_key(tp, i), cls) == 0) return lp_map_key_origin(tp, i);
    return NULL;
}

/* A trainer instance for every class of the search space. */
static int find_trainers(lp_obj *self, lp_tuner *st, const lp_value *tp)
{
    st->trainers = calloc(st->spaces->n ? st->spaces->n : 1, sizeof *st->trainers);
    if (!st->trainers) return lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t i = 0; i < st->spaces->n; i++) {
        const char *cls = st->spaces->spaces[i].trainer;
        if ((st->trainers[i] = lp_experiment_find_trainer(self, cls))) continue;
        return lp_kit_error_at_origin(
            LP_ECONFIG, class_key_origin(tp, cls),
            "%s (%s): training_params has parameters for %s but no %s is configured for this "
            "tuner; add it under the tuner's component: (model_trainer: %s) or, when that slot "
            "holds another trainer, under an enclosing section's",
            lp_obj_class(self)->name, path_of(self), cls, cls, cls);
    }
    return 0;
}

int lp_tuner_init(lp_obj *self)
{
    lp_tuner *st = lp_obj_state(self);
    const lp_value *tp = lp_map_get(lp_map_get(lp_obj_section(self), "config"), "training_params");
    char *section = lp_asprintf("%s.training_params", path_of(self));
    size_t n_known = 0;
    const char **known = trainer_classes(self, &n_known);
    int rc = section && known ? 0 : lp_error_set(LP_ENOMEM, "out of memory");
    if (rc == 0) rc = lp_tuning_spaces_parse(&st->spaces, tp, section, known, n_known);
    if (rc == 0) rc = find_trainers(self, st, tp);
    lp_value *names = NULL, *perf = NULL;
    bool maximize;
    if (rc == 0) rc = lp_experiment_metrics(self, &names, &perf, &maximize);
    lp_value_unref(names);
    lp_value_unref(perf);
    free(section);
    free(known);
    if (rc) lp_tuner_fini(self); /* a failed init gets no fini */
    return rc;
}

void lp_tuner_fini(lp_obj *self)
{
    lp_tuner *st = lp_obj_state(self);
    lp_tuning_spaces_free(st->spaces);
    free(st->trainers);
    st->spaces = NULL;
    st->trainers = NULL;
}

/* ---- the trial loop ------------------------------------------------------------------------ */

static lp_obj *trainer_for(const lp_tuner *st, const char *cls)
{
    for (size_t i = 0; cls && i < st->spaces->n; i++)
        if (strcmp(st->spaces->spaces[i].trainer, cls) == 0) return st->trainers[i];
    return NULL;
}

typedef struct loop {
    lp_obj *self;
    const lp_tuner_search *s;
    lp_value *splits, *model_version;
    const lp_metric_info *perf;
    lp_experiment best;
    size_t best_trial; /* 1-based; 0 = none yet */
    size_t failed;
    char *last_failure; /* "trial 3 (Class): message" */
    char *last_message; /* the message alone, to compare trials' failures */
    bool repeated;      /* the last failure's message equals the one before */
    int last_code;
} loop;

/* "trial 3/12 XGBoostModelTrainer f1=0.8123 (best 0.8240)" on a terminal and at INFO. */
static void progress(loop *l, size_t i, const char *cls, const lp_experiment *e)
{
    char line[512];
    if (!e)
        snprintf(line, sizeof line, "trial %zu/%zu %s failed: %s", i + 1, l->s->n_trials, cls,
                 lp_error_last()->message ? lp_error_last()->message : "unknown error");
    else
        snprintf(line, sizeof line, "trial %zu/%zu %s %s=%.4f (best %.4f)%s", i + 1, l->s->n_trials,
                 cls, l->perf->name, e->score, l->best_trial ? l->best.score : NAN,
                 e->pruned ? " pruned" : "");
    if (isatty(STDERR_FILENO)) fprintf(stderr, "%s\n", line);
    lp_log(l->self, e ? LP_LOG_INFO : LP_LOG_WARN, "%s", line);
}

static void note_failure(loop *l, size_t i, const char *cls)
{
    const char *msg = lp_error_last()->message ? lp_error_last()->message : "?";
    l->failed++;
    l->last_code = lp_error_last()->code ? lp_error_last()->code : LP_ERROR;
    l->repeated = l->last_message && strcmp(l->last_message, msg) == 0;
    free(l->last_failure);
    free(l->last_message);
    l->last_failure = lp_asprintf("trial %zu (%s): %s", i + 1, cls ? cls : "?", msg);
    l->last_message = lp_strdup(msg);
    progress(l, i, cls ? cls : "?", NULL);
}

/* A failure that does not depend on the parameters fails every trial alike,
 * so the search stops instead of repeating it (issue 11, Fix 6): before any
 * trial succeeded, a file or OS error (LP_EIO) stops it at once, and the
 * same message from the first two trials (whose parameters differ) stops it
 * after the second. Later trials keep going: an earlier one worked, so the
 * parameters do matter. */
static int stop_if_not_parameter_related(loop *l, size_t i)
{
    if (l->best_trial || i + 1 >= l->s->n_trials ||
        !(l->last_code == LP_EIO || (l->failed == 2 && l->repeated)))
        return 0;
    return lp_error_set(l->last_code,
                        "%s (%s): stopped after trial %zu of %zu: %s%s; this failure does not "
                        "depend on the parameters, so the other trials would fail alike",
                        lp_obj_class(l->self)->name, path_of(l->self), i + 1, l->s->n_trials,
                        l->last_failure ? l->last_failure : "?",
                        l->repeated ? " (the same in the first two trials)" : "");
}

/* One trial: an experiment; the best so far is kept in l->best. Returns an
 * error only for what stops the whole search (a sampler or memory failure, a
 * configuration error). */
static int run_trial(loop *l, size_t i)
{
    lp_tuner *st = lp_obj_state(l->self);
    lp_value *trial = NULL;
    int rc = l->s->next(l->s->ud, i, &trial);
    if (rc) return rc;
    const char *cls = lp_value_as_string(lp_map_get(trial, "trainer"));
    lp_obj *trainer = trainer_for(st, cls);
    lp_experiment e = {0};
    rc = trainer ? lp_experiment_run_gated(&e, l->self, trainer, l->splits, l->model_version,
                                           lp_map_get(trial, "params"), l->s->gate, l->s->ud)
                 : lp_error_set(LP_ERROR, "no trainer for trial class '%s'", cls ? cls : "?");
    /* Out of memory, or a configuration mistake (a misspelt parameter name
     * fails every trial alike): stop the search instead of repeating it. */
    if (rc == LP_ENOMEM || rc == LP_ECONFIG) {
        lp_value_unref(trial);
        return rc;
    }
    if (rc) note_failure(l, i, cls);
    if (rc && stop_if_not_parameter_related(l, i)) {
        lp_value_unref(trial);
        return l->last_code;
    }
    double score = rc ? NAN : e.has_score ? e.score : NAN;
    int rec = l->s->record ? l->s->record(l->s->ud, trial, score) : 0;
    if (rc == 0) {
        bool better =
            !e.pruned && (!l->best_trial || lp_metric_better(l->perf, e.score, l->best.score));
        if (better) {
            lp_experiment_clear(&l->best);
            l->best = e;
            l->best_trial = i + 1;
        }
        progress(l, i, cls, better ? &l->best : &e);
        if (!better) lp_experiment_clear(&e);
    }
    lp_value_unref(trial);
    return rec;
}

/* The winner: tagged, logged, its model returned (new reference). */
static lp_value *finish(loop *l)
{
    if (!l->best_trial) {
        lp_error_set(l->last_code ? l->last_code : LP_EWORKFLOW,
                     "%s (%s): all %zu trials failed; the last, %s", lp_obj_class(l->self)->name,
                     path_of(l->self), l->s->n_trials, l->last_failure ? l->last_failure : "?");
        return NULL;
    }
    if (lp_experiment_mark_winner(l->self, l->best.resource)) return NULL;
    char *params = lp_value_to_string(l->best.params);
    lp_log(l->self, LP_LOG_INFO, "best: trial %zu/%zu %s=%.6g with %s (%zu failed)", l->best_trial,
           l->s->n_trials, l->perf->name, l->best.score, params ? params : "?", l->failed);
    free(params);
    return lp_value_ref(l->best.model);
}

lp_value *lp_tuner_run(lp_obj *self, lp_value *args, const lp_tuner_search *s)
{
    loop l = {.self = self, .s = s};
    l.splits = lp_map_get(args, "splits");
    l.model_version = lp_map_get(args, "model_version");
    if (lp_value_type(l.splits) != LP_MAP) {
        lp_error_set(LP_EINVAL, "argument 'splits' must be a map of X_/y_ frames, got %s",
                     l.splits ? lp_vtype_name(lp_value_type(l.splits)) : "nothing");
        return NULL;
    }
    lp_value *names = NULL, *perf = NULL;
    bool maximize;
    int rc = lp_experiment_metrics(self, &names, &perf, &maximize);
    if (rc == 0) rc = lp_metric_lookup(&l.perf, lp_value_as_string(perf));
    lp_progress_task task;
    lp_progress_begin(&task, "tuning trials", "trials", s->n_trials);
    for (size_t i = 0; rc == 0 && i < s->n_trials; i++) {
        rc = run_trial(&l, i);
        lp_progress_update(&task, i + 1);
    }
    lp_progress_end(&task);
    lp_value *result = rc == 0 ? finish(&l) : NULL;
    lp_experiment_clear(&l.best);
    free(l.last_failure);
    free(l.last_message);
    lp_value_unref(names);
    lp_value_unref(perf);
    return result;
}
