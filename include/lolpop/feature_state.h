/*
 * feature_state.h — a feature transformer's saved state, applied without the
 * component: how a model that carries its transformer predicts anywhere.
 *
 * A model trained after a feature transformer carries the transformer's
 * class name and the bytes its save() returned, as two model attachments
 * (LP_FT_CLASS_KEY, LP_FT_STATE_KEY; docs/ml-workflow.md). The predict
 * pipeline, the deployment bundle and a trainer with no feature_transformer
 * configured prepare features from those bytes through the applier
 * registered for that class. A plugin feature_transformer registers its own
 * applier in its init, as the built-in plugin registers LocalFeatureTransformer's:
 *
 *     static const lp_feature_state_applier applier = {
 *         sizeof applier, "MyScaler", my_scaler_apply};
 *     lp_registry_add_feature_state(reg, &applier);
 *
 * Ownership: descriptors are borrowed (static data of the plugin); frames
 * returned are new references; inputs are borrowed.
 */
#ifndef LOLPOP_FEATURE_STATE_H
#define LOLPOP_FEATURE_STATE_H

#include <stddef.h>
#include <stdint.h>
#include "frame.h"
#include "model.h"
#include "registry.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Attachment keys of a model trained after a feature transformer. */
#define LP_FT_STATE_KEY "feature_transformer.state"
#define LP_FT_CLASS_KEY "feature_transformer.class"

/* The registry's kind for appliers (lp_registry_add_provider). */
#define LP_FEATURE_STATE_KIND "feature_state"

/* Applies the saved state of one feature_transformer class.
 * - size: sizeof(lp_feature_state_applier) when compiled (lets it grow).
 * - cls: the class whose save() bytes apply reads.
 * - apply: X transformed as the fitted transformer would (*out: new
 *   reference); state/len are save()'s bytes, X borrowed. An error (with
 *   context) for bytes it cannot read or a frame that does not fit. */
typedef struct lp_feature_state_applier {
    size_t size;
    const char *cls;
    int (*apply)(lp_frame **out, const uint8_t *state, size_t len, const lp_frame *X);
} lp_feature_state_applier;

/* Registers an applier under a->cls. 0; LP_EEXISTS for a class that has one
 * (naming both plugins); LP_EINVAL for a descriptor without cls or apply, or
 * of a size this lolpop does not know (the message names both sizes). */
int lp_registry_add_feature_state(lp_registry *reg, const lp_feature_state_applier *a);
/* The applier of class `cls`, borrowed; NULL when none (no error set). */
const lp_feature_state_applier *lp_registry_find_feature_state(const lp_registry *reg,
                                                               const char *cls);

/* Applies `state` (save()'s bytes of a `cls` transformer) to X through the
 * applier registered for cls. *out: new reference. LP_ENOTFOUND naming the
 * class when none is registered. */
int lp_feature_saved_apply(lp_frame **out, const lp_registry *reg, const char *cls,
                           const uint8_t *state, size_t len, const lp_frame *X);

/* X prepared as m's training features were: through the transformer state m
 * carries (lp_feature_saved_apply), or X itself when it carries none.
 * *out: new reference. */
int lp_model_features(lp_frame **out, const lp_registry *reg, const lp_model *m, const lp_frame *X);

#ifdef __cplusplus
}
#endif
#endif
