/*
 * local.c — LocalMetricsTracker: metrics of experiments and prediction jobs
 * in the metadata store, one row per (resource, split, name).
 *
 *   metrics_tracker:
 *     config:
 *       store: .lolpop/lolpop.db   # default: the metadata_tracker's store
 *
 * It keeps its own connection to the store (WAL makes two connections of one
 * process safe). Metric ids are "split.name" ("valid.f1") or a bare "name"
 * (split ""). Prediction statistics go to split "prediction": `rows`, and for
 * the `prediction` column mean/std/min/max when numeric, else
 * `share.<label>` per class.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "components/metadata_tracker/tracker.h"
#include "lolpop/frame.h"

typedef struct mtracker {
    lp_store *store;
} mtracker;

static int mtracker_init(lp_obj *self)
{
    mtracker *t = lp_obj_state(self);
    char *path = lp_tracker_store_path(self, lp_obj_component(self, "metadata_tracker"));
    int rc = path ? lp_store_open(&t->store, path, LP_STORE_CREATE) : LP_ENOMEM;
    free(path);
    return rc;
}

static void mtracker_fini(lp_obj *self)
{
    mtracker *t = lp_obj_state(self);
    lp_store_close(t->store);
    t->store = NULL;
}

/* Splits "valid.f1" into split "valid" and name "f1"; a bare name has split "".
 * The split part is copied into buf. */
static void split_id(const char *id, char *buf, size_t size, const char **split, const char **name)
{
    const char *dot = strchr(id, '.');
    size_t n = dot ? (size_t)(dot - id) : 0;
    if (!dot || n == 0 || n >= size || !dot[1]) {
        *split = "";
        *name = id;
        return;
    }
    memcpy(buf, id, n);
    buf[n] = 0;
    *split = buf;
    *name = dot + 1;
}

static bool is_number(const lp_value *v)
{
    return lp_value_type(v) == LP_INT || lp_value_type(v) == LP_FLOAT;
}

static int resource_id(mtracker *t, lp_value *args, const char *name, int64_t *id)
{
    lp_value *res = NULL;
    int rc = lp_tracker_resource_arg(t->store, args, name, &res);
    *id = rc ? 0 : lp_tracker_resource_id(res);
    lp_value_unref(res);
    return rc;
}

static lp_value *mtracker_log_metric(lp_obj *self, lp_value *args)
{
    mtracker *t = lp_obj_state(self);
    const char *id = NULL, *split, *name;
    int64_t res = 0;
    if (lp_tracker_string_arg(args, "id", true, &id)) return NULL;
    const lp_value *value = lp_map_get(args, "value");
    if (!is_number(value)) {
        lp_error_set(LP_EINVAL, "argument 'value' of metric '%s' must be a number, got %s", id,
                     value ? lp_vtype_name(lp_value_type(value)) : "nothing");
        return NULL;
    }
    if (resource_id(t, args, "resource", &res)) return NULL;
    char buf[128];
    split_id(id, buf, sizeof buf, &split, &name);
    lp_store_metric m = {split, name, lp_value_as_float(value)};
    return lp_store_metrics_set(t->store, res, &m, 1) ? NULL : lp_value_null();
}

/* Appends metrics[split][name] (or metrics[name] for a number: split "") to out. */
static int collect(const lp_value *metrics, lp_store_metric **out, size_t *n)
{
    size_t cap = 0;
    for (size_t i = 0; i < lp_map_len(metrics); i++) {
        const lp_value *v = lp_map_value(metrics, i);
        cap += lp_value_type(v) == LP_MAP ? lp_map_len(v) : 1;
    }
    *out = calloc(cap ? cap : 1, sizeof **out);
    if (!*out) return lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t i = 0; i < lp_map_len(metrics); i++) {
        const char *key = lp_map_key(metrics, i);
        const lp_value *v = lp_map_value(metrics, i);
        if (is_number(v)) {
            (*out)[(*n)++] = (lp_store_metric){"", key, lp_value_as_float(v)};
            continue;
        }
        if (lp_value_type(v) != LP_MAP)
            return lp_error_set(LP_EINVAL,
                                "argument 'metrics': '%s' must be a map of metric name -> "
                                "number (or a number), got %s",
                                key, lp_vtype_name(lp_value_type(v)));
        for (size_t j = 0; j < lp_map_len(v); j++) {
            const lp_value *x = lp_map_value(v, j);
            if (!is_number(x) && lp_value_type(x) != LP_NULL)
                return lp_error_set(LP_EINVAL, "argument 'metrics': %s.%s must be a number, got %s",
                                    key, lp_map_key(v, j), lp_vtype_name(lp_value_type(x)));
            (*out)[(*n)++] = (lp_store_metric){key, lp_map_key(v, j),
                                               x && is_number(x) ? lp_value_as_float(x) : NAN};
        }
    }
    return 0;
}

static lp_value *mtracker_log_metrics(lp_obj *self, lp_value *args)
{
    mtracker *t = lp_obj_state(self);
    const lp_value *metrics = lp_map_get(args, "metrics");
    const char *perf = NULL;
    if (lp_tracker_string_arg(args, "perf_metric", false, &perf)) return NULL;
    if (lp_value_type(metrics) != LP_MAP) {
        lp_error_set(LP_EINVAL, "argument 'metrics' must be a map split -> name -> number, got %s",
                     metrics ? lp_vtype_name(lp_value_type(metrics)) : "nothing");
        return NULL;
    }
    int64_t res = 0;
    if (resource_id(t, args, "resource", &res)) return NULL;
    lp_store_metric *m = NULL;
    size_t n = 0;
    int rc = collect(metrics, &m, &n);
    if (rc == 0) rc = lp_store_metrics_set(t->store, res, m, n);
    free(m);
    return rc ? NULL : lp_value_null();
}

/* ---- prediction statistics -------------------------------------------------------------- */

typedef struct label_count {
    char *label;
    size_t count;
} label_count;

typedef struct label_counts {
    label_count *items;
    size_t n;
} label_counts;

static void counts_free(label_counts *c)
{
    for (size_t i = 0; i < c->n; i++)
        free(c->items[i].label);
    free(c->items);
}

/* Counts one label (linear search: predictions have few classes). */
static int count_label(label_counts *c, const char *s, size_t len)
{
    for (size_t i = 0; i < c->n; i++)
        if (strlen(c->items[i].label) == len && memcmp(c->items[i].label, s, len) == 0) {
            c->items[i].count++;
            return 0;
        }
    label_count *items = realloc(c->items, (c->n + 1) * sizeof *items);
    if (!items) return lp_error_set(LP_ENOMEM, "out of memory");
    c->items = items;
    if (!(items[c->n].label = lp_strndup(s, len))) return LP_ENOMEM;
    items[c->n++].count = 1;
    return 0;
}

/* `share.<label>` per class (missing values leave the denominator). */
static int class_shares(const lp_column *col, lp_store_metric **m, size_t *n, label_counts *c)
{
    size_t valid = 0;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < col->length; i++) {
        if (!lp_column_is_valid(col, i)) continue;
        size_t len = 0;
        const char *s = col->type == LP_DT_BOOL ? (col->data.b8[i] ? "true" : "false")
                                                : lp_column_str(col, i, &len);
        if (col->type == LP_DT_BOOL) len = strlen(s);
        if (!s) continue;
        valid++;
        rc = count_label(c, s, len);
    }
    lp_store_metric *grown = rc ? NULL : realloc(*m, (*n + c->n) * sizeof *grown);
    if (rc == 0 && !grown && c->n) return lp_error_set(LP_ENOMEM, "out of memory");
    if (grown) *m = grown;
    for (size_t i = 0; rc == 0 && i < c->n; i++) {
        char *name = lp_asprintf("share.%s", c->items[i].label);
        if (!name) return LP_ENOMEM;
        free(c->items[i].label); /* the name replaces it; counts_free frees it */
        c->items[i].label = name;
        (*m)[(*n)++] = (lp_store_metric){"prediction", name,
                                         valid ? (double)c->items[i].count / (double)valid : NAN};
    }
    return rc;
}

static int numeric_stats(const lp_column *col, lp_store_metric *m, size_t *n)
{
    lp_column_stats st;
    int rc = lp_column_stats_compute(&st, col);
    if (rc) return rc;
    m[(*n)++] = (lp_store_metric){"prediction", "mean", st.count ? st.mean : NAN};
    m[(*n)++] = (lp_store_metric){"prediction", "std", st.std};
    m[(*n)++] = (lp_store_metric){"prediction", "min", st.count ? st.min : NAN};
    m[(*n)++] = (lp_store_metric){"prediction", "max", st.count ? st.max : NAN};
    lp_column_stats_free(&st);
    return 0;
}

static lp_value *mtracker_log_prediction_metrics(lp_obj *self, lp_value *args)
{
    mtracker *t = lp_obj_state(self);
    lp_frame *f = lp_kit_arg_frame(args, "predictions", NULL);
    int64_t res = 0;
    if (!f || resource_id(t, args, "prediction_job", &res)) return NULL;
    lp_store_metric *m = calloc(5, sizeof *m);
    size_t n = 0;
    label_counts counts = {0};
    int rc = m ? 0 : lp_error_set(LP_ENOMEM, "out of memory");
    if (rc == 0) m[n++] = (lp_store_metric){"prediction", "rows", (double)lp_frame_rows(f)};
    const lp_column *col = lp_frame_col_by_name(f, "prediction");
    if (rc == 0 && col) {
        bool numeric = col->type == LP_DT_FLOAT64 || col->type == LP_DT_INT64;
        rc = numeric ? numeric_stats(col, m, &n) : class_shares(col, &m, &n, &counts);
    }
    if (rc == 0) rc = lp_store_metrics_set(t->store, res, m, n);
    counts_free(&counts);
    free(m);
    return rc ? NULL : lp_value_null();
}

static lp_value *mtracker_get_metric(lp_obj *self, lp_value *args)
{
    mtracker *t = lp_obj_state(self);
    const char *id = NULL, *split, *name;
    int64_t res = 0;
    if (lp_tracker_string_arg(args, "id", true, &id) || resource_id(t, args, "resource", &res))
        return NULL;
    char buf[128];
    split_id(id, buf, sizeof buf, &split, &name);
    /* "valid.f1": that split, else a bare metric named so; "f1": split "" then valid. */
    const char *tries[2][2] = {{split, name}, {"", id}};
    if (!*split) {
        tries[1][0] = "valid";
        tries[1][1] = id;
    }
    for (int i = 0; i < 2; i++) {
        double v;
        bool found = false;
        if (lp_store_metric_get(t->store, res, tries[i][0], tries[i][1], &v, &found)) return NULL;
        if (found) return isnan(v) ? lp_value_null() : lp_value_float(v);
    }
    return lp_value_null();
}

static const lp_method mtracker_methods[] = {
    {"log_metric", mtracker_log_metric,
     "log_metric(resource, id, value): records one metric; id \"split.name\" or \"name\""},
    {"log_metrics", mtracker_log_metrics,
     "log_metrics(resource, metrics, perf_metric): records a map split -> name -> value in one "
     "transaction"},
    {"log_prediction_metrics", mtracker_log_prediction_metrics,
     "log_prediction_metrics(prediction_job, predictions): split prediction: rows, and "
     "mean/std/min/max of a numeric prediction column or share.<label> per class"},
    {"get_metric", mtracker_get_metric,
     "get_metric(resource, id) -> value or null; \"split.name\", or \"name\" (split \"\" first, "
     "then valid)"},
    {NULL, NULL, NULL},
};

static const lp_config_key mtracker_keys[] = {
    {"store", "string",
     "the metadata store (SQLite file); default: the metadata_tracker's store, else "
     ".lolpop/lolpop.db"},
    {NULL, NULL, NULL},
};

const lp_class lp_local_metrics_tracker_class = {
    .name = "LocalMetricsTracker",
    .kind = LP_KIND_COMPONENT,
    .type = "metrics_tracker",
    .doc = "Records metrics of experiments (per split: train, valid, test) and prediction jobs "
           "(row count, prediction statistics or class shares) in the metadata store that the "
           "metadata_tracker uses, and reads them back.",
    .defaults_yaml = NULL,
    .requirements = lp_no_requirements,
    .config_keys = mtracker_keys,
    .methods = mtracker_methods,
    .state_size = sizeof(mtracker),
    .init = mtracker_init,
    .fini = mtracker_fini,
};
