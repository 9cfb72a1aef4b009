/*
 * cmd_help.c — `lolpop --help`, `lolpop help [COMMAND]`.
 */
#include <string.h>

#include "cli.h"

const char cmd_help_help[] = "Without COMMAND, lists the commands; with one, shows its options.\n";

static void print_overview(FILE *out)
{
    fprintf(out, "usage: lolpop [--version] [--help] COMMAND [ARGS...]\n\n"
                 "lolpop runs machine-learning workflows assembled from configuration.\n\n"
                 "Commands:\n");
    for (size_t i = 0; i < cli_command_count(); i++) {
        const cli_command *c = cli_command_at(i);
        fprintf(out, "  %-10s %s\n", c->name, c->summary);
    }
    fprintf(out, "\nOptions:\n"
                 "  --version  print the version and exit\n"
                 "  --help     show this help\n\n"
                 "Run 'lolpop help COMMAND' or 'lolpop COMMAND --help' for a command's options,\n"
                 "'lolpop extension --help' for commands added by plugins.\n"
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
        const char *names[16];
        size_t n = 0;
        for (size_t i = 0; i < cli_command_count() && n < 16; i++)
            names[n++] = cli_command_at(i)->name;
        char hint[96];
        cli_suggestion(hint, sizeof hint, argv[1], names, n);
        return cli_usage_error(self, "'%s' is not a lolpop command%s", argv[1], hint);
    }
    cli_print_command_help(cmd, stdout);
    return CLI_OK;
}
