/*
 * fuzz_expr.c — libFuzzer target for check expressions: lexing, parsing
 * (limits on depth and length), and evaluation of whatever parses against a
 * small environment holding a frame, nested maps, a list and scalars.
 * A failed parse or evaluation must leave its output NULL.
 *
 *   CC=clang meson setup build-fuzz -Dfuzz=true -Dtests=false
 *   ninja -C build-fuzz
 *   ./build-fuzz/fuzz/fuzz_expr fuzz/corpus/expr -max_total_time=60
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "expr/expr.h"
#include "lolpop/csv.h"
#include "lolpop/error.h"
#include "lolpop/frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* {frame: (a int, b float, s string), result: {metrics: {valid: {f1}}}, items, n, name} */
static lp_value *make_env(void)
{
    static const char csv[] = "a,b,s\n1,0.5,x\n2,1.5,y\n,2.5,x\n4,,z\n";
    lp_frame *f = NULL;
    if (lp_csv_read_buffer(&f, csv, sizeof csv - 1, "env.csv", NULL) != 0) abort();
    lp_value *items = lp_value_list();
    lp_list_append(items, lp_value_int(3));
    lp_list_append(items, lp_value_float(-1.5));
    lp_list_append(items, lp_value_null());
    lp_list_append(items, lp_value_string("s"));
    lp_value *valid = lp_map_put(lp_value_map(), "f1", lp_value_float(0.75));
    lp_value *env = lp_value_map();
    lp_map_set(env, "frame", lp_value_frame(f));
    lp_map_set(env, "result",
               lp_map_put(lp_value_map(), "metrics", lp_map_put(lp_value_map(), "valid", valid)));
    lp_map_set(env, "items", items);
    lp_map_set(env, "n", lp_value_int(10));
    lp_map_set(env, "name", lp_value_string("iris"));
    lp_frame_unref(f);
    return env;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > LP_EXPR_MAX_LEN + 16) return 0;
    char *text = malloc(size + 1);
    if (!text) return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    lp_expr *e = (lp_expr *)text; /* a failed parse must reset it */
    if (lp_expr_parse(&e, text, NULL) == 0) {
        lp_value *env = make_env(), *v = (lp_value *)text;
        if (lp_expr_eval(&v, e, env) == 0) {
            char *s = lp_value_to_string(v);
            free(s);
        } else if (v) {
            abort();
        }
        lp_value_unref(v);
        lp_value_unref(env);
    } else if (e) {
        abort();
    }
    lp_expr_free(e);
    free(text);
    lp_error_clear();
    return 0;
}
