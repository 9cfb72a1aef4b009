/*
 * mhd_api.c — loads libmicrohttpd on first use (see mhd_api.h).
 */
#define LP_MHD_API_IMPL
#include "server/mhd_api.h"

#include <pthread.h>
#include <stdio.h>

#include "core/lazylib.h"
#include "lolpop/error.h"

lp_mhd_fns lp_mhd_fn;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int load_rc;
static char load_error[512];

static void load(void)
{
    /* Debian's libmicrohttpd12 ships libmicrohttpd.so.12; the unversioned
     * name is the -dev package's symlink, tried second. */
    static const char *const sonames[] = {"libmicrohttpd.so.12", "libmicrohttpd.so", NULL};
#define LP_MHD_SYM(name) {#name, &lp_mhd_fn.name},
    const lp_lazysym syms[] = {LP_MHD_FUNCTIONS(LP_MHD_SYM)};
#undef LP_MHD_SYM
    load_rc = lp_lazylib_resolve("libmicrohttpd (the HTTP server library)", sonames, syms,
                                 sizeof syms / sizeof syms[0]);
    if (load_rc) snprintf(load_error, sizeof load_error, "%s", lp_error_last()->message);
}

int lp_mhd_require(void)
{
    pthread_once(&once, load);
    return load_rc ? lp_error_set(load_rc, "%s", load_error) : 0;
}
