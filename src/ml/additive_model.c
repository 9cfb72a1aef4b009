/*
 * additive_model.c — predictions of a fitted additive model (additive.h):
 * the trend, the components, the point forecast and the back-end "additive".
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ml/additive.h"

#define SECONDS_PER_DAY 86400.0

double lp_additive_t(const lp_additive *a, double ds)
{
    return (ds - a->t_start) / a->t_scale;
}

/* Logistic growth (Prophet's piecewise_logistic): the offsets gamma keep the
 * curve continuous at each changepoint. */
static double logistic_trend(const lp_additive *a, const double *cp_t, const double *delta,
                             size_t n_cp, double t)
{
    double cap = (a->cap - a->floor) / a->y_scale;
    double k = a->k, m = a->m, m_pr = a->m;
    double k_prev = a->k;
    for (size_t j = 0; j < n_cp && cp_t[j] <= t; j++) {
        double k_next = k_prev + delta[j];
        double gamma = (cp_t[j] - m_pr) * (1 - k_prev / k_next);
        m_pr += gamma;
        k += delta[j];
        m += gamma;
        k_prev = k_next;
    }
    return cap / (1 + exp(-k * (t - m)));
}

double lp_additive_trend_scaled(const lp_additive *a, const double *cp_t, const double *delta,
                                size_t n_cp, double t)
{
    if (a->logistic) return logistic_trend(a, cp_t, delta, n_cp, t);
    double k = a->k, m = a->m;
    for (size_t j = 0; j < n_cp && cp_t[j] <= t; j++) {
        k += delta[j];
        m -= cp_t[j] * delta[j];
    }
    return k * t + m;
}

double lp_additive_trend_at(const lp_additive *a, double ds)
{
    double g = lp_additive_trend_scaled(a, a->cp_t, a->delta, a->n_cp, lp_additive_t(a, ds));
    return g * a->y_scale + a->floor;
}

static bool has_day(const lp_additive_col *c, int64_t day)
{
    size_t lo = 0, hi = c->n_days; /* days are sorted */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->days[mid] < day)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < c->n_days && c->days[lo] == day;
}

double lp_additive_col_value(const lp_additive_col *c, double ds, const double *x)
{
    switch (c->kind) {
    case LP_ADD_SEASONAL: {
        double arg = 2.0 * M_PI * c->order * (ds / SECONDS_PER_DAY) / c->period;
        return c->is_cos ? cos(arg) : sin(arg);
    }
    case LP_ADD_HOLIDAY:
        if (!isfinite(ds)) return NAN;
        return has_day(c, (int64_t)floor(ds / SECONDS_PER_DAY)) ? 1.0 : 0.0;
    case LP_ADD_REGRESSOR:
        return (x[c->feature] - c->mu) / c->std;
    }
    return 0;
}

/* Whether column c belongs to component `name`. */
static bool in_component(const lp_additive_col *c, const char *name)
{
    if (strcmp(name, "holidays") == 0) return c->kind == LP_ADD_HOLIDAY;
    if (strcmp(name, "extra_regressors") == 0) return c->kind == LP_ADD_REGRESSOR;
    return strcmp(c->group, name) == 0;
}

int lp_additive_component(const lp_additive *a, const double *X, size_t rows, size_t n_features,
                          const char *name, double *out)
{
    bool trend = strcmp(name, "trend") == 0, found = trend;
    for (size_t j = 0; j < a->n_cols && !found; j++)
        found = in_component(&a->cols[j], name);
    if (!found) return lp_error_set(LP_ENOTFOUND, "the additive model has no component '%s'", name);
    for (size_t i = 0; i < rows; i++) {
        const double *x = X + i * n_features;
        double ds = x[a->time_feature];
        if (trend) {
            out[i] = lp_additive_trend_at(a, ds);
            continue;
        }
        double s = 0;
        for (size_t j = 0; j < a->n_cols; j++) {
            const lp_additive_col *c = &a->cols[j];
            if (!in_component(c, name)) continue;
            /* multiplicative betas are relative to the trend: unitless */
            s += lp_additive_col_value(c, ds, x) * c->beta * (c->mult ? 1.0 : a->y_scale);
        }
        out[i] = s;
    }
    return 0;
}

/* The multiplicative and additive (scaled) parts of row x at ds. */
static void row_parts(const lp_additive *a, double ds, const double *x, double *mult, double *add)
{
    *mult = *add = 0;
    for (size_t j = 0; j < a->n_cols; j++) {
        const lp_additive_col *c = &a->cols[j];
        double v = lp_additive_col_value(c, ds, x) * c->beta;
        if (c->mult)
            *mult += v;
        else
            *add += v;
    }
}

/* Point forecast for one row; NaN when its time or a regressor is missing. */
static double predict_row(const lp_additive *a, const double *x)
{
    double ds = x[a->time_feature];
    if (!isfinite(ds)) return NAN;
    double mult, add;
    row_parts(a, ds, x, &mult, &add);
    double trend = lp_additive_trend_at(a, ds);
    return trend * (1 + mult) + add * a->y_scale;
}

/* The feature indices a loaded model refers to must exist. */
static int check_features(const lp_additive *a, size_t nf)
{
    bool ok = a->time_feature < nf;
    for (size_t j = 0; ok && j < a->n_cols; j++)
        ok = a->cols[j].kind != LP_ADD_REGRESSOR || a->cols[j].feature < nf;
    return ok ? 0
              : lp_error_set(LP_EINVAL, "the additive model refers to a feature beyond its %zu",
                             nf);
}

static int additive_predict(void *state, const lp_model *m, const double *X, size_t rows,
                            double *out)
{
    const lp_additive *a = state;
    size_t nf = lp_model_n_features(m);
    int rc = check_features(a, nf);
    if (rc) return rc;
    for (size_t i = 0; i < rows; i++)
        out[i] = predict_row(a, X + i * nf);
    return 0;
}

/* ---- intervals: simulated future trend changes and noise (Prophet's) ---------------- */

typedef struct rng {
    uint64_t s[4];
} rng;

static uint64_t splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static void rng_seed(rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix(&seed);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

/* xoshiro256**: a uniform in (0, 1). */
static double rng_unif(rng *r)
{
    uint64_t *s = r->s, res = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return ((double)(res >> 11) + 0.5) * 0x1.0p-53;
}

static double rng_normal(rng *r)
{
    return sqrt(-2 * log(rng_unif(r))) * cos(2 * M_PI * rng_unif(r));
}

static double rng_laplace(rng *r, double b)
{
    double u = rng_unif(r) - 0.5;
    return u < 0 ? b * log(1 + 2 * u) : -b * log(1 - 2 * u);
}

/* Poisson(lambda): Knuth's product method on chunks of at most 20 (a sum of
 * Poisson variates is Poisson). */
static size_t rng_poisson(rng *r, double lambda)
{
    size_t n = 0;
    while (lambda > 0) {
        double l = lambda > 20 ? 20 : lambda, lim = exp(-l), p = rng_unif(r);
        lambda -= l;
        while (p > lim) {
            n++;
            p *= rng_unif(r);
        }
    }
    return n;
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

/* numpy's default percentile (linear interpolation) of sorted v[0..n). */
static double percentile(const double *v, size_t n, double q)
{
    double pos = q * (double)(n - 1);
    size_t lo = (size_t)floor(pos);
    if (lo + 1 >= n) return v[n - 1];
    return v[lo] + (pos - (double)lo) * (v[lo + 1] - v[lo]);
}

typedef struct sim {
    double *cp_t, *delta; /* historical then simulated changepoints, sorted */
    size_t n;
} sim;

/* One simulated set of changepoints up to scaled time t_max. */
static int simulate_changes(sim *s, const lp_additive *a, rng *r, double t_max, double mean_abs)
{
    size_t extra = t_max > 1 ? rng_poisson(r, (double)a->n_cp * (t_max - 1)) : 0;
    size_t n = a->n_cp + extra;
    double *cp = malloc((n ? n : 1) * sizeof *cp), *d = malloc((n ? n : 1) * sizeof *d);
    if (!cp || !d) {
        free(cp);
        free(d);
        return lp_error_set(LP_ENOMEM, "out of memory");
    }
    if (a->n_cp) {
        memcpy(cp, a->cp_t, a->n_cp * sizeof *cp);
        memcpy(d, a->delta, a->n_cp * sizeof *d);
    }
    for (size_t j = a->n_cp; j < n; j++)
        cp[j] = 1 + rng_unif(r) * (t_max - 1);
    qsort(cp + a->n_cp, extra, sizeof *cp, cmp_double);
    for (size_t j = a->n_cp; j < n; j++)
        d[j] = rng_laplace(r, mean_abs);
    s->cp_t = cp;
    s->delta = d;
    s->n = n;
    return 0;
}

typedef struct interval_job {
    const lp_additive *a;
    const double *X;
    size_t rows, nf;
    double *mult, *add, *samples; /* samples: rows x n_samples */
} interval_job;

static int simulate_all(interval_job *j, size_t ns)
{
    const lp_additive *a = j->a;
    double t_max = -INFINITY, mean_abs = 1e-8;
    for (size_t i = 0; i < j->rows; i++)
        t_max = fmax(t_max, lp_additive_t(a, j->X[i * j->nf + a->time_feature]));
    for (size_t c = 0; c < a->n_cp; c++)
        mean_abs += fabs(a->delta[c]) / (double)a->n_cp;
    rng r;
    rng_seed(&r, a->seed);
    for (size_t s = 0; s < ns; s++) {
        sim sm = {NULL, NULL, 0};
        int rc = simulate_changes(&sm, a, &r, t_max, mean_abs);
        if (rc) return rc;
        for (size_t i = 0; i < j->rows; i++) {
            double t = lp_additive_t(a, j->X[i * j->nf + a->time_feature]);
            double g =
                lp_additive_trend_scaled(a, sm.cp_t, sm.delta, sm.n, t) * a->y_scale + a->floor;
            double noise = rng_normal(&r) * a->sigma * a->y_scale;
            j->samples[i * ns + s] = g * (1 + j->mult[i]) + j->add[i] * a->y_scale + noise;
        }
        free(sm.cp_t);
        free(sm.delta);
    }
    return 0;
}

static int additive_predict_interval(void *state, const lp_model *m, const double *X, size_t rows,
                                     double width, double *mean, double *lower, double *upper)
{
    const lp_additive *a = state;
    size_t nf = lp_model_n_features(m), ns = (size_t)a->uncertainty_samples;
    int rc = additive_predict(state, m, X, rows, mean);
    if (rc) return rc;
    if (ns == 0) {
        memcpy(lower, mean, rows * sizeof *mean);
        memcpy(upper, mean, rows * sizeof *mean);
        return 0;
    }
    interval_job j = {a,
                      X,
                      rows,
                      nf,
                      malloc(rows * sizeof(double)),
                      malloc(rows * sizeof(double)),
                      malloc(rows * ns * sizeof(double))};
    rc = (!j.mult || !j.add || !j.samples) ? lp_error_set(LP_ENOMEM, "out of memory") : 0;
    for (size_t i = 0; rc == 0 && i < rows; i++)
        row_parts(a, X[i * nf + a->time_feature], X + i * nf, &j.mult[i], &j.add[i]);
    if (rc == 0) rc = simulate_all(&j, ns);
    for (size_t i = 0; rc == 0 && i < rows; i++) {
        double *v = j.samples + i * ns;
        if (isnan(mean[i])) {
            lower[i] = upper[i] = NAN;
            continue;
        }
        qsort(v, ns, sizeof *v, cmp_double);
        lower[i] = percentile(v, ns, (1 - width) / 2);
        upper[i] = percentile(v, ns, (1 + width) / 2);
    }
    free(j.mult);
    free(j.add);
    free(j.samples);
    return rc;
}

/* ---- the back-end -------------------------------------------------------------------- */

void lp_additive_free(lp_additive *a)
{
    if (!a) return;
    for (size_t j = 0; j < a->n_cols; j++) {
        free(a->cols[j].group);
        free(a->cols[j].days);
    }
    free(a->cols);
    free(a->cp_t);
    free(a->delta);
    free(a);
}

static void additive_free(void *state)
{
    lp_additive_free(state);
}

static int additive_load(void **state, const uint8_t *blob, size_t len)
{
    lp_additive *a = NULL;
    int rc = lp_additive_load_blob(&a, blob, len);
    *state = a;
    return rc;
}

static int additive_save(void *state, uint8_t **out, size_t *len)
{
    return lp_additive_save_blob(state, out, len);
}

const lp_model_ops lp_additive_ops = {
    .size = sizeof(lp_model_ops),
    .name = "additive",
    .load = additive_load,
    .predict = additive_predict,
    .save = additive_save,
    .free = additive_free,
    .has_probabilities = NULL,
    .predict_interval = additive_predict_interval,
};
