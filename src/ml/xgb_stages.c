/*
 * xgb_stages.c — the XGBoost back-end's outputs round by round
 * (lp_model_ops.staged_predict, for learning curves).
 *
 * Predicting with the first r rounds for every r re-evaluates round 1's trees
 * R times (R²/2 tree walks). Instead each step evaluates only round r's trees
 * (iteration range [r, r+1)) on a DMatrix whose base_margin is the margin of
 * the rounds before: XGBoost then adds them up and applies the objective's
 * link itself, so the outputs are XGBoost's own (no link table here) and a
 * whole curve costs two tree walks per round and row (margin and output).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ml/model_internal.h"
#include "ml/xgb_api.h"
#include "ml/xgb_internal.h"

typedef struct stage_ctx {
    const xgb_state *s;
    const lp_model *m;
    DMatrixHandle d;
    size_t rows, groups;
    float *margin;  /* rows × groups: the margin of the rounds done */
    double *output; /* rows × n_outputs */
} stage_ctx;

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

/* Round r (0-based): the outputs of rounds [0, r] to each, and their margin
 * kept as the base_margin of the next round. */
static int one_round(stage_ctx *c, int r, lp_model_stage_fn each, void *ctx)
{
    const bst_ulong *shape;
    bst_ulong dim;
    const float *res;
    int rc = predict_round(c, 0, r, &shape, &dim, &res);
    if (rc == 0) rc = lp_xgb_take_output(c->m, c->rows, shape, dim, res, c->output);
    if (rc == 0) rc = each(ctx, (size_t)r + 1, c->output);
    if (rc == 0) rc = predict_round(c, 1, r, &shape, &dim, &res);
    if (rc) return rc;
    bst_ulong n = 1;
    for (bst_ulong i = 0; i < dim; i++)
        n *= shape[i];
    if (n != c->rows * c->groups)
        return lp_error_set(LP_ERROR, "XGBoost gave %llu margins for %zu rows (want %zu)",
                            (unsigned long long)n, c->rows, c->rows * c->groups);
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
    stage_ctx c = {.s = s, .m = m, .rows = rows, .groups = lp_model_n_contribution_groups(m)};
    c.margin = malloc(rows * c.groups * sizeof *c.margin);
    c.output = malloc(rows * lp_model_n_outputs(m) * sizeof *c.output);
    int rc = c.margin && c.output ? lp_xgb_dmatrix(&c.d, m, X, rows, 0)
                                  : lp_error_set(LP_ENOMEM, "out of memory for %zu rows", rows);
    for (int r = 0; rc == 0 && r < rounds; r++)
        rc = one_round(&c, r, each, ctx);
    if (c.d) XGDMatrixFree(c.d);
    free(c.margin);
    free(c.output);
    return rc;
}
