/*
 * cli.h — the `lolpop` command-line program: the command table, option
 * parsing, error reporting and the set-up every command shares.
 *
 * main.c dispatches argv[1] through a static table of cli_command (as git's
 * builtin table does); each command lives in its own cmd_<name>.c and returns
 * the process exit code: 0 ok, 1 workflow failure, 2 usage or configuration
 * error. Only this layer prints to the terminal.
 */
#ifndef LP_CLI_H
#define LP_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <lolpop.h>

enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 };

typedef struct cli_command {
    const char *name;
    int (*fn)(int argc, char **argv); /* argv[0] is the command name */
    const char *summary;              /* one line for `lolpop --help` */
    const char *usage;                /* usage line(s), printed on usage errors */
    const char *help;                 /* option descriptions for `--help` */
} cli_command;

/* ---- the command table (main.c) ---- */
const cli_command *cli_find_command(const char *name); /* NULL when unknown */
size_t cli_command_count(void);
const cli_command *cli_command_at(size_t i);
/* "; did you mean 'X'?"-style suffix naming the built-in command closest to
 * `name`, into buf (empty when nothing is close). */
void cli_command_hint(char *buf, size_t size, const char *name);

/* ---- commands (one file each) ---- */
int cmd_run(int argc, char **argv);
int cmd_config(int argc, char **argv);
int cmd_classes(int argc, char **argv);
int cmd_extension(int argc, char **argv);
int cmd_help(int argc, char **argv);
int cmd_version(int argc, char **argv);
int cmd_seed(int argc, char **argv);
extern const char cmd_seed_help[];
int cmd_data(int argc, char **argv);
extern const char cmd_data_help[];
int cmd_models(int argc, char **argv);
extern const char cmd_models_help[];
/* `data profile FILE` (one file) or `data compare OLD NEW` (two): runs the
 * data_profiler, writes the report to out (NULL: profile.html / drift.html)
 * and prints the summary or, with json, the report. An exit code
 * (cmd_data_profile.c). */
int cli_data_profile(const cli_command *cmd, const char *const *files, size_t n_files,
                     const char *out, bool json, const struct lp_csv_options *opt);
int cmd_runs(int argc, char **argv);
extern const char cmd_runs_help[];
int cmd_init(int argc, char **argv);
extern const char cmd_init_help[];
int cmd_create(int argc, char **argv);
extern const char cmd_create_help[];
int cmd_datagen(int argc, char **argv);
extern const char cmd_datagen_help[];
int cmd_predict(int argc, char **argv);
extern const char cmd_predict_help[];
int cmd_test(int argc, char **argv);
extern const char cmd_test_help[];
int cmd_serve(int argc, char **argv);
extern const char cmd_serve_help[];
extern const char cmd_run_help[], cmd_config_help[], cmd_classes_help[], cmd_extension_help[],
    cmd_help_help[], cmd_version_help[];

/* ---- messages (cli_util.c) ---- */
/* "lolpop: error: <message>" on stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints the error, then the command's usage line; returns CLI_USAGE. */
int cli_usage_error(const cli_command *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Prints the library's last error ("file:line:col: context: message"). */
void cli_print_last_error(void);
/* Exit code for a library error code: configuration and usage problems are
 * 2, everything else 1. */
int cli_exit_code(int lp_code);
/* Full help of a command (usage + options) to out. */
void cli_print_command_help(const cli_command *cmd, FILE *out);
/* Whether to colour output on `f` (a terminal and NO_COLOR unset). */
bool cli_use_colour(FILE *f);
/* Reports the outcome of a library call that collected diagnostics in d:
 * prints every diagnostic to stderr (with `summary` and errors, a closing
 * "N problems in the configuration" line) and clears d; when rc failed
 * without an error diagnostic (not a configuration problem: a failed init,
 * OOM), prints the library's last error instead. */
void cli_report(lp_diags *d, int rc, bool summary);
/* Writes a "; did you mean 'X'?" suffix for `word` among candidates into buf
 * (empty when nothing is close). */
void cli_suggestion(char *buf, size_t size, const char *word, const char *const *candidates,
                    size_t n);
/* "; did you mean 'A', 'B'?" naming up to three registered classes close to
 * `name`, or "" (new string; NULL only on OOM). */
char *cli_class_hint(const lp_registry *reg, const char *name);

/* ---- option parsing (cli_opts.c) ---- */
typedef struct cli_option {
    const char *long_name; /* "config" for --config; NULL if none */
    char short_name;       /* 'c' for -c; 0 if none */
    const char *metavar;   /* "FILE" when the option takes a value, NULL for a flag */
    int id;                /* returned to the caller; non-zero */
} cli_option;

enum { CLI_MAX_POSITIONAL = 4 };

/* What one command accepts. */
typedef struct cli_args_spec {
    const cli_option *opts; /* terminated by an entry with id 0 */
    size_t max_positional;  /* at most CLI_MAX_POSITIONAL; one more is a usage error */
    /* Takes one option (value NULL for a flag) into ctx; returns 0, or an
     * exit code after reporting the problem. */
    int (*on_option)(void *ctx, int id, const char *value);
} cli_args_spec;

typedef struct cli_positionals {
    const char *v[CLI_MAX_POSITIONAL]; /* borrowed from argv */
    size_t n;
} cli_positionals;

/* Parses argv[1..] (argv[0] is the command name): options go to
 * spec->on_option(ctx, ...), positionals (borrowed from argv) are appended to
 * *pos, which the caller zeroes. Returns 0, -1 after printing the command's
 * help for -h/--help (the caller exits 0), or an exit code after printing a
 * usage error that names the argument. */
int cli_parse_args(cli_positionals *pos, const cli_command *cmd, const cli_args_spec *spec,
                   void *ctx, int argc, char **argv);

/* Global options, accepted by every command (before or after its name) and
 * handled in cli_opts.c only: -q/--quiet (warnings and errors only, no
 * progress), -v/--verbose (DEBUG), --log-format text|json (one JSON object
 * per log line on stderr). */
typedef struct cli_globals {
    int verbosity;  /* -1 quiet, 0 normal, 1 verbose */
    bool json_logs; /* --log-format json */
} cli_globals;
const cli_globals *cli_globals_get(void);
/* Takes arg (and `next`, its possible value) when it is a global option:
 * returns how many arguments it used (1 or 2), 0 when arg is not one, -1
 * after a usage error (printed, naming cmd when not NULL). */
int cli_global_option(const char *arg, const char *next, const cli_command *cmd);

/* ---- the scratch directory of test workflow (cli_scratch.c) ---- */
/* Copies file or directory `from` to `to` (parents created); nothing when
 * `from` does not exist. 0 or LP_EIO with the last error set. */
int cli_scratch_copy(const char *from, const char *to);
/* Removes directory `dir` and everything in it. 0 or LP_EIO. */
int cli_scratch_remove(const char *dir);
/* Makes `dir` a scratch copy for a test run: the document's paths made
 * absolute (relative ones against `cwd`), its outputs moved under `dir`
 * with their current contents, and cwd/.lolpop copied to dir/.lolpop.
 * Edits `doc` in place. 0 or an LP_E* code with the last error set. */
int cli_scratch_prepare(lp_value *doc, const char *cwd, const char *dir);

/* ---- progress of long steps (cli_progress.c) ---- */
/* Installs the progress line renderer (stderr) when stderr is a terminal and
 * neither -q nor --log-format json is in effect; removes it otherwise. */
void cli_progress_install(void);
/* Renders one report as the line "WHAT  DONE/TOTAL UNIT  PCT%  ETA M:SS"
 * into buf (for the renderer and its tests). */
void cli_progress_format(char *buf, size_t size, const lp_progress *p);

/* ---- shared set-up (cli_session.c) ---- */
typedef struct cli_session {
    const cli_command *cmd;
    const char **files; /* -c, borrowed from argv */
    size_t n_files;
    const char **sets; /* --set, borrowed from argv */
    size_t n_sets;
    lp_config *cfg;   /* after cli_session_load_config; NULL without files */
    lp_registry *reg; /* after cli_session_load_registry */
    lp_value *empty;  /* the document when no file was given */
    lp_diags diags;
} cli_session;

void cli_session_init(cli_session *s, const cli_command *cmd);
void cli_session_free(cli_session *s);
/* Records a -c / --set argument; --set without "KEY=" is a usage error
 * (printed; returns CLI_USAGE). Returns 0 otherwise. */
int cli_session_add_file(cli_session *s, const char *path);
int cli_session_add_set(cli_session *s, const char *assignment);
/* Loads and resolves the files (if any). 0, or an exit code after printing
 * every problem. */
int cli_session_load_config(cli_session *s);
/* The resolved document (an empty map when no file was given). Borrowed. */
const lp_value *cli_session_doc(cli_session *s);
/* New registry with the built-ins and every plugin (config plugin_paths,
 * LOLPOP_PLUGIN_PATH, installed dir), each problem printed. 0; CLI_USAGE
 * when some plugin failed (s->reg holds the built-ins and the plugins that
 * loaded); CLI_FAIL when there is no usable registry. */
int cli_session_open_registry(cli_session *s);
/* The same for a command about to run something: a plugin failure is fatal
 * ("nothing was run"). 0, or an exit code after printing. */
int cli_session_load_registry(cli_session *s);
/* Looks up `name` as a runner class; prints a located error with suggestions
 * when unknown or of another kind. Returns the class or NULL. */
const lp_class *cli_session_runner(cli_session *s, const char *name);
/* 0 when `method` is one of the runner's; else prints the error with the
 * closest name and the list of its methods, and returns CLI_USAGE. */
int cli_session_check_method(const lp_class *runner, const char *method);

/* ---- one component for a tool command (cli_component.c) ---- */
/* --set KEY=VALUE for the component in `slot` of doc: a bare KEY is its config
 * key, "config.K" and "SLOT.…" are taken from there. 0, or an exit code after
 * printing the problem. */
int cli_component_set(lp_value *doc, const cli_command *cmd, const char *slot,
                      const char *assignment, lp_diags *diags);
/* Puts class `cls` in component slot `slot` of doc (beside the components doc
 * already declares) under a hidden runner, and builds the workflow, without a
 * metadata tracker. *out is the caller's (lp_workflow_free). 0, or an exit
 * code after printing every problem. */
int cli_component_build(lp_workflow **out, lp_registry *reg, lp_value *doc, const char *slot,
                        const char *cls, lp_diags *diags);

/* ---- commands from elsewhere ---- */
/* Prints "  NAME summary", NAME padded to `width`, for each command plugins
 * registered in reg (run as `lolpop extension NAME`); returns how many
 * (cmd_extension.c). */
size_t cli_print_plugin_commands(const lp_registry *reg, FILE *out, int width);
/* Runs `lolpop-NAME` from PATH (git's external commands) with argv, whose
 * argv[0] is replaced. Returns only when it could not: -1 when there is no
 * such program, CLI_FAIL when it exists but could not be started
 * (cli_external.c). */
int cli_exec_external(const char *name, char **argv);
/* Prints `heading`, then "  NAME" for each executable `lolpop-NAME` on PATH
 * that is not a built-in command, sorted, each name once; nothing at all
 * when there is none. Returns how many. */
size_t cli_print_external_commands(FILE *out, const char *heading);

/* ---- values (cli_values.c) ---- */
/* Parses a JSON object into a new map value. On failure prints an error
 * naming `option` and returns NULL. */
lp_value *cli_json_to_map(const char *text, const char *option);
/* Prints v as YAML-like text at `indent`, each leaf followed by its origin
 * as a comment when `origins` is set. */
void cli_print_yaml(FILE *out, const lp_value *v, int indent, bool origins);

/* ---- run summary (cli_summary.c) ---- */
/* Prints the human summary of a run when `result` is the summary map that a
 * runner's build_all returns (src/runners/runner_summary.c) and returns true;
 * false (nothing printed) for any other value. */
bool cli_print_run_summary(FILE *out, const lp_value *result);

#endif
