/*
 * plot_png.c — a plot as PNG bytes: plot_draw.c's canvas on a cairo image
 * surface (DejaVu Sans, the font the layout measures with), encoded as PNG
 * by libpng (png_encode.c).
 */
#include <math.h>

#include "ml/cairo_api.h"
#include "ml/plot.h"

static void set_color(cairo_t *cr, uint32_t c, double alpha)
{
    cairo_set_source_rgba(cr, ((c >> 16) & 0xFF) / 255.0, ((c >> 8) & 0xFF) / 255.0,
                          (c & 0xFF) / 255.0, alpha);
}

static void png_path(lp_plot_canvas *c, const double *xs, const double *ys, size_t n, bool closed,
                     uint32_t fill, double fill_alpha, uint32_t stroke, double width,
                     double stroke_alpha, bool dashed)
{
    cairo_t *cr = c->ctx;
    if (n < 2) return;
    cairo_new_path(cr);
    cairo_move_to(cr, xs[0], ys[0]);
    for (size_t i = 1; i < n; i++)
        cairo_line_to(cr, xs[i], ys[i]);
    if (closed) cairo_close_path(cr);
    if (fill_alpha > 0) {
        set_color(cr, fill, fill_alpha);
        cairo_fill_preserve(cr);
    }
    if (width > 0) {
        static const double dash[] = {6, 4};
        set_color(cr, stroke, stroke_alpha);
        cairo_set_line_width(cr, width);
        cairo_set_dash(cr, dash, dashed ? 2 : 0, 0);
        cairo_stroke(cr);
    }
    cairo_new_path(cr);
}

static void png_circle(lp_plot_canvas *c, double x, double y, double r, uint32_t fill, double alpha)
{
    cairo_t *cr = c->ctx;
    cairo_new_path(cr);
    cairo_arc(cr, x, y, r, 0, 2 * M_PI);
    set_color(cr, fill, alpha);
    cairo_fill(cr);
}

static void png_text(lp_plot_canvas *c, double x, double y, const char *s, double size, bool bold,
                     uint32_t color, lp_plot_anchor anchor, bool vertical)
{
    cairo_t *cr = c->ctx;
    cairo_save(cr);
    cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
    cairo_text_extents_t e;
    cairo_text_extents(cr, s, &e);
    double shift = anchor == LP_ANCHOR_START    ? 0
                   : anchor == LP_ANCHOR_MIDDLE ? e.x_advance / 2
                                                : e.x_advance;
    cairo_translate(cr, x, y);
    if (vertical) cairo_rotate(cr, -M_PI / 2);
    cairo_move_to(cr, -shift, 0);
    set_color(cr, color, 1);
    cairo_show_text(cr, s);
    cairo_restore(cr);
}

/* Owns nothing: *out is a new buffer of *len bytes the caller frees. */
int lp_plot_png(uint8_t **out, size_t *len, const lp_plot *p)
{
    int rc = lp_cairo_require();
    if (rc) return rc;
    cairo_surface_t *surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, p->width, p->height);
    cairo_t *cr = cairo_create(surface);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    lp_plot_canvas c = {.ctx = cr, .path = png_path, .circle = png_circle, .text = png_text};
    lp_plot_draw(&c, p);
    cairo_surface_flush(surface);
    cairo_status_t st = cairo_status(cr);
    cairo_destroy(cr);
    if (c.rc == 0 && st == CAIRO_STATUS_SUCCESS)
        rc = lp_png_encode_rgb24(out, len, cairo_image_surface_get_data(surface),
                                 cairo_image_surface_get_stride(surface), p->width, p->height);
    cairo_surface_destroy(surface);
    if (c.rc) return c.rc;
    if (st != CAIRO_STATUS_SUCCESS)
        return lp_error_set(LP_ERROR, "drawing a PNG plot: %s", cairo_status_to_string(st));
    return rc;
}
