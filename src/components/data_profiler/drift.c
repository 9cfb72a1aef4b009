/*
 * drift.c — compare_data: per-column drift of a current frame against a
 * reference one with evidently's default rules.
 *
 *   numbers (float64, int64, timestamp on both sides):
 *     a side with <= small_rows values: KS p-value, drift when p < p_threshold
 *     otherwise: Wasserstein distance / std(reference) (ddof 0, at least
 *     0.001, as evidently), drift when >= wd_threshold
 *   categories (anything else):
 *     a side with <= small_rows values: chi2_contingency p-value of the 2 x k
 *     table of counts, drift when p < p_threshold
 *     otherwise: Jensen-Shannon distance of the shares, drift when >= js_threshold
 * Every column also gets the PSI over evidently's bins (Sturges' bins of both
 * samples for numbers, the categories for the rest; empty bins 0.0001). The
 * dataset drifts when at least drift_share of the compared columns drift.
 * Columns present on one side only are listed, not compared.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "components/data_profiler/profiler.h"

#define MAX_SHOWN_CATEGORIES 20

void lp_prof_options_default(lp_prof_options *o)
{
    *o = (lp_prof_options){.p_threshold = 0.05,
                           .wd_threshold = 0.1,
                           .js_threshold = 0.1,
                           .psi_threshold = 0.1,
                           .drift_share = 0.5,
                           .small_rows = 1000,
                           .bins = 20,
                           .top = 10,
                           .exact_distinct = 1000000,
                           .missing_alert = 0.2,
                           .cardinality_alert = 0.5,
                           .correlation_alert = 0.9,
                           .imbalance_alert = 0.1};
}

static lp_value *float_list(const double *v, size_t n)
{
    lp_value *l = lp_value_list();
    for (size_t i = 0; l && i < n; i++)
        if (lp_list_append(l, lp_value_float(v[i])) != 0) {
            lp_value_unref(l);
            return NULL;
        }
    return l;
}

/* Shares of counts (sum total) into out. */
static void shares(double *out, const double *counts, size_t n, double total)
{
    for (size_t i = 0; i < n; i++)
        out[i] = total > 0 ? counts[i] / total : 0;
}

static double population_std(const double *v, size_t n)
{
    long double s = 0, ss = 0;
    for (size_t i = 0; i < n; i++)
        s += v[i];
    long double mean = s / (long double)n;
    for (size_t i = 0; i < n; i++)
        ss += ((long double)v[i] - mean) * ((long double)v[i] - mean);
    return sqrt((double)(ss / (long double)n));
}

/* Numbers: the test or distance, the PSI and the bins for the report. */
static int numeric_drift(lp_value *col, const lp_column *cur, const lp_column *ref,
                         const lp_prof_options *o)
{
    double *a = NULL, *b = NULL, edges[64], cnt_a[64], cnt_b[64], sh_a[64], sh_b[64];
    size_t na = 0, nb = 0;
    int rc = lp_prof_sorted_values(&a, &na, ref);
    if (rc == 0) rc = lp_prof_sorted_values(&b, &nb, cur);
    if (rc == 0 && (na == 0 || nb == 0)) {
        lp_map_set(col, "method", lp_value_string("none"));
        lp_map_set(col, "drifted", lp_value_bool(false));
        lp_map_set(col, "note", lp_value_string("no values on one side"));
        goto done;
    }
    if (rc) goto done;
    bool small = na <= o->small_rows || nb <= o->small_rows;
    double stat, threshold;
    bool drifted;
    if (small) {
        lp_prof_ks ks;
        if ((rc = lp_prof_ks_2samp(&ks, a, na, b, nb)) != 0) goto done;
        stat = ks.pvalue;
        threshold = o->p_threshold;
        drifted = stat < threshold;
        lp_map_set(col, "method", lp_value_string("ks"));
        lp_map_set(col, "test_statistic", lp_value_float(ks.statistic));
        lp_map_set(col, "exact", lp_value_bool(ks.exact));
    } else {
        double sd = population_std(a, na);
        double wd = lp_prof_wasserstein(a, na, b, nb);
        stat = wd / (sd > 0.001 ? sd : 0.001);
        threshold = o->wd_threshold;
        drifted = stat >= threshold;
        lp_map_set(col, "method", lp_value_string("wasserstein"));
        lp_map_set(col, "test_statistic", lp_value_float(wd));
    }
    lp_map_set(col, "statistic", lp_value_float(stat));
    lp_map_set(col, "threshold", lp_value_float(threshold));
    lp_map_set(col, "drifted", lp_value_bool(drifted));
    double lo = a[0] < b[0] ? a[0] : b[0], hi = a[na - 1] > b[nb - 1] ? a[na - 1] : b[nb - 1];
    size_t bins = lp_prof_sturges_edges(edges, 64, lo, hi, na + nb);
    lp_prof_bin_counts(cnt_a, a, na, edges, bins);
    lp_prof_bin_counts(cnt_b, b, nb, edges, bins);
    shares(sh_a, cnt_a, bins, (double)na);
    shares(sh_b, cnt_b, bins, (double)nb);
    lp_map_set(col, "psi", lp_value_float(lp_prof_psi(sh_a, sh_b, bins)));
    lp_map_set(col, "bin_edges", float_list(edges, bins + 1));
    lp_map_set(col, "reference_shares", float_list(sh_a, bins));
    lp_map_set(col, "current_shares", float_list(sh_b, bins));
done:
    free(a);
    free(b);
    return rc;
}

/* A comparison's category counts: sorted out of the text when both sides hold
 * strings (lp_prof_tally: a fraction of the table's memory for columns of mostly
 * distinct values), else counted in the table (any type, as text). The same counts in
 * the same first-seen order either way. */
typedef struct category_counts {
    double *count[2]; /* borrowed from tally or table; n per side */
    size_t n;
    bool tallied;
    lp_prof_tally tally;
    lp_prof_counts table;
} category_counts;

static int count_categories(category_counts *k, const lp_column *cur, const lp_column *ref)
{
    memset(k, 0, sizeof *k);
    int rc = 1;
    if (ref->type == LP_DT_STRING && cur->type == LP_DT_STRING)
        rc = lp_prof_tally_strings(&k->tally, ref, cur);
    if (rc < 0) return rc;
    k->tallied = rc == 0;
    if (k->tallied) {
        k->count[0] = k->tally.count[0];
        k->count[1] = k->tally.count[1];
        k->n = k->tally.n;
        return 0;
    }
    rc = lp_prof_counts_add(&k->table, 0, ref); /* 1: two texts share a hash */
    if (rc == 0) rc = lp_prof_counts_add(&k->table, 1, cur);
    if (rc) {
        lp_prof_counts_free(&k->table);
        return rc;
    }
    k->count[0] = k->table.count[0];
    k->count[1] = k->table.count[1];
    k->n = k->table.n;
    return 0;
}

static void category_counts_free(category_counts *k)
{
    if (k->tallied)
        lp_prof_tally_free(&k->tally);
    else
        lp_prof_counts_free(&k->table);
}

static lp_value *category_label(const category_counts *k, size_t i)
{
    if (!k->tallied) return lp_value_string(k->table.keys[i]);
    size_t len = 0;
    const char *s = lp_prof_tally_text(&k->tally, i, &len);
    return lp_value_stringn(s, len);
}

/* The shown categories (order: the largest on the reference side) for the report:
 * labels and both sides' shares. */
static void category_bars(lp_value *col, const category_counts *k, const double *sa,
                          const double *sb, const size_t *order, size_t shown)
{
    lp_value *labels = lp_value_list(), *ra = lp_value_list(), *rb = lp_value_list();
    for (size_t i = 0; labels && ra && rb && i < shown; i++) {
        lp_list_append(labels, category_label(k, order[i]));
        lp_list_append(ra, lp_value_float(sa[order[i]]));
        lp_list_append(rb, lp_value_float(sb[order[i]]));
    }
    lp_map_set(col, "categories", labels);
    lp_map_set(col, "reference_shares", ra);
    lp_map_set(col, "current_shares", rb);
}

/* Categories: chi-square or Jensen-Shannon, the PSI and the shares. */
static int category_drift(lp_value *col, const lp_column *cur, const lp_column *ref,
                          const lp_prof_options *o)
{
    category_counts k;
    int rc = count_categories(&k, cur, ref);
    if (rc) return rc;
    double na = 0, nb = 0;
    for (size_t i = 0; i < k.n; i++) {
        na += k.count[0][i];
        nb += k.count[1][i];
    }
    if (na == 0 || nb == 0) {
        lp_map_set(col, "method", lp_value_string("none"));
        lp_map_set(col, "drifted", lp_value_bool(false));
        lp_map_set(col, "note", lp_value_string("no values on one side"));
        category_counts_free(&k);
        return 0;
    }
    size_t shown = 0, *order = lp_prof_top_order(k.count[0], k.n, MAX_SHOWN_CATEGORIES, &shown);
    if (!order) rc = LP_ENOMEM;
    double stat = 0, threshold = 0;
    bool drifted = false;
    if (rc == 0 && (na <= (double)o->small_rows || nb <= (double)o->small_rows)) {
        double *table = malloc(2 * k.n * sizeof *table); /* the 2 x n contingency table */
        lp_prof_test chi = {0};
        if (!table) rc = lp_error_set(LP_ENOMEM, "out of memory");
        if (rc == 0) {
            memcpy(table, k.count[0], k.n * sizeof *table);
            memcpy(table + k.n, k.count[1], k.n * sizeof *table);
            rc = lp_prof_chi2_contingency(&chi, table, 2, k.n);
        }
        free(table);
        stat = chi.pvalue;
        threshold = o->p_threshold;
        drifted = stat < threshold;
        lp_map_set(col, "method", lp_value_string("chi2"));
        lp_map_set(col, "test_statistic", lp_value_float(chi.statistic));
    } else if (rc == 0) {
        rc = lp_prof_jensenshannon(&stat, k.count[0], k.count[1], k.n);
        threshold = o->js_threshold;
        drifted = stat >= threshold;
        lp_map_set(col, "method", lp_value_string("jensenshannon"));
    }
    if (rc == 0) {
        /* the counts become the shares in place: the tests above were their last use
         * as counts, and a column of distinct values would need 16 bytes a value more */
        double *sa = k.count[0], *sb = k.count[1];
        shares(sa, sa, k.n, na);
        shares(sb, sb, k.n, nb);
        lp_map_set(col, "statistic", lp_value_float(stat));
        lp_map_set(col, "threshold", lp_value_float(threshold));
        lp_map_set(col, "drifted", lp_value_bool(drifted));
        lp_map_set(col, "psi", lp_value_float(lp_prof_psi(sa, sb, k.n)));
        category_bars(col, &k, sa, sb, order, shown);
    }
    free(order);
    category_counts_free(&k);
    return rc;
}

static lp_value *column_drift(const char *name, const lp_column *cur, const lp_column *ref,
                              const lp_prof_options *o)
{
    bool num = lp_prof_is_numeric(cur->type) && lp_prof_is_numeric(ref->type);
    lp_value *col = lp_value_map();
    if (!col) return NULL;
    lp_map_set(col, "column", lp_value_string(name));
    lp_map_set(col, "kind", lp_value_string(num ? "num" : "cat"));
    lp_map_set(col, "reference_rows", lp_value_int((int64_t)ref->length));
    lp_map_set(col, "current_rows", lp_value_int((int64_t)cur->length));
    int rc = num ? numeric_drift(col, cur, ref, o) : category_drift(col, cur, ref, o);
    if (rc == 0) {
        const lp_value *psi = lp_map_get(col, "psi");
        if (psi)
            lp_map_set(col, "psi_drifted",
                       lp_value_bool(lp_value_as_float(psi) >= o->psi_threshold));
        return col;
    }
    lp_value_unref(col);
    return NULL;
}

/* Names of a's columns missing from b, as a list. */
static lp_value *missing_names(const lp_frame *a, const lp_frame *b)
{
    lp_value *l = lp_value_list();
    for (size_t j = 0; l && j < lp_frame_cols(a); j++)
        if (lp_frame_find(b, lp_frame_name(a, j)) < 0)
            lp_list_append(l, lp_value_string(lp_frame_name(a, j)));
    return l;
}

/* The columns of a comparison, each on a thread. */
typedef struct compare_job {
    const lp_frame *current, *reference;
    const lp_prof_options *o;
    lp_value **out; /* per column of current; NULL when only in current */
    char **errors;  /* a failed column's message (lp_error is thread-local) */
    size_t *order;  /* the columns in the order the threads take them */
} compare_job;

/* Whether column j is compared by its text: counting text costs several times
 * sorting numbers, so these go first and the threads do not wait on one at the end. */
static bool compared_as_text(const lp_frame *f, size_t j)
{
    return !lp_prof_is_numeric(lp_frame_col(f, j)->type);
}

/* order = the columns of f, the text-compared ones first, each group in column order. */
static void heavy_first(size_t *order, const lp_frame *f)
{
    size_t k = lp_frame_cols(f), at = 0;
    for (int pass = 0; pass < 2; pass++)
        for (size_t j = 0; j < k; j++)
            if (compared_as_text(f, j) == (pass == 0)) order[at++] = j;
}

static void compare_task(void *ctx, size_t t, size_t worker)
{
    (void)worker;
    compare_job *c = ctx;
    size_t j = c->order[t];
    const char *name = lp_frame_name(c->current, j);
    const lp_column *ref = lp_frame_col_by_name(c->reference, name);
    if (!ref) return;
    c->out[j] = column_drift(name, lp_frame_col(c->current, j), ref, c->o);
    if (!c->out[j]) c->errors[j] = lp_strdup(lp_error_last()->message);
}

lp_value *lp_prof_compare(const lp_frame *current, const lp_frame *reference,
                          const lp_prof_options *o)
{
    lp_value *report = lp_value_map(), *cols = lp_value_list();
    if (!report || !cols) {
        lp_value_unref(report);
        lp_value_unref(cols);
        lp_error_set(LP_ENOMEM, "out of memory");
        return NULL;
    }
    size_t compared = 0, drifted = 0, k = lp_frame_cols(current);
    compare_job job = {current,
                       reference,
                       o,
                       calloc(k + 1, sizeof(lp_value *)),
                       calloc(k + 1, sizeof(char *)),
                       malloc((k + 1) * sizeof(size_t))};
    if (!job.out || !job.errors || !job.order) {
        free(job.out);
        free(job.errors);
        free(job.order);
        lp_value_unref(cols);
        lp_value_unref(report);
        lp_error_set(LP_ENOMEM, "out of memory");
        return NULL;
    }
    heavy_first(job.order, current);
    lp_prof_parallel(lp_prof_threads(), k, compare_task, &job);
    free(job.order);
    int rc = 0;
    for (size_t j = 0; j < k; j++) {
        lp_value *c = job.out[j];
        if (rc == 0 && job.errors[j])
            rc = lp_error_set(LP_ERROR, "compare_data, column '%s': %s", lp_frame_name(current, j),
                              job.errors[j]);
        free(job.errors[j]);
        if (rc == 0 && !c && lp_frame_col_by_name(reference, lp_frame_name(current, j)))
            rc = lp_error_set(LP_ENOMEM, "compare_data, column '%s': out of memory",
                              lp_frame_name(current, j));
        if (!c || rc) {
            lp_value_unref(c);
            continue;
        }
        if (strcmp(lp_value_as_string(lp_map_get(c, "method")), "none") != 0) compared++;
        drifted += lp_value_as_bool(lp_map_get(c, "drifted"));
        lp_list_append(cols, c);
    }
    free(job.out);
    free(job.errors);
    if (rc) {
        lp_value_unref(cols);
        lp_value_unref(report);
        return NULL;
    }
    double share = compared ? (double)drifted / (double)compared : 0;
    lp_map_set(report, "reference_rows", lp_value_int((int64_t)lp_frame_rows(reference)));
    lp_map_set(report, "current_rows", lp_value_int((int64_t)lp_frame_rows(current)));
    lp_map_set(report, "columns", cols);
    lp_map_set(report, "compared_columns", lp_value_int((int64_t)compared));
    lp_map_set(report, "drifted_columns", lp_value_int((int64_t)drifted));
    lp_map_set(report, "drift_share", lp_value_float(share));
    lp_map_set(report, "drift_share_threshold", lp_value_float(o->drift_share));
    lp_map_set(report, "dataset_drift", lp_value_bool(compared > 0 && share >= o->drift_share));
    lp_map_set(report, "only_in_reference", missing_names(reference, current));
    lp_map_set(report, "only_in_current", missing_names(current, reference));
    return report;
}
