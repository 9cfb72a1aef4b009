/*
 * cli_opts.c — a small option parser with the error messages lolpop wants.
 *
 * getopt_long prints its own messages and permutes argv; we want every
 * problem to name the option and the command, with a "did you mean" for a
 * misspelt long option. Supported forms: -c FILE, -cFILE, --config FILE,
 * --config=FILE, flags, -h/--help, and "--" to end options.
 */
#include <string.h>

#include "cli.h"
#include "core/internal.h"

typedef struct cli_parser {
    const cli_command *cmd;
    const cli_option *opts; /* terminated by an entry with id 0 */
    int argc;
    char **argv;
    int i;          /* next argument; starts at 1 (after the command name) */
    bool opts_done; /* after "--" everything is positional */
} cli_parser;

/* What parser_next found. */
enum { CLI_ARG_END, CLI_ARG_OPTION, CLI_ARG_POSITIONAL, CLI_ARG_HELP, CLI_ARG_ERROR };

static const cli_option *find_long(const cli_parser *p, const char *name, size_t len)
{
    for (const cli_option *o = p->opts; o->id; o++)
        if (o->long_name && strlen(o->long_name) == len && strncmp(o->long_name, name, len) == 0)
            return o;
    return NULL;
}

static const cli_option *find_short(const cli_parser *p, char c)
{
    for (const cli_option *o = p->opts; o->id; o++)
        if (o->short_name && o->short_name == c) return o;
    return NULL;
}

static int unknown_option(cli_parser *p, const char *arg)
{
    const char *names[32];
    char spelled[32][40];
    size_t n = 0;
    for (const cli_option *o = p->opts; o->id && n < 32; o++)
        if (o->long_name) {
            snprintf(spelled[n], sizeof spelled[n], "--%s", o->long_name);
            names[n] = spelled[n];
            n++;
        }
    char word[64];
    size_t len = strcspn(arg, "=");
    snprintf(word, sizeof word, "%.*s", (int)(len < 63 ? len : 63), arg);
    char hint[96];
    cli_suggestion(hint, sizeof hint, word, names, n);
    cli_usage_error(p->cmd, "unknown option '%s' for 'lolpop %s'%s", word, p->cmd->name, hint);
    return CLI_ARG_ERROR;
}

/* The option's name as the user typed it, for messages. */
static void option_name(char *buf, size_t size, const cli_option *o, bool as_long)
{
    if (as_long || !o->short_name)
        snprintf(buf, size, "--%s", o->long_name);
    else
        snprintf(buf, size, "-%c", o->short_name);
}

/* Takes the option's value from the next argument. A following option is not
 * a value: "-c --set x" means -c lacks its FILE. */
static int take_next_value(cli_parser *p, const cli_option *o, bool as_long, const char **value)
{
    const char *next = p->i < p->argc ? p->argv[p->i] : NULL;
    if (!next || (next[0] == '-' && next[1] != '\0')) {
        char name[48];
        option_name(name, sizeof name, o, as_long);
        cli_usage_error(p->cmd, "option '%s' needs a value (%s)", name, o->metavar);
        return CLI_ARG_ERROR;
    }
    *value = next;
    p->i++;
    return CLI_ARG_OPTION;
}

static int parse_long(cli_parser *p, const char *arg, int *id, const char **value)
{
    const char *name = arg + 2;
    const char *eq = strchr(name, '=');
    size_t len = eq ? (size_t)(eq - name) : strlen(name);
    if (len == 4 && strncmp(name, "help", 4) == 0 && !eq) return CLI_ARG_HELP;
    const cli_option *o = find_long(p, name, len);
    if (!o) return unknown_option(p, arg);
    *id = o->id;
    *value = NULL;
    if (!o->metavar) {
        if (eq)
            return cli_usage_error(p->cmd, "option '--%s' takes no value", o->long_name),
                   CLI_ARG_ERROR;
        return CLI_ARG_OPTION;
    }
    if (eq) {
        *value = eq + 1;
        return CLI_ARG_OPTION;
    }
    return take_next_value(p, o, true, value);
}

static int parse_short(cli_parser *p, const char *arg, int *id, const char **value)
{
    if (arg[1] == 'h' && arg[2] == '\0') return CLI_ARG_HELP;
    const cli_option *o = find_short(p, arg[1]);
    if (!o) return unknown_option(p, arg);
    *id = o->id;
    *value = NULL;
    if (!o->metavar) {
        if (arg[2])
            return cli_usage_error(p->cmd, "option '-%c' takes no value", o->short_name),
                   CLI_ARG_ERROR;
        return CLI_ARG_OPTION;
    }
    if (arg[2]) {
        *value = arg + 2;
        return CLI_ARG_OPTION;
    }
    return take_next_value(p, o, false, value);
}

/* ---- global options: every command takes them, handled here only ---- */

static cli_globals globals;

const cli_globals *cli_globals_get(void)
{
    return &globals;
}

/* Applies the settings to the library's console (loggers, progress). */
static void globals_apply(void)
{
    int level = globals.verbosity < 0   ? (int)LP_LOG_WARN
                : globals.verbosity > 0 ? (int)LP_LOG_DEBUG
                                        : -1;
    lp_log_console_set(level, globals.json_logs);
    cli_progress_install();
}

int cli_global_option(const char *arg, const char *next, const cli_command *cmd)
{
    if (strcmp(arg, "-q") == 0 || strcmp(arg, "--quiet") == 0) {
        globals.verbosity = -1;
    } else if (strcmp(arg, "-v") == 0 || strcmp(arg, "--verbose") == 0) {
        globals.verbosity = 1;
    } else if (strncmp(arg, "--log-format", 12) == 0 && (arg[12] == '\0' || arg[12] == '=')) {
        const char *fmt = arg[12] == '=' ? arg + 13 : next;
        if (!fmt || (strcmp(fmt, "text") != 0 && strcmp(fmt, "json") != 0)) {
            cli_usage_error(cmd, "--log-format takes text or json%s%s%s", fmt ? ", not '" : "",
                            fmt ? fmt : "", fmt ? "'" : "");
            return -1;
        }
        globals.json_logs = strcmp(fmt, "json") == 0;
        globals_apply();
        return arg[12] == '=' ? 1 : 2;
    } else {
        return 0;
    }
    globals_apply();
    return 1;
}

/* The next argument. OPTION: *id and *value (NULL for flags) set;
 * POSITIONAL: *value set; HELP for -h/--help; ERROR after printing a usage
 * error naming the option. */
static int parser_next(cli_parser *p, int *id, const char **value)
{
    while (p->i < p->argc) {
        const char *arg = p->argv[p->i++];
        if (p->opts_done || arg[0] != '-' || arg[1] == '\0') {
            *value = arg;
            return CLI_ARG_POSITIONAL;
        }
        if (strcmp(arg, "--") == 0) {
            p->opts_done = true;
            continue;
        }
        const char *next = p->i < p->argc ? p->argv[p->i] : NULL;
        int used = cli_global_option(arg, next, p->cmd);
        if (used < 0) return CLI_ARG_ERROR;
        if (used > 0) {
            p->i += used - 1;
            continue;
        }
        return arg[1] == '-' ? parse_long(p, arg, id, value) : parse_short(p, arg, id, value);
    }
    return CLI_ARG_END;
}

int cli_parse_args(cli_positionals *pos, const cli_command *cmd, const cli_args_spec *spec,
                   void *ctx, int argc, char **argv)
{
    cli_parser p = {cmd, spec->opts, argc, argv, 1, false};
    size_t max =
        spec->max_positional < CLI_MAX_POSITIONAL ? spec->max_positional : CLI_MAX_POSITIONAL;
    int id = 0, kind, rc;
    const char *value = NULL;
    while ((kind = parser_next(&p, &id, &value)) != CLI_ARG_END) {
        if (kind == CLI_ARG_HELP) {
            cli_print_command_help(cmd, stdout);
            return -1;
        }
        if (kind == CLI_ARG_ERROR) return CLI_USAGE;
        if (kind == CLI_ARG_POSITIONAL) {
            if (pos->n == max) return cli_usage_error(cmd, "unexpected argument '%s'", value);
            pos->v[pos->n++] = value;
        } else if ((rc = spec->on_option(ctx, id, value)) != 0) {
            return rc;
        }
    }
    return 0;
}
