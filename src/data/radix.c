/* radix.c — LSD radix sort of 64-bit keys (see radix.h). */
#include "data/radix.h"

#include <stdlib.h>
#include <string.h>

#include "core/internal.h"

void lp_radix_sort_rows(uint64_t *keys, uint32_t *rows, size_t n, lp_radix_hist *h, uint64_t *tk,
                        uint32_t *tr)
{
    uint64_t *sk = keys, *dk = tk;
    uint32_t *sr = rows, *dr = tr;
    for (int b = 0; b < LP_RADIX_PASSES && n > 1; b++) {
        size_t *c = (*h)[b];
        unsigned shift = LP_RADIX_BITS * (unsigned)b;
        if (c[(sk[0] >> shift) & LP_RADIX_MASK] == n) continue; /* one bucket: no move */
        size_t sum = 0;
        for (unsigned v = 0; v < LP_RADIX_SIZE; v++) {
            size_t k = c[v];
            c[v] = sum;
            sum += k;
        }
        if (sr) {
            for (size_t i = 0; i < n; i++) {
                size_t at = c[(sk[i] >> shift) & LP_RADIX_MASK]++;
                dk[at] = sk[i];
                dr[at] = sr[i];
            }
        } else {
            for (size_t i = 0; i < n; i++)
                dk[c[(sk[i] >> shift) & LP_RADIX_MASK]++] = sk[i];
        }
        uint64_t *t = sk;
        sk = dk, dk = t;
        uint32_t *r = sr;
        sr = dr, dr = r;
    }
    if (sk != keys) {
        memcpy(keys, sk, n * sizeof *keys);
        if (rows) memcpy(rows, sr, n * sizeof *rows);
    }
}

int lp_radix_sort(uint64_t *a, size_t n, lp_radix_hist *h)
{
    if (n < 2) return 0;
    uint64_t *tmp = lp_mem_alloc_big(n * sizeof *tmp);
    if (!tmp) return lp_error_set(LP_ENOMEM, "out of memory sorting %zu values", n);
    lp_radix_sort_rows(a, NULL, n, h, tmp, NULL);
    free(tmp);
    return 0;
}
