/*
 * pq_api.c — loads libpq on first use (see pq_api.h).
 */
#define LP_PQ_API_IMPL
#include "data/pq_api.h"

#include "core/lazylib.h"

lp_pq_fns lp_pq_fn;

static lp_lazylib_state loaded = LP_LAZYLIB_STATE_INIT;

static void load(void)
{
    /* Debian's libpq5 ships libpq.so.5; the unversioned name is a
     * development symlink, tried second. */
    static const char *const sonames[] = {"libpq.so.5", "libpq.so", NULL};
#define LP_PQ_SYM(name) {#name, &lp_pq_fn.name},
    const lp_lazysym syms[] = {LP_PQ_FUNCTIONS(LP_PQ_SYM)};
#undef LP_PQ_SYM
    int rc = lp_lazylib_resolve("libpq (the PostgreSQL client library)", sonames, syms,
                                sizeof syms / sizeof syms[0]);
    lp_lazylib_keep(&loaded, rc, NULL);
}

int lp_pq_require(void)
{
    return lp_lazylib_require(&loaded, load);
}
