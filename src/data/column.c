/*
 * column.c — typed columns: allocation, reference counting, element access,
 * row selection (take) and type names.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "data/frame_internal.h"

static const char *const dtype_names[] = {"float64", "int64",    "bool",
                                          "string",  "category", "timestamp"};

LP_API const char *lp_dtype_name(lp_dtype t)
{
    if ((unsigned)t >= sizeof dtype_names / sizeof *dtype_names) return "unknown";
    return dtype_names[t];
}

LP_API int lp_dtype_parse(const char *name, lp_dtype *out)
{
    static const struct {
        const char *name;
        lp_dtype type;
    } table[] = {
        {"float64", LP_DT_FLOAT64},     {"float", LP_DT_FLOAT64},
        {"double", LP_DT_FLOAT64},      {"int64", LP_DT_INT64},
        {"int", LP_DT_INT64},           {"integer", LP_DT_INT64},
        {"bool", LP_DT_BOOL},           {"boolean", LP_DT_BOOL},
        {"string", LP_DT_STRING},       {"str", LP_DT_STRING},
        {"category", LP_DT_CATEGORY},   {"categorical", LP_DT_CATEGORY},
        {"timestamp", LP_DT_TIMESTAMP}, {"datetime", LP_DT_TIMESTAMP},
    };
    const size_t n = sizeof table / sizeof *table;
    if (!name) return lp_error_set(LP_EINVAL, "missing type name");
    for (size_t i = 0; i < n; i++) {
        if (lp_streq_nocase(name, table[i].name)) {
            *out = table[i].type;
            return 0;
        }
    }
    const char *cands[sizeof table / sizeof *table];
    for (size_t i = 0; i < n; i++)
        cands[i] = table[i].name;
    const char *s = lp_suggest(name, cands, n);
    if (s) return lp_error_set(LP_EINVAL, "unknown column type '%s' (did you mean '%s'?)", name, s);
    return lp_error_set(LP_EINVAL,
                        "unknown column type '%s' (expected float64, int64, bool, string, "
                        "category or timestamp)",
                        name);
}

/* malloc of n elements of size sz with overflow check; sets LP_ENOMEM. */
static void *alloc_array(size_t n, size_t sz, bool zero)
{
    if (sz && n > SIZE_MAX / sz) {
        lp_error_set(LP_ENOMEM, "column of %zu values is too large", n);
        return NULL;
    }
    size_t bytes = n * sz;
    if (bytes == 0) bytes = 1; /* never NULL for empty columns */
    void *p = zero ? calloc(1, bytes) : malloc(bytes);
    if (!p) lp_error_set(LP_ENOMEM, "out of memory allocating a column of %zu values", n);
    return p;
}

lp_column *lp_column_shell(lp_dtype type, size_t length)
{
    lp_column *c = calloc(1, sizeof *c);
    if (!c) {
        lp_error_set(LP_ENOMEM, "out of memory");
        return NULL;
    }
    c->refs_ = 1;
    c->type = type;
    c->length = length;
    return c;
}

lp_column *lp_column_new_string(size_t length, size_t nbytes)
{
    lp_column *c = lp_column_shell(LP_DT_STRING, length);
    if (!c) return NULL;
    c->data.str.offsets = alloc_array(length + 1, sizeof(int64_t), true);
    c->data.str.bytes = alloc_array(nbytes, 1, false);
    if (!c->data.str.offsets || !c->data.str.bytes) {
        lp_column_unref(c);
        return NULL;
    }
    return c;
}

LP_API lp_column *lp_column_new(lp_dtype type, size_t length)
{
    if (type == LP_DT_STRING) return lp_column_new_string(length, 0);
    lp_column *c = lp_column_shell(type, length);
    if (!c) return NULL;
    void *data = NULL;
    switch (type) {
    case LP_DT_FLOAT64:
    case LP_DT_INT64:
    case LP_DT_TIMESTAMP:
        data = c->data.f64 = alloc_array(length, 8, true);
        break;
    case LP_DT_BOOL:
        data = c->data.b8 = alloc_array(length, 1, true);
        break;
    case LP_DT_CATEGORY:
        data = c->data.cat.codes = alloc_array(length, sizeof(int32_t), true);
        c->data.cat.dict = lp_column_new_string(0, 0);
        if (!c->data.cat.dict) data = NULL;
        break;
    default:
        lp_error_set(LP_EINVAL, "unknown column type %d", (int)type);
        break;
    }
    if (!data) {
        lp_column_unref(c);
        return NULL;
    }
    return c;
}

LP_API lp_column *lp_column_ref(lp_column *col)
{
    if (col) __atomic_add_fetch(&col->refs_, 1, __ATOMIC_RELAXED);
    return col;
}

LP_API void lp_column_unref(lp_column *col)
{
    if (!col || __atomic_sub_fetch(&col->refs_, 1, __ATOMIC_ACQ_REL) != 0) return;
    switch (col->type) {
    case LP_DT_STRING:
        free(col->data.str.offsets);
        free(col->data.str.bytes);
        break;
    case LP_DT_CATEGORY:
        free(col->data.cat.codes);
        lp_column_unref(col->data.cat.dict);
        break;
    default:
        free(col->data.f64); /* every fixed-width type shares this pointer */
        break;
    }
    free(col->validity);
    free(col);
}

LP_API int lp_column_set_null(lp_column *col, size_t i)
{
    if (!col || i >= col->length)
        return lp_error_set(LP_EINVAL, "row %zu is out of range (column has %zu rows)", i + 1,
                            col ? col->length : 0);
    if (!col->validity) {
        col->validity = malloc(lp_bitmap_bytes(col->length));
        if (!col->validity) return lp_error_set(LP_ENOMEM, "out of memory");
        memset(col->validity, 0xff, lp_bitmap_bytes(col->length));
    }
    if (lp_column_is_valid(col, i)) {
        lp_bit_clear(col->validity, i);
        col->null_count++;
    }
    return 0;
}

void lp_column_fix_validity(lp_column *col)
{
    if (!col->validity) return;
    size_t nulls = 0;
    for (size_t i = 0; i < col->length; i++)
        nulls += !lp_column_is_valid(col, i);
    col->null_count = nulls;
    if (nulls == 0) {
        free(col->validity);
        col->validity = NULL;
    }
}

LP_API const char *lp_column_str(const lp_column *col, size_t i, size_t *len)
{
    if (!col || i >= col->length || !lp_column_is_valid(col, i)) {
        if (len) *len = 0;
        return NULL;
    }
    const lp_column *s = col;
    size_t k = i;
    if (col->type == LP_DT_CATEGORY) {
        s = col->data.cat.dict;
        int32_t code = col->data.cat.codes[i];
        if (code < 0 || (size_t)code >= s->length) {
            if (len) *len = 0;
            return NULL;
        }
        k = (size_t)code;
    } else if (col->type != LP_DT_STRING) {
        if (len) *len = 0;
        return NULL;
    }
    const int64_t *off = s->data.str.offsets;
    if (len) *len = (size_t)(off[k + 1] - off[k]);
    return s->data.str.bytes + off[k];
}

LP_API double lp_column_get_f64(const lp_column *col, size_t i)
{
    if (!col || i >= col->length || !lp_column_is_valid(col, i)) return NAN;
    switch (col->type) {
    case LP_DT_FLOAT64:
        return col->data.f64[i];
    case LP_DT_INT64:
    case LP_DT_TIMESTAMP:
        return (double)col->data.i64[i];
    case LP_DT_BOOL:
        return col->data.b8[i] ? 1.0 : 0.0;
    default:
        return NAN;
    }
}

LP_API double *lp_column_to_f64(const lp_column *col)
{
    size_t n = col ? col->length : 0;
    double *v = malloc((n ? n : 1) * sizeof *v);
    if (!v) {
        lp_error_set(LP_ENOMEM, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        v[i] = lp_column_get_f64(col, i);
    return v;
}

/* Validity of the taken rows; NULL result with *ok when all valid. */
static int take_validity(lp_column *dst, const lp_column *src, const size_t *idx, size_t n)
{
    bool has_none = false;
    if (!src->validity) {
        for (size_t i = 0; i < n && !has_none; i++)
            has_none = idx[i] == LP_ROW_NONE;
        if (!has_none) return 0;
    }
    uint8_t *bm = calloc(1, lp_bitmap_bytes(n) ? lp_bitmap_bytes(n) : 1);
    if (!bm) return lp_error_set(LP_ENOMEM, "out of memory");
    size_t nulls = 0;
    for (size_t i = 0; i < n; i++) {
        size_t r = idx[i];
        if (r != LP_ROW_NONE && lp_column_is_valid(src, r))
            lp_bit_set(bm, i);
        else
            nulls++;
    }
    if (nulls == 0) {
        free(bm);
        return 0;
    }
    dst->validity = bm;
    dst->null_count = nulls;
    return 0;
}

/* Fixed-width take; a LP_ROW_NONE row gets a zero value. */
#define TAKE_FIXED(T, dst, src)                                                                    \
    do {                                                                                           \
        T *d_ = (dst);                                                                             \
        const T *s_ = (src);                                                                       \
        if (opt) {                                                                                 \
            for (size_t i = 0; i < n; i++)                                                         \
                d_[i] = idx[i] == LP_ROW_NONE ? (T)0 : s_[idx[i]];                                 \
        } else {                                                                                   \
            /* random gathers miss the cache: prefetch a few rows ahead */                         \
            size_t i = 0;                                                                          \
            for (; i + 16 < n; i++) {                                                              \
                __builtin_prefetch(s_ + idx[i + 16]);                                              \
                d_[i] = s_[idx[i]];                                                                \
            }                                                                                      \
            for (; i < n; i++)                                                                     \
                d_[i] = s_[idx[i]];                                                                \
        }                                                                                          \
    } while (0)

static lp_column *take_string(const lp_column *col, const size_t *idx, size_t n)
{
    const int64_t *so = col->data.str.offsets;
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        if (idx[i] != LP_ROW_NONE) total += (size_t)(so[idx[i] + 1] - so[idx[i]]);
    lp_column *c = lp_column_new_string(n, total);
    if (!c) return NULL;
    int64_t *o = c->data.str.offsets;
    char *b = c->data.str.bytes;
    int64_t pos = 0;
    for (size_t i = 0; i < n; i++) {
        o[i] = pos;
        if (idx[i] == LP_ROW_NONE) continue;
        int64_t len = so[idx[i] + 1] - so[idx[i]];
        memcpy(b + pos, col->data.str.bytes + so[idx[i]], (size_t)len);
        pos += len;
    }
    o[n] = pos;
    return c;
}

static lp_column *take_impl(const lp_column *col, const size_t *idx, size_t n, bool opt)
{
    if (!col) return NULL;
    for (size_t i = 0; i < n; i++) {
        if (idx[i] >= col->length && !(opt && idx[i] == LP_ROW_NONE)) {
            lp_error_set(LP_EINVAL, "row index %zu is out of range (column has %zu rows)", idx[i],
                         col->length);
            return NULL;
        }
    }
    lp_column *c;
    if (col->type == LP_DT_STRING) {
        c = take_string(col, idx, n);
    } else {
        c = lp_column_shell(col->type, n);
        if (!c) return NULL;
        void *data = NULL;
        switch (col->type) {
        case LP_DT_FLOAT64:
            if ((data = c->data.f64 = alloc_array(n, 8, false)))
                TAKE_FIXED(double, c->data.f64, col->data.f64);
            break;
        case LP_DT_INT64:
        case LP_DT_TIMESTAMP:
            if ((data = c->data.i64 = alloc_array(n, 8, false)))
                TAKE_FIXED(int64_t, c->data.i64, col->data.i64);
            break;
        case LP_DT_BOOL:
            if ((data = c->data.b8 = alloc_array(n, 1, false)))
                TAKE_FIXED(uint8_t, c->data.b8, col->data.b8);
            break;
        case LP_DT_CATEGORY:
            if ((data = c->data.cat.codes = alloc_array(n, sizeof(int32_t), false)))
                TAKE_FIXED(int32_t, c->data.cat.codes, col->data.cat.codes);
            c->data.cat.dict = lp_column_ref(col->data.cat.dict);
            break;
        default:
            break;
        }
        if (!data) {
            lp_column_unref(c);
            return NULL;
        }
    }
    if (c && take_validity(c, col, idx, n) != 0) {
        lp_column_unref(c);
        return NULL;
    }
    return c;
}

LP_API lp_column *lp_column_take(const lp_column *col, const size_t *idx, size_t n)
{
    return take_impl(col, idx, n, false);
}

lp_column *lp_column_take_opt(const lp_column *col, const size_t *idx, size_t n)
{
    return take_impl(col, idx, n, true);
}

lp_column *lp_column_category_to_string(const lp_column *col)
{
    const lp_column *d = col->data.cat.dict;
    const int64_t *dofs = d->data.str.offsets;
    const int32_t *codes = col->data.cat.codes;
    size_t n = col->length, total = 0;
    for (size_t i = 0; i < n; i++)
        if (lp_column_is_valid(col, i)) total += (size_t)(dofs[codes[i] + 1] - dofs[codes[i]]);
    lp_column *c = lp_column_new_string(n, total);
    if (!c) return NULL;
    int64_t pos = 0;
    for (size_t i = 0; i < n; i++) {
        c->data.str.offsets[i] = pos;
        if (!lp_column_is_valid(col, i)) continue;
        int64_t len = dofs[codes[i] + 1] - dofs[codes[i]];
        memcpy(c->data.str.bytes + pos, d->data.str.bytes + dofs[codes[i]], (size_t)len);
        pos += len;
    }
    c->data.str.offsets[n] = pos;
    if (col->validity) {
        c->validity = malloc(lp_bitmap_bytes(n));
        if (!c->validity) {
            lp_column_unref(c);
            lp_error_set(LP_ENOMEM, "out of memory");
            return NULL;
        }
        memcpy(c->validity, col->validity, lp_bitmap_bytes(n));
        c->null_count = col->null_count;
    }
    return c;
}

uint64_t lp_bytes_hash(const char *s, size_t len)
{
    uint64_t h = 0xcbf29ce484222325ULL ^ len;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        h = (h ^ w) * 0x100000001b3ULL;
        h ^= h >> 29;
    }
    for (; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
    return lp_mix64(h);
}
