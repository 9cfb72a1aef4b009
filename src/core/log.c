/*
 * log.c — logging and notifying through the visible logger and notifier.
 *
 * Levels are resolved once when the tree is built: each logger object keeps
 * its configured log_level and every object caches its visible logger and
 * that logger's level, so lp_log_enabled is two loads and a compare.
 * Logging must never disturb the caller's last error (it often runs while an
 * error is being reported), so lp_log and lp_notify save and restore it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "object_internal.h"
#include "value_json.h"

/* The console settings (lp_log_console_set): set by the program before any
 * workflow is built, read afterwards. */
static int level_override = -1;
static bool json_lines;

void lp_log_console_set(int level, bool json)
{
    level_override = level >= (int)LP_LOG_TRACE && level <= (int)LP_LOG_ERROR ? level : -1;
    json_lines = json;
}

bool lp_log_level_override(lp_log_level *out)
{
    if (level_override < 0) return false;
    if (out) *out = (lp_log_level)level_override;
    return true;
}

bool lp_log_json_lines(void)
{
    return json_lines;
}

void lp_log_timestamp(lp_sb *sb)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    localtime_r(&ts.tv_sec, &tm);
    char buf[32];
    strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
    lp_sb_appendf(sb, "%s.%03ld", buf, ts.tv_nsec / 1000000L);
}

char *lp_log_json_line(lp_log_level level, const char *message, const char *source,
                       const lp_value *fields)
{
    lp_sb ts = {0};
    lp_log_timestamp(&ts);
    json_t *obj = json_object();
    json_object_set_new(obj, "ts", json_string(ts.buf ? ts.buf : ""));
    json_object_set_new(obj, "level", json_string(lp_log_level_name(level)));
    json_t *msg = json_string(message ? message : "");
    json_object_set_new(obj, "message", msg ? msg : json_string("<invalid UTF-8>"));
    if (source) json_object_set_new(obj, "source", json_string(source));
    json_object_set_new(obj, "fields",
                        lp_value_type(fields) == LP_MAP ? lp_json_from_value(fields, 0)
                                                        : json_object());
    char *line = obj ? json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(obj);
    lp_sb_free(&ts);
    return line;
}

static const char *const level_names[] = {"TRACE", "DEBUG", "INFO", "WARN", "ERROR"};

LP_API const char *lp_log_level_name(lp_log_level level)
{
    if ((int)level < 0 || (int)level > LP_LOG_ERROR) return "UNKNOWN";
    return level_names[level];
}

LP_API int lp_log_level_parse(const char *name, lp_log_level *out)
{
    if (name) {
        for (int i = 0; i <= LP_LOG_ERROR; i++)
            if (lp_streq_nocase(name, level_names[i])) {
                if (out) *out = (lp_log_level)i;
                return 0;
            }
        if (lp_streq_nocase(name, "WARNING")) {
            if (out) *out = LP_LOG_WARN;
            return 0;
        }
    }
    return lp_error_set(LP_EINVAL,
                        "unknown log level '%s' (expected TRACE, DEBUG, INFO, WARN or ERROR)",
                        name ? name : "(null)");
}

static bool is_type(const lp_obj *o, const char *type)
{
    return o && o->cls && o->cls->type && strcmp(o->cls->type, type) == 0;
}

/* log_level looked up from obj (own config, defaults, parents, env); INFO
 * when unset or invalid (validation reports invalid names with their place). */
static lp_log_level configured_level(const lp_obj *obj)
{
    lp_log_level forced;
    if (lp_log_level_override(&forced)) return forced;
    lp_value *v = lp_obj_config(obj, "log_level");
    lp_log_level lvl = LP_LOG_INFO;
    if (lp_value_type(v) == LP_STRING) {
        if (lp_log_level_parse(lp_value_as_string(v), &lvl) != 0) lvl = LP_LOG_INFO;
        lp_error_clear();
    }
    lp_value_unref(v);
    return lvl;
}

static void cache_loggers(lp_obj *o)
{
    if (is_type(o, "logger")) o->own_level = configured_level(o);
    for (size_t i = 0; i < o->n_children; i++)
        cache_loggers(o->children[i]);
}

static void cache_objects(lp_obj *o)
{
    lp_obj *logger = lp_obj_component(o, "logger");
    o->logger = is_type(logger, "logger") ? logger : NULL;
    o->log_level = o->logger ? o->logger->own_level : configured_level(o);
    for (size_t i = 0; i < o->n_children; i++)
        cache_objects(o->children[i]);
}

void lp_log_cache_levels(lp_workflow *wf)
{
    if (!wf || !wf->root) return;
    cache_loggers(wf->root);
    cache_objects(wf->root);
}

LP_API bool lp_log_enabled(const lp_obj *obj, lp_log_level level)
{
    lp_log_level threshold = LP_LOG_INFO;
    if (obj)
        threshold = obj->log_level;
    else
        lp_log_level_override(&threshold);
    return level >= threshold;
}

static void to_stderr(lp_log_level level, const char *msg)
{
    /* The fallback when no logger exists (a partial tree, or none configured). */
    char *line = json_lines ? lp_log_json_line(level, msg, NULL, NULL) : NULL;
    if (line)
        fprintf(stderr, "%s\n", line);
    else
        fprintf(stderr, "%s %s\n", lp_log_level_name(level), msg);
    free(line);
}

__attribute__((format(printf, 3, 0))) static void vlog(const lp_obj *obj, lp_log_level level,
                                                       const char *fmt, va_list ap)
{
    char *msg = NULL;
    if (vasprintf(&msg, fmt, ap) < 0) return;
    lp_obj *logger = obj ? obj->logger : NULL;
    if (!logger || !logger->initialised) {
        to_stderr(level, msg);
        free(msg);
        return;
    }
    lp_saved_error saved; /* put back after the logger or notifier call */
    lp_error_save(&saved);
    lp_value *args = lp_value_map();
    lp_map_set(args, "level", lp_value_string(lp_log_level_name(level)));
    lp_map_set(args, "message", lp_value_string(msg));
    lp_map_set(args, "fields", lp_value_null());
    /* Who is speaking: "Class path" ("HelloGreeter greeter"), or the class alone at the root. */
    const char *path = obj->path && obj->path[0] ? obj->path : NULL;
    char *source = lp_asprintf("%s%s%s", obj->cls->name, path ? " " : "", path ? path : "");
    if (source) lp_map_set(args, "source", lp_value_string(source));
    free(source);
    lp_value *r = args ? lp_call_direct(logger, "log", args) : NULL;
    lp_value_unref(args);
    if (!r) to_stderr(level, msg);
    lp_value_unref(r);
    lp_error_restore(&saved);
    free(msg);
}

LP_API void lp_log(const lp_obj *obj, lp_log_level level, const char *fmt, ...)
{
    if (!lp_log_enabled(obj, level)) return;
    va_list ap;
    va_start(ap, fmt);
    vlog(obj, level, fmt, ap);
    va_end(ap);
}

/* Set while a notification is being sent: a notifier that fails must not
 * trigger another notification (the dispatcher notifies on failures). */
static _Thread_local bool notifying;

/* Hands message to obj's visible notifier; false when there is none (or it
 * failed, or a notification is already being sent). */
static bool send_notification(const lp_obj *obj, lp_log_level level, const char *msg, bool failure)
{
    lp_obj *notifier = obj ? lp_obj_component(obj, "notifier") : NULL;
    if (!is_type(notifier, "notifier") || !notifier->initialised || notifying) return false;
    lp_saved_error saved; /* put back after the notifier call */
    lp_error_save(&saved);
    notifying = true;
    lp_value *args = lp_value_map();
    lp_map_set(args, "message", lp_value_string(msg));
    lp_map_set(args, "level", lp_value_string(lp_log_level_name(level)));
    if (failure) lp_map_set(args, "failure", lp_value_bool(true));
    lp_value *r = args ? lp_call_direct(notifier, "notify", args) : NULL;
    lp_value_unref(args);
    notifying = false;
    bool sent = r != NULL;
    lp_value_unref(r);
    lp_error_restore(&saved);
    return sent;
}

LP_API void lp_notify(const lp_obj *obj, lp_log_level level, const char *fmt, ...)
{
    char *msg = NULL;
    va_list ap;
    va_start(ap, fmt);
    int n = vasprintf(&msg, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if (!send_notification(obj, level, msg, false)) to_stderr(level, msg);
    free(msg);
}

void lp_notify_failure(const lp_obj *obj, const char *message)
{
    /* No stderr fallback: the caller of the workflow gets the error and
     * reports it (the CLI prints it once). */
    if (message) send_notification(obj, LP_LOG_ERROR, message, true);
}
