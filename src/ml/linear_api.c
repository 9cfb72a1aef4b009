/*
 * linear_api.c — loads liblinear on first use (see linear_api.h).
 */
#define LP_LINEAR_API_IMPL
#include "ml/linear_api.h"

#include "core/lazylib.h"

lp_linear_fns lp_linear_fn;

static lp_lazylib_state loaded = LP_LAZYLIB_STATE_INIT;

static void load(void)
{
    /* Debian's liblinear4 ships liblinear.so.4; the unversioned name is a
     * development symlink, tried second. */
    static const char *const sonames[] = {"liblinear.so.4", "liblinear.so", NULL};
#define LP_LINEAR_SYM(name) {#name, &lp_linear_fn.name},
    const lp_lazysym syms[] = {LP_LINEAR_FUNCTIONS(LP_LINEAR_SYM)};
#undef LP_LINEAR_SYM
    int rc = lp_lazylib_resolve("liblinear", sonames, syms, sizeof syms / sizeof syms[0]);
    lp_lazylib_keep(&loaded, rc, NULL);
}

int lp_linear_require(void)
{
    return lp_lazylib_require(&loaded, load);
}
