/*
 * xgb_shap.h — exact TreeSHAP of an XGBoost booster computed by lolpop from
 * the trees xgb_native.c reads, instead of libxgboost's pred_contribs.
 *
 * The arithmetic is libxgboost 1.7's (RegTree::TreeShap in float, the node
 * mean values in float, per-tree float sums added to the row's float sums in
 * tree order, the base margin last), so the answers equal pred_contribs to
 * float rounding; what is saved is the DMatrix, a heap allocation per tree
 * and row, and the mean values recomputed on every call. Rows are spread
 * over threads (ml_parallel.h); the answer does not depend on their number.
 */
#ifndef LP_ML_XGB_SHAP_H
#define LP_ML_XGB_SHAP_H

#include <stddef.h>

#include "ml/xgb_native.h"

/* Compiled trees for TreeSHAP (immutable, shareable between threads). */
typedef struct lp_xgb_shap lp_xgb_shap;

/* Prepares TreeSHAP over nb's trees; takes ownership of nb (freed with the
 * result, or now on failure). *out is NULL, and 0 returned, when nb has no
 * covers (sum_hessian) to weigh the branches with. */
int lp_xgb_shap_compile(lp_xgb_shap **out, lp_xgb_native *nb);

/* Trees of sh, and those answered from path-pattern tables (the rest run
 * the recursion per row; a test hook). */
size_t lp_xgb_shap_trees(const lp_xgb_shap *sh);
size_t lp_xgb_shap_tabled_trees(const lp_xgb_shap *sh);

/* Output groups (classes of a multi-class model, else 1). */
size_t lp_xgb_shap_groups(const lp_xgb_shap *sh);

/* SHAP values of rows × p doubles at X (NaN = missing) into out (caller's):
 * per row and group, p contributions then the bias, as pred_contribs.
 * Returns 0, or LP_ENOMEM when a thread's buffers could not be had. */
int lp_xgb_shap_contributions(const lp_xgb_shap *sh, const double *X, size_t rows, double *out);

/* Frees sh (and the trees it owns); NULL does nothing. */
void lp_xgb_shap_free(lp_xgb_shap *sh);

#endif
