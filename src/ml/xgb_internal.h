/* xgb_internal.h — pieces of the XGBoost back-end shared by xgb*.c. */
#ifndef LP_ML_XGB_INTERNAL_H
#define LP_ML_XGB_INTERNAL_H

#include "ml/xgb.h"

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
/* Records XGBGetLastError() as the last error; returns LP_ERROR. */
int lp_xgb_fail(const char *what);

#endif
