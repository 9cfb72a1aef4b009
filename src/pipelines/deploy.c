/*
 * deploy.c — OfflineDeploy: a model version through the model_repository
 * (register, promote, approval) to the model_deployer's bundle.
 *
 * Without a model_repository there is nothing to promote: promote_model
 * returns null and the later steps skip. With a model_deployer, approval does
 * not move alias production: the deployer moves it with the deployment. check_approval asks the
 * repository, which honours `auto_approve_models`.
 */
#include "lolpop/types/model_deployer.h"
#include "lolpop/types/model_repository.h"
#include "pipelines/pipelines_internal.h"

static lp_value *deploy_promote_model(lp_obj *self, lp_value *args)
{
    lp_value *mv = lp_kit_arg_nonnull(args, "model_version", "promote_model");
    lp_value *model = mv ? lp_kit_arg_nonnull(args, "model", "promote_model") : NULL;
    if (!model) return NULL;
    lp_obj *repo = lp_obj_component(self, "model_repository");
    if (!repo) return lp_kit_skip(self, "promote_model", "model_repository");
    lp_value *registered = lp_model_repository_register_model(repo, mv, model);
    if (!registered) return NULL;
    lp_value *promotion = lp_model_repository_promote_model(repo, mv, registered);
    lp_value_unref(registered);
    return promotion;
}

/* The promotion argument, or NULL (no error) when promotion was skipped. */
static lp_value *promotion_arg(const lp_value *args)
{
    lp_value *p = lp_map_get(args, "promotion");
    return p && lp_value_type(p) != LP_NULL ? p : NULL;
}

static lp_value *deploy_check_approval(lp_obj *self, lp_value *args)
{
    lp_value *promotion = promotion_arg(args);
    lp_obj *repo = lp_obj_component(self, "model_repository");
    if (!repo || !promotion) {
        lp_log(self, LP_LOG_INFO, "check_approval: nothing promoted, nothing to approve");
        return lp_value_bool(false);
    }
    return lp_model_repository_check_approval(repo, promotion);
}

static lp_value *deploy_approve_model(lp_obj *self, lp_value *args)
{
    lp_value *promotion = promotion_arg(args);
    lp_obj *repo = lp_obj_component(self, "model_repository");
    if (!repo || !promotion) return lp_kit_skip(self, "approve_model", "model_repository");
    /* With a deployer to follow, the production alias moves with the
     * deployment (one store transaction), not here: a run that dies between
     * the two must not leave production naming an undeployed version. */
    bool deployer = lp_obj_component(self, "model_deployer") != NULL;
    return lp_call_with(repo, LP_MODEL_REPOSITORY_APPROVE_MODEL, "promotion",
                        lp_value_ref(promotion), "set_alias", lp_value_bool(!deployer),
                        (const char *)NULL);
}

static lp_value *deploy_deploy_model(lp_obj *self, lp_value *args)
{
    lp_value *promotion = promotion_arg(args);
    lp_value *mv = lp_kit_arg_nonnull(args, "model_version", "deploy_model");
    if (!mv) return NULL;
    lp_obj *deployer = lp_obj_component(self, "model_deployer");
    if (!deployer) return lp_kit_skip(self, "deploy_model", "model_deployer");
    return lp_model_deployer_deploy_model(deployer, promotion, mv);
}

static const lp_method deploy_methods[] = {
    {"promote_model", deploy_promote_model,
     "promote_model(model_version, model) -> promotion: registered and promoted"},
    {"check_approval", deploy_check_approval,
     "check_approval(promotion) -> bool (auto_approve_models approves at once)"},
    {"approve_model", deploy_approve_model, "approve_model(promotion) -> approval"},
    {"deploy_model", deploy_deploy_model,
     "deploy_model(promotion, model_version) -> deployment: the model_deployer's bundle"},
    {NULL, NULL, NULL},
};

static const lp_config_key deploy_keys[] = {
    {"auto_approve_models", "bool", "approve every promoted model without a human (default false)"},
    {NULL, NULL, NULL},
};

const lp_class lp_offline_deploy_class = {
    .name = "OfflineDeploy",
    .kind = LP_KIND_PIPELINE,
    .type = "deploy",
    .doc = "Registers and promotes a model version with the model_repository, checks its "
           "approval (auto_approve_models approves at once), approves it and has the "
           "model_deployer write its bundle. Without a repository or deployer those steps are "
           "skipped with an INFO line.",
    .config_keys = deploy_keys,
    .methods = deploy_methods,
};
