/*
 * cmd_models.h — what cmd_models.c (options, resolving NAME/vN, `list`,
 * `show`) and cmd_models_change.c (`approve`, `promote`, `rollback`) share.
 * Not used elsewhere.
 */
#ifndef LP_CMD_MODELS_H
#define LP_CMD_MODELS_H

#include <stdbool.h>
#include <stdint.h>

#include "cli.h"
#include "store/store.h"

typedef struct models_args {
    const cli_command *cmd;
    cli_positionals pos;
    const char *store;      /* --store (default .lolpop/lolpop.db) */
    const char *alias;      /* --alias (promote; default production) */
    const char *deploy_dir; /* --deploy-dir, or NULL: where the model's bundles are */
    bool json, force;
} models_args;

/* A model and, when the reference named one, its version: resource maps
 * (new references; version NULL for a bare NAME). */
typedef struct models_ref {
    lp_value *model, *version;
} models_ref;

/* Resolves "NAME" or "NAME/vN" (also "NAME/N") in the store. 0, or CLI_USAGE
 * after printing "no model 'X'" / "model 'X' has no version vN" (listing what
 * there is); `need_version` makes a bare NAME a usage error. */
int models_resolve(lp_store *st, const models_args *a, const char *ref, bool need_version,
                   models_ref *out);
void models_ref_clear(models_ref *r);

/* The model's deployments, oldest first: maps {id, uri, version, version_id,
 * action, alias, who, at, previous (version number or null), path}. New list. */
lp_value *models_deployments(lp_store *st, const lp_value *model);
/* A model tag as an integer (ids are stored as JSON numbers); 0 when unset. */
int64_t models_tag_int(lp_store *st, int64_t resource, const char *key);
/* The version number of model_version row `id` (0 when none). */
int64_t models_version_of(lp_store *st, int64_t id);

/* The subcommands that change what is deployed (cmd_models_change.c). */
int models_approve(models_args *a, lp_store *st);
int models_promote(models_args *a, lp_store *st);
int models_rollback(models_args *a, lp_store *st);

#endif
