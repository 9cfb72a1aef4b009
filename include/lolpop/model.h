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
 * own blob; lp_model_load picks the back-end's loader by name.
 *
 * Ownership: lp_model_new takes ownership of the back-end state (freed with
 * ops->free even on failure) and returns a new reference; getters borrow;
 * outputs of predict/save are new (frames: new reference; buffers: free()).
 * A model is immutable (and safe to share between threads) once built.
 */
#ifndef LOLPOP_MODEL_H
#define LOLPOP_MODEL_H

#include <stddef.h>
#include <stdint.h>
#include "frame.h"
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

/* A back-end. predict fills out with rows × lp_model_n_outputs(m) doubles,
 * row-major: binary → P(class 0), P(class 1); multiclass → one probability per
 * class; regression → the value. X is rows × lp_model_n_features(m), NaN =
 * missing, categorical features as dictionary codes. save returns the
 * back-end's bytes (malloc'ed). free releases the state. */
typedef struct lp_model_ops {
    const char *name; /* "xgboost": the key lp_model_load dispatches on */
    int (*predict)(void *state, const lp_model *m, const double *X, size_t rows, double *out);
    int (*save)(void *state, uint8_t **out, size_t *len);
    void (*free)(void *state);
} lp_model_ops;

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
/* Whether predict_raw gives class probabilities: false for regression and for
 * back-ends whose classifier outputs are scores (liblinear's svm). */
bool lp_model_has_probabilities(const lp_model *m);
/* Classification only: one float64 column per class, named by its label. */
int lp_model_predict_proba(lp_frame **out, const lp_model *m, const lp_frame *X);
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
/* A new model from lp_model_save's bytes; an unknown back-end is an error. */
int lp_model_load(lp_model **out, const uint8_t *buf, size_t len);

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
