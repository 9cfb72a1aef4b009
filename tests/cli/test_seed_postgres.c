/*
 * test_seed_postgres.c — `lolpop seed file SOURCE TARGET -c PostgresDataConnector
 * --set dsn=…` end to end: the real binary loads a CSV into a real PostgreSQL
 * server (LOLPOP_TEST_PG_DSN, started by `make test`), checked with libpq.
 *
 * Without LOLPOP_TEST_PG_DSN the tests FAIL saying so, unless
 * LOLPOP_TEST_NO_PG=1 asks to skip them (see tests/unit/test_postgres.c).
 */
#include <criterion/criterion.h>

#include <errno.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef LP_LOLPOP_EXE
#error "LP_LOLPOP_EXE must name the lolpop binary"
#endif

static char tmpdir[] = "/tmp/lolpop-seedpg-XXXXXX";
static const char *dsn;

static void setup(void)
{
    dsn = getenv("LOLPOP_TEST_PG_DSN");
    if (!dsn || !*dsn) {
        const char *no = getenv("LOLPOP_TEST_NO_PG");
        if (no && strcmp(no, "1") == 0)
            cr_skip_test("LOLPOP_TEST_NO_PG=1: PostgreSQL tests skipped on request");
        cr_assert_fail("LOLPOP_TEST_PG_DSN is not set, so there is no PostgreSQL server to test "
                       "against. Run `make test` (it starts one), or set LOLPOP_TEST_NO_PG=1 to "
                       "skip these tests.");
    }
    cr_assert_not_null(mkdtemp(tmpdir), "mkdtemp: %s", strerror(errno));
}

static void teardown(void)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (strncmp(tmpdir, "/tmp/lolpop-seedpg-", 19) == 0 && system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
}

TestSuite(seed_postgres, .init = setup, .fini = teardown, .timeout = 120);

static const char *path_of(const char *name)
{
    static char buf[16][512]; /* a ring: callers keep a result for a few calls */
    static int next;
    char *b = buf[next++ % 16];
    snprintf(b, 512, "%s/%s", tmpdir, name);
    return b;
}

static void write_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "wb");
    cr_assert_not_null(fp);
    fputs(text, fp);
    fclose(fp);
}

/* Reads a whole file into a new string. */
static char *slurp(const char *path)
{
    FILE *fp = fopen(path, "rb");
    cr_assert_not_null(fp);
    char *s = calloc(1, 1 << 16);
    cr_assert_not_null(s);
    size_t n = fread(s, 1, (1 << 16) - 1, fp);
    s[n] = 0;
    fclose(fp);
    return s;
}

/* Runs lolpop with args; its exit code, and its stderr in *err (caller frees). */
static int run_lolpop(const char *const *args, char **err)
{
    const char *out_path = path_of("stdout.txt"), *err_path = path_of("stderr.txt");
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        int o = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int e = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        dup2(o, 1);
        dup2(e, 2);
        const char *argv[16] = {LP_LOLPOP_EXE};
        for (int i = 0; args[i] && i < 14; i++)
            argv[i + 1] = args[i];
        execv(LP_LOLPOP_EXE, (char *const *)(void *)argv);
        _exit(127);
    }
    int status = 0;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    *err = slurp(err_path);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static PGresult *query(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);
    cr_assert_eq(PQresultStatus(r), PGRES_TUPLES_OK, "%s: %s", sql, PQresultErrorMessage(r));
    return r;
}

Test(seed_postgres, loads_a_csv_into_a_typed_table)
{
    char table[64], set_dsn[1024];
    snprintf(table, sizeof table, "seeded_%ld", (long)getpid());
    snprintf(set_dsn, sizeof set_dsn, "dsn=%s", dsn);
    const char *csv = path_of("people.csv");
    write_file(csv, "name,age,score,member,joined\n"
                    "Ann,34,1.5,true,2024-01-02T03:04:05\n"
                    "\"Bob, Jr.\",,2.25,false,2023-12-31\n"
                    "\"say \"\"hi\"\"\",7,,true,\n");
    char *err = NULL;
    const char *args[] = {"seed",  "file",
                          csv,     table,
                          "-c",    "PostgresDataConnector",
                          "--set", set_dsn,
                          "--set", "if_exists=replace",
                          NULL};
    int rc = run_lolpop(args, &err);
    cr_assert_eq(rc, 0, "exit %d: %s", rc, err);
    free(err);

    PGconn *c = PQconnectdb(dsn);
    cr_assert_eq(PQstatus(c), CONNECTION_OK, "%s", PQerrorMessage(c));
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT column_name, data_type FROM information_schema.columns "
             "WHERE table_name = '%s' ORDER BY ordinal_position",
             table);
    PGresult *r = query(c, sql);
    const char *want[][2] = {{"name", "text"},
                             {"age", "bigint"},
                             {"score", "double precision"},
                             {"member", "boolean"},
                             {"joined", "timestamp without time zone"}};
    cr_assert_eq(PQntuples(r), 5);
    for (int i = 0; i < 5; i++) {
        cr_assert_str_eq(PQgetvalue(r, i, 0), want[i][0]);
        cr_assert_str_eq(PQgetvalue(r, i, 1), want[i][1]);
    }
    PQclear(r);
    snprintf(sql, sizeof sql,
             "SELECT name, coalesce(age::text, 'NULL'), coalesce(score::text, 'NULL'), "
             "member::text, coalesce(joined::text, 'NULL') FROM \"%s\" ORDER BY name",
             table);
    r = query(c, sql);
    cr_assert_eq(PQntuples(r), 3);
    cr_assert_str_eq(PQgetvalue(r, 0, 0), "Ann");
    cr_assert_str_eq(PQgetvalue(r, 0, 1), "34");
    cr_assert_str_eq(PQgetvalue(r, 0, 4), "2024-01-02 03:04:05");
    cr_assert_str_eq(PQgetvalue(r, 1, 0), "Bob, Jr.");
    cr_assert_str_eq(PQgetvalue(r, 1, 1), "NULL");
    cr_assert_str_eq(PQgetvalue(r, 1, 2), "2.25");
    cr_assert_str_eq(PQgetvalue(r, 2, 0), "say \"hi\"");
    cr_assert_str_eq(PQgetvalue(r, 2, 2), "NULL");
    cr_assert_str_eq(PQgetvalue(r, 2, 4), "NULL");
    PQclear(r);
    PQfinish(c);

    /* Again with if_exists=fail: refused, exit 1, the table named. */
    const char *again[] = {
        "seed",  "file",           csv, table, "-c", "PostgresDataConnector", "--set", set_dsn,
        "--set", "if_exists=fail", NULL};
    rc = run_lolpop(again, &err);
    cr_assert_eq(rc, 1, "exit %d: %s", rc, err);
    cr_assert(strstr(err, "already exists") && strstr(err, table), "%s", err);
    free(err);
}

Test(seed_postgres, a_bad_dsn_is_reported_without_its_password)
{
    const char *csv = path_of("one.csv");
    write_file(csv, "a\n1\n");
    char *err = NULL;
    const char *args[] = {
        "seed",  "file",
        csv,     "t",
        "-c",    "PostgresDataConnector",
        "--set", "dsn=host=127.0.0.1 port=1 dbname=warehouse user=etl password=Sup3rS3cret",
        NULL};
    int rc = run_lolpop(args, &err);
    cr_assert_eq(rc, 1, "exit %d: %s", rc, err);
    cr_assert(strstr(err, "warehouse"), "%s", err);
    cr_assert(strstr(err, "127.0.0.1"), "%s", err);
    cr_assert(!strstr(err, "Sup3rS3cret"), "password leaked: %s", err);
    free(err);
}
