/*
 * bundle_parts.c — what makes a LocalModelDeployer bundle self-contained:
 * the processing step (the data_transformer the workflow's `process`
 * pipeline uses, described by its optional bundle_info method) and the input
 * schema of the raw rows (the columns of eval_data, else of train_data
 * without the target).
 *
 * Which columns are required is found by trying, not guessed: the bundle is
 * built in memory (lp_bundle_from_parts) and scores a sample of the raw data
 * (its first SAMPLE_ROWS rows) once whole, then once without each column; a
 * column whose absence fails scoring (the SQL names it, the model uses it) is
 * required. The model_index column and the target never are. The whole
 * sample must score, so a bundle that could not score eval_data is refused
 * here, at deploy time, with the reason.
 */
#include <stdlib.h>
#include <string.h>

#include "bundle/bundle_internal.h"
#include "components/model_deployer/deployer.h"
#include "core/value_json.h"
#include "lolpop/types/data_transformer.h"
#include "lolpop/types/metadata_tracker.h"
#include "lolpop/workflow.h"

#define SAMPLE_ROWS 200
#define PARTS_TAG   "bundle_parts" /* the model version's tag holding {input, transform} */

/* The data_transformer the workflow's process pipeline uses, or NULL. */
static lp_obj *process_transformer(lp_obj *self)
{
    lp_obj *root = self;
    while (lp_obj_parent(root))
        root = lp_obj_parent(root);
    lp_obj *process = lp_obj_pipeline(root, "process");
    return process ? lp_obj_component(process, "data_transformer") : NULL;
}

/* {class, config, tables} of dt's bundle_info, checked (new value in *out). */
static int transform_info(lp_value **out, lp_obj *dt, const char *who)
{
    const char *cls = lp_obj_class(dt)->name, *path = lp_obj_path(dt);
    if (!lp_obj_has_method(dt, LP_DATA_TRANSFORMER_BUNDLE_INFO))
        return lp_error_set(LP_EINVAL,
                            "%s: the data_transformer %s (%s) cannot be bundled: the class has no "
                            "bundle_info method, so a bundle could not redo the step that turns "
                            "raw rows into the model's features (see docs/bundles.md)",
                            who, cls, path);
    lp_value *info = lp_data_transformer_bundle_info(dt);
    if (!info) {
        lp_error_prefix("%s: %s (%s).bundle_info", who, cls, path);
        return lp_error_last()->code ? lp_error_last()->code : LP_ERROR;
    }
    const lp_value *c = lp_map_get(info, "class"), *config = lp_map_get(info, "config");
    const lp_value *tables = lp_map_get(info, "tables");
    int rc = 0;
    if (lp_value_type(c) != LP_STRING || lp_value_type(config) != LP_MAP ||
        lp_value_type(tables) != LP_LIST || lp_list_len(tables) == 0)
        rc = lp_error_set(LP_EINVAL,
                          "%s: %s (%s).bundle_info must return {class: string, config: map, "
                          "tables: [names]}",
                          who, cls, path);
    else if (lp_list_len(tables) != 1)
        rc = lp_error_set(LP_EINVAL,
                          "%s: the data_transformer %s (%s) cannot be bundled: it reads %zu "
                          "tables, and a bundle scores one frame of raw rows",
                          who, cls, path, lp_list_len(tables));
    lp_value *r = rc ? NULL : lp_value_map();
    if (r && (lp_map_set(r, "class", lp_value_copy(c)) ||
              lp_map_set(r, "config", lp_value_copy(config)) ||
              lp_map_set(r, "tables", lp_value_copy(tables)))) {
        lp_value_unref(r);
        r = NULL;
    }
    if (rc == 0 && !r) rc = lp_error_set(LP_ENOMEM, "out of memory");
    lp_value_unref(info);
    *out = r;
    return rc;
}

/* `key`'s data when it is one file or table with rows (new value in *out),
 * else *out NULL; a map of tables is refused. */
static int load_rows(lp_value **out, lp_obj *self, const char *key, const char *who)
{
    *out = NULL;
    lp_value *where = lp_obj_config(self, key);
    int rc = 0;
    if (where && lp_value_type(where) == LP_MAP)
        rc = lp_error_set(LP_EINVAL,
                          "%s: %s is a map of tables; a bundle scores one frame of raw rows, so "
                          "this workflow cannot be bundled",
                          who, key);
    else if (where && lp_value_type(where) == LP_STRING &&
             !(*out = lp_kit_load(self, lp_value_as_string(where)))) {
        rc = lp_error_last()->code ? lp_error_last()->code : LP_ERROR;
        lp_error_prefix("%s: reading %s for the bundle's input schema", who, key);
    }
    lp_value_unref(where);
    if (rc == 0 && *out && lp_frame_rows(lp_value_as_frame(*out)) == 0) {
        lp_value_unref(*out); /* no rows: no types to learn (the runner reports empty eval) */
        *out = NULL;
    }
    return rc;
}

/* The first SAMPLE_ROWS rows of eval_data (else train_data), without the
 * target; *out NULL (no error) when neither is a file or table with rows. */
static int sample_rows(lp_frame **out, lp_obj *self, const char *target, const char *who)
{
    *out = NULL;
    lp_value *loaded = NULL;
    int rc = load_rows(&loaded, self, "eval_data", who);
    if (rc == 0 && !loaded) rc = load_rows(&loaded, self, "train_data", who);
    lp_frame *all = lp_value_as_frame(loaded);
    if (rc || !all) {
        lp_value_unref(loaded);
        return rc;
    }
    size_t n = lp_frame_rows(all) < SAMPLE_ROWS ? lp_frame_rows(all) : SAMPLE_ROWS;
    size_t *idx = malloc(n * sizeof *idx);
    if (!idx) rc = lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t i = 0; idx && i < n; i++)
        idx[i] = i;
    lp_frame *head = NULL;
    if (rc == 0) rc = lp_frame_take(&head, all, idx, n);
    free(idx);
    lp_value_unref(loaded);
    if (rc == 0 && target && lp_frame_find(head, target) >= 0) {
        lp_frame *dropped = NULL;
        rc = lp_frame_drop(&dropped, head, &target, 1);
        lp_frame_unref(head);
        head = dropped;
    }
    if (rc == 0) *out = head;
    return rc;
}

/* {format, columns: null, model_index, target, task, classes} of m. */
static lp_value *input_base(lp_obj *self, const lp_model *m)
{
    lp_value *in = lp_value_map(), *target = lp_value_map(), *classes = lp_value_list();
    char *index = lp_obj_config_string(self, "model_index");
    int rc = in && target && classes ? 0 : LP_ENOMEM;
    for (size_t k = 0; rc == 0 && k < lp_model_n_classes(m); k++)
        rc = lp_list_append(classes, lp_value_string(lp_model_class_label(m, k)));
    if (rc == 0) rc = lp_map_set(target, "name", lp_value_string(lp_model_target(m)));
    if (rc == 0)
        rc = lp_map_set(target, "dtype", lp_value_string(lp_dtype_name(lp_model_target_dtype(m))));
    if (rc == 0) rc = lp_map_set(in, "format", lp_value_int(LP_BUNDLE_FORMAT));
    if (rc == 0) rc = lp_map_set(in, "columns", lp_value_null());
    if (rc == 0)
        rc = lp_map_set(in, "model_index", index ? lp_value_string(index) : lp_value_null());
    if (rc == 0)
        rc = lp_map_set(in, "target", target);
    else
        lp_value_unref(target);
    target = NULL;
    if (rc == 0)
        rc = lp_map_set(in, "task", lp_value_string(lp_model_task_name(lp_model_task_of(m))));
    if (rc == 0)
        rc = lp_map_set(in, "classes", classes);
    else
        lp_value_unref(classes);
    free(index);
    if (rc == 0) return in;
    lp_value_unref(in);
    lp_error_set(LP_ENOMEM, "out of memory");
    return NULL;
}

/* [{name, dtype, required: false}] of the sample's columns. */
static lp_value *columns_of(const lp_frame *f)
{
    lp_value *cols = lp_value_list();
    for (size_t j = 0; cols && j < lp_frame_cols(f); j++) {
        lp_value *c = lp_value_map();
        if (!c || lp_map_set(c, "name", lp_value_string(lp_frame_name(f, j))) ||
            lp_map_set(c, "dtype", lp_value_string(lp_dtype_name(lp_frame_col(f, j)->type))) ||
            lp_map_set(c, "required", lp_value_bool(false)) || lp_list_append(cols, c)) {
            lp_value_unref(cols);
            return NULL;
        }
    }
    return cols;
}

/* Whether b scores f without column j. */
static bool scores_without(const lp_bundle *b, const lp_frame *f, size_t j)
{
    const char *name = lp_frame_name(f, j);
    lp_frame *less = NULL, *out = NULL;
    bool ok = lp_frame_drop(&less, f, &name, 1) == 0 && lp_bundle_score(&out, b, less) == 0;
    if (less) lp_frame_unref(less);
    if (out) lp_frame_unref(out);
    lp_error_clear();
    return ok;
}

/* Scores the sample whole (an error says why the bundle could not score
 * eval_data), then marks each column required that scoring needs. */
static int probe(lp_value *input, lp_obj *self, lp_model *m, const lp_value *transform,
                 const lp_frame *sample, const char *who)
{
    const lp_registry *reg = lp_workflow_registry(lp_obj_workflow(self));
    lp_bundle *b = NULL;
    lp_frame *out = NULL;
    int rc = lp_bundle_from_parts(&b, reg, "(being deployed)", m, input, transform);
    if (rc == 0 && (rc = lp_bundle_score(&out, b, sample)) != 0)
        lp_error_prefix("%s: the bundle cannot score the raw data (%zu sample rows)", who,
                        lp_frame_rows(sample));
    if (out) lp_frame_unref(out);
    const char *index = lp_value_as_string(lp_map_get(input, "model_index"));
    lp_value *cols = lp_map_get(input, "columns");
    for (size_t j = 0; rc == 0 && j < lp_frame_cols(sample); j++) {
        if (index && strcmp(index, lp_frame_name(sample, j)) == 0) continue;
        if (!scores_without(b, sample, j))
            rc = lp_map_set(lp_list_get(cols, j), "required", lp_value_bool(true));
    }
    lp_bundle_free(b);
    return rc;
}

int lp_deployer_bundle_parts(json_t **input, json_t **transform, bool *seen, lp_obj *self,
                             lp_model *m, const char *who)
{
    *input = *transform = NULL;
    *seen = false;
    lp_obj *dt = process_transformer(self);
    lp_value *tr = NULL, *in = NULL;
    lp_frame *sample = NULL;
    int rc = dt ? transform_info(&tr, dt, who) : 0;
    if (rc == 0) rc = sample_rows(&sample, self, lp_model_target(m), who);
    if (rc == 0 && !(in = input_base(self, m))) rc = LP_ENOMEM;
    *seen = rc == 0 && (sample || dt);
    if (rc == 0 && sample) {
        lp_value *cols = columns_of(sample);
        rc = cols ? lp_map_set(in, "columns", cols) : lp_error_set(LP_ENOMEM, "out of memory");
        if (rc == 0) rc = probe(in, self, m, tr, sample, who);
    }
    if (rc == 0 && !(*input = lp_json_from_value(in, 0))) rc = LP_ENOMEM;
    if (rc == 0 && tr && !(*transform = lp_json_from_value(tr, 0))) rc = LP_ENOMEM;
    if (sample) lp_frame_unref(sample);
    lp_value_unref(in);
    lp_value_unref(tr);
    if (rc) {
        json_decref(*input);
        json_decref(*transform);
        *input = *transform = NULL;
    }
    return rc;
}

/* ---- the parts recorded with the version ------------------------------------------------- */

int lp_deployer_parts_record(lp_obj *tracker, lp_value *mv, const json_t *input,
                             const json_t *transform)
{
    lp_value *in = lp_value_from_json(input);
    lp_value *tr = transform ? lp_value_from_json(transform) : lp_value_null();
    lp_value *parts = in && tr ? lp_value_map() : NULL;
    int rc = parts ? 0 : lp_error_set(LP_ENOMEM, "out of memory");
    if (rc == 0 && lp_map_set(parts, "input", lp_value_ref(in)) == 0 &&
        lp_map_set(parts, "transform", lp_value_ref(tr)) == 0)
        rc = lp_metadata_tracker_log_tag(tracker, mv, PARTS_TAG, parts);
    else if (rc == 0)
        rc = lp_error_set(LP_ENOMEM, "out of memory");
    lp_value_unref(parts);
    lp_value_unref(in);
    lp_value_unref(tr);
    return rc;
}

int lp_deployer_parts_recall(json_t **input, json_t **transform, lp_obj *tracker, lp_value *mv)
{
    *input = *transform = NULL;
    lp_value *parts = lp_metadata_tracker_get_tag(tracker, mv, PARTS_TAG);
    if (!parts) return lp_error_last()->code ? lp_error_last()->code : LP_ERROR;
    const lp_value *in = lp_map_get(parts, "input"), *tr = lp_map_get(parts, "transform");
    int rc = 0;
    if (lp_value_type(parts) == LP_MAP && lp_value_type(in) == LP_MAP) {
        *input = lp_json_from_value(in, 0);
        *transform = lp_value_type(tr) == LP_MAP ? lp_json_from_value(tr, 0) : NULL;
        if (!*input || (lp_value_type(tr) == LP_MAP && !*transform)) {
            json_decref(*input);
            json_decref(*transform);
            *input = *transform = NULL;
            rc = lp_error_set(LP_ENOMEM, "out of memory");
        }
    }
    lp_value_unref(parts);
    return rc;
}
