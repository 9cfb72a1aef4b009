/*
 * xgb_stages.c — the XGBoost back-end's outputs round by round
 * (lp_model_ops.staged_predict, for learning curves).
 *
 * Predicting with the first r rounds for every r re-evaluates round 1's trees
 * R times (R²/2 tree walks). Instead each step evaluates only round r's trees
 * (iteration range [r, r+1)), one tree walk per round and row in all:
 *   - objectives whose link is known (logistic, softmax, identity, exp): the
 *     margins of the rounds are summed here (round 0's holds the base score;
 *     later rounds run on a zero base_margin, so they give their trees only)
 *     and the link applied here, one prediction call per round;
 *   - any other objective: the DMatrix's base_margin is the margin so far and
 *     XGBoost applies the link itself (a second call per round, for the
 *     output), so the outputs are XGBoost's own.
 * XGBoost's per-call cost per row outweighs a one-tree walk, hence the care
 * about calls.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ml/model_internal.h"
#include "ml/xgb_api.h"
#include "ml/xgb_internal.h"

typedef enum link { LINK_NONE, LINK_IDENTITY, LINK_LOGISTIC, LINK_SOFTMAX, LINK_EXP } link;

typedef struct stage_ctx {
    const xgb_state *s;
    const lp_model *m;
    DMatrixHandle d;
    size_t rows, groups;
    link link;      /* LINK_NONE: XGBoost applies it (base_margin path) */
    float *margin;  /* rows × groups: the margin of the rounds done (base_margin path) */
    double *sum;    /* rows × groups: the same in doubles (known-link path) */
    double *output; /* rows × n_outputs */
} stage_ctx;

/* The link from margin to output of the model's objective, LINK_NONE when
 * it is not one of these. */
static link link_of(const lp_model *m)
{
    static const struct {
        const char *objective;
        link link;
    } known[] = {
        {"binary:logistic", LINK_LOGISTIC},
        {"binary:logitraw", LINK_LOGISTIC},
        {"multi:softprob", LINK_SOFTMAX},
        {"multi:softmax", LINK_SOFTMAX},
        {"reg:squarederror", LINK_IDENTITY},
        {"reg:linear", LINK_IDENTITY},
        {"reg:pseudohubererror", LINK_IDENTITY},
        {"reg:absoluteerror", LINK_IDENTITY},
        {"reg:logistic", LINK_LOGISTIC},
        {"count:poisson", LINK_EXP},
        {"reg:gamma", LINK_EXP},
        {"reg:tweedie", LINK_EXP},
    };
    const char *o = lp_value_as_string(lp_map_get(lp_model_params(m), "objective"));
    for (size_t i = 0; o && i < sizeof known / sizeof known[0]; i++)
        if (strcmp(known[i].objective, o) == 0) return known[i].link;
    return LINK_NONE;
}

/* c->sum through the link into c->output (lp_model_ops.predict's layout). */
static void apply_link(stage_ctx *c)
{
    size_t k = c->groups;
    for (size_t i = 0; i < c->rows; i++) {
        const double *z = c->sum + i * k;
        double *out = c->output + i * lp_model_n_outputs(c->m);
        if (c->link == LINK_SOFTMAX) {
            double mx = z[0], total = 0;
            for (size_t g = 1; g < k; g++)
                mx = fmax(mx, z[g]);
            for (size_t g = 0; g < k; g++)
                total += out[g] = exp(z[g] - mx);
            for (size_t g = 0; g < k; g++)
                out[g] /= total;
        } else if (lp_model_task_of(c->m) == LP_MODEL_BINARY) {
            double p1 = 1.0 / (1.0 + exp(-z[0]));
            out[0] = 1.0 - p1, out[1] = p1;
        } else {
            out[0] = c->link == LINK_EXP        ? exp(z[0])
                     : c->link == LINK_LOGISTIC ? 1.0 / (1.0 + exp(-z[0]))
                                                : z[0];
        }
    }
}

/* XGBoost's prediction of type (0 output, 1 margin) from the trees of round r. */
static int predict_round(const stage_ctx *c, int type, int r, const bst_ulong **shape,
                         bst_ulong *dim, const float **res)
{
    char config[200];
    snprintf(config, sizeof config,
             "{\"type\": %d, \"training\": false, \"iteration_begin\": %d, \"iteration_end\": %d, "
             "\"strict_shape\": false}",
             type, r, r + 1);
    if (XGBoosterPredictFromDMatrix(c->s->bst, c->d, config, shape, dim, res))
        return lp_xgb_fail("prediction of one boosting round");
    return 0;
}

/* XGBoost's margins (shape[dim] at res) as rows × groups, checked. */
static int check_margins(const stage_ctx *c, const bst_ulong *shape, bst_ulong dim)
{
    bst_ulong n = 1;
    for (bst_ulong i = 0; i < dim; i++)
        n *= shape[i];
    if (n != c->rows * c->groups)
        return lp_error_set(LP_ERROR, "XGBoost gave %llu margins for %zu rows (want %zu)",
                            (unsigned long long)n, c->rows, c->rows * c->groups);
    return 0;
}

/* Round r (0-based), known link: its margin added to the sum (round 0 with
 * the base score, later ones on a zero base_margin), the outputs to each. */
static int one_round_known(stage_ctx *c, int r, lp_model_stage_fn each, void *ctx)
{
    const bst_ulong *shape;
    bst_ulong dim;
    const float *res;
    int rc = predict_round(c, 1, r, &shape, &dim, &res);
    if (rc == 0) rc = check_margins(c, shape, dim);
    if (rc) return rc;
    size_t n = c->rows * c->groups;
    for (size_t i = 0; i < n; i++)
        c->sum[i] += res[i];
    apply_link(c);
    if (r == 0) { /* from now on the trees alone: a zero base margin */
        memset(c->margin, 0, n * sizeof *c->margin);
        if (XGDMatrixSetFloatInfo(c->d, "base_margin", c->margin, n))
            return lp_xgb_fail("setting the base margin");
    }
    return each(ctx, (size_t)r + 1, c->output);
}

/* Round r (0-based), any objective: the outputs of rounds [0, r] to each,
 * and their margin kept as the base_margin of the next round. */
static int one_round(stage_ctx *c, int r, lp_model_stage_fn each, void *ctx)
{
    const bst_ulong *shape;
    bst_ulong dim;
    const float *res;
    int rc = predict_round(c, 0, r, &shape, &dim, &res);
    if (rc == 0) rc = lp_xgb_take_output(c->m, c->rows, shape, dim, res, c->output);
    if (rc == 0) rc = each(ctx, (size_t)r + 1, c->output);
    if (rc == 0) rc = predict_round(c, 1, r, &shape, &dim, &res);
    if (rc == 0) rc = check_margins(c, shape, dim);
    if (rc) return rc;
    size_t n = c->rows * c->groups;
    memcpy(c->margin, res, n * sizeof *res);
    if (XGDMatrixSetFloatInfo(c->d, "base_margin", c->margin, n))
        return lp_xgb_fail("setting the base margin");
    return 0;
}

int lp_xgb_staged_predict(void *state, const lp_model *m, const double *X, size_t rows,
                          lp_model_stage_fn each, void *ctx)
{
    xgb_state *s = state;
    int rounds = 0;
    if (XGBoosterBoostedRounds(s->bst, &rounds)) return lp_xgb_fail("counting rounds");
    if (s->iter_end > 0 && s->iter_end < rounds) rounds = s->iter_end;
    if (rows == 0 || rounds <= 0) return 0;
    stage_ctx c = {.s = s,
                   .m = m,
                   .rows = rows,
                   .groups = lp_model_n_contribution_groups(m),
                   .link = link_of(m)};
    c.margin = malloc(rows * c.groups * sizeof *c.margin);
    c.sum = calloc(rows * c.groups, sizeof *c.sum);
    c.output = malloc(rows * lp_model_n_outputs(m) * sizeof *c.output);
    int rc = c.margin && c.sum && c.output
                 ? lp_xgb_dmatrix(&c.d, m, X, rows, 0)
                 : lp_error_set(LP_ENOMEM, "out of memory for %zu rows", rows);
    for (int r = 0; rc == 0 && r < rounds; r++)
        rc = c.link != LINK_NONE ? one_round_known(&c, r, each, ctx) : one_round(&c, r, each, ctx);
    if (c.d) XGDMatrixFree(c.d);
    free(c.margin);
    free(c.sum);
    free(c.output);
    return rc;
}
