/*
 * smtp.c — SMTPNotifier: notifications as e-mail through libcurl's SMTP.
 *
 *   notifier:
 *     config:
 *       url: smtps://mail.example.com:465   # or smtp://host:587 (STARTTLS)
 *       starttls: try                       # try (default), required, or never
 *       user: lolpop@example.com            # optional, with password
 *       password: ${SMTP_PASSWORD}          # from the environment, never a file
 *       from: lolpop@example.com
 *       to: [ml-team@example.com]           # a string or a list
 *       subject_prefix: "[lolpop]"
 *       retries: 3                          # then backoff, max_backoff, timeout (seconds)
 *
 * The message is plain text UTF-8: the notification, then the workflow, the
 * run and the report path. Header values are stripped of line breaks, so a
 * message cannot inject headers. With `starttls: required` (and always with
 * smtps://) nothing is sent over an unencrypted connection; `try` upgrades
 * when the server offers STARTTLS.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "components/notifier/notifier.h"

typedef enum { TLS_TRY, TLS_REQUIRED, TLS_NEVER } tls_mode;

typedef struct smtp_notifier {
    char *url, *user, *password, *from, *prefix;
    char **to; /* NULL-terminated, owned */
    tls_mode tls;
    lp_notify_settings settings;
} smtp_notifier;

#define CLS "SMTPNotifier"

static void smtp_fini(lp_obj *self)
{
    smtp_notifier *s = lp_obj_state(self);
    free(s->url);
    free(s->user);
    if (s->password) memset(s->password, 0, strlen(s->password));
    free(s->password);
    free(s->from);
    free(s->prefix);
    for (char **p = s->to; p && *p; p++)
        free(*p);
    free(s->to);
    memset(s, 0, sizeof *s);
}

static int read_to(smtp_notifier *s, lp_obj *self)
{
    lp_value *v = lp_obj_config(self, "to");
    size_t n = lp_value_type(v) == LP_LIST ? lp_list_len(v) : 1;
    int rc = 0;
    if (!v || (lp_value_type(v) != LP_LIST && !lp_value_as_string(v)) || n == 0)
        rc = v ? lp_kit_error_at(LP_ECONFIG, v, CLS ": to must be an address or a list of them")
               : lp_error_set(LP_ECONFIG, CLS " (%s): config 'to' (the recipients) is required",
                              lp_obj_path(self));
    if (rc == 0 && !(s->to = calloc(n + 1, sizeof *s->to))) rc = LP_ENOMEM;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const lp_value *e = lp_value_type(v) == LP_LIST ? lp_list_get(v, i) : v;
        const char *a = lp_value_as_string(e);
        if (!a || !*a || strpbrk(a, "\r\n<>"))
            rc = lp_kit_error_at(LP_ECONFIG, e, CLS ": recipient %zu is not an e-mail address",
                                 i + 1);
        else if (!(s->to[i] = lp_strdup(a)))
            rc = LP_ENOMEM;
    }
    lp_value_unref(v);
    return rc;
}

static int read_tls(smtp_notifier *s, lp_obj *self)
{
    lp_value *v = lp_obj_config(self, "starttls");
    const char *m = lp_value_as_string(v);
    int rc = 0;
    s->tls = TLS_TRY;
    if (lp_value_type(v) == LP_BOOL)
        s->tls = lp_value_as_bool(v) ? TLS_REQUIRED : TLS_NEVER;
    else if (m && strcmp(m, "required") == 0)
        s->tls = TLS_REQUIRED;
    else if (m && strcmp(m, "never") == 0)
        s->tls = TLS_NEVER;
    else if (v && !(m && strcmp(m, "try") == 0))
        rc = lp_kit_error_at(LP_ECONFIG, v, CLS ": starttls must be try, required or never");
    lp_value_unref(v);
    return rc;
}

static int smtp_init(lp_obj *self)
{
    smtp_notifier *s = lp_obj_state(self);
    int rc = 0;
    s->url = lp_notify_config_string(self, "url", CLS, &rc);
    if (rc == 0 && !s->url)
        rc = lp_error_set(LP_ECONFIG, CLS " (%s): config 'url' (smtp://host:port) is required",
                          lp_obj_path(self));
    if (rc == 0 && strncmp(s->url, "smtp://", 7) && strncmp(s->url, "smtps://", 8))
        rc = lp_error_set(LP_ECONFIG, CLS " (%s): url must start with smtp:// or smtps://",
                          lp_obj_path(self));
    if (rc == 0) s->from = lp_notify_config_string(self, "from", CLS, &rc);
    if (rc == 0 && (!s->from || strpbrk(s->from, "\r\n<>")))
        rc = lp_error_set(LP_ECONFIG, CLS " (%s): config 'from' (the sender's address) is %s",
                          lp_obj_path(self), s->from ? "not an e-mail address" : "required");
    if (rc == 0) s->user = lp_notify_config_string(self, "user", CLS, &rc);
    if (rc == 0) s->password = lp_notify_config_string(self, "password", CLS, &rc);
    if (rc == 0) s->prefix = lp_notify_config_string(self, "subject_prefix", CLS, &rc);
    if (rc == 0 && !s->prefix && !(s->prefix = lp_strdup("[lolpop]"))) rc = LP_ENOMEM;
    if (rc == 0) rc = read_to(s, self);
    if (rc == 0) rc = read_tls(s, self);
    if (rc == 0) rc = lp_notify_settings_read(&s->settings, self, CLS);
    if (rc) smtp_fini(self); /* a failed init gets no fini */
    return rc;
}

/* ---- the message ------------------------------------------------------------------------ */

/* Appends s without CR and LF (header values). */
static void append_header_value(lp_sb *sb, const char *s, size_t max)
{
    for (size_t i = 0; s[i] && i < max; i++)
        lp_sb_putc(sb, s[i] == '\r' || s[i] == '\n' ? ' ' : s[i]);
}

/* Appends s with every line break as CRLF (SMTP's). */
static void append_body(lp_sb *sb, const char *s)
{
    for (; *s; s++) {
        if (*s == '\r') continue;
        if (*s == '\n')
            lp_sb_append(sb, "\r\n");
        else
            lp_sb_putc(sb, *s);
    }
}

static char *build_message(const smtp_notifier *s, const lp_notice *n)
{
    lp_sb sb = {0};
    char date[64];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    lp_sb_appendf(&sb, "Date: %s\r\nFrom: <%s>\r\nTo: ", date, s->from);
    for (char **p = s->to; *p; p++)
        lp_sb_appendf(&sb, "%s<%s>", p == s->to ? "" : ", ", *p);
    lp_sb_append(&sb, "\r\nSubject: ");
    append_header_value(&sb, s->prefix, 200);
    lp_sb_appendf(&sb, " %s%s: ", n->workflow, n->failure ? " failed" : "");
    append_header_value(&sb, n->level, 10);
    lp_sb_append(&sb, " - ");
    size_t first_line = strcspn(n->message, "\r\n");
    append_header_value(&sb, n->message, first_line < 150 ? first_line : 150);
    if (first_line > 150) lp_sb_append(&sb, "...");
    lp_sb_append(&sb, "\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
                      "Content-Transfer-Encoding: 8bit\r\nX-Mailer: lolpop\r\n\r\n");
    append_body(&sb, n->message);
    lp_sb_appendf(&sb, "\r\n\r\nlevel:    %s\r\nworkflow: %s\r\n", n->level, n->workflow);
    if (n->run_id) lp_sb_appendf(&sb, "run:      %s\r\n", n->run_id);
    if (n->report) {
        lp_sb_append(&sb, "report:   ");
        append_body(&sb, n->report);
        lp_sb_append(&sb, "\r\n");
    }
    return lp_sb_take(&sb);
}

/* ---- sending ---------------------------------------------------------------------------- */

typedef struct upload {
    const char *data;
    size_t len, pos;
} upload;

static size_t read_cb(char *buf, size_t size, size_t nitems, void *ud)
{
    upload *u = ud;
    size_t room = size * nitems, left = u->len - u->pos;
    size_t n = left < room ? left : room;
    memcpy(buf, u->data + u->pos, n);
    u->pos += n;
    return n;
}

typedef struct attempt_ctx {
    const smtp_notifier *s;
    const char *message;
} attempt_ctx;

static int smtp_attempt(void *ud, char *why, size_t size, bool *retry)
{
    attempt_ctx *a = ud;
    const smtp_notifier *s = a->s;
    CURL *c = lp_curl.curl_easy_init();
    if (!c) {
        snprintf(why, size, "libcurl could not make a handle");
        return LP_ENOMEM;
    }
    struct curl_slist *rcpt = NULL;
    for (char **p = s->to; *p; p++) {
        struct curl_slist *more = lp_curl.curl_slist_append(rcpt, *p);
        if (more) rcpt = more;
    }
    char *from = lp_asprintf("<%s>", s->from);
    upload u = {a->message, strlen(a->message), 0};
    lp_curl.curl_easy_setopt(c, CURLOPT_URL, s->url);
    lp_curl.curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
    lp_curl.curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
    lp_curl.curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
    lp_curl.curl_easy_setopt(c, CURLOPT_READDATA, &u);
    lp_curl.curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    lp_curl.curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    lp_curl.curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)(s->settings.timeout * 1000));
    lp_curl.curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)(s->settings.timeout * 1000));
    long ssl = s->tls == TLS_REQUIRED ? (long)CURLUSESSL_ALL
               : s->tls == TLS_TRY    ? (long)CURLUSESSL_TRY
                                      : (long)CURLUSESSL_NONE;
    lp_curl.curl_easy_setopt(c, CURLOPT_USE_SSL, ssl);
    if (s->user) lp_curl.curl_easy_setopt(c, CURLOPT_USERNAME, s->user);
    if (s->password) lp_curl.curl_easy_setopt(c, CURLOPT_PASSWORD, s->password);
    CURLcode cc = from && rcpt ? lp_curl.curl_easy_perform(c) : CURLE_OUT_OF_MEMORY;
    long code = 0;
    lp_curl.curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    lp_curl.curl_easy_cleanup(c);
    lp_curl.curl_slist_free_all(rcpt);
    free(from);
    if (cc == CURLE_OK) return 0;
    /* The server said no (5xx: bad recipient, refused login): asking again will not help. */
    *retry = !(code >= 500 && code < 600) && cc != CURLE_LOGIN_DENIED &&
             cc != CURLE_UNSUPPORTED_PROTOCOL && cc != CURLE_URL_MALFORMAT;
    if (code)
        snprintf(why, size, "%s (server answered %ld)", lp_curl.curl_easy_strerror(cc), code);
    else
        snprintf(why, size, "%s", lp_curl.curl_easy_strerror(cc));
    return LP_EIO;
}

/* notify(message, level, failure?, report?) -> {sent, attempts, error?}. */
static lp_value *smtp_notify(lp_obj *self, lp_value *args)
{
    smtp_notifier *s = lp_obj_state(self);
    lp_notice n;
    if (lp_notice_read(&n, self, args, CLS)) return NULL;
    char *message = build_message(s, &n);
    attempt_ctx a = {s, message};
    lp_value *r =
        lp_notify_send(self, &s->settings, CLS, s->url, message != NULL, smtp_attempt, &a);
    free(message);
    lp_notice_clear(&n);
    return r;
}

static const lp_method smtp_methods[] = {
    {"notify", smtp_notify,
     "notify(message, level, failure?, report?) -> {sent, attempts, error?}: sends an e-mail "
     "(retried with backoff; a delivery failure is logged at WARN, never an error)"},
    {NULL, NULL, NULL},
};

static const lp_config_key smtp_keys[] = {
    {"url", "string", "the server: smtp://host:port (STARTTLS per starttls) or smtps://host:port"},
    {"starttls", "string", "try (default; upgrade when offered), required, or never"},
    {"user", "string", "login name (optional)"},
    {"password", "string", "login password; write ${VAR} to read it from the environment"},
    {"from", "string", "the sender's address"},
    {"to", "any", "the recipients' addresses (or one address)"},
    {"subject_prefix", "string", "put before every subject (default [lolpop])"},
    {"retries", "int", "attempts after the first one fails (0..10, default 3)"},
    {"backoff", "float", "seconds before the first retry, doubled each time (default 1)"},
    {"max_backoff", "float", "longest wait between two attempts, seconds (default 30)"},
    {"timeout", "float", "seconds one attempt may take, connecting included (default 10)"},
    {NULL, NULL, NULL},
};

static const char *const smtp_requirements[] = {"config.url", "config.from", "config.to", NULL};

const lp_class lp_smtp_notifier_class = {
    .name = "SMTPNotifier",
    .kind = LP_KIND_COMPONENT,
    .type = "notifier",
    .doc = "Sends notifications as plain-text e-mail through an SMTP server (libcurl): smtps:// "
           "or smtp:// with STARTTLS, optional login (password from the environment through "
           "${VAR}), one or more recipients. The subject names the workflow and the level; the "
           "body adds the run id and the run report's path. Failed deliveries are retried with "
           "exponential backoff; one that still fails is logged at WARN and never fails the "
           "workflow. Secrets never appear in logs.",
    .defaults_yaml = NULL,
    .requirements = smtp_requirements,
    .config_keys = smtp_keys,
    .methods = smtp_methods,
    .state_size = sizeof(smtp_notifier),
    .init = smtp_init,
    .fini = smtp_fini,
};
