/*
 * time_split.h — the time-ordered train/validation split of a forecasting
 * workflow (internal): rows sorted by the time index, the last ones held
 * out, never shuffled.
 */
#ifndef LP_DATA_TIME_SPLIT_H
#define LP_DATA_TIME_SPLIT_H

#include <stddef.h>

#include "lolpop/frame.h"

/* Sorts f by its column `time_index` (timestamps, or ISO dates/date-times as
 * text; a stable sort) and splits it: the last `holdout` rows into *valid
 * when holdout > 0, else the last (1 - split_ratio) share (0 < split_ratio
 * < 1; at least one row on each side). *train, *valid: new references.
 * LP_EINVAL naming the problem: unknown column, unreadable time stamps, a
 * holdout leaving no training rows, a ratio outside (0, 1). */
int lp_time_split(lp_frame **train, lp_frame **valid, const lp_frame *f, const char *time_index,
                  size_t holdout, double split_ratio);

#endif
