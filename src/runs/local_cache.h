/*
 * local_cache.h — the run service's store of step results (SPEC §7): one row
 * per (key, run) in the metadata store's `cache` table holding the result's
 * encoded value (store/value_codec.h), a small JSON envelope whose frames and
 * models are objects of the object store — the one
 * LocalResourceVersionControl uses, so a frame both versioned and cached is
 * stored once. Used by the run service (run_hooks.c: every run records its
 * steps here, --resume reads them back) and by LocalCacheManager, which
 * serves its cache/retrieve methods from the same rows. Not public API;
 * reached by the tests through the internal library.
 *
 * Keys: cache_key.h. The switch that installs it all on a workflow is
 * public: lp_workflow_enable_runs (include/lolpop/runs.h).
 */
#ifndef LP_RUNS_LOCAL_CACHE_H
#define LP_RUNS_LOCAL_CACHE_H

#include "core/internal.h"
#include "lolpop/object.h"
#include "lolpop/registry.h"
#include "lolpop/value.h"

/* ---- the local cache ------------------------------------------------------------------ */

typedef struct lp_local_cache lp_local_cache;

/* Opens the cache over the metadata store at `store` (which must exist) and
 * the object store in `dir` (objects in dir/objects, created on first put).
 * Cached models load through the back-ends of reg (borrowed: it must outlive
 * the cache and the values it returns). *out is new (lp_local_cache_close). */
int lp_local_cache_open(lp_local_cache **out, const lp_registry *reg, const char *store,
                        const char *dir);
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

/* Which run recorded a result under `key`, without decoding it: the first of
 * `runs` (a list of run ids; NULL: the newest of any run) that has one. 0
 * with *run a new string, or 0 with *run NULL when none did. */
int lp_local_cache_recorded_by(lp_local_cache *c, const char *key, const lp_value *runs,
                               char **run);

/* The metadata store the cache uses (borrowed, lives as long as c). */
struct lp_store *lp_local_cache_store(lp_local_cache *c);

/* Where `from`'s workflow keeps things: the metadata store location and the
 * current run id, from the visible metadata_tracker's run_info(), and the
 * object store directory (the visible resource_version_control's `dir`,
 * else the store's directory). New strings. LP_ENOTFOUND when no
 * metadata_tracker with run_info is visible. */
int lp_local_cache_locate(const lp_obj *from, char **store, char **run, char **dir);

#endif
