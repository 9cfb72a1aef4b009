/*
 * regression.c — residuals against fitted values and predicted against
 * actual values of a regression model on one split (scatter plots thinned to
 * max_points rows, evenly spaced, so a million rows still make a small file).
 */
#include <math.h>
#include <stdlib.h>

#include "components/model_visualizer/viz.h"

size_t *lp_viz_thin(size_t n, size_t max, size_t *m)
{
    size_t k = n < max ? n : max;
    size_t *idx = malloc((k ? k : 1) * sizeof *idx);
    if (!idx) {
        lp_error_set(LP_ENOMEM, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < k; i++)
        idx[i] = k == n ? i : (size_t)((double)i * (double)n / (double)k);
    *m = k;
    return idx;
}

/* A scatter plot of (fx(i), fy(i)) over the thinned rows. */
static int scatter(lp_plot **out, const lp_viz_data *d, const char *title, const char *xl,
                   const char *yl, bool residuals)
{
    size_t m = 0; /* lp_viz_thin sets it; 0 keeps -O3 sure of that on its failure path */
    size_t *idx = lp_viz_thin(d->n, d->max_points, &m);
    double *x = idx ? malloc((m ? m : 1) * sizeof *x) : NULL;
    double *y = x ? malloc((m ? m : 1) * sizeof *y) : NULL;
    char *t = y ? lp_asprintf("%s (%s split)", title, d->split) : NULL;
    lp_plot *p = t ? lp_plot_new(t, xl, yl, d->width, d->height) : NULL;
    int rc = p ? 0 : lp_error_set(LP_ENOMEM, "out of memory");
    if (rc == 0) {
        for (size_t i = 0; i < m; i++) {
            size_t r = idx[i];
            x[i] = residuals ? d->y_pred[r] : d->y_true[r];
            y[i] = residuals ? d->y_true[r] - d->y_pred[r] : d->y_pred[r];
        }
        lp_plot_series *ref = NULL;
        if (residuals) {
            double lo = INFINITY, hi = -INFINITY;
            for (size_t i = 0; i < m; i++)
                if (isfinite(x[i])) lo = fmin(lo, x[i]), hi = fmax(hi, x[i]);
            double zx[2] = {isfinite(lo) ? lo : 0, isfinite(hi) ? hi : 1}, zy[2] = {0, 0};
            ref = lp_plot_add(p, LP_PLOT_LINE, "zero", 2, zx, zy, NULL);
            if (ref) ref->color = 7, ref->dashed = true, ref->width = 1.2;
        } else {
            /* One range on both axes, so that the diagonal is the 45-degree line. */
            double lo = INFINITY, hi = -INFINITY;
            for (size_t i = 0; i < m; i++) {
                if (isfinite(x[i])) lo = fmin(lo, x[i]), hi = fmax(hi, x[i]);
                if (isfinite(y[i])) lo = fmin(lo, y[i]), hi = fmax(hi, y[i]);
            }
            double pad = isfinite(lo) && hi > lo ? (hi - lo) * 0.05 : 0.5;
            if (isfinite(lo)) p->xmin = p->ymin = lo - pad, p->xmax = p->ymax = hi + pad;
            ref = lp_plot_add(p, LP_PLOT_DIAGONAL, "perfect prediction", 0, NULL, NULL, NULL);
        }
        lp_plot_series *s = ref ? lp_plot_add(p, LP_PLOT_SCATTER, "rows", m, x, y, NULL) : NULL;
        if (!s)
            rc = LP_ENOMEM;
        else
            s->color = 0, s->alpha = m > 500 ? 0.35 : 0.6, s->width = 3;
        p->legend = residuals ? LP_LEGEND_TOP_RIGHT : LP_LEGEND_TOP_LEFT;
    }
    free(idx);
    free(x);
    free(y);
    free(t);
    if (rc)
        lp_plot_free(p);
    else
        *out = p;
    return rc;
}

int lp_viz_plot_residuals(lp_plot **out, const char **skip, const lp_viz_data *d)
{
    if (d->k || !d->y_pred) return *skip = "residuals are for regression models", 0;
    return scatter(out, d, "Residuals vs fitted", "Fitted value", "Residual (actual - fitted)",
                   true);
}

int lp_viz_plot_predicted(lp_plot **out, const char **skip, const lp_viz_data *d)
{
    if (d->k || !d->y_pred) return *skip = "predicted vs actual is for regression models", 0;
    return scatter(out, d, "Predicted vs actual", "Actual value", "Predicted value", false);
}
