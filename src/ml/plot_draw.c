/*
 * plot_draw.c — the layout of a plot (margins from measured labels, axis
 * ranges, nice ticks, grid, series, legend, colour bar) drawn on a canvas
 * that the SVG and the PNG back-ends implement alike.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ml/plot.h"

#define FONT       12.0
#define TITLE_FONT 15.0
#define GRID       0xE3E3E3
#define INK        0x222222
#define MUTED      0x555555
#define MAX_TICKS  16

typedef struct frame {
    double left, top, w, h;        /* the plotting area in pixels */
    double xmin, xmax, ymin, ymax; /* data ranges (categorical axes: -0.5 .. n - 0.5) */
    const lp_plot *p;
} frame;

static double px(const frame *f, double x)
{
    return f->left + (x - f->xmin) / (f->xmax - f->xmin) * f->w;
}

static double py(const frame *f, double y)
{
    if (f->p->ycats) /* categories top down */
        return f->top + (y - f->ymin) / (f->ymax - f->ymin) * f->h;
    return f->top + f->h - (y - f->ymin) / (f->ymax - f->ymin) * f->h;
}

static void grow(double *lo, double *hi, double v)
{
    if (!isfinite(v)) return;
    if (v < *lo) *lo = v;
    if (v > *hi) *hi = v;
}

/* Data ranges over every series, padded a little unless fixed by the plot. */
static void ranges(frame *f)
{
    const lp_plot *p = f->p;
    double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
    bool bars = false;
    for (size_t i = 0; i < p->n_series; i++) {
        const lp_plot_series *s = p->series[i];
        if (s->kind == LP_PLOT_HEATMAP || s->kind == LP_PLOT_DIAGONAL) continue;
        bars |= s->kind == LP_PLOT_BARH;
        for (size_t k = 0; k < s->n; k++) {
            grow(&x0, &x1, s->x[k]);
            grow(&y0, &y1, s->y[k]);
            if (s->y2) grow(&y0, &y1, s->y2[k]);
        }
    }
    if (bars) grow(&x0, &x1, 0), x1 += (x1 - x0) * 0.12; /* room for the value labels */
    if (!isfinite(x0)) x0 = 0, x1 = 1;
    if (!isfinite(y0)) y0 = 0, y1 = 1;
    if (x1 == x0) x0 -= 0.5, x1 += 0.5;
    if (y1 == y0) y0 -= 0.5, y1 += 0.5;
    double dx = (x1 - x0) * 0.04, dy = (y1 - y0) * 0.05;
    f->xmin = isfinite(p->xmin) ? p->xmin : (bars && x0 >= 0 ? 0 : x0 - dx);
    f->xmax = isfinite(p->xmax) ? p->xmax : x1 + dx;
    f->ymin = isfinite(p->ymin) ? p->ymin : y0 - dy;
    f->ymax = isfinite(p->ymax) ? p->ymax : y1 + dy;
    if (p->ycats) f->ymin = -0.5, f->ymax = (double)p->n_ycats - 0.5;
    if (p->xcats) f->xmin = -0.5, f->xmax = (double)p->n_xcats - 0.5;
}

static void rect(lp_plot_canvas *c, double x, double y, double w, double h, uint32_t fill,
                 double alpha, uint32_t stroke, double width)
{
    double xs[4] = {x, x + w, x + w, x}, ys[4] = {y, y, y + h, y + h};
    c->path(c, xs, ys, 4, true, fill, alpha, stroke, width, 1, false);
}

static void hline(lp_plot_canvas *c, double x0, double x1, double y, uint32_t col, double w)
{
    double xs[2] = {x0, x1}, ys[2] = {y, y};
    c->path(c, xs, ys, 2, false, 0, 0, col, w, 1, false);
}

static void vline(lp_plot_canvas *c, double x, double y0, double y1, uint32_t col, double w)
{
    double xs[2] = {x, x}, ys[2] = {y0, y1};
    c->path(c, xs, ys, 2, false, 0, 0, col, w, 1, false);
}

/* Category labels longer than this many pixels are shortened with an ellipsis. */
#define CAT_MAX 170.0

static void fit_label(char *buf, size_t size, const char *s, double max)
{
    snprintf(buf, size, "%s", s);
    size_t n = strlen(buf);
    while (n > 1 && lp_plot_text_width(buf, FONT, false) > max) {
        n--;
        while (n > 1 && ((unsigned char)buf[n] & 0xC0) == 0x80)
            n--; /* cut at a character's start */
        snprintf(buf + n, size - n, "…");
    }
}

static double y_label_width(const frame *f, double *ticks, size_t nt, double step)
{
    const lp_plot *p = f->p;
    double w = 0;
    char buf[256];
    if (p->ycats) {
        for (size_t i = 0; i < p->n_ycats; i++) {
            fit_label(buf, sizeof buf, p->ycats[i], CAT_MAX);
            double t = lp_plot_text_width(buf, FONT, false);
            if (t > w) w = t;
        }
        return w;
    }
    for (size_t i = 0; i < nt; i++) {
        lp_plot_format(buf, sizeof buf, ticks[i], step);
        double t = lp_plot_text_width(buf, FONT, false);
        if (t > w) w = t;
    }
    return w;
}

static void draw_y_axis(lp_plot_canvas *c, const frame *f, const double *ticks, size_t nt,
                        double step)
{
    const lp_plot *p = f->p;
    char buf[256];
    if (p->ycats) {
        /* Every label when they fit, else every k-th. */
        double per = f->h / (double)p->n_ycats;
        size_t every = per >= FONT + 2 ? 1 : (size_t)ceil((FONT + 2) / per);
        for (size_t i = 0; i < p->n_ycats; i += every) {
            fit_label(buf, sizeof buf, p->ycats[i], CAT_MAX);
            c->text(c, f->left - 6, py(f, (double)i) + FONT * 0.35, buf, FONT, false, INK,
                    LP_ANCHOR_END, false);
        }
        return;
    }
    for (size_t i = 0; i < nt; i++) {
        double y = py(f, ticks[i]);
        if (y < f->top - 0.5 || y > f->top + f->h + 0.5) continue;
        hline(c, f->left, f->left + f->w, y, GRID, 1);
        lp_plot_format(buf, sizeof buf, ticks[i], step);
        c->text(c, f->left - 6, y + FONT * 0.35, buf, FONT, false, INK, LP_ANCHOR_END, false);
    }
}

static bool leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* The fractional year at which month m (0-based) of year y starts. */
static double month_start(int y, int m)
{
    static const int before[12] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
    double day = before[m] + (m >= 2 && leap(y) ? 1 : 0);
    return y + day / (leap(y) ? 366 : 365);
}

/* A time axis in fractional years: ticks on whole years over three years and more, else on
 * the first of every 1, 2, 3 or 6 months (labels YYYY-MM). False when the span is too short
 * for month ticks (the numeric axis is drawn instead). */
static bool draw_time_axis(lp_plot_canvas *c, const frame *f, double base)
{
    double span = f->xmax - f->xmin;
    char buf[32];
    if (span >= 3) {
        double step = ceil(span / 8);
        for (double y = ceil(f->xmin / step) * step; y <= f->xmax; y += step) {
            vline(c, px(f, y), f->top, f->top + f->h, GRID, 1);
            snprintf(buf, sizeof buf, "%.0f", y);
            c->text(c, px(f, y), base, buf, FONT, false, INK, LP_ANCHOR_MIDDLE, false);
        }
        return true;
    }
    static const int steps[] = {1, 2, 3, 6, 12};
    int step = 12;
    for (size_t i = 0; i < 5; i++)
        if (span * 12 / steps[i] <= 7) {
            step = steps[i];
            break;
        }
    int drawn = 0;
    long first = (long)floor(f->xmin) * 12, last = (long)ceil(f->xmax) * 12;
    for (long m = first; m <= last; m++) {
        int y = (int)(m / 12), mo = (int)(m % 12);
        double x = month_start(y, mo);
        if (mo % step || x < f->xmin || x > f->xmax) continue;
        vline(c, px(f, x), f->top, f->top + f->h, GRID, 1);
        snprintf(buf, sizeof buf, "%04d-%02d", y, mo + 1);
        c->text(c, px(f, x), base, buf, FONT, false, INK, LP_ANCHOR_MIDDLE, false);
        drawn++;
    }
    return drawn >= 2;
}

static void draw_x_axis(lp_plot_canvas *c, const frame *f, const double *ticks, size_t nt,
                        double step)
{
    const lp_plot *p = f->p;
    char buf[256];
    double base = f->top + f->h + FONT + 6;
    if (p->xcats) {
        double per = f->w / (double)p->n_xcats;
        for (size_t i = 0; i < p->n_xcats; i++) {
            fit_label(buf, sizeof buf, p->xcats[i], per - 4);
            c->text(c, px(f, (double)i), base, buf, FONT, false, INK, LP_ANCHOR_MIDDLE, false);
        }
        return;
    }
    if (p->x_years && draw_time_axis(c, f, base)) return;
    /* Skip every other label while neighbours would touch. */
    double widest = 0;
    for (size_t i = 0; i < nt; i++) {
        lp_plot_format(buf, sizeof buf, ticks[i], step);
        double t = lp_plot_text_width(buf, FONT, false);
        if (t > widest) widest = t;
    }
    size_t every = 1;
    double spacing = nt > 1 ? fabs(px(f, ticks[1]) - px(f, ticks[0])) : f->w;
    while (spacing * (double)every < widest + 10 && every < nt)
        every++;
    for (size_t i = 0; i < nt; i++) {
        double x = px(f, ticks[i]);
        if (x < f->left - 0.5 || x > f->left + f->w + 0.5) continue;
        vline(c, x, f->top, f->top + f->h, GRID, 1);
        if (i % every) continue;
        lp_plot_format(buf, sizeof buf, ticks[i], step);
        c->text(c, x, base, buf, FONT, false, INK, LP_ANCHOR_MIDDLE, false);
    }
}

static uint32_t mix(uint32_t a, uint32_t b, double t)
{
    uint32_t out = 0;
    for (int sh = 16; sh >= 0; sh -= 8) {
        double ca = (a >> sh) & 0xFF, cb = (b >> sh) & 0xFF;
        out |= (uint32_t)lround(ca + (cb - ca) * t) << sh;
    }
    return out;
}

/* The shade scale of scatter points: blue (low) through purple to red (high). */
static uint32_t shade_color(double t)
{
    if (!isfinite(t)) return 0x9A9A9A;
    if (t < 0) t = 0;
    if (t > 1) t = 1;
    return t < 0.5 ? mix(0x1E88E5, 0x9C27B0, t * 2) : mix(0x9C27B0, 0xFF0052, t * 2 - 1);
}

/* Heatmap cells: white to the palette's blue. */
static uint32_t heat_color(double t)
{
    return mix(0xF7FBFF, 0x08306B, t < 0 ? 0 : t > 1 ? 1 : t);
}

static void draw_heatmap(lp_plot_canvas *c, const frame *f, const lp_plot_series *s)
{
    const lp_plot *p = f->p;
    size_t rows = p->n_ycats, cols = p->n_xcats;
    if (!rows || !cols || s->n < rows * cols) return;
    double lo = INFINITY, hi = -INFINITY;
    bool integral = true;
    for (size_t k = 0; k < rows * cols; k++) {
        grow(&lo, &hi, s->y[k]);
        integral &= !isfinite(s->y[k]) || s->y[k] == floor(s->y[k]);
    }
    double cw = f->w / (double)cols, ch = f->h / (double)rows;
    double size = fmin(FONT + 2, fmin(ch * 0.45, cw * 0.3));
    char buf[64];
    for (size_t r = 0; r < rows; r++)
        for (size_t k = 0; k < cols; k++) {
            double v = s->y[r * cols + k], t = hi > lo ? (v - lo) / (hi - lo) : 0.5;
            double x = f->left + (double)k * cw, y = f->top + (double)r * ch;
            rect(c, x, y, cw, ch, isfinite(v) ? heat_color(t) : 0xFFFFFF, 1, 0xFFFFFF, 1);
            if (integral)
                snprintf(buf, sizeof buf, "%.0f", v);
            else
                snprintf(buf, sizeof buf, "%.2f", v);
            c->text(c, x + cw / 2, y + ch / 2 + size * 0.35, buf, size, true,
                    t > 0.5 ? 0xFFFFFF : INK, LP_ANCHOR_MIDDLE, false);
        }
}

static void draw_series(lp_plot_canvas *c, const frame *f, const lp_plot_series *s, double *xs,
                        double *ys)
{
    uint32_t col = lp_plot_palette(s->color);
    size_t n = 0;
    switch (s->kind) {
    case LP_PLOT_LINE:
    case LP_PLOT_STEP:
        for (size_t k = 0; k < s->n; k++) {
            if (!isfinite(s->x[k]) || !isfinite(s->y[k])) continue;
            if (s->kind == LP_PLOT_STEP && n > 0) { /* post: hold y until the next x */
                xs[n] = px(f, s->x[k]);
                ys[n] = ys[n - 1];
                n++;
            }
            xs[n] = px(f, s->x[k]);
            ys[n] = py(f, s->y[k]);
            n++;
        }
        c->path(c, xs, ys, n, false, 0, 0, col, s->width, s->alpha, s->dashed);
        break;
    case LP_PLOT_BAND:
        for (size_t k = 0; k < s->n; k++)
            if (isfinite(s->x[k]) && isfinite(s->y[k]) && isfinite(s->y2[k])) {
                xs[n] = px(f, s->x[k]);
                ys[n++] = py(f, s->y2[k]);
            }
        for (size_t k = s->n; k-- > 0;)
            if (isfinite(s->x[k]) && isfinite(s->y[k]) && isfinite(s->y2[k])) {
                xs[n] = px(f, s->x[k]);
                ys[n++] = py(f, s->y[k]);
            }
        c->path(c, xs, ys, n, true, col, s->alpha, 0, 0, 0, false);
        break;
    case LP_PLOT_SCATTER:
        for (size_t k = 0; k < s->n; k++)
            if (isfinite(s->x[k]) && isfinite(s->y[k]))
                c->circle(c, px(f, s->x[k]), py(f, s->y[k]), s->width,
                          s->shade ? shade_color(s->shade[k]) : col, s->alpha);
        break;
    case LP_PLOT_BARH: {
        double bh = fmin(f->h / (f->ymax - f->ymin) * 0.7, 26);
        char buf[32];
        for (size_t k = 0; k < s->n; k++) {
            if (!isfinite(s->x[k])) continue;
            double x0 = px(f, 0), x1 = px(f, s->x[k]);
            rect(c, fmin(x0, x1), py(f, s->y[k]) - bh / 2, fabs(x1 - x0), bh, col, s->alpha, 0, 0);
            snprintf(buf, sizeof buf, "%.3g", s->x[k]);
            c->text(c, fmax(x0, x1) + 4, py(f, s->y[k]) + FONT * 0.35, buf, FONT - 1, false, MUTED,
                    LP_ANCHOR_START, false);
        }
        break;
    }
    case LP_PLOT_HEATMAP:
        draw_heatmap(c, f, s);
        break;
    case LP_PLOT_DIAGONAL: {
        double lo = fmax(f->xmin, f->ymin), hi = fmin(f->xmax, f->ymax);
        if (hi <= lo) break;
        xs[0] = px(f, lo), ys[0] = py(f, lo), xs[1] = px(f, hi), ys[1] = py(f, hi);
        c->path(c, xs, ys, 2, false, 0, 0, 0x888888, 1.2, 1, true);
        break;
    }
    }
}

static void legend_swatch(lp_plot_canvas *c, const lp_plot_series *s, double x, double y)
{
    uint32_t col = s->kind == LP_PLOT_DIAGONAL ? 0x888888 : lp_plot_palette(s->color);
    if (s->kind == LP_PLOT_SCATTER)
        c->circle(c, x + 10, y, 4, col, fmax(s->alpha, 0.6));
    else if (s->kind == LP_PLOT_BAND || s->kind == LP_PLOT_BARH)
        rect(c, x + 2, y - 5, 16, 10, col, fmax(s->alpha, 0.3), 0, 0);
    else
        hline(c, x, x + 20, y, col, s->kind == LP_PLOT_DIAGONAL ? 1.2 : s->width);
    if (s->dashed || s->kind == LP_PLOT_DIAGONAL) {
        rect(c, x + 6, y - 2, 2.5, 4, 0xFFFFFF, 1, 0, 0); /* a gap: reads as dashed */
        rect(c, x + 13, y - 2, 2.5, 4, 0xFFFFFF, 1, 0, 0);
    }
}

static void draw_legend(lp_plot_canvas *c, const frame *f)
{
    const lp_plot *p = f->p;
    if (p->legend == LP_LEGEND_NONE) return;
    double w = 0;
    size_t n = 0;
    for (size_t i = 0; i < p->n_series; i++)
        if (p->series[i]->label) {
            double t = lp_plot_text_width(p->series[i]->label, FONT, false);
            if (t > w) w = t;
            n++;
        }
    if (!n) return;
    double bw = w + 40, bh = (double)n * (FONT + 6) + 8;
    double x = p->legend == LP_LEGEND_TOP_LEFT ? f->left + 8 : f->left + f->w - bw - 8;
    double y = p->legend == LP_LEGEND_BOTTOM_RIGHT ? f->top + f->h - bh - 8 : f->top + 8;
    rect(c, x, y, bw, bh, 0xFFFFFF, 0.9, 0xBBBBBB, 1);
    double row = y + 4 + (FONT + 6) / 2;
    for (size_t i = 0; i < p->n_series; i++) {
        const lp_plot_series *s = p->series[i];
        if (!s->label) continue;
        legend_swatch(c, s, x + 6, row);
        c->text(c, x + 32, row + FONT * 0.35, s->label, FONT, false, INK, LP_ANCHOR_START, false);
        row += FONT + 6;
    }
}

/* The colour bar of shaded scatter points, right of the plotting area. */
static void draw_shade_bar(lp_plot_canvas *c, const frame *f)
{
    double x = f->left + f->w + 16, y0 = f->top + 10, h = f->h - 20;
    for (int i = 0; i < 50; i++)
        rect(c, x, y0 + h * i / 50.0, 10, h / 50.0 + 0.5, shade_color(1 - i / 49.0), 1, 0, 0);
    c->text(c, x + 14, y0 + FONT * 0.7, "high", FONT - 1, false, MUTED, LP_ANCHOR_START, false);
    c->text(c, x + 14, y0 + h, "low", FONT - 1, false, MUTED, LP_ANCHOR_START, false);
    c->text(c, x + 24, f->top + f->h / 2, f->p->shade_label, FONT, false, INK, LP_ANCHOR_MIDDLE,
            true);
}

static bool has_shades(const lp_plot *p)
{
    for (size_t i = 0; i < p->n_series; i++)
        if (p->series[i]->shade) return p->shade_label != NULL;
    return false;
}

void lp_plot_draw(lp_plot_canvas *c, const lp_plot *p)
{
    frame f = {.p = p};
    ranges(&f);
    double xt[MAX_TICKS], yt[MAX_TICKS], xstep, ystep;
    size_t nx = lp_plot_ticks(xt, MAX_TICKS, f.xmin, f.xmax, &xstep);
    size_t ny = lp_plot_ticks(yt, MAX_TICKS, f.ymin, f.ymax, &ystep);
    double W = p->width, H = p->height;
    f.top = p->title ? TITLE_FONT + 22 : 14;
    f.left = 12 + y_label_width(&f, yt, ny, ystep) + 8 + (p->ylabel ? FONT + 10 : 0);
    double right = has_shades(p) ? 80 : 20;
    f.w = W - f.left - right;
    f.h = H - f.top - (FONT + 14) - (p->xlabel ? FONT + 12 : 0);
    if (f.w < 40) f.w = 40;
    if (f.h < 40) f.h = 40;

    rect(c, 0, 0, W, H, 0xFFFFFF, 1, 0, 0);
    if (p->title)
        c->text(c, f.left + f.w / 2, TITLE_FONT + 8, p->title, TITLE_FONT, true, INK,
                LP_ANCHOR_MIDDLE, false);
    draw_y_axis(c, &f, yt, ny, ystep);
    draw_x_axis(c, &f, xt, nx, xstep);
    size_t most = 0;
    for (size_t i = 0; i < p->n_series; i++)
        if (p->series[i]->n > most) most = p->series[i]->n;
    /* One scratch buffer for every series' pixel coordinates (steps: 2 per point). */
    double *xs = malloc((2 * most + 4) * sizeof *xs), *ys = malloc((2 * most + 4) * sizeof *ys);
    if (!xs || !ys) {
        c->rc = lp_error_set(LP_ENOMEM, "out of memory");
    } else {
        for (size_t i = 0; i < p->n_series; i++)
            draw_series(c, &f, p->series[i], xs, ys);
    }
    free(xs);
    free(ys);
    rect(c, f.left, f.top, f.w, f.h, 0, 0, 0x888888, 1);
    if (p->xlabel)
        c->text(c, f.left + f.w / 2, H - 10, p->xlabel, FONT, false, INK, LP_ANCHOR_MIDDLE, false);
    if (p->ylabel)
        c->text(c, 8 + FONT, f.top + f.h / 2, p->ylabel, FONT, false, INK, LP_ANCHOR_MIDDLE, true);
    if (has_shades(p)) draw_shade_bar(c, &f);
    draw_legend(c, &f);
}
