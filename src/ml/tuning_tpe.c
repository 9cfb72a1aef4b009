/*
 * tuning_tpe.c — trial history, the median pruner and the tree-structured
 * Parzen estimator sampler (Bergstra et al. 2011; as in hyperopt/Optuna).
 *
 * TPE, per suggestion:
 *  1. Fewer than n_startup completed trials: a uniform random trial.
 *  2. Completed trials are ranked by score (best first, ties by age) and the
 *     best ceil(gamma * n) (at least one) are "good", the rest "bad".
 *  3. The trainer is chosen as a categorical parameter over all trials; then
 *     each parameter of that trainer independently, from the trials that have
 *     it: draw n_ei_candidates from the good model l(x) and keep the one
 *     maximising log l(x) - log g(x) (the first on ties).
 *  Numeric parameters (in log space for log ranges; ints and steps widened by
 *  half a step on each side, then rounded) use hyperopt's adaptive Parzen
 *  estimator: one Gaussian per observation plus a prior N((lo+hi)/2, hi-lo)
 *  of weight prior_weight; each bandwidth is the larger distance to its
 *  sorted neighbours (the bounds act as outer neighbours), clipped to
 *  [(hi-lo)/min(100, n+1), hi-lo]; every Gaussian is truncated to [lo, hi].
 *  Categorical parameters use smoothed frequencies: prior_weight/K + the
 *  weights of the observations of each choice. Observation weights are 1, or
 *  with more than 25 observations hyperopt's linear ramp from 1/n for the
 *  oldest up to 1 for the newest 25.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "lolpop/tuning.h"

/* ---- history ---- */

LP_API lp_tuning_history *lp_tuning_history_new(bool maximize)
{
    lp_tuning_history *h = calloc(1, sizeof *h);
    if (!h) {
        lp_error_set(LP_ENOMEM, "out of memory");
        return NULL;
    }
    h->maximize = maximize;
    h->prune_startup_trials = 5;
    h->prune_warmup_steps = 0;
    return h;
}

LP_API void lp_tuning_history_free(lp_tuning_history *h)
{
    if (!h) return;
    for (size_t i = 0; i < h->n; i++) {
        lp_value_unref(h->records[i].trial);
        free(h->records[i].curve);
    }
    free(h->records);
    free(h);
}

LP_API int lp_tuning_history_add(lp_tuning_history *h, const lp_value *trial, double score,
                                 const double *curve, size_t n_curve)
{
    if (h->n == h->cap) {
        size_t cap = h->cap ? 2 * h->cap : 16;
        lp_tuning_record *r = realloc(h->records, cap * sizeof *r);
        if (!r) return lp_error_set(LP_ENOMEM, "out of memory");
        h->records = r;
        h->cap = cap;
    }
    lp_tuning_record *rec = &h->records[h->n];
    rec->curve = NULL;
    rec->n_curve = 0;
    if (curve && n_curve) {
        rec->curve = malloc(n_curve * sizeof *curve);
        if (!rec->curve) return lp_error_set(LP_ENOMEM, "out of memory");
        memcpy(rec->curve, curve, n_curve * sizeof *curve);
        rec->n_curve = n_curve;
    }
    rec->trial = lp_value_ref((lp_value *)(uintptr_t)trial); /* shared, never mutated */
    rec->score = score;
    h->n++;
    return 0;
}

/* ---- median pruner ---- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

LP_API bool lp_tuning_should_prune(const lp_tuning_history *h, size_t step, double value)
{
    if (step < h->prune_warmup_steps) return false;
    double *vals = malloc((h->n ? h->n : 1) * sizeof *vals);
    if (!vals) return false; /* never prune because of OOM */
    size_t n = 0;
    for (size_t i = 0; i < h->n; i++) {
        const lp_tuning_record *r = &h->records[i];
        if (isfinite(r->score) && step < r->n_curve && !isnan(r->curve[step]))
            vals[n++] = r->curve[step];
    }
    bool prune = false;
    if (n > 0 && n >= h->prune_startup_trials) {
        qsort(vals, n, sizeof *vals, cmp_double);
        double med = n % 2 ? vals[n / 2] : 0.5 * (vals[n / 2 - 1] + vals[n / 2]);
        if (isnan(value))
            prune = true;
        else if (!isnan(med))
            prune = h->maximize ? value < med : value > med;
    }
    free(vals);
    return prune;
}

/* ---- TPE ---- */

LP_API void lp_tpe_options_default(lp_tpe_options *o)
{
    o->n_startup = 10;
    o->gamma = 0.25;
    o->n_ei_candidates = 24;
    o->prior_weight = 1.0;
}

/* Observations of one parameter: values (transformed) in trial order. */
typedef struct obs {
    double *x;
    size_t n;
} obs;

/* Fills w[0..n) with hyperopt's weights (linear forgetting beyond 25). */
static void obs_weights(double *w, size_t n)
{
    const size_t flat = 25;
    for (size_t i = 0; i < n; i++)
        w[i] = 1.0;
    if (n <= flat) return;
    size_t ramp = n - flat;
    for (size_t i = 0; i < ramp; i++)
        w[i] = ramp == 1
                   ? 1.0 / (double)n
                   : 1.0 / (double)n + (1.0 - 1.0 / (double)n) * (double)i / (double)(ramp - 1);
}

/* A truncated Gaussian mixture on [lo, hi]. */
typedef struct parzen {
    size_t k;
    double *mu, *sigma, *w; /* w normalised */
    double lo, hi;
} parzen;

static void parzen_free(parzen *p)
{
    free(p->mu);
    free(p->sigma);
    free(p->w);
}

typedef struct mu_w {
    double mu, w;
    int prior;
} mu_w;

static int cmp_mu(const void *a, const void *b)
{
    const mu_w *x = a, *y = b;
    if (x->mu != y->mu) return (x->mu > y->mu) - (x->mu < y->mu);
    return x->prior - y->prior; /* stable and deterministic for equal mus */
}

/* Builds the adaptive Parzen estimator from observations o on [lo, hi]. */
static int parzen_fit(parzen *p, const obs *o, double lo, double hi, double prior_weight)
{
    size_t k = o->n + 1;
    p->k = k;
    p->lo = lo;
    p->hi = hi;
    p->mu = malloc(k * sizeof *p->mu);
    p->sigma = malloc(k * sizeof *p->sigma);
    p->w = malloc(k * sizeof *p->w);
    mu_w *c = malloc(k * sizeof *c);
    if (!p->mu || !p->sigma || !p->w || !c) {
        free(c);
        return lp_error_set(LP_ENOMEM, "out of memory");
    }
    obs_weights(p->w, o->n);
    for (size_t i = 0; i < o->n; i++)
        c[i] = (mu_w){o->x[i], p->w[i], 0};
    c[o->n] = (mu_w){0.5 * (lo + hi), prior_weight, 1};
    qsort(c, k, sizeof *c, cmp_mu);
    double range = hi - lo, minsig = range / fmin(100.0, (double)k), total = 0;
    for (size_t i = 0; i < k; i++) {
        double prev = i ? c[i - 1].mu : lo, next = i + 1 < k ? c[i + 1].mu : hi;
        double s = fmax(c[i].mu - prev, next - c[i].mu);
        p->mu[i] = c[i].mu;
        p->sigma[i] = c[i].prior ? range : fmin(fmax(s, minsig), range);
        p->w[i] = c[i].w;
        total += c[i].w;
    }
    for (size_t i = 0; i < k; i++)
        p->w[i] /= total;
    free(c);
    return 0;
}

static double norm_cdf(double z)
{
    return 0.5 * erfc(-z / sqrt(2.0));
}

/* log of the mixture density at x (log-sum-exp over components). */
static double parzen_logpdf(const parzen *p, double x)
{
    double best = -INFINITY, *lt = malloc(p->k * sizeof *lt);
    if (!lt) return 0;
    for (size_t i = 0; i < p->k; i++) {
        double s = p->sigma[i], z = (x - p->mu[i]) / s;
        double mass = norm_cdf((p->hi - p->mu[i]) / s) - norm_cdf((p->lo - p->mu[i]) / s);
        lt[i] = log(p->w[i]) - 0.5 * z * z - log(s * sqrt(2.0 * 3.14159265358979323846)) -
                log(fmax(mass, 1e-300));
        best = fmax(best, lt[i]);
    }
    double sum = 0;
    for (size_t i = 0; i < p->k; i++)
        sum += exp(lt[i] - best);
    free(lt);
    return best + log(sum);
}

/* Index drawn with probability w[i] (w sums to ~1). */
static size_t pick_weighted(const double *w, size_t k, lp_tuning_rng *r)
{
    double u = lp_tuning_rng_uniform(r), acc = 0;
    for (size_t i = 0; i < k; i++) {
        acc += w[i];
        if (u < acc) return i;
    }
    return k - 1;
}

static double parzen_sample(const parzen *p, lp_tuning_rng *r)
{
    size_t i = pick_weighted(p->w, p->k, r);
    for (int tries = 0; tries < 100; tries++) {
        double x = p->mu[i] + p->sigma[i] * lp_tuning_rng_normal(r);
        if (x >= p->lo && x <= p->hi) return x;
    }
    return p->lo + lp_tuning_rng_uniform(r) * (p->hi - p->lo); /* pathological: uniform */
}

/* Good and bad observations of the parameter, one `obs` each. */
typedef struct split {
    obs good, bad;
} split;

static void split_free(split *s)
{
    free(s->good.x);
    free(s->bad.x);
}

/* The numeric value of parameter `name` in a trial of `trainer`, transformed. */
static bool trial_number(const lp_value *trial, const char *trainer, const char *name, bool logt,
                         double *x)
{
    const char *t = lp_value_as_string(lp_map_get(trial, "trainer"));
    if (!t || !lp_streq_nocase(t, trainer)) return false;
    const lp_value *v = lp_map_get(lp_map_get(trial, "params"), name);
    if (lp_value_type(v) != LP_INT && lp_value_type(v) != LP_FLOAT) return false;
    *x = lp_value_as_float(v);
    if (logt) *x = *x > 0 ? log(*x) : NAN;
    return isfinite(*x);
}

/* Index of the choice equal to the trial's value of `name`, or -1. */
static long trial_choice(const lp_value *trial, const char *trainer, const char *name,
                         const lp_value *choices)
{
    const char *t = lp_value_as_string(lp_map_get(trial, "trainer"));
    if (!t || !lp_streq_nocase(t, trainer)) return -1;
    const lp_value *v = lp_map_get(lp_map_get(trial, "params"), name);
    if (!v) return -1;
    for (size_t j = 0; j < lp_list_len(choices); j++)
        if (lp_value_equal(lp_list_get(choices, j), v)) return (long)j;
    return -1;
}

/* The ranked split of completed trials: good[i] says whether record i is good. */
typedef struct ranking {
    size_t *order; /* indices of completed records, best first */
    size_t n;
    bool *good; /* per record */
} ranking;

/* Best first, ties by age (a stable insertion sort; qsort has no context argument). */
static void rank_sort(size_t *idx, size_t n, const lp_tuning_history *h)
{
    for (size_t a = 1; a < n; a++) {
        size_t v = idx[a], b = a;
        double sv = h->records[v].score;
        while (b > 0) {
            size_t u = idx[b - 1];
            double su = h->records[u].score;
            bool worse = h->maximize ? su < sv : su > sv;
            if (!worse) break;
            idx[b] = u;
            b--;
        }
        idx[b] = v;
    }
}

static int rank_trials(ranking *rk, const lp_tuning_history *h, double gamma)
{
    rk->order = malloc((h->n ? h->n : 1) * sizeof *rk->order);
    rk->good = calloc(h->n ? h->n : 1, sizeof *rk->good);
    if (!rk->order || !rk->good) return lp_error_set(LP_ENOMEM, "out of memory");
    rk->n = 0;
    for (size_t i = 0; i < h->n; i++)
        if (isfinite(h->records[i].score)) rk->order[rk->n++] = i;
    rank_sort(rk->order, rk->n, h);
    size_t n_good = (size_t)ceil(gamma * (double)rk->n);
    if (n_good < 1) n_good = 1;
    for (size_t i = 0; i < n_good && i < rk->n; i++)
        rk->good[rk->order[i]] = true;
    return 0;
}

/* Collects the transformed numeric observations of a parameter. */
static int collect_numeric(split *sp, const lp_tuning_history *h, const ranking *rk,
                           const char *trainer, const lp_tuning_param *p)
{
    sp->good.x = malloc((h->n ? h->n : 1) * sizeof(double));
    sp->bad.x = malloc((h->n ? h->n : 1) * sizeof(double));
    sp->good.n = sp->bad.n = 0;
    if (!sp->good.x || !sp->bad.x) return lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t i = 0; i < h->n; i++) {
        double x;
        if (!isfinite(h->records[i].score) ||
            !trial_number(h->records[i].trial, trainer, p->name, p->log, &x))
            continue;
        obs *o = rk->good[i] ? &sp->good : &sp->bad;
        o->x[o->n++] = x;
    }
    return 0;
}

/* The sampling interval of a range in its transformed space. */
static void numeric_bounds(const lp_tuning_param *p, double *lo, double *hi)
{
    double half = p->step > 0 ? 0.5 * p->step : (p->is_int ? 0.5 : 0);
    *lo = p->low - half;
    *hi = p->high + half;
    if (p->log) {
        *lo = log(*lo);
        *hi = log(*hi);
    }
}

/* Back from the transformed space to a parameter value. */
static lp_value *numeric_value(const lp_tuning_param *p, double x)
{
    if (p->log) x = exp(x);
    if (p->step > 0) {
        double kmax = floor((p->high - p->low) / p->step + 1e-9);
        double k = fmin(fmax(nearbyint((x - p->low) / p->step), 0), kmax);
        x = fmin(p->low + k * p->step, p->high);
    } else if (p->is_int) {
        x = nearbyint(x);
    }
    x = fmin(fmax(x, p->low), p->high);
    return p->is_int ? lp_value_int((int64_t)llround(x)) : lp_value_float(x);
}

static int tpe_numeric(lp_value **out, const lp_tuning_param *p, const char *trainer,
                       const lp_tuning_history *h, const ranking *rk, lp_tuning_rng *r,
                       const lp_tpe_options *o)
{
    split sp = {{NULL, 0}, {NULL, 0}};
    parzen l = {0}, g = {0};
    double lo, hi;
    numeric_bounds(p, &lo, &hi);
    int rc = collect_numeric(&sp, h, rk, trainer, p);
    if (!rc) rc = parzen_fit(&l, &sp.good, lo, hi, o->prior_weight);
    if (!rc) rc = parzen_fit(&g, &sp.bad, lo, hi, o->prior_weight);
    if (!rc) {
        double best_x = 0, best = -INFINITY;
        for (size_t c = 0; c < o->n_ei_candidates; c++) {
            double x = parzen_sample(&l, r);
            double score = parzen_logpdf(&l, x) - parzen_logpdf(&g, x);
            if (c == 0 || score > best) best = score, best_x = x;
        }
        *out = numeric_value(p, best_x);
        rc = *out ? 0 : LP_ENOMEM;
    }
    parzen_free(&l);
    parzen_free(&g);
    split_free(&sp);
    return rc;
}

/* Smoothed categorical TPE: counts[k] good and bad → chosen index. */
static size_t tpe_categorical(const double *good, const double *bad, size_t k, lp_tuning_rng *r,
                              const lp_tpe_options *o)
{
    double *pl = malloc(k * sizeof *pl), *pg = malloc(k * sizeof *pg), tl = 0, tg = 0;
    if (!pl || !pg) {
        free(pl);
        free(pg);
        return (size_t)lp_tuning_rng_below(r, k);
    }
    for (size_t j = 0; j < k; j++) {
        pl[j] = o->prior_weight / (double)k + good[j];
        pg[j] = o->prior_weight / (double)k + bad[j];
        tl += pl[j];
        tg += pg[j];
    }
    for (size_t j = 0; j < k; j++)
        pl[j] /= tl, pg[j] /= tg;
    size_t best_j = 0;
    double best = -INFINITY;
    for (size_t c = 0; c < o->n_ei_candidates; c++) {
        size_t j = pick_weighted(pl, k, r);
        double score = log(pl[j]) - log(pg[j]);
        if (c == 0 || score > best) best = score, best_j = j;
    }
    free(pl);
    free(pg);
    return best_j;
}

/* Weighted counts of each category among good and bad observations. idx[i]
 * is record i's category or -1; weights follow the trial order per group. */
static int category_counts(double **good, double **bad, const long *idx, const ranking *rk,
                           const lp_tuning_history *h, size_t k)
{
    *good = calloc(k, sizeof **good);
    *bad = calloc(k, sizeof **bad);
    double *wg = malloc((h->n + 1) * sizeof *wg), *wb = malloc((h->n + 1) * sizeof *wb);
    int rc = 0;
    if (!*good || !*bad || !wg || !wb) {
        rc = lp_error_set(LP_ENOMEM, "out of memory");
        goto out;
    }
    size_t ng = 0, nb = 0;
    for (size_t i = 0; i < h->n; i++)
        if (idx[i] >= 0 && isfinite(h->records[i].score)) rk->good[i] ? ng++ : nb++;
    obs_weights(wg, ng);
    obs_weights(wb, nb);
    ng = nb = 0;
    for (size_t i = 0; i < h->n; i++) {
        if (idx[i] < 0 || !isfinite(h->records[i].score)) continue;
        if (rk->good[i])
            (*good)[idx[i]] += wg[ng++];
        else
            (*bad)[idx[i]] += wb[nb++];
    }
out:
    free(wg);
    free(wb);
    return rc;
}

/* Chooses a category (trainer when name is NULL, else a choice of p). */
static int tpe_choose(size_t *out, const lp_tuning_spaces *s, const lp_tuning_param *p,
                      const char *trainer, const lp_tuning_history *h, const ranking *rk,
                      lp_tuning_rng *r, const lp_tpe_options *o)
{
    size_t k = p ? lp_list_len(p->value) : s->n;
    long *idx = malloc((h->n ? h->n : 1) * sizeof *idx);
    if (!idx) return lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t i = 0; i < h->n; i++) {
        const lp_value *t = h->records[i].trial;
        idx[i] = -1;
        if (p) {
            idx[i] = trial_choice(t, trainer, p->name, p->value);
            continue;
        }
        const char *name = lp_value_as_string(lp_map_get(t, "trainer"));
        for (size_t j = 0; name && j < s->n; j++)
            if (lp_streq_nocase(name, s->spaces[j].trainer)) idx[i] = (long)j;
    }
    double *good = NULL, *bad = NULL;
    int rc = category_counts(&good, &bad, idx, rk, h, k);
    if (!rc) *out = tpe_categorical(good, bad, k, r, o);
    free(good);
    free(bad);
    free(idx);
    return rc;
}

static int tpe_param(lp_value **out, const lp_tuning_spaces *s, const lp_tuning_param *p,
                     const char *trainer, const lp_tuning_history *h, const ranking *rk,
                     lp_tuning_rng *r, const lp_tpe_options *o)
{
    if (p->kind == LP_TUNING_RANGE) return tpe_numeric(out, p, trainer, h, rk, r, o);
    if (p->kind == LP_TUNING_FIXED) {
        *out = lp_value_copy(p->value);
        return *out ? 0 : LP_ENOMEM;
    }
    size_t j;
    int rc = tpe_choose(&j, s, p, trainer, h, rk, r, o);
    if (rc) return rc;
    *out = lp_value_copy(lp_list_get(p->value, j));
    return *out ? 0 : LP_ENOMEM;
}

/* Builds the TPE trial for space sp. */
static int tpe_trial(lp_value **out, const lp_tuning_spaces *s, const lp_tuning_space *sp,
                     const lp_tuning_history *h, const ranking *rk, lp_tuning_rng *r,
                     const lp_tpe_options *o)
{
    lp_value *params = lp_value_map(), *trial = lp_value_map();
    int rc = params && trial ? 0 : lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t i = 0; rc == 0 && i < sp->n_params; i++) {
        lp_value *v = NULL;
        rc = tpe_param(&v, s, &sp->params[i], sp->trainer, h, rk, r, o);
        if (!rc) rc = lp_map_set(params, sp->params[i].name, v);
    }
    if (!rc) rc = lp_map_set(trial, "trainer", lp_value_string(sp->trainer));
    if (!rc) {
        rc = lp_map_set(trial, "params", params);
        params = NULL;
    }
    lp_value_unref(params);
    if (rc) {
        lp_value_unref(trial);
        return rc;
    }
    *out = trial;
    return 0;
}

LP_API int lp_tuning_sample_tpe(lp_value **out, const lp_tuning_spaces *s,
                                const lp_tuning_history *h, lp_tuning_rng *r,
                                const lp_tpe_options *opts)
{
    *out = NULL;
    lp_tpe_options o;
    if (opts)
        o = *opts;
    else
        lp_tpe_options_default(&o);
    if (!(o.gamma > 0 && o.gamma <= 1) || o.n_ei_candidates == 0 || !(o.prior_weight > 0))
        return lp_error_set(LP_EINVAL, "TPE options: need 0 < gamma <= 1, n_ei_candidates > 0 "
                                       "and prior_weight > 0");
    size_t complete = 0;
    for (size_t i = 0; i < h->n; i++)
        complete += isfinite(h->records[i].score) ? 1 : 0;
    if (complete < o.n_startup || complete == 0) return lp_tuning_sample_random(out, s, r);
    ranking rk = {NULL, 0, NULL};
    int rc = rank_trials(&rk, h, o.gamma);
    size_t which = 0;
    if (!rc && s->n > 1) rc = tpe_choose(&which, s, NULL, NULL, h, &rk, r, &o);
    if (!rc) rc = tpe_trial(out, s, &s->spaces[which], h, &rk, r, &o);
    free(rk.order);
    free(rk.good);
    return rc;
}
