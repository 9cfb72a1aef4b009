/*
 * config_refs.c — "$a.b.c" references inside a configuration document.
 *
 * The document is resolved into a fresh copy: each node is copied, and a
 * reference string is replaced by the resolved copy of its target, computed
 * on demand (so a reference may point at another reference, or at a section
 * that holds references). A node met again while it is still being resolved
 * is a cycle; the stack of nodes being resolved then names every hop. Each
 * failing reference is reported once; references that depend on it fail
 * silently so that one mistake gives one message.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_internal.h"
#include "lolpop/config.h"

/* Frames of resolution: the tree depth plus every hop through a reference. */
#define MAX_FRAMES 1024

typedef struct frame {
    const lp_value *node; /* node of the original document being resolved */
    char *path;           /* its dotted path, for messages */
} frame;

typedef struct resolver {
    const lp_value *root; /* the original document, only read */
    lp_diags *d;
    frame stack[MAX_FRAMES];
    int depth;
    const lp_value **failed; /* reference nodes already reported (or depending on one) */
    size_t n_failed, cap_failed;
    size_t nodes;
    size_t errors; /* diagnostics added */
    int err;       /* LP_ENOMEM, or LP_ECONFIG after a limit was hit: stop everything */
} resolver;

/* ---- grammar ------------------------------------------------------------------ */

static bool ident_start(char c)
{
    return isalpha((unsigned char)c) || c == '_';
}
static bool ident_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '-';
}

/* "$name(.name|.index)*": the whole string, first segment a name (the root is
 * a map), so "$5" or "price in $" are not references. */
static bool is_ref_text(const char *s, size_t n)
{
    if (n < 2 || s[0] != '$' || !ident_start(s[1])) return false;
    size_t i = 1;
    for (;;) {
        if (i < n && ident_start(s[i])) {
            while (i < n && ident_char(s[i]))
                i++;
        } else if (i < n && isdigit((unsigned char)s[i])) {
            while (i < n && isdigit((unsigned char)s[i]))
                i++;
        } else {
            return false;
        }
        if (i == n) return true;
        if (s[i] != '.') return false;
        i++;
    }
}

/* Whether v's text came (in part) from an environment variable: such text is
 * final. Re-reading it as a "$reference" (or "$$" escape) would let a secret
 * that starts with '$' change the configuration, and print it in an error. */
static bool from_env(const lp_value *v)
{
    const lp_origin *o = lp_value_origin(v);
    return o && o->from_env;
}

static bool is_ref(const lp_value *v)
{
    return lp_value_type(v) == LP_STRING && !from_env(v) &&
           is_ref_text(lp_value_as_string(v), lp_value_string_len(v));
}

/* ---- bookkeeping --------------------------------------------------------------- */

static bool has_failed(const resolver *r, const lp_value *v)
{
    for (size_t i = 0; i < r->n_failed; i++)
        if (r->failed[i] == v) return true;
    return false;
}

static void mark_failed(resolver *r, const lp_value *v)
{
    if (has_failed(r, v)) return;
    if (r->n_failed == r->cap_failed) {
        size_t cap = r->cap_failed ? r->cap_failed * 2 : 16;
        const lp_value **p = realloc(r->failed, cap * sizeof *p);
        if (!p) {
            r->err = lp_error_set(LP_ENOMEM, "out of memory");
            return;
        }
        r->failed = p;
        r->cap_failed = cap;
    }
    r->failed[r->n_failed++] = v;
}

static char *loc(const lp_value *v)
{
    char *s = lp_origin_format(lp_value_origin(v));
    return s ? s : lp_strdup("?");
}

static const char *shown(const char *path)
{
    return *path ? path : "(root)";
}

/* Adds an error at a reference node; `path` is where it is. */
static void ref_error(resolver *r, const lp_value *ref, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void ref_error(resolver *r, const lp_value *ref, const char *path, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    lp_diags_addv(r->d, LP_SEV_ERROR, lp_value_origin(ref), path, fmt, ap);
    va_end(ap);
    r->errors++;
}

/* The stack from frame `i` (the node met again) to the top, as one line,
 * reported at the latest reference on the way (there is always one: only a
 * reference can lead back up). That reference is marked failed so that the
 * same cycle is not reported again from it. */
static void report_cycle(resolver *r, int i)
{
    lp_sb sb = {0};
    lp_sb_append(&sb, "reference cycle: ");
    const frame *last = NULL;
    for (int j = i; j < r->depth; j++) {
        const frame *f = &r->stack[j];
        if (!is_ref(f->node)) continue;
        char *at = loc(f->node);
        lp_sb_appendf(&sb, "%s (%s) at %s → ", shown(f->path), lp_value_as_string(f->node),
                      at ? at : "?");
        free(at);
        last = f;
    }
    const frame *start = &r->stack[i];
    if (!last) last = &r->stack[r->depth - 1];
    if (is_ref(start->node)) {
        lp_sb_appendf(&sb, "%s again", shown(start->path));
    } else {
        char *at = loc(start->node);
        size_t n = strlen(start->path);
        bool encloses = strncmp(start->path, last->path, n) == 0 &&
                        (n == 0 || last->path[n] == '.' || last->path[n] == '\0');
        lp_sb_appendf(&sb, "%s at %s (%s%s)", shown(start->path), at ? at : "?",
                      encloses ? "contains " : "already being resolved",
                      encloses ? shown(last->path) : "");
        free(at);
    }
    ref_error(r, last->node, last->path, "%s", sb.buf ? sb.buf : "reference cycle");
    lp_sb_free(&sb);
    mark_failed(r, last->node);
}

/* Every value built counts; reference fan-out can grow a document exponentially. */
static bool charge(resolver *r, const lp_value *v, const char *path)
{
    if (++r->nodes <= LP_CONFIG_MAX_NODES) return true;
    if (!r->err) {
        ref_error(r, v, path, "references expand the document to more than %d values",
                  LP_CONFIG_MAX_NODES);
        r->err = LP_ECONFIG;
    }
    return false;
}

/* ---- resolution ------------------------------------------------------------------ */

static lp_value *resolve_value(resolver *r, const lp_value *v, const char *path);

/* Map entry index matching `key` ignoring case, or -1. */
static long map_index(const lp_value *map, const char *key)
{
    for (size_t i = 0; i < lp_map_len(map); i++)
        if (lp_streq_nocase(lp_map_key(map, i), key)) return (long)i;
    return -1;
}

/* Explains why `seg` cannot be followed from `cur` (found at `cur_path`). */
static void report_missing(resolver *r, const lp_value *ref, const char *ref_path,
                           const lp_value *cur, const char *cur_path, const char *seg)
{
    const char *text = lp_value_as_string(ref);
    char *at = loc(cur);
    lp_vtype t = lp_value_type(cur);
    if (t == LP_MAP) {
        const char **keys = calloc(lp_map_len(cur) + 1, sizeof *keys);
        for (size_t i = 0; keys && i < lp_map_len(cur); i++)
            keys[i] = lp_map_key(cur, i);
        const char *near = keys ? lp_suggest(seg, keys, lp_map_len(cur)) : NULL;
        ref_error(r, ref, ref_path, "reference %s has no target: %s (%s) has no key '%s'%s%s%s",
                  text, shown(cur_path), at, seg, near ? " (did you mean '" : "", near ? near : "",
                  near ? "'?)" : "");
        free(keys);
    } else if (t == LP_LIST && isdigit((unsigned char)seg[0])) {
        ref_error(r, ref, ref_path,
                  "reference %s has no target: index %s is out of range, %s (%s) is a list of "
                  "%zu item%s",
                  text, seg, shown(cur_path), at, lp_list_len(cur),
                  lp_list_len(cur) == 1 ? "" : "s");
    } else {
        ref_error(r, ref, ref_path, "reference %s has no target: %s (%s) is a %s, not a %s", text,
                  shown(cur_path), at, lp_vtype_name(t),
                  t == LP_LIST ? "map (use a number to index a list)" : "map or list");
    }
    free(at);
}

/* One step from cur by seg; *canon gets the canonical segment spelling. Borrowed. */
static const lp_value *step(const lp_value *cur, const char *seg, const char **canon)
{
    *canon = seg;
    if (lp_value_type(cur) == LP_MAP) {
        long i = map_index(cur, seg);
        if (i < 0) return NULL;
        *canon = lp_map_key(cur, (size_t)i);
        return lp_map_value(cur, (size_t)i);
    }
    if (lp_value_type(cur) == LP_LIST && isdigit((unsigned char)seg[0]) && strlen(seg) < 19) {
        long long i = strtoll(seg, NULL, 10);
        return (size_t)i < lp_list_len(cur) ? lp_list_get(cur, (size_t)i) : NULL;
    }
    return NULL;
}

/* The resolved copy of the value at `target` (dotted, no '$'). New reference,
 * or NULL (reported here, or silently when an inner reference failed). */
static lp_value *resolve_target(resolver *r, const char *target, const lp_value *ref,
                                const char *ref_path)
{
    char *segs = lp_strdup(target);
    lp_sb cpath = {0};
    const lp_value *cur = r->root;
    lp_value *owned = NULL; /* resolved copy of a reference met on the way */
    lp_value *result = NULL;
    bool ok = segs != NULL;
    for (char *seg = segs; ok && seg;) {
        char *dot = strchr(seg, '.');
        if (dot) *dot = '\0';
        if (!owned && is_ref(cur)) {
            owned = resolve_value(r, cur, cpath.buf ? cpath.buf : "");
            cur = owned;
            if (!owned) break;
        }
        const char *canon = seg;
        const lp_value *next = step(cur, seg, &canon);
        if (!next) {
            report_missing(r, ref, ref_path, cur, cpath.buf ? cpath.buf : "", seg);
            ok = false;
            break;
        }
        lp_config_path_push(&cpath, canon);
        cur = next;
        seg = dot ? dot + 1 : NULL;
    }
    if (ok && cur && !r->err) {
        if (owned)
            result = lp_value_copy(cur); /* already resolved */
        else
            result = resolve_value(r, cur, cpath.buf ? cpath.buf : "");
    }
    lp_value_unref(owned);
    lp_sb_free(&cpath);
    free(segs);
    return result;
}

static lp_value *resolve_string(resolver *r, const lp_value *v, const char *path)
{
    const char *s = lp_value_as_string(v);
    size_t n = lp_value_string_len(v);
    lp_value *out;
    if (from_env(v)) {
        out = lp_value_copy(v);
    } else if (n >= 2 && s[0] == '$' && s[1] == '$') {
        out = lp_value_stringn(s + 1, n - 1); /* "$$x" is the literal "$x" */
    } else if (is_ref_text(s, n)) {
        if (has_failed(r, v)) return NULL;
        out = resolve_target(r, s + 1, v, path);
        if (!out) mark_failed(r, v);
        return out;
    } else {
        out = lp_value_copy(v);
    }
    if (out) lp_value_set_origin(out, lp_value_origin(v));
    return out;
}

/* Resolves children into a new container; a failed child keeps its text. */
static lp_value *resolve_container(resolver *r, const lp_value *v, const char *path)
{
    bool map = lp_value_type(v) == LP_MAP;
    lp_value *out = map ? lp_value_map() : lp_value_list();
    size_t n = map ? lp_map_len(v) : lp_list_len(v);
    lp_sb cpath = {0};
    lp_sb_append(&cpath, path);
    size_t mark = cpath.len;
    for (size_t i = 0; out && i < n && !r->err; i++) {
        const lp_value *child = map ? lp_map_value(v, i) : lp_list_get(v, i);
        char idx[32];
        snprintf(idx, sizeof idx, "%zu", i);
        lp_config_path_pop(&cpath, mark);
        lp_config_path_push(&cpath, map ? lp_map_key(v, i) : idx);
        lp_value *c = resolve_value(r, child, cpath.buf ? cpath.buf : "");
        if (!c && !r->err) c = lp_value_copy(child);
        int rc = !c    ? LP_ENOMEM
                 : map ? lp_map_set_with_origin(out, lp_map_key(v, i), lp_map_key_origin(v, i), c)
                       : lp_list_append(out, c);
        if (rc != 0 && !r->err) r->err = LP_ENOMEM;
    }
    lp_sb_free(&cpath);
    if (!out && !r->err) r->err = LP_ENOMEM;
    if (out) lp_value_set_origin(out, lp_value_origin(v));
    if (r->err) {
        lp_value_unref(out);
        return NULL;
    }
    return out;
}

static lp_value *resolve_value(resolver *r, const lp_value *v, const char *path)
{
    if (r->err || !charge(r, v, path)) return NULL;
    lp_vtype t = lp_value_type(v);
    if (t != LP_MAP && t != LP_LIST && !is_ref(v)) {
        lp_value *c = t == LP_STRING ? resolve_string(r, v, path) : lp_value_copy(v);
        if (!c) r->err = LP_ENOMEM;
        return c;
    }
    for (int i = 0; i < r->depth; i++) {
        if (r->stack[i].node == v) {
            report_cycle(r, i);
            return NULL;
        }
    }
    if (r->depth == MAX_FRAMES) {
        ref_error(r, v, path, "references nest more than %d levels deep", MAX_FRAMES);
        r->err = LP_ECONFIG;
        return NULL;
    }
    frame *f = &r->stack[r->depth];
    f->node = v;
    if (!(f->path = lp_strdup(path))) {
        r->err = LP_ENOMEM;
        return NULL;
    }
    r->depth++;
    lp_value *out = t == LP_STRING ? resolve_string(r, v, path) : resolve_container(r, v, path);
    r->depth--;
    free(f->path);
    f->path = NULL;
    return out;
}

/* Replaces every child of doc by the matching child of its resolved copy. */
static int adopt(lp_value *doc, const lp_value *resolved)
{
    bool map = lp_value_type(doc) == LP_MAP;
    size_t n = map ? lp_map_len(resolved) : lp_list_len(resolved);
    for (size_t i = 0; i < n; i++) {
        lp_value *c = lp_value_ref(map ? lp_map_value(resolved, i) : lp_list_get(resolved, i));
        int rc = map ? lp_map_set_with_origin(doc, lp_map_key(resolved, i), NULL, c)
                     : lp_list_set(doc, i, c);
        if (rc != 0) return rc;
    }
    return 0;
}

LP_API int lp_config_resolve_refs(lp_value *doc, lp_diags *diags)
{
    lp_vtype t = lp_value_type(doc);
    if (t != LP_MAP && t != LP_LIST) return 0;
    lp_diags local;
    lp_diags_init(&local);
    lp_diags *d = diags ? diags : &local;
    size_t first = d->len;
    resolver *r = calloc(1, sizeof *r);
    if (!r) return lp_error_set(LP_ENOMEM, "out of memory");
    r->root = doc;
    r->d = d;
    lp_value *resolved = resolve_value(r, doc, "");
    int rc = r->err;
    if (!rc && r->errors > 0) rc = LP_ECONFIG;
    if (!rc && resolved) rc = adopt(doc, resolved);
    lp_value_unref(resolved);
    free(r->failed);
    free(r);
    if (rc == LP_ENOMEM)
        lp_error_set(LP_ENOMEM, "out of memory while resolving references");
    else if (rc != 0)
        rc = lp_config_set_last_error(d, first, rc);
    lp_diags_clear(&local);
    return rc;
}
