/*
 * expr.c — parser (recursive descent) and evaluator of check expressions.
 *
 * Every node keeps the byte span of its source text, so evaluation errors can
 * quote the failing sub-expression and point at its column.
 */
#include "expr.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lolpop/frame.h"

typedef enum node_kind {
    N_LIT,
    N_NAME,
    N_FIELD,
    N_INDEX,
    N_CALL,
    N_NEG,
    N_NOT,
    N_BIN,
    N_AND,
    N_OR
} node_kind;

typedef enum bin_op {
    OP_MUL,
    OP_DIV,
    OP_MOD,
    OP_ADD,
    OP_SUB,
    OP_LT,
    OP_LE,
    OP_GT,
    OP_GE,
    OP_EQ,
    OP_NE
} bin_op;

typedef enum func_id {
    F_ROWS,
    F_COLS,
    F_LEN,
    F_NULLS,
    F_MEAN,
    F_MIN,
    F_MAX,
    F_DISTINCT,
    F_ABS
} func_id;

static const char *const func_names[] = {"rows", "cols", "len",      "nulls", "mean",
                                         "min",  "max",  "distinct", "abs"};
#define N_FUNCS (sizeof func_names / sizeof *func_names)

typedef struct node {
    node_kind kind;
    int op;             /* bin_op for N_BIN, func_id for N_CALL */
    size_t start, end;  /* source span [start, end) */
    int depth;          /* 1 + deepest child */
    lp_value *lit;      /* N_LIT */
    char *name;         /* N_NAME, N_FIELD */
    struct node *a, *b; /* operands; N_CALL: a = the single argument */
} node;

struct lp_expr {
    char *text;
    const char *file; /* interned origin source or NULL */
    int line, col;    /* where text starts (col of its first byte) */
    node *root;
};

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

/* ---- lexer ------------------------------------------------------------------- */

typedef enum tok_kind { T_EOF, T_INT, T_FLOAT, T_STR, T_IDENT, T_PUNCT } tok_kind;

typedef struct token {
    tok_kind kind;
    size_t start, end;
    char punct[3]; /* T_PUNCT: "(", "<=", ... */
} token;

typedef struct parser {
    lp_expr *e;
    const char *s;
    token tok;
    int nesting;
} parser;

/* Error at byte offset `at` of the text; always returns LP_ECONFIG. */
static int perr(const parser *p, size_t at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int perr(const parser *p, size_t at, const char *fmt, ...)
{
    lp_sb sb = {0};
    va_list ap;
    va_start(ap, fmt);
    lp_sb_vappendf(&sb, fmt, ap);
    va_end(ap);
    char *msg = lp_sb_take(&sb);
    lp_error_set_at(LP_ECONFIG, p->e->file, p->e->line, p->e->col + (int)at, "%s", msg);
    free(msg);
    return LP_ECONFIG;
}

/* Describes the current token for "found ..." (new string). */
static char *tok_describe(const parser *p)
{
    const token *t = &p->tok;
    int n = (int)(t->end - t->start > 40 ? 40 : t->end - t->start);
    switch (t->kind) {
    case T_EOF:
        return lp_strdup("end of text");
    case T_INT:
    case T_FLOAT:
        return lp_asprintf("number %.*s", n, p->s + t->start);
    case T_STR:
        return lp_asprintf("string %.*s", n, p->s + t->start);
    case T_IDENT:
        return lp_asprintf("'%.*s'", n, p->s + t->start);
    case T_PUNCT:
        return lp_asprintf("'%s'", t->punct);
    }
    return lp_strdup("?");
}

/* "expected X, found Y" at the current token. */
static int expected(const parser *p, const char *what)
{
    char *found = tok_describe(p);
    int rc = perr(p, p->tok.start, "expected %s, found %s", what, found ? found : "?");
    free(found);
    return rc;
}

static int lex_string(parser *p, size_t i)
{
    char q = p->s[i++];
    while (p->s[i] != q) {
        if (!p->s[i]) return perr(p, p->tok.start, "unterminated string (no closing %c)", q);
        if (p->s[i] == '\\') {
            char c = p->s[i + 1];
            if (c != '"' && c != '\'' && c != '\\' && c != 'n' && c != 't')
                return perr(p, i, "unknown escape '\\%c' in string (use \\\" \\' \\\\ \\n \\t)",
                            c ? c : ' ');
            i++;
        }
        i++;
    }
    p->tok.kind = T_STR;
    p->tok.end = i + 1;
    return 0;
}

static int lex_number(parser *p, size_t i)
{
    const char *s = p->s;
    bool is_float = false;
    while (isdigit((unsigned char)s[i]))
        i++;
    if (s[i] == '.' && isdigit((unsigned char)s[i + 1])) {
        is_float = true;
        for (i++; isdigit((unsigned char)s[i]); i++) {
        }
    }
    if (s[i] == 'e' || s[i] == 'E') {
        size_t j = i + 1;
        if (s[j] == '+' || s[j] == '-') j++;
        if (!isdigit((unsigned char)s[j]))
            return perr(p, i, "malformed number: exponent has no digits");
        is_float = true;
        for (i = j; isdigit((unsigned char)s[i]); i++) {
        }
    }
    if (isalpha((unsigned char)s[i]) || s[i] == '_')
        return perr(p, p->tok.start, "malformed number: unexpected '%c' after digits", s[i]);
    p->tok.kind = is_float ? T_FLOAT : T_INT;
    p->tok.end = i;
    return 0;
}

/* Advances to the next token. */
static int lex(parser *p)
{
    static const char *const two[] = {"<=", ">=", "==", "!="};
    static const char one[] = "()[].,+-*/%<>";
    const char *s = p->s;
    size_t i = p->tok.end;
    while (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')
        i++;
    memset(&p->tok, 0, sizeof p->tok);
    p->tok.start = p->tok.end = i;
    char c = s[i];
    if (!c) return 0;
    if (c == '"' || c == '\'') return lex_string(p, i);
    if (isdigit((unsigned char)c)) return lex_number(p, i);
    if (isalpha((unsigned char)c) || c == '_') {
        while (isalnum((unsigned char)s[i]) || s[i] == '_')
            i++;
        p->tok.kind = T_IDENT;
        p->tok.end = i;
        return 0;
    }
    for (size_t k = 0; k < sizeof two / sizeof *two; k++) {
        if (c == two[k][0] && s[i + 1] == two[k][1]) {
            p->tok.kind = T_PUNCT;
            memcpy(p->tok.punct, two[k], 2);
            p->tok.end = i + 2;
            return 0;
        }
    }
    if (strchr(one, c)) {
        p->tok.kind = T_PUNCT;
        p->tok.punct[0] = c;
        p->tok.end = i + 1;
        return 0;
    }
    if (c == '=') return perr(p, i, "unexpected '=' (use == to compare)");
    if (c == '&' || c == '|') return perr(p, i, "unexpected '%c' (use 'and' / 'or')", c);
    if (c == '!') return perr(p, i, "unexpected '!' (use 'not' or !=)");
    if ((unsigned char)c < 0x20 || (unsigned char)c >= 0x7f)
        return perr(p, i, "unexpected character (byte 0x%02x)", (unsigned char)c);
    return perr(p, i, "unexpected character '%c'", c);
}

static bool is_punct(const parser *p, const char *x)
{
    return p->tok.kind == T_PUNCT && strcmp(p->tok.punct, x) == 0;
}

static bool is_word(const parser *p, const char *w)
{
    size_t n = strlen(w);
    return p->tok.kind == T_IDENT && p->tok.end - p->tok.start == n &&
           memcmp(p->s + p->tok.start, w, n) == 0;
}

/* ---- parser ------------------------------------------------------------------ */

/* Invariant of every parse_* function: on error *out is NULL and nothing leaks. */

/* Moves past the token that ends *out; on a lexing error frees *out. */
static int advance(parser *p, node **out)
{
    int rc = lex(p);
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
        return perr(p, start, "expression nested too deeply (more than %d levels)",
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
            return perr(p, p->tok.start, "integer literal %.*s is too large",
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
        if (is_word(p, "true") || is_word(p, "false"))
            n->lit = lp_value_bool(is_word(p, "true"));
        else if (is_word(p, "null"))
            n->lit = lp_value_null();
        else {
            n->kind = N_NAME;
            n->name = lp_strndup(p->s + p->tok.start, p->tok.end - p->tok.start);
        }
        if (!n->lit && !n->name) rc = LP_ENOMEM;
    } else {
        rc = literal_value(p, &n->lit);
    }
    if (rc == 0) rc = lex(p);
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
        return perr(p, p->tok.start, "only functions can be called (%s, ...)", func_names[0]);
    }
    size_t f = 0;
    while (f < N_FUNCS && strcmp(func_names[f], callee->name) != 0)
        f++;
    if (f == N_FUNCS) {
        const char *hint = lp_suggest(callee->name, func_names, N_FUNCS);
        int rc = perr(p, callee->start, "unknown function '%s'%s%s%s", callee->name,
                      hint ? " (did you mean '" : "", hint ? hint : "", hint ? "'?)" : "");
        node_free(callee);
        return rc;
    }
    node *arg = NULL;
    int rc = lex(p);
    if (rc == 0 && is_punct(p, ")"))
        rc = perr(p, p->tok.start, "%s() takes 1 argument, found none", func_names[f]);
    if (rc == 0) rc = parse_or(p, &arg);
    if (rc == 0 && is_punct(p, ","))
        rc = perr(p, p->tok.start, "%s() takes 1 argument, found more", func_names[f]);
    if (rc == 0 && !is_punct(p, ")")) rc = expected(p, "')' closing the call");
    if (rc) {
        node_free(callee);
        node_free(arg);
        return rc;
    }
    size_t end = p->tok.end;
    rc = make(p, out, N_CALL, (int)f, arg, NULL);
    if (rc == 0) (*out)->start = callee->start, (*out)->end = end;
    node_free(callee);
    return rc ? rc : advance(p, out);
}

static int parse_field(parser *p, node **out, node *base)
{
    int rc = lex(p);
    if (rc == 0 && p->tok.kind != T_IDENT) rc = expected(p, "a field name after '.'");
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
    int rc = lex(p);
    if (rc == 0) rc = parse_or(p, &idx);
    if (rc == 0 && !is_punct(p, "]")) rc = expected(p, "']'");
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
    if (is_punct(p, "(")) {
        size_t start = p->tok.start;
        int rc = lex(p);
        if (rc == 0) rc = parse_or(p, out);
        if (rc == 0 && !is_punct(p, ")")) {
            rc = expected(p, "')'");
            node_free(*out);
            *out = NULL;
        }
        if (rc) return rc;
        (*out)->start = start; /* quote the parentheses too */
        (*out)->end = p->tok.end;
        return advance(p, out);
    }
    if (p->tok.kind == T_EOF || p->tok.kind == T_PUNCT) return expected(p, "an expression");
    if (p->tok.kind == T_IDENT && (is_word(p, "and") || is_word(p, "or") || is_word(p, "not")))
        return expected(p, "an expression");
    return parse_leaf(p, out);
}

static int parse_postfix(parser *p, node **out)
{
    node *n = NULL;
    int rc = parse_primary(p, &n);
    while (rc == 0) {
        if (is_punct(p, "("))
            rc = parse_call(p, &n, n);
        else if (is_punct(p, "."))
            rc = parse_field(p, &n, n);
        else if (is_punct(p, "["))
            rc = parse_index(p, &n, n);
        else
            break;
        if (rc) n = NULL; /* the callee freed it */
    }
    *out = n;
    return rc;
}

static int parse_unary(parser *p, node **out)
{
    *out = NULL;
    if (!is_punct(p, "-")) return parse_postfix(p, out);
    size_t start = p->tok.start;
    if (++p->nesting > LP_EXPR_MAX_DEPTH)
        return perr(p, start, "expression nested too deeply (more than %d levels)",
                    LP_EXPR_MAX_DEPTH);
    node *a = NULL;
    int rc = lex(p);
    if (rc == 0) rc = parse_unary(p, &a);
    p->nesting--;
    if (rc == 0) rc = make(p, out, N_NEG, 0, a, NULL);
    if (rc == 0) (*out)->start = start;
    return rc;
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
        if (is_punct(p, lv->ops[k])) return lv->codes[k];
    return -1;
}

static int parse_binary(parser *p, node **out, const level *lv, int (*next)(parser *, node **))
{
    node *a = NULL, *b = NULL;
    int rc = next(p, &a);
    int op;
    while (rc == 0 && (op = level_op(p, lv)) >= 0) {
        rc = lex(p);
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
    rc = lex(p);
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
        return perr(p, p->tok.start, "comparisons cannot be chained; use 'and'");
    }
    return 0;
}

static int parse_not(parser *p, node **out)
{
    *out = NULL;
    if (!is_word(p, "not")) return parse_cmp(p, out);
    size_t start = p->tok.start;
    if (++p->nesting > LP_EXPR_MAX_DEPTH)
        return perr(p, start, "expression nested too deeply (more than %d levels)",
                    LP_EXPR_MAX_DEPTH);
    node *a = NULL;
    int rc = lex(p);
    if (rc == 0) rc = parse_not(p, &a);
    p->nesting--;
    if (rc == 0) rc = make(p, out, N_NOT, 0, a, NULL);
    if (rc == 0) (*out)->start = start;
    return rc;
}

static int parse_logic(parser *p, node **out, const char *word, node_kind kind,
                       int (*next)(parser *, node **))
{
    node *a = NULL, *b = NULL;
    int rc = next(p, &a);
    while (rc == 0 && is_word(p, word)) {
        rc = lex(p);
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
        return perr(p, p->tok.start, "expression nested too deeply (more than %d levels)",
                    LP_EXPR_MAX_DEPTH);
    int rc = parse_logic(p, out, "or", N_OR, parse_and);
    p->nesting--;
    return rc;
}

/* Ownership: *out is the caller's (lp_expr_free). */
LP_API int lp_expr_parse(lp_expr **out, const char *text, const lp_origin *origin)
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
        rc = perr(&p, 0, "expression is longer than %d characters", LP_EXPR_MAX_LEN);
    if (rc == 0) rc = (e->text = lp_strdup(text)) ? 0 : LP_ENOMEM;
    if (rc == 0) rc = lex(&p);
    if (rc == 0) rc = parse_or(&p, &e->root);
    if (rc == 0 && p.tok.kind != T_EOF) rc = expected(&p, "an operator or end of text");
    if (rc) {
        lp_expr_free(e);
        return rc;
    }
    *out = e;
    return 0;
}

LP_API void lp_expr_free(lp_expr *e)
{
    if (!e) return;
    node_free(e->root);
    free(e->text);
    free(e);
}

/* ---- evaluation -------------------------------------------------------------- */

typedef struct evalctx {
    const lp_expr *e;
    const lp_value *env;
} evalctx;

/* LP_EINVAL at node n: "`sub-expression`: message". Returns NULL for chaining. */
static lp_value *eerr(const evalctx *c, const node *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static lp_value *eerr(const evalctx *c, const node *n, const char *fmt, ...)
{
    lp_sb sb = {0};
    int len = (int)(n->end - n->start);
    lp_sb_appendf(&sb, "`%.*s%s`: ", len > 80 ? 80 : len, c->e->text + n->start,
                  len > 80 ? "..." : "");
    va_list ap;
    va_start(ap, fmt);
    lp_sb_vappendf(&sb, fmt, ap);
    va_end(ap);
    char *msg = lp_sb_take(&sb);
    lp_error_set_at(LP_EINVAL, c->e->file, c->e->line, c->e->col + (int)n->start, "%s", msg);
    free(msg);
    return NULL;
}

static const char *type_of(const lp_value *v)
{
    return lp_value_as_frame(v) ? "frame" : lp_vtype_name(lp_value_type(v));
}

static bool is_num(const lp_value *v)
{
    return lp_value_type(v) == LP_INT || lp_value_type(v) == LP_FLOAT;
}

static lp_value *eval(const evalctx *c, const node *n);

static lp_value *eval_name(const evalctx *c, const node *n)
{
    lp_value *v = lp_map_get(c->env, n->name);
    if (v) return lp_value_ref(v);
    size_t k = lp_map_len(c->env);
    const char **keys = calloc(k ? k : 1, sizeof *keys);
    for (size_t i = 0; keys && i < k; i++)
        keys[i] = lp_map_key(c->env, i);
    const char *hint = keys ? lp_suggest(n->name, keys, k) : NULL;
    eerr(c, n, "unknown name '%s'%s%s%s", n->name, hint ? " (did you mean '" : "", hint ? hint : "",
         hint ? "'?)" : "");
    free(keys);
    return NULL;
}

static lp_value *frame_column(const evalctx *c, const node *n, const lp_frame *f)
{
    if (lp_frame_find(f, n->name) < 0) {
        const char **names = calloc(lp_frame_cols(f) + 1, sizeof *names);
        for (size_t j = 0; names && j < lp_frame_cols(f); j++)
            names[j] = lp_frame_name(f, j);
        const char *hint = names ? lp_suggest(n->name, names, lp_frame_cols(f)) : NULL;
        eerr(c, n, "the frame has no column '%s'%s%s%s", n->name, hint ? " (did you mean '" : "",
             hint ? hint : "", hint ? "'?)" : "");
        free(names);
        return NULL;
    }
    const char *name = n->name;
    lp_frame *one = NULL;
    if (lp_frame_select(&one, f, &name, 1) != 0) return NULL;
    lp_value *v = lp_value_frame(one);
    lp_frame_unref(one);
    return v;
}

static lp_value *eval_field(const evalctx *c, const node *n)
{
    lp_value *base = eval(c, n->a);
    if (!base) return NULL;
    lp_value *out = NULL;
    lp_frame *f = lp_value_as_frame(base);
    if (f) {
        out = frame_column(c, n, f);
    } else if (lp_value_type(base) == LP_MAP) {
        out = lp_value_ref(lp_map_get(base, n->name));
        if (!out) eerr(c, n, "no field '%s' in this map", n->name);
    } else {
        eerr(c, n, "cannot take field '%s' of a %s", n->name, type_of(base));
    }
    lp_value_unref(base);
    return out;
}

static lp_value *eval_index(const evalctx *c, const node *n)
{
    lp_value *base = eval(c, n->a), *idx = base ? eval(c, n->b) : NULL, *out = NULL;
    if (!idx) {
    } else if (lp_value_type(base) == LP_MAP && lp_value_type(idx) == LP_STRING) {
        out = lp_value_ref(lp_map_get(base, lp_value_as_string(idx)));
        if (!out) eerr(c, n, "no key '%s' in this map", lp_value_as_string(idx));
    } else if (lp_value_type(base) != LP_LIST) {
        eerr(c, n, "cannot index a %s (only lists, and maps by string)", type_of(base));
    } else if (lp_value_type(idx) != LP_INT) {
        eerr(c, n, "list index must be an int, found %s", type_of(idx));
    } else if (lp_value_as_int(idx) < 0 || (uint64_t)lp_value_as_int(idx) >= lp_list_len(base)) {
        eerr(c, n, "index %lld is out of range (list has %zu items)",
             (long long)lp_value_as_int(idx), lp_list_len(base));
    } else {
        out = lp_value_ref(lp_list_get(base, (size_t)lp_value_as_int(idx)));
    }
    lp_value_unref(base);
    lp_value_unref(idx);
    return out;
}

/* ---- functions ----------------------------------------------------------------- */

/* The only column of a one-column frame, or NULL with an error. */
static const lp_column *single_column(const evalctx *c, const node *n, const lp_frame *f)
{
    if (lp_frame_cols(f) != 1) {
        eerr(c, n, "%s() needs a frame with one column, this one has %zu (select one: frame.col)",
             func_names[n->op], lp_frame_cols(f));
        return NULL;
    }
    return lp_frame_col(f, 0);
}

/* mean/min/max over a numeric column, ignoring missing values; null when empty. */
static lp_value *column_agg(const evalctx *c, const node *n, const lp_column *col)
{
    if (col->type != LP_DT_FLOAT64 && col->type != LP_DT_INT64) {
        eerr(c, n, "%s() needs a numeric column, found %s", func_names[n->op],
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
        if (!is_num(x))
            return eerr(c, n, "%s() needs numbers, item %zu is a %s", func_names[n->op], i,
                        type_of(x));
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
        return eerr(c, n, "%s() does not take a frame", func_names[n->op]);
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
        if (i == INT64_MIN) return eerr(c, n, "integer overflow");
        return lp_value_int(i < 0 ? -i : i);
    }
    return eerr(c, n, "%s() does not take a %s", func_names[n->op], type_of(x));
}

static lp_value *eval_call(const evalctx *c, const node *n)
{
    lp_value *arg = eval(c, n->a);
    if (!arg) return NULL;
    lp_frame *f = lp_value_as_frame(arg);
    lp_value *out = f ? call_frame(c, n, f) : call_value(c, n, arg);
    lp_value_unref(arg);
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
        if (b == 0) return eerr(c, n, "division by zero");
        r = b == -1 ? 0 : a % b; /* INT64_MIN % -1 traps in C */
    }
    if (over) return eerr(c, n, "integer overflow");
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
        return v ? v : eerr(c, n, "out of memory");
    }
    if (!is_num(a) || !is_num(b))
        return eerr(c, n, "cannot apply an arithmetic operator to %s and %s", type_of(a),
                    type_of(b));
    if (lp_value_type(a) == LP_INT && lp_value_type(b) == LP_INT && n->op != OP_DIV)
        return int_arith(c, n, lp_value_as_int(a), lp_value_as_int(b));
    double x = lp_value_as_float(a), y = lp_value_as_float(b);
    if ((n->op == OP_DIV || n->op == OP_MOD) && y == 0) return eerr(c, n, "division by zero");
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
    if (is_num(a) && is_num(b)) {
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
    if (!ok) return eerr(c, n, "cannot order %s and %s", type_of(a), type_of(b));
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
    lp_value *a = eval(c, n->a), *b = a ? eval(c, n->b) : NULL, *out = NULL;
    if (b) out = n->op >= OP_LT ? compare(c, n, a, b) : arith(c, n, a, b);
    lp_value_unref(a);
    lp_value_unref(b);
    return out;
}

/* Evaluates n->a or n->b and insists on a bool (no truthiness: 0 and "" are errors). */
static int eval_bool(const evalctx *c, const node *n, const node *part, bool *out)
{
    lp_value *v = eval(c, part);
    if (!v) return LP_EINVAL;
    int rc = 0;
    if (lp_value_type(v) != LP_BOOL) {
        eerr(c, n, "'%s' needs a bool, `%.*s` is a %s",
             n->kind == N_AND  ? "and"
             : n->kind == N_OR ? "or"
                               : "not",
             (int)(part->end - part->start), c->e->text + part->start, type_of(v));
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
    lp_value *a = eval(c, n->a), *out = NULL;
    if (!a) return NULL;
    if (lp_value_type(a) == LP_INT && lp_value_as_int(a) != INT64_MIN)
        out = lp_value_int(-lp_value_as_int(a));
    else if (lp_value_type(a) == LP_FLOAT)
        out = lp_value_float(-lp_value_as_float(a));
    else if (lp_value_type(a) == LP_INT)
        eerr(c, n, "integer overflow");
    else
        eerr(c, n, "cannot negate a %s", type_of(a));
    lp_value_unref(a);
    return out;
}

/* New reference or NULL with the error set. */
static lp_value *eval(const evalctx *c, const node *n)
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
        return eval_call(c, n);
    case N_NEG:
        return eval_neg(c, n);
    case N_NOT:
    case N_AND:
    case N_OR:
        return eval_logic(c, n);
    case N_BIN:
        return eval_bin(c, n);
    }
    return eerr(c, n, "internal error: bad node");
}

/* Ownership: *out is a new reference for the caller. */
LP_API int lp_expr_eval(lp_value **out, const lp_expr *e, const lp_value *env)
{
    if (!out) return lp_error_set(LP_EINVAL, "lp_expr_eval: out is NULL");
    *out = NULL;
    if (!e) return lp_error_set(LP_EINVAL, "lp_expr_eval: expression is NULL");
    if (env && lp_value_type(env) != LP_MAP)
        return lp_error_set(LP_EINVAL, "lp_expr_eval: env must be a map, found %s", type_of(env));
    evalctx c = {.e = e, .env = env};
    lp_value *v = eval(&c, e->root);
    if (!v) {
        int code = lp_error_last()->code;
        return code ? code : lp_error_set(LP_EINVAL, "expression evaluation failed");
    }
    *out = v;
    return 0;
}
