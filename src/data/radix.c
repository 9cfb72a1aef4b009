/* radix.c — LSD radix sort of 64-bit keys (see radix.h). */
#include "data/radix.h"

#include <stdlib.h>
#include <string.h>

#include "core/internal.h"

int lp_radix_sort(uint64_t *a, size_t n, lp_radix_hist *h)
{
    if (n < 2) return 0;
    uint64_t *tmp = malloc(n * sizeof *tmp);
    if (!tmp) return lp_error_set(LP_ENOMEM, "out of memory sorting %zu values", n);
    uint64_t *src = a, *dst = tmp;
    for (int b = 0; b < LP_RADIX_PASSES; b++) {
        size_t *c = (*h)[b];
        unsigned shift = LP_RADIX_BITS * (unsigned)b;
        if (c[(src[0] >> shift) & LP_RADIX_MASK] == n) continue; /* one bucket: no move */
        size_t sum = 0;
        for (unsigned v = 0; v < LP_RADIX_SIZE; v++) {
            size_t k = c[v];
            c[v] = sum;
            sum += k;
        }
        for (size_t i = 0; i < n; i++)
            dst[c[(src[i] >> shift) & LP_RADIX_MASK]++] = src[i];
        uint64_t *t = src;
        src = dst, dst = t;
    }
    if (src != a) memcpy(a, src, n * sizeof *a);
    free(tmp);
    return 0;
}
