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
#include "ml/class_labels.h"
#include "ml/xgb_internal.h"

void lp_xgb_data_free(lp_xgb_data *d)
{
    free(d->y_train);
    free(d->y_valid);
    memset(d, 0, sizeof *d);
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

/* Classes of a numeric target: sorted distinct values (double: int64
 * targets used as labels are small counts, exact in a double). */
static int numeric_classes(lp_model *m, double **vals, size_t *n_out, const lp_column *col)
{
    double *v = NULL;
    size_t u = 0;
    int rc = lp_distinct_numbers(&v, &u, col);
    for (size_t k = 0; rc == 0 && k < u; k++) {
        char *label = lp_class_label_text(col->type, v[k]);
        rc = label ? lp_model_add_class(m, label) : LP_ENOMEM;
        free(label);
    }
    if (rc) {
        free(v);
        return rc;
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
    lp_text_span *e;
    size_t n;
    int rc = lp_distinct_texts(&e, &n, col);
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
        lp_text_span *e;
        size_t n;
        if ((rc = lp_distinct_texts(&e, &n, col))) return rc;
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
        lp_text_span *e;
        if ((rc = lp_distinct_texts(&e, &n_text, ytr))) return rc;
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
