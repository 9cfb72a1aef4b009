/*
 * main.c — `lolpop`: global options and the command table.
 *
 * As in git, argv[1] names a command found in a static table; an unknown name
 * runs `lolpop-NAME` from PATH when there is one, else fails with "did you
 * mean". `--version` is answered before anything else so that it stays a few
 * milliseconds: no plugin is loaded and no configuration is read. The global
 * options (-q, -v, --log-format) are taken before the command here and after
 * it by cli_parse_args (cli_opts.c).
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const cli_command commands[] = {
    {"run", cmd_run, "run a workflow",
     "lolpop run workflow RUNNER -c FILE [-c FILE...] [--set KEY=VALUE...] [-b METHOD]\n"
     "                  [--build-args JSON] [--resume RUN] [--skip-validation]",
     cmd_run_help},
    {"test", cmd_test, "run a workflow with its tests attached and report the verdicts",
     "lolpop test workflow RUNNER TEST_PLAN [-c FILE...] [--set KEY=VALUE...] [-b METHOD]\n"
     "                   [--build-args JSON] [--junit FILE] [--skip-validation]",
     cmd_test_help},
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
    {"serve", cmd_serve, "serve a deployed model over HTTP (predict, MLflow invocations)",
     "lolpop serve MODEL [--host HOST] [--port N] [--threads N] [--max-body BYTES] [--reload] "
     "[--store PATH]",
     cmd_serve_help},
    {"seed", cmd_seed, "load a local CSV/TSV file into a table with a data_connector",
     "lolpop seed file SOURCE TARGET [-c CLASS] [--if-exists fail|append|replace]\n"
     "                  [--set KEY=VALUE...]",
     cmd_seed_help},
    {"datagen", cmd_datagen, "synthetic data that looks like a CSV file (data_synthesizer)",
     "lolpop datagen create SOURCE -n ROWS -o OUT [--evaluate] [--seed N] [-c CLASS]\n"
     "                      [--set KEY=VALUE...] [--json]",
     cmd_datagen_help},
    {"data", cmd_data,
     "statistics, profiles and drift of CSV files (data describe / profile / compare)",
     "lolpop data describe FILE [--sep C] [--na VALUE...] [--type COL=TYPE...] [--json]\n"
     "                   [--threads N]\n"
     "       lolpop data profile FILE [-o profile.html] [--json]\n"
     "       lolpop data compare OLD NEW [-o drift.html] [--json]",
     cmd_data_help},
    {"models", cmd_models, "list, show, approve, promote and roll back model versions",
     "lolpop models list [--store PATH] [--json]\n"
     "       lolpop models show NAME[/vN] [--store PATH] [--json]\n"
     "       lolpop models approve NAME/vN [--store PATH] [--json]\n"
     "       lolpop models promote NAME/vN [--alias production] [--force] [--deploy-dir DIR] "
     "[--store PATH] [--json]\n"
     "       lolpop models rollback NAME [--deploy-dir DIR] [--store PATH] [--json]",
     cmd_models_help},
    {"predict", cmd_predict, "score a CSV/TSV file with a deployed model (its bundle)",
     "lolpop predict MODEL DATA -o OUT [--store PATH] [--no-track] [--json]", cmd_predict_help},
    {"runs", cmd_runs, "list, show and compare the runs in the metadata store",
     "lolpop runs list [--store PATH] [--limit N] [--json]\n"
     "       lolpop runs show RUN [--store PATH] [--json]\n"
     "       lolpop runs compare RUN_A RUN_B [--store PATH] [--json]",
     cmd_runs_help},
    {"init", cmd_init, "create a lolpop extension project (plugin, tests, example workflow)",
     "lolpop init PROJECT [--dir DIR]", cmd_init_help},
    {"create", cmd_create, "add a component, pipeline, runner or CLI command to an extension",
     "lolpop create component TYPE CLASS EXTENSION\n"
     "       lolpop create pipeline TYPE CLASS EXTENSION\n"
     "       lolpop create runner CLASS EXTENSION\n"
     "       lolpop create cli-command NAME EXTENSION",
     cmd_create_help},
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

void cli_command_hint(char *buf, size_t size, const char *name)
{
    const char *names[N_COMMANDS];
    for (size_t i = 0; i < N_COMMANDS; i++)
        names[i] = commands[i].name;
    cli_suggestion(buf, size, name, names, N_COMMANDS);
}

static int unknown_command(const char *name)
{
    char hint[128];
    cli_command_hint(hint, sizeof hint, name);
    cli_error("'%s' is not a lolpop command%s", name, hint);
    fprintf(stderr, "Run 'lolpop --help' for the list of commands.\n");
    return CLI_USAGE;
}

int main(int argc, char **argv)
{
    /* XGBoost's OpenMP threads wait for work by spinning (libgomp's default
     * policy). On a machine busy with other work the spinning threads take
     * the time slices the working ones need: at load 20 on two cores the
     * titanic quickstart took 16.3 s of wall time and 5.9 s of CPU, and 2.7 s
     * and 0.5 s with passive waiting. Set before libgomp is loaded (with
     * libxgboost, on first use); a value the user exported wins. */
    setenv("OMP_WAIT_POLICY", "passive", 0);
    cli_progress_install();
    /* Global options may come before the command: lolpop -q run … */
    while (argc >= 2) {
        int used = cli_global_option(argv[1], argc > 2 ? argv[2] : NULL, NULL);
        if (used < 0) return CLI_USAGE;
        if (used == 0) break;
        argv[used] = argv[0];
        argv += used;
        argc -= used;
    }
    if (argc < 2) {
        fprintf(stderr, "usage: lolpop [--version] [--help] [-q|-v] [--log-format text|json] "
                        "COMMAND [ARGS...]\n"
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
    int rc = cli_exec_external(first, argv + 1);
    return rc >= 0 ? rc : unknown_command(first);
}
