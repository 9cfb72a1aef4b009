/*
 * test_csv_scan.c — the CSV reader's vectorised scanning helpers (csv_scan.h)
 * against byte-by-byte references: quote counting (chunk boundaries) at every
 * alignment and length, including runs longer than the 255-block flush.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "work_scale.h"
#include "data/csv_scan.h"

static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;

static uint64_t rng(void) /* xorshift64* */
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ULL;
}

static size_t naive_quotes(const char *s, size_t from, size_t to)
{
    size_t q = 0;
    for (size_t i = from; i < to; i++)
        q += s[i] == '"';
    return q;
}

Test(csv_scan, count_quotes_matches_bytewise)
{
    enum { N = 4096 + 64 };
    char *buf = malloc(N);
    cr_assert_not_null(buf);
    for (int rep = 0; rep < lp_t_cases(400); rep++) {
        unsigned density =
            1 + (unsigned)(rng() % 4); /* 1 in 4..32 bytes a quote (every 17th run: all) */
        for (size_t i = 0; i < N; i++)
            buf[i] = rep % 17 == 0                  ? '"'
                     : rng() % (2u << density) == 0 ? '"'
                                                    : (char)('a' + rng() % 26);
        size_t from = (size_t)(rng() % 40), to = from + (size_t)(rng() % (N - from));
        cr_assert_eq(csv_count_quotes(buf, from, to), naive_quotes(buf, from, to),
                     "quotes in [%zu, %zu)", from, to);
    }
    /* all quotes over more than 255 blocks of 16: the per-byte counters must be flushed */
    memset(buf, '"', N);
    cr_assert_eq(csv_count_quotes(buf, 0, N), (size_t)N);
    cr_assert_eq(csv_count_quotes(buf, 3, N - 5), (size_t)N - 8);
    cr_assert_eq(csv_count_quotes(buf, 7, 7), 0u);
    free(buf);
}
