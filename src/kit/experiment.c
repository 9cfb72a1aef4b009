/*
 * experiment.c — one training experiment (include/lolpop/kit.h): fit, predictions of
 * every split, metrics, and the tracking of all of it through the visible
 * metadata_tracker, metrics_tracker and resource_version_control. A missing
 * tracking component skips its step, so experiments also run without a store.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kit/kit_internal.h"
#include "lolpop/metrics.h"
#include "lolpop/model.h"
#include "lolpop/types/metadata_tracker.h"
#include "lolpop/types/metrics_tracker.h"
#include "lolpop/types/model_trainer.h"
#include "lolpop/types/resource_version_control.h"

static const char *const split_names[] = {"train", "valid", "test"};

/* ---- metrics configuration ------------------------------------------------------------- */

/* The last error again, as LP_ECONFIG (same message and position; out of memory stays so). */
static int as_config_error(void)
{
    const lp_error *e = lp_error_last();
    if (e->code == LP_ECONFIG || e->code == LP_ENOMEM) return e->code;
    lp_saved_error saved;
    lp_error_save(&saved);
    saved.code = LP_ECONFIG;
    if (!saved.message) saved.message = lp_strdup("bad metric configuration");
    lp_error_restore(&saved);
    return LP_ECONFIG;
}

static char *origin_text(const lp_value *v)
{
    const lp_origin *o = lp_value_origin(v);
    return o && o->kind != LP_ORIGIN_NONE ? lp_origin_format(o) : NULL;
}

/* The task: problem_type, else the kind of the first metric named. */
static int metrics_task(lp_obj *caller, const lp_value *mv, const lp_value *pv, lp_metric_task *out)
{
    lp_problem problem;
    int rc = lp_trainer_problem(caller, &problem);
    if (rc) return rc;
    if (problem != LP_PROBLEM_NONE) {
        *out = problem == LP_PROBLEM_CLASSIFICATION ? LP_TASK_CLASSIFICATION : LP_TASK_REGRESSION;
        return 0;
    }
    const lp_value *first = lp_value_type(mv) == LP_LIST ? lp_list_get(mv, 0) : mv;
    if (!first) first = pv;
    const lp_metric_info *m;
    if (lp_value_as_string(first) && lp_metric_lookup(&m, lp_value_as_string(first)) == 0) {
        *out = m->task;
        return 0;
    }
    lp_error_clear();
    return lp_error_set(LP_ECONFIG,
                        "%s: problem_type is not set (classification or regression), so the "
                        "metrics to compute are unknown; set problem_type or metrics",
                        lp_obj_path(caller));
}

static lp_value *default_names(lp_metric_task task)
{
    static const char *const cls[] = {"accuracy", "f1", "precision", "recall", "rocauc", "logloss"};
    static const char *const reg[] = {"rmse", "mae", "r2", "mape"};
    const char *const *names = task == LP_TASK_CLASSIFICATION ? cls : reg;
    size_t n = task == LP_TASK_CLASSIFICATION ? 6 : 4;
    lp_value *l = lp_value_list();
    for (size_t i = 0; l && i < n; i++)
        if (lp_list_append(l, lp_value_string(names[i]))) {
            lp_value_unref(l);
            return NULL;
        }
    return l;
}

/* perf must be one of names (LP_ECONFIG naming both, with their origins). */
static int perf_in_names(const lp_metric_info *perf, const lp_value *pv, const lp_value *names)
{
    for (size_t i = 0; i < lp_list_len(names); i++)
        if (lp_streq_nocase(lp_value_as_string(lp_list_get(names, i)), perf->name)) return 0;
    char *list = lp_value_to_string(names), *po = origin_text(pv), *mo = origin_text(names);
    int rc = lp_error_set(LP_ECONFIG, "perf_metric '%s'%s%s%s is not one of metrics %s%s%s%s",
                          perf->name, po ? " (" : "", po ? po : "", po ? ")" : "", list ? list : "",
                          mo ? " (" : "", mo ? mo : "", mo ? ")" : "");
    free(list);
    free(po);
    free(mo);
    return rc;
}

static int resolve_perf(const lp_metric_info **out, const lp_value *pv, lp_metric_task task)
{
    const char *name = pv ? lp_value_as_string(pv) : task == LP_TASK_CLASSIFICATION ? "f1" : "rmse";
    if (!name)
        return lp_kit_error_at(LP_ECONFIG, pv, "perf_metric must be a metric name, not %s",
                               lp_vtype_name(lp_value_type(pv)));
    if (pv && lp_metrics_check(pv, task)) return as_config_error();
    return lp_metric_lookup(out, name) ? as_config_error() : 0;
}

LP_API int lp_experiment_metrics(lp_obj *caller, lp_value **names, lp_value **perf, bool *maximize)
{
    *names = *perf = NULL;
    lp_value *mv = lp_obj_config(caller, "metrics"), *pv = lp_obj_config(caller, "perf_metric");
    lp_metric_task task = LP_TASK_CLASSIFICATION;
    const lp_metric_info *pm = NULL;
    lp_value *list = NULL;
    int rc = metrics_task(caller, mv, pv, &task);
    if (rc == 0 && mv && lp_value_type(mv) != LP_LIST) {
        list = lp_value_list();
        rc = list ? lp_list_append(list, lp_value_ref(mv)) : LP_ENOMEM;
    } else if (rc == 0) {
        list = mv ? lp_value_ref(mv) : default_names(task);
        rc = list ? 0 : LP_ENOMEM;
    }
    if (rc == 0 && lp_metrics_check(list, task)) rc = as_config_error();
    if (rc == 0) rc = resolve_perf(&pm, pv, task);
    if (rc == 0) rc = perf_in_names(pm, pv, list);
    if (rc == 0 && !(*perf = lp_value_string(pm->name))) rc = LP_ENOMEM;
    lp_value_unref(mv);
    lp_value_unref(pv);
    if (rc) {
        lp_value_unref(list);
        return rc;
    }
    *names = list;
    *maximize = pm->higher_is_better;
    return 0;
}

/* ---- the trainer ------------------------------------------------------------------------ */

static bool is_trainer_of(lp_obj *o, const char *cls)
{
    const lp_class *c = o ? lp_obj_class(o) : NULL;
    return c && c->type && strcmp(c->type, LP_TYPE_MODEL_TRAINER) == 0 && strcmp(c->name, cls) == 0;
}

/* One slot holds one trainer, so trainers that compete sit at different
 * levels: the caller's own, then each enclosing section's, nearest first
 * (the visible model_trainer when it is of that class, else one it hides). */
LP_API lp_obj *lp_experiment_find_trainer(lp_obj *caller, const char *cls)
{
    for (lp_obj *o = caller; o; o = lp_obj_parent(o))
        for (size_t i = 0; i < lp_obj_child_count(o); i++)
            if (is_trainer_of(lp_obj_child_at(o, i), cls)) return lp_obj_child_at(o, i);
    return NULL;
}

LP_API lp_obj *lp_experiment_winning_trainer(lp_obj *caller, lp_value *model_version,
                                             lp_value **params)
{
    lp_obj *tracker = lp_obj_component(caller, "metadata_tracker");
    lp_obj *found = NULL;
    if (params) *params = NULL;
    if (tracker && lp_value_type(model_version) == LP_MAP) {
        lp_value *exp = lp_metadata_tracker_get_winning_experiment(tracker, model_version);
        lp_value *cls = exp && lp_value_type(exp) == LP_MAP
                            ? lp_metadata_tracker_get_tag(tracker, exp, "trainer")
                            : NULL;
        if (lp_value_as_string(cls))
            found = lp_experiment_find_trainer(caller, lp_value_as_string(cls));
        lp_value *p = found && params ? lp_metadata_tracker_get_tag(tracker, exp, "params") : NULL;
        if (lp_value_type(p) == LP_MAP)
            *params = p;
        else
            lp_value_unref(p);
        lp_value_unref(exp);
        lp_value_unref(cls);
    }
    lp_error_clear(); /* no winner on record: the visible trainer */
    return found ? found : lp_obj_component(caller, "model_trainer");
}

/* ---- predictions ------------------------------------------------------------------------ */

/* `prediction` and the probability columns side by side (new frame). */
static int join_columns(lp_frame **out, const lp_frame *pred, const lp_frame *proba)
{
    lp_frame *f = lp_frame_new();
    int rc = f ? 0 : lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t j = 0; rc == 0 && j < lp_frame_cols(pred); j++)
        rc = lp_frame_add_column(f, lp_frame_name(pred, j), lp_column_ref(lp_frame_col(pred, j)));
    for (size_t j = 0; rc == 0 && proba && j < lp_frame_cols(proba); j++)
        rc = lp_frame_add_column(f, lp_frame_name(proba, j), lp_column_ref(lp_frame_col(proba, j)));
    if (rc) {
        lp_frame_unref(f);
        return rc;
    }
    *out = f;
    return 0;
}

static lp_value *call_predict(lp_obj *trainer, const char *method, lp_value *X, lp_value *model)
{
    return lp_call_with(trainer, method, "frame", lp_value_ref(X), "model", lp_value_ref(model),
                        (const char *)NULL);
}

/* The predictions frame of one split: labels, and probabilities when the
 * model gives them (a linear SVM does not: its labels still count). */
static int predict_split(lp_value **out, lp_obj *caller, lp_obj *trainer, lp_value *X,
                         lp_value *model, bool classifier)
{
    lp_value *pred = call_predict(trainer, LP_MODEL_TRAINER_PREDICT, X, model);
    if (!pred) return lp_error_last()->code ? lp_error_last()->code : LP_ERROR;
    lp_value *proba =
        classifier ? call_predict(trainer, LP_MODEL_TRAINER_PREDICT_PROBA, X, model) : NULL;
    if (classifier && !proba)
        lp_log(caller, LP_LOG_INFO, "no class probabilities: %s", lp_error_last()->message);
    lp_frame *pf = lp_value_as_frame(pred), *f = NULL;
    int rc = pf ? join_columns(&f, pf, lp_value_as_frame(proba))
                : lp_error_set(LP_EINVAL, "%s.predict returned %s, not a frame",
                               lp_obj_class(trainer)->name, lp_vtype_name(lp_value_type(pred)));
    lp_value_unref(pred);
    lp_value_unref(proba);
    if (rc == 0) {
        *out = lp_value_frame(f);
        lp_frame_unref(f);
        rc = *out ? 0 : LP_ENOMEM;
    }
    return rc;
}

/* Map split -> predictions frame for every X_<split> in splits. */
static int predict_all(lp_value **out, lp_obj *caller, lp_obj *trainer, lp_value *splits,
                       lp_value *model)
{
    lp_model *m = lp_value_as_model(model);
    bool classifier = m && lp_model_task_of(m) != LP_MODEL_REGRESSION;
    lp_value *preds = lp_value_map();
    int rc = preds ? 0 : LP_ENOMEM;
    for (size_t i = 0; rc == 0 && i < 3; i++) {
        char key[16];
        snprintf(key, sizeof key, "X_%s", split_names[i]);
        lp_value *X = lp_map_get(splits, key), *p = NULL;
        if (!X) continue;
        rc = predict_split(&p, caller, trainer, X, model, classifier);
        if (rc == 0)
            rc = lp_map_set(preds, split_names[i], p);
        else
            lp_error_prefix("predicting the %s split", split_names[i]);
    }
    if (rc) {
        lp_value_unref(preds);
        return rc;
    }
    *out = preds;
    return 0;
}

/* ---- tracking ---------------------------------------------------------------------------- */

static int track_start(lp_experiment *e, lp_obj *tracker, lp_obj *trainer, lp_value *model_version)
{
    e->resource = lp_metadata_tracker_create_resource(tracker, NULL, "experiment", model_version);
    if (!e->resource) return lp_error_last()->code ? lp_error_last()->code : LP_ERROR;
    lp_value *cls = lp_value_string(lp_obj_class(trainer)->name);
    int rc = cls ? lp_metadata_tracker_log_tag(tracker, e->resource, "trainer", cls) : LP_ENOMEM;
    if (rc == 0) rc = lp_metadata_tracker_log_tag(tracker, e->resource, "params", e->params);
    lp_value_unref(cls);
    return rc;
}

/* Metrics to the metrics_tracker; the model to resource_version_control and
 * its vc_info to the metadata tracker (each only when visible). */
static int track_results(lp_experiment *e, lp_obj *caller, lp_obj *tracker, const char *perf)
{
    lp_obj *mt = lp_obj_component(caller, "metrics_tracker");
    lp_obj *rvc = lp_obj_component(caller, "resource_version_control");
    int rc = mt ? lp_metrics_tracker_log_metrics(mt, e->resource, e->metrics, perf) : 0;
    if (rc == 0 && e->pruned) {
        lp_value *t = lp_value_bool(true);
        rc = t ? lp_metadata_tracker_log_tag(tracker, e->resource, "pruned", t) : LP_ENOMEM;
        lp_value_unref(t);
    }
    if (rc || !rvc || e->pruned) return rc;
    lp_value *vc = lp_resource_version_control_version_model(rvc, e->resource, e->model);
    lp_value *reg =
        vc ? lp_metadata_tracker_register_vc_resource(tracker, e->resource, vc, "model") : NULL;
    rc = reg ? 0 : lp_error_last()->code ? lp_error_last()->code : LP_ERROR;
    lp_value_unref(vc);
    lp_value_unref(reg);
    return rc;
}

/* Tags a failed experiment with its error (best effort: the error is kept). */
static void tag_failure(lp_obj *tracker, lp_value *resource)
{
    lp_saved_error saved;
    lp_error_save(&saved);
    lp_value *v = lp_value_string(saved.message ? saved.message : "unknown error");
    if (v && lp_metadata_tracker_log_tag(tracker, resource, "error", v))
        lp_log(tracker, LP_LOG_WARN, "could not tag the failed experiment: %s",
               lp_error_last()->message);
    lp_value_unref(v);
    lp_error_restore(&saved);
}

/* ---- the experiment ------------------------------------------------------------------------ */

LP_API void lp_experiment_clear(lp_experiment *e)
{
    lp_value_unref(e->resource);
    lp_value_unref(e->model);
    lp_value_unref(e->metrics);
    lp_value_unref(e->params);
    memset(e, 0, sizeof *e);
}

/* perf on valid, else train. */
static void take_score(lp_experiment *e, const char *perf)
{
    const lp_value *split = lp_map_get(e->metrics, "valid");
    if (!split) split = lp_map_get(e->metrics, "train");
    const lp_value *v = lp_map_get(split, perf);
    e->has_score = v && (lp_value_type(v) == LP_FLOAT || lp_value_type(v) == LP_INT);
    e->score = e->has_score ? lp_value_as_float(v) : NAN;
    e->has_score = e->has_score && !isnan(e->score);
}

/* Fits and measures into e; *keep (may be NULL) gets the predictions map the metrics were
 * computed from (a new reference). */
static int fit_and_measure(lp_experiment *e, lp_value **keep, lp_obj *caller, lp_obj *trainer,
                           lp_value *splits, lp_value *params, lp_value *names)
{
    e->model = lp_call_with(trainer, LP_MODEL_TRAINER_FIT, "splits", lp_value_ref(splits), "params",
                            params ? lp_value_ref(params) : lp_value_null(), (const char *)NULL);
    if (!e->model) return lp_error_last()->code ? lp_error_last()->code : LP_ERROR;
    if (!lp_value_as_model(e->model))
        return lp_error_set(LP_EINVAL, "%s.fit returned %s, not a model",
                            lp_obj_class(trainer)->name, lp_vtype_name(lp_value_type(e->model)));
    lp_value *preds = NULL;
    int rc = predict_all(&preds, caller, trainer, splits, e->model);
    if (rc) return rc;
    if (keep) *keep = lp_value_ref(preds);
    e->metrics = lp_call_with(
        trainer, LP_MODEL_TRAINER_CALCULATE_METRICS, "splits", lp_value_ref(splits), "predictions",
        preds, "metrics", lp_value_ref(names), "model", lp_value_ref(e->model), (const char *)NULL);
    return e->metrics ? 0 : lp_error_last()->code ? lp_error_last()->code : LP_ERROR;
}

LP_API int lp_experiment_run_predicting(lp_experiment *out, lp_value **predictions, lp_obj *caller,
                                        lp_obj *trainer, lp_value *splits, lp_value *model_version,
                                        lp_value *params, lp_experiment_gate gate, void *ud)
{
    lp_experiment e = {0};
    lp_value *preds = NULL;
    if (predictions) *predictions = NULL;
    lp_value *names = NULL, *perf = NULL;
    bool maximize;
    if (lp_value_type(model_version) == LP_NULL) model_version = NULL;
    lp_obj *tracker = model_version ? lp_obj_component(caller, "metadata_tracker") : NULL;
    int rc = lp_experiment_metrics(caller, &names, &perf, &maximize);
    if (rc == 0) rc = lp_kit_experiment_params(&e.params, trainer, params);
    if (rc == 0 && tracker) rc = track_start(&e, tracker, trainer, model_version);
    if (rc == 0)
        rc = fit_and_measure(&e, predictions ? &preds : NULL, caller, trainer, splits, params,
                             names);
    if (rc == 0) {
        take_score(&e, lp_value_as_string(perf));
        e.pruned = gate && gate(ud, &e);
    }
    if (rc == 0 && tracker) rc = track_results(&e, caller, tracker, lp_value_as_string(perf));
    lp_value_unref(names);
    lp_value_unref(perf);
    if (rc) {
        if (e.resource) tag_failure(tracker, e.resource);
        lp_experiment_clear(&e);
        lp_value_unref(preds);
        return rc;
    }
    *out = e;
    if (predictions) *predictions = preds;
    return 0;
}

LP_API int lp_experiment_run_gated(lp_experiment *out, lp_obj *caller, lp_obj *trainer,
                                   lp_value *splits, lp_value *model_version, lp_value *params,
                                   lp_experiment_gate gate, void *ud)
{
    return lp_experiment_run_predicting(out, NULL, caller, trainer, splits, model_version, params,
                                        gate, ud);
}

LP_API int lp_experiment_run(lp_experiment *out, lp_obj *caller, lp_obj *trainer, lp_value *splits,
                             lp_value *model_version, lp_value *params)
{
    return lp_experiment_run_gated(out, caller, trainer, splits, model_version, params, NULL, NULL);
}

/* ---- the winner ---------------------------------------------------------------------------- */

/* The experiment tagged winner under the same model version, or NULL. */
static lp_value *earlier_winner(lp_obj *tracker, lp_value *experiment)
{
    lp_value *parent = lp_map_get(experiment, "parent");
    lp_value *prev = parent ? lp_metadata_tracker_get_winning_experiment(tracker, parent) : NULL;
    if (!prev) lp_error_clear(); /* none yet */
    if (prev && (lp_value_type(prev) != LP_MAP ||
                 lp_kit_resource_id(prev) == lp_kit_resource_id(experiment))) {
        lp_value_unref(prev);
        return NULL;
    }
    lp_value *tag = prev ? lp_metadata_tracker_get_tag(tracker, prev, "winner") : NULL;
    bool was = lp_value_type(tag) == LP_BOOL && lp_value_as_bool(tag);
    if (!tag) lp_error_clear();
    lp_value_unref(tag);
    if (!was) {
        lp_value_unref(prev);
        return NULL;
    }
    return prev;
}

LP_API int lp_experiment_mark_winner(lp_obj *caller, lp_value *experiment)
{
    lp_obj *tracker = lp_obj_component(caller, "metadata_tracker");
    if (!tracker || !experiment || lp_value_type(experiment) == LP_NULL) return 0;
    lp_value *prev = earlier_winner(tracker, experiment);
    lp_value *yes = lp_value_bool(true), *no = lp_value_bool(false);
    int rc =
        yes && no ? lp_metadata_tracker_log_tag(tracker, experiment, "winner", yes) : LP_ENOMEM;
    if (rc == 0 && prev) rc = lp_metadata_tracker_log_tag(tracker, prev, "winner", no);
    lp_value_unref(yes);
    lp_value_unref(no);
    lp_value_unref(prev);
    return rc;
}
