/*
 * ets_backend.h — the "ets" model back-end (internal): an ETS fit plus the
 * time grid of its training data. The time stamp feature of a row (seconds
 * since the epoch in the model matrix) gives the steps past the last
 * training stamp: h > 0 is forecast h steps ahead, h <= 0 the fitted value.
 */
#ifndef LP_ML_ETS_BACKEND_H
#define LP_ML_ETS_BACKEND_H

#include <stdint.h>

#include "data/time_freq.h"
#include "lolpop/model.h"
#include "ml/ets.h"

/* The back-end's state. */
typedef struct lp_ets_state {
    lp_ets *ets;
    lp_freq_unit freq;
    int64_t first, last; /* stamps (us) of the first and last fitted observation */
} lp_ets_state;

extern const lp_model_ops lp_ets_ops;

/* A state owning fit (freed on failure too). *out: new, for lp_model_new. */
int lp_ets_state_new(lp_ets_state **out, lp_ets *fit, lp_freq_unit freq, int64_t first,
                     int64_t last);

/* The states of m (an "ets" model) at the rows of X (its model matrix,
 * rows x features), as R's autoplot of an ets fit draws them: columns level,
 * slope (with a trend) and season (with a season), each row the states after
 * the observation at its stamp; NaN outside the training span. *out: new
 * frame. LP_EINVAL for another back-end or a model that keeps no
 * observations (lp_ets_state_path). */
int lp_ets_model_states(lp_frame **out, const lp_model *m, const double *X, size_t rows);

#endif
