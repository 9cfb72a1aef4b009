/*
 * test_version_control.c — LocalResourceVersionControl through the dispatcher:
 * frame and model round trips (equal content, equal predictions), the vc_info
 * fields, deduplication (one object file for one content), a corrupted object
 * file and every bad vc_info → a clear error, the recently versioned frames
 * returned without a read, the lazily created store.
 * Each test runs in its own temp directory (the working directory too, so the
 * default `.lolpop` and any default metadata store land there).
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lolpop.h"
#include "lolpop/types/resource_version_control.h"
#include "ml/linear.h"
#include "unit_workflow.h"

static void setup(void)
{
    uw_tmpdir("vc", true);
    uw_setup();
}

TestSuite(version_control, .init = setup, .fini = uw_teardown);

/* ---- helpers ------------------------------------------------------------------- */

/* A LocalResourceVersionControl whose objects go under `dir` (NULL: default),
 * built in workflow slot `slot`. */
static lp_obj *rvc_in(int slot, const char *dir)
{
    char yaml[512];
    snprintf(yaml, sizeof yaml,
             "component: {resource_version_control: LocalResourceVersionControl}\n"
             "resource_version_control:\n  config: {%s%s}\n",
             dir ? "dir: " : "", dir ? dir : "");
    return uw_build(slot, yaml, "resource_version_control");
}

static lp_obj *rvc(const char *dir)
{
    return rvc_in(0, dir);
}

static lp_value *frame_value(const char *csv)
{
    lp_frame *f = NULL;
    cr_assert_eq(lp_csv_read_buffer(&f, csv, strlen(csv), "t.csv", NULL), 0, "%s",
                 lp_error_last()->message);
    lp_value *v = lp_value_frame(f);
    lp_frame_unref(f);
    return v;
}

static const char *const people_csv = "name,age,score,member\n"
                                      "ann,31,0.5,true\n"
                                      "bob,,1.25,false\n"
                                      "\"c, d\",47,,true\n"
                                      "dan,22,-3.5,\n";

/* A logistic model on x1, x2 predicting yes/no, and the frame it was trained on. */
static lp_value *trained_model(lp_frame **X_out)
{
    lp_value *data = frame_value("x1,x2,y\n"
                                 "0.1,1.0,no\n0.4,0.8,no\n0.35,0.9,no\n0.2,0.1,yes\n"
                                 "0.9,0.3,yes\n0.8,0.2,yes\n0.7,0.7,no\n0.6,0.1,yes\n");
    lp_frame *f = lp_value_as_frame(data), *X = NULL, *y = NULL;
    const char *target[] = {"y"};
    cr_assert_eq(lp_frame_drop(&X, f, target, 1), 0);
    cr_assert_eq(lp_frame_select(&y, f, target, 1), 0);
    lp_model *m = NULL;
    cr_assert_eq(lp_linear_train(&m, X, y, NULL), 0, "%s", lp_error_last()->message);
    lp_value *v = lp_value_model(m);
    lp_model_unref(m);
    lp_frame_unref(y);
    lp_value_unref(data);
    *X_out = X;
    return v;
}

/* Regular files under dir, recursively (temp files count too: none may be left). */
static size_t count_files(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return 0;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        cr_assert_eq(stat(path, &st), 0);
        n += S_ISDIR(st.st_mode) ? count_files(path) : 1;
    }
    closedir(d);
    return n;
}

static const char *str_of(lp_value *map, const char *key)
{
    const char *s = lp_value_as_string(lp_map_get(map, key));
    cr_assert_not_null(s, "vc_info has no string '%s'", key);
    return s;
}

static void assert_error(lp_value *result, int code, const char *needle)
{
    cr_assert_null(result, "expected an error containing '%s'", needle);
    cr_assert_eq(lp_error_last()->code, code, "code %d, message: %s", lp_error_last()->code,
                 lp_error_last()->message);
    cr_assert(strstr(lp_error_last()->message, needle), "'%s' lacks '%s'", lp_error_last()->message,
              needle);
}

/* ---- round trips ---------------------------------------------------------------- */

Test(version_control, frame_round_trip_and_vc_info)
{
    lp_obj *o = rvc("store");
    lp_value *data = frame_value(people_csv);
    lp_value *vc = lp_resource_version_control_version_data(o, NULL, data);
    cr_assert_not_null(vc, "%s", lp_error_last()->message);

    const char *hash = str_of(vc, "hash");
    cr_assert(lp_objstore_valid_hex(hash), "hash %s", hash);
    cr_assert_str_eq(str_of(vc, "format"), "lpframe1");
    cr_assert_str_eq(str_of(vc, "store"), "store/objects");
    char expect_path[256];
    snprintf(expect_path, sizeof expect_path, "store/objects/%.2s/%s", hash, hash + 2);
    cr_assert_str_eq(str_of(vc, "path"), expect_path);
    struct stat st;
    cr_assert_eq(stat(expect_path, &st), 0, "object file %s", expect_path);

    /* size and hash are those of the lpframe1 bytes */
    uint8_t *bytes = NULL;
    size_t len = 0;
    cr_assert_eq(lp_frame_serialize(lp_value_as_frame(data), &bytes, &len), 0);
    cr_assert_eq(lp_value_as_int(lp_map_get(vc, "size")), (int64_t)len);
    lp_objstore *store = NULL;
    cr_assert_eq(lp_objstore_open(&store, "other"), 0);
    char hex[65];
    cr_assert_eq(lp_objstore_put(store, bytes, len, hex), 0);
    cr_assert_str_eq(hex, hash);
    lp_objstore_close(store);
    free(bytes);

    lp_value *back = lp_resource_version_control_get_data(o, NULL, vc);
    cr_assert_not_null(back, "%s", lp_error_last()->message);
    lp_frame *a = lp_value_as_frame(data), *b = lp_value_as_frame(back);
    cr_assert_not_null(b);
    cr_assert_eq(lp_frame_rows(b), 4);
    cr_assert_eq(lp_frame_cols(b), 4);
    char ha[65], hb[65];
    cr_assert_eq(lp_frame_hash_hex(a, ha), 0);
    cr_assert_eq(lp_frame_hash_hex(b, hb), 0);
    cr_assert_str_eq(ha, hb);
    size_t slen;
    const char *s = lp_column_str(lp_frame_col_by_name(b, "name"), 2, &slen);
    cr_assert_eq(slen, 4);
    cr_assert_eq(memcmp(s, "c, d", 4), 0);
    lp_value_unref(back);
    lp_value_unref(vc);
    lp_value_unref(data);
}

Test(version_control, model_round_trip_predicts_the_same)
{
    lp_obj *o = rvc("store");
    lp_frame *X = NULL;
    lp_value *model = trained_model(&X);
    lp_value *vc = lp_resource_version_control_version_model(o, NULL, model);
    cr_assert_not_null(vc, "%s", lp_error_last()->message);
    cr_assert_str_eq(str_of(vc, "format"), "lpmodel1");

    uint8_t *bytes = NULL;
    size_t len = 0;
    cr_assert_eq(lp_model_save(&bytes, &len, lp_value_as_model(model)), 0);
    cr_assert_eq(lp_value_as_int(lp_map_get(vc, "size")), (int64_t)len);
    free(bytes);

    lp_value *back = lp_resource_version_control_get_model(o, NULL, vc);
    cr_assert_not_null(back, "%s", lp_error_last()->message);
    lp_model *m1 = lp_value_as_model(model), *m2 = lp_value_as_model(back);
    cr_assert_not_null(m2);
    cr_assert_neq(m1, m2, "a fresh model from the stored bytes");
    cr_assert_str_eq(lp_model_backend(m2), "liblinear");
    cr_assert_eq(lp_model_n_classes(m2), 2);
    cr_assert_str_eq(lp_model_class_label(m2, 1), lp_model_class_label(m1, 1));
    double *p1 = NULL, *p2 = NULL;
    cr_assert_eq(lp_model_predict_raw(&p1, m1, X), 0);
    cr_assert_eq(lp_model_predict_raw(&p2, m2, X), 0, "%s", lp_error_last()->message);
    size_t n = lp_frame_rows(X) * lp_model_n_outputs(m1);
    cr_assert_eq(n, 16);
    bool varies = false;
    for (size_t i = 0; i < n; i++) {
        cr_assert_eq(p1[i], p2[i], "output %zu: %.17g vs %.17g", i, p1[i], p2[i]);
        varies = varies || p1[i] != p1[0];
    }
    cr_assert(varies, "the probabilities should differ between rows");
    free(p1);
    free(p2);
    lp_value_unref(back);
    lp_value_unref(vc);
    lp_value_unref(model);
    lp_frame_unref(X);
}

/* ---- deduplication and the store ---------------------------------------------------- */

Test(version_control, same_content_is_stored_once)
{
    lp_obj *o = rvc(NULL); /* default dir .lolpop */
    struct stat st;
    cr_assert_neq(stat(".lolpop/objects", &st), 0, "the store is created on first use only");
    lp_value *d1 = frame_value(people_csv), *d2 = frame_value(people_csv);
    lp_value *v1 = lp_resource_version_control_version_data(o, NULL, d1);
    cr_assert_not_null(v1, "%s", lp_error_last()->message);
    lp_value *v2 = lp_resource_version_control_version_data(o, NULL, d2);
    cr_assert_not_null(v2, "%s", lp_error_last()->message);
    cr_assert_str_eq(str_of(v1, "hash"), str_of(v2, "hash"));
    cr_assert_str_eq(str_of(v1, "path"), str_of(v2, "path"));
    cr_assert_str_eq(str_of(v1, "store"), ".lolpop/objects");
    cr_assert_eq(count_files(".lolpop/objects"), 1);

    lp_value *d3 = frame_value("name,age\nann,32\n");
    lp_value *v3 = lp_resource_version_control_version_data(o, NULL, d3);
    cr_assert_not_null(v3, "%s", lp_error_last()->message);
    cr_assert_str_neq(str_of(v1, "hash"), str_of(v3, "hash"));
    cr_assert_eq(count_files(".lolpop/objects"), 2);

    lp_frame *X = NULL;
    lp_value *model = trained_model(&X);
    lp_value *m1 = lp_resource_version_control_version_model(o, NULL, model);
    lp_value *m2 = lp_resource_version_control_version_model(o, NULL, model);
    cr_assert(m1 && m2, "%s", lp_error_last()->message);
    cr_assert_str_eq(str_of(m1, "hash"), str_of(m2, "hash"));
    cr_assert_eq(count_files(".lolpop/objects"), 3);

    lp_value_unref(m1);
    lp_value_unref(m2);
    lp_value_unref(model);
    lp_frame_unref(X);
    lp_value_unref(v1);
    lp_value_unref(v2);
    lp_value_unref(v3);
    lp_value_unref(d1);
    lp_value_unref(d2);
    lp_value_unref(d3);
}

/* Flips one byte of the file at `path`, `from_end` bytes before its end. */
static void flip_byte(const char *path, off_t from_end)
{
    cr_assert_eq(chmod(path, 0644), 0);
    int fd = open(path, O_RDWR);
    cr_assert_geq(fd, 0, "open %s", path);
    off_t size = lseek(fd, 0, SEEK_END);
    cr_assert_gt(size, from_end);
    unsigned char c;
    cr_assert_eq(pread(fd, &c, 1, size - from_end), 1);
    c ^= 0x5a;
    cr_assert_eq(pwrite(fd, &c, 1, size - from_end), 1);
    close(fd);
}

Test(version_control, corrupted_object_is_an_error)
{
    lp_obj *o = rvc("store");
    lp_value *data = frame_value(people_csv);
    lp_value *vc = lp_resource_version_control_version_data(o, NULL, data);
    cr_assert_not_null(vc, "%s", lp_error_last()->message);
    flip_byte(str_of(vc, "path"), 3);
    /* another component (a later run) reads the file: the frame o stored stays in o */
    lp_value *back = lp_resource_version_control_get_data(rvc_in(1, "store"), NULL, vc);
    cr_assert_null(back);
    const lp_error *e = lp_error_last();
    cr_assert_eq(e->code, LP_EIO, "%s", e->message);
    cr_assert(strstr(e->message, str_of(vc, "hash")), "names the object: %s", e->message);
    cr_assert(strstr(e->message, "get_data"), "names the method: %s", e->message);
    cr_assert(strstr(e->message, "damaged") || strstr(e->message, "corrupt"), "%s", e->message);
    lp_value_unref(vc);
    lp_value_unref(data);
}

/* get_data of a frame this component versioned is that frame, with no read: the
 * damaged file does not matter; once the frame gains a column (a new content) or
 * three newer frames were versioned, the file is read again and its damage is found. */
Test(version_control, recent_frames_are_returned_without_a_read)
{
    lp_obj *o = rvc("store");
    lp_value *data = frame_value(people_csv);
    lp_value *vc = lp_resource_version_control_version_data(o, NULL, data);
    cr_assert_not_null(vc, "%s", lp_error_last()->message);
    /* a vc_info with another size is not this frame's object */
    lp_value *copy = lp_value_copy(vc);
    lp_map_set(copy, "size", lp_value_int(3));
    assert_error(lp_resource_version_control_get_data(o, NULL, copy), LP_EIO, "vc_info says 3");
    lp_value_unref(copy);

    flip_byte(str_of(vc, "path"), 3);
    lp_value *back = lp_resource_version_control_get_data(o, NULL, vc);
    cr_assert_not_null(back, "%s", lp_error_last()->message);
    cr_assert_eq(lp_value_as_frame(back), lp_value_as_frame(data), "the frame stored");
    lp_value_unref(back);

    /* it outlives two newer frames (a run's reference predictions and evaluation
     * frame come after its training frame); a third pushes it out */
    lp_value *other = frame_value("a\n1\n"), *third = frame_value("b\n2\n");
    lp_value *fourth = frame_value("d\n4\n");
    lp_value *vc2 = lp_resource_version_control_version_data(o, NULL, other);
    lp_value *vc3 = lp_resource_version_control_version_data(o, NULL, third);
    cr_assert(vc2 && vc3, "%s", lp_error_last()->message);
    back = lp_resource_version_control_get_data(o, NULL, vc);
    cr_assert_eq(lp_value_as_frame(back), lp_value_as_frame(data), "still kept after two");
    lp_value_unref(back);
    lp_value *vc4 = lp_resource_version_control_version_data(o, NULL, fourth);
    cr_assert_not_null(vc4, "%s", lp_error_last()->message);
    back = lp_resource_version_control_get_data(o, NULL, vc2);
    cr_assert_eq(lp_value_as_frame(back), lp_value_as_frame(other));
    lp_value_unref(back);
    assert_error(lp_resource_version_control_get_data(o, NULL, vc), LP_EIO, "get_data");

    /* a kept frame that gained a column is not the object any more: read from the file */
    lp_column *col = lp_column_ref(lp_frame_col(lp_value_as_frame(third), 0));
    cr_assert_eq(lp_frame_add_column(lp_value_as_frame(third), "c", col), 0);
    flip_byte(str_of(vc3, "path"), 3);
    assert_error(lp_resource_version_control_get_data(o, NULL, vc3), LP_EIO, "get_data");

    lp_value_unref(vc4);
    lp_value_unref(fourth);
    lp_value_unref(vc3);
    lp_value_unref(vc2);
    lp_value_unref(third);
    lp_value_unref(other);
    lp_value_unref(vc);
    lp_value_unref(data);
}

Test(version_control, corrupted_model_is_an_error)
{
    lp_obj *o = rvc("store");
    lp_frame *X = NULL;
    lp_value *model = trained_model(&X);
    lp_value *vc = lp_resource_version_control_version_model(o, NULL, model);
    cr_assert_not_null(vc, "%s", lp_error_last()->message);
    /* a truncated file: the compressed stream ends early */
    cr_assert_eq(truncate(str_of(vc, "path"), 20), 0);
    assert_error(lp_resource_version_control_get_model(o, NULL, vc), LP_EIO, "get_model");
    cr_assert(strstr(lp_error_last()->message, str_of(vc, "hash")), "%s", lp_error_last()->message);
    lp_value_unref(vc);
    lp_value_unref(model);
    lp_frame_unref(X);
}

/* ---- bad arguments ---------------------------------------------------------------- */

Test(version_control, bad_vc_info)
{
    lp_obj *o = rvc("store");
    lp_value *data = frame_value(people_csv);
    lp_value *vc = lp_resource_version_control_version_data(o, NULL, data);
    cr_assert_not_null(vc, "%s", lp_error_last()->message);

    /* a frame's vc_info is not a model's */
    assert_error(lp_resource_version_control_get_model(o, NULL, vc), LP_EINVAL,
                 "format 'lpframe1', expected 'lpmodel1'");

    lp_value *copy = lp_value_copy(vc);
    lp_map_remove(copy, "hash");
    assert_error(lp_resource_version_control_get_data(o, NULL, copy), LP_EINVAL, "no hash");
    lp_map_set(copy, "hash", lp_value_string("../../etc/passwd"));
    assert_error(lp_resource_version_control_get_data(o, NULL, copy), LP_EINVAL, "invalid hash");
    lp_map_remove(copy, "format");
    assert_error(lp_resource_version_control_get_data(o, NULL, copy), LP_EINVAL, "format '(none)'");
    lp_value_unref(copy);

    lp_value *s = lp_value_string("abc");
    assert_error(lp_resource_version_control_get_data(o, NULL, s), LP_EINVAL,
                 "'vc_info' must be a map, got string");
    lp_value_unref(s);

    /* a well-formed hash that is not stored, from another store */
    copy = lp_value_copy(vc);
    lp_map_set(copy, "hash",
               lp_value_string("0000000000000000000000000000000000000000000000000000000000000000"));
    lp_map_set(copy, "store", lp_value_string("elsewhere/objects"));
    assert_error(lp_resource_version_control_get_data(o, NULL, copy), LP_ENOTFOUND,
                 "vc_info says it was stored in 'elsewhere/objects'");
    lp_value_unref(copy);

    /* a size that does not match */
    copy = lp_value_copy(vc);
    lp_map_set(copy, "size", lp_value_int(3));
    assert_error(lp_resource_version_control_get_data(o, NULL, copy), LP_EIO, "vc_info says 3");
    lp_value_unref(copy);

    lp_value_unref(vc);
    lp_value_unref(data);
}

Test(version_control, bad_arguments)
{
    lp_obj *o = rvc("store");
    lp_value *data = frame_value(people_csv);
    assert_error(lp_resource_version_control_version_model(o, NULL, data), LP_EINVAL,
                 "argument 'model' must be a model, got frame");
    assert_error(lp_resource_version_control_version_data(o, NULL, NULL), LP_EINVAL,
                 "argument 'data' must be a data frame");
    lp_value_unref(data);
}

Test(version_control, bad_dir_config)
{
    cr_assert_neq(
        uw_try_build(0, "component: {resource_version_control: LocalResourceVersionControl}\n"
                        "resource_version_control:\n  config: {dir: ''}\n"),
        0);
    cr_assert(strstr(lp_error_last()->message, "dir must be a non-empty path"), "%s",
              lp_error_last()->message);
}

Test(version_control, unusable_store_is_a_clear_error)
{
    /* a regular file where the store's directory should be: fails even for root */
    FILE *f = fopen("afile", "w");
    cr_assert_not_null(f);
    fclose(f);
    lp_obj *o = rvc("afile/store");
    lp_value *data = frame_value(people_csv);
    assert_error(lp_resource_version_control_version_data(o, NULL, data), LP_EIO, "afile/store");
    cr_assert(strstr(lp_error_last()->message, "LocalResourceVersionControl"), "%s",
              lp_error_last()->message);
    lp_value_unref(data);
}
