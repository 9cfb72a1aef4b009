/*
 * unit_workflow.h — the set-up shared by the Criterion unit tests that drive a
 * component through the dispatcher: a registry holding the built-in plugin and
 * a runner, UW_SLOTS workflow slots each built from YAML text, and a temp
 * directory. A suite calls uw_setup() in its .init and uw_teardown() in its
 * .fini; everything else about the suite (fixtures, extra classes) stays in
 * its file.
 * Criterion runs each test in its own process, so the module state is per test.
 */
#ifndef LP_TEST_UNIT_WORKFLOW_H
#define LP_TEST_UNIT_WORKFLOW_H

#include <stdbool.h>

#include "lolpop.h"

/* How many workflows a test may hold at once (two: compare or share). */
#define UW_SLOTS 2

typedef struct uw_options {
    const lp_class *runner; /* registered and built as the root; NULL: a no-op TestRunner */
    bool interpolate_env;   /* replace ${VAR} in the YAML before building */
} uw_options;

/* Makes the registry (built-in plugin + no-op TestRunner); a suite's .init as is. */
void uw_setup(void);
/* Same with `opts` (copied; opts->runner is borrowed and must be static). */
void uw_setup_with(const uw_options *opts);
/* Frees every slot's workflow and document, the diagnostics and the registry,
 * then removes the uw_tmpdir directory (asserted) with everything in it. */
void uw_teardown(void);
/* The registry of this test (owned by the module), for suite-specific classes. */
lp_registry *uw_registry(void);
/* Makes a fresh directory /tmp/lp-<name>-XXXXXX, and makes it the working
 * directory when `enter`. Returns its path (module-owned, valid until
 * uw_teardown, which removes it). At most one per test. */
const char *uw_tmpdir(const char *name, bool enter);

/* Frees the workflow in `slot` (and its document), then builds `slot` from
 * `yaml` with the runner. Asserts that the YAML parses; returns 0 or the
 * error code of lp_workflow_new (lp_error_last() and uw_diags() tell why). */
int uw_try_build(int slot, const char *yaml);
/* uw_try_build that must succeed (the failure message shows the error, every
 * diagnostic and the YAML). Returns component `name` of the root, asserted
 * present, or the root itself when name is NULL; borrowed from the slot. */
lp_obj *uw_build(int slot, const char *yaml, const char *name);
/* The root (runner) of the workflow in `slot`, asserted built; borrowed. */
lp_obj *uw_root(int slot);
/* Component `name` of slot's root (asserted present); borrowed from the slot. */
lp_obj *uw_component(int slot, const char *name);
/* The workflow in `slot`, or NULL when empty or its build failed; borrowed. */
lp_workflow *uw_workflow(int slot);
/* Diagnostics of the last uw_try_build; borrowed until the next build. */
const lp_diags *uw_diags(void);
/* Frees slot's workflow and document; the slot is empty afterwards. */
void uw_free(int slot);

#endif
