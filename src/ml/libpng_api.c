/*
 * libpng_api.c — loads libpng on first use (see libpng_api.h).
 */
#define LP_LIBPNG_API_IMPL
#include "ml/libpng_api.h"

#include "core/lazylib.h"

lp_libpng_fns lp_libpng_fn;

static lp_lazylib_state loaded = LP_LAZYLIB_STATE_INIT;

static void load(void)
{
    /* Debian's libpng16-16 ships libpng16.so.16; the unversioned names are development
     * symlinks. The header's version must match: png_create_write_struct checks it. */
    static const char *const sonames[] = {"libpng16.so.16", "libpng16.so", "libpng.so", NULL};
#define LP_LIBPNG_SYM(name) {#name, &lp_libpng_fn.name},
    const lp_lazysym syms[] = {LP_LIBPNG_FUNCTIONS(LP_LIBPNG_SYM)};
#undef LP_LIBPNG_SYM
    int rc = lp_lazylib_resolve("libpng", sonames, syms, sizeof syms / sizeof syms[0]);
    lp_lazylib_keep(&loaded, rc, NULL);
}

int lp_libpng_require(void)
{
    return lp_lazylib_require(&loaded, load);
}
