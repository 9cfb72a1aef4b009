/*
 * render.c — the plots of one generate_viz call turned into SVG text and PNG
 * bytes on lp_ml_parallel's threads. Each plot is drawn on its own cairo
 * surface and encoded by its own libpng writer, so the plots are independent
 * tasks; each writes only its own slot, and the caller writes the files in the
 * plots' order, so the files and the paths list do not depend on the threads.
 * PNG encoding is most of generate_viz's time (a fixed cost per plot, not per
 * row), and the plots are six or more: two cores halve it.
 */
#include <stdlib.h>
#include <string.h>

#include "components/model_visualizer/viz.h"
#include "ml/ml_parallel.h"

typedef struct render_job {
    lp_viz_render *r;
    bool png;
} render_job;

static void render_task(void *ctx, size_t i)
{
    render_job *j = ctx;
    lp_viz_render *r = &j->r[i];
    /* The SVG text is always made: the files' names hash it. */
    int rc = lp_plot_svg(&r->svg, r->plot);
    if (rc == 0 && j->png) rc = lp_plot_png(&r->png, &r->png_len, r->plot);
    if (rc) lp_ml_task_error_keep(&r->error, rc);
}

size_t lp_viz_render_all(lp_viz_render *r, size_t n, bool png)
{
    for (size_t i = 0; i < n; i++) {
        r[i].svg = NULL, r[i].png = NULL, r[i].png_len = 0;
        memset(&r[i].error, 0, sizeof r[i].error);
    }
    render_job j = {.r = r, .png = png};
    lp_ml_parallel(n, render_task, &j);
    size_t i = 0;
    while (i < n && r[i].error.code == 0)
        i++;
    return i;
}

void lp_viz_render_free(lp_viz_render *r)
{
    free(r->svg);
    free(r->png);
    r->svg = NULL, r->png = NULL, r->png_len = 0;
}
