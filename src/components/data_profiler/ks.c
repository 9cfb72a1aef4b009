/*
 * ks.c — the two-sample Kolmogorov–Smirnov test as scipy.stats.ks_2samp
 * (two-sided, method 'auto') computes it.
 *
 * Why our own: no Debian C library we use has the exact two-sample
 * distribution (GSL is not in our stack, and it has no two-sample KS either).
 * The statistic is the largest gap between the two empirical CDFs, computed
 * as numpy does (count/n1 - count/n2 at every observed value). With
 * max(n1, n2) <= 10000 (scipy's MAX_AUTO_N) the p-value is exact: for
 * n1 == n2 the alternating sum of scipy's _compute_prob_outside_square, else
 * the lattice-path recursion of _compute_outer_prob_inside_method (Hodges
 * 1958), here with every count divided by its binomial coefficient so
 * nothing overflows (equal to scipy's to ~1e-15 on the fixtures). Larger
 * samples use the one-sample distribution at round(n1 n2 / (n1 + n2)) as
 * scipy does (kstwo.c).
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "components/data_profiler/profiler.h"

#define KS_MAX_AUTO_N 10000

static size_t gcd_size(size_t a, size_t b)
{
    while (b) {
        size_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* D = max |F1 - F2| over the observed values, as scipy's searchsorted(side='right'). */
static double ks_statistic(const double *a, size_t na, const double *b, size_t nb)
{
    size_t i = 0, j = 0;
    double dmax = 0, dmin = 0;
    while (i < na || j < nb) {
        double x = i < na && (j >= nb || a[i] <= b[j]) ? a[i] : b[j];
        while (i < na && a[i] <= x)
            i++;
        while (j < nb && b[j] <= x)
            j++;
        double diff = (double)i / (double)na - (double)j / (double)nb;
        if (diff > dmax) dmax = diff;
        if (diff < dmin) dmin = diff;
    }
    return -dmin > dmax ? -dmin : dmax;
}

/* Pr(D_{n,n} >= h/n): scipy's Horner-like alternating sum. */
static double prob_outside_square(size_t n, size_t h)
{
    double p = 0.0;
    for (long k = (long)(n / h); k >= 0; k--) {
        double p1 = 1.0;
        for (size_t j = 0; j < h; j++)
            p1 = ((double)n - (double)k * (double)h - (double)j) * p1 /
                 ((double)n + (double)k * (double)h + (double)j + 1);
        p = p1 * (1.0 - p);
    }
    return 2 * p;
}

/* Pr(D_{m,n} >= h/lcm): the lattice paths from (0, 0) to (m, n) that stay
 * inside |x/m - y/n| < h/lcm, one column at a time, each entry kept as the
 * count divided by binom(i + j, j) so it stays in [0, 1] and nothing
 * overflows: B(i, j) = (i B(i-1, j) + j B(i, j-1)) / (i + j), 0 outside
 * the band. The band's window slides as scipy's does. */
static int prob_outside_inside(double *out, size_t m, size_t n, size_t g, size_t h)
{
    if (m < n) {
        size_t t = m;
        m = n;
        n = t;
    }
    double mg = (double)(m / g), ng = (double)(n / g), hd = (double)h;
    long minj = 0, maxj = (long)ceil(hd / mg);
    if (maxj > (long)n + 1) maxj = (long)n + 1;
    long curlen = maxj - minj;
    double *A = calloc(n + 2, sizeof *A);
    if (!A) return lp_error_set(LP_ENOMEM, "out of memory in the KS test");
    for (long k = 0; k < maxj; k++)
        A[k] = 1.0;
    for (size_t i = 1; i <= m; i++) {
        long lastminj = minj, lastlen = curlen;
        minj = (long)floor((ng * (double)i - hd) / mg) + 1;
        if (minj < 0) minj = 0;
        if (minj > (long)n) minj = (long)n;
        maxj = (long)ceil((ng * (double)i + hd) / mg);
        if (maxj > (long)n + 1) maxj = (long)n + 1;
        if (maxj <= minj) {
            free(A);
            *out = 1.0;
            return 0;
        }
        double val = 0.0;
        for (long jj = 0; jj < maxj - minj; jj++) {
            double j = (double)(jj + minj);
            val = (A[jj + minj - lastminj] * (double)i + val * j) / ((double)i + j);
            A[jj] = val;
        }
        curlen = maxj - minj;
        for (long k = curlen; k < lastlen; k++) /* what slid out of the band */
            A[k] = 0.0;
    }
    *out = 1 - A[maxj - minj - 1];
    free(A);
    return 0;
}

int lp_prof_ks_2samp(lp_prof_ks *out, const double *a, size_t na, const double *b, size_t nb)
{
    if (na == 0 || nb == 0)
        return lp_error_set(LP_EINVAL, "the KS test needs values on both sides");
    double d = ks_statistic(a, na, b, nb);
    out->statistic = d;
    out->exact = (na > nb ? na : nb) <= KS_MAX_AUTO_N;
    if (out->exact) {
        size_t g = gcd_size(na, nb);
        double lcm = (double)(na / g) * (double)nb;
        size_t h = (size_t)nearbyint(d * lcm);
        out->statistic = (double)h / lcm;
        double p = 1.0;
        int rc = 0;
        if (h != 0 && na == nb)
            p = prob_outside_square(na, h);
        else if (h != 0)
            rc = prob_outside_inside(&p, na, nb, g, h);
        if (rc) return rc;
        if (isfinite(p) && p >= 0 && p <= 1) {
            out->pvalue = p;
            return 0;
        }
        out->exact = false; /* as scipy: an unsuccessful exact computation goes asymptotic */
    }
    double m = (double)(na > nb ? na : nb), n = (double)(na > nb ? nb : na);
    out->pvalue = lp_prof_kstwo_sf(out->statistic, (int)nearbyint(m * n / (m + n)));
    return 0;
}
