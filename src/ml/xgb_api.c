/*
 * xgb_api.c — loads libxgboost on first use (see xgb_api.h).
 */
#define LP_XGB_API_IMPL
#include "ml/xgb_api.h"

#include "core/lazylib.h"

lp_xgb_fns lp_xgb_fn;

static lp_lazylib_state loaded = LP_LAZYLIB_STATE_INIT;

static void load(void)
{
    /* Debian's libxgboost0 ships libxgboost.so.0; the unversioned name is a
     * development symlink, tried second. */
    static const char *const sonames[] = {"libxgboost.so.0", "libxgboost.so", NULL};
#define LP_XGB_SYM(name) {#name, &lp_xgb_fn.name},
    const lp_lazysym syms[] = {LP_XGB_FUNCTIONS(LP_XGB_SYM)};
#undef LP_XGB_SYM
    int rc = lp_lazylib_resolve("XGBoost", sonames, syms, sizeof syms / sizeof syms[0]);
    lp_lazylib_keep(&loaded, rc, NULL);
}

int lp_xgb_require(void)
{
    return lp_lazylib_require(&loaded, load);
}
