/*
 * store_suggest.c — the closest existing root resource name to a misspelled
 * one ("no model 'titanic_survivl' ... (did you mean 'titanic_survival'?)").
 */
#include <stdlib.h>

#include "core/internal.h"
#include "store/store.h"

char *lp_store_resource_suggest(lp_store *st, const char *type, const char *name)
{
    lp_value *roots = NULL;
    if (!st || !name || lp_store_resource_roots(st, type, &roots) != 0) return NULL;
    size_t n = lp_list_len(roots);
    const char **names = calloc(n ? n : 1, sizeof *names);
    char *out = NULL;
    if (names) {
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
            const char *s = lp_value_as_string(lp_map_get(lp_list_get(roots, i), "name"));
            if (s) names[k++] = s;
        }
        const char *best = lp_suggest(name, names, k);
        if (best) out = lp_strdup(best);
    }
    free(names);
    lp_value_unref(roots);
    return out;
}
