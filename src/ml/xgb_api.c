/*
 * xgb_api.c — loads libxgboost on first use (see xgb_api.h).
 */
#define LP_XGB_API_IMPL
#include "ml/xgb_api.h"

#include <pthread.h>
#include <stdio.h>

#include "core/lazylib.h"

lp_xgb_fns lp_xgb_fn;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int load_rc;
static char load_error[512];

static void load(void)
{
    /* Debian's libxgboost0 ships libxgboost.so.0; the unversioned name is a
     * development symlink, tried second. */
    static const char *const sonames[] = {"libxgboost.so.0", "libxgboost.so", NULL};
#define LP_XGB_SYM(name) {#name, &lp_xgb_fn.name},
    const lp_lazysym syms[] = {LP_XGB_FUNCTIONS(LP_XGB_SYM)};
#undef LP_XGB_SYM
    load_rc = lp_lazylib_resolve("XGBoost", sonames, syms, sizeof syms / sizeof syms[0]);
    if (load_rc) snprintf(load_error, sizeof load_error, "%s", lp_error_last()->message);
}

int lp_xgb_require(void)
{
    pthread_once(&once, load);
    return load_rc ? lp_error_set(load_rc, "%s", load_error) : 0;
}
