/*
 * deployer.h — shared by the files of LocalModelDeployer.
 */
#ifndef LP_COMPONENTS_MODEL_DEPLOYER_H
#define LP_COMPONENTS_MODEL_DEPLOYER_H

#include <jansson.h>

#include "components/components_internal.h"

/* The bundle's input.json and transform.json (NULL: the workflow has no
 * data_transformer) for model m deployed by self (new JSON values). An error
 * prefixed with `who` when the data_transformer cannot be bundled or the
 * bundle would not score the raw data (docs/bundles.md). */
int lp_deployer_bundle_parts(json_t **input, json_t **transform, lp_obj *self, lp_model *m,
                             const char *who);

#endif
