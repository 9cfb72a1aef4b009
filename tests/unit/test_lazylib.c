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
