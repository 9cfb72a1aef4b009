/*
 * additive_optim.c — the MAP fit of the additive model: minimises Prophet's
 * negative log posterior with NLopt's bound-constrained L-BFGS.
 *
 * Variables: k, m, u[S], v[S] (delta = u - v, u, v >= 0: the Laplace prior
 * becomes the smooth penalty (u + v) / tau), sigma (> 0), beta[K]. The
 * gradient is exact for linear growth; for logistic growth the trend's
 * derivatives by k, m and delta are central differences (gamma, which keeps
 * the curve continuous, depends on all of them recursively).
 */
#include <math.h>
#include <nlopt.h>
#include <stdlib.h>
#include <string.h>

#include "ml/additive_fit.h"

typedef struct fit {
    lp_additive *a;
    size_t n, S, K;
    const double *t, *y; /* scaled time (ascending) and target */
    double *Xd;          /* n x K design matrix */
    size_t *first;       /* first row at or after each changepoint */
    double *g, *mult, *add, *dg, *gp, *gm, *delta, *dtheta;
    double tau;
    long evals;
} fit;

static void trend_vec(fit *f, double k, double m, const double *delta, double *g)
{
    lp_additive *a = f->a;
    if (a->logistic) {
        a->k = k;
        a->m = m;
        for (size_t i = 0; i < f->n; i++)
            g[i] = lp_additive_trend_scaled(a, a->cp_t, delta, f->S, f->t[i]);
        return;
    }
    size_t j = 0;
    for (size_t i = 0; i < f->n; i++) {
        while (j < f->S && a->cp_t[j] <= f->t[i]) {
            k += delta[j];
            m -= a->cp_t[j] * delta[j];
            j++;
        }
        g[i] = k * f->t[i] + m;
    }
}

/* Gradient of the trend part for linear growth: dk, dm, d delta. */
static void linear_grad(fit *f, double *dk, double *dm, double *ddelta)
{
    double s0 = 0, s1 = 0;
    *dk = *dm = 0;
    size_t j = f->S;
    while (j > 0 && f->first[j - 1] >= f->n) /* changepoints after the last row */
        ddelta[--j] = 0;
    for (size_t i = f->n; i-- > 0;) {
        s0 += f->dg[i];
        s1 += f->dg[i] * f->t[i];
        while (j > 0 && f->first[j - 1] == i) {
            j--;
            ddelta[j] = s1 - f->a->cp_t[j] * s0;
        }
    }
    *dk = s1;
    *dm = s0;
}

static double dot_dg(const fit *f, const double *gp, const double *gm, double h)
{
    double s = 0;
    for (size_t i = 0; i < f->n; i++)
        s += f->dg[i] * (gp[i] - gm[i]) / (2 * h);
    return s;
}

/* Gradient of the trend part for logistic growth, by central differences. */
static void logistic_grad(fit *f, double k, double m, double *dk, double *dm, double *ddelta)
{
    size_t np = 2 + f->S;
    for (size_t p = 0; p < np; p++) {
        double base = p == 0 ? k : p == 1 ? m : f->delta[p - 2];
        double h = 1e-6 * fmax(1, fabs(base));
        double kk[2] = {k, k}, mm[2] = {m, m};
        for (int s = 0; s < 2; s++) {
            double v = base + (s == 0 ? h : -h);
            if (p == 0) kk[s] = v;
            if (p == 1) mm[s] = v;
            if (p >= 2) f->delta[p - 2] = v;
            trend_vec(f, kk[s], mm[s], f->delta, s == 0 ? f->gp : f->gm);
        }
        if (p >= 2) f->delta[p - 2] = base;
        double d = dot_dg(f, f->gp, f->gm, h);
        if (p == 0) *dk = d;
        if (p == 1) *dm = d;
        if (p >= 2) ddelta[p - 2] = d;
    }
}

/* Fills mult and add (the components) for betas beta. */
static void components(fit *f, const double *beta)
{
    for (size_t i = 0; i < f->n; i++) {
        double mu = 0, ad = 0;
        const double *x = f->Xd + i * f->K;
        for (size_t j = 0; j < f->K; j++) {
            if (f->a->cols[j].mult)
                mu += x[j] * beta[j];
            else
                ad += x[j] * beta[j];
        }
        f->mult[i] = mu;
        f->add[i] = ad;
    }
}

static double objective(unsigned nx, const double *x, double *grad, void *data)
{
    (void)nx;
    fit *f = data;
    size_t S = f->S, K = f->K;
    double k = x[0], m = x[1], sigma = exp(x[2 + 2 * S]);
    const double *u = x + 2, *v = x + 2 + S, *beta = x + 3 + 2 * S;
    f->evals++;
    double pen = k * k / 50 + m * m / 50 + 2 * sigma * sigma;
    for (size_t j = 0; j < S; j++) {
        f->delta[j] = u[j] - v[j];
        pen += (u[j] + v[j]) / f->tau;
    }
    for (size_t j = 0; j < K; j++)
        pen += beta[j] * beta[j] / (2 * f->a->cols[j].prior * f->a->cols[j].prior);
    trend_vec(f, k, m, f->delta, f->g);
    components(f, beta);
    double ssr = 0, s2 = sigma * sigma;
    for (size_t i = 0; i < f->n; i++) {
        double r = f->y[i] - (f->g[i] * (1 + f->mult[i]) + f->add[i]);
        ssr += r * r;
        f->dg[i] = -r / s2; /* d/d yhat */
    }
    double val = (double)f->n * x[2 + 2 * S] + ssr / (2 * s2) + pen;
    if (!grad) return val;
    memset(grad, 0, (3 + 2 * S + K) * sizeof *grad);
    for (size_t i = 0; i < f->n; i++) {
        const double *xr = f->Xd + i * K;
        double e = f->dg[i];
        for (size_t j = 0; j < K; j++)
            grad[3 + 2 * S + j] += e * xr[j] * (f->a->cols[j].mult ? f->g[i] : 1.0);
        f->dg[i] = e * (1 + f->mult[i]); /* now d/d trend */
    }
    for (size_t j = 0; j < K; j++)
        grad[3 + 2 * S + j] += beta[j] / (f->a->cols[j].prior * f->a->cols[j].prior);
    double dk = 0, dm = 0;
    if (f->a->logistic)
        logistic_grad(f, k, m, &dk, &dm, f->dtheta);
    else
        linear_grad(f, &dk, &dm, f->dtheta);
    grad[0] = dk + k / 25;
    grad[1] = dm + m / 25;
    for (size_t j = 0; j < S; j++) {
        grad[2 + j] = f->dtheta[j] + 1 / f->tau;
        grad[2 + S + j] = -f->dtheta[j] + 1 / f->tau;
    }
    grad[2 + 2 * S] =
        ((double)f->n / sigma - ssr / (s2 * sigma) + 4 * sigma) * sigma; /* by log sigma */
    return val;
}

/* The objective per observation: the same optimum, with gradients of a size
 * that L-BFGS's first line search handles whatever the series' length. */
static double objective_per_row(unsigned nx, const double *x, double *grad, void *data)
{
    fit *f = data;
    double v = objective(nx, x, grad, data) / (double)f->n;
    for (unsigned i = 0; grad && i < nx; i++)
        grad[i] /= (double)f->n;
    return v;
}

/* Prophet's starting point: the line (or logistic curve) through the first
 * and last points. */
static void initial(const fit *f, double *k, double *m)
{
    const lp_additive *a = f->a;
    double t0 = f->t[0], t1 = f->t[f->n - 1], y0 = f->y[0], y1 = f->y[f->n - 1];
    if (!a->logistic) {
        *k = t1 > t0 ? (y1 - y0) / (t1 - t0) : 0;
        *m = y0 - *k * t0;
        return;
    }
    double C = (a->cap - a->floor) / a->y_scale, T = t1 - t0;
    y0 = fmax(0.01 * C, fmin(0.99 * C, y0));
    y1 = fmax(0.01 * C, fmin(0.99 * C, y1));
    double r0 = C / y0, r1 = C / y1;
    if (fabs(r0 - r1) <= 0.01) r0 *= 1.05;
    double L0 = log(r0 - 1), L1 = log(r1 - 1);
    *m = L0 * T / (L0 - L1);
    *k = (L0 - L1) / T;
}

/* Solves A z = b in place (A: K x K symmetric positive definite, Cholesky).
 * false when A is not positive definite. */
static bool cholesky_solve(double *A, double *b, size_t K)
{
    for (size_t j = 0; j < K; j++) {
        double s = A[j * K + j];
        for (size_t p = 0; p < j; p++)
            s -= A[j * K + p] * A[j * K + p];
        if (!(s > 0)) return false;
        A[j * K + j] = sqrt(s);
        for (size_t i = j + 1; i < K; i++) {
            double t = A[i * K + j];
            for (size_t p = 0; p < j; p++)
                t -= A[i * K + p] * A[j * K + p];
            A[i * K + j] = t / A[j * K + j];
        }
    }
    for (size_t i = 0; i < K; i++) { /* L y = b */
        for (size_t p = 0; p < i; p++)
            b[i] -= A[i * K + p] * b[p];
        b[i] /= A[i * K + i];
    }
    for (size_t i = K; i-- > 0;) { /* L' z = y */
        for (size_t p = i + 1; p < K; p++)
            b[i] -= A[p * K + i] * b[p];
        b[i] /= A[i * K + i];
    }
    return true;
}

/* A starting point for the betas and sigma: ridge regression of what the
 * initial trend leaves on the components, and the residuals' spread. Prophet
 * starts from zeros and sigma 1; from there, a series dominated by a
 * regressor sends L-BFGS's first step so far that its line search gives up.
 * The optimum is the same (the posterior is convex for additive components). */
static void initial_components(fit *f, double *x)
{
    size_t K = f->K, S = f->S;
    double *A = calloc(K * K + 1, sizeof *A), *b = calloc(K + 1, sizeof *b);
    for (size_t j = 0; j < S; j++)
        f->delta[j] = 0;
    trend_vec(f, x[0], x[1], f->delta, f->g);
    bool ok = A && b;
    for (size_t i = 0; ok && i < f->n; i++) {
        const double *xr = f->Xd + i * K;
        double r = f->y[i] - f->g[i];
        for (size_t j = 0; j < K; j++) {
            double zj = xr[j] * (f->a->cols[j].mult ? f->g[i] : 1.0);
            b[j] += zj * r;
            for (size_t p = 0; p <= j; p++)
                A[j * K + p] += zj * xr[p] * (f->a->cols[p].mult ? f->g[i] : 1.0);
        }
    }
    for (size_t j = 0; ok && j < K; j++) {
        A[j * K + j] += 1e-6 * (double)f->n + 1 / (f->a->cols[j].prior * f->a->cols[j].prior);
        for (size_t p = j + 1; p < K; p++)
            A[j * K + p] = A[p * K + j];
    }
    if (ok && K && cholesky_solve(A, b, K)) memcpy(x + 3 + 2 * S, b, K * sizeof *b);
    components(f, x + 3 + 2 * S);
    double ssr = 0;
    for (size_t i = 0; i < f->n; i++) {
        double r = f->y[i] - (f->g[i] * (1 + f->mult[i]) + f->add[i]);
        ssr += r * r;
    }
    x[2 + 2 * S] = log(fmax(sqrt(ssr / (double)f->n), 1e-6));
    free(A);
    free(b);
}

static int fit_alloc(fit *f, const lp_additive_data *d)
{
    size_t n = f->n, S = f->S, K = f->K;
    f->Xd = malloc((n * K + 1) * sizeof(double));
    f->first = malloc((S + 1) * sizeof(size_t));
    double **bufs[] = {&f->g, &f->mult, &f->add, &f->dg, &f->gp, &f->gm};
    bool ok = f->Xd && f->first;
    for (size_t b = 0; b < sizeof bufs / sizeof *bufs; b++)
        ok = (*bufs[b] = malloc(n * sizeof(double))) != NULL && ok;
    f->delta = malloc((S + 1) * sizeof(double));
    f->dtheta = malloc((S + 1) * sizeof(double));
    if (!ok || !f->delta || !f->dtheta) return lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < K; j++)
            f->Xd[i * K + j] = lp_additive_col_value(&f->a->cols[j], d->ds[i], d->X + i * d->nf);
    size_t i = 0;
    for (size_t j = 0; j < S; j++) {
        while (i < n && f->t[i] < f->a->cp_t[j])
            i++;
        f->first[j] = i;
    }
    return 0;
}

static void fit_free(fit *f)
{
    free(f->Xd);
    free(f->first);
    free(f->g);
    free(f->mult);
    free(f->add);
    free(f->dg);
    free(f->gp);
    free(f->gm);
    free(f->delta);
    free(f->dtheta);
}

/* One run of `algorithm` from x (x becomes the best point found). */
static nlopt_result run_once(fit *f, nlopt_algorithm algorithm, double *x, const double *lb,
                             size_t nx, double *best)
{
    nlopt_opt opt = nlopt_create(algorithm, (unsigned)nx);
    if (!opt) return NLOPT_OUT_OF_MEMORY;
    nlopt_set_lower_bounds(opt, lb);
    nlopt_set_min_objective(opt, objective_per_row, f);
    nlopt_set_ftol_rel(opt, 1e-13);
    nlopt_set_xtol_rel(opt, 1e-10);
    nlopt_set_maxeval(opt, 20000);
    /* NLopt's default history is ~10 MB, zeroed on every run (most of a small
     * fit); 40 pairs converge in as few evaluations as the full history here */
    nlopt_set_vector_storage(opt, 40);
    *best = HUGE_VAL;
    nlopt_result r = nlopt_optimize(opt, x, best);
    nlopt_destroy(opt);
    return r;
}

/* L-BFGS; when its line search gives up (NLopt's generic failure), L-BFGS
 * again from the best point, then a truncated Newton method from there (as
 * Prophet falls back to Newton when Stan's L-BFGS fails). */
static int run_nlopt(fit *f, double *x, size_t nx)
{
    double *lb = malloc(nx * sizeof *lb);
    if (!lb) return lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t i = 0; i < nx; i++)
        lb[i] = (i >= 2 && i < 2 + 2 * f->S) ? 0 : -HUGE_VAL;
    static const nlopt_algorithm tries[] = {NLOPT_LD_LBFGS, NLOPT_LD_LBFGS,
                                            NLOPT_LD_TNEWTON_PRECOND_RESTART};
    double best = HUGE_VAL;
    nlopt_result r = NLOPT_FAILURE;
    for (size_t i = 0; i < sizeof tries / sizeof *tries; i++) {
        r = run_once(f, tries[i], x, lb, nx, &best);
        if (r > 0 || r == NLOPT_ROUNDOFF_LIMITED || r == NLOPT_OUT_OF_MEMORY) break;
    }
    free(lb);
    if ((r > 0 || r == NLOPT_ROUNDOFF_LIMITED) && isfinite(best)) return 0;
    if (r == NLOPT_OUT_OF_MEMORY) return lp_error_set(LP_ENOMEM, "out of memory");
    return lp_error_set(
        LP_ERROR, "additive model: L-BFGS failed (NLopt code %d after %ld evaluations)%s", (int)r,
        f->evals, isfinite(best) ? "" : "; the objective is not finite (check the target)");
}

int lp_additive_optimize(lp_additive *a, const lp_additive_cfg *c, const lp_additive_data *d)
{
    fit f = {.a = a, .n = d->n, .S = a->n_cp, .K = a->n_cols, .tau = c->cp_prior};
    double *t = malloc(d->n * sizeof *t), *y = malloc(d->n * sizeof *y);
    size_t nx = 3 + 2 * f.S + f.K;
    double *x = calloc(nx, sizeof *x);
    int rc = (t && y && x) ? 0 : lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t i = 0; rc == 0 && i < d->n; i++) {
        t[i] = lp_additive_t(a, d->ds[i]);
        y[i] = (d->y[i] - a->floor) / a->y_scale;
    }
    f.t = t;
    f.y = y;
    if (rc == 0) rc = fit_alloc(&f, d);
    if (rc == 0) {
        initial(&f, &x[0], &x[1]);
        initial_components(&f, x);
        rc = run_nlopt(&f, x, nx);
    }
    if (rc == 0) {
        a->k = x[0];
        a->m = x[1];
        for (size_t j = 0; j < f.S; j++)
            a->delta[j] = x[2 + j] - x[2 + f.S + j];
        a->sigma = exp(x[2 + 2 * f.S]);
        for (size_t j = 0; j < f.K; j++)
            a->cols[j].beta = x[3 + 2 * f.S + j];
    }
    fit_free(&f);
    free(t);
    free(y);
    free(x);
    return rc;
}
