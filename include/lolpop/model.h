/*
 * model.h — trained models, independent of the library that trained them.
 *
 * An lp_model is what every model trainer (XGBoost, liblinear, ...) hands
 * back: the task (binary, multiclass, regression), the target's name and type,
 * the training features (names, types, and for string/category features the
 * dictionary of categories seen in training), the class labels (original text,
 * in class-index order), the training parameters, and a back-end (an ops
 * table plus its private state) that predicts from a row-major matrix.
 *
 * Prediction takes a frame: features are found by name in any column order,
 * extra columns are ignored, a missing one is an error naming it. Categorical
 * features are encoded as in training (code = index in the dictionary); a
 * category not seen in training becomes a missing value, as XGBoost treats it.
 *
 * Saved models are self-describing bytes: a header (back-end name, task,
 * target, features with categories, labels, params) followed by the back-end's
 * own blob; lp_model_load finds the back-end registered under that name.
 *
 * Ownership: lp_model_new takes ownership of the back-end state (freed with
 * ops->free even on failure) and returns a new reference; a model borrows its
 * ops (a loaded model must not outlive the registry that gave them); getters borrow;
 * outputs of predict/save are new (frames: new reference; buffers: free()).
 * A model is immutable (and safe to share between threads) once built.
 */
#ifndef LOLPOP_MODEL_H
#define LOLPOP_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "frame.h"
#include "registry.h"
#include "value.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum lp_model_task {
    LP_MODEL_BINARY,
    LP_MODEL_MULTICLASS,
    LP_MODEL_REGRESSION
} lp_model_task;

const char *lp_model_task_name(lp_model_task t); /* "binary", "multiclass", "regression" */
int lp_model_task_parse(const char *name, lp_model_task *out); /* 0 or LP_EINVAL */

typedef struct lp_model lp_model;

/* A model back-end: what predicts with, saves and loads a trained model's
 * state. A plugin that trains models registers its back-end in its init with
 * lp_registry_add_model_backend, as the built-in plugin registers "xgboost"
 * and "liblinear": lp_model_load finds the loader by the name saved in the
 * model, so that a model of any registered back-end can be stored, loaded,
 * compared, deployed and used for prediction.
 *
 * - size: sizeof(lp_model_ops) as the back-end was compiled (set it to
 *   sizeof(lp_model_ops)); lets the struct grow: fields past `size` are
 *   treated as absent, a descriptor larger than this lolpop knows is refused.
 * - load: the state for the bytes save wrote (*state: new, freed with free).
 * - predict fills out with rows × lp_model_n_outputs(m) doubles, row-major:
 *   binary → P(class 0), P(class 1); multiclass → one probability (or score,
 *   see has_probabilities) per class, the label is the arg-max; regression →
 *   the value. X is rows × lp_model_n_features(m), NaN = missing,
 *   categorical features as dictionary codes (lp_model_category).
 * - save returns the back-end's bytes (malloc'ed; any bytes).
 * - free releases the state.
 * - has_probabilities (optional, NULL = yes): whether a classifier's outputs
 *   are class probabilities (liblinear's svm gives decision values). Never
 *   asked for a regression model.
 * - predict_interval (optional, NULL = none): for models that know their
 *   uncertainty (forecasters): fills mean, lower and upper (rows doubles
 *   each) with the point prediction and a central interval holding the value
 *   with probability `width` (0 < width < 1). X as for predict.
 * - contributions (optional, NULL = none): additive per-feature contributions
 *   to the margin (SHAP values: exact TreeSHAP for trees, linear SHAP for
 *   linear models). Fills out with rows × G × (n_features + 1) doubles,
 *   row-major, G = lp_model_n_contribution_groups(m): for each row and group
 *   one value per feature then the base value (the expected margin), so that
 *   base + Σ contributions = the group's margin (the raw score before the
 *   link: log-odds of class 1 for binary, the class's score for multiclass,
 *   the value for regression). X as for predict.
 * - feature_importance (optional, NULL = none): the back-end's own
 *   importance of a `kind` it names ("weight", "gain", "cover" for trees):
 *   fills out with n_features doubles (0 for a feature never used);
 *   LP_ENOTFOUND for a kind it does not know.
 * - staged_predict (optional, NULL = none): for boosted models (learning
 *   curves): calls each(ctx, round, outputs) for round = 1 .. the rounds the
 *   model predicts with, in order, outputs (borrowed for the call) being
 *   rows × n_outputs doubles laid out as predict's, from the trees of the
 *   first `round` rounds only. A nonzero return of each stops the loop and is
 *   returned. X as for predict. */
typedef int (*lp_model_stage_fn)(void *ctx, size_t round, const double *outputs);
typedef struct lp_model_ops {
    size_t size;      /* sizeof(lp_model_ops) when compiled */
    const char *name; /* "xgboost": the key saved with the model, that lp_model_load finds */
    int (*load)(void **state, const uint8_t *blob, size_t len);
    int (*predict)(void *state, const lp_model *m, const double *X, size_t rows, double *out);
    int (*save)(void *state, uint8_t **out, size_t *len);
    void (*free)(void *state);
    bool (*has_probabilities)(void *state, const lp_model *m);
    int (*predict_interval)(void *state, const lp_model *m, const double *X, size_t rows,
                            double width, double *mean, double *lower, double *upper);
    int (*contributions)(void *state, const lp_model *m, const double *X, size_t rows, double *out);
    int (*feature_importance)(void *state, const lp_model *m, const char *kind, double *out);
    int (*staged_predict)(void *state, const lp_model *m, const double *X, size_t rows,
                          lp_model_stage_fn each, void *ctx);
} lp_model_ops;

/* Whether ops (of ops->size bytes) has field `f` (it may still be NULL). */
#define LP_MODEL_OPS_HAS(ops, f) ((ops)->size >= offsetof(lp_model_ops, f) + sizeof((ops)->f))

/* The registry's kind for model back-ends (lp_registry_add_provider). */
#define LP_MODEL_BACKEND_KIND "model_backend"

/* Registers a model back-end under ops->name (ops borrowed: static data of
 * the plugin). 0; LP_EEXISTS for a name already registered (naming both
 * plugins); LP_EINVAL for a descriptor without name, load, predict, save or
 * free, or of a size this lolpop does not know (the message names both). */
int lp_registry_add_model_backend(lp_registry *reg, const lp_model_ops *ops);
/* The back-end registered as `name`, borrowed; NULL when none (no error set). */
const lp_model_ops *lp_registry_find_model_backend(const lp_registry *reg, const char *name);

/* ---- building (for trainers) ------------------------------------------------ */

/* A model with no features, classes or params yet. Takes ownership of state.
 * NULL on OOM (last error set). */
lp_model *lp_model_new(const lp_model_ops *ops, void *state, lp_model_task task, const char *target,
                       lp_dtype target_dtype);
/* Appends a feature. string/category features are categorical (see below). */
int lp_model_add_feature(lp_model *m, const char *name, lp_dtype dtype);
/* Appends a category to feature j's dictionary (its code is the index). */
int lp_model_add_category(lp_model *m, size_t j, const char *s, size_t len);
/* Appends a class label (its index is the class index). */
int lp_model_add_class(lp_model *m, const char *label);
/* Replaces the training parameters (takes ownership of params, a map). */
int lp_model_set_params(lp_model *m, lp_value *params);
/* Attaches `len` bytes (copied; any byte allowed) under `key`, replacing an
 * earlier attachment of that key. Attachments are saved and loaded with the
 * model (a feature transformer's state, for instance). Set them before the
 * model is shared: a model is immutable once handed out. */
int lp_model_set_attachment(lp_model *m, const char *key, const uint8_t *bytes, size_t len);

lp_model *lp_model_ref(lp_model *m);
void lp_model_unref(lp_model *m);

/* ---- inspection (all borrowed) ---------------------------------------------- */

const char *lp_model_backend(const lp_model *m); /* ops->name */
lp_model_task lp_model_task_of(const lp_model *m);
const char *lp_model_target(const lp_model *m);
lp_dtype lp_model_target_dtype(const lp_model *m);
size_t lp_model_n_features(const lp_model *m);
const char *lp_model_feature_name(const lp_model *m, size_t j);
lp_dtype lp_model_feature_dtype(const lp_model *m, size_t j);
bool lp_model_feature_is_categorical(const lp_model *m, size_t j);
size_t lp_model_n_categories(const lp_model *m, size_t j);
const char *lp_model_category(const lp_model *m, size_t j, size_t code);
size_t lp_model_n_classes(const lp_model *m); /* 0 for regression */
const char *lp_model_class_label(const lp_model *m, size_t k);
const lp_value *lp_model_params(const lp_model *m); /* a map, possibly empty */
size_t lp_model_n_outputs(const lp_model *m);       /* 2 binary, k multiclass, 1 regression */
void *lp_model_state(const lp_model *m);            /* the back-end's state */
/* The bytes attached under `key` (borrowed, *len set), or NULL when absent. */
const uint8_t *lp_model_attachment(const lp_model *m, const char *key, size_t *len);
size_t lp_model_n_attachments(const lp_model *m);
const char *lp_model_attachment_key(const lp_model *m, size_t i); /* NULL when out of range */

/* ---- prediction ------------------------------------------------------------- */

/* Row-major rows(X) × n_features doubles encoding X's columns as in training
 * (malloc'ed). Errors name a missing feature or a type that does not fit. */
int lp_model_matrix(double **out, const lp_model *m, const lp_frame *X);
/* rows(X) × n_outputs doubles (malloc'ed), as ops->predict gives them. */
int lp_model_predict_raw(double **out, const lp_model *m, const lp_frame *X);
/* One column "prediction": the class label (in the target's type: string for
 * string/category targets, int64, bool, float64) or the regressed value. */
int lp_model_predict(lp_frame **out, const lp_model *m, const lp_frame *X);
/* Whether predict_raw gives class probabilities: false for regression, else
 * what the back-end's has_probabilities says (true without one). */
bool lp_model_has_probabilities(const lp_model *m);
/* Classification only: one float64 column per class, named by its label.
 * LP_EINVAL for a model without probabilities (lp_model_has_probabilities). */
int lp_model_predict_proba(lp_frame **out, const lp_model *m, const lp_frame *X);
/* Whether the back-end gives prediction intervals (ops->predict_interval). */
bool lp_model_has_intervals(const lp_model *m);
/* Three float64 columns "prediction", "lower", "upper": the point prediction
 * and the central interval of probability `width` (0 < width < 1) per row of
 * X (new reference). LP_EINVAL for a model without intervals or a width
 * outside (0, 1), naming the back-end or the width. */
int lp_model_predict_interval(lp_frame **out, const lp_model *m, const lp_frame *X, double width);
/* Whether the back-end gives per-feature contributions (ops->contributions). */
bool lp_model_has_contributions(const lp_model *m);
/* Contribution groups per row: n_classes for multiclass, else 1 (binary: the
 * log-odds of class 1 = lp_model_class_label(m, 1)). */
size_t lp_model_n_contribution_groups(const lp_model *m);
/* Per-row contributions of X's rows (malloc'ed, *out): rows(X) × groups ×
 * (n_features + 1) doubles as ops->contributions lays them out (the last of
 * each group the base value). LP_EINVAL naming the back-end when it has no
 * contributions; X's errors as lp_model_matrix. */
int lp_model_contributions(double **out, const lp_model *m, const lp_frame *X);
/* The back-end's feature importance of `kind` ("gain", "weight", "cover"):
 * n_features doubles (malloc'ed, *out). LP_ENOTFOUND when the back-end has
 * none or does not know that kind (the message names both). */
int lp_model_feature_importance(double **out, const lp_model *m, const char *kind);
/* Whether the back-end predicts round by round (ops->staged_predict). */
bool lp_model_has_stages(const lp_model *m);
/* Calls each(ctx, round, outputs) for every boosting round of the model, the
 * outputs (rows(X) × n_outputs doubles, borrowed for the call, as
 * lp_model_predict_raw lays them out) those of the trees of the first
 * `round` rounds. LP_EINVAL naming the back-end when it has no rounds
 * (lp_model_has_stages); X's errors as lp_model_matrix; a nonzero return of
 * each is returned. */
int lp_model_staged_predict(const lp_model *m, const lp_frame *X, lp_model_stage_fn each,
                            void *ctx);
/* The contributions of X's rows as a frame (new reference), float64 columns:
 * one per feature (named as the feature) and `base_value`; for multiclass
 * one such set per class, named "<label>:<feature>" and "<label>:base_value".
 * Errors as lp_model_contributions. */
int lp_model_explanations(lp_frame **out, const lp_model *m, const lp_frame *X);
/* The top_k reasons per row of an explanations frame (lp_model_explanations'
 * layout; borrowed): string reason_1 .. reason_K (the feature names, by
 * decreasing |contribution|) and float64 reason_1_value .. (the
 * contributions), K = min(top_k, n_features); multiclass: the contributions
 * to the row's predicted class (the largest margin). A row without
 * contributions (a missing value a back-end cannot explain) gets nulls.
 * LP_EINVAL naming a column the frame lacks. *out: new reference. */
int lp_model_reasons(lp_frame **out, const lp_model *m, const lp_frame *explanations, size_t top_k);
/* Both from one back-end prediction (half the work of calling the two):
 * *labels as lp_model_predict; *proba as lp_model_predict_proba for a
 * classifier, NULL for a regression model (proba may be NULL: labels only). */
int lp_model_predict_both(lp_frame **labels, lp_frame **proba, const lp_model *m,
                          const lp_frame *X);
/* What lp_model_predict_both makes, from outputs already computed (rows x
 * lp_model_n_outputs, as lp_model_predict_raw gives them; borrowed). */
int lp_model_frames_from_outputs(lp_frame **labels, lp_frame **proba, const lp_model *m,
                                 const double *outputs, size_t rows);

/* ---- persistence ------------------------------------------------------------ */

/* Self-describing bytes (malloc'ed): "LPMODEL1", a JSON header, the blob.
 * The header's "format" is 1, or 2 when the model has attachments (kept in
 * the header as base64); lp_model_load reads both. */
int lp_model_save(uint8_t **out, size_t *len, const lp_model *m);
/* A new model from lp_model_save's bytes, its back-end found in reg by the
 * name saved with it (*out: new reference; reg borrowed and must outlive the
 * model). A back-end that reg lacks is LP_ENOTFOUND naming the registered ones. */
int lp_model_load(lp_model **out, const lp_registry *reg, const uint8_t *buf, size_t len);

/* ---- models as values ------------------------------------------------------- */

extern const lp_handle_type lp_model_handle_type;
/* A handle value holding a new reference to m (NULL on OOM). Its hash is the
 * SHA-256 of the saved bytes. */
lp_value *lp_value_model(lp_model *m);
/* The model inside a handle value (borrowed), or NULL when v is not a model. */
lp_model *lp_value_as_model(const lp_value *v);

#ifdef __cplusplus
}
#endif
#endif
