/*
 * tuning_grid.c — the model-free samplers: the seeded PRNG, grid search
 * (Cartesian product) and uniform random search.
 */
#include <math.h>
#include <stdlib.h>

#include "core/internal.h"
#include "lolpop/tuning.h"

/* ---- xoshiro256** (Blackman & Vigna), seeded with splitmix64 ---- */

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

LP_API void lp_tuning_rng_seed(lp_tuning_rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

LP_API uint64_t lp_tuning_rng_next(lp_tuning_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

LP_API double lp_tuning_rng_uniform(lp_tuning_rng *r)
{
    return (double)(lp_tuning_rng_next(r) >> 11) * 0x1.0p-53; /* 53 random bits */
}

LP_API uint64_t lp_tuning_rng_below(lp_tuning_rng *r, uint64_t n)
{
    if (n <= 1) return 0;
    /* Rejection of the top partial block keeps every residue equally likely. */
    uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t x;
    do
        x = lp_tuning_rng_next(r);
    while (x >= limit);
    return x % n;
}

LP_API double lp_tuning_rng_normal(lp_tuning_rng *r)
{
    /* Box–Muller; 1-u is in (0, 1] so the log is finite. */
    double u = 1.0 - lp_tuning_rng_uniform(r), v = lp_tuning_rng_uniform(r);
    return sqrt(-2.0 * log(u)) * cos(6.283185307179586476925 * v);
}

/* ---- grid ---- */

/* Number of points of a stepped range: low, low+step, ... <= high. */
static size_t step_count(const lp_tuning_param *p)
{
    double k = floor((p->high - p->low) / p->step + 1e-9);
    return k >= (double)(SIZE_MAX - 1) ? SIZE_MAX : (size_t)k + 1;
}

static size_t param_count(const lp_tuning_param *p)
{
    switch (p->kind) {
    case LP_TUNING_CHOICE:
        return lp_list_len(p->value);
    case LP_TUNING_RANGE:
        return step_count(p);
    default:
        return 1;
    }
}

static int range_without_step(const lp_tuning_space *sp, const lp_tuning_param *p)
{
    const lp_origin *o = lp_value_origin(p->value);
    const char *m = "a range in a grid search needs 'step' (or use random or TPE search)";
    if (o && o->kind == LP_ORIGIN_FILE)
        return lp_error_set_at(LP_ECONFIG, o->source, o->line, o->col, "%s.%s: %s", sp->trainer,
                               p->name, m);
    return lp_error_set(LP_ECONFIG, "%s.%s: %s", sp->trainer, p->name, m);
}

LP_API int lp_tuning_grid_count(size_t *out, const lp_tuning_space *space)
{
    size_t n = 1;
    for (size_t i = 0; i < space->n_params; i++) {
        const lp_tuning_param *p = &space->params[i];
        if (p->kind == LP_TUNING_RANGE && p->step == 0) return range_without_step(space, p);
        size_t c = param_count(p);
        n = (c != 0 && n > SIZE_MAX / c) ? SIZE_MAX : n * c;
    }
    *out = n;
    return 0;
}

/* The value at index k of a stepped range (an int or a float). */
static lp_value *range_point(const lp_tuning_param *p, size_t k)
{
    double x = p->low + (double)k * p->step;
    if (x > p->high) x = p->high;
    return p->is_int ? lp_value_int((int64_t)llround(x)) : lp_value_float(x);
}

/* Value number k of parameter p (a new reference). */
static lp_value *param_point(const lp_tuning_param *p, size_t k)
{
    switch (p->kind) {
    case LP_TUNING_CHOICE:
        return lp_value_copy(lp_list_get(p->value, k));
    case LP_TUNING_RANGE:
        return range_point(p, k);
    default:
        return lp_value_copy(p->value);
    }
}

/* A trial map {trainer, params}; takes ownership of params. */
static lp_value *make_trial(const char *trainer, lp_value *params)
{
    lp_value *t = lp_value_map();
    lp_value *name = lp_value_string(trainer);
    if (!t || !name || !params) {
        lp_value_unref(t);
        lp_value_unref(name);
        lp_value_unref(params);
        return NULL;
    }
    if (lp_map_set(t, "trainer", name) || lp_map_set(t, "params", params)) {
        lp_value_unref(t);
        return NULL;
    }
    return t;
}

/* Grid point number `idx` of sp: mixed-radix digits, last parameter fastest. */
static lp_value *grid_point(const lp_tuning_space *sp, size_t idx)
{
    lp_value *params = lp_value_map();
    if (!params) return NULL;
    for (size_t i = sp->n_params; i-- > 0;) {
        size_t c = param_count(&sp->params[i]);
        if (lp_map_set(params, sp->params[i].name, param_point(&sp->params[i], idx % c))) {
            lp_value_unref(params);
            return NULL;
        }
        idx /= c;
    }
    /* Filled backwards for the digit order; rebuild in configuration order. */
    lp_value *ordered = lp_value_map();
    for (size_t i = 0; ordered && i < sp->n_params; i++)
        if (lp_map_set(ordered, sp->params[i].name,
                       lp_value_ref(lp_map_get(params, sp->params[i].name)))) {
            lp_value_unref(ordered);
            ordered = NULL;
        }
    lp_value_unref(params);
    return make_trial(sp->trainer, ordered);
}

/* Sums the grid sizes of all spaces, failing beyond cap. */
static int grid_total(size_t *total, const lp_tuning_spaces *s, size_t cap)
{
    *total = 0;
    for (size_t i = 0; i < s->n; i++) {
        size_t c;
        int rc = lp_tuning_grid_count(&c, &s->spaces[i]);
        if (rc) return rc;
        *total = (c > SIZE_MAX - *total) ? SIZE_MAX : *total + c;
    }
    if (*total > cap) {
        if (*total == SIZE_MAX)
            return lp_error_set(LP_ECONFIG,
                                "the grid search has too many combinations (more than the cap "
                                "of %zu); use random or TPE search, or fewer values",
                                cap);
        return lp_error_set(LP_ECONFIG,
                            "the grid search has %zu combinations, more than the cap of %zu; use "
                            "random or TPE search, or fewer values",
                            *total, cap);
    }
    return 0;
}

LP_API int lp_tuning_grid(lp_value **out, const lp_tuning_spaces *s, size_t cap)
{
    *out = NULL;
    size_t total;
    int rc = grid_total(&total, s, cap ? cap : LP_TUNING_GRID_CAP);
    if (rc) return rc;
    lp_value *list = lp_value_list();
    if (!list) return LP_ENOMEM;
    for (size_t i = 0; i < s->n; i++) {
        size_t c;
        lp_tuning_grid_count(&c, &s->spaces[i]);
        for (size_t k = 0; k < c; k++) {
            lp_value *t = grid_point(&s->spaces[i], k);
            if (!t || lp_list_append(list, t)) {
                lp_value_unref(list);
                return lp_error_set(LP_ENOMEM, "out of memory building the grid");
            }
        }
    }
    *out = list;
    return 0;
}

/* ---- random ---- */

static lp_value *sample_range(const lp_tuning_param *p, lp_tuning_rng *r)
{
    if (p->step > 0) {
        size_t n = step_count(p);
        return range_point(p, (size_t)lp_tuning_rng_below(r, n));
    }
    if (p->is_int && !p->log) {
        uint64_t span = (uint64_t)(int64_t)p->high - (uint64_t)(int64_t)p->low + 1;
        return lp_value_int((int64_t)p->low + (int64_t)lp_tuning_rng_below(r, span));
    }
    double lo = p->low, hi = p->high;
    if (p->is_int) /* widen so both end values get a full bucket */
        lo -= 0.5, hi += 0.5;
    double u = lp_tuning_rng_uniform(r), x;
    if (p->log)
        x = exp(log(lo) + u * (log(hi) - log(lo)));
    else
        x = lo + u * (hi - lo);
    if (!p->is_int) return lp_value_float(fmin(fmax(x, p->low), p->high)); /* exp/log rounding */
    double k = nearbyint(x);
    k = k < p->low ? p->low : (k > p->high ? p->high : k);
    return lp_value_int((int64_t)k);
}

LP_API int lp_tuning_param_sample(lp_value **out, const lp_tuning_param *p, lp_tuning_rng *r)
{
    switch (p->kind) {
    case LP_TUNING_CHOICE:
        *out = lp_value_copy(lp_list_get(p->value, lp_tuning_rng_below(r, lp_list_len(p->value))));
        break;
    case LP_TUNING_RANGE:
        *out = sample_range(p, r);
        break;
    default:
        *out = lp_value_copy(p->value);
    }
    return *out ? 0 : LP_ENOMEM;
}

LP_API int lp_tuning_sample_random(lp_value **out, const lp_tuning_spaces *s, lp_tuning_rng *r)
{
    *out = NULL;
    const lp_tuning_space *sp = &s->spaces[lp_tuning_rng_below(r, s->n)];
    lp_value *params = lp_value_map();
    for (size_t i = 0; params && i < sp->n_params; i++) {
        lp_value *v;
        if (lp_tuning_param_sample(&v, &sp->params[i], r) ||
            lp_map_set(params, sp->params[i].name, v)) {
            lp_value_unref(params);
            params = NULL;
        }
    }
    *out = make_trial(sp->trainer, params);
    return *out ? 0 : lp_error_set(LP_ENOMEM, "out of memory sampling a trial");
}

LP_API int lp_tuning_random(lp_value **out, const lp_tuning_spaces *s, size_t n, uint64_t seed)
{
    lp_tuning_rng r;
    lp_tuning_rng_seed(&r, seed);
    lp_value *list = lp_value_list();
    if (!list) return LP_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        lp_value *t;
        int rc = lp_tuning_sample_random(&t, s, &r);
        if (rc || lp_list_append(list, t)) {
            lp_value_unref(list);
            return rc ? rc : LP_ENOMEM;
        }
    }
    *out = list;
    return 0;
}
