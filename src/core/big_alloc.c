/*
 * big_alloc.c — allocations for big arrays, with transparent huge pages asked for.
 *
 * Why: `data describe` of a 1M-row file took 60k (numeric) to 122k (mixed) page
 * faults for its column arrays, string buffers, sort scratch and value-count
 * tables, and on this kind of virtual machine a fault costs microseconds
 * (perf: a fifth of the mixed file's samples were in the fault path). Where the
 * kernel's THP mode is "madvise" (this machine's, and a common default), glibc's
 * big mappings get 4 KiB pages unless they are advised; with MADV_HUGEPAGE a
 * 2 MiB block takes one fault. Only arrays the caller fills (nearly) entirely
 * should be advised: a huge page is resident as a whole from its first touch.
 * The memory is ordinary malloc memory (free / realloc it as usual).
 *
 * A big array starts at a 2 MiB boundary (posix_memalign): malloc's own big
 * blocks start 16 bytes into a page, so only the whole 2 MiB blocks inside were
 * advised and the rest — up to 4 MiB of an array, half of a 4 MiB one — took a
 * fault every 4 KiB. That is why a read on two threads, whose per-chunk string
 * buffers are half as big, took 11k more faults than on one (csv21, perf).
 */
#include <errno.h>
#include <stdint.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "core/internal.h"

#define HUGE_BLOCK ((uintptr_t)2 << 20)

void lp_mem_advise_huge(void *p, size_t bytes)
{
#ifdef MADV_HUGEPAGE
    if (!p || bytes < LP_BIG_ALLOC_MIN) return;
    /* the 2 MiB blocks inside [p, p + bytes): only whole blocks can be huge pages,
     * and advising nothing outside the array leaves its neighbours' pages alone */
    uintptr_t a = ((uintptr_t)p + HUGE_BLOCK - 1) & ~(HUGE_BLOCK - 1);
    uintptr_t b = ((uintptr_t)p + bytes) & ~(HUGE_BLOCK - 1);
    if (b > a) (void)madvise((void *)a, b - a, MADV_HUGEPAGE); /* advice: failure is harmless */
#else
    (void)p, (void)bytes;
#endif
}

void *lp_mem_alloc_big(size_t bytes)
{
    if (bytes < LP_BIG_ALLOC_MIN) return malloc(bytes ? bytes : 1);
    void *p = NULL; /* at a block boundary: every whole 2 MiB of it can be huge */
    if (posix_memalign(&p, HUGE_BLOCK, bytes) != 0) return NULL;
    lp_mem_advise_huge(p, bytes);
    return p;
}

void *lp_mem_calloc_big(size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size) { /* refused here: sanitizers abort on calloc's own refusal */
        errno = ENOMEM;
        return NULL;
    }
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (p) lp_mem_advise_huge(p, n * size);
    return p;
}

void *lp_mem_realloc_big(void *p, size_t bytes)
{
    /* realloc would keep or move the block without the 2 MiB alignment: a big
     * array moves into a new aligned one instead (arrays grow by doubling, so the
     * copies add up to less than the final size) */
    if (bytes < LP_BIG_ALLOC_MIN) return realloc(p, bytes ? bytes : 1);
    size_t old = p ? malloc_usable_size(p) : 0;
    if (old >= bytes && ((uintptr_t)p & (HUGE_BLOCK - 1)) == 0) return p; /* it fits already */
    void *q = lp_mem_alloc_big(bytes);
    if (!q) return NULL; /* p is untouched, as realloc leaves it */
    if (p) memcpy(q, p, old < bytes ? old : bytes);
    free(p);
    return q;
}
