/*
 * additive_io.c — the bytes of a fitted additive model (additive.h).
 *
 * Little-endian, fixed layout, no padding or pointers, so the same model
 * always gives the same bytes: "LPADD1\0\0", then the scalars, the
 * changepoints, and one record per design-matrix column. Strings are a u32
 * length and the bytes.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ml/additive.h"

static const char MAGIC[8] = {'L', 'P', 'A', 'D', 'D', '1', 0, 0};

typedef struct wbuf {
    uint8_t *p;
    size_t len, cap;
    bool oom;
} wbuf;

static void put(wbuf *b, const void *src, size_t n)
{
    if (b->oom) return;
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 256;
        while (cap < b->len + n)
            cap *= 2;
        uint8_t *p = realloc(b->p, cap);
        if (!p) {
            b->oom = true;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, src, n);
    b->len += n;
}

static void put_u64(wbuf *b, uint64_t v)
{
    uint8_t x[8];
    for (int i = 0; i < 8; i++)
        x[i] = (uint8_t)(v >> (8 * i));
    put(b, x, 8);
}

static void put_f64(wbuf *b, double d)
{
    uint64_t v;
    memcpy(&v, &d, 8);
    put_u64(b, v);
}

static void put_str(wbuf *b, const char *s)
{
    size_t n = strlen(s);
    put_u64(b, n);
    put(b, s, n);
}

static void put_col(wbuf *b, const lp_additive_col *c)
{
    put_u64(b, (uint64_t)c->kind);
    put_str(b, c->group);
    put_u64(b, c->mult);
    put_f64(b, c->prior);
    put_f64(b, c->period);
    put_u64(b, (uint64_t)c->order);
    put_u64(b, c->is_cos);
    put_u64(b, c->n_days);
    for (size_t i = 0; i < c->n_days; i++)
        put_u64(b, (uint64_t)c->days[i]);
    put_u64(b, c->feature);
    put_f64(b, c->mu);
    put_f64(b, c->std);
    put_f64(b, c->beta);
}

int lp_additive_save_blob(const lp_additive *a, uint8_t **out, size_t *len)
{
    wbuf b = {0};
    put(&b, MAGIC, 8);
    put_u64(&b, a->logistic);
    put_u64(&b, a->time_feature);
    const double scal[] = {a->t_start, a->t_scale, a->y_scale, a->floor,         a->cap,
                           a->k,       a->m,       a->sigma,   a->interval_width};
    for (size_t i = 0; i < sizeof scal / sizeof *scal; i++)
        put_f64(&b, scal[i]);
    put_u64(&b, (uint64_t)a->uncertainty_samples);
    put_u64(&b, a->seed);
    put_u64(&b, a->n_cp);
    for (size_t j = 0; j < a->n_cp; j++) {
        put_f64(&b, a->cp_t[j]);
        put_f64(&b, a->delta[j]);
    }
    put_u64(&b, a->n_cols);
    for (size_t j = 0; j < a->n_cols; j++)
        put_col(&b, &a->cols[j]);
    if (b.oom) {
        free(b.p);
        return lp_error_set(LP_ENOMEM, "out of memory");
    }
    *out = b.p;
    *len = b.len;
    return 0;
}

/* ---- reading ----------------------------------------------------------------------- */

typedef struct rbuf {
    const uint8_t *p;
    size_t len, pos;
    bool bad;
} rbuf;

static uint64_t get_u64(rbuf *b)
{
    if (b->bad || b->len - b->pos < 8) {
        b->bad = true;
        return 0;
    }
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)b->p[b->pos + i] << (8 * i);
    b->pos += 8;
    return v;
}

static double get_f64(rbuf *b)
{
    uint64_t v = get_u64(b);
    double d;
    memcpy(&d, &v, 8);
    return d;
}

/* A count that the remaining bytes can hold at `each` bytes per item. */
static size_t get_count(rbuf *b, size_t each)
{
    uint64_t n = get_u64(b);
    if (b->bad || n > (b->len - b->pos) / each) {
        b->bad = true;
        return 0;
    }
    return (size_t)n;
}

static char *get_str(rbuf *b)
{
    size_t n = get_count(b, 1);
    char *s = b->bad ? NULL : malloc(n + 1);
    if (!s) {
        b->bad = true;
        return NULL;
    }
    memcpy(s, b->p + b->pos, n);
    s[n] = 0;
    b->pos += n;
    return s;
}

static void get_col(rbuf *b, lp_additive_col *c)
{
    uint64_t kind = get_u64(b);
    if (kind > LP_ADD_REGRESSOR) b->bad = true;
    c->kind = b->bad ? LP_ADD_SEASONAL : (lp_additive_kind)kind;
    c->group = get_str(b);
    c->mult = get_u64(b) != 0;
    c->prior = get_f64(b);
    c->period = get_f64(b);
    c->order = (int)get_u64(b);
    c->is_cos = get_u64(b) != 0;
    c->n_days = get_count(b, 8);
    if (c->n_days && !b->bad) {
        c->days = malloc(c->n_days * sizeof *c->days);
        if (!c->days) b->bad = true;
        for (size_t i = 0; c->days && i < c->n_days; i++)
            c->days[i] = (int64_t)get_u64(b);
    }
    c->feature = (size_t)get_u64(b);
    c->mu = get_f64(b);
    c->std = get_f64(b);
    c->beta = get_f64(b);
}

static void get_model(rbuf *b, lp_additive *a)
{
    a->logistic = get_u64(b) != 0;
    a->time_feature = (size_t)get_u64(b);
    double *scal[] = {&a->t_start, &a->t_scale, &a->y_scale, &a->floor,         &a->cap,
                      &a->k,       &a->m,       &a->sigma,   &a->interval_width};
    for (size_t i = 0; i < sizeof scal / sizeof *scal; i++)
        *scal[i] = get_f64(b);
    a->uncertainty_samples = (int64_t)get_u64(b);
    a->seed = get_u64(b);
    a->n_cp = get_count(b, 16);
    if (a->n_cp && !b->bad) {
        a->cp_t = malloc(a->n_cp * sizeof *a->cp_t);
        a->delta = malloc(a->n_cp * sizeof *a->delta);
        if (!a->cp_t || !a->delta) {
            b->bad = true;
            a->n_cp = 0;
        }
    }
    for (size_t j = 0; j < a->n_cp; j++) {
        a->cp_t[j] = get_f64(b);
        a->delta[j] = get_f64(b);
    }
    size_t n = get_count(b, 8 * 12); /* the smallest column record */
    if (n && !b->bad) {
        a->cols = calloc(n, sizeof *a->cols);
        if (!a->cols) b->bad = true;
    }
    for (size_t j = 0; a->cols && j < n && !b->bad; j++) {
        a->n_cols = j + 1;
        get_col(b, &a->cols[j]);
    }
    if (!(a->t_scale > 0) || !(a->y_scale > 0) || a->uncertainty_samples < 0 ||
        a->uncertainty_samples > 100000000)
        b->bad = true;
}

int lp_additive_load_blob(lp_additive **out, const uint8_t *blob, size_t len)
{
    *out = NULL;
    if (len < 8 || memcmp(blob, MAGIC, 8) != 0)
        return lp_error_set(LP_EINVAL, "not an additive model (bad magic)");
    lp_additive *a = calloc(1, sizeof *a);
    if (!a) return lp_error_set(LP_ENOMEM, "out of memory");
    rbuf b = {blob, len, 8, false};
    get_model(&b, a);
    if (b.bad || b.pos != len) {
        lp_additive_free(a);
        return lp_error_set(LP_EINVAL, "the additive model's bytes are truncated or corrupt");
    }
    *out = a;
    return 0;
}
