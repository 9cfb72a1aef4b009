/*
 * profiler.h — LocalDataProfiler's pieces (internal; not public API):
 * the drift statistics (ks.c, kstwo.c, chi2.c, distances.c, histogram.c), value extraction and
 * category counts (values.c), HyperLogLog (hll.c), the profile (profile.c,
 * correlations.c, alerts.c), the comparison (drift.c) and the reports
 * (report_html.c, report_files.c).
 *
 * Samples passed to the statistics are borrowed, sorted ascending and free of
 * NaN; results are plain numbers. Reports are lp_value maps (new references).
 */
#ifndef LP_COMPONENTS_DATA_PROFILER_PROFILER_H
#define LP_COMPONENTS_DATA_PROFILER_PROFILER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/internal.h"
#include "lolpop/frame.h"
#include "lolpop/strbuf.h"
#include "lolpop/value.h"

/* ---- statistics ----------------------------------------------------------------- */

typedef struct lp_prof_ks {
    double statistic, pvalue;
    bool exact; /* false: scipy's asymptotic branch (kstwo.sf at n1 n2 / (n1 + n2)) */
} lp_prof_ks;

typedef struct lp_prof_test {
    double statistic, pvalue;
    size_t dof;
} lp_prof_test;

/* What an empty bin's share becomes in the PSI (evidently's feel_zeroes). */
#define LP_PROF_PSI_ZERO 0.0001

/* scipy.stats.ks_2samp(a, b) (two-sided, method 'auto'); a, b sorted. 0 or LP_E*. */
int lp_prof_ks_2samp(lp_prof_ks *out, const double *a, size_t na, const double *b, size_t nb);
/* scipy.stats.kstwo.sf(x, n): the two-sided one-sample KS survival function. */
double lp_prof_kstwo_sf(double x, int n);
/* The regularized upper incomplete gamma Q(a, x) (scipy.special.gammaincc). */
double lp_prof_gamma_q(double a, double x);
/* scipy.stats.chi2.sf(x, dof). */
double lp_prof_chi2_sf(double x, double dof);
/* scipy.stats.chi2_contingency(table) (row-major rows x cols counts, correction=True). */
int lp_prof_chi2_contingency(lp_prof_test *out, const double *table, size_t rows, size_t cols);
/* scipy.stats.wasserstein_distance(a, b); a, b sorted. */
double lp_prof_wasserstein(const double *a, size_t na, const double *b, size_t nb);
/* scipy.spatial.distance.jensenshannon(p, q) (normalised, natural log); no memory is
 * allocated, so it returns 0 (the int keeps the callers' error checks). */
int lp_prof_jensenshannon(double *out, const double *p, const double *q, size_t n);
/* Population stability index of shares ref, cur (zeros become LP_PROF_PSI_ZERO). */
double lp_prof_psi(const double *ref, const double *cur, size_t n);
/* numpy.histogram_bin_edges(x, 'sturges') for n values in [lo, hi] into edges
 * (cap entries at least 2); returns the number of bins. */
size_t lp_prof_sturges_edges(double *edges, size_t cap, double lo, double hi, size_t n);
/* numpy.histogram(sorted, edges) into counts[bins]. */
void lp_prof_bin_counts(double *counts, const double *sorted, size_t n, const double *edges,
                        size_t bins);
/* numpy.linspace(lo, hi, bins + 1) (lo - 0.5, hi + 0.5 when equal) into edges[bins + 1]. */
void lp_prof_linear_edges(double *edges, double lo, double hi, size_t bins);
/* numpy's linear quantile q of n sorted values (NaN when n is 0). */
double lp_prof_quantile(const double *sorted, size_t n, double q);

/* ---- values (values.c) ------------------------------------------------------------ */

/* Whether a column of type t is compared and profiled as numbers (float64,
 * int64, timestamp in microseconds). */
bool lp_prof_is_numeric(lp_dtype t);
/* The non-missing values of a numeric (or bool, as 0/1) column, sorted;
 * *out malloc'ed (caller frees). 0 or LP_ENOMEM. */
int lp_prof_sorted_values(double **out, size_t *n, const lp_column *c);

/* A numeric or bool column sorted once (sorted.c): its non-missing, non-NaN
 * values ascending (-0 as 0; bool as 0/1; timestamps in microseconds) and, when
 * asked, the row of each (ties in row order). */
typedef struct lp_prof_sorted {
    double *v;       /* owned; n values */
    uint32_t *row;   /* owned; n rows, or NULL when not asked for */
    size_t n;        /* values */
    size_t distinct; /* distinct values */
} lp_prof_sorted;
/* Sorts c's values into *out (radix sort; with_rows: keep the rows too). 0 or LP_E*;
 * free with lp_prof_sorted_free. */
int lp_prof_sort_column(lp_prof_sorted *out, const lp_column *c, bool with_rows);
void lp_prof_sorted_free(lp_prof_sorted *s);

/* A text-like column coded as integers in first-seen order (coded.c). */
#define LP_PROF_NO_CODE UINT32_MAX
typedef struct lp_prof_coded {
    uint32_t *code;  /* owned; per row, LP_PROF_NO_CODE when missing */
    size_t *count;   /* owned; rows per code */
    uint32_t *first; /* owned; first row of each code */
    size_t n;        /* distinct values (codes) */
} lp_prof_coded;
/* Codes c's cells by their text (lp_prof_cell_text) into *out. 0 or LP_E*; free
 * with lp_prof_coded_free. */
int lp_prof_code_column(lp_prof_coded *out, const lp_column *c);
void lp_prof_coded_free(lp_prof_coded *k);
/* The codes of the up to `want` most frequent values into top (counts
 * descending, ties first seen first); returns how many. */
size_t lp_prof_coded_top(size_t *top, const lp_prof_coded *k, size_t want);

/* One slot of lp_prof_counts' table: the key's hash beside its index, so a probe
 * reads one cache line and compares text only when the hashes match. */
typedef struct lp_prof_count_slot {
    uint64_t hash;
    size_t entry; /* key index + 1; 0: empty */
} lp_prof_count_slot;
/* A hash of text for the profiler's tables (coding, counting): eight bytes a step
 * instead of FNV's one, then lp_mix64-style finishing. Only placement in a table
 * depends on it, never an order or a result. */
static inline uint64_t lp_prof_text_hash(const char *s, size_t n)
{
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ (uint64_t)n;
    for (; n >= 8; s += 8, n -= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdULL;
        h ^= h >> 32;
    }
    uint64_t tail = 0;
    for (size_t i = 0; i < n; i++)
        tail |= (uint64_t)(uint8_t)s[i] << (8 * i);
    h = (h ^ tail) * 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebULL;
    return h ^ (h >> 31);
}

/* Counts of distinct values (as text) on up to two sides, in first-seen order. */
typedef struct lp_prof_counts {
    char **keys;      /* NUL-terminated, in the owned arena (not one malloc per key) */
    double *count[2]; /* per side */
    size_t n, cap;
    lp_prof_count_slot *slots; /* open addressing */
    size_t nslots;
    size_t *lens; /* per key: its length (no strlen per probe) */
    void *arena;  /* owned: the chunks holding the keys' bytes */
} lp_prof_counts;
/* Adds the non-missing cells of c to side (0 or 1). 0 or LP_ENOMEM. */
int lp_prof_counts_add(lp_prof_counts *t, int side, const lp_column *c);
void lp_prof_counts_free(lp_prof_counts *t);
/* Indexes of the up to `want` keys of t with the largest counts on side, by
 * decreasing count, ties first seen first; *have of them (malloc'ed; caller
 * frees), or NULL with LP_ENOMEM. */
size_t *lp_prof_counts_order(const lp_prof_counts *t, int side, size_t want, size_t *have);
/* Indexes of the up to `want` largest of cnt[0..n), by decreasing count, ties first
 * first; *have of them (malloc'ed; caller frees), or NULL with LP_ENOMEM. */
size_t *lp_prof_top_order(const double *cnt, size_t n, size_t want, size_t *have);

/* Counts of the distinct values of two string columns (tally.c), as
 * lp_prof_counts_add(ref) then (cur) would give them, found by sorting hashes: no
 * key is copied and no table kept (a fraction of lp_prof_counts' memory when nearly
 * every value is distinct). */
typedef struct lp_prof_tally {
    double *count[2];         /* owned; per side, n categories in first-seen order */
    uint32_t *first;          /* owned; per category its first cell: side 0's rows, then 1's */
    const lp_column *side[2]; /* borrowed: the counted columns (the categories' text) */
    size_t n;
} lp_prof_tally;
/* Tallies ref (side 0) and cur (side 1), both LP_DT_STRING, into *out (borrowing
 * them). 0; 1 when two different texts share a hash (nothing set: count with
 * lp_prof_counts instead); or LP_E*. Free with lp_prof_tally_free. */
int lp_prof_tally_strings(lp_prof_tally *out, const lp_column *ref, const lp_column *cur);
/* The text of category k (borrowed from its column) and its length. */
const char *lp_prof_tally_text(const lp_prof_tally *t, size_t k, size_t *len);
void lp_prof_tally_free(lp_prof_tally *t);

/* Cell i of a non-numeric-compared column as text into buf (bool "True" /
 * "False"; numbers %.17g); returns a pointer to the text (buf or the column's
 * bytes) and its length, or NULL when missing. */
const char *lp_prof_cell_text(const lp_column *c, size_t i, char *buf, size_t cap, size_t *len);
/* Whether lp_prof_cell_text gives NULL for cell i (a null cell, a float NaN), without
 * formatting the number: what a missing count needs. */
bool lp_prof_cell_missing(const lp_column *c, size_t i);

/* ---- threads (parallel.c) ------------------------------------------------------------ */

/* One task: index i, run by worker `worker` (0 .. threads - 1, for per-worker scratch). */
typedef void (*lp_prof_task_fn)(void *ctx, size_t i, size_t worker);
/* The threads the profile uses: the online cores, at most 16. */
size_t lp_prof_threads(void);
/* Runs fn for i in [0, n) on up to `threads` threads (the caller's among them) and
 * returns when all are done; tasks report failure through ctx. */
void lp_prof_parallel(size_t threads, size_t n, lp_prof_task_fn fn, void *ctx);

/* ---- HyperLogLog (hll.c) ---------------------------------------------------------- */

/* Estimated distinct non-missing values of c (HyperLogLog, 2^14 registers,
 * ~0.8% standard error). */
double lp_prof_hll_distinct(const lp_column *c);

/* ---- options ------------------------------------------------------------------------ */

typedef struct lp_prof_options {
    double p_threshold;       /* KS / chi-square: drift when p < this (0.05) */
    double wd_threshold;      /* normed Wasserstein: drift when >= this (0.1) */
    double js_threshold;      /* Jensen-Shannon: drift when >= this (0.1) */
    double psi_threshold;     /* PSI: reported as drifted_psi when >= this (0.1) */
    double drift_share;       /* dataset drift when this share of columns drift (0.5) */
    size_t small_rows;        /* tests (KS, chi-square) when a side has <= this many rows (1000) */
    size_t bins;              /* histogram bins of a profile (20) */
    size_t top;               /* top values per text column (10) */
    size_t exact_distinct;    /* above this many rows, distinct is a HyperLogLog estimate */
    double missing_alert;     /* share of missing cells (0.2) */
    double cardinality_alert; /* distinct / count of a text column (0.5) */
    double correlation_alert; /* |correlation| (0.9) */
    double imbalance_alert;   /* smallest class share of the target (0.1) */
    const char *target;       /* model_target, or NULL */
} lp_prof_options;

/* The defaults above. */
void lp_prof_options_default(lp_prof_options *o);

/* ---- profile and comparison --------------------------------------------------------- */

/* The profile of f: {rows, columns, duplicate_rows, memory_bytes, variables: [...],
 * correlations: {pearson, spearman, cramers_v}, alerts: [...]}. New reference or NULL. */
lp_value *lp_prof_profile(const lp_frame *f, const lp_prof_options *o);
/* Rows equal to an earlier row (pandas' duplicated().sum()) into *out, counted once per
 * frame (remembered on it, frame_dups.h: the checks reuse the profile's count). 0 or
 * LP_ENOMEM. */
int lp_prof_duplicate_rows(size_t *out, const lp_frame *f);
/* What the profile of one column keeps for the correlations (borrowed by them):
 * numbers and bools sorted with rows, text-like columns coded. */
typedef struct lp_prof_work {
    lp_prof_sorted sorted; /* n == 0 and v NULL when not numeric */
    lp_prof_coded coded;   /* code NULL when not text-like */
} lp_prof_work;
/* Cramér's V of a column with more levels than this is null (not computed). */
#define LP_PROF_MAX_CRAMER_LEVELS 200
/* Whether a profiled variable (its map in variables) takes part in Cramér's V by its
 * kind (categorical or boolean); its coded column is needed until then. */
bool lp_prof_cramer_kind(const lp_value *variable);
/* Adds correlations: {columns, pearson, spearman} and {columns, cramers_v} to report;
 * work[j] is column j's (borrowed; a coded column may have been freed when it is not
 * of a Cramér kind or has over LP_PROF_MAX_CRAMER_LEVELS levels: its V is null). */
int lp_prof_correlations(lp_value *report, const lp_frame *f, const lp_value *variables,
                         const lp_prof_work *work);
/* Pearson correlation of x, y over rows where both are not NaN (pandas' corr). */
double lp_prof_pearson(const double *x, const double *y, size_t n);
/* Adds alerts: [{kind, column, message}] to report from its variables and correlations. */
int lp_prof_alerts(lp_value *report, const lp_frame *f, const lp_prof_options *o);
/* The drift of current against reference: {columns: [...], drifted_columns, share,
 * dataset_drift, ...}. New reference or NULL. */
lp_value *lp_prof_compare(const lp_frame *current, const lp_frame *reference,
                          const lp_prof_options *o);

/* ---- reports ------------------------------------------------------------------------- */

/* Self-contained HTML of a profile / a comparison (new string, or NULL). */
char *lp_prof_profile_html(const lp_value *report, const char *title);
char *lp_prof_compare_html(const lp_value *report, const char *title);
/* Writes html to path and the report as JSON to path with .json for .html. 0 or LP_E*. */
int lp_prof_write_report(const char *path, const char *html, const lp_value *report);

#endif
