/*
 * ets_forecast.c — point forecasts and prediction intervals of a fitted ETS
 * model, as forecast.ets gives them: the variance of Hyndman et al.'s class 1
 * (additive errors, additive components) and class 2 (multiplicative errors,
 * additive components) in closed form, simulated sample paths (5000, fixed
 * seed, R's type-8 quantiles) for the others.
 */
#include <math.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lolpop/error.h"
#include "ml/ets.h"
#include "ml/ml_parallel.h"

#define N_PATHS 5000

/* The standard normal quantile (Acklam's approximation refined by one
 * Halley step: about 1e-15 relative). */
static double norm_quantile(double p)
{
    static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
                               -2.759285104469687e+02, 1.383577518672690e+02,
                               -3.066479806614716e+01, 2.506628277459239e+00};
    static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
                               -1.556989798598866e+02, 6.680131188771972e+01,
                               -1.328068155288572e+01};
    static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
                               -2.400758277161838e+00, -2.549732539343734e+00,
                               4.374664141464968e+00,  2.938163982698783e+00};
    static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                               3.754408661907416e+00};
    double q, r, x;
    if (p < 0.02425) {
        q = sqrt(-2 * log(p));
        x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
            ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    } else if (p > 1 - 0.02425) {
        q = sqrt(-2 * log(1 - p));
        x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
            ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    } else {
        q = p - 0.5;
        r = q * q;
        x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
            (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
    }
    double e = 0.5 * erfc(-x / sqrt(2)) - p, u = e * sqrt(2 * M_PI) * exp(x * x / 2);
    return x - u / (1 + x * u / 2);
}

/* Point forecasts from the states x (forecast's forecast()). */
static void point_forecasts(const lp_ets *e, const double *x, size_t h, double *f)
{
    size_t k = 1 + (e->spec.trend != LP_ETS_N), m = e->m;
    double phistar = e->phi;
    for (size_t i = 0; i < h; i++) {
        f[i] = x[0];
        if (e->spec.trend == LP_ETS_A) f[i] += phistar * x[1];
        if (e->spec.season != LP_ETS_N) {
            double s = x[k + m - 1 - i % m];
            f[i] = e->spec.season == LP_ETS_A ? f[i] + s : f[i] * s;
        }
        phistar += fabs(e->phi - 1.0) < 1e-10 ? 1.0 : pow(e->phi, (double)(i + 2));
    }
}

/* c_j = H F^(j-1) G for j = 1..h-1: the effect of an error j steps on
 * (Hyndman et al. 2008, ch. 6: alpha + beta phi_j + gamma d_j,m). */
static void impulse(const lp_ets *e, size_t h, double *cj)
{
    double phij = 0.0;
    for (size_t j = 1; j < h; j++) {
        phij += e->spec.damped ? pow(e->phi, (double)j) : 1.0;
        double c = e->alpha;
        if (e->spec.trend != LP_ETS_N) c += e->beta * phij;
        if (e->spec.season != LP_ETS_N && j % e->m == 0) c += e->gamma;
        cj[j - 1] = c;
    }
}

/* splitmix64: the simulation's fixed-seed generator. */
static uint64_t next_u64(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

static double gauss(uint64_t *s)
{
    double u1 = ((double)(next_u64(s) >> 11) + 0.5) / 9007199254740992.0;
    double u2 = (double)(next_u64(s) >> 11) / 9007199254740992.0;
    return sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
}

/* The k-th smallest of v[0..n) (v reordered: Hoare's selection, the
 * median of three as pivot). The value is the sorted array's v[k]. */
static double select_kth(double *v, size_t n, size_t k)
{
    size_t lo = 0, hi = n - 1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        double a = v[lo], b = v[mid], c = v[hi];
        double pivot = a < b ? (b < c ? b : a < c ? c : a) : (a < c ? a : b < c ? c : b);
        size_t i = lo, j = hi;
        while (i <= j) {
            while (v[i] < pivot)
                i++;
            while (v[j] > pivot)
                j--;
            if (i <= j) {
                double t = v[i];
                v[i] = v[j], v[j] = t;
                i++;
                if (j == 0) break;
                j--;
            }
        }
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            return v[k];
    }
    return v[k];
}

/* R's quantile type 8 of v[0..n) (v reordered): the order statistics it
 * interpolates found by selection, not a sort. */
static double quantile8(double *v, size_t n, double p)
{
    double nppm = (double)n * p + (p + 1) / 3.0; /* n p + m, m = (p + 1) / 3 */
    double j = floor(nppm), g = nppm - j;
    size_t lo = j < 1 ? 0 : (size_t)j - 1, hi = j < 1 ? 0 : (size_t)j;
    if (lo >= n) lo = n - 1;
    if (hi >= n) hi = n - 1;
    double vlo = select_kth(v, n, lo);
    double vhi = hi == lo ? vlo : select_kth(v + lo + 1, n - lo - 1, hi - lo - 1);
    return (1 - g) * vlo + g * vhi;
}

/* y / d, or LP_ETS_HUGEN for |d| below LP_ETS_TOLER, as the fit's update. */
static double guarded_ratio(double y, double d)
{
    return fabs(d) < LP_ETS_TOLER ? LP_ETS_HUGEN : y / d;
}

/* One step of the model from states x with error eps: returns y (x updated). */
static double sim_step(const lp_ets *e, double *x, double eps)
{
    size_t k = 1 + (e->spec.trend != LP_ETS_N), m = e->m;
    double l = x[0], b = e->spec.trend != LP_ETS_N ? x[1] : 0.0;
    double s = e->spec.season != LP_ETS_N ? x[k + m - 1] : (e->spec.season == LP_ETS_M ? 1 : 0);
    double q = l + e->phi * b; /* level + damped slope */
    if (e->spec.trend == LP_ETS_N) q = l;
    double mu = e->spec.season == LP_ETS_M ? q * s : q + s;
    double y = e->spec.error == LP_ETS_A ? mu + eps : mu * (1 + eps);
    /* the states move as update() moves them after observing y */
    double pv = e->spec.season == LP_ETS_N   ? y
                : e->spec.season == LP_ETS_A ? y - s
                                             : guarded_ratio(y, s);
    x[0] = q + e->alpha * (pv - q);
    if (e->spec.trend != LP_ETS_N) {
        double phib = e->phi * b;
        x[1] = phib + (e->beta / e->alpha) * (x[0] - l - phib);
    }
    if (e->spec.season != LP_ETS_N) {
        double t = e->spec.season == LP_ETS_A ? y - q : guarded_ratio(y, q);
        memmove(x + k + 1, x + k, (m - 1) * sizeof *x);
        x[k] = s + e->gamma * (t - s);
    }
    return y;
}

/* The simulation spread over threads: blocks of paths, then the horizon
 * steps' quantiles. Path p draws 2 h numbers of the one splitmix64 sequence
 * from the fixed seed, so its generator starts at seed + 2 h p increments:
 * the paths are those of one sequential run, whatever the threads. */
#define PATH_BLOCK 250

typedef struct sim_job {
    const lp_ets *e;
    size_t h;
    double width, sd;
    double *paths; /* h x N_PATHS */
    double *lower, *upper;
    atomic_int failed;
} sim_job;

static void simulate_block(void *ctx, size_t b)
{
    sim_job *j = ctx;
    const lp_ets *e = j->e;
    double x[64 + 3];
    double *xs = e->n_states <= 67 ? x : malloc(e->n_states * sizeof *xs);
    if (!xs) {
        atomic_store(&j->failed, 1);
        return;
    }
    for (size_t p = b * PATH_BLOCK; p < (b + 1) * PATH_BLOCK && p < N_PATHS; p++) {
        uint64_t seed = 20260101u + (uint64_t)(2 * j->h * p) * 0x9E3779B97F4A7C15u;
        memcpy(xs, e->last, e->n_states * sizeof *xs);
        for (size_t i = 0; i < j->h; i++)
            j->paths[i * N_PATHS + p] = sim_step(e, xs, j->sd * gauss(&seed));
    }
    if (xs != x) free(xs);
}

static void step_quantiles(void *ctx, size_t i)
{
    sim_job *j = ctx;
    double *v = j->paths + i * N_PATHS;
    j->lower[i] = quantile8(v, N_PATHS, 0.5 - j->width / 2);
    j->upper[i] = quantile8(v, N_PATHS, 0.5 + j->width / 2);
}

static int simulate(const lp_ets *e, size_t h, double width, double *lower, double *upper)
{
    sim_job j = {e,     h,     width, sqrt(e->sigma2), malloc(h * N_PATHS * sizeof(double)),
                 lower, upper, 0};
    if (!j.paths) return lp_error_set(LP_ENOMEM, "out of memory simulating %d paths", N_PATHS);
    lp_ml_parallel((N_PATHS + PATH_BLOCK - 1) / PATH_BLOCK, simulate_block, &j);
    int failed = atomic_load(&j.failed);
    if (!failed) lp_ml_parallel(h, step_quantiles, &j);
    free(j.paths);
    return failed ? lp_error_set(LP_ENOMEM, "out of memory simulating %d paths", N_PATHS) : 0;
}

int lp_ets_forecast(const lp_ets *e, size_t h, double width, double *mean, double *lower,
                    double *upper)
{
    if (h == 0) return 0;
    point_forecasts(e, e->last, h, mean);
    if (!lower || !upper) return 0;
    if (!(width > 0 && width < 1))
        return lp_error_set(LP_EINVAL, "ets: interval width %g is not between 0 and 1", width);
    bool additive_parts = e->spec.season != LP_ETS_M;
    if (!additive_parts) return simulate(e, h, width, lower, upper);
    double *cj = malloc(h * sizeof *cj), *theta = malloc(h * sizeof *theta);
    if (!cj || !theta) {
        free(cj), free(theta);
        return lp_error_set(LP_ENOMEM, "out of memory");
    }
    impulse(e, h, cj);
    double z = norm_quantile(0.5 + width / 2), s2 = e->sigma2, acc = 0.0;
    for (size_t i = 0; i < h; i++) {
        double var;
        if (e->spec.error == LP_ETS_A) { /* class 1 */
            if (i > 0) acc += cj[i - 1] * cj[i - 1];
            var = s2 * (1 + acc);
        } else { /* class 2 */
            theta[i] = mean[i] * mean[i];
            for (size_t j = 0; j < i; j++)
                theta[i] += s2 * cj[j] * cj[j] * theta[i - 1 - j];
            var = (1 + s2) * theta[i] - mean[i] * mean[i];
        }
        double sd = sqrt(var > 0 ? var : 0);
        lower[i] = mean[i] - z * sd;
        upper[i] = mean[i] + z * sd;
    }
    free(cj);
    free(theta);
    return 0;
}
