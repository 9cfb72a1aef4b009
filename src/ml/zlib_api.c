/*
 * zlib_api.c — loads zlib on first use (see zlib_api.h).
 */
#define LP_ZLIB_API_IMPL
#include "ml/zlib_api.h"

#include "core/lazylib.h"

lp_zlib_fns lp_zlib_fn;

static lp_lazylib_state loaded = LP_LAZYLIB_STATE_INIT;

static void load(void)
{
    /* Debian's zlib1g ships libz.so.1; the unversioned name is a development symlink. */
    static const char *const sonames[] = {"libz.so.1", "libz.so", NULL};
#define LP_ZLIB_SYM(name) {#name, &lp_zlib_fn.name},
    const lp_lazysym syms[] = {LP_ZLIB_FUNCTIONS(LP_ZLIB_SYM)};
#undef LP_ZLIB_SYM
    int rc = lp_lazylib_resolve("zlib", sonames, syms, sizeof syms / sizeof syms[0]);
    lp_lazylib_keep(&loaded, rc, NULL);
}

int lp_zlib_require(void)
{
    return lp_lazylib_require(&loaded, load);
}
