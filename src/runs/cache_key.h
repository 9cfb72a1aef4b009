/*
 * cache_key.h — the key under which a dispatched call's result is cached
 * (SPEC §7): equal keys mean the call would compute the same result.
 *
 * key = SHA-256 over "lolpop.cache.v1", the lolpop version, the class name,
 * the method name, the content hash of the arguments and the hash of the
 * called object's effective configuration.
 *
 * Content hash of a value (lp_cache_value_hash): canonical and independent of
 * how the value was built — map keys sorted (case-insensitively, as maps
 * compare them), ints and integral floats alike (3 and 3.0 are the same
 * setting, as lp_value_equal says), every NaN the same; a frame or model by
 * its handle type's content hash (frames: lp_frame_hash; models: the SHA-256
 * of their saved bytes); a resource is a map and hashes as one. A string that
 * names an existing regular file (relative to the working directory, where
 * components open them) also contributes the SHA-256 of the file's content:
 * new data in data/train.csv, or an edited sql_file, changes the key though
 * the path does not. A handle without a content hash makes the call
 * uncacheable (LP_EINVAL).
 *
 * Effective configuration of the called object O (lp_cache_config_hash):
 *   - the class name and own `config` section of each ancestor of O, root
 *     first (what O inherits through lookups);
 *   - the path, class name and own `config` section of every integration O
 *     can reach: O and its subtree, and the components declared by its
 *     ancestors (visible to it, SPEC §2.1) with their subtrees — but not
 *     sibling pipelines, nor loggers, notifiers, metadata and metrics
 *     trackers, test recorders and cache managers: they record and report,
 *     they never change a result (and the trackers' store file changes on
 *     every run, so hashing it would make every key new).
 * Changing the trainer's training_params thus changes the keys of the train
 * pipeline's calls, not the process pipeline's. Left out, because they do
 * not change results: `log_level` anywhere, any key in the keyer's `ignore`
 * list, and — in the runner's own config only — the runner's data locations
 * train_data, eval_data, prediction_data and ground_truth_data: the runner
 * reads them and hands each step what it needs as an argument (a path to
 * transform_data, a target to save_predictions), where it is in that step's
 * key, so fixing a bad prediction_data does not re-run training.
 *
 * Ownership: the keyer is owned by its creator (lp_cache_keyer_free); every
 * argument is borrowed. A keyer memoises file hashes by path, device, inode,
 * size and modification and change times, and the hashes of frames and
 * models (immutable once shared) by pointer, holding a reference to each
 * until it is freed: a step's frame is hashed once however many steps get
 * it. One keyer per workflow run, used by one thread at a time.
 */
#ifndef LP_RUNS_CACHE_KEY_H
#define LP_RUNS_CACHE_KEY_H

#include <stdbool.h>
#include <stdint.h>

#include "core/internal.h"
#include "lolpop/object.h"
#include "lolpop/value.h"

typedef struct lp_cache_keyer lp_cache_keyer;

/* A new keyer. `ignore` (borrowed; a list of key names, or NULL) adds config
 * keys to leave out of every section. NULL on OOM (last error set). */
lp_cache_keyer *lp_cache_keyer_new(const lp_value *ignore);
void lp_cache_keyer_free(lp_cache_keyer *k);

/* The key of calling obj.method(args) as 64 hex digits + NUL. `k` may be
 * NULL (no memo, no extra ignored keys). 0, LP_EINVAL when an argument
 * cannot be hashed (the message names it), LP_ENOMEM. */
int lp_cache_key(lp_cache_keyer *k, const lp_obj *obj, const char *method, const lp_value *args,
                 char out[65]);

/* The canonical content hash of a value (see above). */
int lp_cache_value_hash(lp_cache_keyer *k, const lp_value *v, uint8_t out[32]);

/* Whether components of this type record, report or cache and never change a
 * result (logger, notifier, metadata_tracker, metrics_tracker, test_recorder,
 * cache_manager): their calls are never cached and their sections are not
 * part of anyone's effective configuration. */
bool lp_cache_type_is_bystander(const char *type);

/* The hash of obj's effective configuration (see above). */
int lp_cache_config_hash(lp_cache_keyer *k, const lp_obj *obj, uint8_t out[32]);

#endif
