/*
 * bits.h — small bit tricks shared by the data layer and the analysis code
 * above it: order-preserving sort keys for doubles (radix sorts) and a 64-bit
 * hash finaliser (hash tables of cells).
 */
#ifndef LP_DATA_BITS_H
#define LP_DATA_BITS_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* An unsigned key that sorts as v does (-0.0 as 0.0; NaN above +inf). */
static inline uint64_t lp_f64_sortkey(double v)
{
    if (v == 0) v = 0; /* -0.0 and 0.0 are one value */
    uint64_t b;
    memcpy(&b, &v, 8);
    return b >> 63 ? ~b : b | (1ULL << 63);
}

/* The double of a key lp_f64_sortkey made. */
static inline double lp_sortkey_f64(uint64_t k)
{
    uint64_t b = k >> 63 ? k & ~(1ULL << 63) : ~k;
    double v;
    memcpy(&v, &b, 8);
    return v;
}

/* splitmix64's finaliser: spreads every input bit over the whole word. */
static inline uint64_t lp_mix64(uint64_t h)
{
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebULL;
    return h ^ (h >> 31);
}

/* FNV-1a over n bytes, then lp_mix64: a well-mixed hash of text (hash tables
 * and HyperLogLog registers; not a content hash). */
static inline uint64_t lp_text_hash(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (uint8_t)s[i]) * 1099511628211ULL;
    return lp_mix64(h);
}

/* Writes v at p as 8 little-endian bytes (the byte order of saved models). */
static inline void lp_u64_store_le(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* The 8 little-endian bytes at p as a number. */
static inline uint64_t lp_u64_load_le(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

#endif
