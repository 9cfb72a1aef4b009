/*
 * bundle_priv.h — the lp_bundle structure, shared by the files of src/bundle
 * (open.c builds it, score.c scores with it, pool.c lends its transformers).
 */
#ifndef LP_BUNDLE_PRIV_H
#define LP_BUNDLE_PRIV_H

#include <pthread.h>
#include <stdbool.h>

#include "bundle/bundle_internal.h"
#include "lolpop/model.h"
#include "lolpop/workflow.h"

/* Instances of the recorded data_transformer, one per concurrent scorer: a
 * component is called by one thread at a time, so each call borrows one
 * (built on demand) and gives it back. */
typedef struct lp_bundle_pool {
    pthread_mutex_t lock;
    pthread_mutex_t predict_lock; /* serialises a back-end not known to be thread-safe */
    lp_workflow **free_wf;        /* instances not in use */
    size_t n, cap;
} lp_bundle_pool;

struct lp_bundle {
    char *dir;
    const lp_registry *reg; /* borrowed */
    lp_value *manifest;     /* bundle.json */
    lp_value *input;        /* input.json: the input schema */
    lp_value *transform;    /* transform.json, or NULL: raw rows are the features */
    lp_value *wf_doc;       /* the workflow document of one transformer instance */
    lp_model *model;
    bool serial_predict; /* the back-end is not known to predict in parallel */
    /* Built from parts for the deployer's probing: an absent optional column
     * stays absent (no null-fill), so scoring without a column tells whether
     * the transformer or the model needs it. */
    bool probing;
    lp_bundle_pool *pool; /* separate: its locks are mutable behind a const lp_bundle */
};

/* A transformer instance for one call (*wf: borrowed until lp_bundle_pool_give). */
int lp_bundle_pool_take(const lp_bundle *b, lp_workflow **wf);
/* Returns an instance taken with lp_bundle_pool_take. */
void lp_bundle_pool_give(const lp_bundle *b, lp_workflow *wf);
/* Builds the pool and one instance (so that a bad class or config fails at open). */
int lp_bundle_pool_init(lp_bundle *b);
/* Frees every instance and the pool. */
void lp_bundle_pool_free(lp_bundle *b);

#endif
