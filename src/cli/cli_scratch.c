/*
 * cli_scratch.c — the scratch directory of `lolpop test workflow` (issue 11
 * Fix 12): a copy of the store and of every output the configuration names,
 * so that testing a workflow never promotes a model, never moves an alias
 * and never overwrites the predictions or bundles of the real run.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "core/config_paths.h"
#include "core/internal.h"

/* mkdir -p; 0 or -1 with errno set. */
static int mkdir_p(const char *dir)
{
    char *p = lp_strdup(dir);
    if (!p) return -1;
    for (char *s = p + 1; *s; s++) {
        if (*s != '/') continue;
        *s = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST) {
            free(p);
            return -1;
        }
        *s = '/';
    }
    int rc = mkdir(p, 0777) != 0 && errno != EEXIST ? -1 : 0;
    free(p);
    return rc;
}

static int mkdir_parent(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash || slash == path) return 0;
    char *dir = lp_strndup(path, (size_t)(slash - path));
    int rc = dir ? mkdir_p(dir) : -1;
    free(dir);
    return rc;
}

static int copy_file(const char *from, const char *to, mode_t mode)
{
    int in = open(from, O_RDONLY | O_CLOEXEC);
    if (in < 0) return -1;
    int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode & 0777);
    int rc = out < 0 ? -1 : 0;
    char buf[1 << 16];
    for (ssize_t n; rc == 0 && (n = read(in, buf, sizeof buf)) != 0;) {
        if (n < 0) {
            rc = errno == EINTR ? 0 : -1;
            continue;
        }
        for (ssize_t off = 0; rc == 0 && off < n;) {
            ssize_t w = write(out, buf + off, (size_t)(n - off));
            if (w < 0 && errno != EINTR) rc = -1;
            if (w > 0) off += w;
        }
    }
    int saved = errno;
    close(in);
    if (out >= 0 && close(out) != 0) rc = -1;
    errno = saved;
    return rc;
}

/* nftw has no user pointer: the copy in progress (one at a time, CLI only). */
static const char *copy_from, *copy_to;

static int copy_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)ftw;
    char *dest = lp_asprintf("%s%s", copy_to, path + strlen(copy_from));
    if (!dest) return -1;
    int rc = 0;
    if (flag == FTW_D)
        rc = mkdir_p(dest);
    else if (flag == FTW_SL) {
        char target[PATH_MAX];
        ssize_t n = readlink(path, target, sizeof target - 1);
        if (n >= 0) target[n] = '\0';
        rc = n < 0 || (symlink(target, dest) != 0 && errno != EEXIST) ? -1 : 0;
    } else if (flag == FTW_F)
        rc = copy_file(path, dest, st->st_mode);
    if (rc != 0) lp_error_set(LP_EIO, "cannot copy '%s' to '%s': %s", path, dest, strerror(errno));
    free(dest);
    return rc;
}

int cli_scratch_copy(const char *from, const char *to)
{
    struct stat st;
    if (lstat(from, &st) != 0) return 0; /* nothing there yet: nothing to copy */
    if (mkdir_parent(to) != 0)
        return lp_error_set(LP_EIO, "cannot create the directory of '%s': %s", to, strerror(errno));
    copy_from = from;
    copy_to = to;
    int rc = nftw(from, copy_entry, 16, FTW_PHYS);
    copy_from = copy_to = NULL;
    if (rc != 0 && lp_error_last()->code == 0)
        return lp_error_set(LP_EIO, "cannot copy '%s': %s", from, strerror(errno));
    return rc ? LP_EIO : 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path) == 0 || errno == ENOENT ? 0 : -1;
}

int cli_scratch_remove(const char *dir)
{
    if (nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS) == 0 || errno == ENOENT) return 0;
    return lp_error_set(LP_EIO, "cannot remove the scratch directory '%s': %s", dir,
                        strerror(errno));
}

/* Copies the working directory's .lolpop (the default store, object store,
 * reports and deployments) and every output the document names into `dir`,
 * and points those outputs there. */
int cli_scratch_prepare(lp_value *doc, const char *cwd, const char *dir)
{
    if (mkdir_p(dir) != 0)
        return lp_error_set(LP_EIO, "cannot create the scratch directory '%s': %s", dir,
                            strerror(errno));
    int rc = lp_config_resolve_paths(doc, cwd);
    lp_value *moved = NULL;
    if (rc == 0) rc = lp_config_reroot_outputs(&moved, doc, dir);
    char *from = rc == 0 ? lp_asprintf("%s/.lolpop", cwd) : NULL;
    char *to = rc == 0 ? lp_asprintf("%s/.lolpop", dir) : NULL;
    if (rc == 0) rc = from && to ? cli_scratch_copy(from, to) : LP_ENOMEM;
    for (size_t i = 0; rc == 0 && i < lp_list_len(moved); i++) {
        const lp_value *m = lp_list_get(moved, i);
        const char *out = lp_value_as_string(lp_map_get(m, "to"));
        rc = cli_scratch_copy(lp_value_as_string(lp_map_get(m, "from")), out);
        if (rc == 0 && mkdir_parent(out) != 0)
            rc = lp_error_set(LP_EIO, "cannot create the directory of '%s': %s", out,
                              strerror(errno));
    }
    free(from);
    free(to);
    lp_value_unref(moved);
    return rc;
}
