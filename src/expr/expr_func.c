/*
 * expr_func.c — the built-in functions of check expressions: rows cols len
 * nulls mean min max distinct abs.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "expr_internal.h"
#include "lolpop/frame.h"

const char *const expr_func_names[] = {"rows", "cols", "len",      "nulls", "mean",
                                       "min",  "max",  "distinct", "abs"};
const size_t expr_func_count = sizeof expr_func_names / sizeof *expr_func_names;

/* ---- functions ----------------------------------------------------------------- */

/* The only column of a one-column frame, or NULL with an error. */
static const lp_column *single_column(const evalctx *c, const node *n, const lp_frame *f)
{
    if (lp_frame_cols(f) != 1) {
        expr_eerr(c, n,
                  "%s() needs a frame with one column, this one has %zu (select one: frame.col)",
                  expr_func_names[n->op], lp_frame_cols(f));
        return NULL;
    }
    return lp_frame_col(f, 0);
}

/* mean/min/max over a numeric column, ignoring missing values; null when empty. */
static lp_value *column_agg(const evalctx *c, const node *n, const lp_column *col)
{
    if (col->type != LP_DT_FLOAT64 && col->type != LP_DT_INT64) {
        expr_eerr(c, n, "%s() needs a numeric column, found %s", expr_func_names[n->op],
                  lp_dtype_name(col->type));
        return NULL;
    }
    bool ints = col->type == LP_DT_INT64 && n->op != F_MEAN;
    size_t count = 0;
    double acc = 0;
    int64_t iacc = 0;
    for (size_t i = 0; i < col->length; i++) {
        if (!lp_column_is_valid(col, i)) continue;
        double x = lp_column_get_f64(col, i);
        int64_t xi = col->type == LP_DT_INT64 ? col->data.i64[i] : 0;
        bool better =
            ints ? (n->op == F_MIN ? xi < iacc : xi > iacc) : (n->op == F_MIN ? x < acc : x > acc);
        if (n->op == F_MEAN)
            acc += x;
        else if (count == 0 || better)
            acc = x, iacc = xi;
        count++;
    }
    if (count == 0) return lp_value_null();
    if (n->op == F_MEAN) return lp_value_float(acc / (double)count);
    return ints ? lp_value_int(iacc) : lp_value_float(acc);
}

/* mean/min/max over a list of numbers (nulls skipped); ints stay ints for min/max. */
static lp_value *list_agg(const evalctx *c, const node *n, const lp_value *list)
{
    size_t count = 0;
    double acc = 0;
    lp_value *best = NULL;
    for (size_t i = 0; i < lp_list_len(list); i++) {
        lp_value *x = lp_list_get(list, i);
        if (lp_value_type(x) == LP_NULL) continue;
        if (!expr_is_num(x))
            return expr_eerr(c, n, "%s() needs numbers, item %zu is a %s", expr_func_names[n->op],
                             i, expr_type_of(x));
        double d = lp_value_as_float(x);
        if (n->op == F_MEAN)
            acc += d;
        else if (!best || (n->op == F_MIN ? d < acc : d > acc))
            acc = d, best = x;
        count++;
    }
    if (count == 0) return lp_value_null();
    if (n->op == F_MEAN) return lp_value_float(acc / (double)count);
    return lp_value_copy(best);
}

static lp_value *list_distinct(const lp_value *list)
{
    size_t len = lp_list_len(list), count = 0;
    for (size_t i = 0; i < len; i++) {
        lp_value *x = lp_list_get(list, i);
        if (lp_value_type(x) == LP_NULL) continue;
        size_t j = 0;
        while (j < i && !lp_value_equal(lp_list_get(list, j), x))
            j++;
        if (j == i) count++;
    }
    return lp_value_int((int64_t)count);
}

static lp_value *call_frame(const evalctx *c, const node *n, const lp_frame *f)
{
    size_t nulls = 0;
    switch ((func_id)n->op) {
    case F_ROWS:
        return lp_value_int((int64_t)lp_frame_rows(f));
    case F_COLS:
        return lp_value_int((int64_t)lp_frame_cols(f));
    case F_NULLS:
        for (size_t j = 0; j < lp_frame_cols(f); j++)
            nulls += lp_frame_col(f, j)->null_count;
        return lp_value_int((int64_t)nulls);
    case F_MEAN:
    case F_MIN:
    case F_MAX: {
        const lp_column *col = single_column(c, n, f);
        return col ? column_agg(c, n, col) : NULL;
    }
    case F_DISTINCT: {
        const lp_column *col = single_column(c, n, f);
        lp_column_stats st;
        if (!col || lp_column_stats_compute(&st, col) != 0) return NULL;
        size_t d = st.distinct;
        lp_column_stats_free(&st);
        return lp_value_int((int64_t)d);
    }
    default:
        return expr_eerr(c, n, "%s() does not take a frame", expr_func_names[n->op]);
    }
}

static size_t utf8_len(const char *s, size_t n)
{
    size_t count = 0;
    for (size_t i = 0; i < n; i++)
        count += ((unsigned char)s[i] & 0xC0) != 0x80;
    return count;
}

static lp_value *call_value(const evalctx *c, const node *n, const lp_value *x)
{
    lp_vtype t = lp_value_type(x);
    if (n->op == F_LEN && t == LP_STRING)
        return lp_value_int((int64_t)utf8_len(lp_value_as_string(x), lp_value_string_len(x)));
    if (n->op == F_LEN && (t == LP_LIST || t == LP_MAP))
        return lp_value_int((int64_t)(t == LP_LIST ? lp_list_len(x) : lp_map_len(x)));
    if ((n->op == F_MEAN || n->op == F_MIN || n->op == F_MAX) && t == LP_LIST)
        return list_agg(c, n, x);
    if (n->op == F_DISTINCT && t == LP_LIST) return list_distinct(x);
    if (n->op == F_ABS && t == LP_FLOAT) return lp_value_float(fabs(lp_value_as_float(x)));
    if (n->op == F_ABS && t == LP_INT) {
        int64_t i = lp_value_as_int(x);
        if (i == INT64_MIN) return expr_eerr(c, n, "integer overflow");
        return lp_value_int(i < 0 ? -i : i);
    }
    return expr_eerr(c, n, "%s() does not take a %s", expr_func_names[n->op], expr_type_of(x));
}

bool expr_func_takes_column(int f)
{
    return f == F_NULLS || f == F_MEAN || f == F_MIN || f == F_MAX || f == F_DISTINCT;
}

/* f(frame, 'column'): the column of the frame as a one-column frame value
 * (new reference), or NULL with the error set. Takes `base`. */
static lp_value *column_arg(const evalctx *c, const node *n, lp_value *base)
{
    lp_value *name = expr_eval_node(c, n->b);
    lp_frame *f = lp_value_as_frame(base);
    lp_value *out = NULL;
    if (!name) {
    } else if (!f) {
        expr_eerr(c, n, "%s(x, 'column') needs a frame as x, got %s", expr_func_names[n->op],
                  expr_type_of(base));
    } else if (lp_value_type(name) != LP_STRING) {
        expr_eerr(c, n->b, "a column name must be a string, got %s", expr_type_of(name));
    } else {
        out = expr_frame_column(c, n->b, f, lp_value_as_string(name));
    }
    lp_value_unref(name);
    lp_value_unref(base);
    return out;
}

lp_value *expr_eval_call(const evalctx *c, const node *n)
{
    lp_value *arg = expr_eval_node(c, n->a);
    if (arg && n->b) arg = column_arg(c, n, arg);
    if (!arg) return NULL;
    lp_frame *f = lp_value_as_frame(arg);
    lp_value *out = f ? call_frame(c, n, f) : call_value(c, n, arg);
    lp_value_unref(arg);
    return out;
}
