/*
 * knn.c — a model trainer in a plugin: KNNModelTrainer, k-nearest neighbours,
 * with its own model back-end "knn" registered next to the class, so that its
 * models are stored, loaded back, compared with the deployed version, bundled
 * and used for prediction exactly like the built-in trainers' models.
 *
 *   model_trainer:
 *     config:
 *       k: 7               # neighbours (default 5); training_params.k overrides
 *
 * - Classification (problem_type classification, or a string, category or
 *   bool target): the k nearest training rows vote; the probability of a
 *   class is its share of the k votes; the label is the class with the most
 *   votes (ties: the class that sorts first).
 * - Regression (problem_type regression, or a float64 target): the mean of
 *   the k nearest rows' targets.
 * - Distance: Euclidean over the features. Numeric features are standardised
 *   with the training mean and standard deviation (1 for a constant
 *   feature); a missing value counts as the mean. A categorical (string)
 *   feature counts as its one-hot columns scaled by 1/sqrt(2): two rows with
 *   different categories are 1 apart on it, equal ones 0; a missing or unseen
 *   category is a category of its own.
 * - Ties in distance: the training row that comes first wins.
 *
 * The model's back-end state is the training rows (standardised) and their
 * targets: that is what a k-NN model is. Written only against the installed
 * public headers: <lolpop.h> (model.h for the back-end, trainer_kit.h for the
 * trainer's methods).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lolpop.h>

#define KNN_MAGIC     "LPKNN1\0\0"
#define KNN_MAGIC_LEN 8
#define KNN_DEFAULT_K 5

/* ---- the model back-end "knn" ------------------------------------------------ */

/* Training rows, standardised, and their targets (class index or value). */
typedef struct knn_state {
    uint64_t k, rows, p;
    double *mean, *scale; /* p each: (x - mean) / scale; 0 / 1 for categorical features */
    double *X;            /* rows x p, row-major; NaN only for a missing category */
    double *y;            /* rows */
} knn_state;

static void knn_free(void *state)
{
    knn_state *s = state;
    if (!s) return;
    free(s->mean);
    free(s->scale);
    free(s->X);
    free(s->y);
    free(s);
}

/* A state with room for rows x p (NULL on OOM, the error set). */
static knn_state *knn_alloc(uint64_t k, uint64_t rows, uint64_t p)
{
    knn_state *s = calloc(1, sizeof *s);
    if (s) {
        s->k = k;
        s->rows = rows;
        s->p = p;
        s->mean = calloc(p ? p : 1, sizeof *s->mean);
        s->scale = calloc(p ? p : 1, sizeof *s->scale);
        s->X = calloc(rows && p ? rows * p : 1, sizeof *s->X);
        s->y = calloc(rows ? rows : 1, sizeof *s->y);
    }
    if (!s || !s->mean || !s->scale || !s->X || !s->y) {
        knn_free(s);
        lp_error_set(LP_ENOMEM, "knn: out of memory");
        return NULL;
    }
    return s;
}

/* Feature j of a raw row (lp_model_matrix's encoding) as stored. */
static double standardise(const knn_state *s, const lp_model *m, size_t j, double x)
{
    if (lp_model_feature_is_categorical(m, j)) return x; /* a code, or NaN */
    return isnan(x) ? 0.0 : (x - s->mean[j]) / s->scale[j];
}

/* Squared distance of a standardised query q to training row i. */
static double distance2(const knn_state *s, const lp_model *m, const double *q, size_t i)
{
    const double *t = s->X + i * s->p;
    double d = 0;
    for (size_t j = 0; j < s->p; j++) {
        if (lp_model_feature_is_categorical(m, j)) {
            bool same = (isnan(q[j]) && isnan(t[j])) || q[j] == t[j];
            d += same ? 0.0 : 1.0;
        } else {
            d += (q[j] - t[j]) * (q[j] - t[j]);
        }
    }
    return d;
}

/* The k nearest rows to q into best[0..n) (n returned), nearest first. */
static size_t nearest(const knn_state *s, const lp_model *m, const double *q, size_t *best,
                      double *dist)
{
    size_t n = 0, k = s->k < s->rows ? (size_t)s->k : (size_t)s->rows;
    for (size_t i = 0; i < s->rows; i++) {
        double d = distance2(s, m, q, i);
        if (n == k && d >= dist[n - 1]) continue; /* not nearer than the k-th: earlier rows win */
        size_t at = n < k ? n++ : n - 1;
        while (at > 0 && dist[at - 1] > d) {
            dist[at] = dist[at - 1];
            best[at] = best[at - 1];
            at--;
        }
        dist[at] = d;
        best[at] = i;
    }
    return n;
}

/* One prediction row: vote shares per class, or the mean target. */
static int predict_row(const knn_state *s, const lp_model *m, const size_t *best, size_t n,
                       double *out)
{
    size_t n_out = lp_model_n_outputs(m);
    if (lp_model_task_of(m) == LP_MODEL_REGRESSION) {
        double sum = 0;
        for (size_t i = 0; i < n; i++)
            sum += s->y[best[i]];
        out[0] = sum / (double)n;
        return 0;
    }
    for (size_t c = 0; c < n_out; c++)
        out[c] = 0;
    for (size_t i = 0; i < n; i++) {
        double c = s->y[best[i]];
        if (!(c >= 0 && c < (double)n_out))
            return lp_error_set(LP_EINVAL, "knn: a training row has class %g of %zu", c, n_out);
        out[(size_t)c] += 1.0 / (double)n;
    }
    return 0;
}

static int knn_predict(void *state, const lp_model *m, const double *X, size_t rows, double *out)
{
    const knn_state *s = state;
    if (s->p != lp_model_n_features(m))
        return lp_error_set(LP_EINVAL, "knn: the model has %zu features, its rows %llu",
                            lp_model_n_features(m), (unsigned long long)s->p);
    size_t k = (size_t)s->k, n_out = lp_model_n_outputs(m);
    size_t *best = malloc(k * sizeof *best);
    double *dist = malloc(k * sizeof *dist), *q = malloc((s->p ? s->p : 1) * sizeof *q);
    int rc = best && dist && q ? 0 : lp_error_set(LP_ENOMEM, "knn: out of memory");
    for (size_t r = 0; rc == 0 && r < rows; r++) {
        for (size_t j = 0; j < s->p; j++)
            q[j] = standardise(s, m, j, X[r * s->p + j]);
        size_t n = nearest(s, m, q, best, dist);
        rc = predict_row(s, m, best, n, out + r * n_out);
    }
    free(best);
    free(dist);
    free(q);
    return rc;
}

/* Bytes: magic, k, rows, p (u64 each, native order), then the doubles of
 * mean[p], scale[p], X[rows*p] and y[rows]. */
static int knn_save(void *state, uint8_t **out, size_t *len)
{
    const knn_state *s = state;
    size_t n_doubles = 2 * s->p + s->rows * s->p + s->rows;
    size_t size = KNN_MAGIC_LEN + 3 * sizeof(uint64_t) + n_doubles * sizeof(double);
    uint8_t *buf = malloc(size), *at = buf;
    if (!buf) return lp_error_set(LP_ENOMEM, "knn: out of memory saving a model");
    memcpy(at, KNN_MAGIC, KNN_MAGIC_LEN);
    at += KNN_MAGIC_LEN;
    const uint64_t head[3] = {s->k, s->rows, s->p};
    memcpy(at, head, sizeof head);
    at += sizeof head;
    const struct {
        const double *v;
        size_t n;
    } parts[] = {{s->mean, s->p}, {s->scale, s->p}, {s->X, s->rows * s->p}, {s->y, s->rows}};
    for (size_t i = 0; i < 4; i++) {
        memcpy(at, parts[i].v, parts[i].n * sizeof(double));
        at += parts[i].n * sizeof(double);
    }
    *out = buf;
    *len = size;
    return 0;
}

/* The state knn_save wrote; every size is checked against len first. */
static int knn_load(void **state, const uint8_t *blob, size_t len)
{
    uint64_t head[3];
    size_t fixed = KNN_MAGIC_LEN + sizeof head;
    if (len < fixed || memcmp(blob, KNN_MAGIC, KNN_MAGIC_LEN) != 0)
        return lp_error_set(LP_EINVAL, "knn: not a saved k-NN model");
    memcpy(head, blob + KNN_MAGIC_LEN, sizeof head);
    uint64_t k = head[0], rows = head[1], p = head[2], room = (len - fixed) / sizeof(double);
    /* rows and p are bounded by the bytes present before any product is formed */
    if (k < 1 || rows < 1 || p > room || rows > room || (p && rows > room / p) ||
        2 * p + rows * p + rows != room || (len - fixed) % sizeof(double))
        return lp_error_set(LP_EINVAL, "knn: a damaged model (k %llu, %llu rows x %llu)",
                            (unsigned long long)k, (unsigned long long)rows, (unsigned long long)p);
    knn_state *s = knn_alloc(k, rows, p);
    if (!s) return LP_ENOMEM;
    const uint8_t *at = blob + fixed;
    double *parts[] = {s->mean, s->scale, s->X, s->y};
    size_t sizes[] = {p, p, rows * p, rows};
    for (size_t i = 0; i < 4; i++) {
        memcpy(parts[i], at, sizes[i] * sizeof(double));
        at += sizes[i] * sizeof(double);
    }
    *state = s;
    return 0;
}

static const lp_model_ops knn_ops = {
    .size = sizeof(lp_model_ops),
    .name = "knn",
    .load = knn_load,
    .predict = knn_predict,
    .save = knn_save,
    .free = knn_free,
    .has_probabilities = NULL, /* vote shares are probabilities */
};

/* ---- training ------------------------------------------------------------------ */

static bool is_text(lp_dtype t)
{
    return t == LP_DT_STRING || t == LP_DT_CATEGORY;
}

/* Row i of a column as label text (into buf, borrowed). */
static const char *label_text(const lp_column *c, size_t i, char *buf, size_t size)
{
    size_t len = 0;
    const char *s;
    switch (c->type) {
    case LP_DT_STRING:
    case LP_DT_CATEGORY:
        s = lp_column_str(c, i, &len);
        snprintf(buf, size, "%.*s", (int)len, s ? s : "");
        break;
    case LP_DT_BOOL:
        snprintf(buf, size, "%s", c->data.b8[i] ? "true" : "false");
        break;
    case LP_DT_INT64:
        snprintf(buf, size, "%lld", (long long)c->data.i64[i]);
        break;
    default:
        snprintf(buf, size, "%.17g", lp_column_get_f64(c, i));
    }
    return buf;
}

/* A malloc'ed copy of s (strdup is POSIX, not C17). */
static char *copy_text(const char *s)
{
    size_t n = strlen(s) + 1;
    char *c = malloc(n);
    return c ? memcpy(c, s, n) : NULL;
}

/* Sorted distinct strings (malloc'ed copies). */
typedef struct strset {
    char **v;
    size_t n;
    bool numeric; /* sort as numbers */
} strset;

/* How strset_cmp orders: qsort has no context argument in C17, and training
 * runs on one thread per trainer call. */
static _Thread_local int strset_cmp_numeric;
static int strset_cmp(const void *a, const void *b)
{
    const char *x = *(char *const *)a, *y = *(char *const *)b;
    if (strset_cmp_numeric) {
        double dx = strtod(x, NULL), dy = strtod(y, NULL);
        if (dx != dy) return dx < dy ? -1 : 1;
    }
    return strcmp(x, y);
}

static void strset_free(strset *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i]);
    free(s->v);
    s->v = NULL;
    s->n = 0;
}

/* The distinct non-missing values of c as text, sorted (numbers as numbers,
 * as scikit-learn's LabelEncoder orders classes). */
static int strset_of(strset *out, const lp_column *c)
{
    out->v = calloc(c->length ? c->length : 1, sizeof *out->v);
    out->n = 0;
    out->numeric = !is_text(c->type) && c->type != LP_DT_BOOL;
    if (!out->v) return lp_error_set(LP_ENOMEM, "knn: out of memory");
    char buf[512];
    for (size_t i = 0; i < c->length; i++) {
        if (!lp_column_is_valid(c, i)) continue;
        if (!(out->v[out->n] = copy_text(label_text(c, i, buf, sizeof buf)))) {
            strset_free(out);
            return lp_error_set(LP_ENOMEM, "knn: out of memory");
        }
        out->n++;
    }
    strset_cmp_numeric = out->numeric;
    qsort(out->v, out->n, sizeof *out->v, strset_cmp);
    size_t w = 0;
    for (size_t i = 0; i < out->n; i++) {
        if (w && strcmp(out->v[w - 1], out->v[i]) == 0)
            free(out->v[i]);
        else
            out->v[w++] = out->v[i];
    }
    out->n = w;
    return 0;
}

static long strset_find(const strset *s, const char *x)
{
    strset_cmp_numeric = s->numeric;
    char **hit = bsearch(&x, s->v, s->n, sizeof *s->v, strset_cmp);
    return hit ? (long)(hit - s->v) : -1;
}

/* Whether training classifies: problem_type, else the target's type. */
static bool classifies(lp_obj *self, const lp_column *y, int *rc)
{
    lp_problem problem = LP_PROBLEM_NONE;
    *rc = lp_trainer_problem(self, &problem);
    if (problem != LP_PROBLEM_NONE) return problem == LP_PROBLEM_CLASSIFICATION;
    return y->type != LP_DT_FLOAT64;
}

/* The model's features: X's columns, string ones with their categories. */
static int add_features(lp_model *m, const lp_frame *X)
{
    for (size_t j = 0; j < lp_frame_cols(X); j++) {
        const lp_column *c = lp_frame_col(X, j);
        int rc = lp_model_add_feature(m, lp_frame_name(X, j), c->type);
        if (rc || !is_text(c->type)) {
            if (rc) return rc;
            continue;
        }
        strset cats;
        if ((rc = strset_of(&cats, c)) != 0) return rc;
        for (size_t i = 0; rc == 0 && i < cats.n; i++)
            rc = lp_model_add_category(m, j, cats.v[i], strlen(cats.v[i]));
        strset_free(&cats);
        if (rc) return rc;
    }
    return 0;
}

/* Training mean and standard deviation of each numeric feature, then the
 * rows standardised into s->X. raw: rows x p as lp_model_matrix encodes. */
static void fit_scaling(knn_state *s, const lp_model *m, const double *raw)
{
    for (size_t j = 0; j < s->p; j++) {
        double sum = 0, sq = 0;
        size_t n = 0;
        for (size_t i = 0; i < s->rows; i++) {
            double x = raw[i * s->p + j];
            if (!isnan(x)) sum += x, n++;
        }
        double mean = n ? sum / (double)n : 0;
        for (size_t i = 0; i < s->rows; i++) {
            double x = raw[i * s->p + j];
            if (!isnan(x)) sq += (x - mean) * (x - mean);
        }
        double sd = n ? sqrt(sq / (double)n) : 0;
        bool cat = lp_model_feature_is_categorical(m, j);
        s->mean[j] = cat ? 0 : mean;
        s->scale[j] = cat || !(sd > 0) ? 1 : sd;
    }
    for (size_t i = 0; i < s->rows; i++)
        for (size_t j = 0; j < s->p; j++)
            s->X[i * s->p + j] = standardise(s, m, j, raw[i * s->p + j]);
}

/* The targets: class index in `classes`, or the value (regression). */
static int fill_targets(knn_state *s, const lp_column *y, const strset *classes)
{
    char buf[512];
    for (size_t i = 0; i < s->rows; i++) {
        if (!lp_column_is_valid(y, i))
            return lp_error_set(LP_EINVAL, "KNNModelTrainer: target row %zu is missing", i + 1);
        s->y[i] = classes ? (double)strset_find(classes, label_text(y, i, buf, sizeof buf))
                          : lp_column_get_f64(y, i);
    }
    return 0;
}

/* A model of y on X's columns: metadata first, then the state it encodes. */
static int build_model(lp_model **out, const lp_frame *X, const lp_column *y, const char *target,
                       bool classify, uint64_t k)
{
    strset classes = {0};
    int rc = classify ? strset_of(&classes, y) : 0;
    if (rc == 0 && classify && classes.n < 2)
        rc = lp_error_set(LP_EINVAL, "KNNModelTrainer: target '%s' needs two or more classes",
                          target);
    size_t rows = lp_frame_rows(X), p = lp_frame_cols(X);
    knn_state *s = rc == 0 ? knn_alloc(k, rows, p) : NULL;
    lp_model_task task = !classify        ? LP_MODEL_REGRESSION
                         : classes.n == 2 ? LP_MODEL_BINARY
                                          : LP_MODEL_MULTICLASS;
    lp_model *m = s ? lp_model_new(&knn_ops, s, task, target, y->type) : NULL;
    if (rc == 0 && !m) rc = lp_error_last()->code;
    for (size_t c = 0; rc == 0 && c < classes.n; c++)
        rc = lp_model_add_class(m, classes.v[c]);
    if (rc == 0) rc = add_features(m, X);
    double *raw = NULL;
    if (rc == 0) rc = lp_model_matrix(&raw, m, X);
    if (rc == 0) {
        fit_scaling(s, m, raw);
        rc = fill_targets(s, y, classify ? &classes : NULL);
    }
    free(raw);
    strset_free(&classes);
    if (rc) {
        lp_model_unref(m);
        return rc;
    }
    *out = m;
    return 0;
}

/* params.k, else config `k`, else 5: checked, and written into params so the
 * model (and the experiment) records the k it was trained with. */
static int knn_resolve(lp_obj *self, lp_value *params, lp_problem problem, const lp_frame *y_train)
{
    (void)problem;
    (void)y_train;
    lp_value *given = lp_map_get(params, "k");
    lp_value *config = given ? NULL : lp_obj_config(self, "k");
    const lp_value *v = given ? given : config;
    int rc = 0;
    if (v && (lp_value_type(v) != LP_INT || lp_value_as_int(v) < 1)) {
        const lp_origin *o = lp_value_origin(v);
        rc = o && o->kind == LP_ORIGIN_FILE
                 ? lp_error_set_at(LP_ECONFIG, o->source, o->line, o->col,
                                   "KNNModelTrainer (%s): k must be an integer >= 1",
                                   lp_trainer_path(self))
                 : lp_error_set(LP_ECONFIG, "KNNModelTrainer (%s): k must be an integer >= 1",
                                lp_trainer_path(self));
    }
    int64_t k = v ? lp_value_as_int(v) : KNN_DEFAULT_K;
    if (rc == 0 && !given) rc = lp_map_set(params, "k", lp_value_int(k));
    lp_value_unref(config);
    return rc;
}

static int knn_train(lp_model **out, lp_obj *self, lp_trainer_data *d, const lp_value *params)
{
    const lp_column *y = lp_frame_col(d->y_train, 0);
    const char *target = lp_frame_name(d->y_train, 0);
    int rc = 0;
    bool classify = classifies(self, y, &rc);
    uint64_t k = (uint64_t)lp_value_as_int(lp_map_get(params, "k"));
    if (rc == 0 && lp_frame_rows(d->X_train) == 0)
        rc = lp_error_set(LP_EINVAL, "KNNModelTrainer: no training rows");
    if (rc == 0) rc = build_model(out, d->X_train, y, target, classify, k);
    if (rc == 0) rc = lp_model_set_params(*out, lp_value_copy(params));
    if (rc) return rc;
    lp_log(self, LP_LOG_INFO, "k-NN (k=%llu, %s) on %zu rows x %zu features", (unsigned long long)k,
           classify ? "vote" : "mean", lp_frame_rows(d->X_train), lp_frame_cols(d->X_train));
    return 0;
}

/* ---- the class: the trainer kit's methods around this back-end ---------------- */

static const char *const knn_param_names[] = {"k", NULL};

static const lp_trainer_backend knn_backend = {
    .size = sizeof(lp_trainer_backend),
    .cls = "KNNModelTrainer",
    .library = "k-NN",
    .param_names = knn_param_names,
    .resolve = knn_resolve,
    .train = knn_train,
};

static int knn_init(lp_obj *self)
{
    return lp_trainer_init(self, &knn_backend);
}

static const lp_method knn_methods[] = {
    {"fit", lp_trainer_fit, "fit(splits, params?) -> model: keeps the training rows"},
    {"predict", lp_trainer_predict, "predict(frame, model?) -> predictions: the k-NN vote or mean"},
    {"predict_proba", lp_trainer_predict_proba,
     "predict_proba(frame, model?) -> probabilities: vote shares, probability_<label>"},
    {"calculate_metrics", lp_trainer_calculate_metrics,
     "calculate_metrics(splits, predictions, metrics, model?) -> metrics per split"},
    {"save", lp_trainer_save, "save(path, model?) -> null: the model file (back-end knn)"},
    {"load", lp_trainer_load, "load(path) -> null: the saved model becomes the trainer's model"},
    {NULL, NULL, NULL},
};

static const lp_config_key knn_keys[] = {
    {"k", "int", "neighbours that vote (classification) or are averaged (regression); default 5"},
    {"training_params", "map", "{k: N} overrides k (what a hyperparameter tuner sets)"},
    LP_TRAINER_PROBLEM_TYPE_KEY,
    {NULL, NULL, NULL},
};

static const char *const knn_requirements[] = {NULL};

static const lp_class knn_class = {
    .name = "KNNModelTrainer",
    .kind = LP_KIND_COMPONENT,
    .type = "model_trainer",
    .doc = "k-nearest neighbours: classification by majority vote (probabilities are vote "
           "shares), regression by the mean of the neighbours. Numeric features standardised "
           "with the training mean and standard deviation; a string feature counts 1 when the "
           "categories differ. Its models use the plugin's model back-end 'knn'.",
    .defaults_yaml = NULL,
    .requirements = knn_requirements,
    .config_keys = knn_keys,
    .methods = knn_methods,
    .state_size = sizeof(lp_trainer_state),
    .init = knn_init,
    .fini = lp_trainer_fini,
};

/* The back-end first: the class's models need it to load back. */
static int knn_plugin_init(lp_registry *reg)
{
    int rc = lp_registry_add_model_backend(reg, &knn_ops);
    return rc ? rc : lp_registry_add_class(reg, &knn_class);
}

LP_PLUGIN_DEFINE("knn", "0.1.0", knn_plugin_init)
