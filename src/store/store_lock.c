/*
 * store_lock.c — run locks of file-based stores: <dir>/runs/<run id>.lock,
 * flock'ed by the process running the run for as long as it runs.
 *
 * The kernel drops a flock when its process dies, however it dies, so a
 * `running` row whose lock can be taken belongs to a process that is gone.
 * The lock is taken before the row is inserted, so no live run is ever seen
 * without its lock. flock locks belong to open file descriptions: a second
 * handle in the same process does not get its own run's lock either.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store/store_backend.h"

static char *lock_path(const char *dir, const char *run_id)
{
    return lp_asprintf("%s/runs/%s.lock", dir, run_id);
}

int lp_store_lock_take(const char *dir, const char *run_id)
{
    char *runs = lp_asprintf("%s/runs", dir);
    char *path = lock_path(dir, run_id);
    int rc = runs && path ? 0 : LP_ENOMEM;
    if (rc == 0 && mkdir(runs, 0755) != 0 && errno != EEXIST)
        rc = lp_error_set(LP_EIO, "cannot create the run lock directory '%s': %s", runs,
                          strerror(errno));
    int fd = rc ? -1 : open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (rc == 0 && fd < 0)
        rc = lp_error_set(LP_EIO, "cannot create the run lock '%s': %s", path, strerror(errno));
    if (rc == 0 && flock(fd, LOCK_EX | LOCK_NB) != 0)
        rc = lp_error_set(LP_EIO, "cannot lock the run lock '%s': %s", path, strerror(errno));
    if (rc == 0) { /* the pid, for people looking at the directory */
        char pid[32];
        int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
        if (ftruncate(fd, 0) != 0 || write(fd, pid, (size_t)n) != n) { /* only informative */
        }
    }
    if (rc && fd >= 0) close(fd);
    free(runs);
    free(path);
    return rc ? rc : fd;
}

void lp_store_lock_release(const char *dir, const char *run_id, int fd)
{
    if (fd < 0) return;
    char *path = lock_path(dir, run_id);
    if (path) unlink(path); /* while still holding it: nobody can see a free lock of a live run */
    free(path);
    close(fd);
}

bool lp_store_lock_is_stale(const char *dir, const char *run_id)
{
    char *path = lock_path(dir, run_id);
    if (!path) return false;
    int fd = open(path, O_RDWR | O_CLOEXEC);
    bool stale;
    if (fd < 0) {
        stale = errno == ENOENT; /* unreadable: cannot tell, so leave the run alone */
    } else {
        stale = flock(fd, LOCK_EX | LOCK_NB) == 0;
        if (stale) unlink(path);
        close(fd);
    }
    free(path);
    return stale;
}

/* ---- model deploy locks --------------------------------------------------------------- */

/* The lock file's name for a model: bytes outside [A-Za-z0-9_.-] as %XX, so
 * that every name has its own file and none leaves the directory. */
static char *model_lock_path(const char *dir, const char *name)
{
    lp_sb sb = {0};
    lp_sb_appendf(&sb, "%s/locks/model-", dir);
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        bool plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                     (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' ||
                     (*p == '.' && p != (const unsigned char *)name);
        if (plain)
            lp_sb_appendf(&sb, "%c", *p);
        else
            lp_sb_appendf(&sb, "%%%02X", *p);
    }
    lp_sb_append(&sb, ".lock");
    return lp_sb_take(&sb);
}

/* The pid a lock file says holds it, for messages (0 when unreadable). */
static long holder_pid(int fd)
{
    char buf[32] = {0};
    ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
    return n > 0 ? strtol(buf, NULL, 10) : 0;
}

int lp_store_model_lock_take(const char *dir, const char *location, const char *name,
                             double timeout_s)
{
    char *locks = lp_asprintf("%s/locks", dir);
    char *path = model_lock_path(dir, name);
    int rc = locks && path ? 0 : LP_ENOMEM;
    if (rc == 0 && mkdir(locks, 0755) != 0 && errno != EEXIST)
        rc = lp_error_set(LP_EIO, "metadata store '%s': cannot create the lock directory '%s': %s",
                          location, locks, strerror(errno));
    int fd = rc ? -1 : open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (rc == 0 && fd < 0)
        rc = lp_error_set(LP_EIO, "metadata store '%s': cannot open the deploy lock '%s': %s",
                          location, path, strerror(errno));
    /* Polled rather than blocking, so that a stuck holder becomes an error
     * naming it instead of a hang. Holders keep it for one switch. */
    struct timespec nap = {0, 20 * 1000 * 1000};
    double waited = 0;
    while (rc == 0 && flock(fd, LOCK_EX | LOCK_NB) != 0) {
        if (errno != EWOULDBLOCK && errno != EINTR)
            rc = lp_error_set(LP_EIO, "metadata store '%s': cannot lock '%s': %s", location, path,
                              strerror(errno));
        else if (waited >= timeout_s)
            rc = lp_error_set(LP_EIO,
                              "metadata store '%s': model '%s' is being deployed by process %ld "
                              "(it holds '%s'); gave up after %.0f s",
                              location, name, holder_pid(fd), path, timeout_s);
        else {
            nanosleep(&nap, NULL);
            waited += 0.02;
        }
    }
    if (rc == 0) {
        char pid[32];
        int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
        if (ftruncate(fd, 0) != 0 || pwrite(fd, pid, (size_t)n, 0) != n) { /* only informative */
        }
    }
    if (rc && fd >= 0) close(fd);
    free(locks);
    free(path);
    return rc ? rc : fd;
}

void lp_store_model_lock_release(int fd)
{
    /* The file stays: unlinking it would let a waiter lock a file that a
     * newcomer no longer opens. */
    if (fd >= 0) close(fd);
}
