/*
 * profile_sketch.c — mergeable column profiles (kit.h: lp_profile_sketch),
 * whylogs-style: the sketch of rows A merged with the sketch of rows B is the
 * sketch of A then B. Per column:
 *   - count and missing (NaN counts as missing), added;
 *   - numbers: mean and the sum of squared deviations merged by Chan et al.'s
 *     parallel formulas; the values kept sorted, so a merge is a merge of two
 *     sorted runs and min/max, quantiles, zeros and histograms are exact;
 *   - text-like (string, category, bool): the count of each value in
 *     first-seen order up to `exact_distinct` values (then the table is dropped
 *     and top values are no longer reported);
 *   - HyperLogLog registers (2^14, ~0.8% error), merged by maximum: the
 *     distinct count beyond exact_distinct.
 * lp_profile_sketch_new sketches row chunks on threads and merges them in order.
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/internal.h"
#include "data/bits.h"
#include "lolpop/kit.h"

#define HLL_P       14
#define HLL_M       (1u << HLL_P)
#define MAX_THREADS 16
#define MIN_CHUNK   4096

typedef struct text_entry {
    char *key;
    size_t len, count;
    uint64_t hash;
} text_entry;

typedef struct col_sketch {
    char *name;
    lp_dtype type;
    size_t rows, missing;
    double mean, m2;   /* numbers: Chan's running moments */
    double *sorted;    /* numbers: every value, ascending */
    text_entry *texts; /* text-like: first-seen order; NULL once over the limit */
    size_t ntexts, captexts, *slots, nslots;
    bool exact;   /* texts still complete */
    uint8_t *hll; /* HLL_M registers */
} col_sketch;

struct lp_profile_sketch {
    col_sketch *cols;
    size_t ncols, exact_distinct;
};

static bool is_number(lp_dtype t)
{
    return t == LP_DT_FLOAT64 || t == LP_DT_INT64 || t == LP_DT_TIMESTAMP;
}

static void hll_add(uint8_t *reg, uint64_t h)
{
    uint32_t idx = (uint32_t)(h >> (64 - HLL_P));
    uint64_t rest = h << HLL_P | (1ULL << (HLL_P - 1)); /* guard bit: rank <= 64 - p + 1 */
    uint8_t rank = (uint8_t)(__builtin_clzll(rest) + 1);
    if (rank > reg[idx]) reg[idx] = rank;
}

static double hll_estimate(const uint8_t *reg)
{
    double sum = 0;
    size_t zeros = 0;
    for (size_t k = 0; k < HLL_M; k++) {
        sum += ldexp(1.0, -reg[k]);
        zeros += reg[k] == 0;
    }
    double m = HLL_M, e = 0.7213 / (1 + 1.079 / m) * m * m / sum;
    if (e <= 2.5 * m && zeros) e = m * log(m / (double)zeros);
    return e;
}

static int cmp_double(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return (a > b) - (a < b);
}

/* ---- text values ------------------------------------------------------------------ */

static int texts_grow(col_sketch *c)
{
    size_t cap = c->captexts ? 2 * c->captexts : 32, ns = 2 * cap;
    text_entry *t = realloc(c->texts, cap * sizeof *t);
    if (!t) return lp_error_set(LP_ENOMEM, "out of memory sketching values");
    c->texts = t;
    size_t *slots = calloc(ns, sizeof *slots);
    if (!slots) return lp_error_set(LP_ENOMEM, "out of memory sketching values");
    for (size_t e = 0; e < c->ntexts; e++) {
        size_t s = c->texts[e].hash & (ns - 1);
        while (slots[s])
            s = (s + 1) & (ns - 1);
        slots[s] = e + 1;
    }
    free(c->slots);
    c->slots = slots, c->nslots = ns, c->captexts = cap;
    return 0;
}

static void texts_drop(col_sketch *c)
{
    for (size_t e = 0; e < c->ntexts; e++)
        free(c->texts[e].key);
    free(c->texts);
    free(c->slots);
    c->texts = NULL, c->slots = NULL;
    c->ntexts = c->captexts = c->nslots = 0;
    c->exact = false;
}

/* Adds `count` of value s to c's table (dropping the table past `limit` values). */
static int texts_add(col_sketch *c, const char *s, size_t len, uint64_t h, size_t count,
                     size_t limit)
{
    if (!c->exact) return 0;
    if (c->ntexts + 1 > c->captexts && texts_grow(c)) return LP_ENOMEM;
    size_t mask = c->nslots - 1, at = h & mask;
    for (; c->slots[at]; at = (at + 1) & mask) {
        text_entry *e = &c->texts[c->slots[at] - 1];
        if (e->hash == h && e->len == len && memcmp(e->key, s, len) == 0) {
            e->count += count;
            return 0;
        }
    }
    if (c->ntexts >= limit) {
        texts_drop(c);
        return 0;
    }
    char *key = lp_strndup(s, len);
    if (!key) return lp_error_set(LP_ENOMEM, "out of memory sketching values");
    c->texts[c->ntexts] = (text_entry){key, len, count, h};
    c->slots[at] = ++c->ntexts;
    return 0;
}

/* Cell i of a text-like column as text ("True"/"False" for bools), NULL when missing. */
static const char *cell_text(const lp_column *col, size_t i, size_t *len)
{
    if (!lp_column_is_valid(col, i)) return NULL;
    if (col->type == LP_DT_BOOL) {
        *len = col->data.b8[i] ? 4 : 5;
        return col->data.b8[i] ? "True" : "False";
    }
    return lp_column_str(col, i, len);
}

/* ---- one chunk ---------------------------------------------------------------------- */

static int sketch_numbers(col_sketch *c, const lp_column *col, size_t lo, size_t hi)
{
    c->sorted = malloc((hi - lo + 1) * sizeof *c->sorted);
    if (!c->sorted) return lp_error_set(LP_ENOMEM, "out of memory sketching values");
    size_t n = 0;
    double mean = 0, m2 = 0; /* Welford within the chunk */
    for (size_t i = lo; i < hi; i++) {
        if (!lp_column_is_valid(col, i)) continue;
        double x = col->type == LP_DT_FLOAT64 ? col->data.f64[i] : (double)col->data.i64[i];
        if (isnan(x)) continue;
        x = x == 0 ? 0.0 : x;
        c->sorted[n++] = x;
        double d = x - mean;
        mean += d / (double)n;
        m2 += d * (x - mean);
        uint64_t bits;
        memcpy(&bits, &x, sizeof bits);
        hll_add(c->hll, lp_mix64(bits));
    }
    qsort(c->sorted, n, sizeof *c->sorted, cmp_double);
    c->mean = mean, c->m2 = m2;
    c->missing = (hi - lo) - n;
    return 0;
}

static int sketch_texts(col_sketch *c, const lp_column *col, size_t lo, size_t hi, size_t limit)
{
    int rc = 0;
    for (size_t i = lo; rc == 0 && i < hi; i++) {
        size_t len = 0;
        const char *s = cell_text(col, i, &len);
        if (!s) {
            c->missing++;
            continue;
        }
        uint64_t h = lp_text_hash(s, len);
        hll_add(c->hll, h);
        rc = texts_add(c, s, len, h, 1, limit);
    }
    return rc;
}

static void col_free(col_sketch *c)
{
    free(c->name);
    free(c->sorted);
    texts_drop(c);
    free(c->hll);
}

LP_API void lp_profile_sketch_free(lp_profile_sketch *s)
{
    if (!s) return;
    for (size_t j = 0; j < s->ncols; j++)
        col_free(&s->cols[j]);
    free(s->cols);
    free(s);
}

/* The sketch of rows [lo, hi) of f. */
static lp_profile_sketch *sketch_rows(const lp_frame *f, size_t lo, size_t hi, size_t limit)
{
    lp_profile_sketch *s = calloc(1, sizeof *s);
    size_t k = lp_frame_cols(f);
    if (s) s->cols = calloc(k + 1, sizeof *s->cols);
    if (!s || !s->cols) {
        free(s);
        lp_error_set(LP_ENOMEM, "out of memory sketching a frame");
        return NULL;
    }
    s->ncols = k, s->exact_distinct = limit;
    int rc = 0;
    for (size_t j = 0; rc == 0 && j < k; j++) {
        col_sketch *c = &s->cols[j];
        const lp_column *col = lp_frame_col(f, j);
        c->type = col->type, c->rows = hi - lo, c->exact = true;
        c->name = lp_strdup(lp_frame_name(f, j));
        c->hll = calloc(HLL_M, 1);
        if (!c->name || !c->hll) rc = lp_error_set(LP_ENOMEM, "out of memory sketching a frame");
        if (rc == 0 && is_number(c->type)) rc = sketch_numbers(c, col, lo, hi);
        if (rc == 0 && !is_number(c->type)) rc = sketch_texts(c, col, lo, hi, limit);
    }
    if (rc == 0) return s;
    lp_profile_sketch_free(s);
    return NULL;
}

/* ---- merge ---------------------------------------------------------------------------- */

static int merge_numbers(col_sketch *a, const col_sketch *b)
{
    size_t na = a->rows - a->missing, nb = b->rows - b->missing, n = na + nb;
    double *m = malloc((n + 1) * sizeof *m);
    if (!m) return lp_error_set(LP_ENOMEM, "out of memory merging sketches");
    size_t i = 0, j = 0, k = 0;
    while (i < na && j < nb)
        m[k++] = b->sorted[j] < a->sorted[i] ? b->sorted[j++] : a->sorted[i++];
    while (i < na)
        m[k++] = a->sorted[i++];
    while (j < nb)
        m[k++] = b->sorted[j++];
    free(a->sorted);
    a->sorted = m;
    if (n > 0) { /* Chan, Golub and LeVeque's pairwise update */
        double delta = b->mean - a->mean;
        a->m2 += b->m2 + delta * delta * (double)na * (double)nb / (double)n;
        a->mean += delta * (double)nb / (double)n;
    }
    return 0;
}

LP_API int lp_profile_sketch_merge(lp_profile_sketch *into, const lp_profile_sketch *from)
{
    if (!into || !from) return lp_error_set(LP_EINVAL, "lp_profile_sketch_merge: NULL argument");
    if (into->ncols != from->ncols)
        return lp_error_set(LP_EINVAL, "profile sketches of %zu and %zu columns do not merge",
                            into->ncols, from->ncols);
    for (size_t j = 0; j < into->ncols; j++) {
        col_sketch *a = &into->cols[j];
        const col_sketch *b = &from->cols[j];
        if (strcmp(a->name, b->name) != 0 || a->type != b->type)
            return lp_error_set(LP_EINVAL,
                                "profile sketches differ at column %zu ('%s' %s, '%s' %s)", j,
                                a->name, lp_dtype_name(a->type), b->name, lp_dtype_name(b->type));
    }
    int rc = 0;
    for (size_t j = 0; rc == 0 && j < into->ncols; j++) {
        col_sketch *a = &into->cols[j];
        const col_sketch *b = &from->cols[j];
        if (is_number(a->type)) rc = merge_numbers(a, b);
        if (!b->exact && a->exact) texts_drop(a);
        for (size_t e = 0; rc == 0 && a->exact && e < b->ntexts; e++)
            rc = texts_add(a, b->texts[e].key, b->texts[e].len, b->texts[e].hash, b->texts[e].count,
                           into->exact_distinct);
        for (size_t r = 0; r < HLL_M; r++)
            a->hll[r] = a->hll[r] > b->hll[r] ? a->hll[r] : b->hll[r];
        a->rows += b->rows;
        a->missing += b->missing;
    }
    return rc;
}

/* ---- threads ------------------------------------------------------------------------- */

typedef struct chunk_job {
    const lp_frame *f;
    size_t rows, nchunks, limit;
    lp_profile_sketch **out;
} chunk_job;

typedef struct chunk_arg {
    chunk_job *job;
    size_t first, step;
} chunk_arg;

static void *chunk_worker(void *p)
{
    chunk_arg *a = p;
    chunk_job *j = a->job;
    for (size_t c = a->first; c < j->nchunks; c += a->step)
        j->out[c] =
            sketch_rows(j->f, c * j->rows / j->nchunks, (c + 1) * j->rows / j->nchunks, j->limit);
    return NULL;
}

LP_API lp_profile_sketch *lp_profile_sketch_new(const lp_frame *f, size_t exact_distinct,
                                                size_t threads)
{
    if (!f) {
        lp_error_set(LP_EINVAL, "lp_profile_sketch_new: NULL frame");
        return NULL;
    }
    size_t rows = lp_frame_rows(f);
    if (threads == 0) {
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        threads = cores < 1 ? 1 : (size_t)cores;
    }
    if (threads > MAX_THREADS) threads = MAX_THREADS;
    size_t nchunks = rows / MIN_CHUNK < threads ? rows / MIN_CHUNK : threads;
    if (nchunks == 0) nchunks = 1;
    lp_profile_sketch *parts[MAX_THREADS] = {0};
    chunk_job job = {f, rows, nchunks, exact_distinct, parts};
    chunk_arg args[MAX_THREADS];
    pthread_t tid[MAX_THREADS];
    size_t started = 0;
    for (size_t t = 1; t < nchunks; t++) {
        args[t] = (chunk_arg){&job, t, nchunks};
        if (pthread_create(&tid[started], NULL, chunk_worker, &args[t]) != 0) {
            /* no thread: this one takes the chunk after the others */
            parts[t] = sketch_rows(f, t * rows / nchunks, (t + 1) * rows / nchunks, exact_distinct);
            continue;
        }
        started++;
    }
    args[0] = (chunk_arg){&job, 0, nchunks};
    chunk_worker(&args[0]);
    for (size_t t = 0; t < started; t++)
        pthread_join(tid[t], NULL);
    int rc = 0;
    for (size_t c = 0; c < nchunks; c++)
        if (!parts[c]) rc = lp_error_set(LP_ENOMEM, "out of memory sketching a frame");
    for (size_t c = 1; rc == 0 && c < nchunks; c++)
        rc = lp_profile_sketch_merge(parts[0], parts[c]);
    for (size_t c = 1; c < nchunks; c++)
        lp_profile_sketch_free(parts[c]);
    if (rc == 0) return parts[0];
    lp_profile_sketch_free(parts[0]);
    return NULL;
}

/* ---- the statistics ------------------------------------------------------------------ */

/* numpy's linear quantile q of n sorted values. */
static double quantile(const double *v, size_t n, double q)
{
    if (n == 0) return NAN;
    double pos = q * (double)(n - 1), lo = floor(pos);
    size_t i = (size_t)lo;
    if (i + 1 >= n) return v[n - 1];
    double t = pos - lo, a = v[i], b = v[i + 1], d = b - a;
    return t >= 0.5 ? b - d * (1 - t) : a + d * t;
}

static lp_value *num(double v)
{
    return isfinite(v) ? lp_value_float(v) : lp_value_null();
}

/* np.histogram(values, bins) of the sorted values: equal-width edges, the last bin closed. */
static lp_value *histogram(const double *v, size_t n, size_t bins)
{
    double lo = v[0], hi = v[n - 1];
    double first = lo == hi ? lo - 0.5 : lo, last = lo == hi ? hi + 0.5 : hi;
    double step = (last - first) / (double)bins;
    lp_value *h = lp_value_map(), *e = lp_value_list(), *k = lp_value_list();
    size_t i = 0;
    for (size_t b = 0; e && k && b < bins; b++) {
        double left = (double)b * step + first,
               right = b + 1 == bins ? last : (double)(b + 1) * step + first;
        size_t start = i;
        while (i < n && (b + 1 == bins ? v[i] <= right : v[i] < right))
            i++;
        lp_list_append(e, lp_value_float(left));
        lp_list_append(k, lp_value_int((int64_t)(i - start)));
    }
    lp_list_append(e, lp_value_float(last));
    lp_map_set(h, "edges", e);
    lp_map_set(h, "counts", k);
    return h;
}

static void number_stats(lp_value *v, const col_sketch *c, size_t bins)
{
    size_t n = c->rows - c->missing, zeros = 0, distinct = 0;
    const double *s = c->sorted;
    for (size_t i = 0; i < n; i++) {
        zeros += s[i] == 0;
        distinct += i == 0 || s[i] != s[i - 1];
    }
    lp_map_set(v, "distinct", lp_value_int((int64_t)distinct));
    lp_map_set(v, "distinct_estimated", lp_value_bool(false));
    lp_map_set(v, "mean", n ? num(c->mean) : lp_value_null());
    lp_map_set(v, "std", n > 1 ? num(sqrt(c->m2 / (double)(n - 1))) : lp_value_null());
    lp_map_set(v, "min", n ? num(s[0]) : lp_value_null());
    static const char *const names[] = {"5%", "25%", "50%", "75%", "95%"};
    static const double qs[] = {0.05, 0.25, 0.5, 0.75, 0.95};
    for (size_t k = 0; k < 5; k++)
        lp_map_set(v, names[k], num(quantile(s, n, qs[k])));
    lp_map_set(v, "max", n ? num(s[n - 1]) : lp_value_null());
    lp_map_set(v, "zeros", lp_value_int((int64_t)zeros));
    if (n && isfinite(s[0]) && isfinite(s[n - 1]))
        lp_map_set(v, "histogram", histogram(s, n, bins ? bins : 1));
}

static void text_stats(lp_value *v, const col_sketch *c, size_t top)
{
    lp_map_set(
        v, "distinct",
        lp_value_int(c->exact ? (int64_t)c->ntexts : (int64_t)nearbyint(hll_estimate(c->hll))));
    lp_map_set(v, "distinct_estimated", lp_value_bool(!c->exact));
    if (!c->exact) return;
    size_t *best = malloc((top + 1) * sizeof *best), have = 0;
    for (size_t e = 0; best && e < c->ntexts && top > 0; e++) { /* ties: first seen first */
        size_t cnt = c->texts[e].count;
        if (have == top && cnt <= c->texts[best[have - 1]].count) continue;
        size_t at = have < top ? have++ : top - 1;
        while (at > 0 && c->texts[best[at - 1]].count < cnt) {
            best[at] = best[at - 1];
            at--;
        }
        best[at] = e;
    }
    lp_value *list = lp_value_list();
    for (size_t i = 0; list && i < have; i++) {
        lp_value *e = lp_value_map();
        lp_map_set(e, "value", lp_value_stringn(c->texts[best[i]].key, c->texts[best[i]].len));
        lp_map_set(e, "count", lp_value_int((int64_t)c->texts[best[i]].count));
        lp_list_append(list, e);
    }
    lp_map_set(v, "top_values", list);
    free(best);
}

LP_API lp_value *lp_profile_sketch_columns(const lp_profile_sketch *s, size_t bins, size_t top)
{
    if (!s) {
        lp_error_set(LP_EINVAL, "lp_profile_sketch_columns: NULL sketch");
        return NULL;
    }
    lp_value *list = lp_value_list();
    for (size_t j = 0; list && j < s->ncols; j++) {
        const col_sketch *c = &s->cols[j];
        lp_value *v = lp_value_map();
        if (!v) break;
        lp_map_set(v, "name", lp_value_string(c->name));
        lp_map_set(v, "type", lp_value_string(lp_dtype_name(c->type)));
        lp_map_set(v, "count", lp_value_int((int64_t)(c->rows - c->missing)));
        lp_map_set(v, "missing", lp_value_int((int64_t)c->missing));
        if (is_number(c->type))
            number_stats(v, c, bins);
        else
            text_stats(v, c, top);
        lp_list_append(list, v);
    }
    if (!list) lp_error_set(LP_ENOMEM, "out of memory");
    return list;
}

LP_API size_t lp_profile_sketch_rows(const lp_profile_sketch *s)
{
    return s && s->ncols ? s->cols[0].rows : 0;
}
