/*
 * postgres.c — PostgresDataTransformer: runs SQL in PostgreSQL and returns
 * the rows as a frame.
 *
 * When the source is data (a frame or a CSV path), it is first loaded with
 * COPY into a TEMP table named `source`; a map source gives one TEMP table per
 * key. The SQL (config `sql`, or `sql_file` relative to the working
 * directory) runs in the same session, so it can read those tables; several
 * statements may be given and the last one's rows are the result. A null or
 * missing source runs the SQL alone. Each call has its own session, so TEMP
 * tables vanish with it and never clash between calls.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "components/components_internal.h"
#include "data/pg_frame.h"
#include "lolpop/csv.h"
#include "lolpop/frame.h"

#define CLASS "PostgresDataTransformer"

typedef struct pg_xf {
    char *dsn;
    char *sql;
    char *origin; /* "inline sql" or the sql_file path, for messages */
    char *where;  /* "PostgresDataTransformer (path)" */
} pg_xf;

static void pg_xf_fini(lp_obj *self)
{
    pg_xf *st = lp_obj_state(self);
    free(st->dsn);
    free(st->sql);
    free(st->origin);
    free(st->where);
    memset(st, 0, sizeof *st);
}

/* The whole of a SQL file as a new string, or NULL with an error. */
static char *read_sql_file(const char *where, const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        lp_error_set(LP_EIO, "%s: cannot read sql_file '%s': %s", where, path, strerror(errno));
        return NULL;
    }
    lp_sb sb = {0};
    char buf[8192];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, fp)) > 0)
        lp_sb_appendn(&sb, buf, n);
    bool failed = ferror(fp) != 0;
    fclose(fp);
    if (failed || sb.oom || memchr(sb.buf ? sb.buf : "", 0, sb.len)) {
        lp_sb_free(&sb);
        lp_error_set(LP_EIO, "%s: cannot read sql_file '%s'%s", where, path,
                     failed ? "" : " (out of memory, or it holds a NUL byte)");
        return NULL;
    }
    return lp_sb_take(&sb);
}

/* Reads sql / sql_file once at init so that configuration mistakes show
 * before any step runs. */
static int pg_xf_init(lp_obj *self)
{
    pg_xf *st = lp_obj_state(self);
    const char *path = lp_obj_path(self);
    st->where = lp_asprintf(CLASS " (%s)", *path ? path : "root");
    if (!st->where) return LP_ENOMEM;
    st->dsn = lp_obj_config_string(self, "dsn");
    char *sql = lp_obj_config_string(self, "sql");
    char *file = lp_obj_config_string(self, "sql_file");
    int rc = 0;
    if (!st->dsn || !*st->dsn)
        rc = lp_error_set(LP_ECONFIG,
                          "%s: config 'dsn' (the PostgreSQL connection string) is missing or "
                          "empty",
                          st->where);
    else if (sql && file)
        rc = lp_error_set(LP_ECONFIG, "%s: both sql and sql_file (%s) are set; keep one", st->where,
                          file);
    else if (!sql && !file)
        rc = lp_error_set(LP_ECONFIG, "%s: set sql (inline SQL) or sql_file (a file of SQL)",
                          st->where);
    else if (sql) {
        st->sql = sql;
        sql = NULL;
        st->origin = lp_strdup("inline sql");
        if (!st->origin) rc = LP_ENOMEM;
    } else {
        st->sql = read_sql_file(st->where, file);
        st->origin = file;
        file = NULL;
        if (!st->sql) rc = lp_error_last()->code;
    }
    free(sql);
    free(file);
    if (rc != 0) pg_xf_fini(self);
    return rc;
}

/* One source value (frame or CSV path) as a frame: new reference or NULL. */
static lp_frame *source_frame(const lp_value *v, const char *name)
{
    lp_frame *f = lp_value_as_frame(v);
    if (f) return lp_frame_ref(f);
    const char *path = lp_value_as_string(v);
    if (!path || !*path) {
        lp_error_set(LP_EINVAL,
                     CLASS ".transform: source '%s' must be a frame or a CSV file path, got %s",
                     name, path ? "an empty string" : lp_vtype_name(lp_value_type(v)));
        return NULL;
    }
    if (lp_csv_read(&f, path, NULL) != 0) return NULL;
    return f;
}

static int load_one(PGconn *conn, const char *name, const lp_value *v, const char *where)
{
    lp_frame *f = source_frame(v, name);
    if (!f) return lp_error_last()->code ? lp_error_last()->code : LP_ERROR;
    char *w = lp_asprintf("%s loading source '%s'", where, name);
    int rc = w ? lp_pg_write_frame(conn, name, f, LP_PG_FAIL, true, w) : LP_ENOMEM;
    free(w);
    lp_frame_unref(f);
    return rc;
}

static int load_sources(PGconn *conn, const lp_value *source, const char *where)
{
    lp_vtype t = lp_value_type(source);
    if (t == LP_NULL) return 0;
    if (t != LP_MAP) return load_one(conn, "source", source, where);
    for (size_t i = 0; i < lp_map_len(source); i++) {
        int rc = load_one(conn, lp_map_key(source, i), lp_map_value(source, i), where);
        if (rc != 0) return rc;
    }
    return 0;
}

/* transform(source) -> frame */
static lp_value *pg_transform(lp_obj *self, lp_value *args)
{
    pg_xf *st = lp_obj_state(self);
    lp_value *source = lp_map_get(args, "source");
    char *where = lp_asprintf("%s %s", st->where, st->origin);
    PGconn *conn = NULL;
    lp_frame *out = NULL;
    int rc = where ? lp_pg_connect(&conn, st->dsn, st->where) : LP_ENOMEM;
    if (rc == 0) rc = load_sources(conn, source, st->where);
    if (rc == 0) rc = lp_pg_query_frame(&out, conn, st->sql, NULL, 0, where);
    PQfinish(conn);
    if (rc == 0)
        lp_log(self, LP_LOG_DEBUG, "%s returned %zu rows x %zu columns", st->origin,
               lp_frame_rows(out), lp_frame_cols(out));
    free(where);
    if (rc != 0) return NULL;
    return lp_kit_frame(out);
}

static const lp_method pg_xf_methods[] = {
    {"transform", pg_transform,
     "transform(source) -> frame: loads the source into TEMP table `source` (or one per key of "
     "a map), runs the SQL in PostgreSQL and returns its last statement's rows"},
    {NULL, NULL, NULL},
};

static const lp_config_key pg_xf_keys[] = {
    {"dsn", "string",
     "libpq connection string (secrets through ${VAR}); the password is never logged"},
    {"sql", "string", "the SQL to run (inline); the last statement's rows are the result"},
    {"sql_file", "string", "a file holding the SQL"},
    {NULL, NULL, NULL},
};

static const char *const pg_xf_requirements[] = {"config.dsn", "config.sql|config.sql_file", NULL};

const lp_class lp_postgres_data_transformer_class = {
    .name = CLASS,
    .kind = LP_KIND_COMPONENT,
    .type = "data_transformer",
    .doc = "Runs SQL in PostgreSQL and returns the rows as a frame. A frame or CSV source is "
           "first bulk-loaded into a TEMP table named source (a map source gives one TEMP table "
           "per key) in the same session, so the SQL can join it with the database's own "
           "tables. The SQL comes from sql (inline) or sql_file; the rows of its last statement "
           "are the result. Quote names with spaces or other characters as \"my col\".",
    .defaults_yaml = NULL,
    .requirements = pg_xf_requirements,
    .config_keys = pg_xf_keys,
    .methods = pg_xf_methods,
    .state_size = sizeof(pg_xf),
    .init = pg_xf_init,
    .fini = pg_xf_fini,
};
