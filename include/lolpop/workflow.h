/*
 * workflow.h — validating a configuration against the registry and building
 * the instance tree of a runner.
 *
 * Validation walks the tree that would be built and collects every problem
 * (unknown or wrong-kind classes with suggestions, missing requirements — all
 * of them —, unknown keys with the closest valid one, wrong value types). Only
 * a clean validation builds the tree; building then runs each class's init
 * (components first, then pipelines, then the runner). The root always has a
 * component in each registered default slot its configuration does not
 * declare (lp_registry_add_default_slot: a logger, a notifier and a
 * metadata_tracker from the built-in plugin).
 */
#ifndef LOLPOP_WORKFLOW_H
#define LOLPOP_WORKFLOW_H

#include "diag.h"
#include "object.h"
#include "registry.h"

#ifdef __cplusplus
extern "C" {
#endif

enum {
    LP_WF_SKIP_VALIDATION = 1 << 0, /* missing requirements become warnings */
    LP_WF_STRUCTURE_ONLY = 1 << 1,  /* validate structure, classes, refs; not the runner's needs */
    /* no default metadata_tracker: for tools (seed, datagen) that record nothing
     * and must not create a metadata store in the working directory */
    LP_WF_NO_TRACKING = 1 << 2,
    /* keys no class reads (unknown keys, keys set where no class looks them
     * up) are errors instead of warnings (`--strict`) */
    LP_WF_STRICT = 1 << 3,
    /* the classes' config checks also check that the input files the
     * configuration names are readable (check_config gets check_inputs:
     * true); `run` and `config validate RUNNER` set it */
    LP_WF_CHECK_INPUTS = 1 << 4
};

/* Validates `doc` for runner class `runner` (NULL: structure and classes only,
 * no runner requirements). Returns 0, or LP_ECONFIG when diags got an error. */
int lp_workflow_validate(const lp_registry *reg, const lp_value *doc, const char *runner, int flags,
                         lp_diags *diags);

/* Validates, then builds the tree. reg and doc are borrowed and must outlive
 * the workflow. Returns 0 and a new workflow in *out, LP_ECONFIG (problems in
 * diags) or the error of a failed init (last error set). */
int lp_workflow_new(lp_workflow **out, const lp_registry *reg, const lp_value *doc,
                    const char *runner, int flags, lp_diags *diags);
/* Runs every fini in the reverse order of init (a parent before the children it
 * may still use) and frees the tree. Accepts NULL. */
void lp_workflow_free(lp_workflow *wf);

lp_obj *lp_workflow_root(const lp_workflow *wf);
const lp_registry *lp_workflow_registry(const lp_workflow *wf);
const lp_value *lp_workflow_document(const lp_workflow *wf);

/* Keeps `data` with the workflow under `key` (copied; one per key): free_fn
 * (may be NULL) is called on it when the workflow is freed, after every fini,
 * the latest attached first. How a service above the core (the run service,
 * runs.h) ties its state to the workflow's lifetime. 0; LP_EEXISTS when `key`
 * is taken, LP_EINVAL, LP_ENOMEM — then nothing is kept and the caller still
 * owns data. */
int lp_workflow_attach(lp_workflow *wf, const char *key, void *data, void (*free_fn)(void *data));
/* The data attached under `key` (borrowed, owned by the workflow), or NULL. */
void *lp_workflow_attachment(const lp_workflow *wf, const char *key);

#ifdef __cplusplus
}
#endif
#endif
