/*
 * distances.c — distances between two samples: the 1-Wasserstein distance
 * (scipy.stats.wasserstein_distance), the Jensen–Shannon distance
 * (scipy.spatial.distance.jensenshannon, natural log) and the population
 * stability index over evidently's bins. Sums accumulate in long double so
 * the order of summation (numpy sums pairwise) does not show at 1e-9.
 */
#include <math.h>
#include <stdlib.h>

#include "components/data_profiler/profiler.h"

double lp_prof_wasserstein(const double *a, size_t na, const double *b, size_t nb)
{
    /* integral of |F_a - F_b| over the merged sorted values (scipy's _cdf_distance, p = 1) */
    size_t i = 0, j = 0;
    long double sum = 0;
    double prev = 0;
    bool first = true;
    while (i < na || j < nb) {
        double x = i < na && (j >= nb || a[i] <= b[j]) ? a[i] : b[j];
        if (!first) {
            double fa = (double)i / (double)na, fb = (double)j / (double)nb;
            sum += (long double)fabs(fa - fb) * (long double)(x - prev);
        }
        first = false;
        while (i < na && a[i] <= x)
            i++;
        while (j < nb && b[j] <= x)
            j++;
        prev = x;
    }
    return (double)sum;
}

/* sum p log(p / m) over p > 0 (scipy.special.rel_entr). */
static long double rel_entr_sum(const double *p, const double *m, size_t n)
{
    long double s = 0;
    for (size_t k = 0; k < n; k++)
        if (p[k] > 0) s += (long double)p[k] * logl((long double)p[k] / (long double)m[k]);
    return s;
}

int lp_prof_jensenshannon(double *out, const double *p, const double *q, size_t n)
{
    double *pn = malloc((n ? n : 1) * 3 * sizeof *pn);
    if (!pn) return lp_error_set(LP_ENOMEM, "out of memory in the Jensen-Shannon distance");
    double *qn = pn + n, *m = qn + n;
    long double sp = 0, sq = 0;
    for (size_t k = 0; k < n; k++) {
        sp += p[k];
        sq += q[k];
    }
    for (size_t k = 0; k < n; k++) {
        pn[k] = (double)(p[k] / sp);
        qn[k] = (double)(q[k] / sq);
        m[k] = (pn[k] + qn[k]) / 2.0;
    }
    long double js = rel_entr_sum(pn, m, n) + rel_entr_sum(qn, m, n);
    free(pn);
    *out = sqrt((double)(js / 2.0L));
    return 0;
}

double lp_prof_psi(const double *ref, const double *cur, size_t n)
{
    long double s = 0;
    for (size_t k = 0; k < n; k++) {
        double r = ref[k] == 0 ? LP_PROF_PSI_ZERO : ref[k],
               c = cur[k] == 0 ? LP_PROF_PSI_ZERO : cur[k];
        s += (long double)(r - c) * logl((long double)r / (long double)c);
    }
    return (double)s;
}
