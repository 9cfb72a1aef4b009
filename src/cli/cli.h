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

/* ---- commands (one file each) ---- */
int cmd_run(int argc, char **argv);
int cmd_config(int argc, char **argv);
int cmd_classes(int argc, char **argv);
int cmd_extension(int argc, char **argv);
int cmd_help(int argc, char **argv);
int cmd_version(int argc, char **argv);
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
/* Prints every diagnostic to stderr; with errors, a closing summary line. */
void cli_print_diags(const lp_diags *d);
/* Prints " (did you mean 'X'?)"-style suffix text for `word` among
 * candidates into buf (empty when nothing is close). */
void cli_suggestion(char *buf, size_t size, const char *word, const char *const *candidates,
                    size_t n);

/* ---- option parsing (cli_opts.c) ---- */
typedef struct cli_option {
    const char *long_name; /* "config" for --config; NULL if none */
    char short_name;       /* 'c' for -c; 0 if none */
    const char *metavar;   /* "FILE" when the option takes a value, NULL for a flag */
    int id;                /* returned to the caller; non-zero */
} cli_option;

typedef struct cli_parser {
    const cli_command *cmd;
    const cli_option *opts; /* terminated by an entry with id 0 */
    int argc;
    char **argv;
    int i;          /* next argument; starts at 1 (after the command name) */
    bool opts_done; /* after "--" everything is positional */
} cli_parser;

enum { CLI_ARG_END, CLI_ARG_OPTION, CLI_ARG_POSITIONAL, CLI_ARG_HELP, CLI_ARG_ERROR };

void cli_parser_init(cli_parser *p, const cli_command *cmd, const cli_option *opts, int argc,
                     char **argv);
/* The next argument. OPTION: *id and *value (NULL for flags) set;
 * POSITIONAL: *value set; HELP for -h/--help; ERROR after printing a usage
 * error naming the option (the caller returns CLI_USAGE). */
int cli_parser_next(cli_parser *p, int *id, const char **value);

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
 * LOLPOP_PLUGIN_PATH, installed dir). 0, or an exit code after printing. */
int cli_session_load_registry(cli_session *s);
/* Looks up `name` as a runner class; prints a located error with suggestions
 * when unknown or of another kind. Returns the class or NULL. */
const lp_class *cli_session_runner(cli_session *s, const char *name);

/* ---- values (cli_values.c) ---- */
/* Parses a JSON object into a new map value. On failure prints an error
 * naming `option` and returns NULL. */
lp_value *cli_json_to_map(const char *text, const char *option);
/* Prints v as YAML-like text at `indent`, each leaf followed by its origin
 * as a comment when `origins` is set. */
void cli_print_yaml(FILE *out, const lp_value *v, int indent, bool origins);

#endif
