/*
 * work_scale.h — how many random cases a unit test draws. Under valgrind
 * (scripts/valgrind-suite sets LOLPOP_T_TIME_SCALE) a program runs 20-50x
 * slower; memcheck checks every access of every case, so a tenth of the
 * random cases exercises the same code paths for it, while the normal and
 * ASan runs keep the full count that finds rare wrong answers.
 */
#ifndef LP_TEST_WORK_SCALE_H
#define LP_TEST_WORK_SCALE_H

#include <stdlib.h>

/* `n`, or n/10 (at least 1) when LOLPOP_T_TIME_SCALE is above 1. */
static inline int lp_t_cases(int n)
{
    const char *s = getenv("LOLPOP_T_TIME_SCALE");
    if (!s || strtol(s, NULL, 10) <= 1) return n;
    return n / 10 > 0 ? n / 10 : 1;
}

#endif
