/*
 * test_data_profile.c — `lolpop data profile` and `lolpop data compare` end
 * to end: exit codes (0, and 2 with one clear message on bad input), the
 * stdout summary and the --json shape, the report files, the numbers
 * against the scipy fixtures (tests/fixtures/profiler/drift.json), and the
 * HTML rendered by headless Chromium (--dump-dom) with its key numbers in
 * the DOM and a screenshot kept in the build directory.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

#define FIXTURES LP_SOURCE_ROOT "/tests/fixtures"
#define PROF     FIXTURES "/profiler"
#define DEADLINE 60000

static char dir[64];

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/lolpop-dprof-XXXXXX");
    cr_assert_not_null(lp_tmpdir_make(dir));
}

static void teardown(void)
{
    lp_tmpdir_remove(dir);
}

TestSuite(data_profile, .init = setup, .fini = teardown, .timeout = 120);

static lp_run lolpop(const char *const *args)
{
    return lp_run_exe(LP_LOLPOP_EXE, dir, NULL, args, DEADLINE);
}

static const char *in_dir(const char *name)
{
    static char buf[4][256];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k];
}

Test(data_profile, profile_prints_a_summary_and_writes_the_report)
{
    lp_run r = lolpop(
        (const char *[]){"data", "profile", FIXTURES "/data/titanic.csv", "-o", "t.html", NULL});
    LP_EXPECT_EXIT(r, 0);
    cr_assert(strstr(r.out, "891 rows, 15 columns, 107 duplicate rows"), "%s", r.out);
    cr_assert(strstr(r.out, "deck is 77.2% missing"), "%s", r.out);
    cr_assert(strstr(r.out, "report: t.html"), "%s", r.out);
    cr_assert(strstr(r.err, "profile report"), "logs go to stderr: %s", r.err);
    cr_assert_eq(access(in_dir("t.html"), R_OK), 0);
    cr_assert_eq(access(in_dir("t.json"), R_OK), 0);
    lp_run_free(&r);
}

Test(data_profile, profile_json_is_the_report)
{
    lp_run r =
        lolpop((const char *[]){"data", "profile", FIXTURES "/data/titanic.csv", "--json", NULL});
    LP_EXPECT_EXIT(r, 0);
    json_error_t err;
    json_t *j = json_loads(r.out, 0, &err);
    cr_assert_not_null(j, "stdout is JSON: %s\n%s", err.text, r.out);
    cr_assert_eq(json_integer_value(json_object_get(j, "rows")), 891);
    cr_assert_eq(json_array_size(json_object_get(j, "variables")), 15);
    cr_assert(json_is_object(json_object_get(j, "correlations")));
    cr_assert(json_is_array(json_object_get(j, "alerts")));
    cr_assert_str_eq(json_string_value(json_object_get(j, "path")), "profile.html");
    cr_assert_eq(access(in_dir("profile.html"), R_OK), 0, "the default -o");
    json_decref(j);
    lp_run_free(&r);
}

Test(data_profile, compare_prints_one_line_per_column_and_the_verdict)
{
    lp_run r = lolpop((const char *[]){"data", "compare", PROF "/small_old.csv",
                                       PROF "/small_new.csv", "-o", "d.html", NULL});
    LP_EXPECT_EXIT(r, 0);
    json_t *want = json_load_file(PROF "/drift.json", 0, NULL);
    const json_t *cols = json_object_get(json_object_get(want, "small"), "columns");
    for (size_t i = 0; i < json_array_size(cols); i++) {
        const json_t *c = json_array_get(cols, i);
        const char *name = json_string_value(json_object_get(c, "column"));
        const char *line = strstr(r.out, name);
        cr_assert(line, "no line for %s:\n%s", name, r.out);
        const char *eol = strchr(line, '\n');
        char buf[256];
        snprintf(buf, sizeof buf, "%.*s", (int)(eol - line), line);
        cr_assert(strstr(buf, json_string_value(json_object_get(c, "method"))), "%s", buf);
        bool drifted = json_is_true(json_object_get(c, "drifted"));
        cr_assert(strstr(buf, drifted ? " drifted" : "not drifted"), "%s", buf);
        if (drifted) cr_assert_null(strstr(buf, "not drifted"), "%s", buf);
    }
    bool ds = json_is_true(json_object_get(json_object_get(want, "small"), "dataset_drift"));
    cr_assert(strstr(r.out, ds ? "dataset drift: yes" : "dataset drift: no"), "%s", r.out);
    cr_assert_eq(access(in_dir("d.html"), R_OK), 0);
    json_decref(want);
    lp_run_free(&r);
}

Test(data_profile, compare_json_has_the_documented_shape)
{
    lp_run r = lolpop((const char *[]){"data", "compare", PROF "/large_old.csv",
                                       PROF "/large_new.csv", "--json", NULL});
    LP_EXPECT_EXIT(r, 0);
    json_error_t err;
    json_t *j = json_loads(r.out, 0, &err), *want = json_load_file(PROF "/drift.json", 0, NULL);
    cr_assert_not_null(j, "stdout is JSON: %s\n%s", err.text, r.out);
    const json_t *cols = json_object_get(j, "columns");
    const json_t *wcols = json_object_get(json_object_get(want, "large"), "columns");
    cr_assert_eq(json_array_size(cols), json_array_size(wcols));
    for (size_t i = 0; i < json_array_size(cols); i++) {
        const json_t *c = json_array_get(cols, i), *w = json_array_get(wcols, i);
        cr_assert(json_is_string(json_object_get(c, "column")));
        cr_assert(json_is_string(json_object_get(c, "method")));
        cr_assert(json_is_number(json_object_get(c, "statistic")));
        cr_assert(json_is_number(json_object_get(c, "threshold")));
        cr_assert(json_is_boolean(json_object_get(c, "drifted")));
        double got = json_number_value(json_object_get(c, "statistic"));
        double exp = json_number_value(json_object_get(w, "statistic"));
        cr_assert(fabs(got - exp) <= 1e-9, "%s: %.17g vs scipy %.17g",
                  json_string_value(json_object_get(c, "column")), got, exp);
    }
    cr_assert(json_is_boolean(json_object_get(j, "dataset_drift")));
    cr_assert_eq(json_is_true(json_object_get(j, "dataset_drift")),
                 json_is_true(json_object_get(json_object_get(want, "large"), "dataset_drift")));
    json_decref(j);
    json_decref(want);
    lp_run_free(&r);
}

/* Exit 2 with one clear message on stderr and nothing on stdout. */
static void bad(const char *const *args, const char *message)
{
    lp_run r = lolpop(args);
    LP_EXPECT_EXIT(r, 2);
    cr_assert(strstr(r.err, message), "expected '%s' in:\n%s", message, r.err);
    cr_assert_str_eq(r.out, "", "nothing on stdout: %s", r.out);
    lp_run_free(&r);
}

Test(data_profile, bad_input_exits_2_with_one_message)
{
    bad((const char *[]){"data", "profile", "no/such.csv", NULL}, "no/such.csv");
    bad((const char *[]){"data", "profile", NULL}, "the FILE is missing");
    bad((const char *[]){"data", "compare", PROF "/small_old.csv", NULL}, "NEW is missing");
    bad((const char *[]){"data", "compare", NULL}, "OLD and NEW are missing");
    bad((const char *[]){"data", "compare", PROF "/small_old.csv", "missing.csv", NULL},
        "missing.csv");
    bad((const char *[]){"data", "profile", PROF, NULL}, "is a directory");
    bad((const char *[]){"data", "profile", PROF "/small_old.csv", "-o", "nodir/x.html", NULL},
        "does not exist");
    bad((const char *[]){"data", "profil", "x.csv", NULL}, "did you mean 'profile'");
    lp_write_file(dir, "empty.csv", "a,b\n");
    bad((const char *[]){"data", "profile", "empty.csv", NULL}, "no data rows");
}

/* ---- the HTML in a real browser ---------------------------------------------------- */

static bool have_chromium(void)
{
    return access("/usr/bin/chromium", X_OK) == 0;
}

/* The DOM Chromium builds from file (its --dump-dom output). */
static char *dump_dom(const char *file)
{
    char url[512];
    snprintf(url, sizeof url, "file://%s", file);
    lp_run r = lp_run_exe(
        "/usr/bin/chromium", dir, (const char *[]){"HOME=/tmp", NULL},
        (const char *[]){"--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", url, NULL},
        DEADLINE);
    cr_assert_eq(r.status, 0, "chromium failed: %s", r.err);
    char *dom = r.out;
    r.out = NULL;
    lp_run_free(&r);
    return dom;
}

static void screenshot(const char *file, const char *png)
{
    char url[512], arg[512];
    snprintf(url, sizeof url, "file://%s", file);
    snprintf(arg, sizeof arg, "--screenshot=%s/%s", LP_BUILD_DIR, png);
    lp_run r = lp_run_exe("/usr/bin/chromium", dir, (const char *[]){"HOME=/tmp", NULL},
                          (const char *[]){"--headless", "--no-sandbox", "--disable-gpu", arg,
                                           "--window-size=1200,2000", url, NULL},
                          DEADLINE);
    cr_assert_eq(r.status, 0, "chromium failed: %s", r.err);
    lp_run_free(&r);
}

Test(data_profile, reports_render_in_headless_chromium)
{
    if (!have_chromium()) {
        cr_skip_test("chromium is not installed (Debian package chromium): the HTML reports "
                     "were not rendered");
    }
    lp_run r = lolpop(
        (const char *[]){"data", "profile", FIXTURES "/data/titanic.csv", "-o", "p.html", NULL});
    LP_EXPECT_EXIT(r, 0);
    lp_run_free(&r);
    r = lolpop((const char *[]){"data", "compare", PROF "/small_old.csv", PROF "/small_new.csv",
                                "-o", "d.html", NULL});
    LP_EXPECT_EXIT(r, 0);
    lp_run_free(&r);
    char *dom = dump_dom(in_dir("p.html"));
    cr_assert(strstr(dom, "<svg"), "histograms are drawn");
    cr_assert(strstr(dom, "data-key=\"rows\">891<"), "rows in the DOM");
    cr_assert(strstr(dom, "data-key=\"duplicate_rows\">107<"), "duplicates in the DOM");
    cr_assert(strstr(dom, "data-stat=\"mean\" data-column=\"age\">29.6991<"), "age's mean");
    cr_assert(strstr(dom, "deck is 77.2% missing"), "the alert");
    free(dom);
    dom = dump_dom(in_dir("d.html"));
    cr_assert(strstr(dom, "data-key=\"dataset_drift\">detected<"), "the verdict");
    cr_assert(strstr(dom, "data-key=\"drifted_columns\">3<"), "drifted columns");
    cr_assert(strstr(dom, "data-column=\"income\" data-stat=\"statistic\">0.289855<"),
              "income's p-value");
    free(dom);
    screenshot(in_dir("p.html"), "data_profile.png");
    screenshot(in_dir("d.html"), "data_drift.png");
}
