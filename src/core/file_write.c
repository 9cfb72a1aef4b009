/*
 * file_write.c — lp_file_write_atomic: a whole file written through a temp
 * file in the same directory, fsync'ed, then renamed over the target, so a
 * reader sees the old file or the new one, never half of it.
 *
 * Also compiled into the lolpop program's private helpers (src/cli/meson.build),
 * like suggest.c: the symbol stays hidden in liblolpop.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

/* Writes all of data to fd; 0 or -1 with errno. */
static int write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t w = write(fd, data, len);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        data += w;
        len -= (size_t)w;
    }
    return 0;
}

int lp_file_write_atomic(const char *path, const void *data, size_t len)
{
    char *tmp = lp_asprintf("%s.tmp-XXXXXX", path);
    if (!tmp) return LP_ENOMEM;
    int fd = mkstemp(tmp);
    if (fd < 0) {
        int rc = lp_error_set(LP_EIO, "cannot create %s: %s", tmp, strerror(errno));
        free(tmp);
        return rc;
    }
    int failed = write_all(fd, data, len) != 0 || fsync(fd) != 0;
    int err = errno;
    failed |= close(fd) != 0;
    /* mkstemp makes 0600 files; these are ordinary files (0666 less the umask) */
    mode_t mask = umask(0);
    umask(mask);
    if (!failed && chmod(tmp, 0666 & ~mask) != 0) failed = 1, err = errno;
    if (!failed && rename(tmp, path) != 0) failed = 1, err = errno;
    int rc = 0;
    if (failed) {
        unlink(tmp);
        rc = lp_error_set(LP_EIO, "cannot write %s: %s", path, strerror(err));
    }
    free(tmp);
    return rc;
}
