/*
 * object_internal.h — the layout of instances and workflows, shared by
 * object.c, workflow.c, validate.c, dispatch.c and log.c. Not installed.
 *
 * A workflow is built in two steps: lp_workflow_skeleton creates every object
 * the document declares (tolerating bad classes so that validation can walk
 * the whole tree and report every problem), lp_workflow_check validates it,
 * and only a clean tree gets private state, cached log levels and init calls.
 */
#ifndef LP_OBJECT_INTERNAL_H
#define LP_OBJECT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "lolpop/diag.h"
#include "lolpop/dispatch.h"
#include "lolpop/log.h"
#include "lolpop/object.h"
#include "lolpop/registry.h"
#include "lolpop/workflow.h"

struct lp_obj {
    const lp_class *cls;     /* NULL only in a skeleton, for a bad/unknown class */
    lp_kind declared_as;     /* RUNNER for the root, else where the slot was declared */
    char *name;              /* slot; the root's is the runner class name */
    char *path;              /* dotted section path, "" for the root */
    lp_obj *parent;          /* NULL for the root */
    lp_workflow *wf;         /* owner */
    const lp_value *section; /* borrowed: from the document, or wf->empty */
    const lp_value *decl;    /* borrowed class-name value that declared it, or NULL */
    lp_obj **children;       /* owned: declared pipelines, then components, then defaults */
    size_t n_children, cap_children;
    void *state;            /* owned, cls->state_size zeroed bytes (NULL if 0) */
    lp_obj *logger;         /* visible logger, cached at build time (may be NULL) */
    lp_log_level log_level; /* level messages of this object must reach */
    lp_log_level own_level; /* for logger objects: their configured log_level */
    bool initialised;       /* init ran successfully (so fini must run) */
};

struct lp_workflow {
    const lp_registry *reg; /* borrowed */
    const lp_value *doc;    /* borrowed */
    lp_obj *root;           /* owned */
    lp_value *empty;        /* owned empty map: the section of undeclared sections */
    lp_value *defaults;     /* owned map: class name -> parsed default config map */
    lp_call_hooks *hooks;   /* owned copies, called in order */
    size_t n_hooks;
    int flags;                            /* LP_WF_* given when it was built */
    struct lp_wf_attachment *attachments; /* owned (workflow_attach.c) */
    size_t n_attachments;
};

/* workflow_attach.c: frees every attachment, the latest first. */
void lp_workflow_detach_all(lp_workflow *wf);

/* workflow.c: builds every object of the tree without state or init. A bad or
 * unknown class leaves cls NULL (validation reports it). Broken class default
 * YAML is reported in diags (may be NULL). Returns 0, or LP_ENOMEM. */
int lp_workflow_skeleton(lp_workflow **out, const lp_registry *reg, const lp_value *doc,
                         const char *runner, int flags, lp_diags *diags);
/* Frees the tree without running any fini. Accepts NULL. */
void lp_workflow_destroy(lp_workflow *wf);

/* validate.c: checks the skeleton against the document and the registry,
 * adding every problem to diags. `runner` is the requested runner class name
 * (NULL: structure only). Returns the number of errors added. */
size_t lp_workflow_check(const lp_workflow *wf, const char *runner, int flags, lp_diags *diags);

/* object.c: the parsed default config of a class (borrowed map) or NULL. */
const lp_value *lp_obj_defaults(const lp_workflow *wf, const lp_class *cls);
/* object.c: the map under `key` in a section (borrowed), or NULL when absent
 * or not a map. */
const lp_value *lp_section_map(const lp_value *section, const char *key);

/* dispatch.c: calls a method with none of the dispatcher's concerns (no
 * logging, hooks, cache, timing or notification): how log.c reaches loggers
 * and notifiers. `args` is a borrowed map or NULL. New reference or NULL. */
lp_value *lp_call_direct(lp_obj *obj, const char *method, lp_value *args);

/* log.c: caches each object's visible logger and effective level. */
void lp_log_cache_levels(lp_workflow *wf);

#endif
