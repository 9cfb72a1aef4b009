/*
 * xgb_shap.c — see xgb_shap.h. The recursion is Lundberg's TreeSHAP as
 * libxgboost 1.7 writes it (src/tree/tree_model.cc: ExtendPath, UnwindPath,
 * UnwoundPathSum, TreeShap with condition 0), every expression kept in
 * float and in the same order so that the sums round the same way.
 */
#include "ml/xgb_shap.h"

#include <math.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lolpop/error.h"
#include "ml/ml_parallel.h"

/* A node with what TreeSHAP reads: children index sh->nodes (-1 on leaves). */
typedef struct snode {
    float value, cover, mean;
    int32_t left, right;
    uint32_t feature;
    uint8_t default_left, categorical;
} snode;

struct lp_xgb_shap {
    lp_xgb_native *nb; /* category sets (lp_xgb_native_goes_left) */
    snode *nodes;
    uint32_t *roots, *groups; /* per tree */
    uint32_t *feats;          /* the distinct split features of each tree ... */
    size_t *feat_first;       /* ... tree t's at feats[feat_first[t] .. feat_first[t + 1]) */
    size_t n_trees, n_groups, p, max_depth;
    float base_margin;
    /* Path-pattern tables (Fast TreeSHAP v2's idea, keyed for libxgboost's
     * bits): TreeSHAP's increments at a leaf depend only on which edges of
     * its path the row took (the pattern: bit k for the edge at depth k), so
     * a tabled tree stores, per leaf and pattern, the d increments the
     * recursion would add, and a row walks the tree once adding them. */
    uint8_t *tabled;           /* per tree: 1 when its tables are built */
    uint8_t *leaf_d;           /* per node (leaves): distinct features on the path */
    size_t *leaf_val, *leaf_f; /* per node (leaves): offsets into tab_vals, tab_feats */
    float *tab_vals;
    uint32_t *tab_feats;
};

typedef struct path_el {
    int feature;
    float zero_fraction, one_fraction, pweight;
} path_el;

static int build_tables(lp_xgb_shap *sh, size_t n_nodes);

/* ---- compiling ------------------------------------------------------------- */

/* Copies the subtree at node i (depth d) and fills its mean values as
 * libxgboost's FillNodeMeanValue does; records its split features in
 * seen/feats. Returns the mean value. */
static float copy_subtree(lp_xgb_shap *sh, uint32_t i, size_t d, uint8_t *seen, size_t *n_feats)
{
    lp_xgb_native_node nn;
    lp_xgb_native_node_get(sh->nb, i, &nn);
    snode *s = &sh->nodes[i];
    s->value = nn.value;
    s->cover = nn.cover;
    s->left = nn.left;
    s->right = nn.right;
    s->feature = nn.feature;
    s->default_left = nn.default_left;
    s->categorical = nn.categorical;
    if (d > sh->max_depth) sh->max_depth = d;
    if (nn.left < 0) {
        s->mean = nn.value;
        return s->mean;
    }
    if (!seen[nn.feature]) {
        seen[nn.feature] = 1;
        sh->feats[(*n_feats)++] = nn.feature;
    }
    float l = copy_subtree(sh, (uint32_t)nn.left, d + 1, seen, n_feats);
    float result = l * sh->nodes[nn.left].cover;
    float r = copy_subtree(sh, (uint32_t)nn.right, d + 1, seen, n_feats);
    result += r * sh->nodes[nn.right].cover;
    result /= s->cover;
    s->mean = result;
    return result;
}

/* Nodes of nb: the largest node index reachable from a root, plus one. */
static size_t count_nodes(const lp_xgb_native *nb, uint32_t i)
{
    lp_xgb_native_node nn;
    lp_xgb_native_node_get(nb, i, &nn);
    size_t end = (size_t)i + 1;
    if (nn.left >= 0) {
        size_t l = count_nodes(nb, (uint32_t)nn.left), r = count_nodes(nb, (uint32_t)nn.right);
        end = l > end ? l : end;
        end = r > end ? r : end;
    }
    return end;
}

int lp_xgb_shap_compile(lp_xgb_shap **out, lp_xgb_native *nb)
{
    *out = NULL;
    if (!lp_xgb_native_has_covers(nb)) {
        lp_xgb_native_free(nb);
        return 0;
    }
    lp_xgb_shap *sh = calloc(1, sizeof *sh);
    if (!sh) {
        lp_xgb_native_free(nb);
        return lp_error_set(LP_ENOMEM, "out of memory");
    }
    sh->nb = nb;
    sh->n_trees = lp_xgb_native_n_trees(nb);
    sh->n_groups = lp_xgb_native_outputs(nb);
    sh->p = lp_xgb_native_n_features(nb);
    sh->base_margin = lp_xgb_native_base_margin(nb);
    size_t n_nodes = 0, nt = sh->n_trees ? sh->n_trees : 1;
    sh->roots = calloc(nt, sizeof *sh->roots);
    sh->groups = calloc(nt, sizeof *sh->groups);
    sh->feat_first = calloc(nt + 1, sizeof *sh->feat_first);
    uint8_t *seen = calloc(sh->p ? sh->p : 1, 1);
    if (!sh->roots || !sh->groups || !sh->feat_first || !seen) goto oom;
    for (size_t t = 0; t < sh->n_trees; t++) {
        lp_xgb_native_tree(nb, t, &sh->roots[t], &sh->groups[t]);
        size_t end = count_nodes(nb, sh->roots[t]);
        n_nodes = end > n_nodes ? end : n_nodes;
    }
    sh->nodes = calloc(n_nodes ? n_nodes : 1, sizeof *sh->nodes);
    sh->feats = calloc(n_nodes ? n_nodes : 1, sizeof *sh->feats);
    if (!sh->nodes || !sh->feats) goto oom;
    size_t n_feats = 0;
    for (size_t t = 0; t < sh->n_trees; t++) {
        sh->feat_first[t] = n_feats;
        copy_subtree(sh, sh->roots[t], 0, seen, &n_feats);
        for (size_t k = sh->feat_first[t]; k < n_feats; k++)
            seen[sh->feats[k]] = 0;
    }
    sh->feat_first[sh->n_trees] = n_feats;
    free(seen);
    seen = NULL;
    if (build_tables(sh, n_nodes)) goto oom;
    *out = sh;
    return 0;
oom:
    free(seen);
    lp_xgb_shap_free(sh);
    return lp_error_set(LP_ENOMEM, "out of memory");
}

size_t lp_xgb_shap_tabled_trees(const lp_xgb_shap *sh)
{
    size_t n = 0;
    for (size_t t = 0; t < sh->n_trees; t++)
        n += sh->tabled[t];
    return n;
}

size_t lp_xgb_shap_trees(const lp_xgb_shap *sh)
{
    return sh->n_trees;
}

size_t lp_xgb_shap_groups(const lp_xgb_shap *sh)
{
    return sh->n_groups;
}

void lp_xgb_shap_free(lp_xgb_shap *sh)
{
    if (!sh) return;
    lp_xgb_native_free(sh->nb);
    free(sh->nodes);
    free(sh->roots);
    free(sh->groups);
    free(sh->feats);
    free(sh->feat_first);
    free(sh->tabled);
    free(sh->leaf_d);
    free(sh->leaf_val);
    free(sh->leaf_f);
    free(sh->tab_vals);
    free(sh->tab_feats);
    free(sh);
}

/* ---- libxgboost's path arithmetic --------------------------------------------- */

static void extend_path(path_el *up, unsigned d, float zero_fraction, float one_fraction,
                        int feature)
{
    up[d].feature = feature;
    up[d].zero_fraction = zero_fraction;
    up[d].one_fraction = one_fraction;
    up[d].pweight = d == 0 ? 1.0f : 0.0f;
    for (int i = (int)d - 1; i >= 0; i--) {
        up[i + 1].pweight += one_fraction * up[i].pweight * (float)(i + 1) / (float)(d + 1);
        up[i].pweight = zero_fraction * up[i].pweight * (float)(d - (unsigned)i) / (float)(d + 1);
    }
}

static void unwind_path(path_el *up, unsigned d, unsigned path_index)
{
    const float one_fraction = up[path_index].one_fraction;
    const float zero_fraction = up[path_index].zero_fraction;
    float next_one_portion = up[d].pweight;
    for (int i = (int)d - 1; i >= 0; --i) {
        if (one_fraction != 0) {
            const float tmp = up[i].pweight;
            up[i].pweight = next_one_portion * (float)(d + 1) / ((float)(i + 1) * one_fraction);
            next_one_portion =
                tmp - up[i].pweight * zero_fraction * (float)(d - (unsigned)i) / (float)(d + 1);
        } else {
            up[i].pweight =
                (up[i].pweight * (float)(d + 1)) / (zero_fraction * (float)(d - (unsigned)i));
        }
    }
    for (unsigned i = path_index; i < d; ++i) {
        up[i].feature = up[i + 1].feature;
        up[i].zero_fraction = up[i + 1].zero_fraction;
        up[i].one_fraction = up[i + 1].one_fraction;
    }
}

static float unwound_path_sum(const path_el *up, unsigned d, unsigned path_index)
{
    const float one_fraction = up[path_index].one_fraction;
    const float zero_fraction = up[path_index].zero_fraction;
    float next_one_portion = up[d].pweight;
    float total = 0;
    for (int i = (int)d - 1; i >= 0; --i) {
        if (one_fraction != 0) {
            const float tmp = next_one_portion * (float)(d + 1) / ((float)(i + 1) * one_fraction);
            total += tmp;
            next_one_portion =
                up[i].pweight - tmp * zero_fraction * ((float)(d - (unsigned)i) / (float)(d + 1));
        } else if (zero_fraction != 0) {
            total += (up[i].pweight / zero_fraction) / ((float)(d - (unsigned)i) / (float)(d + 1));
        }
    }
    return total;
}

/* One row's walk of one tree. */
/* A feature split on before, higher up the path: that split is undone to be
 * redone here (its fractions into *zero and *one). The path's new depth. */
static unsigned undo_earlier_split(path_el *up, unsigned d, uint32_t feature, float *zero,
                                   float *one)
{
    unsigned path_index = 0;
    for (; path_index <= d; ++path_index)
        if (up[path_index].feature == (int)feature) break;
    if (path_index == d + 1) return d;
    *zero = up[path_index].zero_fraction;
    *one = up[path_index].one_fraction;
    unwind_path(up, d, path_index);
    return d - 1;
}

typedef struct walk {
    const lp_xgb_shap *sh;
    const float *row;
    float *phi;
} walk;

static void tree_shap(const walk *w, uint32_t node, unsigned d, path_el *parent,
                      float parent_zero_fraction, float parent_one_fraction, int parent_feature)
{
    const snode *nd = &w->sh->nodes[node];
    path_el *up = parent + d + 1;
    memcpy(up, parent, (d + 1) * sizeof *up);
    extend_path(up, d, parent_zero_fraction, parent_one_fraction, parent_feature);
    if (nd->left < 0) {
        for (unsigned i = 1; i <= d; ++i) {
            const float wt = unwound_path_sum(up, d, i);
            const path_el *el = &up[i];
            w->phi[el->feature] += wt * (el->one_fraction - el->zero_fraction) * nd->value;
        }
        return;
    }
    float v = w->row[nd->feature];
    bool left = isnan(v)           ? nd->default_left
                : !nd->categorical ? v < nd->value
                                   : lp_xgb_native_goes_left(w->sh->nb, node, v);
    uint32_t hot = (uint32_t)(left ? nd->left : nd->right);
    uint32_t cold = (uint32_t)(left ? nd->right : nd->left);
    const float cover = nd->cover;
    const float hot_zero_fraction = w->sh->nodes[hot].cover / cover;
    const float cold_zero_fraction = w->sh->nodes[cold].cover / cover;
    float incoming_zero_fraction = 1, incoming_one_fraction = 1;
    d = undo_earlier_split(up, d, nd->feature, &incoming_zero_fraction, &incoming_one_fraction);
    tree_shap(w, hot, d + 1, up, hot_zero_fraction * incoming_zero_fraction, incoming_one_fraction,
              (int)nd->feature);
    tree_shap(w, cold, d + 1, up, cold_zero_fraction * incoming_zero_fraction, 0, (int)nd->feature);
}

/* ---- path-pattern tables ------------------------------------------------------ */

/* A tree is tabled when its leaves are at most MAX_TABLE_DEPTH deep and its
 * tables hold at most TREE_TABLE_FLOATS floats; all tables together at most
 * MODEL_TABLE_FLOATS. Other trees run the recursion per row. */
#define MAX_TABLE_DEPTH    12
#define TREE_TABLE_FLOATS  ((size_t)1 << 18)
#define MODEL_TABLE_FLOATS ((size_t)1 << 25)

/* The tables of the subtree at node (depth: the node's; fs: the n distinct
 * features above it): their floats and features added to *vals and *feats,
 * *vals SIZE_MAX when a leaf is too deep. With `place`, each leaf is also
 * given its offsets (*vals and *feats then run over the whole model). */
static void table_layout(lp_xgb_shap *sh, bool place, uint32_t node, unsigned depth, uint32_t *fs,
                         unsigned n, size_t *vals, size_t *feats)
{
    const snode *nd = &sh->nodes[node];
    if (depth > MAX_TABLE_DEPTH) {
        *vals = SIZE_MAX;
        return;
    }
    if (nd->left < 0) {
        if (place) {
            sh->leaf_d[node] = (uint8_t)n;
            sh->leaf_val[node] = *vals;
            sh->leaf_f[node] = *feats;
        }
        *vals += ((size_t)1 << depth) * n;
        *feats += n;
        return;
    }
    unsigned k = 0;
    while (k < n && fs[k] != nd->feature)
        k++;
    fs[k] = nd->feature;
    unsigned m = k == n ? n + 1 : n;
    table_layout(sh, place, (uint32_t)nd->left, depth + 1, fs, m, vals, feats);
    if (*vals != SIZE_MAX)
        table_layout(sh, place, (uint32_t)nd->right, depth + 1, fs, m, vals, feats);
}

/* tree_shap for every pattern at once: each child is entered as the hot
 * branch (its edge's bit set) and as the cold one; a leaf stores what
 * tree_shap would add to phi. Returns false when a leaf's path length
 * disagrees with table_layout's (the tables are then not used). */
static bool table_fill(lp_xgb_shap *sh, uint32_t node, unsigned d, path_el *parent, float pz,
                       float po, int pf, unsigned depth, uint32_t pattern)
{
    const snode *nd = &sh->nodes[node];
    path_el *up = parent + d + 1;
    memcpy(up, parent, (d + 1) * sizeof *up);
    extend_path(up, d, pz, po, pf);
    if (nd->left < 0) {
        if (d != sh->leaf_d[node]) return false;
        float *v = sh->tab_vals + sh->leaf_val[node] + (size_t)pattern * d;
        uint32_t *f = sh->tab_feats + sh->leaf_f[node];
        for (unsigned i = 1; i <= d; ++i) {
            const float wt = unwound_path_sum(up, d, i);
            v[i - 1] = wt * (up[i].one_fraction - up[i].zero_fraction) * nd->value;
            f[i - 1] = (uint32_t)up[i].feature;
        }
        return true;
    }
    float incoming_zero_fraction = 1, incoming_one_fraction = 1;
    d = undo_earlier_split(up, d, nd->feature, &incoming_zero_fraction, &incoming_one_fraction);
    const float cover = nd->cover;
    const float lz = sh->nodes[nd->left].cover / cover, rz = sh->nodes[nd->right].cover / cover;
    uint32_t l = (uint32_t)nd->left, r = (uint32_t)nd->right, bit = 1u << depth;
    int f = (int)nd->feature;
    float iz = incoming_zero_fraction, io = incoming_one_fraction;
    return table_fill(sh, l, d + 1, up, lz * iz, io, f, depth + 1, pattern | bit) &&
           table_fill(sh, l, d + 1, up, lz * iz, 0, f, depth + 1, pattern) &&
           table_fill(sh, r, d + 1, up, rz * iz, io, f, depth + 1, pattern | bit) &&
           table_fill(sh, r, d + 1, up, rz * iz, 0, f, depth + 1, pattern);
}

/* Builds the tables of the trees small enough; 0 or LP_ENOMEM. A tree
 * without tables is still answered (by the recursion). */
static int build_tables(lp_xgb_shap *sh, size_t n_nodes)
{
    uint32_t fs[MAX_TABLE_DEPTH + 2];
    size_t nt = sh->n_trees ? sh->n_trees : 1, total_vals = 0, total_feats = 0;
    sh->tabled = calloc(nt, 1);
    sh->leaf_d = calloc(n_nodes ? n_nodes : 1, 1);
    sh->leaf_val = calloc(n_nodes ? n_nodes : 1, sizeof *sh->leaf_val);
    sh->leaf_f = calloc(n_nodes ? n_nodes : 1, sizeof *sh->leaf_f);
    if (!sh->tabled || !sh->leaf_d || !sh->leaf_val || !sh->leaf_f) return LP_ENOMEM;
    for (size_t t = 0; t < sh->n_trees; t++) {
        size_t vals = 0, feats = 0;
        table_layout(sh, false, sh->roots[t], 0, fs, 0, &vals, &feats);
        if (vals > TREE_TABLE_FLOATS || total_vals + vals > MODEL_TABLE_FLOATS) continue;
        sh->tabled[t] = 1;
        table_layout(sh, true, sh->roots[t], 0, fs, 0, &total_vals, &total_feats);
    }
    sh->tab_vals = malloc((total_vals ? total_vals : 1) * sizeof *sh->tab_vals);
    sh->tab_feats = malloc((total_feats ? total_feats : 1) * sizeof *sh->tab_feats);
    size_t maxd = MAX_TABLE_DEPTH + 2;
    path_el *path = malloc((maxd * (maxd + 1) / 2 + 1) * sizeof *path);
    if (!sh->tab_vals || !sh->tab_feats || !path) {
        free(path);
        return LP_ENOMEM;
    }
    for (size_t t = 0; t < sh->n_trees; t++)
        if (sh->tabled[t] && !table_fill(sh, sh->roots[t], 0, path, 1.0f, 1.0f, -1, 0, 0))
            sh->tabled[t] = 0;
    free(path);
    return 0;
}

/* One row through a tabled tree: hot branch first, as tree_shap adds. */
static void table_walk(const walk *w, uint32_t node, unsigned depth, uint32_t pattern)
{
    const lp_xgb_shap *sh = w->sh;
    const snode *nd = &sh->nodes[node];
    if (nd->left < 0) {
        unsigned d = sh->leaf_d[node];
        const float *v = sh->tab_vals + sh->leaf_val[node] + (size_t)pattern * d;
        const uint32_t *f = sh->tab_feats + sh->leaf_f[node];
        for (unsigned k = 0; k < d; k++)
            w->phi[f[k]] += v[k];
        return;
    }
    float x = w->row[nd->feature];
    bool left = isnan(x)           ? nd->default_left
                : !nd->categorical ? x < nd->value
                                   : lp_xgb_native_goes_left(sh->nb, node, x);
    uint32_t hot = (uint32_t)(left ? nd->left : nd->right);
    uint32_t cold = (uint32_t)(left ? nd->right : nd->left);
    table_walk(w, hot, depth + 1, pattern | 1u << depth);
    table_walk(w, cold, depth + 1, pattern);
}

/* ---- rows over threads --------------------------------------------------------- */

/* Rows per task: enough to amortise the buffers, few enough to balance. */
#define TASK_ROWS 256

typedef struct job {
    const lp_xgb_shap *sh;
    const double *X;
    size_t rows;
    double *out;
    _Atomic bool failed; /* a task could not get its buffers */
} job;

/* Stack buffers of a task; larger models take the heap. */
#define STACK_FLOATS 2048

static void shap_rows(void *ctx, size_t task)
{
    const job *j = ctx;
    const lp_xgb_shap *sh = j->sh;
    size_t p = sh->p, G = sh->n_groups, W = p + 1;
    size_t maxd = sh->max_depth + 2, path_len = maxd * (maxd + 1) / 2 + 1;
    size_t need = p + W + G * W;
    float stack_buf[STACK_FLOATS];
    path_el stack_path[64];
    float *buf = need <= STACK_FLOATS ? stack_buf : malloc(need * sizeof *buf);
    path_el *path = path_len <= 64 ? stack_path : malloc(path_len * sizeof *path);
    size_t r0 = task * TASK_ROWS, r1 = r0 + TASK_ROWS < j->rows ? r0 + TASK_ROWS : j->rows;
    if (!buf || !path) {
        atomic_store(&((job *)ctx)->failed, true);
        goto done;
    }
    float *row = buf, *tmp = buf + p, *acc = buf + p + W;
    for (size_t k = 0; k < W; k++)
        tmp[k] = 0.0f;
    walk w = {.sh = sh, .row = row, .phi = tmp};
    for (size_t r = r0; r < r1; r++) {
        for (size_t k = 0; k < p; k++)
            row[k] = (float)j->X[r * p + k];
        for (size_t k = 0; k < G * W; k++)
            acc[k] = 0.0f;
        for (size_t t = 0; t < sh->n_trees; t++) {
            uint32_t root = sh->roots[t];
            float *a = acc + sh->groups[t] * W;
            tmp[p] = sh->nodes[root].mean; /* the tree's expected value */
            if (sh->tabled[t])
                table_walk(&w, root, 0, 0);
            else
                tree_shap(&w, root, 0, path, 1.0f, 1.0f, -1);
            for (size_t k = sh->feat_first[t]; k < sh->feat_first[t + 1]; k++) {
                uint32_t f = sh->feats[k];
                a[f] += tmp[f];
                tmp[f] = 0.0f;
            }
            a[p] += tmp[p];
        }
        for (size_t g = 0; g < G; g++)
            acc[g * W + p] += sh->base_margin;
        for (size_t k = 0; k < G * W; k++)
            j->out[r * G * W + k] = acc[k];
    }
done:
    if (buf != stack_buf) free(buf);
    if (path != stack_path) free(path);
}

int lp_xgb_shap_contributions(const lp_xgb_shap *sh, const double *X, size_t rows, double *out)
{
    job j = {.sh = sh, .X = X, .rows = rows, .out = out, .failed = false};
    size_t tasks = (rows + TASK_ROWS - 1) / TASK_ROWS;
    if (tasks == 1)
        shap_rows(&j, 0);
    else
        lp_ml_parallel(tasks, shap_rows, &j);
    return atomic_load(&j.failed) ? lp_error_set(LP_ENOMEM, "out of memory for TreeSHAP") : 0;
}
