/*
 * zlib_api.h — zlib's deflate, loaded on first use (core/lazylib.h) like
 * libcairo (cairo_api.h): only plot_png.c's PNG encoder needs it, and linking
 * it would add a library to every `lolpop` start. libcairo already brings
 * libz.so.1 into the process, so loading it after cairo costs nothing.
 *
 * plot_png.c includes this header instead of <zlib.h>: each name below then
 * means the function pointer of the same name in lp_zlib_fn.
 */
#ifndef LP_ML_ZLIB_API_H
#define LP_ML_ZLIB_API_H

#include <zlib.h>

#include "core/internal.h"

#define LP_ZLIB_FUNCTIONS(X)                                                                       \
    X(crc32)                                                                                       \
    X(deflate)                                                                                     \
    X(deflateBound)                                                                                \
    X(deflateEnd)                                                                                  \
    X(deflateInit2_)

#define LP_ZLIB_FIELD(name) __typeof__(name) *name;
typedef struct lp_zlib_fns {
    LP_ZLIB_FUNCTIONS(LP_ZLIB_FIELD)
} lp_zlib_fns;
#undef LP_ZLIB_FIELD

extern lp_zlib_fns lp_zlib_fn;

/* Loads libz once; 0, or LP_ENOTFOUND with the reason. Thread-safe. */
int lp_zlib_require(void);

#ifndef LP_ZLIB_API_IMPL
#define LP_ZLIB_CALL(name) (lp_zlib_fn.name)
#define crc32              LP_ZLIB_CALL(crc32)
#define deflate            LP_ZLIB_CALL(deflate)
#define deflateBound       LP_ZLIB_CALL(deflateBound)
#define deflateEnd         LP_ZLIB_CALL(deflateEnd)
#define deflateInit2_      LP_ZLIB_CALL(deflateInit2_)
#endif

#endif
