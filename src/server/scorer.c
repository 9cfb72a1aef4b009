/*
 * scorer.c — srv_scorer over the bundle loader (<lolpop/bundle.h>): the
 * server scores RAW rows of the same shape as the workflow's eval data; the
 * bundle replays the processing step (e.g. the SQL), the feature transformer
 * and the model, exactly as `lolpop predict` does. lp_bundle_score is
 * thread-safe, so one scorer serves every request thread.
 *
 * MODEL forms: a bundle directory; a model's deployment directory (its
 * `current` link followed); NAME, NAME@ALIAS or NAME/vN through the metadata
 * store (lp_bundle_resolve).
 */
#include <errno.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/internal.h"
#include "lolpop/error.h"
#include "lolpop/bundle.h"
#include "server/scorer.h"

#define MANIFEST_FILE "bundle.json"

struct srv_scorer {
    atomic_int refs;
    lp_bundle *bundle;
    char *dir;
    char *version;
    lp_value *schema;
};

static bool is_file(const char *dir, const char *name)
{
    char path[PATH_MAX];
    struct stat st;
    if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path) return false;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static bool is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The bundle under `path`: itself when it holds model.lpm, else its
 * `current` link. NULL (no error set) when neither. */
static char *bundle_at(const char *path)
{
    if (!is_dir(path)) return NULL;
    char cur[PATH_MAX];
    if (is_file(path, MANIFEST_FILE)) return realpath(path, NULL);
    if (snprintf(cur, sizeof cur, "%s/current", path) >= (int)sizeof cur) return NULL;
    if (is_dir(cur) && is_file(cur, MANIFEST_FILE)) return realpath(cur, NULL);
    return NULL;
}

int srv_scorer_resolve(char **out_dir, const char *model_ref, const char *store_dir)
{
    *out_dir = NULL;
    if (!model_ref || !*model_ref) return lp_error_set(LP_EINVAL, "no model given");
    char *dir = bundle_at(model_ref);
    if (dir) {
        *out_dir = dir;
        return 0;
    }
    if (is_dir(model_ref))
        return lp_error_set(LP_ENOTFOUND,
                            "'%s' is not a deployment bundle (no %s) nor a model's deployment "
                            "directory (no `current` link to one)",
                            model_ref, MANIFEST_FILE);
    char *found = NULL;
    int rc = lp_bundle_resolve(&found, model_ref, store_dir);
    if (rc) return rc;
    /* realpath: --reload compares directories to see the alias move */
    *out_dir = realpath(found, NULL);
    int e = errno;
    if (!*out_dir) rc = lp_error_set(LP_EIO, "bundle '%s': %s", found, strerror(e));
    free(found);
    return rc;
}

/* "<model name>/<bundle directory name>" (the model name from the bundle's
 * manifest; the whole directory when the manifest lacks it). The directory
 * name, not the manifest's version, so that a bundle copied to v<N+1>
 * reads as such. New string, NULL when out of memory. */
static char *version_of(const lp_bundle *b)
{
    const char *dir = lp_bundle_dir(b);
    const char *name = lp_value_as_string(lp_map_get(lp_bundle_manifest(b), "model_name"));
    const char *base = strrchr(dir, '/');
    return name ? lp_asprintf("%s/%s", name, base ? base + 1 : dir) : lp_strdup(dir);
}

/* The server's schema: the bundle's input schema plus "version" (new map;
 * the bundle's values are shared by reference). */
static int schema_of(lp_value **out, const lp_bundle *b, const char *version, const char *dir)
{
    const lp_value *in = lp_bundle_input_schema(b);
    if (lp_value_type(lp_map_get(in, "columns")) != LP_LIST)
        return lp_error_set(LP_EINVAL,
                            "bundle '%s' records no input columns, so requests cannot be "
                            "checked: deploy it again with this lolpop",
                            dir);
    lp_value *s = lp_value_map();
    static const char *const keys[] = {"task", "target", "classes", "model_index", "columns"};
    int rc = s ? lp_map_set(s, "version", lp_value_string(version)) : LP_ENOMEM;
    for (size_t k = 0; rc == 0 && k < sizeof keys / sizeof *keys; k++) {
        lp_value *v = lp_map_get(in, keys[k]); /* a getter: borrowed, shared by ref */
        if (v) rc = lp_map_set(s, keys[k], lp_value_ref(v));
    }
    if (rc) {
        lp_value_unref(s);
        return lp_error_set(LP_ENOMEM, "out of memory");
    }
    *out = s;
    return 0;
}

int srv_scorer_open(srv_scorer **out, lp_registry *reg, const char *model_ref,
                    const char *store_dir)
{
    *out = NULL;
    char *dir = NULL;
    int rc = srv_scorer_resolve(&dir, model_ref, store_dir);
    if (rc) return rc;
    srv_scorer *s = calloc(1, sizeof *s);
    if (!s) {
        free(dir);
        return lp_error_set(LP_ENOMEM, "out of memory");
    }
    atomic_init(&s->refs, 1);
    s->dir = dir;
    rc = lp_bundle_open(&s->bundle, reg, dir);
    if (rc == 0 && !(s->version = version_of(s->bundle)))
        rc = lp_error_set(LP_ENOMEM, "out of memory");
    if (rc == 0) rc = schema_of(&s->schema, s->bundle, s->version, dir);
    if (rc) {
        srv_scorer_unref(s);
        return rc;
    }
    *out = s;
    return 0;
}

int srv_scorer_score(lp_frame **out, srv_scorer *s, const lp_frame *rows)
{
    return lp_bundle_score(out, s->bundle, rows);
}

int srv_scorer_score_explained(lp_frame **out, srv_scorer *s, const lp_frame *rows, size_t top_k)
{
    return lp_bundle_score_explained(out, NULL, s->bundle, rows, 0, top_k);
}

const lp_value *srv_scorer_schema(const srv_scorer *s)
{
    return s->schema;
}
const char *srv_scorer_version(const srv_scorer *s)
{
    return s->version;
}
const char *srv_scorer_dir(const srv_scorer *s)
{
    return s->dir;
}

srv_scorer *srv_scorer_ref(srv_scorer *s)
{
    atomic_fetch_add(&s->refs, 1);
    return s;
}

void srv_scorer_unref(srv_scorer *s)
{
    if (!s || atomic_fetch_sub(&s->refs, 1) != 1) return;
    lp_bundle_free(s->bundle);
    lp_value_unref(s->schema);
    free(s->version);
    free(s->dir);
    free(s);
}
