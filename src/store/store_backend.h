/*
 * store_backend.h — what a metadata-store back-end implements: the ops table
 * behind store.h. Not for callers (they use store.h only).
 *
 * store.c checks arguments, makes run ids, reads the git commit, pid and host,
 * and turns values into JSON text; a back-end stores and reads rows. Values
 * arrive as JSON text (NULL for none) and leave as lp_values. A back-end
 * embeds `struct lp_store` as its first member.
 */
#ifndef LP_STORE_BACKEND_H
#define LP_STORE_BACKEND_H

#include "store/store.h"

typedef struct lp_store_ops lp_store_ops;

struct lp_store {
    const lp_store_ops *ops;
    char *location;   /* as given to lp_store_open (owned) */
    int flags;        /* lp_store_flags */
    char *active_run; /* the run begun through this handle and not ended yet (owned), or NULL */
};

/* Everything a run row holds when it begins. */
typedef struct lp_store_run_row {
    const char *id, *runner, *config, *git_commit, *host;
    int64_t pid;
    double started_at;
} lp_store_run_row;

/* The same semantics as the store.h function of the same name unless said. */
struct lp_store_ops {
    const char *name; /* "sqlite" */
    void (*close)(lp_store *st);

    /* Takes the run's lock, then inserts the row (LP_EEXISTS when the id is taken). */
    int (*run_begin)(lp_store *st, const lp_store_run_row *row);
    int (*run_method)(lp_store *st, const char *run_id, const char *method);
    /* Updates a `running` row; status "succeeded" or "failed". */
    int (*run_end)(lp_store *st, const char *run_id, const char *status, const char *error,
                   double ended_at);
    /* Up to `max` ids starting with `prefix` ("" for all), newest first: a list of strings. */
    int (*run_ids)(lp_store *st, const char *prefix, size_t max, lp_value **out);
    int (*run_get)(lp_store *st, const char *run_id, bool with_config, lp_value **out);
    int (*runs_list)(lp_store *st, size_t limit, lp_value **out);
    int (*run_resources)(lp_store *st, const char *run_id, lp_value **out);
    int (*timings_add)(lp_store *st, const char *run_id, const lp_store_timing *t, size_t n);
    int (*run_timings)(lp_store *st, const char *run_id, size_t limit, lp_value **out);

    int (*resource_create)(lp_store *st, const char *type, const char *name, int64_t parent,
                           const char *run_id, lp_value **out);
    int (*resource_get)(lp_store *st, int64_t id, lp_value **out);
    int (*resource_find)(lp_store *st, const char *type, const char *name, lp_value **out);
    int (*resource_by_uri)(lp_store *st, const char *uri, lp_value **out);
    int (*resource_children)(lp_store *st, int64_t parent, const char *type, lp_value **out);
    int (*resource_latest)(lp_store *st, int64_t parent, const char *type, lp_value **out);
    int (*resource_latest_tagged)(lp_store *st, int64_t parent, const char *type, const char *key,
                                  const char *json, lp_value **out);
    int (*resource_previous)(lp_store *st, int64_t id, lp_value **out);

    /* exclusive: also sets "false" on siblings whose tag is "true" (one transaction). */
    int (*tag_set)(lp_store *st, int64_t resource, const char *key, const char *json,
                   const char *run_id, bool exclusive);
    int (*tag_get)(lp_store *st, int64_t resource, const char *key, lp_value **out);
    int (*tags)(lp_store *st, int64_t resource, lp_value **out);
    int (*artifact_add)(lp_store *st, int64_t resource, const char *name, const char *path,
                        const char *object, const char *run_id);
    int (*artifacts)(lp_store *st, int64_t resource, lp_value **out);
    int (*artifact_list)(lp_store *st, int64_t resource, lp_value **out);
    int (*vc_info_set)(lp_store *st, int64_t resource, const char *key, const char *json,
                       const char *run_id);
    int (*vc_info_get)(lp_store *st, int64_t resource, const char *key, lp_value **out);
    int (*vc_infos)(lp_store *st, int64_t resource, lp_value **out);
    /* r->report arrives as JSON text in `json` (NULL for none). */
    int (*report_add)(lp_store *st, int64_t resource, const lp_store_report *r, const char *json,
                      const char *run_id);
    int (*reports)(lp_store *st, int64_t resource, lp_value **out);
    int (*lineage_add)(lp_store *st, int64_t from, int64_t to, const char *kind,
                       const char *run_id);
    int (*lineage)(lp_store *st, int64_t resource, lp_value **out);
    int (*metrics_set)(lp_store *st, int64_t resource, const lp_store_metric *m, size_t n);
    int (*metric_get)(lp_store *st, int64_t resource, const char *split, const char *name,
                      double *value, bool *found);
    int (*metrics)(lp_store *st, int64_t resource, lp_value **out);

    int (*run_set_resumed_from)(lp_store *st, const char *run_id, const char *from);
    /* Inserts or replaces the row (key, run); created_at from store.c. */
    int (*cache_put)(lp_store *st, const lp_store_cache_entry *e, double created_at);
    /* The row (key, run_id), or with run_id NULL the newest row of key; *out NULL when none. */
    int (*cache_get)(lp_store *st, const char *key, const char *run_id, lp_value **out);

    /* Blocks until the handle holds model `name`'s deploy lock; *lock a token. */
    int (*resource_roots)(lp_store *st, const char *type, lp_value **out);
    int (*model_lock)(lp_store *st, const char *name, double timeout_s, int *lock);
    void (*model_unlock)(lp_store *st, int lock);
    /* lp_store_deploy_record; d->who and d->alias filled in by store_deploy.c. */
    int (*deploy_record)(lp_store *st, const lp_store_deploy *d, double at, lp_value **out);
};

/* The SQLite back-end (store_sqlite.c): opens the file `path` with
 * lp_store_open's semantics; `location` (copied) names the store in messages.
 * The back-end's close frees everything, `location` and `active_run` too. */
int lp_store_sqlite_open(lp_store **out, const char *location, const char *path, int flags);

/* ---- shared by back-ends (store.c) ---------------------------------------------------- */

/* Seconds since the epoch (UTC wall clock). */
double lp_store_now(void);

/* ---- run locks (store_lock.c): flock'ed files <dir>/runs/<run id>.lock ----------------- */

/* Creates <dir>/runs when needed, creates and locks the run's lock file.
 * Returns the locked descriptor (>= 0) or a negative LP_E* with the last error set. */
int lp_store_lock_take(const char *dir, const char *run_id);
/* Removes the lock file and closes fd (releasing the lock). Accepts fd < 0. */
void lp_store_lock_release(const char *dir, const char *run_id, int fd);
/* Whether the run's owner is gone: its lock file is missing or not locked by anyone. */
bool lp_store_lock_is_stale(const char *dir, const char *run_id);

/* ---- model deploy locks (store_lock.c): flock'ed <dir>/locks/model-<name>.lock ----------- */

/* Blocks up to timeout_s seconds for the model's lock; the locked descriptor
 * (>= 0) or a negative LP_E* (LP_EIO on timeout, naming the holder's pid). */
int lp_store_model_lock_take(const char *dir, const char *location, const char *name,
                             double timeout_s);
/* Closes the descriptor (releasing the lock; the file stays). Accepts fd < 0. */
void lp_store_model_lock_release(int fd);

#endif
