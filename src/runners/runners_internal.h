/*
 * runners_internal.h — the built-in runners (not public API). Classification
 * and regression share one implementation (offline_runner.c); their classes
 * differ in name, documentation and the `problem_type` default that every
 * child reads.
 */
#ifndef LP_RUNNERS_INTERNAL_H
#define LP_RUNNERS_INTERNAL_H

#include "pipelines/pipelines_internal.h"

extern const lp_class lp_classification_runner_class;
extern const lp_class lp_regression_runner_class;
extern const lp_class lp_timeseries_runner_class;
extern const lp_class lp_step_runner_class;

/* The methods of SPEC §6.2, in order, terminated by {NULL}. */
extern const lp_method lp_offline_runner_methods[];
/* Its requirements and config keys. */
extern const char *const lp_offline_runner_requirements[];
extern const lp_config_key lp_offline_runner_keys[];

/* check_config's header check (input_columns.c): adds a problem to
 * `problems` when eval_data lacks columns of train_data other than the
 * target and drop_columns (an error without a data_transformer, else a
 * warning). Both must be file paths; anything else is not judged. 0 or
 * LP_ENOMEM. */
int lp_runner_check_eval_columns(lp_obj *self, lp_value *problems);

/* check_config of the offline runners (timeseries.c): adds an ERROR to
 * `problems` when the configuration sets forecast_period, a TimeSeriesRunner
 * setting (a forecasting workflow started with the wrong runner). 0 or
 * LP_ENOMEM. */
int lp_runner_check_not_forecast(lp_obj *self, lp_value *problems);

/* build_all's result (runner_summary.c): the run, model, validation metrics,
 * deployment and predictions as a map — see there for its keys. Borrows the
 * results of train_model, deploy_model (NULL when skipped) and predict_data,
 * and the model_version that scored (the deployed one when the new one was
 * not deployed; NULL: the new one). New reference, or NULL with LP_ENOMEM. */
lp_value *lp_runner_summary(lp_obj *self, const lp_value *trained, const lp_value *deployed,
                            const lp_value *predicted, const lp_value *scorer);

/* Writes the run report of the run that just ended (runner_report.c): its
 * path from lp_run_report_planned_path, the run from the tracker's
 * run_info(). Logs the path at INFO and sets summary.report to it (summary
 * borrowed, may be NULL); nothing when config run_report is false or no
 * tracker records runs. A failure is logged at WARN: the workflow's outcome
 * does not depend on its report. */
void lp_runner_write_report(lp_obj *self, lp_value *summary);

/* The end of build_all shared by the runners: when rc is 0, calls the
 * runner's stop() and, if it succeeds, writes the run report into summary
 * and returns summary. Otherwise returns NULL with the failing step's error
 * kept. Takes summary (may be NULL when rc is not 0). */
lp_value *lp_runner_finish(lp_obj *self, int rc, lp_value *summary);

#endif
