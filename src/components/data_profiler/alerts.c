/*
 * alerts.c — what a profile should warn about: constant columns, a high
 * share of missing cells, text columns with nearly as many values as rows
 * (high cardinality), pairs of columns that move together (|Pearson|,
 * |Spearman| or Cramér's V at or above correlation_alert) and an imbalanced
 * target (the smallest class of model_target under imbalance_alert of rows).
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "components/data_profiler/profiler.h"

static int add_alert(lp_value *alerts, const char *kind, const char *column, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int add_alert(lp_value *alerts, const char *kind, const char *column, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    lp_value *a = lp_value_map();
    if (!a) return LP_ENOMEM;
    lp_map_set(a, "kind", lp_value_string(kind));
    lp_map_set(a, "column", lp_value_string(column));
    lp_map_set(a, "message", lp_value_string(msg));
    return lp_list_append(alerts, a);
}

static void column_alerts(lp_value *alerts, const lp_value *v, const lp_prof_options *o)
{
    const char *name = lp_value_as_string(lp_map_get(v, "name"));
    const char *kind = lp_value_as_string(lp_map_get(v, "kind"));
    double miss = lp_value_as_float(lp_map_get(v, "missing_share"));
    double count = (double)lp_value_as_int(lp_map_get(v, "count"));
    double distinct = (double)lp_value_as_int(lp_map_get(v, "distinct"));
    if (strcmp(kind, "constant") == 0)
        add_alert(alerts, "constant", name, "%s has %s", name,
                  distinct == 0 ? "no values" : "one value only");
    if (miss >= o->missing_alert)
        add_alert(alerts, "high_missing", name, "%s is %.1f%% missing", name, 100 * miss);
    bool text = strcmp(kind, "text") == 0 || strcmp(kind, "id-like") == 0 ||
                strcmp(kind, "categorical") == 0;
    const char *type = lp_value_as_string(lp_map_get(v, "type"));
    bool stringy = strcmp(type, "string") == 0 || strcmp(type, "category") == 0;
    if (text && stringy && count > 0 && distinct / count >= o->cardinality_alert && distinct > 50)
        add_alert(alerts, "high_cardinality", name, "%s has %.0f distinct values in %.0f", name,
                  distinct, count);
}

/* Pairs above the threshold in a matrix over names. */
static void matrix_alerts(lp_value *alerts, const lp_value *names, const lp_value *m,
                          const char *what, double threshold)
{
    size_t k = lp_list_len(names);
    for (size_t a = 0; a < k; a++)
        for (size_t b = a + 1; b < k; b++) {
            const lp_value *x = lp_list_get(lp_list_get(m, a), b);
            if (lp_value_type(x) != LP_FLOAT || fabs(lp_value_as_float(x)) < threshold) continue;
            const char *na = lp_value_as_string(lp_list_get(names, a));
            const char *nb = lp_value_as_string(lp_list_get(names, b));
            add_alert(alerts, "high_correlation", na, "%s and %s: %s %.3f", na, nb, what,
                      lp_value_as_float(x));
        }
}

static int target_alert(lp_value *alerts, const lp_frame *f, const lp_prof_options *o)
{
    const lp_column *c = o->target ? lp_frame_col_by_name(f, o->target) : NULL;
    if (!c || c->type == LP_DT_FLOAT64) return 0; /* a regression target has no classes */
    lp_prof_counts t = {0};
    int rc = lp_prof_counts_add(&t, 0, c);
    double total = 0, smallest = INFINITY;
    size_t at = 0;
    for (size_t k = 0; rc == 0 && k < t.n; k++) {
        total += t.count[0][k];
        if (t.count[0][k] < smallest) smallest = t.count[0][k], at = k;
    }
    if (rc == 0 && t.n >= 2 && t.n <= 50 && smallest / total < o->imbalance_alert)
        add_alert(alerts, "imbalanced_target", o->target,
                  "target %s: class '%s' is %.1f%% of the rows", o->target, t.keys[at],
                  100 * smallest / total);
    lp_prof_counts_free(&t);
    return rc;
}

int lp_prof_alerts(lp_value *report, const lp_frame *f, const lp_prof_options *o)
{
    lp_value *alerts = lp_value_list();
    if (!alerts) return LP_ENOMEM;
    const lp_value *vars = lp_map_get(report, "variables");
    for (size_t i = 0; i < lp_list_len(vars); i++)
        column_alerts(alerts, lp_list_get(vars, i), o);
    const lp_value *corr = lp_map_get(report, "correlations");
    const lp_value *cv = lp_map_get(corr, "cramers_v");
    matrix_alerts(alerts, lp_map_get(corr, "columns"), lp_map_get(corr, "pearson"), "Pearson",
                  o->correlation_alert);
    matrix_alerts(alerts, lp_map_get(corr, "columns"), lp_map_get(corr, "spearman"), "Spearman",
                  o->correlation_alert);
    matrix_alerts(alerts, lp_map_get(cv, "columns"), lp_map_get(cv, "matrix"), "Cramér's V",
                  o->correlation_alert);
    int rc = target_alert(alerts, f, o);
    if (rc == 0) return lp_map_set(report, "alerts", alerts);
    lp_value_unref(alerts);
    return rc;
}
