/*
 * pg_frame.c — frames ↔ PostgreSQL through libpq: connecting without leaking
 * passwords, quoting names, CREATE TABLE + COPY FROM STDIN bulk loads, and
 * results read into typed columns by their column type OIDs.
 */
#include "data/pg_frame.h"
#include "data/frame_internal.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Type OIDs from the server's catalog (pg_type.h is a server header). */
enum {
    OID_BOOL = 16,
    OID_NAME = 19,
    OID_INT8 = 20,
    OID_INT2 = 21,
    OID_INT4 = 23,
    OID_TEXT = 25,
    OID_OID = 26,
    OID_FLOAT4 = 700,
    OID_FLOAT8 = 701,
    OID_BPCHAR = 1042,
    OID_VARCHAR = 1043,
    OID_DATE = 1082,
    OID_TIMESTAMP = 1114,
    OID_TIMESTAMPTZ = 1184,
    OID_NUMERIC = 1700,
    OID_CHAR = 18
};

#define COPY_CHUNK  (1u << 20) /* bytes handed to PQputCopyData at a time */
#define SQL_SNIPPET 120        /* characters of SQL quoted in error messages */

int lp_pg_if_exists_parse(const char *s, lp_pg_if_exists *out)
{
    if (!s || lp_streq_nocase(s, "append"))
        *out = LP_PG_APPEND;
    else if (lp_streq_nocase(s, "replace"))
        *out = LP_PG_REPLACE;
    else if (lp_streq_nocase(s, "fail"))
        *out = LP_PG_FAIL;
    else
        return LP_EINVAL;
    return 0;
}

/* ---- secrets ------------------------------------------------------------------ */

/* The raw spellings of the password found while masking, so that libpq's own
 * messages (which may quote fragments of a malformed DSN) can be scrubbed. */
#define MAX_SECRETS 8
typedef struct secrets {
    char *item[MAX_SECRETS];
    size_t n;
} secrets;

static void secret_add(secrets *sec, const char *s, size_t len)
{
    if (!sec || len == 0 || sec->n == MAX_SECRETS) return;
    char *copy = lp_strndup(s, len);
    if (copy) sec->item[sec->n++] = copy;
}

static void secrets_free(secrets *sec)
{
    for (size_t i = 0; i < sec->n; i++)
        free(sec->item[i]);
    sec->n = 0;
}

static bool has_prefix_nocase(const char *s, const char *prefix)
{
    return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

/* URI form: mask the password of "user:password@" and "password=" query values. */
static void mask_uri(lp_sb *sb, const char *dsn, secrets *sec)
{
    const char *rest = strstr(dsn, "://") + 3;
    size_t auth_len = strcspn(rest, "/?");
    const char *at = NULL;
    for (size_t i = 0; i < auth_len; i++)
        if (rest[i] == '@') at = rest + i; /* the last '@' ends the user info */
    lp_sb_appendn(sb, dsn, (size_t)(rest - dsn));
    if (at) {
        const char *colon = memchr(rest, ':', (size_t)(at - rest));
        lp_sb_appendn(sb, rest, (size_t)((colon ? colon : at) - rest));
        if (colon) {
            lp_sb_append(sb, ":***");
            secret_add(sec, colon + 1, (size_t)(at - colon - 1));
        }
        rest = at;
    }
    /* The remainder, with any password=… query parameter masked. */
    const char *q = strchr(rest, '?');
    if (!q) {
        lp_sb_append(sb, rest);
        return;
    }
    lp_sb_appendn(sb, rest, (size_t)(q - rest));
    while (*q) {
        lp_sb_putc(sb, *q++); /* '?' or '&' */
        size_t n = strcspn(q, "&");
        if (has_prefix_nocase(q, "password=")) {
            lp_sb_append(sb, "password=***");
            secret_add(sec, q + 9, n - 9);
        } else {
            lp_sb_appendn(sb, q, n);
        }
        q += n;
    }
}

/* key=value form. A password value, and any '='-less words right after it (a
 * malformed, unquoted password with spaces), become ***. */
static void mask_keyvalue(lp_sb *sb, const char *s, secrets *sec)
{
    bool after_password = false;
    while (*s) {
        while (isspace((unsigned char)*s))
            lp_sb_putc(sb, *s++);
        if (!*s) break;
        const char *key = s;
        while (*s && *s != '=' && !isspace((unsigned char)*s))
            s++;
        size_t key_len = (size_t)(s - key);
        const char *p = s;
        while (isspace((unsigned char)*p))
            p++;
        if (*p != '=') { /* not a key: a stray word */
            if (after_password) {
                lp_sb_append(sb, "***");
                secret_add(sec, key, key_len);
            } else {
                lp_sb_appendn(sb, key, key_len);
            }
            continue;
        }
        bool is_password = key_len == 8 && strncasecmp(key, "password", 8) == 0;
        lp_sb_appendn(sb, key, (size_t)(p + 1 - key));
        s = p + 1;
        while (isspace((unsigned char)*s))
            lp_sb_putc(sb, *s++);
        const char *val = s;
        if (*s == '\'') {
            for (s++; *s && *s != '\''; s++)
                if (*s == '\\' && s[1]) s++;
            if (*s) s++;
        } else {
            for (; *s && !isspace((unsigned char)*s); s++)
                if (*s == '\\' && s[1]) s++;
        }
        if (is_password) {
            lp_sb_append(sb, "***");
            bool quoted = *val == '\'' && s - val >= 2;
            secret_add(sec, val + quoted, (size_t)(s - val) - 2 * quoted);
        } else {
            lp_sb_appendn(sb, val, (size_t)(s - val));
        }
        after_password = is_password;
    }
}

static char *mask_dsn(const char *dsn, secrets *sec)
{
    lp_sb sb = {0};
    if (!dsn) dsn = "";
    if ((has_prefix_nocase(dsn, "postgresql://") || has_prefix_nocase(dsn, "postgres://")))
        mask_uri(&sb, dsn, sec);
    else
        mask_keyvalue(&sb, dsn, sec);
    if (sb.oom) {
        lp_sb_free(&sb);
        lp_error_set(LP_ENOMEM, "out of memory");
        return NULL;
    }
    return lp_sb_take(&sb);
}

char *lp_pg_dsn_mask(const char *dsn)
{
    return mask_dsn(dsn, NULL);
}

/* Adds the password as libpq understands it (decoded, unquoted), when the DSN parses. */
static void add_parsed_password(secrets *sec, const char *dsn)
{
    if (lp_pq_require() != 0) {
        lp_error_clear(); /* the textual masking still applies */
        return;
    }
    PQconninfoOption *opts = PQconninfoParse(dsn, NULL);
    for (PQconninfoOption *o = opts; o && o->keyword; o++)
        if (strcmp(o->keyword, "password") == 0 && o->val && *o->val)
            secret_add(sec, o->val, strlen(o->val));
    PQconninfoFree(opts);
}

/* Appends msg with every occurrence of every secret replaced by ***. */
static void append_scrubbed(lp_sb *sb, const char *msg, const secrets *sec)
{
    while (*msg) {
        size_t best = 0;
        for (size_t k = 0; k < sec->n; k++) {
            size_t n = strlen(sec->item[k]);
            if (n > best && strncmp(msg, sec->item[k], n) == 0) best = n;
        }
        if (best) {
            lp_sb_append(sb, "***");
            msg += best;
        } else {
            lp_sb_putc(sb, *msg++);
        }
    }
}

/* libpq messages end in newlines; error messages here are one line. */
static void append_trimmed(lp_sb *sb, const char *msg)
{
    size_t n = strlen(msg);
    while (n && isspace((unsigned char)msg[n - 1]))
        n--;
    for (size_t i = 0; i < n; i++)
        lp_sb_putc(sb, msg[i] == '\n' || msg[i] == '\t' ? ' ' : msg[i]);
}

/* ---- connecting ------------------------------------------------------------- */

/* libpq prints NOTICEs to stderr by default; nothing below the CLI may. */
static void ignore_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

static int connect_error(PGconn *conn, const char *dsn, const char *where)
{
    secrets sec = {0};
    char *masked = mask_dsn(dsn, &sec);
    add_parsed_password(&sec, dsn);
    lp_sb msg = {0};
    const char *host = conn ? PQhost(conn) : NULL;
    const char *port = conn ? PQport(conn) : NULL;
    const char *db = conn ? PQdb(conn) : NULL;
    const char *user = conn ? PQuser(conn) : NULL;
    lp_sb_appendf(&msg, "%s: cannot connect to PostgreSQL", where);
    if (host && *host) lp_sb_appendf(&msg, " at host %s", host);
    if (port && *port) lp_sb_appendf(&msg, " port %s", port);
    if (db && *db) lp_sb_appendf(&msg, ", database %s", db);
    if (user && *user) lp_sb_appendf(&msg, ", user %s", user);
    lp_sb_appendf(&msg, " (dsn \"%s\"): ", masked ? masked : "?");
    lp_sb detail = {0};
    append_trimmed(&detail, conn ? PQerrorMessage(conn) : "out of memory");
    append_scrubbed(&msg, detail.buf ? detail.buf : "", &sec);
    lp_sb_free(&detail);
    free(masked);
    secrets_free(&sec);
    int rc = lp_error_set(LP_EIO, "%s", msg.buf ? msg.buf : "cannot connect to PostgreSQL");
    lp_sb_free(&msg);
    return rc;
}

int lp_pg_connect(PGconn **out, const char *dsn, const char *where)
{
    *out = NULL;
    if (!dsn || !*dsn) return lp_error_set(LP_ECONFIG, "%s: no PostgreSQL dsn configured", where);
    int loaded = lp_pq_require();
    if (loaded) {
        lp_error_prefix("%s", where);
        return loaded;
    }
    /* dsn last: its own connect_timeout, if any, overrides ours. */
    const char *const keys[] = {"connect_timeout", "fallback_application_name", "dbname", NULL};
    const char *const vals[] = {"10", "lolpop", dsn, NULL};
    PGconn *conn = PQconnectdbParams(keys, vals, 1);
    if (!conn || PQstatus(conn) != CONNECTION_OK) {
        int rc = connect_error(conn, dsn, where);
        PQfinish(conn);
        return rc;
    }
    PQsetNoticeProcessor(conn, ignore_notice, NULL);
    int rc = lp_pg_exec(conn,
                        "SET client_encoding TO 'UTF8'; SET TimeZone TO 'UTC'; "
                        "SET DateStyle TO 'ISO, YMD'; SET extra_float_digits TO 3; "
                        "SET client_min_messages TO warning",
                        where);
    if (rc != 0) {
        PQfinish(conn);
        return rc;
    }
    *out = conn;
    return 0;
}

/* ---- running SQL ------------------------------------------------------------ */

/* The server's error as one line: "ERROR: primary; detail: …; hint: …
 * (at character N); context: …", or libpq's message when the server sent
 * none (connection lost, protocol trouble). */
static void append_server_error(lp_sb *sb, const PGresult *res, PGconn *conn)
{
    const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    if (!primary) {
        const char *m = res ? PQresultErrorMessage(res) : "";
        append_trimmed(sb, m && *m ? m : PQerrorMessage(conn));
        return;
    }
    const char *sev = PQresultErrorField(res, PG_DIAG_SEVERITY);
    static const struct {
        int code;
        const char *label;
    } extra[] = {{PG_DIAG_MESSAGE_DETAIL, "detail"},
                 {PG_DIAG_MESSAGE_HINT, "hint"},
                 {PG_DIAG_STATEMENT_POSITION, "at character"},
                 {PG_DIAG_CONTEXT, "context"}};
    lp_sb_appendf(sb, "%s: ", sev ? sev : "ERROR");
    append_trimmed(sb, primary);
    for (size_t i = 0; i < sizeof extra / sizeof *extra; i++) {
        const char *v = PQresultErrorField(res, extra[i].code);
        if (!v || !*v) continue;
        lp_sb_appendf(sb, "; %s%s", extra[i].label,
                      extra[i].code == PG_DIAG_STATEMENT_POSITION ? " " : ": ");
        append_trimmed(sb, v);
    }
}

/* Sets the error for a failed statement: origin, server message, SQL start. */
static int sql_error(const PGresult *res, PGconn *conn, const char *sql, const char *where)
{
    lp_sb msg = {0};
    lp_sb_appendf(&msg, "PostgreSQL error in %s: ", where);
    append_server_error(&msg, res, conn);
    if (sql) {
        size_t n = strlen(sql);
        while (n && isspace((unsigned char)sql[n - 1]))
            n--;
        lp_sb_append(&msg, " [SQL: ");
        for (size_t i = 0; i < n && i < SQL_SNIPPET; i++)
            lp_sb_putc(&msg, sql[i] == '\n' || sql[i] == '\t' || sql[i] == '\r' ? ' ' : sql[i]);
        lp_sb_append(&msg, n > SQL_SNIPPET ? "…]" : "]");
    }
    int rc = lp_error_set(LP_EIO, "%s", msg.buf ? msg.buf : "PostgreSQL error");
    lp_sb_free(&msg);
    return rc;
}

int lp_pg_exec(PGconn *conn, const char *sql, const char *where)
{
    PGresult *res = PQexec(conn, sql);
    ExecStatusType st = PQresultStatus(res);
    int rc = 0;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_EMPTY_QUERY)
        rc = sql_error(res, conn, sql, where);
    PQclear(res);
    return rc;
}

bool lp_pg_is_query(const char *text)
{
    static const char *const words[] = {"select", "with", "values", "table"};
    while (isspace((unsigned char)*text) || *text == '(')
        text++;
    for (size_t i = 0; i < sizeof words / sizeof *words; i++) {
        size_t n = strlen(words[i]);
        if (strncasecmp(text, words[i], n) == 0 &&
            !(isalnum((unsigned char)text[n]) || text[n] == '_'))
            return true;
    }
    return false;
}

/* ---- names ------------------------------------------------------------------ */

static int append_ident(lp_sb *sb, PGconn *conn, const char *name, size_t len)
{
    char *q = PQescapeIdentifier(conn, name, len);
    if (!q) {
        lp_sb scrub = {0};
        append_trimmed(&scrub, PQerrorMessage(conn));
        int rc = lp_error_set(LP_EINVAL, "cannot quote the name '%.*s': %s", (int)len, name,
                              scrub.buf ? scrub.buf : "");
        lp_sb_free(&scrub);
        return rc;
    }
    lp_sb_append(sb, q);
    PQfreemem(q);
    return 0;
}

int lp_pg_quote_name(lp_sb *sb, PGconn *conn, const char *name)
{
    const char *p = name;
    bool first = true;
    for (;;) {
        lp_sb part = {0};
        if (*p == '"') { /* "a""b" → a"b */
            for (p++; *p; p++) {
                if (*p == '"' && p[1] == '"') {
                    lp_sb_putc(&part, '"');
                    p++;
                } else if (*p == '"') {
                    break;
                } else {
                    lp_sb_putc(&part, *p);
                }
            }
            if (*p != '"' || (p[1] && p[1] != '.')) {
                lp_sb_free(&part);
                return lp_error_set(LP_EINVAL, "table name '%s': unbalanced double quotes", name);
            }
            p++;
        } else {
            size_t n = strcspn(p, ".");
            lp_sb_appendn(&part, p, n);
            p += n;
        }
        if (part.len == 0) {
            lp_sb_free(&part);
            return lp_error_set(LP_EINVAL, "table name '%s' has an empty part", name);
        }
        if (!first) lp_sb_putc(sb, '.');
        int rc = append_ident(sb, conn, part.buf, part.len);
        lp_sb_free(&part);
        if (rc != 0) return rc;
        first = false;
        if (*p != '.') break;
        p++;
    }
    return 0;
}

/* ---- writing ------------------------------------------------------------------ */

static const char *pg_type_of(lp_dtype t)
{
    switch (t) {
    case LP_DT_FLOAT64:
        return "double precision";
    case LP_DT_INT64:
        return "bigint";
    case LP_DT_BOOL:
        return "boolean";
    case LP_DT_TIMESTAMP:
        return "timestamp";
    case LP_DT_STRING:
    case LP_DT_CATEGORY:
        break;
    }
    return "text";
}

/* Whether the quoted name exists as a relation visible to this session. */
static int relation_exists(PGconn *conn, const char *quoted, bool *out, const char *where)
{
    const char *params[] = {quoted};
    PGresult *res =
        PQexecParams(conn, "SELECT to_regclass($1) IS NOT NULL", 1, NULL, params, NULL, NULL, 0);
    int rc = 0;
    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        rc = sql_error(res, conn, "SELECT to_regclass(...)", where);
    else
        *out = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
    PQclear(res);
    return rc;
}

static int create_table(PGconn *conn, const char *quoted, const lp_frame *f, bool temp,
                        const char *where)
{
    lp_sb sql = {0};
    int rc = 0;
    lp_sb_appendf(&sql, "CREATE %sTABLE %s (", temp ? "TEMP " : "", quoted);
    for (size_t j = 0; j < lp_frame_cols(f) && rc == 0; j++) {
        if (j) lp_sb_append(&sql, ", ");
        const char *name = lp_frame_name(f, j);
        rc = append_ident(&sql, conn, name, strlen(name));
        lp_sb_appendf(&sql, " %s", pg_type_of(lp_frame_col(f, j)->type));
    }
    lp_sb_putc(&sql, ')');
    if (rc == 0 && sql.oom) rc = lp_error_set(LP_ENOMEM, "%s: out of memory", where);
    if (rc == 0) rc = lp_pg_exec(conn, sql.buf, where);
    lp_sb_free(&sql);
    return rc;
}

/* COPY text format: backslash, tab, newline and CR escaped; NUL impossible. */
static int append_copy_text(lp_sb *sb, const char *s, size_t len)
{
    size_t start = 0;
    for (size_t i = 0; i < len; i++) {
        const char *esc = NULL;
        switch (s[i]) {
        case '\\':
            esc = "\\\\";
            break;
        case '\t':
            esc = "\\t";
            break;
        case '\n':
            esc = "\\n";
            break;
        case '\r':
            esc = "\\r";
            break;
        case '\0':
            return LP_EINVAL;
        default:
            continue;
        }
        lp_sb_appendn(sb, s + start, i - start);
        lp_sb_append(sb, esc);
        start = i + 1;
    }
    lp_sb_appendn(sb, s + start, len - start);
    return 0;
}

static void append_f64(lp_sb *sb, double v)
{
    if (isnan(v))
        lp_sb_append(sb, "NaN");
    else if (isinf(v))
        lp_sb_append(sb, v > 0 ? "Infinity" : "-Infinity");
    else
        lp_sb_appendf(sb, "%.17g", v);
}

/* One field of row i of column c in COPY text form. */
static int append_copy_field(lp_sb *sb, const lp_column *c, size_t i)
{
    if (!lp_column_is_valid(c, i)) {
        lp_sb_append(sb, "\\N");
        return 0;
    }
    char buf[64];
    switch (c->type) {
    case LP_DT_FLOAT64:
        append_f64(sb, c->data.f64[i]);
        return 0;
    case LP_DT_INT64:
        lp_sb_appendf(sb, "%" PRId64, c->data.i64[i]);
        return 0;
    case LP_DT_BOOL:
        lp_sb_putc(sb, c->data.b8[i] ? 't' : 'f');
        return 0;
    case LP_DT_TIMESTAMP:
        lp_sb_appendn(sb, buf, lp_pg_format_timestamp(c->data.i64[i], buf, sizeof buf));
        return 0;
    case LP_DT_STRING:
    case LP_DT_CATEGORY:
        break;
    }
    size_t len = 0;
    const char *s = lp_column_str(c, i, &len);
    return append_copy_text(sb, s ? s : "", len);
}

static int copy_flush(PGconn *conn, lp_sb *sb)
{
    if (sb->len == 0) return 0;
    if (PQputCopyData(conn, sb->buf, (int)sb->len) != 1) return LP_EIO;
    sb->len = 0;
    sb->buf[0] = '\0';
    return 0;
}

/* Streams every row; on a bad value ends the COPY with an error message. */
static int copy_rows(PGconn *conn, const lp_frame *f, const char *where)
{
    lp_sb sb = {0};
    size_t rows = lp_frame_rows(f), cols = lp_frame_cols(f);
    int rc = 0;
    for (size_t i = 0; i < rows && rc == 0; i++) {
        for (size_t j = 0; j < cols && rc == 0; j++) {
            if (j) lp_sb_putc(&sb, '\t');
            if (append_copy_field(&sb, lp_frame_col(f, j), i) != 0)
                rc = lp_error_set(LP_EINVAL,
                                  "%s: column '%s' row %zu holds a NUL byte, which PostgreSQL "
                                  "text cannot store",
                                  where, lp_frame_name(f, j), i + 1);
        }
        lp_sb_putc(&sb, '\n');
        if (sb.oom && rc == 0) rc = lp_error_set(LP_ENOMEM, "%s: out of memory", where);
        if (rc == 0 && sb.len >= COPY_CHUNK && copy_flush(conn, &sb) != 0)
            rc = sql_error(NULL, conn, NULL, where);
    }
    if (rc == 0 && copy_flush(conn, &sb) != 0) rc = sql_error(NULL, conn, NULL, where);
    lp_sb_free(&sb);
    PQputCopyEnd(conn, rc == 0 ? NULL : "lolpop: aborted");
    /* Collect the COPY's outcome (always drain results to free the connection). */
    PGresult *res;
    while ((res = PQgetResult(conn)) != NULL) {
        if (rc == 0 && PQresultStatus(res) != PGRES_COMMAND_OK)
            rc = sql_error(res, conn, "COPY … FROM STDIN", where);
        PQclear(res);
    }
    return rc;
}

static int copy_frame(PGconn *conn, const char *quoted, const lp_frame *f, const char *where)
{
    if (lp_frame_cols(f) == 0) return 0;
    lp_sb sql = {0};
    int rc = 0;
    lp_sb_appendf(&sql, "COPY %s (", quoted);
    for (size_t j = 0; j < lp_frame_cols(f) && rc == 0; j++) {
        if (j) lp_sb_append(&sql, ", ");
        const char *name = lp_frame_name(f, j);
        rc = append_ident(&sql, conn, name, strlen(name));
    }
    lp_sb_append(&sql, ") FROM STDIN");
    if (rc == 0 && sql.oom) rc = lp_error_set(LP_ENOMEM, "%s: out of memory", where);
    if (rc == 0) {
        PGresult *res = PQexec(conn, sql.buf);
        if (PQresultStatus(res) != PGRES_COPY_IN) rc = sql_error(res, conn, sql.buf, where);
        PQclear(res);
    }
    if (rc == 0) rc = copy_rows(conn, f, where);
    lp_sb_free(&sql);
    return rc;
}

/* Creates, replaces or checks the target table inside the open transaction. */
static int prepare_table(PGconn *conn, const char *table, const char *quoted, const lp_frame *f,
                         lp_pg_if_exists mode, bool temp, const char *where)
{
    bool exists = false;
    int rc = relation_exists(conn, quoted, &exists, where);
    if (rc != 0) return rc;
    if (exists && mode == LP_PG_FAIL)
        return lp_error_set(LP_EEXISTS, "%s: table '%s' already exists (if_exists: fail)", where,
                            table);
    if (exists && mode == LP_PG_REPLACE) {
        char *drop = lp_asprintf("DROP TABLE %s", quoted);
        if (!drop) return LP_ENOMEM;
        rc = lp_pg_exec(conn, drop, where);
        free(drop);
        if (rc != 0) return rc;
        exists = false;
    }
    return exists ? 0 : create_table(conn, quoted, f, temp, where);
}

int lp_pg_write_frame(PGconn *conn, const char *table, const lp_frame *f, lp_pg_if_exists mode,
                      bool temp, const char *where)
{
    lp_sb quoted = {0};
    int rc = lp_pg_quote_name(&quoted, conn, table);
    if (rc == 0 && quoted.oom) rc = lp_error_set(LP_ENOMEM, "%s: out of memory", where);
    if (rc == 0) rc = lp_pg_exec(conn, "BEGIN", where);
    if (rc != 0) {
        lp_sb_free(&quoted);
        return rc;
    }
    rc = prepare_table(conn, table, quoted.buf, f, mode, temp, where);
    if (rc == 0) rc = copy_frame(conn, quoted.buf, f, where);
    if (rc == 0) rc = lp_pg_exec(conn, "COMMIT", where);
    if (rc != 0) {
        /* Keep the first error: the rollback's own outcome does not matter. */
        PGresult *res = PQexec(conn, "ROLLBACK");
        PQclear(res);
    }
    lp_sb_free(&quoted);
    return rc;
}

/* ---- reading ------------------------------------------------------------------ */

static lp_dtype dtype_of_oid(Oid oid)
{
    switch (oid) {
    case OID_INT2:
    case OID_INT4:
    case OID_INT8:
    case OID_OID:
        return LP_DT_INT64;
    case OID_FLOAT4:
    case OID_FLOAT8:
    case OID_NUMERIC:
        return LP_DT_FLOAT64;
    case OID_BOOL:
        return LP_DT_BOOL;
    case OID_DATE:
    case OID_TIMESTAMP:
    case OID_TIMESTAMPTZ:
        return LP_DT_TIMESTAMP;
    default:
        return LP_DT_STRING;
    }
}

/* Appends one non-NULL text value to the builder. false when it does not parse. */
static bool append_value(lp_column_builder *b, lp_dtype t, const char *s, size_t len, int *rc)
{
    char *end;
    *rc = 0;
    switch (t) {
    case LP_DT_INT64: {
        errno = 0;
        long long v = strtoll(s, &end, 10);
        if (errno || end == s || *end) return false;
        *rc = lp_column_builder_append_i64(b, v);
        return true;
    }
    case LP_DT_FLOAT64: {
        double v = strtod(s, &end);
        if (end == s || *end) return false;
        *rc = lp_column_builder_append_f64(b, v);
        return true;
    }
    case LP_DT_BOOL:
        if (strcmp(s, "t") != 0 && strcmp(s, "f") != 0) return false;
        *rc = lp_column_builder_append_bool(b, s[0] == 't');
        return true;
    case LP_DT_TIMESTAMP: {
        int64_t us;
        if (!lp_pg_parse_timestamp(s, len, &us)) return false;
        *rc = lp_column_builder_append_i64(b, us);
        return true;
    }
    case LP_DT_STRING:
    case LP_DT_CATEGORY:
        break;
    }
    *rc = lp_column_builder_append_str(b, s, len);
    return true;
}

static int read_column(lp_column **out, const PGresult *res, int j, const char *where)
{
    lp_dtype t = dtype_of_oid(PQftype(res, j));
    int rows = PQntuples(res);
    lp_column_builder *b = lp_column_builder_new(t, (size_t)rows);
    if (!b) return lp_error_set(LP_ENOMEM, "%s: out of memory", where);
    int rc = 0;
    for (int i = 0; i < rows && rc == 0; i++) {
        if (PQgetisnull(res, i, j)) {
            rc = lp_column_builder_append_null(b);
            continue;
        }
        const char *s = PQgetvalue(res, i, j);
        if (!append_value(b, t, s, (size_t)PQgetlength(res, i, j), &rc))
            rc = lp_error_set(LP_EINVAL, "%s: column '%s' row %d: cannot read '%s' as %s", where,
                              PQfname(res, j), i + 1, s, lp_dtype_name(t));
    }
    if (rc != 0) {
        lp_column_builder_free(b);
        return rc == LP_ENOMEM ? lp_error_set(LP_ENOMEM, "%s: out of memory", where) : rc;
    }
    *out = lp_column_builder_finish(b);
    return *out ? 0 : lp_error_set(LP_ENOMEM, "%s: out of memory", where);
}

/* The column's name, with "_2", "_3"… added while it clashes with an earlier one. */
int lp_pg_result_frame(lp_frame **out, const PGresult *res, const char *where)
{
    *out = NULL;
    lp_frame *f = lp_frame_new();
    if (!f) return lp_error_set(LP_ENOMEM, "%s: out of memory", where);
    int rc = 0;
    for (int j = 0; j < PQnfields(res) && rc == 0; j++) {
        lp_column *col = NULL;
        rc = read_column(&col, res, j, where);
        if (rc != 0) break;
        char *name = lp_frame_unused_name(f, PQfname(res, j), PQfname(res, j));
        if (!name) {
            lp_column_unref(col);
            rc = LP_ENOMEM;
            break;
        }
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

int lp_pg_query_frame(lp_frame **out, PGconn *conn, const char *sql, const char *const *params,
                      int nparams, const char *where)
{
    *out = NULL;
    PGresult *res = nparams > 0 ? PQexecParams(conn, sql, nparams, NULL, params, NULL, NULL, 0)
                                : PQexec(conn, sql);
    int rc;
    ExecStatusType st = PQresultStatus(res);
    if (st == PGRES_TUPLES_OK)
        rc = lp_pg_result_frame(out, res, where);
    else if (st == PGRES_COMMAND_OK || st == PGRES_EMPTY_QUERY)
        rc = lp_error_set(LP_EINVAL,
                          "%s: the SQL returned no rows (its last statement is not a "
                          "query) [SQL: %.*s]",
                          where, SQL_SNIPPET, sql);
    else
        rc = sql_error(res, conn, sql, where);
    PQclear(res);
    return rc;
}

/* ---- timestamps ---------------------------------------------------------------- */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

/* Reads exactly `digits` digits (or 1..max when digits is negative). */
static bool read_num(const char **p, const char *end, int min_digits, int max_digits, int64_t *v)
{
    int n = 0;
    *v = 0;
    while (*p < end && n < max_digits && isdigit((unsigned char)**p)) {
        *v = *v * 10 + (**p - '0');
        (*p)++;
        n++;
    }
    return n >= min_digits;
}

static bool expect(const char **p, const char *end, char c)
{
    if (*p >= end || **p != c) return false;
    (*p)++;
    return true;
}

/* "±HH[:MM[:SS]]" → seconds east of UTC. */
static bool read_offset(const char **p, const char *end, int64_t *secs)
{
    int sign = **p == '-' ? -1 : 1;
    int64_t h, m = 0, s = 0;
    (*p)++;
    if (!read_num(p, end, 2, 2, &h)) return false;
    if (*p < end && **p == ':' && !(expect(p, end, ':') && read_num(p, end, 2, 2, &m)))
        return false;
    if (*p < end && **p == ':' && !(expect(p, end, ':') && read_num(p, end, 2, 2, &s)))
        return false;
    *secs = sign * (h * 3600 + m * 60 + s);
    return true;
}

bool lp_pg_parse_timestamp(const char *s, size_t len, int64_t *out)
{
    const char *p = s, *end = s + len;
    int64_t y, mo, d, hh = 0, mi = 0, ss = 0, frac = 0, off = 0;
    if (!read_num(&p, end, 4, 9, &y) || !expect(&p, end, '-') || !read_num(&p, end, 2, 2, &mo) ||
        !expect(&p, end, '-') || !read_num(&p, end, 2, 2, &d))
        return false;
    if (p < end && *p == ' ' && p + 1 < end && isdigit((unsigned char)p[1])) {
        p++;
        if (!read_num(&p, end, 2, 2, &hh) || !expect(&p, end, ':') ||
            !read_num(&p, end, 2, 2, &mi) || !expect(&p, end, ':') || !read_num(&p, end, 2, 2, &ss))
            return false;
        if (p < end && *p == '.') {
            p++;
            int digits = 0;
            while (p < end && isdigit((unsigned char)*p)) {
                if (digits < 6) frac = frac * 10 + (*p - '0');
                digits++;
                p++;
            }
            if (digits == 0) return false;
            for (; digits < 6; digits++)
                frac *= 10;
        }
        if (p < end && (*p == '+' || *p == '-') && !read_offset(&p, end, &off)) return false;
    }
    if (end - p == 3 && memcmp(p, " BC", 3) == 0) {
        y = 1 - y; /* 1 BC is year 0 */
        p = end;
    }
    if (p != end || mo < 1 || mo > 12 || d < 1 || d > 31 || hh > 24 || mi > 59 || ss > 60 ||
        y > 290000 || y < -290000)
        return false;
    int64_t secs = days_from_civil(y, (int)mo, (int)d) * 86400 + hh * 3600 + mi * 60 + ss - off;
    *out = secs * 1000000 + frac;
    return true;
}

size_t lp_pg_format_timestamp(int64_t us, char *buf, size_t cap)
{
    int64_t secs = us / 1000000, frac = us % 1000000;
    if (frac < 0) {
        frac += 1000000;
        secs -= 1;
    }
    int64_t days = secs / 86400, rem = secs % 86400;
    if (rem < 0) {
        rem += 86400;
        days -= 1;
    }
    int64_t y;
    int m, d;
    civil_from_days(days, &y, &m, &d);
    bool bc = y <= 0;
    int n = snprintf(buf, cap, "%04" PRId64 "-%02d-%02d %02d:%02d:%02d.%06d%s", bc ? 1 - y : y, m,
                     d, (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60), (int)frac,
                     bc ? " BC" : "");
    return n < 0 ? 0 : (size_t)n >= cap ? cap - 1 : (size_t)n;
}
