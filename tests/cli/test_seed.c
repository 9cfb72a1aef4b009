/*
 * test_seed.c — `lolpop seed file SOURCE TARGET -c CLASS --set …` end to end:
 * the real binary loads a CSV into a real SQLite file (checked with SQLite
 * itself), and every usage or write problem gets its message and exit code.
 *
 * The process helpers (fork/exec with pipes and a deadline, a fresh temporary
 * directory per test) follow tests/cli/test_cli.c.
 */
#include <criterion/criterion.h>

#include "harness.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef LP_LOLPOP_EXE
#error "LP_LOLPOP_EXE must name the lolpop binary"
#endif

#define DEADLINE_MS 60000 /* generous: sanitizer builds are slow */

typedef lp_run result; /* status, out, err */

static char tmpdir[] = "/tmp/lolpop-seed-XXXXXX";

static void setup(void)
{
    lp_tmpdir_make(tmpdir);
}

static void teardown(void)
{
    lp_tmpdir_remove(tmpdir);
}

TestSuite(seed, .init = setup, .fini = teardown, .timeout = 120);

/* ---- helpers ---------------------------------------------------------------- */

/* Full path of `name` in the test's directory (harness ring buffers). */
static const char *tmp_path(const char *name)
{
    return lp_path_in(tmpdir, name);
}

static const char *write_file(const char *name, const char *text)
{
    return lp_write_file(tmpdir, name, text);
}

/* Runs lolpop with args (NULL-terminated) and extra env, in tmpdir (harness.c). */
static result run_lolpop(const char *const *env_extra, const char *const *args)
{
    return lp_run_exe(LP_LOLPOP_EXE, tmpdir, env_extra, args, DEADLINE_MS);
}

#define LOLPOP(...)          run_lolpop(NULL, (const char *const[]){__VA_ARGS__, NULL})
#define LOLPOP_ENV(env, ...) run_lolpop((env), (const char *const[]){__VA_ARGS__, NULL})
#define ENV(...)             ((const char *const[]){__VA_ARGS__, NULL})

static void result_free(result *r)
{
    lp_run_free(r);
}

#define EXPECT_EXIT(r, code) LP_EXPECT_EXIT(r, code)
#define EXPECT_ERR(r, s)     LP_EXPECT_ERR(r, s)
#define EXPECT_OUT(r, s)     LP_EXPECT_OUT(r, s)
#define EXPECT_NOT_OUT(r, s)                                                                       \
    cr_assert(strstr((r).out, (s)) == NULL, "stdout has \"%s\":\n%s", (s), (r).out)

/* ---- SQLite checks ------------------------------------------------------------ */

/* The single integer a query returns, from the database file in tmpdir. */
static long long db_int(const char *db_name, const char *sql)
{
    sqlite3 *db = NULL;
    cr_assert_eq(sqlite3_open_v2(tmp_path(db_name), &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK, "%s: %s", sql,
                 sqlite3_errmsg(db));
    cr_assert_eq(sqlite3_step(st), SQLITE_ROW, "%s", sql);
    long long v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

#define PEOPLE_CSV                                                                                 \
    "id,full name,score/100,\"say \"\"hi\"\"\"\n"                                                  \
    "1,Ada Lovelace,91.5,yes\n"                                                                    \
    "2,Grace Hopper,,\n"                                                                           \
    "3,\"Torvalds, Linus\",77,no\n"

/* ---- happy path ------------------------------------------------------------------ */

Test(seed, loads_a_csv_into_sqlite)
{
    write_file("people.csv", PEOPLE_CSV);
    result r = LOLPOP("seed", "file", "people.csv", "people", "-c", "SQLiteDataConnector", "--set",
                      "database=app.db");
    EXPECT_EXIT(r, 0);
    EXPECT_OUT(r, "3 rows");
    EXPECT_OUT(r, "people");
    result_free(&r);
    cr_assert_eq(db_int("app.db", "SELECT count(*) FROM people"), 3);
    cr_assert_eq(db_int("app.db", "SELECT count(*) FROM people WHERE \"score/100\" IS NULL"), 1);
    cr_assert_eq(db_int("app.db", "SELECT id FROM people WHERE \"full name\" = 'Torvalds, Linus'"),
                 3);
    cr_assert_eq(db_int("app.db", "SELECT count(*) FROM pragma_table_info('people') "
                                  "WHERE name = 'say \"hi\"'"),
                 1);

    /* by default an existing table is refused (nothing written), --if-exists
     * append adds the rows, replace re-creates */
    r = LOLPOP("seed", "file", "people.csv", "people", "--set", "database=app.db");
    EXPECT_EXIT(r, 1);
    EXPECT_ERR(r, "app.db: table 'people' already exists");
    EXPECT_ERR(r, "hint: nothing was written; pass --if-exists append to add the rows or "
                  "--if-exists replace to re-create 'people'\n");
    EXPECT_NOT_OUT(r, "rows");
    result_free(&r);
    cr_assert_eq(db_int("app.db", "SELECT count(*) FROM people"), 3);
    r = LOLPOP("seed", "file", "people.csv", "people", "--set", "database=app.db", "--if-exists",
               "append");
    EXPECT_EXIT(r, 0);
    result_free(&r);
    cr_assert_eq(db_int("app.db", "SELECT count(*) FROM people"), 6);
    r = LOLPOP("seed", "file", "people.csv", "people", "--set", "database=app.db", "--set",
               "if_exists=append"); /* the connector's own key says the same */
    EXPECT_EXIT(r, 0);
    result_free(&r);
    cr_assert_eq(db_int("app.db", "SELECT count(*) FROM people"), 9);
    r = LOLPOP("seed", "file", "people.csv", "people", "-c", "SQLiteDataConnector", "--set",
               "database=app.db", "--if-exists=replace");
    EXPECT_EXIT(r, 0);
    result_free(&r);
    cr_assert_eq(db_int("app.db", "SELECT count(*) FROM people"), 3);
    char store[PATH_MAX];
    snprintf(store, sizeof store, "%s/.lolpop", tmpdir);
    cr_assert(access(store, F_OK) != 0, "seed created a metadata store in the working directory");
}

Test(seed, into_another_file_with_the_local_connector)
{
    write_file("people.csv", PEOPLE_CSV);
    result r = LOLPOP("seed", "file", "people.csv", "copy.tsv", "-c", "LocalDataConnector");
    EXPECT_EXIT(r, 0);
    EXPECT_OUT(r, "3 rows");
    result_free(&r);
    struct stat sb;
    cr_assert_eq(stat(tmp_path("copy.tsv"), &sb), 0);
    cr_assert_gt(sb.st_size, 0);
}

Test(seed, help_describes_the_command)
{
    result r = LOLPOP("seed", "--help");
    EXPECT_EXIT(r, 0);
    EXPECT_OUT(r, "seed file SOURCE TARGET");
    EXPECT_OUT(r, "--set");
    result_free(&r);
}

/* ---- usage errors: exit 2 ------------------------------------------------------------ */

Test(seed, unknown_class_suggests_the_closest)
{
    write_file("people.csv", PEOPLE_CSV);
    result r = LOLPOP("seed", "file", "people.csv", "people", "-c", "SQLiteDataConector", "--set",
                      "database=app.db");
    EXPECT_EXIT(r, 2);
    EXPECT_ERR(r, "unknown class 'SQLiteDataConector'");
    EXPECT_ERR(r, "SQLiteDataConnector");
    result_free(&r);
    cr_assert_neq(access(tmp_path("app.db"), F_OK), 0);
}

Test(seed, class_must_be_a_data_connector)
{
    write_file("people.csv", PEOPLE_CSV);
    result r = LOLPOP("seed", "file", "people.csv", "people", "-c", "StdOutLogger");
    EXPECT_EXIT(r, 2);
    EXPECT_ERR(r, "'StdOutLogger' is a component of type logger, not a data_connector");
    result_free(&r);
}

Test(seed, missing_required_config_is_named)
{
    write_file("people.csv", PEOPLE_CSV);
    unsetenv("DATABASE"); /* config lookup would fall back to it */
    result r = LOLPOP("seed", "file", "people.csv", "people", "-c", "SQLiteDataConnector");
    EXPECT_EXIT(r, 2);
    EXPECT_ERR(r, "database");
    EXPECT_ERR(r, "--set database=VALUE");
    result_free(&r);
}

Test(seed, bad_config_value_is_a_usage_error)
{
    write_file("people.csv", PEOPLE_CSV);
    result r = LOLPOP("seed", "file", "people.csv", "people", "--set", "database=app.db", "--set",
                      "if_exists=overwrite");
    EXPECT_EXIT(r, 2);
    EXPECT_ERR(r, "if_exists 'overwrite' is not one of append, replace, fail");
    result_free(&r);
}

Test(seed, if_exists_values_are_checked)
{
    write_file("people.csv", PEOPLE_CSV);
    result r = LOLPOP("seed", "file", "people.csv", "people", "--set", "database=app.db",
                      "--if-exists", "overwrite");
    EXPECT_EXIT(r, 2);
    EXPECT_ERR(r, "--if-exists 'overwrite' is not one of fail, append, replace");
    result_free(&r);
    cr_assert_neq(access(tmp_path("app.db"), F_OK), 0);
    r = LOLPOP("seed", "file", "people.csv", "copy.tsv", "-c", "LocalDataConnector", "--if-exists",
               "append");
    EXPECT_EXIT(r, 2);
    EXPECT_ERR(r, "LocalDataConnector writes whole files, it has no if_exists: drop --if-exists");
    result_free(&r);
}

Test(seed, command_line_problems)
{
    result r = LOLPOP("seed");
    EXPECT_EXIT(r, 2);
    EXPECT_ERR(r, "lolpop seed file SOURCE TARGET");
    result_free(&r);
    r = LOLPOP("seed", "files", "a.csv", "t");
    EXPECT_EXIT(r, 2);
    EXPECT_ERR(r, "unknown seed source kind 'files'");
    result_free(&r);
    r = LOLPOP("seed", "file", "a.csv");
    EXPECT_EXIT(r, 2);
    EXPECT_ERR(r, "TARGET");
    result_free(&r);
    r = LOLPOP("seed", "file", "a.csv", "t", "extra");
    EXPECT_EXIT(r, 2);
    result_free(&r);
    r = LOLPOP("seed", "file", "a.csv", "t", "--set", "novalue");
    EXPECT_EXIT(r, 2);
    EXPECT_ERR(r, "KEY=VALUE");
    result_free(&r);
}

/* ---- failures: exit 1 --------------------------------------------------------------- */

Test(seed, unreadable_source_fails)
{
    result r = LOLPOP("seed", "file", "nothing.csv", "people", "--set", "database=app.db");
    EXPECT_EXIT(r, 1);
    EXPECT_ERR(r, "nothing.csv");
    result_free(&r);
}

Test(seed, failed_write_names_the_database)
{
    write_file("people.csv", PEOPLE_CSV);
    result r = LOLPOP("seed", "file", "people.csv", "people", "--set", "database=no/dir/app.db");
    EXPECT_EXIT(r, 1);
    EXPECT_ERR(r, "no/dir/app.db");
    EXPECT_NOT_OUT(r, "rows");
    result_free(&r);

    r = LOLPOP("seed", "file", "people.csv", "people", "--set", "database=app.db", "--set",
               "if_exists=fail");
    EXPECT_EXIT(r, 0);
    result_free(&r);
    r = LOLPOP("seed", "file", "people.csv", "people", "--set", "database=app.db", "--set",
               "if_exists=fail");
    EXPECT_EXIT(r, 1);
    EXPECT_ERR(r, "app.db: table 'people' already exists");
    result_free(&r);
    cr_assert_eq(db_int("app.db", "SELECT count(*) FROM people"), 3);
}
