/*
 * open.c — lp_bundle_open: a deployment bundle read, verified and made ready
 * to score. Order: the manifest (bundle.json); the format, ABI and lolpop
 * versions; every listed file's size and SHA-256; then input.json,
 * transform.json and model.lpm are parsed and the transformer is built. A
 * bundle that fails any step is refused whole.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bundle/bundle_priv.h"
#include "core/digest.h"
#include "lolpop/bundle.h"

/* The whole of dir/name (malloc'ed, NUL-terminated; *len without the NUL);
 * more than `max` bytes is LP_EINVAL. */
static int read_file(char **out, size_t *len, const char *dir, const char *name, size_t max)
{
    *out = NULL;
    char *path = lp_asprintf("%s/%s", dir, name);
    if (!path) return LP_ENOMEM;
    FILE *fp = fopen(path, "rb");
    int rc = 0;
    if (!fp)
        rc = lp_error_set(errno == ENOENT ? LP_ENOTFOUND : LP_EIO,
                          "bundle '%s': cannot read %s: %s", dir, name, strerror(errno));
    lp_sb sb = {0};
    char buf[65536];
    size_t n;
    while (rc == 0 && (n = fread(buf, 1, sizeof buf, fp)) > 0) {
        lp_sb_appendn(&sb, buf, n);
        if (sb.len > max)
            rc =
                lp_error_set(LP_EINVAL, "bundle '%s': %s is larger than %zu bytes", dir, name, max);
    }
    if (rc == 0 && ferror(fp))
        rc = lp_error_set(LP_EIO, "bundle '%s': error reading %s", dir, name);
    if (rc == 0 && sb.oom) rc = lp_error_set(LP_ENOMEM, "out of memory reading %s", name);
    if (fp) fclose(fp);
    free(path);
    if (rc) {
        lp_sb_free(&sb);
        return rc;
    }
    *len = sb.len;
    *out = sb.buf ? lp_sb_take(&sb) : lp_strdup("");
    return *out ? 0 : LP_ENOMEM;
}

/* One listed file: read, its size and SHA-256 compared with the manifest's. */
static int verify_file(const lp_bundle *b, const char *name, const lp_value *entry, char **bytes,
                       size_t *len)
{
    int rc = read_file(bytes, len, b->dir, name, (size_t)-1 / 2);
    if (rc == LP_ENOTFOUND)
        return lp_error_set(LP_EINVAL, "bundle '%s' is incomplete: %s, listed in %s, is missing",
                            b->dir, name, LP_BUNDLE_MANIFEST);
    if (rc) return rc;
    char hex[65];
    rc = lp_sha256_hex(*bytes, *len, hex);
    const char *want = lp_value_as_string(lp_map_get(entry, "sha256"));
    int64_t size = lp_value_as_int(lp_map_get(entry, "size"));
    if (rc == 0 && ((int64_t)*len != size || strcmp(hex, want) != 0))
        rc = lp_error_set(LP_EINVAL,
                          "bundle '%s' has been modified: %s has SHA-256 %.12s… and %zu bytes, "
                          "%s records %.12s… and %lld bytes; refusing to load it (deploy the "
                          "model again)",
                          b->dir, name, hex, *len, LP_BUNDLE_MANIFEST, want, (long long)size);
    if (rc) {
        free(*bytes);
        *bytes = NULL;
    }
    return rc;
}

/* Every file the manifest lists is verified; the three the loader needs are parsed. */
static int load_files(lp_bundle *b)
{
    const lp_value *files = lp_map_get(b->manifest, "files");
    const char *model = lp_value_as_string(lp_map_get(b->manifest, "model_file"));
    const char *input = lp_value_as_string(lp_map_get(b->manifest, "input_file"));
    const char *transform = lp_value_as_string(lp_map_get(b->manifest, "transform_file"));
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < lp_map_len(files); i++) {
        const char *name = lp_map_key(files, i);
        char *bytes = NULL;
        size_t len = 0;
        rc = verify_file(b, name, lp_map_value(files, i), &bytes, &len);
        if (rc == 0 && strcmp(name, input) == 0)
            rc = lp_bundle_input_parse(&b->input, bytes, len);
        else if (rc == 0 && transform && strcmp(name, transform) == 0)
            rc = lp_bundle_transform_parse(&b->transform, bytes, len);
        else if (rc == 0 && strcmp(name, model) == 0) {
            rc = lp_model_load(&b->model, b->reg, (const uint8_t *)bytes, len);
            if (rc) lp_error_prefix("bundle '%s': loading %s", b->dir, name);
        }
        if (rc && rc != LP_ENOMEM && lp_error_last()->code == LP_EINVAL &&
            !strstr(lp_error_last()->message, b->dir))
            lp_error_prefix("bundle '%s'", b->dir);
        free(bytes);
    }
    if (rc == 0 && (!b->model || !b->input)) /* the manifest parser promises both */
        rc = lp_error_set(LP_EINVAL, "bundle '%s': no model or input schema", b->dir);
    return rc;
}

/* Only a one-table transform scores one frame of raw rows. */
static int check_transform(const lp_bundle *b)
{
    if (!b->transform) return 0;
    const lp_value *tables = lp_map_get(b->transform, "tables");
    if (lp_list_len(tables) == 1) return 0;
    return lp_error_set(LP_EINVAL,
                        "bundle '%s': its data_transformer reads %zu tables; a bundle scores "
                        "one frame of raw rows",
                        b->dir, lp_list_len(tables));
}

/* Whether the back-end may be called from several threads at once: XGBoost's
 * tree boosters predict thread-safely since 1.4 (Debian has 1.7), liblinear's
 * prediction only reads the model; anything else (gblinear, plugin
 * back-ends, whose descriptor says nothing about it) is serialised. */
static bool parallel_predict(const lp_model *m)
{
    const char *be = lp_model_backend(m);
    if (strcmp(be, "liblinear") == 0) return true;
    if (strcmp(be, "xgboost") != 0) return false;
    const char *booster = lp_value_as_string(lp_map_get(lp_model_params(m), "booster"));
    return !booster || strcmp(booster, "gblinear") != 0;
}

/* bundle.json: read, parsed, versions checked. */
static int load_manifest(lp_bundle *b)
{
    struct stat st;
    if (stat(b->dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return lp_error_set(LP_ENOTFOUND, "no bundle directory '%s'", b->dir);
    char *text = NULL;
    size_t len = 0;
    int rc = read_file(&text, &len, b->dir, LP_BUNDLE_MANIFEST, LP_BUNDLE_JSON_MAX);
    if (rc == LP_ENOTFOUND)
        return lp_error_set(LP_ENOTFOUND,
                            "'%s' is not a bundle: it has no %s (bundles are written by "
                            "LocalModelDeployer; one of format 1 must be deployed again)",
                            b->dir, LP_BUNDLE_MANIFEST);
    if (rc == 0) {
        rc = lp_bundle_manifest_parse(&b->manifest, text, len);
        if (rc) lp_error_prefix("bundle '%s'", b->dir);
    }
    free(text);
    return rc ? rc : lp_bundle_check_versions(b->manifest, b->dir);
}

/* The last steps both constructors share: the transform checked, the
 * transformer pool made, the predict mode chosen; b given to *out, or freed
 * when rc (or one of these) fails. Returns the code. */
static int finish(lp_bundle **out, lp_bundle *b, int rc)
{
    if (rc == 0) rc = check_transform(b);
    if (rc == 0) rc = lp_bundle_pool_init(b);
    if (rc) {
        lp_bundle_free(b);
        return rc;
    }
    b->serial_predict = !parallel_predict(b->model);
    *out = b;
    return 0;
}

LP_API int lp_bundle_open(lp_bundle **out, lp_registry *reg, const char *dir)
{
    *out = NULL;
    if (!reg || !dir || !*dir)
        return lp_error_set(LP_EINVAL, "lp_bundle_open: a registry and a directory are needed");
    lp_bundle *b = calloc(1, sizeof *b);
    if (!b || !(b->dir = lp_strdup(dir))) {
        free(b);
        return lp_error_set(LP_ENOMEM, "out of memory");
    }
    b->reg = reg;
    int rc = lp_registry_find_class(reg, LP_BUNDLE_RUNNER)
                 ? 0
                 : lp_registry_add_class(reg, &lp_bundle_runner_class);
    if (rc == 0) rc = load_manifest(b);
    if (rc == 0) rc = load_files(b);
    return finish(out, b, rc);
}

int lp_bundle_from_parts(lp_bundle **out, const lp_registry *reg, const char *dir, lp_model *m,
                         const lp_value *input, const lp_value *transform)
{
    *out = NULL;
    lp_bundle *b = calloc(1, sizeof *b);
    if (!b || !(b->dir = lp_strdup(dir))) {
        free(b);
        return lp_error_set(LP_ENOMEM, "out of memory");
    }
    b->reg = reg;
    b->probing = true; /* only the deployer builds from parts: to find the required columns */
    b->model = lp_model_ref(m);
    b->input = lp_value_copy(input);
    b->transform = transform ? lp_value_copy(transform) : NULL;
    int rc =
        b->input && (!transform || b->transform) ? 0 : lp_error_set(LP_ENOMEM, "out of memory");
    return finish(out, b, rc);
}

LP_API const lp_value *lp_bundle_input_schema(const lp_bundle *b)
{
    return b ? b->input : NULL;
}

LP_API const lp_value *lp_bundle_manifest(const lp_bundle *b)
{
    return b ? b->manifest : NULL;
}

LP_API const char *lp_bundle_dir(const lp_bundle *b)
{
    return b ? b->dir : NULL;
}

LP_API void lp_bundle_free(lp_bundle *b)
{
    if (!b) return;
    lp_bundle_pool_free(b);
    if (b->model) lp_model_unref(b->model);
    lp_value_unref(b->manifest);
    lp_value_unref(b->input);
    lp_value_unref(b->transform);
    lp_value_unref(b->wf_doc);
    free(b->dir);
    free(b);
}
