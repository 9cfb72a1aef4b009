/*
 * test_profiler_wiring.c — OfflineProcess's profile_data and compare_data
 * steps with LocalDataProfiler configured (tests/fixtures/profiler/
 * titanic_profiler.yaml over the titanic quickstart): the steps run instead
 * of being skipped, the HTML reports exist, and the metadata store records
 * them (`lolpop runs show latest --json` lists a profile and, on the second
 * run, a comparison).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

#define DEADLINE_MS 600000L

static char dir_buf[64];
static const char *dir;

static void setup(void)
{
    snprintf(dir_buf, sizeof dir_buf, "/tmp/lolpop-wfprof-XXXXXX");
    dir = lp_tmpdir_make(dir_buf);
    lp_copy_example(LP_TITANIC_EXAMPLE, dir);
    char *yaml = lp_read_file(LP_SOURCE_ROOT "/tests/fixtures/profiler/titanic_profiler.yaml");
    cr_assert_not_null(yaml);
    lp_write_file(dir, "titanic_profiler.yaml", yaml);
    free(yaml);
}

static void teardown(void)
{
    lp_tmpdir_remove(dir);
}

TestSuite(profiler_wiring, .init = setup, .fini = teardown, .timeout = 900);

static lp_run run(void)
{
    return lp_run_exe(LP_LOLPOP_EXE, dir, NULL,
                      (const char *const[]){"run", "workflow", "ClassificationRunner", "-c",
                                            "titanic.yaml", "-c", "titanic_profiler.yaml", NULL},
                      DEADLINE_MS);
}

/* The path after "<kind> report: " in the log, copied into buf. */
static const char *logged_report(const char *log, const char *kind, char *buf, size_t size)
{
    char key[64];
    snprintf(key, sizeof key, "%s report: ", kind);
    const char *p = strstr(log, key);
    cr_assert_not_null(p, "no '%s' in the log:\n%s", key, log);
    p += strlen(key);
    snprintf(buf, size, "%s/%.*s", dir, (int)strcspn(p, "\n"), p);
    return buf;
}

Test(profiler_wiring, process_profiles_and_compares_with_the_profiler_configured)
{
    lp_run r = run();
    LP_EXPECT_EXIT(r, 0);
    const char *all = r.err; /* logs are on stderr */
    cr_assert_null(strstr(all, "profile_data: skipped"), "%s", all);
    char path[512];
    logged_report(all, "profile", path, sizeof path);
    cr_assert_eq(access(path, R_OK), 0, "%s", path);
    char *html = lp_read_file(path);
    cr_assert(html && strstr(html, "<svg") && strstr(html, "data-key=\"rows\""), "an HTML profile");
    free(html);
    lp_run_free(&r);

    r = run(); /* the second run has an earlier version to compare with */
    LP_EXPECT_EXIT(r, 0);
    logged_report(r.err, "drift", path, sizeof path);
    cr_assert_eq(access(path, R_OK), 0, "%s", path);
    lp_run_free(&r);

    r = lp_run_exe(LP_LOLPOP_EXE, dir, NULL,
                   (const char *const[]){"runs", "show", "latest", "--json", NULL}, DEADLINE_MS);
    LP_EXPECT_EXIT(r, 0);
    cr_assert(strstr(r.out, "\"kind\": \"profile\""), "the store records the profile");
    cr_assert(strstr(r.out, "\"kind\": \"comparison\""), "the store records the comparison");
    cr_assert(strstr(r.out, ".lolpop/reports/drift-"), "with its file");
    lp_run_free(&r);
}
