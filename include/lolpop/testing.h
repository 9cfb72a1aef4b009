/*
 * testing.h — workflow test hooks written in C (SPEC §8).
 *
 * A workflow test attaches checks to a method of any integration:
 *
 *     process:
 *       data_transformer:
 *         tests:
 *           transform:
 *             pre_hooks:
 *               - hook: libmychecks.so:check_source_exists
 *             post_hooks:
 *               - check: "rows(result) > 500"
 *               - hook: libmychecks.so:check_label_counts
 *
 * `hook: FILE:FUNCTION` names a function of a shared object. FILE is a path
 * (relative to the configuration file it appears in) or a bare file name looked
 * up in plugin_paths, LOLPOP_PLUGIN_PATH and the installed plugin directory.
 * The function has the type lp_test_hook_fn and is exported with LP_TEST_HOOK:
 *
 *     LP_TEST_HOOK int check_label_counts(const lp_hook_ctx *ctx, char *msg, size_t size)
 *     {
 *         const lp_frame *f = lp_value_as_frame(ctx->result);
 *         if (!f) { snprintf(msg, size, "result is not a frame"); return LP_TEST_ERROR; }
 *         ...
 *         return LP_TEST_PASS;
 *     }
 *
 * Hooks run only under `lolpop test workflow`, which first checks that every
 * FILE loads and exports FUNCTION; `lolpop run workflow` and `config validate`
 * check the tests' syntax but neither load nor run hooks. Declare each hook
 * before defining it (builds with -Wmissing-prototypes want it). A hook's
 * verdict never changes the method's result: the workflow goes on and every
 * verdict is recorded (test_recorder) and reported. Each call runs in a forked
 * child: a crash or a hang past the test's `timeout:` (default 60 s) is an
 * ERROR, and changes the hook makes to memory do not outlive the call.
 */
#ifndef LOLPOP_TESTING_H
#define LOLPOP_TESTING_H

#include <stddef.h>
#include "object.h"
#include "value.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A hook's verdict. ERROR means the hook could not decide (bad input, its own
 * failure); it is reported apart from FAIL and also fails the test run. */
typedef enum lp_test_status {
    LP_TEST_PASS = 0,
    LP_TEST_FAIL = 1,
    LP_TEST_ERROR = 2,
} lp_test_status;

/* What a hook sees. Everything is borrowed for the duration of the call. */
typedef struct lp_hook_ctx {
    lp_obj *obj;            /* the integration whose method is called */
    const char *method;     /* its method name ("transform") */
    const lp_value *args;   /* the method's arguments: a map */
    const lp_value *result; /* post-hooks: the method's result; pre-hooks: NULL */
    const lp_value *config; /* the integration's resolved configuration: a map */
    int is_post;            /* 0 for a pre-hook, 1 for a post-hook */
} lp_hook_ctx;

/* A C test hook. Returns an lp_test_status; may write a NUL-terminated message
 * of at most `size` bytes into msg (shown with the verdict; empty is fine). */
typedef int (*lp_test_hook_fn)(const lp_hook_ctx *ctx, char *msg, size_t size);

/* Exports a hook function from a plugin built with -fvisibility=hidden. */
#define LP_TEST_HOOK __attribute__((visibility("default")))

#ifdef __cplusplus
}
#endif
#endif
