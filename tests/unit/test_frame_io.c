/* Unit tests for the binary frame encoding (frame_io.h): exact round trips of
 * every type with missing values and awkward strings, canonical re-encoding,
 * and rejection of truncated, mutated and hand-crafted hostile inputs. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lolpop/error.h"
#include "lolpop/frame.h"
#include "lolpop/frame_io.h"

/* ---- helpers ------------------------------------------------------------------ */

static void hash_of(const lp_frame *f, char out[65])
{
    cr_assert_eq(lp_frame_hash_hex(f, out), 0, "%s", lp_error_last()->message);
}

/* serialize → deserialize → serialize: same hash, same bytes. Returns the copy. */
static lp_frame *round_trip(const lp_frame *f)
{
    uint8_t *a = NULL, *b = NULL;
    size_t alen = 0, blen = 0;
    lp_frame *g = NULL;
    cr_assert_eq(lp_frame_serialize(f, &a, &alen), 0, "%s", lp_error_last()->message);
    cr_assert_eq(lp_frame_deserialize(&g, a, alen), 0, "%s", lp_error_last()->message);
    char h1[65], h2[65];
    hash_of(f, h1);
    hash_of(g, h2);
    cr_assert_str_eq(h1, h2);
    cr_assert_eq(lp_frame_rows(g), lp_frame_rows(f));
    cr_assert_eq(lp_frame_cols(g), lp_frame_cols(f));
    cr_assert_eq(lp_frame_serialize(g, &b, &blen), 0, "%s", lp_error_last()->message);
    cr_assert_eq(blen, alen);
    cr_assert(memcmp(a, b, alen) == 0, "re-serialized bytes differ");
    free(a);
    free(b);
    return g;
}

static void add(lp_frame *f, const char *name, lp_column *c)
{
    cr_assert_not_null(c);
    cr_assert_eq(lp_frame_add_column(f, name, c), 0, "%s", lp_error_last()->message);
}

#define S(lit)                                                                                     \
    {                                                                                              \
        lit, sizeof lit - 1                                                                        \
    }
static const struct {
    const char *s;
    size_t n;
} awkward[] = {
    S(""),       S("plain"),   S("comma,quote\""),    S("new\nline\r\n"), S("é"),
    S("日本語"), S("😀 emoji"), S("tab\tand spaces "), S("a\0b"), /* a NUL inside */
};

/* A frame of every type, n rows, every 3rd value missing (offset per column). */
static lp_frame *every_type(size_t n)
{
    lp_frame *f = lp_frame_new();
    lp_column_builder *bf = lp_column_builder_new(LP_DT_FLOAT64, n);
    lp_column_builder *bi = lp_column_builder_new(LP_DT_INT64, n);
    lp_column_builder *bb = lp_column_builder_new(LP_DT_BOOL, n);
    lp_column_builder *bs = lp_column_builder_new(LP_DT_STRING, n);
    lp_column_builder *bc = lp_column_builder_new(LP_DT_CATEGORY, n);
    lp_column_builder *bt = lp_column_builder_new(LP_DT_TIMESTAMP, n);
    static const double fv[] = {1.5, -0.0, INFINITY, -INFINITY, NAN, 1e-310, 3.0};
    static const int64_t iv[] = {0, -1, INT64_MIN, INT64_MAX, 42};
    size_t na = sizeof awkward / sizeof *awkward;
    for (size_t i = 0; i < n; i++) {
        if (i % 3 == 0)
            lp_column_builder_append_null(bf);
        else
            lp_column_builder_append_f64(bf, fv[i % 7]);
        if (i % 3 == 1)
            lp_column_builder_append_null(bi);
        else
            lp_column_builder_append_i64(bi, iv[i % 5]);
        if (i % 3 == 2)
            lp_column_builder_append_null(bb);
        else
            lp_column_builder_append_bool(bb, i % 2);
        if (i % 4 == 3)
            lp_column_builder_append_null(bs);
        else
            lp_column_builder_append_str(bs, awkward[i % na].s, awkward[i % na].n);
        if (i % 5 == 4)
            lp_column_builder_append_null(bc);
        else
            lp_column_builder_append_str(bc, awkward[(i * 7) % na].s, awkward[(i * 7) % na].n);
        if (i % 6 == 5)
            lp_column_builder_append_null(bt);
        else
            lp_column_builder_append_i64(bt, (int64_t)i * 1000003 - 86400000000);
    }
    add(f, "f", lp_column_builder_finish(bf));
    add(f, "i", lp_column_builder_finish(bi));
    add(f, "b", lp_column_builder_finish(bb));
    add(f, "s ✓", lp_column_builder_finish(bs));
    add(f, "", lp_column_builder_finish(bc)); /* an empty name is allowed */
    add(f, "t", lp_column_builder_finish(bt));
    return f;
}

/* ---- round trips ---------------------------------------------------------------- */

Test(frame_io, every_type_with_missing_values)
{
    for (size_t n = 0; n < 20; n++) { /* all bitmap tail lengths */
        lp_frame *f = every_type(n);
        lp_frame *g = round_trip(f);
        lp_frame_unref(f);
        lp_frame_unref(g);
    }
}

Test(frame_io, values_are_exact)
{
    lp_frame *f = every_type(40);
    lp_frame *g = round_trip(f);
    const lp_column *fc = lp_frame_col(g, 0);
    cr_assert(lp_column_is_valid(fc, 1) && fc->data.f64[1] == 0.0 && signbit(fc->data.f64[1]));
    cr_assert(isinf(fc->data.f64[2]) && fc->data.f64[2] > 0);
    cr_assert(lp_column_is_valid(fc, 4) && isnan(fc->data.f64[4])); /* a valid NaN stays */
    cr_assert(!lp_column_is_valid(fc, 0));
    cr_assert_eq(fc->null_count, lp_frame_col(f, 0)->null_count);
    const lp_column *ic = lp_frame_col(g, 1);
    cr_assert_eq(ic->data.i64[2], INT64_MIN);
    cr_assert_eq(ic->data.i64[3], INT64_MAX);
    size_t len;
    const char *s = lp_column_str(lp_frame_col(g, 3), 8, &len); /* awkward[8]: "a\0b" */
    cr_assert_eq(len, 3);
    cr_assert(memcmp(s, "a\0b", 3) == 0);
    cr_assert_str_eq(lp_frame_name(g, 3), "s ✓");
    cr_assert_str_eq(lp_frame_name(g, 4), "");
    const lp_column *cc = lp_frame_col(g, 4);
    cr_assert_eq(cc->type, LP_DT_CATEGORY);
    cr_assert_eq(cc->data.cat.dict->length, lp_frame_col(f, 4)->data.cat.dict->length);
    cr_assert_eq(lp_frame_col(g, 5)->type, LP_DT_TIMESTAMP);
    lp_frame_unref(f);
    lp_frame_unref(g);
}

Test(frame_io, empty_frames_and_many_rows)
{
    lp_frame *f = lp_frame_new();
    lp_frame *g = round_trip(f);
    cr_assert_eq(lp_frame_cols(g), 0);
    lp_frame_unref(g);
    lp_frame_unref(f);

    /* no columns but rows (a select of nothing keeps the row count) */
    lp_frame *big = every_type(100003), *none = NULL;
    cr_assert_eq(lp_frame_select(&none, big, NULL, 0), 0);
    g = round_trip(none);
    cr_assert_eq(lp_frame_rows(g), 100003);
    lp_frame_unref(g);
    lp_frame_unref(none);
    g = round_trip(big);
    lp_frame_unref(g);
    lp_frame_unref(big);
}

Test(frame_io, all_valid_columns_have_no_bitmap)
{
    lp_frame *f = lp_frame_new();
    lp_column *c = lp_column_new(LP_DT_INT64, 10);
    for (int i = 0; i < 10; i++)
        c->data.i64[i] = i;
    /* a bitmap with every row present is not a missing value */
    c->validity = malloc(2);
    c->validity[0] = 0xff;
    c->validity[1] = 0x03;
    add(f, "x", c);
    uint8_t *buf;
    size_t len;
    cr_assert_eq(lp_frame_serialize(f, &buf, &len), 0);
    cr_assert_eq(len, 32 + 4 + 1 + 2 + 80);
    lp_frame *g = round_trip(f);
    cr_assert_null(lp_frame_col(g, 0)->validity);
    free(buf);
    lp_frame_unref(f);
    lp_frame_unref(g);
}

Test(frame_io, missing_category_code_is_normalised)
{
    lp_column_builder *b = lp_column_builder_new(LP_DT_CATEGORY, 3);
    lp_column_builder_append_str(b, "x", 1);
    lp_column_builder_append_null(b);
    lp_column_builder_append_str(b, "y", 1);
    lp_column *c = lp_column_builder_finish(b);
    c->data.cat.codes[1] = 12345; /* garbage under a missing value */
    lp_frame *f = lp_frame_new();
    add(f, "c", c);
    lp_frame *g = round_trip(f);
    cr_assert_eq(lp_frame_col(g, 0)->data.cat.codes[1], 0);
    cr_assert_eq(lp_frame_col(g, 0)->data.cat.codes[2], 1);
    lp_frame_unref(f);
    lp_frame_unref(g);
}

Test(frame_io, serialize_refuses_what_it_could_not_read_back)
{
    lp_frame *f = lp_frame_new();
    lp_column_builder *b = lp_column_builder_new(LP_DT_STRING, 2);
    lp_column_builder_append_str(b, "ok", 2);
    lp_column_builder_append_str(b, "\xff\xfe", 2);
    add(f, "bad", lp_column_builder_finish(b));
    uint8_t *buf = (uint8_t *)1;
    size_t len = 9;
    cr_assert_eq(lp_frame_serialize(f, &buf, &len), LP_EINVAL);
    cr_assert_null(buf);
    cr_assert_eq(len, 0);
    cr_assert(strstr(lp_error_last()->message, "'bad'"), "%s", lp_error_last()->message);
    cr_assert(strstr(lp_error_last()->message, "row 2"), "%s", lp_error_last()->message);
    lp_frame_unref(f);

    f = lp_frame_new();
    b = lp_column_builder_new(LP_DT_CATEGORY, 1);
    lp_column_builder_append_str(b, "x", 1);
    lp_column *c = lp_column_builder_finish(b);
    c->data.cat.codes[0] = 3;
    add(f, "cat", c);
    cr_assert_eq(lp_frame_serialize(f, &buf, &len), LP_EINVAL);
    cr_assert(strstr(lp_error_last()->message, "outside its dictionary"), "%s",
              lp_error_last()->message);
    lp_frame_unref(f);
}

/* ---- mutated inputs ------------------------------------------------------------ */

/* Every prefix is rejected; every one-byte change is rejected or else decodes
 * to a frame that re-encodes to exactly the changed bytes (canonical form). */
Test(frame_io, truncations_and_byte_flips)
{
    lp_frame *f = every_type(11);
    uint8_t *buf;
    size_t len;
    cr_assert_eq(lp_frame_serialize(f, &buf, &len), 0);
    for (size_t k = 0; k < len; k++) {
        lp_frame *g = (lp_frame *)1;
        cr_assert_eq(lp_frame_deserialize(&g, buf, k), LP_EINVAL, "prefix of %zu bytes", k);
        cr_assert_null(g);
    }
    uint8_t *m = malloc(len);
    size_t accepted = 0;
    for (size_t k = 0; k < len; k++) {
        for (int bit = 0; bit < 8; bit++) {
            memcpy(m, buf, len);
            m[k] ^= (uint8_t)(1u << bit);
            lp_frame *g = NULL;
            if (lp_frame_deserialize(&g, m, len) != 0) {
                cr_assert_null(g);
                continue;
            }
            accepted++;
            uint8_t *again;
            size_t alen;
            cr_assert_eq(lp_frame_serialize(g, &again, &alen), 0);
            cr_assert(alen == len && memcmp(again, m, len) == 0, "byte %zu bit %d", k, bit);
            free(again);
            lp_frame_unref(g);
        }
    }
    cr_assert_gt(accepted, 0); /* value bytes may change freely */
    free(m);
    free(buf);
    lp_frame_unref(f);
}

/* ---- hand-crafted hostile inputs ------------------------------------------------ */

typedef struct {
    uint8_t b[512];
    size_t n;
} blob;

static void u8(blob *x, uint64_t v)
{
    x->b[x->n++] = (uint8_t)v;
}
static void le(blob *x, uint64_t v, int bytes)
{
    for (int k = 0; k < bytes; k++)
        u8(x, v >> (8 * k));
}
static void raw(blob *x, const void *p, size_t n)
{
    memcpy(x->b + x->n, p, n);
    x->n += n;
}
static void header(blob *x, uint64_t cols, uint64_t rows)
{
    x->n = 0;
    raw(x, "LPFRAME", 8);
    le(x, 1, 4);
    le(x, 0, 4);
    le(x, cols, 8);
    le(x, rows, 8);
}
static void col_head(blob *x, const char *name, size_t name_len, int type, int validity)
{
    le(x, name_len, 4);
    raw(x, name, name_len);
    u8(x, (uint64_t)type);
    u8(x, (uint64_t)validity);
}

static void expect_rejected(const blob *x, const char *why, const char *needle)
{
    lp_frame *g = NULL;
    int rc = lp_frame_deserialize(&g, x->b, x->n);
    cr_assert_eq(rc, LP_EINVAL, "%s: accepted (rc %d)", why, rc);
    cr_assert_null(g);
    cr_assert(strstr(lp_error_last()->message, needle), "%s: message '%s' lacks '%s'", why,
              lp_error_last()->message, needle);
}

static void expect_ok(const blob *x)
{
    lp_frame *g = NULL;
    cr_assert_eq(lp_frame_deserialize(&g, x->b, x->n), 0, "%s", lp_error_last()->message);
    lp_frame_unref(g);
}

Test(frame_io, hostile_headers)
{
    blob x;
    header(&x, 0, 0);
    expect_ok(&x);
    x.b[0] = 'X';
    expect_rejected(&x, "magic", "not a lolpop frame");
    header(&x, 0, 0);
    x.b[8] = 2;
    expect_rejected(&x, "version", "version 2");
    header(&x, 0, 0);
    x.b[12] = 1;
    expect_rejected(&x, "flags", "flags");
    header(&x, UINT64_MAX, 0);
    expect_rejected(&x, "column count", "columns cannot fit");
    header(&x, 0, UINT64_MAX);
    expect_rejected(&x, "row count", "too large");
    header(&x, 0, 0);
    u8(&x, 0);
    expect_rejected(&x, "trailing", "unexpected bytes");
    lp_frame *g = NULL;
    cr_assert_eq(lp_frame_deserialize(&g, NULL, 0), LP_EINVAL);
    /* a huge row count with a column: must not allocate, just fail */
    header(&x, 1, (uint64_t)1 << 60);
    col_head(&x, "a", 1, LP_DT_FLOAT64, 0);
    expect_rejected(&x, "huge rows", "truncated");
    header(&x, 1, (uint64_t)1 << 60);
    col_head(&x, "a", 1, LP_DT_STRING, 0);
    expect_rejected(&x, "huge string rows", "truncated");
    header(&x, 1, (uint64_t)INT64_MAX);
    col_head(&x, "a", 1, LP_DT_BOOL, 1);
    expect_rejected(&x, "huge bitmap", "truncated");
}

Test(frame_io, hostile_names_and_flags)
{
    blob x;
    header(&x, 1, 1);
    col_head(&x, "a\0b", 3, LP_DT_BOOL, 0);
    u8(&x, 1);
    expect_rejected(&x, "NUL in name", "NUL");
    header(&x, 1, 1);
    col_head(&x, "\xc0\xaf", 2, LP_DT_BOOL, 0);
    u8(&x, 1);
    expect_rejected(&x, "overlong UTF-8 name", "UTF-8");
    header(&x, 2, 1);
    col_head(&x, "same", 4, LP_DT_BOOL, 0);
    u8(&x, 1);
    col_head(&x, "same", 4, LP_DT_BOOL, 0);
    u8(&x, 0);
    expect_rejected(&x, "duplicate name", "duplicate column name 'same'");
    header(&x, 1, 1);
    le(&x, 0xffffffff, 4);
    le(&x, 0, 8);
    expect_rejected(&x, "name length", "truncated");
    header(&x, 1, 1);
    col_head(&x, "a", 1, 6, 0);
    expect_rejected(&x, "type", "unknown column type 6");
    header(&x, 1, 1);
    col_head(&x, "a", 1, LP_DT_BOOL, 2);
    expect_rejected(&x, "validity flag", "validity flag 2");
    header(&x, 1, 1);
    col_head(&x, "a", 1, LP_DT_BOOL, 0);
    u8(&x, 2);
    expect_rejected(&x, "bool byte", "bool byte 2");
    header(&x, 1, 3);
    col_head(&x, "a", 1, LP_DT_BOOL, 1);
    u8(&x, 0x0d); /* rows 0 and 2 present, bit 3 set past the end */
    raw(&x, "\1\0\1", 3);
    expect_rejected(&x, "tail bits", "past the last row");
    header(&x, 1, 3);
    col_head(&x, "a", 1, LP_DT_BOOL, 1);
    u8(&x, 0x07); /* every row present: the bitmap must be absent */
    raw(&x, "\1\0\1", 3);
    expect_rejected(&x, "useless bitmap", "no row is missing");
    x.b[x.n - 4] = 0x05;
    expect_ok(&x);
}

/* One string column of 2 rows with the given offsets and text. */
static void strings(blob *x, uint64_t o0, uint64_t o1, uint64_t o2, const char *text, size_t n)
{
    header(x, 1, 2);
    col_head(x, "s", 1, LP_DT_STRING, 0);
    le(x, o0, 8);
    le(x, o1, 8);
    le(x, o2, 8);
    raw(x, text, n);
}

Test(frame_io, hostile_strings)
{
    blob x;
    strings(&x, 0, 2, 5, "abcde", 5);
    expect_ok(&x);
    strings(&x, 1, 2, 5, "abcde", 5);
    expect_rejected(&x, "first offset", "not 0");
    strings(&x, 0, 3, 2, "abcde", 5);
    expect_rejected(&x, "decreasing", "below the previous");
    strings(&x, 0, 2, 6, "abcde", 5);
    expect_rejected(&x, "past end", "past the end");
    strings(&x, 0, 2, UINT64_MAX, "abcde", 5);
    expect_rejected(&x, "huge offset", "past the end");
    strings(&x, 0, 2, 4, "abcde", 5);
    expect_rejected(&x, "short", "unexpected bytes");
    strings(&x, 0, 2, 5, "ab\xed\xa0\x80", 5); /* a UTF-16 surrogate */
    expect_rejected(&x, "surrogate", "string 2 is not valid UTF-8");
    strings(&x, 0, 1, 5, "\xc3\xa9xyz", 5); /* é split across two values */
    expect_rejected(&x, "split sequence", "not valid UTF-8");
}

/* One category column of 2 rows: codes, then a dictionary of two values. */
static void category(blob *x, int32_t c0, int32_t c1, int validity, const char *d0, const char *d1)
{
    header(x, 1, 2);
    col_head(x, "c", 1, LP_DT_CATEGORY, validity);
    if (validity) u8(x, 0x01); /* row 2 missing */
    le(x, (uint32_t)c0, 4);
    le(x, (uint32_t)c1, 4);
    le(x, 2, 8);
    le(x, 0, 8);
    le(x, strlen(d0), 8);
    le(x, strlen(d0) + strlen(d1), 8);
    raw(x, d0, strlen(d0));
    raw(x, d1, strlen(d1));
}

Test(frame_io, hostile_categories)
{
    blob x;
    category(&x, 1, 0, 0, "x", "y");
    expect_ok(&x);
    category(&x, 2, 0, 0, "x", "y");
    expect_rejected(&x, "code too big", "outside the dictionary");
    category(&x, -1, 0, 0, "x", "y");
    expect_rejected(&x, "negative code", "outside the dictionary");
    category(&x, 1, 0, 1, "x", "y");
    expect_ok(&x);
    category(&x, 1, 1, 1, "x", "y");
    expect_rejected(&x, "code under missing", "must be 0");
    category(&x, 1, 0, 0, "x", "x");
    expect_rejected(&x, "duplicate dictionary value", "duplicate");
    header(&x, 1, 1);
    col_head(&x, "c", 1, LP_DT_CATEGORY, 0);
    le(&x, 0, 4);
    le(&x, UINT64_MAX, 8);
    expect_rejected(&x, "dictionary size", "too large");
    header(&x, 1, 1);
    col_head(&x, "c", 1, LP_DT_CATEGORY, 0);
    le(&x, 0, 4);
    le(&x, 1000, 8);
    expect_rejected(&x, "dictionary size", "truncated");
}
