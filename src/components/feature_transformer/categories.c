/*
 * categories.c — the sorted distinct values of a column, for the categorical
 * encoders and the most_frequent imputer.
 *
 * Order follows numpy's np.unique, which scikit-learn uses: byte order for
 * strings (Python's code-point order is the same for UTF-8), numeric order for
 * numbers and bools. Missing values (and NaN) are never a category here; the
 * encoders decide what they mean.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "encoders.h"

typedef struct strref {
    const char *s;
    size_t len;
} strref;

static int bytes_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
    int c = memcmp(a, b, alen < blen ? alen : blen);
    if (c) return c;
    return alen < blen ? -1 : alen > blen;
}

static int strref_cmp(const void *pa, const void *pb)
{
    const strref *a = pa, *b = pb;
    return bytes_cmp(a->s, a->len, b->s, b->len);
}

static int double_cmp(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return (a > b) - (a < b);
}

static bool is_string_col(const lp_column *col)
{
    return col->type == LP_DT_STRING || col->type == LP_DT_CATEGORY;
}

static int kind_of(lp_cat_kind *out, const lp_column *col, const char *column)
{
    switch (col->type) {
    case LP_DT_STRING:
    case LP_DT_CATEGORY:
        *out = LP_CAT_STRING;
        return 0;
    case LP_DT_INT64:
        *out = LP_CAT_INT;
        return 0;
    case LP_DT_FLOAT64:
        *out = LP_CAT_FLOAT;
        return 0;
    case LP_DT_BOOL:
        *out = LP_CAT_BOOL;
        return 0;
    case LP_DT_TIMESTAMP:
        break;
    }
    return lp_error_set(LP_EINVAL, "column '%s' is a timestamp; it cannot be encoded as categories",
                        column);
}

/* Sorted distinct strings with counts. */
static int fit_strings(lp_categories *c, size_t *counts, const lp_column *col, size_t *n_missing)
{
    strref *v = malloc((col->length ? col->length : 1) * sizeof *v);
    if (!v) return lp_error_set(LP_ENOMEM, "out of memory");
    size_t n = 0;
    for (size_t i = 0; i < col->length; i++) {
        v[n].s = lp_column_str(col, i, &v[n].len);
        if (v[n].s)
            n++;
        else
            (*n_missing)++;
    }
    qsort(v, n, sizeof *v, strref_cmp);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (c->n && strref_cmp(&v[i], &(strref){c->str[c->n - 1], c->len[c->n - 1]}) == 0) {
            if (counts) counts[c->n - 1]++;
            continue;
        }
        c->str[c->n] = lp_strndup(v[i].s, v[i].len);
        if (!c->str[c->n]) rc = LP_ENOMEM;
        c->len[c->n] = v[i].len;
        if (counts) counts[c->n] = 1;
        c->n++;
    }
    free(v);
    return rc;
}

/* Sorted distinct numbers with counts (NaN and missing count as missing). */
static int fit_numbers(lp_categories *c, size_t *counts, const lp_column *col, size_t *n_missing)
{
    double *v = malloc((col->length ? col->length : 1) * sizeof *v);
    if (!v) return lp_error_set(LP_ENOMEM, "out of memory");
    size_t n = 0;
    for (size_t i = 0; i < col->length; i++) {
        double x = lp_column_get_f64(col, i);
        if (isnan(x))
            (*n_missing)++;
        else
            v[n++] = x;
    }
    qsort(v, n, sizeof *v, double_cmp);
    for (size_t i = 0; i < n; i++) {
        if (c->n && c->num[c->n - 1] == v[i]) {
            if (counts) counts[c->n - 1]++;
            continue;
        }
        c->num[c->n] = v[i];
        if (counts) counts[c->n] = 1;
        c->n++;
    }
    free(v);
    return 0;
}

int lp_categories_fit(lp_categories *out, size_t **counts, size_t *n_missing, const lp_column *col,
                      const char *column)
{
    memset(out, 0, sizeof *out);
    size_t missing = 0, cap = col->length ? col->length : 1;
    int rc = kind_of(&out->kind, col, column);
    if (rc) return rc;
    size_t *cnt = counts ? calloc(cap, sizeof *cnt) : NULL;
    if (out->kind == LP_CAT_STRING) {
        out->str = calloc(cap, sizeof *out->str);
        out->len = calloc(cap, sizeof *out->len);
    } else {
        out->num = calloc(cap, sizeof *out->num);
    }
    if ((counts && !cnt) || (out->kind == LP_CAT_STRING ? !out->str || !out->len : !out->num))
        rc = lp_error_set(LP_ENOMEM, "out of memory");
    else if (out->kind == LP_CAT_STRING)
        rc = fit_strings(out, cnt, col, &missing);
    else
        rc = fit_numbers(out, cnt, col, &missing);
    if (rc) {
        free(cnt);
        lp_categories_free(out);
        return rc;
    }
    out->has_missing = missing > 0;
    if (counts) *counts = cnt;
    if (n_missing) *n_missing = missing;
    return 0;
}

int lp_categories_check(const lp_categories *c, const lp_column *col, const char *column)
{
    if (col->type == LP_DT_TIMESTAMP || is_string_col(col) != (c->kind == LP_CAT_STRING))
        return lp_error_set(LP_EINVAL, "column '%s' holds %s values but was fitted on %s", column,
                            lp_dtype_name(col->type),
                            c->kind == LP_CAT_STRING ? "strings" : "numbers");
    return 0;
}

static long find_string(const lp_categories *c, const char *s, size_t len)
{
    size_t lo = 0, hi = c->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int cmp = bytes_cmp(c->str[mid], c->len[mid], s, len);
        if (cmp == 0) return (long)mid;
        if (cmp < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return LP_CAT_UNKNOWN;
}

static long find_number(const lp_categories *c, double x)
{
    size_t lo = 0, hi = c->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->num[mid] == x) return (long)mid;
        if (c->num[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return LP_CAT_UNKNOWN;
}

long lp_categories_find(const lp_categories *c, const lp_column *col, size_t i)
{
    if (c->kind == LP_CAT_STRING) {
        size_t len;
        const char *s = lp_column_str(col, i, &len);
        return s ? find_string(c, s, len) : LP_CAT_MISSING;
    }
    double x = lp_column_get_f64(col, i);
    return isnan(x) ? LP_CAT_MISSING : find_number(c, x);
}

char *lp_categories_label(const lp_categories *c, size_t i)
{
    if (i >= c->n) return lp_strdup("nan");
    char buf[64];
    switch (c->kind) {
    case LP_CAT_STRING:
        return lp_strndup(c->str[i], c->len[i]);
    case LP_CAT_INT:
        snprintf(buf, sizeof buf, "%" PRId64, (int64_t)c->num[i]);
        break;
    case LP_CAT_BOOL:
        snprintf(buf, sizeof buf, "%s", c->num[i] != 0 ? "True" : "False");
        break;
    case LP_CAT_FLOAT:
        lp_py_repr(c->num[i], buf, sizeof buf);
        break;
    }
    return lp_strdup(buf);
}

void lp_categories_free(lp_categories *c)
{
    if (c->str)
        for (size_t i = 0; i < c->n; i++)
            free(c->str[i]);
    free(c->str);
    free(c->len);
    free(c->num);
    memset(c, 0, sizeof *c);
}
