/*
 * cmd_extension.c — `lolpop extension NAME ARGS…`: runs a CLI command that a
 * plugin registered with lp_registry_add_command.
 *
 * Plugins come from LOLPOP_PLUGIN_PATH and the installed plugin directory
 * (there is no configuration file here: ARGS belong to the command).
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core/internal.h"

const char cmd_extension_help[] =
    "Runs the plugin command NAME with ARGS (everything after NAME is the command's own).\n"
    "Plugins are loaded from LOLPOP_PLUGIN_PATH (colon-separated) and the installed plugin\n"
    "directory. 'lolpop extension --help' lists the commands found.\n";

size_t cli_print_plugin_commands(const lp_registry *reg, FILE *out, int width)
{
    size_t n = lp_registry_command_count(reg);
    for (size_t i = 0; i < n; i++) {
        const lp_command *c = lp_registry_command_at(reg, i);
        fprintf(out, "  %-*s %s\n", width, c->name, c->summary ? c->summary : "");
    }
    return n;
}

static void list_commands(const lp_registry *reg, FILE *out)
{
    fprintf(out, "\nPlugin commands:\n");
    if (cli_print_plugin_commands(reg, out, 16) == 0)
        fprintf(out, "  (none found; set LOLPOP_PLUGIN_PATH to a plugin directory)\n");
}

static int unknown_extension(cli_session *s, const char *name)
{
    size_t n = lp_registry_command_count(s->reg);
    const char **names = calloc(n ? n : 1, sizeof *names);
    char hint[128] = "";
    if (names) {
        for (size_t i = 0; i < n; i++)
            names[i] = lp_registry_command_at(s->reg, i)->name;
        cli_suggestion(hint, sizeof hint, name, names, n);
    }
    free(names);
    cli_error("no plugin command '%s'%s", name, hint);
    list_commands(s->reg, stderr);
    return CLI_USAGE;
}

int cmd_extension(int argc, char **argv)
{
    cli_session s;
    cli_session_init(&s, cli_find_command("extension"));
    bool help = argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0;
    int rc = 0;
    if (argc >= 2 && !help && argv[1][0] == '-')
        rc = cli_usage_error(s.cmd, "unknown option '%s' (options after NAME go to the command)",
                             argv[1]);
    if (rc == 0) rc = cli_session_load_registry(&s);
    if (rc == 0 && help) {
        cli_print_command_help(s.cmd, argc < 2 ? stderr : stdout);
        list_commands(s.reg, argc < 2 ? stderr : stdout);
        rc = argc < 2 ? CLI_USAGE : CLI_OK;
    } else if (rc == 0) {
        const lp_command *c = lp_registry_find_command(s.reg, argv[1]);
        /* The plugin owns the exit code; fflush so its output and ours interleave right. */
        rc = c ? c->run(argc - 1, argv + 1) : unknown_extension(&s, argv[1]);
        fflush(stdout);
    }
    cli_session_free(&s);
    return rc;
}
