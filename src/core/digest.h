/*
 * digest.h — SHA-256 of a byte range and lower-case hex text of a digest.
 *
 * Object names, cache keys, frame and model fingerprints and the run's
 * configuration hash are all SHA-256 in lower-case hex; these are the one
 * place that computes and spells them (libcrypto opened on first use, see
 * crypto_api.h).
 */
#ifndef LP_CORE_DIGEST_H
#define LP_CORE_DIGEST_H

#include <stddef.h>

/* Writes the 2n lower-case hex digits of bytes[0..n) and a NUL to out
 * (2n + 1 chars, caller's buffer). Cannot fail. */
void lp_hex_encode(const unsigned char *bytes, size_t n, char *out);

/* SHA-256 of bytes[0..len) (bytes may be NULL when len is 0) into out (32
 * bytes, caller's). 0, or LP_ENOTFOUND when libcrypto cannot be opened, or
 * LP_ERROR when OpenSSL fails; the last error says which. */
int lp_sha256(const void *bytes, size_t len, unsigned char out[32]);

/* lp_sha256 spelt as 64 lower-case hex digits and a NUL in out (caller's).
 * Errors as lp_sha256; out is "" on error. */
int lp_sha256_hex(const void *bytes, size_t len, char out[65]);

#endif
