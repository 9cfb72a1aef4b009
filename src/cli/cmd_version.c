/*
 * cmd_version.c — `lolpop --version` / `lolpop version`.
 *
 * Deliberately touches nothing but lp_version(): no plugin, no configuration,
 * so it answers in a few milliseconds.
 */
#include <string.h>

#include "cli.h"

const char cmd_version_help[] = "Prints \"lolpop VERSION\" and exits.\n";

int cmd_version(int argc, char **argv)
{
    if (argc > 1) {
        if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
            cli_print_command_help(cli_find_command("version"), stdout);
            return CLI_OK;
        }
        return cli_usage_error(cli_find_command("version"), "unexpected argument '%s'", argv[1]);
    }
    printf("lolpop %s\n", lp_version());
    return CLI_OK;
}
