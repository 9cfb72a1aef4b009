/*
 * local.c — LocalModelRepository: registration, promotion, approval and
 * aliases of model versions, kept in the metadata store.
 *
 *   model_repository:
 *     config:
 *       auto_approve_models: true   # check_approval approves (default false)
 *
 * There is no second store: every record is a resource or a tag written
 * through the visible metadata_tracker (docs/ml-workflow.md, well-known
 * tags), so `lolpop runs show` and the deployer see the same state.
 *
 *   register_model  tag `registered` = true on the model version
 *   promote_model   a `promotion` resource under the version; alias
 *                   `staging`: tag `alias.staging` = version id on the model
 *   check_approval  tag `approved` of the version (auto_approve_models sets it)
 *   approve_model   tag `approved` = true; alias `production`
 *   get_alias       the version id an alias names, or null (extra method)
 *
 * The model is the version's parent, so its tags are written by its id
 * without another look-up.
 *
 * Ownership: methods borrow their arguments and return new references.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "components/model_repository/repo_common.h"
#include "lolpop/types/metadata_tracker.h"

#define WHO_SIZE 256

/* "LocalModelRepository (path).method" into who. */
static void who_of(char who[WHO_SIZE], lp_obj *self, const char *method)
{
    const char *p = lp_obj_path(self);
    snprintf(who, WHO_SIZE, "LocalModelRepository (%s).%s", p && *p ? p : lp_obj_name(self),
             method);
}

/* Sets alias `alias` of the version's model to the version's id. */
static int set_alias(lp_obj *tracker, const lp_value *mv, const char *alias)
{
    char key[64];
    snprintf(key, sizeof key, "alias.%s", alias);
    return lp_repo_tag_id(tracker, lp_repo_field(mv, "parent"), key,
                          lp_value_int(lp_repo_field(mv, "id")));
}

/* A new map {key: value, ...} from NULL-terminated (key, value) pairs
 * (values consumed, NULL values meaning OOM), or NULL on OOM. */
static lp_value *map_of(const char *key, lp_value *value, ...) __attribute__((sentinel));

/* See the declaration above. */
static lp_value *map_of(const char *key, lp_value *value, ...)
{
    lp_value *m = lp_value_map();
    int rc = m ? 0 : LP_ENOMEM;
    va_list ap;
    va_start(ap, value);
    while (key) {
        if (!value) rc = LP_ENOMEM;
        if (rc == 0)
            rc = lp_map_set(m, key, value);
        else
            lp_value_unref(value);
        key = va_arg(ap, const char *);
        if (key) value = va_arg(ap, lp_value *);
    }
    va_end(ap);
    if (rc == 0) return m;
    lp_value_unref(m);
    lp_error_set(LP_ENOMEM, "out of memory");
    return NULL;
}

/* The version's uri for messages (borrowed; never NULL). */
static const char *uri_of(const lp_value *mv)
{
    const char *u = lp_value_as_string(lp_map_get(mv, "uri"));
    return u ? u : "the model version";
}

/* register_model(model_version, model) -> registered_model. */
static lp_value *repo_register_model(lp_obj *self, lp_value *args)
{
    char who[WHO_SIZE];
    who_of(who, self, "register_model");
    lp_obj *tracker = lp_repo_tracker(self, who);
    lp_value *mv = tracker ? lp_repo_model_version(tracker, lp_map_get(args, "model_version"),
                                                   "model_version", who)
                           : NULL;
    if (!mv) return NULL;
    lp_value *yes = lp_value_bool(true);
    int rc = lp_metadata_tracker_log_tag(tracker, mv, "registered", yes);
    lp_value_unref(yes);
    lp_value *r = NULL;
    if (rc == 0)
        r = map_of("model_version", lp_value_ref(mv), "name", lp_value_ref(lp_map_get(mv, "name")),
                   "version", lp_value_int(lp_repo_field(mv, "version")), "registered",
                   lp_value_bool(true), (const char *)NULL);
    if (r) lp_log(self, LP_LOG_INFO, "registered %s", uri_of(mv));
    lp_value_unref(mv);
    return r;
}

/* promote_model(model_version, registered_model) -> promotion: the promotion
 * resource with `model_version` and `alias` added. */
static lp_value *repo_promote_model(lp_obj *self, lp_value *args)
{
    char who[WHO_SIZE];
    who_of(who, self, "promote_model");
    lp_obj *tracker = lp_repo_tracker(self, who);
    lp_value *mv = tracker ? lp_repo_model_version(tracker, lp_map_get(args, "model_version"),
                                                   "model_version", who)
                           : NULL;
    if (!mv) return NULL;
    lp_value *promo = lp_metadata_tracker_create_resource(tracker, NULL, "promotion", mv);
    lp_value *r = NULL;
    if (promo && lp_value_type(promo) != LP_MAP)
        lp_error_set(LP_ERROR, "%s: the metadata_tracker returned no promotion resource", who);
    else if (promo && set_alias(tracker, mv, "staging") == 0)
        r = lp_value_copy(promo);
    if (r && (lp_map_set(r, "model_version", lp_value_ref(mv)) != 0 ||
              lp_map_set(r, "alias", lp_value_string("staging")) != 0)) {
        lp_value_unref(r);
        r = NULL;
        lp_error_set(LP_ENOMEM, "out of memory");
    }
    if (r) lp_log(self, LP_LOG_INFO, "promoted %s to staging", uri_of(mv));
    lp_value_unref(promo);
    lp_value_unref(mv);
    return r;
}

/* check_approval(promotion) -> approved (bool). */
static lp_value *repo_check_approval(lp_obj *self, lp_value *args)
{
    char who[WHO_SIZE];
    who_of(who, self, "check_approval");
    lp_obj *tracker = lp_repo_tracker(self, who);
    lp_value *mv =
        tracker ? lp_repo_promotion_model_version(tracker, lp_map_get(args, "promotion"), who)
                : NULL;
    if (!mv) return NULL;
    bool approved = false;
    int rc;
    if (lp_obj_config_bool(self, "auto_approve_models", false)) {
        lp_value *yes = lp_value_bool(true);
        rc = lp_metadata_tracker_log_tag(tracker, mv, "approved", yes);
        lp_value_unref(yes);
        approved = rc == 0;
        if (rc == 0)
            lp_log(self, LP_LOG_INFO, "%s approved automatically (auto_approve_models)",
                   uri_of(mv));
    } else {
        rc = lp_repo_tag_true(tracker, mv, "approved", &approved);
    }
    lp_value_unref(mv);
    return rc ? NULL : lp_value_bool(approved);
}

/* Records who approved the version and when, next to tag `approved`. */
static int log_approver(lp_obj *tracker, lp_value *mv, const lp_value *args)
{
    const char *by = lp_value_as_string(lp_map_get(args, "who"));
    char *me = by ? NULL : lp_repo_who();
    lp_value *who = lp_value_string(by ? by : me ? me : "unknown");
    lp_value *at = lp_value_float(lp_repo_now());
    int rc = who && at ? lp_metadata_tracker_log_tag(tracker, mv, "approved_by", who) : LP_ENOMEM;
    if (rc == 0) rc = lp_metadata_tracker_log_tag(tracker, mv, "approved_at", at);
    lp_value_unref(who);
    lp_value_unref(at);
    free(me);
    return rc;
}

/* approve_model(promotion[, set_alias, who]) -> approval: {model_version,
 * promotion, approved, alias}. With set_alias false (the deploy pipeline when a
 * model_deployer follows) only the approval is recorded: the deployer moves
 * alias production together with the deployment, in one transaction. */
static lp_value *repo_approve_model(lp_obj *self, lp_value *args)
{
    char who[WHO_SIZE];
    who_of(who, self, "approve_model");
    lp_obj *tracker = lp_repo_tracker(self, who);
    const lp_value *promotion = lp_map_get(args, "promotion");
    lp_value *mv = tracker ? lp_repo_promotion_model_version(tracker, promotion, who) : NULL;
    if (!mv) return NULL;
    const lp_value *set = lp_map_get(args, "set_alias");
    bool move = lp_value_type(set) != LP_BOOL || lp_value_as_bool(set);
    lp_value *yes = lp_value_bool(true);
    int rc = lp_metadata_tracker_log_tag(tracker, mv, "approved", yes);
    lp_value_unref(yes);
    if (rc == 0) rc = log_approver(tracker, mv, args);
    if (rc == 0 && move) rc = set_alias(tracker, mv, "production");
    int64_t pid = lp_repo_field(promotion, "id");
    lp_value *r =
        rc ? NULL
           : map_of("model_version", lp_value_ref(mv), "promotion",
                    pid > 0 ? lp_value_int(pid) : lp_value_null(), "approved", lp_value_bool(true),
                    "alias", move ? lp_value_string("production") : lp_value_null(),
                    (const char *)NULL);
    if (r)
        lp_log(self, LP_LOG_INFO, "approved %s%s", uri_of(mv),
               move ? " (alias production)" : " (alias production moves when it is deployed)");
    lp_value_unref(mv);
    return r;
}

/* The model resource `model` designates: a resource map, an int id or a name. */
static lp_value *model_of(lp_obj *tracker, lp_value *model, const char *who)
{
    if (lp_value_type(model) == LP_MAP || lp_value_type(model) == LP_INT)
        return lp_value_ref(model); /* get_tag reads only the id */
    if (lp_value_type(model) == LP_STRING)
        return lp_metadata_tracker_get_resource(tracker, lp_value_as_string(model), "model");
    lp_error_set(LP_EINVAL,
                 "%s: argument 'model' must be a model resource, its id or its name, "
                 "got %s",
                 who, lp_vtype_name(lp_value_type(model)));
    return NULL;
}

/* get_alias(model, alias) -> model_version id, or null when the alias is unset
 * (or the model unknown by that name). */
static lp_value *repo_get_alias(lp_obj *self, lp_value *args)
{
    char who[WHO_SIZE];
    who_of(who, self, "get_alias");
    lp_obj *tracker = lp_repo_tracker(self, who);
    const char *alias = lp_value_as_string(lp_map_get(args, "alias"));
    if (tracker && (!alias || !*alias)) {
        lp_error_set(LP_EINVAL, "%s: argument 'alias' must be a name such as production", who);
        return NULL;
    }
    lp_value *model = tracker ? model_of(tracker, lp_map_get(args, "model"), who) : NULL;
    if (!model || lp_value_type(model) == LP_NULL) return model;
    char *key = lp_asprintf("alias.%s", alias);
    lp_value *r = key ? lp_metadata_tracker_get_tag(tracker, model, key) : NULL;
    free(key);
    lp_value_unref(model);
    return r;
}

static const lp_method repo_methods[] = {
    {"register_model", repo_register_model,
     "register_model(model_version, model) -> registered_model: {model_version, name, version, "
     "registered: true}"},
    {"promote_model", repo_promote_model,
     "promote_model(model_version, registered_model) -> promotion: the promotion resource with "
     "model_version and alias (staging)"},
    {"check_approval", repo_check_approval,
     "check_approval(promotion) -> approved: bool (tag approved, or true with "
     "auto_approve_models)"},
    {"approve_model", repo_approve_model,
     "approve_model(promotion) -> approval: {model_version, promotion, approved, alias: "
     "production}"},
    {"get_alias", repo_get_alias,
     "get_alias(model, alias) -> the id of the model_version holding the alias, or null"},
    {NULL, NULL, NULL},
};

static const lp_config_key repo_keys[] = {
    {"auto_approve_models", "bool",
     "check_approval approves every promoted version (records approved = true); default false"},
    {NULL, NULL, NULL},
};

const lp_class lp_local_model_repository_class = {
    .name = "LocalModelRepository",
    .kind = LP_KIND_COMPONENT,
    .type = "model_repository",
    .doc = "Registers, promotes and approves model versions in the metadata store, through the "
           "visible metadata_tracker: tag registered on registration; a promotion resource and "
           "alias staging (tag alias.staging on the model) on promotion; tag approved and alias "
           "production on approval. check_approval reads the approved tag, or approves at once "
           "when auto_approve_models is true. get_alias(model, alias) gives the version an "
           "alias names.",
    .defaults_yaml = NULL,
    .requirements = lp_no_requirements,
    .config_keys = repo_keys,
    .methods = repo_methods,
    .state_size = 0,
    .init = NULL,
    .fini = NULL,
};
