/*
 * config_env.c — ${NAME} and ${NAME:-default} inside configuration strings.
 *
 * This is how secrets stay out of files, so messages name the variable but
 * never print its value. A replaced string keeps the origin of the string it
 * came from: the problem a user would look for is on that line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_internal.h"
#include "lolpop/config.h"

static bool is_name(const char *s, size_t n)
{
    if (n == 0 || !(s[0] == '_' || (s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z')))
        return false;
    for (size_t i = 1; i < n; i++) {
        char c = s[i];
        if (!(c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
              (c >= '0' && c <= '9')))
            return false;
    }
    return true;
}

/* Expands one "${...}" whose inner text is s[0..n) into out. Returns false
 * after adding a diagnostic. */
static bool expand_one(const char *s, size_t n, lp_sb *out, const lp_value *v, const char *path,
                       lp_diags *d, bool *used_env)
{
    const char *sep = NULL;
    for (size_t i = 0; i + 1 < n && !sep; i++)
        if (s[i] == ':' && s[i + 1] == '-') sep = s + i;
    size_t name_len = sep ? (size_t)(sep - s) : n;
    if (!is_name(s, name_len)) {
        lp_diags_add(d, LP_SEV_ERROR, lp_value_origin(v), path,
                     "'${%.*s}' is not a valid environment reference: a name is letters, "
                     "digits and '_', not starting with a digit",
                     (int)n, s);
        return false;
    }
    char *name = lp_strndup(s, name_len);
    if (!name) {
        out->oom = true;
        return true;
    }
    const char *val = getenv(name);
    if (sep && (!val || !*val)) {
        lp_sb_appendn(out, sep + 2, n - name_len - 2);
    } else if (!val) {
        lp_diags_add(d, LP_SEV_ERROR, lp_value_origin(v), path,
                     "environment variable %s is not set (set it, or write ${%s:-default})", name,
                     name);
        free(name);
        return false;
    } else {
        lp_sb_append(out, val);
        *used_env = true;
    }
    free(name);
    return true;
}

/* Returns 0 with *out NULL when v needs no change, 0 with a new string in
 * *out, LP_ECONFIG after diagnostics, or LP_ENOMEM. */
static int interpolate_string(const lp_value *v, const char *path, lp_diags *d, lp_value **out)
{
    *out = NULL;
    const char *s = lp_value_as_string(v);
    size_t n = lp_value_string_len(v);
    if (!s || !memmem(s, n, "${", 2)) return 0;
    lp_sb sb = {0};
    bool ok = true, used_env = false;
    for (size_t i = 0; i < n;) {
        if (s[i] == '$' && i + 2 < n && s[i + 1] == '$' && s[i + 2] == '{') {
            lp_sb_append(&sb, "${"); /* "$${" escapes a literal "${" */
            i += 3;
        } else if (s[i] == '$' && i + 1 < n && s[i + 1] == '{') {
            const char *close = memchr(s + i + 2, '}', n - i - 2);
            if (!close) {
                lp_diags_add(d, LP_SEV_ERROR, lp_value_origin(v), path,
                             "'${' without a closing '}' (write '$${' for a literal '${')");
                ok = false;
                break;
            }
            ok = expand_one(s + i + 2, (size_t)(close - (s + i + 2)), &sb, v, path, d, &used_env) &&
                 ok;
            i = (size_t)(close - s) + 1;
        } else {
            lp_sb_putc(&sb, s[i++]);
        }
    }
    int rc = sb.oom ? LP_ENOMEM : ok ? 0 : LP_ECONFIG;
    if (rc == 0) {
        *out = lp_value_stringn(sb.buf ? sb.buf : "", sb.len);
        lp_origin at = *lp_value_origin(v);
        at.from_env = used_env;
        if (*out)
            lp_value_set_origin(*out, &at);
        else
            rc = LP_ENOMEM;
    }
    lp_sb_free(&sb);
    return rc;
}

static int worst(int a, int b)
{
    if (a == LP_ENOMEM || b == LP_ENOMEM) return LP_ENOMEM;
    return a ? a : b;
}

static int walk(lp_value *v, lp_sb *path, lp_diags *d);

/* Handles the i-th child of a map or list; replaces a string in place. */
static int visit_child(lp_value *parent, size_t i, lp_sb *path, lp_diags *d)
{
    bool map = lp_value_type(parent) == LP_MAP;
    lp_value *child = map ? lp_map_value(parent, i) : lp_list_get(parent, i);
    size_t mark = path->len;
    char idx[32];
    snprintf(idx, sizeof idx, "%zu", i);
    lp_config_path_push(path, map ? lp_map_key(parent, i) : idx);
    int rc = 0;
    if (lp_value_type(child) == LP_STRING) {
        lp_value *nv = NULL;
        rc = interpolate_string(child, path->buf ? path->buf : "", d, &nv);
        if (nv)
            rc = map ? lp_map_set_with_origin(parent, lp_map_key(parent, i), NULL, nv)
                     : lp_list_set(parent, i, nv);
    } else {
        rc = walk(child, path, d);
    }
    lp_config_path_pop(path, mark);
    return rc;
}

static int walk(lp_value *v, lp_sb *path, lp_diags *d)
{
    lp_vtype t = lp_value_type(v);
    if (t != LP_MAP && t != LP_LIST) return 0;
    size_t n = t == LP_MAP ? lp_map_len(v) : lp_list_len(v);
    int rc = 0;
    for (size_t i = 0; i < n && rc != LP_ENOMEM; i++)
        rc = worst(rc, visit_child(v, i, path, d));
    return rc;
}

LP_API int lp_config_interpolate_env(lp_value *doc, lp_diags *diags)
{
    lp_diags local;
    lp_diags_init(&local);
    lp_diags *d = diags ? diags : &local;
    size_t first = d->len;
    lp_sb path = {0};
    int rc = walk(doc, &path, d);
    if (path.oom) rc = LP_ENOMEM;
    lp_sb_free(&path);
    if (rc != 0) rc = lp_config_set_last_error(d, first, rc);
    lp_diags_clear(&local);
    return rc;
}
