/*
 * sorted.c — a numeric column sorted once: its non-missing values ascending
 * and, when asked, the row each came from (ties in row order). The profile
 * reads the count, distinct values, min/max, quantiles, zeros and histogram
 * off the sorted values and the Spearman ranks off the rows; drift walks the
 * sorted values of both sides. An LSD radix sort on order-preserving 64-bit
 * keys (11-bit digits, digits equal in every key skipped) replaces qsort:
 * O(n) and no comparison calls.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "components/data_profiler/profiler.h"
#include "data/bits.h"
#include "data/radix.h"

/* The key of row i, or false when the row is missing (or a NaN). Integers and
 * timestamps sort as integers (exact beyond 2^53), then widen to double. */
static inline bool row_key(const lp_column *c, size_t i, uint64_t *k)
{
    if (!lp_column_is_valid(c, i)) return false;
    switch (c->type) {
    case LP_DT_FLOAT64:
        if (isnan(c->data.f64[i])) return false;
        *k = lp_f64_sortkey(c->data.f64[i]);
        return true;
    case LP_DT_INT64:
    case LP_DT_TIMESTAMP:
        *k = (uint64_t)c->data.i64[i] ^ (1ULL << 63);
        return true;
    case LP_DT_BOOL:
        *k = c->data.b8[i] != 0;
        return true;
    default:
        return false;
    }
}

static double key_value(const lp_column *c, uint64_t k)
{
    if (c->type == LP_DT_FLOAT64) return lp_sortkey_f64(k);
    if (c->type == LP_DT_BOOL) return (double)k;
    return (double)(int64_t)(k ^ (1ULL << 63));
}

int lp_prof_sort_column(lp_prof_sorted *out, const lp_column *c, bool with_rows)
{
    memset(out, 0, sizeof *out);
    size_t n = c->length;
    if (with_rows && n >= UINT32_MAX)
        return lp_error_set(LP_EINVAL, "ranks of over 4 billion rows are not supported");
    uint64_t *keys = malloc((2 * n + 1) * sizeof *keys), *tk = keys ? keys + n : NULL;
    uint32_t *rows = with_rows ? malloc((2 * n + 1) * sizeof *rows) : NULL;
    lp_radix_hist *hist = calloc(1, sizeof *hist);
    if (!keys || !hist || (with_rows && !rows)) {
        free(keys);
        free(rows);
        free(hist);
        return lp_error_set(LP_ENOMEM, "out of memory sorting %zu values", n);
    }
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t k;
        if (!row_key(c, i, &k)) continue;
        if (rows) rows[m] = (uint32_t)i;
        keys[m++] = k;
        lp_radix_hist_add(hist, k);
    }
    lp_radix_sort_rows(keys, rows, m, hist, tk, rows ? rows + n : NULL);
    free(hist);
    double *v = (double *)keys; /* converted in place: same size, read before written */
    uint64_t prev = m ? ~keys[0] : 0;
    for (size_t i = 0; i < m; i++) {
        uint64_t k = keys[i];
        out->distinct += k != prev; /* distinct keys: exact for integers beyond 2^53 */
        prev = k;
        v[i] = key_value(c, k);
    }
    /* give back the scratch halves */
    double *sv = realloc(v, (m ? m : 1) * sizeof *v);
    uint32_t *sr = rows ? realloc(rows, (m ? m : 1) * sizeof *rows) : NULL;
    out->v = sv ? sv : v;
    out->row = sr ? sr : rows;
    out->n = m;
    return 0;
}

void lp_prof_sorted_free(lp_prof_sorted *s)
{
    free(s->v);
    free(s->row);
    memset(s, 0, sizeof *s);
}

int lp_prof_sorted_values(double **out, size_t *n, const lp_column *c)
{
    lp_prof_sorted s;
    int rc = lp_prof_sort_column(&s, c, false);
    *out = rc ? NULL : s.v;
    *n = rc ? 0 : s.n;
    return rc;
}
