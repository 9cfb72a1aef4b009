/*
 * fuzz_bundle.c — libFuzzer target for the parsers of a deployment bundle's
 * JSON files (src/bundle/manifest.c): bundle.json, input.json and
 * transform.json, which lp_bundle_open reads from a directory anyone may have
 * edited. The first byte picks the parser (mod 3), the rest is the file.
 * Whatever a parser accepts must hold what the loader relies on without
 * checking again (the fields it reads, with their types); whatever it rejects
 * must leave nothing behind.
 *
 *   CC=clang meson setup build-fuzz -Dfuzz=true -Dtests=false
 *   ninja -C build-fuzz
 *   ./build-fuzz/fuzz/fuzz_bundle fuzz/corpus/bundle -max_total_time=60
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bundle/bundle_internal.h"
#include "lolpop/error.h"
#include "lolpop/frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The manifest's promises: versions typed, every named file listed. */
static void check_manifest(const lp_value *m)
{
    if (lp_value_type(lp_map_get(m, "format")) != LP_INT ||
        lp_value_type(lp_map_get(m, "abi_version")) != LP_INT ||
        !lp_value_as_string(lp_map_get(m, "lolpop_version")))
        abort();
    const lp_value *files = lp_map_get(m, "files");
    for (size_t i = 0; i < lp_map_len(files); i++) {
        const lp_value *f = lp_map_value(files, i);
        const char *sha = lp_value_as_string(lp_map_get(f, "sha256"));
        if (!lp_bundle_plain_name(lp_map_key(files, i)) || !sha || strlen(sha) != 64) abort();
    }
    const char *keys[] = {"model_file", "input_file", "transform_file"};
    for (size_t k = 0; k < 3; k++) {
        const char *name = lp_value_as_string(lp_map_get(m, keys[k]));
        if ((name || k < 2) && (!name || !lp_map_get(files, name))) abort();
    }
    if (lp_bundle_check_versions(m, "fuzz") != 0) lp_error_clear();
}

/* The input schema's promises: typed columns, a task, labels. */
static void check_input(const lp_value *in)
{
    const lp_value *cols = lp_map_get(in, "columns");
    for (size_t i = 0; lp_value_type(cols) == LP_LIST && i < lp_list_len(cols); i++) {
        const lp_value *c = lp_list_get(cols, i);
        lp_dtype t;
        if (!lp_value_as_string(lp_map_get(c, "name")) ||
            lp_dtype_parse(lp_value_as_string(lp_map_get(c, "dtype")), &t) != 0 ||
            lp_value_type(lp_map_get(c, "required")) != LP_BOOL)
            abort();
    }
    if (!lp_value_as_string(lp_map_get(in, "task")) ||
        !lp_value_as_string(lp_map_get(lp_map_get(in, "target"), "name")))
        abort();
    const lp_value *classes = lp_map_get(in, "classes");
    for (size_t i = 0; i < lp_list_len(classes); i++)
        if (!lp_value_as_string(lp_list_get(classes, i))) abort();
}

/* The transform's promises: a class, a config map, one table or more. */
static void check_transform(const lp_value *t)
{
    const lp_value *tables = lp_map_get(t, "tables");
    if (!lp_value_as_string(lp_map_get(t, "class")) ||
        lp_value_type(lp_map_get(t, "config")) != LP_MAP || lp_list_len(tables) == 0)
        abort();
    for (size_t i = 0; i < lp_list_len(tables); i++)
        if (!lp_value_as_string(lp_list_get(tables, i))) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) return 0;
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    lp_value *v = (lp_value *)1;
    int rc;
    switch (data[0] % 3) {
    case 0:
        rc = lp_bundle_manifest_parse(&v, text, len);
        break;
    case 1:
        rc = lp_bundle_input_parse(&v, text, len);
        break;
    default:
        rc = lp_bundle_transform_parse(&v, text, len);
        break;
    }
    if (rc != 0) {
        if (v != NULL) abort(); /* a failure leaves nothing behind */
        lp_error_clear();
        return 0;
    }
    if (data[0] % 3 == 0)
        check_manifest(v);
    else if (data[0] % 3 == 1)
        check_input(v);
    else
        check_transform(v);
    lp_value_unref(v);
    return 0;
}
