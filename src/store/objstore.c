/*
 * objstore.c — the content-addressed object store of objstore.h.
 *
 * Objects are compressed and decompressed as streams (ZSTD's streaming API
 * with one chunk-sized buffer), so a put holds only the caller's bytes plus
 * one output chunk, and a get only the result plus one input chunk.
 * Durability: the temp file is fsync'ed before the rename and the directory
 * after it, so an object that exists is complete.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <zstd.h>

#include "core/digest.h"
#include "core/internal.h"
#include "lolpop/objstore.h"

#include "data/frame_object.h"
#include "lolpop/frame_io.h"

#define OBJ_MAGIC      "LPOB"
#define OBJ_VERSION    1u
#define OBJ_CODEC_ZSTD 1u
#define OBJ_HEADER     16u
#define ZSTD_LEVEL     3

struct lp_objstore {
    char *objects; /* "<dir>/objects" */
};

/* ---- names and paths --------------------------------------------------------- */

LP_API bool lp_objstore_valid_hex(const char *hex)
{
    if (!hex) return false;
    for (int i = 0; i < 64; i++) /* stops at the NUL of a short string */
        if (!((hex[i] >= '0' && hex[i] <= '9') || (hex[i] >= 'a' && hex[i] <= 'f'))) return false;
    return hex[64] == '\0';
}

static int check_hex(const char *hex)
{
    if (lp_objstore_valid_hex(hex)) return 0;
    return lp_error_set(LP_EINVAL,
                        "invalid object name '%.80s': expected 64 lower-case hex digits (a "
                        "SHA-256)",
                        hex ? hex : "(null)");
}

static char *object_path(const lp_objstore *s, const char *hex)
{
    return lp_asprintf("%s/%.2s/%s", s->objects, hex, hex + 2);
}

LP_API int lp_objstore_path(const lp_objstore *store, const char *hex, char **out)
{
    if (!out) return lp_error_set(LP_EINVAL, "lp_objstore_path: no output");
    *out = NULL;
    if (!store) return lp_error_set(LP_EINVAL, "lp_objstore_path: no store");
    int rc = check_hex(hex);
    if (rc) return rc;
    *out = object_path(store, hex);
    return *out ? 0 : LP_ENOMEM;
}

/* ---- directories ------------------------------------------------------------- */

static int make_dir(const char *path)
{
    if (mkdir(path, 0777) == 0 || errno == EEXIST) {
        struct stat st;
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) return 0;
        return lp_error_set(LP_EIO, "object store: '%s' exists and is not a directory", path);
    }
    return lp_error_set(LP_EIO, "object store: cannot create directory '%s': %s", path,
                        strerror(errno));
}

/* mkdir -p */
static int make_dirs(const char *path)
{
    char *p = lp_strdup(path);
    if (!p) return LP_ENOMEM;
    int rc = 0;
    for (char *c = p + 1; *c && rc == 0; c++) {
        if (*c != '/') continue;
        *c = '\0';
        rc = make_dir(p);
        *c = '/';
    }
    if (rc == 0) rc = make_dir(p);
    free(p);
    return rc;
}

LP_API int lp_objstore_open(lp_objstore **out, const char *dir)
{
    if (!out) return lp_error_set(LP_EINVAL, "lp_objstore_open: no output");
    *out = NULL;
    if (!dir || !*dir) return lp_error_set(LP_EINVAL, "object store: no directory given");
    lp_objstore *s = calloc(1, sizeof *s);
    if (!s) return lp_error_set(LP_ENOMEM, "out of memory");
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/')
        n--;
    s->objects = lp_asprintf("%.*s/objects", (int)n, dir);
    int rc = s->objects ? make_dirs(s->objects) : LP_ENOMEM;
    if (rc) {
        lp_objstore_close(s);
        return rc;
    }
    *out = s;
    return 0;
}

LP_API void lp_objstore_close(lp_objstore *store)
{
    if (!store) return;
    free(store->objects);
    free(store);
}

LP_API bool lp_objstore_has(const lp_objstore *store, const char *hex)
{
    if (!store || !lp_objstore_valid_hex(hex)) return false;
    char *path = object_path(store, hex);
    struct stat st;
    bool ok = path && stat(path, &st) == 0 && S_ISREG(st.st_mode);
    free(path);
    return ok;
}

/* ---- put --------------------------------------------------------------------- */

static int write_all(int fd, const void *buf, size_t len, const char *path)
{
    const char *p = buf;
    while (len) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0)
            return lp_error_set(LP_EIO, "object store: cannot write '%s': %s", path,
                                w < 0 ? strerror(errno) : "no progress");
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

static void put_header(unsigned char h[OBJ_HEADER], uint64_t ulen)
{
    memcpy(h, OBJ_MAGIC, 4);
    h[4] = OBJ_VERSION;
    h[5] = OBJ_CODEC_ZSTD;
    h[6] = h[7] = 0;
    for (int k = 0; k < 8; k++)
        h[8 + k] = (unsigned char)(ulen >> (8 * k));
}

/* Header, then the zstd frame streamed out a chunk at a time. */
static int write_compressed(int fd, const void *bytes, size_t len, const char *path)
{
    unsigned char header[OBJ_HEADER];
    put_header(header, len);
    int rc = write_all(fd, header, sizeof header, path);
    if (rc) return rc;
    ZSTD_CCtx *cctx = ZSTD_createCCtx();
    size_t cap = ZSTD_CStreamOutSize();
    void *chunk = malloc(cap);
    if (!cctx || !chunk) {
        rc = lp_error_set(LP_ENOMEM, "out of memory compressing an object");
        goto out;
    }
    size_t zr = ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, ZSTD_LEVEL);
    if (!ZSTD_isError(zr)) zr = ZSTD_CCtx_setPledgedSrcSize(cctx, len);
    ZSTD_inBuffer in = {len ? bytes : "", len, 0};
    while (rc == 0 && !ZSTD_isError(zr)) {
        ZSTD_outBuffer o = {chunk, cap, 0};
        zr = ZSTD_compressStream2(cctx, &o, &in, ZSTD_e_end);
        if (!ZSTD_isError(zr)) rc = write_all(fd, chunk, o.pos, path);
        if (zr == 0) break; /* frame complete and flushed */
    }
    if (rc == 0 && ZSTD_isError(zr))
        rc = lp_error_set(LP_ERROR, "object store: zstd compression failed: %s",
                          ZSTD_getErrorName(zr));
out:
    ZSTD_freeCCtx(cctx);
    free(chunk);
    return rc;
}

/* A temp name no other process or thread uses: pid plus 64 random bits. */
static char *temp_path(const lp_objstore *s, const char *hex)
{
    uint64_t r = 0;
    if (getrandom(&r, sizeof r, GRND_NONBLOCK) != (ssize_t)sizeof r) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        r = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 30) ^ (uint64_t)(uintptr_t)&r;
    }
    return lp_asprintf("%s/%.2s/.tmp-%ld-%016llx", s->objects, hex, (long)getpid(),
                       (unsigned long long)r);
}

/* fsync of the directory holding the new name (best effort: some file
 * systems do not support it, and the object is complete either way). */
static void sync_dir(const lp_objstore *s, const char *hex)
{
    char *dir = lp_asprintf("%s/%.2s", s->objects, hex);
    int fd = dir ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
    free(dir);
}

static int store_new(lp_objstore *s, const void *bytes, size_t len, const char *hex,
                     const char *path)
{
    char *dir = lp_asprintf("%s/%.2s", s->objects, hex);
    int rc = dir ? make_dir(dir) : LP_ENOMEM;
    free(dir);
    if (rc) return rc;
    char *tmp = NULL;
    int fd = -1;
    for (int attempt = 0; attempt < 8 && fd < 0; attempt++) {
        free(tmp);
        if (!(tmp = temp_path(s, hex))) return LP_ENOMEM;
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
        if (fd < 0 && errno != EEXIST) break;
    }
    if (fd < 0) {
        rc = lp_error_set(LP_EIO, "object store: cannot create '%s': %s", tmp, strerror(errno));
        free(tmp);
        return rc;
    }
    rc = write_compressed(fd, bytes, len, tmp);
    if (rc == 0 && fsync(fd) != 0)
        rc = lp_error_set(LP_EIO, "object store: cannot sync '%s': %s", tmp, strerror(errno));
    if (close(fd) != 0 && rc == 0)
        rc = lp_error_set(LP_EIO, "object store: cannot write '%s': %s", tmp, strerror(errno));
    /* rename over an identical object written concurrently is harmless */
    if (rc == 0 && rename(tmp, path) != 0)
        rc = lp_error_set(LP_EIO, "object store: cannot rename '%s' to '%s': %s", tmp, path,
                          strerror(errno));
    if (rc)
        unlink(tmp);
    else
        sync_dir(s, hex);
    free(tmp);
    return rc;
}

LP_API int lp_objstore_put(lp_objstore *store, const void *bytes, size_t len, char out_hex[65])
{
    if (!store || !out_hex || (!bytes && len))
        return lp_error_set(LP_EINVAL, "lp_objstore_put: store, bytes and output are required");
    char hex[65];
    int rc = lp_sha256_hex(bytes, len, hex);
    if (rc) return rc;
    char *path = object_path(store, hex);
    if (!path) return LP_ENOMEM;
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) /* present: stored once */
        rc = store_new(store, bytes, len, hex, path);
    free(path);
    if (rc == 0) memcpy(out_hex, hex, 65);
    return rc;
}

/* A frame stored before keeps its object name (data/frame_object.h): storing
 * it again only checks that the object is still there. */
LP_API int lp_objstore_put_frame(lp_objstore *store, const lp_frame *f, char out_hex[65],
                                 size_t *len)
{
    if (!store || !f || !out_hex)
        return lp_error_set(LP_EINVAL,
                            "lp_objstore_put_frame: store, frame and output are required");
    char hex[65];
    size_t n = 0;
    if (!lp_frame_object_recall(f, hex, &n) || !lp_objstore_has(store, hex)) {
        uint8_t *bytes = NULL;
        int rc = lp_frame_serialize(f, &bytes, &n);
        if (rc == 0) rc = lp_objstore_put(store, bytes, n, hex);
        free(bytes);
        if (rc) return rc;
        lp_frame_object_remember(f, hex, n);
    }
    memcpy(out_hex, hex, 65);
    if (len) *len = n;
    return 0;
}

/* ---- get --------------------------------------------------------------------- */

static int read_full(int fd, void *buf, size_t len, size_t *got)
{
    char *p = buf;
    *got = 0;
    while (*got < len) {
        ssize_t r = read(fd, p + *got, len - *got);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return -1;
        if (r == 0) break;
        *got += (size_t)r;
    }
    return 0;
}

static int corrupt(const char *hex, const char *path, const char *what)
{
    return lp_error_set(LP_EIO, "object %s is damaged (%s): %s", hex, path, what);
}

static int read_header(int fd, const char *hex, const char *path, uint64_t *ulen)
{
    unsigned char h[OBJ_HEADER];
    size_t got;
    if (read_full(fd, h, sizeof h, &got) != 0)
        return lp_error_set(LP_EIO, "object store: cannot read '%s': %s", path, strerror(errno));
    if (got < sizeof h) return corrupt(hex, path, "file shorter than its header");
    if (memcmp(h, OBJ_MAGIC, 4) != 0) return corrupt(hex, path, "bad magic");
    if (h[4] != OBJ_VERSION || h[5] != OBJ_CODEC_ZSTD || h[6] || h[7])
        return corrupt(hex, path, "unknown format version or codec");
    *ulen = 0;
    for (int k = 0; k < 8; k++)
        *ulen |= (uint64_t)h[8 + k] << (8 * k);
    if (*ulen >= SIZE_MAX) return corrupt(hex, path, "impossible length");
    return 0;
}

/* Decompresses the rest of fd into out (exactly ulen bytes expected). */
static int read_compressed(int fd, const char *hex, const char *path, uint8_t *out, size_t ulen)
{
    ZSTD_DCtx *dctx = ZSTD_createDCtx();
    size_t cap = ZSTD_DStreamInSize();
    void *chunk = malloc(cap);
    int rc = 0;
    if (!dctx || !chunk) {
        rc = lp_error_set(LP_ENOMEM, "out of memory reading object %s", hex);
        goto out;
    }
    ZSTD_outBuffer o = {out, ulen, 0};
    bool done = false;
    while (rc == 0) {
        size_t got;
        if (read_full(fd, chunk, cap, &got) != 0) {
            rc = lp_error_set(LP_EIO, "object store: cannot read '%s': %s", path, strerror(errno));
            break;
        }
        if (got == 0) break;
        if (done) {
            rc = corrupt(hex, path, "data after the end of the compressed stream");
            break;
        }
        ZSTD_inBuffer in = {chunk, got, 0};
        while (in.pos < in.size && rc == 0) {
            size_t in_before = in.pos, out_before = o.pos;
            size_t zr = ZSTD_decompressStream(dctx, &o, &in);
            if (ZSTD_isError(zr))
                rc = corrupt(hex, path, ZSTD_getErrorName(zr));
            else if (zr == 0 && in.pos < in.size)
                rc = corrupt(hex, path, "data after the end of the compressed stream");
            else if (zr == 0)
                done = true;
            else if (in.pos == in_before && o.pos == out_before)
                rc = corrupt(hex, path, "content longer than its header says");
        }
    }
    if (rc == 0 && !done) rc = corrupt(hex, path, "truncated compressed stream");
    if (rc == 0 && o.pos != ulen) rc = corrupt(hex, path, "content shorter than its header says");
out:
    ZSTD_freeDCtx(dctx);
    free(chunk);
    return rc;
}

static int open_object(const lp_objstore *s, const char *hex, char **path, int *fd)
{
    *path = object_path(s, hex);
    if (!*path) return LP_ENOMEM;
    *fd = open(*path, O_RDONLY | O_CLOEXEC);
    if (*fd >= 0) return 0;
    if (errno == ENOENT)
        return lp_error_set(LP_ENOTFOUND, "object %s is not in the store (%s)", hex, *path);
    return lp_error_set(LP_EIO, "object store: cannot open '%s': %s", *path, strerror(errno));
}

LP_API int lp_objstore_get(lp_objstore *store, const char *hex, uint8_t **out, size_t *len)
{
    if (!out || !len) return lp_error_set(LP_EINVAL, "lp_objstore_get: no output");
    *out = NULL;
    *len = 0;
    if (!store) return lp_error_set(LP_EINVAL, "lp_objstore_get: no store");
    int rc = check_hex(hex), fd = -1;
    char *path = NULL;
    uint8_t *buf = NULL;
    uint64_t ulen = 0;
    if (rc || (rc = open_object(store, hex, &path, &fd)) ||
        (rc = read_header(fd, hex, path, &ulen)))
        goto out;
    if (!(buf = malloc(ulen ? (size_t)ulen : 1))) {
        rc = lp_error_set(LP_ENOMEM, "out of memory reading object %s (%llu bytes)", hex,
                          (unsigned long long)ulen);
        goto out;
    }
    if ((rc = read_compressed(fd, hex, path, buf, (size_t)ulen))) goto out;
    char actual[65];
    if ((rc = lp_sha256_hex(buf, (size_t)ulen, actual))) goto out;
    if (strcmp(actual, hex) != 0) {
        rc =
            lp_error_set(LP_EIO, "object %s is corrupt (%s): its content hashes to %s, expected %s",
                         hex, path, actual, hex);
        goto out;
    }
    *out = buf;
    *len = (size_t)ulen;
    buf = NULL;
out:
    if (fd >= 0) close(fd);
    free(buf);
    free(path);
    return rc;
}
