/*
 * postgres.c — PostgresDataConnector: frames from and to a PostgreSQL server
 * through libpq.
 *
 * get_data(source) reads a whole table ("table" or "schema.table", each part
 * quoted as an identifier) or runs a query (source starting with SELECT,
 * WITH, VALUES or TABLE) whose $1, $2… placeholders take the `params` list
 * (an argument, else config). save_data(frame, target) creates the table with
 * typed columns when missing and bulk-loads the rows with COPY, all in one
 * transaction; if_exists says what happens to an existing table. The DSN
 * comes from config `dsn`, secrets usually through ${VAR} interpolation; it
 * is never logged or put into an error with its password. One connection per
 * call, so nothing stays open between workflow steps.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "components/components_internal.h"
#include "data/pg_frame.h"
#include "lolpop/frame.h"

#define CLASS "PostgresDataConnector"

typedef struct pg_conn {
    char *dsn;
    char *where; /* "PostgresDataConnector (path)" for messages */
    lp_pg_if_exists if_exists;
} pg_conn;

static void pg_conn_fini(lp_obj *self)
{
    pg_conn *st = lp_obj_state(self);
    free(st->dsn);
    free(st->where);
    st->dsn = st->where = NULL;
}

static int pg_conn_init(lp_obj *self)
{
    pg_conn *st = lp_obj_state(self);
    const char *path = lp_obj_path(self);
    st->where = lp_asprintf(CLASS " (%s)", *path ? path : "root");
    st->dsn = lp_obj_config_string(self, "dsn");
    int rc = st->where ? 0 : LP_ENOMEM;
    if (rc == 0 && (!st->dsn || !*st->dsn))
        rc = lp_error_set(LP_ECONFIG,
                          "%s: config 'dsn' (the PostgreSQL connection string, e.g. "
                          "\"host=db dbname=sales user=me password=${PGPASSWORD}\") is missing "
                          "or empty",
                          st->where);
    char *mode = rc == 0 ? lp_obj_config_string(self, "if_exists") : NULL;
    if (rc == 0 && lp_pg_if_exists_parse(mode, &st->if_exists) != 0)
        rc = lp_error_set(LP_ECONFIG, "%s: if_exists '%s' is not one of append, replace, fail",
                          st->where, mode);
    free(mode);
    if (rc != 0) pg_conn_fini(self);
    return rc;
}

static const char *string_arg(lp_value *args, const char *name, const char *method,
                              const char *what)
{
    lp_value *v = lp_map_get(args, name);
    const char *s = lp_value_as_string(v);
    if (!s || !*s) {
        lp_error_set(LP_EINVAL, CLASS ".%s: argument '%s' must be %s, got %s", method, name, what,
                     v ? (s ? "an empty string" : lp_vtype_name(lp_value_type(v))) : "nothing");
        return NULL;
    }
    return s;
}

/* The query parameters as text (NULL entries = SQL NULL): from argument
 * `params`, else config `params`. *texts and *owned are new arrays of n
 * entries (owned holds the strings to free). 0 or an error. */
static int collect_params(lp_obj *self, lp_value *args, char ***owned, int *n)
{
    *owned = NULL;
    *n = 0;
    lp_value *list = lp_map_get(args, "params");
    lp_value *cfg = list ? NULL : lp_obj_config(self, "params");
    if (!list) list = cfg;
    int rc = 0;
    if (list && lp_value_type(list) != LP_NULL && lp_value_type(list) != LP_LIST)
        rc = lp_error_set(LP_EINVAL, CLASS ": params must be a list (values for $1, $2, …), got %s",
                          lp_vtype_name(lp_value_type(list)));
    size_t len = rc == 0 && lp_value_type(list) == LP_LIST ? lp_list_len(list) : 0;
    if (len) *owned = calloc(len, sizeof **owned);
    if (len && !*owned) rc = lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t i = 0; i < len && rc == 0; i++) {
        lp_value *item = lp_list_get(list, i);
        lp_vtype t = lp_value_type(item);
        if (t == LP_NULL) continue;
        if (t == LP_BOOL)
            (*owned)[i] = lp_strdup(lp_value_as_bool(item) ? "true" : "false");
        else if (t == LP_STRING)
            (*owned)[i] = lp_strdup(lp_value_as_string(item));
        else if (t == LP_INT || t == LP_FLOAT)
            (*owned)[i] = lp_value_to_string(item);
        else
            rc = lp_error_set(LP_EINVAL, CLASS ": params[%zu] must be a scalar, got %s", i,
                              lp_vtype_name(t));
        if (rc == 0 && !(*owned)[i]) rc = LP_ENOMEM;
    }
    *n = (int)len;
    lp_value_unref(cfg);
    return rc;
}

static void free_params(char **owned, int n)
{
    for (int i = 0; i < n && owned; i++)
        free(owned[i]);
    free(owned);
}

/* "SELECT * FROM <quoted source>" (new string) or NULL with an error. */
static char *table_query(PGconn *conn, const char *table)
{
    lp_sb sb = {0};
    lp_sb_append(&sb, "SELECT * FROM ");
    if (lp_pg_quote_name(&sb, conn, table) != 0) {
        lp_sb_free(&sb);
        return NULL;
    }
    if (sb.oom) {
        lp_sb_free(&sb);
        lp_error_set(LP_ENOMEM, "out of memory");
        return NULL;
    }
    return lp_sb_take(&sb);
}

/* get_data(source[, params]) -> frame */
static lp_value *pg_get_data(lp_obj *self, lp_value *args)
{
    pg_conn *st = lp_obj_state(self);
    const char *source = string_arg(args, "source", "get_data", "a table name or a query");
    if (!source) return NULL;
    bool query = lp_pg_is_query(source);
    char **params = NULL;
    int nparams = 0;
    if (collect_params(self, args, &params, &nparams) != 0) {
        free_params(params, nparams);
        return NULL;
    }
    char *where =
        query ? lp_asprintf("%s query", st->where) : lp_asprintf("%s table %s", st->where, source);
    PGconn *conn = NULL;
    lp_frame *f = NULL;
    int rc = where ? lp_pg_connect(&conn, st->dsn, st->where) : LP_ENOMEM;
    char *sql = NULL;
    if (rc == 0) {
        sql = query ? lp_strdup(source) : table_query(conn, source);
        rc = sql ? 0 : lp_error_last()->code;
    }
    if (rc == 0)
        rc = lp_pg_query_frame(&f, conn, sql, (const char *const *)params, query ? nparams : 0,
                               where);
    PQfinish(conn);
    free(sql);
    free_params(params, nparams);
    if (rc == 0)
        lp_log(self, LP_LOG_DEBUG, "read %zu rows x %zu columns (%s)", lp_frame_rows(f),
               lp_frame_cols(f), query ? "query" : source);
    free(where);
    if (rc != 0) return NULL;
    return lp_kit_frame(f);
}

/* save_data(frame, target) -> null */
static lp_value *pg_save_data(lp_obj *self, lp_value *args)
{
    pg_conn *st = lp_obj_state(self);
    lp_frame *f = lp_kit_arg_frame(args, "frame", NULL);
    if (!f) return NULL;
    const char *table = string_arg(args, "target", "save_data", "a table name");
    if (!table) return NULL;
    char *where = lp_asprintf("%s table %s", st->where, table);
    PGconn *conn = NULL;
    int rc = where ? lp_pg_connect(&conn, st->dsn, st->where) : LP_ENOMEM;
    if (rc == 0) rc = lp_pg_write_frame(conn, table, f, st->if_exists, false, where);
    PQfinish(conn);
    free(where);
    if (rc != 0) return NULL;
    lp_log(self, LP_LOG_DEBUG, "wrote %zu rows x %zu columns to table %s", lp_frame_rows(f),
           lp_frame_cols(f), table);
    return lp_value_null();
}

static const lp_method pg_methods[] = {
    {"get_data", pg_get_data,
     "get_data(source) -> frame: reads a table (schema.table allowed) or runs a query starting "
     "with SELECT, WITH, VALUES or TABLE; $1, $2… take the `params` list"},
    {"save_data", pg_save_data,
     "save_data(frame, target) -> null: creates table `target` if missing and bulk-loads the "
     "frame with COPY, in one transaction"},
    {NULL, NULL, NULL},
};

static const lp_config_key pg_keys[] = {
    {"dsn", "string",
     "libpq connection string (\"host=… dbname=… user=… password=${PGPASSWORD}\" or "
     "postgresql://user:pass@host/db); the password is never logged"},
    {"if_exists", "string",
     "when the target table exists: append (default), replace (drop and re-create) or fail"},
    {"params", "list", "values for the $1, $2… placeholders of a get_data query"},
    {NULL, NULL, NULL},
};

static const char *const pg_requirements[] = {"config.dsn", NULL};

const lp_class lp_postgres_data_connector_class = {
    .name = CLASS,
    .kind = LP_KIND_COMPONENT,
    .type = "data_connector",
    .doc = "Reads and writes data frames in a PostgreSQL database through libpq. get_data takes "
           "a table name (schema.table allowed; names are quoted, so any character works) or a "
           "query starting with SELECT, WITH, VALUES or TABLE, with $1, $2… placeholders filled "
           "from params. save_data creates the table with typed columns (double precision, "
           "bigint, boolean, text, timestamp) when missing and bulk-loads the rows with COPY in "
           "one transaction; if_exists: append (default), replace or fail. Put secrets in the "
           "dsn through ${VAR}; passwords are masked in every message.",
    .defaults_yaml = "if_exists: append\n",
    .requirements = pg_requirements,
    .config_keys = pg_keys,
    .methods = pg_methods,
    .state_size = sizeof(pg_conn),
    .init = pg_conn_init,
    .fini = pg_conn_fini,
};
