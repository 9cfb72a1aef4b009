/*
 * request_fast.c — see request_fast.h. Every function answers true/0 when
 * it read what it expected and false/SRV_FAST_DECLINED for anything else;
 * nothing here reports an error, the tree reader does that.
 */
#include "server/request_fast.h"

#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "data/csv_internal.h"
#include "data/frame_internal.h"
#include "lolpop/config.h"
#include "server/request_build.h"

/* Deeper values than this (in columns the schema does not name) are left to
 * the tree reader, which allows 2048 levels. */
#define MAX_SKIP_DEPTH 32
/* Integers of more digits might not fit jansson's json_int_t. */
#define MAX_INT_DIGITS 18

typedef struct reader {
    const char *p, *end;
} reader;

typedef struct span {
    const char *s;
    size_t n;
} span;

/* ---- tokens ----------------------------------------------------------------------- */

static void skip_ws(reader *r)
{
    while (r->p < r->end && (*r->p == ' ' || *r->p == '\n' || *r->p == '\r' || *r->p == '\t'))
        r->p++;
}

/* Takes byte c (after white space) if it is next. */
static bool eat(reader *r, char c)
{
    skip_ws(r);
    if (r->p < r->end && *r->p == c) {
        r->p++;
        return true;
    }
    return false;
}

static bool literal(reader *r, const char *word, size_t n)
{
    skip_ws(r);
    if ((size_t)(r->end - r->p) < n || memcmp(r->p, word, n) != 0) return false;
    r->p += n;
    return true;
}

/* A string without escapes or control bytes, valid UTF-8: its bytes between
 * the quotes in *s (pointing into the body). */
static bool string(reader *r, span *s)
{
    if (!eat(r, '"')) return false;
    const char *b = r->p;
    bool ascii = true;
    for (; r->p < r->end && *r->p != '"'; r->p++) {
        unsigned char c = (unsigned char)*r->p;
        if (c == '\\' || c < 0x20) return false;
        ascii = ascii && c < 0x80;
    }
    if (r->p >= r->end) return false;
    *s = (span){b, (size_t)(r->p - b)};
    r->p++;
    return ascii || lp_utf8_valid(b, s->n, NULL);
}

static bool is_digit(const reader *r, const char *q)
{
    return q < r->end && *q >= '0' && *q <= '9';
}

typedef struct number {
    bool integer; /* no fraction, no exponent: jansson's JSON_INTEGER */
    int64_t i;
    double d;
} number;

/* A number in JSON's grammar. Integers of up to 18 digits; reals that read
 * as a finite normal double or an exact zero (jansson refuses an overflow;
 * an underflow is left to it too). */
static bool read_number(reader *r, number *num)
{
    skip_ws(r);
    const char *b = r->p, *q = b;
    bool neg = q < r->end && *q == '-';
    q += neg;
    if (!is_digit(r, q)) return false;
    const char *digits = q;
    if (*q == '0')
        q++;
    else
        while (is_digit(r, q))
            q++;
    size_t int_digits = (size_t)(q - digits);
    bool nonzero = int_digits > 1 || *digits != '0';
    num->integer = true;
    if (q < r->end && *q == '.') {
        if (!is_digit(r, ++q)) return false;
        for (; is_digit(r, q); q++)
            nonzero = nonzero || *q != '0';
        num->integer = false;
    }
    if (q < r->end && (*q == 'e' || *q == 'E')) {
        q++;
        if (q < r->end && (*q == '+' || *q == '-')) q++;
        if (!is_digit(r, q)) return false;
        while (is_digit(r, q))
            q++;
        num->integer = false;
    }
    r->p = q;
    if (num->integer) {
        if (int_digits > MAX_INT_DIGITS) return false;
        int64_t v = 0;
        for (const char *c = digits; c < digits + int_digits; c++)
            v = v * 10 + (*c - '0');
        num->i = neg ? -v : v;
        return true;
    }
    if (!lp_csv_parse_f64(b, (size_t)(q - b), &num->d) || !isfinite(num->d)) return false;
    if (num->d == 0) return !nonzero;
    return fabs(num->d) >= DBL_MIN;
}

/* Any JSON value, read and dropped (a column the schema does not name). */
static bool skip_value(reader *r, int depth)
{
    skip_ws(r);
    if (r->p >= r->end || depth > MAX_SKIP_DEPTH) return false;
    span s;
    number num;
    switch (*r->p) {
    case '"':
        return string(r, &s);
    case 't':
        return literal(r, "true", 4);
    case 'f':
        return literal(r, "false", 5);
    case 'n':
        return literal(r, "null", 4);
    case '[':
        r->p++;
        if (eat(r, ']')) return true;
        do
            if (!skip_value(r, depth + 1)) return false;
        while (eat(r, ','));
        return eat(r, ']');
    case '{':
        r->p++;
        if (eat(r, '}')) return true;
        do
            if (!string(r, &s) || !eat(r, ':') || !skip_value(r, depth + 1)) return false;
        while (eat(r, ','));
        return eat(r, '}');
    default:
        return read_number(r, &num);
    }
}

/* ---- values into columns ----------------------------------------------------------- */

/* The next value appended to column j, by request_parse.c's rules for the
 * column's type; a value of another type is declined (the tree reader names
 * the row and column). */
static bool value_into(reader *r, srv_build *bd, size_t j)
{
    lp_column_builder *b = bd->b[j];
    skip_ws(r);
    if (r->p < r->end && *r->p == 'n')
        return literal(r, "null", 4) && !lp_column_builder_append_null(b);
    number num;
    span s;
    switch (bd->in->cols[j].dtype) {
    case LP_DT_FLOAT64:
        if (!read_number(r, &num)) return false;
        return !lp_column_builder_append_f64(b, num.integer ? (double)num.i : num.d);
    case LP_DT_INT64:
        if (!read_number(r, &num)) return false;
        if (num.integer) return !lp_column_builder_append_i64(b, num.i);
        if (num.d != floor(num.d) || !(fabs(num.d) < 9.2e18)) return false;
        return !lp_column_builder_append_i64(b, (int64_t)num.d);
    case LP_DT_BOOL:
        if (literal(r, "true", 4)) return !lp_column_builder_append_bool(b, true);
        return literal(r, "false", 5) && !lp_column_builder_append_bool(b, false);
    case LP_DT_TIMESTAMP: {
        int64_t us;
        return string(r, &s) && lp_parse_timestamp(s.s, s.n, &us) &&
               !lp_column_builder_append_i64(b, us);
    }
    default: /* string, category */
        return string(r, &s) && !lp_column_builder_append_str(b, s.s, s.n);
    }
}

/* What a request needs per input column while it is read. */
typedef struct columns {
    size_t *name_len; /* of each input column's name */
    uint8_t *seen;    /* in the current record */
} columns;

static bool is_name(const srv_input *in, const columns *cs, size_t j, span key)
{
    return cs->name_len[j] == key.n && memcmp(in->cols[j].name, key.s, key.n) == 0;
}

/* The input column named key, trying `hint` first (keys usually come in the
 * schema's order); in->n when none is. */
static size_t find_column(const srv_input *in, const columns *cs, span key, size_t hint)
{
    if (hint < in->n && is_name(in, cs, hint, key)) return hint;
    for (size_t j = 0; j < in->n; j++)
        if (is_name(in, cs, j, key)) return j;
    return in->n;
}

/* Nulls for the optional columns a row left out; false when it left out a
 * required one. */
static bool fill_absent(srv_build *bd, const uint8_t *given)
{
    for (size_t j = 0; j < bd->in->n; j++) {
        if (given[j]) continue;
        if (bd->in->cols[j].required || lp_column_builder_append_null(bd->b[j])) return false;
    }
    return true;
}

/* ---- the forms --------------------------------------------------------------------- */

/* {"col": value, ...}: one row. */
static bool record(reader *r, srv_build *bd, columns *cs)
{
    const srv_input *in = bd->in;
    memset(cs->seen, 0, in->n ? in->n : 1);
    if (!eat(r, '{')) return false;
    if (!eat(r, '}')) {
        size_t next = 0;
        do {
            span key;
            if (!string(r, &key) || !eat(r, ':')) return false;
            size_t j = find_column(in, cs, key, next);
            if (j == in->n) {
                if (!skip_value(r, 1)) return false;
                continue;
            }
            if (cs->seen[j] || !value_into(r, bd, j))
                return false; /* a duplicate: last wins there */
            cs->seen[j] = 1;
            next = j + 1;
        } while (eat(r, ','));
        if (!eat(r, '}')) return false;
    }
    return fill_absent(bd, cs->seen);
}

/* [{...}, ...] */
static bool records(reader *r, srv_build *bd, columns *cs)
{
    if (!eat(r, '[')) return false;
    if (eat(r, ']')) return true;
    do
        if (!record(r, bd, cs)) return false;
    while (eat(r, ','));
    return eat(r, ']');
}

/* The "columns" of the split form: which input column each position of a
 * row fills (an input column named twice is read from its first position,
 * as the tree reader does), and which input columns it names at all. */
typedef struct split_header {
    size_t width;
    size_t *column_at; /* per position: an input column, or in->n */
    uint8_t *named;    /* per input column */
    bool read, data;
} split_header;

static bool split_columns(reader *r, const srv_input *in, const columns *cs, split_header *h)
{
    if (h->read || !eat(r, '[')) return false;
    h->read = true;
    memset(h->named, 0, in->n ? in->n : 1);
    size_t cap = 0;
    if (!eat(r, ']')) {
        do {
            span name;
            if (!string(r, &name)) return false;
            if (h->width == cap) {
                cap = cap ? 2 * cap : 16;
                size_t *grown = realloc(h->column_at, cap * sizeof *grown);
                if (!grown) return false;
                h->column_at = grown;
            }
            size_t j = find_column(in, cs, name, h->width);
            if (j < in->n && h->named[j]) j = in->n;
            if (j < in->n) h->named[j] = 1;
            h->column_at[h->width++] = j;
        } while (eat(r, ','));
        if (!eat(r, ']')) return false;
    }
    for (size_t j = 0; j < in->n; j++)
        if (in->cols[j].required && !h->named[j]) return false;
    return true;
}

/* [value, ...]: one row of the split form. */
static bool split_row(reader *r, srv_build *bd, const split_header *h)
{
    if (!eat(r, '[')) return false;
    size_t k = 0;
    if (!eat(r, ']')) {
        do {
            if (k >= h->width) return false;
            size_t j = h->column_at[k++];
            if (j < bd->in->n ? !value_into(r, bd, j) : !skip_value(r, 1)) return false;
        } while (eat(r, ','));
        if (!eat(r, ']')) return false;
    }
    return k == h->width && fill_absent(bd, h->named);
}

/* [[...], ...] after the "columns" */
static bool split_data(reader *r, srv_build *bd, split_header *h)
{
    if (!h->read || h->data || !eat(r, '[')) return false;
    h->data = true;
    if (eat(r, ']')) return true;
    do
        if (!split_row(r, bd, h)) return false;
    while (eat(r, ','));
    return eat(r, ']');
}

/* ---- the bodies -------------------------------------------------------------------- */

typedef enum form { FORM_NONE, FORM_RECORDS, FORM_SPLIT } form;

typedef struct body {
    srv_build bd;
    columns cs;
    split_header h;
    form form;
} body;

static bool key_is(span key, const char *word)
{
    return key.n == strlen(word) && memcmp(key.s, word, key.n) == 0;
}

/* The value of a key that starts a form (each form once, one form a body). */
static bool start_form(body *st, form f)
{
    if (st->form != FORM_NONE) return false;
    st->form = f;
    return true;
}

/* "columns" or "data" of the split form, or a key beside them. */
static bool split_member(reader *r, body *st, span key)
{
    if (key_is(key, "columns")) return split_columns(r, st->bd.in, &st->cs, &st->h);
    if (key_is(key, "data")) return split_data(r, &st->bd, &st->h);
    return skip_value(r, 1);
}

/* {"rows": [...]} or {"columns": [...], "data": [[...]]} */
static bool predict_member(reader *r, body *st, span key)
{
    if (key_is(key, "rows")) return start_form(st, FORM_RECORDS) && records(r, &st->bd, &st->cs);
    if (key_is(key, "columns") || key_is(key, "data")) {
        if (st->form == FORM_NONE) st->form = FORM_SPLIT;
        return st->form == FORM_SPLIT && split_member(r, st, key);
    }
    return skip_value(r, 1);
}

/* {"dataframe_split": {"columns": [...], "data": [[...]]}} */
static bool split_object(reader *r, body *st)
{
    if (!eat(r, '{') || eat(r, '}')) return false;
    do {
        span key;
        if (!string(r, &key) || !eat(r, ':') || !split_member(r, st, key)) return false;
    } while (eat(r, ','));
    return eat(r, '}');
}

/* MLflow's dataframe_records / dataframe_split; instances and inputs are
 * left to the tree reader. */
static bool mlflow_member(reader *r, body *st, span key)
{
    if (key_is(key, "dataframe_records"))
        return start_form(st, FORM_RECORDS) && records(r, &st->bd, &st->cs);
    if (key_is(key, "dataframe_split")) return start_form(st, FORM_SPLIT) && split_object(r, st);
    if (key_is(key, "instances") || key_is(key, "inputs")) return false;
    return skip_value(r, 1);
}

static bool root(reader *r, body *st, srv_body_kind kind)
{
    if (!eat(r, '{') || eat(r, '}')) return false;
    do {
        span key;
        if (!string(r, &key) || !eat(r, ':')) return false;
        if (!(kind == SRV_BODY_MLFLOW ? mlflow_member(r, st, key) : predict_member(r, st, key)))
            return false;
    } while (eat(r, ','));
    if (!eat(r, '}')) return false;
    skip_ws(r);
    return r->p == r->end && (st->form == FORM_RECORDS || (st->form == FORM_SPLIT && st->h.data));
}

int srv_parse_fast(lp_frame **out, srv_body_kind kind, const char *text, size_t len,
                   const srv_input *in)
{
    *out = NULL;
    if (kind != SRV_BODY_PREDICT && kind != SRV_BODY_MLFLOW) return SRV_FAST_DECLINED;
    size_t n = in->n ? in->n : 1;
    srv_parse_error scratch;
    body st = {0};
    st.cs.name_len = malloc(n * sizeof *st.cs.name_len);
    st.cs.seen = malloc(n);
    st.h.named = malloc(n);
    bool ok =
        st.cs.name_len && st.cs.seen && st.h.named && srv_build_init(&st.bd, in, &scratch, 1) == 0;
    for (size_t j = 0; ok && j < in->n; j++)
        st.cs.name_len[j] = strlen(in->cols[j].name);
    reader r = {text, text + len};
    ok = ok && root(&r, &st, kind) && srv_build_finish(out, &st.bd) == 0;
    srv_build_free(&st.bd);
    free(st.cs.name_len);
    free(st.cs.seen);
    free(st.h.named);
    free(st.h.column_at);
    return ok ? 0 : SRV_FAST_DECLINED;
}
