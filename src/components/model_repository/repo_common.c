/*
 * repo_common.c — resource arguments of the model repository and deployer
 * resolved through the visible metadata_tracker (see repo_common.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "components/model_repository/repo_common.h"
#include "lolpop/types/metadata_tracker.h"
#include "store/store.h"

/* See repo_common.h for these. */
lp_obj *lp_repo_tracker(lp_obj *self, const char *who)
{
    lp_obj *t = lp_obj_component(self, "metadata_tracker");
    if (!t)
        lp_error_set(LP_ECONFIG,
                     "%s: no metadata_tracker is visible (configure one, e.g. "
                     "LocalMetadataTracker, under component:)",
                     who);
    return t;
}

int64_t lp_repo_field(const lp_value *resource, const char *key)
{
    const lp_value *v = lp_map_get(resource, key);
    return lp_value_type(v) == LP_INT ? lp_value_as_int(v) : -1;
}

/* True when the map has everything callers read. */
static bool complete(const lp_value *r)
{
    return lp_repo_field(r, "id") > 0 && lp_repo_field(r, "version") > 0 &&
           lp_repo_field(r, "parent") > 0 && lp_value_as_string(lp_map_get(r, "name")) &&
           lp_value_as_string(lp_map_get(r, "type"));
}

/* get_resource(key, "model_version"): key is a uri (string) or a row id (int). */
static lp_value *fetch(lp_obj *tracker, const lp_value *key, const char *arg, const char *who)
{
    char shown[32];
    const char *k = lp_value_as_string(key);
    if (!k) {
        snprintf(shown, sizeof shown, "id %" PRId64, lp_value_as_int(key));
        k = shown;
    }
    lp_value *r = lp_call_with(tracker, LP_METADATA_TRACKER_GET_RESOURCE, "id", lp_value_copy(key),
                               "type", lp_value_string("model_version"), (const char *)NULL);
    if (!r) {
        lp_error_prefix("%s: looking up argument '%s' (%s)", who, arg, k);
        return NULL;
    }
    if (lp_value_type(r) == LP_MAP) return r;
    lp_value_unref(r);
    lp_error_set(LP_ENOTFOUND, "%s: argument '%s': model version %s does not exist", who, arg, k);
    return NULL;
}

/* Checks that r (consumed) is a complete model_version resource. */
static lp_value *checked(lp_value *r, const char *arg, const char *who)
{
    if (!r) return NULL; /* the look-up failed, error set */
    const char *type = lp_value_as_string(lp_map_get(r, "type"));
    if (type && strcmp(type, "model_version") == 0 && complete(r)) return r;
    const char *uri = lp_value_as_string(lp_map_get(r, "uri"));
    lp_error_set(LP_EINVAL, "%s: argument '%s' is %s%s%s%s, not a model_version", who, arg,
                 type ? "a " : "an incomplete resource", type ? type : "", uri ? " " : "",
                 uri ? uri : "");
    lp_value_unref(r);
    return NULL;
}

lp_value *lp_repo_model_version(lp_obj *tracker, const lp_value *ref, const char *arg,
                                const char *who)
{
    const char *type = lp_value_as_string(lp_map_get(ref, "type"));
    switch (lp_value_type(ref)) {
    case LP_MAP:
        if (type && strcmp(type, "model_version") != 0)
            return checked(lp_value_copy(ref), arg, who);
        if (complete(ref)) return checked(lp_value_copy(ref), arg, who);
        if (lp_repo_field(ref, "id") <= 0) break;
        return checked(fetch(tracker, lp_map_get(ref, "id"), arg, who), arg, who);
    case LP_INT:
    case LP_STRING:
        return checked(fetch(tracker, ref, arg, who), arg, who);
    default:
        break;
    }
    lp_error_set(LP_EINVAL,
                 "%s: argument '%s' must be a model_version resource (a map with an id), its id "
                 "or its uri, got %s",
                 who, arg, lp_vtype_name(lp_value_type(ref)));
    return NULL;
}

lp_value *lp_repo_promotion_model_version(lp_obj *tracker, const lp_value *promotion,
                                          const char *who)
{
    const lp_value *mv = lp_map_get(promotion, "model_version");
    if (mv) return lp_repo_model_version(tracker, mv, "promotion.model_version", who);
    const char *type = lp_value_as_string(lp_map_get(promotion, "type"));
    if (type && strcmp(type, "promotion") == 0 && lp_repo_field(promotion, "parent") > 0) {
        lp_value *id = lp_value_int(lp_repo_field(promotion, "parent"));
        lp_value *r = id ? lp_repo_model_version(tracker, id, "promotion.parent", who) : NULL;
        lp_value_unref(id);
        return r;
    }
    lp_error_set(LP_EINVAL,
                 "%s: argument 'promotion' must be what promote_model returned (a map with "
                 "model_version), got %s",
                 who, lp_vtype_name(lp_value_type(promotion)));
    return NULL;
}

int lp_repo_tag_true(lp_obj *tracker, lp_value *resource, const char *key, bool *out)
{
    lp_value *v = lp_metadata_tracker_get_tag(tracker, resource, key);
    if (!v) return lp_error_last()->code ? lp_error_last()->code : LP_ERROR;
    *out = lp_value_type(v) == LP_BOOL && lp_value_as_bool(v);
    lp_value_unref(v);
    return 0;
}

int lp_repo_tag_id(lp_obj *tracker, int64_t id, const char *key, lp_value *value)
{
    lp_value *res = lp_value_int(id);
    int rc = res && value ? lp_metadata_tracker_log_tag(tracker, res, key, value) : LP_ENOMEM;
    lp_value_unref(res);
    lp_value_unref(value);
    return rc;
}

char *lp_repo_who(void)
{
    return lp_store_who();
}

double lp_repo_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}
