/*
 * store.h — the metadata store (SPEC §7): runs, resources, tags, artifacts,
 * version-control info, reports, lineage, metrics and call timings.
 *
 * One interface for every caller (the trackers, `lolpop runs`, tests); the
 * back-end is chosen by the location given to lp_store_open and reached
 * through its ops table (store_backend.h), so another back-end (PostgreSQL,
 * "postgresql://...") adds a file without touching callers. Not an installed
 * header: hidden in liblolpop.so; the CLI and the tests link the internal library.
 *
 * Conventions:
 * - Every function returns 0 or a negative LP_E* code with the last error set,
 *   naming the store, what was being done and the back-end's message.
 * - Look-ups that may find nothing return 0 and set *out to NULL (no error).
 * - Values handed out through `lp_value **out` are new references (the caller
 *   unrefs); every pointer argument is borrowed.
 * - Each write is one transaction: it lands completely or not at all, also
 *   when several processes write to one store at the same time.
 * - A store handle is used by one thread at a time.
 *
 * Resources are maps as docs/ml-workflow.md describes: id (int), type, name,
 * version (int; absent for roots), parent (int; absent for roots), run
 * (absent when created outside a run), uri.
 */
#ifndef LP_STORE_H
#define LP_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/internal.h"
#include "lolpop/value.h"

typedef struct lp_store lp_store;

/* The store a workflow uses when none is configured (relative to the working directory). */
#define LP_STORE_DEFAULT_PATH ".lolpop/lolpop.db"
/* "20261127-204113-3fa2c1": UTC date and time, then 6 random hex digits. */
#define LP_STORE_RUN_ID_LEN 22

enum lp_store_flags {
    LP_STORE_CREATE = 1 << 0,  /* create the store (and its directory) when missing */
    LP_STORE_READONLY = 1 << 1 /* read only: no migration, no recovery, no writes */
};

/* ---- opening --------------------------------------------------------------------- */

/* Opens the store at `location` (a file path, "sqlite:PATH", or a
 * "postgresql://" URL). Read-write opens bring the schema up to date and mark
 * every run left `running` by a process that is gone as `failed`. A store
 * written by a newer lolpop is refused (LP_ECONFIG); a missing store without
 * LP_STORE_CREATE is LP_ENOTFOUND. *out is a new handle (lp_store_close). */
int lp_store_open(lp_store **out, const char *location, int flags);
/* Closes the handle; a run begun through it and not ended is marked failed.
 * Accepts NULL. */
void lp_store_close(lp_store *st);
/* The location as given to lp_store_open (borrowed). */
const char *lp_store_location(const lp_store *st);

/* ---- runs --------------------------------------------------------------------------- */

/* Begins a run: a new id, status `running`, the runner class, the resolved
 * configuration (JSON text, may be NULL), the git commit of the working
 * directory, this process's pid and host. The run's lock is taken before its
 * row exists and held until lp_store_run_end or lp_store_close, so a run whose
 * process died is told apart from a live one. One run at a time per handle.
 * *run_id is a new string (caller frees). */
int lp_store_run_begin(lp_store *st, const char *runner, const char *config_json, char **run_id);
/* Records the runner method the run called (the first call wins). */
int lp_store_run_method(lp_store *st, const char *run_id, const char *method);
/* Ends a run: `succeeded`, or `failed` with `error` (may be NULL). Releases the lock. */
int lp_store_run_end(lp_store *st, const char *run_id, bool ok, const char *error);

/* A run reference: a full id, a prefix matching exactly one id, or "latest".
 * *run_id is a new string. LP_ENOTFOUND when nothing matches, LP_EINVAL when a
 * prefix is ambiguous (the message lists the candidates). */
int lp_store_run_resolve(lp_store *st, const char *ref, char **run_id);
/* The run as a map: id, status, runner, method, config (parsed, or null),
 * git_commit, pid, host, started_at, ended_at (unix seconds, float; ended_at
 * null while running), error. *out NULL when absent. */
int lp_store_run_get(lp_store *st, const char *run_id, lp_value **out);
/* Runs newest first, at most `limit` (0: all), as lp_store_run_get maps
 * without `config`. *out is a list. */
int lp_store_runs_list(lp_store *st, size_t limit, lp_value **out);
/* The resources created by the run, oldest first (a list of resource maps). */
int lp_store_run_resources(lp_store *st, const char *run_id, lp_value **out);

/* ---- timings ------------------------------------------------------------------------ */

typedef struct lp_store_timing {
    const char *path;   /* object path in the workflow ("" for the root) */
    const char *cls;    /* class name */
    const char *method; /* method name */
    double seconds;     /* wall time */
    bool ok;            /* the call succeeded */
} lp_store_timing;

/* Appends n timings to the run, in order, in one transaction. */
int lp_store_timings_add(lp_store *st, const char *run_id, const lp_store_timing *t, size_t n);
/* The run's timings summed per (path, class, method), largest total first, at
 * most `limit` (0: all): a list of maps path, class, method, calls, seconds,
 * failed. */
int lp_store_run_timings(lp_store *st, const char *run_id, size_t limit, lp_value **out);

/* ---- resources ---------------------------------------------------------------------- */

/* Root types (`dataset`, `model`: parent 0) are got or created by (type,
 * name). Other types need an existing parent and always make a new row,
 * numbered 1 + the highest version among the parent's children of that type;
 * their name is the parent's (`name` is ignored). `run_id` may be NULL.
 * *out is the resource map. */
int lp_store_resource_create(lp_store *st, const char *type, const char *name, int64_t parent,
                             const char *run_id, lp_value **out);
/* Every root resource of `type` (dataset, model), by name: a list. */
int lp_store_resource_roots(lp_store *st, const char *type, lp_value **out);
/* By row id. */
int lp_store_resource_get(lp_store *st, int64_t id, lp_value **out);
/* A root resource by type and name. */
int lp_store_resource_find(lp_store *st, const char *type, const char *name, lp_value **out);
/* The existing root resource name of `type` closest to `name` (a plausible
 * typo, see lp_suggest) as a new string, or NULL (none close, or an error). */
char *lp_store_resource_suggest(lp_store *st, const char *type, const char *name);
/* By uri ("model/titanic/v2/experiment/4"). */
int lp_store_resource_by_uri(lp_store *st, const char *uri, lp_value **out);
/* The parent's children of `type` (NULL: all types), by type then version: a list. */
int lp_store_resource_children(lp_store *st, int64_t parent, const char *type, lp_value **out);
/* The parent's newest child of `type`. */
int lp_store_resource_latest(lp_store *st, int64_t parent, const char *type, lp_value **out);
/* The newest child of `type` whose tag `key` holds `value` (compared as JSON). */
int lp_store_resource_latest_tagged(lp_store *st, int64_t parent, const char *type, const char *key,
                                    const lp_value *value, lp_value **out);
/* The sibling of the same type with the highest version below this one's. */
int lp_store_resource_previous(lp_store *st, int64_t id, lp_value **out);

/* ---- tags, artifacts, version-control info ------------------------------------------ */

/* Sets tag `key` of the resource to `value` (any JSON-able value; a handle is
 * stored as its one-line description), replacing an older value. */
int lp_store_tag_set(lp_store *st, int64_t resource, const char *key, const lp_value *value,
                     const char *run_id);
/* The same, and in the same transaction sets `key` to false on every sibling
 * (same parent and type) where it holds true: `winner` has one holder. */
int lp_store_tag_set_exclusive(lp_store *st, int64_t resource, const char *key,
                               const lp_value *value, const char *run_id);
/* The tag's value, or *out NULL when unset. */
int lp_store_tag_get(lp_store *st, int64_t resource, const char *key, lp_value **out);
/* Every tag of the resource: a map key -> value, by key. */
int lp_store_tags(lp_store *st, int64_t resource, lp_value **out);

/* Attaches a file (replacing an artifact of the same name). */
int lp_store_artifact_add(lp_store *st, int64_t resource, const char *name, const char *path,
                          const char *run_id);
/* The same, with the SHA-256 name of the file's copy in the object store
 * (`object`, may be NULL when it was not stored). */
int lp_store_artifact_record(lp_store *st, int64_t resource, const char *name, const char *path,
                             const char *object, const char *run_id);
/* A map name -> path. */
int lp_store_artifacts(lp_store *st, int64_t resource, lp_value **out);
/* The artifacts as a list of maps name, path, object (object absent when not stored), by name. */
int lp_store_artifact_list(lp_store *st, int64_t resource, lp_value **out);

/* Stores version-control info (a map) under `key`, replacing an older one. */
int lp_store_vc_info_set(lp_store *st, int64_t resource, const char *key, const lp_value *info,
                         const char *run_id);
/* The info under `key`, or *out NULL. */
int lp_store_vc_info_get(lp_store *st, int64_t resource, const char *key, lp_value **out);
/* Every key's info: a map key -> info. */
int lp_store_vc_infos(lp_store *st, int64_t resource, lp_value **out);

/* ---- reports, lineage, metrics ------------------------------------------------------- */

/* Records a report: kind `profile`, `checks` or `comparison`; path, class and
 * status (PASS/WARN/ERROR) may be NULL; `report` may be NULL. */
int lp_store_report_add(lp_store *st, int64_t resource, const char *kind, const char *path,
                        const char *cls, const lp_value *report, const char *status,
                        const char *run_id);

/* A report with its files' copies in the object store (all fields borrowed). */
typedef struct lp_store_report {
    const char *kind;        /* profile, checks or comparison */
    const char *path;        /* the HTML (or other) file, or NULL */
    const char *cls;         /* the class that made it, or NULL */
    const lp_value *report;  /* its value, or NULL */
    const char *status;      /* PASS, WARN, ERROR or NULL */
    const char *object;      /* SHA-256 name of the file's content in the object store, or NULL */
    const char *json_object; /* the same for its JSON twin, or NULL */
} lp_store_report;

/* Records a report as lp_store_report_add does, with its object names. */
int lp_store_report_record(lp_store *st, int64_t resource, const lp_store_report *r,
                           const char *run_id);
/* Reports of the resource, oldest first: maps kind, path, class, status,
 * report, object, json_object (absent keys: not recorded). */
int lp_store_reports(lp_store *st, int64_t resource, lp_value **out);

/* Records the edge from -> to (e.g. dataset version -> model version, kind
 * "trained_on"); recording it again changes nothing. */
int lp_store_lineage_add(lp_store *st, int64_t from, int64_t to, const char *kind,
                         const char *run_id);
/* The edges touching the resource: maps from, to, kind, from_uri, to_uri. */
int lp_store_lineage(lp_store *st, int64_t resource, lp_value **out);

typedef struct lp_store_metric {
    const char *split; /* "" when none ("train", "valid", "test", "prediction", ...) */
    const char *name;
    double value; /* NaN is stored as a missing value */
} lp_store_metric;

/* Sets n metrics of the resource in one transaction (replacing older values). */
int lp_store_metrics_set(lp_store *st, int64_t resource, const lp_store_metric *m, size_t n);
/* One metric: *found false when absent (then *value is NaN). */
int lp_store_metric_get(lp_store *st, int64_t resource, const char *split, const char *name,
                        double *value, bool *found);
/* Every metric: a map split -> name -> float, splits and names sorted. */
int lp_store_metrics(lp_store *st, int64_t resource, lp_value **out);

/* ---- resumed runs and the result cache (SPEC §7) --------------------------------------- */

/* Records that run_id resumes run `from` (`lolpop run workflow --resume`):
 * lp_store_run_get then has `resumed_from`. LP_ENOTFOUND when run_id is not in the store. */
int lp_store_run_set_resumed_from(lp_store *st, const char *run_id, const char *from);

typedef struct lp_store_cache_entry {
    const char *key; /* lp_cache_key's 64 hex digits */
    const char *run; /* the run that computed the value; NULL or "" outside a run */
    const char *cls; /* class and method of the call, for people reading the store */
    const char *method;
    const char *value; /* the encoded result (store/value_codec.h: JSON text) */
} lp_store_cache_entry;

/* Records a cached result (replacing the row of the same key and run). The
 * value is kept as it is given; frames and models it names live elsewhere. */
int lp_store_cache_put(lp_store *st, const lp_store_cache_entry *e);
/* The entry for key as a map {key, run, class, method, value, created_at}:
 * with `runs` NULL the newest of any run; else the first run of the list (of
 * run id strings) that has one. *out NULL when none. */
int lp_store_cache_get(lp_store *st, const char *key, const lp_value *runs, lp_value **out);

/* ---- deployments: one model at a time (store_deploy.c) ---------------------------------- */

/* Blocks (up to `timeout_s` seconds) until this process holds the deploy
 * lock of model `name` in this store: the compare-and-deploy decision and the
 * switch of alias, deployed_version and the bundle's `current` happen under
 * it, so concurrent workflows and `lolpop models` take turns per model. A
 * kernel lock (flock of <store dir>/locks/model-<name>.lock): it dies with
 * its process, however that dies. *lock is a token for lp_store_model_unlock.
 * LP_EIO when the timeout passes (the message names the holder's pid). */
int lp_store_model_lock(lp_store *st, const char *name, double timeout_s, int *lock);
/* Releases a lock taken by lp_store_model_lock. Accepts a token < 0. */
void lp_store_model_unlock(lp_store *st, int lock);

/* One switch of what a model serves. */
typedef struct lp_store_deploy {
    int64_t model_version; /* the version now deployed (row id) */
    const char *alias;     /* the alias that moves with it, NULL for "production" */
    const char *path;      /* the bundle directory */
    const char *action;    /* what made the switch: "deploy", "promote", "rollback" */
    const char *who;       /* user@host; NULL: this process's user and host */
    const char *run_id;    /* the run deploying, or NULL outside a run */
} lp_store_deploy;

/* Records a deployment in ONE transaction: a new `deployment` resource under
 * the version with tags path, action, alias, who, at (unix seconds) and
 * previous (the version id deployed before, or null), and on the model the
 * tags alias.<alias> and deployed_version = the version. Readers never see
 * one without the other. *out is the deployment resource map (new ref). */
int lp_store_deploy_record(lp_store *st, const lp_store_deploy *d, lp_value **out);
/* "user@host" of this process (new string). */
char *lp_store_who(void);

/* ---- helpers (backend-neutral; store.c) ----------------------------------------------- */

/* Whether resources of `type` are roots (dataset, model): no parent, got or created by name. */
bool lp_store_type_is_root(const char *type);
/* A new run id into buf (LP_STORE_RUN_ID_LEN + 1 bytes): UTC now + 6 random hex. */
int lp_store_new_run_id(char *buf, size_t size);
/* The commit checked out in the git work tree containing `dir` (walking up;
 * `.git` a directory or a "gitdir:" file; HEAD resolved through loose refs and
 * packed-refs; no git process). New string, or NULL when not in a repository
 * or unresolvable (no error set). */
char *lp_store_git_commit(const char *dir);

enum lp_store_json_flags {
    LP_STORE_JSON_HIDE_ENV = 1 << 0 /* values read from the environment become "***" */
};
/* v as compact JSON (new string; NaN and infinities become null, handles their
 * description), or NULL on OOM with the last error set. */
char *lp_store_value_json(const lp_value *v, int flags);
/* Parses JSON text into a new value. LP_EINVAL for bad JSON. */
int lp_store_json_value(const char *text, lp_value **out);

#endif
