/*
 * trainer.h — the trainer kit's internals (trainer_common.c,
 * trainer_predict.c). Its author-facing part is the installed
 * lolpop/trainer_kit.h; this adds the layout of lp_trainer_state.
 *
 * Ownership: the state holds one reference to the last fitted or loaded
 * model and one to the model whose transformer state the visible
 * feature_transformer was last given; both are released by lp_trainer_fini.
 */
#ifndef LP_COMPONENTS_MODEL_TRAINER_H
#define LP_COMPONENTS_MODEL_TRAINER_H

#include <stdbool.h>

#include "components/components_internal.h"
#include "lolpop/feature_state.h"
#include "lolpop/model.h"
#include "lolpop/trainer_kit.h"

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

/* What lp_trainer_state reserves must hold the kit's state. */
_Static_assert(sizeof(lp_trainer) <= sizeof(lp_trainer_state), "lp_trainer_state is too small");

/* Drops the kept training outputs (trainer_predict.c). */
void lp_trainer_forget_train_outputs(lp_trainer *st);

/* Drops the kept probabilities (trainer_predict.c). */
void lp_trainer_forget_proba(lp_trainer *st);

/* ft.transform(X) as a frame. *out: new reference. */
int lp_trainer_transform(lp_frame **out, lp_obj *ft, lp_frame *X);
/* Remembers m (or NULL) as the model whose state the transformer holds. */
void lp_trainer_set_ft_model(lp_obj *self, lp_model *m);

/* X prepared for model m: transformed by the model's attached feature
 * transformer state when it has one, else X itself. *out: new reference. */
int lp_trainer_features(lp_frame **out, lp_obj *self, lp_model *m, lp_frame *X);

/* check_params' walk for a built-in back-end: each of params' names in
 * be->param_names (unknown names are check_all_names') through check, the
 * library's own rule for one value; the first refusal becomes LP_ECONFIG
 * located at that value, "Cls (path): training_params: <why>". 0 or that. */
int lp_trainer_check_each_param(lp_obj *self, const lp_trainer_backend *be, const lp_value *params,
                                int (*check)(const char *name, const lp_value *value));

#endif
