/*
 * ml_parallel.c — lp_ml_parallel (ml_parallel.h): workers take the next task
 * index from an atomic counter until none is left; the calling thread works
 * too. A thread-local flag makes a parallel run inside a task sequential.
 * Workers share the caller's fit memo (fit_memo.h).
 */
#include "ml/ml_parallel.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/internal.h"
#include "ml/fit_memo.h"

#define MAX_THREADS 16

static _Thread_local bool in_task;

typedef struct job {
    atomic_size_t next;
    size_t n;
    lp_ml_task_fn fn;
    void *ctx;
    lp_fit_memo *memo; /* the caller's current memo, the workers' too */
} job;

static void *work(void *arg)
{
    job *j = arg;
    bool was = in_task;
    in_task = true;
    for (;;) {
        size_t i = atomic_fetch_add(&j->next, 1);
        if (i >= j->n) break;
        j->fn(j->ctx, i);
    }
    in_task = was;
    return NULL;
}

/* A started thread: works, then frees its thread-local error (a failed
 * task's message, already copied to its slot) before it ends. */
static void *started_thread(void *arg)
{
    lp_fit_memo_use(((job *)arg)->memo);
    work(arg);
    lp_error_clear();
    return NULL;
}

size_t lp_ml_threads(void)
{
    const char *env = getenv("LOLPOP_THREADS");
    char *end = NULL;
    long want = env && *env ? strtol(env, &end, 10) : 0;
    if (env && *env && end && *end == '\0' && want >= 1)
        return want > MAX_THREADS ? MAX_THREADS : (size_t)want;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    return cores < 1 ? 1 : cores > MAX_THREADS ? MAX_THREADS : (size_t)cores;
}

void lp_ml_parallel(size_t n, lp_ml_task_fn fn, void *ctx)
{
    job j = {.n = n, .fn = fn, .ctx = ctx, .memo = lp_fit_memo_current()};
    atomic_init(&j.next, 0);
    size_t threads = in_task ? 1 : lp_ml_threads();
    pthread_t tid[MAX_THREADS];
    size_t started = 0;
    for (size_t t = 1; t < threads && t < n; t++) {
        if (pthread_create(&tid[started], NULL, started_thread, &j) != 0) break; /* fewer threads */
        started++;
    }
    work(&j);
    for (size_t t = 0; t < started; t++)
        pthread_join(tid[t], NULL);
}

void lp_ml_task_error_keep(lp_ml_task_error *e, int rc)
{
    e->code = rc;
    const char *m = lp_error_last()->message;
    snprintf(e->message, sizeof e->message, "%s", m && *m ? m : "failed");
}

int lp_ml_task_error_raise(const lp_ml_task_error *e)
{
    return lp_error_set(e->code, "%s", e->message);
}
