/*
 * fuzz_csv.c — libFuzzer target for the CSV reader: tokenising, quoting,
 * UTF-8 checks, inference, conversion, chunked parallel parsing (the input
 * is read with 1 and 2 threads, with types guessed from the first row and
 * without a guess, and the frames must hash the same), and
 * the writer on whatever was read (write → read must give the same frame).
 * The chunker's quote count and the one-pass read's row count are checked
 * against byte loops; a failed read must fail with the same message, line and
 * column with a guess (the one-pass read, when every type is guessed) and without.
 * The float parser is also checked against strtod on the input itself (as
 * one value, and as the reader reads it: with the rest of the buffer readable).
 *
 *   CC=clang meson setup build-fuzz -Dfuzz=true -Dtests=false
 *   ninja -C build-fuzz
 *   ./build-fuzz/fuzz/fuzz_csv fuzz/corpus/csv -max_total_time=60
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/csv_number.h"
#include "data/csv_internal.h"
#include "data/csv_scan.h"
#include "lolpop/csv.h"
#include "lolpop/error.h"
#include "lolpop/frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The first byte picks the separator and header mode; the rest is the file. */
static void options_from(uint8_t b, lp_csv_options *o)
{
    memset(o, 0, sizeof *o);
    o->separator = ",;\t|"[b & 3];
    o->no_header = (b >> 2) & 1;
}

static void round_trip(const lp_frame *f, const lp_csv_options *o)
{
    size_t nc = lp_frame_cols(f);
    lp_csv_type_override *ov = calloc(nc ? nc : 1, sizeof *ov);
    if (!ov) return;
    for (size_t j = 0; j < nc; j++)
        ov[j] = (lp_csv_type_override){lp_frame_name(f, j), lp_frame_col(f, j)->type};
    lp_csv_options w = *o;
    w.no_header = false;
    w.overrides = ov;
    w.n_overrides = nc;
    char *buf = NULL;
    size_t len = 0;
    lp_frame *g = NULL;
    if (lp_csv_write_buffer(&buf, &len, f, &w) == 0 &&
        lp_csv_read_buffer(&g, buf, len, "rt.csv", &w) == 0) {
        char h1[65], h2[65];
        /* a one-column frame whose only row is missing and a frame with no
         * columns cannot be told apart from an empty file: skip those */
        if (lp_frame_hash_hex(f, h1) == 0 && lp_frame_hash_hex(g, h2) == 0 && strcmp(h1, h2) != 0)
            abort();
    }
    lp_frame_unref(g);
    free(buf);
    free(ov);
}

/* lp_csv_parse_f64 must give what strtod gives, bit for bit, on whatever both
 * accept as one whole decimal value (strtod also takes hex and leading spaces). */
static void check_float(const char *s, size_t n, size_t readable)
{
    char z[128];
    if (n >= sizeof z) return;
    memcpy(z, s, n);
    z[n] = '\0';
    double ours, in;
    bool ok = lp_csv_parse_f64(s, n, &ours), ok_in = lp_csv_parse_f64_in(s, n, readable, &in);
    if (ok != ok_in) abort();
    if (!ok || (n > 0 && (z[0] == ' ' || strpbrk(z, "xXpP")))) return;
    char *end;
    double want = strtod(z, &end);
    if (end != z + n) return;
    if (memcmp(&want, &ours, 8) != 0 && !(want != want && ours != ours)) abort();
    if (memcmp(&ours, &in, 8) != 0 && !(in != in && ours != ours)) abort();
    double fast; /* the reader's inline path: only values strtod gives the same */
    if (lp_csv_f64_fast(s, n, readable, &fast) && memcmp(&fast, &want, 8) != 0) abort();
}

/* csv_count_row_starts against a byte loop: rows starting in [from, to) outside
 * quotes by quote parity, or SIZE_MAX when the quotes are unbalanced at `to`. */
static size_t rows_by_bytes(const char *s, size_t from, size_t to)
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    for (size_t k = 1; k < size && k < 100; k++) /* every prefix of the file as one value */
        check_float((const char *)data + 1, k - 1, size - 1);
    lp_csv_options o;
    options_from(data[0], &o);
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    size_t quotes = 0; /* the chunker's vectorised quote count against bytes */
    for (size_t i = 0; i < len; i++)
        quotes += text[i] == '"';
    if (csv_count_quotes(text, 0, len) != quotes ||
        csv_count_quotes(text, len / 3, len) + csv_count_quotes(text, 0, len / 3) != quotes)
        abort();
    size_t ascii = 0; /* the UTF-8 check's vectorised ASCII prefix against bytes */
    while (ascii < len && !((uint8_t)text[ascii] & 0x80))
        ascii++;
    if (csv_ascii_span(text, 0, len) != ascii) abort();
    if (csv_count_row_starts(text, 0, len) != rows_by_bytes(text, 0, len) ||
        csv_count_row_starts(text, len / 3, len) != rows_by_bytes(text, len / 3, len))
        abort();
    lp_frame *f1 = NULL, *f2 = NULL, *f3 = NULL;
    lp_csv_sample_rows = 1; /* types guessed from the first row: often wrong, which is the point */
    o.threads = 1;
    int rc1 = lp_csv_read_buffer(&f1, text, len, "fuzz.csv", &o);
    char msg1[256] = "";
    int at1[2] = {0, 0};
    if (rc1) {
        const lp_error *e = lp_error_last();
        snprintf(msg1, sizeof msg1, "%s", e->message);
        at1[0] = e->line, at1[1] = e->col;
    }
    o.threads = 2;
    int rc2 = lp_csv_read_buffer(&f2, text, len, "fuzz.csv", &o);
    lp_csv_sample_rows = 0; /* no guess: inference over every row */
    int rc3 = lp_csv_read_buffer(&f3, text, len, "fuzz.csv", &o);
    lp_csv_sample_rows = 1;
    if (rc1 && rc3) { /* the same error, guessed or not */
        const lp_error *e = lp_error_last();
        char msg3[256];
        snprintf(msg3, sizeof msg3, "%s", e->message);
        if (strcmp(msg1, msg3) != 0 || at1[0] != e->line || at1[1] != e->col) abort();
    }
    /* neither threads nor a guess may change the outcome */
    if ((rc1 == 0) != (rc2 == 0) || (rc1 == 0) != (rc3 == 0)) abort();
    if (rc1 == 0) {
        char h1[65], h2[65], h3[65];
        if (lp_frame_hash_hex(f1, h1) == 0 && lp_frame_hash_hex(f2, h2) == 0 && strcmp(h1, h2) != 0)
            abort();
        if (lp_frame_hash_hex(f3, h3) == 0 && strcmp(h1, h3) != 0) abort();
        round_trip(f1, &o);
        for (size_t j = 0; j < lp_frame_cols(f1); j++) {
            lp_column_stats s;
            if (lp_column_stats_compute(&s, lp_frame_col(f1, j)) == 0) lp_column_stats_free(&s);
        }
    }
    lp_frame_unref(f1);
    lp_frame_unref(f2);
    lp_frame_unref(f3);
    lp_error_clear();
    return 0;
}
