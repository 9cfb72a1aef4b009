/*
 * test_rng.h — the seeded xorshift64* generator the unit tests draw random
 * inputs from: the same numbers on every run and platform, so a failure
 * found once is found again. A test sets TEST_RNG_SEED before including this
 * header to get its own sequence; rng_state is the test file's own.
 */
#ifndef LP_TEST_RNG_H
#define LP_TEST_RNG_H

#include <stdint.h>

#ifndef TEST_RNG_SEED
#define TEST_RNG_SEED 0x9E3779B97F4A7C15ULL
#endif

static uint64_t rng_state = TEST_RNG_SEED;

/* The next 64 random bits. */
static inline uint64_t rng(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ULL;
}

#endif
