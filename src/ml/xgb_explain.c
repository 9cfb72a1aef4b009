/*
 * xgb_explain.c — SHAP contributions and feature importance of the XGBoost
 * back-end, both computed by libxgboost itself: contributions are its exact
 * TreeSHAP (predict with pred_contribs, "type": 2), importance its
 * XGBoosterFeatureScore (what python's Booster.get_score returns).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ml/model_internal.h"
#include "ml/xgb_api.h"
#include "ml/xgb_internal.h"

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

int lp_xgb_contributions(void *state, const lp_model *m, const double *X, size_t rows, double *out)
{
    xgb_state *s = state;
    DMatrixHandle d;
    int rc = lp_xgb_dmatrix(&d, m, X, rows, 0);
    if (rc) return rc;
    rc = contribs_dmatrix(s, m, d, rows, out);
    XGDMatrixFree(d);
    return rc;
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
