/*
 * test_csv_scan.c — the CSV reader's vectorised scanning helpers (csv_scan.h)
 * against byte-by-byte references: quote counting (chunk boundaries) at every
 * alignment and length, including runs longer than the 255-block flush, and
 * quote-aware row counting (the one-pass read's pass 1) and the ASCII span before
 * the UTF-8 check.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "work_scale.h"
#include "data/csv_scan.h"

#include "test_rng.h"

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

/* Rows starting in [from, to) by the byte loop that csv_count_row_starts stands
 * for: quote parity since `from` tells inside from outside; SIZE_MAX when odd. */
static size_t naive_row_starts(const char *s, size_t from, size_t to)
{
    size_t rows = 0;
    bool in = false, prev_eol = true;
    for (size_t i = from; i < to; i++) {
        bool eol = s[i] == '\n' || s[i] == '\r';
        in ^= s[i] == '"';
        rows += !eol && prev_eol;
        prev_eol = eol && !in;
    }
    return in ? SIZE_MAX : rows;
}

Test(csv_scan, count_row_starts_matches_bytewise)
{
    enum { N = 4096 + 64 };
    static const char alphabet[] = "\"\n\r,ab";
    char *buf = malloc(N);
    cr_assert_not_null(buf);
    size_t balanced = 0, odd = 0;
    int cases = lp_t_cases(2000); /* fewer under valgrind */
    for (int rep = 0; rep < cases; rep++) {
        /* some runs with no quote, some with a quote in 1 of 4..64 bytes, line
         * ends in 1 of 2..32: blocks with and without quotes, open quotes across
         * 64-byte blocks, blank lines, CRLF */
        unsigned qd = (unsigned)(rng() % 5), ed = 1 + (unsigned)(rng() % 4);
        for (size_t i = 0; i < N; i++) {
            uint64_t r = rng();
            buf[i] = rep % 3 && (r & 0xffff) % (4u << qd) == 0 ? '"'
                     : (r >> 16) % (2u << ed) == 0             ? alphabet[1 + (r >> 32) % 2]
                                                               : alphabet[3 + (r >> 40) % 3];
        }
        size_t from = (size_t)(rng() % 70), to = from + (size_t)(rng() % (N - from));
        if (rep % 7 == 0) to = from + (size_t)(rng() % 130); /* short: the byte loop alone */
        size_t want = naive_row_starts(buf, from, to);
        cr_assert_eq(csv_count_row_starts(buf, from, to), want, "rows in [%zu, %zu) (rep %d)", from,
                     to, rep);
        want == SIZE_MAX ? odd++ : balanced++;
    }
    cr_assert(balanced > (size_t)cases / 10 && odd > (size_t)cases / 10,
              "cases: %zu balanced, %zu odd", balanced, odd);
    /* a quoted field holding line ends across several 64-byte blocks: one row */
    memset(buf, 'x', 300);
    buf[0] = '"', buf[200] = '"', buf[299] = '\n';
    for (size_t i = 5; i < 200; i += 13)
        buf[i] = i % 2 ? '\n' : '\r';
    cr_assert_eq(csv_count_row_starts(buf, 0, 300), 1u);
    cr_assert_eq(csv_count_row_starts(buf, 0, 150), SIZE_MAX); /* still inside */
    cr_assert_eq(csv_count_row_starts(buf, 7, 7), 0u);
    free(buf);
}

Test(csv_scan, ascii_span_finds_the_first_high_byte)
{
    enum { N = 1024 };
    char *buf = malloc(N);
    cr_assert_not_null(buf);
    for (int rep = 0; rep < lp_t_cases(3000); rep++) {
        memset(buf, 'a', N);
        size_t from = (size_t)(rng() % 80), to = from + (size_t)(rng() % (N - from));
        size_t hi = SIZE_MAX;
        if (rep % 5) { /* one or two high bytes anywhere, also before `from` */
            hi = (size_t)(rng() % N);
            buf[hi] = (char)(0x80 | rng() % 128);
            if (rep % 3 == 0) buf[(size_t)(rng() % N)] = (char)0xC3;
        }
        size_t want = from;
        while (want < to && !((uint8_t)buf[want] & 0x80))
            want++;
        cr_assert_eq(csv_ascii_span(buf, from, to), want, "[%zu, %zu), high byte at %zu", from, to,
                     hi);
    }
    free(buf);
}
