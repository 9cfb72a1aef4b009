/*
 * diag.h — a list of problems found while loading or validating configuration.
 *
 * Validation collects every problem before reporting, so a user fixes them all
 * in one go. Each diagnostic has a severity, a location (lp_origin), the
 * section path it concerns ("train.model_trainer.config") and a message.
 * A lp_diags owns copies of everything added to it.
 */
#ifndef LOLPOP_DIAG_H
#define LOLPOP_DIAG_H

#include <stdio.h>
#include "value.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum lp_severity { LP_SEV_WARNING, LP_SEV_ERROR } lp_severity;

typedef struct lp_diag {
    lp_severity severity;
    lp_origin where; /* kind NONE when no location is known */
    char *section;   /* e.g. "train.model_trainer", "" for the root; never NULL */
    char *message;
} lp_diag;

typedef struct lp_diags {
    lp_diag *items;
    size_t len, cap;
} lp_diags;

void lp_diags_init(lp_diags *d);
void lp_diags_clear(lp_diags *d); /* frees every item, keeps d usable */
/* Adds one problem. `where` and `section` may be NULL; everything is copied. */
void lp_diags_add(lp_diags *d, lp_severity sev, const lp_origin *where, const char *section,
                  const char *fmt, ...) __attribute__((format(printf, 5, 6)));
size_t lp_diags_errors(const lp_diags *d);
size_t lp_diags_warnings(const lp_diags *d);
/* Prints "file:line:col: error: [section] message" lines, errors and warnings
 * in the order found, to `out`. `color` adds ANSI colours. */
void lp_diags_print(const lp_diags *d, FILE *out, int color);

#ifdef __cplusplus
}
#endif
#endif
