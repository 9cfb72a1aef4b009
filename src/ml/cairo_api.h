/*
 * cairo_api.h — libcairo, loaded on first use (core/lazylib.h): linking it
 * would make every `lolpop` start load cairo, pixman, fontconfig and
 * freetype although only the visualizer's PNGs need them.
 *
 * plot_png.c includes this header instead of <cairo.h>: each cairo_* name
 * then means the function pointer of the same name in lp_cairo_fn.
 */
#ifndef LP_ML_CAIRO_API_H
#define LP_ML_CAIRO_API_H

#include <cairo.h>

#include "core/internal.h"

#define LP_CAIRO_FUNCTIONS(X)                                                                      \
    X(cairo_arc)                                                                                   \
    X(cairo_close_path)                                                                            \
    X(cairo_create)                                                                                \
    X(cairo_destroy)                                                                               \
    X(cairo_fill)                                                                                  \
    X(cairo_fill_preserve)                                                                         \
    X(cairo_image_surface_create)                                                                  \
    X(cairo_image_surface_get_data)                                                                \
    X(cairo_image_surface_get_stride)                                                              \
    X(cairo_line_to)                                                                               \
    X(cairo_move_to)                                                                               \
    X(cairo_new_path)                                                                              \
    X(cairo_restore)                                                                               \
    X(cairo_rotate)                                                                                \
    X(cairo_save)                                                                                  \
    X(cairo_select_font_face)                                                                      \
    X(cairo_set_dash)                                                                              \
    X(cairo_set_font_size)                                                                         \
    X(cairo_set_line_join)                                                                         \
    X(cairo_set_line_width)                                                                        \
    X(cairo_set_source_rgba)                                                                       \
    X(cairo_show_text)                                                                             \
    X(cairo_status)                                                                                \
    X(cairo_status_to_string)                                                                      \
    X(cairo_stroke)                                                                                \
    X(cairo_surface_destroy)                                                                       \
    X(cairo_surface_flush)                                                                         \
    X(cairo_text_extents)                                                                          \
    X(cairo_translate)

#define LP_CAIRO_FIELD(name) __typeof__(name) *name;
typedef struct lp_cairo_fns {
    LP_CAIRO_FUNCTIONS(LP_CAIRO_FIELD)
} lp_cairo_fns;
#undef LP_CAIRO_FIELD

extern lp_cairo_fns lp_cairo_fn;

/* Loads libcairo once; 0, or LP_ENOTFOUND with the reason. Thread-safe. */
int lp_cairo_require(void);

#ifndef LP_CAIRO_API_IMPL
#define LP_CAIRO_CALL(name)            (lp_cairo_fn.name)
#define cairo_arc                      LP_CAIRO_CALL(cairo_arc)
#define cairo_close_path               LP_CAIRO_CALL(cairo_close_path)
#define cairo_create                   LP_CAIRO_CALL(cairo_create)
#define cairo_destroy                  LP_CAIRO_CALL(cairo_destroy)
#define cairo_fill                     LP_CAIRO_CALL(cairo_fill)
#define cairo_fill_preserve            LP_CAIRO_CALL(cairo_fill_preserve)
#define cairo_image_surface_create     LP_CAIRO_CALL(cairo_image_surface_create)
#define cairo_image_surface_get_data   LP_CAIRO_CALL(cairo_image_surface_get_data)
#define cairo_image_surface_get_stride LP_CAIRO_CALL(cairo_image_surface_get_stride)
#define cairo_line_to                  LP_CAIRO_CALL(cairo_line_to)
#define cairo_move_to                  LP_CAIRO_CALL(cairo_move_to)
#define cairo_new_path                 LP_CAIRO_CALL(cairo_new_path)
#define cairo_restore                  LP_CAIRO_CALL(cairo_restore)
#define cairo_rotate                   LP_CAIRO_CALL(cairo_rotate)
#define cairo_save                     LP_CAIRO_CALL(cairo_save)
#define cairo_select_font_face         LP_CAIRO_CALL(cairo_select_font_face)
#define cairo_set_dash                 LP_CAIRO_CALL(cairo_set_dash)
#define cairo_set_font_size            LP_CAIRO_CALL(cairo_set_font_size)
#define cairo_set_line_join            LP_CAIRO_CALL(cairo_set_line_join)
#define cairo_set_line_width           LP_CAIRO_CALL(cairo_set_line_width)
#define cairo_set_source_rgba          LP_CAIRO_CALL(cairo_set_source_rgba)
#define cairo_show_text                LP_CAIRO_CALL(cairo_show_text)
#define cairo_status                   LP_CAIRO_CALL(cairo_status)
#define cairo_status_to_string         LP_CAIRO_CALL(cairo_status_to_string)
#define cairo_stroke                   LP_CAIRO_CALL(cairo_stroke)
#define cairo_surface_destroy          LP_CAIRO_CALL(cairo_surface_destroy)
#define cairo_surface_flush            LP_CAIRO_CALL(cairo_surface_flush)
#define cairo_text_extents             LP_CAIRO_CALL(cairo_text_extents)
#define cairo_translate                LP_CAIRO_CALL(cairo_translate)
#endif

#endif
