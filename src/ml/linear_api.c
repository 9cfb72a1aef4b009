/*
 * linear_api.c — loads liblinear on first use (see linear_api.h).
 */
#define LP_LINEAR_API_IMPL
#include "ml/linear_api.h"

#include <pthread.h>
#include <stdio.h>

#include "core/lazylib.h"

lp_linear_fns lp_linear_fn;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int load_rc;
static char load_error[512];

static void load(void)
{
    /* Debian's liblinear4 ships liblinear.so.4; the unversioned name is a
     * development symlink, tried second. */
    static const char *const sonames[] = {"liblinear.so.4", "liblinear.so", NULL};
#define LP_LINEAR_SYM(name) {#name, &lp_linear_fn.name},
    const lp_lazysym syms[] = {LP_LINEAR_FUNCTIONS(LP_LINEAR_SYM)};
#undef LP_LINEAR_SYM
    load_rc = lp_lazylib_resolve("liblinear", sonames, syms, sizeof syms / sizeof syms[0]);
    if (load_rc) snprintf(load_error, sizeof load_error, "%s", lp_error_last()->message);
}

int lp_linear_require(void)
{
    pthread_once(&once, load);
    return load_rc ? lp_error_set(load_rc, "%s", load_error) : 0;
}
