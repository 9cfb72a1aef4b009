/*
 * main.c — `lolpop`: global options and the command table.
 *
 * As in git, argv[1] names a command found in a static table; an unknown name
 * runs `lolpop-NAME` from PATH when there is one, else fails with "did you
 * mean". `--version` is answered before anything else so that it stays a few
 * milliseconds: no plugin is loaded and no configuration is read.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "core/internal.h"

static const cli_command commands[] = {
    {"run", cmd_run, "run a workflow",
     "lolpop run workflow RUNNER -c FILE [-c FILE...] [--set KEY=VALUE...] [-b METHOD]\n"
     "                  [--build-args JSON] [--skip-validation]",
     cmd_run_help},
    {"config", cmd_config, "validate or print the resolved configuration",
     "lolpop config validate [RUNNER] -c FILE [-c FILE...] [--set KEY=VALUE...]\n"
     "       lolpop config show [RUNNER] -c FILE [-c FILE...] [--set KEY=VALUE...]",
     cmd_config_help},
    {"classes", cmd_classes, "list registered classes or show one with its docs",
     "lolpop classes list [--type TYPE] [-c FILE...]\n"
     "       lolpop classes show NAME [-c FILE...]",
     cmd_classes_help},
    {"extension", cmd_extension, "run a command registered by a plugin",
     "lolpop extension NAME [ARGS...]", cmd_extension_help},
    {"help", cmd_help, "show help for lolpop or one command", "lolpop help [COMMAND]",
     cmd_help_help},
    {"version", cmd_version, "print the version", "lolpop version", cmd_version_help},
};

#define N_COMMANDS (sizeof commands / sizeof commands[0])

size_t cli_command_count(void)
{
    return N_COMMANDS;
}

const cli_command *cli_command_at(size_t i)
{
    return i < N_COMMANDS ? &commands[i] : NULL;
}

const cli_command *cli_find_command(const char *name)
{
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (strcmp(commands[i].name, name) == 0) return &commands[i];
    return NULL;
}

/* Runs `lolpop-NAME` from PATH (git's external commands). Returns -1 when
 * there is none, or CLI_FAIL when it exists but could not be started. */
static int exec_external(const char *name, char **argv)
{
    const char *path = getenv("PATH");
    if (!path || strchr(name, '/')) return -1;
    char *prog = lp_asprintf("lolpop-%s", name);
    char *dirs = lp_strdup(path);
    char *save = NULL;
    int rc = -1;
    for (char *dir = dirs ? strtok_r(dirs, ":", &save) : NULL; prog && dir && rc < 0;
         dir = strtok_r(NULL, ":", &save)) {
        char *full = lp_asprintf("%s/%s", *dir ? dir : ".", prog);
        if (full && access(full, X_OK) == 0) {
            argv[0] = prog;
            execv(full, argv);
            cli_error("cannot run '%s': %s", full, strerror(errno));
            rc = CLI_FAIL;
        }
        free(full);
    }
    free(dirs);
    free(prog);
    return rc;
}

static int unknown_command(const char *name)
{
    const char *names[N_COMMANDS];
    for (size_t i = 0; i < N_COMMANDS; i++)
        names[i] = commands[i].name;
    char hint[128];
    cli_suggestion(hint, sizeof hint, name, names, N_COMMANDS);
    cli_error("'%s' is not a lolpop command%s", name, hint);
    fprintf(stderr, "Run 'lolpop --help' for the list of commands.\n");
    return CLI_USAGE;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: lolpop [--version] [--help] COMMAND [ARGS...]\n"
                        "Run 'lolpop --help' for the list of commands.\n");
        return CLI_USAGE;
    }
    const char *first = argv[1];
    if (strcmp(first, "--version") == 0 || strcmp(first, "-V") == 0)
        return cmd_version(1, argv + 1);
    if (strcmp(first, "--help") == 0 || strcmp(first, "-h") == 0) return cmd_help(1, argv + 1);
    if (first[0] == '-') {
        cli_error("unknown option '%s'", first);
        fprintf(stderr, "usage: lolpop [--version] [--help] COMMAND [ARGS...]\n");
        return CLI_USAGE;
    }
    const cli_command *cmd = cli_find_command(first);
    if (cmd) return cmd->fn(argc - 1, argv + 1);
    int rc = exec_external(first, argv + 1);
    return rc >= 0 ? rc : unknown_command(first);
}
