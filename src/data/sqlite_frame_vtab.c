/*
 * sqlite_frame_vtab.c — a frame as a read-only SQLite virtual table (SQLite's
 * documented vtab interface): xColumn reads the frame's column arrays
 * directly, so a query over a frame copies nothing in.
 *
 * Values are what lp_sqlite_write_frame would have stored: the declared
 * column types are the same (REAL, INTEGER, BOOLEAN, TIMESTAMP, TEXT, so
 * affinities and sqlite3_column_decltype agree), a missing value or a NaN is
 * NULL, a bool is 0/1, a timestamp is its ISO-8601 text, a category its text.
 * rowid is the 1-based row number, as in a freshly filled table.
 *
 * Joins: SQLite builds no automatic index on a virtual table, so an equality
 * constraint (a.k = b.k, k = ?) is served here: the first time a column is
 * filtered on, a sorted permutation of its rows is built and kept; each
 * lookup is then a binary search. The rows returned are a superset (SQLite
 * re-checks every constraint: none is marked omit), so a value this index
 * cannot compare exactly falls back to a full scan.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/sqlite_frame.h"
#include "data/timestamp.h"

/* idxNum of a full scan; idxNum = k + 1 is an equality lookup on column k. */
#define SCAN_ALL 0

typedef struct frame_vtab {
    sqlite3_vtab base;
    lp_frame *frame; /* a reference, held by the module's client data */
    size_t **sorted; /* per column: its valid rows in value order, built on first lookup */
    size_t *nsorted; /* per column: how many rows sorted[] holds */
} frame_vtab;

typedef struct frame_cursor {
    sqlite3_vtab_cursor base;
    const size_t *rows; /* NULL: every row in order; else rows[at..end) */
    size_t at, end;
} frame_cursor;

/* The CREATE TABLE statement declaring f's columns to SQLite (new string). */
static char *schema_of(const lp_frame *f)
{
    lp_sb sb = {0};
    lp_sb_append(&sb, "CREATE TABLE x(");
    for (size_t j = 0; j < lp_frame_cols(f); j++) {
        if (j) lp_sb_append(&sb, ", ");
        lp_sqlite_quote_ident(&sb, lp_frame_name(f, j));
        lp_sb_appendf(&sb, " %s", lp_sqlite_decl_type(lp_frame_col(f, j)->type));
    }
    lp_sb_putc(&sb, ')');
    if (sb.oom) {
        lp_sb_free(&sb);
        return NULL;
    }
    return lp_sb_take(&sb);
}

static int vt_connect(sqlite3 *db, void *aux, int argc, const char *const *argv, sqlite3_vtab **out,
                      char **err)
{
    (void)argc, (void)argv;
    lp_frame *f = aux;
    char *schema = schema_of(f);
    if (!schema) return SQLITE_NOMEM;
    int rc = sqlite3_declare_vtab(db, schema);
    free(schema);
    if (rc != SQLITE_OK) {
        *err = sqlite3_mprintf("%s", sqlite3_errmsg(db));
        return rc;
    }
    frame_vtab *vt = sqlite3_malloc(sizeof *vt);
    size_t ncol = lp_frame_cols(f) ? lp_frame_cols(f) : 1;
    size_t **sorted = calloc(ncol, sizeof *sorted);
    size_t *nsorted = calloc(ncol, sizeof *nsorted);
    if (!vt || !sorted || !nsorted) {
        sqlite3_free(vt);
        free(sorted);
        free(nsorted);
        return SQLITE_NOMEM;
    }
    memset(vt, 0, sizeof *vt);
    vt->frame = f;
    vt->sorted = sorted;
    vt->nsorted = nsorted;
    *out = &vt->base;
    return SQLITE_OK;
}

static int vt_disconnect(sqlite3_vtab *base)
{
    frame_vtab *vt = (frame_vtab *)base;
    for (size_t j = 0; j < lp_frame_cols(vt->frame); j++)
        free(vt->sorted[j]);
    free(vt->sorted);
    free(vt->nsorted);
    sqlite3_free(vt);
    return SQLITE_OK;
}

/* Whether column type t can serve an equality lookup (timestamps are text to
 * SQLite and compared as text: not indexed). */
static bool indexable(lp_dtype t)
{
    return t != LP_DT_TIMESTAMP;
}

static int vt_best_index(sqlite3_vtab *base, sqlite3_index_info *info)
{
    frame_vtab *vt = (frame_vtab *)base;
    double rows = (double)lp_frame_rows(vt->frame);
    info->idxNum = SCAN_ALL;
    info->estimatedCost = rows + 1;
    info->estimatedRows = (sqlite3_int64)rows + 1;
    for (int k = 0; k < info->nConstraint; k++) {
        const struct sqlite3_index_constraint *c = &info->aConstraint[k];
        if (!c->usable || c->op != SQLITE_INDEX_CONSTRAINT_EQ || c->iColumn < 0) continue;
        if (!indexable(lp_frame_col(vt->frame, (size_t)c->iColumn)->type)) continue;
        const char *coll = sqlite3_vtab_collation(info, k);
        if (coll && sqlite3_stricmp(coll, "BINARY") != 0) continue;
        info->idxNum = c->iColumn + 1;
        info->aConstraintUsage[k].argvIndex = 1;
        info->aConstraintUsage[k].omit = 0; /* SQLite re-checks: our rows are a superset */
        info->estimatedCost = 2 * log2(rows + 2) + 10;
        info->estimatedRows = 10;
        break;
    }
    return SQLITE_OK;
}

static int vt_open(sqlite3_vtab *base, sqlite3_vtab_cursor **out)
{
    (void)base;
    frame_cursor *c = sqlite3_malloc(sizeof *c);
    if (!c) return SQLITE_NOMEM;
    memset(c, 0, sizeof *c);
    *out = &c->base;
    return SQLITE_OK;
}

static int vt_close(sqlite3_vtab_cursor *cur)
{
    sqlite3_free(cur);
    return SQLITE_OK;
}

/* ---- the equality index ---------------------------------------------------- */

/* Row i of a numeric column as a double (bool and int64 widened: the index
 * may merge int64 values a double cannot tell apart; SQLite re-checks). */
static double num_at(const lp_column *c, size_t i)
{
    switch (c->type) {
    case LP_DT_FLOAT64:
        return c->data.f64[i];
    case LP_DT_BOOL:
        return c->data.b8[i] ? 1.0 : 0.0;
    default:
        return (double)c->data.i64[i];
    }
}

static int cmp_str(const char *a, size_t la, const char *b, size_t lb)
{
    int r = memcmp(a, b, la < lb ? la : lb);
    if (r) return r;
    return la < lb ? -1 : la > lb;
}

/* Three-way order of rows a and b of column c (strings by bytes). */
static int cmp_rows(const lp_column *c, size_t a, size_t b)
{
    if (c->type == LP_DT_STRING || c->type == LP_DT_CATEGORY) {
        size_t la, lb;
        const char *sa = lp_column_str(c, a, &la), *sb = lp_column_str(c, b, &lb);
        return cmp_str(sa, la, sb, lb);
    }
    double x = num_at(c, a), y = num_at(c, b);
    return x < y ? -1 : x > y;
}

/* Merge sort of idx[0..n) by column value (tmp: n entries of scratch). */
static void sort_rows(const lp_column *c, size_t *idx, size_t *tmp, size_t n)
{
    if (n < 2) return;
    size_t h = n / 2;
    sort_rows(c, idx, tmp, h);
    sort_rows(c, idx + h, tmp, n - h);
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n)
        tmp[k++] = cmp_rows(c, idx[j], idx[i]) < 0 ? idx[j++] : idx[i++];
    while (i < h)
        tmp[k++] = idx[i++];
    while (j < n)
        tmp[k++] = idx[j++];
    memcpy(idx, tmp, n * sizeof *idx);
}

/* Builds column j's sorted rows (valid, non-NaN values) unless built. */
static int ensure_sorted(frame_vtab *vt, size_t j)
{
    if (vt->sorted[j]) return SQLITE_OK;
    const lp_column *c = lp_frame_col(vt->frame, j);
    size_t n = c->length;
    size_t *idx = malloc((n ? n : 1) * sizeof *idx), *tmp = malloc((n ? n : 1) * sizeof *tmp);
    if (!idx || !tmp) {
        free(idx);
        free(tmp);
        return SQLITE_NOMEM;
    }
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (lp_column_is_valid(c, i) && !(c->type == LP_DT_FLOAT64 && isnan(c->data.f64[i])))
            idx[m++] = i;
    sort_rows(c, idx, tmp, m);
    free(tmp);
    vt->sorted[j] = idx;
    vt->nsorted[j] = m;
    return SQLITE_OK;
}

/* Order of row i of c against the probe value (numeric d, or text s/len). */
static int cmp_probe(const lp_column *c, size_t i, bool text, double d, const char *s, size_t len)
{
    if (text) {
        size_t l;
        const char *v = lp_column_str(c, i, &l);
        return cmp_str(v, l, s, len);
    }
    double x = num_at(c, i);
    return x < d ? -1 : x > d;
}

/* Points the cursor at the rows of column j equal to value v, or at every
 * row when v's storage class does not match the column's (SQLite then
 * applies affinity and compares each row itself). */
static int lookup(frame_vtab *vt, frame_cursor *cur, size_t j, sqlite3_value *v)
{
    const lp_column *c = lp_frame_col(vt->frame, j);
    bool text_col = c->type == LP_DT_STRING || c->type == LP_DT_CATEGORY;
    int t = sqlite3_value_type(v);
    if (t == SQLITE_NULL) { /* = NULL matches nothing */
        cur->rows = NULL;
        cur->at = cur->end = 0;
        return SQLITE_OK;
    }
    bool text = t == SQLITE_TEXT;
    bool num = t == SQLITE_INTEGER || t == SQLITE_FLOAT;
    if ((text_col && !text) || (!text_col && !num)) {
        cur->rows = NULL;
        cur->at = 0;
        cur->end = lp_frame_rows(vt->frame);
        return SQLITE_OK;
    }
    int rc = ensure_sorted(vt, j);
    if (rc != SQLITE_OK) return rc;
    double d = num ? sqlite3_value_double(v) : 0;
    const char *s = text ? (const char *)sqlite3_value_text(v) : NULL;
    size_t len = text ? (size_t)sqlite3_value_bytes(v) : 0;
    if (text && !s) return SQLITE_NOMEM;
    const size_t *idx = vt->sorted[j];
    size_t lo = 0, hi = vt->nsorted[j];
    while (lo < hi) { /* first row >= probe */
        size_t mid = lo + (hi - lo) / 2;
        if (cmp_probe(c, idx[mid], text, d, s, len) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t end = lo;
    while (end < vt->nsorted[j] && cmp_probe(c, idx[end], text, d, s, len) == 0)
        end++;
    cur->rows = idx;
    cur->at = lo;
    cur->end = end;
    return SQLITE_OK;
}

/* ---- scanning -------------------------------------------------------------- */

static int vt_filter(sqlite3_vtab_cursor *base, int idx_num, const char *idx_str, int argc,
                     sqlite3_value **argv)
{
    (void)idx_str;
    frame_cursor *cur = (frame_cursor *)base;
    frame_vtab *vt = (frame_vtab *)base->pVtab;
    if (idx_num > SCAN_ALL && argc == 1) {
        int rc = lookup(vt, cur, (size_t)(idx_num - 1), argv[0]);
        if (rc == SQLITE_NOMEM) vt->base.zErrMsg = sqlite3_mprintf("out of memory");
        return rc;
    }
    cur->rows = NULL;
    cur->at = 0;
    cur->end = lp_frame_rows(vt->frame);
    return SQLITE_OK;
}

static int vt_next(sqlite3_vtab_cursor *base)
{
    ((frame_cursor *)base)->at++;
    return SQLITE_OK;
}

static int vt_eof(sqlite3_vtab_cursor *base)
{
    const frame_cursor *cur = (const frame_cursor *)base;
    return cur->at >= cur->end;
}

static size_t cursor_row(const frame_cursor *cur)
{
    return cur->rows ? cur->rows[cur->at] : cur->at;
}

void lp_sqlite_cell_value(const lp_column *c, size_t i, lp_sql_value *v, char buf[40])
{
    v->type = SQLITE_NULL;
    if (!lp_column_is_valid(c, i)) return;
    switch (c->type) {
    case LP_DT_FLOAT64:
        if (!isnan(c->data.f64[i])) { /* SQLite has no NaN */
            v->type = SQLITE_FLOAT;
            v->f = c->data.f64[i];
        }
        break;
    case LP_DT_INT64:
        v->type = SQLITE_INTEGER;
        v->i = c->data.i64[i];
        break;
    case LP_DT_BOOL:
        v->type = SQLITE_INTEGER;
        v->i = c->data.b8[i] ? 1 : 0;
        break;
    case LP_DT_TIMESTAMP:
        lp_sqlite_format_timestamp(c->data.i64[i], buf);
        v->type = SQLITE_TEXT;
        v->s = buf;
        v->len = strlen(buf);
        break;
    case LP_DT_STRING:
    case LP_DT_CATEGORY: {
        size_t len = 0;
        const char *s = lp_column_str(c, i, &len);
        v->type = SQLITE_TEXT;
        v->s = s ? s : "";
        v->len = s ? len : 0;
        break;
    }
    }
}

static int vt_column(sqlite3_vtab_cursor *base, sqlite3_context *ctx, int j)
{
    const frame_cursor *cur = (const frame_cursor *)base;
    const frame_vtab *vt = (const frame_vtab *)base->pVtab;
    char buf[40];
    lp_sql_value v;
    lp_sqlite_cell_value(lp_frame_col(vt->frame, (size_t)j), cursor_row(cur), &v, buf);
    switch (v.type) {
    case SQLITE_FLOAT:
        sqlite3_result_double(ctx, v.f);
        break;
    case SQLITE_INTEGER:
        sqlite3_result_int64(ctx, v.i);
        break;
    case SQLITE_TEXT:
        /* a timestamp's text is in buf: copied; a string's is the frame's,
         * which outlives every statement over the table: no copy */
        sqlite3_result_text64(ctx, v.s, v.len, v.s == buf ? SQLITE_TRANSIENT : SQLITE_STATIC,
                              SQLITE_UTF8);
        break;
    default:
        sqlite3_result_null(ctx);
    }
    return SQLITE_OK;
}

static int vt_rowid(sqlite3_vtab_cursor *base, sqlite3_int64 *out)
{
    *out = (sqlite3_int64)cursor_row((const frame_cursor *)base) + 1;
    return SQLITE_OK;
}

static const sqlite3_module frame_module = {
    .iVersion = 0,
    .xCreate = vt_connect,
    .xConnect = vt_connect,
    .xBestIndex = vt_best_index,
    .xDisconnect = vt_disconnect,
    .xDestroy = vt_disconnect,
    .xOpen = vt_open,
    .xClose = vt_close,
    .xFilter = vt_filter,
    .xNext = vt_next,
    .xEof = vt_eof,
    .xColumn = vt_column,
    .xRowid = vt_rowid,
};

static void frame_aux_free(void *p)
{
    lp_frame_unref(p);
}

int lp_sqlite_attach_frame(sqlite3 *db, const char *table, lp_frame *f, const char *where)
{
    if (!table || !*table) return lp_error_set(LP_EINVAL, "%s: the table name is empty", where);
    if (lp_frame_cols(f) == 0)
        return lp_error_set(LP_EINVAL, "%s: cannot attach table '%s': the frame has no columns",
                            where, table);
    /* One module per table: the module's client data is the frame. */
    static const char prefix[] = "lolpop_frame_";
    char module[64];
    for (int n = 0;; n++) { /* the first unused module name of this connection */
        snprintf(module, sizeof module, "%s%d", prefix, n);
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(db, "SELECT 1 FROM pragma_module_list WHERE name = ?1", -1, &st,
                               NULL) != SQLITE_OK)
            return lp_error_set(LP_ERROR, "%s: reading the module list: %s", where,
                                sqlite3_errmsg(db));
        sqlite3_bind_text(st, 1, module, -1, SQLITE_STATIC);
        int step = sqlite3_step(st);
        sqlite3_finalize(st);
        if (step == SQLITE_DONE) break;
        if (step != SQLITE_ROW)
            return lp_error_set(LP_ERROR, "%s: reading the module list: %s", where,
                                sqlite3_errmsg(db));
    }
    lp_frame_ref(f);
    if (sqlite3_create_module_v2(db, module, &frame_module, f, frame_aux_free) != SQLITE_OK)
        return lp_error_set(LP_ERROR, "%s: registering table '%s': %s", where, table,
                            sqlite3_errmsg(db)); /* the destructor ran: f released */
    lp_sb sb = {0};
    lp_sb_append(&sb, "CREATE VIRTUAL TABLE ");
    lp_sqlite_quote_ident(&sb, table);
    lp_sb_appendf(&sb, " USING %s", module);
    char *sql = lp_sb_take(&sb);
    if (!sql) return lp_error_set(LP_ENOMEM, "%s: out of memory", where);
    char *msg = NULL;
    int rc = 0;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
        rc = lp_error_set(LP_ERROR, "%s: attaching table '%s': %s", where, table,
                          msg ? msg : sqlite3_errmsg(db));
    sqlite3_free(msg);
    free(sql);
    return rc;
}

bool lp_sqlite_vtab_refused(void)
{
    const char *m = lp_error_last()->message;
    return m && (strstr(m, "may not be modified") || strstr(m, "virtual table"));
}
