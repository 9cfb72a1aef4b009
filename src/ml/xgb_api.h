/*
 * xgb_api.h — the libxgboost C API, loaded on first use (core/lazylib.h).
 *
 * Files that call XGBoost include this header instead of <xgboost/c_api.h>:
 * each XGB* name then means the function pointer of the same name in
 * lp_xgb_fn. Every entry into the XGBoost back-end (training, loading a saved
 * model) calls lp_xgb_require() first; predictions and saves only happen on
 * models those made.
 */
#ifndef LP_ML_XGB_API_H
#define LP_ML_XGB_API_H

#include <xgboost/c_api.h>

#include "core/internal.h"

#define LP_XGB_FUNCTIONS(X)                                                                        \
    X(XGBGetLastError)                                                                             \
    X(XGBRegisterLogCallback)                                                                      \
    X(XGBoosterBoostedRounds)                                                                      \
    X(XGBoosterCreate)                                                                             \
    X(XGBoosterEvalOneIter)                                                                        \
    X(XGBoosterFeatureScore)                                                                       \
    X(XGBoosterFree)                                                                               \
    X(XGBoosterGetAttr)                                                                            \
    X(XGBoosterLoadModelFromBuffer)                                                                \
    X(XGBoosterPredictFromDMatrix)                                                                 \
    X(XGBoosterPredictFromDense)                                                                   \
    X(XGBoosterSaveModelToBuffer)                                                                  \
    X(XGBoosterSetAttr)                                                                            \
    X(XGBoosterSetParam)                                                                           \
    X(XGBoosterUpdateOneIter)                                                                      \
    X(XGDMatrixCreateFromDense)                                                                    \
    X(XGDMatrixFree)                                                                               \
    X(XGDMatrixSetFloatInfo)                                                                       \
    X(XGDMatrixSetStrFeatureInfo)

#define LP_XGB_FIELD(name) __typeof__(name) *name;
typedef struct lp_xgb_fns {
    LP_XGB_FUNCTIONS(LP_XGB_FIELD)
} lp_xgb_fns;
#undef LP_XGB_FIELD

extern lp_xgb_fns lp_xgb_fn;

/* Loads libxgboost once; 0, or LP_ENOTFOUND with the reason. Thread-safe. */
int lp_xgb_require(void);

#ifndef LP_XGB_API_IMPL
#define XGBGetLastError              lp_xgb_fn.XGBGetLastError
#define XGBRegisterLogCallback       lp_xgb_fn.XGBRegisterLogCallback
#define XGBoosterBoostedRounds       lp_xgb_fn.XGBoosterBoostedRounds
#define XGBoosterCreate              lp_xgb_fn.XGBoosterCreate
#define XGBoosterEvalOneIter         lp_xgb_fn.XGBoosterEvalOneIter
#define XGBoosterFeatureScore        lp_xgb_fn.XGBoosterFeatureScore
#define XGBoosterFree                lp_xgb_fn.XGBoosterFree
#define XGBoosterGetAttr             lp_xgb_fn.XGBoosterGetAttr
#define XGBoosterLoadModelFromBuffer lp_xgb_fn.XGBoosterLoadModelFromBuffer
#define XGBoosterPredictFromDMatrix  lp_xgb_fn.XGBoosterPredictFromDMatrix
#define XGBoosterPredictFromDense    lp_xgb_fn.XGBoosterPredictFromDense
#define XGBoosterSaveModelToBuffer   lp_xgb_fn.XGBoosterSaveModelToBuffer
#define XGBoosterSetAttr             lp_xgb_fn.XGBoosterSetAttr
#define XGBoosterSetParam            lp_xgb_fn.XGBoosterSetParam
#define XGBoosterUpdateOneIter       lp_xgb_fn.XGBoosterUpdateOneIter
#define XGDMatrixCreateFromDense     lp_xgb_fn.XGDMatrixCreateFromDense
#define XGDMatrixFree                lp_xgb_fn.XGDMatrixFree
#define XGDMatrixSetFloatInfo        lp_xgb_fn.XGDMatrixSetFloatInfo
#define XGDMatrixSetStrFeatureInfo   lp_xgb_fn.XGDMatrixSetStrFeatureInfo
#endif

#endif
