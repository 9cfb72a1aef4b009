/*
 * digest.c — SHA-256 and hex text (see digest.h).
 */
#include "core/digest.h"

#include "core/crypto_api.h"
#include "core/internal.h"

void lp_hex_encode(const unsigned char *bytes, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[bytes[i] >> 4];
        out[2 * i + 1] = digits[bytes[i] & 15];
    }
    out[2 * n] = '\0';
}

int lp_sha256(const void *bytes, size_t len, unsigned char out[32])
{
    unsigned int n = 0;
    /* EVP_Digest wants a valid pointer even for zero bytes. */
    if (EVP_Digest(len ? bytes : "", len, out, &n, EVP_sha256(), NULL) == 1 && n == 32) return 0;
    int rc = lp_crypto_require(); /* the reason when libcrypto is missing */
    return rc ? rc : lp_error_set(LP_ERROR, "SHA-256 computation failed (OpenSSL)");
}

int lp_sha256_hex(const void *bytes, size_t len, char out[65])
{
    unsigned char d[32];
    out[0] = '\0';
    int rc = lp_sha256(bytes, len, d);
    if (rc == 0) lp_hex_encode(d, sizeof d, out);
    return rc;
}
