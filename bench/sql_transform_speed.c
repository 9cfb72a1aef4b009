/*
 * sql_transform_speed.c — a SQL transform over a CSV's frame, the projection
 * fast path (src/data/sqlite_fast.c) against SQLite's VM over the same virtual
 * table, in CPU seconds of this thread (the fastest of RUNS runs each; wall
 * time is meaningless on a loaded machine). Both results are checked to
 * serialise to the same bytes.
 *
 * Usage: sql_transform_speed FILE.csv QUERY.sql [RUNS]   (table name `source`;
 *        RUNS default 5). E.g. on bench/gen_titanic's train.csv with
 *        examples/quickstart/classification/titanic/process_titanic.sql.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "data/sqlite_fast.h"
#include "data/sqlite_frame.h"
#include "lolpop/csv.h"
#include "lolpop/error.h"
#include "lolpop/frame_io.h"

static double thread_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static char *read_text(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) return NULL;
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (s && fread(s, 1, (size_t)n, fp) != (size_t)n) {
        free(s);
        s = NULL;
    }
    if (s) s[n] = 0;
    fclose(fp);
    return s;
}

static bool same_frames(const lp_frame *a, const lp_frame *b)
{
    uint8_t *x = NULL, *y = NULL;
    size_t nx = 0, ny = 0;
    bool same = lp_frame_serialize(a, &x, &nx) == 0 && lp_frame_serialize(b, &y, &ny) == 0 &&
                nx == ny && memcmp(x, y, nx) == 0;
    free(x);
    free(y);
    return same;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s FILE.csv QUERY.sql [RUNS]\n", argv[0]);
        return 2;
    }
    int runs = argc > 3 ? atoi(argv[3]) : 5;
    lp_frame *f = NULL;
    char *sql = read_text(argv[2]);
    sqlite3 *db = NULL;
    if (!sql || lp_csv_read(&f, argv[1], NULL) != 0 ||
        lp_sqlite_open(&db, ":memory:", false) != 0 ||
        lp_sqlite_attach_frame(db, "source", f, "bench") != 0) {
        fprintf(stderr, "%s\n", sql ? lp_error_last()->message : "cannot read the query");
        return 1;
    }
    double best_fast = 1e30, best_sqlite = 1e30;
    for (int r = 0; r < runs; r++) {
        lp_frame *a = NULL, *b = NULL;
        bool handled = false;
        double t0 = thread_seconds();
        int rc = lp_sqlite_fast_query(&a, db, sql, "source", f, "query", &handled);
        double t1 = thread_seconds();
        if (rc == 0) rc = lp_sqlite_query_frame(&b, db, sql, "query");
        double t2 = thread_seconds();
        if (rc != 0) {
            fprintf(stderr, "%s\n", lp_error_last()->message);
            return 1;
        }
        if (!handled) {
            printf("not a projection the fast path takes: SQLite %.3f s\n", t2 - t1);
            return 0;
        }
        if (!same_frames(a, b)) {
            fprintf(stderr, "the two results differ\n");
            return 1;
        }
        if (t1 - t0 < best_fast) best_fast = t1 - t0;
        if (t2 - t1 < best_sqlite) best_sqlite = t2 - t1;
        lp_frame_unref(a);
        lp_frame_unref(b);
    }
    printf("%zu rows x %zu columns: fast path %.3f s, SQLite %.3f s (CPU s, best of %d)\n",
           lp_frame_rows(f), lp_frame_cols(f), best_fast, best_sqlite, runs);
    sqlite3_close(db);
    lp_frame_unref(f);
    free(sql);
    return 0;
}
