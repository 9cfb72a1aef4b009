/*
 * scaffold_files.c — writing generated files safely: parent directories
 * created, text written to a temporary file in the same directory and renamed
 * into place, so an interrupted `lolpop create` never leaves half a file.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/internal.h"
#include "cli/scaffold/scaffold.h"

bool scaffold_exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

/* mkdir -p of the directory part of path. */
static int make_parents(const char *path)
{
    char *dir = lp_strdup(path);
    if (!dir) return LP_ENOMEM;
    for (char *p = dir + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
            int rc = lp_error_set(LP_EIO, "cannot create directory %s: %s", dir, strerror(errno));
            free(dir);
            return rc;
        }
        *p = '/';
    }
    free(dir);
    return 0;
}

int scaffold_write(const char *path, const char *text, bool replace)
{
    if (!replace && scaffold_exists(path))
        return lp_error_set(LP_EEXISTS, "%s already exists (not overwritten)", path);
    int rc = make_parents(path);
    if (rc) return rc;
    return lp_file_write_atomic(path, text, strlen(text));
}

char *scaffold_read(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        lp_error_set(LP_EIO, "cannot read %s: %s", path, strerror(errno));
        return NULL;
    }
    lp_sb sb = {0};
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        lp_sb_appendn(&sb, buf, n);
    int bad = ferror(f);
    fclose(f);
    if (bad || sb.oom) {
        lp_sb_free(&sb);
        lp_error_set(bad ? LP_EIO : LP_ENOMEM, "cannot read %s", path);
        return NULL;
    }
    return lp_sb_take(&sb);
}
