/*
 * progress.c — lp_progress_*: long steps report to the program's handler.
 *
 * The handler is process-wide (the CLI installs one before running
 * anything); reports are throttled here so that a trainer may call
 * lp_progress_update on every round without cost.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "internal.h"

static lp_progress_fn handler;
static void *handler_ctx;

void lp_progress_set_handler(lp_progress_fn fn, void *ctx)
{
    handler = fn;
    handler_ctx = ctx;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void emit(lp_progress_task *t, double now, bool finished)
{
    lp_progress p = {t->what, t->unit, t->done, t->total, now - t->start, -1, finished};
    if (t->total && t->done && t->done <= t->total)
        p.eta = p.elapsed * (double)(t->total - t->done) / (double)t->done;
    t->last = now;
    if (handler) handler(&p, handler_ctx);
}

LP_API void lp_progress_begin(lp_progress_task *t, const char *what, const char *unit,
                              uint64_t total)
{
    if (!t) return;
    memset(t, 0, sizeof *t);
    t->active = handler != NULL;
    if (!t->active) return;
    snprintf(t->what, sizeof t->what, "%s", what ? what : "");
    t->unit = unit ? unit : "";
    t->total = total;
    t->start = now_seconds();
    emit(t, t->start, false);
}

LP_API void lp_progress_update(lp_progress_task *t, uint64_t done)
{
    if (!t || !t->active) return;
    t->done = done;
    double now = now_seconds();
    if (now - t->last >= 0.1) emit(t, now, false);
}

LP_API void lp_progress_end(lp_progress_task *t)
{
    if (!t || !t->active) return;
    if (t->total && t->done < t->total) t->done = t->total;
    emit(t, now_seconds(), true);
    t->active = false;
}
