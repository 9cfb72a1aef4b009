/*
 * stdout_notifier.c — StdOutNotifier: notifications printed on the console.
 *
 * The default notifier of every workflow; real deployments swap in e-mail or
 * chat notifiers by configuration. The dispatcher calls notify once when the
 * outermost call of a workflow fails (with failure: true); on the console
 * that would print the error a second time (the program running the
 * workflow reports it), so this notifier skips those. Lines go to stderr:
 * stdout carries the results.
 */

#include "components/components_internal.h"
#include "lolpop/error.h"

/* notify(message, level) → null. Prints "NOTIFY LEVEL: message". */
static lp_value *stdout_notifier_notify(lp_obj *self, lp_value *args)
{
    const lp_value *msg = lp_map_get(args, "message");
    const char *message = lp_value_as_string(msg);
    if (!message) {
        lp_error_set(LP_EINVAL, "StdOutNotifier.notify: argument 'message' (a string) is required");
        return NULL;
    }
    const char *level_arg = lp_value_as_string(lp_map_get(args, "level"));
    lp_log_level level = LP_LOG_INFO;
    if (level_arg && lp_log_level_parse(level_arg, &level) != 0) {
        lp_error_set(LP_EINVAL, "StdOutNotifier.notify: unknown level '%s'", level_arg);
        return NULL;
    }
    if (lp_value_as_bool(lp_map_get(args, "failure"))) return lp_value_null();
    lp_sb sb = {0};
    lp_sb_appendf(&sb, "NOTIFY %s: %s", lp_log_level_name(level), message);
    return lp_stream_put_line(stderr, &sb, "StdOutNotifier.notify");
}

static const lp_method stdout_notifier_methods[] = {
    {"notify", stdout_notifier_notify,
     "notify(message, level, failure) -> null: prints \"NOTIFY LEVEL: message\" on stderr "
     "(level defaults to INFO); skips failure: true (the caller reports that error)"},
    {NULL, NULL, NULL},
};

static const lp_config_key stdout_notifier_keys[] = {
    {NULL, NULL, NULL},
};

const lp_class lp_stdout_notifier_class = {
    .name = "StdOutNotifier",
    .kind = LP_KIND_COMPONENT,
    .type = "notifier",
    .doc = "Prints notifications on standard error as \"NOTIFY LEVEL: message\". The default "
           "notifier of every workflow; it has no configuration. The failure that ends a "
           "workflow is not repeated here: the program that ran it reports it once.",
    .defaults_yaml = NULL,
    .requirements = lp_no_requirements,
    .config_keys = stdout_notifier_keys,
    .methods = stdout_notifier_methods,
    .state_size = 0,
    .init = NULL,
    .fini = NULL,
};
