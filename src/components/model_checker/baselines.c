/*
 * baselines.c — the models a trained model must beat: scikit-learn's
 * DummyClassifier(strategy='prior') as `majority` (predicts the most
 * frequent training class, first in class order on ties; probabilities are
 * the training class shares), a `stratified` classifier (labels drawn with
 * the training shares from a seeded splitmix64 generator, one-hot
 * probabilities: sklearn's strategy, not its random stream), and
 * DummyRegressor's `mean` and `median` (numpy.median: the mean of the middle
 * two of an even count).
 */
#include <stdlib.h>
#include <string.h>

#include "components/model_checker/mc.h"

static const char *const names[] = {"majority", "stratified", "mean", "median"};

const char *lp_mc_baseline_name(lp_mc_baseline b)
{
    return names[b];
}

int lp_mc_baseline_parse(lp_mc_baseline *out, const lp_value *v, const char *who)
{
    const char *s = lp_value_as_string(v);
    for (size_t i = 0; s && i < 4; i++)
        if (strcmp(s, names[i]) == 0) {
            *out = (lp_mc_baseline)i;
            return 0;
        }
    return lp_kit_error_at(LP_ECONFIG, v,
                           "%s: unknown baseline '%s'%s; baselines are majority, stratified "
                           "(classification), mean, median (regression)",
                           who, s ? s : lp_vtype_name(lp_value_type(v)),
                           s ? lp_chk_did_you_mean(s, names, 4) : "");
}

static uint64_t splitmix(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int classify(lp_mc_split *out, lp_mc_baseline b, const lp_mc_split *train,
                    const lp_mc_split *eval, uint64_t seed)
{
    size_t k = train->k, n = eval->n;
    double *share = calloc(k, sizeof *share);
    out->y = malloc((n ? n : 1) * sizeof *out->y);
    out->pred = malloc((n ? n : 1) * sizeof *out->pred);
    out->proba = calloc(n * k > 0 ? n * k : 1, sizeof *out->proba);
    if (!share || !out->y || !out->pred || !out->proba) {
        free(share);
        return lp_error_set(LP_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < train->n; i++)
        share[train->y[i]] += 1.0 / (double)train->n;
    size_t top = 0;
    for (size_t c = 1; c < k; c++)
        if (share[c] > share[top]) top = c;
    uint64_t state = seed;
    memcpy(out->y, eval->y, n * sizeof *out->y);
    for (size_t i = 0; i < n; i++) {
        size_t c = top;
        if (b == LP_MC_STRATIFIED) {
            double u = (double)(splitmix(&state) >> 11) * 0x1.0p-53, acc = 0;
            for (c = 0; c + 1 < k; c++)
                if (u < (acc += share[c])) break;
            out->proba[i * k + c] = 1.0;
        } else {
            memcpy(out->proba + i * k, share, k * sizeof *share);
        }
        out->pred[i] = (int32_t)c;
    }
    free(share);
    return 0;
}

static int regress(lp_mc_split *out, lp_mc_baseline b, const lp_mc_split *train,
                   const lp_mc_split *eval)
{
    size_t n = eval->n, m = train->n;
    out->yr = malloc((n ? n : 1) * sizeof *out->yr);
    out->pr = malloc((n ? n : 1) * sizeof *out->pr);
    double *sorted = malloc((m ? m : 1) * sizeof *sorted);
    if (!out->yr || !out->pr || !sorted) {
        free(sorted);
        return lp_error_set(LP_ENOMEM, "out of memory");
    }
    double value = 0;
    if (b == LP_MC_MEAN) {
        for (size_t i = 0; i < m; i++) /* numpy's mean: pairwise sum; fine to 1e-12 here */
            value += train->yr[i];
        value /= (double)m;
    } else {
        memcpy(sorted, train->yr, m * sizeof *sorted);
        qsort(sorted, m, sizeof *sorted, cmp_double);
        value = m % 2 ? sorted[m / 2] : (sorted[m / 2 - 1] + sorted[m / 2]) / 2;
    }
    free(sorted);
    memcpy(out->yr, eval->yr, n * sizeof *out->yr);
    for (size_t i = 0; i < n; i++)
        out->pr[i] = value;
    return 0;
}

int lp_mc_baseline_predict(lp_mc_split *out, lp_mc_baseline b, const lp_mc_split *train,
                           const lp_mc_split *eval, uint64_t seed)
{
    memset(out, 0, sizeof *out);
    out->n = eval->n;
    out->k = eval->k;
    if (!train->n)
        return lp_error_set(LP_EINVAL, "baseline %s: the training split is empty", names[b]);
    bool classification = train->k > 0, fits = classification == (b <= LP_MC_STRATIFIED);
    if (!fits)
        return lp_error_set(LP_ECONFIG, "baseline %s does not suit a %s model", names[b],
                            classification ? "classification" : "regression");
    int rc = classification ? classify(out, b, train, eval, seed) : regress(out, b, train, eval);
    if (rc) lp_mc_split_free(out);
    return rc;
}
