/* Unit tests for diag.h: collecting and printing problems. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lolpop/diag.h"

Test(diag, counts_and_prints_with_location_and_section)
{
    lp_diags d;
    lp_diags_init(&d);
    lp_origin o = {LP_ORIGIN_FILE, lp_origin_intern("t.yaml"), 3, 5, 0};
    lp_diags_add(&d, LP_SEV_ERROR, &o, "train.model_trainer", "unknown class '%s'", "Foo");
    lp_diags_add(&d, LP_SEV_WARNING, NULL, "", "unknown key 'x'");
    cr_assert_eq(lp_diags_errors(&d), 1);
    cr_assert_eq(lp_diags_warnings(&d), 1);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    lp_diags_print(&d, f, 0);
    fclose(f);
    cr_assert_str_eq(buf, "t.yaml:3:5: error: [train.model_trainer] unknown class 'Foo'\n"
                          "warning: unknown key 'x'\n");
    free(buf);
    lp_diags_clear(&d);
    cr_assert_eq(d.len, 0);
    lp_diags_clear(&d);
}

Test(diag, grows_past_initial_capacity)
{
    lp_diags d;
    lp_diags_init(&d);
    for (int i = 0; i < 1000; i++)
        lp_diags_add(&d, LP_SEV_ERROR, NULL, NULL, "problem %d", i);
    cr_assert_eq(lp_diags_errors(&d), 1000);
    cr_assert_str_eq(d.items[999].message, "problem 999");
    cr_assert_str_eq(d.items[0].section, "");
    lp_diags_clear(&d);
}
