/*
 * kstwo.c — the survival function of the one-sample two-sided
 * Kolmogorov–Smirnov statistic D_n, scipy.stats.kstwo.sf(x, n), which
 * ks_2samp's asymptotic branch evaluates at round(n1 n2 / (n1 + n2)).
 *
 * Why our own: no C library in our stack has it. This follows scipy's
 * _ksstats._kolmogn (Simard & L'Ecuyer 2011) branch for branch: the
 * Ruben–Gambino closed forms at the ends, 2 × the one-sided Smirnov
 * probability (its exact finite sum) for large x, the Durbin matrix in
 * Marsaglia–Tsang–Wang's form for small n x^2, Pomeranz's recursion for
 * moderate n x^2 when n <= 140, and the Pelz–Good series otherwise.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "components/data_profiler/profiler.h"

#define E128  128
#define EP128 3.4028236692093846e38 /* 2^128 */
#define EM128 2.938735877055719e-39 /* 2^-128 */

static double clip01(double p)
{
    return p < 0 ? 0 : p > 1 ? 1 : p;
}

/* P(D+_n >= x) = x sum_j C(n, j) (1 - x - j/n)^(n-j) (x + j/n)^(j-1), all terms positive. */
static double smirnov(int n, double x)
{
    if (x >= 1) return 0;
    if (x <= 0) return 1;
    int last = (int)floor((double)n * (1 - x));
    long double sum = 0;
    for (int j = 0; j <= last; j++) {
        double a = 1 - x - (double)j / n, b = x + (double)j / n;
        if (a <= 0 && n - j > 0) continue;
        double lc = lgamma(n + 1.0) - lgamma(j + 1.0) - lgamma(n - j + 1.0);
        double la = n - j > 0 ? (double)(n - j) * log(a) : 0;
        sum += expl((long double)(lc + la + (double)(j - 1) * log(b)));
    }
    return clip01((double)(sum * x));
}

static void matmul(double *out, const double *a, const double *b, int m)
{
    for (int i = 0; i < m; i++)
        for (int j = 0; j < m; j++) {
            double s = 0;
            for (int k = 0; k < m; k++)
                s += a[i * m + k] * b[k * m + j];
            out[i * m + j] = s;
        }
}

/* Pr(D_n <= d): Durbin's matrix, Marsaglia-Tsang-Wang (2003), scaled powers. */
static double kolmogn_dmtw(int n, double d)
{
    if (d >= 1.0) return 1.0;
    double nd = n * d;
    if (nd <= 0.5) return 0.0;
    int k = (int)ceil(nd), m = 2 * k - 1;
    double h = k - nd;
    size_t mm = (size_t)m * (size_t)m;
    double *H = calloc(4 * mm + 2 * (size_t)m, sizeof *H);
    if (!H) return NAN;
    double *P = H + mm, *T = P + mm, *U = T + mm, *v = U + mm, *w = v + m;
    double fac = 1.0;
    for (int j = 1; j <= m; j++) {
        w[j - 1] = fac;
        fac /= j;
        v[j - 1] = (1.0 - pow(h, j)) * fac;
    }
    double tt = pow(fmax(2 * h - 1.0, 0), m) - 2 * pow(h, m);
    v[m - 1] = (1.0 + tt) * fac;
    for (int i = 1; i < m; i++)
        for (int r = i - 1; r < m; r++)
            H[r * m + i] = w[r - (i - 1)];
    for (int r = 0; r < m; r++)
        H[r * m] = v[r];
    for (int c = 0; c < m; c++)
        H[(m - 1) * m + c] = v[m - 1 - c];
    for (int i = 0; i < m; i++)
        P[i * m + i] = 1.0;
    int nn = n, expnt = 0, hexpnt = 0;
    while (nn > 0) {
        if (nn % 2) {
            matmul(T, P, H, m);
            memcpy(P, T, mm * sizeof *P);
            expnt += hexpnt;
        }
        matmul(U, H, H, m);
        memcpy(H, U, mm * sizeof *H);
        hexpnt *= 2;
        if (fabs(H[(k - 1) * m + (k - 1)]) > EP128) {
            for (size_t q = 0; q < mm; q++)
                H[q] /= EP128;
            hexpnt += E128;
        }
        nn /= 2;
    }
    double p = P[(k - 1) * m + (k - 1)];
    for (int i = 1; i <= n; i++) {
        p = i * p / n;
        if (fabs(p) < EM128) {
            p *= EP128;
            expnt -= E128;
        }
    }
    free(H);
    return clip01(expnt ? ldexp(p, expnt) : p);
}

static void pomeranz_j1j2(int *j1o, int *j2o, int i, int n, int ll, int ceilf, int roundf)
{
    int j1, j2;
    if (i == 0) {
        j1 = -ll - ceilf - 1;
        j2 = ll + ceilf - 1;
    } else {
        int d = (i + 1) / 2, odd = (i + 1) % 2 == 0;
        if (odd && d == n + 1) {
            j1 = n - ll - ceilf - 1;
            j2 = n + ll + ceilf - 1;
        } else if (odd) {
            j1 = d - 1 - ll - roundf - 1;
            j2 = d + ll - 1 + ceilf - 1;
        } else {
            j1 = d - 1 - ll - 1;
            j2 = d + ll + roundf - 1;
        }
    }
    *j1o = j1 + 2 > 0 ? j1 + 2 : 0;
    *j2o = j2 < n ? j2 : n;
}

/* Pr(D_n <= x) by Pomeranz's recursion (1974). */
static double kolmogn_pomeranz(int n, double x)
{
    double t = n * x;
    int ll = (int)floor(t);
    double f = t - ll, g = fmin(f, 1.0 - f);
    int ceilf = f > 0, roundf = f > 0.5, np = 2 * (ll + 1);
    double *buf = calloc(5 * (size_t)np, sizeof *buf);
    if (!buf) return NAN;
    double *gp = buf, *tgp = gp + np, *omp = tgp + np, *V0 = omp + np, *V1 = V0 + np;
    gp[0] = tgp[0] = omp[0] = 1.0;
    for (int m = 1; m < np; m++) {
        gp[m] = gp[m - 1] * (g / n) / m;
        tgp[m] = tgp[m - 1] * (2 * g / n) / m;
        omp[m] = omp[m - 1] * ((1 - 2 * g) / n) / m;
    }
    V1[0] = 1;
    int v0s = 0, v1s = 0, j1, j2, expnt = 0;
    pomeranz_j1j2(&j1, &j2, 0, n, ll, ceilf, roundf);
    for (int i = 1; i < 2 * n + 2; i++) {
        int k1 = j1;
        double *tmp = V0;
        V0 = V1;
        V1 = tmp;
        int ts = v0s;
        v0s = v1s;
        v1s = ts;
        memset(V1, 0, (size_t)np * sizeof *V1);
        pomeranz_j1j2(&j1, &j2, i, n, ll, ceilf, roundf);
        const double *pw = i == 1 || i == 2 * n + 1 ? gp : i % 2 ? tgp : omp;
        int ln2 = j2 - k1 + 1;
        if (ln2 <= 0) continue;
        int start = k1 - v0s, slen = ln2; /* V0[start : start + ln2], truncated as numpy */
        if (start + slen > np) slen = np - start;
        int cstart = j1 - k1, clen = j2 - j1 + 1;
        double vmax = 0;
        for (int r = 0; r < clen && r < np; r++) {
            int c = cstart + r;
            double s = 0;
            for (int p = 0; p < slen; p++) {
                int q = c - p;
                if (q >= 0 && q < ln2 && q < np) s += V0[start + p] * pw[q];
            }
            V1[r] = s;
            if (s > vmax) vmax = s;
        }
        if (vmax > 0 && vmax < EM128) {
            for (int r = 0; r < np; r++)
                V1[r] *= EP128;
            expnt -= E128;
        }
        v1s = v0s + j1 - k1;
    }
    double ans = V1[n - v1s];
    for (int m = 1; m <= n; m++) {
        if (fabs(ans) > EP128) {
            ans *= EM128;
            expnt += E128;
        }
        ans *= m;
    }
    free(buf);
    return clip01(expnt ? ldexp(ans, expnt) : ans);
}

/* Pr(D_n <= x) by the Pelz-Good (1976) approximation. */
static double kolmogn_pelzgood(int n, double x)
{
    if (x <= 0.0) return 0.0;
    if (x >= 1.0) return 1.0;
    const double PI2 = M_PI * M_PI, PI4 = PI2 * PI2, PI6 = PI4 * PI2;
    const double SQRT2PI = sqrt(2 * M_PI), SQRT3 = sqrt(3.0);
    double z = sqrt((double)n) * x, z2 = z * z, z3 = z2 * z, z4 = z2 * z2, z6 = z4 * z2;
    double qlog = -PI2 / 8 / z2;
    if (qlog < -708.3964185322641) return 0.0; /* log(DBL_MIN) */
    double q = exp(qlog);
    double k1a = -z2, k1b = PI2 / 4;
    double k2a = 6 * z6 + 2 * z4, k2b = (2 * z4 - 5 * z2) * PI2 / 4, k2c = PI4 * (1 - 2 * z2) / 16;
    double k3d = PI6 * (5 - 30 * z2) / 64, k3c = PI4 * (-60 * z2 + 212 * z4) / 16;
    double k3b = PI2 * (135 * z4 - 96 * z6) / 4, k3a = -30 * z6 - 90 * pow(z, 8);
    double K[4] = {0, 0, 0, 0};
    int maxk = (int)ceil(16 * z / M_PI);
    for (int k = maxk; k > 0; k--) {
        double m = 2 * k - 1, m2 = m * m, m4 = m2 * m2, m6 = m4 * m2, qp = pow(q, 8 * k);
        double c[4] = {1.0, k1a + k1b * m2, k2a + k2b * m2 + k2c * m4,
                       k3a + k3b * m2 + k3c * m4 + k3d * m6};
        for (int i = 0; i < 4; i++)
            K[i] = K[i] * qp + c[i];
    }
    double div[4] = {z, 6 * z4, 72 * pow(z, 7), 6480 * pow(z, 10)};
    for (int i = 0; i < 4; i++)
        K[i] = K[i] * q * SQRT2PI / div[i];
    q = exp(-PI2 / 2 / z2);
    double k2extra = 0, k3extra = 0;
    for (int k = maxk; k > 0; k--) {
        double ks2 = (double)k * k, qp = pow(q, ks2), kspi = M_PI * k, s3z = SQRT3 * z;
        k2extra += ks2 * qp;
        k3extra += (s3z + kspi) * (s3z - kspi) * ks2 * qp;
    }
    K[2] += k2extra * PI2 * SQRT2PI / (-36 * z3);
    K[3] += k3extra * PI2 * SQRT2PI / (216 * z6);
    double sum = 0;
    for (int i = 0; i < 4; i++)
        sum += K[i] / pow((double)n, i / 2.0);
    return sum;
}

/* log(n! / n^n) by Stirling's series. */
static double log_nfact_div_npown(int n)
{
    static const double c[] = {-2.955065359477124183e-2,  6.4102564102564102564e-3,
                               -1.9175269175269175269e-3, 8.4175084175084175084e-4,
                               -5.952380952380952381e-4,  7.9365079365079365079e-4,
                               -2.7777777777777777778e-3, 8.3333333333333333333e-2};
    double rn = 1.0 / n, y = rn / n, p = 0;
    for (int i = 0; i < 8; i++)
        p = p * y + c[i];
    return log((double)n) / 2 - n + log(2 * M_PI) / 2 + rn * p;
}

double lp_prof_kstwo_sf(double x, int n)
{
    if (n <= 0 || isnan(x)) return NAN;
    if (x >= 1.0) return 0.0;
    if (x <= 0.0) return 1.0;
    double t = n * x;
    if (t <= 1.0) { /* Ruben-Gambino */
        if (t <= 0.5) return 1.0;
        double prob;
        if (n <= 140) {
            prob = 1.0;
            for (int i = 1; i <= n; i++)
                prob *= i * (1.0 / n) * (2 * t - 1);
        } else {
            prob = exp(log_nfact_div_npown(n) + n * log(2 * t - 1));
        }
        return clip01(1.0 - prob);
    }
    if (t >= n - 1) return clip01(2 * pow(1.0 - x, n));
    if (x >= 0.5) return clip01(2 * smirnov(n, x));
    double nx2 = t * x;
    if (n <= 140) {
        if (nx2 <= 0.754693) return clip01(1.0 - kolmogn_dmtw(n, x));
        if (nx2 <= 4) return clip01(1.0 - kolmogn_pomeranz(n, x));
        return clip01(2 * smirnov(n, x));
    }
    if (nx2 >= 370.0) return 0.0;
    if (nx2 >= 2.2) return clip01(2 * smirnov(n, x));
    double cdf =
        n <= 100000 && n * pow(x, 1.5) <= 1.4 ? kolmogn_dmtw(n, x) : kolmogn_pelzgood(n, x);
    return clip01(1.0 - cdf);
}
