/* xgb.c — the XGBoost back-end of lp_model: training loop with early
 * stopping, prediction, save/load through libxgboost's C API. Task detection
 * and label encoding live in xgb_target.c, parameters in xgb_params.c. */
#include "ml/xgb.h"

#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ml/xgb_api.h"

#include "lolpop/log.h"
#include "lolpop/progress.h"
#include "ml/model_internal.h"
#include "ml/xgb_internal.h"
#include "ml/xgb_native.h"
#include "ml/xgb_shap.h"

/* ---- errors and logging --------------------------------------------------- */

int lp_xgb_fail(const char *what)
{
    const char *msg = XGBGetLastError();
    return lp_error_set(LP_ERROR, "XGBoost %s failed: %s", what, msg && *msg ? msg : "no detail");
}

/* XGBoost's own messages go to lolpop's logger, never to the terminal. */
static void xgb_log(const char *msg)
{
    lp_log(NULL, strstr(msg, "WARNING") ? LP_LOG_WARN : LP_LOG_DEBUG, "xgboost: %s", msg);
}

static pthread_once_t log_once = PTHREAD_ONCE_INIT;
static void log_init(void)
{
    XGBRegisterLogCallback(xgb_log);
}

/* ---- back-end state ------------------------------------------------------- */

static void compiler_join(xgb_state *s);

static void state_free(void *p)
{
    xgb_state *s = p;
    if (!s) return;
    compiler_join(s);
    if (s->bst) XGBoosterFree(s->bst);
    lp_xgb_native_free(s->native);
    lp_xgb_shap_free(s->shap);
    free(s);
}

/* The __array_interface__ JSON of rows x p doubles at X (read-only). */
static void array_interface(char *buf, size_t size, const double *X, size_t rows, size_t p)
{
    snprintf(buf, size,
             "{\"data\": [%" PRIuPTR ", true], \"shape\": [%zu, %zu], \"typestr\": \"<f8\", "
             "\"version\": 3}",
             (uintptr_t)X, rows, p);
}

/* A DMatrix over rows × n_features doubles (NaN = missing), categorical
 * features typed "c" so that XGBoost splits them natively. */
int lp_xgb_dmatrix(void **out, const lp_model *m, const double *X, size_t rows, int nthread)
{
    *out = NULL;
    size_t p = lp_model_n_features(m);
    char iface[256], config[96];
    array_interface(iface, sizeof iface, X, rows, p);
    snprintf(config, sizeof config, "{\"missing\": NaN, \"nthread\": %d}", nthread);
    DMatrixHandle d;
    if (XGDMatrixCreateFromDense(iface, config, &d)) return lp_xgb_fail("DMatrix creation");
    const char **types = malloc((p ? p : 1) * sizeof *types);
    if (!types) {
        XGDMatrixFree(d);
        return lp_error_set(LP_ENOMEM, "out of memory");
    }
    bool any_cat = false;
    for (size_t j = 0; j < p; j++) {
        types[j] = lp_model_feature_is_categorical(m, j) ? "c" : "q";
        any_cat |= lp_model_feature_is_categorical(m, j);
    }
    int rc = any_cat && XGDMatrixSetStrFeatureInfo(d, "feature_type", types, p);
    free(types);
    if (rc) {
        XGDMatrixFree(d);
        return lp_xgb_fail("setting feature types");
    }
    *out = d;
    return 0;
}

static const char *objective_of(const lp_model *m)
{
    const char *o = lp_value_as_string(lp_map_get(lp_model_params(m), "objective"));
    return o ? o : "";
}

/* XGBoost's output → lolpop's layout (see lp_model_ops.predict). */
static void convert_output(const lp_model *m, const float *res, size_t rows, double *out)
{
    size_t k = lp_model_n_outputs(m);
    if (lp_model_task_of(m) != LP_MODEL_BINARY) {
        for (size_t i = 0; i < rows * k; i++)
            out[i] = res[i];
        return;
    }
    bool raw = strcmp(objective_of(m), "binary:logitraw") == 0;
    for (size_t i = 0; i < rows; i++) {
        double p1 = raw ? 1.0 / (1.0 + exp(-(double)res[i])) : (double)res[i];
        out[2 * i] = 1.0 - p1;
        out[2 * i + 1] = p1;
    }
}

/* XGBoost's answer (shape[dim], res) for `rows` rows into out, in lolpop's
 * output layout, after checking its size. */
static int take_output(const lp_model *m, size_t rows, const bst_ulong *shape, bst_ulong dim,
                       const float *res, double *out)
{
    bst_ulong n = 1;
    for (bst_ulong i = 0; i < dim; i++)
        n *= shape[i];
    size_t want = lp_model_task_of(m) == LP_MODEL_MULTICLASS ? rows * lp_model_n_outputs(m) : rows;
    if (n != want)
        return lp_error_set(LP_ERROR, "XGBoost gave %llu predictions for %zu rows (want %zu)",
                            (unsigned long long)n, rows, want);
    convert_output(m, res, rows, out);
    return 0;
}

/* The prediction config; iter_end 0: every tree. inplace adds what inplace
 * prediction needs (NaN marks a missing value, as in lp_xgb_dmatrix). */
static void predict_config(char *buf, size_t size, int iter_end, bool inplace)
{
    snprintf(buf, size,
             "{\"type\": 0, \"training\": false, \"iteration_begin\": 0, \"iteration_end\": %d, "
             "\"strict_shape\": false%s}",
             iter_end, inplace ? ", \"missing\": NaN, \"cache_id\": 0" : "");
}

/* Predictions of s's booster on DMatrix d of `rows` rows into out (lolpop's
 * output layout). iter_end 0: every tree (what lets XGBoost answer from its
 * prediction cache for a DMatrix it trained on). */
static int predict_dmatrix(const xgb_state *s, const lp_model *m, DMatrixHandle d, size_t rows,
                           int iter_end, double *out)
{
    char config[200];
    predict_config(config, sizeof config, iter_end, false);
    const bst_ulong *shape;
    bst_ulong dim;
    const float *res;
    if (XGBoosterPredictFromDMatrix(s->bst, d, config, &shape, &dim, &res))
        return lp_xgb_fail("prediction");
    return take_output(m, rows, shape, dim, res, out);
}

/* Scoring reads the rows in place (XGBoost's inplace prediction): no DMatrix
 * is built, which is most of the cost of scoring a few rows, as a server
 * does. The trees hold their categorical splits, so categorical features need
 * no feature types here; the answers are the DMatrix path's, bit for bit. */
/* libxgboost's in-place prediction of rows × p doubles at X (shape, dim and
 * res borrowed from the booster until its next call on this thread). */
static int inplace_predict(const xgb_state *s, size_t p, const double *X, size_t rows,
                           const bst_ulong **shape, bst_ulong *dim, const float **res)
{
    char iface[256], config[200];
    array_interface(iface, sizeof iface, X, rows, p);
    predict_config(config, sizeof config, s->iter_end, true);
    if (XGBoosterPredictFromDense(s->bst, iface, config, NULL, shape, dim, res))
        return lp_xgb_fail("prediction");
    return 0;
}

/* Batches up to this many rows are scored by the compiled trees: below it
 * libxgboost's fixed cost per call dominates, above it its threads win —
 * unless it has one thread (OMP_NUM_THREADS=1, as `lolpop serve` sets it):
 * then every batch is. */
#define NATIVE_MAX_ROWS 64

static bool omp_single;
static pthread_once_t omp_once = PTHREAD_ONCE_INIT;
static void omp_read(void)
{
    const char *n = getenv("OMP_NUM_THREADS");
    omp_single = n && strcmp(n, "1") == 0;
}

static bool native_batch(size_t rows)
{
    if (rows <= NATIVE_MAX_ROWS) return true;
    pthread_once(&omp_once, omp_read);
    return omp_single;
}
/* Small batches a model scores through libxgboost before its trees are
 * compiled: a workflow that scores a small split once does not pay for it;
 * a server compiles after its first requests, on another thread. */
#define NATIVE_AFTER 8
/* Probe rows that check a compiled booster against libxgboost. */
#define NATIVE_PROBES 512

enum { NATIVE_NONE, NATIVE_READY, NATIVE_OFF, NATIVE_COMPILING };

/* True when nb answers the probe rows exactly as libxgboost does. */
static bool native_agrees(const xgb_state *s, const lp_xgb_native *nb)
{
    size_t p = s->native_features, k = lp_xgb_native_outputs(nb);
    double *X = malloc(NATIVE_PROBES * (p ? p : 1) * sizeof *X);
    float *mine = malloc(NATIVE_PROBES * k * sizeof *mine);
    const bst_ulong *shape;
    bst_ulong dim, n = 1;
    const float *theirs;
    bool same = false;
    if (X && mine) {
        lp_xgb_native_probes(nb, X, NATIVE_PROBES);
        lp_xgb_native_predict(nb, X, NATIVE_PROBES, mine);
        if (inplace_predict(s, p, X, NATIVE_PROBES, &shape, &dim, &theirs) == 0) {
            for (bst_ulong i = 0; i < dim; i++)
                n *= shape[i];
            same = n == NATIVE_PROBES * k && memcmp(mine, theirs, n * sizeof *mine) == 0;
        }
    }
    free(X);
    free(mine);
    return same;
}

/* The compiler thread: compiles and checks s's trees, then publishes them. */
static void *compile_native(void *arg)
{
    xgb_state *s = arg;
    lp_xgb_native *nb = NULL;
    int st = NATIVE_OFF;
    if (lp_xgb_native_compile(&nb, s->bst, s->iter_end, s->native_features) == 0 && nb &&
        native_agrees(s, nb)) {
        s->native = nb;
        st = NATIVE_READY;
    } else {
        if (nb)
            lp_log(NULL, LP_LOG_DEBUG,
                   "xgboost: compiled trees differ from libxgboost on probe rows; "
                   "libxgboost scores every batch of this model");
        lp_xgb_native_free(nb);
    }
    atomic_store_explicit(&s->native_state, st, memory_order_release);
    return NULL;
}

static pthread_mutex_t compiler_lock = PTHREAD_MUTEX_INITIALIZER;

/* Joins s's compiler thread if it runs (once). */
static void compiler_join(xgb_state *s)
{
    pthread_mutex_lock(&compiler_lock);
    if (s->compiler_running) {
        pthread_join(s->compiler, NULL);
        s->compiler_running = false;
    }
    pthread_mutex_unlock(&compiler_lock);
}

int lp_xgb_native_settle(const lp_model *m)
{
    xgb_state *s = m->state;
    compiler_join(s);
    return atomic_load(&s->native_state);
}

/* The compiled trees of s when they are ready, else NULL (libxgboost
 * answers); the NATIVE_AFTER-th small batch starts their compiler. */
static const lp_xgb_native *native_of(xgb_state *s, const lp_model *m)
{
    int st = atomic_load_explicit(&s->native_state, memory_order_acquire);
    if (st == NATIVE_READY) return s->native;
    if (st != NATIVE_NONE || atomic_fetch_add(&s->small_batches, 1) + 1 != NATIVE_AFTER)
        return NULL;
    /* only the caller that made the count NATIVE_AFTER gets here */
    s->native_features = lp_model_n_features(m);
    atomic_store(&s->native_state, NATIVE_COMPILING);
    pthread_mutex_lock(&compiler_lock);
    s->compiler_running = pthread_create(&s->compiler, NULL, compile_native, s) == 0;
    if (!s->compiler_running) atomic_store(&s->native_state, NATIVE_OFF);
    pthread_mutex_unlock(&compiler_lock);
    return NULL;
}

static int xgb_predict(void *state, const lp_model *m, const double *X, size_t rows, double *out)
{
    xgb_state *s = state;
    const lp_xgb_native *nb = native_batch(rows) ? native_of(s, m) : NULL;
    if (nb) {
        float res[NATIVE_MAX_ROWS * 64];
        float *r = rows * lp_xgb_native_outputs(nb) <= sizeof res / sizeof *res
                       ? res
                       : malloc(rows * lp_xgb_native_outputs(nb) * sizeof *r);
        if (!r) return lp_error_set(LP_ENOMEM, "out of memory");
        lp_xgb_native_predict(nb, X, rows, r);
        convert_output(m, r, rows, out);
        if (r != res) free(r);
        return 0;
    }
    const bst_ulong *shape;
    bst_ulong dim;
    const float *res;
    int rc = inplace_predict(s, lp_model_n_features(m), X, rows, &shape, &dim, &res);
    return rc ? rc : take_output(m, rows, shape, dim, res, out);
}

/* UBJSON model; the best iteration travels as a booster attribute, as the
 * Python package stores it. */
static int xgb_save(void *state, uint8_t **out, size_t *len)
{
    xgb_state *s = state;
    char it[32];
    snprintf(it, sizeof it, "%d", s->iter_end);
    if (XGBoosterSetAttr(s->bst, "lolpop_iteration_end", it)) return lp_xgb_fail("SetAttr");
    bst_ulong n;
    const char *buf;
    if (XGBoosterSaveModelToBuffer(s->bst, "{\"format\": \"ubj\"}", &n, &buf))
        return lp_xgb_fail("saving the model");
    if (!(*out = malloc(n ? n : 1))) return lp_error_set(LP_ENOMEM, "out of memory");
    memcpy(*out, buf, n);
    *len = n;
    return 0;
}

static int xgb_load(void **state, const uint8_t *blob, size_t len)
{
    int loaded = lp_xgb_require();
    if (loaded) return loaded;
    pthread_once(&log_once, log_init);
    xgb_state *s = calloc(1, sizeof *s);
    if (!s) return lp_error_set(LP_ENOMEM, "out of memory");
    int rc = 0;
    if (XGBoosterCreate(NULL, 0, &s->bst))
        rc = lp_xgb_fail("creating a booster");
    else if (XGBoosterLoadModelFromBuffer(s->bst, blob, len))
        rc = lp_xgb_fail("loading the model");
    if (rc) {
        state_free(s);
        return rc;
    }
    const char *it = NULL;
    int ok = 0;
    if (XGBoosterGetAttr(s->bst, "lolpop_iteration_end", &it, &ok) == 0 && ok && it)
        s->iter_end = atoi(it);
    *state = s;
    return 0;
}

/* ---- training loop -------------------------------------------------------- */

void lp_xgb_report_free(lp_xgb_report *r)
{
    if (!r) return;
    free(r->metric);
    free(r->valid_scores);
    free(r->train_outputs);
    memset(r, 0, sizeof *r);
}

/* XGBoost's higher-is-better metrics, as the Python package's EarlyStopping
 * decides it. */
static bool metric_maximize(const char *metric)
{
    static const char *const up[] = {"auc",  "aucpr",  "map",  "ndcg",
                                     "auc@", "aucpr@", "map@", "ndcg@"};
    if (strcmp(metric, "mape") == 0) return false;
    for (size_t i = 0; i < sizeof up / sizeof up[0]; i++)
        if (strncmp(metric, up[i], strlen(up[i])) == 0) return true;
    return false;
}

/* The last "valid-<metric>:<value>" of an evaluation line. */
static int parse_eval(const char *line, char **metric, double *value)
{
    const char *tok = strrchr(line, '\t');
    tok = tok ? tok + 1 : line;
    const char *dash = strchr(tok, '-'), *colon = strrchr(tok, ':');
    if (!dash || !colon || colon < dash)
        return lp_error_set(LP_ERROR, "unexpected XGBoost evaluation line '%s'", line);
    *value = strtod(colon + 1, NULL);
    if (!*metric && !(*metric = lp_strndup(dash + 1, (size_t)(colon - dash - 1)))) return LP_ENOMEM;
    return 0;
}

typedef struct train_ctx {
    BoosterHandle bst;
    DMatrixHandle dtrain, dvalid;      /* borrowed from strain, svalid */
    lp_xgb_shared *strain, *svalid;    /* given back to X_train, X_valid at the end */
    const lp_frame *X_train, *X_valid; /* borrowed */
    int rounds, early;
    lp_xgb_report rep;
} train_ctx;

static int record_score(train_ctx *c, int iter, double score)
{
    if (iter % 64 == 0) {
        double *ns = realloc(c->rep.valid_scores, (size_t)(iter + 64) * sizeof *ns);
        if (!ns) return lp_error_set(LP_ENOMEM, "out of memory");
        c->rep.valid_scores = ns;
    }
    c->rep.valid_scores[iter] = score;
    return 0;
}

/* One boosting round per iteration; with a validation split, its metric is
 * evaluated each round and early stopping follows Python's EarlyStopping
 * (strict improvement; stop after `early` rounds without one). */
static int boost_rounds(train_ctx *c, lp_progress_task *task)
{
    int since_best = 0;
    c->rep.best_iteration = -1;
    c->rep.best_score = NAN;
    for (int it = 0; it < c->rounds; it++) {
        if (XGBoosterUpdateOneIter(c->bst, it, c->dtrain)) return lp_xgb_fail("boosting");
        c->rep.rounds = it + 1;
        lp_progress_update(task, (uint64_t)it + 1);
        if (!c->dvalid) continue;
        const char *names[] = {"valid"};
        const char *line;
        DMatrixHandle mats[] = {c->dvalid};
        if (XGBoosterEvalOneIter(c->bst, it, mats, names, 1, &line))
            return lp_xgb_fail("evaluation");
        double score = NAN;
        int rc = parse_eval(line, &c->rep.metric, &score);
        if (rc || (rc = record_score(c, it, score))) return rc;
        bool up = metric_maximize(c->rep.metric);
        if (c->rep.best_iteration < 0 ||
            (up ? score > c->rep.best_score : score < c->rep.best_score)) {
            c->rep.best_iteration = it;
            c->rep.best_score = score;
            since_best = 0;
        } else {
            since_best++;
        }
        lp_log(NULL, LP_LOG_DEBUG, "xgboost round %d: valid-%s %.6g", it, c->rep.metric, score);
        if (c->early > 0 && since_best >= c->early) {
            c->rep.stopped_early = 1;
            break;
        }
    }
    if (!c->early || !c->dvalid) c->rep.best_iteration = c->rep.rounds - 1;
    if (!c->dvalid) c->rep.best_score = NAN;
    return 0;
}

/* boost_rounds, reported as progress (a line with an ETA on the CLI's terminal). */
static int boost(train_ctx *c)
{
    lp_progress_task task;
    lp_progress_begin(&task, "xgboost training", "rounds", c->rounds > 0 ? (uint64_t)c->rounds : 0);
    int rc = boost_rounds(c, &task);
    lp_progress_end(&task);
    return rc;
}

static int booster_setup(train_ctx *c, const lp_value *eff)
{
    DMatrixHandle mats[2] = {c->dtrain, c->dvalid};
    if (XGBoosterCreate(mats, c->dvalid ? 2 : 1, &c->bst)) return lp_xgb_fail("creating a booster");
    return lp_xgb_set_params(c->bst, eff);
}

/* DMatrices for the training (and validation) data, labels set: shared with
 * the other trainings on the same frames (xgb_dmatrix.c). */
static int train_data(train_ctx *c, lp_model *m, const lp_xgb_data *d, int nthread)
{
    c->X_train = d->X_train;
    c->X_valid = d->X_valid;
    int rc = lp_xgb_shared_dmatrix(&c->strain, &c->dtrain, m, d->X_train, d->y_train, nthread);
    if (rc == 0 && d->X_valid) {
        rc = lp_xgb_shared_dmatrix(&c->svalid, &c->dvalid, m, d->X_valid, d->y_valid, nthread);
        if (rc) lp_error_prefix("validation data");
    }
    return rc;
}

static void ctx_free(train_ctx *c)
{
    if (c->bst) XGBoosterFree(c->bst);
    lp_xgb_shared_done(c->strain, c->X_train); /* the DMatrices stay for the next training */
    lp_xgb_shared_done(c->svalid, c->X_valid);
    lp_xgb_report_free(&c->rep);
}

/* The trained model's outputs on the training rows into c->rep. With every
 * tree in use they come from the booster's prediction cache; a failure only
 * loses the shortcut. */
static void train_outputs(train_ctx *c, const lp_model *m, const xgb_state *s, size_t rows)
{
    double *out = malloc((rows ? rows : 1) * lp_model_n_outputs(m) * sizeof *out);
    int all_trees = s->iter_end == c->rep.rounds;
    if (out && predict_dmatrix(s, m, c->dtrain, rows, all_trees ? 0 : s->iter_end, out) == 0) {
        c->rep.train_outputs = out;
        return;
    }
    free(out);
    lp_error_clear();
}

int lp_xgb_train(lp_model **out, const lp_frame *X_train, const lp_frame *y_train,
                 const lp_frame *X_valid, const lp_frame *y_valid, const lp_value *params,
                 lp_xgb_report *report)
{
    *out = NULL;
    if (report) memset(report, 0, sizeof *report);
    int loaded = lp_xgb_require();
    if (loaded) return loaded;
    pthread_once(&log_once, log_init);
    lp_xgb_data d = {0};
    lp_value *eff = NULL;
    lp_model *m = NULL;
    train_ctx c = {0};
    int rc = lp_xgb_prepare(&d, &m, &eff, X_train, y_train, X_valid, y_valid, params);
    if (rc) goto done;
    xgb_state *s = lp_model_state(m);
    c.rounds = (int)lp_value_as_int(lp_map_get(eff, "num_boost_round"));
    c.early = (int)lp_value_as_int(lp_map_get(eff, "early_stopping_rounds"));
    if ((rc = train_data(&c, m, &d, (int)lp_value_as_int(lp_map_get(eff, "nthread")))) ||
        (rc = booster_setup(&c, eff)) || (rc = boost(&c)))
        goto done;
    s->bst = c.bst;
    c.bst = NULL;
    s->iter_end = c.rep.best_iteration + 1;
    if (c.early && c.dvalid) {
        lp_map_set(eff, "best_iteration", lp_value_int(c.rep.best_iteration));
        lp_map_set(eff, "best_score", lp_value_float(c.rep.best_score));
    }
    if ((rc = lp_model_set_params(m, eff))) goto done;
    eff = NULL;
    if (report) train_outputs(&c, m, s, lp_frame_rows(X_train));
    if (report) {
        *report = c.rep;
        memset(&c.rep, 0, sizeof c.rep);
    }
    *out = m;
    m = NULL;
done:
    ctx_free(&c);
    lp_xgb_data_free(&d);
    lp_value_unref(eff);
    lp_model_unref(m);
    return rc;
}

/* An empty model of the xgboost back-end (its booster is set after training). */
lp_model *lp_xgb_model_new(lp_model_task task, const char *target, lp_dtype target_dtype)
{
    xgb_state *s = calloc(1, sizeof *s);
    if (!s) {
        lp_error_set(LP_ENOMEM, "out of memory");
        return NULL;
    }
    return lp_model_new(&lp_xgb_ops, s, task, target, target_dtype);
}

/* take_output for the other files of the back-end (xgb_stages.c). */
int lp_xgb_take_output(const lp_model *m, size_t rows, const bst_ulong *shape, bst_ulong dim,
                       const float *res, double *out)
{
    return take_output(m, rows, shape, dim, res, out);
}

const lp_model_ops lp_xgb_ops = {
    .size = sizeof(lp_model_ops),
    .name = "xgboost",
    .load = xgb_load,
    .predict = xgb_predict,
    .save = xgb_save,
    .free = state_free,
    .contributions = lp_xgb_contributions,
    .feature_importance = lp_xgb_feature_importance,
    .staged_predict = lp_xgb_staged_predict,
};
