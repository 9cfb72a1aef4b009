/*
 * model_backend.c — model back-ends as registry providers (model.h): the
 * typed wrappers over lp_registry_add_provider, which check a descriptor
 * once, when its plugin registers it, so lp_model_load can trust it.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "core/internal.h"
#include "lolpop/model.h"
#include "lolpop/registry.h"
#include "ml/additive.h"
#include "ml/backends.h"
#include "ml/ets_backend.h"
#include "ml/linear.h"
#include "ml/series_model.h"
#include "ml/xgb.h"

/* The size of the first lp_model_ops with a size field: every field up to
 * has_probabilities. A smaller size is no lp_model_ops at all. */
#define OPS_SIZE_V1 (offsetof(lp_model_ops, has_probabilities) + sizeof(void (*)(void)))

LP_API int lp_registry_add_model_backend(lp_registry *reg, const lp_model_ops *ops)
{
    if (!reg || !ops)
        return lp_error_set(LP_EINVAL, "lp_registry_add_model_backend: NULL %s",
                            reg ? "back-end" : "registry");
    const char *name = ops->name ? ops->name : "(unnamed)";
    int rc = lp_registry_check_provider_size(reg, "model back-end", name, "lp_model_ops", ops->size,
                                             OPS_SIZE_V1, sizeof(lp_model_ops));
    if (rc) return rc;
    const char *why = NULL;
    if (!ops->name || !*ops->name) {
        why = "has no name";
    } else if (!ops->load || !ops->predict || !ops->save || !ops->free) {
        why = "lacks one of load, predict, save, free (all are required)";
    }
    if (why) return lp_registry_refuse_provider(reg, LP_EINVAL, "model back-end", name, why);
    return lp_registry_add_provider(reg, LP_MODEL_BACKEND_KIND, ops->name, ops);
}

LP_API const lp_model_ops *lp_registry_find_model_backend(const lp_registry *reg, const char *name)
{
    return lp_registry_find_provider(reg, LP_MODEL_BACKEND_KIND, name);
}

int lp_ml_register_builtins(lp_registry *reg)
{
    int rc = lp_registry_add_model_backend(reg, &lp_xgb_ops);
    if (rc == 0) rc = lp_registry_add_model_backend(reg, &lp_linear_ops);
    if (rc == 0) rc = lp_registry_add_model_backend(reg, &lp_ets_ops);
    if (rc == 0) rc = lp_registry_add_model_backend(reg, &lp_additive_ops);
    return rc ? rc : lp_registry_add_model_backend(reg, &lp_series_model_ops);
}
