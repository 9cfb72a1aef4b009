/*
 * pq_api.c — loads libpq on first use (see pq_api.h).
 */
#define LP_PQ_API_IMPL
#include "data/pq_api.h"

#include <pthread.h>
#include <stdio.h>

#include "core/lazylib.h"

lp_pq_fns lp_pq_fn;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int load_rc;
static char load_error[512];

static void load(void)
{
    /* Debian's libpq5 ships libpq.so.5; the unversioned name is a
     * development symlink, tried second. */
    static const char *const sonames[] = {"libpq.so.5", "libpq.so", NULL};
#define LP_PQ_SYM(name) {#name, &lp_pq_fn.name},
    const lp_lazysym syms[] = {LP_PQ_FUNCTIONS(LP_PQ_SYM)};
#undef LP_PQ_SYM
    load_rc = lp_lazylib_resolve("libpq (the PostgreSQL client library)", sonames, syms,
                                 sizeof syms / sizeof syms[0]);
    if (load_rc) snprintf(load_error, sizeof load_error, "%s", lp_error_last()->message);
}

int lp_pq_require(void)
{
    pthread_once(&once, load);
    return load_rc ? lp_error_set(load_rc, "%s", load_error) : 0;
}
