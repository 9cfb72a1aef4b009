/*
 * types/data_splitter.h — the `data_splitter` component type: splits a frame into train / valid /
 * test splits.
 *
 * Contract: every component class of type `data_splitter` implements these methods
 * (checked by lp_registry_add_class). Arguments and results are named values;
 * a result written "a, b" is a map with those keys. Method names come from
 * SPEC §5 (§6.1 for pipelines); argument and result names are fixed here.
 *
 *   split_data(frame) -> splits
 *       map with X_train, y_train, X_valid, y_valid [, X_test, y_test]
 *       frame: the frame (features and target)
 *
 * The inline helpers call through the dispatcher (lp_call_with). They borrow
 * their arguments (NULL becomes a null value). Helpers of methods with a result
 * return a new reference, or NULL with the last error set; the others return 0
 * or the negative LP_E* code of the failure.
 */
#ifndef LOLPOP_TYPES_DATA_SPLITTER_H
#define LOLPOP_TYPES_DATA_SPLITTER_H

#include <stdint.h>
#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LP_TYPE_DATA_SPLITTER       "data_splitter"
#define LP_DATA_SPLITTER_SPLIT_DATA "split_data"

/* split_data(frame) -> splits: map with X_train, y_train, X_valid, y_valid [, X_test, y_test]. */
static inline lp_value *lp_data_splitter_split_data(lp_obj *data_splitter, lp_value *frame)
{
    return lp_call_with(data_splitter, LP_DATA_SPLITTER_SPLIT_DATA, "frame", lp_type_arg(frame),
                        (const char *)NULL);
}

#ifdef __cplusplus
}
#endif
#endif
