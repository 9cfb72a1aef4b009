/*
 * resolve.c — lp_bundle_resolve: MODEL as a user writes it (a bundle
 * directory, NAME, NAME@ALIAS, NAME/vN) to the bundle directory, through the
 * deployment LocalModelDeployer recorded in the metadata store: the model
 * resource, the version the alias names (tag alias.<alias> on the model) or
 * version N, its newest `deployment` child and that one's tag bundle_dir
 * (absolute), else path (as the deploying run wrote it).
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bundle/bundle_internal.h"
#include "store/store.h"

/* A parsed MODEL reference (name and alias point into buf). */
typedef struct mref {
    char *buf;
    const char *name;
    const char *alias; /* NULL when a version is given */
    int64_t version;   /* 0 when an alias is given */
} mref;

static bool is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* NAME | NAME@ALIAS | NAME/vN into r. */
static int parse_ref(mref *r, const char *ref)
{
    if (!(r->buf = lp_strdup(ref))) return LP_ENOMEM;
    r->name = r->buf;
    r->alias = "production";
    char *at = strchr(r->buf, '@'), *slash = strchr(r->buf, '/');
    if (at && !slash) {
        *at = '\0';
        r->alias = at + 1;
    } else if (slash && !at && slash[1] == 'v' && slash[2] && !strchr(slash + 1, '/')) {
        char *end = NULL;
        errno = 0;
        long long v = strtoll(slash + 2, &end, 10);
        if (*end || errno || v <= 0 || !isdigit((unsigned char)slash[2])) r->name = NULL;
        *slash = '\0';
        r->alias = NULL;
        r->version = v;
    } else if (slash || at) {
        r->name = NULL;
    }
    if (r->name && *r->name && (!r->alias || *r->alias)) return 0;
    return lp_error_set(LP_EINVAL,
                        "MODEL '%s' is neither a bundle directory nor a model reference (NAME, "
                        "NAME@ALIAS or NAME/vN)",
                        ref);
}

/* The store location: a directory means its lolpop.db; NULL the default. */
static char *store_location(const char *store_dir)
{
    if (!store_dir || !*store_dir) return lp_strdup(LP_STORE_DEFAULT_PATH);
    if (is_dir(store_dir)) return lp_asprintf("%s/lolpop.db", store_dir);
    return lp_strdup(store_dir);
}

/* The version map of r in *mv (new), or LP_ENOTFOUND naming what is missing. */
static int find_version(lp_store *st, const mref *r, const lp_value *model, lp_value **mv)
{
    int64_t id = lp_value_as_int(lp_map_get(model, "id"));
    if (r->alias) {
        char key[256];
        snprintf(key, sizeof key, "alias.%s", r->alias);
        lp_value *tag = NULL;
        int rc = lp_store_tag_get(st, id, key, &tag);
        if (rc) return rc;
        int64_t vid = lp_value_type(tag) == LP_INT ? lp_value_as_int(tag) : 0;
        lp_value_unref(tag);
        if (vid <= 0)
            return lp_error_set(LP_ENOTFOUND, "model '%s' has no alias '%s'%s", r->name, r->alias,
                                strcmp(r->alias, "production") == 0
                                    ? " (no version was approved; name one as NAME/vN)"
                                    : "");
        rc = lp_store_resource_get(st, vid, mv);
        if (rc == 0 && !*mv)
            rc = lp_error_set(LP_ENOTFOUND, "model '%s': alias '%s' names a missing version",
                              r->name, r->alias);
        return rc;
    }
    lp_value *versions = NULL;
    int rc = lp_store_resource_children(st, id, "model_version", &versions);
    for (size_t i = 0; rc == 0 && i < lp_list_len(versions) && !*mv; i++) {
        lp_value *v = lp_list_get(versions, i);
        if (lp_value_as_int(lp_map_get(v, "version")) == r->version) *mv = lp_value_ref(v);
    }
    size_t n = lp_list_len(versions);
    lp_value_unref(versions);
    if (rc == 0 && !*mv)
        rc = lp_error_set(LP_ENOTFOUND, "model '%s' has no version %" PRId64 " (it has %zu)",
                          r->name, r->version, n);
    return rc;
}

/* The bundle directory of version mv's newest deployment (new string). */
static int deployment_dir(lp_store *st, const lp_value *mv, char **out)
{
    const char *uri = lp_value_as_string(lp_map_get(mv, "uri"));
    lp_value *dep = NULL, *dir = NULL;
    int rc =
        lp_store_resource_latest(st, lp_value_as_int(lp_map_get(mv, "id")), "deployment", &dep);
    if (rc == 0 && !dep)
        return lp_error_set(LP_ENOTFOUND,
                            "%s is not deployed: it has no bundle (deploy it with `lolpop models "
                            "promote %s/v%lld`, or give a bundle directory)",
                            uri ? uri : "the model version",
                            lp_value_as_string(lp_map_get(mv, "name")),
                            (long long)lp_value_as_int(lp_map_get(mv, "version")));
    int64_t dep_id = rc == 0 ? lp_value_as_int(lp_map_get(dep, "id")) : 0;
    lp_value_unref(dep);
    if (rc == 0) rc = lp_store_tag_get(st, dep_id, "bundle_dir", &dir);
    if (rc == 0 && lp_value_type(dir) != LP_STRING) {
        lp_value_unref(dir);
        dir = NULL;
        rc = lp_store_tag_get(st, dep_id, "path", &dir);
    }
    if (rc == 0 && lp_value_type(dir) != LP_STRING)
        rc = lp_error_set(LP_ENOTFOUND, "the deployment of %s records no bundle path", uri);
    if (rc == 0 && !is_dir(lp_value_as_string(dir)))
        rc = lp_error_set(LP_ENOTFOUND, "the bundle of %s, '%s', does not exist any more", uri,
                          lp_value_as_string(dir));
    if (rc == 0 && !(*out = lp_strdup(lp_value_as_string(dir)))) rc = LP_ENOMEM;
    lp_value_unref(dir);
    return rc;
}

/* Looks r up in the store at `location`. */
static int lookup(char **out, const mref *r, const char *location)
{
    lp_store *st = NULL;
    int rc = lp_store_open(&st, location, LP_STORE_READONLY);
    if (rc == LP_ENOTFOUND)
        return lp_error_set(LP_ENOTFOUND,
                            "no metadata store at '%s' to look model '%s' up in (give --store, or "
                            "a bundle directory)",
                            location, r->name);
    if (rc) return rc;
    lp_value *model = NULL, *mv = NULL;
    rc = lp_store_resource_find(st, "model", r->name, &model);
    if (rc == 0 && !model) {
        char *hint = lp_store_resource_suggest(st, "model", r->name);
        rc = lp_error_set(LP_ENOTFOUND, "no model '%s' in the metadata store '%s'%s%s%s", r->name,
                          location, hint ? " (did you mean '" : "", hint ? hint : "",
                          hint ? "'?)" : "");
        free(hint);
    }
    if (rc == 0) rc = find_version(st, r, model, &mv);
    if (rc == 0) rc = deployment_dir(st, mv, out);
    lp_value_unref(model);
    lp_value_unref(mv);
    lp_store_close(st);
    return rc;
}

LP_API int lp_bundle_resolve(char **out_dir, const char *model_ref, const char *store_dir)
{
    *out_dir = NULL;
    if (!model_ref || !*model_ref)
        return lp_error_set(LP_EINVAL, "MODEL is empty (a bundle directory, NAME, NAME@ALIAS or "
                                       "NAME/vN)");
    if (is_dir(model_ref)) return (*out_dir = lp_strdup(model_ref)) ? 0 : LP_ENOMEM;
    mref r = {0};
    int rc = parse_ref(&r, model_ref);
    char *location = rc == 0 ? store_location(store_dir) : NULL;
    if (rc == 0 && !location) rc = LP_ENOMEM;
    if (rc == 0) rc = lookup(out_dir, &r, location);
    free(location);
    free(r.buf);
    return rc;
}
