/*
 * frame_ops.c — row operations that build new columns: take, filter, a
 * stable sort by one column (merge sort of row indices, missing last) and
 * concatenation with type promotion.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "data/frame_internal.h"

/* Frame whose columns are each col taken at idx; opt allows LP_ROW_NONE. */
static int frame_take_idx(lp_frame **out, const lp_frame *f, const size_t *idx, size_t n)
{
    lp_frame *r = lp_frame_with_capacity(n, f->ncols);
    if (!r) return LP_ENOMEM;
    for (size_t j = 0; j < f->ncols; j++) {
        lp_column *c = lp_column_take(f->cols[j], idx, n);
        int rc = c ? lp_frame_push(r, f->names[j], c) : LP_ENOMEM;
        if (rc) {
            lp_frame_unref(r);
            return rc;
        }
    }
    r->rows = n;
    *out = r;
    return 0;
}

LP_API int lp_frame_take(lp_frame **out, const lp_frame *f, const size_t *rows, size_t n)
{
    *out = NULL;
    if (!f || (!rows && n))
        return lp_error_set(LP_EINVAL, "take: frame and row indices are required");
    for (size_t i = 0; i < n; i++)
        if (rows[i] >= f->rows)
            return lp_error_set(LP_EINVAL,
                                "take: row index %zu is out of range (frame has %zu rows)", rows[i],
                                f->rows);
    return frame_take_idx(out, f, rows, n);
}

LP_API int lp_frame_filter(lp_frame **out, const lp_frame *f, const uint8_t *keep)
{
    *out = NULL;
    if (!f || (!keep && f->rows))
        return lp_error_set(LP_EINVAL, "filter: frame and mask are required");
    size_t n = 0;
    for (size_t i = 0; i < f->rows; i++)
        n += keep[i] != 0;
    size_t *idx = malloc((n ? n : 1) * sizeof *idx);
    if (!idx) return lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t i = 0, k = 0; i < f->rows; i++)
        if (keep[i]) idx[k++] = i;
    int rc = frame_take_idx(out, f, idx, n);
    free(idx);
    return rc;
}

/* ---- stable merge sort ----------------------------------------------------- */

typedef struct {
    double k;
    size_t i;
} key_f64;
typedef struct {
    int64_t k;
    size_t i;
} key_i64;

/* Bottom-up stable merge sort of a[0..n) using tmp[0..n); LESS(ctx, x, y) is a
 * strict order. Runs of 32 are insertion-sorted first. The sorted result ends
 * up in a. Stability: an element of the right run goes first only when it is
 * strictly less. */
#define DEFINE_MERGESORT(NAME, T, LESS)                                                            \
    static void NAME(T *a, T *tmp, size_t n, const void *ctx)                                      \
    {                                                                                              \
        (void)ctx;                                                                                 \
        const size_t run = 32;                                                                     \
        for (size_t lo = 0; lo < n; lo += run) {                                                   \
            size_t hi = lo + run < n ? lo + run : n;                                               \
            for (size_t i = lo + 1; i < hi; i++) {                                                 \
                T x = a[i];                                                                        \
                size_t j = i;                                                                      \
                while (j > lo && LESS(ctx, x, a[j - 1])) {                                         \
                    a[j] = a[j - 1];                                                               \
                    j--;                                                                           \
                }                                                                                  \
                a[j] = x;                                                                          \
            }                                                                                      \
        }                                                                                          \
        T *src = a, *dst = tmp;                                                                    \
        for (size_t w = run; w < n; w *= 2) {                                                      \
            for (size_t lo = 0; lo < n; lo += 2 * w) {                                             \
                size_t mid = lo + w < n ? lo + w : n;                                              \
                size_t hi = lo + 2 * w < n ? lo + 2 * w : n;                                       \
                size_t i = lo, j = mid, k = lo;                                                    \
                while (i < mid && j < hi)                                                          \
                    dst[k++] = LESS(ctx, src[j], src[i]) ? src[j++] : src[i++];                    \
                while (i < mid)                                                                    \
                    dst[k++] = src[i++];                                                           \
                while (j < hi)                                                                     \
                    dst[k++] = src[j++];                                                           \
            }                                                                                      \
            T *t = src;                                                                            \
            src = dst;                                                                             \
            dst = t;                                                                               \
        }                                                                                          \
        if (src != a) memcpy(a, src, n * sizeof(T));                                               \
    }

#define LT_KEY(ctx, x, y) ((x).k < (y).k)
#define GT_KEY(ctx, x, y) ((x).k > (y).k)
DEFINE_MERGESORT(sort_f64_asc, key_f64, LT_KEY)
DEFINE_MERGESORT(sort_f64_desc, key_f64, GT_KEY)
DEFINE_MERGESORT(sort_i64_asc, key_i64, LT_KEY)
DEFINE_MERGESORT(sort_i64_desc, key_i64, GT_KEY)

/* Byte-wise comparison of string values x and y of the string column ctx. */
static int str_cmp(const lp_column *c, size_t x, size_t y)
{
    const int64_t *o = c->data.str.offsets;
    size_t lx = (size_t)(o[x + 1] - o[x]), ly = (size_t)(o[y + 1] - o[y]);
    size_t m = lx < ly ? lx : ly;
    int r = m ? memcmp(c->data.str.bytes + o[x], c->data.str.bytes + o[y], m) : 0;
    if (r) return r;
    return lx < ly ? -1 : lx > ly;
}
#define STR_LT(ctx, x, y) (str_cmp((const lp_column *)(ctx), (x), (y)) < 0)
#define STR_GT(ctx, x, y) (str_cmp((const lp_column *)(ctx), (x), (y)) > 0)
DEFINE_MERGESORT(sort_str_asc, size_t, STR_LT)
DEFINE_MERGESORT(sort_str_desc, size_t, STR_GT)

/* Sorts the valid (non-NaN) rows by value, appends the rest in row order. */
static int order_f64(size_t *order, const lp_column *c, bool asc)
{
    size_t n = c->length, nv = 0, tail = n;
    key_f64 *keys = malloc((n ? n : 1) * 2 * sizeof *keys);
    if (!keys) return lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        double v = c->data.f64[i];
        if (lp_column_is_valid(c, i) && !isnan(v)) keys[nv++] = (key_f64){v, i};
    }
    (asc ? sort_f64_asc : sort_f64_desc)(keys, keys + n, nv, NULL);
    for (size_t k = 0; k < nv; k++)
        order[k] = keys[k].i;
    tail = nv;
    for (size_t i = 0; i < n; i++)
        if (!lp_column_is_valid(c, i) || isnan(c->data.f64[i])) order[tail++] = i;
    free(keys);
    return 0;
}

/* Integer keys: int64/timestamp values, bool, or category ranks. */
static int order_i64(size_t *order, const lp_column *c, const int64_t *rank, bool asc)
{
    size_t n = c->length, nv = 0;
    key_i64 *keys = malloc((n ? n : 1) * 2 * sizeof *keys);
    if (!keys) return lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        if (!lp_column_is_valid(c, i)) continue;
        int64_t k = c->type == LP_DT_BOOL       ? c->data.b8[i]
                    : c->type == LP_DT_CATEGORY ? rank[c->data.cat.codes[i]]
                                                : c->data.i64[i];
        keys[nv++] = (key_i64){k, i};
    }
    (asc ? sort_i64_asc : sort_i64_desc)(keys, keys + n, nv, NULL);
    for (size_t k = 0; k < nv; k++)
        order[k] = keys[k].i;
    for (size_t i = 0; i < n; i++)
        if (!lp_column_is_valid(c, i)) order[nv++] = i;
    free(keys);
    return 0;
}

static int order_str(size_t *order, const lp_column *c, bool asc)
{
    size_t n = c->length, nv = 0;
    size_t *tmp = malloc((n ? n : 1) * sizeof *tmp);
    if (!tmp) return lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        if (lp_column_is_valid(c, i)) order[nv++] = i;
    (asc ? sort_str_asc : sort_str_desc)(order, tmp, nv, c);
    for (size_t i = 0; i < n; i++)
        if (!lp_column_is_valid(c, i)) order[nv++] = i;
    free(tmp);
    return 0;
}

/* Category: rank the dictionary by bytes once, then sort codes by rank. */
static int order_category(size_t *order, const lp_column *c, bool asc)
{
    const lp_column *d = c->data.cat.dict;
    size_t dn = d->length;
    size_t *dorder = malloc((dn ? dn : 1) * sizeof *dorder);
    int64_t *rank = malloc((dn ? dn : 1) * sizeof *rank);
    int rc = dorder && rank ? order_str(dorder, d, true) : lp_error_set(LP_ENOMEM, "out of memory");
    if (rc == 0) {
        for (size_t k = 0; k < dn; k++)
            rank[dorder[k]] = (int64_t)k;
        rc = order_i64(order, c, rank, asc);
    }
    free(dorder);
    free(rank);
    return rc;
}

LP_API int lp_frame_sort(lp_frame **out, const lp_frame *f, const char *by, bool ascending)
{
    *out = NULL;
    if (!f || !by) return lp_error_set(LP_EINVAL, "sort: frame and column are required");
    long j = lp_frame_find(f, by);
    if (j < 0) return lp_frame_unknown_column(f, by, "sort");
    const lp_column *c = f->cols[j];
    size_t *order = malloc((f->rows ? f->rows : 1) * sizeof *order);
    if (!order) return lp_error_set(LP_ENOMEM, "out of memory");
    int rc;
    switch (c->type) {
    case LP_DT_FLOAT64:
        rc = order_f64(order, c, ascending);
        break;
    case LP_DT_STRING:
        rc = order_str(order, c, ascending);
        break;
    case LP_DT_CATEGORY:
        rc = order_category(order, c, ascending);
        break;
    default:
        rc = order_i64(order, c, NULL, ascending);
        break;
    }
    if (rc == 0) rc = frame_take_idx(out, f, order, f->rows);
    free(order);
    return rc;
}

/* ---- concatenation ------------------------------------------------------------ */

/* Validity of a then b (NULL when both are all valid). */
static int concat_validity(lp_column *r, const lp_column *a, const lp_column *b)
{
    if (!a->validity && !b->validity) return 0;
    size_t n = a->length + b->length;
    r->validity = malloc(lp_bitmap_bytes(n) ? lp_bitmap_bytes(n) : 1);
    if (!r->validity) return lp_error_set(LP_ENOMEM, "out of memory");
    memset(r->validity, 0xff, lp_bitmap_bytes(n));
    if (a->validity) memcpy(r->validity, a->validity, lp_bitmap_bytes(a->length));
    for (size_t i = 0; i < b->length; i++) {
        if (lp_column_is_valid(b, i))
            lp_bit_set(r->validity, a->length + i);
        else
            lp_bit_clear(r->validity, a->length + i);
    }
    r->null_count = a->null_count + b->null_count;
    return 0;
}

static lp_column *concat_fixed(const lp_column *a, const lp_column *b, size_t width)
{
    size_t n = a->length + b->length;
    lp_column *r = lp_column_new(a->type, n);
    if (!r) return NULL;
    /* every fixed-width layout starts at data.f64 */
    memcpy((char *)r->data.f64, a->data.f64, a->length * width);
    memcpy((char *)r->data.f64 + a->length * width, b->data.f64, b->length * width);
    return r;
}

static lp_column *concat_string(const lp_column *a, const lp_column *b)
{
    size_t na = a->length, nb = b->length;
    size_t ba = (size_t)a->data.str.offsets[na], bb = (size_t)b->data.str.offsets[nb];
    lp_column *r = lp_column_new_string(na + nb, ba + bb);
    if (!r) return NULL;
    memcpy(r->data.str.offsets, a->data.str.offsets, na * sizeof(int64_t));
    for (size_t i = 0; i <= nb; i++)
        r->data.str.offsets[na + i] = b->data.str.offsets[i] + (int64_t)ba;
    if (ba) memcpy(r->data.str.bytes, a->data.str.bytes, ba);
    if (bb) memcpy(r->data.str.bytes + ba, b->data.str.bytes, bb);
    return r;
}

/* Categories with different dictionaries: b's codes are remapped into a
 * dictionary made of a's entries followed by b's new ones. */
static lp_column *concat_category(const lp_column *a, const lp_column *b)
{
    const lp_column *da = a->data.cat.dict, *db = b->data.cat.dict;
    lp_column *map = NULL;
    if (da != db) {
        lp_column_builder *mb = lp_column_builder_new(LP_DT_CATEGORY, da->length + db->length);
        for (size_t k = 0; mb && k < da->length + db->length; k++) {
            size_t len;
            const char *s = k < da->length ? lp_column_str(da, k, &len)
                                           : lp_column_str(db, k - da->length, &len);
            if (lp_column_builder_append_str(mb, s ? s : "", len) != 0) {
                lp_column_builder_free(mb);
                mb = NULL;
            }
        }
        if (!mb || !(map = lp_column_builder_finish(mb))) return NULL;
    }
    size_t na = a->length, nb = b->length;
    lp_column *r = lp_column_shell(LP_DT_CATEGORY, na + nb);
    int32_t *codes = r ? malloc((na + nb ? na + nb : 1) * sizeof *codes) : NULL;
    if (!codes) {
        lp_column_unref(r);
        lp_column_unref(map);
        lp_error_set(LP_ENOMEM, "out of memory");
        return NULL;
    }
    r->data.cat.codes = codes;
    memcpy(codes, a->data.cat.codes, na * sizeof *codes);
    if (map) {
        const int32_t *m = map->data.cat.codes + da->length;
        for (size_t i = 0; i < nb; i++)
            codes[na + i] = lp_column_is_valid(b, i) ? m[b->data.cat.codes[i]] : 0;
        r->data.cat.dict = lp_column_ref(map->data.cat.dict);
        lp_column_unref(map);
    } else {
        memcpy(codes + na, b->data.cat.codes, nb * sizeof *codes);
        r->data.cat.dict = lp_column_ref(a->data.cat.dict);
    }
    return r;
}

/* The common type of a column that is `ta` in one frame and `tb` in the other. */
static bool common_type(lp_dtype ta, lp_dtype tb, lp_dtype *t)
{
    if (ta == tb)
        *t = ta;
    else if ((ta == LP_DT_INT64 && tb == LP_DT_FLOAT64) ||
             (ta == LP_DT_FLOAT64 && tb == LP_DT_INT64))
        *t = LP_DT_FLOAT64;
    else if ((ta == LP_DT_STRING || ta == LP_DT_CATEGORY) &&
             (tb == LP_DT_STRING || tb == LP_DT_CATEGORY))
        *t = LP_DT_STRING;
    else
        return false;
    return true;
}

static lp_column *concat_same(const lp_column *a, const lp_column *b)
{
    switch (a->type) {
    case LP_DT_STRING:
        return concat_string(a, b);
    case LP_DT_CATEGORY:
        return concat_category(a, b);
    case LP_DT_BOOL:
        return concat_fixed(a, b, 1);
    default:
        return concat_fixed(a, b, 8);
    }
}

int lp_column_concat(lp_column **out, const lp_column *a, const lp_column *b, const char *name)
{
    *out = NULL;
    /* an empty column has no value that could conflict: the other side's type
     * wins (a header-only CSV reads as strings, as in pandas) */
    lp_dtype t = a->length == 0 ? b->type : a->type;
    if (a->length && b->length && !common_type(a->type, b->type, &t))
        return lp_error_set(LP_EINVAL,
                            "concat: column '%s' is %s in the first frame and %s in the "
                            "second; the types cannot be combined",
                            name, lp_dtype_name(a->type), lp_dtype_name(b->type));
    lp_column *ca = NULL, *cb = NULL;
    int rc = lp_column_cast(&ca, a, t);
    if (rc == 0) rc = lp_column_cast(&cb, b, t);
    lp_column *r = NULL;
    if (rc == 0 && !(r = concat_same(ca, cb))) rc = LP_ENOMEM;
    if (rc == 0 && (rc = concat_validity(r, ca, cb)) != 0) {
        lp_column_unref(r);
        r = NULL;
    }
    lp_column_unref(ca);
    lp_column_unref(cb);
    *out = r;
    return rc;
}

LP_API int lp_frame_concat(lp_frame **out, const lp_frame *a, const lp_frame *b)
{
    *out = NULL;
    if (!a || !b) return lp_error_set(LP_EINVAL, "concat: two frames are required");
    /* an empty frame (no columns, no rows) is the identity, for accumulating loops */
    if (a->ncols == 0 && a->rows == 0) {
        *out = lp_frame_ref((lp_frame *)(uintptr_t)b);
        return 0;
    }
    if (b->ncols == 0 && b->rows == 0) {
        *out = lp_frame_ref((lp_frame *)(uintptr_t)a);
        return 0;
    }
    if (a->ncols != b->ncols)
        return lp_error_set(LP_EINVAL, "concat: the frames have %zu and %zu columns", a->ncols,
                            b->ncols);
    for (size_t j = 0; j < a->ncols; j++)
        if (strcmp(a->names[j], b->names[j]) != 0)
            return lp_error_set(LP_EINVAL,
                                "concat: column %zu is named '%s' in the first frame and '%s' in "
                                "the second",
                                j + 1, a->names[j], b->names[j]);
    lp_frame *r = lp_frame_with_capacity(a->rows + b->rows, a->ncols);
    if (!r) return LP_ENOMEM;
    for (size_t j = 0; j < a->ncols; j++) {
        lp_column *c;
        int rc = lp_column_concat(&c, a->cols[j], b->cols[j], a->names[j]);
        if (rc == 0) rc = lp_frame_push(r, a->names[j], c);
        if (rc) {
            lp_frame_unref(r);
            return rc;
        }
    }
    r->rows = a->rows + b->rows;
    *out = r;
    return 0;
}
