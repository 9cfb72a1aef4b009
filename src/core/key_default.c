/*
 * key_default.c — reads the default a configuration key's doc states, by the
 * one convention of key_default.h (issue 11 Fix 14). The doc is the only
 * place a plugin can state it without changing lp_config_key, whose layout
 * the plugin ABI freezes.
 */
#include <ctype.h>
#include <stdbool.h>
#include <string.h>

#include "key_default.h"
#include "internal.h"

static bool word_char(char c)
{
    return isalnum((unsigned char)c) || c == '_';
}

/* The end of a value starting at doc[v]: the ')' (or ']' / '}') closing the
 * group it is in, a ';' at its own nesting, or the end of the doc. */
static size_t value_end(const char *doc, size_t v)
{
    int depth = 0;
    size_t i = v;
    for (; doc[i]; i++) {
        char c = doc[i];
        if (c == '(' || c == '[' || c == '{') {
            depth++;
        } else if (c == ')' || c == ']' || c == '}') {
            if (depth == 0) break;
            depth--;
        } else if (c == ';' && depth == 0) {
            break;
        }
    }
    return i;
}

/* doc[from, to) without surrounding blanks and a final '.' (new string), or
 * NULL when nothing is left. */
static char *trimmed(const char *doc, size_t from, size_t to)
{
    while (from < to && isspace((unsigned char)doc[from]))
        from++;
    while (to > from && (isspace((unsigned char)doc[to - 1]) || doc[to - 1] == '.'))
        to--;
    return to > from ? lp_strndup(doc + from, to - from) : NULL;
}

/* "VALUE (default)": the word before the '(' at doc[paren] (new string), or NULL. */
static char *word_before(const char *doc, size_t paren)
{
    size_t end = paren;
    while (end > 0 && doc[end - 1] == ' ')
        end--;
    size_t start = end;
    while (start > 0 && !isspace((unsigned char)doc[start - 1]) && !strchr("(,;:", doc[start - 1]))
        start--;
    return trimmed(doc, start, end);
}

/* The value of the "default" at doc[i] (a whole word), or NULL when this one
 * is not a statement of the key's default ("the default objective"). */
static char *default_at(const char *doc, size_t i)
{
    char after = doc[i + 7];
    bool in_paren = i > 0 && doc[i - 1] == '(';
    bool listed = i >= 2 && doc[i - 1] == ' ' && (doc[i - 2] == ';' || doc[i - 2] == ',');
    if (in_paren && (after == ')' || after == ';')) return word_before(doc, i - 1);
    if (!in_paren && !listed) return NULL;
    size_t v = i + 7 + (after == ':');
    if (doc[v] != ' ') return NULL;
    return trimmed(doc, v, value_end(doc, v));
}

char *lp_key_doc_default(const char *doc, const char *type)
{
    if (!doc || (type && strcmp(type, "map") == 0)) return NULL;
    int nested = 0; /* inside {...} or [...]: an entry's default, not the key's */
    for (size_t i = 0; doc[i]; i++) {
        char c = doc[i];
        if (c == '[' || c == '{') nested++;
        if ((c == ']' || c == '}') && nested > 0) nested--;
        if (nested || strncmp(doc + i, "default", 7) != 0) continue;
        if ((i > 0 && word_char(doc[i - 1])) || word_char(doc[i + 7])) continue;
        char *v = default_at(doc, i);
        if (v) return v;
    }
    return NULL;
}

char *lp_key_default(const lp_config_key *k, const lp_value *defaults)
{
    const lp_value *v = NULL;
    for (size_t i = 0; lp_value_type(defaults) == LP_MAP && i < lp_map_len(defaults); i++)
        if (lp_streq_nocase(lp_map_key(defaults, i), k->name)) v = lp_map_value(defaults, i);
    if (v) return lp_value_to_string(v);
    return lp_key_doc_default(k->doc, k->type);
}
