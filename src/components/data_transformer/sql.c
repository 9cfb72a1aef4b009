/*
 * sql.c — SQLDataTransformer: runs SQL over the source data in an embedded,
 * in-memory SQLite database and returns the result as a frame.
 *
 * The source (a CSV path or a frame) becomes table `source`; a map source
 * becomes one table per key. The SQL comes from config `sql` (inline) or
 * `sql_file` (a path relative to the file that set it); several statements
 * may be given, the last one's rows are the result. Without SQL the source
 * comes back unchanged. Table and column names are quoted as identifiers, so
 * names with spaces, slashes or quotes work in SQL written as "my col".
 *
 * The tables are read-only virtual tables over the source frames
 * (lp_sqlite_attach_frame: nothing is copied into SQLite). SQL that writes
 * to a source table (UPDATE source …, CREATE INDEX ON source …) is run again
 * on copied tables, so it behaves as it always did.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "components/components_internal.h"
#include "data/sqlite_fast.h"
#include "data/sqlite_frame.h"
#include "lolpop/csv.h"
#include "lolpop/frame.h"

#define DB_NAME "in-memory database"

/* A source value (path or frame) as a frame: new reference or NULL. */
static lp_frame *load_source(const lp_value *v, const char *name)
{
    lp_frame *f = lp_value_as_frame(v);
    if (f) return lp_frame_ref(f);
    const char *path = lp_value_as_string(v);
    if (!path || !*path) {
        lp_error_set(LP_EINVAL,
                     "source '%s' must be a CSV file path or a "
                     "frame, got %s",
                     name, path ? "an empty string" : lp_vtype_name(lp_value_type(v)));
        return NULL;
    }
    if (lp_csv_read(&f, path, NULL) != 0) return NULL;
    return f;
}

/* Reads the whole of a SQL file into a new string, or NULL with an error. */
static char *read_sql_file(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        lp_error_set(LP_EIO, "cannot read sql_file '%s': %s", path, strerror(errno));
        return NULL;
    }
    lp_sb sb = {0};
    char buf[8192];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, fp)) > 0)
        lp_sb_appendn(&sb, buf, n);
    bool failed = ferror(fp);
    fclose(fp);
    if (failed || sb.oom) {
        lp_sb_free(&sb);
        lp_error_set(LP_EIO, "cannot read sql_file '%s'", path);
        return NULL;
    }
    if (memchr(sb.buf ? sb.buf : "", 0, sb.len)) {
        lp_sb_free(&sb);
        lp_error_set(LP_EINVAL, "sql_file '%s' holds a NUL byte", path);
        return NULL;
    }
    return lp_sb_take(&sb);
}

/* The SQL to run (new string) and its name for messages (new string);
 * both NULL without error when none is configured. Returns 0 or an error. */
static int configured_sql(lp_obj *self, char **sql, char **name)
{
    *sql = lp_obj_config_string(self, "sql");
    char *file = lp_obj_config_string(self, "sql_file");
    *name = NULL;
    if (*sql && file) {
        free(*sql);
        *sql = NULL;
        lp_error_set(LP_ECONFIG,
                     "SQLDataTransformer (%s): both sql and sql_file are set (%s); "
                     "keep one",
                     lp_obj_path(self), file);
        free(file);
        return LP_ECONFIG;
    }
    if (*sql) {
        *name = lp_strdup("inline sql");
        return *name ? 0 : LP_ENOMEM;
    }
    if (!file) return 0;
    *sql = read_sql_file(file);
    if (!*sql) {
        free(file);
        return lp_error_last()->code;
    }
    *name = file;
    return 0;
}

/* The source tables as frames, in order (a one-table source is `source`). */
typedef struct source_tables {
    size_t n;
    const char **names; /* borrowed from the source value */
    lp_frame **frames;  /* new references */
} source_tables;

static void tables_free(source_tables *t)
{
    for (size_t i = 0; i < t->n; i++)
        lp_frame_unref(t->frames[i]);
    free(t->names);
    free(t->frames);
}

/* Reads every source (CSV paths are read once, whichever way they are loaded). */
static int read_tables(source_tables *t, const lp_value *source)
{
    bool map = lp_value_type(source) == LP_MAP;
    size_t n = map ? lp_map_len(source) : 1;
    if (n == 0) return lp_error_set(LP_EINVAL, "the source map is empty");
    t->names = calloc(n, sizeof *t->names);
    t->frames = calloc(n, sizeof *t->frames);
    if (!t->names || !t->frames) return lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        const char *name = map ? lp_map_key(source, i) : "source";
        lp_frame *f = load_source(map ? lp_map_value(source, i) : source, name);
        if (!f) return lp_error_last()->code ? lp_error_last()->code : LP_ERROR;
        t->names[t->n] = name;
        t->frames[t->n++] = f;
    }
    return 0;
}

/* Makes every source a table of db: virtual tables over the frames (no
 * copy), or copied tables when `copy` (SQL that writes to them). */
static int load_tables(sqlite3 *db, const source_tables *t, bool copy)
{
    for (size_t i = 0; i < t->n; i++) {
        int rc = copy
                     ? lp_sqlite_write_frame(db, t->names[i], t->frames[i], LP_SQLITE_FAIL, DB_NAME)
                     : lp_sqlite_attach_frame(db, t->names[i], t->frames[i], DB_NAME);
        if (rc != 0) {
            lp_error_prefix("loading source '%s'", t->names[i]);
            return rc;
        }
    }
    return 0;
}

/* Runs sql over the tables in a fresh in-memory database. */
static int run_sql(lp_frame **out, const source_tables *t, const char *sql, const char *name,
                   bool copy)
{
    sqlite3 *db = NULL;
    int rc = lp_sqlite_open(&db, ":memory:", false);
    if (rc == 0) rc = load_tables(db, t, copy);
    /* a projection of the one table: evaluated over its columns directly */
    bool handled = false;
    if (rc == 0 && !copy && t->n == 1)
        rc = lp_sqlite_fast_query(out, db, sql, t->names[0], t->frames[0], name, &handled);
    if (rc == 0 && !handled) rc = lp_sqlite_query_frame_at(out, db, sql, name);
    sqlite3_close(db);
    return rc;
}

/* Without SQL: the source itself, as a frame. */
static lp_value *unchanged(const lp_value *source)
{
    if (lp_value_type(source) == LP_MAP) {
        if (lp_map_len(source) != 1) {
            lp_error_set(LP_EINVAL,
                         "a source map of %zu tables needs sql or "
                         "sql_file to combine them",
                         lp_map_len(source));
            return NULL;
        }
        source = lp_map_value(source, 0);
    }
    lp_frame *f = load_source(source, "source");
    if (!f) return NULL;
    return lp_kit_frame(f);
}

/* transform(source) -> frame */
static lp_value *sql_transform(lp_obj *self, lp_value *args)
{
    lp_value *source = lp_map_get(args, "source");
    char *sql = NULL, *name = NULL;
    if (configured_sql(self, &sql, &name) != 0) return NULL;
    if (!sql) return unchanged(source);
    source_tables t = {0};
    lp_frame *out = NULL;
    int rc = read_tables(&t, source);
    bool loaded = rc == 0;
    if (loaded) rc = run_sql(&out, &t, sql, name, false);
    /* SQL that modifies, alters or indexes a source table needs real tables:
     * the database is private and thrown away, so run it again on copies. */
    if (loaded && rc != 0 && lp_sqlite_vtab_refused()) {
        lp_log(self, LP_LOG_DEBUG, "%s writes to its source tables: running it on copies", name);
        rc = run_sql(&out, &t, sql, name, true);
    }
    tables_free(&t);
    if (rc == 0)
        lp_log(self, LP_LOG_DEBUG, "%s returned %zu rows x %zu columns", name, lp_frame_rows(out),
               lp_frame_cols(out));
    free(sql);
    free(name);
    if (rc != 0) return NULL;
    return lp_kit_frame(out);
}

/* bundle_info() -> {class, config: {sql}, tables: [source]}: the SQL text
 * itself (read from sql_file now), so that a deployment bundle redoes this
 * transform without the file. Only a one-table source can be bundled: a
 * bundle scores one frame of raw rows. */
static lp_value *sql_bundle_info(lp_obj *self, lp_value *args)
{
    (void)args;
    char *sql = NULL, *name = NULL;
    if (configured_sql(self, &sql, &name) != 0) return NULL;
    free(name);
    lp_value *config = lp_value_map();
    if (config && sql && lp_map_set(config, "sql", lp_value_string(sql)) != 0) {
        lp_value_unref(config);
        config = NULL;
    }
    free(sql);
    lp_value *tables = lp_value_list();
    if (tables && lp_list_append(tables, lp_value_string("source")) != 0) {
        lp_value_unref(tables);
        tables = NULL;
    }
    if (!config || !tables) {
        lp_value_unref(config);
        lp_value_unref(tables);
        return lp_kit_fail(LP_ENOMEM, "out of memory");
    }
    return lp_kit_result("class", lp_value_string(lp_obj_class(self)->name), "config", config,
                         "tables", tables, (const char *)NULL);
}

static int sql_init(lp_obj *self)
{
    /* Both keys at once is a configuration mistake: report it before any run. */
    lp_value *a = lp_obj_config(self, "sql"), *b = lp_obj_config(self, "sql_file");
    bool both = a && b && lp_value_type(a) != LP_NULL && lp_value_type(b) != LP_NULL;
    lp_value_unref(a);
    lp_value_unref(b);
    if (both)
        return lp_error_set(LP_ECONFIG,
                            "SQLDataTransformer (%s): both sql and sql_file are set; keep one",
                            lp_obj_path(self));
    return 0;
}

/* check_config: the SQL is configured one way and sql_file is readable, so a
 * wrong path fails before any data is read (issue 11, Fix 8). */
static lp_value *sql_check_config(lp_obj *self, lp_value *args)
{
    lp_value *problems = lp_value_list();
    char *sql = NULL, *name = NULL;
    lp_value *file = lp_obj_config(self, "sql_file");
    bool inputs = lp_value_as_bool(lp_map_get(args, "check_inputs"));
    if (problems && inputs && configured_sql(self, &sql, &name) != 0) {
        if (file && lp_error_last()->code != LP_ECONFIG) /* locate it at sql_file */
            lp_kit_error_at(LP_ECONFIG, file, "SQLDataTransformer (%s): %s", lp_obj_path(self),
                            lp_error_last()->message);
        if (lp_kit_check_add_error(problems)) {
            lp_value_unref(problems);
            problems = NULL;
        }
    }
    lp_value_unref(file);
    free(sql);
    free(name);
    return problems;
}

static const lp_method sql_methods[] = {
    {LP_METHOD_CHECK_CONFIG, sql_check_config,
     "check_config() -> problems: sql or sql_file (readable), before anything runs"},
    {"transform", sql_transform,
     "transform(source) -> frame: runs the configured SQL over the source (table `source`, or "
     "one table per key of a map source)"},
    {"bundle_info", sql_bundle_info,
     "bundle_info() -> {class, config: {sql}, tables: [source]}: the SQL text for a deployment "
     "bundle"},
    {NULL, NULL, NULL},
};

static const lp_config_key sql_keys[] = {
    {"sql", "string", "the SQL to run (inline); the last statement's rows are the result"},
    {"sql_file", "string", "a file holding the SQL"},
    {NULL, NULL, NULL},
};

const lp_class lp_sql_data_transformer_class = {
    .name = "SQLDataTransformer",
    .kind = LP_KIND_COMPONENT,
    .type = "data_transformer",
    .doc = "Runs SQL over the source data in an embedded in-memory SQLite database. The source "
           "(a CSV path or a frame) is table `source`; a map source gives one table per key "
           "(e.g. {train: a.csv, labels: b.csv}). The SQL comes from sql (inline) or sql_file; "
           "the rows of its last statement are the result. Without SQL the source is returned "
           "unchanged. Quote names with spaces or other characters as \"my col\".",
    .defaults_yaml = NULL,
    .requirements = lp_no_requirements,
    .config_keys = sql_keys,
    .methods = sql_methods,
    .state_size = 0,
    .init = sql_init,
    .fini = NULL,
};
