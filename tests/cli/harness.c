/*
 * harness.c — see harness.h.
 */
#include "harness.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* Whether `extra` sets the variable of the "NAME=value" entry `var`. */
static bool overridden(const char *var, const char *const *extra)
{
    size_t len = strcspn(var, "=") + 1;
    for (size_t i = 0; extra && extra[i]; i++)
        if (strncmp(extra[i], var, len) == 0) return true;
    return false;
}

static char **child_env(const char *const *extra)
{
    size_t n = 0, m = 0;
    while (environ[n])
        n++;
    while (extra && extra[m])
        m++;
    char **env = calloc(n + m + 2, sizeof *env);
    cr_assert_not_null(env);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (strncmp(environ[i], "LOLPOP_PLUGIN_PATH=", 19) != 0 &&
            strncmp(environ[i], "NO_COLOR=", 9) != 0 && strncmp(environ[i], "LOLPOP_T_", 9) != 0 &&
            !overridden(environ[i], extra))
            env[k++] = environ[i];
    env[k++] = (char *)(uintptr_t) "NO_COLOR=1";
    for (size_t i = 0; i < m; i++)
        env[k++] = (char *)(uintptr_t)extra[i];
    return env;
}

typedef struct buf {
    char *data;
    size_t len, cap;
} buf;

static void buf_reserve(buf *b)
{
    if (b->cap - b->len < 4097) {
        b->cap = b->cap * 2 + 8192;
        b->data = realloc(b->data, b->cap);
        cr_assert_not_null(b->data);
    }
    b->data[b->len] = '\0';
}

static void buf_read(buf *b, int fd, bool *open)
{
    buf_reserve(b);
    ssize_t n = read(fd, b->data + b->len, 4096);
    if (n > 0)
        b->len += (size_t)n;
    else if (n == 0 || errno != EINTR)
        *open = false;
    b->data[b->len] = '\0';
}

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Reads both pipes until they close or the deadline passes. */
static bool drain(pid_t pid, int out_fd, int err_fd, buf *out, buf *err, long deadline_ms)
{
    bool out_open = true, err_open = true;
    long deadline = now_ms() + deadline_ms;
    buf_reserve(out);
    buf_reserve(err);
    while (out_open || err_open) {
        long left = deadline - now_ms();
        if (left <= 0) {
            kill(pid, SIGKILL);
            return false;
        }
        struct pollfd fds[2] = {{out_open ? out_fd : -1, POLLIN, 0},
                                {err_open ? err_fd : -1, POLLIN, 0}};
        if (poll(fds, 2, (int)left) < 0 && errno != EINTR) break;
        if (fds[0].revents) buf_read(out, out_fd, &out_open);
        if (fds[1].revents) buf_read(err, err_fd, &err_open);
    }
    return true;
}

/* LOLPOP_T_TIME_SCALE (a whole number, default 1) multiplies every deadline:
 * scripts/valgrind-suite sets it, since memcheck runs a program 20-50x slower.
 * (The LOLPOP_T_ prefix keeps it out of the child's environment.) */
static long scaled(long deadline_ms)
{
    const char *s = getenv("LOLPOP_T_TIME_SCALE");
    long scale = s ? strtol(s, NULL, 10) : 1;
    return scale > 1 ? deadline_ms * scale : deadline_ms;
}

lp_run lp_run_exe(const char *exe, const char *dir, const char *const *env_extra,
                  const char *const *args, long deadline_ms)
{
    deadline_ms = scaled(deadline_ms);
    size_t n = 0;
    while (args[n])
        n++;
    char **argv = calloc(n + 2, sizeof *argv);
    cr_assert_not_null(argv);
    argv[0] = (char *)(uintptr_t)exe;
    for (size_t i = 0; i < n; i++)
        argv[i + 1] = (char *)(uintptr_t)args[i];
    char **envp = child_env(env_extra);
    int out_pipe[2], err_pipe[2];
    cr_assert_eq(pipe(out_pipe), 0);
    cr_assert_eq(pipe(err_pipe), 0);
    fflush(NULL);
    pid_t pid = fork();
    cr_assert_neq(pid, -1, "fork: %s", strerror(errno));
    if (pid == 0) {
        dup2(out_pipe[1], STDOUT_FILENO);
        dup2(err_pipe[1], STDERR_FILENO);
        close(out_pipe[0]);
        close(err_pipe[0]);
        close(out_pipe[1]);
        close(err_pipe[1]);
        if (chdir(dir) != 0) _exit(126);
        execve(exe, argv, envp);
        _exit(127);
    }
    close(out_pipe[1]);
    close(err_pipe[1]);
    buf out = {0}, err = {0};
    bool finished = drain(pid, out_pipe[0], err_pipe[0], &out, &err, deadline_ms);
    close(out_pipe[0]);
    close(err_pipe[0]);
    int st = 0;
    waitpid(pid, &st, 0);
    free(argv);
    free(envp);
    lp_run r = {.out = out.data, .err = err.data};
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    cr_assert(finished, "%s did not finish within %ld ms\nstdout:\n%s\nstderr:\n%s", exe,
              deadline_ms, r.out, r.err);
    return r;
}

void lp_run_free(lp_run *r)
{
    free(r->out);
    free(r->err);
    r->out = r->err = NULL;
}

char *lp_tmpdir_make(char *templ)
{
    char *d = mkdtemp(templ);
    cr_assert_not_null(d, "mkdtemp: %s", strerror(errno));
    return d;
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void lp_tmpdir_remove(const char *dir)
{
    if (dir && *dir) nftw(dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
}

static void copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb");
    FILE *out = in ? fopen(to, "wb") : NULL;
    cr_assert(in && out, "cannot copy %s to %s: %s", from, to, strerror(errno));
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, in)) > 0)
        cr_assert_eq(fwrite(chunk, 1, n, out), n);
    fclose(in);
    cr_assert_eq(fclose(out), 0);
}

static const char *copy_src, *copy_dst;

static int copy_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)ftw;
    char target[PATH_MAX];
    snprintf(target, sizeof target, "%s%s", copy_dst, path + strlen(copy_src));
    const char *base = strrchr(path, '/');
    if (base && strcmp(base, "/.lolpop") == 0) return FTW_SKIP_SUBTREE;
    if (flag == FTW_D)
        mkdir(target, 0755);
    else if (S_ISREG(sb->st_mode))
        copy_file(path, target);
    return FTW_CONTINUE;
}

void lp_copy_tree(const char *src, const char *dst)
{
    copy_src = src;
    copy_dst = dst;
    nftw(src, copy_entry, 8, FTW_PHYS | FTW_ACTIONRETVAL);
}

void lp_copy_example(const char *src, const char *dst)
{
    lp_copy_tree(src, dst); /* skips .lolpop/ */
    char stale[PATH_MAX];
    snprintf(stale, sizeof stale, "%s/predictions.csv", dst);
    remove(stale);
}

const char *lp_example_tmpdir(char *path, size_t size, const char *tag, const char *src)
{
    snprintf(path, size, "/tmp/lolpop-%s-XXXXXX", tag);
    const char *dir = lp_tmpdir_make(path);
    lp_copy_example(src, dir);
    return dir;
}

const char *lp_path_in(const char *dir, const char *name)
{
    static char ring[8][PATH_MAX];
    static int next;
    char *path = ring[next++ % 8];
    snprintf(path, PATH_MAX, "%s/%s", dir, name);
    return path;
}

const char *lp_write_bytes(const char *dir, const char *name, const char *bytes, size_t len)
{
    const char *path = lp_path_in(dir, name);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f, "cannot write %s", path);
    cr_assert_eq(fwrite(bytes, 1, len, f), len);
    cr_assert_eq(fclose(f), 0);
    return path;
}

const char *lp_write_file(const char *dir, const char *name, const char *text)
{
    return lp_write_bytes(dir, name, text, strlen(text));
}

char *lp_read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 65536, len = 0;
    char *data = malloc(cap);
    size_t n;
    while (data && (n = fread(data + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (cap - len < 2) data = realloc(data, cap *= 2);
    }
    fclose(f);
    if (data) data[len] = '\0';
    return data;
}
