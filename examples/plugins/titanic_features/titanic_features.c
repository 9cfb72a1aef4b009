/*
 * titanic_features.c — a component in a plugin: TitanicFeatures, a
 * `data_transformer` that adds two features to the titanic passenger list.
 *
 *   family_size  int64  1 + the sum of the `family_columns` (default sibsp and
 *                       parch: siblings/spouses and parents/children aboard);
 *                       missing when any of those values is missing
 *   is_alone     bool   family_size == 1 (missing where family_size is)
 *
 * The source is what the process pipeline passes to transform(): a frame, a
 * file path (read through the visible data_connector when one is configured,
 * else as CSV) or a one-entry map of name -> either. The result is a new frame
 * that shares every column of the source (frames are cheap to extend).
 *
 * Used as process.data_transformer of the built-in ClassificationRunner in
 * titanic_features.yaml; it uses only the public API (<lolpop.h> and the
 * contract headers of the types it implements and calls).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <lolpop.h>
#include <lolpop/kit.h>
#include <lolpop/types/data_transformer.h>

/* ---- loading the source --------------------------------------------------- */

/* The source argument as a frame value: new reference, or NULL with the last
 * error set. Borrows `source`. */
static lp_value *load_source(lp_obj *self, lp_value *source)
{
    if (lp_value_type(source) == LP_MAP && lp_map_len(source) == 1)
        source = lp_map_value(source, 0); /* {train: ...}: the one table */
    if (lp_value_as_frame(source)) return lp_value_ref(source);
    if (lp_value_type(source) == LP_STRING) return lp_kit_load(self, lp_value_as_string(source));
    lp_error_set(LP_EINVAL,
                 "transform: 'source' must be a frame, a file path or a map of one of them, "
                 "got %s",
                 lp_vtype_name(lp_value_type(source)));
    return NULL;
}

/* ---- the features ----------------------------------------------------------- */

/* Column `name` of f if it is numeric (int64, float64 or bool), else NULL with
 * LP_ECONFIG naming it and self's section. Borrowed. */
static const lp_column *numeric_column(lp_obj *self, const lp_frame *f, const char *name)
{
    const lp_column *c = lp_frame_col_by_name(f, name);
    if (!c) {
        lp_error_set(LP_ECONFIG,
                     "TitanicFeatures (%s): family_columns names '%s', which is not a column of "
                     "the data",
                     lp_obj_path(self), name);
        return NULL;
    }
    if (c->type != LP_DT_INT64 && c->type != LP_DT_FLOAT64 && c->type != LP_DT_BOOL) {
        lp_error_set(LP_ECONFIG, "TitanicFeatures (%s): family column '%s' is %s, not a number",
                     lp_obj_path(self), name, lp_dtype_name(c->type));
        return NULL;
    }
    return c;
}

/* family_size = 1 + the sum of the columns named in `names` (a list of
 * strings), row by row. New column in *out, or an error code. */
static int family_size(lp_column **out, lp_obj *self, const lp_frame *f, const lp_value *names)
{
    size_t rows = lp_frame_rows(f), n = lp_list_len(names);
    lp_column *size = lp_column_new(LP_DT_INT64, rows);
    if (!size) return lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t i = 0; i < rows; i++)
        size->data.i64[i] = 1;
    for (size_t k = 0; k < n; k++) {
        const lp_column *c = numeric_column(self, f, lp_value_as_string(lp_list_get(names, k)));
        if (!c) {
            lp_column_unref(size);
            return lp_error_last()->code;
        }
        for (size_t i = 0; i < rows; i++) {
            double x = lp_column_get_f64(c, i); /* NaN when missing */
            if (isnan(x)) {
                if (lp_column_set_null(size, i) != 0) {
                    lp_column_unref(size);
                    return lp_error_set(LP_ENOMEM, "out of memory");
                }
            } else {
                size->data.i64[i] += (int64_t)llround(x);
            }
        }
    }
    *out = size;
    return 0;
}

/* is_alone = (family_size == 1), missing where family_size is. New column or NULL. */
static lp_column *is_alone(const lp_column *size)
{
    lp_column *alone = lp_column_new(LP_DT_BOOL, size->length);
    for (size_t i = 0; alone && i < size->length; i++) {
        if (!lp_column_is_valid(size, i) && lp_column_set_null(alone, i) != 0) {
            lp_column_unref(alone);
            return NULL;
        }
        alone->data.b8[i] = lp_column_is_valid(size, i) && size->data.i64[i] == 1;
    }
    return alone;
}

/* Whether column `name` is one of `names` (a list of strings). */
static bool listed(const lp_value *names, const char *name)
{
    for (size_t k = 0; k < lp_list_len(names); k++)
        if (strcmp(lp_value_as_string(lp_list_get(names, k)), name) == 0) return true;
    return false;
}

/* A new frame: f's columns (shared; without the family columns when `drop`),
 * then family_size and is_alone. New reference in *out, or an error code. */
static int add_features(lp_frame **out, lp_obj *self, const lp_frame *f, const lp_value *names,
                        bool drop)
{
    if (lp_frame_find(f, "family_size") >= 0 || lp_frame_find(f, "is_alone") >= 0)
        return lp_error_set(LP_EINVAL, "the data already has a family_size or is_alone column");
    lp_column *size = NULL;
    int rc = family_size(&size, self, f, names);
    if (rc != 0) return rc;
    lp_column *alone = is_alone(size);
    lp_frame *g = lp_frame_new();
    rc = alone && g ? 0 : lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t j = 0; rc == 0 && j < lp_frame_cols(f); j++) {
        if (drop && listed(names, lp_frame_name(f, j))) continue;
        /* lp_frame_add_column takes a reference: share the column, do not copy it. */
        rc = lp_frame_add_column(g, lp_frame_name(f, j), lp_column_ref(lp_frame_col(f, j)));
    }
    if (rc == 0)
        rc = lp_frame_add_column(g, "family_size", size);
    else
        lp_column_unref(size);
    if (rc == 0)
        rc = lp_frame_add_column(g, "is_alone", alone);
    else
        lp_column_unref(alone);
    if (rc != 0) {
        lp_frame_unref(g);
        return rc;
    }
    *out = g;
    return 0;
}

/* The list of family columns from config `family_columns` (new reference), or
 * NULL with LP_ECONFIG when it is not a list of names. */
static lp_value *family_columns(lp_obj *self)
{
    lp_value *names = lp_obj_config(self, "family_columns"); /* class default: [sibsp, parch] */
    bool ok = lp_value_type(names) == LP_LIST;
    for (size_t k = 0; ok && k < lp_list_len(names); k++)
        ok = lp_value_type(lp_list_get(names, k)) == LP_STRING;
    if (!ok) {
        lp_value_unref(names);
        lp_error_set(LP_ECONFIG,
                     "TitanicFeatures (%s): family_columns must be a list of column names",
                     lp_obj_path(self));
        return NULL;
    }
    return names;
}

/* ---- the method --------------------------------------------------------------- */

/* transform(source) -> frame: the source with family_size and is_alone added.
 * `args` is borrowed; the result is a new reference (or NULL with the error set). */
static lp_value *features_transform(lp_obj *self, lp_value *args)
{
    lp_value *names = family_columns(self);
    if (!names) return NULL;
    lp_value *source = load_source(self, lp_map_get(args, "source"));
    lp_frame *out = NULL;
    int rc = source ? add_features(&out, self, lp_value_as_frame(source), names,
                                   lp_obj_config_bool(self, "drop_family_columns", false))
                    : lp_error_last()->code;
    lp_value_unref(source);
    lp_value_unref(names);
    if (rc != 0) return NULL;
    lp_log(self, LP_LOG_INFO, "added family_size and is_alone to %zu rows", lp_frame_rows(out));
    return lp_kit_frame(out); /* the value takes over our reference */
}

/* bundle_info() -> {class, config, tables}: what a deployment bundle needs to
 * redo transform without this workflow (docs/bundles.md): the class, its
 * effective keys (self-contained: no paths) and the one table it reads. */
static lp_value *features_bundle_info(lp_obj *self, lp_value *args)
{
    (void)args;
    lp_value *names = family_columns(self);
    if (!names) return NULL;
    lp_value *config = lp_kit_result(
        "family_columns", names, "drop_family_columns",
        lp_value_bool(lp_obj_config_bool(self, "drop_family_columns", false)), (const char *)NULL);
    lp_value *tables = lp_value_list();
    if (tables && lp_list_append(tables, lp_value_string("source")) != 0) {
        lp_value_unref(tables);
        tables = NULL;
    }
    if (!config || !tables) {
        lp_value_unref(config);
        lp_value_unref(tables);
        return lp_kit_fail(LP_ENOMEM, "out of memory");
    }
    return lp_kit_result("class", lp_value_string("TitanicFeatures"), "config", config, "tables",
                         tables, (const char *)NULL);
}

/* ---- the class and the entry point ---------------------------------------------- */

static const lp_method features_methods[] = {
    {"transform", features_transform,
     "transform(source) -> frame: the source with family_size and is_alone added"},
    {"bundle_info", features_bundle_info,
     "bundle_info() -> {class, config, tables}: how a deployment bundle redoes transform"},
    {NULL, NULL, NULL},
};

static const lp_config_key features_keys[] = {
    {"family_columns", "list", "columns counting relatives aboard; family_size = 1 + their sum"},
    {"drop_family_columns", "bool", "drop the family_columns from the result once summed"},
    {NULL, NULL, NULL},
};

static const char *const features_requirements[] = {NULL};

static const lp_class titanic_features_class = {
    .name = "TitanicFeatures",
    .kind = LP_KIND_COMPONENT,
    .type = LP_TYPE_DATA_TRANSFORMER,
    .doc = "Adds family_size (1 + sibsp + parch, or the sum of family_columns) and is_alone "
           "(family_size == 1) to the titanic passenger frame. The source is a frame, a file "
           "path (read by the visible data_connector, else as CSV) or a one-entry map.",
    .defaults_yaml = "family_columns: [sibsp, parch]\n"
                     "drop_family_columns: false\n",
    .requirements = features_requirements,
    .config_keys = features_keys,
    .methods = features_methods,
};

static int titanic_features_init(lp_registry *reg)
{
    return lp_registry_add_class(reg, &titanic_features_class);
}

LP_PLUGIN_DEFINE("titanic_features", "1.0.0", titanic_features_init)
