/*
 * cache.h — result caching and resumed runs (SPEC §7): the local cache
 * (results in the metadata store and the object store), and the dispatcher
 * glue that reuses and records the results of a workflow's steps. Not public
 * API: hidden in liblolpop.so; the CLI and the tests link the internal library.
 *
 * The local cache keeps one row per (key, run) in the metadata store's
 * `cache` table holding the result's encoded value (store/value_codec.h): a
 * small JSON envelope whose frames and models are objects of the object
 * store — the one LocalResourceVersionControl uses, so a frame both
 * versioned and cached is stored once.
 *
 * What is cached (lp_cache_attach): calls of pipeline methods — the steps a
 * resumed run reuses — plus every "Class.method" listed in the `methods` of
 * the cache_manager visible from the runner (components the user knows are
 * pure, such as SQLDataTransformer.transform). Runner methods and the calls
 * of loggers, notifiers, trackers, test recorders and cache managers never
 * are: they orchestrate, record or report. Keys: cache_key.h.
 *
 * Every run records its steps' results, cache_manager or not, so that any
 * failed run can be resumed. Reuse happens
 *   - from any earlier run, when a cache_manager is visible from the runner
 *     and `enabled` (the default);
 *   - from the resumed run and the runs it resumed in turn, with --resume.
 * A reused result is logged "Class.method: reused (run R)" at INFO. A
 * result whose `path` (a report, say) no longer exists is not reused. A
 * cache_manager of another class (a plugin's) is asked through its
 * cache/retrieve methods as well. The hooks run on the thread that runs
 * the workflow.
 */
#ifndef LP_COMPONENTS_CACHE_H
#define LP_COMPONENTS_CACHE_H

#include "core/internal.h"
#include "lolpop/object.h"
#include "lolpop/value.h"
#include "lolpop/workflow.h"

/* ---- the local cache ------------------------------------------------------------------ */

typedef struct lp_local_cache lp_local_cache;

/* Opens the cache over the metadata store at `store` (which must exist) and
 * the object store in `dir` (objects in dir/objects, created on first put).
 * *out is new (lp_local_cache_close). */
int lp_local_cache_open(lp_local_cache **out, const char *store, const char *dir);
void lp_local_cache_close(lp_local_cache *c); /* accepts NULL */

/* Records `value` as the result under `key` (64 hex digits) computed by run
 * `run` (NULL outside a run) for cls.method. LP_EINVAL when the value cannot
 * be encoded (a foreign handle; the message names where). */
int lp_local_cache_put(lp_local_cache *c, const char *key, const lp_value *value, const char *run,
                       const char *cls, const char *method);

/* The result under `key`: from the first run of `runs` (a list of run ids)
 * that has one, or with runs NULL from the newest. 0 with *out a new
 * reference and *run a new string (the run that computed it; "" for none),
 * or 0 with *out NULL on a miss. A damaged entry (its objects missing,
 * corrupt or undecodable) returns the error, which callers report as a
 * warning and treat as a miss. */
int lp_local_cache_get(lp_local_cache *c, const char *key, const lp_value *runs, lp_value **out,
                       char **run);

/* The metadata store the cache uses (borrowed, lives as long as c). */
struct lp_store *lp_local_cache_store(lp_local_cache *c);

/* Where `from`'s workflow keeps things: the metadata store location and the
 * current run id, from the visible metadata_tracker's run_info(), and the
 * object store directory (the visible resource_version_control's `dir`,
 * else the store's directory). New strings. LP_ENOTFOUND when no
 * metadata_tracker with run_info is visible. */
int lp_local_cache_locate(const lp_obj *from, char **store, char **run, char **dir);

/* ---- the dispatcher glue ---------------------------------------------------------------- */

typedef struct lp_cache_session lp_cache_session;

/* Installs result caching on a built workflow (one call, after
 * lp_workflow_new). `resume` (may be NULL) is the run to resume: a full id,
 * an unambiguous prefix or "latest" (the newest run other than this one);
 * it must exist (LP_EUSAGE otherwise, with the message), and the current run
 * is recorded as resumed from it. *out owns the hooks' state: free it with
 * lp_cache_session_free after lp_workflow_free. A workflow without a
 * metadata_tracker that records runs gets no caching (0, *out set) unless
 * `resume` asks for it (LP_EUSAGE). */
int lp_cache_attach(lp_cache_session **out, lp_workflow *wf, const char *resume);
void lp_cache_session_free(lp_cache_session *s); /* accepts NULL */

#endif
