/*
 * pipelines_internal.h — the built-in pipeline classes (OfflineProcess,
 * OfflineTrain, OfflineDeploy, OfflinePredict) and the helpers they share
 * with the runners (not public API). Their helpers are the kit's
 * (include/lolpop/kit.h, src/kit/kit_internal.h).
 *
 * Pipelines orchestrate: every step calls the component in its slot through
 * the dispatcher, and a step whose slot is empty is skipped with an INFO line
 * (SPEC §6.1). Resources and tags follow docs/ml-workflow.md.
 */
#ifndef LP_PIPELINES_INTERNAL_H
#define LP_PIPELINES_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kit/kit_internal.h"
#include "lolpop/dispatch.h"
#include "lolpop/metrics.h"

extern const lp_class lp_offline_process_class;
extern const lp_class lp_offline_train_class;
extern const lp_class lp_offline_deploy_class;
extern const lp_class lp_offline_predict_class;

/* A check step's ending (check_outcome.c): records the checker's result against
 * version (borrowed; a resource version map; anything else records nothing), stops the
 * workflow at the checker's fail_on gate ("<step>: the <what> ended with …"),
 * otherwise notifies a WARN / ERROR status once. Takes result (may be NULL);
 * returns it, or NULL with the error set. */
lp_value *lp_pipeline_check_outcome(lp_obj *self, lp_obj *checker, lp_value *version,
                                    lp_value *result, const char *step, const char *what);

#endif
