/* Unit tests for lp_utf8_valid. */
#include <criterion/criterion.h>
#include <string.h>

#include "lolpop/config.h"

static void expect_bad(const char *s, size_t len, size_t at)
{
    size_t off = 12345;
    cr_assert_not(lp_utf8_valid(s, len, &off), "expected invalid");
    cr_assert_eq(off, at, "bad offset %zu, expected %zu", off, at);
}

Test(utf8, accepts_valid_text)
{
    static const char bom[] = "\xEF\xBB\xBF"
                              "bom";
    const char *ok[] = {"",        "plain ascii", "héllo wörld",     "日本語",
                        "emoji 😀", bom,           "\xF4\x8F\xBF\xBF"};
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++)
        cr_assert(lp_utf8_valid(ok[i], strlen(ok[i]), NULL), "case %zu", i);
}

Test(utf8, rejects_invalid_sequences_at_their_offset)
{
    expect_bad("ab\xFF", 3, 2);
    expect_bad("a\xC0\xAF", 3, 1);        /* overlong '/' */
    expect_bad("\xE0\x80\xAF", 3, 0);     /* overlong 3-byte */
    expect_bad("x\xED\xA0\x80", 4, 1);    /* UTF-16 surrogate */
    expect_bad("\xF4\x90\x80\x80", 4, 0); /* above U+10FFFF */
    expect_bad("ok\xC3", 3, 2);           /* truncated at end */
    expect_bad("\xE2\x82"
               "x",
               3, 0);                         /* bad continuation */
    expect_bad("\x80", 1, 0);                 /* lone continuation */
    expect_bad("\xF8\x88\x80\x80\x80", 5, 0); /* 5-byte form */
}
