/*
 * types/deploy.h — the `deploy` pipeline type: promotes, approves and deploys a model version.
 *
 * Contract: every pipeline class of type `deploy` implements these methods
 * (checked by lp_registry_add_class). Arguments and results are named values;
 * a result written "a, b" is a map with those keys. Method names come from
 * SPEC §5 (§6.1 for pipelines); argument and result names are fixed here.
 *
 *   promote_model(model_version, model) -> promotion
 *       the promotion
 *       model_version: model version
 *       model: model handle
 *   check_approval(promotion) -> approved
 *       bool (auto_approve_models)
 *       promotion: from promote_model
 *   approve_model(promotion) -> approval
 *       the approval
 *       promotion: from promote_model
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
#ifndef LOLPOP_TYPES_DEPLOY_H
#define LOLPOP_TYPES_DEPLOY_H

#include <stdint.h>
#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LP_TYPE_DEPLOY           "deploy"
#define LP_DEPLOY_PROMOTE_MODEL  "promote_model"
#define LP_DEPLOY_CHECK_APPROVAL "check_approval"
#define LP_DEPLOY_APPROVE_MODEL  "approve_model"
#define LP_DEPLOY_DEPLOY_MODEL   "deploy_model"

/* promote_model(model_version, model) -> promotion: the promotion. */
static inline lp_value *lp_deploy_promote_model(lp_obj *deploy, lp_value *model_version,
                                                lp_value *model)
{
    return lp_call_with(deploy, LP_DEPLOY_PROMOTE_MODEL, "model_version",
                        lp_type_arg(model_version), "model", lp_type_arg(model),
                        (const char *)NULL);
}

/* check_approval(promotion) -> approved: bool (auto_approve_models). */
static inline lp_value *lp_deploy_check_approval(lp_obj *deploy, lp_value *promotion)
{
    return lp_call_with(deploy, LP_DEPLOY_CHECK_APPROVAL, "promotion", lp_type_arg(promotion),
                        (const char *)NULL);
}

/* approve_model(promotion) -> approval: the approval. */
static inline lp_value *lp_deploy_approve_model(lp_obj *deploy, lp_value *promotion)
{
    return lp_call_with(deploy, LP_DEPLOY_APPROVE_MODEL, "promotion", lp_type_arg(promotion),
                        (const char *)NULL);
}

/* deploy_model(promotion, model_version) -> deployment: the deployment. */
static inline lp_value *lp_deploy_deploy_model(lp_obj *deploy, lp_value *promotion,
                                               lp_value *model_version)
{
    return lp_call_with(deploy, LP_DEPLOY_DEPLOY_MODEL, "promotion", lp_type_arg(promotion),
                        "model_version", lp_type_arg(model_version), (const char *)NULL);
}

#ifdef __cplusplus
}
#endif
#endif
