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

static uint64_t hash_bytes(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (size_t i = 0; i < n; i++)
        h = (h ^ (uint8_t)s[i]) * 1099511628211ULL;
    h ^= h >> 29; /* mixed: the table indexes by the low bits */
    h *= 0xbf58476d1ce4e5b9ULL;
    return h ^ (h >> 32);
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
    uint64_t *hs = c1 ? realloc(t->hashes, cap * sizeof *hs) : NULL;
    if (hs) t->hashes = hs;
    size_t *ls = hs ? realloc(t->lens, cap * sizeof *ls) : NULL;
    if (ls) t->lens = ls;
    size_t *slots = ls ? calloc(ns, sizeof *slots) : NULL;
    if (!slots) return lp_error_set(LP_ENOMEM, "out of memory counting values");
    for (size_t e = 0; e < t->n; e++) {
        size_t s = t->hashes[e] & (ns - 1);
        while (slots[s])
            s = (s + 1) & (ns - 1);
        slots[s] = e + 1;
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
    uint64_t h = hash_bytes(s, len);
    size_t mask = t->nslots - 1, slot = h & mask;
    for (; t->slots[slot]; slot = (slot + 1) & mask) {
        size_t e = t->slots[slot] - 1; /* the stored hash and length spare most memcmps */
        if (t->hashes[e] == h && t->lens[e] == len && memcmp(t->keys[e], s, len) == 0)
            return (long)e;
    }
    char *copy = lp_strndup(s, len);
    if (!copy) return -1;
    t->keys[t->n] = copy;
    t->hashes[t->n] = h;
    t->lens[t->n] = len;
    t->count[0][t->n] = t->count[1][t->n] = 0;
    t->slots[slot] = ++t->n;
    return (long)t->n - 1;
}

int lp_prof_counts_add(lp_prof_counts *t, int side, const lp_column *c)
{
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
    for (size_t i = 0; i < t->n; i++)
        free(t->keys[i]);
    free(t->keys);
    free(t->count[0]);
    free(t->count[1]);
    free(t->slots);
    free(t->hashes);
    free(t->lens);
    memset(t, 0, sizeof *t);
}

size_t *lp_prof_counts_order(const lp_prof_counts *t, int side, size_t want, size_t *have)
{
    /* insertion into a short sorted list: the report shows a few, the table may hold
     * a value per row (no sort of every key) */
    size_t *idx = malloc((want ? want : 1) * sizeof *idx), k = 0;
    if (!idx) {
        lp_error_set(LP_ENOMEM, "out of memory");
        return NULL;
    }
    const double *cnt = t->count[side];
    for (size_t i = 0; i < t->n && want > 0; i++) {
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
