/*
 * plot_text.c — what the plot layout measures with: nice ticks, tick labels,
 * text widths and the palette.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ml/plot.h"

size_t lp_plot_ticks(double *ticks, size_t max, double lo, double hi, double *step)
{
    if (!(hi > lo)) hi = lo + 1;
    /* About five intervals, each 1, 2 or 5 times a power of ten. */
    double raw = (hi - lo) / 5, mag = pow(10, floor(log10(raw))), f = raw / mag;
    double s = (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * mag;
    *step = s;
    size_t n = 0;
    for (double t = ceil(lo / s - 1e-9) * s; t <= hi + s * 1e-9 && n < max; t += s)
        ticks[n++] = fabs(t) < s * 1e-9 ? 0 : t;
    return n;
}

void lp_plot_format(char *buf, size_t size, double v, double step)
{
    double a = fabs(v);
    if (a != 0 && (a >= 1e6 || a < 1e-4)) {
        snprintf(buf, size, "%.2g", v);
        return;
    }
    int decimals = step >= 1 ? 0 : (int)ceil(-log10(step) - 1e-9);
    if (decimals > 6) decimals = 6;
    snprintf(buf, size, "%.*f", decimals, v);
}

/* Advance widths of ASCII 32..126 in DejaVu Sans (Book and Bold), per 1000 units of size
 * (cairo_text_extents at size 1000). */
static const short book[95] = {
    318, 401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361,  318, 337, 636, 636, 636,
    636, 636, 636, 636, 636, 636, 636, 337, 337, 838, 838, 838, 531, 1000, 684, 686, 698, 770, 632,
    575, 775, 752, 295, 295, 656, 557, 863, 748, 787, 603, 787, 695, 635,  611, 732, 684, 989, 685,
    611, 685, 390, 337, 390, 838, 500, 500, 613, 635, 550, 635, 615, 352,  635, 634, 278, 278, 579,
    278, 974, 634, 612, 635, 635, 411, 521, 392, 634, 592, 818, 592, 592,  525, 636, 337, 636, 838};
static const short bold[95] = {
    348,  456, 521, 838, 696, 1002, 872, 306,  457, 457, 523, 838, 380, 415,  380, 365,
    696,  696, 696, 696, 696, 696,  696, 696,  696, 696, 400, 400, 838, 838,  838, 580,
    1000, 774, 762, 734, 830, 683,  683, 821,  837, 372, 372, 775, 637, 995,  837, 850,
    733,  850, 770, 720, 682, 812,  774, 1103, 771, 724, 725, 457, 365, 457,  838, 500,
    500,  675, 716, 593, 716, 678,  435, 716,  712, 343, 343, 665, 343, 1042, 712, 687,
    716,  716, 493, 595, 478, 712,  652, 924,  645, 652, 582, 712, 365, 712,  838};

double lp_plot_text_width(const char *s, double size, bool is_bold)
{
    const short *w = is_bold ? bold : book;
    double units = 0;
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if ((*c & 0xC0) == 0x80) continue; /* a UTF-8 continuation byte */
        units += *c >= 32 && *c < 127 ? w[*c - 32] : 650;
    }
    return units * size / 1000;
}

uint32_t lp_plot_palette(int i)
{
    /* Okabe & Ito (2008): blue, vermillion, bluish green, orange, reddish purple, sky blue,
     * yellow, black. */
    static const uint32_t okabe_ito[] = {0x0072B2, 0xD55E00, 0x009E73, 0xE69F00,
                                         0xCC79A7, 0x56B4E9, 0xF0E442, 0x000000};
    int n = (int)(sizeof okabe_ito / sizeof okabe_ito[0]);
    return okabe_ito[((i % n) + n) % n];
}
