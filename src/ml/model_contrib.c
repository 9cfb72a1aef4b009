/*
 * model_contrib.c — per-feature contributions (SHAP values) and the
 * back-end's feature importance, for the back-ends that give them
 * (lp_model_ops.contributions, .feature_importance), and the outputs round
 * by round of boosted models (.staged_predict, for learning curves).
 */
#include <stdlib.h>

#include "core/internal.h"
#include "ml/model_internal.h"

LP_API bool lp_model_has_contributions(const lp_model *m)
{
    const lp_model_ops *ops = m->ops;
    return ops && LP_MODEL_OPS_HAS(ops, contributions) && ops->contributions;
}

LP_API size_t lp_model_n_contribution_groups(const lp_model *m)
{
    return m->task == LP_MODEL_MULTICLASS ? m->n_classes : 1;
}

LP_API int lp_model_contributions(double **out, const lp_model *m, const lp_frame *X)
{
    *out = NULL;
    if (!lp_model_has_contributions(m))
        return lp_error_set(LP_EINVAL, "the %s model of '%s' gives no feature contributions",
                            lp_model_backend(m), m->target);
    double *mat;
    int rc = lp_model_matrix(&mat, m, X);
    if (rc) return rc;
    size_t rows = lp_frame_rows(X);
    size_t n = rows * lp_model_n_contribution_groups(m) * (m->n_features + 1);
    double *res = malloc((n ? n : 1) * sizeof *res);
    if (!res)
        rc = lp_error_set(LP_ENOMEM, "out of memory for %zu contributions", n);
    else if (rows)
        rc = m->ops->contributions(m->state, m, mat, rows, res);
    free(mat);
    if (rc) {
        free(res);
        return rc;
    }
    *out = res;
    return 0;
}

LP_API int lp_model_feature_importance(double **out, const lp_model *m, const char *kind)
{
    *out = NULL;
    const lp_model_ops *ops = m->ops;
    if (!ops || !LP_MODEL_OPS_HAS(ops, feature_importance) || !ops->feature_importance)
        return lp_error_set(LP_ENOTFOUND, "the %s model of '%s' has no '%s' feature importance",
                            lp_model_backend(m), m->target, kind ? kind : "(null)");
    if (!kind) return lp_error_set(LP_EINVAL, "feature importance: no kind given");
    double *res = calloc(m->n_features ? m->n_features : 1, sizeof *res);
    if (!res) return lp_error_set(LP_ENOMEM, "out of memory");
    int rc = ops->feature_importance(m->state, m, kind, res);
    if (rc) {
        free(res);
        return rc;
    }
    *out = res;
    return 0;
}

LP_API bool lp_model_has_stages(const lp_model *m)
{
    const lp_model_ops *ops = m->ops;
    return ops && LP_MODEL_OPS_HAS(ops, staged_predict) && ops->staged_predict;
}

LP_API int lp_model_staged_predict(const lp_model *m, const lp_frame *X, lp_model_stage_fn each,
                                   void *ctx)
{
    if (!lp_model_has_stages(m))
        return lp_error_set(LP_EINVAL, "the %s model of '%s' has no boosting rounds",
                            lp_model_backend(m), m->target);
    if (!each) return lp_error_set(LP_EINVAL, "staged prediction: no callback given");
    double *mat;
    int rc = lp_model_matrix(&mat, m, X);
    if (rc) return rc;
    size_t rows = lp_frame_rows(X);
    rc = m->ops->staged_predict(m->state, m, mat, rows, each, ctx);
    free(mat);
    return rc;
}
