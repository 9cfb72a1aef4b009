/*
 * ets.c — ETS models: the state recursion and likelihood (forecast's
 * etscalc), the objective with forecast::ets's bounds and admissibility, the
 * fit of one model by Nelder-Mead from forecast's starting values, and the
 * automatic selection by AICc (ets.h).
 */
#include "ml/ets.h"
#include "ml/ml_parallel.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lolpop/error.h"

#define HUGEN LP_ETS_HUGEN
#define TOLER LP_ETS_TOLER
#define MAXIT 2000

/* forecast::ets's default parameter bounds: alpha, beta, gamma, phi. */
static const double LOWER[4] = {1e-4, 1e-4, 1e-4, 0.8};
static const double UPPER[4] = {0.9999, 0.9999, 0.9999, 0.98};

void lp_ets_free(lp_ets *e)
{
    if (!e) return;
    free(e->init);
    free(e->last);
    free(e->fitted);
    free(e->y);
    free(e);
}

void lp_ets_name(const lp_ets_spec *s, char *buf, size_t cap)
{
    static const char c[] = {'N', 'A', 'M'};
    snprintf(buf, cap, "ETS(%c,%c%s,%c)", c[s->error], c[s->trend], s->damped ? "d" : "",
             c[s->season]);
}

int lp_ets_parse(const char *model, char *error, char *trend, char *season, int *damped)
{
    size_t len = model ? strlen(model) : 0;
    bool d = len == 4 && model[2] == 'd';
    if ((len != 3 && !d) || !strchr("AMZ", model[0]) || !strchr("NAZ", model[1]) ||
        !strchr("NAMZ", model[len - 1]) || (d && model[1] != 'A'))
        return lp_error_set(LP_EINVAL,
                            "ets model '%s' is not an ETS model: three letters error (A, M), "
                            "trend (N, A, or Ad for damped) and season (N, A, M), Z for 'choose' "
                            "(ANN, AAdN, MAM, ZZZ, ...); multiplicative trends are not offered",
                            model ? model : "(null)");
    *error = model[0];
    *trend = model[1];
    *season = model[len - 1];
    *damped = d ? 1 : model[1] == 'Z' ? -1 : 0;
    return 0;
}

/* ---- the recursion ---------------------------------------------------------- */

static size_t n_states_of(lp_ets_spec s, size_t m)
{
    return 1 + (s.trend != LP_ETS_N) + (s.season != LP_ETS_N ? m : 0);
}

/* The fit's parameters and states while they are evaluated. */
typedef struct ets_par {
    lp_ets_spec spec;
    size_t m;
    double alpha, beta, gamma, phi;
} ets_par;

/* What a run records of its first lane besides the likelihood, each NULL
 * when not wanted: errors and one-step forecasts (n), the mean squared
 * error, and the states at times 0..n (as lp_ets_state_path gives them). */
typedef struct ets_trace {
    double *e, *f, *mse, *level, *slope, *season;
} ets_trace;

#if defined(__GNUC__)
#define ETS_INLINE inline __attribute__((always_inline))
#else
#define ETS_INLINE inline
#endif

/* Two lanes of doubles (GCC's vector extension: SSE2 on x86-64): each
 * operation is the scalar operation in each lane, rounded the same. */
typedef double ets_v2 __attribute__((vector_size(16)));
typedef long long ets_mask2 __attribute__((vector_size(16)));

static ETS_INLINE ets_v2 v2_abs(ets_v2 a)
{
    return (ets_v2)((ets_mask2)a & ~(ets_mask2)(ets_v2){-0.0, -0.0});
}

/* a where the mask is set, else b. */
static ETS_INLINE ets_v2 v2_select(ets_mask2 mask, ets_v2 a, ets_v2 b)
{
    return (ets_v2)(((ets_mask2)a & mask) | ((ets_mask2)b & ~mask));
}

/* forecast's etscalc (its forecast() for one step and update() after each
 * observation) for one kind of model, on two parameter sets at once (the
 * lanes): error, trend, damped and season are constants where it is
 * inlined, so that the loop the optimiser runs thousands of times per fit
 * has no tests of the model's kind, and the two lanes' recursions, each a
 * chain of dependent operations, run side by side in the same instructions
 * (about the time of one). Runs lane j's states over y (x[j]: initial in,
 * last out) and gives -2 log-likelihood up to a constant (n log SSE + 2 sum
 * log|f| for multiplicative errors) in lik[j]. The seasonal states lie in a
 * line s[0..n+m): s[i] is the one observation i uses (made m observations
 * before, or initial) and s[i + m] the one it makes, so none is moved
 * (forecast shifts all m per observation). Each lane's arithmetic is
 * forecast's, operation for operation (beta / alpha is the same quotient at
 * every step; phi b is b when phi is 1): the same bits as one at a time. */
static ETS_INLINE void run(const ets_par *p0, const ets_par *p1, double *x0, double *x1, ets_v2 *s,
                           const double *y, size_t n, const ets_trace *tr, double *lik,
                           lp_ets_comp error, lp_ets_comp trend, bool damped, lp_ets_comp season)
{
    size_t m = p0->m, k = 1 + (trend != LP_ETS_N);
    const ets_v2 zero = {0.0, 0.0}, toler = {TOLER, TOLER}, hugen = {HUGEN, HUGEN};
    ets_v2 l = {x0[0], x1[0]}, b = trend != LP_ETS_N ? (ets_v2){x0[1], x1[1]} : zero;
    ets_v2 alpha = {p0->alpha, p1->alpha}, gamma = {p0->gamma, p1->gamma};
    ets_v2 phi = {p0->phi, p1->phi};
    ets_v2 ratio = trend != LP_ETS_N ? (ets_v2){p0->beta, p1->beta} / alpha : zero;
    if (season != LP_ETS_N)
        for (size_t j = 0; j < m; j++)
            s[j] = (ets_v2){x0[k + m - 1 - j], x1[k + m - 1 - j]};
    ets_v2 sse = zero, prod = {1.0, 1.0};
    double se = 0.0;
    int exp2[2] = {0, 0};
    for (size_t i = 0; i < n; i++) {
        if (tr) {
            if (tr->level) tr->level[i] = l[0];
            if (tr->slope && trend != LP_ETS_N) tr->slope[i] = b[0];
            if (tr->season && season != LP_ETS_N) tr->season[i] = s[i + m - 1][0];
        }
        ets_v2 phib = trend == LP_ETS_N ? zero : damped ? phi * b : b;
        ets_v2 q = trend == LP_ETS_N ? l : l + phib;
        ets_v2 olds = season != LP_ETS_N ? s[i] : zero, yi = {y[i], y[i]};
        ets_v2 fc = season == LP_ETS_N ? q : season == LP_ETS_A ? q + olds : q * olds;
        ets_v2 err = error == LP_ETS_A ? yi - fc : (yi - fc) / fc;
        ets_v2 pv = season == LP_ETS_N   ? yi
                    : season == LP_ETS_A ? yi - olds
                                         : v2_select(v2_abs(olds) < toler, hugen, yi / olds);
        ets_v2 nl = q + alpha * (pv - q);
        if (trend != LP_ETS_N) b = phib + ratio * ((nl - l) - phib);
        l = nl;
        if (season != LP_ETS_N) {
            ets_v2 t = season == LP_ETS_A ? yi - q : v2_select(v2_abs(q) < toler, hugen, yi / q);
            s[i + m] = olds + gamma * (t - olds);
        }
        if (tr) {
            if (tr->e) tr->e[i] = err[0];
            if (tr->f) tr->f[i] = fc[0];
            se += (y[i] - fc[0]) * (y[i] - fc[0]);
        }
        sse += err * err;
        if (error == LP_ETS_M) { /* sum log|f| as the log of a product kept in range */
            prod *= v2_abs(fc);
            if (!(prod[0] > 1e-150 && prod[0] < 1e150 && prod[1] > 1e-150 && prod[1] < 1e150))
                for (size_t j = 0; j < 2; j++)
                    if (!(prod[j] > 1e-150 && prod[j] < 1e150)) {
                        int ex = 0;
                        prod[j] = frexp(prod[j], &ex);
                        exp2[j] += ex;
                    }
        }
    }
    if (tr) {
        if (tr->level) tr->level[n] = l[0];
        if (tr->slope && trend != LP_ETS_N) tr->slope[n] = b[0];
        if (tr->season && season != LP_ETS_N) tr->season[n] = s[n + m - 1][0];
        if (tr->mse) *tr->mse = se / (double)n;
    }
    double *xs[2] = {x0, x1};
    for (size_t j = 0; j < 2; j++) {
        xs[j][0] = l[j];
        if (trend != LP_ETS_N) xs[j][1] = b[j];
        if (season != LP_ETS_N)
            for (size_t i = 0; i < m; i++)
                xs[j][k + i] = s[n + m - 1 - i][j];
        lik[j] = (double)n * log(sse[j]);
        if (error == LP_ETS_M) lik[j] += 2 * (log(prod[j]) + exp2[j] * M_LN2);
    }
}

/* One parameter set's run with a trace (finish and the state path, once
 * per fit): the model's kind tested at each step, the second lane a copy of
 * the first. x: initial states in, last out; *lik. 0 or LP_ENOMEM. */
static int run_traced(const ets_par *p, double *x, const double *y, size_t n, const ets_trace *tr,
                      double *lik)
{
    size_t ns = n_states_of(p->spec, p->m);
    double *x1 = malloc(ns * sizeof *x1), two[2];
    ets_v2 *s = malloc((n + p->m) * sizeof *s);
    if (!x1 || !s) {
        free(x1);
        free(s);
        return lp_error_set(LP_ENOMEM, "out of memory running ets states");
    }
    memcpy(x1, x, ns * sizeof *x1);
    run(p, p, x, x1, s, y, n, tr, two, p->spec.error, p->spec.trend, p->spec.damped,
        p->spec.season);
    *lik = two[0];
    free(x1);
    free(s);
    return 0;
}

/* The optimiser's runs of two parameter sets of one kind of model: one
 * copy of the loop per kind. */
static void run_fast(const ets_par *p0, const ets_par *p1, double *x0, double *x1, ets_v2 *s,
                     const double *y, size_t n, double *lik)
{
    const lp_ets_spec k = p0->spec;
#define RUN(E, T, D, S)                                                                            \
    if (k.error == E && k.trend == T && k.damped == D && k.season == S) {                          \
        run(p0, p1, x0, x1, s, y, n, NULL, lik, E, T, D, S);                                       \
        return;                                                                                    \
    }
#define RUN_SEASONS(E, T, D)                                                                       \
    RUN(E, T, D, LP_ETS_N);                                                                        \
    RUN(E, T, D, LP_ETS_A);                                                                        \
    RUN(E, T, D, LP_ETS_M)
#define RUN_TRENDS(E)                                                                              \
    RUN_SEASONS(E, LP_ETS_N, false);                                                               \
    RUN_SEASONS(E, LP_ETS_A, false);                                                               \
    RUN_SEASONS(E, LP_ETS_A, true)
    RUN_TRENDS(LP_ETS_A);
    RUN_TRENDS(LP_ETS_M);
#undef RUN_TRENDS
#undef RUN_SEASONS
#undef RUN
    run(p0, p1, x0, x1, s, y, n, NULL, lik, k.error, k.trend, k.damped, k.season);
}

int lp_ets_state_path(const lp_ets *e, double *level, double *slope, double *season)
{
    if (!e->y)
        return lp_error_set(LP_EINVAL, "this ets model keeps no observations (saved by an older "
                                       "lolpop): refit it to see its states");
    ets_par p = {e->spec, e->m, e->alpha, e->beta, e->gamma, e->phi};
    double *x = malloc(e->n_states * sizeof *x), lik;
    if (!x) return lp_error_set(LP_ENOMEM, "out of memory");
    memcpy(x, e->init, e->n_states * sizeof *x);
    int rc = run_traced(&p, x, e->y, e->n,
                        &(ets_trace){.level = level, .slope = slope, .season = season}, &lik);
    free(x);
    return rc;
}

/* ---- admissibility ---------------------------------------------------------- */

/* Whether every root of the polynomial sum c[k] z^k (k <= d, c[d] != 0) has
 * modulus below r: the Schur-Cohn test on p(r z). While |a_0| < |a_n|, p and
 * (a_n p - a_0 p*) / z (p* the reversed polynomial, one degree less) have
 * the same number of roots inside the unit circle; p has all n inside iff
 * that holds at every step. O(d^2) real operations, no iteration: it
 * replaces finding the roots themselves (Durand-Kerner, up to 1000 sweeps of
 * complex arithmetic per call), which took two thirds of an automatic ETS
 * fit; the decisions agree on 200,000 random parameter sets. */
static bool roots_within(const double *c, size_t d, double r)
{
    double a[34], b[34], s = 1;
    for (size_t k = 0; k <= d; k++) {
        a[k] = c[k] * s;
        s *= r;
    }
    for (size_t n = d; n > 0; n--) {
        double a0 = a[0], an = a[n], mx = 0;
        if (!(fabs(a0) < fabs(an))) return false;
        for (size_t i = 1; i <= n; i++) {
            b[i - 1] = an * a[i] - a0 * a[n - i];
            if (fabs(b[i - 1]) > mx) mx = fabs(b[i - 1]);
        }
        if (!(mx > 0)) return false;
        for (size_t i = 0; i < n; i++) /* scaled: the products would overflow */
            a[i] = b[i] / mx;
    }
    return true;
}

bool lp_ets_admissible(double alpha, double beta, double gamma, double phi, size_t m,
                       bool has_trend, bool has_season)
{
    if (phi < 0 || phi > 1 + 1e-8) return false;
    if (!has_season) {
        if (alpha < 1 - 1 / phi || alpha > 1 + 1 / phi) return false;
        if (has_trend && (beta < alpha * (phi - 1) || beta > (1 + phi) * (2 - alpha))) return false;
        return true;
    }
    if (m <= 1) return true;
    if (!has_trend) beta = 0;
    double d = 1 - 1 / phi - alpha, dm = (double)m;
    if (gamma < (d > 0 ? d : 0) || gamma > 1 + 1 / phi - alpha) return false;
    if (alpha < 1 - 1 / phi - gamma * (1 - dm + phi + phi * dm) / (2 * phi * dm)) return false;
    if (beta < -(1 - phi) * (gamma / dm + alpha)) return false;
    /* the characteristic polynomial forecast's C++ objective tests (its
     * cpolyroot coefficients, here lowest power first), monic */
    double c[32];
    size_t deg = m + 1;
    c[0] = phi * (1 - alpha - gamma);
    c[1] = alpha + beta - alpha * phi + gamma - 1;
    for (size_t j = 2; j < m; j++)
        c[j] = alpha + beta - alpha * phi;
    c[m] = alpha + beta - phi;
    c[m + 1] = 1;
    return roots_within(c, deg, 1 + 1e-10);
}

/* ---- the objective ---------------------------------------------------------- */

typedef struct ets_target {
    ets_par p;
    const double *y;
    size_t n;
    size_t n_smooth; /* leading parameters of the vector: alpha [beta] [gamma] [phi] */
    size_t n_free_states;
    double *x[2]; /* scratch: each lane's states */
    ets_v2 *s;    /* scratch: the seasonal states' line (run), n + m */
} ets_target;

/* Unpacks alpha [beta] [gamma] [phi] from v into p. */
static void unpack(ets_par *p, const double *v)
{
    size_t j = 0;
    p->alpha = v[j++];
    if (p->spec.trend != LP_ETS_N) p->beta = v[j++];
    if (p->spec.season != LP_ETS_N) p->gamma = v[j++];
    if (p->spec.damped) p->phi = v[j++];
}

/* The full initial state from the free ones: the last seasonal state makes
 * the seasonal states sum to 0 (additive) or m (multiplicative). */
static void full_state(double *x, const double *free_states, size_t n_free, const ets_par *p)
{
    memcpy(x, free_states, n_free * sizeof *x);
    if (p->spec.season == LP_ETS_N) return;
    size_t k = 1 + (p->spec.trend != LP_ETS_N);
    double sum = 0.0;
    for (size_t i = k; i < n_free; i++)
        sum += x[i];
    x[n_free] = (p->spec.season == LP_ETS_M ? (double)p->m : 0.0) - sum;
}

/* forecast::ets's bounds on the parameters (the cheap half of its check). */
static bool in_bounds(const ets_par *p)
{
    if (p->alpha < LOWER[0] || p->alpha > UPPER[0]) return false;
    if (p->spec.trend != LP_ETS_N &&
        (p->beta < LOWER[1] || p->beta > p->alpha || p->beta > UPPER[1]))
        return false;
    if (p->spec.damped && (p->phi < LOWER[3] || p->phi > UPPER[3])) return false;
    if (p->spec.season != LP_ETS_N &&
        (p->gamma < LOWER[2] || p->gamma > 1 - p->alpha || p->gamma > UPPER[2]))
        return false;
    return true;
}

static bool admissible(const ets_par *p)
{
    return lp_ets_admissible(p->alpha, p->beta, p->gamma, p->phi, p->m, p->spec.trend != LP_ETS_N,
                             p->spec.season != LP_ETS_N);
}

/* Lane j's parameters (p) and initial states (t->x[j]) from the vector v;
 * false when they are outside forecast::ets's bounds or a multiplicative
 * season's initial states are negative (the objective's +inf). */
static bool prepare(ets_target *t, size_t j, ets_par *p, const double *v)
{
    *p = t->p;
    unpack(p, v);
    if (!in_bounds(p)) return false;
    full_state(t->x[j], v + t->n_smooth, t->n_free_states, p);
    if (p->spec.season == LP_ETS_M) {
        size_t k = 1 + (p->spec.trend != LP_ETS_N);
        for (size_t i = k; i < k + p->m; i++)
            if (t->x[j][i] < 0) return false;
    }
    return true;
}

/* The objective's check (lp_ets_objective): admissibility of the
 * parameters of v, which are within the bounds (their value is finite). */
static bool target_check(const double *v, void *ctx)
{
    ets_target *t = ctx;
    ets_par p = t->p;
    unpack(&p, v);
    return admissible(&p);
}

/* The objective (lp_ets_objective): forecast's, +inf outside the bounds or
 * the admissible region, for one or two points (run side by side; one
 * alone runs in both lanes). The admissibility test (O(m^2), a fifth of an
 * evaluation's instructions) is only made when the likelihood is below the
 * bound: an inadmissible point's +inf would not be below it either, so the
 * optimiser takes the same steps (on the bench, 41 % of its trial points
 * are not kept and 5 in 19,000 are inadmissible). */
static void target(const double *const *v, const double *bound, double *value, size_t k, void *ctx)
{
    ets_target *t = ctx;
    ets_par p[2];
    bool ok[2] = {false, false};
    for (size_t j = 0; j < k; j++)
        ok[j] = prepare(t, j, &p[j], v[j]);
    double lik[2] = {INFINITY, INFINITY};
    if (ok[0] && ok[1]) {
        run_fast(&p[0], &p[1], t->x[0], t->x[1], t->s, t->y, t->n, lik);
    } else if (ok[0] || ok[1]) {
        size_t j = ok[0] ? 0 : 1;
        size_t ns = n_states_of(p[j].spec, p[j].m);
        memcpy(t->x[1 - j], t->x[j], ns * sizeof *t->x[j]);
        double both[2];
        run_fast(&p[j], &p[j], t->x[0], t->x[1], t->s, t->y, t->n, both);
        lik[j] = both[0];
    }
    for (size_t j = 0; j < k; j++) {
        double l = lik[j];
        if (ok[j]) {
            if (l < -1e10) l = -1e10; /* avoid perfect fits */
            if (isnan(l)) l = INFINITY;
            if (l < bound[j] && !admissible(&p[j])) l = INFINITY; /* NaN: not now */
        }
        value[j] = l;
    }
}

/* ---- one model -------------------------------------------------------------- */

/* The fit at parameters p and free initial states: the lp_ets with its
 * likelihood, criteria, fitted values and last states. */
static int finish(lp_ets **out, const ets_par *p, const double *free_states, const double *y,
                  size_t n, size_t n_params)
{
    lp_ets *e = calloc(1, sizeof *e);
    size_t ns = n_states_of(p->spec, p->m);
    if (e) {
        e->init = malloc(ns * sizeof *e->init);
        e->last = malloc(ns * sizeof *e->last);
        e->fitted = malloc((n ? n : 1) * sizeof *e->fitted);
        e->y = malloc((n ? n : 1) * sizeof *e->y);
    }
    double *err = malloc((n ? n : 1) * sizeof *err);
    if (!e || !e->init || !e->last || !e->fitted || !e->y || !err) {
        lp_ets_free(e);
        free(err);
        return lp_error_set(LP_ENOMEM, "out of memory fitting ets");
    }
    e->spec = p->spec;
    e->m = p->m;
    e->alpha = p->alpha;
    e->beta = p->beta;
    e->gamma = p->gamma;
    e->phi = p->phi;
    e->n_states = ns;
    e->n = n;
    e->n_params = n_params;
    size_t n_free = ns - (p->spec.season != LP_ETS_N);
    full_state(e->init, free_states, n_free, p);
    memcpy(e->last, e->init, ns * sizeof *e->last);
    if (n) memcpy(e->y, y, n * sizeof *e->y);
    double lik = 0;
    int rc = run_traced(p, e->last, y, n, &(ets_trace){.e = err, .mse = &e->mse}, &lik);
    if (rc) {
        lp_ets_free(e);
        free(err);
        return rc;
    }
    double sse = 0.0;
    for (size_t i = 0; i < n; i++) {
        e->fitted[i] = p->spec.error == LP_ETS_A ? y[i] - err[i] : y[i] / (1 + err[i]);
        sse += err[i] * err[i];
    }
    free(err);
    double np = (double)(n_params + 1), dn = (double)n;
    e->loglik = -0.5 * lik;
    e->aic = lik + 2 * np;
    e->bic = lik + log(dn) * np;
    e->aicc = e->aic + 2 * np * (np + 1) / (dn - np - 1);
    e->sigma2 = sse / (dn - (double)n_params);
    *out = e;
    return 0;
}

/* forecast's initparam for the default bounds (m is 1 without season). */
static size_t start_params(double *v, lp_ets_spec s, size_t m)
{
    size_t j = 0;
    double alpha = LOWER[0] + 0.2 * (UPPER[0] - LOWER[0]) / (double)m;
    if (alpha > 1 || alpha < 0) alpha = LOWER[0] + 2e-3;
    v[j++] = alpha;
    if (s.trend != LP_ETS_N) {
        double up = UPPER[1] < alpha ? UPPER[1] : alpha;
        double beta = LOWER[1] + 0.1 * (up - LOWER[1]);
        if (beta < 0 || beta > alpha) beta = alpha - 1e-3;
        v[j++] = beta;
    }
    if (s.season != LP_ETS_N) {
        double up = UPPER[2] < 1 - alpha ? UPPER[2] : 1 - alpha;
        double gamma = LOWER[2] + 0.05 * (up - LOWER[2]);
        if (gamma < 0 || gamma > 1 - alpha) gamma = 1 - alpha - 1e-3;
        v[j++] = gamma;
    }
    if (s.damped) {
        double phi = LOWER[3] + 0.99 * (UPPER[3] - LOWER[3]);
        if (phi < 0 || phi > 1) phi = UPPER[3] - 1e-3;
        v[j++] = phi;
    }
    return j;
}

/* Fits one model; *out NULL (and 0) when it has too many parameters for n. */
static int fit_model(lp_ets **out, const double *y, size_t n, size_t m, lp_ets_spec s)
{
    *out = NULL;
    if (s.season == LP_ETS_N) m = 1;
    ets_target t = {.p = {.spec = s, .m = m, .beta = 0, .gamma = 0, .phi = 1}, .y = y, .n = n};
    double v[64];
    t.n_smooth = start_params(v, s, m);
    size_t ns = n_states_of(s, m);
    t.n_free_states = ns - (s.season != LP_ETS_N);
    size_t np = t.n_smooth + t.n_free_states;
    if (np >= n - 1 || np > 60) return 0; /* not enough data: forecast's aic = Inf */
    int rc = lp_ets_initial_states(v + t.n_smooth, y, n, m, s);
    if (rc) return rc;
    t.x[0] = malloc(ns * sizeof *t.x[0]);
    t.x[1] = malloc(ns * sizeof *t.x[1]);
    t.s = malloc((n + m) * sizeof *t.s);
    if (!t.x[0] || !t.x[1] || !t.s) {
        free(t.x[0]);
        free(t.x[1]);
        free(t.s);
        return lp_error_set(LP_ENOMEM, "out of memory");
    }
    const lp_ets_objective objective = {target, target_check};
    double best = lp_ets_nelder_mead(&objective, &t, v, np, MAXIT);
    free(t.x[0]);
    free(t.x[1]);
    free(t.s);
    if (!isfinite(best)) return 0;
    unpack(&t.p, v);
    return finish(out, &t.p, v + t.n_smooth, y, n, np);
}

int lp_ets_evaluate(lp_ets **out, const double *y, size_t n, size_t m, lp_ets_spec spec,
                    double alpha, double beta, double gamma, double phi, const double *init)
{
    if (spec.season == LP_ETS_N) m = 1;
    ets_par p = {.spec = spec,
                 .m = m,
                 .alpha = alpha,
                 .beta = spec.trend != LP_ETS_N ? beta : 0,
                 .gamma = spec.season != LP_ETS_N ? gamma : 0,
                 .phi = spec.damped ? phi : 1};
    size_t n_free = n_states_of(spec, m) - (spec.season != LP_ETS_N);
    size_t np = 1 + (spec.trend != LP_ETS_N) + (spec.season != LP_ETS_N) + spec.damped + n_free;
    if (n < 2 || m > 60)
        return lp_error_set(LP_EINVAL, "ets: %zu values with period %zu cannot be evaluated", n, m);
    return finish(out, &p, init, y, n, np);
}

/* ---- selection -------------------------------------------------------------- */

/* Whether forecast::ets (restrict = TRUE, no multiplicative trend) allows it. */
static bool allowed(lp_ets_spec s)
{
    if (s.trend == LP_ETS_N && s.damped) return false;
    if (s.error == LP_ETS_A && s.season == LP_ETS_M) return false;
    return true;
}

/* The candidates of one letter: Z is all of `all`. */
static size_t choices(lp_ets_comp *out, char letter, const char *all)
{
    static const char names[] = "NAM";
    size_t k = 0;
    for (const char *c = all; *c; c++)
        if (letter == 'Z' || letter == *c) out[k++] = (lp_ets_comp)(strchr(names, *c) - names);
    return k;
}

/* The candidate models of an automatic fit, fitted in parallel: fits[i] and
 * errors[i] are task i's own. */
typedef struct candidates {
    const double *y;
    size_t n, m, count;
    lp_ets_spec specs[24];
    lp_ets *fits[24];
    lp_ml_task_error errors[24];
} candidates;

static void fit_candidate(void *ctx, size_t i)
{
    candidates *c = ctx;
    c->fits[i] = NULL;
    c->errors[i].code = 0;
    int rc = fit_model(&c->fits[i], c->y, c->n, c->m, c->specs[i]);
    if (rc) lp_ml_task_error_keep(&c->errors[i], rc);
}

int lp_ets_fit(lp_ets **out, const double *y, size_t n, size_t m, const char *model)
{
    char ec, tc, sc;
    int damped;
    int rc = lp_ets_parse(model, &ec, &tc, &sc, &damped);
    if (rc) return rc;
    if (m < 1) m = 1;
    bool positive = true, finite = true, constant = true;
    for (size_t i = 0; i < n; i++) {
        positive = positive && y[i] > 0;
        finite = finite && isfinite(y[i]);
        constant = constant && y[i] == y[0];
    }
    if (!finite) return lp_error_set(LP_EINVAL, "ets: the series has missing or infinite values");
    if (n > 0 && constant)
        return lp_error_set(LP_EINVAL, "ets: the series is constant (%g): nothing to smooth", y[0]);
    if (n <= m || m == 1 || m > 24) {
        if (sc == 'A' || sc == 'M')
            return lp_error_set(LP_EINVAL,
                                "ets model %s: a seasonal model needs a period between 2 and "
                                "24 and more values than one period (period %zu, %zu values)",
                                model, m, n);
        sc = 'N';
    }
    if (ec == 'M' && !positive)
        return lp_error_set(LP_EINVAL, "ets model %s: multiplicative errors need values above zero",
                            model);
    if (ec == 'A' && sc == 'M')
        return lp_error_set(LP_EINVAL,
                            "ets model %s: additive errors with a multiplicative season are "
                            "forbidden (unstable, as in forecast::ets)",
                            model);
    size_t npars = 2 + (tc == 'A' ? 2 : 0) + (sc == 'A' || sc == 'M' ? m : 0) + (damped == 1);
    if (n <= npars + 4)
        return lp_error_set(LP_EINVAL,
                            "ets model %s: %zu values are too few (it needs more "
                            "than %zu)",
                            model, n, npars + 4);
    lp_ets_comp es[2], ts[2], ss[3];
    size_t ne = choices(es, ec, "AM"), nt = choices(ts, tc, "NA"), nse = choices(ss, sc, "NAM");
    bool dampings[2] = {true, false};
    size_t d0 = damped == 0 ? 1 : 0, d1 = damped == 1 ? 1 : 2;
    candidates c = {.y = y, .n = n, .m = m};
    for (size_t i = 0; i < ne; i++)
        for (size_t j = 0; j < nt; j++)
            for (size_t k = 0; k < nse; k++)
                for (size_t l = d0; l < d1; l++) {
                    lp_ets_spec s = {es[i], ts[j], ss[k], dampings[l]};
                    if (allowed(s) && !(s.error == LP_ETS_M && !positive)) c.specs[c.count++] = s;
                }
    lp_ml_parallel(c.count, fit_candidate, &c);
    lp_ets *best = NULL;
    rc = 0;
    for (size_t i = 0; i < c.count; i++) { /* in order: the sequential loop's choice */
        lp_ets *fit = c.fits[i];
        if (rc == 0 && c.errors[i].code) rc = lp_ml_task_error_raise(&c.errors[i]);
        if (rc == 0 && fit && isfinite(fit->aicc) && (!best || fit->aicc < best->aicc)) {
            lp_ets_free(best);
            best = fit;
        } else {
            lp_ets_free(fit);
        }
    }
    if (rc) {
        lp_ets_free(best);
        return rc;
    }
    if (!best)
        return lp_error_set(LP_EINVAL, "ets model %s: no model could be fitted to %zu values",
                            model, n);
    *out = best;
    return 0;
}
