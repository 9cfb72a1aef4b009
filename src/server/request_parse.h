/*
 * request_parse.h — the bodies of scoring requests into frames: pure
 * functions of (bytes, input columns), no server state, so that they can be
 * unit-tested and fuzzed (fuzz/fuzz_request.c).
 *
 * Body forms (row indexes in errors are 0-based, as in the JSON arrays):
 *   SRV_BODY_PREDICT (POST /predict, JSON):
 *     {"rows": [{"col": value, ...}, ...]}
 *     {"columns": ["col", ...], "data": [[value, ...], ...]}
 *   SRV_BODY_MLFLOW (POST /invocations, MLflow's scoring protocol):
 *     {"dataframe_split": {"columns": [...], "data": [[...]], "index"?: [...]}}
 *     {"dataframe_records": [{...}, ...]}
 *     {"instances": ...} / {"inputs": ...} holding records [{...}], positional
 *     rows [[...]] (the schema's column order) or columns {"col": [values]}
 *   SRV_BODY_CSV (either path with Content-Type text/csv): a header row, then
 *     rows, read with the CSV reader (lp_csv_read_buffer) and each column cast
 *     to the schema's type.
 *
 * Values: null is a missing value; float64 takes any JSON number; int64 an
 * integer (or an integral number); bool true/false; string and category a
 * JSON string; timestamp an ISO 8601 string. Columns beyond the schema's are
 * ignored; a schema column absent from a row (or from the columns) is an
 * error naming it.
 *
 * Ownership: *out is a new frame; the input spec borrows the schema value.
 */
#ifndef LP_SERVER_REQUEST_PARSE_H
#define LP_SERVER_REQUEST_PARSE_H

#include <stdbool.h>
#include <stddef.h>

#include "lolpop/frame.h"
#include "lolpop/value.h"

typedef enum srv_body_kind { SRV_BODY_PREDICT, SRV_BODY_MLFLOW, SRV_BODY_CSV } srv_body_kind;

/* One input column. A required one must be in every request; an optional one
 * (the bundle scores without it, e.g. the model_index column) is null where
 * a request leaves it out. */
typedef struct srv_input_column {
    const char *name; /* borrowed from the schema */
    lp_dtype dtype;
    bool required;
} srv_input_column;

typedef struct srv_input {
    srv_input_column *cols; /* owned (free with srv_input_free) */
    size_t n;
} srv_input;

/* What was wrong with a body: a message, and where (row -1 and column ""
 * when the problem is not in one row or column). */
typedef struct srv_parse_error {
    long row;
    char column[128];
    char message[512];
} srv_parse_error;

/* The input columns of a scorer's schema (srv_scorer_schema: a map with
 * "columns": [{name, dtype, required?}], required by default); names borrowed from schema. 0 or
 * LP_EINVAL. */
int srv_input_from_schema(srv_input *out, const lp_value *schema);
void srv_input_free(srv_input *in);

/* Parses body (len bytes, not NUL-terminated) of the given kind into a new
 * frame holding the input's columns, in the input's order and types.
 * 0; LP_EINVAL with *err filled for a body that does not fit; LP_ENOMEM. */
int srv_parse_body(lp_frame **out, srv_parse_error *err, srv_body_kind kind, const char *body,
                   size_t len, const srv_input *in);
/* srv_parse_body by the jansson tree alone, without request_fast.h's direct
 * reader that srv_parse_body tries first: the reference that the direct
 * reader must agree with (tests, fuzz/fuzz_request.c). Same contract. */
int srv_parse_body_tree(lp_frame **out, srv_parse_error *err, srv_body_kind kind, const char *body,
                        size_t len, const srv_input *in);

#endif
