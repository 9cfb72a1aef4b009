/*
 * process.c — OfflineProcess: gets data into shape and on the record.
 *
 *   transform_data(source)           the data_transformer's transform, or a
 *                                    plain load (data_connector, else CSV)
 *   track_data(frame, name)          a new dataset version: content stored by
 *                                    the resource_version_control, hash, shape
 *                                    and schema as tags
 *   profile_data / check_data / compare_data
 *                                    through the data_profiler / data_checker,
 *                                    recorded with the metadata_tracker
 *
 * Each step whose component is not configured is skipped with an INFO line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lolpop/types/data_checker.h"
#include "lolpop/types/data_profiler.h"
#include "lolpop/types/data_transformer.h"
#include "lolpop/types/metadata_tracker.h"
#include "lolpop/types/notifier.h"
#include "lolpop/types/resource_version_control.h"
#include "pipelines/pipelines_internal.h"

static lp_value *process_transform_data(lp_obj *self, lp_value *args)
{
    lp_value *source = lp_kit_arg_nonnull(args, "source", "transform_data");
    if (!source) return NULL;
    lp_obj *transformer = lp_obj_component(self, "data_transformer");
    if (transformer) return lp_data_transformer_transform(transformer, source);
    if (lp_value_as_frame(source)) return lp_value_ref(source);
    if (lp_value_type(source) == LP_STRING) return lp_kit_load(self, lp_value_as_string(source));
    lp_error_set(LP_EINVAL,
                 "transform_data: a source of type %s needs a data_transformer to turn it into "
                 "one frame (give a file path, or configure data_transformer)",
                 lp_vtype_name(lp_value_type(source)));
    return NULL;
}

/* [{name, dtype}, ...] of f: new list or NULL. */
static lp_value *schema_of(const lp_frame *f)
{
    lp_value *list = lp_value_list();
    for (size_t j = 0; list && j < lp_frame_cols(f); j++) {
        lp_value *col = lp_kit_result("name", lp_value_string(lp_frame_name(f, j)), "dtype",
                                      lp_value_string(lp_dtype_name(lp_frame_col(f, j)->type)),
                                      (const char *)NULL);
        if (!col || lp_list_append(list, col) != 0) {
            lp_value_unref(list);
            return NULL;
        }
    }
    return list;
}

/* Versions the frame's content and tags the version with hash and shape. */
static int store_version(lp_obj *self, lp_value *dv, lp_value *frame_value, const char *hex)
{
    lp_obj *tracker = lp_obj_component(self, "metadata_tracker");
    lp_obj *rvc = lp_obj_component(self, "resource_version_control");
    const lp_frame *f = lp_value_as_frame(frame_value);
    if (rvc) {
        lp_value *vc = lp_resource_version_control_version_data(rvc, dv, frame_value);
        if (!vc) return lp_error_last()->code;
        lp_value *reg = lp_metadata_tracker_register_vc_resource(tracker, dv, vc, "data");
        lp_value_unref(vc);
        if (!reg) return lp_error_last()->code;
        lp_value_unref(reg);
    } else {
        lp_log(self, LP_LOG_INFO,
               "track_data: content not stored, no resource_version_control configured");
    }
    int rc = lp_kit_tag(self, dv, "hash", lp_value_string(hex));
    if (rc == 0) rc = lp_kit_tag(self, dv, "rows", lp_value_int((int64_t)lp_frame_rows(f)));
    if (rc == 0) rc = lp_kit_tag(self, dv, "columns", lp_value_int((int64_t)lp_frame_cols(f)));
    if (rc == 0) rc = lp_kit_tag(self, dv, "schema", schema_of(f));
    return rc;
}

static lp_value *process_track_data(lp_obj *self, lp_value *args)
{
    lp_value *frame_value = lp_kit_arg_nonnull(args, "frame", "track_data");
    lp_frame *f = frame_value ? lp_kit_arg_frame(args, "frame", NULL) : NULL;
    const char *name = lp_value_as_string(lp_map_get(args, "name"));
    if (!f) return NULL;
    if (!name || !*name) {
        lp_error_set(LP_EINVAL, "track_data: argument 'name' (the dataset name) is missing");
        return NULL;
    }
    lp_obj *tracker = lp_obj_component(self, "metadata_tracker");
    if (!tracker) return lp_kit_skip(self, "track_data", "metadata_tracker");
    char hex[65];
    if (lp_frame_hash_hex(f, hex) != 0) return NULL;
    lp_value *dataset = lp_metadata_tracker_create_resource(tracker, name, "dataset", NULL);
    if (!dataset) return NULL;
    lp_value *dv = lp_metadata_tracker_create_resource(tracker, name, "dataset_version", dataset);
    lp_value_unref(dataset);
    if (!dv) return NULL;
    if (store_version(self, dv, frame_value, hex) != 0) {
        lp_value_unref(dv);
        return NULL;
    }
    lp_log(self, LP_LOG_INFO, "dataset %s version %lld: %zu rows x %zu columns, sha256 %.12s", name,
           (long long)lp_value_as_int(lp_map_get(dv, "version")), lp_frame_rows(f),
           lp_frame_cols(f), hex);
    return dv;
}

/* Records a report map {report, path} with `log` (profile or comparison). */
typedef int (*report_logger)(lp_obj *, lp_value *, const char *, lp_value *, const char *);

static int record_report(lp_obj *self, lp_value *dv, lp_value *result, lp_obj *maker,
                         report_logger log_fn)
{
    lp_obj *tracker = lp_obj_component(self, "metadata_tracker");
    if (!tracker || !dv || lp_value_type(dv) == LP_NULL) return 0;
    return log_fn(tracker, dv, lp_value_as_string(lp_map_get(result, "path")),
                  lp_map_get(result, "report"), lp_obj_class(maker)->name);
}

static lp_value *process_profile_data(lp_obj *self, lp_value *args)
{
    lp_value *frame = lp_kit_arg_nonnull(args, "frame", "profile_data");
    if (!frame) return NULL;
    lp_obj *profiler = lp_obj_component(self, "data_profiler");
    if (!profiler) return lp_kit_skip(self, "profile_data", "data_profiler");
    lp_value *result = lp_data_profiler_profile_data(profiler, frame);
    if (result && record_report(self, lp_map_get(args, "dataset_version"), result, profiler,
                                lp_metadata_tracker_log_data_profile) != 0) {
        lp_value_unref(result);
        return NULL;
    }
    return result;
}

/* The frame of the version before dv, or NULL (no error) when there is none
 * or it cannot be reached. */
static lp_value *previous_frame(lp_obj *self, lp_value *dv)
{
    lp_obj *tracker = lp_obj_component(self, "metadata_tracker");
    lp_obj *rvc = lp_obj_component(self, "resource_version_control");
    if (!tracker || !rvc || !dv || lp_value_type(dv) == LP_NULL) return NULL;
    lp_value *prev = lp_metadata_tracker_get_prev_resource_version(tracker, dv);
    if (!prev || lp_value_type(prev) == LP_NULL) {
        lp_value_unref(prev);
        return NULL;
    }
    lp_value *vc = lp_metadata_tracker_get_vc_info(tracker, prev, "data");
    lp_value *frame = vc && lp_value_type(vc) == LP_MAP
                          ? lp_resource_version_control_get_data(rvc, prev, vc)
                          : NULL;
    lp_value_unref(vc);
    lp_value_unref(prev);
    return frame;
}

static lp_value *process_check_data(lp_obj *self, lp_value *args)
{
    lp_value *frame = lp_kit_arg_nonnull(args, "frame", "check_data");
    if (!frame) return NULL;
    lp_obj *checker = lp_obj_component(self, "data_checker");
    if (!checker) return lp_kit_skip(self, "check_data", "data_checker");
    lp_value *dv = lp_map_get(args, "dataset_version");
    lp_value *previous = previous_frame(self, dv);
    if (!previous) lp_error_clear();
    lp_value *result = lp_data_checker_check_data_previous(checker, frame, previous);
    lp_value_unref(previous);
    return lp_pipeline_check_outcome(self, checker, dv, result, "check_data", "data checks");
}

static lp_value *process_compare_data(lp_obj *self, lp_value *args)
{
    lp_value *frame = lp_kit_arg_nonnull(args, "frame", "compare_data");
    if (!frame) return NULL;
    lp_obj *profiler = lp_obj_component(self, "data_profiler");
    if (!profiler) return lp_kit_skip(self, "compare_data", "data_profiler");
    lp_value *dv = lp_map_get(args, "dataset_version");
    lp_value *previous = previous_frame(self, dv);
    if (!previous) {
        lp_error_clear();
        lp_log(self, LP_LOG_INFO, "compare_data: skipped, no earlier version of this dataset");
        return lp_value_null();
    }
    lp_value *result = lp_data_profiler_compare_data(profiler, frame, previous);
    lp_value_unref(previous);
    if (result &&
        record_report(self, dv, result, profiler, lp_metadata_tracker_log_data_comparison) != 0) {
        lp_value_unref(result);
        return NULL;
    }
    return result;
}

static const lp_method process_methods[] = {
    {"transform_data", process_transform_data,
     "transform_data(source) -> frame: the data_transformer's result, or the file loaded"},
    {"track_data", process_track_data,
     "track_data(frame, name) -> dataset_version: stored, hashed and registered"},
    {"profile_data", process_profile_data,
     "profile_data(frame, dataset_version) -> {report, path}"},
    {"check_data", process_check_data,
     "check_data(frame, dataset_version) -> {report, path, status}: against the previous "
     "version when there is one; notifies on WARN/ERROR, stops at the checker's fail_on"},
    {"compare_data", process_compare_data,
     "compare_data(frame, dataset_version) -> {report, path} against the previous version"},
    {NULL, NULL, NULL},
};

const lp_class lp_offline_process_class = {
    .name = "OfflineProcess",
    .kind = LP_KIND_PIPELINE,
    .type = "process",
    .doc = "Transforms the raw data (data_transformer, or a plain load through the "
           "data_connector), records it as a new dataset version (content stored by the "
           "resource_version_control, hash, shape and schema as tags), then profiles, checks "
           "and compares it with the previous version when those components are configured.",
    .methods = process_methods,
};
