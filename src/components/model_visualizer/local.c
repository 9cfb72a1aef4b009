/*
 * local.c — LocalModelVisualizer: generate_viz draws the model's plots on one
 * split, as SVG (written directly) and PNG (cairo), each file written
 * atomically and recorded with the metadata tracker as an artifact of the
 * model version; the result lists the files.
 *
 *   model_visualizer: LocalModelVisualizer
 *   model_visualizer:
 *     config:
 *       dir: .lolpop/plots         # where the files go (default)
 *       formats: [svg, png]        # default both
 *       plots: [roc, pr, ...]      # default every plot that applies to the model
 *       size: [720, 480]           # pixels (or {width: 720, height: 480})
 *       split: valid               # the split drawn (default valid, else test, else train)
 *       max_points: 2000           # scatter plots and permutation importance thin to this
 *       interval_width: 0.8        # forecasts: the interval drawn
 *       curve_rows: 5000           # learning curve: rows per split (evenly thinned)
 *
 * Optional arguments of generate_viz besides splits and model: model_version
 * (the resource the files are recorded under), importance (feature → value,
 * e.g. an explainer's result) with importance_split (the split it was computed
 * on, named in the plot's title; OfflineTrain passes train), contributions (a frame of per-row SHAP
 * values, one column per feature, rows matching the split's X) and components (a frame: a time
 * column and one column per forecast component; without it, the model's trainer's
 * predict_components over the history and the split, when it has that method and the model is its
 * kind) and cv (a cross_validate result; without it, the model's trainer's cross_validate with the
 * winner's parameters on the training split, when it has that method and cv_initial, cv_period or
 * cv_horizon is set) for the plot cv_error. The model's trainer is the one that made the winning
 * experiment of model_version (lp_experiment_winning_trainer: a tuner's winner may be another
 * class than the slot's trainer), else the visible model_trainer.
 *
 * Files are named by their content (roc-<hash>.svg), so the same model and
 * data give the same files and a rerun does not pile up copies.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "components/model_visualizer/viz.h"
#include "lolpop/kit.h"
#include "lolpop/types/metadata_tracker.h"

typedef struct plot_kind {
    const char *name;
    lp_viz_builder build; /* NULL: components (several plots) */
} plot_kind;

static const plot_kind kinds[] = {
    {"roc", lp_viz_plot_roc},
    {"pr", lp_viz_plot_pr},
    {"confusion_matrix", lp_viz_plot_confusion},
    {"calibration", lp_viz_plot_calibration},
    {"feature_importance", lp_viz_plot_importance},
    {"shap_summary", lp_viz_plot_shap},
    {"learning_curve", lp_viz_plot_learning_curve},
    {"residuals", lp_viz_plot_residuals},
    {"predicted_vs_actual", lp_viz_plot_predicted},
    {"forecast", lp_viz_plot_forecast},
    {"forecast_residuals", lp_viz_plot_forecast_residuals},
    {"residual_acf", lp_viz_plot_residual_acf},
    {"components", NULL},
    {"cv_error", lp_viz_plot_cv_error},
};
#define N_KINDS (sizeof kinds / sizeof kinds[0])
enum { COMPONENTS = N_KINDS - 2, CV_ERROR = N_KINDS - 1 }; /* the forecasters' extras */
enum { PLOT_NAME_MAX = 256 }; /* a plot file's name before "-<hash>.svg" */

typedef struct visualizer {
    char *dir, *split;
    bool svg, png;
    bool want[N_KINDS];
    int width, height;
    size_t max_points, curve_rows;
    double interval_width;
} visualizer;

static const char *path_of(lp_obj *self)
{
    const char *p = lp_obj_path(self);
    return p && *p ? p : lp_obj_name(self);
}

/* ---- configuration ------------------------------------------------------------------ */

static int read_formats(lp_obj *self, visualizer *v)
{
    lp_value *f = lp_kit_config_strings(self, "formats");
    if (!f) return LP_ECONFIG;
    int rc = 0;
    v->svg = v->png = lp_list_len(f) == 0;
    for (size_t i = 0; rc == 0 && i < lp_list_len(f); i++) {
        const char *s = lp_value_as_string(lp_list_get(f, i));
        if (strcmp(s, "svg") == 0)
            v->svg = true;
        else if (strcmp(s, "png") == 0)
            v->png = true;
        else
            rc = lp_kit_error_at(LP_ECONFIG, lp_list_get(f, i),
                                 "LocalModelVisualizer (%s): unknown format '%s' (formats are "
                                 "svg and png)",
                                 path_of(self), s);
    }
    lp_value_unref(f);
    return rc;
}

static int read_plots(lp_obj *self, visualizer *v)
{
    lp_value *p = lp_kit_config_strings(self, "plots");
    if (!p) return LP_ECONFIG;
    int rc = 0;
    for (size_t k = 0; k < N_KINDS; k++)
        v->want[k] = lp_list_len(p) == 0;
    for (size_t i = 0; rc == 0 && i < lp_list_len(p); i++) {
        const char *s = lp_value_as_string(lp_list_get(p, i));
        size_t k = 0;
        while (k < N_KINDS && strcmp(kinds[k].name, s) != 0)
            k++;
        if (k < N_KINDS) {
            v->want[k] = true;
            continue;
        }
        rc = lp_kit_error_at(
            LP_ECONFIG, lp_list_get(p, i),
            "LocalModelVisualizer (%s): unknown plot '%s' (plots are roc, pr, "
            "confusion_matrix, calibration, feature_importance, shap_summary, "
            "learning_curve, residuals, predicted_vs_actual, forecast, forecast_residuals, "
            "residual_acf, components, cv_error)",
            path_of(self), s);
    }
    lp_value_unref(p);
    return rc;
}

/* size: [w, h] or {width, height}, each 200..4000 pixels. */
static int read_size(lp_obj *self, visualizer *v, const lp_value *cfg)
{
    const lp_value *s = lp_map_get(cfg, "size");
    if (!s) return 0;
    const lp_value *w = NULL, *h = NULL;
    if (lp_value_type(s) == LP_LIST && lp_list_len(s) == 2)
        w = lp_list_get(s, 0), h = lp_list_get(s, 1);
    else if (lp_value_type(s) == LP_MAP)
        w = lp_map_get(s, "width"), h = lp_map_get(s, "height");
    if (!w || !h || lp_value_type(w) != LP_INT || lp_value_type(h) != LP_INT ||
        lp_value_as_int(w) < 200 || lp_value_as_int(w) > 4000 || lp_value_as_int(h) < 200 ||
        lp_value_as_int(h) > 4000)
        return lp_kit_error_at(LP_ECONFIG, s,
                               "LocalModelVisualizer (%s): size must be [width, height] or "
                               "{width, height} in pixels, each from 200 to 4000",
                               path_of(self));
    v->width = (int)lp_value_as_int(w);
    v->height = (int)lp_value_as_int(h);
    return 0;
}

static int read_numbers(lp_obj *self, visualizer *v, const lp_value *cfg)
{
    const lp_value *m = lp_map_get(cfg, "max_points"), *iw = lp_map_get(cfg, "interval_width");
    const lp_value *cr = lp_map_get(cfg, "curve_rows");
    if (cr && (lp_value_type(cr) != LP_INT || lp_value_as_int(cr) < 10))
        return lp_kit_error_at(LP_ECONFIG, cr,
                               "LocalModelVisualizer (%s): curve_rows must be an integer of at "
                               "least 10",
                               path_of(self));
    if (cr) v->curve_rows = (size_t)lp_value_as_int(cr);
    if (m && (lp_value_type(m) != LP_INT || lp_value_as_int(m) < 10))
        return lp_kit_error_at(LP_ECONFIG, m,
                               "LocalModelVisualizer (%s): max_points must be an integer of at "
                               "least 10",
                               path_of(self));
    if (m) v->max_points = (size_t)lp_value_as_int(m);
    double w = iw ? lp_value_as_float(iw) : 0.8;
    if (iw &&
        ((lp_value_type(iw) != LP_FLOAT && lp_value_type(iw) != LP_INT) || !(w > 0) || !(w < 1)))
        return lp_kit_error_at(LP_ECONFIG, iw,
                               "LocalModelVisualizer (%s): interval_width must be a number "
                               "between 0 and 1",
                               path_of(self));
    v->interval_width = w;
    return 0;
}

static void viz_fini(lp_obj *self)
{
    visualizer *v = lp_obj_state(self);
    free(v->dir);
    free(v->split);
    memset(v, 0, sizeof *v);
}

static int viz_init(lp_obj *self)
{
    visualizer *v = lp_obj_state(self);
    v->width = 720, v->height = 480, v->max_points = 2000, v->curve_rows = 5000;
    v->dir = lp_kit_config_string(self, "dir", ".lolpop/plots");
    v->split = lp_kit_config_string(self, "split", NULL);
    lp_value *cfg = lp_obj_config_map(self);
    int rc = v->dir ? 0 : lp_error_set(LP_ENOMEM, "out of memory");
    if (rc == 0) rc = read_formats(self, v);
    if (rc == 0) rc = read_plots(self, v);
    if (rc == 0) rc = read_size(self, v, cfg);
    if (rc == 0) rc = read_numbers(self, v, cfg);
    lp_value_unref(cfg);
    if (rc) viz_fini(self);
    return rc;
}

/* ---- the data of the plots ----------------------------------------------------------- */

/* Row i of y's only column as the text of a class label. */
static void label_text(char *buf, size_t size, const lp_column *c, size_t i)
{
    size_t len = 0;
    const char *s = NULL;
    switch (c->type) {
    case LP_DT_STRING:
    case LP_DT_CATEGORY:
        s = lp_column_str(c, i, &len);
        snprintf(buf, size, "%.*s", (int)len, s ? s : "");
        break;
    case LP_DT_INT64:
        snprintf(buf, size, "%lld", (long long)c->data.i64[i]);
        break;
    case LP_DT_BOOL:
        snprintf(buf, size, "%s", c->data.b8[i] ? "true" : "false");
        break;
    default:
        snprintf(buf, size, "%.17g", lp_column_get_f64(c, i));
        break;
    }
}

/* A class label read once: its text, and its value when the whole text is a number. */
typedef struct class_label {
    const char *text;
    double value;
    bool numeric;
} class_label;

int lp_viz_class_indices(int32_t **out, const lp_model *m, const lp_frame *y, size_t n)
{
    size_t n_classes = lp_model_n_classes(m);
    int32_t *cls = malloc((n ? n : 1) * sizeof *cls);
    class_label *labels = malloc((n_classes ? n_classes : 1) * sizeof *labels);
    if (!cls || !labels) {
        free(cls);
        free(labels);
        return lp_error_set(LP_ENOMEM, "out of memory");
    }
    for (size_t k = 0; k < n_classes; k++) { /* parsed once, not once per row */
        char *end;
        labels[k].text = lp_model_class_label(m, k);
        labels[k].value = strtod(labels[k].text, &end);
        labels[k].numeric = *labels[k].text && !*end;
    }
    const lp_column *c = lp_frame_col(y, 0);
    /* An integer's decimal text equals a label only if the label reads as that integer's
     * double, so integers are matched by value alone (no text per row). */
    bool by_text = c->type != LP_DT_INT64;
    char buf[256] = "";
    for (size_t i = 0; i < n; i++) {
        cls[i] = -1;
        if (!lp_column_is_valid(c, i)) continue;
        if (by_text) label_text(buf, sizeof buf, c, i);
        double num = lp_column_get_f64(c, i);
        for (size_t k = 0; k < n_classes && cls[i] < 0; k++)
            if ((by_text && strcmp(labels[k].text, buf) == 0) ||
                (labels[k].numeric && isfinite(num) && labels[k].value == num))
                cls[i] = (int32_t)k;
    }
    free(labels);
    *out = cls;
    return 0;
}

/* The class index of each row of the split drawn. */
static int class_indices(lp_viz_data *d)
{
    return lp_viz_class_indices(&d->y_class, d->model, d->y, d->n);
}

static int classification_data(lp_viz_data *d)
{
    lp_frame *proba = NULL;
    int rc = lp_model_predict_proba(&proba, d->model, d->X);
    if (rc == 0) rc = class_indices(d);
    if (rc == 0 && !(d->proba = malloc((d->n * d->k > 0 ? d->n * d->k : 1) * sizeof *d->proba)))
        rc = lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t i = 0; rc == 0 && i < d->n; i++)
        for (size_t c = 0; c < d->k; c++)
            d->proba[i * d->k + c] = lp_column_get_f64(lp_frame_col(proba, c), i);
    lp_frame_unref(proba);
    return rc;
}

static double *frame_column(const lp_frame *f, size_t j, size_t n)
{
    double *v = malloc((n ? n : 1) * sizeof *v);
    for (size_t i = 0; v && i < n; i++)
        v[i] = lp_column_get_f64(lp_frame_col(f, j), i);
    if (!v) lp_error_set(LP_ENOMEM, "out of memory");
    return v;
}

static int regression_data(lp_viz_data *d, double width)
{
    if (!(d->y_true = frame_column(d->y, 0, d->n))) return LP_ENOMEM;
    lp_frame *pred = NULL;
    int rc;
    if (lp_model_has_intervals(d->model)) {
        rc = lp_model_predict_interval(&pred, d->model, d->X, width);
        if (rc == 0 && (!(d->lower = frame_column(pred, 1, d->n)) ||
                        !(d->upper = frame_column(pred, 2, d->n))))
            rc = LP_ENOMEM;
    } else {
        rc = lp_model_predict(&pred, d->model, d->X);
    }
    if (rc == 0 && !(d->y_pred = frame_column(pred, 0, d->n))) rc = LP_ENOMEM;
    lp_frame_unref(pred);
    return rc;
}

static void data_free(lp_viz_data *d)
{
    free(d->y_class);
    free(d->proba);
    free(d->y_true);
    free(d->y_pred);
    free(d->lower);
    free(d->upper);
}

static lp_frame *split_frame(const lp_value *splits, const char *prefix, const char *split)
{
    char key[128];
    snprintf(key, sizeof key, "%s_%s", prefix, split);
    return lp_value_as_frame(lp_map_get(splits, key));
}

/* The split drawn: the configured one, else valid, test or train (the first present). */
static int pick_split(lp_viz_data *d, const visualizer *v, const lp_value *splits)
{
    static const char *const order[] = {"valid", "test", "train"};
    for (size_t i = 0; i < 3 && !d->X; i++) {
        const char *s = v->split ? v->split : order[i];
        d->X = split_frame(splits, "X", s);
        d->y = split_frame(splits, "y", s);
        d->split = s;
        if (v->split) break;
    }
    if (!d->X || !d->y || lp_frame_cols(d->y) != 1 || lp_frame_rows(d->y) != lp_frame_rows(d->X))
        return lp_error_set(LP_EINVAL,
                            "generate_viz: splits has no X_%s and one-column y_%s of as many "
                            "rows",
                            v->split ? v->split : "valid", v->split ? v->split : "valid");
    d->n = lp_frame_rows(d->X);
    d->X_train = split_frame(splits, "X", "train");
    d->y_train = split_frame(splits, "y", "train");
    return 0;
}

/* ---- files --------------------------------------------------------------------------- */

/* mkdir -p. */
static int make_dirs(const char *dir)
{
    char *d = lp_strdup(dir);
    if (!d) return lp_error_set(LP_ENOMEM, "out of memory");
    int rc = 0;
    for (char *s = d + 1; rc == 0; s++) {
        bool end = *s == '\0';
        if (*s != '/' && !end) continue;
        *s = '\0';
        if (mkdir(d, 0777) != 0 && errno != EEXIST)
            rc = lp_error_set(LP_EIO, "cannot create the plot directory '%s': %s", d,
                              strerror(errno));
        if (end) break;
        *s = '/';
    }
    free(d);
    return rc;
}

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 1099511628211ULL;
    return h;
}

/* Records one file with the tracker, when there is one and a model version. */
static int record(lp_obj *self, const lp_value *mv, const char *name, const char *ext,
                  const char *path)
{
    lp_obj *tracker = lp_obj_component(self, "metadata_tracker");
    if (!tracker || !mv || lp_value_type(mv) != LP_MAP) return 0;
    char id[PLOT_NAME_MAX + 16]; /* "plot." + a plot's file name + ".svg" */
    snprintf(id, sizeof id, "plot.%s.%s", name, ext);
    lp_value *res = lp_value_copy(mv);
    int rc = res ? lp_metadata_tracker_log_artifact(tracker, res, id, path)
                 : lp_error_set(LP_ENOMEM, "out of memory");
    lp_value_unref(res);
    return rc;
}

/* Writes r's plot as <dir>/<name>-<hash>.<svg|png> (its rendered bytes), appends
 * the paths to `paths` and records them. */
static int write_plot(lp_obj *self, const lp_viz_render *r, const char *name, lp_value *paths,
                      const lp_value *mv)
{
    visualizer *v = lp_obj_state(self);
    unsigned long long h = (unsigned long long)fnv1a(r->svg);
    int rc = 0;
    for (int f = 0; rc == 0 && f < 2; f++) {
        const char *ext = f == 0 ? "svg" : "png";
        if (f == 0 ? !v->svg : !v->png) continue;
        char *path = lp_asprintf("%s/%s-%016llx.%s", v->dir, name, h, ext);
        if (!path)
            rc = lp_error_set(LP_ENOMEM, "out of memory");
        else
            rc = f == 0 ? lp_file_write_atomic(path, r->svg, strlen(r->svg))
                        : lp_file_write_atomic(path, r->png, r->png_len);
        if (rc == 0) rc = lp_list_append(paths, lp_value_string(path));
        if (rc == 0) rc = record(self, mv, name, ext, path);
        free(path);
    }
    return rc;
}

/* ---- generate_viz -------------------------------------------------------------------- */

/* A tag of the model version as text (new string), NULL when it has none
 * (no error left set). */
static char *version_tag(lp_obj *tracker, const lp_value *mv, const char *key)
{
    lp_value *res = lp_value_copy(mv);
    lp_value *t = res ? lp_metadata_tracker_get_tag(tracker, res, key) : NULL;
    const char *s = lp_value_as_string(t);
    char *out = s && *s ? lp_strdup(s) : NULL;
    lp_value_unref(t);
    lp_value_unref(res);
    lp_error_clear();
    return out;
}

/* The series a model version is of, from its tags series_id and series (the
 * TimeSeriesRunner's, one version per series): "sex=female", "female"
 * without series_id, NULL for a model of no one series. New string. */
static char *series_of(lp_obj *self, const lp_value *mv)
{
    lp_obj *tracker = lp_obj_component(self, "metadata_tracker");
    if (!tracker || lp_value_type(mv) != LP_MAP) return NULL;
    char *key = version_tag(tracker, mv, "series");
    char *col = key ? version_tag(tracker, mv, "series_id") : NULL;
    char *out = col ? lp_asprintf("%s=%s", col, key) : key;
    if (col) free(key);
    free(col);
    return out;
}

/* label (may be NULL) as a file-name part: letters, digits, '-' and '.'
 * kept, anything else '_', at most 60 bytes. */
static void file_part(char *buf, size_t size, const char *label)
{
    size_t n = 0;
    for (const char *c = label; c && *c && n + 1 < size && n < 60; c++)
        buf[n++] = (char)((isalnum((unsigned char)*c) || *c == '-' || *c == '.') ? *c : '_');
    buf[n] = '\0';
}

/* A plot drawn and not yet written: the plot (owned), its file name and the
 * plot kind errors are prefixed with (NULL: components, no prefix). */
typedef struct pending {
    lp_plot *plot;
    char name[PLOT_NAME_MAX];
    const char *kind;
} pending;

/* Appends p (owned from here on, freed on failure) named `name` to the list,
 * its title and file name saying the series when the model is one series'
 * (series: "sex=female" or NULL). */
static int add_plot(pending **list, size_t *n, lp_plot *p, const char *name, const char *series,
                    const char *kind)
{
    pending *grown = realloc(*list, (*n + 1) * sizeof **list);
    char *title = series ? lp_asprintf("%s \u00b7 %s", series, p->title ? p->title : "") : NULL;
    if (!grown || (series && !title)) {
        if (grown) *list = grown;
        free(title);
        lp_plot_free(p);
        return lp_error_set(LP_ENOMEM, "out of memory");
    }
    *list = grown;
    pending *q = &grown[(*n)++];
    q->plot = p, q->kind = kind;
    if (!series) {
        snprintf(q->name, sizeof q->name, "%s", name);
        return 0;
    }
    char part[64];
    file_part(part, sizeof part, series);
    snprintf(q->name, sizeof q->name, "%s-%s", name, part);
    free(p->title);
    p->title = title;
    return 0;
}

/* Builds the plots wanted, in kinds' order, into *list: stops at the first
 * failure, the plots built before it kept. */
static int build_all(lp_obj *self, const lp_viz_data *d, const char *series, pending **list,
                     size_t *n)
{
    visualizer *v = lp_obj_state(self);
    int rc = 0;
    for (size_t k = 0; rc == 0 && k < N_KINDS; k++) {
        if (!v->want[k]) continue;
        if (!kinds[k].build) { /* components: one file per component */
            lp_plot **plots = NULL;
            size_t m = 0;
            rc = lp_viz_plot_components(&plots, &m, d);
            for (size_t i = 0; i < m; i++) {
                char name[160];
                snprintf(name, sizeof name, "component-%zu", i + 1);
                if (rc == 0)
                    rc = add_plot(list, n, plots[i], name, series, NULL);
                else
                    lp_plot_free(plots[i]);
            }
            free(plots);
            continue;
        }
        lp_plot *p = NULL;
        const char *skip = NULL;
        rc = kinds[k].build(&p, &skip, d);
        if (rc == 0 && !p) {
            /* A learning curve asked for (by default) but impossible is worth a line. */
            bool info = kinds[k].build == lp_viz_plot_learning_curve;
            lp_log(self, info ? LP_LOG_INFO : LP_LOG_DEBUG, "%s: not drawn, %s", kinds[k].name,
                   skip);
            continue;
        }
        if (rc == 0) rc = add_plot(list, n, p, kinds[k].name, series, kinds[k].name);
        if (rc) lp_error_prefix("%s plot", kinds[k].name);
    }
    return rc;
}

/* Builds the plots (one after another: builders may call the model), renders
 * them on threads (render.c), then writes the files in the plots' order. A
 * failure leaves the files of the plots before it written, as drawing them one
 * by one did. */
static int draw_all(lp_obj *self, const lp_viz_data *d, lp_value *paths, const lp_value *mv)
{
    visualizer *v = lp_obj_state(self);
    char *series = series_of(self, mv);
    pending *list = NULL;
    size_t n = 0;
    int built = build_all(self, d, series, &list, &n), rc = 0;
    lp_saved_error saved = {0}; /* the build's failure, after every plot in the list */
    if (built) lp_error_save(&saved);
    lp_viz_render *r = n ? calloc(n, sizeof *r) : NULL;
    size_t failed = n; /* the first plot that did not render */
    if (n && !r) rc = lp_error_set(LP_ENOMEM, "out of memory"), failed = 0;
    for (size_t i = 0; rc == 0 && i < n; i++)
        r[i].plot = list[i].plot;
    if (rc == 0) failed = lp_viz_render_all(r, n, v->png);
    for (size_t i = 0; i < failed; i++) {
        rc = write_plot(self, &r[i], list[i].name, paths, mv);
        if (rc && list[i].kind) lp_error_prefix("%s plot", list[i].kind);
        if (rc) break; /* before the failed rendering: this one is the error */
    }
    if (rc == 0 && failed < n) {
        rc = lp_ml_task_error_raise(&r[failed].error);
        if (list[failed].kind) lp_error_prefix("%s plot", list[failed].kind);
    }
    for (size_t i = 0; i < n; i++) {
        if (r) lp_viz_render_free(&r[i]);
        lp_plot_free(list[i].plot);
    }
    free(r);
    free(list);
    free(series);
    if (built && rc) { /* an earlier plot's failure wins; the build's copy is freed */
        lp_saved_error later = {0};
        lp_error_save(&later);
        lp_error_restore(&saved);
        lp_error_restore(&later);
    } else if (built) {
        rc = built;
        lp_error_restore(&saved);
    }
    return rc;
}

/* ---- forecasters: components and cross-validation from the trainer ------------------- */

/* The trainer of the model drawn when it has `method`, else NULL: the one
 * that made the winning experiment of argument model_version (a tuner's
 * winner may be another class than the slot's trainer), else the visible
 * model_trainer. *params (may be NULL): the winner's parameters (new ref or
 * NULL). */
static lp_obj *trainer_with(lp_obj *self, const lp_value *args, const char *method,
                            lp_value **params)
{
    lp_value *mv = lp_kit_arg_opt(args, "model_version");
    lp_obj *t =
        lp_experiment_winning_trainer(self, lp_value_type(mv) == LP_MAP ? mv : NULL, params);
    if (t && lp_obj_has_method(t, method)) return t;
    if (params) lp_value_unref(*params), *params = NULL;
    return NULL;
}

/* The first timestamp column of X, or NULL. */
static lp_column *first_time_column(const lp_frame *X)
{
    for (size_t j = 0; X && j < lp_frame_cols(X); j++)
        if (lp_frame_col(X, j)->type == LP_DT_TIMESTAMP) return lp_frame_col(X, j);
    return NULL;
}

/* comp with X's time column (when it has one) first: new reference. */
static lp_frame *with_time(const lp_frame *X, lp_frame *comp)
{
    lp_column *tc = first_time_column(X);
    if (!tc || lp_frame_rows(X) != lp_frame_rows(comp)) return lp_frame_ref(comp);
    lp_frame *f = lp_frame_new();
    int rc = f ? lp_frame_add_column(f, "time", lp_column_ref(tc)) : LP_ENOMEM;
    for (size_t j = 0; rc == 0 && j < lp_frame_cols(comp); j++)
        rc = lp_frame_add_column(f, lp_frame_name(comp, j), lp_column_ref(lp_frame_col(comp, j)));
    if (rc) {
        lp_frame_unref(f);
        return NULL;
    }
    return f;
}

/* The trainer's predict_components over X_train then the split (NULL when
 * it does not apply: logged at DEBUG; or on OOM). New reference. */
static lp_frame *trainer_components(lp_obj *self, const lp_viz_data *d, const lp_value *splits,
                                    lp_value *model)
{
    lp_obj *t = trainer_with(self, d->args, "predict_components", NULL);
    if (!t) return NULL;
    lp_frame *X = NULL;
    if (!d->X_train || lp_frame_concat(&X, d->X_train, d->X) != 0)
        X = lp_frame_ref(split_frame(splits, "X", d->split));
    lp_value *r = lp_call_with(t, "predict_components", "frame", lp_value_frame(X), "model",
                               lp_value_ref(model), (const char *)NULL);
    lp_frame *comp = lp_value_as_frame(r), *out = comp ? with_time(X, comp) : NULL;
    if (!comp)
        lp_log(self, LP_LOG_DEBUG, "components: not drawn, %s",
               lp_error_last()->message ? lp_error_last()->message : "no frame");
    lp_error_clear();
    lp_value_unref(r);
    lp_frame_unref(X);
    return out;
}

/* Whether config cv_initial, cv_period or cv_horizon is visible from self. */
static bool cv_configured(lp_obj *self)
{
    static const char *const keys[] = {"cv_initial", "cv_period", "cv_horizon"};
    bool any = false;
    for (size_t k = 0; k < 3 && !any; k++) {
        lp_value *v = lp_obj_config(self, keys[k]);
        any = v != NULL;
        lp_value_unref(v);
    }
    return any;
}

/* The cross-validation drawn: argument cv, else the trainer's on the splits
 * (NULL when none: a failure is logged as a warning). New reference. */
static lp_value *cv_result(lp_obj *self, const lp_value *args, lp_value *splits)
{
    lp_value *cv = lp_kit_arg_opt(args, "cv");
    if (lp_value_type(cv) == LP_MAP) return lp_value_ref(cv);
    lp_value *won = NULL; /* the winner's parameters: its folds fit the model drawn */
    lp_obj *t = cv_configured(self) ? trainer_with(self, args, "cross_validate", &won) : NULL;
    if (!t) return NULL;
    lp_value *r =
        lp_call_with(t, "cross_validate", "frame", lp_value_ref(splits), "params", lp_value_null(),
                     "training_params", won ? won : lp_value_null(), (const char *)NULL);
    if (!r) {
        lp_log(self, LP_LOG_WARN, "cv_error: not drawn, %s",
               lp_error_last()->message ? lp_error_last()->message : "?");
        lp_error_clear();
    }
    return r;
}

static lp_value *viz_generate_viz(lp_obj *self, lp_value *args)
{
    visualizer *v = lp_obj_state(self);
    lp_value *splits = lp_kit_arg_map(args, "splits", "generate_viz");
    lp_model *model = splits ? lp_kit_arg_model(args, "model", "generate_viz") : NULL;
    if (!model) return NULL;
    lp_viz_data d = {.model = model,
                     .width = v->width,
                     .height = v->height,
                     .max_points = v->max_points,
                     .curve_rows = v->curve_rows,
                     .args = args};
    int rc = pick_split(&d, v, splits);
    d.k = lp_model_n_classes(model);
    if (rc == 0) rc = d.k ? classification_data(&d) : regression_data(&d, v->interval_width);
    if (rc == 0) rc = make_dirs(v->dir);
    lp_frame *comp = NULL;
    lp_value *cv = NULL, *comp_arg = lp_kit_arg_opt(args, "components");
    if (rc == 0 && !d.k && v->want[COMPONENTS] && lp_value_type(comp_arg) == LP_NULL)
        d.components = comp = trainer_components(self, &d, splits, lp_map_get(args, "model"));
    if (rc == 0 && !d.k && v->want[CV_ERROR]) d.cv = cv = cv_result(self, args, splits);
    lp_value *paths = rc == 0 ? lp_value_list() : NULL;
    if (rc == 0 && !paths) rc = lp_error_set(LP_ENOMEM, "out of memory");
    if (rc == 0) rc = draw_all(self, &d, paths, lp_kit_arg_opt(args, "model_version"));
    lp_frame_unref(comp);
    lp_value_unref(cv);
    data_free(&d);
    if (rc) {
        lp_value_unref(paths);
        lp_error_prefix("LocalModelVisualizer (%s)", path_of(self));
        return NULL;
    }
    lp_log(self, LP_LOG_INFO, "generate_viz: %zu plot files in %s (%s split)", lp_list_len(paths),
           v->dir, d.split);
    return paths;
}

static const lp_method viz_methods[] = {
    {"generate_viz", viz_generate_viz,
     "generate_viz(splits, model, model_version?, importance?, importance_split?, "
     "contributions?, components?, cv?) -> paths: ROC, PR, confusion matrix, calibration, feature "
     "importance, SHAP summary, learning curve per boosting round "
     "(classification); residuals, predicted vs actual (regression); forecast, residuals, "
     "components, cross-validation error by horizon (forecasters); as SVG and PNG files"},
    {NULL, NULL, NULL},
};

static const lp_config_key viz_keys[] = {
    {"dir", "string", "directory of the plot files (default .lolpop/plots)"},
    {"formats", "list", "file formats: svg, png (default both)"},
    {"plots", "list",
     "plots to draw (default all that apply): roc, pr, confusion_matrix, calibration, "
     "feature_importance, shap_summary, learning_curve, residuals, predicted_vs_actual, "
     "forecast, "
     "forecast_residuals, residual_acf, components, cv_error"},
    {"size", "any", "[width, height] or {width, height} in pixels (default [720, 480])"},
    {"split", "string", "the split drawn (default valid, else test, else train)"},
    {"max_points", "int",
     "scatter plots and permutation importance use at most this many rows "
     "(default 2000)"},
    {"interval_width", "float", "forecasts: the prediction interval drawn (default 0.8)"},
    {"curve_rows", "int",
     "the learning curve evaluates at most this many evenly spaced rows per split "
     "(default 5000)"},
    {NULL, NULL, NULL},
};

const lp_class lp_local_model_visualizer_class = {
    .name = "LocalModelVisualizer",
    .kind = LP_KIND_COMPONENT,
    .type = "model_visualizer",
    .doc = "Draws a model's plots on one split — ROC and precision-recall curves, confusion "
           "matrix, calibration curve, feature importance and SHAP summary for classifiers; "
           "residuals and predicted vs actual for regression; forecast with its interval, "
           "residuals, components and cross-validation error by horizon for forecasters — as "
           "SVG and PNG files recorded with the "
           "metadata tracker.",
    .defaults_yaml = NULL,
    .requirements = lp_no_requirements,
    .config_keys = viz_keys,
    .methods = viz_methods,
    .state_size = sizeof(visualizer),
    .init = viz_init,
    .fini = viz_fini,
};
