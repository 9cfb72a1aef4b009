/*
 * cli_component.c — one component in a workflow of its own, for the tool
 * commands that use a component class directly (`seed` a data_connector,
 * `datagen` a data_synthesizer).
 *
 * The component sits under a hidden runner so that it gets what every
 * component may use (logger, notifier, configuration lookup, the dispatcher);
 * the workflow has no metadata tracker, so a tool never creates a store in
 * the working directory. --set KEY=VALUE addresses the component's config.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core/internal.h"

#define TOOL_RUNNER "LolpopToolRunner"

/* Never called: the command calls the component itself. */
static lp_value *tool_runner_build_all(lp_obj *self, lp_value *args)
{
    (void)self;
    (void)args;
    return lp_value_null();
}

static const lp_method tool_runner_methods[] = {
    {"build_all", tool_runner_build_all, "build_all() -> null: nothing"},
    {NULL, NULL, NULL},
};

static const lp_class tool_runner_class = {
    .name = TOOL_RUNNER,
    .kind = LP_KIND_RUNNER,
    .type = NULL,
    .doc = "internal runner of the tool commands (seed, datagen)",
    .defaults_yaml = NULL,
    .requirements = NULL,
    .config_keys = NULL,
    .methods = tool_runner_methods,
    .state_size = 0,
    .init = NULL,
    .fini = NULL,
};

int cli_component_set(lp_value *doc, const cli_command *cmd, const char *slot,
                      const char *assignment, lp_diags *diags)
{
    const char *eq = strchr(assignment, '=');
    if (!eq) return cli_usage_error(cmd, "option '--set %s': expected KEY=VALUE", assignment);
    if (eq == assignment)
        return cli_usage_error(cmd, "option '--set %s': the KEY before '=' is empty", assignment);
    size_t n = strlen(slot);
    /* "SLOT.…" and "config.…" are taken as written from there; a bare key is config */
    bool full = strncmp(assignment, slot, n) == 0 && assignment[n] == '.';
    bool config = strncmp(assignment, "config.", 7) == 0;
    char *path = full     ? lp_strdup(assignment)
                 : config ? lp_asprintf("%s.%s", slot, assignment)
                          : lp_asprintf("%s.config.%s", slot, assignment);
    if (!path) {
        cli_error("out of memory");
        return CLI_FAIL;
    }
    int rc = lp_config_apply_set(doc, path, diags);
    free(path);
    if (rc == 0 && lp_diags_errors(diags) == 0) return 0;
    cli_report(diags, rc ? rc : LP_ECONFIG, false);
    return CLI_USAGE;
}

int cli_component_build(lp_workflow **out, lp_registry *reg, lp_value *doc, const char *slot,
                        const char *cls, lp_diags *diags)
{
    *out = NULL;
    lp_value *slots = lp_map_get(doc, "component");
    int rc = 0;
    if (!slots) {
        slots = lp_value_map();
        rc = slots ? lp_map_set(doc, "component", slots) : LP_ENOMEM;
    }
    if (rc == 0) rc = lp_map_set(slots, slot, lp_value_string(cls));
    if (rc == 0 && !lp_registry_find_class(reg, TOOL_RUNNER))
        rc = lp_registry_add_class(reg, &tool_runner_class);
    if (rc != 0) {
        cli_print_last_error();
        return CLI_FAIL;
    }
    rc = lp_workflow_new(out, reg, doc, TOOL_RUNNER, LP_WF_NO_TRACKING, diags);
    cli_report(diags, rc, true);
    if (rc == 0) return 0;
    return rc == LP_ECONFIG ? CLI_USAGE : cli_exit_code(rc);
}
