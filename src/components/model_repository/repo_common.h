/*
 * repo_common.h — what LocalModelRepository and LocalModelDeployer share
 * (repo_common.c; internal to liblolpop): finding the visible
 * metadata_tracker and turning the resource arguments they receive into
 * model_version resource maps (docs/ml-workflow.md), always through the
 * dispatcher.
 *
 * `who` is "Class (path).method", the prefix of every error message.
 * Ownership: results are new references; arguments are borrowed.
 */
#ifndef LP_COMPONENTS_REPO_COMMON_H
#define LP_COMPONENTS_REPO_COMMON_H

#include <stdbool.h>
#include <stdint.h>

#include "components/components_internal.h"

/* The metadata_tracker visible from self, or NULL with LP_ECONFIG set. */
lp_obj *lp_repo_tracker(lp_obj *self, const char *who);

/* The model_version resource map `ref` designates: a resource map (used as it
 * is when it carries id, name, version and parent, else looked up by id), an
 * int id or a uri string. NULL with the error set when it is absent or not a
 * model_version (`arg` names the argument in messages). */
lp_value *lp_repo_model_version(lp_obj *tracker, const lp_value *ref, const char *arg,
                                const char *who);

/* The model_version of a promotion (a promote_model result holding
 * `model_version`, or a promotion resource whose parent is the version). */
lp_value *lp_repo_promotion_model_version(lp_obj *tracker, const lp_value *promotion,
                                          const char *who);

/* A resource map's integer field (id, version, parent); -1 when absent. */
int64_t lp_repo_field(const lp_value *resource, const char *key);

/* True when tag `key` of resource holds boolean true. *out set; 0 or an error. */
int lp_repo_tag_true(lp_obj *tracker, lp_value *resource, const char *key, bool *out);

/* Sets tag `key` of the resource with row id `id` to value (consumed). */
int lp_repo_tag_id(lp_obj *tracker, int64_t id, const char *key, lp_value *value);

/* "user@host" of this process, for approval and deployment records (new string). */
char *lp_repo_who(void);

/* Seconds since the epoch (UTC), as the store records times. */
double lp_repo_now(void);

#endif
