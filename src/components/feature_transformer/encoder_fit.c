/*
 * encoder_fit.c — learning one column's encoding from training data.
 *
 * Each fit mirrors the scikit-learn 1.2 estimator of the same name step by
 * step (same sums in the same order, same special cases), because the tests
 * compare our outputs with sklearn's to 1e-12 and we would rather be exact.
 */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "encoders.h"

static bool is_numeric(const lp_column *col)
{
    return col->type == LP_DT_FLOAT64 || col->type == LP_DT_INT64 || col->type == LP_DT_BOOL;
}

static int need_numbers(const lp_column *col, const char *column, const char *what)
{
    if (is_numeric(col)) return 0;
    return lp_error_set(LP_EINVAL,
                        "column '%s' holds %s values; %s needs numbers (encode it first)", column,
                        lp_dtype_name(col->type), what);
}

/* The column as doubles with missing values (and NaN) as 0, as numpy's
 * nansum sees it; *valid counts the others. malloc'ed; NULL on OOM. */
static double *dense_zeroed(const lp_column *col, size_t *valid)
{
    double *x = malloc((col->length ? col->length : 1) * sizeof *x);
    if (!x) {
        lp_error_set(LP_ENOMEM, "out of memory");
        return NULL;
    }
    *valid = 0;
    for (size_t i = 0; i < col->length; i++) {
        x[i] = lp_column_get_f64(col, i);
        if (isnan(x[i]))
            x[i] = 0;
        else
            (*valid)++;
    }
    return x;
}

static int no_values(const char *column)
{
    return lp_error_set(LP_EINVAL, "column '%s' has no non-missing values to fit on", column);
}

/* ---- categorical ------------------------------------------------------------ */

typedef struct count_idx {
    size_t count, idx;
} count_idx;

/* Ascending by count, ties by position: numpy's stable argsort. */
static int count_idx_cmp(const void *pa, const void *pb)
{
    const count_idx *a = pa, *b = pb;
    if (a->count != b->count) return a->count < b->count ? -1 : 1;
    return (a->idx > b->idx) - (a->idx < b->idx);
}

/* sklearn's _identify_infrequent with max_categories: the categories (the
 * missing one included, last) outside the max_categories - 1 most frequent
 * share one "other" slot; among equal counts the earlier-sorted ones go. */
int lp_onehot_assign_slots(lp_encoder *e, const bool *infrequent)
{
    size_t total = e->cats.n + e->cats.has_missing, next = 0;
    free(e->slot);
    e->slot = malloc((total ? total : 1) * sizeof *e->slot);
    if (!e->slot) return lp_error_set(LP_ENOMEM, "out of memory");
    e->has_other = false;
    for (size_t i = 0; i < total; i++)
        if (!infrequent[i]) e->slot[i] = next++;
    for (size_t i = 0; i < total; i++)
        if (infrequent[i]) {
            e->slot[i] = next;
            e->has_other = true;
        }
    e->n_slots = next + e->has_other;
    return 0;
}

static int fit_onehot(lp_encoder *e, const lp_column *col, const char *column)
{
    size_t *counts = NULL, missing = 0;
    int rc = lp_categories_fit(&e->cats, &counts, &missing, col, column);
    if (rc) return rc;
    size_t total = e->cats.n + e->cats.has_missing;
    if (e->cats.has_missing) counts[e->cats.n] = missing;
    bool *infrequent = calloc(total ? total : 1, sizeof *infrequent);
    count_idx *order = malloc((total ? total : 1) * sizeof *order);
    if (!infrequent || !order) rc = lp_error_set(LP_ENOMEM, "out of memory");
    size_t cap = (size_t)e->params.max_categories;
    if (rc == 0 && cap && cap < total) {
        for (size_t i = 0; i < total; i++)
            order[i] = (count_idx){counts[i], i};
        qsort(order, total, sizeof *order, count_idx_cmp);
        for (size_t k = 0; k < total - (cap - 1); k++)
            infrequent[order[k].idx] = true;
    }
    if (rc == 0) rc = lp_onehot_assign_slots(e, infrequent);
    free(order);
    free(infrequent);
    free(counts);
    return rc;
}

static int fit_ordinal(lp_encoder *e, const lp_column *col, const char *column)
{
    return lp_categories_fit(&e->cats, NULL, NULL, col, column);
}

/* ---- scalers ------------------------------------------------------------------ */

/* MinMaxScaler.partial_fit: scale_ = range / _handle_zeros_in_scale(max - min). */
static int fit_minmax(lp_encoder *e, const lp_column *col, const char *column)
{
    int rc = need_numbers(col, column, "MinMaxScaler");
    if (rc) return rc;
    double lo = INFINITY, hi = -INFINITY;
    size_t n = 0;
    for (size_t i = 0; i < col->length; i++) {
        double x = lp_column_get_f64(col, i);
        if (isnan(x)) continue;
        n++;
        if (x < lo) lo = x;
        if (x > hi) hi = x;
    }
    if (n == 0) return no_values(column);
    double range = hi - lo;
    if (range < 10 * DBL_EPSILON) range = 1.0;
    e->a = (e->params.range_max - e->params.range_min) / range;
    e->b = e->params.range_min - lo * e->a;
    return 0;
}

/* StandardScaler via sklearn's _incremental_mean_and_var from zero state:
 * the corrected two-pass variance, ddof = 0, and _is_constant_feature's
 * bound deciding when the scale is 1. */
static int fit_standard(lp_encoder *e, const lp_column *col, const char *column)
{
    int rc = need_numbers(col, column, "StandardScaler");
    if (rc) return rc;
    size_t n = 0;
    double *x = dense_zeroed(col, &n);
    if (!x) return LP_ENOMEM;
    if (n == 0) {
        free(x);
        return no_values(column);
    }
    double cnt = (double)n, mean = lp_np_sum(x, col->length) / cnt;
    for (size_t i = 0; i < col->length; i++)
        x[i] = isnan(lp_column_get_f64(col, i)) ? 0 : x[i] - mean;
    double correction = lp_np_sum(x, col->length);
    for (size_t i = 0; i < col->length; i++)
        x[i] = x[i] * x[i];
    double unnormalized = lp_np_sum(x, col->length) - correction * correction / cnt;
    double var = unnormalized / cnt;
    free(x);
    double nme = cnt * mean * DBL_EPSILON;
    double bound = cnt * DBL_EPSILON * var + nme * nme;
    e->a = mean;
    e->b = var <= bound ? 1.0 : sqrt(var);
    return 0;
}

/* ---- SimpleImputer --------------------------------------------------------------- */

static int double_cmp(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return (a > b) - (a < b);
}

/* np.ma.median: the middle value, or the mean of the two middle ones. */
static int median_of(double *out, const lp_column *col)
{
    double *v = malloc((col->length ? col->length : 1) * sizeof *v);
    if (!v) return lp_error_set(LP_ENOMEM, "out of memory");
    size_t n = 0;
    for (size_t i = 0; i < col->length; i++) {
        double x = lp_column_get_f64(col, i);
        if (!isnan(x)) v[n++] = x;
    }
    qsort(v, n, sizeof *v, double_cmp);
    if (n) *out = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.;
    free(v);
    return n ? 0 : LP_ENOTFOUND;
}

/* The most frequent value; ties go to the smallest, as sklearn's _most_frequent. */
static int most_frequent(lp_encoder *e, const lp_column *col, const char *column)
{
    lp_categories c;
    size_t *counts = NULL;
    int rc = lp_categories_fit(&c, &counts, NULL, col, column);
    if (rc) return rc;
    if (c.n == 0) rc = no_values(column);
    size_t best = 0;
    for (size_t i = 1; i < c.n; i++)
        if (counts[i] > counts[best]) best = i;
    if (rc == 0 && c.kind == LP_CAT_STRING) {
        e->fill_str = lp_strndup(c.str[best], c.len[best]);
        if (!e->fill_str) rc = LP_ENOMEM;
    } else if (rc == 0) {
        e->fill_num = c.num[best];
    }
    free(counts);
    lp_categories_free(&c);
    return rc;
}

static int constant_fill(lp_encoder *e, const char *column, const lp_value *fv)
{
    if (!e->fill_is_string) {
        if (fv && lp_value_type(fv) == LP_STRING)
            return lp_error_set(LP_EINVAL,
                                "column '%s' holds numbers but fill_value '%s' is a string", column,
                                lp_value_as_string(fv));
        e->fill_num = fv ? lp_value_as_float(fv) : 0.;
        return 0;
    }
    if (fv && lp_value_type(fv) != LP_STRING)
        return lp_error_set(LP_EINVAL, "column '%s' holds strings but fill_value is a number",
                            column);
    e->fill_str = lp_strdup(fv ? lp_value_as_string(fv) : "missing_value");
    return e->fill_str ? 0 : LP_ENOMEM;
}

static int fit_imputer(lp_encoder *e, const lp_column *col, const char *column,
                       const lp_value *fill_value)
{
    e->fill_is_string = col->type == LP_DT_STRING || col->type == LP_DT_CATEGORY;
    int rc;
    size_t n = 0;
    switch (e->params.strategy) {
    case LP_IMPUTE_MEAN: {
        if ((rc = need_numbers(col, column, "strategy mean"))) return rc;
        double *x = dense_zeroed(col, &n);
        if (!x) return LP_ENOMEM;
        if (n) e->fill_num = lp_np_sum(x, col->length) * 1. / (double)n;
        free(x);
        return n ? 0 : no_values(column);
    }
    case LP_IMPUTE_MEDIAN:
        if ((rc = need_numbers(col, column, "strategy median"))) return rc;
        rc = median_of(&e->fill_num, col);
        return rc == LP_ENOTFOUND ? no_values(column) : rc;
    case LP_IMPUTE_MOST_FREQUENT:
        if (col->type == LP_DT_TIMESTAMP) return need_numbers(col, column, "SimpleImputer");
        return most_frequent(e, col, column);
    case LP_IMPUTE_CONSTANT:
        if (col->type == LP_DT_TIMESTAMP) return need_numbers(col, column, "SimpleImputer");
        return constant_fill(e, column, fill_value);
    }
    return 0;
}

/* ---- entry point ------------------------------------------------------------------ */

int lp_encoder_missing_column(const lp_frame *f, const char *column)
{
    size_t n = lp_frame_cols(f);
    const char **names = malloc((n ? n : 1) * sizeof *names);
    if (!names) return lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t j = 0; j < n; j++)
        names[j] = lp_frame_name(f, j);
    const char *s = lp_suggest(column, names, n);
    int rc = s ? lp_error_set(LP_ENOTFOUND, "unknown column '%s'; did you mean '%s'?", column, s)
               : lp_error_set(LP_ENOTFOUND, "unknown column '%s'", column);
    free(names);
    return rc;
}

int lp_encoder_fit(lp_encoder **out, const lp_enc_params *params, const char *column,
                   const lp_frame *f)
{
    *out = NULL;
    const lp_column *col = lp_frame_col_by_name(f, column);
    if (!col) return lp_encoder_missing_column(f, column);
    lp_encoder *e = calloc(1, sizeof *e);
    if (!e) return lp_error_set(LP_ENOMEM, "out of memory");
    e->kind = params->kind;
    e->params = *params;
    e->params.fill_value = NULL; /* resolved into fill_num / fill_str below */
    e->column = lp_strdup(column);
    int rc = e->column ? 0 : LP_ENOMEM;
    if (rc == 0) switch (e->kind) {
        case LP_ENC_ONEHOT:
            rc = fit_onehot(e, col, column);
            break;
        case LP_ENC_ORDINAL:
            rc = fit_ordinal(e, col, column);
            break;
        case LP_ENC_MINMAX:
            rc = fit_minmax(e, col, column);
            break;
        case LP_ENC_STANDARD:
            rc = fit_standard(e, col, column);
            break;
        case LP_ENC_IMPUTER:
            rc = fit_imputer(e, col, column, params->fill_value);
            break;
        }
    if (rc) {
        lp_encoder_free(e);
        return rc;
    }
    *out = e;
    return 0;
}

void lp_encoder_free(lp_encoder *e)
{
    if (!e) return;
    lp_categories_free(&e->cats);
    free(e->slot);
    free(e->column);
    free(e->fill_str);
    free(e);
}
