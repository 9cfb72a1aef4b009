/*
 * runners_internal.h — the built-in runners (not public API). Classification
 * and regression share one implementation (offline_runner.c); their classes
 * differ in name, documentation and the `problem_type` default that every
 * child reads.
 */
#ifndef LP_RUNNERS_INTERNAL_H
#define LP_RUNNERS_INTERNAL_H

#include "pipelines/pipelines_internal.h"

/* Writes sb's text and a newline to stdout and frees sb (components/stdout_line.c).
 * Declared here, not included, so that the runners see no component
 * internals; the runner's summary moves to the CLI (issue 10's run service),
 * which removes this. */
lp_value *lp_stdout_put_line(lp_sb *sb, const char *who);

extern const lp_class lp_classification_runner_class;
extern const lp_class lp_regression_runner_class;
extern const lp_class lp_step_runner_class;

/* The methods of SPEC §6.2, in order, terminated by {NULL}. */
extern const lp_method lp_offline_runner_methods[];
/* Its requirements and config keys. */
extern const char *const lp_offline_runner_requirements[];
extern const lp_config_key lp_offline_runner_keys[];

#endif
