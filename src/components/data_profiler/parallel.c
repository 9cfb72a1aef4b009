/*
 * parallel.c — the profile's tasks (one per column, one per correlation pair)
 * spread over threads: workers take the next task index from an atomic counter
 * until none is left. Tasks report failure through their own result slots; a
 * worker's lp_error is thread-local, so the caller sets the error it reports.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

#include "components/data_profiler/profiler.h"

#define MAX_THREADS 16

typedef struct job {
    atomic_size_t next;
    size_t n;
    lp_prof_task_fn fn;
    void *ctx;
} job;

typedef struct worker {
    job *j;
    size_t id;
} worker;

static void *work(void *arg)
{
    worker *w = arg;
    for (;;) {
        size_t i = atomic_fetch_add(&w->j->next, 1);
        if (i >= w->j->n) break;
        w->j->fn(w->j->ctx, i, w->id);
    }
    return NULL;
}

size_t lp_prof_threads(void)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    return cores < 1 ? 1 : cores > MAX_THREADS ? MAX_THREADS : (size_t)cores;
}

void lp_prof_parallel(size_t threads, size_t n, lp_prof_task_fn fn, void *ctx)
{
    job j = {.n = n, .fn = fn, .ctx = ctx};
    atomic_init(&j.next, 0);
    pthread_t tid[MAX_THREADS];
    worker w[MAX_THREADS];
    size_t started = 0;
    if (threads > MAX_THREADS) threads = MAX_THREADS;
    for (size_t t = 1; t < threads && t < n; t++) {
        w[t] = (worker){&j, t};
        if (pthread_create(&tid[started], NULL, work, &w[t]) != 0) break; /* fewer threads */
        started++;
    }
    w[0] = (worker){&j, 0};
    work(&w[0]);
    for (size_t t = 0; t < started; t++)
        pthread_join(tid[t], NULL);
}
