/*
 * progress.h — progress of long steps (training rounds, tuning trials,
 * reading a large file, scoring), reported to whoever the program installed.
 *
 * Code below the CLI never prints: a long step calls lp_progress_begin /
 * lp_progress_update / lp_progress_end on a task it owns (on its stack), and
 * the program's handler renders it (the `lolpop` CLI draws one line with an
 * ETA on stderr when it is a terminal, and nothing otherwise or under -q).
 * Without a handler each call is a load and a compare. Updates are throttled
 * here (at most ten a second reach the handler, plus the last one). A task is
 * updated from one thread at a time.
 */
#ifndef LOLPOP_PROGRESS_H
#define LOLPOP_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One report, as the handler sees it (valid for the call only). */
typedef struct lp_progress {
    const char *what; /* "training rounds", "reading data/train.csv", ... */
    const char *unit; /* "rounds", "trials", "rows", "bytes" */
    uint64_t done;
    uint64_t total; /* 0 when unknown */
    double elapsed; /* seconds since lp_progress_begin */
    double eta;     /* seconds left (linear estimate), or -1 when unknown */
    bool finished;  /* the last report of the task */
} lp_progress;

typedef void (*lp_progress_fn)(const lp_progress *p, void *ctx);

/* A long step's progress (the caller's, usually on its stack; fields are
 * private). */
typedef struct lp_progress_task {
    char what[96];
    const char *unit; /* borrowed, static */
    uint64_t total, done;
    double start, last; /* monotonic seconds */
    bool active;        /* a handler was installed at begin */
} lp_progress_task;

/* Starts task t: `what` is copied (truncated to 95 bytes), `unit` must be a
 * static string, total 0 when unknown. Reports done = 0. */
void lp_progress_begin(lp_progress_task *t, const char *what, const char *unit, uint64_t total);
/* Sets how much is done (reported when 100 ms passed since the last report). */
void lp_progress_update(lp_progress_task *t, uint64_t done);
/* Ends the task: one last report with finished set. */
void lp_progress_end(lp_progress_task *t);

#ifdef __cplusplus
}
#endif
#endif
