/*
 * fuzz_config.c — libFuzzer target for configuration loading: YAML parsing
 * (UTF-8 check, libfyaml events, anchors, merge keys, limits), environment
 * interpolation, reference resolution, merging, path lookup, --set, and the
 * workflow tests of a `tests:` section (structure and check expressions).
 *
 *   CC=clang meson setup build-fuzz -Dfuzz=true -Dtests=false
 *   ninja -C build-fuzz
 *   ./build-fuzz/fuzz/fuzz_config fuzz/corpus/config -max_total_time=60
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lolpop/config.h"
#include "lolpop/error.h"
#include "testing/testing_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Inputs starting with '\x01' are also tried as a --set assignment. Only
 * those: every assignment interns its text as an origin source for the life
 * of the process, and that table grows with each distinct input. */
static void fuzz_set(const uint8_t *data, size_t size, lp_diags *d)
{
    if (size < 1 || size > 256 || data[0] != 1) return;
    data++, size--;
    char *text = malloc(size + 1);
    if (!text) return;
    memcpy(text, data, size);
    text[size] = '\0';
    lp_value *doc = lp_value_map();
    if (doc) {
        lp_config_apply_set(doc, "a.b=1", d);
        lp_config_apply_set(doc, text, d);
        lp_config_resolve_refs(doc, d);
    }
    lp_value_unref(doc);
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lp_diags d;
    lp_diags_init(&d);
    lp_value *doc = NULL;
    if (lp_yaml_parse(&doc, (const char *)data, size, "fuzz.yaml", &d) == 0) {
        lp_value *base = lp_value_copy(doc);
        lp_config_interpolate_env(doc, &d);
        lp_config_resolve_refs(doc, &d);
        if (base) lp_config_merge(base, doc);
        (void)lp_config_path_get(doc, "a.b.0");
        if (lp_value_type(doc) == LP_MAP) {
            lp_test_hooks hooks = {0};
            lp_tests_parse(NULL, "fuzz", lp_map_get(doc, "tests"), NULL, &hooks, &d);
            lp_test_hooks_free(&hooks);
        }
        char *s = lp_value_to_string(doc);
        free(s);
        lp_value_unref(base);
    }
    lp_value_unref(doc);
    fuzz_set(data, size, &d);
    lp_diags_clear(&d);
    lp_error_clear();
    return 0;
}
