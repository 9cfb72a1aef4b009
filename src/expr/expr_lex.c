/*
 * expr_lex.c — the tokenizer of check expressions and its located errors.
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

/* Error at byte offset `at` of the text; always returns LP_ECONFIG. */
int expr_perr(const parser *p, size_t at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    lp_error_setv_at(LP_ECONFIG, p->e->file, p->e->line, p->e->col + (int)at, fmt, ap);
    va_end(ap);
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
int expr_expected(const parser *p, const char *what)
{
    char *found = tok_describe(p);
    int rc = expr_perr(p, p->tok.start, "expected %s, found %s", what, found ? found : "?");
    free(found);
    return rc;
}

static int lex_string(parser *p, size_t i)
{
    char q = p->s[i++];
    while (p->s[i] != q) {
        if (!p->s[i]) return expr_perr(p, p->tok.start, "unterminated string (no closing %c)", q);
        if (p->s[i] == '\\') {
            char c = p->s[i + 1];
            if (c != '"' && c != '\'' && c != '\\' && c != 'n' && c != 't')
                return expr_perr(p, i,
                                 "unknown escape '\\%c' in string (use \\\" \\' \\\\ \\n \\t)",
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
            return expr_perr(p, i, "malformed number: exponent has no digits");
        is_float = true;
        for (i = j; isdigit((unsigned char)s[i]); i++) {
        }
    }
    if (isalpha((unsigned char)s[i]) || s[i] == '_')
        return expr_perr(p, p->tok.start, "malformed number: unexpected '%c' after digits", s[i]);
    p->tok.kind = is_float ? T_FLOAT : T_INT;
    p->tok.end = i;
    return 0;
}

/* Advances to the next token. */
int expr_lex(parser *p)
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
    if (c == '=') return expr_perr(p, i, "unexpected '=' (use == to compare)");
    if (c == '&' || c == '|') return expr_perr(p, i, "unexpected '%c' (use 'and' / 'or')", c);
    if (c == '!') return expr_perr(p, i, "unexpected '!' (use 'not' or !=)");
    if ((unsigned char)c < 0x20 || (unsigned char)c >= 0x7f)
        return expr_perr(p, i, "unexpected character (byte 0x%02x)", (unsigned char)c);
    return expr_perr(p, i, "unexpected character '%c'", c);
}

bool expr_is_punct(const parser *p, const char *x)
{
    return p->tok.kind == T_PUNCT && strcmp(p->tok.punct, x) == 0;
}

bool expr_is_word(const parser *p, const char *w)
{
    size_t n = strlen(w);
    return p->tok.kind == T_IDENT && p->tok.end - p->tok.start == n &&
           memcmp(p->s + p->tok.start, w, n) == 0;
}
