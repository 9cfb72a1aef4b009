/*
 * frame_io.c — the binary frame encoding of frame_io.h: a canonical writer
 * and a reader that trusts nothing.
 *
 * The writer sizes the whole encoding first (checking every addition for
 * overflow and every value the reader would reject, so that what is written
 * can always be read back), then fills one buffer. The reader checks each
 * length against the bytes that remain before allocating or copying, so a
 * hostile header cannot make it allocate more than the input could describe.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "data/frame_internal.h"
#include "lolpop/config.h"
#include "lolpop/frame_io.h"

#define MAGIC          "LPFRAME" /* 7 chars + NUL = 8 bytes */
#define FORMAT_VERSION 1u
#define HEADER_BYTES   32u /* magic, version, flags, columns, rows */
#define COLUMN_FIXED   6u  /* name length, type, validity flag */
#define NUM_TYPES      6u

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define LP_LITTLE_ENDIAN 1
#else
#define LP_LITTLE_ENDIAN 0
#endif

/* ---- little-endian primitives ---------------------------------------------- */

static void store_le(uint8_t *p, uint64_t v, unsigned bytes)
{
    for (unsigned k = 0; k < bytes; k++)
        p[k] = (uint8_t)(v >> (8 * k));
}

static uint64_t load_le(const uint8_t *p, unsigned bytes)
{
    uint64_t v = 0;
    for (unsigned k = 0; k < bytes; k++)
        v |= (uint64_t)p[k] << (8 * k);
    return v;
}

/* Copies n elements of `width` bytes between host order and little-endian
 * (the same operation both ways). */
static void copy_le(void *dst, const void *src, size_t n, unsigned width)
{
    if (LP_LITTLE_ENDIAN || width == 1) {
        if (n) memcpy(dst, src, n * width);
        return;
    }
    const uint8_t *s = src;
    uint8_t *d = dst;
    for (size_t i = 0; i < n; i++)
        for (unsigned k = 0; k < width; k++)
            d[i * width + k] = s[i * width + width - 1 - k];
}

static bool add_size(size_t *acc, size_t v)
{
    return !__builtin_add_overflow(*acc, v, acc);
}

static bool mul_add_size(size_t *acc, size_t n, size_t width)
{
    size_t prod;
    return !__builtin_mul_overflow(n, width, &prod) && add_size(acc, prod);
}

/* Number of missing rows in c's bitmap (0 when it has none). */
static size_t count_missing(const lp_column *c)
{
    if (!c->validity) return 0;
    size_t missing = 0;
    for (size_t i = 0; i < c->length; i++)
        missing += !lp_column_is_valid(c, i);
    return missing;
}

/* ---- writer: sizing and checks ------------------------------------------- */

static int too_large(const char *name)
{
    return lp_error_set(LP_ENOMEM, "frame column '%s' is too large to serialize", name);
}

/* Bytes of a string payload of n values (offsets + text), checking UTF-8. */
static int string_payload_size(size_t *acc, const lp_column *s, const char *name, const char *what)
{
    const int64_t *o = s->data.str.offsets;
    for (size_t i = 0; i < s->length; i++) {
        size_t bad;
        const char *p = s->data.str.bytes + o[i];
        if (!lp_utf8_valid(p, (size_t)(o[i + 1] - o[i]), &bad))
            return lp_error_set(LP_EINVAL,
                                "cannot serialize column '%s': %s %zu is not valid UTF-8 "
                                "(byte %zu)",
                                name, what, i + 1, bad + 1);
    }
    if (s->length == SIZE_MAX || !mul_add_size(acc, s->length + 1, 8) ||
        !add_size(acc, (size_t)(o[s->length] - o[0])))
        return too_large(name);
    return 0;
}

/* The dictionary must be what the reader accepts: no missing values, distinct. */
static int check_dictionary(const lp_column *d, const char *name)
{
    if (d->type != LP_DT_STRING || count_missing(d) > 0 || d->length > INT32_MAX)
        return lp_error_set(
            LP_EINVAL, "cannot serialize column '%s': its category dictionary is malformed", name);
    lp_strmap m;
    int rc = lp_strmap_init(&m, d->length);
    const int64_t *o = d->data.str.offsets;
    for (size_t i = 0; rc == 0 && i < d->length; i++) {
        const char *s = d->data.str.bytes + o[i];
        size_t len = (size_t)(o[i + 1] - o[i]);
        uint64_t h = lp_bytes_hash(s, len);
        if (lp_strmap_find(&m, o, d->data.str.bytes, s, len, h) >= 0)
            rc = lp_error_set(LP_EINVAL,
                              "cannot serialize column '%s': category dictionary value %zu is a "
                              "duplicate",
                              name, i + 1);
        else
            rc = lp_strmap_add(&m, o, d->data.str.bytes, h);
    }
    lp_strmap_free(&m);
    return rc;
}

static int category_size(size_t *acc, const lp_column *c, const char *name)
{
    const lp_column *d = c->data.cat.dict;
    int rc = check_dictionary(d, name);
    if (rc) return rc;
    for (size_t i = 0; i < c->length; i++) {
        int32_t code = c->data.cat.codes[i];
        if (lp_column_is_valid(c, i) && (code < 0 || (size_t)code >= d->length))
            return lp_error_set(LP_EINVAL,
                                "cannot serialize column '%s': row %zu has category code %d "
                                "outside its dictionary of %zu values",
                                name, i + 1, (int)code, d->length);
    }
    if (!mul_add_size(acc, c->length, 4) || !add_size(acc, 8)) return too_large(name);
    return string_payload_size(acc, d, name, "category value");
}

static int column_size(size_t *acc, const lp_column *c, const char *name)
{
    size_t name_len = strlen(name), bad;
    if (name_len > UINT32_MAX || !lp_utf8_valid(name, name_len, &bad))
        return lp_error_set(LP_EINVAL, "cannot serialize column '%s': bad column name", name);
    if ((unsigned)c->type >= NUM_TYPES)
        return lp_error_set(LP_EINVAL, "cannot serialize column '%s': unknown type %d", name,
                            (int)c->type);
    if (!add_size(acc, COLUMN_FIXED) || !add_size(acc, name_len)) return too_large(name);
    if (count_missing(c) && !add_size(acc, lp_bitmap_bytes(c->length))) return too_large(name);
    switch (c->type) {
    case LP_DT_BOOL:
        return add_size(acc, c->length) ? 0 : too_large(name);
    case LP_DT_STRING:
        return string_payload_size(acc, c, name, "row");
    case LP_DT_CATEGORY:
        return category_size(acc, c, name);
    default:
        return mul_add_size(acc, c->length, 8) ? 0 : too_large(name);
    }
}

/* ---- writer: output --------------------------------------------------------- */

typedef struct {
    uint8_t *p;
} writer;

static void put_bytes(writer *w, const void *src, size_t n)
{
    if (n) memcpy(w->p, src, n);
    w->p += n;
}

static void put_int(writer *w, uint64_t v, unsigned bytes)
{
    store_le(w->p, v, bytes);
    w->p += bytes;
}

static void put_array(writer *w, const void *src, size_t n, unsigned width)
{
    copy_le(w->p, src, n, width);
    w->p += n * width;
}

/* Offsets rebased to start at 0, then the text they cover. */
static void put_strings(writer *w, const lp_column *s)
{
    const int64_t *o = s->data.str.offsets;
    for (size_t i = 0; i <= s->length; i++)
        put_int(w, (uint64_t)(o[i] - o[0]), 8);
    put_bytes(w, s->data.str.bytes + o[0], (size_t)(o[s->length] - o[0]));
}

/* Bitmap with the bits past the last row cleared (they carry no meaning). */
static void put_validity(writer *w, const lp_column *c)
{
    size_t nb = lp_bitmap_bytes(c->length);
    put_bytes(w, c->validity, nb);
    if (c->length % 8) w->p[-1] &= (uint8_t)((1u << (c->length % 8)) - 1);
}

static void put_column(writer *w, const lp_column *c, const char *name)
{
    size_t name_len = strlen(name);
    put_int(w, name_len, 4);
    put_bytes(w, name, name_len);
    put_int(w, (uint64_t)c->type, 1);
    bool has_missing = count_missing(c) > 0;
    put_int(w, has_missing, 1);
    if (has_missing) put_validity(w, c);
    size_t n = c->length;
    switch (c->type) {
    case LP_DT_BOOL:
        for (size_t i = 0; i < n; i++)
            *w->p++ = c->data.b8[i] ? 1 : 0;
        break;
    case LP_DT_STRING:
        put_strings(w, c);
        break;
    case LP_DT_CATEGORY:
        /* a missing row's code is meaningless in memory: write 0 */
        for (size_t i = 0; i < n; i++)
            put_int(w, lp_column_is_valid(c, i) ? (uint32_t)c->data.cat.codes[i] : 0, 4);
        put_int(w, c->data.cat.dict->length, 8);
        put_strings(w, c->data.cat.dict);
        break;
    default: /* float64, int64, timestamp: the 8 bytes as they are */
        put_array(w, c->data.i64, n, 8);
        break;
    }
}

LP_API int lp_frame_serialize(const lp_frame *f, uint8_t **out, size_t *len)
{
    if (!out || !len) return lp_error_set(LP_EINVAL, "lp_frame_serialize: no output");
    *out = NULL;
    *len = 0;
    if (!f) return lp_error_set(LP_EINVAL, "lp_frame_serialize: no frame");
    size_t total = HEADER_BYTES;
    for (size_t j = 0; j < f->ncols; j++) {
        int rc = column_size(&total, f->cols[j], f->names[j]);
        if (rc) return rc;
    }
    uint8_t *buf = malloc(total);
    if (!buf)
        return lp_error_set(LP_ENOMEM, "out of memory serializing a frame (%zu bytes)", total);
    writer w = {buf};
    put_bytes(&w, MAGIC, 8);
    put_int(&w, FORMAT_VERSION, 4);
    put_int(&w, 0, 4);
    put_int(&w, f->ncols, 8);
    put_int(&w, f->rows, 8);
    for (size_t j = 0; j < f->ncols; j++)
        put_column(&w, f->cols[j], f->names[j]);
    *out = buf;
    *len = total;
    return 0;
}

/* ---- reader ------------------------------------------------------------------ */

typedef struct {
    const uint8_t *data;
    size_t len, pos;
    const char *column; /* name of the column being read, for messages */
    size_t column_index;
} reader;

static int bad(const reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* LP_EINVAL "invalid frame data at byte N (column 'x'): ..." */
static int bad(const reader *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = lp_error_setv(LP_EINVAL, fmt, ap);
    va_end(ap);
    if (r->column)
        lp_error_prefix("invalid frame data at byte %zu (column %zu '%s')", r->pos,
                        r->column_index + 1, r->column);
    else
        lp_error_prefix("invalid frame data at byte %zu", r->pos);
    return rc;
}

static size_t remaining(const reader *r)
{
    return r->len - r->pos;
}

/* Checks that n elements of `width` bytes remain; no overflow possible. */
static int need(const reader *r, size_t n, size_t width, const char *what)
{
    if (width && n > remaining(r) / width)
        return bad(r, "truncated: %s needs %s%zu bytes but only %zu remain", what,
                   n > SIZE_MAX / width ? "more than " : "",
                   n > SIZE_MAX / width ? SIZE_MAX : n * width, remaining(r));
    return 0;
}

static int get_int(reader *r, unsigned bytes, const char *what, uint64_t *v)
{
    int rc = need(r, bytes, 1, what);
    if (rc) return rc;
    *v = load_le(r->data + r->pos, bytes);
    r->pos += bytes;
    return 0;
}

static int get_array(reader *r, void *dst, size_t n, unsigned width)
{
    copy_le(dst, r->data + r->pos, n, width);
    r->pos += n * width;
    return 0;
}

/* A string payload of n values into a new string column. */
static int get_strings(reader *r, size_t n, const char *what, lp_column **out)
{
    *out = NULL;
    if (n >= remaining(r) / 8) /* n + 1 offsets must fit */
        return bad(r, "truncated: %zu %s offsets do not fit in the %zu bytes left", n, what,
                   remaining(r));
    size_t start = r->pos, after = r->pos + (n + 1) * 8;
    uint64_t prev = 0;
    for (size_t i = 0; i <= n; i++) {
        uint64_t off = load_le(r->data + start + i * 8, 8);
        r->pos = start + i * 8;
        if (i == 0 && off != 0)
            return bad(r, "the first %s offset is %llu, not 0", what, (unsigned long long)off);
        if (off < prev)
            return bad(r, "%s offset %zu (%llu) is below the previous one (%llu)", what, i,
                       (unsigned long long)off, (unsigned long long)prev);
        if (off > r->len - after)
            return bad(r, "%s offset %zu (%llu) is past the end of the data", what, i,
                       (unsigned long long)off);
        prev = off;
    }
    r->pos = after;
    size_t nbytes = (size_t)prev;
    const char *text = (const char *)r->data + after;
    for (size_t i = 0; i < n; i++) {
        size_t a = (size_t)load_le(r->data + start + i * 8, 8);
        size_t b = (size_t)load_le(r->data + start + (i + 1) * 8, 8), at;
        if (!lp_utf8_valid(text + a, b - a, &at)) {
            r->pos = after + a + at;
            return bad(r, "%s %zu is not valid UTF-8", what, i + 1);
        }
    }
    lp_column *c = lp_column_new_string(n, nbytes);
    if (!c) return LP_ENOMEM;
    r->pos = start;
    get_array(r, c->data.str.offsets, n + 1, 8);
    if (nbytes) memcpy(c->data.str.bytes, text, nbytes);
    r->pos += nbytes;
    *out = c;
    return 0;
}

static int get_validity(reader *r, lp_column *c)
{
    size_t nb = lp_bitmap_bytes(c->length);
    int rc = need(r, nb, 1, "validity bitmap");
    if (rc) return rc;
    const uint8_t *bm = r->data + r->pos;
    if (c->length % 8 && (bm[nb - 1] >> (c->length % 8)) != 0) {
        r->pos += nb - 1;
        return bad(r, "validity bits past the last row are set");
    }
    c->validity = malloc(nb ? nb : 1);
    if (!c->validity) return lp_error_set(LP_ENOMEM, "out of memory");
    get_array(r, c->validity, nb, 1);
    c->null_count = count_missing(c);
    if (c->null_count == 0) {
        r->pos -= nb;
        return bad(r, "a validity bitmap is present but no row is missing");
    }
    return 0;
}

static int get_category(reader *r, lp_column *c)
{
    size_t n = c->length, codes_at = r->pos;
    int rc = need(r, n, 4, "category codes");
    if (rc) return rc;
    c->data.cat.codes = malloc(n ? n * 4 : 1);
    if (!c->data.cat.codes) return lp_error_set(LP_ENOMEM, "out of memory");
    get_array(r, c->data.cat.codes, n, 4);
    uint64_t d;
    if ((rc = get_int(r, 8, "dictionary size", &d))) return rc;
    if (d > INT32_MAX)
        return bad(r, "dictionary of %llu values is too large", (unsigned long long)d);
    if ((rc = get_strings(r, (size_t)d, "dictionary value", &c->data.cat.dict))) return rc;
    rc = check_dictionary(c->data.cat.dict, r->column);
    if (rc == LP_ENOMEM) return rc;
    if (rc) return bad(r, "the dictionary has a duplicate value");
    for (size_t i = 0; i < n; i++) {
        int32_t code = c->data.cat.codes[i];
        bool valid = lp_column_is_valid(c, i);
        if ((valid && (code < 0 || (uint64_t)code >= d)) || (!valid && code != 0)) {
            r->pos = codes_at + i * 4;
            return bad(r, "row %zu has category code %d %s", i + 1, (int)code,
                       valid ? "outside the dictionary" : "but is missing (must be 0)");
        }
    }
    return 0;
}

static int get_bools(reader *r, lp_column *c)
{
    int rc = need(r, c->length, 1, "bool values");
    if (rc) return rc;
    for (size_t i = 0; i < c->length; i++) {
        if (r->data[r->pos + i] > 1) {
            r->pos += i;
            return bad(r, "row %zu has bool byte %u (must be 0 or 1)", i + 1, r->data[r->pos]);
        }
    }
    c->data.b8 = malloc(c->length ? c->length : 1);
    if (!c->data.b8) return lp_error_set(LP_ENOMEM, "out of memory");
    return get_array(r, c->data.b8, c->length, 1);
}

static int get_values(reader *r, lp_column *c)
{
    switch (c->type) {
    case LP_DT_BOOL:
        return get_bools(r, c);
    case LP_DT_CATEGORY:
        return get_category(r, c);
    default: {
        int rc = need(r, c->length, 8, "values");
        if (rc) return rc;
        c->data.i64 = malloc(c->length ? c->length * 8 : 1);
        if (!c->data.i64) return lp_error_set(LP_ENOMEM, "out of memory");
        return get_array(r, c->data.i64, c->length, 8);
    }
    }
}

/* ---- column names: UTF-8, no NUL, unique (a hash set of column indices) ---- */

typedef struct {
    size_t *slots; /* column index + 1; 0 = empty */
    size_t mask;
} name_set;

static int get_name(reader *r, const lp_frame *f, name_set *ns, char **out)
{
    uint64_t n;
    int rc = get_int(r, 4, "column name length", &n);
    if (rc || (rc = need(r, (size_t)n, 1, "column name"))) return rc;
    const char *s = (const char *)r->data + r->pos;
    size_t at;
    if (memchr(s, '\0', (size_t)n)) return bad(r, "a column name contains a NUL byte");
    if (!lp_utf8_valid(s, (size_t)n, &at)) return bad(r, "a column name is not valid UTF-8");
    uint64_t h = lp_bytes_hash(s, (size_t)n);
    size_t p = h & ns->mask;
    for (; ns->slots[p]; p = (p + 1) & ns->mask) {
        const char *other = f->names[ns->slots[p] - 1];
        if (strlen(other) == n && memcmp(other, s, (size_t)n) == 0)
            return bad(r, "duplicate column name '%s'", other);
    }
    ns->slots[p] = f->ncols + 1;
    *out = lp_strndup(s, (size_t)n);
    r->pos += (size_t)n;
    return *out ? 0 : LP_ENOMEM;
}

static int get_column(reader *r, lp_frame *f, name_set *ns)
{
    char *name = NULL;
    r->column = NULL;
    r->column_index = f->ncols;
    int rc = get_name(r, f, ns, &name);
    if (rc) return rc;
    r->column = name;
    uint64_t type, has_validity;
    lp_column *c = NULL;
    if ((rc = get_int(r, 1, "column type", &type))) goto out;
    if (type >= NUM_TYPES) {
        r->pos--;
        rc = bad(r, "unknown column type %u", (unsigned)type);
        goto out;
    }
    if ((rc = get_int(r, 1, "validity flag", &has_validity))) goto out;
    if (has_validity > 1) {
        r->pos--;
        rc = bad(r, "validity flag %u (must be 0 or 1)", (unsigned)has_validity);
        goto out;
    }
    if (type == LP_DT_STRING) {
        /* the bitmap precedes the payload: read it into a shell, then move it */
        lp_column shell = {.length = f->rows};
        if (has_validity && (rc = get_validity(r, &shell))) {
            free(shell.validity);
            goto out;
        }
        rc = get_strings(r, f->rows, "string", &c);
        if (rc) {
            free(shell.validity);
            goto out;
        }
        c->validity = shell.validity;
        c->null_count = shell.null_count;
    } else {
        c = lp_column_shell((lp_dtype)type, f->rows);
        if (!c) {
            rc = LP_ENOMEM;
            goto out;
        }
        if ((has_validity && (rc = get_validity(r, c))) || (rc = get_values(r, c))) goto out;
    }
    rc = lp_frame_push(f, name, c); /* takes c */
    c = NULL;
out:
    lp_column_unref(c);
    r->column = NULL;
    free(name);
    return rc;
}

static int get_header(reader *r, uint64_t *ncols, uint64_t *rows)
{
    if (r->len < HEADER_BYTES || memcmp(r->data, MAGIC, 8) != 0)
        return bad(r, "not a lolpop frame (bad magic or too short)");
    r->pos = 8;
    uint64_t version = 0, flags = 0;
    get_int(r, 4, "version", &version);
    if (version != FORMAT_VERSION) {
        r->pos -= 4;
        return bad(r, "unsupported format version %llu (this build reads %u)",
                   (unsigned long long)version, FORMAT_VERSION);
    }
    get_int(r, 4, "flags", &flags);
    if (flags != 0) {
        r->pos -= 4;
        return bad(r, "unknown flags 0x%llx", (unsigned long long)flags);
    }
    get_int(r, 8, "column count", ncols);
    get_int(r, 8, "row count", rows);
    if (*ncols > remaining(r) / COLUMN_FIXED) {
        size_t left = remaining(r);
        r->pos -= 16;
        return bad(r, "%llu columns cannot fit in the %zu bytes after the header",
                   (unsigned long long)*ncols, left);
    }
    if (*rows > INT64_MAX || *rows > SIZE_MAX) {
        r->pos -= 8;
        return bad(r, "row count %llu is too large", (unsigned long long)*rows);
    }
    return 0;
}

LP_API int lp_frame_deserialize(lp_frame **out, const uint8_t *data, size_t len)
{
    if (!out) return lp_error_set(LP_EINVAL, "lp_frame_deserialize: no output");
    *out = NULL;
    if (!data && len) return lp_error_set(LP_EINVAL, "lp_frame_deserialize: no data");
    reader r = {data, len, 0, NULL, 0};
    uint64_t ncols = 0, rows = 0;
    int rc = get_header(&r, &ncols, &rows);
    if (rc) return rc;
    lp_frame *f = lp_frame_with_capacity((size_t)rows, (size_t)ncols);
    name_set ns = {NULL, 0};
    size_t cap = 16;
    while (cap < ncols * 2)
        cap <<= 1;
    ns.slots = calloc(cap, sizeof *ns.slots);
    ns.mask = cap - 1;
    if (!f || !ns.slots) {
        rc = f ? lp_error_set(LP_ENOMEM, "out of memory") : LP_ENOMEM;
    } else {
        for (uint64_t j = 0; j < ncols && rc == 0; j++)
            rc = get_column(&r, f, &ns);
        if (rc == 0 && r.pos != r.len)
            rc = bad(&r, "%zu unexpected bytes after the last column", remaining(&r));
    }
    free(ns.slots);
    if (rc) {
        lp_frame_unref(f);
        return rc;
    }
    f->rows = (size_t)rows; /* lp_frame_push set it from the first column: the same */
    *out = f;
    return 0;
}
