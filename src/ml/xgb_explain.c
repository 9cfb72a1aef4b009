/*
 * xgb_explain.c — SHAP contributions and feature importance of the XGBoost
 * back-end. Contributions are exact TreeSHAP: lolpop's own (xgb_shap.h) on
 * the trees xgb_native.c reads, once it has been checked against
 * libxgboost's pred_contribs ("type": 2) on probe rows, else libxgboost's.
 * Importance is XGBoosterFeatureScore (what python's Booster.get_score
 * returns).
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lolpop/log.h"
#include "ml/model_internal.h"
#include "ml/xgb_api.h"
#include "ml/xgb_internal.h"
#include "ml/xgb_native.h"
#include "ml/xgb_shap.h"

/* Contributions of DMatrix d's rows into out (G × (p + 1) doubles per row). */
static int contribs_dmatrix(const xgb_state *s, const lp_model *m, DMatrixHandle d, size_t rows,
                            double *out)
{
    char config[160];
    snprintf(config, sizeof config,
             "{\"type\": 2, \"training\": false, \"iteration_begin\": 0, \"iteration_end\": %d, "
             "\"strict_shape\": false}",
             s->iter_end);
    const bst_ulong *shape;
    bst_ulong dim;
    const float *res;
    if (XGBoosterPredictFromDMatrix(s->bst, d, config, &shape, &dim, &res))
        return lp_xgb_fail("contribution prediction");
    bst_ulong n = 1;
    for (bst_ulong i = 0; i < dim; i++)
        n *= shape[i];
    size_t want = rows * lp_model_n_contribution_groups(m) * (lp_model_n_features(m) + 1);
    if (n != want)
        return lp_error_set(LP_ERROR, "XGBoost gave %llu contributions for %zu rows (want %zu)",
                            (unsigned long long)n, rows, want);
    for (size_t i = 0; i < want; i++)
        out[i] = res[i];
    return 0;
}

int lp_xgb_contributions_libxgboost(void *state, const lp_model *m, const double *X, size_t rows,
                                    double *out)
{
    xgb_state *s = state;
    DMatrixHandle d;
    int rc = lp_xgb_dmatrix(&d, m, X, rows, 0);
    if (rc) return rc;
    rc = contribs_dmatrix(s, m, d, rows, out);
    XGDMatrixFree(d);
    return rc;
}

enum { SHAP_NONE, SHAP_READY, SHAP_OFF };

/* Probe rows the compiled TreeSHAP must answer as libxgboost does. */
#define SHAP_PROBES 64

/* True when sh's contributions on the probe rows X equal libxgboost's to
 * float rounding (1e-5 relative: both sum floats, in the same order). */
static bool shap_agrees(xgb_state *s, const lp_model *m, const lp_xgb_shap *sh, const double *X)
{
    size_t n = SHAP_PROBES * lp_model_n_contribution_groups(m) * (lp_model_n_features(m) + 1);
    double *mine = malloc(n * sizeof *mine), *theirs = malloc(n * sizeof *theirs);
    bool same = mine && theirs && lp_xgb_shap_groups(sh) == lp_model_n_contribution_groups(m) &&
                lp_xgb_shap_contributions(sh, X, SHAP_PROBES, mine) == 0 &&
                lp_xgb_contributions_libxgboost(s, m, X, SHAP_PROBES, theirs) == 0;
    for (size_t i = 0; same && i < n; i++)
        same = fabs(mine[i] - theirs[i]) <= 1e-5 * fmax(1.0, fabs(theirs[i]));
    free(mine);
    free(theirs);
    return same;
}

/* Compiles s's TreeSHAP and checks it; the new shap_state. */
static int shap_compile(xgb_state *s, const lp_model *m)
{
    size_t p = lp_model_n_features(m);
    lp_xgb_native *nb = NULL;
    lp_xgb_shap *sh = NULL;
    double *X = malloc(SHAP_PROBES * (p ? p : 1) * sizeof *X);
    if (!X || lp_xgb_native_compile(&nb, s->bst, s->iter_end, p) != 0 || !nb) {
        free(X);
        lp_xgb_native_free(nb);
        return SHAP_OFF;
    }
    lp_xgb_native_probes(nb, X, SHAP_PROBES);
    if (lp_xgb_shap_compile(&sh, nb) == 0 && sh && shap_agrees(s, m, sh, X)) {
        s->shap = sh;
        free(X);
        return SHAP_READY;
    }
    if (sh)
        lp_log(NULL, LP_LOG_DEBUG,
               "xgboost: lolpop's TreeSHAP differs from libxgboost's on probe rows; "
               "libxgboost's pred_contribs explains this model");
    lp_xgb_shap_free(sh);
    free(X);
    return SHAP_OFF;
}

static pthread_mutex_t shap_lock = PTHREAD_MUTEX_INITIALIZER;

/* s's checked TreeSHAP, compiled by the first caller, or NULL. */
static const lp_xgb_shap *shap_of(xgb_state *s, const lp_model *m)
{
    pthread_mutex_lock(&shap_lock);
    if (s->shap_state == SHAP_NONE) s->shap_state = shap_compile(s, m);
    const lp_xgb_shap *sh = s->shap_state == SHAP_READY ? s->shap : NULL;
    pthread_mutex_unlock(&shap_lock);
    return sh;
}

int lp_xgb_shap_settle(const lp_model *m)
{
    xgb_state *s = m->state;
    shap_of(s, m);
    return s->shap_state;
}

int lp_xgb_contributions(void *state, const lp_model *m, const double *X, size_t rows, double *out)
{
    const lp_xgb_shap *sh = shap_of(state, m);
    if (sh) return lp_xgb_shap_contributions(sh, X, rows, out);
    return lp_xgb_contributions_libxgboost(state, m, X, rows, out);
}

/* The feature index of XGBoost's default name "f<j>", or -1. */
static long feature_index(const char *name, size_t p)
{
    char *end = NULL;
    if (name[0] != 'f') return -1;
    long j = strtol(name + 1, &end, 10);
    return end && *end == '\0' && end != name + 1 && j >= 0 && (size_t)j < p ? j : -1;
}

int lp_xgb_feature_importance(void *state, const lp_model *m, const char *kind, double *out)
{
    static const char *const kinds[] = {"weight", "gain", "cover", "total_gain", "total_cover"};
    bool known = false;
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
        known |= strcmp(kind, kinds[i]) == 0;
    if (!known)
        return lp_error_set(LP_ENOTFOUND,
                            "XGBoost has no '%s' importance (weight, gain, cover, total_gain, "
                            "total_cover)",
                            kind);
    xgb_state *s = state;
    char config[96];
    snprintf(config, sizeof config, "{\"importance_type\": \"%s\"}", kind);
    bst_ulong nf = 0, dim = 0;
    const char **names = NULL;
    const bst_ulong *shape = NULL;
    const float *scores = NULL;
    if (XGBoosterFeatureScore(s->bst, config, &nf, &names, &dim, &shape, &scores))
        return lp_xgb_fail("feature importance");
    if (dim != 1)
        return lp_error_set(LP_ENOTFOUND,
                            "XGBoost gives '%s' importance per class for this booster (gblinear), "
                            "not per feature",
                            kind);
    size_t p = lp_model_n_features(m);
    for (bst_ulong i = 0; i < nf; i++) {
        long j = feature_index(names[i], p);
        if (j >= 0) out[j] = scores[i];
    }
    return 0;
}
