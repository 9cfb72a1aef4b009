/*
 * fuzz_value_codec.c — libFuzzer target for the result-cache value decoder
 * (src/store/value_codec.h), which reads bytes from the store as untrusted.
 * Whatever it accepts must encode again, and that encoding must decode to a
 * value that encodes to the very same bytes (a fixed point); whatever it
 * rejects must leave no value behind. Frames and models are looked up in an
 * empty object store, so references to them must be rejected cleanly.
 *
 *   CC=clang meson setup build-fuzz -Dfuzz=true -Dtests=false
 *   ninja -C build-fuzz
 *   ./build-fuzz/fuzz/fuzz_value_codec fuzz/corpus/value_codec -max_total_time=60
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lolpop/objstore.h"
#include "store/value_codec.h"
#include "fuzz_registry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static lp_objstore *store(void)
{
    static lp_objstore *os;
    static char dir[] = "/tmp/lolpop-fuzz-codec-XXXXXX";
    if (!os && mkdtemp(dir) && lp_objstore_open(&os, dir) != 0) os = NULL;
    return os;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lp_objstore *os = store();
    const lp_registry *reg = fuzz_registry();
    if (!os) abort();
    lp_value *v = (lp_value *)1;
    if (lp_value_decode(os, reg, data, size, &v) != 0) {
        if (v) abort(); /* a rejected input leaves no value */
        return 0;
    }
    uint8_t *a = NULL, *b = NULL;
    size_t alen = 0, blen = 0;
    lp_value *again = NULL;
    if (lp_value_encode(os, v, &a, &alen) != 0) abort();
    if (lp_value_decode(os, reg, a, alen, &again) != 0) abort();
    if (lp_value_encode(os, again, &b, &blen) != 0) abort();
    if (alen != blen || memcmp(a, b, alen) != 0) abort();
    free(a);
    free(b);
    lp_value_unref(again);
    lp_value_unref(v);
    return 0;
}
