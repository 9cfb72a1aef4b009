/*
 * xgb_native.h — an XGBoost booster's trees walked by lolpop itself, for
 * small batches.
 *
 * libxgboost's in-place prediction costs about 160 k instructions and eleven
 * system calls per call whatever the batch size (it parses two JSON configs,
 * builds a proxy DMatrix, reads the cgroup CPU quota from /sys twice and
 * starts an OpenMP region), which is most of the cost of a one-row request
 * to `lolpop serve`. The trees themselves take a few hundred nanoseconds.
 *
 * The walk reproduces libxgboost's arithmetic (float comparisons, float sums
 * in tree order from the base margin, its sigmoid and softmax), and every
 * compiled model is checked against libxgboost on probe rows built from its
 * own split values before it is used (xgb.c): a model the walk would answer
 * differently is left to libxgboost.
 */
#ifndef LP_ML_XGB_NATIVE_H
#define LP_ML_XGB_NATIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A compiled booster (immutable, shareable between threads). */
typedef struct lp_xgb_native lp_xgb_native;

/* Compiles booster bst (a BoosterHandle; trees of rounds [0, iter_end), 0 =
 * all) for n_features features. *out is a new compiled booster, or NULL when
 * its objective or layout is not one the walk reproduces (not an error).
 * Returns 0, or an error code when libxgboost or memory failed. */
int lp_xgb_native_compile(lp_xgb_native **out, void *bst, int iter_end, size_t n_features);

/* Floats per row of lp_xgb_native_predict's answer (classes of a softprob
 * model, else 1). */
size_t lp_xgb_native_outputs(const lp_xgb_native *nb);

/* libxgboost's prediction output (type 0) for rows × n_features doubles at
 * X (NaN = missing) into res (rows × outputs floats, caller's). */
void lp_xgb_native_predict(const lp_xgb_native *nb, const double *X, size_t rows, float *res);

/* Fills X (rows × n_features, caller's) with probe rows: split values of the
 * trees, the float just below them, category codes in and out of the split
 * sets, and missing values, chosen deterministically. */
void lp_xgb_native_probes(const lp_xgb_native *nb, double *X, size_t rows);

/* ---- read access to the trees (TreeSHAP, xgb_shap.c) ---- */

/* One node of a compiled booster, as a copy. */
typedef struct lp_xgb_native_node {
    float value;         /* the split condition, or the leaf's value */
    float cover;         /* sum_hessian of the training rows that reached it */
    uint32_t feature;    /* the split's feature */
    int32_t left, right; /* node indices of the children; -1 on leaves */
    bool default_left, categorical;
} lp_xgb_native_node;

/* Trees of nb (the rounds it was compiled for). */
size_t lp_xgb_native_n_trees(const lp_xgb_native *nb);

/* Tree t's root node index and output group. */
void lp_xgb_native_tree(const lp_xgb_native *nb, size_t t, uint32_t *root, uint32_t *group);

/* True when every tree of nb came with its covers (sum_hessian). */
bool lp_xgb_native_has_covers(const lp_xgb_native *nb);

/* Node i of nb into *out. */
void lp_xgb_native_node_get(const lp_xgb_native *nb, uint32_t i, lp_xgb_native_node *out);

/* True when a row whose split feature is v (NaN = missing) goes to split
 * node i's left child, as libxgboost decides (default direction, category
 * sets). */
bool lp_xgb_native_goes_left(const lp_xgb_native *nb, uint32_t i, float v);

/* The base margin every row's sum starts from. */
float lp_xgb_native_base_margin(const lp_xgb_native *nb);

/* Features nb was compiled for. */
size_t lp_xgb_native_n_features(const lp_xgb_native *nb);

/* Frees nb; NULL does nothing. */
void lp_xgb_native_free(lp_xgb_native *nb);

#endif
