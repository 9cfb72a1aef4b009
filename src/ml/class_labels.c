/* class_labels.c — a classifier's class labels from its target column
 * (class_labels.h): distinct texts by hashing then sorting, distinct numbers
 * by sorting, and the text a numeric class is named by. */
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "data/bits.h"
#include "data/radix.h"
#include "lolpop/error.h"
#include "lolpop/strbuf.h"
#include "ml/class_labels.h"

static int text_cmp(const void *a, const void *b)
{
    const lp_text_span *x = a, *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = n ? memcmp(x->s, y->s, n) : 0;
    return c ? c : (x->len > y->len) - (x->len < y->len);
}

/* A set of texts by open addressing (slots hold entry index + 1). */
typedef struct text_set {
    uint32_t *slots;
    size_t cap; /* a power of two */
} text_set;

static bool same_text(const lp_text_span *a, const char *s, size_t len)
{
    return a->len == len && (len == 0 || memcmp(a->s, s, len) == 0);
}

/* Rebuilds the slots of set t at twice the size for entries e[0..n). */
static int text_set_grow(text_set *t, const lp_text_span *e, size_t n)
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
static int text_set_add(text_set *t, lp_text_span *e, size_t *n, const char *s, size_t len)
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
static int collect_strings(lp_text_span *e, size_t *n, const lp_column *col)
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
static int collect_categories(lp_text_span *e, size_t *n, const lp_column *col)
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
int lp_distinct_texts(lp_text_span **out, size_t *n_out, const lp_column *col)
{
    const lp_column *src = col->type == LP_DT_CATEGORY ? col->data.cat.dict : col;
    size_t n = 0;
    lp_text_span *e = malloc((src->length ? src->length : 1) * sizeof *e);
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

char *lp_class_label_text(lp_dtype t, double v)
{
    if (t == LP_DT_BOOL) return lp_strdup(v != 0 ? "true" : "false");
    if (t == LP_DT_INT64) return lp_asprintf("%" PRId64, (int64_t)v);
    char buf[40];
    for (int prec = 15; prec <= 17; prec++) { /* the shortest text that reads back as v */
        snprintf(buf, sizeof buf, "%.*g", prec, v);
        if (strtod(buf, NULL) == v) break;
    }
    return lp_strdup(buf);
}

static int dbl_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Sorts n doubles of an int64 or bool column (no NaN, no -0.0, so their keys
 * order them as dbl_cmp does and equal keys are equal values) by a radix sort
 * of their keys: a training target is sorted once per training. */
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

int lp_distinct_numbers(double **out, size_t *n_out, const lp_column *col)
{
    size_t n = 0, u = 0;
    double *v = malloc((col->length ? col->length : 1) * sizeof *v);
    if (!v) return lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t i = 0; i < col->length; i++) {
        double d = lp_column_get_f64(col, i);
        if (lp_column_is_valid(col, i) && !isnan(d)) v[n++] = d;
    }
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
    *out = v;
    *n_out = u;
    return 0;
}

/* Text classes of col into labels and, unless y is NULL, each row's index
 * by binary search. */
static int encode_texts(const lp_column *col, double *y, lp_value *labels)
{
    lp_text_span *e = NULL;
    size_t n = 0;
    int rc = lp_distinct_texts(&e, &n, col);
    for (size_t k = 0; rc == 0 && k < n; k++)
        rc = lp_list_append(labels, lp_value_stringn(e[k].s, e[k].len));
    for (size_t i = 0; rc == 0 && y && i < col->length; i++) {
        lp_text_span key = {NULL, 0};
        if (lp_column_is_valid(col, i)) key.s = lp_column_str(col, i, &key.len);
        const lp_text_span *hit = key.s ? bsearch(&key, e, n, sizeof *e, text_cmp) : NULL;
        y[i] = hit ? (double)(hit - e) : NAN;
    }
    free(e);
    return rc;
}

/* Numeric classes of col into labels and, unless y is NULL, each row's index
 * by binary search. */
static int encode_numbers(const lp_column *col, double *y, lp_value *labels)
{
    double *v = NULL;
    size_t n = 0;
    int rc = lp_distinct_numbers(&v, &n, col);
    for (size_t k = 0; rc == 0 && k < n; k++) {
        char *label = lp_class_label_text(col->type, v[k]);
        rc = label ? lp_list_append(labels, lp_value_string(label)) : LP_ENOMEM;
        free(label);
    }
    for (size_t i = 0; rc == 0 && y && i < col->length; i++) {
        double d = lp_column_get_f64(col, i);
        const double *hit =
            lp_column_is_valid(col, i) && !isnan(d) ? bsearch(&d, v, n, sizeof *v, dbl_cmp) : NULL;
        y[i] = hit ? (double)(hit - v) : NAN;
    }
    free(v);
    return rc;
}

int lp_class_encode(const lp_column *col, double *y, lp_value **labels)
{
    *labels = NULL;
    if (col->type == LP_DT_TIMESTAMP)
        return lp_error_set(LP_EINVAL, "a timestamp column has no classes");
    lp_value *list = lp_value_list();
    int rc = list ? 0 : LP_ENOMEM;
    if (rc == 0)
        rc = col->type == LP_DT_STRING || col->type == LP_DT_CATEGORY
                 ? encode_texts(col, y, list)
                 : encode_numbers(col, y, list);
    if (rc) {
        lp_value_unref(list);
        return rc == LP_ENOMEM ? lp_error_set(LP_ENOMEM, "out of memory") : rc;
    }
    *labels = list;
    return 0;
}

lp_value *lp_class_labels(const lp_column *col)
{
    lp_value *labels = NULL;
    return lp_class_encode(col, NULL, &labels) ? NULL : labels;
}
