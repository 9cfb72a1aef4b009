/*
 * correlations.c — Pearson and Spearman correlations of the number and bool
 * columns (pandas' DataFrame.corr: pairwise-complete rows, Spearman as the
 * Pearson correlation of average ranks within each pair's rows) and Cramér's V
 * of the categorical columns (sqrt(chi2 / n / (min(r, c) - 1)), chi2 without
 * Yates' correction, over rows where both are present). A column with no
 * spread gives null, as pandas' NaN.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "components/data_profiler/profiler.h"

/* Correlations are quadratic in columns: at most this many of each kind. */
#define MAX_CORR_COLUMNS  40
#define MAX_CRAMER_LEVELS 200

double lp_prof_pearson(const double *x, const double *y, size_t n)
{
    long double sx = 0, sy = 0;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(x[i]) && !isnan(y[i])) {
            sx += x[i];
            sy += y[i];
            m++;
        }
    if (m < 2) return NAN;
    long double mx = sx / (long double)m, my = sy / (long double)m, sxy = 0, sxx = 0, syy = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(x[i]) && !isnan(y[i])) {
            long double dx = x[i] - mx, dy = y[i] - my;
            sxy += dx * dy;
            sxx += dx * dx;
            syy += dy * dy;
        }
    if (sxx == 0 || syy == 0) return NAN;
    double r = (double)(sxy / sqrtl(sxx * syy));
    return r > 1 ? 1 : r < -1 ? -1 : r;
}

typedef struct ranked {
    double v;
    size_t i;
} ranked;

static int cmp_ranked(const void *pa, const void *pb)
{
    const ranked *a = pa, *b = pb;
    if (a->v != b->v) return a->v < b->v ? -1 : 1;
    return (a->i > b->i) - (a->i < b->i);
}

/* Average ranks (1-based) of x over rows where mask is set (others NaN). */
static int average_ranks(double *out, const double *x, const double *other, size_t n)
{
    ranked *r = malloc((n ? n : 1) * sizeof *r);
    if (!r) return lp_error_set(LP_ENOMEM, "out of memory");
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        out[i] = NAN;
        if (!isnan(x[i]) && (!other || !isnan(other[i]))) r[m++] = (ranked){x[i], i};
    }
    qsort(r, m, sizeof *r, cmp_ranked);
    for (size_t a = 0, b; a < m; a = b) {
        for (b = a + 1; b < m && r[b].v == r[a].v; b++)
            ;
        double rank = ((double)a + 1 + (double)b) / 2.0;
        for (size_t k = a; k < b; k++)
            out[r[k].i] = rank;
    }
    free(r);
    return 0;
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

static bool has_nan(const double *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (isnan(x[i])) return true;
    return false;
}

/* Pearson and Spearman over the numeric columns idx[0..k). */
static int numeric_correlations(lp_value *out, const lp_frame *f, const size_t *idx, size_t k)
{
    size_t n = lp_frame_rows(f);
    double *x = malloc((k * 2 * n + 2 * n + 2 * k * k + 1) * sizeof *x);
    if (!x) return lp_error_set(LP_ENOMEM, "out of memory");
    double *ranks = x + k * n, *ra = ranks + k * n, *rb = ra + n, *pear = rb + n,
           *spear = pear + k * k;
    int rc = 0;
    for (size_t c = 0; c < k; c++) {
        const lp_column *col = lp_frame_col(f, idx[c]);
        for (size_t i = 0; i < n; i++)
            x[c * n + i] = lp_column_is_valid(col, i) ? lp_column_get_f64(col, i) : NAN;
        if (rc == 0) rc = average_ranks(ranks + c * n, x + c * n, NULL, n);
    }
    for (size_t a = 0; rc == 0 && a < k; a++)
        for (size_t b = a; rc == 0 && b < k; b++) {
            const double *xa = x + a * n, *xb = x + b * n;
            double p = lp_prof_pearson(xa, xb, n), s;
            if (!has_nan(xa, n) && !has_nan(xb, n)) {
                s = lp_prof_pearson(ranks + a * n, ranks + b * n, n);
            } else { /* ranks within this pair's rows, as pandas */
                rc = average_ranks(ra, xa, xb, n);
                if (rc == 0) rc = average_ranks(rb, xb, xa, n);
                s = lp_prof_pearson(ra, rb, n);
            }
            pear[a * k + b] = pear[b * k + a] = p;
            spear[a * k + b] = spear[b * k + a] = s;
        }
    if (rc == 0) {
        lp_map_set(out, "pearson", matrix_value(pear, k));
        lp_map_set(out, "spearman", matrix_value(spear, k));
    }
    free(x);
    return rc;
}

/* Cramér's V of two categorical columns over rows where both are present. */
static int cramers_v(double *out, const lp_column *a, const lp_column *b)
{
    lp_prof_counts ta = {0}, tb = {0};
    int rc = lp_prof_counts_add(&ta, 0, a);
    if (rc == 0) rc = lp_prof_counts_add(&tb, 0, b);
    size_t r = ta.n, c = tb.n, n = a->length;
    double *table = rc == 0 && r <= MAX_CRAMER_LEVELS && c <= MAX_CRAMER_LEVELS
                        ? calloc(r * c + 1, sizeof *table)
                        : NULL;
    *out = NAN;
    if (table) {
        char b1[64], b2[64];
        double total = 0;
        for (size_t i = 0; i < n; i++) {
            size_t l1 = 0, l2 = 0;
            const char *s1 = lp_prof_cell_text(a, i, b1, sizeof b1, &l1);
            const char *s2 = lp_prof_cell_text(b, i, b2, sizeof b2, &l2);
            if (!s1 || !s2) continue;
            size_t i1 = 0, i2 = 0; /* linear look-up: levels are few */
            while (i1 < r && !(strlen(ta.keys[i1]) == l1 && memcmp(ta.keys[i1], s1, l1) == 0))
                i1++;
            while (i2 < c && !(strlen(tb.keys[i2]) == l2 && memcmp(tb.keys[i2], s2, l2) == 0))
                i2++;
            table[i1 * c + i2] += 1;
            total += 1;
        }
        /* drop empty rows / columns (levels seen only where the other is missing) */
        double chi2 = 0;
        size_t rr = 0, cc = 0;
        double *rs = calloc(r + c + 1, sizeof *rs), *cs = rs ? rs + r : NULL;
        if (rs) {
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
            free(rs);
        } else {
            rc = lp_error_set(LP_ENOMEM, "out of memory");
        }
    }
    free(table);
    lp_prof_counts_free(&ta);
    lp_prof_counts_free(&tb);
    return rc;
}

static lp_value *names_value(const lp_frame *f, const size_t *idx, size_t k)
{
    lp_value *l = lp_value_list();
    for (size_t i = 0; l && i < k; i++)
        lp_list_append(l, lp_value_string(lp_frame_name(f, idx[i])));
    return l;
}

int lp_prof_correlations(lp_value *report, const lp_frame *f, const lp_value *variables)
{
    size_t nc = lp_frame_cols(f), numk = 0, catk = 0;
    size_t *num = malloc((2 * nc + 1) * sizeof *num), *cat = num ? num + nc : NULL;
    if (!num) return lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t j = 0; j < nc; j++) {
        lp_dtype t = lp_frame_col(f, j)->type;
        const char *kind = lp_value_as_string(lp_map_get(lp_list_get(variables, j), "kind"));
        bool numeric = t == LP_DT_FLOAT64 || t == LP_DT_INT64 || t == LP_DT_BOOL;
        if (numeric && numk < MAX_CORR_COLUMNS) num[numk++] = j;
        if (kind && (strcmp(kind, "categorical") == 0 || strcmp(kind, "boolean") == 0) &&
            catk < MAX_CORR_COLUMNS)
            cat[catk++] = j;
    }
    lp_value *corr = lp_value_map(), *cv = lp_value_map();
    int rc = corr && cv ? 0 : LP_ENOMEM;
    if (rc == 0) {
        lp_map_set(corr, "columns", names_value(f, num, numk));
        rc = numeric_correlations(corr, f, num, numk);
    }
    double *m = rc == 0 ? malloc((catk * catk + 1) * sizeof *m) : NULL;
    if (rc == 0 && !m) rc = lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t a = 0; rc == 0 && a < catk; a++)
        for (size_t b = a; rc == 0 && b < catk; b++) {
            double v = 1.0;
            if (a != b) rc = cramers_v(&v, lp_frame_col(f, cat[a]), lp_frame_col(f, cat[b]));
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
