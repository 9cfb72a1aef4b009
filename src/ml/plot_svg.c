/*
 * plot_svg.c — a plot as SVG text written directly (no library): the canvas
 * of plot_draw.c appends elements; numbers are printed with two decimals so
 * the same plot gives the same bytes.
 */
#include <stdlib.h>

#include "lolpop/strbuf.h"
#include "ml/plot.h"

static void put_color(lp_sb *sb, uint32_t c)
{
    lp_sb_appendf(sb, "#%06X", (unsigned)c);
}

static void svg_path(lp_plot_canvas *c, const double *xs, const double *ys, size_t n, bool closed,
                     uint32_t fill, double fill_alpha, uint32_t stroke, double width,
                     double stroke_alpha, bool dashed)
{
    lp_sb *sb = c->ctx;
    if (n < 2) return;
    lp_sb_append(sb, "<path d=\"");
    for (size_t i = 0; i < n; i++)
        lp_sb_appendf(sb, "%s%.2f %.2f", i ? " L" : "M", xs[i], ys[i]);
    lp_sb_append(sb, closed ? " Z\" fill=\"" : "\" fill=\"");
    if (fill_alpha > 0) {
        put_color(sb, fill);
        if (fill_alpha < 1) lp_sb_appendf(sb, "\" fill-opacity=\"%.3f", fill_alpha);
    } else {
        lp_sb_append(sb, "none");
    }
    if (width > 0) {
        lp_sb_append(sb, "\" stroke=\"");
        put_color(sb, stroke);
        lp_sb_appendf(sb, "\" stroke-width=\"%.2f\" stroke-linejoin=\"round", width);
        if (stroke_alpha < 1) lp_sb_appendf(sb, "\" stroke-opacity=\"%.3f", stroke_alpha);
        if (dashed) lp_sb_append(sb, "\" stroke-dasharray=\"6 4");
    }
    lp_sb_append(sb, "\"/>\n");
}

static void svg_circle(lp_plot_canvas *c, double x, double y, double r, uint32_t fill, double alpha)
{
    lp_sb *sb = c->ctx;
    lp_sb_appendf(sb, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"%.2f\" fill=\"", x, y, r);
    put_color(sb, fill);
    if (alpha < 1) lp_sb_appendf(sb, "\" fill-opacity=\"%.3f", alpha);
    lp_sb_append(sb, "\"/>\n");
}

static void svg_text(lp_plot_canvas *c, double x, double y, const char *s, double size, bool bold,
                     uint32_t color, lp_plot_anchor anchor, bool vertical)
{
    static const char *const anchors[] = {"start", "middle", "end"};
    lp_sb *sb = c->ctx;
    lp_sb_appendf(sb, "<text x=\"%.2f\" y=\"%.2f\" font-size=\"%.1f\"", x, y, size);
    if (bold) lp_sb_append(sb, " font-weight=\"bold\"");
    if (anchor != LP_ANCHOR_START) lp_sb_appendf(sb, " text-anchor=\"%s\"", anchors[anchor]);
    if (vertical) lp_sb_appendf(sb, " transform=\"rotate(-90 %.2f %.2f)\"", x, y);
    lp_sb_append(sb, " fill=\"");
    put_color(sb, color);
    lp_sb_append(sb, "\">");
    lp_sb_append_html(sb, s);
    lp_sb_append(sb, "</text>\n");
}

int lp_plot_svg(char **out, const lp_plot *p)
{
    lp_sb sb = {0};
    lp_sb_appendf(&sb,
                  "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                  "viewBox=\"0 0 %d %d\" font-family=\"DejaVu Sans, Verdana, sans-serif\">\n",
                  p->width, p->height, p->width, p->height);
    if (p->title) {
        lp_sb_append(&sb, "<title>");
        lp_sb_append_html(&sb, p->title);
        lp_sb_append(&sb, "</title>\n");
    }
    lp_plot_canvas c = {.ctx = &sb, .path = svg_path, .circle = svg_circle, .text = svg_text};
    lp_plot_draw(&c, p);
    lp_sb_append(&sb, "</svg>\n");
    if (c.rc || sb.oom) {
        lp_sb_free(&sb);
        return c.rc ? c.rc : lp_error_set(LP_ENOMEM, "out of memory writing an SVG plot");
    }
    *out = lp_sb_take(&sb);
    return *out ? 0 : lp_error_set(LP_ENOMEM, "out of memory writing an SVG plot");
}
