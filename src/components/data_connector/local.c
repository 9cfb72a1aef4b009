/*
 * local.c — LocalDataConnector: frames from and to CSV / TSV files.
 *
 * The format follows the file's extension (.csv comma, .tsv tab) unless
 * `separator` says otherwise; anything else is refused rather than guessed,
 * so a Parquet file is never parsed as garbage CSV. Writes go through
 * lp_csv_write, which writes a temporary file and renames it: a failed save
 * leaves the old file (or nothing) behind, never half a file. Relative paths
 * are relative to the working directory.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "components/components_internal.h"
#include "lolpop/csv.h"
#include "lolpop/frame.h"

typedef struct local_conn {
    char separator;               /* 0: by extension */
    char **na_values;             /* NULL-terminated, owned; NULL when none */
    lp_csv_type_override *dtypes; /* column names owned */
    size_t n_dtypes;
} local_conn;

static const char *const supported = ".csv, .tsv";

/* ---- configuration ---------------------------------------------------------- */

static int read_separator(lp_obj *self, local_conn *st)
{
    char *s = lp_obj_config_string(self, "separator");
    int rc = 0;
    if (!s)
        st->separator = 0;
    else if (lp_streq_nocase(s, "tab") || strcmp(s, "\\t") == 0 || strcmp(s, "\t") == 0)
        st->separator = '\t';
    else if (strlen(s) == 1 && strchr(",;|", s[0]))
        st->separator = s[0];
    else
        rc = lp_error_set(LP_ECONFIG,
                          "LocalDataConnector (%s): separator '%s' is not one of ',', ';', '|' "
                          "or tab",
                          lp_obj_path(self), s);
    free(s);
    return rc;
}

static int read_na_values(lp_obj *self, local_conn *st)
{
    lp_value *v = lp_obj_config(self, "na_values");
    int rc = 0;
    if (v && lp_value_type(v) == LP_LIST) {
        size_t n = lp_list_len(v);
        st->na_values = calloc(n + 1, sizeof *st->na_values);
        if (!st->na_values) rc = lp_error_set(LP_ENOMEM, "out of memory");
        for (size_t i = 0; rc == 0 && i < n; i++) {
            const char *s = lp_value_as_string(lp_list_get(v, i));
            if (!s)
                rc = lp_error_set(LP_ECONFIG,
                                  "LocalDataConnector (%s): na_values item %zu is not a string",
                                  lp_obj_path(self), i + 1);
            else if (!(st->na_values[i] = lp_strdup(s)))
                rc = LP_ENOMEM;
        }
    } else if (v && lp_value_type(v) != LP_NULL) {
        rc =
            lp_error_set(LP_ECONFIG, "LocalDataConnector (%s): na_values must be a list of strings",
                         lp_obj_path(self));
    }
    lp_value_unref(v);
    return rc;
}

static int read_dtypes(lp_obj *self, local_conn *st)
{
    lp_value *v = lp_obj_config(self, "dtypes");
    int rc = 0;
    if (v && lp_value_type(v) == LP_MAP) {
        size_t n = lp_map_len(v);
        st->dtypes = calloc(n ? n : 1, sizeof *st->dtypes);
        if (!st->dtypes) rc = lp_error_set(LP_ENOMEM, "out of memory");
        for (size_t i = 0; rc == 0 && i < n; i++) {
            const char *type = lp_value_as_string(lp_map_value(v, i));
            lp_csv_type_override *o = &st->dtypes[i];
            if (!type || lp_dtype_parse(type, &o->type) != 0)
                rc = lp_error_set(LP_ECONFIG,
                                  "LocalDataConnector (%s): dtypes.%s: '%s' is not a column type "
                                  "(float64, int64, bool, string, category, timestamp)",
                                  lp_obj_path(self), lp_map_key(v, i), type ? type : "?");
            else if (!(o->column = lp_strdup(lp_map_key(v, i))))
                rc = LP_ENOMEM;
            else
                st->n_dtypes++;
        }
    } else if (v && lp_value_type(v) != LP_NULL) {
        rc = lp_error_set(LP_ECONFIG,
                          "LocalDataConnector (%s): dtypes must be a map of column -> type",
                          lp_obj_path(self));
    }
    lp_value_unref(v);
    return rc;
}

static void local_fini(lp_obj *self)
{
    local_conn *st = lp_obj_state(self);
    for (size_t i = 0; st->na_values && st->na_values[i]; i++)
        free(st->na_values[i]);
    free(st->na_values);
    for (size_t i = 0; i < st->n_dtypes; i++)
        free((char *)(uintptr_t)st->dtypes[i].column);
    free(st->dtypes);
    memset(st, 0, sizeof *st);
}

static int local_init(lp_obj *self)
{
    local_conn *st = lp_obj_state(self);
    int rc = read_separator(self, st);
    if (rc == 0) rc = read_na_values(self, st);
    if (rc == 0) rc = read_dtypes(self, st);
    if (rc != 0) local_fini(self); /* fini may not run after a failed init */
    return rc;
}

/* ---- methods ------------------------------------------------------------------ */

/* The separator a path's extension implies; 0 (error set) when unsupported. */
static char separator_for(const char *method, const char *path)
{
    const char *dot = strrchr(path, '.');
    const char *slash = strrchr(path, '/');
    if (dot && (!slash || dot > slash)) {
        if (lp_streq_nocase(dot, ".csv")) return ',';
        if (lp_streq_nocase(dot, ".tsv")) return '\t';
    }
    lp_error_set(LP_EINVAL, "'%s' has %s%s%s; supported file types: %s", path,
                 dot && (!slash || dot > slash) ? "the unsupported extension '" : "",
                 dot && (!slash || dot > slash) ? dot : "no extension",
                 dot && (!slash || dot > slash) ? "'" : "", supported);
    return 0;
}

static void fill_options(const local_conn *st, char ext_sep, lp_csv_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->separator = st->separator ? st->separator : ext_sep;
    opt->na_values = (const char *const *)st->na_values;
    opt->overrides = st->dtypes;
    opt->n_overrides = st->n_dtypes;
}

/* The string argument `name`, or NULL with an error naming the method. */
static const char *string_arg(lp_value *args, const char *name, const char *method)
{
    lp_value *v = lp_map_get(args, name);
    const char *s = lp_value_as_string(v);
    if (!s || !*s) {
        lp_error_set(LP_EINVAL, "argument '%s' of %s must be a file path, got %s", name, method,
                     v ? (s ? "an empty string" : lp_vtype_name(lp_value_type(v))) : "nothing");
        return NULL;
    }
    return s;
}

/* get_data(source) -> frame */
static lp_value *local_get_data(lp_obj *self, lp_value *args)
{
    local_conn *st = lp_obj_state(self);
    const char *path = string_arg(args, "source", "get_data");
    char sep = path ? separator_for("get_data", path) : 0;
    if (!sep) return NULL;
    lp_csv_options opt;
    fill_options(st, sep, &opt);
    lp_frame *f = NULL;
    if (lp_csv_read(&f, path, &opt) != 0) return NULL;
    lp_log(self, LP_LOG_DEBUG, "read %zu rows x %zu columns from %s", lp_frame_rows(f),
           lp_frame_cols(f), path);
    return lp_kit_frame(f);
}

/* save_data(frame, target) -> null */
static lp_value *local_save_data(lp_obj *self, lp_value *args)
{
    local_conn *st = lp_obj_state(self);
    lp_frame *f = lp_kit_arg_frame(args, "frame", NULL);
    if (!f) return NULL;
    const char *path = string_arg(args, "target", "save_data");
    char sep = path ? separator_for("save_data", path) : 0;
    if (!sep) return NULL;
    lp_csv_options opt;
    fill_options(st, sep, &opt);
    if (lp_csv_write(f, path, &opt) != 0) return NULL;
    lp_log(self, LP_LOG_DEBUG, "wrote %zu rows x %zu columns to %s", lp_frame_rows(f),
           lp_frame_cols(f), path);
    return lp_value_null();
}

static const lp_method local_methods[] = {
    {"get_data", local_get_data, "get_data(source) -> frame: reads a .csv or .tsv file"},
    {"save_data", local_save_data,
     "save_data(frame, target) -> null: writes a .csv or .tsv file atomically"},
    {NULL, NULL, NULL},
};

static const lp_config_key local_keys[] = {
    {"separator", "string",
     "field separator: ',', ';', '|' or tab (default: by extension, .csv ',' and .tsv tab)"},
    {"na_values", "list", "extra strings read as missing values, besides the empty field"},
    {"dtypes", "map",
     "column name -> type (float64, int64, bool, string, category, timestamp), "
     "overriding type inference"},
    {NULL, NULL, NULL},
};

const lp_class lp_local_data_connector_class = {
    .name = "LocalDataConnector",
    .kind = LP_KIND_COMPONENT,
    .type = "data_connector",
    .doc = "Reads and writes data frames as CSV (.csv) or TSV (.tsv) files; the source or target "
           "is a file path, relative to the working directory. Types are inferred over the whole "
           "file (dtypes overrides them); empty fields and na_values are missing. Saving writes a "
           "temporary file and renames it, so a failed save never leaves a partial file.",
    .defaults_yaml = NULL,
    .requirements = lp_no_requirements,
    .config_keys = local_keys,
    .methods = local_methods,
    .state_size = sizeof(local_conn),
    .init = local_init,
    .fini = local_fini,
};
