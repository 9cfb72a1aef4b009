/*
 * plot.h — one plot description (title, axes, series) rendered to SVG text or
 * to a PNG image (through cairo, loaded on first use). Both renderings come
 * from one layout (plot_draw.c) measured with DejaVu Sans' advance widths, so
 * the SVG and the PNG show the same picture and the same input gives the same
 * bytes.
 *
 * Series kinds: line, step (post), scatter (with alpha and an optional value
 * in [0, 1] per point coloured on a blue-to-red scale), band (filled interval
 * between y and y2), horizontal bars (one per category of the y axis),
 * heatmap (rows x cols cells annotated with their values) and the diagonal
 * reference line y = x. Colours come from the Okabe–Ito palette (safe for the
 * common colour-vision deficiencies).
 */
#ifndef LP_ML_PLOT_H
#define LP_ML_PLOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/internal.h"

typedef enum lp_plot_kind {
    LP_PLOT_LINE,
    LP_PLOT_STEP,
    LP_PLOT_SCATTER,
    LP_PLOT_BAND,
    LP_PLOT_BARH,
    LP_PLOT_HEATMAP,
    LP_PLOT_DIAGONAL,
} lp_plot_kind;

/* One series. Arrays are owned by the plot once added. For LP_PLOT_BARH, y[i]
 * is the category index (0 = top) and x[i] the bar's length. For
 * LP_PLOT_HEATMAP, y holds rows x cols values row-major (x unused; the axes'
 * categories name rows and columns). */
typedef struct lp_plot_series {
    lp_plot_kind kind;
    char *label;   /* legend text; NULL: not in the legend */
    size_t n;      /* points (heatmap: cells) */
    double *x, *y; /* n each */
    double *y2;    /* band: the upper edge */
    double *shade; /* scatter: NULL, or a value in [0, 1] per point (NaN: grey) */
    int color;     /* palette index */
    double alpha;  /* 0..1 */
    double width;  /* line width or marker radius, in pixels */
    bool dashed;
} lp_plot_series;

typedef enum lp_plot_legend {
    LP_LEGEND_BOTTOM_RIGHT,
    LP_LEGEND_TOP_RIGHT,
    LP_LEGEND_TOP_LEFT,
    LP_LEGEND_NONE,
} lp_plot_legend;

typedef struct lp_plot {
    char *title, *xlabel, *ylabel;
    int width, height;             /* pixels */
    double xmin, xmax, ymin, ymax; /* NaN: from the data */
    char **ycats; /* categorical y axis (bars, heatmap rows), top first; NULL: numeric */
    size_t n_ycats;
    char **xcats; /* categorical x axis (heatmap columns); NULL: numeric */
    size_t n_xcats;
    char *shade_label; /* scatter shades: the colour bar's caption ("feature value") */
    bool x_years;      /* x is time in fractional years: ticks on years, or months (YYYY-MM) */
    lp_plot_legend legend;
    lp_plot_series **series; /* each allocated alone: pointers stay valid as series are added */
    size_t n_series;
} lp_plot;

/* A new empty plot of width x height pixels with the title and axis labels
 * (copied; NULL for none). NULL with LP_ENOMEM set. Free with lp_plot_free. */
lp_plot *lp_plot_new(const char *title, const char *xlabel, const char *ylabel, int width,
                     int height);
void lp_plot_free(lp_plot *p);

/* Adds a series of n points: x, y (and y2 for a band) are copied; label may
 * be NULL. Returns the series (borrowed from p and valid as long as p, to set
 * colour, alpha, width, dashed or shade) or NULL with LP_ENOMEM set. */
lp_plot_series *lp_plot_add(lp_plot *p, lp_plot_kind kind, const char *label, size_t n,
                            const double *x, const double *y, const double *y2);

/* Sets the categories of the y (or x) axis, copied. 0 or LP_ENOMEM. */
int lp_plot_set_ycats(lp_plot *p, const char *const *names, size_t n);
int lp_plot_set_xcats(lp_plot *p, const char *const *names, size_t n);

/* The plot as SVG text: *out a new string (caller frees). 0 or LP_ENOMEM. */
int lp_plot_svg(char **out, const lp_plot *p);

/* The plot as a PNG file's bytes: *out new (caller frees), *len its size.
 * 0, LP_ENOTFOUND when libcairo cannot be loaded, or LP_ERROR. */
int lp_plot_png(uint8_t **out, size_t *len, const lp_plot *p);

/* ---- inside the renderer (plot_*.c) ------------------------------------------------ */

/* Nice ticks covering [lo, hi]: at most max ticks written to ticks[], their
 * count returned; *step the spacing. */
size_t lp_plot_ticks(double *ticks, size_t max, double lo, double hi, double *step);

/* A tick label: the shortest of %g-style forms that shows `step`'s precision. */
void lp_plot_format(char *buf, size_t size, double v, double step);

/* Width in pixels of UTF-8 text in DejaVu Sans at `size` (bold or not). */
double lp_plot_text_width(const char *s, double size, bool bold);

/* A colour of the palette (index wraps) as 0xRRGGBB. */
uint32_t lp_plot_palette(int i);

/* What plot_draw.c draws with: the SVG and the cairo back-ends fill one. */
typedef enum lp_plot_anchor { LP_ANCHOR_START, LP_ANCHOR_MIDDLE, LP_ANCHOR_END } lp_plot_anchor;

typedef struct lp_plot_canvas {
    void *ctx;
    int rc; /* first failure, 0 while drawing goes well */
    /* An open or closed path of n points; fill or stroke (width 0: no stroke). */
    void (*path)(struct lp_plot_canvas *c, const double *xs, const double *ys, size_t n,
                 bool closed, uint32_t fill, double fill_alpha, uint32_t stroke, double width,
                 double stroke_alpha, bool dashed);
    void (*circle)(struct lp_plot_canvas *c, double x, double y, double r, uint32_t fill,
                   double alpha);
    /* Text with its baseline at y; rotated -90° (reading upwards) when vertical. */
    void (*text)(struct lp_plot_canvas *c, double x, double y, const char *s, double size,
                 bool bold, uint32_t color, lp_plot_anchor anchor, bool vertical);
} lp_plot_canvas;

/* Draws p on the canvas (plot_draw.c). */
void lp_plot_draw(lp_plot_canvas *c, const lp_plot *p);

/* A w x h image of native-endian xRGB words (cairo's RGB24; rows `stride` bytes
 * apart, the x byte ignored) as an 8-bit RGB PNG file written by libpng, loaded on
 * first use (png_encode.c). Reads xrgb; *out is a new buffer of *len bytes the
 * caller frees. 0, or LP_ENOTFOUND (no libpng), LP_EINVAL, LP_ENOMEM or LP_ERROR
 * with the last error set. */
int lp_png_encode_rgb24(uint8_t **out, size_t *len, const uint8_t *xrgb, int stride, int w, int h);

#endif
