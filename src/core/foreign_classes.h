/*
 * foreign_classes.h — the classes of the Python lolpop (jordanvolz/lolpop)
 * and what to use here (issue 11 Fix 15). One table: validation names the
 * counterpart of a foreign class instead of guessing a spelling, and a test
 * checks that docs/migrating.md says the same. Not public API.
 */
#ifndef LP_FOREIGN_CLASSES_H
#define LP_FOREIGN_CLASSES_H

#include <stdbool.h>
#include <stddef.h>

#include "lolpop/diag.h"
#include "lolpop/value.h"

typedef struct lp_foreign_class {
    const char *name;        /* the Python lolpop's class name */
    const char *counterpart; /* the class to use here, or NULL when there is none */
    const char *note;        /* what else changes (keys), or NULL */
} lp_foreign_class;

/* The table, terminated by an entry with name NULL (static). */
const lp_foreign_class *lp_foreign_classes(void);

/* The entry for `name` (exact), or NULL. */
const lp_foreign_class *lp_foreign_class_find(const char *name);

/* Whether `cls` is "Base" + the CamelCase form of `slot_type` ("BaseMetricsTracker"
 * in slot metrics_tracker): the Python lolpop's way to switch a slot off. */
bool lp_foreign_is_base_class(const char *cls, const char *slot_type);

/* Removes every `component:` entry whose class is Base<Type> of its slot
 * (BaseMetricsTracker in metrics_tracker), with a warning in `d` naming it:
 * the slot is then off, as with `--set component.SLOT=null`. 0 or LP_ENOMEM. */
int lp_config_drop_base_slots(lp_value *doc, lp_diags *d);

#endif
