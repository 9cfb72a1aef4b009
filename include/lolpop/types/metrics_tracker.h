/*
 * types/metrics_tracker.h — the `metrics_tracker` component type: records and reads metrics of
 * experiments and predictions.
 *
 * Contract: every component class of type `metrics_tracker` implements these methods
 * (checked by lp_registry_add_class). Arguments and results are named values;
 * a result written "a, b" is a map with those keys. Method names come from
 * SPEC §5 (§6.1 for pipelines); argument and result names are fixed here.
 *
 *   log_metric(resource, id, value)
 *       records one metric
 *       resource: experiment or prediction job
 *       id: metric name
 *       value: number
 *   log_metrics(resource, metrics, perf_metric)
 *       records many metrics
 *       resource: experiment or prediction job
 *       metrics: map split -> name -> value
 *       perf_metric: the metric that decides
 *   log_prediction_metrics(prediction_job, predictions)
 *       records prediction statistics
 *       prediction_job: prediction job
 *       predictions: predictions frame
 *   get_metric(resource, id) -> value
 *       the metric value, or null
 *       resource: experiment or prediction job
 *       id: metric name
 *
 * The inline helpers call through the dispatcher (lp_call_with). They borrow
 * their arguments (NULL becomes a null value). Helpers of methods with a result
 * return a new reference, or NULL with the last error set; the others return 0
 * or the negative LP_E* code of the failure.
 */
#ifndef LOLPOP_TYPES_METRICS_TRACKER_H
#define LOLPOP_TYPES_METRICS_TRACKER_H

#include <stdint.h>
#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LP_TYPE_METRICS_TRACKER                   "metrics_tracker"
#define LP_METRICS_TRACKER_LOG_METRIC             "log_metric"
#define LP_METRICS_TRACKER_LOG_METRICS            "log_metrics"
#define LP_METRICS_TRACKER_LOG_PREDICTION_METRICS "log_prediction_metrics"
#define LP_METRICS_TRACKER_GET_METRIC             "get_metric"

/* log_metric(resource, id, value): records one metric. */
static inline int lp_metrics_tracker_log_metric(lp_obj *metrics_tracker, lp_value *resource,
                                                const char *id, lp_value *value)
{
    return lp_type_status(lp_call_with(metrics_tracker, LP_METRICS_TRACKER_LOG_METRIC, "resource",
                                       lp_type_arg(resource), "id", lp_type_arg_str(id), "value",
                                       lp_type_arg(value), (const char *)NULL));
}

/* log_metrics(resource, metrics, perf_metric): records many metrics. */
static inline int lp_metrics_tracker_log_metrics(lp_obj *metrics_tracker, lp_value *resource,
                                                 lp_value *metrics, const char *perf_metric)
{
    return lp_type_status(lp_call_with(metrics_tracker, LP_METRICS_TRACKER_LOG_METRICS, "resource",
                                       lp_type_arg(resource), "metrics", lp_type_arg(metrics),
                                       "perf_metric", lp_type_arg_str(perf_metric),
                                       (const char *)NULL));
}

/* log_prediction_metrics(prediction_job, predictions): records prediction statistics. */
static inline int lp_metrics_tracker_log_prediction_metrics(lp_obj *metrics_tracker,
                                                            lp_value *prediction_job,
                                                            lp_value *predictions)
{
    return lp_type_status(lp_call_with(metrics_tracker, LP_METRICS_TRACKER_LOG_PREDICTION_METRICS,
                                       "prediction_job", lp_type_arg(prediction_job), "predictions",
                                       lp_type_arg(predictions), (const char *)NULL));
}

/* get_metric(resource, id) -> value: the metric value, or null. */
static inline lp_value *lp_metrics_tracker_get_metric(lp_obj *metrics_tracker, lp_value *resource,
                                                      const char *id)
{
    return lp_call_with(metrics_tracker, LP_METRICS_TRACKER_GET_METRIC, "resource",
                        lp_type_arg(resource), "id", lp_type_arg_str(id), (const char *)NULL);
}

#ifdef __cplusplus
}
#endif
#endif
