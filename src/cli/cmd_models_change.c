/*
 * cmd_models_change.c — `lolpop models approve | promote | rollback`: the
 * subcommands that change what a model serves.
 *
 * Refusals (unknown model or version, not approved, nothing to roll back to)
 * are decided from the store before anything is built, so they leave no
 * trace. The change itself goes through the components, as a workflow would:
 * LocalMetadataTracker (the store), LocalModelRepository (approval) and
 * LocalModelDeployer (bundle, `current`, the deployment record with who /
 * when / what), under the model's deploy lock (tracker lock_model), the same
 * lock the workflows' compare-and-deploy takes. The tracker records the
 * command as a run of the store.
 */
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_models.h"
#include "cmd_runs.h"
#include "core/internal.h"
#include "lolpop/types/metadata_tracker.h"

/* The components of one change, in a workflow of their own. */
typedef struct change {
    cli_session session;
    lp_diags diags;
    lp_value *doc;
    lp_workflow *wf;
    lp_obj *tracker, *repo, *deployer;
    char *who;
    bool locked;
} change;

/* Where the model's bundles go: --deploy-dir, else the directory of its last
 * bundle's model directory, else the default. New string. */
static char *deploy_dir_of(const models_args *a, lp_store *st, const lp_value *model)
{
    if (a->deploy_dir) return lp_strdup(a->deploy_dir);
    lp_value *deps = models_deployments(st, model);
    size_t n = lp_list_len(deps);
    const char *path = n ? runs_str(lp_list_get(deps, n - 1), "path") : NULL;
    char *dir = NULL;
    if (path) { /* <deploy_dir>/<name>/vN */
        char *copy = lp_strdup(path);
        char *up = copy ? lp_strdup(dirname(copy)) : NULL;
        dir = up ? lp_strdup(dirname(up)) : NULL;
        free(copy);
        free(up);
    }
    lp_value_unref(deps);
    return dir ? dir : lp_strdup(".lolpop/deployments");
}

/* The directory of the store file: LocalResourceVersionControl's objects
 * live beside it in the default layout (.lolpop/lolpop.db, .lolpop/objects). */
static char *vc_dir_of(const char *store)
{
    const char *path = strncmp(store, "sqlite:", 7) == 0 ? store + 7 : store;
    char *copy = lp_strdup(path);
    char *dir = copy ? lp_strdup(dirname(copy)) : NULL;
    free(copy);
    return dir;
}

/* {config: {key: value}} (new map). */
static lp_value *config_of(const char *key, const char *value)
{
    lp_value *cfg = lp_value_map();
    lp_map_set(cfg, key, lp_value_string(value));
    lp_value *slot = lp_value_map();
    lp_map_set(slot, "config", cfg);
    return slot;
}

/* Builds tracker + version control + repository + deployer. 0 or an exit code. */
static int change_open(change *c, const models_args *a, lp_store *st, const lp_value *model)
{
    cli_session_init(&c->session, a->cmd);
    lp_diags_init(&c->diags);
    int rc = cli_session_load_registry(&c->session);
    if (rc) return rc;
    char *deploy_dir = deploy_dir_of(a, st, model), *vc = vc_dir_of(a->store);
    lp_value *slots = lp_value_map();
    lp_map_set(slots, "metadata_tracker", lp_value_string("LocalMetadataTracker"));
    lp_map_set(slots, "resource_version_control", lp_value_string("LocalResourceVersionControl"));
    lp_map_set(slots, "model_repository", lp_value_string("LocalModelRepository"));
    /* results on stdout, the components' log lines on stderr */
    lp_map_set(slots, "logger", lp_value_string("FileLogger"));
    c->doc = lp_value_map();
    lp_map_set(c->doc, "component", slots);
    lp_map_set(c->doc, "metadata_tracker", config_of("store", a->store));
    lp_map_set(c->doc, "resource_version_control", config_of("dir", vc ? vc : ".lolpop"));
    lp_map_set(c->doc, "model_deployer", config_of("deploy_dir", deploy_dir));
    lp_map_set(c->doc, "logger", config_of("log_filename", "/dev/stderr"));
    free(deploy_dir);
    free(vc);
    rc = cli_component_build(&c->wf, c->session.reg, c->doc, "model_deployer", "LocalModelDeployer",
                             &c->diags);
    if (rc) return rc;
    lp_obj *root = lp_workflow_root(c->wf);
    c->tracker = lp_obj_component(root, "metadata_tracker");
    c->repo = lp_obj_component(root, "model_repository");
    c->deployer = lp_obj_component(root, "model_deployer");
    c->who = lp_store_who();
    return c->tracker && c->repo && c->deployer && c->who ? 0 : CLI_FAIL;
}

/* Takes the model's deploy lock. 0 or an exit code (printed). */
static int change_lock(change *c, const lp_value *model)
{
    lp_value *r = lp_call_with(c->tracker, "lock_model", "model",
                               lp_value_string(runs_str(model, "name")), (const char *)NULL);
    if (!r) {
        cli_print_last_error();
        return CLI_FAIL;
    }
    lp_value_unref(r);
    c->locked = true;
    return 0;
}

/* Releases the lock, ends the tracker's run (succeeded when ok) and frees c. */
static void change_close(change *c, const lp_value *model, bool ok)
{
    if (c->locked) {
        lp_value *r = lp_call_with(c->tracker, "unlock_model", "model",
                                   lp_value_string(runs_str(model, "name")), (const char *)NULL);
        lp_value_unref(r);
    }
    if (ok && c->tracker && lp_metadata_tracker_stop(c->tracker) != 0) cli_print_last_error();
    lp_workflow_free(c->wf);
    lp_value_unref(c->doc);
    lp_diags_clear(&c->diags);
    cli_session_free(&c->session);
    free(c->who);
}

/* Approves the version through the repository (approval only: no alias
 * moves). 0 or an exit code (printed). */
static int approve_version(change *c, lp_value *version)
{
    lp_value *promo = lp_value_map();
    lp_map_set(promo, "model_version", lp_value_ref(version));
    lp_value *r =
        lp_call_with(c->repo, "approve_model", "promotion", promo, "set_alias",
                     lp_value_bool(false), "who", lp_value_string(c->who), (const char *)NULL);
    if (!r) cli_print_last_error();
    lp_value_unref(r);
    return r ? 0 : CLI_FAIL;
}

/* Whether the version's tag `approved` is true (read from the store). */
static bool is_approved(lp_store *st, const lp_value *version)
{
    lp_value *v = NULL;
    if (lp_store_tag_get(st, runs_int(version, "id"), "approved", &v) != 0) lp_error_clear();
    bool yes = lp_value_type(v) == LP_BOOL && lp_value_as_bool(v);
    lp_value_unref(v);
    return yes;
}

int models_approve(models_args *a, lp_store *st)
{
    models_ref r;
    int rc = models_resolve(st, a, a->pos.v[1], true, &r);
    if (rc) return rc;
    change c = {0};
    rc = change_open(&c, a, st, r.model);
    if (rc == 0) rc = approve_version(&c, r.version);
    if (rc == 0 && a->json) {
        lp_value *out = lp_value_map();
        lp_map_set(out, "model", lp_value_string(runs_str(r.model, "name")));
        lp_map_set(out, "version", lp_value_int(runs_int(r.version, "version")));
        lp_map_set(out, "approved", lp_value_bool(true));
        lp_map_set(out, "by", lp_value_string(c.who));
        rc = runs_print_json(out);
        lp_value_unref(out);
    } else if (rc == 0) {
        printf("approved %s/v%lld (by %s)\n", runs_str(r.model, "name"),
               (long long)runs_int(r.version, "version"), c.who);
    }
    change_close(&c, r.model, rc == 0);
    models_ref_clear(&r);
    return rc;
}

/* Deploys `version` through the deployer (under the lock the caller holds)
 * and prints what changed. 0 or an exit code. */
static int deploy_version(change *c, const models_args *a, lp_store *st, const models_ref *r,
                          lp_value *version, const char *action)
{
    int64_t before =
        models_version_of(st, models_tag_int(st, runs_int(r->model, "id"), "deployed_version"));
    lp_value *d =
        lp_call_with(c->deployer, "deploy_model", "promotion", lp_value_null(), "model_version",
                     lp_value_ref(version), "action", lp_value_string(action), "who",
                     lp_value_string(c->who), (const char *)NULL);
    if (!d) {
        cli_print_last_error();
        return CLI_FAIL;
    }
    const char *name = runs_str(r->model, "name"), *path = runs_str(d, "path");
    int64_t v = runs_int(version, "version");
    int rc = CLI_OK;
    if (a->json) {
        lp_value *out = lp_value_map();
        lp_map_set(out, "model", lp_value_string(name));
        lp_map_set(out, "action", lp_value_string(action));
        lp_map_set(out, "alias", lp_value_string("production"));
        lp_map_set(out, "version", lp_value_int(v));
        lp_map_set(out, "previous", before ? lp_value_int(before) : lp_value_null());
        lp_map_set(out, "path", lp_value_string(path));
        lp_map_set(out, "deployment",
                   lp_value_string(runs_str(lp_map_get(d, "deployment"), "uri")));
        lp_map_set(out, "by", lp_value_string(c->who));
        rc = runs_print_json(out);
        lp_value_unref(out);
    } else {
        char was[32] = "none";
        if (before) snprintf(was, sizeof was, "v%lld", (long long)before);
        printf("%s: production -> v%lld (was %s); bundle %s\n", name, (long long)v, was, path);
    }
    lp_value_unref(d);
    return rc;
}

int models_promote(models_args *a, lp_store *st)
{
    models_ref r;
    int rc = models_resolve(st, a, a->pos.v[1], true, &r);
    if (rc) return rc;
    bool approved = is_approved(st, r.version);
    if (!approved && !a->force) {
        cli_error("%s/v%lld is not approved: approve it first (lolpop models approve %s/v%lld) "
                  "or pass --force",
                  runs_str(r.model, "name"), (long long)runs_int(r.version, "version"),
                  runs_str(r.model, "name"), (long long)runs_int(r.version, "version"));
        models_ref_clear(&r);
        return CLI_USAGE;
    }
    change c = {0};
    rc = change_open(&c, a, st, r.model);
    if (rc == 0) rc = change_lock(&c, r.model);
    if (rc == 0 && !approved) rc = approve_version(&c, r.version); /* --force */
    if (rc == 0) rc = deploy_version(&c, a, st, &r, r.version, "promote");
    change_close(&c, r.model, rc == 0);
    models_ref_clear(&r);
    return rc;
}

/* The version production served before the current one: the deployment
 * history replayed as a stack (deploy and promote push, rollback pops), its
 * second entry. *id the row id, 0 when there is none. */
static void rollback_target(lp_store *st, const lp_value *model, int64_t *id)
{
    lp_value *deps = models_deployments(st, model);
    size_t n = lp_list_len(deps);
    int64_t *stack = calloc(n + 1, sizeof *stack);
    size_t top = 0;
    for (size_t i = 0; stack && i < n; i++) {
        const lp_value *d = lp_list_get(deps, i);
        int64_t v = runs_int(d, "version_id");
        const char *action = runs_str(d, "action");
        if (action && strcmp(action, "rollback") == 0 && top > 0) top--;
        if (top == 0 || stack[top - 1] != v) stack[top++] = v;
    }
    int64_t current = models_tag_int(st, runs_int(model, "id"), "deployed_version");
    *id = stack && top >= 2 && stack[top - 1] == current ? stack[top - 2] : 0;
    free(stack);
    lp_value_unref(deps);
}

int models_rollback(models_args *a, lp_store *st)
{
    models_ref r;
    int rc = models_resolve(st, a, a->pos.v[1], false, &r);
    if (rc == 0 && r.version) {
        rc = cli_usage_error(a->cmd, "'models rollback' takes a model NAME, not a version (use "
                                     "'models promote NAME/vN' to choose one)");
    }
    int64_t target = 0;
    if (rc == 0) rollback_target(st, r.model, &target);
    if (rc == 0 && !target) {
        cli_error("model '%s' has no previous production version to roll back to",
                  runs_str(r.model, "name"));
        rc = CLI_USAGE;
    }
    change c = {0};
    bool opened = rc == 0;
    if (rc == 0) rc = change_open(&c, a, st, r.model);
    if (rc == 0) rc = change_lock(&c, r.model);
    if (rc == 0) rollback_target(st, r.model, &target); /* again, under the lock */
    if (rc == 0 && !target) {
        cli_error("model '%s' has no previous production version to roll back to",
                  runs_str(r.model, "name"));
        rc = CLI_USAGE;
    }
    lp_value *version = NULL;
    if (rc == 0 && lp_store_resource_get(st, target, &version) != 0) {
        cli_print_last_error();
        rc = CLI_FAIL;
    }
    if (rc == 0) rc = deploy_version(&c, a, st, &r, version, "rollback");
    lp_value_unref(version);
    if (opened) change_close(&c, r.model, rc == 0);
    models_ref_clear(&r);
    return rc;
}
