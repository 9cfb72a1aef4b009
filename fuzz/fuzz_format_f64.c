/*
 * fuzz_format_f64.c — libFuzzer target for the CSV writer's float formatter:
 * lp_csv_format_f64 (integer digits) must write byte for byte what its
 * definition lp_csv_format_f64_printf (snprintf at 15, 16, 17 digits, each
 * parsed back) writes, and that text must read back as the same double. Each
 * 8 bytes of input are one double; each 4 bytes also one float32 widened to
 * double (XGBoost's probabilities).
 *
 *   CC=clang meson setup build-fuzz -Dfuzz=true -Dtests=false
 *   ninja -C build-fuzz
 *   ./build-fuzz/fuzz/fuzz_format_f64 fuzz/corpus/format_f64 -max_total_time=60
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "data/csv_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(double v)
{
    char want[40], got[40];
    size_t wn = lp_csv_format_f64_printf(want, v);
    size_t gn = lp_csv_format_f64(got, v);
    if (wn != gn || memcmp(want, got, wn + 1) != 0) abort();
    double back;
    if (!isnan(v) && (!lp_csv_parse_f64(got, gn, &back) || back != v)) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    for (size_t i = 0; i + 8 <= size; i += 8) {
        double v;
        memcpy(&v, data + i, 8);
        check(v);
    }
    for (size_t i = 0; i + 4 <= size; i += 4) {
        float f;
        memcpy(&f, data + i, 4);
        check((double)f);
    }
    return 0;
}
