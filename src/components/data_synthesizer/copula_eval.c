/*
 * copula_eval.c — how close a synthetic frame is to the real one:
 *   numeric columns: the two-sample Kolmogorov–Smirnov statistic of the
 *     non-missing values (scipy.stats.ks_2samp's statistic);
 *   categorical columns: the total variation distance of the category
 *     frequencies among non-missing values, ½ Σ |p_real − p_fake|;
 *   every column: the missing rates of both;
 *   the numeric columns together: the largest absolute difference between
 *     the two Pearson correlation matrices (pairwise-complete rows, as pandas'
 *     DataFrame.corr; pairs undefined on either side — a constant column —
 *     are left out).
 * A statistic with no values to compare on one side is null.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "components/data_synthesizer/synth.h"

static int oom(void)
{
    return lp_error_set(LP_ENOMEM, "out of memory");
}

double lp_synth_ks(const double *a, size_t na, const double *b, size_t nb)
{
    double d = 0;
    size_t i = 0, j = 0;
    while (i < na && j < nb) {
        double x = a[i] < b[j] ? a[i] : b[j];
        while (i < na && a[i] <= x)
            i++;
        while (j < nb && b[j] <= x)
            j++;
        double gap = fabs((double)i / (double)na - (double)j / (double)nb);
        if (gap > d) d = gap;
    }
    return d;
}

static int dbl_cmp(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return (a > b) - (a < b);
}

/* The non-missing values of a numeric column as doubles, sorted. */
static double *sorted_values(const lp_column *c, size_t *n)
{
    double *v = malloc((c->length ? c->length : 1) * sizeof *v);
    if (!v) return NULL;
    *n = 0;
    for (size_t i = 0; i < c->length; i++)
        if (!lp_synth_is_missing(c, i)) v[(*n)++] = lp_column_get_f64(c, i);
    qsort(v, *n, sizeof *v, dbl_cmp);
    return v;
}

static int ks_value(lp_value **out, const lp_column *real, const lp_column *fake)
{
    size_t na = 0, nb = 0;
    double *a = sorted_values(real, &na), *b = sorted_values(fake, &nb);
    int rc = a && b ? 0 : oom();
    if (rc == 0) *out = na && nb ? lp_value_float(lp_synth_ks(a, na, b, nb)) : lp_value_null();
    free(a);
    free(b);
    return rc == 0 && !*out ? LP_ENOMEM : rc;
}

/* ---- total variation distance ------------------------------------------------------- */

/* A category's text and count on one side (0 real, 1 fake). */
typedef struct tally {
    const char *s;
    size_t len, count;
    int side;
} tally;

static int tally_cmp(const void *pa, const void *pb)
{
    const tally *a = pa, *b = pb;
    size_t n = a->len < b->len ? a->len : b->len;
    int c = n ? memcmp(a->s, b->s, n) : 0;
    if (c) return c;
    return (a->len > b->len) - (a->len < b->len);
}

/* Appends codes' present categories with their counts; *total = non-missing cells. */
static void add_tallies(tally *t, size_t *nt, const lp_column *codes, int side, size_t *total)
{
    const lp_column *dict = codes->data.cat.dict;
    size_t first = *nt;
    for (size_t k = 0; k < dict->length; k++) {
        t[*nt] = (tally){.side = side};
        t[*nt].s = lp_column_str(dict, k, &t[*nt].len);
        (*nt)++;
    }
    *total = 0;
    for (size_t i = 0; i < codes->length; i++)
        if (lp_column_is_valid(codes, i)) {
            t[first + (size_t)codes->data.cat.codes[i]].count++;
            (*total)++;
        }
}

/* ½ Σ |p_real − p_fake| over the union of categories, matched by text. */
static double tvd_of(tally *t, size_t nt, size_t total[2])
{
    qsort(t, nt, sizeof *t, tally_cmp);
    double sum = 0;
    for (size_t s = 0, e; s < nt; s = e) {
        double p[2] = {0, 0};
        for (e = s; e < nt && tally_cmp(&t[s], &t[e]) == 0; e++)
            p[t[e].side] += (double)t[e].count / (double)total[t[e].side];
        sum += fabs(p[0] - p[1]);
    }
    return 0.5 * sum;
}

static int tvd_value(lp_value **out, const lp_column *real, const lp_column *fake)
{
    lp_column *cr = NULL, *cf = NULL;
    int rc = lp_column_cast(&cr, real, LP_DT_CATEGORY);
    if (rc == 0) rc = lp_column_cast(&cf, fake, LP_DT_CATEGORY);
    size_t nt = 0, total[2] = {0, 0};
    tally *t = NULL;
    if (rc == 0) {
        t = malloc((cr->data.cat.dict->length + cf->data.cat.dict->length + 1) * sizeof *t);
        if (!t) rc = oom();
    }
    if (rc == 0) {
        add_tallies(t, &nt, cr, 0, &total[0]);
        add_tallies(t, &nt, cf, 1, &total[1]);
        *out = total[0] && total[1] ? lp_value_float(tvd_of(t, nt, total)) : lp_value_null();
        if (!*out) rc = LP_ENOMEM;
    }
    free(t);
    lp_column_unref(cr);
    lp_column_unref(cf);
    return rc;
}

/* ---- per column --------------------------------------------------------------------- */

static double missing_rate(const lp_column *c)
{
    size_t miss = 0;
    for (size_t i = 0; i < c->length; i++)
        miss += lp_synth_is_missing(c, i);
    return c->length ? (double)miss / (double)c->length : 0.0;
}

static int column_entry(lp_value **out, const char *name, const lp_column *real,
                        const lp_column *fake)
{
    lp_synth_kind kind = lp_synth_kind_of(real->type);
    if (lp_synth_kind_of(fake->type) != kind)
        return lp_error_set(
            LP_EINVAL, "column '%s' is %s in the real frame (%s) but %s in the fake one (%s)", name,
            lp_synth_kind_name(kind), lp_dtype_name(real->type),
            lp_synth_kind_name(lp_synth_kind_of(fake->type)), lp_dtype_name(fake->type));
    lp_value *stat = NULL, *e = lp_value_map();
    int rc = e ? 0 : LP_ENOMEM;
    if (rc == 0)
        rc = kind == LP_SYNTH_NUMERIC ? ks_value(&stat, real, fake) : tvd_value(&stat, real, fake);
    if (rc == 0) {
        lp_map_put(e, "column", lp_value_string(name));
        lp_map_put(e, "kind", lp_value_string(lp_synth_kind_name(kind)));
        lp_map_put(e, kind == LP_SYNTH_NUMERIC ? "ks" : "tvd", stat);
        lp_map_put(e, "missing_real", lp_value_float(missing_rate(real)));
        lp_map_put(e, "missing_fake", lp_value_float(missing_rate(fake)));
        *out = e;
        return lp_map_len(e) == 5 ? 0 : oom();
    }
    lp_value_unref(e);
    return rc;
}

/* ---- correlations ------------------------------------------------------------------- */

/* Pearson's r of two columns over rows where both are present; NaN when
 * undefined (fewer than two rows, or a constant side). Two passes: the
 * means first, so that large offsets (timestamps) cost no precision. */
static double pearson(const lp_column *a, const lp_column *b)
{
    double ma = 0, mb = 0;
    size_t c = 0;
    for (size_t i = 0; i < a->length; i++)
        if (!lp_synth_is_missing(a, i) && !lp_synth_is_missing(b, i)) {
            ma += lp_column_get_f64(a, i);
            mb += lp_column_get_f64(b, i);
            c++;
        }
    if (c < 2) return NAN;
    ma /= (double)c;
    mb /= (double)c;
    double sab = 0, saa = 0, sbb = 0;
    for (size_t i = 0; i < a->length; i++)
        if (!lp_synth_is_missing(a, i) && !lp_synth_is_missing(b, i)) {
            double x = lp_column_get_f64(a, i) - ma, y = lp_column_get_f64(b, i) - mb;
            sab += x * y;
            saa += x * x;
            sbb += y * y;
        }
    if (!(saa > 0) || !(sbb > 0)) return NAN;
    double r = sab / sqrt(saa * sbb);
    return r > 1 ? 1 : r < -1 ? -1 : r;
}

/* Sets max_corr_diff (and max_corr_pair when defined) on the report. */
static int corr_diff(lp_value *report, const lp_frame *real, const lp_frame *fake)
{
    size_t d = lp_frame_cols(real), best_a = 0, best_b = 0;
    double best = NAN;
    for (size_t a = 0; a < d; a++) {
        const lp_column *ra = lp_frame_col(real, a);
        if (lp_synth_kind_of(ra->type) != LP_SYNTH_NUMERIC) continue;
        const lp_column *fa = lp_frame_col_by_name(fake, lp_frame_name(real, a));
        for (size_t b = a + 1; b < d; b++) {
            const lp_column *rb = lp_frame_col(real, b);
            if (lp_synth_kind_of(rb->type) != LP_SYNTH_NUMERIC) continue;
            const lp_column *fb = lp_frame_col_by_name(fake, lp_frame_name(real, b));
            double diff = fabs(pearson(ra, rb) - pearson(fa, fb));
            if (!isnan(diff) && (isnan(best) || diff > best)) {
                best = diff;
                best_a = a;
                best_b = b;
            }
        }
    }
    if (isnan(best)) return lp_map_set(report, "max_corr_diff", lp_value_null());
    lp_value *pair = lp_value_list();
    if (!pair) return LP_ENOMEM;
    lp_list_append(pair, lp_value_string(lp_frame_name(real, best_a)));
    lp_list_append(pair, lp_value_string(lp_frame_name(real, best_b)));
    int rc = lp_map_set(report, "max_corr_diff", lp_value_float(best));
    if (rc == 0) rc = lp_map_set(report, "max_corr_pair", pair);
    return rc;
}

/* ---- the report --------------------------------------------------------------------- */

static int column_entries(lp_value *list, const lp_frame *real, const lp_frame *fake)
{
    for (size_t j = 0; j < lp_frame_cols(real); j++) {
        const char *name = lp_frame_name(real, j);
        const lp_column *fc = lp_frame_col_by_name(fake, name);
        if (!fc)
            return lp_error_set(LP_EINVAL, "the fake frame has no column '%s' (the real one has)",
                                name);
        lp_value *e = NULL;
        int rc = column_entry(&e, name, lp_frame_col(real, j), fc);
        if (rc == 0) rc = lp_list_append(list, e);
        if (rc) return rc;
    }
    return 0;
}

int lp_synth_evaluate(lp_value **out, const lp_frame *real, const lp_frame *fake)
{
    *out = NULL;
    lp_value *report = lp_value_map(), *cols = lp_value_list();
    int rc = report && cols ? 0 : LP_ENOMEM;
    if (rc == 0) rc = column_entries(cols, real, fake);
    if (rc == 0) {
        rc = lp_map_set(report, "rows_real", lp_value_int((int64_t)lp_frame_rows(real)));
        if (rc == 0)
            rc = lp_map_set(report, "rows_fake", lp_value_int((int64_t)lp_frame_rows(fake)));
        if (rc == 0) {
            rc = lp_map_set(report, "columns", cols); /* takes cols, even on failure */
            cols = NULL;
        }
    }
    if (rc == 0) rc = corr_diff(report, real, fake);
    lp_value_unref(cols);
    if (rc) {
        lp_value_unref(report);
        return rc;
    }
    *out = report;
    return 0;
}
