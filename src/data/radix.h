/*
 * radix.h — LSD radix sort of 64-bit unsigned keys (internal; the data layer
 * and the analysis code above it). Keys of doubles come from lp_f64_sortkey
 * (data/bits.h), so that sorting keys sorts the values.
 */
#ifndef LP_DATA_RADIX_H
#define LP_DATA_RADIX_H

#include <stddef.h>
#include <stdint.h>

/* 11-bit digits, 6 passes. */
#define LP_RADIX_BITS   11
#define LP_RADIX_SIZE   (1u << LP_RADIX_BITS)
#define LP_RADIX_MASK   (LP_RADIX_SIZE - 1)
#define LP_RADIX_PASSES 6

/* The digit histograms of a key array: counted by the caller while it makes
 * the keys (lp_radix_hist_add), which saves a pass over them. */
typedef size_t lp_radix_hist[LP_RADIX_PASSES][LP_RADIX_SIZE];

/* Counts key k's six digits into h (unrolled: this runs once per value). */
static inline void lp_radix_hist_add(lp_radix_hist *h, uint64_t k)
{
    (*h)[0][k & LP_RADIX_MASK]++;
    (*h)[1][(k >> 11) & LP_RADIX_MASK]++;
    (*h)[2][(k >> 22) & LP_RADIX_MASK]++;
    (*h)[3][(k >> 33) & LP_RADIX_MASK]++;
    (*h)[4][(k >> 44) & LP_RADIX_MASK]++;
    (*h)[5][k >> 55]++;
}

/* Sorts a[0..n) ascending, whose digits h counts (h is used up: zero it
 * before counting another array). Digits equal in every key take no pass.
 * Allocates its own scratch of n keys; LP_ENOMEM (a unchanged) when it
 * cannot. */
int lp_radix_sort(uint64_t *a, size_t n, lp_radix_hist *h);

/* Sorts keys[0..n) as lp_radix_sort does, and rows[0..n) alongside when rows
 * is not NULL; stable, so equal keys keep their order. tk (and tr, with rows):
 * the caller's scratch of n entries. */
void lp_radix_sort_rows(uint64_t *keys, uint32_t *rows, size_t n, lp_radix_hist *h, uint64_t *tk,
                        uint32_t *tr);

#endif
