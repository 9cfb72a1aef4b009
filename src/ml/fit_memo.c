/*
 * fit_memo.c — lp_fit_memo (fit_memo.h): a list of kept fits under a mutex,
 * looked up by back-end, the SHA-256 of X and y, params and extra text.
 */
#include "ml/fit_memo.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "lolpop/error.h"

typedef struct entry {
    struct entry *next;
    char *backend, *extra; /* extra may be NULL */
    uint8_t hx[32], hy[32];
    lp_value *params; /* deep copy or NULL */
    lp_model *model;
    void *report; /* report_size bytes or NULL */
    size_t report_size;
} entry;

struct lp_fit_memo {
    pthread_mutex_t lock;
    entry *head;
    bool filling;
    size_t hits, misses;
};

static _Thread_local lp_fit_memo *current;

static void entry_free(entry *e)
{
    free(e->backend);
    free(e->extra);
    lp_value_unref(e->params);
    lp_model_unref(e->model);
    free(e->report);
    free(e);
}

lp_fit_memo *lp_fit_memo_new(void)
{
    lp_fit_memo *m = calloc(1, sizeof *m);
    if (!m || pthread_mutex_init(&m->lock, NULL) != 0) {
        free(m);
        lp_error_set(LP_ENOMEM, "out of memory");
        return NULL;
    }
    return m;
}

void lp_fit_memo_free(lp_fit_memo *m)
{
    if (!m) return;
    for (entry *e = m->head, *next; e; e = next) {
        next = e->next;
        entry_free(e);
    }
    pthread_mutex_destroy(&m->lock);
    free(m);
}

lp_fit_memo *lp_fit_memo_use(lp_fit_memo *m)
{
    lp_fit_memo *was = current;
    current = m;
    return was;
}

lp_fit_memo *lp_fit_memo_current(void)
{
    return current;
}

void lp_fit_memo_set_filling(lp_fit_memo *m, bool filling)
{
    pthread_mutex_lock(&m->lock);
    m->filling = filling;
    pthread_mutex_unlock(&m->lock);
}

void lp_fit_memo_counts(lp_fit_memo *m, size_t *hits, size_t *misses)
{
    pthread_mutex_lock(&m->lock);
    *hits = m->hits;
    *misses = m->misses;
    pthread_mutex_unlock(&m->lock);
}

static bool same_text(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

static bool same_params(const lp_value *a, const lp_value *b)
{
    return a == b || (a && b && lp_value_equal(a, b));
}

/* The key's entry, unlinked from m (lock held), or NULL. */
static entry *take(lp_fit_memo *m, const entry *key)
{
    for (entry **at = &m->head; *at; at = &(*at)->next) {
        entry *e = *at;
        if (memcmp(e->hx, key->hx, 32) == 0 && memcmp(e->hy, key->hy, 32) == 0 &&
            same_text(e->backend, key->backend) && same_text(e->extra, key->extra) &&
            same_params(e->params, key->params)) {
            *at = e->next;
            return e;
        }
    }
    return NULL;
}

/* Keeps a reference to model (and a copy of report) under key (lock taken
 * here); a failure to keep is no error (the fit is computed again later). */
static void keep(lp_fit_memo *m, const entry *key, lp_model *model, const void *report,
                 size_t report_size)
{
    entry *e = calloc(1, sizeof *e);
    if (!e) return;
    memcpy(e->hx, key->hx, 32);
    memcpy(e->hy, key->hy, 32);
    e->backend = lp_strdup(key->backend);
    e->extra = key->extra ? lp_strdup(key->extra) : NULL;
    e->params = key->params ? lp_value_copy(key->params) : NULL;
    e->report = report && report_size ? malloc(report_size) : NULL;
    e->report_size = report_size;
    if (!e->backend || (key->extra && !e->extra) || (key->params && !e->params) ||
        (report && report_size && !e->report)) {
        entry_free(e);
        return;
    }
    if (e->report) memcpy(e->report, report, report_size);
    e->model = lp_model_ref(model);
    pthread_mutex_lock(&m->lock);
    e->next = m->head;
    m->head = e;
    pthread_mutex_unlock(&m->lock);
}

int lp_fit_memo_fit(lp_model **out, void *report, size_t report_size, const char *backend,
                    const lp_frame *X, const lp_frame *y, const lp_value *params, const char *extra,
                    lp_fit_memo_fn fit, void *ctx)
{
    lp_fit_memo *m = current;
    entry key = {.backend = (char *)(uintptr_t)backend,
                 .extra = (char *)(uintptr_t)extra,
                 .params = (lp_value *)(uintptr_t)params};
    if (!m || lp_frame_hash(X, key.hx) != 0 || lp_frame_hash(y, key.hy) != 0) {
        lp_error_clear(); /* a frame that cannot be hashed is just fitted */
        return fit(out, report, ctx);
    }
    pthread_mutex_lock(&m->lock);
    bool filling = m->filling;
    entry *e = filling ? NULL : take(m, &key);
    if (!filling) *(e ? &m->hits : &m->misses) += 1;
    pthread_mutex_unlock(&m->lock);
    if (e) {
        *out = lp_model_ref(e->model);
        if (report && e->report) memcpy(report, e->report, report_size);
        entry_free(e);
        return 0;
    }
    int rc = fit(out, report, ctx);
    if (rc == 0 && filling) keep(m, &key, *out, report, report_size);
    return rc;
}
