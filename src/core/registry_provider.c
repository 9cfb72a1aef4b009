/*
 * registry_provider.c — the registry's table of providers (registry.h).
 *
 * A provider is a descriptor that some other layer knows how to use, filed
 * under a kind ("model_backend", "feature_state", ...) and a name: the core
 * stores and finds them without knowing what they are, so that a model
 * back-end or a saved-state applier enters the registry exactly like a
 * class does, from the init of the plugin that brings it. Typed wrappers in
 * the layers that define the descriptors check them and call these.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lolpop/registry.h"
#include "internal.h"
#include "registry_internal.h"

/* A kind or a name: non-empty, printable ASCII, no spaces. */
static bool is_word(const char *s)
{
    if (!s || !*s) return false;
    for (; *s; s++)
        if (*s <= ' ' || *s > '~') return false;
    return true;
}

LP_API int lp_registry_refuse_provider(lp_registry *reg, int code, const char *kind,
                                       const char *name, const char *why)
{
    return lp_registry_fail(reg, code, "%s '%s' %s", kind, name, why);
}

int lp_registry_check_provider_size(lp_registry *reg, const char *kind, const char *name,
                                    const char *type, size_t size, size_t min, size_t max)
{
    if (size >= min && size <= max) return 0;
    char why[200];
    snprintf(why, sizeof why,
             "has a descriptor of %zu bytes; this lolpop reads %s of %zu to %zu bytes (rebuild "
             "the plugin against this lolpop's headers)",
             size, type, min, max);
    return lp_registry_refuse_provider(reg, LP_EINVAL, kind, name, why);
}

static const lp_reg_provider *provider_find(const lp_registry *reg, const char *kind,
                                            const char *name)
{
    for (size_t i = 0; reg && kind && name && i < reg->n_providers; i++) {
        const lp_reg_provider *p = &reg->providers[i];
        if (strcmp(p->kind, kind) == 0 && strcmp(p->name, name) == 0) return p;
    }
    return NULL;
}

LP_API int lp_registry_add_provider(lp_registry *reg, const char *kind, const char *name,
                                    const void *desc)
{
    if (!reg || !desc)
        return lp_error_set(LP_EINVAL, "lp_registry_add_provider: NULL %s",
                            reg ? "descriptor" : "registry");
    if (!is_word(kind) || !is_word(name))
        return lp_registry_refuse_provider(
            reg, LP_EINVAL, is_word(kind) ? kind : "provider", name ? name : "(null)",
            "has an empty name or kind, or one with spaces or control characters");
    const lp_reg_provider *old = provider_find(reg, kind, name);
    if (old) {
        char why[512];
        snprintf(why, sizeof why, "is already registered by %s", old->source);
        return lp_registry_refuse_provider(reg, LP_EEXISTS, kind, name, why);
    }
    void *arr = reg->providers;
    int rc = lp_registry_grow(&arr, &reg->cap_providers, reg->n_providers, sizeof *reg->providers);
    reg->providers = arr;
    if (rc) return rc;
    reg->providers[reg->n_providers++] =
        (lp_reg_provider){kind, name, desc, lp_registry_source(reg)};
    return 0;
}

LP_API const void *lp_registry_find_provider(const lp_registry *reg, const char *kind,
                                             const char *name)
{
    const lp_reg_provider *p = provider_find(reg, kind, name);
    return p ? p->desc : NULL;
}

LP_API const char *lp_registry_provider_source(const lp_registry *reg, const char *kind,
                                               const char *name)
{
    const lp_reg_provider *p = provider_find(reg, kind, name);
    return p ? p->source : NULL;
}

LP_API size_t lp_registry_provider_count(const lp_registry *reg, const char *kind)
{
    size_t n = 0;
    for (size_t i = 0; reg && kind && i < reg->n_providers; i++)
        n += strcmp(reg->providers[i].kind, kind) == 0;
    return n;
}

LP_API const void *lp_registry_provider_at(const lp_registry *reg, const char *kind, size_t i,
                                           const char **name)
{
    for (size_t j = 0; reg && kind && j < reg->n_providers; j++) {
        const lp_reg_provider *p = &reg->providers[j];
        if (strcmp(p->kind, kind) != 0 || i-- > 0) continue;
        if (name) *name = p->name;
        return p->desc;
    }
    if (name) *name = NULL;
    return NULL;
}
