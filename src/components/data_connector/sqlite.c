/*
 * sqlite.c — SQLiteDataConnector: frames from and to an SQLite database file.
 *
 * get_data(source) reads a whole table, or runs a query when the source
 * starts with SELECT or WITH. save_data(frame, target) writes one table in
 * one transaction with one prepared INSERT: created with typed columns when
 * missing, else appended to, replaced or refused (config if_exists). The
 * database is opened per call, so no handle outlives a step and another
 * process may use the file in between.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "components/components_internal.h"
#include "data/sqlite_frame.h"
#include "lolpop/frame.h"

typedef struct sqlite_conn {
    char *database;
    lp_sqlite_if_exists if_exists;
} sqlite_conn;

static void sqlite_conn_fini(lp_obj *self)
{
    sqlite_conn *st = lp_obj_state(self);
    free(st->database);
    st->database = NULL;
}

static int sqlite_conn_init(lp_obj *self)
{
    sqlite_conn *st = lp_obj_state(self);
    st->database = lp_obj_config_string(self, "database");
    if (!st->database || !*st->database) {
        sqlite_conn_fini(self);
        return lp_error_set(LP_ECONFIG,
                            "SQLiteDataConnector (%s): config 'database' (the SQLite file) is "
                            "missing or empty",
                            lp_obj_path(self));
    }
    char *mode = lp_obj_config_string(self, "if_exists");
    int rc = 0;
    if (!mode)
        st->if_exists = LP_SQLITE_APPEND;
    else if (lp_sqlite_if_exists_parse(mode, &st->if_exists) != 0)
        rc = lp_error_set(LP_ECONFIG,
                          "SQLiteDataConnector (%s): if_exists '%s' is not one of append, "
                          "replace, fail",
                          lp_obj_path(self), mode);
    free(mode);
    if (rc != 0) sqlite_conn_fini(self);
    return rc;
}

/* Writes "; did you mean 'T'?" into hint when a table of db is close to name. */
static void suggest_table(sqlite3 *db, const char *name, char *hint, size_t size)
{
    hint[0] = 0;
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(db,
                           "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND "
                           "name NOT LIKE 'sqlite_%' ORDER BY name",
                           -1, &q, NULL) != SQLITE_OK)
        return;
    const char *names[256];
    size_t n = 0;
    while (n < 256 && sqlite3_step(q) == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(q, 0);
        if (t && (names[n] = lp_strdup(t))) n++;
    }
    sqlite3_finalize(q);
    const char *best = lp_suggest(name, names, n);
    if (best)
        snprintf(hint, size, "; did you mean '%s'?", best);
    else if (n == 0)
        snprintf(hint, size, "; the database has no tables");
    for (size_t i = 0; i < n; i++)
        free((char *)(uintptr_t)names[i]);
}

/* SELECT * of a table, after checking that it exists. New string or NULL. */
static char *table_query(sqlite3 *db, const char *table, const char *database)
{
    bool exists = false;
    if (lp_sqlite_table_exists(db, table, &exists, database) != 0) return NULL;
    if (!exists) {
        char hint[300];
        suggest_table(db, table, hint, sizeof hint);
        lp_error_set(LP_ENOTFOUND, "%s: no table '%s'%s", database, table, hint);
        return NULL;
    }
    lp_sb sb = {0};
    lp_sb_append(&sb, "SELECT * FROM ");
    lp_sqlite_quote_ident(&sb, table);
    return lp_sb_take(&sb);
}

static const char *string_arg(lp_value *args, const char *name, const char *method,
                              const char *what)
{
    lp_value *v = lp_map_get(args, name);
    const char *s = lp_value_as_string(v);
    if (!s || !*s) {
        lp_error_set(LP_EINVAL, "argument '%s' of %s must be %s, got %s", name, method, what,
                     v ? (s ? "an empty string" : lp_vtype_name(lp_value_type(v))) : "nothing");
        return NULL;
    }
    return s;
}

/* get_data(source) -> frame: a table name or a SELECT / WITH query. */
static lp_value *sqlite_get_data(lp_obj *self, lp_value *args)
{
    sqlite_conn *st = lp_obj_state(self);
    const char *source = string_arg(args, "source", "get_data", "a table name or a query");
    if (!source) return NULL;
    sqlite3 *db = NULL;
    if (lp_sqlite_open(&db, st->database, true) != 0) return NULL;
    bool query = lp_sqlite_is_query(source);
    char *sql = query ? lp_strdup(source) : table_query(db, source, st->database);
    lp_frame *f = NULL;
    int rc = sql ? lp_sqlite_query_frame(&f, db, sql, st->database) : LP_ERROR;
    free(sql);
    sqlite3_close(db);
    if (rc != 0) return NULL;
    lp_log(self, LP_LOG_DEBUG, "read %zu rows x %zu columns from %s (%s)", lp_frame_rows(f),
           lp_frame_cols(f), st->database, query ? "query" : source);
    return lp_kit_frame(f);
}

/* save_data(frame, target) -> null: writes table `target`. */
static lp_value *sqlite_save_data(lp_obj *self, lp_value *args)
{
    sqlite_conn *st = lp_obj_state(self);
    lp_frame *f = lp_kit_arg_frame(args, "frame", NULL);
    if (!f) return NULL;
    const char *table = string_arg(args, "target", "save_data", "a table name");
    if (!table) return NULL;
    sqlite3 *db = NULL;
    if (lp_sqlite_open(&db, st->database, false) != 0) return NULL;
    int rc = lp_sqlite_write_frame(db, table, f, st->if_exists, st->database);
    if (sqlite3_close(db) != SQLITE_OK && rc == 0)
        rc = lp_error_set(LP_EIO, "%s: closing the database failed", st->database);
    if (rc != 0) return NULL;
    lp_log(self, LP_LOG_DEBUG, "wrote %zu rows to table '%s' of %s", lp_frame_rows(f), table,
           st->database);
    return lp_value_null();
}

static const lp_method sqlite_methods[] = {
    {"get_data", sqlite_get_data,
     "get_data(source) -> frame: reads a table, or runs a query starting with SELECT or WITH"},
    {"save_data", sqlite_save_data,
     "save_data(frame, target) -> null: writes table `target` in one transaction"},
    {NULL, NULL, NULL},
};

static const lp_config_key sqlite_keys[] = {
    {"database", "string", "path of the SQLite database file (created on first save)"},
    {"if_exists", "string",
     "when the target table exists: append (default), replace (drop and re-create) or fail"},
    {NULL, NULL, NULL},
};

static const char *const sqlite_requirements[] = {"config.database", NULL};

const lp_class lp_sqlite_data_connector_class = {
    .name = "SQLiteDataConnector",
    .kind = LP_KIND_COMPONENT,
    .type = "data_connector",
    .doc = "Reads and writes data frames in an SQLite database file. get_data takes a table name "
           "or a query (starting with SELECT or WITH). save_data creates the table with typed "
           "columns (REAL, INTEGER, TEXT, BOOLEAN, TIMESTAMP as ISO-8601 text) or appends to it, "
           "in one transaction; if_exists: replace re-creates it, fail refuses. Column and table "
           "names may hold any character.",
    .defaults_yaml = "if_exists: append\n",
    .requirements = sqlite_requirements,
    .config_keys = sqlite_keys,
    .methods = sqlite_methods,
    .state_size = sizeof(sqlite_conn),
    .init = sqlite_conn_init,
    .fini = sqlite_conn_fini,
};
