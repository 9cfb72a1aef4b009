/*
 * correlations.c — Pearson and Spearman correlations of the number and bool
 * columns (pandas' DataFrame.corr: pairwise-complete rows, Spearman as the
 * Pearson correlation of average ranks within each pair's rows) and Cramér's V
 * of the categorical columns (sqrt(chi2 / n / (min(r, c) - 1)), chi2 without
 * Yates' correction, over rows where both are present). A column with no
 * spread gives null, as pandas' NaN.
 *
 * Each column was sorted (numbers) or coded (text) once by the profile: ranks are
 * walks of the sorted rows, a complete column is centred once so a pair costs one
 * dot product, and Cramér's tables count integer codes.
 *
 * Memory: the Pearson pass holds the centred values (8 bytes a row and column) and
 * frees them before the Spearman pass holds the ranks, so the two never coexist; a
 * centred average rank is a multiple of 1/2, kept doubled as an int32 (4 bytes
 * instead of 8). Doubling is exact and scales every product and sum by a power of 2,
 * so the correlations are bit for bit those of the ranks in doubles.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "components/data_profiler/profiler.h"

/* Correlations are quadratic in columns: at most this many of each kind. */
#define MAX_CORR_COLUMNS 40

double lp_prof_pearson(const double *x, const double *y, size_t n)
{
    double sx = 0, sy = 0;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(x[i]) && !isnan(y[i])) {
            sx += x[i];
            sy += y[i];
            m++;
        }
    if (m < 2) return NAN;
    double mx = sx / (double)m, my = sy / (double)m, sxy = 0, sxx = 0, syy = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(x[i]) && !isnan(y[i])) {
            double dx = x[i] - mx, dy = y[i] - my;
            sxy += dx * dy;
            sxx += dx * dx;
            syy += dy * dy;
        }
    if (sxx == 0 || syy == 0) return NAN;
    double r = sxy / sqrt(sxx * syy);
    return r > 1 ? 1 : r < -1 ? -1 : r;
}

static lp_value *matrix_value(const double *m, size_t k)
{
    lp_value *rows = lp_value_list();
    for (size_t i = 0; rows && i < k; i++) {
        lp_value *row = lp_value_list();
        for (size_t j = 0; row && j < k; j++)
            lp_list_append(row,
                           isnan(m[i * k + j]) ? lp_value_null() : lp_value_float(m[i * k + j]));
        lp_list_append(rows, row);
    }
    return rows;
}

/* Doubled centred average ranks (2 x (1-based rank - centre), an integer: average
 * ranks are multiples of 1/2) of a column over the rows where `ok` (the other
 * column's presence) is set, every row when ok is NULL, into out (rows the column has
 * but ok lacks get 0; other rows are not written); centre2 is 2 x centre. Returns
 * their sum of squares (4 x that of the plain ranks, exactly). order[0..m) are the
 * column's rows by value (its one sort) and same[i] whether sorted value i equals
 * value i - 1 (a byte per value marks the ties, rather than a copy of the values): a
 * walk, no sort per pair. */
static double centred_ranks(int32_t *out, const uint8_t *same, const uint32_t *order, size_t m,
                            const uint8_t *ok, int64_t centre2)
{
    int64_t pos = 0; /* rows ranked so far */
    double ss = 0;
    for (size_t a = 0, b; a < m; a = b) {
        if (a + 1 == m || !same[a + 1]) { /* no tie: the common case, kept short */
            b = a + 1;
            bool in = !ok || ok[order[a]];
            pos += in;
            double rank = (double)(2 * pos - centre2);
            out[order[a]] = in ? (int32_t)(2 * pos - centre2) : 0;
            ss += in ? rank * rank : 0;
            continue;
        }
        int64_t start = pos;
        for (b = a; b < m && (b == a || same[b]); b++)
            pos += !ok || ok[order[b]];
        int32_t rank2 = (int32_t)(start + 1 + pos - centre2);
        double rank = (double)rank2;
        for (size_t k = a; k < b; k++)
            out[order[k]] = !ok || ok[order[k]] ? rank2 : 0;
        ss += (double)(pos - start) * rank * rank;
    }
    return ss;
}

static double clamp_corr(double r)
{
    return r > 1 ? 1 : r < -1 ? -1 : r;
}

/* Four running sums: independent additions the compiler pairs into vector
 * instructions (one sum is a chain it may not reorder); the order changes the
 * result only in the last bits, well inside the 1e-9 the tests hold to pandas. */
static double dot(const double *x, const double *y, size_t n)
{
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        s0 += x[i] * y[i];
        s1 += x[i + 1] * y[i + 1];
        s2 += x[i + 2] * y[i + 2];
        s3 += x[i + 3] * y[i + 3];
    }
    for (; i < n; i++)
        s0 += x[i] * y[i];
    return (s0 + s1) + (s2 + s3);
}

/* dot's sums over doubled ranks (each product exact in a double). */
static double dot_ranks(const int32_t *x, const int32_t *y, size_t n)
{
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        s0 += (double)x[i] * (double)y[i];
        s1 += (double)x[i + 1] * (double)y[i + 1];
        s2 += (double)x[i + 2] * (double)y[i + 2];
        s3 += (double)x[i + 3] * (double)y[i + 3];
    }
    for (; i < n; i++)
        s0 += (double)x[i] * (double)y[i];
    return (s0 + s1) + (s2 + s3);
}

/* The numeric columns idx[0..k), prepared once: per column its values centred on
 * their mean and zero where missing (z, the Pearson pass only), presence (ok), ties in
 * sorted order (same) and rows (order); then, for the Spearman pass, its doubled
 * centred ranks (cr) among its own values. */
typedef struct numeric_set {
    size_t n, k;
    double **z, *sxx, *srr, *pear, *spear;
    size_t *both;           /* per pair: rows where both are present (the Pearson pass's) */
    int32_t **cr, *scratch; /* scratch: 2 n per thread */
    uint8_t **ok, **same;
    const uint32_t **order;
    size_t *m;   /* values per column */
    bool *full;  /* no missing value */
    int *failed; /* per column */
} numeric_set;

static void free_centred(numeric_set *s)
{
    for (size_t c = 0; s->z && c < s->k; c++) {
        free(s->z[c]);
        s->z[c] = NULL;
    }
}

static void numeric_set_free(numeric_set *s)
{
    free_centred(s);
    for (size_t c = 0; s->cr && c < s->k; c++)
        free(s->cr[c]);
    for (size_t c = 0; s->same && c < s->k; c++)
        free(s->same[c]);
    for (size_t c = 0; s->ok && c < s->k; c++)
        free(s->ok[c]);
    free(s->z);
    free(s->cr);
    free(s->pear);
    free(s->both);
    free(s->scratch);
    free(s->failed);
    free(s->full);
    free(s->m);
    free(s->order);
    free(s->ok);
    free(s->same);
}

/* Task c: column c of s prepared for the Pearson pass (z holds its values, NaN where
 * missing, and becomes their centred form). */
static void prepare_task(void *ctx, size_t c, size_t worker)
{
    (void)worker;
    numeric_set *s = ctx;
    size_t n = s->n, m = s->m[c];
    double *z = s->z[c];
    uint8_t *same = malloc(m ? m : 1);
    uint8_t *ok = malloc(n ? n : 1);
    s->same[c] = same, s->ok[c] = ok;
    if (!same || !ok) {
        s->failed[c] = 1;
        return;
    }
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        ok[i] = !isnan(z[i]);
        sum += ok[i] ? z[i] : 0;
    }
    for (size_t i = 0; i < m; i++)
        same[i] = i > 0 && z[s->order[c][i]] == z[s->order[c][i - 1]];
    double mean = m ? sum / (double)m : 0;
    for (size_t i = 0; i < n; i++)
        z[i] = ok[i] ? z[i] - mean : 0;
    s->sxx[c] = dot(z, z, n); /* summed as the pairs' dot: a column's self-correlation is 1 */
    s->full[c] = m == n;
}

/* Task c: column c's doubled centred ranks among its own values (zero where missing):
 * a pair with a complete column, or with itself, keeps exactly these, so
 * pair_spearman ranks it only once. */
static void rank_task(void *ctx, size_t c, size_t worker)
{
    (void)worker;
    numeric_set *s = ctx;
    size_t n = s->n, m = s->m[c];
    s->cr[c] = calloc(n ? n : 1, sizeof *s->cr[c]);
    if (!s->cr[c]) {
        s->failed[c] = 1;
        return;
    }
    s->srr[c] = centred_ranks(s->cr[c], s->same[c], s->order[c], m, NULL, (int64_t)m + 1);
}

/* Pearson correlation of centred, zero-where-missing x and y over the rows where both
 * are present: one pass (the sums re-centre on the pair's rows). A column without
 * spread on those rows gives NaN, as pandas. */
static double pair_pearson(size_t *both, const double *x, const double *y, const uint8_t *ox,
                           const uint8_t *oy, size_t n)
{
    double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0, m = 0;
    for (size_t i = 0; i < n; i++) {
        double wx = ox[i], wy = oy[i];
        sx += x[i] * wy;
        sy += y[i] * wx;
        sxx += x[i] * x[i] * wy;
        syy += y[i] * y[i] * wx;
        sxy += x[i] * y[i];
        m += wx * wy;
    }
    *both = (size_t)m;
    if (m < 2) return NAN;
    double vx = sxx - sx * sx / m, vy = syy - sy * sy / m, cov = sxy - sx * sy / m;
    /* rounding leaves a constant column a tiny variance: no spread */
    if (!(vx > 1e-13 * sxx) || !(vy > 1e-13 * syy)) return NAN;
    return clamp_corr(cov / sqrt(vx * vy));
}

static double corr_of(double sxy, double sxx, double syy, size_t n)
{
    return n < 2 || sxx == 0 || syy == 0 ? NAN : clamp_corr(sxy / sqrt(sxx * syy));
}

/* Spearman of columns a, b (one of them with missing values) over the rows where both
 * are present, ranking within those rows as pandas does. A column whose partner is
 * complete (or is itself) keeps its own ranks, bit for bit what ranking it again
 * within the pair's rows gives. */
static double pair_spearman(const numeric_set *s, size_t a, size_t b, size_t worker)
{
    size_t n = s->n, both = s->both[a * s->k + b];
    const uint8_t *oa = s->ok[a], *ob = s->ok[b];
    if (a == b) return corr_of(s->srr[a], s->srr[a], s->srr[a], both);
    int32_t *scratch = s->scratch + 2 * n * worker;
    int64_t centre2 = (int64_t)both + 1;
    double ssa = s->srr[a], ssb = s->srr[b];
    const int32_t *ra = s->cr[a], *rb = s->cr[b];
    if (!s->full[b]) { /* a ranked within b's rows (a's own ranks when a is complete too) */
        ssa = centred_ranks(scratch, s->same[a], s->order[a], s->m[a], ob, centre2);
        ra = scratch;
    }
    if (!s->full[a]) {
        ssb = centred_ranks(scratch + n, s->same[b], s->order[b], s->m[b], oa, centre2);
        rb = scratch + n;
    }
    double sab = 0; /* only rows with both: the others may hold stale ranks */
    for (size_t i = 0; i < n; i++)
        sab += oa[i] & ob[i] ? (double)ra[i] * (double)rb[i] : 0;
    return corr_of(sab, ssa, ssb, both);
}

/* Pair p (row-major upper triangle, a <= b) of k columns into *a, *b. */
static void pair_of(size_t p, size_t k, size_t *a, size_t *b)
{
    size_t r = 0;
    while (p >= k - r) /* row r of the triangle holds k - r pairs */
        p -= k - r++;
    *a = r;
    *b = r + p;
}

static void pearson_task(void *ctx, size_t p, size_t worker)
{
    (void)worker;
    numeric_set *s = ctx;
    size_t k = s->k, n = s->n, a, b;
    pair_of(p, k, &a, &b);
    size_t both = n;
    double r = s->full[a] && s->full[b]
                   ? corr_of(dot(s->z[a], s->z[b], n), s->sxx[a], s->sxx[b], n)
                   : pair_pearson(&both, s->z[a], s->z[b], s->ok[a], s->ok[b], n);
    s->pear[a * k + b] = s->pear[b * k + a] = r;
    s->both[a * k + b] = both;
}

static void spearman_task(void *ctx, size_t p, size_t worker)
{
    numeric_set *s = ctx;
    size_t k = s->k, n = s->n, a, b;
    pair_of(p, k, &a, &b);
    double r = s->full[a] && s->full[b]
                   ? corr_of(dot_ranks(s->cr[a], s->cr[b], n), s->srr[a], s->srr[b], n)
                   : pair_spearman(s, a, b, worker); /* ranks within this pair's rows */
    s->spear[a * k + b] = s->spear[b * k + a] = r;
}

static int check_failed(const numeric_set *s)
{
    for (size_t c = 0; c < s->k; c++)
        if (s->failed[c]) return lp_error_set(LP_ENOMEM, "out of memory for the correlations");
    return 0;
}

static int numeric_prepare(numeric_set *s, const lp_frame *f, const size_t *idx, size_t k,
                           const lp_prof_work *work, size_t threads)
{
    size_t n = lp_frame_rows(f);
    s->n = n, s->k = k;
    if (n > INT32_MAX) /* doubled ranks are int32 */
        return lp_error_set(LP_EINVAL, "correlations of over %d rows are not supported", INT32_MAX);
    s->z = calloc(k + 1, sizeof *s->z);
    s->cr = calloc(k + 1, sizeof *s->cr);
    s->failed = calloc(k + 1, sizeof *s->failed);
    s->pear = malloc((2 * k + 2 * k * k + 1) * sizeof *s->pear);
    s->both = malloc((k * k + 1) * sizeof *s->both);
    s->full = calloc(k + 1, sizeof *s->full);
    s->m = calloc(k + 1, sizeof *s->m);
    s->order = calloc(k + 1, sizeof *s->order);
    s->ok = calloc(k + 1, sizeof *s->ok);
    s->same = calloc(k + 1, sizeof *s->same);
    if (!s->z || !s->cr || !s->failed || !s->pear || !s->both || !s->full || !s->m || !s->order ||
        !s->ok || !s->same)
        return lp_error_set(LP_ENOMEM, "out of memory");
    s->spear = s->pear + k * k, s->sxx = s->spear + k * k, s->srr = s->sxx + k;
    for (size_t c = 0; c < k; c++) {
        s->m[c] = work[idx[c]].sorted.n;
        s->order[c] = work[idx[c]].sorted.row;
        s->z[c] = lp_column_to_f64(lp_frame_col(f, idx[c])); /* values, NaN where missing */
        if (!s->z[c]) return LP_ENOMEM;
        if (!s->order[c] && s->m[c]) return lp_error_set(LP_ERROR, "column not sorted");
    }
    lp_prof_parallel(threads, k, prepare_task, s);
    return check_failed(s);
}

/* Pearson and Spearman over the numeric columns idx[0..k): the Pearson pass on the
 * centred values, which are freed before the ranks of the Spearman pass exist. */
static int numeric_correlations(lp_value *out, const lp_frame *f, const size_t *idx, size_t k,
                                const lp_prof_work *work)
{
    size_t threads = lp_prof_threads(), n = lp_frame_rows(f);
    numeric_set s = {0};
    int rc = numeric_prepare(&s, f, idx, k, work, threads);
    if (rc == 0) lp_prof_parallel(threads, k * (k + 1) / 2, pearson_task, &s);
    free_centred(&s);
    if (rc == 0) {
        s.scratch = malloc((2 * n * threads + 1) * sizeof *s.scratch);
        if (!s.scratch) rc = lp_error_set(LP_ENOMEM, "out of memory");
    }
    if (rc == 0) {
        lp_prof_parallel(threads, k, rank_task, &s);
        rc = check_failed(&s);
    }
    if (rc == 0) lp_prof_parallel(threads, k * (k + 1) / 2, spearman_task, &s);
    if (rc == 0) {
        lp_map_set(out, "pearson", matrix_value(s.pear, k));
        lp_map_set(out, "spearman", matrix_value(s.spear, k));
    }
    numeric_set_free(&s);
    return rc;
}

/* Cramér's V of two coded columns over rows where both are present. */
static int cramers_v(double *out, const lp_prof_coded *ta, const lp_prof_coded *tb, size_t n)
{
    size_t r = ta->n, c = tb->n;
    *out = NAN;
    if (!ta->code || !tb->code || r > LP_PROF_MAX_CRAMER_LEVELS || c > LP_PROF_MAX_CRAMER_LEVELS)
        return 0;
    double *table = calloc(r * c + r + c + 1, sizeof *table), *rs = table ? table + r * c : NULL,
           *cs = rs ? rs + r : NULL;
    if (!table) return lp_error_set(LP_ENOMEM, "out of memory");
    double total = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t x = ta->code[i], y = tb->code[i];
        if (x == LP_PROF_NO_CODE || y == LP_PROF_NO_CODE) continue;
        table[x * c + y] += 1;
        total += 1;
    }
    /* drop empty rows / columns (levels seen only where the other is missing) */
    double chi2 = 0;
    size_t rr = 0, cc = 0;
    for (size_t i = 0; i < r; i++)
        for (size_t j = 0; j < c; j++) {
            rs[i] += table[i * c + j];
            cs[j] += table[i * c + j];
        }
    for (size_t i = 0; i < r; i++)
        rr += rs[i] > 0;
    for (size_t j = 0; j < c; j++)
        cc += cs[j] > 0;
    for (size_t i = 0; i < r; i++)
        for (size_t j = 0; j < c; j++) {
            double e = rs[i] * cs[j] / total;
            if (e > 0) chi2 += (table[i * c + j] - e) * (table[i * c + j] - e) / e;
        }
    size_t k = (rr < cc ? rr : cc);
    if (k > 1 && total > 0) *out = sqrt(chi2 / total / (double)(k - 1));
    free(table);
    return 0;
}

static lp_value *names_value(const lp_frame *f, const size_t *idx, size_t k)
{
    lp_value *l = lp_value_list();
    for (size_t i = 0; l && i < k; i++)
        lp_list_append(l, lp_value_string(lp_frame_name(f, idx[i])));
    return l;
}

bool lp_prof_cramer_kind(const lp_value *variable)
{
    const char *kind = lp_value_as_string(lp_map_get(variable, "kind"));
    return kind && (strcmp(kind, "categorical") == 0 || strcmp(kind, "boolean") == 0);
}

int lp_prof_correlations(lp_value *report, const lp_frame *f, const lp_value *variables,
                         const lp_prof_work *work)
{
    size_t nc = lp_frame_cols(f), numk = 0, catk = 0;
    size_t *num = malloc((2 * nc + 1) * sizeof *num), *cat = num ? num + nc : NULL;
    if (!num) return lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t j = 0; j < nc; j++) {
        lp_dtype t = lp_frame_col(f, j)->type;
        bool numeric = t == LP_DT_FLOAT64 || t == LP_DT_INT64 || t == LP_DT_BOOL;
        if (numeric && numk < MAX_CORR_COLUMNS) num[numk++] = j;
        if (lp_prof_cramer_kind(lp_list_get(variables, j)) && catk < MAX_CORR_COLUMNS)
            cat[catk++] = j;
    }
    lp_value *corr = lp_value_map(), *cv = lp_value_map();
    int rc = corr && cv ? 0 : LP_ENOMEM;
    if (rc == 0) {
        lp_map_set(corr, "columns", names_value(f, num, numk));
        rc = numeric_correlations(corr, f, num, numk, work);
    }
    double *m = rc == 0 ? malloc((catk * catk + 1) * sizeof *m) : NULL;
    if (rc == 0 && !m) rc = lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t a = 0; rc == 0 && a < catk; a++)
        for (size_t b = a; rc == 0 && b < catk; b++) {
            double v = 1.0;
            if (a != b)
                rc = cramers_v(&v, &work[cat[a]].coded, &work[cat[b]].coded, lp_frame_rows(f));
            m[a * catk + b] = m[b * catk + a] = v;
        }
    if (rc == 0) {
        lp_map_set(cv, "columns", names_value(f, cat, catk));
        lp_map_set(cv, "matrix", matrix_value(m, catk));
        lp_map_set(corr, "cramers_v", cv);
        cv = NULL;
        lp_map_set(report, "correlations", corr);
        corr = NULL;
    }
    free(m);
    free(num);
    lp_value_unref(corr);
    lp_value_unref(cv);
    return rc;
}
