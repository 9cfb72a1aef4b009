/*
 * types/data_connector.h — the `data_connector` component type: reads and writes data frames from
 * files or databases.
 *
 * Contract: every component class of type `data_connector` implements these methods
 * (checked by lp_registry_add_class). Arguments and results are named values;
 * a result written "a, b" is a map with those keys. Method names come from
 * SPEC §5 (§6.1 for pipelines); argument and result names are fixed here.
 *
 *   get_data(source) -> frame
 *       reads a frame
 *       source: file path, table or query, per class
 *   save_data(frame, target)
 *       writes a frame
 *       frame: the frame
 *       target: file path or table, per class
 *
 * The inline helpers call through the dispatcher (lp_call_with). They borrow
 * their arguments (NULL becomes a null value). Helpers of methods with a result
 * return a new reference, or NULL with the last error set; the others return 0
 * or the negative LP_E* code of the failure.
 */
#ifndef LOLPOP_TYPES_DATA_CONNECTOR_H
#define LOLPOP_TYPES_DATA_CONNECTOR_H

#include <stdint.h>
#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LP_TYPE_DATA_CONNECTOR      "data_connector"
#define LP_DATA_CONNECTOR_GET_DATA  "get_data"
#define LP_DATA_CONNECTOR_SAVE_DATA "save_data"

/* get_data(source) -> frame: reads a frame. */
static inline lp_value *lp_data_connector_get_data(lp_obj *data_connector, const char *source)
{
    return lp_call_with(data_connector, LP_DATA_CONNECTOR_GET_DATA, "source",
                        lp_type_arg_str(source), (const char *)NULL);
}

/* save_data(frame, target): writes a frame. */
static inline int lp_data_connector_save_data(lp_obj *data_connector, lp_value *frame,
                                              const char *target)
{
    return lp_type_status(lp_call_with(data_connector, LP_DATA_CONNECTOR_SAVE_DATA, "frame",
                                       lp_type_arg(frame), "target", lp_type_arg_str(target),
                                       (const char *)NULL));
}

#ifdef __cplusplus
}
#endif
#endif
