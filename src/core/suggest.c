/*
 * suggest.c — string helpers shared by the core: allocation wrappers that
 * record errors, and "did you mean" suggestions.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

char *lp_strdup(const char *s)
{
    char *d = strdup(s ? s : "");
    if (!d) lp_error_set(LP_ENOMEM, "out of memory");
    return d;
}

char *lp_strndup(const char *s, size_t n)
{
    char *d = strndup(s, n);
    if (!d) lp_error_set(LP_ENOMEM, "out of memory");
    return d;
}

char *lp_asprintf(const char *fmt, ...)
{
    char *s = NULL;
    va_list ap;
    va_start(ap, fmt);
    int n = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (n < 0) {
        lp_error_set(LP_ENOMEM, "out of memory");
        return NULL;
    }
    return s;
}

bool lp_streq_nocase(const char *a, const char *b)
{
    return strcasecmp(a, b) == 0;
}

size_t lp_edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 256 || lb > 256) /* names are short; keep this bounded */
        return la > lb ? la : lb;
    size_t row[257];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            int same = tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 1]);
            size_t best = diag + (same ? 0 : 1);
            if (row[j] + 1 < best) best = row[j] + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

const char *lp_suggest(const char *word, const char *const *candidates, size_t n)
{
    size_t len = strlen(word);
    size_t limit = len / 3 > 2 ? len / 3 : 2;
    const char *best = NULL;
    size_t best_d = (size_t)-1;
    for (size_t i = 0; i < n; i++) {
        if (!candidates[i]) continue;
        size_t d = lp_edit_distance(word, candidates[i]);
        if (d < best_d) {
            best_d = d;
            best = candidates[i];
        }
    }
    return best_d <= limit ? best : NULL;
}
