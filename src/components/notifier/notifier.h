/*
 * notifier.h — what SMTPNotifier (smtp.c) and WebhookNotifier (webhook.c)
 * share (not public API): libcurl loaded on first use, the delivery settings
 * (retries, backoff, timeout) and the retry loop, and the facts a
 * notification carries besides its text (run id, workflow, report path).
 *
 * Delivery never fails a workflow: a notification that cannot be delivered
 * after its retries is logged at WARN and notify returns {sent: false, ...}.
 * Only bad arguments (no message, an unknown level) are errors. Log lines
 * never carry secrets: no password, no user, no URL path or query (a Slack
 * webhook's path is its secret), only scheme, host and port.
 */
#ifndef LP_COMPONENTS_NOTIFIER_H
#define LP_COMPONENTS_NOTIFIER_H

#define CURL_DISABLE_TYPECHECK /* calls go through function pointers */
#include <curl/curl.h>

#include "components/components_internal.h"

/* ---- libcurl, loaded on first use (notifier_curl.c) ------------------------------------ */

#define LP_CURL_FUNCTIONS(X)                                                                       \
    X(curl_global_init)                                                                            \
    X(curl_easy_init)                                                                              \
    X(curl_easy_setopt)                                                                            \
    X(curl_easy_perform)                                                                           \
    X(curl_easy_getinfo)                                                                           \
    X(curl_easy_cleanup)                                                                           \
    X(curl_easy_strerror)                                                                          \
    X(curl_slist_append)                                                                           \
    X(curl_slist_free_all)

#define LP_CURL_FIELD(name) __typeof__(name) *name;
typedef struct lp_curl_fns {
    LP_CURL_FUNCTIONS(LP_CURL_FIELD)
} lp_curl_fns;
#undef LP_CURL_FIELD

/* The loaded functions (valid after lp_curl_require returned 0). */
extern lp_curl_fns lp_curl;

/* Loads libcurl and initialises it once; 0, or LP_ENOTFOUND with the reason. Thread-safe. */
int lp_curl_require(void);

/* ---- delivery settings and the retry loop (notifier_common.c) --------------------------- */

typedef struct lp_notify_settings {
    int retries;        /* attempts after the first (config retries, 0..10, default 3) */
    double backoff;     /* seconds before the first retry, doubled each time (default 1) */
    double max_backoff; /* cap of one wait (default 30) */
    double timeout;     /* seconds for one attempt, connection included (default 10) */
} lp_notify_settings;

/* Reads retries, backoff, max_backoff and timeout of self into *s.
 * 0, or LP_ECONFIG naming the key and its location. */
int lp_notify_settings_read(lp_notify_settings *s, lp_obj *self, const char *cls);

/* One delivery attempt: 0 when delivered; else a negative code with a short
 * reason (no secrets) written into why (size bytes), and *retry false when
 * trying again cannot help (a 4xx answer, a rejected recipient). */
typedef int (*lp_notify_attempt)(void *ud, char *why, size_t size, bool *retry);

/* Runs attempt up to 1 + s->retries times with exponential backoff between
 * them. Returns {sent, attempts, error (absent when sent)} (new reference),
 * or NULL on OOM. Logs each failed attempt at DEBUG and a final failure at
 * WARN, naming `target` (scheme://host:port only). */
lp_value *lp_notify_deliver(lp_obj *self, const lp_notify_settings *s, const char *cls,
                            const char *target, lp_notify_attempt attempt, void *ud);

/* What every notifier's notify does around lp_notify_deliver: names the
 * target by url's origin only (no user, password or path in logs), reports
 * a payload that could not be built (payload_ready false) as out of memory,
 * and answers {sent: false} with a WARN when libcurl cannot be loaded.
 * Returns the result (new reference) or NULL with the error set. */
lp_value *lp_notify_send(lp_obj *self, const lp_notify_settings *s, const char *cls,
                         const char *url, bool payload_ready, lp_notify_attempt attempt, void *ud);

/* The facts of one notification, parsed from notify's arguments and the workflow. */
typedef struct lp_notice {
    const char *message; /* borrowed from args */
    const char *level;   /* "INFO", "WARN" or "ERROR" (static) */
    bool failure;        /* the workflow failed (args.failure) */
    char *run_id;        /* the metadata_tracker's run, or NULL (owned) */
    char *workflow;      /* the runner class, e.g. "ClassificationRunner" (owned) */
    char *report;        /* args.report, else the run report's path when known (owned) */
} lp_notice;

/* Fills *n from notify's args (message, level, failure, report) and self's
 * workflow. 0, or LP_EINVAL naming `cls` for a missing message or bad level. */
int lp_notice_read(lp_notice *n, lp_obj *self, const lp_value *args, const char *cls);
void lp_notice_clear(lp_notice *n);

/* "scheme://host[:port]" of url, for log lines (new string; "?" when unparsable). */
char *lp_notify_url_origin(const char *url);

/* A config string of self (new string), or NULL when absent; LP_ECONFIG in
 * *rc for a present non-string or empty value. */
char *lp_notify_config_string(lp_obj *self, const char *key, const char *cls, int *rc);

#endif
