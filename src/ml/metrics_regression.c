/*
 * metrics_regression.c — mse, rmse, mae, mape, mdae, smape, r2, msle, rmsle
 * with scikit-learn 1.2's definitions (see include/lolpop/metrics.h).
 */
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "lolpop/metrics.h"
#include "ml/metrics_internal.h"

static int check_finite(const lp_metric_info *m, const double *y, const char *what, size_t n)
{
    if (!y) return lp_metric_fail(m, "%s is missing", what);
    for (size_t i = 0; i < n; i++)
        if (!isfinite(y[i]))
            return lp_metric_fail(m, "%s[%zu] is %g; values must be finite", what, i, y[i]);
    return 0;
}

/* sklearn raises for msle on negative values (log1p would be undefined or misleading). */
static int check_nonneg(const lp_metric_info *m, const double *y, const char *what, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (y[i] < 0)
            return lp_metric_fail(
                m, "cannot be used when targets contain negative values (%s[%zu] = %g)", what, i,
                y[i]);
    return 0;
}

/* Mean of f(y, p) over the pairs, with a compensated sum. */
static double mean_of(double (*f)(double, double), const double *y, const double *p, size_t n)
{
    lp_ksum s = {0};
    for (size_t i = 0; i < n; i++)
        lp_ksum_add(&s, f(y[i], p[i]));
    return lp_ksum_get(&s) / (double)n;
}

static double sq_err(double y, double p)
{
    return (y - p) * (y - p);
}
static double abs_err(double y, double p)
{
    return fabs(p - y);
}
static double ape(double y, double p)
{
    return fabs(p - y) / fmax(fabs(y), DBL_EPSILON);
}
static double sape(double y, double p)
{
    double den = fabs(y) + fabs(p);
    return den != 0 ? 2.0 * fabs(y - p) / den : 0.0;
}
static double sq_log_err(double y, double p)
{
    double d = log1p(y) - log1p(p);
    return d * d;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* numpy.median of |y - p|: the middle value, or the mean of the two middle ones. */
static int mdae(double *out, const lp_metric_info *m, const double *y, const double *p, size_t n)
{
    double *d = malloc(n * sizeof *d);
    if (!d) return lp_error_set(LP_ENOMEM, "out of memory computing metric '%s'", m->name);
    for (size_t i = 0; i < n; i++)
        d[i] = fabs(p[i] - y[i]);
    qsort(d, n, sizeof *d, cmp_double);
    *out = n % 2 ? d[n / 2] : (d[n / 2 - 1] + d[n / 2]) / 2.0;
    free(d);
    return 0;
}

/* sklearn's r2_score with force_finite=True; NaN below two samples as sklearn. */
static double r2(const double *y, const double *p, size_t n)
{
    if (n < 2) return NAN;
    lp_ksum s = {0}, num = {0}, den = {0};
    for (size_t i = 0; i < n; i++)
        lp_ksum_add(&s, y[i]);
    double mean = lp_ksum_get(&s) / (double)n;
    for (size_t i = 0; i < n; i++) {
        lp_ksum_add(&num, sq_err(y[i], p[i]));
        lp_ksum_add(&den, (y[i] - mean) * (y[i] - mean));
    }
    double nu = lp_ksum_get(&num), de = lp_ksum_get(&den);
    if (de != 0) return 1.0 - nu / de;
    return nu != 0 ? 0.0 : 1.0;
}

LP_API int lp_metric_regression(double *out, const lp_metric_info *m, const double *y_true,
                                const double *y_pred, size_t n)
{
    *out = NAN;
    if (!m) return lp_error_set(LP_EINVAL, "metric missing");
    if (m->task != LP_TASK_REGRESSION)
        return lp_metric_fail(m, "is a classification metric, not a regression one");
    if (n == 0) return lp_metric_fail(m, "no samples to evaluate");
    int rc = check_finite(m, y_true, "y_true", n);
    if (!rc) rc = check_finite(m, y_pred, "y_pred", n);
    if (rc) return rc;
    switch (m->id) {
    case LP_METRIC_MSE:
        *out = mean_of(sq_err, y_true, y_pred, n);
        return 0;
    case LP_METRIC_RMSE:
        *out = sqrt(mean_of(sq_err, y_true, y_pred, n));
        return 0;
    case LP_METRIC_MAE:
        *out = mean_of(abs_err, y_true, y_pred, n);
        return 0;
    case LP_METRIC_MAPE:
        *out = mean_of(ape, y_true, y_pred, n);
        return 0;
    case LP_METRIC_MDAE:
        return mdae(out, m, y_true, y_pred, n);
    case LP_METRIC_SMAPE:
        *out = mean_of(sape, y_true, y_pred, n);
        return 0;
    case LP_METRIC_R2:
        *out = r2(y_true, y_pred, n);
        return 0;
    case LP_METRIC_MSLE:
    case LP_METRIC_RMSLE:
        rc = check_nonneg(m, y_true, "y_true", n);
        if (!rc) rc = check_nonneg(m, y_pred, "y_pred", n);
        if (rc) return rc;
        *out = mean_of(sq_log_err, y_true, y_pred, n);
        if (m->id == LP_METRIC_RMSLE) *out = sqrt(*out);
        return 0;
    case LP_METRIC_MASE:
    case LP_METRIC_COVERAGE:
        return lp_metric_fail(m, "needs the training series and the prediction interval of a "
                                 "forecast, not only y_true and y_pred (a forecasting "
                                 "trainer's calculate_metrics computes it)");
    default:
        return lp_metric_fail(m, "is not a regression metric");
    }
}
