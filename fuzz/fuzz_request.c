/*
 * fuzz_request.c — libFuzzer target for the bodies of `lolpop serve`'s
 * scoring requests (src/server/request_parse.h): JSON in /predict's and
 * MLflow's forms, and CSV. The first byte picks the form, the rest is the
 * body, parsed against a schema with a column of every type. Whatever is
 * accepted must be a sound frame of the schema's columns; whatever is
 * rejected must leave no frame and say why. A JSON body the direct reader
 * (request_fast.h) takes must give the jansson tree reader's frame, hash for
 * hash.
 *
 *   CC=clang meson setup build-fuzz -Dfuzz=true -Dtests=false
 *   ninja -C build-fuzz
 *   ./build-fuzz/fuzz/fuzz_request fuzz/corpus/request -max_total_time=60
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lolpop/error.h"
#include "lolpop/frame.h"
#include "server/request_fast.h"
#include "server/request_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* "i" and "t" optional: a request may leave them out (then null) */
static srv_input_column cols[] = {
    {"f", LP_DT_FLOAT64, true}, {"i", LP_DT_INT64, false},   {"b", LP_DT_BOOL, true},
    {"s", LP_DT_STRING, true},  {"c", LP_DT_CATEGORY, true}, {"t", LP_DT_TIMESTAMP, false},
};

/* Reads every value once so that the sanitizers see any bad index. */
static void touch_values(const lp_frame *f)
{
    volatile size_t sink = 0;
    for (size_t j = 0; j < lp_frame_cols(f); j++) {
        const lp_column *c = lp_frame_col(f, j);
        if (c->length != lp_frame_rows(f)) abort();
        for (size_t i = 0; i < c->length; i++) {
            size_t len = 0;
            const char *s = lp_column_str(c, i, &len);
            if (s && len) sink += (unsigned char)s[len - 1];
            double x = lp_column_get_f64(c, i);
            sink += x == x;
        }
    }
    (void)sink;
}

/* The direct reader agrees with the tree reader wherever it answers. */
static void check_direct_reader(srv_body_kind kind, const char *body, size_t len,
                                const srv_input *in)
{
    lp_frame *fast = NULL, *tree = NULL;
    if (srv_parse_fast(&fast, kind, body, len, in) != 0) {
        if (fast) abort();
        return;
    }
    srv_parse_error err;
    if (srv_parse_body_tree(&tree, &err, kind, body, len, in) != 0) abort();
    char a[65], b[65];
    if (lp_frame_hash_hex(fast, a) != 0 || lp_frame_hash_hex(tree, b) != 0 || strcmp(a, b) != 0)
        abort();
    lp_frame_unref(fast);
    lp_frame_unref(tree);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    static const srv_body_kind kinds[] = {SRV_BODY_PREDICT, SRV_BODY_MLFLOW, SRV_BODY_CSV};
    srv_body_kind kind = kinds[data[0] % 3];
    const srv_input in = {cols, sizeof cols / sizeof *cols};
    lp_frame *f = NULL;
    srv_parse_error err;
    int rc = srv_parse_body(&f, &err, kind, (const char *)data + 1, size - 1, &in);
    if (kind != SRV_BODY_CSV) check_direct_reader(kind, (const char *)data + 1, size - 1, &in);
    if (rc == 0) {
        if (!f || lp_frame_cols(f) != in.n) abort();
        for (size_t j = 0; j < in.n; j++)
            if (strcmp(lp_frame_name(f, j), cols[j].name) != 0) abort();
        touch_values(f);
        lp_frame_unref(f);
    } else {
        if (f || !err.message[0] || (rc != LP_EINVAL && rc != LP_ENOMEM)) abort();
        if (err.row < -1) abort();
    }
    return 0;
}
