/*
 * fuzz_model.c — libFuzzer target for the saved-model decoder (model.h
 * lp_model_load), a parser of bytes read from the object store and from
 * deployment bundles. Whatever it accepts must be a sound model: every
 * feature, category, class label and attachment is read, and the model saves
 * and loads again; whatever it rejects must leave no model behind.
 *
 *   CC=clang meson setup build-fuzz -Dfuzz=true -Dtests=false
 *   ninja -C build-fuzz
 *   ./build-fuzz/fuzz/fuzz_model fuzz/corpus/model -max_total_time=60
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lolpop/error.h"
#include "lolpop/model.h"
#include "fuzz_registry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reads every string the model holds once so the sanitizers see a bad one. */
static void touch_model(const lp_model *m)
{
    volatile size_t sink = strlen(lp_model_backend(m)) + strlen(lp_model_target(m));
    for (size_t j = 0; j < lp_model_n_features(m); j++) {
        sink += strlen(lp_model_feature_name(m, j));
        for (size_t k = 0; k < lp_model_n_categories(m, j); k++)
            sink += strlen(lp_model_category(m, j, k));
    }
    for (size_t k = 0; k < lp_model_n_classes(m); k++)
        sink += strlen(lp_model_class_label(m, k));
    for (size_t i = 0; i < lp_model_n_attachments(m); i++) {
        const char *key = lp_model_attachment_key(m, i);
        size_t len = 0;
        const uint8_t *bytes = lp_model_attachment(m, key, &len);
        if (!bytes && len) abort();
        if (len) sink += bytes[len - 1];
    }
    (void)sink;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const lp_registry *reg = fuzz_registry();
    lp_model *m = (lp_model *)1;
    if (lp_model_load(&m, reg, data, size) != 0) {
        if (m != NULL && m != (lp_model *)1) abort(); /* a failure leaves no model */
        lp_error_clear();
        return 0;
    }
    touch_model(m);
    uint8_t *again = NULL;
    size_t len = 0;
    if (lp_model_save(&again, &len, m) != 0) abort();
    lp_model *m2 = NULL;
    if (lp_model_load(&m2, reg, again, len) != 0) abort(); /* what it saves it loads */
    if (lp_model_n_features(m2) != lp_model_n_features(m) ||
        lp_model_n_attachments(m2) != lp_model_n_attachments(m))
        abort();
    free(again);
    lp_model_unref(m2);
    lp_model_unref(m);
    lp_error_clear();
    return 0;
}
