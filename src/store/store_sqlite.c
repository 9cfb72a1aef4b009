/*
 * store_sqlite.c — the SQLite back-end of the metadata store: opening (WAL,
 * busy timeout, foreign keys), the versioned schema and its migrations,
 * recovery of runs whose process died, transactions, the statement cache and
 * the run rows. Resources and what hangs off them: store_sqlite_rows.c.
 *
 * Concurrency: several processes may write one store at once. WAL lets
 * readers go on while one writer writes; every write is one BEGIN IMMEDIATE
 * transaction, which takes the write lock up front, so two writers queue on
 * the busy timeout instead of deadlocking on a lock upgrade.
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/digest.h"
#include "store/store_sqlite.h"

#define BUSY_TIMEOUT_MS 10000
#define BEGIN_ATTEMPTS  6

#define RUN_COLS                                                                                   \
    "id, status, runner, method, git_commit, pid, host, started_at, ended_at, error, resumed_from"
#define CACHE_COLS "key, run, class, method, value, created_at"

static const struct {
    const char *sql;
    const char *purpose;
} queries[Q_COUNT] = {
    [Q_BEGIN] = {"BEGIN IMMEDIATE", "starting a transaction"},
    [Q_COMMIT] = {"COMMIT", "committing a transaction"},
    [Q_ROLLBACK] = {"ROLLBACK", "rolling back a transaction"},
    [Q_RUN_INSERT] = {"INSERT INTO runs (id, status, runner, config_sha256, git_commit, pid, "
                      "host, started_at) VALUES (?, 'running', ?, ?, ?, ?, ?, ?)",
                      "recording the start of a run"},
    [Q_CONFIG_INSERT] = {"INSERT OR IGNORE INTO configs (sha256, text) VALUES (?, ?)",
                         "recording the configuration of a run"},
    [Q_RUN_METHOD] = {"UPDATE runs SET method = ? WHERE id = ? AND method IS NULL",
                      "recording the method of a run"},
    [Q_RUN_END] = {"UPDATE runs SET status = ?, error = ?, ended_at = ? "
                   "WHERE id = ? AND status = 'running'",
                   "recording the end of a run"},
    [Q_RUN_IDS] = {"SELECT id FROM runs WHERE substr(id, 1, length(?1)) = ?1 "
                   "ORDER BY started_at DESC, id DESC LIMIT ?2",
                   "looking up run ids"},
    [Q_RUN_GET] = {"SELECT " RUN_COLS ", COALESCE(config, (SELECT text FROM configs WHERE "
                   "configs.sha256 = runs.config_sha256)) FROM runs WHERE id = ?",
                   "reading a run"},
    [Q_RUNS_LIST] = {"SELECT " RUN_COLS " FROM runs ORDER BY started_at DESC, id DESC LIMIT ?",
                     "listing runs"},
    [Q_RUNS_RUNNING] = {"SELECT id, pid, host FROM runs WHERE status = 'running'",
                        "looking for unfinished runs"},
    [Q_RUN_FAIL_STALE] = {"UPDATE runs SET status = 'failed', error = ?, ended_at = ? "
                          "WHERE id = ? AND status = 'running'",
                          "marking a dead run as failed"},
    [Q_RUN_RESOURCES] = {"SELECT " SQ_RES_COLS " FROM resources WHERE run = ? ORDER BY id",
                         "listing the resources of a run"},
    [Q_TIMING_MAXSEQ] = {"SELECT COALESCE(MAX(seq), 0) FROM timings WHERE run = ?",
                         "numbering timings"},
    [Q_TIMING_INSERT] = {"INSERT INTO timings (run, seq, path, class, method, seconds, ok) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?)",
                         "recording call timings"},
    [Q_RUN_TIMINGS] = {"SELECT path, class, method, COUNT(*), SUM(seconds), SUM(ok = 0) "
                       "FROM timings WHERE run = ? GROUP BY path, class, method "
                       "ORDER BY SUM(seconds) DESC, MIN(seq) LIMIT ?",
                       "reading the timings of a run"},
    [Q_RES_EXISTS] = {"SELECT 1 FROM resources WHERE id = ?", "checking a resource"},
    [Q_RES_FIND_ROOT] = {"SELECT " SQ_RES_COLS " FROM resources "
                         "WHERE parent IS NULL AND type = ? AND name = ?",
                         "finding a resource by name"},
    [Q_RES_INSERT] = {"INSERT INTO resources (type, name, version, parent, run, uri, created_at) "
                      "VALUES (?, ?, ?, ?, ?, ?, ?)",
                      "creating a resource"},
    [Q_RES_GET] = {"SELECT " SQ_RES_COLS " FROM resources WHERE id = ?", "reading a resource"},
    [Q_RES_BY_URI] = {"SELECT " SQ_RES_COLS " FROM resources WHERE uri = ?",
                      "finding a resource by uri"},
    [Q_RES_MAXVER] = {"SELECT COALESCE(MAX(version), 0) FROM resources "
                      "WHERE parent = ? AND type = ?",
                      "numbering a new version"},
    [Q_RES_CHILDREN] = {"SELECT " SQ_RES_COLS " FROM resources "
                        "WHERE parent = ?1 AND (?2 IS NULL OR type = ?2) ORDER BY type, version",
                        "listing child resources"},
    [Q_RES_LATEST] = {"SELECT " SQ_RES_COLS " FROM resources WHERE parent = ? AND type = ? "
                      "ORDER BY version DESC LIMIT 1",
                      "finding the latest version"},
    [Q_RES_LATEST_TAGGED] = {"SELECT r.id, r.type, r.name, r.version, r.parent, r.run, r.uri "
                             "FROM resources r JOIN tags t ON t.resource = r.id "
                             "WHERE r.parent = ? AND r.type = ? AND t.key = ? AND t.value = ? "
                             "ORDER BY r.version DESC LIMIT 1",
                             "finding a tagged resource"},
    [Q_RES_PREVIOUS] = {"SELECT p.id, p.type, p.name, p.version, p.parent, p.run, p.uri "
                        "FROM resources r JOIN resources p ON p.parent = r.parent "
                        "AND p.type = r.type AND p.version < r.version "
                        "WHERE r.id = ? ORDER BY p.version DESC LIMIT 1",
                        "finding the previous version"},
    [Q_TAG_SET] = {"INSERT INTO tags (resource, key, value, run, updated_at) "
                   "VALUES (?, ?, ?, ?, ?) ON CONFLICT (resource, key) DO UPDATE SET "
                   "value = excluded.value, run = excluded.run, updated_at = excluded.updated_at",
                   "setting a tag"},
    [Q_TAG_CLEAR_SIBLINGS] = {"UPDATE tags SET value = 'false', run = ?3, updated_at = ?4 "
                              "WHERE key = ?2 AND value = 'true' AND resource IN ("
                              "SELECT s.id FROM resources r JOIN resources s "
                              "ON s.parent = r.parent AND s.type = r.type AND s.id <> r.id "
                              "WHERE r.id = ?1)",
                              "clearing the tag on sibling resources"},
    [Q_TAG_GET] = {"SELECT value FROM tags WHERE resource = ? AND key = ?", "reading a tag"},
    [Q_TAGS] = {"SELECT key, value FROM tags WHERE resource = ? ORDER BY key", "reading tags"},
    [Q_ART_SET] = {"INSERT INTO artifacts (resource, name, path, object, run, created_at) "
                   "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (resource, name) DO UPDATE SET "
                   "path = excluded.path, object = excluded.object, run = excluded.run, "
                   "created_at = excluded.created_at",
                   "recording an artifact"},
    [Q_ARTS] = {"SELECT name, path FROM artifacts WHERE resource = ? ORDER BY name",
                "reading artifacts"},
    [Q_ART_LIST] = {"SELECT name, path, object FROM artifacts WHERE resource = ? ORDER BY name",
                    "reading artifacts"},
    [Q_VC_SET] = {"INSERT INTO vc_info (resource, key, info, run, created_at) "
                  "VALUES (?, ?, ?, ?, ?) ON CONFLICT (resource, key) DO UPDATE SET "
                  "info = excluded.info, run = excluded.run, created_at = excluded.created_at",
                  "recording version-control info"},
    [Q_VC_GET] = {"SELECT info FROM vc_info WHERE resource = ? AND key = ?",
                  "reading version-control info"},
    [Q_VCS] = {"SELECT key, info FROM vc_info WHERE resource = ? ORDER BY key",
               "reading version-control info"},
    [Q_REPORT_INSERT] = {"INSERT INTO reports (resource, kind, path, class, report, status, run, "
                         "created_at, object, json_object) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         "recording a report"},
    [Q_REPORTS] = {"SELECT kind, path, class, status, report, object, json_object FROM reports "
                   "WHERE resource = ? "
                   "ORDER BY id",
                   "reading reports"},
    [Q_LINEAGE_INSERT] = {"INSERT INTO lineage (src, dst, kind, run, created_at) "
                          "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                          "recording lineage"},
    [Q_LINEAGE] = {"SELECT l.src, l.dst, l.kind, a.uri, b.uri FROM lineage l "
                   "JOIN resources a ON a.id = l.src JOIN resources b ON b.id = l.dst "
                   "WHERE l.src = ?1 OR l.dst = ?1 ORDER BY l.created_at, l.src, l.dst",
                   "reading lineage"},
    [Q_METRIC_SET] = {"INSERT INTO metrics (resource, split, name, value, updated_at) "
                      "VALUES (?, ?, ?, ?, ?) ON CONFLICT (resource, split, name) DO UPDATE SET "
                      "value = excluded.value, updated_at = excluded.updated_at",
                      "recording metrics"},
    [Q_METRIC_GET] = {"SELECT value FROM metrics WHERE resource = ? AND split = ? AND name = ?",
                      "reading a metric"},
    [Q_METRICS] = {"SELECT split, name, value FROM metrics WHERE resource = ? "
                   "ORDER BY split, name",
                   "reading metrics"},
    [Q_RUN_SET_RESUMED] = {"UPDATE runs SET resumed_from = ? WHERE id = ?",
                           "recording which run a run resumes"},
    [Q_CACHE_PUT] = {"INSERT INTO cache (" CACHE_COLS ") VALUES (?, ?, ?, ?, ?, ?) "
                     "ON CONFLICT (key, run) DO UPDATE SET class = excluded.class, "
                     "method = excluded.method, value = excluded.value, "
                     "created_at = excluded.created_at",
                     "recording a cached result"},
    [Q_CACHE_GET_RUN] = {"SELECT " CACHE_COLS " FROM cache WHERE key = ? AND run = ?",
                         "looking up a cached result"},
    [Q_CACHE_GET_ANY] = {"SELECT " CACHE_COLS " FROM cache WHERE key = ? "
                         "ORDER BY created_at DESC, run DESC LIMIT 1",
                         "looking up a cached result"},
    [Q_RES_ROOTS] = {"SELECT " SQ_RES_COLS " FROM resources WHERE parent IS NULL AND type = ? "
                     "ORDER BY name",
                     "listing root resources"},
};

/* ---- errors, statements -------------------------------------------------------------- */

static int code_of(int sqlite_rc)
{
    switch (sqlite_rc & 0xff) {
    case SQLITE_NOMEM:
        return LP_ENOMEM;
    case SQLITE_CONSTRAINT:
        return LP_EINVAL;
    default:
        return LP_EIO;
    }
}

int sq_fail(sq_store *s, sq_query q)
{
    int rc = sqlite3_extended_errcode(s->db);
    return lp_error_set(code_of(rc), "metadata store '%s': %s: %s", s->base.location,
                        queries[q].purpose, sqlite3_errmsg(s->db));
}

static sqlite3_stmt *stmt_of(sq_store *s, sq_query q)
{
    if (!s->stmts[q] && sqlite3_prepare_v3(s->db, queries[q].sql, -1, SQLITE_PREPARE_PERSISTENT,
                                           &s->stmts[q], NULL) != SQLITE_OK) {
        sq_fail(s, q);
        return NULL;
    }
    return s->stmts[q];
}

static sqlite3_stmt *vbind(sq_store *s, sq_query q, const char *fmt, va_list ap)
{
    sqlite3_stmt *st = stmt_of(s, q);
    if (!st) return NULL;
    int rc = SQLITE_OK;
    for (int i = 0; fmt[i] && rc == SQLITE_OK; i++) {
        int col = i + 1;
        switch (fmt[i]) {
        case 'i':
            rc = sqlite3_bind_int64(st, col, va_arg(ap, int64_t));
            break;
        case 'I': {
            int64_t v = va_arg(ap, int64_t);
            rc = v ? sqlite3_bind_int64(st, col, v) : sqlite3_bind_null(st, col);
            break;
        }
        case 't': {
            const char *t = va_arg(ap, const char *);
            rc = t ? sqlite3_bind_text(st, col, t, -1, SQLITE_STATIC) : sqlite3_bind_null(st, col);
            break;
        }
        case 'f': {
            double d = va_arg(ap, double);
            rc = isnan(d) ? sqlite3_bind_null(st, col) : sqlite3_bind_double(st, col, d);
            break;
        }
        case 'z': {
            size_t z = va_arg(ap, size_t);
            rc = sqlite3_bind_int64(st, col, z ? (int64_t)z : -1);
            break;
        }
        default:
            rc = SQLITE_MISUSE;
        }
    }
    if (rc != SQLITE_OK) {
        sq_fail(s, q);
        sq_done(s, q);
        return NULL;
    }
    return st;
}

sqlite3_stmt *sq_bind(sq_store *s, sq_query q, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sqlite3_stmt *st = vbind(s, q, fmt, ap);
    va_end(ap);
    return st;
}

void sq_done(sq_store *s, sq_query q)
{
    if (!s->stmts[q]) return;
    sqlite3_reset(s->stmts[q]);
    sqlite3_clear_bindings(s->stmts[q]);
}

int sq_step_error(sq_store *s, sq_query q)
{
    int rc = sq_fail(s, q);
    sq_done(s, q);
    return rc;
}

static int vexec(sq_store *s, sq_query q, const char *fmt, va_list ap)
{
    sqlite3_stmt *st = vbind(s, q, fmt, ap);
    if (!st) return lp_error_last()->code;
    int rc = sqlite3_step(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) return sq_step_error(s, q);
    sq_done(s, q);
    return 0;
}

int sq_exec(sq_store *s, sq_query q, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = vexec(s, q, fmt, ap);
    va_end(ap);
    return rc;
}

/* ---- transactions ----------------------------------------------------------------------- */

int sq_begin(sq_store *s)
{
    /* The busy timeout already waits for the write lock; a writer that holds
     * it longer than that is unusual but not an error: wait again. */
    int rc = 0;
    for (int attempt = 0; attempt < BEGIN_ATTEMPTS; attempt++) {
        sqlite3_stmt *st = stmt_of(s, Q_BEGIN);
        if (!st) return lp_error_last()->code;
        int src = sqlite3_step(st);
        sqlite3_reset(st);
        if (src == SQLITE_DONE) return 0;
        rc = sq_fail(s, Q_BEGIN);
        if ((src & 0xff) != SQLITE_BUSY && (src & 0xff) != SQLITE_LOCKED) break;
    }
    return rc;
}

static void rollback(sq_store *s)
{
    if (sqlite3_get_autocommit(s->db)) return; /* SQLite rolled back already */
    sqlite3_stmt *st = stmt_of(s, Q_ROLLBACK);
    if (st) {
        sqlite3_step(st);
        sqlite3_reset(st);
    }
}

int sq_end(sq_store *s, int rc)
{
    if (rc) {
        rollback(s);
        return rc;
    }
    sqlite3_stmt *st = stmt_of(s, Q_COMMIT);
    int src = st ? sqlite3_step(st) : SQLITE_ERROR;
    if (st) sqlite3_reset(st);
    if (src == SQLITE_DONE) return 0;
    rc = st ? sq_fail(s, Q_COMMIT) : lp_error_last()->code;
    rollback(s);
    return rc;
}

/* ---- rows -------------------------------------------------------------------------------- */

lp_value *sq_column(sqlite3_stmt *st, int c, bool json)
{
    switch (sqlite3_column_type(st, c)) {
    case SQLITE_INTEGER:
        return lp_value_int(sqlite3_column_int64(st, c));
    case SQLITE_FLOAT:
        return lp_value_float(sqlite3_column_double(st, c));
    case SQLITE_NULL:
        return lp_value_null();
    default: {
        const char *text = (const char *)sqlite3_column_text(st, c);
        if (!json) return lp_value_stringn(text ? text : "", (size_t)sqlite3_column_bytes(st, c));
        lp_value *v = NULL;
        return lp_store_json_value(text, &v) == 0 ? v : NULL;
    }
    }
}

/* Sets map[key] = column c unless the column is NULL. 0 or LP_ENOMEM. */
static int put_column(lp_value *map, const char *key, sqlite3_stmt *st, int c, bool json)
{
    if (sqlite3_column_type(st, c) == SQLITE_NULL) return 0;
    lp_value *v = sq_column(st, c, json);
    return v ? lp_map_set(map, key, v) : lp_error_last()->code;
}

lp_value *sq_resource_row(sqlite3_stmt *st, int c)
{
    static const char *const keys[] = {"id", "type", "name", "version", "parent", "run", "uri"};
    lp_value *map = lp_value_map();
    int rc = map ? 0 : LP_ENOMEM;
    for (int i = 0; rc == 0 && i < 7; i++)
        rc = put_column(map, keys[i], st, c + i, false);
    if (rc) {
        lp_value_unref(map);
        return NULL;
    }
    return map;
}

static int resource_vquery(sq_store *s, sq_query q, lp_value **out, bool list, const char *fmt,
                           va_list ap)
{
    *out = NULL;
    sqlite3_stmt *st = vbind(s, q, fmt, ap);
    if (!st) return lp_error_last()->code;
    lp_value *acc = list ? lp_value_list() : NULL;
    int rc = list && !acc ? LP_ENOMEM : 0, src;
    while (rc == 0 && (src = sqlite3_step(st)) == SQLITE_ROW) {
        lp_value *r = sq_resource_row(st, 0);
        if (!r)
            rc = lp_error_last()->code;
        else if (list)
            rc = lp_list_append(acc, r);
        else
            acc = r;
        if (!list) break;
    }
    if (rc == 0 && src != SQLITE_ROW && src != SQLITE_DONE) rc = sq_fail(s, q);
    sq_done(s, q);
    if (rc) {
        lp_value_unref(acc);
        return rc;
    }
    *out = acc;
    return 0;
}

int sq_resource_query(sq_store *s, sq_query q, lp_value **out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = resource_vquery(s, q, out, false, fmt, ap);
    va_end(ap);
    return rc;
}

int sq_resource_list(sq_store *s, sq_query q, lp_value **out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = resource_vquery(s, q, out, true, fmt, ap);
    va_end(ap);
    return rc;
}

int sq_need_resource(sq_store *s, int64_t id)
{
    sqlite3_stmt *st = sq_bind(s, Q_RES_EXISTS, "i", id);
    if (!st) return lp_error_last()->code;
    int src = sqlite3_step(st);
    if (src != SQLITE_ROW && src != SQLITE_DONE) return sq_step_error(s, Q_RES_EXISTS);
    sq_done(s, Q_RES_EXISTS);
    if (src == SQLITE_ROW) return 0;
    return lp_error_set(LP_ENOTFOUND, "metadata store '%s' has no resource with id %lld",
                        s->base.location, (long long)id);
}

/* ---- schema ------------------------------------------------------------------------------ */

/* Ordered migrations: step i brings the schema to version i + 1. Never edit
 * a released step; add one. */
static const struct {
    const char *description;
    const char *sql;
} migrations[] = {
    {"initial schema",
     "CREATE TABLE runs (\n"
     "  id TEXT PRIMARY KEY,\n"
     "  status TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),\n"
     "  runner TEXT NOT NULL DEFAULT '',\n"
     "  method TEXT,\n"
     "  config TEXT,\n"
     "  git_commit TEXT,\n"
     "  pid INTEGER,\n"
     "  host TEXT,\n"
     "  started_at REAL NOT NULL,\n"
     "  ended_at REAL,\n"
     "  error TEXT\n"
     ");\n"
     "CREATE INDEX runs_started ON runs (started_at);\n"
     "CREATE INDEX runs_status ON runs (status);\n"
     "CREATE TABLE resources (\n"
     "  id INTEGER PRIMARY KEY,\n"
     "  type TEXT NOT NULL,\n"
     "  name TEXT NOT NULL,\n"
     "  version INTEGER,\n"
     "  parent INTEGER REFERENCES resources (id),\n"
     "  run TEXT REFERENCES runs (id),\n"
     "  uri TEXT NOT NULL UNIQUE,\n"
     "  created_at REAL NOT NULL,\n"
     "  CHECK ((parent IS NULL) = (version IS NULL))\n"
     ");\n"
     "CREATE UNIQUE INDEX resources_root ON resources (type, name) WHERE parent IS NULL;\n"
     "CREATE UNIQUE INDEX resources_child ON resources (parent, type, version);\n"
     "CREATE INDEX resources_run ON resources (run);\n"
     "CREATE TABLE tags (\n"
     "  resource INTEGER NOT NULL REFERENCES resources (id),\n"
     "  key TEXT NOT NULL,\n"
     "  value TEXT NOT NULL,\n"
     "  run TEXT REFERENCES runs (id),\n"
     "  updated_at REAL NOT NULL,\n"
     "  PRIMARY KEY (resource, key)\n"
     ");\n"
     "CREATE INDEX tags_key ON tags (key, value);\n"
     "CREATE TABLE artifacts (\n"
     "  resource INTEGER NOT NULL REFERENCES resources (id),\n"
     "  name TEXT NOT NULL,\n"
     "  path TEXT NOT NULL,\n"
     "  run TEXT REFERENCES runs (id),\n"
     "  created_at REAL NOT NULL,\n"
     "  PRIMARY KEY (resource, name)\n"
     ");\n"
     "CREATE TABLE vc_info (\n"
     "  resource INTEGER NOT NULL REFERENCES resources (id),\n"
     "  key TEXT NOT NULL,\n"
     "  info TEXT NOT NULL,\n"
     "  run TEXT REFERENCES runs (id),\n"
     "  created_at REAL NOT NULL,\n"
     "  PRIMARY KEY (resource, key)\n"
     ");\n"
     "CREATE TABLE reports (\n"
     "  id INTEGER PRIMARY KEY,\n"
     "  resource INTEGER NOT NULL REFERENCES resources (id),\n"
     "  kind TEXT NOT NULL CHECK (kind IN ('profile', 'checks', 'comparison')),\n"
     "  path TEXT,\n"
     "  class TEXT,\n"
     "  report TEXT,\n"
     "  status TEXT,\n"
     "  run TEXT REFERENCES runs (id),\n"
     "  created_at REAL NOT NULL\n"
     ");\n"
     "CREATE INDEX reports_resource ON reports (resource);\n"
     "CREATE TABLE lineage (\n"
     "  src INTEGER NOT NULL REFERENCES resources (id),\n"
     "  dst INTEGER NOT NULL REFERENCES resources (id),\n"
     "  kind TEXT NOT NULL,\n"
     "  run TEXT REFERENCES runs (id),\n"
     "  created_at REAL NOT NULL,\n"
     "  PRIMARY KEY (src, dst, kind)\n"
     ");\n"
     "CREATE INDEX lineage_dst ON lineage (dst);\n"
     "CREATE TABLE metrics (\n"
     "  resource INTEGER NOT NULL REFERENCES resources (id),\n"
     "  split TEXT NOT NULL,\n"
     "  name TEXT NOT NULL,\n"
     "  value REAL,\n"
     "  updated_at REAL NOT NULL,\n"
     "  PRIMARY KEY (resource, split, name)\n"
     ");\n"
     "CREATE TABLE timings (\n"
     "  run TEXT NOT NULL REFERENCES runs (id),\n"
     "  seq INTEGER NOT NULL,\n"
     "  path TEXT NOT NULL,\n"
     "  class TEXT NOT NULL,\n"
     "  method TEXT NOT NULL,\n"
     "  seconds REAL NOT NULL,\n"
     "  ok INTEGER NOT NULL,\n"
     "  PRIMARY KEY (run, seq)\n"
     ");\n"},
    /* Dispatched calls' results for reuse (SPEC §7): key = lp_cache_key,
     * value = the encoded result (store/value_codec.h, JSON naming its frames
     * and models in the object store); run '' when recorded outside a run,
     * hence no foreign key. */
    {"result cache and resumed runs", "ALTER TABLE runs ADD COLUMN resumed_from TEXT;\n"
                                      "CREATE TABLE cache (\n"
                                      "  key TEXT NOT NULL,\n"
                                      "  run TEXT NOT NULL DEFAULT '',\n"
                                      "  class TEXT NOT NULL,\n"
                                      "  method TEXT NOT NULL,\n"
                                      "  value TEXT NOT NULL,\n"
                                      "  created_at REAL NOT NULL,\n"
                                      "  PRIMARY KEY (key, run)\n"
                                      ");\n"
                                      "CREATE INDEX cache_run ON cache (run);\n"},
    /* A run's configuration once per content (issue 15: a 10 MB config was
     * kept in the runs row, which each later UPDATE of the row rewrote,
     * leaving a second copy in free pages). Older runs keep runs.config. */
    {"run configurations stored once by content",
     "CREATE TABLE configs (\n"
     "  sha256 TEXT PRIMARY KEY,\n"
     "  text TEXT NOT NULL\n"
     ");\n"
     "ALTER TABLE runs ADD COLUMN config_sha256 TEXT;\n"},
    /* Report and artifact files kept in the object store too (issue 12): the
     * SHA-256 names of their content (and of a report's JSON twin), so they
     * outlive the output directory. NULL when not stored. */
    {"report and artifact objects", "ALTER TABLE reports ADD COLUMN object TEXT;\n"
                                    "ALTER TABLE reports ADD COLUMN json_object TEXT;\n"
                                    "ALTER TABLE artifacts ADD COLUMN object TEXT;\n"},
};
#define SCHEMA_VERSION ((int)(sizeof migrations / sizeof migrations[0]))

/* Runs SQL text outside the statement cache; purpose names it in errors. */
static int exec_text(sq_store *s, const char *sql, const char *purpose)
{
    char *msg = NULL;
    if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) == SQLITE_OK) return 0;
    int rc = lp_error_set(code_of(sqlite3_extended_errcode(s->db)), "metadata store '%s': %s: %s",
                          s->base.location, purpose, msg ? msg : sqlite3_errmsg(s->db));
    sqlite3_free(msg);
    return rc;
}

/* One integer from a query (0 when no row). */
static int query_int(sq_store *s, const char *sql, const char *purpose, int64_t *out)
{
    sqlite3_stmt *st = NULL;
    *out = 0;
    int src = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
    if (src == SQLITE_OK) src = sqlite3_step(st);
    if (src == SQLITE_ROW) *out = sqlite3_column_int64(st, 0);
    int rc =
        src == SQLITE_ROW || src == SQLITE_DONE
            ? 0
            : lp_error_set(code_of(sqlite3_extended_errcode(s->db)), "metadata store '%s': %s: %s",
                           s->base.location, purpose, sqlite3_errmsg(s->db));
    sqlite3_finalize(st);
    return rc;
}

/* The schema version: 0 for an empty database, -1 for a database that is not
 * a lolpop store (it has other tables but no schema table). Whether the
 * schema table exists and whether anything else does are asked in ONE
 * statement, so one snapshot: asked apart, a process opening a new store
 * could see "no schema table", then another process's first migration
 * commit, then "other tables", and call a lolpop store foreign. */
static int schema_version(sq_store *s, int *version)
{
    int64_t kind = 0, v = 0;
    int rc = query_int(s,
                       "SELECT CASE WHEN EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' "
                       "AND name = 'lolpop_schema') THEN 1 "
                       "WHEN EXISTS (SELECT 1 FROM sqlite_master) THEN -1 ELSE 0 END",
                       "reading the schema", &kind);
    if (rc == 0 && kind == 1)
        rc = query_int(s, "SELECT COALESCE(MAX(version), 0) FROM lolpop_schema",
                       "reading the schema version", &v);
    *version = kind == 1 ? (int)v : (int)kind;
    return rc;
}

static int check_version(sq_store *s, int version)
{
    if (version < 0)
        return lp_error_set(LP_ECONFIG,
                            "'%s' is a SQLite database but not a lolpop metadata store (it has "
                            "no lolpop_schema table); give another store path",
                            s->base.location);
    if (version > SCHEMA_VERSION)
        return lp_error_set(LP_ECONFIG,
                            "metadata store '%s' has schema version %d, newer than this lolpop "
                            "understands (%d); upgrade lolpop to use it",
                            s->base.location, version, SCHEMA_VERSION);
    return 0;
}

/* Applies step `i` unless another process did first; one transaction. */
static int apply_step(sq_store *s, int i)
{
    int rc = sq_begin(s), version = 0;
    if (rc == 0)
        rc = exec_text(s,
                       "CREATE TABLE IF NOT EXISTS lolpop_schema (version INTEGER PRIMARY KEY, "
                       "description TEXT NOT NULL, applied_at REAL NOT NULL)",
                       "creating the schema table");
    if (rc == 0) rc = schema_version(s, &version);
    if (rc == 0) rc = check_version(s, version);
    if (rc == 0 && version < i + 1) {
        char *purpose = lp_asprintf("migrating the schema to version %d (%s)", i + 1,
                                    migrations[i].description);
        char *record = lp_asprintf("INSERT INTO lolpop_schema VALUES (%d, '%s', %.6f)", i + 1,
                                   migrations[i].description, lp_store_now());
        rc = purpose && record ? exec_text(s, migrations[i].sql, purpose) : LP_ENOMEM;
        if (rc == 0) rc = exec_text(s, record, purpose);
        free(purpose);
        free(record);
    }
    return sq_end(s, rc);
}

static int migrate(sq_store *s, bool readonly)
{
    int version = 0;
    int rc = schema_version(s, &version);
    if (rc == 0) rc = check_version(s, version);
    if (rc == 0 && readonly && version < SCHEMA_VERSION)
        rc = lp_error_set(LP_ECONFIG,
                          "metadata store '%s' has schema version %d and needs an upgrade to "
                          "%d; open it once read-write",
                          s->base.location, version, SCHEMA_VERSION);
    for (int i = version; rc == 0 && !readonly && i < SCHEMA_VERSION; i++)
        rc = apply_step(s, i);
    return rc;
}

/* ---- opening ------------------------------------------------------------------------------ */

/* mkdir -p. 0 or -1 with errno set. */
static int make_dirs(const char *dir)
{
    char buf[PATH_MAX];
    if (snprintf(buf, sizeof buf, "%s", dir) >= (int)sizeof buf) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/') continue;
        *p = 0;
        if (mkdir(buf, 0755) != 0 && errno != EEXIST) return -1;
        *p = '/';
    }
    return mkdir(buf, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

/* Fills s->path and s->dir (absolute), creating the directory when asked. */
static int resolve_paths(sq_store *s, const char *path, int flags)
{
    char *copy1 = lp_strdup(path), *copy2 = lp_strdup(path);
    int rc = copy1 && copy2 ? 0 : LP_ENOMEM;
    const char *dir = rc ? NULL : dirname(copy1), *base = rc ? NULL : basename(copy2);
    struct stat sb;
    bool exists = stat(path, &sb) == 0;
    if (rc == 0 && exists && S_ISDIR(sb.st_mode))
        rc = lp_error_set(LP_EINVAL, "metadata store '%s' is a directory; give a file path", path);
    else if (rc == 0 && !exists && !(flags & LP_STORE_CREATE))
        rc = lp_error_set(LP_ENOTFOUND, "no metadata store at '%s'", path);
    else if (rc == 0 && !exists && make_dirs(dir) != 0)
        rc = lp_error_set(LP_EIO, "cannot create the directory '%s' of the metadata store '%s': %s",
                          dir, path, strerror(errno));
    char real[PATH_MAX];
    if (rc == 0 && !realpath(dir, real))
        rc = lp_error_set(LP_EIO, "metadata store '%s': cannot resolve the directory '%s': %s",
                          path, dir, strerror(errno));
    if (rc == 0 && !exists && access(real, W_OK) != 0)
        rc = lp_error_set(LP_EIO, "cannot create the metadata store '%s': directory '%s': %s", path,
                          dir, strerror(errno));
    if (rc == 0) {
        s->dir = lp_strdup(real);
        s->path = lp_asprintf("%s/%s", real, base);
        if (!s->dir || !s->path) rc = LP_ENOMEM;
    }
    free(copy1);
    free(copy2);
    return rc;
}

/* Switching to WAL needs a moment alone with the file; a second process
 * opening a brand-new store at the same time gets SQLITE_BUSY at once (the
 * busy handler is not consulted for it), so retry for as long as the busy
 * timeout would have waited. */
static int switch_to_wal(sq_store *s)
{
    for (int waited = 0;; waited += 10) {
        int src = sqlite3_exec(s->db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL);
        if (src == SQLITE_OK) return 0;
        if (((src & 0xff) != SQLITE_BUSY && (src & 0xff) != SQLITE_LOCKED) ||
            waited >= BUSY_TIMEOUT_MS)
            return exec_text(s, "PRAGMA journal_mode = WAL", "switching to write-ahead logging");
        sqlite3_sleep(10);
    }
}

static int set_pragmas(sq_store *s, bool readonly)
{
    sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
    int rc = exec_text(s, "PRAGMA foreign_keys = ON", "enabling foreign keys");
    /* WAL: readers do not block the writer. NORMAL sync is safe with WAL (a
     * crash may lose the last commits, never consistency) and much faster. */
    if (rc == 0 && !readonly) rc = switch_to_wal(s);
    if (rc == 0) rc = exec_text(s, "PRAGMA synchronous = NORMAL", "setting the sync mode");
    return rc;
}

/* Marks every `running` run whose process is gone as failed. */
static int recover_runs(sq_store *s)
{
    sqlite3_stmt *st = sq_bind(s, Q_RUNS_RUNNING, "");
    if (!st) return lp_error_last()->code;
    lp_value *dead = lp_value_list();
    int rc = dead ? 0 : LP_ENOMEM, src;
    while (rc == 0 && (src = sqlite3_step(st)) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(st, 0);
        if (!id || !lp_store_lock_is_stale(s->dir, id)) continue;
        const char *host = (const char *)sqlite3_column_text(st, 2);
        lp_value *row = lp_value_list();
        if (!row || lp_list_append(dead, row)) {
            rc = LP_ENOMEM;
            break;
        }
        lp_list_append(row, lp_value_string(id));
        lp_list_append(row, lp_value_int(sqlite3_column_int64(st, 1)));
        lp_list_append(row, lp_value_string(host ? host : "?"));
    }
    if (rc == 0 && src != SQLITE_DONE) rc = sq_fail(s, Q_RUNS_RUNNING);
    sq_done(s, Q_RUNS_RUNNING);
    for (size_t i = 0; rc == 0 && i < lp_list_len(dead); i++) {
        const lp_value *row = lp_list_get(dead, i);
        char *msg = lp_asprintf("process %lld on %s ended without finishing the run",
                                (long long)lp_value_as_int(lp_list_get(row, 1)),
                                lp_value_as_string(lp_list_get(row, 2)));
        rc = msg ? sq_begin(s) : LP_ENOMEM;
        if (rc == 0)
            rc = sq_end(s, sq_exec(s, Q_RUN_FAIL_STALE, "tft", msg, lp_store_now(),
                                   lp_value_as_string(lp_list_get(row, 0))));
        free(msg);
    }
    lp_value_unref(dead);
    return rc;
}

/* "file:PATH?immutable=1" with PATH percent-encoded where a URI needs it.
 * New string, or NULL on OOM. */
static char *immutable_uri(const char *path)
{
    lp_sb sb = {0};
    lp_sb_append(&sb, "file:");
    for (const unsigned char *p = (const unsigned char *)path; *p; p++)
        if (*p == '%' || *p == '?' || *p == '#' || *p <= ' ' || *p >= 0x7f)
            lp_sb_appendf(&sb, "%%%02X", *p);
        else
            lp_sb_putc(&sb, (char)*p);
    lp_sb_append(&sb, "?immutable=1");
    if (sb.oom) {
        lp_sb_free(&sb);
        return NULL;
    }
    return lp_sb_take(&sb);
}

static int open_db(sq_store *s, const char *name, int oflags)
{
    int src = sqlite3_open_v2(name, &s->db, oflags | SQLITE_OPEN_NOMUTEX, NULL);
    if (src != SQLITE_OK)
        return lp_error_set(LP_EIO, "cannot open the metadata store '%s': %s", s->base.location,
                            s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(src));
    sqlite3_extended_result_codes(s->db, 1);
    return 0;
}

/* A store in a directory we may not write (another user's, a read-only
 * mount, a copy made read-only): SQLite cannot create the WAL index next to
 * it, so even reading fails. Opened as immutable, it is read as it is on disk
 * (without locks: fine, since nobody can be writing where we could not). */
static int reopen_immutable(sq_store *s)
{
    sqlite3_close(s->db);
    s->db = NULL;
    char *uri = immutable_uri(s->path);
    int rc = uri ? open_db(s, uri, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI) : LP_ENOMEM;
    free(uri);
    if (rc == 0) rc = set_pragmas(s, true);
    if (rc == 0) rc = migrate(s, true);
    return rc;
}

static int sq_open_db(sq_store *s, int flags)
{
    bool ro = flags & LP_STORE_READONLY;
    int oflags = ro ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    int rc = open_db(s, s->path, oflags);
    if (rc == 0) rc = set_pragmas(s, ro);
    if (rc == 0) rc = migrate(s, ro);
    if (rc == 0 && !ro) rc = recover_runs(s);
    if (rc && rc != LP_ENOMEM && ro && access(s->dir, W_OK) != 0) rc = reopen_immutable(s);
    return rc;
}

static void sq_close(lp_store *st);

static const lp_store_ops sqlite_ops;

int lp_store_sqlite_open(lp_store **out, const char *location, const char *path, int flags)
{
    *out = NULL;
    sq_store *s = calloc(1, sizeof *s);
    if (!s) return lp_error_set(LP_ENOMEM, "out of memory");
    s->base.ops = &sqlite_ops;
    s->base.flags = flags;
    s->lock_fd = -1;
    int rc = (s->base.location = lp_strdup(location)) ? 0 : LP_ENOMEM;
    if (rc == 0) rc = resolve_paths(s, path, flags);
    if (rc == 0) rc = sq_open_db(s, flags);
    if (rc) {
        sq_close(&s->base);
        return rc;
    }
    *out = &s->base;
    return 0;
}

static void sq_close(lp_store *st)
{
    sq_store *s = sq_of(st);
    for (int q = 0; q < Q_COUNT; q++)
        sqlite3_finalize(s->stmts[q]);
    if (s->db) sqlite3_close(s->db);
    lp_store_lock_release(s->dir, s->lock_run, s->lock_fd);
    free(s->lock_run);
    free(s->path);
    free(s->dir);
    free(s->base.location);
    free(s->base.active_run);
    free(s);
}

/* ---- runs ------------------------------------------------------------------------------- */

/* The SHA-256 of a configuration's text as hex ("" for none). */
static int config_sha256(const char *text, char out[65])
{
    out[0] = '\0';
    if (!text) return 0;
    return lp_sha256_hex(text, strlen(text), out);
}

static int sq_run_begin(lp_store *st, const lp_store_run_row *row)
{
    sq_store *s = sq_of(st);
    if (s->lock_fd >= 0)
        return lp_error_set(LP_EINVAL, "metadata store '%s': a run is already active",
                            st->location);
    int fd = lp_store_lock_take(s->dir, row->id);
    if (fd < 0) return fd;
    char sha[65];
    int rc = config_sha256(row->config, sha);
    if (rc == 0) rc = sq_begin(s);
    if (rc == 0 && row->config) rc = sq_exec(s, Q_CONFIG_INSERT, "tt", sha, row->config);
    if (rc == 0) {
        sqlite3_stmt *q =
            sq_bind(s, Q_RUN_INSERT, "ttttitf", row->id, row->runner, row->config ? sha : NULL,
                    row->git_commit, row->pid, row->host, row->started_at);
        int src = q ? sqlite3_step(q) : SQLITE_ERROR;
        if (q && src == SQLITE_CONSTRAINT_PRIMARYKEY) {
            sq_done(s, Q_RUN_INSERT);
            rc = lp_error_set(LP_EEXISTS, "run id %s exists", row->id);
        } else if (q && src != SQLITE_DONE) {
            rc = sq_step_error(s, Q_RUN_INSERT);
        } else {
            rc = q ? 0 : lp_error_last()->code;
            sq_done(s, Q_RUN_INSERT);
        }
        rc = sq_end(s, rc);
    }
    if (rc) {
        lp_store_lock_release(s->dir, row->id, fd);
        return rc;
    }
    s->lock_fd = fd;
    if (!(s->lock_run = lp_strdup(row->id))) return LP_ENOMEM;
    return 0;
}

static int sq_run_method(lp_store *st, const char *run_id, const char *method)
{
    sq_store *s = sq_of(st);
    int rc = sq_begin(s);
    return rc ? rc : sq_end(s, sq_exec(s, Q_RUN_METHOD, "tt", method, run_id));
}

static int sq_run_end(lp_store *st, const char *run_id, const char *status, const char *error,
                      double ended_at)
{
    sq_store *s = sq_of(st);
    int rc = sq_begin(s);
    if (rc == 0) rc = sq_exec(s, Q_RUN_END, "ttft", status, error, ended_at, run_id);
    int changed = rc == 0 ? sqlite3_changes(s->db) : 0;
    rc = sq_end(s, rc);
    if (rc == 0 && changed == 0)
        rc = lp_error_set(LP_ENOTFOUND, "metadata store '%s': run %s is not running", st->location,
                          run_id);
    if (s->lock_run && strcmp(s->lock_run, run_id) == 0) {
        lp_store_lock_release(s->dir, s->lock_run, s->lock_fd);
        s->lock_fd = -1;
        free(s->lock_run);
        s->lock_run = NULL;
    }
    return rc;
}

static int sq_run_ids(lp_store *st, const char *prefix, size_t max, lp_value **out)
{
    sq_store *s = sq_of(st);
    sqlite3_stmt *q = sq_bind(s, Q_RUN_IDS, "tz", prefix, max);
    if (!q) return lp_error_last()->code;
    lp_value *list = lp_value_list();
    int rc = list ? 0 : LP_ENOMEM, src;
    while (rc == 0 && (src = sqlite3_step(q)) == SQLITE_ROW) {
        lp_value *v = sq_column(q, 0, false);
        rc = v ? lp_list_append(list, v) : LP_ENOMEM;
    }
    if (rc == 0 && src != SQLITE_DONE) rc = sq_fail(s, Q_RUN_IDS);
    sq_done(s, Q_RUN_IDS);
    if (rc) {
        lp_value_unref(list);
        return rc;
    }
    *out = list;
    return 0;
}

/* A run map from the current row (RUN_COLS, then config when with_config). */
static lp_value *run_row(sqlite3_stmt *q, bool with_config)
{
    static const char *const keys[] = {"id",  "status", "runner",     "method",   "git_commit",
                                       "pid", "host",   "started_at", "ended_at", "error"};
    lp_value *map = lp_value_map();
    int rc = map ? 0 : LP_ENOMEM;
    for (int i = 0; rc == 0 && i < 10; i++) {
        lp_value *v = sq_column(q, i, false);
        /* REAL columns holding whole seconds may come back as integers: keep floats. */
        if (v && (i == 7 || i == 8) && lp_value_type(v) == LP_INT) {
            lp_value *f = lp_value_float((double)lp_value_as_int(v));
            lp_value_unref(v);
            v = f;
        }
        rc = v ? lp_map_set(map, keys[i], v) : lp_error_last()->code;
    }
    /* resumed_from only on runs made by --resume: other runs' maps stay as they were. */
    if (rc == 0 && sqlite3_column_type(q, 10) != SQLITE_NULL) {
        lp_value *from = sq_column(q, 10, false);
        rc = from ? lp_map_set(map, "resumed_from", from) : lp_error_last()->code;
    }
    if (rc == 0 && with_config) {
        lp_value *cfg = sq_column(q, 11, true);
        rc = cfg ? lp_map_set(map, "config", cfg) : lp_error_last()->code;
    }
    if (rc) {
        lp_value_unref(map);
        return NULL;
    }
    return map;
}

static int sq_run_get(lp_store *st, const char *run_id, bool with_config, lp_value **out)
{
    sq_store *s = sq_of(st);
    sqlite3_stmt *q = sq_bind(s, Q_RUN_GET, "t", run_id);
    if (!q) return lp_error_last()->code;
    int src = sqlite3_step(q), rc = 0;
    if (src == SQLITE_ROW) {
        *out = run_row(q, with_config);
        if (!*out) rc = lp_error_last()->code;
    } else if (src != SQLITE_DONE) {
        rc = sq_fail(s, Q_RUN_GET);
    }
    sq_done(s, Q_RUN_GET);
    return rc;
}

static int sq_runs_list(lp_store *st, size_t limit, lp_value **out)
{
    sq_store *s = sq_of(st);
    sqlite3_stmt *q = sq_bind(s, Q_RUNS_LIST, "z", limit);
    if (!q) return lp_error_last()->code;
    lp_value *list = lp_value_list();
    int rc = list ? 0 : LP_ENOMEM, src;
    while (rc == 0 && (src = sqlite3_step(q)) == SQLITE_ROW) {
        lp_value *r = run_row(q, false);
        rc = r ? lp_list_append(list, r) : lp_error_last()->code;
    }
    if (rc == 0 && src != SQLITE_DONE) rc = sq_fail(s, Q_RUNS_LIST);
    sq_done(s, Q_RUNS_LIST);
    if (rc) {
        lp_value_unref(list);
        return rc;
    }
    *out = list;
    return 0;
}

static int sq_run_resources(lp_store *st, const char *run_id, lp_value **out)
{
    return sq_resource_list(sq_of(st), Q_RUN_RESOURCES, out, "t", run_id);
}

static int sq_timings_add(lp_store *st, const char *run_id, const lp_store_timing *t, size_t n)
{
    sq_store *s = sq_of(st);
    int rc = sq_begin(s);
    int64_t seq = 0;
    if (rc == 0) {
        sqlite3_stmt *q = sq_bind(s, Q_TIMING_MAXSEQ, "t", run_id);
        int src = q ? sqlite3_step(q) : SQLITE_ERROR;
        if (src == SQLITE_ROW)
            seq = sqlite3_column_int64(q, 0);
        else
            rc = q ? sq_fail(s, Q_TIMING_MAXSEQ) : lp_error_last()->code;
        sq_done(s, Q_TIMING_MAXSEQ);
    }
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = sq_exec(s, Q_TIMING_INSERT, "titttfi", run_id, ++seq, t[i].path ? t[i].path : "",
                     t[i].cls ? t[i].cls : "", t[i].method ? t[i].method : "", t[i].seconds,
                     (int64_t)t[i].ok);
    return sq_end(s, rc);
}

static int sq_run_timings(lp_store *st, const char *run_id, size_t limit, lp_value **out)
{
    sq_store *s = sq_of(st);
    static const char *const keys[] = {"path", "class", "method", "calls", "seconds", "failed"};
    sqlite3_stmt *q = sq_bind(s, Q_RUN_TIMINGS, "tz", run_id, limit);
    if (!q) return lp_error_last()->code;
    lp_value *list = lp_value_list();
    int rc = list ? 0 : LP_ENOMEM, src;
    while (rc == 0 && (src = sqlite3_step(q)) == SQLITE_ROW) {
        lp_value *m = lp_value_map();
        rc = m ? lp_list_append(list, m) : LP_ENOMEM;
        for (int i = 0; rc == 0 && i < 6; i++) {
            lp_value *v =
                i == 4 ? lp_value_float(sqlite3_column_double(q, i)) : sq_column(q, i, false);
            rc = v ? lp_map_set(m, keys[i], v) : LP_ENOMEM;
        }
    }
    if (rc == 0 && src != SQLITE_DONE) rc = sq_fail(s, Q_RUN_TIMINGS);
    sq_done(s, Q_RUN_TIMINGS);
    if (rc) {
        lp_value_unref(list);
        return rc;
    }
    *out = list;
    return 0;
}

static const lp_store_ops sqlite_ops = {
    .name = "sqlite",
    .close = sq_close,
    .run_begin = sq_run_begin,
    .run_method = sq_run_method,
    .run_end = sq_run_end,
    .run_ids = sq_run_ids,
    .run_get = sq_run_get,
    .runs_list = sq_runs_list,
    .run_resources = sq_run_resources,
    .timings_add = sq_timings_add,
    .run_timings = sq_run_timings,
    .resource_create = sq_resource_create,
    .resource_get = sq_resource_get,
    .resource_find = sq_resource_find,
    .resource_by_uri = sq_resource_by_uri,
    .resource_children = sq_resource_children,
    .resource_latest = sq_resource_latest,
    .resource_latest_tagged = sq_resource_latest_tagged,
    .resource_previous = sq_resource_previous,
    .tag_set = sq_tag_set,
    .tag_get = sq_tag_get,
    .tags = sq_tags,
    .artifact_add = sq_artifact_add,
    .artifacts = sq_artifacts,
    .artifact_list = sq_artifact_list,
    .vc_info_set = sq_vc_info_set,
    .vc_info_get = sq_vc_info_get,
    .vc_infos = sq_vc_infos,
    .report_add = sq_report_add,
    .reports = sq_reports,
    .lineage_add = sq_lineage_add,
    .lineage = sq_lineage,
    .metrics_set = sq_metrics_set,
    .metric_get = sq_metric_get,
    .metrics = sq_metrics,
    .run_set_resumed_from = sq_run_set_resumed_from,
    .cache_put = sq_cache_put,
    .cache_get = sq_cache_get,
    .resource_roots = sq_resource_roots,
    .model_lock = sq_model_lock,
    .model_unlock = sq_model_unlock,
    .deploy_record = sq_deploy_record,
};
