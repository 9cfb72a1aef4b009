/*
 * trainer.h — what XGBoostModelTrainer and LinearModelTrainer share
 * (trainer_common.c, trainer_predict.c; internal to liblolpop).
 *
 * A trainer class is a back-end description (lp_trainer_backend) plus the
 * common methods below, which do everything that does not depend on the
 * library: reading the splits, merging `training_params` with the `params`
 * argument, the `problem_type` check, the visible feature_transformer (fitted
 * before training, its state attached to the model, applied before every
 * prediction), predictions as frames, metrics, save and load.
 *
 * Ownership: the state holds one reference to the last fitted or loaded
 * model and one to the model whose transformer state the visible
 * feature_transformer was last given; both are released by lp_trainer_fini.
 */
#ifndef LP_COMPONENTS_MODEL_TRAINER_H
#define LP_COMPONENTS_MODEL_TRAINER_H

#include <stdbool.h>

#include "components/components_internal.h"
#include "lolpop/model.h"

/* Attachment keys of a model trained after a feature transformer (docs/ml-workflow.md). */
#define LP_FT_STATE_KEY "feature_transformer.state"
#define LP_FT_CLASS_KEY "feature_transformer.class"

typedef enum lp_problem {
    LP_PROBLEM_NONE,
    LP_PROBLEM_CLASSIFICATION,
    LP_PROBLEM_REGRESSION
} lp_problem;

/* The training data of one fit: frames borrowed (X already transformed). */
typedef struct lp_trainer_data {
    const lp_frame *X_train, *y_train;
    const lp_frame *X_valid, *y_valid; /* both NULL without a validation split */
    /* Out: the model's outputs on the training rows when the back-end has them
     * for free (malloc'ed, rows x lp_model_n_outputs; NULL otherwise). */
    double *train_outputs;
} lp_trainer_data;

typedef struct lp_trainer_backend {
    const char *cls;                /* class name, for messages */
    const char *library;            /* "XGBoost", "liblinear": names parameters in messages */
    const char *const *param_names; /* the accepted training_params, NULL-terminated */
    /* Checks `params` (a private map the back-end may change) against the
     * problem and fills the defaults that follow from it and from the
     * (untransformed) training target. LP_ECONFIG on a contradiction. */
    int (*resolve)(lp_obj *self, lp_value *params, lp_problem problem, const lp_frame *y_train);
    /* Trains on d with the resolved params. *out: new reference. */
    int (*train)(lp_model **out, lp_obj *self, lp_trainer_data *d, const lp_value *params);
} lp_trainer_backend;

typedef struct lp_trainer {
    const lp_trainer_backend *be;
    lp_model *model;    /* last fitted or loaded, or NULL */
    lp_model *ft_model; /* whose transformer state this trainer last gave the transformer */
    /* predict computes the class probabilities in the same back-end pass and
     * keeps them for a predict_proba of the same model and frame (what an
     * experiment asks next): one prediction instead of two. */
    lp_model *proba_model;
    lp_frame *proba_X, *proba; /* proba: labelled probability_<label> */
    /* The last fit's outputs on its X_train (the frame of the splits, before
     * any transformer), for the predict of the training split that follows. */
    lp_model *train_model;
    lp_frame *train_X;
    double *train_outputs;
} lp_trainer;

/* Drops the kept training outputs (trainer_predict.c). */
void lp_trainer_forget_train_outputs(lp_trainer *st);

/* Drops the kept probabilities (trainer_predict.c). */
void lp_trainer_forget_proba(lp_trainer *st);

/* "train.model_trainer", or the slot name at the root (borrowed). */
const char *lp_trainer_path(lp_obj *self);

/* Sets an error with code at o's file position when o is one (configuration
 * mistakes), else without a position. Returns code. */
int lp_trainer_error_at(int code, const lp_origin *o, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* init/fini of both classes: checks training_params names and problem_type. */
int lp_trainer_init(lp_obj *self, const lp_trainer_backend *be);
void lp_trainer_fini(lp_obj *self);

/* The problem from config `problem_type` looked up from obj (NONE when
 * unset). LP_ECONFIG, located, for another value. */
int lp_trainer_problem(lp_obj *obj, lp_problem *out);

/* The parameters a fit of `trainer` uses: a copy of its own
 * `training_params` (its config section only: a tuner's training_params,
 * keyed by class, is not the trainer's) with `override` (a map, or NULL)
 * set over it key by key. *out: new map. */
int lp_trainer_params(lp_value **out, lp_obj *trainer, const lp_value *override);

/* The model methods (the contract of include/lolpop/types/model_trainer.h
 * plus the optional arguments of docs/ml-workflow.md). */
lp_value *lp_trainer_fit(lp_obj *self, lp_value *args);
lp_value *lp_trainer_predict(lp_obj *self, lp_value *args);
lp_value *lp_trainer_predict_proba(lp_obj *self, lp_value *args);
lp_value *lp_trainer_calculate_metrics(lp_obj *self, lp_value *args);
lp_value *lp_trainer_save(lp_obj *self, lp_value *args);
lp_value *lp_trainer_load(lp_obj *self, lp_value *args);

/* The model to use: args.model when given (a model value), else the last
 * fitted or loaded one. Borrowed; NULL with the error set when there is none. */
lp_model *lp_trainer_model(lp_obj *self, const lp_value *args);

/* ft.transform(X) as a frame. *out: new reference. */
int lp_trainer_transform(lp_frame **out, lp_obj *ft, lp_frame *X);
/* Remembers m (or NULL) as the model whose state the transformer holds. */
void lp_trainer_set_ft_model(lp_obj *self, lp_model *m);

/* X prepared for model m: transformed by the model's attached feature
 * transformer state when it has one, else X itself. *out: new reference. */
int lp_trainer_features(lp_frame **out, lp_obj *self, lp_model *m, lp_frame *X);

/* The config_keys entry of problem_type, which both classes read. */
#define LP_TRAINER_PROBLEM_TYPE_KEY                                                                \
    {                                                                                              \
        "problem_type", "string",                                                                  \
            "classification or regression (usually a default of the runner): decides the default " \
            "objective or model; unset, the library decides from the target"                       \
    }

#endif
