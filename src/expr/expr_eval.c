/*
 * expr_eval.c — evaluation of check expressions: names, fields, indexing,
 * operators and the lp_expr_eval entry point.
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

/* ---- evaluation -------------------------------------------------------------- */

lp_value *expr_eerr(const evalctx *c, const node *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    lp_error_setv_at(LP_EINVAL, c->e->file, c->e->line, c->e->col + (int)n->start, fmt, ap);
    va_end(ap);
    int len = (int)(n->end - n->start); /* the expression's text, shortened, before the message */
    lp_error_prefix("`%.*s%s`", len > 80 ? 80 : len, c->e->text + n->start, len > 80 ? "..." : "");
    return NULL;
}

const char *expr_type_of(const lp_value *v)
{
    return lp_value_as_frame(v) ? "frame" : lp_vtype_name(lp_value_type(v));
}

bool expr_is_num(const lp_value *v)
{
    return lp_value_type(v) == LP_INT || lp_value_type(v) == LP_FLOAT;
}

lp_value *expr_eval_node(const evalctx *c, const node *n);

static lp_value *eval_name(const evalctx *c, const node *n)
{
    lp_value *v = lp_map_get(c->env, n->name);
    if (v) return lp_value_ref(v);
    size_t k = lp_map_len(c->env);
    const char **keys = calloc(k ? k : 1, sizeof *keys);
    for (size_t i = 0; keys && i < k; i++)
        keys[i] = lp_map_key(c->env, i);
    const char *hint = keys ? lp_suggest(n->name, keys, k) : NULL;
    expr_eerr(c, n, "unknown name '%s'%s%s%s", n->name, hint ? " (did you mean '" : "",
              hint ? hint : "", hint ? "'?)" : "");
    free(keys);
    return NULL;
}

lp_value *expr_frame_column(const evalctx *c, const node *n, const lp_frame *f, const char *name)
{
    if (lp_frame_find(f, name) < 0) {
        const char **names = calloc(lp_frame_cols(f) + 1, sizeof *names);
        for (size_t j = 0; names && j < lp_frame_cols(f); j++)
            names[j] = lp_frame_name(f, j);
        const char *hint = names ? lp_suggest(name, names, lp_frame_cols(f)) : NULL;
        expr_eerr(c, n, "the frame has no column '%s'%s%s%s", name, hint ? " (did you mean '" : "",
                  hint ? hint : "", hint ? "'?)" : "");
        free(names);
        return NULL;
    }
    lp_frame *one = NULL;
    if (lp_frame_select(&one, f, &name, 1) != 0) return NULL;
    lp_value *v = lp_value_frame(one);
    lp_frame_unref(one);
    return v;
}

/* `frame.rows` and `frame.cols` (SPEC §8: "result.rows > 500") when the frame
 * has no column of that name; a column always wins. NULL when neither. */
static lp_value *frame_property(const lp_frame *f, const char *name)
{
    if (lp_frame_find(f, name) >= 0) return NULL;
    if (strcmp(name, "rows") == 0) return lp_value_int((int64_t)lp_frame_rows(f));
    if (strcmp(name, "cols") == 0) return lp_value_int((int64_t)lp_frame_cols(f));
    return NULL;
}

/* "no field 'x' in this map (did you mean 'y'?; fields: a, b)". Returns NULL. */
static lp_value *missing_field(const evalctx *c, const node *n, const lp_value *map)
{
    size_t k = lp_map_len(map);
    const char **keys = calloc(k ? k : 1, sizeof *keys);
    lp_sb sb = {0};
    for (size_t i = 0; keys && i < k; i++) {
        keys[i] = lp_map_key(map, i);
        lp_sb_appendf(&sb, "%s%s", i ? ", " : "", keys[i]);
    }
    const char *hint = keys ? lp_suggest(n->name, keys, k) : NULL;
    expr_eerr(c, n, "no field '%s' in this map%s%s%s (fields: %s)", n->name,
              hint ? "; did you mean '" : "", hint ? hint : "", hint ? "'?" : "",
              sb.len ? sb.buf : "none");
    free(sb.buf);
    free(keys);
    return NULL;
}

static lp_value *eval_field(const evalctx *c, const node *n)
{
    lp_value *base = expr_eval_node(c, n->a);
    if (!base) return NULL;
    lp_value *out = NULL;
    lp_frame *f = lp_value_as_frame(base);
    if (f) {
        out = frame_property(f, n->name);
        if (!out) out = expr_frame_column(c, n, f, n->name);
    } else if (lp_value_type(base) == LP_MAP) {
        out = lp_value_ref(lp_map_get(base, n->name));
        if (!out) missing_field(c, n, base);
    } else {
        expr_eerr(c, n, "cannot take field '%s' of a %s", n->name, expr_type_of(base));
    }
    lp_value_unref(base);
    return out;
}

static lp_value *eval_index(const evalctx *c, const node *n)
{
    lp_value *base = expr_eval_node(c, n->a), *idx = base ? expr_eval_node(c, n->b) : NULL,
             *out = NULL;
    if (!idx) {
    } else if (lp_value_type(base) == LP_MAP && lp_value_type(idx) == LP_STRING) {
        out = lp_value_ref(lp_map_get(base, lp_value_as_string(idx)));
        if (!out) expr_eerr(c, n, "no key '%s' in this map", lp_value_as_string(idx));
    } else if (lp_value_type(base) != LP_LIST) {
        expr_eerr(c, n, "cannot index a %s (only lists, and maps by string)", expr_type_of(base));
    } else if (lp_value_type(idx) != LP_INT) {
        expr_eerr(c, n, "list index must be an int, found %s", expr_type_of(idx));
    } else if (lp_value_as_int(idx) < 0 || (uint64_t)lp_value_as_int(idx) >= lp_list_len(base)) {
        expr_eerr(c, n, "index %lld is out of range (list has %zu items)",
                  (long long)lp_value_as_int(idx), lp_list_len(base));
    } else {
        out = lp_value_ref(lp_list_get(base, (size_t)lp_value_as_int(idx)));
    }
    lp_value_unref(base);
    lp_value_unref(idx);
    return out;
}

/* ---- operators ----------------------------------------------------------------- */

static lp_value *int_arith(const evalctx *c, const node *n, int64_t a, int64_t b)
{
    int64_t r = 0;
    bool over = false;
    switch (n->op) {
    case OP_ADD:
        over = __builtin_add_overflow(a, b, &r);
        break;
    case OP_SUB:
        over = __builtin_sub_overflow(a, b, &r);
        break;
    case OP_MUL:
        over = __builtin_mul_overflow(a, b, &r);
        break;
    default: /* OP_MOD */
        if (b == 0) return expr_eerr(c, n, "division by zero");
        r = b == -1 ? 0 : a % b; /* INT64_MIN % -1 traps in C */
    }
    if (over) return expr_eerr(c, n, "integer overflow");
    return lp_value_int(r);
}

static lp_value *arith(const evalctx *c, const node *n, const lp_value *a, const lp_value *b)
{
    if (n->op == OP_ADD && lp_value_type(a) == LP_STRING && lp_value_type(b) == LP_STRING) {
        lp_sb sb = {0};
        lp_sb_appendn(&sb, lp_value_as_string(a), lp_value_string_len(a));
        lp_sb_appendn(&sb, lp_value_as_string(b), lp_value_string_len(b));
        lp_value *v = sb.oom ? NULL : lp_value_stringn(sb.buf ? sb.buf : "", sb.len);
        lp_sb_free(&sb);
        return v ? v : expr_eerr(c, n, "out of memory");
    }
    if (!expr_is_num(a) || !expr_is_num(b))
        return expr_eerr(c, n, "cannot apply an arithmetic operator to %s and %s", expr_type_of(a),
                         expr_type_of(b));
    if (lp_value_type(a) == LP_INT && lp_value_type(b) == LP_INT && n->op != OP_DIV)
        return int_arith(c, n, lp_value_as_int(a), lp_value_as_int(b));
    double x = lp_value_as_float(a), y = lp_value_as_float(b);
    if ((n->op == OP_DIV || n->op == OP_MOD) && y == 0) return expr_eerr(c, n, "division by zero");
    switch (n->op) {
    case OP_ADD:
        return lp_value_float(x + y);
    case OP_SUB:
        return lp_value_float(x - y);
    case OP_MUL:
        return lp_value_float(x * y);
    case OP_DIV:
        return lp_value_float(x / y);
    default:
        return lp_value_float(fmod(x, y));
    }
}

/* -1, 0, 1 for ordered types; 2 when unordered (NaN); sets *ok false on type mismatch. */
static int order(const lp_value *a, const lp_value *b, bool *ok)
{
    *ok = true;
    if (lp_value_type(a) == LP_INT && lp_value_type(b) == LP_INT) {
        int64_t x = lp_value_as_int(a), y = lp_value_as_int(b);
        return (x > y) - (x < y);
    }
    if (expr_is_num(a) && expr_is_num(b)) {
        double x = lp_value_as_float(a), y = lp_value_as_float(b);
        return x < y ? -1 : x > y ? 1 : x == y ? 0 : 2;
    }
    if (lp_value_type(a) == LP_STRING && lp_value_type(b) == LP_STRING) {
        size_t la = lp_value_string_len(a), lb = lp_value_string_len(b);
        int r = memcmp(lp_value_as_string(a), lp_value_as_string(b), la < lb ? la : lb);
        return r ? (r > 0) - (r < 0) : (la > lb) - (la < lb);
    }
    *ok = false;
    return 0;
}

static lp_value *compare(const evalctx *c, const node *n, const lp_value *a, const lp_value *b)
{
    bool ok;
    int r = order(a, b, &ok);
    if (n->op == OP_EQ || n->op == OP_NE) {
        bool eq = ok ? r == 0 : lp_value_equal(a, b);
        return lp_value_bool(n->op == OP_EQ ? eq : !eq);
    }
    if (!ok) return expr_eerr(c, n, "cannot order %s and %s", expr_type_of(a), expr_type_of(b));
    if (r == 2) return lp_value_bool(false); /* NaN: every ordering is false */
    switch (n->op) {
    case OP_LT:
        return lp_value_bool(r < 0);
    case OP_LE:
        return lp_value_bool(r <= 0);
    case OP_GT:
        return lp_value_bool(r > 0);
    default:
        return lp_value_bool(r >= 0);
    }
}

static lp_value *eval_bin(const evalctx *c, const node *n)
{
    lp_value *a = expr_eval_node(c, n->a), *b = a ? expr_eval_node(c, n->b) : NULL, *out = NULL;
    if (b) out = n->op >= OP_LT ? compare(c, n, a, b) : arith(c, n, a, b);
    lp_value_unref(a);
    lp_value_unref(b);
    return out;
}

/* Evaluates n->a or n->b and insists on a bool (no truthiness: 0 and "" are errors). */
static int eval_bool(const evalctx *c, const node *n, const node *part, bool *out)
{
    lp_value *v = expr_eval_node(c, part);
    if (!v) return LP_EINVAL;
    int rc = 0;
    if (lp_value_type(v) != LP_BOOL) {
        expr_eerr(c, n, "'%s' needs a bool, `%.*s` is a %s",
                  n->kind == N_AND  ? "and"
                  : n->kind == N_OR ? "or"
                                    : "not",
                  (int)(part->end - part->start), c->e->text + part->start, expr_type_of(v));
        rc = LP_EINVAL;
    }
    *out = lp_value_as_bool(v);
    lp_value_unref(v);
    return rc;
}

static lp_value *eval_logic(const evalctx *c, const node *n)
{
    bool x;
    if (eval_bool(c, n, n->a, &x)) return NULL;
    if (n->kind == N_NOT) return lp_value_bool(!x);
    if ((n->kind == N_AND && !x) || (n->kind == N_OR && x)) return lp_value_bool(x);
    if (eval_bool(c, n, n->b, &x)) return NULL;
    return lp_value_bool(x);
}

static lp_value *eval_neg(const evalctx *c, const node *n)
{
    lp_value *a = expr_eval_node(c, n->a), *out = NULL;
    if (!a) return NULL;
    if (lp_value_type(a) == LP_INT && lp_value_as_int(a) != INT64_MIN)
        out = lp_value_int(-lp_value_as_int(a));
    else if (lp_value_type(a) == LP_FLOAT)
        out = lp_value_float(-lp_value_as_float(a));
    else if (lp_value_type(a) == LP_INT)
        expr_eerr(c, n, "integer overflow");
    else
        expr_eerr(c, n, "cannot negate a %s", expr_type_of(a));
    lp_value_unref(a);
    return out;
}

/* New reference or NULL with the error set. */
lp_value *expr_eval_node(const evalctx *c, const node *n)
{
    switch (n->kind) {
    case N_LIT:
        return lp_value_ref(n->lit);
    case N_NAME:
        return eval_name(c, n);
    case N_FIELD:
        return eval_field(c, n);
    case N_INDEX:
        return eval_index(c, n);
    case N_CALL:
        return expr_eval_call(c, n);
    case N_NEG:
        return eval_neg(c, n);
    case N_NOT:
    case N_AND:
    case N_OR:
        return eval_logic(c, n);
    case N_BIN:
        return eval_bin(c, n);
    }
    return expr_eerr(c, n, "internal error: bad node");
}

/* Ownership: *out is a new reference for the caller. */
int lp_expr_eval(lp_value **out, const lp_expr *e, const lp_value *env)
{
    if (!out) return lp_error_set(LP_EINVAL, "lp_expr_eval: out is NULL");
    *out = NULL;
    if (!e) return lp_error_set(LP_EINVAL, "lp_expr_eval: expression is NULL");
    if (env && lp_value_type(env) != LP_MAP)
        return lp_error_set(LP_EINVAL, "lp_expr_eval: env must be a map, found %s",
                            expr_type_of(env));
    evalctx c = {.e = e, .env = env};
    lp_value *v = expr_eval_node(&c, e->root);
    if (!v) {
        int code = lp_error_last()->code;
        return code ? code : lp_error_set(LP_EINVAL, "expression evaluation failed");
    }
    *out = v;
    return 0;
}

static bool is_comparison(const node *n)
{
    return n->kind == N_BIN && n->op >= OP_LT && n->op <= OP_NE;
}

/* Appends "`sub` is VALUE" for a sub-expression that is not a literal. */
static void explain_side(lp_sb *sb, const evalctx *c, const node *n)
{
    if (n->kind == N_LIT) return;
    lp_value *v = expr_eval_node(c, n);
    char *shown = v ? lp_value_to_string(v) : NULL;
    int len = (int)(n->end - n->start);
    lp_sb_appendf(sb, "%s`%.*s%s` is %s", sb->len ? ", " : "", len > 60 ? 60 : len,
                  c->e->text + n->start, len > 60 ? "..." : "",
                  v ? (shown ? shown : "?") : "(an error)");
    free(shown);
    lp_value_unref(v);
}

/* The first comparison that is false under `and`, `not` aside. */
static const node *false_comparison(const evalctx *c, const node *n)
{
    if (is_comparison(n)) return n;
    if (n->kind != N_AND) return NULL;
    lp_value *a = expr_eval_node(c, n->a);
    bool a_false = a && lp_value_type(a) == LP_BOOL && !lp_value_as_bool(a);
    lp_value_unref(a);
    return false_comparison(c, a_false ? n->a : n->b);
}

char *lp_expr_explain(const lp_expr *e, const lp_value *env)
{
    if (!e || !e->root) return NULL;
    evalctx c = {.e = e, .env = env};
    const node *cmp = false_comparison(&c, e->root);
    if (!cmp) return NULL;
    lp_sb sb = {0};
    explain_side(&sb, &c, cmp->a);
    explain_side(&sb, &c, cmp->b);
    lp_error_clear();
    return sb.len ? lp_sb_take(&sb) : (lp_sb_free(&sb), NULL);
}
