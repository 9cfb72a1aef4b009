/* model_io.c — saving and loading models as self-describing bytes:
 *   "LPMODEL1" | u64 LE header length | header (JSON) | u64 LE blob length | blob
 * The header names the back-end; lp_model_load finds it in the registry
 * (lp_registry_add_model_backend: built-ins and plugins alike).
 * Header "format" 1: no attachments; 2: an "attachments" object key → base64
 * bytes. A model without attachments is still written as format 1, byte for
 * byte as before, so that its hash (and every stored copy) stays the same. */
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include "core/crypto_api.h"
#include <stdlib.h>
#include <string.h>

#include "core/digest.h"
#include "core/internal.h"
#include "core/value_json.h"
#include "ml/model_internal.h"
#include "data/bits.h"

#define MAGIC      "LPMODEL1"
#define MAGIC_LEN  8
#define MAX_FORMAT 2

int lp_model_sha256(const uint8_t *buf, size_t len, uint8_t out[32])
{
    return lp_sha256(buf, len, out);
}

/* ---- lp_value <-> JSON (params: scalars, lists, maps) --------------------- */

/* ---- attachments as base64 ------------------------------------------------ */

/* A new JSON string of len bytes in base64, or NULL (OOM or too large). */
static json_t *base64_json(const uint8_t *bytes, size_t len)
{
    if (len > (size_t)INT_MAX / 4 * 3 - 3) return NULL;
    size_t out_len = 4 * ((len + 2) / 3);
    unsigned char *text = malloc(out_len + 1);
    if (!text) return NULL;
    int n = EVP_EncodeBlock(text, bytes, (int)len);
    json_t *j = n >= 0 ? json_stringn((const char *)text, (size_t)n) : NULL;
    free(text);
    return j;
}

/* The bytes of a base64 JSON string into *out (malloc'ed), or an error. */
static int base64_decode(uint8_t **out, size_t *len, const json_t *j, const char *key)
{
    *out = NULL;
    *len = 0;
    const char *text = json_string_value(j);
    size_t n = json_string_length(j);
    if (!text || n % 4 || n > INT_MAX)
        return lp_error_set(LP_EINVAL, "not a lolpop model: attachment '%s' is not base64", key);
    uint8_t *buf = malloc(n / 4 * 3 + 1);
    if (!buf) return lp_error_set(LP_ENOMEM, "out of memory");
    int got = n ? EVP_DecodeBlock(buf, (const unsigned char *)text, (int)n) : 0;
    if (got < 0) {
        free(buf);
        return lp_error_set(LP_EINVAL, "not a lolpop model: attachment '%s' is not base64", key);
    }
    /* EVP_DecodeBlock counts the padding as zero bytes: drop them. */
    size_t pad = n && text[n - 1] == '=' ? (n > 1 && text[n - 2] == '=' ? 2 : 1) : 0;
    *out = buf;
    *len = (size_t)got - pad;
    return 0;
}

/* {"key": "<base64>", ...} in the order the attachments were set. */
static json_t *attachments_json(const lp_model *m)
{
    json_t *o = json_object();
    for (size_t i = 0; o && i < m->n_attachments; i++) {
        json_t *b = base64_json(m->attachments[i].bytes, m->attachments[i].len);
        if (!b || json_object_set_new(o, m->attachments[i].key, b)) {
            json_decref(o);
            return NULL;
        }
    }
    return o;
}

static int attachments_fill(lp_model *m, const json_t *h)
{
    const json_t *att = json_object_get(h, "attachments");
    if (!att) return 0;
    if (!json_is_object(att))
        return lp_error_set(LP_EINVAL, "not a lolpop model: attachments is not an object");
    const char *key;
    json_t *it;
    json_object_foreach((json_t *)(uintptr_t)att, key, it)
    {
        uint8_t *bytes;
        size_t len;
        int rc = base64_decode(&bytes, &len, it, key);
        if (rc == 0) rc = lp_model_set_attachment(m, key, bytes, len);
        free(bytes);
        if (rc) return rc;
    }
    return 0;
}

/* ---- save ----------------------------------------------------------------- */

static json_t *header_json(const lp_model *m)
{
    json_t *feats = json_array(), *classes = json_array();
    json_t *params = lp_json_from_value(m->params, LP_JSON_STRICT);
    for (size_t j = 0; feats && j < m->n_features; j++) {
        const lp_model_feature *f = &m->features[j];
        json_t *o = json_pack("{s:s, s:s}", "name", f->name, "dtype", lp_dtype_name(f->dtype));
        if (o && f->categorical) {
            json_t *cats = json_array();
            for (size_t c = 0; cats && c < f->n_cats; c++)
                json_array_append_new(cats, json_stringn(f->cats[c], f->cat_lens[c]));
            json_object_set_new(o, "categories", cats);
        }
        json_array_append_new(feats, o);
    }
    for (size_t k = 0; classes && k < m->n_classes; k++)
        json_array_append_new(classes, json_string(m->classes[k]));
    if (!feats || !classes || !params) {
        json_decref(feats);
        json_decref(classes);
        json_decref(params);
        return NULL;
    }
    json_t *h =
        json_pack("{s:s, s:i, s:s, s:s, s:s, s:o, s:o, s:o}", "backend", lp_model_backend(m),
                  "format", m->n_attachments ? 2 : 1, "task", lp_model_task_name(m->task), "target",
                  m->target, "target_dtype", lp_dtype_name(m->target_dtype), "features", feats,
                  "classes", classes, "params", params);
    if (h && m->n_attachments && json_object_set_new(h, "attachments", attachments_json(m))) {
        json_decref(h);
        return NULL;
    }
    return h;
}

LP_API int lp_model_save(uint8_t **out, size_t *len, const lp_model *m)
{
    *out = NULL;
    *len = 0;
    if (!m->ops || !m->ops->save)
        return lp_error_set(LP_EINVAL, "model of '%s' has no back-end to save", m->target);
    json_t *h = header_json(m);
    char *text = h ? json_dumps(h, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
    json_decref(h);
    if (!text)
        return lp_error_set(LP_EINVAL,
                            "model of '%s': its header cannot be written as JSON "
                            "(a parameter that is not a finite number?)",
                            m->target);
    uint8_t *blob = NULL;
    size_t blen = 0;
    int rc = m->ops->save(m->state, &blob, &blen);
    if (rc) {
        free(text);
        return rc;
    }
    size_t hlen = strlen(text), total = MAGIC_LEN + 8 + hlen + 8 + blen;
    uint8_t *buf = malloc(total);
    if (!buf) {
        free(text);
        free(blob);
        return lp_error_set(LP_ENOMEM, "out of memory");
    }
    memcpy(buf, MAGIC, MAGIC_LEN);
    lp_u64_store_le(buf + MAGIC_LEN, hlen);
    memcpy(buf + MAGIC_LEN + 8, text, hlen);
    lp_u64_store_le(buf + MAGIC_LEN + 8 + hlen, blen);
    if (blen) memcpy(buf + MAGIC_LEN + 16 + hlen, blob, blen);
    free(text);
    free(blob);
    *out = buf;
    *len = total;
    return 0;
}

/* ---- load ----------------------------------------------------------------- */

static int bad(const char *what)
{
    return lp_error_set(LP_EINVAL, "not a lolpop model: %s", what);
}

/* Features, classes and params from the header into m. */
static int header_fill(lp_model *m, json_t *h)
{
    json_t *feats = json_object_get(h, "features"), *classes = json_object_get(h, "classes");
    if (!json_is_array(feats) || !json_is_array(classes)) return bad("no features or classes");
    size_t i;
    json_t *it;
    json_array_foreach(feats, i, it)
    {
        const char *name = json_string_value(json_object_get(it, "name"));
        lp_dtype t;
        if (!name || lp_dtype_parse(json_string_value(json_object_get(it, "dtype")), &t))
            return bad("a feature without name or type");
        if (lp_model_add_feature(m, name, t)) return LP_ENOMEM;
        size_t c;
        json_t *cat;
        json_array_foreach(json_object_get(it, "categories"), c, cat)
        {
            if (!json_is_string(cat)) return bad("a category that is not text");
            if (lp_model_add_category(m, i, json_string_value(cat), json_string_length(cat)))
                return LP_ENOMEM;
        }
    }
    json_array_foreach(classes, i, it)
    {
        if (!json_is_string(it)) return bad("a class label that is not text");
        if (lp_model_add_class(m, json_string_value(it))) return LP_ENOMEM;
    }
    json_t *params = json_object_get(h, "params");
    if (json_is_object(params)) {
        lp_value *p = lp_value_from_json(params);
        if (!p || lp_model_set_params(m, p)) return LP_ENOMEM;
    }
    return attachments_fill(m, h);
}

/* Format 1 (or absent, as in the first saved models) and 2 are known; a newer
 * one was written by a newer lolpop and may hold what this one would drop. */
static int check_format(const json_t *h)
{
    const json_t *f = json_object_get(h, "format");
    if (!f) return 0;
    if (!json_is_integer(f) || json_integer_value(f) < 1)
        return bad("header format is not a positive integer");
    if (json_integer_value(f) > MAX_FORMAT)
        return lp_error_set(LP_EINVAL,
                            "model format %lld was written by a newer lolpop (this one reads "
                            "formats 1 to %d)",
                            (long long)json_integer_value(f), MAX_FORMAT);
    return 0;
}

/* "a, b" for the registered back-ends, or "none". New string or NULL (OOM). */
static char *backend_names(const lp_registry *reg)
{
    lp_sb sb = {0};
    size_t n = lp_registry_provider_count(reg, LP_MODEL_BACKEND_KIND);
    for (size_t i = 0; i < n; i++) {
        const lp_model_ops *ops = lp_registry_provider_at(reg, LP_MODEL_BACKEND_KIND, i, NULL);
        lp_sb_appendf(&sb, "%s%s", i ? ", " : "", ops->name);
    }
    if (n == 0) lp_sb_append(&sb, "none");
    if (sb.oom) {
        lp_sb_free(&sb);
        return NULL;
    }
    return lp_sb_take(&sb);
}

/* The registered back-end `name` loads blob into *state; *ops is that back-end. */
static int load_backend(void **state, const lp_model_ops **ops, const lp_registry *reg,
                        const char *name, const uint8_t *blob, size_t len)
{
    *ops = lp_registry_find_model_backend(reg, name);
    if (*ops) return (*ops)->load(state, blob, len);
    char *known = backend_names(reg);
    if (!known) return lp_error_set(LP_ENOMEM, "out of memory");
    int rc = lp_error_set(LP_ENOTFOUND,
                          "model back-end '%s' is not registered (registered: %s); load the "
                          "plugin that provides it (plugin_paths or LOLPOP_PLUGIN_PATH)",
                          name, known);
    free(known);
    return rc;
}

LP_API int lp_model_load(lp_model **out, const lp_registry *reg, const uint8_t *buf, size_t len)
{
    *out = NULL;
    if (len < MAGIC_LEN + 16 || memcmp(buf, MAGIC, MAGIC_LEN)) return bad("no LPMODEL1 header");
    uint64_t hlen = lp_u64_load_le(buf + MAGIC_LEN);
    if (hlen > len - MAGIC_LEN - 16) return bad("truncated header");
    uint64_t blen = lp_u64_load_le(buf + MAGIC_LEN + 8 + hlen);
    if (blen != len - MAGIC_LEN - 16 - hlen) return bad("truncated back-end data");
    json_error_t jerr;
    json_t *h = json_loadb((const char *)buf + MAGIC_LEN + 8, hlen, 0, &jerr);
    if (!json_is_object(h)) {
        json_decref(h);
        return bad(jerr.text);
    }
    const char *backend = json_string_value(json_object_get(h, "backend"));
    const char *target = json_string_value(json_object_get(h, "target"));
    lp_model_task task;
    lp_dtype tdt;
    int rc = 0;
    if (!backend || !target ||
        lp_model_task_parse(json_string_value(json_object_get(h, "task")), &task) ||
        lp_dtype_parse(json_string_value(json_object_get(h, "target_dtype")), &tdt)) {
        json_decref(h);
        return bad("header lacks backend, task or target");
    }
    if ((rc = check_format(h))) {
        json_decref(h);
        return rc;
    }
    void *state = NULL;
    const lp_model_ops *ops = NULL;
    if ((rc = load_backend(&state, &ops, reg, backend, buf + MAGIC_LEN + 16 + hlen, blen))) {
        json_decref(h);
        return rc;
    }
    lp_model *m = lp_model_new(ops, state, task, target, tdt);
    if (!m || (rc = header_fill(m, h))) {
        rc = m ? rc : LP_ENOMEM;
        lp_model_unref(m);
        json_decref(h);
        return rc;
    }
    json_decref(h);
    *out = m;
    return 0;
}
