/*
 * treeshap.c — TreeSHAPModelExplainer: SHAP values through the model's
 * back-end (lp_model_contributions): XGBoost's exact TreeSHAP, liblinear's
 * exact linear SHAP, or what a plugin back-end implements.
 *
 *   model_explainer: TreeSHAPModelExplainer
 *   model_explainer:
 *     config:
 *       max_rows: 2000            # rows of the frame get_feature_importance uses
 *                                 # (evenly spaced when it has more)
 *       importance_types: [gain, weight, cover]   # the back-end's own, when it has them
 *
 * get_feature_importance → frame: feature, importance (mean |SHAP| over the
 * rows, summed over the classes of a multiclass model), then one column per
 * importance type the back-end gives; sorted by importance, largest first.
 * get_explanations → lp_model_explanations' frame: per-row contributions
 * (one column per feature, base_value; "<label>:<feature>" per class for
 * multiclass). For every row base_value + Σ contributions = the margin.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "components/components_internal.h"

typedef struct explainer {
    size_t max_rows;
    lp_value *types; /* list of strings */
} explainer;

static const char *path_of(lp_obj *self)
{
    const char *p = lp_obj_path(self);
    return p && *p ? p : lp_obj_name(self);
}

static void explainer_fini(lp_obj *self)
{
    explainer *e = lp_obj_state(self);
    lp_value_unref(e->types);
    memset(e, 0, sizeof *e);
}

static int explainer_init(lp_obj *self)
{
    explainer *e = lp_obj_state(self);
    e->max_rows = 2000; /* a sample: TreeSHAP costs rows x trees x leaves x depth^2 */
    lp_value *mr = lp_obj_config(self, "max_rows");
    int rc = 0;
    if (mr && lp_value_type(mr) != LP_NULL) {
        if (lp_value_type(mr) != LP_INT || lp_value_as_int(mr) < 1)
            rc = lp_kit_error_at(LP_ECONFIG, mr,
                                 "TreeSHAPModelExplainer (%s): max_rows must be an integer >= 1",
                                 path_of(self));
        else
            e->max_rows = (size_t)lp_value_as_int(mr);
    }
    lp_value_unref(mr);
    lp_value *t = rc ? NULL : lp_obj_config(self, "importance_types");
    if (rc == 0 && (!t || lp_value_type(t) == LP_NULL)) {
        lp_value_unref(t);
        t = lp_value_list();
        const char *dflt[] = {"gain", "weight", "cover"};
        for (int i = 0; t && i < 3; i++)
            lp_list_append(t, lp_value_string(dflt[i]));
        if (!t) rc = lp_error_set(LP_ENOMEM, "out of memory");
    }
    for (size_t i = 0; rc == 0 && i < lp_list_len(t); i++)
        if (!lp_value_as_string(lp_list_get(t, i)))
            rc = lp_kit_error_at(LP_ECONFIG, t,
                                 "TreeSHAPModelExplainer (%s): importance_types must be a list of "
                                 "names (gain, weight, cover, total_gain, total_cover)",
                                 path_of(self));
    if (rc == 0 && lp_value_type(t) != LP_LIST)
        rc = lp_kit_error_at(LP_ECONFIG, t,
                             "TreeSHAPModelExplainer (%s): importance_types must be a list",
                             path_of(self));
    if (rc) {
        lp_value_unref(t);
        return rc;
    }
    e->types = t;
    return 0;
}

/* At most max rows of X, evenly spaced (a new reference; X itself when small). */
static int sample_rows(lp_frame **out, lp_frame *X, size_t max)
{
    size_t n = lp_frame_rows(X);
    if (n <= max) {
        *out = lp_frame_ref(X);
        return 0;
    }
    size_t *idx = malloc(max * sizeof *idx);
    if (!idx) return lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t i = 0; i < max; i++)
        idx[i] = (size_t)((double)i * (double)n / (double)max);
    int rc = lp_frame_take(out, X, idx, max);
    free(idx);
    return rc;
}

/* Mean |contribution| per feature over the rows, summed over groups. */
static double *mean_abs(const lp_model *m, const double *c, size_t rows)
{
    size_t p = lp_model_n_features(m), G = lp_model_n_contribution_groups(m);
    double *imp = calloc(p ? p : 1, sizeof *imp);
    size_t *n = calloc(p ? p : 1, sizeof *n);
    if (!imp || !n) {
        free(imp);
        free(n);
        lp_error_set(LP_ENOMEM, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < rows; i++)
        for (size_t g = 0; g < G; g++)
            for (size_t j = 0; j < p; j++) {
                double v = c[(i * G + g) * (p + 1) + j];
                if (isnan(v)) continue; /* a row the back-end could not explain */
                imp[j] += fabs(v);
                n[j] += g == 0;
            }
    for (size_t j = 0; j < p; j++)
        imp[j] = n[j] ? imp[j] / (double)n[j] : 0;
    free(n);
    return imp;
}

/* order = 0..p-1 sorted by imp, largest first (ties: feature order). An
 * insertion sort: no global comparison context, and p is small. */
static void sort_by_importance(size_t *order, const double *imp, size_t p)
{
    for (size_t i = 0; i < p; i++) {
        size_t j = i;
        for (; j > 0 && imp[order[j - 1]] < imp[i]; j--)
            order[j] = order[j - 1];
        order[j] = i;
    }
}

/* A float64 column of values[order[i]] added to f as `name`. */
static int add_ordered(lp_frame *f, const char *name, const double *values, const size_t *order,
                       size_t p)
{
    lp_column *c = lp_column_new(LP_DT_FLOAT64, p);
    if (!c) return lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t i = 0; i < p; i++)
        c->data.f64[i] = values[order[i]];
    return lp_frame_add_column(f, name, c);
}

/* The importance frame: feature, importance, then the back-end's kinds. */
static int importance_frame(lp_frame **out, lp_obj *self, const lp_model *m, const double *imp)
{
    explainer *e = lp_obj_state(self);
    size_t p = lp_model_n_features(m);
    size_t *order = malloc((p ? p : 1) * sizeof *order);
    lp_column_builder *names = lp_column_builder_new(LP_DT_STRING, p);
    lp_frame *f = lp_frame_new();
    int rc = order && names && f ? 0 : lp_error_set(LP_ENOMEM, "out of memory");
    if (rc == 0) sort_by_importance(order, imp, p);
    for (size_t i = 0; rc == 0 && i < p; i++) {
        const char *n = lp_model_feature_name(m, order[i]);
        rc = lp_column_builder_append_str(names, n, strlen(n));
    }
    lp_column *nc = names ? lp_column_builder_finish(names) : NULL;
    names = NULL;
    if (rc == 0)
        rc = nc ? lp_frame_add_column(f, "feature", nc) : LP_ENOMEM;
    else if (nc)
        lp_column_unref(nc);
    if (rc == 0) rc = add_ordered(f, "importance", imp, order, p);
    for (size_t t = 0; rc == 0 && t < lp_list_len(e->types); t++) {
        const char *kind = lp_value_as_string(lp_list_get(e->types, t));
        double *v = NULL;
        if (lp_model_feature_importance(&v, m, kind) != 0) {
            lp_log(self, LP_LOG_DEBUG, "get_feature_importance: no '%s' importance: %s", kind,
                   lp_error_last()->message);
            lp_error_clear();
            continue;
        }
        rc = add_ordered(f, kind, v, order, p);
        free(v);
    }
    lp_column_builder_free(names);
    free(order);
    if (rc) {
        if (f) lp_frame_unref(f);
        return rc;
    }
    *out = f;
    return 0;
}

static lp_value *explainer_get_feature_importance(lp_obj *self, lp_value *args)
{
    explainer *e = lp_obj_state(self);
    lp_model *m = lp_kit_arg_model(args, "model", "get_feature_importance");
    lp_frame *X = m ? lp_kit_arg_frame(args, "frame", "get_feature_importance") : NULL;
    if (!X) return NULL;
    lp_frame *rows = NULL, *f = NULL;
    double *c = NULL, *imp = NULL;
    int rc = sample_rows(&rows, X, e->max_rows);
    if (rc == 0) rc = lp_model_contributions(&c, m, rows);
    if (rc == 0 && !(imp = mean_abs(m, c, lp_frame_rows(rows)))) rc = LP_ENOMEM;
    if (rc == 0) rc = importance_frame(&f, self, m, imp);
    if (rc == 0 && lp_frame_rows(f) > 0) {
        size_t len;
        const char *top = lp_column_str(lp_frame_col(f, 0), 0, &len);
        lp_log(self, LP_LOG_INFO,
               "get_feature_importance: %zu features over %zu rows; the most important is "
               "'%.*s' (mean |SHAP| %.4g)",
               lp_frame_rows(f), lp_frame_rows(rows), (int)len, top,
               lp_frame_col(f, 1)->data.f64[0]);
    }
    if (rows) lp_frame_unref(rows);
    free(c);
    free(imp);
    if (rc) {
        lp_error_prefix("TreeSHAPModelExplainer (%s)", path_of(self));
        return NULL;
    }
    return lp_kit_frame(f);
}

static lp_value *explainer_get_explanations(lp_obj *self, lp_value *args)
{
    lp_model *m = lp_kit_arg_model(args, "model", "get_explanations");
    lp_frame *X = m ? lp_kit_arg_frame(args, "frame", "get_explanations") : NULL;
    if (!X) return NULL;
    lp_frame *f = NULL;
    if (lp_model_explanations(&f, m, X) != 0) {
        lp_error_prefix("TreeSHAPModelExplainer (%s)", path_of(self));
        return NULL;
    }
    return lp_kit_frame(f);
}

static const lp_method explainer_methods[] = {
    {"get_feature_importance", explainer_get_feature_importance,
     "get_feature_importance(model, frame) -> frame: feature, importance (mean |SHAP|), and the "
     "back-end's gain / weight / cover when it has them; largest first"},
    {"get_explanations", explainer_get_explanations,
     "get_explanations(model, frame) -> frame: per-row SHAP contributions per feature and "
     "base_value (\"<label>:<feature>\" per class for multiclass)"},
    {NULL, NULL, NULL},
};

static const lp_config_key explainer_keys[] = {
    {"max_rows", "int", "rows get_feature_importance explains at most (default 2000)"},
    {"importance_types", "list",
     "the back-end's own importances added as columns (default [gain, weight, cover])"},
    {NULL, NULL, NULL},
};

const lp_class lp_treeshap_model_explainer_class = {
    .name = "TreeSHAPModelExplainer",
    .kind = LP_KIND_COMPONENT,
    .type = "model_explainer",
    .doc = "SHAP values through the model's back-end: XGBoost's exact TreeSHAP (as python "
           "xgboost's pred_contribs), liblinear's exact linear SHAP, or a plugin back-end's "
           "contributions. Feature importance is the mean |SHAP| per feature plus XGBoost's "
           "gain, weight and cover; explanations are per-row contributions and the base value.",
    .requirements = lp_no_requirements,
    .config_keys = explainer_keys,
    .methods = explainer_methods,
    .state_size = sizeof(explainer),
    .init = explainer_init,
    .fini = explainer_fini,
};
