/*
 * copula_fit.c — fitting the Gaussian copula: every column's marginal and
 * normal scores, their pairwise-complete correlation matrix mapped back to
 * the latent normals' (hermite.c), and its Cholesky factor (LAPACKE
 * dpotrf). When pairwise deletion, duplicated columns or the correction left
 * the matrix not positive definite, its eigenvalues are clipped (dsyevd) and,
 * if that is not enough, it is shrunk toward the identity.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "components/data_synthesizer/lapack_api.h"
#include "components/data_synthesizer/synth.h"

void lp_synth_model_free(lp_synth_model *m)
{
    for (size_t j = 0; m->cols && j < m->d; j++)
        lp_synth_marginal_free(&m->cols[j]);
    free(m->cols);
    free(m->chol);
    memset(m, 0, sizeof *m);
}

double lp_synth_pair_correlation(const float *scores, size_t n, size_t j, size_t k)
{
    const float *x = scores + j * n, *y = scores + k * n;
    /* Sums of deviations from the first complete pair: a constant side then
     * sums to exactly zero variance, and large offsets cancel early. */
    double x0 = 0, y0 = 0, sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
    size_t c = 0;
    for (size_t i = 0; i < n; i++) {
        if (isnan(x[i]) || isnan(y[i])) continue;
        if (c++ == 0) {
            x0 = x[i];
            y0 = y[i];
        }
        double dx = x[i] - x0, dy = y[i] - y0;
        sx += dx;
        sy += dy;
        sxx += dx * dx;
        syy += dy * dy;
        sxy += dx * dy;
    }
    if (c < 2) return 0;
    double vx = sxx - sx * sx / (double)c, vy = syy - sy * sy / (double)c;
    if (!(vx > 0) || !(vy > 0)) return 0;
    double r = (sxy - sx * sy / (double)c) / sqrt(vx * vy);
    return r > 1 ? 1 : r < -1 ? -1 : r;
}

/* (1 − λ)R + λI into a, full square (dpotrf reads the lower triangle). */
static void shrink(double *a, const double *R, size_t d, double lambda)
{
    for (size_t k = 0; k < d; k++)
        for (size_t j = 0; j < d; j++)
            a[j + k * d] = j == k ? 1.0 : (1.0 - lambda) * R[j + k * d];
}

/* Smallest eigenvalue kept by clip_eigen. */
#define EIGEN_FLOOR 1e-6

/* R with every eigenvalue below EIGEN_FLOOR raised to it, rescaled to a unit
 * diagonal, into a (Rousseeuw & Molenberghs' eigenvalue method). Unlike
 * shrinking toward I, it leaves the strong correlations of duplicated or
 * derived columns (pclass / class) nearly as they were. 0, or -1 when the
 * eigensolver fails (a is then unusable). */
static int clip_eigen(double *a, const double *R, size_t d)
{
    double *v = malloc(d * d * sizeof *v), *w = malloc(d * sizeof *w);
    int rc = v && w ? 0 : -1;
    if (rc == 0) {
        memcpy(v, R, d * d * sizeof *v);
        rc =
            LAPACKE_dsyevd(LAPACK_COL_MAJOR, 'V', 'L', (lapack_int)d, v, (lapack_int)d, w) ? -1 : 0;
    }
    for (size_t i = 0; rc == 0 && i < d; i++)
        if (!(w[i] > EIGEN_FLOOR)) w[i] = EIGEN_FLOOR;
    for (size_t k = 0; rc == 0 && k < d; k++) /* a = V diag(w) Vᵀ */
        for (size_t j = k; j < d; j++) {
            double s = 0;
            for (size_t i = 0; i < d; i++)
                s += v[j + i * d] * w[i] * v[k + i * d];
            a[j + k * d] = a[k + j * d] = s;
        }
    for (size_t k = 0; rc == 0 && k < d; k++)
        for (size_t j = 0; j < d; j++)
            if (j != k) a[j + k * d] /= sqrt(a[j + j * d] * a[k + k * d]);
    for (size_t k = 0; rc == 0 && k < d; k++)
        a[k + k * d] = 1.0;
    free(v);
    free(w);
    return rc;
}

/* Factors base, shrunk toward I as little as needed: λ = 0, then doubling
 * from 1e-6; at λ = 1 the matrix is I, which always factors. */
static int factor_shrinking(double *chol, const double *base, size_t d, double *lambda)
{
    double lam = 0;
    for (;;) {
        shrink(chol, base, d, lam);
        lapack_int info = LAPACKE_dpotrf(LAPACK_COL_MAJOR, 'L', (lapack_int)d, chol, (lapack_int)d);
        if (info < 0)
            return lp_error_set(LP_ERROR, "LAPACKE_dpotrf rejected argument %d", (int)-info);
        if (info == 0) break;
        lam = lam == 0 ? 1e-6 : lam * 2;
        if (lam > 1) lam = 1;
    }
    *lambda = lam;
    return 0;
}

int lp_synth_cholesky(double *chol, const double *R, size_t d, lp_synth_repair *repair)
{
    int rc = lp_lapack_require();
    if (rc) return rc;
    if (d > (size_t)INT32_MAX)
        return lp_error_set(LP_EINVAL, "%zu columns are too many for one correlation matrix", d);
    *repair = (lp_synth_repair){0};
    shrink(chol, R, d, 0);
    lapack_int info = LAPACKE_dpotrf(LAPACK_COL_MAJOR, 'L', (lapack_int)d, chol, (lapack_int)d);
    if (info != 0) { /* not positive definite: repair the spectrum, then shrink if still needed */
        double *base = malloc(d * d * sizeof *base);
        if (!base) return lp_error_set(LP_ENOMEM, "out of memory");
        repair->clipped = clip_eigen(base, R, d) == 0;
        if (!repair->clipped) memcpy(base, R, d * d * sizeof *base);
        rc = factor_shrinking(chol, base, d, &repair->shrinkage);
        free(base);
        if (rc) return rc;
    }
    for (size_t k = 1; k < d; k++) /* dpotrf leaves the upper triangle as it was */
        for (size_t j = 0; j < k; j++)
            chol[j + k * d] = 0;
    return 0;
}

/* The latent correlation of columns j and k from their scores' correlation. */
static double latent_correlation(const lp_synth_model *m, const float *scores, size_t j, size_t k)
{
    double r = lp_synth_pair_correlation(scores, m->rows, j, k);
    return lp_synth_latent_correlation(m->cols[j].herm, m->cols[k].herm, r);
}

/* The correlation matrix of the latent normals (d×d, column-major, unit diagonal). */
static double *correlations(const lp_synth_model *m, const float *scores)
{
    size_t d = m->d;
    double *R = malloc(d * d * sizeof *R);
    if (!R) {
        lp_error_set(LP_ENOMEM, "out of memory");
        return NULL;
    }
    for (size_t k = 0; k < d; k++) {
        R[k + k * d] = 1.0;
        for (size_t j = k + 1; j < d; j++)
            R[j + k * d] = R[k + j * d] = latent_correlation(m, scores, j, k);
    }
    return R;
}

static int fit_marginals(lp_synth_model *m, const lp_frame *f, size_t max_categories, float *scores)
{
    for (size_t j = 0; j < m->d; j++) {
        int rc = lp_synth_marginal_fit(&m->cols[j], lp_frame_name(f, j), lp_frame_col(f, j),
                                       max_categories, scores + j * m->rows);
        if (rc) return rc;
    }
    return 0;
}

int lp_synth_model_fit(lp_synth_model *m, const lp_frame *f, size_t max_categories)
{
    memset(m, 0, sizeof *m);
    size_t d = lp_frame_cols(f), n = lp_frame_rows(f);
    if (d == 0) return lp_error_set(LP_EINVAL, "the frame has no columns: nothing to learn");
    if (n == 0) return lp_error_set(LP_EINVAL, "the frame has no rows: nothing to learn");
    if (n > SIZE_MAX / sizeof(float) / d || d > SIZE_MAX / sizeof(double) / d)
        return lp_error_set(LP_ENOMEM, "a %zu × %zu frame is too large to fit", n, d);
    /* Fail before the work when LAPACKE is missing. */
    int rc = lp_lapack_require();
    if (rc) return rc;
    m->d = d;
    m->rows = n;
    m->cols = calloc(d, sizeof *m->cols);
    m->chol = malloc(d * d * sizeof *m->chol);
    float *scores = malloc(n * d * sizeof *scores); /* column-major, NaN = missing */
    rc = m->cols && m->chol && scores ? 0 : lp_error_set(LP_ENOMEM, "out of memory");
    if (rc == 0) rc = fit_marginals(m, f, max_categories, scores);
    double *R = rc ? NULL : correlations(m, scores);
    if (rc == 0 && !R) rc = LP_ENOMEM;
    free(scores);
    if (rc == 0) rc = lp_synth_cholesky(m->chol, R, d, &m->repair);
    free(R);
    if (rc) lp_synth_model_free(m);
    return rc;
}
