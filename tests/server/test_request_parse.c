/*
 * test_request_parse.c — the request body parser (src/server/request_parse.c),
 * the JSON answers (response.c) and the metrics text (metrics.c), as pure
 * functions: every body form, every value type, every error with its row and
 * column.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lolpop/error.h"
#include "lolpop/frame.h"
#include "server/metrics.h"
#include "server/request_fast.h"
#include "server/request_parse.h"
#include "server/response.h"

static srv_input_column cols[] = {
    {"f", LP_DT_FLOAT64, true}, {"i", LP_DT_INT64, true},    {"b", LP_DT_BOOL, true},
    {"s", LP_DT_STRING, true},  {"c", LP_DT_CATEGORY, true}, {"t", LP_DT_TIMESTAMP, true},
};
static const srv_input in = {cols, 6};

static lp_frame *ok(srv_body_kind kind, const char *body)
{
    lp_frame *f = NULL;
    srv_parse_error e;
    int rc = srv_parse_body(&f, &e, kind, body, strlen(body), &in);
    cr_assert_eq(rc, 0, "%s -> %s", body, e.message);
    cr_assert_eq(lp_frame_cols(f), 6);
    return f;
}

static void bad(srv_body_kind kind, const char *body, const char *message, long row,
                const char *column)
{
    lp_frame *f = NULL;
    srv_parse_error e;
    int rc = srv_parse_body(&f, &e, kind, body, strlen(body), &in);
    cr_assert_eq(rc, LP_EINVAL, "%s was accepted", body);
    cr_assert_null(f);
    cr_assert_not_null(strstr(e.message, message), "%s: message '%s' lacks '%s'", body, e.message,
                       message);
    cr_assert_eq(e.row, row, "%s: row %ld, expected %ld (%s)", body, e.row, row, e.message);
    cr_assert_str_eq(e.column, column ? column : "", "%s: %s", body, e.message);
}

#define ROW0 "\"f\":1.5,\"i\":2,\"b\":true,\"s\":\"x\",\"c\":\"k\",\"t\":\"2024-01-31T12:00:00\""
#define ROW1 "\"f\":null,\"i\":3.0,\"b\":false,\"s\":\"y\",\"c\":null,\"t\":null,\"extra\":[1]"

static void expect_two_rows(lp_frame *f)
{
    cr_assert_eq(lp_frame_rows(f), 2);
    const lp_column *c = lp_frame_col_by_name(f, "f");
    cr_assert_eq(c->type, LP_DT_FLOAT64);
    cr_assert_eq(c->data.f64[0], 1.5);
    cr_assert(!lp_column_is_valid(c, 1), "null is a missing value");
    c = lp_frame_col_by_name(f, "i");
    cr_assert_eq(c->type, LP_DT_INT64);
    cr_assert_eq(c->data.i64[1], 3, "an integral number is an int");
    c = lp_frame_col_by_name(f, "b");
    cr_assert_eq(c->type, LP_DT_BOOL);
    cr_assert(c->data.b8[0] && !c->data.b8[1]);
    size_t len;
    const char *str = lp_column_str(lp_frame_col_by_name(f, "s"), 1, &len);
    cr_assert(len == 1 && str[0] == 'y');
    str = lp_column_str(lp_frame_col_by_name(f, "c"), 0, &len);
    cr_assert(len == 1 && str[0] == 'k');
    c = lp_frame_col_by_name(f, "t");
    cr_assert_eq(c->type, LP_DT_TIMESTAMP);
    cr_assert_eq(c->data.i64[0], 1706702400LL * 1000000);
    cr_assert_null(lp_frame_col_by_name(f, "extra"), "columns beyond the schema are dropped");
    lp_frame_unref(f);
}

Test(request_parse, predict_rows)
{
    expect_two_rows(ok(SRV_BODY_PREDICT, "{\"rows\":[{" ROW0 "},{" ROW1 "}]}"));
}

Test(request_parse, predict_columns_and_data_in_any_order)
{
    expect_two_rows(ok(SRV_BODY_PREDICT,
                       "{\"columns\":[\"t\",\"c\",\"s\",\"b\",\"i\",\"f\",\"more\"],"
                       "\"data\":[[\"2024-01-31 12:00\",\"k\",\"x\",true,2,1.5,0],"
                       "[null,null,\"y\",false,3,null,\"z\"]]}"));
}

Test(request_parse, mlflow_forms)
{
    expect_two_rows(ok(SRV_BODY_MLFLOW, "{\"dataframe_records\":[{" ROW0 "},{" ROW1 "}]}"));
    expect_two_rows(ok(SRV_BODY_MLFLOW, "{\"instances\":[{" ROW0 "},{" ROW1 "}]}"));
    expect_two_rows(ok(SRV_BODY_MLFLOW,
                       "{\"dataframe_split\":{\"index\":[0,1],\"columns\":[\"f\",\"i\",\"b\","
                       "\"s\",\"c\",\"t\"],\"data\":[[1.5,2,true,\"x\",\"k\","
                       "\"2024-01-31T12:00:00Z\"],[null,3,false,\"y\",null,null]]}}"));
    expect_two_rows(ok(SRV_BODY_MLFLOW,
                       "{\"inputs\":{\"f\":[1.5,null],\"i\":[2,3],\"b\":[true,false],"
                       "\"s\":[\"x\",\"y\"],\"c\":[\"k\",null],"
                       "\"t\":[\"2024-01-31T12:00:00\",null]}}"));
    expect_two_rows(ok(SRV_BODY_MLFLOW,
                       "{\"inputs\":[[1.5,2,true,\"x\",\"k\",\"2024-01-31T12:00:00\"],"
                       "[null,3,false,\"y\",null,null]]}"));
}

Test(request_parse, csv_cast_to_the_schema)
{
    const char *csv = "extra,t,c,s,b,i,f\n"
                      "q,2024-01-31T12:00:00,k,x,True,2,1.5\n"
                      "r,,,y,False,3,\n";
    expect_two_rows(ok(SRV_BODY_CSV, csv));
    /* a column of whole numbers is still a float column for the model */
    lp_frame *f = ok(SRV_BODY_CSV, "f,i,b,s,c,t\n1,2,True,7,k,2024-01-01\n");
    cr_assert_eq(lp_frame_col_by_name(f, "f")->type, LP_DT_FLOAT64);
    cr_assert_eq(lp_frame_col_by_name(f, "s")->type, LP_DT_STRING);
    lp_frame_unref(f);
}

Test(request_parse, empty_bodies_are_zero_rows)
{
    lp_frame *f = ok(SRV_BODY_PREDICT, "{\"rows\":[]}");
    cr_assert_eq(lp_frame_rows(f), 0);
    lp_frame_unref(f);
    f = ok(SRV_BODY_MLFLOW, "{\"inputs\":[]}");
    cr_assert_eq(lp_frame_rows(f), 0);
    lp_frame_unref(f);
}

Test(request_parse, errors_name_row_and_column)
{
    bad(SRV_BODY_PREDICT, "{\"rows\":[{" ROW0 "},{\"f\":1}]}", "row 1: missing column 'i'", 1, "i");
    /* a key close to the missing column, and not a column itself: named */
    bad(SRV_BODY_PREDICT, "{\"rows\":[{\"f\":1,\"ii\":2}]}",
        "row 0: missing column 'i' (the row has 'ii')", 0, "i");
    bad(SRV_BODY_PREDICT, "{\"rows\":[{" ROW0 "},{" ROW0 "},{\"f\":\"1\"}]}",
        "row 2, column 'f' (float64): expected a number, got a string", 2, "f");
    bad(SRV_BODY_PREDICT, "{\"rows\":[{\"f\":1,\"i\":2.5}]}", "expected an integer, got a number",
        0, "i");
    bad(SRV_BODY_PREDICT, "{\"rows\":[{\"f\":1,\"i\":2,\"b\":1}]}",
        "expected true or false, got a number", 0, "b");
    bad(SRV_BODY_PREDICT, "{\"rows\":[{\"f\":1,\"i\":2,\"b\":true,\"s\":5}]}",
        "expected a string, got a number", 0, "s");
    bad(SRV_BODY_PREDICT, "{\"rows\":[{" ROW0 ",\"t\":\"yesterday\"}]}",
        "expected an ISO 8601 timestamp string", 0, "t");
    bad(SRV_BODY_PREDICT, "{\"rows\":[1]}", "row 0 is a number, expected an object", 0, NULL);
    bad(SRV_BODY_PREDICT, "{\"rows\":{}}", "\"rows\" is an object", -1, NULL);
    bad(SRV_BODY_PREDICT, "{\"columns\":[\"f\"],\"data\":[[1]]}", "missing column 'i'", -1, "i");
    bad(SRV_BODY_PREDICT, "{\"columns\":[\"f\",\"i\",\"b\",\"s\",\"c\",\"t\"],\"data\":[[1]]}",
        "row 0 has 1 values, expected 6", 0, NULL);
    bad(SRV_BODY_PREDICT, "{\"columns\":[1],\"data\":[]}", "\"columns\" entry 0 is a number", -1,
        NULL);
    bad(SRV_BODY_PREDICT, "{\"columns\":[\"f\"]}", "\"data\" must be an array", -1, NULL);
    bad(SRV_BODY_PREDICT, "{}", "expected {\"rows\"", -1, NULL);
    bad(SRV_BODY_PREDICT, "{\"rows\": [", "malformed JSON at line 1", -1, NULL);
    bad(SRV_BODY_PREDICT, "", "malformed JSON", -1, NULL);
    bad(SRV_BODY_PREDICT, "\"text\"", "the body is a string, expected a JSON object", -1, NULL);
}

Test(request_parse, mlflow_errors)
{
    bad(SRV_BODY_MLFLOW, "{}", "expected exactly one of", -1, NULL);
    bad(SRV_BODY_MLFLOW, "{\"inputs\":[],\"instances\":[]}", "(found 2)", -1, NULL);
    bad(SRV_BODY_MLFLOW, "{\"dataframe_split\":[]}", "\"dataframe_split\" is an array", -1, NULL);
    bad(SRV_BODY_MLFLOW, "{\"dataframe_records\":{}}", "\"dataframe_records\" is an object", -1,
        NULL);
    bad(SRV_BODY_MLFLOW, "{\"inputs\":5}", "inputs: expected records", -1, NULL);
    bad(SRV_BODY_MLFLOW, "{\"inputs\":{\"f\":[1,2],\"i\":[1]}}",
        "column 'i' has 1 values, column 'f' has 2", -1, "i");
    bad(SRV_BODY_MLFLOW, "{\"inputs\":{\"f\":[1]}}", "inputs: missing column 'i'", -1, "i");
    bad(SRV_BODY_MLFLOW, "{\"inputs\":{\"f\":1}}", "column 'f' is a number, expected an array", -1,
        "f");
    bad(SRV_BODY_MLFLOW, "{\"instances\":[[1,2,true,\"x\",\"k\"]]}",
        "instances: row 0 has 5 values, expected 6", 0, NULL);
}

Test(request_parse, csv_errors)
{
    bad(SRV_BODY_CSV, "f,i\n1,2\n", "CSV: missing column 'b'", -1, "b");
    bad(SRV_BODY_CSV, "f,i,b,s,c,t\nabc,1,True,x,k,2024-01-01\n", "CSV: column 'f' (float64)", -1,
        "f");
    bad(SRV_BODY_CSV, "f,i\n\"1,2\n", "CSV:", -1, NULL);
}

/* ---- the direct reader (request_fast.c) against the tree reader ------------------ */

/* The tree reader's frame for body (it must accept it). */
static lp_frame *by_tree(srv_body_kind kind, const char *body)
{
    lp_frame *f = NULL;
    srv_parse_error e;
    cr_assert_eq(srv_parse_body_tree(&f, &e, kind, body, strlen(body), &in), 0, "%s -> %s", body,
                 e.message);
    return f;
}

static void same_frames(const lp_frame *a, const lp_frame *b, const char *body)
{
    char ha[65], hb[65];
    cr_assert_eq(lp_frame_hash_hex(a, ha), 0);
    cr_assert_eq(lp_frame_hash_hex(b, hb), 0);
    cr_assert_str_eq(ha, hb, "%s: the direct reader's frame differs from the tree's", body);
}

Test(request_fast, reads_the_common_forms_as_the_tree_does)
{
    static const struct {
        srv_body_kind kind;
        const char *body;
    } cases[] = {
        {SRV_BODY_PREDICT, "{\"rows\":[{" ROW0 "},{" ROW1 "}]}"},
        {SRV_BODY_PREDICT, " {\"rows\" : [ { " ROW0 " } ] , \"note\":{\"a\":[1,{\"b\":null}]}}\n"},
        {SRV_BODY_PREDICT, "{\"rows\":[]}"},
        {SRV_BODY_PREDICT, "{\"rows\":[{\"t\":null,\"c\":\"\\u00e9\",\"s\":\"caf\xc3\xa9\",\"b\":"
                           "false,\"i\":-0,\"f\":-0}]}"},
        {SRV_BODY_PREDICT, "{\"rows\":[{\"f\":-0.0,\"i\":1e2,\"b\":true,\"s\":\"\",\"c\":\"k\","
                           "\"t\":\"2024-01-31\"}]}"},
        {SRV_BODY_PREDICT, "{\"rows\":[{\"f\":123456789012345678,\"i\":-123456789012345678,"
                           "\"b\":true,\"s\":\"x\",\"c\":\"k\",\"t\":null}]}"},
        {SRV_BODY_PREDICT, "{\"rows\":[{\"f\":0.1,\"i\":0,\"b\":true,\"s\":\"x\",\"c\":\"k\","
                           "\"t\":null},{\"f\":2.2250738585072014e-308,\"i\":7,\"b\":true,"
                           "\"s\":\"x\",\"c\":\"k\",\"t\":null},{\"f\":1.7976931348623157E+308,"
                           "\"i\":7,\"b\":true,\"s\":\"x\",\"c\":\"k\",\"t\":null},{\"f\":"
                           "0.30000000000000004441,\"i\":7,\"b\":true,\"s\":\"x\",\"c\":\"k\","
                           "\"t\":null}]}"},
        {SRV_BODY_PREDICT, "{\"columns\":[\"t\",\"c\",\"s\",\"b\",\"i\",\"f\",\"more\"],"
                           "\"data\":[[\"2024-01-31 12:00\",\"k\",\"x\",true,2,1.5,0],"
                           "[null,null,\"y\",false,3,null,\"z\"]]}"},
        {SRV_BODY_PREDICT, "{\"columns\":[\"f\",\"f\",\"i\",\"b\",\"s\",\"c\",\"t\"],"
                           "\"data\":[[1,2,3,true,\"x\",\"k\",null]]}"},
        {SRV_BODY_MLFLOW, "{\"dataframe_records\":[{" ROW0 "},{" ROW1 "}]}"},
        {SRV_BODY_MLFLOW, "{\"dataframe_split\":{\"index\":[0,1],\"columns\":[\"f\",\"i\",\"b\","
                          "\"s\",\"c\",\"t\"],\"data\":[[1.5,2,true,\"x\",\"k\","
                          "\"2024-01-31T12:00:00Z\"],[null,3,false,\"y\",null,null]]},"
                          "\"params\":{}}"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        const char *body = cases[k].body;
        lp_frame *fast = NULL;
        int rc = srv_parse_fast(&fast, cases[k].kind, body, strlen(body), &in);
        if (strstr(body, "\\u")) { /* an escape: the tree's */
            cr_assert_eq(rc, SRV_FAST_DECLINED, "%s", body);
            continue;
        }
        cr_assert_eq(rc, 0, "the direct reader declined %s", body);
        lp_frame *tree = by_tree(cases[k].kind, body);
        same_frames(fast, tree, body);
        lp_frame_unref(fast);
        lp_frame_unref(tree);
    }
}

Test(request_fast, leaves_what_it_is_not_sure_of_to_the_tree)
{
    static const struct {
        srv_body_kind kind;
        const char *body;
    } cases[] = {
        {SRV_BODY_PREDICT, "{\"rows\":[{" ROW0 ",\"f\":2}]}"},          /* duplicate: last wins */
        {SRV_BODY_PREDICT, "{\"rows\":[{" ROW0 ",\"s\":\"a\\\"b\"}]}"}, /* an escape */
        {SRV_BODY_PREDICT, "{\"rows\":[{" ROW0 ",\"i\":1234567890123456789}]}"}, /* 19 digits */
        {SRV_BODY_PREDICT, "{\"rows\":[{" ROW0 ",\"x\":1e400}]}"},               /* overflow */
        {SRV_BODY_PREDICT, "{\"rows\":[{" ROW0 ",\"x\":1e-400}]}"},              /* underflow */
        {SRV_BODY_PREDICT, "{\"rows\":[{" ROW0 ",\"x\":01}]}"},                  /* not JSON */
        {SRV_BODY_PREDICT, "{\"rows\":[{" ROW0 ",\"x\":[1,]}]}"},
        {SRV_BODY_PREDICT, "{\"rows\":[{" ROW0 "}]} x"},
        {SRV_BODY_PREDICT, "{\"rows\":[{" ROW0 ",\"s\":\"\xc3\"}]}"}, /* bad UTF-8 */
        {SRV_BODY_PREDICT, "{\"rows\":[{\"f\":1}]}"},                 /* missing columns */
        {SRV_BODY_PREDICT, "{\"rows\":[{\"f\":\"1\"}]}"},             /* a wrong type */
        {SRV_BODY_PREDICT, "{\"rows\":[{" ROW0 ",\"i\":2.5}]}"},
        {SRV_BODY_PREDICT, "{\"data\":[],\"columns\":[]}"}, /* data first */
        {SRV_BODY_PREDICT, "{\"columns\":[\"f\"],\"rows\":[]}"},
        {SRV_BODY_PREDICT, "{\"rows\":[],\"rows\":[]}"},
        {SRV_BODY_PREDICT, "[]"},
        {SRV_BODY_PREDICT, ""},
        {SRV_BODY_MLFLOW, "{\"instances\":[{" ROW0 "}]}"},
        {SRV_BODY_MLFLOW, "{\"dataframe_records\":[],\"inputs\":[]}"},
        {SRV_BODY_MLFLOW, "{\"dataframe_split\":{\"columns\":[\"f\",\"i\",\"b\",\"s\",\"c\","
                          "\"t\"],\"data\":[[1,2,true,\"x\",\"k\"]]}}"}, /* short row */
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        const char *body = cases[k].body;
        lp_frame *fast = NULL, *a = NULL, *b = NULL;
        cr_assert_eq(srv_parse_fast(&fast, cases[k].kind, body, strlen(body), &in),
                     SRV_FAST_DECLINED, "the direct reader took %s", body);
        cr_assert_null(fast);
        /* and srv_parse_body answers what the tree answers */
        srv_parse_error ea, eb;
        int ra = srv_parse_body(&a, &ea, cases[k].kind, body, strlen(body), &in);
        int rb = srv_parse_body_tree(&b, &eb, cases[k].kind, body, strlen(body), &in);
        cr_assert_eq(ra, rb, "%s", body);
        if (ra == 0) {
            same_frames(a, b, body);
            lp_frame_unref(a);
            lp_frame_unref(b);
        } else {
            cr_assert_str_eq(ea.message, eb.message, "%s", body);
        }
    }
}

/* 40 levels of nesting in a column the schema does not name: beyond the
 * direct reader's depth, still read (by the tree). */
Test(request_fast, deep_values_go_to_the_tree)
{
    char body[512];
    int n = snprintf(body, sizeof body, "{\"rows\":[{" ROW0 ",\"deep\":");
    for (int d = 0; d < 40; d++)
        body[n++] = '[';
    for (int d = 0; d < 40; d++)
        body[n++] = ']';
    snprintf(body + n, sizeof body - (size_t)n, "}]}");
    lp_frame *f = NULL;
    cr_assert_eq(srv_parse_fast(&f, SRV_BODY_PREDICT, body, strlen(body), &in), SRV_FAST_DECLINED);
    lp_frame_unref(ok(SRV_BODY_PREDICT, body));
}

Test(request_parse, input_from_schema)
{
    lp_value *schema = lp_value_map(), *list = lp_value_list(), *c = lp_value_map();
    lp_map_put(c, "name", lp_value_string("carat"));
    lp_map_put(c, "dtype", lp_value_string("float64"));
    lp_list_append(list, c);
    lp_map_put(schema, "columns", list);
    srv_input got;
    cr_assert_eq(srv_input_from_schema(&got, schema), 0);
    cr_assert_eq(got.n, 1);
    cr_assert_str_eq(got.cols[0].name, "carat");
    cr_assert_eq(got.cols[0].dtype, LP_DT_FLOAT64);
    srv_input_free(&got);
    lp_map_put(c, "dtype", lp_value_string("complex"));
    cr_assert_eq(srv_input_from_schema(&got, schema), LP_EINVAL);
    lp_value_unref(schema);
    lp_value *empty = lp_value_map();
    cr_assert_eq(srv_input_from_schema(&got, empty), LP_EINVAL);
    lp_value_unref(empty);
}

/* ---- answers --------------------------------------------------------------------------- */

static char *taken(lp_sb *sb)
{
    return lp_sb_take(sb);
}

Test(response, strings_are_escaped)
{
    lp_sb sb = {0};
    srv_json_string(&sb, "a\"b\\c\n\x01", 7);
    char *s = taken(&sb);
    cr_assert_str_eq(s, "\"a\\\"b\\\\c\\n\\u0001\"");
    free(s);
}

Test(response, scores_with_and_without_probabilities)
{
    lp_frame *f = lp_frame_new();
    lp_column *pred = lp_column_new(LP_DT_STRING, 0);
    lp_column_builder *b = lp_column_builder_new(LP_DT_STRING, 2);
    lp_column_builder_append_str(b, "yes", 3);
    lp_column_builder_append_null(b);
    lp_column_unref(pred);
    lp_frame_add_column(f, "prediction", lp_column_builder_finish(b));
    lp_column *p = lp_column_new(LP_DT_FLOAT64, 2);
    p->data.f64[0] = 0.25;
    p->data.f64[1] = NAN;
    lp_frame_add_column(f, "probability_no", p);
    lp_column *q = lp_column_new(LP_DT_FLOAT64, 2);
    q->data.f64[0] = 0.75;
    q->data.f64[1] = 1;
    lp_frame_add_column(f, "probability_yes", q);
    lp_sb sb = {0};
    srv_json_scores(&sb, f, true);
    char *s = taken(&sb);
    cr_assert_str_eq(s, "{\"predictions\":[\"yes\",null],\"probabilities\":[{\"no\":0.25,"
                        "\"yes\":0.75},{\"no\":null,\"yes\":1.0}]}");
    free(s);
    srv_json_scores(&sb, f, false);
    s = taken(&sb);
    cr_assert_str_eq(s, "{\"predictions\":[\"yes\",null]}");
    free(s);
    lp_frame_unref(f);
}

Test(response, errors)
{
    lp_sb sb = {0};
    srv_json_error(&sb, "BAD_REQUEST", "row 2: bad \"x\"", 2, "x");
    char *s = taken(&sb);
    cr_assert_str_eq(s, "{\"error_code\":\"BAD_REQUEST\",\"message\":\"row 2: bad \\\"x\\\"\","
                        "\"row\":2,\"column\":\"x\"}");
    free(s);
    srv_json_error(&sb, "NOT_FOUND", "no", -1, NULL);
    s = taken(&sb);
    cr_assert_str_eq(s, "{\"error_code\":\"NOT_FOUND\",\"message\":\"no\"}");
    free(s);
}

Test(metrics, prometheus_text)
{
    srv_metrics m;
    srv_metrics_init(&m);
    cr_assert_eq(srv_path_of("/predict"), SRV_PATH_PREDICT);
    cr_assert_eq(srv_path_of("/predict/"), SRV_PATH_OTHER);
    srv_metrics_request(&m, SRV_PATH_PREDICT, 200, 0.0004);
    srv_metrics_request(&m, SRV_PATH_PREDICT, 200, 0.003);
    srv_metrics_request(&m, SRV_PATH_OTHER, 404, 0.00001);
    srv_metrics_request(&m, SRV_PATH_HEALTH, 418, 2.0);
    srv_metrics_rows(&m, 7);
    lp_sb sb = {0};
    srv_metrics_render(&sb, &m, "m/v3");
    char *s = taken(&sb);
    const char *want[] = {
        "lolpop_http_requests_total{path=\"/predict\",status=\"200\"} 2\n",
        "lolpop_http_requests_total{path=\"other\",status=\"404\"} 1\n",
        "lolpop_http_requests_total{path=\"/health\",status=\"other\"} 1\n",
        "lolpop_http_request_errors_total 2\n",
        "lolpop_http_request_duration_seconds_bucket{le=\"0.00025\"} 1\n",
        "lolpop_http_request_duration_seconds_bucket{le=\"0.0005\"} 2\n",
        "lolpop_http_request_duration_seconds_bucket{le=\"0.005\"} 3\n",
        "lolpop_http_request_duration_seconds_bucket{le=\"1\"} 3\n",
        "lolpop_http_request_duration_seconds_bucket{le=\"+Inf\"} 4\n",
        "lolpop_http_request_duration_seconds_count 4\n",
        "lolpop_rows_scored_total 7\n",
        "lolpop_model_info{version=\"m/v3\"} 1\n",
    };
    for (size_t i = 0; i < sizeof want / sizeof *want; i++)
        cr_assert_not_null(strstr(s, want[i]), "lacks %s:\n%s", want[i], s);
    cr_assert_null(strstr(s, "status=\"405\""), "zero counters are left out");
    free(s);
}
