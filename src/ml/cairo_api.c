/*
 * cairo_api.c — loads libcairo on first use (see cairo_api.h).
 */
#define LP_CAIRO_API_IMPL
#include "ml/cairo_api.h"

#include <pthread.h>
#include <stdio.h>

#include "core/lazylib.h"

lp_cairo_fns lp_cairo_fn;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int load_rc;
static char load_error[512];

static void load(void)
{
    /* Debian's libcairo2 ships libcairo.so.2; the unversioned name is a development symlink. */
    static const char *const sonames[] = {"libcairo.so.2", "libcairo.so", NULL};
#define LP_CAIRO_SYM(name) {#name, &lp_cairo_fn.name},
    const lp_lazysym syms[] = {LP_CAIRO_FUNCTIONS(LP_CAIRO_SYM)};
#undef LP_CAIRO_SYM
    load_rc = lp_lazylib_resolve("cairo", sonames, syms, sizeof syms / sizeof syms[0]);
    if (load_rc) snprintf(load_error, sizeof load_error, "%s", lp_error_last()->message);
}

int lp_cairo_require(void)
{
    pthread_once(&once, load);
    return load_rc ? lp_error_set(load_rc, "%s", load_error) : 0;
}
