/*
 * trainer_predict.c — the model trainers' predictions and metrics: the
 * attached feature transformer applied first, labels, class probabilities
 * named probability_<label>, and metrics per split.
 */
#include <stdlib.h>
#include <string.h>

#include "components/model_trainer/trainer.h"
#include "data/time_freq.h"
#include "lolpop/metrics.h"
#include "ml/forecast_metrics.h"
#include "lolpop/types/feature_transformer.h"
#include "lolpop/workflow.h"

/* ---- the attached feature transformer ------------------------------------------------ */

/* Whether the transformer's current state is exactly `state` (a save() away). */
static bool transformer_holds(lp_obj *ft, const uint8_t *state, size_t len)
{
    lp_value *cur = lp_feature_transformer_save(ft);
    bool same = lp_value_type(cur) == LP_STRING && lp_value_string_len(cur) == len &&
                memcmp(lp_value_as_string(cur), state, len) == 0;
    if (!cur) lp_error_clear(); /* not fitted: load will set it */
    lp_value_unref(cur);
    return same;
}

/* Gives the transformer m's state unless it holds it already. The cache
 * (the model this trainer last fitted or loaded the transformer for) is
 * checked against the transformer's state because a transformer may be
 * shared: another trainer's fit changes it behind this one's back. */
static int ensure_loaded(lp_obj *self, lp_obj *ft, lp_model *m, const uint8_t *state, size_t len)
{
    lp_trainer *st = lp_obj_state(self);
    if (st->ft_model == m && transformer_holds(ft, state, len)) return 0;
    lp_value *data = lp_value_stringn((const char *)state, len);
    int rc = data ? lp_feature_transformer_load(ft, data) : LP_ENOMEM;
    lp_value_unref(data);
    if (rc == 0) lp_trainer_set_ft_model(self, m);
    return rc;
}

int lp_trainer_features(lp_frame **out, lp_obj *self, lp_model *m, lp_frame *X)
{
    lp_obj *ft = lp_obj_component(self, "feature_transformer");
    if (!ft) /* a self-contained model: its saved state applies without a component */
        return lp_model_features(out, lp_workflow_registry(lp_obj_workflow(self)), m, X);
    char *name;
    const uint8_t *state;
    size_t slen;
    int rc = lp_model_feature_state(&name, &state, &slen, m);
    if (rc == 0 && !state) *out = lp_frame_ref(X);
    if (rc || !state) return rc;
    if (strcmp(lp_obj_class(ft)->name, name) != 0)
        rc =
            lp_error_set(LP_ECONFIG,
                         "the model was trained after a %s feature_transformer but the one "
                         "visible from %s is a %s",
                         *name ? name : "(unnamed)", lp_trainer_path(self), lp_obj_class(ft)->name);
    else if ((rc = ensure_loaded(self, ft, m, state, slen)) == 0)
        rc = lp_trainer_transform(out, ft, X);
    free(name);
    return rc;
}

/* ---- predict and predict_proba ------------------------------------------------------- */

static lp_value *frame_result(int rc, lp_frame *f)
{
    if (rc) return NULL;
    lp_value *v = lp_value_frame(f);
    lp_frame_unref(f);
    return v;
}

/* The columns of p (named by class label) renamed probability_<label>. */
static int name_probabilities(lp_frame **out, lp_frame *p)
{
    lp_frame *f = lp_frame_new();
    int rc = f ? 0 : lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t j = 0; rc == 0 && j < lp_frame_cols(p); j++) {
        char *name = lp_asprintf("probability_%s", lp_frame_name(p, j));
        rc = name ? lp_frame_add_column(f, name, lp_column_ref(lp_frame_col(p, j))) : LP_ENOMEM;
        free(name);
    }
    if (rc) {
        lp_frame_unref(f);
        return rc;
    }
    *out = f;
    return 0;
}

void lp_trainer_forget_proba(lp_trainer *st)
{
    lp_model_unref(st->proba_model);
    if (st->proba_X) lp_frame_unref(st->proba_X);
    if (st->proba) lp_frame_unref(st->proba);
    st->proba_model = NULL;
    st->proba_X = st->proba = NULL;
}

/* Keeps proba (taken) as the answer to predict_proba(X, m). */
static void keep_proba(lp_trainer *st, lp_model *m, lp_frame *X, lp_frame *proba)
{
    lp_trainer_forget_proba(st);
    if (name_probabilities(&st->proba, proba) != 0) {
        lp_error_clear(); /* only a shortcut lost */
        st->proba = NULL;
    } else {
        st->proba_model = lp_model_ref(m);
        st->proba_X = lp_frame_ref(X);
    }
    lp_frame_unref(proba);
}

void lp_trainer_forget_train_outputs(lp_trainer *st)
{
    lp_model_unref(st->train_model);
    if (st->train_X) lp_frame_unref(st->train_X);
    free(st->train_outputs);
    st->train_model = NULL;
    st->train_X = NULL;
    st->train_outputs = NULL;
}

/* predict(frame, model?) -> predictions: one column `prediction`. */
LP_API lp_value *lp_trainer_predict(lp_obj *self, lp_value *args)
{
    lp_frame *X = lp_kit_arg_frame(args, "frame", NULL);
    lp_model *m = X ? lp_trainer_model(self, args) : NULL;
    lp_frame *Xf = NULL, *out = NULL, *proba = NULL;
    if (!m) return NULL;
    lp_trainer *st = lp_obj_state(self);
    bool both = lp_model_has_probabilities(m);
    int rc;
    if (st->train_outputs && st->train_model == m && st->train_X == X) {
        /* the training split of the fit that made m: its outputs are known */
        rc = lp_model_frames_from_outputs(&out, both ? &proba : NULL, m, st->train_outputs,
                                          lp_frame_rows(X));
    } else {
        if (lp_trainer_features(&Xf, self, m, X)) return NULL;
        rc = lp_model_predict_both(&out, both ? &proba : NULL, m, Xf);
        lp_frame_unref(Xf);
    }
    if (rc == 0 && proba) keep_proba(st, m, X, proba);
    return frame_result(rc, out);
}

static int class_probabilities(lp_frame **out, lp_obj *self, lp_model *m, lp_frame *X)
{
    if (lp_model_task_of(m) == LP_MODEL_REGRESSION)
        return lp_error_set(LP_EINVAL,
                            "the model of '%s' is a regression model: it has no class "
                            "probabilities (use predict)",
                            lp_model_target(m));
    lp_frame *Xf = NULL, *p = NULL;
    int rc = lp_trainer_features(&Xf, self, m, X);
    if (rc) return rc;
    /* refused for a back-end whose classifiers give scores (liblinear's svm) */
    rc = lp_model_predict_proba(&p, m, Xf);
    lp_frame_unref(Xf);
    if (rc == 0) {
        rc = name_probabilities(out, p);
        lp_frame_unref(p);
    }
    return rc;
}

/* predict_proba(frame, model?) -> probabilities: probability_<label> per class. */
LP_API lp_value *lp_trainer_predict_proba(lp_obj *self, lp_value *args)
{
    lp_frame *X = lp_kit_arg_frame(args, "frame", NULL);
    lp_model *m = X ? lp_trainer_model(self, args) : NULL;
    lp_frame *out = NULL;
    if (!m) return NULL;
    lp_trainer *st = lp_obj_state(self);
    if (st->proba && st->proba_model == m && st->proba_X == X) {
        out = lp_frame_ref(st->proba); /* computed by predict on this very frame */
        lp_trainer_forget_proba(st);
        return frame_result(0, out);
    }
    int rc = class_probabilities(&out, self, m, X);
    return frame_result(rc, out);
}

/* ---- calculate_metrics ------------------------------------------------------------------ */

/* A class label of m as a value of the target's type (what y holds). */
static lp_value *label_value(const lp_model *m, size_t k)
{
    const char *s = lp_model_class_label(m, k);
    switch (lp_model_target_dtype(m)) {
    case LP_DT_INT64:
        return lp_value_int(strtoll(s, NULL, 10));
    case LP_DT_BOOL:
        return lp_value_bool(strcmp(s, "true") == 0);
    case LP_DT_FLOAT64:
    case LP_DT_TIMESTAMP:
        return lp_value_float(strtod(s, NULL));
    default:
        return lp_value_string(s);
    }
}

/* m's classes in model order as typed labels (a new list). */
static lp_value *class_list(const lp_model *m)
{
    lp_value *l = lp_value_list();
    for (size_t k = 0; l && k < lp_model_n_classes(m); k++)
        if (lp_list_append(l, label_value(m, k))) {
            lp_value_unref(l);
            return NULL;
        }
    return l;
}

/* The probability_<label> columns of pred in class order, or NULL (no error)
 * when any is missing: metrics needing probabilities then say so. */
static lp_frame *proba_of(const lp_model *m, const lp_frame *pred)
{
    size_t k = lp_model_n_classes(m);
    const char **names = calloc(k ? k : 1, sizeof *names);
    char **owned = calloc(k ? k : 1, sizeof *owned);
    bool ok = names && owned;
    for (size_t i = 0; ok && i < k; i++) {
        owned[i] = lp_asprintf("probability_%s", lp_model_class_label(m, i));
        ok = owned[i] && lp_frame_find(pred, owned[i]) >= 0;
        names[i] = owned[i];
    }
    lp_frame *p = NULL;
    if (ok && k && lp_frame_select(&p, pred, names, k)) p = NULL;
    for (size_t i = 0; owned && i < k; i++)
        free(owned[i]);
    free(owned);
    free(names);
    lp_error_clear();
    return p;
}

typedef struct metric_inputs {
    lp_metric_task task;
    const lp_frame *y, *pred, *proba;
    const lp_value *classes;
    const lp_fc_inputs *fc; /* forecast inputs (mase, coverage), or NULL */
} metric_inputs;

/* One metric name of a list into a new map {name: value}: the forecast
 * metrics from in->fc, the others by lp_metrics_compute. */
static int one_metric(lp_value **out, const lp_value *name, const metric_inputs *in)
{
    const lp_metric_info *mi = NULL;
    if (lp_metric_lookup(&mi, lp_value_as_string(name)) != 0) return lp_error_last()->code;
    if (mi->id != LP_METRIC_MASE && mi->id != LP_METRIC_COVERAGE) {
        lp_value *one = lp_value_list();
        int rc = one ? lp_list_append(one, lp_value_ref((lp_value *)(uintptr_t)name)) : LP_ENOMEM;
        if (rc == 0)
            rc = lp_metrics_compute(out, in->task, one, in->y, in->pred, in->proba, in->classes);
        lp_value_unref(one);
        return rc;
    }
    double v = 0.0;
    int rc = in->fc ? lp_fc_metric_compute(&v, mi, in->fc)
                    : lp_error_set(LP_EINVAL, "metric '%s' needs a forecast", mi->name);
    if (rc) return rc;
    *out = lp_kit_result(mi->name, lp_value_float(v), (const char *)NULL);
    return *out ? 0 : LP_ENOMEM;
}

static bool wants_forecast_metrics(const lp_value *names);

/* After one try with all of them at once: each metric on its own, so that one
 * that cannot be computed here (rocauc with a single class in a small split)
 * is left out with a warning instead of losing the others; all of them
 * failing is an error. */
static int split_metrics(lp_value **out, lp_obj *self, const char *split, const lp_value *names,
                         const metric_inputs *in)
{
    /* All at once first: the labels are mapped to classes once for every
     * metric instead of once per metric; the values are the same. */
    if (lp_value_type(names) == LP_LIST && !wants_forecast_metrics(names)) {
        if (lp_metrics_compute(out, in->task, names, in->y, in->pred, in->proba, in->classes) == 0)
            return 0;
        if (lp_error_last()->code == LP_ENOMEM) return LP_ENOMEM;
        lp_error_clear(); /* one failed: each on its own below, to keep the others */
    }
    lp_value *res = lp_value_map();
    size_t failed = 0, n = lp_list_len(names);
    int rc = res ? 0 : LP_ENOMEM;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        lp_value *got = NULL;
        if (one_metric(&got, lp_list_get(names, i), in) != 0) {
            if (lp_error_last()->code == LP_ENOMEM) {
                rc = LP_ENOMEM;
                break;
            }
            failed++;
            if (failed < n)
                lp_log(self, LP_LOG_WARN, "metric %s on the %s split left out: %s",
                       lp_value_as_string(lp_list_get(names, i)), split, lp_error_last()->message);
        } else if (rc == 0) {
            rc = lp_map_set(res, lp_map_key(got, 0), lp_value_ref(lp_map_value(got, 0)));
        }
        lp_value_unref(got);
    }
    if (rc == 0 && n && failed == n) {
        lp_error_prefix("%s split", split);
        rc = lp_error_last()->code;
    }
    if (rc) {
        lp_value_unref(res);
        return rc;
    }
    *out = res;
    return 0;
}

/* Whether names asks for mase or coverage. */
static bool wants_forecast_metrics(const lp_value *names)
{
    for (size_t i = 0; i < lp_list_len(names); i++) {
        const lp_metric_info *mi = NULL;
        if (lp_metric_lookup(&mi, lp_value_as_string(lp_list_get(names, i))) == 0 &&
            (mi->id == LP_METRIC_MASE || mi->id == LP_METRIC_COVERAGE))
            return true;
    }
    lp_error_clear();
    return false;
}

/* The arrays behind an lp_fc_inputs (malloc'ed). */
typedef struct fc_arrays {
    double *y, *pred, *train, *lower, *upper;
} fc_arrays;

static void fc_arrays_free(fc_arrays *a)
{
    free(a->y), free(a->pred), free(a->train), free(a->lower), free(a->upper);
}

/* The season of the training series, as the TimeSeriesRunner's baseline
 * comparison takes it (the data's, not the model's: a non-seasonal model of
 * monthly data is still scaled by 12-month differences): the season of
 * forecast_frequency (the model's resolved params, then config), else of the
 * frequency of X_train's time_index column, else 1. */
static size_t training_season(lp_obj *self, const lp_model *m, const lp_value *splits)
{
    const char *fp = lp_value_as_string(lp_map_get(lp_model_params(m), "forecast_frequency"));
    char *alias = fp ? lp_strdup(fp) : lp_obj_config_string(self, "forecast_frequency");
    char *ti = lp_obj_config_string(self, "time_index");
    size_t season =
        lp_freq_season_of_frame(alias, lp_value_as_frame(lp_map_get(splits, "X_train")), ti);
    free(ti), free(alias);
    return season;
}

/* The inputs of mase and coverage for one split: its truth and forecasts,
 * the training series (y_train in time order, as a forecasting runner
 * splits), the season, and the interval at config interval_width (0.8) when
 * the model has intervals (none: coverage fails, the others do not). */
static int forecast_inputs(lp_fc_inputs *in, fc_arrays *a, lp_obj *self, const lp_model *m,
                           const lp_value *splits, const char *split, const lp_frame *y,
                           const lp_frame *yp)
{
    memset(a, 0, sizeof *a);
    const lp_frame *yt = lp_value_as_frame(lp_map_get(splits, "y_train"));
    char key[64];
    snprintf(key, sizeof key, "X_%s", split);
    const lp_frame *X = lp_value_as_frame(lp_map_get(splits, key));
    a->y = lp_column_to_f64(lp_frame_col(y, 0));
    a->pred = lp_column_to_f64(lp_frame_col(yp, 0));
    a->train = yt && lp_frame_cols(yt) ? lp_column_to_f64(lp_frame_col(yt, 0)) : NULL;
    if (!a->y || !a->pred || (yt && !a->train)) return lp_error_set(LP_ENOMEM, "out of memory");
    *in = (lp_fc_inputs){.y_true = a->y,
                         .y_pred = a->pred,
                         .n = lp_frame_rows(y),
                         .y_train = a->train,
                         .n_train = yt ? lp_frame_rows(yt) : 0,
                         .m = training_season(self, m, splits)};
    lp_frame *iv = NULL;
    double width = lp_obj_config_float(self, "interval_width", 0.8);
    if (!X || !lp_model_has_intervals(m) || !(width > 0 && width < 1) ||
        lp_model_predict_interval(&iv, m, X, width) != 0) {
        lp_error_clear(); /* no interval: coverage says so */
        return 0;
    }
    const lp_column *lc = lp_frame_col_by_name(iv, "lower"),
                    *uc = lp_frame_col_by_name(iv, "upper");
    a->lower = lc ? lp_column_to_f64(lc) : NULL;
    a->upper = uc ? lp_column_to_f64(uc) : NULL;
    size_t rows = lp_frame_rows(iv);
    lp_frame_unref(iv);
    if (a->lower && a->upper && rows == in->n) {
        in->lower = a->lower;
        in->upper = a->upper;
    }
    return 0;
}

/* y_<split> and the predictions of one split into a metric map. */
static int metrics_of_split(lp_value **out, lp_obj *self, const lp_model *m, const lp_value *splits,
                            const char *split, const lp_value *pv, const lp_value *names,
                            const lp_value *classes)
{
    char key[64];
    snprintf(key, sizeof key, "y_%s", split);
    lp_frame *y = lp_value_as_frame(lp_map_get(splits, key)), *pred = lp_value_as_frame(pv);
    if (!y)
        return lp_error_set(LP_EINVAL, "predictions has split '%s' but splits has no %s", split,
                            key);
    if (!pred)
        return lp_error_set(LP_EINVAL, "predictions.%s must be a frame, got %s", split,
                            lp_vtype_name(lp_value_type(pv)));
    const char *col = "prediction";
    lp_frame *yp = NULL;
    if (lp_frame_select(&yp, pred, &col, 1)) return lp_error_last()->code;
    metric_inputs in = {lp_model_task_of(m) == LP_MODEL_REGRESSION ? LP_TASK_REGRESSION
                                                                   : LP_TASK_CLASSIFICATION,
                        y,
                        yp,
                        NULL,
                        classes,
                        NULL};
    lp_frame *proba = in.task == LP_TASK_CLASSIFICATION ? proba_of(m, pred) : NULL;
    in.proba = proba;
    lp_fc_inputs fc;
    fc_arrays arrays = {0};
    int rc = 0;
    if (in.task == LP_TASK_REGRESSION && wants_forecast_metrics(names)) {
        rc = forecast_inputs(&fc, &arrays, self, m, splits, split, y, yp);
        in.fc = &fc;
    }
    if (rc == 0) rc = split_metrics(out, self, split, names, &in);
    fc_arrays_free(&arrays);
    lp_frame_unref(yp);
    if (proba) lp_frame_unref(proba);
    return rc;
}

/* metrics as a list of names (a new reference): a single name becomes a list. */
static lp_value *metric_names(const lp_value *v)
{
    if (lp_value_type(v) == LP_LIST) return lp_value_ref((lp_value *)(uintptr_t)v);
    lp_value *l = lp_value_list();
    if (l && lp_list_append(l, lp_value_copy(v))) {
        lp_value_unref(l);
        return NULL;
    }
    return l;
}

/* calculate_metrics(splits, predictions, metrics, model?) -> map split ->
 * metric -> value, for every split in predictions (train, valid, test). */
LP_API lp_value *lp_trainer_calculate_metrics(lp_obj *self, lp_value *args)
{
    const lp_value *splits = lp_map_get(args, "splits"), *preds = lp_map_get(args, "predictions");
    const lp_value *want = lp_map_get(args, "metrics");
    lp_model *m = lp_trainer_model(self, args);
    if (!m) return NULL;
    if (lp_value_type(splits) != LP_MAP || lp_value_type(preds) != LP_MAP) {
        lp_error_set(LP_EINVAL, "arguments 'splits' and 'predictions' must be maps");
        return NULL;
    }
    lp_metric_task task =
        lp_model_task_of(m) == LP_MODEL_REGRESSION ? LP_TASK_REGRESSION : LP_TASK_CLASSIFICATION;
    if (lp_metrics_check(want, task)) return NULL;
    lp_value *names = metric_names(want), *res = lp_value_map();
    lp_value *classes = task == LP_TASK_CLASSIFICATION ? class_list(m) : NULL;
    int rc = names && res && (classes || task == LP_TASK_REGRESSION) ? 0 : LP_ENOMEM;
    for (size_t i = 0; rc == 0 && i < lp_map_len(preds); i++) {
        lp_value *one = NULL;
        rc = metrics_of_split(&one, self, m, splits, lp_map_key(preds, i), lp_map_value(preds, i),
                              names, classes);
        if (rc == 0) rc = lp_map_set(res, lp_map_key(preds, i), one);
    }
    lp_value_unref(names);
    lp_value_unref(classes);
    if (rc) {
        lp_value_unref(res);
        return NULL;
    }
    return res;
}
