/*
 * tuner_common.c — the trial loop and configuration the hyperparameter tuners
 * share (tuner.h).
 */
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "components/hyperparameter_tuner/tuner.h"
#include "lolpop/metrics.h"
#include "lolpop/progress.h"
#include "lolpop/registry.h"
#include "lolpop/trainer_kit.h"
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

/* Where key is written in map (NULL when it is not). */
static const lp_origin *key_origin(const lp_value *map, const char *key)
{
    for (size_t i = 0; i < lp_map_len(map); i++)
        if (strcmp(lp_map_key(map, i), key) == 0) return lp_map_key_origin(map, i);
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
            LP_ECONFIG, key_origin(tp, cls),
            "%s (%s): training_params has parameters for %s but no %s is configured for this "
            "tuner; add it under the tuner's component: (model_trainer: %s) or, when that slot "
            "holds another trainer, under an enclosing section's",
            lp_obj_class(self)->name, path_of(self), cls, cls, cls);
    }
    return 0;
}

/* Warns about each training_params key of trainer that space (the tuner's
 * map for that trainer's class) also sets: every trial overrides it, so the
 * trainer's value is never used. */
static int check_shadowed(lp_value *problems, lp_obj *self, lp_obj *trainer, const lp_value *space)
{
    const lp_value *own =
        lp_map_get(lp_map_get(lp_obj_section(trainer), "config"), "training_params");
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < lp_map_len(own); i++) {
        const char *k = lp_map_key(own, i);
        const lp_value *tuned = lp_map_get(space, k);
        if (!tuned) continue;
        char *at = lp_origin_format(lp_value_origin(tuned));
        rc = lp_kit_check_add(problems, LP_SEV_WARNING, lp_map_value(own, i),
                              "%s (%s): training_params: '%s' is never used: every trial of %s "
                              "(%s) sets it%s%s; remove one of the two",
                              lp_obj_class(trainer)->name, lp_obj_path(trainer), k,
                              lp_obj_class(self)->name, path_of(self), at && *at ? " at " : "",
                              at ? at : "");
        free(at);
    }
    return rc;
}

/* Whether problems[from..] has a problem with p's message. */
static bool reported_since(const lp_value *problems, size_t from, const lp_value *p)
{
    const char *msg = lp_value_as_string(lp_map_get(p, "message"));
    for (size_t i = from; msg && i < lp_list_len(problems); i++) {
        const char *seen = lp_value_as_string(lp_map_get(lp_list_get(problems, i), "message"));
        if (seen && strcmp(seen, msg) == 0) return true;
    }
    return false;
}

/* Appends the problems of one check_params call with {name: value}, the
 * name reported at name_at; one already in problems[from..] (an unknown
 * name, found again with each of its values) is not repeated. */
static int check_one_value(lp_value *problems, size_t from, lp_obj *trainer, const lp_method *m,
                           const char *name, const lp_origin *name_at, const lp_value *value)
{
    lp_value *params = lp_value_map(), *args = lp_value_map();
    /* the maps only read value: the reference taken here is dropped with them */
    int rc = params && args ? 0 : LP_ENOMEM;
    if (rc == 0)
        rc = lp_map_set_with_origin(params, name, name_at,
                                    lp_value_ref((lp_value *)(uintptr_t)value));
    if (rc == 0) rc = lp_map_set(args, "params", lp_value_ref(params));
    lp_value *found = rc == 0 ? m->fn(trainer, args) : NULL;
    if (rc == 0 && !found) rc = lp_kit_check_add_error(problems);
    for (size_t i = 0; rc == 0 && i < lp_list_len(found); i++)
        if (!reported_since(problems, from, lp_list_get(found, i)))
            rc = lp_list_append(problems, lp_value_ref(lp_list_get(found, i)));
    lp_value_unref(found);
    lp_value_unref(params);
    lp_value_unref(args);
    return rc;
}

/* Every value a trial can pass to trainer's fit for p (a fixed value, each
 * choice, a range's ends), through the trainer's check_params m. */
static int check_param_values(lp_value *problems, lp_obj *trainer, const lp_method *m,
                              const lp_tuning_param *p, const lp_origin *name_at)
{
    size_t from = lp_list_len(problems);
    if (p->kind == LP_TUNING_FIXED)
        return check_one_value(problems, from, trainer, m, p->name, name_at, p->value);
    int rc = 0;
    if (p->kind == LP_TUNING_CHOICE)
        for (size_t i = 0; rc == 0 && i < lp_list_len(p->value); i++)
            rc = check_one_value(problems, from, trainer, m, p->name, name_at,
                                 lp_list_get(p->value, i));
    else
        for (size_t k = 0; rc == 0 && k < 2; k++)
            rc = check_one_value(problems, from, trainer, m, p->name, name_at,
                                 lp_map_get(p->value, k == 0 ? "low" : "high"));
    return rc;
}

/* The values of one space (space_map: its configuration) through the
 * trainer's check_params; a plugin trainer without one is not checked. The
 * method is called directly, as validation calls check_config: the trainer
 * is not initialised and the call has no effects to record. */
static int check_trial_values(lp_value *problems, lp_obj *trainer, const lp_tuning_space *space,
                              const lp_value *space_map)
{
    const lp_method *m = lp_class_method(lp_obj_class(trainer), LP_TRAINER_CHECK_PARAMS);
    int rc = 0;
    for (size_t i = 0; m && m->fn && rc == 0 && i < space->n_params; i++)
        rc = check_param_values(problems, trainer, m, &space->params[i],
                                key_origin(space_map, space->params[i].name));
    return rc;
}

/* The search space parsed as init will parse it; its mistakes as a problem. */
static int check_spaces(lp_value *problems, lp_obj *self, const lp_value *tp)
{
    char *section = lp_asprintf("%s.training_params", path_of(self));
    size_t n_known = 0;
    const char **known = trainer_classes(self, &n_known);
    lp_tuning_spaces *spaces = NULL;
    int rc = section && known ? 0 : LP_ENOMEM;
    if (rc == 0 && lp_tuning_spaces_parse(&spaces, tp, section, known, n_known))
        rc = lp_kit_check_add_error(problems);
    for (size_t i = 0; rc == 0 && spaces && i < spaces->n; i++) {
        lp_obj *trainer = lp_experiment_find_trainer(self, spaces->spaces[i].trainer);
        if (trainer)
            rc = check_trial_values(problems, trainer, &spaces->spaces[i],
                                    lp_map_get(tp, spaces->spaces[i].trainer));
    }
    lp_tuning_spaces_free(spaces);
    free(section);
    free(known);
    return rc;
}

lp_value *lp_tuner_check_config(lp_obj *self, lp_value *args)
{
    (void)args;
    lp_value *problems = lp_value_list();
    const lp_value *tp = lp_map_get(lp_map_get(lp_obj_section(self), "config"), "training_params");
    int rc = problems ? 0 : LP_ENOMEM;
    for (size_t i = 0; rc == 0 && i < lp_map_len(tp); i++) {
        lp_obj *trainer = lp_experiment_find_trainer(self, lp_map_key(tp, i));
        if (trainer && lp_value_type(lp_map_value(tp, i)) == LP_MAP)
            rc = check_shadowed(problems, self, trainer, lp_map_value(tp, i));
    }
    if (rc == 0 && tp) rc = check_spaces(problems, self, tp);
    if (rc == 0) return problems;
    lp_value_unref(problems);
    return NULL;
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

/* Lets go of the last winner's model, splits and predictions. */
static void forget_winner(lp_tuner *st)
{
    lp_value_unref(st->won_model);
    lp_value_unref(st->won_splits);
    lp_value_unref(st->won_predictions);
    st->won_model = st->won_splits = st->won_predictions = NULL;
}

void lp_tuner_fini(lp_obj *self)
{
    lp_tuner *st = lp_obj_state(self);
    forget_winner(st);
    lp_tuning_spaces_free(st->spaces);
    free(st->trainers);
    lp_value_unref(st->cv_params);
    st->spaces = NULL;
    st->trainers = NULL;
    st->cv_params = NULL;
    st->cv = false;
}

/* ---- cross-validation scoring ---------------------------------------------------------------- */

static const char *const cv_keys[] = {"cv_initial", "cv_period", "cv_horizon"};

int lp_tuner_cv_init(lp_obj *self)
{
    lp_tuner *st = lp_obj_state(self);
    lp_value *p = lp_value_map();
    if (!p) return lp_error_set(LP_ENOMEM, "out of memory");
    int rc = 0;
    for (size_t k = 0; rc == 0 && k < 3; k++) {
        lp_value *v = lp_obj_config(self, cv_keys[k]);
        if (v && (lp_value_type(v) != LP_INT || lp_value_as_int(v) < 1))
            rc = lp_kit_error_at(LP_ECONFIG, v, "%s (%s): %s must be an integer >= 1",
                                 lp_obj_class(self)->name, path_of(self), cv_keys[k]);
        else if (v)
            rc = lp_map_set(p, cv_keys[k], lp_value_ref(v));
        lp_value_unref(v);
    }
    const char *without = NULL;
    for (size_t i = 0; rc == 0 && i < st->spaces->n; i++)
        if (!lp_obj_has_method(st->trainers[i], "cross_validate"))
            without = lp_obj_class(st->trainers[i])->name;
    if (rc || lp_map_len(p) == 0 || without) {
        if (rc == 0 && without && lp_map_len(p) > 0)
            lp_log(self, LP_LOG_WARN,
                   "cv_* is set but %s has no cross_validate: trials are scored by the "
                   "validation perf_metric",
                   without);
        lp_value_unref(p);
        return rc;
    }
    st->cv = true;
    st->cv_params = p;
    return 0;
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
    bool cv;              /* score: cross-validated mean MASE, lower is better */
    double *class_best;   /* cv: the best score of each trainer class (NaN: none) */
    lp_value *best_cv;    /* cv: the winner's cross_validate result */
    const char *best_cls; /* the winner's trainer class (borrowed from the spaces) */
    lp_experiment best;
    lp_value *best_predictions; /* the best trial's predictions (held), or NULL */
    size_t best_trial;          /* 1-based; 0 = none yet */
    size_t failed;
    char *last_failure; /* "trial 3 (Class): message" */
    char *last_message; /* the message alone, to compare trials' failures */
    bool repeated;      /* the last failure's message equals the one before */
    int last_code;
} loop;

static const char *score_name(const loop *l)
{
    return l->cv ? "cv_mase" : l->perf->name;
}

static bool score_better(const loop *l, double a, double b)
{
    return l->cv ? a < b : lp_metric_better(l->perf, a, b);
}

/* "trial 3/12 XGBoostModelTrainer f1=0.8123 (best 0.8240)" on a terminal and at INFO. */
static void progress(loop *l, size_t i, const char *cls, const lp_experiment *e)
{
    char line[512];
    if (!e)
        snprintf(line, sizeof line, "trial %zu/%zu %s failed: %s", i + 1, l->s->n_trials, cls,
                 lp_error_last()->message ? lp_error_last()->message : "unknown error");
    else
        snprintf(line, sizeof line, "trial %zu/%zu %s %s=%.4f (best %.4f)%s", i + 1, l->s->n_trials,
                 cls, score_name(l), e->score, l->best_trial ? l->best.score : NAN,
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

/* The gate of a cross-validated trial: the CV means join the experiment's
 * metrics as split "cv" (so the metrics_tracker logs them with the rest),
 * then the search's own gate decides. */
typedef struct cv_gate_ctx {
    const lp_value *cv;
    lp_experiment_gate inner;
    void *inner_ud;
} cv_gate_ctx;

static double mean_of(const lp_value *list)
{
    double s = 0.0;
    size_t n = lp_list_len(list);
    for (size_t i = 0; i < n; i++)
        s += lp_value_as_float(lp_list_get(list, i));
    return n ? s / (double)n : NAN;
}

static bool cv_gate(void *ud, const lp_experiment *e)
{
    cv_gate_ctx *g = ud;
    lp_value *m = lp_value_map();
    if (m) {
        lp_map_set(m, "mase", lp_value_float(lp_value_as_float(lp_map_get(g->cv, "mean_mase"))));
        lp_map_set(m, "smape", lp_value_float(lp_value_as_float(lp_map_get(g->cv, "mean_smape"))));
        lp_map_set(m, "mae", lp_value_float(mean_of(lp_map_get(g->cv, "mae"))));
        lp_map_set(m, "rmse", lp_value_float(mean_of(lp_map_get(g->cv, "rmse"))));
        if (lp_value_type(e->metrics) == LP_MAP)
            lp_map_set(e->metrics, "cv", m);
        else
            lp_value_unref(m);
    }
    return g->inner && g->inner(g->inner_ud, e);
}

/* trainer.cross_validate on the training split with the trial's params:
 * *cv a new map, or NULL with the error set. */
static lp_value *cross_validate(loop *l, lp_obj *trainer, lp_value *params)
{
    lp_tuner *st = lp_obj_state(l->self);
    return lp_call_with(trainer, "cross_validate", "frame", lp_value_ref(l->splits), "params",
                        lp_value_ref(st->cv_params), "training_params",
                        params ? lp_value_ref(params) : lp_value_null(), (const char *)NULL);
}

/* The experiment of one trial; with cv, scored by cross_validate first. */
static int experiment(loop *l, lp_experiment *e, lp_value **preds, lp_obj *trainer,
                      lp_value *params, lp_value **cv)
{
    if (!l->cv)
        return lp_experiment_run_predicting(e, preds, l->self, trainer, l->splits, l->model_version,
                                            params, l->s->gate, l->s->ud);
    *cv = cross_validate(l, trainer, params);
    if (!*cv) return lp_error_last()->code ? lp_error_last()->code : LP_ERROR;
    cv_gate_ctx g = {.cv = *cv, .inner = l->s->gate, .inner_ud = l->s->ud};
    int rc = lp_experiment_run_predicting(e, preds, l->self, trainer, l->splits, l->model_version,
                                          params, cv_gate, &g);
    if (rc) return rc;
    e->score = lp_value_as_float(lp_map_get(*cv, "mean_mase"));
    e->has_score = isfinite(e->score);
    return lp_kit_tag(l->self, e->resource, "cv", lp_value_ref(*cv));
}

static size_t class_index(const lp_tuner *st, const char *cls)
{
    for (size_t i = 0; cls && i < st->spaces->n; i++)
        if (strcmp(st->spaces->spaces[i].trainer, cls) == 0) return i;
    return 0;
}

/* One trial: an experiment; the best so far is kept in l->best. Returns an
 * error only for what stops the whole search (a sampler or memory failure, a
 * configuration error). */
static int run_trial(loop *l, size_t i)
{
    lp_tuner *st = lp_obj_state(l->self);
    lp_value *trial = NULL, *cv = NULL, *preds = NULL;
    int rc = l->s->next(l->s->ud, i, &trial);
    if (rc) return rc;
    const char *cls = lp_value_as_string(lp_map_get(trial, "trainer"));
    lp_obj *trainer = trainer_for(st, cls);
    lp_experiment e = {0};
    rc = trainer ? experiment(l, &e, &preds, trainer, lp_map_get(trial, "params"), &cv)
                 : lp_error_set(LP_ERROR, "no trainer for trial class '%s'", cls ? cls : "?");
    if (rc) { /* the cv tag may fail after the experiment ran */
        lp_value_unref(preds);
        preds = NULL;
    }
    /* Out of memory, or a configuration mistake (a misspelt parameter name
     * fails every trial alike): stop the search instead of repeating it. */
    if (rc == LP_ENOMEM || rc == LP_ECONFIG) {
        lp_experiment_clear(&e);
        lp_value_unref(cv);
        lp_value_unref(trial);
        return rc;
    }
    if (rc) lp_experiment_clear(&e);
    if (rc) note_failure(l, i, cls);
    if (rc && stop_if_not_parameter_related(l, i)) {
        lp_value_unref(cv);
        lp_value_unref(trial);
        return l->last_code;
    }
    double score = rc ? NAN : e.has_score ? e.score : NAN;
    int rec = l->s->record ? l->s->record(l->s->ud, trial, score) : 0;
    if (rc == 0) {
        bool better = !e.pruned && (!l->best_trial || score_better(l, e.score, l->best.score));
        size_t ci = class_index(st, cls);
        if (l->class_best && e.has_score &&
            (isnan(l->class_best[ci]) || score_better(l, e.score, l->class_best[ci])))
            l->class_best[ci] = e.score;
        if (better) {
            lp_experiment_clear(&l->best);
            lp_value_unref(l->best_predictions);
            l->best = e;
            l->best_predictions = preds;
            preds = NULL;
            l->best_trial = i + 1;
            l->best_cls = st->spaces->spaces[ci].trainer;
            lp_value_unref(l->best_cv);
            l->best_cv = lp_value_ref(cv);
        }
        progress(l, i, cls, better ? &l->best : &e);
        if (!better) lp_experiment_clear(&e);
    }
    lp_value_unref(preds);
    lp_value_unref(cv);
    lp_value_unref(trial);
    return rec;
}

/* Why the winner won, with cv: its folds and horizon, and each trainer
 * class's best mean MASE ("ETSModelTrainer 0.412, ForecastModelTrainer 0.630"). */
static void log_cv_reason(loop *l)
{
    lp_tuner *st = lp_obj_state(l->self);
    char line[1024];
    size_t off = 0;
    line[0] = 0;
    for (size_t i = 0; i < st->spaces->n && off < sizeof line; i++) {
        int w = snprintf(line + off, sizeof line - off, "%s%s %.4g", i ? ", " : "",
                         st->spaces->spaces[i].trainer, l->class_best[i]);
        if (w < 0) break;
        off += (size_t)w;
    }
    lp_log(l->self, LP_LOG_INFO,
           "picked by rolling-origin cross-validation on the training split (%" PRId64
           " folds, horizon %" PRId64 "): lowest mean MASE; best per trainer: %s",
           lp_value_as_int(lp_map_get(l->best_cv, "folds")),
           lp_value_as_int(lp_map_get(l->best_cv, "horizon")), line);
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
    lp_log(l->self, LP_LOG_INFO, "best: trial %zu/%zu %s %s=%.6g with %s (%zu failed)",
           l->best_trial, l->s->n_trials, l->best_cls ? l->best_cls : "?", score_name(l),
           l->best.score, params ? params : "?", l->failed);
    free(params);
    if (l->cv) log_cv_reason(l);
    lp_tuner *st = lp_obj_state(l->self);
    st->won_model = lp_value_ref(l->best.model);
    st->won_splits = lp_value_ref(l->splits);
    st->won_predictions = l->best_predictions;
    l->best_predictions = NULL;
    return lp_value_ref(l->best.model);
}

lp_value *lp_tuner_run(lp_obj *self, lp_value *args, const lp_tuner_search *s)
{
    lp_tuner *st = lp_obj_state(self);
    loop l = {.self = self, .s = s, .cv = st->cv};
    forget_winner(st);
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
    if (rc == 0 && l.cv) {
        l.class_best = malloc((st->spaces->n ? st->spaces->n : 1) * sizeof *l.class_best);
        if (!l.class_best) rc = lp_error_set(LP_ENOMEM, "out of memory");
        for (size_t i = 0; l.class_best && i < st->spaces->n; i++)
            l.class_best[i] = NAN;
    }
    lp_progress_task task;
    lp_progress_begin(&task, "tuning trials", "trials", s->n_trials);
    for (size_t i = 0; rc == 0 && i < s->n_trials; i++) {
        rc = run_trial(&l, i);
        lp_progress_update(&task, i + 1);
    }
    lp_progress_end(&task);
    lp_value *result = rc == 0 ? finish(&l) : NULL;
    lp_experiment_clear(&l.best);
    lp_value_unref(l.best_predictions);
    lp_value_unref(l.best_cv);
    free(l.class_best);
    free(l.last_failure);
    free(l.last_message);
    lp_value_unref(names);
    lp_value_unref(perf);
    return result;
}

/* ---- the winner's predictions ---------------------------------------------------------------- */

/* Whether splits hold the same X_ frames (pointers) as the held `won`. */
static bool same_frames(const lp_value *splits, const lp_value *won)
{
    static const char *const keys[] = {"X_train", "X_valid", "X_test"};
    for (size_t i = 0; i < 3; i++)
        if (lp_map_get(splits, keys[i]) != lp_map_get(won, keys[i])) return false;
    return true;
}

lp_value *lp_tuner_take_winner_predictions(lp_obj *self, lp_value *args)
{
    lp_tuner *st = lp_obj_state(self);
    const lp_model *m = lp_value_as_model(lp_map_get(args, "model"));
    const lp_value *splits = lp_map_get(args, "splits");
    bool same = st->won_predictions && m && m == lp_value_as_model(st->won_model) &&
                lp_value_type(splits) == LP_MAP && same_frames(splits, st->won_splits);
    lp_value *preds = same ? lp_value_ref(st->won_predictions) : NULL;
    forget_winner(st);
    return preds ? preds : lp_value_null();
}
