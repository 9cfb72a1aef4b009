/*
 * store_sqlite.h — the SQLite back-end's connection, statement cache and
 * helpers, shared by store_sqlite.c (connection, schema, runs) and
 * store_sqlite_rows.c (resources and what hangs off them).
 */
#ifndef LP_STORE_SQLITE_H
#define LP_STORE_SQLITE_H

#include <sqlite3.h>

#include "store/store_backend.h"

/* Every statement the back-end runs; SQL and purpose in store_sqlite.c. */
typedef enum sq_query {
    Q_BEGIN,
    Q_COMMIT,
    Q_ROLLBACK,
    Q_RUN_INSERT,
    Q_CONFIG_INSERT,
    Q_RUN_METHOD,
    Q_RUN_END,
    Q_RUN_IDS,
    Q_RUN_GET,
    Q_RUNS_LIST,
    Q_RUNS_RUNNING,
    Q_RUN_FAIL_STALE,
    Q_RUN_RESOURCES,
    Q_TIMING_MAXSEQ,
    Q_TIMING_INSERT,
    Q_RUN_TIMINGS,
    Q_RES_EXISTS,
    Q_RES_FIND_ROOT,
    Q_RES_INSERT,
    Q_RES_GET,
    Q_RES_BY_URI,
    Q_RES_MAXVER,
    Q_RES_CHILDREN,
    Q_RES_LATEST,
    Q_RES_LATEST_TAGGED,
    Q_RES_PREVIOUS,
    Q_TAG_SET,
    Q_TAG_CLEAR_SIBLINGS,
    Q_TAG_GET,
    Q_TAGS,
    Q_ART_SET,
    Q_ARTS,
    Q_ART_LIST,
    Q_VC_SET,
    Q_VC_GET,
    Q_VCS,
    Q_REPORT_INSERT,
    Q_REPORTS,
    Q_LINEAGE_INSERT,
    Q_LINEAGE,
    Q_METRIC_SET,
    Q_METRIC_GET,
    Q_METRICS,
    Q_RUN_SET_RESUMED,
    Q_CACHE_PUT,
    Q_CACHE_GET_RUN,
    Q_CACHE_GET_ANY,
    Q_RES_ROOTS,
    Q_COUNT
} sq_query;

typedef struct sq_store {
    struct lp_store base; /* first: a sq_store is an lp_store */
    sqlite3 *db;
    char *path; /* absolute path of the database file */
    char *dir;  /* its directory: run locks live in <dir>/runs */
    sqlite3_stmt *stmts[Q_COUNT];
    int lock_fd;    /* the lock of the run begun through this handle, or -1 */
    char *lock_run; /* that run's id (owned), or NULL */
} sq_store;

static inline sq_store *sq_of(lp_store *st)
{
    return (sq_store *)st;
}

/* Records the last SQLite error of query q ("metadata store 'X': <purpose>: <sqlite message>")
 * and returns the LP_E* code. */
int sq_fail(sq_store *s, sq_query q);
/* The cached statement of q with parameters bound by `fmt`, one character each:
 * 'i' int64_t, 'I' int64_t with 0 bound as NULL, 't' const char * (NULL as
 * NULL), 'f' double (NaN as NULL), 'z' size_t where 0 means no limit (-1).
 * NULL with the last error set on failure. Finish with sq_done. */
sqlite3_stmt *sq_bind(sq_store *s, sq_query q, const char *fmt, ...);
/* Resets q's statement and clears its bindings. */
void sq_done(sq_store *s, sq_query q);
/* Binds, steps to completion and resets: for statements without rows. */
int sq_exec(sq_store *s, sq_query q, const char *fmt, ...);
/* The result of a step that is neither a row nor done: the error, reset. */
int sq_step_error(sq_store *s, sq_query q);

/* BEGIN IMMEDIATE (waiting for, then retrying, other writers). */
int sq_begin(sq_store *s);
/* COMMIT when rc is 0 (ROLLBACK if that fails), else ROLLBACK keeping rc's
 * error. Returns the outcome. */
int sq_end(sq_store *s, int rc);

/* Column c of the current row as a new value: text (JSON parsed when json),
 * integer, real; NULL column -> null value. NULL on failure. */
lp_value *sq_column(sqlite3_stmt *st, int c, bool json);
/* A resource map from the row columns c.. c+6 (SQ_RES_COLS order). */
lp_value *sq_resource_row(sqlite3_stmt *st, int c);
#define SQ_RES_COLS "id, type, name, version, parent, run, uri"
/* Runs q (bound by fmt) expecting at most one resource row; *out NULL when none. */
int sq_resource_query(sq_store *s, sq_query q, lp_value **out, const char *fmt, ...);
/* Runs q (bound by fmt) and collects every resource row into a new list. */
int sq_resource_list(sq_store *s, sq_query q, lp_value **out, const char *fmt, ...);
/* LP_ENOTFOUND naming the resource when row `id` does not exist. */
int sq_need_resource(sq_store *s, int64_t id);

/* The row-level ops of store_sqlite_rows.c, installed into the ops table. */
int sq_resource_create(lp_store *st, const char *type, const char *name, int64_t parent,
                       const char *run_id, lp_value **out);
int sq_resource_get(lp_store *st, int64_t id, lp_value **out);
int sq_resource_find(lp_store *st, const char *type, const char *name, lp_value **out);
int sq_resource_by_uri(lp_store *st, const char *uri, lp_value **out);
int sq_resource_children(lp_store *st, int64_t parent, const char *type, lp_value **out);
int sq_resource_latest(lp_store *st, int64_t parent, const char *type, lp_value **out);
int sq_resource_latest_tagged(lp_store *st, int64_t parent, const char *type, const char *key,
                              const char *json, lp_value **out);
int sq_resource_previous(lp_store *st, int64_t id, lp_value **out);
/* Root resources of a type, by name. */
int sq_resource_roots(lp_store *st, const char *type, lp_value **out);
/* lp_store_deploy_record in one transaction (store_sqlite_rows.c). */
int sq_deploy_record(lp_store *st, const lp_store_deploy *d, double at, lp_value **out);
/* The model deploy lock: a flock'ed file under <dir>/locks (store_lock.c). */
int sq_model_lock(lp_store *st, const char *name, double timeout_s, int *lock);
void sq_model_unlock(lp_store *st, int lock);
int sq_tag_set(lp_store *st, int64_t resource, const char *key, const char *json,
               const char *run_id, bool exclusive);
int sq_tag_get(lp_store *st, int64_t resource, const char *key, lp_value **out);
int sq_tags(lp_store *st, int64_t resource, lp_value **out);
int sq_artifact_add(lp_store *st, int64_t resource, const char *name, const char *path,
                    const char *object, const char *run_id);
int sq_artifacts(lp_store *st, int64_t resource, lp_value **out);
int sq_artifact_list(lp_store *st, int64_t resource, lp_value **out);
int sq_vc_info_set(lp_store *st, int64_t resource, const char *key, const char *json,
                   const char *run_id);
int sq_vc_info_get(lp_store *st, int64_t resource, const char *key, lp_value **out);
int sq_vc_infos(lp_store *st, int64_t resource, lp_value **out);
int sq_report_add(lp_store *st, int64_t resource, const lp_store_report *r, const char *json,
                  const char *run_id);
int sq_reports(lp_store *st, int64_t resource, lp_value **out);
int sq_lineage_add(lp_store *st, int64_t from, int64_t to, const char *kind, const char *run_id);
int sq_lineage(lp_store *st, int64_t resource, lp_value **out);
int sq_metrics_set(lp_store *st, int64_t resource, const lp_store_metric *m, size_t n);
int sq_metric_get(lp_store *st, int64_t resource, const char *split, const char *name,
                  double *value, bool *found);
int sq_metrics(lp_store *st, int64_t resource, lp_value **out);
/* The cache rows and a run's resumed_from (store_sqlite_cache.c). */
int sq_run_set_resumed_from(lp_store *st, const char *run_id, const char *from);
int sq_cache_put(lp_store *st, const lp_store_cache_entry *e, double created_at);
int sq_cache_get(lp_store *st, const char *key, const char *run_id, lp_value **out);

#endif
