/*
 * timeseries.c — TimeSeriesRunner (SPEC §6.3): the forecasting workflow.
 *
 *   process train data: transform, time index read (ISO dates or timestamps)
 *     and checked against forecast_frequency (inferred when unset; an
 *     irregular index is an error naming the first gap, missing periods a
 *     WARN), track, profile, check, compare
 *   train: split by time (the last forecast_period points of each series, or
 *     the last 1 - split_ratio share, as validation; never shuffled), train
 *     (tuner or trainer, winner by perf_metric), plots and model checks, the
 *     forecast against seasonal naive on the validation points, rolling-origin
 *     cross-validation when cv_* is configured and the trainer can, then the
 *     winner refitted on the whole history (a forecast starts where the data
 *     ends)
 *   deploy: the new model (no comparison with the deployed version)
 *   process eval data (the future time stamps and regressors), forecast with
 *     intervals, save [series_id], time index, prediction, lower, upper.
 *
 * Several series in one file (series_id): the rows are grouped by key (in the
 * order the keys first appear), each series' index is checked (its frequency
 * inferred on its own when none is configured) and the whole train step runs
 * per series, one after the other (a model version, plots, baselines and
 * cross-validation each); one "by_series" model of them all gets a version
 * of its own, whose validation metrics are the mean over series, and is
 * deployed and forecasts every series of eval_data.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "data/time_freq.h"
#include "data/time_split.h"
#include "lolpop/model.h"
#include "lolpop/types/deploy.h"
#include "lolpop/types/metadata_tracker.h"
#include "lolpop/types/metrics_tracker.h"
#include "lolpop/types/model_checker.h"
#include "lolpop/types/predict.h"
#include "lolpop/types/process.h"
#include "lolpop/types/resource_version_control.h"
#include "lolpop/types/train.h"
#include "ml/forecast_metrics.h"
#include "ml/fit_memo.h"
#include "ml/ml_parallel.h"
#include "ml/series_model.h"
#include "runners/runners_internal.h"

/* ---- configuration ------------------------------------------------------------- */

typedef struct ts_cfg {
    char *time_index, *target, *series_id; /* series_id NULL: one series */
    char *freq;                            /* forecast_frequency; NULL: inferred */
    size_t period;                         /* forecast_period; 0 when unset */
    double ratio;                          /* split_ratio: the training share */
    double width;                          /* interval_width */
} ts_cfg;

static void ts_cfg_free(ts_cfg *c)
{
    free(c->time_index);
    free(c->target);
    free(c->series_id);
    free(c->freq);
    memset(c, 0, sizeof *c);
}

/* split_ratio as a number or as the splitter's [train, valid] list. */
static int read_ratio(lp_obj *self, double *ratio)
{
    lp_value *v = lp_obj_config(self, "split_ratio");
    const lp_value *first = lp_value_type(v) == LP_LIST ? lp_list_get(v, 0) : v;
    int rc = 0;
    *ratio = 0.8;
    if (first && (lp_value_type(first) == LP_FLOAT || lp_value_type(first) == LP_INT))
        *ratio = lp_value_as_float(first);
    else if (v && lp_value_type(v) != LP_NULL)
        rc = lp_kit_error_at(LP_ECONFIG, v,
                             "TimeSeriesRunner: split_ratio must be the training share (0.8) or "
                             "[train, valid]");
    if (rc == 0 && !(*ratio > 0 && *ratio < 1))
        rc = lp_kit_error_at(LP_ECONFIG, v,
                             "TimeSeriesRunner: split_ratio %g is not between 0 and 1", *ratio);
    lp_value_unref(v);
    return rc;
}

/* The runner's settings, checked. 0 or LP_ECONFIG naming the key. */
static int ts_cfg_read(ts_cfg *c, lp_obj *self)
{
    memset(c, 0, sizeof *c);
    c->time_index = lp_obj_config_string(self, "time_index");
    c->target = lp_obj_config_string(self, "model_target");
    c->series_id = lp_obj_config_string(self, "series_id");
    c->freq = lp_obj_config_string(self, "forecast_frequency");
    int rc = 0;
    if (!c->time_index || !*c->time_index)
        rc = lp_error_set(LP_ECONFIG, "TimeSeriesRunner: config 'time_index' (the column of time "
                                      "stamps) is required");
    else if (!c->target || !*c->target)
        rc = lp_error_set(LP_ECONFIG, "TimeSeriesRunner: config 'model_target' is required");
    lp_freq_unit unit;
    if (rc == 0 && c->freq && lp_freq_parse(&unit, c->freq) != 0)
        rc = lp_error_set(LP_ECONFIG, "TimeSeriesRunner: forecast_frequency: %s",
                          lp_error_last()->message);
    int64_t period = rc == 0 ? lp_obj_config_int(self, "forecast_period", 0) : 0;
    if (rc == 0 && period < 0)
        rc =
            lp_error_set(LP_ECONFIG, "TimeSeriesRunner: forecast_period must be positive, not %lld",
                         (long long)period);
    c->period = (size_t)(period > 0 ? period : 0);
    c->width = rc == 0 ? lp_obj_config_float(self, "interval_width", 0.8) : 0.8;
    if (rc == 0 && !(c->width > 0 && c->width < 1))
        rc = lp_error_set(LP_ECONFIG,
                          "TimeSeriesRunner: interval_width %g is not between 0 and 1 (0.8 is an "
                          "80%% interval)",
                          c->width);
    if (rc == 0) rc = read_ratio(self, &c->ratio);
    if (rc) ts_cfg_free(c);
    return rc;
}

/* A data_splitter configured to shuffle contradicts a forecast's time order. */
static int check_splitter(lp_obj *self)
{
    lp_obj *train = lp_obj_pipeline(self, "train");
    lp_obj *splitter = train ? lp_obj_component(train, "data_splitter") : NULL;
    char *type = splitter ? lp_obj_config_string(splitter, "split_type") : NULL;
    int rc = 0;
    if (type && !lp_streq_nocase(type, "time"))
        rc = lp_error_set(LP_ECONFIG,
                          "TimeSeriesRunner: the data_splitter says split_type '%s', but a "
                          "forecast is validated on the last points of the series, never on "
                          "shuffled rows; remove split_type (the runner splits by time_index)",
                          type);
    free(type);
    return rc;
}

/* ---- the time index -------------------------------------------------------------- */

/* LP_EINVAL naming `name` and the closest column when f lacks it. */
static int need_column(const lp_frame *f, const char *name, const char *key, const char *which)
{
    if (lp_frame_find(f, name) >= 0) return 0;
    const char *names[256];
    size_t n = 0;
    for (size_t j = 0; j < lp_frame_cols(f) && n < 256; j++)
        names[n++] = lp_frame_name(f, j);
    const char *close = lp_suggest(name, names, n);
    return lp_error_set(LP_EINVAL, "%s '%s' is not a column of the %s data%s%s%s", key, name, which,
                        close ? " (did you mean '" : "", close ? close : "", close ? "'?)" : "");
}

/* f with column `name` replaced by `col` (taken), in place of the old one. */
static int replace_column(lp_frame **out, const lp_frame *f, const char *name, lp_column *col)
{
    lp_frame *g = lp_frame_new();
    int rc = g ? 0 : LP_ENOMEM;
    for (size_t j = 0; rc == 0 && j < lp_frame_cols(f); j++) {
        bool it = strcmp(lp_frame_name(f, j), name) == 0;
        lp_column *c = it ? col : lp_column_ref(lp_frame_col(f, j));
        if (it) col = NULL;
        rc = lp_frame_add_column(g, lp_frame_name(f, j), c);
    }
    if (col) lp_column_unref(col);
    if (rc) {
        if (g) lp_frame_unref(g);
        return rc == LP_ENOMEM ? lp_error_set(rc, "out of memory") : rc;
    }
    *out = g;
    return 0;
}

/* The key of row i as text (NUL-terminated in buf): strings as they are,
 * numbers as %g, null as "null". */
static const char *key_text(char *buf, size_t size, const lp_column *key, size_t i)
{
    size_t len = 0;
    if (!lp_column_is_valid(key, i))
        snprintf(buf, size, "null");
    else if (key->type == LP_DT_STRING || key->type == LP_DT_CATEGORY) {
        const char *s = lp_column_str(key, i, &len);
        snprintf(buf, size, "%.*s", (int)len, s);
    } else
        snprintf(buf, size, "%.17g", lp_column_get_f64(key, i));
    return buf;
}

/* The series_id column as text (the keys of a "by_series" model are text). */
static int key_strings(lp_column **out, const lp_column *key)
{
    size_t n = key->length;
    lp_column_builder *b = lp_column_builder_new(LP_DT_STRING, n);
    int rc = b ? 0 : LP_ENOMEM;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        char buf[256];
        key_text(buf, sizeof buf, key, i);
        rc = lp_column_builder_append_str(b, buf, strlen(buf));
    }
    *out = rc == 0 ? lp_column_builder_finish(b) : NULL;
    if (rc && b) lp_column_builder_free(b);
    return *out ? 0 : lp_error_set(LP_ENOMEM, "out of memory");
}

typedef struct row_order {
    size_t group; /* first appearance of the row's key */
    int64_t t;
    size_t row;
} row_order;

static int by_group_time(const void *a, const void *b)
{
    const row_order *x = a, *y = b;
    if (x->group != y->group) return x->group < y->group ? -1 : 1;
    if (x->t != y->t) return x->t < y->t ? -1 : 1;
    return x->row < y->row ? -1 : x->row > y->row;
}

/* The group of every row of a text key column, numbered by first appearance. */
static int first_appearance(row_order *ord, const lp_column *key, size_t n)
{
    size_t n_groups = 0, *first = malloc((n ? n : 1) * sizeof *first);
    if (!first) return lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        size_t la = 0, lb = 0, g = 0;
        const char *a = lp_column_str(key, i, &la);
        for (; g < n_groups; g++) {
            const char *b = lp_column_str(key, first[g], &lb);
            if (la == lb && memcmp(a, b, la) == 0) break;
        }
        if (g == n_groups) first[n_groups++] = i;
        ord[i].group = g;
    }
    free(first);
    return 0;
}

/* g's rows ordered by series (first appearance in the file) then time. */
static int order_series(lp_frame **out, const lp_frame *g, const ts_cfg *c)
{
    size_t n = lp_frame_rows(g);
    row_order *ord = malloc((n ? n : 1) * sizeof *ord);
    size_t *rows = malloc((n ? n : 1) * sizeof *rows);
    int rc = ord && rows ? 0 : lp_error_set(LP_ENOMEM, "out of memory");
    if (rc == 0) rc = first_appearance(ord, lp_frame_col_by_name(g, c->series_id), n);
    const int64_t *t = lp_frame_col_by_name(g, c->time_index)->data.i64;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        ord[i].t = t[i];
        ord[i].row = i;
    }
    if (rc == 0) qsort(ord, n, sizeof *ord, by_group_time);
    for (size_t i = 0; rc == 0 && i < n; i++)
        rows[i] = ord[i].row;
    if (rc == 0) rc = lp_frame_take(out, g, rows, n);
    free(ord);
    free(rows);
    return rc;
}

/* f with its time index as a timestamp column (and series_id as text), rows
 * ordered by series (first appearance) then time. New reference. */
static int timed_frame(lp_frame **out, const lp_frame *f, const ts_cfg *c, const char *which)
{
    int rc = need_column(f, c->time_index, "time_index", which);
    if (rc == 0 && c->series_id) rc = need_column(f, c->series_id, "series_id", which);
    int64_t *ts = NULL;
    if (rc == 0)
        rc = lp_time_index_read(&ts, lp_frame_col_by_name(f, c->time_index), c->time_index);
    if (rc) return rc;
    size_t n = lp_frame_rows(f);
    lp_column *col = lp_column_new(LP_DT_TIMESTAMP, n);
    if (!col) {
        free(ts);
        return lp_error_set(LP_ENOMEM, "out of memory");
    }
    memcpy(col->data.i64, ts, n * sizeof *ts);
    free(ts);
    lp_frame *g = NULL, *h = NULL;
    rc = replace_column(&g, f, c->time_index, col);
    if (rc == 0 && c->series_id) {
        lp_column *keys = NULL;
        rc = key_strings(&keys, lp_frame_col_by_name(g, c->series_id));
        if (rc == 0) rc = replace_column(&h, g, c->series_id, keys);
        if (rc == 0) rc = order_series(out, h, c);
    } else if (rc == 0) {
        rc = lp_frame_sort(out, g, c->time_index, true);
    }
    if (g) lp_frame_unref(g);
    if (h) lp_frame_unref(h);
    return rc;
}

/* The rows of each series of f (sorted by series): groups[k] starts at
 * starts[k], starts[n_groups] == rows. One group without series_id. */
typedef struct series_groups {
    size_t n;
    size_t *starts; /* n + 1 */
} series_groups;

static int same_key(const lp_column *c, size_t a, size_t b)
{
    if (lp_column_is_valid(c, a) != lp_column_is_valid(c, b)) return 0;
    if (!lp_column_is_valid(c, a)) return 1;
    if (c->type == LP_DT_STRING || c->type == LP_DT_CATEGORY) {
        size_t la = 0, lb = 0;
        const char *sa = lp_column_str(c, a, &la), *sb = lp_column_str(c, b, &lb);
        return la == lb && memcmp(sa, sb, la) == 0;
    }
    return lp_column_get_f64(c, a) == lp_column_get_f64(c, b);
}

static int groups_of(series_groups *g, const lp_frame *f, const ts_cfg *c)
{
    size_t n = lp_frame_rows(f);
    const lp_column *key = c->series_id ? lp_frame_col_by_name(f, c->series_id) : NULL;
    g->starts = malloc((n + 2) * sizeof *g->starts);
    if (!g->starts) return lp_error_set(LP_ENOMEM, "out of memory");
    g->n = 0;
    for (size_t i = 0; i < n; i++)
        if (i == 0 || (key && !same_key(key, i - 1, i))) g->starts[g->n++] = i;
    g->starts[g->n] = n;
    return 0;
}

/* The series name of group k for messages: " (series X)" or "". */
static void series_label(char *buf, size_t size, const lp_frame *f, const ts_cfg *c,
                         const series_groups *g, size_t k)
{
    buf[0] = '\0';
    if (!c->series_id) return;
    char key[128];
    key_text(key, sizeof key, lp_frame_col_by_name(f, c->series_id), g->starts[k]);
    snprintf(buf, size, " (series %s)", key);
}

/* Checks one series' stamps against the frequency (inferring it the first
 * time when none is configured); missing periods are a WARN. */
static int check_series_index(lp_obj *self, const ts_cfg *c, const int64_t *ts, size_t n,
                              const char *label, lp_freq_unit *freq, bool *known)
{
    lp_freq_report rep = {0};
    int rc;
    if (*known) {
        rc = lp_freq_check(&rep, *freq, ts, n);
    } else if (n < 2) {
        rc = lp_error_set(LP_EINVAL,
                          "one time stamp cannot tell the frequency; set forecast_frequency");
    } else {
        rc = lp_freq_infer(freq, &rep, ts, n);
        *known = rc == 0;
        if (rc == 0)
            lp_log(self, LP_LOG_INFO, "time_index '%s'%s: frequency %s inferred", c->time_index,
                   label, lp_freq_name(*freq));
    }
    if (rc)
        return lp_error_set(LP_EINVAL, "time_index '%s'%s is not a regular time index: %s",
                            c->time_index, label, lp_error_last()->message);
    if (rep.n_missing) {
        char when[40];
        lp_log(self, LP_LOG_WARN,
               "time_index '%s'%s: %zu of %zu periods (frequency %s) are missing, the first %s",
               c->time_index, label, rep.n_missing, rep.n_periods, lp_freq_name(*freq),
               lp_freq_format(rep.first_missing, when));
    }
    return 0;
}

/* The frequency of the (timed, sorted) training frame: configured or
 * inferred, every series checked against it. */
static int index_frequency(lp_obj *self, const ts_cfg *c, const lp_frame *f, lp_freq_unit *freq)
{
    bool known = c->freq && lp_freq_parse(freq, c->freq) == 0;
    series_groups g = {0};
    int rc = groups_of(&g, f, c);
    const int64_t *ts = rc == 0 ? lp_frame_col_by_name(f, c->time_index)->data.i64 : NULL;
    for (size_t k = 0; rc == 0 && k < g.n; k++) {
        char label[160];
        series_label(label, sizeof label, f, c, &g, k);
        lp_freq_unit fk = *freq; /* each series' own when none is configured */
        bool kk = known;
        rc = check_series_index(self, c, ts + g.starts[k], g.starts[k + 1] - g.starts[k], label,
                                &fk, &kk);
        if (rc == 0 && k == 0) *freq = fk;
    }
    free(g.starts);
    return rc;
}

/* Rows without a target value are gaps: left out (the forecasters see a
 * missing period). New reference. */
static int drop_missing_target(lp_obj *self, lp_frame **out, lp_frame *f, const ts_cfg *c)
{
    const lp_column *y = lp_frame_col_by_name(f, c->target);
    if (!y || y->null_count == 0) {
        *out = lp_frame_ref(f);
        return 0;
    }
    size_t n = lp_frame_rows(f);
    uint8_t *keep = malloc(n ? n : 1);
    if (!keep) return lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        keep[i] = lp_column_is_valid(y, i);
    int rc = lp_frame_filter(out, f, keep);
    free(keep);
    if (rc == 0)
        lp_log(self, LP_LOG_INFO,
               "process_data: %zu rows without a '%s' value are gaps in the series, left out",
               y->null_count, c->target);
    return rc;
}

/* The training frame: rows, target, a regular time index. New ref in *out. */
static int prepare_train(lp_obj *self, lp_frame **out, const lp_frame *f, const ts_cfg *c)
{
    if (lp_frame_rows(f) == 0) return lp_error_set(LP_EINVAL, "the training data has no rows");
    int rc = need_column(f, c->target, "model_target", "training");
    lp_frame *timed = NULL;
    lp_freq_unit freq;
    if (rc == 0) rc = timed_frame(&timed, f, c, "training");
    if (rc == 0) rc = index_frequency(self, c, timed, &freq);
    if (rc == 0) rc = drop_missing_target(self, out, timed, c);
    if (timed) lp_frame_unref(timed);
    return rc;
}

/* ---- process_data ------------------------------------------------------------------ */

static char *dataset_name(lp_obj *self, const char *source)
{
    char *model = lp_obj_config_string(self, "model_name");
    char *name = lp_asprintf("%s_%s", model ? model : "data", source);
    free(model);
    return name;
}

/* Track, then (training data only) profile, check and compare. New ref. */
static lp_value *track_and_inspect(lp_obj *self, lp_obj *process, lp_value *frame, bool train)
{
    char *name = dataset_name(self, train ? "train" : "eval");
    lp_value *dv = name ? lp_process_track_data(process, frame, name) : NULL;
    free(name);
    if (!dv || !train) return dv;
    lp_value *r = lp_process_profile_data(process, frame, dv);
    if (r) {
        lp_value_unref(r);
        r = lp_process_check_data(process, frame, dv);
    }
    if (r) {
        lp_value_unref(r);
        r = lp_process_compare_data(process, frame, dv);
    }
    if (!r) {
        lp_value_unref(dv);
        return NULL;
    }
    lp_value_unref(r);
    return dv;
}

/* The transformed frame of a source, its time index as timestamps. New ref. */
static lp_value *load_source(lp_obj *self, lp_obj *process, const ts_cfg *c, bool train)
{
    const char *key = train ? "train_data" : "eval_data";
    lp_value *where = lp_obj_config(self, key);
    if (!where || lp_value_type(where) == LP_NULL) {
        lp_value_unref(where);
        lp_error_set(LP_ECONFIG, "process_data: config '%s' is not set", key);
        return NULL;
    }
    lp_value *raw = lp_process_transform_data(process, where);
    lp_value_unref(where);
    lp_frame *f = raw ? lp_value_as_frame(raw) : NULL;
    if (raw && !f)
        lp_error_set(LP_EINVAL, "process_data: transform_data returned %s, not a frame",
                     lp_vtype_name(lp_value_type(raw)));
    lp_frame *out = NULL;
    int rc = !f                 ? LP_ERROR
             : train            ? prepare_train(self, &out, f, c)
             : lp_frame_rows(f) ? timed_frame(&out, f, c, "eval")
                                : (out = lp_frame_ref(f), 0);
    lp_value_unref(raw);
    return rc ? NULL : lp_kit_frame(out);
}

/* process_data(source = "train") -> {frame, dataset_version} */
static lp_value *ts_process_data(lp_obj *self, lp_value *args)
{
    const char *source = lp_value_as_string(lp_map_get(args, "source"));
    bool train = !source || strcmp(source, "train") == 0;
    if (!train && strcmp(source, "eval") != 0)
        return lp_kit_fail(LP_EUSAGE, "process_data: source is train or eval, not '%s'", source);
    ts_cfg c;
    if (ts_cfg_read(&c, self) != 0) return NULL;
    lp_obj *process = lp_obj_pipeline(self, "process");
    lp_value *frame = load_source(self, process, &c, train);
    ts_cfg_free(&c);
    lp_value *dv = frame ? track_and_inspect(self, process, frame, train) : NULL;
    if (!dv) {
        lp_value_unref(frame);
        return NULL;
    }
    return lp_kit_result("frame", frame, "dataset_version", dv, (const char *)NULL);
}

/* ---- the time-ordered split ------------------------------------------------------- */

/* The columns of f without model_index, drop_columns and (unless
 * keep_target) the target: the features. New reference. */
static int columns_used(lp_frame **out, lp_obj *self, const lp_frame *f, const ts_cfg *c,
                        bool keep_target)
{
    lp_value *drop = lp_kit_config_strings(self, "drop_columns");
    char *index = lp_obj_config_string(self, "model_index");
    const char *names[258];
    size_t n = 0;
    if (!keep_target && lp_frame_find(f, c->target) >= 0) names[n++] = c->target;
    if (index && lp_frame_find(f, index) >= 0) names[n++] = index;
    for (size_t i = 0; drop && i < lp_list_len(drop) && n < 258; i++) {
        const char *d = lp_value_as_string(lp_list_get(drop, i));
        if (d && lp_frame_find(f, d) >= 0 && strcmp(d, c->time_index) != 0) names[n++] = d;
    }
    lp_error_clear(); /* no drop_columns is no error */
    int rc = lp_frame_drop(out, f, names, n);
    free(index);
    lp_value_unref(drop);
    return rc;
}

static int feature_frame(lp_frame **out, lp_obj *self, const lp_frame *f, const ts_cfg *c)
{
    return columns_used(out, self, f, c, false);
}

/* Appends part to *acc (new frames). */
static int stack(lp_frame **acc, lp_frame *part)
{
    if (!*acc) {
        *acc = part;
        return 0;
    }
    lp_frame *next = NULL;
    int rc = lp_frame_concat(&next, *acc, part);
    lp_frame_unref(part);
    lp_frame_unref(*acc);
    *acc = next;
    return rc;
}

/* The last forecast_period points (else the last 1 - split_ratio share) of
 * each series as validation. */
static int split_by_time(lp_frame **tr, lp_frame **va, const lp_frame *f, const ts_cfg *c)
{
    series_groups g = {0};
    int rc = groups_of(&g, f, c);
    *tr = *va = NULL;
    for (size_t k = 0; rc == 0 && k < g.n; k++) {
        size_t len = g.starts[k + 1] - g.starts[k];
        size_t *rows = malloc(len * sizeof *rows);
        lp_frame *sub = NULL, *a = NULL, *b = NULL;
        if (!rows) rc = lp_error_set(LP_ENOMEM, "out of memory");
        for (size_t i = 0; rc == 0 && i < len; i++)
            rows[i] = g.starts[k] + i;
        if (rc == 0) rc = lp_frame_take(&sub, f, rows, len);
        free(rows);
        if (rc == 0) rc = lp_time_split(&a, &b, sub, c->time_index, c->period, c->ratio);
        if (sub) lp_frame_unref(sub);
        if (rc) {
            char label[160];
            series_label(label, sizeof label, f, c, &g, k);
            rc = lp_error_set(rc, "train_model: the time-ordered split%s: %s", label,
                              lp_error_last()->message);
            break;
        }
        rc = stack(tr, a);
        if (rc == 0)
            rc = stack(va, b);
        else
            lp_frame_unref(b);
    }
    free(g.starts);
    return rc;
}

/* {X_train, y_train, X_valid, y_valid} of frame split by time (not logged:
 * log_split says it). New ref. */
static lp_value *split_frames(lp_obj *self, const lp_frame *f, const ts_cfg *c)
{
    lp_frame *tr = NULL, *va = NULL, *Xt = NULL, *yt = NULL, *Xv = NULL, *yv = NULL;
    const char *target[1] = {c->target};
    int rc = split_by_time(&tr, &va, f, c);
    if (rc == 0) rc = feature_frame(&Xt, self, tr, c);
    if (rc == 0) rc = feature_frame(&Xv, self, va, c);
    if (rc == 0) rc = lp_frame_select(&yt, tr, target, 1);
    if (rc == 0) rc = lp_frame_select(&yv, va, target, 1);
    if (tr) lp_frame_unref(tr);
    if (va) lp_frame_unref(va);
    if (rc == 0)
        return lp_kit_result("X_train", lp_kit_frame(Xt), "y_train", lp_kit_frame(yt), "X_valid",
                             lp_kit_frame(Xv), "y_valid", lp_kit_frame(yv), (const char *)NULL);
    lp_frame *all[4] = {Xt, yt, Xv, yv};
    for (size_t i = 0; i < 4; i++)
        if (all[i]) lp_frame_unref(all[i]);
    return NULL;
}

static void log_split(lp_obj *self, const lp_value *splits)
{
    lp_log(self, LP_LOG_INFO, "split_data: by time, %zu rows to train, the last %zu to validate",
           lp_frame_rows(lp_value_as_frame(lp_map_get(splits, "X_train"))),
           lp_frame_rows(lp_value_as_frame(lp_map_get(splits, "X_valid"))));
}

/* split_frames, logged. New ref. */
static lp_value *time_splits(lp_obj *self, const lp_frame *f, const ts_cfg *c)
{
    lp_value *splits = split_frames(self, f, c);
    if (splits) log_split(self, splits);
    return splits;
}

/* ---- the baseline comparison ------------------------------------------------------- */

/* A metric of the model's section of the comparison, or of a baseline's,
 * NaN when absent. */
static double section_metric(const lp_value *cmp, const char *section, const char *metric)
{
    const lp_value *sec = strcmp(section, "model") == 0
                              ? lp_map_get(cmp, "model")
                              : lp_map_get(lp_map_get(cmp, "baselines"), section);
    const lp_value *v = lp_map_get(sec, metric);
    return v ? lp_value_as_float(v) : NAN;
}

/* The comparison as metrics of the model version (split "forecast"): the
 * model's mase, smape, mae, rmse, coverage and each baseline's mase. */
static int record_baselines(lp_obj *self, lp_value *mv, const lp_value *cmp)
{
    lp_obj *mt = lp_obj_component(self, "metrics_tracker");
    if (!mt || lp_value_type(mv) != LP_MAP) return 0;
    static const char *const own[] = {"mase", "smape", "mae", "rmse", "coverage"};
    lp_value *m = lp_value_map();
    int rc = m ? 0 : LP_ENOMEM;
    for (size_t i = 0; rc == 0 && i < 5; i++) {
        double v = section_metric(cmp, "model", own[i]);
        if (!isnan(v)) rc = lp_map_set(m, own[i], lp_value_float(v));
    }
    for (int b = 0; rc == 0 && b < LP_FC_BASELINE_COUNT_; b++) {
        const char *name = lp_fc_baseline_name((lp_fc_baseline)b);
        char key[64];
        snprintf(key, sizeof key, "%s_mase", name);
        double v = section_metric(cmp, name, "mase");
        if (!isnan(v)) rc = lp_map_set(m, key, lp_value_float(v));
    }
    lp_value *by_split = rc == 0 ? lp_kit_result("forecast", m, (const char *)NULL) : NULL;
    if (rc) lp_value_unref(m);
    rc = by_split ? lp_metrics_tracker_log_metrics(mt, mv, by_split, NULL) : LP_ENOMEM;
    lp_value_unref(by_split);
    return rc;
}

/* baseline step: the model checker's comparison of the forecast with naive,
 * seasonal naive and drift (analyze_model's `baseline`), logged (WARN when
 * seasonal naive does at least as well) and recorded. New ref: the
 * comparison, or null (INFO) without a model checker; NULL on error. */
static lp_value *baseline_step(lp_obj *self, lp_value *mv, const lp_value *analysis)
{
    const lp_value *cmp = lp_map_get(analysis, "baseline");
    if (lp_value_type(lp_map_get(cmp, "baselines")) != LP_MAP ||
        !lp_map_get(cmp, "beats_seasonal_naive")) {
        lp_log(self, LP_LOG_INFO,
               "baseline: skipped, no model_checker compared the forecast with naive, "
               "seasonal naive and drift");
        return lp_value_null();
    }
    bool beats = lp_value_as_bool(lp_map_get(cmp, "beats_seasonal_naive"));
    lp_log(self, beats ? LP_LOG_INFO : LP_LOG_WARN,
           "baseline: validation MASE %.4g, seasonal naive (season %lld) %.4g, naive %.4g, "
           "drift %.4g%s",
           section_metric(cmp, "model", "mase"),
           (long long)lp_value_as_int(lp_map_get(cmp, "season")),
           section_metric(cmp, "seasonal_naive", "mase"), section_metric(cmp, "naive", "mase"),
           section_metric(cmp, "drift", "mase"),
           beats ? "" : ": the forecast does NOT beat seasonal naive");
    if (record_baselines(self, mv, cmp) != 0) return NULL;
    return lp_value_ref((lp_value *)(uintptr_t)cmp);
}

/* ---- rolling-origin cross-validation ----------------------------------------------- */

/* {cv_initial, cv_period, cv_horizon} from the runner's config, or NULL
 * (no error) when none is set. */
static lp_value *cv_params(lp_obj *self)
{
    static const char *const keys[] = {"cv_initial", "cv_period", "cv_horizon"};
    lp_value *p = NULL;
    for (size_t i = 0; i < 3; i++) {
        lp_value *v = lp_obj_config(self, keys[i]);
        if (v && lp_value_type(v) != LP_NULL) {
            if (!p) p = lp_value_map();
            if (!p || lp_map_set(p, keys[i], lp_value_ref(v)) != 0) {
                lp_value_unref(v);
                lp_value_unref(p);
                lp_error_set(LP_ENOMEM, "out of memory");
                return NULL;
            }
        }
        lp_value_unref(v);
    }
    return p;
}

/* Records the cross-validation's mean MASE (split "cv"). */
static int record_cv(lp_obj *self, lp_value *mv, const lp_value *cv)
{
    lp_obj *mt = lp_obj_component(self, "metrics_tracker");
    lp_value *mase = lp_map_get(cv, "mean_mase");
    if (!mt || lp_value_type(mv) != LP_MAP || !mase) return 0;
    lp_value *by_split = lp_kit_result(
        "cv", lp_kit_result("mase", lp_value_ref(mase), (const char *)NULL), (const char *)NULL);
    int rc = by_split ? lp_metrics_tracker_log_metrics(mt, mv, by_split, NULL) : LP_ENOMEM;
    lp_value_unref(by_split);
    return rc;
}

/* cross_validate(frame, params) of the winning trainer when the config has
 * cv_* keys and the trainer has the method; null (with an INFO line) when
 * not. New ref or NULL on error. */
static lp_value *cv_step(lp_obj *self, lp_obj *train, lp_value *mv, lp_frame *history)
{
    lp_value *params = cv_params(self);
    if (!params) {
        if (lp_error_last()->code) return NULL;
        lp_log(self, LP_LOG_INFO,
               "cross_validate: skipped, no cv_initial / cv_period / cv_horizon");
        return lp_value_null();
    }
    lp_value *won = NULL; /* the winner's own parameters, not the slot's */
    lp_obj *trainer = lp_experiment_winning_trainer(train, mv, &won);
    if (!trainer || !lp_obj_has_method(trainer, "cross_validate")) {
        lp_log(self, LP_LOG_INFO, "cross_validate: skipped, %s has no cross_validate method",
               trainer ? lp_obj_class(trainer)->name : "no model_trainer");
        lp_value_unref(params);
        lp_value_unref(won);
        return lp_value_null();
    }
    lp_value *cv =
        lp_call_with(trainer, "cross_validate", "frame", lp_value_frame(history), "params", params,
                     "training_params", won ? won : lp_value_null(), (const char *)NULL);
    if (!cv) return NULL;
    lp_log(self, LP_LOG_INFO, "cross_validate (%s): %lld folds, horizon %lld, mean MASE %.4g",
           lp_obj_class(trainer)->name, (long long)lp_value_as_int(lp_map_get(cv, "folds")),
           (long long)lp_value_as_int(lp_map_get(cv, "horizon")),
           lp_value_as_float(lp_map_get(cv, "mean_mase")));
    if (record_cv(self, mv, cv) != 0) {
        lp_value_unref(cv);
        return NULL;
    }
    return cv;
}

/* ---- train_model -------------------------------------------------------------------- */

/* Lineage dataset version -> model version, and the tag the predict
 * pipeline uses to find the training data. */
static int record_lineage(lp_obj *self, lp_value *mv, lp_value *dv)
{
    lp_obj *tracker = lp_obj_component(self, "metadata_tracker");
    if (!tracker || lp_value_type(mv) != LP_MAP || lp_value_type(dv) != LP_MAP) return 0;
    int rc = lp_metadata_tracker_build_model_lineage(tracker, mv, dv);
    if (rc == 0) rc = lp_kit_tag(self, mv, "dataset_version", lp_value_ref(lp_map_get(dv, "id")));
    return rc;
}

/* Plots (the forecast plot among them), the model checker's baseline
 * comparison (*analysis: analyze_model's result, new ref) and its report; no
 * bias step (a series has no protected groups). */
static int inspect_model(lp_obj *train, lp_value *splits, lp_value *mv, lp_value *model, bool plots,
                         lp_value **analysis)
{
    lp_obj *checker = plots ? NULL : lp_obj_component(train, "model_checker");
    lp_value *cmp =
        checker ? lp_model_checker_get_baseline_comparison(checker, splits, model) : NULL;
    if (!plots) /* the baseline comparison of analyze_model without its plots */
        *analysis = !checker ? lp_value_map()
                    : cmp    ? lp_kit_result("baseline", cmp, (const char *)NULL)
                             : NULL;
    else
        *analysis = lp_train_analyze_model(train, splits, mv, model);
    if (!*analysis) return lp_error_last()->code ? lp_error_last()->code : LP_ERROR;
    return lp_type_status(lp_train_check_model(train, splits, mv, model));
}

/* The winner refitted on the whole history, so that the forecast starts
 * where the data ends (retrain_all: false keeps the model of the training
 * split, whose forecasts start before the validation points). */
static int refit_on_history(lp_obj *self, lp_obj *train, lp_value *frame, lp_value *splits,
                            lp_value *mv, lp_value **model)
{
    if (!lp_obj_config_bool(self, "retrain_all", true)) {
        lp_log(self, LP_LOG_INFO, "retrain: skipped (retrain_all: false)");
        return 0;
    }
    lp_value *m =
        lp_call_with(train, LP_TRAIN_RETRAIN_MODEL_ON_ALL_DATA, "frame", lp_value_ref(frame),
                     "model_version", lp_value_ref(mv), "model", lp_value_ref(*model), "splits",
                     lp_value_ref(splits), (const char *)NULL);
    if (!m) return lp_error_last()->code ? lp_error_last()->code : LP_ERROR;
    lp_value_unref(*model);
    *model = m;
    return 0;
}

/* Validation, baseline, cross-validation and the refit of a trained model
 * (plots: whether analyze_model draws; else only the baseline comparison). */
static int after_training(lp_obj *self, const ts_cfg *c, lp_value *frame, lp_value *dv,
                          lp_value *splits, lp_value *mv, bool plots, lp_value **model,
                          lp_value **baseline, lp_value **cv)
{
    lp_obj *train = lp_obj_pipeline(self, "train");
    const lp_frame *f = lp_value_as_frame(frame);
    lp_frame *history = NULL;
    lp_value *analysis = NULL;
    int rc = inspect_model(train, splits, mv, *model, plots, &analysis);
    if (rc == 0) rc = record_lineage(self, mv, dv);
    if (rc == 0 && !(*baseline = baseline_step(self, mv, analysis)))
        rc = lp_error_last()->code ? lp_error_last()->code : LP_ERROR;
    lp_value_unref(analysis);
    if (rc == 0) rc = columns_used(&history, self, f, c, true);
    if (rc == 0 && !(*cv = cv_step(self, train, mv, history)))
        rc = lp_error_last()->code ? lp_error_last()->code : LP_ERROR;
    if (history) lp_frame_unref(history);
    if (rc == 0) rc = refit_on_history(self, train, frame, splits, mv, model);
    return rc;
}

/* ---- several series (series_id) --------------------------------------------------- */

/* Series past the first MAX_PLOTTED get no plots: a report of hundreds of
 * forecast plots is read by no one, and drawing them costs more than fitting. */
#define MAX_PLOTTED 12

/* What training one series gave. */
typedef struct series_fit {
    char *key;
    lp_value *mv, *model, *baseline, *cv; /* new refs */
} series_fit;

static void series_fit_clear(series_fit *s)
{
    free(s->key);
    lp_value_unref(s->mv);
    lp_value_unref(s->model);
    lp_value_unref(s->baseline);
    lp_value_unref(s->cv);
    memset(s, 0, sizeof *s);
}

/* Rows [from, to) of f without the series_id column: one series. New ref. */
static int one_series(lp_frame **out, const lp_frame *f, const ts_cfg *c, size_t from, size_t to)
{
    size_t n = to - from, *rows = malloc((n ? n : 1) * sizeof *rows);
    if (!rows) return lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        rows[i] = from + i;
    lp_frame *sub = NULL;
    const char *drop[1] = {c->series_id};
    int rc = lp_frame_take(&sub, f, rows, n);
    free(rows);
    if (rc == 0) rc = lp_frame_drop(out, sub, drop, 1);
    if (sub) lp_frame_unref(sub);
    return rc;
}

/* Split (ready: the series' splits computed ahead, or NULL), train (tuner
 * or trainer), validate, baselines, cross-validation and refit of one series
 * (sub: its rows, no series_id), as for a file of one; plots drawn when
 * `plots`. */
static int fit_one_series(lp_obj *self, const ts_cfg *one, const char *key_column, lp_frame *sub,
                          lp_value *ready, lp_value *dv, bool plots, series_fit *s)
{
    lp_obj *train = lp_obj_pipeline(self, "train");
    lp_value *frame = lp_kit_frame(lp_frame_ref(sub));
    lp_value *splits = !frame ? NULL : ready ? lp_value_ref(ready) : time_splits(self, sub, one);
    if (ready && splits) log_split(self, splits);
    lp_value *trained = splits ? lp_train_train_model(train, splits, dv) : NULL;
    int rc = trained ? 0 : lp_error_last()->code ? lp_error_last()->code : LP_ERROR;
    if (rc == 0) {
        s->mv = lp_value_ref(lp_map_get(trained, "model_version"));
        s->model = lp_value_ref(lp_map_get(trained, "model"));
        /* series_id and series name the series in plot titles and the report */
        if (lp_value_type(s->mv) == LP_MAP)
            rc = lp_kit_tag(self, s->mv, "series", lp_value_string(s->key));
        if (rc == 0 && lp_value_type(s->mv) == LP_MAP)
            rc = lp_kit_tag(self, s->mv, "series_id", lp_value_string(key_column));
    }
    if (rc == 0)
        rc = after_training(self, one, frame, dv, splits, s->mv, plots, &s->model, &s->baseline,
                            &s->cv);
    lp_value_unref(frame);
    lp_value_unref(splits);
    lp_value_unref(trained);
    return rc;
}

/* The mean over series of each validation metric of their versions
 * (`metrics.valid`): the aggregate. New map. */
static lp_value *mean_validation(const series_fit *fits, size_t n)
{
    lp_value *mean = lp_value_map();
    const lp_value *first = lp_map_get(lp_map_get(fits[0].mv, "metrics"), "valid");
    for (size_t j = 0; mean && j < lp_map_len(first); j++) {
        const char *name = lp_map_key(first, j);
        double sum = 0;
        size_t used = 0;
        for (size_t k = 0; k < n; k++) {
            const lp_value *v =
                lp_map_get(lp_map_get(lp_map_get(fits[k].mv, "metrics"), "valid"), name);
            if (v && !isnan(lp_value_as_float(v))) {
                sum += lp_value_as_float(v);
                used++;
            }
        }
        if (used && lp_map_set(mean, name, lp_value_float(sum / (double)used)) != 0) {
            lp_value_unref(mean);
            mean = NULL;
        }
    }
    if (!mean) lp_error_set(LP_ENOMEM, "out of memory");
    return mean;
}

/* The experiment of the combined version: what the deployer and the summary
 * read from a version (its model, versioned when resource_version_control is
 * in reach, and its metrics: `by_split`), marked the winner. */
static int combined_experiment(lp_obj *self, lp_obj *tracker, lp_value *mv, lp_value *model,
                               lp_value *by_split)
{
    lp_value *e = lp_metadata_tracker_create_resource(tracker, NULL, "experiment", mv);
    if (!e) return lp_error_last()->code ? lp_error_last()->code : LP_ERROR;
    int rc = lp_kit_tag(self, e, "trainer", lp_value_string("TimeSeriesRunner"));
    lp_obj *mt = lp_obj_component(self, "metrics_tracker");
    lp_obj *rvc = lp_obj_component(self, "resource_version_control");
    if (rc == 0 && mt) rc = lp_metrics_tracker_log_metrics(mt, e, by_split, NULL);
    lp_value *vc = rc == 0 && rvc ? lp_resource_version_control_version_model(rvc, e, model) : NULL;
    lp_value *reg = vc ? lp_metadata_tracker_register_vc_resource(tracker, e, vc, "model") : NULL;
    if (rc == 0 && rvc && !reg) rc = lp_error_last()->code ? lp_error_last()->code : LP_ERROR;
    if (rc == 0) rc = lp_experiment_mark_winner(self, e);
    lp_value_unref(vc);
    lp_value_unref(reg);
    lp_value_unref(e);
    return rc;
}

/* A model version for the model of every series (null without a metadata
 * tracker): named as the train pipeline names its versions, tagged with the
 * key column and the series' versions, with one experiment holding the model
 * and the mean over series of the validation metrics (split valid). New ref
 * or NULL. */
static lp_value *combined_version(lp_obj *self, const ts_cfg *c, const series_fit *fits, size_t n,
                                  lp_value *model, lp_value *dv)
{
    lp_obj *tracker = lp_obj_component(self, "metadata_tracker");
    if (!tracker) return lp_value_null();
    char *name = lp_obj_config_string(self, "model_name");
    if (!name || !*name) {
        free(name);
        name = lp_asprintf("%s_model", c->target);
    }
    lp_value *res = name ? lp_metadata_tracker_create_resource(tracker, name, "model", NULL) : NULL;
    lp_value *mv =
        res ? lp_metadata_tracker_create_resource(tracker, name, "model_version", res) : NULL;
    free(name);
    lp_value_unref(res);
    lp_value *ids = mv ? lp_value_list() : NULL, *mean = ids ? mean_validation(fits, n) : NULL;
    int rc = mean ? 0 : lp_error_last()->code ? lp_error_last()->code : LP_ENOMEM;
    for (size_t k = 0; rc == 0 && k < n; k++)
        rc = lp_list_append(ids, lp_value_ref(lp_map_get(fits[k].mv, "id")));
    if (rc == 0) rc = lp_kit_tag(self, mv, "series_id", lp_value_string(c->series_id));
    if (rc == 0) rc = lp_kit_tag(self, mv, "series_versions", lp_value_ref(ids));
    lp_value *by_split =
        rc == 0 ? lp_kit_result("valid", lp_value_ref(mean), (const char *)NULL) : NULL;
    if (rc == 0)
        rc = by_split ? combined_experiment(self, tracker, mv, model, by_split) : LP_ENOMEM;
    if (rc == 0) rc = lp_map_set(mv, "metrics", lp_value_ref(by_split));
    if (rc == 0) rc = record_lineage(self, mv, dv);
    lp_value_unref(by_split);
    lp_value_unref(ids);
    lp_value_unref(mean);
    if (rc) {
        lp_value_unref(mv);
        return NULL;
    }
    return mv;
}

/* A new reference to v, or null when v is NULL. */
static lp_value *opt_ref(lp_value *v)
{
    return v ? lp_value_ref(v) : lp_value_null();
}

/* {series: [{series, model_version, validation, baseline_mase, cv_mase}],
 * aggregate: "mean over N series", validation: the mean} New ref. */
static lp_value *series_report(const series_fit *fits, size_t n, const lp_value *mean)
{
    lp_value *list = lp_value_list();
    for (size_t k = 0; list && k < n; k++) {
        const lp_value *cmp = fits[k].baseline;
        lp_value *e = lp_kit_result(
            "series", lp_value_string(fits[k].key), "model_version",
            opt_ref(lp_map_get(fits[k].mv, "version")), "validation",
            opt_ref(lp_map_get(lp_map_get(fits[k].mv, "metrics"), "valid")), "mase",
            lp_value_float(section_metric(cmp, "model", "mase")), "seasonal_naive_mase",
            lp_value_float(section_metric(cmp, "seasonal_naive", "mase")), "cv_mase",
            lp_value_float(lp_map_get(fits[k].cv, "mean_mase")
                               ? lp_value_as_float(lp_map_get(fits[k].cv, "mean_mase"))
                               : NAN),
            (const char *)NULL);
        if (!e || lp_list_append(list, e) != 0) {
            lp_value_unref(list);
            return NULL;
        }
    }
    char what[64];
    snprintf(what, sizeof what, "mean over %zu series", n);
    return list ? lp_kit_result("series", list, "aggregate", lp_value_string(what), "validation",
                                lp_value_ref((lp_value *)(uintptr_t)mean), (const char *)NULL)
                : NULL;
}

/* One "by_series" model of every series' model. New ref value. */
static lp_value *combined_model(const ts_cfg *c, const series_fit *fits, size_t n)
{
    const char **keys = malloc(n * sizeof *keys);
    lp_model **models = malloc(n * sizeof *models);
    lp_model *m = NULL;
    int rc = keys && models ? 0 : lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t k = 0; rc == 0 && k < n; k++) {
        keys[k] = fits[k].key;
        models[k] = lp_value_as_model(fits[k].model);
        if (!models[k])
            rc = lp_error_set(LP_EINVAL, "series %s: the trainer gave no model", keys[k]);
    }
    if (rc == 0) rc = lp_series_model_new(&m, c->series_id, keys, models, n);
    free(keys);
    free(models);
    if (rc) return NULL;
    lp_value *v = lp_value_model(m); /* its own reference */
    lp_model_unref(m);
    return v;
}

/* Each series' rows (no series_id) and splits, made before any is fitted;
 * a series that cannot be split gets none here (fit_one_series splits it
 * again and reports the error in its turn). */
typedef struct series_inputs {
    size_t n;
    lp_frame **subs;   /* new refs */
    lp_value **splits; /* new refs or NULL */
} series_inputs;

static void series_inputs_free(series_inputs *in)
{
    for (size_t k = 0; k < in->n; k++) {
        if (in->subs && in->subs[k]) lp_frame_unref(in->subs[k]);
        if (in->splits) lp_value_unref(in->splits[k]);
    }
    free(in->subs);
    free(in->splits);
}

static int series_inputs_read(series_inputs *in, lp_obj *self, const ts_cfg *c, const ts_cfg *one,
                              const lp_frame *f, const series_groups *g)
{
    in->n = g->n;
    in->subs = calloc(g->n, sizeof *in->subs);
    in->splits = calloc(g->n, sizeof *in->splits);
    if (!in->subs || !in->splits) return lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t k = 0; k < g->n; k++) {
        int rc = one_series(&in->subs[k], f, c, g->starts[k], g->starts[k + 1]);
        if (rc) return rc;
        in->splits[k] = split_frames(self, in->subs[k], one);
        lp_error_clear();
    }
    return 0;
}

/* The trainer whose fits can be computed ahead (the train pipeline's
 * model_trainer with a prefit method, no tuner), or NULL. */
static lp_obj *prefit_trainer(lp_obj *train)
{
    if (lp_obj_component(train, "hyperparameter_tuner")) return NULL;
    lp_obj *t = lp_obj_component(train, "model_trainer");
    lp_error_clear();
    return t && lp_obj_has_method(t, "prefit") ? t : NULL;
}

/* The trainer's prefit of every series (the memo, current and filling, keeps
 * the fits): {splits, history, split_cv} each, the history only when
 * cross-validation will run, split_cv when the model visualizer will draw
 * the cross-validation of the training split (the first MAX_PLOTTED). */
static int prefit_series(lp_obj *self, lp_obj *trainer, const ts_cfg *one, const series_inputs *in)
{
    lp_value *cvp = cv_params(self);
    if (!cvp && lp_error_last()->code) return lp_error_last()->code;
    bool cv = cvp && lp_obj_has_method(trainer, "cross_validate");
    bool drawn = cv && lp_obj_component(lp_obj_pipeline(self, "train"), "model_visualizer");
    lp_error_clear();
    lp_value *list = lp_value_list();
    int rc = list ? 0 : lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t k = 0; rc == 0 && k < in->n; k++) {
        lp_frame *history = NULL;
        if (in->splits[k] && cv && (rc = columns_used(&history, self, in->subs[k], one, true)))
            break;
        lp_value *item =
            !in->splits[k]
                ? lp_value_map()
                : lp_kit_result("splits", lp_value_ref(in->splits[k]), "history",
                                history ? lp_kit_frame(history) : lp_value_null(), "split_cv",
                                lp_value_bool(drawn && k < MAX_PLOTTED), (const char *)NULL);
        rc = item ? lp_list_append(list, item) : lp_error_set(LP_ENOMEM, "out of memory");
    }
    lp_value *r = rc == 0
                      ? lp_call_with(trainer, "prefit", "series", lp_value_ref(list), "params",
                                     cv ? lp_value_ref(cvp) : lp_value_null(), "retrain",
                                     lp_value_bool(lp_obj_config_bool(self, "retrain_all", true)),
                                     (const char *)NULL)
                      : NULL;
    if (rc == 0 && !r) rc = lp_error_last()->code ? lp_error_last()->code : LP_ERROR;
    lp_value_unref(r);
    lp_value_unref(list);
    lp_value_unref(cvp);
    return rc;
}

/* train_model of a file of several series: each series split, trained,
 * validated and refitted on its own (in the order they first appear), then
 * one model of them all under a version of its own. The trainer computes
 * every series' fits first, on threads (prefit_series); the pipeline then
 * runs over the series one after the other and finds them ready. */
static lp_value *train_series(lp_obj *self, const ts_cfg *c, const lp_frame *f, lp_value *dv)
{
    series_groups g = {0};
    series_inputs in = {0};
    int rc = groups_of(&g, f, c);
    series_fit *fits = rc == 0 ? calloc(g.n, sizeof *fits) : NULL;
    if (rc == 0 && !fits) rc = lp_error_set(LP_ENOMEM, "out of memory");
    ts_cfg one = *c;
    one.series_id = NULL;
    const lp_column *key = lp_frame_col_by_name(f, c->series_id);
    if (rc == 0) lp_log(self, LP_LOG_INFO, "train_model: %zu series of '%s'", g.n, c->series_id);
    if (rc == 0 && g.n > MAX_PLOTTED)
        lp_log(self, LP_LOG_INFO,
               "train_model: plots are drawn for the first %d of the %zu series only (every "
               "series gets its metrics, baselines and cross-validation)",
               MAX_PLOTTED, g.n);
    if (rc == 0) rc = series_inputs_read(&in, self, c, &one, f, &g);
    lp_obj *trainer = rc == 0 ? prefit_trainer(lp_obj_pipeline(self, "train")) : NULL;
    lp_fit_memo *memo = trainer ? lp_fit_memo_new() : NULL;
    lp_fit_memo *was = memo ? lp_fit_memo_use(memo) : NULL;
    if (trainer && !memo) rc = lp_error_last()->code;
    if (memo) {
        lp_fit_memo_set_filling(memo, true);
        rc = prefit_series(self, trainer, &one, &in);
        lp_fit_memo_set_filling(memo, false);
    }
    for (size_t k = 0; rc == 0 && k < g.n; k++) {
        size_t len = 0;
        const char *s = lp_column_str(key, g.starts[k], &len);
        fits[k].key = lp_strndup(s, len);
        rc = fits[k].key ? 0 : LP_ENOMEM;
        if (rc == 0) lp_log(self, LP_LOG_INFO, "train_model: series %s", fits[k].key);
        if (rc == 0)
            rc = fit_one_series(self, &one, c->series_id, in.subs[k], in.splits[k], dv,
                                k < MAX_PLOTTED, &fits[k]);
        if (rc) lp_error_prefix("series %s", fits[k].key ? fits[k].key : "?");
    }
    if (memo) {
        size_t hits = 0, misses = 0;
        lp_fit_memo_counts(memo, &hits, &misses);
        lp_fit_memo_use(was);
        lp_fit_memo_free(memo);
        if (rc == 0)
            lp_log(self, LP_LOG_INFO,
                   "train_model: %zu fits were computed ahead for the %zu series on up to %zu "
                   "threads, %zu in series order",
                   hits, g.n, lp_ml_threads(), misses);
    }
    series_inputs_free(&in);
    lp_value *mv = NULL, *model = NULL, *report = NULL, *mean = NULL;
    if (rc == 0) model = combined_model(c, fits, g.n);
    if (model) mv = combined_version(self, c, fits, g.n, model, dv);
    if (mv) mean = mean_validation(fits, g.n);
    if (mean) report = series_report(fits, g.n, mean);
    for (size_t k = 0; fits && k < g.n; k++)
        series_fit_clear(&fits[k]);
    free(fits);
    free(g.starts);
    lp_value_unref(mean);
    if (!report) {
        lp_value_unref(mv);
        lp_value_unref(model);
        return NULL;
    }
    return lp_kit_result("model_version", mv, "model", model, "better", lp_value_bool(true),
                         "baseline", lp_value_null(), "cross_validation", lp_value_null(), "series",
                         report, (const char *)NULL);
}

/* train_model(frame, dataset_version)
 *   -> {model_version, model, better, baseline, cross_validation} */
static lp_value *ts_train_model(lp_obj *self, lp_value *args)
{
    lp_value *frame = lp_kit_arg_nonnull(args, "frame", "train_model");
    const lp_frame *f = frame ? lp_value_as_frame(frame) : NULL;
    if (frame && !f) return lp_kit_fail(LP_EINVAL, "train_model: frame must be a frame");
    ts_cfg c;
    if (!f || ts_cfg_read(&c, self) != 0) return NULL;
    lp_value *dv = lp_map_get(args, "dataset_version");
    lp_obj *train = lp_obj_pipeline(self, "train");
    lp_value *splits = NULL, *trained = NULL, *mv = NULL, *model = NULL;
    lp_value *baseline = NULL, *cv = NULL;
    int rc = check_splitter(self);
    if (rc == 0 && c.series_id) {
        lp_value *r = train_series(self, &c, f, dv);
        ts_cfg_free(&c);
        return r;
    }
    if (rc == 0 && !(splits = time_splits(self, f, &c))) rc = lp_error_last()->code;
    if (rc == 0 && !(trained = lp_train_train_model(train, splits, dv))) rc = lp_error_last()->code;
    if (rc == 0) {
        mv = lp_value_ref(lp_map_get(trained, "model_version"));
        model = lp_value_ref(lp_map_get(trained, "model"));
        rc = after_training(self, &c, frame, dv, splits, mv, true, &model, &baseline, &cv);
    }
    ts_cfg_free(&c);
    lp_value_unref(splits);
    lp_value_unref(trained);
    if (rc) {
        lp_value_unref(mv);
        lp_value_unref(model);
        lp_value_unref(baseline);
        lp_value_unref(cv);
        return NULL;
    }
    /* better: the newest forecaster is deployed (see the class doc) */
    return lp_kit_result("model_version", mv, "model", model, "better", lp_value_bool(true),
                         "baseline", baseline, "cross_validation", cv, (const char *)NULL);
}

/* ---- deploy_model --------------------------------------------------------------------- */

/* deploy_model(model_version, model) -> {deployed, reason, deployment,
 * superseded}: promote, approve, deploy; no comparison with the deployed
 * version. */
static lp_value *ts_deploy_model(lp_obj *self, lp_value *args)
{
    lp_value *mv = lp_kit_arg_nonnull(args, "model_version", "deploy_model");
    lp_value *model = mv ? lp_kit_arg_nonnull(args, "model", "deploy_model") : NULL;
    if (!model) return NULL;
    lp_obj *deploy = lp_obj_pipeline(self, "deploy");
    lp_value *promotion = lp_deploy_promote_model(deploy, mv, model);
    if (!promotion) return NULL;
    const char *reason = NULL;
    lp_value *deployment = NULL, *approved = NULL, *approval = NULL;
    if (lp_value_type(promotion) == LP_NULL)
        reason = "no model_repository configured";
    else if (!(approved = lp_deploy_check_approval(deploy, promotion)))
        reason = "error";
    else if (!lp_value_as_bool(approved))
        reason = "not approved (set auto_approve_models: true)";
    else if (!(approval = lp_deploy_approve_model(deploy, promotion)) ||
             !(deployment = lp_deploy_deploy_model(deploy, promotion, mv)))
        reason = "error";
    else if (lp_value_type(deployment) == LP_NULL)
        reason = "no model_deployer configured";
    lp_value_unref(approved);
    lp_value_unref(approval);
    lp_value_unref(promotion);
    if (reason && strcmp(reason, "error") == 0) {
        lp_value_unref(deployment);
        return NULL;
    }
    if (reason) lp_log(self, LP_LOG_INFO, "deploy_model: not deployed, %s", reason);
    return lp_kit_result("deployed", lp_value_bool(reason == NULL), "reason",
                         reason ? lp_value_string(reason) : NULL, "deployment", deployment,
                         "superseded", lp_value_bool(false), (const char *)NULL);
}

/* ---- predict_data ----------------------------------------------------------------------- */

/* Columns lower and upper of nulls, for a model without intervals. */
static int null_bounds(lp_frame *out, size_t n)
{
    for (int k = 0; k < 2; k++) {
        lp_column_builder *b = lp_column_builder_new(LP_DT_FLOAT64, n);
        int rc = b ? 0 : LP_ENOMEM;
        for (size_t i = 0; rc == 0 && i < n; i++)
            rc = lp_column_builder_append_null(b);
        lp_column *col = rc == 0 ? lp_column_builder_finish(b) : NULL;
        if (rc && b) lp_column_builder_free(b);
        if (!col) return lp_error_set(LP_ENOMEM, "out of memory");
        rc = lp_frame_add_column(out, k == 0 ? "lower" : "upper", col);
        if (rc) return rc;
    }
    return 0;
}

/* time index, [series_id], prediction, lower, upper for the rows of eval. */
static int forecast_frame(lp_obj *self, lp_frame **out, const lp_model *m, const lp_frame *eval,
                          const ts_cfg *c)
{
    lp_frame *X = NULL, *p = NULL, *res = lp_frame_new();
    int rc = res ? feature_frame(&X, self, eval, c) : LP_ENOMEM;
    bool iv = lp_model_has_intervals(m);
    if (rc == 0)
        rc = iv ? lp_model_predict_interval(&p, m, X, c->width) : lp_model_predict(&p, m, X);
    if (rc == 0 && !iv)
        lp_log(self, LP_LOG_WARN,
               "predict_data: the %s model gives no intervals; lower and upper "
               "are empty",
               lp_model_backend(m));
    const char *keys[2] = {c->series_id ? c->series_id : c->time_index,
                           c->series_id ? c->time_index : NULL};
    for (size_t k = 0; rc == 0 && k < 2 && keys[k]; k++)
        rc = lp_frame_add_column(res, keys[k], lp_column_ref(lp_frame_col_by_name(eval, keys[k])));
    for (size_t j = 0; rc == 0 && j < lp_frame_cols(p); j++)
        rc = lp_frame_add_column(res, lp_frame_name(p, j), lp_column_ref(lp_frame_col(p, j)));
    if (rc == 0 && !iv) rc = null_bounds(res, lp_frame_rows(eval));
    if (X) lp_frame_unref(X);
    if (p) lp_frame_unref(p);
    if (rc) {
        if (res) lp_frame_unref(res);
        return rc;
    }
    *out = res;
    return 0;
}

/* Track, check and save the forecast. New ref {prediction_job, path, rows}. */
static lp_value *keep_forecast(lp_obj *self, lp_value *mv, lp_value *preds, lp_value *dv)
{
    char *target = lp_obj_config_string(self, "prediction_data");
    lp_obj *predict = lp_obj_pipeline(self, "predict");
    lp_value *job = lp_predict_track_predictions(predict, mv, preds, dv);
    lp_value *r = job ? lp_predict_check_predictions(predict, preds, mv) : NULL;
    int rc = r ? lp_predict_save_predictions(predict, preds, target) : LP_ERROR;
    lp_value_unref(r);
    lp_value *result = NULL;
    if (rc == 0)
        result = lp_kit_result(
            "prediction_job", lp_value_ref(job), "path", lp_value_string(target), "rows",
            lp_value_int((int64_t)lp_frame_rows(lp_value_as_frame(preds))), (const char *)NULL);
    free(target);
    lp_value_unref(job);
    return result;
}

/* predict_data(model_version, model, frame, dataset_version)
 *   -> {prediction_job, path, rows} */
static lp_value *ts_predict_data(lp_obj *self, lp_value *args)
{
    lp_value *mv = lp_map_get(args, "model_version");
    lp_model *m = lp_kit_arg_model(args, "model", "predict_data");
    lp_frame *eval = m ? lp_kit_arg_frame(args, "frame", "predict_data") : NULL;
    ts_cfg c;
    if (!eval || ts_cfg_read(&c, self) != 0) return NULL;
    lp_frame *out = NULL;
    int rc = need_column(eval, c.time_index, "time_index", "eval");
    if (rc == 0 && lp_frame_col_by_name(eval, c.time_index)->type != LP_DT_TIMESTAMP)
        rc = lp_error_set(LP_EINVAL,
                          "predict_data: time_index '%s' must be time stamps (the frame "
                          "of process_data(source=eval))",
                          c.time_index);
    if (rc == 0) rc = forecast_frame(self, &out, m, eval, &c);
    ts_cfg_free(&c);
    if (rc) {
        lp_error_prefix("predict_data");
        return NULL;
    }
    lp_value *preds = lp_kit_frame(out);
    lp_value *result =
        preds ? keep_forecast(self, mv, preds, lp_map_get(args, "dataset_version")) : NULL;
    lp_value_unref(preds);
    return result;
}

/* ---- build_all, stop, check_config --------------------------------------------------- */

/* The offline runner's method `name` (stop and check_config are the same). */
static lp_value *offline_method(const char *name, lp_obj *self, lp_value *args)
{
    for (const lp_method *m = lp_offline_runner_methods; m->name; m++)
        if (strcmp(m->name, name) == 0) return m->fn(self, args);
    return lp_kit_fail(LP_ENOTFOUND, "TimeSeriesRunner: no method %s", name);
}

static lp_value *ts_stop(lp_obj *self, lp_value *args)
{
    return offline_method("stop", self, args);
}

/* The train → deploy → eval → predict part of build_all. */
static int build_rest(lp_obj *self, lp_value *processed, lp_value **trained, lp_value **deployed,
                      lp_value **predicted)
{
    *trained =
        lp_call_with(self, "train_model", "frame", lp_value_ref(lp_map_get(processed, "frame")),
                     "dataset_version", lp_value_ref(lp_map_get(processed, "dataset_version")),
                     (const char *)NULL);
    if (!*trained) return lp_error_last()->code;
    lp_value *mv = lp_map_get(*trained, "model_version");
    lp_value *model = lp_map_get(*trained, "model");
    *deployed = lp_call_with(self, "deploy_model", "model_version", lp_value_ref(mv), "model",
                             lp_value_ref(model), (const char *)NULL);
    if (!*deployed) return lp_error_last()->code;
    lp_value *eval =
        lp_call_with(self, "process_data", "source", lp_value_string("eval"), (const char *)NULL);
    if (!eval) return lp_error_last()->code;
    if (lp_frame_rows(lp_value_as_frame(lp_map_get(eval, "frame"))) == 0) {
        lp_value_unref(eval);
        return lp_error_set(LP_EINVAL, "predict_data: the eval data has no rows, so there are no "
                                       "time stamps to forecast (check config eval_data)");
    }
    *predicted = lp_call_with(self, "predict_data", "model_version", lp_value_ref(mv), "model",
                              lp_value_ref(model), "frame", lp_value_ref(lp_map_get(eval, "frame")),
                              "dataset_version", lp_value_ref(lp_map_get(eval, "dataset_version")),
                              (const char *)NULL);
    lp_value_unref(eval);
    return *predicted ? 0 : lp_error_last()->code;
}

/* The summary of the offline runners plus the baseline comparison and the
 * cross-validation. New ref. */
static lp_value *summary_of(lp_obj *self, const lp_value *trained, const lp_value *deployed,
                            const lp_value *predicted)
{
    lp_value *s = lp_runner_summary(self, trained, deployed, predicted, NULL);
    const lp_value *series = lp_map_get(trained, "series");
    if (s && series && /* several series: the aggregate, and each one */
        (lp_map_set(s, "validation", lp_value_ref(lp_map_get(series, "validation"))) != 0 ||
         lp_map_set(s, "validation_aggregate", lp_value_ref(lp_map_get(series, "aggregate"))) !=
             0 ||
         lp_map_set(s, "series", lp_value_ref(lp_map_get(series, "series"))) != 0)) {
        lp_value_unref(s);
        return NULL;
    }
    const char *keys[2] = {"baseline", "cross_validation"};
    for (size_t k = 0; s && k < 2; k++) {
        lp_value *v = lp_map_get(trained, keys[k]);
        if (lp_map_set(s, keys[k], v ? lp_value_ref(v) : lp_value_null()) != 0) {
            lp_value_unref(s);
            return NULL;
        }
    }
    return s;
}

/* build_all() -> summary: process train → train → deploy → process eval →
 * forecast → stop. */
static lp_value *ts_build_all(lp_obj *self, lp_value *args)
{
    (void)args;
    lp_value *processed =
        lp_call_with(self, "process_data", "source", lp_value_string("train"), (const char *)NULL);
    lp_value *trained = NULL, *deployed = NULL, *predicted = NULL, *summary = NULL;
    int rc = processed ? build_rest(self, processed, &trained, &deployed, &predicted)
                       : lp_error_last()->code;
    if (rc == 0 && !(summary = summary_of(self, trained, deployed, predicted)))
        rc = lp_error_last()->code ? lp_error_last()->code : LP_ENOMEM;
    lp_value_unref(processed);
    lp_value_unref(trained);
    lp_value_unref(deployed);
    lp_value_unref(predicted);
    return lp_runner_finish(self, rc, summary);
}

/* check_config: the offline runners' file checks, then the runner's own
 * settings and the splitter's, before anything runs. */
static lp_value *ts_check_config(lp_obj *self, lp_value *args)
{
    lp_value *problems = offline_method(LP_METHOD_CHECK_CONFIG, self, args);
    if (!problems) return NULL;
    ts_cfg c;
    int rc = 0;
    char *ti = lp_obj_config_string(self, "time_index");
    bool required_missing = !ti || !*ti; /* the requirement check says so already */
    free(ti);
    if (!required_missing && ts_cfg_read(&c, self) != 0)
        rc = lp_kit_check_add_error(problems);
    else if (!required_missing)
        ts_cfg_free(&c);
    if (rc == 0 && check_splitter(self) != 0) rc = lp_kit_check_add_error(problems);
    if (rc) {
        lp_value_unref(problems);
        return NULL;
    }
    return problems;
}

static const lp_method ts_methods[] = {
    {"process_data", ts_process_data,
     "process_data(source=train|eval) -> {frame, dataset_version}: transform, time index as "
     "time stamps (train: checked against the frequency), track; train data also profiled, "
     "checked, compared"},
    {"train_model", ts_train_model,
     "train_model(frame, dataset_version) -> {model_version, model, better, baseline, "
     "cross_validation}: split by time, train, plots and checks, baselines, cross-validation, "
     "refit on the whole history"},
    {"deploy_model", ts_deploy_model,
     "deploy_model(model_version, model) -> {deployed, reason, deployment, superseded}: "
     "promote, approve, deploy (no comparison)"},
    {"predict_data", ts_predict_data,
     "predict_data(model_version, model, frame, dataset_version) -> {prediction_job, path, "
     "rows}: [series_id], time index, prediction, lower, upper"},
    {"build_all", ts_build_all,
     "build_all() -> {runner, run_id, store, model, validation, deployed, deploy_reason, "
     "predictions, baseline, cross_validation}"},
    {"stop", ts_stop, "stop(): flushes and closes the metadata store"},
    {LP_METHOD_CHECK_CONFIG, ts_check_config,
     "check_config() -> problems: data files readable, time_index, forecast_frequency, "
     "forecast_period, interval_width, split_ratio, no shuffling splitter"},
    {NULL, NULL, NULL},
};

static const char *const ts_requirements[] = {
    "pipeline.process",  "pipeline.train",      "pipeline.deploy",
    "pipeline.predict",  "config.train_data",   "config.eval_data",
    "config.time_index", "config.model_target", NULL,
};

static const lp_config_key ts_keys[] = {
    {"train_data", "any", "the history: a file path, table or query, or a map of them"},
    {"eval_data", "any", "the future time stamps to forecast (and the regressors' values)"},
    {"prediction_data", "string",
     "where the forecast goes (default predictions.csv): [series_id], time index, prediction, "
     "lower, upper"},
    {"model_name", "string", "the tracked model's name"},
    {"model_target", "string", "the series' column"},
    {"time_index", "string", "the column of time stamps (ISO dates or date-times, or timestamps)"},
    {"series_id", "string",
     "the column naming each series of a file of several: each is fitted and forecast on its own"},
    {"forecast_period", "int",
     "how many points are forecast; the last forecast_period points of the history validate"},
    {"forecast_frequency", "string",
     "S, T/min, H, D, B, W, MS/M, QS/Q, YS/Y (pandas aliases), with a count of periods for "
     "several a step (15min, 2H, 3D, 2W, 6MS); inferred from the time index when unset"},
    {"interval_width", "float", "probability of the prediction interval (default 0.8)"},
    {"split_ratio", "any",
     "without forecast_period: the training share of each series (default 0.8), the rest "
     "validates"},
    {"model_index", "string", "an id column, never a feature"},
    {"drop_columns", "list", "columns that are neither features nor target"},
    {"problem_type", "string", "regression (set by the runner class)"},
    {"metrics", "list", "metric names computed on every split"},
    {"perf_metric", "string", "the metric that chooses the winner on the validation points"},
    {"retrain_all", "bool", "refit the winner on the whole history (default true)"},
    {"auto_approve_models", "bool", "approve promoted models without a human"},
    {"cv_initial", "int", "rolling-origin cross-validation: points before the first origin"},
    {"cv_period", "int", "rolling-origin cross-validation: points between origins"},
    {"cv_horizon", "int", "rolling-origin cross-validation: points forecast from each origin"},
    {"run_report", "bool", "write the run report at the end of build_all (default true)"},
    {"run_report_dir", "string", "where run reports go"},
    {NULL, NULL, NULL},
};

const lp_class lp_timeseries_runner_class = {
    .name = "TimeSeriesRunner",
    .kind = LP_KIND_RUNNER,
    .type = NULL,
    .doc = "Forecasting end to end: build_all reads the history (train_data; time_index as ISO "
           "dates or timestamps, its frequency from forecast_frequency or inferred, an irregular "
           "index an error, missing periods a warning, rows without a target value gaps), "
           "profiles and checks it, validates on the last forecast_period points (never "
           "shuffled), trains (tuner or trainer, winner by perf_metric on those points), draws "
           "the forecast plot, compares the forecast with naive, seasonal naive and drift "
           "(validation MASE recorded as metrics of split `forecast`, a WARN when seasonal "
           "naive does as well), cross-validates when cv_initial/cv_period/cv_horizon are set "
           "and the trainer has cross_validate (split `cv`), refits the winner on the whole "
           "history and deploys it: there is no comparison with the deployed version, because a "
           "forecast is only as recent as its data and an older model would forecast from an "
           "older origin; the baseline comparison is the gate a user reads. Then eval_data's "
           "time stamps are forecast into prediction_data: time index, prediction, lower, upper "
           "(interval_width, default 0.8). No bias step. With series_id, each series of the file "
           "is validated, trained, compared and refitted on its own, and one model of them "
           "all (mean metrics over series) is deployed and forecasts each key's stamps.",
    .defaults_yaml = "problem_type: regression\n"
                     "metrics: [mase, mae, rmse, smape, mape, coverage]\n"
                     "perf_metric: mae\n"
                     "prediction_data: predictions.csv\n",
    .requirements = ts_requirements,
    .config_keys = ts_keys,
    .methods = ts_methods,
};

int lp_runner_check_not_forecast(lp_obj *self, lp_value *problems)
{
    if (lp_obj_class(self) == &lp_timeseries_runner_class) return 0;
    lp_value *fp = lp_obj_config(self, "forecast_period");
    int rc = 0;
    if (fp && lp_value_type(fp) != LP_NULL)
        rc = lp_kit_check_add(problems, LP_SEV_ERROR, fp,
                              "%s does not forecast, but this configuration sets forecast_period: "
                              "run it with TimeSeriesRunner (lolpop run workflow TimeSeriesRunner "
                              "-c FILE)",
                              lp_obj_class(self)->name);
    lp_value_unref(fp);
    return rc;
}
