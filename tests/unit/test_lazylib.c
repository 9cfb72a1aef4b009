/*
 * test_lazylib.c — libraries loaded on first use: a missing library or symbol
 * is an error naming what is unavailable and why; the real back-ends load.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "core/lazylib.h"
#include "data/pq_api.h"
#include "lolpop/error.h"
#include "ml/linear_api.h"
#include "ml/xgb_api.h"

Test(lazylib, a_missing_library_is_named_with_the_reason)
{
    static const char *const names[] = {"liblolpop-does-not-exist.so.9", NULL};
    void (*fn)(void) = NULL;
    const lp_lazysym syms[] = {{"whatever", &fn}};
    cr_assert_eq(lp_lazylib_resolve("The Thing", names, syms, 1), LP_ENOTFOUND);
    const char *msg = lp_error_last()->message;
    cr_assert(strstr(msg, "The Thing is not available"), "%s", msg);
    cr_assert(strstr(msg, "liblolpop-does-not-exist.so.9"), "%s", msg);
    cr_assert_null(fn);
}

Test(lazylib, a_missing_symbol_is_an_error_too)
{
    static const char *const names[] = {"libz.so.1", "libc.so.6", NULL};
    void (*fn)(void) = NULL;
    const lp_lazysym syms[] = {{"lp_no_such_symbol_anywhere", &fn}};
    cr_assert_eq(lp_lazylib_resolve("zlib", names, syms, 1), LP_ENOTFOUND);
    cr_assert(strstr(lp_error_last()->message, "lp_no_such_symbol_anywhere"), "%s",
              lp_error_last()->message);
}

Test(lazylib, the_back_ends_load_and_resolve_every_function)
{
    /* 0 means the library loaded and every function of its table resolved. */
    cr_assert_eq(lp_xgb_require(), 0, "%s", lp_error_last()->message);
    cr_assert_eq(lp_linear_require(), 0, "%s", lp_error_last()->message);
    cr_assert_eq(lp_pq_require(), 0, "%s", lp_error_last()->message);
    cr_assert_eq(lp_xgb_require(), 0, "asking again is free");
}

/* A loader whose library is missing: its outcome is kept with the hint. */
static lp_lazylib_state missing_state = LP_LAZYLIB_STATE_INIT;
static int missing_loads;
static void load_missing(void)
{
    static const char *const sonames[] = {"liblolpop-no-such-library.so.9", NULL};
    missing_loads++;
    lp_lazylib_keep(&missing_state, lp_lazylib_resolve("nothing", sonames, NULL, 0),
                    "install nothing");
}

Test(lazylib, a_failed_load_is_kept_and_told_to_every_caller)
{
    for (int i = 0; i < 3; i++) {
        lp_error_clear();
        cr_assert_eq(lp_lazylib_require(&missing_state, load_missing), LP_ENOTFOUND);
        const char *msg = lp_error_last()->message;
        cr_assert(strstr(msg, "nothing is not available") != NULL, "%s", msg);
        cr_assert(strstr(msg, "; install nothing") != NULL, "%s", msg);
    }
    cr_assert_eq(missing_loads, 1, "the library is tried once");
}
