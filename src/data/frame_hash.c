/*
 * frame_hash.c — a stable SHA-256 of a frame's content.
 *
 * The canonical encoding depends only on what the frame means, never on how
 * it is stored (shared or copied columns, bitmap present or not, category
 * dictionary order):
 *
 *   "lolpop.frame.v1\0"  u64 columns  u64 rows
 *   per column: u64 name length, name bytes, u8 type (category as string),
 *               validity: ceil(rows/8) bytes, bit i = row i valid (LSB first,
 *               unused bits zero),
 *               the valid values in row order: float64 as its IEEE bits
 *               (every NaN as 0x7ff8000000000000), int64/timestamp as 8
 *               bytes, bool as 1 byte, string as u64 length + bytes.
 * All integers little-endian.
 *
 * The digest is remembered on the frame (lp_frame.hash_state), so each frame
 * is hashed once however many steps ask for it.
 */
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "core/crypto_api.h"

#include "core/digest.h"
#include "core/internal.h"
#include "data/frame_internal.h"

enum { HASH_BUF = 1 << 16 };

typedef struct {
    EVP_MD_CTX *ctx;
    size_t n;
    bool failed;
    unsigned char buf[HASH_BUF];
} hasher;

static void flush(hasher *h)
{
    if (h->n && EVP_DigestUpdate(h->ctx, h->buf, h->n) != 1) h->failed = true;
    h->n = 0;
}

static void put(hasher *h, const void *p, size_t len)
{
    if (h->n + len > HASH_BUF) {
        flush(h);
        if (len > HASH_BUF) {
            if (EVP_DigestUpdate(h->ctx, p, len) != 1) h->failed = true;
            return;
        }
    }
    memcpy(h->buf + h->n, p, len);
    h->n += len;
}

static inline void put_u64(hasher *h, uint64_t v)
{
    if (h->n + 8 > HASH_BUF) flush(h);
    for (int k = 0; k < 8; k++)
        h->buf[h->n++] = (unsigned char)(v >> (8 * k));
}

static inline void put_u8(hasher *h, uint8_t v)
{
    if (h->n + 1 > HASH_BUF) flush(h);
    h->buf[h->n++] = v;
}

static void put_validity(hasher *h, const lp_column *c)
{
    size_t n = c->length, full = n / 8;
    if (!c->validity) {
        for (size_t k = 0; k < full; k++)
            put_u8(h, 0xff);
    } else {
        put(h, c->validity, full);
    }
    if (n % 8) {
        uint8_t last = c->validity ? c->validity[full] : 0xff;
        put_u8(h, (uint8_t)(last & ((1u << (n % 8)) - 1)));
    }
}

/* Category values as their text, reading the dictionary directly. */
static void put_category(hasher *h, const lp_column *c)
{
    const lp_column *d = c->data.cat.dict;
    const int64_t *o = d->data.str.offsets;
    const int32_t *codes = c->data.cat.codes;
    for (size_t i = 0; i < c->length; i++) {
        if (!lp_column_is_valid(c, i)) continue;
        int64_t b = o[codes[i]], len = o[codes[i] + 1] - b;
        put_u64(h, (uint64_t)len);
        put(h, d->data.str.bytes + b, (size_t)len);
    }
}

/* All-valid fixed-width values, 8 bytes each, copied a buffer at a time
 * (little-endian hosts store them in canonical order already); float NaNs are
 * canonicalised in the buffer. */
static bool put_dense8(hasher *h, const lp_column *c)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (c->validity) return false;
    const unsigned char *src = (const unsigned char *)c->data.i64;
    size_t left = c->length * 8;
    while (left) {
        if (h->n + 8 > HASH_BUF) flush(h);
        size_t take = (HASH_BUF - h->n) / 8 * 8;
        if (take > left) take = left;
        memcpy(h->buf + h->n, src, take);
        if (c->type == LP_DT_FLOAT64) {
            for (size_t k = 0; k < take; k += 8) {
                double x;
                memcpy(&x, h->buf + h->n + k, 8);
                if (x != x) {
                    uint64_t nan = 0x7ff8000000000000ULL;
                    memcpy(h->buf + h->n + k, &nan, 8);
                }
            }
        }
        h->n += take;
        src += take;
        left -= take;
    }
    return true;
#else
    (void)h, (void)c;
    return false;
#endif
}

static void put_values(hasher *h, const lp_column *c)
{
    size_t n = c->length;
    switch (c->type) {
    case LP_DT_FLOAT64:
        if (put_dense8(h, c)) break;
        for (size_t i = 0; i < n; i++) {
            if (!lp_column_is_valid(c, i)) continue;
            double x = c->data.f64[i];
            uint64_t bits = 0x7ff8000000000000ULL;
            if (!isnan(x)) memcpy(&bits, &x, 8);
            put_u64(h, bits);
        }
        break;
    case LP_DT_INT64:
    case LP_DT_TIMESTAMP:
        if (put_dense8(h, c)) break;
        for (size_t i = 0; i < n; i++)
            if (lp_column_is_valid(c, i)) put_u64(h, (uint64_t)c->data.i64[i]);
        break;
    case LP_DT_BOOL:
        for (size_t i = 0; i < n; i++)
            if (lp_column_is_valid(c, i)) put_u8(h, c->data.b8[i] ? 1 : 0);
        break;
    case LP_DT_CATEGORY:
        put_category(h, c);
        break;
    default: /* string: the text of each value */
        for (size_t i = 0; i < n; i++) {
            size_t len;
            const char *s = lp_column_str(c, i, &len);
            if (!s) continue;
            put_u64(h, len);
            put(h, s, len);
        }
        break;
    }
}
static void put_frame(hasher *h, const lp_frame *f)
{
    put(h, "lolpop.frame.v1", 16);
    put_u64(h, f->ncols);
    put_u64(h, f->rows);
    for (size_t j = 0; j < f->ncols; j++) {
        const lp_column *c = f->cols[j];
        size_t len = strlen(f->names[j]);
        put_u64(h, len);
        put(h, f->names[j], len);
        put_u8(h, (uint8_t)(c->type == LP_DT_CATEGORY ? LP_DT_STRING : c->type));
        put_validity(h, c);
        put_values(h, c);
    }
}

/* Remembers the digest on the frame for later calls (the first thread to get
 * there stores it; the cache is not part of the frame's value, hence the cast). */
static void remember(const lp_frame *f, const uint8_t d[32])
{
    lp_frame *m = (lp_frame *)(uintptr_t)f;
    int unknown = 0;
    if (!atomic_compare_exchange_strong(&m->hash_state, &unknown, 1)) return;
    memcpy(m->hash, d, 32);
    atomic_store_explicit(&m->hash_state, 2, memory_order_release);
}

/* The digest is computed once per frame (track_data, step caching and the
 * store all ask for it); frames are immutable once shared. */
LP_API int lp_frame_hash(const lp_frame *f, uint8_t out[32])
{
    if (!f) return lp_error_set(LP_EINVAL, "hash: no frame");
    if (atomic_load_explicit(&f->hash_state, memory_order_acquire) == 2) {
        memcpy(out, f->hash, 32);
        return 0;
    }
    hasher *h = malloc(sizeof *h);
    if (!h) return lp_error_set(LP_ENOMEM, "out of memory");
    h->n = 0;
    h->failed = false;
    h->ctx = EVP_MD_CTX_new();
    unsigned int len = 0;
    int rc = 0;
    if (!h->ctx || EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL) != 1) {
        rc = lp_error_set(LP_ERROR, "hash: SHA-256 is not available from OpenSSL");
    } else {
        put_frame(h, f);
        flush(h);
        if (h->failed || EVP_DigestFinal_ex(h->ctx, out, &len) != 1 || len != 32)
            rc = lp_error_set(LP_ERROR, "hash: SHA-256 computation failed");
    }
    EVP_MD_CTX_free(h->ctx);
    free(h);
    if (rc == 0) remember(f, out);
    return rc;
}

LP_API int lp_frame_hash_hex(const lp_frame *f, char out[65])
{
    uint8_t d[32];
    int rc = lp_frame_hash(f, d);
    if (rc) return rc;
    lp_hex_encode(d, sizeof d, out);
    return 0;
}
