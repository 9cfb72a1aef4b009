/*
 * histogram.c — bins and quantiles as numpy computes them: Sturges' edges
 * (histogram_bin_edges(bins='sturges'), what evidently bins the PSI over),
 * equal-width edges (linspace, np.histogram(x, bins=k)), counts over edges
 * and the linearly interpolated quantile.
 */
#include <math.h>

#include "components/data_profiler/profiler.h"

size_t lp_prof_sturges_edges(double *edges, size_t cap, double lo, double hi, size_t n)
{
    /* numpy.histogram_bin_edges(x, bins='sturges'): width ptp / (log2 n + 1), as many
     * bins as ceil(ptp / width); one bin of [lo - 0.5, hi + 0.5] for a constant sample */
    double first = lo, last = hi;
    size_t bins = 1;
    if (lo == hi) {
        first = lo - 0.5;
        last = hi + 0.5;
    } else {
        double width = (hi - lo) / (log2((double)n) + 1.0);
        bins = width > 0 ? (size_t)ceil((hi - lo) / width) : 1;
    }
    if (bins + 1 > cap) bins = cap - 1;
    double step = (last - first) / (double)bins;
    for (size_t k = 0; k < bins; k++)
        edges[k] = (double)k * step + first; /* numpy.linspace */
    edges[bins] = last;
    return bins;
}

void lp_prof_bin_counts(double *counts, const double *sorted, size_t n, const double *edges,
                        size_t bins)
{
    /* numpy.histogram with explicit edges: [e_k, e_k+1), the last bin closed */
    size_t i = 0;
    while (i < n && sorted[i] < edges[0])
        i++;
    for (size_t k = 0; k < bins; k++) {
        size_t start = i;
        bool last = k + 1 == bins;
        while (i < n && (last ? sorted[i] <= edges[k + 1] : sorted[i] < edges[k + 1]))
            i++;
        counts[k] = (double)(i - start);
    }
}

void lp_prof_linear_edges(double *edges, double lo, double hi, size_t bins)
{
    double first = lo == hi ? lo - 0.5 : lo, last = lo == hi ? hi + 0.5 : hi;
    double step = (last - first) / (double)bins;
    for (size_t k = 0; k < bins; k++)
        edges[k] = (double)k * step + first;
    edges[bins] = last;
}

double lp_prof_quantile(const double *sorted, size_t n, double q)
{
    if (n == 0) return NAN;
    double pos = q * (double)(n - 1), lo = floor(pos);
    size_t i = (size_t)lo;
    if (i + 1 >= n) return sorted[n - 1];
    double t = pos - lo, a = sorted[i], b = sorted[i + 1], d = b - a;
    return t >= 0.5 ? b - d * (1 - t) : a + d * t; /* numpy's _lerp */
}
