/*
 * forecast.c — LocalModelChecker's view of a forecaster: the forecast
 * metrics (mase against the history's seasonal differences, coverage of the
 * interval) and the comparison with the naive baselines of forecasting
 * (naive, seasonal naive, drift; ml/forecast_metrics.h) on the judged split.
 * The TimeSeriesRunner takes its baseline comparison from here.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "components/data_checker/checks.h"
#include "components/model_checker/mc.h"
#include "ml/forecast_metrics.h"

bool lp_mc_is_forecaster(const lp_model *m, const lp_frame *X_train, const char *time_index)
{
    return lp_model_task_of(m) == LP_MODEL_REGRESSION && lp_model_has_intervals(m) && X_train &&
           time_index && lp_frame_col_by_name(X_train, time_index) != NULL;
}

int lp_mc_forecast_prepare(lp_mc_split *s, const lp_mc_split *train, const lp_model *m,
                           const lp_frame *X, size_t season, double width)
{
    s->forecast = true;
    s->history = train->yr;
    s->n_history = train->n;
    s->season = season;
    lp_frame *iv = NULL;
    if (lp_model_predict_interval(&iv, m, X, width) != 0) {
        lp_error_clear(); /* no interval: coverage says so where it is asked for */
        return 0;
    }
    const lp_column *lo = lp_frame_col_by_name(iv, "lower"),
                    *hi = lp_frame_col_by_name(iv, "upper");
    int rc = 0;
    if (lo && hi && lp_frame_rows(iv) == s->n) {
        s->lower = lp_column_to_f64(lo);
        s->upper = s->lower ? lp_column_to_f64(hi) : NULL;
        if (!s->upper) rc = LP_ENOMEM;
    }
    lp_frame_unref(iv);
    return rc;
}

/* One check per baseline: the model's MASE against the baseline's. */
static int baseline_checks(lp_value *checks, const lp_value *model, const lp_value *baselines,
                           int sev)
{
    double mine = lp_value_as_float(lp_map_get(model, "mase"));
    for (size_t i = 0; i < lp_map_len(baselines); i++) {
        double theirs = lp_value_as_float(lp_map_get(lp_map_value(baselines, i), "mase"));
        bool beats = mine < theirs;
        if (!lp_chk_add(checks, "baseline", NULL, beats ? LP_CHK_PASS : sev,
                        "mase %.6g vs the %s forecast's %.6g: %s", mine, lp_map_key(baselines, i),
                        theirs, beats ? "the model is better" : "the model does not beat it"))
            return LP_ENOMEM;
    }
    return 0;
}

/* cmp's baseline sections moved under "baselines" (the report's layout). */
static int group_baselines(lp_value *cmp)
{
    lp_value *all = lp_value_map();
    int rc = all ? 0 : LP_ENOMEM;
    for (int b = 0; rc == 0 && b < LP_FC_BASELINE_COUNT_; b++) {
        const char *name = lp_fc_baseline_name((lp_fc_baseline)b);
        rc = lp_map_set(all, name, lp_value_ref(lp_map_get(cmp, name)));
        if (rc == 0) lp_map_remove(cmp, name);
    }
    if (rc == 0) return lp_map_set(cmp, "baselines", all);
    lp_value_unref(all);
    return rc;
}

lp_value *lp_mc_forecast_baselines(const lp_mc_split *eval, const char *split, lp_value *checks,
                                   int sev)
{
    lp_value *cmp = NULL;
    bool beats = false;
    int rc = lp_fc_baseline_compare(&cmp, &beats, eval->history, eval->n_history, eval->season,
                                    eval->yr, eval->pr, eval->n);
    lp_fc_inputs in = {.y_true = eval->yr,
                       .y_pred = eval->pr,
                       .n = eval->n,
                       .lower = eval->lower,
                       .upper = eval->upper};
    double cov = NAN;
    if (rc == 0 && eval->lower && lp_fc_metric_named(&cov, "coverage", &in) == 0)
        rc = lp_map_set(lp_map_get(cmp, "model"), "coverage", lp_value_float(cov));
    if (rc == 0) rc = group_baselines(cmp);
    if (rc == 0) rc = lp_map_set(cmp, "split", lp_value_string(split));
    if (rc == 0) rc = lp_map_set(cmp, "metric", lp_value_string("mase"));
    if (rc == 0) rc = lp_map_set(cmp, "season", lp_value_int((int64_t)eval->season));
    if (rc == 0 && checks)
        rc = baseline_checks(checks, lp_map_get(cmp, "model"), lp_map_get(cmp, "baselines"), sev);
    if (rc) {
        if (rc == LP_ENOMEM) lp_error_set(LP_ENOMEM, "out of memory");
        lp_value_unref(cmp);
        return NULL;
    }
    return cmp;
}
