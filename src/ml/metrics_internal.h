/*
 * metrics_internal.h — helpers shared by the metrics sources; not installed.
 */
#ifndef LP_METRICS_INTERNAL_H
#define LP_METRICS_INTERNAL_H

#include <math.h>

#include "lolpop/metrics.h"

/* Sets LP_EINVAL with "metric 'name': <message>" and returns it (metrics.c). */
int lp_metric_fail(const lp_metric_info *m, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Neumaier-compensated sum: keeps means of 1e5+ terms well inside 1e-9 of
 * numpy's pairwise sums whatever the order of magnitude of the terms. */
typedef struct lp_ksum {
    double s, c;
} lp_ksum;

static inline void lp_ksum_add(lp_ksum *k, double x)
{
    double t = k->s + x;
    if (fabs(k->s) >= fabs(x))
        k->c += (k->s - t) + x;
    else
        k->c += (x - t) + k->s;
    k->s = t;
}

static inline double lp_ksum_get(const lp_ksum *k)
{
    return k->s + k->c;
}

#endif
