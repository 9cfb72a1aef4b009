/*
 * stdout_logger.c — StdOutLogger: log lines on standard output.
 *
 * The default logger of every workflow. Colour is applied to the level name
 * only, and only when stdout is a terminal and NO_COLOR is unset (or when
 * forced with colour: always), so piped output stays plain text.
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
} stdout_logger;

/* Decides colour once at init: "auto" (default), "always" or "never". */
static int read_colour(lp_obj *self, bool *out)
{
    char *mode = lp_obj_config_string(self, "colour");
    int rc = 0;
    const char *no_color = getenv("NO_COLOR");
    bool tty = isatty(STDOUT_FILENO) && !(no_color && *no_color);
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
    if (rc == 0) rc = read_colour(self, &st->colour);
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
    lp_log_format_text(&sb, &a, st->colour);
    return lp_stdout_put_line(&sb, "StdOutLogger.log");
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
     "auto (colour the level when stdout is a terminal and NO_COLOR is unset), always or never"},
    {NULL, NULL, NULL},
};

const lp_class lp_stdout_logger_class = {
    .name = "StdOutLogger",
    .kind = LP_KIND_COMPONENT,
    .type = "logger",
    .doc = "Writes log lines to standard output. Each line reads \"2026-11-27 16:30:01.123 INFO  "
           "[Class path] message key=value\". The level name is coloured when stdout is a terminal "
           "and "
           "NO_COLOR is unset. Messages below log_level are dropped. The default logger of "
           "every workflow.",
    .defaults_yaml = "colour: auto\n",
    .requirements = lp_no_requirements,
    .config_keys = stdout_logger_keys,
    .methods = stdout_logger_methods,
    .state_size = sizeof(stdout_logger),
    .init = stdout_logger_init,
    .fini = NULL,
};
