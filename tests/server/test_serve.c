/*
 * test_serve.c — `lolpop serve` as a user runs it: the real binary on a free
 * port serving models trained by the real `lolpop run workflow`, spoken to
 * over HTTP with libcurl. Every endpoint and body form, each error status,
 * --max-body, SIGTERM with a request in flight, --reload under load.
 */
#include <criterion/criterion.h>
#include <curl/curl.h>
#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "serve_client.h"

#define DIAMONDS_MODEL ".lolpop/deployments/diamond_price"
#define TITANIC_MODEL  ".lolpop/deployments/titanic_raw"

ReportHook(POST_ALL)(struct criterion_global_stats *stats)
{
    (void)stats;
    fixture_cleanup();
}

static void setup(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

TestSuite(serve, .init = setup, .timeout = 180);

static json_t *parse(const http_reply *r)
{
    json_error_t e;
    json_t *j = json_loads(r->body, 0, &e);
    cr_assert_not_null(j, "not JSON (%s): %s", e.text, r->body);
    return j;
}

#define EXPECT_STATUS(r, code)                                                                     \
    cr_assert_eq((r).status, (code), "status %ld, expected %d: %s", (r).status, (code), (r).body)

/* The workflow's own prediction (column `col`) of row i of predictions.csv. */
static double workflow_prediction(const char *dir, size_t i, int col)
{
    char path[512];
    snprintf(path, sizeof path, "%s/predictions.csv", dir);
    char *text = lp_read_file(path), *p = text;
    cr_assert_not_null(text);
    for (size_t k = 0; k <= i; k++)
        p = strchr(p, '\n') + 1;
    for (int c = 0; c < col; c++)
        p = strchr(p, ',') + 1;
    double v = strtod(p, NULL);
    free(text);
    return v;
}

/* Checks that answer j holds the workflow's predictions for eval rows 0..n-1. */
static void expect_diamond_predictions(const char *dir, json_t *j, size_t n)
{
    json_t *pred = json_object_get(j, "predictions");
    cr_assert(json_is_array(pred) && json_array_size(pred) == n, "predictions: %s",
              json_dumps(j, 0));
    for (size_t i = 0; i < n; i++) {
        double want = workflow_prediction(dir, i, 1);
        double got = json_number_value(json_array_get(pred, i));
        cr_assert(fabs(got - want) <= 1e-9 * fabs(want), "row %zu: served %.17g, workflow %.17g", i,
                  got, want);
    }
}

/* Rows 0..n-1 of the diamonds eval file as {"rows": [...]}. */
static char *diamond_rows_json(const char *dir, size_t n)
{
    char path[512];
    snprintf(path, sizeof path, "%s/data/eval.csv", dir);
    char *csv = csv_head(path, n);
    json_t *rows = json_array();
    char *save = NULL, *line = strtok_r(csv, "\n", &save); /* header */
    while ((line = strtok_r(NULL, "\n", &save))) {
        char id[32], cut[32], color[8], clarity[8];
        double carat, depth, table, x, y, z;
        cr_assert_eq(sscanf(line, "%31[^,],%lf,%31[^,],%7[^,],%7[^,],%lf,%lf,%lf,%lf,%lf", id,
                            &carat, cut, color, clarity, &depth, &table, &x, &y, &z),
                     10, "line %s", line);
        json_array_append_new(rows,
                              json_pack("{s:I,s:f,s:s,s:s,s:s,s:f,s:f,s:f,s:f,s:f}", "diamond_id",
                                        (json_int_t)strtoll(id, NULL, 10), "carat", carat, "cut",
                                        cut, "color", color, "clarity", clarity, "depth", depth,
                                        "table", table, "x", x, "y", y, "z", z));
    }
    free(csv);
    json_t *body = json_pack("{s:o}", "rows", rows);
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    return text;
}

static http_reply post_json(const server *s, const char *path, const char *body)
{
    return http(s, "POST", path, "application/json", body, strlen(body));
}

/* ---- GET endpoints -------------------------------------------------------------------- */

Test(serve, health_schema_version)
{
    const char *dir = fixture_diamonds();
    server s;
    server_start(&s, dir, DIAMONDS_MODEL, NULL);
    http_reply r = http(&s, "GET", "/health", NULL, NULL, 0);
    EXPECT_STATUS(r, 200);
    json_t *j = parse(&r);
    cr_assert_str_eq(json_string_value(json_object_get(j, "status")), "ok");
    json_decref(j);
    http_reply_free(&r);

    r = http(&s, "GET", "/schema", NULL, NULL, 0);
    EXPECT_STATUS(r, 200);
    j = parse(&r);
    cr_assert_str_eq(json_string_value(json_object_get(j, "task")), "regression");
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "target"), "name")),
                     "price");
    json_t *cols = json_object_get(j, "columns");
    cr_assert_eq(json_array_size(cols), 10, "the raw columns of eval_data: %s", r.body);
    json_t *id = json_array_get(cols, 0);
    cr_assert_str_eq(json_string_value(json_object_get(id, "name")), "diamond_id");
    cr_assert(json_is_false(json_object_get(id, "required")), "the model_index is optional");
    json_t *carat = json_array_get(cols, 1);
    cr_assert_str_eq(json_string_value(json_object_get(carat, "name")), "carat");
    cr_assert_str_eq(json_string_value(json_object_get(carat, "dtype")), "float64");
    cr_assert(json_is_true(json_object_get(carat, "required")));
    json_decref(j);
    http_reply_free(&r);

    r = http(&s, "GET", "/version", NULL, NULL, 0);
    EXPECT_STATUS(r, 200);
    j = parse(&r);
    cr_assert_str_eq(json_string_value(json_object_get(j, "version")), "diamond_price/v1");
    cr_assert_not_null(strstr(json_string_value(json_object_get(j, "bundle")), "/v1"));
    cr_assert_not_null(json_object_get(j, "lolpop_version"));
    json_decref(j);
    http_reply_free(&r);

    r = http(&s, "HEAD", "/health", NULL, NULL, 0);
    EXPECT_STATUS(r, 200);
    http_reply_free(&r);
    cr_assert_eq(server_stop(&s), 0);
}

Test(serve, metrics_count_requests_rows_and_latency)
{
    const char *dir = fixture_diamonds();
    server s;
    server_start(&s, dir, DIAMONDS_MODEL, NULL);
    char *body = diamond_rows_json(dir, 3);
    for (int i = 0; i < 2; i++) {
        http_reply r = post_json(&s, "/predict", body);
        EXPECT_STATUS(r, 200);
        http_reply_free(&r);
    }
    free(body);
    http_reply r = http(&s, "GET", "/nowhere", NULL, NULL, 0);
    http_reply_free(&r);
    r = http(&s, "GET", "/metrics", NULL, NULL, 0);
    EXPECT_STATUS(r, 200);
    const char *want[] = {
        "lolpop_http_requests_total{path=\"/predict\",status=\"200\"} 2\n",
        "lolpop_http_requests_total{path=\"other\",status=\"404\"} 1\n",
        "lolpop_http_request_errors_total 1\n",
        "# TYPE lolpop_http_request_duration_seconds histogram\n",
        "lolpop_http_request_duration_seconds_bucket{le=\"+Inf\"} 3\n",
        "lolpop_http_request_duration_seconds_count 3\n",
        "lolpop_rows_scored_total 6\n",
        "lolpop_model_info{version=\"diamond_price/v1\"} 1\n",
    };
    for (size_t i = 0; i < sizeof want / sizeof *want; i++)
        cr_assert_not_null(strstr(r.body, want[i]), "/metrics lacks %s:\n%s", want[i], r.body);
    http_reply_free(&r);
    cr_assert_eq(server_stop(&s), 0);
}

/* ---- scoring: every body form gives the workflow's own predictions ------------------- */

Test(serve, predict_rows_columns_and_csv)
{
    const char *dir = fixture_diamonds();
    server s;
    server_start(&s, dir, DIAMONDS_MODEL, NULL);
    char *body = diamond_rows_json(dir, 5);
    http_reply r = post_json(&s, "/predict", body);
    EXPECT_STATUS(r, 200);
    json_t *j = parse(&r);
    expect_diamond_predictions(dir, j, 5);
    cr_assert_null(json_object_get(j, "probabilities"), "a regression has no probabilities");
    json_decref(j);
    http_reply_free(&r);

    /* the same rows as columns + data, columns in another order */
    json_t *root = json_loads(body, 0, NULL), *rows = json_object_get(root, "rows");
    json_t *split = json_pack("{s:[s,s,s,s,s,s,s,s,s],s:[]}", "columns", "z", "y", "x", "table",
                              "depth", "clarity", "color", "cut", "carat", "data");
    for (size_t i = 0; i < json_array_size(rows); i++) {
        json_t *row = json_array_get(rows, i), *vals = json_array();
        for (size_t k = 0; k < 9; k++)
            json_array_append(vals,
                              json_object_get(row, json_string_value(json_array_get(
                                                       json_object_get(split, "columns"), k))));
        json_array_append_new(json_object_get(split, "data"), vals);
    }
    char *text = json_dumps(split, JSON_COMPACT);
    r = post_json(&s, "/predict", text);
    EXPECT_STATUS(r, 200);
    j = parse(&r);
    expect_diamond_predictions(dir, j, 5);
    json_decref(j);
    http_reply_free(&r);
    free(text);
    json_decref(split);
    json_decref(root);
    free(body);

    /* CSV, straight from the eval file (with its extra id column) */
    char path[512];
    snprintf(path, sizeof path, "%s/data/eval.csv", dir);
    char *csv = csv_head(path, 5);
    r = http(&s, "POST", "/predict", "text/csv", csv, strlen(csv));
    EXPECT_STATUS(r, 200);
    j = parse(&r);
    expect_diamond_predictions(dir, j, 5);
    json_decref(j);
    http_reply_free(&r);
    free(csv);

    r = post_json(&s, "/predict", "{\"rows\": []}");
    EXPECT_STATUS(r, 200);
    cr_assert_str_eq(r.body, "{\"predictions\":[]}");
    http_reply_free(&r);
    cr_assert_eq(server_stop(&s), 0);
}

Test(serve, invocations_speaks_mlflow)
{
    const char *dir = fixture_diamonds();
    server s;
    server_start(&s, dir, DIAMONDS_MODEL, NULL);
    char *rows_body = diamond_rows_json(dir, 3);
    json_t *root = json_loads(rows_body, 0, NULL), *rows = json_object_get(root, "rows");
    free(rows_body);
    static const char *const names[] = {"carat", "cut", "color", "clarity", "depth",
                                        "table", "x",   "y",     "z"};
    json_t *cols = json_array(), *data = json_array(), *positional = json_array(),
           *columnar = json_object();
    for (size_t k = 0; k < 9; k++) {
        json_array_append_new(cols, json_string(names[k]));
        json_object_set_new(columnar, names[k], json_array());
    }
    for (size_t i = 0; i < json_array_size(rows); i++) {
        json_t *vals = json_array();
        for (size_t k = 0; k < 9; k++) {
            json_t *v = json_object_get(json_array_get(rows, i), names[k]);
            json_array_append(vals, v);
            json_array_append(json_object_get(columnar, names[k]), v);
        }
        json_array_append(positional, vals);
        json_array_append_new(data, vals);
    }
    json_t *bodies[] = {
        json_pack("{s:{s:O,s:O,s:[i,i,i]}}", "dataframe_split", "columns", cols, "data", data,
                  "index", 0, 1, 2),
        json_pack("{s:O}", "dataframe_records", rows),
        json_pack("{s:O}", "instances", rows),
        json_pack("{s:O}", "inputs", columnar),
        json_pack("{s:O}", "inputs", positional),
    };
    for (size_t b = 0; b < sizeof bodies / sizeof *bodies; b++) {
        char *text = json_dumps(bodies[b], JSON_COMPACT);
        http_reply r = post_json(&s, "/invocations", text);
        EXPECT_STATUS(r, 200);
        json_t *j = parse(&r);
        cr_assert_eq(json_object_size(j), 1, "MLflow answers predictions only: %s", r.body);
        expect_diamond_predictions(dir, j, 3);
        json_decref(j);
        http_reply_free(&r);
        free(text);
        json_decref(bodies[b]);
    }
    char path[512];
    snprintf(path, sizeof path, "%s/data/eval.csv", dir);
    char *csv = csv_head(path, 3);
    http_reply r = http(&s, "POST", "/invocations", "text/csv", csv, strlen(csv));
    EXPECT_STATUS(r, 200);
    json_t *j = parse(&r);
    expect_diamond_predictions(dir, j, 3);
    json_decref(j);
    http_reply_free(&r);
    free(csv);

    r = post_json(&s, "/invocations", "{\"inputs\": [], \"instances\": []}");
    EXPECT_STATUS(r, 400);
    cr_assert_not_null(strstr(r.body, "exactly one of"), "%s", r.body);
    http_reply_free(&r);
    json_decref(cols);
    json_decref(data);
    json_decref(positional);
    json_decref(columnar);
    json_decref(root);
    cr_assert_eq(server_stop(&s), 0);
}

Test(serve, classifier_answers_labels_and_probabilities)
{
    const char *dir = fixture_titanic();
    server s;
    server_start(&s, dir, TITANIC_MODEL, NULL);
    char path[512];
    snprintf(path, sizeof path, "%s/data/eval.csv", dir);
    char *csv = csv_head(path, 4);
    http_reply r = http(&s, "POST", "/predict", "text/csv", csv, strlen(csv));
    EXPECT_STATUS(r, 200);
    json_t *j = parse(&r);
    json_t *pred = json_object_get(j, "predictions"), *proba = json_object_get(j, "probabilities");
    cr_assert_eq(json_array_size(pred), 4, "%s", r.body);
    cr_assert_eq(json_array_size(proba), 4, "%s", r.body);
    for (size_t i = 0; i < 4; i++) {
        json_int_t label = json_integer_value(json_array_get(pred, i));
        cr_assert(json_is_integer(json_array_get(pred, i)), "an int64 target: %s", r.body);
        cr_assert_eq(label, (json_int_t)workflow_prediction(dir, i, 1));
        json_t *p = json_array_get(proba, i);
        double p0 = json_number_value(json_object_get(p, "0"));
        double p1 = json_number_value(json_object_get(p, "1"));
        cr_assert(fabs(p0 + p1 - 1) < 1e-9, "%s", r.body);
        double want = workflow_prediction(dir, i, 3);
        cr_assert(fabs(p1 - want) < 1e-12, "row %zu: p1 %.17g, workflow %.17g", i, p1, want);
    }
    json_decref(j);
    http_reply_free(&r);
    free(csv);

    /* bool and missing values over JSON */
    const char *row = "{\"rows\": [{\"pclass\": 3, \"sex\": \"male\", \"age\": null, \"sibsp\": 0,"
                      " \"parch\": 0, \"fare\": 8.05, \"embarked\": \"S\", \"class\": \"Third\","
                      " \"who\": \"man\", \"adult_male\": true, \"embark_town\": \"Southampton\","
                      " \"alone\": true}]}";
    r = post_json(&s, "/predict", row);
    EXPECT_STATUS(r, 200);
    cr_assert_not_null(strstr(r.body, "\"probabilities\":[{\"0\":"), "%s", r.body);
    http_reply_free(&r);
    cr_assert_eq(server_stop(&s), 0);
}

/* ---- bad requests: 4xx naming row and column, the server stays up --------------------- */

typedef struct bad_case {
    const char *method, *path, *type, *body;
    long status;
    const char *message; /* a part of it */
    long row;            /* -1: no "row" */
    const char *column;  /* NULL: no "column" */
} bad_case;

Test(serve, bad_requests_get_4xx_naming_row_and_column)
{
    const char *dir = fixture_diamonds();
    server s;
    server_start(&s, dir, DIAMONDS_MODEL, NULL);
    const char *ok = "\"carat\":0.3,\"cut\":\"Ideal\",\"color\":\"E\",\"clarity\":\"VS1\","
                     "\"depth\":61.0,\"table\":55,\"x\":4.3,\"y\":4.3,\"z\":2.6";
    char missing[512], wrong[512];
    snprintf(missing, sizeof missing, "{\"rows\":[{%s},{\"cut\":\"Ideal\"}]}", ok);
    snprintf(wrong, sizeof wrong, "{\"rows\":[{%s},{%s},{%.*s\"x\":\"wide\"}]}", ok, ok,
             (int)(strstr(ok, "\"x\"") - ok), ok);
    bad_case cases[] = {
        {"POST", "/predict", "application/json", missing, 400, "row 1: missing column 'carat'", 1,
         "carat"},
        {"POST", "/predict", "application/json", wrong, 400, "expected a number, got a string", 2,
         "x"},
        {"POST", "/predict", "application/json", "{\"rows\": [{\"carat\": 1,}", 400,
         "malformed JSON at line 1", -1, NULL},
        {"POST", "/predict", "application/json", "[1, 2]", 400, "expected a JSON object", -1, NULL},
        {"POST", "/predict", "application/json", "{\"columns\": [\"carat\"], \"data\": [[1]]}", 400,
         "missing column 'cut'", -1, "cut"},
        {"POST", "/predict", "text/csv", "carat,cut\n0.3,Ideal\n", 400,
         "CSV: missing column 'color'", -1, "color"},
        {"POST", "/invocations", "application/json", "{\"rows\": []}", 400,
         "\\\"dataframe_split\\\"", -1, NULL},
        {"GET", "/predict", NULL, NULL, 405, "/predict takes POST", -1, NULL},
        {"POST", "/health", "application/json", "{}", 405, "/health takes GET", -1, NULL},
        {"DELETE", "/schema", NULL, NULL, 405, "takes GET", -1, NULL},
        {"GET", "/admin", NULL, NULL, 404, "no such path '/admin'", -1, NULL},
        {"POST", "/", "application/json", "{}", 404, "no such path '/'", -1, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        bad_case *c = &cases[i];
        http_reply r =
            http(&s, c->method, c->path, c->type, c->body, c->body ? strlen(c->body) : 0);
        cr_assert_eq(r.status, c->status, "case %zu: status %ld, expected %ld: %s", i, r.status,
                     c->status, r.body);
        cr_assert_not_null(strstr(r.body, c->message), "case %zu: lacks %s: %s", i, c->message,
                           r.body);
        json_t *j = parse(&r);
        cr_assert_not_null(json_object_get(j, "error_code"), "%s", r.body);
        json_t *row = json_object_get(j, "row"), *col = json_object_get(j, "column");
        if (c->row < 0)
            cr_assert_null(row, "case %zu: %s", i, r.body);
        else
            cr_assert_eq(json_integer_value(row), c->row, "case %zu: %s", i, r.body);
        if (c->column)
            cr_assert_str_eq(json_string_value(col), c->column, "case %zu: %s", i, r.body);
        else
            cr_assert_null(col, "case %zu: %s", i, r.body);
        json_decref(j);
        http_reply_free(&r);
    }
    http_reply r = http(&s, "GET", "/health", NULL, NULL, 0);
    EXPECT_STATUS(r, 200);
    http_reply_free(&r);
    cr_assert_eq(server_stop(&s), 0);
}

Test(serve, max_body_gives_413_and_the_server_stays_up)
{
    const char *dir = fixture_diamonds();
    server s;
    const char *args[] = {"--max-body", "1000", NULL};
    server_start(&s, dir, DIAMONDS_MODEL, args);
    char *big = malloc(4001);
    memset(big, ' ', 4000);
    big[4000] = 0;
    memcpy(big, "{\"rows\":[]", 10);
    big[3999] = '}';
    http_reply r = post_json(&s, "/predict", big);
    EXPECT_STATUS(r, 413);
    cr_assert_not_null(strstr(r.body, "--max-body 1000"), "%s", r.body);
    http_reply_free(&r);
    /* chunked: no Content-Length to judge by, the server counts */
    const char *chunked[] = {"Content-Type: application/json", "Transfer-Encoding: chunked", NULL};
    r = http_with_headers(&s, "POST", "/predict", chunked, big, 4000);
    EXPECT_STATUS(r, 413);
    cr_assert_not_null(strstr(r.body, "longer than --max-body 1000 bytes"), "%s", r.body);
    http_reply_free(&r);
    /* just under the limit is fine */
    big[900] = 0;
    big[899] = '}';
    r = post_json(&s, "/predict", big);
    EXPECT_STATUS(r, 200);
    http_reply_free(&r);
    free(big);
    r = http(&s, "GET", "/health", NULL, NULL, 0);
    EXPECT_STATUS(r, 200);
    http_reply_free(&r);
    cr_assert_eq(server_stop(&s), 0);
}

/* ---- SIGTERM drains a request in flight ------------------------------------------------ */

typedef struct slow_upload {
    const char *body;
    size_t len, sent;
    atomic_bool half_sent;
} slow_upload;

/* Sends the first half, then the rest 300 ms later. */
static size_t slow_read(char *buf, size_t size, size_t n, void *ctx)
{
    slow_upload *u = ctx;
    size_t half = u->len / 2, room = size * n;
    if (u->sent == half && !atomic_load(&u->half_sent)) {
        atomic_store(&u->half_sent, true);
        usleep(300000);
    }
    size_t end = u->sent < half ? half : u->len;
    size_t k = end - u->sent < room ? end - u->sent : room;
    memcpy(buf, u->body + u->sent, k);
    u->sent += k;
    return k;
}

typedef struct slow_req {
    const server *s;
    slow_upload up;
    long status;
    char *answer;
} slow_req;

static size_t keep(char *p, size_t size, size_t n, void *ctx)
{
    slow_req *q = ctx;
    size_t old = q->answer ? strlen(q->answer) : 0;
    q->answer = realloc(q->answer, old + size * n + 1);
    memcpy(q->answer + old, p, size * n);
    q->answer[old + size * n] = 0;
    return size * n;
}

static void *slow_post(void *arg)
{
    slow_req *q = arg;
    CURL *c = curl_easy_init();
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/predict", q->s->port);
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    h = curl_slist_append(h, "Expect:");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, slow_read);
    curl_easy_setopt(c, CURLOPT_READDATA, &q->up);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)q->up.len);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, keep);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, q);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    if (curl_easy_perform(c) == CURLE_OK) curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &q->status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return NULL;
}

Test(serve, sigterm_drains_the_request_in_flight_and_exits_0)
{
    const char *dir = fixture_diamonds();
    server s;
    server_start(&s, dir, DIAMONDS_MODEL, NULL);
    char *body = diamond_rows_json(dir, 20);
    slow_req q = {.s = &s, .up = {.body = body, .len = strlen(body)}};
    pthread_t t;
    pthread_create(&t, NULL, slow_post, &q);
    while (!atomic_load(&q.up.half_sent))
        usleep(5000);
    usleep(50000);
    int code = server_stop(&s); /* SIGTERM while the body is half sent */
    pthread_join(t, NULL);
    cr_assert_eq(code, 0, "exit code %d", code);
    cr_assert_eq(q.status, 200, "the request in flight got %ld: %s", q.status,
                 q.answer ? q.answer : "(nothing)");
    json_error_t e;
    json_t *j = json_loads(q.answer, 0, &e);
    expect_diamond_predictions(dir, j, 20);
    json_decref(j);
    char *log = server_log(&s);
    cr_assert_not_null(strstr(log, "SIGTERM received; draining 1 request(s) in flight"), "%s", log);
    cr_assert_not_null(strstr(log, "lolpop serve: stopped"), "%s", log);
    free(log);
    free(q.answer);
    free(body);
}

/* ---- --reload: the `current` link moves under load ------------------------------------- */

typedef struct hammer {
    const server *s;
    const char *body;
    atomic_bool stop;
    long ok, failed;
    char first_failure[512];
} hammer;

static void *hammer_loop(void *arg)
{
    hammer *h = arg;
    for (int i = 0; i < 100000 && !atomic_load(&h->stop); i++) {
        http_reply r = http(h->s, "POST", "/predict", "application/json", h->body, strlen(h->body));
        if (r.status == 200 && strstr(r.body, "\"predictions\":[")) {
            h->ok++;
        } else {
            if (!h->failed)
                snprintf(h->first_failure, sizeof h->first_failure, "%ld %s", r.status, r.body);
            h->failed++;
        }
        http_reply_free(&r);
    }
    return NULL;
}

static char *version_of(const server *s)
{
    http_reply r = http(s, "GET", "/version", NULL, NULL, 0);
    cr_assert_eq(r.status, 200);
    json_t *j = json_loads(r.body, 0, NULL);
    char *v = strdup(json_string_value(json_object_get(j, "version")));
    json_decref(j);
    http_reply_free(&r);
    return v;
}

Test(serve, reload_swaps_the_model_without_failing_a_request)
{
    const char *fix = fixture_diamonds();
    char tmp[] = "/tmp/lolpop-serve-reload-XXXXXX";
    char *dir = lp_tmpdir_make(tmp);
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "cp -a '%s/.lolpop/deployments/diamond_price' '%s/dp'", fix, dir);
    cr_assert_eq(system(cmd), 0);
    server s;
    const char *args[] = {"--reload", "--threads", "2", NULL};
    server_start(&s, dir, "dp", args);
    char *v = version_of(&s);
    cr_assert_str_eq(v, "diamond_price/v1");
    free(v);

    char *body = diamond_rows_json(fix, 2);
    hammer h[2] = {{.s = &s, .body = body}, {.s = &s, .body = body}};
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, hammer_loop, &h[i]);
    usleep(300000);
    /* a new version appears, then the link moves to it atomically, as the deployer does */
    snprintf(cmd, sizeof cmd,
             "cd '%s/dp' && cp -a v1 v2 && ln -s v2 current.new && mv -T current.new current", dir);
    cr_assert_eq(system(cmd), 0);
    bool moved = false;
    for (int i = 0; i < 100 && !moved; i++) {
        usleep(50000);
        v = version_of(&s);
        moved = strcmp(v, "diamond_price/v2") == 0;
        free(v);
    }
    usleep(300000); /* more requests on the new model */
    for (int i = 0; i < 2; i++) {
        atomic_store(&h[i].stop, true);
        pthread_join(t[i], NULL);
    }
    cr_assert(moved, "/version did not change within 5 s:\n%s", server_log(&s));
    for (int i = 0; i < 2; i++) {
        cr_assert_eq(h[i].failed, 0, "%ld of %ld requests failed during the swap; first: %s",
                     h[i].failed, h[i].failed + h[i].ok, h[i].first_failure);
        cr_assert_gt(h[i].ok, 10);
    }
    http_reply r = http(&s, "GET", "/metrics", NULL, NULL, 0);
    cr_assert_not_null(strstr(r.body, "lolpop_model_reloads_total 1\n"), "%s", r.body);
    http_reply_free(&r);
    cr_assert_eq(server_stop(&s), 0);
    char *log = server_log(&s);
    cr_assert_not_null(strstr(log, "reloaded: now serving diamond_price/v2 (was diamond_price/v1)"),
                       "%s", log);
    free(log);
    free(body);
    lp_tmpdir_remove(dir);
}

/* ---- the command line ------------------------------------------------------------------ */

Test(serve, command_line_errors)
{
    const char *dir = fixture_diamonds();
    struct {
        const char *args[6];
        int code;
        const char *err;
    } cases[] = {
        {{"serve", NULL}, 2, "expected the MODEL to serve"},
        {{"serve", DIAMONDS_MODEL, "--port", "70000", NULL}, 2, "'--port' expects a number"},
        {{"serve", DIAMONDS_MODEL, "--threads", "0", NULL}, 2, "'--threads' expects a number"},
        {{"serve", DIAMONDS_MODEL, "--max-body", "x", NULL}, 2, "'--max-body' expects"},
        {{"serve", "no_such_model", "--port", "0", NULL},
         1,
         "no model 'no_such_model' in the metadata store"},
        {{"serve", "diamond_price@canary", "--port", "0", NULL}, 1, "has no alias 'canary'"},
        {{"serve", "diamond_prise", "--port", "0", NULL},
         1,
         "no model 'diamond_prise' in the metadata store '.lolpop/lolpop.db' (did you mean "
         "'diamond_price'?)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        lp_run r = lp_run_exe(LP_LOLPOP_EXE, dir, NULL, cases[i].args, 20000);
        LP_EXPECT_EXIT(r, cases[i].code);
        LP_EXPECT_ERR(r, cases[i].err);
        lp_run_free(&r);
    }
    const char *help[] = {"serve", "--help", NULL};
    lp_run r = lp_run_exe(LP_LOLPOP_EXE, dir, NULL, help, 20000);
    LP_EXPECT_EXIT(r, 0);
    LP_EXPECT_OUT(r, "POST /invocations");
    lp_run_free(&r);
}

Test(serve, model_by_name_from_the_store_and_port_in_use)
{
    const char *dir = fixture_diamonds();
    server s;
    server_start(&s, dir, "diamond_price", NULL);
    char port[16];
    snprintf(port, sizeof port, "%d", s.port);
    const char *args[] = {"serve", "diamond_price", "--port", port, NULL};
    lp_run r = lp_run_exe(LP_LOLPOP_EXE, dir, NULL, args, 20000);
    LP_EXPECT_EXIT(r, 1);
    LP_EXPECT_ERR(r, "cannot listen on 127.0.0.1:");
    lp_run_free(&r);
    char *v = version_of(&s);
    cr_assert_str_eq(v, "diamond_price/v1");
    free(v);
    cr_assert_eq(server_stop(&s), 0);
}

Test(serve, bundle_directory_and_one_log_line_per_request)
{
    const char *dir = fixture_diamonds();
    server s;
    const char *args[] = {"-v", NULL};
    server_start(&s, dir, DIAMONDS_MODEL "/v1", args);
    http_reply r = http(&s, "GET", "/version", NULL, NULL, 0);
    EXPECT_STATUS(r, 200);
    cr_assert_not_null(strstr(r.body, "\"diamond_price/v1\""), "%s", r.body);
    http_reply_free(&r);
    char *body = diamond_rows_json(dir, 2);
    r = post_json(&s, "/predict", body);
    EXPECT_STATUS(r, 200);
    http_reply_free(&r);
    free(body);
    cr_assert_eq(server_stop(&s), 0);
    char *log = server_log(&s);
    cr_assert_not_null(strstr(log, "lolpop serve: serving diamond_price/v1 on http://127.0.0.1:"),
                       "%s", log);
    cr_assert_not_null(strstr(log, "lolpop serve: /version 200 0 rows "), "%s", log);
    cr_assert_not_null(strstr(log, "lolpop serve: /predict 200 2 rows "), "%s", log);
    free(log);
}

/* The titanic quickstart as shipped: raw passenger rows go through the
 * bundle's SQL step and feature transformer, and the answers are the
 * workflow's own predictions.csv. */
Test(serve, quickstart_bundle_scores_raw_rows_through_its_sql_step)
{
    char tmpl[64], src[512];
    snprintf(src, sizeof src, "%s/examples/quickstart/classification/titanic", LP_SOURCE_ROOT);
    const char *dir = lp_example_tmpdir(tmpl, sizeof tmpl, "serve-quickstart", src);
    lp_run r = lp_run_exe(LP_LOLPOP_EXE, dir, NULL,
                          (const char *const[]){"run", "workflow", "ClassificationRunner", "-c",
                                                "titanic.yaml", "-q", NULL},
                          240000);
    LP_EXPECT_EXIT(r, 0);
    lp_run_free(&r);
    server s;
    server_start(&s, dir, "titanic_survival", NULL);
    char path[512];
    snprintf(path, sizeof path, "%s/data/eval.csv", dir);
    char *csv = csv_head(path, 6);
    http_reply h = http(&s, "POST", "/predict", "text/csv", csv, strlen(csv));
    EXPECT_STATUS(h, 200);
    json_t *j = parse(&h);
    json_t *proba = json_object_get(j, "probabilities");
    cr_assert_eq(json_array_size(proba), 6, "%s", h.body);
    for (size_t i = 0; i < 6; i++) {
        double p1 = json_number_value(json_object_get(json_array_get(proba, i), "1"));
        double want = workflow_prediction(dir, i, 3);
        cr_assert(fabs(p1 - want) < 1e-12, "row %zu: p1 %.17g, workflow %.17g", i, p1, want);
    }
    json_decref(j);
    http_reply_free(&h);
    free(csv);
    cr_assert_eq(server_stop(&s), 0);
    lp_tmpdir_remove(dir);
}
