/*
 * series_model.h — the "by_series" model back-end (internal): one model per
 * series of a file of several (TimeSeriesRunner's series_id). Feature 0 is
 * the key column (categorical: its dictionary is the series' keys, in the
 * order given), then the sub-models' own features; a row is predicted by the
 * sub-model of its key, so a forecast of several series is one model that
 * can be saved, deployed and loaded like any other.
 */
#ifndef LP_ML_SERIES_MODEL_H
#define LP_ML_SERIES_MODEL_H

#include <stddef.h>

#include "lolpop/model.h"

extern const lp_model_ops lp_series_model_ops;

/* A regression model of back-end "by_series" from n >= 1 sub-models (new
 * references taken, borrowed array) keyed by keys[i] (copied, distinct):
 * features `key` then sub-model 0's (every sub-model must have the same
 * feature names, none categorical). *out: new reference. */
int lp_series_model_new(lp_model **out, const char *key, const char *const *keys,
                        lp_model *const *models, size_t n);

/* The number of series of a "by_series" model (0 for any other model). */
size_t lp_series_model_count(const lp_model *m);

/* Sub-model i (borrowed) of a "by_series" model, its key in *key (borrowed);
 * NULL when out of range. */
lp_model *lp_series_model_at(const lp_model *m, size_t i, const char **key);

#endif
