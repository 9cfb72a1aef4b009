/*
 * value.c — reference-counted dynamic values with origins.
 *
 * Maps are small in practice (config sections, argument lists), so they are
 * arrays searched linearly with ASCII case-insensitive key comparison; that
 * keeps insertion order for free and beats hashing at these sizes. A map that
 * grows past MAP_INDEX_MIN entries (a generated or hostile config file can
 * hold hundreds of thousands of keys) also gets a hash index over the array,
 * so that building it stays linear instead of quadratic.
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

typedef struct lp_map_entry {
    char *key;
    lp_origin key_origin;
    lp_value *val;
} lp_map_entry;

struct lp_value {
    int refs;
    lp_vtype type;
    lp_origin origin;
    union {
        bool b;
        int64_t i;
        double d;
        struct {
            char *s;
            size_t len;
        } str;
        struct {
            lp_value **items;
            size_t len, cap;
        } list;
        struct {
            lp_map_entry *entries;
            size_t len, cap;
            size_t *index;    /* open addressing: entry position + 1, 0 = empty; or NULL */
            size_t index_cap; /* power of two, > 2 * len while index != NULL */
        } map;
        struct {
            const lp_handle_type *type;
            void *ptr;
        } handle;
    } u;
};

/* ---- origins ---------------------------------------------------------- */

static pthread_mutex_t intern_lock = PTHREAD_MUTEX_INITIALIZER;
static char **intern_slots; /* open-addressing hash set, power-of-two size */
static size_t intern_used, intern_cap;

static size_t intern_hash(const char *s)
{
    size_t h = 1469598103934665603u; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

static bool intern_grow(void)
{
    size_t cap = intern_cap ? intern_cap * 2 : 64;
    char **slots = calloc(cap, sizeof *slots);
    if (!slots) return false;
    for (size_t i = 0; i < intern_cap; i++) {
        if (!intern_slots[i]) continue;
        size_t j = intern_hash(intern_slots[i]) & (cap - 1);
        while (slots[j])
            j = (j + 1) & (cap - 1);
        slots[j] = intern_slots[i];
    }
    free(intern_slots);
    intern_slots = slots;
    intern_cap = cap;
    return true;
}

/* The intern table is process-wide and never shrinks: origins (config files,
 * env variables, classes, --set options) must outlive every value. */
LP_API const char *lp_origin_intern(const char *s)
{
    if (!s) return NULL;
    const char *found = NULL;
    pthread_mutex_lock(&intern_lock);
    if ((intern_used + 1) * 2 <= intern_cap || intern_grow()) {
        size_t j = intern_hash(s) & (intern_cap - 1);
        while (intern_slots[j] && strcmp(intern_slots[j], s) != 0)
            j = (j + 1) & (intern_cap - 1);
        if (!intern_slots[j] && (intern_slots[j] = strdup(s)) != NULL) intern_used++;
        found = intern_slots[j];
    }
    pthread_mutex_unlock(&intern_lock);
    return found;
}

LP_API char *lp_origin_format(const lp_origin *o)
{
    const char *src = o && o->source ? o->source : "?";
    switch (o ? o->kind : LP_ORIGIN_NONE) {
    case LP_ORIGIN_FILE:
        if (o->line > 0 && o->col > 0) return lp_asprintf("%s:%d:%d", src, o->line, o->col);
        if (o->line > 0) return lp_asprintf("%s:%d", src, o->line);
        return lp_strdup(src);
    case LP_ORIGIN_ENV:
        return lp_asprintf("env %s", src);
    case LP_ORIGIN_DEFAULT:
        return lp_asprintf("default (%s)", src);
    case LP_ORIGIN_SET:
        return lp_strdup(src);
    case LP_ORIGIN_NONE:
        break;
    }
    return lp_strdup("code");
}

/* ---- construction and lifetime --------------------------------------- */

static lp_value *value_new(lp_vtype type)
{
    lp_value *v = calloc(1, sizeof *v);
    if (!v) {
        lp_error_set(LP_ENOMEM, "out of memory");
        return NULL;
    }
    v->refs = 1;
    v->type = type;
    return v;
}

LP_API lp_value *lp_value_null(void)
{
    return value_new(LP_NULL);
}

LP_API lp_value *lp_value_bool(bool b)
{
    lp_value *v = value_new(LP_BOOL);
    if (v) v->u.b = b;
    return v;
}

LP_API lp_value *lp_value_int(int64_t i)
{
    lp_value *v = value_new(LP_INT);
    if (v) v->u.i = i;
    return v;
}

LP_API lp_value *lp_value_float(double d)
{
    lp_value *v = value_new(LP_FLOAT);
    if (v) v->u.d = d;
    return v;
}

LP_API lp_value *lp_value_stringn(const char *s, size_t n)
{
    lp_value *v = value_new(LP_STRING);
    if (!v) return NULL;
    v->u.str.s = malloc(n + 1);
    if (!v->u.str.s) {
        free(v);
        lp_error_set(LP_ENOMEM, "out of memory");
        return NULL;
    }
    if (n) memcpy(v->u.str.s, s, n);
    v->u.str.s[n] = '\0';
    v->u.str.len = n;
    return v;
}

LP_API lp_value *lp_value_string(const char *s)
{
    return lp_value_stringn(s ? s : "", s ? strlen(s) : 0);
}

LP_API lp_value *lp_value_list(void)
{
    return value_new(LP_LIST);
}

LP_API lp_value *lp_value_map(void)
{
    return value_new(LP_MAP);
}

LP_API lp_value *lp_value_handle(const lp_handle_type *type, void *ptr)
{
    uint32_t abi = type && type->abi_version ? type->abi_version : LP_ABI_VERSIONED_SINCE;
    if (abi < LP_ABI_OLDEST || abi > LP_ABI_VERSION) {
        lp_error_set(LP_EINVAL,
                     "handle type '%s' was written for lolpop ABI %u, this lolpop has ABI %u",
                     type->name ? type->name : "(null)", (unsigned)abi, (unsigned)LP_ABI_VERSION);
        if (type->free) type->free(ptr); /* free keeps its place in every layout */
        return NULL;
    }
    lp_value *v = value_new(LP_HANDLE);
    if (!v) {
        if (type && type->free) type->free(ptr);
        return NULL;
    }
    v->u.handle.type = type;
    v->u.handle.ptr = ptr;
    return v;
}

LP_API lp_value *lp_value_ref(lp_value *v)
{
    if (v) __atomic_add_fetch(&v->refs, 1, __ATOMIC_RELAXED);
    return v;
}

static void value_free(lp_value *v)
{
    switch (v->type) {
    case LP_STRING:
        free(v->u.str.s);
        break;
    case LP_LIST:
        for (size_t i = 0; i < v->u.list.len; i++)
            lp_value_unref(v->u.list.items[i]);
        free(v->u.list.items);
        break;
    case LP_MAP:
        for (size_t i = 0; i < v->u.map.len; i++) {
            free(v->u.map.entries[i].key);
            lp_value_unref(v->u.map.entries[i].val);
        }
        free(v->u.map.entries);
        free(v->u.map.index);
        break;
    case LP_HANDLE:
        if (v->u.handle.type && v->u.handle.type->free) v->u.handle.type->free(v->u.handle.ptr);
        break;
    default:
        break;
    }
    free(v);
}

LP_API void lp_value_unref(lp_value *v)
{
    if (v && __atomic_sub_fetch(&v->refs, 1, __ATOMIC_ACQ_REL) == 0) value_free(v);
}

/* ---- inspection ------------------------------------------------------- */

LP_API lp_vtype lp_value_type(const lp_value *v)
{
    return v ? v->type : LP_NULL;
}

LP_API const char *lp_vtype_name(lp_vtype t)
{
    static const char *const names[] = {"null",   "bool", "int", "float",
                                        "string", "list", "map", "handle"};
    return (unsigned)t < sizeof names / sizeof *names ? names[t] : "?";
}

LP_API const lp_origin *lp_value_origin(const lp_value *v)
{
    static const lp_origin none = {LP_ORIGIN_NONE, NULL, 0, 0, 0};
    return v ? &v->origin : &none;
}

LP_API void lp_value_set_origin(lp_value *v, const lp_origin *o)
{
    if (v && o) v->origin = *o;
}

LP_API bool lp_value_as_bool(const lp_value *v)
{
    return v && v->type == LP_BOOL ? v->u.b : false;
}

LP_API int64_t lp_value_as_int(const lp_value *v)
{
    if (!v) return 0;
    if (v->type == LP_INT) return v->u.i;
    if (v->type == LP_FLOAT && isfinite(v->u.d) && v->u.d >= -9.2e18 && v->u.d <= 9.2e18)
        return (int64_t)v->u.d;
    return 0;
}

LP_API double lp_value_as_float(const lp_value *v)
{
    if (!v) return 0.0;
    if (v->type == LP_FLOAT) return v->u.d;
    if (v->type == LP_INT) return (double)v->u.i;
    return 0.0;
}

LP_API const char *lp_value_as_string(const lp_value *v)
{
    return v && v->type == LP_STRING ? v->u.str.s : NULL;
}

LP_API size_t lp_value_string_len(const lp_value *v)
{
    return v && v->type == LP_STRING ? v->u.str.len : 0;
}

LP_API void *lp_value_handle_ptr(const lp_value *v, const lp_handle_type *expected)
{
    if (!v || v->type != LP_HANDLE) return NULL;
    if (expected && v->u.handle.type != expected) return NULL;
    return v->u.handle.ptr;
}

LP_API const lp_handle_type *lp_value_handle_type(const lp_value *v)
{
    return v && v->type == LP_HANDLE ? v->u.handle.type : NULL;
}

/* ---- lists ------------------------------------------------------------ */

LP_API size_t lp_list_len(const lp_value *list)
{
    return list && list->type == LP_LIST ? list->u.list.len : 0;
}

LP_API lp_value *lp_list_get(const lp_value *list, size_t i)
{
    if (!list || list->type != LP_LIST || i >= list->u.list.len) return NULL;
    return list->u.list.items[i];
}

LP_API int lp_list_append(lp_value *list, lp_value *item)
{
    if (!list || list->type != LP_LIST || !item) {
        lp_value_unref(item);
        return lp_error_set(LP_EINVAL, "lp_list_append: not a list or no item");
    }
    if (list->u.list.len == list->u.list.cap) {
        size_t cap = list->u.list.cap ? list->u.list.cap * 2 : 4;
        lp_value **items = realloc(list->u.list.items, cap * sizeof *items);
        if (!items) {
            lp_value_unref(item);
            return lp_error_set(LP_ENOMEM, "out of memory");
        }
        list->u.list.items = items;
        list->u.list.cap = cap;
    }
    list->u.list.items[list->u.list.len++] = item;
    return 0;
}

LP_API int lp_list_set(lp_value *list, size_t i, lp_value *item)
{
    if (!list || list->type != LP_LIST || i >= list->u.list.len || !item) {
        lp_value_unref(item);
        return lp_error_set(LP_EINVAL, "lp_list_set: index %zu out of range", i);
    }
    lp_value_unref(list->u.list.items[i]);
    list->u.list.items[i] = item;
    return 0;
}

/* ---- maps ------------------------------------------------------------- */

/* ---- map index ------------------------------------------------------- */

#define MAP_INDEX_MIN 32

/* ASCII case-folding FNV-1a, consistent with the ASCII comparison below. */
static size_t key_hash(const char *s)
{
    size_t h = 1469598103934665603u;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c >= 'A' && c <= 'Z') c = (unsigned char)(c - 'A' + 'a');
        h = (h ^ c) * 1099511628211u;
    }
    return h;
}

static bool key_eq(const char *a, const char *b)
{
    for (;; a++, b++) {
        unsigned char x = (unsigned char)*a, y = (unsigned char)*b;
        if (x >= 'A' && x <= 'Z') x = (unsigned char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z') y = (unsigned char)(y - 'A' + 'a');
        if (x != y) return false;
        if (!x) return true;
    }
}

static void index_put(size_t *slots, size_t cap, const char *key, size_t pos)
{
    size_t j = key_hash(key) & (cap - 1);
    while (slots[j])
        j = (j + 1) & (cap - 1);
    slots[j] = pos + 1;
}

/* (Re)builds the index for the current entries when the map is big enough.
 * Failing to allocate only costs speed: lookups fall back to a scan. */
static void index_rebuild(lp_value *map)
{
    free(map->u.map.index);
    map->u.map.index = NULL;
    map->u.map.index_cap = 0;
    size_t len = map->u.map.len;
    if (len < MAP_INDEX_MIN) return;
    size_t cap = 64;
    while (cap <= 2 * len)
        cap *= 2;
    size_t *slots = calloc(cap, sizeof *slots);
    if (!slots) return;
    for (size_t i = 0; i < len; i++)
        index_put(slots, cap, map->u.map.entries[i].key, i);
    map->u.map.index = slots;
    map->u.map.index_cap = cap;
}

/* Records the entry just appended at `pos` in the index. */
static void index_added(lp_value *map, size_t pos)
{
    if (!map->u.map.index || map->u.map.len * 2 >= map->u.map.index_cap)
        index_rebuild(map);
    else
        index_put(map->u.map.index, map->u.map.index_cap, map->u.map.entries[pos].key, pos);
}

static long map_find(const lp_value *map, const char *key)
{
    if (map->u.map.index) {
        size_t cap = map->u.map.index_cap;
        for (size_t j = key_hash(key) & (cap - 1); map->u.map.index[j]; j = (j + 1) & (cap - 1)) {
            size_t pos = map->u.map.index[j] - 1;
            if (key_eq(map->u.map.entries[pos].key, key)) return (long)pos;
        }
        return -1;
    }
    for (size_t i = 0; i < map->u.map.len; i++)
        if (key_eq(map->u.map.entries[i].key, key)) return (long)i;
    return -1;
}

LP_API size_t lp_map_len(const lp_value *map)
{
    return map && map->type == LP_MAP ? map->u.map.len : 0;
}

LP_API const char *lp_map_key(const lp_value *map, size_t i)
{
    return i < lp_map_len(map) ? map->u.map.entries[i].key : NULL;
}

LP_API lp_value *lp_map_value(const lp_value *map, size_t i)
{
    return i < lp_map_len(map) ? map->u.map.entries[i].val : NULL;
}

LP_API const lp_origin *lp_map_key_origin(const lp_value *map, size_t i)
{
    return i < lp_map_len(map) ? &map->u.map.entries[i].key_origin : NULL;
}

LP_API lp_value *lp_map_get(const lp_value *map, const char *key)
{
    if (!map || map->type != LP_MAP || !key) return NULL;
    long i = map_find(map, key);
    return i < 0 ? NULL : map->u.map.entries[i].val;
}

LP_API int lp_map_set_with_origin(lp_value *map, const char *key, const lp_origin *key_origin,
                                  lp_value *val)
{
    if (!map || map->type != LP_MAP || !key || !val) {
        lp_value_unref(val);
        return lp_error_set(LP_EINVAL, "lp_map_set: not a map, or no key or value");
    }
    long i = map_find(map, key);
    if (i >= 0) {
        lp_map_entry *e = &map->u.map.entries[i];
        lp_value_unref(e->val);
        e->val = val;
        if (key_origin) e->key_origin = *key_origin;
        return 0;
    }
    if (map->u.map.len == map->u.map.cap) {
        size_t cap = map->u.map.cap ? map->u.map.cap * 2 : 4;
        lp_map_entry *entries = realloc(map->u.map.entries, cap * sizeof *entries);
        if (!entries) {
            lp_value_unref(val);
            return lp_error_set(LP_ENOMEM, "out of memory");
        }
        map->u.map.entries = entries;
        map->u.map.cap = cap;
    }
    char *k = strdup(key);
    if (!k) {
        lp_value_unref(val);
        return lp_error_set(LP_ENOMEM, "out of memory");
    }
    lp_map_entry *e = &map->u.map.entries[map->u.map.len++];
    e->key = k;
    e->val = val;
    if (key_origin)
        e->key_origin = *key_origin;
    else
        memset(&e->key_origin, 0, sizeof e->key_origin);
    index_added(map, map->u.map.len - 1);
    return 0;
}

LP_API int lp_map_set(lp_value *map, const char *key, lp_value *val)
{
    return lp_map_set_with_origin(map, key, NULL, val);
}

LP_API bool lp_map_remove(lp_value *map, const char *key)
{
    if (!map || map->type != LP_MAP || !key) return false;
    long i = map_find(map, key);
    if (i < 0) return false;
    lp_map_entry *e = &map->u.map.entries[i];
    free(e->key);
    lp_value_unref(e->val);
    memmove(e, e + 1, (map->u.map.len - (size_t)i - 1) * sizeof *e);
    map->u.map.len--;
    if (map->u.map.index) index_rebuild(map); /* positions after i moved */
    return true;
}

/* ---- copy, equality, rendering ----------------------------------------- */

LP_API lp_value *lp_value_copy(const lp_value *v)
{
    if (!v) return NULL;
    lp_value *c = NULL;
    switch (v->type) {
    case LP_NULL:
        c = lp_value_null();
        break;
    case LP_BOOL:
        c = lp_value_bool(v->u.b);
        break;
    case LP_INT:
        c = lp_value_int(v->u.i);
        break;
    case LP_FLOAT:
        c = lp_value_float(v->u.d);
        break;
    case LP_STRING:
        c = lp_value_stringn(v->u.str.s, v->u.str.len);
        break;
    case LP_HANDLE:
        return lp_value_ref((lp_value *)(uintptr_t)v); /* shared, not copied */
    case LP_LIST:
        c = lp_value_list();
        for (size_t i = 0; c && i < v->u.list.len; i++) {
            lp_value *item = lp_value_copy(v->u.list.items[i]);
            if (!item || lp_list_append(c, item) != 0) {
                lp_value_unref(c);
                return NULL;
            }
        }
        break;
    case LP_MAP:
        c = lp_value_map();
        for (size_t i = 0; c && i < v->u.map.len; i++) {
            const lp_map_entry *e = &v->u.map.entries[i];
            lp_value *item = lp_value_copy(e->val);
            if (!item || lp_map_set_with_origin(c, e->key, &e->key_origin, item) != 0) {
                lp_value_unref(c);
                return NULL;
            }
        }
        break;
    }
    if (c) c->origin = v->origin;
    return c;
}

LP_API bool lp_value_equal(const lp_value *a, const lp_value *b)
{
    if (a == b) return true;
    if (!a || !b) return false;
    bool na = a->type == LP_INT || a->type == LP_FLOAT;
    bool nb = b->type == LP_INT || b->type == LP_FLOAT;
    if (na && nb) {
        if (a->type == LP_INT && b->type == LP_INT) return a->u.i == b->u.i;
        return lp_value_as_float(a) == lp_value_as_float(b);
    }
    if (a->type != b->type) return false;
    switch (a->type) {
    case LP_NULL:
        return true;
    case LP_BOOL:
        return a->u.b == b->u.b;
    case LP_STRING:
        return a->u.str.len == b->u.str.len && memcmp(a->u.str.s, b->u.str.s, a->u.str.len) == 0;
    case LP_HANDLE:
        return a->u.handle.ptr == b->u.handle.ptr;
    case LP_LIST:
        if (a->u.list.len != b->u.list.len) return false;
        for (size_t i = 0; i < a->u.list.len; i++)
            if (!lp_value_equal(a->u.list.items[i], b->u.list.items[i])) return false;
        return true;
    case LP_MAP:
        if (a->u.map.len != b->u.map.len) return false;
        for (size_t i = 0; i < a->u.map.len; i++) {
            const lp_value *other = lp_map_get(b, a->u.map.entries[i].key);
            if (!other || !lp_value_equal(a->u.map.entries[i].val, other)) return false;
        }
        return true;
    default:
        return false;
    }
}

static void append_quoted(lp_sb *sb, const char *s, size_t len)
{
    lp_sb_putc(sb, '"');
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '"':
            lp_sb_append(sb, "\\\"");
            break;
        case '\\':
            lp_sb_append(sb, "\\\\");
            break;
        case '\n':
            lp_sb_append(sb, "\\n");
            break;
        case '\r':
            lp_sb_append(sb, "\\r");
            break;
        case '\t':
            lp_sb_append(sb, "\\t");
            break;
        default:
            if (c < 0x20)
                lp_sb_appendf(sb, "\\u%04x", c);
            else
                lp_sb_putc(sb, (char)c);
        }
    }
    lp_sb_putc(sb, '"');
}

/* Shortest "%g" rendering that reads back to the same double. */
static void append_float(lp_sb *sb, double d)
{
    if (isnan(d)) {
        lp_sb_append(sb, "nan");
        return;
    }
    if (isinf(d)) {
        lp_sb_append(sb, d > 0 ? "inf" : "-inf");
        return;
    }
    char buf[40];
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*g", prec, d);
        if (strtod(buf, NULL) == d) break;
    }
    lp_sb_append(sb, buf);
    if (!strpbrk(buf, ".eE")) lp_sb_append(sb, ".0");
}

static void render(lp_sb *sb, const lp_value *v, int depth)
{
    if (depth > 64) {
        lp_sb_append(sb, "…");
        return;
    }
    switch (lp_value_type(v)) {
    case LP_NULL:
        lp_sb_append(sb, "null");
        break;
    case LP_BOOL:
        lp_sb_append(sb, v->u.b ? "true" : "false");
        break;
    case LP_INT:
        lp_sb_appendf(sb, "%lld", (long long)v->u.i);
        break;
    case LP_FLOAT:
        append_float(sb, v->u.d);
        break;
    case LP_STRING:
        append_quoted(sb, v->u.str.s, v->u.str.len);
        break;
    case LP_LIST:
        lp_sb_putc(sb, '[');
        for (size_t i = 0; i < v->u.list.len; i++) {
            if (i) lp_sb_append(sb, ", ");
            render(sb, v->u.list.items[i], depth + 1);
        }
        lp_sb_putc(sb, ']');
        break;
    case LP_MAP:
        lp_sb_putc(sb, '{');
        for (size_t i = 0; i < v->u.map.len; i++) {
            if (i) lp_sb_append(sb, ", ");
            const char *k = v->u.map.entries[i].key;
            append_quoted(sb, k, strlen(k));
            lp_sb_append(sb, ": ");
            render(sb, v->u.map.entries[i].val, depth + 1);
        }
        lp_sb_putc(sb, '}');
        break;
    case LP_HANDLE: {
        const lp_handle_type *t = v->u.handle.type;
        char *desc = t && t->describe ? t->describe(v->u.handle.ptr) : NULL;
        lp_sb_appendf(sb, "<%s%s%s>", t && t->name ? t->name : "handle", desc ? ": " : "",
                      desc ? desc : "");
        free(desc);
        break;
    }
    }
}

LP_API char *lp_value_to_string(const lp_value *v)
{
    lp_sb sb = {0};
    render(&sb, v, 0);
    return lp_sb_take(&sb);
}
