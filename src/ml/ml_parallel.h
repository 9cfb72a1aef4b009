/*
 * ml_parallel.h — independent numeric tasks spread over threads (internal):
 * the candidate models of an automatic ETS fit, the folds of a rolling-origin
 * cross-validation. Results do not depend on the number of threads: tasks
 * write only their own slots and the caller combines the slots in task order.
 *
 * LOLPOP_THREADS (an integer >= 1) caps the threads; unset, one per online
 * core (at most 16). A parallel run started inside a task runs sequentially
 * (no threads squared).
 */
#ifndef LP_ML_PARALLEL_H
#define LP_ML_PARALLEL_H

#include <stddef.h>

/* One task: i in [0, n). Must touch only what task i owns (and shared
 * read-only data); its lp_error is the worker's own (thread-local). */
typedef void (*lp_ml_task_fn)(void *ctx, size_t i);

/* The threads a parallel run may use (>= 1): LOLPOP_THREADS when it is an
 * integer >= 1, else the online cores, at most 16. */
size_t lp_ml_threads(void);

/* Runs fn(ctx, i) for every i in [0, n), on min(lp_ml_threads(), n) threads
 * (the caller's among them; fewer when a thread cannot be started) and
 * returns when all are done. */
void lp_ml_parallel(size_t n, lp_ml_task_fn fn, void *ctx);

/* A task's failure kept for the caller's thread: code and a copy of the
 * worker's last error message. */
typedef struct lp_ml_task_error {
    int code;
    char message[512];
} lp_ml_task_error;

/* Records rc (nonzero) and the calling thread's last error message in *e. */
void lp_ml_task_error_keep(lp_ml_task_error *e, int rc);

/* Sets e's error as the calling thread's last error; returns e->code. */
int lp_ml_task_error_raise(const lp_ml_task_error *e);

#endif
