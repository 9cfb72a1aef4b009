/*
 * encoder_apply.c — replacing a column of a frame by its fitted encoding.
 *
 * The other columns are shared with the input frame (no copies); the encoded
 * column is replaced where it stood, so a one-hot column's indicator columns
 * appear in its place. Missing inputs stay missing for scalers; numeric
 * outputs are float64 as sklearn's.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "encoders.h"

/* New frame: f with its column `column` replaced by cols[0..n) named names[].
 * Takes ownership of every cols[k], even on failure. */
static int replace_column(lp_frame **out, const lp_frame *f, const char *column, char **names,
                          lp_column **cols, size_t n)
{
    lp_frame *nf = lp_frame_new();
    int rc = nf ? 0 : lp_error_set(LP_ENOMEM, "out of memory");
    size_t used = 0;
    for (size_t j = 0; rc == 0 && j < lp_frame_cols(f); j++) {
        const char *name = lp_frame_name(f, j);
        if (strcmp(name, column) != 0) {
            rc = lp_frame_add_column(nf, name, lp_column_ref(lp_frame_col(f, j)));
            continue;
        }
        for (; rc == 0 && used < n; used++)
            rc = lp_frame_add_column(nf, names[used], cols[used]); /* takes cols[used] */
    }
    for (; used < n; used++)
        lp_column_unref(cols[used]);
    if (rc) {
        lp_frame_unref(nf);
        return rc;
    }
    *out = nf;
    return 0;
}

/* The text of value i of col, for messages (new string). */
static char *value_text(const lp_column *col, size_t i)
{
    size_t len;
    const char *s = lp_column_str(col, i, &len);
    if (s) return lp_strndup(s, len);
    char buf[64];
    lp_py_repr(lp_column_get_f64(col, i), buf, sizeof buf);
    return lp_strdup(buf);
}

static lp_column *new_f64(size_t n)
{
    lp_column *c = lp_column_new(LP_DT_FLOAT64, n);
    if (!c) lp_error_set(LP_ENOMEM, "out of memory");
    return c;
}

/* Marks row i missing (NaN underneath, so matrix conversion sees NaN either way). */
static int set_missing(lp_column *c, size_t i)
{
    c->data.f64[i] = NAN;
    return lp_column_set_null(c, i);
}

/* ---- OneHotEncoder ------------------------------------------------------------ */

static int onehot_names(char **names, const lp_encoder *e)
{
    size_t total = e->cats.n + e->cats.has_missing;
    for (size_t i = 0; i < total; i++) {
        if (e->has_other && e->slot[i] == e->n_slots - 1) continue;
        char *label = lp_categories_label(&e->cats, i);
        if (!label) return LP_ENOMEM;
        names[e->slot[i]] = lp_asprintf("%s_%s", e->column, label);
        free(label);
        if (!names[e->slot[i]]) return LP_ENOMEM;
    }
    if (e->has_other) {
        names[e->n_slots - 1] = lp_asprintf("%s_other", e->column);
        if (!names[e->n_slots - 1]) return LP_ENOMEM;
    }
    return 0;
}

static int onehot_fill(lp_column **cols, const lp_encoder *e, const lp_column *col)
{
    for (size_t i = 0; i < col->length; i++) {
        long c = lp_categories_find(&e->cats, col, i);
        if (c == LP_CAT_MISSING) c = e->cats.has_missing ? (long)e->cats.n : LP_CAT_UNKNOWN;
        if (c >= 0) {
            cols[e->slot[c]]->data.f64[i] = 1.0;
            continue;
        }
        if (!e->params.unknown_error) continue; /* handle_unknown: ignore → all zeros */
        char *v = value_text(col, i);
        lp_error_set(LP_EINVAL,
                     "column '%s' row %zu: category '%s' was not seen in fit (handle_unknown: "
                     "error)",
                     e->column, i + 1, v ? v : "?");
        free(v);
        return LP_EINVAL;
    }
    return 0;
}

static int apply_onehot(lp_frame **out, const lp_encoder *e, const lp_frame *f,
                        const lp_column *col)
{
    size_t k = e->n_slots;
    char **names = calloc(k ? k : 1, sizeof *names);
    lp_column **cols = calloc(k ? k : 1, sizeof *cols);
    int rc = names && cols ? 0 : lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t j = 0; rc == 0 && j < k; j++)
        if (!(cols[j] = new_f64(col->length))) rc = LP_ENOMEM;
    if (rc == 0) rc = onehot_names(names, e);
    if (rc == 0) rc = onehot_fill(cols, e, col);
    if (rc == 0) {
        rc = replace_column(out, f, e->column, names, cols, k);
    } else {
        for (size_t j = 0; cols && j < k; j++)
            lp_column_unref(cols[j]);
    }
    for (size_t j = 0; names && j < k; j++)
        free(names[j]);
    free(names);
    free(cols);
    return rc;
}

/* ---- one column in, one out ------------------------------------------------------ */

static int ordinal_fill(lp_column *o, const lp_encoder *e, const lp_column *col)
{
    for (size_t i = 0; i < col->length; i++) {
        long c = lp_categories_find(&e->cats, col, i);
        if (c == LP_CAT_MISSING && e->cats.has_missing) {
            if (set_missing(o, i)) return LP_ENOMEM; /* encoded_missing_value = nan */
        } else {
            o->data.f64[i] = c >= 0 ? (double)c : e->params.unknown_value;
        }
    }
    return 0;
}

static int scale_fill(lp_column *o, const lp_encoder *e, const lp_column *col)
{
    for (size_t i = 0; i < col->length; i++) {
        double x = lp_column_get_f64(col, i);
        if (isnan(x)) {
            if (set_missing(o, i)) return LP_ENOMEM;
        } else if (e->kind == LP_ENC_MINMAX) {
            x *= e->a; /* sklearn: X *= scale_; X += min_ */
            o->data.f64[i] = x + e->b;
        } else {
            x -= e->a; /* sklearn: X -= mean_; X /= scale_ */
            o->data.f64[i] = x / e->b;
        }
    }
    return 0;
}

static int impute_numbers(lp_column *o, const lp_encoder *e, const lp_column *col)
{
    for (size_t i = 0; i < col->length; i++) {
        double x = lp_column_get_f64(col, i);
        o->data.f64[i] = isnan(x) ? e->fill_num : x;
    }
    return 0;
}

static lp_column *impute_strings(const lp_encoder *e, const lp_column *col)
{
    lp_column_builder *b = lp_column_builder_new(LP_DT_STRING, col->length);
    if (!b) return NULL;
    size_t fill_len = strlen(e->fill_str);
    for (size_t i = 0; i < col->length; i++) {
        size_t len;
        const char *s = lp_column_str(col, i, &len);
        if (lp_column_builder_append_str(b, s ? s : e->fill_str, s ? len : fill_len)) {
            lp_column_builder_free(b);
            return NULL;
        }
    }
    return lp_column_builder_finish(b);
}

static int check_input(const lp_encoder *e, const lp_column *col)
{
    bool str = col->type == LP_DT_STRING || col->type == LP_DT_CATEGORY;
    switch (e->kind) {
    case LP_ENC_ONEHOT:
    case LP_ENC_ORDINAL:
        return lp_categories_check(&e->cats, col, e->column);
    case LP_ENC_IMPUTER:
        if (str == e->fill_is_string && col->type != LP_DT_TIMESTAMP) return 0;
        break;
    case LP_ENC_MINMAX:
    case LP_ENC_STANDARD:
        if (!str && col->type != LP_DT_TIMESTAMP) return 0;
        break;
    }
    return lp_error_set(LP_EINVAL, "column '%s' holds %s values; %s was fitted on %s", e->column,
                        lp_dtype_name(col->type), lp_enc_kind_name(e->kind),
                        e->kind == LP_ENC_IMPUTER && e->fill_is_string ? "strings" : "numbers");
}

int lp_encoder_apply(lp_frame **out, const lp_encoder *e, const lp_frame *f)
{
    *out = NULL;
    const lp_column *col = lp_frame_col_by_name(f, e->column);
    if (!col) return lp_encoder_missing_column(f, e->column);
    int rc = check_input(e, col);
    if (rc) return rc;
    if (e->kind == LP_ENC_ONEHOT) return apply_onehot(out, e, f, col);
    lp_column *o = NULL;
    if (e->kind == LP_ENC_IMPUTER && e->fill_is_string) {
        o = impute_strings(e, col);
        if (!o) return lp_error_last()->code ? lp_error_last()->code : LP_ENOMEM;
    } else {
        if (!(o = new_f64(col->length))) return LP_ENOMEM;
        if (e->kind == LP_ENC_ORDINAL)
            rc = ordinal_fill(o, e, col);
        else if (e->kind == LP_ENC_IMPUTER)
            rc = impute_numbers(o, e, col);
        else
            rc = scale_fill(o, e, col);
    }
    if (rc) {
        lp_column_unref(o);
        return lp_error_set(rc, "out of memory");
    }
    char *name = e->column;
    return replace_column(out, f, e->column, &name, &o, 1);
}
