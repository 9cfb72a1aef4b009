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
#include "data/bits.h"
#include "data/frame_dups.h"

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

/* The sum of the values in row order (as pandas' mean adds them). */
static double row_order_mean(const lp_column *c, size_t n)
{
    long double sum = 0;
    for (size_t i = 0; i < c->length; i++) {
        if (!lp_column_is_valid(c, i)) continue;
        double x = c->type == LP_DT_FLOAT64 ? c->data.f64[i] : (double)c->data.i64[i];
        if (!isnan(x)) sum += x;
    }
    return n ? (double)(sum / (long double)n) : NAN;
}

static lp_value *histogram(const lp_prof_sorted *x, size_t bins)
{
    double *edges = malloc((2 * bins + 1) * sizeof *edges), *counts = edges ? edges + bins + 1 : 0;
    if (!edges) return NULL;
    lp_prof_linear_edges(edges, x->v[0], x->v[x->n - 1], bins);
    lp_prof_bin_counts(counts, x->v, x->n, edges, bins);
    lp_value *h = lp_value_map(), *e = lp_value_list(), *k = lp_value_list();
    for (size_t i = 0; e && i <= bins; i++)
        lp_list_append(e, lp_value_float(edges[i]));
    for (size_t i = 0; k && i < bins; i++)
        lp_list_append(k, lp_value_int((int64_t)counts[i]));
    lp_map_set(h, "edges", e);
    lp_map_set(h, "counts", k);
    free(edges);
    return h;
}

/* numbers: describe's statistics, extra quantiles, zeros and the histogram, all off
 * the one sorted copy. */
static void numeric_stats(lp_value *v, const lp_column *c, const lp_prof_sorted *x,
                          const lp_prof_options *o)
{
    const double *s = x->v;
    size_t n = x->n, zeros = 0;
    bool ts = c->type == LP_DT_TIMESTAMP; /* mean/std/quartiles of dates are not shown */
    double mean = ts ? NAN : row_order_mean(c, n), std = NAN;
    long double ss = 0; /* squared deviations, summed in sorted order */
    for (size_t i = 0; !ts && i < n; i++) {
        long double d = (long double)s[i] - (long double)mean;
        ss += d * d;
    }
    if (n > 1) std = sqrt((double)(ss / (long double)(n - 1)));
    for (size_t i = 0; i < n; i++)
        zeros += s[i] == 0;
    lp_map_set(v, "mean", ts ? lp_value_null() : num(mean));
    lp_map_set(v, "std", ts ? lp_value_null() : num(std));
    lp_map_set(v, "min", num(n ? s[0] : NAN));
    static const char *const qn[] = {"25%", "50%", "75%"};
    static const double qs[] = {0.25, 0.5, 0.75};
    for (size_t k = 0; k < 3; k++)
        lp_map_set(v, qn[k], ts ? lp_value_null() : num(lp_prof_quantile(s, n, qs[k])));
    lp_map_set(v, "max", num(n ? s[n - 1] : NAN));
    lp_map_set(v, "5%", num(lp_prof_quantile(s, n, 0.05)));
    lp_map_set(v, "95%", num(lp_prof_quantile(s, n, 0.95)));
    lp_map_set(v, "zeros", lp_value_int((int64_t)zeros));
    if (n > 0 && isfinite(s[0]) && isfinite(s[n - 1]))
        lp_map_set(v, "histogram", histogram(x, o->bins ? o->bins : 1));
}

/* text-like columns: the top values with their counts. */
static int top_values(lp_value *v, const lp_column *c, const lp_prof_coded *k,
                      const lp_prof_options *o)
{
    size_t *top = malloc((o->top + 1) * sizeof *top);
    if (!top) return lp_error_set(LP_ENOMEM, "out of memory");
    size_t have = lp_prof_coded_top(top, k, o->top);
    lp_value *list = lp_value_list();
    char buf[64];
    for (size_t i = 0; list && i < have; i++) {
        size_t len = 0;
        const char *s = lp_prof_cell_text(c, k->first[top[i]], buf, sizeof buf, &len);
        lp_value *e = lp_value_map();
        lp_map_set(e, "value", lp_value_stringn(s, len));
        lp_map_set(e, "count", lp_value_int((int64_t)k->count[top[i]]));
        lp_list_append(list, e);
    }
    free(top);
    if (!list) return lp_error_set(LP_ENOMEM, "out of memory");
    lp_map_set(v, "top_values", list);
    return 0;
}

/* Sorts or codes column c into w: count, missing and distinct into s. */
static int column_work(lp_column_stats *s, lp_prof_work *w, const lp_column *c)
{
    memset(s, 0, sizeof *s);
    int rc = 0;
    if (lp_prof_is_numeric(c->type)) {
        rc = lp_prof_sort_column(&w->sorted, c, c->type != LP_DT_TIMESTAMP);
        s->count = w->sorted.n;
        s->missing = c->length - w->sorted.n;
        s->distinct = w->sorted.distinct;
        return rc;
    }
    rc = lp_prof_code_column(&w->coded, c);
    if (rc == 0 && c->type == LP_DT_BOOL) rc = lp_prof_sort_column(&w->sorted, c, true);
    s->count = c->length - c->null_count;
    s->missing = c->null_count;
    s->distinct = w->coded.n;
    return rc;
}

static lp_value *variable(const char *name, const lp_column *c, size_t rows,
                          const lp_prof_options *o, lp_prof_work *w)
{
    lp_column_stats s;
    if (column_work(&s, w, c) != 0) return NULL;
    lp_value *v = lp_value_map();
    int rc = v ? 0 : lp_error_set(LP_ENOMEM, "out of memory");
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
    if (rc == 0 && lp_prof_is_numeric(c->type))
        numeric_stats(v, c, &w->sorted, o);
    else if (rc == 0)
        rc = top_values(v, c, &w->coded, o);
    if (rc == 0) return v;
    lp_value_unref(v);
    return NULL;
}

/* ---- duplicate rows ------------------------------------------------------------------ */

/* Mixes into h[i] a hash of column c's cell i that equal cells share (missing and NaN
 * alike; -0 as 0), for every row: the type is switched on once per column, not per
 * cell, and text is hashed eight bytes a step. Only placement in the row set depends
 * on these hashes; rows are compared cell by cell (rows_equal). */
static void hash_column(uint64_t *h, const lp_column *c, size_t j)
{
    const uint64_t missing = 0x2e, prime = 0x100000001b3ULL;
    size_t n = c->length;
    switch (c->type) {
    case LP_DT_FLOAT64:
        for (size_t i = 0; i < n; i++) {
            double x = c->data.f64[i];
            uint64_t b;
            if (x == 0) x = 0;
            memcpy(&b, &x, 8);
            uint64_t v = !lp_column_is_valid(c, i) || isnan(x) ? missing : lp_mix64(b);
            h[i] = (h[i] ^ v) * prime + j;
        }
        return;
    case LP_DT_INT64:
    case LP_DT_TIMESTAMP:
        for (size_t i = 0; i < n; i++) {
            uint64_t v = lp_column_is_valid(c, i) ? lp_mix64((uint64_t)c->data.i64[i]) : missing;
            h[i] = (h[i] ^ v) * prime + j;
        }
        return;
    case LP_DT_BOOL:
        for (size_t i = 0; i < n; i++) {
            uint64_t v = lp_column_is_valid(c, i) ? lp_mix64(c->data.b8[i] ? 3 : 2) : missing;
            h[i] = (h[i] ^ v) * prime + j;
        }
        return;
    default:
        for (size_t i = 0; i < n; i++) {
            size_t len = 0;
            const char *s = lp_column_is_valid(c, i) ? lp_column_str(c, i, &len) : NULL;
            uint64_t v = !lp_column_is_valid(c, i) ? missing : lp_prof_text_hash(s ? s : "", len);
            h[i] = (h[i] ^ v) * prime + j;
        }
        return;
    }
}

static bool cells_equal(const lp_column *c, size_t a, size_t b)
{
    bool va = lp_column_is_valid(c, a), vb = lp_column_is_valid(c, b);
    if (c->type == LP_DT_FLOAT64) {
        va = va && !isnan(c->data.f64[a]);
        vb = vb && !isnan(c->data.f64[b]);
    }
    if (!va || !vb) return va == vb;
    switch (c->type) {
    case LP_DT_FLOAT64:
        return c->data.f64[a] == c->data.f64[b];
    case LP_DT_INT64:
    case LP_DT_TIMESTAMP:
        return c->data.i64[a] == c->data.i64[b];
    case LP_DT_BOOL:
        return (c->data.b8[a] != 0) == (c->data.b8[b] != 0);
    default: {
        size_t la = 0, lb = 0;
        const char *sa = lp_column_str(c, a, &la), *sb = lp_column_str(c, b, &lb);
        return la == lb && (la == 0 || memcmp(sa, sb, la) == 0);
    }
    }
}

static bool rows_equal(const lp_frame *f, size_t a, size_t b)
{
    for (size_t j = 0; j < lp_frame_cols(f); j++)
        if (!cells_equal(lp_frame_col(f, j), a, b)) return false;
    return true;
}

typedef struct row_slot {
    uint64_t h;
    size_t row; /* row + 1; 0: empty */
} row_slot;

int lp_prof_duplicate_rows(size_t *out, const lp_frame *f)
{
    if (lp_frame_dups_recall(f, out)) return 0; /* counted by the profile or the checks */
    size_t n = lp_frame_rows(f), cap = 16;
    while (cap < 2 * n)
        cap *= 2;
    uint64_t *h = malloc((n ? n : 1) * sizeof *h);
    row_slot *set = calloc(cap, sizeof *set);
    if (!h || !set) {
        free(h);
        free(set);
        return lp_error_set(LP_ENOMEM, "out of memory looking for duplicate rows");
    }
    for (size_t i = 0; i < n; i++) /* column by column: one column's cells are adjacent */
        h[i] = 0x9e3779b97f4a7c15ULL;
    for (size_t j = 0; j < lp_frame_cols(f); j++)
        hash_column(h, lp_frame_col(f, j), j);
    size_t dups = 0;
    for (size_t i = 0; i < n; i++) { /* a row equal to an earlier one is a duplicate */
        uint64_t hi = lp_mix64(h[i]);
        size_t at = (size_t)hi & (cap - 1);
        bool dup = false;
        for (; set[at].row; at = (at + 1) & (cap - 1))
            if (set[at].h == hi && rows_equal(f, set[at].row - 1, i)) {
                dup = true;
                break;
            }
        if (dup)
            dups++;
        else
            set[at] = (row_slot){hi, i + 1};
    }
    free(h);
    free(set);
    lp_frame_dups_remember(f, dups);
    *out = dups;
    return 0;
}

static void works_free(lp_prof_work *w, size_t n)
{
    for (size_t j = 0; w && j < n; j++) {
        lp_prof_sorted_free(&w[j].sorted);
        lp_prof_coded_free(&w[j].coded);
    }
    free(w);
}

/* The per-column tasks of a profile (task `cols` counts the duplicate rows). */
typedef struct profile_job {
    const lp_frame *f;
    const lp_prof_options *o;
    lp_prof_work *work;
    lp_value **vars;
    char **errors; /* a failed task's message (its lp_error is thread-local) */
    size_t *order; /* the tasks in the order the threads take them */
    size_t dups;
} profile_job;

/* order = the tasks (columns, then `cols` for the duplicate rows), the costly ones
 * first: the duplicate rows and the text columns (hashing text costs more than
 * sorting numbers), then the rest in column order, so the threads do not wait on
 * a long task taken last. */
static void heavy_first(size_t *order, const lp_frame *f)
{
    size_t cols = lp_frame_cols(f), at = 0;
    order[at++] = cols;
    for (int pass = 0; pass < 2; pass++)
        for (size_t j = 0; j < cols; j++)
            if (!lp_prof_is_numeric(lp_frame_col(f, j)->type) == (pass == 0)) order[at++] = j;
}

static void column_task(void *ctx, size_t t, size_t worker)
{
    (void)worker;
    profile_job *p = ctx;
    size_t j = p->order[t];
    size_t rows = lp_frame_rows(p->f);
    int rc = 0;
    if (j == lp_frame_cols(p->f)) {
        rc = lp_prof_duplicate_rows(&p->dups, p->f);
    } else {
        p->vars[j] =
            variable(lp_frame_name(p->f, j), lp_frame_col(p->f, j), rows, p->o, &p->work[j]);
        rc = p->vars[j] ? 0 : LP_ERROR;
        lp_prof_sorted *x = &p->work[j].sorted; /* the correlations need only the rows */
        free(x->v);
        x->v = NULL;
        /* codes Cramér's V will not read (free text, ids, too many levels) go now, not
         * after the correlations: they would sit beside the ranks at the peak */
        lp_prof_coded *k = &p->work[j].coded;
        if (p->vars[j] && (!lp_prof_cramer_kind(p->vars[j]) || k->n > LP_PROF_MAX_CRAMER_LEVELS))
            lp_prof_coded_free(k);
    }
    if (rc) p->errors[j] = lp_error_format();
}

/* The variables in column order (each column on a thread), duplicate rows into *dups. */
static int profile_columns(lp_value *vars, size_t *dups, size_t *memory, profile_job *p)
{
    size_t cols = lp_frame_cols(p->f);
    heavy_first(p->order, p->f);
    lp_prof_parallel(lp_prof_threads(), cols + 1, column_task, p);
    int rc = 0;
    for (size_t j = 0; j <= cols; j++) {
        if (rc == 0 && p->errors[j]) {
            rc = lp_error_set(LP_ERROR, "%s", p->errors[j]);
            if (j < cols) lp_error_prefix("profile_data, column '%s'", lp_frame_name(p->f, j));
        }
        free(p->errors[j]);
        if (j == cols || !p->vars[j]) continue;
        *memory += (size_t)lp_value_as_int(lp_map_get(p->vars[j], "memory_bytes"));
        lp_list_append(vars, p->vars[j]);
    }
    *dups = p->dups;
    return rc;
}

lp_value *lp_prof_profile(const lp_frame *f, const lp_prof_options *o)
{
    lp_value *report = lp_value_map(), *vars = lp_value_list();
    size_t rows = lp_frame_rows(f), dups = 0, memory = 0, cols = lp_frame_cols(f);
    profile_job p = {.f = f, .o = o};
    p.work = calloc(cols + 1, sizeof *p.work);
    p.vars = calloc(cols + 1, sizeof *p.vars);
    p.errors = calloc(cols + 1, sizeof *p.errors);
    p.order = malloc((cols + 1) * sizeof *p.order);
    int rc = report && vars && p.work && p.vars && p.errors && p.order
                 ? 0
                 : lp_error_set(LP_ENOMEM, "out of memory");
    if (rc == 0) rc = profile_columns(vars, &dups, &memory, &p);
    if (rc == 0) {
        lp_map_set(report, "rows", lp_value_int((int64_t)rows));
        lp_map_set(report, "columns", lp_value_int((int64_t)cols));
        lp_map_set(report, "duplicate_rows", lp_value_int((int64_t)dups));
        lp_map_set(report, "memory_bytes", lp_value_int((int64_t)memory));
        lp_map_set(report, "variables", vars);
        vars = NULL;
        rc = lp_prof_correlations(report, f, lp_map_get(report, "variables"), p.work);
    }
    works_free(p.work, cols);
    free(p.vars);
    free(p.errors);
    free(p.order);
    if (rc == 0) rc = lp_prof_alerts(report, f, o);
    lp_value_unref(vars);
    if (rc == 0) return report;
    lp_value_unref(report);
    return NULL;
}
