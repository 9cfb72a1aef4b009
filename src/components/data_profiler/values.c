/*
 * values.c — a column's values for the statistics (sorted numbers are in
 * sorted.c): the cell text, and the counts of distinct values as text (one table for both sides of
 * a comparison, so the two count vectors line up by category).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "components/data_profiler/profiler.h"

bool lp_prof_is_numeric(lp_dtype t)
{
    return t == LP_DT_FLOAT64 || t == LP_DT_INT64 || t == LP_DT_TIMESTAMP;
}

bool lp_prof_cell_missing(const lp_column *c, size_t i)
{
    if (!lp_column_is_valid(c, i)) return true;
    switch (c->type) {
    case LP_DT_STRING:
    case LP_DT_CATEGORY: {
        size_t len = 0;
        return lp_column_str(c, i, &len) == NULL;
    }
    case LP_DT_BOOL:
    case LP_DT_INT64:
    case LP_DT_TIMESTAMP:
        return false;
    default:
        return isnan(lp_column_get_f64(c, i));
    }
}

const char *lp_prof_cell_text(const lp_column *c, size_t i, char *buf, size_t cap, size_t *len)
{
    if (!lp_column_is_valid(c, i)) return NULL;
    const char *s = buf;
    switch (c->type) {
    case LP_DT_STRING:
    case LP_DT_CATEGORY:
        return lp_column_str(c, i, len);
    case LP_DT_BOOL:
        s = c->data.b8[i] ? "True" : "False";
        *len = strlen(s);
        return s;
    case LP_DT_INT64:
    case LP_DT_TIMESTAMP:
        *len = (size_t)snprintf(buf, cap, "%lld", (long long)c->data.i64[i]);
        return buf;
    default: {
        double x = lp_column_get_f64(c, i);
        if (isnan(x)) return NULL;
        *len = (size_t)snprintf(buf, cap, "%.17g", x);
        return buf;
    }
    }
}

/* ---- the counts table -------------------------------------------------------------- */

/* A chunk of the keys' arena: keys are copied once into big blocks instead of one
 * malloc (and free) each, which dominated counting columns of mostly distinct text. */
typedef struct arena_chunk {
    struct arena_chunk *next;
    size_t used, cap;
    char bytes[];
} arena_chunk;

#define ARENA_CHUNK (256 * 1024)

/* A NUL-terminated copy of s[0..len) in t's arena, or NULL on OOM. */
static char *arena_copy(lp_prof_counts *t, const char *s, size_t len)
{
    arena_chunk *c = t->arena;
    if (!c || c->cap - c->used < len + 1) {
        size_t cap = len + 1 > ARENA_CHUNK ? len + 1 : ARENA_CHUNK;
        arena_chunk *n = malloc(sizeof *n + cap);
        if (!n) return NULL;
        *n = (arena_chunk){.next = c, .cap = cap};
        t->arena = c = n;
    }
    char *out = c->bytes + c->used;
    memcpy(out, s, len);
    out[len] = '\0';
    c->used += len + 1;
    return out;
}

static int counts_grow(lp_prof_counts *t)
{
    size_t cap = t->cap ? t->cap * 2 : 64, ns = cap * 2;
    char **k = realloc(t->keys, cap * sizeof *k);
    if (k) t->keys = k;
    double *c0 = k ? realloc(t->count[0], cap * sizeof *c0) : NULL;
    if (c0) t->count[0] = c0;
    double *c1 = c0 ? realloc(t->count[1], cap * sizeof *c1) : NULL;
    if (c1) t->count[1] = c1;
    size_t *ls = c1 ? realloc(t->lens, cap * sizeof *ls) : NULL;
    if (ls) t->lens = ls;
    lp_prof_count_slot *slots = ls ? calloc(ns, sizeof *slots) : NULL;
    if (!slots) return lp_error_set(LP_ENOMEM, "out of memory counting values");
    for (size_t s = 0; s < t->nslots; s++) { /* the old slots carry the hashes */
        if (!t->slots[s].entry) continue;
        size_t at = t->slots[s].hash & (ns - 1);
        while (slots[at].entry)
            at = (at + 1) & (ns - 1);
        slots[at] = t->slots[s];
    }
    free(t->slots);
    t->slots = slots;
    t->nslots = ns;
    t->cap = cap;
    return 0;
}

/* The index of key s (added with zero counts when new), or -1 on OOM. */
static long counts_find(lp_prof_counts *t, const char *s, size_t len)
{
    if (t->n + 1 > t->cap && counts_grow(t)) return -1;
    uint64_t h = lp_prof_text_hash(s, len);
    size_t mask = t->nslots - 1, slot = h & mask;
    for (; t->slots[slot].entry; slot = (slot + 1) & mask) {
        if (t->slots[slot].hash != h) continue; /* the stored hash spares most memcmps */
        size_t e = t->slots[slot].entry - 1;
        if (t->lens[e] == len && memcmp(t->keys[e], s, len) == 0) return (long)e;
    }
    char *copy = arena_copy(t, s, len);
    if (!copy) return -1;
    t->keys[t->n] = copy;
    t->lens[t->n] = len;
    t->count[0][t->n] = t->count[1][t->n] = 0;
    t->slots[slot] = (lp_prof_count_slot){h, ++t->n};
    return (long)t->n - 1;
}

/* A category column: counts per dictionary code first, then one lookup per code
 * in the order the codes are first seen (the order the text path gives). */
static int counts_add_category(lp_prof_counts *t, int side, const lp_column *c)
{
    const lp_column *dict = c->data.cat.dict;
    size_t nd = dict ? dict->length : 0;
    size_t *cnt = calloc(nd ? nd : 1, sizeof *cnt);
    uint32_t *seen = malloc((nd ? nd : 1) * sizeof *seen);
    size_t nseen = 0;
    int rc = cnt && seen ? 0 : lp_error_set(LP_ENOMEM, "out of memory counting values");
    for (size_t i = 0; rc == 0 && i < c->length; i++) {
        if (!lp_column_is_valid(c, i)) continue;
        int32_t k = c->data.cat.codes[i];
        if (k < 0 || (size_t)k >= nd)
            rc = lp_error_set(LP_EINVAL, "category code %d outside its dictionary (%zu)", k, nd);
        else if (cnt[k]++ == 0)
            seen[nseen++] = (uint32_t)k;
    }
    for (size_t s = 0; rc == 0 && s < nseen; s++) {
        size_t len = 0;
        const char *text = lp_column_str(dict, seen[s], &len);
        long e = counts_find(t, text ? text : "", text ? len : 0);
        if (e < 0)
            rc = lp_error_set(LP_ENOMEM, "out of memory counting values");
        else
            t->count[side][e] += (double)cnt[seen[s]];
    }
    free(cnt);
    free(seen);
    return rc;
}

int lp_prof_counts_add(lp_prof_counts *t, int side, const lp_column *c)
{
    if (c->type == LP_DT_CATEGORY) return counts_add_category(t, side, c);
    char buf[64];
    for (size_t i = 0; i < c->length; i++) {
        size_t len = 0;
        const char *s = lp_prof_cell_text(c, i, buf, sizeof buf, &len);
        if (!s) continue;
        long k = counts_find(t, s, len);
        if (k < 0) return lp_error_set(LP_ENOMEM, "out of memory counting values");
        t->count[side][k] += 1;
    }
    return 0;
}

void lp_prof_counts_free(lp_prof_counts *t)
{
    for (arena_chunk *c = t->arena, *next; c; c = next) {
        next = c->next;
        free(c);
    }
    free(t->keys);
    free(t->count[0]);
    free(t->count[1]);
    free(t->slots);
    free(t->lens);
    memset(t, 0, sizeof *t);
}

size_t *lp_prof_top_order(const double *cnt, size_t n, size_t want, size_t *have)
{
    /* insertion into a short sorted list: the report shows a few, the table may hold
     * a value per row (no sort of every key) */
    size_t *idx = malloc((want ? want : 1) * sizeof *idx), k = 0;
    if (!idx) {
        lp_error_set(LP_ENOMEM, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < n && want > 0; i++) {
        if (k == want && cnt[i] <= cnt[idx[k - 1]]) continue;
        size_t at = k < want ? k++ : want - 1;
        while (at > 0 && cnt[idx[at - 1]] < cnt[i]) {
            idx[at] = idx[at - 1];
            at--;
        }
        idx[at] = i;
    }
    *have = k;
    return idx;
}

size_t *lp_prof_counts_order(const lp_prof_counts *t, int side, size_t want, size_t *have)
{
    return lp_prof_top_order(t->count[side], t->n, want, have);
}
