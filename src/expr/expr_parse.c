/*
 * expr_parse.c — recursive-descent parser of check expressions.
 *
 * Every node keeps the byte span of its source text, so evaluation errors can
 * quote the failing sub-expression and point at its column.
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

/* ---- nodes ----------------------------------------------------------------- */

static void node_free(node *n)
{
    if (!n) return;
    node_free(n->a);
    node_free(n->b);
    lp_value_unref(n->lit);
    free(n->name);
    free(n);
}

/* New node (caller owns); children are attached by the caller. NULL on OOM. */
static node *node_new(node_kind kind, size_t start, size_t end)
{
    node *n = calloc(1, sizeof *n);
    if (!n) {
        lp_error_set(LP_ENOMEM, "out of memory parsing an expression");
        return NULL;
    }
    n->kind = kind;
    n->start = start;
    n->end = end;
    n->depth = 1;
    return n;
}

/* ---- parser ------------------------------------------------------------------ */

/* Invariant of every parse_* function: on error *out is NULL and nothing leaks. */

/* Moves past the token that ends *out; on a lexing error frees *out. */
static int advance(parser *p, node **out)
{
    int rc = expr_lex(p);
    if (rc) {
        node_free(*out);
        *out = NULL;
    }
    return rc;
}

static int parse_or(parser *p, node **out);

/* Builds a node over children a (and b) with depth checked. Takes a and b. */
static int make(parser *p, node **out, node_kind kind, int op, node *a, node *b)
{
    size_t start = a->start, end = b ? b->end : a->end;
    *out = NULL;
    node *n = node_new(kind, start, end);
    if (!n) {
        node_free(a);
        node_free(b);
        return LP_ENOMEM;
    }
    n->op = op;
    n->a = a;
    n->b = b;
    n->depth = 1 + (b && b->depth > a->depth ? b->depth : a->depth);
    *out = n;
    if (n->depth > LP_EXPR_MAX_DEPTH) {
        node_free(n);
        *out = NULL;
        return expr_perr(p, start, "expression nested too deeply (more than %d levels)",
                         LP_EXPR_MAX_DEPTH);
    }
    return 0;
}

/* Unescapes the string token into a value. */
static lp_value *string_literal(const parser *p)
{
    lp_sb sb = {0};
    for (size_t i = p->tok.start + 1; i + 1 < p->tok.end; i++) {
        char c = p->s[i];
        if (c == '\\') {
            c = p->s[++i];
            c = c == 'n' ? '\n' : c == 't' ? '\t' : c;
        }
        lp_sb_putc(&sb, c);
    }
    if (sb.oom) {
        lp_sb_free(&sb);
        lp_error_set(LP_ENOMEM, "out of memory parsing a string literal");
        return NULL;
    }
    lp_value *v = lp_value_stringn(sb.buf ? sb.buf : "", sb.len);
    lp_sb_free(&sb);
    return v;
}

static int literal_value(parser *p, lp_value **v)
{
    const char *s = p->s + p->tok.start;
    if (p->tok.kind == T_STR) {
        *v = string_literal(p);
    } else if (p->tok.kind == T_INT) {
        errno = 0;
        long long i = strtoll(s, NULL, 10);
        if (errno == ERANGE)
            return expr_perr(p, p->tok.start, "integer literal %.*s is too large",
                             (int)(p->tok.end - p->tok.start), s);
        *v = lp_value_int(i);
    } else {
        *v = lp_value_float(strtod(s, NULL));
    }
    return *v ? 0 : LP_ENOMEM;
}

/* A literal, keyword literal or name token: one leaf node. */
static int parse_leaf(parser *p, node **out)
{
    node *n = node_new(N_LIT, p->tok.start, p->tok.end);
    if (!n) return LP_ENOMEM;
    int rc = 0;
    if (p->tok.kind == T_IDENT) {
        if (expr_is_word(p, "true") || expr_is_word(p, "false"))
            n->lit = lp_value_bool(expr_is_word(p, "true"));
        else if (expr_is_word(p, "null"))
            n->lit = lp_value_null();
        else {
            n->kind = N_NAME;
            n->name = lp_strndup(p->s + p->tok.start, p->tok.end - p->tok.start);
        }
        if (!n->lit && !n->name) rc = LP_ENOMEM;
    } else {
        rc = literal_value(p, &n->lit);
    }
    if (rc == 0) rc = expr_lex(p);
    if (rc) {
        node_free(n);
        return rc;
    }
    *out = n;
    return 0;
}

/* name(arg): the function must be known now, so typos fail before running. */
static int parse_call(parser *p, node **out, node *callee)
{
    if (callee->kind != N_NAME) {
        node_free(callee);
        return expr_perr(p, p->tok.start, "only functions can be called (%s, ...)",
                         expr_func_names[0]);
    }
    size_t f = 0;
    while (f < expr_func_count && strcmp(expr_func_names[f], callee->name) != 0)
        f++;
    if (f == expr_func_count) {
        const char *hint = lp_suggest(callee->name, expr_func_names, expr_func_count);
        int rc = expr_perr(p, callee->start, "unknown function '%s'%s%s%s", callee->name,
                           hint ? " (did you mean '" : "", hint ? hint : "", hint ? "'?)" : "");
        node_free(callee);
        return rc;
    }
    node *arg = NULL, *col = NULL;
    bool two = expr_func_takes_column((int)f);
    int rc = expr_lex(p);
    if (rc == 0 && expr_is_punct(p, ")"))
        rc = expr_perr(p, p->tok.start, "%s() takes %s, found none", expr_func_names[f],
                       two ? "a value or (frame, 'column')" : "1 argument");
    if (rc == 0) rc = parse_or(p, &arg);
    if (rc == 0 && expr_is_punct(p, ",") && two) {
        rc = expr_lex(p);
        if (rc == 0) rc = parse_or(p, &col);
    }
    if (rc == 0 && expr_is_punct(p, ","))
        rc = expr_perr(p, p->tok.start, "%s() takes %s, found more", expr_func_names[f],
                       two ? "at most 2 arguments" : "1 argument");
    if (rc == 0 && !expr_is_punct(p, ")")) rc = expr_expected(p, "')' closing the call");
    if (rc) {
        node_free(callee);
        node_free(arg);
        node_free(col);
        return rc;
    }
    size_t end = p->tok.end;
    rc = make(p, out, N_CALL, (int)f, arg, col);
    if (rc == 0) (*out)->start = callee->start, (*out)->end = end;
    node_free(callee);
    return rc ? rc : advance(p, out);
}

static int parse_field(parser *p, node **out, node *base)
{
    int rc = expr_lex(p);
    if (rc == 0 && p->tok.kind != T_IDENT) rc = expr_expected(p, "a field name after '.'");
    char *name = rc == 0 ? lp_strndup(p->s + p->tok.start, p->tok.end - p->tok.start) : NULL;
    if (rc == 0 && !name) rc = LP_ENOMEM;
    size_t end = p->tok.end;
    if (rc == 0)
        rc = make(p, out, N_FIELD, 0, base, NULL);
    else
        node_free(base);
    if (rc) {
        free(name);
        return rc;
    }
    (*out)->name = name;
    (*out)->end = end;
    return advance(p, out);
}

static int parse_index(parser *p, node **out, node *base)
{
    node *idx = NULL;
    int rc = expr_lex(p);
    if (rc == 0) rc = parse_or(p, &idx);
    if (rc == 0 && !expr_is_punct(p, "]")) rc = expr_expected(p, "']'");
    if (rc) {
        node_free(base);
        node_free(idx);
        return rc;
    }
    size_t end = p->tok.end;
    rc = make(p, out, N_INDEX, 0, base, idx);
    if (rc == 0) (*out)->end = end;
    return rc ? rc : advance(p, out);
}

static int parse_primary(parser *p, node **out)
{
    *out = NULL;
    if (expr_is_punct(p, "(")) {
        size_t start = p->tok.start;
        int rc = expr_lex(p);
        if (rc == 0) rc = parse_or(p, out);
        if (rc == 0 && !expr_is_punct(p, ")")) {
            rc = expr_expected(p, "')'");
            node_free(*out);
            *out = NULL;
        }
        if (rc) return rc;
        (*out)->start = start; /* quote the parentheses too */
        (*out)->end = p->tok.end;
        return advance(p, out);
    }
    if (p->tok.kind == T_EOF || p->tok.kind == T_PUNCT) return expr_expected(p, "an expression");
    if (p->tok.kind == T_IDENT &&
        (expr_is_word(p, "and") || expr_is_word(p, "or") || expr_is_word(p, "not")))
        return expr_expected(p, "an expression");
    return parse_leaf(p, out);
}

static int parse_postfix(parser *p, node **out)
{
    node *n = NULL;
    int rc = parse_primary(p, &n);
    while (rc == 0) {
        if (expr_is_punct(p, "("))
            rc = parse_call(p, &n, n);
        else if (expr_is_punct(p, "."))
            rc = parse_field(p, &n, n);
        else if (expr_is_punct(p, "["))
            rc = parse_index(p, &n, n);
        else
            break;
        if (rc) n = NULL; /* the callee freed it */
    }
    *out = n;
    return rc;
}

/* A prefix operator (`-x`, `not x`) at the current token: reads the operand
 * with `self` (prefix operators nest: `- -x`) and wraps it in a `kind` node. */
static int parse_prefix(parser *p, node **out, node_kind kind, int (*self)(parser *, node **))
{
    size_t start = p->tok.start;
    if (++p->nesting > LP_EXPR_MAX_DEPTH)
        return expr_perr(p, start, "expression nested too deeply (more than %d levels)",
                         LP_EXPR_MAX_DEPTH);
    node *a = NULL;
    int rc = expr_lex(p);
    if (rc == 0) rc = self(p, &a);
    p->nesting--;
    if (rc == 0) rc = make(p, out, kind, 0, a, NULL);
    if (rc == 0) (*out)->start = start;
    return rc;
}

static int parse_unary(parser *p, node **out)
{
    *out = NULL;
    if (!expr_is_punct(p, "-")) return parse_postfix(p, out);
    return parse_prefix(p, out, N_NEG, parse_unary);
}

/* Left-associative binary levels: ops[] maps punctuation to bin_op. */
typedef struct level {
    const char *ops[4];
    int codes[4];
} level;

static const level mul_level = {{"*", "/", "%", NULL}, {OP_MUL, OP_DIV, OP_MOD, 0}};
static const level add_level = {{"+", "-", NULL, NULL}, {OP_ADD, OP_SUB, 0, 0}};

static int level_op(const parser *p, const level *lv)
{
    for (int k = 0; k < 4 && lv->ops[k]; k++)
        if (expr_is_punct(p, lv->ops[k])) return lv->codes[k];
    return -1;
}

static int parse_binary(parser *p, node **out, const level *lv, int (*next)(parser *, node **))
{
    node *a = NULL, *b = NULL;
    int rc = next(p, &a);
    int op;
    while (rc == 0 && (op = level_op(p, lv)) >= 0) {
        rc = expr_lex(p);
        if (rc == 0) rc = next(p, &b);
        if (rc) break;
        rc = make(p, &a, N_BIN, op, a, b);
        b = NULL;
        if (rc) a = NULL;
    }
    if (rc) node_free(a);
    *out = rc ? NULL : a;
    return rc;
}

static int parse_mul(parser *p, node **out)
{
    return parse_binary(p, out, &mul_level, parse_unary);
}
static int parse_add(parser *p, node **out)
{
    return parse_binary(p, out, &add_level, parse_mul);
}

static int parse_cmp(parser *p, node **out)
{
    static const level cmp = {{"<", "<=", ">", ">="}, {OP_LT, OP_LE, OP_GT, OP_GE}};
    static const level eq = {{"==", "!=", NULL, NULL}, {OP_EQ, OP_NE, 0, 0}};
    node *a = NULL, *b = NULL;
    *out = NULL;
    int rc = parse_add(p, &a);
    if (rc) return rc;
    int op = level_op(p, &cmp);
    if (op < 0) op = level_op(p, &eq);
    if (op < 0) {
        *out = a;
        return 0;
    }
    rc = expr_lex(p);
    if (rc == 0) rc = parse_add(p, &b);
    if (rc == 0)
        rc = make(p, out, N_BIN, op, a, b);
    else
        node_free(a);
    if (rc) return rc;
    /* a < b < c reads like math but would compare a bool: refuse it. */
    if (level_op(p, &cmp) >= 0 || level_op(p, &eq) >= 0) {
        node_free(*out);
        *out = NULL;
        return expr_perr(p, p->tok.start, "comparisons cannot be chained; use 'and'");
    }
    return 0;
}

static int parse_not(parser *p, node **out)
{
    *out = NULL;
    if (!expr_is_word(p, "not")) return parse_cmp(p, out);
    return parse_prefix(p, out, N_NOT, parse_not);
}

static int parse_logic(parser *p, node **out, const char *word, node_kind kind,
                       int (*next)(parser *, node **))
{
    node *a = NULL, *b = NULL;
    int rc = next(p, &a);
    while (rc == 0 && expr_is_word(p, word)) {
        rc = expr_lex(p);
        if (rc == 0) rc = next(p, &b);
        if (rc) break;
        rc = make(p, &a, kind, 0, a, b);
        b = NULL;
        if (rc) a = NULL;
    }
    if (rc) node_free(a);
    *out = rc ? NULL : a;
    return rc;
}

static int parse_and(parser *p, node **out)
{
    return parse_logic(p, out, "and", N_AND, parse_not);
}

static int parse_or(parser *p, node **out)
{
    *out = NULL;
    if (++p->nesting > LP_EXPR_MAX_DEPTH)
        return expr_perr(p, p->tok.start, "expression nested too deeply (more than %d levels)",
                         LP_EXPR_MAX_DEPTH);
    int rc = parse_logic(p, out, "or", N_OR, parse_and);
    p->nesting--;
    return rc;
}

/* Ownership: *out is the caller's (lp_expr_free). */
int lp_expr_parse(lp_expr **out, const char *text, const lp_origin *origin)
{
    if (!out) return lp_error_set(LP_EINVAL, "lp_expr_parse: out is NULL");
    *out = NULL;
    if (!text) return lp_error_set(LP_EINVAL, "lp_expr_parse: text is NULL");
    lp_expr *e = calloc(1, sizeof *e);
    if (!e) return lp_error_set(LP_ENOMEM, "out of memory parsing an expression");
    e->line = 1;
    e->col = 1;
    if (origin && origin->kind == LP_ORIGIN_FILE) e->file = origin->source;
    if (origin && origin->line > 0) e->line = origin->line;
    if (origin && origin->col > 0) e->col = origin->col;
    parser p = {.e = e, .s = text};
    int rc = 0;
    if (strnlen(text, LP_EXPR_MAX_LEN + 1) > LP_EXPR_MAX_LEN)
        rc = expr_perr(&p, 0, "expression is longer than %d characters", LP_EXPR_MAX_LEN);
    if (rc == 0) rc = (e->text = lp_strdup(text)) ? 0 : LP_ENOMEM;
    if (rc == 0) rc = expr_lex(&p);
    if (rc == 0) rc = parse_or(&p, &e->root);
    if (rc == 0 && p.tok.kind != T_EOF) rc = expr_expected(&p, "an operator or end of text");
    if (rc) {
        lp_expr_free(e);
        return rc;
    }
    *out = e;
    return 0;
}

void lp_expr_free(lp_expr *e)
{
    if (!e) return;
    node_free(e->root);
    free(e->text);
    free(e);
}

static bool node_uses_name(const node *n, const char *name)
{
    if (!n) return false;
    if (n->kind == N_NAME && strcmp(n->name, name) == 0) return true;
    return node_uses_name(n->a, name) || node_uses_name(n->b, name);
}

bool lp_expr_uses_name(const lp_expr *e, const char *name)
{
    return e && name && node_uses_name(e->root, name);
}
