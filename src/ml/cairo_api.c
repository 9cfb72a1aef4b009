/*
 * cairo_api.c — loads libcairo on first use (see cairo_api.h).
 */
#define LP_CAIRO_API_IMPL
#include "ml/cairo_api.h"

#include "core/lazylib.h"

lp_cairo_fns lp_cairo_fn;

static lp_lazylib_state loaded = LP_LAZYLIB_STATE_INIT;

static void load(void)
{
    /* Debian's libcairo2 ships libcairo.so.2; the unversioned name is a development symlink. */
    static const char *const sonames[] = {"libcairo.so.2", "libcairo.so", NULL};
#define LP_CAIRO_SYM(name) {#name, &lp_cairo_fn.name},
    const lp_lazysym syms[] = {LP_CAIRO_FUNCTIONS(LP_CAIRO_SYM)};
#undef LP_CAIRO_SYM
    int rc = lp_lazylib_resolve("cairo", sonames, syms, sizeof syms / sizeof syms[0]);
    lp_lazylib_keep(&loaded, rc, NULL);
}

int lp_cairo_require(void)
{
    return lp_lazylib_require(&loaded, load);
}
