/*
 * png_encode.c — an RGB24 image (cairo's pixel layout) as PNG bytes in memory,
 * written by libpng with one filter (Up) and deflate at level 1.
 *
 * cairo's own writer lets libpng try all five filters on every row with deflate
 * at level 6: ~190 M instructions for a 720x480 plot. Of the filters tried on the
 * quickstart's plots at level 1 (none, Sub, Up), Up packed smallest for the same
 * time; the files are ~20% larger than cairo's, the pixels the same.
 */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ml/libpng_api.h"
#include "ml/plot.h"

/* What libpng's callbacks reach through their user pointers. */
typedef struct png_sink {
    jmp_buf fail;      /* png_fail jumps here: libpng's errors must not return */
    char message[200]; /* libpng's reason, for the last error */
    int rc;            /* LP_ENOMEM when the output could not grow, else LP_ERROR */
    uint8_t *buf;
    size_t len, cap;
} png_sink;

static void png_fail(png_structp png, png_const_charp message)
{
    png_sink *s = png_get_error_ptr(png);
    snprintf(s->message, sizeof s->message, "%s", message ? message : "unknown error");
    longjmp(s->fail, 1);
}

/* Warnings (none expected when writing 8-bit RGB) do not stop the file. */
static void png_warn(png_structp png, png_const_charp message)
{
    (void)png;
    (void)message;
}

static void png_put(png_structp png, png_bytep data, size_t n)
{
    png_sink *s = png_get_io_ptr(png);
    if (n > s->cap - s->len) {
        size_t cap = s->cap ? s->cap : 64 * 1024;
        while (n > cap - s->len)
            cap *= 2;
        uint8_t *b = realloc(s->buf, cap);
        if (!b) {
            s->rc = LP_ENOMEM;
            png_error(png, "out of memory");
        }
        s->buf = b;
        s->cap = cap;
    }
    memcpy(s->buf + s->len, data, n);
    s->len += n;
}

static void png_flush(png_structp png)
{
    (void)png;
}

/* One row of native-endian xRGB words (CAIRO_FORMAT_RGB24) as R, G, B bytes: libpng's
 * bgr/filler transforms would describe the bytes of a little-endian machine only. */
static void rgb_row(uint8_t *o, const uint32_t *px, int w)
{
    for (int x = 0; x < w; x++) {
        uint32_t v = px[x];
        *o++ = (uint8_t)(v >> 16);
        *o++ = (uint8_t)(v >> 8);
        *o++ = (uint8_t)v;
    }
}

/* Reads xrgb (w x h, rows `stride` bytes apart); *out is a new buffer of *len bytes
 * the caller frees. 0, or LP_ENOTFOUND / LP_ENOMEM / LP_ERROR with the last error set. */
int lp_png_encode_rgb24(uint8_t **out, size_t *len, const uint8_t *xrgb, int stride, int w, int h)
{
    int rc = lp_libpng_require();
    if (rc) return rc;
    if (w <= 0 || h <= 0 || stride < 4 * w)
        return lp_error_set(LP_EINVAL, "writing a PNG: bad image size %dx%d (stride %d)", w, h,
                            stride);
    uint8_t *row = malloc(3 * (size_t)w);
    if (!row) return lp_error_set(LP_ENOMEM, "out of memory");
    /* volatile: read after longjmp, and png_put may change them between setjmp and the jump */
    png_sink *volatile sink = calloc(1, sizeof *sink);
    png_structp volatile png = NULL;
    png_infop volatile info = NULL;
    if (!sink) {
        free(row);
        return lp_error_set(LP_ENOMEM, "out of memory");
    }
    sink->rc = LP_ERROR;
    png = png_create_write_struct(PNG_LIBPNG_VER_STRING, sink, png_fail, png_warn);
    if (png) info = png_create_info_struct(png);
    if (!png || !info) {
        rc = lp_error_set(LP_ENOMEM, "writing a PNG: libpng %s could not start",
                          PNG_LIBPNG_VER_STRING);
    } else if (setjmp(sink->fail)) {
        rc = lp_error_set(sink->rc, "writing a PNG (%dx%d) with libpng: %s", w, h, sink->message);
    } else {
        png_set_write_fn(png, sink, png_put, png_flush);
        png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, 8, PNG_COLOR_TYPE_RGB,
                     PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
        png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_FILTER_UP);
        png_set_compression_level(png, 1);
        png_write_info(png, info);
        for (int y = 0; y < h; y++) {
            rgb_row(row, (const uint32_t *)(const void *)(xrgb + (size_t)y * (size_t)stride), w);
            png_write_row(png, row);
        }
        png_write_end(png, info);
        rc = 0;
    }
    png_structp p = png;
    png_infop i = info;
    png_destroy_write_struct(&p, &i);
    free(row);
    if (rc == 0) {
        *out = sink->buf;
        *len = sink->len;
    } else {
        free(sink->buf);
    }
    free(sink);
    return rc;
}
