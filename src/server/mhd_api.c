/*
 * mhd_api.c — loads libmicrohttpd on first use (see mhd_api.h).
 */
#define LP_MHD_API_IMPL
#include "server/mhd_api.h"

#include "core/lazylib.h"
#include "lolpop/error.h"

lp_mhd_fns lp_mhd_fn;

static lp_lazylib_state loaded = LP_LAZYLIB_STATE_INIT;

static void load(void)
{
    /* Debian's libmicrohttpd12 ships libmicrohttpd.so.12; the unversioned
     * name is the -dev package's symlink, tried second. */
    static const char *const sonames[] = {"libmicrohttpd.so.12", "libmicrohttpd.so", NULL};
#define LP_MHD_SYM(name) {#name, &lp_mhd_fn.name},
    const lp_lazysym syms[] = {LP_MHD_FUNCTIONS(LP_MHD_SYM)};
#undef LP_MHD_SYM
    int rc = lp_lazylib_resolve("libmicrohttpd (the HTTP server library)", sonames, syms,
                                sizeof syms / sizeof syms[0]);
    lp_lazylib_keep(&loaded, rc, NULL);
}

int lp_mhd_require(void)
{
    return lp_lazylib_require(&loaded, load);
}
