/*
 * lazylib.c — see lazylib.h.
 */
#include "core/lazylib.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

int lp_lazylib_resolve(const char *what, const char *const *sonames, const lp_lazysym *syms,
                       size_t n)
{
    /* dlerror's text lives only until the next dl* call: keep a copy. */
    char why[512] = "no library name given";
    for (size_t i = 0; sonames[i]; i++) {
        void *h = dlopen(sonames[i], RTLD_NOW | RTLD_LOCAL);
        if (!h) {
            snprintf(why, sizeof why, "%s", dlerror());
            continue;
        }
        size_t k = 0;
        for (; k < n; k++) {
            void *p = dlsym(h, syms[k].name);
            if (!p) break;
            memcpy(syms[k].slot, &p, sizeof p); /* POSIX: object and function pointers agree */
        }
        if (k == n) return 0; /* kept open for the life of the process */
        const char *err = dlerror();
        snprintf(why, sizeof why, "%s", err ? err : "a symbol is missing");
        dlclose(h);
    }
    return lp_error_set(LP_ENOTFOUND, "%s is not available: cannot load %s (%s)", what, sonames[0],
                        why);
}

void lp_lazylib_keep(lp_lazylib_state *st, int rc, const char *hint)
{
    st->rc = rc;
    if (rc)
        snprintf(st->error, sizeof st->error, "%s%s%s", lp_error_last()->message, hint ? "; " : "",
                 hint ? hint : "");
}

int lp_lazylib_require(lp_lazylib_state *st, void (*load)(void))
{
    pthread_once(&st->once, load);
    return st->rc ? lp_error_set(st->rc, "%s", st->error) : 0;
}
