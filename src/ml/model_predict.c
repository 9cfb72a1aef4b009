/* model_predict.c — frames in the training layout, and predictions as frames.
 * Features are matched by name (any column order, extra columns ignored);
 * categories are encoded with the training dictionary, unseen ones → NaN. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "ml/model_internal.h"

/* A dictionary entry, for sorting codes by their text. */
typedef struct cat_entry {
    const char *s;
    size_t len;
    size_t code;
} cat_entry;

/* Sorted view of a feature's dictionary, for binary search by text. */
typedef struct cat_index {
    cat_entry *e;
    size_t n;
} cat_index;

static int bytes_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
    int c = alen && blen ? memcmp(a, b, alen < blen ? alen : blen) : 0;
    return c ? c : (alen > blen) - (alen < blen);
}

static int entry_cmp(const void *a, const void *b)
{
    const cat_entry *x = a, *y = b;
    return bytes_cmp(x->s, x->len, y->s, y->len);
}

/* Fills idx (idx->e freed by the caller). */
static int cat_index_build(cat_index *idx, const lp_model_feature *f)
{
    idx->n = f->n_cats;
    idx->e = malloc((f->n_cats ? f->n_cats : 1) * sizeof *idx->e);
    if (!idx->e) return lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t i = 0; i < f->n_cats; i++)
        idx->e[i] = (cat_entry){f->cats[i], f->cat_lens[i], i};
    qsort(idx->e, idx->n, sizeof *idx->e, entry_cmp);
    return 0;
}

/* The code of s, or NaN when the training data never had it. */
static double cat_index_code(const cat_index *idx, const char *s, size_t len)
{
    cat_entry key = {s, len, 0};
    const cat_entry *hit = idx->n ? bsearch(&key, idx->e, idx->n, sizeof key, entry_cmp) : NULL;
    return hit ? (double)hit->code : NAN;
}

static int encode_categorical(double *out, size_t stride, const lp_model_feature *f,
                              const lp_column *col)
{
    if (col->type != LP_DT_STRING && col->type != LP_DT_CATEGORY)
        return lp_error_set(LP_EINVAL,
                            "feature '%s' was a %s column in training (categorical); got %s",
                            f->name, lp_dtype_name(f->dtype), lp_dtype_name(col->type));
    cat_index idx;
    if (cat_index_build(&idx, f)) return LP_ENOMEM;
    double *dict_codes = NULL;
    if (col->type == LP_DT_CATEGORY) { /* map each dictionary entry once */
        const lp_column *d = col->data.cat.dict;
        dict_codes = malloc((d->length ? d->length : 1) * sizeof *dict_codes);
        if (!dict_codes) {
            free(idx.e);
            return lp_error_set(LP_ENOMEM, "out of memory");
        }
        for (size_t i = 0; i < d->length; i++) {
            size_t len;
            const char *s = lp_column_str(d, i, &len);
            dict_codes[i] = s ? cat_index_code(&idx, s, len) : NAN;
        }
    }
    for (size_t i = 0; i < col->length; i++) {
        double v = NAN;
        if (lp_column_is_valid(col, i)) {
            if (dict_codes) {
                int32_t c = col->data.cat.codes[i];
                v = c >= 0 && (size_t)c < col->data.cat.dict->length ? dict_codes[c] : NAN;
            } else {
                size_t len;
                const char *s = lp_column_str(col, i, &len);
                v = s ? cat_index_code(&idx, s, len) : NAN;
            }
        }
        out[i * stride] = v;
    }
    free(dict_codes);
    free(idx.e);
    return 0;
}

static int encode_numeric(double *out, size_t stride, const lp_model_feature *f,
                          const lp_column *col)
{
    if (col->type == LP_DT_STRING || col->type == LP_DT_CATEGORY)
        return lp_error_set(LP_EINVAL, "feature '%s' was a %s column in training; got %s", f->name,
                            lp_dtype_name(f->dtype), lp_dtype_name(col->type));
    for (size_t i = 0; i < col->length; i++) {
        double v = NAN;
        if (lp_column_is_valid(col, i)) {
            switch (col->type) {
            case LP_DT_FLOAT64:
                v = col->data.f64[i];
                break;
            case LP_DT_INT64:
                v = (double)col->data.i64[i];
                break;
            case LP_DT_BOOL:
                v = col->data.b8[i] ? 1.0 : 0.0;
                break;
            case LP_DT_TIMESTAMP: /* seconds, as lp_frame_to_matrix */
                v = (double)col->data.i64[i] / 1e6;
                break;
            default:
                break;
            }
        }
        out[i * stride] = v;
    }
    return 0;
}

/* Names the closest column of X for a missing feature. */
static int missing_feature(const lp_model *m, const lp_frame *X, const char *name)
{
    size_t n = lp_frame_cols(X);
    const char **names = malloc((n ? n : 1) * sizeof *names);
    const char *hint = NULL;
    if (names) {
        for (size_t j = 0; j < n; j++)
            names[j] = lp_frame_name(X, j);
        hint = lp_suggest(name, names, n);
    }
    int rc = hint ? lp_error_set(LP_ENOTFOUND,
                                 "the data has no column '%s', a feature of the %s model of "
                                 "'%s'; did you mean '%s'?",
                                 name, lp_model_backend(m), m->target, hint)
                  : lp_error_set(LP_ENOTFOUND,
                                 "the data has no column '%s', a feature of the %s model of '%s'",
                                 name, lp_model_backend(m), m->target);
    free(names);
    return rc;
}

LP_API int lp_model_matrix(double **out, const lp_model *m, const lp_frame *X)
{
    *out = NULL;
    size_t rows = lp_frame_rows(X), p = m->n_features;
    for (size_t j = 0; j < p; j++)
        if (!lp_frame_col_by_name(X, m->features[j].name))
            return missing_feature(m, X, m->features[j].name);
    double *mat = malloc((rows && p ? rows * p : 1) * sizeof *mat);
    if (!mat) return lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t j = 0; j < p; j++) {
        const lp_model_feature *f = &m->features[j];
        const lp_column *col = lp_frame_col_by_name(X, f->name);
        int rc = f->categorical ? encode_categorical(mat + j, p, f, col)
                                : encode_numeric(mat + j, p, f, col);
        if (rc) {
            free(mat);
            return rc;
        }
    }
    *out = mat;
    return 0;
}

LP_API int lp_model_predict_raw(double **out, const lp_model *m, const lp_frame *X)
{
    *out = NULL;
    if (!m->ops || !m->ops->predict)
        return lp_error_set(LP_EINVAL, "model of '%s' has no back-end", m->target);
    double *mat;
    int rc = lp_model_matrix(&mat, m, X);
    if (rc) return rc;
    size_t rows = lp_frame_rows(X), k = lp_model_n_outputs(m);
    double *res = malloc((rows && k ? rows * k : 1) * sizeof *res);
    if (!res) {
        free(mat);
        return lp_error_set(LP_ENOMEM, "out of memory");
    }
    rc = rows ? m->ops->predict(m->state, m, mat, rows, res) : 0;
    free(mat);
    if (rc) {
        free(res);
        return rc;
    }
    *out = res;
    return 0;
}

/* Appends class label k to b in the target's type. */
static int append_label(lp_column_builder *b, const lp_model *m, size_t k)
{
    const char *s = m->classes[k];
    char *end;
    switch (m->target_dtype) {
    case LP_DT_INT64:
    case LP_DT_TIMESTAMP: {
        errno = 0;
        long long v = strtoll(s, &end, 10);
        if (errno || *end) break;
        return lp_column_builder_append_i64(b, v);
    }
    case LP_DT_FLOAT64: {
        double v = strtod(s, &end);
        if (*end) break;
        return lp_column_builder_append_f64(b, v);
    }
    case LP_DT_BOOL:
        if (strcmp(s, "true") && strcmp(s, "false")) break;
        return lp_column_builder_append_bool(b, strcmp(s, "true") == 0);
    default:
        return lp_column_builder_append_str(b, s, strlen(s));
    }
    return lp_error_set(LP_EINVAL, "class label '%s' of '%s' is not a %s", s, m->target,
                        lp_dtype_name(m->target_dtype));
}

static lp_dtype label_dtype(const lp_model *m)
{
    lp_dtype t = m->target_dtype;
    return t == LP_DT_CATEGORY ? LP_DT_STRING : t;
}

/* The column of predicted labels (index of the highest probability). */
static int label_column(lp_column **out, const lp_model *m, const double *res, size_t rows)
{
    size_t k = lp_model_n_outputs(m);
    lp_column_builder *b = lp_column_builder_new(label_dtype(m), rows);
    if (!b) return lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t i = 0; i < rows; i++) {
        const double *r = res + i * k;
        size_t best = 0;
        for (size_t c = 1; c < k; c++)
            if (r[c] > r[best]) best = c;
        if (isnan(r[0]) && k > 0) {
            if (lp_column_builder_append_null(b)) goto fail;
            continue;
        }
        if (append_label(b, m, best)) goto fail;
    }
    if (!(*out = lp_column_builder_finish(b))) return lp_error_set(LP_ENOMEM, "out of memory");
    return 0;
fail:
    lp_column_builder_free(b);
    return lp_error_last()->code ? lp_error_last()->code : LP_ENOMEM;
}

/* The one-column "prediction" frame from raw outputs. */
static int labels_from_raw(lp_frame **out, const lp_model *m, const double *res, size_t rows)
{
    lp_column *col = NULL;
    int rc = 0;
    if (m->task == LP_MODEL_REGRESSION) {
        if (!(col = lp_column_new(LP_DT_FLOAT64, rows)))
            rc = lp_error_set(LP_ENOMEM, "out of memory");
        else if (rows)
            memcpy(col->data.f64, res, rows * sizeof *res);
    } else {
        rc = label_column(&col, m, res, rows);
    }
    if (rc) return rc;
    lp_frame *f = lp_frame_new();
    if (!f) {
        lp_column_unref(col);
        return lp_error_set(LP_ENOMEM, "out of memory");
    }
    if ((rc = lp_frame_add_column(f, "prediction", col))) {
        lp_frame_unref(f);
        return rc;
    }
    *out = f;
    return 0;
}

/* One float64 column per class, named by its label, from raw outputs. */
static int proba_from_raw(lp_frame **out, const lp_model *m, const double *res, size_t rows)
{
    size_t k = lp_model_n_outputs(m);
    lp_frame *f = lp_frame_new();
    int rc = f ? 0 : lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t c = 0; rc == 0 && c < k; c++) {
        lp_column *col = lp_column_new(LP_DT_FLOAT64, rows);
        if (!col) {
            rc = lp_error_set(LP_ENOMEM, "out of memory");
            break;
        }
        for (size_t i = 0; i < rows; i++)
            col->data.f64[i] = res[i * k + c];
        rc = lp_frame_add_column(f, m->classes[c], col);
    }
    if (rc) {
        if (f) lp_frame_unref(f);
        return rc;
    }
    *out = f;
    return 0;
}

static int no_probabilities(const lp_model *m)
{
    return lp_error_set(LP_EINVAL, "the model of '%s' is a regression: no class probabilities",
                        m->target);
}

LP_API bool lp_model_has_probabilities(const lp_model *m)
{
    if (m->task == LP_MODEL_REGRESSION) return false;
    const lp_model_ops *ops = m->ops;
    if (!ops || !LP_MODEL_OPS_HAS(ops, has_probabilities) || !ops->has_probabilities) return true;
    return ops->has_probabilities(m->state, m);
}

LP_API int lp_model_predict(lp_frame **out, const lp_model *m, const lp_frame *X)
{
    *out = NULL;
    double *res;
    int rc = lp_model_predict_raw(&res, m, X);
    if (rc) return rc;
    rc = labels_from_raw(out, m, res, lp_frame_rows(X));
    free(res);
    return rc;
}

LP_API int lp_model_predict_proba(lp_frame **out, const lp_model *m, const lp_frame *X)
{
    *out = NULL;
    if (m->task == LP_MODEL_REGRESSION) return no_probabilities(m);
    if (!lp_model_has_probabilities(m))
        return lp_error_set(LP_EINVAL,
                            "the %s model of '%s' gives no probabilities (only class scores)",
                            lp_model_backend(m), m->target);
    double *res;
    int rc = lp_model_predict_raw(&res, m, X);
    if (rc) return rc;
    rc = proba_from_raw(out, m, res, lp_frame_rows(X));
    free(res);
    return rc;
}

LP_API int lp_model_frames_from_outputs(lp_frame **labels, lp_frame **proba, const lp_model *m,
                                        const double *outputs, size_t rows)
{
    *labels = NULL;
    if (proba) *proba = NULL;
    int rc = labels_from_raw(labels, m, outputs, rows);
    if (rc == 0 && proba && m->task != LP_MODEL_REGRESSION) {
        rc = proba_from_raw(proba, m, outputs, rows);
        if (rc) {
            lp_frame_unref(*labels);
            *labels = NULL;
        }
    }
    return rc;
}

LP_API int lp_model_predict_both(lp_frame **labels, lp_frame **proba, const lp_model *m,
                                 const lp_frame *X)
{
    *labels = NULL;
    if (proba) *proba = NULL;
    double *res;
    int rc = lp_model_predict_raw(&res, m, X);
    if (rc) return rc;
    rc = lp_model_frames_from_outputs(labels, proba, m, res, lp_frame_rows(X));
    free(res);
    return rc;
}
