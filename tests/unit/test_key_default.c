/*
 * test_key_default.c — the default a configuration key's doc states (issue
 * 11 Fix 14): the one convention of core/key_default.h, on the phrasings the
 * built-in and example classes use, and what it must not take for a default.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "core/key_default.h"
#include "lolpop/config.h"

static void expect_default(const char *doc, const char *type, const char *want)
{
    char *got = lp_key_doc_default(doc, type);
    if (!want) {
        cr_expect_null(got, "%s: got '%s', want no default", doc, got ? got : "");
    } else {
        cr_assert_not_null(got, "%s: no default found, want '%s'", doc, want);
        cr_expect_str_eq(got, want, "%s", doc);
    }
    free(got);
}

Test(key_default, parenthesised)
{
    expect_default("histogram bins of a profile (default 20)", "int", "20");
    expect_default("directory of the reports (default .lolpop/reports)", "string",
                   ".lolpop/reports");
    expect_default("the columns that make two rows duplicates (default: all columns)", "list",
                   "all columns");
    expect_default("cross_validate: values before the first origin (default max(3 x cv_horizon, "
                   "2 seasons))",
                   "int", "max(3 x cv_horizon, 2 seasons)");
    expect_default("lowest level written: TRACE, DEBUG, INFO, WARN or ERROR (default INFO; "
                   "inherited from the runner's config)",
                   "string", "INFO");
    expect_default("plots to draw (default all that apply): roc, pr", "list", "all that apply");
    expect_default("the back-end's importances (default [gain, weight, cover])", "list",
                   "[gain, weight, cover]");
}

Test(key_default, after_a_semicolon_or_comma)
{
    expect_default("2 or 3 fractions summing to 1: train, valid [, test]; default [0.8, 0.2]",
                   "list", "[0.8, 0.2]");
    expect_default("attempts after the first one fails (0..10, default 3)", "int", "3");
    expect_default("the metadata store (SQLite file); default: the metadata_tracker's store, "
                   "else .lolpop/lolpop.db.",
                   "string", "the metadata_tracker's store, else .lolpop/lolpop.db");
    expect_default("prune trials (after 5; judged on the final score; default true)", "bool",
                   "true");
}

Test(key_default, one_of_several_alternatives)
{
    expect_default("random (default), stratified (by model_target) or time", "string", "random");
    expect_default("when the target table exists: append (default), replace or fail", "string",
                   "append");
    expect_default("try (default; upgrade when offered), required, or never", "string", "try");
}

Test(key_default, no_default_of_its_own)
{
    /* a map's doc states its entries' defaults, not its own */
    expect_default("XGBoost's own parameters plus num_boost_round (default 100)", "map", NULL);
    /* inside {...} or [...]: an entry's */
    expect_default("column -> {privileged: [values] (default: the most frequent group)}", "any",
                   NULL);
    /* "default" as an ordinary word */
    expect_default("classification or regression (usually a default of the runner): decides the "
                   "default objective",
                   "string", NULL);
    expect_default("severities of the defaults", "string", NULL);
    expect_default("stderr (the default: standard output carries the results) or stdout", "string",
                   NULL);
    expect_default("the column to predict", "string", NULL);
    expect_default(NULL, "string", NULL);
    expect_default("ends with default", "string", NULL);
    expect_default("(default)", "string", NULL);
}

/* The class's defaults_yaml wins over the doc: it is what the configuration is merged over. */
Test(key_default, class_defaults_first)
{
    lp_value *defaults = NULL;
    lp_diags d;
    lp_diags_init(&d);
    const char yaml[] = "greeting: Hello\n";
    cr_assert_eq(lp_yaml_parse(&defaults, yaml, strlen(yaml), "test", &d), 0);
    lp_diags_clear(&d);
    lp_config_key greeting = {"Greeting", "string", "the word before the name (default Hi)"};
    lp_config_key name = {"name", "string", "who is greeted (default: World)"};
    lp_config_key other = {"other", "string", "undocumented default"};
    char *g = lp_key_default(&greeting, defaults), *n = lp_key_default(&name, defaults);
    cr_expect_str_eq(g, "\"Hello\"");
    cr_expect_str_eq(n, "World");
    cr_expect_null(lp_key_default(&other, defaults));
    cr_expect_null(lp_key_default(&other, NULL));
    free(g);
    free(n);
    lp_value_unref(defaults);
}
