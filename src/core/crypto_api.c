/*
 * crypto_api.c — opens libcrypto on first use (see crypto_api.h).
 */
#define LP_CRYPTO_API_IMPL
#include "core/crypto_api.h"

#include "core/internal.h"
#include "core/lazylib.h"

#define LP_CRYPTO_FUNCTIONS(X)                                                                     \
    X(EVP_Digest)                                                                                  \
    X(EVP_DigestInit_ex)                                                                           \
    X(EVP_DigestUpdate)                                                                            \
    X(EVP_DigestFinal_ex)                                                                          \
    X(EVP_MD_CTX_new)                                                                              \
    X(EVP_MD_CTX_free)                                                                             \
    X(EVP_sha256)                                                                                  \
    X(EVP_EncodeBlock)                                                                             \
    X(EVP_DecodeBlock)

#define LP_CRYPTO_FIELD(name) __typeof__(name) *name;
static struct {
    LP_CRYPTO_FUNCTIONS(LP_CRYPTO_FIELD)
} fn;
#undef LP_CRYPTO_FIELD

static lp_lazylib_state loaded = LP_LAZYLIB_STATE_INIT;

static void load(void)
{
    /* Debian 12's libssl3 ships libcrypto.so.3; the unversioned name is
     * libssl-dev's symlink, tried second. */
    static const char *const sonames[] = {"libcrypto.so.3", "libcrypto.so", NULL};
#define LP_CRYPTO_SYM(name) {#name, &fn.name},
    const lp_lazysym syms[] = {LP_CRYPTO_FUNCTIONS(LP_CRYPTO_SYM)};
#undef LP_CRYPTO_SYM
    int rc = lp_lazylib_resolve("OpenSSL's libcrypto (hashes)", sonames, syms,
                                sizeof syms / sizeof syms[0]);
    lp_lazylib_keep(&loaded, rc, NULL);
}

int lp_crypto_require(void)
{
    return lp_lazylib_require(&loaded, load);
}

/* Each wrapper: the real function once libcrypto is open, else OpenSSL's own
 * failure value. */
static bool ready(void)
{
    return lp_crypto_require() == 0;
}

int lp_evp_digest(const void *data, size_t count, unsigned char *md, unsigned int *size,
                  const EVP_MD *type, ENGINE *impl)
{
    return ready() ? fn.EVP_Digest(data, count, md, size, type, impl) : 0;
}

int lp_evp_digest_init_ex(EVP_MD_CTX *ctx, const EVP_MD *type, ENGINE *impl)
{
    return ready() ? fn.EVP_DigestInit_ex(ctx, type, impl) : 0;
}

int lp_evp_digest_update(EVP_MD_CTX *ctx, const void *d, size_t cnt)
{
    return ready() ? fn.EVP_DigestUpdate(ctx, d, cnt) : 0;
}

int lp_evp_digest_final_ex(EVP_MD_CTX *ctx, unsigned char *md, unsigned int *s)
{
    return ready() ? fn.EVP_DigestFinal_ex(ctx, md, s) : 0;
}

EVP_MD_CTX *lp_evp_md_ctx_new(void)
{
    return ready() ? fn.EVP_MD_CTX_new() : NULL;
}

void lp_evp_md_ctx_free(EVP_MD_CTX *ctx)
{
    if (ctx && ready()) fn.EVP_MD_CTX_free(ctx);
}

const EVP_MD *lp_evp_sha256(void)
{
    return ready() ? fn.EVP_sha256() : NULL;
}

int lp_evp_encode_block(unsigned char *t, const unsigned char *f, int n)
{
    return ready() ? fn.EVP_EncodeBlock(t, f, n) : 0;
}

int lp_evp_decode_block(unsigned char *t, const unsigned char *f, int n)
{
    return ready() ? fn.EVP_DecodeBlock(t, f, n) : -1;
}
