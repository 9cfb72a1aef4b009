/*
 * copula_sample.c — drawing synthetic rows from a fitted Gaussian copula.
 *
 * Rows are made in blocks of LP_SYNTH_BLOCK. Each block has its own
 * xoshiro256** generator (lp_tuning_rng) seeded from (seed, stream, block
 * number), and per row draws, in this order, d standard normals e (Box–Muller,
 * both values of each pair used), then one uniform for every column whose
 * missing rate is strictly between 0 and 1. z = L·e, u = Φ(z), and each
 * column's value is its marginal's inverse at u. So the output depends on
 * nothing but the model, the seed, the stream and n.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "components/data_synthesizer/synth.h"

/* splitmix64's finaliser: a good 64-bit mixer. */
static uint64_t mix64(uint64_t z)
{
    z += 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* d standard normals, two per Box–Muller step (1 − u is in (0, 1], so the log is finite). */
static void normals(double *e, size_t d, lp_tuning_rng *rng)
{
    for (size_t j = 0; j < d; j += 2) {
        double u = 1.0 - lp_tuning_rng_uniform(rng), v = lp_tuning_rng_uniform(rng);
        double r = sqrt(-2.0 * log(u)), a = 6.283185307179586476925 * v;
        e[j] = r * cos(a);
        if (j + 1 < d) e[j + 1] = r * sin(a);
    }
}

/* One block's uniforms u[r·d + j] and missing flags, rows [0, rows). */
static void draw_block(const lp_synth_model *m, double *u, uint8_t *miss, double *e, size_t rows,
                       lp_tuning_rng *rng)
{
    size_t d = m->d;
    for (size_t r = 0; r < rows; r++) {
        normals(e, d, rng);
        for (size_t j = 0; j < d; j++) {
            double z = 0;
            for (size_t k = 0; k <= j; k++)
                z += m->chol[j + k * d] * e[k];
            u[r * d + j] = lp_norm_cdf(z);
        }
        for (size_t j = 0; j < d; j++) {
            double rate = m->cols[j].missing_rate;
            miss[r * d + j] = rate >= 1.0 || (rate > 0 && lp_tuning_rng_uniform(rng) < rate);
        }
    }
}

/* The output of one column: a fixed-width column written in place, or a builder. */
typedef struct out_col {
    lp_column *col;
    lp_column_builder *b;
} out_col;

static int out_open(out_col *o, const lp_synth_marginal *m, size_t n)
{
    if (m->type == LP_DT_STRING || m->type == LP_DT_CATEGORY)
        o->b = lp_column_builder_new(m->type, n);
    else
        o->col = lp_column_new(m->type, n);
    return o->b || o->col ? 0 : lp_error_set(LP_ENOMEM, "out of memory");
}

/* Rows [r0, r0 + rows) of column j from the block's u and missing flags. */
static int write_block(out_col *o, const lp_synth_model *m, size_t j, const double *u,
                       const uint8_t *miss, size_t r0, size_t rows)
{
    const lp_synth_marginal *mg = &m->cols[j];
    size_t d = m->d;
    int rc = 0;
    for (size_t r = 0; r < rows && rc == 0; r++) {
        double x = u[r * d + j];
        if (miss[r * d + j] || mg->n == 0) {
            rc = o->b ? lp_column_builder_append_null(o->b) : lp_column_set_null(o->col, r0 + r);
            continue;
        }
        if (mg->kind == LP_SYNTH_NUMERIC) {
            if (mg->type == LP_DT_FLOAT64)
                o->col->data.f64[r0 + r] = lp_synth_marginal_f64(mg, x);
            else
                o->col->data.i64[r0 + r] = lp_synth_marginal_i64(mg, x);
            continue;
        }
        int32_t code = mg->code[lp_synth_marginal_category(mg, x)];
        if (!o->b) {
            o->col->data.b8[r0 + r] = (uint8_t)code;
            continue;
        }
        size_t len;
        const char *s = lp_column_str(mg->dict, (size_t)code, &len);
        rc = lp_column_builder_append_str(o->b, s, len);
    }
    return rc;
}

/* Draws every block into the open output columns. */
static int draw_all(out_col *outs, const lp_synth_model *m, size_t n, uint64_t seed,
                    uint64_t stream)
{
    size_t d = m->d, block = LP_SYNTH_BLOCK;
    double *u = malloc(block * d * sizeof *u), *e = malloc((d + 1) * sizeof *e);
    uint8_t *miss = malloc(block * d);
    int rc = u && e && miss ? 0 : lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t b = 0; rc == 0 && b * block < n; b++) {
        size_t r0 = b * block, rows = n - r0 < block ? n - r0 : block;
        lp_tuning_rng rng;
        lp_tuning_rng_seed(&rng, mix64(mix64(mix64(seed) ^ stream) ^ b));
        draw_block(m, u, miss, e, rows, &rng);
        for (size_t j = 0; j < d && rc == 0; j++)
            rc = write_block(&outs[j], m, j, u, miss, r0, rows);
    }
    free(u);
    free(e);
    free(miss);
    return rc;
}

/* Closes the outputs into a frame (in column order), freeing them all either way. */
static int assemble(lp_frame **out, out_col *outs, const lp_synth_model *m, int rc)
{
    lp_frame *f = rc ? NULL : lp_frame_new();
    if (rc == 0 && !f) rc = lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t j = 0; j < m->d; j++) {
        if (rc) {
            lp_column_builder_free(outs[j].b);
            lp_column_unref(outs[j].col);
            continue;
        }
        lp_column *c = outs[j].b ? lp_column_builder_finish(outs[j].b) : outs[j].col;
        rc = c ? lp_frame_add_column(f, m->cols[j].name, c) : LP_ENOMEM;
    }
    if (rc) {
        lp_frame_unref(f);
        return rc;
    }
    *out = f;
    return 0;
}

int lp_synth_model_sample(lp_frame **out, const lp_synth_model *m, size_t n, uint64_t seed,
                          uint64_t stream)
{
    *out = NULL;
    out_col *outs = calloc(m->d ? m->d : 1, sizeof *outs);
    int rc = outs ? 0 : lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t j = 0; rc == 0 && j < m->d; j++)
        rc = out_open(&outs[j], &m->cols[j], n);
    if (rc == 0) rc = draw_all(outs, m, n, seed, stream);
    if (!outs) return rc;
    rc = assemble(out, outs, m, rc);
    free(outs);
    return rc;
}
