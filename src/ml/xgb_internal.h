/* xgb_internal.h — pieces of the XGBoost back-end shared by xgb*.c. */
#ifndef LP_ML_XGB_INTERNAL_H
#define LP_ML_XGB_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>

#include "ml/xgb.h"

struct lp_xgb_native;
struct lp_xgb_shap;

/* The back-end's state: the booster and the rounds predictions use. */
typedef struct xgb_state {
    void *bst;    /* BoosterHandle */
    int iter_end; /* predict with trees of rounds [0, iter_end); 0 = all */
    /* the trees compiled for small batches (xgb_native.h), on a thread of
     * their own once a model has scored a few: native_state is 0 before, 3
     * while compiling, 1 when `native` is checked and used, 2 when libxgboost
     * answers every batch */
    _Atomic int native_state;
    _Atomic unsigned small_batches;
    struct lp_xgb_native *native;
    size_t native_features;
    pthread_t compiler;
    bool compiler_running; /* joined by state_free or lp_xgb_native_settle */
    /* TreeSHAP by lolpop (xgb_shap.h), compiled by the first contributions
     * call: shap_state 0 before, 1 when `shap` is checked and used, 2 when
     * libxgboost's pred_contribs answers (xgb_explain.c) */
    int shap_state;
    struct lp_xgb_shap *shap;
} xgb_state;

/* Waits for the compile of m's trees if small batches started one, and
 * returns native_state (a test hook: 1 means small batches use the trees). */
int lp_xgb_native_settle(const lp_model *m);

/* lp_model_ops.contributions: XGBoost's exact TreeSHAP (pred_contribs). */
int lp_xgb_contributions(void *state, const lp_model *m, const double *X, size_t rows, double *out);
/* libxgboost's own pred_contribs for the same rows (the reference the
 * compiled TreeSHAP is checked against; tests compare the two). */
int lp_xgb_contributions_libxgboost(void *state, const lp_model *m, const double *X, size_t rows,
                                    double *out);
/* Compiles and checks m's TreeSHAP if not done; returns shap_state (a test
 * hook: 1 means lolpop's TreeSHAP answers lp_xgb_contributions). */
int lp_xgb_shap_settle(const lp_model *m);
/* lp_model_ops.feature_importance: XGBoosterFeatureScore's weight, gain,
 * cover, total_gain or total_cover (as python's get_score). */
int lp_xgb_feature_importance(void *state, const lp_model *m, const char *kind, double *out);
/* lp_model_ops.staged_predict: the outputs after each boosting round, one
 * round of trees evaluated per step (the margin so far is the next step's
 * base_margin), so a curve costs about two full predictions. */
int lp_xgb_staged_predict(void *state, const lp_model *m, const double *X, size_t rows,
                          lp_model_stage_fn each, void *ctx);
/* XGBoost's answer (shape[dim] floats at res) for `rows` rows into out, in
 * lolpop's output layout (lp_model_ops.predict), after checking its size. */
int lp_xgb_take_output(const lp_model *m, size_t rows, const uint64_t *shape, uint64_t dim,
                       const float *res, double *out);

/* Validated inputs of one training: frames borrowed, labels owned. */
typedef struct lp_xgb_data {
    const lp_frame *X_train, *X_valid;
    float *y_train, *y_valid; /* class index or value per row */
} lp_xgb_data;

void lp_xgb_data_free(lp_xgb_data *d);

/* Checks the inputs, detects the task, encodes the labels, describes the
 * features in a new model (*m, new reference, no booster yet) and resolves
 * the parameters (*eff, new map: the user's plus defaults). */
int lp_xgb_prepare(lp_xgb_data *d, lp_model **m, lp_value **eff, const lp_frame *X_train,
                   const lp_frame *y_train, const lp_frame *X_valid, const lp_frame *y_valid,
                   const lp_value *params);

/* Copies params after checking every name (unknown → error with the closest
 * known one) and fills num_boost_round, early_stopping_rounds, nthread, seed. */
int lp_xgb_params_resolve(lp_value **out, const lp_value *params);
/* Sets every XGBoost parameter of eff on the booster (a void * BoosterHandle). */
int lp_xgb_set_params(void *bst, const lp_value *eff);

lp_model *lp_xgb_model_new(lp_model_task task, const char *target, lp_dtype target_dtype);
int lp_xgb_dmatrix(void **out, const lp_model *m, const double *X, size_t rows, int nthread);
/* A training DMatrix shared by the trainings on one split (xgb_dmatrix.c). */
typedef struct lp_xgb_shared lp_xgb_shared;
/* The DMatrix (*d, a DMatrixHandle borrowed from *out) of X's rows for m's
 * features with these labels: the one an earlier training left on X when it
 * was built for the same features, labels and nthread, else a new one. *out
 * is the caller's until it hands it to lp_xgb_shared_done. */
int lp_xgb_shared_dmatrix(lp_xgb_shared **out, void **d, const lp_model *m, const lp_frame *X,
                          const float *labels, int nthread);
/* Leaves sh on frame X (which it was built from) for the next training;
 * takes ownership (X keeps it until it is freed). NULL does nothing. */
void lp_xgb_shared_done(lp_xgb_shared *sh, const lp_frame *X);
/* How many shared DMatrices this process has built (a test hook). */
unsigned long lp_xgb_shared_builds(void);
/* Records XGBGetLastError() as the last error; returns LP_ERROR. */
int lp_xgb_fail(const char *what);

#endif
