/*
 * bias.c — the fairness numbers of one protected attribute (definitions in
 * bias.h): confusion counts per group, rates from them, and the four
 * aif360 differences between unprivileged and privileged rows.
 */
#include <math.h>
#include <stdlib.h>

#include "components/model_bias_checker/bias.h"
#include "lolpop/kit.h"

typedef struct counts {
    double tp, fp, tn, fn;
} counts;

static void add_row(counts *c, uint8_t truth, uint8_t pred)
{
    if (truth)
        pred ? c->tp++ : c->fn++;
    else
        pred ? c->fp++ : c->tn++;
}

static void add_counts(counts *to, const counts *c)
{
    to->tp += c->tp;
    to->fp += c->fp;
    to->tn += c->tn;
    to->fn += c->fn;
}

static double rows_of(const counts *c)
{
    return c->tp + c->fp + c->tn + c->fn;
}

/* a / b, NaN when b is 0 (an undefined rate, as aif360 gives it). */
static double rate(double a, double b)
{
    return b > 0 ? a / b : NAN;
}

static double selection_rate(const counts *c)
{
    return rate(c->tp + c->fp, rows_of(c));
}

static double tpr(const counts *c)
{
    return rate(c->tp, c->tp + c->fn);
}

static double fpr(const counts *c)
{
    return rate(c->fp, c->fp + c->tn);
}

/* A float, or null when it is undefined. */
static lp_value *number(double x)
{
    return isfinite(x) ? lp_value_float(x) : lp_value_null();
}

/* Sets the four differences of u against p in map m. 0 or LP_ENOMEM. */
static int set_differences(lp_value *m, const counts *u, const counts *p)
{
    double su = selection_rate(u), sp = selection_rate(p);
    int rc = lp_map_set(m, "statistical_parity_difference", number(su - sp));
    if (rc == 0) rc = lp_map_set(m, "disparate_impact", number(sp > 0 ? su / sp : NAN));
    if (rc == 0) rc = lp_map_set(m, "equal_opportunity_difference", number(tpr(u) - tpr(p)));
    if (rc == 0)
        rc = lp_map_set(m, "average_odds_difference",
                        number(0.5 * ((fpr(u) - fpr(p)) + (tpr(u) - tpr(p)))));
    return rc;
}

static lp_value *group_entry(const lp_bias_rows *r, size_t g, const counts *c, const counts *priv)
{
    double n = rows_of(c), f1d = 2 * c->tp + c->fp + c->fn;
    lp_value *m = lp_kit_result(
        "group", lp_value_string(r->names[g]), "privileged", lp_value_bool(r->privileged[g]),
        "rows", lp_value_int((int64_t)n), "selection_rate", number(selection_rate(c)), "base_rate",
        number(rate(c->tp + c->fn, n)), "accuracy", number(rate(c->tp + c->tn, n)), "tpr",
        number(tpr(c)), "fpr", number(fpr(c)), "f1",
        lp_value_float(f1d > 0 ? 2 * c->tp / f1d : 0.0), (const char *)NULL);
    if (m && !r->privileged[g] && set_differences(m, c, priv) != 0) {
        lp_value_unref(m);
        return NULL;
    }
    return m;
}

/* The group names where privileged[g] == want, as a list. */
static lp_value *names_where(const lp_bias_rows *r, bool want)
{
    lp_value *l = lp_value_list();
    for (size_t g = 0; l && g < r->n_groups; g++)
        if (r->privileged[g] == want && lp_list_append(l, lp_value_string(r->names[g])) != 0) {
            lp_value_unref(l);
            return NULL;
        }
    return l;
}

lp_value *lp_bias_attribute(const lp_bias_rows *r)
{
    counts *per = calloc(r->n_groups ? r->n_groups : 1, sizeof *per);
    if (!per) return NULL;
    counts priv = {0}, unpriv = {0};
    size_t used = 0;
    for (size_t i = 0; i < r->n; i++) {
        if (r->group[i] < 0) continue;
        add_row(&per[r->group[i]], r->truth[i], r->pred[i]);
        used++;
    }
    for (size_t g = 0; g < r->n_groups; g++)
        add_counts(r->privileged[g] ? &priv : &unpriv, &per[g]);
    lp_value *groups = lp_value_list();
    for (size_t g = 0; groups && g < r->n_groups; g++) {
        lp_value *e = group_entry(r, g, &per[g], &priv);
        if (!e || lp_list_append(groups, e) != 0) {
            lp_value_unref(groups);
            groups = NULL;
        }
    }
    free(per);
    if (!groups) return NULL;
    lp_value *m =
        lp_kit_result("privileged", names_where(r, true), "unprivileged", names_where(r, false),
                      "rows_used", lp_value_int((int64_t)used), "rows_skipped",
                      lp_value_int((int64_t)(r->n - used)), "groups", groups, (const char *)NULL);
    if (m && set_differences(m, &unpriv, &priv) != 0) {
        lp_value_unref(m);
        return NULL;
    }
    return m;
}
