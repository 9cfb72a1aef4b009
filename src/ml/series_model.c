/*
 * series_model.c — the "by_series" back-end (series_model.h): rows are
 * grouped by the key code of column 0 and each group is predicted by its
 * series' model on the remaining columns. Saved as the count of series then,
 * per series, the length and bytes of lp_model_save of its model; loaded
 * with the built-in back-ends (the sub-models are forecasters of lolpop's).
 */
#include "ml/series_model.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lolpop/error.h"
#include "lolpop/registry.h"
#include "ml/backends.h"
#include "ml/model_internal.h"
#include "data/bits.h"

typedef struct series_state {
    size_t n;
    lp_model **models;
} series_state;

static void series_free(void *state)
{
    series_state *s = state;
    if (!s) return;
    for (size_t i = 0; i < s->n; i++)
        if (s->models[i]) lp_model_unref(s->models[i]);
    free(s->models);
    free(s);
}

/* The rows of X (rows x (1 + F)) whose key code is k, without column 0:
 * *sub (cnt x F, malloc'ed), their row numbers in idx. */
static int gather(double **sub, size_t *idx, size_t *cnt, const double *X, size_t rows, size_t F,
                  size_t k)
{
    *cnt = 0;
    for (size_t r = 0; r < rows; r++)
        if (X[r * (F + 1)] == (double)k) idx[(*cnt)++] = r;
    *sub = malloc((*cnt ? *cnt : 1) * (F ? F : 1) * sizeof **sub);
    if (!*sub) return lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t i = 0; i < *cnt; i++)
        memcpy(*sub + i * F, X + idx[i] * (F + 1) + 1, F * sizeof **sub);
    return 0;
}

/* Every key code of X is a series of the model (an unknown key is NaN). */
static int check_keys(const lp_model *m, const double *X, size_t rows, size_t F, size_t n)
{
    for (size_t r = 0; r < rows; r++) {
        double k = X[r * (F + 1)];
        if (isnan(k) || k < 0 || k >= (double)n || k != floor(k))
            return lp_error_set(LP_EINVAL,
                                "row %zu: its %s is not one of the %zu series the model was "
                                "trained on",
                                r + 1, m->features[0].name, n);
    }
    return 0;
}

/* Predicts (width <= 0) or predicts with intervals each series' rows. */
static int series_run(void *state, const lp_model *m, const double *X, size_t rows, double width,
                      double *mean, double *lower, double *upper)
{
    series_state *s = state;
    size_t F = m->n_features - 1;
    int rc = check_keys(m, X, rows, F, s->n);
    size_t *idx = rc == 0 ? malloc((rows ? rows : 1) * sizeof *idx) : NULL;
    double *o = rc == 0 ? malloc((rows ? rows : 1) * 3 * sizeof *o) : NULL;
    if (rc == 0 && (!idx || !o)) rc = lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t k = 0; rc == 0 && k < s->n; k++) {
        double *sub = NULL;
        size_t cnt = 0;
        rc = gather(&sub, idx, &cnt, X, rows, F, k);
        const lp_model *sm = s->models[k];
        if (rc == 0 && cnt && width > 0)
            rc = sm->ops->predict_interval(sm->state, sm, sub, cnt, width, o, o + cnt, o + 2 * cnt);
        else if (rc == 0 && cnt)
            rc = sm->ops->predict(sm->state, sm, sub, cnt, o);
        for (size_t i = 0; rc == 0 && i < cnt; i++) {
            mean[idx[i]] = o[i];
            if (width > 0) {
                lower[idx[i]] = o[cnt + i];
                upper[idx[i]] = o[2 * cnt + i];
            }
        }
        free(sub);
    }
    free(idx);
    free(o);
    return rc;
}

static int series_predict(void *state, const lp_model *m, const double *X, size_t rows, double *out)
{
    return series_run(state, m, X, rows, 0, out, NULL, NULL);
}

static int series_predict_interval(void *state, const lp_model *m, const double *X, size_t rows,
                                   double width, double *mean, double *lower, double *upper)
{
    series_state *s = state;
    for (size_t k = 0; k < s->n; k++)
        if (!LP_MODEL_OPS_HAS(s->models[k]->ops, predict_interval) ||
            !s->models[k]->ops->predict_interval)
            return lp_error_set(LP_EINVAL, "the %s model of series %zu gives no intervals",
                                s->models[k]->ops->name, k + 1);
    return series_run(state, m, X, rows, width, mean, lower, upper);
}

static int series_save(void *state, uint8_t **out, size_t *len)
{
    series_state *s = state;
    uint8_t **blobs = calloc(s->n ? s->n : 1, sizeof *blobs);
    size_t *lens = calloc(s->n ? s->n : 1, sizeof *lens), total = 8;
    int rc = blobs && lens ? 0 : lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t k = 0; rc == 0 && k < s->n; k++) {
        rc = lp_model_save(&blobs[k], &lens[k], s->models[k]);
        total += 8 + lens[k];
    }
    uint8_t *buf = rc == 0 ? malloc(total) : NULL;
    if (rc == 0 && !buf) rc = lp_error_set(LP_ENOMEM, "out of memory");
    if (rc == 0) {
        lp_u64_store_le(buf, s->n);
        size_t at = 8;
        for (size_t k = 0; k < s->n; k++) {
            lp_u64_store_le(buf + at, lens[k]);
            memcpy(buf + at + 8, blobs[k], lens[k]);
            at += 8 + lens[k];
        }
        *out = buf;
        *len = total;
    }
    for (size_t k = 0; blobs && k < s->n; k++)
        free(blobs[k]);
    free(blobs);
    free(lens);
    return rc;
}

/* The sub-models of blob, loaded with a registry of the built-in back-ends. */
static int load_models(series_state *s, const uint8_t *blob, size_t len)
{
    lp_registry *reg = lp_registry_new();
    int rc = reg ? lp_ml_register_builtins(reg) : lp_error_set(LP_ENOMEM, "out of memory");
    size_t at = 8;
    for (size_t k = 0; rc == 0 && k < s->n; k++) {
        uint64_t l = len - at >= 8 ? lp_u64_load_le(blob + at) : UINT64_MAX;
        if (l > len - at - 8) {
            rc = lp_error_set(LP_EINVAL, "by_series model: series %zu is truncated", k + 1);
            break;
        }
        rc = lp_model_load(&s->models[k], reg, blob + at + 8, (size_t)l);
        at += 8 + (size_t)l;
    }
    if (reg) lp_registry_free(reg);
    return rc;
}

static int series_load(void **state, const uint8_t *blob, size_t len)
{
    uint64_t n = len >= 8 ? lp_u64_load_le(blob) : 0;
    if (n == 0 || n > len / 8)
        return lp_error_set(LP_EINVAL, "by_series model: %zu bytes hold no series", len);
    series_state *s = calloc(1, sizeof *s);
    lp_model **models = s ? calloc((size_t)n, sizeof *models) : NULL;
    if (!models) {
        free(s);
        return lp_error_set(LP_ENOMEM, "out of memory");
    }
    s->n = (size_t)n;
    s->models = models;
    int rc = load_models(s, blob, len);
    if (rc) {
        series_free(s);
        return rc;
    }
    *state = s;
    return 0;
}

const lp_model_ops lp_series_model_ops = {
    .size = sizeof(lp_model_ops),
    .name = "by_series",
    .load = series_load,
    .predict = series_predict,
    .save = series_save,
    .free = series_free,
    .has_probabilities = NULL,
    .predict_interval = series_predict_interval,
    .contributions = NULL,
    .feature_importance = NULL,
};

/* Every model has model 0's feature names, none categorical. */
static int same_features(lp_model *const *models, size_t n)
{
    const lp_model *m0 = models[0];
    for (size_t k = 0; k < n; k++) {
        const lp_model *m = models[k];
        bool same = m->n_features == m0->n_features && m->task == LP_MODEL_REGRESSION;
        for (size_t j = 0; same && j < m->n_features; j++)
            same = strcmp(m->features[j].name, m0->features[j].name) == 0 &&
                   !m->features[j].categorical;
        if (!same)
            return lp_error_set(LP_EINVAL,
                                "by_series model: the model of series %zu is no regression on "
                                "the numeric features of series 1's",
                                k + 1);
    }
    return 0;
}

int lp_series_model_new(lp_model **out, const char *key, const char *const *keys,
                        lp_model *const *models, size_t n)
{
    if (n == 0) return lp_error_set(LP_EINVAL, "by_series model: no series");
    int rc = same_features(models, n);
    if (rc) return rc;
    series_state *s = calloc(1, sizeof *s);
    if (s) s->models = calloc(n, sizeof *s->models);
    if (!s || !s->models) {
        free(s);
        return lp_error_set(LP_ENOMEM, "out of memory");
    }
    s->n = n;
    for (size_t k = 0; k < n; k++)
        s->models[k] = lp_model_ref(models[k]);
    const lp_model *m0 = models[0];
    lp_model *m =
        lp_model_new(&lp_series_model_ops, s, LP_MODEL_REGRESSION, m0->target, m0->target_dtype);
    if (!m) return lp_error_last()->code;
    rc = lp_model_add_feature(m, key, LP_DT_STRING);
    for (size_t k = 0; rc == 0 && k < n; k++)
        rc = lp_model_add_category(m, 0, keys[k], strlen(keys[k]));
    for (size_t j = 0; rc == 0 && j < m0->n_features; j++)
        rc = lp_model_add_feature(m, m0->features[j].name, m0->features[j].dtype);
    if (rc == 0 && m0->params) rc = lp_model_set_params(m, lp_value_copy(m0->params));
    if (rc) {
        lp_model_unref(m);
        return rc;
    }
    *out = m;
    return 0;
}

size_t lp_series_model_count(const lp_model *m)
{
    return m && m->ops == &lp_series_model_ops ? ((series_state *)m->state)->n : 0;
}

lp_model *lp_series_model_at(const lp_model *m, size_t i, const char **key)
{
    if (i >= lp_series_model_count(m)) return NULL;
    if (key) *key = m->features[0].cats[i];
    return ((series_state *)m->state)->models[i];
}
