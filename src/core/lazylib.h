/*
 * lazylib.h — shared libraries loaded on first use (dlopen), for the heavy
 * back-ends (libxgboost pulls in libstdc++ and libgomp, libpq pulls in
 * Kerberos, LDAP and GnuTLS): linking them would make every `lolpop` start,
 * `--version` included, pay for their loading and constructors (~15 ms).
 *
 * Each back-end keeps a table of function pointers with the library's own
 * names (see ml/xgb_api.h, data/pq_api.h); lp_lazylib_resolve fills it once.
 */
#ifndef LP_CORE_LAZYLIB_H
#define LP_CORE_LAZYLIB_H

#include <pthread.h>
#include <stddef.h>

#include "core/internal.h"

/* One symbol to resolve into *slot (a function pointer's storage). */
typedef struct lp_lazysym {
    const char *name;
    void *slot; /* address of the function pointer */
} lp_lazysym;

/* Opens the first of `sonames` (NULL-terminated) that loads and resolves
 * every symbol into its slot. 0, or LP_ENOTFOUND with the last error naming
 * `what`, the sonames tried and dlerror's reason. Not thread-safe: callers
 * run it under pthread_once. */
int lp_lazylib_resolve(const char *what, const char *const *sonames, const lp_lazysym *syms,
                       size_t n);

/* The outcome of opening one library, kept for every later caller: each
 * loader's static storage, initialised with LP_LAZYLIB_STATE_INIT. */
typedef struct lp_lazylib_state {
    pthread_once_t once;
    int rc;
    char error[600];
} lp_lazylib_state;
#define LP_LAZYLIB_STATE_INIT                                                                      \
    {                                                                                              \
        PTHREAD_ONCE_INIT, 0, ""                                                                   \
    }

/* Keeps rc (0, or an error code with the last error set) as st's outcome,
 * with "; hint" after the message when hint is not NULL. A loader's load
 * function ends with it. */
void lp_lazylib_keep(lp_lazylib_state *st, int rc, const char *hint);

/* Runs load once for st (pthread_once) and answers st's outcome: 0, or its
 * code with its message as this thread's last error. Thread-safe. */
int lp_lazylib_require(lp_lazylib_state *st, void (*load)(void));

#endif
