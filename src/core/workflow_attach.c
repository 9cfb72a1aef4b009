/*
 * workflow_attach.c — data kept with a workflow under a key and freed with it
 * (workflow.h): how services above the core tie their state to a workflow
 * without the caller having to free things in the right order.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "object_internal.h"

struct lp_wf_attachment {
    char *key; /* owned */
    void *data;
    void (*free_fn)(void *data);
};

LP_API int lp_workflow_attach(lp_workflow *wf, const char *key, void *data,
                              void (*free_fn)(void *data))
{
    if (!wf || !key || !*key)
        return lp_error_set(LP_EINVAL, "lp_workflow_attach: workflow and key are required");
    if (lp_workflow_attachment(wf, key))
        return lp_error_set(LP_EEXISTS, "the workflow already has '%s' attached", key);
    struct lp_wf_attachment *a =
        realloc(wf->attachments, (wf->n_attachments + 1) * sizeof *wf->attachments);
    if (!a) return lp_error_set(LP_ENOMEM, "out of memory");
    wf->attachments = a;
    char *copy = lp_strdup(key);
    if (!copy) return LP_ENOMEM;
    a[wf->n_attachments++] = (struct lp_wf_attachment){copy, data, free_fn};
    return 0;
}

LP_API void *lp_workflow_attachment(const lp_workflow *wf, const char *key)
{
    for (size_t i = 0; wf && key && i < wf->n_attachments; i++)
        if (strcmp(wf->attachments[i].key, key) == 0) return wf->attachments[i].data;
    return NULL;
}

void lp_workflow_detach_all(lp_workflow *wf)
{
    while (wf->n_attachments > 0) {
        struct lp_wf_attachment *a = &wf->attachments[--wf->n_attachments];
        if (a->free_fn) a->free_fn(a->data);
        free(a->key);
    }
    free(wf->attachments);
    wf->attachments = NULL;
}
