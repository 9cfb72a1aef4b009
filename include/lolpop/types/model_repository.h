/*
 * types/model_repository.h — the `model_repository` component type: registers model versions and
 * manages promotion and approval.
 *
 * Contract: every component class of type `model_repository` implements these methods
 * (checked by lp_registry_add_class). Arguments and results are named values;
 * a result written "a, b" is a map with those keys. Method names come from
 * SPEC §5 (§6.1 for pipelines); argument and result names are fixed here.
 *
 *   register_model(model_version, model) -> registered_model
 *       the registration
 *       model_version: model version
 *       model: model handle
 *   promote_model(model_version, registered_model) -> promotion
 *       the promotion
 *       model_version: model version
 *       registered_model: from register_model
 *   check_approval(promotion) -> approved
 *       bool
 *       promotion: from promote_model
 *   approve_model(promotion) -> approval
 *       the approval
 *       promotion: from promote_model
 *
 * The inline helpers call through the dispatcher (lp_call_with). They borrow
 * their arguments (NULL becomes a null value). Helpers of methods with a result
 * return a new reference, or NULL with the last error set; the others return 0
 * or the negative LP_E* code of the failure.
 */
#ifndef LOLPOP_TYPES_MODEL_REPOSITORY_H
#define LOLPOP_TYPES_MODEL_REPOSITORY_H

#include <stdint.h>
#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LP_TYPE_MODEL_REPOSITORY           "model_repository"
#define LP_MODEL_REPOSITORY_REGISTER_MODEL "register_model"
#define LP_MODEL_REPOSITORY_PROMOTE_MODEL  "promote_model"
#define LP_MODEL_REPOSITORY_CHECK_APPROVAL "check_approval"
#define LP_MODEL_REPOSITORY_APPROVE_MODEL  "approve_model"

/* register_model(model_version, model) -> registered_model: the registration. */
static inline lp_value *lp_model_repository_register_model(lp_obj *model_repository,
                                                           lp_value *model_version, lp_value *model)
{
    return lp_call_with(model_repository, LP_MODEL_REPOSITORY_REGISTER_MODEL, "model_version",
                        lp_type_arg(model_version), "model", lp_type_arg(model),
                        (const char *)NULL);
}

/* promote_model(model_version, registered_model) -> promotion: the promotion. */
static inline lp_value *lp_model_repository_promote_model(lp_obj *model_repository,
                                                          lp_value *model_version,
                                                          lp_value *registered_model)
{
    return lp_call_with(model_repository, LP_MODEL_REPOSITORY_PROMOTE_MODEL, "model_version",
                        lp_type_arg(model_version), "registered_model",
                        lp_type_arg(registered_model), (const char *)NULL);
}

/* check_approval(promotion) -> approved: bool. */
static inline lp_value *lp_model_repository_check_approval(lp_obj *model_repository,
                                                           lp_value *promotion)
{
    return lp_call_with(model_repository, LP_MODEL_REPOSITORY_CHECK_APPROVAL, "promotion",
                        lp_type_arg(promotion), (const char *)NULL);
}

/* approve_model(promotion) -> approval: the approval. */
static inline lp_value *lp_model_repository_approve_model(lp_obj *model_repository,
                                                          lp_value *promotion)
{
    return lp_call_with(model_repository, LP_MODEL_REPOSITORY_APPROVE_MODEL, "promotion",
                        lp_type_arg(promotion), (const char *)NULL);
}

#ifdef __cplusplus
}
#endif
#endif
