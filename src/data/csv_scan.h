/*
 * csv_scan.h — the RFC 4180 field scanner shared by the reader's passes.
 * Inline because it runs once per field on the hot path. Not public API.
 */
#ifndef LP_CSV_SCAN_H
#define LP_CSV_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

enum { CSV_OK = 0, CSV_ERR_UNTERMINATED, CSV_ERR_AFTER_QUOTE };

typedef struct csv_field {
    size_t start, len; /* content (inside the quotes for a quoted field) */
    size_t next;       /* where the next field or row begins */
    size_t nesc;       /* doubled quotes in the content ("" stands for ") */
    bool quoted, escaped, row_end;
} csv_field;

/* Whether any byte of x is zero (the classic bit trick). */
static inline uint64_t csv_zero_bytes(uint64_t x)
{
    return (x - 0x0101010101010101ULL) & ~x & 0x8080808080808080ULL;
}

/* The first position >= p holding a flagged byte, or len (stop as below). Eight bytes at a
 * time while they are there: fields are often longer than a few bytes. */
__attribute__((always_inline)) static inline size_t csv_find_stop(const char *buf, size_t len,
                                                                  size_t p, const uint8_t *stop)
{
    const uint64_t ones = 0x0101010101010101ULL;
    uint64_t sep = ones * stop[256];
    while (p + 8 <= len) {
        uint64_t w;
        memcpy(&w, buf + p, 8);
        uint64_t hit = csv_zero_bytes(w ^ sep) | csv_zero_bytes(w ^ (ones * '\n')) |
                       csv_zero_bytes(w ^ (ones * '\r'));
        if (hit) /* the lowest flagged byte is always a true match */
            return p + (size_t)__builtin_ctzll(hit) / 8;
        p += 8;
    }
    while (p < len && !stop[(uint8_t)buf[p]])
        p++;
    return p;
}

/* Scans the field starting at buf[pos]. `stop` flags the separator, '\r' and
 * '\n' (stop[0..255]) and holds the separator itself in stop[256]. On error returns the kind and
 * sets *err_at to the offending byte. */
__attribute__((always_inline)) static inline int csv_scan_field(const char *buf, size_t len,
                                                                size_t pos, const uint8_t *stop,
                                                                csv_field *f, size_t *err_at)
{
    f->quoted = f->escaped = false;
    f->nesc = 0;
    f->start = pos, f->len = 0, f->next = len, f->row_end = true; /* what an error leaves */
    size_t p = pos;
    if (p < len && buf[p] == '"') {
        f->quoted = true;
        size_t q = p + 1;
        for (;;) {
            const char *hit = q < len ? memchr(buf + q, '"', len - q) : NULL;
            if (!hit) {
                *err_at = pos;
                return CSV_ERR_UNTERMINATED;
            }
            q = (size_t)(hit - buf);
            if (q + 1 < len && buf[q + 1] == '"') {
                f->escaped = true;
                f->nesc++;
                q += 2;
                continue;
            }
            break;
        }
        f->start = pos + 1;
        f->len = q - pos - 1;
        p = q + 1;
        if (p < len && !stop[(uint8_t)buf[p]]) {
            *err_at = p;
            return CSV_ERR_AFTER_QUOTE;
        }
    } else {
        p = csv_find_stop(buf, len, p, stop);
        f->start = pos;
        f->len = p - pos;
    }
    /* p is at a separator, a line end or the end of the buffer */
    if (p >= len) {
        f->row_end = true;
        f->next = len;
    } else if (buf[p] == '\n' || buf[p] == '\r') {
        f->row_end = true;
        f->next = p + 1 + (buf[p] == '\r' && p + 1 < len && buf[p + 1] == '\n');
    } else {
        f->row_end = false;
        f->next = p + 1;
    }
    return CSV_OK;
}

/* Splits the row starting at buf[pos] into unquoted fields: ends[j] is where
 * field j ends (at the separator, the line end or len). Returns the number n of
 * fields split. When the row ended, *row_end is set and *next is where the next
 * row begins; else (a '"' in field n, or a field after `max` of them) *next is
 * where field n begins, for csv_scan_field to go on from there (quoted fields,
 * errors). Sixteen bytes are examined at a time with SSE2 (every x86-64 has it);
 * other targets go byte by byte. */
static inline size_t csv_split_row(const char *buf, size_t len, size_t pos, char sep, size_t *ends,
                                   size_t max, size_t *next, bool *row_end)
{
    size_t n = 0, p = pos;
    *row_end = false;
#ifdef __SSE2__
    const __m128i vs = _mm_set1_epi8(sep), vn = _mm_set1_epi8('\n'), vr = _mm_set1_epi8('\r'),
                  vq = _mm_set1_epi8('"');
    for (; p + 16 <= len; p += 16) {
        __m128i w = _mm_loadu_si128((const __m128i *)(const void *)(buf + p));
        __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(w, vs), _mm_cmpeq_epi8(w, vn)),
                                   _mm_or_si128(_mm_cmpeq_epi8(w, vr), _mm_cmpeq_epi8(w, vq)));
        for (unsigned m = (unsigned)_mm_movemask_epi8(hit); m; m &= m - 1) {
            size_t at = p + (size_t)__builtin_ctz(m);
            char ch = buf[at];
            if (ch == '"' || n == max) {
                *next = n ? ends[n - 1] + 1 : pos;
                return n;
            }
            ends[n++] = at;
            if (ch != sep) {
                *next = at + 1 + (ch == '\r' && at + 1 < len && buf[at + 1] == '\n');
                *row_end = true;
                return n;
            }
        }
    }
#endif
    for (; p < len; p++) {
        char ch = buf[p];
        if (ch != '"' && ch != sep && ch != '\n' && ch != '\r') continue;
        if (ch == '"' || n == max) {
            *next = n ? ends[n - 1] + 1 : pos;
            return n;
        }
        ends[n++] = p;
        if (ch != sep) {
            *next = p + 1 + (ch == '\r' && p + 1 < len && buf[p + 1] == '\n');
            *row_end = true;
            return n;
        }
    }
    if (n == max) { /* one field too many, up to the end */
        *next = ends[n - 1] + 1;
        return n;
    }
    ends[n++] = len;
    *next = len;
    *row_end = true;
    return n;
}

/* The number of '"' bytes in buf[from, to): sixteen bytes at a time with SSE2
 * (the chunker counts quote parity over most of the file on one thread). */
static inline size_t csv_count_quotes(const char *buf, size_t from, size_t to)
{
    size_t q = 0, i = from;
#ifdef __SSE2__
    const __m128i vq = _mm_set1_epi8('"'), zero = _mm_setzero_si128();
    while (i + 16 <= to) {
        /* per-byte counts (a match is -1, subtracted) for at most 255 blocks, then summed */
        __m128i acc = zero;
        for (int b = 0; b < 255 && i + 16 <= to; b++, i += 16) {
            __m128i w = _mm_loadu_si128((const __m128i *)(const void *)(buf + i));
            acc = _mm_sub_epi8(acc, _mm_cmpeq_epi8(w, vq));
        }
        __m128i sums = _mm_sad_epu8(acc, zero);
        q += (size_t)_mm_cvtsi128_si32(sums) + (size_t)_mm_extract_epi16(sums, 4);
    }
#endif
    for (; i < to; i++)
        q += buf[i] == '"';
    return q;
}

/* The first position in [from, to) holding a byte >= 0x80, or to: the reader checks
 * UTF-8 only from there (most CSV text is ASCII). Sixteen bytes a step with SSE2,
 * four steps OR-ed before one test. */
static inline size_t csv_ascii_span(const char *buf, size_t from, size_t to)
{
    size_t i = from;
#ifdef __SSE2__
    for (; i + 64 <= to; i += 64) {
        const __m128i *p = (const __m128i *)(const void *)(buf + i);
        __m128i w = _mm_or_si128(_mm_or_si128(_mm_loadu_si128(p), _mm_loadu_si128(p + 1)),
                                 _mm_or_si128(_mm_loadu_si128(p + 2), _mm_loadu_si128(p + 3)));
        if (_mm_movemask_epi8(w)) break; /* the byte loop finds which */
    }
#endif
    while (i < to && !((uint8_t)buf[i] & 0x80))
        i++;
    return i;
}

/* The number of bits set in x, branch-free: the x86-64 baseline has no popcnt
 * instruction, and __builtin_popcountll would call libgcc. */
static inline size_t csv_popcount64(uint64_t x)
{
    x -= (x >> 1) & 0x5555555555555555ULL;
    x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
    x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0FULL;
    return (size_t)((x * 0x0101010101010101ULL) >> 56);
}

/* The number of rows starting in buf[from, to), `from` being a row start outside
 * quotes: a row starts at every byte other than '\n' and '\r' that follows one of
 * them outside quotes, or at `from` (blank lines start no row, as the reader skips
 * them). Inside or outside quotes is the parity of the '"' since `from`, which is
 * the scanner's view when quotes only open and close fields (a '"' inside an
 * unquoted field is literal to the scanner: the reader's pass 2 checks the count
 * against the rows it parses). SIZE_MAX when the quotes are not balanced at `to`
 * (an unterminated field). With SSE2, 64 bytes at a time as bitmasks: the
 * inside-quotes mask is the prefix XOR of the quote mask (simdjson's trick, by
 * shifts since pclmul is not in the x86-64 baseline), skipped for blocks without
 * quotes outside a quoted field. */
static inline size_t csv_count_row_starts(const char *buf, size_t from, size_t to)
{
    size_t rows = 0, i = from;
    uint64_t inside = 0, prev_eol = 1; /* inside: all ones within quotes; `from` starts a row */
#ifdef __SSE2__
    const __m128i vn = _mm_set1_epi8('\n'), vr = _mm_set1_epi8('\r'), vq = _mm_set1_epi8('"');
    for (; i + 64 <= to; i += 64) {
        uint64_t q = 0, eol = 0;
        for (int b = 0; b < 4; b++) {
            __m128i w = _mm_loadu_si128((const __m128i *)(const void *)(buf + i + 16 * b));
            __m128i e = _mm_or_si128(_mm_cmpeq_epi8(w, vn), _mm_cmpeq_epi8(w, vr));
            q |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(w, vq)) << (16 * b);
            eol |= (uint64_t)(unsigned)_mm_movemask_epi8(e) << (16 * b);
        }
        uint64_t in = inside;
        if (q | inside) { /* bit k: inside quotes after byte k (a line end is no quote) */
            q ^= q << 1, q ^= q << 2, q ^= q << 4, q ^= q << 8, q ^= q << 16, q ^= q << 32;
            in = q ^ inside;
        }
        uint64_t eol_out = eol & ~in;
        rows += csv_popcount64(~eol & ((eol_out << 1) | prev_eol));
        inside = 0 - (in >> 63);
        prev_eol = eol_out >> 63;
    }
#endif
    bool in = inside & 1;
    for (; i < to; i++) {
        char ch = buf[i];
        bool eol = ch == '\n' || ch == '\r';
        in ^= ch == '"';
        rows += !eol && prev_eol;
        prev_eol = eol && !in;
    }
    return in ? SIZE_MAX : rows;
}

/* Copies a quoted field's content with each "" turned into ". Returns the length. */
static inline size_t csv_unescape(char *dst, const char *src, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        dst[o++] = src[i];
        if (src[i] == '"') i++; /* skip the second quote of the pair */
    }
    return o;
}

#endif
