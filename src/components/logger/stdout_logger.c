/*
 * stdout_logger.c — StdOutLogger: log lines on the console.
 *
 * The default logger of every workflow. Lines go to standard error by
 * default (stream: stderr), standard output being the results' (`lolpop run
 * … --json | jq` must see only JSON); the name is the Python lolpop's. Colour
 * is applied to the level name only, and only when the stream is a terminal
 * and NO_COLOR is unset (or when forced with colour: always), so piped output
 * stays plain text. Under the program's --log-format json every line is one
 * JSON object.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "components/components_internal.h"
#include "log_line.h"
#include "lolpop/error.h"

typedef struct stdout_logger {
    lp_log_level level;
    bool colour;
    FILE *out; /* stderr or stdout */
} stdout_logger;

/* stream: stderr (default) or stdout. */
static int read_stream(lp_obj *self, FILE **out)
{
    lp_value *v = lp_obj_config(self, "stream");
    const char *name = lp_value_as_string(v);
    int rc = 0;
    *out = stderr;
    if (name && lp_streq_nocase(name, "stdout"))
        *out = stdout;
    else if (v && !(name && lp_streq_nocase(name, "stderr")))
        rc = lp_log_config_error(v, "StdOutLogger (%s): stream '%s' is not one of stderr, stdout",
                                 lp_obj_path(self), name ? name : "?");
    lp_value_unref(v);
    return rc;
}

/* Decides colour once at init: "auto" (default), "always" or "never". */
static int read_colour(lp_obj *self, FILE *stream, bool *out)
{
    char *mode = lp_obj_config_string(self, "colour");
    int rc = 0;
    const char *no_color = getenv("NO_COLOR");
    bool tty = isatty(fileno(stream)) && !(no_color && *no_color);
    if (!mode || lp_streq_nocase(mode, "auto"))
        *out = tty;
    else if (lp_streq_nocase(mode, "always") || lp_streq_nocase(mode, "true"))
        *out = true;
    else if (lp_streq_nocase(mode, "never") || lp_streq_nocase(mode, "false"))
        *out = false;
    else
        rc = lp_error_set(LP_ECONFIG,
                          "StdOutLogger (%s): colour '%s' is not one of auto, always, never",
                          lp_obj_path(self), mode);
    free(mode);
    return rc;
}

static int stdout_logger_init(lp_obj *self)
{
    stdout_logger *st = lp_obj_state(self);
    int rc = lp_log_configured_level(self, "StdOutLogger", &st->level);
    if (rc == 0) rc = read_stream(self, &st->out);
    if (rc == 0) rc = read_colour(self, st->out, &st->colour);
    return rc;
}

/* log(level, message, fields) → null. Writes one line when level passes. */
static lp_value *stdout_logger_log(lp_obj *self, lp_value *args)
{
    stdout_logger *st = lp_obj_state(self);
    lp_log_args a;
    if (lp_log_args_parse(&a, args, "StdOutLogger") != 0) return NULL;
    if (a.level < st->level) return lp_value_null();
    lp_sb sb = {0};
    if (lp_log_json_lines()) {
        char *line = lp_log_json_line(a.level, a.message, a.source, a.fields);
        lp_sb_append(&sb, line ? line : "");
        if (!line) sb.oom = true;
        free(line);
    } else {
        lp_log_format_text(&sb, &a, st->colour);
    }
    return lp_stream_put_line(st->out, &sb, "StdOutLogger.log");
}

static const lp_method stdout_logger_methods[] = {
    {"log", stdout_logger_log,
     "log(level, message, fields) -> null: writes one line when level passes log_level"},
    {NULL, NULL, NULL},
};

static const lp_config_key stdout_logger_keys[] = {
    {"log_level", "string",
     "lowest level written: TRACE, DEBUG, INFO, WARN or ERROR (default INFO; inherited from "
     "the runner's config or the LOG_LEVEL environment variable when not set here)"},
    {"colour", "string",
     "auto (colour the level when the stream is a terminal and NO_COLOR is unset), always or "
     "never"},
    {"stream", "string", "stderr (the default: standard output carries the results) or stdout"},
    {NULL, NULL, NULL},
};

const lp_class lp_stdout_logger_class = {
    .name = "StdOutLogger",
    .kind = LP_KIND_COMPONENT,
    .type = "logger",
    .doc = "Writes log lines to the console: standard error unless stream: stdout (standard "
           "output carries the results). Each line reads \"2026-11-27 16:30:01.123 INFO  "
           "[Class path] message key=value\", or one JSON object under `--log-format json`. The "
           "level name is coloured when the stream is a terminal and NO_COLOR is unset. Messages "
           "below log_level (or the level of -q / -v) are dropped. The default logger of every "
           "workflow.",
    .defaults_yaml = "colour: auto\nstream: stderr\n",
    .requirements = lp_no_requirements,
    .config_keys = stdout_logger_keys,
    .methods = stdout_logger_methods,
    .state_size = sizeof(stdout_logger),
    .init = stdout_logger_init,
    .fini = NULL,
};
