/*
 * kit.h — the author's kit: the helpers lolpop's own components, pipelines
 * and runners are written with, public for plugins (docs/plugins.md, "The
 * kit"). Everything here goes through the public API underneath (the
 * dispatcher, the visible components); nothing needs an internal header.
 *
 *   - arguments: named method arguments with clear errors (lp_kit_arg*);
 *   - results: maps built from (key, value) pairs, frames as values, the null
 *     result of a skipped step, `return lp_kit_fail(...)`;
 *   - errors located at a configuration value (file:line:col);
 *   - configuration: strings, string lists, the workflow's task;
 *   - the visible components: tagging through the metadata_tracker, loading
 *     through the data_connector;
 *   - experiments: fit, predictions, metrics and their tracking, as the
 *     OfflineTrain pipeline and the hyperparameter tuners run them;
 *   - the string builder (lolpop/strbuf.h);
 *   - model trainers: the back-end vtable and the common trainer methods
 *     (lolpop/trainer_kit.h), and saved feature-transformer state applied
 *     without its component (lolpop/feature_state.h).
 *
 * Ownership, unless a declaration says otherwise: lp_value / lp_frame
 * arguments are borrowed; "new reference" results are the caller's to
 * release; "borrowed" results point into an argument and live as long as it.
 * Failures set the thread's last error (lolpop/error.h).
 */
#ifndef LOLPOP_KIT_H
#define LOLPOP_KIT_H

#include <stdbool.h>
#include <stdint.h>

#include "lolpop/diag.h"
#include "lolpop/error.h"
#include "lolpop/feature_state.h"
#include "lolpop/frame.h"
#include "lolpop/metrics.h"
#include "lolpop/model.h"
#include "lolpop/object.h"
#include "lolpop/strbuf.h"
#include "lolpop/trainer_kit.h"
#include "lolpop/value.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- arguments --------------------------------------------------------------------------
 * `who` names the method in messages ("MyClass.method"); NULL leaves it out
 * (the dispatcher's context already names the method being called). */

/* Argument `name` (borrowed; a null value counts as given), or NULL with
 * LP_EINVAL "who: argument 'name' is missing". */
lp_value *lp_kit_arg(const lp_value *args, const char *name, const char *who);

/* Argument `name` when given and not null (borrowed), else NULL with LP_EINVAL
 * "who: argument 'name' is missing". */
lp_value *lp_kit_arg_nonnull(const lp_value *args, const char *name, const char *who);

/* Argument `name` (borrowed), or NULL when it is absent or null; no error
 * (optional arguments). */
lp_value *lp_kit_arg_opt(const lp_value *args, const char *name);

/* The frame in argument `name` (borrowed), or NULL with LP_EINVAL
 * "who: argument 'name' must be a data frame, got TYPE" ("got nothing" when absent). */
lp_frame *lp_kit_arg_frame(const lp_value *args, const char *name, const char *who);

/* The string in argument `name` (borrowed), or NULL with LP_EINVAL (as lp_kit_arg_frame). */
const char *lp_kit_arg_string(const lp_value *args, const char *name, const char *who);

/* The map in argument `name` (borrowed), or NULL with LP_EINVAL (as lp_kit_arg_frame). */
lp_value *lp_kit_arg_map(const lp_value *args, const char *name, const char *who);

/* The model in argument `name` (borrowed), or NULL with LP_EINVAL (as lp_kit_arg_frame). */
lp_model *lp_kit_arg_model(const lp_value *args, const char *name, const char *who);

/* ---- results ----------------------------------------------------------------------------- */

/* The map {k1: v1, k2: v2, ...} from NULL-terminated (key, value) pairs:
 * lp_kit_result("rows", lp_value_int(n), "path", lp_value_string(p), NULL).
 * Takes ownership of every value (a NULL value becomes null). New reference,
 * or NULL with LP_ENOMEM. */
lp_value *lp_kit_result(const char *key, ...);

/* A frame value that takes over the caller's reference to f. NULL when f is
 * NULL (the error that made it NULL is kept) or with LP_ENOMEM. */
lp_value *lp_kit_frame(lp_frame *f);

/* The frames of one kind in a data splitter's result (prefix "X_" or "y_":
 * its train, valid and test frames, those present, in that order) stacked
 * into one, the data a refit on everything trains on. 0 with a new frame in
 * *out, or with *out NULL when splits hold none of that kind; an error code
 * (the last error set) when stacking fails. */
int lp_kit_stack_splits(lp_frame **out, const lp_value *splits, const char *prefix);

/* The result of a step whose slot is empty: logs "<step>: skipped, no <slot>
 * configured" at INFO from self and returns a new null value. */
lp_value *lp_kit_skip(lp_obj *self, const char *step, const char *slot);

/* Sets the last error (code, printf message) and returns NULL, so that a
 * method can `return lp_kit_fail(LP_EINVAL, "...", ...);`. */
lp_value *lp_kit_fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- located errors ---------------------------------------------------------------------- */

/* Sets the last error at the file position of configuration value v
 * (file:line:col before the message) when v came from a file, else without a
 * position (v may be NULL). Returns code. */
int lp_kit_error_at(int code, const lp_value *v, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The same at origin o (a map key's position, lp_map_key_origin); without a
 * position when o is NULL or not in a file. Returns code. */
int lp_kit_error_at_origin(int code, const lp_origin *o, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- configuration checks (LP_METHOD_CHECK_CONFIG, lolpop/class.h) ------------------------- */

/* Appends a problem of severity sev (LP_SEV_ERROR / LP_SEV_WARNING) to
 * `problems`, the list a check_config method returns; it is reported at the
 * file position of configuration value `at` (may be NULL: the object's
 * declaration). 0 or LP_ENOMEM. */
int lp_kit_check_add(lp_value *problems, int sev, const lp_value *at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Appends the thread's last error (message and position) to `problems` as an
 * error and clears it. 0 or LP_ENOMEM. */
int lp_kit_check_add_error(lp_value *problems);

/* A model name must name one store entry and one bundle directory: non-empty,
 * no NUL byte, '/' or '\\', not starting with '.'. 0, or LP_ECONFIG located at
 * the value (`who` starts the message). */
int lp_kit_check_model_name(const lp_value *name, const char *who);

/* ---- configuration ------------------------------------------------------------------------ */

/* Config `key` looked up from self as a new string (caller frees), or a copy
 * of dflt (which may be NULL) when unset; NULL with LP_ENOMEM. */
char *lp_kit_config_string(const lp_obj *self, const char *key, const char *dflt);

/* Config `key` looked up from self as a list of strings (a single string
 * counts as a one-item list): new list value, empty when unset. NULL with
 * LP_ECONFIG, located, when the value is of another type. */
lp_value *lp_kit_config_strings(lp_obj *self, const char *key);

/* The workflow's task from config `problem_type` looked up from self:
 * regression when it says so, else classification (the default). */
lp_metric_task lp_kit_task(lp_obj *self);

/* ---- the visible components ------------------------------------------------------------- */

/* Sets tag key=val on resource through the metadata_tracker visible from
 * self; takes ownership of val (NULL, a value that could not be made: LP_ENOMEM).
 * 0 (doing nothing) when there is no tracker or resource is NULL or null,
 * else the tracker's result. */
int lp_kit_tag(lp_obj *self, lp_value *resource, const char *key, lp_value *val);

/* The data at `path` through the data_connector visible from self, else read
 * as a CSV file. New reference, or NULL with the error set. */
lp_value *lp_kit_load(lp_obj *self, const char *path);

/* The id of a resource (a map with an integer `id`, or an integer), or -1. */
int64_t lp_kit_resource_id(const lp_value *resource);

/* ---- experiments ---------------------------------------------------------------------------
 * An experiment (docs/ml-workflow.md) is: a new `experiment` resource under
 * the model version (through the metadata_tracker visible from `caller`),
 * tags `trainer` and `params`, the trainer's fit(splits, params), predictions
 * of every split present (X_train, X_valid, X_test: "prediction" plus the
 * class probabilities), the trainer's calculate_metrics over them, metrics
 * logged with the visible metrics_tracker (when there is one), and the model
 * versioned with the visible resource_version_control (when there is one)
 * and registered with register_vc_resource(experiment, vc_info, "model").
 * Every component is reached through the dispatcher, so a plugin trainer
 * takes part like a built-in one.
 *
 * Metric names come from config `metrics` (a list or one name) and the
 * deciding one from `perf_metric`, looked up from `caller`; the defaults
 * depend on config `problem_type` (docs/ml-workflow.md). perf_metric must be
 * one of metrics (LP_ECONFIG naming both, with the config origin).
 *
 * The tag `params` (and lp_experiment.params) describes the fit: the
 * trainer's own config keys (its class's config_keys, other than
 * training_params and problem_type) set in its own config section, then its
 * training_params, then `params` set over them key by key. Predictions of a
 * model without probabilities (a linear SVM) carry labels only; metrics that
 * need probabilities are then left out with a warning, as is any metric that
 * cannot be computed on a split (rocauc on a split with one class). */

typedef struct lp_experiment {
    lp_value *resource; /* the experiment resource map (or NULL without a tracker) */
    lp_value *model;    /* the fitted model value */
    lp_value *metrics;  /* map split ("train", "valid", "test") -> metric name -> float */
    lp_value *params;   /* the parameters recorded (map) */
    double score;       /* perf_metric on the validation split (train when there is none) */
    bool has_score;     /* false when the metric could not be computed */
    bool pruned;        /* the gate of lp_experiment_run_gated stopped it */
} lp_experiment;

/* Asked after the metrics are known, before the model is versioned: true
 * prunes the experiment (tag `pruned`, no model stored; it cannot win). */
typedef bool (*lp_experiment_gate)(void *ud, const lp_experiment *e);

/* The metric names and the deciding metric for `caller` (config metrics,
 * perf_metric, problem_type), checked: *names a new list, *perf a new string
 * value, *maximize the metric's direction. 0 or LP_ECONFIG. */
int lp_experiment_metrics(lp_obj *caller, lp_value **names, lp_value **perf, bool *maximize);

/* Runs one experiment of `trainer` with `params` (a map, or NULL for the
 * trainer's own training_params) on `splits` under `model_version` (a
 * resource map, or NULL to skip tracking). Fills *out (zero it first); its
 * values are owned by *out until lp_experiment_clear. 0 or an error code
 * with the last error set; *out is left cleared on failure. */
int lp_experiment_run(lp_experiment *out, lp_obj *caller, lp_obj *trainer, lp_value *splits,
                      lp_value *model_version, lp_value *params);

/* lp_experiment_run with a pruning gate (NULL: never prune); ud is passed to it. */
int lp_experiment_run_gated(lp_experiment *out, lp_obj *caller, lp_obj *trainer, lp_value *splits,
                            lp_value *model_version, lp_value *params, lp_experiment_gate gate,
                            void *ud);

/* lp_experiment_run_gated that also hands over the predictions the metrics were computed
 * from: *predictions (may be NULL: not wanted) gets a new map split ("train", "valid",
 * "test") -> frame, one row per row of that X_<split> in its order, with `prediction` and,
 * when the model gives them, probability_<label> per class (what the trainer's predict and
 * predict_proba returned). A later analysis of the same model on the same split frames
 * (OfflineTrain's analyze_model) can use them instead of scoring again. *predictions is
 * NULL on failure. Added after lp_experiment_run_gated; the lp_experiment struct is
 * unchanged. */
int lp_experiment_run_predicting(lp_experiment *out, lp_value **predictions, lp_obj *caller,
                                 lp_obj *trainer, lp_value *splits, lp_value *model_version,
                                 lp_value *params, lp_experiment_gate gate, void *ud);

/* Tags `experiment` (borrowed) as the winner, clearing the tag on the earlier
 * winner under the same model version. 0 without a metadata_tracker. */
int lp_experiment_mark_winner(lp_obj *caller, lp_value *experiment);

/* The model_trainer of class `cls` for `caller` (borrowed): its own child of
 * type model_trainer first, then those of its enclosing sections, nearest
 * first (a slot holds one trainer, so competing trainers sit at different
 * levels). NULL when none (no error set). */
lp_obj *lp_experiment_find_trainer(lp_obj *caller, const char *cls);

/* The model_trainer that made model_version's winning experiment: the class
 * tagged `trainer` on it (through the metadata_tracker visible from caller),
 * found by lp_experiment_find_trainer; else caller's visible model_trainer.
 * Borrowed; NULL when there is none (no error set either way). params (may
 * be NULL): the winner's `params` tag (the fit's overrides of
 * training_params), a new map reference, or NULL when there is none. */
lp_obj *lp_experiment_winning_trainer(lp_obj *caller, lp_value *model_version, lp_value **params);

/* Releases the values of e and zeroes it. */
void lp_experiment_clear(lp_experiment *e);

/* ---- mergeable profiles ------------------------------------------------------------ */

/* Per-column summaries that merge: the sketch of rows A merged with the sketch of
 * rows B equals the sketch of A then B (counts, missing, mean and std by Chan's
 * parallel formulas, the sorted values so min/max, quantiles, zeros and
 * histograms are exact, the counts of text-like values in first-seen order up to
 * exact_distinct values, HyperLogLog registers for the distinct count beyond). */
typedef struct lp_profile_sketch lp_profile_sketch;

/* The sketch of f (borrowed): row chunks sketched on `threads` threads (0: the
 * online cores) and merged in order. New sketch (free with lp_profile_sketch_free)
 * or NULL with the last error set. */
lp_profile_sketch *lp_profile_sketch_new(const lp_frame *f, size_t exact_distinct, size_t threads);

/* Merges `from` (borrowed, unchanged) into `into` (modified): same column names
 * and types in the same order, else LP_EINVAL and `into` is unchanged. 0 or LP_E*. */
int lp_profile_sketch_merge(lp_profile_sketch *into, const lp_profile_sketch *from);

/* The rows a sketch has seen. */
size_t lp_profile_sketch_rows(const lp_profile_sketch *s);

/* Per column {name, type, count, missing, distinct, distinct_estimated} plus, for
 * numbers, mean, std, min, 5%, 25%, 50%, 75%, 95%, max, zeros and a `bins`-bin
 * histogram {edges, counts}, for text-like columns the `top` most frequent
 * {value, count} (absent once past exact_distinct). New list, or NULL. */
lp_value *lp_profile_sketch_columns(const lp_profile_sketch *s, size_t bins, size_t top);

/* Frees s (NULL is fine). */
void lp_profile_sketch_free(lp_profile_sketch *s);

#ifdef __cplusplus
}
#endif
#endif
