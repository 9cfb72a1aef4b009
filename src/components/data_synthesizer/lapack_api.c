/*
 * lapack_api.c — loads LAPACKE on first use (see lapack_api.h).
 */
#define LP_LAPACK_API_IMPL
#include "components/data_synthesizer/lapack_api.h"

#include "core/lazylib.h"

lp_lapack_fns lp_lapack_fn;

static lp_lazylib_state loaded = LP_LAZYLIB_STATE_INIT;

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
    int rc = lp_lazylib_resolve("LAPACKE (the LAPACK C interface)", sonames, syms,
                                sizeof syms / sizeof syms[0]);
    lp_lazylib_keep(&loaded, rc, "install liblapacke (Debian: liblapacke)");
}

int lp_lapack_require(void)
{
    return lp_lazylib_require(&loaded, load);
}
