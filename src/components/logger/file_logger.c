/*
 * file_logger.c — FileLogger: log lines appended to a file, as text or JSON.
 *
 * The file is opened once in init (append mode, so several runs share one
 * log) and closed in fini. Every line is flushed so that a crash loses
 * nothing already logged. JSON lines are built with jansson so that any
 * message or field value is escaped correctly.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "components/components_internal.h"
#include "core/value_json.h"
#include "log_line.h"
#include "lolpop/error.h"

typedef struct file_logger {
    FILE *fp;
    lp_log_level level;
    bool json;
} file_logger;

static int read_format(lp_obj *self, bool *json)
{
    lp_value *v = lp_obj_config(self, "log_format");
    const char *fmt = lp_value_as_string(v);
    int rc = 0;
    *json = false;
    if (fmt && lp_streq_nocase(fmt, "json")) {
        *json = true;
    } else if (v && !(fmt && lp_streq_nocase(fmt, "text"))) {
        char *text = lp_value_to_string(v);
        rc = lp_log_config_error(v, "FileLogger (%s): log_format %s is not one of text, json",
                                 lp_obj_path(self), text ? text : "?");
        free(text);
    }
    lp_value_unref(v);
    return rc;
}

static int open_log_file(lp_obj *self, FILE **out)
{
    lp_value *v = lp_obj_config(self, "log_filename");
    const char *path = lp_value_as_string(v);
    int rc = 0;
    if (!path || !*path) {
        rc = lp_log_config_error(
            v, "FileLogger (%s): config log_filename (a file path) is required", lp_obj_path(self));
    } else if (!(*out = fopen(path, "a"))) {
        int err = errno;
        /* A path that cannot be opened is a configuration problem: say where it is set. */
        rc = lp_log_config_error(v, "FileLogger (%s): cannot open log file '%s' for appending: %s",
                                 lp_obj_path(self), path, strerror(err));
    }
    lp_value_unref(v);
    return rc;
}

static int file_logger_init(lp_obj *self)
{
    file_logger *st = lp_obj_state(self);
    int rc = lp_log_configured_level(self, "FileLogger", &st->level);
    if (rc == 0) rc = read_format(self, &st->json);
    if (rc == 0) rc = open_log_file(self, &st->fp);
    return rc;
}

static void file_logger_fini(lp_obj *self)
{
    file_logger *st = lp_obj_state(self);
    if (st->fp) fclose(st->fp);
    st->fp = NULL;
}

/* log(level, message, fields) → null. Appends one line when level passes. */
static lp_value *file_logger_log(lp_obj *self, lp_value *args)
{
    file_logger *st = lp_obj_state(self);
    lp_log_args a;
    if (lp_log_args_parse(&a, args, "FileLogger") != 0) return NULL;
    if (a.level < st->level || !st->fp) return lp_value_null();
    char *line = NULL;
    lp_sb sb = {0};
    if (st->json) {
        line = lp_log_json_line(a.level, a.message, a.source, a.fields);
    } else {
        lp_log_format_text(&sb, &a, false);
        line = sb.oom ? NULL : sb.buf;
    }
    if (!line) {
        lp_sb_free(&sb);
        lp_error_set(LP_ENOMEM, "FileLogger.log: out of memory");
        return NULL;
    }
    int bad = fprintf(st->fp, "%s\n", line) < 0 || fflush(st->fp) != 0;
    if (st->json) free(line);
    lp_sb_free(&sb);
    if (bad) {
        lp_error_set(LP_EIO, "FileLogger.log: cannot write to the log file: %s", strerror(errno));
        return NULL;
    }
    return lp_value_null();
}

static const lp_method file_logger_methods[] = {
    {"log", file_logger_log,
     "log(level, message, fields) -> null: appends one line when level passes log_level"},
    {NULL, NULL, NULL},
};

static const lp_config_key file_logger_keys[] = {
    {"log_filename", "string",
     "path of the log file, relative to the working directory; opened for appending (required)"},
    {"log_format", "string",
     "text (the StdOutLogger line format) or json (one object per line: ts, level, message, "
     "fields)"},
    {"log_level", "string",
     "lowest level written: TRACE, DEBUG, INFO, WARN or ERROR (default INFO; inherited when "
     "not set here)"},
    {NULL, NULL, NULL},
};

static const char *const file_logger_requirements[] = {"config.log_filename", NULL};

const lp_class lp_file_logger_class = {
    .name = "FileLogger",
    .kind = LP_KIND_COMPONENT,
    .type = "logger",
    .doc = "Appends log lines to a file, as text or as JSON lines. The file is log_filename; the "
           "format is text (as StdOutLogger writes) or JSON lines ({\"ts\", \"level\", "
           "\"message\", \"fields\"}) for log collectors. The file "
           "is opened when the workflow starts and every line is flushed.",
    .defaults_yaml = "log_format: text\n",
    .requirements = file_logger_requirements,
    .config_keys = file_logger_keys,
    .methods = file_logger_methods,
    .state_size = sizeof(file_logger),
    .init = file_logger_init,
    .fini = file_logger_fini,
};
