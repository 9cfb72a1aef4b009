/*
 * profile.c — profile_data: per column the numbers `lolpop data describe`
 * prints (lp_column_stats: count, missing, distinct, mean, std, min,
 * quartiles, max, top) plus 5% / 95% quantiles, zeros, an equal-width
 * histogram (np.histogram(x, bins)), the top values of text columns and an
 * inferred kind; per frame rows, columns, duplicate rows and memory; then
 * correlations (correlations.c) and alerts (alerts.c).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "components/data_profiler/profiler.h"

static lp_value *num(double v)
{
    return isnan(v) || isinf(v) ? lp_value_null() : lp_value_float(v);
}

/* Whether most of the first 100 values of a text column hold a space: words,
 * not codes. */
static bool has_words(const lp_column *c)
{
    size_t seen = 0, words = 0;
    for (size_t i = 0; i < c->length && seen < 100; i++) {
        size_t len = 0;
        const char *s = lp_column_is_valid(c, i) ? lp_column_str(c, i, &len) : NULL;
        if (!s) continue;
        seen++;
        words += memchr(s, ' ', len) != NULL;
    }
    return seen > 0 && 2 * words >= seen;
}

/* The kind a person would call the column (constant, id-like, date, numeric,
 * categorical, boolean, text). */
static const char *infer_kind(const lp_column *c, const lp_column_stats *s, size_t rows)
{
    if (s->distinct <= 1) return "constant";
    if (c->type == LP_DT_TIMESTAMP) return "date";
    if (c->type == LP_DT_BOOL) return "boolean";
    bool text = c->type == LP_DT_STRING && has_words(c);
    bool whole = c->type == LP_DT_INT64 || (c->type == LP_DT_STRING && !text);
    if (whole && s->missing == 0 && s->distinct == rows && rows >= 20) return "id-like";
    if (c->type == LP_DT_FLOAT64 || c->type == LP_DT_INT64) return "numeric";
    if (c->type == LP_DT_CATEGORY || (!text && s->distinct <= 50) ||
        (double)s->distinct <= 0.05 * (double)s->count)
        return "categorical";
    return "text";
}

static size_t column_bytes(const lp_column *c)
{
    size_t n = c->length, b = c->validity ? (n + 7) / 8 : 0;
    switch (c->type) {
    case LP_DT_BOOL:
        return b + n;
    case LP_DT_STRING:
        return b + 8 * (n + 1) + (size_t)c->data.str.offsets[n];
    case LP_DT_CATEGORY:
        return b + 4 * n + column_bytes(c->data.cat.dict);
    default:
        return b + 8 * n;
    }
}

/* numbers: extra quantiles, zeros and the histogram. */
static int numeric_extras(lp_value *v, const lp_column *c, const lp_prof_options *o)
{
    double *x = NULL;
    size_t n = 0;
    int rc = lp_prof_sorted_values(&x, &n, c);
    if (rc) return rc;
    size_t zeros = 0;
    for (size_t i = 0; i < n; i++)
        zeros += x[i] == 0;
    lp_map_set(v, "5%", num(lp_prof_quantile(x, n, 0.05)));
    lp_map_set(v, "95%", num(lp_prof_quantile(x, n, 0.95)));
    lp_map_set(v, "zeros", lp_value_int((int64_t)zeros));
    size_t bins = o->bins ? o->bins : 1;
    double *edges = malloc((2 * bins + 1) * sizeof *edges),
           *counts = edges ? edges + bins + 1 : NULL;
    if (!edges) rc = lp_error_set(LP_ENOMEM, "out of memory");
    if (rc == 0 && n > 0 && isfinite(x[0]) && isfinite(x[n - 1])) {
        lp_prof_linear_edges(edges, x[0], x[n - 1], bins);
        lp_prof_bin_counts(counts, x, n, edges, bins);
        lp_value *h = lp_value_map(), *e = lp_value_list(), *k = lp_value_list();
        for (size_t i = 0; e && i <= bins; i++)
            lp_list_append(e, lp_value_float(edges[i]));
        for (size_t i = 0; k && i < bins; i++)
            lp_list_append(k, lp_value_int((int64_t)counts[i]));
        lp_map_set(h, "edges", e);
        lp_map_set(h, "counts", k);
        lp_map_set(v, "histogram", h);
    }
    free(edges);
    free(x);
    return rc;
}

/* text-like columns: the top values with their counts. */
static int top_values(lp_value *v, const lp_column *c, const lp_prof_options *o)
{
    lp_prof_counts t = {0};
    int rc = lp_prof_counts_add(&t, 0, c);
    size_t *order = rc ? NULL : lp_prof_counts_order(&t, 0);
    if (rc == 0 && !order) rc = LP_ENOMEM;
    lp_value *list = rc ? NULL : lp_value_list();
    for (size_t k = 0; list && k < t.n && k < o->top; k++) {
        lp_value *e = lp_value_map();
        lp_map_set(e, "value", lp_value_string(t.keys[order[k]]));
        lp_map_set(e, "count", lp_value_int((int64_t)t.count[0][order[k]]));
        lp_list_append(list, e);
    }
    if (list) lp_map_set(v, "top_values", list);
    free(order);
    lp_prof_counts_free(&t);
    return rc;
}

static lp_value *variable(const char *name, const lp_column *c, size_t rows,
                          const lp_prof_options *o)
{
    lp_column_stats s;
    if (lp_column_stats_compute(&s, c) != 0) return NULL;
    lp_value *v = lp_value_map();
    int rc = v ? 0 : LP_ENOMEM;
    bool estimated = rows > o->exact_distinct;
    double distinct = estimated ? nearbyint(lp_prof_hll_distinct(c)) : (double)s.distinct;
    if (rc == 0) {
        lp_map_set(v, "name", lp_value_string(name));
        lp_map_set(v, "type", lp_value_string(lp_dtype_name(c->type)));
        lp_map_set(v, "kind", lp_value_string(infer_kind(c, &s, rows)));
        lp_map_set(v, "count", lp_value_int((int64_t)s.count));
        lp_map_set(v, "missing", lp_value_int((int64_t)s.missing));
        lp_map_set(v, "missing_share", lp_value_float(rows ? (double)s.missing / (double)rows : 0));
        lp_map_set(v, "distinct", lp_value_int((int64_t)distinct));
        lp_map_set(v, "distinct_estimated", lp_value_bool(estimated));
        lp_map_set(v, "memory_bytes", lp_value_int((int64_t)column_bytes(c)));
    }
    if (rc == 0 && lp_prof_is_numeric(c->type)) {
        bool ts = c->type == LP_DT_TIMESTAMP; /* mean/std of dates are not shown */
        lp_map_set(v, "mean", ts ? lp_value_null() : num(s.mean));
        lp_map_set(v, "std", ts ? lp_value_null() : num(s.std));
        lp_map_set(v, "min", num(s.min));
        lp_map_set(v, "25%", num(s.q25));
        lp_map_set(v, "50%", num(s.q50));
        lp_map_set(v, "75%", num(s.q75));
        lp_map_set(v, "max", num(s.max));
        if (ts) {
            lp_map_set(v, "min", num(s.min));
            lp_map_set(v, "25%", lp_value_null());
            lp_map_set(v, "50%", lp_value_null());
            lp_map_set(v, "75%", lp_value_null());
        }
        rc = numeric_extras(v, c, o);
    } else if (rc == 0) {
        rc = top_values(v, c, o);
    }
    lp_column_stats_free(&s);
    if (rc == 0) return v;
    lp_value_unref(v);
    return NULL;
}

/* ---- duplicate rows ------------------------------------------------------------------ */

typedef struct row_hash {
    uint64_t h;
    size_t row;
} row_hash;

static int cmp_row_hash(const void *pa, const void *pb)
{
    const row_hash *a = pa, *b = pb;
    if (a->h != b->h) return a->h < b->h ? -1 : 1;
    return (a->row > b->row) - (a->row < b->row);
}

static bool rows_equal(const lp_frame *f, size_t a, size_t b)
{
    char ba[64], bb[64];
    for (size_t j = 0; j < lp_frame_cols(f); j++) {
        const lp_column *c = lp_frame_col(f, j);
        size_t la = 0, lb = 0;
        const char *sa = lp_prof_cell_text(c, a, ba, sizeof ba, &la);
        const char *sb = lp_prof_cell_text(c, b, bb, sizeof bb, &lb);
        if (!sa != !sb) return false;
        if (sa && (la != lb || memcmp(sa, sb, la) != 0)) return false;
    }
    return true;
}

int lp_prof_duplicate_rows(size_t *out, const lp_frame *f)
{
    size_t n = lp_frame_rows(f);
    row_hash *r = malloc((n ? n : 1) * sizeof *r);
    if (!r) return lp_error_set(LP_ENOMEM, "out of memory");
    char buf[64];
    for (size_t i = 0; i < n; i++) {
        uint64_t h = 1469598103934665603ULL;
        for (size_t j = 0; j < lp_frame_cols(f); j++) {
            size_t len = 0;
            const char *s = lp_prof_cell_text(lp_frame_col(f, j), i, buf, sizeof buf, &len);
            for (size_t k = 0; s && k < len; k++)
                h = (h ^ (uint8_t)s[k]) * 1099511628211ULL;
            h = (h ^ (s ? 0x1fu : 0x2eu)) * 1099511628211ULL; /* cell end; missing differs */
        }
        r[i] = (row_hash){h, i};
    }
    qsort(r, n, sizeof *r, cmp_row_hash);
    size_t dups = 0;
    for (size_t i = 1, first = 0; i < n; i++) {
        if (r[i].h != r[first].h) {
            first = i;
            continue;
        }
        dups += rows_equal(f, r[first].row, r[i].row);
    }
    free(r);
    *out = dups;
    return 0;
}

lp_value *lp_prof_profile(const lp_frame *f, const lp_prof_options *o)
{
    lp_value *report = lp_value_map(), *vars = lp_value_list();
    size_t rows = lp_frame_rows(f), dups = 0, memory = 0;
    int rc = report && vars ? 0 : lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t j = 0; rc == 0 && j < lp_frame_cols(f); j++) {
        lp_value *v = variable(lp_frame_name(f, j), lp_frame_col(f, j), rows, o);
        if (!v) {
            rc = LP_ERROR;
            lp_error_prefix("profile_data, column '%s'", lp_frame_name(f, j));
            break;
        }
        memory += (size_t)lp_value_as_int(lp_map_get(v, "memory_bytes"));
        lp_list_append(vars, v);
    }
    if (rc == 0) rc = lp_prof_duplicate_rows(&dups, f);
    if (rc == 0) {
        lp_map_set(report, "rows", lp_value_int((int64_t)rows));
        lp_map_set(report, "columns", lp_value_int((int64_t)lp_frame_cols(f)));
        lp_map_set(report, "duplicate_rows", lp_value_int((int64_t)dups));
        lp_map_set(report, "memory_bytes", lp_value_int((int64_t)memory));
        lp_map_set(report, "variables", vars);
        vars = NULL;
        rc = lp_prof_correlations(report, f, lp_map_get(report, "variables"));
    }
    if (rc == 0) rc = lp_prof_alerts(report, f, o);
    lp_value_unref(vars);
    if (rc == 0) return report;
    lp_value_unref(report);
    return NULL;
}
