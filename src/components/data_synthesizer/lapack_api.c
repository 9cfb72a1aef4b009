/*
 * lapack_api.c — loads LAPACKE on first use (see lapack_api.h).
 */
#define LP_LAPACK_API_IMPL
#include "components/data_synthesizer/lapack_api.h"

#include <pthread.h>
#include <stdio.h>

#include "core/lazylib.h"

lp_lapack_fns lp_lapack_fn;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int load_rc;
static char load_error[600];

static void load(void)
{
    /* Debian's liblapacke ships liblapacke.so.3 (its LAPACK is whichever
     * liblapack.so.3 the alternatives system picked, OpenBLAS's when
     * libopenblas0 is installed); the unversioned name is a development
     * symlink, tried second. */
    static const char *const sonames[] = {"liblapacke.so.3", "liblapacke.so", NULL};
#define LP_LAPACK_SYM(name) {#name, &lp_lapack_fn.name},
    const lp_lazysym syms[] = {LP_LAPACK_FUNCTIONS(LP_LAPACK_SYM)};
#undef LP_LAPACK_SYM
    load_rc = lp_lazylib_resolve("LAPACKE (the LAPACK C interface)", sonames, syms,
                                 sizeof syms / sizeof syms[0]);
    if (load_rc)
        snprintf(load_error, sizeof load_error, "%s; install liblapacke (Debian: liblapacke)",
                 lp_error_last()->message);
}

int lp_lapack_require(void)
{
    pthread_once(&once, load);
    return load_rc ? lp_error_set(load_rc, "%s", load_error) : 0;
}
