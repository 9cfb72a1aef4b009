/*
 * float_parse.c — decimal to double, correctly rounded, without strtod for
 * almost every input: the Eisel-Lemire algorithm (Daniel Lemire, "Number
 * Parsing at a Gigabyte per Second", 2021; the formulation of Nigel Tao's
 * Wuffs and Go's strconv). It multiplies the decimal mantissa by a 128-bit
 * approximation of the power of ten and gives up — the caller then uses
 * strtod — in the rare cases where the approximation cannot decide the
 * rounding. Every result it does return is the one strtod returns
 * (tests/unit/test_float_parse.c checks that on random and edge inputs).
 */
#include <string.h>

#include "data/csv_internal.h"
#include "data/pow10_table.h"

__extension__ typedef unsigned __int128 u128; /* GCC and Clang on 64-bit targets */

bool lp_f64_eisel_lemire(double *out, uint64_t mant, int exp10, bool neg)
{
    if (mant == 0) {
        *out = neg ? -0.0 : 0.0;
        return true;
    }
    if (exp10 < LP_POW10_MIN || exp10 > LP_POW10_MAX) return false;
    /* normalise the mantissa: top bit set */
    int clz = __builtin_clzll(mant);
    mant <<= clz;
    uint64_t ret_exp2 = (uint64_t)(((217706 * exp10) >> 16) + 64 + 1023) - (uint64_t)clz;
    const uint64_t *p = lp_pow10_128[exp10 - LP_POW10_MIN];
    u128 x = (u128)mant * p[0];
    uint64_t x_hi = (uint64_t)(x >> 64), x_lo = (uint64_t)x;
    /* the truncated table can be short by up to mant in x_lo: when that could
     * carry into the bits that decide the rounding, use the low 64 bits too */
    if ((x_hi & 0x1FF) == 0x1FF && x_lo + mant < mant) {
        u128 y = (u128)mant * p[1];
        uint64_t y_hi = (uint64_t)(y >> 64), y_lo = (uint64_t)y;
        uint64_t m_hi = x_hi, m_lo = x_lo + y_hi;
        if (m_lo < x_lo) m_hi++;
        if ((m_hi & 0x1FF) == 0x1FF && m_lo + 1 == 0 && y_lo + mant < mant) return false;
        x_hi = m_hi, x_lo = m_lo;
    }
    /* 54 significant bits, then round half to even to 53 */
    uint64_t msb = x_hi >> 63;
    uint64_t ret_mant = x_hi >> (msb + 9);
    ret_exp2 -= 1 ^ msb;
    if (x_lo == 0 && (x_hi & 0x1FF) == 0 && (ret_mant & 3) == 1)
        return false; /* exactly half way as far as we can see: undecidable here */
    ret_mant += ret_mant & 1;
    ret_mant >>= 1;
    if (ret_mant >> 53) {
        ret_mant >>= 1;
        ret_exp2++;
    }
    if (ret_exp2 - 1 >= 0x7FF - 1) return false; /* subnormal, zero or infinite: strtod */
    uint64_t bits = ret_exp2 << 52 | (ret_mant & 0x000FFFFFFFFFFFFFULL);
    if (neg) bits |= 0x8000000000000000ULL;
    memcpy(out, &bits, sizeof *out);
    return true;
}
