/*
 * sqlite_frame.h — moving frames into and out of SQLite (internal to
 * liblolpop; used by SQLiteDataConnector and SQLDataTransformer).
 *
 * Column types on create: float64 REAL, int64 INTEGER, bool BOOLEAN (0/1),
 * string and category TEXT, timestamp TIMESTAMP (ISO-8601 text). On read,
 * declared types choose the frame type (BOOLEAN and TIMESTAMP included, so
 * bool and timestamp columns round-trip); columns without a declared type, or
 * whose values do not fit it, are typed from the values of every row: all
 * INTEGER → int64, INTEGER and REAL → float64, any TEXT or BLOB → string,
 * NULL → missing. A valid NaN is stored as NULL (SQLite has no NaN).
 *
 * `where` in every function names the database or the SQL for error
 * messages ("data.db", "inline sql", "query.sql").
 */
#ifndef LP_DATA_SQLITE_FRAME_H
#define LP_DATA_SQLITE_FRAME_H

#include <sqlite3.h>
#include <stdbool.h>

#include "core/internal.h"
#include "lolpop/frame.h"

typedef enum lp_sqlite_if_exists {
    LP_SQLITE_APPEND,
    LP_SQLITE_REPLACE,
    LP_SQLITE_FAIL
} lp_sqlite_if_exists;

/* Parses "append" | "replace" | "fail" (case-insensitive). 0 or LP_EINVAL (no error set). */
int lp_sqlite_if_exists_parse(const char *s, lp_sqlite_if_exists *out);

/* Appends `name` to sb as a quoted SQL identifier ("a ""b""" for a "b"). */
void lp_sqlite_quote_ident(lp_sb *sb, const char *name);
/* The declared SQLite column type of a lolpop type (static text): REAL,
 * INTEGER, BOOLEAN, TIMESTAMP or TEXT; the copied tables and the virtual
 * table declare the same, so SQL sees one set of types either way. */
const char *lp_sqlite_decl_type(lp_dtype t);

/* Whether `sql` is a query rather than a table name: it starts (after white
 * space) with the word SELECT or WITH, in any case. */
bool lp_sqlite_is_query(const char *sql);

/* Opens a database file (or ":memory:"); read-only opens never create the
 * file. *out is a new handle (close with sqlite3_close) or NULL on error. */
int lp_sqlite_open(sqlite3 **out, const char *path, bool readonly);

/* Runs SQL without results; errors name `where` and SQLite's message. */
int lp_sqlite_exec(sqlite3 *db, const char *sql, const char *where);

/* Whether table `name` exists (tables and views). */
int lp_sqlite_table_exists(sqlite3 *db, const char *name, bool *out, const char *where);

/* Writes f into table `table` in one transaction: create it with typed
 * columns when missing, else append / replace (drop and re-create) / fail as
 * `mode` says. Rolled back on any error. f is borrowed. */
int lp_sqlite_write_frame(sqlite3 *db, const char *table, const lp_frame *f,
                          lp_sqlite_if_exists mode, const char *where);

/* Makes frame f readable as table `table` of db without copying it: a
 * read-only virtual table whose columns are f's arrays (sqlite_frame_vtab.c;
 * same declared types and values as lp_sqlite_write_frame, NaN as NULL).
 * db takes a reference to f until the connection closes. Statements that
 * modify, alter or index the table fail ("may not be modified"). */
int lp_sqlite_attach_frame(sqlite3 *db, const char *table, lp_frame *f, const char *where);
/* Whether the last error came from SQL that a virtual table cannot serve
 * (writes, ALTER, CREATE INDEX or TRIGGER on it): redo it with a copied table. */
bool lp_sqlite_vtab_refused(void);

/* Runs `sql` (one or more statements; all but the last run for their effect)
 * and reads the last statement's rows into a new frame in *out. */
int lp_sqlite_query_frame(lp_frame **out, sqlite3 *db, const char *sql, const char *where);
/* The same for SQL written by a user: `sql_name` is its file or "inline sql",
 * and syntax errors are located at sql_name:line:col within it. */
int lp_sqlite_query_frame_at(lp_frame **out, sqlite3 *db, const char *sql, const char *sql_name);

/* Reads every remaining row of prepared statement st into a new frame in *out
 * (sqlite_result.c): a column's type is its declared type when every value
 * fits it, else the values': any text → string, any float → float64,
 * integers → int64, only NULLs → float64. typed: each column fills a typed
 * builder as rows arrive and keeps every cell only once its cells disagree;
 * false keeps every cell of every column first (the same frame, slower; for
 * tests). */
int lp_sqlite_read_rows(lp_frame **out, sqlite3 *db, sqlite3_stmt *st, const char *where,
                        bool typed);

/* One SQL value as SQLite gives it: type is SQLITE_INTEGER (i), SQLITE_FLOAT
 * (f), SQLITE_TEXT or SQLITE_BLOB (s, len bytes, borrowed) or SQLITE_NULL. */
typedef struct lp_sql_value {
    int type;
    int64_t i;
    double f;
    const char *s;
    size_t len;
} lp_sql_value;

/* The result reader behind lp_sqlite_read_rows, for values computed outside
 * SQLite too (sqlite_fast.c): one column per result column of st (declared
 * types from st), values pushed row by row, column by column. */
typedef struct lp_sql_reader lp_sql_reader;
/* New reader for st's columns (free with lp_sql_reader_free); NULL on no memory. */
lp_sql_reader *lp_sql_reader_new(sqlite3_stmt *st, bool typed);
void lp_sql_reader_free(lp_sql_reader *r);
/* Appends v to column j (texts are copied); false on no memory. */
bool lp_sql_reader_push(lp_sql_reader *r, int j, const lp_sql_value *v);
/* The frame type column j's declared type asks for; false when none does. */
bool lp_sql_reader_decl(const lp_sql_reader *r, int j, lp_dtype *out);
/* Column j of the result is col (taken), instead of what was pushed: for a
 * caller that built exactly the column the pushes would have given. */
void lp_sql_reader_set_column(lp_sql_reader *r, int j, lp_column *col);
/* The frame of every pushed value, columns named as st names them (new in *out). */
int lp_sql_reader_finish(lp_sql_reader *r, sqlite3_stmt *st, lp_frame **out, const char *where);

/* The value the virtual table gives for row i of c (sqlite_frame_vtab.c): a
 * missing value or NaN is NULL, a bool 0/1, a timestamp its ISO-8601 text in
 * buf, a string or category its bytes (borrowed from c). */
void lp_sqlite_cell_value(const lp_column *c, size_t i, lp_sql_value *v, char buf[40]);

/* ISO-8601 helpers for timestamp columns (microseconds since the epoch, UTC).
 * Parse accepts "YYYY-MM-DD", then optionally 'T' or ' ' and "HH:MM[:SS[.f…]]"
 * and an optional "Z" or "±HH:MM" offset. Format writes
 * "YYYY-MM-DDTHH:MM:SS" plus ".ffffff" when there are microseconds. */
bool lp_sqlite_parse_timestamp(const char *s, size_t len, int64_t *out);
void lp_sqlite_format_timestamp(int64_t us, char buf[40]);

#endif
