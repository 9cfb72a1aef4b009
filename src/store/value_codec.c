/*
 * value_codec.c — see value_codec.h.
 */
#include "store/value_codec.h"

#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/crypto_api.h"
#include "data/frame_object.h"
#include "data/frame_origin.h"

#include "lolpop/config.h"
#include "lolpop/frame_io.h"
#include "lolpop/model.h"

#define CODEC_FORMAT "lpvalue1"
#define MAX_DEPTH    64 /* deeper values are not results anyone returns; refuse, not recurse */

/* The walk's state: the object store and the dotted place in the value, for messages. */
typedef struct codec {
    lp_objstore *os;
    const lp_registry *reg; /* decoding: where model back-ends are found */
    lp_sb where;            /* "value.splits.X_train" */
    int depth;
    /* decoding: the parent frame of the last row list read ($rows), kept for
     * the next one (X_train and y_train share it) */
    lp_frame *parent;
    char parent_hex[65];
} codec;

/* Appends ".key" or "[i]" to the place; returns the length to restore. */
static size_t enter_key(codec *c, const char *key)
{
    size_t at = c->where.len;
    lp_sb_appendf(&c->where, ".%s", key);
    c->depth++;
    return at;
}

static size_t enter_index(codec *c, size_t i)
{
    size_t at = c->where.len;
    lp_sb_appendf(&c->where, "[%zu]", i);
    c->depth++;
    return at;
}

static void leave(codec *c, size_t at)
{
    if (c->where.buf && at <= c->where.len) c->where.buf[c->where.len = at] = '\0';
    c->depth--;
}

static const char *place(const codec *c)
{
    return c->where.buf ? c->where.buf : "value";
}

/* ---- base64 (strings JSON cannot hold) ------------------------------------------------ */

static json_t *base64_json(const void *bytes, size_t len)
{
    if (len > (size_t)INT_MAX / 4 * 3 - 3) return NULL;
    unsigned char *text = malloc(4 * ((len + 2) / 3) + 1);
    if (!text) return NULL;
    int n = EVP_EncodeBlock(text, bytes, (int)len);
    json_t *j = n >= 0 ? json_stringn((const char *)text, (size_t)n) : NULL;
    free(text);
    return j;
}

/* The bytes of base64 text as a new string value, or NULL with LP_EINVAL. */
static lp_value *base64_value(const codec *c, json_t *j)
{
    const char *text = json_string_value(j);
    size_t n = json_string_length(j);
    if (!text || n % 4 || n > INT_MAX) {
        lp_error_set(LP_EINVAL, "cached value: %s: $bytes is not base64", place(c));
        return NULL;
    }
    unsigned char *buf = malloc(n / 4 * 3 + 1);
    if (!buf) {
        lp_error_set(LP_ENOMEM, "out of memory");
        return NULL;
    }
    int got = n ? EVP_DecodeBlock(buf, (const unsigned char *)text, (int)n) : 0;
    /* EVP_DecodeBlock counts padding as zero bytes: drop them. */
    size_t pad = n && text[n - 1] == '=' ? (n > 1 && text[n - 2] == '=' ? 2 : 1) : 0;
    lp_value *v = got >= 0 && (size_t)got >= pad
                      ? lp_value_stringn((const char *)buf, (size_t)got - pad)
                      : NULL;
    if (got < 0 || (size_t)got < pad)
        lp_error_set(LP_EINVAL, "cached value: %s: $bytes is not base64", place(c));
    free(buf);
    return v;
}

/* ---- encoding ------------------------------------------------------------------------- */

static json_t *encode_value(codec *c, const lp_value *v);

/* {"tag": text}: one-key objects are how the codec marks what JSON has no type for. */
static json_t *tagged(const char *tag, json_t *text)
{
    json_t *o = text ? json_object() : NULL;
    if (o && json_object_set_new(o, tag, text) == 0) return o;
    if (!o) json_decref(text);
    json_decref(o);
    return NULL;
}

static json_t *encode_float(double d)
{
    if (isnan(d)) return tagged("$float", json_string("nan"));
    if (isinf(d)) return tagged("$float", json_string(d > 0 ? "inf" : "-inf"));
    return json_real(d);
}

static json_t *encode_string(const lp_value *v)
{
    const char *s = lp_value_as_string(v);
    size_t n = lp_value_string_len(v);
    /* jansson holds NUL bytes but not invalid UTF-8. */
    if (lp_utf8_valid(s, n, NULL)) return json_stringn(s, n);
    return tagged("$bytes", base64_json(s, n));
}

/* Whether every column name of f can be a JSON string. */
static bool names_are_text(const lp_frame *f)
{
    for (size_t j = 0; j < lp_frame_cols(f); j++) {
        const char *name = lp_frame_name(f, j);
        if (!lp_utf8_valid(name, strlen(name), NULL)) return false;
    }
    return true;
}

/* A frame that is rows of a parent frame's columns (a split: frame_origin.h):
 * {"$rows": {"of": parent hex, "rows": row list hex, "columns": [names]}}.
 * The parent is stored (usually it is already, by the step that made it) and
 * the row list is an object of little-endian uint32s, stored once for the
 * frames of one split; the split's own bytes are never serialised. */
static json_t *encode_rows_of(codec *c, const lp_frame *f, const lp_frame_origin *o)
{
    char parent[65], rows[65];
    if (lp_objstore_put_frame(c->os, lp_frame_origin_parent(o), parent, NULL)) {
        lp_error_prefix("%s", place(c));
        return NULL;
    }
    if (!lp_frame_origin_recall(o, rows) || !lp_objstore_has(c->os, rows)) {
        size_t len;
        const uint8_t *bytes = lp_frame_origin_bytes(o, &len);
        if (lp_objstore_put(c->os, bytes, len, rows)) {
            lp_error_prefix("%s", place(c));
            return NULL;
        }
        lp_frame_origin_remember(o, rows);
    }
    json_t *names = json_array();
    for (size_t j = 0; names && j < lp_frame_cols(f); j++)
        if (json_array_append_new(names, json_string(lp_frame_name(f, j))) != 0) {
            json_decref(names);
            names = NULL;
        }
    json_t *arg =
        names ? json_pack("{s:s, s:s, s:o}", "of", parent, "rows", rows, "columns", names) : NULL;
    if (!arg) lp_error_set(LP_ENOMEM, "out of memory encoding %s", place(c));
    return arg ? tagged("$rows", arg) : NULL;
}

/* Puts a frame into the object store: {"$frame": hex}, or a split as rows of
 * its parent ({"$rows": …}). The frame is serialised and hashed once however
 * often it is stored (lp_objstore_put_frame). */
static json_t *encode_frame(codec *c, const lp_frame *f)
{
    const lp_frame_origin *o = lp_frame_origin_of(f);
    if (o && names_are_text(f)) return encode_rows_of(c, f, o);
    char hex[65];
    if (lp_objstore_put_frame(c->os, f, hex, NULL)) {
        lp_error_prefix("%s", place(c));
        return NULL;
    }
    return tagged("$frame", json_string(hex));
}

/* Puts a frame's or model's bytes into the object store: {"$frame"|"$model": hex}. */
static json_t *encode_handle(codec *c, const lp_value *v)
{
    if (lp_value_as_frame(v)) return encode_frame(c, lp_value_as_frame(v));
    if (!lp_value_as_model(v)) {
        const lp_handle_type *t = lp_value_handle_type(v);
        lp_error_set(LP_EINVAL,
                     "%s holds a %s handle, which cannot be cached (frames and models can)",
                     place(c), t && t->name ? t->name : "foreign");
        return NULL;
    }
    uint8_t *bytes = NULL;
    size_t len = 0;
    char hex[65];
    int rc = lp_model_save(&bytes, &len, lp_value_as_model(v));
    if (rc == 0) rc = lp_objstore_put(c->os, bytes, len, hex);
    free(bytes);
    if (rc) {
        lp_error_prefix("%s", place(c));
        return NULL;
    }
    return tagged("$model", json_string(hex));
}

static json_t *encode_list(codec *c, const lp_value *v)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < lp_list_len(v); i++) {
        size_t at = enter_index(c, i);
        json_t *item = encode_value(c, lp_list_get(v, i));
        leave(c, at);
        if (!item || json_array_append_new(a, item) != 0) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

static json_t *encode_map(codec *c, const lp_value *v)
{
    json_t *o = json_object();
    for (size_t i = 0; o && i < lp_map_len(v); i++) {
        const char *key = lp_map_key(v, i);
        if (!lp_utf8_valid(key, strlen(key), NULL)) {
            lp_error_set(LP_EINVAL, "%s has a key that is not UTF-8", place(c));
            json_decref(o);
            return NULL;
        }
        size_t at = enter_key(c, key);
        json_t *item = encode_value(c, lp_map_value(v, i));
        leave(c, at);
        char *escaped = key[0] == '$' ? lp_asprintf("$%s", key) : NULL;
        int rc = item ? json_object_set_new(o, escaped ? escaped : key, item) : -1;
        free(escaped);
        if (rc != 0) {
            json_decref(o);
            return NULL;
        }
    }
    return o;
}

static json_t *encode_value(codec *c, const lp_value *v)
{
    if (c->depth > MAX_DEPTH) {
        lp_error_set(LP_EINVAL, "%s is nested more than %d levels deep", place(c), MAX_DEPTH);
        return NULL;
    }
    json_t *j = NULL;
    switch (lp_value_type(v)) {
    case LP_NULL:
        return json_null();
    case LP_BOOL:
        return json_boolean(lp_value_as_bool(v));
    case LP_INT:
        return json_integer((json_int_t)lp_value_as_int(v));
    case LP_FLOAT:
        j = encode_float(lp_value_as_float(v));
        break;
    case LP_STRING:
        j = encode_string(v);
        break;
    case LP_LIST:
        return encode_list(c, v);
    case LP_MAP:
        return encode_map(c, v);
    case LP_HANDLE:
        return encode_handle(c, v);
    }
    if (!j) lp_error_set(LP_ENOMEM, "out of memory encoding %s", place(c));
    return j;
}

int lp_value_encode(lp_objstore *os, const lp_value *v, uint8_t **out, size_t *len)
{
    if (!os || !out || !len) return lp_error_set(LP_EINVAL, "lp_value_encode: bad arguments");
    *out = NULL;
    *len = 0;
    codec c = {.os = os};
    lp_sb_append(&c.where, "value");
    lp_error_clear();
    json_t *body = encode_value(&c, v);
    lp_sb_free(&c.where);
    if (!body) return lp_error_last()->code ? lp_error_last()->code : LP_ENOMEM;
    json_t *env = json_pack("{s:s, s:o}", "format", CODEC_FORMAT, "value", body);
    char *text = env ? json_dumps(env, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    json_decref(env);
    if (!text) return lp_error_set(LP_ENOMEM, "out of memory encoding a value");
    *out = (uint8_t *)text;
    *len = strlen(text);
    return 0;
}

/* ---- decoding ------------------------------------------------------------------------- */

static lp_value *decode_value(codec *c, json_t *j);

static lp_value *bad(const codec *c, const char *what)
{
    lp_error_set(LP_EINVAL, "cached value: %s: %s", place(c), what);
    return NULL;
}

/* Reads object `hex` of the object store: a frame or a model. */
static lp_value *decode_object(codec *c, const char *tag, json_t *hexj)
{
    const char *hex = json_string_value(hexj);
    if (!hex || !lp_objstore_valid_hex(hex)) return bad(c, "an object reference is not a hash");
    uint8_t *bytes = NULL;
    size_t len = 0;
    int rc = lp_objstore_get(c->os, hex, &bytes, &len);
    lp_value *v = NULL;
    if (rc == 0 && strcmp(tag, "$frame") == 0) {
        lp_frame *f = NULL;
        rc = lp_frame_deserialize(&f, bytes, len);
        if (rc == 0 && !(v = lp_value_frame(f))) rc = LP_ENOMEM;
        if (f) lp_frame_unref(f);
    } else if (rc == 0) {
        lp_model *m = NULL;
        rc = lp_model_load(&m, c->reg, bytes, len);
        if (rc == 0 && !(v = lp_value_model(m))) rc = LP_ENOMEM;
        if (m) lp_model_unref(m);
    }
    free(bytes);
    if (rc) lp_error_prefix("cached value: %s", place(c));
    return v;
}

/* The parent frame `hex` of a row list (new reference): the one read last
 * when it is the same, else read from the object store. */
static lp_frame *decode_parent(codec *c, const char *hex)
{
    if (c->parent && strcmp(c->parent_hex, hex) == 0) return lp_frame_ref(c->parent);
    uint8_t *bytes = NULL;
    size_t len = 0;
    lp_frame *f = NULL;
    int rc = lp_objstore_get(c->os, hex, &bytes, &len);
    if (rc == 0) rc = lp_frame_deserialize(&f, bytes, len);
    free(bytes);
    if (rc) return NULL;
    lp_frame_object_remember(f, hex, len); /* storing it again costs nothing */
    lp_frame_unref(c->parent);
    c->parent = lp_frame_ref(f);
    memcpy(c->parent_hex, hex, 65);
    return f;
}

/* {"$rows": {"of", "rows", "columns"}}: the columns of the parent frame at the
 * rows of the row list, the same frame the splitter made. */
static lp_value *decode_rows(codec *c, json_t *arg)
{
    const char *of = json_string_value(json_object_get(arg, "of"));
    const char *rows = json_string_value(json_object_get(arg, "rows"));
    json_t *cols = json_object_get(arg, "columns");
    if (!of || !rows || !lp_objstore_valid_hex(of) || !lp_objstore_valid_hex(rows) ||
        !json_is_array(cols))
        return bad(c, "$rows needs the hashes 'of' and 'rows' and a 'columns' list");
    size_t n = json_array_size(cols);
    const char **names = malloc((n ? n : 1) * sizeof *names);
    if (!names) {
        lp_error_set(LP_ENOMEM, "out of memory");
        return NULL;
    }
    for (size_t j = 0; j < n; j++)
        if (!(names[j] = json_string_value(json_array_get(cols, j)))) {
            free(names);
            return bad(c, "$rows: a column name is not a string");
        }
    lp_frame *parent = decode_parent(c, of), *f = NULL;
    uint8_t *bytes = NULL;
    size_t len = 0;
    int rc = parent ? lp_objstore_get(c->os, rows, &bytes, &len) : lp_error_last()->code;
    if (rc == 0) rc = lp_frame_origin_rebuild(&f, parent, names, n, bytes, len);
    lp_value *v = rc == 0 ? lp_value_frame(f) : NULL;
    if (rc == 0 && !v) lp_error_set(LP_ENOMEM, "out of memory");
    if (rc) lp_error_prefix("cached value: %s", place(c));
    lp_frame_unref(f);
    lp_frame_unref(parent);
    free(bytes);
    free(names);
    return v;
}

static lp_value *decode_float(const codec *c, json_t *j)
{
    const char *s = json_string_value(j);
    if (s && strcmp(s, "nan") == 0) return lp_value_float(NAN);
    if (s && strcmp(s, "inf") == 0) return lp_value_float(INFINITY);
    if (s && strcmp(s, "-inf") == 0) return lp_value_float(-INFINITY);
    return bad(c, "$float is not nan, inf or -inf");
}

/* A one-key object whose key is a tag, or NULL when o is a plain map. */
static const char *tag_of(json_t *o)
{
    if (json_object_size(o) != 1) return NULL;
    const char *key = json_object_iter_key(json_object_iter(o));
    return key && key[0] == '$' && key[1] != '$' ? key : NULL;
}

static lp_value *decode_tagged(codec *c, const char *tag, json_t *arg)
{
    if (strcmp(tag, "$frame") == 0 || strcmp(tag, "$model") == 0) return decode_object(c, tag, arg);
    if (strcmp(tag, "$rows") == 0) return decode_rows(c, arg);
    if (strcmp(tag, "$float") == 0) return decode_float(c, arg);
    if (strcmp(tag, "$bytes") == 0) return base64_value(c, arg);
    lp_error_set(LP_EINVAL, "cached value: %s: unknown tag '%s'", place(c), tag);
    return NULL;
}

static lp_value *decode_map(codec *c, json_t *o)
{
    const char *tag = tag_of(o);
    if (tag) return decode_tagged(c, tag, json_object_get(o, tag));
    lp_value *m = lp_value_map();
    const char *key;
    json_t *item;
    json_object_foreach(o, key, item)
    {
        if (!m) break;
        /* Written keys starting with '$' carry one more; anything else with '$' is no map key. */
        if (key[0] == '$' && key[1] != '$') {
            lp_value_unref(m);
            return bad(c, "a tag inside a map");
        }
        const char *real = key[0] == '$' ? key + 1 : key;
        size_t at = enter_key(c, real);
        lp_value *v = decode_value(c, item);
        leave(c, at);
        if (v && lp_map_get(m, real)) {
            lp_value_unref(v);
            v = bad(c, "two keys differ only in case");
        }
        if (!v || lp_map_set(m, real, v) != 0) {
            lp_value_unref(m);
            return NULL;
        }
    }
    return m;
}

static lp_value *decode_list(codec *c, json_t *a)
{
    lp_value *l = lp_value_list();
    for (size_t i = 0; l && i < json_array_size(a); i++) {
        size_t at = enter_index(c, i);
        lp_value *v = decode_value(c, json_array_get(a, i));
        leave(c, at);
        if (!v || lp_list_append(l, v) != 0) {
            lp_value_unref(l);
            return NULL;
        }
    }
    return l;
}

static lp_value *decode_value(codec *c, json_t *j)
{
    if (c->depth > MAX_DEPTH) return bad(c, "nested too deeply");
    switch (json_typeof(j)) {
    case JSON_NULL:
        return lp_value_null();
    case JSON_TRUE:
        return lp_value_bool(true);
    case JSON_FALSE:
        return lp_value_bool(false);
    case JSON_INTEGER:
        return lp_value_int((int64_t)json_integer_value(j));
    case JSON_REAL:
        return lp_value_float(json_real_value(j));
    case JSON_STRING:
        return lp_value_stringn(json_string_value(j), json_string_length(j));
    case JSON_ARRAY:
        return decode_list(c, j);
    case JSON_OBJECT:
        return decode_map(c, j);
    }
    return bad(c, "not a JSON value");
}

int lp_value_decode(lp_objstore *os, const lp_registry *reg, const uint8_t *data, size_t len,
                    lp_value **out)
{
    if (!os || !out || (!data && len))
        return lp_error_set(LP_EINVAL, "lp_value_decode: bad arguments");
    *out = NULL;
    json_error_t err;
    json_t *env = json_loadb((const char *)data, len, JSON_ALLOW_NUL, &err);
    if (!env) return lp_error_set(LP_EINVAL, "cached value: not JSON: %s", err.text);
    const char *format = json_string_value(json_object_get(env, "format"));
    json_t *body = json_object_get(env, "value");
    int rc = 0;
    if (!json_is_object(env) || json_object_size(env) != 2 || !format || !body)
        rc = lp_error_set(LP_EINVAL, "cached value: not a lolpop value envelope");
    else if (strcmp(format, CODEC_FORMAT) != 0)
        rc = lp_error_set(LP_EINVAL, "cached value: unknown format '%s' (expected %s)", format,
                          CODEC_FORMAT);
    if (rc == 0) {
        codec c = {.os = os, .reg = reg};
        lp_sb_append(&c.where, "value");
        lp_error_clear();
        *out = decode_value(&c, body);
        lp_sb_free(&c.where);
        lp_frame_unref(c.parent);
        if (!*out) rc = lp_error_last()->code ? lp_error_last()->code : LP_ENOMEM;
    }
    json_decref(env);
    return rc;
}
