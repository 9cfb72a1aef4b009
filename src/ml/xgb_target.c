/* xgb_target.c — checking a training's inputs: the task, the class labels
 * (sorted as scikit-learn's LabelEncoder), the label vectors, the features
 * and their category dictionaries (sorted distinct training values, as
 * pandas' astype("category")). The rules are documented in xgb.h. */
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/bits.h"
#include "data/radix.h"
#include "ml/xgb_internal.h"

void lp_xgb_data_free(lp_xgb_data *d)
{
    free(d->y_train);
    free(d->y_valid);
    memset(d, 0, sizeof *d);
}

/* ---- text values (string and category columns) --------------------------- */

typedef struct text_entry {
    const char *s;
    size_t len;
} text_entry;

static int text_cmp(const void *a, const void *b)
{
    const text_entry *x = a, *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = n ? memcmp(x->s, y->s, n) : 0;
    return c ? c : (x->len > y->len) - (x->len < y->len);
}

/* A set of texts by open addressing (slots hold entry index + 1). */
typedef struct text_set {
    uint32_t *slots;
    size_t cap; /* a power of two */
} text_set;

static bool same_text(const text_entry *a, const char *s, size_t len)
{
    return a->len == len && (len == 0 || memcmp(a->s, s, len) == 0);
}

/* Rebuilds the slots of set t at twice the size for entries e[0..n). */
static int text_set_grow(text_set *t, const text_entry *e, size_t n)
{
    size_t cap = t->cap ? t->cap * 2 : 64;
    uint32_t *slots = calloc(cap, sizeof *slots);
    if (!slots) return lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t k = 0; k < n; k++) {
        size_t i = (size_t)lp_text_hash(e[k].s, e[k].len) & (cap - 1);
        while (slots[i])
            i = (i + 1) & (cap - 1);
        slots[i] = (uint32_t)(k + 1);
    }
    free(t->slots);
    t->slots = slots;
    t->cap = cap;
    return 0;
}

/* Appends s to e[0..*n) unless it is there already. */
static int text_set_add(text_set *t, text_entry *e, size_t *n, const char *s, size_t len)
{
    if ((*n + 1) * 2 > t->cap && text_set_grow(t, e, *n)) return LP_ENOMEM;
    size_t i = (size_t)lp_text_hash(s, len) & (t->cap - 1);
    for (; t->slots[i]; i = (i + 1) & (t->cap - 1))
        if (same_text(&e[t->slots[i] - 1], s, len)) return 0;
    e[*n].s = s;
    e[*n].len = len;
    t->slots[i] = (uint32_t)++ * n;
    return 0;
}

/* The distinct non-missing texts of string column col, unsorted. */
static int collect_strings(text_entry *e, size_t *n, const lp_column *col)
{
    text_set t = {0};
    int rc = 0;
    for (size_t i = 0; i < col->length && rc == 0; i++) {
        if (!lp_column_is_valid(col, i)) continue;
        size_t len;
        const char *s = lp_column_str(col, i, &len);
        if (s) rc = text_set_add(&t, e, n, s, len);
    }
    free(t.slots);
    return rc;
}

/* The dictionary entries of category column col that occur, unsorted. */
static int collect_categories(text_entry *e, size_t *n, const lp_column *col)
{
    const lp_column *dict = col->data.cat.dict;
    uint8_t *used = calloc(dict->length ? dict->length : 1, 1);
    if (!used) return lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t i = 0; i < col->length; i++) {
        int32_t c = col->data.cat.codes[i];
        if (lp_column_is_valid(col, i) && c >= 0 && (size_t)c < dict->length) used[c] = 1;
    }
    for (size_t i = 0; i < dict->length; i++) {
        if (!used[i]) continue;
        e[*n].s = lp_column_str(dict, i, &e[*n].len);
        if (e[*n].s) ++*n;
    }
    free(used);
    return 0;
}

/* Sorted distinct non-missing texts of a string/category column (pointers
 * into the column). Strings are made distinct by hashing before the sort, so
 * the sort sees each value once, however many rows repeat it. */
static int distinct_texts(text_entry **out, size_t *n_out, const lp_column *col)
{
    const lp_column *src = col->type == LP_DT_CATEGORY ? col->data.cat.dict : col;
    size_t n = 0;
    text_entry *e = malloc((src->length ? src->length : 1) * sizeof *e);
    if (!e) return lp_error_set(LP_ENOMEM, "out of memory");
    int rc =
        col->type == LP_DT_CATEGORY ? collect_categories(e, &n, col) : collect_strings(e, &n, col);
    if (rc) {
        free(e);
        return rc;
    }
    qsort(e, n, sizeof *e, text_cmp);
    size_t u = 0; /* a dictionary may hold a text twice */
    for (size_t i = 0; i < n; i++)
        if (u == 0 || text_cmp(&e[u - 1], &e[i])) e[u++] = e[i];
    *out = e;
    *n_out = u;
    return 0;
}

/* ---- the target ----------------------------------------------------------- */

static bool is_text(lp_dtype t)
{
    return t == LP_DT_STRING || t == LP_DT_CATEGORY;
}

static int dbl_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The target column of y (exactly one column, no missing values). */
static int target_column(const lp_column **out, const lp_frame *y, const char *which)
{
    if (lp_frame_cols(y) != 1)
        return lp_error_set(LP_EINVAL, "the %s target must be one column; got %zu", which,
                            lp_frame_cols(y));
    const lp_column *col = lp_frame_col(y, 0);
    if (col->null_count)
        return lp_error_set(LP_EINVAL, "%s target '%s' has %zu missing value%s", which,
                            lp_frame_name(y, 0), col->null_count, col->null_count == 1 ? "" : "s");
    if (col->type == LP_DT_TIMESTAMP)
        return lp_error_set(LP_EINVAL, "%s target '%s' is a timestamp column", which,
                            lp_frame_name(y, 0));
    *out = col;
    return 0;
}

/* Label text of a numeric class value, as it is shown and saved. */
static char *numeric_label(lp_dtype t, double v)
{
    if (t == LP_DT_BOOL) return lp_strdup(v != 0 ? "true" : "false");
    if (t == LP_DT_INT64) return lp_asprintf("%" PRId64, (int64_t)v);
    char buf[40];
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*g", prec, v);
        if (strtod(buf, NULL) == v) break;
    }
    return lp_strdup(buf);
}

/* Sorts n doubles of an int64 or bool column (no NaN, no -0.0, so their keys
 * order them as dbl_cmp does and equal keys are equal values) by a radix sort
 * of their keys: the training target is sorted once per training. */
static int sort_integral(double *v, size_t n)
{
    uint64_t *keys = malloc((n ? n : 1) * sizeof *keys);
    lp_radix_hist *h = calloc(1, sizeof *h);
    int rc = keys && h ? 0 : lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t i = 0; rc == 0 && i < n; i++) {
        keys[i] = lp_f64_sortkey(v[i]);
        lp_radix_hist_add(h, keys[i]);
    }
    if (rc == 0) rc = lp_radix_sort(keys, n, h);
    for (size_t i = 0; rc == 0 && i < n; i++)
        v[i] = lp_sortkey_f64(keys[i]);
    free(keys);
    free(h);
    return rc;
}

/* Classes of a numeric target: sorted distinct values (double: int64
 * targets used as labels are small counts, exact in a double). */
static int numeric_classes(lp_model *m, double **vals, size_t *n_out, const lp_column *col)
{
    size_t n = col->length, u = 0;
    double *v = malloc((n ? n : 1) * sizeof *v);
    if (!v) return lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        v[i] = lp_column_get_f64(col, i);
    if (col->type != LP_DT_INT64 && col->type != LP_DT_BOOL) {
        qsort(v, n, sizeof *v, dbl_cmp); /* floats: the first of -0.0 / 0.0 is kept, as ever */
    } else {
        int rc = sort_integral(v, n);
        if (rc) {
            free(v);
            return rc;
        }
    }
    for (size_t i = 0; i < n; i++)
        if (u == 0 || v[u - 1] != v[i]) v[u++] = v[i];
    for (size_t k = 0; k < u; k++) {
        char *label = numeric_label(col->type, v[k]);
        int rc = label ? lp_model_add_class(m, label) : LP_ENOMEM;
        free(label);
        if (rc) {
            free(v);
            return rc;
        }
    }
    *vals = v;
    *n_out = u;
    return 0;
}

/* Class index of each row of col; a value that is not a class → error. */
static int encode_labels(float **out, const lp_model *m, const double *vals, size_t n_vals,
                         const lp_column *col, const char *which)
{
    float *y = malloc((col->length ? col->length : 1) * sizeof *y);
    if (!y) return lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t i = 0; i < col->length; i++) {
        long k = -1;
        if (is_text(col->type)) {
            size_t len;
            const char *s = lp_column_str(col, i, &len);
            for (size_t c = 0; s && c < lp_model_n_classes(m); c++) {
                const char *lab = lp_model_class_label(m, c);
                if (strlen(lab) == len && memcmp(lab, s, len) == 0) k = (long)c;
            }
        } else if (!is_text(lp_model_target_dtype(m))) {
            double v = lp_column_get_f64(col, i);
            const double *hit = bsearch(&v, vals, n_vals, sizeof v, dbl_cmp);
            if (hit) k = hit - vals;
        }
        if (k < 0) {
            free(y);
            return lp_error_set(LP_EINVAL,
                                "%s target: row %zu has a value that is not a class of the "
                                "training target",
                                which, i + 1);
        }
        y[i] = (float)k;
    }
    *out = y;
    return 0;
}

/* Text-class lookup is a linear scan above; fine for the few classes a
 * classifier has, guarded here so a mistaken target cannot make it slow. */
#define MAX_CLASSES 10000

static int text_classes(lp_model *m, const lp_column *col)
{
    text_entry *e;
    size_t n;
    int rc = distinct_texts(&e, &n, col);
    if (rc) return rc;
    if (n > MAX_CLASSES) {
        free(e);
        return lp_error_set(LP_EINVAL, "target '%s' has %zu distinct values: too many classes",
                            lp_model_target(m), n);
    }
    for (size_t k = 0; rc == 0 && k < n; k++) {
        char *lab = lp_strndup(e[k].s, e[k].len);
        rc = lab ? lp_model_add_class(m, lab) : LP_ENOMEM;
        free(lab);
    }
    free(e);
    return rc;
}

static int regression_labels(float **out, const lp_column *col, const char *name)
{
    if (is_text(col->type))
        return lp_error_set(LP_EINVAL, "regression needs a numeric target; '%s' is %s", name,
                            lp_dtype_name(col->type));
    float *y = malloc((col->length ? col->length : 1) * sizeof *y);
    if (!y) return lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t i = 0; i < col->length; i++)
        y[i] = (float)lp_column_get_f64(col, i);
    *out = y;
    return 0;
}

/* The task from the objective, else from the target's type (see xgb.h). */
static lp_model_task detect_task(const char *objective, lp_dtype t, size_t n_classes)
{
    if (objective) {
        if (strncmp(objective, "binary:", 7) == 0) return LP_MODEL_BINARY;
        if (strncmp(objective, "multi:", 6) == 0) return LP_MODEL_MULTICLASS;
        return LP_MODEL_REGRESSION;
    }
    if (is_text(t) || t == LP_DT_BOOL) return n_classes > 2 ? LP_MODEL_MULTICLASS : LP_MODEL_BINARY;
    return LP_MODEL_REGRESSION;
}

/* Objective and num_class to match the task. */
static int task_params(lp_value *eff, lp_model_task task, size_t n_classes)
{
    const char *obj = lp_value_as_string(lp_map_get(eff, "objective"));
    const lp_value *nc = lp_map_get(eff, "num_class");
    if (task == LP_MODEL_MULTICLASS) {
        if (nc && lp_value_as_int(nc) != (int64_t)n_classes)
            return lp_error_set(LP_ECONFIG,
                                "XGBoost parameter num_class is %" PRId64
                                " but the target has %zu classes",
                                lp_value_as_int(nc), n_classes);
        if (!obj || strcmp(obj, "multi:softmax") == 0)
            if (lp_map_set(eff, "objective", lp_value_string("multi:softprob"))) return LP_ENOMEM;
        return lp_map_set(eff, "num_class", lp_value_int((int64_t)n_classes));
    }
    if (nc) return lp_error_set(LP_ECONFIG, "XGBoost parameter num_class is for multiclass only");
    if (obj) return 0;
    return lp_map_set(
        eff, "objective",
        lp_value_string(task == LP_MODEL_BINARY ? "binary:logistic" : "reg:squarederror"));
}

static int classify(lp_xgb_data *d, lp_model *m, const lp_column *ytr, const lp_column *yva)
{
    double *vals = NULL;
    size_t n_vals = 0;
    int rc = is_text(ytr->type) ? text_classes(m, ytr) : numeric_classes(m, &vals, &n_vals, ytr);
    if (rc == 0 && lp_model_n_classes(m) < 2)
        rc = lp_error_set(LP_EINVAL, "target '%s' has a single class ('%s'): nothing to classify",
                          lp_model_target(m), lp_model_class_label(m, 0));
    if (rc == 0 && lp_model_task_of(m) == LP_MODEL_BINARY && lp_model_n_classes(m) != 2)
        rc = lp_error_set(LP_EINVAL, "binary objective but target '%s' has %zu classes",
                          lp_model_target(m), lp_model_n_classes(m));
    if (rc == 0) rc = encode_labels(&d->y_train, m, vals, n_vals, ytr, "training");
    if (rc == 0 && yva) {
        if (is_text(yva->type) != is_text(ytr->type))
            rc = lp_error_set(LP_EINVAL, "validation target is %s, training target %s",
                              lp_dtype_name(yva->type), lp_dtype_name(ytr->type));
        else
            rc = encode_labels(&d->y_valid, m, vals, n_vals, yva, "validation");
    }
    free(vals);
    return rc;
}

/* ---- features ------------------------------------------------------------- */

static int describe_features(lp_model *m, lp_value *eff, const lp_frame *X)
{
    bool any_cat = false;
    for (size_t j = 0; j < lp_frame_cols(X); j++) {
        const lp_column *col = lp_frame_col(X, j);
        int rc = lp_model_add_feature(m, lp_frame_name(X, j), col->type);
        if (rc || !is_text(col->type)) {
            if (rc) return rc;
            continue;
        }
        any_cat = true;
        text_entry *e;
        size_t n;
        if ((rc = distinct_texts(&e, &n, col))) return rc;
        for (size_t c = 0; rc == 0 && c < n; c++)
            rc = lp_model_add_category(m, j, e[c].s, e[c].len);
        free(e);
        if (rc) return rc;
    }
    if (any_cat && !lp_map_get(eff, "tree_method"))
        return lp_map_set(eff, "tree_method", lp_value_string("hist"));
    return 0;
}

/* ---- all together --------------------------------------------------------- */

static int check_shapes(const lp_frame *X, const lp_frame *y, const char *which)
{
    if (!X || !y) return lp_error_set(LP_EINVAL, "no %s data", which);
    if (lp_frame_rows(X) != lp_frame_rows(y))
        return lp_error_set(LP_EINVAL, "%s features have %zu rows but the target %zu", which,
                            lp_frame_rows(X), lp_frame_rows(y));
    return 0;
}

static int check_inputs(const lp_frame *Xt, const lp_frame *yt, const lp_frame *Xv,
                        const lp_frame *yv)
{
    int rc = check_shapes(Xt, yt, "training");
    if (rc) return rc;
    if (lp_frame_rows(Xt) == 0) return lp_error_set(LP_EINVAL, "the training data has no rows");
    if (lp_frame_cols(Xt) == 0) return lp_error_set(LP_EINVAL, "the training data has no features");
    if (!Xv != !yv)
        return lp_error_set(LP_EINVAL, "validation features and target must come together");
    return Xv ? check_shapes(Xv, yv, "validation") : 0;
}

int lp_xgb_prepare(lp_xgb_data *d, lp_model **m, lp_value **eff, const lp_frame *X_train,
                   const lp_frame *y_train, const lp_frame *X_valid, const lp_frame *y_valid,
                   const lp_value *params)
{
    *m = NULL;
    *eff = NULL;
    const lp_column *ytr, *yva = NULL;
    int rc = check_inputs(X_train, y_train, X_valid, y_valid);
    if (rc || (rc = target_column(&ytr, y_train, "training")) ||
        (y_valid && (rc = target_column(&yva, y_valid, "validation"))) ||
        (rc = lp_xgb_params_resolve(eff, params)))
        return rc;
    if (lp_value_as_int(lp_map_get(*eff, "early_stopping_rounds")) > 0 && !X_valid)
        return lp_error_set(LP_ECONFIG, "early_stopping_rounds needs a validation split");
    const char *obj = lp_value_as_string(lp_map_get(*eff, "objective"));
    const char *name = lp_frame_name(y_train, 0);
    /* text targets: count classes first to tell binary from multiclass */
    size_t n_text = 0;
    if (is_text(ytr->type)) {
        text_entry *e;
        if ((rc = distinct_texts(&e, &n_text, ytr))) return rc;
        free(e);
    } else if (ytr->type == LP_DT_BOOL) {
        n_text = 2;
    }
    lp_model_task task = detect_task(obj, ytr->type, n_text);
    if (!(*m = lp_xgb_model_new(task, name, ytr->type))) return LP_ENOMEM;
    d->X_train = X_train;
    d->X_valid = X_valid;
    if (task == LP_MODEL_REGRESSION) {
        rc = regression_labels(&d->y_train, ytr, name);
        if (rc == 0 && yva) rc = regression_labels(&d->y_valid, yva, name);
    } else {
        rc = classify(d, *m, ytr, yva);
    }
    if (rc == 0) rc = task_params(*eff, task, lp_model_n_classes(*m));
    if (rc == 0) rc = describe_features(*m, *eff, X_train);
    return rc;
}
