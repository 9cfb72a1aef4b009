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

#endif
