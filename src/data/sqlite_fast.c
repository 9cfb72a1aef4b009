/*
 * sqlite_fast.c — single-table SQL projections evaluated over a frame's
 * columns directly (see sqlite_fast.h for the subset).
 *
 * Why not SQLite: for `SELECT *, a + b AS x FROM source` most of the time
 * went to SQLite's VM stepping the virtual table one cell at a time
 * (xColumn per cell, then sqlite3_column_value per cell for the reader).
 *
 * How sameness is kept:
 *  - SQLite prepares the SQL first: bad SQL, unknown columns and SQLite's
 *    error messages stay SQLite's (a failed prepare is "not mine"), and the
 *    result's column names and declared types are read from the prepared
 *    statement, which is never stepped.
 *  - Every sub-expression without a column reference (literals, `-1`,
 *    `1.5e3`, `'a' `, `NULL`, `2 * 3`) is evaluated once by SQLite itself
 *    ("SELECT <its text>"), so literal parsing and constant arithmetic are
 *    SQLite's.
 *  - Operators on column values follow SQLite's VM (vdbe.c OP_Add … OP_Remainder,
 *    OP_Lt …, sqlite3MemCompare, sqlite3IntFloatCompare): NULL in, NULL out;
 *    int64 overflow falls back to REAL; x / 0 and x % 0 are NULL; a NaN result
 *    is NULL; -x is 0 - x.
 *  - Type affinity is avoided, not emulated: each expression carries the set
 *    of storage classes it can yield, and arithmetic, truth tests and
 *    comparisons are accepted only where affinity cannot change a value
 *    (numbers with numbers, texts with texts that no numeric affinity
 *    touches). Everything else is "not mine".
 *  - Values go into the same result reader as SQLite's rows (sqlite_result.c),
 *    so column types are chosen by the same rule.
 * Each result column is evaluated over every row before the next (the
 * expression tree is walked once per row), after WHERE has chosen the rows.
 */
#include <math.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "data/sqlite_fast.h"
#include "data/frame_internal.h"
#include "data/sqlite_frame.h"
#include "lolpop/config.h"

#define MAX_TOKENS 4096
#define MAX_NODES  2048
#define MAX_ARGS   64
#define MAX_DEPTH  100

/* ---- tokens ----------------------------------------------------------------- */

typedef enum {
    T_END,
    T_IDENT,  /* bare word */
    T_QIDENT, /* "x", `x` or [x] */
    T_NUM,
    T_STR,
    T_OP,   /* ( ) , * + - / % ; = == != <> < <= > >= */
    T_OTHER /* anything else: never part of the subset */
} tok_kind;

typedef struct tok {
    tok_kind k;
    const char *p;
    size_t n;
} tok;

static bool is_word_start(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (unsigned char)c >= 0x80;
}

static bool is_word(char c)
{
    return is_word_start(c) || (c >= '0' && c <= '9') || c == '$';
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* The end of a quoted token starting at s (quote q, closing quote e, doubled
 * closing quote as escape when q == e); NULL when it does not end. */
static const char *quoted_end(const char *s, char e, bool doubled)
{
    for (const char *p = s + 1; *p; p++)
        if (*p == e) {
            if (doubled && p[1] == e) {
                p++;
                continue;
            }
            return p + 1;
        }
    return NULL;
}

/* Splits sql into tokens (comments and white space dropped). False when
 * there are too many or a token does not end (SQLite then reports it). */
static bool tokenize(const char *sql, tok *toks, size_t *ntoks)
{
    size_t n = 0;
    const char *s = sql;
    for (;;) {
        while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == '\f')
            s++;
        if (s[0] == '-' && s[1] == '-') {
            while (*s && *s != '\n')
                s++;
            continue;
        }
        if (s[0] == '/' && s[1] == '*') {
            const char *e = strstr(s + 2, "*/");
            s = e ? e + 2 : s + strlen(s);
            continue;
        }
        if (n == MAX_TOKENS) return false;
        tok *t = &toks[n++];
        t->p = s;
        if (!*s) {
            t->k = T_END;
            t->n = 0;
            *ntoks = n;
            return true;
        }
        const char *e = s + 1;
        char c = *s;
        if (is_word_start(c)) {
            while (is_word(*e))
                e++;
            /* x'…' is a blob literal */
            t->k = (e - s == 1 && (c == 'x' || c == 'X') && *e == '\'') ? T_OTHER : T_IDENT;
        } else if (c == '"' || c == '`' || c == '[') {
            e = quoted_end(s, c == '[' ? ']' : c, c != '[');
            if (!e) return false;
            t->k = T_QIDENT;
        } else if (c == '\'') {
            e = quoted_end(s, '\'', true);
            if (!e) return false;
            t->k = T_STR;
        } else if (is_digit(c) || (c == '.' && is_digit(s[1]))) {
            t->k = T_NUM;
            if (c == '0' && (s[1] == 'x' || s[1] == 'X')) {
                e = s + 2;
                while (is_word(*e))
                    e++;
            } else {
                while (is_digit(*e) || *e == '.')
                    e++;
                if ((*e == 'e' || *e == 'E') &&
                    (is_digit(e[1]) || ((e[1] == '+' || e[1] == '-') && is_digit(e[2])))) {
                    e += 2;
                    while (is_digit(*e))
                        e++;
                }
                if (is_word(*e)) t->k = T_OTHER; /* not a number SQLite reads */
            }
        } else if (strchr("(),*+-/%;", c)) {
            t->k = T_OP;
        } else if (c == '=' || c == '<' || c == '>' || c == '!') {
            t->k = T_OP;
            if (e[0] == '=' || (c == '<' && e[0] == '>'))
                e++;
            else if (c == '!' || (c == '<' && e[0] == '<') || (c == '>' && e[0] == '>'))
                t->k = T_OTHER; /* ! alone, << and >> */
        } else {
            t->k = T_OTHER;
        }
        t->n = (size_t)(e - s);
        s = e;
    }
}

/* ---- expressions -------------------------------------------------------------- */

/* Storage classes an expression can yield; M_AFF marks a column whose
 * numeric affinity would convert texts compared with it (a timestamp's). */
enum { M_INT = 1, M_REAL = 2, M_TEXT = 4, M_NULL = 8, M_AFF = 16 };
#define M_NUMS  (M_INT | M_REAL | M_NULL)
#define M_TEXTS (M_TEXT | M_NULL)

typedef enum {
    N_COL,
    N_CONST,
    N_ADD,
    N_SUB,
    N_MUL,
    N_DIV,
    N_REM,
    N_NEG,
    N_EQ,
    N_NE,
    N_LT,
    N_LE,
    N_GT,
    N_GE,
    N_ISNULL,
    N_NOTNULL,
    N_AND,
    N_OR,
    N_NOT,
    N_CASE,    /* kids: when, then, when, then, …, [else] */
    N_COALESCE /* kids: the arguments */
} node_op;

typedef struct node {
    node_op op;
    unsigned mask;
    bool has_col;     /* refers to a column (else constant) */
    int height;       /* 1 + the highest kid's: bounds eval's recursion */
    size_t first, n;  /* kids[first .. first + n) */
    const char *from; /* source text span */
    const char *to;
    const lp_column *col; /* N_COL */
    lp_sql_value val;     /* N_CONST (text owned in `text`) */
    char *text;
    char buf[40]; /* N_COL: a timestamp's text */
} node;

typedef struct parser {
    sqlite3 *db;
    const lp_frame *f;
    const tok *t;
    size_t at;
    node *nodes;
    size_t nnodes;
    size_t *kids;
    size_t nkids;
    int depth;
    bool bail; /* not mine */
    bool oom;
} parser;

static const tok *peek(const parser *p)
{
    return &p->t[p->at];
}

/* Whether token t is the word w (ASCII case ignored). */
static bool tok_is(const tok *t, const char *w)
{
    return t->k == T_IDENT && strlen(w) == t->n && sqlite3_strnicmp(t->p, w, (int)t->n) == 0;
}

static bool op_is(const tok *t, const char *o)
{
    return t->k == T_OP && strlen(o) == t->n && memcmp(t->p, o, t->n) == 0;
}

static bool accept_word(parser *p, const char *w)
{
    if (!tok_is(peek(p), w)) return false;
    p->at++;
    return true;
}

static bool accept_op(parser *p, const char *o)
{
    if (!op_is(peek(p), o)) return false;
    p->at++;
    return true;
}

static size_t bail(parser *p)
{
    p->bail = true;
    return SIZE_MAX;
}

/* A new node of op with kids k[0..n) spanning from..to; SIZE_MAX on bail. */
static size_t add_node(parser *p, node_op op, const size_t *k, size_t n, const char *from,
                       const char *to)
{
    if (p->nnodes == MAX_NODES || p->nkids + n > MAX_NODES * 2) return bail(p);
    node *nd = &p->nodes[p->nnodes];
    memset(nd, 0, sizeof *nd);
    nd->op = op;
    nd->first = p->nkids;
    nd->n = n;
    nd->from = from;
    nd->to = to;
    nd->height = 1;
    for (size_t i = 0; i < n; i++) {
        p->kids[p->nkids++] = k[i];
        nd->has_col = nd->has_col || p->nodes[k[i]].has_col;
        if (p->nodes[k[i]].height >= nd->height) nd->height = p->nodes[k[i]].height + 1;
    }
    if (nd->height > MAX_DEPTH * 2) return bail(p);
    return p->nnodes++;
}

/* The frame column a name resolves to as SQLite resolves it (ASCII case
 * ignored); -1 when none or more than one does. */
static long find_column(const lp_frame *f, const char *name, size_t len)
{
    long found = -1;
    for (size_t j = 0; j < lp_frame_cols(f); j++) {
        const char *c = lp_frame_name(f, j);
        if (strlen(c) == len && sqlite3_strnicmp(c, name, (int)len) == 0) {
            if (found >= 0) return -1;
            found = (long)j;
        }
    }
    return found;
}

static unsigned column_mask(lp_dtype t)
{
    switch (t) {
    case LP_DT_FLOAT64:
        return M_REAL | M_NULL;
    case LP_DT_INT64:
    case LP_DT_BOOL:
        return M_INT | M_NULL;
    case LP_DT_TIMESTAMP:
        return M_TEXT | M_NULL | M_AFF;
    case LP_DT_STRING:
    case LP_DT_CATEGORY:
        break;
    }
    return M_TEXT | M_NULL;
}

/* A column reference from token t; SIZE_MAX (bail) when it is not exactly
 * one frame column, or a bare word SQLite may read as a keyword. */
static size_t column_node(parser *p, const tok *t)
{
    char name[256];
    size_t len = 0;
    if (t->k == T_IDENT) {
        if (sqlite3_keyword_check(t->p, (int)t->n) || t->n >= sizeof name) return bail(p);
        memcpy(name, t->p, t->n);
        len = t->n;
    } else { /* unquote: the closing quote doubled inside is one */
        char close = t->p[0] == '[' ? ']' : t->p[0];
        for (size_t i = 1; i + 1 < t->n; i++) {
            if (len + 1 >= sizeof name) return bail(p);
            name[len++] = t->p[i];
            if (t->p[i] == close && close != ']') i++;
        }
    }
    long j = find_column(p->f, name, len);
    if (j < 0) return bail(p);
    size_t id = add_node(p, N_COL, NULL, 0, t->p, t->p + t->n);
    if (id == SIZE_MAX) return id;
    node *nd = &p->nodes[id];
    nd->col = lp_frame_col(p->f, (size_t)j);
    nd->mask = column_mask(nd->col->type);
    nd->has_col = true;
    return id;
}

static size_t parse_expr(parser *p);
static size_t parse_compare(parser *p);

/* CASE WHEN c THEN v … [ELSE v] END (the searched form only). */
static size_t parse_case(parser *p, const char *from)
{
    size_t k[MAX_ARGS];
    size_t n = 0;
    if (!tok_is(peek(p), "WHEN")) return bail(p);
    while (accept_word(p, "WHEN")) {
        if (n + 3 > MAX_ARGS) return bail(p);
        k[n++] = parse_expr(p);
        if (p->bail || !accept_word(p, "THEN")) return bail(p);
        k[n++] = parse_expr(p);
        if (p->bail) return SIZE_MAX;
    }
    if (accept_word(p, "ELSE")) {
        k[n++] = parse_expr(p);
        if (p->bail) return SIZE_MAX;
    }
    const tok *end = peek(p);
    if (!accept_word(p, "END")) return bail(p);
    return add_node(p, N_CASE, k, n, from, end->p + end->n);
}

/* COALESCE(a, b, …) or IFNULL(a, b); SQLite's prepare has checked the count. */
static size_t parse_coalesce(parser *p, const char *from)
{
    size_t k[MAX_ARGS];
    size_t n = 0;
    do {
        if (n == MAX_ARGS) return bail(p);
        k[n++] = parse_expr(p);
        if (p->bail) return SIZE_MAX;
    } while (accept_op(p, ","));
    const tok *close = peek(p);
    if (!accept_op(p, ")") || n < 2) return bail(p);
    return add_node(p, N_COALESCE, k, n, from, close->p + close->n);
}

static size_t parse_primary(parser *p)
{
    const tok *t = peek(p);
    size_t id = SIZE_MAX;
    if (t->k == T_NUM || t->k == T_STR || tok_is(t, "NULL")) {
        p->at++;
        id = add_node(p, N_CONST, NULL, 0, t->p, t->p + t->n);
    } else if (tok_is(t, "CASE")) {
        p->at++;
        id = parse_case(p, t->p);
    } else if (t->k == T_IDENT && op_is(&p->t[p->at + 1], "(")) {
        if (!tok_is(t, "COALESCE") && !tok_is(t, "IFNULL")) return bail(p);
        p->at += 2;
        id = parse_coalesce(p, t->p);
    } else if (t->k == T_IDENT || t->k == T_QIDENT) {
        p->at++;
        id = column_node(p, t);
    } else if (op_is(t, "(")) {
        p->at++;
        size_t inner = parse_expr(p);
        const tok *close = peek(p);
        if (p->bail || !accept_op(p, ")")) return bail(p);
        /* parentheses make no node in SQLite either; the span takes them in */
        p->nodes[inner].from = t->p;
        p->nodes[inner].to = close->p + close->n;
        id = inner;
    } else {
        return bail(p);
    }
    return id;
}

static size_t parse_unary(parser *p)
{
    const tok *t = peek(p);
    if (op_is(t, "-")) {
        p->at++;
        if (++p->depth > MAX_DEPTH) return bail(p);
        size_t x = parse_unary(p);
        p->depth--;
        if (p->bail) return SIZE_MAX;
        return add_node(p, N_NEG, &x, 1, t->p, p->nodes[x].to);
    }
    return parse_primary(p);
}

/* An operator of a binary level and the node it makes. */
typedef struct bin_op {
    const char *text;
    node_op op;
} bin_op;

/* One left-associative binary level: operands parsed by `next`, operators
 * from ops (ended by a NULL text). */
static size_t parse_level(parser *p, size_t (*next)(parser *), const bin_op *ops)
{
    size_t l = next(p);
    for (;;) {
        if (p->bail) return SIZE_MAX;
        const bin_op *o = ops;
        while (o->text && !accept_op(p, o->text))
            o++;
        if (!o->text) return l;
        size_t k[2] = {l, next(p)};
        if (p->bail) return SIZE_MAX;
        l = add_node(p, o->op, k, 2, p->nodes[l].from, p->nodes[k[1]].to);
    }
}

static size_t parse_mul(parser *p)
{
    static const bin_op ops[] = {{"*", N_MUL}, {"/", N_DIV}, {"%", N_REM}, {NULL, N_MUL}};
    return parse_level(p, parse_unary, ops);
}

static size_t parse_add(parser *p)
{
    static const bin_op ops[] = {{"+", N_ADD}, {"-", N_SUB}, {NULL, N_ADD}};
    return parse_level(p, parse_mul, ops);
}

static size_t parse_rel(parser *p)
{
    static const bin_op ops[] = {
        {"<", N_LT}, {"<=", N_LE}, {">", N_GT}, {">=", N_GE}, {NULL, N_LT}};
    return parse_level(p, parse_add, ops);
}

/* = == != <> and IS [NOT] NULL (IS with anything but a lone NULL bails). */
static size_t parse_compare(parser *p)
{
    size_t l = parse_rel(p);
    for (;;) {
        if (p->bail) return SIZE_MAX;
        node_op op;
        if (accept_op(p, "=") || accept_op(p, "=="))
            op = N_EQ;
        else if (accept_op(p, "!=") || accept_op(p, "<>"))
            op = N_NE;
        else if (accept_word(p, "IS")) {
            op = accept_word(p, "NOT") ? N_NOTNULL : N_ISNULL;
            const tok *t = peek(p);
            size_t r = parse_rel(p);
            if (p->bail || p->nodes[r].op != N_CONST || !tok_is(t, "NULL") ||
                p->nodes[r].to != t->p + t->n)
                return bail(p);
            l = add_node(p, op, &l, 1, p->nodes[l].from, t->p + t->n);
            continue;
        } else
            return l;
        size_t k[2] = {l, parse_rel(p)};
        if (p->bail) return SIZE_MAX;
        l = add_node(p, op, k, 2, p->nodes[l].from, p->nodes[k[1]].to);
    }
}

static size_t parse_not(parser *p)
{
    const tok *t = peek(p);
    if (accept_word(p, "NOT")) {
        if (++p->depth > MAX_DEPTH) return bail(p);
        size_t x = parse_not(p);
        p->depth--;
        if (p->bail) return SIZE_MAX;
        return add_node(p, N_NOT, &x, 1, t->p, p->nodes[x].to);
    }
    return parse_compare(p);
}

static size_t parse_and(parser *p)
{
    size_t l = parse_not(p);
    while (!p->bail && accept_word(p, "AND")) {
        size_t k[2] = {l, parse_not(p)};
        if (p->bail) return SIZE_MAX;
        l = add_node(p, N_AND, k, 2, p->nodes[l].from, p->nodes[k[1]].to);
    }
    return p->bail ? SIZE_MAX : l;
}

static size_t parse_expr(parser *p)
{
    if (++p->depth > MAX_DEPTH) return bail(p);
    size_t l = parse_and(p);
    while (!p->bail && accept_word(p, "OR")) {
        size_t k[2] = {l, parse_and(p)};
        if (p->bail) return SIZE_MAX;
        l = add_node(p, N_OR, k, 2, p->nodes[l].from, p->nodes[k[1]].to);
    }
    p->depth--;
    return p->bail ? SIZE_MAX : l;
}

/* ---- checking: constants through SQLite, storage classes ------------------ */

/* Evaluates constant node nd by SQLite ("SELECT <its text>"). False: bail. */
static bool eval_const(parser *p, node *nd)
{
    char *sql = lp_asprintf("SELECT %.*s", (int)(nd->to - nd->from), nd->from);
    if (!sql) {
        p->oom = true;
        return false;
    }
    sqlite3_stmt *st = NULL;
    bool ok = sqlite3_prepare_v2(p->db, sql, -1, &st, NULL) == SQLITE_OK && st &&
              sqlite3_step(st) == SQLITE_ROW;
    free(sql);
    if (ok) {
        int t = sqlite3_column_type(st, 0);
        nd->val.type = t;
        if (t == SQLITE_INTEGER) {
            nd->val.i = sqlite3_column_int64(st, 0);
            nd->mask = M_INT;
        } else if (t == SQLITE_FLOAT) {
            nd->val.f = sqlite3_column_double(st, 0);
            nd->mask = M_REAL;
        } else if (t == SQLITE_TEXT) {
            const char *s = (const char *)sqlite3_column_text(st, 0);
            size_t len = (size_t)sqlite3_column_bytes(st, 0);
            nd->text = malloc(len + 1);
            if (!nd->text) {
                p->oom = true;
                ok = false;
            } else {
                if (len) memcpy(nd->text, s, len);
                nd->text[len] = 0;
                nd->val.s = nd->text;
                nd->val.len = len;
                nd->mask = M_TEXT;
            }
        } else if (t == SQLITE_NULL) {
            nd->mask = M_NULL;
        } else {
            ok = false; /* a blob */
        }
    }
    sqlite3_finalize(st);
    nd->op = N_CONST;
    nd->n = 0;
    return ok;
}

static bool within(unsigned m, unsigned allowed)
{
    return (m & ~allowed) == 0;
}

/* Folds constants and sets every node's mask, bottom up (kids come before
 * their parent in p->nodes). False: not mine. */
static bool check_nodes(parser *p)
{
    for (size_t id = 0; id < p->nnodes; id++) {
        node *nd = &p->nodes[id];
        if (nd->op == N_COL) continue;
        if (!nd->has_col) {
            if (!eval_const(p, nd)) return false;
            continue;
        }
        const size_t *k = &p->kids[nd->first];
        unsigned a = p->nodes[k[0]].mask, b = nd->n > 1 ? p->nodes[k[1]].mask : 0;
        switch (nd->op) {
        case N_ADD:
        case N_SUB:
        case N_MUL:
        case N_DIV:
        case N_REM:
            if (!within(a, M_NUMS) || !within(b, M_NUMS)) return false;
            /* int op int may overflow to REAL; / and % by zero give NULL */
            nd->mask = M_INT | M_REAL | M_NULL;
            break;
        case N_NEG:
            if (!within(a, M_NUMS)) return false;
            nd->mask = M_INT | M_REAL | M_NULL;
            break;
        case N_EQ:
        case N_NE:
        case N_LT:
        case N_LE:
        case N_GT:
        case N_GE:
            if (!((within(a, M_NUMS) && within(b, M_NUMS)) ||
                  (within(a, M_TEXTS) && within(b, M_TEXTS))))
                return false;
            nd->mask = M_INT | M_NULL;
            break;
        case N_ISNULL:
        case N_NOTNULL:
            nd->mask = M_INT;
            break;
        case N_AND:
        case N_OR:
        case N_NOT:
            for (size_t i = 0; i < nd->n; i++)
                if (!within(p->nodes[k[i]].mask, M_NUMS)) return false;
            nd->mask = M_INT | M_NULL;
            break;
        case N_CASE:
            nd->mask = nd->n % 2 ? 0 : M_NULL; /* no ELSE: NULL when nothing matches */
            for (size_t i = 0; i < nd->n; i++) {
                unsigned m = p->nodes[k[i]].mask;
                if (i % 2 == 0 && i + 1 < nd->n) {
                    if (!within(m, M_NUMS)) return false; /* a WHEN's truth */
                } else {
                    nd->mask |= m & ~M_AFF; /* a copied value has no affinity */
                }
            }
            break;
        case N_COALESCE:
            nd->mask = 0;
            for (size_t i = 0; i < nd->n; i++)
                nd->mask |= p->nodes[k[i]].mask & ~M_AFF;
            break;
        case N_COL:
        case N_CONST:
            break;
        }
    }
    return true;
}

/* ---- evaluation, as SQLite's VM does it ------------------------------------- */

static void set_null(lp_sql_value *v)
{
    v->type = SQLITE_NULL;
}

static void set_int(lp_sql_value *v, int64_t i)
{
    v->type = SQLITE_INTEGER;
    v->i = i;
}

static void set_real(lp_sql_value *v, double d)
{
    if (isnan(d)) { /* SQLite: a NaN result is NULL */
        v->type = SQLITE_NULL;
        return;
    }
    v->type = SQLITE_FLOAT;
    v->f = d;
}

static double real_of(const lp_sql_value *v)
{
    return v->type == SQLITE_INTEGER ? (double)v->i : v->f;
}

/* sqlite3VdbeIntValue of a number: a REAL is truncated, clamped to int64. */
static int64_t int_of(const lp_sql_value *v)
{
    if (v->type == SQLITE_INTEGER) return v->i;
    double r = v->f;
    if (r <= (double)INT64_MIN) return INT64_MIN;
    if (r >= (double)INT64_MAX) return INT64_MAX;
    return (int64_t)r;
}

/* OP_Add, OP_Subtract, OP_Multiply, OP_Divide, OP_Remainder on two
 * non-NULL numbers l op r. */
static void arith(node_op op, const lp_sql_value *l, const lp_sql_value *r, lp_sql_value *out)
{
    if (l->type == SQLITE_INTEGER && r->type == SQLITE_INTEGER) {
        int64_t a = l->i, b = r->i, x;
        switch (op) {
        case N_ADD:
            if (!__builtin_add_overflow(a, b, &x)) {
                set_int(out, x);
                return;
            }
            break;
        case N_SUB:
            if (!__builtin_sub_overflow(a, b, &x)) {
                set_int(out, x);
                return;
            }
            break;
        case N_MUL:
            if (!__builtin_mul_overflow(a, b, &x)) {
                set_int(out, x);
                return;
            }
            break;
        case N_DIV:
            if (b == 0) {
                set_null(out);
                return;
            }
            if (b == -1 && a == INT64_MIN) break; /* to REAL */
            {
                set_int(out, a / b);
                return;
            }
        default: /* N_REM */
            if (b == 0) {
                set_null(out);
                return;
            }
            if (b == -1) b = 1;
            {
                set_int(out, a % b);
                return;
            }
        }
    }
    double a = real_of(l), b = real_of(r);
    switch (op) {
    case N_ADD: {
        set_real(out, a + b);
        return;
    }
    case N_SUB: {
        set_real(out, a - b);
        return;
    }
    case N_MUL: {
        set_real(out, a * b);
        return;
    }
    case N_DIV:
        if (b == 0.0) {
            set_null(out);
            return;
        }
        {
            set_real(out, a / b);
            return;
        }
    default: { /* N_REM: on the values as integers, a REAL result */
        int64_t ia = int_of(l), ib = int_of(r);
        if (ib == 0) {
            set_null(out);
            return;
        }
        if (ib == -1) ib = 1;
        {
            set_real(out, (double)(ia % ib));
            return;
        }
    }
    }
}

/* Whether SQLite compares an integer with a real in long double. Before 3.43
 * it did so whenever long double is wider than double (a compile-time
 * choice); since then only when long double really holds more digits at run
 * time (its hasHighPrecisionDouble). On x86-64 the 80-bit long double holds
 * every int64 exactly, so either way the answer is the exact one; only where
 * long double is not really wider (valgrind computes it in 64 bits) does SQLite
 * 3.40 answer differently, and then the fast path must answer as it does. */
static bool compares_in_long_double(void)
{
    if (sizeof(long double) <= sizeof(double)) return false;
    if (sqlite3_libversion_number() < 3043000) return true;
    volatile int64_t probe = 9007199254740993; /* 2^53 + 1: not a double */
    return (long double)probe != (long double)(double)probe;
}

/* sqlite3IntFloatCompare. */
static int int_real_cmp(int64_t i, double r)
{
    static atomic_int known = -1; /* -1: not asked yet; every thread finds the same answer */
    int long_double = atomic_load_explicit(&known, memory_order_relaxed);
    if (long_double < 0) {
        long_double = compares_in_long_double();
        atomic_store_explicit(&known, long_double, memory_order_relaxed);
    }
    if (long_double) {
        long double x = (long double)i;
        return x < r ? -1 : x > r;
    }
    if (r < -9223372036854775808.0) return 1;
    if (r >= 9223372036854775808.0) return -1;
    int64_t y = (int64_t)r;
    if (i < y) return -1;
    if (i > y) return 1;
    double s = (double)i;
    return s < r ? -1 : s > r;
}

/* sqlite3MemCompare of two non-NULL numbers or two texts (BINARY). */
static int compare(const lp_sql_value *a, const lp_sql_value *b)
{
    if (a->type == SQLITE_TEXT) {
        size_t n = a->len < b->len ? a->len : b->len;
        int c = n ? memcmp(a->s, b->s, n) : 0;
        if (c) return c;
        return a->len < b->len ? -1 : a->len > b->len;
    }
    if (a->type == SQLITE_INTEGER && b->type == SQLITE_INTEGER)
        return a->i < b->i ? -1 : a->i > b->i;
    if (a->type == SQLITE_FLOAT && b->type == SQLITE_FLOAT) return a->f < b->f ? -1 : a->f > b->f;
    if (a->type == SQLITE_INTEGER) return int_real_cmp(a->i, b->f);
    return -int_real_cmp(b->i, a->f);
}

/* A number's truth (sqlite3VdbeBooleanValue); -1 for NULL. */
static int truth(const lp_sql_value *v)
{
    if (v->type == SQLITE_NULL) return -1;
    return v->type == SQLITE_INTEGER ? v->i != 0 : v->f != 0.0;
}

static void eval(node *nodes, const size_t *kids, size_t id, size_t row, lp_sql_value *out)
{
    node *nd = &nodes[id];
    const size_t *k = &kids[nd->first];
    lp_sql_value a, b;
    switch (nd->op) {
    case N_COL:
        lp_sqlite_cell_value(nd->col, row, out, nd->buf);
        return;
    case N_CONST:
        *out = nd->val;
        return;
    case N_ADD:
    case N_SUB:
    case N_MUL:
    case N_DIV:
    case N_REM:
        eval(nodes, kids, k[0], row, &a);
        eval(nodes, kids, k[1], row, &b);
        if (a.type == SQLITE_NULL || b.type == SQLITE_NULL) {
            set_null(out);
            return;
        }
        {
            arith(nd->op, &a, &b, out);
            return;
        }
    case N_NEG: /* SQLite codes -x as 0 - x */
        eval(nodes, kids, k[0], row, &b);
        if (b.type == SQLITE_NULL) {
            set_null(out);
            return;
        }
        set_int(&a, 0);
        {
            arith(N_SUB, &a, &b, out);
            return;
        }
    case N_EQ:
    case N_NE:
    case N_LT:
    case N_LE:
    case N_GT:
    case N_GE: {
        eval(nodes, kids, k[0], row, &a);
        eval(nodes, kids, k[1], row, &b);
        if (a.type == SQLITE_NULL || b.type == SQLITE_NULL) {
            set_null(out);
            return;
        }
        int c = compare(&a, &b);
        bool r = nd->op == N_EQ   ? c == 0
                 : nd->op == N_NE ? c != 0
                 : nd->op == N_LT ? c < 0
                 : nd->op == N_LE ? c <= 0
                 : nd->op == N_GT ? c > 0
                                  : c >= 0;
        {
            set_int(out, r);
            return;
        }
    }
    case N_ISNULL:
    case N_NOTNULL:
        eval(nodes, kids, k[0], row, &a);
        {
            set_int(out, (a.type == SQLITE_NULL) == (nd->op == N_ISNULL));
            return;
        }
    case N_AND:
    case N_OR: {
        eval(nodes, kids, k[0], row, &a);
        eval(nodes, kids, k[1], row, &b);
        int x = truth(&a), y = truth(&b);
        if (nd->op == N_AND) {
            if (x == 0 || y == 0) {
                set_int(out, 0);
                return;
            }
        } else if (x == 1 || y == 1) {
            {
                set_int(out, 1);
                return;
            }
        }
        if (x < 0 || y < 0) {
            set_null(out);
            return;
        }
        {
            set_int(out, nd->op == N_AND);
            return;
        }
    }
    case N_NOT: {
        eval(nodes, kids, k[0], row, &a);
        int x = truth(&a);
        if (x < 0) {
            set_null(out);
            return;
        }
        {
            set_int(out, !x);
            return;
        }
    }
    case N_CASE:
        for (size_t i = 0; i + 1 < nd->n; i += 2) {
            eval(nodes, kids, k[i], row, &a);
            if (truth(&a) == 1) {
                eval(nodes, kids, k[i + 1], row, out);
                return;
            }
        }
        if (nd->n % 2) {
            eval(nodes, kids, k[nd->n - 1], row, out);
            return;
        }
        {
            set_null(out);
            return;
        }
    case N_COALESCE:
        for (size_t i = 0; i < nd->n; i++) {
            eval(nodes, kids, k[i], row, out);
            if (out->type != SQLITE_NULL) return;
        }
        return;
    }
}

/* ---- the statement ------------------------------------------------------------ */

/* Whether token t names `table` (ASCII case ignored, quotes removed). */
static bool names_table(const tok *t, const char *table)
{
    size_t n = strlen(table);
    if (t->k == T_IDENT) return t->n == n && sqlite3_strnicmp(t->p, table, (int)n) == 0;
    if (t->k != T_QIDENT || t->n != n + 2) return false; /* an escaped quote: not mine */
    return memchr(t->p + 1, t->p[0], n) == NULL && sqlite3_strnicmp(t->p + 1, table, (int)n) == 0;
}

/* SELECT item, … FROM table [WHERE e] [;…]: items[] are node ids (SIZE_MAX
 * for `*`), *where_id the WHERE's or SIZE_MAX. False: not mine. */
static bool parse_select(parser *p, const char *table, size_t *items, size_t *nitems,
                         size_t *where_id)
{
    if (!accept_word(p, "SELECT")) return false;
    size_t n = 0;
    do {
        if (n == MAX_ARGS * 16) return false;
        if (accept_op(p, "*")) {
            items[n++] = SIZE_MAX;
            continue;
        }
        items[n++] = parse_expr(p);
        if (p->bail) return false;
        if (accept_word(p, "AS")) {
            const tok *t = peek(p);
            if (t->k != T_IDENT && t->k != T_QIDENT && t->k != T_STR) return false;
            p->at++;
        }
    } while (accept_op(p, ","));
    *nitems = n;
    if (!accept_word(p, "FROM") || !names_table(peek(p), table)) return false;
    p->at++;
    *where_id = SIZE_MAX;
    if (accept_word(p, "WHERE")) {
        *where_id = parse_expr(p);
        if (p->bail) return false;
    }
    while (accept_op(p, ";")) {
    }
    return peek(p)->k == T_END;
}

typedef struct fast_query {
    parser p;
    tok *toks;
    size_t items[MAX_ARGS * 16];
    size_t nitems, where_id;
    sqlite3_stmt *st;
} fast_query;

static void fast_free(fast_query *q)
{
    for (size_t i = 0; q->p.nodes && i < q->p.nnodes; i++)
        free(q->p.nodes[i].text);
    free(q->p.nodes);
    free(q->p.kids);
    free(q->toks);
    sqlite3_finalize(q->st);
}

/* Whether the tree under id holds an OR. A WHERE with OR may be run by SQLite
 * as one index lookup per OR term (the virtual table serves equalities), which
 * returns the rows in another order than the frame's: not mine. */
static bool has_or(const parser *p, size_t id)
{
    const node *nd = &p->nodes[id];
    if (nd->op == N_OR) return true;
    for (size_t i = 0; i < nd->n; i++)
        if (has_or(p, p->kids[nd->first + i])) return true;
    return false;
}

/* Parses and checks sql; false: not mine (or q->p.oom). */
static bool fast_prepare(fast_query *q, sqlite3 *db, const char *sql, const char *table,
                         const lp_frame *f)
{
    size_t ntoks = 0;
    q->toks = malloc(MAX_TOKENS * sizeof *q->toks);
    q->p.nodes = malloc(MAX_NODES * sizeof *q->p.nodes);
    q->p.kids = malloc(MAX_NODES * 2 * sizeof *q->p.kids);
    q->p.db = db;
    q->p.f = f;
    if (!q->toks || !q->p.nodes || !q->p.kids) {
        q->p.oom = true;
        return false;
    }
    if (!tokenize(sql, q->toks, &ntoks)) return false;
    q->p.t = q->toks;
    if (!parse_select(&q->p, table, q->items, &q->nitems, &q->where_id)) return false;
    /* SQLite's own parse: errors are its to report; names and declared types are its */
    const char *tail = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &q->st, &tail) != SQLITE_OK || !q->st) return false;
    size_t ncol = 0;
    for (size_t i = 0; i < q->nitems; i++)
        ncol += q->items[i] == SIZE_MAX ? lp_frame_cols(f) : 1;
    if (ncol != (size_t)sqlite3_column_count(q->st)) return false;
    if (!check_nodes(&q->p)) return false;
    return q->where_id == SIZE_MAX ||
           (within(q->p.nodes[q->where_id].mask, M_NUMS) && !has_or(&q->p, q->where_id));
}

/* The rows WHERE keeps (all when there is none): a new array of *n row
 * numbers, or NULL on no memory. */
static size_t *kept_rows(fast_query *q, size_t rows, size_t *n)
{
    size_t *keep = malloc((rows ? rows : 1) * sizeof *keep);
    if (!keep) return NULL;
    *n = 0;
    for (size_t row = 0; row < rows; row++) {
        lp_sql_value v;
        if (q->where_id != SIZE_MAX) {
            eval(q->p.nodes, q->p.kids, q->where_id, row, &v);
            if (truth(&v) != 1) continue;
        }
        keep[(*n)++] = row;
    }
    return keep;
}

/* Rows keep[0..n) of string column c as the reader builds them from TEXT
 * cells: the bytes of valid rows, missing rows empty. NULL when a value is not
 * UTF-8 (the reader's per-cell path reports it) or on no memory. */
static lp_column *pass_strings(const lp_column *c, const size_t *keep, size_t n)
{
    const int64_t *o = c->data.str.offsets;
    size_t total = 0;
    for (size_t k = 0; k < n; k++)
        if (lp_column_is_valid(c, keep[k])) total += (size_t)(o[keep[k] + 1] - o[keep[k]]);
    lp_column *out = lp_column_new_string(n, total);
    if (!out) return NULL;
    int64_t pos = 0;
    for (size_t k = 0; k < n; k++) {
        size_t i = keep[k];
        out->data.str.offsets[k] = pos;
        if (!lp_column_is_valid(c, i)) continue;
        size_t len = (size_t)(o[i + 1] - o[i]);
        const char *p = c->data.str.bytes + o[i];
        if (!lp_utf8_valid(p, len, NULL)) {
            lp_column_unref(out);
            return NULL;
        }
        if (len) memcpy(out->data.str.bytes + pos, p, len);
        pos += (int64_t)len;
    }
    out->data.str.offsets[n] = pos;
    return out;
}

/* Rows keep[0..n) of frame column c exactly as the result reader builds them
 * from the virtual table's cells when the declared type is c's own (REAL,
 * INTEGER, BOOLEAN, TEXT over float64, int64, bool, string): the same values,
 * NULL and NaN rows missing with a zero value or empty text, as the builder
 * writes them. NULL: another case (category, timestamp, another declared
 * type, text that is not UTF-8) or no memory: the caller pushes the cells. */
/* Whether pass_column over every row of c would build c itself: a numeric or
 * bool column without missing values (no bitmap, no NaN) whose bools are 0 or
 * 1. Such a column is shared, not copied: the result is the same bytes, and
 * neither frame writes to a column once it is shared. */
static bool passes_unchanged(const lp_column *c)
{
    if (c->validity || c->null_count) return false;
    for (size_t i = 0; i < c->length; i++)
        if ((c->type == LP_DT_FLOAT64 && isnan(c->data.f64[i])) ||
            (c->type == LP_DT_BOOL && c->data.b8[i] > 1))
            return false;
    return c->type == LP_DT_FLOAT64 || c->type == LP_DT_INT64 || c->type == LP_DT_BOOL;
}

static lp_column *pass_column(const lp_column *c, lp_dtype decl, const size_t *keep, size_t n)
{
    if (decl != c->type) return NULL;
    /* keep is increasing, so n == length means every row in order */
    if (n == c->length && passes_unchanged(c)) return lp_column_ref((lp_column *)(uintptr_t)c);
    lp_column *out = NULL;
    switch (c->type) {
    case LP_DT_STRING:
        out = pass_strings(c, keep, n);
        break;
    case LP_DT_FLOAT64:
    case LP_DT_INT64:
    case LP_DT_BOOL:
        out = lp_column_new(c->type, n); /* zero-filled */
        break;
    case LP_DT_TIMESTAMP:
    case LP_DT_CATEGORY:
        return NULL;
    }
    for (size_t k = 0; out && k < n; k++) {
        size_t i = keep[k];
        bool valid =
            lp_column_is_valid(c, i) && !(c->type == LP_DT_FLOAT64 && isnan(c->data.f64[i]));
        if (!valid) {
            if (lp_column_set_null(out, k) != 0) {
                lp_column_unref(out);
                out = NULL;
            }
        } else if (c->type == LP_DT_FLOAT64) {
            out->data.f64[k] = c->data.f64[i];
        } else if (c->type == LP_DT_INT64) {
            out->data.i64[k] = c->data.i64[i];
        } else if (c->type == LP_DT_BOOL) {
            out->data.b8[k] = c->data.b8[i] ? 1 : 0;
        }
    }
    return out;
}

/* Result column j from frame column c: whole when pass_column can, else cell
 * by cell. False on no memory. */
static bool push_column(lp_sql_reader *r, int j, const lp_column *c, const size_t *keep, size_t n)
{
    lp_dtype decl;
    lp_column *col = lp_sql_reader_decl(r, j, &decl) ? pass_column(c, decl, keep, n) : NULL;
    if (col) {
        lp_sql_reader_set_column(r, j, col);
        return true;
    }
    char buf[40];
    lp_sql_value v;
    for (size_t k = 0; k < n; k++) {
        lp_sqlite_cell_value(c, keep[k], &v, buf);
        if (!lp_sql_reader_push(r, j, &v)) return false;
    }
    return true;
}

/* Evaluates the result one column at a time (each result column's reader is
 * independent of the others, so the order of pushes across columns does not
 * matter) over the rows WHERE keeps. */
static int fast_run(fast_query *q, const lp_frame *f, lp_frame **out, const char *where)
{
    size_t n = 0;
    size_t *keep = kept_rows(q, lp_frame_rows(f), &n);
    lp_sql_reader *r = keep ? lp_sql_reader_new(q->st, true) : NULL;
    if (!r) {
        free(keep);
        return lp_error_set(LP_ENOMEM, "%s: out of memory", where);
    }
    bool ok = true;
    int j = 0;
    for (size_t i = 0; ok && i < q->nitems; i++) {
        size_t id = q->items[i];
        if (id == SIZE_MAX) { /* `*` */
            for (size_t c = 0; ok && c < lp_frame_cols(f); c++)
                ok = push_column(r, j++, lp_frame_col(f, c), keep, n);
        } else if (q->p.nodes[id].op == N_COL) {
            ok = push_column(r, j++, q->p.nodes[id].col, keep, n);
        } else {
            lp_sql_value v;
            for (size_t k = 0; ok && k < n; k++) {
                eval(q->p.nodes, q->p.kids, id, keep[k], &v);
                ok = lp_sql_reader_push(r, j, &v);
            }
            j++;
        }
    }
    free(keep);
    int rc = ok ? lp_sql_reader_finish(r, q->st, out, where)
                : lp_error_set(LP_ENOMEM, "%s: out of memory reading the result", where);
    lp_sql_reader_free(r);
    return rc;
}

int lp_sqlite_fast_query(lp_frame **out, sqlite3 *db, const char *sql, const char *table,
                         const lp_frame *f, const char *where, bool *handled)
{
    *out = NULL;
    *handled = false;
    fast_query *q = calloc(1, sizeof *q);
    if (!q) return lp_error_set(LP_ENOMEM, "%s: out of memory", where);
    int rc = 0;
    if (fast_prepare(q, db, sql, table, f)) {
        *handled = true;
        rc = fast_run(q, f, out, where);
    } else if (q->p.oom) {
        rc = lp_error_set(LP_ENOMEM, "%s: out of memory", where);
    }
    fast_free(q);
    free(q);
    return rc;
}
