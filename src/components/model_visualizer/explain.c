/*
 * explain.c — feature importance (bars) and the SHAP summary (beeswarm).
 *
 * Importance comes from, in order: argument `importance` (a map feature →
 * number, or a map holding one, as an explainer returns it), argument
 * `contributions` (per-row SHAP values: mean |value| per feature column), or
 * else permutation importance on the split: the drop in accuracy (R² for
 * regression) when one feature's values are rotated by half the rows — a
 * fixed permutation, so the plot is the same on every run.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "components/model_visualizer/viz.h"
#include "lolpop/kit.h"

#define TOP_FEATURES 20

typedef struct ranked {
    const char *name;
    double value;
    size_t col; /* the feature's column in the contributions frame */
} ranked;

static int by_value_desc(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->value != y->value) return x->value < y->value ? 1 : -1;
    return strcmp(x->name, y->name);
}

/* A map whose values are all numbers. */
static bool numbers_map(const lp_value *v)
{
    if (lp_value_type(v) != LP_MAP || lp_map_len(v) == 0) return false;
    for (size_t i = 0; i < lp_map_len(v); i++) {
        lp_vtype t = lp_value_type(lp_map_value(v, i));
        if (t != LP_INT && t != LP_FLOAT) return false;
    }
    return true;
}

/* The map of numbers inside argument `importance`: itself, or its first map value that is one. */
static const lp_value *importance_map(const lp_value *v)
{
    if (numbers_map(v)) return v;
    for (size_t i = 0; lp_value_type(v) == LP_MAP && i < lp_map_len(v); i++)
        if (numbers_map(lp_map_value(v, i))) return lp_map_value(v, i);
    return NULL;
}

/* Is column `name` a feature of the model? */
static bool is_feature(const lp_model *m, const char *name)
{
    for (size_t j = 0; j < lp_model_n_features(m); j++)
        if (strcmp(lp_model_feature_name(m, j), name) == 0) return true;
    return false;
}

static int from_contributions(ranked **out, size_t *n, const lp_viz_data *d, const lp_frame *c)
{
    *out = calloc(lp_frame_cols(c) + 1, sizeof **out);
    if (!*out) return lp_error_set(LP_ENOMEM, "out of memory");
    size_t rows = lp_frame_rows(c);
    *n = 0;
    for (size_t j = 0; j < lp_frame_cols(c); j++) {
        if (!is_feature(d->model, lp_frame_name(c, j))) continue; /* bias, base value, ... */
        double s = 0;
        for (size_t i = 0; i < rows; i++) {
            double v = lp_column_get_f64(lp_frame_col(c, j), i);
            if (isfinite(v)) s += fabs(v);
        }
        (*out)[(*n)++] = (ranked){lp_frame_name(c, j), rows ? s / (double)rows : 0, j};
    }
    return 0;
}

/* Accuracy (classification) or R² (regression) of the model on X against d's truth, over the
 * rows of d. */
static int score(double *out, const lp_viz_data *d, const lp_frame *X)
{
    if (d->k) {
        lp_frame *proba = NULL;
        int rc = lp_model_predict_proba(&proba, d->model, X);
        if (rc) return rc;
        size_t right = 0, known = 0;
        for (size_t i = 0; i < d->n; i++) {
            if (d->y_class[i] < 0) continue;
            size_t best = 0;
            for (size_t c = 1; c < d->k; c++)
                if (lp_column_get_f64(lp_frame_col(proba, c), i) >
                    lp_column_get_f64(lp_frame_col(proba, best), i))
                    best = c;
            right += best == (size_t)d->y_class[i];
            known++;
        }
        lp_frame_unref(proba);
        *out = known ? (double)right / (double)known : 0;
        return 0;
    }
    double *raw = NULL;
    int rc = lp_model_predict_raw(&raw, d->model, X);
    if (rc) return rc;
    double mean = 0, ss_res = 0, ss_tot = 0;
    for (size_t i = 0; i < d->n; i++)
        mean += d->y_true[i] / (double)d->n;
    for (size_t i = 0; i < d->n; i++) {
        ss_res += (d->y_true[i] - raw[i]) * (d->y_true[i] - raw[i]);
        ss_tot += (d->y_true[i] - mean) * (d->y_true[i] - mean);
    }
    free(raw);
    *out = ss_tot > 0 ? 1 - ss_res / ss_tot : 0;
    return 0;
}

/* X with column j's rows rotated by half the rows (the other columns shared). */
static lp_frame *rotated(const lp_frame *X, size_t j, const size_t *rot)
{
    lp_frame *f = lp_frame_new();
    for (size_t c = 0; f && c < lp_frame_cols(X); c++) {
        lp_column *col = c == j ? lp_column_take(lp_frame_col(X, c), rot, lp_frame_rows(X))
                                : lp_column_ref(lp_frame_col(X, c));
        if (!col || lp_frame_add_column(f, lp_frame_name(X, c), col) != 0) {
            lp_frame_unref(f);
            return NULL;
        }
    }
    return f;
}

static int permutation_scores(ranked *out, size_t *n, const lp_viz_data *d);

/* Permutation importance on at most max_points rows of the split (evenly spaced). */
static int from_permutation(ranked **out, size_t *n, const lp_viz_data *d)
{
    *out = calloc(lp_model_n_features(d->model) + 1, sizeof **out);
    *n = 0;
    if (!*out) return lp_error_set(LP_ENOMEM, "out of memory");
    if (d->n <= d->max_points) return permutation_scores(*out, n, d);
    size_t m;
    size_t *idx = lp_viz_thin(d->n, d->max_points, &m);
    lp_viz_data sub = *d;
    sub.n = m;
    lp_frame *X = NULL;
    int rc = idx ? lp_frame_take(&X, d->X, idx, m) : LP_ENOMEM;
    sub.X = X;
    sub.y_class = rc == 0 && d->y_class ? malloc(m * sizeof *sub.y_class) : NULL;
    sub.y_true = rc == 0 && d->y_true ? malloc(m * sizeof *sub.y_true) : NULL;
    if (rc == 0 && ((d->y_class && !sub.y_class) || (d->y_true && !sub.y_true)))
        rc = lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t i = 0; rc == 0 && i < m; i++) {
        if (sub.y_class) sub.y_class[i] = d->y_class[idx[i]];
        if (sub.y_true) sub.y_true[i] = d->y_true[idx[i]];
    }
    if (rc == 0) rc = permutation_scores(*out, n, &sub);
    free(sub.y_class);
    free(sub.y_true);
    lp_frame_unref(X);
    free(idx);
    return rc;
}

static int permutation_scores(ranked *out, size_t *n, const lp_viz_data *d)
{
    size_t rows = d->n, nf = lp_model_n_features(d->model);
    size_t *rot = malloc((rows ? rows : 1) * sizeof *rot);
    if (!rot) return lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t i = 0; i < rows; i++)
        rot[i] = (i + rows / 2) % rows;
    double base = 0;
    int rc = score(&base, d, d->X);
    for (size_t f = 0; rc == 0 && f < nf; f++) {
        const char *name = lp_model_feature_name(d->model, f);
        long j = lp_frame_find(d->X, name);
        if (j < 0) continue;
        lp_frame *X = rotated(d->X, (size_t)j, rot);
        double s = 0;
        rc = X ? score(&s, d, X) : LP_ENOMEM;
        lp_frame_unref(X);
        if (rc == 0) out[(*n)++] = (ranked){name, base - s, 0};
    }
    free(rot);
    return rc;
}

/* The model's own name for the feature spelled s[0..len), or NULL. */
static const char *feature_named(const lp_model *m, const char *s, size_t len)
{
    for (size_t j = 0; j < lp_model_n_features(m); j++) {
        const char *name = lp_model_feature_name(m, j);
        if (strlen(name) == len && memcmp(name, s, len) == 0) return name;
    }
    return NULL;
}

/* Importance from an explainer's table (columns feature and importance, as
 * TreeSHAPModelExplainer.get_feature_importance gives it); *n = 0 when f is
 * not such a table. */
static int from_importance_frame(ranked **out, size_t *n, const lp_viz_data *d, const lp_frame *f)
{
    *n = 0;
    long jf = lp_frame_find(f, "feature"), ji = lp_frame_find(f, "importance");
    if (jf < 0 || ji < 0) return 0;
    const lp_column *names = lp_frame_col(f, (size_t)jf), *vals = lp_frame_col(f, (size_t)ji);
    if (names->type != LP_DT_STRING || vals->type != LP_DT_FLOAT64) return 0;
    *out = calloc(lp_frame_rows(f) + 1, sizeof **out);
    if (!*out) return lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t i = 0; i < lp_frame_rows(f); i++) {
        size_t len = 0;
        const char *s = lp_column_str(names, i, &len);
        const char *name = s ? feature_named(d->model, s, len) : NULL;
        if (name && lp_column_is_valid(vals, i))
            (*out)[(*n)++] = (ranked){name, vals->data.f64[i], 0};
    }
    if (*n == 0) {
        free(*out);
        *out = NULL;
    }
    return 0;
}

static int importance(ranked **out, size_t *n, const char **source, const lp_viz_data *d)
{
    const lp_value *table = lp_kit_arg_opt(d->args, "importance");
    if (table && lp_value_as_frame(table)) {
        int rc = from_importance_frame(out, n, d, lp_value_as_frame(table));
        if (rc || *n) {
            *source = "mean |SHAP value|";
            return rc;
        }
    }
    const lp_value *imp = importance_map(lp_kit_arg_opt(d->args, "importance"));
    const lp_value *cv = lp_kit_arg_opt(d->args, "contributions");
    if (imp) {
        *source = "explainer";
        *out = calloc(lp_map_len(imp) + 1, sizeof **out);
        if (!*out) return lp_error_set(LP_ENOMEM, "out of memory");
        for (size_t i = 0; i < lp_map_len(imp); i++)
            (*out)[i] = (ranked){lp_map_key(imp, i), lp_value_as_float(lp_map_value(imp, i)), 0};
        *n = lp_map_len(imp);
        return 0;
    }
    if (cv && lp_value_as_frame(cv)) {
        *source = "mean |SHAP value|";
        return from_contributions(out, n, d, lp_value_as_frame(cv));
    }
    *source = d->k ? "permutation: drop in accuracy" : "permutation: drop in R²";
    return from_permutation(out, n, d);
}

int lp_viz_plot_importance(lp_plot **out, const char **skip, const lp_viz_data *d)
{
    ranked *r = NULL;
    size_t n = 0;
    const char *source = NULL;
    int rc = importance(&r, &n, &source, d);
    if (rc) {
        free(r);
        return rc;
    }
    qsort(r, n, sizeof *r, by_value_desc);
    size_t shown = n < TOP_FEATURES ? n : TOP_FEATURES;
    const char **names = malloc((shown ? shown : 1) * sizeof *names);
    double *x = malloc((shown ? shown : 1) * sizeof *x),
           *y = malloc((shown ? shown : 1) * sizeof *y);
    char *title = lp_asprintf("Feature importance (%s split)", d->split);
    lp_plot *p = names && x && y && title ? lp_plot_new(title, source, NULL, d->width,
                                                        (int)fmax(240, 110 + 30 * (double)shown))
                                          : NULL;
    rc = p ? 0 : lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t i = 0; rc == 0 && i < shown; i++) {
        names[i] = r[i].name;
        x[i] = r[i].value;
        y[i] = (double)i;
    }
    if (rc == 0 && (lp_plot_set_ycats(p, names, shown) ||
                    !lp_plot_add(p, LP_PLOT_BARH, NULL, shown, x, y, NULL)))
        rc = LP_ENOMEM;
    if (p) p->legend = LP_LEGEND_NONE;
    free(r);
    free(names);
    free(x);
    free(y);
    free(title);
    if (rc) {
        lp_plot_free(p);
        return rc;
    }
    if (!shown) {
        lp_plot_free(p);
        *skip = "no feature importance to show";
        return 0;
    }
    *out = p;
    return 0;
}

/* Feature values of one column scaled to [0, 1] between its 5th and 95th percentiles (NaN
 * where missing or not numeric), for the beeswarm's colours. */
static int shades(double *out, const lp_column *col, size_t n)
{
    double *sorted = malloc((n ? n : 1) * sizeof *sorted);
    if (!sorted) return lp_error_set(LP_ENOMEM, "out of memory");
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        out[i] = col ? lp_column_get_f64(col, i) : NAN;
        if (isfinite(out[i])) sorted[m++] = out[i];
    }
    for (size_t i = 1; i < m; i++) /* insertion sort is fine for the thinned rows */
        for (size_t k = i; k > 0 && sorted[k - 1] > sorted[k]; k--) {
            double t = sorted[k];
            sorted[k] = sorted[k - 1];
            sorted[k - 1] = t;
        }
    double lo = m ? sorted[(size_t)(0.05 * (double)(m - 1))] : 0;
    double hi = m ? sorted[(size_t)(0.95 * (double)(m - 1))] : 1;
    if (hi <= lo) lo = m ? sorted[0] : 0, hi = m ? sorted[m - 1] : 1;
    for (size_t i = 0; i < n; i++)
        if (isfinite(out[i])) out[i] = hi > lo ? fmin(1, fmax(0, (out[i] - lo) / (hi - lo))) : 0.5;
    free(sorted);
    return 0;
}

/* Vertical offsets that spread points of equal x into a swarm: points are binned along x
 * and each bin's points alternate above and below the row's centre line. */
static void swarm(double *dy, const double *x, const size_t *rows, size_t m, double lo, double hi)
{
    enum { BINS = 120 };
    unsigned count[BINS] = {0};
    unsigned peak = 1;
    for (size_t i = 0; i < m; i++) {
        double v = x[rows[i]];
        int b = hi > lo && isfinite(v) ? (int)((v - lo) / (hi - lo) * (BINS - 1)) : 0;
        unsigned k = count[b]++;
        dy[i] = (k % 2 ? -1.0 : 1.0) * (double)((k + 1) / 2);
        if (count[b] > peak) peak = count[b];
    }
    /* Spread by a fixed step while the fullest bin fits in the row, else squeezed. */
    double scale = fmin(0.06, 0.42 / fmax(1, ceil(peak / 2.0)));
    for (size_t i = 0; i < m; i++)
        dy[i] *= scale;
}

int lp_viz_plot_shap(lp_plot **out, const char **skip, const lp_viz_data *d)
{
    const lp_value *cv = lp_kit_arg_opt(d->args, "contributions");
    const lp_frame *c = cv ? lp_value_as_frame(cv) : NULL;
    if (!c) return *skip = "no contributions (SHAP values) were given", 0;
    ranked *r = NULL;
    size_t nf = 0, m = 0, rows = lp_frame_rows(c);
    int rc = from_contributions(&r, &nf, d, c);
    if (rc) return rc;
    qsort(r, nf, sizeof *r, by_value_desc);
    size_t shown = nf < TOP_FEATURES ? nf : TOP_FEATURES;
    size_t *idx = lp_viz_thin(rows, d->max_points, &m);
    double *x = malloc((m ? m : 1) * sizeof *x), *y = malloc((m ? m : 1) * sizeof *y);
    double *all = malloc((rows ? rows : 1) * sizeof *all), *sh = malloc((m ? m : 1) * sizeof *sh);
    double *full = malloc((rows ? rows : 1) * sizeof *full);
    const char **names = malloc((shown ? shown : 1) * sizeof *names);
    char *title = lp_asprintf("SHAP summary (%s split)", d->split);
    lp_plot *p = idx && x && y && all && sh && full && names && title
                     ? lp_plot_new(title, "SHAP value (impact on the model's output)", NULL,
                                   d->width, (int)fmax(260, 110 + 40 * (double)shown))
                     : NULL;
    rc = p ? 0 : lp_error_set(LP_ENOMEM, "out of memory");
    if (p) p->shade_label = lp_strdup("Feature value"), p->legend = LP_LEGEND_NONE;
    bool same_rows = d->X && lp_frame_rows(d->X) == rows;
    for (size_t f = 0; rc == 0 && f < shown; f++) {
        names[f] = r[f].name;
        const lp_column *col = lp_frame_col(c, r[f].col);
        double lo = INFINITY, hi = -INFINITY;
        for (size_t i = 0; i < rows; i++) {
            all[i] = lp_column_get_f64(col, i);
            if (isfinite(all[i])) lo = fmin(lo, all[i]), hi = fmax(hi, all[i]);
        }
        rc = shades(full, same_rows ? lp_frame_col_by_name(d->X, r[f].name) : NULL, rows);
        if (rc) break;
        swarm(y, all, idx, m, lo, hi);
        for (size_t i = 0; i < m; i++) {
            x[i] = all[idx[i]];
            y[i] += (double)f;
            sh[i] = full[idx[i]];
        }
        lp_plot_series *s = lp_plot_add(p, LP_PLOT_SCATTER, NULL, m, x, y, NULL);
        double *shade = s ? malloc((m ? m : 1) * sizeof *shade) : NULL;
        if (!shade) {
            rc = lp_error_set(LP_ENOMEM, "out of memory");
            break;
        }
        memcpy(shade, sh, m * sizeof *shade);
        s->shade = shade;
        s->alpha = 0.75;
        s->width = 2.5;
    }
    if (rc == 0 && lp_plot_set_ycats(p, names, shown)) rc = LP_ENOMEM;
    if (rc == 0 && !p->shade_label) rc = lp_error_set(LP_ENOMEM, "out of memory");
    free(r), free(idx), free(x), free(y), free(all), free(sh), free(full), free(names), free(title);
    if (rc) {
        lp_plot_free(p);
        return rc;
    }
    *out = p;
    return 0;
}
