/*
 * model_explain.c — contributions as a frame with named columns, and the
 * top-k reasons of each row (what `lolpop predict --explain` and
 * OfflinePredict write beside the predictions).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "ml/model_internal.h"

/* The explanations column name of feature j (j == n_features: base_value) in
 * group g (new string). */
static char *column_name(const lp_model *m, size_t g, size_t j)
{
    const char *f = j < m->n_features ? m->features[j].name : "base_value";
    if (m->task != LP_MODEL_MULTICLASS) return lp_strdup(f);
    return lp_asprintf("%s:%s", m->classes[g], f);
}

LP_API int lp_model_explanations(lp_frame **out, const lp_model *m, const lp_frame *X)
{
    *out = NULL;
    double *c = NULL;
    int rc = lp_model_contributions(&c, m, X);
    if (rc) return rc;
    size_t rows = lp_frame_rows(X), width = m->n_features + 1;
    size_t groups = lp_model_n_contribution_groups(m);
    lp_frame *f = lp_frame_new();
    rc = f ? 0 : lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t g = 0; rc == 0 && g < groups; g++)
        for (size_t j = 0; rc == 0 && j < width; j++) {
            lp_column *col = lp_column_new(LP_DT_FLOAT64, rows);
            char *name = column_name(m, g, j);
            if (!col || !name) {
                rc = lp_error_set(LP_ENOMEM, "out of memory");
                if (col) lp_column_unref(col);
            } else {
                for (size_t i = 0; i < rows; i++)
                    col->data.f64[i] = c[(i * groups + g) * width + j];
                rc = lp_frame_add_column(f, name, col);
            }
            free(name);
        }
    free(c);
    if (rc) {
        if (f) lp_frame_unref(f);
        return rc;
    }
    *out = f;
    return 0;
}

/* The explanations' columns by group and feature (groups × width, borrowed). */
static int find_columns(const lp_column **cols, const lp_model *m, const lp_frame *e)
{
    size_t width = m->n_features + 1, groups = lp_model_n_contribution_groups(m);
    for (size_t g = 0; g < groups; g++)
        for (size_t j = 0; j < width; j++) {
            char *name = column_name(m, g, j);
            if (!name) return lp_error_set(LP_ENOMEM, "out of memory");
            const lp_column *c = lp_frame_col_by_name(e, name);
            if (!c || c->type != LP_DT_FLOAT64) {
                int rc =
                    lp_error_set(LP_EINVAL, "the explanations have no float64 column '%s'", name);
                free(name);
                return rc;
            }
            free(name);
            cols[g * width + j] = c;
        }
    return 0;
}

/* The group of row i whose margin (base + Σ contributions) is largest. */
static size_t predicted_group(const lp_column **cols, size_t groups, size_t width, size_t i)
{
    size_t best = 0;
    double best_margin = -INFINITY;
    for (size_t g = 0; g < groups; g++) {
        double margin = 0;
        for (size_t j = 0; j < width; j++)
            margin += cols[g * width + j]->data.f64[i];
        if (margin > best_margin) {
            best_margin = margin;
            best = g;
        }
    }
    return best;
}

typedef struct reason_ctx {
    const lp_model *m;
    const lp_column **cols;
    size_t groups, width, k;
    size_t *order; /* n_features scratch */
    lp_column_builder **name_b, **value_b;
} reason_ctx;

/* Puts the k features of largest |contribution| first in order (ties: the
 * earlier feature): a partial selection sort, k being small. */
static void top_features(size_t *order, const double *vals, size_t p, size_t k)
{
    for (size_t j = 0; j < p; j++)
        order[j] = j;
    for (size_t r = 0; r < k; r++) {
        size_t best = r;
        for (size_t j = r + 1; j < p; j++) {
            double a = fabs(vals[order[j]]), b = fabs(vals[order[best]]);
            if (a > b || (a == b && order[j] < order[best])) best = j;
        }
        size_t t = order[r];
        order[r] = order[best];
        order[best] = t;
    }
}

/* Appends row i's reasons to the builders. */
static int reason_row(reason_ctx *c, double *vals, size_t i)
{
    size_t p = c->m->n_features;
    size_t g = c->groups > 1 ? predicted_group(c->cols, c->groups, c->width, i) : 0;
    bool missing = false;
    for (size_t j = 0; j < p; j++) {
        vals[j] = c->cols[g * c->width + j]->data.f64[i];
        missing |= isnan(vals[j]) || !lp_column_is_valid(c->cols[g * c->width + j], i);
    }
    if (!missing) top_features(c->order, vals, p, c->k);
    int rc = 0;
    for (size_t r = 0; rc == 0 && r < c->k; r++) {
        const char *name = missing ? NULL : c->m->features[c->order[r]].name;
        rc = name ? lp_column_builder_append_str(c->name_b[r], name, strlen(name))
                  : lp_column_builder_append_null(c->name_b[r]);
        if (rc == 0)
            rc = missing ? lp_column_builder_append_null(c->value_b[r])
                         : lp_column_builder_append_f64(c->value_b[r], vals[c->order[r]]);
    }
    return rc;
}

/* Adds the finished builders to f as reason_<r>, reason_<r>_value. */
static int reason_columns(lp_frame *f, reason_ctx *c)
{
    int rc = 0;
    for (size_t r = 0; r < c->k; r++) {
        lp_column *n = lp_column_builder_finish(c->name_b[r]);
        lp_column *v = lp_column_builder_finish(c->value_b[r]);
        c->name_b[r] = c->value_b[r] = NULL;
        char *nn = lp_asprintf("reason_%zu", r + 1), *vn = lp_asprintf("reason_%zu_value", r + 1);
        if (rc == 0 && (!n || !v || !nn || !vn)) rc = lp_error_set(LP_ENOMEM, "out of memory");
        if (rc == 0) {
            rc = lp_frame_add_column(f, nn, n);
            n = NULL;
        }
        if (rc == 0) {
            rc = lp_frame_add_column(f, vn, v);
            v = NULL;
        }
        if (n) lp_column_unref(n);
        if (v) lp_column_unref(v);
        free(nn);
        free(vn);
    }
    return rc;
}

LP_API int lp_model_reasons(lp_frame **out, const lp_model *m, const lp_frame *explanations,
                            size_t top_k)
{
    *out = NULL;
    size_t p = m->n_features, rows = lp_frame_rows(explanations);
    reason_ctx c = {.m = m, .width = p + 1, .groups = lp_model_n_contribution_groups(m)};
    c.k = top_k < p ? top_k : p;
    c.cols = malloc(c.groups * c.width * sizeof *c.cols);
    c.order = malloc((p ? p : 1) * sizeof *c.order);
    double *vals = malloc((p ? p : 1) * sizeof *vals);
    c.name_b = calloc(c.k ? c.k : 1, sizeof *c.name_b);
    c.value_b = calloc(c.k ? c.k : 1, sizeof *c.value_b);
    int rc = c.cols && c.order && vals && c.name_b && c.value_b
                 ? find_columns(c.cols, m, explanations)
                 : lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t r = 0; rc == 0 && r < c.k; r++) {
        c.name_b[r] = lp_column_builder_new(LP_DT_STRING, rows);
        c.value_b[r] = lp_column_builder_new(LP_DT_FLOAT64, rows);
        if (!c.name_b[r] || !c.value_b[r]) rc = lp_error_set(LP_ENOMEM, "out of memory");
    }
    for (size_t i = 0; rc == 0 && i < rows; i++)
        rc = reason_row(&c, vals, i);
    lp_frame *f = rc == 0 ? lp_frame_new() : NULL;
    if (rc == 0 && !f) rc = lp_error_set(LP_ENOMEM, "out of memory");
    if (rc == 0) rc = reason_columns(f, &c);
    for (size_t r = 0; c.name_b && r < c.k; r++) {
        lp_column_builder_free(c.name_b[r]);
        if (c.value_b) lp_column_builder_free(c.value_b[r]);
    }
    free(c.name_b);
    free(c.value_b);
    free(c.cols);
    free(c.order);
    free(vals);
    if (rc) {
        if (f) lp_frame_unref(f);
        return rc;
    }
    *out = f;
    return 0;
}
