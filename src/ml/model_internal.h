/* model_internal.h — the lp_model layout and helpers shared by src/ml. */
#ifndef LP_ML_MODEL_INTERNAL_H
#define LP_ML_MODEL_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lolpop/model.h"

typedef struct lp_model_feature {
    char *name;
    lp_dtype dtype;
    bool categorical; /* string/category in training */
    char **cats;      /* dictionary: code i is cats[i] */
    size_t *cat_lens;
    size_t n_cats;
} lp_model_feature;

/* A named byte string saved with the model (lp_model_set_attachment). */
typedef struct lp_model_attach {
    char *key;
    uint8_t *bytes;
    size_t len;
} lp_model_attach;

struct lp_model {
    int refs;
    const lp_model_ops *ops;
    void *state;
    lp_model_task task;
    char *target;
    lp_dtype target_dtype;
    lp_model_feature *features;
    size_t n_features;
    char **classes;
    size_t n_classes;
    lp_value *params;             /* map */
    lp_model_attach *attachments; /* in the order first set */
    size_t n_attachments;
};

/* SHA-256 of buf (0 or LP_ERROR). */
int lp_model_sha256(const uint8_t *buf, size_t len, uint8_t out[32]);

#endif
