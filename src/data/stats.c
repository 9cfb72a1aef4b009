/*
 * stats.c — per-column statistics: the numbers of pandas'
 * describe(include="all") plus missing and distinct counts.
 *
 * Numeric columns (float64, int64) are radix-sorted once: the sorted copy
 * gives distinct values and numpy's linearly interpolated quantiles in O(n).
 * Valid NaN floats are left out as pandas leaves them out. Other columns count
 * values in a hash table: top is the most frequent value, ties going to the
 * value seen first (pandas' value_counts order). Bool tops read "True" /
 * "False" as pandas prints them; timestamp tops are ISO 8601 (date only when
 * every value is midnight), and for timestamps min/max hold the earliest and
 * latest value in microseconds since the epoch (pandas' first/last).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "data/bits.h"
#include "data/csv_internal.h"
#include "data/frame_internal.h"
#include "data/radix.h"

/* numpy's default (linear) quantile of sorted values. */
static double quantile(const double *v, size_t n, double q)
{
    double h = (double)(n - 1) * q;
    size_t lo = (size_t)floor(h);
    if (lo + 1 >= n) return v[n - 1];
    double t = h - (double)lo, a = v[lo], b = v[lo + 1], d = b - a;
    return t >= 0.5 ? b - d * (1 - t) : a + d * t; /* numpy's _lerp */
}

static int numeric_stats(lp_column_stats *s, const lp_column *col)
{
    size_t n = col->length, m = 0;
    uint64_t *keys = lp_mem_alloc_big((n ? n : 1) * sizeof *keys);
    lp_radix_hist *hist = calloc(1, sizeof *hist);
    if (!keys || !hist) {
        free(keys);
        free(hist);
        return lp_error_set(LP_ENOMEM, "out of memory");
    }
    long double sum = 0;
    for (size_t i = 0; i < n; i++) {
        if (!lp_column_is_valid(col, i)) continue;
        double v = col->type == LP_DT_INT64 ? (double)col->data.i64[i] : col->data.f64[i];
        if (isnan(v)) continue;
        sum += v;
        uint64_t k = col->type == LP_DT_INT64 ? (uint64_t)col->data.i64[i] ^ (1ULL << 63)
                                              : lp_f64_sortkey(v);
        keys[m++] = k;
        lp_radix_hist_add(hist, k);
    }
    s->count = m;
    int rc = m == 0 ? 0 : lp_radix_sort(keys, m, hist);
    free(hist);
    if (m == 0 || rc != 0) {
        free(keys);
        return rc;
    }
    s->mean = (double)(sum / (long double)m);
    double *v = (double *)keys; /* convert in place: same size */
    uint64_t prev = ~keys[0];
    long double ss = 0; /* squared deviations, summed in sorted order */
    for (size_t i = 0; i < m; i++) {
        uint64_t k = keys[i]; /* read before v[i] overwrites it */
        s->distinct += k != prev;
        prev = k;
        v[i] = col->type == LP_DT_INT64 ? (double)(int64_t)(k ^ (1ULL << 63)) : lp_sortkey_f64(k);
        long double d = (long double)v[i] - (long double)s->mean;
        ss += d * d;
    }
    if (m > 1) s->std = sqrt((double)(ss / (long double)(m - 1)));
    s->min = v[0];
    s->max = v[m - 1];
    s->q25 = quantile(v, m, 0.25);
    s->q50 = quantile(v, m, 0.5);
    s->q75 = quantile(v, m, 0.75);
    free(keys);
    return 0;
}

/* ---- value counts for non-numeric columns ----------------------------------- */

typedef struct slot { /* 16 bytes: the tables of big columns are what stats cost */
    uint64_t hash;
    uint32_t first; /* first row of the value + 1 (0 = empty slot) */
    uint32_t count;
} slot;

typedef struct counter {
    slot *slots;
    size_t cap, used; /* cap: a power of two, kept at most half full */
} counter;

/* A string value's hash for the counter (only slot positions depend on it):
 * eight bytes at a time; the last partial word is read whole and masked when
 * `room` (the column's bytes from s on) allows, which most short values do. */
static inline uint64_t text_hash(const char *s, size_t len, size_t room)
{
    uint64_t h = 0xcbf29ce484222325ULL ^ len, w;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        memcpy(&w, s + i, 8);
        h = (h ^ w) * 0x100000001b3ULL;
        h ^= h >> 29;
    }
    if (i < len) {
        w = 0;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        if (room - i >= 8) {
            memcpy(&w, s + i, 8);
            w &= ~0ULL >> (8 * (8 - (len - i)));
        } else
#endif
            memcpy(&w, s + i, len - i);
        h = (h ^ w) * 0x100000001b3ULL;
    }
    (void)room;
    return lp_mix64(h);
}

static inline uint64_t row_hash(const lp_column *col, size_t i)
{
    if (col->type == LP_DT_STRING) {
        const int64_t *o = col->data.str.offsets;
        return text_hash(col->data.str.bytes + o[i], (size_t)(o[i + 1] - o[i]),
                         (size_t)(o[col->length] - o[i]));
    }
    return lp_mix64((uint64_t)col->data.i64[i]);
}

static bool row_eq(const lp_column *col, size_t a, size_t b)
{
    if (col->type == LP_DT_STRING) {
        const int64_t *o = col->data.str.offsets;
        int64_t la = o[a + 1] - o[a], lb = o[b + 1] - o[b];
        return la == lb &&
               memcmp(col->data.str.bytes + o[a], col->data.str.bytes + o[b], (size_t)la) == 0;
    }
    return col->data.i64[a] == col->data.i64[b];
}

static inline __attribute__((always_inline)) slot *
find_slot(slot *slots, size_t cap, const lp_column *col, size_t i, uint64_t h)
{
    size_t k = (size_t)h & (cap - 1);
    while (slots[k].first && (slots[k].hash != h || (col && !row_eq(col, slots[k].first - 1, i))))
        k = (k + 1) & (cap - 1);
    return &slots[k];
}

/* Doubles the table (the table starts small: most columns have few values). */
static int grow(counter *c)
{
    size_t ncap = c->cap ? c->cap * 2 : 256;
    slot *ns = lp_mem_calloc_big(ncap, sizeof *ns);
    if (!ns) return lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t k = 0; k < c->cap; k++)
        if (c->slots[k].first) *find_slot(ns, ncap, NULL, 0, c->slots[k].hash) = c->slots[k];
    free(c->slots);
    c->slots = ns;
    c->cap = ncap;
    return 0;
}

/* Counts values of a string or timestamp column by hashing. */
static int count_values(counter *c, const lp_column *col)
{
    if (col->length >= UINT32_MAX)
        return lp_error_set(LP_EINVAL, "value counts of over 4 billion rows are not supported");
    if (grow(c)) return LP_ENOMEM;
    enum { AHEAD = 8 };
    uint64_t ring[AHEAD];
    for (size_t i = 0; i < AHEAD && i < col->length; i++)
        ring[i] = lp_column_is_valid(col, i) ? row_hash(col, i) : 0;
    for (size_t i = 0; i < col->length; i++) {
        uint64_t h = ring[i % AHEAD];
        size_t ahead = i + AHEAD;
        if (ahead < col->length) { /* hash ahead and prefetch: the table is mostly cache misses */
            uint64_t ha = lp_column_is_valid(col, ahead) ? row_hash(col, ahead) : 0;
            ring[ahead % AHEAD] = ha;
            __builtin_prefetch(&c->slots[(size_t)ha & (c->cap - 1)]);
        }
        if (!lp_column_is_valid(col, i)) continue;
        slot *s = find_slot(c->slots, c->cap, col, i, h);
        if (!s->first) {
            s->first = (uint32_t)(i + 1), s->hash = h, c->used++;
            if (c->used * 2 > c->cap) {
                if (grow(c)) return LP_ENOMEM;
                s = find_slot(c->slots, c->cap, col, i, h);
            }
        }
        s->count++;
    }
    return 0;
}

/* The slot of the most frequent value; ties go to the value seen first. */
static const slot *counter_top(const counter *c)
{
    const slot *best = NULL;
    for (size_t k = 0; k < c->cap; k++) {
        const slot *s = &c->slots[k];
        if (!s->first) continue;
        if (!best || s->count > best->count || (s->count == best->count && s->first < best->first))
            best = s;
    }
    return best;
}

static int set_top_text(lp_column_stats *s, const char *text, size_t len, size_t freq)
{
    s->top = lp_strndup(text, len);
    s->freq = freq;
    return s->top ? 0 : LP_ENOMEM;
}

static int hashed_stats(lp_column_stats *s, const lp_column *col)
{
    counter c = {0};
    int rc = count_values(&c, col);
    const slot *best = rc == 0 ? counter_top(&c) : NULL;
    if (best) {
        s->distinct = c.used;
        size_t row = best->first - 1;
        if (col->type == LP_DT_STRING) {
            size_t len;
            const char *str = lp_column_str(col, row, &len);
            rc = set_top_text(s, str, len, best->count);
        } else {
            bool midnight = true;
            double lo = INFINITY, hi = -INFINITY;
            for (size_t i = 0; i < col->length; i++) {
                if (!lp_column_is_valid(col, i)) continue;
                int64_t t = col->data.i64[i];
                midnight = midnight && lp_csv_ts_is_midnight(t);
                lo = fmin(lo, (double)t), hi = fmax(hi, (double)t);
            }
            char buf[48];
            size_t n = lp_csv_format_ts(buf, col->data.i64[row], midnight);
            rc = set_top_text(s, buf, n, best->count);
            s->min = lo, s->max = hi;
        }
    }
    free(c.slots);
    return rc;
}

static int bool_stats(lp_column_stats *s, const lp_column *col)
{
    size_t cnt[2] = {0, 0}, first[2] = {SIZE_MAX, SIZE_MAX};
    for (size_t i = 0; i < col->length; i++) {
        if (!lp_column_is_valid(col, i)) continue;
        int b = col->data.b8[i] != 0;
        if (!cnt[b]++) first[b] = i;
    }
    s->distinct = (cnt[0] > 0) + (cnt[1] > 0);
    if (!s->distinct) return 0;
    int top = cnt[1] > cnt[0] || (cnt[1] == cnt[0] && first[1] < first[0]);
    return set_top_text(s, top ? "True" : "False", top ? 4 : 5, cnt[top]);
}

static int category_stats(lp_column_stats *s, const lp_column *col)
{
    const lp_column *dict = col->data.cat.dict;
    size_t nd = dict ? dict->length : 0;
    size_t *cnt = calloc(nd + 1, sizeof *cnt), *first = malloc((nd + 1) * sizeof *first);
    if (!cnt || !first) {
        free(cnt), free(first);
        return lp_error_set(LP_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < col->length; i++) {
        int32_t code = col->data.cat.codes[i];
        if (!lp_column_is_valid(col, i) || code < 0 || (size_t)code >= nd) continue;
        if (!cnt[code]++) first[code] = i;
    }
    size_t best = SIZE_MAX;
    for (size_t k = 0; k < nd; k++) {
        if (!cnt[k]) continue;
        s->distinct++;
        if (best == SIZE_MAX || cnt[k] > cnt[best] ||
            (cnt[k] == cnt[best] && first[k] < first[best]))
            best = k;
    }
    int rc = 0;
    if (best != SIZE_MAX) {
        size_t len;
        const char *str = lp_column_str(dict, best, &len);
        rc = set_top_text(s, str, len, cnt[best]);
    }
    free(cnt);
    free(first);
    return rc;
}

LP_API int lp_column_stats_compute(lp_column_stats *out, const lp_column *col)
{
    if (!out || !col) return lp_error_set(LP_EINVAL, "lp_column_stats_compute: NULL argument");
    lp_column_stats *s = out;
    memset(s, 0, sizeof *s);
    s->mean = s->std = s->min = s->q25 = s->q50 = s->q75 = s->max = NAN;
    int rc;
    switch (col->type) {
    case LP_DT_FLOAT64:
    case LP_DT_INT64:
        s->numeric = true;
        rc = numeric_stats(s, col);
        s->missing = col->length - s->count;
        return rc;
    case LP_DT_BOOL:
        rc = bool_stats(s, col);
        break;
    case LP_DT_CATEGORY:
        rc = category_stats(s, col);
        break;
    case LP_DT_STRING:
    case LP_DT_TIMESTAMP:
        rc = hashed_stats(s, col);
        break;
    default:
        return lp_error_set(LP_EINVAL, "statistics of a column of unknown type %d", (int)col->type);
    }
    s->count = col->length - col->null_count;
    s->missing = col->null_count;
    if (rc) lp_column_stats_free(s);
    return rc;
}

LP_API void lp_column_stats_free(lp_column_stats *s)
{
    if (!s) return;
    free(s->top);
    s->top = NULL;
}
