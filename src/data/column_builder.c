/*
 * column_builder.c — incremental construction of columns (for readers that do
 * not know the length up front) and the string hash set used by category
 * dictionaries and joins.
 */
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "data/frame_internal.h"

/* ---- string set ------------------------------------------------------------ */

int lp_strmap_init(lp_strmap *m, size_t expected)
{
    size_t cap = 16;
    while (cap < expected * 2 && cap < ((size_t)1 << 40))
        cap <<= 1;
    m->slots = calloc(cap, sizeof *m->slots);
    m->cap = cap;
    m->count = 0;
    if (!m->slots) return lp_error_set(LP_ENOMEM, "out of memory");
    return 0;
}

void lp_strmap_free(lp_strmap *m)
{
    free(m->slots);
    m->slots = NULL;
    m->cap = m->count = 0;
}

static bool str_at_eq(const int64_t *offsets, const char *bytes, uint32_t id, const char *s,
                      size_t len)
{
    size_t l = (size_t)(offsets[id + 1] - offsets[id]);
    return l == len && (len == 0 || memcmp(bytes + offsets[id], s, len) == 0);
}

long lp_strmap_find(const lp_strmap *m, const int64_t *offsets, const char *bytes, const char *s,
                    size_t len, uint64_t h)
{
    size_t mask = m->cap - 1;
    for (size_t p = h & mask;; p = (p + 1) & mask) {
        uint32_t v = m->slots[p];
        if (v == 0) return -1;
        if (str_at_eq(offsets, bytes, v - 1, s, len)) return (long)(v - 1);
    }
}

static void strmap_insert_slot(uint32_t *slots, size_t mask, uint64_t h, uint32_t v)
{
    size_t p = h & mask;
    while (slots[p])
        p = (p + 1) & mask;
    slots[p] = v;
}

int lp_strmap_add(lp_strmap *m, const int64_t *offsets, const char *bytes, uint64_t h)
{
    if (m->count >= UINT32_MAX - 1) return lp_error_set(LP_ENOMEM, "too many distinct strings");
    if ((m->count + 1) * 2 > m->cap) { /* keep the load factor under 1/2 */
        size_t ncap = m->cap * 2;
        uint32_t *ns = calloc(ncap, sizeof *ns);
        if (!ns) return lp_error_set(LP_ENOMEM, "out of memory");
        for (size_t i = 0; i < m->cap; i++) {
            uint32_t v = m->slots[i];
            if (v) {
                size_t l = (size_t)(offsets[v] - offsets[v - 1]);
                strmap_insert_slot(ns, ncap - 1, lp_bytes_hash(bytes + offsets[v - 1], l), v);
            }
        }
        free(m->slots);
        m->slots = ns;
        m->cap = ncap;
    }
    m->count++;
    strmap_insert_slot(m->slots, m->cap - 1, h, (uint32_t)m->count);
    return 0;
}

/* ---- builder --------------------------------------------------------------- */

struct lp_column_builder {
    lp_dtype type;
    size_t len, cap;   /* values */
    void *values;      /* f64 / i64 / b8 / int32 codes; NULL for strings */
    uint8_t *validity; /* NULL until the first missing value; cap bits */
    size_t null_count;
    int64_t *offsets;          /* string: cap + 1 entries; category: the dictionary's */
    char *bytes;               /* string / dictionary bytes */
    size_t nbytes, bcap;       /* used and allocated bytes */
    size_t dict_len, dict_cap; /* category: dictionary entries */
    lp_strmap map;             /* category: dictionary lookup */
    bool failed;               /* an allocation failed; finish returns NULL */
};

static size_t value_size(lp_dtype t)
{
    switch (t) {
    case LP_DT_BOOL:
        return 1;
    case LP_DT_CATEGORY:
        return sizeof(int32_t);
    case LP_DT_STRING:
        return 0;
    default:
        return 8;
    }
}

LP_API lp_column_builder *lp_column_builder_new(lp_dtype type, size_t capacity_hint)
{
    if ((unsigned)type > LP_DT_TIMESTAMP) {
        lp_error_set(LP_EINVAL, "unknown column type %d", (int)type);
        return NULL;
    }
    lp_column_builder *b = calloc(1, sizeof *b);
    if (!b) {
        lp_error_set(LP_ENOMEM, "out of memory");
        return NULL;
    }
    b->type = type;
    b->cap = capacity_hint ? capacity_hint : 64;
    size_t vs = value_size(type);
    if (vs && !(b->values = malloc(b->cap * vs))) goto oom;
    if (type == LP_DT_STRING && !(b->offsets = malloc((b->cap + 1) * sizeof *b->offsets))) goto oom;
    if (type == LP_DT_STRING || type == LP_DT_CATEGORY) {
        b->bcap = type == LP_DT_STRING && b->cap < 65536 ? b->cap * 16 : 1 << 20;
        if (type == LP_DT_CATEGORY) b->bcap = 256;
        if (!(b->bytes = malloc(b->bcap))) goto oom;
    }
    if (type == LP_DT_CATEGORY) {
        b->dict_cap = 16;
        if (!(b->offsets = malloc((b->dict_cap + 1) * sizeof *b->offsets))) goto oom;
        if (lp_strmap_init(&b->map, 16) != 0) goto oom;
    }
    if (b->offsets) b->offsets[0] = 0;
    return b;
oom:
    lp_column_builder_free(b);
    lp_error_set(LP_ENOMEM, "out of memory");
    return NULL;
}

LP_API void lp_column_builder_free(lp_column_builder *b)
{
    if (!b) return;
    free(b->values);
    free(b->validity);
    free(b->offsets);
    free(b->bytes);
    lp_strmap_free(&b->map);
    free(b);
}

/* Makes room for one more value. */
static int grow_values(lp_column_builder *b)
{
    if (b->failed) return LP_ENOMEM;
    if (b->len < b->cap) return 0;
    size_t ncap = b->cap * 2;
    size_t vs = value_size(b->type);
    if (vs) {
        void *nv = realloc(b->values, ncap * vs);
        if (!nv) goto oom;
        b->values = nv;
    }
    if (b->type == LP_DT_STRING) {
        int64_t *no = realloc(b->offsets, (ncap + 1) * sizeof *no);
        if (!no) goto oom;
        b->offsets = no;
    }
    if (b->validity) {
        uint8_t *nb = realloc(b->validity, lp_bitmap_bytes(ncap));
        if (!nb) goto oom;
        memset(nb + lp_bitmap_bytes(b->cap), 0xff, lp_bitmap_bytes(ncap) - lp_bitmap_bytes(b->cap));
        b->validity = nb;
    }
    b->cap = ncap;
    return 0;
oom:
    b->failed = true;
    return lp_error_set(LP_ENOMEM, "out of memory growing a column to %zu values", ncap);
}

static int grow_bytes(lp_column_builder *b, size_t extra)
{
    if (b->nbytes + extra <= b->bcap) return 0;
    size_t ncap = b->bcap * 2;
    while (ncap < b->nbytes + extra)
        ncap *= 2;
    char *nb = realloc(b->bytes, ncap);
    if (!nb) {
        b->failed = true;
        return lp_error_set(LP_ENOMEM, "out of memory");
    }
    b->bytes = nb;
    b->bcap = ncap;
    return 0;
}

LP_API int lp_column_builder_append_null(lp_column_builder *b)
{
    int rc = grow_values(b);
    if (rc) return rc;
    if (!b->validity) {
        b->validity = malloc(lp_bitmap_bytes(b->cap));
        if (!b->validity) {
            b->failed = true;
            return lp_error_set(LP_ENOMEM, "out of memory");
        }
        memset(b->validity, 0xff, lp_bitmap_bytes(b->cap));
    }
    lp_bit_clear(b->validity, b->len);
    b->null_count++;
    size_t vs = value_size(b->type);
    if (vs)
        memset((char *)b->values + b->len * vs, 0, vs);
    else
        b->offsets[b->len + 1] = (int64_t)b->nbytes;
    b->len++;
    return 0;
}

static int type_error(lp_column_builder *b, const char *what)
{
    return lp_error_set(LP_EINVAL, "cannot append %s to a %s column", what, lp_dtype_name(b->type));
}

LP_API int lp_column_builder_append_f64(lp_column_builder *b, double v)
{
    if (b->type != LP_DT_FLOAT64) return type_error(b, "a float64");
    int rc = grow_values(b);
    if (rc) return rc;
    ((double *)b->values)[b->len++] = v;
    return 0;
}

LP_API int lp_column_builder_append_i64(lp_column_builder *b, int64_t v)
{
    if (b->type != LP_DT_INT64 && b->type != LP_DT_TIMESTAMP) return type_error(b, "an int64");
    int rc = grow_values(b);
    if (rc) return rc;
    ((int64_t *)b->values)[b->len++] = v;
    return 0;
}

LP_API int lp_column_builder_append_bool(lp_column_builder *b, bool v)
{
    if (b->type != LP_DT_BOOL) return type_error(b, "a bool");
    int rc = grow_values(b);
    if (rc) return rc;
    ((uint8_t *)b->values)[b->len++] = v ? 1 : 0;
    return 0;
}

/* The dictionary code of s (added on first appearance). */
static int category_code(lp_column_builder *b, const char *s, size_t len, int32_t *code)
{
    uint64_t h = lp_bytes_hash(s, len);
    long id = lp_strmap_find(&b->map, b->offsets, b->bytes, s, len, h);
    if (id >= 0) {
        *code = (int32_t)id;
        return 0;
    }
    if (b->dict_len >= INT32_MAX)
        return lp_error_set(LP_EINVAL, "a category column holds at most 2^31-1 distinct values");
    if (b->dict_len == b->dict_cap) {
        int64_t *no = realloc(b->offsets, (b->dict_cap * 2 + 1) * sizeof *no);
        if (!no) {
            b->failed = true;
            return lp_error_set(LP_ENOMEM, "out of memory");
        }
        b->offsets = no;
        b->dict_cap *= 2;
    }
    int rc = grow_bytes(b, len);
    if (rc) return rc;
    if (len) memcpy(b->bytes + b->nbytes, s, len);
    b->nbytes += len;
    b->offsets[b->dict_len + 1] = (int64_t)b->nbytes;
    if ((rc = lp_strmap_add(&b->map, b->offsets, b->bytes, h)) != 0) {
        b->failed = true;
        return rc;
    }
    *code = (int32_t)b->dict_len++;
    return 0;
}

LP_API int lp_column_builder_append_str(lp_column_builder *b, const char *s, size_t len)
{
    if (b->type != LP_DT_STRING && b->type != LP_DT_CATEGORY) return type_error(b, "a string");
    int rc = grow_values(b);
    if (rc) return rc;
    if (b->type == LP_DT_CATEGORY) {
        int32_t code = 0;
        if ((rc = category_code(b, s, len, &code)) != 0) return rc;
        ((int32_t *)b->values)[b->len++] = code;
        return 0;
    }
    if ((rc = grow_bytes(b, len)) != 0) return rc;
    if (len) memcpy(b->bytes + b->nbytes, s, len);
    b->nbytes += len;
    b->offsets[++b->len] = (int64_t)b->nbytes;
    return 0;
}

/* Shrinks p to n bytes (at least 1); keeps p when realloc fails. */
static void *shrink(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    return q ? q : p;
}

/* Moves the builder's string buffers into a string column of `len` values. */
static lp_column *string_column(int64_t *offsets, char *bytes, size_t len, size_t nbytes)
{
    lp_column *c = lp_column_shell(LP_DT_STRING, len);
    if (!c) {
        free(offsets);
        free(bytes);
        return NULL;
    }
    c->data.str.offsets = shrink(offsets, (len + 1) * sizeof *offsets);
    c->data.str.bytes = shrink(bytes, nbytes);
    return c;
}

LP_API lp_column *lp_column_builder_finish(lp_column_builder *b)
{
    if (!b) return NULL;
    if (b->failed) {
        lp_column_builder_free(b);
        lp_error_set(LP_ENOMEM, "out of memory building a column");
        return NULL;
    }
    lp_column *c;
    if (b->type == LP_DT_STRING) {
        c = string_column(b->offsets, b->bytes, b->len, b->nbytes);
        b->offsets = NULL, b->bytes = NULL;
    } else {
        c = lp_column_shell(b->type, b->len);
        if (c) {
            void *vals = shrink(b->values, b->len * value_size(b->type));
            b->values = NULL;
            if (b->type == LP_DT_CATEGORY)
                c->data.cat.codes = vals;
            else if (b->type == LP_DT_BOOL)
                c->data.b8 = vals;
            else
                c->data.f64 = vals; /* float64, int64, timestamp share the pointer */
        }
        if (c && b->type == LP_DT_CATEGORY) {
            c->data.cat.dict = string_column(b->offsets, b->bytes, b->dict_len, b->nbytes);
            b->offsets = NULL, b->bytes = NULL;
            if (!c->data.cat.dict) {
                lp_column_unref(c);
                c = NULL;
            }
        }
    }
    if (c && b->validity) {
        c->validity = shrink(b->validity, lp_bitmap_bytes(b->len));
        c->null_count = b->null_count;
        b->validity = NULL;
    }
    lp_column_builder_free(b);
    return c;
}
