/*
 * webhook.c — WebhookNotifier: notifications as a JSON POST (Slack, Mattermost,
 * Teams incoming webhooks, or any HTTP receiver), through libcurl.
 *
 *   notifier:
 *     config:
 *       url: ${SLACK_WEBHOOK_URL}     # the URL is a secret: keep it in the environment
 *       headers: {Authorization: "Bearer ${TOKEN}"}   # optional extra headers
 *       retries: 3                    # then backoff, max_backoff, timeout (seconds)
 *
 * The body is one JSON object: `text` (Slack-compatible: "[lolpop]
 * ClassificationRunner WARN: message (run R)") and the structured fields
 * level, message, workflow, run_id, report and failure. A 2xx answer is a
 * delivery; a 5xx or 429 answer or a transport error is retried with
 * exponential backoff; another 4xx is not (the request itself is wrong).
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "components/notifier/notifier.h"

typedef struct webhook_notifier {
    char *url;
    char *prefix;
    char **headers; /* "Name: value", NULL-terminated, owned */
    lp_notify_settings settings;
} webhook_notifier;

#define CLS "WebhookNotifier"

static void webhook_fini(lp_obj *self)
{
    webhook_notifier *w = lp_obj_state(self);
    free(w->url);
    free(w->prefix);
    for (char **p = w->headers; p && *p; p++)
        free(*p);
    free(w->headers);
    memset(w, 0, sizeof *w);
}

static int read_headers(webhook_notifier *w, lp_obj *self)
{
    lp_value *v = lp_obj_config(self, "headers");
    int rc = 0;
    if (v && lp_value_type(v) != LP_MAP && lp_value_type(v) != LP_NULL)
        rc = lp_kit_error_at(LP_ECONFIG, v, CLS ": headers must be a map of name: value");
    size_t n = lp_value_type(v) == LP_MAP ? lp_map_len(v) : 0;
    if (rc == 0 && !(w->headers = calloc(n + 1, sizeof *w->headers))) rc = LP_ENOMEM;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const char *name = lp_map_key(v, i), *val = lp_value_as_string(lp_map_value(v, i));
        if (!val || !*name || strpbrk(name, "\r\n:") || strpbrk(val, "\r\n"))
            rc = lp_kit_error_at(LP_ECONFIG, lp_map_value(v, i),
                                 CLS ": header '%s' must be a one-line string", name);
        else if (!(w->headers[i] = lp_asprintf("%s: %s", name, val)))
            rc = LP_ENOMEM;
    }
    lp_value_unref(v);
    return rc;
}

static int webhook_init(lp_obj *self)
{
    webhook_notifier *w = lp_obj_state(self);
    int rc = 0;
    w->url = lp_notify_config_string(self, "url", CLS, &rc);
    if (rc == 0 && !w->url)
        rc = lp_error_set(LP_ECONFIG, CLS " (%s): config 'url' (http:// or https://) is required",
                          lp_obj_path(self));
    if (rc == 0 && strncmp(w->url, "http://", 7) && strncmp(w->url, "https://", 8))
        rc = lp_error_set(LP_ECONFIG, CLS " (%s): url must start with http:// or https://",
                          lp_obj_path(self));
    if (rc == 0) w->prefix = lp_notify_config_string(self, "text_prefix", CLS, &rc);
    if (rc == 0 && !w->prefix && !(w->prefix = lp_strdup("[lolpop]"))) rc = LP_ENOMEM;
    if (rc == 0) rc = read_headers(w, self);
    if (rc == 0) rc = lp_notify_settings_read(&w->settings, self, CLS);
    if (rc) webhook_fini(self);
    return rc;
}

/* The JSON body (new string) or NULL on OOM. */
static char *build_body(const webhook_notifier *w, const lp_notice *n)
{
    lp_sb text = {0};
    lp_sb_appendf(&text, "%s %s%s %s: %s", w->prefix, n->workflow, n->failure ? " failed," : "",
                  n->level, n->message);
    if (n->run_id) lp_sb_appendf(&text, " (run %s)", n->run_id);
    if (n->report) lp_sb_appendf(&text, "\nreport: %s", n->report);
    char *t = lp_sb_take(&text);
    json_t *o = json_object();
    json_object_set_new(o, "text", json_string(t ? t : ""));
    json_object_set_new(o, "level", json_string(n->level));
    json_object_set_new(o, "message", json_string(n->message));
    json_object_set_new(o, "workflow", json_string(n->workflow));
    json_object_set_new(o, "run_id", n->run_id ? json_string(n->run_id) : json_null());
    json_object_set_new(o, "report", n->report ? json_string(n->report) : json_null());
    json_object_set_new(o, "failure", json_boolean(n->failure));
    char *body = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    free(t);
    return body;
}

static size_t discard(char *ptr, size_t size, size_t nmemb, void *ud)
{
    (void)ptr;
    (void)ud;
    return size * nmemb;
}

typedef struct attempt_ctx {
    const webhook_notifier *w;
    const char *body;
} attempt_ctx;

static int webhook_attempt(void *ud, char *why, size_t size, bool *retry)
{
    attempt_ctx *a = ud;
    const webhook_notifier *w = a->w;
    CURL *c = lp_curl.curl_easy_init();
    if (!c) {
        snprintf(why, size, "libcurl could not make a handle");
        return LP_ENOMEM;
    }
    struct curl_slist *hdrs = lp_curl.curl_slist_append(NULL, "Content-Type: application/json");
    for (char **p = w->headers; hdrs && p && *p; p++) {
        struct curl_slist *more = lp_curl.curl_slist_append(hdrs, *p);
        if (more) hdrs = more;
    }
    lp_curl.curl_easy_setopt(c, CURLOPT_URL, w->url);
    lp_curl.curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
    lp_curl.curl_easy_setopt(c, CURLOPT_POSTFIELDS, a->body);
    lp_curl.curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(a->body));
    lp_curl.curl_easy_setopt(c, CURLOPT_USERAGENT, "lolpop-webhook");
    lp_curl.curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    lp_curl.curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    lp_curl.curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)(w->settings.timeout * 1000));
    lp_curl.curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)(w->settings.timeout * 1000));
    CURLcode cc = hdrs ? lp_curl.curl_easy_perform(c) : CURLE_OUT_OF_MEMORY;
    long code = 0;
    lp_curl.curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    lp_curl.curl_easy_cleanup(c);
    lp_curl.curl_slist_free_all(hdrs);
    if (cc != CURLE_OK) {
        snprintf(why, size, "%s", lp_curl.curl_easy_strerror(cc));
        *retry = cc != CURLE_UNSUPPORTED_PROTOCOL && cc != CURLE_URL_MALFORMAT;
        return LP_EIO;
    }
    if (code >= 200 && code < 300) return 0;
    snprintf(why, size, "the receiver answered HTTP %ld", code);
    *retry = code >= 500 || code == 429 || code == 408;
    return LP_EIO;
}

/* notify(message, level, failure?, report?) -> {sent, attempts, error?}. */
static lp_value *webhook_notify(lp_obj *self, lp_value *args)
{
    webhook_notifier *w = lp_obj_state(self);
    lp_notice n;
    if (lp_notice_read(&n, self, args, CLS)) return NULL;
    char *body = build_body(w, &n);
    attempt_ctx a = {w, body};
    lp_value *r =
        lp_notify_send(self, &w->settings, CLS, w->url, body != NULL, webhook_attempt, &a);
    free(body);
    lp_notice_clear(&n);
    return r;
}

static const lp_method webhook_methods[] = {
    {"notify", webhook_notify,
     "notify(message, level, failure?, report?) -> {sent, attempts, error?}: POSTs the JSON "
     "(retried with backoff; a delivery failure is logged at WARN, never an error)"},
    {NULL, NULL, NULL},
};

static const lp_config_key webhook_keys[] = {
    {"url", "string", "the receiver: http:// or https:// (keep a secret URL in ${VAR})"},
    {"headers", "map", "extra request headers, name: value (values may use ${VAR})"},
    {"text_prefix", "string", "put before the text field (default [lolpop])"},
    {"retries", "int", "attempts after the first one fails (0..10, default 3)"},
    {"backoff", "float", "seconds before the first retry, doubled each time (default 1)"},
    {"max_backoff", "float", "longest wait between two attempts, seconds (default 30)"},
    {"timeout", "float", "seconds one attempt may take, connecting included (default 10)"},
    {NULL, NULL, NULL},
};

static const char *const webhook_requirements[] = {"config.url", NULL};

const lp_class lp_webhook_notifier_class = {
    .name = "WebhookNotifier",
    .kind = LP_KIND_COMPONENT,
    .type = "notifier",
    .doc = "POSTs each notification as JSON to a URL (libcurl): a Slack-compatible `text` field "
           "plus level, message, workflow, run_id, report and failure, with optional extra "
           "headers. 5xx/429 answers and network errors are retried with exponential backoff; "
           "a delivery that still fails is logged at WARN and never fails the workflow. The URL's "
           "path and the headers never appear in logs.",
    .defaults_yaml = NULL,
    .requirements = webhook_requirements,
    .config_keys = webhook_keys,
    .methods = webhook_methods,
    .state_size = sizeof(webhook_notifier),
    .init = webhook_init,
    .fini = webhook_fini,
};
