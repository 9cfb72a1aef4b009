/*
 * cmd_config.c — `lolpop config validate|show [RUNNER] -c FILE…`.
 *
 * validate runs every check `run` would, without building anything: without
 * a RUNNER the structure, classes and references; with one, also everything
 * that runner and its children require. show prints the resolved document
 * with the origin of every value; with a RUNNER it also prints each object's
 * effective configuration, its own keys merged over its class defaults.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core/internal.h"

const char cmd_config_help[] =
    "Subcommands:\n"
    "  validate [RUNNER]  check the configuration (with RUNNER: also its requirements)\n"
    "                     without running anything; exit 0 when it is valid\n"
    "  show [RUNNER]      print the resolved configuration, each value with its origin\n"
    "                     (file:line:col, env VAR, default (Class), --set); with RUNNER also\n"
    "                     each object's effective configuration including class defaults\n\n"
    "Options:\n"
    "  -c, --config FILE  configuration file; repeat to merge (required)\n"
    "  --set KEY=VALUE    override one value (YAML-typed; null or ~ removes the key);\n"
    "                     repeatable\n"
    "  --strict           a key no class reads (unknown, or set where no class looks it\n"
    "                     up) is an error, not a warning\n"
    "  -h, --help         show this help\n";

enum { OPT_CONFIG = 1, OPT_SET, OPT_STRICT };

static const cli_option config_options[] = {
    {"config", 'c', "FILE", OPT_CONFIG},
    {"set", 0, "KEY=VALUE", OPT_SET},
    {"strict", 0, NULL, OPT_STRICT},
    {NULL, 0, NULL, 0},
};

typedef struct config_args {
    cli_session session;
    cli_positionals pos; /* validate|show, RUNNER */
    bool strict;         /* --strict: keys no class reads are errors */
} config_args;

/* One option into the config_args `ctx`; 0 or an exit code (already reported). */
static int take_option(void *ctx, int id, const char *value)
{
    config_args *a = ctx;
    if (id == OPT_STRICT) {
        a->strict = true;
        return 0;
    }
    return id == OPT_CONFIG ? cli_session_add_file(&a->session, value)
                            : cli_session_add_set(&a->session, value);
}

static const cli_args_spec config_spec = {config_options, 2, take_option};

static int parse_config_args(config_args *a, int argc, char **argv)
{
    const cli_command *cmd = a->session.cmd;
    int rc = cli_parse_args(&a->pos, cmd, &config_spec, a, argc, argv);
    if (rc != 0) return rc;
    if (a->pos.n == 0) return cli_usage_error(cmd, "a subcommand is missing: 'validate' or 'show'");
    const char *sub = a->pos.v[0];
    if (strcmp(sub, "validate") != 0 && strcmp(sub, "show") != 0) {
        const char *subs[] = {"validate", "show"};
        char hint[64];
        cli_suggestion(hint, sizeof hint, sub, subs, 2);
        return cli_usage_error(cmd, "unknown subcommand 'config %s'%s", sub, hint);
    }
    if (a->session.n_files == 0)
        return cli_usage_error(cmd, "no configuration: give at least one -c FILE");
    return 0;
}

/* Validates with `flags`; prints the diagnostics. 0 or CLI_USAGE. */
static int validate(cli_session *s, const char *runner, int flags)
{
    int rc = lp_workflow_validate(s->reg, cli_session_doc(s), runner, flags, &s->diags);
    cli_report(&s->diags, rc, true);
    return rc == 0 ? 0 : CLI_USAGE;
}

/* ---- show: effective configuration of each object ------------------------- */

static void mark_origin(lp_value *v, const lp_origin *o)
{
    lp_value_set_origin(v, o);
    if (lp_value_type(v) == LP_MAP)
        for (size_t i = 0; i < lp_map_len(v); i++)
            mark_origin(lp_map_value(v, i), o);
    else if (lp_value_type(v) == LP_LIST)
        for (size_t i = 0; i < lp_list_len(v); i++)
            mark_origin(lp_list_get(v, i), o);
}

/* New map: the class defaults (origin "default (Class)") with the section's
 * own `config` merged over them. */
static lp_value *effective_config(const lp_class *cls, const lp_value *section)
{
    lp_value *eff = NULL;
    if (cls->defaults_yaml) {
        lp_diags d;
        lp_diags_init(&d);
        char *name = lp_asprintf("%s defaults", cls->name);
        if (lp_yaml_parse(&eff, cls->defaults_yaml, strlen(cls->defaults_yaml),
                          name ? name : cls->name, &d) == 0 &&
            lp_value_type(eff) == LP_MAP) {
            lp_origin o = {LP_ORIGIN_DEFAULT, lp_origin_intern(cls->name), 0, 0, 0};
            mark_origin(eff, &o);
        } else {
            cli_warning("the defaults of class %s are not a valid YAML map", cls->name);
            lp_value_unref(eff);
            eff = NULL;
        }
        free(name);
        lp_diags_clear(&d);
    }
    if (!eff) eff = lp_value_map();
    const lp_value *own = lp_map_get(section, "config");
    if (eff && lp_value_type(own) == LP_MAP) lp_config_merge(eff, own);
    return eff;
}

static void show_object(cli_session *s, const lp_class *cls, const char *path,
                        const lp_value *section, const lp_value *above, int depth);

/* Adds to eff every key cls documents that neither eff nor an ancestor
 * (`above`) sets but the environment does (LOLPOP_<KEY>), with the variable
 * as its origin: the values lookups will find there (SPEC §3). */
static void add_env_values(lp_value *eff, const lp_class *cls, const lp_value *above)
{
    for (const lp_config_key *k = cls->config_keys; k && k->name; k++) {
        if (lp_map_get(eff, k->name) || lp_map_get(above, k->name)) continue;
        char *var = lp_config_env_name(k->name);
        const char *val = var ? getenv(var) : NULL;
        lp_value *v = val ? lp_value_string(val) : NULL;
        if (v) {
            lp_origin o = {LP_ORIGIN_ENV, lp_origin_intern(var), 0, 0, 0};
            lp_value_set_origin(v, &o);
            lp_map_set(eff, k->name, v);
        }
        free(var);
    }
}

/* Shows the children declared in section's `component:` / `pipeline:` maps,
 * plus (at the root) the registered default slots it does not declare. */
static void show_children(cli_session *s, const lp_value *section, const char *path, bool root,
                          const lp_value *above, int depth)
{
    static const char *const kinds[] = {"component", "pipeline"};
    for (size_t k = 0; k < 2; k++) {
        const lp_value *slots = lp_map_get(section, kinds[k]);
        for (size_t i = 0; i < lp_map_len(slots); i++) {
            const char *slot = lp_map_key(slots, i);
            const lp_class *cls =
                lp_registry_find_class(s->reg, lp_value_as_string(lp_map_value(slots, i)));
            char *child_path = *path ? lp_asprintf("%s.%s", path, slot) : lp_strdup(slot);
            if (cls && child_path)
                show_object(s, cls, child_path, lp_map_get(section, slot), above, depth + 1);
            free(child_path);
        }
    }
    if (!root) return;
    const lp_value *declared = lp_map_get(section, "component");
    for (size_t i = 0; i < lp_registry_default_slot_count(s->reg); i++) {
        const char *cls_name = NULL;
        const char *slot = lp_registry_default_slot_at(s->reg, i, &cls_name);
        const lp_class *cls = lp_registry_find_class(s->reg, cls_name);
        if (cls && !lp_map_get(declared, slot))
            show_object(s, cls, slot, lp_map_get(section, slot), above, depth + 1);
    }
}

static void show_object(cli_session *s, const lp_class *cls, const char *path,
                        const lp_value *section, const lp_value *above, int depth)
{
    if (depth > 64) /* documents are trees, but stay bounded whatever they hold */
        return;
    lp_value *eff = effective_config(cls, section);
    if (eff) add_env_values(eff, cls, above);
    if (*path)
        printf("%s (%s):", path, cls->name);
    else
        printf("%s (runner, root):", cls->name);
    if (lp_map_len(eff) == 0) {
        printf(" {}\n");
    } else {
        printf("\n");
        cli_print_yaml(stdout, eff, 2, true);
    }
    /* what this object's children find above them: its values over its parents' */
    lp_value *below = above ? lp_value_copy(above) : lp_value_map();
    if (below && eff) lp_config_merge(below, eff);
    lp_value_unref(eff);
    show_children(s, section, path, !*path, below, depth);
    lp_value_unref(below);
}

static int show(cli_session *s, const lp_class *runner)
{
    const lp_value *doc = cli_session_doc(s);
    printf("# resolved configuration (%zu file%s)\n", s->n_files, s->n_files == 1 ? "" : "s");
    if (lp_map_len(doc) == 0)
        printf("{}\n");
    else
        cli_print_yaml(stdout, doc, 0, true);
    if (!runner) return CLI_OK;
    printf("---\n# effective configuration of each object: its own config over its class\n"
           "# defaults and the LOLPOP_<KEY> variables it reads (origin env LOLPOP_<KEY>); keys\n"
           "# not found here are looked up in its parents\n");
    show_object(s, runner, "", doc, NULL, 0);
    return CLI_OK;
}

int cmd_config(int argc, char **argv)
{
    config_args a = {0};
    cli_session_init(&a.session, cli_find_command("config"));
    int rc = parse_config_args(&a, argc, argv);
    bool is_show = rc == 0 && strcmp(a.pos.v[0], "show") == 0;
    const char *runner_name = a.pos.n > 1 ? a.pos.v[1] : NULL;
    const lp_class *runner = NULL;
    if (rc == 0) rc = cli_session_load_config(&a.session);
    if (rc == 0) rc = cli_session_load_registry(&a.session);
    if (rc == 0 && runner_name && !(runner = cli_session_runner(&a.session, runner_name)))
        rc = CLI_USAGE;
    if (rc == 0 && is_show) {
        /* Missing requirements do not stop show: seeing the values is how one finds them. */
        rc = validate(&a.session, runner_name,
                      runner_name ? LP_WF_SKIP_VALIDATION : LP_WF_STRUCTURE_ONLY);
        if (rc == 0) rc = show(&a.session, runner);
    } else if (rc == 0) {
        rc = validate(&a.session, runner_name,
                      (runner_name ? LP_WF_CHECK_INPUTS : LP_WF_STRUCTURE_ONLY) |
                          (a.strict ? LP_WF_STRICT : 0));
        if (rc == 0)
            printf("configuration OK%s%s\n", runner_name ? " for " : "",
                   runner_name ? runner_name : "");
    }
    cli_session_free(&a.session);
    return rc < 0 ? CLI_OK : rc;
}
