/*
 * curves.c — ROC, precision-recall and calibration curves computed as
 * scikit-learn 1.2 does (sklearn.metrics._ranking._binary_clf_curve and
 * sklearn.calibration.calibration_curve), so the plotted points are the ones
 * a Python user would get.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "components/model_visualizer/viz.h"
#include "data/bits.h"
#include "data/radix.h"

void lp_viz_curve_free(lp_viz_curve *c)
{
    free(c->x);
    free(c->y);
    memset(c, 0, sizeof *c);
}

/* _binary_clf_curve: tps[i], fps[i] at each distinct score threshold (descending).
 * The rows are taken by descending score, ties by descending row, as numpy's stable
 * argsort reversed: a stable ascending radix sort of the scores' keys read from
 * the end (a radix sort, not qsort: at 100k rows it was most of the curve's cost,
 * and the ROC and PR curves each sort). */
static int binary_clf_curve(double **tps, double **fps, size_t *m, const uint8_t *pos,
                            const double *score, size_t n)
{
    size_t sz = n ? n : 1;
    uint64_t *keys = malloc(sz * sizeof *keys), *tk = malloc(sz * sizeof *tk);
    uint32_t *rows = malloc(sz * sizeof *rows), *tr = malloc(sz * sizeof *tr);
    lp_radix_hist *h = calloc(1, sizeof *h);
    *tps = malloc(sz * sizeof **tps);
    *fps = malloc(sz * sizeof **fps);
    int rc = n > UINT32_MAX ? lp_error_set(LP_EINVAL, "a curve of more than 2^32 rows")
             : keys && tk && rows && tr && h && *tps && *fps
                 ? 0
                 : lp_error_set(LP_ENOMEM, "out of memory");
    if (rc == 0) {
        for (size_t i = 0; i < n; i++) {
            keys[i] = lp_f64_sortkey(score[i]);
            rows[i] = (uint32_t)i;
            lp_radix_hist_add(h, keys[i]);
        }
        lp_radix_sort_rows(keys, rows, n, h, tk, tr);
        double tp = 0;
        size_t k = 0;
        for (size_t j = n; j-- > 0;) {
            tp += pos[rows[j]];
            if (j > 0 && score[rows[j - 1]] == score[rows[j]]) continue;
            (*tps)[k] = tp;
            (*fps)[k] = (double)(n - j) - tp;
            k++;
        }
        *m = k;
    } else {
        free(*tps);
        free(*fps);
        *tps = *fps = NULL;
    }
    free(keys);
    free(tk);
    free(rows);
    free(tr);
    free(h);
    return rc;
}

static int curve_alloc(lp_viz_curve *c, size_t n)
{
    c->x = malloc((n ? n : 1) * sizeof *c->x);
    c->y = malloc((n ? n : 1) * sizeof *c->y);
    c->n = 0;
    if (c->x && c->y) return 0;
    lp_viz_curve_free(c);
    return lp_error_set(LP_ENOMEM, "out of memory");
}

int lp_viz_roc(lp_viz_curve *out, const uint8_t *pos, const double *score, size_t n)
{
    double *tps, *fps;
    size_t m;
    int rc = binary_clf_curve(&tps, &fps, &m, pos, score, n);
    if (rc) return rc;
    if (m == 0 || tps[m - 1] == 0 || fps[m - 1] == 0)
        rc = lp_error_set(LP_EINVAL, "a ROC curve needs both classes among the rows");
    if (rc == 0) rc = curve_alloc(out, m + 1);
    if (rc == 0) {
        /* drop_intermediate: keep the ends and the points where the curve bends. */
        out->x[0] = 0, out->y[0] = 0, out->n = 1;
        for (size_t i = 0; i < m; i++) {
            bool keep = i == 0 || i == m - 1 || fps[i + 1] - 2 * fps[i] + fps[i - 1] != 0 ||
                        tps[i + 1] - 2 * tps[i] + tps[i - 1] != 0;
            if (!keep) continue;
            out->x[out->n] = fps[i] / fps[m - 1];
            out->y[out->n] = tps[i] / tps[m - 1];
            out->n++;
        }
    }
    free(tps);
    free(fps);
    return rc;
}

int lp_viz_pr(lp_viz_curve *out, const uint8_t *pos, const double *score, size_t n)
{
    double *tps, *fps;
    size_t m;
    int rc = binary_clf_curve(&tps, &fps, &m, pos, score, n);
    if (rc) return rc;
    rc = curve_alloc(out, m + 1);
    if (rc == 0) {
        /* Reversed so that recall decreases, then the point (recall 0, precision 1). */
        for (size_t j = 0; j < m; j++) {
            size_t i = m - 1 - j;
            double ps = tps[i] + fps[i];
            out->y[j] = ps != 0 ? tps[i] / ps : 0;
            out->x[j] = tps[m - 1] == 0 ? 1 : tps[i] / tps[m - 1];
        }
        out->x[m] = 0, out->y[m] = 1, out->n = m + 1;
    }
    free(tps);
    free(fps);
    return rc;
}

double lp_viz_auc(const lp_viz_curve *c)
{
    double a = 0;
    for (size_t i = 1; i < c->n; i++)
        a += (c->x[i] - c->x[i - 1]) * (c->y[i] + c->y[i - 1]) / 2;
    return fabs(a);
}

double lp_viz_average_precision(const lp_viz_curve *pr)
{
    /* -sum(diff(recall) * precision[:-1]) */
    double ap = 0;
    for (size_t i = 0; i + 1 < pr->n; i++)
        ap -= (pr->x[i + 1] - pr->x[i]) * pr->y[i];
    return ap;
}

int lp_viz_calibration(lp_viz_curve *out, const uint8_t *pos, const double *prob, size_t n,
                       int bins)
{
    double *sum = calloc((size_t)bins, sizeof *sum), *truth = calloc((size_t)bins, sizeof *truth);
    double *total = calloc((size_t)bins, sizeof *total);
    int rc = sum && truth && total ? curve_alloc(out, (size_t)bins)
                                   : lp_error_set(LP_ENOMEM, "out of memory");
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (!isfinite(prob[i])) continue;
        /* np.searchsorted(linspace(0, 1, bins + 1)[1:-1], p): edges e_j = j / bins, left side. */
        int b = 0;
        while (b < bins - 1 && (double)(b + 1) * (1.0 / bins) < prob[i])
            b++;
        sum[b] += prob[i];
        truth[b] += pos[i];
        total[b] += 1;
    }
    for (int b = 0; rc == 0 && b < bins; b++)
        if (total[b] > 0) {
            out->x[out->n] = sum[b] / total[b];
            out->y[out->n] = truth[b] / total[b];
            out->n++;
        }
    free(sum);
    free(truth);
    free(total);
    return rc;
}
