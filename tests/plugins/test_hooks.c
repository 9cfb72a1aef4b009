/*
 * test_hooks.c — C workflow-test hooks for tests/workflow/test_workflow_tests.c:
 * one per verdict a hook can give, plus one that breaks the contract. Not a
 * plugin (no entry point): tests name it by path.
 */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "lolpop/frame.h"
#include "lolpop/testing.h"
#include "lolpop/value.h"

LP_TEST_HOOK int hook_rows_over_500(const lp_hook_ctx *ctx, char *msg, size_t size);
LP_TEST_HOOK int hook_pre_sees_args(const lp_hook_ctx *ctx, char *msg, size_t size);
LP_TEST_HOOK int hook_always_fails(const lp_hook_ctx *ctx, char *msg, size_t size);
LP_TEST_HOOK int hook_cannot_decide(const lp_hook_ctx *ctx, char *msg, size_t size);
LP_TEST_HOOK int hook_bad_status(const lp_hook_ctx *ctx, char *msg, size_t size);
LP_TEST_HOOK int hook_crashes(const lp_hook_ctx *ctx, char *msg, size_t size);
LP_TEST_HOOK int hook_hangs(const lp_hook_ctx *ctx, char *msg, size_t size);

/* post-hook on a method returning a frame: PASS when it has more than 500 rows. */
int hook_rows_over_500(const lp_hook_ctx *ctx, char *msg, size_t size)
{
    const lp_frame *f = lp_value_as_frame(ctx->result);
    if (!ctx->is_post || !f) {
        snprintf(msg, size, "expected a post-hook on a method returning a frame");
        return LP_TEST_ERROR;
    }
    snprintf(msg, size, "%zu rows", lp_frame_rows(f));
    return lp_frame_rows(f) > 500 ? LP_TEST_PASS : LP_TEST_FAIL;
}

/* pre-hook: PASS when it sees a map of arguments, no result, and the config. */
int hook_pre_sees_args(const lp_hook_ctx *ctx, char *msg, size_t size)
{
    int ok = !ctx->is_post && !ctx->result && lp_value_type(ctx->args) == LP_MAP &&
             lp_value_type(ctx->config) == LP_MAP && ctx->obj && ctx->method;
    snprintf(msg, size, "method %s", ctx->method ? ctx->method : "?");
    return ok ? LP_TEST_PASS : LP_TEST_FAIL;
}

int hook_always_fails(const lp_hook_ctx *ctx, char *msg, size_t size)
{
    (void)ctx;
    snprintf(msg, size, "this hook always fails");
    return LP_TEST_FAIL;
}

int hook_cannot_decide(const lp_hook_ctx *ctx, char *msg, size_t size)
{
    (void)ctx;
    snprintf(msg, size, "no data to decide on");
    return LP_TEST_ERROR;
}

int hook_bad_status(const lp_hook_ctx *ctx, char *msg, size_t size)
{
    (void)ctx;
    (void)msg;
    (void)size;
    return 7;
}

/* Dies of a signal, as a buggy hook would. */
int hook_crashes(const lp_hook_ctx *ctx, char *msg, size_t size)
{
    (void)ctx;
    (void)msg;
    (void)size;
    raise(SIGSEGV);
    return LP_TEST_PASS;
}

/* Never returns (in time). */
int hook_hangs(const lp_hook_ctx *ctx, char *msg, size_t size)
{
    (void)ctx;
    (void)msg;
    (void)size;
    for (int i = 0; i < 600; i++)
        sleep(1);
    return LP_TEST_PASS;
}
