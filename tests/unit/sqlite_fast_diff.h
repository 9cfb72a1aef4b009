/*
 * sqlite_fast_diff.h — the differential check of the SQL projection fast
 * path (src/data/sqlite_fast.c) against SQLite itself, shared by
 * test_sqlite_fast and fuzz_sql_fast: a frame of awkward values attached as
 * table `source`, and one query run both ways.
 */
#ifndef LP_TEST_SQLITE_FAST_DIFF_H
#define LP_TEST_SQLITE_FAST_DIFF_H

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "data/sqlite_fast.h"
#include "data/sqlite_frame.h"
#include "lolpop/error.h"
#include "lolpop/frame_io.h"

/* Frame columns: i, j int64 (edges, zero divisors, NULLs), r float64 (-0.0,
 * ±1e308, halves, NaN, NULL), s string, c category-free text with numbers in
 * it, b bool, ts timestamp, and k int64, x float64, f bool without a missing
 * value (columns the fast path passes through shared). Row k's values depend
 * on k only. */
static lp_frame *diff_frame(size_t rows)
{
    static const int64_t ints[] = {0,
                                   1,
                                   -1,
                                   2,
                                   -2,
                                   7,
                                   -7,
                                   INT64_MAX,
                                   INT64_MIN,
                                   INT64_MAX - 1,
                                   3037000500,
                                   -3037000500,
                                   9007199254740993};
    static const double reals[] = {0.0,
                                   -0.0,
                                   0.5,
                                   -0.5,
                                   1.0,
                                   2.0,
                                   -3.25,
                                   1e308,
                                   -1e308,
                                   9.2233720368547758e18,
                                   -9.2233720368547758e18,
                                   1e-300,
                                   7.0};
    static const char *strs[] = {"a", "", "b", "A", "ab", "h\xc3\xa9", "5", "5.0", " 7", "a\"b"};
    lp_column_builder *bi = lp_column_builder_new(LP_DT_INT64, rows);
    lp_column_builder *bj = lp_column_builder_new(LP_DT_INT64, rows);
    lp_column_builder *br = lp_column_builder_new(LP_DT_FLOAT64, rows);
    lp_column_builder *bs = lp_column_builder_new(LP_DT_STRING, rows);
    lp_column_builder *bn = lp_column_builder_new(LP_DT_STRING, rows);
    lp_column_builder *bb = lp_column_builder_new(LP_DT_BOOL, rows);
    lp_column_builder *bt = lp_column_builder_new(LP_DT_TIMESTAMP, rows);
    lp_column_builder *bk = lp_column_builder_new(LP_DT_INT64, rows);
    lp_column_builder *bx = lp_column_builder_new(LP_DT_FLOAT64, rows);
    lp_column_builder *bf = lp_column_builder_new(LP_DT_BOOL, rows);
    size_t ni = sizeof ints / sizeof *ints, nr = sizeof reals / sizeof *reals;
    size_t ns = sizeof strs / sizeof *strs;
    for (size_t k = 0; k < rows; k++) {
        if (k % 11 == 3)
            lp_column_builder_append_null(bi);
        else
            lp_column_builder_append_i64(bi, ints[k % ni]);
        if (k % 7 == 5)
            lp_column_builder_append_null(bj);
        else
            lp_column_builder_append_i64(bj, ints[(k * 5 + 1) % ni] % 4);
        if (k % 9 == 4)
            lp_column_builder_append_null(br);
        else if (k % 17 == 8)
            lp_column_builder_append_f64(br, NAN);
        else
            lp_column_builder_append_f64(br, reals[(k * 3) % nr]);
        if (k % 6 == 2)
            lp_column_builder_append_null(bs);
        else
            lp_column_builder_append_str(bs, strs[k % ns], strlen(strs[k % ns]));
        if (k % 5 == 1)
            lp_column_builder_append_null(bn);
        else
            lp_column_builder_append_str(bn, strs[(k + 3) % ns], strlen(strs[(k + 3) % ns]));
        if (k % 8 == 6)
            lp_column_builder_append_null(bb);
        else
            lp_column_builder_append_bool(bb, k % 3 == 0);
        if (k % 4 == 3)
            lp_column_builder_append_null(bt);
        else
            lp_column_builder_append_i64(bt, (int64_t)k * 86400000000LL + (int64_t)(k % 2) * 500);
        lp_column_builder_append_i64(bk, ints[(k * 7 + 2) % ni]);
        lp_column_builder_append_f64(bx, reals[(k * 5 + 1) % nr]);
        lp_column_builder_append_bool(bf, k % 4 == 1);
    }
    lp_frame *f = lp_frame_new();
    lp_frame_add_column(f, "i", lp_column_builder_finish(bi));
    lp_frame_add_column(f, "j", lp_column_builder_finish(bj));
    lp_frame_add_column(f, "r", lp_column_builder_finish(br));
    lp_frame_add_column(f, "s", lp_column_builder_finish(bs));
    lp_frame_add_column(f, "c", lp_column_builder_finish(bn));
    lp_frame_add_column(f, "b", lp_column_builder_finish(bb));
    lp_frame_add_column(f, "ts", lp_column_builder_finish(bt));
    lp_frame_add_column(f, "k", lp_column_builder_finish(bk));
    lp_frame_add_column(f, "x", lp_column_builder_finish(bx));
    lp_frame_add_column(f, "f", lp_column_builder_finish(bf));
    return f;
}

typedef enum {
    DIFF_SAME,      /* the fast path handled it and gave SQLite's frame */
    DIFF_NOT_MINE,  /* the fast path declined */
    DIFF_DIFFERENT, /* handled, and the frames (or the outcomes) differ */
} diff_result;

/* Runs sql over f (attached to db as `source`) through the fast path and
 * through SQLite and compares the frames byte for byte (names, types, NULLs,
 * values), or both must fail with the same message. */
static diff_result diff_run(sqlite3 *db, lp_frame *f, const char *sql)
{
    lp_frame *fast = NULL, *slow = NULL;
    bool handled = false;
    int rc = lp_sqlite_fast_query(&fast, db, sql, "source", f, "q.sql", &handled);
    if (!handled) return rc == 0 && !fast ? DIFF_NOT_MINE : DIFF_DIFFERENT;
    char *msg = rc == 0 ? NULL : strdup(lp_error_last()->message);
    int rc2 = lp_sqlite_query_frame(&slow, db, sql, "q.sql");
    diff_result r = DIFF_DIFFERENT;
    if (rc != 0 && rc2 != 0 && msg && strcmp(msg, lp_error_last()->message) == 0)
        r = DIFF_SAME; /* both failed alike (a column name that is not UTF-8, …) */
    free(msg);
    if (rc == 0 && rc2 == 0) {
        uint8_t *a = NULL, *b = NULL;
        size_t na = 0, nb = 0;
        int sa = lp_frame_serialize(fast, &a, &na);
        char *ma = sa == 0 ? NULL : strdup(lp_error_last()->message);
        int sb = lp_frame_serialize(slow, &b, &nb);
        if (sa == 0 && sb == 0 && na == nb && memcmp(a, b, na) == 0) r = DIFF_SAME;
        /* neither serialises (a column name that is not UTF-8): the same refusal */
        if (sa != 0 && sb != 0 && ma && strcmp(ma, lp_error_last()->message) == 0) r = DIFF_SAME;
        free(ma);
        free(a);
        free(b);
    }
    lp_frame_unref(fast);
    lp_frame_unref(slow);
    return r;
}

#endif
