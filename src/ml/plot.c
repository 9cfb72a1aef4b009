/*
 * plot.c — building and freeing plot descriptions (see plot.h).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ml/plot.h"

lp_plot *lp_plot_new(const char *title, const char *xlabel, const char *ylabel, int width,
                     int height)
{
    lp_plot *p = calloc(1, sizeof *p);
    if (!p) {
        lp_error_set(LP_ENOMEM, "out of memory");
        return NULL;
    }
    p->width = width;
    p->height = height;
    p->xmin = p->xmax = p->ymin = p->ymax = NAN;
    p->title = title ? lp_strdup(title) : NULL;
    p->xlabel = xlabel ? lp_strdup(xlabel) : NULL;
    p->ylabel = ylabel ? lp_strdup(ylabel) : NULL;
    if ((title && !p->title) || (xlabel && !p->xlabel) || (ylabel && !p->ylabel)) {
        lp_plot_free(p);
        lp_error_set(LP_ENOMEM, "out of memory");
        return NULL;
    }
    return p;
}

static void free_names(char **names, size_t n)
{
    for (size_t i = 0; names && i < n; i++)
        free(names[i]);
    free(names);
}

void lp_plot_free(lp_plot *p)
{
    if (!p) return;
    for (size_t i = 0; i < p->n_series; i++) {
        lp_plot_series *s = p->series[i];
        free(s->label);
        free(s->x);
        free(s->y);
        free(s->y2);
        free(s->shade);
        free(s);
    }
    free(p->series);
    free_names(p->ycats, p->n_ycats);
    free_names(p->xcats, p->n_xcats);
    free(p->title);
    free(p->xlabel);
    free(p->ylabel);
    free(p->shade_label);
    free(p);
}

static double *copy(const double *v, size_t n, bool *ok)
{
    if (!v) return NULL;
    double *c = malloc((n ? n : 1) * sizeof *c);
    if (!c) {
        *ok = false;
        return NULL;
    }
    memcpy(c, v, n * sizeof *c);
    return c;
}

lp_plot_series *lp_plot_add(lp_plot *p, lp_plot_kind kind, const char *label, size_t n,
                            const double *x, const double *y, const double *y2)
{
    lp_plot_series **grown = realloc(p->series, (p->n_series + 1) * sizeof *grown);
    if (grown) p->series = grown;
    lp_plot_series *s = grown ? calloc(1, sizeof *s) : NULL;
    if (!s) {
        lp_error_set(LP_ENOMEM, "out of memory");
        return NULL;
    }
    p->series[p->n_series] = s;
    bool ok = true;
    s->kind = kind;
    s->n = n;
    s->label = label ? lp_strdup(label) : NULL;
    s->x = copy(x, n, &ok);
    s->y = copy(y, n, &ok);
    s->y2 = copy(y2, n, &ok);
    s->color = (int)p->n_series;
    s->alpha = 1;
    s->width = kind == LP_PLOT_SCATTER ? 3 : 2;
    p->n_series++;
    if (!ok || (label && !s->label)) {
        lp_error_set(LP_ENOMEM, "out of memory");
        return NULL; /* the series stays, freed with the plot */
    }
    return s;
}

static int set_names(char ***out, size_t *n_out, const char *const *names, size_t n)
{
    char **c = calloc(n ? n : 1, sizeof *c);
    if (!c) return lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        if (!(c[i] = lp_strdup(names[i] ? names[i] : ""))) {
            free_names(c, i);
            return lp_error_set(LP_ENOMEM, "out of memory");
        }
    free_names(*out, *n_out);
    *out = c;
    *n_out = n;
    return 0;
}

int lp_plot_set_ycats(lp_plot *p, const char *const *names, size_t n)
{
    return set_names(&p->ycats, &p->n_ycats, names, n);
}

int lp_plot_set_xcats(lp_plot *p, const char *const *names, size_t n)
{
    return set_names(&p->xcats, &p->n_xcats, names, n);
}
