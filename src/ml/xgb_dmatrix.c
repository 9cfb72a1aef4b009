/*
 * xgb_dmatrix.c — training DMatrices built once per split and shared by every
 * training on it.
 *
 * A tuner trains several models on the same split frames. Building the
 * DMatrix (the frame's matrix of doubles, XGBoost's copy of it, and — inside
 * the DMatrix, on first use — the quantile sketch and histogram index of
 * tree_method hist) is the same work each time, so the DMatrix is left on the
 * frame (frame_memo.h) with what it was built from: the features' description
 * (names, types, categories in code order), the labels and nthread. The next
 * training on that frame reuses it when all three are equal, as Python's
 * xgb.train does with one DMatrix; otherwise it builds a new one. The
 * matrices are the same bytes either way, so models are too.
 */
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "data/frame_memo.h"
#include "lolpop/strbuf.h"
#include "ml/model_internal.h"
#include "ml/xgb_api.h"
#include "ml/xgb_internal.h"

struct lp_xgb_shared {
    DMatrixHandle d;
    char *features; /* the features' description (describe()) */
    size_t features_len;
    float *labels; /* rows labels as set on d */
    size_t rows;
    int nthread;
};

static _Atomic unsigned long builds;

/* The owner tag of the memos this file leaves on frames. */
static const char memo_owner = 0;

static void shared_free(void *p)
{
    lp_xgb_shared *sh = p;
    if (!sh) return;
    if (sh->d) XGDMatrixFree(sh->d);
    free(sh->features);
    free(sh->labels);
    free(sh);
}

/* Every feature's name, dtype, kind and categories as bytes (lengths
 * written out, so no two descriptions run together). */
static char *describe(const lp_model *m, size_t *len)
{
    lp_sb sb = {0};
    lp_sb_appendf(&sb, "%zu;", m->n_features);
    for (size_t j = 0; j < m->n_features; j++) {
        const lp_model_feature *f = &m->features[j];
        lp_sb_appendf(&sb, "%zu:", strlen(f->name));
        lp_sb_append(&sb, f->name);
        lp_sb_appendf(&sb, "%d,%d,%zu;", (int)f->dtype, f->categorical ? 1 : 0, f->n_cats);
        for (size_t c = 0; c < f->n_cats; c++) {
            lp_sb_appendf(&sb, "%zu:", f->cat_lens[c]);
            lp_sb_appendn(&sb, f->cats[c], f->cat_lens[c]);
        }
    }
    if (sb.oom) {
        lp_sb_free(&sb);
        return NULL;
    }
    *len = sb.len;
    return lp_sb_take(&sb);
}

static bool reusable(const lp_xgb_shared *sh, const char *features, size_t features_len,
                     const float *labels, size_t rows, int nthread)
{
    return sh->nthread == nthread && sh->rows == rows && sh->features_len == features_len &&
           memcmp(sh->features, features, features_len) == 0 &&
           memcmp(sh->labels, labels, rows * sizeof *labels) == 0;
}

/* A new DMatrix of X for m with labels set. */
static int build(DMatrixHandle *out, const lp_model *m, const lp_frame *X, const float *labels,
                 int nthread)
{
    double *mat;
    int rc = lp_model_matrix(&mat, m, X);
    if (rc) return rc;
    size_t rows = lp_frame_rows(X);
    rc = lp_xgb_dmatrix(out, m, mat, rows, nthread);
    free(mat);
    if (rc) return rc;
    if (XGDMatrixSetFloatInfo(*out, "label", labels, rows)) {
        XGDMatrixFree(*out);
        *out = NULL;
        return lp_xgb_fail("setting labels");
    }
    return 0;
}

/* A new shared DMatrix record for X: features and labels copied. */
static int shared_new(lp_xgb_shared **out, const lp_model *m, const lp_frame *X,
                      const float *labels, int nthread, char *features, size_t features_len)
{
    size_t rows = lp_frame_rows(X);
    lp_xgb_shared *sh = calloc(1, sizeof *sh);
    if (sh) sh->labels = malloc((rows ? rows : 1) * sizeof *labels);
    if (!sh || !sh->labels) {
        free(sh);
        free(features);
        return lp_error_set(LP_ENOMEM, "out of memory");
    }
    memcpy(sh->labels, labels, rows * sizeof *labels);
    sh->rows = rows;
    sh->nthread = nthread;
    sh->features = features;
    sh->features_len = features_len;
    int rc = build(&sh->d, m, X, labels, nthread);
    atomic_fetch_add(&builds, 1);
    if (rc) {
        shared_free(sh);
        return rc;
    }
    *out = sh;
    return 0;
}

int lp_xgb_shared_dmatrix(lp_xgb_shared **out, void **d, const lp_model *m, const lp_frame *X,
                          const float *labels, int nthread)
{
    *out = NULL;
    *d = NULL;
    size_t features_len = 0;
    char *features = describe(m, &features_len);
    if (!features) return lp_error_set(LP_ENOMEM, "out of memory");
    lp_xgb_shared *sh = lp_frame_memo_take(X, &memo_owner);
    size_t rows = lp_frame_rows(X);
    if (sh && reusable(sh, features, features_len, labels, rows, nthread)) {
        free(features);
    } else {
        shared_free(sh);
        sh = NULL;
        int rc = shared_new(&sh, m, X, labels, nthread, features, features_len);
        if (rc) return rc;
    }
    if (!sh) return lp_error_set(LP_ERROR, "no DMatrix"); /* unreachable */
    *out = sh;
    *d = sh->d;
    return 0;
}

void lp_xgb_shared_done(lp_xgb_shared *sh, const lp_frame *X)
{
    lp_frame_memo_put(X, &memo_owner, sh, shared_free);
}

unsigned long lp_xgb_shared_builds(void)
{
    return atomic_load(&builds);
}
