/*
 * marginal.c — one column's distribution: fitted from the source column
 * (with the column's normal scores for the copula), inverted for sampling.
 * See synth.h for the model.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "components/data_synthesizer/synth.h"

lp_synth_kind lp_synth_kind_of(lp_dtype type)
{
    return type == LP_DT_FLOAT64 || type == LP_DT_INT64 || type == LP_DT_TIMESTAMP
               ? LP_SYNTH_NUMERIC
               : LP_SYNTH_CATEGORICAL;
}

const char *lp_synth_kind_name(lp_synth_kind k)
{
    return k == LP_SYNTH_NUMERIC ? "numeric" : "categorical";
}

bool lp_synth_is_missing(const lp_column *c, size_t i)
{
    if (!lp_column_is_valid(c, i)) return true;
    return c->type == LP_DT_FLOAT64 && isnan(c->data.f64[i]);
}

void lp_synth_marginal_free(lp_synth_marginal *m)
{
    free(m->name);
    free(m->f64);
    free(m->i64);
    lp_column_unref(m->dict);
    free(m->code);
    free(m->cum);
    memset(m, 0, sizeof *m);
}

static int oom(void)
{
    return lp_error_set(LP_ENOMEM, "out of memory");
}

/* ---- numeric ------------------------------------------------------------------ */

/* A value with its row; sorting these gives ranks. */
typedef struct fkey {
    double v;
    size_t row;
} fkey;
typedef struct ikey {
    int64_t v;
    size_t row;
} ikey;

static int fkey_cmp(const void *pa, const void *pb)
{
    const fkey *a = pa, *b = pb;
    return (a->v > b->v) - (a->v < b->v);
}

static int ikey_cmp(const void *pa, const void *pb)
{
    const ikey *a = pa, *b = pb;
    return (a->v > b->v) - (a->v < b->v);
}

/* The score shared by sorted positions [start, end) of n, which hold one
 * value: Φ⁻¹ of the mid-rank's (rank − 0.5) / n, i.e. of the midpoint of
 * the group's interval [start/n, end/n]. */
static float midrank_score(lp_synth_hermite *h, size_t start, size_t end, size_t n)
{
    double rank = 0.5 * (double)(start + 1 + end); /* mean of the 1-based ranks start+1..end */
    double z = lp_norm_quantile((rank - 0.5) / (double)n);
    lp_synth_hermite_add(h, (double)(end - start) / (double)n, (double)end / (double)n, z);
    return (float)z;
}

static int fit_f64(lp_synth_marginal *m, const lp_column *col, float *scores)
{
    fkey *k = malloc((m->n ? m->n : 1) * sizeof *k);
    m->f64 = malloc((m->n ? m->n : 1) * sizeof *m->f64);
    if (!k || !m->f64) {
        free(k);
        return oom();
    }
    size_t n = 0;
    for (size_t i = 0; i < col->length; i++)
        if (!lp_synth_is_missing(col, i)) k[n++] = (fkey){col->data.f64[i], i};
    qsort(k, n, sizeof *k, fkey_cmp);
    lp_synth_hermite h;
    lp_synth_hermite_init(&h);
    for (size_t s = 0, e; s < n; s = e) {
        for (e = s + 1; e < n && k[e].v == k[s].v; e++)
            ;
        float z = midrank_score(&h, s, e, n);
        for (size_t i = s; i < e; i++) {
            scores[k[i].row] = z;
            m->f64[i] = k[i].v;
        }
    }
    lp_synth_hermite_finish(&h, m->herm);
    free(k);
    return 0;
}

/* int64 and timestamp: the same over exact integers. */
static int fit_i64(lp_synth_marginal *m, const lp_column *col, float *scores)
{
    ikey *k = malloc((m->n ? m->n : 1) * sizeof *k);
    m->i64 = malloc((m->n ? m->n : 1) * sizeof *m->i64);
    if (!k || !m->i64) {
        free(k);
        return oom();
    }
    size_t n = 0;
    for (size_t i = 0; i < col->length; i++)
        if (lp_column_is_valid(col, i)) k[n++] = (ikey){col->data.i64[i], i};
    qsort(k, n, sizeof *k, ikey_cmp);
    lp_synth_hermite h;
    lp_synth_hermite_init(&h);
    for (size_t s = 0, e; s < n; s = e) {
        for (e = s + 1; e < n && k[e].v == k[s].v; e++)
            ;
        float z = midrank_score(&h, s, e, n);
        for (size_t i = s; i < e; i++) {
            scores[k[i].row] = z;
            m->i64[i] = k[i].v;
        }
    }
    lp_synth_hermite_finish(&h, m->herm);
    free(k);
    return 0;
}

/* Position of u on the order statistics: index i and fraction of the way to i + 1. */
static size_t locate(const lp_synth_marginal *m, double u, double *frac)
{
    double p = u * (double)m->n - 0.5;
    *frac = 0;
    if (!(p > 0)) return 0; /* also NaN */
    if (p >= (double)(m->n - 1)) return m->n - 1;
    size_t i = (size_t)p;
    *frac = p - (double)i;
    return i;
}

double lp_synth_marginal_f64(const lp_synth_marginal *m, double u)
{
    double frac;
    size_t i = locate(m, u, &frac);
    double a = m->f64[i];
    if (frac == 0) return a;
    double b = m->f64[i + 1];
    if (!isfinite(a) || !isfinite(b)) return frac < 0.5 ? a : b; /* no line through ±inf */
    double x = a + frac * (b - a);
    return x < a ? a : x > b ? b : x; /* rounding must not leave [a, b] */
}

int64_t lp_synth_marginal_i64(const lp_synth_marginal *m, double u)
{
    double frac;
    size_t i = locate(m, u, &frac);
    int64_t a = m->i64[i];
    if (frac == 0) return a;
    int64_t b = m->i64[i + 1];
    /* The step is added to a (not a + frac·(b − a) computed in double and
     * converted) so that values beyond 2^53 stay exact at the ends. */
    double step = nearbyint(frac * ((double)b - (double)a));
    if (step <= 0) return a;
    if (step >= (double)b - (double)a) return b;
    return a + (int64_t)step;
}

/* ---- categorical ------------------------------------------------------------------ */

/* One category while ordering them. */
typedef struct cat {
    size_t count;
    int32_t code;
    const char *text;
    size_t len;
} cat;

/* Most frequent first; ties by value, so the order does not depend on the rows' order. */
static int cat_cmp(const void *pa, const void *pb)
{
    const cat *a = pa, *b = pb;
    if (a->count != b->count) return a->count > b->count ? -1 : 1;
    size_t n = a->len < b->len ? a->len : b->len;
    int c = n ? memcmp(a->text, b->text, n) : 0;
    if (c) return c;
    if (a->len != b->len) return a->len < b->len ? -1 : 1;
    return (a->code > b->code) - (a->code < b->code);
}

/* The category index of valid cell i: its code in `codes` (the column cast
 * to category), or its bool value when codes is NULL. */
static size_t code_of(const lp_column *col, const lp_column *codes, size_t i)
{
    return codes ? (size_t)codes->data.cat.codes[i] : col->data.b8[i] != 0;
}

/* The present categories of col with their counts, in cat_cmp order. */
static int count_categories(cat **out, size_t *n_out, const lp_column *col, const lp_column *codes)
{
    size_t n_codes = codes ? codes->data.cat.dict->length : 2;
    size_t *count = calloc(n_codes ? n_codes : 1, sizeof *count);
    cat *cats = malloc((n_codes ? n_codes : 1) * sizeof *cats);
    if (!count || !cats) {
        free(count);
        free(cats);
        return oom();
    }
    for (size_t i = 0; i < col->length; i++)
        if (lp_column_is_valid(col, i)) count[code_of(col, codes, i)]++;
    size_t n = 0;
    for (size_t c = 0; c < n_codes; c++) {
        if (!count[c]) continue;
        cats[n] = (cat){count[c], (int32_t)c, c ? "true" : "false", c ? 4 : 5};
        if (codes) cats[n].text = lp_column_str(codes->data.cat.dict, c, &cats[n].len);
        n++;
    }
    free(count);
    qsort(cats, n, sizeof *cats, cat_cmp);
    *out = cats;
    *n_out = n;
    return 0;
}

/* Scores by the midpoint of each category's cumulative interval (over all
 * categories), then the kept categories' renormalised cumulative shares. */
static int fit_cats(lp_synth_marginal *m, const lp_column *col, const lp_column *codes,
                    size_t max_categories, float *scores)
{
    cat *cats = NULL;
    size_t n_all = 0, n_codes = codes ? codes->data.cat.dict->length : 2;
    int rc = count_categories(&cats, &n_all, col, codes);
    if (rc) return rc;
    float *z = malloc((n_codes ? n_codes : 1) * sizeof *z);
    size_t kept = n_all < max_categories ? n_all : max_categories;
    m->code = malloc((kept ? kept : 1) * sizeof *m->code);
    m->cum = malloc((kept ? kept : 1) * sizeof *m->cum);
    if (!z || !m->code || !m->cum) {
        free(z);
        free(cats);
        return oom();
    }
    double below = 0, kept_total = 0;
    lp_synth_hermite h;
    lp_synth_hermite_init(&h);
    for (size_t k = 0; k < n_all; k++) {
        double p = (double)cats[k].count / (double)m->n, zk = lp_norm_quantile(below + 0.5 * p);
        z[cats[k].code] = (float)zk;
        below += p;
        lp_synth_hermite_add(&h, p, k + 1 == n_all ? 1.0 : below, zk);
        if (k < kept) kept_total += (double)cats[k].count;
    }
    lp_synth_hermite_finish(&h, m->herm);
    for (size_t i = 0; i < col->length; i++)
        if (lp_column_is_valid(col, i)) scores[i] = z[code_of(col, codes, i)];
    double run = 0;
    for (size_t k = 0; k < kept; k++) {
        m->code[k] = cats[k].code;
        run += (double)cats[k].count;
        m->cum[k] = k + 1 == kept ? 1.0 : run / kept_total;
    }
    m->n_cats = kept;
    m->n_dropped = n_all - kept;
    free(z);
    free(cats);
    return 0;
}

static int fit_categorical(lp_synth_marginal *m, const lp_column *col, size_t max_categories,
                           float *scores)
{
    lp_column *codes = NULL; /* the column as category codes; bool columns need none */
    int rc = col->type == LP_DT_BOOL ? 0 : lp_column_cast(&codes, col, LP_DT_CATEGORY);
    if (rc == 0) rc = fit_cats(m, col, codes, max_categories, scores);
    if (rc == 0 && codes) m->dict = lp_column_ref(codes->data.cat.dict);
    lp_column_unref(codes);
    return rc;
}

size_t lp_synth_marginal_category(const lp_synth_marginal *m, double u)
{
    size_t lo = 0, hi = m->n_cats - 1; /* the first k with u < cum[k]; cum[last] = 1 */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (u < m->cum[mid])
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

/* ---- fitting ---------------------------------------------------------------------- */

int lp_synth_marginal_fit(lp_synth_marginal *m, const char *name, const lp_column *col,
                          size_t max_categories, float *scores)
{
    memset(m, 0, sizeof *m);
    m->name = lp_strdup(name);
    if (!m->name) return LP_ENOMEM;
    m->type = col->type;
    m->kind = lp_synth_kind_of(col->type);
    for (size_t i = 0; i < col->length; i++) {
        scores[i] = NAN;
        m->n += !lp_synth_is_missing(col, i);
    }
    m->missing_rate = col->length ? (double)(col->length - m->n) / (double)col->length : 0;
    if (m->n == 0) return 0; /* every cell missing: nothing else to learn */
    int rc;
    if (m->kind == LP_SYNTH_CATEGORICAL)
        rc = fit_categorical(m, col, max_categories ? max_categories : 1, scores);
    else if (col->type == LP_DT_FLOAT64)
        rc = fit_f64(m, col, scores);
    else
        rc = fit_i64(m, col, scores);
    if (rc) lp_synth_marginal_free(m);
    return rc;
}
