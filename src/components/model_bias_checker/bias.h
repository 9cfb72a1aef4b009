/*
 * bias.h — LocalModelBiasChecker's pieces (internal; not public API): the
 * fairness numbers of one protected attribute from per-row groups, truth and
 * predictions (bias.c), and the report's HTML (bias_html.c).
 *
 * Definitions are aif360's ClassificationMetric ones, with the favorable label
 * as "positive": per group the selection rate P(pred = fav), base rate
 * P(truth = fav), accuracy, TPR, FPR and the f1 of the favorable label;
 * privileged rows are those whose group is privileged, unprivileged rows every
 * other row that has a group; statistical parity difference SR_u - SR_p,
 * disparate impact SR_u / SR_p, equal opportunity difference TPR_u - TPR_p,
 * average odds difference ((FPR_u - FPR_p) + (TPR_u - TPR_p)) / 2. A rate
 * with a zero denominator is undefined (null in the report). tests/fixtures/
 * model_bias_checker/gen_bias.py computes the same numbers with pandas.
 */
#ifndef LP_COMPONENTS_MODEL_BIAS_CHECKER_BIAS_H
#define LP_COMPONENTS_MODEL_BIAS_CHECKER_BIAS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lolpop/value.h"

/* The rows of one protected attribute. */
typedef struct lp_bias_rows {
    size_t n;
    const int32_t *group; /* group of each row in [0, n_groups), or -1: none (left out) */
    size_t n_groups;
    const char *const *names; /* name of each group */
    const bool *privileged;   /* per group */
    const uint8_t *truth;     /* per row: 1 when the true label is the favorable one */
    const uint8_t *pred;      /* per row: 1 when the model predicts the favorable label */
} lp_bias_rows;

/* The numbers of one attribute: {privileged: [names], unprivileged: [names], rows_used,
 * rows_skipped, statistical_parity_difference, disparate_impact,
 * equal_opportunity_difference, average_odds_difference, groups: [{group, privileged,
 * rows, selection_rate, base_rate, accuracy, tpr, fpr, f1 and, for an unprivileged
 * group, the four differences against the privileged rows}]}. Undefined numbers are
 * null. A new map, or NULL on LP_ENOMEM. */
lp_value *lp_bias_attribute(const lp_bias_rows *r);

/* The HTML of a check_model_bias report (new string or NULL). */
char *lp_bias_report_html(const lp_value *report);

#endif
