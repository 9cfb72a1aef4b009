/*
 * types/model_deployer.h — the `model_deployer` component type: deploys a promoted model version.
 *
 * Contract: every component class of type `model_deployer` implements these methods
 * (checked by lp_registry_add_class). Arguments and results are named values;
 * a result written "a, b" is a map with those keys. Method names come from
 * SPEC §5 (§6.1 for pipelines); argument and result names are fixed here.
 *
 *   deploy_model(promotion, model_version) -> deployment
 *       the deployment
 *       promotion: from promote_model
 *       model_version: model version
 *
 * The inline helpers call through the dispatcher (lp_call_with). They borrow
 * their arguments (NULL becomes a null value). Helpers of methods with a result
 * return a new reference, or NULL with the last error set; the others return 0
 * or the negative LP_E* code of the failure.
 */
#ifndef LOLPOP_TYPES_MODEL_DEPLOYER_H
#define LOLPOP_TYPES_MODEL_DEPLOYER_H

#include <stdint.h>
#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LP_TYPE_MODEL_DEPLOYER         "model_deployer"
#define LP_MODEL_DEPLOYER_DEPLOY_MODEL "deploy_model"

/* deploy_model(promotion, model_version) -> deployment: the deployment. */
static inline lp_value *lp_model_deployer_deploy_model(lp_obj *model_deployer, lp_value *promotion,
                                                       lp_value *model_version)
{
    return lp_call_with(model_deployer, LP_MODEL_DEPLOYER_DEPLOY_MODEL, "promotion",
                        lp_type_arg(promotion), "model_version", lp_type_arg(model_version),
                        (const char *)NULL);
}

#ifdef __cplusplus
}
#endif
#endif
