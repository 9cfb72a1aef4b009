/*
 * deployer.h — shared by the files of LocalModelDeployer.
 */
#ifndef LP_COMPONENTS_MODEL_DEPLOYER_H
#define LP_COMPONENTS_MODEL_DEPLOYER_H

#include <jansson.h>
#include <stdbool.h>

#include "components/components_internal.h"

/* The bundle's input.json and transform.json (NULL: the workflow has no
 * data_transformer) for model m deployed by self (new JSON values). *seen is
 * false when self is outside a workflow that has data or a data_transformer
 * (`lolpop models promote`): the input then lists no columns. An error
 * prefixed with `who` when the data_transformer cannot be bundled or the
 * bundle would not score the raw data (docs/bundles.md). */
int lp_deployer_bundle_parts(json_t **input, json_t **transform, bool *seen, lp_obj *self,
                             lp_model *m, const char *who);

/* Records input and transform (may be NULL) with the model version mv (its
 * tag bundle_parts), so that deploying mv outside its workflow later gives
 * the same bundle. Borrows everything. */
int lp_deployer_parts_record(lp_obj *tracker, lp_value *mv, const json_t *input,
                             const json_t *transform);

/* The parts recorded with mv (new JSON values), or both NULL when it has none. */
int lp_deployer_parts_recall(json_t **input, json_t **transform, lp_obj *tracker, lp_value *mv);

#endif
