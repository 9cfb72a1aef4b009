/*
 * sqlite_result.c — a query's rows read into a frame, column by column.
 *
 * Each result column fills a typed column builder straight from
 * the statement's values as rows arrive (no per-cell boxing, texts copied once into
 * the builder). The kind is chosen by the declared type and the first
 * non-NULL value; a column whose later cells disagree (text after numbers,
 * numbers after text, invalid UTF-8, a declared TEXT column holding numbers,
 * …) moves what it has read into the general per-cell form ("cells") and
 * from there on the type is chosen from all of its values, as it always was.
 * Both ways give the same frame (test_sqlite_result compares them).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/frame_internal.h"
#include "data/sqlite_frame.h"
#include "lolpop/config.h"

static int sql_fail(sqlite3 *db, const char *where, const char *doing)
{
    return lp_error_set(LP_ERROR, "%s: %s: %s", where, doing, sqlite3_errmsg(db));
}

/* ---- the general form: every cell kept until the type is chosen ----------- */

/* One result column's cells as SQLite returned them, kept until every row is
 * seen so that the type can be chosen from all of them. */
typedef struct cells {
    uint8_t *type; /* SQLITE_INTEGER, SQLITE_FLOAT, SQLITE_TEXT, SQLITE_BLOB, SQLITE_NULL */
    int64_t *num;  /* integer, double bits, or offset into text */
    size_t *len;   /* text/blob length */
    lp_sb text;
    size_t n, cap;
    size_t count[6]; /* by SQLite type code (1..5) */
} cells;

static void cells_free(cells *c)
{
    free(c->type);
    free(c->num);
    free(c->len);
    lp_sb_free(&c->text);
}

static bool cells_grow(cells *c)
{
    size_t cap = c->cap ? c->cap * 2 : 64;
    uint8_t *t = realloc(c->type, cap);
    if (t) c->type = t;
    int64_t *n = realloc(c->num, cap * sizeof *n);
    if (n) c->num = n;
    size_t *l = realloc(c->len, cap * sizeof *l);
    if (l) c->len = l;
    if (!t || !n || !l) return false;
    c->cap = cap;
    return true;
}

/* Whether the database stores text as UTF-8 (new databases do; a file
 * created elsewhere may be UTF-16). */
static bool db_is_utf8(sqlite3 *db)
{
    sqlite3_stmt *st = NULL;
    bool utf8 = false;
    if (sqlite3_prepare_v2(db, "PRAGMA encoding", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
        const unsigned char *e = sqlite3_column_text(st, 0);
        utf8 = e && strcmp((const char *)e, "UTF-8") == 0;
    }
    sqlite3_finalize(st);
    return utf8;
}

/* Appends one cell of SQLite type t: num is the integer or the double's bits,
 * p/len the text or blob bytes. */
static bool cells_put(cells *c, int t, int64_t num, const void *p, size_t len)
{
    if (c->n == c->cap && !cells_grow(c)) return false;
    size_t i = c->n++;
    c->type[i] = (uint8_t)t;
    c->count[t]++;
    c->len[i] = 0;
    c->num[i] = 0;
    if (t == SQLITE_INTEGER || t == SQLITE_FLOAT) {
        c->num[i] = num;
    } else if (t == SQLITE_TEXT || t == SQLITE_BLOB) {
        c->num[i] = (int64_t)c->text.len;
        c->len[i] = len;
        if (len) lp_sb_appendn(&c->text, p, len);
        if (c->text.oom) return false;
    }
    return true;
}

static int64_t double_bits(double d)
{
    int64_t n;
    memcpy(&n, &d, sizeof n);
    return n;
}

/* v's value. raw_text: read TEXT values' bytes as they are
 * (sqlite3_value_blob), which is UTF-8 in a UTF-8 database:
 * sqlite3_value_text would first copy a text that is not NUL-terminated
 * (every value of a virtual table over a frame). */
static void value_of(sqlite3_value *v, bool raw_text, lp_sql_value *out)
{
    int t = sqlite3_value_type(v);
    out->type = t;
    if (t == SQLITE_INTEGER) {
        out->i = sqlite3_value_int64(v);
    } else if (t == SQLITE_FLOAT) {
        out->f = sqlite3_value_double(v);
    } else if (t == SQLITE_TEXT || t == SQLITE_BLOB) {
        out->s = t == SQLITE_TEXT && !raw_text ? (const char *)sqlite3_value_text(v)
                                               : (const char *)sqlite3_value_blob(v);
        out->len = (size_t)sqlite3_value_bytes(v);
    }
}

static bool cells_push(cells *c, const lp_sql_value *v)
{
    int t = v->type;
    if (t == SQLITE_INTEGER) return cells_put(c, t, v->i, NULL, 0);
    if (t == SQLITE_FLOAT) return cells_put(c, t, double_bits(v->f), NULL, 0);
    if (t == SQLITE_TEXT || t == SQLITE_BLOB) return cells_put(c, t, 0, v->s, v->len);
    return cells_put(c, SQLITE_NULL, 0, NULL, 0);
}

static double cell_f64(const cells *c, size_t i)
{
    if (c->type[i] == SQLITE_INTEGER) return (double)c->num[i];
    double d;
    memcpy(&d, &c->num[i], sizeof d);
    return d;
}

static const char *cell_text(const cells *c, size_t i)
{
    return c->text.buf ? c->text.buf + c->num[i] : "";
}

/* The frame type a declared column type asks for; false when the declaration
 * says nothing definite (none, NUMERIC, BLOB) and the values decide. */
static bool type_from_decl(const char *decl, lp_dtype *out)
{
    if (!decl || !*decl) return false;
    char up[64];
    size_t n = 0;
    for (; decl[n] && n < sizeof up - 1; n++)
        up[n] = (decl[n] >= 'a' && decl[n] <= 'z') ? (char)(decl[n] - 'a' + 'A') : decl[n];
    up[n] = 0;
    if (strstr(up, "BOOL"))
        *out = LP_DT_BOOL;
    else if (strstr(up, "TIMESTAMP") || strstr(up, "DATETIME") || strcmp(up, "DATE") == 0)
        *out = LP_DT_TIMESTAMP;
    else if (strstr(up, "INT")) /* SQLite's affinity rules, in their order */
        *out = LP_DT_INT64;
    else if (strstr(up, "CHAR") || strstr(up, "CLOB") || strstr(up, "TEXT"))
        *out = LP_DT_STRING;
    else if (strstr(up, "REAL") || strstr(up, "FLOA") || strstr(up, "DOUB"))
        *out = LP_DT_FLOAT64;
    else
        return false;
    return true;
}

/* Whether every value fits `t`. */
static bool cells_fit(const cells *c, lp_dtype t)
{
    size_t text = c->count[SQLITE_TEXT] + c->count[SQLITE_BLOB];
    switch (t) {
    case LP_DT_INT64:
        return text == 0 && c->count[SQLITE_FLOAT] == 0;
    case LP_DT_FLOAT64:
        return text == 0;
    case LP_DT_BOOL:
        if (text || c->count[SQLITE_FLOAT]) return false;
        for (size_t i = 0; i < c->n; i++)
            if (c->type[i] == SQLITE_INTEGER && c->num[i] != 0 && c->num[i] != 1) return false;
        return true;
    case LP_DT_TIMESTAMP: {
        if (c->count[SQLITE_INTEGER] || c->count[SQLITE_FLOAT]) return false;
        int64_t v;
        for (size_t i = 0; i < c->n; i++)
            if (c->type[i] != SQLITE_NULL &&
                !lp_sqlite_parse_timestamp(cell_text(c, i), c->len[i], &v))
                return false;
        return true;
    }
    case LP_DT_STRING:
    case LP_DT_CATEGORY:
        return true;
    }
    return false;
}

static lp_dtype cells_infer(const cells *c)
{
    if (c->count[SQLITE_TEXT] + c->count[SQLITE_BLOB]) return LP_DT_STRING;
    if (c->count[SQLITE_FLOAT]) return LP_DT_FLOAT64;
    if (c->count[SQLITE_INTEGER]) return LP_DT_INT64;
    return LP_DT_FLOAT64; /* only NULLs: missing numbers, as pandas reads them */
}

/* Shortest "%.Ng" that reads back as the same double. */
static void format_double(double d, char buf[40])
{
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, 40, "%.*g", prec, d);
        if (strtod(buf, NULL) == d) return;
    }
}

static lp_column *build_strings(const cells *c, const char *name, const char *where)
{
    lp_column_builder *b = lp_column_builder_new(LP_DT_STRING, c->n);
    int rc = b ? 0 : LP_ENOMEM;
    for (size_t i = 0; rc == 0 && i < c->n; i++) {
        char buf[40];
        const char *s = buf;
        size_t len;
        size_t bad = 0;
        switch (c->type[i]) {
        case SQLITE_NULL:
            rc = lp_column_builder_append_null(b);
            continue;
        case SQLITE_INTEGER:
            snprintf(buf, sizeof buf, "%" PRId64, c->num[i]);
            len = strlen(buf);
            break;
        case SQLITE_FLOAT:
            format_double(cell_f64(c, i), buf);
            len = strlen(buf);
            break;
        default:
            s = cell_text(c, i);
            len = c->len[i];
            if (!lp_utf8_valid(s, len, &bad)) {
                lp_column_builder_free(b);
                lp_error_set(LP_EINVAL,
                             "%s: column '%s', row %zu: value is not valid UTF-8 text "
                             "(byte %zu)",
                             where, name, i + 1, bad + 1);
                return NULL;
            }
        }
        rc = lp_column_builder_append_str(b, s, len);
    }
    if (rc != 0) {
        lp_column_builder_free(b);
        lp_error_set(LP_ENOMEM, "%s: out of memory reading column '%s'", where, name);
        return NULL;
    }
    return lp_column_builder_finish(b);
}

static void put_value(lp_column *col, const cells *c, size_t i)
{
    switch (col->type) {
    case LP_DT_FLOAT64:
        col->data.f64[i] = cell_f64(c, i);
        break;
    case LP_DT_INT64:
        col->data.i64[i] = c->num[i];
        break;
    case LP_DT_BOOL:
        col->data.b8[i] = c->num[i] != 0;
        break;
    case LP_DT_TIMESTAMP:
        lp_sqlite_parse_timestamp(cell_text(c, i), c->len[i], &col->data.i64[i]);
        break;
    case LP_DT_STRING:
    case LP_DT_CATEGORY:
        break;
    }
}

static lp_column *build_column(const cells *c, lp_dtype t, const char *name, const char *where)
{
    if (t == LP_DT_STRING) return build_strings(c, name, where);
    lp_column *col = lp_column_new(t, c->n);
    if (!col) {
        lp_error_set(LP_ENOMEM, "%s: out of memory reading column '%s'", where, name);
        return NULL;
    }
    for (size_t i = 0; i < c->n; i++) {
        if (c->type[i] != SQLITE_NULL) {
            put_value(col, c, i);
        } else if (lp_column_set_null(col, i) != 0) {
            lp_column_unref(col);
            lp_error_set(LP_ENOMEM, "%s: out of memory reading column '%s'", where, name);
            return NULL;
        }
    }
    return col;
}

/* ---- the typed form: a builder filled as rows arrive ----------------------- */

typedef enum {
    COL_NULLS, /* only NULLs so far */
    COL_INT,   /* integers (and NULLs): an int64 builder */
    COL_FLOAT, /* floats, maybe integers too: a float64 builder */
    COL_TEXT,  /* valid UTF-8 texts and blobs: a string builder */
    COL_CELLS  /* the general form */
} col_kind;

/* An integer cell read into a float column, kept so that the general form
 * can be rebuilt exactly if the column falls back to it. */
typedef struct int_cell {
    size_t row;
    int64_t v;
} int_cell;

typedef struct col_reader {
    col_kind kind;
    bool has_decl;
    lp_dtype decl;
    size_t n;   /* rows read */
    bool all01; /* COL_INT: every integer is 0 or 1 (a declared BOOLEAN fits) */
    lp_column_builder *b;
    int_cell *ints; /* COL_FLOAT: the integer cells */
    size_t nints, cap_ints;
    cells c;         /* COL_CELLS */
    lp_column *done; /* set whole by lp_sql_reader_set_column: the result as it is */
} col_reader;

static void reader_free(col_reader *r)
{
    lp_column_unref(r->done);
    lp_column_builder_free(r->b);
    free(r->ints);
    cells_free(&r->c);
}

static bool add_int_cell(col_reader *r, size_t row, int64_t v)
{
    if (r->nints == r->cap_ints) {
        size_t cap = r->cap_ints ? r->cap_ints * 2 : 16;
        int_cell *p = realloc(r->ints, cap * sizeof *p);
        if (!p) return false;
        r->ints = p;
        r->cap_ints = cap;
    }
    r->ints[r->nints++] = (int_cell){row, v};
    return true;
}

/* Starts a builder of type t holding the `nulls` NULLs read so far. */
static bool start_builder(col_reader *r, lp_dtype t, size_t nulls)
{
    r->b = lp_column_builder_new(t, 1024);
    for (size_t i = 0; r->b && i < nulls; i++)
        if (lp_column_builder_append_null(r->b) != 0) return false;
    return r->b != NULL;
}

/* Moves what the column holds (the builder, or `nulls` NULLs) into the
 * general form. */
static bool to_cells(col_reader *r, size_t nulls)
{
    col_kind kind = r->kind;
    r->kind = COL_CELLS;
    if (kind == COL_NULLS) {
        for (size_t i = 0; i < nulls; i++)
            if (!cells_put(&r->c, SQLITE_NULL, 0, NULL, 0)) return false;
        return true;
    }
    lp_column *col = lp_column_builder_finish(r->b);
    r->b = NULL;
    if (!col) return false;
    bool ok = true;
    size_t k = 0; /* next integer cell of a float column */
    for (size_t i = 0; ok && i < col->length; i++) {
        if (!lp_column_is_valid(col, i)) {
            ok = cells_put(&r->c, SQLITE_NULL, 0, NULL, 0);
        } else if (kind == COL_INT) {
            ok = cells_put(&r->c, SQLITE_INTEGER, col->data.i64[i], NULL, 0);
        } else if (kind == COL_FLOAT) {
            if (k < r->nints && r->ints[k].row == i)
                ok = cells_put(&r->c, SQLITE_INTEGER, r->ints[k++].v, NULL, 0);
            else
                ok = cells_put(&r->c, SQLITE_FLOAT, double_bits(col->data.f64[i]), NULL, 0);
        } else {
            const int64_t *o = col->data.str.offsets;
            ok = cells_put(&r->c, SQLITE_TEXT, 0, col->data.str.bytes + o[i],
                           (size_t)(o[i + 1] - o[i]));
        }
    }
    lp_column_unref(col);
    return ok;
}

/* An integer column turned into a float one (a float arrived). */
static bool int_to_float(col_reader *r)
{
    lp_column *col = lp_column_builder_finish(r->b);
    r->b = NULL;
    if (!col) return false;
    r->b = lp_column_builder_new(LP_DT_FLOAT64, col->length * 2);
    bool ok = r->b != NULL;
    for (size_t i = 0; ok && i < col->length; i++) {
        if (!lp_column_is_valid(col, i))
            ok = lp_column_builder_append_null(r->b) == 0;
        else
            ok = lp_column_builder_append_f64(r->b, (double)col->data.i64[i]) == 0 &&
                 add_int_cell(r, i, col->data.i64[i]);
    }
    lp_column_unref(col);
    r->kind = COL_FLOAT;
    return ok;
}

/* The kind a column takes at its first non-NULL cell of SQLite type t. A
 * declared TEXT column holding a number and any declared TIMESTAMP column
 * take the general form (their type rules look at every value). */
static col_kind first_kind(const col_reader *r, int t)
{
    bool text = t == SQLITE_TEXT || t == SQLITE_BLOB;
    if (r->has_decl && (r->decl == LP_DT_TIMESTAMP || (r->decl == LP_DT_STRING && !text)))
        return COL_CELLS;
    return text ? COL_TEXT : t == SQLITE_INTEGER ? COL_INT : COL_FLOAT;
}

static bool read_text(col_reader *r, const lp_sql_value *v)
{
    if (!lp_utf8_valid(v->s, v->len, NULL)) /* the general form reports it, in column order */
        return to_cells(r, 0) && cells_put(&r->c, v->type, 0, v->s, v->len);
    return lp_column_builder_append_str(r->b, v->s, v->len) == 0;
}

/* Reads the column's cell of the next row. */
static bool reader_push(col_reader *r, const lp_sql_value *v)
{
    int t = v->type;
    size_t row = r->n++;
    if (r->kind == COL_NULLS) {
        if (t == SQLITE_NULL) return true;
        col_kind k = first_kind(r, t);
        bool ok = k == COL_CELLS  ? to_cells(r, row)
                  : k == COL_TEXT ? start_builder(r, LP_DT_STRING, row)
                  : k == COL_INT  ? start_builder(r, LP_DT_INT64, row)
                                  : start_builder(r, LP_DT_FLOAT64, row);
        r->kind = k;
        r->all01 = true;
        if (!ok) return false;
    }
    if (t == SQLITE_NULL) {
        if (r->kind == COL_CELLS) return cells_put(&r->c, SQLITE_NULL, 0, NULL, 0);
        return lp_column_builder_append_null(r->b) == 0;
    }
    bool text = t == SQLITE_TEXT || t == SQLITE_BLOB;
    switch (r->kind) {
    case COL_INT:
        if (t == SQLITE_INTEGER) {
            int64_t i = v->i;
            r->all01 = r->all01 && (i == 0 || i == 1);
            return lp_column_builder_append_i64(r->b, i) == 0;
        }
        if (t == SQLITE_FLOAT) {
            if (!int_to_float(r)) return false;
            return lp_column_builder_append_f64(r->b, v->f) == 0;
        }
        break;
    case COL_FLOAT:
        if (t == SQLITE_FLOAT) return lp_column_builder_append_f64(r->b, v->f) == 0;
        if (t == SQLITE_INTEGER) {
            int64_t i = v->i;
            return add_int_cell(r, row, i) && lp_column_builder_append_f64(r->b, (double)i) == 0;
        }
        break;
    case COL_TEXT:
        if (text) return read_text(r, v);
        break;
    case COL_NULLS:
    case COL_CELLS:
        break;
    }
    if (r->kind != COL_CELLS && !to_cells(r, 0)) return false;
    return cells_push(&r->c, v);
}

/* ---- the frame ------------------------------------------------------------- */

/* A column of type t from a finished builder column of another type: integers
 * as float64 or bool (the declared type asked for it), NULLs kept. Takes col. */
static lp_column *convert_ints(lp_column *col, lp_dtype t)
{
    lp_column *out = lp_column_new(t, col->length);
    for (size_t i = 0; out && i < col->length; i++) {
        if (!lp_column_is_valid(col, i)) {
            if (lp_column_set_null(out, i) != 0) {
                lp_column_unref(out);
                out = NULL;
            }
        } else if (t == LP_DT_BOOL) {
            out->data.b8[i] = col->data.i64[i] != 0;
        } else {
            out->data.f64[i] = (double)col->data.i64[i];
        }
    }
    lp_column_unref(col);
    return out;
}

/* The finished column of a typed reader, with the type the general form
 * would choose for the same cells. */
static lp_column *reader_finish(col_reader *r, const char *name, const char *where)
{
    lp_dtype t;
    if (r->done) {
        lp_column *col = r->done;
        r->done = NULL;
        return col;
    }
    if (r->kind == COL_CELLS) {
        if (!r->has_decl || !cells_fit(&r->c, r->decl))
            return build_column(&r->c, cells_infer(&r->c), name, where);
        return build_column(&r->c, r->decl, name, where);
    }
    lp_column *col = NULL;
    if (r->kind == COL_NULLS) { /* every declared type fits only NULLs */
        t = r->has_decl ? r->decl : LP_DT_FLOAT64;
        r->b = lp_column_builder_new(t, r->n);
        for (size_t i = 0; r->b && i < r->n; i++)
            if (lp_column_builder_append_null(r->b) != 0) break;
    }
    col = lp_column_builder_finish(r->b);
    r->b = NULL;
    /* integers where a float or a boolean was declared: the declaration wins
     * when every value fits it (booleans: 0 or 1 only) */
    if (col && r->kind == COL_INT && r->has_decl &&
        (r->decl == LP_DT_FLOAT64 || (r->decl == LP_DT_BOOL && r->all01)))
        col = convert_ints(col, r->decl);
    if (!col) lp_error_set(LP_ENOMEM, "%s: out of memory reading column '%s'", where, name);
    return col;
}

/* A column name not yet in f: `name`, else "name_2", "name_3", … */
static char *unique_name(const lp_frame *f, const char *name, size_t j)
{
    if (name) return lp_frame_unused_name(f, name, name);
    char first[32];
    snprintf(first, sizeof first, "column_%zu", j + 1);
    return lp_frame_unused_name(f, first, "column");
}

/* ---- the reader: one col_reader per result column ------------------------ */

struct lp_sql_reader {
    int ncol;
    col_reader *cols;
};

lp_sql_reader *lp_sql_reader_new(sqlite3_stmt *st, bool typed)
{
    lp_sql_reader *r = calloc(1, sizeof *r);
    int ncol = sqlite3_column_count(st);
    if (r) r->cols = calloc(ncol > 0 ? (size_t)ncol : 1, sizeof *r->cols);
    if (!r || !r->cols) {
        free(r);
        lp_error_set(LP_ENOMEM, "out of memory");
        return NULL;
    }
    r->ncol = ncol;
    for (int j = 0; j < ncol; j++) {
        r->cols[j].has_decl = type_from_decl(sqlite3_column_decltype(st, j), &r->cols[j].decl);
        r->cols[j].kind = typed ? COL_NULLS : COL_CELLS;
    }
    return r;
}

void lp_sql_reader_free(lp_sql_reader *r)
{
    if (!r) return;
    for (int j = 0; j < r->ncol; j++)
        reader_free(&r->cols[j]);
    free(r->cols);
    free(r);
}

bool lp_sql_reader_push(lp_sql_reader *r, int j, const lp_sql_value *v)
{
    col_reader *c = &r->cols[j];
    return c->kind == COL_CELLS ? cells_push(&c->c, v) : reader_push(c, v);
}

bool lp_sql_reader_decl(const lp_sql_reader *r, int j, lp_dtype *out)
{
    *out = r->cols[j].decl;
    return r->cols[j].has_decl;
}

void lp_sql_reader_set_column(lp_sql_reader *r, int j, lp_column *col)
{
    lp_column_unref(r->cols[j].done);
    r->cols[j].done = col;
}

int lp_sql_reader_finish(lp_sql_reader *r, sqlite3_stmt *st, lp_frame **out, const char *where)
{
    *out = NULL;
    int rc = 0;
    lp_frame *f = lp_frame_new();
    if (!f) rc = lp_error_set(LP_ENOMEM, "%s: out of memory", where);
    for (int j = 0; rc == 0 && j < r->ncol; j++) {
        char *name = unique_name(f, sqlite3_column_name(st, j), (size_t)j);
        lp_column *col = name ? reader_finish(&r->cols[j], name, where) : NULL;
        if (!name || !col)
            rc = lp_error_last()->code ? lp_error_last()->code : LP_ENOMEM;
        else
            rc = lp_frame_add_column(f, name, col);
        free(name);
    }
    if (rc != 0) {
        lp_frame_unref(f);
        return rc;
    }
    *out = f;
    return 0;
}

/* Cells are read through sqlite3_column_value and the sqlite3_value_*
 * accessors: one API call per cell into the statement instead of three or
 * four (each sqlite3_column_* call looks the column up again). The value is
 * "unprotected" (no mutex held), which SQLite allows to be read when the
 * connection is in multi-thread mode: lp_sqlite_open opens every connection
 * with SQLITE_OPEN_NOMUTEX, and a statement is stepped by one thread. */
static int read_all(lp_sql_reader *r, sqlite3 *db, sqlite3_stmt *st, const char *where)
{
    bool raw_text = db_is_utf8(db);
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW)
        for (int j = 0; j < r->ncol; j++) {
            lp_sql_value v;
            value_of(sqlite3_column_value(st, j), raw_text, &v);
            if (!lp_sql_reader_push(r, j, &v))
                return lp_error_set(LP_ENOMEM, "%s: out of memory reading the result", where);
        }
    if (step != SQLITE_DONE) return sql_fail(db, where, "reading the result");
    return 0;
}

int lp_sqlite_read_rows(lp_frame **out, sqlite3 *db, sqlite3_stmt *st, const char *where,
                        bool typed)
{
    *out = NULL;
    lp_sql_reader *r = lp_sql_reader_new(st, typed);
    if (!r) return lp_error_set(LP_ENOMEM, "%s: out of memory", where);
    int rc = read_all(r, db, st, where);
    if (rc == 0) rc = lp_sql_reader_finish(r, st, out, where);
    lp_sql_reader_free(r);
    return rc;
}
