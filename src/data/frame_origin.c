/*
 * frame_origin.c — frames remembered as rows of another frame (see
 * frame_origin.h).
 */
#include "data/frame_origin.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "data/frame_internal.h"

struct lp_frame_origin {
    _Atomic int refs;
    lp_frame *parent;
    uint8_t *bytes; /* n little-endian uint32 row indices */
    size_t n;
    /* the row list's object name: 0 unknown, 1 being written, 2 known */
    _Atomic int hex_state;
    char hex[65];
};

static void put_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

lp_frame_origin *lp_frame_origin_new(lp_frame *parent, const size_t *rows, size_t n)
{
    if (!parent || (n && !rows) || lp_frame_rows(parent) > UINT32_MAX) {
        lp_error_set(LP_EINVAL, "frame origin: a parent of at most 2^32-1 rows is required");
        return NULL;
    }
    lp_frame_origin *o = calloc(1, sizeof *o);
    uint8_t *bytes = malloc(n ? n * 4 : 1);
    if (!o || !bytes) {
        free(o);
        free(bytes);
        lp_error_set(LP_ENOMEM, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        if (rows[i] >= lp_frame_rows(parent)) {
            free(o);
            free(bytes);
            lp_error_set(LP_EINVAL, "frame origin: row %zu is out of range", rows[i]);
            return NULL;
        }
        put_u32(bytes + 4 * i, (uint32_t)rows[i]);
    }
    atomic_init(&o->refs, 1);
    atomic_init(&o->hex_state, 0);
    o->parent = lp_frame_ref(parent);
    o->bytes = bytes;
    o->n = n;
    return o;
}

void lp_frame_origin_unref(lp_frame_origin *o)
{
    if (!o || atomic_fetch_sub(&o->refs, 1) != 1) return;
    lp_frame_unref(o->parent);
    free(o->bytes);
    free(o);
}

/* Whether every column of src is the column parent holds under its name. */
static bool same_columns(const lp_frame *src, const lp_frame *parent)
{
    for (size_t j = 0; j < src->ncols; j++) {
        long k = lp_frame_find(parent, src->names[j]);
        if (k < 0 || parent->cols[k] != src->cols[j]) return false;
    }
    return true;
}

bool lp_frame_origin_set(lp_frame *view, const lp_frame *src, lp_frame_origin *o)
{
    if (!view || !src || !o || view->origin || view->rows != o->n ||
        __atomic_load_n(&view->refs, __ATOMIC_RELAXED) != 1 || !same_columns(src, o->parent))
        return false;
    atomic_fetch_add(&o->refs, 1);
    view->origin = o;
    return true;
}

const lp_frame_origin *lp_frame_origin_of(const lp_frame *f)
{
    return f ? f->origin : NULL;
}

void lp_frame_origin_clear(lp_frame *f)
{
    lp_frame_origin_unref(f->origin);
    f->origin = NULL;
}

const lp_frame *lp_frame_origin_parent(const lp_frame_origin *o)
{
    return o->parent;
}

const uint8_t *lp_frame_origin_bytes(const lp_frame_origin *o, size_t *len)
{
    *len = o->n * 4;
    return o->bytes;
}

bool lp_frame_origin_recall(const lp_frame_origin *o, char hex[65])
{
    if (atomic_load_explicit(&o->hex_state, memory_order_acquire) != 2) return false;
    memcpy(hex, o->hex, 65);
    return true;
}

/* The name is no part of the origin's value, hence the cast. */
void lp_frame_origin_remember(const lp_frame_origin *o, const char *hex)
{
    if (!hex || strlen(hex) != 64) return;
    lp_frame_origin *m = (lp_frame_origin *)(uintptr_t)o;
    int unknown = 0;
    if (!atomic_compare_exchange_strong(&m->hex_state, &unknown, 1)) return;
    memcpy(m->hex, hex, 65);
    atomic_store_explicit(&m->hex_state, 2, memory_order_release);
}

int lp_frame_origin_rebuild(lp_frame **out, lp_frame *parent, const char *const *names,
                            size_t ncols, const uint8_t *bytes, size_t len)
{
    *out = NULL;
    if (len % 4) return lp_error_set(LP_EINVAL, "a row list of %zu bytes is not uint32s", len);
    size_t n = len / 4;
    size_t *rows = malloc((n ? n : 1) * sizeof *rows);
    if (!rows) return lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        rows[i] = get_u32(bytes + 4 * i); /* lp_frame_take checks the range */
    lp_frame *cols = NULL, *f = NULL;
    int rc = lp_frame_select(&cols, parent, names, ncols);
    if (rc == 0) rc = lp_frame_take(&f, cols, rows, n);
    lp_frame_origin *o = rc == 0 ? lp_frame_origin_new(parent, rows, n) : NULL;
    if (o) lp_frame_origin_set(f, cols, o);
    lp_frame_origin_unref(o); /* f keeps its own reference; a missing origin only costs space */
    lp_frame_unref(cols);
    free(rows);
    if (rc == 0) *out = f;
    return rc;
}
