/*
 * pg_frame.h — moving frames into and out of PostgreSQL through libpq
 * (internal to liblolpop; used by PostgresDataConnector and
 * PostgresDataTransformer).
 *
 * Column types on create: float64 double precision, int64 bigint, bool
 * boolean, string and category text, timestamp timestamp (without time zone,
 * UTC by convention). Loading uses COPY FROM STDIN in text format.
 *
 * On read, result column OIDs choose the frame type: int2/int4/int8/oid →
 * int64; float4/float8/numeric → float64; bool → bool;
 * text/varchar/char/name → string; timestamp/timestamptz/date → timestamp
 * (timestamptz as UTC: the session runs with TimeZone UTC); anything else →
 * string (its text form). SQL NULL → missing. Duplicate result column names
 * get a suffix "_2", "_3", … so that every frame column has a unique name.
 *
 * Secrets: a DSN is never put into a message as given; lp_pg_dsn_mask hides
 * passwords in both the key=value and the URI form. `where` in every function
 * names the SQL's origin for error messages ("inline sql", "query.sql",
 * "table sales").
 */
#ifndef LP_DATA_PG_FRAME_H
#define LP_DATA_PG_FRAME_H

#include <libpq-fe.h>
#include <stdbool.h>

#include "data/pq_api.h" /* PQ* names go through the lazily loaded libpq */

#include "core/internal.h"
#include "lolpop/frame.h"

typedef enum lp_pg_if_exists { LP_PG_APPEND, LP_PG_REPLACE, LP_PG_FAIL } lp_pg_if_exists;

/* Parses "append" | "replace" | "fail" (case-insensitive). 0 or LP_EINVAL (no error set). */
int lp_pg_if_exists_parse(const char *s, lp_pg_if_exists *out);

/* A copy of `dsn` with every password replaced by "***": "password=secret"
 * and "password='s e c'" in key=value DSNs, "user:secret@" in
 * postgresql:// and postgres:// URIs, and "password=" URI query parameters.
 * New string (caller frees); NULL on OOM. */
char *lp_pg_dsn_mask(const char *dsn);

/* Connects and prepares the session (client_encoding UTF8, TimeZone UTC,
 * DateStyle ISO, full float precision). *out is a new connection (close with
 * PQfinish) or NULL. Errors name the host, port, database and user of the
 * DSN and libpq's message, never the password. */
int lp_pg_connect(PGconn **out, const char *dsn, const char *where);

/* Runs SQL without parameters (may hold several statements) for its effect.
 * Errors name `where`, the server's message and the SQL's start. */
int lp_pg_exec(PGconn *conn, const char *sql, const char *where);

/* Whether `text` is a query rather than a table name: it starts (after white
 * space) with the word SELECT, WITH, VALUES or TABLE, in any case. */
bool lp_pg_is_query(const char *text);

/* Appends `name` as a quoted, possibly schema-qualified identifier: the name
 * is split on dots outside double quotes; a part already in double quotes is
 * taken as SQL spells it ("a""b" → a"b), any other part exactly as written
 * (no case folding); each part is then quoted with PQescapeIdentifier.
 * 0, or LP_EINVAL for an empty part (error names `name`). */
int lp_pg_quote_name(lp_sb *sb, PGconn *conn, const char *name);

/* Writes f into table `table` in one transaction: CREATE TABLE with typed
 * columns when missing, else append / replace (drop and re-create) / fail as
 * `mode` says; then COPY FROM STDIN. `temp` creates a TEMP table (for a
 * session's scratch data; `table` is then a bare name). Rolled back on any
 * error. f is borrowed. */
int lp_pg_write_frame(PGconn *conn, const char *table, const lp_frame *f, lp_pg_if_exists mode,
                      bool temp, const char *where);

/* Runs `sql` and reads its rows into a new frame in *out. With nparams > 0 the
 * SQL is one statement whose $1..$n take params (text values; NULL = SQL
 * NULL); without, it may hold several statements and the last one's rows are
 * returned. */
int lp_pg_query_frame(lp_frame **out, PGconn *conn, const char *sql, const char *const *params,
                      int nparams, const char *where);

/* Converts a PGRES_TUPLES_OK result into a new frame in *out (borrowed res). */
int lp_pg_result_frame(lp_frame **out, const PGresult *res, const char *where);

/* Timestamp text as PostgreSQL writes it with DateStyle ISO
 * ("YYYY-MM-DD[ HH:MM:SS[.ffffff]][±HH[:MM[:SS]]][ BC]") → microseconds since
 * the epoch, UTC. false when malformed or out of range ("infinity"). */
bool lp_pg_parse_timestamp(const char *s, size_t len, int64_t *out);
/* Microseconds since the epoch → "YYYY-MM-DD HH:MM:SS.ffffff" (plus " BC"
 * before year 1). buf of at least 48 bytes; returns the length. */
size_t lp_pg_format_timestamp(int64_t us, char *buf, size_t cap);

#endif
