/*
 * testing_internal.h — the workflow testing framework (SPEC §8): tests:
 * sections parsed into hooks, the session that runs them through the
 * dispatcher's hook points, C hooks from shared objects, and JUnit XML.
 *
 * Internal to liblolpop; the CLI and the unit tests link the internal library.
 */
#ifndef LP_TESTING_INTERNAL_H
#define LP_TESTING_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "core/internal.h"
#include "expr/expr.h"
#include "lolpop/diag.h"
#include "lolpop/testing.h"
#include "lolpop/workflow.h"

/* Seconds a C hook may run before it is stopped, unless its test says `timeout:`. */
#define LP_TEST_HOOK_TIMEOUT 60.0

/* One hook of a tests: section. */
typedef struct lp_test_hook {
    lp_obj *obj;        /* borrowed: the integration it is attached to */
    char *label;        /* "process.data_transformer", or the runner's class name */
    char *method;       /* the method it watches */
    bool post;          /* post_hooks (sees the result) or pre_hooks */
    bool is_check;      /* check: EXPRESSION, else hook: FILE:FUNCTION */
    char *spec;         /* the expression text or "FILE:FUNCTION" */
    char *name;         /* the entry's `name:`, or NULL */
    lp_origin where;    /* the entry's position in its file */
    lp_expr *expr;      /* checks: the parsed expression */
    lp_test_hook_fn fn; /* C hooks, once resolved */
    double timeout;     /* C hooks: seconds before the child running it is stopped */
    size_t runs;        /* how many times it ran */
    size_t calls;       /* how many times its method was called (post-hooks skip failures) */
} lp_test_hook;

typedef struct lp_test_hooks {
    lp_test_hook *v;
    size_t len, cap;
} lp_test_hooks;

/* test_spec.c: parses one section's `tests:` value (a map of method name ->
 * {pre_hooks, post_hooks}). `cls` may be NULL (unknown class: method names
 * are not checked). Every problem goes to diags with its file:line:col. When
 * `out` is non-NULL the hooks are appended to it (obj and label copied into
 * each). Returns the number of errors added. */
size_t lp_tests_parse(const lp_class *cls, const char *label, const lp_value *tests, lp_obj *obj,
                      lp_test_hooks *out, lp_diags *diags);
/* Frees every hook's fields and the array. Accepts an empty list. */
void lp_test_hooks_free(lp_test_hooks *hooks);

/* test_register.c: registers what the testing framework adds to every
 * workflow's validation: the `tests:` key of each section and the
 * `test_logger` slot holding a logger. Called by the built-in plugin. 0 or the
 * registry's error (LP_EEXISTS when registered twice). */
int lp_testing_register(lp_registry *reg);

/* c_hook.c: finds FILE of h->spec (relative to the entry's file when it has a
 * '/', else in plugin_paths, LOLPOP_PLUGIN_PATH and the installed plugin
 * directory, then the system's library path), dlopens it and looks up
 * FUNCTION into h->fn. The handle is appended to *dls (caller dlcloses).
 * Problems go to diags with the entry's position; returns 0 or LP_ECONFIG. */
int lp_test_hook_resolve(lp_test_hook *h, const lp_value *plugin_paths, void ***dls, size_t *n_dls,
                         lp_diags *diags);

/* hook_child.c: runs fn(ctx) in a forked child. 0 with *rc and msg the hook's
 * verdict and message; -1 with msg saying why there is none (it crashed,
 * hung past `timeout` seconds and was killed, or could not be started). */
int lp_hook_run_isolated(lp_test_hook_fn fn, const lp_hook_ctx *ctx, double timeout, int *rc,
                         char *msg, size_t size);

typedef struct lp_test_session lp_test_session;

/* Parses every tests: section of wf's tree, resolves the C hooks and installs
 * the hooks on wf's dispatcher. wf is borrowed and must outlive the session's
 * use; free the session after the workflow. Problems go to diags (LP_ECONFIG).
 * *out is the caller's (lp_test_session_free). */
int lp_test_session_new(lp_test_session **out, lp_workflow *wf, lp_diags *diags);
/* The verdicts so far, in order: a list of maps {name, named (the entry had
 * a name:), integration, class, method, phase, kind, spec, status (PASS FAIL
 * ERROR NOT_RUN), message, seconds, location}. Borrowed. */
const lp_value *lp_test_session_results(const lp_test_session *s);
/* Adds hooks that never ran (their method was not called) as verdicts with
 * status NOT_RUN, records the outcome of the workflow itself (an ERROR verdict
 * named after the method when `workflow_error` is non-NULL), and asks the
 * configured test_recorder for its report. Call once, after the run. */
void lp_test_session_finish(lp_test_session *s, const char *method, const char *workflow_error);
/* Counts by status after finish: PASS, FAIL, ERROR, NOT_RUN. */
void lp_test_session_counts(const lp_test_session *s, size_t *passed, size_t *failed,
                            size_t *errors, size_t *not_run);
/* Number of hooks attached (0: the configuration has no tests). */
size_t lp_test_session_hook_count(const lp_test_session *s);
/* Closes the C hooks' shared objects and frees s. Accepts NULL. */
void lp_test_session_free(lp_test_session *s);

/* junit.c: writes the verdicts (as above) as JUnit XML to path, atomically
 * (temp file + rename). `suite` names the test suite. 0 or LP_EIO. */
int lp_junit_write(const lp_value *results, const char *suite, const char *path);

#endif
