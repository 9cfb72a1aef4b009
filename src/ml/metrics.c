/*
 * metrics.c — the metric descriptor table, lookup by name and name checks.
 * The computations live in metrics_classification.c, metrics_regression.c
 * and (over frames) metrics_frame.c.
 */
#include "lolpop/metrics.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>

#include "core/internal.h"
#include "ml/metrics_internal.h"

#define C LP_TASK_CLASSIFICATION
#define R LP_TASK_REGRESSION

static const lp_metric_info table[LP_METRIC_COUNT_] = {
    {LP_METRIC_ACCURACY, "accuracy", C, true, false, "fraction of correct labels"},
    {LP_METRIC_F1, "f1", C, true, false,
     "F1 score (binary; with more classes the support-weighted average, as f1_weighted)"},
    {LP_METRIC_PRECISION, "precision", C, true, false,
     "precision (binary; with more classes weighted by support, as precision_weighted)"},
    {LP_METRIC_RECALL, "recall", C, true, false,
     "recall (binary; with more classes weighted by support, as recall_weighted)"},
    {LP_METRIC_ROCAUC, "rocauc", C, true, true, "area under the ROC curve (weighted OvR)"},
    {LP_METRIC_PRAUC, "prauc", C, true, true, "average precision (weighted OvR)"},
    {LP_METRIC_LOGLOSS, "logloss", C, false, true, "cross-entropy of the probabilities"},
    {LP_METRIC_MSE, "mse", R, false, false, "mean squared error"},
    {LP_METRIC_RMSE, "rmse", R, false, false, "root mean squared error"},
    {LP_METRIC_MAE, "mae", R, false, false, "mean absolute error"},
    {LP_METRIC_MAPE, "mape", R, false, false, "mean absolute percentage error (fraction)"},
    {LP_METRIC_MDAE, "mdae", R, false, false, "median absolute error"},
    {LP_METRIC_SMAPE, "smape", R, false, false, "mean of 2|y-p|/(|y|+|p|), 0/0 as 0"},
    {LP_METRIC_R2, "r2", R, true, false, "coefficient of determination"},
    {LP_METRIC_MSLE, "msle", R, false, false, "mean squared logarithmic error"},
    {LP_METRIC_RMSLE, "rmsle", R, false, false, "root mean squared logarithmic error"},
    {LP_METRIC_F1_MACRO, "f1_macro", C, true, false, "F1 averaged over classes (unweighted)"},
    {LP_METRIC_F1_MICRO, "f1_micro", C, true, false, "F1 from the global counts"},
    {LP_METRIC_F1_WEIGHTED, "f1_weighted", C, true, false, "F1 averaged, weighted by support"},
    {LP_METRIC_PRECISION_MACRO, "precision_macro", C, true, false,
     "precision averaged over classes (unweighted)"},
    {LP_METRIC_PRECISION_MICRO, "precision_micro", C, true, false,
     "precision from the global counts"},
    {LP_METRIC_PRECISION_WEIGHTED, "precision_weighted", C, true, false,
     "precision averaged, weighted by support"},
    {LP_METRIC_RECALL_MACRO, "recall_macro", C, true, false,
     "recall averaged over classes (unweighted)"},
    {LP_METRIC_RECALL_MICRO, "recall_micro", C, true, false, "recall from the global counts"},
    {LP_METRIC_RECALL_WEIGHTED, "recall_weighted", C, true, false,
     "recall averaged, weighted by support"},
    {LP_METRIC_MASE, "mase", R, false, false,
     "forecast MAE / in-sample mean absolute seasonal difference of the training series"},
    {LP_METRIC_COVERAGE, "coverage", R, true, false,
     "share of actual values inside the prediction interval (target: the interval width)"},
};

#undef C
#undef R

LP_API size_t lp_metric_count(void)
{
    return LP_METRIC_COUNT_;
}

LP_API const lp_metric_info *lp_metric_at(size_t i)
{
    return i < LP_METRIC_COUNT_ ? &table[i] : NULL;
}

LP_API const lp_metric_info *lp_metric_by_id(lp_metric_id id)
{
    return lp_metric_at((size_t)id);
}

LP_API const char *lp_metric_task_name(lp_metric_task t)
{
    return t == LP_TASK_REGRESSION ? "regression" : "classification";
}

/* "a, b, c" of the names of one task (new string; NULL on OOM). */
static char *names_of(lp_metric_task task)
{
    lp_sb sb = {0};
    for (size_t i = 0; i < LP_METRIC_COUNT_; i++) {
        if (table[i].task != task) continue;
        if (sb.len) lp_sb_append(&sb, ", ");
        lp_sb_append(&sb, table[i].name);
    }
    if (sb.oom) {
        lp_sb_free(&sb);
        return NULL;
    }
    return lp_sb_take(&sb);
}

LP_API int lp_metric_lookup(const lp_metric_info **out, const char *name)
{
    *out = NULL;
    if (!name) return lp_error_set(LP_EINVAL, "metric name is missing");
    for (size_t i = 0; i < LP_METRIC_COUNT_; i++) {
        if (lp_streq_nocase(name, table[i].name)) {
            *out = &table[i];
            return 0;
        }
    }
    const char *names[LP_METRIC_COUNT_];
    for (size_t i = 0; i < LP_METRIC_COUNT_; i++)
        names[i] = table[i].name;
    const char *s = lp_suggest(name, names, LP_METRIC_COUNT_);
    char *c = names_of(LP_TASK_CLASSIFICATION), *r = names_of(LP_TASK_REGRESSION);
    int rc = lp_error_set(
        LP_ENOTFOUND, "unknown metric '%s'%s%s%s (classification: %s; regression: %s)", name,
        s ? " (did you mean '" : "", s ? s : "", s ? "'?)" : "", c ? c : "", r ? r : "");
    free(c);
    free(r);
    return rc;
}

LP_API bool lp_metric_better(const lp_metric_info *m, double a, double b)
{
    if (isnan(a)) return false;
    if (isnan(b)) return true;
    return m->higher_is_better ? a > b : a < b;
}

/* Re-sets the last error at v's config position when v came from a file. */
static int at_origin(int rc, const lp_value *v)
{
    const lp_origin *o = lp_value_origin(v);
    if (!o || o->kind != LP_ORIGIN_FILE) return rc;
    char *msg = lp_strdup(lp_error_last()->message);
    if (msg) lp_error_set_at(rc, o->source, o->line, o->col, "%s", msg);
    free(msg);
    return rc;
}

static int check_one(const lp_value *v, lp_metric_task task)
{
    if (lp_value_type(v) != LP_STRING)
        return at_origin(lp_error_set(LP_ECONFIG, "a metric name must be a string, not %s",
                                      lp_vtype_name(lp_value_type(v))),
                         v);
    const lp_metric_info *m;
    int rc = lp_metric_lookup(&m, lp_value_as_string(v));
    if (rc) return at_origin(rc, v);
    if (m->task == task) return 0;
    char *names = names_of(task);
    rc = lp_error_set(LP_ECONFIG,
                      "metric '%s' is a %s metric but this is a %s task (use one of: %s)", m->name,
                      lp_metric_task_name(m->task), lp_metric_task_name(task), names ? names : "");
    free(names);
    return at_origin(rc, v);
}

LP_API int lp_metrics_check(const lp_value *names, lp_metric_task task)
{
    if (lp_value_type(names) != LP_LIST) return check_one(names, task);
    if (lp_list_len(names) == 0)
        return at_origin(lp_error_set(LP_ECONFIG, "the list of metrics is empty"), names);
    for (size_t i = 0; i < lp_list_len(names); i++) {
        int rc = check_one(lp_list_get(names, i), task);
        if (rc) return rc;
    }
    return 0;
}

int lp_metric_fail(const lp_metric_info *m, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    lp_error_setv(LP_EINVAL, fmt, ap);
    va_end(ap);
    lp_error_prefix("metric '%s'", m->name);
    return LP_EINVAL;
}
