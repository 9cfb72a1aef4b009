/*
 * xgb_native.c — see xgb_native.h. The trees come from the booster's JSON
 * model (XGBoosterSaveModelToBuffer, format "json"): its numbers are the
 * shortest decimal strings that read back as the same float, so reading
 * them as a double and rounding to float gives the stored float (a string
 * that is exactly halfway rounds the same way both times, to even).
 */
#include "ml/xgb_native.h"

#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lolpop/error.h"
#include "ml/xgb_api.h"

/* Wider models are left to libxgboost (a row is converted on the stack). */
#define MAX_FEATURES 1024 /* at most BLOCK_FLOATS */

typedef enum { OUT_IDENTITY, OUT_SIGMOID, OUT_SOFTMAX } out_kind;

/* One node; children are indices into lp_xgb_native.nodes, left < 0 on leaves. */
typedef struct nnode {
    float value; /* the split condition, or the leaf's value */
    uint32_t feature;
    int32_t left, right;
    uint32_t cat_first, cat_words; /* the category set: words of cat_bits */
    uint8_t default_left, categorical;
} nnode;

/* The layout the walk reads: 12 bytes a node, a node's two children side by
 * side (right = left + 1) so that the branch becomes an index, trees laid
 * out breadth first. Built from the nodes above once they are read. */
typedef struct wnode {
    union {
        float value;  /* a numerical split's condition, or a leaf's value */
        uint32_t cat; /* a categorical split: its index in lp_xgb_native.nodes */
    } u;
    uint32_t info; /* the split's feature and W_* flags */
    uint32_t left;
} wnode;

#define W_LEAF         0x80000000u
#define W_CATEGORICAL  0x40000000u
#define W_DEFAULT_LEFT 0x20000000u
#define W_FEATURE      0x0000ffffu /* MAX_FEATURES fits */

/* Values a probe row may take for one feature. */
typedef struct probe_set {
    float *v;
    size_t n, cap;
} probe_set;

struct lp_xgb_native {
    size_t n_features, n_groups, n_trees;
    nnode *nodes;
    size_t n_nodes;
    uint32_t *roots, *groups; /* per tree */
    wnode *walk;              /* n_nodes, in the walk's layout */
    uint32_t *walk_roots;     /* per tree */
    uint32_t *cat_bits;
    size_t n_cat_words;
    float *covers; /* per node: sum_hessian, for TreeSHAP (NULL when absent) */
    float base_margin;
    out_kind out;
    probe_set *probes; /* per feature */
};

/* ---- reading the JSON model ------------------------------------------------ */

static const char *str_at(json_t *o, const char *path0, const char *path1)
{
    json_t *v = json_object_get(o, path0);
    if (path1) v = json_object_get(v, path1);
    return json_string_value(v);
}

static int push_probe(probe_set *ps, float v)
{
    if (ps->n == ps->cap) {
        size_t cap = ps->cap ? 2 * ps->cap : 16;
        float *p = realloc(ps->v, cap * sizeof *p);
        if (!p) return lp_error_set(LP_ENOMEM, "out of memory");
        ps->v = p;
        ps->cap = cap;
    }
    ps->v[ps->n++] = v;
    return 0;
}

static size_t arr_len(json_t *o, const char *key)
{
    return json_array_size(json_object_get(o, key));
}

static double arr_num(json_t *o, const char *key, size_t i)
{
    return json_number_value(json_array_get(json_object_get(o, key), i));
}

/* The category set of node `nid` (categories_nodes / _segments / _sizes) as
 * a bitset appended to nb->cat_bits; 0 or an error. */
static int read_categories(lp_xgb_native *nb, json_t *tree, size_t k, nnode *nd, size_t cap_words)
{
    size_t first = (size_t)arr_num(tree, "categories_segments", k);
    size_t count = (size_t)arr_num(tree, "categories_sizes", k);
    uint32_t max_cat = 0;
    for (size_t j = 0; j < count; j++) {
        double c = arr_num(tree, "categories", first + j);
        if (c < 0 || c > (1 << 24)) return lp_error_set(LP_EINVAL, "category %g out of range", c);
        if ((uint32_t)c > max_cat) max_cat = (uint32_t)c;
    }
    size_t words = count ? max_cat / 32 + 1 : 0;
    if (nb->n_cat_words + words > cap_words) return lp_error_set(LP_EINVAL, "category sets");
    nd->cat_first = (uint32_t)nb->n_cat_words;
    nd->cat_words = (uint32_t)words;
    for (size_t j = 0; j < count; j++) {
        uint32_t c = (uint32_t)arr_num(tree, "categories", first + j);
        nb->cat_bits[nb->n_cat_words + c / 32] |= 1u << (c % 32);
    }
    nb->n_cat_words += words;
    return 0;
}

/* Appends tree `t` (JSON) to nb's nodes; its root index is nb->n_nodes before. */
static int read_tree(lp_xgb_native *nb, json_t *t, size_t cap_nodes, size_t cap_words)
{
    size_t n = arr_len(t, "left_children"), base = nb->n_nodes;
    if (n == 0 || arr_len(t, "right_children") != n || arr_len(t, "split_conditions") != n ||
        arr_len(t, "split_indices") != n || arr_len(t, "default_left") != n || base + n > cap_nodes)
        return lp_error_set(LP_EINVAL, "a tree's arrays disagree");
    bool typed = arr_len(t, "split_type") == n;
    if (arr_len(t, "sum_hessian") != n) {
        free(nb->covers); /* TreeSHAP needs every tree's covers */
        nb->covers = NULL;
    }
    for (size_t i = 0; i < n; i++) {
        nnode *nd = &nb->nodes[base + i];
        double l = arr_num(t, "left_children", i), r = arr_num(t, "right_children", i);
        nd->value = (float)arr_num(t, "split_conditions", i);
        if (nb->covers) nb->covers[base + i] = (float)arr_num(t, "sum_hessian", i);
        if (l < 0) {
            nd->left = nd->right = -1;
            continue;
        }
        if (l >= (double)n || r < 0 || r >= (double)n)
            return lp_error_set(LP_EINVAL, "a tree's child index is out of range");
        nd->left = (int32_t)(base + (size_t)l);
        nd->right = (int32_t)(base + (size_t)r);
        double f = arr_num(t, "split_indices", i);
        if (f < 0 || f >= (double)nb->n_features)
            return lp_error_set(LP_EINVAL, "a split uses feature %g of %zu", f, nb->n_features);
        nd->feature = (uint32_t)f;
        nd->default_left = arr_num(t, "default_left", i) != 0;
        nd->categorical = typed && arr_num(t, "split_type", i) != 0;
    }
    size_t n_cat = arr_len(t, "categories_nodes");
    for (size_t k = 0; k < n_cat; k++) {
        double nid = arr_num(t, "categories_nodes", k);
        if (nid < 0 || nid >= (double)n) return lp_error_set(LP_EINVAL, "a categorical node");
        int rc = read_categories(nb, t, k, &nb->nodes[base + (size_t)nid], cap_words);
        if (rc) return rc;
    }
    nb->n_nodes += n;
    return 0;
}

/* Tree t of nb->nodes (its n nodes from nb->roots[t] on) laid out in
 * nb->walk from index *next on: breadth first, children side by side.
 * queue: scratch of n entries. False when a node is reached twice (not a
 * tree: libxgboost never writes one, the walk then leaves the model alone). */
static bool lay_out_tree(lp_xgb_native *nb, size_t t, size_t n, uint32_t *queue, uint32_t *next)
{
    size_t head = 0, tail = 0;
    nb->walk_roots[t] = *next;
    queue[tail++] = nb->roots[t];
    (*next)++;
    for (uint32_t at = nb->walk_roots[t]; head < tail; at++, head++) {
        const nnode *nd = &nb->nodes[queue[head]];
        wnode *w = &nb->walk[at];
        if (nd->left < 0) {
            *w = (wnode){.u.value = nd->value, .info = W_LEAF};
            continue;
        }
        if (tail + 2 > n) return false;
        w->info = nd->feature | (nd->categorical ? W_CATEGORICAL : 0) |
                  (nd->default_left ? W_DEFAULT_LEFT : 0);
        if (nd->categorical)
            w->u.cat = queue[head];
        else
            w->u.value = nd->value;
        w->left = *next;
        queue[tail++] = (uint32_t)nd->left;
        queue[tail++] = (uint32_t)nd->right;
        *next += 2;
    }
    return true;
}

/* nb->walk from nb->nodes: 0, LP_ENOMEM, or 1 when the nodes are not trees. */
static int build_walk(lp_xgb_native *nb)
{
    nb->walk = calloc(nb->n_nodes ? nb->n_nodes : 1, sizeof *nb->walk);
    nb->walk_roots = calloc(nb->n_trees ? nb->n_trees : 1, sizeof *nb->walk_roots);
    uint32_t *queue = calloc(nb->n_nodes ? nb->n_nodes : 1, sizeof *queue);
    int rc = nb->walk && nb->walk_roots && queue ? 0 : lp_error_set(LP_ENOMEM, "out of memory");
    uint32_t next = 0;
    for (size_t t = 0; rc == 0 && t < nb->n_trees; t++) {
        size_t end = t + 1 < nb->n_trees ? nb->roots[t + 1] : nb->n_nodes;
        if (!lay_out_tree(nb, t, end - nb->roots[t], queue, &next)) rc = 1;
    }
    free(queue);
    return rc;
}

/* Split values (and just below them), categories, for the probe rows. */
static int collect_probes(lp_xgb_native *nb)
{
    nb->probes = calloc(nb->n_features, sizeof *nb->probes);
    if (!nb->probes) return lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t i = 0; i < nb->n_nodes; i++) {
        const nnode *nd = &nb->nodes[i];
        if (nd->left < 0) continue;
        probe_set *ps = &nb->probes[nd->feature];
        int rc = 0;
        if (!nd->categorical) {
            rc = push_probe(ps, nd->value);
            if (!rc) rc = push_probe(ps, nextafterf(nd->value, -INFINITY));
        } else {
            /* every code the set covers, one past its bitset, and a negative one */
            for (uint32_t c = 0; !rc && c <= nd->cat_words * 32 && c < 64; c++)
                rc = push_probe(ps, (float)c);
            if (!rc) rc = push_probe(ps, -1.0f);
        }
        if (rc) return rc;
    }
    return 0;
}

/* How the model's margin becomes its output, or -1 when the walk does not
 * reproduce this objective (libxgboost answers those). */
static int output_kind(const char *objective, out_kind *out)
{
    if (!objective) return -1;
    if (strcmp(objective, "reg:squarederror") == 0 || strcmp(objective, "binary:logitraw") == 0)
        *out = OUT_IDENTITY;
    else if (strcmp(objective, "binary:logistic") == 0)
        *out = OUT_SIGMOID;
    else if (strcmp(objective, "multi:softprob") == 0)
        *out = OUT_SOFTMAX;
    else
        return -1;
    return 0;
}

/* The base margin: learner_model_param.base_score through the objective's
 * ProbToMargin (logistic objectives: the logit, in float as libxgboost). */
static float base_margin(const char *base_score, const char *objective)
{
    float b = strtof(base_score, NULL);
    if (strncmp(objective, "binary:", 7) == 0) return -logf(1.0f / b - 1.0f);
    return b;
}

/* Fills nb from the parsed model; *supported false when the walk does not
 * reproduce it. */
static int compile_json(lp_xgb_native *nb, json_t *root, int iter_end, bool *supported)
{
    json_t *learner = json_object_get(root, "learner");
    json_t *gb = json_object_get(learner, "gradient_booster");
    const char *objective = str_at(learner, "objective", "name");
    const char *base_score = str_at(learner, "learner_model_param", "base_score");
    const char *num_class = str_at(learner, "learner_model_param", "num_class");
    const char *booster = str_at(gb, "name", NULL);
    json_t *model = json_object_get(gb, "model");
    json_t *trees = json_object_get(model, "trees"), *info = json_object_get(model, "tree_info");
    const char *parallel = str_at(model, "gbtree_model_param", "num_parallel_tree");
    *supported = false;
    if (nb->n_features > MAX_FEATURES || !booster || strcmp(booster, "gbtree") != 0 ||
        !base_score || !num_class || !trees || output_kind(objective, &nb->out) != 0 ||
        json_array_size(info) != json_array_size(trees))
        return 0;
    long classes = strtol(num_class, NULL, 10);
    nb->n_groups = classes > 1 ? (size_t)classes : 1;
    if ((nb->out == OUT_SOFTMAX) != (nb->n_groups > 1)) return 0;
    size_t per_round = nb->n_groups * (size_t)(parallel ? strtol(parallel, NULL, 10) : 1);
    nb->n_trees = json_array_size(trees);
    if (iter_end > 0 && per_round * (size_t)iter_end < nb->n_trees)
        nb->n_trees = per_round * (size_t)iter_end;
    nb->base_margin = base_margin(base_score, objective);

    size_t cap_nodes = 0, cap_words = 0;
    for (size_t t = 0; t < nb->n_trees; t++) {
        json_t *tree = json_array_get(trees, t);
        cap_nodes += arr_len(tree, "left_children");
        for (size_t k = 0; k < arr_len(tree, "categories_nodes"); k++) {
            size_t first = (size_t)arr_num(tree, "categories_segments", k);
            size_t count = (size_t)arr_num(tree, "categories_sizes", k);
            double max = 0;
            for (size_t j = 0; j < count; j++)
                max = fmax(max, arr_num(tree, "categories", first + j));
            cap_words += max < (1 << 24) ? (size_t)max / 32 + 1 : 0;
        }
    }
    nb->nodes = calloc(cap_nodes ? cap_nodes : 1, sizeof *nb->nodes);
    nb->roots = calloc(nb->n_trees ? nb->n_trees : 1, sizeof *nb->roots);
    nb->groups = calloc(nb->n_trees ? nb->n_trees : 1, sizeof *nb->groups);
    nb->cat_bits = calloc(cap_words ? cap_words : 1, sizeof *nb->cat_bits);
    nb->covers = calloc(cap_nodes ? cap_nodes : 1, sizeof *nb->covers);
    if (!nb->covers || !nb->nodes || !nb->roots || !nb->groups || !nb->cat_bits)
        return lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t t = 0; t < nb->n_trees; t++) {
        double g = json_number_value(json_array_get(info, t));
        if (g < 0 || g >= (double)nb->n_groups) return 0;
        nb->roots[t] = (uint32_t)nb->n_nodes;
        nb->groups[t] = (uint32_t)g;
        int rc = read_tree(nb, json_array_get(trees, t), cap_nodes, cap_words);
        if (rc) return rc;
    }
    int walk = build_walk(nb);
    if (walk) return walk == 1 ? 0 : walk;
    *supported = true;
    return collect_probes(nb);
}

/* A copy of XGBoost's JSON (len bytes) that jansson reads (new, caller
 * frees; NULL when out of memory): its non-standard NaN (a categorical
 * node's unused split condition) becomes 0 and ±Infinity ±1e300, which
 * rounds to a float infinity, each padded to the token's length so the rest
 * of the text does not move. Text inside strings is left alone. */
static char *standard_json(const char *buf, size_t len)
{
    char *s = malloc(len ? len : 1);
    if (!s) return NULL;
    memcpy(s, buf, len);
    bool in_string = false;
    for (size_t i = 0; i < len; i++) {
        if (in_string) {
            if (s[i] == '\\')
                i++;
            else if (s[i] == '"')
                in_string = false;
        } else if (s[i] == '"') {
            in_string = true;
        } else if (len - i >= 3 && memcmp(s + i, "NaN", 3) == 0) {
            memcpy(s + i, "0  ", 3);
            i += 2;
        } else if (len - i >= 8 && memcmp(s + i, "Infinity", 8) == 0) {
            memcpy(s + i, "1e300   ", 8);
            i += 7;
        }
    }
    return s;
}

int lp_xgb_native_compile(lp_xgb_native **out, void *bst, int iter_end, size_t n_features)
{
    *out = NULL;
    bst_ulong len = 0;
    const char *buf = NULL;
    if (XGBoosterSaveModelToBuffer(bst, "{\"format\": \"json\"}", &len, &buf))
        return lp_error_set(LP_ERROR, "XGBoost could not write its model as JSON: %s",
                            XGBGetLastError());
    char *text = standard_json(buf, len);
    if (!text) return lp_error_set(LP_ENOMEM, "out of memory");
    json_error_t jerr;
    json_t *root = json_loadb(text, len, 0, &jerr);
    free(text);
    if (!root) return lp_error_set(LP_ERROR, "XGBoost's JSON model: %s", jerr.text);
    lp_xgb_native *nb = calloc(1, sizeof *nb);
    if (!nb) {
        json_decref(root);
        return lp_error_set(LP_ENOMEM, "out of memory");
    }
    nb->n_features = n_features;
    bool supported = false;
    int rc = compile_json(nb, root, iter_end, &supported);
    json_decref(root);
    if (rc || !supported) {
        lp_xgb_native_free(nb);
        /* a model the walk does not reproduce (or does not parse) is not an error */
        return rc == LP_ENOMEM ? rc : 0;
    }
    *out = nb;
    return 0;
}

/* ---- walking the trees ----------------------------------------------------- */

/* Whether code v goes left at categorical node nd: libxgboost (1.6) sends a
 * code in the set right; a negative code, or one beyond the set's bitset,
 * left. */
static bool category_left(const lp_xgb_native *nb, const nnode *nd, float v)
{
    if (!(v >= 0.0f) || v >= (float)(nd->cat_words * 32)) return true;
    uint32_t c = (uint32_t)(int32_t)v;
    return !((nb->cat_bits[nd->cat_first + c / 32] >> (c % 32)) & 1u);
}

/* The node after nd for row (nd not a leaf). */
static inline uint32_t step(const lp_xgb_native *nb, const wnode *nd, const float *row)
{
    uint32_t info = nd->info;
    float v = row[info & W_FEATURE];
    uint32_t right;
    if (v != v) /* missing: the node's default direction */
        right = !(info & W_DEFAULT_LEFT);
    else if (!(info & W_CATEGORICAL))
        right = !(v < nd->u.value);
    else
        right = !category_left(nb, &nb->nodes[nd->u.cat], v);
    return nd->left + right;
}

/* Trees walked side by side for one row: their walks are independent, so
 * the processor overlaps their loads instead of waiting on one chain. */
#define LANES 4

/* The leaf values of trees [t, t + LANES) for row, into leaf[]. */
static inline void leaves_of(const lp_xgb_native *nb, size_t t, const float *row, float *leaf)
{
    const wnode *w = nb->walk;
    uint32_t at[LANES];
    for (size_t k = 0; k < LANES; k++)
        at[k] = nb->walk_roots[t + k];
    for (bool more = true; more;) {
        more = false;
        for (size_t k = 0; k < LANES; k++) {
            const wnode *nd = &w[at[k]];
            if (nd->info & W_LEAF) continue;
            at[k] = step(nb, nd, row);
            more = true;
        }
    }
    for (size_t k = 0; k < LANES; k++)
        leaf[k] = w[at[k]].u.value;
}

/* The leaf value of tree t for row. */
static inline float leaf_of(const lp_xgb_native *nb, size_t t, const float *row)
{
    const wnode *w = nb->walk;
    uint32_t at = nb->walk_roots[t];
    while (!(w[at].info & W_LEAF))
        at = step(nb, &w[at], row);
    return w[at].u.value;
}

/* libxgboost's softmax of k margins in place (max-shifted exp, double sum). */
static void softmax(float *p, size_t k)
{
    float wmax = p[0];
    for (size_t i = 1; i < k; i++)
        wmax = fmaxf(p[i], wmax);
    double wsum = 0.0;
    for (size_t i = 0; i < k; i++) {
        p[i] = expf(p[i] - wmax);
        wsum += p[i];
    }
    for (size_t i = 0; i < k; i++)
        p[i] /= (float)wsum;
}

size_t lp_xgb_native_outputs(const lp_xgb_native *nb)
{
    return nb->n_groups;
}

/* Floats of converted rows kept on the stack: a block of rows walks each
 * tree in turn (as libxgboost's blocks of 64 do), so a tree's nodes stay in
 * cache across the block instead of every row walking the whole model. */
#define BLOCK_FLOATS 4096

void lp_xgb_native_predict(const lp_xgb_native *nb, const double *X, size_t rows, float *res)
{
    size_t p = nb->n_features, k = nb->n_groups;
    size_t block = p ? BLOCK_FLOATS / p : 64;
    block = block > 64 ? 64 : block ? block : 1;
    float rowbuf[BLOCK_FLOATS];
    for (size_t r0 = 0; r0 < rows; r0 += block) {
        size_t n = rows - r0 < block ? rows - r0 : block;
        for (size_t i = 0; i < n * p; i++)
            rowbuf[i] = (float)X[r0 * p + i];
        float *out = res + r0 * k;
        for (size_t i = 0; i < n * k; i++)
            out[i] = nb->base_margin;
        /* per row, the trees are still added in tree order: libxgboost's sums */
        size_t t = 0;
        for (; t + LANES <= nb->n_trees; t += LANES)
            for (size_t i = 0; i < n; i++) {
                float leaf[LANES];
                leaves_of(nb, t, rowbuf + i * p, leaf);
                for (size_t l = 0; l < LANES; l++)
                    out[i * k + nb->groups[t + l]] += leaf[l];
            }
        for (; t < nb->n_trees; t++)
            for (size_t i = 0; i < n; i++)
                out[i * k + nb->groups[t]] += leaf_of(nb, t, rowbuf + i * p);
        for (size_t i = 0; i < n; i++) {
            if (nb->out == OUT_SIGMOID)
                out[i * k] = 1.0f / (1.0f + expf(-out[i * k]));
            else if (nb->out == OUT_SOFTMAX)
                softmax(out + i * k, k);
        }
    }
}

/* ---- the trees, for TreeSHAP (xgb_shap.c) --------------------------------- */

size_t lp_xgb_native_n_trees(const lp_xgb_native *nb)
{
    return nb->n_trees;
}

void lp_xgb_native_tree(const lp_xgb_native *nb, size_t t, uint32_t *root, uint32_t *group)
{
    *root = nb->roots[t];
    *group = nb->groups[t];
}

bool lp_xgb_native_has_covers(const lp_xgb_native *nb)
{
    return nb->covers != NULL;
}

void lp_xgb_native_node_get(const lp_xgb_native *nb, uint32_t i, lp_xgb_native_node *out)
{
    const nnode *nd = &nb->nodes[i];
    out->value = nd->value;
    out->cover = nb->covers ? nb->covers[i] : 0.0f;
    out->feature = nd->feature;
    out->left = nd->left;
    out->right = nd->right;
    out->default_left = nd->default_left;
    out->categorical = nd->categorical;
}

bool lp_xgb_native_goes_left(const lp_xgb_native *nb, uint32_t i, float v)
{
    const nnode *nd = &nb->nodes[i];
    if (isnan(v)) return nd->default_left;
    return nd->categorical ? category_left(nb, nd, v) : v < nd->value;
}

float lp_xgb_native_base_margin(const lp_xgb_native *nb)
{
    return nb->base_margin;
}

size_t lp_xgb_native_n_features(const lp_xgb_native *nb)
{
    return nb->n_features;
}

/* ---- probes ---------------------------------------------------------------- */

void lp_xgb_native_probes(const lp_xgb_native *nb, double *X, size_t rows)
{
    uint64_t s = 0x9e3779b97f4a7c15u;
    for (size_t r = 0; r < rows; r++)
        for (size_t j = 0; j < nb->n_features; j++) {
            s = s * 6364136223846793005u + 1442695040888963407u;
            const probe_set *ps = &nb->probes[j];
            uint64_t pick = s >> 33;
            X[r * nb->n_features + j] =
                ps->n == 0 || pick % 8 == 0 ? NAN : (double)ps->v[(pick / 8) % ps->n];
        }
}

void lp_xgb_native_free(lp_xgb_native *nb)
{
    if (!nb) return;
    for (size_t j = 0; nb->probes && j < nb->n_features; j++)
        free(nb->probes[j].v);
    free(nb->probes);
    free(nb->nodes);
    free(nb->walk);
    free(nb->walk_roots);
    free(nb->roots);
    free(nb->groups);
    free(nb->cat_bits);
    free(nb->covers);
    free(nb);
}
