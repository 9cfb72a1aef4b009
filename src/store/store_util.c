/*
 * store_util.c — what every back-end shares: run ids, the git commit of the
 * working directory (read from .git without running git), and values to and
 * from JSON text (the store keeps tags, configurations and reports as JSON).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "core/value_json.h"
#include "store/store_backend.h"

/* ---- run ids ----------------------------------------------------------------------------- */

static int random_bytes(unsigned char *buf, size_t n)
{
    if (getrandom(buf, n, 0) == (ssize_t)n) return 0;
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    ssize_t got = fd >= 0 ? read(fd, buf, n) : -1;
    if (fd >= 0) close(fd);
    if (got == (ssize_t)n) return 0;
    return lp_error_set(LP_EIO, "cannot read random bytes for a run id: %s", strerror(errno));
}

int lp_store_new_run_id(char *buf, size_t size)
{
    if (!buf || size < LP_STORE_RUN_ID_LEN + 1)
        return lp_error_set(LP_EINVAL, "lp_store_new_run_id: buffer too small");
    unsigned char r[3];
    int rc = random_bytes(r, sizeof r);
    if (rc) return rc;
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    snprintf(buf, size, "%.15s-%02x%02x%02x", stamp, r[0], r[1], r[2]);
    return 0;
}

/* ---- git ---------------------------------------------------------------------------------- */

/* The first line of a small file (new string, trailing whitespace cut), or NULL. */
static char *read_line(const char *dir, const char *name)
{
    char path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path) return NULL;
    FILE *f = fopen(path, "re");
    if (!f) return NULL;
    char buf[1024];
    char *line = fgets(buf, sizeof buf, f) ? buf : NULL;
    fclose(f);
    if (!line) return NULL;
    size_t n = strlen(line);
    while (n && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' '))
        line[--n] = 0;
    return strdup(line);
}

static bool is_hex_id(const char *s)
{
    size_t n = strlen(s);
    if (n != 40 && n != 64) return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) return false;
    return true;
}

/* `ref` ("refs/heads/main") from packed-refs in dir (new string), or NULL. */
static char *packed_ref(const char *dir, const char *ref)
{
    char path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s/packed-refs", dir) >= (int)sizeof path) return NULL;
    FILE *f = fopen(path, "re");
    if (!f) return NULL;
    char line[1024];
    char *found = NULL;
    while (!found && fgets(line, sizeof line, f)) {
        if (line[0] == '#' || line[0] == '^') continue;
        char *sp = strchr(line, ' ');
        if (!sp) continue;
        *sp = 0;
        char *name = sp + 1;
        name[strcspn(name, "\r\n")] = 0;
        if (strcmp(name, ref) == 0 && is_hex_id(line)) found = strdup(line);
    }
    fclose(f);
    return found;
}

/* The git directory of the work tree containing `start` (new string), or NULL. */
static char *find_git_dir(const char *start)
{
    char dir[PATH_MAX];
    if (snprintf(dir, sizeof dir, "%s", start) >= (int)sizeof dir) return NULL;
    for (;;) {
        char dotgit[PATH_MAX + 8];
        snprintf(dotgit, sizeof dotgit, "%s/.git", dir[1] ? dir : "");
        struct stat sb;
        if (stat(dotgit, &sb) == 0) {
            if (S_ISDIR(sb.st_mode)) return strdup(dotgit);
            char *line = S_ISREG(sb.st_mode) ? read_line(dir, ".git") : NULL;
            char *gd = NULL;
            if (line && strncmp(line, "gitdir: ", 8) == 0) {
                const char *p = line + 8;
                if (p[0] == '/')
                    gd = strdup(p);
                else if (asprintf(&gd, "%s/%s", dir, p) < 0)
                    gd = NULL;
            }
            free(line);
            return gd;
        }
        char *slash = strrchr(dir, '/');
        if (!slash || slash == dir) {
            if (dir[0] == '/' && dir[1]) {
                dir[1] = 0; /* try the root itself once */
                continue;
            }
            return NULL;
        }
        *slash = 0;
    }
}

char *lp_store_git_commit(const char *start)
{
    char *gitdir = start ? find_git_dir(start) : NULL;
    if (!gitdir) return NULL;
    /* Linked work trees keep their refs in the common directory. */
    char *common_rel = read_line(gitdir, "commondir");
    char *common = NULL;
    if (common_rel && common_rel[0] == '/')
        common = strdup(common_rel);
    else if (common_rel && asprintf(&common, "%s/%s", gitdir, common_rel) < 0)
        common = NULL;
    free(common_rel);
    char *head = read_line(gitdir, "HEAD");
    for (int depth = 0; head && strncmp(head, "ref: ", 5) == 0 && depth < 5; depth++) {
        char ref[512];
        snprintf(ref, sizeof ref, "%s", head + 5);
        free(head);
        head = read_line(gitdir, ref);
        if (!head && common) head = read_line(common, ref);
        if (!head) head = packed_ref(common ? common : gitdir, ref);
    }
    free(gitdir);
    free(common);
    if (head && !is_hex_id(head)) {
        free(head);
        head = NULL;
    }
    return head;
}

/* ---- JSON --------------------------------------------------------------------------------- */

char *lp_store_value_json(const lp_value *v, int flags)
{
    json_t *j = lp_json_from_value(v, (flags & LP_STORE_JSON_HIDE_ENV) ? LP_JSON_HIDE_ENV : 0);
    char *text = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY) : NULL;
    json_decref(j);
    if (!text) {
        lp_error_set(LP_ENOMEM, "out of memory turning a value into JSON");
        return NULL;
    }
    /* jansson allocates with malloc by default; hand out our own copy anyway. */
    char *copy = lp_strdup(text);
    free(text);
    return copy;
}

int lp_store_json_value(const char *text, lp_value **out)
{
    if (!out) return lp_error_set(LP_EINVAL, "lp_store_json_value: out is required");
    *out = NULL;
    json_error_t err;
    json_t *j = text ? json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err) : NULL;
    if (!j)
        return lp_error_set(LP_EINVAL, "invalid JSON in the metadata store: %s",
                            text ? err.text : "(none)");
    *out = lp_value_from_json(j);
    json_decref(j);
    return *out ? 0 : lp_error_set(LP_ENOMEM, "out of memory reading JSON");
}
