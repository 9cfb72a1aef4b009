/*
 * metrics_frame.c — lp_metrics_compute: metrics over one-column frames.
 *
 * Classification labels become class indices the way scikit-learn's
 * unique_labels orders them (sorted distinct labels of y_true ∪ y_pred), or
 * by an explicit class list from the model; then the array functions of
 * metrics_classification.c / metrics_regression.c do the work.
 */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "lolpop/metrics.h"

__attribute__((format(printf, 1, 2))) static int fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    lp_error_setv(LP_EINVAL, fmt, ap);
    va_end(ap);
    lp_error_prefix("computing metrics");
    return LP_EINVAL;
}

/* The single column of a label frame, checked for shape and missing values. */
static int one_column(const lp_column **out, const lp_frame *f, const char *what)
{
    if (!f) return fail("%s is missing", what);
    if (lp_frame_cols(f) != 1)
        return fail("%s must have exactly one column, it has %zu", what, lp_frame_cols(f));
    const lp_column *c = lp_frame_col(f, 0);
    if (c->length == 0) return fail("%s has no rows", what);
    if (c->null_count) {
        size_t i = 0;
        while (lp_column_is_valid(c, i))
            i++;
        return fail("%s ('%s') has %zu missing values (first at row %zu)", what,
                    lp_frame_name(f, 0), c->null_count, i);
    }
    *out = c;
    return 0;
}

static bool is_text(const lp_column *c)
{
    return c->type == LP_DT_STRING || c->type == LP_DT_CATEGORY;
}

static bool is_number(const lp_column *c)
{
    return c->type == LP_DT_FLOAT64 || c->type == LP_DT_INT64 || c->type == LP_DT_BOOL;
}

/* ---- labels → class indices ------------------------------------------------------ */

typedef struct label_key {
    double d;      /* numeric labels */
    const char *s; /* text labels (borrowed) */
    size_t len;
    int32_t idx; /* class index */
} label_key;

static int cmp_num(const void *a, const void *b)
{
    double x = ((const label_key *)a)->d, y = ((const label_key *)b)->d;
    return (x > y) - (x < y);
}

/* Byte order of UTF-8 is code point order, which is numpy's string order. */
static int cmp_text(const void *a, const void *b)
{
    const label_key *x = a, *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->s, y->s, n);
    return c ? c : (x->len > y->len) - (x->len < y->len);
}

static label_key key_of(const lp_column *c, size_t i)
{
    label_key k = {0};
    if (is_text(c))
        k.s = lp_column_str(c, i, &k.len);
    else
        k.d = lp_column_get_f64(c, i);
    return k;
}

static char *key_text(const label_key *k, bool text)
{
    return text ? lp_asprintf("'%.*s'", (int)k->len, k->s) : lp_asprintf("%.17g", k->d);
}

/* Keys from an explicit class list (labels in model order). */
static int keys_from_classes(label_key **out, size_t *nk, const lp_value *classes, bool text)
{
    size_t k = lp_list_len(classes);
    if (lp_value_type(classes) != LP_LIST || k == 0)
        return fail("classes must be a non-empty list of labels");
    label_key *keys = calloc(k, sizeof *keys);
    if (!keys) return lp_error_set(LP_ENOMEM, "out of memory mapping class labels");
    for (size_t i = 0; i < k; i++) {
        const lp_value *v = lp_list_get(classes, i);
        lp_vtype t = lp_value_type(v);
        bool ok = text ? t == LP_STRING : (t == LP_INT || t == LP_FLOAT || t == LP_BOOL);
        if (!ok) {
            free(keys);
            return fail("class %zu is a %s but the labels are %s", i, lp_vtype_name(t),
                        text ? "strings" : "numbers");
        }
        keys[i].idx = (int32_t)i;
        if (text) {
            keys[i].s = lp_value_as_string(v);
            keys[i].len = lp_value_string_len(v);
        } else {
            keys[i].d = t == LP_BOOL ? (double)lp_value_as_bool(v) : lp_value_as_float(v);
        }
    }
    *out = keys;
    *nk = k;
    return 0;
}

/* Keys of the sorted distinct labels of both columns (sklearn's unique_labels). */
static int keys_from_union(label_key **out, size_t *nk, const lp_column *a, const lp_column *b)
{
    size_t n = a->length, k = 0;
    bool text = is_text(a);
    label_key *keys = malloc(2 * n * sizeof *keys);
    if (!keys) return lp_error_set(LP_ENOMEM, "out of memory mapping class labels");
    for (size_t i = 0; i < n; i++) {
        keys[i] = key_of(a, i);
        keys[n + i] = key_of(b, i);
    }
    qsort(keys, 2 * n, sizeof *keys, text ? cmp_text : cmp_num);
    for (size_t i = 0; i < 2 * n; i++) {
        if (k && (text ? cmp_text : cmp_num)(&keys[k - 1], &keys[i]) == 0) continue;
        keys[k] = keys[i];
        keys[k].idx = (int32_t)k;
        k++;
    }
    *out = keys;
    *nk = k;
    return 0;
}

/* Class index of every row of c by binary search in the sorted keys. */
static int map_column(int32_t *idx, const lp_column *c, const label_key *keys, size_t nk,
                      const char *what)
{
    bool text = is_text(c);
    for (size_t i = 0; i < c->length; i++) {
        label_key k = key_of(c, i);
        if (!text && isnan(k.d)) return fail("%s has NaN as a label at row %zu", what, i);
        const label_key *hit = bsearch(&k, keys, nk, sizeof *keys, text ? cmp_text : cmp_num);
        if (!hit) {
            char *s = key_text(&k, text);
            int rc = fail("%s label %s at row %zu is not one of the model's classes", what,
                          s ? s : "?", i);
            free(s);
            return rc;
        }
        idx[i] = hit->idx;
    }
    return 0;
}

static int label_columns_ok(const lp_column *t, const lp_column *p)
{
    const lp_column *cols[2] = {t, p};
    const char *what[2] = {"y_true", "y_pred"};
    for (int j = 0; j < 2; j++)
        if (!is_text(cols[j]) && !is_number(cols[j]))
            return fail("%s of type %s cannot hold class labels", what[j],
                        lp_dtype_name(cols[j]->type));
    if (is_text(t) != is_text(p))
        return fail("y_true holds %s labels but y_pred %s labels; they must be of one kind",
                    is_text(t) ? "string" : "numeric", is_text(p) ? "string" : "numeric");
    return 0;
}

/* y_true / y_pred → class indices; *k = number of classes. */
static int encode_labels(lp_class_inputs *in, int32_t *yt, int32_t *yp, const lp_column *t,
                         const lp_column *p, const lp_value *classes)
{
    int rc = label_columns_ok(t, p);
    if (rc) return rc;
    bool text = is_text(t);
    label_key *keys = NULL;
    size_t nk = 0;
    rc = classes ? keys_from_classes(&keys, &nk, classes, text) : keys_from_union(&keys, &nk, t, p);
    if (rc) return rc;
    if (classes) {
        qsort(keys, nk, sizeof *keys, text ? cmp_text : cmp_num);
        for (size_t i = 1; i < nk && !rc; i++)
            if ((text ? cmp_text : cmp_num)(&keys[i - 1], &keys[i]) == 0) {
                char *s = key_text(&keys[i], text);
                rc = fail("classes lists the label %s twice", s ? s : "?");
                free(s);
            }
    }
    if (!rc) rc = map_column(yt, t, keys, nk, "y_true");
    if (!rc) rc = map_column(yp, p, keys, nk, "y_pred");
    free(keys);
    in->n_classes = nk;
    return rc;
}

/* Row-major n × k probabilities from the proba frame (one column = class 1 of 2). */
static int proba_matrix(double **out, const lp_frame *f, size_t n, size_t k)
{
    size_t cols = lp_frame_cols(f);
    if (lp_frame_rows(f) != n)
        return fail("probabilities have %zu rows but y_true has %zu", lp_frame_rows(f), n);
    bool single = cols == 1 && k == 2;
    if (cols != k && !single)
        return fail("probabilities have %zu columns but there are %zu classes (one column per "
                    "class, in class order)",
                    cols, k);
    for (size_t j = 0; j < cols; j++) {
        const lp_column *c = lp_frame_col(f, j);
        if (!is_number(c) || c->null_count)
            return fail("probability column '%s' must be numeric without missing values",
                        lp_frame_name(f, j));
    }
    double *m = malloc(n * k * sizeof *m);
    if (!m) return lp_error_set(LP_ENOMEM, "out of memory reading probabilities");
    for (size_t i = 0; i < n; i++) {
        if (single) {
            double p = lp_column_get_f64(lp_frame_col(f, 0), i);
            m[i * 2] = 1.0 - p;
            m[i * 2 + 1] = p;
            continue;
        }
        for (size_t j = 0; j < k; j++)
            m[i * k + j] = lp_column_get_f64(lp_frame_col(f, j), i);
    }
    *out = m;
    return 0;
}

/* ---- the entry point ---------------------------------------------------------------- */

static int put(lp_value *map, const lp_metric_info *m, double v)
{
    lp_value *f = lp_value_float(v);
    if (!f) return LP_ENOMEM;
    return lp_map_set(map, m->name, f);
}

static int run_classification(lp_value *map, const lp_metric_info *const *ms, size_t nm,
                              const lp_column *t, const lp_column *p, const lp_frame *proba,
                              const lp_value *classes)
{
    size_t n = t->length;
    lp_class_inputs in = {.n = n};
    int32_t *yt = malloc(2 * n * sizeof *yt);
    double *pm = NULL;
    if (!yt) return lp_error_set(LP_ENOMEM, "out of memory computing metrics");
    int rc = encode_labels(&in, yt, yt + n, t, p, classes);
    if (!rc && proba) rc = proba_matrix(&pm, proba, n, in.n_classes);
    in.y_true = yt;
    in.y_pred = yt + n;
    in.proba = pm;
    for (size_t i = 0; i < nm && !rc; i++) {
        double v;
        rc = lp_metric_classification(&v, ms[i], &in);
        if (!rc) rc = put(map, ms[i], v);
    }
    free(pm);
    free(yt);
    return rc;
}

static int run_regression(lp_value *map, const lp_metric_info *const *ms, size_t nm,
                          const lp_column *t, const lp_column *p)
{
    if (!is_number(t) || !is_number(p))
        return fail("regression metrics need numeric columns; y_true is %s and y_pred is %s",
                    lp_dtype_name(t->type), lp_dtype_name(p->type));
    size_t n = t->length;
    double *y = malloc(2 * n * sizeof *y);
    if (!y) return lp_error_set(LP_ENOMEM, "out of memory computing metrics");
    for (size_t i = 0; i < n; i++) {
        y[i] = lp_column_get_f64(t, i);
        y[n + i] = lp_column_get_f64(p, i);
    }
    int rc = 0;
    for (size_t i = 0; i < nm && !rc; i++) {
        double v;
        rc = lp_metric_regression(&v, ms[i], y, y + n, n);
        if (!rc) rc = put(map, ms[i], v);
    }
    free(y);
    return rc;
}

/* The descriptors of `names` (a string or a list of strings), already checked. */
static int resolve(const lp_metric_info ***out, size_t *nm, const lp_value *names)
{
    bool list = lp_value_type(names) == LP_LIST;
    size_t k = list ? lp_list_len(names) : 1;
    const lp_metric_info **ms = calloc(k, sizeof *ms);
    if (!ms) return lp_error_set(LP_ENOMEM, "out of memory computing metrics");
    for (size_t i = 0; i < k; i++) {
        const lp_value *v = list ? lp_list_get(names, i) : names;
        int rc = lp_metric_lookup(&ms[i], lp_value_as_string(v));
        if (rc) {
            free(ms);
            return rc;
        }
    }
    *out = ms;
    *nm = k;
    return 0;
}

LP_API int lp_metrics_compute(lp_value **out, lp_metric_task task, const lp_value *names,
                              const lp_frame *y_true, const lp_frame *y_pred, const lp_frame *proba,
                              const lp_value *classes)
{
    *out = NULL;
    int rc = lp_metrics_check(names, task);
    if (rc) return rc;
    const lp_column *t = NULL, *p = NULL;
    rc = one_column(&t, y_true, "y_true");
    if (!rc) rc = one_column(&p, y_pred, "y_pred");
    if (rc) return rc;
    if (t->length != p->length)
        return fail("y_true has %zu rows but y_pred has %zu", t->length, p->length);
    const lp_metric_info **ms = NULL;
    size_t nm = 0;
    rc = resolve(&ms, &nm, names);
    if (rc) return rc;
    lp_value *map = lp_value_map();
    if (!map)
        rc = LP_ENOMEM;
    else if (task == LP_TASK_CLASSIFICATION)
        rc = run_classification(map, ms, nm, t, p, proba, classes);
    else
        rc = run_regression(map, ms, nm, t, p);
    free(ms);
    if (rc) {
        lp_value_unref(map);
        return rc;
    }
    *out = map;
    return 0;
}
