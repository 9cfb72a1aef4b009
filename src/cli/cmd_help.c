/*
 * cmd_help.c — `lolpop --help`, `lolpop help [COMMAND]`.
 *
 * The overview lists every command one can type: the built-ins, the commands
 * plugins register (so plugins are loaded here, and only for the overview;
 * never for --version) and, as git does, the `lolpop-NAME` programs on PATH.
 */
#include <string.h>

#include "cli.h"

const char cmd_help_help[] = "Without COMMAND, lists the commands; with one, shows its options.\n";

/* The commands of LOLPOP_PLUGIN_PATH and the installed plugin directory. A
 * plugin that fails to load is reported and the others are still listed:
 * help is what one reads to find out what went wrong. */
static void print_plugin_commands(FILE *out)
{
    cli_session s;
    cli_session_init(&s, cli_find_command("help"));
    int rc = cli_session_open_registry(&s);
    if (rc == CLI_USAGE)
        cli_warning("some plugins could not be loaded; their commands are missing");
    if (rc != CLI_FAIL && lp_registry_command_count(s.reg) > 0) {
        fprintf(out, "\nPlugin commands (run as 'lolpop extension NAME ARGS...'):\n");
        cli_print_plugin_commands(s.reg, out, 10);
    }
    cli_session_free(&s);
}

static void print_overview(FILE *out)
{
    fprintf(out, "usage: lolpop [--version] [--help] COMMAND [ARGS...]\n\n"
                 "lolpop runs machine-learning workflows assembled from configuration.\n\n"
                 "Commands:\n");
    for (size_t i = 0; i < cli_command_count(); i++) {
        const cli_command *c = cli_command_at(i);
        fprintf(out, "  %-10s %s\n", c->name, c->summary);
    }
    print_plugin_commands(out);
    cli_print_external_commands(out, "\nExternal commands (lolpop-NAME programs on PATH):\n");
    fprintf(out,
            "\nOptions:\n"
            "  --version  print the version and exit\n"
            "  --help     show this help\n\n"
            "Run 'lolpop help COMMAND' or 'lolpop COMMAND --help' for a command's options.\n"
            "Plugin commands come from LOLPOP_PLUGIN_PATH and the installed plugin directory.\n"
            "Exit codes: 0 ok, 1 workflow failure, 2 usage or configuration error.\n");
}

int cmd_help(int argc, char **argv)
{
    const cli_command *self = cli_find_command("help");
    if (argc < 2) {
        print_overview(stdout);
        return CLI_OK;
    }
    if (argc > 2) return cli_usage_error(self, "expected one COMMAND, got %d arguments", argc - 1);
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        cli_print_command_help(self, stdout);
        return CLI_OK;
    }
    const cli_command *cmd = cli_find_command(argv[1]);
    if (!cmd) {
        char hint[128];
        cli_command_hint(hint, sizeof hint, argv[1]);
        return cli_usage_error(self, "'%s' is not a lolpop command%s", argv[1], hint);
    }
    /* `help extension` is `extension --help`: it lists the plugin commands it promises */
    if (strcmp(cmd->name, "extension") == 0)
        return cmd_extension(2, (char *[]){(char *)"extension", (char *)"--help", NULL});
    cli_print_command_help(cmd, stdout);
    return CLI_OK;
}
