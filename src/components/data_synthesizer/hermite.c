/*
 * hermite.c — from the correlation of two columns' normal scores back to the
 * correlation of the latent normals behind them.
 *
 * A column's score is a step function s(Z) of a standard normal Z: each
 * group of equal values (or each category) owns an interval [l, u] of Z and
 * scores Φ⁻¹ of its midpoint. Correlations of such scores are weaker than
 * those of the latents — a bool split of Z correlates with Z at only ~0.8 —
 * so using them as the copula's correlations would weaken every dependence
 * that involves a tied or categorical column.
 *
 * Mehler's formula makes the relation exact: for (Z1, Z2) standard bivariate
 * normal with correlation ρ,
 *     corr(s(Z1), t(Z2)) = Σ_{n≥1} ρⁿ h_n(s) h_n(t),
 *     h_n(s) = E[s(Z) He_n(Z)] / (sd(s) √n!),
 * with He_n the probabilists' Hermite polynomials. For a step function,
 * E[s(Z) He_n(Z)] = Σ_groups s_g (φ(l) He_{n−1}(l) − φ(u) He_{n−1}(u)).
 * A continuous column has h_1 ≈ 1 and the rest ≈ 0, so nothing changes for
 * it. The series is cut after LP_SYNTH_HERMITE terms and inverted for ρ by
 * bisection (it increases with ρ for non-decreasing step functions).
 */
#include <math.h>
#include <string.h>

#include "components/data_synthesizer/synth.h"

void lp_synth_hermite_init(lp_synth_hermite *acc)
{
    memset(acc, 0, sizeof *acc);
    for (int n = 1; n <= LP_SYNTH_HERMITE; n++) {
        acc->sqrt_n[n - 1] = sqrt((double)n);
        acc->inv_sqrt_n[n - 1] = 1.0 / acc->sqrt_n[n - 1];
    }
}

/* q_n(x) = φ(x) He_{n−1}(x) / √n!, n = 1..N, into q[0..N) (zero at ±inf).
 * With e_n = He_n / √n!: e_{n+1} = (x e_n − √n e_{n−1}) / √(n+1), and
 * q_n = φ(x) e_{n−1} / √n. */
static void boundary_terms(const lp_synth_hermite *acc, double q[LP_SYNTH_HERMITE], double x)
{
    if (isinf(x)) {
        memset(q, 0, LP_SYNTH_HERMITE * sizeof *q);
        return;
    }
    double phi = exp(-0.5 * x * x) * 0.39894228040143267794, e_prev = 0, e = 1; /* e_{-1}, e_0 */
    for (int n = 1; n <= LP_SYNTH_HERMITE; n++) {
        q[n - 1] = phi * e * acc->inv_sqrt_n[n - 1];
        double next =
            (x * e - (n > 1 ? acc->sqrt_n[n - 2] : 0.0) * e_prev) * acc->inv_sqrt_n[n - 1];
        e_prev = e;
        e = next;
    }
}

void lp_synth_hermite_add(lp_synth_hermite *acc, double p, double cum_hi, double z)
{
    double q_hi[LP_SYNTH_HERMITE];
    boundary_terms(acc, q_hi, lp_norm_quantile(cum_hi));
    for (int n = 0; n < LP_SYNTH_HERMITE; n++) {
        acc->c[n] += z * (acc->q_lo[n] - q_hi[n]);
        acc->q_lo[n] = q_hi[n];
    }
    acc->s1 += p * z;
    acc->s2 += p * z * z;
}

void lp_synth_hermite_finish(const lp_synth_hermite *acc, double h[LP_SYNTH_HERMITE])
{
    double var = acc->s2 - acc->s1 * acc->s1;
    for (int n = 0; n < LP_SYNTH_HERMITE; n++)
        h[n] = var > 0 ? acc->c[n] / sqrt(var) : 0.0;
}

/* Σ ρⁿ a_n, n = 1..N */
static double series(const double a[LP_SYNTH_HERMITE], double rho)
{
    double s = 0, p = 1;
    for (int n = 0; n < LP_SYNTH_HERMITE; n++) {
        p *= rho;
        s += p * a[n];
    }
    return s;
}

double lp_synth_latent_correlation(const double hj[LP_SYNTH_HERMITE],
                                   const double hk[LP_SYNTH_HERMITE], double r)
{
    double a[LP_SYNTH_HERMITE];
    for (int n = 0; n < LP_SYNTH_HERMITE; n++)
        a[n] = hj[n] * hk[n];
    if (a[0] <= 0) return 0; /* a constant column: no dependence to carry */
    if (r >= series(a, 1.0)) return 1.0;
    if (r <= series(a, -1.0)) return -1.0;
    double lo = -1.0, hi = 1.0;
    for (int i = 0; i < 60; i++) { /* 2^-60: far below any sampling error */
        double mid = 0.5 * (lo + hi);
        if (series(a, mid) < r)
            lo = mid;
        else
            hi = mid;
    }
    return 0.5 * (lo + hi);
}
