/*
 * test_session.c — runs the hooks of tests: sections while a workflow runs
 * (`lolpop test workflow`, SPEC §8).
 *
 * The session installs one lp_call_hooks on the workflow: the dispatcher calls
 * it before and after every method, and it runs the hooks attached to that
 * integration and method. A verdict never changes the call: the workflow goes
 * on, so one run reports every test. Each verdict is logged (to the
 * `test_logger` when one is configured), recorded with the `test_recorder`
 * when one is configured, and kept for the summary and JUnit XML.
 */
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lolpop/dispatch.h"
#include "lolpop/log.h"
#include "lolpop/object.h"
#include "lolpop/types/logger.h"
#include "lolpop/types/test_recorder.h"
#include "testing_internal.h"

struct lp_test_session {
    lp_workflow *wf;     /* borrowed */
    lp_test_hooks hooks; /* owned */
    void **dls;          /* owned dlopen handles of C hooks */
    size_t n_dls;
    lp_value *results;   /* owned list of verdict maps */
    size_t counts[4];    /* PASS, FAIL, ERROR, NOT_RUN */
    lp_obj *recorder;    /* borrowed, may be NULL */
    lp_obj *test_logger; /* borrowed, may be NULL */
    bool busy;           /* inside a hook or a recording: nested calls run no hooks */
};

enum { ST_PASS, ST_FAIL, ST_ERROR, ST_NOT_RUN };
static const char *const status_names[] = {"PASS", "FAIL", "ERROR", "NOT_RUN"};

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- collecting hooks from the tree ------------------------------------- */

static char *obj_label(const lp_obj *o)
{
    const char *path = lp_obj_path(o);
    return lp_strdup(path && *path ? path : lp_obj_name(o));
}

static size_t collect(lp_test_session *s, lp_obj *o, lp_diags *d)
{
    size_t errors = 0;
    const lp_value *sec = lp_obj_section(o);
    const lp_value *tests = lp_value_type(sec) == LP_MAP ? lp_map_get(sec, "tests") : NULL;
    if (tests) {
        char *label = obj_label(o);
        errors += lp_tests_parse(lp_obj_class(o), label, tests, o, &s->hooks, d);
        free(label);
    }
    for (size_t i = 0; i < lp_obj_child_count(o); i++)
        errors += collect(s, lp_obj_child_at(o, i), d);
    return errors;
}

static int resolve_c_hooks(lp_test_session *s, lp_diags *d)
{
    const lp_value *doc = lp_workflow_document(s->wf);
    const lp_value *paths = lp_value_type(doc) == LP_MAP ? lp_map_get(doc, "plugin_paths") : NULL;
    int rc = 0;
    for (size_t i = 0; i < s->hooks.len; i++)
        if (!s->hooks.v[i].is_check &&
            lp_test_hook_resolve(&s->hooks.v[i], paths, &s->dls, &s->n_dls, d) != 0)
            rc = LP_ECONFIG;
    return rc;
}

/* ---- verdicts ------------------------------------------------------------ */

static const char *hook_phase(const lp_test_hook *h)
{
    return h->post ? "post" : "pre";
}

/* The verdict map of one hook run (new reference, NULL on OOM). */
static lp_value *verdict(const lp_test_hook *h, int status, const char *message, double secs)
{
    char *loc = lp_origin_format(&h->where);
    const lp_class *cls = lp_obj_class(h->obj);
    char *name = h->name ? lp_strdup(h->name)
                         : lp_asprintf("%s.%s %s: %s", h->label, h->method, hook_phase(h), h->spec);
    lp_value *v = lp_value_map();
    if (v && name && loc) {
        lp_map_set(v, "name", lp_value_string(name));
        lp_map_set(v, "named", lp_value_bool(h->name != NULL));
        lp_map_set(v, "integration", lp_value_string(h->label));
        lp_map_set(v, "class", lp_value_string(cls ? cls->name : "?"));
        lp_map_set(v, "method", lp_value_string(h->method));
        lp_map_set(v, "phase", lp_value_string(hook_phase(h)));
        lp_map_set(v, "kind", lp_value_string(h->is_check ? "check" : "hook"));
        lp_map_set(v, "spec", lp_value_string(h->spec));
        lp_map_set(v, "status", lp_value_string(status_names[status]));
        lp_map_set(v, "message", lp_value_string(message ? message : ""));
        lp_map_set(v, "seconds", lp_value_float(secs));
        lp_map_set(v, "location", lp_value_string(loc));
    }
    free(name);
    free(loc);
    return v;
}

/* Logs one verdict: to the test_logger if configured, else the integration's logger. */
static void log_verdict(lp_test_session *s, const lp_test_hook *h, int status, const char *msg,
                        lp_value *v)
{
    lp_log_level level = status == ST_PASS   ? LP_LOG_INFO
                         : status == ST_FAIL ? LP_LOG_WARN
                                             : LP_LOG_ERROR;
    char *line = lp_asprintf("test %s: %s.%s %s %s `%s`%s%s", status_names[status], h->label,
                             h->method, hook_phase(h), h->is_check ? "check" : "hook", h->spec,
                             msg && *msg ? " — " : "", msg ? msg : "");
    if (!line) return;
    if (s->test_logger)
        lp_logger_log(s->test_logger, lp_log_level_name(level), line, v);
    else
        lp_log(h->obj, level, "%s", line);
    free(line);
}

static void record(lp_test_session *s, const lp_test_hook *h, int status, const char *msg,
                   double secs)
{
    lp_value *v = verdict(h, status, msg, secs);
    if (!v) return;
    s->counts[status]++;
    if (status != ST_NOT_RUN) log_verdict(s, h, status, msg, v);
    if (s->recorder && lp_test_recorder_record(s->recorder, v) != 0) {
        char *err = lp_error_format();
        lp_log(h->obj, LP_LOG_ERROR, "test_recorder could not record a result: %s",
               err ? err : "?");
        free(err);
    }
    lp_list_append(s->results, v);
}

/* ---- running hooks -------------------------------------------------------- */

/* The environment of a check: args, config and (post) result. */
static lp_value *check_env(const lp_test_hook *h, lp_value *args, lp_value *result)
{
    lp_value *env = lp_value_map();
    lp_value *cfg = lp_obj_config_map(h->obj);
    if (!env || !cfg) {
        lp_value_unref(env);
        lp_value_unref(cfg);
        return NULL;
    }
    lp_map_set(env, "args", lp_value_ref(args));
    lp_map_set(env, "config", cfg);
    if (h->post) lp_map_set(env, "result", result ? lp_value_ref(result) : lp_value_null());
    return env;
}

static int run_check(const lp_test_hook *h, lp_value *args, lp_value *result, char **msg)
{
    lp_value *env = check_env(h, args, result);
    lp_value *out = NULL;
    if (!env || lp_expr_eval(&out, h->expr, env) != 0) {
        *msg = lp_strdup(env ? lp_error_last()->message : "out of memory");
        lp_value_unref(env);
        return ST_ERROR;
    }
    int status = ST_ERROR;
    if (lp_value_type(out) != LP_BOOL) {
        char *shown = lp_value_to_string(out);
        *msg = lp_asprintf("a check must be true or false; this one gave %s %s",
                           lp_vtype_name(lp_value_type(out)), shown ? shown : "?");
        free(shown);
    } else if (lp_value_as_bool(out)) {
        status = ST_PASS;
    } else {
        status = ST_FAIL;
        *msg = lp_expr_explain(h->expr, env);
    }
    lp_value_unref(out);
    lp_value_unref(env);
    return status;
}

static int run_c_hook(const lp_test_hook *h, lp_value *args, lp_value *result, char **msg)
{
    lp_value *cfg = lp_obj_config_map(h->obj);
    lp_hook_ctx ctx = {h->obj, h->method, args, h->post ? result : NULL, cfg, h->post};
    char buf[1024] = "";
    int rc = 0;
    int ran = lp_hook_run_isolated(h->fn, &ctx, h->timeout, &rc, buf, sizeof buf);
    lp_value_unref(cfg);
    if (ran != 0) {
        *msg = lp_strdup(buf);
        return ST_ERROR;
    }
    if (rc == LP_TEST_PASS || rc == LP_TEST_FAIL || rc == LP_TEST_ERROR) {
        *msg = lp_strdup(buf);
        return rc == LP_TEST_PASS ? ST_PASS : rc == LP_TEST_FAIL ? ST_FAIL : ST_ERROR;
    }
    *msg = lp_asprintf("the hook returned %d, which is not LP_TEST_PASS, LP_TEST_FAIL or "
                       "LP_TEST_ERROR%s%s",
                       rc, *buf ? "; its message: " : "", buf);
    return ST_ERROR;
}

static void run_hooks(lp_test_session *s, lp_obj *obj, const char *method, lp_value *args,
                      lp_value *result, bool post)
{
    if (s->busy) return;
    s->busy = true;
    for (size_t i = 0; i < s->hooks.len; i++) {
        lp_test_hook *h = &s->hooks.v[i];
        if (h->obj != obj || strcmp(h->method, method) != 0) continue;
        if (!post) h->calls++;
        if (h->post != post) continue;
        char *msg = NULL;
        double t0 = now_seconds();
        int status =
            h->is_check ? run_check(h, args, result, &msg) : run_c_hook(h, args, result, &msg);
        h->runs++;
        record(s, h, status, msg, now_seconds() - t0);
        free(msg);
    }
    s->busy = false;
    lp_error_clear(); /* verdicts never leak an error into the call */
}

static int on_pre(void *ud, lp_obj *obj, const char *method, lp_value *args)
{
    run_hooks(ud, obj, method, args, NULL, false);
    return 0;
}

static int on_post(void *ud, lp_obj *obj, const char *method, lp_value *args, lp_value *result)
{
    run_hooks(ud, obj, method, args, result, true);
    return 0;
}

/* ---- the session ---------------------------------------------------------- */

int lp_test_session_new(lp_test_session **out, lp_workflow *wf, lp_diags *diags)
{
    *out = NULL;
    lp_test_session *s = calloc(1, sizeof *s);
    if (!s || !(s->results = lp_value_list())) {
        free(s);
        return lp_error_set(LP_ENOMEM, "out of memory");
    }
    s->wf = wf;
    lp_obj *root = lp_workflow_root(wf);
    int rc = collect(s, root, diags) ? LP_ECONFIG : 0;
    if (rc == 0) rc = resolve_c_hooks(s, diags);
    s->recorder = lp_obj_component(root, "test_recorder");
    s->test_logger = lp_obj_component(root, "test_logger");
    lp_call_hooks hooks = {.ud = s, .pre = on_pre, .post = on_post};
    if (rc == 0) rc = lp_workflow_add_hooks(wf, &hooks);
    if (rc != 0) {
        lp_test_session_free(s);
        return rc == LP_ECONFIG ? lp_error_set(LP_ECONFIG, "the tests: sections have problems")
                                : rc;
    }
    *out = s;
    return 0;
}

const lp_value *lp_test_session_results(const lp_test_session *s)
{
    return s ? s->results : NULL;
}

/* The failed workflow as one ERROR verdict, so CI reports show it. */
static void record_workflow_error(lp_test_session *s, const char *method, const char *error)
{
    lp_obj *root = lp_workflow_root(s->wf);
    lp_test_hook h = {.obj = root, .post = true, .is_check = false};
    h.label = lp_strdup(lp_obj_name(root));
    h.method = lp_strdup(method ? method : "build_all");
    h.spec = lp_strdup("the workflow itself");
    s->busy = true;
    if (h.label && h.method && h.spec) record(s, &h, ST_ERROR, error, 0.0);
    s->busy = false;
    free(h.label);
    free(h.method);
    free(h.spec);
}

void lp_test_session_finish(lp_test_session *s, const char *method, const char *workflow_error)
{
    if (!s) return;
    s->busy = true;
    for (size_t i = 0; i < s->hooks.len; i++) {
        const lp_test_hook *h = &s->hooks.v[i];
        if (h->runs == 0)
            record(s, h, ST_NOT_RUN,
                   h->calls ? "never ran: every call of the method failed, so there was no result"
                            : "never ran: the workflow did not call this method",
                   0.0);
    }
    s->busy = false;
    if (workflow_error) record_workflow_error(s, method, workflow_error);
    if (s->recorder) {
        lp_value *report = lp_test_recorder_report(s->recorder);
        if (!report) {
            char *err = lp_error_format();
            lp_log(s->recorder, LP_LOG_ERROR, "test_recorder report failed: %s", err ? err : "?");
            free(err);
        }
        lp_value_unref(report);
    }
}

void lp_test_session_counts(const lp_test_session *s, size_t *passed, size_t *failed,
                            size_t *errors, size_t *not_run)
{
    *passed = s ? s->counts[ST_PASS] : 0;
    *failed = s ? s->counts[ST_FAIL] : 0;
    *errors = s ? s->counts[ST_ERROR] : 0;
    *not_run = s ? s->counts[ST_NOT_RUN] : 0;
}

size_t lp_test_session_hook_count(const lp_test_session *s)
{
    return s ? s->hooks.len : 0;
}

void lp_test_session_free(lp_test_session *s)
{
    if (!s) return;
    lp_test_hooks_free(&s->hooks);
    for (size_t i = 0; i < s->n_dls; i++)
        dlclose(s->dls[i]);
    free(s->dls);
    lp_value_unref(s->results);
    free(s);
}
