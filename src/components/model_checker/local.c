/*
 * local.c — LocalModelChecker.
 *
 *   check_model(splits, model) -> {report, path, status, failed}: metrics per
 *       split, thresholds, the train-valid gap (overfitting), confusion matrix,
 *       per-class metrics, calibration (Brier score, expected calibration
 *       error) and the baselines the model must beat; HTML + JSON report.
 *   get_baseline_comparison(splits, model, predictions?) -> the baselines section
 *       alone; predictions (optional, map split -> frame: the winning trial's, which
 *       OfflineTrain's analyze_model gets from the tuner) are used instead of scoring a
 *       split again when they hold the model's outputs exactly (lp_mc_outputs_of).
 *   calculate_model_drift(splits, model) -> {report, path, status}: drift of
 *       the predictions (label and class probabilities) between X_train and the
 *       scored rows (splits.predictions, else X_predict / X_test / X_valid),
 *       with the data profiler's statistics (KS / chi-square / PSI ...);
 *       X_train's predictions are splits.reference_predictions when its
 *       reference_model is the model's fingerprint, else computed.
 *   get_reference_predictions(splits, model) -> {frame, data, model} or null:
 *       the model's predictions on the frame the splits were cut from, rebuilt
 *       from get_baseline_comparison's (OfflineTrain stores them with the model
 *       version, so OfflinePredict's drift does not score the training data).
 *   compare_models(model_version, other_model_version) -> better: the
 *       winning experiments' perf_metric.
 *
 *   model_checker: LocalModelChecker
 *   model_checker:
 *     config:
 *       thresholds: {valid: {f1: 0.7, accuracy: 0.75}}   # per split; direction per metric
 *       threshold_severity: ERROR
 *       overfitting: {metric: f1, max_gap: 0.1, severity: WARN}    # or off
 *       calibration: {bins: 10, max_ece: 0.1, severity: WARN}
 *       baselines: {strategies: [majority, stratified], severity: ERROR, seed: 42}  # or off
 *       drift: {p_value: 0.05, psi: 0.1, ..., severity: WARN}
 *       fail_on: ERROR
 *       dir: .lolpop/reports
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "components/data_profiler/profiler.h"
#include "components/model_checker/mc.h"
#include "core/digest.h"
#include "data/frame_object.h"
#include "data/frame_origin.h"
#include "data/time_freq.h"
#include "lolpop/feature_state.h"
#include "lolpop/workflow.h"
#include "ml/model_internal.h"

#define MAX_BASELINES 4

typedef struct model_checker {
    lp_value *thresholds; /* held: split -> metric -> number */
    int threshold_sev, fail_on;
    char *gap_metric;
    double max_gap;
    int gap_sev; /* LP_CHK_OFF: not checked */
    size_t bins;
    double max_ece; /* NaN: not checked */
    int ece_sev;
    lp_mc_baseline baselines[MAX_BASELINES];
    size_t n_baselines;
    int baseline_sev;
    bool baseline_sev_set; /* else forecasters get WARN: a forecast may trail a baseline */
    uint64_t seed;
    lp_prof_options drift;
    int drift_sev;
    char *dir, *file, *who;
    struct eval_memo *memo; /* owned: the last evaluation (evaluation_of), or NULL */
} model_checker;

static const char *const split_names[] = {"train", "valid", "test"};

/* ---- configuration ------------------------------------------------------------------ */

static int keys_in(const lp_value *map, const char *const *keys, size_t n, const char *who,
                   const char *what)
{
    for (size_t i = 0; i < lp_map_len(map); i++) {
        bool ok = false;
        for (size_t j = 0; j < n && !ok; j++)
            ok = strcmp(lp_map_key(map, i), keys[j]) == 0;
        if (!ok)
            return lp_kit_error_at_origin(
                LP_ECONFIG, lp_map_key_origin(map, i), "%s: unknown %s key '%s'%s", who, what,
                lp_map_key(map, i), lp_chk_did_you_mean(lp_map_key(map, i), keys, n));
    }
    return 0;
}

static int number(double *out, const lp_value *v, double lo, double hi, const char *key,
                  const char *who)
{
    if (!v) return 0;
    double x = lp_value_as_float(v);
    if ((lp_value_type(v) != LP_INT && lp_value_type(v) != LP_FLOAT) || !(x >= lo && x <= hi))
        return lp_kit_error_at(LP_ECONFIG, v, "%s: %s must be a number in [%g, %g]", who, key, lo,
                               hi);
    *out = x;
    return 0;
}

/* A metric name in config value v (located error naming the closest metric). */
static int metric_at(const lp_metric_info **out, const lp_value *v, const char *who)
{
    const char *s = lp_value_as_string(v);
    if (!s) return lp_kit_error_at(LP_ECONFIG, v, "%s: a metric name is a string", who);
    if (lp_metric_lookup(out, s) == 0) return 0;
    char *msg = lp_strdup(lp_error_last()->message);
    int rc = lp_kit_error_at(LP_ECONFIG, v, "%s: %s", who, msg ? msg : "unknown metric");
    free(msg);
    return rc;
}

static int parse_thresholds(model_checker *c, const lp_value *t)
{
    if (!t) return 0;
    if (lp_value_type(t) != LP_MAP)
        return lp_kit_error_at(LP_ECONFIG, t,
                               "%s: thresholds is a map split -> metric -> value, such as "
                               "{valid: {f1: 0.7}}",
                               c->who);
    int rc = keys_in(t, split_names, 3, c->who, "thresholds split");
    for (size_t s = 0; rc == 0 && s < lp_map_len(t); s++) {
        const lp_value *per = lp_map_value(t, s);
        if (lp_value_type(per) != LP_MAP)
            return lp_kit_error_at(LP_ECONFIG, per, "%s: thresholds.%s is a map metric -> value",
                                   c->who, lp_map_key(t, s));
        for (size_t i = 0; rc == 0 && i < lp_map_len(per); i++) {
            const lp_metric_info *mi;
            lp_value *name = lp_value_string(lp_map_key(per, i));
            if (name) lp_value_set_origin(name, lp_map_key_origin(per, i));
            rc = name ? metric_at(&mi, name, c->who) : LP_ENOMEM;
            lp_value_unref(name);
            double x;
            if (rc == 0) rc = number(&x, lp_map_value(per, i), -1e300, 1e300, mi->name, c->who);
        }
    }
    if (rc == 0) c->thresholds = lp_value_ref((lp_value *)(uintptr_t)t);
    return rc;
}

static bool is_off(const lp_value *v)
{
    return (lp_value_type(v) == LP_BOOL && !lp_value_as_bool(v)) ||
           (lp_value_as_string(v) && lp_streq_nocase(lp_value_as_string(v), "off"));
}

static int parse_overfitting(model_checker *c, const lp_value *o)
{
    static const char *const keys[] = {"metric", "max_gap", "severity"};
    if (!o) return 0;
    if (is_off(o)) {
        c->gap_sev = LP_CHK_OFF;
        return 0;
    }
    if (lp_value_type(o) != LP_MAP)
        return lp_kit_error_at(LP_ECONFIG, o,
                               "%s: overfitting is a map {metric, max_gap, "
                               "severity} or off",
                               c->who);
    int rc = keys_in(o, keys, 3, c->who, "overfitting");
    const lp_metric_info *mi;
    if (rc == 0 && lp_map_get(o, "metric")) {
        rc = metric_at(&mi, lp_map_get(o, "metric"), c->who);
        if (rc == 0 && !(c->gap_metric = lp_strdup(mi->name))) rc = LP_ENOMEM;
    }
    if (rc == 0) rc = number(&c->max_gap, lp_map_get(o, "max_gap"), 0, 1e300, "max_gap", c->who);
    if (rc == 0) rc = lp_chk_parse_severity(&c->gap_sev, lp_map_get(o, "severity"), true, c->who);
    return rc;
}

static int parse_calibration(model_checker *c, const lp_value *o)
{
    static const char *const keys[] = {"bins", "max_ece", "severity"};
    if (!o) return 0;
    if (lp_value_type(o) != LP_MAP)
        return lp_kit_error_at(LP_ECONFIG, o, "%s: calibration is a map {bins, max_ece, severity}",
                               c->who);
    double bins = (double)c->bins;
    int rc = keys_in(o, keys, 3, c->who, "calibration");
    if (rc == 0) rc = number(&bins, lp_map_get(o, "bins"), 1, 1000, "calibration.bins", c->who);
    if (rc == 0) rc = number(&c->max_ece, lp_map_get(o, "max_ece"), 0, 1, "max_ece", c->who);
    if (rc == 0) rc = lp_chk_parse_severity(&c->ece_sev, lp_map_get(o, "severity"), false, c->who);
    c->bins = (size_t)bins;
    return rc;
}

static int parse_baselines(model_checker *c, const lp_value *o)
{
    static const char *const keys[] = {"strategies", "severity", "seed"};
    if (!o) return 0;
    if (is_off(o)) {
        c->n_baselines = 0;
        return 0;
    }
    if (lp_value_type(o) != LP_MAP)
        return lp_kit_error_at(LP_ECONFIG, o,
                               "%s: baselines is a map {strategies, severity, "
                               "seed} or off",
                               c->who);
    int rc = keys_in(o, keys, 3, c->who, "baselines");
    const lp_value *s = lp_map_get(o, "strategies");
    if (rc == 0 && s) {
        if (lp_value_type(s) != LP_LIST || lp_list_len(s) > MAX_BASELINES)
            return lp_kit_error_at(LP_ECONFIG, s,
                                   "%s: baselines.strategies is a list of up to "
                                   "4 of majority, stratified, mean, median",
                                   c->who);
        c->n_baselines = lp_list_len(s);
        for (size_t i = 0; rc == 0 && i < c->n_baselines; i++)
            rc = lp_mc_baseline_parse(&c->baselines[i], lp_list_get(s, i), c->who);
    }
    double seed = (double)c->seed;
    if (rc == 0) rc = number(&seed, lp_map_get(o, "seed"), 0, 9e15, "seed", c->who);
    c->seed = (uint64_t)seed;
    if (rc == 0)
        rc = lp_chk_parse_severity(&c->baseline_sev, lp_map_get(o, "severity"), false, c->who);
    c->baseline_sev_set = lp_map_get(o, "severity") != NULL;
    return rc;
}

static int parse_drift(model_checker *c, const lp_value *o)
{
    static const char *const keys[] = {"p_value",       "wasserstein", "jensenshannon", "psi",
                                       "dataset_share", "small_rows",  "severity"};
    if (!o) return 0;
    if (lp_value_type(o) != LP_MAP)
        return lp_kit_error_at(LP_ECONFIG, o, "%s: drift is a map of thresholds", c->who);
    double rows = (double)c->drift.small_rows;
    int rc = keys_in(o, keys, 7, c->who, "drift");
    if (rc == 0)
        rc = number(&c->drift.p_threshold, lp_map_get(o, "p_value"), 0, 1, "p_value", c->who);
    if (rc == 0)
        rc = number(&c->drift.wd_threshold, lp_map_get(o, "wasserstein"), 0, 1e9, "wasserstein",
                    c->who);
    if (rc == 0)
        rc = number(&c->drift.js_threshold, lp_map_get(o, "jensenshannon"), 0, 1, "jensenshannon",
                    c->who);
    if (rc == 0) rc = number(&c->drift.psi_threshold, lp_map_get(o, "psi"), 0, 1e9, "psi", c->who);
    if (rc == 0)
        rc = number(&c->drift.drift_share, lp_map_get(o, "dataset_share"), 0, 1, "dataset_share",
                    c->who);
    if (rc == 0) rc = number(&rows, lp_map_get(o, "small_rows"), 0, 1e15, "small_rows", c->who);
    c->drift.small_rows = (size_t)rows;
    if (rc == 0)
        rc = lp_chk_parse_severity(&c->drift_sev, lp_map_get(o, "severity"), false, c->who);
    return rc;
}

static void memo_free(struct eval_memo *mm);

static void checker_fini(lp_obj *self)
{
    model_checker *c = lp_obj_state(self);
    memo_free(c->memo);
    lp_value_unref(c->thresholds);
    free(c->gap_metric);
    free(c->dir);
    free(c->file);
    free(c->who);
    memset(c, 0, sizeof *c);
}

static int checker_init(lp_obj *self)
{
    model_checker *c = lp_obj_state(self);
    const char *path = lp_obj_path(self);
    c->who = lp_strdup("config"); /* init errors get the class and path from the framework */
    c->threshold_sev = c->baseline_sev = LP_CHK_ERROR;
    c->gap_sev = c->ece_sev = c->drift_sev = LP_CHK_WARN;
    c->fail_on = LP_CHK_OFF;
    c->max_gap = 0.1;
    c->bins = 10;
    c->max_ece = NAN;
    c->seed = 42;
    c->n_baselines = 2; /* the task's two, chosen at check time */
    c->baselines[0] = LP_MC_MAJORITY;
    c->baselines[1] = LP_MC_STRATIFIED;
    lp_prof_options_default(&c->drift);
    c->dir = lp_kit_config_string(self, "dir", ".lolpop/reports");
    c->file = lp_obj_config_string(self, "report_file");
    lp_value *cfg = lp_obj_config_map(self);
    int rc = c->who && c->dir ? 0 : LP_ENOMEM;
    if (rc == 0) rc = parse_thresholds(c, lp_map_get(cfg, "thresholds"));
    if (rc == 0)
        rc = lp_chk_parse_severity(&c->threshold_sev, lp_map_get(cfg, "threshold_severity"), false,
                                   c->who);
    if (rc == 0) rc = parse_overfitting(c, lp_map_get(cfg, "overfitting"));
    if (rc == 0) rc = parse_calibration(c, lp_map_get(cfg, "calibration"));
    if (rc == 0) rc = parse_baselines(c, lp_map_get(cfg, "baselines"));
    if (rc == 0) rc = parse_drift(c, lp_map_get(cfg, "drift"));
    if (rc == 0) rc = lp_chk_parse_severity(&c->fail_on, lp_map_get(cfg, "fail_on"), true, c->who);
    lp_value_unref(cfg);
    if (rc == 0) {
        free(c->who);
        c->who = lp_asprintf("LocalModelChecker (%s)", path && *path ? path : lp_obj_name(self));
        if (!c->who) rc = LP_ENOMEM;
    }
    if (rc) checker_fini(self);
    return rc;
}

/* ---- evaluation of the splits -------------------------------------------------------- */

typedef struct evaluation {
    lp_mc_split split[3]; /* train, valid, test */
    bool has[3];
    int eval;        /* index of the split judged: valid, else test, else train; -1: none */
    lp_value *names; /* metric names (list) */
    const lp_metric_info *perf;
    bool forecast; /* judged as a forecaster (lp_mc_is_forecaster) */
} evaluation;

static void evaluation_free(evaluation *e)
{
    for (size_t i = 0; i < 3; i++)
        lp_mc_split_free(&e->split[i]);
    lp_value_unref(e->names);
}

static void add_name(lp_value *names, const char *name)
{
    for (size_t i = 0; i < lp_list_len(names); i++)
        if (strcmp(lp_value_as_string(lp_list_get(names, i)), name) == 0) return;
    lp_list_append(names, lp_value_string(name));
}

/* Metric names: the workflow's `metrics`, perf_metric, the thresholds' and the gap's. */
static int metric_names(evaluation *e, lp_obj *self, const model_checker *c, bool regression)
{
    lp_value *names = NULL, *perf = NULL;
    bool maximize;
    if (lp_experiment_metrics(self, &names, &perf, &maximize) != 0) lp_error_clear();
    const lp_metric_info *pi = NULL;
    if (!perf || lp_metric_lookup(&pi, lp_value_as_string(perf)) != 0 ||
        (pi->task == LP_TASK_REGRESSION) != regression) {
        lp_error_clear();
        lp_metric_lookup(&pi, regression ? "rmse" : "f1");
    }
    e->perf = pi;
    e->names = lp_value_list();
    if (!e->names) return lp_error_set(LP_ENOMEM, "out of memory");
    add_name(e->names, pi->name);
    for (size_t i = 0; i < lp_list_len(names); i++)
        if (lp_value_as_string(lp_list_get(names, i)))
            add_name(e->names, lp_value_as_string(lp_list_get(names, i)));
    for (size_t s = 0; s < lp_map_len(c->thresholds); s++)
        for (size_t i = 0; i < lp_map_len(lp_map_value(c->thresholds, s)); i++)
            add_name(e->names, lp_map_key(lp_map_value(c->thresholds, s), i));
    add_name(e->names, c->gap_metric ? c->gap_metric : regression ? "r2" : pi->name);
    lp_value_unref(names);
    lp_value_unref(perf);
    return 0;
}

/* A forecaster's splits get the history, season and interval that mase,
 * coverage and the forecast baselines need. */
static int prepare_forecast(evaluation *e, lp_obj *self, const lp_value *splits, const lp_model *m)
{
    const lp_frame *Xt = lp_value_as_frame(lp_map_get(splits, "X_train"));
    char *ti = lp_obj_config_string(self, "time_index");
    char *alias = lp_obj_config_string(self, "forecast_frequency");
    e->forecast = e->has[0] && lp_mc_is_forecaster(m, Xt, ti);
    size_t season = e->forecast ? lp_freq_season_of_frame(alias, Xt, ti) : 1;
    double width = lp_obj_config_float(self, "interval_width", 0.8);
    int rc = 0;
    for (size_t i = 0; rc == 0 && e->forecast && i < 3; i++) {
        char xk[16];
        snprintf(xk, sizeof xk, "X_%s", split_names[i]);
        if (e->has[i])
            rc = lp_mc_forecast_prepare(&e->split[i], &e->split[0], m,
                                        lp_value_as_frame(lp_map_get(splits, xk)), season, width);
    }
    free(ti);
    free(alias);
    return rc;
}

/* Split i of e from given's predictions frame of that split (a map split -> frame, the
 * winning trial's: lp_experiment_run_predicting) when it holds m's outputs on X exactly;
 * *used says whether it did. 0 or LP_E*. */
static int evaluate_given(evaluation *e, bool *used, size_t i, const lp_value *given,
                          const lp_model *m, const lp_frame *X, const lp_frame *y)
{
    double *out = NULL;
    *used = false;
    int rc = lp_mc_outputs_of(&out, m, lp_value_as_frame(lp_map_get(given, split_names[i])),
                              lp_frame_rows(X));
    if (rc || !out) return rc;
    *used = true;
    return lp_mc_evaluate_outputs(&e->split[i], m, out, lp_frame_rows(X), y, split_names[i]);
}

/* The evaluation of m on every split present; given (may be NULL) holds predictions frames
 * per split to use instead of scoring (evaluate_given), the others are scored. */
static int evaluate_splits(evaluation *e, lp_obj *self, const model_checker *c,
                           const lp_value *splits, const lp_model *m, const lp_value *given)
{
    memset(e, 0, sizeof *e);
    e->eval = -1;
    const lp_registry *reg = lp_workflow_registry(lp_obj_workflow(self));
    int rc = metric_names(e, self, c, lp_model_task_of(m) == LP_MODEL_REGRESSION);
    for (size_t i = 0; rc == 0 && i < 3; i++) {
        char xk[16], yk[16];
        snprintf(xk, sizeof xk, "X_%s", split_names[i]);
        snprintf(yk, sizeof yk, "y_%s", split_names[i]);
        lp_frame *X = lp_value_as_frame(lp_map_get(splits, xk));
        lp_frame *y = lp_value_as_frame(lp_map_get(splits, yk));
        if (!X) continue;
        bool used = false;
        if (lp_value_type(given) == LP_MAP) rc = evaluate_given(e, &used, i, given, m, X, y);
        if (rc == 0 && !used) rc = lp_mc_evaluate(&e->split[i], reg, m, X, y, split_names[i]);
        if (rc == 0)
            lp_log(self, LP_LOG_DEBUG, "the %s split: %s", split_names[i],
                   used ? "the given predictions (not scored again)" : "scored");
        e->has[i] = rc == 0;
    }
    e->eval = e->has[1] ? 1 : e->has[2] ? 2 : e->has[0] ? 0 : -1;
    if (rc == 0 && e->eval < 0)
        rc = lp_error_set(LP_EINVAL, "the splits hold no X_train, X_valid or X_test frame");
    if (rc == 0) rc = prepare_forecast(e, self, splits, m);
    return rc;
}

/* The last evaluation and what it was computed from: analyze_model's
 * get_baseline_comparison and check_model score the same model on the same splits
 * (500k rows in the workflow benchmark), so the second call reuses the first's
 * predictions. The model and the split frames are held, so a pointer seen again is
 * the same (immutable) value, never another one at a recycled address; once reused the
 * memo is dropped (memo_done), so it does not keep the frames alive into the predict
 * pipeline, where the workflow's memory peaks. */
#define MEMO_FRAMES 6
static const char *const memo_keys[MEMO_FRAMES] = {"X_train", "y_train", "X_valid",
                                                   "y_valid", "X_test",  "y_test"};
typedef struct eval_memo {
    lp_value *model;               /* held */
    lp_value *frames[MEMO_FRAMES]; /* held, or NULL: the splits' memo_keys */
    evaluation e;
    bool reused; /* served a second call: memo_done drops it */
} eval_memo;

static void memo_free(eval_memo *mm)
{
    if (!mm) return;
    lp_value_unref(mm->model);
    for (size_t i = 0; i < MEMO_FRAMES; i++)
        lp_value_unref(mm->frames[i]);
    evaluation_free(&mm->e);
    free(mm);
}

/* The evaluation of model (m its lp_model) on splits into *out (borrowed: valid until
 * the next call on c): the memo's when model and frames are the ones it was computed
 * from, else computed (evaluate_splits, with given's predictions where they fit; given
 * may be NULL) and kept. 0 or LP_E*. */
static int evaluation_of(const evaluation **out, lp_obj *self, model_checker *c,
                         const lp_value *splits, lp_value *model, const lp_model *m,
                         const lp_value *given)
{
    eval_memo *mm = c->memo;
    bool same = mm && mm->model == model;
    for (size_t i = 0; same && i < MEMO_FRAMES; i++)
        same = mm->frames[i] == lp_map_get(splits, memo_keys[i]);
    if (same) {
        mm->reused = true;
        *out = &mm->e;
        return 0;
    }
    memo_free(mm);
    c->memo = mm = calloc(1, sizeof *mm);
    if (!mm) return lp_error_set(LP_ENOMEM, "out of memory");
    int rc = evaluate_splits(&mm->e, self, c, splits, m, given);
    if (rc) {
        memo_free(mm);
        c->memo = NULL;
        return rc;
    }
    mm->model = lp_value_ref(model);
    for (size_t i = 0; i < MEMO_FRAMES; i++) {
        lp_value *f = lp_map_get(splits, memo_keys[i]);
        mm->frames[i] = f ? lp_value_ref(f) : NULL;
    }
    *out = &mm->e;
    return 0;
}

/* The memo's evaluation when it was computed from model and splits' frames, without
 * counting as its second use (get_reference_predictions sits between analyze_model's
 * get_baseline_comparison and check_model); NULL otherwise. Borrowed. */
static const evaluation *memo_peek(const model_checker *c, const lp_value *splits,
                                   const lp_value *model)
{
    const eval_memo *mm = c->memo;
    bool same = mm && mm->model == model;
    for (size_t i = 0; same && i < MEMO_FRAMES; i++)
        same = mm->frames[i] == lp_map_get(splits, memo_keys[i]);
    return same ? &mm->e : NULL;
}

/* Ends a use of evaluation_of's result: a memo that served its second call goes. */
static void memo_done(model_checker *c)
{
    if (c->memo && c->memo->reused) {
        memo_free(c->memo);
        c->memo = NULL;
    }
}

/* ---- checks ---------------------------------------------------------------------------- */

static int check_thresholds(lp_value *checks, const model_checker *c, const lp_value *splits)
{
    for (size_t s = 0; s < lp_map_len(c->thresholds); s++) {
        const char *split = lp_map_key(c->thresholds, s);
        const lp_value *per = lp_map_value(c->thresholds, s);
        const lp_value *got = lp_map_get(lp_map_get(splits, split), "metrics");
        for (size_t i = 0; i < lp_map_len(per); i++) {
            const lp_metric_info *mi = NULL;
            lp_metric_lookup(&mi, lp_map_key(per, i));
            double want = lp_value_as_float(lp_map_value(per, i));
            const lp_value *v = lp_map_get(got, mi->name);
            lp_value *chk;
            if (!v) {
                chk = lp_chk_add(checks, "threshold", NULL, LP_CHK_WARN,
                                 "%s on the %s split could not be computed (no such split, or "
                                 "the metric does not suit the model)",
                                 mi->name, split);
            } else {
                double x = lp_value_as_float(v);
                bool ok = mi->higher_is_better ? x >= want : x <= want;
                chk = lp_chk_add(checks, "threshold", NULL, ok ? LP_CHK_PASS : c->threshold_sev,
                                 "%s on the %s split is %.6g (%s %.6g)", mi->name, split, x,
                                 mi->higher_is_better ? "at least" : "at most", want);
                if (chk) lp_map_set(chk, "observed", lp_value_float(x));
            }
            if (!chk) return LP_ENOMEM;
        }
    }
    return 0;
}

/* The gap: train - valid for a metric where higher is better; (valid - train) / |valid|
 * where lower is better (errors have the data's scale). */
static int check_gap(lp_value *checks, const model_checker *c, const evaluation *e,
                     const lp_value *splits, bool regression)
{
    if (c->gap_sev == LP_CHK_OFF || !e->has[0] || !e->has[1]) return 0;
    const lp_metric_info *mi = NULL;
    lp_metric_lookup(&mi, c->gap_metric ? c->gap_metric : regression ? "r2" : e->perf->name);
    const lp_value *tv = lp_map_get(lp_map_get(lp_map_get(splits, "train"), "metrics"), mi->name);
    const lp_value *vv = lp_map_get(lp_map_get(lp_map_get(splits, "valid"), "metrics"), mi->name);
    if (!tv || !vv) return 0;
    double t = lp_value_as_float(tv), v = lp_value_as_float(vv);
    double gap = mi->higher_is_better ? t - v : (v - t) / (fabs(v) > 0 ? fabs(v) : 1);
    lp_value *chk =
        lp_chk_add(checks, "overfitting", NULL, gap > c->max_gap ? c->gap_sev : LP_CHK_PASS,
                   "%s: train %.6g, valid %.6g, gap %.4g%s (at most %.4g)", mi->name, t, v, gap,
                   mi->higher_is_better ? "" : " relative", c->max_gap);
    return chk && lp_map_set(chk, "observed", lp_value_float(gap)) == 0 ? 0 : LP_ENOMEM;
}

static int check_calibration(lp_value *checks, const model_checker *c, const lp_value *cal,
                             const char *split)
{
    if (!cal) return 0;
    double ece = lp_value_as_float(lp_map_get(cal, "ece"));
    bool bad = !isnan(c->max_ece) && ece > c->max_ece;
    return lp_chk_add(checks, "calibration", NULL, bad ? c->ece_sev : LP_CHK_PASS,
                      "%s split: Brier score %.4g, expected calibration error %.4g%s", split,
                      lp_value_as_float(lp_map_get(cal, "brier")), ece,
                      bad ? " (above max_ece)" : "")
               ? 0
               : LP_ENOMEM;
}

/* The baselines on the judged split: {split, metric, model, baselines: {name: metrics}};
 * checks (may be NULL) get one check per baseline. New ref or NULL. */
static lp_value *baseline_section(const model_checker *c, const evaluation *e,
                                  const lp_value *model_metrics, lp_value *checks)
{
    bool regression = e->split[e->eval].k == 0;
    lp_value *all = lp_value_map();
    const lp_value *mine = lp_map_get(model_metrics, e->perf->name);
    const lp_mc_split *train = e->has[0] ? &e->split[0] : &e->split[e->eval];
    int rc = all ? 0 : LP_ENOMEM;
    for (size_t i = 0; rc == 0 && i < c->n_baselines; i++) {
        lp_mc_baseline b = c->baselines[i];
        if (regression && b <= LP_MC_STRATIFIED)
            b = b == LP_MC_MAJORITY ? LP_MC_MEAN : LP_MC_MEDIAN;
        if (!regression && b >= LP_MC_MEAN) b = b == LP_MC_MEAN ? LP_MC_MAJORITY : LP_MC_STRATIFIED;
        if (lp_map_get(all, lp_mc_baseline_name(b))) continue;
        lp_mc_split bs;
        rc = lp_mc_baseline_predict(&bs, b, train, &e->split[e->eval], c->seed);
        lp_value *metrics = rc == 0 ? lp_mc_metrics(&bs, e->names, NULL) : NULL;
        if (rc == 0) lp_mc_split_free(&bs);
        if (rc == 0 && !metrics) rc = LP_ENOMEM;
        if (rc) break;
        const lp_value *theirs = lp_map_get(metrics, e->perf->name);
        if (checks && mine && theirs) {
            bool beats =
                lp_metric_better(e->perf, lp_value_as_float(mine), lp_value_as_float(theirs));
            if (!lp_chk_add(checks, "baseline", NULL, beats ? LP_CHK_PASS : c->baseline_sev,
                            "%s %.6g vs the %s baseline's %.6g: %s", e->perf->name,
                            lp_value_as_float(mine), lp_mc_baseline_name(b),
                            lp_value_as_float(theirs),
                            beats ? "the model is better" : "the model does not beat it"))
                rc = LP_ENOMEM;
        }
        if (lp_map_set(all, lp_mc_baseline_name(b), metrics)) rc = LP_ENOMEM;
    }
    if (rc) {
        lp_value_unref(all);
        return NULL;
    }
    return lp_kit_result("split", lp_value_string(split_names[e->eval]), "metric",
                         lp_value_string(e->perf->name), "model",
                         mine ? lp_value_ref((lp_value *)(uintptr_t)mine) : NULL, "baselines", all,
                         (const char *)NULL);
}

static lp_value *class_labels(const lp_model *m)
{
    lp_value *l = lp_value_list();
    for (size_t k = 0; l && k < lp_model_n_classes(m); k++)
        lp_list_append(l, lp_value_string(lp_model_class_label(m, k)));
    return l;
}

/* One split's section: {rows, metrics, notes[, confusion_matrix, per_class, calibration]}. */
static lp_value *split_section(const model_checker *c, const evaluation *e, size_t i,
                               const lp_value *labels)
{
    const lp_mc_split *s = &e->split[i];
    lp_value *notes = lp_value_list();
    lp_value *metrics = notes ? lp_mc_metrics(s, e->names, notes) : NULL;
    lp_value *r = metrics ? lp_kit_result("rows", lp_value_int((int64_t)s->n), "metrics", metrics,
                                          "notes", notes, (const char *)NULL)
                          : NULL;
    if (!r) {
        lp_value_unref(notes);
        return NULL;
    }
    if (s->k && (lp_map_set(r, "confusion_matrix", lp_mc_confusion(s)) ||
                 lp_map_set(r, "per_class", lp_mc_per_class(s, labels)))) {
        lp_value_unref(r);
        return NULL;
    }
    lp_value *cal = s->k ? lp_mc_calibration(s, c->bins) : NULL;
    if (cal) lp_map_set(r, "calibration", cal);
    return r;
}

/* The whole check_model report (new ref) or NULL. */
static lp_value *model_report(lp_obj *self, model_checker *c, const lp_value *splits,
                              lp_value *model, const lp_model *m)
{
    const evaluation *ev = NULL;
    bool regression = lp_model_task_of(m) == LP_MODEL_REGRESSION;
    int rc = evaluation_of(&ev, self, c, splits, model, m, NULL);
    if (rc) return NULL;
    const evaluation e = *ev; /* a shallow copy: the memo owns the arrays */
    lp_value *checks = lp_value_list(), *sections = lp_value_map(), *labels = class_labels(m);
    if (rc == 0 && (!checks || !sections || !labels)) rc = lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t i = 0; rc == 0 && i < 3; i++) {
        if (!e.has[i]) continue;
        lp_value *sec = split_section(c, &e, i, labels);
        if (!sec || lp_map_set(sections, split_names[i], sec)) rc = LP_ENOMEM;
    }
    if (rc == 0) rc = check_thresholds(checks, c, sections);
    if (rc == 0) rc = check_gap(checks, c, &e, sections, regression);
    const char *eval = e.eval >= 0 ? split_names[e.eval] : "valid";
    const lp_value *es = lp_map_get(sections, eval);
    if (rc == 0) rc = check_calibration(checks, c, lp_map_get(es, "calibration"), eval);
    lp_value *base = NULL;
    if (rc == 0 && c->n_baselines) {
        base = e.forecast
                   ? lp_mc_forecast_baselines(&e.split[e.eval], eval, checks,
                                              c->baseline_sev_set ? c->baseline_sev : LP_CHK_WARN)
                   : baseline_section(c, &e, lp_map_get(es, "metrics"), checks);
        if (!base) rc = LP_ERROR;
    }
    lp_value *report = NULL;
    if (rc == 0)
        report = lp_kit_result("task", lp_value_string(lp_model_task_name(lp_model_task_of(m))),
                               "perf_metric", lp_value_string(e.perf->name), "eval_split",
                               lp_value_string(eval), "classes", lp_value_ref(labels), "checks",
                               lp_value_ref(checks), "splits", lp_value_ref(sections), "baselines",
                               base, (const char *)NULL);
    else
        lp_value_unref(base);
    if (report && lp_chk_summarize(report) < 0) {
        lp_value_unref(report);
        report = NULL;
    }
    lp_value_unref(checks);
    lp_value_unref(sections);
    lp_value_unref(labels);
    memo_done(c);
    return report;
}

/* ---- methods --------------------------------------------------------------------------- */

static lp_value *checker_check_model(lp_obj *self, lp_value *args)
{
    model_checker *c = lp_obj_state(self);
    lp_value *splits = lp_kit_arg_map(args, "splits", "check_model");
    lp_model *m = splits ? lp_kit_arg_model(args, "model", "check_model") : NULL;
    if (!m) return NULL;
    lp_value *report = model_report(self, c, splits, lp_map_get(args, "model"), m);
    if (!report) {
        lp_error_prefix("%s", c->who);
        return NULL;
    }
    int status = lp_chk_status_of(lp_value_as_string(lp_map_get(report, "status")));
    bool failed = c->fail_on != LP_CHK_OFF && status >= c->fail_on;
    lp_value *result = lp_chk_finish(lp_value_ref(report), lp_mc_report_html(report), c->dir,
                                     c->file, "model-checks");
    if (result && lp_map_set(result, "failed", lp_value_bool(failed))) {
        lp_value_unref(result);
        result = NULL;
    }
    if (result)
        lp_log(self, LP_LOG_INFO,
               "check_model: %s (%lld passed, %lld warnings, %lld errors); "
               "model checks report: %s",
               lp_chk_status_name(status),
               (long long)lp_value_as_int(lp_map_get(lp_map_get(report, "counts"), "PASS")),
               (long long)lp_value_as_int(lp_map_get(lp_map_get(report, "counts"), "WARN")),
               (long long)lp_value_as_int(lp_map_get(lp_map_get(report, "counts"), "ERROR")),
               lp_value_as_string(lp_map_get(result, "path")));
    else
        lp_error_prefix("%s", c->who);
    lp_value_unref(report);
    return result;
}

static lp_value *checker_get_baseline_comparison(lp_obj *self, lp_value *args)
{
    model_checker *c = lp_obj_state(self);
    lp_value *splits = lp_kit_arg_map(args, "splits", "get_baseline_comparison");
    lp_model *m = splits ? lp_kit_arg_model(args, "model", "get_baseline_comparison") : NULL;
    if (!m) return NULL;
    const evaluation *e = NULL;
    lp_value *result = NULL;
    int rc = evaluation_of(&e, self, c, splits, lp_map_get(args, "model"), m,
                           lp_map_get(args, "predictions"));
    if (rc == 0 && e->forecast) {
        result = lp_mc_forecast_baselines(&e->split[e->eval], split_names[e->eval], NULL, 0);
    } else if (rc == 0) {
        lp_value *mine = lp_mc_metrics(&e->split[e->eval], e->names, NULL);
        model_checker all = *c;
        if (!all.n_baselines) all.n_baselines = 2; /* asked for explicitly */
        result = mine ? baseline_section(&all, e, mine, NULL) : NULL;
        lp_value_unref(mine);
    }
    memo_done(c);
    if (!result) lp_error_prefix("%s", c->who);
    return result;
}

/* labels (taken) with proba's columns (taken; may be NULL) appended as
 * probability_<label>: the prediction frame of calculate_model_drift. New ref or NULL. */
static lp_frame *with_probabilities(lp_frame *labels, lp_frame *proba)
{
    int rc = 0;
    for (size_t j = 0; rc == 0 && proba && j < lp_frame_cols(proba); j++) {
        char *name = lp_asprintf("probability_%s", lp_frame_name(proba, j));
        rc = name ? lp_frame_add_column(labels, name, lp_column_ref(lp_frame_col(proba, j)))
                  : lp_error_set(LP_ENOMEM, "out of memory");
        free(name);
    }
    if (proba) lp_frame_unref(proba);
    if (rc && labels) {
        lp_frame_unref(labels);
        labels = NULL;
    }
    return labels;
}

/* prediction and probability_<label> columns of m on raw X. New ref or NULL. */
static lp_frame *prediction_frame(lp_obj *self, const lp_model *m, const lp_frame *X)
{
    lp_frame *features = NULL, *labels = NULL, *proba = NULL;
    int rc = lp_model_features(&features, lp_workflow_registry(lp_obj_workflow(self)), m, X);
    if (rc == 0)
        rc = lp_model_predict_both(&labels, lp_model_has_probabilities(m) ? &proba : NULL, m,
                                   features);
    if (features) lp_frame_unref(features);
    return rc == 0 ? with_probabilities(labels, proba) : NULL;
}

/* The lower-case hex SHA-256 of m's lp_model_save bytes into hex: the model a set of
 * reference predictions was computed with. 0 or LP_E*. */
static int model_fingerprint(char hex[65], const lp_model *m)
{
    uint8_t *bytes = NULL;
    size_t len = 0;
    int rc = lp_model_save(&bytes, &len, m);
    if (rc == 0) rc = lp_sha256_hex(bytes, len, hex);
    free(bytes);
    return rc;
}

/* The prediction frame of m on the frame the splits were cut from (*parent, borrowed),
 * in its row order, rebuilt from the evaluation's raw outputs: what prediction_frame
 * computes on that frame, without scoring it again. *out stays NULL (no error) when
 * the evaluated splits are not together every row of one frame exactly once (a split
 * without a row origin, two parents, rows missing or twice). 0 or LP_E*. */
static int reference_frame(lp_frame **out, const lp_frame **parent, const evaluation *e,
                           const lp_value *splits, const lp_model *m)
{
    *out = NULL;
    *parent = NULL;
    size_t total = 0, k = lp_model_n_outputs(m);
    for (size_t i = 0; i < 3; i++) {
        char xk[16];
        snprintf(xk, sizeof xk, "X_%s", split_names[i]);
        const lp_frame *X = lp_value_as_frame(lp_map_get(splits, xk));
        const lp_frame_origin *o = X ? lp_frame_origin_of(X) : NULL;
        if (!X) continue;
        if (!e->has[i] || !o || !e->split[i].raw || e->split[i].n_out != k) return 0;
        if (*parent && lp_frame_origin_parent(o) != *parent) return 0;
        *parent = lp_frame_origin_parent(o);
        total += e->split[i].n;
    }
    size_t rows = *parent ? lp_frame_rows(*parent) : 0;
    if (!*parent || total != rows) return 0;
    double *raw = malloc((rows ? rows * k : 1) * sizeof *raw);
    bool *seen = calloc(rows ? rows : 1, sizeof *seen);
    int rc = raw && seen ? 0 : lp_error_set(LP_ENOMEM, "out of memory");
    bool whole = true;
    for (size_t i = 0; rc == 0 && whole && i < 3; i++) {
        char xk[16];
        snprintf(xk, sizeof xk, "X_%s", split_names[i]);
        const lp_frame *X = lp_value_as_frame(lp_map_get(splits, xk));
        if (!X) continue;
        size_t len = 0;
        const uint8_t *b = lp_frame_origin_bytes(lp_frame_origin_of(X), &len);
        whole = len == 4 * e->split[i].n;
        for (size_t j = 0; whole && j < e->split[i].n; j++) {
            const uint8_t *p = b + 4 * j;
            size_t r = (size_t)p[0] | (size_t)p[1] << 8 | (size_t)p[2] << 16 | (size_t)p[3] << 24;
            whole = r < rows && !seen[r];
            if (whole) {
                seen[r] = true;
                memcpy(raw + r * k, e->split[i].raw + j * k, k * sizeof *raw);
            }
        }
    }
    lp_frame *labels = NULL, *proba = NULL;
    if (rc == 0 && whole)
        rc = lp_model_frames_from_outputs(&labels, lp_model_has_probabilities(m) ? &proba : NULL, m,
                                          raw, rows);
    if (rc == 0 && whole && !(*out = with_probabilities(labels, proba))) rc = LP_ENOMEM;
    free(raw);
    free(seen);
    return rc;
}

/* The columns of cur that ref also has, as a new frame. */
static lp_frame *common_columns(const lp_frame *cur, const lp_frame *ref)
{
    lp_frame *f = lp_frame_new();
    for (size_t j = 0; f && j < lp_frame_cols(cur); j++)
        if (lp_frame_find(ref, lp_frame_name(cur, j)) >= 0 &&
            lp_frame_add_column(f, lp_frame_name(cur, j), lp_column_ref(lp_frame_col(cur, j)))) {
            lp_frame_unref(f);
            return NULL;
        }
    return f;
}

/* get_reference_predictions(splits, model) -> {frame, data, model} or null: the
 * model's prediction frame (calculate_model_drift's reference) on the frame the splits
 * were cut from, in its row order, rebuilt from the predictions get_baseline_comparison
 * just made on those splits (no scoring); `data` names that frame's stored object and
 * `model` is the model's fingerprint, so that a later drift uses it only for the same
 * training data and model. null when there is no such evaluation to reuse, the splits
 * do not cover one frame exactly once, or that frame was never stored. */
static lp_value *checker_get_reference_predictions(lp_obj *self, lp_value *args)
{
    model_checker *c = lp_obj_state(self);
    lp_value *splits = lp_kit_arg_map(args, "splits", "get_reference_predictions");
    lp_model *m = splits ? lp_kit_arg_model(args, "model", "get_reference_predictions") : NULL;
    if (!m) return NULL;
    const evaluation *e = memo_peek(c, splits, lp_map_get(args, "model"));
    lp_frame *ref = NULL;
    const lp_frame *parent = NULL;
    char data[65], fp[65];
    int rc = e ? reference_frame(&ref, &parent, e, splits, m) : 0;
    if (rc == 0 && ref && !lp_frame_object_recall(parent, data, NULL)) {
        lp_frame_unref(ref);
        ref = NULL;
    }
    if (rc == 0 && ref) rc = model_fingerprint(fp, m);
    if (rc) {
        if (ref) lp_frame_unref(ref);
        lp_error_prefix("%s", c->who);
        return NULL;
    }
    if (!ref) return lp_value_null();
    lp_value *frame = lp_value_frame(ref);
    lp_frame_unref(ref);
    lp_value *result = frame ? lp_kit_result("frame", frame, "data", lp_value_string(data), "model",
                                             lp_value_string(fp), (const char *)NULL)
                             : NULL;
    if (!result) lp_error_prefix("%s", c->who);
    return result;
}

/* The reference frame of calculate_model_drift: splits' reference_predictions when its
 * reference_model is m's fingerprint and it has a row per row of X (the train pipeline
 * stored it: get_reference_predictions), else m's predictions on X. New ref or NULL. */
static lp_frame *drift_reference(lp_obj *self, const lp_value *splits, const lp_model *m,
                                 const lp_frame *X)
{
    lp_frame *given = lp_value_as_frame(lp_map_get(splits, "reference_predictions"));
    const char *want = lp_value_as_string(lp_map_get(splits, "reference_model"));
    char fp[65];
    if (given && want && lp_frame_rows(given) == lp_frame_rows(X)) {
        if (model_fingerprint(fp, m) != 0) return NULL;
        if (strcmp(fp, want) == 0) {
            lp_log(self, LP_LOG_DEBUG,
                   "calculate_model_drift: the reference predictions stored with the model");
            return lp_frame_ref(given);
        }
    }
    return prediction_frame(self, m, X);
}

static lp_value *checker_calculate_model_drift(lp_obj *self, lp_value *args)
{
    model_checker *c = lp_obj_state(self);
    lp_value *splits = lp_kit_arg_map(args, "splits", "calculate_model_drift");
    lp_model *m = splits ? lp_kit_arg_model(args, "model", "calculate_model_drift") : NULL;
    lp_frame *X = m ? lp_value_as_frame(lp_map_get(splits, "X_train")) : NULL;
    if (!m) return NULL;
    if (!X) return lp_kit_fail(LP_EINVAL, "%s: calculate_model_drift needs X_train", c->who);
    static const char *const current[] = {"predictions", "X_predict", "X_test", "X_valid"};
    const char *which = NULL;
    lp_frame *cur = NULL, *ref = drift_reference(self, splits, m, X);
    for (size_t i = 0; ref && !which && i < 4; i++) {
        lp_frame *f = lp_value_as_frame(lp_map_get(splits, current[i]));
        if (!f) continue;
        which = current[i];
        cur = i == 0 ? common_columns(f, ref) : prediction_frame(self, m, f);
    }
    lp_value *report = NULL;
    if (ref && !which)
        lp_error_set(LP_EINVAL, "calculate_model_drift: the splits hold no predictions, "
                                "X_predict, X_test or X_valid to compare with X_train");
    else if (cur)
        report = lp_prof_compare(cur, ref, &c->drift);
    if (cur) lp_frame_unref(cur);
    if (ref) lp_frame_unref(ref);
    if (!report) {
        lp_error_prefix("%s", c->who);
        return NULL;
    }
    bool drift = lp_value_as_bool(lp_map_get(report, "dataset_drift"));
    lp_map_set(report, "reference", lp_value_string("X_train"));
    lp_map_set(report, "current", lp_value_string(which));
    lp_map_set(report, "status",
               lp_value_string(lp_chk_status_name(drift ? c->drift_sev : LP_CHK_PASS)));
    lp_log(self, LP_LOG_INFO,
           "calculate_model_drift: the model's predictions on %s vs on X_train: %s",
           strcmp(which, "predictions") == 0 ? "the scored data" : which,
           drift ? "drifted" : "no drift");
    lp_value *result =
        lp_chk_finish(lp_value_ref(report), lp_prof_compare_html(report, "Prediction drift"),
                      c->dir, NULL, "prediction-drift");
    lp_value_unref(report);
    if (!result) lp_error_prefix("%s", c->who);
    return result;
}

static lp_value *checker_compare_models(lp_obj *self, lp_value *args)
{
    lp_value *mv = lp_map_get(args, "model_version");
    lp_value *other = lp_map_get(args, "other_model_version");
    if (lp_value_type(other) != LP_MAP) return lp_value_bool(true);
    lp_value *names = NULL, *perf = NULL;
    bool maximize = false;
    if (lp_experiment_metrics(self, &names, &perf, &maximize) != 0) return NULL;
    const char *metric = lp_value_as_string(perf);
    double fresh = NAN, old = NAN;
    bool better = true;
    if (lp_kit_winning_metric(self, mv, metric, &fresh) == 0 &&
        lp_kit_winning_metric(self, other, metric, &old) == 0)
        better = maximize ? fresh > old : fresh < old;
    lp_error_clear();
    /* the same words as OfflineTrain's own comparison: the other version is the deployed one */
    lp_log(self, LP_LOG_INFO, "compare_models: new %s %.6g vs deployed version %lld %.6g: %s",
           metric, fresh, (long long)lp_value_as_int(lp_map_get(other, "version")), old,
           better ? "new is better" : "deployed stays");
    lp_value_unref(names);
    lp_value_unref(perf);
    return lp_value_bool(better);
}

static const lp_method checker_methods[] = {
    {"check_model", checker_check_model,
     "check_model(splits, model) -> {report, path, status, failed}: metrics per split, "
     "thresholds, overfitting gap, confusion matrix, per-class metrics, calibration, baselines"},
    {"get_baseline_comparison", checker_get_baseline_comparison,
     "get_baseline_comparison(splits, model, predictions?) -> {split, metric, model, "
     "baselines}; predictions (map split -> prediction and probability_<label> frame, in the "
     "split's row order) are used instead of scoring those splits again"},
    {"calculate_model_drift", checker_calculate_model_drift,
     "calculate_model_drift(splits, model) -> {report, path, status}: drift of the "
     "predictions on predictions / X_predict / X_test / X_valid against X_train's "
     "(splits.reference_predictions when its reference_model is this model's)"},
    {"get_reference_predictions", checker_get_reference_predictions,
     "get_reference_predictions(splits, model) -> {frame, data, model} or null: the "
     "predictions on the frame the splits came from, rebuilt from get_baseline_comparison's"},
    {"compare_models", checker_compare_models,
     "compare_models(model_version, other_model_version) -> better (perf_metric)"},
    {NULL, NULL, NULL},
};

static const lp_config_key checker_keys[] = {
    {"thresholds", "map", "split -> metric -> floor (or ceiling for error metrics)"},
    {"threshold_severity", "string", "ERROR (default) or WARN"},
    {"overfitting", "any", "{metric, max_gap (0.1), severity (WARN)} or off"},
    {"calibration", "map", "{bins (10), max_ece, severity (WARN)}"},
    {"baselines", "any",
     "{strategies: [majority, stratified] or [mean, median], severity (ERROR), seed} or off"},
    {"drift", "map", "prediction drift thresholds as the data profiler's, and severity (WARN)"},
    {"fail_on", "string", "ERROR or WARN: stop the workflow when the status reaches it"},
    {"dir", "string", "directory of the reports (default .lolpop/reports)"},
    {"report_file", "string", "write the check_model report to this file instead"},
    {NULL, NULL, NULL},
};

const lp_class lp_local_model_checker_class = {
    .name = "LocalModelChecker",
    .kind = LP_KIND_COMPONENT,
    .type = "model_checker",
    .doc = "Checks a trained model: metrics per split against thresholds, the train-valid gap, "
           "confusion matrix and per-class precision / recall / f1, calibration (Brier score, "
           "expected calibration error), and the baselines it must beat (majority / stratified "
           "classes, mean / median); the drift of its predictions on new data; and compares "
           "model versions on perf_metric. Reports are self-contained HTML with a JSON twin.",
    .defaults_yaml = NULL,
    .requirements = lp_no_requirements,
    .config_keys = checker_keys,
    .methods = checker_methods,
    .state_size = sizeof(model_checker),
    .init = checker_init,
    .fini = checker_fini,
};
