/*
 * expr_internal.h — what the parts of the expression language share: the
 * syntax tree, the token and parser state, and the evaluation context.
 * Private to src/expr/expr_*.c.
 */
#ifndef LP_EXPR_INTERNAL_H
#define LP_EXPR_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "expr.h"
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

/* Function names, indexed by func_id. */
extern const char *const expr_func_names[];
extern const size_t expr_func_count;

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

/* ---- lexer (expr_lex.c) ---- */

/* LP_ECONFIG at byte offset `at` of the text (file:line:col); returns LP_ECONFIG. */
int expr_perr(const parser *p, size_t at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* "expected X, found Y" at the current token; returns LP_ECONFIG. */
int expr_expected(const parser *p, const char *what);
/* Reads the next token into p->tok; 0 or LP_ECONFIG. */
int expr_lex(parser *p);
bool expr_is_punct(const parser *p, const char *x);
bool expr_is_word(const parser *p, const char *w);

/* ---- evaluation (expr_eval.c, expr_func.c) ---- */

typedef struct evalctx {
    const lp_expr *e;
    const lp_value *env;
} evalctx;

/* LP_EINVAL at node n: "`sub-expression`: message". Returns NULL for chaining. */
lp_value *expr_eerr(const evalctx *c, const node *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* "frame" or the value type's name. Static string. */
const char *expr_type_of(const lp_value *v);
bool expr_is_num(const lp_value *v);
/* Evaluates n: a new reference, or NULL with the error set. */
lp_value *expr_eval_node(const evalctx *c, const node *n);
/* Whether function f also takes the form f(frame, 'column'). */
bool expr_func_takes_column(int f);
/* A function call node (N_CALL). New reference or NULL with the error set. */
lp_value *expr_eval_call(const evalctx *c, const node *n);
/* Column `name` of f as a one-column frame (errors point at n). New reference or NULL. */
lp_value *expr_frame_column(const evalctx *c, const node *n, const lp_frame *f, const char *name);

#endif
