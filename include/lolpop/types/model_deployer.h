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
 * Optional: a class may implement these too; callers check first with
 * lp_obj_has_method (lp_type.optional_methods lists them).
 *
 *   prepare_bundle(model_version, model)
 *       records with a version not deployed now what deploying it later, outside its workflow,
 * needs from the workflow
 *       model_version: model version
 *       model: model handle
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

#define LP_TYPE_MODEL_DEPLOYER           "model_deployer"
#define LP_MODEL_DEPLOYER_DEPLOY_MODEL   "deploy_model"
#define LP_MODEL_DEPLOYER_PREPARE_BUNDLE "prepare_bundle"

/* deploy_model(promotion, model_version) -> deployment: the deployment. */
static inline lp_value *lp_model_deployer_deploy_model(lp_obj *model_deployer, lp_value *promotion,
                                                       lp_value *model_version)
{
    return lp_call_with(model_deployer, LP_MODEL_DEPLOYER_DEPLOY_MODEL, "promotion",
                        lp_type_arg(promotion), "model_version", lp_type_arg(model_version),
                        (const char *)NULL);
}

/* prepare_bundle(model_version, model): records with a version not deployed now what deploying
 * it later, outside its workflow, needs from the workflow.
 * Optional: LP_ENOTFOUND when the class lacks it; check first with
 * lp_obj_has_method(model_deployer, LP_MODEL_DEPLOYER_PREPARE_BUNDLE). */
static inline int lp_model_deployer_prepare_bundle(lp_obj *model_deployer, lp_value *model_version,
                                                   lp_value *model)
{
    return lp_type_status(lp_call_with(model_deployer, LP_MODEL_DEPLOYER_PREPARE_BUNDLE,
                                       "model_version", lp_type_arg(model_version), "model",
                                       lp_type_arg(model), (const char *)NULL));
}

#ifdef __cplusplus
}
#endif
#endif
