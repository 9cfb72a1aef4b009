/*
 * hook_child.c — runs a C test hook in a child process (fork), so that a
 * hook that crashes or hangs is recorded as an ERROR instead of taking the
 * workflow down (SPEC §8: "a hook that crashes or errors is recorded as an
 * error, never silently dropped").
 *
 * The child sees the parent's memory as it is at the call (copy-on-write):
 * the hook reads the arguments and result directly, and whatever it changes
 * in memory is gone when it returns; files it writes stay. Its verdict and
 * message come back through a pipe; the child leaves with _exit, running no
 * atexit handler of the parent's (stores, loggers, sanitizers).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testing_internal.h"

/* What the child writes back: its verdict and message. */
typedef struct child_report {
    int rc;
    char msg[1024];
} child_report;

static void run_child(int fd, lp_test_hook_fn fn, const lp_hook_ctx *ctx)
{
    child_report rep = {0};
    rep.rc = fn(ctx, rep.msg, sizeof rep.msg);
    rep.msg[sizeof rep.msg - 1] = '\0';
    size_t off = 0;
    while (off < sizeof rep) {
        ssize_t n = write(fd, (const char *)&rep + off, sizeof rep - off);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        off += (size_t)n;
    }
    _exit(0);
}

/* Reads the report until it is whole, EOF, or the deadline. 1 whole, 0 not, -1 timed out. */
static int read_report(int fd, child_report *rep, double timeout)
{
    size_t off = 0;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (off < sizeof *rep) {
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        double left =
            timeout - (double)(now.tv_sec - t0.tv_sec) - (double)(now.tv_nsec - t0.tv_nsec) / 1e9;
        if (left <= 0) return -1;
        struct pollfd p = {fd, POLLIN, 0};
        int r = poll(&p, 1, (int)(left * 1000) + 1);
        if (r < 0 && errno == EINTR) continue;
        if (r == 0) return -1;
        ssize_t n = read(fd, (char *)rep + off, sizeof *rep - off);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return 0;
        off += (size_t)n;
    }
    return 1;
}

int lp_hook_run_isolated(lp_test_hook_fn fn, const lp_hook_ctx *ctx, double timeout, int *rc,
                         char *msg, size_t size)
{
    int fds[2];
    if (pipe(fds) != 0)
        return snprintf(msg, size, "cannot run the hook: pipe: %s", strerror(errno)), -1;
    fflush(stdout); /* the child must not write the parent's buffered output again */
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        snprintf(msg, size, "cannot run the hook: fork: %s", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        close(fds[0]);
        run_child(fds[1], fn, ctx);
    }
    close(fds[1]);
    child_report rep;
    int got = read_report(fds[0], &rep, timeout);
    close(fds[0]);
    if (got < 0) kill(pid, SIGKILL);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (got > 0) {
        *rc = rep.rc;
        snprintf(msg, size, "%s", rep.msg);
        return 0;
    }
    if (got < 0)
        snprintf(msg, size,
                 "the hook did not finish within %g s and was stopped (set timeout: "
                 "on the test to allow more)",
                 timeout);
    else if (WIFSIGNALED(status))
        snprintf(msg, size, "the hook crashed (signal %d, %s)", WTERMSIG(status),
                 strsignal(WTERMSIG(status)));
    else
        snprintf(msg, size, "the hook ended without a verdict (exit status %d)",
                 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    return -1;
}
