/*
 * frame_memory.c — how much memory a big mixed frame takes.
 *
 * Builds a frame of ROWS rows (default 10,000,000) × 30 columns: 20 float64
 * (every 100th value of the first five missing), 5 int64 and 5 category
 * columns (16 distinct strings each, built through the category builder the
 * way the CSV reader does), then prints the peak resident set size
 * (getrusage ru_maxrss), the bytes the columns hold, and both per cell.
 * Also times a content hash and a sort, for a feel of the speed.
 *
 * Usage: frame_memory [ROWS]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "lolpop/error.h"
#include "lolpop/frame.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double peak_rss_bytes(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_maxrss * 1024.0; /* Linux reports KiB */
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;
static uint64_t next_rand(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Bytes held by a column's arrays (not counting malloc overhead). */
static size_t column_bytes(const lp_column *c)
{
    size_t n = c->length, b = c->validity ? (n + 7) / 8 : 0;
    switch (c->type) {
    case LP_DT_BOOL:
        return b + n;
    case LP_DT_STRING:
        return b + (n + 1) * 8 + (size_t)c->data.str.offsets[n];
    case LP_DT_CATEGORY:
        return b + n * 4 + column_bytes(c->data.cat.dict);
    default:
        return b + n * 8;
    }
}

static int fail(const char *what)
{
    fprintf(stderr, "frame_memory: %s: %s\n", what, lp_error_last()->message);
    return 1;
}

int main(int argc, char **argv)
{
    size_t rows = argc > 1 ? strtoull(argv[1], NULL, 10) : 10000000;
    double base = peak_rss_bytes(), t0 = now();
    lp_frame *f = lp_frame_new();
    char name[32];
    for (int j = 0; j < 20; j++) {
        lp_column *c = lp_column_new(LP_DT_FLOAT64, rows);
        if (!c) return fail("float column");
        for (size_t i = 0; i < rows; i++)
            c->data.f64[i] = (double)(next_rand() >> 11) * 0x1.0p-53;
        for (size_t i = 0; j < 5 && i < rows; i += 100)
            lp_column_set_null(c, i);
        snprintf(name, sizeof name, "f%02d", j);
        if (lp_frame_add_column(f, name, c)) return fail("add column");
    }
    for (int j = 0; j < 5; j++) {
        lp_column *c = lp_column_new(LP_DT_INT64, rows);
        if (!c) return fail("int column");
        for (size_t i = 0; i < rows; i++)
            c->data.i64[i] = (int64_t)(next_rand() % 1000000);
        snprintf(name, sizeof name, "i%02d", j);
        if (lp_frame_add_column(f, name, c)) return fail("add column");
    }
    for (int j = 0; j < 5; j++) {
        lp_column_builder *b = lp_column_builder_new(LP_DT_CATEGORY, rows);
        for (size_t i = 0; b && i < rows; i++) {
            int n = snprintf(name, sizeof name, "level-%02d", (int)(next_rand() % 16));
            if (lp_column_builder_append_str(b, name, (size_t)n)) return fail("category value");
        }
        lp_column *c = lp_column_builder_finish(b);
        if (!c) return fail("category column");
        snprintf(name, sizeof name, "c%02d", j);
        if (lp_frame_add_column(f, name, c)) return fail("add column");
    }
    double built = now() - t0;
    size_t held = 0;
    for (size_t j = 0; j < lp_frame_cols(f); j++)
        held += column_bytes(lp_frame_col(f, j));
    double peak = peak_rss_bytes();
    double cells = (double)rows * (double)lp_frame_cols(f);

    printf("frame: %zu rows x %zu columns (20 float64, 5 int64, 5 category) = %.0f cells\n", rows,
           lp_frame_cols(f), cells);
    printf("build time:        %.2f s\n", built);
    printf("column bytes:      %.1f MiB (%.2f bytes/cell)\n", (double)held / 1048576.0,
           (double)held / cells);
    printf("peak RSS:          %.1f MiB (%.2f bytes/cell above the %.1f MiB baseline)\n",
           peak / 1048576.0, (peak - base) / cells, base / 1048576.0);

    char hex[65];
    t0 = now();
    if (lp_frame_hash_hex(f, hex)) return fail("hash");
    printf("content hash:      %.2f s (%s)\n", now() - t0, hex);
    lp_frame *s = NULL;
    t0 = now();
    if (lp_frame_sort(&s, f, "f05", true)) return fail("sort");
    printf("sort by float64:   %.2f s (all 30 columns reordered)\n", now() - t0);
    printf("peak RSS after sort: %.1f MiB\n", peak_rss_bytes() / 1048576.0);
    lp_frame_unref(s);
    lp_frame_unref(f);
    return 0;
}
