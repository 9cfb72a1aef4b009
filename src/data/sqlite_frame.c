/*
 * sqlite_frame.c — frames into and out of SQLite: typed CREATE TABLE, bulk
 * INSERT in one transaction with one prepared statement, and query results
 * read back into typed columns (see sqlite_frame.h for the type rules).
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "data/sqlite_frame.h"
#include "data/timestamp.h"
#include "lolpop/config.h"

/* ---- small helpers -------------------------------------------------------- */

int lp_sqlite_if_exists_parse(const char *s, lp_sqlite_if_exists *out)
{
    if (!s) return LP_EINVAL;
    if (lp_streq_nocase(s, "append"))
        *out = LP_SQLITE_APPEND;
    else if (lp_streq_nocase(s, "replace"))
        *out = LP_SQLITE_REPLACE;
    else if (lp_streq_nocase(s, "fail"))
        *out = LP_SQLITE_FAIL;
    else
        return LP_EINVAL;
    return 0;
}

void lp_sqlite_quote_ident(lp_sb *sb, const char *name)
{
    lp_sb_putc(sb, '"');
    for (const char *p = name; *p; p++) {
        if (*p == '"') lp_sb_putc(sb, '"');
        lp_sb_putc(sb, *p);
    }
    lp_sb_putc(sb, '"');
}

/* Whether s starts with `word` (ASCII case ignored) followed by a non-word character. */
static bool starts_with_word(const char *s, const char *word)
{
    size_t n = strlen(word);
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c >= 'a' && c <= 'z') c = (char)(c - 'a' + 'A');
        if (c != word[i]) return false;
    }
    char next = s[n];
    return !(next == '_' || (next >= '0' && next <= '9') || (next >= 'a' && next <= 'z') ||
             (next >= 'A' && next <= 'Z') || (unsigned char)next >= 0x80);
}

bool lp_sqlite_is_query(const char *sql)
{
    if (!sql) return false;
    while (*sql == ' ' || *sql == '\t' || *sql == '\n' || *sql == '\r' || *sql == '(')
        sql++;
    return starts_with_word(sql, "SELECT") || starts_with_word(sql, "WITH");
}

/* Records SQLite's current error for `where` while `doing` something. */
static int sql_fail(sqlite3 *db, const char *where, const char *doing)
{
    return lp_error_set(LP_ERROR, "%s: %s: %s", where, doing, sqlite3_errmsg(db));
}

int lp_sqlite_open(sqlite3 **out, const char *path, bool readonly)
{
    *out = NULL;
    if (readonly && strcmp(path, ":memory:") != 0 && access(path, F_OK) != 0)
        return lp_error_set(LP_ENOTFOUND, "SQLite database '%s' does not exist", path);
    sqlite3 *db = NULL;
    /* NOMUTEX: each connection is used by one thread at a time, so SQLite's
     * per-call mutex only costs (a fifth of a bulk load's time). */
    int flags = SQLITE_OPEN_NOMUTEX |
                (readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    int rc = sqlite3_open_v2(path, &db, flags, NULL);
    if (rc != SQLITE_OK) {
        lp_error_set(LP_EIO, "cannot open SQLite database '%s': %s", path,
                     db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
        sqlite3_close(db);
        return LP_EIO;
    }
    sqlite3_busy_timeout(db, 5000); /* a writer in another process: wait, don't fail */
    sqlite3_extended_result_codes(db, 1);
    *out = db;
    return 0;
}

int lp_sqlite_exec(sqlite3 *db, const char *sql, const char *where)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK) return 0;
    lp_error_set(LP_ERROR, "%s: %s", where, msg ? msg : sqlite3_errmsg(db));
    sqlite3_free(msg);
    return LP_ERROR;
}

int lp_sqlite_table_exists(sqlite3 *db, const char *name, bool *out, const char *where)
{
    sqlite3_stmt *st = NULL;
    const char *sql = "SELECT 1 FROM sqlite_master WHERE type IN ('table', 'view') "
                      "AND name = ?1 COLLATE NOCASE";
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return sql_fail(db, where, "reading the schema");
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    *out = rc == SQLITE_ROW;
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return sql_fail(db, where, "reading the schema");
    return 0;
}

/* ---- timestamps ------------------------------------------------------------ */

/* SQLite text timestamps: the strict ISO-8601 subset (no decimal comma, no
 * leap second, no zone after a bare date). */
bool lp_sqlite_parse_timestamp(const char *s, size_t len, int64_t *out)
{
    return lp_ts_parse(s, len, 0, out);
}

void lp_sqlite_format_timestamp(int64_t us, char buf[40])
{
    lp_ts_format(us, false, buf, 40);
}

/* ---- writing --------------------------------------------------------------- */

const char *lp_sqlite_decl_type(lp_dtype t)
{
    switch (t) {
    case LP_DT_FLOAT64:
        return "REAL";
    case LP_DT_INT64:
        return "INTEGER";
    case LP_DT_BOOL:
        return "BOOLEAN";
    case LP_DT_TIMESTAMP:
        return "TIMESTAMP";
    case LP_DT_STRING:
    case LP_DT_CATEGORY:
        break;
    }
    return "TEXT";
}

static int create_table(sqlite3 *db, const char *table, const lp_frame *f, const char *where)
{
    lp_sb sb = {0};
    lp_sb_append(&sb, "CREATE TABLE ");
    lp_sqlite_quote_ident(&sb, table);
    lp_sb_append(&sb, " (");
    for (size_t j = 0; j < lp_frame_cols(f); j++) {
        if (j) lp_sb_append(&sb, ", ");
        lp_sqlite_quote_ident(&sb, lp_frame_name(f, j));
        lp_sb_appendf(&sb, " %s", lp_sqlite_decl_type(lp_frame_col(f, j)->type));
    }
    lp_sb_putc(&sb, ')');
    if (sb.oom) {
        lp_sb_free(&sb);
        return lp_error_set(LP_ENOMEM, "%s: out of memory", where);
    }
    sqlite3_stmt *st = NULL;
    int rc = 0;
    if (sqlite3_prepare_v2(db, sb.buf, -1, &st, NULL) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_DONE) {
        char *doing = lp_asprintf("creating table '%s'", table);
        rc = sql_fail(db, where, doing ? doing : "creating a table");
        free(doing);
    }
    sqlite3_finalize(st);
    lp_sb_free(&sb);
    return rc;
}

static char *insert_sql(const char *table, const lp_frame *f)
{
    lp_sb sb = {0};
    lp_sb_append(&sb, "INSERT INTO ");
    lp_sqlite_quote_ident(&sb, table);
    lp_sb_append(&sb, " (");
    for (size_t j = 0; j < lp_frame_cols(f); j++) {
        if (j) lp_sb_append(&sb, ", ");
        lp_sqlite_quote_ident(&sb, lp_frame_name(f, j));
    }
    lp_sb_append(&sb, ") VALUES (");
    for (size_t j = 0; j < lp_frame_cols(f); j++)
        lp_sb_append(&sb, j ? ", ?" : "?");
    lp_sb_putc(&sb, ')');
    if (sb.oom) {
        lp_sb_free(&sb);
        lp_error_set(LP_ENOMEM, "out of memory");
        return NULL;
    }
    return lp_sb_take(&sb);
}

/* Binds value i of col to parameter p. Strings are bound without a copy:
 * the frame outlives the step. */
static int bind_value(sqlite3_stmt *st, int p, const lp_column *col, size_t i)
{
    if (!lp_column_is_valid(col, i)) return sqlite3_bind_null(st, p);
    switch (col->type) {
    case LP_DT_FLOAT64: {
        double v = col->data.f64[i];
        return isnan(v) ? sqlite3_bind_null(st, p) : sqlite3_bind_double(st, p, v);
    }
    case LP_DT_INT64:
        return sqlite3_bind_int64(st, p, col->data.i64[i]);
    case LP_DT_BOOL:
        return sqlite3_bind_int(st, p, col->data.b8[i] ? 1 : 0);
    case LP_DT_TIMESTAMP: {
        char buf[40];
        lp_sqlite_format_timestamp(col->data.i64[i], buf);
        return sqlite3_bind_text(st, p, buf, -1, SQLITE_TRANSIENT);
    }
    case LP_DT_STRING:
    case LP_DT_CATEGORY: {
        size_t len = 0;
        const char *s = lp_column_str(col, i, &len);
        return sqlite3_bind_text64(st, p, s ? s : "", s ? len : 0, SQLITE_STATIC, SQLITE_UTF8);
    }
    }
    return sqlite3_bind_null(st, p);
}

static int insert_rows(sqlite3 *db, const char *table, const lp_frame *f, const char *where)
{
    char *sql = insert_sql(table, f);
    if (!sql) return LP_ENOMEM;
    sqlite3_stmt *st = NULL;
    int rc = 0;
    char *doing = lp_asprintf("inserting into table '%s'", table);
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        rc = sql_fail(db, where, doing ? doing : "inserting");
    }
    size_t rows = lp_frame_rows(f), cols = lp_frame_cols(f);
    for (size_t i = 0; rc == 0 && i < rows; i++) {
        for (size_t j = 0; j < cols && rc == 0; j++)
            if (bind_value(st, (int)j + 1, lp_frame_col(f, j), i) != SQLITE_OK)
                rc = sql_fail(db, where, doing ? doing : "inserting");
        if (rc == 0 && sqlite3_step(st) != SQLITE_DONE)
            rc = sql_fail(db, where, doing ? doing : "inserting");
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    free(doing);
    free(sql);
    return rc;
}

/* Create / drop / fail according to mode, inside the open transaction. */
static int prepare_table(sqlite3 *db, const char *table, const lp_frame *f,
                         lp_sqlite_if_exists mode, const char *where)
{
    bool exists = false;
    int rc = lp_sqlite_table_exists(db, table, &exists, where);
    if (rc != 0) return rc;
    if (exists && mode == LP_SQLITE_FAIL)
        return lp_error_set(LP_EEXISTS,
                            "%s: table '%s' already exists (if_exists is 'fail'; use append or "
                            "replace)",
                            where, table);
    if (exists && mode == LP_SQLITE_REPLACE) {
        lp_sb sb = {0};
        lp_sb_append(&sb, "DROP TABLE ");
        lp_sqlite_quote_ident(&sb, table);
        char *sql = lp_sb_take(&sb);
        rc = sql ? lp_sqlite_exec(db, sql, where) : LP_ENOMEM;
        free(sql);
        if (rc != 0) return rc;
        exists = false;
    }
    return exists ? 0 : create_table(db, table, f, where);
}

int lp_sqlite_write_frame(sqlite3 *db, const char *table, const lp_frame *f,
                          lp_sqlite_if_exists mode, const char *where)
{
    if (!table || !*table)
        return lp_error_set(LP_EINVAL, "%s: the target table name is empty", where);
    if (lp_frame_cols(f) == 0)
        return lp_error_set(LP_EINVAL, "%s: cannot write table '%s': the frame has no columns",
                            where, table);
    /* IMMEDIATE takes the write lock now, so a concurrent writer waits (busy
     * timeout) instead of failing half-way. */
    int rc = lp_sqlite_exec(db, "BEGIN IMMEDIATE", where);
    if (rc != 0) return rc;
    rc = prepare_table(db, table, f, mode, where);
    if (rc == 0) rc = insert_rows(db, table, f, where);
    if (rc == 0) rc = lp_sqlite_exec(db, "COMMIT", where);
    if (rc != 0) sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL); /* keeps the first error */
    return rc;
}

/* ---- reading (the result reader is sqlite_result.c) ---------------------- */

/* Sets the error of a failed prepare, located at line:col of `sql` when
 * SQLite knows the offset and `locate` is set. */
static int prepare_fail(sqlite3 *db, const char *all, const char *stmt, const char *where,
                        bool locate)
{
    int off = sqlite3_error_offset(db);
    if (!locate || off < 0)
        return lp_error_set(LP_ERROR, "%s: SQL error: %s", where, sqlite3_errmsg(db));
    int line = 1, col = 1;
    for (const char *p = all; p < stmt + off && *p; p++) {
        if (*p == '\n') {
            line++;
            col = 1;
        } else if (((unsigned char)*p & 0xC0) != 0x80) {
            col++;
        }
    }
    return lp_error_set_at(LP_ERROR, where, line, col, "SQL error: %s", sqlite3_errmsg(db));
}

/* Whether only white space, comments and semicolons are left. */
static bool only_trivia(const char *s)
{
    while (*s) {
        if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == '\f' || *s == ';') {
            s++;
        } else if (s[0] == '-' && s[1] == '-') {
            while (*s && *s != '\n')
                s++;
        } else if (s[0] == '/' && s[1] == '*') {
            const char *end = strstr(s + 2, "*/");
            if (!end) return true; /* SQLite treats an open comment as running to the end */
            s = end + 2;
        } else {
            return false;
        }
    }
    return true;
}

/* Runs every statement but the last for its effect (each is prepared only
 * after the one before ran, so a CREATE is visible to the next statement),
 * then reads the last one's rows. */
static int query_frame(lp_frame **out, sqlite3 *db, const char *sql, const char *where, bool locate)
{
    const char *tail = sql;
    for (;;) {
        sqlite3_stmt *st = NULL;
        const char *text = tail;
        if (sqlite3_prepare_v2(db, text, -1, &st, &tail) != SQLITE_OK)
            return prepare_fail(db, sql, text, where, locate);
        if (!st) return lp_error_set(LP_EINVAL, "%s: the SQL holds no statement", where);
        if (only_trivia(tail)) {
            int rc;
            if (sqlite3_column_count(st) == 0)
                rc = lp_error_set(LP_EINVAL,
                                  "%s: the last SQL statement returns no rows (end with a SELECT)",
                                  where);
            else
                rc = lp_sqlite_read_rows(out, db, st, where, true);
            sqlite3_finalize(st);
            return rc;
        }
        int step;
        while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        }
        sqlite3_finalize(st);
        if (step != SQLITE_DONE)
            return lp_error_set(LP_ERROR, "%s: SQL error: %s", where, sqlite3_errmsg(db));
    }
}

int lp_sqlite_query_frame(lp_frame **out, sqlite3 *db, const char *sql, const char *where)
{
    *out = NULL;
    return query_frame(out, db, sql, where, false);
}

int lp_sqlite_query_frame_at(lp_frame **out, sqlite3 *db, const char *sql, const char *sql_name)
{
    *out = NULL;
    return query_frame(out, db, sql, sql_name, true);
}
