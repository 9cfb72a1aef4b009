/*
 * saved.c — feature transformers' saved states applied without an instance.
 *
 * A model trained after a feature transformer carries the transformer's class
 * name and saved state (docs/ml-workflow.md), so the predict pipeline, the
 * deployment bundle and `lolpop serve` can prepare features with no
 * transformer component configured. Each built-in transformer class has one
 * entry here.
 */
#include <string.h>

#include "components/components_internal.h"

typedef int (*saved_apply_fn)(lp_frame **out, const uint8_t *state, size_t len, const lp_frame *X);

static const struct {
    const char *cls;
    saved_apply_fn apply;
} appliers[] = {
    {"LocalFeatureTransformer", lp_local_feature_state_apply},
};

int lp_feature_saved_apply(lp_frame **out, const char *cls, const uint8_t *state, size_t len,
                           const lp_frame *X)
{
    for (size_t i = 0; i < sizeof appliers / sizeof appliers[0]; i++)
        if (cls && strcmp(appliers[i].cls, cls) == 0) return appliers[i].apply(out, state, len, X);
    return lp_error_set(LP_ENOTFOUND,
                        "the model was trained after feature transformer '%s', which cannot be "
                        "applied without its component; configure it where predictions are made",
                        cls ? cls : "(unnamed)");
}
