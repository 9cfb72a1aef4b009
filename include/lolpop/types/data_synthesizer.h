/*
 * types/data_synthesizer.h — the `data_synthesizer` component type: learns a frame's distribution
 * and samples synthetic rows.
 *
 * Contract: every component class of type `data_synthesizer` implements these methods
 * (checked by lp_registry_add_class). Arguments and results are named values;
 * a result written "a, b" is a map with those keys. Method names come from
 * SPEC §5 (§6.1 for pipelines); argument and result names are fixed here.
 *
 *   fit(frame)
 *       learns the distribution
 *       frame: real data
 *   sample(n) -> frame
 *       synthetic rows
 *       n: number of rows
 *   evaluate(real, fake) -> report
 *       similarity report
 *       real: real frame
 *       fake: synthetic frame
 *
 * The inline helpers call through the dispatcher (lp_call_with). They borrow
 * their arguments (NULL becomes a null value). Helpers of methods with a result
 * return a new reference, or NULL with the last error set; the others return 0
 * or the negative LP_E* code of the failure.
 */
#ifndef LOLPOP_TYPES_DATA_SYNTHESIZER_H
#define LOLPOP_TYPES_DATA_SYNTHESIZER_H

#include <stdint.h>
#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LP_TYPE_DATA_SYNTHESIZER     "data_synthesizer"
#define LP_DATA_SYNTHESIZER_FIT      "fit"
#define LP_DATA_SYNTHESIZER_SAMPLE   "sample"
#define LP_DATA_SYNTHESIZER_EVALUATE "evaluate"

/* fit(frame): learns the distribution. */
static inline int lp_data_synthesizer_fit(lp_obj *data_synthesizer, lp_value *frame)
{
    return lp_type_status(lp_call_with(data_synthesizer, LP_DATA_SYNTHESIZER_FIT, "frame",
                                       lp_type_arg(frame), (const char *)NULL));
}

/* sample(n) -> frame: synthetic rows. */
static inline lp_value *lp_data_synthesizer_sample(lp_obj *data_synthesizer, int64_t n)
{
    return lp_call_with(data_synthesizer, LP_DATA_SYNTHESIZER_SAMPLE, "n", lp_value_int(n),
                        (const char *)NULL);
}

/* evaluate(real, fake) -> report: similarity report. */
static inline lp_value *lp_data_synthesizer_evaluate(lp_obj *data_synthesizer, lp_value *real,
                                                     lp_value *fake)
{
    return lp_call_with(data_synthesizer, LP_DATA_SYNTHESIZER_EVALUATE, "real", lp_type_arg(real),
                        "fake", lp_type_arg(fake), (const char *)NULL);
}

#ifdef __cplusplus
}
#endif
#endif
