/*
 * fuzz_sql_fast.c — libFuzzer target for the SQL projection fast path
 * (src/data/sqlite_fast.c): the input is SQL over table `source` (a frame of
 * int64 edges, zero divisors, NaN, NULLs, texts, booleans, timestamps). What
 * the fast path takes must give SQLite's frame byte for byte; anything else
 * it must decline. A difference aborts.
 *
 *   CC=clang meson setup build-fuzz -Dfuzz=true -Dtests=false
 *   ninja -C build-fuzz
 *   ./build-fuzz/fuzz/fuzz_sql_fast fuzz/corpus/sql_fast -max_total_time=60
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../tests/unit/sqlite_fast_diff.h"
#include "lolpop/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static sqlite3 *db;
    static lp_frame *f;
    if (!db) {
        f = diff_frame(40);
        if (lp_sqlite_open(&db, ":memory:", false) != 0 ||
            lp_sqlite_attach_frame(db, "source", f, "fuzz") != 0)
            abort();
    }
    if (size > 4096) return 0;
    char *sql = malloc(size + 1);
    if (!sql) return 0;
    memcpy(sql, data, size);
    sql[size] = '\0';
    /* SQL that writes would change the table; the fast path only reads */
    if (!lp_sqlite_is_query(sql) || strchr(sql, ';')) {
        free(sql);
        return 0;
    }
    if (diff_run(db, f, sql) == DIFF_DIFFERENT) abort();
    free(sql);
    lp_error_clear();
    return 0;
}
