/*
 * trainer_cv.c — cross_validate of the forecasting trainers (trainer_cv.h):
 * the history frame sorted by time, the cv_* settings with their defaults,
 * and a forecaster (ml/forecast_cv.h) that fits the trainer's model on the
 * rows before each origin and predicts the rows after it.
 */
#include "components/model_trainer/trainer_cv.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "components/model_trainer/trainer.h"
#include "data/time_freq.h"
#include "ml/forecast_cv.h"
#include "ml/ml_parallel.h"

/* The history: X (time index as a timestamp column, regressors) and y (the
 * target), rows in time order. */
typedef struct history {
    lp_obj *self;
    lp_trainer_cv_fit fit;
    char *config_ti;        /* config time_index (NULL when unset), read once for the folds */
    const lp_value *params; /* resolved training params */
    lp_frame *X, *y;
    size_t *rows; /* 0..n-1, for lp_frame_take */
    int64_t *ts;  /* sorted stamps */
    double *v;    /* target values (NaN where missing) */
    size_t n;
} history;

static void history_free(history *h)
{
    free(h->config_ti);
    lp_frame_unref(h->X);
    lp_frame_unref(h->y);
    free(h->rows);
    free(h->ts);
    free(h->v);
}

/* The frame of X_train's columns and y_train's (args.frame as a splits map);
 * *target: y_train's column name (new string). */
static int from_splits(lp_frame **out, char **target, const lp_value *splits)
{
    lp_frame *X = lp_value_as_frame(lp_map_get(splits, "X_train"));
    lp_frame *y = lp_value_as_frame(lp_map_get(splits, "y_train"));
    if (!X || !y || lp_frame_rows(X) != lp_frame_rows(y) || lp_frame_cols(y) != 1)
        return lp_error_set(LP_EINVAL, "frame: a splits map needs frames X_train and y_train (one "
                                       "column) of the same length");
    if (!(*target = lp_strdup(lp_frame_name(y, 0))))
        return lp_error_set(LP_ENOMEM, "out of memory");
    lp_frame *f = lp_frame_new();
    int rc = f ? 0 : LP_ENOMEM;
    for (size_t j = 0; rc == 0 && j < lp_frame_cols(X); j++)
        rc = lp_frame_add_column(f, lp_frame_name(X, j), lp_column_ref(lp_frame_col(X, j)));
    for (size_t j = 0; rc == 0 && j < lp_frame_cols(y); j++)
        rc = lp_frame_add_column(f, lp_frame_name(y, j), lp_column_ref(lp_frame_col(y, j)));
    if (rc) {
        lp_frame_unref(f);
        return rc == LP_ENOMEM ? lp_error_set(rc, "out of memory") : rc;
    }
    *out = f;
    return 0;
}

/* The only column of f other than target that is a timestamp (text: whose
 * values all parse as ISO dates when `text`); NULL for none, "" for several. */
static const char *only_time_column(const lp_frame *f, const char *target, bool text)
{
    const char *found = NULL;
    for (size_t j = 0; j < lp_frame_cols(f); j++) {
        const lp_column *c = lp_frame_col(f, j);
        if (strcmp(lp_frame_name(f, j), target) == 0) continue;
        bool is = c->type == LP_DT_TIMESTAMP;
        if (text && (c->type == LP_DT_STRING || c->type == LP_DT_CATEGORY)) {
            int64_t *ts = NULL;
            is = lp_time_index_read(&ts, c, lp_frame_name(f, j)) == 0;
            free(ts);
            lp_error_clear();
        }
        if (!is) continue;
        if (found) return "";
        found = lp_frame_name(f, j);
    }
    return found;
}

/* The name of the time index: config time_index, else the frame's only
 * timestamp column, else its only column of ISO dates as text (a new string). */
static int time_index_name(char **out, lp_obj *self, const lp_frame *f, const char *target)
{
    *out = lp_kit_config_string(self, "time_index", NULL);
    if (*out)
        return lp_frame_find(f, *out) >= 0
                   ? 0
                   : lp_error_set(LP_EINVAL, "the frame has no time index column '%s'", *out);
    const char *found = only_time_column(f, target, false);
    if (!found) found = only_time_column(f, target, true);
    if (found && !*found)
        return lp_error_set(LP_EINVAL, "the frame has several time columns; set config "
                                       "time_index");
    if (!found)
        return lp_error_set(LP_EINVAL, "the frame has no time column (timestamps or ISO dates); "
                                       "set config time_index");
    *out = lp_strdup(found);
    return *out ? 0 : lp_error_set(LP_ENOMEM, "out of memory");
}

/* Stable insertion order by stamp (histories are short and usually sorted). */
static void sort_rows(size_t *rows, size_t n, const int64_t *ts)
{
    for (size_t i = 1; i < n; i++) {
        size_t r = rows[i], k = i;
        while (k > 0 && ts[rows[k - 1]] > ts[r]) {
            rows[k] = rows[k - 1];
            k--;
        }
        rows[k] = r;
    }
}

/* f's rows in time order into h: X without the target, the index as
 * timestamps; y the target; v its values. */
static int history_read(history *h, lp_frame *f, const char *target, const char *ti)
{
    long tj = lp_frame_find(f, ti);
    h->n = lp_frame_rows(f);
    int64_t *raw = NULL;
    int rc = lp_time_index_read(&raw, lp_frame_col(f, (size_t)tj), ti);
    h->rows = rc == 0 ? malloc((h->n ? h->n : 1) * sizeof *h->rows) : NULL;
    h->ts = rc == 0 ? malloc((h->n ? h->n : 1) * sizeof *h->ts) : NULL;
    h->v = rc == 0 ? malloc((h->n ? h->n : 1) * sizeof *h->v) : NULL;
    if (rc == 0 && (!h->rows || !h->ts || !h->v)) rc = lp_error_set(LP_ENOMEM, "out of memory");
    lp_frame *sorted = NULL, *stamped = NULL;
    if (rc == 0) {
        for (size_t i = 0; i < h->n; i++)
            h->rows[i] = i;
        sort_rows(h->rows, h->n, raw);
        rc = lp_frame_take(&sorted, f, h->rows, h->n);
    }
    lp_column *tc = rc == 0 ? lp_column_new(LP_DT_TIMESTAMP, h->n) : NULL;
    if (rc == 0 && !tc) rc = lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t i = 0; rc == 0 && i < h->n; i++) {
        h->ts[i] = tc->data.i64[i] = raw[h->rows[i]];
        h->rows[i] = i;
    }
    /* X: every column but the target, the index replaced by timestamps */
    if (rc == 0) stamped = lp_frame_new();
    if (rc == 0 && !stamped) rc = lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t j = 0; rc == 0 && j < lp_frame_cols(sorted); j++) {
        const char *name = lp_frame_name(sorted, j);
        if (strcmp(name, target) == 0) continue;
        lp_column *c = (long)j == tj ? lp_column_ref(tc) : lp_column_ref(lp_frame_col(sorted, j));
        rc = lp_frame_add_column(stamped, name, c);
    }
    const char *tn[] = {target};
    if (rc == 0) rc = lp_frame_select(&h->y, sorted, tn, 1);
    lp_column *yc = rc == 0 ? lp_frame_col(h->y, 0) : NULL;
    for (size_t i = 0; rc == 0 && i < h->n; i++)
        h->v[i] = lp_column_get_f64(yc, i);
    if (rc == 0) h->X = lp_frame_ref(stamped);
    lp_column_unref(tc);
    lp_frame_unref(stamped);
    lp_frame_unref(sorted);
    free(raw);
    return rc;
}

/* ---- the cv settings --------------------------------------------------------------------- */

/* cv key from params, else the config looked up from self: *out (0 when unset). */
static int cv_setting(size_t *out, lp_obj *self, const lp_value *params, const char *key)
{
    lp_value *v = lp_value_ref(lp_map_get(params, key));
    if (!v) v = lp_obj_config(self, key);
    *out = 0;
    int rc = 0;
    if (v && (lp_value_type(v) != LP_INT || lp_value_as_int(v) < 1))
        rc = lp_kit_error_at(LP_ECONFIG, v, "%s must be an integer >= 1, not %s", key,
                             lp_value_type(v) == LP_INT ? "less" : lp_vtype_name(lp_value_type(v)));
    else if (v)
        *out = (size_t)lp_value_as_int(v);
    lp_value_unref(v);
    return rc;
}

/* The season length (see trainer_cv.h). */
static size_t season_of(lp_obj *self, const lp_value *tp, const history *h)
{
    const lp_value *sp = lp_map_get(tp, "seasonal_period");
    if (lp_value_type(sp) == LP_INT && lp_value_as_int(sp) >= 1) return (size_t)lp_value_as_int(sp);
    char *alias = lp_value_as_string(lp_map_get(tp, "forecast_frequency"))
                      ? lp_strdup(lp_value_as_string(lp_map_get(tp, "forecast_frequency")))
                      : lp_kit_config_string(self, "forecast_frequency", NULL);
    size_t season = lp_freq_season_of(alias, h->ts, h->n);
    free(alias);
    return season;
}

typedef struct cv_plan {
    size_t initial, period, horizon, season;
} cv_plan;

static int plan_of(cv_plan *p, lp_obj *self, const lp_value *params, size_t season, size_t n)
{
    size_t fp = 0;
    int rc = cv_setting(&p->initial, self, params, "cv_initial");
    if (rc == 0) rc = cv_setting(&p->period, self, params, "cv_period");
    if (rc == 0) rc = cv_setting(&p->horizon, self, params, "cv_horizon");
    if (rc == 0) rc = cv_setting(&fp, self, NULL, "forecast_period");
    if (rc) return rc;
    p->season = season;
    if (!p->horizon) p->horizon = fp ? fp : season > 1 ? season : (n / 10 ? n / 10 : 1);
    if (!p->period) p->period = p->horizon;
    if (!p->initial) {
        size_t want = 3 * p->horizon > 2 * season ? 3 * p->horizon : 2 * season;
        p->initial = n > p->horizon && want > n - p->horizon ? n - p->horizon : want;
        if (p->initial < 2) p->initial = 2;
    }
    if (p->initial + p->horizon > n)
        return lp_error_set(LP_EINVAL,
                            "cv_initial %zu leaves no fold with a full %zu-step horizon in %zu "
                            "points",
                            p->initial, p->horizon, n);
    return 0;
}

/* ---- the forecaster ------------------------------------------------------------------------ */

static int frame_rows(lp_frame **out, const lp_frame *f, const size_t *rows, size_t from, size_t n)
{
    return lp_frame_take(out, f, rows + from, n);
}

/* lp_fc_forecaster: fits the rows before n, predicts rows n..n+h. Runs on
 * several threads at once: reads the history, writes only its own. */
static int fit_and_forecast(void *ctx, const double *y, size_t n, size_t m, size_t h, double *out)
{
    (void)y;
    (void)m;
    history *hs = ctx;
    lp_frame *Xf = NULL, *yf = NULL, *Xp = NULL, *pred = NULL;
    lp_model *model = NULL;
    int rc = frame_rows(&Xf, hs->X, hs->rows, 0, n);
    if (rc == 0) rc = frame_rows(&yf, hs->y, hs->rows, 0, n);
    if (rc == 0) rc = hs->fit(&model, hs->config_ti, Xf, yf, hs->params);
    if (rc == 0) rc = frame_rows(&Xp, hs->X, hs->rows, n, h);
    if (rc == 0) rc = lp_model_predict(&pred, model, Xp);
    lp_column *pc = rc == 0 ? lp_frame_col_by_name(pred, "prediction") : NULL;
    if (rc == 0 && (!pc || lp_frame_rows(pred) != h))
        rc = lp_error_set(LP_ERROR, "the model's predictions have no column 'prediction'");
    for (size_t j = 0; rc == 0 && j < h; j++)
        out[j] = lp_column_get_f64(pc, j);
    lp_frame_unref(Xf);
    lp_frame_unref(yf);
    lp_frame_unref(Xp);
    lp_frame_unref(pred);
    lp_model_unref(model);
    return rc;
}

/* ---- the method ------------------------------------------------------------------------------ */

/* The history frame from args.frame (a frame, or a splits map): new
 * reference; *target the series' column (new string): y_train's, else config
 * model_target. */
static int history_frame(lp_frame **out, char **target, lp_obj *self, const lp_value *args)
{
    const lp_value *fv = lp_kit_arg(args, "frame", "cross_validate");
    if (!fv) return lp_error_last()->code;
    if (lp_value_type(fv) == LP_MAP) return from_splits(out, target, fv);
    if (!(*target = lp_kit_config_string(self, "model_target", NULL)))
        return lp_error_set(LP_ECONFIG, "config model_target (the series' column) is not set");
    lp_frame *f = lp_value_as_frame(fv);
    if (!f)
        return lp_error_set(LP_EINVAL, "argument 'frame' must be a frame (or a splits map), got %s",
                            lp_vtype_name(lp_value_type(fv)));
    *out = lp_frame_ref(f);
    return 0;
}

static int optional_map(const lp_value *args, const char *name, const lp_value **out)
{
    *out = lp_kit_arg_opt(args, name);
    if (*out && lp_value_type(*out) == LP_NULL) *out = NULL;
    if (*out && lp_value_type(*out) != LP_MAP)
        return lp_error_set(LP_EINVAL, "argument '%s' must be a map, got %s", name,
                            lp_vtype_name(lp_value_type(*out)));
    return 0;
}

/* The sorted history, the plan and the resolved training params (*tp, new
 * reference) of a cross-validation described by args; no fold fitted. */
static int cv_prepare(history *h, cv_plan *p, lp_value **tp, lp_obj *self, const lp_value *args)
{
    const lp_value *cvp = NULL, *tpo = NULL;
    lp_frame *f = NULL;
    char *target = NULL, *ti = NULL;
    int rc = optional_map(args, "params", &cvp);
    if (rc == 0) rc = optional_map(args, "training_params", &tpo);
    if (rc == 0) rc = history_frame(&f, &target, self, args);
    if (rc == 0 && lp_frame_find(f, target) < 0)
        rc = lp_error_set(LP_EINVAL, "the frame has no target column '%s'", target);
    if (rc == 0) rc = time_index_name(&ti, self, f, target);
    if (rc == 0) rc = history_read(h, f, target, ti);
    if (rc == 0) rc = lp_trainer_params(tp, self, tpo);
    if (rc == 0) rc = plan_of(p, self, cvp, season_of(self, *tp, h), h->n);
    h->params = rc == 0 ? *tp : NULL;
    h->config_ti = rc == 0 ? lp_kit_config_string(self, "time_index", NULL) : NULL;
    lp_frame_unref(f);
    free(target);
    free(ti);
    return rc;
}

static int run(lp_value **out, lp_obj *self, const lp_value *args, lp_trainer_cv_fit fit)
{
    lp_value *tp = NULL;
    history h = {.self = self, .fit = fit};
    cv_plan p = {0};
    int rc = cv_prepare(&h, &p, &tp, self, args);
    lp_fc_cv_result r = {0};
    if (rc == 0)
        rc = lp_fc_cv_run(&r, h.v, h.n, p.season, p.initial, p.period, p.horizon, fit_and_forecast,
                          &h);
    if (rc == 0 && !(*out = lp_fc_cv_result_value(&r)))
        rc = lp_error_set(LP_ENOMEM, "out of memory");
    if (rc == 0)
        lp_log(self, LP_LOG_INFO,
               "cross-validation on %zu points: %zu folds (initial %zu, period %zu, horizon %zu, "
               "season %zu): mean MASE %.4f, sMAPE %.4f",
               h.n, r.n_folds, p.initial, p.period, p.horizon, p.season, r.mean_mase, r.mean_smape);
    lp_fc_cv_result_free(&r);
    history_free(&h);
    lp_value_unref(tp);
    return rc;
}

lp_value *lp_trainer_cross_validate(lp_obj *self, lp_value *args, const char *cls,
                                    lp_trainer_cv_fit fit)
{
    lp_value *out = NULL;
    if (run(&out, self, args, fit)) {
        lp_error_prefix("%s (%s).cross_validate", cls, lp_trainer_path(self));
        return NULL;
    }
    return out;
}

/* ---- prefit: every series' fits ahead, on threads ------------------------------------------ */

/* A cross-validation a prefit runs: its history, plan and params. */
typedef struct prefit_cv {
    history h;
    cv_plan p;
    lp_value *tp; /* new ref */
    bool ready;   /* prepared: it runs */
} prefit_cv;

/* One series of a prefit: its training split, every split together (the
 * refit), and the cross-validations asked for (of the history, of the
 * training split). */
typedef struct prefit_series {
    lp_frame *X_train, *y_train, *X_all, *y_all; /* new refs (X_all NULL: no refit) */
    prefit_cv cv[2];
} prefit_series;

typedef struct prefit_job {
    prefit_series *s;
    lp_trainer_cv_fit fit;
    const char *ti;
    const lp_value *params;
} prefit_job;

/* The cross-validation of frame (a history frame or a splits map) with
 * params (NULL: the config's), as cross_validate prepares it. */
static void prefit_cv_read(prefit_cv *cv, lp_obj *self, const lp_value *frame,
                           const lp_value *params, lp_trainer_cv_fit fit)
{
    lp_value *args = lp_kit_result(
        "frame", lp_value_ref((lp_value *)(uintptr_t)frame), "params",
        params ? lp_value_ref((lp_value *)(uintptr_t)params) : lp_value_null(), (const char *)NULL);
    cv->h = (history){.self = self, .fit = fit};
    cv->ready = args && cv_prepare(&cv->h, &cv->p, &cv->tp, self, args) == 0;
    lp_value_unref(args);
    lp_error_clear(); /* what cannot be prepared is computed (and reported) later */
}

/* The inputs of series item {splits, history?, split_cv?} (main thread:
 * reads config). */
static void prefit_read(prefit_series *s, lp_obj *self, const lp_value *item,
                        const lp_value *cv_params, bool refit, lp_trainer_cv_fit fit)
{
    const lp_value *splits = lp_map_get(item, "splits");
    lp_frame *X = lp_value_as_frame(lp_map_get(splits, "X_train"));
    lp_frame *y = lp_value_as_frame(lp_map_get(splits, "y_train"));
    s->X_train = X ? lp_frame_ref(X) : NULL;
    s->y_train = y ? lp_frame_ref(y) : NULL;
    /* stacked by the kit, as the train pipeline's refit stacks them */
    if (refit && X && y && lp_kit_stack_splits(&s->X_all, splits, "X_") == 0 && s->X_all)
        (void)lp_kit_stack_splits(&s->y_all, splits, "y_");
    const lp_value *hist = lp_map_get(item, "history");
    if (lp_value_as_frame(hist)) prefit_cv_read(&s->cv[0], self, hist, cv_params, fit);
    if (lp_value_as_bool(lp_map_get(item, "split_cv")) && splits)
        prefit_cv_read(&s->cv[1], self, splits, NULL, fit);
}

static void prefit_series_free(prefit_series *s)
{
    lp_frame_unref(s->X_train);
    lp_frame_unref(s->y_train);
    lp_frame_unref(s->X_all);
    lp_frame_unref(s->y_all);
    for (size_t i = 0; i < 2; i++) {
        history_free(&s->cv[i].h);
        lp_value_unref(s->cv[i].tp);
    }
}

/* lp_ml_task_fn: series i's fits; failures are left to the later calls. */
static void prefit_task(void *ctx, size_t i)
{
    const prefit_job *j = ctx;
    prefit_series *s = &j->s[i];
    lp_model *m = NULL;
    if (s->X_train && s->y_train && j->fit(&m, j->ti, s->X_train, s->y_train, j->params) == 0)
        lp_model_unref(m);
    for (size_t k = 0; k < 2; k++) {
        prefit_cv *cv = &s->cv[k];
        lp_fc_cv_result r = {0};
        if (cv->ready)
            lp_fc_cv_run(&r, cv->h.v, cv->h.n, cv->p.season, cv->p.initial, cv->p.period,
                         cv->p.horizon, fit_and_forecast, &cv->h);
        lp_fc_cv_result_free(&r);
    }
    m = NULL;
    if (s->X_all && s->y_all && j->fit(&m, j->ti, s->X_all, s->y_all, j->params) == 0)
        lp_model_unref(m);
    lp_error_clear();
}

lp_value *lp_trainer_prefit(lp_obj *self, lp_value *args, lp_trainer_cv_fit fit)
{
    const lp_value *series = lp_kit_arg(args, "series", "prefit");
    if (!series) return NULL;
    if (lp_value_type(series) != LP_LIST)
        return lp_kit_fail(LP_EINVAL, "prefit: argument 'series' must be a list");
    const lp_value *cvp = NULL;
    if (optional_map(args, "params", &cvp) != 0) return NULL;
    bool refit = lp_value_as_bool(lp_map_get(args, "retrain"));
    lp_value *tp = NULL;
    if (lp_trainer_params(&tp, self, NULL) != 0) return NULL;
    size_t n = lp_list_len(series);
    prefit_series *s = calloc(n ? n : 1, sizeof *s);
    char *ti = s ? lp_kit_config_string(self, "time_index", NULL) : NULL;
    lp_error_clear(); /* no time_index is no error */
    if (!s) {
        lp_value_unref(tp);
        return lp_kit_fail(LP_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++)
        prefit_read(&s[i], self, lp_list_get(series, i), cvp, refit, fit);
    prefit_job j = {s, fit, ti, tp};
    lp_ml_parallel(n, prefit_task, &j);
    for (size_t i = 0; i < n; i++)
        prefit_series_free(&s[i]);
    free(s);
    free(ti);
    lp_value_unref(tp);
    return lp_value_null();
}
