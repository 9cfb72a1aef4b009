/*
 * dedup_process.c — a pipeline in a plugin: DedupProcess, a `process`
 * pipeline that drops duplicate rows before the data is tracked.
 *
 * It keeps the contract of the built-in OfflineProcess (types/process.h) and
 * works the same way — every step delegates to the component in its slot and
 * is skipped with an INFO line when that slot is empty:
 *
 *   transform_data(source)   the data_transformer's transform (else the file
 *                            read by the data_connector, else as CSV), then the
 *                            duplicate rows dropped (first occurrence kept, order
 *                            kept; config `duplicate_columns` says which columns
 *                            decide, default all)
 *   track_data(frame, name)  a new dataset version through the metadata_tracker,
 *                            content stored by the resource_version_control, tags
 *                            hash, rows, columns and schema (docs/ml-workflow.md)
 *   profile_data / check_data / compare_data
 *                            through the data_profiler / data_checker, recorded
 *                            with the metadata_tracker
 *
 * Because transform_data is where rows are dropped, everything after it — the
 * tracked version, training, prediction — sees the deduplicated frame.
 *
 * The helpers the built-in pipelines are written with come from lolpop's kit
 * (lolpop/kit.h): lp_kit_arg, lp_kit_skip, lp_kit_load, lp_kit_tag, lp_kit_frame.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lolpop.h>
#include <lolpop/kit.h>
#include <lolpop/types/data_checker.h>
#include <lolpop/types/data_connector.h>
#include <lolpop/types/data_profiler.h>
#include <lolpop/types/data_transformer.h>
#include <lolpop/types/metadata_tracker.h>
#include <lolpop/types/process.h>
#include <lolpop/types/resource_version_control.h>

/* ---- duplicate rows ------------------------------------------------------------ */

#define FNV_OFFSET 1469598103934665603ull
#define FNV_PRIME  1099511628211ull

static uint64_t mix(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * FNV_PRIME;
    return h;
}

/* Hash of value i of c; equal values (as same_value sees them) hash alike. */
static uint64_t value_hash(uint64_t h, const lp_column *c, size_t i)
{
    if (!lp_column_is_valid(c, i)) return mix(h, "\0missing", 8);
    size_t len = 0;
    const char *s = lp_column_str(c, i, &len); /* string and category columns */
    if (s) return mix(mix(h, &len, sizeof len), s, len);
    double x = lp_column_get_f64(c, i);
    if (x == 0) x = 0; /* -0.0 and 0.0 are one value */
    if (x != x) return mix(h, "nan", 3);
    return mix(h, &x, sizeof x);
}

static bool same_value(const lp_column *c, size_t i, size_t k)
{
    bool vi = lp_column_is_valid(c, i), vk = lp_column_is_valid(c, k);
    if (!vi || !vk) return vi == vk;
    size_t li = 0, lk = 0;
    const char *si = lp_column_str(c, i, &li), *sk = lp_column_str(c, k, &lk);
    if (si || sk) return si && sk && li == lk && memcmp(si, sk, li) == 0;
    if (c->type == LP_DT_INT64 || c->type == LP_DT_TIMESTAMP)
        return c->data.i64[i] == c->data.i64[k]; /* exact, beyond 2^53 too */
    double a = lp_column_get_f64(c, i), b = lp_column_get_f64(c, k);
    return a == b || (a != a && b != b);
}

typedef struct key_columns {
    const lp_column **cols; /* borrowed from the frame */
    size_t n;
} key_columns;

static bool same_row(const key_columns *kc, size_t i, size_t k)
{
    for (size_t j = 0; j < kc->n; j++)
        if (!same_value(kc->cols[j], i, k)) return false;
    return true;
}

/* keep[i] = 0 for every row equal (on kc) to an earlier row, 1 otherwise: an
 * open-addressing table of row numbers keyed by row hash. Returns how many
 * rows were marked, or -1 on OOM. */
static long mark_duplicates(uint8_t *keep, const key_columns *kc, size_t rows)
{
    size_t cap = 16;
    while (cap < 2 * rows)
        cap *= 2;
    size_t *slot = malloc(cap * sizeof *slot);    /* row + 1; 0 = empty */
    uint64_t *hash = malloc(rows * sizeof *hash); /* per row */
    if (!slot || !hash) {
        free(slot);
        free(hash);
        return -1;
    }
    memset(slot, 0, cap * sizeof *slot);
    long dropped = 0;
    for (size_t i = 0; i < rows; i++) {
        uint64_t h = FNV_OFFSET;
        for (size_t j = 0; j < kc->n; j++)
            h = value_hash(h, kc->cols[j], i);
        hash[i] = h;
        size_t s = (size_t)h & (cap - 1);
        keep[i] = 1;
        for (; slot[s]; s = (s + 1) & (cap - 1)) {
            size_t k = slot[s] - 1;
            if (hash[k] == h && same_row(kc, i, k)) {
                keep[i] = 0;
                dropped++;
                break;
            }
        }
        if (keep[i]) slot[s] = i + 1;
    }
    free(slot);
    free(hash);
    return dropped;
}

/* The columns that decide duplicates: config `duplicate_columns`, else all.
 * Fills kc (kc->cols malloc'ed); 0 or an error naming an unknown column. */
static int key_columns_of(lp_obj *self, const lp_frame *f, key_columns *kc)
{
    lp_value *names = lp_obj_config(self, "duplicate_columns");
    bool all = lp_value_type(names) != LP_LIST || lp_list_len(names) == 0;
    kc->n = all ? lp_frame_cols(f) : lp_list_len(names);
    kc->cols = calloc(kc->n ? kc->n : 1, sizeof *kc->cols);
    int rc = kc->cols ? 0 : lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t j = 0; rc == 0 && j < kc->n; j++) {
        const char *name = all ? lp_frame_name(f, j) : lp_value_as_string(lp_list_get(names, j));
        kc->cols[j] = name ? lp_frame_col_by_name(f, name) : NULL;
        if (!kc->cols[j])
            rc = lp_kit_error_at(LP_ECONFIG, all ? NULL : lp_list_get(names, j),
                                 "DedupProcess (%s): duplicate_columns: no column '%s'",
                                 lp_obj_path(self), name ? name : "(not a string)");
    }
    lp_value_unref(names);
    if (rc != 0) free(kc->cols);
    return rc;
}

/* frame without its duplicate rows: a new reference to a frame value (the
 * same value when nothing is dropped), or NULL with the error set. */
static lp_value *drop_duplicates(lp_obj *self, lp_value *frame)
{
    const lp_frame *f = lp_value_as_frame(frame);
    size_t rows = lp_frame_rows(f);
    key_columns kc;
    if (key_columns_of(self, f, &kc) != 0) return NULL;
    uint8_t *keep = malloc(rows ? rows : 1);
    long dropped = keep ? mark_duplicates(keep, &kc, rows) : -1;
    free(kc.cols);
    lp_frame *out = NULL;
    int rc = dropped < 0   ? lp_error_set(LP_ENOMEM, "out of memory")
             : dropped > 0 ? lp_frame_filter(&out, f, keep)
                           : 0;
    free(keep);
    if (rc != 0) return NULL;
    lp_log(self, LP_LOG_INFO, "transform_data: dropped %ld duplicate row%s of %zu", dropped,
           dropped == 1 ? "" : "s", rows);
    return out ? lp_kit_frame(out) : lp_value_ref(frame);
}

/* ---- transform_data ------------------------------------------------------------ */

/* The source as one frame without the data_transformer: a frame as it is, a
 * path through the data_connector (else as CSV). New reference or NULL. */
static lp_value *load(lp_obj *self, lp_value *source)
{
    if (lp_value_as_frame(source)) return lp_value_ref(source);
    const char *path = lp_value_as_string(source);
    if (!path)
        return lp_kit_fail(LP_EINVAL,
                           "transform_data: a source of type %s needs a data_transformer",
                           lp_vtype_name(lp_value_type(source)));
    return lp_kit_load(self, path);
}

/* transform_data(source) -> frame: transformed, then without duplicate rows. */
static lp_value *dedup_transform_data(lp_obj *self, lp_value *args)
{
    lp_value *source = lp_kit_arg(args, "source", "DedupProcess.transform_data");
    if (!source) return NULL;
    lp_obj *transformer = lp_obj_component(self, "data_transformer");
    lp_value *frame =
        transformer ? lp_data_transformer_transform(transformer, source) : load(self, source);
    if (!frame) return NULL;
    if (!lp_value_as_frame(frame)) {
        lp_error_set(LP_EINVAL, "transform_data: the data_transformer returned %s, not a frame",
                     lp_vtype_name(lp_value_type(frame)));
        lp_value_unref(frame);
        return NULL;
    }
    lp_value *result = drop_duplicates(self, frame);
    lp_value_unref(frame);
    return result;
}

/* ---- track_data ------------------------------------------------------------------ */

/* [{name, dtype}, ...] of f: a new list, or NULL on OOM. */
static lp_value *schema_of(const lp_frame *f)
{
    lp_value *list = lp_value_list();
    for (size_t j = 0; list && j < lp_frame_cols(f); j++) {
        lp_value *col = lp_value_map();
        if (col) {
            lp_map_set(col, "name", lp_value_string(lp_frame_name(f, j)));
            lp_map_set(col, "dtype", lp_value_string(lp_dtype_name(lp_frame_col(f, j)->type)));
        }
        if (!col || lp_list_append(list, col) != 0) {
            lp_value_unref(list);
            return NULL;
        }
    }
    return list;
}

/* Tags a dataset version the way OfflineProcess does (docs/ml-workflow.md),
 * through the visible metadata_tracker (lp_kit_tag takes each value). */
static int tag_version(lp_obj *self, lp_value *dv, const lp_frame *f, const char *hex)
{
    int rc = lp_kit_tag(self, dv, "hash", lp_value_string(hex));
    if (rc == 0) rc = lp_kit_tag(self, dv, "rows", lp_value_int((int64_t)lp_frame_rows(f)));
    if (rc == 0) rc = lp_kit_tag(self, dv, "columns", lp_value_int((int64_t)lp_frame_cols(f)));
    if (rc == 0) rc = lp_kit_tag(self, dv, "schema", schema_of(f));
    return rc;
}

/* Stores the frame's content with the resource_version_control (when there is
 * one) and registers where it went. 0 or an error code. */
static int store_content(lp_obj *self, lp_obj *tracker, lp_value *dv, lp_value *frame)
{
    lp_obj *rvc = lp_obj_component(self, "resource_version_control");
    if (!rvc) {
        lp_log(self, LP_LOG_INFO, "track_data: content not stored, no resource_version_control");
        return 0;
    }
    lp_value *vc = lp_resource_version_control_version_data(rvc, dv, frame);
    lp_value *reg = vc ? lp_metadata_tracker_register_vc_resource(tracker, dv, vc, "data") : NULL;
    lp_value_unref(vc);
    return lp_type_status(reg);
}

/* track_data(frame, name) -> dataset_version */
static lp_value *dedup_track_data(lp_obj *self, lp_value *args)
{
    lp_value *frame = lp_kit_arg(args, "frame", "DedupProcess.track_data");
    if (!frame) return NULL;
    const lp_frame *f = lp_value_as_frame(frame);
    const char *name = lp_value_as_string(lp_map_get(args, "name"));
    if (!f || !name || !*name)
        return lp_kit_fail(LP_EINVAL, "track_data: needs a frame and a dataset name");
    lp_obj *tracker = lp_obj_component(self, "metadata_tracker");
    if (!tracker) return lp_kit_skip(self, "track_data", "metadata_tracker");
    char hex[65];
    if (lp_frame_hash_hex(f, hex) != 0) return NULL;
    lp_value *dataset = lp_metadata_tracker_create_resource(tracker, name, "dataset", NULL);
    lp_value *dv =
        dataset ? lp_metadata_tracker_create_resource(tracker, name, "dataset_version", dataset)
                : NULL;
    lp_value_unref(dataset);
    if (dv && (store_content(self, tracker, dv, frame) != 0 || tag_version(self, dv, f, hex))) {
        lp_value_unref(dv);
        return NULL;
    }
    if (dv)
        lp_log(self, LP_LOG_INFO, "dataset %s version %lld: %zu rows x %zu columns", name,
               (long long)lp_value_as_int(lp_map_get(dv, "version")), lp_frame_rows(f),
               lp_frame_cols(f));
    return dv;
}

/* ---- profile_data, check_data, compare_data ------------------------------------------ */

/* Whether dv is a dataset version to record reports against. */
static bool is_version(const lp_value *dv)
{
    return lp_value_type(dv) == LP_MAP;
}

/* profile_data(frame, dataset_version) -> {report, path} */
static lp_value *dedup_profile_data(lp_obj *self, lp_value *args)
{
    lp_value *frame = lp_kit_arg(args, "frame", "DedupProcess.profile_data");
    if (!frame) return NULL;
    lp_obj *profiler = lp_obj_component(self, "data_profiler");
    if (!profiler) return lp_kit_skip(self, "profile_data", "data_profiler");
    lp_value *result = lp_data_profiler_profile_data(profiler, frame);
    lp_obj *tracker = lp_obj_component(self, "metadata_tracker");
    lp_value *dv = lp_map_get(args, "dataset_version");
    if (result && tracker && is_version(dv) &&
        lp_metadata_tracker_log_data_profile(
            tracker, dv, lp_value_as_string(lp_map_get(result, "path")),
            lp_map_get(result, "report"), lp_obj_class(profiler)->name) != 0) {
        lp_value_unref(result);
        return NULL;
    }
    return result;
}

/* check_data(frame, dataset_version) -> {report, path, status}; notifies unless PASS. */
static lp_value *dedup_check_data(lp_obj *self, lp_value *args)
{
    lp_value *frame = lp_kit_arg(args, "frame", "DedupProcess.check_data");
    if (!frame) return NULL;
    lp_obj *checker = lp_obj_component(self, "data_checker");
    if (!checker) return lp_kit_skip(self, "check_data", "data_checker");
    lp_value *result = lp_data_checker_check_data(checker, frame);
    lp_obj *tracker = lp_obj_component(self, "metadata_tracker");
    lp_value *dv = lp_map_get(args, "dataset_version");
    if (result && tracker && is_version(dv) &&
        lp_metadata_tracker_log_checks(tracker, dv, lp_value_as_string(lp_map_get(result, "path")),
                                       lp_map_get(result, "report"),
                                       lp_obj_class(checker)->name) != 0) {
        lp_value_unref(result);
        return NULL;
    }
    const char *status = lp_value_as_string(lp_map_get(result, "status"));
    if (status && strcmp(status, "PASS") != 0)
        lp_notify(self, strcmp(status, "ERROR") == 0 ? LP_LOG_ERROR : LP_LOG_WARN,
                  "data checks ended with %s", status);
    return result;
}

/* The frame of the dataset version before dv (new reference), or NULL without
 * an error when there is none. */
static lp_value *previous_frame(lp_obj *self, lp_value *dv)
{
    lp_obj *tracker = lp_obj_component(self, "metadata_tracker");
    lp_obj *rvc = lp_obj_component(self, "resource_version_control");
    if (!tracker || !rvc || !is_version(dv)) return NULL;
    lp_value *prev = lp_metadata_tracker_get_prev_resource_version(tracker, dv);
    lp_value *vc = is_version(prev) ? lp_metadata_tracker_get_vc_info(tracker, prev, "data") : NULL;
    lp_value *frame =
        lp_value_type(vc) == LP_MAP ? lp_resource_version_control_get_data(rvc, prev, vc) : NULL;
    lp_value_unref(vc);
    lp_value_unref(prev);
    if (!frame) lp_error_clear(); /* no earlier version: nothing to compare */
    return frame;
}

/* compare_data(frame, dataset_version) -> {report, path}, against the previous version. */
static lp_value *dedup_compare_data(lp_obj *self, lp_value *args)
{
    lp_value *frame = lp_kit_arg(args, "frame", "DedupProcess.compare_data");
    if (!frame) return NULL;
    lp_obj *profiler = lp_obj_component(self, "data_profiler");
    if (!profiler) return lp_kit_skip(self, "compare_data", "data_profiler");
    lp_value *dv = lp_map_get(args, "dataset_version");
    lp_value *previous = previous_frame(self, dv);
    if (!previous) {
        lp_log(self, LP_LOG_INFO, "compare_data: skipped, no earlier version of this dataset");
        return lp_value_null();
    }
    lp_value *result = lp_data_profiler_compare_data(profiler, frame, previous);
    lp_value_unref(previous);
    lp_obj *tracker = lp_obj_component(self, "metadata_tracker");
    if (result && tracker &&
        lp_metadata_tracker_log_data_comparison(
            tracker, dv, lp_value_as_string(lp_map_get(result, "path")),
            lp_map_get(result, "report"), lp_obj_class(profiler)->name) != 0) {
        lp_value_unref(result);
        return NULL;
    }
    return result;
}

/* ---- the class and the entry point ------------------------------------------------------ */

static const lp_method dedup_methods[] = {
    {LP_PROCESS_TRANSFORM_DATA, dedup_transform_data,
     "transform_data(source) -> frame: transformed, without duplicate rows"},
    {LP_PROCESS_TRACK_DATA, dedup_track_data,
     "track_data(frame, name) -> dataset_version: stored, hashed and registered"},
    {LP_PROCESS_PROFILE_DATA, dedup_profile_data,
     "profile_data(frame, dataset_version) -> {report, path}"},
    {LP_PROCESS_CHECK_DATA, dedup_check_data,
     "check_data(frame, dataset_version) -> {report, path, status}"},
    {LP_PROCESS_COMPARE_DATA, dedup_compare_data,
     "compare_data(frame, dataset_version) -> {report, path} against the previous version"},
    {NULL, NULL, NULL},
};

static const lp_config_key dedup_keys[] = {
    {"duplicate_columns", "list",
     "the columns that make two rows duplicates (default: all columns)"},
    {NULL, NULL, NULL},
};

static const char *const dedup_requirements[] = {NULL};

static const lp_class dedup_process_class = {
    .name = "DedupProcess",
    .kind = LP_KIND_PIPELINE,
    .type = LP_TYPE_PROCESS,
    .doc = "OfflineProcess that drops duplicate rows after the transform (first occurrence "
           "kept, order kept; duplicate_columns decides which columns count), so the tracked "
           "version and everything after it see each row once.",
    .requirements = dedup_requirements,
    .config_keys = dedup_keys,
    .methods = dedup_methods,
};

static int dedup_process_init(lp_registry *reg)
{
    return lp_registry_add_class(reg, &dedup_process_class);
}

LP_PLUGIN_DEFINE("dedup_process", "1.0.0", dedup_process_init)
