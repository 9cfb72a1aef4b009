/*
 * cache_key.c — see cache_key.h: canonical content hashes of values and of an
 * object's effective configuration, and the key of a call.
 */
#include "runs/cache_key.h"

#include <ctype.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/crypto_api.h"
#include "core/digest.h"
#include "data/frame_origin.h"

#include "lolpop/frame.h"
#include "lolpop/model.h"
#include "lolpop/version.h"

#define MAX_DEPTH 64

/* Keys that never change a result, in every section. */
static const char *const ignored_everywhere[] = {"log_level", NULL};
/* The runner's data locations: it hands them to the steps as arguments. */
static const char *const ignored_at_root[] = {"train_data", "eval_data", "prediction_data",
                                              "ground_truth_data", NULL};
/* Component types that record, report or cache and never change a result. */
static const char *const bystander_types[] = {
    "logger",        "notifier", "metadata_tracker", "metrics_tracker", "test_recorder",
    "cache_manager", NULL};

/* A file's content hash, valid while the file's identity and times stay. */
typedef struct file_memo {
    char *path;
    dev_t dev;
    ino_t ino;
    off_t size;
    struct timespec mtime, ctime;
    uint8_t hash[32];
} file_memo;

/* A frame's or model's content hash. They are immutable once shared, so the
 * hash of one pointer never changes; the memo holds a reference to the value,
 * so the pointer cannot be freed and reused for other content meanwhile. */
typedef struct handle_memo {
    lp_value *value; /* owned reference */
    const void *ptr;
    uint8_t hash[32];
} handle_memo;

/* The hash of one section's config as hashed for a call key (`kind`: 'A' as
 * an ancestor, 'O' as a reached object). The configuration does not change
 * while a workflow runs, so it is hashed once (a 10 MB config was hashed,
 * and each of its strings stat()ed, for every call: issue 15); only the
 * files its strings named are checked again (their memos, by stat). */
typedef struct section_memo {
    const lp_obj *obj;
    char kind;
    uint8_t hash[32];
    char **files; /* owned: paths hashed as files */
    size_t n_files;
} section_memo;

struct lp_cache_keyer {
    lp_value *ignore; /* list of key names (owned), or NULL */
    file_memo *files;
    size_t n_files, cap_files;
    handle_memo *handles;
    size_t n_handles, cap_handles;
    section_memo *sections;
    size_t n_sections, cap_sections;
};

/* ---- the hasher: SHA-256 over a canonical byte stream ------------------------------- */

typedef struct hasher {
    EVP_MD_CTX *ctx;
    lp_cache_keyer *k;
    int rc; /* first failure: later updates are skipped */
    int depth;
    section_memo *collect; /* files hashed are recorded here, or NULL */
} hasher;

static int hasher_init(hasher *h, lp_cache_keyer *k)
{
    h->k = k;
    h->rc = 0;
    h->depth = 0;
    h->collect = NULL;
    h->ctx = EVP_MD_CTX_new();
    if (!h->ctx || EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL) != 1) {
        EVP_MD_CTX_free(h->ctx);
        h->ctx = NULL;
        return lp_error_set(LP_ENOMEM, "cannot start a SHA-256 digest");
    }
    return 0;
}

/* Finishes into out (when it all went well) and frees; returns the outcome. */
static int hasher_done(hasher *h, uint8_t out[32])
{
    unsigned int n = 0;
    if (h->rc == 0 && EVP_DigestFinal_ex(h->ctx, out, &n) != 1)
        h->rc = lp_error_set(LP_ERROR, "SHA-256 digest failed");
    EVP_MD_CTX_free(h->ctx);
    h->ctx = NULL;
    return h->rc;
}

static void put(hasher *h, const void *p, size_t n)
{
    if (h->rc == 0 && n && EVP_DigestUpdate(h->ctx, p, n) != 1)
        h->rc = lp_error_set(LP_ERROR, "SHA-256 digest failed");
}

static void put_u8(hasher *h, uint8_t b)
{
    put(h, &b, 1);
}

static void put_u64(hasher *h, uint64_t v)
{
    uint8_t b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    put(h, b, 8);
}

/* Length-prefixed, so that ("ab", "c") and ("a", "bc") differ. */
static void put_str(hasher *h, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    put_u64(h, n);
    put(h, s, n);
}

/* ---- files named by strings ----------------------------------------------------------- */

static bool same_stat(const file_memo *m, const struct stat *st)
{
    return m->dev == st->st_dev && m->ino == st->st_ino && m->size == st->st_size &&
           m->mtime.tv_sec == st->st_mtim.tv_sec && m->mtime.tv_nsec == st->st_mtim.tv_nsec &&
           m->ctime.tv_sec == st->st_ctim.tv_sec && m->ctime.tv_nsec == st->st_ctim.tv_nsec;
}

/* SHA-256 of the content of the open file fd. */
static int hash_fd(int fd, const char *path, uint8_t out[32])
{
    hasher h;
    int rc = hasher_init(&h, NULL);
    if (rc) return rc;
    enum { CHUNK = 1 << 16 };
    uint8_t *buf = malloc(CHUNK);
    if (!buf) h.rc = lp_error_set(LP_ENOMEM, "out of memory");
    for (ssize_t n; h.rc == 0 && (n = read(fd, buf, CHUNK)) != 0;) {
        if (n < 0)
            h.rc = lp_error_set(LP_EIO, "cannot read '%s' to hash it for the cache", path);
        else
            put(&h, buf, (size_t)n);
    }
    free(buf);
    return hasher_done(&h, out);
}

/* items (n of *cap used, elements of `size` bytes) with room for one more:
 * doubled (or `first` long) when full. NULL when out of memory, items kept. */
static void *room_for_one(void *items, size_t n, size_t *cap, size_t size, size_t first)
{
    if (n < *cap) return items;
    size_t c = *cap ? 2 * *cap : first;
    void *grown = realloc(items, c * size);
    if (grown) *cap = c;
    return grown;
}

/* The memo of path in k for st (NULL when absent or stale). */
static file_memo *memo_find(lp_cache_keyer *k, const char *path, const struct stat *st)
{
    for (size_t i = 0; k && i < k->n_files; i++)
        if (strcmp(k->files[i].path, path) == 0)
            return same_stat(&k->files[i], st) ? &k->files[i] : NULL;
    return NULL;
}

static void memo_add(lp_cache_keyer *k, const char *path, const struct stat *st,
                     const uint8_t hash[32])
{
    if (!k) return;
    for (size_t i = 0; i < k->n_files; i++)
        if (strcmp(k->files[i].path, path) == 0) { /* stale: replace */
            file_memo *m = &k->files[i];
            *m = (file_memo){m->path,     st->st_dev,  st->st_ino, st->st_size,
                             st->st_mtim, st->st_ctim, {0}};
            memcpy(m->hash, hash, 32);
            return;
        }
    file_memo *f = room_for_one(k->files, k->n_files, &k->cap_files, sizeof *f, 8);
    if (!f) return; /* a memo lost to OOM only costs a re-hash */
    k->files = f;
    char *copy = strdup(path);
    if (!copy) return;
    file_memo *m = &k->files[k->n_files++];
    *m = (file_memo){copy, st->st_dev, st->st_ino, st->st_size, st->st_mtim, st->st_ctim, {0}};
    memcpy(m->hash, hash, 32);
}

/* When the string s names a regular file, adds 'F' and its content hash. A
 * file that cannot be read is left out: the step that opens it will fail. */
static void put_file_of(hasher *h, const char *s, size_t len)
{
    if (h->rc || len == 0 || len >= PATH_MAX || memchr(s, '\0', len)) return;
    struct stat st;
    if (stat(s, &st) != 0 || !S_ISREG(st.st_mode)) return;
    file_memo *m = memo_find(h->k, s, &st);
    uint8_t hash[32];
    if (m) {
        memcpy(hash, m->hash, 32);
    } else {
        int fd = open(s, O_RDONLY | O_CLOEXEC);
        if (fd < 0) return;
        int rc = hash_fd(fd, s, hash);
        close(fd);
        if (rc) {
            h->rc = rc;
            return;
        }
        memo_add(h->k, s, &st, hash);
    }
    put_u8(h, 'F');
    put(h, hash, 32);
    section_memo *c = h->collect;
    char **grown = c ? realloc(c->files, (c->n_files + 1) * sizeof *grown) : NULL;
    if (c && grown) c->files = grown;
    char *copy = grown ? strdup(s) : NULL;
    if (c && copy)
        c->files[c->n_files++] = copy;
    else if (c && h->rc == 0)
        h->rc = lp_error_set(LP_ENOMEM, "out of memory");
}

/* ---- values ----------------------------------------------------------------------------- */

static void put_value(hasher *h, const lp_value *v, const char *where);

static void put_int(hasher *h, int64_t i)
{
    put_u8(h, 'i');
    put_u64(h, (uint64_t)i);
}

static void put_float(hasher *h, double d)
{
    /* Integral floats hash as ints: `eta: 1` and `eta: 1.0` are one setting. */
    if (isfinite(d) && d == floor(d) && fabs(d) < 9.2e18) {
        put_int(h, (int64_t)d);
        return;
    }
    if (isnan(d)) {
        put_u8(h, 'N');
        return;
    }
    uint64_t bits;
    memcpy(&bits, &d, 8);
    put_u8(h, 'd');
    put_u64(h, bits);
}

static void put_string(hasher *h, const lp_value *v)
{
    const char *s = lp_value_as_string(v);
    size_t n = lp_value_string_len(v);
    put_u8(h, 's');
    put_u64(h, n);
    put(h, s, n);
    put_file_of(h, s, n);
}

/* Frames and models: immutable once shared, so their hashes can be memoised. */
static bool immutable(const lp_handle_type *t)
{
    return t == &lp_frame_handle_type || t == &lp_model_handle_type;
}

static const handle_memo *handle_find(const lp_cache_keyer *k, const void *ptr)
{
    for (size_t i = 0; k && i < k->n_handles; i++)
        if (k->handles[i].ptr == ptr) return &k->handles[i];
    return NULL;
}

static void handle_add(lp_cache_keyer *k, const lp_value *v, const void *ptr,
                       const uint8_t hash[32])
{
    if (!k) return;
    handle_memo *grown = room_for_one(k->handles, k->n_handles, &k->cap_handles, sizeof *grown, 16);
    if (!grown) return; /* a memo lost to OOM only costs a re-hash */
    k->handles = grown;
    handle_memo *m = &k->handles[k->n_handles++];
    m->value = lp_value_ref((lp_value *)(uintptr_t)v); /* a reference, not a change */
    m->ptr = ptr;
    memcpy(m->hash, hash, 32);
}

/* The digest by which a split frame (rows of a parent frame, frame_origin.h)
 * enters keys: the parent's content hash (remembered on the parent, which
 * was hashed as the split step's argument), the column names and the row
 * list. The same content always gives the same digest, without hashing the
 * split's values (at 500k rows, as much as hashing the parent again). */
static int origin_digest(lp_cache_keyer *k, const lp_frame *f, const lp_frame_origin *o,
                         uint8_t out[32])
{
    uint8_t parent[32];
    int rc = lp_frame_hash(lp_frame_origin_parent(o), parent);
    if (rc) return rc;
    hasher sub;
    if ((rc = hasher_init(&sub, k)) != 0) return rc;
    put_str(&sub, "lolpop rows of a frame");
    put(&sub, parent, 32);
    put_u64(&sub, lp_frame_cols(f));
    for (size_t j = 0; j < lp_frame_cols(f); j++)
        put_str(&sub, lp_frame_name(f, j));
    size_t len;
    const uint8_t *rows = lp_frame_origin_bytes(o, &len);
    put_u64(&sub, len);
    put(&sub, rows, len);
    return hasher_done(&sub, out);
}

/* A handle's digest: a split frame's by its origin, anything else's by its
 * type's content hash. */
static int handle_digest(lp_cache_keyer *k, const lp_handle_type *t, void *ptr, uint8_t out[32])
{
    const lp_frame_origin *o = t == &lp_frame_handle_type ? lp_frame_origin_of(ptr) : NULL;
    return o ? origin_digest(k, ptr, o, out) : t->hash(ptr, out);
}

static void put_handle(hasher *h, const lp_value *v, const char *where)
{
    const lp_handle_type *t = lp_value_handle_type(v);
    uint8_t digest[32];
    if (!t || !t->hash) {
        if (h->rc == 0)
            h->rc = lp_error_set(LP_EINVAL, "%s is a %s handle without a content hash", where,
                                 t && t->name ? t->name : "foreign");
        return;
    }
    void *ptr = lp_value_handle_ptr(v, t);
    const handle_memo *memo = immutable(t) ? handle_find(h->k, ptr) : NULL;
    if (memo) {
        memcpy(digest, memo->hash, 32);
    } else if (h->rc == 0 && handle_digest(h->k, t, ptr, digest) == 0) {
        if (immutable(t)) handle_add(h->k, v, ptr, digest);
    } else if (h->rc == 0) {
        h->rc = lp_error_last()->code ? lp_error_last()->code : LP_ERROR;
        lp_error_prefix("hashing %s", where);
        return;
    }
    put_u8(h, 'h');
    put_str(h, t->name);
    put(h, digest, 32);
}

static void put_list(hasher *h, const lp_value *v, const char *where)
{
    put_u8(h, 'l');
    put_u64(h, lp_list_len(v));
    for (size_t i = 0; h->rc == 0 && i < lp_list_len(v); i++)
        put_value(h, lp_list_get(v, i), where);
}

static int cmp_nocase(const void *a, const void *b)
{
    return strcasecmp(*(const char *const *)a, *(const char *const *)b);
}

/* Whether key is in the NULL-terminated list, or in the list value `extra`. */
static bool key_in(const char *key, const char *const *list, const lp_value *extra)
{
    for (size_t i = 0; list && list[i]; i++)
        if (lp_streq_nocase(key, list[i])) return true;
    for (size_t i = 0; i < lp_list_len(extra); i++) {
        const char *e = lp_value_as_string(lp_list_get(extra, i));
        if (e && lp_streq_nocase(key, e)) return true;
    }
    return false;
}

/* The map's entries, keys sorted ignoring case and lower-cased as hashed.
 * Keys in skip/extra are left out (config sections). */
static void put_map_skipping(hasher *h, const lp_value *v, const char *where,
                             const char *const *skip, const lp_value *extra)
{
    size_t n = lp_map_len(v), kept = 0;
    const char **keys = n ? malloc(n * sizeof *keys) : NULL;
    if (n && !keys) {
        if (h->rc == 0) h->rc = lp_error_set(LP_ENOMEM, "out of memory");
        return;
    }
    for (size_t i = 0; i < n; i++)
        if (!key_in(lp_map_key(v, i), skip, extra)) keys[kept++] = lp_map_key(v, i);
    if (kept > 1) qsort(keys, kept, sizeof *keys, cmp_nocase);
    put_u8(h, 'm');
    put_u64(h, kept);
    for (size_t i = 0; h->rc == 0 && i < kept; i++) {
        size_t len = strlen(keys[i]);
        put_u64(h, len);
        for (size_t c = 0; c < len; c++)
            put_u8(h, (uint8_t)tolower((unsigned char)keys[i][c]));
        put_value(h, lp_map_get(v, keys[i]), where);
    }
    free(keys);
}

static void put_value(hasher *h, const lp_value *v, const char *where)
{
    if (h->rc) return;
    if (++h->depth > MAX_DEPTH) {
        h->rc = lp_error_set(LP_EINVAL, "%s is nested more than %d levels deep", where, MAX_DEPTH);
        return;
    }
    switch (lp_value_type(v)) {
    case LP_NULL:
        put_u8(h, 'n');
        break;
    case LP_BOOL:
        put_u8(h, lp_value_as_bool(v) ? 't' : 'f');
        break;
    case LP_INT:
        put_int(h, lp_value_as_int(v));
        break;
    case LP_FLOAT:
        put_float(h, lp_value_as_float(v));
        break;
    case LP_STRING:
        put_string(h, v);
        break;
    case LP_LIST:
        put_list(h, v, where);
        break;
    case LP_MAP:
        put_map_skipping(h, v, where, NULL, NULL);
        break;
    case LP_HANDLE:
        put_handle(h, v, where);
        break;
    }
    h->depth--;
}

int lp_cache_value_hash(lp_cache_keyer *k, const lp_value *v, uint8_t out[32])
{
    hasher h;
    int rc = hasher_init(&h, k);
    if (rc) return rc;
    put(&h, "lolpop.value.v1", 16);
    put_value(&h, v, "the value");
    return hasher_done(&h, out);
}

/* ---- effective configuration ------------------------------------------------------------ */

/* The object's own `config` section (borrowed), or NULL. */
static const lp_value *own_config(const lp_obj *o)
{
    const lp_value *c = lp_map_get(lp_obj_section(o), "config");
    return lp_value_type(c) == LP_MAP ? c : NULL;
}

/* Whether every file a memoised section named is still the file it hashed. */
static bool files_unchanged(lp_cache_keyer *k, const section_memo *m)
{
    for (size_t i = 0; i < m->n_files; i++) {
        struct stat st;
        if (stat(m->files[i], &st) != 0 || !memo_find(k, m->files[i], &st)) return false;
    }
    return true;
}

static void section_memo_clear(section_memo *m)
{
    for (size_t i = 0; i < m->n_files; i++)
        free(m->files[i]);
    free(m->files);
    m->files = NULL;
    m->n_files = 0;
}

static void put_section_config(hasher *h, const lp_obj *o, char kind, const char *where,
                               const char *const *skip);

/* Puts the hash of o's own config (skipping `skip` and the keyer's ignore
 * list), from the keyer's memo when its files are unchanged. */
static void put_section_hash(hasher *h, const lp_obj *o, char kind, const char *where,
                             const char *const *skip)
{
    lp_cache_keyer *k = h->k;
    section_memo *m = NULL;
    for (size_t i = 0; k && i < k->n_sections && !m; i++)
        if (k->sections[i].obj == o && k->sections[i].kind == kind) m = &k->sections[i];
    if (m && files_unchanged(k, m)) {
        put(h, m->hash, 32);
        return;
    }
    if (!m && k) {
        section_memo *grown =
            room_for_one(k->sections, k->n_sections, &k->cap_sections, sizeof *grown, 16);
        if (grown) {
            k->sections = grown;
            m = &k->sections[k->n_sections++];
            *m = (section_memo){o, kind, {0}, NULL, 0};
        }
    }
    if (m) section_memo_clear(m);
    hasher sub;
    int rc = hasher_init(&sub, k);
    if (rc) {
        if (h->rc == 0) h->rc = rc;
        return;
    }
    sub.collect = m;
    put_section_config(&sub, o, kind, where, skip);
    uint8_t hash[32];
    rc = hasher_done(&sub, hash);
    if (rc) {
        if (m) m->obj = NULL; /* never reused */
        if (h->rc == 0) h->rc = rc;
        return;
    }
    if (m) memcpy(m->hash, hash, 32);
    put(h, hash, 32);
}

static void put_section_config(hasher *h, const lp_obj *o, char kind, const char *where,
                               const char *const *skip)
{
    (void)kind;
    put_map_skipping(h, own_config(o), where, skip, h->k ? h->k->ignore : NULL);
}

/* Class name and own config of a reached object. */
static void put_section(hasher *h, const lp_obj *o)
{
    const lp_class *cls = lp_obj_class(o);
    put_str(h, cls ? cls->name : "");
    put_section_hash(h, o, 'O', lp_obj_path(o), ignored_everywhere);
}

bool lp_cache_type_is_bystander(const char *type)
{
    for (size_t i = 0; type && bystander_types[i]; i++)
        if (strcmp(type, bystander_types[i]) == 0) return true;
    return false;
}

static bool unreached(const lp_obj *o)
{
    const lp_class *cls = lp_obj_class(o);
    return cls && cls->kind == LP_KIND_COMPONENT && lp_cache_type_is_bystander(cls->type);
}

typedef struct objs {
    const lp_obj **v;
    size_t n, cap;
    bool oom;
} objs;

static void objs_add_tree(objs *s, const lp_obj *o)
{
    if (unreached(o)) return;
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 16;
        const lp_obj **v = realloc(s->v, cap * sizeof *v);
        if (!v) {
            s->oom = true;
            return;
        }
        s->v = v;
        s->cap = cap;
    }
    s->v[s->n++] = o;
    for (size_t i = 0; i < lp_obj_child_count(o); i++)
        objs_add_tree(s, lp_obj_child_at(o, i));
}

static int cmp_path(const void *a, const void *b)
{
    return strcmp(lp_obj_path(*(const lp_obj *const *)a), lp_obj_path(*(const lp_obj *const *)b));
}

/* O's subtree plus the components its ancestors declare (with theirs). */
static int reach(const lp_obj *obj, objs *s)
{
    objs_add_tree(s, obj);
    for (const lp_obj *a = lp_obj_parent(obj); a; a = lp_obj_parent(a))
        for (size_t i = 0; i < lp_obj_child_count(a); i++) {
            const lp_obj *c = lp_obj_child_at(a, i);
            const lp_class *cls = lp_obj_class(c);
            if (cls && cls->kind == LP_KIND_COMPONENT) objs_add_tree(s, c);
        }
    if (s->oom) return lp_error_set(LP_ENOMEM, "out of memory");
    if (s->n > 1) qsort(s->v, s->n, sizeof *s->v, cmp_path);
    return 0;
}

static void put_ancestors(hasher *h, const lp_obj *obj)
{
    const lp_obj *chain[64];
    size_t n = 0;
    for (const lp_obj *a = lp_obj_parent(obj); a && n < 64; a = lp_obj_parent(a))
        chain[n++] = a;
    put_u64(h, n);
    while (n--) {
        bool root = lp_obj_parent(chain[n]) == NULL;
        const lp_class *cls = lp_obj_class(chain[n]);
        put_u8(h, 'A');
        put_str(h, cls ? cls->name : "");
        /* One skip list per section: the root's data locations join log_level there. */
        const char *skip[8];
        size_t k = 0;
        for (size_t i = 0; ignored_everywhere[i]; i++)
            skip[k++] = ignored_everywhere[i];
        for (size_t i = 0; root && ignored_at_root[i]; i++)
            skip[k++] = ignored_at_root[i];
        skip[k] = NULL;
        put_section_hash(h, chain[n], 'A', "the runner's config", skip);
    }
}

int lp_cache_config_hash(lp_cache_keyer *k, const lp_obj *obj, uint8_t out[32])
{
    if (!obj) return lp_error_set(LP_EINVAL, "lp_cache_config_hash: no object");
    hasher h;
    int rc = hasher_init(&h, k);
    if (rc) return rc;
    put(&h, "lolpop.config.v2", 17); /* v2: each section's config as its own hash */
    put_ancestors(&h, obj);
    objs s = {0};
    if (h.rc == 0) h.rc = reach(obj, &s);
    put_u64(&h, s.n);
    for (size_t i = 0; h.rc == 0 && i < s.n; i++) {
        put_u8(&h, 'O');
        put_str(&h, lp_obj_path(s.v[i]));
        put_section(&h, s.v[i]);
    }
    free(s.v);
    return hasher_done(&h, out);
}

/* ---- the key of a call ------------------------------------------------------------------ */

int lp_cache_key(lp_cache_keyer *k, const lp_obj *obj, const char *method, const lp_value *args,
                 char out[65])
{
    const lp_class *cls = obj ? lp_obj_class(obj) : NULL;
    if (!cls || !method || !out) return lp_error_set(LP_EINVAL, "lp_cache_key: bad arguments");
    uint8_t args_hash[32], config_hash[32], key[32];
    int rc = lp_cache_value_hash(k, args, args_hash);
    if (rc) lp_error_prefix("%s.%s: an argument cannot be cached", cls->name, method);
    if (rc == 0) rc = lp_cache_config_hash(k, obj, config_hash);
    hasher h;
    if (rc == 0) rc = hasher_init(&h, k);
    if (rc) return rc;
    put(&h, "lolpop.cache.v1", 16);
    put_str(&h, lp_version());
    put_str(&h, cls->name);
    put_str(&h, method);
    put(&h, args_hash, 32);
    put(&h, config_hash, 32);
    rc = hasher_done(&h, key);
    if (rc == 0) lp_hex_encode(key, 32, out);
    return rc;
}

/* ---- the keyer ------------------------------------------------------------------------- */

lp_cache_keyer *lp_cache_keyer_new(const lp_value *ignore)
{
    lp_cache_keyer *k = calloc(1, sizeof *k);
    if (!k) {
        lp_error_set(LP_ENOMEM, "out of memory");
        return NULL;
    }
    if (lp_value_type(ignore) == LP_LIST) k->ignore = lp_value_copy(ignore);
    return k;
}

void lp_cache_keyer_free(lp_cache_keyer *k)
{
    if (!k) return;
    for (size_t i = 0; i < k->n_files; i++)
        free(k->files[i].path);
    free(k->files);
    for (size_t i = 0; i < k->n_handles; i++)
        lp_value_unref(k->handles[i].value);
    free(k->handles);
    for (size_t i = 0; i < k->n_sections; i++)
        section_memo_clear(&k->sections[i]);
    free(k->sections);
    lp_value_unref(k->ignore);
    free(k);
}
