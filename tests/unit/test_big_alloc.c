/*
 * test_big_alloc.c — big arrays get transparent huge pages asked for
 * (src/core/big_alloc.c): the kernel's VmFlags of the mapping show "hg" for an
 * advised array's whole 2 MiB blocks and not for a small one; the memory is
 * ordinary (zeroed by calloc, kept by realloc, freed by free). alloc and
 * realloc start a big array at a 2 MiB boundary, so its first block is advised too.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/internal.h"

/* Whether the mapping holding addr has VmFlag "hg" (MADV_HUGEPAGE); -1 when
 * /proc/self/smaps has no mapping holding it. */
static int advised(const void *addr)
{
    FILE *f = fopen("/proc/self/smaps", "r");
    cr_assert_not_null(f);
    char line[512];
    int in = 0, found = -1;
    uintptr_t x = (uintptr_t)addr;
    while (fgets(line, sizeof line, f)) {
        unsigned long lo, hi;
        if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' ')) {
            in = x >= lo && x < hi;
            continue;
        }
        if (in && strncmp(line, "VmFlags:", 8) == 0) {
            found = strstr(line, " hg") != NULL;
            break;
        }
    }
    fclose(f);
    return found;
}

/* The kernel takes the advice only when it has transparent huge pages. */
static bool thp_kernel(void)
{
    return access("/sys/kernel/mm/transparent_hugepage/enabled", F_OK) == 0;
}

/* An address inside the first whole 2 MiB block of [p, p + n). */
static const void *inner_block(const void *p)
{
    uintptr_t b = (uintptr_t)2 << 20;
    return (const void *)((((uintptr_t)p + b - 1) & ~(b - 1)) + 4096);
}

Test(big_alloc, big_arrays_are_advised_small_ones_not)
{
    size_t n = (size_t)16 << 20;
    char *big = lp_mem_alloc_big(n);
    cr_assert_not_null(big);
    memset(big, 1, n);
    cr_assert_eq(advised(inner_block(big)), thp_kernel() ? 1 : 0);
    char *small = lp_mem_alloc_big(LP_BIG_ALLOC_MIN / 2);
    cr_assert_not_null(small);
    memset(small, 1, LP_BIG_ALLOC_MIN / 2);
    cr_assert_eq(advised(small + LP_BIG_ALLOC_MIN / 4), 0, "an array under the minimum is advised");
    free(small);
    free(big);
}

Test(big_alloc, calloc_zeroes_and_checks_overflow)
{
    size_t n = ((size_t)8 << 20) / sizeof(uint64_t);
    uint64_t *a = lp_mem_calloc_big(n, sizeof *a);
    cr_assert_not_null(a);
    uint64_t any = 0;
    for (size_t i = 0; i < n; i++)
        any |= a[i];
    cr_assert_eq(any, 0);
    cr_assert_eq(advised(inner_block(a)), thp_kernel() ? 1 : 0);
    free(a);
    cr_assert_null(lp_mem_calloc_big(SIZE_MAX / 4, 8), "n * size overflows: NULL");
}

Test(big_alloc, realloc_keeps_the_contents)
{
    unsigned char *p = lp_mem_alloc_big(1000);
    cr_assert_not_null(p);
    for (size_t i = 0; i < 1000; i++)
        p[i] = (unsigned char)(i * 7);
    size_t n = (size_t)12 << 20;
    p = lp_mem_realloc_big(p, n);
    cr_assert_not_null(p);
    for (size_t i = 0; i < 1000; i++)
        cr_assert_eq(p[i], (unsigned char)(i * 7));
    memset(p + 1000, 3, n - 1000);
    cr_assert_eq(advised(inner_block(p)), thp_kernel() ? 1 : 0);
    free(p);
}

/* A big array starts at a 2 MiB block, so all its whole blocks, the first one
 * included, are advised: a 2 MiB + 100 KiB array (a reader's per-chunk string
 * buffer on two threads is about that) is one advised block and a small tail. */
Test(big_alloc, big_arrays_start_at_a_block)
{
    uintptr_t block = (uintptr_t)2 << 20;
    size_t n = LP_BIG_ALLOC_MIN + ((size_t)100 << 10);
    char *p = lp_mem_alloc_big(n);
    cr_assert_not_null(p);
    cr_assert_eq((uintptr_t)p & (block - 1), 0, "%p is not at a 2 MiB boundary", (void *)p);
    memset(p, 1, n);
    cr_assert_eq(advised(p), thp_kernel() ? 1 : 0);
    cr_assert_eq(advised(p + block - 1), thp_kernel() ? 1 : 0);
    p[n - 1] = 7;
    /* growing keeps the contents and the alignment; a shrink in place keeps the pointer */
    char *q = lp_mem_realloc_big(p, 3 * block + 5);
    cr_assert_not_null(q);
    cr_assert_eq((uintptr_t)q & (block - 1), 0);
    for (size_t i = 0; i + 1 < n; i++)
        cr_assert_eq(q[i], 1);
    cr_assert_eq(q[n - 1], 7);
    memset(q + n, 2, 3 * block + 5 - n);
    cr_assert_eq(advised(q + 2 * block), thp_kernel() ? 1 : 0);
    char *r = lp_mem_realloc_big(q, block * 2);
    cr_assert_eq(r, q, "a big array that fits stays where it is");
    cr_assert_eq(r[n - 1], 7);
    free(r);
}
