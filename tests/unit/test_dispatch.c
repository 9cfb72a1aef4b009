/*
 * test_dispatch.c — lp_call: method lookup, error context chain, logging,
 * hooks, cache, timing and notification; plus log.h.
 */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <stdlib.h>
#include <string.h>

#include "lolpop.h"

/* ---- recorders ----------------------------------------------------------- */

static lp_value *logs;    /* "LEVEL message" strings the test logger received */
static lp_value *notes;   /* "LEVEL message" strings the test notifier received */
static char journal[512]; /* hook/method order */
static int fit_calls;

static void jot(const char *s)
{
    strncat(journal, s, sizeof journal - strlen(journal) - 1);
    strncat(journal, " ", sizeof journal - strlen(journal) - 1);
}

static lp_value *record(lp_value *into, lp_value *args)
{
    char buf[600];
    snprintf(buf, sizeof buf, "%s %s", lp_value_as_string(lp_map_get(args, "level")),
             lp_value_as_string(lp_map_get(args, "message")));
    lp_list_append(into, lp_value_string(buf));
    return lp_value_null();
}

static bool logged(const char *prefix)
{
    for (size_t i = 0; i < lp_list_len(logs); i++)
        if (strncmp(lp_value_as_string(lp_list_get(logs, i)), prefix, strlen(prefix)) == 0)
            return true;
    return false;
}

/* ---- test classes ------------------------------------------------------- */

static lp_value *m_log(lp_obj *self, lp_value *args)
{
    (void)self;
    return record(logs, args);
}

static lp_value *m_notify(lp_obj *self, lp_value *args)
{
    (void)self;
    return record(notes, args);
}

static lp_value *m_fit(lp_obj *self, lp_value *args)
{
    (void)self;
    jot("call");
    if (lp_value_as_bool(lp_map_get(args, "fail"))) {
        lp_error_set(LP_EWORKFLOW, "boom");
        return NULL;
    }
    fit_calls++;
    return lp_value_int(42);
}

static lp_value *m_silent_fail(lp_obj *self, lp_value *args)
{
    (void)self;
    (void)args;
    return NULL; /* forgot to set an error */
}

static lp_value *m_train_model(lp_obj *self, lp_value *args)
{
    return lp_call(lp_obj_component(self, "worker"), "fit", args);
}

static lp_value *m_build_all(lp_obj *self, lp_value *args)
{
    return lp_call(lp_obj_pipeline(self, "p"), "train_model", args);
}

/* Calls a failing method and recovers: the outer call succeeds. */
static lp_value *m_recover(lp_obj *self, lp_value *args)
{
    (void)args;
    lp_value *r =
        lp_call_with(lp_obj_component(self, "worker"), "fit", "fail", lp_value_bool(true), NULL);
    if (r) return r;
    return lp_value_string("recovered");
}

static const lp_method logger_methods[] = {{"log", m_log, "log"}, {NULL, NULL, NULL}};
static const lp_method notifier_methods[] = {{"notify", m_notify, "n"}, {NULL, NULL, NULL}};
static const lp_method worker_methods[] = {{"fit", m_fit, "fit"},
                                           {"predict", m_fit, "predict"},
                                           {"silent_fail", m_silent_fail, "?"},
                                           {NULL, NULL, NULL}};
static const lp_method stage_methods[] = {{"train_model", m_train_model, "t"}, {NULL, NULL, NULL}};
static const lp_method runner_methods[] = {
    {"build_all", m_build_all, "b"}, {"recover", m_recover, "r"}, {NULL, NULL, NULL}};

static const lp_type t_worker = {"worker", LP_KIND_COMPONENT, "w",
                                 (const char *const[]){"fit", NULL}};
static const lp_type t_stage = {"stage", LP_KIND_PIPELINE, "s",
                                (const char *const[]){"train_model", NULL}};

static const lp_class c_logger = {"StdOutLogger", LP_KIND_COMPONENT, "logger", "l",  NULL, NULL,
                                  NULL,           logger_methods,    0,        NULL, NULL};
static const lp_class c_notifier = {"StdOutNotifier",
                                    LP_KIND_COMPONENT,
                                    "notifier",
                                    "n",
                                    NULL,
                                    NULL,
                                    NULL,
                                    notifier_methods,
                                    0,
                                    NULL,
                                    NULL};
static const lp_class c_worker = {"C",  LP_KIND_COMPONENT, "worker", "c",  NULL, NULL,
                                  NULL, worker_methods,    0,        NULL, NULL};
static const lp_class c_stage = {"P",  LP_KIND_PIPELINE, "stage", "p",  NULL, NULL,
                                 NULL, stage_methods,    0,       NULL, NULL};
static const lp_class c_runner = {"R",  LP_KIND_RUNNER, NULL, "r",  NULL, NULL,
                                  NULL, runner_methods, 0,    NULL, NULL};

static lp_registry *reg;
static lp_value *doc;
static lp_workflow *wf;

static void make_workflow(const char *yaml)
{
    lp_diags d;
    lp_diags_init(&d);
    cr_assert_eq(lp_yaml_parse(&doc, yaml, strlen(yaml), "t.yaml", &d), 0);
    cr_assert_eq(lp_workflow_new(&wf, reg, doc, "R", 0, &d), 0, "%s", lp_error_last()->message);
    lp_diags_clear(&d);
}

static void setup(void)
{
    journal[0] = 0;
    fit_calls = 0;
    logs = lp_value_list();
    notes = lp_value_list();
    reg = lp_registry_new();
    cr_assert_eq(lp_registry_add_type(reg, &t_worker), 0);
    cr_assert_eq(lp_registry_add_type(reg, &t_stage), 0);
    const lp_class *all[] = {&c_logger, &c_notifier, &c_worker, &c_stage, &c_runner};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        cr_assert_eq(lp_registry_add_class(reg, all[i]), 0, "%s", lp_error_last()->message);
    /* default slots are registered, as the built-in plugin registers its own */
    cr_assert_eq(lp_registry_add_default_slot(reg, "logger", c_logger.name), 0);
    cr_assert_eq(lp_registry_add_default_slot(reg, "notifier", c_notifier.name), 0);
    make_workflow("pipeline: {p: P}\ncomponent: {worker: C}\n");
}

static void teardown(void)
{
    lp_workflow_free(wf);
    lp_value_unref(doc);
    lp_registry_free(reg);
    lp_value_unref(logs);
    lp_value_unref(notes);
    wf = NULL;
    doc = NULL;
}

TestSuite(dispatch, .init = setup, .fini = teardown);

static lp_obj *worker(void)
{
    return lp_obj_component(lp_workflow_root(wf), "worker");
}

/* Rebuilds the workflow with the logger at `level`. */
static void with_log_level(const char *level)
{
    lp_workflow_free(wf);
    lp_value_unref(doc);
    char yaml[256];
    snprintf(yaml, sizeof yaml,
             "pipeline: {p: P}\ncomponent: {worker: C}\nlogger: {config: {log_level: %s}}\n",
             level);
    make_workflow(yaml);
}

/* ---- lookup and results ---------------------------------------------------- */

Test(dispatch, calls_method_and_returns_result)
{
    lp_value *r = lp_call(worker(), "fit", NULL);
    cr_assert_eq(lp_value_as_int(r), 42);
    cr_assert_eq(fit_calls, 1);
    lp_value_unref(r);
}

Test(dispatch, unknown_method_suggests_closest)
{
    cr_assert_null(lp_call(worker(), "fitt", NULL));
    cr_assert_eq(lp_error_last()->code, LP_ENOTFOUND);
    cr_assert_str_eq(lp_error_last()->message, "C has no method 'fitt'; did you mean 'fit'?");
    cr_assert_null(lp_call(worker(), "completely_different_name", NULL));
    cr_assert_str_eq(lp_error_last()->message, "C has no method 'completely_different_name'");
    /* lp_call_with takes ownership of its values even then (ASan checks) */
    cr_assert_null(lp_call_with(worker(), "nope", "x", lp_value_string("leak?"), NULL));
    cr_assert_null(lp_call(NULL, "fit", NULL));
    cr_assert_eq(lp_error_last()->code, LP_EINVAL);
    cr_assert_eq(lp_list_len(notes), 0);
}

Test(dispatch, non_map_arguments_are_refused)
{
    lp_value *list = lp_value_list();
    cr_assert_null(lp_call(worker(), "fit", list));
    cr_assert_eq(lp_error_last()->code, LP_EINVAL);
    lp_value_unref(list);
}

Test(dispatch, null_result_without_error_gets_generic_error)
{
    cr_assert_null(lp_call(worker(), "silent_fail", NULL));
    cr_assert_eq(lp_error_last()->code, LP_EWORKFLOW);
    cr_assert_str_eq(lp_error_last()->context, "C.silent_fail");
    cr_assert(strstr(lp_error_last()->message, "without an error message"));
}

/* ---- error context and notification ------------------------------------- */

Test(dispatch, nested_failure_has_context_chain_and_notifies_once)
{
    lp_obj *root = lp_workflow_root(wf);
    cr_assert_null(lp_call_with(root, "build_all", "fail", lp_value_bool(true), NULL));
    char *msg = lp_error_format();
    cr_assert_str_eq(msg, "R.build_all → P.train_model → C.fit: boom");
    /* the notification did not disturb the last error */
    cr_assert_eq(lp_error_last()->code, LP_EWORKFLOW);
    cr_assert_str_eq(lp_error_last()->message, "boom");
    cr_assert_str_eq(lp_error_last()->context, "R.build_all → P.train_model → C.fit");
    cr_assert_eq(lp_list_len(notes), 1);
    char expected[256];
    snprintf(expected, sizeof expected, "ERROR %s", msg);
    cr_assert_str_eq(lp_value_as_string(lp_list_get(notes, 0)), expected);
    free(msg);
    cr_assert_str_eq(lp_error_context(), ""); /* every frame popped */
}

Test(dispatch, recovered_inner_failure_does_not_notify)
{
    lp_value *r = lp_call(lp_workflow_root(wf), "recover", NULL);
    cr_assert_str_eq(lp_value_as_string(r), "recovered");
    cr_assert_eq(lp_list_len(notes), 0);
    lp_value_unref(r);
}

Test(dispatch, success_does_not_notify)
{
    lp_value *r = lp_call(lp_workflow_root(wf), "build_all", NULL);
    cr_assert_eq(lp_value_as_int(r), 42);
    cr_assert_eq(lp_list_len(notes), 0);
    lp_value_unref(r);
}

/* ---- logging ---------------------------------------------------------- */

Test(dispatch, debug_and_trace_logging)
{
    with_log_level("TRACE");
    lp_value *r = lp_call_with(worker(), "fit", "x", lp_value_int(5), NULL);
    lp_value_unref(r);
    cr_assert(logged("DEBUG start C.fit"));
    cr_assert(logged("TRACE args of C.fit: "));
    cr_assert(logged("DEBUG done C.fit in "));
    bool has_arg = false;
    for (size_t i = 0; i < lp_list_len(logs); i++)
        has_arg |= strstr(lp_value_as_string(lp_list_get(logs, i)), "5") != NULL &&
                   strstr(lp_value_as_string(lp_list_get(logs, i)), "args of") != NULL;
    cr_assert(has_arg);
    cr_assert(lp_log_enabled(worker(), LP_LOG_TRACE));
}

Test(dispatch, info_level_hides_debug_and_trace)
{
    lp_value *r = lp_call(worker(), "fit", NULL);
    lp_value_unref(r);
    cr_assert_eq(lp_list_len(logs), 0);
    cr_assert_not(lp_log_enabled(worker(), LP_LOG_DEBUG));
    cr_assert(lp_log_enabled(worker(), LP_LOG_INFO));
    lp_log(worker(), LP_LOG_WARN, "disk %d%% full", 91);
    cr_assert_eq(lp_list_len(logs), 1);
    cr_assert_str_eq(lp_value_as_string(lp_list_get(logs, 0)), "WARN disk 91% full");
    lp_log(worker(), LP_LOG_DEBUG, "hidden");
    cr_assert_eq(lp_list_len(logs), 1);
}

Test(dispatch, debug_level_logs_start_not_args)
{
    with_log_level("debug");
    lp_value *r = lp_call(worker(), "fit", NULL);
    lp_value_unref(r);
    cr_assert(logged("DEBUG start C.fit"));
    cr_assert_not(logged("TRACE"));
}

Test(dispatch, logging_keeps_the_last_error)
{
    with_log_level("TRACE");
    lp_error_set(LP_EIO, "earlier problem");
    lp_log(worker(), LP_LOG_INFO, "hello");
    cr_assert_eq(lp_error_last()->code, LP_EIO);
    cr_assert_str_eq(lp_error_last()->message, "earlier problem");
}

Test(dispatch, log_levels)
{
    lp_log_level l;
    cr_assert_eq(lp_log_level_parse("warning", &l), 0);
    cr_assert_eq(l, LP_LOG_WARN);
    cr_assert_eq(lp_log_level_parse("Trace", &l), 0);
    cr_assert_eq(l, LP_LOG_TRACE);
    cr_assert_eq(lp_log_level_parse("LOUD", &l), LP_EINVAL);
    cr_assert_eq(lp_log_level_parse(NULL, &l), LP_EINVAL);
    cr_assert_str_eq(lp_log_level_name(LP_LOG_ERROR), "ERROR");
    cr_assert_str_eq(lp_log_level_name(LP_LOG_INFO), "INFO");
}

Test(dispatch, no_logger_or_notifier_writes_stderr, .init = cr_redirect_stderr)
{
    lp_log(NULL, LP_LOG_WARN, "plain %s", "warning");
    lp_log(NULL, LP_LOG_DEBUG, "not shown");
    lp_notify(NULL, LP_LOG_ERROR, "alert");
    fflush(stderr);
    cr_assert_stderr_eq_str("WARN plain warning\nERROR alert\n");
}

/* ---- hooks, cache, timing ------------------------------------------------ */

static int pre1(void *ud, lp_obj *obj, const char *method, lp_value *args)
{
    (void)ud;
    (void)obj;
    (void)args;
    jot("pre1");
    jot(method);
    return 0;
}

static int pre2(void *ud, lp_obj *obj, const char *method, lp_value *args)
{
    (void)obj;
    (void)method;
    jot("pre2");
    if (ud && lp_map_get(args, "veto")) {
        lp_error_set(LP_EWORKFLOW, "pre-hook says no");
        return -1;
    }
    return 0;
}

static int post1(void *ud, lp_obj *obj, const char *method, lp_value *args, lp_value *result)
{
    (void)ud;
    (void)obj;
    (void)method;
    (void)args;
    jot(lp_value_as_int(result) == 42 ? "post1(42)" : "post1(?)");
    return 0;
}

static int post2(void *ud, lp_obj *obj, const char *method, lp_value *args, lp_value *result)
{
    (void)obj;
    (void)method;
    (void)result;
    jot("post2");
    if (ud && lp_map_get(args, "reject"))
        return 1; /* fails without setting an error: the dispatcher names it */
    return 0;
}

Test(dispatch, hooks_run_in_order)
{
    lp_call_hooks a = {.pre = pre1, .post = post1};
    lp_call_hooks b = {.pre = pre2, .post = post2};
    cr_assert_eq(lp_workflow_add_hooks(wf, &a), 0);
    cr_assert_eq(lp_workflow_add_hooks(wf, &b), 0);
    lp_value *r = lp_call(worker(), "fit", NULL);
    cr_assert_eq(lp_value_as_int(r), 42);
    lp_value_unref(r);
    cr_assert_str_eq(journal, "pre1 fit pre2 call post1(42) post2 ");
    cr_assert_eq(lp_workflow_add_hooks(NULL, &a), LP_EINVAL);
}

Test(dispatch, hooks_of_an_unknown_abi_are_refused)
{
    lp_call_hooks future = {.pre = pre1, .abi_version = LP_ABI_VERSION + 1};
    cr_assert_eq(lp_workflow_add_hooks(wf, &future), LP_EINVAL);
    cr_assert_str_eq(
        lp_error_last()->message,
        "lp_workflow_add_hooks: hooks written for lolpop ABI 3, this lolpop has ABI 2");
    lp_call_hooks now = {.pre = pre1, .abi_version = LP_ABI_VERSION};
    cr_assert_eq(lp_workflow_add_hooks(wf, &now), 0);
    lp_value_unref(lp_call(worker(), "fit", NULL));
    cr_assert_str_eq(journal, "pre1 fit call "); /* the refused hooks never ran */
}

Test(dispatch, failing_pre_hook_stops_the_call)
{
    lp_call_hooks b = {.ud = (void *)1, .pre = pre2, .post = post2};
    lp_workflow_add_hooks(wf, &b);
    cr_assert_null(lp_call_with(worker(), "fit", "veto", lp_value_bool(true), NULL));
    cr_assert_str_eq(journal, "pre2 ");
    cr_assert_eq(fit_calls, 0);
    char *msg = lp_error_format();
    cr_assert_str_eq(msg, "C.fit: pre-hook says no");
    free(msg);
    cr_assert_eq(lp_list_len(notes), 1);
}

Test(dispatch, failing_post_hook_fails_the_call)
{
    lp_call_hooks b = {.ud = (void *)1, .pre = pre2, .post = post2};
    lp_workflow_add_hooks(wf, &b);
    cr_assert_null(lp_call_with(worker(), "fit", "reject", lp_value_bool(true), NULL));
    cr_assert_str_eq(journal, "pre2 call post2 ");
    cr_assert_eq(fit_calls, 1);
    cr_assert(strstr(lp_error_last()->message, "post-hook failed"));
    cr_assert_str_eq(lp_error_last()->context, "C.fit");
}

static int stores;
static lp_value *lookup(void *ud, lp_obj *obj, const char *method, lp_value *args)
{
    (void)ud;
    (void)obj;
    (void)args;
    return strcmp(method, "fit") == 0 ? lp_value_int(7) : NULL;
}

static void store(void *ud, lp_obj *obj, const char *method, lp_value *args, lp_value *result)
{
    (void)ud;
    (void)obj;
    (void)method;
    (void)args;
    (void)result;
    stores++;
}

Test(dispatch, cache_hit_skips_the_call)
{
    with_log_level("DEBUG");
    stores = 0;
    lp_call_hooks h = {.cache_lookup = lookup, .cache_store = store, .post = post1};
    lp_workflow_add_hooks(wf, &h);
    lp_value *r = lp_call(worker(), "fit", NULL);
    cr_assert_eq(lp_value_as_int(r), 7);
    lp_value_unref(r);
    cr_assert_eq(fit_calls, 0);
    cr_assert_eq(stores, 0);
    cr_assert_str_eq(journal, "post1(?) "); /* post-hooks still see the cached result */
    cr_assert(logged("DEBUG C.fit: reused cached result")); /* the cache logs the INFO line */
    /* a miss calls and stores */
    r = lp_call(worker(), "predict", NULL);
    cr_assert_eq(lp_value_as_int(r), 42);
    lp_value_unref(r);
    cr_assert_eq(fit_calls, 1);
    cr_assert_eq(stores, 1);
}

static char timed[256];
static void timing(void *ud, lp_obj *obj, const char *method, double seconds, int ok)
{
    (void)ud;
    char buf[64];
    snprintf(buf, sizeof buf, "%s.%s:%s:%s ", lp_obj_class(obj)->name, method, ok ? "ok" : "fail",
             seconds >= 0 && seconds < 60 ? "t" : "bad-time");
    strncat(timed, buf, sizeof timed - strlen(timed) - 1);
}

Test(dispatch, timing_hook_reports_every_call)
{
    timed[0] = 0;
    lp_call_hooks h = {.timing = timing};
    lp_workflow_add_hooks(wf, &h);
    lp_value *r = lp_call(lp_workflow_root(wf), "build_all", NULL);
    lp_value_unref(r);
    cr_assert_null(lp_call_with(worker(), "fit", "fail", lp_value_bool(true), NULL));
    cr_assert_str_eq(timed, "C.fit:ok:t P.train_model:ok:t R.build_all:ok:t C.fit:fail:t ");
}

Test(dispatch, logger_calls_skip_hooks_and_logging)
{
    with_log_level("TRACE");
    lp_call_hooks h = {.pre = pre1};
    lp_workflow_add_hooks(wf, &h);
    lp_obj *logger = lp_obj_component(lp_workflow_root(wf), "logger");
    lp_value *r = lp_call_with(logger, "log", "level", lp_value_string("INFO"), "message",
                               lp_value_string("direct"), NULL);
    cr_assert_not_null(r);
    lp_value_unref(r);
    cr_assert_str_eq(journal, "");
    cr_assert_eq(lp_list_len(logs), 1);
    cr_assert_str_eq(lp_value_as_string(lp_list_get(logs, 0)), "INFO direct");
}

Test(dispatch, env_log_level_reaches_the_logger)
{
    setenv("LOLPOP_LOG_LEVEL", "DEBUG", 1);
    with_log_level("~"); /* null in YAML: not set in the file, so env applies */
    unsetenv("LOLPOP_LOG_LEVEL");
    lp_value *r = lp_call(worker(), "fit", NULL);
    lp_value_unref(r);
    cr_assert(logged("DEBUG start C.fit"));
    cr_assert_not(logged("TRACE"));
}
