/*
 * saved.c — feature transformers' saved states applied without an instance
 * (lolpop/feature_state.h): appliers are registry providers, registered by
 * the plugin that brings the transformer class (the built-in plugin
 * registers LocalFeatureTransformer's), found by the class name the model
 * carries.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "components/components_internal.h"
#include "lolpop/feature_state.h"

/* The size of the first applier descriptor: every field up to apply. */
#define APPLIER_SIZE_V1 (offsetof(lp_feature_state_applier, apply) + sizeof(void (*)(void)))

LP_API int lp_registry_add_feature_state(lp_registry *reg, const lp_feature_state_applier *a)
{
    if (!reg || !a)
        return lp_error_set(LP_EINVAL, "lp_registry_add_feature_state: NULL %s",
                            reg ? "applier" : "registry");
    const char *name = a->cls ? a->cls : "(unnamed)";
    int rc = lp_registry_check_provider_size(reg, "feature-state applier", name,
                                             "lp_feature_state_applier", a->size, APPLIER_SIZE_V1,
                                             sizeof *a);
    if (rc) return rc;
    if (!a->cls || !*a->cls || !a->apply)
        return lp_registry_refuse_provider(reg, LP_EINVAL, "feature-state applier", name,
                                           "lacks a class name or an apply function");
    return lp_registry_add_provider(reg, LP_FEATURE_STATE_KIND, a->cls, a);
}

LP_API const lp_feature_state_applier *lp_registry_find_feature_state(const lp_registry *reg,
                                                                      const char *cls)
{
    return lp_registry_find_provider(reg, LP_FEATURE_STATE_KIND, cls);
}

LP_API int lp_feature_saved_apply(lp_frame **out, const lp_registry *reg, const char *cls,
                                  const uint8_t *state, size_t len, const lp_frame *X)
{
    *out = NULL;
    const lp_feature_state_applier *a = lp_registry_find_feature_state(reg, cls);
    if (a) return a->apply(out, state, len, X);
    return lp_error_set(LP_ENOTFOUND,
                        "the model was trained after feature transformer '%s', whose saved state "
                        "cannot be applied without its component (no plugin registers an applier "
                        "for it); configure it where predictions are made",
                        cls && *cls ? cls : "(unnamed)");
}

int lp_model_feature_state(char **cls, const uint8_t **state, size_t *len, const lp_model *m)
{
    size_t cls_len = 0;
    const uint8_t *name = lp_model_attachment(m, LP_FT_CLASS_KEY, &cls_len);
    *cls = NULL;
    *len = 0;
    *state = lp_model_attachment(m, LP_FT_STATE_KEY, len);
    if (!*state) return 0;
    *cls = lp_strndup(name ? (const char *)name : "", name ? cls_len : 0);
    return *cls ? 0 : lp_error_set(LP_ENOMEM, "out of memory");
}

LP_API int lp_model_features(lp_frame **out, const lp_registry *reg, const lp_model *m,
                             const lp_frame *X)
{
    char *name;
    const uint8_t *state;
    size_t state_len;
    int rc = lp_model_feature_state(&name, &state, &state_len, m);
    if (rc == 0 && !state) *out = lp_frame_ref((lp_frame *)(uintptr_t)X);
    if (rc || !state) return rc;
    rc = lp_feature_saved_apply(out, reg, name, state, state_len, X);
    free(name);
    return rc;
}
