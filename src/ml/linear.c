/* linear.c — the liblinear back-end of lp_model: parameters, input checks,
 * standardisation, training, prediction, and save/load as JSON (liblinear's
 * own save_model only writes files). The rules are documented in linear.h. */
#include "ml/linear.h"

#include <jansson.h>
#include "ml/linear_api.h"
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lolpop/log.h"
#include "ml/class_labels.h"
#include "ml/model_internal.h"

#define FORMAT          "lolpop-liblinear-1"
#define LIBLINEAR_ITERS 1000 /* liblinear 2.30's fixed cap (not settable) */

/* ---- logging: liblinear prints progress to stdout unless told otherwise --- */

static void linear_log(const char *msg)
{
    lp_log(NULL, LP_LOG_DEBUG, "liblinear: %s", msg);
}

static pthread_once_t log_once = PTHREAD_ONCE_INIT;
static void log_init(void)
{
    set_print_string_function(linear_log);
}

/* ---- state ----------------------------------------------------------------- */

typedef struct lin_state {
    int solver;     /* liblinear solver_type */
    int nr_class;   /* 2+ for classification, 2 for regression (liblinear's value) */
    int nr_feature; /* without the bias feature */
    double bias;    /* < 0: none */
    int *label;     /* nr_class entries: class index of liblinear's class i */
    double *w;      /* liblinear's layout: (nr_feature + has bias) × nr_w */
    size_t n_w;     /* entries of w */
    double *mean;   /* nr_feature; NULL without standardisation */
    double *scale;  /* nr_feature */
    double *x_mean; /* nr_feature training means (linear SHAP's baseline); NULL in
                       models saved before they were kept, unless standardised */
} lin_state;

static void state_free(void *p)
{
    lin_state *s = p;
    if (!s) return;
    free(s->label);
    free(s->w);
    free(s->mean);
    free(s->scale);
    free(s->x_mean);
    free(s);
}

static bool is_classifier(int solver)
{
    return solver == L2R_LR || solver == L2R_L2LOSS_SVC_DUAL;
}

/* Columns of w per feature, as liblinear lays it out. */
static size_t nr_w_of(int solver, int nr_class)
{
    return is_classifier(solver) && nr_class > 2 ? (size_t)nr_class : 1;
}

/* ---- rows as liblinear feature nodes -------------------------------------- */

/* Standardised row i of X into nodes (p + 2 entries); false when a value is
 * missing. */
static bool fill_row(struct feature_node *nodes, const lin_state *s, const double *row)
{
    int p = s->nr_feature, j;
    for (j = 0; j < p; j++) {
        double v = row[j];
        if (isnan(v)) return false;
        if (s->mean) v = (v - s->mean[j]) / s->scale[j];
        nodes[j] = (struct feature_node){j + 1, v};
    }
    if (s->bias >= 0) nodes[j++] = (struct feature_node){p + 1, s->bias};
    nodes[j] = (struct feature_node){-1, 0};
    return true;
}

/* A liblinear model viewing s's arrays (nothing to free). */
static struct model model_view(const lin_state *s)
{
    struct model m;
    memset(&m, 0, sizeof m);
    m.param.solver_type = s->solver;
    m.nr_class = s->nr_class;
    m.nr_feature = s->nr_feature;
    m.w = s->w;
    m.label = s->label;
    m.bias = s->bias;
    return m;
}

/* ---- prediction ------------------------------------------------------------ */

/* One row's outputs (k = lp_model_n_outputs) from liblinear's. */
static void predict_row(const lin_state *s, const struct model *mdl, const struct feature_node *x,
                        double *dec, size_t k, double *out)
{
    if (!is_classifier(s->solver)) {
        out[0] = predict_values(mdl, x, dec);
        return;
    }
    if (s->solver == L2R_LR) {
        predict_probability(mdl, x, dec); /* dec[i]: P(liblinear class i) */
        for (int i = 0; i < s->nr_class; i++)
            out[s->label[i]] = dec[i];
        return;
    }
    predict_values(mdl, x, dec);
    if (k == 2) { /* one decision value, for liblinear's class 0 */
        out[s->label[0]] = dec[0];
        out[s->label[1]] = -dec[0];
        return;
    }
    for (int i = 0; i < s->nr_class; i++)
        out[s->label[i]] = dec[i];
}

static int linear_predict(void *state, const lp_model *m, const double *X, size_t rows, double *out)
{
    const lin_state *s = state;
    size_t p = (size_t)s->nr_feature, k = lp_model_n_outputs(m);
    if (lp_model_n_features(m) != p)
        return lp_error_set(LP_ERROR, "liblinear model of '%s' has %zu weights for %zu features",
                            lp_model_target(m), p, lp_model_n_features(m));
    struct feature_node *nodes = malloc((p + 2) * sizeof *nodes);
    double *dec = malloc((size_t)(s->nr_class > 2 ? s->nr_class : 2) * sizeof *dec);
    if (!nodes || !dec) {
        free(nodes);
        free(dec);
        return lp_error_set(LP_ENOMEM, "out of memory");
    }
    struct model mdl = model_view(s);
    for (size_t i = 0; i < rows; i++) {
        if (!fill_row(nodes, s, X + i * p)) {
            for (size_t c = 0; c < k; c++)
                out[i * k + c] = NAN;
            continue;
        }
        predict_row(s, &mdl, nodes, dec, k, out + i * k);
    }
    free(nodes);
    free(dec);
    return 0;
}

/* ---- save / load ----------------------------------------------------------- */

static json_t *doubles_json(const double *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        if (json_array_append_new(a, json_real(v[i]))) {
            json_decref(a);
            return NULL;
        }
    return a;
}

static int linear_save(void *state, uint8_t **out, size_t *len)
{
    const lin_state *s = state;
    json_t *label = json_array();
    for (int i = 0; label && i < s->nr_class; i++)
        if (json_array_append_new(label, json_integer(s->label[i]))) {
            json_decref(label);
            label = NULL;
        }
    json_t *o =
        json_pack("{s:s, s:i, s:i, s:i, s:f, s:o*, s:o*, s:o*, s:o*, s:o*}", "format", FORMAT,
                  "solver", s->solver, "nr_class", s->nr_class, "nr_feature", s->nr_feature, "bias",
                  s->bias, "label", label, "w", doubles_json(s->w, s->n_w), "mean",
                  s->mean ? doubles_json(s->mean, (size_t)s->nr_feature) : json_null(), "scale",
                  s->scale ? doubles_json(s->scale, (size_t)s->nr_feature) : json_null(), "x_mean",
                  /* standardised: the same as mean, left out (bytes as before they were kept) */
                  s->x_mean && !s->mean ? doubles_json(s->x_mean, (size_t)s->nr_feature) : NULL);
    char *txt = o ? json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(17)) : NULL;
    json_decref(o);
    if (!txt) return lp_error_set(LP_ENOMEM, "out of memory saving a liblinear model");
    *len = strlen(txt);
    *out = (uint8_t *)txt;
    return 0;
}

/* Copies JSON array a of n numbers into a new array (NULL + error if not). */
static double *json_doubles(const json_t *a, size_t n, const char *what)
{
    if (!json_is_array(a) || json_array_size(a) != n) {
        lp_error_set(LP_EINVAL, "liblinear model: '%s' is not an array of %zu numbers", what, n);
        return NULL;
    }
    double *v = malloc((n ? n : 1) * sizeof *v);
    if (!v) {
        lp_error_set(LP_ENOMEM, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        const json_t *x = json_array_get(a, i);
        if (!json_is_number(x)) {
            free(v);
            lp_error_set(LP_EINVAL, "liblinear model: '%s'[%zu] is not a number", what, i);
            return NULL;
        }
        v[i] = json_number_value(x);
    }
    return v;
}

static int load_fields(lin_state *s, const json_t *o)
{
    const char *fmt = json_string_value(json_object_get(o, "format"));
    if (!fmt || strcmp(fmt, FORMAT))
        return lp_error_set(LP_EINVAL, "liblinear model: format is not '%s'", FORMAT);
    json_t *jb = json_object_get(o, "bias");
    s->solver = (int)json_integer_value(json_object_get(o, "solver"));
    s->nr_class = (int)json_integer_value(json_object_get(o, "nr_class"));
    s->nr_feature = (int)json_integer_value(json_object_get(o, "nr_feature"));
    s->bias = json_number_value(jb);
    bool ok_solver = is_classifier(s->solver) || s->solver == L2R_L2LOSS_SVR;
    if (!ok_solver || s->nr_class < 2 || s->nr_class > 1000000 || s->nr_feature < 0 ||
        s->nr_feature > 100000000 || !json_is_number(jb))
        return lp_error_set(LP_EINVAL, "liblinear model: bad solver, nr_class, nr_feature or bias");
    const json_t *jl = json_object_get(o, "label");
    if (!json_is_array(jl) || json_array_size(jl) != (size_t)s->nr_class)
        return lp_error_set(LP_EINVAL, "liblinear model: 'label' is not %d integers", s->nr_class);
    if (!(s->label = malloc((size_t)s->nr_class * sizeof *s->label)))
        return lp_error_set(LP_ENOMEM, "out of memory");
    for (int i = 0; i < s->nr_class; i++) {
        json_int_t l = json_integer_value(json_array_get(jl, (size_t)i));
        if (l < 0 || l >= s->nr_class)
            return lp_error_set(LP_EINVAL, "liblinear model: label %d out of range", i);
        s->label[i] = (int)l;
    }
    size_t n = (size_t)s->nr_feature + (s->bias >= 0);
    s->n_w = n * nr_w_of(s->solver, s->nr_class);
    if (!(s->w = json_doubles(json_object_get(o, "w"), s->n_w, "w"))) return LP_EINVAL;
    size_t p = (size_t)s->nr_feature;
    const json_t *xm = json_object_get(o, "x_mean"); /* absent in older models */
    if (xm && !json_is_null(xm) && !(s->x_mean = json_doubles(xm, p, "x_mean"))) return LP_EINVAL;
    if (json_is_null(json_object_get(o, "mean"))) return 0;
    if (!(s->mean = json_doubles(json_object_get(o, "mean"), p, "mean"))) return LP_EINVAL;
    if (!(s->scale = json_doubles(json_object_get(o, "scale"), p, "scale"))) return LP_EINVAL;
    return 0;
}

static int linear_load(void **state, const uint8_t *blob, size_t len)
{
    int loaded = lp_linear_require();
    if (loaded) return loaded;
    json_error_t jerr;
    json_t *o = json_loadb((const char *)blob, len, 0, &jerr);
    if (!json_is_object(o)) {
        json_decref(o);
        return lp_error_set(LP_EINVAL, "liblinear model: not a JSON object: %s", jerr.text);
    }
    lin_state *s = calloc(1, sizeof *s);
    int rc = s ? load_fields(s, o) : lp_error_set(LP_ENOMEM, "out of memory");
    json_decref(o);
    if (rc) {
        state_free(s);
        return rc;
    }
    *state = s;
    return 0;
}

/* ---- contributions: exact linear SHAP ------------------------------------- */

/* Weight of feature j (p: the bias feature) in liblinear's column c. */
static double weight(const lin_state *s, size_t j, size_t c)
{
    return s->w[j * nr_w_of(s->solver, s->nr_class) + c];
}

/* One row's contributions for liblinear's column c into out (p + 1 values):
 * w_j (z_j - E[z_j]) per feature, z the (standardised) value and E over the
 * training rows; the base is the margin at the mean row. `sign` turns the
 * score of liblinear's class 0 into class 1's (binary). */
static void contrib_row(const lin_state *s, const double *mu, const double *row, size_t c,
                        double sign, double *out)
{
    size_t p = (size_t)s->nr_feature;
    double base = s->bias >= 0 ? weight(s, p, c) * s->bias : 0;
    for (size_t j = 0; j < p; j++) {
        double z = s->mean ? (row[j] - s->mean[j]) / s->scale[j] : row[j];
        double ez = s->mean ? (mu[j] - s->mean[j]) / s->scale[j] : mu[j];
        out[j] = sign * weight(s, j, c) * (z - ez);
        base += weight(s, j, c) * ez;
    }
    out[p] = sign * base;
}

static int lp_linear_contributions(void *state, const lp_model *m, const double *X, size_t rows,
                                   double *out)
{
    const lin_state *s = state;
    size_t p = (size_t)s->nr_feature, groups = lp_model_n_contribution_groups(m);
    const double *mu = s->x_mean ? s->x_mean : s->mean; /* standardised: the same means */
    if (!mu)
        return lp_error_set(LP_EINVAL,
                            "this liblinear model of '%s' was saved without its "
                            "training means (by an older lolpop): retrain it to "
                            "explain it",
                            lp_model_target(m));
    for (size_t i = 0; i < rows; i++) {
        const double *row = X + i * p;
        double *o = out + i * groups * (p + 1);
        bool missing = false;
        for (size_t j = 0; j < p; j++)
            missing |= isnan(row[j]);
        for (size_t g = 0; missing && g < groups * (p + 1); g++)
            o[g] = NAN;
        if (missing) continue;
        if (groups == 1) {
            double sign = lp_model_task_of(m) == LP_MODEL_BINARY && s->label[0] != 1 ? -1 : 1;
            contrib_row(s, mu, row, 0, sign, o);
            continue;
        }
        for (int c = 0; c < s->nr_class; c++)
            contrib_row(s, mu, row, (size_t)c, 1, o + (size_t)s->label[c] * (p + 1));
    }
    return 0;
}

static bool linear_has_probabilities(void *state, const lp_model *m)
{
    (void)m;
    const lin_state *s = state;
    return s && is_classifier(s->solver) && s->solver == L2R_LR;
}

const lp_model_ops lp_linear_ops = {
    .size = sizeof(lp_model_ops),
    .name = "liblinear",
    .load = linear_load,
    .predict = linear_predict,
    .save = linear_save,
    .free = state_free,
    .has_probabilities = linear_has_probabilities,
    .contributions = lp_linear_contributions,
};

/* ---- parameters ------------------------------------------------------------ */

const char *const lp_linear_param_names[] = {"model",    "C",    "eps",         "epsilon",
                                             "max_iter", "bias", "standardize", NULL};

typedef struct lin_params {
    const char *model;
    int solver;
    double C, eps, p, bias;
    bool standardize;
} lin_params;

static int param_number(double *out, const lp_value *v, const char *name, double min, bool strict)
{
    lp_vtype t = lp_value_type(v);
    if (t != LP_INT && t != LP_FLOAT)
        return lp_error_set(LP_EINVAL, "liblinear parameter %s must be a number", name);
    double d = lp_value_as_float(v);
    if (!isfinite(d) || d < min || (strict && d == min))
        return lp_error_set(LP_EINVAL, "liblinear parameter %s must be %s %g (got %g)", name,
                            strict ? ">" : ">=", min, d);
    *out = d;
    return 0;
}

static int param_model(lin_params *lp, const lp_value *v)
{
    static const char *const models[] = {"logistic", "svm", "svr", "ridge"};
    static const int solvers[] = {L2R_LR, L2R_L2LOSS_SVC_DUAL, L2R_L2LOSS_SVR, L2R_L2LOSS_SVR};
    if (lp_value_type(v) != LP_STRING)
        return lp_error_set(LP_EINVAL, "liblinear parameter model must be a string");
    const char *s = lp_value_as_string(v);
    for (size_t i = 0; i < 4; i++)
        if (strcmp(s, models[i]) == 0) {
            lp->model = models[i];
            lp->solver = solvers[i];
            return 0;
        }
    const char *hint = lp_suggest(s, models, 4);
    return hint ? lp_error_set(LP_EINVAL,
                               "unknown liblinear model '%s'; did you mean '%s'? (logistic, svm, "
                               "svr, ridge)",
                               s, hint)
                : lp_error_set(LP_EINVAL,
                               "unknown liblinear model '%s' (logistic, svm, svr, ridge)", s);
}

static int param_one(lin_params *lp, const char *k, const lp_value *v)
{
    if (strcmp(k, "model") == 0) return param_model(lp, v);
    if (strcmp(k, "C") == 0) return param_number(&lp->C, v, k, 0, true);
    if (strcmp(k, "eps") == 0) return param_number(&lp->eps, v, k, 0, true);
    if (strcmp(k, "epsilon") == 0) return param_number(&lp->p, v, k, 0, false);
    if (strcmp(k, "max_iter") == 0) {
        if (lp_value_type(v) != LP_INT || lp_value_as_int(v) != LIBLINEAR_ITERS)
            return lp_error_set(LP_EINVAL,
                                "liblinear parameter max_iter: the system liblinear (2.30) has a "
                                "fixed cap of %d iterations; only %d is accepted",
                                LIBLINEAR_ITERS, LIBLINEAR_ITERS);
        return 0;
    }
    if (strcmp(k, "bias") == 0) {
        if (lp_value_type(v) == LP_BOOL) {
            lp->bias = lp_value_as_bool(v) ? 1.0 : -1.0;
            return 0;
        }
        int rc = param_number(&lp->bias, v, k, 0, false);
        if (rc == 0 && lp->bias == 0) lp->bias = -1.0;
        return rc;
    }
    if (strcmp(k, "standardize") == 0) {
        if (lp_value_type(v) != LP_BOOL)
            return lp_error_set(LP_EINVAL, "liblinear parameter standardize must be true or false");
        lp->standardize = lp_value_as_bool(v);
        return 0;
    }
    const char *hint = lp_suggest(k, (const char *const *)lp_linear_param_names,
                                  sizeof lp_linear_param_names / sizeof *lp_linear_param_names - 1);
    return hint ? lp_error_set(LP_EINVAL, "unknown liblinear parameter '%s'; did you mean '%s'?", k,
                               hint)
                : lp_error_set(LP_EINVAL, "unknown liblinear parameter '%s'", k);
}

int lp_linear_param_check(const char *name, const lp_value *value)
{
    lin_params scratch = {0};
    return param_one(&scratch, name, value);
}

static int params_parse(lin_params *lp, const lp_value *params)
{
    *lp = (lin_params){"logistic", L2R_LR, 1.0, 1e-4, 0.1, 1.0, true};
    if (params && lp_value_type(params) != LP_MAP)
        return lp_error_set(LP_EINVAL, "liblinear parameters must be a map");
    bool has_epsilon = false;
    for (size_t i = 0; params && i < lp_map_len(params); i++) {
        const char *k = lp_map_key(params, i);
        int rc = param_one(lp, k, lp_map_value(params, i));
        if (rc) return rc;
        has_epsilon |= strcmp(k, "epsilon") == 0;
    }
    if (has_epsilon && strcmp(lp->model, "svr"))
        return lp_error_set(LP_EINVAL, "liblinear parameter epsilon applies to model: svr only "
                                       "(ridge is svr with epsilon 0)");
    if (strcmp(lp->model, "ridge") == 0) lp->p = 0;
    return 0;
}

/* The effective parameters, as the model records them (new map). */
static lp_value *params_value(const lin_params *lp)
{
    lp_value *m = lp_value_map();
    if (!m) return NULL;
    int rc = lp_map_set(m, "model", lp_value_string(lp->model));
    rc |= lp_map_set(m, "C", lp_value_float(lp->C));
    rc |= lp_map_set(m, "eps", lp_value_float(lp->eps));
    if (strcmp(lp->model, "svr") == 0) rc |= lp_map_set(m, "epsilon", lp_value_float(lp->p));
    rc |= lp_map_set(m, "bias", lp_value_float(lp->bias < 0 ? 0 : lp->bias));
    rc |= lp_map_set(m, "standardize", lp_value_bool(lp->standardize));
    if (rc) {
        lp_value_unref(m);
        return NULL;
    }
    return m;
}

/* ---- target ---------------------------------------------------------------- */

static bool is_text(lp_dtype t)
{
    return t == LP_DT_STRING || t == LP_DT_CATEGORY;
}

/* Classes (sorted as LabelEncoder, by the one rule of class_labels.h) into m,
 * and each row's class index into y. */
static int encode_classes(lp_model *m, double *y, const lp_column *col, const char *name)
{
    lp_value *labels = NULL;
    int rc = lp_class_encode(col, y, &labels);
    if (rc) {
        lp_error_prefix("target '%s'", name);
        return rc;
    }
    size_t missing = 0;
    for (size_t i = 0; i < col->length; i++)
        missing += isnan(y[i]) != 0;
    size_t k = lp_list_len(labels);
    if (missing)
        rc = lp_error_set(LP_EINVAL, "target '%s' has %zu missing value%s", name, missing,
                          missing == 1 ? "" : "s");
    else if (k < 2)
        rc = lp_error_set(LP_EINVAL,
                          "target '%s' has a single class ('%s'): a classifier needs two or more",
                          name, k ? lp_value_as_string(lp_list_get(labels, 0)) : "");
    for (size_t c = 0; rc == 0 && c < k; c++)
        rc = lp_model_add_class(m, lp_value_as_string(lp_list_get(labels, c)));
    lp_value_unref(labels);
    return rc;
}

static int regression_target(double *y, const lp_column *col, const char *name)
{
    if (is_text(col->type))
        return lp_error_set(LP_EINVAL, "target '%s' is a %s column: regression needs numbers", name,
                            lp_dtype_name(col->type));
    size_t missing = 0;
    for (size_t i = 0; i < col->length; i++)
        if (isnan(y[i] = lp_column_get_f64(col, i))) missing++;
    if (missing)
        return lp_error_set(LP_EINVAL, "target '%s' has %zu missing value%s", name, missing,
                            missing == 1 ? "" : "s");
    return 0;
}

/* ---- features -------------------------------------------------------------- */

static int add_features(lp_model *m, const lp_frame *X)
{
    for (size_t j = 0; j < lp_frame_cols(X); j++) {
        const lp_column *c = lp_frame_col(X, j);
        if (is_text(c->type))
            return lp_error_set(LP_EINVAL,
                                "feature '%s' is a %s column: liblinear needs numeric features "
                                "(encode it with a feature transformer first)",
                                lp_frame_name(X, j), lp_dtype_name(c->type));
        int rc = lp_model_add_feature(m, lp_frame_name(X, j), c->type);
        if (rc) return rc;
    }
    return 0;
}

/* Errors on the first feature with missing values; fills mean/scale. */
static int feature_stats(lin_state *s, const lp_model *m, const double *X, size_t rows)
{
    size_t p = (size_t)s->nr_feature;
    for (size_t j = 0; j < p; j++) {
        size_t missing = 0, infinite = 0;
        double sum = 0;
        for (size_t i = 0; i < rows; i++) {
            double v = X[i * p + j];
            if (isnan(v))
                missing++;
            else if (isinf(v))
                infinite++;
            else
                sum += v;
        }
        if (infinite && !missing)
            return lp_error_set(LP_EINVAL, "feature '%s' has %zu infinite value%s",
                                lp_model_feature_name(m, j), infinite, infinite == 1 ? "" : "s");
        if (missing)
            return lp_error_set(LP_EINVAL,
                                "feature '%s' has %zu missing value%s: liblinear cannot train "
                                "on them (impute them first)",
                                lp_model_feature_name(m, j), missing, missing == 1 ? "" : "s");
        double mu = sum / (double)rows, ss = 0;
        s->x_mean[j] = mu;
        if (!s->mean) continue;
        for (size_t i = 0; i < rows; i++)
            ss += (X[i * p + j] - mu) * (X[i * p + j] - mu);
        double sd = sqrt(ss / (double)rows);
        s->mean[j] = mu;
        s->scale[j] = sd > 0 && isfinite(sd) ? sd : 1.0; /* constant: as StandardScaler */
    }
    return 0;
}

/* ---- training -------------------------------------------------------------- */

/* Runs liblinear on the prepared rows and keeps its model's arrays in s. */
static int run_liblinear(lin_state *s, const lin_params *lp, const double *X, double *y,
                         size_t rows)
{
    size_t p = (size_t)s->nr_feature;
    struct feature_node *nodes = malloc(rows * (p + 2) * sizeof *nodes);
    struct feature_node **xs = malloc(rows * sizeof *xs);
    int rc = 0;
    if (!nodes || !xs) rc = lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t i = 0; rc == 0 && i < rows; i++) {
        xs[i] = nodes + i * (p + 2);
        fill_row(xs[i], s, X + i * p);
    }
    struct problem prob = {(int)rows, (int)p + (s->bias >= 0), y, xs, s->bias};
    struct parameter par = {lp->solver, lp->eps, lp->C, 0, NULL, NULL, lp->p, NULL};
    const char *err = rc ? NULL : check_parameter(&prob, &par);
    if (err) rc = lp_error_set(LP_EINVAL, "liblinear: %s", err);
    struct model *mdl = rc ? NULL : train(&prob, &par);
    if (!rc && !mdl) rc = lp_error_set(LP_ERROR, "liblinear training failed");
    if (mdl) {
        s->nr_class = mdl->nr_class;
        s->n_w = (size_t)prob.n * nr_w_of(s->solver, mdl->nr_class);
        s->label = malloc((size_t)mdl->nr_class * sizeof *s->label);
        s->w = malloc((s->n_w ? s->n_w : 1) * sizeof *s->w);
        if (!s->label || !s->w)
            rc = lp_error_set(LP_ENOMEM, "out of memory");
        else {
            memcpy(s->w, mdl->w, s->n_w * sizeof *s->w);
            for (int i = 0; i < mdl->nr_class; i++) /* regression: liblinear leaves labels unset */
                s->label[i] = is_classifier(s->solver) ? mdl->label[i] : i;
        }
        free_and_destroy_model(&mdl);
    }
    free(nodes);
    free(xs);
    return rc;
}

static int check_frames(const lp_frame *X, const lp_frame *y)
{
    if (lp_frame_cols(y) != 1)
        return lp_error_set(LP_EINVAL, "liblinear training needs one target column (got %zu)",
                            lp_frame_cols(y));
    if (lp_frame_rows(X) != lp_frame_rows(y))
        return lp_error_set(LP_EINVAL, "features have %zu rows but target '%s' has %zu",
                            lp_frame_rows(X), lp_frame_name(y, 0), lp_frame_rows(y));
    if (lp_frame_rows(X) == 0) return lp_error_set(LP_EINVAL, "liblinear training on zero rows");
    if (lp_frame_rows(X) > INT32_MAX)
        return lp_error_set(LP_EINVAL, "liblinear takes at most %d rows", INT32_MAX);
    return 0;
}

/* Everything after the model is described: matrix, statistics, liblinear. */
static int fit(lin_state *s, lp_model *m, const lin_params *lp, const lp_frame *X, double *y)
{
    size_t rows = lp_frame_rows(X), p = lp_model_n_features(m);
    s->solver = lp->solver;
    s->bias = lp->bias;
    s->nr_feature = (int)p;
    if (!(s->x_mean = malloc((p ? p : 1) * sizeof *s->x_mean)))
        return lp_error_set(LP_ENOMEM, "out of memory");
    if (lp->standardize) {
        s->mean = malloc((p ? p : 1) * sizeof *s->mean);
        s->scale = malloc((p ? p : 1) * sizeof *s->scale);
        if (!s->mean || !s->scale) return lp_error_set(LP_ENOMEM, "out of memory");
    }
    double *mat;
    int rc = lp_model_matrix(&mat, m, X);
    if (rc) return rc;
    rc = feature_stats(s, m, mat, rows);
    if (rc == 0) rc = run_liblinear(s, lp, mat, y, rows);
    free(mat);
    return rc;
}

int lp_linear_train(lp_model **out, const lp_frame *X_train, const lp_frame *y_train,
                    const lp_value *params)
{
    *out = NULL;
    int loaded = lp_linear_require();
    if (loaded) return loaded;
    pthread_once(&log_once, log_init);
    lin_params lp;
    int rc = params_parse(&lp, params);
    if (rc || (rc = check_frames(X_train, y_train))) return rc;
    if (lp_frame_cols(X_train) > INT32_MAX - 2)
        return lp_error_set(LP_EINVAL, "too many features for liblinear");
    const lp_column *ycol = lp_frame_col(y_train, 0);
    const char *target = lp_frame_name(y_train, 0);
    size_t rows = lp_frame_rows(y_train);
    lin_state *s = calloc(1, sizeof *s);
    if (!s) return lp_error_set(LP_ENOMEM, "out of memory");
    /* the task is fixed after the classes are counted: start as regression */
    lp_model *m = lp_model_new(&lp_linear_ops, s, LP_MODEL_REGRESSION, target, ycol->type);
    double *y = malloc(rows * sizeof *y);
    if (!m || !y) {
        free(y);
        lp_model_unref(m);
        return lp_error_set(LP_ENOMEM, "out of memory");
    }
    if (is_classifier(lp.solver)) {
        rc = encode_classes(m, y, ycol, target);
        m->task = lp_model_n_classes(m) > 2 ? LP_MODEL_MULTICLASS : LP_MODEL_BINARY;
    } else {
        rc = regression_target(y, ycol, target);
    }
    if (rc == 0) rc = add_features(m, X_train);
    if (rc == 0) rc = fit(s, m, &lp, X_train, y);
    lp_value *pv = rc ? NULL : params_value(&lp);
    if (rc == 0 && !pv) rc = lp_error_set(LP_ENOMEM, "out of memory");
    if (rc == 0) rc = lp_model_set_params(m, pv);
    free(y);
    if (rc) {
        lp_model_unref(m);
        return rc;
    }
    *out = m;
    return 0;
}
