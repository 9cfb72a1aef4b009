/*
 * crypto_api.h — the OpenSSL digest and base64 functions lolpop uses,
 * loaded on first use (core/lazylib.h).
 *
 * libcrypto's loading and constructor cost about half the instructions of a
 * `lolpop --version` (2.6 M of 5 M): linking it made every command pay for
 * hashing that most quick commands never do. Files that hash include this
 * header instead of <openssl/evp.h>; each EVP_* name below then means a
 * wrapper that opens libcrypto once (thread-safe) and calls the real
 * function. If libcrypto cannot be opened, the wrappers answer as OpenSSL
 * does on failure (0, -1 or NULL), which every caller already checks, and
 * lp_crypto_require() tells why.
 */
#ifndef LP_CORE_CRYPTO_API_H
#define LP_CORE_CRYPTO_API_H

#include <openssl/evp.h>

/* Opens libcrypto once; 0, or LP_ENOTFOUND with the reason. Thread-safe. */
int lp_crypto_require(void);

/* Wrappers with OpenSSL's signatures and failure values (see above). */
int lp_evp_digest(const void *data, size_t count, unsigned char *md, unsigned int *size,
                  const EVP_MD *type, ENGINE *impl);
int lp_evp_digest_init_ex(EVP_MD_CTX *ctx, const EVP_MD *type, ENGINE *impl);
int lp_evp_digest_update(EVP_MD_CTX *ctx, const void *d, size_t cnt);
int lp_evp_digest_final_ex(EVP_MD_CTX *ctx, unsigned char *md, unsigned int *s);
EVP_MD_CTX *lp_evp_md_ctx_new(void);
void lp_evp_md_ctx_free(EVP_MD_CTX *ctx);
const EVP_MD *lp_evp_sha256(void);
int lp_evp_encode_block(unsigned char *t, const unsigned char *f, int n);
int lp_evp_decode_block(unsigned char *t, const unsigned char *f, int n);

#ifndef LP_CRYPTO_API_IMPL
#define EVP_Digest         lp_evp_digest
#define EVP_DigestInit_ex  lp_evp_digest_init_ex
#define EVP_DigestUpdate   lp_evp_digest_update
#define EVP_DigestFinal_ex lp_evp_digest_final_ex
#define EVP_MD_CTX_new     lp_evp_md_ctx_new
#define EVP_MD_CTX_free    lp_evp_md_ctx_free
#define EVP_sha256         lp_evp_sha256
#define EVP_EncodeBlock    lp_evp_encode_block
#define EVP_DecodeBlock    lp_evp_decode_block
#endif

#endif
