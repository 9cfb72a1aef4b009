/*
 * request_parse.c — scoring request bodies (JSON forms and CSV) into frames;
 * see request_parse.h for the forms and the value rules.
 */
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "data/frame_internal.h"
#include "lolpop/csv.h"
#include "lolpop/error.h"
#include "server/request_build.h"
#include "server/request_fast.h"
#include "server/request_parse.h"

int srv_input_from_schema(srv_input *out, const lp_value *schema)
{
    *out = (srv_input){0};
    const lp_value *cols = lp_map_get(schema, "columns");
    if (lp_value_type(cols) != LP_LIST)
        return lp_error_set(LP_EINVAL, "the model's schema has no column list");
    size_t n = lp_list_len(cols);
    out->cols = calloc(n ? n : 1, sizeof *out->cols);
    if (!out->cols) return lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t j = 0; j < n; j++) {
        const lp_value *c = lp_list_get(cols, j);
        const char *name = lp_value_as_string(lp_map_get(c, "name"));
        const char *dtype = lp_value_as_string(lp_map_get(c, "dtype"));
        if (!name || !dtype || lp_dtype_parse(dtype, &out->cols[j].dtype) != 0) {
            srv_input_free(out);
            return lp_error_set(LP_EINVAL, "the model's schema has a malformed column %zu", j);
        }
        out->cols[j].name = name;
        const lp_value *req = lp_map_get(c, "required");
        out->cols[j].required = lp_value_type(req) != LP_BOOL || lp_value_as_bool(req);
    }
    out->n = n;
    return 0;
}

void srv_input_free(srv_input *in)
{
    free(in->cols);
    *in = (srv_input){0};
}

static const char *kind_of(const json_t *v)
{
    if (!v) return "nothing";
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
    case JSON_REAL:
        return "a number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    default:
        return "null";
    }
}

static int wrong_type(srv_build *bd, long row, size_t j, const json_t *v, const char *want)
{
    const srv_input_column *c = &bd->in->cols[j];
    return srv_parse_fail(bd->err, row, c->name, "row %ld, column '%s' (%s): expected %s, got %s",
                          row, c->name, lp_dtype_name(c->dtype), want, kind_of(v));
}

/* Appends JSON value v (NULL = absent, an error) as row `row` of column j. */
static int append(srv_build *bd, long row, size_t j, const json_t *v)
{
    const srv_input_column *c = &bd->in->cols[j];
    lp_column_builder *b = bd->b[j];
    int rc = 0;
    if (!v && c->required)
        return srv_parse_fail(bd->err, row, c->name, "row %ld: missing column '%s'", row, c->name);
    if (!v || json_is_null(v)) {
        rc = lp_column_builder_append_null(b);
    } else {
        switch (c->dtype) {
        case LP_DT_FLOAT64:
            if (!json_is_number(v)) return wrong_type(bd, row, j, v, "a number");
            rc = lp_column_builder_append_f64(b, json_number_value(v));
            break;
        case LP_DT_INT64: {
            double d = json_is_real(v) ? json_real_value(v) : 0;
            if (json_is_integer(v))
                rc = lp_column_builder_append_i64(b, json_integer_value(v));
            else if (json_is_real(v) && d == floor(d) && fabs(d) < 9.2e18)
                rc = lp_column_builder_append_i64(b, (int64_t)d);
            else
                return wrong_type(bd, row, j, v, "an integer");
            break;
        }
        case LP_DT_BOOL:
            if (!json_is_boolean(v)) return wrong_type(bd, row, j, v, "true or false");
            rc = lp_column_builder_append_bool(b, json_is_true(v));
            break;
        case LP_DT_TIMESTAMP: {
            int64_t us;
            if (!json_is_string(v) ||
                !lp_parse_timestamp(json_string_value(v), json_string_length(v), &us))
                return wrong_type(bd, row, j, v, "an ISO 8601 timestamp string");
            rc = lp_column_builder_append_i64(b, us);
            break;
        }
        default: /* string, category */
            if (!json_is_string(v)) return wrong_type(bd, row, j, v, "a string");
            rc = lp_column_builder_append_str(b, json_string_value(v), json_string_length(v));
            break;
        }
    }
    return rc ? srv_parse_oom(bd->err) : 0;
}

/* ---- the JSON forms -------------------------------------------------------------- */

static bool in_schema(const srv_input *in, const char *name)
{
    for (size_t j = 0; j < in->n; j++)
        if (strcmp(in->cols[j].name, name) == 0) return true;
    return false;
}

/* The error for a record without required column `name`: when the record
 * has a key close to it that is not a column of the schema (a typo), the key
 * is named. */
static int missing_in_record(srv_parse_error *err, const srv_input *in, long row,
                             const json_t *record, const char *name)
{
    const char *keys[64];
    size_t n = 0;
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)(uintptr_t)record, key, v) if (n < 64 && !in_schema(in, key))
        keys[n++] = key;
    const char *close = lp_suggest(name, keys, n);
    if (close)
        return srv_parse_fail(err, row, name, "row %ld: missing column '%s' (the row has '%s')",
                              row, name, close);
    return srv_parse_fail(err, row, name, "row %ld: missing column '%s'", row, name);
}

/* [{"col": v, ...}, ...] */
static int from_records(lp_frame **out, const srv_input *in, srv_parse_error *err,
                        const json_t *rows, const char *where)
{
    srv_build bd;
    int rc = srv_build_init(&bd, in, err, json_array_size(rows));
    for (size_t i = 0; !rc && i < json_array_size(rows); i++) {
        const json_t *row = json_array_get(rows, i);
        if (!json_is_object(row)) {
            rc = srv_parse_fail(err, (long)i, NULL, "%s: row %zu is %s, expected an object", where,
                                i, kind_of(row));
            break;
        }
        for (size_t j = 0; !rc && j < in->n; j++) {
            const json_t *v = json_object_get(row, in->cols[j].name);
            rc = !v && in->cols[j].required
                     ? missing_in_record(err, in, (long)i, row, in->cols[j].name)
                     : append(&bd, (long)i, j, v);
        }
    }
    if (!rc) rc = srv_build_finish(out, &bd);
    srv_build_free(&bd);
    return rc;
}

/* Rows of values (arrays), value pos[j] of each row being column j. */
static int from_arrays(lp_frame **out, const srv_input *in, srv_parse_error *err,
                       const json_t *data, const size_t *pos, size_t width, const char *where)
{
    srv_build bd;
    int rc = srv_build_init(&bd, in, err, json_array_size(data));
    for (size_t i = 0; !rc && i < json_array_size(data); i++) {
        const json_t *row = json_array_get(data, i);
        if (!json_is_array(row))
            rc = srv_parse_fail(err, (long)i, NULL,
                                "%s: row %zu is %s, expected an array of %zu values", where, i,
                                kind_of(row), width);
        else if (json_array_size(row) != width)
            rc = srv_parse_fail(err, (long)i, NULL, "%s: row %zu has %zu values, expected %zu",
                                where, i, json_array_size(row), width);
        for (size_t j = 0; !rc && j < in->n; j++)
            rc = append(&bd, (long)i, j, json_array_get(row, pos[j]));
    }
    if (!rc) rc = srv_build_finish(out, &bd);
    srv_build_free(&bd);
    return rc;
}

/* {"columns": [...], "data": [[...]]} */
static int from_split(lp_frame **out, const srv_input *in, srv_parse_error *err,
                      const json_t *columns, const json_t *data, const char *where)
{
    if (!json_is_array(columns))
        return srv_parse_fail(err, -1, NULL, "%s: \"columns\" must be an array of column names",
                              where);
    if (!json_is_array(data))
        return srv_parse_fail(err, -1, NULL, "%s: \"data\" must be an array of rows", where);
    size_t width = json_array_size(columns);
    for (size_t k = 0; k < width; k++)
        if (!json_is_string(json_array_get(columns, k)))
            return srv_parse_fail(err, -1, NULL, "%s: \"columns\" entry %zu is %s, expected a name",
                                  where, k, kind_of(json_array_get(columns, k)));
    size_t *pos = malloc((in->n ? in->n : 1) * sizeof *pos);
    if (!pos) return srv_parse_oom(err);
    int rc = 0;
    for (size_t j = 0; !rc && j < in->n; j++) {
        size_t k = 0;
        while (k < width &&
               strcmp(json_string_value(json_array_get(columns, k)), in->cols[j].name) != 0)
            k++;
        if (k == width && in->cols[j].required)
            rc = srv_parse_fail(err, -1, in->cols[j].name, "%s: missing column '%s'", where,
                                in->cols[j].name);
        pos[j] = k; /* an optional column not given: past the row's end, so null */
    }
    if (!rc) rc = from_arrays(out, in, err, data, pos, width, where);
    free(pos);
    return rc;
}

/* {"col": [values], ...} */
static int from_columns(lp_frame **out, const srv_input *in, srv_parse_error *err,
                        const json_t *obj, const char *where)
{
    size_t rows = 0;
    const char *first = NULL;
    for (size_t j = 0; j < in->n; j++) {
        const json_t *a = json_object_get(obj, in->cols[j].name);
        if (!a && !in->cols[j].required) continue; /* null in every row */
        if (!a)
            return srv_parse_fail(err, -1, in->cols[j].name, "%s: missing column '%s'", where,
                                  in->cols[j].name);
        if (!json_is_array(a))
            return srv_parse_fail(err, -1, in->cols[j].name,
                                  "%s: column '%s' is %s, expected an array", where,
                                  in->cols[j].name, kind_of(a));
        if (first && json_array_size(a) != rows)
            return srv_parse_fail(err, -1, in->cols[j].name,
                                  "%s: column '%s' has %zu values, column '%s' has %zu", where,
                                  in->cols[j].name, json_array_size(a), first, rows);
        if (!first) first = in->cols[j].name, rows = json_array_size(a);
    }
    srv_build bd;
    int rc = srv_build_init(&bd, in, err, rows);
    for (size_t j = 0; !rc && j < in->n; j++) {
        const json_t *a = json_object_get(obj, in->cols[j].name);
        for (size_t i = 0; !rc && i < rows; i++)
            rc = append(&bd, (long)i, j, json_array_get(a, i));
    }
    if (!rc) rc = srv_build_finish(out, &bd);
    srv_build_free(&bd);
    return rc;
}

/* MLflow's "instances" / "inputs": records, positional rows or columns. */
static int from_tensor_like(lp_frame **out, const srv_input *in, srv_parse_error *err,
                            const json_t *v, const char *where)
{
    if (json_is_object(v)) return from_columns(out, in, err, v, where);
    if (!json_is_array(v))
        return srv_parse_fail(
            err, -1, NULL,
            "%s: expected records [{...}], rows [[...]] or columns {\"col\": [...]}, "
            "got %s",
            where, kind_of(v));
    if (json_is_array(json_array_get(v, 0))) {
        /* positional: every input column in schema order, or only the
         * required ones (the optional ones are then null) */
        size_t n_required = 0;
        for (size_t j = 0; j < in->n; j++)
            n_required += in->cols[j].required;
        bool all = json_array_size(json_array_get(v, 0)) != n_required;
        size_t *pos = malloc((in->n ? in->n : 1) * sizeof *pos);
        if (!pos) return srv_parse_oom(err);
        size_t width = 0;
        for (size_t j = 0; j < in->n; j++)
            pos[j] = all || in->cols[j].required ? width++ : SIZE_MAX;
        int rc = from_arrays(out, in, err, v, pos, width, where);
        free(pos);
        return rc;
    }
    return from_records(out, in, err, v, where);
}

static int parse_predict(lp_frame **out, const srv_input *in, srv_parse_error *err,
                         const json_t *root)
{
    const json_t *rows = json_object_get(root, "rows");
    if (rows) {
        if (!json_is_array(rows))
            return srv_parse_fail(err, -1, NULL, "\"rows\" is %s, expected an array of objects",
                                  kind_of(rows));
        return from_records(out, in, err, rows, "rows");
    }
    const json_t *cols = json_object_get(root, "columns"), *data = json_object_get(root, "data");
    if (cols || data) return from_split(out, in, err, cols, data, "body");
    return srv_parse_fail(
        err, -1, NULL, "expected {\"rows\": [{...}]} or {\"columns\": [...], \"data\": [[...]]}");
}

static int parse_mlflow(lp_frame **out, const srv_input *in, srv_parse_error *err,
                        const json_t *root)
{
    static const char *const keys[] = {"dataframe_split", "dataframe_records", "instances",
                                       "inputs"};
    const json_t *v = NULL;
    size_t which = 0, found = 0;
    for (size_t k = 0; k < 4; k++)
        if (json_object_get(root, keys[k])) v = json_object_get(root, keys[k]), which = k, found++;
    if (found != 1)
        return srv_parse_fail(err, -1, NULL,
                              "expected exactly one of \"dataframe_split\", \"dataframe_records\", "
                              "\"instances\", \"inputs\" (found %zu)",
                              found);
    switch (which) {
    case 0:
        if (!json_is_object(v))
            return srv_parse_fail(err, -1, NULL, "\"dataframe_split\" is %s, expected an object",
                                  kind_of(v));
        return from_split(out, in, err, json_object_get(v, "columns"), json_object_get(v, "data"),
                          "dataframe_split");
    case 1:
        if (!json_is_array(v))
            return srv_parse_fail(err, -1, NULL, "\"dataframe_records\" is %s, expected an array",
                                  kind_of(v));
        return from_records(out, in, err, v, "dataframe_records");
    default:
        return from_tensor_like(out, in, err, v, keys[which]);
    }
}

/* ---- CSV -------------------------------------------------------------------------- */

/* A column of n nulls of type t (new reference, NULL when out of memory). */
static lp_column *null_column(lp_dtype t, size_t n)
{
    lp_column_builder *b = lp_column_builder_new(srv_built_type(t), n);
    for (size_t i = 0; b && i < n; i++)
        if (lp_column_builder_append_null(b) != 0) {
            lp_column_builder_free(b);
            return NULL;
        }
    return b ? lp_column_builder_finish(b) : NULL;
}

static int parse_csv(lp_frame **out, const srv_input *in, srv_parse_error *err, const char *body,
                     size_t len)
{
    lp_csv_options opt = {.separator = ',', .threads = 1};
    lp_frame *raw = NULL;
    if (lp_csv_read_buffer(&raw, body, len, "request body", &opt) != 0)
        return srv_parse_fail(err, -1, NULL, "CSV: %s", lp_error_last()->message);
    lp_frame *f = lp_frame_new();
    int rc = f ? 0 : srv_parse_oom(err);
    for (size_t j = 0; !rc && j < in->n; j++) {
        const srv_input_column *c = &in->cols[j];
        lp_column *col = lp_frame_col_by_name(raw, c->name), *cast = NULL;
        if (!col && !c->required) {
            lp_column *nulls = null_column(c->dtype, lp_frame_rows(raw));
            if (!nulls || lp_frame_add_column(f, c->name, nulls) != 0) rc = srv_parse_oom(err);
            continue;
        }
        if (!col) {
            rc = srv_parse_fail(err, -1, c->name, "CSV: missing column '%s'", c->name);
            break;
        }
        if (lp_column_cast(&cast, col, srv_built_type(c->dtype)) != 0) {
            rc = srv_parse_fail(err, -1, c->name, "CSV: column '%s' (%s): %s", c->name,
                                lp_dtype_name(c->dtype), lp_error_last()->message);
            break;
        }
        if (lp_frame_add_column(f, c->name, cast) != 0) rc = srv_parse_oom(err);
    }
    lp_frame_unref(raw);
    if (rc) {
        if (f) lp_frame_unref(f);
        return rc;
    }
    *out = f;
    return 0;
}

int srv_parse_body(lp_frame **out, srv_parse_error *err, srv_body_kind kind, const char *body,
                   size_t len, const srv_input *in)
{
    *out = NULL;
    *err = (srv_parse_error){.row = -1};
    if (kind == SRV_BODY_CSV) return parse_csv(out, in, err, body, len);
    if (srv_parse_fast(out, kind, body, len, in) == 0) return 0;
    return srv_parse_body_tree(out, err, kind, body, len, in);
}

int srv_parse_body_tree(lp_frame **out, srv_parse_error *err, srv_body_kind kind, const char *body,
                        size_t len, const srv_input *in)
{
    *out = NULL;
    *err = (srv_parse_error){.row = -1};
    if (kind == SRV_BODY_CSV) return parse_csv(out, in, err, body, len);
    json_error_t jerr;
    json_t *root = json_loadb(body, len, JSON_DECODE_ANY, &jerr);
    if (!root)
        return srv_parse_fail(err, -1, NULL, "malformed JSON at line %d, column %d: %s", jerr.line,
                              jerr.column, jerr.text);
    int rc =
        !json_is_object(root)
            ? srv_parse_fail(err, -1, NULL, "the body is %s, expected a JSON object", kind_of(root))
        : kind == SRV_BODY_MLFLOW ? parse_mlflow(out, in, err, root)
                                  : parse_predict(out, in, err, root);
    json_decref(root);
    return rc;
}
