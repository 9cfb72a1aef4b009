/*
 * cli_util.c — messages: errors, usage, help, diagnostics, suggestions.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "core/internal.h"

static void vmessage(const char *kind, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

static void vmessage(const char *kind, const char *fmt, va_list ap)
{
    if (cli_globals_get()->json_logs) { /* one JSON object, as the loggers write */
        char *msg = NULL;
        if (vasprintf(&msg, fmt, ap) < 0) return;
        char *line = lp_log_json_line(strcmp(kind, "error") == 0 ? LP_LOG_ERROR : LP_LOG_WARN, msg,
                                      "lolpop", NULL);
        fprintf(stderr, "%s\n", line ? line : msg);
        free(line);
        free(msg);
        return;
    }
    fprintf(stderr, "lolpop: %s: ", kind);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmessage("error", fmt, ap);
    va_end(ap);
}

void cli_warning(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmessage("warning", fmt, ap);
    va_end(ap);
}

int cli_usage_error(const cli_command *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmessage("error", fmt, ap);
    va_end(ap);
    if (cmd)
        fprintf(stderr, "usage: %s\nRun 'lolpop help %s' for the options.\n", cmd->usage,
                cmd->name);
    return CLI_USAGE;
}

void cli_print_last_error(void)
{
    char *msg = lp_error_format();
    cli_error("%s", msg && *msg ? msg : "unknown error");
    free(msg);
}

int cli_exit_code(int lp_code)
{
    switch (lp_code) {
    case LP_OK:
        return CLI_OK;
    case LP_ECONFIG:
    case LP_EUSAGE:
    case LP_EPLUGIN:
        return CLI_USAGE;
    default:
        return CLI_FAIL;
    }
}

void cli_print_command_help(const cli_command *cmd, FILE *out)
{
    fprintf(out, "usage: %s\n\n%s — %s\n", cmd->usage, cmd->name, cmd->summary);
    if (cmd->help && *cmd->help) fprintf(out, "\n%s", cmd->help);
    fprintf(out, "\nExit codes: 0 ok, 1 workflow failure, 2 usage or configuration error.\n");
}

bool cli_use_colour(FILE *f)
{
    const char *no_color = getenv("NO_COLOR");
    return isatty(fileno(f)) && !(no_color && *no_color);
}

void cli_report(lp_diags *d, int rc, bool summary)
{
    size_t errors = lp_diags_errors(d);
    if (d->len > 0) lp_diags_print(d, stderr, cli_use_colour(stderr));
    if (summary && errors)
        cli_error("%zu problem%s in the configuration; nothing was run", errors,
                  errors == 1 ? "" : "s");
    lp_diags_clear(d);
    /* Without an error diagnostic the reason is only in the last error. */
    if (rc != 0 && errors == 0) cli_print_last_error();
}

void cli_suggestion(char *buf, size_t size, const char *word, const char *const *candidates,
                    size_t n)
{
    const char *best = lp_suggest(word, candidates, n);
    if (best)
        snprintf(buf, size, "; did you mean '%s'?", best);
    else if (size)
        buf[0] = '\0';
}

char *cli_class_hint(const lp_registry *reg, const char *name)
{
    const char *close[3];
    size_t n = lp_registry_suggest_class(reg, name, close, 3);
    lp_sb sb = {0};
    for (size_t i = 0; i < n; i++)
        lp_sb_appendf(&sb, "%s'%s'", i ? ", " : "; did you mean ", close[i]);
    if (n) lp_sb_putc(&sb, '?');
    return lp_sb_take(&sb);
}
