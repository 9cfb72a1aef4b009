/*
 * encoders_math.c — the two places where matching scikit-learn to the last
 * bit needs numpy's exact behaviour: summation order and float formatting.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "encoders.h"

/* numpy's pairwise summation (DOUBLE_pairwise_sum, PW_BLOCKSIZE 128). */
static double pairwise(const double *a, size_t n)
{
    if (n < 8) {
        double res = 0.;
        for (size_t i = 0; i < n; i++)
            res += a[i];
        return res;
    }
    if (n <= 128) {
        double r[8];
        size_t i;
        memcpy(r, a, sizeof r);
        for (i = 8; i < n - (n % 8); i += 8)
            for (size_t j = 0; j < 8; j++)
                r[j] += a[i + j];
        double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; i++)
            res += a[i];
        return res;
    }
    size_t n2 = n / 2;
    n2 -= n2 % 8;
    return pairwise(a, n2) + pairwise(a + n2, n - n2);
}

/* numpy's add.reduce over a contiguous array: the iterator hands the inner
 * loop buffers of 8192 elements, each summed pairwise into the accumulator.
 * (Checked against numpy 1.24 for n from 1 to 100000.) */
double lp_np_sum(const double *x, size_t n)
{
    enum { BUFSIZE = 8192 };
    double s = 0.;
    for (size_t k = 0; k < n; k += BUFSIZE)
        s += pairwise(x + k, n - k < BUFSIZE ? n - k : BUFSIZE);
    return s;
}

/* Python's float repr: the shortest digits that round-trip, positional when
 * the decimal exponent is in [-4, 16), with ".0" on integral values. Used for
 * one-hot column names of float categories ("age_22.0"), as sklearn makes them. */
void lp_py_repr(double v, char *buf, size_t size)
{
    if (isnan(v)) {
        snprintf(buf, size, "nan");
        return;
    }
    if (isinf(v)) {
        snprintf(buf, size, v < 0 ? "-inf" : "inf");
        return;
    }
    int p = 1;
    char tmp[64];
    for (; p < 17; p++) {
        snprintf(tmp, sizeof tmp, "%.*e", p - 1, v);
        if (strtod(tmp, NULL) == v) break;
    }
    snprintf(tmp, sizeof tmp, "%.*e", p - 1, v);
    int exp10 = atoi(strchr(tmp, 'e') + 1);
    if (exp10 < -4 || exp10 >= 16) {
        snprintf(buf, size, "%s", tmp);
        return;
    }
    int decimals = p - 1 - exp10;
    if (decimals < 1) decimals = 1;
    snprintf(buf, size, "%.*f", decimals, v);
}
