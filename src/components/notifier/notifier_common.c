/*
 * notifier_common.c — delivery settings, the retry loop with exponential
 * backoff, and the facts of a notification (see notifier.h).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "components/notifier/notifier.h"
#include "lolpop/types/metadata_tracker.h"
#include "runs/run_report.h"

/* ---- settings ------------------------------------------------------------------------- */

/* A number config key in [lo, hi] into *out (unchanged when absent). */
static int read_number(lp_obj *self, const char *cls, const char *key, double lo, double hi,
                       double *out)
{
    lp_value *v = lp_obj_config(self, key);
    int rc = 0;
    if (v) {
        lp_vtype t = lp_value_type(v);
        double d = t == LP_INT ? (double)lp_value_as_int(v) : lp_value_as_float(v);
        if ((t != LP_INT && t != LP_FLOAT) || !(d >= lo && d <= hi))
            rc = lp_kit_error_at(LP_ECONFIG, v, "%s: %s must be a number from %g to %g", cls, key,
                                 lo, hi);
        else
            *out = d;
    }
    lp_value_unref(v);
    return rc;
}

int lp_notify_settings_read(lp_notify_settings *s, lp_obj *self, const char *cls)
{
    double retries = 3;
    *s = (lp_notify_settings){.backoff = 1, .max_backoff = 30, .timeout = 10};
    int rc = read_number(self, cls, "retries", 0, 10, &retries);
    if (rc == 0) rc = read_number(self, cls, "backoff", 0, 600, &s->backoff);
    if (rc == 0) rc = read_number(self, cls, "max_backoff", 0, 3600, &s->max_backoff);
    if (rc == 0) rc = read_number(self, cls, "timeout", 0.001, 3600, &s->timeout);
    s->retries = (int)retries;
    return rc;
}

char *lp_notify_config_string(lp_obj *self, const char *key, const char *cls, int *rc)
{
    lp_value *v = lp_obj_config(self, key);
    char *out = NULL;
    if (v && lp_value_type(v) != LP_NULL) {
        const char *s = lp_value_as_string(v);
        if (!s || !*s)
            *rc = lp_kit_error_at(LP_ECONFIG, v, "%s: %s must be a non-empty string", cls, key);
        else if (!(out = lp_strdup(s)))
            *rc = LP_ENOMEM;
    }
    lp_value_unref(v);
    return out;
}

/* ---- the retry loop ---------------------------------------------------------------------- */

static void sleep_seconds(double s)
{
    if (!(s > 0)) return;
    struct timespec ts = {(time_t)s, (long)((s - floor(s)) * 1e9)};
    while (nanosleep(&ts, &ts) != 0) /* interrupted: sleep the rest */
        ;
}

lp_value *lp_notify_deliver(lp_obj *self, const lp_notify_settings *s, const char *cls,
                            const char *target, lp_notify_attempt attempt, void *ud)
{
    char why[256] = "";
    int tries = 0;
    bool sent = false, retry = true;
    double wait = s->backoff;
    while (!sent && retry && tries <= s->retries) {
        if (tries > 0) {
            sleep_seconds(wait);
            wait = fmin(wait * 2, s->max_backoff);
        }
        tries++;
        why[0] = 0;
        retry = true;
        sent = attempt(ud, why, sizeof why, &retry) == 0;
        if (!sent)
            lp_log(self, LP_LOG_DEBUG, "%s: attempt %d to %s failed: %s", cls, tries, target, why);
    }
    lp_error_clear(); /* a delivery failure is reported by the result, not as an error */
    if (!sent)
        lp_log(self, LP_LOG_WARN,
               "%s: the notification was not delivered to %s after %d attempt%s: %s", cls, target,
               tries, tries == 1 ? "" : "s", why);
    else
        lp_log(self, LP_LOG_DEBUG, "%s: notification delivered to %s (attempt %d)", cls, target,
               tries);
    return lp_kit_result("sent", lp_value_bool(sent), "attempts", lp_value_int(tries), "error",
                         sent ? NULL : lp_value_string(why), (const char *)NULL);
}

/* ---- the facts of a notification ------------------------------------------------------------- */

char *lp_notify_url_origin(const char *url)
{
    const char *p = url ? strstr(url, "://") : NULL;
    if (!p) return lp_strdup("?");
    const char *host = p + 3;
    const char *at = NULL;
    size_t n = strcspn(host, "/?#");
    for (size_t i = 0; i < n; i++) /* user:password@ never goes into a log line */
        if (host[i] == '@') at = host + i;
    if (at) {
        n -= (size_t)(at + 1 - host);
        host = at + 1;
    }
    return lp_asprintf("%.*s://%.*s", (int)(p - url), url, (int)n, host);
}

static lp_obj *root_of(lp_obj *o)
{
    while (lp_obj_parent(o))
        o = lp_obj_parent(o);
    return o;
}

/* run id and store of the visible tracker's run_info(), when it has one. */
static void read_run(lp_notice *n, lp_obj *self, char **store)
{
    lp_obj *tracker = lp_obj_component(self, "metadata_tracker");
    lp_value *info = tracker && lp_obj_has_method(tracker, LP_METADATA_TRACKER_RUN_INFO)
                         ? lp_metadata_tracker_run_info(tracker)
                         : NULL;
    const char *id = lp_value_as_string(lp_map_get(info, "id"));
    const char *st = lp_value_as_string(lp_map_get(info, "store"));
    n->run_id = id ? lp_strdup(id) : NULL;
    *store = st ? lp_strdup(st) : NULL;
    lp_value_unref(info);
    lp_error_clear(); /* no run to name: the notification goes out without one */
}

int lp_notice_read(lp_notice *n, lp_obj *self, const lp_value *args, const char *cls)
{
    *n = (lp_notice){0};
    n->message = lp_value_as_string(lp_map_get(args, "message"));
    if (!n->message)
        return lp_error_set(LP_EINVAL, "%s.notify: argument 'message' (a string) is required", cls);
    const char *level = lp_value_as_string(lp_map_get(args, "level"));
    lp_log_level lv = LP_LOG_INFO;
    if (level && lp_log_level_parse(level, &lv) != 0)
        return lp_error_set(LP_EINVAL, "%s.notify: unknown level '%s'", cls, level);
    n->level = lp_log_level_name(lv);
    n->failure = lp_value_as_bool(lp_map_get(args, "failure"));
    const lp_class *rc = lp_obj_class(root_of(self));
    n->workflow = lp_strdup(rc && rc->name ? rc->name : "");
    char *store = NULL;
    read_run(n, self, &store);
    const char *report = lp_value_as_string(lp_map_get(args, "report"));
    if (report)
        n->report = lp_strdup(report);
    else if (n->run_id && store)
        n->report = lp_run_report_planned_path(self, store, n->run_id);
    lp_error_clear();
    free(store);
    if (!n->workflow) {
        lp_notice_clear(n);
        return lp_error_set(LP_ENOMEM, "%s.notify: out of memory", cls);
    }
    return 0;
}

void lp_notice_clear(lp_notice *n)
{
    free(n->run_id);
    free(n->workflow);
    free(n->report);
    *n = (lp_notice){0};
}

lp_value *lp_notify_send(lp_obj *self, const lp_notify_settings *s, const char *cls,
                         const char *url, bool payload_ready, lp_notify_attempt attempt, void *ud)
{
    char *target = lp_notify_url_origin(url);
    lp_value *r = NULL;
    if (!target || !payload_ready) {
        lp_error_set(LP_ENOMEM, "%s.notify: out of memory", cls);
    } else if (lp_curl_require() != 0) {
        lp_log(self, LP_LOG_WARN, "%s: the notification was not sent: %s", cls,
               lp_error_last()->message);
        lp_error_clear();
        r = lp_kit_result("sent", lp_value_bool(false), "attempts", lp_value_int(0), "error",
                          lp_value_string("libcurl is not available"), (const char *)NULL);
    } else {
        r = lp_notify_deliver(self, s, cls, target, attempt, ud);
    }
    free(target);
    return r;
}
