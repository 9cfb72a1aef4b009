/*
 * ets_backend.c — the "ets" model back-end: an ETS fit (ets.h) with the time
 * grid it was fitted on (frequency, first and last stamp), so that a row's
 * time stamp feature says how many steps past the end of training it lies.
 * Rows inside the training span get the one-step fitted values.
 *
 * Saved bytes: "LPETS2\0\0", then little-endian-as-host int64/double fields
 * in a fixed order (see put/get below), then the initial, last states,
 * fitted values and the observations (for the state path). Bytes of
 * "LPETS1" (lolpop before the observations were kept) have no observations
 * and load without them.
 */
#include "ml/ets_backend.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lolpop/error.h"

static const char MAGIC[8] = "LPETS2";
static const char MAGIC_V1[8] = "LPETS1"; /* without the observations */

/* ---- bytes ------------------------------------------------------------------ */

typedef struct buf {
    uint8_t *p;
    size_t len, cap, pos;
    bool bad;
} buf;

static void put(buf *b, const void *v, size_t n)
{
    if (b->bad) return;
    if (b->len + n > b->cap) {
        size_t cap = (b->cap ? b->cap * 2 : 256) + n;
        uint8_t *p = realloc(b->p, cap);
        if (!p) {
            b->bad = true;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, v, n);
    b->len += n;
}

static void put_i(buf *b, int64_t v)
{
    put(b, &v, sizeof v);
}
static void put_d(buf *b, double v)
{
    put(b, &v, sizeof v);
}

/* A reader over saved bytes. */
typedef struct rbuf {
    const uint8_t *p;
    size_t len, pos;
    bool bad;
} rbuf;

static void get(rbuf *b, void *v, size_t n)
{
    if (b->bad || b->pos + n > b->len) {
        b->bad = true;
        memset(v, 0, n);
        return;
    }
    memcpy(v, b->p + b->pos, n);
    b->pos += n;
}

static int64_t get_i(rbuf *b)
{
    int64_t v;
    get(b, &v, sizeof v);
    return v;
}

static double get_d(rbuf *b)
{
    double v;
    get(b, &v, sizeof v);
    return v;
}

static int save_state(void *state, uint8_t **out, size_t *len)
{
    const lp_ets_state *s = state;
    const lp_ets *e = s->ets;
    buf b = {0};
    put(&b, MAGIC, sizeof MAGIC);
    int64_t ints[] = {e->spec.error,  e->spec.trend,
                      e->spec.season, e->spec.damped,
                      (int64_t)e->m,  (int64_t)e->n_states,
                      (int64_t)e->n,  (int64_t)e->n_params,
                      s->freq,        s->first,
                      s->last};
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++)
        put_i(&b, ints[i]);
    double dbl[] = {e->alpha, e->beta, e->gamma, e->phi,    e->loglik,
                    e->aic,   e->aicc, e->bic,   e->sigma2, e->mse};
    for (size_t i = 0; i < sizeof dbl / sizeof dbl[0]; i++)
        put_d(&b, dbl[i]);
    for (size_t i = 0; i < e->n_states; i++)
        put_d(&b, e->init[i]);
    for (size_t i = 0; i < e->n_states; i++)
        put_d(&b, e->last[i]);
    for (size_t i = 0; i < e->n; i++)
        put_d(&b, e->fitted[i]);
    for (size_t i = 0; e->y && i < e->n; i++)
        put_d(&b, e->y[i]);
    if (!e->y && !b.bad) /* a model loaded from LPETS1 bytes is saved as it was */
        memcpy(b.p, MAGIC_V1, sizeof MAGIC_V1);
    if (b.bad) {
        free(b.p);
        return lp_error_set(LP_ENOMEM, "out of memory saving an ets model");
    }
    *out = b.p;
    *len = b.len;
    return 0;
}

static void free_state(void *state)
{
    lp_ets_state *s = state;
    if (!s) return;
    lp_ets_free(s->ets);
    free(s);
}

static int load_state(void **state, const uint8_t *blob, size_t len)
{
    rbuf b = {.p = blob, .len = len};
    char magic[8];
    get(&b, magic, sizeof magic);
    bool v1 = !b.bad && memcmp(magic, MAGIC_V1, sizeof magic) == 0;
    if (b.bad || (!v1 && memcmp(magic, MAGIC, sizeof magic) != 0))
        return lp_error_set(LP_EINVAL, "not an ets model (bad header)");
    lp_ets_state *s = calloc(1, sizeof *s);
    lp_ets *e = calloc(1, sizeof *e);
    if (!s || !e) {
        free(s), free(e);
        return lp_error_set(LP_ENOMEM, "out of memory loading an ets model");
    }
    s->ets = e;
    e->spec.error = (lp_ets_comp)get_i(&b);
    e->spec.trend = (lp_ets_comp)get_i(&b);
    e->spec.season = (lp_ets_comp)get_i(&b);
    e->spec.damped = get_i(&b) != 0;
    int64_t m = get_i(&b), ns = get_i(&b), n = get_i(&b), np = get_i(&b);
    s->freq = (lp_freq_unit)get_i(&b);
    s->first = get_i(&b);
    s->last = get_i(&b);
    bool ok = !b.bad && m >= 1 && m <= 24 && ns >= 1 && ns <= 26 && n >= 1 &&
              (uint64_t)n <= len / sizeof(double) && lp_freq_valid(s->freq) &&
              e->spec.error <= LP_ETS_M && e->spec.trend <= LP_ETS_A && e->spec.season <= LP_ETS_M;
    if (!ok) {
        free_state(s);
        return lp_error_set(LP_EINVAL, "ets model bytes are damaged (bad header fields)");
    }
    e->m = (size_t)m;
    e->n_states = (size_t)ns;
    e->n = (size_t)n;
    e->n_params = (size_t)np;
    double *dst[] = {&e->alpha, &e->beta, &e->gamma, &e->phi,    &e->loglik,
                     &e->aic,   &e->aicc, &e->bic,   &e->sigma2, &e->mse};
    for (size_t i = 0; i < sizeof dst / sizeof dst[0]; i++)
        *dst[i] = get_d(&b);
    e->init = malloc(e->n_states * sizeof *e->init);
    e->last = malloc(e->n_states * sizeof *e->last);
    e->fitted = malloc(e->n * sizeof *e->fitted);
    e->y = v1 ? NULL : malloc(e->n * sizeof *e->y);
    if (!e->init || !e->last || !e->fitted || (!v1 && !e->y)) {
        free_state(s);
        return lp_error_set(LP_ENOMEM, "out of memory loading an ets model");
    }
    for (size_t i = 0; i < e->n_states; i++)
        e->init[i] = get_d(&b);
    for (size_t i = 0; i < e->n_states; i++)
        e->last[i] = get_d(&b);
    for (size_t i = 0; i < e->n; i++)
        e->fitted[i] = get_d(&b);
    for (size_t i = 0; e->y && i < e->n; i++)
        e->y[i] = get_d(&b);
    if (b.bad || b.pos != b.len) {
        free_state(s);
        return lp_error_set(LP_EINVAL, "ets model bytes are damaged (wrong length)");
    }
    *state = s;
    return 0;
}

/* ---- prediction ------------------------------------------------------------- */

/* The column of m's time stamp feature, or an error. */
static int time_feature(size_t *out, const lp_model *m)
{
    for (size_t j = 0; j < lp_model_n_features(m); j++)
        if (lp_model_feature_dtype(m, j) == LP_DT_TIMESTAMP) {
            *out = j;
            return 0;
        }
    return lp_error_set(LP_EINVAL, "ets model has no time stamp feature");
}

static int interval(void *state, const lp_model *m, const double *X, size_t rows, double width,
                    double *mean, double *lower, double *upper)
{
    const lp_ets_state *s = state;
    size_t tj = 0, nf = lp_model_n_features(m);
    int rc = time_feature(&tj, m);
    if (rc) return rc;
    /* the steps ahead of each row; forecasts up to the farthest */
    int64_t hmax = 0;
    int64_t *steps = malloc((rows ? rows : 1) * sizeof *steps);
    if (!steps) return lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t r = 0; r < rows && rc == 0; r++) {
        double sec = X[r * nf + tj];
        int64_t k = 0;
        if (isnan(sec))
            rc = lp_error_set(LP_EINVAL, "ets: row %zu has no time stamp", r + 1);
        else if (!lp_freq_steps(s->freq, s->last, (int64_t)llround(sec * 1e6), &k))
            rc = lp_error_set(LP_EINVAL,
                              "ets: the time stamp of row %zu is not on the training grid "
                              "(frequency %s)",
                              r + 1, lp_freq_name(s->freq));
        steps[r] = k;
        if (k > hmax) hmax = k;
    }
    if (rc == 0 && hmax > 100000)
        rc =
            lp_error_set(LP_EINVAL, "ets: a forecast %lld steps ahead is too far", (long long)hmax);
    size_t h = (size_t)hmax;
    double *fm = NULL, *fl = NULL, *fu = NULL;
    if (rc == 0 && h > 0) {
        fm = malloc(h * sizeof *fm), fl = malloc(h * sizeof *fl), fu = malloc(h * sizeof *fu);
        if (!fm || !fl || !fu)
            rc = lp_error_set(LP_ENOMEM, "out of memory");
        else
            rc = lp_ets_forecast(s->ets, h, width, fm, lower ? fl : NULL, lower ? fu : NULL);
    }
    const lp_ets *e = s->ets;
    for (size_t r = 0; r < rows && rc == 0; r++) {
        int64_t k = steps[r];
        if (k > 0) {
            mean[r] = fm[k - 1];
            if (lower) lower[r] = fl[k - 1], upper[r] = fu[k - 1];
            continue;
        }
        /* in the training span: the one-step fitted value, its interval from sigma */
        int64_t i = (int64_t)e->n - 1 + k;
        double v = i >= 0 ? e->fitted[i] : NAN;
        mean[r] = v;
        if (lower) {
            double sd = sqrt(e->sigma2) * (e->spec.error == LP_ETS_M ? fabs(v) : 1.0);
            double z = 0.0; /* the same z as a 1-step interval: from its half width */
            if (h == 0 && e->n > 0) {
                double one_m, one_l, one_u;
                if (lp_ets_forecast(e, 1, width, &one_m, &one_l, &one_u) == 0)
                    z = (one_u - one_m) /
                        (sqrt(e->sigma2) * (e->spec.error == LP_ETS_M ? fabs(one_m) : 1.0));
            } else if (h > 0) {
                z = (fu[0] - fm[0]) /
                    (sqrt(e->sigma2) * (e->spec.error == LP_ETS_M ? fabs(fm[0]) : 1.0));
            }
            lower[r] = v - z * sd;
            upper[r] = v + z * sd;
        }
    }
    free(steps), free(fm), free(fl), free(fu);
    return rc;
}

static int predict(void *state, const lp_model *m, const double *X, size_t rows, double *out)
{
    return interval(state, m, X, rows, 0.8, out, NULL, NULL);
}

static int predict_interval(void *state, const lp_model *m, const double *X, size_t rows,
                            double width, double *mean, double *lower, double *upper)
{
    return interval(state, m, X, rows, width, mean, lower, upper);
}

const lp_model_ops lp_ets_ops = {
    .size = sizeof(lp_model_ops),
    .name = "ets",
    .load = load_state,
    .predict = predict,
    .save = save_state,
    .free = free_state,
    .has_probabilities = NULL,
    .predict_interval = predict_interval,
};

int lp_ets_state_new(lp_ets_state **out, lp_ets *fit, lp_freq_unit freq, int64_t first,
                     int64_t last)
{
    lp_ets_state *s = calloc(1, sizeof *s);
    if (!s) {
        lp_ets_free(fit);
        return lp_error_set(LP_ENOMEM, "out of memory");
    }
    s->ets = fit;
    s->freq = freq;
    s->first = first;
    s->last = last;
    *out = s;
    return 0;
}

/* A float column of rows values taken from path at idx (NaN where idx < 0),
 * added to f as name. */
static int add_state(lp_frame *f, const char *name, const double *path, const int64_t *idx,
                     size_t rows)
{
    lp_column *c = lp_column_new(LP_DT_FLOAT64, rows);
    if (!c) return lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t r = 0; r < rows; r++)
        c->data.f64[r] = idx[r] >= 0 ? path[idx[r]] : NAN;
    return lp_frame_add_column(f, name, c);
}

/* The time of the state path (1..n) after the observation at row r's
 * stamp, or -1 outside the training span. */
static int state_times(int64_t *idx, const lp_ets_state *s, const lp_model *m, const double *X,
                       size_t rows)
{
    size_t tj = 0, nf = lp_model_n_features(m);
    int rc = time_feature(&tj, m);
    for (size_t r = 0; rc == 0 && r < rows; r++) {
        double sec = X[r * nf + tj];
        int64_t k = 0;
        idx[r] = -1;
        if (!isnan(sec) && lp_freq_steps(s->freq, s->last, (int64_t)llround(sec * 1e6), &k) &&
            k <= 0 && (int64_t)s->ets->n - 1 + k >= 0)
            idx[r] = (int64_t)s->ets->n + k;
    }
    return rc;
}

int lp_ets_model_states(lp_frame **out, const lp_model *m, const double *X, size_t rows)
{
    if (strcmp(lp_model_backend(m), lp_ets_ops.name) != 0)
        return lp_error_set(LP_EINVAL, "the model is a %s model, not an ets one",
                            lp_model_backend(m));
    const lp_ets_state *s = lp_model_state(m);
    const lp_ets *e = s->ets;
    size_t n = e->n + 1;
    double *path = malloc(3 * n * sizeof *path);
    int64_t *idx = malloc((rows ? rows : 1) * sizeof *idx);
    int rc = path && idx ? 0 : lp_error_set(LP_ENOMEM, "out of memory");
    if (rc == 0) rc = lp_ets_state_path(e, path, path + n, path + 2 * n);
    if (rc == 0) rc = state_times(idx, s, m, X, rows);
    lp_frame *f = rc == 0 ? lp_frame_new() : NULL;
    if (rc == 0 && !f) rc = lp_error_set(LP_ENOMEM, "out of memory");
    if (rc == 0) rc = add_state(f, "level", path, idx, rows);
    if (rc == 0 && e->spec.trend != LP_ETS_N) rc = add_state(f, "slope", path + n, idx, rows);
    if (rc == 0 && e->spec.season != LP_ETS_N) rc = add_state(f, "season", path + 2 * n, idx, rows);
    free(path);
    free(idx);
    if (rc) {
        if (f) lp_frame_unref(f);
        return rc;
    }
    *out = f;
    return 0;
}
