/*
 * plot_png.c — a plot as PNG bytes: plot_draw.c's canvas on a cairo image
 * surface (DejaVu Sans, the font the layout measures with), encoded as PNG
 * here with zlib (encode_png).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ml/cairo_api.h"
#include "ml/plot.h"
#include "ml/zlib_api.h"

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

/* PNG's big-endian 32-bit field. */
static uint8_t *put32(uint8_t *o, uint32_t v)
{
    o[0] = (uint8_t)(v >> 24);
    o[1] = (uint8_t)(v >> 16);
    o[2] = (uint8_t)(v >> 8);
    o[3] = (uint8_t)v;
    return o + 4;
}

/* Frames the chunk whose type and data the caller wrote at o + 4 (len data bytes):
 * its length before, its CRC after. Returns the end of the chunk. */
static uint8_t *close_chunk(uint8_t *o, uint32_t len)
{
    put32(o, len);
    uLong crc = crc32(0L, o + 4, (uInt)len + 4);
    return put32(o + 8 + len, (uint32_t)crc);
}

/* The scanlines of an RGB24 surface as PNG wants them: each row a filter byte
 * (2, Up) and R, G, B per pixel minus the pixel above. Of the filters tried on the
 * quickstart's plots with deflate at level 1 (none, Sub, Up; run-length or default
 * strategy), Up packed smallest for the same time. New buffer of *len bytes or NULL. */
static uint8_t *up_filtered_rows(const uint8_t *pixels, int stride, int w, int h, size_t *len)
{
    size_t row = 1 + 3 * (size_t)w;
    uint8_t *raw = malloc(row * (size_t)h);
    if (!raw) return NULL;
    static const uint32_t blank = 0;
    for (int y = 0; y < h; y++) {
        /* xRGB in native-endian words (CAIRO_FORMAT_RGB24); row -1 is all zeros */
        const uint32_t *px = (const uint32_t *)(const void *)(pixels + (size_t)y * (size_t)stride);
        const uint32_t *up =
            y ? (const uint32_t *)(const void *)(pixels + (size_t)(y - 1) * (size_t)stride) : NULL;
        uint8_t *o = raw + (size_t)y * row;
        *o++ = 2;
        for (int x = 0; x < w; x++) {
            uint32_t v = px[x], a = up ? up[x] : blank;
            *o++ = (uint8_t)((v >> 16) - (a >> 16));
            *o++ = (uint8_t)((v >> 8) - (a >> 8));
            *o++ = (uint8_t)(v - a);
        }
    }
    *len = row * (size_t)h;
    return raw;
}

/* The surface's pixels as a PNG file (8-bit RGB, one IDAT chunk). cairo's own
 * writer (libpng: every row tried with all five filters, deflate at level 6) took
 * ~190 M instructions for a 720x480 plot; one filter and deflate at level 1 give
 * the same pixels for a fraction of that, in files ~20% larger. 0, or LP_E* with
 * the last error set; *out is a new buffer of *len bytes. */
static int encode_png(uint8_t **out, size_t *len, cairo_surface_t *surface, int w, int h)
{
    int rc = lp_zlib_require();
    if (rc) return rc;
    size_t raw_len = 0;
    uint8_t *raw = up_filtered_rows(cairo_image_surface_get_data(surface),
                                    cairo_image_surface_get_stride(surface), w, h, &raw_len);
    if (!raw) return lp_error_set(LP_ENOMEM, "out of memory");
    z_stream z;
    memset(&z, 0, sizeof z);
    if (deflateInit2_(&z, Z_BEST_SPEED, Z_DEFLATED, 15, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION,
                      (int)sizeof z) != Z_OK) {
        free(raw);
        return lp_error_set(LP_ERROR, "writing a PNG plot: deflateInit failed");
    }
    uLong bound = deflateBound(&z, (uLong)raw_len);
    static const uint8_t signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    size_t cap = sizeof signature + (12 + 13) + (12 + (size_t)bound) + 12;
    uint8_t *buf = bound < 0x7FFFFFFFu ? malloc(cap) : NULL;
    if (!buf) {
        deflateEnd(&z);
        free(raw);
        return lp_error_set(LP_ENOMEM, "out of memory");
    }
    memcpy(buf, signature, sizeof signature);
    uint8_t *o = buf + sizeof signature, *ihdr = o + 8;
    memcpy(o + 4, "IHDR", 4);
    ihdr = put32(put32(ihdr, (uint32_t)w), (uint32_t)h);
    memcpy(ihdr, (const uint8_t[]){8, 2, 0, 0, 0}, 5); /* 8 bits, RGB, deflate, no interlace */
    o = close_chunk(o, 13);
    memcpy(o + 4, "IDAT", 4);
    z.next_in = raw;
    z.avail_in = (uInt)raw_len;
    z.next_out = o + 8;
    z.avail_out = (uInt)bound;
    int zs = deflate(&z, Z_FINISH);
    uLong packed = z.total_out;
    deflateEnd(&z);
    free(raw);
    if (zs != Z_STREAM_END) {
        free(buf);
        return lp_error_set(LP_ERROR, "writing a PNG plot: deflate failed (%d)", zs);
    }
    o = close_chunk(o, (uint32_t)packed);
    memcpy(o + 4, "IEND", 4);
    o = close_chunk(o, 0);
    *out = buf;
    *len = (size_t)(o - buf);
    return 0;
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
        rc = encode_png(out, len, surface, p->width, p->height);
    cairo_surface_destroy(surface);
    if (c.rc) return c.rc;
    if (st != CAIRO_STATUS_SUCCESS)
        return lp_error_set(LP_ERROR, "drawing a PNG plot: %s", cairo_status_to_string(st));
    return rc;
}
