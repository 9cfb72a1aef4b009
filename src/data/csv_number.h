/*
 * csv_number.h — the common CSV number in one step, inline in the reader's field
 * loop. A float: [sign] digits [. digits] [e [sign] digits] with at most sixteen digits,
 * an exact mantissa and a power of ten within 10^±22, converted by Clinger's
 * exact path (one IEEE multiplication or division of exact operands is
 * correctly rounded, so the result is strtod's). An int: [sign] one to eighteen
 * digits. Everything else returns false and takes the general parsers
 * (csv_value.c: lp_csv_parse_f64_in, which uses the same pieces, and
 * lp_csv_parse_i64). Not installed; not public API.
 */
#ifndef LP_CSV_NUMBER_H
#define LP_CSV_NUMBER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#if defined(__SSE2__) && defined(__x86_64__)
#include <emmintrin.h>
#define LP_DECIMAL16 1 /* csv_decimal16: SSE2 and 64-bit lanes */
#endif

static const uint64_t lp_pow10_u64[9] = {1,      10,      100,      1000,     10000,
                                         100000, 1000000, 10000000, 100000000};

/* Powers of ten that are exact doubles. */
static const double lp_pow10_exact[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                        1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                        1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* Clinger's fast path: mant (<= 2^53, so exact as a double) times 10^exp10
 * (|exp10| <= 22, an exact double) is correctly rounded by one IEEE
 * operation, the bits strtod gives. */
static inline __attribute__((always_inline)) double lp_f64_clinger(uint64_t mant, int exp10,
                                                                   bool neg)
{
    double v = (double)mant;
    v = exp10 < 0 ? v / lp_pow10_exact[-exp10] : v * lp_pow10_exact[exp10];
    return neg ? -v : v;
}

#ifdef LP_DECIMAL16
/* Eight digit values (bytes 0..9, the first digit in the low byte) of which the
 * first k (1..8) count, as a number (SWAR: the k digits moved into the top k bytes,
 * zeros below, then pairs, fours and eights combined). */
static inline __attribute__((always_inline)) uint64_t csv_digits8(uint64_t v, unsigned k)
{
    uint64_t d = v << (8 * (8 - k));
    d = d * 10 + (d >> 8);
    return (((d & 0x000000FF000000FFULL) * 0x000F424000000064ULL) +
            (((d >> 16) & 0x000000FF000000FFULL) * 0x0000271000000001ULL)) >>
           32;
}

/* A run of digits with at most one dot that ends within the sixteen (readable)
 * bytes at *p and before or at `end`, in one step: SSE2 classifies the bytes, the
 * dot is squeezed out by a byte shift of the digits after it, and the at most 16
 * digits are combined as two SWAR words. Returns false (nothing consumed) for
 * anything else — a longer run, two dots, no digit — which scan_decimal then
 * reads run by run (and refuses where it must). */
static inline __attribute__((always_inline)) bool
csv_decimal16(const char **p, const char *end, uint64_t *m, size_t *nd, size_t *nfrac)
{
    const char *q = *p;
    __m128i a = _mm_loadu_si128((const __m128i *)(const void *)q);
    __m128i t = _mm_sub_epi8(a, _mm_set1_epi8('0')); /* digits: 0..9, others above (mod 256) */
    unsigned dm = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(t, _mm_set1_epi8(9)), t));
    unsigned dotm = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(a, _mm_set1_epi8('.')));
    size_t avail = (size_t)(end - q);
    unsigned len = (unsigned)__builtin_ctz(~(dm | dotm) | 0x10000u); /* 16: all digits or dots */
    if (len >= avail)
        len = (unsigned)avail; /* the value ends first */
    else if (len == 16)
        return false; /* digits may go on past the sixteen bytes */
    unsigned dots = dotm & ((1u << len) - 1);
    if (dots & (dots - 1)) return false;
    unsigned k1 = dots ? (unsigned)__builtin_ctz(dots) : len, ndig = len - (dots != 0);
    if (ndig == 0) return false;
    if (dots) { /* bytes from the dot on take their right neighbour's digit */
        const __m128i iota = _mm_setr_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
        __m128i before = _mm_cmpgt_epi8(_mm_set1_epi8((char)k1), iota);
        t = _mm_or_si128(_mm_and_si128(before, t), _mm_andnot_si128(before, _mm_srli_si128(t, 1)));
    }
    uint64_t lo = (uint64_t)_mm_cvtsi128_si64(t);
    if (ndig <= 8) {
        *m = csv_digits8(lo, ndig);
    } else {
        uint64_t hi = (uint64_t)_mm_cvtsi128_si64(_mm_srli_si128(t, 8));
        *m = csv_digits8(lo, 8) * lp_pow10_u64[ndig - 8] + csv_digits8(hi, ndig - 8);
    }
    *nd = ndig;
    *nfrac = dots ? len - k1 - 1 : 0;
    *p = q + len;
    return true;
}
#endif

/* s[0..n) as a double when it is a common float (above) and `readable` (>= n)
 * bytes from s may be read; false, nothing stored, for anything else (the
 * caller then parses it the general way, which may still accept it). */
static inline __attribute__((always_inline)) bool lp_csv_f64_fast(const char *s, size_t n,
                                                                  size_t readable, double *out)
{
#ifdef LP_DECIMAL16
    if (readable < 17 || n == 0) return false; /* csv_decimal16 reads 16 bytes after a sign */
    bool neg = s[0] == '-';
    const char *p = s + (neg || s[0] == '+'), *end = s + n;
    uint64_t m;
    size_t nd, nfrac;
    if (!csv_decimal16(&p, end, &m, &nd, &nfrac) || m > (1ULL << 53)) return false;
    int e10 = -(int)nfrac;
    if (p != end) { /* an exponent: e, an optional sign, one to three digits */
        if ((*p | 0x20) != 'e' || ++p == end) return false;
        bool eneg = *p == '-';
        p += eneg || *p == '+';
        size_t ne = (size_t)(end - p);
        if (ne == 0 || ne > 3) return false;
        int e = 0;
        for (; p < end; p++) {
            unsigned d = (unsigned)(unsigned char)*p - '0';
            if (d > 9) return false;
            e = e * 10 + (int)d;
        }
        e10 += eneg ? -e : e;
        if (e10 < -22 || e10 > 22) return false;
    }
    *out = lp_f64_clinger(m, e10, neg);
    return true;
#else
    (void)s, (void)n, (void)readable, (void)out;
    return false;
#endif
}

/* s[0..n) as an int64 when it is [sign] one to eighteen digits (no overflow
 * possible); false, nothing stored, for anything else (lp_csv_parse_i64 then
 * decides: nineteen digits, or no int). A plain loop inline in the field loop:
 * most ints are short, which a call and SWAR setup would cost more than. */
static inline __attribute__((always_inline)) bool lp_csv_i64_fast(const char *s, size_t n,
                                                                  int64_t *out)
{
    bool neg = n > 0 && s[0] == '-';
    size_t i = n > 0 && (neg || s[0] == '+');
    if (i == n || n - i > 18) return false;
    uint64_t v = 0;
    for (; i < n; i++) {
        unsigned d = (unsigned)(unsigned char)s[i] - '0';
        if (d > 9) return false;
        v = v * 10 + d;
    }
    *out = neg ? -(int64_t)v : (int64_t)v;
    return true;
}

#endif
