/*
 * frame_join.c — hash join of two frames on one key column (inner or left).
 *
 * Every key value of the right frame gets a dense id; right rows are grouped
 * by id with a counting sort (so within a key they keep their order); each
 * left row looks its key up and emits one output row per right match. Missing
 * keys and float NaN keys never match.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "data/frame_internal.h"

#define NO_ID UINT32_MAX

/* ---- 64-bit key → id map ---------------------------------------------------- */

typedef struct {
    uint64_t *keys;
    uint32_t *ids; /* id + 1, 0 = empty */
    size_t cap;
} u64map;

static int u64map_init(u64map *m, size_t expected)
{
    m->cap = 16;
    while (m->cap < expected * 2)
        m->cap <<= 1;
    m->keys = malloc(m->cap * sizeof *m->keys);
    m->ids = calloc(m->cap, sizeof *m->ids);
    if (!m->keys || !m->ids) return lp_error_set(LP_ENOMEM, "out of memory");
    return 0;
}

static void u64map_free(u64map *m)
{
    free(m->keys);
    free(m->ids);
}

/* Slot of key k: either holding k or the empty slot where it belongs. */
static size_t u64map_slot(const u64map *m, uint64_t k)
{
    size_t mask = m->cap - 1;
    size_t p = lp_mix64(k) & mask;
    while (m->ids[p] && m->keys[p] != k)
        p = (p + 1) & mask;
    return p;
}

/* The 64-bit key of row i, or false when it never matches (missing, NaN). */
static bool key_bits(const lp_column *c, size_t i, uint64_t *k)
{
    if (!lp_column_is_valid(c, i)) return false;
    switch (c->type) {
    case LP_DT_FLOAT64: {
        double x = c->data.f64[i];
        if (isnan(x)) return false;
        if (x == 0) x = 0.0; /* -0.0 == 0.0 */
        memcpy(k, &x, 8);
        return true;
    }
    case LP_DT_BOOL:
        *k = c->data.b8[i];
        return true;
    default:
        *k = (uint64_t)c->data.i64[i];
        return true;
    }
}

/* Dense ids of the right key values (rid) and of the left ones (lid, NO_ID
 * when absent on the right), for fixed-width keys. Returns the id count. */
static int ids_fixed(const lp_column *lk, const lp_column *rk, uint32_t *lid, uint32_t *rid,
                     size_t *nids)
{
    u64map m;
    int rc = u64map_init(&m, rk->length);
    uint32_t next = 0;
    for (size_t i = 0; rc == 0 && i < rk->length; i++) {
        uint64_t k;
        if (!key_bits(rk, i, &k)) {
            rid[i] = NO_ID;
            continue;
        }
        size_t p = u64map_slot(&m, k);
        if (!m.ids[p]) {
            m.keys[p] = k;
            m.ids[p] = ++next;
        }
        rid[i] = m.ids[p] - 1;
    }
    for (size_t i = 0; rc == 0 && i < lk->length; i++) {
        uint64_t k;
        size_t p;
        lid[i] = key_bits(lk, i, &k) && m.ids[p = u64map_slot(&m, k)] ? m.ids[p] - 1 : NO_ID;
    }
    u64map_free(&m);
    *nids = next;
    return rc;
}

/* String-like keys: the right key as a category gives the ids (its codes);
 * its dictionary is looked up by the left values. */
static int ids_strings(const lp_column *lk, const lp_column *rk, uint32_t *lid, uint32_t *rid,
                       size_t *nids)
{
    lp_column *rc_cat = NULL;
    int rc = lp_column_cast(&rc_cat, rk, LP_DT_CATEGORY);
    if (rc) return rc;
    const lp_column *d = rc_cat->data.cat.dict;
    const int64_t *o = d->data.str.offsets;
    lp_strmap m;
    rc = lp_strmap_init(&m, d->length);
    for (size_t k = 0; rc == 0 && k < d->length; k++)
        rc = lp_strmap_add(&m, o, d->data.str.bytes,
                           lp_bytes_hash(d->data.str.bytes + o[k], (size_t)(o[k + 1] - o[k])));
    for (size_t i = 0; rc == 0 && i < rk->length; i++)
        rid[i] = lp_column_is_valid(rc_cat, i) ? (uint32_t)rc_cat->data.cat.codes[i] : NO_ID;
    uint32_t *ldict = NULL; /* left category: its dictionary entries mapped once */
    if (rc == 0 && lk->type == LP_DT_CATEGORY) {
        const lp_column *ld = lk->data.cat.dict;
        ldict = malloc((ld->length ? ld->length : 1) * sizeof *ldict);
        if (!ldict) rc = lp_error_set(LP_ENOMEM, "out of memory");
        for (size_t k = 0; ldict && k < ld->length; k++) {
            size_t len;
            const char *s = lp_column_str(ld, k, &len);
            long id = lp_strmap_find(&m, o, d->data.str.bytes, s, len, lp_bytes_hash(s, len));
            ldict[k] = id < 0 ? NO_ID : (uint32_t)id;
        }
    }
    for (size_t i = 0; rc == 0 && i < lk->length; i++) {
        if (!lp_column_is_valid(lk, i)) {
            lid[i] = NO_ID;
        } else if (ldict) {
            lid[i] = ldict[lk->data.cat.codes[i]];
        } else {
            size_t len;
            const char *s = lp_column_str(lk, i, &len);
            long id = lp_strmap_find(&m, o, d->data.str.bytes, s, len, lp_bytes_hash(s, len));
            lid[i] = id < 0 ? NO_ID : (uint32_t)id;
        }
    }
    *nids = d->length;
    free(ldict);
    lp_strmap_free(&m);
    lp_column_unref(rc_cat);
    return rc;
}

static bool stringish(lp_dtype t)
{
    return t == LP_DT_STRING || t == LP_DT_CATEGORY;
}

/* Output row pairs: lidx[k] left row, ridx[k] right row or LP_ROW_NONE. */
typedef struct {
    size_t *lidx, *ridx, n;
} pairs;

static int match_rows(pairs *p, const uint32_t *lid, size_t nl, const uint32_t *rid, size_t nr,
                      size_t nids, lp_join_kind kind)
{
    size_t *start = calloc(nids + 1, sizeof *start);
    size_t *byid = malloc((nr ? nr : 1) * sizeof *byid);
    if (!start || !byid) {
        free(start);
        free(byid);
        return lp_error_set(LP_ENOMEM, "out of memory");
    }
    for (size_t r = 0; r < nr; r++) /* counting sort of right rows by id, stable */
        if (rid[r] != NO_ID) start[rid[r] + 1]++;
    for (size_t k = 0; k < nids; k++)
        start[k + 1] += start[k];
    for (size_t r = 0; r < nr; r++)
        if (rid[r] != NO_ID) byid[start[rid[r]]++] = r;
    for (size_t k = nids; k > 0; k--) /* the fill advanced each start to the next one's */
        start[k] = start[k - 1];
    start[0] = 0;
    size_t total = 0;
    for (size_t l = 0; l < nl; l++) {
        size_t m = lid[l] == NO_ID ? 0 : start[lid[l] + 1] - start[lid[l]];
        total += m ? m : kind == LP_JOIN_LEFT;
    }
    p->n = total;
    p->lidx = malloc((total ? total : 1) * sizeof *p->lidx);
    p->ridx = malloc((total ? total : 1) * sizeof *p->ridx);
    if (!p->lidx || !p->ridx) {
        free(start);
        free(byid);
        return lp_error_set(LP_ENOMEM, "out of memory");
    }
    size_t k = 0;
    for (size_t l = 0; l < nl; l++) {
        size_t b = 0, e = 0;
        if (lid[l] != NO_ID) b = start[lid[l]], e = start[lid[l] + 1];
        if (b == e && kind == LP_JOIN_LEFT) p->lidx[k] = l, p->ridx[k++] = LP_ROW_NONE;
        for (size_t q = b; q < e; q++)
            p->lidx[k] = l, p->ridx[k++] = byid[q];
    }
    free(start);
    free(byid);
    return 0;
}

/* Name of a right column in the output: suffixed "_right" while it clashes. */
static char *right_name(const lp_frame *out, const char *name)
{
    char *n = lp_strdup(name);
    while (n && lp_frame_find(out, n) >= 0) {
        char *m = lp_asprintf("%s_right", n);
        free(n);
        n = m;
    }
    return n;
}

static int build_output(lp_frame **out, const lp_frame *left, const lp_frame *right, long rkey,
                        const pairs *p)
{
    lp_frame *r = lp_frame_with_capacity(p->n, left->ncols + right->ncols);
    if (!r) return LP_ENOMEM;
    int rc = 0;
    for (size_t j = 0; rc == 0 && j < left->ncols; j++) {
        lp_column *c = lp_column_take(left->cols[j], p->lidx, p->n);
        rc = c ? lp_frame_push(r, left->names[j], c) : LP_ENOMEM;
    }
    for (size_t j = 0; rc == 0 && j < right->ncols; j++) {
        if ((long)j == rkey) continue;
        char *name = right_name(r, right->names[j]);
        lp_column *c = name ? lp_column_take_opt(right->cols[j], p->ridx, p->n) : NULL;
        rc = c ? lp_frame_push(r, name, c) : LP_ENOMEM;
        free(name);
    }
    if (rc) {
        lp_frame_unref(r);
        return rc;
    }
    r->rows = p->n;
    *out = r;
    return 0;
}

/* Dense ids of the key values of lk's and rk's rows (equal values share an
 * id): *lid and *rid malloc'ed, the caller frees both, also on failure;
 * *nids the number of distinct values. 0 or LP_ENOMEM. */
static int key_ids(uint32_t **lid, uint32_t **rid, size_t *nids, const lp_column *lk,
                   const lp_column *rk)
{
    *lid = malloc((lk->length ? lk->length : 1) * sizeof **lid);
    *rid = malloc((rk->length ? rk->length : 1) * sizeof **rid);
    *nids = 0;
    if (!*lid || !*rid) return lp_error_set(LP_ENOMEM, "out of memory");
    return stringish(lk->type) ? ids_strings(lk, rk, *lid, *rid, nids)
                               : ids_fixed(lk, rk, *lid, *rid, nids);
}

LP_API int lp_frame_join(lp_frame **out, const lp_frame *left, const lp_frame *right,
                         const char *key, lp_join_kind kind)
{
    *out = NULL;
    if (!left || !right || !key)
        return lp_error_set(LP_EINVAL, "join: two frames and a key column are required");
    if (kind != LP_JOIN_INNER && kind != LP_JOIN_LEFT)
        return lp_error_set(LP_EINVAL, "join: unknown join kind %d", (int)kind);
    long lj = lp_frame_find(left, key), rj = lp_frame_find(right, key);
    if (lj < 0) return lp_frame_unknown_column(left, key, "the left frame of a join");
    if (rj < 0) return lp_frame_unknown_column(right, key, "the right frame of a join");
    const lp_column *lk = left->cols[lj], *rk = right->cols[rj];
    if (lk->type != rk->type && !(stringish(lk->type) && stringish(rk->type)))
        return lp_error_set(LP_EINVAL,
                            "join: key column '%s' is %s on the left and %s on the right", key,
                            lp_dtype_name(lk->type), lp_dtype_name(rk->type));
    if (rk->length >= NO_ID)
        return lp_error_set(LP_EINVAL, "join: the right frame has too many rows (%zu)", rk->length);
    uint32_t *lid, *rid;
    size_t nids;
    int rc = key_ids(&lid, &rid, &nids, lk, rk);
    pairs p = {0};
    if (rc == 0) rc = match_rows(&p, lid, lk->length, rid, rk->length, nids, kind);
    free(lid);
    free(rid);
    if (rc == 0) rc = build_output(out, left, right, rj, &p);
    free(p.lidx);
    free(p.ridx);
    return rc;
}

/* Row i's key as text for a message (into buf, cap >= 64). */
static const char *key_text(const lp_column *c, size_t i, char *buf, size_t cap)
{
    size_t len;
    const char *str;
    switch (c->type) {
    case LP_DT_INT64:
        snprintf(buf, cap, "%lld", (long long)c->data.i64[i]);
        break;
    case LP_DT_FLOAT64:
        snprintf(buf, cap, "%.17g", c->data.f64[i]);
        break;
    case LP_DT_BOOL:
        snprintf(buf, cap, "%s", c->data.b8[i] ? "true" : "false");
        break;
    case LP_DT_TIMESTAMP:
        lp_format_timestamp(c->data.i64[i], buf, cap);
        break;
    default:
        str = lp_column_str(c, i, &len);
        snprintf(buf, cap, "'%.*s'", (int)(len > 40 ? 40 : len), str ? str : "");
        break;
    }
    return buf;
}

LP_API int lp_frame_key_unique(const lp_frame *f, const char *key, const char *what)
{
    long j = f && key ? lp_frame_find(f, key) : -1;
    if (j < 0) return lp_frame_unknown_column(f, key ? key : "(null)", what);
    const lp_column *c = f->cols[j];
    if (c->length >= NO_ID) return lp_error_set(LP_EINVAL, "%s has too many rows", what);
    uint32_t *unused, *ids;
    size_t nids;
    int rc = key_ids(&unused, &ids, &nids, c, c);
    size_t *first = rc == 0 ? malloc((nids ? nids : 1) * sizeof *first) : NULL;
    if (rc == 0 && !first) rc = lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t k = 0; first && k < nids; k++)
        first[k] = SIZE_MAX;
    for (size_t i = 0; rc == 0 && i < c->length; i++) {
        if (ids[i] == NO_ID) continue;
        if (first[ids[i]] == SIZE_MAX) {
            first[ids[i]] = i;
            continue;
        }
        char text[64];
        rc = lp_error_set(LP_EINVAL,
                          "column '%s' of %s must identify rows, but rows %zu and %zu both hold "
                          "%s (duplicates would pair rows many-to-many)",
                          key, what, first[ids[i]] + 1, i + 1, key_text(c, i, text, sizeof text));
    }
    free(first);
    free(ids);
    free(unused);
    return rc;
}
