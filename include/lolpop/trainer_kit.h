/*
 * trainer_kit.h — what a model_trainer class is made of: a model back-end
 * (model.h), a train function, and the kit's common methods below. The
 * built-in XGBoostModelTrainer and LinearModelTrainer are exactly that; so
 * is examples/plugins/knn.
 *
 * The kit does everything that does not depend on the learning library:
 * reading the splits, merging `training_params` with fit's `params`
 * argument (names checked against the back-end's list), the `problem_type`
 * check, the visible feature_transformer (fitted before training, its state
 * attached to the model, applied before every prediction), predictions as
 * frames (probabilities named probability_<label>), metrics per split, save
 * and load through the registered model back-ends.
 *
 * A trainer class: state_size = sizeof(lp_trainer_state), init calls
 * lp_trainer_init(self, &backend), fini = lp_trainer_fini, and the methods
 * fit, predict, predict_proba, calculate_metrics, save, load are the kit's
 * lp_trainer_* functions. The model back-end that train's models use must be
 * registered (lp_registry_add_model_backend) by the same plugin, or the
 * stored model cannot be loaded back.
 *
 * Ownership: the kit's state holds references to the last fitted or loaded
 * model (and to frames kept for the next predict), all released by
 * lp_trainer_fini. Methods follow lp_method_fn: args borrowed, result a new
 * reference or NULL with the last error set.
 */
#ifndef LOLPOP_TRAINER_KIT_H
#define LOLPOP_TRAINER_KIT_H

#include <stddef.h>
#include "class.h"
#include "frame.h"
#include "model.h"
#include "object.h"
#include "value.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The problem from config `problem_type` (usually a default of the runner). */
typedef enum lp_problem {
    LP_PROBLEM_NONE, /* unset: the back-end decides from the target */
    LP_PROBLEM_CLASSIFICATION,
    LP_PROBLEM_REGRESSION
} lp_problem;

/* The training data of one fit: frames borrowed (X already transformed by the
 * visible feature_transformer, if any). */
typedef struct lp_trainer_data {
    const lp_frame *X_train, *y_train; /* y_train: one column, the target */
    const lp_frame *X_valid, *y_valid; /* both NULL without a validation split */
    /* Out, optional: the model's outputs on the training rows when the
     * back-end has them for free (malloc'ed, rows x lp_model_n_outputs, as
     * lp_model_predict_raw gives them; the kit takes ownership). */
    double *train_outputs;
} lp_trainer_data;

/* A trainer's library-dependent part. */
typedef struct lp_trainer_backend {
    size_t size;                    /* sizeof(lp_trainer_backend) when compiled */
    const char *cls;                /* class name, for messages */
    const char *library;            /* "XGBoost": names parameters in messages */
    const char *const *param_names; /* accepted training_params, NULL-terminated; NULL: none */
    /* Optional (NULL: nothing to do). Checks `params` (a private map the
     * back-end may change: fill defaults, from config keys say) against the
     * problem and the (untransformed) training target. LP_ECONFIG on a
     * contradiction. */
    int (*resolve)(lp_obj *self, lp_value *params, lp_problem problem, const lp_frame *y_train);
    /* Trains on d with the resolved params. *out: new reference to a model
     * whose ops are the registered back-end. */
    int (*train)(lp_model **out, lp_obj *self, lp_trainer_data *d, const lp_value *params);
    /* Optional (NULL: none; read only when `size` covers it). Advice for
     * parameter names users bring from elsewhere, as pairs name, advice,
     * NULL-terminated: {"n_estimators", "use num_boost_round", NULL}. A name
     * not in param_names is an error ending with the advice; one in it, a
     * warning with the advice. */
    const char *const *param_hints;
    /* Optional (NULL: none; read only when `size` covers it). Checks the
     * values of `params` (read-only) against the problem before any data
     * exists: what train would refuse later, found before the run starts.
     * params holds one parameter (the kit calls it for each of
     * training_params, and for each value a tuner's trials will set), so
     * every bad value is reported and rules between two parameters belong
     * in resolve. 0, or LP_ECONFIG located at the
     * offending value (lp_kit_error_at). */
    int (*check_params)(lp_obj *self, const lp_value *params, lp_problem problem);
} lp_trainer_backend;

/* The kit's per-instance state: a trainer class's state_size. Opaque (room
 * reserved so the kit can grow without changing this size). */
typedef struct lp_trainer_state {
    void *reserved[24];
} lp_trainer_state;

/* init: remembers be (borrowed; static), checks problem_type and the
 * training_params names. 0 or LP_ECONFIG (located), LP_EINVAL for a
 * back-end descriptor of a size this lolpop does not know. */
int lp_trainer_init(lp_obj *self, const lp_trainer_backend *be);
/* check_config of a kit trainer (LP_METHOD_CHECK_CONFIG in class.h): a
 * trainer class's method `check_config` returns
 * lp_trainer_check_config(self, &backend). Checks problem_type, the
 * training_params names against be's list (with its hints), their values
 * (be's check_params, when it has one), and reports
 * training_params set in a parent's config, which a trainer does not read.
 * New list of problems, or NULL with the error set. */
lp_value *lp_trainer_check_config(lp_obj *self, const lp_trainer_backend *be);
/* The optional trainer method a hyperparameter tuner calls, like
 * check_config on an uninitialised object, to check the values its trials
 * will pass to fit: check_params(params) -> problems, params a map of
 * training parameters (each value located in the tuner's configuration).
 * A kit trainer's method returns lp_trainer_check_params(self, &backend,
 * args): the names against be's list and the values through be's
 * check_params, as check_config checks training_params. New list of
 * problems, or NULL with the error set. */
#define LP_TRAINER_CHECK_PARAMS "check_params"
lp_value *lp_trainer_check_params(lp_obj *self, const lp_trainer_backend *be, lp_value *args);
/* fini: releases the kit's references. */
void lp_trainer_fini(lp_obj *self);

/* The methods of the model_trainer contract (types/model_trainer.h) plus the
 * optional arguments of docs/ml-workflow.md:
 *   fit(splits, params?) -> model; predict(frame, model?) -> predictions;
 *   predict_proba(frame, model?) -> probabilities;
 *   calculate_metrics(splits, predictions, metrics, model?) -> metrics;
 *   save(path, model?) -> null (atomic write); load(path) -> null. */
lp_value *lp_trainer_fit(lp_obj *self, lp_value *args);
lp_value *lp_trainer_predict(lp_obj *self, lp_value *args);
lp_value *lp_trainer_predict_proba(lp_obj *self, lp_value *args);
lp_value *lp_trainer_calculate_metrics(lp_obj *self, lp_value *args);
lp_value *lp_trainer_save(lp_obj *self, lp_value *args);
lp_value *lp_trainer_load(lp_obj *self, lp_value *args);

/* The problem from config `problem_type` looked up from obj (NONE when
 * unset). LP_ECONFIG, located, for another value. */
int lp_trainer_problem(lp_obj *obj, lp_problem *out);
/* The parameters a fit of `trainer` uses: a copy of its own training_params
 * with `override` (a map, or NULL) set over it key by key. *out: new map. */
int lp_trainer_params(lp_value **out, lp_obj *trainer, const lp_value *override);
/* The model to use: args.model when given (a model value), else the last
 * fitted or loaded one. Borrowed; NULL with the error set when there is none. */
lp_model *lp_trainer_model(lp_obj *self, const lp_value *args);
/* "train.model_trainer", or the object's name at the root (borrowed). */
const char *lp_trainer_path(lp_obj *self);

/* The config_keys entry of problem_type, which every kit trainer reads. */
#define LP_TRAINER_PROBLEM_TYPE_KEY                                                                \
    {                                                                                              \
        "problem_type", "string",                                                                  \
            "classification or regression (usually a default of the runner): decides the default " \
            "objective or model; unset, the library decides from the target"                       \
    }

#ifdef __cplusplus
}
#endif
#endif
