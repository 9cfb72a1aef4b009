/*
 * fuzz_frame_io.c — libFuzzer target for the binary frame decoder
 * (frame_io.h), a parser of untrusted bytes. Whatever it accepts must be a
 * sound frame (hashing and reading every value touches every offset, code
 * and dictionary entry) and must re-encode to exactly the input bytes (the
 * encoding is canonical); whatever it rejects must leave no frame behind.
 *
 *   CC=clang meson setup build-fuzz -Dfuzz=true -Dtests=false
 *   ninja -C build-fuzz
 *   ./build-fuzz/fuzz/fuzz_frame_io fuzz/corpus/frame_io -max_total_time=60
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lolpop/error.h"
#include "lolpop/frame.h"
#include "lolpop/frame_io.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reads every string and number once so the sanitizers see any bad index. */
static void touch_values(const lp_frame *f)
{
    volatile size_t sink = 0;
    for (size_t j = 0; j < lp_frame_cols(f); j++) {
        const lp_column *c = lp_frame_col(f, j);
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lp_frame *f = (lp_frame *)1;
    if (lp_frame_deserialize(&f, data, size) != 0) {
        if (f != NULL) abort(); /* a failure leaves *out NULL */
        lp_error_clear();
        return 0;
    }
    char hex[65];
    if (lp_frame_hash_hex(f, hex) != 0) abort();
    touch_values(f);
    uint8_t *again = NULL;
    size_t len = 0;
    if (lp_frame_serialize(f, &again, &len) != 0) abort();
    if (len != size || memcmp(again, data, size) != 0) abort(); /* canonical */
    free(again);
    lp_frame_unref(f);
    lp_error_clear();
    return 0;
}
