/*
 * distances.c — distances between two samples: the 1-Wasserstein distance
 * (scipy.stats.wasserstein_distance), the Jensen–Shannon distance
 * (scipy.spatial.distance.jensenshannon, natural log) and the population
 * stability index over evidently's bins. Sums accumulate in long double so
 * the order of summation (numpy sums pairwise) does not show at 1e-9.
 */
#include <math.h>

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

/* p log(p / m), summed where p > 0 (scipy.special.rel_entr). */
static void add_rel_entr(long double *sum, double p, double m)
{
    if (p > 0) *sum += (long double)p * logl((long double)p / (long double)m);
}

int lp_prof_jensenshannon(double *out, const double *p, const double *q, size_t n)
{
    /* the normalised shares and their mean are made one category at a time (no
     * arrays: a text column may have a category per row); each of the two sums
     * keeps its own accumulator, so the sums are what two passes gave */
    long double sp = 0, sq = 0, sum_p = 0, sum_q = 0;
    for (size_t k = 0; k < n; k++) {
        sp += p[k];
        sq += q[k];
    }
    for (size_t k = 0; k < n; k++) {
        double pn = (double)(p[k] / sp), qn = (double)(q[k] / sq), m = (pn + qn) / 2.0;
        add_rel_entr(&sum_p, pn, m);
        add_rel_entr(&sum_q, qn, m);
    }
    long double js = sum_p + sum_q;
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
