/*
 * robust_scaler.c — a feature transformer in a plugin: RobustScaler, which
 * centres numeric columns on their training median and divides by their
 * interquartile range (scikit-learn's RobustScaler: quantiles by linear
 * interpolation; an IQR of 0 divides by 1), and its saved-state applier,
 * registered next to the class so that a model trained after it predicts,
 * deploys and is bundled without the component configured.
 *
 *   train:
 *     component:
 *       feature_transformer: RobustScaler
 *     feature_transformer:
 *       config:
 *         columns: [age, fare]     # default: every int64/float64 column at fit
 *
 * transform(X) returns X with each scaled column replaced by a float64 column
 * in place; other columns pass through, a missing value stays missing. A
 * scaled column that X lacks is an error naming it.
 *
 * The saved state (save()) is text: "RobustScaler 1", then one line per
 * column: NAME_LENGTH:NAME MEDIAN IQR. Written only against the installed
 * public headers (<lolpop.h>: class.h, feature_state.h, frame.h).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lolpop.h>

#define STATE_HEADER "RobustScaler 1\n"

/* ---- the fitted state ------------------------------------------------------ */

typedef struct scaled_col {
    char *name;
    double median, iqr;
} scaled_col;

typedef struct scaler {
    scaled_col *cols;
    size_t n;
    bool fitted;
} scaler;

static void scaler_clear(scaler *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->cols[i].name);
    free(s->cols);
    *s = (scaler){0};
}

/* Quantile q of sorted v[0..n) by linear interpolation (numpy's default). */
static double quantile(const double *v, size_t n, double q)
{
    double at = q * (double)(n - 1);
    size_t lo = (size_t)floor(at), hi = lo + 1 < n ? lo + 1 : lo;
    return v[lo] + (v[hi] - v[lo]) * (at - (double)lo);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median and IQR of c's non-missing values (0 and 1 when it has none). */
static int fit_column(scaled_col *out, const lp_column *c)
{
    double *v = malloc((c->length ? c->length : 1) * sizeof *v);
    if (!v) return lp_error_set(LP_ENOMEM, "RobustScaler: out of memory");
    size_t n = 0;
    for (size_t i = 0; i < c->length; i++) {
        double x = lp_column_get_f64(c, i);
        if (!isnan(x)) v[n++] = x;
    }
    qsort(v, n, sizeof *v, cmp_double);
    out->median = n ? quantile(v, n, 0.5) : 0;
    double iqr = n ? quantile(v, n, 0.75) - quantile(v, n, 0.25) : 0;
    out->iqr = iqr > 0 ? iqr : 1;
    free(v);
    return 0;
}

/* X with the fitted columns scaled. *out: new reference. */
static int scale_frame(lp_frame **out, const scaler *s, const lp_frame *X)
{
    lp_frame *f = lp_frame_new();
    int rc = f ? 0 : lp_error_set(LP_ENOMEM, "RobustScaler: out of memory");
    for (size_t i = 0; rc == 0 && i < s->n; i++)
        if (!lp_frame_col_by_name(X, s->cols[i].name))
            rc = lp_error_set(LP_EINVAL, "RobustScaler: the data has no column '%s' (fitted on it)",
                              s->cols[i].name);
    size_t rows = lp_frame_rows(X);
    for (size_t j = 0; rc == 0 && j < lp_frame_cols(X); j++) {
        const char *name = lp_frame_name(X, j);
        lp_column *c = lp_frame_col(X, j);
        const scaled_col *sc = NULL;
        for (size_t i = 0; i < s->n && !sc; i++)
            if (strcmp(s->cols[i].name, name) == 0) sc = &s->cols[i];
        if (!sc) {
            rc = lp_frame_add_column(f, name, lp_column_ref(c));
            continue;
        }
        lp_column *scaled = lp_column_new(LP_DT_FLOAT64, rows);
        if (!scaled) {
            rc = lp_error_set(LP_ENOMEM, "RobustScaler: out of memory");
            break;
        }
        for (size_t r = 0; r < rows; r++)
            scaled->data.f64[r] = (lp_column_get_f64(c, r) - sc->median) / sc->iqr; /* NaN stays */
        rc = lp_frame_add_column(f, name, scaled);
    }
    if (rc) {
        if (f) lp_frame_unref(f);
        return rc;
    }
    *out = f;
    return 0;
}

/* ---- the saved state: text ---------------------------------------------------- */

static lp_value *state_bytes(const scaler *s)
{
    size_t cap = sizeof STATE_HEADER;
    for (size_t i = 0; i < s->n; i++)
        cap += strlen(s->cols[i].name) + 80;
    char *buf = malloc(cap);
    if (!buf) {
        lp_error_set(LP_ENOMEM, "RobustScaler: out of memory");
        return NULL;
    }
    size_t len = (size_t)snprintf(buf, cap, "%s", STATE_HEADER);
    for (size_t i = 0; i < s->n; i++)
        len +=
            (size_t)snprintf(buf + len, cap - len, "%zu:%s %.17g %.17g\n", strlen(s->cols[i].name),
                             s->cols[i].name, s->cols[i].median, s->cols[i].iqr);
    lp_value *v = lp_value_stringn(buf, len);
    free(buf);
    return v;
}

/* Parses state_bytes' text into s (cleared first). */
static int parse_state(scaler *s, const char *text, size_t len)
{
    scaler_clear(s);
    size_t hlen = strlen(STATE_HEADER);
    if (len < hlen || memcmp(text, STATE_HEADER, hlen) != 0)
        return lp_error_set(LP_EINVAL, "RobustScaler: not a saved RobustScaler state");
    const char *p = text + hlen, *end = text + len;
    while (p < end) {
        char *after;
        unsigned long long nlen = strtoull(p, &after, 10);
        if (after == p || *after != ':' || nlen > (unsigned long long)(end - after - 1))
            return lp_error_set(LP_EINVAL, "RobustScaler: damaged state near byte %zu",
                                (size_t)(p - text));
        scaled_col c = {0};
        const char *name = after + 1, *nums = name + nlen;
        char line[128];
        const char *eol = memchr(nums, '\n', (size_t)(end - nums));
        size_t ll = eol ? (size_t)(eol - nums) : 0;
        if (!eol || ll >= sizeof line)
            return lp_error_set(LP_EINVAL, "RobustScaler: damaged state (column line)");
        memcpy(line, nums, ll);
        line[ll] = '\0';
        if (sscanf(line, " %lf %lf", &c.median, &c.iqr) != 2 || !(c.iqr > 0))
            return lp_error_set(LP_EINVAL, "RobustScaler: damaged state (median, IQR)");
        scaled_col *grown = realloc(s->cols, (s->n + 1) * sizeof *grown);
        if (grown) s->cols = grown;
        if (!grown || !(c.name = malloc(nlen + 1)))
            return lp_error_set(LP_ENOMEM, "RobustScaler: out of memory");
        memcpy(c.name, name, nlen);
        c.name[nlen] = '\0';
        s->cols[s->n++] = c;
        p = eol + 1;
    }
    s->fitted = true;
    return 0;
}

/* The applier: the saved state applied to X without a RobustScaler instance. */
static int robust_apply(lp_frame **out, const uint8_t *state, size_t len, const lp_frame *X)
{
    scaler s = {0};
    int rc = parse_state(&s, (const char *)state, len);
    if (rc == 0) rc = scale_frame(out, &s, X);
    scaler_clear(&s);
    return rc;
}

static const lp_feature_state_applier robust_applier = {
    .size = sizeof(lp_feature_state_applier),
    .cls = "RobustScaler",
    .apply = robust_apply,
};

/* ---- the class -------------------------------------------------------------------- */

static bool is_numeric(lp_dtype t)
{
    return t == LP_DT_INT64 || t == LP_DT_FLOAT64;
}

/* The columns to scale: config `columns` when set, else X's numeric ones. */
static int choose_columns(scaler *s, lp_obj *self, const lp_frame *X)
{
    lp_value *want = lp_obj_config(self, "columns");
    size_t n = want ? lp_list_len(want) : lp_frame_cols(X);
    s->cols = calloc(n ? n : 1, sizeof *s->cols);
    int rc = s->cols ? 0 : lp_error_set(LP_ENOMEM, "RobustScaler: out of memory");
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const char *name = want ? lp_value_as_string(lp_list_get(want, i)) : lp_frame_name(X, i);
        const lp_column *c = name ? lp_frame_col_by_name(X, name) : NULL;
        if (want && (!c || !is_numeric(c->type)))
            rc = lp_error_set(LP_ECONFIG,
                              "RobustScaler (%s): columns names '%s', which is not a numeric "
                              "column of the data",
                              lp_obj_path(self), name ? name : "(not a string)");
        if (rc || !c || !is_numeric(c->type)) continue;
        size_t len = strlen(name);
        if (!(s->cols[s->n].name = malloc(len + 1))) {
            rc = lp_error_set(LP_ENOMEM, "RobustScaler: out of memory");
            break;
        }
        memcpy(s->cols[s->n].name, name, len + 1);
        rc = fit_column(&s->cols[s->n++], c);
    }
    lp_value_unref(want);
    return rc;
}

/* fit(X, y) -> null: the median and IQR of every column to scale. */
static lp_value *rs_fit(lp_obj *self, lp_value *args)
{
    scaler *s = lp_obj_state(self);
    const lp_frame *X = lp_value_as_frame(lp_map_get(args, "X"));
    if (!X) {
        lp_error_set(LP_EINVAL, "RobustScaler.fit: argument 'X' must be a data frame");
        return NULL;
    }
    scaler_clear(s);
    if (choose_columns(s, self, X) != 0) {
        scaler_clear(s);
        return NULL;
    }
    s->fitted = true;
    lp_log(self, LP_LOG_INFO, "fitted median and IQR of %zu columns", s->n);
    return lp_value_null();
}

/* transform(X) -> X: the fitted columns scaled. */
static lp_value *rs_transform(lp_obj *self, lp_value *args)
{
    scaler *s = lp_obj_state(self);
    const lp_frame *X = lp_value_as_frame(lp_map_get(args, "X"));
    lp_frame *out = NULL;
    if (!s->fitted) lp_error_set(LP_EWORKFLOW, "RobustScaler.transform: call fit or load first");
    if (!X && s->fitted) lp_error_set(LP_EINVAL, "RobustScaler.transform: 'X' must be a frame");
    if (!X || !s->fitted || scale_frame(&out, s, X) != 0) return NULL;
    lp_value *v = lp_value_frame(out);
    lp_frame_unref(out);
    return v;
}

/* save() -> data: the state as text bytes. */
static lp_value *rs_save(lp_obj *self, lp_value *args)
{
    (void)args;
    scaler *s = lp_obj_state(self);
    if (!s->fitted) {
        lp_error_set(LP_EWORKFLOW, "RobustScaler.save: not fitted");
        return NULL;
    }
    return state_bytes(s);
}

/* load(data) -> null: restores what save returned. */
static lp_value *rs_load(lp_obj *self, lp_value *args)
{
    const lp_value *data = lp_map_get(args, "data");
    if (lp_value_type(data) != LP_STRING) {
        lp_error_set(LP_EINVAL, "RobustScaler.load: 'data' must be the bytes save returned");
        return NULL;
    }
    scaler *s = lp_obj_state(self);
    if (parse_state(s, lp_value_as_string(data), lp_value_string_len(data)) != 0) {
        scaler_clear(s);
        return NULL;
    }
    return lp_value_null();
}

static void rs_fini(lp_obj *self)
{
    scaler_clear(lp_obj_state(self));
}

static const lp_method rs_methods[] = {
    {"fit", rs_fit, "fit(X, y) -> null: median and IQR of the numeric columns"},
    {"transform", rs_transform, "transform(X) -> X: (x - median) / IQR in the fitted columns"},
    {"save", rs_save, "save() -> data: the fitted medians and IQRs as text"},
    {"load", rs_load, "load(data) -> null: restores what save returned"},
    {NULL, NULL, NULL},
};

static const lp_config_key rs_keys[] = {
    {"columns", "list", "the columns to scale (numeric); default every int64/float64 column"},
    {NULL, NULL, NULL},
};

static const char *const rs_requirements[] = {NULL};

static const lp_class robust_scaler_class = {
    .name = "RobustScaler",
    .kind = LP_KIND_COMPONENT,
    .type = "feature_transformer",
    .doc = "Scales numeric columns by (x - median) / IQR of the training data. Its saved state "
           "applies without the component (the plugin registers an applier), so a model "
           "trained after it predicts and deploys on its own.",
    .defaults_yaml = NULL,
    .requirements = rs_requirements,
    .config_keys = rs_keys,
    .methods = rs_methods,
    .state_size = sizeof(scaler),
    .init = NULL,
    .fini = rs_fini,
};

/* The applier with the class: models trained after it carry its state. */
static int robust_scaler_init(lp_registry *reg)
{
    int rc = lp_registry_add_feature_state(reg, &robust_applier);
    return rc ? rc : lp_registry_add_class(reg, &robust_scaler_class);
}

LP_PLUGIN_DEFINE("robust_scaler", "0.1.0", robust_scaler_init)
