/*
 * chi2.c — the chi-square distribution's survival function and
 * scipy.stats.chi2_contingency (Pearson's statistic, Yates' correction when
 * the table has one degree of freedom, as scipy's default correction=True).
 *
 * Why our own: the survival function is the regularized upper incomplete
 * gamma Q(k/2, x/2); no C library in our stack has it (GSL is not a
 * dependency and libm has only lgamma), and a series plus a Lentz continued
 * fraction (Numerical Recipes §6.2) gives ~1e-15 relative accuracy in 60 lines.
 */
#include <float.h>
#include <math.h>
#include <stdlib.h>

#include "components/data_profiler/profiler.h"

#define GAMMA_ITMAX 10000
#define GAMMA_EPS   1e-16

/* P(a, x) by its series; converges fast for x < a + 1. */
static double gamma_p_series(double a, double x)
{
    double ap = a, sum = 1.0 / a, del = sum;
    for (int n = 0; n < GAMMA_ITMAX; n++) {
        ap += 1;
        del *= x / ap;
        sum += del;
        if (fabs(del) < fabs(sum) * GAMMA_EPS) break;
    }
    return sum * exp(-x + a * log(x) - lgamma(a));
}

/* Q(a, x) by its continued fraction (modified Lentz); for x >= a + 1. */
static double gamma_q_fraction(double a, double x)
{
    double b = x + 1 - a, c = 1 / DBL_MIN, d = 1 / b, h = d;
    for (int i = 1; i < GAMMA_ITMAX; i++) {
        double an = -i * (i - a);
        b += 2;
        d = an * d + b;
        if (fabs(d) < DBL_MIN) d = DBL_MIN;
        c = b + an / c;
        if (fabs(c) < DBL_MIN) c = DBL_MIN;
        d = 1 / d;
        double del = d * c;
        h *= del;
        if (fabs(del - 1) < GAMMA_EPS) break;
    }
    return exp(-x + a * log(x) - lgamma(a)) * h;
}

double lp_prof_gamma_q(double a, double x)
{
    if (!(a > 0) || isnan(x)) return NAN;
    if (x <= 0) return 1.0;
    if (isinf(x)) return 0.0;
    return x < a + 1 ? 1.0 - gamma_p_series(a, x) : gamma_q_fraction(a, x);
}

double lp_prof_chi2_sf(double x, double dof)
{
    return lp_prof_gamma_q(dof / 2, x / 2);
}

int lp_prof_chi2_contingency(lp_prof_test *out, const double *table, size_t rows, size_t cols)
{
    double *rsum = calloc(rows ? rows : 1, sizeof *rsum),
           *csum = calloc(cols ? cols : 1, sizeof *csum);
    if (!rsum || !csum) {
        free(rsum);
        free(csum);
        return lp_error_set(LP_ENOMEM, "out of memory in the chi-square test");
    }
    double total = 0;
    for (size_t r = 0; r < rows; r++)
        for (size_t c = 0; c < cols; c++) {
            rsum[r] += table[r * cols + c];
            csum[c] += table[r * cols + c];
            total += table[r * cols + c];
        }
    size_t dof = rows && cols ? (rows - 1) * (cols - 1) : 0;
    double chi2 = 0;
    int rc = 0;
    for (size_t r = 0; rc == 0 && r < rows; r++)
        for (size_t c = 0; c < cols; c++) {
            double e = rsum[r] * csum[c] / total, o = table[r * cols + c];
            if (!(e > 0)) {
                rc = lp_error_set(LP_EINVAL, "the chi-square test needs every row and column of "
                                             "the table to have a count");
                break;
            }
            if (dof == 1) { /* Yates: move each count half a unit toward its expectation */
                double diff = e - o, mag = fabs(diff) < 0.5 ? fabs(diff) : 0.5;
                o += diff > 0 ? mag : diff < 0 ? -mag : 0;
            }
            chi2 += (o - e) * (o - e) / e;
        }
    free(rsum);
    free(csum);
    if (rc) return rc;
    out->statistic = dof == 0 ? 0.0 : chi2;
    out->pvalue = dof == 0 ? 1.0 : lp_prof_chi2_sf(chi2, (double)dof);
    out->dof = dof;
    return 0;
}
