/*
 * tally.c — the distinct values of two string columns counted by sorting, not
 * by a hash table of copied keys: what drift needs of a free-text column with
 * a value per row (the bench file's s1..s3: ~1.9M distinct in 2M cells), where
 * lp_prof_counts' table, its slots and its key copies took ~170 MB a column.
 *
 * Each non-missing cell gets its text's 64-bit hash and its place (reference
 * rows first, then current rows); one stable radix sort of the hashes puts
 * equal texts together with their places ascending, so a run's first place is
 * where its value was first seen. Every cell of a run is compared with the
 * run's first cell: a hash shared by two texts is reported (1) and the caller
 * counts with the table instead, so the result is always exact. The
 * categories come out in first-seen order with the same counts as
 * lp_prof_counts_add(ref) then lp_prof_counts_add(cur).
 */
#include <stdlib.h>
#include <string.h>

#include "components/data_profiler/profiler.h"
#include "data/radix.h"

/* The text of string column c's valid cell i, read from its offsets directly
 * (lp_column_str's checks, a call per cell twice over, were a tenth of the tally). */
static inline const char *cell_bytes(const lp_column *c, size_t i, size_t *len)
{
    const int64_t *off = c->data.str.offsets;
    *len = (size_t)(off[i + 1] - off[i]);
    return c->data.str.bytes + off[i];
}

/* The text of cell `place` (side 0's rows, then side 1's). */
static const char *place_text(const lp_column *const side[2], size_t place, size_t *len)
{
    size_t n0 = side[0]->length;
    return place < n0 ? cell_bytes(side[0], place, len) : cell_bytes(side[1], place - n0, len);
}

/* Hashes and places of the non-missing cells of both sides into h, at (m of them),
 * counting the hashes' digits into hist. */
static size_t hash_cells(uint64_t *h, uint32_t *at, lp_radix_hist *hist,
                         const lp_column *const side[2])
{
    size_t m = 0, base = 0;
    for (int s = 0; s < 2; s++) {
        const lp_column *c = side[s];
        for (size_t i = 0; i < c->length; i++) {
            if (!lp_column_is_valid(c, i)) continue;
            size_t len = 0;
            const char *t = cell_bytes(c, i, &len);
            h[m] = lp_prof_text_hash(t, len);
            at[m++] = (uint32_t)(base + i);
            lp_radix_hist_add(hist, h[m - 1]);
        }
        base += c->length;
    }
    return m;
}

/* Runs of equal hashes in h[0..m) (sorted): each run's index + 1 into mark at its
 * first place, its counts per side into c0, c1 (run order). Returns the runs, or
 * SIZE_MAX when a run holds two different texts. */
static size_t number_runs(uint32_t *mark, uint32_t *c0, uint32_t *c1, const uint64_t *h,
                          const uint32_t *at, size_t m, const lp_column *const side[2])
{
    size_t runs = 0, n0 = side[0]->length;
    for (size_t i = 0; i < m;) {
        size_t flen = 0, j = i;
        const char *first = place_text(side, at[i], &flen);
        uint32_t k0 = 0, k1 = 0;
        for (; j < m && h[j] == h[i]; j++) {
            size_t len = 0;
            const char *t = j == i ? first : place_text(side, at[j], &len);
            if (j != i && (len != flen || memcmp(t, first, len) != 0)) return SIZE_MAX;
            if (at[j] < n0)
                k0++;
            else
                k1++;
        }
        mark[at[i]] = (uint32_t)++runs;
        c0[runs - 1] = k0;
        c1[runs - 1] = k1;
        i = j;
    }
    return runs;
}

int lp_prof_tally_strings(lp_prof_tally *out, const lp_column *ref, const lp_column *cur)
{
    memset(out, 0, sizeof *out);
    const lp_column *const side[2] = {ref, cur};
    size_t cells = ref->length + cur->length, m = 0; /* m: the non-missing cells */
    if (ref->type != LP_DT_STRING || cur->type != LP_DT_STRING)
        return lp_error_set(LP_EINVAL, "tally: both columns must hold strings");
    if (cells >= UINT32_MAX)
        return lp_error_set(LP_EINVAL, "tally: over 4 billion cells are not supported");
    size_t sz = cells ? cells : 1;
    uint64_t *h = malloc(2 * sz * sizeof *h);
    uint32_t *at = malloc(2 * sz * sizeof *at);
    lp_radix_hist *hist = calloc(1, sizeof *hist);
    uint32_t *mark = NULL, *c0 = NULL, *c1 = NULL;
    int rc =
        h && at && hist ? 0 : lp_error_set(LP_ENOMEM, "out of memory tallying %zu cells", cells);
    if (rc == 0) {
        m = hash_cells(h, at, hist, side);
        lp_radix_sort_rows(h, at, m, hist, h + sz, at + sz);
    }
    free(hist);
    /* the scratch halves go back before the per-run arrays are made */
    size_t keep = m ? m : 1;
    uint64_t *hs = rc ? NULL : realloc(h, keep * sizeof *h);
    if (hs) h = hs;
    uint32_t *as = rc ? NULL : realloc(at, keep * sizeof *at);
    if (as) at = as;
    if (rc == 0) {
        mark = calloc(sz, sizeof *mark);
        c0 = malloc(keep * sizeof *c0);
        c1 = malloc(keep * sizeof *c1);
        if (!mark || !c0 || !c1) rc = lp_error_set(LP_ENOMEM, "out of memory tallying");
    }
    size_t runs = rc ? 0 : number_runs(mark, c0, c1, h, at, m, side);
    free(h);
    free(at);
    if (rc == 0 && runs == SIZE_MAX) rc = 1; /* not an error: the caller counts by table */
    if (rc == 0) {
        out->count[0] = malloc((runs ? runs : 1) * sizeof *out->count[0]);
        out->count[1] = malloc((runs ? runs : 1) * sizeof *out->count[1]);
        out->first = malloc((runs ? runs : 1) * sizeof *out->first);
        if (!out->count[0] || !out->count[1] || !out->first)
            rc = lp_error_set(LP_ENOMEM, "out of memory tallying");
    }
    /* first-seen order: the marked places ascending */
    for (size_t p = 0, k = 0; rc == 0 && p < cells; p++) {
        if (!mark[p]) continue;
        uint32_t r = mark[p] - 1;
        out->count[0][k] = (double)c0[r];
        out->count[1][k] = (double)c1[r];
        out->first[k++] = (uint32_t)p;
    }
    free(mark);
    free(c0);
    free(c1);
    if (rc) {
        lp_prof_tally_free(out);
        return rc;
    }
    out->n = runs;
    out->side[0] = ref;
    out->side[1] = cur;
    return 0;
}

const char *lp_prof_tally_text(const lp_prof_tally *t, size_t k, size_t *len)
{
    return place_text(t->side, t->first[k], len);
}

void lp_prof_tally_free(lp_prof_tally *t)
{
    free(t->count[0]);
    free(t->count[1]);
    free(t->first);
    memset(t, 0, sizeof *t);
}
