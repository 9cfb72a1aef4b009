/*
 * stdout_notifier.c — StdOutNotifier: notifications printed on standard output.
 *
 * The default notifier of every workflow; real deployments swap in e-mail or
 * chat notifiers by configuration. The dispatcher calls notify once when the
 * outermost call of a workflow fails.
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
    lp_sb sb = {0};
    lp_sb_appendf(&sb, "NOTIFY %s: %s", lp_log_level_name(level), message);
    return lp_stdout_put_line(&sb, "StdOutNotifier.notify");
}

static const lp_method stdout_notifier_methods[] = {
    {"notify", stdout_notifier_notify,
     "notify(message, level) -> null: prints \"NOTIFY LEVEL: message\" (level defaults to INFO)"},
    {NULL, NULL, NULL},
};

static const lp_config_key stdout_notifier_keys[] = {
    {NULL, NULL, NULL},
};

const lp_class lp_stdout_notifier_class = {
    .name = "StdOutNotifier",
    .kind = LP_KIND_COMPONENT,
    .type = "notifier",
    .doc = "Prints notifications on standard output as \"NOTIFY LEVEL: message\". The default "
           "notifier of every workflow; it has no configuration.",
    .defaults_yaml = NULL,
    .requirements = lp_no_requirements,
    .config_keys = stdout_notifier_keys,
    .methods = stdout_notifier_methods,
    .state_size = 0,
    .init = NULL,
    .fini = NULL,
};
