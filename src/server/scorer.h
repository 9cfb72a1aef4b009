/*
 * scorer.h — everything `lolpop serve` knows about models: opening the model a
 * MODEL argument names, scoring rows with it, its input schema and a string
 * naming the loaded version. The rest of src/server/ reaches models only
 * through this interface (so that it can move to the bundle loader without
 * touching the HTTP side).
 *
 * A scorer is reference-counted: the server holds one reference for the
 * model it currently serves, each request takes its own for the time it
 * scores, so that --reload can swap in a new scorer while requests finish on
 * the old one. A scorer is immutable once opened and safe to share between
 * threads (srv_scorer_score may run concurrently).
 *
 * Ownership: srv_scorer_open / srv_scorer_ref give a reference released with
 * srv_scorer_unref; getters borrow (valid while the caller holds a reference).
 */
#ifndef LP_SERVER_SCORER_H
#define LP_SERVER_SCORER_H

#include "lolpop/frame.h"
#include "lolpop/registry.h"
#include "lolpop/value.h"

typedef struct srv_scorer srv_scorer;

/* The bundle directory that model_ref names now (new string in *out_dir):
 * a bundle directory; a model's deployment directory (its `current` link is
 * followed); or NAME, NAME@ALIAS, NAME/vN through the metadata store in
 * store_dir (lp_bundle_resolve; NULL = .lolpop/lolpop.db). The path is resolved (realpath), so that
 * --reload sees a moved link as a different directory. 0 or an error naming what was tried. */
int srv_scorer_resolve(char **out_dir, const char *model_ref, const char *store_dir);

/* Opens the model that model_ref names (see srv_scorer_resolve) with the
 * back-ends of reg (borrowed; must outlive the scorer). New reference in *out. */
int srv_scorer_open(srv_scorer **out, lp_registry *reg, const char *model_ref,
                    const char *store_dir);

/* Scores raw rows (borrowed; extra columns ignored) through the bundle: a new
 * frame with model_index (when given), the column "prediction" (the label, in the target's
 * type, or the regressed value) and, for a classifier with probabilities, one
 * float64 column "probability_<label>" per class in class order. */
int srv_scorer_score(lp_frame **out, srv_scorer *s, const lp_frame *rows);

/* The input schema (borrowed map): the bundle's (lp_bundle_input_schema:
 * task, target {name, dtype}, classes, model_index, columns [{name, dtype,
 * required}] — the raw columns of eval_data) plus "version". */
const lp_value *srv_scorer_schema(const srv_scorer *s);

/* A string naming the loaded bundle: "<model name>/v<N>" (borrowed). */
const char *srv_scorer_version(const srv_scorer *s);

/* The resolved bundle directory it was loaded from (borrowed). */
const char *srv_scorer_dir(const srv_scorer *s);

/* A new reference to s. */
srv_scorer *srv_scorer_ref(srv_scorer *s);
/* Releases a reference (NULL allowed); the last one frees the scorer. */
void srv_scorer_unref(srv_scorer *s);

#endif
