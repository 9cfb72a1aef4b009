/*
 * libpng_api.h — libpng's writer, loaded on first use (core/lazylib.h) like
 * libcairo (cairo_api.h): only png_encode.c needs it, and linking it would
 * add a library to every `lolpop` start. libcairo already brings
 * libpng16.so.16 into the process, so loading it after cairo costs nothing.
 *
 * png_encode.c includes this header instead of <png.h>: each png_* name below
 * then means the function pointer of the same name in lp_libpng_fn.
 */
#ifndef LP_ML_LIBPNG_API_H
#define LP_ML_LIBPNG_API_H

#include <png.h>

#include "core/internal.h"

#define LP_LIBPNG_FUNCTIONS(X)                                                                     \
    X(png_create_info_struct)                                                                      \
    X(png_create_write_struct)                                                                     \
    X(png_destroy_write_struct)                                                                    \
    X(png_error)                                                                                   \
    X(png_get_error_ptr)                                                                           \
    X(png_get_io_ptr)                                                                              \
    X(png_set_IHDR)                                                                                \
    X(png_set_compression_level)                                                                   \
    X(png_set_filter)                                                                              \
    X(png_set_write_fn)                                                                            \
    X(png_write_end)                                                                               \
    X(png_write_info)                                                                              \
    X(png_write_row)

#define LP_LIBPNG_FIELD(name) __typeof__(name) *name;
typedef struct lp_libpng_fns {
    LP_LIBPNG_FUNCTIONS(LP_LIBPNG_FIELD)
} lp_libpng_fns;
#undef LP_LIBPNG_FIELD

extern lp_libpng_fns lp_libpng_fn;

/* Loads libpng once; 0, or LP_ENOTFOUND with the reason. Thread-safe. */
int lp_libpng_require(void);

#ifndef LP_LIBPNG_API_IMPL
#define LP_LIBPNG_CALL(name)      (lp_libpng_fn.name)
#define png_create_info_struct    LP_LIBPNG_CALL(png_create_info_struct)
#define png_create_write_struct   LP_LIBPNG_CALL(png_create_write_struct)
#define png_destroy_write_struct  LP_LIBPNG_CALL(png_destroy_write_struct)
#define png_error                 LP_LIBPNG_CALL(png_error)
#define png_get_error_ptr         LP_LIBPNG_CALL(png_get_error_ptr)
#define png_get_io_ptr            LP_LIBPNG_CALL(png_get_io_ptr)
#define png_set_IHDR              LP_LIBPNG_CALL(png_set_IHDR)
#define png_set_compression_level LP_LIBPNG_CALL(png_set_compression_level)
#define png_set_filter            LP_LIBPNG_CALL(png_set_filter)
#define png_set_write_fn          LP_LIBPNG_CALL(png_set_write_fn)
#define png_write_end             LP_LIBPNG_CALL(png_write_end)
#define png_write_info            LP_LIBPNG_CALL(png_write_info)
#define png_write_row             LP_LIBPNG_CALL(png_write_row)
#endif

#endif
