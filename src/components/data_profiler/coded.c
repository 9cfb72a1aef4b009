/*
 * coded.c — a text-like column (string, category, bool) coded as integers in
 * one hashed pass: each distinct value gets the next code when first seen, so
 * codes are in first-seen order (pandas' value_counts tie order). The codes
 * give the exact distinct count, the top values (counts by code) and the
 * contingency tables of Cramér's V (integer indexes, no text per pair).
 * Values are compared as the bytes lp_prof_cell_text gives, as before.
 */
#include <stdlib.h>
#include <string.h>

#include "components/data_profiler/profiler.h"
#include "data/bits.h"

typedef struct slot {
    uint64_t hash;
    uint32_t code; /* code + 1; 0: empty */
} slot;

typedef struct table {
    slot *slots;
    size_t mask;
} table;

static int table_grow(table *t, size_t want)
{
    size_t cap = t->slots ? (t->mask + 1) * 2 : 256;
    while (cap < 2 * want)
        cap *= 2;
    slot *ns = calloc(cap, sizeof *ns);
    if (!ns) return lp_error_set(LP_ENOMEM, "out of memory coding values");
    for (size_t k = 0; t->slots && k <= t->mask; k++) {
        if (!t->slots[k].code) continue;
        size_t at = (size_t)t->slots[k].hash & (cap - 1);
        while (ns[at].code)
            at = (at + 1) & (cap - 1);
        ns[at] = t->slots[k];
    }
    free(t->slots);
    t->slots = ns;
    t->mask = cap - 1;
    return 0;
}

/* Appends a new code first seen at row; 0 or LP_ENOMEM. */
static int add_code(lp_prof_coded *k, size_t *cap, uint32_t row)
{
    if (k->n == *cap) {
        size_t nc = *cap ? *cap * 2 : 64;
        size_t *cnt = realloc(k->count, nc * sizeof *cnt);
        if (cnt) k->count = cnt;
        uint32_t *first = cnt ? realloc(k->first, nc * sizeof *first) : NULL;
        if (!first) return lp_error_set(LP_ENOMEM, "out of memory coding values");
        k->first = first;
        *cap = nc;
    }
    k->count[k->n] = 0;
    k->first[k->n++] = row;
    return 0;
}

int lp_prof_code_column(lp_prof_coded *out, const lp_column *c)
{
    memset(out, 0, sizeof *out);
    size_t n = c->length, cap = 0;
    if (n >= UINT32_MAX)
        return lp_error_set(LP_EINVAL, "coding over 4 billion rows is not supported");
    out->code = malloc((n ? n : 1) * sizeof *out->code);
    table t = {0};
    int rc = out->code ? table_grow(&t, 64) : lp_error_set(LP_ENOMEM, "out of memory");
    char buf[64], fb[64];
    for (size_t i = 0; rc == 0 && i < n; i++) {
        size_t len = 0, flen = 0;
        const char *s = lp_prof_cell_text(c, i, buf, sizeof buf, &len);
        out->code[i] = LP_PROF_NO_CODE;
        if (!s) continue;
        uint64_t h = lp_prof_text_hash(s, len);
        size_t at = (size_t)h & t.mask;
        for (; t.slots[at].code; at = (at + 1) & t.mask) {
            if (t.slots[at].hash != h) continue;
            const char *f =
                lp_prof_cell_text(c, out->first[t.slots[at].code - 1], fb, sizeof fb, &flen);
            if (flen == len && memcmp(f, s, len) == 0) break;
        }
        if (!t.slots[at].code) {
            rc = add_code(out, &cap, (uint32_t)i);
            if (rc) break;
            t.slots[at] = (slot){h, (uint32_t)out->n};
            if (2 * out->n > t.mask && (rc = table_grow(&t, out->n)) != 0) break;
            out->code[i] = (uint32_t)out->n - 1;
        } else {
            out->code[i] = t.slots[at].code - 1;
        }
        out->count[out->code[i]]++;
    }
    free(t.slots);
    if (rc) lp_prof_coded_free(out);
    return rc;
}

void lp_prof_coded_free(lp_prof_coded *k)
{
    free(k->code);
    free(k->count);
    free(k->first);
    memset(k, 0, sizeof *k);
}

size_t lp_prof_coded_top(size_t *top, const lp_prof_coded *k, size_t want)
{
    /* insertion into a short sorted list: counts descending, first seen first (codes
     * ascending, so a later equal count never moves ahead) */
    size_t have = 0;
    for (size_t code = 0; code < k->n && want > 0; code++) {
        size_t cnt = k->count[code];
        if (have == want && cnt <= k->count[top[have - 1]]) continue;
        size_t at = have < want ? have++ : want - 1;
        while (at > 0 && k->count[top[at - 1]] < cnt) {
            top[at] = top[at - 1];
            at--;
        }
        top[at] = code;
    }
    return have;
}
