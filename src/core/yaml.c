/*
 * yaml.c — YAML text to lp_value trees, through libfyaml's event parser.
 *
 * The tree is built from parser events rather than from a libfyaml document
 * so that we control what libfyaml does not: case-insensitive duplicate keys,
 * a nesting limit, alias and merge-key expansion under a bound on the total
 * number of values ("billion laughs"), and an exact origin for every value.
 * Text is checked for UTF-8 first because libfyaml can hang on invalid bytes.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libfyaml.h>

#include "config_internal.h"
#include "lolpop/config.h"

#define MAX_ANCHORS   1024
#define MAX_FILE_SIZE ((size_t)64 << 20)

typedef struct frame {
    lp_value *val; /* the map or list being built (owned) */
    char *anchor;  /* anchor to register once complete, or NULL */
    char *key;     /* map: key waiting for its value; NULL while a key is expected */
    lp_origin key_origin;
    bool key_is_merge; /* the pending key is the merge key "<<" */
    lp_value *merges;  /* map: maps given by "<<", merged in when the map ends */
} frame;

typedef struct anchor {
    char *name;
    lp_value *val; /* shared with the tree; complete, so never mutated while shared */
    size_t nodes;  /* values inside val, charged again at every alias */
    int height;
} anchor;

typedef struct builder {
    const char *source;     /* interned source name */
    const lp_origin *fixed; /* when set, every value gets this origin (--set) */
    const char *section;    /* path prefix for messages (--set), or NULL */
    lp_diags *diags;
    frame stack[LP_CONFIG_MAX_DEPTH];
    int depth;
    anchor anchors[MAX_ANCHORS];
    size_t n_anchors;
    size_t nodes;
    bool expanded; /* an alias or merge key was expanded: the likely culprit of a blow-up */
    lp_value *root;
    lp_origin last; /* latest known position, for events without a mark */
    int docs;
    int err;          /* 0, LP_ECONFIG or LP_ENOMEM */
    const char *text; /* the text being parsed (marks are offsets into it) */
    size_t len;
} builder;

/* ---- locations and errors --------------------------------------------- */

static lp_origin origin_at(builder *b, const struct fy_mark *m)
{
    if (b->fixed) return *b->fixed;
    if (m && m->line >= 0 && m->column >= 0) {
        lp_origin o = {LP_ORIGIN_FILE, b->source, m->line + 1, m->column + 1, 0};
        b->last = o;
    }
    return b->last;
}

/* The section path of the place being parsed, from the open containers. */
static char *builder_path(const builder *b)
{
    lp_sb sb = {0};
    if (b->section) lp_sb_append(&sb, b->section);
    for (int i = 0; i < b->depth; i++) {
        const frame *f = &b->stack[i];
        if (lp_value_type(f->val) == LP_MAP) {
            if (f->key) lp_config_path_push(&sb, f->key);
        } else {
            char idx[32];
            snprintf(idx, sizeof idx, "%zu", lp_list_len(f->val));
            lp_config_path_push(&sb, idx);
        }
    }
    return lp_sb_take(&sb);
}

static void fail(builder *b, const lp_origin *where, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void fail(builder *b, const lp_origin *where, const char *fmt, ...)
{
    lp_sb msg = {0};
    va_list ap;
    va_start(ap, fmt);
    lp_sb_vappendf(&msg, fmt, ap);
    va_end(ap);
    char *path = builder_path(b);
    lp_diags_add(b->diags, LP_SEV_ERROR, where, path ? path : "", "%s", msg.buf ? msg.buf : "");
    free(path);
    lp_sb_free(&msg);
    if (!b->err) b->err = LP_ECONFIG;
}

static void fail_oom(builder *b)
{
    b->err = LP_ENOMEM;
    lp_error_set(LP_ENOMEM, "out of memory while parsing %s", b->source);
}

/* ---- scalars (YAML 1.2 core schema) ----------------------------------- */

static bool all_in(const char *s, size_t n, const char *set)
{
    if (n == 0) return false;
    for (size_t i = 0; i < n; i++)
        if (!s[i] || !strchr(set, s[i])) return false;
    return true;
}

static bool is_one_of(const char *s, size_t n, const char *const *words)
{
    for (; *words; words++)
        if (strlen(*words) == n && memcmp(s, *words, n) == 0) return true;
    return false;
}

/* [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? */
static bool is_float_text(const char *s, size_t n)
{
    size_t i = 0, digits = 0;
    if (i < n && (s[i] == '-' || s[i] == '+')) i++;
    while (i < n && s[i] >= '0' && s[i] <= '9')
        i++, digits++;
    if (i < n && s[i] == '.') {
        i++;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++, digits++;
    }
    if (digits == 0) return false;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '-' || s[i] == '+')) i++;
        size_t exp = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++, exp++;
        if (exp == 0) return false;
    }
    return i == n;
}

/* Integer text in `base`; falls back to a float (decimal) or a string (hex,
 * octal) when it does not fit in int64. New reference. */
static lp_value *int_value(const char *s, size_t n, const char *digits, int base)
{
    char *tmp = lp_strndup(digits, n - (size_t)(digits - s));
    if (!tmp) return NULL;
    errno = 0;
    char *end = NULL;
    lp_value *v;
    if (base == 10) {
        long long x = strtoll(s[0] == '+' ? tmp + 1 : tmp, &end, 10);
        v = errno == ERANGE ? lp_value_float(strtod(tmp, NULL)) : lp_value_int(x);
    } else {
        unsigned long long x = strtoull(tmp, &end, base);
        v = (errno == ERANGE || x > INT64_MAX) ? lp_value_stringn(s, n) : lp_value_int((int64_t)x);
    }
    free(tmp);
    return v;
}

static lp_value *plain_value(const char *s, size_t n)
{
    static const char *const nulls[] = {"~", "null", "Null", "NULL", NULL};
    static const char *const trues[] = {"true", "True", "TRUE", NULL};
    static const char *const falses[] = {"false", "False", "FALSE", NULL};
    static const char *const infs[] = {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", NULL};
    static const char *const ninfs[] = {"-.inf", "-.Inf", "-.INF", NULL};
    static const char *const nans[] = {".nan", ".NaN", ".NAN", NULL};

    if (n == 0 || is_one_of(s, n, nulls)) return lp_value_null();
    if (is_one_of(s, n, trues)) return lp_value_bool(true);
    if (is_one_of(s, n, falses)) return lp_value_bool(false);
    if (n > 2 && s[0] == '0' && s[1] == 'x' && all_in(s + 2, n - 2, "0123456789abcdefABCDEF"))
        return int_value(s, n, s + 2, 16);
    if (n > 2 && s[0] == '0' && s[1] == 'o' && all_in(s + 2, n - 2, "01234567"))
        return int_value(s, n, s + 2, 8);
    size_t sign = (s[0] == '-' || s[0] == '+') ? 1 : 0;
    if (all_in(s + sign, n - sign, "0123456789")) return int_value(s, n, s, 10);
    if (is_one_of(s, n, infs)) return lp_value_float(INFINITY);
    if (is_one_of(s, n, ninfs)) return lp_value_float(-INFINITY);
    if (is_one_of(s, n, nans)) return lp_value_float(NAN);
    if (is_float_text(s, n)) {
        char *tmp = lp_strndup(s, n);
        lp_value *v = tmp ? lp_value_float(strtod(tmp, NULL)) : NULL;
        free(tmp);
        return v;
    }
    return lp_value_stringn(s, n);
}

/* Quoted and block scalars are strings; so is anything tagged !!str or "!". */
static lp_value *scalar_value(const char *s, size_t n, enum fy_scalar_style style, const char *tag)
{
    bool forced_string =
        tag && (strcmp(tag, "!") == 0 || strcmp(tag, "tag:yaml.org,2002:str") == 0);
    if (style != FYSS_PLAIN || forced_string) return lp_value_stringn(s, n);
    return plain_value(s, n);
}

/* ---- anchors ------------------------------------------------------------ */

static void measure(const lp_value *v, size_t *nodes, int *height)
{
    int h = 0;
    (*nodes)++;
    if (lp_value_type(v) == LP_MAP || lp_value_type(v) == LP_LIST) {
        bool map = lp_value_type(v) == LP_MAP;
        size_t n = map ? lp_map_len(v) : lp_list_len(v);
        for (size_t i = 0; i < n; i++) {
            int ch = 0;
            measure(map ? lp_map_value(v, i) : lp_list_get(v, i), nodes, &ch);
            if (ch > h) h = ch;
        }
        h++;
    }
    *height = h;
}

static void register_anchor(builder *b, const char *name, lp_value *v, const lp_origin *where)
{
    if (b->n_anchors == MAX_ANCHORS) {
        fail(b, where, "more than %d anchors in one document", MAX_ANCHORS);
        return;
    }
    anchor *a = &b->anchors[b->n_anchors];
    a->name = lp_strdup(name);
    if (!a->name) {
        fail_oom(b);
        return;
    }
    a->nodes = 0;
    measure(v, &a->nodes, &a->height);
    a->val = lp_value_ref(v);
    b->n_anchors++;
}

/* The latest anchor of that name (YAML lets a later anchor shadow an earlier one). */
static const anchor *find_anchor(const builder *b, const char *name)
{
    for (size_t i = b->n_anchors; i-- > 0;)
        if (strcmp(b->anchors[i].name, name) == 0) return &b->anchors[i];
    return NULL;
}

/* `expansion`: the values are copies made by an alias or a merge key. */
static bool charge_nodes(builder *b, size_t n, bool expansion, const lp_origin *where)
{
    b->expanded = b->expanded || expansion;
    if (n > LP_CONFIG_MAX_NODES - b->nodes) {
        if (b->expanded)
            fail(b, where,
                 "document expands to more than %d values (aliases or merge keys nested too "
                 "deeply)",
                 LP_CONFIG_MAX_NODES);
        else
            fail(b, where, "document holds more than %d values (keys and values counted)",
                 LP_CONFIG_MAX_NODES);
        return false;
    }
    b->nodes += n;
    return true;
}

/* ---- building ------------------------------------------------------------ */

static frame *top(builder *b)
{
    return b->depth > 0 ? &b->stack[b->depth - 1] : NULL;
}

static bool expects_key(builder *b)
{
    frame *f = top(b);
    return f && lp_value_type(f->val) == LP_MAP && !f->key && !f->key_is_merge;
}

/* "<<: *base" or "<<: [*a, *b]": remember the maps to merge at map end. */
static void add_merge(builder *b, frame *f, lp_value *v, const lp_origin *where)
{
    f->key_is_merge = false;
    bool ok = lp_value_type(v) == LP_MAP;
    if (lp_value_type(v) == LP_LIST) {
        ok = true;
        for (size_t i = 0; i < lp_list_len(v); i++)
            ok = ok && lp_value_type(lp_list_get(v, i)) == LP_MAP;
    }
    if (!ok) {
        fail(b, where, "merge key '<<' needs a map or a list of maps, not a %s",
             lp_vtype_name(lp_value_type(v)));
        lp_value_unref(v);
        return;
    }
    if (!f->merges && !(f->merges = lp_value_list())) {
        lp_value_unref(v);
        fail_oom(b);
        return;
    }
    if (lp_value_type(v) == LP_MAP) {
        if (lp_list_append(f->merges, v) != 0) fail_oom(b);
        return;
    }
    for (size_t i = 0; i < lp_list_len(v) && !b->err; i++)
        if (lp_list_append(f->merges, lp_value_ref(lp_list_get(v, i))) != 0) fail_oom(b);
    lp_value_unref(v);
}

/* Hands a finished value to the open container (or makes it the root). Takes v. */
static void deliver(builder *b, lp_value *v, const lp_origin *where)
{
    frame *f = top(b);
    if (!f) {
        lp_value_unref(b->root);
        b->root = v;
        return;
    }
    if (lp_value_type(f->val) == LP_LIST) {
        if (lp_list_append(f->val, v) != 0) fail_oom(b);
        return;
    }
    if (f->key_is_merge) {
        add_merge(b, f, v, where);
        return;
    }
    const lp_value *dup = lp_map_get(f->val, f->key);
    if (dup) {
        for (size_t i = 0; i < lp_map_len(f->val); i++) {
            if (lp_map_value(f->val, i) != dup) continue;
            char *first = lp_origin_format(lp_map_key_origin(f->val, i));
            fail(b, &f->key_origin, "duplicate key '%s' (first defined as '%s' at %s)", f->key,
                 lp_map_key(f->val, i), first ? first : "?");
            free(first);
        }
        lp_value_unref(v);
    } else if (lp_map_set_with_origin(f->val, f->key, &f->key_origin, v) != 0) {
        fail_oom(b);
    }
    free(f->key);
    f->key = NULL;
}

static void take_key(builder *b, const char *s, size_t n, const lp_origin *where, bool merge)
{
    frame *f = top(b);
    if (!f) return;
    f->key_origin = *where;
    if (merge) {
        f->key_is_merge = true;
        return;
    }
    if (memchr(s, '\0', n)) {
        fail(b, where, "map key contains a NUL character");
        return;
    }
    if (!(f->key = lp_strndup(s, n))) fail_oom(b);
}

/* libfyaml 0.7.12 leaks the buffer it builds for single-quoted scalars with
 * runs of '' escapes, so those are unescaped and line-folded here from the
 * raw text between the quotes (YAML 1.2 §7.3.2, flow folding). */
static void single_quoted_text(lp_sb *out, const char *raw, size_t n)
{
    size_t empties = 0;
    bool first = true;
    for (size_t i = 0;;) {
        const char *nl = memchr(raw + i, '\n', n - i);
        bool last = !nl;
        size_t a = i, z = nl ? (size_t)(nl - raw) : n;
        if (!last && z > a && raw[z - 1] == '\r') z--;
        while (!first && a < z && (raw[a] == ' ' || raw[a] == '\t'))
            a++;
        while (!last && z > a && (raw[z - 1] == ' ' || raw[z - 1] == '\t'))
            z--;
        if (!first && !last && a == z) {
            empties++; /* an empty line is kept as a line break */
        } else {
            if (!first && empties == 0)
                lp_sb_putc(out, ' '); /* a single line break folds into a space */
            for (; empties > 0; empties--)
                lp_sb_putc(out, '\n');
            for (size_t k = a; k < z; k++) {
                lp_sb_putc(out, raw[k]);
                if (raw[k] == '\'' && k + 1 < z && raw[k + 1] == '\'') k++;
            }
        }
        first = false;
        if (last) return;
        i = (size_t)(nl - raw) + 1;
    }
}

static void on_scalar_text(builder *b, struct fy_event *ev, const char *s, size_t n,
                           lp_origin where);

static void on_scalar(builder *b, struct fy_event *ev)
{
    lp_origin where = origin_at(b, fy_event_start_mark(ev));
    struct fy_token *tok = ev->scalar.value;
    const struct fy_mark *start = fy_token_start_mark(tok), *end = fy_token_end_mark(tok);
    if (fy_token_scalar_style(tok) == FYSS_SINGLE_QUOTED && start && end &&
        start->input_pos <= end->input_pos && end->input_pos <= b->len) {
        lp_sb sb = {0};
        single_quoted_text(&sb, b->text + start->input_pos, end->input_pos - start->input_pos);
        if (sb.oom)
            fail_oom(b);
        else
            on_scalar_text(b, ev, sb.buf ? sb.buf : "", sb.len, where);
        lp_sb_free(&sb);
        return;
    }
    size_t n = 0;
    const char *s = fy_token_get_text(tok, &n);
    on_scalar_text(b, ev, s ? s : "", s ? n : 0, where);
}

/* A scalar event whose text (escapes resolved, lines folded) is s[0..n). */
static void on_scalar_text(builder *b, struct fy_event *ev, const char *s, size_t n,
                           lp_origin where)
{
    enum fy_scalar_style style = fy_token_scalar_style(ev->scalar.value);
    bool quoted = style == FYSS_SINGLE_QUOTED || style == FYSS_DOUBLE_QUOTED;
    if (quoted && where.kind == LP_ORIGIN_FILE && where.col > 1)
        where.col--; /* libfyaml marks the text; point at the opening quote */
    const char *tag = ev->scalar.tag ? fy_token_get_text0(ev->scalar.tag) : NULL;
    const char *anchor_name = ev->scalar.anchor ? fy_token_get_text0(ev->scalar.anchor) : NULL;
    if (!charge_nodes(b, 1, false, &where)) return;
    if (memchr(s, '\0', n)) { /* "\0" escapes: names and values reach C strings and would be cut */
        fail(b, &where, "a NUL character (\\0) in a %s is not allowed",
             expects_key(b) ? "map key" : "value");
        return;
    }
    if (expects_key(b)) {
        bool merge = style == FYSS_PLAIN && !tag && n == 2 && memcmp(s, "<<", 2) == 0;
        if (style == FYSS_PLAIN && n == 0) {
            fail(b, &where, "map key is empty");
            return;
        }
        take_key(b, s, n, &where, merge);
        if (anchor_name && !b->err) {
            lp_value *k = lp_value_stringn(s, n);
            if (!k) {
                fail_oom(b);
                return;
            }
            lp_value_set_origin(k, &where);
            register_anchor(b, anchor_name, k, &where);
            lp_value_unref(k);
        }
        return;
    }
    lp_value *v = scalar_value(s, n, style, tag);
    if (!v) {
        fail_oom(b);
        return;
    }
    lp_value_set_origin(v, &where);
    if (anchor_name) register_anchor(b, anchor_name, v, &where);
    deliver(b, v, &where);
}

static void on_start(builder *b, struct fy_event *ev, bool is_map)
{
    lp_origin where = origin_at(b, fy_event_start_mark(ev));
    struct fy_token *anchor_tok = is_map ? ev->mapping_start.anchor : ev->sequence_start.anchor;
    if (expects_key(b)) {
        fail(b, &where, "map keys must be scalars, not a %s", is_map ? "map" : "list");
        return;
    }
    if (b->depth >= LP_CONFIG_MAX_DEPTH) {
        fail(b, &where, "nesting deeper than %d levels", LP_CONFIG_MAX_DEPTH);
        return;
    }
    if (!charge_nodes(b, 1, false, &where)) return;
    frame *f = &b->stack[b->depth];
    memset(f, 0, sizeof *f);
    f->val = is_map ? lp_value_map() : lp_value_list();
    const char *name = anchor_tok ? fy_token_get_text0(anchor_tok) : NULL;
    if (name) f->anchor = lp_strdup(name);
    if (!f->val || (name && !f->anchor)) {
        lp_value_unref(f->val);
        free(f->anchor);
        {
            fail_oom(b);
            return;
        }
    }
    lp_value_set_origin(f->val, &where);
    b->depth++;
}

static void free_frame(frame *f)
{
    lp_value_unref(f->val);
    lp_value_unref(f->merges);
    free(f->anchor);
    free(f->key);
    memset(f, 0, sizeof *f);
}

/* Merge keys: keys of the map itself win, then earlier merge sources. */
static void apply_merges(builder *b, frame *f, const lp_origin *where)
{
    for (size_t m = 0; m < lp_list_len(f->merges) && !b->err; m++) {
        const lp_value *src = lp_list_get(f->merges, m);
        for (size_t i = 0; i < lp_map_len(src) && !b->err; i++) {
            if (lp_map_get(f->val, lp_map_key(src, i))) continue;
            size_t nodes = 0;
            int height = 0;
            measure(lp_map_value(src, i), &nodes, &height);
            if (!charge_nodes(b, nodes, true, where)) return;
            lp_value *c = lp_value_copy(lp_map_value(src, i));
            if (!c || lp_map_set_with_origin(f->val, lp_map_key(src, i), lp_map_key_origin(src, i),
                                             c) != 0)
                fail_oom(b);
        }
    }
}

static void on_end(builder *b, struct fy_event *ev)
{
    frame *f = top(b);
    if (!f) return;
    lp_origin where = *lp_value_origin(f->val);
    if (f->merges) apply_merges(b, f, &where);
    if (f->anchor && !b->err) register_anchor(b, f->anchor, f->val, &where);
    lp_value *v = lp_value_ref(f->val);
    b->depth--;
    free_frame(f);
    if (b->err)
        lp_value_unref(v);
    else
        deliver(b, v, &where);
}

static void on_alias(builder *b, struct fy_event *ev)
{
    lp_origin where = origin_at(b, fy_event_start_mark(ev));
    if (where.kind == LP_ORIGIN_FILE && where.col > 1)
        where.col--; /* libfyaml marks the name; point at the '*' */
    const char *name = fy_token_get_text0(ev->alias.anchor);
    if (!name) {
        fail_oom(b);
        return;
    }
    const anchor *a = find_anchor(b, name);
    if (!a) {
        for (int i = 0; i < b->depth; i++)
            if (b->stack[i].anchor && strcmp(b->stack[i].anchor, name) == 0) {
                fail(b, &where, "alias '*%s' is inside the node it refers to", name);
                return;
            }
        {
            fail(b, &where, "alias '*%s' refers to no anchor defined before it", name);
            return;
        }
    }
    if (expects_key(b)) {
        if (lp_value_type(a->val) != LP_STRING) {
            fail(b, &where, "map keys must be scalars, not a %s",
                 lp_vtype_name(lp_value_type(a->val)));
            return;
        }
        {
            take_key(b, lp_value_as_string(a->val), lp_value_string_len(a->val), &where, false);
            return;
        }
    }
    if (b->depth + a->height > LP_CONFIG_MAX_DEPTH) {
        fail(b, &where, "alias '*%s' makes nesting deeper than %d levels", name,
             LP_CONFIG_MAX_DEPTH);
        return;
    }
    if (!charge_nodes(b, a->nodes, true, &where)) return;
    lp_value *c = lp_value_copy(a->val);
    if (!c) {
        fail_oom(b);
        return;
    }
    deliver(b, c, &where);
}

static void on_event(builder *b, struct fy_event *ev)
{
    switch (ev->type) {
    case FYET_DOCUMENT_START:
        if (++b->docs > 1) {
            lp_origin where = origin_at(b, fy_event_start_mark(ev));
            fail(b, &where, "a configuration file holds one YAML document; found a second one");
        }
        break;
    case FYET_SCALAR:
        on_scalar(b, ev);
        break;
    case FYET_MAPPING_START:
        on_start(b, ev, true);
        break;
    case FYET_SEQUENCE_START:
        on_start(b, ev, false);
        break;
    case FYET_MAPPING_END:
    case FYET_SEQUENCE_END:
        on_end(b, ev);
        break;
    case FYET_ALIAS:
        on_alias(b, ev);
        break;
    default:
        break;
    }
}

/* libfyaml's own syntax errors, collected by its diag object instead of printed. */
static void report_syntax_errors(builder *b, struct fy_diag *diag)
{
    void *iter = NULL;
    struct fy_diag_error *e;
    size_t n = 0;
    while ((e = fy_diag_errors_iterate(diag, &iter)) != NULL) {
        if (e->type < FYET_ERROR) continue;
        lp_origin where = b->last;
        if (b->fixed)
            where = *b->fixed;
        else if (e->line > 0)
            where =
                (lp_origin){LP_ORIGIN_FILE, b->source, e->line, e->column > 0 ? e->column : 0, 0};
        fail(b, &where, "YAML syntax error: %s", e->msg ? e->msg : "invalid YAML");
        n++;
    }
    if (n == 0) fail(b, &b->last, "YAML syntax error");
}

static void run_parser(builder *b, const char *text, size_t len)
{
    b->text = text;
    b->len = len;
    struct fy_diag_cfg dcfg;
    fy_diag_cfg_default(&dcfg);
    dcfg.fp = NULL; /* never print: errors are collected below */
    dcfg.output_fn = NULL;
    dcfg.colorize = false;
    struct fy_diag *diag = fy_diag_create(&dcfg);
    if (!diag) {
        fail_oom(b);
        return;
    }
    fy_diag_set_collect_errors(diag, true);
    struct fy_parse_cfg cfg = {
        .flags = FYPCF_QUIET | FYPCF_DEFAULT_VERSION_1_2 | FYPCF_JSON_NONE,
        .diag = diag,
    };
    struct fy_parser *fyp = fy_parser_create(&cfg);
    if (!fyp || fy_parser_set_string(fyp, text, len) != 0) {
        if (fyp) fy_parser_destroy(fyp);
        fy_diag_destroy(diag); /* also frees the collected errors */
        {
            fail_oom(b);
            return;
        }
    }
    struct fy_event *ev;
    while (!b->err && (ev = fy_parser_parse(fyp)) != NULL) {
        on_event(b, ev);
        fy_parser_event_free(fyp, ev);
    }
    if (!b->err && fy_parser_get_stream_error(fyp)) report_syntax_errors(b, diag);
    fy_parser_destroy(fyp);
    fy_diag_destroy(diag); /* also frees the collected errors */
}

static void builder_free(builder *b)
{
    while (b->depth > 0)
        free_frame(&b->stack[--b->depth]);
    for (size_t i = 0; i < b->n_anchors; i++) {
        free(b->anchors[i].name);
        lp_value_unref(b->anchors[i].val);
    }
    lp_value_unref(b->root);
    free(b);
}

/* ---- entry points -------------------------------------------------------- */

/* Rejects invalid UTF-8 and raw NUL bytes before libfyaml sees the text: it
 * hangs on some invalid bytes, and silently stops at a NUL (dropping the rest
 * of the file). YAML does not allow NUL anyway ("\0" in quotes is the way). */
static bool check_utf8(builder *b, const char *text, size_t len)
{
    size_t bad = len;
    bool utf8 = lp_utf8_valid(text, len, &bad);
    const char *nul = len ? memchr(text, '\0', utf8 ? len : bad) : NULL;
    if (utf8 && !nul) return true;
    if (nul) bad = (size_t)(nul - text);
    int line = 1, col = 1;
    for (size_t i = 0; i < bad && i < len; i++) {
        if (text[i] == '\n')
            line++, col = 1;
        else if (((unsigned char)text[i] & 0xC0) != 0x80)
            col++;
    }
    lp_origin where = b->fixed ? *b->fixed : (lp_origin){LP_ORIGIN_FILE, b->source, line, col, 0};
    if (nul)
        fail(b, &where,
             "NUL byte at line %d column %d (YAML text cannot contain one; write \"\\0\" "
             "inside double quotes)",
             line, col);
    else
        fail(b, &where, "invalid UTF-8 at line %d column %d (byte 0x%02x)", line, col,
             (unsigned)(unsigned char)text[bad]);
    return false;
}

/* Parses any YAML value; *out is NULL for an empty stream. Returns 0 or error. */
static int parse_any(lp_value **out, const char *text, size_t len, const char *source,
                     const lp_origin *fixed, const char *section, lp_diags *diags)
{
    *out = NULL;
    if (!text && len) return lp_error_set(LP_EINVAL, "lp_yaml_parse: NULL text");
    builder *b = calloc(1, sizeof *b);
    if (!b) return lp_error_set(LP_ENOMEM, "out of memory");
    /* A fixed origin's source is interned already (interning is a lookup). */
    b->source =
        fixed && fixed->source ? fixed->source : lp_origin_intern(source ? source : "<string>");
    b->fixed = fixed;
    b->section = section;
    b->diags = diags;
    b->last = fixed ? *fixed : (lp_origin){LP_ORIGIN_FILE, b->source, 1, 1, 0};
    if (!b->source) {
        free(b);
        return LP_ENOMEM;
    }
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) text += 3, len -= 3;
    if (check_utf8(b, text, len)) run_parser(b, text ? text : "", len);
    int err = b->err;
    if (!err) {
        *out = b->root;
        b->root = NULL;
    }
    builder_free(b);
    return err;
}

LP_API int lp_yaml_parse(lp_value **out, const char *text, size_t len, const char *source_name,
                         lp_diags *diags)
{
    if (!out) return lp_error_set(LP_EINVAL, "lp_yaml_parse: NULL out");
    lp_diags local;
    lp_diags_init(&local);
    lp_diags *d = diags ? diags : &local;
    size_t first = d->len;
    lp_value *v = NULL;
    int rc = parse_any(&v, text, len, source_name, NULL, NULL, d);
    if (rc == 0 && (!v || lp_value_type(v) == LP_NULL)) {
        lp_value_unref(v);
        if (!(v = lp_value_map())) rc = LP_ENOMEM;
    } else if (rc == 0 && lp_value_type(v) != LP_MAP) {
        lp_diags_add(d, LP_SEV_ERROR, lp_value_origin(v), "",
                     "top level must be a map of sections, not a %s",
                     lp_vtype_name(lp_value_type(v)));
        lp_value_unref(v);
        v = NULL;
        rc = LP_ECONFIG;
    }
    if (rc != 0) lp_config_set_last_error(d, first, rc);
    lp_diags_clear(&local);
    *out = rc == 0 ? v : NULL;
    return rc;
}

int lp_yaml_parse_value(lp_value **out, const char *text, size_t len, const lp_origin *origin,
                        const char *section, lp_diags *diags)
{
    size_t first = diags->len;
    int rc = parse_any(out, text, len, origin ? origin->source : NULL, origin, section, diags);
    if (rc == 0 && !*out && !(*out = lp_value_null())) rc = LP_ENOMEM;
    if (rc == 0 && origin) lp_value_set_origin(*out, origin);
    if (rc != 0) lp_config_set_last_error(diags, first, rc);
    return rc;
}

/* Reads a whole regular file into a new buffer. Returns 0 or an errno value. */
static int read_file(const char *path, char **buf, size_t *len)
{
    *buf = NULL;
    *len = 0;
    /* O_NONBLOCK: opening a FIFO nobody writes to must not hang. Reads then
     * block again, so a pipe with a writer (-c <(...)) is read to its end,
     * and one without a writer reads as empty. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return errno;
    struct stat st;
    int e = fstat(fd, &st) != 0 ? errno : S_ISDIR(st.st_mode) ? EISDIR : 0;
    int fl = e ? 0 : fcntl(fd, F_GETFL);
    if (!e && (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0)) e = errno;
    FILE *f = e ? NULL : fdopen(fd, "rb");
    if (!f) {
        if (!e) e = errno;
        close(fd);
        return e;
    }
    lp_sb sb = {0};
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 && sb.len <= MAX_FILE_SIZE)
        lp_sb_appendn(&sb, chunk, n);
    e = ferror(f) ? (errno ? errno : EIO) : 0;
    fclose(f);
    if (!e && sb.oom) e = ENOMEM;
    if (!e && sb.len > MAX_FILE_SIZE) e = EFBIG;
    if (e) {
        lp_sb_free(&sb);
        return e;
    }
    *len = sb.len;
    *buf = lp_sb_take(&sb);
    return 0;
}

LP_API int lp_yaml_parse_file(lp_value **out, const char *path, lp_diags *diags)
{
    if (!out || !path) return lp_error_set(LP_EINVAL, "lp_yaml_parse_file: NULL argument");
    *out = NULL;
    char *buf = NULL;
    size_t len = 0;
    int e = read_file(path, &buf, &len);
    if (e) {
        lp_origin where = {LP_ORIGIN_FILE, lp_origin_intern(path), 0, 0, 0};
        if (diags)
            lp_diags_add(diags, LP_SEV_ERROR, &where, "", "cannot read configuration file '%s': %s",
                         path, strerror(e));
        return lp_error_set_at(e == ENOMEM ? LP_ENOMEM : LP_ECONFIG, path, 0, 0,
                               "cannot read configuration file '%s': %s", path, strerror(e));
    }
    int rc = lp_yaml_parse(out, buf, len, path, diags);
    free(buf);
    return rc;
}
