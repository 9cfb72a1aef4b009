/*
 * ets_init.c — forecast::ets's starting states (its initstate): a classical
 * decomposition (R's decompose: centred moving average, seasonal figure of
 * period means) or, below three periods, a regression on a trend and one
 * Fourier pair; then the level (and slope) from the first seasonally adjusted
 * points. Means are computed as R computes them (long double, with a
 * correction pass) so the starting simplex is R's.
 */
#include <math.h>
#include <stdlib.h>

#include "lolpop/error.h"
#include "ml/ets.h"

/* R's mean(): a long double sum, then the mean of the residuals added. */
static double r_mean(const double *x, size_t n)
{
    long double s = 0.0L;
    for (size_t i = 0; i < n; i++)
        s += x[i];
    s /= (long double)n;
    if (isfinite((double)s)) {
        long double t = 0.0L;
        for (size_t i = 0; i < n; i++)
            t += x[i] - s;
        s += t / (long double)n;
    }
    return (double)s;
}

/* R's decompose(): the seasonal component (n values) of y with period m. */
static int decompose(double *seasonal, const double *y, size_t n, size_t m, bool mult)
{
    size_t nf = m % 2 == 0 ? m + 1 : m, shift = nf / 2;
    /* figure is zeroed only so that GCC at -O1 and above, which cannot see
     * that m >= 1 fills it, builds the sanitizer configuration too */
    double *filt = malloc(nf * sizeof *filt), *season = malloc(n * sizeof *season),
           *figure = calloc(m ? m : 1, sizeof *figure), *vals = malloc((n / m + 1) * sizeof *vals);
    if (!filt || !season || !figure || !vals) {
        free(filt), free(season), free(figure), free(vals);
        return lp_error_set(LP_ENOMEM, "out of memory decomposing %zu values", n);
    }
    for (size_t j = 0; j < nf; j++)
        filt[j] = (m % 2 == 0 && (j == 0 || j == nf - 1) ? 0.5 : 1.0) / (double)m;
    for (size_t i = 0; i < n; i++) {
        if (i + shift < nf - 1 || i + shift >= n) {
            season[i] = NAN;
            continue;
        }
        double z = 0.0;
        for (size_t j = 0; j < nf; j++)
            z += filt[j] * y[i + shift - j];
        season[i] = mult ? y[i] / z : y[i] - z;
    }
    for (size_t i = 0; i < m; i++) {
        size_t k = 0;
        for (size_t p = i; p < n; p += m)
            if (!isnan(season[p])) vals[k++] = season[p];
        figure[i] = r_mean(vals, k);
    }
    double fm = r_mean(figure, m);
    for (size_t i = 0; i < m; i++)
        figure[i] = mult ? figure[i] / fm : figure[i] - fm;
    for (size_t i = 0; i < n; i++)
        seasonal[i] = figure[i % m];
    free(filt), free(season), free(figure), free(vals);
    return 0;
}

/* Least squares of y on the k columns of X (n x k, row-major) by the normal
 * equations (k <= 4, well conditioned here); coef[k]. */
static int least_squares(double *coef, const double *X, const double *y, size_t n, size_t k)
{
    double A[16] = {0}, b[4] = {0};
    for (size_t i = 0; i < n; i++)
        for (size_t r = 0; r < k; r++) {
            b[r] += X[i * k + r] * y[i];
            for (size_t c = 0; c < k; c++)
                A[r * k + c] += X[i * k + r] * X[i * k + c];
        }
    for (size_t c = 0; c < k; c++) { /* Gauss-Jordan with partial pivoting */
        size_t p = c;
        for (size_t r = c + 1; r < k; r++)
            if (fabs(A[r * k + c]) > fabs(A[p * k + c])) p = r;
        if (fabs(A[p * k + c]) < 1e-300)
            return lp_error_set(LP_EINVAL, "ets: singular regression for the initial states");
        for (size_t j = 0; j < k; j++) {
            double t = A[c * k + j];
            A[c * k + j] = A[p * k + j];
            A[p * k + j] = t;
        }
        double t = b[c];
        b[c] = b[p];
        b[p] = t;
        for (size_t r = 0; r < k; r++) {
            if (r == c) continue;
            double f = A[r * k + c] / A[c * k + c];
            for (size_t j = 0; j < k; j++)
                A[r * k + j] -= f * A[c * k + j];
            b[r] -= f * b[c];
        }
    }
    for (size_t c = 0; c < k; c++)
        coef[c] = b[c] / A[c * k + c];
    return 0;
}

/* Below three periods: y ~ 1 + t + sin + cos (forecast's tslm with fourier(y, 1)). */
static int fourier_season(double *seasonal, const double *y, size_t n, size_t m, bool mult)
{
    size_t k = 2 * m == 2 ? 3 : 4; /* period 2: the sine column is zero, fourier drops it */
    double *X = malloc(n * k * sizeof *X), coef[4];
    if (!X) return lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        double t = (double)(i + 1), *row = X + i * k;
        row[0] = 1.0;
        row[1] = t;
        if (k == 4) row[2] = sin(M_PI * 2.0 * t / (double)m);
        row[k - 1] = cos(M_PI * 2.0 * t / (double)m);
    }
    int rc = least_squares(coef, X, y, n, k);
    free(X);
    if (rc) return rc;
    for (size_t i = 0; i < n; i++) {
        double tr = coef[0] + coef[1] * (double)(i + 1);
        seasonal[i] = mult ? y[i] / tr : y[i] - tr;
    }
    return 0;
}

/* R's lsfit(1:n, y): intercept and slope. */
static void line_fit(const double *y, size_t n, double *a, double *b)
{
    double mx = ((double)n + 1.0) / 2.0, my = 0.0, sxy = 0.0, sxx = 0.0;
    for (size_t i = 0; i < n; i++)
        my += y[i];
    my /= (double)n;
    for (size_t i = 0; i < n; i++) {
        double dx = (double)(i + 1) - mx;
        sxy += dx * (y[i] - my);
        sxx += dx * dx;
    }
    *b = sxx > 0 ? sxy / sxx : 0.0;
    *a = my - *b * mx;
}

int lp_ets_initial_states(double *init, const double *y, size_t n, size_t m, lp_ets_spec spec)
{
    double *sa = malloc(n * sizeof *sa), *seasonal = malloc(n * sizeof *seasonal);
    if (!sa || !seasonal) {
        free(sa), free(seasonal);
        return lp_error_set(LP_ENOMEM, "out of memory");
    }
    size_t k = 1 + (spec.trend != LP_ETS_N);
    int rc = 0;
    if (spec.season != LP_ETS_N) {
        bool mult = spec.season == LP_ETS_M;
        if (n < 4)
            rc = lp_error_set(LP_EINVAL, "ets: %zu values are too few for a season", n);
        else if (n < 3 * m)
            rc = fourier_season(seasonal, y, n, m, mult);
        else
            rc = decompose(seasonal, y, n, m, mult);
        if (rc == 0) {
            double sum = 0.0;
            for (size_t j = 0; j + 1 < m; j++) { /* rev(seasonal[2:m]) */
                double s = seasonal[m - 1 - j];
                if (mult && s < 1e-2) s = 1e-2;
                init[k + j] = s;
                sum += s;
            }
            if (mult && sum > (double)m) {
                double d = 0.0;
                for (size_t j = 0; j + 1 < m; j++)
                    d += init[k + j] + 1e-2;
                for (size_t j = 0; j + 1 < m; j++)
                    init[k + j] /= d;
            }
            for (size_t i = 0; i < n; i++)
                sa[i] =
                    mult ? y[i] / (seasonal[i] > 1e-2 ? seasonal[i] : 1e-2) : y[i] - seasonal[i];
        }
    } else {
        m = 1;
        for (size_t i = 0; i < n; i++)
            sa[i] = y[i];
    }
    if (rc == 0) {
        size_t maxn = 2 * m > 10 ? 2 * m : 10;
        if (maxn > n) maxn = n;
        if (spec.trend == LP_ETS_N) {
            init[0] = r_mean(sa, maxn);
        } else {
            double a, b;
            line_fit(sa, maxn, &a, &b);
            if (fabs(a + b) < 1e-8) {
                a *= 1 + 1e-3;
                b *= 1 + 1e-3;
            }
            init[0] = a;
            init[1] = b;
        }
    }
    free(sa);
    free(seasonal);
    return rc;
}
