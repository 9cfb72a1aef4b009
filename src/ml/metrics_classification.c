/*
 * metrics_classification.c — accuracy, f1, precision, recall, rocauc, prauc
 * and logloss over class-index arrays, with scikit-learn 1.2's definitions
 * (see include/lolpop/metrics.h).
 */
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "data/bits.h"
#include "data/radix.h"
#include "lolpop/metrics.h"
#include "ml/metrics_internal.h"

static int check_labels(const lp_metric_info *m, const int32_t *y, const char *what, size_t n,
                        size_t k)
{
    if (!y) return lp_metric_fail(m, "%s is missing", what);
    for (size_t i = 0; i < n; i++)
        if (y[i] < 0 || (size_t)y[i] >= k)
            return lp_metric_fail(m, "%s[%zu] = %d is not a class index in [0, %zu)", what, i,
                                  (int)y[i], k);
    return 0;
}

static int check_inputs(const lp_metric_info *m, const lp_class_inputs *in)
{
    if (m->task != LP_TASK_CLASSIFICATION)
        return lp_metric_fail(m, "is a regression metric, not a classification one");
    if (in->n == 0) return lp_metric_fail(m, "no samples to evaluate");
    if (in->n_classes == 0) return lp_metric_fail(m, "the number of classes is 0");
    int rc = check_labels(m, in->y_true, "y_true", in->n, in->n_classes);
    if (rc) return rc;
    if (!m->needs_proba) return check_labels(m, in->y_pred, "y_pred", in->n, in->n_classes);
    if (!in->proba) return lp_metric_fail(m, "needs class probabilities, and none were given");
    if (in->n_classes < 2)
        return lp_metric_fail(m, "needs at least 2 classes, got %zu", in->n_classes);
    for (size_t i = 0; i < in->n * in->n_classes; i++)
        if (!isfinite(in->proba[i]))
            return lp_metric_fail(m, "probability of row %zu, class %zu is not finite",
                                  i / in->n_classes, i % in->n_classes);
    return 0;
}

static double accuracy(const lp_class_inputs *in)
{
    size_t ok = 0;
    for (size_t i = 0; i < in->n; i++)
        ok += in->y_true[i] == in->y_pred[i];
    return (double)ok / (double)in->n;
}

/* Precision, recall or F1 of class c from its counts; 0/0 is 0 (sklearn's zero_division). */
static double prf_one(lp_metric_id id, size_t tp, size_t npred, size_t ntrue)
{
    double p = npred ? (double)tp / (double)npred : 0.0;
    double r = ntrue ? (double)tp / (double)ntrue : 0.0;
    if (id == LP_METRIC_PRECISION) return p;
    if (id == LP_METRIC_RECALL) return r;
    return p + r > 0 ? 2.0 * p * r / (p + r) : 0.0;
}

/* 2 classes (or fewer): the positive class is index 1; more: weighted by support. */
static int prf(double *out, const lp_metric_info *m, const lp_class_inputs *in)
{
    size_t k = in->n_classes;
    size_t *cnt = calloc(3 * k, sizeof *cnt); /* tp, predicted, true per class */
    if (!cnt) return lp_error_set(LP_ENOMEM, "out of memory computing metric '%s'", m->name);
    for (size_t i = 0; i < in->n; i++) {
        cnt[k + (size_t)in->y_pred[i]]++;
        cnt[2 * k + (size_t)in->y_true[i]]++;
        if (in->y_true[i] == in->y_pred[i]) cnt[(size_t)in->y_true[i]]++;
    }
    if (k <= 2) {
        *out = k < 2 ? 0.0 : prf_one(m->id, cnt[1], cnt[k + 1], cnt[2 * k + 1]);
    } else {
        lp_ksum s = {0};
        for (size_t c = 0; c < k; c++)
            lp_ksum_add(&s, (double)cnt[2 * k + c] *
                                prf_one(m->id, cnt[c], cnt[k + c], cnt[2 * k + c]));
        *out = lp_ksum_get(&s) / (double)in->n;
    }
    free(cnt);
    return 0;
}

/* The base score (precision, recall or F1) and the averaging of an averaged metric. */
static void averaged_kind(lp_metric_id id, lp_metric_id *base, char *avg)
{
    static const lp_metric_id bases[] = {LP_METRIC_F1, LP_METRIC_PRECISION, LP_METRIC_RECALL};
    size_t i = (size_t)(id - LP_METRIC_F1_MACRO);
    *base = bases[i / 3];
    *avg = "miw"[i % 3]; /* macro, micro, weighted */
}

/* scikit-learn's average='macro' / 'micro' / 'weighted' over the labels
 * present in y_true or y_pred (0/0 is 0). */
static int prf_averaged(double *out, const lp_metric_info *m, const lp_class_inputs *in)
{
    lp_metric_id base;
    char avg;
    averaged_kind(m->id, &base, &avg);
    size_t k = in->n_classes;
    size_t *cnt = calloc(3 * k, sizeof *cnt); /* tp, predicted, true per class */
    if (!cnt) return lp_error_set(LP_ENOMEM, "out of memory computing metric '%s'", m->name);
    size_t tp = 0, present = 0;
    for (size_t i = 0; i < in->n; i++) {
        cnt[k + (size_t)in->y_pred[i]]++;
        cnt[2 * k + (size_t)in->y_true[i]]++;
        if (in->y_true[i] == in->y_pred[i]) cnt[(size_t)in->y_true[i]]++, tp++;
    }
    lp_ksum s = {0};
    for (size_t c = 0; avg != 'i' && c < k; c++) {
        if (!cnt[k + c] && !cnt[2 * k + c]) continue; /* a label in neither */
        present++;
        double v = prf_one(base, cnt[c], cnt[k + c], cnt[2 * k + c]);
        lp_ksum_add(&s, avg == 'w' ? (double)cnt[2 * k + c] * v : v);
    }
    if (avg == 'i') /* single-label: every row is one prediction and one truth */
        *out = prf_one(base, tp, in->n, in->n);
    else
        *out = lp_ksum_get(&s) / (avg == 'w' ? (double)in->n : (double)(present ? present : 1));
    free(cnt);
    return 0;
}

/* ---- ranking metrics ----------------------------------------------------------- */

/* Scores of one class, split by truth: keys (lp_f64_sortkey) of the rows of
 * the class in pos, of the others in neg, each sorted ascending. Only the
 * counts per distinct score enter the curve, so the order of equal scores
 * (which a comparison sort would have to keep stable) does not matter, and
 * two radix sorts of plain keys replace a merge sort of (score, flag) pairs. */
typedef struct split_scores {
    uint64_t *pos, *neg; /* one buffer of n keys: pos at the front, neg after */
    size_t npos, nneg;
} split_scores;

static int split_sorted(split_scores *ss, const lp_class_inputs *in, size_t c, lp_radix_hist *h)
{
    size_t n = in->n, k = in->n_classes, np = 0;
    for (size_t i = 0; i < n; i++)
        np += (size_t)in->y_true[i] == c;
    ss->npos = np;
    ss->nneg = n - np;
    ss->neg = ss->pos + np;
    memset(h, 0, 2 * sizeof *h);
    size_t ip = 0, ineg = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t key = lp_f64_sortkey(in->proba[i * k + c]);
        if ((size_t)in->y_true[i] == c) {
            ss->pos[ip++] = key;
            lp_radix_hist_add(&h[0], key);
        } else {
            ss->neg[ineg++] = key;
            lp_radix_hist_add(&h[1], key);
        }
    }
    int rc = lp_radix_sort(ss->pos, ss->npos, &h[0]);
    return rc ? rc : lp_radix_sort(ss->neg, ss->nneg, &h[1]);
}

/* One-vs-rest curve of class c: area under the ROC curve (NaN when y_true
 * holds only one side) and average precision, with one curve point per
 * distinct score as sklearn's _binary_clf_curve: the two sorted key arrays
 * are walked together from the highest score down. */
static int curve(const lp_class_inputs *in, size_t c, split_scores *ss, lp_radix_hist *h,
                 double *auc, double *ap)
{
    int rc = split_sorted(ss, in, c, h);
    if (rc) return rc;
    /* ROC by the trapezoid rule in integer counts (exact below 2^53);
     * AP as the step sum of precision × recall increments. */
    double area = 0, prev_tp = 0, prev_fp = 0;
    lp_ksum aps = {0};
    size_t ip = ss->npos, ineg = ss->nneg, tp = 0, fp = 0; /* entries not yet taken */
    while (ip || ineg) {
        uint64_t top = ip && (!ineg || ss->pos[ip - 1] > ss->neg[ineg - 1]) ? ss->pos[ip - 1]
                                                                            : ss->neg[ineg - 1];
        for (; ip && ss->pos[ip - 1] == top; ip--)
            tp++;
        for (; ineg && ss->neg[ineg - 1] == top; ineg--)
            fp++;
        double t = (double)tp, f = (double)fp;
        area += (f - prev_fp) * (t + prev_tp);
        lp_ksum_add(&aps, (t - prev_tp) * (t / (t + f)));
        prev_tp = t;
        prev_fp = f;
    }
    size_t npos = ss->npos, nneg = ss->nneg;
    *auc = npos && nneg ? area / (2.0 * (double)npos * (double)nneg) : NAN;
    *ap = npos ? lp_ksum_get(&aps) / (double)npos : 0.0;
    return 0;
}

/* sklearn requires multiclass rocauc scores to be probabilities: np.allclose(1, row sum). */
static int check_rows_sum(const lp_metric_info *m, const lp_class_inputs *in)
{
    for (size_t i = 0; i < in->n; i++) {
        double s = 0;
        for (size_t c = 0; c < in->n_classes; c++)
            s += in->proba[i * in->n_classes + c];
        if (!(fabs(1.0 - s) <= 1e-8 + 1e-5 * fabs(s)))
            return lp_metric_fail(
                m, "multiclass probabilities must sum to 1 over classes; row %zu sums to %g", i, s);
    }
    return 0;
}

static int ranking(double *out, const lp_metric_info *m, const lp_class_inputs *in)
{
    bool roc = m->id == LP_METRIC_ROCAUC, binary = in->n_classes == 2;
    if (roc && !binary) {
        int rc = check_rows_sum(m, in);
        if (rc) return rc;
    }
    split_scores ss = {malloc(in->n * sizeof *ss.pos), NULL, 0, 0};
    lp_radix_hist *h = malloc(2 * sizeof *h);
    if (!ss.pos || !h) {
        free(ss.pos);
        free(h);
        return lp_error_set(LP_ENOMEM, "out of memory computing metric '%s'", m->name);
    }
    size_t c0 = binary ? 1 : 0;
    lp_ksum sum = {0};
    int rc = 0;
    for (size_t c = c0; c < in->n_classes && !rc; c++) {
        double auc, ap, v;
        if ((rc = curve(in, c, &ss, h, &auc, &ap)) != 0) break;
        v = roc ? auc : ap;
        size_t w = 0;
        for (size_t i = 0; i < in->n; i++)
            w += (size_t)in->y_true[i] == c;
        if (isnan(v) && binary)
            rc = lp_metric_fail(m, "only one class present in y_true; ROC AUC is not defined then");
        else if (isnan(v))
            rc = lp_metric_fail(
                m, "class index %zu is %s y_true; one-vs-rest ROC AUC is not defined then", c,
                w ? "the only class in" : "absent from");
        else if (binary)
            *out = v;
        else
            lp_ksum_add(&sum, (double)w * v);
    }
    if (!rc && !binary) *out = lp_ksum_get(&sum) / (double)in->n;
    free(ss.pos);
    free(h);
    return rc;
}

/* sklearn 1.2 log_loss: clip to [eps, 1-eps] (eps = float64 epsilon), renormalise rows. */
static double logloss(const lp_class_inputs *in)
{
    size_t k = in->n_classes;
    lp_ksum total = {0};
    for (size_t i = 0; i < in->n; i++) {
        double rowsum = 0, pt = 0;
        for (size_t c = 0; c < k; c++) {
            double p = fmin(fmax(in->proba[i * k + c], DBL_EPSILON), 1.0 - DBL_EPSILON);
            rowsum += p;
            if ((size_t)in->y_true[i] == c) pt = p;
        }
        lp_ksum_add(&total, -log(pt / rowsum));
    }
    return lp_ksum_get(&total) / (double)in->n;
}

LP_API int lp_metric_classification(double *out, const lp_metric_info *m, const lp_class_inputs *in)
{
    *out = NAN;
    if (!m || !in) return lp_error_set(LP_EINVAL, "metric or inputs missing");
    int rc = check_inputs(m, in);
    if (rc) return rc;
    switch (m->id) {
    case LP_METRIC_ACCURACY:
        *out = accuracy(in);
        return 0;
    case LP_METRIC_F1:
    case LP_METRIC_PRECISION:
    case LP_METRIC_RECALL:
        return prf(out, m, in);
    case LP_METRIC_ROCAUC:
    case LP_METRIC_PRAUC:
        return ranking(out, m, in);
    case LP_METRIC_LOGLOSS:
        *out = logloss(in);
        return 0;
    case LP_METRIC_F1_MACRO:
    case LP_METRIC_F1_MICRO:
    case LP_METRIC_F1_WEIGHTED:
    case LP_METRIC_PRECISION_MACRO:
    case LP_METRIC_PRECISION_MICRO:
    case LP_METRIC_PRECISION_WEIGHTED:
    case LP_METRIC_RECALL_MACRO:
    case LP_METRIC_RECALL_MICRO:
    case LP_METRIC_RECALL_WEIGHTED:
        return prf_averaged(out, m, in);
    default:
        return lp_metric_fail(m, "is not a classification metric");
    }
}
