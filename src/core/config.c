/*
 * config.c — loading a configuration: parse each file, deep-merge them in
 * order, apply --set assignments, interpolate the environment, resolve
 * references. Every step reports into one lp_diags so that a user sees all
 * problems at once; the document is only handed out when there are none.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_internal.h"
#include "config_paths.h"
#include "foreign_classes.h"
#include "lolpop/config.h"

struct lp_config {
    lp_value *root; /* a map, owned */
};

/* ---- shared helpers ------------------------------------------------------ */

void lp_config_path_push(lp_sb *path, const char *segment)
{
    if (path->len > 0) lp_sb_putc(path, '.');
    lp_sb_append(path, segment);
}

void lp_config_path_pop(lp_sb *path, size_t len)
{
    if (path->buf && len <= path->len) {
        path->len = len;
        path->buf[len] = '\0';
    }
}

static size_t count_errors(const lp_diags *d, size_t first)
{
    size_t n = 0;
    for (size_t i = first; i < d->len; i++)
        n += d->items[i].severity == LP_SEV_ERROR;
    return n;
}

int lp_config_set_last_error(const lp_diags *d, size_t first, int code)
{
    if (code == LP_ENOMEM) return code;
    size_t n = count_errors(d, first);
    for (size_t i = first; i < d->len; i++) {
        const lp_diag *g = &d->items[i];
        if (g->severity != LP_SEV_ERROR) continue;
        char more[64] = "";
        if (n > 1)
            snprintf(more, sizeof more, " (and %zu more problem%s)", n - 1, n > 2 ? "s" : "");
        const char *file = g->where.kind == LP_ORIGIN_FILE ? g->where.source : NULL;
        return lp_error_set_at(code, file, g->where.line, g->where.col, "%s%s%s%s", g->section,
                               g->section[0] ? ": " : "", g->message, more);
    }
    return lp_error_set(code, "configuration error");
}

/* ---- merge ------------------------------------------------------------------ */

LP_API int lp_config_merge(lp_value *base, const lp_value *over)
{
    if (lp_value_type(base) != LP_MAP || lp_value_type(over) != LP_MAP)
        return lp_error_set(LP_EINVAL, "lp_config_merge: both values must be maps");
    for (size_t i = 0; i < lp_map_len(over); i++) {
        const char *key = lp_map_key(over, i);
        const lp_value *ov = lp_map_value(over, i);
        lp_value *bv = lp_map_get(base, key);
        int rc;
        if (lp_value_type(bv) == LP_MAP && lp_value_type(ov) == LP_MAP) {
            rc = lp_config_merge(bv, ov);
        } else {
            lp_value *c = lp_value_copy(ov);
            rc = c ? lp_map_set_with_origin(base, key, lp_map_key_origin(over, i), c) : LP_ENOMEM;
        }
        if (rc != 0) return rc;
    }
    return 0;
}

/* Like lp_config_merge, but a null in `over` removes the key from base: how an
 * overlay (a later -c file, `--set KEY=null`) switches off a key or slot that
 * an earlier file set. A null for a key base lacks is dropped. */
static int merge_overlay(lp_value *base, const lp_value *over)
{
    for (size_t i = 0; i < lp_map_len(over); i++) {
        const char *key = lp_map_key(over, i);
        const lp_value *ov = lp_map_value(over, i);
        lp_value *bv = lp_map_get(base, key);
        int rc = 0;
        if (lp_value_type(ov) == LP_NULL) {
            lp_map_remove(base, key);
        } else if (lp_value_type(bv) == LP_MAP && lp_value_type(ov) == LP_MAP) {
            rc = merge_overlay(bv, ov);
        } else {
            lp_value *c = lp_value_copy(ov);
            rc = c ? lp_map_set_with_origin(base, key, lp_map_key_origin(over, i), c) : LP_ENOMEM;
        }
        if (rc != 0) return rc;
    }
    return 0;
}

/* ---- dotted paths ------------------------------------------------------------- */

static bool is_index(const char *s)
{
    if (!*s) return false;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s)) return false;
    return true;
}

/* One step down: a key of a map, or a decimal index of a list. Borrowed. */
static lp_value *step(const lp_value *v, const char *seg)
{
    if (lp_value_type(v) == LP_MAP) return lp_map_get(v, seg);
    if (lp_value_type(v) == LP_LIST && is_index(seg) && strlen(seg) < 20) {
        unsigned long long i = strtoull(seg, NULL, 10);
        return i < lp_list_len(v) ? lp_list_get(v, (size_t)i) : NULL;
    }
    return NULL;
}

LP_API lp_value *lp_config_path_get(const lp_value *doc, const char *path)
{
    if (!doc) return NULL;
    lp_value *cur = (lp_value *)(uintptr_t)doc; /* borrowed; the API hands out non-const */
    if (!path || !*path) return cur;
    char *copy = lp_strdup(path);
    if (!copy) return NULL;
    char *seg = copy;
    while (cur && seg) {
        char *dot = strchr(seg, '.');
        if (dot) *dot = '\0';
        cur = step(cur, seg);
        seg = dot ? dot + 1 : NULL;
    }
    free(copy);
    return cur;
}

/* ---- --set ------------------------------------------------------------------------ */

static char *trimmed(const char *s, size_t n)
{
    while (n > 0 && isspace((unsigned char)*s))
        s++, n--;
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    return lp_strndup(s, n);
}

/* Checks "a.b.c": no empty segment. Adds a diagnostic and returns false if bad. */
static bool check_set_path(const char *path, const char *assignment, const lp_origin *where,
                           lp_diags *d)
{
    if (!*path) {
        lp_diags_add(d, LP_SEV_ERROR, where, "",
                     "--set '%s': the key path before '=' is empty (expected KEY.PATH=VALUE)",
                     assignment);
        return false;
    }
    size_t n = strlen(path);
    if (path[0] == '.' || path[n - 1] == '.' || strstr(path, "..")) {
        lp_diags_add(d, LP_SEV_ERROR, where, path, "--set '%s': key path '%s' has an empty segment",
                     assignment, path);
        return false;
    }
    size_t segments = 1;
    for (const char *p = path; *p; p++)
        segments += *p == '.';
    if (segments > LP_CONFIG_MAX_DEPTH) {
        lp_diags_add(d, LP_SEV_ERROR, where, "", "--set: key path has more than %d segments",
                     LP_CONFIG_MAX_DEPTH);
        return false;
    }
    return true;
}

/* Walks to the map that will hold the last segment, creating maps on the way.
 * Returns it (borrowed) and points *last at the last segment, or NULL after a
 * diagnostic / on OOM (*oom set). `path` is modified (split at dots). */
static lp_value *set_parent(lp_value *doc, char *path, char **last, const char *assignment,
                            const lp_origin *where, lp_diags *d, bool *oom)
{
    lp_value *cur = doc;
    lp_sb walked = {0};
    char *seg = path;
    char *dot;
    while ((dot = strchr(seg, '.')) != NULL) {
        *dot = '\0';
        lp_config_path_push(&walked, seg);
        lp_value *child = lp_map_get(cur, seg);
        if (!child) {
            child = lp_value_map();
            if (!child || lp_map_set_with_origin(cur, seg, where, child) != 0) {
                *oom = true;
                cur = NULL;
                break;
            }
            lp_value_set_origin(child, where);
        } else if (lp_value_type(child) != LP_MAP) {
            char *at = lp_origin_format(lp_value_origin(child));
            lp_diags_add(d, LP_SEV_ERROR, where, walked.buf,
                         "--set '%s': '%s' is a %s (set at %s), not a map, so it has no key '%s'",
                         assignment, walked.buf ? walked.buf : seg,
                         lp_vtype_name(lp_value_type(child)), at ? at : "?", dot + 1);
            free(at);
            cur = NULL;
            break;
        }
        cur = child;
        seg = dot + 1;
    }
    lp_sb_free(&walked);
    *last = seg;
    return cur;
}

LP_API int lp_config_apply_set(lp_value *doc, const char *assignment, lp_diags *diags)
{
    if (lp_value_type(doc) != LP_MAP || !assignment)
        return lp_error_set(LP_EINVAL, "lp_config_apply_set: doc must be a map");
    lp_diags local;
    lp_diags_init(&local);
    lp_diags *d = diags ? diags : &local;
    size_t first = d->len;
    char *src = lp_asprintf("--set %s", assignment);
    lp_origin where = {LP_ORIGIN_SET, src ? lp_origin_intern(src) : NULL, 0, 0, 0};
    free(src);
    if (!where.source) return LP_ENOMEM;

    int rc = LP_ECONFIG;
    const char *eq = strchr(assignment, '=');
    char *path = NULL;
    if (!eq) {
        lp_diags_add(d, LP_SEV_ERROR, &where, "",
                     "--set '%s': expected KEY.PATH=VALUE, but there is no '='", assignment);
    } else if (!(path = trimmed(assignment, (size_t)(eq - assignment)))) {
        rc = LP_ENOMEM;
    } else if (check_set_path(path, assignment, &where, d)) {
        lp_value *val = NULL;
        rc = lp_yaml_parse_value(&val, eq + 1, strlen(eq + 1), &where, path, d);
        bool oom = false;
        char *last = NULL;
        lp_value *parent =
            rc == 0 ? set_parent(doc, path, &last, assignment, &where, d, &oom) : NULL;
        if (parent && lp_value_type(val) == LP_NULL) {
            lp_map_remove(parent, last); /* KEY=null or KEY=~ removes the key */
            lp_value_unref(val);
        } else if (parent) {
            rc = lp_map_set_with_origin(parent, last, &where, val);
        } else {
            lp_value_unref(val);
        }
        if (rc == 0 && !parent) rc = oom ? LP_ENOMEM : LP_ECONFIG;
    }
    free(path);
    if (rc != 0) lp_config_set_last_error(d, first, rc);
    lp_diags_clear(&local);
    return rc;
}

/* ---- the pipeline ------------------------------------------------------------------ */

static int load_files(lp_value *root, const lp_config_input *in, lp_diags *d, bool *all_parsed)
{
    for (size_t i = 0; i < in->n_files; i++) {
        lp_value *doc = NULL;
        int rc = lp_yaml_parse_file(&doc, in->files[i], d);
        if (rc == LP_ENOMEM) return rc;
        if (rc != 0) {
            *all_parsed = false;
            continue;
        }
        /* The document as a whole is "in" the first file: problems about the
         * root section (a runner's missing requirement) point there. */
        if (lp_value_origin(root)->kind == LP_ORIGIN_NONE) {
            lp_origin at = *lp_value_origin(doc);
            if (at.kind == LP_ORIGIN_NONE || at.line == 0)
                at = (lp_origin){LP_ORIGIN_FILE, lp_origin_intern(in->files[i]), 1, 1, 0};
            lp_value_set_origin(root, &at);
        }
        /* The first file is the document; later ones are overlays, whose
         * nulls remove what earlier files set. */
        rc = i == 0 ? lp_config_merge(root, doc) : merge_overlay(root, doc);
        lp_value_unref(doc);
        if (rc != 0) return rc;
    }
    return 0;
}

LP_API int lp_config_load(lp_config **out, const lp_config_input *in, lp_diags *diags)
{
    if (!out) return lp_error_set(LP_EINVAL, "lp_config_load: NULL out");
    *out = NULL;
    static const lp_config_input none = {0};
    if (!in) in = &none;
    lp_diags local;
    lp_diags_init(&local);
    lp_diags *d = diags ? diags : &local;
    size_t first = d->len;
    bool all_parsed = true;

    lp_value *root = lp_value_map();
    int rc = root ? load_files(root, in, d, &all_parsed) : LP_ENOMEM;
    for (size_t i = 0; rc != LP_ENOMEM && i < in->n_sets; i++)
        rc = lp_config_apply_set(root, in->sets[i], d) == LP_ENOMEM ? LP_ENOMEM : 0;
    if (rc != LP_ENOMEM) rc = lp_config_interpolate_env(root, d) == LP_ENOMEM ? LP_ENOMEM : 0;
    /* A file that failed to parse leaves holes; resolving references then
     * would only add "missing target" noise on top of the real problem. */
    if (rc != LP_ENOMEM && all_parsed)
        rc = lp_config_resolve_refs(root, d) == LP_ENOMEM ? LP_ENOMEM : 0;
    /* Path-valued keys are relative to the file that set them (issue 11 Fix 2). */
    if (rc == 0) rc = lp_config_resolve_paths(root, NULL);
    /* The Python lolpop's Base<Type> classes switch a slot off (issue 11 Fix 15). */
    if (rc == 0) rc = lp_config_drop_base_slots(root, d);
    if (rc == 0 && count_errors(d, first) > 0) rc = lp_config_set_last_error(d, first, LP_ECONFIG);

    lp_config *cfg = rc == 0 ? calloc(1, sizeof *cfg) : NULL;
    if (rc == 0 && !cfg) rc = lp_error_set(LP_ENOMEM, "out of memory");
    if (rc != 0 || !cfg) {
        lp_value_unref(root);
        lp_diags_clear(&local);
        return rc ? rc : LP_ENOMEM;
    }
    cfg->root = root;
    *out = cfg;
    lp_diags_clear(&local);
    return 0;
}

LP_API void lp_config_free(lp_config *cfg)
{
    if (!cfg) return;
    lp_value_unref(cfg->root);
    free(cfg);
}

LP_API lp_value *lp_config_root(const lp_config *cfg)
{
    return cfg ? cfg->root : NULL;
}
