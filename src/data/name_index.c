/*
 * name_index.c — a hash index from borrowed C strings to small numbers.
 *
 * Frames look columns up by name and the CSV reader de-duplicates header
 * names; both did it by scanning every earlier name, which made a file with
 * 100,000 columns (or one name repeated thousands of times) take minutes.
 * The index turns each look-up into one probe on average.
 */
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "data/frame_internal.h"

static size_t slot_of(const lp_name_index *x, const char *key, uint64_t h)
{
    size_t mask = x->cap - 1, i = (size_t)h & mask;
    while (x->slots[i].key && strcmp(x->slots[i].key, key) != 0)
        i = (i + 1) & mask;
    return i;
}

static int grow(lp_name_index *x)
{
    size_t ncap = x->cap ? x->cap * 2 : 64;
    lp_name_slot *old = x->slots;
    size_t ocap = x->cap;
    x->slots = calloc(ncap, sizeof *x->slots);
    if (!x->slots) {
        x->slots = old;
        return lp_error_set(LP_ENOMEM, "out of memory");
    }
    x->cap = ncap;
    for (size_t i = 0; i < ocap; i++)
        if (old[i].key) x->slots[slot_of(x, old[i].key, old[i].hash)] = old[i];
    free(old);
    return 0;
}

void lp_name_index_free(lp_name_index *x)
{
    free(x->slots);
    *x = (lp_name_index){0};
}

bool lp_name_index_get(const lp_name_index *x, const char *key, size_t *value)
{
    if (!x->cap) return false;
    const lp_name_slot *s = &x->slots[slot_of(x, key, lp_bytes_hash(key, strlen(key)))];
    if (!s->key) return false;
    if (value) *value = s->value;
    return true;
}

/* Sets (or with keep_first, adds) key's value. */
static int index_set(lp_name_index *x, const char *key, size_t value, bool keep_first)
{
    if ((x->count + 1) * 2 > x->cap && grow(x)) return LP_ENOMEM;
    uint64_t h = lp_bytes_hash(key, strlen(key));
    lp_name_slot *s = &x->slots[slot_of(x, key, h)];
    if (s->key && keep_first) return 0;
    if (!s->key) x->count++;
    *s = (lp_name_slot){key, h, value};
    return 0;
}

int lp_name_index_put(lp_name_index *x, const char *key, size_t value)
{
    return index_set(x, key, value, false);
}

int lp_name_index_add(lp_name_index *x, const char *key, size_t value)
{
    return index_set(x, key, value, true);
}
