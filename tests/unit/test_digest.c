/*
 * test_digest.c — SHA-256 and hex text (core/digest.h): the FIPS 180-2
 * example digests, the empty input, and hex of every byte value.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "core/digest.h"

Test(digest, sha256_hex_matches_the_published_examples)
{
    char hex[65];
    cr_assert_eq(lp_sha256_hex("abc", 3, hex), 0);
    cr_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    cr_assert_eq(lp_sha256_hex(two, strlen(two), hex), 0);
    cr_assert_str_eq(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

Test(digest, empty_input_may_be_null)
{
    char hex[65];
    cr_assert_eq(lp_sha256_hex(NULL, 0, hex), 0);
    cr_assert_str_eq(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

Test(digest, raw_digest_and_hex_agree)
{
    unsigned char d[32];
    char a[65], b[65];
    cr_assert_eq(lp_sha256("lolpop", 6, d), 0);
    lp_hex_encode(d, sizeof d, a);
    cr_assert_eq(lp_sha256_hex("lolpop", 6, b), 0);
    cr_assert_str_eq(a, b);
}

Test(digest, hex_of_every_byte_is_two_lower_case_digits)
{
    unsigned char all[256];
    for (int i = 0; i < 256; i++)
        all[i] = (unsigned char)i;
    char out[513];
    lp_hex_encode(all, sizeof all, out);
    cr_assert_eq(strlen(out), 512);
    for (int i = 0; i < 256; i++) {
        char want[3];
        snprintf(want, sizeof want, "%02x", i);
        cr_assert(out[2 * i] == want[0] && out[2 * i + 1] == want[1], "byte %d", i);
    }
    lp_hex_encode(all, 0, out);
    cr_assert_str_eq(out, "");
}
