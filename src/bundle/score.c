/*
 * score.c — lp_bundle_score: raw rows → checked against the input schema →
 * the recorded data_transformer → the model's feature transformer state →
 * the model → model_index, prediction, probability_<label>. The same calls
 * OfflinePredict makes on the workflow's processed eval data, so the numbers
 * are the same.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundle/bundle_priv.h"
#include "lolpop/feature_state.h"
#include "lolpop/types/data_transformer.h"

/* Re-sets a cast error "row N: ..." of a column with the row counted from the
 * whole input (first_row + N) and the column named. */
static int cast_error(const char *column, size_t first_row)
{
    const lp_error *e = lp_error_last();
    size_t row = 0;
    int used = 0;
    if (sscanf(e->message, "row %zu: %n", &row, &used) == 1 && used > 0) {
        char *rest = lp_strdup(e->message + used);
        int rc = lp_error_set(LP_EINVAL, "column '%s', row %zu: %s", column, first_row + row,
                              rest ? rest : "");
        free(rest);
        return rc;
    }
    lp_error_prefix("column '%s'", column);
    return e->code ? e->code : LP_EINVAL;
}

/* A column of n nulls of type t (a category is built as strings, as the CSV
 * reader gives it). */
static int null_column(lp_column **out, lp_dtype t, size_t n)
{
    lp_column_builder *b = lp_column_builder_new(t == LP_DT_CATEGORY ? LP_DT_STRING : t, n);
    for (size_t i = 0; b && i < n; i++)
        if (lp_column_builder_append_null(b) != 0) {
            lp_column_builder_free(b);
            b = NULL;
        }
    *out = b ? lp_column_builder_finish(b) : NULL;
    if (!*out) return lp_error_set(LP_ENOMEM, "out of memory");
    if (t != LP_DT_CATEGORY) return 0;
    lp_column *cat = NULL;
    int rc = lp_column_cast(&cat, *out, t);
    lp_column_unref(*out);
    *out = cat;
    return rc;
}

/* Column `c` of the schema taken from raw: cast to the schema's dtype when
 * the reader inferred another (a chunk of floats that happen to be whole).
 * An optional column the input lacks is null in every row: one rule for
 * every caller (lolpop predict, lolpop serve, the API), so the transformer
 * always sees the schema's columns. Not while the deployer probes which
 * columns are required (b->probing): there an absent column stays absent,
 * else every column would score without itself and none be required. */
static int take_column(lp_frame *dst, const lp_bundle *b, const lp_frame *raw, const lp_value *c,
                       size_t first_row)
{
    const char *name = lp_value_as_string(lp_map_get(c, "name"));
    lp_column *col = lp_frame_col_by_name(raw, name);
    if (!col && !b->probing && !lp_value_as_bool(lp_map_get(c, "required"))) {
        lp_dtype t;
        lp_dtype_parse(lp_value_as_string(lp_map_get(c, "dtype")), &t);
        lp_column *nulls = NULL;
        int rc = null_column(&nulls, t, lp_frame_rows(raw));
        return rc ? rc : lp_frame_add_column(dst, name, nulls);
    }
    if (!col) {
        if (!lp_value_as_bool(lp_map_get(c, "required"))) return 0;
        return lp_error_set(LP_EINVAL,
                            "missing required column '%s' (rows %zu to %zu); the input needs "
                            "every required column of the bundle's input schema",
                            name, first_row + 1, first_row + lp_frame_rows(raw));
    }
    lp_dtype want;
    lp_dtype_parse(lp_value_as_string(lp_map_get(c, "dtype")), &want);
    lp_column *cast = NULL;
    if (col->type == want)
        cast = lp_column_ref(col);
    else if (lp_column_cast(&cast, col, want) != 0)
        return cast_error(name, first_row);
    return lp_frame_add_column(dst, name, cast);
}

/* Whether raw has at least one of the schema's columns (null-filled ones do
 * not count: an input of other columns only is a mistake, not all-null rows). */
static bool any_column(const lp_bundle *b, const lp_frame *raw)
{
    const lp_value *cols = lp_map_get(b->input, "columns");
    for (size_t i = 0; i < lp_list_len(cols); i++)
        if (lp_frame_col_by_name(raw, lp_value_as_string(lp_map_get(lp_list_get(cols, i), "name"))))
            return true;
    return false;
}

/* raw reduced to the schema's columns, each in the schema's dtype (a new
 * reference); raw itself when the schema has no columns. */
static int conform(lp_frame **out, const lp_bundle *b, const lp_frame *raw, size_t first_row)
{
    const lp_value *cols = lp_map_get(b->input, "columns");
    lp_frame *f = lp_frame_new();
    int rc = f ? 0 : lp_error_set(LP_ENOMEM, "out of memory");
    bool known = lp_value_type(cols) == LP_LIST;
    for (size_t j = 0; rc == 0 && !known && j < lp_frame_cols(raw); j++) /* all of raw */
        rc = lp_frame_add_column(f, lp_frame_name(raw, j), lp_column_ref(lp_frame_col(raw, j)));
    for (size_t i = 0; rc == 0 && known && i < lp_list_len(cols); i++)
        rc = take_column(f, b, raw, lp_list_get(cols, i), first_row);
    if (rc == 0 && known && !any_column(b, raw) && lp_frame_rows(raw) > 0)
        rc = lp_error_set(LP_EINVAL, "the input has none of the bundle's input columns");
    if (rc) {
        if (f) lp_frame_unref(f);
        return rc;
    }
    *out = f;
    return 0;
}

/* The recorded data_transformer applied to f (new reference), or f itself. */
static int transform(lp_frame **out, const lp_bundle *b, lp_frame *f)
{
    if (!b->transform) {
        *out = lp_frame_ref(f);
        return 0;
    }
    lp_workflow *wf = NULL;
    int rc = lp_bundle_pool_take(b, &wf);
    if (rc) return rc;
    lp_obj *dt = lp_obj_component(lp_workflow_root(wf), "data_transformer");
    lp_value *src = lp_value_frame(f);
    lp_value *res = src ? lp_data_transformer_transform(dt, src) : NULL;
    lp_value_unref(src);
    lp_bundle_pool_give(b, wf);
    lp_frame *t = lp_value_as_frame(res);
    if (!res) return lp_error_last()->code ? lp_error_last()->code : LP_ERROR;
    if (!t) {
        lp_value_unref(res);
        return lp_error_set(LP_EINVAL, "the bundle's data_transformer returned %s, not a frame",
                            lp_vtype_name(lp_value_type(res)));
    }
    *out = lp_frame_ref(t);
    lp_value_unref(res);
    return 0;
}

/* Appends src's columns to dst, each name prefixed. */
static int append_prefixed(lp_frame *dst, const lp_frame *src, const char *prefix)
{
    for (size_t j = 0; j < lp_frame_cols(src); j++) {
        char *name = lp_asprintf("%s%s", prefix, lp_frame_name(src, j));
        int rc =
            name ? lp_frame_add_column(dst, name, lp_column_ref(lp_frame_col(src, j))) : LP_ENOMEM;
        free(name);
        if (rc) return rc;
    }
    return 0;
}

/* What to explain of the rows scored: top_k reasons, the full matrix. */
typedef struct explain_req {
    size_t top_k;
    lp_frame **contributions; /* NULL: not wanted */
} explain_req;

/* The reasons (and the full contributions when asked) of X's rows into out. */
static int explain(lp_frame *out, const lp_bundle *b, const lp_frame *X, const explain_req *ex)
{
    lp_frame *e = NULL, *reasons = NULL;
    if (b->serial_predict) pthread_mutex_lock(&b->pool->predict_lock);
    int rc = lp_model_explanations(&e, b->model, X);
    if (b->serial_predict) pthread_mutex_unlock(&b->pool->predict_lock);
    if (rc == 0 && ex->top_k) rc = lp_model_reasons(&reasons, b->model, e, ex->top_k);
    if (rc == 0 && reasons) rc = append_prefixed(out, reasons, "");
    if (rc == 0 && ex->contributions) {
        *ex->contributions = e;
        e = NULL;
    }
    if (e) lp_frame_unref(e);
    if (reasons) lp_frame_unref(reasons);
    return rc;
}

/* model_index (from the processed rows, else the raw ones), prediction,
 * probabilities: what OfflinePredict.get_predictions writes; the reasons
 * when ex asks for them. */
static int predict(lp_frame *out, const lp_bundle *b, const lp_frame *input, const lp_frame *raw,
                   const lp_frame *rows, const explain_req *ex)
{
    const char *index = lp_value_as_string(lp_map_get(b->input, "model_index"));
    if (index && !lp_frame_col_by_name(input, index)) index = NULL; /* null-filled: left out */
    lp_column *idx = index ? lp_frame_col_by_name(rows, index) : NULL;
    if (index && !idx) idx = lp_frame_col_by_name(raw, index);
    int rc = idx ? lp_frame_add_column(out, index, lp_column_ref(idx)) : 0;
    lp_frame *X = NULL, *pred = NULL, *proba = NULL;
    bool probs = lp_model_has_probabilities(b->model);
    if (rc == 0 && lp_frame_rows(rows) == 0) { /* no rows: the columns, typed, and no work */
        double none = 0;
        rc = lp_model_frames_from_outputs(&pred, probs ? &proba : NULL, b->model, &none, 0);
    } else if (rc == 0) {
        rc = lp_model_features(&X, b->reg, b->model, rows);
    }
    if (rc == 0 && !pred) {
        if (b->serial_predict) pthread_mutex_lock(&b->pool->predict_lock);
        rc = lp_model_predict_both(&pred, probs ? &proba : NULL, b->model, X);
        if (b->serial_predict) pthread_mutex_unlock(&b->pool->predict_lock);
    }
    if (rc == 0) rc = append_prefixed(out, pred, "");
    if (rc == 0 && proba) rc = append_prefixed(out, proba, "probability_");
    if (rc == 0 && ex && X) rc = explain(out, b, X, ex);
    if (X) lp_frame_unref(X);
    if (pred) lp_frame_unref(pred);
    if (proba) lp_frame_unref(proba);
    return rc;
}

/* lp_bundle_score with rows in messages counted from first_row + 1 (a caller
 * scoring a long input in chunks passes the chunk's offset); ex: NULL or
 * what to explain. */
static int score(lp_frame **out, const lp_bundle *b, const lp_frame *raw, size_t first_row,
                 const explain_req *ex)
{
    *out = NULL;
    if (!b || !raw) return lp_error_set(LP_EINVAL, "lp_bundle_score: a bundle and rows are needed");
    lp_frame *conformed = NULL, *rows = NULL, *res = NULL;
    int rc = conform(&conformed, b, raw, first_row);
    if (rc == 0 && lp_frame_rows(raw) == 0) /* nothing for the transformer to type */
        rows = lp_frame_ref(conformed);
    else if (rc == 0)
        rc = transform(&rows, b, conformed);
    if (rc == 0 && lp_frame_rows(rows) != lp_frame_rows(raw))
        rc = lp_error_set(LP_EINVAL,
                          "the bundle's data_transformer turned %zu rows into %zu; a bundle "
                          "scores row by row",
                          lp_frame_rows(raw), lp_frame_rows(rows));
    if (rc == 0 && !(res = lp_frame_new())) rc = lp_error_set(LP_ENOMEM, "out of memory");
    if (rc == 0) rc = predict(res, b, raw, conformed, rows, ex);
    if (conformed) lp_frame_unref(conformed);
    if (rows) lp_frame_unref(rows);
    if (rc) {
        if (res) lp_frame_unref(res);
        return rc;
    }
    *out = res;
    return 0;
}

LP_API int lp_bundle_score_from(lp_frame **out, const lp_bundle *b, const lp_frame *raw,
                                size_t first_row)
{
    return score(out, b, raw, first_row, NULL);
}

LP_API int lp_bundle_score_explained(lp_frame **out, lp_frame **contributions, const lp_bundle *b,
                                     const lp_frame *raw, size_t first_row, size_t top_k)
{
    if (contributions) *contributions = NULL;
    if (b && !lp_model_has_contributions(b->model)) {
        *out = NULL;
        return lp_error_set(LP_EINVAL,
                            "the bundle's %s model gives no feature contributions "
                            "to explain its predictions",
                            lp_model_backend(b->model));
    }
    explain_req ex = {top_k, contributions};
    int rc = score(out, b, raw, first_row, &ex);
    if (rc && contributions && *contributions) {
        lp_frame_unref(*contributions);
        *contributions = NULL;
    }
    return rc;
}

LP_API int lp_bundle_score(lp_frame **out, const lp_bundle *b, const lp_frame *raw)
{
    return lp_bundle_score_from(out, b, raw, 0);
}
