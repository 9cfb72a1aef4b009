/*
 * ts_bench.c — lolpop's forecasters on the series of bench/timeseries
 * (written by gen_series.R), next to R's results on the same split.
 *
 *   ts_bench DIR [TRAINER_CLASS | CV ...]    (default: ForecastModelTrainer)
 *
 * CV is the forecaster picked per series by LocalHyperparameterTuner with
 * rolling-origin cross-validation on the training part only (cv_horizon =
 * cv_period = h, cv_initial by default): ETSModelTrainer (model ZZZ) against
 * ForecastModelTrainer (changepoint_prior_scale 0.05 or 0.5); its fit_ms is
 * the whole search (every candidate's CV folds and fit), and the pick is
 * printed after it.
 *
 * For each series in DIR/series.csv: fits each trainer class on the first
 * n - h points of DIR/data/<series>.csv (time index `ds`, default
 * parameters), forecasts the last h, and scores MASE (scale: the in-sample
 * mean absolute seasonal difference at the series' period) and sMAPE
 * (100 · mean 2|y − f| / (|y| + |f|)), as gen_series.R does for R. Prints one
 * row per series and method, then the means per method, with R's rows from
 * DIR/r_results.csv. fit_ms is the fit's CPU time (CLOCK_PROCESS_CPUTIME_ID:
 * every thread's, the fits' own worker threads included; less distorted by a
 * loaded machine than wall-clock, not immune to it).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lolpop.h"
#include "lolpop/types/hyperparameter_tuner.h"
#include "lolpop/types/model_trainer.h"

#define MAX_METHODS 16

typedef struct series {
    char name[64];
    size_t n, h, period;
} series;

typedef struct score {
    char method[64];
    double mase, smape, fit_ms;
    int n;
} score;

static score totals[MAX_METHODS];
static int n_totals;

static void add_total(const char *method, double mase, double smape, double ms)
{
    int i = 0;
    while (i < n_totals && strcmp(totals[i].method, method) != 0)
        i++;
    if (i == n_totals) {
        if (n_totals == MAX_METHODS) return;
        snprintf(totals[n_totals++].method, sizeof totals[0].method, "%s", method);
    }
    totals[i].mase += mase;
    totals[i].smape += smape;
    totals[i].fit_ms += ms;
    totals[i].n++;
}

static lp_value *noop(lp_obj *self, lp_value *args)
{
    (void)self;
    (void)args;
    return lp_value_null();
}

static const lp_method noop_methods[] = {{"build_all", noop, "nothing"}, {NULL, NULL, NULL}};
static const lp_class bench_runner = {
    .name = "BenchRunner", .kind = LP_KIND_RUNNER, .doc = "bench", .methods = noop_methods};

static double cpu_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int fail(const char *what)
{
    fprintf(stderr, "ts_bench: %s: %s\n", what, lp_error_last()->message);
    return 1;
}

/* rows [first, first + n) of column `name` of f (new frame). */
static lp_frame *slice(const lp_frame *f, const char *name, size_t first, size_t n)
{
    size_t *idx = malloc((n + 1) * sizeof *idx);
    lp_frame *sel = NULL, *out = NULL;
    for (size_t i = 0; i < n; i++)
        idx[i] = first + i;
    if (lp_frame_select(&sel, f, &name, 1) == 0) lp_frame_take(&out, sel, idx, n);
    lp_frame_unref(sel);
    free(idx);
    return out;
}

/* f with column `ds` as timestamps (a new reference; NULL on error). */
static lp_frame *stamped(lp_frame *f)
{
    lp_column *c = lp_frame_col_by_name(f, "ds"), *ts = NULL;
    if (!c || c->type == LP_DT_TIMESTAMP) return lp_frame_ref(f);
    if (lp_column_cast(&ts, c, LP_DT_TIMESTAMP)) return NULL;
    lp_frame *out = lp_frame_new();
    for (size_t j = 0; out && j < lp_frame_cols(f); j++) {
        const char *nm = lp_frame_name(f, j);
        lp_frame_add_column(
            out, nm, strcmp(nm, "ds") == 0 ? lp_column_ref(ts) : lp_column_ref(lp_frame_col(f, j)));
    }
    lp_column_unref(ts);
    return out;
}

/* The workflow of one method: a trainer class, or CV (the tuner's pick). */
static void method_yaml(char *yaml, size_t size, const char *cls, const series *s)
{
    if (strcmp(cls, "CV") != 0) {
        snprintf(yaml, size,
                 "component: {model_trainer: %s}\nmodel_trainer: {config: {time_index: ds}}\n",
                 cls);
        return;
    }
    snprintf(yaml, size,
             "component: {hyperparameter_tuner: LocalHyperparameterTuner,\n"
             "            model_trainer: ForecastModelTrainer}\n"
             "config: {problem_type: regression, time_index: ds, cv_horizon: %zu, "
             "cv_period: %zu}\n"
             "hyperparameter_tuner:\n"
             "  component: {model_trainer: ETSModelTrainer}\n"
             "  config:\n"
             "    metrics: [mae]\n"
             "    perf_metric: mae\n"
             "    training_params:\n"
             "      ETSModelTrainer: {model: ZZZ}\n"
             "      ForecastModelTrainer: {changepoint_prior_scale: [0.05, 0.5]}\n",
             s->h, s->h);
}

/* Fits trainer class cls on s and scores its forecast. */
static int bench_one(const lp_registry *reg, const char *dir, const series *s, const char *cls)
{
    char path[1024], yaml[1024];
    snprintf(path, sizeof path, "%s/data/%s.csv", dir, s->name);
    lp_frame *raw = NULL, *f = NULL;
    if (lp_csv_read(&raw, path, NULL)) return fail(path);
    f = stamped(raw);
    lp_frame_unref(raw);
    if (!f) return fail(path);
    size_t nt = s->n - s->h;
    lp_value *splits = lp_value_map();
    lp_map_set(splits, "X_train", lp_value_frame(slice(f, "ds", 0, nt)));
    lp_map_set(splits, "y_train", lp_value_frame(slice(f, "y", 0, nt)));
    lp_value *Xv = lp_value_frame(slice(f, "ds", nt, s->h));
    method_yaml(yaml, sizeof yaml, cls, s);
    lp_value *doc = NULL;
    lp_workflow *wf = NULL;
    lp_diags d;
    lp_diags_init(&d);
    int rc = lp_yaml_parse(&doc, yaml, strlen(yaml), "bench.yaml", &d);
    if (rc == 0) rc = lp_workflow_new(&wf, reg, doc, bench_runner.name, 0, &d);
    lp_obj *root = rc == 0 ? lp_workflow_root(wf) : NULL;
    lp_obj *t = root ? lp_obj_component(root, "model_trainer") : NULL;
    lp_obj *tuner = root ? lp_obj_component(root, "hyperparameter_tuner") : NULL;
    double t0 = cpu_ms();
    lp_value *model = tuner ? lp_hyperparameter_tuner_run_experiment(tuner, splits, NULL)
                      : t   ? lp_model_trainer_fit(t, splits)
                            : NULL;
    double ms = cpu_ms() - t0;
    lp_frame *pf = NULL;
    lp_value *pred = NULL;
    if (model && tuner &&
        lp_model_predict(&pf, lp_value_as_model(model), lp_value_as_frame(Xv)) == 0)
        pred = lp_value_frame(pf);
    else if (model && !tuner)
        pred = lp_model_trainer_predict(t, Xv);
    lp_frame_unref(pf);
    if (!pred) {
        rc = fail(cls);
    } else {
        const lp_column *y = lp_frame_col(f, 1), *p = lp_frame_col(lp_value_as_frame(pred), 0);
        double scale = 0, ae = 0, sm = 0;
        for (size_t i = s->period; i < nt; i++)
            scale += fabs(lp_column_get_f64(y, i) - lp_column_get_f64(y, i - s->period));
        scale /= (double)(nt - s->period);
        for (size_t i = 0; i < s->h; i++) {
            double yv = lp_column_get_f64(y, nt + i), fv = p->data.f64[i];
            ae += fabs(yv - fv);
            sm += 2 * fabs(yv - fv) / (fabs(yv) + fabs(fv));
        }
        double mase = ae / (double)s->h / scale, smape = 100 * sm / (double)s->h;
        printf("%-14s %-22s %8.3f %8.2f %9.1f%s%s\n", s->name, cls, mase, smape, ms,
               tuner ? "  picked " : "", tuner ? lp_model_backend(lp_value_as_model(model)) : "");
        add_total(cls, mase, smape, ms);
    }
    lp_value_unref(pred);
    lp_value_unref(model);
    lp_workflow_free(wf);
    lp_value_unref(doc);
    lp_diags_clear(&d);
    lp_value_unref(Xv);
    lp_value_unref(splits);
    lp_frame_unref(f);
    return rc;
}

/* R's rows of `series` from r_results.csv, printed and added to the totals. */
static void r_rows(const lp_frame *r, const char *name)
{
    if (!r) return;
    const lp_column *sc = lp_frame_col_by_name(r, "series"),
                    *mc = lp_frame_col_by_name(r, "method");
    for (size_t i = 0; i < lp_frame_rows(r); i++) {
        size_t len;
        const char *s = lp_column_str(sc, i, &len);
        if (len != strlen(name) || strncmp(s, name, len) != 0) continue;
        char method[64];
        const char *m = lp_column_str(mc, i, &len);
        snprintf(method, sizeof method, "%.*s", (int)len, m);
        double mase = lp_column_get_f64(lp_frame_col_by_name(r, "mase"), i);
        double smape = lp_column_get_f64(lp_frame_col_by_name(r, "smape"), i);
        double ms = lp_column_get_f64(lp_frame_col_by_name(r, "fit_ms"), i);
        printf("%-14s %-22s %8.3f %8.2f %9.1f\n", name, method, mase, smape, ms);
        add_total(method, mase, smape, ms);
    }
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: ts_bench DIR [TRAINER_CLASS ...]\n");
        return 2;
    }
    const char *dir = argv[1];
    static const char *const dflt[] = {"ForecastModelTrainer"};
    const char *const *classes = argc > 2 ? (const char *const *)(argv + 2) : dflt;
    int n_classes = argc > 2 ? argc - 2 : 1;
    lp_registry *reg = lp_registry_new();
    if (!reg || lp_registry_add_plugin(reg, &lp_builtin_plugin, "builtin") ||
        lp_registry_add_class(reg, &bench_runner))
        return fail("registry");
    char path[1024];
    snprintf(path, sizeof path, "%s/series.csv", dir);
    lp_frame *meta = NULL, *r = NULL;
    if (lp_csv_read(&meta, path, NULL)) return fail(path);
    snprintf(path, sizeof path, "%s/r_results.csv", dir);
    if (lp_csv_read(&r, path, NULL)) r = NULL;
    printf("%-14s %-22s %8s %8s %9s\n", "series", "method", "MASE", "sMAPE", "fit_ms");
    int rc = 0;
    for (size_t i = 0; i < lp_frame_rows(meta); i++) {
        series s;
        size_t len;
        const char *nm = lp_column_str(lp_frame_col_by_name(meta, "series"), i, &len);
        snprintf(s.name, sizeof s.name, "%.*s", (int)len, nm);
        s.n = (size_t)lp_column_get_f64(lp_frame_col_by_name(meta, "n"), i);
        s.h = (size_t)lp_column_get_f64(lp_frame_col_by_name(meta, "h"), i);
        s.period = (size_t)lp_column_get_f64(lp_frame_col_by_name(meta, "period"), i);
        for (int c = 0; c < n_classes; c++)
            rc |= bench_one(reg, dir, &s, classes[c]);
        r_rows(r, s.name);
    }
    printf("\n%-22s %10s %10s %12s %4s\n", "method", "mean MASE", "mean sMAPE", "mean fit_ms", "n");
    for (int i = 0; i < n_totals; i++)
        printf("%-22s %10.3f %10.2f %12.1f %4d\n", totals[i].method, totals[i].mase / totals[i].n,
               totals[i].smape / totals[i].n, totals[i].fit_ms / totals[i].n, totals[i].n);
    lp_frame_unref(meta);
    lp_frame_unref(r);
    lp_registry_free(reg);
    return rc;
}
