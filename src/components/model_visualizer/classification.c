/*
 * classification.c — ROC and precision-recall curves (one-vs-rest per class
 * when there are more than two), the confusion matrix and the reliability
 * diagram of a classifier on one split.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "components/model_visualizer/viz.h"

/* Class c's one-vs-rest labels and scores over rows with a known label. */
static int one_vs_rest(uint8_t **pos, double **score, size_t *m, const lp_viz_data *d, size_t c)
{
    *pos = malloc(d->n ? d->n : 1);
    *score = malloc((d->n ? d->n : 1) * sizeof **score);
    if (!*pos || !*score) {
        free(*pos);
        free(*score);
        return lp_error_set(LP_ENOMEM, "out of memory");
    }
    size_t k = 0;
    for (size_t i = 0; i < d->n; i++) {
        if (d->y_class[i] < 0) continue;
        (*pos)[k] = d->y_class[i] == (int32_t)c;
        (*score)[k++] = d->proba[i * d->k + c];
    }
    *m = k;
    return 0;
}

/* The classes drawn: the positive one of a binary model, every class otherwise. */
static size_t first_class(const lp_viz_data *d)
{
    return d->k == 2 ? 1 : 0;
}

static char *title_of(const char *what, const lp_viz_data *d)
{
    return lp_asprintf("%s (%s split)", what, d->split);
}

typedef int (*curve_fn)(lp_viz_curve *, const uint8_t *, const double *, size_t);

/* One curve per class drawn; the legend says `metric` = value per curve. */
static int curves_plot(lp_plot *p, const lp_viz_data *d, curve_fn fn, bool roc)
{
    int rc = 0;
    for (size_t c = first_class(d); rc == 0 && c < d->k; c++) {
        uint8_t *pos;
        double *score;
        size_t m;
        lp_viz_curve cv = {0};
        rc = one_vs_rest(&pos, &score, &m, d, c);
        if (rc) break;
        rc = fn(&cv, pos, score, m);
        free(pos);
        free(score);
        if (rc == LP_EINVAL) { /* a class absent from the split: no curve for it */
            lp_error_clear();
            rc = 0;
            continue;
        }
        if (rc) break;
        char label[160];
        const char *name = lp_model_class_label(d->model, c);
        double v = roc ? lp_viz_auc(&cv) : lp_viz_average_precision(&cv);
        if (d->k == 2)
            snprintf(label, sizeof label, "%s = %.3f", roc ? "AUC" : "AP", v);
        else
            snprintf(label, sizeof label, "%.40s (%s = %.3f)", name, roc ? "AUC" : "AP", v);
        lp_plot_series *s =
            lp_plot_add(p, roc ? LP_PLOT_LINE : LP_PLOT_STEP, label, cv.n, cv.x, cv.y, NULL);
        if (!s)
            rc = LP_ENOMEM;
        else
            s->color = (int)(c - first_class(d));
        lp_viz_curve_free(&cv);
    }
    return rc;
}

static int finish(lp_plot **out, lp_plot *p, int rc)
{
    if (rc) {
        lp_plot_free(p);
        return rc;
    }
    *out = p;
    return 0;
}

static lp_plot *new_plot(const char *what, const char *xlabel, const char *ylabel,
                         const lp_viz_data *d)
{
    char *title = title_of(what, d);
    lp_plot *p = title ? lp_plot_new(title, xlabel, ylabel, d->width, d->height) : NULL;
    free(title);
    if (!title) lp_error_set(LP_ENOMEM, "out of memory");
    return p;
}

int lp_viz_plot_roc(lp_plot **out, const char **skip, const lp_viz_data *d)
{
    if (!d->k) return *skip = "a regression model has no ROC curve", 0;
    lp_plot *p = new_plot("ROC curve", "False positive rate", "True positive rate", d);
    if (!p) return LP_ENOMEM;
    p->xmin = p->ymin = 0, p->xmax = p->ymax = 1.0001;
    p->legend = LP_LEGEND_BOTTOM_RIGHT;
    lp_plot_series *chance = lp_plot_add(p, LP_PLOT_DIAGONAL, "chance", 0, NULL, NULL, NULL);
    int rc = chance ? curves_plot(p, d, lp_viz_roc, true) : LP_ENOMEM;
    return finish(out, p, rc);
}

int lp_viz_plot_pr(lp_plot **out, const char **skip, const lp_viz_data *d)
{
    if (!d->k) return *skip = "a regression model has no precision-recall curve", 0;
    lp_plot *p = new_plot("Precision-recall curve", "Recall", "Precision", d);
    if (!p) return LP_ENOMEM;
    p->xmin = p->ymin = 0, p->xmax = p->ymax = 1.0001;
    p->legend = LP_LEGEND_BOTTOM_RIGHT;
    return finish(out, p, curves_plot(p, d, lp_viz_pr, false));
}

int lp_viz_plot_confusion(lp_plot **out, const char **skip, const lp_viz_data *d)
{
    if (!d->k) return *skip = "a regression model has no confusion matrix", 0;
    size_t k = d->k;
    double *cells = calloc(k * k, sizeof *cells);
    const char **names = malloc(k * sizeof *names);
    lp_plot *p =
        cells && names ? new_plot("Confusion matrix", "Predicted class", "True class", d) : NULL;
    int rc = p ? 0 : LP_ENOMEM;
    if (rc == 0) {
        /* The predicted class is the most probable one (lowest index on ties). */
        for (size_t i = 0; i < d->n; i++) {
            if (d->y_class[i] < 0) continue;
            size_t best = 0;
            for (size_t c = 1; c < k; c++)
                if (d->proba[i * k + c] > d->proba[i * k + best]) best = c;
            cells[(size_t)d->y_class[i] * k + best] += 1;
        }
        for (size_t c = 0; c < k; c++)
            names[c] = lp_model_class_label(d->model, c);
        p->legend = LP_LEGEND_NONE;
        if (lp_plot_set_ycats(p, names, k) || lp_plot_set_xcats(p, names, k) ||
            !lp_plot_add(p, LP_PLOT_HEATMAP, NULL, k * k, NULL, cells, NULL))
            rc = LP_ENOMEM;
    }
    free(cells);
    free(names);
    if (!p) return lp_error_set(LP_ENOMEM, "out of memory");
    return finish(out, p, rc);
}

int lp_viz_plot_calibration(lp_plot **out, const char **skip, const lp_viz_data *d)
{
    if (!d->k) return *skip = "a regression model has no calibration curve", 0;
    lp_plot *p = new_plot("Calibration (reliability diagram)", "Mean predicted probability",
                          "Fraction of positives", d);
    if (!p) return LP_ENOMEM;
    p->xmin = p->ymin = 0, p->xmax = p->ymax = 1.0001;
    p->legend = LP_LEGEND_TOP_LEFT;
    int rc = lp_plot_add(p, LP_PLOT_DIAGONAL, "perfectly calibrated", 0, NULL, NULL, NULL)
                 ? 0
                 : LP_ENOMEM;
    for (size_t c = first_class(d); rc == 0 && c < d->k; c++) {
        uint8_t *pos;
        double *score;
        size_t m;
        lp_viz_curve cv = {0};
        rc = one_vs_rest(&pos, &score, &m, d, c);
        if (rc) break;
        rc = lp_viz_calibration(&cv, pos, score, m, 10);
        free(pos);
        free(score);
        if (rc == 0) {
            char label[160];
            snprintf(label, sizeof label, "%.40s",
                     d->k == 2 ? "model" : lp_model_class_label(d->model, c));
            lp_plot_series *s = lp_plot_add(p, LP_PLOT_LINE, label, cv.n, cv.x, cv.y, NULL);
            lp_plot_series *dots =
                s ? lp_plot_add(p, LP_PLOT_SCATTER, NULL, cv.n, cv.x, cv.y, NULL) : NULL;
            if (!dots)
                rc = LP_ENOMEM;
            else
                s->color = dots->color = (int)(c - first_class(d)), dots->width = 4;
        }
        lp_viz_curve_free(&cv);
    }
    return finish(out, p, rc);
}
