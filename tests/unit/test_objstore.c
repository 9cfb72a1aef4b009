/* Unit tests for the content-addressed object store (objstore.h): round trips,
 * dedupe, corruption and truncation detection, name validation, temp files,
 * concurrent writers; frames stored by name once (lp_objstore_put_frame). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "data/frame_object.h"
#include "lolpop/error.h"
#include "lolpop/frame.h"
#include "lolpop/frame_io.h"
#include "lolpop/objstore.h"

static char root[256];
static lp_objstore *store;

static void setup(void)
{
    snprintf(root, sizeof root, "/tmp/lp-objstore-XXXXXX");
    cr_assert_not_null(mkdtemp(root));
    char dir[300];
    snprintf(dir, sizeof dir, "%s/nested/.lolpop", root); /* parents are created */
    cr_assert_eq(lp_objstore_open(&store, dir), 0, "%s", lp_error_last()->message);
}

static void teardown(void)
{
    lp_objstore_close(store);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(objstore, .init = setup, .fini = teardown);

/* The expected name, computed independently of the library by coreutils' sha256sum. */
static void sha256_hex(const void *p, size_t n, char out[65])
{
    char file[300], cmd[400];
    snprintf(file, sizeof file, "%s/hash-input", root);
    FILE *fp = fopen(file, "wb");
    cr_assert_not_null(fp);
    cr_assert_eq(fwrite(n ? p : "", 1, n, fp), n);
    fclose(fp);
    snprintf(cmd, sizeof cmd, "sha256sum '%s'", file);
    FILE *ps = popen(cmd, "r");
    cr_assert_not_null(ps);
    cr_assert_not_null(fgets(out, 65, ps));
    pclose(ps);
    cr_assert_eq(strlen(out), 64);
    unlink(file);
}

static char *path_of(const char *hex)
{
    char *p = NULL;
    cr_assert_eq(lp_objstore_path(store, hex, &p), 0);
    return p;
}

static void put_get(const void *bytes, size_t len)
{
    char hex[65], want[65];
    cr_assert_eq(lp_objstore_put(store, bytes, len, hex), 0, "%s", lp_error_last()->message);
    sha256_hex(bytes, len, want);
    cr_assert_str_eq(hex, want);
    cr_assert(lp_objstore_has(store, hex));
    uint8_t *back = NULL;
    size_t blen = 1;
    cr_assert_eq(lp_objstore_get(store, hex, &back, &blen), 0, "%s", lp_error_last()->message);
    cr_assert_not_null(back);
    cr_assert_eq(blen, len);
    cr_assert(len == 0 || memcmp(back, bytes, len) == 0);
    free(back);
}

Test(objstore, round_trip_small_and_empty)
{
    put_get("hello, objects", 14);
    put_get(NULL, 0);
    put_get("", 0);
    char *p = path_of("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    struct stat st;
    cr_assert_eq(stat(p, &st), 0, "empty object at %s", p); /* fan-out: e3/b0c4... */
    cr_assert(strstr(p, "/objects/e3/b0c44298fc"));
    free(p);
}

Test(objstore, round_trip_50_megabytes)
{
    size_t n = 50u << 20;
    uint8_t *big = malloc(n);
    uint64_t x = 88172645463325252ULL;
    for (size_t i = 0; i < n; i++) { /* half random, half repetitive: compresses partly */
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        big[i] = (i / 4096) % 2 ? (uint8_t)x : (uint8_t)(i % 251);
    }
    put_get(big, n);
    char hex[65];
    sha256_hex(big, n, hex);
    char *p = path_of(hex);
    struct stat st;
    cr_assert_eq(stat(p, &st), 0);
    cr_assert_lt(st.st_size, (off_t)(n * 3 / 4), "stored compressed: %lld", (long long)st.st_size);
    free(p);
    free(big);
}

Test(objstore, second_put_writes_nothing)
{
    char h1[65], h2[65];
    cr_assert_eq(lp_objstore_put(store, "same bytes", 10, h1), 0);
    char *p = path_of(h1);
    struct stat a, b;
    cr_assert_eq(stat(p, &a), 0);
    usleep(20000);
    cr_assert_eq(lp_objstore_put(store, "same bytes", 10, h2), 0);
    cr_assert_str_eq(h1, h2);
    cr_assert_eq(stat(p, &b), 0);
    cr_assert_eq(a.st_ino, b.st_ino);
    cr_assert(a.st_mtim.tv_sec == b.st_mtim.tv_sec && a.st_mtim.tv_nsec == b.st_mtim.tv_nsec);
    free(p);
}

/* Overwrites byte `at` (from the end when negative) of the stored file. */
static void damage(const char *path, long at)
{
    chmod(path, 0644);
    FILE *fp = fopen(path, "r+b");
    cr_assert_not_null(fp);
    cr_assert_eq(fseek(fp, at, at < 0 ? SEEK_END : SEEK_SET), 0);
    int c = fgetc(fp);
    cr_assert_eq(fseek(fp, -1, SEEK_CUR), 0);
    fputc(c ^ 0x20, fp);
    fclose(fp);
}

static void expect_get_fails(const char *hex, int code, const char *needle)
{
    uint8_t *out = (uint8_t *)1;
    size_t len = 7;
    cr_assert_eq(lp_objstore_get(store, hex, &out, &len), code, "%s", lp_error_last()->message);
    cr_assert_null(out);
    cr_assert_eq(len, 0);
    cr_assert(strstr(lp_error_last()->message, needle), "message '%s' lacks '%s'",
              lp_error_last()->message, needle);
}

Test(objstore, corruption_is_detected)
{
    /* incompressible content: the zstd frame stores it raw, so a flipped
     * byte decompresses fine and only the hash check can catch it */
    uint8_t data[4096];
    uint64_t x = 7;
    for (size_t i = 0; i < sizeof data; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        data[i] = (uint8_t)x;
    }
    char hex[65];
    cr_assert_eq(lp_objstore_put(store, data, sizeof data, hex), 0);
    char *p = path_of(hex);
    /* find where the raw payload starts in the file, flip content byte 2000 */
    FILE *fp = fopen(p, "rb");
    uint8_t file[8192];
    size_t fsize = fread(file, 1, sizeof file, fp);
    fclose(fp);
    long start = -1;
    for (size_t at = 16; at + sizeof data <= fsize && start < 0; at++)
        if (memcmp(file + at, data, sizeof data) == 0) start = (long)at;
    cr_assert_geq(start, 16, "payload stored raw");
    damage(p, start + 2000);
    expect_get_fails(hex, LP_EIO, hex);
    const char *msg = lp_error_last()->message;
    char actual[65];
    data[2000] ^= 0x20;
    sha256_hex(data, sizeof data, actual);
    cr_assert(strstr(msg, "corrupt"), "%s", msg);
    cr_assert(strstr(msg, actual), "names both hashes: %s", msg);

    /* a damaged header */
    cr_assert_eq(lp_objstore_put(store, "header test", 11, hex), 0);
    free(p);
    p = path_of(hex);
    damage(p, 0);
    expect_get_fails(hex, LP_EIO, "bad magic");
    free(p);
}

Test(objstore, corrupt_compressed_content_never_returned)
{
    char text[8192];
    for (size_t i = 0; i < sizeof text; i++)
        text[i] = "abcabcabd"[i % 9];
    char hex[65];
    cr_assert_eq(lp_objstore_put(store, text, sizeof text, hex), 0);
    char *p = path_of(hex);
    struct stat st;
    cr_assert_eq(stat(p, &st), 0);
    for (long at = 16; at < st.st_size; at++) { /* every byte of the zstd frame */
        damage(p, at);
        uint8_t *out = NULL;
        size_t len = 0;
        int rc = lp_objstore_get(store, hex, &out, &len);
        if (rc == 0) { /* a flip zstd ignores (e.g. an unused header bit) is harmless */
            cr_assert_eq(len, sizeof text);
            cr_assert(memcmp(out, text, len) == 0, "corrupt data returned (byte %ld)", at);
            free(out);
        } else {
            cr_assert_eq(rc, LP_EIO);
            cr_assert(strstr(lp_error_last()->message, hex));
        }
        damage(p, at); /* restore */
    }
    free(p);
}

Test(objstore, truncated_file)
{
    char text[3000];
    for (size_t i = 0; i < sizeof text; i++)
        text[i] = (char)('a' + (i * i) % 26);
    char hex[65];
    cr_assert_eq(lp_objstore_put(store, text, sizeof text, hex), 0);
    char *p = path_of(hex);
    struct stat st;
    cr_assert_eq(stat(p, &st), 0);
    chmod(p, 0644);
    cr_assert_eq(truncate(p, st.st_size - 5), 0);
    expect_get_fails(hex, LP_EIO, hex);
    cr_assert(strstr(lp_error_last()->message, "truncated"), "%s", lp_error_last()->message);
    cr_assert_eq(truncate(p, 10), 0);
    expect_get_fails(hex, LP_EIO, "shorter than its header");
    free(p);
}

Test(objstore, bad_names_rejected)
{
    static const char *const bad[] = {
        "../etc",
        "../../../../../../../../../../../../../../../../../../../../../../../etc/passwd",
        "",
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85",   /* 63 */
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8555", /* 65 */
        "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",  /* upper */
        "e3/0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "..b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        ".tmp-1-2c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b",
    };
    for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
        cr_assert(!lp_objstore_valid_hex(bad[k]), "%s", bad[k]);
        cr_assert(!lp_objstore_has(store, bad[k]));
        expect_get_fails(bad[k], LP_EINVAL, "invalid object name");
        char *p = (char *)1;
        cr_assert_eq(lp_objstore_path(store, bad[k], &p), LP_EINVAL);
        cr_assert_null(p);
    }
    cr_assert(!lp_objstore_valid_hex(NULL));
    expect_get_fails(NULL, LP_EINVAL, "invalid object name");
}

Test(objstore, missing_object)
{
    const char *hex = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    cr_assert(!lp_objstore_has(store, hex));
    expect_get_fails(hex, LP_ENOTFOUND, hex);
}

Test(objstore, temp_files_never_count)
{
    /* what a crash mid-write leaves: a temp file next to where the object goes */
    const char *text = "crash me";
    char hex[65];
    sha256_hex(text, 8, hex);
    char *p = path_of(hex);
    char dir[512], tmp[600];
    snprintf(dir, sizeof dir, "%.*s", (int)(strrchr(p, '/') - p), p);
    cr_assert_eq(mkdir(dir, 0777), 0);
    snprintf(tmp, sizeof tmp, "%s/.tmp-999-0123456789abcdef", dir);
    FILE *fp = fopen(tmp, "wb");
    fputs("LPOB partial", fp);
    fclose(fp);
    cr_assert(!lp_objstore_has(store, hex));
    expect_get_fails(hex, LP_ENOTFOUND, hex);
    put_get(text, 8); /* the put is not fooled either */
    struct stat st;
    cr_assert_eq(stat(tmp, &st), 0); /* and leaves foreign temp files alone */
    /* no temp file of our own is left behind */
    char cmd[700];
    snprintf(cmd, sizeof cmd, "test $(ls -A '%s' | wc -l) -eq 2", dir);
    cr_assert_eq(system(cmd), 0);
    free(p);
}

Test(objstore, concurrent_puts_of_the_same_object)
{
    size_t n = 4u << 20;
    uint8_t *data = malloc(n);
    for (size_t i = 0; i < n; i++)
        data[i] = (uint8_t)((i * 2654435761u) >> 13);
    pid_t kids[2];
    for (int k = 0; k < 2; k++) {
        kids[k] = fork();
        cr_assert_geq(kids[k], 0);
        if (kids[k] == 0) {
            int ok = 1;
            for (int round = 0; round < 5 && ok; round++) {
                char hex[65];
                ok = lp_objstore_put(store, data, n, hex) == 0;
            }
            _exit(ok ? 0 : 1);
        }
    }
    for (int k = 0; k < 2; k++) {
        int status = 0;
        cr_assert_eq(waitpid(kids[k], &status, 0), kids[k]);
        cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child %d failed", k);
    }
    put_get(data, n);
    char hex[65];
    sha256_hex(data, n, hex);
    char *p = path_of(hex);
    char cmd[700];
    snprintf(cmd, sizeof cmd, "test $(ls -A \"$(dirname '%s')\" | wc -l) -eq 1", p);
    cr_assert_eq(system(cmd), 0, "only the object remains, no temp files");
    free(p);
    free(data);
}

Test(objstore, open_errors)
{
    lp_objstore *s = (lp_objstore *)1;
    cr_assert_eq(lp_objstore_open(&s, ""), LP_EINVAL);
    cr_assert_null(s);
    char file[300];
    snprintf(file, sizeof file, "%s/plainfile", root);
    FILE *fp = fopen(file, "w");
    fclose(fp);
    cr_assert_eq(lp_objstore_open(&s, file), LP_EIO);
    cr_assert(strstr(lp_error_last()->message, "plainfile"), "%s", lp_error_last()->message);
}

/* A small frame: ints 0..n-1 in "a" (value 3 missing), strings in "s". */
static lp_frame *small_frame(size_t n)
{
    lp_frame *f = lp_frame_new();
    lp_column *a = lp_column_new(LP_DT_INT64, n);
    cr_assert(f && a);
    for (size_t i = 0; i < n; i++)
        a->data.i64[i] = (int64_t)i;
    if (n > 3) cr_assert_eq(lp_column_set_null(a, 3), 0);
    cr_assert_eq(lp_frame_add_column(f, "a", a), 0);
    lp_column_builder *b = lp_column_builder_new(LP_DT_STRING, n);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(lp_column_builder_append_str(b, i % 2 ? "odd" : "even", i % 2 ? 3 : 4), 0);
    cr_assert_eq(lp_frame_add_column(f, "s", lp_column_builder_finish(b)), 0);
    return f;
}

/* The name lp_objstore_put gives the frame's serialised bytes, and their length. */
static size_t serialised_name(const lp_frame *f, char hex[65])
{
    uint8_t *bytes = NULL;
    size_t len = 0;
    cr_assert_eq(lp_frame_serialize(f, &bytes, &len), 0);
    sha256_hex(bytes, len, hex);
    free(bytes);
    return len;
}

/* lp_objstore_put_frame stores exactly the lp_frame_serialize bytes, under
 * their SHA-256, and reports their length; the object reads back as the frame. */
Test(objstore, put_frame_stores_the_serialised_bytes)
{
    lp_frame *f = small_frame(100);
    char want[65], hex[65];
    size_t want_len = serialised_name(f, want), len = 0;
    cr_assert(!lp_frame_object_recall(f, hex, NULL), "nothing remembered before a store");
    cr_assert_eq(lp_objstore_put_frame(store, f, hex, &len), 0, "%s", lp_error_last()->message);
    cr_assert_str_eq(hex, want);
    cr_assert_eq(len, want_len);
    cr_assert(lp_objstore_has(store, hex));
    uint8_t *back = NULL;
    size_t back_len = 0;
    cr_assert_eq(lp_objstore_get(store, hex, &back, &back_len), 0);
    lp_frame *g = NULL;
    cr_assert_eq(lp_frame_deserialize(&g, back, back_len), 0);
    uint8_t hf[32], hg[32];
    cr_assert_eq(lp_frame_hash(f, hf), 0);
    cr_assert_eq(lp_frame_hash(g, hg), 0);
    cr_assert_eq(memcmp(hf, hg, 32), 0, "the stored frame reads back with the same content");
    free(back);
    lp_frame_unref(g);
    lp_frame_unref(f);
}

/* The name is remembered on the frame; a second store (this store or another)
 * gives the same name, and an object that went missing is written again. */
Test(objstore, put_frame_remembers_the_name)
{
    lp_frame *f = small_frame(50);
    char hex[65], again[65], recalled[65];
    size_t len = 0, len2 = 0, rlen = 0;
    cr_assert_eq(lp_objstore_put_frame(store, f, hex, &len), 0);
    cr_assert(lp_frame_object_recall(f, recalled, &rlen));
    cr_assert_str_eq(recalled, hex);
    cr_assert_eq(rlen, len);
    cr_assert_eq(lp_objstore_put_frame(store, f, again, &len2), 0);
    cr_assert_str_eq(again, hex);
    cr_assert_eq(len2, len);

    char *p = path_of(hex);
    cr_assert_eq(unlink(p), 0);
    cr_assert(!lp_objstore_has(store, hex));
    cr_assert_eq(lp_objstore_put_frame(store, f, again, NULL), 0);
    cr_assert_str_eq(again, hex);
    cr_assert(lp_objstore_has(store, hex),
              "a remembered name whose object is gone is stored again");
    free(p);

    char dir[300];
    snprintf(dir, sizeof dir, "%s/other", root);
    lp_objstore *other = NULL;
    cr_assert_eq(lp_objstore_open(&other, dir), 0);
    cr_assert_eq(lp_objstore_put_frame(other, f, again, NULL), 0);
    cr_assert_str_eq(again, hex);
    cr_assert(lp_objstore_has(other, hex));
    lp_objstore_close(other);
    lp_frame_unref(f);
}

/* A column added to a frame (only possible before it is shared) gives it new
 * bytes: the remembered name is forgotten. */
Test(objstore, put_frame_forgets_on_new_column)
{
    lp_frame *f = small_frame(20);
    char before[65], after[65], want[65];
    cr_assert_eq(lp_objstore_put_frame(store, f, before, NULL), 0);
    lp_column *c = lp_column_new(LP_DT_FLOAT64, 20);
    cr_assert_not_null(c);
    cr_assert_eq(lp_frame_add_column(f, "x", c), 0);
    cr_assert(!lp_frame_object_recall(f, after, NULL));
    size_t len = 0, want_len = serialised_name(f, want);
    cr_assert_eq(lp_objstore_put_frame(store, f, after, &len), 0);
    cr_assert_str_eq(after, want);
    cr_assert_str_neq(after, before);
    cr_assert_eq(len, want_len);
    lp_frame_unref(f);
}

Test(objstore, put_frame_rejects_missing_arguments)
{
    char hex[65];
    lp_frame *f = small_frame(5);
    cr_assert_eq(lp_objstore_put_frame(NULL, f, hex, NULL), LP_EINVAL);
    cr_assert_eq(lp_objstore_put_frame(store, NULL, hex, NULL), LP_EINVAL);
    cr_assert_eq(lp_objstore_put_frame(store, f, NULL, NULL), LP_EINVAL);
    lp_frame_unref(f);
}
