/*
 * expr.h — the check-expression language of workflow tests (SPEC §8).
 *
 *   check: "rows(result) > 100 and result.metrics.valid.f1 >= 0.7"
 *
 * Literals (ints, floats, "strings"/'strings', true, false, null), names
 * looked up in an environment map, field access (map keys; a frame's `.col`
 * is a one-column frame), list indexing, unary - and not, * / %, + -,
 * comparisons, and/or (short-circuit), parentheses and a fixed set of
 * functions: rows cols len nulls mean min max distinct abs.
 * Internal API (not installed); unit tests and fuzzers link the internal library.
 */
#ifndef LP_EXPR_H
#define LP_EXPR_H

#include "core/internal.h"
#include "lolpop/value.h"

#define LP_EXPR_MAX_DEPTH 64
#define LP_EXPR_MAX_LEN   4096

typedef struct lp_expr lp_expr;

/* Parses text. `origin` (may be NULL) is where the text starts in a config
 * file: errors are LP_ECONFIG at file:line:(col + offset) naming what was
 * expected and what was found. *out owned by caller (lp_expr_free); NULL on
 * error. */
int lp_expr_parse(lp_expr **out, const char *text, const lp_origin *origin);
/* Evaluates against env (a map with keys such as args, result, config).
 * *out new ref (NULL on error). Errors: LP_EINVAL naming the sub-expression. */
int lp_expr_eval(lp_value **out, const lp_expr *e, const lp_value *env);
/* Why a check came out false, as "`rows(result)` is 412" for the sides of
 * the (first false) comparison; NULL when there is nothing to say. New string. */
char *lp_expr_explain(const lp_expr *e, const lp_value *env);
/* Whether e refers to the top-level name `name` anywhere (a pre-hook must not
 * use `result`). */
bool lp_expr_uses_name(const lp_expr *e, const char *name);
/* Frees e (NULL is fine). */
void lp_expr_free(lp_expr *e);

#endif
