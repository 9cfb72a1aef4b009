/*
 * lapack_api.h — LAPACKE, loaded on first use (core/lazylib.h): liblapacke
 * brings LAPACK and OpenBLAS, whose constructors start a thread pool that
 * `lolpop --version` should not pay for.
 *
 * Files that call LAPACKE include this header instead of <lapacke.h>: each
 * LAPACKE_* name then means the function pointer of the same name in
 * lp_lapack_fn. Callers run lp_lapack_require() first.
 */
#ifndef LP_COMPONENTS_DATA_SYNTHESIZER_LAPACK_API_H
#define LP_COMPONENTS_DATA_SYNTHESIZER_LAPACK_API_H

#include <lapacke.h>

#include "core/internal.h"

#define LP_LAPACK_FUNCTIONS(X)                                                                     \
    X(LAPACKE_dpotrf)                                                                              \
    X(LAPACKE_dsyevd)

#define LP_LAPACK_FIELD(name) __typeof__(name) *name;
typedef struct lp_lapack_fns {
    LP_LAPACK_FUNCTIONS(LP_LAPACK_FIELD)
} lp_lapack_fns;
#undef LP_LAPACK_FIELD

extern lp_lapack_fns lp_lapack_fn;

/* Loads liblapacke once; 0, or LP_ENOTFOUND with the reason. Thread-safe. */
int lp_lapack_require(void);

#ifndef LP_LAPACK_API_IMPL
#define LAPACKE_dpotrf lp_lapack_fn.LAPACKE_dpotrf
#define LAPACKE_dsyevd lp_lapack_fn.LAPACKE_dsyevd
#endif

#endif
