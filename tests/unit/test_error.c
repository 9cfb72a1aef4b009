/* Unit tests for error.h: last error, locations, prefixes, the context chain. */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "core/internal.h"
#include "lolpop/error.h"

Test(error, set_records_code_and_message)
{
    lp_error_clear();
    cr_assert_eq(lp_error_last()->code, 0);
    int rc = lp_error_set(LP_ENOTFOUND, "no class '%s'", "Foo");
    cr_assert_eq(rc, LP_ENOTFOUND);
    cr_assert_eq(lp_error_last()->code, LP_ENOTFOUND);
    cr_assert_str_eq(lp_error_last()->message, "no class 'Foo'");
    cr_assert_null(lp_error_last()->file);
    lp_error_clear();
    cr_assert_null(lp_error_last()->message);
}

Test(error, set_at_formats_location)
{
    lp_error_set_at(LP_ECONFIG, "wf.yaml", 4, 9, "bad %s", "thing");
    char *s = lp_error_format();
    cr_assert_str_eq(s, "wf.yaml:4:9: bad thing");
    free(s);
    lp_error_clear();
}

Test(error, context_chain_is_captured_when_set)
{
    lp_error_context_push("ClassificationRunner.train_model");
    lp_error_context_push("OfflineTrain.train_model");
    lp_error_context_push("XGBoostModelTrainer.fit");
    cr_assert_str_eq(lp_error_context(),
                     "ClassificationRunner.train_model → OfflineTrain.train_model → "
                     "XGBoostModelTrainer.fit");
    lp_error_set(LP_EWORKFLOW, "label column 'survived' has 3 missing values");
    lp_error_context_pop();
    lp_error_context_pop();
    lp_error_context_pop();
    cr_assert_str_eq(lp_error_context(), "");
    char *s = lp_error_format();
    cr_assert_str_eq(s, "ClassificationRunner.train_model → OfflineTrain.train_model → "
                        "XGBoostModelTrainer.fit: label column 'survived' has 3 missing values");
    free(s);
    lp_error_clear();
}

Test(error, prefix_prepends_context)
{
    lp_error_set(LP_EIO, "permission denied");
    lp_error_prefix("opening '%s'", "/x");
    cr_assert_str_eq(lp_error_last()->message, "opening '/x': permission denied");
    cr_assert_eq(lp_error_last()->code, LP_EIO);
    lp_error_clear();
}

Test(error, pop_on_empty_chain_is_harmless)
{
    lp_error_context_pop();
    cr_assert_str_eq(lp_error_context(), "");
}

Test(error, deep_chain_is_truncated_not_overflowed)
{
    for (int i = 0; i < 100; i++)
        lp_error_context_push("A.b");
    const char *ctx = lp_error_context();
    cr_assert(strstr(ctx, "…") != NULL);
    for (int i = 0; i < 100; i++)
        lp_error_context_pop();
    cr_assert_str_eq(lp_error_context(), "");
}

/* lp_error_save / lp_error_restore: the saved error comes back as it was
 * (code, message, position) after another one was set; nothing saved clears. */
Test(error, saved_error_is_restored_after_another)
{
    lp_error_set_at(LP_ECONFIG, "a.yaml", 3, 7, "first %d", 1);
    lp_saved_error saved;
    lp_error_save(&saved);
    lp_error_set(LP_EIO, "second");
    lp_error_restore(&saved);
    const lp_error *e = lp_error_last();
    cr_assert_eq(e->code, LP_ECONFIG);
    cr_assert_str_eq(e->message, "first 1");
    cr_assert_str_eq(e->file, "a.yaml");
    cr_assert_eq(e->line, 3);
    cr_assert_eq(e->col, 7);
    lp_error_clear();
    lp_error_save(&saved);
    lp_error_set(LP_EIO, "later");
    lp_error_restore(&saved);
    cr_assert_eq(lp_error_last()->code, 0);
}
