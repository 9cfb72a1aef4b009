/*
 * local_cache.c — the run service's store of step results (local_cache.h): rows in the metadata
 * store's `cache` table holding encoded values (store/value_codec.h), whose
 * frames and models are objects in the object store.
 */
#include <libgen.h>
#include <stdlib.h>
#include <string.h>

#include "runs/local_cache.h"
#include "lolpop/dispatch.h"
#include "lolpop/objstore.h"
#include "lolpop/types/metadata_tracker.h"
#include "store/store.h"
#include "store/value_codec.h"

struct lp_local_cache {
    lp_store *store;
    lp_objstore *objects;   /* opened on first use */
    const lp_registry *reg; /* model back-ends, for decoding */
    char *dir;
};

int lp_local_cache_open(lp_local_cache **out, const lp_registry *reg, const char *store,
                        const char *dir)
{
    if (!out || !store || !dir)
        return lp_error_set(LP_EINVAL, "lp_local_cache_open: bad arguments");
    *out = NULL;
    lp_local_cache *c = calloc(1, sizeof *c);
    if (!c) return lp_error_set(LP_ENOMEM, "out of memory");
    c->reg = reg;
    int rc = (c->dir = lp_strdup(dir)) ? 0 : LP_ENOMEM;
    if (rc == 0) rc = lp_store_open(&c->store, store, 0);
    if (rc) {
        lp_local_cache_close(c);
        return rc;
    }
    *out = c;
    return 0;
}

void lp_local_cache_close(lp_local_cache *c)
{
    if (!c) return;
    lp_store_close(c->store);
    lp_objstore_close(c->objects);
    free(c->dir);
    free(c);
}

static lp_objstore *objects_of(lp_local_cache *c)
{
    if (!c->objects && lp_objstore_open(&c->objects, c->dir) != 0) {
        lp_error_prefix("result cache: cannot open the object store in '%s'", c->dir);
        return NULL;
    }
    return c->objects;
}

int lp_local_cache_put(lp_local_cache *c, const char *key, const lp_value *value, const char *run,
                       const char *cls, const char *method)
{
    if (!c || !key) return lp_error_set(LP_EINVAL, "lp_local_cache_put: bad arguments");
    lp_objstore *os = objects_of(c);
    if (!os) return lp_error_last()->code;
    uint8_t *text = NULL;
    size_t len = 0;
    int rc = lp_value_encode(os, value, &text, &len);
    if (rc) return rc;
    /* The envelope is small (frames and models are objects of their own): a
     * row of the store keeps it without a file and two fsyncs per step. */
    lp_store_cache_entry e = {key, run, cls, method, (const char *)text};
    rc = lp_store_cache_put(c->store, &e);
    free(text);
    return rc;
}

int lp_local_cache_get(lp_local_cache *c, const char *key, const lp_value *runs, lp_value **out,
                       char **run)
{
    if (!c || !key || !out || !run)
        return lp_error_set(LP_EINVAL, "lp_local_cache_get: bad arguments");
    *out = NULL;
    *run = NULL;
    lp_value *row = NULL;
    int rc = lp_store_cache_get(c->store, key, runs, &row);
    if (rc || !row) return rc;
    const lp_value *text = lp_map_get(row, "value");
    lp_objstore *os = objects_of(c);
    rc = os ? lp_value_decode(os, c->reg, (const uint8_t *)lp_value_as_string(text),
                              lp_value_string_len(text), out)
            : lp_error_last()->code;
    if (rc == 0 && !(*run = lp_strdup(lp_value_as_string(lp_map_get(row, "run"))))) rc = LP_ENOMEM;
    if (rc) {
        lp_value_unref(*out);
        *out = NULL;
    }
    lp_value_unref(row);
    return rc;
}

int lp_local_cache_recorded_by(lp_local_cache *c, const char *key, const lp_value *runs, char **run)
{
    if (!c || !key || !run)
        return lp_error_set(LP_EINVAL, "lp_local_cache_recorded_by: bad arguments");
    *run = NULL;
    lp_value *row = NULL;
    int rc = lp_store_cache_get(c->store, key, runs, &row);
    const char *id = lp_value_as_string(lp_map_get(row, "run"));
    if (rc == 0 && row && !(*run = lp_strdup(id ? id : ""))) rc = LP_ENOMEM;
    lp_value_unref(row);
    return rc;
}

/* ---- where a workflow keeps things ----------------------------------------------------- */

/* The object store directory: the visible resource_version_control's `dir`, else the directory
 * of the metadata store. New string. */
static char *objects_dir(const lp_obj *from, const char *store)
{
    lp_obj *rvc = lp_obj_component(from, "resource_version_control");
    char *dir = rvc ? lp_obj_config_string(rvc, "dir") : NULL;
    if (dir && *dir) return dir;
    free(dir);
    const char *path = strncmp(store, "sqlite:", 7) == 0 ? store + 7 : store;
    char *copy = lp_strdup(path);
    char *d = copy ? lp_strdup(dirname(copy)) : NULL;
    free(copy);
    return d;
}

int lp_local_cache_locate(const lp_obj *from, char **store, char **run, char **dir)
{
    *store = *run = *dir = NULL;
    lp_obj *tracker = from ? lp_obj_component(from, "metadata_tracker") : NULL;
    if (!lp_obj_has_method(tracker, LP_METADATA_TRACKER_RUN_INFO))
        return lp_error_set(LP_ENOTFOUND,
                            "the result cache needs a metadata_tracker that records runs "
                            "(run_info), such as LocalMetadataTracker");
    lp_value *info = lp_metadata_tracker_run_info(tracker);
    const char *s = lp_value_as_string(lp_map_get(info, "store"));
    const char *id = lp_value_as_string(lp_map_get(info, "id"));
    int rc = info ? 0 : lp_error_last()->code;
    if (rc == 0 && (!s || !id))
        rc = lp_error_set(LP_EINVAL, "%s.run_info gave no store or run id",
                          lp_obj_class(tracker)->name);
    if (rc == 0) {
        *store = lp_strdup(s);
        *run = lp_strdup(id);
        *dir = objects_dir(from, s);
        if (!*store || !*run || !*dir) rc = LP_ENOMEM;
    }
    lp_value_unref(info);
    if (rc) {
        free(*store);
        free(*run);
        free(*dir);
        *store = *run = *dir = NULL;
    }
    return rc;
}

lp_store *lp_local_cache_store(lp_local_cache *c)
{
    return c ? c->store : NULL;
}
