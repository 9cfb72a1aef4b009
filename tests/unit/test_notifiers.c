/*
 * test_notifiers.c — SMTPNotifier and WebhookNotifier against real local
 * receivers (notify_receivers.py, started per test on a free port): an
 * aiosmtpd SMTP server (plain and with AUTH) and an HTTP receiver that
 * answers 200, 500 twice then 200, 400, or never. Checks the message as
 * received (headers, recipients, body, JSON fields), retries with backoff, the
 * timeout, that a failed delivery is a result and never an error, and that
 * no secret (password, webhook path) reaches the log.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lolpop.h"
#include "unit_workflow.h"

#define RECEIVERS LP_SOURCE_DIR "/notify_receivers.py"
#define PYTHON    "/usr/bin/python3"

static const char *dir;
static pid_t receiver = -1;
static char out_file[600], log_file[600];

static void setup(void)
{
    dir = uw_tmpdir("notify", true);
    snprintf(out_file, sizeof out_file, "%s/received.jsonl", dir);
    snprintf(log_file, sizeof log_file, "%s/log.txt", dir);
    uw_setup_with(&(uw_options){.interpolate_env = true});
}

static void teardown(void)
{
    if (receiver > 0) {
        kill(receiver, SIGKILL);
        waitpid(receiver, NULL, 0);
        receiver = -1;
    }
    uw_teardown();
}

TestSuite(notifiers, .init = setup, .fini = teardown, .timeout = 60);

/* Starts the receiver of `kind`; returns its port. Skips without python3-aiosmtpd. */
static int start(const char *kind)
{
    if (access(PYTHON, X_OK) != 0) cr_skip_test("no %s", PYTHON);
    if (strncmp(kind, "smtp", 4) == 0 && system(PYTHON " -c 'import aiosmtpd' 2>/dev/null") != 0)
        cr_skip_test("python3-aiosmtpd is not installed (Debian package python3-aiosmtpd)");
    int fds[2];
    cr_assert_eq(pipe(fds), 0);
    receiver = fork();
    cr_assert_geq(receiver, 0);
    if (receiver == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        execl(PYTHON, PYTHON, RECEIVERS, kind, out_file, (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    FILE *f = fdopen(fds[0], "r");
    int port = 0;
    cr_assert_eq(fscanf(f, "%d", &port), 1, "the %s receiver did not start", kind);
    fclose(f);
    return port;
}

/* The n-th (1-based) JSON line the receiver recorded, waiting up to 10 s. */
static json_t *received(int n)
{
    for (int tries = 0; tries < 200; tries++) {
        FILE *f = fopen(out_file, "r");
        char line[65536];
        int i = 0;
        while (f && fgets(line, sizeof line, f))
            if (++i == n) {
                fclose(f);
                json_error_t err;
                json_t *j = json_loads(line, 0, &err);
                cr_assert_not_null(j, "bad line: %s", err.text);
                return j;
            }
        if (f) fclose(f);
        usleep(50000);
    }
    cr_assert_fail("the receiver got no message %d", n);
    return NULL;
}

static int count_received(void)
{
    FILE *f = fopen(out_file, "r");
    char line[65536];
    int n = 0;
    while (f && fgets(line, sizeof line, f))
        n++;
    if (f) fclose(f);
    return n;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) return strdup("");
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    fclose(f);
    return strdup(buf);
}

/* Builds a workflow with `cls` as the notifier (config: the YAML flow map
 * body) and a FileLogger at DEBUG; returns the notifier. */
static lp_obj *notifier(const char *cls, const char *config)
{
    static char yaml[4096];
    snprintf(yaml, sizeof yaml,
             "component: {notifier: %s, logger: FileLogger}\n"
             "notifier:\n  config: {%s}\n"
             "logger:\n  config: {log_filename: %s, log_level: DEBUG}\n",
             cls, config, log_file);
    return uw_build(0, yaml, "notifier");
}

static lp_value *notify(lp_obj *n, const char *message, const char *level)
{
    lp_value *r = lp_call_with(n, "notify", "message", lp_value_string(message), "level",
                               lp_value_string(level), (const char *)NULL);
    cr_assert_not_null(r, "notify failed: %s", lp_error_last()->message);
    return r;
}

static bool sent(const lp_value *r)
{
    return lp_value_as_bool(lp_map_get(r, "sent"));
}

static int64_t attempts(const lp_value *r)
{
    return lp_value_as_int(lp_map_get(r, "attempts"));
}

/* ---- SMTP ------------------------------------------------------------------------------ */

Test(notifiers, smtp_mail_reaches_the_server)
{
    int port = start("smtp");
    char cfg[512];
    snprintf(cfg, sizeof cfg,
             "url: 'smtp://127.0.0.1:%d', from: lolpop@example.com, "
             "to: [ml@example.com, ops@example.com], subject_prefix: '[ci]'",
             port);
    lp_obj *n = notifier("SMTPNotifier", cfg);
    lp_value *r = notify(n, "data checks ended with WARN\nsecond line", "WARN");
    cr_assert(sent(r), "not sent: %s", lp_value_as_string(lp_map_get(r, "error")));
    cr_assert_eq(attempts(r), 1);
    lp_value_unref(r);
    json_t *m = received(1);
    cr_assert_str_eq(json_string_value(json_object_get(m, "from")), "lolpop@example.com");
    json_t *to = json_object_get(m, "to");
    cr_assert_eq(json_array_size(to), 2);
    cr_assert_str_eq(json_string_value(json_array_get(to, 1)), "ops@example.com");
    const char *data = json_string_value(json_object_get(m, "data"));
    cr_assert(strstr(data, "Subject: [ci] TestRunner: WARN - data checks ended with WARN\r\n"),
              "%s", data);
    cr_assert(strstr(data, "To: <ml@example.com>, <ops@example.com>"), "%s", data);
    cr_assert(strstr(data, "\r\n\r\ndata checks ended with WARN\r\nsecond line\r\n"), "%s", data);
    cr_assert(strstr(data, "workflow: TestRunner"), "%s", data);
    cr_assert(strstr(data, "run:      "), "the run id: %s", data);
    cr_assert(strstr(data, "report:   "), "the run report's path: %s", data);
    json_decref(m);
}

Test(notifiers, smtp_login_from_the_environment_never_logged)
{
    int port = start("smtp-auth");
    setenv("LP_TEST_SMTP_PASSWORD", "s3cret-pw", 1);
    char cfg[512];
    snprintf(cfg, sizeof cfg,
             "url: 'smtp://127.0.0.1:%d', from: a@example.com, to: b@example.com, "
             "user: mailer, password: '${LP_TEST_SMTP_PASSWORD}', starttls: try",
             port);
    lp_value *r = notify(notifier("SMTPNotifier", cfg), "model trained", "INFO");
    cr_assert(sent(r), "not sent: %s", lp_value_as_string(lp_map_get(r, "error")));
    lp_value_unref(r);
    json_t *m = received(1);
    cr_assert(json_is_true(json_object_get(m, "authenticated")));
    json_decref(m);
    /* A wrong password: refused, not retried, not an error, not logged. */
    setenv("LP_TEST_SMTP_PASSWORD", "wrong-pw-XYZ", 1);
    snprintf(cfg, sizeof cfg,
             "url: 'smtp://127.0.0.1:%d', from: a@example.com, to: b@example.com, "
             "user: mailer, password: '${LP_TEST_SMTP_PASSWORD}', retries: 3, backoff: 0.01",
             port);
    r = notify(notifier("SMTPNotifier", cfg), "model trained", "INFO");
    cr_assert_not(sent(r));
    cr_assert_eq(attempts(r), 1, "a refused login is not retried");
    lp_value_unref(r);
    uw_free(0);
    char *log = slurp(log_file);
    cr_assert(strstr(log, "not delivered to smtp://127.0.0.1:"), "%s", log);
    cr_assert_null(strstr(log, "s3cret-pw"), "the password is in the log: %s", log);
    cr_assert_null(strstr(log, "wrong-pw-XYZ"), "the password is in the log: %s", log);
    free(log);
}

Test(notifiers, smtp_unreachable_server_is_retried_then_given_up)
{
    /* A port nobody listens on: the receiver's, once it is gone. */
    int port = start("http-ok");
    kill(receiver, SIGKILL);
    waitpid(receiver, NULL, 0);
    receiver = -1;
    char cfg[512];
    snprintf(cfg, sizeof cfg,
             "url: 'smtp://127.0.0.1:%d', from: a@example.com, to: b@example.com, retries: 2, "
             "backoff: 0.01",
             port);
    lp_value *r = notify(notifier("SMTPNotifier", cfg), "hello", "ERROR");
    cr_assert_not(sent(r));
    cr_assert_eq(attempts(r), 3);
    cr_assert_not_null(lp_value_as_string(lp_map_get(r, "error")));
    lp_value_unref(r);
}

Test(notifiers, smtp_bad_config_is_located)
{
    cr_assert_neq(uw_try_build(0, "component: {notifier: SMTPNotifier}\n"
                                  "notifier:\n  config: {from: a@b.c, to: x@y.z}\n"),
                  0);
    cr_assert_neq(uw_try_build(0,
                               "component: {notifier: SMTPNotifier}\n"
                               "notifier:\n  config: {url: 'http://h', from: a@b.c, to: x@y.z}\n"),
                  0);
    cr_assert(strstr(lp_error_last()->message, "smtp://"), "%s", lp_error_last()->message);
    cr_assert_neq(uw_try_build(0, "component: {notifier: SMTPNotifier}\n"
                                  "notifier:\n  config: {url: 'smtp://h', from: a@b.c, to: x@y.z,"
                                  " starttls: maybe}\n"),
                  0);
    cr_assert(strstr(lp_error_last()->message, "starttls"), "%s", lp_error_last()->message);
    cr_assert_neq(uw_try_build(0, "component: {notifier: SMTPNotifier}\n"
                                  "notifier:\n  config: {url: 'smtp://h', from: a@b.c, to: x@y.z,"
                                  " retries: 99}\n"),
                  0);
    cr_assert(strstr(lp_error_last()->message, "retries"), "%s", lp_error_last()->message);
}

/* ---- webhook ---------------------------------------------------------------------------- */

Test(notifiers, webhook_posts_slack_compatible_json)
{
    int port = start("http-ok");
    setenv("LP_TEST_HOOK_TOKEN", "tok-123", 1);
    char cfg[512];
    snprintf(cfg, sizeof cfg,
             "url: 'http://127.0.0.1:%d/hooks/T0/B0', headers: {X-Token: '${LP_TEST_HOOK_TOKEN}'}",
             port);
    lp_obj *n = notifier("WebhookNotifier", cfg);
    lp_value *r = lp_call_with(n, "notify", "message", lp_value_string("checks failed"), "level",
                               lp_value_string("ERROR"), "report",
                               lp_value_string("out/checks.html"), (const char *)NULL);
    cr_assert_not_null(r);
    cr_assert(sent(r), "not sent: %s", lp_value_as_string(lp_map_get(r, "error")));
    lp_value_unref(r);
    json_t *m = received(1);
    cr_assert_str_eq(json_string_value(json_object_get(m, "path")), "/hooks/T0/B0");
    json_t *h = json_object_get(m, "headers");
    cr_assert_str_eq(json_string_value(json_object_get(h, "content-type")), "application/json");
    cr_assert_str_eq(json_string_value(json_object_get(h, "x-token")), "tok-123");
    json_error_t err;
    json_t *body = json_loads(json_string_value(json_object_get(m, "body")), 0, &err);
    cr_assert_not_null(body, "%s", err.text);
    const char *text = json_string_value(json_object_get(body, "text"));
    cr_assert(text && strstr(text, "[lolpop] TestRunner ERROR: checks failed (run "), "%s", text);
    cr_assert_str_eq(json_string_value(json_object_get(body, "level")), "ERROR");
    cr_assert_str_eq(json_string_value(json_object_get(body, "message")), "checks failed");
    cr_assert_str_eq(json_string_value(json_object_get(body, "workflow")), "TestRunner");
    cr_assert_str_eq(json_string_value(json_object_get(body, "report")), "out/checks.html");
    cr_assert(json_is_string(json_object_get(body, "run_id")), "the run id");
    cr_assert(json_is_false(json_object_get(body, "failure")));
    json_decref(body);
    json_decref(m);
}

Test(notifiers, webhook_retries_server_errors_with_backoff)
{
    int port = start("http-flaky");
    char cfg[512];
    snprintf(cfg, sizeof cfg, "url: 'http://127.0.0.1:%d/', retries: 3, backoff: 0.2", port);
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    lp_value *r = notify(notifier("WebhookNotifier", cfg), "hello", "INFO");
    clock_gettime(CLOCK_MONOTONIC, &b);
    cr_assert(sent(r), "not sent: %s", lp_value_as_string(lp_map_get(r, "error")));
    cr_assert_eq(attempts(r), 3, "500, 500, then 200");
    lp_value_unref(r);
    cr_assert_eq(count_received(), 3);
    double waited = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
    cr_assert_geq(waited, 0.6, "backoff 0.2 then 0.4 s, waited %.3f s", waited);
}

Test(notifiers, webhook_client_error_is_not_retried_and_url_path_not_logged)
{
    int port = start("http-400");
    char cfg[512];
    snprintf(cfg, sizeof cfg, "url: 'http://127.0.0.1:%d/hooks/SECRETPATH', retries: 3", port);
    lp_value *r = notify(notifier("WebhookNotifier", cfg), "hello", "INFO");
    cr_assert_not(sent(r));
    cr_assert_eq(attempts(r), 1);
    cr_assert(strstr(lp_value_as_string(lp_map_get(r, "error")), "400"));
    lp_value_unref(r);
    uw_free(0);
    char *log = slurp(log_file);
    cr_assert(strstr(log, "WARN"), "%s", log);
    cr_assert(strstr(log, "http://127.0.0.1:"), "%s", log);
    cr_assert_null(strstr(log, "SECRETPATH"), "the webhook's path is in the log: %s", log);
    free(log);
}

Test(notifiers, webhook_timeout_bounds_a_silent_receiver)
{
    int port = start("http-hang");
    char cfg[512];
    snprintf(cfg, sizeof cfg,
             "url: 'http://127.0.0.1:%d/', timeout: 0.5, retries: 1, backoff: 0.05", port);
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    lp_value *r = notify(notifier("WebhookNotifier", cfg), "hello", "WARN");
    clock_gettime(CLOCK_MONOTONIC, &b);
    cr_assert_not(sent(r));
    cr_assert_eq(attempts(r), 2);
    lp_value_unref(r);
    double took = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
    cr_assert_lt(took, 10.0, "two attempts of 0.5 s took %.1f s", took);
}

Test(notifiers, bad_arguments_are_errors)
{
    lp_obj *n = notifier("WebhookNotifier", "url: 'http://127.0.0.1:9/'");
    lp_value *r = lp_call_with(n, "notify", "level", lp_value_string("WARN"), (const char *)NULL);
    cr_assert_null(r);
    cr_assert(strstr(lp_error_last()->message, "message"), "%s", lp_error_last()->message);
    r = lp_call_with(n, "notify", "message", lp_value_string("x"), "level", lp_value_string("LOUD"),
                     (const char *)NULL);
    cr_assert_null(r);
    cr_assert(strstr(lp_error_last()->message, "LOUD"), "%s", lp_error_last()->message);
}
