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

#include <stddef.h>

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

/* Frees nb; NULL does nothing. */
void lp_xgb_native_free(lp_xgb_native *nb);

#endif
