/*
 * cli_session.c — what most commands do first: load the configuration files,
 * build the registry (built-ins, then plugins), find the runner.
 *
 * Every failure is printed here with its location, so commands only map the
 * result to an exit code.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core/internal.h"

void cli_session_init(cli_session *s, const cli_command *cmd)
{
    memset(s, 0, sizeof *s);
    s->cmd = cmd;
    lp_diags_init(&s->diags);
}

void cli_session_free(cli_session *s)
{
    /* The registry unloads plugins, so whatever they produced goes first. */
    lp_config_free(s->cfg);
    lp_value_unref(s->empty);
    lp_registry_free(s->reg);
    lp_diags_clear(&s->diags);
    free(s->files);
    free(s->sets);
    memset(s, 0, sizeof *s);
}

/* Appends a borrowed string to a growable array; false on OOM (printed). */
static bool push(const char ***arr, size_t *n, const char *s)
{
    const char **grown = realloc(*arr, (*n + 1) * sizeof **arr);
    if (!grown) {
        cli_error("out of memory");
        return false;
    }
    grown[(*n)++] = s;
    *arr = grown;
    return true;
}

int cli_session_add_file(cli_session *s, const char *path)
{
    if (!*path)
        return cli_usage_error(s->cmd, "option '-c' needs a file name, got an empty string");
    return push(&s->files, &s->n_files, path) ? 0 : CLI_FAIL;
}

int cli_session_add_set(cli_session *s, const char *assignment)
{
    const char *eq = strchr(assignment, '=');
    if (!eq)
        return cli_usage_error(s->cmd,
                               "option '--set %s': expected KEY=VALUE (e.g. config.name=world), "
                               "there is no '='",
                               assignment);
    if (eq == assignment)
        return cli_usage_error(s->cmd, "option '--set %s': the KEY before '=' is empty",
                               assignment);
    return push(&s->sets, &s->n_sets, assignment) ? 0 : CLI_FAIL;
}

int cli_session_load_config(cli_session *s)
{
    if (s->n_files == 0 && s->n_sets == 0) return 0;
    lp_config_input in = {s->files, s->n_files, s->sets, s->n_sets};
    int rc = lp_config_load(&s->cfg, &in, &s->diags);
    cli_report(&s->diags, rc, true);
    if (rc == 0) return 0;
    return cli_exit_code(rc) == CLI_OK ? CLI_USAGE : cli_exit_code(rc);
}

const lp_value *cli_session_doc(cli_session *s)
{
    if (s->cfg) return lp_config_root(s->cfg);
    if (!s->empty) s->empty = lp_value_map();
    return s->empty;
}

int cli_session_open_registry(cli_session *s)
{
    s->reg = lp_registry_new();
    if (!s->reg) {
        cli_print_last_error();
        return CLI_FAIL;
    }
    int rc = lp_registry_add_plugin(s->reg, &lp_builtin_plugin, "builtin");
    if (rc != 0) {
        cli_print_last_error();
        return CLI_FAIL;
    }
    const lp_value *paths = s->cfg ? lp_map_get(lp_config_root(s->cfg), "plugin_paths") : NULL;
    rc = lp_registry_load_plugins(s->reg, paths, &s->diags);
    cli_report(&s->diags, rc, false);
    return rc == 0 ? 0 : CLI_USAGE;
}

int cli_session_load_registry(cli_session *s)
{
    int rc = cli_session_open_registry(s);
    if (rc == CLI_USAGE) cli_error("plugins could not be loaded; nothing was run");
    return rc;
}

/* Prints "unknown runner" with the closest class names. */
static void unknown_runner(cli_session *s, const char *name)
{
    char *hint = cli_class_hint(s->reg, name);
    cli_error("unknown runner '%s'%s", name, hint ? hint : "");
    free(hint);
    fprintf(stderr, "Run 'lolpop classes list --type runner' for the registered runners.\n");
}

const lp_class *cli_session_runner(cli_session *s, const char *name)
{
    const lp_class *cls = lp_registry_find_class(s->reg, name);
    if (!cls) {
        unknown_runner(s, name);
        return NULL;
    }
    if (cls->kind != LP_KIND_RUNNER) {
        cli_error("'%s' is a %s%s%s, not a runner", name, lp_kind_name(cls->kind),
                  cls->type ? " of type " : "", cls->type ? cls->type : "");
        return NULL;
    }
    return cls;
}

int cli_session_check_method(const lp_class *runner, const char *method)
{
    if (lp_class_method(runner, method)) return 0;
    const char *names[64];
    size_t n = 0;
    lp_sb all = {0};
    for (const lp_method *m = runner->methods; m && m->name && n < 64; m++) {
        names[n++] = m->name;
        lp_sb_appendf(&all, "%s%s", all.len ? ", " : "", m->name);
    }
    char hint[128];
    cli_suggestion(hint, sizeof hint, method, names, n);
    char *list = lp_sb_take(&all);
    cli_error("runner %s has no method '%s'%s", runner->name, method, hint);
    fprintf(stderr, "Its methods: %s\n", list && *list ? list : "(none)");
    free(list);
    return CLI_USAGE;
}
