/*
 * components_internal.h — the built-in component classes, for builtin.c's
 * registration table (not public API).
 */
#ifndef LP_COMPONENTS_INTERNAL_H
#define LP_COMPONENTS_INTERNAL_H

#include "core/internal.h"
#include "lolpop/class.h"
#include "lolpop/log.h"
#include "lolpop/object.h"

/* An empty, NULL-terminated requirement list for classes that need nothing. */
extern const char *const lp_no_requirements[];

extern const lp_class lp_stdout_logger_class;
extern const lp_class lp_file_logger_class;
extern const lp_class lp_stdout_notifier_class;

#endif
