/*
 * scorer.c — srv_scorer over today's deployment bundles: the directory that
 * LocalModelDeployer writes (<deploy_dir>/<name>/v<N>/ with model.lpm,
 * schema.json and metadata.json; <deploy_dir>/<name>/current -> v<N>),
 * loaded with lp_model_load and scored with lp_model_predict_both.
 *
 * Deliberately thin: the bundle loader (lp_bundle_*) replaces this file, not
 * the server around it. A bundle whose model carries a fitted feature
 * transformer is refused, since scoring it needs the transformer too (the
 * bundle loader's job).
 */
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/internal.h"
#include "lolpop/error.h"
#include "lolpop/model.h"
#include "lolpop/strbuf.h"
#include "server/scorer.h"

#define MODEL_FILE    "model.lpm"
#define METADATA_FILE "metadata.json"
#define FT_ATTACHMENT "feature_transformer.class"

struct srv_scorer {
    atomic_int refs;
    lp_model *model;
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
    if (is_file(path, MODEL_FILE)) return realpath(path, NULL);
    if (snprintf(cur, sizeof cur, "%s/current", path) >= (int)sizeof cur) return NULL;
    if (is_dir(cur) && is_file(cur, MODEL_FILE)) return realpath(cur, NULL);
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
    if (strchr(model_ref, '@'))
        return lp_error_set(LP_EINVAL,
                            "'%s': NAME@ALIAS needs the model store's aliases, which this "
                            "server cannot read yet; give the bundle directory or NAME",
                            model_ref);
    const char *store = store_dir ? store_dir : ".lolpop";
    char path[PATH_MAX];
    if (model_ref[0] != '/' &&
        snprintf(path, sizeof path, "%s/deployments/%s", store, model_ref) < (int)sizeof path) {
        dir = bundle_at(path);
        if (dir) {
            *out_dir = dir;
            return 0;
        }
        return lp_error_set(LP_ENOTFOUND,
                            "no deployment bundle at '%s' nor at '%s' (a bundle directory holds "
                            "%s; a model's deployment directory a `current` link to one)",
                            model_ref, path, MODEL_FILE);
    }
    return lp_error_set(LP_ENOTFOUND, "no deployment bundle at '%s' (no %s, no `current` link)",
                        model_ref, MODEL_FILE);
}

/* The whole file dir/name (malloc'ed, *len bytes). */
static int read_whole(uint8_t **out, size_t *len, const char *dir, const char *name)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f) return lp_error_set(LP_EIO, "cannot open '%s': %s", path, strerror(errno));
    lp_sb sb = {0};
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        lp_sb_appendn(&sb, buf, n);
    int bad = ferror(f);
    fclose(f);
    if (bad || sb.oom) {
        lp_sb_free(&sb);
        return lp_error_set(bad ? LP_EIO : LP_ENOMEM, "cannot read '%s'", path);
    }
    *len = sb.len;
    *out = (uint8_t *)lp_sb_take(&sb);
    return 0;
}

/* "<model name>/v<N>" from metadata.json, else from the directory names. */
static char *version_of(const char *dir)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", dir, METADATA_FILE);
    json_t *meta = json_load_file(path, 0, NULL);
    const char *name = meta ? json_string_value(json_object_get(meta, "model_name")) : NULL;
    const char *base = strrchr(dir, '/');
    base = base ? base + 1 : dir;
    lp_sb sb = {0};
    if (name)
        lp_sb_appendf(&sb, "%s/%s", name, base);
    else
        lp_sb_append(&sb, dir);
    json_decref(meta);
    return sb.oom ? NULL : lp_sb_take(&sb);
}

static lp_value *schema_columns(const lp_model *m)
{
    lp_value *cols = lp_value_list();
    for (size_t j = 0; cols && j < lp_model_n_features(m); j++) {
        lp_value *c = lp_value_map();
        if (!c) break;
        lp_map_put(c, "name", lp_value_string(lp_model_feature_name(m, j)));
        lp_map_put(c, "dtype", lp_value_string(lp_dtype_name(lp_model_feature_dtype(m, j))));
        lp_map_put(c, "required", lp_value_bool(true));
        if (lp_model_feature_is_categorical(m, j)) {
            lp_value *cats = lp_value_list();
            for (size_t k = 0; cats && k < lp_model_n_categories(m, j); k++)
                lp_list_append(cats, lp_value_string(lp_model_category(m, j, k)));
            lp_map_put(c, "categories", cats);
        }
        lp_list_append(cols, c);
    }
    return cols;
}

static lp_value *schema_of(const lp_model *m, const char *version)
{
    lp_value *s = lp_value_map();
    if (!s) return NULL;
    lp_map_put(s, "version", lp_value_string(version));
    lp_map_put(s, "task", lp_value_string(lp_model_task_name(lp_model_task_of(m))));
    lp_map_put(s, "target", lp_value_string(lp_model_target(m)));
    lp_value *classes = lp_value_list();
    for (size_t k = 0; classes && k < lp_model_n_classes(m); k++)
        lp_list_append(classes, lp_value_string(lp_model_class_label(m, k)));
    lp_map_put(s, "classes", classes);
    lp_map_put(s, "columns", schema_columns(m));
    return s;
}

int srv_scorer_open(srv_scorer **out, lp_registry *reg, const char *model_ref,
                    const char *store_dir)
{
    *out = NULL;
    char *dir = NULL;
    int rc = srv_scorer_resolve(&dir, model_ref, store_dir);
    if (rc) return rc;
    uint8_t *bytes = NULL;
    size_t len = 0;
    lp_model *m = NULL;
    rc = read_whole(&bytes, &len, dir, MODEL_FILE);
    if (!rc) rc = lp_model_load(&m, reg, bytes, len);
    free(bytes);
    if (!rc && lp_model_attachment(m, FT_ATTACHMENT, &len))
        rc = lp_error_set(LP_EINVAL,
                          "bundle '%s': the model has a fitted feature transformer attached, "
                          "which this server cannot apply yet",
                          dir);
    srv_scorer *s = rc ? NULL : calloc(1, sizeof *s);
    if (!rc && !s) rc = lp_error_set(LP_ENOMEM, "out of memory");
    if (rc || !s) {
        if (m) lp_model_unref(m);
        free(dir);
        return rc;
    }
    atomic_init(&s->refs, 1);
    s->model = m;
    s->dir = dir;
    s->version = version_of(dir);
    s->schema = s->version ? schema_of(m, s->version) : NULL;
    if (!s->schema) {
        srv_scorer_unref(s);
        return lp_error_set(LP_ENOMEM, "out of memory");
    }
    *out = s;
    return 0;
}

int srv_scorer_score(lp_frame **out, srv_scorer *s, const lp_frame *rows)
{
    *out = NULL;
    lp_frame *labels = NULL, *proba = NULL;
    bool want_proba = lp_model_n_classes(s->model) > 0 && lp_model_has_probabilities(s->model);
    int rc = lp_model_predict_both(&labels, want_proba ? &proba : NULL, s->model, rows);
    if (rc) return rc;
    lp_frame *f = lp_frame_new();
    rc = f ? lp_frame_add_column(f, "prediction", lp_column_ref(lp_frame_col(labels, 0)))
           : lp_error_set(LP_ENOMEM, "out of memory");
    char name[512];
    for (size_t k = 0; !rc && proba && k < lp_frame_cols(proba); k++) {
        snprintf(name, sizeof name, "probability_%s", lp_frame_name(proba, k));
        rc = lp_frame_add_column(f, name, lp_column_ref(lp_frame_col(proba, k)));
    }
    lp_frame_unref(labels);
    if (proba) lp_frame_unref(proba);
    if (rc) {
        lp_frame_unref(f);
        return rc;
    }
    *out = f;
    return 0;
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
    if (s->model) lp_model_unref(s->model);
    lp_value_unref(s->schema);
    free(s->version);
    free(s->dir);
    free(s);
}
