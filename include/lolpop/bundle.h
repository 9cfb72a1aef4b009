/*
 * bundle.h — loading a deployment bundle and scoring raw rows with it.
 *
 * A bundle is the directory LocalModelDeployer writes for a deployed model
 * version (<deploy_dir>/<model>/v<N>; docs/bundles.md describes every file):
 * the saved model with its feature transformer's state, the data_transformer
 * step that turned raw data into features (for SQLDataTransformer its SQL),
 * the input schema of the raw rows, the target's labels, the model_index
 * column, the lolpop version and ABI, and a manifest (bundle.json) with the
 * SHA-256 of every other file.
 *
 * lp_bundle_open checks the manifest and every hash, the bundle format and the
 * ABI and lolpop versions, and refuses a tampered or incompatible bundle with
 * a message naming the file or the versions. lp_bundle_score then takes raw
 * rows of the same shape as the workflow's eval_data and gives the same
 * numbers the workflow's predictions file has for them.
 *
 * Threads: an open bundle is immutable except for an internal, locked pool of
 * data_transformer instances; lp_bundle_score and lp_bundle_input_schema may
 * be called from several threads at once on one bundle (a server does).
 * Back-ends not known to predict safely in parallel (plugin back-ends, XGBoost
 * gblinear) are serialised by the bundle with a mutex. lp_bundle_free must not
 * race with a call in flight.
 *
 * Ownership: out-parameters are new (free with lp_bundle_free, free(),
 * lp_frame_unref); arguments are borrowed; reg must outlive the bundle.
 */
#ifndef LOLPOP_BUNDLE_H
#define LOLPOP_BUNDLE_H

#include "frame.h"
#include "registry.h"
#include "value.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The bundle format this lolpop writes and reads (bundle.json "format"). */
#define LP_BUNDLE_FORMAT 2

typedef struct lp_bundle lp_bundle;

/* Opens the bundle in directory `dir` (symlinks such as `current` are
 * followed): verifies the manifest, the SHA-256 of every file, the format,
 * the ABI and lolpop versions, loads the model (its back-end from reg, plugin
 * ones included) and builds the recorded data_transformer class through reg
 * (under the hidden runner LolpopBundleRunner, which the built-in plugin
 * registers; a registry without it gets it added by the first open, which
 * must then not race with other threads using reg).
 * *out: new bundle (lp_bundle_free). LP_ENOTFOUND (no bundle there),
 * LP_EINVAL (tampered, malformed or incompatible: the message says which
 * file or versions), or the error of the model or transformer. */
int lp_bundle_open(lp_bundle **out, lp_registry *reg, const char *dir);

/* The bundle directory MODEL names: an existing directory (a bundle); `name`
 * (the version holding alias production); `name@alias`; `name/vN`. Names are
 * looked up in the metadata store at store_dir (the store file, or a
 * directory holding lolpop.db; NULL: .lolpop/lolpop.db) through the
 * deployment recorded for that version. *out_dir: new string (free()).
 * LP_ENOTFOUND naming the unknown model, alias, version or deployment;
 * LP_EINVAL for a malformed MODEL. */
int lp_bundle_resolve(char **out_dir, const char *model_ref, const char *store_dir);

/* Scores raw rows: the model_index column (when the bundle has one and raw
 * holds it), `prediction`, and for a classifier with probabilities one
 * float64 column probability_<label> per class. A missing required column or
 * a value that does not fit its column's type is LP_EINVAL naming the column
 * (and the row, counted from 1). *out: new frame. Thread-safe (see above). */
int lp_bundle_score(lp_frame **out, const lp_bundle *b, const lp_frame *raw);
/* lp_bundle_score with rows in error messages counted from first_row + 1: for
 * a caller that scores a long input in chunks (first_row: the chunk's offset). */
int lp_bundle_score_from(lp_frame **out, const lp_bundle *b, const lp_frame *raw, size_t first_row);

/* lp_bundle_score_from with explanations: for top_k > 0 the top-k reasons
 * of each row appended (reason_1, reason_1_value, ... as lp_model_reasons);
 * when contributions is not NULL, *contributions gets the full per-row
 * contributions (lp_model_explanations' frame; new reference; NULL for no
 * rows). LP_EINVAL naming the back-end when its model gives no
 * contributions. Thread-safe as lp_bundle_score. */
int lp_bundle_score_explained(lp_frame **out, lp_frame **contributions, const lp_bundle *b,
                              const lp_frame *raw, size_t first_row, size_t top_k);

/* The input schema (borrowed, lives as long as b): a map {columns: [{name,
 * dtype, required}] or null when unknown, model_index (string or null),
 * target: {name, dtype}, task, classes: [labels]}. */
const lp_value *lp_bundle_input_schema(const lp_bundle *b);

/* The manifest bundle.json as a value (borrowed, lives as long as b). */
const lp_value *lp_bundle_manifest(const lp_bundle *b);

/* The bundle's directory as opened (borrowed). */
const char *lp_bundle_dir(const lp_bundle *b);

/* Frees the bundle (its model, transformer instances). Accepts NULL. */
void lp_bundle_free(lp_bundle *b);

#ifdef __cplusplus
}
#endif
#endif
