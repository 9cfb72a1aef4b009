/*
 * tracker_objects.c — LocalMetadataTracker's copies of report and artifact
 * files in the content-addressed object store (lolpop/objstore.h), so that a
 * recorded report outlives its output directory: `lolpop runs show` names the
 * object, and the same content is stored once.
 *
 * The objects go to config `objects_dir` (default: the metadata store's
 * directory, where LocalResourceVersionControl keeps its objects by default,
 * so both share one store). A file that is missing, too large or cannot be
 * stored is recorded without an object and logged at WARN: keeping a copy
 * never fails the step that made the report.
 */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "components/metadata_tracker/tracker.h"
#include "lolpop/objstore.h"

#define MAX_OBJECT_BYTES ((size_t)512 << 20)

/* The object store directory for self (new string). */
static char *objects_dir(lp_obj *self, const char *store)
{
    char *dir = lp_obj_config_string(self, "objects_dir");
    if (dir && *dir) return dir;
    free(dir);
    const char *path = strncmp(store, "sqlite:", 7) == 0 ? store + 7 : store;
    char *copy = lp_strdup(path);
    char *out = copy ? lp_strdup(dirname(copy)) : NULL;
    free(copy);
    return out;
}

/* Reads a whole regular file into *buf (*len bytes); LP_ENOTFOUND when it is not there. */
static int read_file(const char *path, uint8_t **buf, size_t *len)
{
    struct stat sb;
    if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
        return lp_error_set(LP_ENOTFOUND, "'%s' is not a file", path);
    if ((size_t)sb.st_size > MAX_OBJECT_BYTES)
        return lp_error_set(LP_EINVAL, "'%s' is larger than %zu MiB", path, MAX_OBJECT_BYTES >> 20);
    FILE *f = fopen(path, "rb");
    if (!f) return lp_error_set(LP_EIO, "cannot read '%s': %s", path, strerror(errno));
    *buf = malloc((size_t)sb.st_size + 1);
    *len = *buf ? fread(*buf, 1, (size_t)sb.st_size, f) : 0;
    bool ok = *buf && !ferror(f);
    fclose(f);
    if (!ok) {
        free(*buf);
        *buf = NULL;
        return lp_error_set(LP_EIO, "cannot read '%s'", path);
    }
    return 0;
}

int lp_tracker_store_object(lp_objstore **os, lp_obj *self, const char *store, const char *path,
                            char hex[65])
{
    hex[0] = 0;
    if (!path) return 0;
    uint8_t *buf = NULL;
    size_t len = 0;
    int rc = read_file(path, &buf, &len);
    if (rc == LP_ENOTFOUND) { /* nothing to keep: recorded without an object */
        lp_error_clear();
        return 0;
    }
    if (rc == 0 && !*os) {
        char *dir = objects_dir(self, store);
        rc = dir ? lp_objstore_open(os, dir) : LP_ENOMEM;
        free(dir);
    }
    if (rc == 0) rc = lp_objstore_put(*os, buf, len, hex);
    free(buf);
    if (rc) {
        lp_log(self, LP_LOG_WARN,
               "LocalMetadataTracker: '%s' was recorded without a copy in the "
               "object store: %s",
               path, lp_error_last()->message);
        lp_error_clear();
        hex[0] = 0;
    }
    return 0;
}
