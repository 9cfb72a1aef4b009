/*
 * cli_progress.c — draws the library's progress reports (lp_progress_*) as
 * one line on stderr: "training rounds  40/100 rounds  40%  ETA 0:03".
 *
 * Only on a terminal: when stderr is a pipe or a file, under -q or with
 * --log-format json, no renderer is installed and nothing is written. The
 * line is redrawn in place (\r, erase to the end) and erased when the task
 * ends; the console loggers erase it before writing a log line.
 */
#include <inttypes.h>
#include <unistd.h>

#include "cli.h"
#include "core/internal.h"

/* "M:SS", or "H:MM:SS" from an hour. */
static void format_duration(char *buf, size_t size, double seconds)
{
    unsigned long s = seconds > 0 ? (unsigned long)(seconds + 0.5) : 0;
    if (s >= 3600)
        snprintf(buf, size, "%lu:%02lu:%02lu", s / 3600, s / 60 % 60, s % 60);
    else
        snprintf(buf, size, "%lu:%02lu", s / 60, s % 60);
}

void cli_progress_format(char *buf, size_t size, const lp_progress *p)
{
    char time[32];
    if (p->total) {
        double pct = 100.0 * (double)p->done / (double)p->total;
        int n = snprintf(buf, size, "%s  %" PRIu64 "/%" PRIu64 " %s  %3.0f%%", p->what, p->done,
                         p->total, p->unit, pct > 100 ? 100 : pct);
        if (n < 0 || (size_t)n >= size) return;
        if (p->eta >= 0) {
            format_duration(time, sizeof time, p->eta);
            snprintf(buf + n, size - (size_t)n, "  ETA %s", time);
        }
    } else {
        format_duration(time, sizeof time, p->elapsed);
        snprintf(buf, size, "%s  %" PRIu64 " %s  %s", p->what, p->done, p->unit, time);
    }
}

static void render(const lp_progress *p, void *ctx)
{
    (void)ctx;
    if (p->finished) {
        fputs("\r\033[K", stderr);
    } else {
        char line[256];
        cli_progress_format(line, sizeof line, p);
        fprintf(stderr, "\r\033[K%s\r", line);
    }
    fflush(stderr);
}

void cli_progress_install(void)
{
    const cli_globals *g = cli_globals_get();
    bool show = isatty(STDERR_FILENO) && g->verbosity >= 0 && !g->json_logs;
    lp_progress_set_handler(show ? render : NULL, NULL);
}
