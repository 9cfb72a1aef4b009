/*
 * test_example_checks.c — the C test hooks of examples/plugins/checks
 * (check_source_exists, check_label_counts) called directly, as the workflow
 * test runner calls them: dlopen the built .so, dlsym each function as an
 * lp_test_hook_fn, hand it an lp_hook_ctx built here.
 *
 * Expected counts come from the titanic training file itself (the survived
 * column read here), not from the hook.
 */
#include <criterion/criterion.h>
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "lolpop.h"
#include "lolpop/testing.h"

#define TITANIC LP_SOURCE_ROOT "/examples/quickstart/classification/titanic/data"

static void *dl;
static lp_test_hook_fn source_exists, label_counts;
static char msg[512];

static void setup(void)
{
    dl = dlopen(LP_CHECKS_PLUGIN, RTLD_NOW | RTLD_LOCAL);
    cr_assert_not_null(dl, "dlopen: %s", dlerror());
    /* POSIX allows converting dlsym's void * to a function pointer. */
    *(void **)&source_exists = dlsym(dl, "check_source_exists");
    *(void **)&label_counts = dlsym(dl, "check_label_counts");
    cr_assert(source_exists && label_counts, "hooks not exported");
}

static void teardown(void)
{
    dlclose(dl);
}

TestSuite(example_checks, .init = setup, .fini = teardown);

/* ---- check_source_exists ------------------------------------------------------ */

/* Runs check_source_exists as a pre-hook of transform(source). */
static int pre_hook(lp_value *source)
{
    lp_value *args = lp_value_map();
    if (source) lp_map_set(args, "source", source);
    lp_value *config = lp_value_map();
    lp_hook_ctx ctx = {.method = "transform", .args = args, .config = config};
    msg[0] = '\0';
    int verdict = source_exists(&ctx, msg, sizeof msg);
    lp_value_unref(args);
    lp_value_unref(config);
    return verdict;
}

Test(example_checks, source_exists_passes_for_files_and_frames)
{
    cr_assert_eq(pre_hook(lp_value_string(TITANIC "/train.csv")), LP_TEST_PASS, "%s", msg);
    cr_assert_str_eq(msg, "source '" TITANIC "/train.csv' exists");
    lp_frame *f = lp_frame_new();
    cr_assert_eq(pre_hook(lp_value_frame(f)), LP_TEST_PASS, "%s", msg);
    cr_assert_str_eq(msg, "source is a frame of 0 rows");
    lp_frame_unref(f);
    lp_value *two = lp_value_map();
    lp_map_set(two, "train", lp_value_string(TITANIC "/train.csv"));
    lp_map_set(two, "labels", lp_value_string(TITANIC "/eval_labels.csv"));
    cr_assert_eq(pre_hook(two), LP_TEST_PASS, "%s", msg);
    cr_assert_str_eq(msg, "all 2 sources are there");
}

Test(example_checks, source_exists_fails_on_missing_files)
{
    cr_assert_eq(pre_hook(lp_value_string(TITANIC "/nope.csv")), LP_TEST_FAIL);
    cr_assert_str_eq(msg, "source '" TITANIC "/nope.csv' does not exist");
    cr_assert_eq(pre_hook(lp_value_string(TITANIC)), LP_TEST_FAIL);
    cr_assert(strstr(msg, "is not a regular file"), "%s", msg);
    lp_value *two = lp_value_map();
    lp_map_set(two, "train", lp_value_string(TITANIC "/train.csv"));
    lp_map_set(two, "extra", lp_value_string("missing.csv"));
    cr_assert_eq(pre_hook(two), LP_TEST_FAIL);
    cr_assert_str_eq(msg, "source 'extra' 'missing.csv' does not exist");
}

Test(example_checks, source_exists_errors_when_it_cannot_decide)
{
    cr_assert_eq(pre_hook(NULL), LP_TEST_ERROR);
    cr_assert_str_eq(msg, "transform has no 'source' argument");
    cr_assert_eq(pre_hook(lp_value_int(3)), LP_TEST_ERROR);
    cr_assert_str_eq(msg, "source is int, not a file path or a frame");
}

/* ---- check_label_counts --------------------------------------------------------- */

/* Runs check_label_counts as a post-hook whose method returned `result`
 * (borrowed), with config model_target = target (NULL: not set). */
static int post_hook(const lp_value *result, const char *target)
{
    lp_value *args = lp_value_map();
    lp_value *config = lp_value_map();
    if (target) lp_map_set(config, "model_target", lp_value_string(target));
    lp_hook_ctx ctx = {
        .method = "transform", .args = args, .result = result, .config = config, .is_post = 1};
    msg[0] = '\0';
    int verdict = label_counts(&ctx, msg, sizeof msg);
    lp_value_unref(args);
    lp_value_unref(config);
    return verdict;
}

static lp_frame *titanic(void)
{
    lp_frame *f = NULL;
    cr_assert_eq(lp_csv_read(&f, TITANIC "/train.csv", NULL), 0, "%s", lp_error_last()->message);
    return f;
}

/* f with every row of survived = 0 and only the first max_ones rows of
 * survived = 1 (a new frame value). */
static lp_value *with_survivors(const lp_frame *f, size_t max_ones)
{
    const lp_column *y = lp_frame_col_by_name(f, "survived");
    uint8_t *keep = malloc(lp_frame_rows(f));
    size_t ones = 0;
    for (size_t i = 0; i < lp_frame_rows(f); i++)
        keep[i] = y->data.i64[i] == 0 || ones++ < max_ones;
    lp_frame *g = NULL;
    cr_assert_eq(lp_frame_filter(&g, f, keep), 0);
    free(keep);
    lp_value *v = lp_value_frame(g);
    lp_frame_unref(g);
    return v;
}

Test(example_checks, label_counts_pass_on_the_titanic_data)
{
    lp_frame *f = titanic();
    const lp_column *y = lp_frame_col_by_name(f, "survived");
    size_t n = lp_frame_rows(f), ones = 0;
    for (size_t i = 0; i < n; i++)
        ones += y->data.i64[i] == 1;
    cr_assert_eq(n, 713);
    char want[256];
    snprintf(want, sizeof want, "survived: 0 %zu (%.1f%%), 1 %zu (%.1f%%)", n - ones,
             100.0 * (double)(n - ones) / (double)n, ones, 100.0 * (double)ones / (double)n);
    lp_value *v = lp_value_frame(f);
    cr_assert_eq(post_hook(v, "survived"), LP_TEST_PASS, "%s", msg);
    cr_assert_str_eq(msg, want);
    /* Eval data has no labels: nothing to check, and that is not a failure. */
    cr_assert_eq(post_hook(v, "label"), LP_TEST_PASS);
    cr_assert_str_eq(msg, "no 'label' column: unlabelled data, nothing to check");
    lp_value_unref(v);
    lp_frame_unref(f);
}

Test(example_checks, label_counts_fail_on_rare_or_single_classes)
{
    lp_frame *f = titanic();
    /* 447 zeros: 49 ones are 9.9 % of 496 rows, 50 are 10.1 % of 497. */
    lp_value *rare = with_survivors(f, 49);
    cr_assert_eq(post_hook(rare, "survived"), LP_TEST_FAIL, "%s", msg);
    cr_assert_str_eq(msg, "class 1 is under 10% of the rows: survived: 0 447 (90.1%), 1 49 (9.9%)");
    lp_value_unref(rare);
    lp_value *enough = with_survivors(f, 50);
    cr_assert_eq(post_hook(enough, "survived"), LP_TEST_PASS, "%s", msg);
    lp_value_unref(enough);
    lp_value *none = with_survivors(f, 0);
    cr_assert_eq(post_hook(none, "survived"), LP_TEST_FAIL);
    cr_assert_str_eq(msg, "a single class, nothing to learn: survived: 0 447 (100.0%)");
    lp_value_unref(none);
    /* A float column with hundreds of values is no class label. */
    lp_value *v = lp_value_frame(f);
    cr_assert_eq(post_hook(v, "fare"), LP_TEST_FAIL);
    cr_assert_str_eq(msg, "'fare' has more than 64 distinct values: not a class label");
    lp_value_unref(v);
    lp_frame_unref(f);
}

Test(example_checks, label_counts_see_missing_labels)
{
    lp_column_builder *b = lp_column_builder_new(LP_DT_STRING, 4);
    lp_column_builder_append_str(b, "yes", 3);
    lp_column_builder_append_null(b);
    lp_column_builder_append_str(b, "no", 2);
    lp_column_builder_append_str(b, "yes", 3);
    lp_column *y = lp_column_builder_finish(b);
    lp_frame *f = lp_frame_new();
    cr_assert_eq(lp_frame_add_column(f, "alive", y), 0);
    lp_value *v = lp_value_frame(f);
    cr_assert_eq(post_hook(v, "alive"), LP_TEST_FAIL);
    cr_assert_str_eq(msg, "'alive' has 1 missing labels of 4 rows");
    lp_value_unref(v);
    lp_frame_unref(f);
}

Test(example_checks, label_counts_error_when_they_cannot_decide)
{
    lp_value *s = lp_value_string("not a frame");
    cr_assert_eq(post_hook(s, "survived"), LP_TEST_ERROR);
    cr_assert_str_eq(msg, "the result is string, not a frame");
    lp_value_unref(s);
    lp_frame *f = titanic();
    lp_value *v = lp_value_frame(f);
    cr_assert_eq(post_hook(v, NULL), LP_TEST_ERROR);
    cr_assert_str_eq(msg, "config model_target is not set: which column holds the labels?");
    lp_value_unref(v);
    lp_frame_unref(f);
}

/* The .so is also a plugin (with nothing to register): it may sit in a plugin directory. */
Test(example_checks, the_library_loads_as_a_plugin)
{
    lp_registry *reg = lp_registry_new();
    size_t before = lp_registry_class_count(reg);
    cr_assert_eq(lp_registry_load_plugin(reg, LP_CHECKS_PLUGIN), 0, "%s", lp_error_last()->message);
    cr_assert_eq(lp_registry_class_count(reg), before);
    lp_registry_free(reg);
}
